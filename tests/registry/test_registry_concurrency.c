/* test_registry_concurrency.c - one process per store (flock), many threads per store. */
#include "reg_test.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

TEST(second_open_in_same_process_is_refused)
{
    const char *dir = t_tmpdir();
    reg_store *a = rt_open(dir);
    reg_store *b = (reg_store *)1;
    char err[512], pid[32];
    T_EQ(reg_store_open(dir, &b, err, sizeof(err)), -EBUSY);
    T_ASSERT(b == NULL);
    T_CONTAINS(err, "is in use");
    T_CONTAINS(err, REG_LOCK_NAME);
    snprintf(pid, sizeof(pid), "pid %d", (int)getpid());
    T_CONTAINS(err, pid);
    reg_store_close(a);
    b = rt_open(dir);
    reg_store_close(b);
}

static void wait_byte(int fd)
{
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR) {
    }
}

TEST(second_process_is_refused_until_the_first_is_gone)
{
    const char *dir = t_tmpdir();
    for (int how = 0; how < 2; how++) { /* 0: the holder exits, 1: it is SIGKILLed */
        int up[2], down[2];
        T_EQ(pipe(up), 0);
        T_EQ(pipe(down), 0);
        fflush(NULL);
        pid_t pid = fork();
        T_ASSERT(pid >= 0);
        if (pid == 0) {
            reg_store *st;
            if (reg_store_open(dir, &st, NULL, 0))
                _exit(3);
            if (write(up[1], "r", 1) != 1)
                _exit(4);
            wait_byte(down[0]); /* until told, or killed */
            reg_store_close(st);
            _exit(0);
        }
        wait_byte(up[0]);
        reg_store *st = (reg_store *)1;
        char err[512], want[64];
        T_EQ(reg_store_open(dir, &st, err, sizeof(err)), -EBUSY);
        T_ASSERT(st == NULL);
        snprintf(want, sizeof(want), "locked by pid %d", (int)pid);
        T_CONTAINS(err, want);
        T_CONTAINS(err, dir);
        if (how == 0)
            T_EQ(write(down[1], "x", 1), 1);
        else
            kill(pid, SIGKILL);
        int status;
        T_EQ(waitpid(pid, &status, 0), pid);
        T_ASSERT(how == 1 || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        st = rt_open(dir);
        reg_store_close(st);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
    }
}

#define WRITERS 4
#define WRITES 30
#define SLOTS 5

static reg_store *g_st;
static atomic_int g_writers_left;
static atomic_int g_reads;

static void *writer(void *arg)
{
    int t = (int)(intptr_t)arg;
    reg_key *shared, *own;
    char name[32];
    T_EQ(reg_key_open(g_st, "Shared", 0, &shared), 0);
    snprintf(name, sizeof(name), "Own\\T%d", t);
    T_EQ(reg_key_open(g_st, name, REG_CREATE, &own), 0);
    for (int i = 0; i < WRITES; i++) {
        reg_value *v = reg_value_dword((uint32_t)i);
        snprintf(name, sizeof(name), "t%d_%d", t, i % SLOTS);
        T_EQ(reg_set_value(shared, name, v), 0);
        T_EQ(reg_set_value(own, "Count", v), 0);
        if (i % 7 == 3)
            T_EQ(reg_delete_value(own, "Count"), 0);
        reg_value_free(v);
    }
    reg_key_close(own);
    reg_key_close(shared);
    atomic_fetch_sub(&g_writers_left, 1);
    return NULL;
}

static void *reader(void *arg)
{
    unsigned seed = (unsigned)(intptr_t)arg;
    while (atomic_load(&g_writers_left) > 0) {
        reg_key *k;
        T_EQ(reg_key_open(g_st, "shared", 0, &k), 0);
        char name[32];
        snprintf(name, sizeof(name), "T%u_%u", rand_r(&seed) % WRITERS, rand_r(&seed) % SLOTS);
        reg_value *v;
        int rc = reg_get_value(k, name, &v);
        T_ASSERT(rc == 0 || rc == -ENOENT);
        if (rc == 0) {
            T_ASSERT(v->type == REG_T_DWORD || v->type == REG_T_SZ);
            reg_value_free(v);
        }
        uint32_t nv;
        T_EQ(reg_key_info(k, NULL, &nv), 0);
        for (uint32_t i = 0;; i++) {
            rc = reg_enum_value(k, i, name, sizeof(name), &v, NULL);
            if (rc == -ENOENT)
                break;
            T_EQ(rc, 0);
            reg_value_free(v);
        }
        reg_key_close(k);
        T_EQ(reg_key_open(g_st, "Own", 0, &k), 0);
        for (uint32_t i = 0; reg_enum_subkey(k, i, name, sizeof(name)) == 0; i++) {
            reg_key *sub;
            rc = reg_key_open_sub(k, name, 0, &sub);
            T_EQ(rc, 0);
            reg_key_close(sub);
        }
        reg_key_close(k);
        atomic_fetch_add(&g_reads, 1);
    }
    return NULL;
}

static void *defaulter(void *arg)
{
    reg_key *k;
    T_EQ(reg_key_open(g_st, "Shared", 0, &k), 0);
    for (int i = 0; atomic_load(&g_writers_left) > 0; i++) {
        char name[32];
        snprintf(name, sizeof(name), "t%d_%d", i % WRITERS, i % SLOTS);
        reg_value *v = reg_value_sz("default");
        T_EQ(reg_set_default(k, name, v), 0);
        reg_value_free(v);
        if (i % 50 == 49)
            T_EQ(reg_clear_defaults(g_st), 0);
    }
    reg_key_close(k);
    return NULL;
}

static void check_final(reg_store *st)
{
    reg_key *k = rt_key(st, "Shared", 0);
    for (int t = 0; t < WRITERS; t++) {
        for (int s = 0; s < SLOTS; s++) {
            char name[32];
            snprintf(name, sizeof(name), "t%d_%d", t, s);
            /* The last i with i % SLOTS == s. */
            T_EQ(rt_dword(k, name), WRITES - SLOTS + s);
        }
    }
    reg_key_close(k);
    for (int t = 0; t < WRITERS; t++) {
        char name[32];
        snprintf(name, sizeof(name), "Own\\T%d", t);
        k = rt_key(st, name, 0);
        T_EQ(rt_dword(k, "Count"), WRITES - 1);
        reg_key_close(k);
    }
}

TEST(threads_write_read_and_enumerate_one_store)
{
    const char *dir = t_tmpdir();
    g_st = rt_open(dir);
    reg_key_close(rt_key(g_st, "Shared", REG_CREATE));
    reg_key_close(rt_key(g_st, "Own", REG_CREATE));
    atomic_store(&g_writers_left, WRITERS);
    pthread_t w[WRITERS], r[2], d;
    for (int i = 0; i < WRITERS; i++)
        T_EQ(pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 2; i++)
        T_EQ(pthread_create(&r[i], NULL, reader, (void *)(intptr_t)(i + 1)), 0);
    T_EQ(pthread_create(&d, NULL, defaulter, NULL), 0);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    pthread_join(d, NULL);
    t_log("%d reader passes", atomic_load(&g_reads));

    check_final(g_st);
    reg_store_close(g_st);
    g_st = rt_open(dir);
    check_final(g_st);
    reg_store_close(g_st);
}

static void *closer(void *arg)
{
    reg_key *k = arg;
    reg_value *v;
    for (int i = 0; i < 1000; i++) {
        int rc = reg_get_value(k, "x", &v);
        T_ASSERT(rc == 0 || rc == -EBADF);
        if (rc == 0)
            reg_value_free(v);
    }
    reg_key_close(k);
    return NULL;
}

TEST(store_close_races_with_key_users)
{
    const char *dir = t_tmpdir();
    for (int round = 0; round < 20; round++) {
        reg_store *st = rt_open(dir);
        reg_key *k = rt_key(st, "K", REG_CREATE_DEFAULT);
        rt_set(k, "x", reg_value_dword(1), true);
        pthread_t th[3];
        for (int i = 0; i < 3; i++) {
            reg_key *mine = rt_key(st, "K", 0);
            T_EQ(pthread_create(&th[i], NULL, closer, mine), 0);
        }
        reg_key_close(k);
        reg_store_close(st); /* the last key closed frees the store */
        for (int i = 0; i < 3; i++)
            pthread_join(th[i], NULL);
    }
}

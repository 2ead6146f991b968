/*
 * test_registry_crash.c - crash safety of persisted writes.
 *
 * Deterministic: a child process is SIGKILLed at each named step of a write
 * (through reg_test_hook, and through NDIS_REG_CRASH_AT); the store must then
 * load and hold the old value before the rename and the new one after it.
 * Failure injection: a step fails in-process and the store must be unchanged.
 * Randomized: a child writes in a loop and is killed at random times.
 */
#include "reg_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static const char *const steps[] = {"tmp-open", "tmp-partial", "tmp-written",
                                    "tmp-synced", "renamed", "done"};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))
#define RENAME_INDEX 4 /* steps from here on come after the rename */

/* A string long enough that half of the file is a real torn write. */
static void long_text(char *buf, size_t len, const char *tag)
{
    size_t n = (size_t)snprintf(buf, len, "%s:", tag);
    while (n + 1 < len) {
        buf[n] = (char)('a' + n % 26);
        n++;
    }
    buf[n] = 0;
}

static void setup(const char *dir)
{
    char old[2048];
    long_text(old, sizeof(old), "old");
    unlink(rt_path(dir, REG_FILE_NAME)); /* what the previous round left */
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "A", REG_CREATE);
    rt_set(k, "X", reg_value_sz(old), false);
    reg_key_close(k);
    reg_store_close(st);
}

enum op { OP_SET, OP_DELETE, OP_CREATE_KEY };

static int do_op(reg_store *st, enum op op)
{
    reg_key *k;
    int rc = reg_key_open(st, "A", 0, &k);
    if (rc)
        return rc;
    char text[2048];
    long_text(text, sizeof(text), "new");
    reg_value *v = reg_value_sz(text);
    reg_key *b = NULL;
    switch (op) {
    case OP_SET:
        rc = reg_set_value(k, "X", v);
        break;
    case OP_DELETE:
        rc = reg_delete_value(k, "X");
        break;
    case OP_CREATE_KEY:
        rc = reg_key_open_sub(k, "B", REG_CREATE, &b);
        break;
    }
    reg_key_close(b);
    reg_value_free(v);
    reg_key_close(k);
    return rc;
}

/* Checks the store in dir after op was interrupted; new = op took effect. */
static void check_state(const char *dir, enum op op, bool new)
{
    char err[512];
    reg_store *st;
    int rc = reg_store_open(dir, &st, err, sizeof(err));
    T_ASSERT_MSG(rc == 0, "store does not load after the crash: %s", err);
    T_ASSERT(!rt_exists(rt_path(dir, REG_TMP_NAME)));
    reg_key *k = rt_key(st, "A", 0);
    reg_value *v;
    rc = reg_get_value(k, "X", &v);
    char want[2048];
    if (op == OP_DELETE && new) {
        T_EQ(rc, -ENOENT);
    } else {
        T_EQ(rc, 0);
        long_text(want, sizeof(want), op == OP_SET && new ? "new" : "old");
        T_STREQ(v->u.sz, want);
        reg_value_free(v);
    }
    reg_key *b;
    T_EQ(reg_key_open_sub(k, "B", 0, &b), op == OP_CREATE_KEY && new ? 0 : -ENOENT);
    reg_key_close(b);
    reg_key_close(k);
    reg_store_close(st);
}

static const char *kill_at;
static int kill_hook(const char *step)
{
    if (strcmp(step, kill_at) == 0)
        kill(getpid(), SIGKILL);
    return 0;
}

/* Runs op in a child that dies at step; returns once it is dead. */
static void crash_child(const char *dir, enum op op, const char *step, bool by_env)
{
    fflush(NULL);
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        if (by_env) {
            setenv("NDIS_REG_CRASH_AT", step, 1);
        } else {
            kill_at = step;
            reg_test_hook = kill_hook;
        }
        reg_store *st;
        if (reg_store_open(dir, &st, NULL, 0))
            _exit(3);
        do_op(st, op);
        _exit(4); /* not reached: the step kills us */
    }
    int status;
    T_EQ(waitpid(pid, &status, 0), pid);
    T_ASSERT_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                 "child was not killed at %s (status 0x%x)", step, status);
}

static void crash_at_every_step(enum op op, bool by_env)
{
    const char *dir = t_tmpdir();
    for (size_t i = 0; i < NSTEPS; i++) {
        setup(dir);
        crash_child(dir, op, steps[i], by_env);
        /* Before the rename the half-written or unrenamed file is still there. */
        bool tmp_left = i > 0 && i < RENAME_INDEX;
        T_ASSERT_MSG(rt_exists(rt_path(dir, REG_TMP_NAME)) == tmp_left, "step %s: temp file %s",
                     steps[i], tmp_left ? "missing" : "left over");
        check_state(dir, op, i >= RENAME_INDEX);
    }
}

TEST(crash_at_each_step_set_value)
{
    crash_at_every_step(OP_SET, false);
}

TEST(crash_at_each_step_delete_value)
{
    crash_at_every_step(OP_DELETE, false);
}

TEST(crash_at_each_step_create_key)
{
    crash_at_every_step(OP_CREATE_KEY, false);
}

TEST(crash_at_each_step_from_environment)
{
    crash_at_every_step(OP_SET, true);
}

/* ---- failure injection ------------------------------------------------------ */

static const char *fail_at;
static int fail_rc;
static int fail_hook(const char *step)
{
    return strcmp(step, fail_at) == 0 ? fail_rc : 0;
}

TEST(failed_write_before_rename_changes_nothing)
{
    const char *dir = t_tmpdir();
    setup(dir);
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "A", 0);
    char old[2048], text[2048];
    long_text(old, sizeof(old), "old");
    reg_test_hook = fail_hook;
    fail_rc = -ENOSPC;
    for (size_t i = 0; i < RENAME_INDEX; i++) {
        fail_at = steps[i];
        /* Replacing a value. */
        reg_value *v = reg_value_sz("replacement");
        T_EQ(reg_set_value(k, "X", v), -ENOSPC);
        T_STREQ(rt_sz(k, "X", text, sizeof(text)), old);
        reg_store_last_error(st, text, sizeof(text));
        T_CONTAINS(text, REG_TMP_NAME);
        T_CONTAINS(text, "No space left on device");
        T_ASSERT(!rt_exists(rt_path(dir, REG_TMP_NAME)));
        /* Adding a value to a key that has none persisted yet. */
        reg_key *d = rt_key(st, "Fresh\\Sub", REG_CREATE_DEFAULT);
        T_EQ(reg_set_value(d, "New", v), -ENOSPC);
        reg_value *got;
        T_EQ(reg_get_value(d, "New", &got), -ENOENT);
        uint32_t nk, nv;
        T_EQ(reg_key_info(d, &nk, &nv), 0);
        T_EQ(nv, 0);
        /* Deleting. */
        T_EQ(reg_delete_value(k, "X"), -ENOSPC);
        T_STREQ(rt_sz(k, "X", text, sizeof(text)), old);
        /* Creating keys: none of the path is left behind. */
        reg_key *nk_h;
        T_EQ(reg_key_open(st, "New\\Deep\\Key", REG_CREATE, &nk_h), -ENOSPC);
        T_ASSERT(nk_h == NULL);
        T_EQ(reg_key_open(st, "New", 0, &nk_h), -ENOENT);
        /* Deleting keys. */
        reg_key *root = rt_key(st, "", 0);
        T_EQ(reg_delete_key(root, "A"), -ENOSPC);
        T_STREQ(rt_sz(k, "X", text, sizeof(text)), old);
        reg_key_close(root);
        reg_key_close(d);
        reg_value_free(v);
    }
    reg_test_hook = NULL;
    reg_key_close(k);
    reg_store_close(st);

    /* The disk agrees: the default-only keys are gone, the rest is old. */
    st = rt_open(dir);
    k = rt_key(st, "A", 0);
    T_STREQ(rt_sz(k, "X", text, sizeof(text)), old);
    reg_key *f;
    T_EQ(reg_key_open(st, "Fresh", 0, &f), -ENOENT);
    reg_key_close(k);
    reg_store_close(st);
}

TEST(failure_after_rename_keeps_the_new_value)
{
    const char *dir = t_tmpdir();
    setup(dir);
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "A", 0);
    reg_test_hook = fail_hook;
    fail_at = "renamed";
    fail_rc = -EIO;
    reg_value *v = reg_value_sz("newer");
    T_EQ(reg_set_value(k, "X", v), -EIO);
    reg_value_free(v);
    reg_test_hook = NULL;
    char text[512];
    /* The file was replaced, so memory follows it; the caller learns that
     * durability is not known. */
    T_STREQ(rt_sz(k, "X", text, sizeof(text)), "newer");
    reg_store_last_error(st, text, sizeof(text));
    T_CONTAINS(text, "may not be durable");
    reg_key_close(k);
    reg_store_close(st);
    st = rt_open(dir);
    k = rt_key(st, "A", 0);
    T_STREQ(rt_sz(k, "X", text, sizeof(text)), "newer");
    reg_key_close(k);
    reg_store_close(st);
}

/* ---- randomized --------------------------------------------------------------- */

#define BLOB_LEN 3000

static void make_blob(uint32_t id, uint8_t *b)
{
    memcpy(b, &id, sizeof(id));
    for (size_t j = sizeof(id); j < BLOB_LEN; j++)
        b[j] = (uint8_t)(id * 31u + j * 7u);
}

static void writer_child(const char *dir)
{
    reg_store *st;
    reg_key *k;
    if (reg_store_open(dir, &st, NULL, 0) || reg_key_open(st, "W", 0, &k))
        _exit(3);
    reg_value *v;
    if (reg_get_value(k, "Seq", &v))
        _exit(4);
    uint32_t seq = v->u.dword;
    reg_value_free(v);
    static uint8_t blob[BLOB_LEN];
    for (uint32_t i = seq + 1;; i++) {
        make_blob(i, blob);
        v = reg_value_binary(blob, sizeof(blob));
        if (reg_set_value(k, "Blob", v))
            _exit(5);
        reg_value_free(v);
        v = reg_value_dword(i);
        if (reg_set_value(k, "Seq", v))
            _exit(6);
        reg_value_free(v);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(random_sigkill_during_writes)
{
    const char *dir = t_tmpdir();
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    const char *env = getenv("NDIS_REG_SEED");
    if (env)
        seed = (unsigned)strtoul(env, NULL, 0);
    t_log("seed %u (set NDIS_REG_SEED to repeat)", seed);

    static uint8_t blob[BLOB_LEN];
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "W", REG_CREATE);
    make_blob(0, blob);
    rt_set(k, "Blob", reg_value_binary(blob, sizeof(blob)), false);
    rt_set(k, "Seq", reg_value_dword(0), false);
    reg_key_close(k);
    reg_store_close(st);

    uint32_t last = 0;
    unsigned rounds = 0;
    double deadline = now_s() + 2.0;
    while (now_s() < deadline) {
        fflush(NULL);
        pid_t pid = fork();
        T_ASSERT(pid >= 0);
        if (pid == 0)
            writer_child(dir);
        struct timespec d = {0, (long)(rand_r(&seed) % 25000) * 1000L};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int status;
        T_EQ(waitpid(pid, &status, 0), pid);
        T_ASSERT_MSG(WIFSIGNALED(status), "writer exited with %d instead of being killed",
                     WEXITSTATUS(status));

        char err[512];
        int rc = reg_store_open(dir, &st, err, sizeof(err));
        T_ASSERT_MSG(rc == 0, "round %u: store does not load: %s", rounds, err);
        k = rt_key(st, "W", 0);
        uint32_t seq = rt_dword(k, "Seq");
        reg_value *v;
        T_EQ(reg_get_value(k, "Blob", &v), 0);
        T_EQ(v->u.bin.len, BLOB_LEN);
        uint32_t id;
        memcpy(&id, v->u.bin.data, sizeof(id));
        make_blob(id, blob);
        T_ASSERT_MSG(memcmp(blob, v->u.bin.data, BLOB_LEN) == 0, "round %u: blob %u is torn",
                     rounds, id);
        reg_value_free(v);
        /* Blob is written before Seq: it is at most one step ahead. */
        T_ASSERT_MSG(id == seq || id == seq + 1, "round %u: blob %u with seq %u", rounds, id, seq);
        T_ASSERT_MSG(seq >= last, "round %u: seq went back from %u to %u", rounds, last, seq);
        last = seq;
        reg_key_close(k);
        reg_store_close(st);
        rounds++;
    }
    t_log("%u rounds, %u writes survived", rounds, last);
    T_ASSERT(rounds >= 5);
    T_ASSERT(last > 0);
}

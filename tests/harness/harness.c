/* harness.c - runner for TEST() cases: fork per case, time bound, summary. */
#define _GNU_SOURCE
#include "test.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct t_case {
    const char *name;
    const char *file;
    t_case_fn fn;
};

static struct t_case t_cases[512];
static int t_ncases;
static const char *t_current;
static char t_tmp[256];

void t_register(const char *name, t_case_fn fn, const char *file)
{
    if (t_ncases == (int)(sizeof(t_cases) / sizeof(t_cases[0]))) {
        fprintf(stderr, "harness: too many test cases (max %zu)\n",
                sizeof(t_cases) / sizeof(t_cases[0]));
        abort();
    }
    t_cases[t_ncases++] = (struct t_case){name, file, fn};
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL %s (%s:%d): ", t_current ? t_current : "?", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void t_log(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  [%s] ", t_current ? t_current : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int t_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

const char *t_tmpdir(void)
{
    if (!t_tmp[0]) {
        snprintf(t_tmp, sizeof(t_tmp), "/tmp/ndis-test-%s-%d-XXXXXX",
                 t_current ? t_current : "x", (int)getpid());
        if (!mkdtemp(t_tmp)) {
            perror("mkdtemp");
            abort();
        }
    }
    return t_tmp;
}

static void t_cleanup_tmp(void)
{
    if (t_tmp[0]) {
        nftw(t_tmp, t_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        t_tmp[0] = 0;
    }
}

static void t_on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL: test case timed out (NDIS_TEST_TIMEOUT)\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more can be done from a signal handler */
    }
    abort();
}

static int t_run_one(const struct t_case *c, int timeout, int nofork)
{
    t_current = c->name;
    if (nofork) {
        c->fn();
        t_cleanup_tmp();
        return 0;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        signal(SIGALRM, t_on_alarm);
        alarm((unsigned)timeout);
        c->fn();
        t_cleanup_tmp();
        /* exit(), not _exit(): LeakSanitizer checks the child at exit. */
        exit(0);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFSIGNALED(st))
        fprintf(stderr, "case %s killed by signal %d\n", c->name, WTERMSIG(st));
    else
        fprintf(stderr, "case %s exited with %d\n", c->name, WEXITSTATUS(st));
    return 1;
}

int main(int argc, char **argv)
{
    const char *to = getenv("NDIS_TEST_TIMEOUT");
    int timeout = to ? atoi(to) : 60;
    int nofork = getenv("NDIS_TEST_NOFORK") != NULL;
    int failed = 0, ran = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);

    for (int i = 0; i < t_ncases; i++) {
        const struct t_case *c = &t_cases[i];
        if (argc > 1) {
            int want = 0;
            for (int a = 1; a < argc; a++)
                if (strcmp(argv[a], c->name) == 0)
                    want = 1;
            if (!want)
                continue;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = t_run_one(c, timeout, nofork);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        printf("%s %s (%.1f ms)\n", rc ? "FAIL" : "ok  ", c->name, ms);
        failed += rc;
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test case matched\n");
        return 2;
    }
    printf("%d/%d cases passed\n", ran - failed, ran);
    return failed ? 1 : 0;
}

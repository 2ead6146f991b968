/*
 * netns.c - network namespaces for the TAP tests (netns.h). Every wait is
 * bounded: on a descriptor with poll(), and on a process through its pidfd.
 */
#define _GNU_SOURCE
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define IP_TIMEOUT_MS 10000

const char *netns_unavailable(void)
{
    if (geteuid() != 0)
        return "not running as root (network namespaces and TAP devices need root)";
    if (access("/dev/net/tun", R_OK | W_OK) != 0)
        return "/dev/net/tun is missing or not accessible";
    if (system("ip -V >/dev/null 2>&1") != 0)
        return "the `ip` command (iproute2) is missing";
    return NULL;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(long long until)
{
    long long left = until - now_ms();
    return left > 0 ? (int)left : 0;
}

/* Waits for pid to end (pidfd), killing it at the deadline; its exit status. */
static int reap(pid_t pid, long long until)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        while (poll(&p, 1, remaining(until)) < 0 && errno == EINTR)
            ;
        close(pfd);
    }
    int st;
    bool timed_out = waitpid(pid, &st, WNOHANG) != pid;
    if (timed_out) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        return -1;
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

/* fork + exec of argv, stdin from /dev/null, stdout and stderr to fd (< 0: inherited). */
static pid_t spawn_argv(char *const argv[], int fd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void ip_netns(const char *verb, const char *name)
{
    char *argv[] = {"ip", "netns", (char *)verb, (char *)name, NULL};
    pid_t pid = spawn_argv(argv, -1);
    T_ASSERT_MSG(pid > 0, "fork: %s", strerror(errno));
    int st = reap(pid, now_ms() + IP_TIMEOUT_MS);
    T_ASSERT_MSG(st == 0, "ip netns %s %s failed with %d", verb, name, st);
}

/* A process that deletes the namespace once the test process is gone. */
static void start_reaper(struct netns *ns)
{
    int p[2];
    T_ASSERT_MSG(pipe2(p, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    T_ASSERT_MSG(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[1]);
        setsid(); /* not killed with the test's process group */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        char c;
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        char *argv[] = {"ip", "netns", "del", ns->name, NULL};
        execvp("ip", argv);
        _exit(127);
    }
    close(p[0]);
    ns->guard = p[1];
    ns->reaper = pid;
}

void netns_enter(struct netns *ns, const char *tag)
{
    static int seq;
    memset(ns, 0, sizeof(*ns));
    snprintf(ns->name, sizeof(ns->name), "ndis-%s-%d-%d", tag, (int)getpid(), seq++);
    ip_netns("add", ns->name);
    start_reaper(ns);
    char path[128];
    snprintf(path, sizeof(path), "/run/netns/%s", ns->name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    T_ASSERT_MSG(fd >= 0, "open %s: %s", path, strerror(errno));
    T_ASSERT_MSG(setns(fd, CLONE_NEWNET) == 0, "setns %s: %s", ns->name, strerror(errno));
    close(fd);
    /* No IPv6 in the namespace: the kernel would send router solicitations and
       MLD reports on every interface that comes up, frames the tests did not ask for. */
    T_ASSERT_MSG(netns_run(ns, NULL, 0, IP_TIMEOUT_MS,
                           "ip link set lo up && "
                           "{ ! [ -d /proc/sys/net/ipv6 ] || "
                           "sysctl -qw net.ipv6.conf.default.disable_ipv6=1 "
                           "net.ipv6.conf.all.disable_ipv6=1; }") == 0,
                 "setting up %s (lo up, IPv6 off) failed", ns->name);
}

void netns_leave(struct netns *ns)
{
    if (ns->guard <= 0)
        return;
    close(ns->guard); /* the reaper deletes the namespace now */
    ns->guard = -1;
    int st = reap(ns->reaper, now_ms() + IP_TIMEOUT_MS);
    T_ASSERT_MSG(st == 0, "ip netns del %s failed with %d", ns->name, st);
}

void netns_start(const struct netns *ns, struct netns_proc *p, const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int pipefd[2];
    T_ASSERT_MSG(pipe2(pipefd, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
    char *argv[] = {"ip", "netns", "exec", (char *)ns->name, "sh", "-c", cmd, NULL};
    p->len = 0;
    p->out[0] = '\0';
    p->pid = spawn_argv(argv, pipefd[1]);
    close(pipefd[1]);
    T_ASSERT_MSG(p->pid > 0, "fork: %s", strerror(errno));
    p->fd = pipefd[0];
}

/* Reads what is there (waiting at most wait_ms for something); false at EOF. */
static bool read_some(struct netns_proc *p, int wait_ms)
{
    if (p->fd < 0)
        return false;
    struct pollfd pf = {.fd = p->fd, .events = POLLIN};
    int r = poll(&pf, 1, wait_ms);
    if (r <= 0)
        return r == 0 || errno == EINTR;
    char tmp[4096];
    ssize_t n = read(p->fd, tmp, sizeof(tmp));
    if (n <= 0) {
        close(p->fd);
        p->fd = -1;
        return false;
    }
    size_t room = sizeof(p->out) - 1 - p->len;
    size_t k = (size_t)n < room ? (size_t)n : room; /* beyond 16 KiB output is dropped */
    memcpy(p->out + p->len, tmp, k);
    p->len += k;
    p->out[p->len] = '\0';
    return true;
}

bool netns_expect(struct netns_proc *p, const char *text, unsigned timeout_ms)
{
    long long until = now_ms() + timeout_ms;
    while (!strstr(p->out, text)) {
        if (!read_some(p, remaining(until)) || now_ms() >= until)
            return strstr(p->out, text) != NULL;
    }
    return true;
}

int netns_finish(struct netns_proc *p, unsigned timeout_ms)
{
    long long until = now_ms() + timeout_ms;
    while (read_some(p, remaining(until)) && now_ms() < until)
        ;
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    return reap(p->pid, until);
}

int netns_run(const struct netns *ns, char *out, size_t outlen, unsigned timeout_ms,
              const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    struct netns_proc *p = malloc(sizeof(*p));
    T_ASSERT(p);
    netns_start(ns, p, "%s", cmd);
    int st = netns_finish(p, timeout_ms);
    if (out && outlen)
        snprintf(out, outlen, "%s", p->out);
    free(p);
    return st;
}

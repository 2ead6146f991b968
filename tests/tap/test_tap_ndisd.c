/*
 * test_tap_ndisd.c - the TAP stack run by the daemon, as an operator runs it:
 * ndisd loads tapmp.so and passfilter.so with their INF files and adds the
 * adapter from its configuration file; ndisctl gives the responder's binding
 * its address and loads responder.so; from the Linux side of the interface
 * ping, arping and tcpdump see every answer; ndisctl unloads the responder
 * under a ping flood; deleting the interface removes the adapter; and the
 * daemon stops with exit status 0, which it gives only when nothing leaked.
 * Everything runs in a namespace of its own (ndisd is started inside it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "test.h"

#if !defined(NDISD_BIN) || !defined(NDISCTL_BIN) || !defined(DRIVERS_DIR)
#error "NDISD_BIN, NDISCTL_BIN and DRIVERS_DIR must be defined"
#endif

#define IFNAME "ndtap0"
#define NDIS_IP "10.200.0.2"
#define WAIT_MS 5000

__attribute__((constructor)) static void skip_unless_possible(void)
{
    const char *why = netns_unavailable();
    if (!why && system("command -v ping arping tcpdump >/dev/null 2>&1") != 0)
        why = "ping, arping or tcpdump is missing (scripts/setup.sh installs them)";
    if (why) {
        printf("SKIP: the ndisd TAP test needs a network namespace: %s\n", why);
        exit(77);
    }
}

struct daemon {
    struct netns ns;
    pid_t pid;
    char conf[256], sock[256], log[256];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    T_ASSERT_MSG(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    T_EQ(fclose(f), 0);
}

/* ndisd in the foreground, in this process's namespace; returns once it is ready. */
static void daemon_start(struct daemon *d)
{
    const char *dir = t_tmpdir();
    snprintf(d->conf, sizeof(d->conf), "%s/ndisd.conf", dir);
    snprintf(d->sock, sizeof(d->sock), "%s/ndisd.sock", dir);
    snprintf(d->log, sizeof(d->log), "%s/ndisd.log", dir);
    write_file(d->conf, "driver " DRIVERS_DIR "/tapmp.so inf=" DRIVERS_DIR "/tapmp.inf\n"
                        "driver " DRIVERS_DIR "/passfilter.so inf=" DRIVERS_DIR
                        "/passfilter.inf\n"
                        "adapter tapmp tap0 ifname=" IFNAME " mac=02:00:4e:44:49:53\n");
    int ready[2];
    T_EQ(pipe(ready), 0);
    fflush(NULL);
    d->pid = fork();
    T_ASSERT(d->pid >= 0);
    if (d->pid == 0) {
        close(ready[0]);
        char fd[16];
        snprintf(fd, sizeof(fd), "%d", ready[1]);
        execl(NDISD_BIN, NDISD_BIN, "--foreground", "-c", d->conf, "-s", d->sock, "--log",
              d->log, "--ready-fd", fd, (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    struct pollfd p = {.fd = ready[0], .events = POLLIN};
    char buf[16] = "";
    T_ASSERT_MSG(poll(&p, 1, 10000) == 1 && read(ready[0], buf, sizeof(buf) - 1) > 0,
                 "ndisd did not get ready within 10 s");
    close(ready[0]);
    T_ASSERT(strncmp(buf, "ready", 5) == 0);
}

/* ndisctl -s SOCK ARGS... (through sh, in the namespace); must succeed. */
static void ctl(struct daemon *d, char *out, size_t len, const char *fmt, ...)
{
    char args[512], buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    int st = netns_run(&d->ns, buf, sizeof(buf), WAIT_MS, NDISCTL_BIN " -s %s %s", d->sock,
                       args);
    T_ASSERT_MSG(st == 0, "ndisctl %s failed with %d:\n%s", args, st, buf);
    if (out)
        snprintf(out, len, "%s", buf);
}

static void sh(struct daemon *d, char *out, size_t len, const char *cmd)
{
    char buf[8192];
    int st = netns_run(&d->ns, buf, sizeof(buf), 10000, "%s", cmd);
    T_ASSERT_MSG(st == 0, "`%s` failed with %d:\n%s", cmd, st, buf);
    if (out)
        snprintf(out, len, "%s", buf);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs `ndisctl ARGS` until its output contains (or, with absent, lacks) text. */
static void ctl_wait(struct daemon *d, const char *args, const char *text, bool absent)
{
    char out[8192];
    long long until = now_ms() + WAIT_MS;
    for (;;) {
        ctl(d, out, sizeof(out), "%s", args);
        if ((strstr(out, text) != NULL) != absent)
            return;
        T_ASSERT_MSG(now_ms() < until, "`ndisctl %s` did not %s \"%s\" within %d ms:\n%s",
                     args, absent ? "lose" : "show", text, WAIT_MS, out);
        usleep(20000); /* no event to wait on through ndisctl: ask again */
    }
}

static int daemon_stop(struct daemon *d)
{
    kill(d->pid, SIGTERM);
    long long until = now_ms() + 15000;
    int st;
    while (waitpid(d->pid, &st, WNOHANG) != d->pid) {
        if (now_ms() > until) {
            kill(d->pid, SIGKILL);
            waitpid(d->pid, &st, 0);
            T_ASSERT_MSG(0, "ndisd did not stop within 15 s of SIGTERM");
        }
        usleep(10000);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int received(const char *out)
{
    const char *p = strstr(out, "packets transmitted, ");
    int rx;
    return p && sscanf(p, "packets transmitted, %d received", &rx) == 1 ? rx : -1;
}

TEST(ndisd_runs_the_tap_stack)
{
    struct daemon d;
    memset(&d, 0, sizeof(d));
    netns_enter(&d.ns, "ndisd");
    daemon_start(&d);
    char out[8192];
    ctl(&d, NULL, 0, "params set binding responder/tap0 IPAddress " NDIS_IP);
    ctl(&d, NULL, 0, "load " DRIVERS_DIR "/responder.so --inf " DRIVERS_DIR "/responder.inf");
    ctl(&d, out, sizeof(out), "stack tap0");
    T_CONTAINS(out, "passfilter");
    T_CONTAINS(out, "responder");
    sh(&d, NULL, 0, "ip link set " IFNAME " up && ip addr add 10.200.0.1/24 dev " IFNAME);

    struct netns_proc dump;
    netns_start(&d.ns, &dump,
                "exec tcpdump -i " IFNAME " -n -l -c 20 "
                "'icmp[icmptype] == icmp-echoreply and src host " NDIS_IP "'");
    T_ASSERT_MSG(netns_expect(&dump, "listening on", 5000), "tcpdump: %s", dump.out);
    sh(&d, out, sizeof(out), "ping -c 20 -i 0.01 -w 5 " NDIS_IP);
    T_ASSERT_MSG(received(out) == 20, "ping: %s", out);
    T_EQ(netns_finish(&dump, 5000), 0);
    T_CONTAINS(dump.out, "20 packets captured");
    sh(&d, out, sizeof(out), "arping -c 3 -w 4 -I " IFNAME " " NDIS_IP);
    T_CONTAINS(out, "Received 3 response(s)");

    /* The responder unloaded under a flood: the daemon keeps running the stack. */
    struct netns_proc flood;
    netns_start(&d.ns, &flood, "exec ping -f -w 1 -q " NDIS_IP);
    usleep(300000);
    ctl(&d, NULL, 0, "unload responder");
    ctl(&d, out, sizeof(out), "bindings");
    T_ASSERT(strstr(out, "responder") == NULL);
    netns_finish(&flood, 5000);
    T_ASSERT_MSG(received(flood.out) > 0, "ping -f: %s", flood.out);

    /* The interface deleted under the running stack: NDIS removes the adapter. */
    sh(&d, NULL, 0, "ip link del " IFNAME);
    ctl_wait(&d, "adapters", "tap0", true);

    int status = daemon_stop(&d);
    if (status != 0) {
        char log[16384] = "";
        FILE *f = fopen(d.log, "r");
        if (f) {
            size_t n = fread(log, 1, sizeof(log) - 1, f);
            log[n] = '\0';
            fclose(f);
        }
        T_ASSERT_MSG(0, "ndisd exited with %d (leaks or failures):\n%s", status, log);
    }
    netns_leave(&d.ns);
}

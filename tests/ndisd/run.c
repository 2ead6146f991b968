/* run.c - starting ndisd and running ndisctl for the end-to-end tests. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "test.h"

static const char stack_conf[] =
    "# the test stack\n"
    "driver %D/ndtmp.so inf=%D/ndtmp.inf\n"
    "driver %D/ndtproto.so inf=%D/ndtproto.inf\n"
    "driver %D/ndtfilter.so inf=%D/ndtfilter.inf\n"
    "adapter ndtmp t0\n"
    "adapter ndtmp t1\n";

void start_stack(struct daemon *d, const char *const *extra)
{
    write_config(d, stack_conf);
    daemon_start(d, extra);
}

int raw_connect(const struct daemon *d)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    T_ASSERT(strlen(d->sock) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, d->sock, strlen(d->sock) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    T_ASSERT(fd >= 0);
    T_ASSERT_MSG(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect %s: %s",
                 d->sock, strerror(errno));
    return fd;
}

json_t *raw_request(int fd, const char *cmd, json_t *args)
{
    json_t *req = json_pack("{s:i, s:s, s:o}", "v", NDISD_PROTO_VERSION, "cmd", cmd, "args",
                            args ? args : json_object());
    T_EQ(proto_write_json(fd, req), 0);
    json_decref(req);
    json_t *resp = NULL;
    char why[512];
    int rc = proto_read_json(fd, 10000, 10000, NDISD_MAX_REPLY, &resp, why, sizeof(why));
    T_ASSERT_MSG(rc == 1, "no response to %s: %s", cmd, rc == 0 ? "closed" : why);
    return resp;
}

json_t *result_of(json_t *resp)
{
    T_ASSERT_MSG(json_is_true(json_object_get(resp, "ok")), "command failed: %s",
                 str_of(resp, "error"));
    return json_object_get(resp, "result");
}

json_t *find_by(json_t *array, const char *key, const char *value)
{
    size_t i;
    json_t *x;
    json_array_foreach(array, i, x)
    {
        const char *v = json_string_value(json_object_get(x, key));
        if (v && !strcmp(v, value))
            return x;
    }
    return NULL;
}

const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

void write_config(struct daemon *d, const char *text)
{
    if (!d->dir[0])
        snprintf(d->dir, sizeof(d->dir), "%s", t_tmpdir());
    snprintf(d->conf, sizeof(d->conf), "%s/ndisd.conf", d->dir);
    FILE *f = fopen(d->conf, "w");
    T_ASSERT(f);
    for (const char *p = text; *p; p++) {
        if (p[0] == '%' && p[1] == 'D') {
            fputs(DRIVERS_DIR, f);
            p++;
        } else {
            fputc(*p, f);
        }
    }
    fclose(f);
}

void daemon_start(struct daemon *d, const char *const *extra)
{
    if (!d->dir[0])
        snprintf(d->dir, sizeof(d->dir), "%s", t_tmpdir());
    snprintf(d->sock, sizeof(d->sock), "%s/ndisd.sock", d->dir);
    snprintf(d->log, sizeof(d->log), "%s/ndisd.log", d->dir);
    snprintf(d->trace, sizeof(d->trace), "%s/trace.jsonl", d->dir);
    int p[2];
    T_ASSERT(pipe(p) == 0);
    d->pid = fork();
    T_ASSERT(d->pid >= 0);
    if (d->pid == 0) {
        /* A failing case exits without stopping its daemon: take it along. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(p[0]);
        char fd[16];
        snprintf(fd, sizeof(fd), "%d", p[1]);
        const char *argv[32] = {NDISD_BIN, "--foreground", "-s", d->sock, "--log", d->log,
                                "--ready-fd", fd, "--trace-file", d->trace,
                                "--wait-timeout-ms", "5000"};
        int n = 12;
        if (d->conf[0]) {
            argv[n++] = "-c";
            argv[n++] = d->conf;
        }
        for (int i = 0; extra && extra[i] && n < 30; i++)
            argv[n++] = extra[i];
        argv[n] = NULL;
        execv(NDISD_BIN, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    char buf[16] = "";
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    T_ASSERT_MSG(poll(&pf, 1, 10000) == 1, "ndisd did not get ready within 10 s");
    ssize_t n = read(p[0], buf, sizeof(buf) - 1);
    close(p[0]);
    if (n <= 0) {
        char *log = daemon_log(d);
        t_fail(__FILE__, __LINE__, "ndisd did not start; log:\n%s", log ? log : "");
    }
    T_ASSERT(strncmp(buf, "ready", 5) == 0);
}

int daemon_stop(struct daemon *d)
{
    kill(d->pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {
        int st;
        pid_t r = waitpid(d->pid, &st, WNOHANG);
        if (r == d->pid) {
            d->pid = 0;
            T_ASSERT_MSG(WIFEXITED(st), "ndisd died of signal %d", WTERMSIG(st));
            return WEXITSTATUS(st);
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(d->pid, SIGKILL);
    t_fail(__FILE__, __LINE__, "ndisd did not stop within 10 s of SIGTERM");
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    return buf;
}

char *daemon_log(const struct daemon *d)
{
    return slurp(d->log);
}

int run_capture(const char *const *argv, char **out, char **err)
{
    int po[2], pe[2];
    T_ASSERT(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    char *bufs[2] = {NULL, NULL};
    size_t lens[2] = {0, 0};
    FILE *ms[2] = {open_memstream(&bufs[0], &lens[0]), open_memstream(&bufs[1], &lens[1])};
    struct pollfd pf[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
    int open_fds = 2;
    while (open_fds) {
        T_ASSERT_MSG(poll(pf, 2, 20000) > 0, "%s did not finish within 20 s", argv[0]);
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !pf[i].revents)
                continue;
            char chunk[4096];
            ssize_t n = read(pf[i].fd, chunk, sizeof(chunk));
            if (n <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            } else {
                fwrite(chunk, 1, (size_t)n, ms[i]);
            }
        }
    }
    fclose(ms[0]);
    fclose(ms[1]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (out)
        *out = bufs[0];
    else
        free(bufs[0]);
    if (err)
        *err = bufs[1];
    else
        free(bufs[1]);
    T_ASSERT_MSG(WIFEXITED(st), "%s died of signal %d", argv[0], WTERMSIG(st));
    return WEXITSTATUS(st);
}

static int vctl(const struct daemon *d, bool json, char **out, char **err, const char *fmt,
                va_list ap)
{
    char line[2048];
    vsnprintf(line, sizeof(line), fmt, ap);
    const char *argv[40] = {NDISCTL_BIN, "-s", d->sock};
    int n = 3;
    if (json)
        argv[n++] = "--json";
    for (char *save = NULL, *w = strtok_r(line, " ", &save); w && n < 38;
         w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    argv[n] = NULL;
    return run_capture(argv, out, err);
}

int ctl(const struct daemon *d, char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vctl(d, false, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

json_t *ctl_json(const struct daemon *d, int *status, const char *fmt, ...)
{
    char *out = NULL, *err = NULL;
    va_list ap;
    va_start(ap, fmt);
    *status = vctl(d, true, &out, &err, fmt, ap);
    va_end(ap);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    T_ASSERT_MSG(j, "ndisctl --json printed no JSON (%s): stdout '%s' stderr '%s'", je.text, out,
                 err);
    free(out);
    free(err);
    return j;
}

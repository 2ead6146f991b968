/*
 * main.c - ndisctl, the control command of ndisd: turns a command line into a
 * request, sends it over the daemon's socket and prints the response as tables
 * (or the JSON itself with --json). Exit status: 0 ok, 1 the command failed,
 * 2 usage error, 3 the daemon cannot be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ndishost.h>

#include "help.h"
#include "ndisctl.h"
#include "proto.h"

/* A stream is read in slices this long, so Ctrl-C is seen between them. */
#define STREAM_POLL_MS 200
/* Once a frame started, the rest must come within this. */
#define FRAME_REST_MS 10000

bool g_json;
volatile sig_atomic_t g_interrupted;

/* ---- talking to the daemon ------------------------------------------------------- */

static int connect_daemon(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "ndisctl: socket path %s is longer than %zu bytes\n", path,
                sizeof(sa.sun_path) - 1);
        exit(EXIT_UNREACHABLE);
    }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;
        fprintf(stderr, "ndisctl: cannot reach ndisd at %s: %s%s\n", path, strerror(e),
                e == ENOENT || e == ECONNREFUSED ? " (is ndisd running? -s selects the socket)"
                : e == EACCES ? " (only root and the daemon's user may use it)"
                              : "");
        exit(EXIT_UNREACHABLE);
    }
    return fd;
}

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

/* Ctrl-C and SIGTERM end a stream cleanly (the pcap file is flushed). */
static void catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Prints trace events until Ctrl-C, `count` calls, or the daemon's "end". */
static int run_trace(int fd, long count)
{
    struct trace_printer tp;
    trace_printer_init(&tp);
    long shown = 0;
    while (!g_interrupted && (count <= 0 || shown < count)) {
        json_t *ev = NULL;
        char why[512];
        int rc = proto_read_json(fd, STREAM_POLL_MS, FRAME_REST_MS, NDISD_MAX_REPLY, &ev, why, sizeof(why));
        if (rc == -EAGAIN)
            continue;
        if (rc == 0) {
            fprintf(stderr, "ndisctl: trace: ndisd closed the connection\n");
            return EXIT_FAILED;
        }
        if (rc < 0) {
            fprintf(stderr, "ndisctl: trace: %s\n", why);
            return EXIT_FAILED;
        }
        const char *kind = json_string_value(json_object_get(ev, "event"));
        if (g_json)
            print_json(ev, false, stdout);
        else
            trace_print(&tp, ev, stdout);
        if (fflush(stdout) != 0) {
            json_decref(ev);
            return EXIT_FAILED; /* the reader went away (| head) */
        }
        if (kind && !strcmp(kind, "call"))
            shown++;
        bool end = kind && !strcmp(kind, "end");
        json_decref(ev);
        if (end)
            break;
    }
    return 0;
}

/* Sends the request and reads the response; exits 3 when the daemon is not there. */
static json_t *exchange(int fd, const char *socket_path, const struct cmdline *c,
                        unsigned timeout_s)
{
    json_t *req = json_pack("{s:i, s:s, s:O}", "v", NDISD_PROTO_VERSION, "cmd", c->proto_cmd,
                            "args", c->args);
    /* What only the client uses stays here. */
    json_t *args = json_object_get(req, "args");
    if (!strcmp(c->proto_cmd, "capture") || !strcmp(c->proto_cmd, "trace")) {
        args = json_deep_copy(args);
        json_object_del(args, "file");
        json_object_del(args, "count");
        json_object_set_new(req, "args", args);
    }
    int rc = proto_write_json(fd, req);
    json_decref(req);
    /* A daemon that refuses a peer says why and closes before it reads the
       request: read its answer even when the write found the socket closed. */
    if (rc && rc != -EPIPE && rc != -ECONNRESET) {
        fprintf(stderr, "ndisctl: cannot send to ndisd at %s: %s\n", socket_path, strerror(-rc));
        exit(EXIT_UNREACHABLE);
    }
    json_t *resp = NULL;
    char why[512];
    rc = proto_read_json(fd, timeout_s ? (int)timeout_s * 1000 : -1, FRAME_REST_MS,
                         NDISD_MAX_REPLY, &resp, why, sizeof(why));
    if (rc <= 0) {
        if (rc == -EAGAIN)
            fprintf(stderr, "ndisctl: ndisd at %s did not answer within %u s (--timeout)\n",
                    socket_path, timeout_s);
        else
            fprintf(stderr, "ndisctl: no response from ndisd at %s: %s\n", socket_path,
                    rc == 0 ? "connection closed" : why);
        exit(EXIT_UNREACHABLE);
    }
    return resp;
}

/* Reports a failed command on stderr; returns the exit status. */
static int report_failure(json_t *resp)
{
    const char *err = json_string_value(json_object_get(resp, "error"));
    const char *errno_name = json_string_value(json_object_get(resp, "errno"));
    if (g_json)
        print_json(resp, true, stdout);
    fprintf(stderr, "ndisctl: %s\n", err ? err : "the command failed");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(resp, "messages"), i, m)
    {
        const char *s = json_string_value(m);
        if (s && (!err || strcmp(s, err)))
            fprintf(stderr, "  %s\n", s);
    }
    return errno_name && !strcmp(errno_name, "EACCES") ? EXIT_UNREACHABLE : EXIT_FAILED;
}

static void print_success(const struct cmdline *c, json_t *resp)
{
    if (g_json) {
        print_json(resp, true, stdout);
        return;
    }
    print_result(c, json_object_get(resp, "result"), stdout);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(resp, "messages"), i, m)
        fprintf(stderr, "note: %s\n", json_string_value(m));
}

/* ---- options ---------------------------------------------------------------------- */

struct opts {
    const char *socket_path;
    unsigned timeout_s;
};

static int parse_options(int argc, char **argv, struct opts *o)
{
    static const struct option lopts[] = {
        {"socket", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    o->socket_path = getenv("NDISD_SOCKET");
    if (!o->socket_path || !*o->socket_path)
        o->socket_path = NDISD_DEFAULT_SOCKET;
    o->timeout_s = 120;
    int ch;
    char *end;
    while ((ch = getopt_long(argc, argv, "+s:jt:hV", lopts, NULL)) != -1) {
        switch (ch) {
        case 's':
            o->socket_path = optarg;
            break;
        case 'j':
            g_json = true;
            break;
        case 't': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || !*optarg || v > 86400)
                usage_fail(NULL, "--timeout %s: a number of seconds (0-86400)", optarg);
            o->timeout_s = (unsigned)v;
            break;
        }
        case 'h':
            help_overview(stdout);
            exit(0);
        case 'V':
            printf("ndisctl (libndis %s), protocol %d\n", NDIS_HOST_VERSION_STRING, NDISD_PROTO_VERSION);
            exit(0);
        default:
            fprintf(stderr, "Try 'ndisctl --help'.\n");
            exit(EXIT_USAGE);
        }
    }
    if (optind >= argc)
        usage_fail(NULL, "no command");
    return optind;
}

int main(int argc, char **argv)
{
    struct opts o;
    int first = parse_options(argc, argv, &o);
    struct cmdline c = {.cmd = argv[first], .argc = argc - first - 1, .argv = argv + first + 1};
    if (!strcmp(c.cmd, "help")) {
        if (c.argc == 0)
            help_overview(stdout);
        else if (!help_command(stdout, c.argv[0]))
            usage_fail(NULL, "no command '%s'", c.argv[0]);
        return 0;
    }
    if (!help_find(c.cmd))
        usage_fail(NULL, "unknown command '%s'", c.cmd);
    c.args = json_object();
    args_build(&c);
    bool trace = !strcmp(c.proto_cmd, "trace"), capture = !strcmp(c.proto_cmd, "capture");
    if (trace || capture)
        catch_interrupts();

    int fd = connect_daemon(o.socket_path);
    json_t *resp = exchange(fd, o.socket_path, &c, o.timeout_s);
    int status = 0;
    if (!json_is_true(json_object_get(resp, "ok"))) {
        status = report_failure(resp);
    } else if (trace) {
        /* On stderr even with --json: a script waits for it to know the stream is on. */
        fprintf(stderr, "ndisctl: tracing NDIS calls into drivers (Ctrl-C stops)\n");
        status = run_trace(fd, (long)json_integer_value(json_object_get(c.args, "count")));
    } else if (capture) {
        status = capture_run(fd, &c, resp);
    } else {
        print_success(&c, resp);
    }
    json_decref(resp);
    close(fd);
    json_decref(c.args);
    if (!trace && !capture && fflush(stdout) != 0)
        status = EXIT_FAILED;
    return status;
}

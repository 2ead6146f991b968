/*
 * main.c - ndisd, the NDIS daemon: runs one NDIS instance, loads what its
 * configuration file names, serves ndisctl on a Unix socket and, on SIGTERM or
 * SIGINT, stops the instance the way Windows stops a system (protocols unbind,
 * filters detach, adapters halt, drivers unload) and says what leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ndisd.h"
#include "oidnames.h"
#include "proto.h"

#define DEFAULT_CONFIG "/etc/ndis/ndisd.conf"

struct ndisd g_ndisd;

static const char usage_text[] =
    "Usage: ndisd [OPTION]...\n"
    "Run an NDIS instance: load the drivers, INF files and adapters named by the\n"
    "configuration file, and serve ndisctl(8) on a Unix socket.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE     configuration file (default " DEFAULT_CONFIG " when it\n"
    "                        exists; without one the instance starts empty)\n"
    "  -s, --socket PATH     control socket (default " NDISD_DEFAULT_SOCKET "); its\n"
    "                        directory is created; the socket is mode 0600\n"
    "      --drivers DIR     where the configuration's relative driver and INF paths\n"
    "                        are (default: its 'option drivers=', else its directory)\n"
    "      --registry DIR    persistent configuration store (parameters set with\n"
    "                        ndisctl params survive restarts); default: the\n"
    "                        configuration file's 'option registry=', else memory\n"
    "  -f, --foreground      stay in the foreground and log to standard error;\n"
    "                        without it ndisd detaches once ready (its exit status\n"
    "                        says whether start-up succeeded) and logs to syslog\n"
    "      --log FILE        append the log to FILE instead (SIGHUP reopens it)\n"
    "      --pid-file FILE   write the daemon's pid to FILE once ready\n"
    "      --ready-fd N      write \"ready\\n\" to file descriptor N and close it once\n"
    "                        the socket accepts commands\n"
    "      --trace-file FILE write the NDIS call trace to FILE as JSON lines, from\n"
    "                        start-up to the end of the shutdown\n"
    "      --verifier MODE   log (default): a driver's rule violation is reported\n"
    "                        and the call fails safely; abort: it aborts the daemon\n"
    "      --wait-timeout-ms N  bound of every wait on a driver (default 30000)\n"
    "      --capture-buffer KIB  frames each capture may buffer for a slow client\n"
    "                        before it drops them (default 4096 KiB, at least 128)\n"
    "      --check           check the configuration file and exit\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "Configuration file (one directive per line, '#' starts a comment, \"quotes\"\n"
    "keep blanks, relative paths are relative to the file):\n"
    "  driver FILE.so [name=NAME] [inf=FILE.inf]\n"
    "      load a driver; with an INF file, NDIS takes the driver's kind, bind rules,\n"
    "      filter class/type/run type, service name and Ndi\\params defaults from it\n"
    "  adapter DRIVER NAME [ifname=IF] [mac=MAC]\n"
    "      add an adapter of a loaded miniport driver\n"
    "  disable-binding PROTOCOL ADAPTER\n"
    "      keep a protocol from binding to an adapter\n"
    "  option verifier=log|abort | wait-timeout-ms=N | registry=DIR | drivers=DIR\n"
    "Relative driver and INF paths are looked up in the drivers directory:\n"
    "--drivers, else 'option drivers=' (relative to the file), else the directory\n"
    "of the file; other relative paths are relative to the file.\n"
    "Bindings are disabled first, then drivers load in file order, then adapters\n"
    "are added in file order. A syntax error stops ndisd before anything loads\n"
    "(\"file:line: reason\", exit status 2); a driver or adapter that fails to load\n"
    "is logged with its line and skipped, and the daemon runs without it.\n"
    "\n"
    "Signals: SIGTERM or SIGINT stops the instance in Windows' shutdown order\n"
    "(protocols unbind, filters detach, adapters halt, drivers unload) and exits 0,\n"
    "or 1 when anything leaked (each leak is logged). SIGHUP reopens the log file.\n"
    "\n"
    "Access: the socket is 0600 and every connection's peer credentials\n"
    "(SO_PEERCRED) are checked: only root and the daemon's own user are served.\n"
    "\n"
    "Exit status: 0 clean shutdown; 1 start-up failed or something leaked at\n"
    "shutdown; 2 usage or configuration error.\n"
    "\n"
    "See ndisd(8), ndisctl(8) and docs/ndisd.md.\n";

static void usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "ndisd: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'ndisd --help'.\n");
    exit(2);
}

struct opts {
    const char *config, *socket, *registry, *log, *pid_file, *trace_file, *verifier, *drivers;
    bool foreground, check, config_given;
    int ready_fd;
    unsigned wait_timeout_ms;
    size_t capture_ring;
};

static void parse_args(int argc, char **argv, struct opts *o)
{
    enum {
        O_REGISTRY = 256,
        O_LOG,
        O_PID,
        O_READY,
        O_TRACE,
        O_VERIFIER,
        O_WAIT,
        O_CHECK,
        O_CAP,
        O_DRIVERS,
    };
    static const struct option lopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"socket", required_argument, NULL, 's'},
        {"registry", required_argument, NULL, O_REGISTRY},
        {"foreground", no_argument, NULL, 'f'},
        {"log", required_argument, NULL, O_LOG},
        {"pid-file", required_argument, NULL, O_PID},
        {"ready-fd", required_argument, NULL, O_READY},
        {"trace-file", required_argument, NULL, O_TRACE},
        {"verifier", required_argument, NULL, O_VERIFIER},
        {"wait-timeout-ms", required_argument, NULL, O_WAIT},
        {"check", no_argument, NULL, O_CHECK},
        {"capture-buffer", required_argument, NULL, O_CAP},
        {"drivers", required_argument, NULL, O_DRIVERS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->ready_fd = -1;
    o->socket = NDISD_DEFAULT_SOCKET;
    o->capture_ring = CAPTURE_RING_DEFAULT;
    int ch;
    char *end;
    while ((ch = getopt_long(argc, argv, "c:s:fhV", lopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config = optarg;
            o->config_given = true;
            break;
        case 's':
            o->socket = optarg;
            break;
        case O_REGISTRY:
            o->registry = optarg;
            break;
        case 'f':
            o->foreground = true;
            break;
        case O_LOG:
            o->log = optarg;
            break;
        case O_PID:
            o->pid_file = optarg;
            break;
        case O_READY:
            o->ready_fd = (int)strtol(optarg, &end, 10);
            if (*end || o->ready_fd < 0 || fcntl(o->ready_fd, F_GETFD) < 0)
                usage_error("--ready-fd %s: not an open file descriptor", optarg);
            break;
        case O_TRACE:
            o->trace_file = optarg;
            break;
        case O_VERIFIER:
            if (strcmp(optarg, "log") && strcmp(optarg, "abort"))
                usage_error("--verifier %s: use log or abort", optarg);
            o->verifier = optarg;
            break;
        case O_WAIT: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 3600000)
                usage_error("--wait-timeout-ms %s: a number of milliseconds (1-3600000)",
                            optarg);
            o->wait_timeout_ms = (unsigned)v;
            break;
        }
        case O_CHECK:
            o->check = true;
            break;
        case O_DRIVERS:
            o->drivers = optarg;
            break;
        case O_CAP: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < (long)(CAPTURE_RING_MIN >> 10) || v > 1024 * 1024)
                usage_error("--capture-buffer %s: KiB from 128 to 1048576", optarg);
            o->capture_ring = (size_t)v << 10;
            break;
        }
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case 'V':
            printf("ndisd (%s)\n", ndis_host_version());
            exit(0);
        default:
            fprintf(stderr, "Try 'ndisd --help'.\n");
            exit(2);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (!o->config && access(DEFAULT_CONFIG, F_OK) == 0)
        o->config = DEFAULT_CONFIG;
}

/* ---- start-up --------------------------------------------------------------------- */

static void apply_config(const struct config *cfg)
{
    unsigned ok_drivers = 0, ok_adapters = 0, failed = 0;
    for (int pass = 0; pass < 3; pass++) {
        static const char *const verbs[] = {"disable-binding", "driver", "adapter"};
        for (unsigned i = 0; i < cfg->n; i++) {
            const struct config_line *l = &cfg->lines[i];
            if (strcmp(l->verb, verbs[pass]) != 0)
                continue;
            char err[1200];
            int rc = 0;
            unsigned long long mark = log_mark();
            if (pass == 0) {
                rc = ndis_host_set_binding_enabled(g_ndisd.host, l->args[0], l->args[1], false);
                if (rc)
                    snprintf(err, sizeof(err), "disable binding %s -> %s: %s", l->args[0],
                             l->args[1], ndis_host_strerror(rc));
            } else if (pass == 1) {
                char *path = config_driver_path_of(cfg, l->args[0]);
                const char *inf_attr = config_attr(l, "inf");
                char *inf = inf_attr && *inf_attr ? config_driver_path_of(cfg, inf_attr) : NULL;
                struct driver_load dl = {.path = path, .name = config_attr(l, "name"), .inf = inf};
                char name[64];
                if (!path || access(path, F_OK) != 0) {
                    rc = -ENOENT;
                    snprintf(err, sizeof(err), "driver %s: no such file", path ? path : "?");
                } else {
                    rc = drivers_load(&dl, name, sizeof(name), err, sizeof(err));
                }
                if (!rc) {
                    ok_drivers++;
                    log_msg(LOG_KIND_INFO, "%s:%u: driver '%s' loaded from %s", cfg->path,
                            l->lineno, name, path);
                }
                free(path);
                free(inf);
            } else {
                const char *mac_text = config_attr(l, "mac");
                unsigned char mac[6];
                ndis_adapter_config ac = {.ifname = config_attr(l, "ifname"),
                                          .mac = mac_text && parse_mac(mac_text, mac) == 0
                                                     ? mac
                                                     : NULL};
                rc = ndis_host_add_adapter(g_ndisd.host, l->args[0], l->args[1], &ac);
                if (rc) {
                    char first[900];
                    if (log_first_message_since(mark, first, sizeof(first)))
                        snprintf(err, sizeof(err), "adapter '%s': %s", l->args[1], first);
                    else
                        snprintf(err, sizeof(err), "adapter '%s' of driver '%s': %s",
                                 l->args[1], l->args[0], ndis_host_strerror(rc));
                } else {
                    ok_adapters++;
                    log_msg(LOG_KIND_INFO, "%s:%u: adapter '%s' of driver '%s' added", cfg->path,
                            l->lineno, l->args[1], l->args[0]);
                }
            }
            if (rc) {
                failed++;
                log_msg(LOG_KIND_ERROR, "%s:%u: %s; skipped", cfg->path, l->lineno, err);
            }
        }
    }
    log_msg(failed ? LOG_KIND_WARN : LOG_KIND_INFO,
            "configuration %s: %u drivers loaded, %u adapters added, %u lines failed",
            cfg->path, ok_drivers, ok_adapters, failed);
}

/* Detaches; the parent exits once the child says it is ready (or dies). */
static int daemonize(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        perror("ndisd: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("ndisd: fork");
        exit(1);
    }
    if (pid > 0) {
        close(p[1]);
        char c;
        ssize_t n;
        do
            n = read(p[0], &c, 1);
        while (n < 0 && errno == EINTR);
        if (n == 1)
            exit(0);
        int st;
        waitpid(pid, &st, WNOHANG);
        fprintf(stderr, "ndisd: the daemon failed to start (see its log)\n");
        exit(1);
    }
    close(p[0]);
    setsid();
    if (chdir("/") != 0)
        return -1;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    return p[1];
}

static void notify_ready(int fd)
{
    if (fd < 0)
        return;
    (void)!write(fd, "ready\n", 6);
    close(fd);
}

static int write_pid_file(const char *path)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -errno;
    fprintf(f, "%ld\n", (long)getpid());
    return fclose(f) == 0 ? 0 : -errno;
}

/* ---- shutdown ----------------------------------------------------------------------- */

static int shut_down(int signo)
{
    log_msg(LOG_KIND_INFO, "%s: shutting down (protocols unbind, filters detach, adapters halt, "
                           "drivers unload)",
            strsignal(signo));
    server_stop_accepting();
    pthread_rwlock_wrlock(&g_ndisd.host_lock);
    unsigned long leaks0 = log_report_total(true);
    unsigned long long mark = log_mark();
    tracebus_shutdown_begin();
    capture_end_all("ndisd stopped");
    int rc = ndis_host_destroy(g_ndisd.host);
    g_ndisd.host = NULL;
    pthread_rwlock_unlock(&g_ndisd.host_lock);
    struct shutdown_calls sc;
    tracebus_shutdown_calls(&sc);
    tracebus_end("ndisd stopped");
    server_finish();
    drivers_forget_all();
    unsigned long leaks = log_report_total(true) - leaks0;
    log_msg(sc.out_of_order ? LOG_KIND_ERROR : LOG_KIND_INFO,
            "shutdown: %u bindings unbound (ProtocolUnbindAdapterEx), %u filter modules "
            "detached (FilterDetach), %u adapters halted (MiniportHaltEx), %u drivers unloaded "
            "(DriverUnload)%s",
            sc.unbinds, sc.detaches, sc.halts, sc.unloads,
            sc.out_of_order ? "; some calls came out of that order" : ", in that order");
    if (rc == 0 && leaks == 0 && !sc.out_of_order) {
        log_msg(LOG_KIND_INFO, "stopped cleanly: nothing leaked");
        return 0;
    }
    if (rc == 0 && leaks == 0)
        return 1;
    /* Each leak as the verifier reported it; other diagnostics if there is none. */
    json_t *msgs = log_messages_since(mark, leaks > 0);
    log_msg(LOG_KIND_ERROR, "stopped with leaks: %lu leak reports during shutdown%s%s", leaks,
            rc ? ", instance: " : "", rc ? ndis_host_strerror(rc) : "");
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m) log_msg(LOG_KIND_ERROR, "  leaked: %s", json_string_value(m));
    json_decref(msgs);
    return 1;
}

/* p as an absolute path (malloc'ed; NULL stays NULL): the daemon works from "/". */
static char *absolute(const char *p)
{
    if (!p)
        return NULL;
    char cwd[PATH_MAX], *s = NULL;
    if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return strdup(p);
    return asprintf(&s, "%s/%s", cwd, p) < 0 ? NULL : s;
}

/* The settings from the command line, then the file's options, then defaults. */
struct settings {
    char *config, *socket, *registry, *log, *pid_file, *trace_file;
    const char *verifier;
    unsigned wait_ms;
};

static void settings_of(const struct opts *o, const struct config *cfg, struct settings *st)
{
    memset(st, 0, sizeof(*st));
    st->verifier = o->verifier;
    st->wait_ms = o->wait_timeout_ms;
    const char *registry = NULL;
    for (unsigned i = 0; cfg && i < cfg->n; i++) {
        const struct config_line *l = &cfg->lines[i];
        if (strcmp(l->verb, "option") != 0)
            continue;
        const char *v;
        if ((v = config_attr(l, "verifier")) && !o->verifier)
            st->verifier = v;
        if ((v = config_attr(l, "registry")))
            registry = v;
        if ((v = config_attr(l, "wait-timeout-ms")) && !o->wait_timeout_ms)
            st->wait_ms = (unsigned)strtoul(v, NULL, 10);
    }
    st->config = o->config ? realpath(o->config, NULL) : NULL;
    st->socket = absolute(o->socket);
    st->registry = o->registry ? absolute(o->registry)
                   : registry  ? config_path_of(cfg, registry)
                               : NULL;
    st->log = absolute(o->log);
    st->pid_file = absolute(o->pid_file);
    st->trace_file = absolute(o->trace_file);
}

static void settings_free(struct settings *st)
{
    free(st->config);
    free(st->socket);
    free(st->registry);
    free(st->log);
    free(st->pid_file);
    free(st->trace_file);
}

/* Signals arrive through a signalfd in the main loop; every thread, libndis's
   included, inherits the mask set here. */
static int block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_CLOEXEC);
}

static void init_state(const struct opts *o, const struct settings *st)
{
    memset(&g_ndisd, 0, sizeof(g_ndisd));
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&g_ndisd.host_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_init(&g_ndisd.change_lock, NULL);
    g_ndisd.config_path = st->config;
    g_ndisd.socket_path = st->socket;
    g_ndisd.registry_dir = st->registry;
    g_ndisd.log_path = st->log;
    g_ndisd.started = time(NULL);
    g_ndisd.capture_ring = o->capture_ring;
    g_ndisd.wait_timeout_ms = st->wait_ms ? st->wait_ms : 30000;
    g_ndisd.verifier = st->verifier && strcmp(st->verifier, "abort") == 0 ? NDIS_VERIFIER_ABORT
                                                                          : NDIS_VERIFIER_LOG;
}

/* Creates the instance, applies the configuration, listens. 0 or 1 (logged). */
static int start(const struct settings *st, const struct config *cfg)
{
    ndis_set_verifier_policy((ndis_verifier_policy)g_ndisd.verifier);
    log_install_ndis_handlers();
    log_msg(LOG_KIND_INFO, "%s starting: config %s, drivers %s, socket %s, registry %s, "
                           "verifier %s",
            ndis_host_version(), st->config ? st->config : "(none)",
            cfg && cfg->drivers_dir ? cfg->drivers_dir : "-", st->socket,
            st->registry ? st->registry : "(memory)",
            g_ndisd.verifier == NDIS_VERIFIER_LOG ? "log" : "abort");
    ndis_host_options hopts = {.name = "ndisd",
                               .wait_timeout_ms = st->wait_ms,
                               .registry_dir = st->registry};
    int rc = ndis_host_create(&hopts, &g_ndisd.host);
    if (rc) {
        log_msg(LOG_KIND_ERROR, "cannot create the NDIS instance: %s", ndis_host_strerror(rc));
        return 1;
    }
    if (st->trace_file && (rc = tracebus_open_file(st->trace_file)) != 0)
        log_msg(LOG_KIND_ERROR, "cannot open trace file %s: %s", st->trace_file,
                strerror(-rc));
    tracebus_attach_host(g_ndisd.host);
    if (cfg)
        apply_config(cfg);
    char err[512];
    rc = server_listen(st->socket, err, sizeof(err));
    if (rc) {
        log_msg(LOG_KIND_ERROR, "%s", err);
        tracebus_freeze();
        ndis_host_destroy(g_ndisd.host);
        g_ndisd.host = NULL;
        tracebus_end("start-up failed");
        return 1;
    }
    if (st->pid_file && (rc = write_pid_file(st->pid_file)) != 0)
        log_msg(LOG_KIND_WARN, "cannot write pid file %s: %s", st->pid_file, strerror(-rc));
    ndis_host_counts n;
    ndis_host_get_counts(g_ndisd.host, &n);
    log_msg(LOG_KIND_INFO, "ready: %u drivers, %u adapters, %u bindings, %u filter modules; "
                           "listening on %s",
            n.drivers, n.adapters, n.bindings, n.modules, st->socket);
    return 0;
}

static struct config *load_config(const struct opts *o)
{
    struct config *cfg = NULL;
    if (!o->config) {
        if (o->drivers)
            usage_error("--drivers %s: only with a configuration file (-c)", o->drivers);
        return NULL;
    }
    char err[1024];
    if (config_load(o->config, &cfg, err, sizeof(err))) {
        fprintf(stderr, "ndisd: %s\n", err);
        exit(2);
    }
    int rc = config_set_drivers_dir(cfg, o->drivers);
    if (rc) {
        fprintf(stderr, "ndisd: drivers directory %s: %s\n",
                o->drivers ? o->drivers : "of the configuration", strerror(-rc));
        config_free(cfg);
        exit(2);
    }
    return cfg;
}

int main(int argc, char **argv)
{
    struct opts o;
    parse_args(argc, argv, &o);
    struct config *cfg = load_config(&o);
    if (o.check) {
        printf("%s: %u directives, OK\n", o.config ? o.config : "(no configuration file)",
               cfg ? cfg->n : 0);
        config_free(cfg);
        return 0;
    }
    struct settings st;
    settings_of(&o, cfg, &st);
    /* The log first: a daemon that fails to start says why in it. */
    int rc = log_open(st.log, !o.foreground);
    if (rc) {
        fprintf(stderr, "ndisd: cannot open log %s: %s\n", st.log, strerror(-rc));
        return 1;
    }
    int daemon_fd = o.foreground ? -1 : daemonize();
    int sigfd = block_signals();
    init_state(&o, &st);
    int status = start(&st, cfg);
    config_free(cfg);
    bool started = status == 0;
    if (started) {
        notify_ready(o.ready_fd);
        notify_ready(daemon_fd);
        status = shut_down(server_run(sigfd));
    }
    tracebus_close_file();
    if (st.pid_file && started)
        unlink(st.pid_file);
    close(sigfd);
    log_close();
    settings_free(&st);
    return status;
}

/*
 * test_ndisd.c - ndisd and ndisctl end to end: a daemon on a temporary socket
 * loads the test drivers (tests/ndisd/drivers) with their INF files, and every
 * ndisctl command runs against it, in tables and in JSON; refused peers,
 * failing drivers, the shutdown order read from the trace, leaks at shutdown,
 * configuration errors and parameters persisting across a restart.
 */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "test.h"

static const char stack_conf[] =
    "# the test stack\n"
    "option verifier=log\n"
    "driver %D/ndtmp.so inf=%D/ndtmp.inf\n"
    "driver \"%D/ndtproto.so\" inf=%D/ndtproto.inf   # a comment after a line\n"
    "driver %D/ndtfilter.so inf=%D/ndtfilter.inf\n"
    "driver %D/missing.so\n"
    "driver %D/ndtnoentry.so\n"
    "driver %D/ndtfail.so\n"
    "adapter ndtmp t0\n"
    "adapter ndtmp t1 mac=02:00:4c:4f:4f:50\n"
    "adapter nosuchdriver t9\n";

/* The test stack plus lines that fail (skipped at start-up). */
static void start_with_bad_lines(struct daemon *d)
{
    memset(d, 0, sizeof(*d));
    write_config(d, stack_conf);
    daemon_start(d, NULL);
}

/* Start-up skipped the bad lines, said why, and kept nothing of them. */
TEST(startup_skips_bad_lines)
{
    struct daemon d;
    start_with_bad_lines(&d);
    char *log = daemon_log(&d);
    T_CONTAINS(log, "ndisd.conf:6: driver " DRIVERS_DIR "/missing.so: no such file; skipped");
    T_CONTAINS(log, "ndisd.conf:7: load driver 'ndtnoentry'");
    T_CONTAINS(log, "exports no DriverEntry");
    T_CONTAINS(log, "ndisd.conf:8: driver 'ndtfail': DriverEntry failed");
    T_CONTAINS(log, "NdisMDeregisterMiniportDriver");
    T_CONTAINS(log, "ndisd.conf:11: adapter 't9'");
    T_CONTAINS(log, "3 drivers loaded, 2 adapters added, 4 lines failed");
    int st;
    json_t *r = ctl_json(&d, &st, "drivers");
    T_EQ(st, 0);
    json_t *drv = result_of(r);
    T_EQ(json_array_size(drv), 3);
    T_ASSERT(find_by(drv, "name", "ndtmp") && find_by(drv, "name", "ndtproto") &&
             find_by(drv, "name", "ndtfilter"));
    T_ASSERT(!find_by(drv, "name", "ndtfail") && !find_by(drv, "name", "ndtnoentry"));
    json_t *mp = find_by(drv, "name", "ndtmp");
    T_STREQ(str_of(mp, "inf_class"), "Net");
    T_STREQ(str_of(mp, "component"), "ROOT\\ndtmp");
    T_EQ(json_integer_value(json_object_get(mp, "adapters")), 2);
    json_decref(r);
    free(log);
    T_EQ(daemon_stop(&d), 0);
}

TEST(listings)
{
    struct daemon d;
    start_with_bad_lines(&d);
    char *out, *err;
    T_EQ(ctl(&d, &out, &err, "status"), 0);
    T_CONTAINS(out, "3 drivers, 2 adapters, 2 bindings, 2 filter modules");
    T_CONTAINS(out, "verifier:  log");
    free(out), free(err);

    int st;
    json_t *r = ctl_json(&d, &st, "adapters");
    json_t *a = find_by(result_of(r), "name", "t1");
    T_ASSERT(a);
    T_STREQ(str_of(a, "driver"), "ndtmp");
    T_STREQ(str_of(a, "state"), "Running");
    T_STREQ(str_of(a, "medium"), "802.3");
    T_STREQ(str_of(a, "link"), "up");
    T_EQ(json_integer_value(json_object_get(a, "link_speed")), 1000000000);
    T_EQ(json_integer_value(json_object_get(a, "bindings")), 1);
    T_EQ(json_integer_value(json_object_get(a, "modules")), 1);
    T_ASSERT(json_is_object(json_object_get(a, "counters")));
    json_decref(r);

    T_EQ(ctl(&d, &out, &err, "adapters"), 0);
    T_CONTAINS(out, "NAME  DRIVER  STATE");
    T_CONTAINS(out, "t0    ndtmp   Running  802.3");
    free(out), free(err);

    T_EQ(ctl(&d, &out, &err, "bindings"), 0);
    T_CONTAINS(out, "PROTOCOL  ADAPTER  STATE    ENABLED");
    T_CONTAINS(out, "ndtproto  t0       Running  yes");
    free(out), free(err);

    /* The stack, top to bottom: protocol, filter, miniport. */
    T_EQ(ctl(&d, &out, &err, "stack t0"), 0);
    const char *p = strstr(out, "protocol  ndtproto"), *f = strstr(out, "filter    ndtfilter"),
               *m = strstr(out, "miniport  ndtmp");
    T_ASSERT_MSG(p && f && m && p < f && f < m, "stack order wrong:\n%s", out);
    free(out), free(err);
    r = ctl_json(&d, &st, "stack t0");
    json_t *mods = json_object_get(json_array_get(result_of(r), 0), "modules");
    T_EQ(json_array_size(mods), 1);
    T_STREQ(str_of(json_array_get(mods, 0), "filter"), "ndtfilter");
    T_STREQ(str_of(json_array_get(mods, 0), "state"), "Running");
    T_EQ(json_integer_value(json_object_get(json_array_get(mods, 0), "position")), 0);
    json_decref(r);

    T_EQ(ctl(&d, &out, &err, "stack nope"), 1);
    T_CONTAINS(err, "no adapter 'nope'");
    free(out), free(err);
    T_EQ(daemon_stop(&d), 0);
}

TEST(oids)
{
    struct daemon d;
    start_with_bad_lines(&d);
    char *out, *err;
    T_EQ(ctl(&d, &out, &err, "oid query t0 OID_GEN_VENDOR_DESCRIPTION"), 0);
    T_STREQ(out, "OID_GEN_VENDOR_DESCRIPTION on t0: ndisd test miniport\n");
    free(out), free(err);
    /* Answered by NDIS from the miniport's attributes. */
    T_EQ(ctl(&d, &out, &err, "oid query t0 GEN_LINK_SPEED"), 0);
    T_STREQ(out, "OID_GEN_LINK_SPEED on t0: 10000000 (1 Gbit/s)\n");
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "oid query t0 OID_802_3_CURRENT_ADDRESS"), 0);
    T_CONTAINS(out, "02:4e:44:54:00:0");
    free(out), free(err);
    int st;
    json_t *r = ctl_json(&d, &st, "oid query t0 OID_GEN_STATISTICS");
    T_EQ(st, 0);
    json_t *v = json_object_get(result_of(r), "value");
    T_EQ(json_integer_value(json_object_get(v, "ifHCOutOctets")), 4242);
    T_STREQ(str_of(result_of(r), "status_name"), "NDIS_STATUS_SUCCESS");
    json_decref(r);
    r = ctl_json(&d, &st, "oid query t0 OID_GEN_LINK_STATE");
    T_STREQ(str_of(json_object_get(result_of(r), "value"), "media_connect_state"), "connected");
    json_decref(r);

    /* A set, read back; a value the driver refuses; NDIS's per-binding OIDs. */
    T_EQ(ctl(&d, &out, &err, "oid set t0 OID_GEN_VLAN_ID 42"), 0);
    T_STREQ(out, "OID_GEN_VLAN_ID set on t0 (4 bytes read)\n");
    free(out), free(err);
    r = ctl_json(&d, &st, "oid query t0 OID_GEN_VLAN_ID");
    T_EQ(json_integer_value(json_object_get(result_of(r), "value")), 42);
    json_decref(r);
    T_EQ(ctl(&d, &out, &err, "oid set t0 OID_GEN_VLAN_ID 5000"), 1);
    T_CONTAINS(err, "NDIS_STATUS_INVALID_DATA");
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "oid set t0 OID_GEN_CURRENT_PACKET_FILTER DIRECTED"), 1);
    T_CONTAINS(err, "per binding");
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "oid query t0 0x00ffff01"), 1);
    T_CONTAINS(err, "NDIS_STATUS_NOT_SUPPORTED");
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "oid query nope OID_GEN_VLAN_ID"), 1);
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "oid query t0 OID_NOT_A_NAME"), 2);
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "oid names"), 0);
    T_CONTAINS(out, "OID_GEN_LINK_STATE");
    free(out), free(err);
    T_EQ(daemon_stop(&d), 0);
}

static const char *adapter_state(struct daemon *d, const char *name, char *buf, size_t len)
{
    int st;
    json_t *r = ctl_json(d, &st, "adapters");
    json_t *a = find_by(result_of(r), "name", name);
    snprintf(buf, len, "%s", a ? str_of(a, "state") : "(absent)");
    json_decref(r);
    return buf;
}

TEST(changes)
{
    struct daemon d;
    start_with_bad_lines(&d);
    char *out, *err, s[32];
    T_EQ(ctl(&d, &out, &err, "pause t0"), 0);
    T_STREQ(out, "adapter t0 paused\n");
    free(out), free(err);
    T_STREQ(adapter_state(&d, "t0", s, sizeof(s)), "Paused");
    T_EQ(ctl(&d, NULL, NULL, "restart t0"), 0);
    T_STREQ(adapter_state(&d, "t0", s, sizeof(s)), "Running");

    T_EQ(ctl(&d, NULL, NULL, "disable-binding ndtproto t0"), 0);
    T_EQ(ctl(&d, &out, &err, "bindings"), 0);
    T_ASSERT_MSG(!strstr(out, "ndtproto  t0       Running"), "still bound:\n%s", out);
    T_CONTAINS(out, "ndtproto  t1       Running");
    free(out), free(err);
    T_EQ(ctl(&d, NULL, NULL, "enable-binding ndtproto t0"), 0);
    T_EQ(ctl(&d, &out, &err, "bindings"), 0);
    T_CONTAINS(out, "ndtproto  t0       Running  yes");
    free(out), free(err);

    T_EQ(ctl(&d, NULL, NULL, "remove-adapter t1"), 0);
    T_STREQ(adapter_state(&d, "t1", s, sizeof(s)), "(absent)");
    T_EQ(ctl(&d, &out, &err, "add-adapter ndtmp t2 --mac 02-00-00-00-00-02"), 0);
    T_STREQ(out, "adapter t2 of driver ndtmp added\n");
    free(out), free(err);
    T_STREQ(adapter_state(&d, "t2", s, sizeof(s)), "Running");
    T_EQ(ctl(&d, &out, &err, "add-adapter ndtmp t2"), 1);
    T_CONTAINS(err, "t2");
    free(out), free(err);

    /* The filter goes and comes back; its INF is read again. */
    T_EQ(ctl(&d, NULL, NULL, "unload ndtfilter"), 0);
    int st;
    json_t *r = ctl_json(&d, &st, "stack t0");
    T_EQ(json_array_size(json_object_get(json_array_get(result_of(r), 0), "modules")), 0);
    json_decref(r);
    T_EQ(ctl(&d, &out, &err, "load " DRIVERS_DIR "/ndtfilter.so --inf " DRIVERS_DIR
                             "/ndtfilter.inf"),
         0);
    T_CONTAINS(out, "driver ndtfilter loaded from");
    free(out), free(err);
    r = ctl_json(&d, &st, "stack t2");
    T_EQ(json_array_size(json_object_get(json_array_get(result_of(r), 0), "modules")), 1);
    json_decref(r);

    /* Drivers that cannot load leave nothing behind and say why. */
    T_EQ(ctl(&d, &out, &err, "load " DRIVERS_DIR "/ndtnoentry.so"), 1);
    T_CONTAINS(err, "exports no DriverEntry");
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "load " DRIVERS_DIR "/ndtfail.so --name failing"), 1);
    T_CONTAINS(err, "driver 'failing': DriverEntry failed");
    T_CONTAINS(err, "NdisMDeregisterMiniportDriver");
    free(out), free(err);
    r = ctl_json(&d, &st, "drivers");
    T_ASSERT(!find_by(result_of(r), "name", "failing") && !find_by(result_of(r), "name", "ndtnoentry"));
    json_decref(r);
    r = ctl_json(&d, &st, "reports");
    T_ASSERT(json_integer_value(json_object_get(result_of(r), "leaks")) >= 2);
    T_ASSERT(json_array_size(json_object_get(result_of(r), "reports")) >= 2);
    json_decref(r);
    T_EQ(ctl(&d, &out, &err, "reports --count 1"), 0);
    T_CONTAINS(out, "leak");
    free(out), free(err);

    /* Errors: unknown names fail (1), bad usage is 2, JSON carries the errno. */
    r = ctl_json(&d, &st, "pause nope");
    T_EQ(st, 1);
    T_STREQ(str_of(r, "errno"), "ENOENT");
    json_decref(r);
    T_EQ(ctl(&d, NULL, NULL, "pause"), 2);
    T_EQ(ctl(&d, NULL, NULL, "frobnicate"), 2);
    T_EQ(ctl(&d, NULL, NULL, "add-adapter ndtmp t3 --mac zz"), 2);
    T_EQ(ctl(&d, &out, &err, "help oid"), 0);
    T_CONTAINS(out, "Usage: ndisctl [OPTIONS] oid query|statistics ADAPTER OID");
    free(out), free(err);
    T_EQ(daemon_stop(&d), 0);
}

/* `ndisctl trace` while the test pauses an adapter, then during the shutdown. */
TEST(trace_live_and_shutdown_order)
{
    struct daemon d;
    start_with_bad_lines(&d);
    int po[2], pe[2];
    T_ASSERT(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        execl(NDISCTL_BIN, NDISCTL_BIN, "-s", d.sock, "--json", "trace", (char *)NULL);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    /* The client says it traces once the daemon accepted the stream. */
    char banner[256] = "";
    T_ASSERT(read(pe[0], banner, sizeof(banner) - 1) > 0);
    T_CONTAINS(banner, "tracing");
    T_EQ(ctl(&d, NULL, NULL, "pause t0"), 0);
    T_EQ(daemon_stop(&d), 0);
    FILE *f = fdopen(po[0], "r");
    char line[1024];
    int pause_call = -1, unbind = -1, detach = -1, halt = -1, unload = -1, last_unbind = -1,
        last_detach = -1, last_halt = -1, n = 0;
    bool end = false;
    while (fgets(line, sizeof(line), f)) {
        json_t *ev = json_loads(line, 0, NULL);
        T_ASSERT_MSG(ev, "not JSON: %s", line);
        const char *fn = str_of(ev, "function"), *phase = str_of(ev, "phase");
        if (!strcmp(str_of(ev, "event"), "end"))
            end = true;
        if (!strcmp(phase, "call")) {
            if (!strcmp(fn, "MiniportPause") && pause_call < 0)
                pause_call = n;
            if (!strcmp(fn, "ProtocolUnbindAdapterEx")) {
                unbind = unbind < 0 ? n : unbind;
                last_unbind = n;
            }
            if (!strcmp(fn, "FilterDetach")) {
                detach = detach < 0 ? n : detach;
                last_detach = n;
            }
            if (!strcmp(fn, "MiniportHaltEx")) {
                halt = halt < 0 ? n : halt;
                last_halt = n;
            }
            if (!strcmp(fn, "DriverUnload") && unload < 0)
                unload = n;
        }
        json_decref(ev);
        n++;
    }
    fclose(f);
    close(pe[0]);
    int st;
    waitpid(pid, &st, 0);
    T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T_ASSERT_MSG(end, "the stream did not end with an end event");
    T_ASSERT(pause_call >= 0);
    /* Protocols unbind, filters detach, adapters halt, drivers unload. */
    T_ASSERT(pause_call < unbind);
    T_ASSERT_MSG(unbind >= 0 && detach > last_unbind && halt > last_detach &&
                     unload > last_halt,
                 "order: unbind %d..%d detach %d..%d halt %d..%d unload %d", unbind,
                 last_unbind, detach, last_detach, halt, last_halt, unload);
    char *log = daemon_log(&d);
    T_CONTAINS(log, "shutdown: 2 bindings unbound (ProtocolUnbindAdapterEx), 2 filter modules "
                    "detached (FilterDetach), 2 adapters halted (MiniportHaltEx), 3 drivers "
                    "unloaded (DriverUnload), in that order");
    T_CONTAINS(log, "stopped cleanly: nothing leaked");
    free(log);
    /* The --trace-file has the same shutdown. */
    char *trace = NULL;
    size_t tl = 0;
    FILE *tf = fopen(d.trace, "r");
    T_ASSERT(tf);
    FILE *m = open_memstream(&trace, &tl);
    while (fgets(line, sizeof(line), tf))
        fputs(line, m);
    fclose(tf);
    fclose(m);
    T_CONTAINS(trace, "\"function\":\"MiniportHaltEx\"");
    T_CONTAINS(trace, "\"function\":\"DriverUnload\"");
    free(trace);
}

TEST(leak_at_shutdown_fails_the_exit_status)
{
    struct daemon d;
    memset(&d, 0, sizeof(d));
    write_config(&d, "driver %D/ndtleak.so\n");
    daemon_start(&d, NULL);
    T_EQ(daemon_stop(&d), 1);
    char *log = daemon_log(&d);
    T_CONTAINS(log, "stopped with leaks");
    T_CONTAINS(log, "leaked: ");
    T_CONTAINS(log, "ndtleak");
    free(log);
}

TEST(config_errors)
{
    struct daemon d;
    memset(&d, 0, sizeof(d));
    write_config(&d, "driver %D/ndtmp.so\n\nadapter ndtmp\n");
    const char *argv[] = {NDISD_BIN, "--check", "-c", d.conf, NULL};
    char *out, *err;
    T_EQ(run_capture(argv, &out, &err), 2);
    T_CONTAINS(err, "ndisd.conf:3: adapter: missing arguments");
    free(out), free(err);
    write_config(&d, "adapter ndtmp t0 mac=123\n");
    T_EQ(run_capture(argv, &out, &err), 2);
    T_CONTAINS(err, "ndisd.conf:1: mac=123 is not a MAC address");
    free(out), free(err);
    write_config(&d, "option verifier=sometimes\n");
    T_EQ(run_capture(argv, &out, &err), 2);
    T_CONTAINS(err, "ndisd.conf:1: verifier=sometimes: use log or abort");
    free(out), free(err);
    write_config(&d, "drive %D/ndtmp.so\n");
    T_EQ(run_capture(argv, &out, &err), 2);
    T_CONTAINS(err, "ndisd.conf:1: unknown directive 'drive'");
    free(out), free(err);
    write_config(&d, "driver \"%D/ndtmp.so\n");
    T_EQ(run_capture(argv, &out, &err), 2);
    T_CONTAINS(err, "unterminated quote");
    free(out), free(err);
    write_config(&d, "driver %D/ndtmp.so inf=%D/ndtmp.inf # ok\nadapter ndtmp t0\n");
    T_EQ(run_capture(argv, &out, &err), 0);
    T_CONTAINS(out, "2 directives, OK");
    free(out), free(err);
    /* Nobody listening: exit 3. */
    const char *ctl_argv[] = {NDISCTL_BIN, "-s", "/nonexistent/ndisd.sock", "status", NULL};
    T_EQ(run_capture(ctl_argv, &out, &err), 3);
    T_CONTAINS(err, "cannot reach ndisd");
    free(out), free(err);
}

/* Connections from other users are refused: by the socket's mode, and when the
   mode is opened up, by the peer-credential check. */
TEST(other_users_are_refused)
{
    if (geteuid() != 0) {
        printf("skipped: needs root to run ndisctl as another user\n");
        return;
    }
    struct passwd *pw = getpwnam("nobody");
    uid_t uid = pw ? pw->pw_uid : 65534;
    gid_t gid = pw ? pw->pw_gid : 65534;
    struct daemon d;
    start_with_bad_lines(&d);
    T_ASSERT(chmod(d.dir, 0755) == 0);
    struct stat sb;
    T_ASSERT(stat(d.sock, &sb) == 0);
    T_EQ(sb.st_mode & 0777, 0600);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            T_ASSERT(chmod(d.sock, 0666) == 0);
        int pe[2];
        T_ASSERT(pipe2(pe, O_CLOEXEC) == 0);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(pe[1], 2);
            if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
                _exit(99);
            execl(NDISCTL_BIN, NDISCTL_BIN, "-s", d.sock, "status", (char *)NULL);
            _exit(127);
        }
        close(pe[1]);
        char err[512] = "";
        ssize_t n = read(pe[0], err, sizeof(err) - 1);
        (void)n;
        close(pe[0]);
        int st;
        waitpid(pid, &st, 0);
        T_ASSERT(WIFEXITED(st));
        T_EQ(WEXITSTATUS(st), 3);
        T_CONTAINS(err, pass == 0 ? "Permission denied" : "permission denied: ndisd accepts only");
    }
    char *log = daemon_log(&d);
    T_CONTAINS(log, "refused a connection from pid");
    free(log);
    T_EQ(ctl(&d, NULL, NULL, "status"), 0); /* root still is served */
    T_EQ(daemon_stop(&d), 0);
}

/* The process runs (a zombie waiting for init to reap it has stopped). */
static bool alive(pid_t pid)
{
    char path[64], stat[256] = "";
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = 0;
    const char *paren = strrchr(stat, ')');
    return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* Without -f: ndisd detaches once ready (relative paths still hold), and its
   exit status says whether start-up worked. */
TEST(daemon_mode_detaches)
{
    struct daemon d;
    memset(&d, 0, sizeof(d));
    write_config(&d, "driver %D/ndtmp.so inf=%D/ndtmp.inf\nadapter ndtmp t0\n");
    T_ASSERT(chdir(d.dir) == 0);
    const char *argv[] = {NDISD_BIN, "-c", "ndisd.conf", "-s", "d.sock", "--pid-file",
                          "d.pid", "--log", "d.log", NULL};
    char *out, *err;
    T_EQ(run_capture(argv, &out, &err), 0);
    free(out), free(err);
    snprintf(d.sock, sizeof(d.sock), "%s/d.sock", d.dir);
    snprintf(d.log, sizeof(d.log), "%s/d.log", d.dir);
    FILE *f = fopen("d.pid", "r");
    T_ASSERT(f);
    long pid = 0;
    T_EQ(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    T_EQ(ctl(&d, &out, &err, "adapters"), 0);
    T_CONTAINS(out, "t0    ndtmp   Running");
    free(out), free(err);
    T_EQ(kill((pid_t)pid, SIGTERM), 0);
    for (int i = 0; i < 500 && alive((pid_t)pid); i++)
        usleep(10000);
    T_ASSERT_MSG(!alive((pid_t)pid), "the daemon did not stop");
    T_ASSERT(access("d.pid", F_OK) != 0);
    char *log = daemon_log(&d);
    T_CONTAINS(log, "stopped cleanly: nothing leaked");
    free(log);

    /* A start-up that fails (a socket path over 108 bytes) is exit status 1. */
    char longsock[200];
    memset(longsock, 'x', 150);
    longsock[150] = 0;
    const char *bad[] = {NDISD_BIN, "-c", "ndisd.conf", "-s", longsock, "--log", "d.log", NULL};
    T_EQ(run_capture(bad, &out, &err), 1);
    T_CONTAINS(err, "the daemon failed to start");
    free(out), free(err);
    log = daemon_log(&d);
    T_CONTAINS(log, "is longer than 107 bytes");
    free(log);
}

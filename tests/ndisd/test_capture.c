/*
 * test_capture.c - `ndisctl capture`: pcap files of the frames at the
 * miniport edge, below the protocols and around a filter module, written to a
 * file or streamed to standard output; a client that stops reading makes
 * ndisd drop and count frames while the data path goes on; a capture ends
 * with its adapter and with the daemon. The traffic: the test miniport
 * receives n frames when its private OID 0xFF4E4401 is set to n.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "run.h"
#include "test.h"

#define OID_INDICATE "0xff4e4401"

/* `ndisctl capture` running in the background. */
struct capclient {
    pid_t pid;
    int out, err; /* its stdout and stderr */
};

static void capture_start(struct daemon *d, struct capclient *cc, const char *args)
{
    char line[512];
    snprintf(line, sizeof(line), "%s", args);
    const char *argv[24] = {NDISCTL_BIN, "-s", d->sock, "capture"};
    int n = 4;
    for (char *save = NULL, *w = strtok_r(line, " ", &save); w && n < 22;
         w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    argv[n] = NULL;
    int po[2], pe[2];
    T_ASSERT(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
    cc->pid = fork();
    T_ASSERT(cc->pid >= 0);
    if (cc->pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        execv(NDISCTL_BIN, (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    cc->out = po[0];
    cc->err = pe[0];
    /* It says so on stderr once ndisd accepted the capture. */
    char banner[512] = "";
    struct pollfd p = {.fd = cc->err, .events = POLLIN};
    T_ASSERT_MSG(poll(&p, 1, 5000) == 1, "ndisctl capture did not start");
    T_ASSERT(read(cc->err, banner, sizeof(banner) - 1) > 0);
    T_CONTAINS(banner, "capturing on");
}

/* Reads all of an fd until its end (bounded). */
static char *slurp_fd(int fd, size_t *len)
{
    char *buf = NULL;
    *len = 0;
    FILE *m = open_memstream(&buf, len);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        T_ASSERT_MSG(poll(&p, 1, 10000) == 1, "no end of output within 10 s");
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0)
            break;
        fwrite(chunk, 1, (size_t)n, m);
    }
    fclose(m);
    close(fd);
    return buf;
}

/* Waits for the client; returns its exit status, its stdout and stderr. */
static int capture_wait(struct capclient *cc, char **out, size_t *outlen, char **err)
{
    size_t el;
    *out = slurp_fd(cc->out, outlen);
    *err = slurp_fd(cc->err, &el);
    int st;
    T_EQ(waitpid(cc->pid, &st, 0), cc->pid);
    T_ASSERT(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void indicate(struct daemon *d, const char *adapter, unsigned n)
{
    T_EQ(ctl(d, NULL, NULL, "oid set %s " OID_INDICATE " hex:%02x000000", adapter, n), 0);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks a pcap file's header and its records: the test frames 0, 1 ... */
static unsigned check_pcap(const unsigned char *p, size_t len, unsigned snaplen)
{
    T_ASSERT_MSG(len >= 24, "pcap file of %zu bytes", len);
    T_EQ(get32(p), 0xa1b2c3d4u);  /* microsecond pcap, little-endian */
    T_EQ(get32(p + 16), snaplen);
    T_EQ(get32(p + 20), 1);       /* LINKTYPE_ETHERNET */
    unsigned n = 0;
    time_t now = time(NULL);
    for (size_t off = 24; off < len; n++) {
        T_ASSERT(len - off >= 16);
        uint32_t sec = get32(p + off), caplen = get32(p + off + 8), wire = get32(p + off + 12);
        T_ASSERT_MSG(sec + 60 > (uint32_t)now && sec <= (uint32_t)now + 1, "time %u", sec);
        T_EQ(wire, 60);
        T_EQ(caplen, snaplen < 60 ? snaplen : 60);
        T_ASSERT(len - off - 16 >= caplen);
        const unsigned char *f = p + off + 16;
        T_EQ(f[0], 0xff);
        if (caplen > 14) {
            T_EQ(f[12], 0x88);
            T_EQ(f[13], 0xb5);
        }
        off += 16 + caplen;
    }
    return n;
}

static unsigned pcap_file_frames(const char *path, unsigned snaplen)
{
    FILE *f = fopen(path, "rb");
    T_ASSERT(f);
    unsigned char buf[65536];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return check_pcap(buf, len, snaplen);
}

TEST(capture_at_each_edge_into_pcap)
{
    struct daemon d = {0};
    start_stack(&d, NULL);
    char path[400], *out, *err;
    size_t outlen;

    /* The miniport edge: every frame the adapter receives. */
    snprintf(path, sizeof(path), "%s/mp.pcap", d.dir);
    struct capclient cc;
    char args[512];
    snprintf(args, sizeof(args), "t0 -c 5 -w %s", path);
    capture_start(&d, &cc, args);
    indicate(&d, "t1", 3); /* another adapter: not captured */
    indicate(&d, "t0", 5);
    T_EQ(capture_wait(&cc, &out, &outlen, &err), 0);
    T_CONTAINS(err, "5 frames captured (0 going down, 5 going up)");
    free(out), free(err);
    T_EQ(pcap_file_frames(path, 65535), 5);

    /* Below the protocols, above and below the filter's module, to stdout, snapped. */
    static const char *const edges[] = {"protocol", "ndtfilter", "ndtfilter:below"};
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof(args), "t0 --at %s -s 20 -c 2 -w -", edges[i]);
        capture_start(&d, &cc, args);
        indicate(&d, "t0", 2);
        T_EQ(capture_wait(&cc, &out, &outlen, &err), 0);
        T_EQ(check_pcap((unsigned char *)out, outlen, 20), 2);
        free(out), free(err);
    }

    /* Refused: no adapter, no such module, no -w. */
    T_EQ(ctl(&d, &out, &err, "capture nope -w -"), 1);
    T_CONTAINS(err, "nope");
    free(out), free(err);
    T_EQ(ctl(&d, &out, &err, "capture t0 --at nosuchfilter -w -"), 1);
    T_CONTAINS(err, "no module of filter driver 'nosuchfilter'");
    free(out), free(err);
    T_EQ(ctl(&d, NULL, NULL, "capture t0"), 2);
    T_EQ(ctl(&d, NULL, NULL, "capture t0 -s 70000 -w -"), 2);
    T_EQ(daemon_stop(&d), 0);
}

/* A client that does not read: ndisd drops and counts, the data path goes on. */
TEST(capture_drops_for_a_client_that_stalls)
{
    struct daemon d = {0};
    const char *extra[] = {"--capture-buffer", "128", NULL};
    start_stack(&d, extra);
    int fd = raw_connect(&d);
    json_t *r = raw_request(fd, "capture", json_pack("{s:s}", "adapter", "t0"));
    T_STREQ(str_of(r, "stream"), "capture");
    json_decref(r);
    /* 200 x 64 frames of 88 buffered bytes: far over 128 KiB and the socket. */
    int cfd = raw_connect(&d);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 200; i++) {
        r = raw_request(cfd, "oid",
                        json_pack("{s:s, s:s, s:s, s:s}", "adapter", "t0", "request", "set",
                                  "oid", OID_INDICATE, "value", "hex:40000000"));
        result_of(r);
        json_decref(r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    T_ASSERT_MSG(secs < 5, "12800 receives took %.1f s with a stalled capture", secs);
    close(cfd);
    /* Now read: frames, then a "stats" event that counts the drops. */
    unsigned long long frames = 0, dropped = 0, records = 0;
    for (int i = 0; i < 1000 && !dropped; i++) {
        struct proto_frame f;
        char why[256];
        T_EQ(proto_read_frame(fd, 5000, 5000, NDISD_MAX_REPLY, &f, why, sizeof(why)), 1);
        if (f.binary) {
            size_t off = 0;
            struct proto_caprec rec;
            while (proto_caprec_next((unsigned char *)f.payload, f.len, &off, &rec) == 1) {
                T_EQ(rec.len, 60);
                T_EQ(rec.flags, 0); /* receives: going up */
                records++;
            }
        } else {
            json_t *ev = NULL;
            T_EQ(proto_parse_json(&f, &ev, why, sizeof(why)), 0);
            T_STREQ(str_of(ev, "event"), "stats");
            frames = (unsigned long long)json_integer_value(json_object_get(ev, "frames"));
            dropped = (unsigned long long)json_integer_value(json_object_get(ev, "dropped"));
            json_decref(ev);
        }
        proto_frame_free(&f);
    }
    T_ASSERT_MSG(dropped > 0, "nothing dropped (%llu frames)", frames);
    T_EQ(frames + dropped, 12800);
    T_ASSERT(records <= frames);
    t_log("12800 receives with a stalled capture: %.2f s; %llu frames kept, %llu dropped", secs,
          frames, dropped);
    close(fd);
    /* The daemon logs the drops when it notices the client left: read the log
       once it has stopped. */
    T_EQ(daemon_stop(&d), 0);
    char *log = daemon_log(&d);
    T_CONTAINS(log, "frames dropped (client too slow)");
    free(log);
}

/* A capture ends when its adapter goes and when the daemon stops. */
TEST(capture_ends_with_adapter_and_daemon)
{
    struct daemon d = {0};
    start_stack(&d, NULL);
    struct capclient c1, c2;
    capture_start(&d, &c1, "t1 -w /dev/null");
    capture_start(&d, &c2, "t0 -w /dev/null");
    T_EQ(ctl(&d, NULL, NULL, "remove-adapter t1"), 0);
    char *out, *err;
    size_t outlen;
    T_EQ(capture_wait(&c1, &out, &outlen, &err), 0);
    T_CONTAINS(err, "capture ended by ndisd: the adapter was removed");
    free(out), free(err);
    T_EQ(daemon_stop(&d), 0);
    T_EQ(capture_wait(&c2, &out, &outlen, &err), 0);
    T_CONTAINS(err, "capture ended by ndisd: ndisd stopped");
    free(out), free(err);
}

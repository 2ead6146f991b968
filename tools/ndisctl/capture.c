/*
 * capture.c - `ndisctl capture`: the frames ndisd streams (binary records,
 * tools/common/proto.h) written to a pcap file with libpcap's dump API, so
 * tcpdump and Wireshark read it. "-w -" writes to standard output, flushed
 * after every batch so `ndisctl capture ... -w - | tcpdump -r -` follows live.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndisctl.h"
#include "proto.h"

#define STREAM_POLL_MS 200
#define FRAME_REST_MS 10000

struct capture {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    bool to_stdout;
    long count;                         /* stop after this many (0: no limit) */
    unsigned long long frames, down, up;
    unsigned long long dropped;         /* as ndisd last reported it */
};

static int open_dump(struct capture *cap, const char *file, unsigned snaplen)
{
    cap->dead = pcap_open_dead(DLT_EN10MB, (int)snaplen);
    if (!cap->dead) {
        fprintf(stderr, "ndisctl: capture: pcap_open_dead failed\n");
        return -1;
    }
    cap->to_stdout = strcmp(file, "-") == 0;
    cap->dumper = pcap_dump_open(cap->dead, file); /* "-" is standard output */
    if (!cap->dumper) {
        fprintf(stderr, "ndisctl: capture: cannot write %s: %s\n", file,
                pcap_geterr(cap->dead));
        pcap_close(cap->dead);
        cap->dead = NULL;
        return -1;
    }
    return 0;
}

/* Writes a binary payload's records. false when the payload is malformed. */
static bool dump_records(struct capture *cap, const struct proto_frame *f)
{
    size_t off = 0;
    struct proto_caprec r;
    int rc;
    while ((cap->count <= 0 || (long)cap->frames < cap->count) &&
           (rc = proto_caprec_next((const unsigned char *)f->payload, f->len, &off, &r)) > 0) {
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(r.time_ns / 1000000000ull);
        h.ts.tv_usec = (suseconds_t)(r.time_ns % 1000000000ull / 1000);
        h.caplen = r.caplen;
        h.len = r.len;
        pcap_dump((unsigned char *)cap->dumper, &h, r.data);
        cap->frames++;
        if (r.flags & PROTO_CAP_SEND)
            cap->down++;
        else
            cap->up++;
    }
    if (cap->count > 0 && (long)cap->frames >= cap->count)
        return true;
    if (rc < 0) {
        fprintf(stderr, "ndisctl: capture: malformed frame record from ndisd at byte %zu\n",
                off);
        return false;
    }
    return true;
}

/* Handles a JSON event; returns true at the end of the stream. */
static bool on_event(struct capture *cap, json_t *ev, const char **end_reason)
{
    const char *kind = json_string_value(json_object_get(ev, "event"));
    json_t *d = json_object_get(ev, "dropped");
    if (json_is_integer(d))
        cap->dropped = (unsigned long long)json_integer_value(d);
    if (kind && !strcmp(kind, "end")) {
        *end_reason = json_string_value(json_object_get(ev, "reason"));
        return true;
    }
    return false;
}

/* Follows the stream until Ctrl-C, COUNT frames, the end, or an error. */
static int follow(int fd, struct capture *cap)
{
    int status = 0;
    const char *end_reason = NULL;
    json_t *end_ev = NULL;
    while (!g_interrupted && (cap->count <= 0 || (long)cap->frames < cap->count)) {
        struct proto_frame f;
        char why[512];
        int rc = proto_read_frame(fd, STREAM_POLL_MS, FRAME_REST_MS, NDISD_MAX_REPLY, &f, why, sizeof(why));
        if (rc == -EAGAIN)
            continue;
        if (rc <= 0) {
            fprintf(stderr, "ndisctl: capture: %s\n",
                    rc == 0 ? "ndisd closed the connection" : why);
            status = EXIT_FAILED;
            break;
        }
        bool done = false;
        if (f.binary) {
            done = !dump_records(cap, &f);
            status = done ? EXIT_FAILED : 0;
            pcap_dump_flush(cap->dumper);
        } else {
            json_t *ev = NULL;
            if (proto_parse_json(&f, &ev, why, sizeof(why)) == 0) {
                done = on_event(cap, ev, &end_reason);
                if (done)
                    end_ev = ev;
                else
                    json_decref(ev);
            }
        }
        proto_frame_free(&f);
        if (done)
            break;
    }
    if (end_reason)
        fprintf(stderr, "ndisctl: capture ended by ndisd: %s\n", end_reason);
    json_decref(end_ev);
    return status;
}

int capture_run(int fd, const struct cmdline *c, json_t *response)
{
    json_t *r = json_object_get(response, "result");
    const char *file = json_string_value(json_object_get(c->args, "file"));
    unsigned snaplen = (unsigned)json_integer_value(json_object_get(r, "snaplen"));
    struct capture cap;
    memset(&cap, 0, sizeof(cap));
    cap.count = (long)json_integer_value(json_object_get(c->args, "count"));
    if (open_dump(&cap, file, snaplen ? snaplen : 65535))
        return EXIT_FAILED;
    if (!cap.to_stdout || !g_json)
        fprintf(stderr, "ndisctl: capturing on %s at %s (snaplen %u) into %s; Ctrl-C stops\n",
                json_string_value(json_object_get(r, "adapter")),
                json_string_value(json_object_get(r, "at")), snaplen,
                cap.to_stdout ? "standard output" : file);
    int status = follow(fd, &cap);
    pcap_dump_flush(cap.dumper);
    if (ferror(pcap_dump_file(cap.dumper))) {
        fprintf(stderr, "ndisctl: capture: write error on %s\n", file);
        status = EXIT_FAILED;
    }
    pcap_dump_close(cap.dumper);
    pcap_close(cap.dead);
    fprintf(stderr, "ndisctl: %llu frames captured (%llu going down, %llu going up), "
                    "%llu dropped by ndisd\n",
            cap.frames, cap.down, cap.up, cap.dropped);
    if (g_json) {
        json_t *sum = json_pack("{s:I, s:I, s:I, s:I}", "frames", (json_int_t)cap.frames,
                                "down", (json_int_t)cap.down, "up", (json_int_t)cap.up,
                                "dropped", (json_int_t)cap.dropped);
        print_json(sum, false, cap.to_stdout ? stderr : stdout);
        json_decref(sum);
    }
    return status;
}

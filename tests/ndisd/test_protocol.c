/*
 * test_protocol.c - the ndisd control protocol against bad clients: text where
 * a frame header belongs, oversize and truncated frames, frames that are not
 * JSON objects, wrong or missing versions, unknown commands, random bytes; and
 * ndisctl --json for every command printing one parsable response. After
 * each, the daemon still serves and stops cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "run.h"
#include "test.h"

/* Reads the one response to garbage and checks the connection then ends. */
static void expect_error_then_close(int fd, const char *errno_name, const char *text)
{
    json_t *r = NULL;
    char why[256];
    T_EQ(proto_read_json(fd, 5000, 5000, NDISD_MAX_REPLY, &r, why, sizeof(why)), 1);
    T_ASSERT(!json_is_true(json_object_get(r, "ok")));
    T_STREQ(str_of(r, "errno"), errno_name);
    T_CONTAINS(str_of(r, "error"), text);
    json_decref(r);
    int rc = proto_read_json(fd, 5000, 5000, NDISD_MAX_REPLY, &r, why, sizeof(why));
    T_ASSERT_MSG(rc == 0, "after the error: %d (%s)", rc, rc < 0 ? why : "a message");
    close(fd);
}

static void send_frame(int fd, uint32_t header, const void *payload, size_t len)
{
    unsigned char h[4] = {(unsigned char)(header >> 24), (unsigned char)(header >> 16),
                          (unsigned char)(header >> 8), (unsigned char)header};
    T_EQ(proto_write_all(fd, h, 4), 0);
    if (len)
        T_EQ(proto_write_all(fd, payload, len), 0);
}

/* Sends a frame that is not a valid request; the error comes, the connection stays. */
static void expect_error(int fd, const char *payload, const char *errno_name, const char *text)
{
    send_frame(fd, (uint32_t)strlen(payload), payload, strlen(payload));
    json_t *r = NULL;
    char why[256];
    T_EQ(proto_read_json(fd, 5000, 5000, NDISD_MAX_REPLY, &r, why, sizeof(why)), 1);
    T_ASSERT_MSG(!json_is_true(json_object_get(r, "ok")), "accepted: %s", payload);
    T_STREQ(str_of(r, "errno"), errno_name);
    T_CONTAINS(str_of(r, "error"), text);
    T_EQ(json_integer_value(json_object_get(r, "v")), NDISD_PROTO_VERSION);
    json_decref(r);
}

static void expect_alive(int fd)
{
    json_t *r = raw_request(fd, "status", NULL);
    T_EQ(json_integer_value(json_object_get(result_of(r), "protocol")), NDISD_PROTO_VERSION);
    json_decref(r);
}

TEST(garbage_is_refused_with_a_reason)
{
    struct daemon d = {0};
    start_stack(&d, NULL);

    /* A line-oriented client: its text is read as a length of 1.7 GB. */
    int fd = raw_connect(&d);
    T_EQ(proto_write_all(fd, "{\"cmd\": \"status\"}\n", 18), 0);
    expect_error_then_close(fd, "EMSGSIZE", "text where a 4-byte big-endian length should be");

    /* A binary header over the limit. */
    fd = raw_connect(&d);
    send_frame(fd, NDISD_MAX_MSG + 1, NULL, 0);
    expect_error_then_close(fd, "EMSGSIZE", "over the limit of 1048576 bytes");

    /* Frames that are not requests: answered, and the connection goes on. */
    fd = raw_connect(&d);
    expect_error(fd, "not json", "EBADMSG", "invalid JSON");
    expect_error(fd, "[1, 2]", "EBADMSG", "must be a JSON object");
    expect_error(fd, "", "EBADMSG", "invalid JSON");
    expect_error(fd, "{\"cmd\": \"status\"}", "EPROTO", "carries the protocol version");
    expect_error(fd, "{\"v\": 2, \"cmd\": \"status\"}", "EPROTONOSUPPORT",
                 "protocol version 2 is not supported");
    expect_error(fd, "{\"v\": \"1\", \"cmd\": \"status\"}", "EPROTONOSUPPORT", "\"1\"");
    expect_error(fd, "{\"v\": 1}", "EINVAL", "{\"cmd\": \"<command>\"");
    expect_error(fd, "{\"v\": 1, \"cmd\": \"frobnicate\"}", "EINVAL", "unknown command");
    expect_error(fd, "{\"v\": 1, \"cmd\": \"pause\", \"args\": {\"adapter\": 7}}", "EINVAL",
                 "argument 'adapter': a non-empty string is expected");
    expect_error(fd, "{\"v\": 1, \"cmd\": \"status\", \"v\": 1}", "EBADMSG", "duplicate");
    send_frame(fd, NDISD_FRAME_BINARY | 3, "abc", 3);
    json_t *r = NULL;
    char why[256];
    T_EQ(proto_read_json(fd, 5000, 5000, NDISD_MAX_REPLY, &r, why, sizeof(why)), 1);
    T_CONTAINS(str_of(r, "error"), "binary frame");
    json_decref(r);
    expect_alive(fd);
    close(fd);

    /* A frame cut short by the client's exit, and random frames. */
    fd = raw_connect(&d);
    send_frame(fd, 100, "{\"v\": 1", 7);
    close(fd);
    srand(42);
    fd = raw_connect(&d);
    for (int i = 0; i < 200; i++) {
        unsigned char junk[64];
        size_t len = (size_t)(rand() % (int)sizeof(junk));
        for (size_t k = 0; k < len; k++)
            junk[k] = (unsigned char)rand();
        send_frame(fd, (uint32_t)len, junk, len);
        T_EQ(proto_read_json(fd, 5000, 5000, NDISD_MAX_REPLY, &r, why, sizeof(why)), 1);
        T_ASSERT(!json_is_true(json_object_get(r, "ok")));
        json_decref(r);
    }
    expect_alive(fd);
    close(fd);

    char *log = daemon_log(&d);
    T_CONTAINS(log, "bad message: a message of");
    free(log);
    T_EQ(daemon_stop(&d), 0);
}

/* Every command's --json output is one JSON response with "ok" and "v". */
TEST(json_for_every_command)
{
    struct daemon d = {0};
    start_stack(&d, NULL);
    static const char *const ok_cmds[] = {
        "status",
        "drivers",
        "adapters",
        "bindings",
        "stack",
        "stack t0",
        "pause t1",
        "restart t1",
        "disable-binding ndtproto t1",
        "enable-binding ndtproto t1",
        "oid query t0 OID_GEN_LINK_SPEED",
        "oid statistics t0 OID_GEN_STATISTICS",
        "oid set t0 OID_GEN_VLAN_ID 7",
        "oid names",
        "params set adapter t0 *JumboPacket 4088",
        "params get adapter t0 *JumboPacket",
        "params list t0",
        "params delete adapter t0 *JumboPacket",
        "reports",
        "add-adapter ndtmp t5",
        "remove-adapter t5",
        "unload ndtfilter",
        "load " DRIVERS_DIR "/ndtfilter.so",
    };
    for (size_t i = 0; i < sizeof(ok_cmds) / sizeof(ok_cmds[0]); i++) {
        int st;
        json_t *r = ctl_json(&d, &st, "%s", ok_cmds[i]);
        T_ASSERT_MSG(st == 0 && json_is_true(json_object_get(r, "ok")), "%s: status %d, %s",
                     ok_cmds[i], st, str_of(r, "error"));
        T_EQ(json_integer_value(json_object_get(r, "v")), NDISD_PROTO_VERSION);
        T_ASSERT_MSG(json_object_get(r, "result"), "%s: no result", ok_cmds[i]);
        json_decref(r);
    }
    /* A failure is JSON too, with the errno name, and exit status 1. */
    int st;
    json_t *r = ctl_json(&d, &st, "remove-adapter nope");
    T_EQ(st, 1);
    T_ASSERT(json_is_false(json_object_get(r, "ok")));
    T_STREQ(str_of(r, "errno"), "ENOENT");
    json_decref(r);
    /* The filter came back from the INF next to its .so, under its service name. */
    r = ctl_json(&d, &st, "drivers");
    json_t *f = find_by(result_of(r), "name", "ndtfilter");
    T_ASSERT(f);
    T_STREQ(str_of(f, "inf_class"), "NetService");
    json_decref(r);
    T_EQ(daemon_stop(&d), 0);
}

/* A listing bigger than a request may be (1 MiB) still comes back whole. */
TEST(large_listing)
{
    struct daemon d = {0};
    start_stack(&d, NULL);
    int fd = raw_connect(&d);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 2500; i++) {
        char name[32];
        snprintf(name, sizeof(name), "big%04d", i);
        json_t *r = raw_request(fd, "add-adapter",
                                json_pack("{s:s, s:s}", "driver", "ndtmp", "adapter", name));
        result_of(r);
        json_decref(r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    json_t *r = raw_request(fd, "stack", NULL);
    T_EQ(json_array_size(result_of(r)), 2502);
    char *s = json_dumps(r, JSON_COMPACT);
    T_ASSERT_MSG(strlen(s) > NDISD_MAX_MSG, "only %zu bytes", strlen(s));
    t_log("2500 adapters added in %.2f s; the stack listing is %zu bytes",
          (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, strlen(s));
    free(s);
    json_decref(r);
    close(fd);
    int st;
    r = ctl_json(&d, &st, "adapters");
    T_EQ(st, 0);
    T_EQ(json_array_size(result_of(r)), 2502);
    json_decref(r);
    T_EQ(daemon_stop(&d), 0);
}

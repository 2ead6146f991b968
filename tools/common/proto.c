/* proto.c - reading and writing the length-prefixed frames of the ndisd protocol. */
#include "proto.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is readable: 1, 0 when the deadline (-1: none) passed, -errno. */
static int wait_readable(int fd, long long deadline)
{
    for (;;) {
        int t = -1;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            if (left <= 0)
                return 0;
            t = left > 60000 ? 60000 : (int)left;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, t);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -errno;
    }
}

/*
 * Reads exactly len bytes, the first by `deadline` (-1: none). With restart,
 * the deadline becomes rest_ms (-1: none) after the first byte. Returns len,
 * the bytes read before the end of the stream (fewer), or -errno: -EAGAIN
 * when the first deadline passed before a byte came, -ETIMEDOUT when a later
 * one passed.
 */
static ssize_t read_exact(int fd, void *buf, size_t len, long long deadline, bool restart,
                          int rest_ms)
{
    size_t got = 0;
    while (got < len) {
        int w = wait_readable(fd, deadline);
        if (w < 0)
            return w;
        if (w == 0)
            return got || !restart ? -ETIMEDOUT : -EAGAIN;
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return (ssize_t)got;
        if (got == 0 && restart) /* the frame started: the rest has its own bound */
            deadline = rest_ms < 0 ? -1 : now_ms() + rest_ms;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

void proto_describe_header(const unsigned char hdr[4], char *buf, size_t len)
{
    bool text = true;
    for (int i = 0; i < 4; i++)
        text &= isprint(hdr[i]) || hdr[i] == '\n' || hdr[i] == '\t';
    if (!text) {
        snprintf(buf, len, "header %02x %02x %02x %02x", hdr[0], hdr[1], hdr[2], hdr[3]);
        return;
    }
    char s[16];
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        if (hdr[i] == '\n' || hdr[i] == '\t') {
            s[o++] = '\\';
            s[o++] = hdr[i] == '\n' ? 'n' : 't';
        } else {
            s[o++] = (char)hdr[i];
        }
    }
    s[o] = 0;
    snprintf(buf, len,
             "the first bytes were '%s': text where a 4-byte big-endian length should be "
             "(each message is a length, then a JSON object)",
             s);
}

int proto_read_frame(int fd, int first_ms, int rest_ms, uint32_t max, struct proto_frame *f,
                     char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    unsigned char hdr[4];
    long long first = first_ms < 0 ? -1 : now_ms() + first_ms;
    ssize_t n = read_exact(fd, hdr, 4, first, true, rest_ms);
    if (n == 0)
        return 0;
    if (n == -EAGAIN) {
        snprintf(err, errlen, "no message within %d ms", first_ms);
        return -EAGAIN;
    }
    if (n == -ETIMEDOUT) {
        snprintf(err, errlen, "a frame header did not arrive within %d ms", rest_ms);
        return -ETIMEDOUT;
    }
    if (n < 0) {
        snprintf(err, errlen, "read: %s", strerror((int)-n));
        return (int)n;
    }
    if (n < 4) {
        snprintf(err, errlen, "the stream ended inside a frame header (%zd of 4 bytes)", n);
        return -EPROTO;
    }
    uint32_t h = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    f->binary = (h & NDISD_FRAME_BINARY) != 0;
    f->len = h & ~NDISD_FRAME_BINARY;
    if (f->len > max) {
        char what[200];
        proto_describe_header(hdr, what, sizeof(what));
        snprintf(err, errlen, "a message of %u bytes is over the limit of %u bytes (%s)",
                 f->len, max, what);
        return -EMSGSIZE;
    }
    f->payload = malloc((size_t)f->len + 1);
    if (!f->payload) {
        snprintf(err, errlen, "out of memory for a %u-byte message", f->len);
        return -ENOMEM;
    }
    long long rest = rest_ms < 0 ? -1 : now_ms() + rest_ms;
    n = f->len ? read_exact(fd, f->payload, f->len, rest, false, 0) : 0;
    if (n >= 0 && (size_t)n < f->len) {
        snprintf(err, errlen, "the stream ended inside a %u-byte message (%zd bytes came)",
                 f->len, n);
        n = -EPROTO;
    } else if (n == -ETIMEDOUT) {
        snprintf(err, errlen, "a %u-byte message did not arrive within %d ms", f->len,
                 rest_ms);
    } else if (n < 0) {
        snprintf(err, errlen, "read: %s", strerror((int)-n));
    }
    if (n < 0) {
        proto_frame_free(f);
        return (int)n;
    }
    f->payload[f->len] = 0;
    return 1;
}

void proto_frame_free(struct proto_frame *f)
{
    free(f->payload);
    f->payload = NULL;
    f->len = 0;
}

int proto_parse_json(const struct proto_frame *f, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (f->binary) {
        snprintf(err, errlen, "a binary frame where a JSON object was expected");
        return -EBADMSG;
    }
    json_error_t je;
    json_t *j = json_loadb(f->payload, f->len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        snprintf(err, errlen, "invalid JSON at byte %d: %s", je.position, je.text);
        return -EBADMSG;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(err, errlen, "a message must be a JSON object");
        return -EBADMSG;
    }
    *out = j;
    return 0;
}

int proto_read_json(int fd, int first_ms, int rest_ms, uint32_t max, json_t **out, char *err,
                    size_t errlen)
{
    struct proto_frame f;
    *out = NULL;
    int rc = proto_read_frame(fd, first_ms, rest_ms, max, &f, err, errlen);
    if (rc <= 0)
        return rc;
    rc = proto_parse_json(&f, out, err, errlen);
    proto_frame_free(&f);
    return rc < 0 ? rc : 1;
}

int proto_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_frame(int fd, uint32_t flags, const void *buf, size_t len)
{
    if (len > NDISD_MAX_REPLY)
        return -EMSGSIZE;
    uint32_t h = (uint32_t)len | flags;
    unsigned char hdr[4] = {(unsigned char)(h >> 24), (unsigned char)(h >> 16),
                            (unsigned char)(h >> 8), (unsigned char)h};
    /* One write for small frames: a reader never sees a header without its body
       because of us, and small messages cost one system call. */
    if (len <= 4096) {
        unsigned char tmp[4 + 4096];
        memcpy(tmp, hdr, 4);
        memcpy(tmp + 4, buf, len);
        return proto_write_all(fd, tmp, 4 + len);
    }
    int rc = proto_write_all(fd, hdr, 4);
    return rc ? rc : proto_write_all(fd, buf, len);
}

int proto_write_json(int fd, const json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!s)
        return -ENOMEM;
    int rc = write_frame(fd, 0, s, strlen(s));
    free(s);
    return rc;
}

int proto_write_binary(int fd, const void *buf, size_t len)
{
    return write_frame(fd, NDISD_FRAME_BINARY, buf, len);
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void proto_caprec_put(unsigned char *p, const struct proto_caprec *r)
{
    memset(p, 0, PROTO_CAP_HDR);
    put_le(p, r->time_ns, 8);
    put_le(p + 8, r->len, 4);
    put_le(p + 12, r->caplen, 4);
    p[16] = (unsigned char)r->flags;
}

int proto_caprec_next(const unsigned char *buf, size_t len, size_t *off,
                      struct proto_caprec *r)
{
    if (*off == len)
        return 0;
    if (len - *off < PROTO_CAP_HDR)
        return -EBADMSG;
    const unsigned char *p = buf + *off;
    r->time_ns = get_le(p, 8);
    r->len = (uint32_t)get_le(p + 8, 4);
    r->caplen = (uint32_t)get_le(p + 12, 4);
    r->flags = p[16];
    if (r->caplen > r->len || r->caplen > len - *off - PROTO_CAP_HDR)
        return -EBADMSG;
    r->data = p + PROTO_CAP_HDR;
    *off += PROTO_CAP_HDR + r->caplen;
    return 1;
}

const char *proto_errno_name(int err)
{
    switch (err) {
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EBUSY: return "EBUSY";
    case EIO: return "EIO";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOMEM: return "ENOMEM";
    case ENOEXEC: return "ENOEXEC";
    case ESHUTDOWN: return "ESHUTDOWN";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTSUP: return "ENOTSUP";
    case EBADMSG: return "EBADMSG";
    case EMSGSIZE: return "EMSGSIZE";
    case EPROTO: return "EPROTO";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ENOSPC: return "ENOSPC";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    default: {
        static __thread char buf[16];
        snprintf(buf, sizeof(buf), "E%d", err);
        return buf;
    }
    }
}

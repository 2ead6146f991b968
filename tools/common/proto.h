/*
 * proto.h - the ndisd control protocol, shared by ndisd and ndisctl
 * (docs/ndisd.md, "Protocol").
 *
 * A Unix stream socket carries frames. A frame is a 4-byte big-endian header
 * and a payload: bit 31 of the header says the payload is binary (only the
 * daemon sends those, inside a capture stream), bits 0-30 give its length, at
 * most NDISD_MAX_MSG from a client and NDISD_MAX_REPLY from the daemon (a
 * listing of a large instance). Every other payload is one JSON object (UTF-8).
 *
 * The client sends a request
 *   {"v": 1, "cmd": "<command>", "args": {...}}
 * and reads one response
 *   {"v": 1, "ok": true, "result": ...}
 *   {"v": 1, "ok": false, "error": "...", "errno": "ENOENT", "messages": ["..."]}
 * Streaming commands (trace, capture) answer {"v": 1, "ok": true, "stream":
 * "<name>", ...} and then send events until the client closes the connection
 * or the stream ends with a last {"event": "end", "reason": "..."}.
 *
 * A frame that is too long, or bytes that cannot be a header (text where the
 * length should be), get an error response naming the problem, and the daemon
 * closes the connection (it cannot find the next frame). A frame that is not
 * a JSON object, or a request of another protocol version, gets an error
 * response and the connection stays usable.
 */
#ifndef NDISD_PROTO_H
#define NDISD_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDISD_PROTO_VERSION 1
#define NDISD_MAX_MSG (1u << 20)    /* a request */
#define NDISD_MAX_REPLY (64u << 20) /* a response or an event */
#define NDISD_FRAME_BINARY 0x80000000u
#define NDISD_DEFAULT_SOCKET "/run/ndis/ndisd.sock"

/* A received frame. payload is malloc'ed and NUL-terminated (for JSON). */
struct proto_frame {
    bool binary;
    uint32_t len;
    char *payload;
};

/*
 * Reads one frame of at most max bytes (NDISD_MAX_MSG or NDISD_MAX_REPLY). The
 * first byte is waited for up to first_ms (-1: forever), the rest of the frame
 * up to rest_ms (a peer that stops in the middle of a frame is cut off).
 * Returns 1 with *f filled, 0 at end of stream before a frame, or a negative
 * errno with the reason in err:
 *   -EMSGSIZE   the header announces more than max (*f->len holds it)
 *   -EPROTO     the stream ended in the middle of a frame
 *   -EAGAIN     no frame started within first_ms
 *   -ETIMEDOUT  a frame started but did not end within rest_ms
 */
int proto_read_frame(int fd, int first_ms, int rest_ms, uint32_t max, struct proto_frame *f,
                     char *err, size_t errlen);
void proto_frame_free(struct proto_frame *f);

/*
 * Parses a JSON frame as an object. Returns 0 with *out (the caller's
 * reference) or -EBADMSG with the reason in err.
 */
int proto_parse_json(const struct proto_frame *f, json_t **out, char *err, size_t errlen);

/* Reads a frame and parses it: 1 with *out, 0 at end of stream, or -errno. */
int proto_read_json(int fd, int first_ms, int rest_ms, uint32_t max, json_t **out, char *err,
                    size_t errlen);

/*
 * Explains a header that cannot be one, e.g. a client that sent text: "the
 * first bytes were '{\"cm' (text, not a 4-byte length)". hdr is 4 bytes.
 */
void proto_describe_header(const unsigned char hdr[4], char *buf, size_t len);

/* Writes every byte (retrying on EINTR, never raising SIGPIPE). 0 or -errno;
   -EAGAIN when the socket's send timeout expired. */
int proto_write_all(int fd, const void *buf, size_t len);
/* Writes a JSON frame. 0 or -errno (-EMSGSIZE if it would be over NDISD_MAX_REPLY). */
int proto_write_json(int fd, const json_t *obj);
/* Writes a binary frame. */
int proto_write_binary(int fd, const void *buf, size_t len);

/*
 * Captured frames travel in binary frames, several records back to back. A
 * record is a 24-byte header, little-endian: u64 time (ns since the Unix
 * epoch), u32 original length, u32 captured length, u8 flags
 * (PROTO_CAP_SEND: the frame was going down the stack), 3 bytes zero; then
 * the captured bytes.
 */
#define PROTO_CAP_HDR 24
#define PROTO_CAP_SEND 0x01u
struct proto_caprec {
    uint64_t time_ns;
    uint32_t len, caplen;
    unsigned flags;
    const unsigned char *data;
};
/* Writes a record header into p (PROTO_CAP_HDR bytes). */
void proto_caprec_put(unsigned char *p, const struct proto_caprec *r);
/*
 * Reads the record at *off of a binary payload and advances *off. Returns 1,
 * 0 at the end of the payload, or -EBADMSG for a record that does not fit.
 */
int proto_caprec_next(const unsigned char *buf, size_t len, size_t *off,
                      struct proto_caprec *r);

/* The name of a positive errno value ("ENOENT"), or "E<number>". */
const char *proto_errno_name(int err);

#endif /* NDISD_PROTO_H */

/*
 * inf_text.c - the character level of INF files: encoding and line ends.
 *
 * Windows INF files are either "ANSI" text or UTF-16LE with a byte-order
 * mark. libndis takes UTF-8 (plain ASCII being its common case), UTF-8 with a
 * BOM, and UTF-16LE with a BOM, and hands the parser NUL-terminated UTF-8 in
 * which every line ends with '\n' ("\r\n" and a lone '\r' count as one line
 * end, as do "\r\n" and '\r' code units in UTF-16). Anything else is refused
 * with the line of the offending byte: invalid UTF-8 (overlong forms,
 * surrogates, code points over U+10FFFF), unpaired UTF-16 surrogates, an odd
 * UTF-16 byte count, NUL characters and UTF-16BE.
 */
#include "inf/inf_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct text_out {
    char *buf;
    size_t len;
    unsigned line;  /* line of the next character, for errors */
    bool after_cr;  /* the previous character was '\r' */
};

/* Appends one code point, folding "\r\n" and '\r' into '\n'. */
static void put_cp(struct text_out *o, uint32_t cp)
{
    if (cp == '\n' && o->after_cr) {
        o->after_cr = false;
        return; /* the '\r' already ended the line */
    }
    o->after_cr = cp == '\r';
    if (cp == '\r' || cp == '\n') {
        o->buf[o->len++] = '\n';
        o->line++;
    } else if (cp < 0x80) {
        o->buf[o->len++] = (char)cp;
    } else if (cp < 0x800) {
        o->buf[o->len++] = (char)(0xC0 | (cp >> 6));
        o->buf[o->len++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o->buf[o->len++] = (char)(0xE0 | (cp >> 12));
        o->buf[o->len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o->buf[o->len++] = (char)(0x80 | (cp & 0x3F));
    } else {
        o->buf[o->len++] = (char)(0xF0 | (cp >> 18));
        o->buf[o->len++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o->buf[o->len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o->buf[o->len++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int decode_utf16le(const char *name, const unsigned char *p, size_t len,
                          struct text_out *o, struct inf_error *err)
{
    if (len % 2)
        return inf_fail(err, name, 0, -EINVAL, "UTF-16LE file with an odd number of bytes");
    for (size_t i = 0; i < len; i += 2) {
        uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
        if (u == 0)
            return inf_fail(err, name, o->line, -EINVAL, "NUL character");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return inf_fail(err, name, o->line, -EINVAL,
                            "invalid UTF-16: unpaired low surrogate 0x%04x", (unsigned)u);
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = i + 3 < len ? ((uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8) : 0;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return inf_fail(err, name, o->line, -EINVAL,
                                "invalid UTF-16: unpaired high surrogate 0x%04x", (unsigned)u);
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        }
        put_cp(o, u);
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        *cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        *cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        *cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        if (c == 0xF4)
            hi = 0x8F; /* over U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
        *cp = *cp << 6 | (p[i] & 0x3F);
    }
    return len;
}

static int decode_utf8(const char *name, const unsigned char *p, size_t len, struct text_out *o,
                       struct inf_error *err)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_seq(p + i, len - i, &cp);
        if (!n)
            return inf_fail(err, name, o->line, -EINVAL,
                            "invalid UTF-8 byte 0x%02x (INF files must be UTF-8 or UTF-16LE "
                            "with a byte-order mark)",
                            p[i]);
        if (cp == 0)
            return inf_fail(err, name, o->line, -EINVAL, "NUL character");
        put_cp(o, cp);
        i += n;
    }
    return 0;
}

int inf_text_decode(const char *name, const unsigned char *data, size_t len, char **out,
                    size_t *outlen, struct inf_error *err)
{
    *out = NULL;
    *outlen = 0;
    if (len > INF_MAX_FILE_SIZE)
        return inf_fail(err, name, 0, -EFBIG, "file too big: %zu bytes, the limit is %u", len,
                        INF_MAX_FILE_SIZE);

    bool utf16 = false;
    if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF)
        return inf_fail(err, name, 0, -EINVAL,
                        "UTF-16BE is not supported (use UTF-16LE or UTF-8)");
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        utf16 = true;
        data += 2;
        len -= 2;
    } else if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        data += 3;
        len -= 3;
    }

    /* UTF-16 code units become at most 3 bytes (pairs 4 bytes for 4); UTF-8 is
     * copied as is; line ends only shrink. */
    size_t cap = (utf16 ? len / 2 * 3 : len) + 1;
    struct text_out o = {.buf = malloc(cap), .line = 1};
    if (!o.buf)
        return inf_fail(err, name, 0, -ENOMEM, "out of memory");
    int rc = utf16 ? decode_utf16le(name, data, len, &o, err)
                   : decode_utf8(name, data, len, &o, err);
    if (rc) {
        free(o.buf);
        return rc;
    }
    o.buf[o.len] = '\0';
    *out = o.buf;
    *outlen = o.len;
    return 0;
}

/*
 * reg_format.c - the text format of the persisted layer (docs/registry.md).
 *
 *   ndis-registry 1
 *   # comment
 *
 *   key "Adapters" "virt0"
 *     dword "*JumboPacket" 9014
 *     sz "NetworkAddress" "02-00-4C-4F-4F-50"
 *     multi_sz "Names" 2 "a" "b"
 *     binary "Blob" 3 00ff10
 *   end crc32 1a2b3c4d
 *
 * The parser accepts exactly what the writer produces (plus comments and
 * blank lines) and reports the first deviation with its line number.
 */
#include "registry/registry.h"
#include "registry/reg_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REG_MAGIC "ndis-registry"
#define REG_VERSION 1

/* CRC-32 (IEEE 802.3, reflected, as zlib), four bits at a time. */
uint32_t reg_crc32(const void *data, size_t len)
{
    static const uint32_t t[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
        0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
    };
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ t[crc & 15];
        crc = (crc >> 4) ^ t[crc & 15];
    }
    return ~crc;
}

/* ---- writer ---------------------------------------------------------------- */

static int buf_put(reg_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            return -ENOMEM;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

static int buf_str(reg_buf *b, const char *s)
{
    return buf_put(b, s, strlen(s));
}

static int buf_fmt(reg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int buf_fmt(reg_buf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -EINVAL;
    return buf_put(b, tmp, (size_t)n);
}

/* ' "text"' with \\ \" \n \r \t and \xHH for other control bytes. */
static int put_quoted(reg_buf *b, const char *s)
{
    int rc = buf_str(b, " \"");
    for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
        char esc[5];
        switch (*p) {
        case '\\':
            rc = buf_str(b, "\\\\");
            break;
        case '"':
            rc = buf_str(b, "\\\"");
            break;
        case '\n':
            rc = buf_str(b, "\\n");
            break;
        case '\r':
            rc = buf_str(b, "\\r");
            break;
        case '\t':
            rc = buf_str(b, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                snprintf(esc, sizeof(esc), "\\x%02x", *p);
                rc = buf_str(b, esc);
            } else {
                rc = buf_put(b, p, 1);
            }
        }
    }
    return rc ? rc : buf_str(b, "\"");
}

static int put_path(reg_buf *b, const reg_node *n)
{
    if (!n->parent)
        return buf_str(b, "key");
    int rc = put_path(b, n->parent);
    return rc ? rc : put_quoted(b, n->name);
}

static int put_value(reg_buf *b, const char *name, const reg_value *v)
{
    int rc = buf_str(b, "  ");
    if (!rc)
        rc = buf_str(b, reg_type_name(v->type));
    if (!rc)
        rc = put_quoted(b, name);
    if (rc)
        return rc;
    switch (v->type) {
    case REG_T_DWORD:
        rc = buf_fmt(b, " %" PRIu32, v->u.dword);
        break;
    case REG_T_QWORD:
        rc = buf_fmt(b, " %" PRIu64, v->u.qword);
        break;
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        rc = put_quoted(b, v->u.sz);
        break;
    case REG_T_MULTI_SZ:
        rc = buf_fmt(b, " %zu", v->u.multi.count);
        for (size_t i = 0; !rc && i < v->u.multi.count; i++)
            rc = put_quoted(b, v->u.multi.items[i]);
        break;
    case REG_T_BINARY:
        rc = buf_fmt(b, " %zu", v->u.bin.len);
        if (!rc && v->u.bin.len)
            rc = buf_str(b, " ");
        for (size_t i = 0; !rc && i < v->u.bin.len; i++)
            rc = buf_fmt(b, "%02x", v->u.bin.data[i]);
        break;
    }
    return rc ? rc : buf_str(b, "\n");
}

static bool persisted_kid(const reg_node *n, const reg_node *skip)
{
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i] != skip && n->kids[i]->in[REG_LAYER_PERSIST])
            return true;
    return false;
}

static int write_node(reg_buf *b, const reg_node *n, const reg_node *skip)
{
    if (n == skip || !n->in[REG_LAYER_PERSIST])
        return 0;
    size_t nvals = 0;
    for (size_t i = 0; i < n->nvals; i++)
        nvals += n->vals[i].v[REG_LAYER_PERSIST] != NULL;
    /* A key line is needed when the key has values, or when nothing below it
     * would otherwise bring it into being; parents are implied. */
    bool line = nvals > 0 || (n->parent && !persisted_kid(n, skip));
    int rc = 0;
    if (line) {
        rc = buf_str(b, "\n");
        if (!rc)
            rc = put_path(b, n);
        if (!rc)
            rc = buf_str(b, "\n");
        for (size_t i = 0; !rc && i < n->nvals; i++)
            if (n->vals[i].v[REG_LAYER_PERSIST])
                rc = put_value(b, n->vals[i].name, n->vals[i].v[REG_LAYER_PERSIST]);
    }
    for (size_t i = 0; !rc && i < n->nkids; i++)
        rc = write_node(b, n->kids[i], skip);
    return rc;
}

int reg_format_write(const reg_node *root, const reg_node *skip, reg_buf *out)
{
    out->len = 0;
    int rc = buf_fmt(out, "%s %d\n", REG_MAGIC, REG_VERSION);
    if (!rc)
        rc = buf_str(out, "# libndis configuration store (docs/registry.md). The last line is a\n"
                          "# checksum: change values with the ndis tool, not with an editor.\n");
    if (!rc)
        rc = write_node(out, root, skip);
    if (!rc)
        rc = buf_fmt(out, "end crc32 %08" PRIx32 "\n", reg_crc32(out->p, out->len));
    return rc;
}

/* ---- parser ---------------------------------------------------------------- */

typedef struct parser {
    const char *path;
    char *err;
    size_t errlen;
    unsigned line;
    const char *s; /* the current line, without its '\n' */
    size_t len, pos;
} parser;

static int perr(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(parser *ps, const char *fmt, ...)
{
    if (ps->err && ps->errlen) {
        int n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->path, ps->line);
        if (n >= 0 && (size_t)n < ps->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -EBADMSG;
}

/* Exactly one space, then more of the line. */
static int sep(parser *ps)
{
    if (ps->pos >= ps->len)
        return perr(ps, "line ends early, more fields expected");
    if (ps->s[ps->pos] != ' ')
        return perr(ps, "expected a space at column %zu", ps->pos + 1);
    ps->pos++;
    if (ps->pos >= ps->len || ps->s[ps->pos] == ' ')
        return perr(ps, "expected one space and a field at column %zu", ps->pos);
    return 0;
}

static int word(parser *ps, const char **w, size_t *wl)
{
    size_t start = ps->pos;
    while (ps->pos < ps->len && ps->s[ps->pos] != ' ')
        ps->pos++;
    *w = ps->s + start;
    *wl = ps->pos - start;
    return *wl ? 0 : perr(ps, "empty field at column %zu", start + 1);
}

static bool word_is(const char *w, size_t wl, const char *lit)
{
    return strlen(lit) == wl && memcmp(w, lit, wl) == 0;
}

static int hexdig(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A quoted string; *out is malloc'ed, NUL-terminated, valid UTF-8. */
static int quoted(parser *ps, char **out)
{
    *out = NULL;
    size_t col = ps->pos + 1;
    if (ps->pos >= ps->len || ps->s[ps->pos] != '"')
        return perr(ps, "expected '\"' at column %zu", col);
    ps->pos++;
    char *o = malloc(ps->len - ps->pos + 1);
    if (!o)
        return -ENOMEM;
    size_t n = 0;
    for (;;) {
        if (ps->pos >= ps->len) {
            free(o);
            return perr(ps, "string starting at column %zu is not closed", col);
        }
        unsigned char c = (unsigned char)ps->s[ps->pos++];
        if (c == '"')
            break;
        if (c < 0x20 || c == 0x7F) {
            free(o);
            return perr(ps, "raw control byte 0x%02x in string at column %zu", c, ps->pos);
        }
        if (c != '\\') {
            o[n++] = (char)c;
            continue;
        }
        char e = ps->pos < ps->len ? ps->s[ps->pos++] : 0;
        int h1, h2;
        switch (e) {
        case '\\':
        case '"':
            o[n++] = e;
            break;
        case 'n':
            o[n++] = '\n';
            break;
        case 'r':
            o[n++] = '\r';
            break;
        case 't':
            o[n++] = '\t';
            break;
        case 'x':
            h1 = ps->pos < ps->len ? hexdig(ps->s[ps->pos]) : -1;
            h2 = ps->pos + 1 < ps->len ? hexdig(ps->s[ps->pos + 1]) : -1;
            if (h1 < 0 || h2 < 0 || (h1 | h2) == 0) {
                free(o);
                return perr(ps, "bad \\x escape at column %zu (two lower-case hex "
                                "digits, not 00)", ps->pos - 1);
            }
            o[n++] = (char)(h1 << 4 | h2);
            ps->pos += 2;
            break;
        default:
            free(o);
            return perr(ps, "unknown escape at column %zu", ps->pos - 1);
        }
    }
    o[n] = 0;
    if (!reg_utf8_valid(o, n)) {
        free(o);
        return perr(ps, "string starting at column %zu is not valid UTF-8", col);
    }
    *out = o;
    return 0;
}

static int decimal(parser *ps, uint64_t max, uint64_t *out)
{
    const char *w;
    size_t wl;
    size_t col = ps->pos + 1;
    int rc = word(ps, &w, &wl);
    if (rc)
        return rc;
    uint64_t acc = 0;
    for (size_t i = 0; i < wl; i++) {
        if (w[i] < '0' || w[i] > '9' || (i == 0 && w[i] == '0' && wl > 1))
            return perr(ps, "bad number at column %zu", col);
        unsigned d = (unsigned)(w[i] - '0');
        if (acc > (max - d) / 10)
            return perr(ps, "number at column %zu is out of range", col);
        acc = acc * 10 + d;
    }
    *out = acc;
    return 0;
}

static int key_line(parser *ps, reg_node *root, reg_node **cur)
{
    reg_node *n = root;
    while (ps->pos < ps->len) {
        char *name;
        int rc = sep(ps);
        if (!rc)
            rc = quoted(ps, &name);
        if (rc)
            return rc;
        rc = reg_name_check(name, strlen(name), true);
        if (rc) {
            free(name);
            return perr(ps, "invalid key name (empty, contains '\\' or too long)");
        }
        size_t pos;
        reg_node *k = reg_node_child(n, name, &pos);
        if (!k) {
            k = reg_node_new(name);
            if (!k || reg_node_insert_child(n, pos, k) < 0) {
                reg_node_free_tree(k);
                free(name);
                return -ENOMEM;
            }
            k->in[REG_LAYER_PERSIST] = true;
        }
        free(name);
        n = k;
    }
    if (n->seen)
        return perr(ps, "duplicate key (already listed above)");
    n->seen = true;
    *cur = n;
    return 0;
}

static int value_data(parser *ps, reg_type t, reg_value **out)
{
    uint64_t x;
    char *s;
    int rc = sep(ps);
    if (rc)
        return rc;
    switch (t) {
    case REG_T_DWORD:
        rc = decimal(ps, UINT32_MAX, &x);
        if (!rc && !(*out = reg_value_dword((uint32_t)x)))
            rc = -ENOMEM;
        return rc;
    case REG_T_QWORD:
        rc = decimal(ps, UINT64_MAX, &x);
        if (!rc && !(*out = reg_value_qword(x)))
            rc = -ENOMEM;
        return rc;
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        rc = quoted(ps, &s);
        if (rc)
            return rc;
        *out = t == REG_T_SZ ? reg_value_sz(s) : reg_value_expand_sz(s);
        free(s);
        return *out ? 0 : -ENOMEM;
    case REG_T_MULTI_SZ: {
        rc = decimal(ps, SIZE_MAX / sizeof(char *), &x);
        if (rc)
            return rc;
        reg_value *v = reg_value_multi_sz(NULL, 0);
        if (!v)
            return -ENOMEM;
        for (uint64_t i = 0; !rc && i < x; i++) {
            rc = sep(ps);
            if (!rc)
                rc = quoted(ps, &s);
            if (rc)
                break;
            if (!s[0]) {
                free(s);
                rc = perr(ps, "empty string in multi_sz");
                break;
            }
            char **items = realloc(v->u.multi.items, (v->u.multi.count + 1) * sizeof(char *));
            if (!items) {
                free(s);
                rc = -ENOMEM;
                break;
            }
            v->u.multi.items = items;
            items[v->u.multi.count++] = s;
        }
        if (rc) {
            reg_value_free(v);
            return rc;
        }
        *out = v;
        return 0;
    }
    case REG_T_BINARY: {
        rc = decimal(ps, SIZE_MAX / 2, &x);
        if (rc)
            return rc;
        if (x == 0) {
            *out = reg_value_binary(NULL, 0);
            return *out ? 0 : -ENOMEM;
        }
        rc = sep(ps);
        if (rc)
            return rc;
        if (ps->len - ps->pos != 2 * x)
            return perr(ps, "binary data has %zu hex digits, length %" PRIu64 " needs %" PRIu64,
                        ps->len - ps->pos, x, 2 * x);
        uint8_t *d = malloc((size_t)x);
        if (!d)
            return -ENOMEM;
        for (size_t i = 0; i < x; i++) {
            int h1 = hexdig(ps->s[ps->pos + 2 * i]), h2 = hexdig(ps->s[ps->pos + 2 * i + 1]);
            if (h1 < 0 || h2 < 0) {
                free(d);
                return perr(ps, "bad hex digit at column %zu (lower-case pairs expected)",
                            ps->pos + 2 * i + 1);
            }
            d[i] = (uint8_t)(h1 << 4 | h2);
        }
        ps->pos = ps->len;
        *out = reg_value_binary(d, (size_t)x);
        free(d);
        return *out ? 0 : -ENOMEM;
    }
    }
    return perr(ps, "unknown type");
}

static int value_line(parser *ps, reg_node *cur)
{
    static const reg_type types[] = {REG_T_DWORD, REG_T_QWORD, REG_T_SZ,
                                     REG_T_EXPAND_SZ, REG_T_MULTI_SZ, REG_T_BINARY};
    const char *w;
    size_t wl;
    ps->pos = 2;
    if (ps->len <= 2 || ps->s[2] == ' ')
        return perr(ps, "value lines are indented by exactly two spaces");
    int rc = word(ps, &w, &wl);
    if (rc)
        return rc;
    int t = -1;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (word_is(w, wl, reg_type_name(types[i])))
            t = (int)types[i];
    if (t < 0)
        return perr(ps, "unknown value type \"%.*s\"", (int)(wl > 32 ? 32 : wl), w);
    if (!cur)
        return perr(ps, "value before the first \"key\" line");
    char *name;
    rc = sep(ps);
    if (!rc)
        rc = quoted(ps, &name);
    if (rc)
        return rc;
    size_t pos;
    if (reg_name_check(name, strlen(name), false) < 0) {
        free(name);
        return perr(ps, "value name too long");
    }
    if (reg_node_value(cur, name, &pos)) {
        free(name);
        return perr(ps, "duplicate value name in this key");
    }
    reg_value *v = NULL;
    rc = value_data(ps, (reg_type)t, &v);
    if (!rc && ps->pos != ps->len)
        rc = perr(ps, "unexpected text at column %zu", ps->pos + 1);
    reg_entry *e;
    if (!rc)
        rc = reg_node_insert_value(cur, pos, name, &e);
    free(name);
    if (rc) {
        reg_value_free(v);
        return rc;
    }
    e->v[REG_LAYER_PERSIST] = v;
    return 0;
}

int reg_format_parse(const char *data, size_t len, reg_node *root, const char *path, char *err,
                     size_t errlen)
{
    parser ps = {.path = path, .err = err, .errlen = errlen};
    reg_node *cur = NULL;
    size_t off = 0;
    bool ended = false;

    if (len == 0) {
        ps.line = 1;
        return perr(&ps, "empty file (truncated?)");
    }
    while (off < len) {
        ps.line++;
        if (ended)
            return perr(&ps, "data after the \"end\" line");
        const char *nl = memchr(data + off, '\n', len - off);
        if (!nl)
            return perr(&ps, "last line has no newline: file truncated");
        ps.s = data + off;
        ps.len = (size_t)(nl - ps.s);
        ps.pos = 0;
        if (memchr(ps.s, 0, ps.len))
            return perr(&ps, "NUL byte in line");
        size_t line_off = off;
        off += ps.len + 1;

        if (ps.line == 1) {
            char want[32];
            snprintf(want, sizeof(want), "%s %d", REG_MAGIC, REG_VERSION);
            if (ps.len == strlen(want) && memcmp(ps.s, want, ps.len) == 0)
                continue;
            if (ps.len > strlen(REG_MAGIC) + 1 && memcmp(ps.s, REG_MAGIC " ", strlen(REG_MAGIC) + 1) == 0)
                return perr(&ps, "unsupported format version \"%.*s\" (this libndis reads %d)",
                            (int)(ps.len - strlen(REG_MAGIC) - 1 > 16 ? 16 : ps.len - strlen(REG_MAGIC) - 1),
                            ps.s + strlen(REG_MAGIC) + 1, REG_VERSION);
            return perr(&ps, "not a libndis registry file (first line must be \"%s\")", want);
        }
        if (ps.len == 0 || ps.s[0] == '#')
            continue;
        if (ps.len >= 3 && memcmp(ps.s, "key", 3) == 0 && (ps.len == 3 || ps.s[3] == ' ')) {
            ps.pos = 3;
            int rc = key_line(&ps, root, &cur);
            if (rc)
                return rc;
            continue;
        }
        if (ps.len >= 2 && ps.s[0] == ' ' && ps.s[1] == ' ') {
            int rc = value_line(&ps, cur);
            if (rc)
                return rc;
            continue;
        }
        if (ps.len >= 4 && memcmp(ps.s, "end ", 4) == 0) {
            char *endp;
            const char *h = ps.s + 4;
            if (ps.len != 4 + 6 + 8 || memcmp(h, "crc32 ", 6) != 0)
                return perr(&ps, "bad \"end\" line (expected \"end crc32 <8 hex digits>\")");
            for (int i = 0; i < 8; i++)
                if (hexdig(h[6 + i]) < 0)
                    return perr(&ps, "bad \"end\" line (expected \"end crc32 <8 hex digits>\")");
            uint32_t want = (uint32_t)strtoul(h + 6, &endp, 16);
            uint32_t got = reg_crc32(data, line_off);
            if (want != got)
                return perr(&ps, "checksum mismatch (stored %08" PRIx32 ", content %08" PRIx32
                                 "): file damaged or edited by hand",
                            want, got);
            ended = true;
            continue;
        }
        return perr(&ps, "unrecognized line");
    }
    if (!ended) {
        ps.line++;
        return perr(&ps, "missing \"end\" line: file truncated");
    }
    return 0;
}

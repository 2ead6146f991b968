/* reg_value.c - registry values: constructors, copies, checks and DDI views. */
#include "registry/registry.h"
#include "registry/reg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static reg_value *value_alloc(reg_type t)
{
    reg_value *v = calloc(1, sizeof(*v));
    if (!v) {
        errno = ENOMEM;
        return NULL;
    }
    v->type = t;
    return v;
}

reg_value *reg_value_dword(uint32_t x)
{
    reg_value *v = value_alloc(REG_T_DWORD);
    if (v)
        v->u.dword = x;
    return v;
}

reg_value *reg_value_qword(uint64_t x)
{
    reg_value *v = value_alloc(REG_T_QWORD);
    if (v)
        v->u.qword = x;
    return v;
}

static reg_value *string_value(reg_type t, const char *s)
{
    if (!s) {
        errno = EINVAL;
        return NULL;
    }
    size_t len = strlen(s);
    if (!reg_utf8_valid(s, len)) {
        errno = EILSEQ;
        return NULL;
    }
    reg_value *v = value_alloc(t);
    if (!v)
        return NULL;
    v->u.sz = malloc(len + 1);
    if (!v->u.sz) {
        free(v);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(v->u.sz, s, len + 1);
    return v;
}

reg_value *reg_value_sz(const char *utf8)
{
    return string_value(REG_T_SZ, utf8);
}

reg_value *reg_value_expand_sz(const char *utf8)
{
    return string_value(REG_T_EXPAND_SZ, utf8);
}

reg_value *reg_value_multi_sz(const char *const *items, size_t count)
{
    if (count && !items) {
        errno = EINVAL;
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (!items[i] || !items[i][0]) {
            errno = EINVAL;
            return NULL;
        }
        if (!reg_utf8_valid(items[i], strlen(items[i]))) {
            errno = EILSEQ;
            return NULL;
        }
    }
    reg_value *v = value_alloc(REG_T_MULTI_SZ);
    if (!v)
        return NULL;
    if (count) {
        v->u.multi.items = calloc(count, sizeof(char *));
        if (!v->u.multi.items)
            goto nomem;
    }
    for (size_t i = 0; i < count; i++) {
        v->u.multi.items[i] = strdup(items[i]);
        if (!v->u.multi.items[i])
            goto nomem;
        v->u.multi.count = i + 1;
    }
    return v;
nomem:
    reg_value_free(v);
    errno = ENOMEM;
    return NULL;
}

reg_value *reg_value_binary(const void *data, size_t len)
{
    if (len && !data) {
        errno = EINVAL;
        return NULL;
    }
    reg_value *v = value_alloc(REG_T_BINARY);
    if (!v)
        return NULL;
    if (len) {
        v->u.bin.data = malloc(len);
        if (!v->u.bin.data) {
            free(v);
            errno = ENOMEM;
            return NULL;
        }
        memcpy(v->u.bin.data, data, len);
    }
    v->u.bin.len = len;
    return v;
}

reg_value *reg_value_copy(const reg_value *v)
{
    if (!v) {
        errno = EINVAL;
        return NULL;
    }
    switch (v->type) {
    case REG_T_DWORD:
        return reg_value_dword(v->u.dword);
    case REG_T_QWORD:
        return reg_value_qword(v->u.qword);
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        return string_value(v->type, v->u.sz);
    case REG_T_MULTI_SZ:
        return reg_value_multi_sz((const char *const *)v->u.multi.items, v->u.multi.count);
    case REG_T_BINARY:
        return reg_value_binary(v->u.bin.data, v->u.bin.len);
    }
    errno = EINVAL;
    return NULL;
}

void reg_value_free(reg_value *v)
{
    if (!v)
        return;
    switch (v->type) {
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        free(v->u.sz);
        break;
    case REG_T_MULTI_SZ:
        for (size_t i = 0; i < v->u.multi.count; i++)
            free(v->u.multi.items[i]);
        free(v->u.multi.items);
        break;
    case REG_T_BINARY:
        free(v->u.bin.data);
        break;
    case REG_T_DWORD:
    case REG_T_QWORD:
        break;
    }
    free(v);
}

bool reg_value_equal(const reg_value *a, const reg_value *b)
{
    if (!a || !b || a->type != b->type)
        return false;
    switch (a->type) {
    case REG_T_DWORD:
        return a->u.dword == b->u.dword;
    case REG_T_QWORD:
        return a->u.qword == b->u.qword;
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        return strcmp(a->u.sz, b->u.sz) == 0;
    case REG_T_MULTI_SZ:
        if (a->u.multi.count != b->u.multi.count)
            return false;
        for (size_t i = 0; i < a->u.multi.count; i++)
            if (strcmp(a->u.multi.items[i], b->u.multi.items[i]) != 0)
                return false;
        return true;
    case REG_T_BINARY:
        return a->u.bin.len == b->u.bin.len &&
               (a->u.bin.len == 0 || memcmp(a->u.bin.data, b->u.bin.data, a->u.bin.len) == 0);
    }
    return false;
}

const char *reg_type_name(reg_type t)
{
    switch (t) {
    case REG_T_DWORD:
        return "dword";
    case REG_T_QWORD:
        return "qword";
    case REG_T_SZ:
        return "sz";
    case REG_T_EXPAND_SZ:
        return "expand_sz";
    case REG_T_MULTI_SZ:
        return "multi_sz";
    case REG_T_BINARY:
        return "binary";
    }
    return NULL;
}

int reg_value_check(const reg_value *v)
{
    if (!v)
        return -EINVAL;
    switch (v->type) {
    case REG_T_DWORD:
    case REG_T_QWORD:
        return 0;
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        if (!v->u.sz)
            return -EINVAL;
        return reg_utf8_valid(v->u.sz, strlen(v->u.sz)) ? 0 : -EILSEQ;
    case REG_T_MULTI_SZ:
        if (v->u.multi.count && !v->u.multi.items)
            return -EINVAL;
        for (size_t i = 0; i < v->u.multi.count; i++) {
            const char *s = v->u.multi.items[i];
            if (!s || !s[0])
                return -EINVAL;
            if (!reg_utf8_valid(s, strlen(s)))
                return -EILSEQ;
        }
        return 0;
    case REG_T_BINARY:
        return (v->u.bin.len && !v->u.bin.data) ? -EINVAL : 0;
    }
    return -EINVAL;
}

int reg_name_check(const char *name, size_t len, bool is_key)
{
    if (!name)
        return -EINVAL;
    if (is_key && (len == 0 || memchr(name, '\\', len)))
        return -EINVAL;
    if (!reg_utf8_valid(name, len))
        return -EILSEQ;
    size_t units = reg_utf16_length(name, len);
    if (units > (is_key ? REG_MAX_KEY_NAME : REG_MAX_VALUE_NAME))
        return -ENAMETOOLONG;
    return 0;
}

/* ---- UTF-16 views -------------------------------------------------------- */

reg_value *reg_value_from_utf16(reg_type type, const uint16_t *units, size_t nunits)
{
    if (nunits && !units) {
        errno = EINVAL;
        return NULL;
    }
    if (type == REG_T_SZ || type == REG_T_EXPAND_SZ) {
        size_t n = 0;
        while (n < nunits && units[n])
            n++;
        char *s;
        int rc = reg_utf16_to_utf8(units, n, &s);
        if (rc < 0) {
            errno = -rc;
            return NULL;
        }
        reg_value *v = value_alloc(type);
        if (!v) {
            free(s);
            return NULL;
        }
        v->u.sz = s;
        return v;
    }
    if (type != REG_T_MULTI_SZ) {
        errno = EINVAL;
        return NULL;
    }
    reg_value *v = value_alloc(REG_T_MULTI_SZ);
    if (!v)
        return NULL;
    size_t cap = 0, i = 0;
    while (i < nunits && units[i]) {
        size_t n = 0;
        while (i + n < nunits && units[i + n])
            n++;
        if (v->u.multi.count == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **p = realloc(v->u.multi.items, ncap * sizeof(*p));
            if (!p) {
                reg_value_free(v);
                errno = ENOMEM;
                return NULL;
            }
            v->u.multi.items = p;
            cap = ncap;
        }
        int rc = reg_utf16_to_utf8(units + i, n, &v->u.multi.items[v->u.multi.count]);
        if (rc < 0) {
            reg_value_free(v);
            errno = -rc;
            return NULL;
        }
        v->u.multi.count++;
        i += n + 1; /* past the NUL (or past the end) */
    }
    return v;
}

int reg_value_to_utf16(const reg_value *v, uint16_t **out, size_t *nunits)
{
    *out = NULL;
    *nunits = 0;
    if (!v)
        return -EINVAL;
    if (v->type == REG_T_SZ || v->type == REG_T_EXPAND_SZ)
        return reg_utf8_to_utf16(v->u.sz, strlen(v->u.sz), out, nunits);
    if (v->type != REG_T_MULTI_SZ)
        return -EINVAL;
    size_t total = 1;
    for (size_t i = 0; i < v->u.multi.count; i++) {
        const char *s = v->u.multi.items[i];
        if (!reg_utf8_valid(s, strlen(s)))
            return -EILSEQ;
        total += reg_utf16_length(s, strlen(s)) + 1;
    }
    uint16_t *u = malloc((total + 1) * sizeof(*u));
    if (!u)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < v->u.multi.count; i++) {
        const char *s = v->u.multi.items[i];
        size_t len = strlen(s), p = 0;
        while (p < len) {
            uint32_t cp = (uint32_t)reg_utf8_decode(s, len, &p);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                u[k++] = (uint16_t)(0xD800 | (cp >> 10));
                u[k++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
            } else {
                u[k++] = (uint16_t)cp;
            }
        }
        u[k++] = 0;
    }
    u[k++] = 0;
    u[k] = 0; /* one spare NUL so that the buffer is NUL-terminated even when empty */
    *out = u;
    *nunits = k;
    return 0;
}

/* ---- integer and network address views ------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_u32(const char *s, unsigned base, uint32_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    bool neg = false;
    if (base == 10 && *s == '-') {
        neg = true;
        s++;
    } else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    uint64_t acc = 0;
    const char *start = s;
    for (; *s; s++) {
        int d = hexval(*s);
        if (d < 0 || (unsigned)d >= base)
            break;
        acc = acc * base + (unsigned)d;
        if (acc > (neg ? 0x80000000ull : (uint64_t)UINT32_MAX))
            return -ERANGE;
    }
    if (s == start)
        return -EINVAL;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s)
        return -EINVAL;
    *out = neg ? (uint32_t)(0u - (uint32_t)acc) : (uint32_t)acc;
    return 0;
}

int reg_value_to_u32(const reg_value *v, unsigned base, uint32_t *out)
{
    if (!v || (base != 10 && base != 16))
        return -EINVAL;
    switch (v->type) {
    case REG_T_DWORD:
        *out = v->u.dword;
        return 0;
    case REG_T_QWORD:
        if (v->u.qword > UINT32_MAX)
            return -ERANGE;
        *out = (uint32_t)v->u.qword;
        return 0;
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        return parse_u32(v->u.sz, base, out);
    case REG_T_MULTI_SZ:
    case REG_T_BINARY:
        break;
    }
    return -EINVAL;
}

int reg_value_to_netaddr(const reg_value *v, uint8_t *out, size_t cap, size_t *len)
{
    *len = 0;
    if (!v || (v->type != REG_T_SZ && v->type != REG_T_EXPAND_SZ))
        return -EINVAL;
    size_t n = 0;
    int hi = -1;
    for (const char *s = v->u.sz; *s; s++) {
        if (*s == '-')
            continue;
        int d = hexval(*s);
        if (d < 0)
            return -EINVAL;
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (n == cap)
            return -ENOSPC;
        out[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    if (hi >= 0 || n == 0)
        return -EINVAL;
    *len = n;
    return 0;
}

/*
 * inf_util.c - the small tools of the INF parser: an arena allocator, a
 * case-insensitive hash map, ASCII case folding, number parsing and error
 * reporting.
 */
#include "inf/inf_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------------- */

#define ARENA_BLOCK_SIZE (64u * 1024u)

struct inf_arena_block {
    struct inf_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

void *inf_arena_alloc(struct inf_arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);

    struct inf_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK_SIZE ? n : ARENA_BLOCK_SIZE;
        struct inf_arena_block *nb = malloc(sizeof(*nb) + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap > ARENA_BLOCK_SIZE) {
            /* A big one-off block goes behind the head: the head keeps its room. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *inf_arena_strndup(struct inf_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = inf_arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *inf_arena_strdup(struct inf_arena *a, const char *s)
{
    return inf_arena_strndup(a, s, strlen(s));
}

void inf_arena_free(struct inf_arena *a)
{
    struct inf_arena_block *b = a->head;
    while (b) {
        struct inf_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- ASCII case folding -------------------------------------------------------- */

char inf_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool inf_strneq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (inf_lower(a[i]) != inf_lower(b[i]))
            return false;
    return true;
}

bool inf_streq(const char *a, const char *b)
{
    for (;; a++, b++) {
        if (inf_lower(*a) != inf_lower(*b))
            return false;
        if (!*a)
            return true;
    }
}

/* ---- hash map ------------------------------------------------------------------ */

struct inf_map_ent {
    const char *key; /* NULL: free slot */
    size_t len;
    size_t val;
    uint64_t hash;
};

static uint64_t map_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the folded bytes */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)inf_lower(s[i]);
        h *= 1099511628211ull;
    }
    return h;
}

static struct inf_map_ent *map_find(const struct inf_map *m, const char *key, size_t len,
                                    uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct inf_map_ent *e = &m->ents[i];
        if (!e->key)
            return e;
        if (e->hash == h && e->len == len && inf_strneq(e->key, key, len))
            return e;
    }
}

static int map_grow(struct inf_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (ncap > SIZE_MAX / sizeof(struct inf_map_ent))
        return -ENOMEM;
    struct inf_map_ent *ne = calloc(ncap, sizeof(*ne));
    if (!ne)
        return -ENOMEM;
    struct inf_map old = *m;
    m->ents = ne;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        struct inf_map_ent *e = &old.ents[i];
        if (e->key)
            *map_find(m, e->key, e->len, e->hash) = *e;
    }
    free(old.ents);
    return 0;
}

int inf_map_put(struct inf_map *m, const char *key, size_t val)
{
    /* Keep the load factor under 1/2 so probing stays short and terminates. */
    if ((m->count + 1) * 2 > m->cap) {
        int rc = map_grow(m);
        if (rc)
            return rc;
    }
    size_t len = strlen(key);
    uint64_t h = map_hash(key, len);
    struct inf_map_ent *e = map_find(m, key, len, h);
    if (e->key)
        return 0;
    *e = (struct inf_map_ent){key, len, val, h};
    m->count++;
    return 1;
}

bool inf_map_getn(const struct inf_map *m, const char *key, size_t len, size_t *val)
{
    if (!m->cap)
        return false;
    struct inf_map_ent *e = map_find(m, key, len, map_hash(key, len));
    if (!e->key)
        return false;
    if (val)
        *val = e->val;
    return true;
}

bool inf_map_get(const struct inf_map *m, const char *key, size_t *val)
{
    return inf_map_getn(m, key, strlen(key), val);
}

void inf_map_free(struct inf_map *m)
{
    free(m->ents);
    *m = (struct inf_map){0};
}

/* ---- numbers ------------------------------------------------------------------- */

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = inf_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return 99;
}

/* Digits of s in base (10 or 16), whole string, at most limit. */
static int parse_digits(const char *s, unsigned base, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        int d = digit_value(*s);
        if (d >= (int)base)
            return -EINVAL;
        if (v > (limit - (uint64_t)d) / base)
            return -ERANGE;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

int inf_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    int rc;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        rc = parse_digits(s + 2, 16, UINT32_MAX, &v);
    else
        rc = parse_digits(s, 10, UINT32_MAX, &v);
    if (rc)
        return rc;
    *out = (uint32_t)v;
    return 0;
}

int inf_parse_i64(const char *s, unsigned base, int64_t *out)
{
    bool neg = false;
    uint64_t v;
    int rc;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        rc = parse_digits(s + 2, 16, limit, &v);
    else
        rc = parse_digits(s, base == 16 ? 16 : 10, limit, &v);
    if (rc)
        return rc;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

/* ---- errors -------------------------------------------------------------------- */

int inf_vfail(struct inf_error *err, const char *file, unsigned line, int rc, const char *fmt,
              va_list ap)
{
    if (err) {
        snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
        err->line = line;
        vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
    }
    return rc;
}

int inf_fail(struct inf_error *err, const char *file, unsigned line, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    inf_vfail(err, file, line, rc, fmt, ap);
    va_end(ap);
    return rc;
}

/* reg_utf16.c - UTF-8 validation, UTF-8 <-> UTF-16LE, case-insensitive names. */
#include "registry/registry.h"
#include "registry/reg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Decodes one code point of s[*i..len). Returns it and advances *i, or
 * returns -1 (advancing *i by one byte) if the sequence is not well-formed:
 * truncated, overlong, a surrogate, above U+10FFFF or a stray continuation.
 */
int32_t reg_utf8_decode(const char *str, size_t len, size_t *i)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t p = *i;
    unsigned c = s[p];
    uint32_t cp, min;
    size_t n;

    if (c < 0x80) {
        *i = p + 1;
        return (int32_t)c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        *i = p + 1;
        return -1;
    }
    if (len - p - 1 < n) {
        *i = p + 1;
        return -1;
    }
    for (size_t k = 1; k <= n; k++) {
        unsigned cc = s[p + k];
        if ((cc & 0xC0) != 0x80) {
            *i = p + 1;
            return -1;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *i = p + 1;
        return -1;
    }
    *i = p + 1 + n;
    return (int32_t)cp;
}

/* Appends the UTF-8 form of cp to out (room for 4 bytes); returns the count. */
size_t reg_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

bool reg_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        int32_t cp = reg_utf8_decode(s, len, &i);
        if (cp <= 0)
            return false;
    }
    return true;
}

size_t reg_utf16_length(const char *s, size_t len)
{
    size_t i = 0, n = 0;
    while (i < len) {
        int32_t cp = reg_utf8_decode(s, len, &i);
        n += cp >= 0x10000 ? 2 : 1;
    }
    return n;
}

int reg_utf8_to_utf16(const char *s, size_t len, uint16_t **out, size_t *nunits)
{
    *out = NULL;
    if (nunits)
        *nunits = 0;
    if (!reg_utf8_valid(s, len))
        return -EILSEQ;
    size_t n = reg_utf16_length(s, len);
    uint16_t *u = malloc((n + 1) * sizeof(*u));
    if (!u)
        return -ENOMEM;
    size_t i = 0, k = 0;
    while (i < len) {
        uint32_t cp = (uint32_t)reg_utf8_decode(s, len, &i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u[k++] = (uint16_t)(0xD800 | (cp >> 10));
            u[k++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            u[k++] = (uint16_t)cp;
        }
    }
    u[k] = 0;
    *out = u;
    if (nunits)
        *nunits = k;
    return 0;
}

int reg_utf16_to_utf8(const uint16_t *units, size_t nunits, char **out)
{
    *out = NULL;
    /* Each unit yields at most 3 bytes (a pair yields 4 for 2 units). */
    if (nunits > (SIZE_MAX - 1) / 3)
        return -ENOMEM;
    char *s = malloc(nunits * 3 + 1);
    if (!s)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nunits; i++) {
        uint32_t u = units[i];
        if (u == 0) {
            free(s);
            return -EINVAL;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 >= nunits || units[i + 1] < 0xDC00 || units[i + 1] > 0xDFFF) {
                free(s);
                return -EILSEQ;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00u);
            i++;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            free(s);
            return -EILSEQ;
        }
        k += reg_utf8_encode(u, s + k);
    }
    s[k] = 0;
    *out = s;
    return 0;
}

/*
 * Simple upper-case folding for the scripts network configuration names use
 * in practice. Anything not listed folds to itself, so the comparison stays
 * a total order and stays stable across versions as long as this table does.
 */
uint32_t reg_fold_upper(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') ? c - 0x20 : c;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) /* Latin-1 */
        return c - 0x20;
    if (c == 0xFF)
        return 0x178;
    if (c >= 0x100 && c <= 0x17F) { /* Latin Extended-A */
        if ((c <= 0x137 || (c >= 0x14A && c <= 0x177)) && c != 0x130 && c != 0x131)
            return c & ~1u;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1u) ? c : c - 1;
        return c;
    }
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) /* Greek */
        return c - 0x20;
    if (c == 0x3C2)
        return 0x3A3;
    if (c == 0x3AC)
        return 0x386;
    if (c >= 0x3AD && c <= 0x3AF)
        return c - 0x25;
    if (c == 0x3CC)
        return 0x38C;
    if (c == 0x3CD || c == 0x3CE)
        return c - 0x3F;
    if (c >= 0x430 && c <= 0x44F) /* Cyrillic */
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    return c;
}

int reg_name_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;
    while (i < la && j < lb) {
        int32_t ca = reg_utf8_decode(a, la, &i);
        int32_t cb = reg_utf8_decode(b, lb, &j);
        /* Ill-formed bytes (never stored) sort after every code point. */
        uint32_t fa = ca < 0 ? 0x110000u : reg_fold_upper((uint32_t)ca);
        uint32_t fb = cb < 0 ? 0x110000u : reg_fold_upper((uint32_t)cb);
        if (fa != fb)
            return fa < fb ? -1 : 1;
    }
    if (i < la)
        return 1;
    if (j < lb)
        return -1;
    return 0;
}

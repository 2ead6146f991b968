/* ustr.c - conversions between UNICODE_STRING (UTF-16) and UTF-8 for names. */
#include "core/model.h"

void ndisi_ustr_to_utf8(const UNICODE_STRING *u, char *out, size_t outlen)
{
    size_t o = 0;
    if (!outlen)
        return;
    if (u && u->Buffer) {
        size_t n = u->Length / sizeof(WCHAR);
        for (size_t i = 0; i < n; i++) {
            uint32_t c = u->Buffer[i];
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && u->Buffer[i + 1] >= 0xDC00 &&
                u->Buffer[i + 1] <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (u->Buffer[i + 1] - 0xDC00);
                i++;
            } else if (c >= 0xD800 && c <= 0xDFFF) {
                c = 0xFFFD;
            }
            char tmp[4];
            size_t k;
            if (c < 0x80) {
                tmp[0] = (char)c;
                k = 1;
            } else if (c < 0x800) {
                tmp[0] = (char)(0xC0 | (c >> 6));
                tmp[1] = (char)(0x80 | (c & 0x3F));
                k = 2;
            } else if (c < 0x10000) {
                tmp[0] = (char)(0xE0 | (c >> 12));
                tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
                tmp[2] = (char)(0x80 | (c & 0x3F));
                k = 3;
            } else {
                tmp[0] = (char)(0xF0 | (c >> 18));
                tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
                tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F));
                tmp[3] = (char)(0x80 | (c & 0x3F));
                k = 4;
            }
            if (o + k >= outlen)
                break;
            memcpy(out + o, tmp, k);
            o += k;
        }
    }
    out[o] = 0;
}

void ndisi_utf8_to_ustr(const char *s, UNICODE_STRING *u, WCHAR *buf, size_t bufchars)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 1 < bufchars) {
        uint32_t c = *p++;
        if (c >= 0xF0 && p[0] && p[1] && p[2]) {
            c = ((c & 0x07) << 18) | ((uint32_t)(p[0] & 0x3F) << 12) |
                ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
        } else if (c >= 0xE0 && p[0] && p[1]) {
            c = ((c & 0x0F) << 12) | ((uint32_t)(p[0] & 0x3F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if (c >= 0xC0 && p[0]) {
            c = ((c & 0x1F) << 6) | (p[0] & 0x3F);
            p += 1;
        } else if (c >= 0x80) {
            c = 0xFFFD;
        }
        if (c >= 0x10000) {
            if (o + 2 >= bufchars)
                break;
            c -= 0x10000;
            buf[o++] = (WCHAR)(0xD800 + (c >> 10));
            buf[o++] = (WCHAR)(0xDC00 + (c & 0x3FF));
        } else {
            buf[o++] = (WCHAR)c;
        }
    }
    buf[o] = 0;
    u->Buffer = buf;
    u->Length = (USHORT)(o * sizeof(WCHAR));
    u->MaximumLength = (USHORT)((o + 1) * sizeof(WCHAR));
}

/* cfg_test.h - helpers shared by the configuration tests (tests/config). */
#ifndef NDIS_CFG_TEST_H
#define NDIS_CFG_TEST_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kit.h"
#include "test.h"

/* UTF-16 NDIS_STRINGs from UTF-8 literals, in a ring of static buffers so a
 * call can take several. Code points up to U+FFFF. */
static inline NDIS_STRING *us(const char *s)
{
    static WCHAR bufs[8][256];
    static NDIS_STRING strs[8];
    static unsigned next;
    unsigned i = next++ % 8;
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < 255) {
        uint32_t c = *p++;
        if (c >= 0xE0) {
            c = ((c & 0x0F) << 12) | ((uint32_t)(p[0] & 0x3F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if (c >= 0xC0) {
            c = ((c & 0x1F) << 6) | (p[0] & 0x3F);
            p++;
        }
        bufs[i][n++] = (WCHAR)c;
    }
    bufs[i][n] = 0;
    strs[i].Buffer = bufs[i];
    strs[i].Length = (USHORT)(n * sizeof(WCHAR));
    strs[i].MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    return &strs[i];
}

/* True if the counted string u holds exactly the ASCII text s. */
static inline bool ustr_is(const NDIS_STRING *u, const char *s)
{
    size_t n = strlen(s);
    if (u->Length != n * sizeof(WCHAR))
        return false;
    for (size_t i = 0; i < n; i++)
        if (u->Buffer[i] != (WCHAR)(unsigned char)s[i])
            return false;
    return true;
}

/* NdisOpenConfigurationEx on nh; returns the status, the handle in *out. */
static inline NDIS_STATUS cfg_open_flags(NDIS_HANDLE nh, ULONG flags, NDIS_HANDLE *out)
{
    NDIS_CONFIGURATION_OBJECT o;
    memset(&o, 0, sizeof(o));
    o.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    o.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    o.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    o.NdisHandle = nh;
    o.Flags = flags;
    return NdisOpenConfigurationEx(&o, out);
}

/* Opens nh's configuration, failing the case if it does not open. */
static inline NDIS_HANDLE cfg_open(NDIS_HANDLE nh)
{
    NDIS_HANDLE c = NULL;
    NDIS_STATUS st = cfg_open_flags(nh, 0, &c);
    T_ASSERT_MSG(st == NDIS_STATUS_SUCCESS && c, "NdisOpenConfigurationEx: 0x%08x",
                 (unsigned)st);
    return c;
}

/* NdisReadConfiguration; returns the status, the parameter in *p. */
static inline NDIS_STATUS cfg_read(NDIS_HANDLE c, const char *kw, NDIS_PARAMETER_TYPE t,
                                   PNDIS_CONFIGURATION_PARAMETER *p)
{
    NDIS_STATUS st = 0x12345678;
    *p = (PNDIS_CONFIGURATION_PARAMETER)(uintptr_t)1; /* must be overwritten */
    NdisReadConfiguration(&st, p, c, us(kw), t);
    if (st != NDIS_STATUS_SUCCESS)
        T_ASSERT_MSG(*p == NULL, "failed read of %s left ParameterValue set", kw);
    return st;
}

/* An integer keyword (Integer or HexInteger), failing the case if it is absent. */
static inline ULONG cfg_int(NDIS_HANDLE c, const char *kw, NDIS_PARAMETER_TYPE t)
{
    PNDIS_CONFIGURATION_PARAMETER p;
    NDIS_STATUS st = cfg_read(c, kw, t, &p);
    T_ASSERT_MSG(st == NDIS_STATUS_SUCCESS, "read %s: 0x%08x", kw, (unsigned)st);
    T_EQ(p->ParameterType, NdisParameterInteger);
    return p->ParameterData.IntegerData;
}

/* A string keyword as ASCII in a static buffer; "(status)" if the read fails. */
static inline const char *cfg_str(NDIS_HANDLE c, const char *kw)
{
    static char out[512];
    PNDIS_CONFIGURATION_PARAMETER p;
    NDIS_STATUS st = cfg_read(c, kw, NdisParameterString, &p);
    if (st != NDIS_STATUS_SUCCESS) {
        snprintf(out, sizeof(out), "(0x%08x)", (unsigned)st);
        return out;
    }
    T_EQ(p->ParameterType, NdisParameterString);
    const NDIS_STRING *s = &p->ParameterData.StringData;
    size_t n = s->Length / sizeof(WCHAR);
    T_ASSERT(n < sizeof(out));
    T_EQ(s->MaximumLength, s->Length + sizeof(WCHAR));
    T_EQ(s->Buffer[n], 0); /* NUL-terminated past Length */
    for (size_t i = 0; i < n; i++)
        out[i] = s->Buffer[i] < 0x80 ? (char)s->Buffer[i] : '?';
    out[n] = 0;
    return out;
}

/* NdisWriteConfiguration of an integer or a string. */
static inline NDIS_STATUS cfg_write_int(NDIS_HANDLE c, const char *kw, NDIS_PARAMETER_TYPE t,
                                        ULONG v)
{
    NDIS_CONFIGURATION_PARAMETER p;
    memset(&p, 0, sizeof(p));
    p.ParameterType = t;
    p.ParameterData.IntegerData = v;
    NDIS_STATUS st = 0x12345678;
    NdisWriteConfiguration(&st, c, us(kw), &p);
    return st;
}

static inline NDIS_STATUS cfg_write_str(NDIS_HANDLE c, const char *kw, const char *v)
{
    NDIS_CONFIGURATION_PARAMETER p;
    memset(&p, 0, sizeof(p));
    p.ParameterType = NdisParameterString;
    p.ParameterData.StringData = *us(v);
    NDIS_STATUS st = 0x12345678;
    NdisWriteConfiguration(&st, c, us(kw), &p);
    return st;
}

/* ndis_host_get_param into a static buffer; "(errno)" on failure. */
static inline const char *host_param(ndis_host *h, ndis_param_scope s, const char *name,
                                     const char *kw)
{
    static char buf[256];
    int rc = ndis_host_get_param(h, s, name, kw, buf, sizeof(buf));
    if (rc)
        snprintf(buf, sizeof(buf), "(%d)", rc);
    return buf;
}

/* Diagnostics captured by a test (ndis_set_diag_handler). */
static char cfg_diag_text[4096];
static inline void cfg_on_diag(void *ctx, const char *msg)
{
    (void)ctx;
    size_t o = strlen(cfg_diag_text);
    snprintf(cfg_diag_text + o, sizeof(cfg_diag_text) - o, "%s\n", msg);
}

#endif /* NDIS_CFG_TEST_H */

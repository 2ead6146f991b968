/*
 * misc.c - NdisGetVersion, NdisSystemProcessorCount, KeGetCurrentProcessorNumber,
 * NdisWriteErrorLogEntry, DbgPrint, DbgPrintEx and RtlAssert.
 */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"

/* NDIS 6.82 is the newest version a driver may declare to libndis. */
UINT NdisGetVersion(VOID)
{
    ndisi_irql_le(DISPATCH_LEVEL, "NdisGetVersion", "Irql_Miscellaneous_Function");
    return NDIS_RUNTIME_VERSION_682;
}

/* Per-processor arrays are sized with this: at most 64 (one processor group). */
#define MAX_PROCESSORS 64

static unsigned processor_count(void)
{
    static unsigned count; /* benign race: every thread computes the same value */
    unsigned n = __atomic_load_n(&count, __ATOMIC_RELAXED);
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_CONF);
        n = c < 1 ? 1u : c > MAX_PROCESSORS ? MAX_PROCESSORS : (unsigned)c;
        __atomic_store_n(&count, n, __ATOMIC_RELAXED);
    }
    return n;
}

/* nf-ndis-ndissystemprocessorcount.md: the maximum number of processors; it
   "does not change at runtime". */
CCHAR NdisSystemProcessorCount(VOID)
{
    ndisi_irql_le(PASSIVE_LEVEL, "NdisSystemProcessorCount", "Irql_Miscellaneous_Function");
    return (CCHAR)processor_count();
}

/* Always below NdisSystemProcessorCount(), so it can index per-processor arrays. */
ULONG KeGetCurrentProcessorNumber(VOID)
{
    int cpu = sched_getcpu();
    return cpu < 0 ? 0u : (ULONG)cpu % processor_count();
}

/* ---- error log ------------------------------------------------------------------- */

struct code_name {
    NDIS_ERROR_CODE code;
    const char *name;
};

/* The codes of nf-ndis-ndiswriteerrorlogentry.md that the headers define. */
#define CODE(n) {n, #n},
static const struct code_name error_codes[] = {
#ifdef NDIS_ERROR_CODE_RESOURCE_CONFLICT
    CODE(NDIS_ERROR_CODE_RESOURCE_CONFLICT)
#endif
#ifdef NDIS_ERROR_CODE_OUT_OF_RESOURCES
    CODE(NDIS_ERROR_CODE_OUT_OF_RESOURCES)
#endif
#ifdef NDIS_ERROR_CODE_HARDWARE_FAILURE
    CODE(NDIS_ERROR_CODE_HARDWARE_FAILURE)
#endif
#ifdef NDIS_ERROR_CODE_ADAPTER_NOT_FOUND
    CODE(NDIS_ERROR_CODE_ADAPTER_NOT_FOUND)
#endif
#ifdef NDIS_ERROR_CODE_INTERRUPT_CONNECT
    CODE(NDIS_ERROR_CODE_INTERRUPT_CONNECT)
#endif
#ifdef NDIS_ERROR_CODE_DRIVER_FAILURE
    CODE(NDIS_ERROR_CODE_DRIVER_FAILURE)
#endif
#ifdef NDIS_ERROR_CODE_BAD_VERSION
    CODE(NDIS_ERROR_CODE_BAD_VERSION)
#endif
#ifdef NDIS_ERROR_CODE_TIMEOUT
    CODE(NDIS_ERROR_CODE_TIMEOUT)
#endif
#ifdef NDIS_ERROR_CODE_NETWORK_ADDRESS
    CODE(NDIS_ERROR_CODE_NETWORK_ADDRESS)
#endif
#ifdef NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION
    CODE(NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION)
#endif
#ifdef NDIS_ERROR_CODE_INVALID_VALUE_FROM_ADAPTER
    CODE(NDIS_ERROR_CODE_INVALID_VALUE_FROM_ADAPTER)
#endif
#ifdef NDIS_ERROR_CODE_MISSING_CONFIGURATION_PARAMETER
    CODE(NDIS_ERROR_CODE_MISSING_CONFIGURATION_PARAMETER)
#endif
#ifdef NDIS_ERROR_CODE_BAD_IO_BASE_ADDRESS
    CODE(NDIS_ERROR_CODE_BAD_IO_BASE_ADDRESS)
#endif
#ifdef NDIS_ERROR_CODE_RECEIVE_SPACE_SMALL
    CODE(NDIS_ERROR_CODE_RECEIVE_SPACE_SMALL)
#endif
#ifdef NDIS_ERROR_CODE_ADAPTER_DISABLED
    CODE(NDIS_ERROR_CODE_ADAPTER_DISABLED)
#endif
    {0, NULL},
};
#undef CODE

static const char *error_code_name(NDIS_ERROR_CODE code)
{
    for (const struct code_name *c = error_codes; c->name; c++)
        if (c->code == code)
            return c->name;
    return NULL;
}

/* The values a driver can log: ERROR_LOG_MAXIMUM_SIZE (240 bytes) bounds a record. */
#define MAX_ERROR_VALUES 48u

/*
 * nf-ndis-ndiswriteerrorlogentry.md: writes an entry to the I/O error log. The
 * log of libndis is the diagnostic stream: one line naming the driver, the
 * adapter, the error code and the values.
 */
VOID NdisWriteErrorLogEntry(_In_ NDIS_HANDLE NdisAdapterHandle, _In_ NDIS_ERROR_CODE ErrorCode,
                            _In_ ULONG NumberOfErrorValues, ...)
{
    ndisi_irql_le(DISPATCH_LEVEL, "NdisWriteErrorLogEntry", "Irql_Miscellaneous_Function");
    struct ndisi_image *img = ndisi_image_from_handle(NdisAdapterHandle, "NdisWriteErrorLogEntry");
    if (!img)
        return;
    const char *adapter = ndisi_obj_is(NdisAdapterHandle, NDISI_OBJ_ADAPTER)
                              ? ((const struct ndisi_adapter *)NdisAdapterHandle)->name
                              : NULL;
    char values[MAX_ERROR_VALUES * 12 + 32];
    size_t off = 0;
    ULONG n = NumberOfErrorValues;
    if (n > MAX_ERROR_VALUES) {
        ndisi_report(NDISI_V_PARAMETER, "NdisWriteErrorLogEntry",
                     "NumberOfErrorValues has a system-enforced limit (ERROR_LOG_MAXIMUM_SIZE)",
                     "driver '%s' logs %lu values; the first %u are kept", img->name,
                     (unsigned long)n, MAX_ERROR_VALUES);
        n = MAX_ERROR_VALUES;
    }
    va_list ap;
    va_start(ap, NumberOfErrorValues);
    values[0] = '\0';
    for (ULONG i = 0; i < n; i++) {
        ULONG v = va_arg(ap, ULONG);
        int w = snprintf(values + off, sizeof(values) - off, " 0x%08lx", (unsigned long)v);
        if (w > 0 && (size_t)w < sizeof(values) - off)
            off += (size_t)w;
    }
    va_end(ap);
    const char *name = error_code_name(ErrorCode);
    ndisi_diag("error log: driver '%s'%s%s%s: %s%s0x%08lx%s, %lu value%s%s%s", img->name,
               adapter ? " adapter '" : "", adapter ? adapter : "", adapter ? "'" : "",
               name ? name : "error code ", name ? " (" : "", (unsigned long)ErrorCode,
               name ? ")" : "", (unsigned long)n, n == 1 ? "" : "s", n ? ":" : "", values);
}

/* ---- debug output ------------------------------------------------------------------ */

#define DBG_BUF 1024

struct outbuf {
    char *p;
    size_t len, cap;
};

static void out_str(struct outbuf *o, const char *s, size_t n)
{
    size_t room = o->cap - 1 - o->len;
    if (n > room)
        n = room;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/* Appends UTF-16 as UTF-8; n code units, or up to the terminator if n is SIZE_MAX. */
static void out_wide(struct outbuf *o, const WCHAR *w, size_t n)
{
    char u[4];
    for (size_t i = 0; i < n && (n != SIZE_MAX || w[i]); i++) {
        uint32_t c = w[i];
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && w[i + 1] >= 0xdc00 && w[i + 1] < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (w[i + 1] - 0xdc00);
            i++;
        } else if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
        }
        size_t k;
        if (c < 0x80) {
            u[0] = (char)c;
            k = 1;
        } else if (c < 0x800) {
            u[0] = (char)(0xc0 | (c >> 6));
            u[1] = (char)(0x80 | (c & 0x3f));
            k = 2;
        } else if (c < 0x10000) {
            u[0] = (char)(0xe0 | (c >> 12));
            u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
            u[2] = (char)(0x80 | (c & 0x3f));
            k = 3;
        } else {
            u[0] = (char)(0xf0 | (c >> 18));
            u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
            u[3] = (char)(0x80 | (c & 0x3f));
            k = 4;
        }
        out_str(o, u, k);
    }
}

/* Pads a converted string argument to the field width. */
static void out_padded(struct outbuf *o, const char *s, size_t n, int width, bool left)
{
    size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
    if (!left)
        for (size_t i = 0; i < pad; i++)
            out_str(o, " ", 1);
    out_str(o, s, n);
    if (left)
        for (size_t i = 0; i < pad; i++)
            out_str(o, " ", 1);
}

enum size_mod { SZ_NONE, SZ_HH, SZ_H, SZ_L32, SZ_64, SZ_PTR, SZ_LONGDOUBLE, SZ_WIDE };

/*
 * Formats with the Windows conventions drivers write: 'l' is 32 bits (LONG),
 * I64/ll 64 bits, I pointer-sized, %wZ a PUNICODE_STRING, %Z a PANSI_STRING,
 * %ws/%ls/%S a wide string, %wc/%lc/%C a WCHAR.
 */
static void win_vformat(struct outbuf *o, const char *fmt, va_list ap)
{
    while (*fmt) {
        if (*fmt != '%') {
            const char *pct = strchr(fmt, '%');
            size_t n = pct ? (size_t)(pct - fmt) : strlen(fmt);
            out_str(o, fmt, n);
            fmt += n;
            continue;
        }
        const char *start = fmt++;
        char flags[8];
        size_t nflags = 0;
        while (*fmt && strchr("-+ #0", *fmt) && nflags < sizeof(flags) - 1)
            flags[nflags++] = *fmt++;
        flags[nflags] = '\0';
        bool left = memchr(flags, '-', nflags) != NULL;
        int width = -1, prec = -1;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = true;
                width = -width;
            }
            fmt++;
        } else if (*fmt >= '0' && *fmt <= '9') {
            width = (int)strtol(fmt, (char **)&fmt, 10);
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                prec = (int)strtol(fmt, (char **)&fmt, 10);
            }
        }
        enum size_mod sz = SZ_NONE;
        if (fmt[0] == 'h' && fmt[1] == 'h') {
            sz = SZ_HH;
            fmt += 2;
        } else if (fmt[0] == 'h') {
            sz = SZ_H;
            fmt++;
        } else if (fmt[0] == 'l' && fmt[1] == 'l') {
            sz = SZ_64;
            fmt += 2;
        } else if (fmt[0] == 'l') {
            sz = SZ_L32;
            fmt++;
        } else if (fmt[0] == 'w') {
            sz = SZ_WIDE;
            fmt++;
        } else if (fmt[0] == 'I' && fmt[1] == '6' && fmt[2] == '4') {
            sz = SZ_64;
            fmt += 3;
        } else if (fmt[0] == 'I' && fmt[1] == '3' && fmt[2] == '2') {
            sz = SZ_L32;
            fmt += 3;
        } else if (fmt[0] == 'I' || fmt[0] == 'z' || fmt[0] == 't' || fmt[0] == 'j') {
            sz = fmt[0] == 'j' ? SZ_64 : SZ_PTR;
            fmt++;
        } else if (fmt[0] == 'L') {
            sz = SZ_LONGDOUBLE;
            fmt++;
        }
        char conv = *fmt;
        if (!conv) {
            out_str(o, start, strlen(start));
            break;
        }
        fmt++;

        char spec[32], tmp[512];
        int n;
        switch (conv) {
        case '%':
            out_str(o, "%", 1);
            break;
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            bool sgn = conv == 'd' || conv == 'i';
            snprintf(spec, sizeof(spec), "%%%s%s%s%sll%c", flags, width >= 0 ? "*" : "",
                     prec >= 0 ? "." : "", prec >= 0 ? "*" : "", sgn ? 'd' : conv);
            long long sv = 0;
            unsigned long long uv = 0;
            switch (sz) {
            case SZ_64:
                if (sgn)
                    sv = va_arg(ap, long long);
                else
                    uv = va_arg(ap, unsigned long long);
                break;
            case SZ_PTR:
                if (sgn)
                    sv = (long long)va_arg(ap, intptr_t);
                else
                    uv = (unsigned long long)va_arg(ap, uintptr_t);
                break;
            case SZ_HH:
                if (sgn)
                    sv = (signed char)va_arg(ap, int);
                else
                    uv = (unsigned char)va_arg(ap, unsigned);
                break;
            case SZ_H:
                if (sgn)
                    sv = (short)va_arg(ap, int);
                else
                    uv = (unsigned short)va_arg(ap, unsigned);
                break;
            default: /* int, and Windows' 32-bit long */
                if (sgn)
                    sv = va_arg(ap, int);
                else
                    uv = va_arg(ap, unsigned);
                break;
            }
            if (width >= 0 && prec >= 0)
                n = sgn ? snprintf(tmp, sizeof(tmp), spec, width, prec, sv)
                        : snprintf(tmp, sizeof(tmp), spec, width, prec, uv);
            else if (width >= 0)
                n = sgn ? snprintf(tmp, sizeof(tmp), spec, width, sv)
                        : snprintf(tmp, sizeof(tmp), spec, width, uv);
            else if (prec >= 0)
                n = sgn ? snprintf(tmp, sizeof(tmp), spec, prec, sv)
                        : snprintf(tmp, sizeof(tmp), spec, prec, uv);
            else
                n = sgn ? snprintf(tmp, sizeof(tmp), spec, sv) : snprintf(tmp, sizeof(tmp), spec, uv);
            if (n > 0)
                out_str(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
            break;
        }
        case 'p': {
            void *p = va_arg(ap, void *);
            /* Windows prints pointers as full-width upper-case hex. */
            n = snprintf(tmp, sizeof(tmp), "%0*llX", (int)(2 * sizeof(void *)),
                         (unsigned long long)(uintptr_t)p);
            out_padded(o, tmp, (size_t)n, width, left);
            break;
        }
        case 'c':
        case 'C': {
            int c = va_arg(ap, int);
            if (conv == 'C' || sz == SZ_WIDE || sz == SZ_L32) {
                WCHAR w = (WCHAR)c;
                struct outbuf t = {tmp, 0, sizeof(tmp)};
                tmp[0] = '\0';
                out_wide(&t, &w, 1);
                out_padded(o, tmp, t.len, width, left);
            } else {
                char ch = (char)c;
                out_padded(o, &ch, 1, width, left);
            }
            break;
        }
        case 's':
        case 'S': {
            struct outbuf t = {tmp, 0, sizeof(tmp)};
            tmp[0] = '\0';
            if (conv == 'S' || sz == SZ_WIDE || sz == SZ_L32) {
                const WCHAR *w = va_arg(ap, const WCHAR *);
                if (!w) {
                    out_str(&t, "(null)", 6);
                } else {
                    size_t len = 0;
                    while (w[len] && (prec < 0 || len < (size_t)prec))
                        len++;
                    out_wide(&t, w, len);
                }
            } else {
                const char *s = va_arg(ap, const char *);
                if (!s)
                    s = "(null)";
                size_t len = strlen(s);
                if (prec >= 0 && (size_t)prec < len)
                    len = (size_t)prec;
                out_str(&t, s, len);
            }
            out_padded(o, tmp, t.len, width, left);
            break;
        }
        case 'Z': {
            struct outbuf t = {tmp, 0, sizeof(tmp)};
            tmp[0] = '\0';
            if (sz == SZ_WIDE) {
                const UNICODE_STRING *u = va_arg(ap, const UNICODE_STRING *);
                if (!u || (!u->Buffer && u->Length))
                    out_str(&t, "(null)", 6);
                else if (u->Buffer)
                    out_wide(&t, u->Buffer, u->Length / sizeof(WCHAR));
            } else {
                const STRING *a = va_arg(ap, const STRING *);
                if (!a || (!a->Buffer && a->Length))
                    out_str(&t, "(null)", 6);
                else if (a->Buffer)
                    out_str(&t, a->Buffer, a->Length);
            }
            out_padded(o, tmp, t.len, width, left);
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            snprintf(spec, sizeof(spec), "%%%s%s%s%s%s%c", flags, width >= 0 ? "*" : "",
                     prec >= 0 ? "." : "", prec >= 0 ? "*" : "",
                     sz == SZ_LONGDOUBLE ? "L" : "", conv);
            if (sz == SZ_LONGDOUBLE) {
                long double v = va_arg(ap, long double);
                if (width >= 0 && prec >= 0)
                    n = snprintf(tmp, sizeof(tmp), spec, width, prec, v);
                else if (width >= 0)
                    n = snprintf(tmp, sizeof(tmp), spec, width, v);
                else if (prec >= 0)
                    n = snprintf(tmp, sizeof(tmp), spec, prec, v);
                else
                    n = snprintf(tmp, sizeof(tmp), spec, v);
            } else {
                double v = va_arg(ap, double);
                if (width >= 0 && prec >= 0)
                    n = snprintf(tmp, sizeof(tmp), spec, width, prec, v);
                else if (width >= 0)
                    n = snprintf(tmp, sizeof(tmp), spec, width, v);
                else if (prec >= 0)
                    n = snprintf(tmp, sizeof(tmp), spec, prec, v);
                else
                    n = snprintf(tmp, sizeof(tmp), spec, v);
            }
            if (n > 0)
                out_str(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
            break;
        }
        case 'n':
            (void)va_arg(ap, void *); /* not supported, as in Windows' kernel printf */
            break;
        default:
            out_str(o, start, (size_t)(fmt - start));
            break;
        }
    }
}

static void dbg_emit(const char *fmt, va_list ap)
{
    char buf[DBG_BUF];
    struct ndisi_image *img = ndisi_cb_current_image();
    struct outbuf o = {buf, 0, sizeof(buf)};
    buf[0] = '\0';
    out_str(&o, "[", 1);
    const char *name = img ? img->name : "no driver";
    out_str(&o, name, strlen(name));
    out_str(&o, "] ", 2);
    win_vformat(&o, fmt ? fmt : "(null)", ap);
    /* One write per message, so that concurrent messages do not interleave. */
    fputs(buf, stderr);
    fflush(stderr);
}

ULONG DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    dbg_emit(Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

/*
 * Which DbgPrintEx levels print: like Windows' default filter, error-level
 * messages (level 0) always; NDIS_DBGPRINT_MASK (hex, from the environment)
 * adds levels, e.g. 0xf for error, warning, trace and info.
 */
static ULONG dbg_mask(void)
{
    static ULONG mask; /* 0: not read yet */
    ULONG m = __atomic_load_n(&mask, __ATOMIC_RELAXED);
    if (m == 0) {
        const char *env = getenv("NDIS_DBGPRINT_MASK");
        m = 1u | (env ? (ULONG)strtoul(env, NULL, 16) : 0u);
        __atomic_store_n(&mask, m, __ATOMIC_RELAXED);
    }
    return m;
}

ULONG DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
                 _In_z_ _Printf_format_string_ PCSTR Format, ...)
{
    (void)ComponentId;
    ULONG levels = (Level & DPFLTR_MASK) ? (Level & ~(ULONG)DPFLTR_MASK)
                   : Level <= 31         ? (1u << Level)
                                         : Level;
    if (!(levels & dbg_mask()))
        return STATUS_SUCCESS;
    va_list ap;
    va_start(ap, Format);
    dbg_emit(Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

/* ASSERT/NT_ASSERT in a driver: reported, then the process stops, as a debug
   break with no debugger would stop Windows. */
VOID RtlAssert(_In_ PVOID FailedAssertion, _In_ PVOID FileName, _In_ ULONG LineNumber,
               _In_opt_z_ PCHAR Message)
{
    struct ndisi_image *img = ndisi_cb_current_image();
    ndisi_report(NDISI_V_STATE, "RtlAssert", "a driver assertion (ASSERT, NT_ASSERT) failed",
                 "driver '%s': %s%s%s (%s:%lu)", img ? img->name : "?",
                 Message ? Message : "", Message ? ": " : "",
                 FailedAssertion ? (const char *)FailedAssertion : "?",
                 FileName ? (const char *)FileName : "?", (unsigned long)LineNumber);
    fflush(stderr);
    abort();
}

/*
 * string.c - counted strings: RtlInitUnicodeString, RtlInitString,
 * RtlInitAnsiString, RtlCopyUnicodeString, RtlEqualUnicodeString,
 * RtlCompareUnicodeString, RtlAnsiStringToUnicodeString,
 * RtlUnicodeStringToAnsiString, RtlFreeUnicodeString, RtlFreeAnsiString.
 *
 * ANSI strings use Windows' ANSI code page 1252 (Western European), the code
 * page of an English or Western European Windows installation: bytes 0x00-0x7f
 * and 0xa0-0xff map to the same code points, 0x80-0x9f to the typographic
 * characters of the table below. Characters with no 1252 byte convert to '?'.
 *
 * Case-insensitive comparison upcases UTF-16 code units with simple one-to-one
 * mappings for ASCII, Latin-1, Latin Extended-A, basic Greek and basic
 * Cyrillic, the scripts of network adapter and registry names.
 *
 * Strings that these routines allocate are tagged blocks charged to the driver
 * running the call (or to no driver), freed by RtlFreeUnicodeString and
 * RtlFreeAnsiString.
 */
#include <stdint.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "os/memory.h"

#define STRING_TAG NDISI_TAG('R', 't', 'l', 'S')
#define MAX_USTRING 0xfffeu /* largest even USHORT byte count */

/* ---- code page 1252 ------------------------------------------------------------ */

/* Code points of bytes 0x80-0x9f; 0 marks the five bytes 1252 leaves undefined. */
static const uint16_t cp1252_high[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
    0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static WCHAR ansi_to_wchar(unsigned char c)
{
    if (c < 0x80 || c >= 0xa0)
        return c;
    /* Windows maps the undefined bytes to the C1 control of the same value. */
    return cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : c;
}

static char wchar_to_ansi(WCHAR w)
{
    if (w < 0x80 || (w >= 0xa0 && w <= 0xff))
        return (char)w;
    for (unsigned i = 0; i < 32; i++)
        if (cp1252_high[i] == w || (!cp1252_high[i] && w == 0x80 + i))
            return (char)(0x80 + i);
    return '?';
}

/* ---- case folding ------------------------------------------------------------------ */

static WCHAR upcase(WCHAR c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') ? (WCHAR)(c - 0x20) : c;
    if (c < 0x100) {
        if ((c >= 0xe0 && c <= 0xfe && c != 0xf7))
            return (WCHAR)(c - 0x20);
        if (c == 0xff)
            return 0x178; /* y with diaeresis */
        if (c == 0xb5)
            return 0x39c; /* micro sign -> Greek capital mu */
        return c;
    }
    if (c <= 0x17f) {
        if (c == 0x131)
            return 'I'; /* dotless i */
        /* Latin Extended-A: capital/small pairs, capital on the even code point
           in 0100-0137 and 014a-0177, on the odd one in 0139-0148 and 0179-017e. */
        if ((c <= 0x137 || (c >= 0x14a && c <= 0x177)) && (c & 1))
            return (WCHAR)(c - 1);
        if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) && !(c & 1))
            return (WCHAR)(c - 1);
        if (c == 0x17f)
            return 'S'; /* long s */
        return c;
    }
    if (c >= 0x3b1 && c <= 0x3cb && c != 0x3c2)
        return (WCHAR)(c - 0x20); /* Greek small alpha..upsilon with dialytika */
    if (c == 0x3c2)
        return 0x3a3; /* final sigma */
    if (c >= 0x430 && c <= 0x44f)
        return (WCHAR)(c - 0x20); /* Cyrillic small a..ya */
    if (c >= 0x450 && c <= 0x45f)
        return (WCHAR)(c - 0x50); /* Cyrillic small ie with grave..dzhe */
    return c;
}

/* ---- initialization ------------------------------------------------------------------ */

static size_t wcs_len(PCWSTR s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

VOID RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                          _In_opt_z_ PCWSTR SourceString)
{
    if (!DestinationString) {
        ndisi_report(NDISI_V_PARAMETER, "RtlInitUnicodeString",
                     "DestinationString must not be NULL", "DestinationString is NULL");
        return;
    }
    DestinationString->Buffer = (PWSTR)SourceString;
    if (!SourceString) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    size_t bytes = wcs_len(SourceString) * sizeof(WCHAR);
    if (bytes > MAX_USTRING - sizeof(WCHAR))
        bytes = MAX_USTRING - sizeof(WCHAR); /* a UNICODE_STRING counts at most 65534 bytes */
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
}

static void init_string(PSTRING d, PCSZ s, const char *ddi)
{
    if (!d) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "DestinationString must not be NULL",
                     "DestinationString is NULL");
        return;
    }
    d->Buffer = (PCHAR)s;
    if (!s) {
        d->Length = d->MaximumLength = 0;
        return;
    }
    size_t n = strlen(s);
    if (n > 0xfffeu)
        n = 0xfffeu;
    d->Length = (USHORT)n;
    d->MaximumLength = (USHORT)(n + 1);
}

VOID RtlInitString(_Out_ PSTRING DestinationString, _In_opt_z_ PCSZ SourceString)
{
    init_string(DestinationString, SourceString, "RtlInitString");
}

VOID RtlInitAnsiString(_Out_ PANSI_STRING DestinationString, _In_opt_z_ PCSZ SourceString)
{
    init_string(DestinationString, SourceString, "RtlInitAnsiString");
}

/* ---- copy and compare -------------------------------------------------------------------- */

/*
 * nf-wdm-rtlcopyunicodestring.md: copies min(Source Length, Destination
 * MaximumLength) bytes; MaximumLength and Buffer are not modified; a NULL
 * source sets Length to zero. The copy is NUL-terminated when there is room,
 * as Windows does.
 */
VOID RtlCopyUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                          _In_opt_ PCUNICODE_STRING SourceString)
{
    if (!DestinationString) {
        ndisi_report(NDISI_V_PARAMETER, "RtlCopyUnicodeString",
                     "DestinationString must not be NULL", "DestinationString is NULL");
        return;
    }
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length < DestinationString->MaximumLength
                   ? SourceString->Length
                   : DestinationString->MaximumLength;
    n &= (USHORT)~1u;
    if (n && (!DestinationString->Buffer || !SourceString->Buffer)) {
        ndisi_report(NDISI_V_PARAMETER, "RtlCopyUnicodeString",
                     "The caller must properly initialize all members of the structure",
                     "%s Buffer is NULL", DestinationString->Buffer ? "SourceString" : "DestinationString");
        return;
    }
    if (n)
        memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if ((size_t)n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
}

static bool ustr_ok(PCUNICODE_STRING s, const char *ddi, const char *name)
{
    if (!s) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "the strings must not be NULL", "%s is NULL", name);
        return false;
    }
    if (s->Length && !s->Buffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "a counted string with a length needs a buffer",
                     "%s has Length %u and a NULL Buffer", name, (unsigned)s->Length);
        return false;
    }
    return true;
}

static LONG compare(PCUNICODE_STRING a, PCUNICODE_STRING b, BOOLEAN ci)
{
    size_t na = a->Length / sizeof(WCHAR), nb = b->Length / sizeof(WCHAR);
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        WCHAR ca = a->Buffer[i], cb = b->Buffer[i];
        if (ci) {
            ca = upcase(ca);
            cb = upcase(cb);
        }
        if (ca != cb)
            return (LONG)ca - (LONG)cb;
    }
    return (LONG)na - (LONG)nb;
}

/* nf-wdm-rtlcompareunicodestring.md: zero if equal, < 0 if String1 is less. */
LONG RtlCompareUnicodeString(_In_ PCUNICODE_STRING String1, _In_ PCUNICODE_STRING String2,
                             _In_ BOOLEAN CaseInSensitive)
{
    ndisi_irql_le(PASSIVE_LEVEL, "RtlCompareUnicodeString", "Irql_Miscellaneous_Function");
    if (!ustr_ok(String1, "RtlCompareUnicodeString", "String1") ||
        !ustr_ok(String2, "RtlCompareUnicodeString", "String2"))
        return 0;
    return compare(String1, String2, CaseInSensitive);
}

BOOLEAN RtlEqualUnicodeString(_In_ PCUNICODE_STRING String1, _In_ PCUNICODE_STRING String2,
                              _In_ BOOLEAN CaseInSensitive)
{
    ndisi_irql_le(PASSIVE_LEVEL, "RtlEqualUnicodeString", "Irql_Miscellaneous_Function");
    if (!ustr_ok(String1, "RtlEqualUnicodeString", "String1") ||
        !ustr_ok(String2, "RtlEqualUnicodeString", "String2"))
        return FALSE;
    if (String1->Length != String2->Length)
        return FALSE;
    return compare(String1, String2, CaseInSensitive) == 0 ? TRUE : FALSE;
}

/* ---- conversion ---------------------------------------------------------------------------- */

static void *string_alloc(size_t bytes)
{
    struct ndisi_image *img = ndisi_cb_current_image();
    return ndisi_mem_alloc(img ? &img->mem : NULL, img ? img->name : NULL, NDISI_MEM_STRING,
                           bytes, STRING_TAG);
}

/*
 * The ANSI string is converted byte for byte (code page 1252); the result is
 * NUL-terminated when allocated, or when the caller's buffer has room.
 * Returns STATUS_BUFFER_OVERFLOW if the caller's buffer is too small,
 * STATUS_NO_MEMORY if allocation fails, and STATUS_INVALID_PARAMETER (which
 * ntstatus.h defines; Windows says STATUS_INVALID_PARAMETER_2) if the result
 * cannot be counted in a UNICODE_STRING.
 */
NTSTATUS RtlAnsiStringToUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                      _In_ PCANSI_STRING SourceString,
                                      _In_ BOOLEAN AllocateDestinationString)
{
    const char *ddi = "RtlAnsiStringToUnicodeString";
    ndisi_irql_le(PASSIVE_LEVEL, ddi, "Irql_Miscellaneous_Function");
    if (!DestinationString || !SourceString || (SourceString->Length && !SourceString->Buffer)) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "the strings must be valid counted strings",
                     "%s", !DestinationString ? "DestinationString is NULL"
                           : !SourceString    ? "SourceString is NULL"
                                              : "SourceString has a length and no Buffer");
        return STATUS_INVALID_PARAMETER;
    }
    size_t chars = SourceString->Length;
    size_t bytes = chars * sizeof(WCHAR);
    if (bytes > MAX_USTRING - sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    if (AllocateDestinationString) {
        PWSTR buf = string_alloc(bytes + sizeof(WCHAR));
        if (!buf)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buf;
        DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    } else if (bytes > DestinationString->MaximumLength || (bytes && !DestinationString->Buffer)) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < chars; i++)
        DestinationString->Buffer[i] = ansi_to_wchar((unsigned char)SourceString->Buffer[i]);
    DestinationString->Length = (USHORT)bytes;
    if (bytes + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[chars] = 0;
    return STATUS_SUCCESS;
}

/*
 * One ANSI byte per UTF-16 code unit ('?' for what code page 1252 cannot
 * hold). When the caller's buffer is too small, as much as fits is converted,
 * NUL-terminated, and STATUS_BUFFER_OVERFLOW returned.
 */
NTSTATUS RtlUnicodeStringToAnsiString(_Inout_ PANSI_STRING DestinationString,
                                      _In_ PCUNICODE_STRING SourceString,
                                      _In_ BOOLEAN AllocateDestinationString)
{
    const char *ddi = "RtlUnicodeStringToAnsiString";
    ndisi_irql_le(PASSIVE_LEVEL, ddi, "Irql_Miscellaneous_Function");
    if (!DestinationString || !ustr_ok(SourceString, ddi, "SourceString")) {
        if (!DestinationString)
            ndisi_report(NDISI_V_PARAMETER, ddi, "the strings must be valid counted strings",
                         "DestinationString is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    size_t chars = SourceString->Length / sizeof(WCHAR);
    NTSTATUS status = STATUS_SUCCESS;
    if (chars + 1 > 0xffffu)
        return STATUS_INVALID_PARAMETER;
    if (AllocateDestinationString) {
        PCHAR buf = string_alloc(chars + 1);
        if (!buf)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buf;
        DestinationString->MaximumLength = (USHORT)(chars + 1);
    } else if (chars >= DestinationString->MaximumLength) {
        if (DestinationString->MaximumLength == 0 || !DestinationString->Buffer)
            return STATUS_BUFFER_OVERFLOW;
        chars = DestinationString->MaximumLength - 1u;
        status = STATUS_BUFFER_OVERFLOW;
    } else if (!DestinationString->Buffer) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < chars; i++)
        DestinationString->Buffer[i] = wchar_to_ansi(SourceString->Buffer[i]);
    DestinationString->Buffer[chars] = '\0';
    DestinationString->Length = (USHORT)chars;
    return status;
}

static void free_string_buffer(void *buf, const char *ddi)
{
    struct ndisi_mem_expect e = {.kind = NDISI_MEM_STRING, .check_tag = true, .tag = STRING_TAG};
    ndisi_mem_free(buf, ddi, &e);
}

/* nf-wdm-rtlfreeunicodestring.md: releases storage allocated by
   RtlAnsiStringToUnicodeString. */
VOID RtlFreeUnicodeString(_Inout_ PUNICODE_STRING UnicodeString)
{
    ndisi_irql_le(APC_LEVEL, "RtlFreeUnicodeString", "Irql_Miscellaneous_Function");
    if (!UnicodeString) {
        ndisi_report(NDISI_V_PARAMETER, "RtlFreeUnicodeString", "UnicodeString must not be NULL",
                     "UnicodeString is NULL");
        return;
    }
    if (UnicodeString->Buffer)
        free_string_buffer(UnicodeString->Buffer, "RtlFreeUnicodeString");
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID RtlFreeAnsiString(_Inout_ PANSI_STRING AnsiString)
{
    ndisi_irql_le(APC_LEVEL, "RtlFreeAnsiString", "Irql_Miscellaneous_Function");
    if (!AnsiString) {
        ndisi_report(NDISI_V_PARAMETER, "RtlFreeAnsiString", "AnsiString must not be NULL",
                     "AnsiString is NULL");
        return;
    }
    if (AnsiString->Buffer)
        free_string_buffer(AnsiString->Buffer, "RtlFreeAnsiString");
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

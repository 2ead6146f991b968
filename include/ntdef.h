/*
 * ntdef.h - Windows base types for NDIS drivers built with libndis.
 *
 * Part of libndis' Windows-compatible driver headers (tier 1). Types keep their
 * Windows widths on every Linux target (LLP64 rules: ULONG and LONG are 32 bits,
 * WCHAR is 16 bits, *_PTR types are pointer sized). See constants.md section 5
 * of the NDIS reference for the table these follow.
 *
 * Calling conventions: drivers and libndis are compiled from source with the
 * same compiler, so NTAPI, NDIS_API and friends expand to nothing. Source
 * compatibility is the promise; binary compatibility with Windows .sys files is
 * not.
 */
#ifndef _NTDEF_
#define _NTDEF_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sal.h>

#ifdef __cplusplus
#define EXTERN_C extern "C"
#define EXTERN_C_START extern "C" {
#define EXTERN_C_END }
#else
#define EXTERN_C extern
#define EXTERN_C_START
#define EXTERN_C_END
#endif

/* Calling-convention and storage decorations (no-ops on Linux). */
#define NTAPI
#define NTSYSAPI
#define NTKERNELAPI
#define NTHALAPI
#define WINAPI
#define STDCALL
#define __stdcall
#define __cdecl
#define __fastcall
#define FASTCALL
#define CALLBACK
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)
#define FORCEINLINE static inline __attribute__((always_inline))
#define NTAPI_INLINE
#ifndef __forceinline
#define __forceinline inline __attribute__((always_inline))
#endif
#define __inline inline
#define __declspec(x)
#define IN
#define OUT
#define OPTIONAL
#define CONST const
#define VOID void
#define UNALIGNED
#define POINTER_64
#define POINTER_32
#define RESTRICTED_POINTER

#if defined(__x86_64__) || defined(__aarch64__) || defined(__powerpc64__) || \
    (defined(__riscv) && __riscv_xlen == 64) || defined(__s390x__)
#ifndef _WIN64
#define _WIN64 1
#endif
#endif
#if defined(__x86_64__)
#ifndef _AMD64_
#define _AMD64_ 1
#endif
#elif defined(__i386__)
#ifndef _X86_
#define _X86_ 1
#endif
#elif defined(__aarch64__)
#ifndef _ARM64_
#define _ARM64_ 1
#endif
#endif

/* Fixed-width base types (Windows widths). */
typedef void *PVOID, **PPVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *LPCSTR, *PCSZ;
typedef signed char SCHAR, *PSCHAR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE;
typedef int16_t SHORT, *PSHORT, CSHORT;
typedef uint16_t USHORT, *PUSHORT, WORD, *PWORD;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG, DWORD, *PDWORD;
typedef int32_t INT, *PINT;
typedef uint32_t UINT, *PUINT;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64, *PINT64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, *PDWORD64;
typedef int8_t INT8, *PINT8;
typedef uint8_t UINT8, *PUINT8;
typedef int16_t INT16, *PINT16;
typedef uint16_t UINT16, *PUINT16;
typedef int32_t INT32, *PINT32, LONG32, *PLONG32;
typedef uint32_t UINT32, *PUINT32, ULONG32, *PULONG32, DWORD32, *PDWORD32;
typedef uint64_t UINT64, *PUINT64;
typedef intptr_t INT_PTR, *PINT_PTR, LONG_PTR, *PLONG_PTR, SSIZE_T, *PSSIZE_T;
typedef uintptr_t UINT_PTR, *PUINT_PTR, ULONG_PTR, *PULONG_PTR, SIZE_T, *PSIZE_T;
typedef ULONG_PTR DWORD_PTR, *PDWORD_PTR;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef float FLOAT;
typedef double DOUBLE;
typedef char CCHAR;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef int BOOL, *PBOOL;
typedef ULONG LOGICAL, *PLOGICAL;

/* WCHAR is a 16-bit UTF-16 code unit, never the 32-bit Linux wchar_t. */
typedef uint16_t WCHAR, *PWCHAR, *PWCH, *LPWCH, *PWSTR, *LPWSTR, *NWPSTR;
typedef const WCHAR *PCWCH, *LPCWCH, *PCWSTR, *LPCWSTR;
typedef PWSTR *PZPWSTR;
typedef WCHAR *PZZWSTR;
typedef const WCHAR *PCZZWSTR;

typedef LONG NTSTATUS, *PNTSTATUS;
typedef ULONG CLONG;
typedef void *HANDLE, **PHANDLE;
typedef UCHAR KPROCESSOR_MODE;

#define TRUE 1
#define FALSE 0
#ifndef NULL
#define NULL ((void *)0)
#endif

#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG 0x80000000
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffff
#define MAXLONGLONG (0x7fffffffffffffffLL)
#define MAXULONGLONG (0xffffffffffffffffULL)
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MINLONG_PTR (~MAXLONG_PTR)

#if defined(_WIN64)
#define MEMORY_ALLOCATION_ALIGNMENT 16
#else
#define MEMORY_ALLOCATION_ALIGNMENT 8
#endif

/* 64-bit integers as unions, laid out little-endian as on Windows. */
typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    };
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef struct _GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} GUID, *PGUID, *LPGUID;
typedef const GUID *LPCGUID, *PCGUID;
#define REFGUID const GUID *

/* Counted strings (ddi/base/ns-ntdef-_unicode_string.md, ns-ntdef-string.md). */
typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, excluding any terminator */
    USHORT MaximumLength; /* bytes */
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING;

/*
 * UNICODE_STRING literal: RTL_CONSTANT_STRING(L"x") needs a 16-bit literal, so
 * libndis accepts u"x" (C11 char16_t) literals through this macro.
 */
#define RTL_CONSTANT_STRING(s)                                                  \
    { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (PWSTR)(s) }

/* Doubly and singly linked lists (ddi/base/ns-ntdef-list_entry.md). */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *RESTRICTED_POINTER PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* Processor group and number (ntdef.h, used by wdm.h and ntddndis.h). */
typedef struct _PROCESSOR_NUMBER {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;

typedef struct _GROUP_AFFINITY {
    KAFFINITY Mask;
    USHORT Group;
    USHORT Reserved[3];
} GROUP_AFFINITY, *PGROUP_AFFINITY;

/* Structure helpers. */
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field)                                   \
    (offsetof(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field)                                 \
    ((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <=                 \
     (((PCHAR)(Struct)) + (Size)))
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define CONTAINING_RECORD(address, type, field)                                 \
    ((type *)((PCHAR)(address) - offsetof(type, field)))
#define ALIGN_DOWN_BY(length, alignment)                                        \
    ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment)                                          \
    (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), (alignment)))
#define ALIGN_DOWN_POINTER_BY(address, alignment)                               \
    ((PVOID)((ULONG_PTR)(address) & ~((ULONG_PTR)(alignment) - 1)))
#define ALIGN_UP_POINTER_BY(address, alignment)                                 \
    (ALIGN_DOWN_POINTER_BY(((ULONG_PTR)(address) + (alignment) - 1), (alignment)))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))

#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define ARGUMENT_PRESENT(ArgumentPointer) ((CHAR *)((ULONG_PTR)(ArgumentPointer)) != (CHAR *)NULL)

#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

#define MAKELONG(a, b) ((LONG)(((WORD)(a)) | ((DWORD)((WORD)(b))) << 16))
#define LOWORD(l) ((WORD)((DWORD_PTR)(l) & 0xffff))
#define HIWORD(l) ((WORD)((DWORD_PTR)(l) >> 16))
#define LOBYTE(w) ((BYTE)((DWORD_PTR)(w) & 0xff))
#define HIBYTE(w) ((BYTE)((DWORD_PTR)(w) >> 8))

/* Memory helpers (macros over the C library, as in Windows' headers). */
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlSecureZeroMemory(Destination, Length) memset((Destination), 0, (Length))

#endif /* _NTDEF_ */

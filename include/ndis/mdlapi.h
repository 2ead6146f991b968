/*
 * ndis/mdlapi.h - MDLs for NDIS drivers: NdisAllocateMdl / NdisFreeMdl
 * (ddi/ndis-split/mdlapi/) and the MDL macros NdisQueryMdl,
 * NdisQueryMdlOffset, NdisGetNextMdl (concepts/ndisquerymdl.md,
 * ndisquerymdloffset.md, ndisgetnextmdl.md) and NdisAdjustMdlLength
 * (ddi/nf-ndis-ndisadjustmdllength.md). The MDL itself comes from wdm.h.
 */
#ifndef _NDIS_MDLAPI_H_
#define _NDIS_MDLAPI_H_

#include <ntdef.h>
#include <wdm.h>
#include <ndis/types.h>

EXTERN_C_START

/* VirtualAddress must be nonpaged (heap) memory, not the stack or globals. */
_IRQL_requires_max_(DISPATCH_LEVEL)
PMDL
NdisAllocateMdl(
    _In_ NDIS_HANDLE NdisHandle,
    _In_ PVOID VirtualAddress,
    _In_ UINT Length);

/* Only for MDLs from NdisAllocateMdl. */
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeMdl(
    _In_ PMDL Mdl);

EXTERN_C_END

/*
 * The four below are macros in Windows, so they stay macros: the output
 * arguments are pointers to caller variables.
 */

/*
 * *_VirtualAddress (if not NULL) = mapped base address, *_Length = ByteCount.
 * Testing the pointer as an integer keeps `&va` arguments free of -Waddress.
 */
#define NdisQueryMdl(_Mdl, _VirtualAddress, _Length, _Priority)                 \
    do {                                                                        \
        if ((ULONG_PTR)(_VirtualAddress) != 0)                                  \
            *(PVOID *)(_VirtualAddress) =                                       \
                MmGetSystemAddressForMdlSafe((_Mdl), (_Priority));              \
        *(_Length) = (_Mdl)->ByteCount;                                         \
    } while (0)

/* *_Offset = offset of the buffer inside its first page, *_Length = ByteCount. */
#define NdisQueryMdlOffset(_Mdl, _Offset, _Length)                              \
    do {                                                                        \
        *(_Offset) = (_Mdl)->ByteOffset;                                        \
        *(_Length) = (_Mdl)->ByteCount;                                         \
    } while (0)

#define NdisGetNextMdl(_CurrentMdl, _NextMdl)                                   \
    do {                                                                        \
        *(_NextMdl) = (_CurrentMdl)->Next;                                      \
    } while (0)

/*
 * Sets ByteCount. Only on MDLs the caller allocated with NdisAllocateMdl, never
 * larger than the allocated length, and restored before NdisFreeMdl.
 */
#define NdisAdjustMdlLength(_Mdl, _Length)                                      \
    do {                                                                        \
        (_Mdl)->ByteCount = (ULONG)(_Length);                                   \
    } while (0)

#endif /* _NDIS_MDLAPI_H_ */

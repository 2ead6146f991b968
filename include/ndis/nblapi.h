/*
 * ndis/nblapi.h - NET_BUFFER_LIST / NET_BUFFER pools and the data-path
 * functions of ddi/ndis-split/nblapi/ that libndis implements (the NET_BUFFER
 * data path paragraph of docs/headers.md).
 *
 * Every function here may be called at IRQL <= DISPATCH_LEVEL (req.irql of
 * the pages), hence _IRQL_requires_max_(DISPATCH_LEVEL) on each.
 */
#ifndef _NDIS_NBLAPI_H_
#define _NDIS_NBLAPI_H_

#include <ntdef.h>
#include <wdm.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>
#include <ndis/nbl.h>
#include <ntddndis.h> /* NDIS_PROTOCOL_ID_* for NET_BUFFER_LIST_POOL_PARAMETERS.ProtocolId */

EXTERN_C_START

/*
 * ns-nblapi-net_buffer_list_pool_parameters.md. Header.Type =
 * NDIS_OBJECT_TYPE_DEFAULT, Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
 * Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1.
 */
typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    UCHAR ProtocolId;           /* NDIS_PROTOCOL_ID_* */
    BOOLEAN fAllocateNetBuffer; /* preallocate one NET_BUFFER per NBL */
    USHORT ContextSize;         /* multiple of MEMORY_ALLOCATION_ALIGNMENT */
    ULONG PoolTag;
    ULONG DataSize;             /* nonzero: each NB also gets a data buffer */
    ULONG Flags;                /* NET_BUFFER_LIST_POOL_FLAG_*; not in revision 1's size */
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;

#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1                  \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize)

/* Freed NBLs are not reused at once, so use-after-free shows up. */
#define NET_BUFFER_LIST_POOL_FLAG_VERIFY 0x00000001

/*
 * NET_BUFFER_POOL_PARAMETERS (defined on nf-nblapi-ndisallocatenetbufferpool.md).
 * Header.Type = NDIS_OBJECT_TYPE_DEFAULT.
 */
typedef struct _NET_BUFFER_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG PoolTag;
    ULONG DataSize; /* buffer size for NdisAllocateNetBufferMdlAndData, else 0 */
} NET_BUFFER_POOL_PARAMETERS, *PNET_BUFFER_POOL_PARAMETERS;

#define NET_BUFFER_POOL_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1                       \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_POOL_PARAMETERS, DataSize)

/*
 * AllocateCloneFlags / FreeCloneFlags of NdisAllocateCloneNetBufferList and
 * NdisFreeCloneNetBufferList. USE_ORIGINAL_MDLS: the clone shares the
 * original MDL chain instead of getting new MDLs for the same data.
 */
#define NDIS_CLONE_FLAGS_RESERVED 0x00000001
#define NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS 0x00000002

/*
 * NetAllocateMdl / NetFreeMdl (nc-nblapi-net_buffer_allocate_mdl.md,
 * nc-nblapi-net_buffer_free_mdl.md): optional driver hooks that
 * NdisRetreat*DataStart / NdisAdvance*DataStart use instead of NDIS' own MDL
 * and memory allocation. *BufferSize is the size NDIS asks for.
 */
typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(NET_BUFFER_ALLOCATE_MDL)
PMDL (NET_BUFFER_ALLOCATE_MDL)(_In_ PULONG BufferSize);
typedef NET_BUFFER_ALLOCATE_MDL *NET_BUFFER_ALLOCATE_MDL_HANDLER;

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(NET_BUFFER_FREE_MDL)
VOID (NET_BUFFER_FREE_MDL)(_In_ PMDL Mdl);
typedef NET_BUFFER_FREE_MDL *NET_BUFFER_FREE_MDL_HANDLER;

/* Pools. NULL on failure. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_HANDLE
NdisAllocateNetBufferListPool(
    _In_opt_ NDIS_HANDLE NdisHandle,
    _In_ NET_BUFFER_LIST_POOL_PARAMETERS const *Parameters);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeNetBufferListPool(
    _In_ NDIS_HANDLE PoolHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_HANDLE
NdisAllocateNetBufferPool(
    _In_opt_ NDIS_HANDLE NdisHandle,
    _In_ NET_BUFFER_POOL_PARAMETERS const *Parameters);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeNetBufferPool(
    _In_ NDIS_HANDLE PoolHandle);

/*
 * NET_BUFFER_LISTs. ContextSize and ContextBackFill are multiples of
 * MEMORY_ALLOCATION_ALIGNMENT. With MdlChain NULL, DataOffset and DataLength
 * must be 0.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
PNET_BUFFER_LIST
NdisAllocateNetBufferList(
    _In_ NDIS_HANDLE PoolHandle,
    _In_ USHORT ContextSize,
    _In_ USHORT ContextBackFill);

/* Pool created with fAllocateNetBuffer TRUE and DataSize 0. */
_IRQL_requires_max_(DISPATCH_LEVEL)
PNET_BUFFER_LIST
NdisAllocateNetBufferAndNetBufferList(
    _In_ NDIS_HANDLE PoolHandle,
    _In_ USHORT ContextSize,
    _In_ USHORT ContextBackFill,
    _In_opt_ PMDL MdlChain,
    _In_ ULONG DataOffset,
    _In_ SIZE_T DataLength);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeNetBufferList(
    _In_ PNET_BUFFER_LIST NetBufferList);

/* NET_BUFFERs. */
_IRQL_requires_max_(DISPATCH_LEVEL)
PNET_BUFFER
NdisAllocateNetBuffer(
    _In_ NDIS_HANDLE PoolHandle,
    _In_opt_ PMDL MdlChain,
    _In_ ULONG DataOffset,
    _In_ SIZE_T DataLength);

/* Pool created with a nonzero DataSize. */
_IRQL_requires_max_(DISPATCH_LEVEL)
PNET_BUFFER
NdisAllocateNetBufferMdlAndData(
    _In_ NDIS_HANDLE PoolHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeNetBuffer(
    _In_ PNET_BUFFER NetBuffer);

/*
 * Retreat grows the used data space by DataOffsetDelta (allocating
 * DataOffsetDelta + DataBackFill more if the unused space is too small);
 * advance gives it back. NDIS_STATUS_SUCCESS, _RESOURCES or _FAILURE.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisRetreatNetBufferDataStart(
    _In_ PNET_BUFFER NetBuffer,
    _In_ ULONG DataOffsetDelta,
    _In_ ULONG DataBackFill,
    _In_opt_ NET_BUFFER_ALLOCATE_MDL *AllocateMdlHandler);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisAdvanceNetBufferDataStart(
    _In_ PNET_BUFFER NetBuffer,
    _In_ ULONG DataOffsetDelta,
    _In_ BOOLEAN FreeMdl,
    _In_opt_ NET_BUFFER_FREE_MDL *FreeMdlHandler);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisRetreatNetBufferListDataStart(
    _In_ PNET_BUFFER_LIST NetBufferList,
    _In_ ULONG DataOffsetDelta,
    _In_ ULONG DataBackFill,
    _In_opt_ NET_BUFFER_ALLOCATE_MDL *AllocateMdlHandler,
    _In_opt_ NET_BUFFER_FREE_MDL *FreeMdlHandler);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisAdvanceNetBufferListDataStart(
    _In_ PNET_BUFFER_LIST NetBufferList,
    _In_ ULONG DataOffsetDelta,
    _In_ BOOLEAN FreeMdl,
    _In_opt_ NET_BUFFER_FREE_MDL *FreeMdlMdlHandler);

/*
 * A pointer to BytesNeeded contiguous bytes at the start of the used data:
 * into the MDL when contiguous, else into Storage after a copy, else NULL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
PVOID
NdisGetDataBuffer(
    _In_ PNET_BUFFER NetBuffer,
    _In_ ULONG BytesNeeded,
    _In_opt_ PVOID Storage,
    _In_ UINT AlignMultiple,
    _In_ UINT AlignOffset);

/* NET_BUFFER_LIST_CONTEXT space; sizes are multiples of sizeof(void *). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisAllocateNetBufferListContext(
    _In_ PNET_BUFFER_LIST NetBufferList,
    _In_ USHORT ContextSize,
    _In_ USHORT ContextBackFill,
    _In_ ULONG PoolTag);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeNetBufferListContext(
    _In_ PNET_BUFFER_LIST NetBufferList,
    _In_ USHORT ContextSize);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisCopyFromNetBufferToNetBuffer(
    _In_ PNET_BUFFER Destination,
    _In_ ULONG DestinationOffset,
    _In_ ULONG BytesToCopy,
    _In_ PNET_BUFFER Source,
    _In_ ULONG SourceOffset,
    _Out_ PULONG BytesCopied);

/* Clones (NDIS_CLONE_FLAGS_*). */
_IRQL_requires_max_(DISPATCH_LEVEL)
PNET_BUFFER_LIST
NdisAllocateCloneNetBufferList(
    _In_ PNET_BUFFER_LIST OriginalNetBufferList,
    _In_opt_ NDIS_HANDLE NetBufferListPoolHandle,
    _In_opt_ NDIS_HANDLE NetBufferPoolHandle,
    _In_ ULONG AllocateCloneFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeCloneNetBufferList(
    _In_ PNET_BUFFER_LIST CloneNetBufferList,
    _In_ ULONG FreeCloneFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_HANDLE
NdisGetPoolFromNetBufferList(
    _In_ PNET_BUFFER_LIST NetBufferList);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_HANDLE
NdisGetPoolFromNetBuffer(
    _In_ PNET_BUFFER NetBuffer);

/* Upper bound of the physical page breaks in the NB's MDLs. */
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG
NdisQueryNetBufferPhysicalCount(
    _In_ PNET_BUFFER NetBuffer);

EXTERN_C_END

#endif /* _NDIS_NBLAPI_H_ */

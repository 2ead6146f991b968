/*
 * ndis/nblaccessors.h - the NET_BUFFER / NET_BUFFER_LIST accessor macros of
 * ddi/ndis-split/nblaccessors/, plus NDIS_SET/GET_NET_BUFFER_LIST_CANCEL_ID
 * (ddi/nf-ndis-ndis_set_net_buffer_list_cancel_id.md,
 * nf-ndis-ndis_get_net_buffer_list_cancel_id.md).
 *
 * All are macros, as in Windows, and expand to lvalues where the member is
 * one, so drivers can also assign through them
 * (NET_BUFFER_LIST_INFO(nbl, Id) = value). The WDK once gave C and C++
 * different definitions (C++ went through NetBufferHeader.NetBufferData);
 * with the anonymous members of ndis/nbl.h one definition serves both.
 */
#ifndef _NDIS_NBLACCESSORS_H_
#define _NDIS_NBLACCESSORS_H_

#include <ntdef.h>
#include <ndis/nbl.h>
#include <ndis/nblinfo.h>

/* NET_BUFFER */
#define NET_BUFFER_NEXT_NB(_NB) ((_NB)->Next)
#define NET_BUFFER_FIRST_MDL(_NB) ((_NB)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(_NB) ((_NB)->DataLength)
#define NET_BUFFER_DATA_OFFSET(_NB) ((_NB)->DataOffset)
#define NET_BUFFER_CHECKSUM_BIAS(_NB) ((_NB)->ChecksumBias)
#define NET_BUFFER_CURRENT_MDL(_NB) ((_NB)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(_NB) ((_NB)->CurrentMdlOffset)
#define NET_BUFFER_DATA_PHYSICAL_ADDRESS(_NB) ((_NB)->DataPhysicalAddress)
#define NET_BUFFER_PROTOCOL_RESERVED(_NB) ((_NB)->ProtocolReserved)
#define NET_BUFFER_MINIPORT_RESERVED(_NB) ((_NB)->MiniportReserved)

/* NET_BUFFER_SHARED_MEMORY (NDIS 6.20); _SHI is nb->SharedMemoryInfo or a later segment. */
#define NET_BUFFER_SHARED_MEM_NEXT_SEGMENT(_SHI) ((_SHI)->NextSharedMemorySegment)
#define NET_BUFFER_SHARED_MEM_FLAGS(_SHI) ((_SHI)->SharedMemoryFlags)
#define NET_BUFFER_SHARED_MEM_HANDLE(_SHI) ((_SHI)->SharedMemoryHandle)
#define NET_BUFFER_SHARED_MEM_OFFSET(_SHI) ((_SHI)->SharedMemoryOffset)
#define NET_BUFFER_SHARED_MEM_LENGTH(_SHI) ((_SHI)->SharedMemoryLength)

/* NET_BUFFER_LIST */
#define NET_BUFFER_LIST_NEXT_NBL(_NBL) ((_NBL)->Next)
#define NET_BUFFER_LIST_FIRST_NB(_NBL) ((_NBL)->FirstNetBuffer)
#define NET_BUFFER_LIST_FLAGS(_NBL) ((_NBL)->Flags)
#define NET_BUFFER_LIST_NBL_FLAGS(_NBL) ((_NBL)->NblFlags)
#define NET_BUFFER_LIST_STATUS(_NBL) ((_NBL)->Status)
#define NET_BUFFER_LIST_INFO(_NBL, _Id) ((_NBL)->NetBufferListInfo[(_Id)])
#define NET_BUFFER_LIST_MINIPORT_RESERVED(_NBL) ((_NBL)->MiniportReserved)
#define NET_BUFFER_LIST_PROTOCOL_RESERVED(_NBL) ((_NBL)->ProtocolReserved)

/*
 * The used context space of the first NET_BUFFER_LIST_CONTEXT: it starts
 * Offset bytes into ContextData (which begins right after the context header).
 */
#define NET_BUFFER_LIST_CONTEXT_DATA_START(_NBL)                                \
    ((PUCHAR)((_NBL)->Context->ContextData) + (_NBL)->Context->Offset)
#define NET_BUFFER_LIST_CONTEXT_DATA_SIZE(_NBL) (((_NBL)->Context)->Size)

/* NblFlags helpers (NDIS_NBL_FLAGS_*). TestNblFlag: any of _F; TestNblFlags: all of _F. */
#define NdisTestNblFlag(_NBL, _F) ((((_NBL)->NblFlags) & (_F)) != 0)
#define NdisTestNblFlags(_NBL, _F) ((((_NBL)->NblFlags) & (_F)) == (_F))
#define NdisSetNblFlag(_NBL, _F) ((_NBL)->NblFlags |= (_F))
#define NdisClearNblFlag(_NBL, _F) ((_NBL)->NblFlags &= ~(_F))

/*
 * NetBufferListProtocolId shares its slot with NetBufferListFrameType; the
 * protocol id (NDIS_PROTOCOL_ID_*) is the second byte of that slot.
 */
#define NdisSetNetBufferListProtocolId(_NBL, _ProtocolId)                      \
    (((PUCHAR)&NET_BUFFER_LIST_INFO((_NBL), NetBufferListProtocolId))[1] =     \
         (UCHAR)(_ProtocolId))

/*
 * Cancellation identifier of a NET_BUFFER_LIST, kept in its
 * NetBufferListCancelId slot. The high-order byte must come from
 * NdisGeneratePartialCancelId. GET yields the slot's PVOID, so it compares
 * directly with the PVOID CancelId that MiniportCancelSend and
 * FilterCancelSendNetBufferLists receive.
 */
#define NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(_NBL, _CancelId)                    \
    (NET_BUFFER_LIST_INFO((_NBL), NetBufferListCancelId) = (PVOID)(ULONG_PTR)(_CancelId))
#define NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(_NBL)                               \
    (NET_BUFFER_LIST_INFO((_NBL), NetBufferListCancelId))

#endif /* _NDIS_NBLACCESSORS_H_ */

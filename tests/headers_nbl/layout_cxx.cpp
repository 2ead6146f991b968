// The NET_BUFFER headers seen from C++17: the anonymous members give the
// same layout as in C, and the accessor macros name the same members and
// can be assigned through. Compile-only (nothing here is linked).
#include <ndis/mdlapi.h>
#include <ndis/nbl.h>
#include <ndis/nblaccessors.h>
#include <ndis/nblapi.h>
#include <ndis/nblinfo.h>
#include <ndis/nbl8021q.h>
#include <ndis/nblchecksum.h>
#include <ndis/nbllso.h>

#include <cstddef>
#include <type_traits>

#define SAME_OFFSET(A, B, f) static_assert(offsetof(A, f) == offsetof(B, f), #A "." #f)

SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, Next);
SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, CurrentMdl);
SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, CurrentMdlOffset);
SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, DataLength);
SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, stDataLength);
SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, MdlChain);
SAME_OFFSET(NET_BUFFER, NET_BUFFER_DATA, DataOffset);
SAME_OFFSET(NET_BUFFER_DATA, NET_BUFFER_HEADER, Next);
SAME_OFFSET(NET_BUFFER_DATA, NET_BUFFER_HEADER, DataLength);
SAME_OFFSET(NET_BUFFER_DATA, NET_BUFFER_HEADER, DataOffset);
SAME_OFFSET(NET_BUFFER_LIST, NET_BUFFER_LIST_DATA, Next);
SAME_OFFSET(NET_BUFFER_LIST, NET_BUFFER_LIST_DATA, FirstNetBuffer);
static_assert(offsetof(NET_BUFFER_DATA, NbDataLength) == offsetof(NET_BUFFER_DATA, DataLength),
              "NbDataLength overlays DataLength");
static_assert(offsetof(NET_BUFFER, NetBufferHeader) == 0 && offsetof(NET_BUFFER, Link) == 0,
              "NET_BUFFER opens with the header union");
static_assert(offsetof(NET_BUFFER_LIST, NetBufferListHeader) == 0 &&
                  offsetof(NET_BUFFER_LIST, Link) == 0,
              "NET_BUFFER_LIST opens with the header union");
static_assert(offsetof(NET_BUFFER, NdisReserved) % MEMORY_ALLOCATION_ALIGNMENT == 0, "align");
static_assert(offsetof(NET_BUFFER, ProtocolReserved) % MEMORY_ALLOCATION_ALIGNMENT == 0, "align");
static_assert(offsetof(NET_BUFFER, MiniportReserved) % MEMORY_ALLOCATION_ALIGNMENT == 0, "align");
static_assert(offsetof(NET_BUFFER_LIST, NdisReserved) % MEMORY_ALLOCATION_ALIGNMENT == 0, "align");
static_assert(offsetof(NET_BUFFER_LIST, ProtocolReserved) % MEMORY_ALLOCATION_ALIGNMENT == 0, "align");
static_assert(offsetof(NET_BUFFER_LIST, MiniportReserved) % MEMORY_ALLOCATION_ALIGNMENT == 0, "align");
static_assert(sizeof(((NET_BUFFER_LIST *)0)->NetBufferListInfo) ==
                  MaxNetBufferListInfo * sizeof(PVOID),
              "one slot per NDIS_NET_BUFFER_LIST_INFO");
static_assert(sizeof(NDIS_NET_BUFFER_LIST_8021Q_INFO) == sizeof(PVOID), "8021Q info is a slot");
static_assert(sizeof(NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO) == sizeof(PVOID), "slot");
static_assert(sizeof(NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO) == sizeof(PVOID), "slot");
static_assert(NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ==
                  offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize) + sizeof(ULONG),
              "through DataSize");

// Accessors are lvalues of the member's type.
static_assert(std::is_same<decltype(NET_BUFFER_LIST_FIRST_NB((PNET_BUFFER_LIST)0)),
                           PNET_BUFFER &>::value, "FIRST_NB");
static_assert(std::is_same<decltype(NET_BUFFER_DATA_LENGTH((PNET_BUFFER)0)), ULONG &>::value,
              "DATA_LENGTH");
static_assert(std::is_same<decltype(NET_BUFFER_LIST_INFO((PNET_BUFFER_LIST)0, 0)), PVOID &>::value,
              "INFO");
static_assert(std::is_same<decltype(NET_BUFFER_LIST_STATUS((PNET_BUFFER_LIST)0)),
                           NDIS_STATUS &>::value, "STATUS");

// Driver-style use of every macro, callback role types and prototypes.
static NET_BUFFER_ALLOCATE_MDL CxxAllocateMdl;
static NET_BUFFER_FREE_MDL CxxFreeMdl;

static PMDL CxxAllocateMdl(PULONG BufferSize)
{
    (void)BufferSize;
    return nullptr;
}

static VOID CxxFreeMdl(PMDL Mdl)
{
    (void)Mdl;
}

extern "C++" void nbl_cxx_driver_style(PNET_BUFFER_LIST Nbl, PVOID CancelId);
void nbl_cxx_driver_style(PNET_BUFFER_LIST Nbl, PVOID CancelId)
{
    for (PNET_BUFFER_LIST l = Nbl; l != nullptr; l = NET_BUFFER_LIST_NEXT_NBL(l)) {
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(l); nb != nullptr;
             nb = NET_BUFFER_NEXT_NB(nb)) {
            PMDL mdl = NET_BUFFER_CURRENT_MDL(nb);
            PMDL next = nullptr;
            ULONG offset = 0, length = 0;
            PVOID va = nullptr;
            NdisGetNextMdl(mdl, &next);
            NdisQueryMdl(mdl, &va, &length, NormalPagePriority);
            NdisQueryMdlOffset(mdl, &offset, &length);
            NdisAdjustMdlLength(mdl, length);
            NET_BUFFER_DATA_LENGTH(nb) -= NET_BUFFER_CURRENT_MDL_OFFSET(nb);
            NET_BUFFER_DATA_OFFSET(nb) = NET_BUFFER_CHECKSUM_BIAS(nb);
            NET_BUFFER_MINIPORT_RESERVED(nb)[0] = NET_BUFFER_PROTOCOL_RESERVED(nb)[0];
            (void)NET_BUFFER_FIRST_MDL(nb);
            (void)NET_BUFFER_DATA_PHYSICAL_ADDRESS(nb).QuadPart;
            if (nb->SharedMemoryInfo != nullptr) {
                PNET_BUFFER_SHARED_MEMORY shi = nb->SharedMemoryInfo;
                (void)NET_BUFFER_SHARED_MEM_FLAGS(shi);
                (void)NET_BUFFER_SHARED_MEM_HANDLE(shi);
                (void)NET_BUFFER_SHARED_MEM_OFFSET(shi);
                (void)NET_BUFFER_SHARED_MEM_LENGTH(shi);
                (void)NET_BUFFER_SHARED_MEM_NEXT_SEGMENT(shi);
            }
            (void)va;
            (void)offset;
        }
        NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum;
        csum.Value = NET_BUFFER_LIST_INFO(l, TcpIpChecksumNetBufferListInfo);
        if (csum.Transmit.IsIPv4 && csum.Transmit.TcpChecksum)
            NdisSetNblFlag(l, NDIS_NBL_FLAGS_IS_IPV4 | NDIS_NBL_FLAGS_IS_TCP);
        NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;
        lso.Value = NET_BUFFER_LIST_INFO(l, TcpLargeSendNetBufferListInfo);
        if (lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE)
            lso.LsoV2TransmitComplete.Reserved = 0;
        NET_BUFFER_LIST_INFO(l, TcpLargeSendNetBufferListInfo) = lso.Value;
        NDIS_NET_BUFFER_LIST_8021Q_INFO q;
        q.Value = NET_BUFFER_LIST_INFO(l, Ieee8021QNetBufferListInfo);
        q.TagHeader.VlanId = 7;
        NET_BUFFER_LIST_INFO(l, Ieee8021QNetBufferListInfo) = q.Value;
        if (NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(l) == CancelId)
            NET_BUFFER_LIST_STATUS(l) = 0;
        NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(l, CancelId);
        NdisSetNetBufferListProtocolId(l, NDIS_PROTOCOL_ID_TCP_IP);
        if (NdisTestNblFlag(l, NDIS_NBL_FLAGS_RECV_READ_ONLY) ||
            NdisTestNblFlags(l, NDIS_NBL_FLAGS_IS_IPV6 | NDIS_NBL_FLAGS_IS_UDP))
            NdisClearNblFlag(l, NDIS_NBL_FLAGS_HD_SPLIT);
        NET_BUFFER_LIST_FLAGS(l) |= NET_BUFFER_LIST_NBL_FLAGS(l) & NBL_FLAGS_SCRATCH;
        NET_BUFFER_LIST_MINIPORT_RESERVED(l)[1] = NET_BUFFER_LIST_PROTOCOL_RESERVED(l)[3];
        if (l->Context != nullptr && NET_BUFFER_LIST_CONTEXT_DATA_SIZE(l) != 0)
            *NET_BUFFER_LIST_CONTEXT_DATA_START(l) = 0;
        PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(
            l, NdisGetPoolFromNetBufferList(l), nullptr, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        if (clone != nullptr)
            NdisFreeCloneNetBufferList(clone, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        if (NdisRetreatNetBufferListDataStart(l, 14, 0, CxxAllocateMdl, CxxFreeMdl) == 0)
            NdisAdvanceNetBufferListDataStart(l, 14, FALSE, CxxFreeMdl);
    }
}

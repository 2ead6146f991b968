/*
 * test_headers_nbl.c - the NET_BUFFER headers against hand-built structures.
 *
 * Every NET_BUFFER_LIST, NET_BUFFER, MDL and context here lives on the stack;
 * the accessor macros must read and write exactly the members the
 * nblaccessors pages name. Constants are checked against constants.md 2.2,
 * 4.4 and 4.8. No libndis function is called.
 */
#include <ndis/mdlapi.h>
#include <ndis/nbl.h>
#include <ndis/nblaccessors.h>
#include <ndis/nblapi.h>
#include <ndis/nblinfo.h>
#include <ndis/nbl8021q.h>
#include <ndis/nblchecksum.h>
#include <ndis/nbllso.h>

#include "test.h"

#define IS_ALIGNED(off) (((off) % MEMORY_ALLOCATION_ALIGNMENT) == 0)

/* Two NBs on one NBL; NB1 has a two-MDL chain, NB2 one MDL. */
struct fixture {
    UCHAR buf1[64], buf2[32], buf3[128];
    MDL m1, m2, m3;
    NET_BUFFER nb1, nb2;
    NET_BUFFER_LIST nbl, nbl2;
};

static void init_mdl(PMDL m, UCHAR *buf, ULONG len, ULONG offset)
{
    memset(m, 0, sizeof(*m));
    m->StartVa = buf;
    m->MappedSystemVa = buf + offset;
    m->ByteOffset = offset;
    m->ByteCount = len;
}

static void build(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    init_mdl(&f->m1, f->buf1, sizeof(f->buf1), 0);
    init_mdl(&f->m2, f->buf2, sizeof(f->buf2), 4);
    init_mdl(&f->m3, f->buf3, sizeof(f->buf3), 8);
    f->m1.Next = &f->m2;

    f->nb1.MdlChain = &f->m1;
    f->nb1.CurrentMdl = &f->m2;
    f->nb1.CurrentMdlOffset = 6;
    f->nb1.DataOffset = 70;
    f->nb1.DataLength = 20;
    f->nb1.ChecksumBias = 14;
    f->nb1.Next = &f->nb2;

    f->nb2.MdlChain = &f->m3;
    f->nb2.CurrentMdl = &f->m3;
    f->nb2.CurrentMdlOffset = 0;
    f->nb2.DataOffset = 0;
    f->nb2.DataLength = 128;

    f->nbl.FirstNetBuffer = &f->nb1;
    f->nbl.Next = &f->nbl2;
}

TEST(nb_accessors_walk_two_nbs)
{
    struct fixture f;
    build(&f);
    PNET_BUFFER_LIST nbl = &f.nbl;

    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    T_ASSERT(nb == &f.nb1);
    T_ASSERT(NET_BUFFER_FIRST_MDL(nb) == &f.m1);
    T_ASSERT(NET_BUFFER_CURRENT_MDL(nb) == &f.m2);
    T_EQ(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 6);
    T_EQ(NET_BUFFER_DATA_OFFSET(nb), 70);
    T_EQ(NET_BUFFER_DATA_LENGTH(nb), 20);
    T_EQ(NET_BUFFER_CHECKSUM_BIAS(nb), 14);

    nb = NET_BUFFER_NEXT_NB(nb);
    T_ASSERT(nb == &f.nb2);
    T_ASSERT(NET_BUFFER_FIRST_MDL(nb) == &f.m3);
    T_ASSERT(NET_BUFFER_CURRENT_MDL(nb) == &f.m3);
    T_EQ(NET_BUFFER_DATA_LENGTH(nb), 128);
    T_ASSERT(NET_BUFFER_NEXT_NB(nb) == NULL);

    T_ASSERT(NET_BUFFER_LIST_NEXT_NBL(nbl) == &f.nbl2);
    T_ASSERT(NET_BUFFER_LIST_NEXT_NBL(&f.nbl2) == NULL);

    /* Count bytes the way a miniport does. */
    ULONG total = 0, nbs = 0;
    for (PNET_BUFFER b = NET_BUFFER_LIST_FIRST_NB(nbl); b; b = NET_BUFFER_NEXT_NB(b)) {
        total += NET_BUFFER_DATA_LENGTH(b);
        nbs++;
    }
    T_EQ(nbs, 2);
    T_EQ(total, 148);
}

TEST(nb_accessors_write_members)
{
    struct fixture f;
    build(&f);
    PNET_BUFFER nb = &f.nb1;

    NET_BUFFER_DATA_LENGTH(nb) = 1500;
    T_EQ(nb->DataLength, 1500);
    T_EQ(nb->NetBufferHeader.NetBufferData.DataLength, 1500);
    T_EQ(nb->NetBufferHeader.NetBufferData.NbDataLength.DataLength, 1500);
    T_EQ(nb->NetBufferHeader.DataLength, 1500);
    T_EQ(nb->stDataLength & 0xFFFFFFFFu, 1500); /* ULONG overlays the low half */

    NET_BUFFER_DATA_OFFSET(nb) = 42;
    T_EQ(nb->DataOffset, 42);
    T_EQ(nb->NetBufferHeader.NetBufferData.DataOffset, 42);

    NET_BUFFER_CURRENT_MDL(nb) = &f.m1;
    NET_BUFFER_CURRENT_MDL_OFFSET(nb) = 3;
    T_ASSERT(nb->CurrentMdl == &f.m1);
    T_ASSERT(nb->NetBufferHeader.NetBufferData.CurrentMdl == &f.m1);
    T_EQ(nb->CurrentMdlOffset, 3);

    NET_BUFFER_NEXT_NB(nb) = NULL;
    T_ASSERT(nb->Next == NULL);
    T_ASSERT(nb->NetBufferHeader.Next == NULL);
    NET_BUFFER_FIRST_MDL(nb) = &f.m3;
    T_ASSERT(nb->MdlChain == &f.m3);
    T_ASSERT(nb->NetBufferHeader.NetBufferData.MdlChain == &f.m3);

    NET_BUFFER_CHECKSUM_BIAS(nb) = 20;
    T_EQ(nb->ChecksumBias, 20);
    NET_BUFFER_DATA_PHYSICAL_ADDRESS(nb).QuadPart = 0x123456789LL;
    T_EQ(nb->DataPhysicalAddress.QuadPart, 0x123456789LL);

    T_ASSERT((PVOID)NET_BUFFER_MINIPORT_RESERVED(nb) == (PVOID)&nb->MiniportReserved[0]);
    T_ASSERT((PVOID)NET_BUFFER_PROTOCOL_RESERVED(nb) == (PVOID)&nb->ProtocolReserved[0]);
    NET_BUFFER_MINIPORT_RESERVED(nb)[3] = &f;
    NET_BUFFER_PROTOCOL_RESERVED(nb)[5] = &f.nbl;
    T_ASSERT(nb->MiniportReserved[3] == &f);
    T_ASSERT(nb->ProtocolReserved[5] == &f.nbl);
}

TEST(nb_shared_memory_accessors)
{
    NET_BUFFER nb;
    NET_BUFFER_SHARED_MEMORY s1, s2;
    memset(&nb, 0, sizeof(nb));
    memset(&s1, 0, sizeof(s1));
    memset(&s2, 0, sizeof(s2));
    s1.NextSharedMemorySegment = &s2;
    s1.SharedMemoryFlags = 0x5;
    s1.SharedMemoryHandle = &s2;
    s1.SharedMemoryOffset = 4096;
    s1.SharedMemoryLength = 2048;
    nb.SharedMemoryInfo = &s1;

    PNET_BUFFER_SHARED_MEMORY shi = nb.SharedMemoryInfo;
    T_ASSERT(NET_BUFFER_SHARED_MEM_NEXT_SEGMENT(shi) == &s2);
    T_EQ(NET_BUFFER_SHARED_MEM_FLAGS(shi), 0x5);
    T_ASSERT(NET_BUFFER_SHARED_MEM_HANDLE(shi) == &s2);
    T_EQ(NET_BUFFER_SHARED_MEM_OFFSET(shi), 4096);
    T_EQ(NET_BUFFER_SHARED_MEM_LENGTH(shi), 2048);
    T_ASSERT(NET_BUFFER_SHARED_MEM_NEXT_SEGMENT(&s2) == NULL);
    /* SharedMemoryInfo and ScatterGatherList share storage. */
    T_ASSERT((PVOID)nb.ScatterGatherList == (PVOID)&s1);
}

TEST(nbl_accessors_read_write)
{
    struct fixture f;
    build(&f);
    PNET_BUFFER_LIST nbl = &f.nbl;

    NET_BUFFER_LIST_STATUS(nbl) = (NDIS_STATUS)0xC0000001;
    T_EQ(nbl->Status, (NDIS_STATUS)0xC0000001);
    T_EQ(nbl->NdisReserved2, 0xC0000001u);

    NET_BUFFER_LIST_FLAGS(nbl) = NBL_FLAGS_MINIPORT_RESERVED;
    T_EQ(nbl->Flags, 0x0000F000);
    NET_BUFFER_LIST_NBL_FLAGS(nbl) = NDIS_NBL_FLAGS_IS_IPV4;
    T_EQ(nbl->NblFlags, 0x00000200);

    NET_BUFFER_LIST_FIRST_NB(nbl) = &f.nb2;
    T_ASSERT(nbl->FirstNetBuffer == &f.nb2);
    T_ASSERT(nbl->NetBufferListHeader.NetBufferListData.FirstNetBuffer == &f.nb2);
    T_ASSERT(nbl->NetBufferListHeader.FirstNetBuffer == &f.nb2);
    NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
    T_ASSERT(nbl->Next == NULL);
    T_ASSERT(nbl->NetBufferListHeader.NetBufferListData.Next == NULL);

    T_ASSERT((PVOID)NET_BUFFER_LIST_MINIPORT_RESERVED(nbl) == (PVOID)&nbl->MiniportReserved[0]);
    T_ASSERT((PVOID)NET_BUFFER_LIST_PROTOCOL_RESERVED(nbl) == (PVOID)&nbl->ProtocolReserved[0]);
    NET_BUFFER_LIST_MINIPORT_RESERVED(nbl)[1] = &f.m1;
    NET_BUFFER_LIST_PROTOCOL_RESERVED(nbl)[3] = &f.m2;
    T_ASSERT(nbl->MiniportReserved[1] == &f.m1);
    T_ASSERT(nbl->ProtocolReserved[3] == &f.m2);

    for (int id = 0; id < MaxNetBufferListInfo; id++)
        NET_BUFFER_LIST_INFO(nbl, id) = (PVOID)(ULONG_PTR)(0x100 + id);
    for (int id = 0; id < MaxNetBufferListInfo; id++)
        T_EQ((ULONG_PTR)nbl->NetBufferListInfo[id], 0x100 + id);
    NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo) = &f;
    T_ASSERT(nbl->NetBufferListInfo[4] == &f);
}

TEST(nbl_flag_helpers)
{
    NET_BUFFER_LIST nbl;
    memset(&nbl, 0, sizeof(nbl));

    NdisSetNblFlag(&nbl, NDIS_NBL_FLAGS_IS_IPV6);
    NdisSetNblFlag(&nbl, NDIS_NBL_FLAGS_IS_TCP);
    T_EQ(nbl.NblFlags, 0x00000C00);
    T_ASSERT(NdisTestNblFlag(&nbl, NDIS_NBL_FLAGS_IS_TCP));
    T_ASSERT(!NdisTestNblFlag(&nbl, NDIS_NBL_FLAGS_IS_UDP));
    /* One of the set is enough for TestNblFlag; TestNblFlags needs all. */
    T_ASSERT(NdisTestNblFlag(&nbl, NDIS_NBL_FLAGS_IS_TCP | NDIS_NBL_FLAGS_IS_UDP));
    T_ASSERT(!NdisTestNblFlags(&nbl, NDIS_NBL_FLAGS_IS_TCP | NDIS_NBL_FLAGS_IS_UDP));
    T_ASSERT(NdisTestNblFlags(&nbl, NDIS_NBL_FLAGS_IS_TCP | NDIS_NBL_FLAGS_IS_IPV6));
    NdisClearNblFlag(&nbl, NDIS_NBL_FLAGS_IS_TCP);
    T_EQ(nbl.NblFlags, NDIS_NBL_FLAGS_IS_IPV6);
    T_EQ(NET_BUFFER_LIST_NBL_FLAGS(&nbl), NDIS_NBL_FLAGS_IS_IPV6);
    T_EQ(nbl.Flags, 0); /* NblFlags helpers never touch Flags */
}

TEST(nbl_cancel_id_and_protocol_id)
{
    NET_BUFFER_LIST nbl;
    memset(&nbl, 0, sizeof(nbl));

    ULONG_PTR id = ((ULONG_PTR)0xA5 << ((sizeof(ULONG_PTR) - 1) * 8)) | 0x42;
    NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(&nbl, id);
    T_ASSERT(nbl.NetBufferListInfo[NetBufferListCancelId] == (PVOID)id);
    T_EQ(NetBufferListCancelId, 5);
    T_ASSERT(NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(&nbl) == (PVOID)id);
    /* A PVOID CancelId, as MiniportCancelSend receives it, compares directly. */
    PVOID cancel = (PVOID)id;
    T_ASSERT(NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(&nbl) == cancel);
    NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(&nbl, NULL);
    T_ASSERT(NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(&nbl) == NULL);
    for (int i = 0; i < MaxNetBufferListInfo; i++)
        T_ASSERT(nbl.NetBufferListInfo[i] == NULL);

    NdisSetNetBufferListProtocolId(&nbl, NDIS_PROTOCOL_ID_TCP_IP);
    T_EQ(((PUCHAR)&nbl.NetBufferListInfo[NetBufferListProtocolId])[1], NDIS_PROTOCOL_ID_TCP_IP);
    T_EQ(((PUCHAR)&nbl.NetBufferListInfo[NetBufferListFrameType])[1], NDIS_PROTOCOL_ID_TCP_IP);
    T_EQ(((PUCHAR)&nbl.NetBufferListInfo[NetBufferListProtocolId])[0], 0);
}

TEST(nbl_context_accessors)
{
    union {
        NET_BUFFER_LIST_CONTEXT ctx;
        UCHAR raw[sizeof(NET_BUFFER_LIST_CONTEXT) + 64];
    } u;
    NET_BUFFER_LIST nbl;
    memset(&u, 0, sizeof(u));
    memset(&nbl, 0, sizeof(nbl));
    u.ctx.Size = 64;
    u.ctx.Offset = 16;
    nbl.Context = &u.ctx;

    /* ContextData starts right after the header, as the page's (Context + 1) has it. */
    T_EQ(offsetof(NET_BUFFER_LIST_CONTEXT, ContextData), sizeof(NET_BUFFER_LIST_CONTEXT));
    T_ASSERT(NET_BUFFER_LIST_CONTEXT_DATA_START(&nbl) == (PUCHAR)(nbl.Context + 1) + 16);
    T_ASSERT(NET_BUFFER_LIST_CONTEXT_DATA_START(&nbl) == &u.ctx.ContextData[16]);
    T_EQ(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(&nbl), 64);
    NET_BUFFER_LIST_CONTEXT_DATA_START(&nbl)[0] = 0x5A;
    T_EQ(u.raw[sizeof(NET_BUFFER_LIST_CONTEXT) + 16], 0x5A);
}

TEST(mdl_macros)
{
    struct fixture f;
    build(&f);
    PMDL next = &f.m3;

    NdisGetNextMdl(&f.m1, &next);
    T_ASSERT(next == &f.m2);
    NdisGetNextMdl(&f.m2, &next);
    T_ASSERT(next == NULL);

    ULONG offset = 0, length = 0;
    NdisQueryMdlOffset(&f.m2, &offset, &length);
    T_EQ(offset, 4);
    T_EQ(length, 32);

    NdisAdjustMdlLength(&f.m3, 60);
    T_EQ(f.m3.ByteCount, 60);
    NdisQueryMdlOffset(&f.m3, &offset, &length);
    T_EQ(offset, 8);
    T_EQ(length, 60);
    /* Usable as a single statement under if/else. */
    if (length == 60)
        NdisAdjustMdlLength(&f.m3, 128);
    else
        NdisAdjustMdlLength(&f.m3, 1);
    T_EQ(f.m3.ByteCount, 128);
}

TEST(layout_overlays)
{
    T_EQ(offsetof(NET_BUFFER, Next), offsetof(NET_BUFFER_DATA, Next));
    T_EQ(offsetof(NET_BUFFER, CurrentMdl), offsetof(NET_BUFFER_DATA, CurrentMdl));
    T_EQ(offsetof(NET_BUFFER, CurrentMdlOffset), offsetof(NET_BUFFER_DATA, CurrentMdlOffset));
    T_EQ(offsetof(NET_BUFFER, DataLength), offsetof(NET_BUFFER_DATA, DataLength));
    T_EQ(offsetof(NET_BUFFER, stDataLength), offsetof(NET_BUFFER_DATA, stDataLength));
    T_EQ(offsetof(NET_BUFFER_DATA, NbDataLength), offsetof(NET_BUFFER_DATA, DataLength));
    T_EQ(offsetof(NET_BUFFER, MdlChain), offsetof(NET_BUFFER_DATA, MdlChain));
    T_EQ(offsetof(NET_BUFFER, DataOffset), offsetof(NET_BUFFER_DATA, DataOffset));
    T_EQ(offsetof(NET_BUFFER, Link), 0);
    T_EQ(offsetof(NET_BUFFER, NetBufferHeader), 0);
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER, DataLength), 4);
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER, stDataLength), sizeof(PVOID));
    T_EQ(offsetof(NET_BUFFER_LIST, Next), offsetof(NET_BUFFER_LIST_DATA, Next));
    T_EQ(offsetof(NET_BUFFER_LIST, FirstNetBuffer), offsetof(NET_BUFFER_LIST_DATA, FirstNetBuffer));
    T_EQ(offsetof(NET_BUFFER_LIST, Link), 0);
    T_EQ(offsetof(NET_BUFFER_LIST, NetBufferListHeader), 0);
    T_EQ(offsetof(NET_BUFFER_LIST, Status), offsetof(NET_BUFFER_LIST, NdisReserved2));
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER_LIST, NblFlags), 4);
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER_LIST, ChildRefCount), 4);
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER_LIST, Flags), 4);
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER_LIST, Status), 4);
    T_EQ(RTL_FIELD_SIZE(NET_BUFFER, ChecksumBias), 2);

    /* Member order of the field lists. */
    T_ASSERT(offsetof(NET_BUFFER, DataOffset) < offsetof(NET_BUFFER, ChecksumBias));
    T_ASSERT(offsetof(NET_BUFFER, ChecksumBias) < offsetof(NET_BUFFER, Reserved));
    T_ASSERT(offsetof(NET_BUFFER, Reserved) < offsetof(NET_BUFFER, NdisPoolHandle));
    T_ASSERT(offsetof(NET_BUFFER, NdisPoolHandle) < offsetof(NET_BUFFER, NdisReserved));
    T_ASSERT(offsetof(NET_BUFFER, NdisReserved) < offsetof(NET_BUFFER, ProtocolReserved));
    T_ASSERT(offsetof(NET_BUFFER, ProtocolReserved) < offsetof(NET_BUFFER, MiniportReserved));
    T_ASSERT(offsetof(NET_BUFFER, MiniportReserved) < offsetof(NET_BUFFER, DataPhysicalAddress));
    T_ASSERT(offsetof(NET_BUFFER, DataPhysicalAddress) < offsetof(NET_BUFFER, SharedMemoryInfo));
    T_EQ(offsetof(NET_BUFFER, SharedMemoryInfo), offsetof(NET_BUFFER, ScatterGatherList));
    T_ASSERT(offsetof(NET_BUFFER_LIST, FirstNetBuffer) < offsetof(NET_BUFFER_LIST, Context));
    T_ASSERT(offsetof(NET_BUFFER_LIST, Context) < offsetof(NET_BUFFER_LIST, ParentNetBufferList));
    T_ASSERT(offsetof(NET_BUFFER_LIST, ParentNetBufferList) < offsetof(NET_BUFFER_LIST, NdisPoolHandle));
    T_ASSERT(offsetof(NET_BUFFER_LIST, NdisPoolHandle) < offsetof(NET_BUFFER_LIST, NdisReserved));
    T_ASSERT(offsetof(NET_BUFFER_LIST, NdisReserved) < offsetof(NET_BUFFER_LIST, ProtocolReserved));
    T_ASSERT(offsetof(NET_BUFFER_LIST, ProtocolReserved) < offsetof(NET_BUFFER_LIST, MiniportReserved));
    T_ASSERT(offsetof(NET_BUFFER_LIST, MiniportReserved) < offsetof(NET_BUFFER_LIST, Scratch));
    T_ASSERT(offsetof(NET_BUFFER_LIST, Scratch) < offsetof(NET_BUFFER_LIST, SourceHandle));
    T_ASSERT(offsetof(NET_BUFFER_LIST, SourceHandle) < offsetof(NET_BUFFER_LIST, NblFlags));
    T_ASSERT(offsetof(NET_BUFFER_LIST, NblFlags) < offsetof(NET_BUFFER_LIST, ChildRefCount));
    T_ASSERT(offsetof(NET_BUFFER_LIST, ChildRefCount) < offsetof(NET_BUFFER_LIST, Flags));
    T_ASSERT(offsetof(NET_BUFFER_LIST, Flags) < offsetof(NET_BUFFER_LIST, Status));
    T_ASSERT(offsetof(NET_BUFFER_LIST, Status) < offsetof(NET_BUFFER_LIST, NetBufferListInfo));
    /* NetBufferListInfo is last: only tail padding follows it. */
    T_EQ(ALIGN_UP_BY(offsetof(NET_BUFFER_LIST, NetBufferListInfo) +
                         MaxNetBufferListInfo * sizeof(PVOID),
                     _Alignof(NET_BUFFER_LIST)),
         sizeof(NET_BUFFER_LIST));

    T_EQ(RTL_NUMBER_OF(((NET_BUFFER *)0)->NdisReserved), 2);
    T_EQ(RTL_NUMBER_OF(((NET_BUFFER *)0)->ProtocolReserved), 6);
    T_EQ(RTL_NUMBER_OF(((NET_BUFFER *)0)->MiniportReserved), 4);
    T_EQ(RTL_NUMBER_OF(((NET_BUFFER_LIST *)0)->NdisReserved), 2);
    T_EQ(RTL_NUMBER_OF(((NET_BUFFER_LIST *)0)->ProtocolReserved), 4);
    T_EQ(RTL_NUMBER_OF(((NET_BUFFER_LIST *)0)->MiniportReserved), 2);
    T_EQ(RTL_NUMBER_OF(((NET_BUFFER_LIST *)0)->NetBufferListInfo), MaxNetBufferListInfo);

#if defined(__x86_64__) || defined(__aarch64__)
    /* The Windows x64 offsets. */
    T_EQ(offsetof(NET_BUFFER, ChecksumBias), 48);
    T_EQ(offsetof(NET_BUFFER, NdisReserved), 64);
    T_EQ(offsetof(NET_BUFFER, DataPhysicalAddress), 160);
    T_EQ(sizeof(NET_BUFFER), 176);
    T_EQ(offsetof(NET_BUFFER_LIST, Context), 16);
    T_EQ(offsetof(NET_BUFFER_LIST, NdisReserved), 48);
    T_EQ(offsetof(NET_BUFFER_LIST, NblFlags), 128);
    T_EQ(offsetof(NET_BUFFER_LIST, NetBufferListInfo), 144);
#endif
}

TEST(reserved_arrays_aligned)
{
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER, NdisReserved)));
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER, ProtocolReserved)));
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER, MiniportReserved)));
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER_LIST, NdisReserved)));
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER_LIST, ProtocolReserved)));
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER_LIST, MiniportReserved)));
    T_ASSERT(IS_ALIGNED(offsetof(NET_BUFFER_LIST_CONTEXT, ContextData)));
    T_ASSERT(_Alignof(NET_BUFFER) >= MEMORY_ALLOCATION_ALIGNMENT);
    T_ASSERT(_Alignof(NET_BUFFER_LIST) >= MEMORY_ALLOCATION_ALIGNMENT);
    T_ASSERT(_Alignof(NET_BUFFER_LIST_CONTEXT) >= MEMORY_ALLOCATION_ALIGNMENT);
    T_ASSERT(IS_ALIGNED(sizeof(NET_BUFFER)));
    T_ASSERT(IS_ALIGNED(sizeof(NET_BUFFER_LIST)));

    /* And in objects the compiler places. */
    struct fixture f;
    T_ASSERT(IS_ALIGNED((ULONG_PTR)&f.nb2.MiniportReserved[0]));
    T_ASSERT(IS_ALIGNED((ULONG_PTR)&f.nbl.ProtocolReserved[0]));
    T_ASSERT(IS_ALIGNED((ULONG_PTR)&f.nbl2.MiniportReserved[0]));
#if defined(_WIN64)
    T_EQ(MEMORY_ALLOCATION_ALIGNMENT, 16);
#else
    T_EQ(MEMORY_ALLOCATION_ALIGNMENT, 8);
#endif
}

TEST(nbl_info_indexes)
{
    /* constants.md 4.4, NDIS_NET_BUFFER_LIST_INFO. */
    T_EQ(TcpIpChecksumNetBufferListInfo, 0);
    T_EQ(TcpOffloadBytesTransferred, 0);
    T_EQ(IPsecOffloadV1NetBufferListInfo, 1);
    T_EQ(IPsecOffloadV2NetBufferListInfo, 1);
    T_EQ(TcpLargeSendNetBufferListInfo, 2);
    T_EQ(TcpReceiveNoPush, 2);
    T_EQ(ClassificationHandleNetBufferListInfo, 3);
    T_EQ(Ieee8021QNetBufferListInfo, 4);
    T_EQ(NetBufferListCancelId, 5);
    T_EQ(MediaSpecificInformation, 6);
    T_EQ(NetBufferListFrameType, 7);
    T_EQ(NetBufferListProtocolId, 7);
    T_EQ(NetBufferListHashValue, 8);
    T_EQ(NetBufferListHashInfo, 9);
    T_EQ(WfpNetBufferListInfo, 10);
    T_EQ(IPsecOffloadV2TunnelNetBufferListInfo, 11);
    T_EQ(IPsecOffloadV2HeaderNetBufferListInfo, 12);
    T_EQ(NetBufferListCorrelationId, 13);
    T_EQ(NetBufferListFilteringInfo, 14);
    T_EQ(MediaSpecificInformationEx, 15);
    T_EQ(NblOriginalInterfaceIfIndex, 16);
    T_EQ(NblReAuthWfpFlowContext, 16);
    T_EQ(TcpReceiveBytesTransferred, 17);
    T_EQ(NrtNameResolutionId, 17);
    T_EQ(UdpRecvSegCoalesceOffloadInfo, 17);
#if defined(_WIN64)
    T_EQ(SwitchForwardingReserved, 18);
    T_EQ(SwitchForwardingDetail, 19);
    T_EQ(VirtualSubnetInfo, 20);
    T_EQ(IMReserved, 21);
    T_EQ(TcpRecvSegCoalesceInfo, 22);
    T_EQ(UdpSegmentationOffloadInfo, 22);
    T_EQ(RscTcpTimestampDelta, 23);
    T_EQ(TcpSendOffloadsSupplementalNetBufferListInfo, 23);
    T_EQ(GftOffloadInformation, 24);
    T_EQ(GftFlowEntryId, 25);
    T_EQ(NetBufferListInfoReserved3, 26);
#else
    T_EQ(IMReserved, 18);
    T_EQ(TcpRecvSegCoalesceInfo, 19);
    T_EQ(UdpSegmentationOffloadInfo, 19);
    T_EQ(RscTcpTimestampDelta, 20);
    T_EQ(TcpSendOffloadsSupplementalNetBufferListInfo, 20);
    T_EQ(NetBufferListInfoReserved3, 21);
    T_EQ(NetBufferListInfoReserved4, 22);
    T_EQ(SwitchForwardingReserved, 23);
    T_EQ(SwitchForwardingDetail_b0_to_b31, 24);
    T_EQ(SwitchForwardingDetail_b32_to_b63, 25);
    T_EQ(VirtualSubnetInfo, 26);
#endif
    T_EQ(NetBufferListInfoReserved1, 27);
    T_EQ(NetBufferListInfoReserved2, 28);
    T_EQ(MaxNetBufferListInfo, 29);
    T_EQ(sizeof(NDIS_NET_BUFFER_LIST_INFO), 4);
    T_EQ(sizeof(((NET_BUFFER_LIST *)0)->NetBufferListInfo) / sizeof(PVOID), MaxNetBufferListInfo);
}

TEST(data_path_flag_values)
{
    /* constants.md 4.4 */
    T_EQ(NDIS_SEND_FLAGS_DISPATCH_LEVEL, 0x00000001);
    T_EQ(NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK, 0x00000002);
    T_EQ(NDIS_SEND_FLAGS_SINGLE_QUEUE, 0x00000004);
    T_EQ(NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP, 0x00000010);
    T_EQ(NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE, 0x00000020);

    T_EQ(NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL, 0x00000001);
    T_EQ(NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE, 0x00000002);
    T_EQ(NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE, 0x00000004);

    T_EQ(NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, 0x00000001);
    T_EQ(NDIS_RECEIVE_FLAGS_RESOURCES, 0x00000002);
    T_EQ(NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE, 0x00000100);
    T_EQ(NDIS_RECEIVE_FLAGS_SINGLE_VLAN, 0x00000200);
    T_EQ(NDIS_RECEIVE_FLAGS_PERFECT_FILTERED, 0x00000400);
    T_EQ(NDIS_RECEIVE_FLAGS_SINGLE_QUEUE, 0x00000800);
    T_EQ(NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID, 0x00001000);
    T_EQ(NDIS_RECEIVE_FLAGS_MORE_NBLS, 0x00002000);
    T_EQ(NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP, 0x00004000);
    T_EQ(NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE, 0x00008000);

    T_EQ(NDIS_RETURN_FLAGS_DISPATCH_LEVEL, 0x00000001);
    T_EQ(NDIS_RETURN_FLAGS_SINGLE_QUEUE, 0x00000002);
    T_EQ(NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE, 0x00000004);

    T_EQ(NDIS_NBL_FLAGS_SEND_READ_ONLY, 0x00000001);
    T_EQ(NDIS_NBL_FLAGS_RECV_READ_ONLY, 0x00000002);
    T_EQ(NDIS_NBL_FLAGS_HD_SPLIT, 0x00000100);
    T_EQ(NDIS_NBL_FLAGS_IS_IPV4, 0x00000200);
    T_EQ(NDIS_NBL_FLAGS_IS_IPV6, 0x00000400);
    T_EQ(NDIS_NBL_FLAGS_IS_TCP, 0x00000800);
    T_EQ(NDIS_NBL_FLAGS_IS_UDP, 0x00001000);
    T_EQ(NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_HEADER, 0x00002000);
    T_EQ(NDIS_NBL_FLAGS_SPLIT_AT_UPPER_LAYER_PROTOCOL_PAYLOAD, 0x00004000);
    T_EQ(NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, 0x00008000);
    T_EQ(NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT, 0x00010000);

    /* The NDIS 6.30+ ownership sets; together they cover all 32 bits once. */
    T_EQ(NBL_FLAGS_PROTOCOL_RESERVED, 0xFFF00003u);
    T_EQ(NBL_FLAGS_MINIPORT_RESERVED, 0x0000F000u);
    T_EQ(NBL_FLAGS_SCRATCH, 0x000F0000u);
    T_EQ(NBL_FLAGS_NDIS_RESERVED, 0x00000FFCu);
    T_EQ(NBL_FLAGS_PROTOCOL_RESERVED | NBL_FLAGS_MINIPORT_RESERVED | NBL_FLAGS_SCRATCH |
             NBL_FLAGS_NDIS_RESERVED,
         0xFFFFFFFFu);
    T_EQ(NBL_FLAGS_PROTOCOL_RESERVED & (NBL_FLAGS_MINIPORT_RESERVED | NBL_FLAGS_SCRATCH |
                                        NBL_FLAGS_NDIS_RESERVED),
         0);

    /* constants.md 4.8 */
    T_EQ(NDIS_PROTOCOL_ID_DEFAULT, 0x00);
    T_EQ(NDIS_PROTOCOL_ID_TCP_IP, 0x02);
    T_EQ(NDIS_PROTOCOL_ID_IP6, 0x03);
    T_EQ(NDIS_PROTOCOL_ID_IPX, 0x06);
    T_EQ(NDIS_PROTOCOL_ID_NBF, 0x07);
    T_EQ(NDIS_PROTOCOL_ID_MAX, 0x0F);
    T_EQ(NDIS_PROTOCOL_ID_MASK, 0x0F);

    /* From the pages (not in constants.md). */
    T_EQ(NET_BUFFER_LIST_POOL_FLAG_VERIFY, 0x00000001);
    T_EQ(NDIS_CLONE_FLAGS_RESERVED, 0x00000001);
    T_EQ(NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS, 0x00000002);
}

TEST(pool_parameter_revisions_and_sizes)
{
    /* constants.md 2.2: revision 1, size through DataSize. */
    T_EQ(NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, 1);
    T_EQ(NET_BUFFER_POOL_PARAMETERS_REVISION_1, 1);
    T_EQ(NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
         offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize) + sizeof(ULONG));
    T_EQ(NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
         RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize));
    T_EQ(NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, 16);
    T_EQ(NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1,
         offsetof(NET_BUFFER_POOL_PARAMETERS, DataSize) + sizeof(ULONG));
    T_EQ(NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1, 12);

    /* Field list order and widths. */
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, Header), 0);
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, ProtocolId), 4);
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, fAllocateNetBuffer), 5);
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, ContextSize), 6);
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, PoolTag), 8);
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize), 12);
    T_EQ(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, Flags), 16);
    T_EQ(offsetof(NET_BUFFER_POOL_PARAMETERS, PoolTag), 4);
    T_EQ(offsetof(NET_BUFFER_POOL_PARAMETERS, DataSize), 8);

    /* How a driver fills them in. */
    NET_BUFFER_LIST_POOL_PARAMETERS p;
    memset(&p, 0, sizeof(p));
    p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    p.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    p.fAllocateNetBuffer = TRUE;
    p.ContextSize = 2 * MEMORY_ALLOCATION_ALIGNMENT;
    p.PoolTag = 0x6C62744E; /* 'lbtN' */
    T_EQ(p.Header.Size, 16);
    T_EQ(p.ContextSize % MEMORY_ALLOCATION_ALIGNMENT, 0);
}

TEST(oob_info_bitfields)
{
    T_EQ(sizeof(NDIS_NET_BUFFER_LIST_8021Q_INFO), sizeof(PVOID));
    T_EQ(sizeof(NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO), sizeof(PVOID));
    T_EQ(sizeof(NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO), sizeof(PVOID));

    /* 802.1Q: UserPriority bits 0-2, CFI bit 3, VlanId bits 4-15, WMMInfo 16-19. */
    NDIS_NET_BUFFER_LIST_8021Q_INFO q;
    q.Value = NULL;
    q.TagHeader.UserPriority = 5;
    q.TagHeader.VlanId = 0x123;
    T_EQ((ULONG_PTR)q.Value, 5u | (0x123u << 4));
    T_EQ(q.WLanTagHeader.VlanId, 0x123);
    q.WLanTagHeader.WMMInfo = 6;
    T_EQ((ULONG_PTR)q.Value, 5u | (0x123u << 4) | (6u << 16));

    /* Round trip through the NBL slot, as drivers do. */
    NET_BUFFER_LIST nbl;
    memset(&nbl, 0, sizeof(nbl));
    NET_BUFFER_LIST_INFO(&nbl, Ieee8021QNetBufferListInfo) = q.Value;
    NDIS_NET_BUFFER_LIST_8021Q_INFO q2;
    q2.Value = NET_BUFFER_LIST_INFO(&nbl, Ieee8021QNetBufferListInfo);
    T_EQ(q2.TagHeader.VlanId, 0x123);
    T_EQ(q2.TagHeader.UserPriority, 5);

    /* Checksum: Transmit flags bits 0-4, TcpHeaderOffset bits 16-25. */
    NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO c;
    c.Value = NULL;
    c.Transmit.IsIPv4 = 1;
    c.Transmit.TcpChecksum = 1;
    c.Transmit.IpHeaderChecksum = 1;
    c.Transmit.TcpHeaderOffset = 34;
    T_EQ((ULONG_PTR)c.Value, 0x1u | 0x4u | 0x10u | (34u << 16));
    c.Value = NULL;
    c.Receive.TcpChecksumSucceeded = 1;
    c.Receive.IpChecksumSucceeded = 1;
    c.Receive.IpChecksumValueInvalid = 1;
    T_EQ((ULONG_PTR)c.Value, 0x8u | 0x20u | 0x100u);

    /* LSO: MSS bits 0-19, TcpHeaderOffset 20-29, Type bit 30, IPVersion bit 31. */
    T_EQ(NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE, 0);
    T_EQ(NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE, 1);
    T_EQ(NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4, 0);
    T_EQ(NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6, 1);
    NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO l;
    l.Value = NULL;
    l.LsoV2Transmit.MSS = 1460;
    l.LsoV2Transmit.TcpHeaderOffset = 54;
    l.LsoV2Transmit.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE;
    l.LsoV2Transmit.IPVersion = NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6;
    T_EQ((ULONG_PTR)l.Value, 1460u | (54u << 20) | (1u << 30) | (1u << 31));
    T_EQ(l.Transmit.Type, NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE);
    T_EQ(l.LsoV1Transmit.MSS, 1460);
    /* A miniport completing LSOv1 writes TcpPayload and keeps Type. */
    l.Value = NULL;
    l.LsoV1Transmit.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE;
    l.LsoV1TransmitComplete.TcpPayload = 64000;
    T_EQ(l.LsoV1TransmitComplete.Type, NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE);
    T_EQ((ULONG_PTR)l.Value, 64000u);
}

/*
 * ef_data.c - ethfilter's data path: each NBL is classified by the EtherType
 * of its frames and either passed on or dropped.
 *
 * An NBL is dropped when any of its frames carries a dropped EtherType (the
 * outer one, or the one after a single 802.1Q / 802.1ad tag); all its frames
 * count under the first rule that matched. NDIS forbids changing the
 * NET_BUFFERs of an NBL, so NBLs are the unit of the decision.
 *
 * A dropped send is completed at once with NdisFSendNetBufferListsComplete,
 * status NDIS_STATUS_FAILURE: the frame was not transmitted, and
 * NDIS_STATUS_FAILURE is the NBL status for "failed for a reason other than
 * length, resources or cancellation" (ns-nbl-net_buffer_list.md, Status).
 * A dropped receive is not indicated: it goes back down with
 * NdisFReturnNetBufferLists, or, when NDIS set NDIS_RECEIVE_FLAGS_RESOURCES,
 * it is simply not passed on, since returning from FilterReceiveNetBufferLists
 * returns it (receiving-data-in-a-filter-driver.md, "Discard the buffer").
 */
#include "ef.h"

#define EF_ETHERTYPE_VLAN 0x8100    /* IEEE 802.1Q */
#define EF_ETHERTYPE_QINQ 0x88A8    /* IEEE 802.1ad */

static LONG
EfRuleIndex(_In_ const EF_RULES *Rules, USHORT EtherType)
{
    ULONG i;

    for (i = 0; i < Rules->Count; i++) {
        if (Rules->EtherType[i] == EtherType)
            return (LONG)i;
    }
    return -1;
}

/* The rule one frame matches, or -1. */
static LONG
EfMatchFrame(_In_ const EF_RULES *Rules, _In_ PNET_BUFFER NetBuffer)
{
    UCHAR storage[EF_ETH_HEADER_SIZE + EF_VLAN_TAG_SIZE];
    ULONG length = NET_BUFFER_DATA_LENGTH(NetBuffer);
    ULONG headerLength;
    PUCHAR header;
    USHORT etherType;
    LONG rule;

    if (length < EF_ETH_HEADER_SIZE)
        return -1; /* no EtherType to judge: passed */
    headerLength = length >= sizeof(storage) ? sizeof(storage) : EF_ETH_HEADER_SIZE;
    header = NdisGetDataBuffer(NetBuffer, headerLength, storage, 1, 0);
    if (header == NULL)
        return -1;
    etherType = (USHORT)((header[12] << 8) | header[13]);
    rule = EfRuleIndex(Rules, etherType);
    if (rule < 0 && headerLength == sizeof(storage) &&
        (etherType == EF_ETHERTYPE_VLAN || etherType == EF_ETHERTYPE_QINQ))
        rule = EfRuleIndex(Rules, (USHORT)((header[16] << 8) | header[17]));
    return rule;
}

/* The rule an NBL matches (-1: it passes), and its number of frames. */
static LONG
EfClassify(_In_ PEF_MODULE Module, _In_ PNET_BUFFER_LIST Nbl, _Out_ PULONG Frames)
{
    PNET_BUFFER nb;
    LONG rule = -1;

    *Frames = 0;
    for (nb = NET_BUFFER_LIST_FIRST_NB(Nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb)) {
        (*Frames)++;
        if (rule < 0)
            rule = EfMatchFrame(&Module->Rules, nb);
    }
    return rule;
}

static ULONG
EfCountFrames(_In_ PNET_BUFFER_LIST Nbls)
{
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nb;
    ULONG frames = 0;

    for (nbl = Nbls; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb))
            frames++;
    }
    return frames;
}

/*
 * Splits a chain into the NBLs that pass (in order, *PassCount of them) and
 * those that are dropped, counting frames: dropped ones in Dropped[rule],
 * passing ones in *Passed.
 */
static VOID
EfSplit(_In_ PEF_MODULE Module, _In_ PNET_BUFFER_LIST Nbls, _Inout_ LONG64 *Dropped,
        _Inout_ LONG64 *Passed, _Out_ PNET_BUFFER_LIST *Pass, _Out_ PULONG PassCount,
        _Out_ PNET_BUFFER_LIST *Drop)
{
    PNET_BUFFER_LIST *passTail = Pass, *dropTail = Drop, nbl, next;
    ULONG frames, passed = 0;
    LONG rule;

    *Pass = NULL;
    *Drop = NULL;
    *PassCount = 0;
    for (nbl = Nbls; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        rule = EfClassify(Module, nbl, &frames);
        if (rule >= 0) {
            InterlockedAdd64(&Dropped[rule], frames);
            *dropTail = nbl;
            dropTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        } else {
            passed += frames;
            (*PassCount)++;
            *passTail = nbl;
            passTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        }
    }
    InterlockedAdd64(Passed, passed);
}

/* ---- send ------------------------------------------------------------------------------ */

static VOID
EfCompleteSends(_In_ PEF_MODULE Module, _In_ PNET_BUFFER_LIST Nbls, NDIS_STATUS Status,
                BOOLEAN AtDispatch)
{
    PNET_BUFFER_LIST nbl;

    for (nbl = Nbls; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
        NET_BUFFER_LIST_STATUS(nbl) = Status;
    NdisFSendNetBufferListsComplete(Module->FilterHandle, Nbls,
                                    AtDispatch ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
}

_Use_decl_annotations_
VOID
EfSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                     NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PEF_MODULE module = (PEF_MODULE)FilterModuleContext;
    BOOLEAN atDispatch = NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags);
    PNET_BUFFER_LIST pass, drop;
    ULONG passCount;

    if (EfState(module, atDispatch) != EfModuleRunning) {
        InterlockedAdd64(&module->RejectedSend, EfCountFrames(NetBufferLists));
        EfCompleteSends(module, NetBufferLists, NDIS_STATUS_PAUSED, atDispatch);
        return;
    }
    EfSplit(module, NetBufferLists, module->DroppedSend, &module->PassedSend, &pass, &passCount,
            &drop);
    if (drop != NULL)
        EfCompleteSends(module, drop, NDIS_STATUS_FAILURE, atDispatch);
    if (pass != NULL)
        NdisFSendNetBufferLists(module->FilterHandle, pass, PortNumber, SendFlags);
}

/* Every NBL sent down came from above: pass the completion up. */
_Use_decl_annotations_
VOID
EfSendNetBufferListsComplete(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                             ULONG SendCompleteFlags)
{
    PEF_MODULE module = (PEF_MODULE)FilterModuleContext;

    NdisFSendNetBufferListsComplete(module->FilterHandle, NetBufferLists, SendCompleteFlags);
}

/* ---- receive --------------------------------------------------------------------------- */

/*
 * NDIS_RECEIVE_FLAGS_RESOURCES: the NBLs are the miniport's again as soon as
 * this returns, and the chain must be intact then. Each passing NBL is cut
 * out, indicated alone and linked back; a dropped one is simply not indicated
 * (receiving-data-in-a-filter-driver.md suggests exactly this).
 */
static VOID
EfIndicateEach(_In_ PEF_MODULE Module, _In_ PNET_BUFFER_LIST Nbls, NDIS_PORT_NUMBER PortNumber,
               ULONG ReceiveFlags)
{
    PNET_BUFFER_LIST nbl, next;
    ULONG frames, passed = 0;
    LONG rule;

    for (nbl = Nbls; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        rule = EfClassify(Module, nbl, &frames);
        if (rule >= 0) {
            InterlockedAdd64(&Module->DroppedReceive[rule], frames);
            continue;
        }
        passed += frames;
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        NdisFIndicateReceiveNetBufferLists(Module->FilterHandle, nbl, PortNumber, 1,
                                           ReceiveFlags);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = next;
    }
    InterlockedAdd64(&Module->PassedReceive, passed);
}

_Use_decl_annotations_
VOID
EfReceiveNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                        ULONG ReceiveFlags)
{
    PEF_MODULE module = (PEF_MODULE)FilterModuleContext;
    BOOLEAN atDispatch = NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(ReceiveFlags);
    PNET_BUFFER_LIST pass, drop;
    ULONG passCount;

    UNREFERENCED_PARAMETER(NumberOfNetBufferLists);

    if (EfState(module, atDispatch) != EfModuleRunning) {
        InterlockedAdd64(&module->RejectedReceive, EfCountFrames(NetBufferLists));
        if (!NDIS_TEST_RECEIVE_CANNOT_PEND(ReceiveFlags))
            NdisFReturnNetBufferLists(module->FilterHandle, NetBufferLists,
                                      atDispatch ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
        return;
    }
    if (NDIS_TEST_RECEIVE_CANNOT_PEND(ReceiveFlags)) {
        EfIndicateEach(module, NetBufferLists, PortNumber, ReceiveFlags);
        return;
    }
    EfSplit(module, NetBufferLists, module->DroppedReceive, &module->PassedReceive, &pass,
            &passCount, &drop);
    if (drop != NULL)
        NdisFReturnNetBufferLists(module->FilterHandle, drop,
                                  atDispatch ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
    if (pass != NULL)
        NdisFIndicateReceiveNetBufferLists(module->FilterHandle, pass, PortNumber, passCount,
                                           ReceiveFlags);
}

/* Every NBL indicated up came from below: pass the return down. */
_Use_decl_annotations_
VOID
EfReturnNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                       ULONG ReturnFlags)
{
    PEF_MODULE module = (PEF_MODULE)FilterModuleContext;

    NdisFReturnNetBufferLists(module->FilterHandle, NetBufferLists, ReturnFlags);
}

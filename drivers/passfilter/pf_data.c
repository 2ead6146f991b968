/*
 * pf_data.c - passfilter's data path: every NBL is counted and passed on
 * unchanged (sending-data-from-a-filter-driver.md, receiving-data-in-a-
 * filter-driver.md).
 *
 *   down: FilterSendNetBufferLists -> NdisFSendNetBufferLists
 *   up:   FilterSendNetBufferListsComplete -> NdisFSendNetBufferListsComplete
 *   up:   FilterReceiveNetBufferLists -> NdisFIndicateReceiveNetBufferLists
 *   down: FilterReturnNetBufferLists -> NdisFReturnNetBufferLists
 *
 * The module never looks inside an NBL after passing it on, never changes
 * SourceHandle (NDIS routes the completion by it), and keeps nothing, so it
 * has no send to cancel and no receive to return on a pause.
 */
#include "pf.h"

/* Counts the NBLs of a chain, their NET_BUFFERs and bytes. Returns the NBLs. */
static ULONG
PfCountChain(_In_ PNET_BUFFER_LIST Nbls, _Out_ PULONG Frames, _Out_ PULONG64 Bytes)
{
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nb;
    ULONG nbls = 0;

    *Frames = 0;
    *Bytes = 0;
    for (nbl = Nbls; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        nbls++;
        for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb)) {
            (*Frames)++;
            *Bytes += NET_BUFFER_DATA_LENGTH(nb);
        }
    }
    return nbls;
}

_Use_decl_annotations_
VOID
PfSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                     NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    BOOLEAN atDispatch = NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags);
    PNET_BUFFER_LIST nbl;
    ULONG nbls, frames;
    ULONG64 bytes;

    nbls = PfCountChain(NetBufferLists, &frames, &bytes);
    PfCount(module, SendNbls, nbls);
    PfCount(module, SendFrames, frames);
    PfCount(module, SendBytes, bytes);

    if (PfState(module, atDispatch) != PfModuleRunning) {
        /* Paused: refuse at once (pausing-a-filter-module.md). */
        for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_PAUSED;
        PfCount(module, SendRejected, nbls);
        NdisFSendNetBufferListsComplete(module->FilterHandle, NetBufferLists,
                                        atDispatch ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
        return;
    }
    NdisFSendNetBufferLists(module->FilterHandle, NetBufferLists, PortNumber, SendFlags);
}

_Use_decl_annotations_
VOID
PfSendNetBufferListsComplete(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                             ULONG SendCompleteFlags)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    PNET_BUFFER_LIST nbl;
    ULONG nbls = 0;

    for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
        nbls++;
    PfCount(module, SendCompletes, nbls);
    /* Every NBL came from above (the module sends none of its own). */
    NdisFSendNetBufferListsComplete(module->FilterHandle, NetBufferLists, SendCompleteFlags);
}

_Use_decl_annotations_
VOID
PfCancelSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PVOID CancelId)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    /* Nothing is queued here: the cancel is for the drivers below. */
    NdisFCancelSendNetBufferLists(module->FilterHandle, CancelId);
}

_Use_decl_annotations_
VOID
PfReceiveNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                        ULONG ReceiveFlags)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    BOOLEAN atDispatch = NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(ReceiveFlags);
    BOOLEAN resources = NDIS_TEST_RECEIVE_CANNOT_PEND(ReceiveFlags);
    ULONG nbls, frames;
    ULONG64 bytes;

    nbls = PfCountChain(NetBufferLists, &frames, &bytes);
    PfCount(module, ReceiveNbls, nbls);
    PfCount(module, ReceiveFrames, frames);
    PfCount(module, ReceiveBytes, bytes);
    if (resources)
        PfCount(module, ReceiveResources, nbls);

    if (PfState(module, atDispatch) != PfModuleRunning) {
        /* Give them back at once; with NDIS_RECEIVE_FLAGS_RESOURCES returning
           from this function does that. */
        PfCount(module, ReceiveRejected, nbls);
        if (!resources)
            NdisFReturnNetBufferLists(module->FilterHandle, NetBufferLists,
                                      atDispatch ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
        return;
    }
    /* With NDIS_RECEIVE_FLAGS_RESOURCES the NBLs are back when this returns:
       NDIS does not call FilterReturnNetBufferLists for them. */
    NdisFIndicateReceiveNetBufferLists(module->FilterHandle, NetBufferLists, PortNumber,
                                       NumberOfNetBufferLists, ReceiveFlags);
}

_Use_decl_annotations_
VOID
PfReturnNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                       ULONG ReturnFlags)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    PNET_BUFFER_LIST nbl;
    ULONG nbls = 0;

    for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
        nbls++;
    PfCount(module, Returns, nbls);
    /* Every NBL came from below (the module indicates none of its own). */
    NdisFReturnNetBufferLists(module->FilterHandle, NetBufferLists, ReturnFlags);
}

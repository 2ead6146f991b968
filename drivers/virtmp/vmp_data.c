/*
 * vmp_data.c - virtmp's data path.
 *
 * Transmit (MiniportSendNetBufferLists, at the caller's IRQL <= DISPATCH_LEVEL):
 * each NET_BUFFER is one Ethernet frame. The sender walks the segment and, for
 * every other adapter, runs that adapter's receive filter and copies the frame
 * into one of its free receive buffers (VmpReceiveFrame). Then it completes
 * the NBLs at once with NdisMSendNetBufferListsComplete: like a NIC whose
 * transmit is done when the frame left the wire, so no send is ever pending
 * in the driver.
 *
 * Receive (the receiving adapter's DPC, at DISPATCH_LEVEL): the DPC takes the
 * frames queued in its receive ring and indicates them, up to
 * VMP_MAX_INDICATE NBLs per NdisMIndicateReceiveNetBufferLists, with
 * NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL. MiniportReturnNetBufferLists gives the
 * buffers back to the ring. The NBLs, MDLs and buffers of the ring all come
 * from the receiving adapter's own pools and are reused, never freed, until
 * MiniportHaltEx.
 */
#include "vmp.h"

static const UCHAR VmpBroadcastAddress[VMP_ETH_ADDRESS_LENGTH] = {0xFF, 0xFF, 0xFF,
                                                                   0xFF, 0xFF, 0xFF};

/* ---- frame classification and counters ------------------------------------------- */

/* Adds one frame to the counters, by the kind of its destination address. */
static VOID
VmpCountFrame(_Inout_ PVMP_COUNTERS Counters, _In_reads_(6) const UCHAR *Destination,
              ULONG Octets, BOOLEAN Transmit)
{
    if (NdisEqualMemory(Destination, VmpBroadcastAddress, VMP_ETH_ADDRESS_LENGTH)) {
        if (Transmit) {
            Counters->OutBroadcastPkts++;
            Counters->OutBroadcastOctets += Octets;
        } else {
            Counters->InBroadcastPkts++;
            Counters->InBroadcastOctets += Octets;
        }
    } else if (Destination[0] & 0x01) {
        if (Transmit) {
            Counters->OutMulticastPkts++;
            Counters->OutMulticastOctets += Octets;
        } else {
            Counters->InMulticastPkts++;
            Counters->InMulticastOctets += Octets;
        }
    } else {
        if (Transmit) {
            Counters->OutUcastPkts++;
            Counters->OutUcastOctets += Octets;
        } else {
            Counters->InUcastPkts++;
            Counters->InUcastOctets += Octets;
        }
    }
}

static VOID
VmpAddCounters(_Inout_ PVMP_COUNTERS Total, _In_ const VMP_COUNTERS *Delta)
{
    Total->InUcastPkts += Delta->InUcastPkts;
    Total->InMulticastPkts += Delta->InMulticastPkts;
    Total->InBroadcastPkts += Delta->InBroadcastPkts;
    Total->InUcastOctets += Delta->InUcastOctets;
    Total->InMulticastOctets += Delta->InMulticastOctets;
    Total->InBroadcastOctets += Delta->InBroadcastOctets;
    Total->InDiscards += Delta->InDiscards;
    Total->InErrors += Delta->InErrors;
    Total->InNoBuffer += Delta->InNoBuffer;
    Total->OutUcastPkts += Delta->OutUcastPkts;
    Total->OutMulticastPkts += Delta->OutMulticastPkts;
    Total->OutBroadcastPkts += Delta->OutBroadcastPkts;
    Total->OutUcastOctets += Delta->OutUcastOctets;
    Total->OutMulticastOctets += Delta->OutMulticastOctets;
    Total->OutBroadcastOctets += Delta->OutBroadcastOctets;
    Total->OutDiscards += Delta->OutDiscards;
    Total->OutErrors += Delta->OutErrors;
}

/*
 * The Ethernet controller's receive filter (oid-gen-current-packet-filter.md):
 * promiscuous takes everything; broadcast frames need BROADCAST; multicast
 * frames need ALL_MULTICAST, or MULTICAST and the address in the list; other
 * frames need DIRECTED and the adapter's current address. With a filter of 0
 * the NIC receives nothing.
 */
static BOOLEAN
VmpFilterAcceptsLocked(_In_ PVMP_ADAPTER Adapter, _In_reads_(6) const UCHAR *Destination)
{
    ULONG filter = Adapter->PacketFilter;
    ULONG i;

    if (filter & NDIS_PACKET_TYPE_PROMISCUOUS)
        return TRUE;
    if (NdisEqualMemory(Destination, VmpBroadcastAddress, VMP_ETH_ADDRESS_LENGTH))
        return (filter & NDIS_PACKET_TYPE_BROADCAST) != 0;
    if (Destination[0] & 0x01) {
        if (filter & NDIS_PACKET_TYPE_ALL_MULTICAST)
            return TRUE;
        if ((filter & NDIS_PACKET_TYPE_MULTICAST) == 0)
            return FALSE;
        for (i = 0; i < Adapter->MulticastCount; i++) {
            if (NdisEqualMemory(Destination, Adapter->MulticastList[i], VMP_ETH_ADDRESS_LENGTH))
                return TRUE;
        }
        return FALSE;
    }
    return (filter & NDIS_PACKET_TYPE_DIRECTED) != 0 &&
           NdisEqualMemory(Destination, Adapter->CurrentAddress, VMP_ETH_ADDRESS_LENGTH);
}

/* ---- the receive ring -------------------------------------------------------------- */

_Use_decl_annotations_
NDIS_STATUS
VmpAllocateReceiveRing(PVMP_ADAPTER Adapter)
{
    NET_BUFFER_LIST_POOL_PARAMETERS poolParameters;
    ULONG i;

    NdisZeroMemory(&poolParameters, sizeof(poolParameters));
    poolParameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    poolParameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    poolParameters.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    poolParameters.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    poolParameters.fAllocateNetBuffer = TRUE; /* one NET_BUFFER with each NBL */
    poolParameters.ContextSize = 0;
    poolParameters.PoolTag = VMP_POOL_TAG;
    poolParameters.DataSize = 0;
    Adapter->RxNblPool = NdisAllocateNetBufferListPool(Adapter->AdapterHandle, &poolParameters);
    if (Adapter->RxNblPool == NULL)
        return NDIS_STATUS_RESOURCES;

    Adapter->Rcbs = NdisAllocateMemoryWithTagPriority(Adapter->AdapterHandle,
                                                      Adapter->RcbCount * sizeof(VMP_RCB),
                                                      VMP_POOL_TAG, NormalPoolPriority);
    if (Adapter->Rcbs == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(Adapter->Rcbs, Adapter->RcbCount * sizeof(VMP_RCB));

    for (i = 0; i < Adapter->RcbCount; i++) {
        PVMP_RCB rcb = &Adapter->Rcbs[i];

        rcb->Data = NdisAllocateMemoryWithTagPriority(Adapter->AdapterHandle, VMP_MAX_FRAME_SIZE,
                                                      VMP_POOL_TAG, NormalPoolPriority);
        if (rcb->Data == NULL)
            return NDIS_STATUS_RESOURCES;
        rcb->Mdl = NdisAllocateMdl(Adapter->AdapterHandle, rcb->Data, VMP_MAX_FRAME_SIZE);
        if (rcb->Mdl == NULL)
            return NDIS_STATUS_RESOURCES;
        rcb->Nbl = NdisAllocateNetBufferAndNetBufferList(Adapter->RxNblPool, 0, 0, rcb->Mdl, 0,
                                                         VMP_MAX_FRAME_SIZE);
        if (rcb->Nbl == NULL)
            return NDIS_STATUS_RESOURCES;
        /* MiniportReturnNetBufferLists finds the RCB of a returned NBL here. */
        NET_BUFFER_LIST_MINIPORT_RESERVED(rcb->Nbl)[0] = rcb;
        InsertTailList(&Adapter->FreeRcbs, &rcb->Link);
    }
    return NDIS_STATUS_SUCCESS;
}

/* Also undoes a partial VmpAllocateReceiveRing. Every RCB is back in the ring. */
_Use_decl_annotations_
VOID
VmpFreeReceiveRing(PVMP_ADAPTER Adapter)
{
    ULONG i;

    if (Adapter->Rcbs != NULL) {
        for (i = 0; i < Adapter->RcbCount; i++) {
            PVMP_RCB rcb = &Adapter->Rcbs[i];

            if (rcb->Nbl != NULL)
                NdisFreeNetBufferList(rcb->Nbl);
            if (rcb->Mdl != NULL)
                NdisFreeMdl(rcb->Mdl);
            if (rcb->Data != NULL)
                NdisFreeMemoryWithTagPriority(Adapter->AdapterHandle, rcb->Data, VMP_POOL_TAG);
        }
        NdisFreeMemoryWithTagPriority(Adapter->AdapterHandle, Adapter->Rcbs, VMP_POOL_TAG);
        Adapter->Rcbs = NULL;
    }
    if (Adapter->RxNblPool != NULL) {
        NdisFreeNetBufferListPool(Adapter->RxNblPool);
        Adapter->RxNblPool = NULL;
    }
    InitializeListHead(&Adapter->FreeRcbs);
    InitializeListHead(&Adapter->ReadyRcbs);
}

_Use_decl_annotations_
ULONG
VmpDiscardReceiveQueueLocked(PVMP_ADAPTER Adapter)
{
    ULONG discarded = 0;

    while (!IsListEmpty(&Adapter->ReadyRcbs)) {
        InsertTailList(&Adapter->FreeRcbs, RemoveHeadList(&Adapter->ReadyRcbs));
        discarded++;
    }
    Adapter->Counters.InDiscards += discarded;
    return discarded;
}

_Use_decl_annotations_
BOOLEAN
VmpTryFinishPauseLocked(PVMP_ADAPTER Adapter)
{
    if (Adapter->State != VmpAdapterPausing || Adapter->RxOutstanding != 0 ||
        Adapter->DpcQueued || Adapter->DpcRunning) {
        return FALSE;
    }
    Adapter->State = VmpAdapterPaused;
    return TRUE;
}

/* ---- the wire ---------------------------------------------------------------------------- */

/*
 * The receiving NIC sees a frame on the segment. Called by the transmitting
 * adapter with SegmentLock held for read, hence at DISPATCH_LEVEL. The frame
 * is `Length` bytes of `NetBuffer` (14 to 1514); Ethernet pads frames shorter
 * than 60 bytes with zeros, and so does this wire.
 */
_IRQL_requires_(DISPATCH_LEVEL)
static VOID
VmpReceiveFrame(_Inout_ PVMP_ADAPTER Receiver, _In_ PNET_BUFFER NetBuffer, ULONG Length,
                _In_reads_(6) const UCHAR *Destination)
{
    ULONG frameLength = Length < VMP_MIN_FRAME_SIZE ? VMP_MIN_FRAME_SIZE : Length;
    PVMP_RCB rcb;
    PUCHAR data;

    NdisDprAcquireSpinLock(&Receiver->Lock);

    /* A NIC that is not running, is unplugged or gone, or whose filter does not
       want the frame never sees it. */
    if (Receiver->State != VmpAdapterRunning ||
        Receiver->MediaConnectState != MediaConnectStateConnected ||
        Receiver->SurpriseRemoved || Receiver->ShutDown ||
        !VmpFilterAcceptsLocked(Receiver, Destination)) {
        NdisDprReleaseSpinLock(&Receiver->Lock);
        return;
    }
    /* The receive ring is full: the frame is lost, as on a real NIC. */
    if (IsListEmpty(&Receiver->FreeRcbs)) {
        Receiver->Counters.InDiscards++;
        Receiver->Counters.InNoBuffer++;
        NdisDprReleaseSpinLock(&Receiver->Lock);
        return;
    }
    rcb = CONTAINING_RECORD(RemoveHeadList(&Receiver->FreeRcbs), VMP_RCB, Link);

    /* NdisGetDataBuffer points into the sender's buffer when the frame is
       contiguous there, else it gathers the MDL chain into rcb->Data itself. */
    data = NdisGetDataBuffer(NetBuffer, Length, rcb->Data, 1, 0);
    if (data == NULL) {
        InsertHeadList(&Receiver->FreeRcbs, &rcb->Link);
        Receiver->Counters.InErrors++;
        NdisDprReleaseSpinLock(&Receiver->Lock);
        return;
    }
    if (data != rcb->Data)
        NdisMoveMemory(rcb->Data, data, Length);
    if (Length < frameLength)
        NdisZeroMemory(rcb->Data + Length, frameLength - Length);
    NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(rcb->Nbl)) = frameLength;

    InsertTailList(&Receiver->ReadyRcbs, &rcb->Link);
    /* Queued under the lock, so a pause cannot miss a DPC on its way. */
    if (!Receiver->DpcQueued) {
        Receiver->DpcQueued = TRUE;
        (VOID)KeInsertQueueDpc(&Receiver->RxDpc, NULL, NULL);
    }
    NdisDprReleaseSpinLock(&Receiver->Lock);
}

/*
 * Puts every frame of one NBL on the wire. Returns the NBL's completion status:
 * success, or why (some of) its frames could not be sent.
 */
static NDIS_STATUS
VmpTransmitNetBufferList(_Inout_ PVMP_ADAPTER Adapter, _In_ PNET_BUFFER_LIST NetBufferList,
                         BOOLEAN AtDispatchLevel)
{
    VMP_COUNTERS delta;
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    LOCK_STATE_EX lockState;
    PNET_BUFFER netBuffer;
    PLIST_ENTRY entry;
    ULONG frames = 0;

    NdisZeroMemory(&delta, sizeof(delta));
    for (netBuffer = NET_BUFFER_LIST_FIRST_NB(NetBufferList); netBuffer != NULL;
         netBuffer = NET_BUFFER_NEXT_NB(netBuffer)) {
        frames++;
    }

    NdisAcquireSpinLock(&Adapter->Lock);
    if (Adapter->State != VmpAdapterRunning)
        status = NDIS_STATUS_PAUSED; /* NDIS never sends to a paused adapter */
    else if (Adapter->SurpriseRemoved)
        status = NDIS_STATUS_ADAPTER_REMOVED;
    else if (Adapter->ShutDown)
        status = NDIS_STATUS_ADAPTER_NOT_READY;
    else if (Adapter->MediaConnectState != MediaConnectStateConnected)
        status = NDIS_STATUS_MEDIA_DISCONNECTED;
    if (status != NDIS_STATUS_SUCCESS) {
        Adapter->Counters.OutDiscards += frames;
        NdisReleaseSpinLock(&Adapter->Lock);
        return status;
    }
    NdisReleaseSpinLock(&Adapter->Lock);

    NdisAcquireRWLockRead(VmpDriver.SegmentLock, &lockState,
                          AtDispatchLevel ? NDIS_RWL_AT_DISPATCH_LEVEL : 0);
    for (netBuffer = NET_BUFFER_LIST_FIRST_NB(NetBufferList); netBuffer != NULL;
         netBuffer = NET_BUFFER_NEXT_NB(netBuffer)) {
        ULONG length = NET_BUFFER_DATA_LENGTH(netBuffer);
        UCHAR headerStorage[VMP_ETH_HEADER_SIZE];
        const UCHAR *header;

        if (length < VMP_ETH_HEADER_SIZE || length > VMP_MAX_FRAME_SIZE) {
            delta.OutErrors++;
            status = NDIS_STATUS_INVALID_LENGTH;
            continue;
        }
        header = NdisGetDataBuffer(netBuffer, VMP_ETH_HEADER_SIZE, headerStorage, 1, 0);
        if (header == NULL) {
            delta.OutErrors++;
            status = NDIS_STATUS_INVALID_PACKET;
            continue;
        }
        /* Every other NIC on the segment sees the frame; none sees it twice and
           the sender never sees its own. */
        for (entry = VmpDriver.Adapters.Flink; entry != &VmpDriver.Adapters;
             entry = entry->Flink) {
            PVMP_ADAPTER receiver = CONTAINING_RECORD(entry, VMP_ADAPTER, SegmentLink);

            if (receiver != Adapter)
                VmpReceiveFrame(receiver, netBuffer, length, header);
        }
        VmpCountFrame(&delta, header,
                      length < VMP_MIN_FRAME_SIZE ? VMP_MIN_FRAME_SIZE : length, TRUE);
    }
    NdisReleaseRWLock(VmpDriver.SegmentLock, &lockState);

    NdisAcquireSpinLock(&Adapter->Lock);
    VmpAddCounters(&Adapter->Counters, &delta);
    NdisReleaseSpinLock(&Adapter->Lock);
    return status;
}

_Use_decl_annotations_
VOID
VmpSendNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                      NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;
    BOOLEAN atDispatchLevel = (SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0;
    PNET_BUFFER_LIST netBufferList;

    UNREFERENCED_PARAMETER(PortNumber); /* virtmp has only the default port */

    for (netBufferList = NetBufferLists; netBufferList != NULL;
         netBufferList = NET_BUFFER_LIST_NEXT_NBL(netBufferList)) {
        NET_BUFFER_LIST_STATUS(netBufferList) =
            VmpTransmitNetBufferList(adapter, netBufferList, atDispatchLevel);
    }
    /* The whole chain at once, at the IRQL NDIS called us at. */
    NdisMSendNetBufferListsComplete(adapter->AdapterHandle, NetBufferLists,
                                    atDispatchLevel ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                                                    : 0);
}

/*
 * Every send completed before MiniportSendNetBufferLists returned: there is
 * never a queued send whose cancel ID could match.
 */
_Use_decl_annotations_
VOID
VmpCancelSend(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(CancelId);
}

/* ---- receive indications ---------------------------------------------------------------- */

_Use_decl_annotations_
VOID
VmpReceiveDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)DeferredContext;
    NDIS_HANDLE adapterHandle = adapter->AdapterHandle;
    BOOLEAN pauseComplete;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    NdisDprAcquireSpinLock(&adapter->Lock);
    adapter->DpcQueued = FALSE;
    adapter->DpcRunning = TRUE;
    for (;;) {
        PNET_BUFFER_LIST head = NULL;
        PNET_BUFFER_LIST *tail = &head;
        ULONG count = 0;

        /* Only a Running adapter indicates; a pause emptied the queue. */
        while (adapter->State == VmpAdapterRunning && count < VMP_MAX_INDICATE &&
               !IsListEmpty(&adapter->ReadyRcbs)) {
            PVMP_RCB rcb = CONTAINING_RECORD(RemoveHeadList(&adapter->ReadyRcbs), VMP_RCB, Link);
            PNET_BUFFER_LIST nbl = rcb->Nbl;

            VmpCountFrame(&adapter->Counters, rcb->Data,
                          NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(nbl)), FALSE);
            NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;
            nbl->SourceHandle = adapterHandle;
            *tail = nbl;
            tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
            count++;
        }
        if (count == 0)
            break;
        adapter->RxOutstanding += count;

        /* Never hold the lock across an indication: the NBLs may come back to
           MiniportReturnNetBufferLists before NDIS returns. */
        NdisDprReleaseSpinLock(&adapter->Lock);
        NdisMIndicateReceiveNetBufferLists(adapterHandle, head, NDIS_DEFAULT_PORT_NUMBER, count,
                                           NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
        NdisDprAcquireSpinLock(&adapter->Lock);
    }
    adapter->DpcRunning = FALSE;
    pauseComplete = VmpTryFinishPauseLocked(adapter);
    NdisDprReleaseSpinLock(&adapter->Lock);

    /* Last use of the adapter: NDIS may halt it as soon as the pause completes. */
    if (pauseComplete)
        NdisMPauseComplete(adapterHandle);
}

_Use_decl_annotations_
VOID
VmpReturnNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                        ULONG ReturnFlags)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;
    NDIS_HANDLE adapterHandle = adapter->AdapterHandle;
    BOOLEAN atDispatchLevel = (ReturnFlags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != 0;
    PNET_BUFFER_LIST netBufferList, next;
    BOOLEAN pauseComplete;

    if (atDispatchLevel)
        NdisDprAcquireSpinLock(&adapter->Lock);
    else
        NdisAcquireSpinLock(&adapter->Lock);

    for (netBufferList = NetBufferLists; netBufferList != NULL; netBufferList = next) {
        PVMP_RCB rcb = (PVMP_RCB)NET_BUFFER_LIST_MINIPORT_RESERVED(netBufferList)[0];

        next = NET_BUFFER_LIST_NEXT_NBL(netBufferList);
        NET_BUFFER_LIST_NEXT_NBL(netBufferList) = NULL;
        InsertTailList(&adapter->FreeRcbs, &rcb->Link);
        adapter->RxOutstanding--;
    }
    pauseComplete = VmpTryFinishPauseLocked(adapter);

    if (atDispatchLevel)
        NdisDprReleaseSpinLock(&adapter->Lock);
    else
        NdisReleaseSpinLock(&adapter->Lock);

    if (pauseComplete)
        NdisMPauseComplete(adapterHandle);
}

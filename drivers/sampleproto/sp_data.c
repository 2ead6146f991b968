/*
 * sp_data.c - sampleproto's data path: building and sending Ethernet frames,
 * their completion, and receive indications.
 *
 * Each frame is one NET_BUFFER_LIST from the protocol's pool, with one
 * NET_BUFFER over one MDL and buffer of the protocol's memory. A call of
 * SpSendFrames sends a batch of frames in one NdisSendNetBufferLists and
 * waits for ProtocolSendNetBufferListsComplete to give all of them back; the
 * batch object counts them. Received frames are counted per EtherType and
 * returned at once (unless NDIS_RECEIVE_FLAGS_RESOURCES says they are only
 * lent for the duration of the call).
 */
#include "sp.h"

/* What a call of SpSendFrames waits for. */
typedef struct _SP_SEND_BATCH {
    LONG References;                   /* the sender's and the last completion's */
    LONG Remaining;                    /* frames not completed yet */
    LONG Succeeded;
    NDIS_EVENT Done;                   /* set when Remaining reaches 0 */
    struct _SP_SEND_BATCH *NextDone;   /* a completion's list of finished batches */
} SP_SEND_BATCH, *PSP_SEND_BATCH;

/* NET_BUFFER_LIST_PROTOCOL_RESERVED slots of a frame the protocol sends. */
#define SP_NBL_BATCH(_Nbl) (NET_BUFFER_LIST_PROTOCOL_RESERVED(_Nbl)[0])
#define SP_NBL_DATA(_Nbl) (NET_BUFFER_LIST_PROTOCOL_RESERVED(_Nbl)[1])

static VOID
SpReleaseBatch(_In_ PSP_SEND_BATCH Batch)
{
    if (NdisInterlockedDecrement(&Batch->References) == 0)
        NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, Batch, SP_POOL_TAG);
}

/* ---- frames ------------------------------------------------------------------ */

static PNET_BUFFER_LIST
SpAllocateFrame(ULONG Length)
{
    PUCHAR data;
    PMDL mdl;
    PNET_BUFFER_LIST nbl;

    data = NdisAllocateMemoryWithTagPriority(SpGlobals.ProtocolHandle, Length, SP_POOL_TAG,
                                             NormalPoolPriority);
    if (data == NULL)
        return NULL;
    mdl = NdisAllocateMdl(SpGlobals.ProtocolHandle, data, Length);
    if (mdl == NULL) {
        NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, data, SP_POOL_TAG);
        return NULL;
    }
    nbl = NdisAllocateNetBufferAndNetBufferList(SpGlobals.NblPool, 0, 0, mdl, 0, Length);
    if (nbl == NULL) {
        NdisFreeMdl(mdl);
        NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, data, SP_POOL_TAG);
        return NULL;
    }
    SP_NBL_DATA(nbl) = data;
    return nbl;
}

static VOID
SpFreeFrame(_In_ PNET_BUFFER_LIST Nbl)
{
    PMDL mdl = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(Nbl));
    PVOID data = SP_NBL_DATA(Nbl);

    NdisFreeNetBufferList(Nbl);
    NdisFreeMdl(mdl);
    NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, data, SP_POOL_TAG);
}

static VOID
SpFreeFrameChain(_In_opt_ PNET_BUFFER_LIST Nbl)
{
    PNET_BUFFER_LIST next;

    for (; Nbl != NULL; Nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(Nbl);
        NET_BUFFER_LIST_NEXT_NBL(Nbl) = NULL;
        SpFreeFrame(Nbl);
    }
}

/* ---- send ---------------------------------------------------------------------- */

_Use_decl_annotations_
int
SpSendFrames(PSP_BINDING Binding, const UCHAR *Destination, USHORT EtherType, ULONG Length,
             ULONG Count)
{
    PSP_SEND_BATCH batch;
    PNET_BUFFER_LIST head = NULL;
    PNET_BUFFER_LIST *tail = &head;
    ULONG i, j;
    int succeeded;
    BOOLEAN running;

    batch = NdisAllocateMemoryWithTagPriority(SpGlobals.ProtocolHandle, sizeof(*batch),
                                              SP_POOL_TAG, NormalPoolPriority);
    if (batch == NULL)
        return -ENOMEM;
    NdisZeroMemory(batch, sizeof(*batch));
    batch->References = 2;
    batch->Remaining = (LONG)Count;
    NdisInitializeEvent(&batch->Done);

    for (i = 0; i < Count; i++) {
        PNET_BUFFER_LIST nbl = SpAllocateFrame(Length);
        PUCHAR frame;

        if (nbl == NULL) {
            SpFreeFrameChain(head);
            NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, batch, SP_POOL_TAG);
            return -ENOMEM;
        }
        frame = (PUCHAR)SP_NBL_DATA(nbl);
        NdisMoveMemory(frame, Destination, SP_ETH_ADDRESS_LENGTH);
        NdisMoveMemory(frame + SP_ETH_ADDRESS_LENGTH, Binding->MacAddress, SP_ETH_ADDRESS_LENGTH);
        frame[12] = (UCHAR)(EtherType >> 8);
        frame[13] = (UCHAR)EtherType;
        for (j = SP_ETH_HEADER_SIZE; j < Length; j++)
            frame[j] = (UCHAR)(i + j);
        SP_NBL_BATCH(nbl) = batch;
        *tail = nbl;
        tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
    }

    /* Only a Running binding sends; a pause that begins after this point waits
       for these frames (PendingSends). */
    NdisAcquireSpinLock(&Binding->Lock);
    running = Binding->State == SpBindingRunning;
    if (running) {
        Binding->PendingSends += Count;
        Binding->Counters.Sent += Count;
    }
    NdisReleaseSpinLock(&Binding->Lock);
    if (!running) {
        SpFreeFrameChain(head);
        NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, batch, SP_POOL_TAG);
        return -EAGAIN;
    }

    NdisSendNetBufferLists(Binding->BindingHandle, head, NDIS_DEFAULT_PORT_NUMBER, 0);
    NdisWaitEvent(&batch->Done, 0);
    succeeded = (int)batch->Succeeded;
    SpReleaseBatch(batch);

    /* These sends may have been all a pending pause was waiting for. */
    SpCompletePauseIfDrained(Binding);
    return succeeded;
}

_Use_decl_annotations_
VOID
SpSendNetBufferListsComplete(NDIS_HANDLE ProtocolBindingContext, PNET_BUFFER_LIST NetBufferLists,
                             ULONG SendCompleteFlags)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;
    BOOLEAN atDispatchLevel = (SendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) != 0;
    PSP_SEND_BATCH finished = NULL, batch, nextBatch;
    PNET_BUFFER_LIST nbl, next;
    ULONG completed = 0, failed = 0;
    NDIS_STATUS lastFailure = NDIS_STATUS_SUCCESS;

    for (nbl = NetBufferLists; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        batch = (PSP_SEND_BATCH)SP_NBL_BATCH(nbl);
        completed++;
        if (NET_BUFFER_LIST_STATUS(nbl) == NDIS_STATUS_SUCCESS) {
            NdisInterlockedIncrement(&batch->Succeeded);
        } else {
            failed++;
            lastFailure = NET_BUFFER_LIST_STATUS(nbl);
        }
        SpFreeFrame(nbl);
        if (NdisInterlockedDecrement(&batch->Remaining) == 0) {
            batch->NextDone = finished;
            finished = batch;
        }
    }

    /* The binding's count first: a sender woken below checks it to complete a
       pending pause. */
    if (atDispatchLevel)
        NdisDprAcquireSpinLock(&binding->Lock);
    else
        NdisAcquireSpinLock(&binding->Lock);
    binding->PendingSends -= completed;
    binding->Counters.SendCompleted += completed;
    binding->Counters.SendFailed += failed;
    if (failed != 0)
        binding->Counters.LastSendFailure = lastFailure;
    if (atDispatchLevel)
        NdisDprReleaseSpinLock(&binding->Lock);
    else
        NdisReleaseSpinLock(&binding->Lock);

    for (batch = finished; batch != NULL; batch = nextBatch) {
        nextBatch = batch->NextDone;
        NdisSetEvent(&batch->Done);
        SpReleaseBatch(batch);
    }
}

/* ---- receive ------------------------------------------------------------------ */

static VOID
SpCountEtherType(_Inout_ SP_COUNTERS *Counters, USHORT EtherType)
{
    ULONG i;

    for (i = 0; i < Counters->TypeCount; i++) {
        if (Counters->ByType[i].EtherType == EtherType) {
            Counters->ByType[i].Frames++;
            return;
        }
    }
    if (Counters->TypeCount < SAMPLEPROTO_MAX_ETHERTYPES) {
        Counters->ByType[Counters->TypeCount].EtherType = EtherType;
        Counters->ByType[Counters->TypeCount].Frames = 1;
        Counters->TypeCount++;
        return;
    }
    Counters->OtherTypes++;
}

_Use_decl_annotations_
VOID
SpReceiveNetBufferLists(NDIS_HANDLE ProtocolBindingContext, PNET_BUFFER_LIST NetBufferLists,
                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                        ULONG ReceiveFlags)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;
    BOOLEAN atDispatchLevel = (ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0;
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nb;
    BOOLEAN accepting;

    UNREFERENCED_PARAMETER(PortNumber);
    UNREFERENCED_PARAMETER(NumberOfNetBufferLists);

    if (atDispatchLevel)
        NdisDprAcquireSpinLock(&binding->Lock);
    else
        NdisAcquireSpinLock(&binding->Lock);
    /* pausing-a-binding.md: receives are handled as usual while Pausing. */
    accepting = binding->State == SpBindingRunning || binding->State == SpBindingPausing;
    for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb)) {
            UCHAR storage[SP_ETH_HEADER_SIZE];
            const UCHAR *header;

            header = accepting ? NdisGetDataBuffer(nb, SP_ETH_HEADER_SIZE, storage, 1, 0) : NULL;
            if (header == NULL) {
                binding->Counters.Dropped++;
                continue;
            }
            binding->Counters.Received++;
            binding->Counters.ReceivedBytes += NET_BUFFER_DATA_LENGTH(nb);
            SpCountEtherType(&binding->Counters, (USHORT)((header[12] << 8) | header[13]));
        }
    }
    if (atDispatchLevel)
        NdisDprReleaseSpinLock(&binding->Lock);
    else
        NdisReleaseSpinLock(&binding->Lock);

    /* With NDIS_RECEIVE_FLAGS_RESOURCES the NBLs go back when this returns. */
    if ((ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) == 0) {
        NdisReturnNetBufferLists(binding->BindingHandle, NetBufferLists,
                                 atDispatchLevel ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
    }
}

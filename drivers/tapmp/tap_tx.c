/*
 * tap_tx.c - MiniportSendNetBufferLists: every NET_BUFFER is one frame written
 * to the TAP device, and the whole list is completed before returning
 * (concepts/sending-data-from-a-miniport-driver.md: a miniport may complete
 * sends from within MiniportSendNetBufferLists). A frame whose data spans
 * several MDLs is gathered with NdisGetDataBuffer into a buffer on the stack.
 *
 * While the adapter is not Running, sends complete with NDIS_STATUS_PAUSED
 * (nc-ndis-miniport_pause.md); after the interface was deleted, with
 * NDIS_STATUS_ADAPTER_REMOVED.
 */
#include "tapmp.h"

struct tx_counts {
    ULONG64 frames[3], bytes[3];
    ULONG64 discards, errors;
};

/* Writes one frame; returns its status and counts it. */
static NDIS_STATUS tx_frame(struct tap_adapter *a, PNET_BUFFER nb, struct tx_counts *c)
{
    UCHAR storage[TAP_MAX_FRAME];
    ULONG len = NET_BUFFER_DATA_LENGTH(nb);
    if (len < TAP_MIN_FRAME || len > TAP_MAX_FRAME) {
        c->discards++;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    const UCHAR *frame = NdisGetDataBuffer(nb, len, storage, 1, 0);
    if (!frame) {
        c->errors++; /* the MDL chain is shorter than DataLength */
        return NDIS_STATUS_INVALID_DATA;
    }
    long r = tap_dev_write(a->dev, frame, len);
    if (r == (long)len) {
        int cls = tap_frame_class(frame);
        c->frames[cls]++;
        c->bytes[cls] += len;
        return NDIS_STATUS_SUCCESS;
    }
    switch (r) {
    case TAP_IO_DOWN:
        c->discards++;
        return NDIS_STATUS_MEDIA_DISCONNECTED;
    case TAP_IO_AGAIN:
        c->discards++;
        return NDIS_STATUS_RESOURCES;
    case TAP_IO_GONE:
        c->discards++;
        return NDIS_STATUS_ADAPTER_REMOVED;
    default:
        c->errors++;
        return NDIS_STATUS_FAILURE;
    }
}

static NDIS_STATUS tx_nbl(struct tap_adapter *a, PNET_BUFFER_LIST nbl, struct tx_counts *c)
{
    NDIS_STATUS result = NDIS_STATUS_SUCCESS;
    for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
        NDIS_STATUS st = tx_frame(a, nb, c);
        if (st != NDIS_STATUS_SUCCESS && result == NDIS_STATUS_SUCCESS)
            result = st; /* the first failure of the list */
    }
    return result;
}

static void tx_count(struct tap_adapter *a, const struct tx_counts *c)
{
    struct tap_stats *s = &a->stats;
    atomic_ullong *frames[3] = {&s->out_ucast, &s->out_mcast, &s->out_bcast};
    atomic_ullong *bytes[3] = {&s->out_ucast_bytes, &s->out_mcast_bytes, &s->out_bcast_bytes};
    for (int i = 0; i < 3; i++)
        if (c->frames[i]) {
            atomic_fetch_add_explicit(frames[i], c->frames[i], memory_order_relaxed);
            atomic_fetch_add_explicit(bytes[i], c->bytes[i], memory_order_relaxed);
        }
    if (c->discards)
        atomic_fetch_add_explicit(&s->out_discards, c->discards, memory_order_relaxed);
    if (c->errors)
        atomic_fetch_add_explicit(&s->out_errors, c->errors, memory_order_relaxed);
}

/* Why sends are refused now, or NDIS_STATUS_SUCCESS. */
static NDIS_STATUS tx_refusal(struct tap_adapter *a)
{
    if (atomic_load(&a->gone))
        return NDIS_STATUS_ADAPTER_REMOVED;
    if (atomic_load(&a->state) != TAP_RUNNING)
        return NDIS_STATUS_PAUSED;
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ void tap_send_nbls(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                          NDIS_PORT_NUMBER port, ULONG flags)
{
    struct tap_adapter *a = ctx;
    (void)port;
    struct tx_counts c = {{0}, {0}, 0, 0};
    tap_ref_get(a, 1); /* a pause waits for this call to complete its sends */
    NDIS_STATUS refuse = tx_refusal(a);
    for (PNET_BUFFER_LIST nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        if (refuse != NDIS_STATUS_SUCCESS) {
            for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb; nb = NET_BUFFER_NEXT_NB(nb))
                c.discards++;
            NET_BUFFER_LIST_STATUS(nbl) = refuse;
        } else {
            NET_BUFFER_LIST_STATUS(nbl) = tx_nbl(a, nbl, &c);
        }
    }
    tx_count(a, &c);
    NdisMSendNetBufferListsComplete(a->handle, nbls,
                                    (flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL)
                                        ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                                        : 0);
    tap_ref_put(a, 1);
}

/* Every send is complete when MiniportSendNetBufferLists returns: nothing to cancel. */
_Use_decl_annotations_ void tap_cancel_send(NDIS_HANDLE ctx, PVOID cancel_id)
{
    (void)ctx;
    (void)cancel_id;
}

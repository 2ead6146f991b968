/*
 * rsp_data.c - the responder's data path. ProtocolReceiveNetBufferLists reads
 * each NET_BUFFER as one frame (NdisGetDataBuffer copies it into a stack
 * buffer when its MDLs split it, so the frame logic sees contiguous bytes and
 * never reads past DataLength), lets rsp_frame.c decide, writes answers
 * straight into NBLs of the binding's pool, returns what it received, then
 * sends every answer of the call in one NdisSendNetBufferLists.
 * ProtocolSendNetBufferListsComplete frees them.
 */
#include "rsp.h"

struct answers {
    PNET_BUFFER_LIST head, *tail;
    ULONG n;
    PNET_BUFFER_LIST spare; /* allocated for a frame that needed no answer */
};

NDIS_HANDLE rsp_alloc_pool(void)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pp.fAllocateNetBuffer = TRUE;
    pp.DataSize = RSP_ETH_MAX_FRAME;
    pp.PoolTag = RSP_TAG;
    return NdisAllocateNetBufferListPool(rsp_driver_handle, &pp);
}

/* The data buffer of a pool NBL (DataOffset is 0 after allocation). */
static PUCHAR answer_buffer(PNET_BUFFER_LIST nbl)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    PUCHAR va = MmGetSystemAddressForMdlSafe(NET_BUFFER_CURRENT_MDL(nb), NormalPagePriority);
    return va ? va + NET_BUFFER_CURRENT_MDL_OFFSET(nb) : NULL;
}

static enum rsp_verdict handle_frame(struct rsp_binding *b, PNET_BUFFER nb, struct answers *ans)
{
    UCHAR storage[RSP_ETH_MAX_FRAME];
    ULONG len = NET_BUFFER_DATA_LENGTH(nb);
    if (len < RSP_ETH_HLEN)
        return RSP_DROP_SHORT;
    if (len > RSP_ETH_MAX_FRAME)
        return RSP_DROP_OVERSIZE;
    const UCHAR *frame = NdisGetDataBuffer(nb, len, storage, 1, 0);
    if (!frame)
        return RSP_DROP_UNREADABLE;
    if (!ans->spare)
        ans->spare = NdisAllocateNetBufferList(b->pool, 0, 0);
    PUCHAR out = ans->spare ? answer_buffer(ans->spare) : NULL;
    size_t out_len;
    /* Without an NBL the logic still names the drop reason; an answer becomes
       RSP_DROP_NO_RESOURCES. */
    enum rsp_verdict v =
        rsp_frame_handle(&b->self, frame, len, out, out ? RSP_ETH_MAX_FRAME : 0, &out_len);
    if (v != RSP_REPLY_ARP && v != RSP_REPLY_ECHO)
        return v;
    PNET_BUFFER_LIST nbl = ans->spare;
    ans->spare = NULL;
    NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(nbl)) = (ULONG)out_len;
    *ans->tail = nbl;
    ans->tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
    ans->n++;
    return v;
}

static void count_verdicts(struct rsp_binding *b, const ULONG *v, ULONG frames)
{
    atomic_fetch_add_explicit(&b->counters.frames, frames, memory_order_relaxed);
    for (int i = 0; i < RSP_VERDICT_COUNT; i++)
        if (v[i])
            atomic_fetch_add_explicit(&b->counters.verdicts[i], v[i], memory_order_relaxed);
}

_Use_decl_annotations_ void rsp_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                        NDIS_PORT_NUMBER port, ULONG count, ULONG flags)
{
    struct rsp_binding *b = ctx;
    bool dispatch = flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
    struct answers ans = {NULL, &ans.head, 0, NULL};
    ULONG verdicts[RSP_VERDICT_COUNT] = {0}, frames = 0;
    (void)port;
    (void)count;
    atomic_fetch_add(&b->refs, 1); /* a pause waits for this call */
    bool running = atomic_load(&b->state) == RSP_RUNNING;
    for (PNET_BUFFER_LIST nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
            frames++;
            verdicts[running ? handle_frame(b, nb, &ans) : RSP_DROP_NOT_RUNNING]++;
        }
    if (ans.spare)
        NdisFreeNetBufferList(ans.spare);
    count_verdicts(b, verdicts, frames);
    /* With NDIS_RECEIVE_FLAGS_RESOURCES the NBLs go back when this call returns. */
    if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES))
        NdisReturnNetBufferLists(b->handle, nbls, dispatch ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
    if (ans.n) {
        atomic_fetch_add(&b->refs, (long)ans.n); /* dropped by rsp_send_complete */
        atomic_fetch_add_explicit(&b->counters.sent, ans.n, memory_order_relaxed);
        NdisSendNetBufferLists(b->handle, ans.head, NDIS_DEFAULT_PORT_NUMBER,
                               dispatch ? NDIS_SEND_FLAGS_DISPATCH_LEVEL : 0);
    }
    rsp_ref_put(b, 1);
}

_Use_decl_annotations_ void rsp_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                              ULONG flags)
{
    struct rsp_binding *b = ctx;
    ULONG n = 0, failed = 0;
    (void)flags;
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = NULL;
        if (NET_BUFFER_LIST_STATUS(nbls) != NDIS_STATUS_SUCCESS) {
            failed++;
            atomic_store_explicit(&b->counters.last_failure, NET_BUFFER_LIST_STATUS(nbls),
                                  memory_order_relaxed);
        }
        NdisFreeNetBufferList(nbls);
        n++;
        nbls = next;
    }
    atomic_fetch_add_explicit(&b->counters.send_completed, n, memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&b->counters.send_failed, failed, memory_order_relaxed);
    rsp_ref_put(b, (long)n);
}

/*
 * loopback.c - NDIS loops sent frames back to the adapter's other bindings
 * (concepts/looping-back-ndis-packets.md).
 *
 * NDIS loops a packet back when (1) the medium is 802.3 or 802.5, (2) a
 * binding set NDIS_PACKET_TYPE_PROMISCUOUS (without NDIS_PACKET_TYPE_NO_LOCAL)
 * or NDIS_PACKET_TYPE_ALL_LOCAL and there is more than one binding or a filter
 * module with a receive handler - or the sender set
 * NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK - and (3) the adapter's packet filter
 * accepts the frame. The sending binding receives its own frame only with
 * NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK; another binding receives it unless it set
 * NDIS_PACKET_TYPE_NO_LOCAL (and its own filter accepts it).
 *
 * Where: at the miniport edge, just before the chain goes to
 * MiniportSendNetBufferLists, so the frames are those that left the bottom of
 * the stack. Each frame is indicated up from the miniport edge, through filter
 * modules' receive handlers, as an NDIS clone sharing the sender's data
 * (NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET set) with NDIS_RECEIVE_FLAGS_RESOURCES:
 * the sender still owns the data until its send completes, so nothing may
 * keep it. Which binding sent it travels with the indication in a thread-local
 * (the indication is synchronous), for the per-binding rules above.
 */
#include <string.h>

#include "core/cbctx.h"
#include "core/core.h"
#include "datapath/datapath.h"
#include "datapath/nblpriv.h"

static __thread const struct ndisi_loopback_ctx *lb_ctx;

const struct ndisi_loopback_ctx *ndisi_loopback_current(void)
{
    return lb_ctx;
}

static bool local_filter(ULONG pf)
{
    return ((pf & NDIS_PACKET_TYPE_PROMISCUOUS) && !(pf & NDIS_PACKET_TYPE_NO_LOCAL)) ||
           (pf & NDIS_PACKET_TYPE_ALL_LOCAL);
}

void ndisi_loopback_recompute(struct ndisi_adapter *a)
{
    bool any = false;
    pthread_rwlock_rdlock(&a->stack_lock);
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens && !any; e = e->Flink) {
        struct ndisi_open *o = CONTAINING_RECORD(e, struct ndisi_open, adapter_link);
        unsigned ep = ndisi_rcu_enter(&a->rx_rcu); /* a set may replace it (oid.c) */
        struct ndisi_rxfilter *f = atomic_load(&o->rxf);
        any = f && local_filter(f->packet_filter);
        ndisi_rcu_leave(&a->rx_rcu, ep);
    }
    pthread_rwlock_unlock(&a->stack_lock);
    atomic_store(&a->loopback_local, any);
}

bool ndisi_loopback_wanted(struct ndisi_adapter *a, ULONG send_flags)
{
    NDIS_MEDIUM m = a->gen_attrs.MediaType;
    if (m != NdisMedium802_3 && m != NdisMedium802_5)
        return false;
    if (send_flags & NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK)
        return true;
    return atomic_load_explicit(&a->loopback_local, memory_order_relaxed) &&
           (atomic_load_explicit(&a->nopens, memory_order_relaxed) > 1 || a->recv_bottom != NULL);
}

static bool union_accepts(const struct ndisi_adapter *a, const struct ndisi_rxfilter *u,
                          const UCHAR d[6])
{
    static const UCHAR bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ULONG pf = u ? u->packet_filter : 0;
    if (pf & (NDIS_PACKET_TYPE_PROMISCUOUS | NDIS_PACKET_TYPE_ALL_LOCAL))
        return true;
    if (memcmp(d, bcast, 6) == 0)
        return pf & NDIS_PACKET_TYPE_BROADCAST;
    if (d[0] & 1) {
        if (pf & NDIS_PACKET_TYPE_ALL_MULTICAST)
            return true;
        if (!(pf & NDIS_PACKET_TYPE_MULTICAST))
            return false;
        for (unsigned i = 0; i < u->nmcast; i++)
            if (memcmp(u->mcast[i], d, 6) == 0)
                return true;
        return false;
    }
    return (pf & NDIS_PACKET_TYPE_DIRECTED) && memcmp(d, a->gen_attrs.CurrentMacAddress, 6) == 0;
}

/* Condition 3: the adapter's packet filter (the union of the bindings') accepts d. */
static bool adapter_accepts(struct ndisi_adapter *a, const UCHAR d[6])
{
    /* Read inside a receive read section: an OID set may replace it (oid.c). */
    unsigned ep = ndisi_rcu_enter(&a->rx_rcu);
    bool ok = union_accepts(a, atomic_load(&a->rxf), d);
    ndisi_rcu_leave(&a->rx_rcu, ep);
    return ok;
}

static void free_clone(PNET_BUFFER_LIST c)
{
    ndisi_nbl_set_where(ndisi_nbl_priv(c), NDISI_NBL_OWNED);
    NdisFreeCloneNetBufferList(c, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
}

void ndisi_loopback(struct ndisi_adapter *a, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
                    ULONG send_flags)
{
    struct ndisi_loopback_ctx ctx = {
        .check = (send_flags & NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK) != 0,
    };
    /* NDIS's own work: clones are NDIS's, not the sender's. */
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, NULL, "NDIS", a->name, NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next) {
        UCHAR d[6];
        if (!ndisi_frame_dest(x, d) || !adapter_accepts(a, d))
            continue;
        PNET_BUFFER_LIST c = NdisAllocateCloneNetBufferList(x, NULL, NULL,
                                                            NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
        if (!c)
            continue; /* out of memory: this copy is not looped back */
        memcpy(c->NetBufferListInfo, x->NetBufferListInfo, sizeof(c->NetBufferListInfo));
        c->NblFlags = x->NblFlags | NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET;
        c->SourceHandle = a;
        c->Status = NDIS_STATUS_SUCCESS;
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(c);
        p->owner = NULL;
        atomic_store_explicit(&p->refs, 0, memory_order_relaxed); /* resources: not kept */
        ndisi_nbl_set_where(p, NDISI_NBL_INDICATED);
        ctx.sender = ndisi_obj_is(x->SourceHandle, NDISI_OBJ_OPEN) ? x->SourceHandle : NULL;
        const struct ndisi_loopback_ctx *saved = lb_ctx;
        lb_ctx = &ctx;
        ULONG rf = NDIS_RECEIVE_FLAGS_RESOURCES |
                   (ndisi_cur_irql >= DISPATCH_LEVEL ? NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL : 0);
        ndisi_deliver_up(a, NULL, a->recv_bottom, c, port, 1, rf);
        lb_ctx = saved;
        free_clone(c);
    }
    ndisi_cb_leave(&f);
}

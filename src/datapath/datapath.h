/*
 * datapath.h - pieces of the send and receive paths shared between files.
 */
#ifndef NDISI_DATAPATH_H
#define NDISI_DATAPATH_H

#include "core/cbctx.h"
#include "core/model.h"
#include "core/wait.h"
#include "datapath/nblpriv.h"

void ndisi_dp_flag_mismatch(const char *ddi, const char *flag);
void ndisi_dp_complete_to_module(struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls, ULONG n,
                                 ULONG flags);

/*
 * Hands n NBLs back to module m through `handler` (FilterSendNetBufferListsComplete
 * or FilterReturnNetBufferLists, named `name`): those its driver allocated are its
 * own again; then the module's drain `d` (tx or rx) drops by n. Both handler
 * types are VOID (NDIS_HANDLE, PNET_BUFFER_LIST, ULONG).
 */
static inline void ndisi_dp_back_to_module(struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls,
                                           ULONG n, ULONG flags,
                                           FILTER_RETURN_NET_BUFFER_LISTS_HANDLER handler,
                                           const char *name, struct ndisi_drain *d)
{
    struct ndisi_image *me = m->driver->image;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (p->owner == me)
            ndisi_nbl_set_where(p, NDISI_NBL_OWNED);
    }
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, me, name, m->label, NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    handler(m->ctx, nbls, flags);
    ndisi_cb_leave(&f);
    ndisi_drain_sub(d, n, &m->adapter->host->wq);
}

/* xfilter.c: the destination address of the NBL's first frame; false if too short. */
bool ndisi_frame_dest(PNET_BUFFER_LIST nbl, UCHAR out[6]);
/* xfilter.c: does binding o's packet filter and multicast list accept this frame? */
bool ndisi_xfilter_match(const struct ndisi_open *o, PNET_BUFFER_LIST nbl);
/* True when o's filter cannot reject anything the adapter indicates. */
bool ndisi_xfilter_takes_all(const struct ndisi_open *o, const struct ndisi_adapter *a);

/*
 * capture.c: a chain moving between layer `hi` and layer `lo` of a's stack (a
 * module, or NULL: the protocols as hi, the miniport as lo), downward when
 * `send`. Call through ndisi_capture_check: nothing but a load when no capture
 * runs.
 */
void ndisi_capture_chain(struct ndisi_adapter *a, struct ndisi_filter_module *lo,
                         struct ndisi_filter_module *hi, bool send, PNET_BUFFER_LIST nbls);
/* The adapter goes away: its captures end (h->lock held). */
void ndisi_capture_adapter_gone(struct ndisi_adapter *a);

static inline void ndisi_capture_check(struct ndisi_adapter *a, struct ndisi_filter_module *lo,
                                       struct ndisi_filter_module *hi, bool send,
                                       PNET_BUFFER_LIST nbls)
{
    if (__builtin_expect(atomic_load_explicit(&a->captures, memory_order_relaxed) != NULL, 0))
        ndisi_capture_chain(a, lo, hi, send, nbls);
}

/* receive.c: a chain to the first receive layer at or above `m` (NULL: the
   protocols), `from` being the layer that indicated it (NULL: the miniport edge). */
void ndisi_deliver_up(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                      struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls,
                      NDIS_PORT_NUMBER port, ULONG n, ULONG flags);

/*
 * loopback.c: NDIS's loopback of sent frames to the other bindings. The send
 * path calls ndisi_loopback at the miniport edge when ndisi_loopback_wanted;
 * the receive path asks ndisi_loopback_current (non-NULL while a looped-back
 * frame goes up) which binding sent it.
 */
struct ndisi_loopback_ctx {
    const struct ndisi_open *sender; /* NULL: a filter module sent it */
    bool check;                      /* NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK */
};
const struct ndisi_loopback_ctx *ndisi_loopback_current(void);
bool ndisi_loopback_wanted(struct ndisi_adapter *a, ULONG send_flags);
void ndisi_loopback(struct ndisi_adapter *a, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
                    ULONG send_flags);
/* After a binding's packet filter changed or a binding went away (oid.c, a->rxf_lock held). */
void ndisi_loopback_recompute(struct ndisi_adapter *a);

/* receive.c: NDIS's own clones for NBLs that several bindings receive. */
void ndisi_rx_init_clone_pool(void);

#endif /* NDISI_DATAPATH_H */

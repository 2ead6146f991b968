/*
 * receive.c - the receive path: NdisMIndicateReceiveNetBufferLists, up through
 * every filter module whose receive path is enabled (FilterReceiveNetBufferLists
 * / NdisFIndicateReceiveNetBufferLists), to ProtocolReceiveNetBufferLists of
 * every Running binding whose packet filter accepts the frame; returns back down
 * (NdisReturnNetBufferLists, FilterReturnNetBufferLists / NdisFReturnNetBufferLists)
 * to MiniportReturnNetBufferLists, exactly once per NBL, after every binding that
 * received it returned it.
 *
 * "NDIS passes a subset of the list that includes only the NET_BUFFER_LIST
 * structures that are associated with the correct binding to each protocol
 * driver" (concepts/receiving-network-data.md). An NBL has one Next link, so an
 * NBL that several bindings receive (without NDIS_RECEIVE_FLAGS_RESOURCES) goes
 * as itself to the first and as an NDIS clone sharing its data to each other one
 * ("NDIS could copy a NET_BUFFER_LIST structure ... and indicate the copy");
 * the original returns to the miniport when the last of them is returned.
 *
 * A layer that is not Running (a paused module, no running binding) does not
 * receive: NDIS hands such NBLs straight back to the layer that indicated them.
 */
#include <string.h>

#include "core/core.h"
#include "core/verifier.h"
#include "datapath/chainrec.h"
#include "datapath/datapath.h"
#include "datapath/nblpriv.h"
#include "datapath/rxclone.h"

#define RULE_P "Irql_Protocol_Driver_Function"
#define RULE_M "Irql_Miniport_Driver_Function"
#define RULE_F "Irql_Filter_Driver_Function"
#define MAX_RX_OPENS 64
#define RX_BATCH 256

static inline bool at_dispatch(void)
{
    return ndisi_cur_irql >= DISPATCH_LEVEL;
}

static inline ULONG return_flags(void)
{
    return at_dispatch() ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0;
}

/* The chain this thread is indicating up from a miniport (chainrec.h), for an
   inline return. */
static __thread struct ndisi_chain_rec *t_rx;

/* ---- returns: down to the layer that indicated ----------------------------------- */

static void call_return(struct ndisi_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, a->miniport->image, "MiniportReturnNetBufferLists", a->name,
                   NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    a->miniport->chars.ReturnNetBufferListsHandler(a->ctx, nbls, flags);
    ndisi_cb_leave(&f);
}

/* Gives back a chain whose NBLs are already OWNED again. */
static void return_owned_to_miniport(struct ndisi_adapter *a, PNET_BUFFER_LIST nbls, ULONG n,
                                     ULONG flags)
{
    call_return(a, nbls, flags);
    ndisi_drain_sub(&a->mp_recvs, n, &a->host->wq);
}

static void return_to_miniport(struct ndisi_adapter *a, PNET_BUFFER_LIST nbls, ULONG n,
                               ULONG flags)
{
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        ndisi_nbl_set_where(ndisi_nbl_priv(x), NDISI_NBL_OWNED);
    return_owned_to_miniport(a, nbls, n, flags);
}

static void return_to_module(struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls, ULONG n,
                             ULONG flags)
{
    ndisi_dp_back_to_module(m, nbls, n, flags, m->ret, "FilterReturnNetBufferLists", &m->rx);
}

/* Returns a chain to the first return layer at or below m (NULL: the miniport). */
static void return_down(struct ndisi_adapter *a, struct ndisi_filter_module *m,
                        PNET_BUFFER_LIST nbls, ULONG n, ULONG flags)
{
    if (m)
        return_to_module(m, nbls, n, flags);
    else
        return_to_miniport(a, nbls, n, flags);
}

/* The return layer for NBLs that arrived at the layer above `from` (NULL: miniport). */
static struct ndisi_filter_module *return_layer_below(struct ndisi_adapter *a,
                                                      struct ndisi_filter_module *from)
{
    (void)a;
    struct ndisi_filter_module *m = from;
    while (m && !m->ret)
        m = m->below;
    return m;
}

/* NBLs that no layer above `from` takes go straight back to it. */
static void refuse(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                   PNET_BUFFER_LIST nbls, ULONG n, ULONG flags)
{
    if (flags & NDIS_RECEIVE_FLAGS_RESOURCES)
        return; /* ownership goes back when the indication returns */
    return_down(a, return_layer_below(a, from), nbls, n, return_flags());
}

/* ---- protocol edge ------------------------------------------------------------------ */

static void deliver_to_open(struct ndisi_open *o, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port,
                            ULONG n, ULONG flags)
{
    struct ndisi_protocol *p = o->protocol;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolReceiveNetBufferLists", o->label,
                   NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    p->chars.ReceiveNetBufferListsHandler(o->ctx, nbls, port, n, flags);
    ndisi_cb_leave(&f);
}

/* NBLs of a lazily counted indication (tallied as indicated when it started)
   that go in the adapter's receive count after all. */
static void count_late(struct ndisi_adapter *a, ULONG n)
{
    ndisi_tally_add(&a->tally, NDISI_TALLY_INDICATED, -(unsigned long)n);
    ndisi_drain_add(&a->mp_recvs, n);
}

static bool open_running(struct ndisi_open *o)
{
    return atomic_load(&o->state) == NDISI_OS_RUNNING;
}

/* Chains x[0..n) through Next. */
static PNET_BUFFER_LIST relink(PNET_BUFFER_LIST *x, unsigned n)
{
    for (unsigned i = 0; i + 1 < n; i++)
        x[i]->Next = x[i + 1];
    if (n)
        x[n - 1]->Next = NULL;
    return n ? x[0] : NULL;
}

/*
 * One batch (at most RX_BATCH NBLs, linked) to several bindings, or to a binding
 * whose packet filter must be applied frame by frame.
 */
static void rx_batch_general(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                             struct ndisi_open **cand, unsigned k, PNET_BUFFER_LIST nbls,
                             NDIS_PORT_NUMBER port, ULONG flags)
{
    PNET_BUFFER_LIST orig[RX_BATCH], sub[RX_BATCH];
    uint64_t acc[RX_BATCH];
    unsigned n = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        orig[n++] = x;
    for (unsigned i = 0; i < n; i++) {
        acc[i] = 0;
        for (unsigned j = 0; j < k; j++)
            if (ndisi_xfilter_match(cand[j], orig[i]))
                acc[i] |= 1ull << j;
    }
    bool resources = flags & NDIS_RECEIVE_FLAGS_RESOURCES;
    if (resources) {
        /* Nothing can be kept: each binding gets its subset in turn, and the
           indicating driver gets its own list back intact. */
        for (unsigned j = 0; j < k; j++) {
            unsigned m = 0;
            for (unsigned i = 0; i < n; i++)
                if (acc[i] & (1ull << j))
                    sub[m++] = orig[i];
            if (!m)
                continue;
            struct ndisi_open *o = cand[j];
            ndisi_drain_add(&o->rx, m);
            if (open_running(o))
                deliver_to_open(o, relink(sub, m), port, m, flags);
            ndisi_drain_sub(&o->rx, m, &a->host->wq);
        }
        relink(orig, n);
        return;
    }
    /* Reference counts first: a binding may return NBLs before the others got them. */
    unsigned nrefuse = 0;
    for (unsigned i = 0; i < n; i++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(orig[i]);
        int refs = __builtin_popcountll(acc[i]);
        atomic_store_explicit(&p->refs, refs + 1, memory_order_relaxed);
        ndisi_nbl_set_where(p, NDISI_NBL_INDICATED); /* counted holders from now on */
    }
    bool first_done[RX_BATCH];
    memset(first_done, 0, sizeof(bool) * n);
    for (unsigned j = 0; j < k; j++) {
        struct ndisi_open *o = cand[j];
        unsigned m = 0;
        for (unsigned i = 0; i < n; i++) {
            if (!(acc[i] & (1ull << j)))
                continue;
            if (!first_done[i]) {
                first_done[i] = true;
                sub[m++] = orig[i];
                continue;
            }
            PNET_BUFFER_LIST c = ndisi_rxclone_get(a, orig[i]);
            if (c)
                sub[m++] = c;
            else
                ndisi_rx_release(a, orig[i]); /* this binding misses it: out of memory */
        }
        if (!m)
            continue;
        ndisi_drain_add(&o->rx, m);
        if (open_running(o)) {
            deliver_to_open(o, relink(sub, m), port, m, flags);
        } else {
            /* Paused between the check and the delivery: the binding never saw them. */
            ndisi_drain_sub(&o->rx, m, &a->host->wq);
            for (unsigned i = 0; i < m; i++)
                ndisi_rx_release_any(a, sub[i]);
        }
    }
    /* Drop NDIS's own reference; NBLs nobody took go back at once. */
    PNET_BUFFER_LIST back[RX_BATCH];
    for (unsigned i = 0; i < n; i++)
        if (atomic_fetch_sub(&ndisi_nbl_priv(orig[i])->refs, 1) == 1)
            back[nrefuse++] = orig[i];
    if (nrefuse)
        return_down(a, return_layer_below(a, from), relink(back, nrefuse), nrefuse,
                    return_flags());
}

/* Whether binding o receives a looped-back frame (loopback.c has the rules). */
static bool loopback_to(const struct ndisi_open *o, const struct ndisi_loopback_ctx *lb)
{
    if (o == lb->sender)
        return lb->check;
    const struct ndisi_rxfilter *f = atomic_load(&((struct ndisi_open *)o)->rxf);
    return !(f && (f->packet_filter & NDIS_PACKET_TYPE_NO_LOCAL));
}

static void rx_to_protocols(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                            PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG n, ULONG flags)
{
    unsigned e = ndisi_rcu_enter(&a->rx_rcu);
    struct ndisi_open **opens = atomic_load(&a->rx_opens);
    struct ndisi_open *cand[MAX_RX_OPENS];
    unsigned k = 0;
    const struct ndisi_loopback_ctx *lb = ndisi_loopback_current();
    struct ndisi_open *ox;
    for (unsigned i = 0; opens && (ox = ndisi_rx_open(opens, i)) && k < MAX_RX_OPENS; i++)
        if (open_running(ox) && (!lb || loopback_to(ox, lb)))
            cand[k++] = ox;

    struct ndisi_chain_rec *r = from ? NULL : t_rx;
    bool one = k == 1 && !lb && ndisi_xfilter_takes_all(cand[0], a);
    if (r && r->head == nbls && r->lazy && !one) {
        /* Only tallied by NdisMIndicateReceiveNetBufferLists (only the path
           below may count it late): counted now, before any of it can go back. */
        count_late(a, n);
        r->lazy = false;
    }
    if (k == 0) {
        ndisi_rcu_leave(&a->rx_rcu, e);
        refuse(a, from, nbls, n, flags);
        return;
    }
    if (one) {
        /* The common case: one binding that wants everything the miniport indicates. */
        struct ndisi_open *o = cand[0];
        /* The call runs inside the receive read section: a pause waits for it
           (ndisi_open_pause) before it waits for o->rx, so an unbind never
           overtakes it. That lets a recorded chain (chainrec.h) count in o->rx
           only what the binding still holds when its handler returns: what it
           returned inline never touched the count. Returns made otherwise
           subtract as usual, possibly before the add; the count is whole again
           before the read section ends, and nobody reads it in between. */
        bool deferred = r && r->head == nbls;
        if (!deferred)
            ndisi_drain_add(&o->rx, n);
        if (__builtin_expect(!open_running(o), 0)) {
            if (!deferred)
                ndisi_drain_sub(&o->rx, n, &a->host->wq);
            else if (r->lazy)
                count_late(a, n);
            ndisi_rcu_leave(&a->rx_rcu, e);
            refuse(a, from, nbls, n, flags);
            return;
        }
        if (deferred)
            r->o = o;
        /* Each NBL is INDICATED_ONE already (mark_indicated): one holder. */
        deliver_to_open(o, nbls, port, n, flags);
        if (deferred) {
            /* Still inside the read section the pause waits for: the counts
               are whole before it can read them. */
            r->o = NULL;
            if (r->taken != n) {
                ndisi_drain_add(&o->rx, n - r->taken);
                if (r->lazy)
                    count_late(a, n - r->taken);
            }
        } else if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
            ndisi_drain_sub(&o->rx, n, &a->host->wq);
        }
        ndisi_rcu_leave(&a->rx_rcu, e);
        return;
    }
    /* General case, batch by batch. */
    PNET_BUFFER_LIST x = nbls;
    while (x) {
        PNET_BUFFER_LIST head = x, last = x;
        unsigned cnt = 1;
        while (last->Next && cnt < RX_BATCH) {
            last = last->Next;
            cnt++;
        }
        x = last->Next;
        last->Next = NULL;
        rx_batch_general(a, from, cand, k, head, port, flags);
        if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
            /* Give the indicating driver its whole list back. */
            for (last = head; last->Next; last = last->Next)
                ;
            last->Next = x;
        }
    }
    ndisi_rcu_leave(&a->rx_rcu, e);
}

/* Sends a chain to the first receive layer at or above `m` (NULL: the protocols);
   `from` is the layer that indicated it. */
void ndisi_deliver_up(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                      struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls,
                      NDIS_PORT_NUMBER port, ULONG n, ULONG flags)
{
    if (!m) {
        rx_to_protocols(a, from, nbls, port, n, flags);
        return;
    }
    /* Counted before the state is read: a pause that sees no call in progress
       after the module stopped Pausing cannot miss one (pause_one in filter.c). */
    ndisi_drain_add(&m->calls, 1);
    int st = atomic_load(&m->state);
    if ((st != NDISI_MS_RUNNING && st != NDISI_MS_PAUSING) || atomic_load(&m->rx_closed)) {
        ndisi_drain_sub(&m->calls, 1, &a->host->wq);
        refuse(a, from, nbls, n, flags);
        return;
    }
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, m->driver->image, "FilterReceiveNetBufferLists", m->label,
                   NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    m->receive(m->ctx, nbls, port, n, flags);
    ndisi_cb_leave(&f);
    ndisi_drain_sub(&m->calls, 1, &a->host->wq);
}

/* ---- indications ---------------------------------------------------------------------- */

/*
 * An indicated NBL is INDICATED while it is up the stack, with or without
 * NDIS_RECEIVE_FLAGS_RESOURCES; its reference count is 1 (the one binding or
 * module that may keep it) or 0 for a resources indication, which nobody may
 * keep or return. The driver that indicated its own NBLs with the resources
 * flag gets them back OWNED when its call returns (unmark_indicated).
 */
static void unmark_indicated(PNET_BUFFER_LIST nbls, struct ndisi_image *me, PNET_BUFFER_LIST stop)
{
    for (PNET_BUFFER_LIST x = nbls; x != stop; x = x->Next) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (p->owner == me)
            ndisi_nbl_set_where(p, NDISI_NBL_OWNED);
    }
}

/* Marks a chain indicated by the driver `me`; records it in `rec` if not NULL. */
static bool mark_indicated(PNET_BUFFER_LIST nbls, struct ndisi_image *me, bool resources,
                           ULONG *count, const char *ddi, struct ndisi_chain_rec *rec)
{
    ULONG n = 0;
    PNET_BUFFER_LIST x = nbls;
    if (rec && !resources) {
        /* The common case, recorded as it goes: NBLs of one pool of the driver. */
        struct ndisi_nbl_pool *pool = ndisi_nbl_priv(nbls)->pool;
        for (; x && n < NDISI_CHAIN_REC_MAX; x = x->Next, n++) {
            struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
            if (__builtin_expect(!ndisi_chain_rec_fits(p, me, pool), 0))
                break;
            /* One holder until the receive path says otherwise: a single
               binding's return then gives it straight back. */
            ndisi_nbl_set_where(p, NDISI_NBL_INDICATED_ONE);
            rec->nbl[n] = x;
        }
        ndisi_chain_rec_close(rec, nbls, NULL, n, !x);
        rec = NULL;
    }
    for (; x; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (__builtin_expect(p->magic != NDISI_NBL_MAGIC, 0)) {
            unmark_indicated(nbls, me, x);
            ndisi_nbl_bad_state(x, ddi, "allocated from an NDIS pool");
            return false;
        }
        uint8_t w = ndisi_nbl_where(p);
        if (w == NDISI_NBL_OWNED && p->owner == me) {
            if (resources) {
                ndisi_nbl_set_where(p, NDISI_NBL_INDICATED);
                atomic_store_explicit(&p->refs, 0, memory_order_relaxed);
            } else {
                ndisi_nbl_set_where(p, NDISI_NBL_INDICATED_ONE);
            }
        } else if (!ndisi_where_indicated(w) || p->owner == me) {
            unmark_indicated(nbls, me, x);
            ndisi_nbl_bad_state(x, ddi, "owned by the indicating driver, or being indicated "
                                        "(passed up from below)");
            return false;
        }
    }
    if (rec)
        ndisi_chain_rec_close(rec, nbls, NULL, n, false);
    *count = n;
    return true;
}

void NdisMIndicateReceiveNetBufferLists(NDIS_HANDLE MiniportAdapterHandle,
                                        PNET_BUFFER_LIST NetBufferLists,
                                        NDIS_PORT_NUMBER PortNumber,
                                        ULONG NumberOfNetBufferLists, ULONG ReceiveFlags)
{
    const char *ddi = "NdisMIndicateReceiveNetBufferLists";
    struct ndisi_adapter *a = MiniportAdapterHandle;
    if (__builtin_expect(!ndisi_obj_is(a, NDISI_OBJ_ADAPTER), 0) &&
        !ndisi_obj_check(a, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_M), 0))
        return;
    if (__builtin_expect(!!(ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != at_dispatch(),
                         0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL");
    if (!NetBufferLists) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferLists is a non-empty chain",
                     "adapter '%s' indicated a NULL chain", a->name);
        return;
    }
    bool resources = ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES;
    ULONG n;
    struct ndisi_chain_rec rec;
    if (!mark_indicated(NetBufferLists, a->miniport->image, resources, &n, ddi, &rec))
        return;
    if (__builtin_expect(n != NumberOfNetBufferLists, 0))
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "NumberOfNetBufferLists is the number of NBLs in the chain",
                     "adapter '%s' passed %u for a chain of %u", a->name,
                     NumberOfNetBufferLists, n);
    /* With NDIS_RECEIVE_FLAGS_RESOURCES the NBLs are back when the call returns:
       counted in and out around it, so the totals count every indication. A
       recorded chain going straight to the protocols is counted by the receive
       path instead (rx_to_protocols): not at all if the binding returns it
       inline through the record, else before any of it can go back. */
    int st = atomic_load(&a->state);
    /* nc-ndis-miniport_restart.md: "The miniport driver can resume indicating
       received packets ... immediately after NDIS calls MiniportRestart and
       before the driver calls NdisMRestartComplete" (layers still paused above
       hand them back). */
    if (__builtin_expect(st != NDISI_AS_RUNNING && st != NDISI_AS_PAUSING &&
                             st != NDISI_AS_RESTARTING,
                         0)) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "a miniport indicates receives only in the Restarting, Running and Pausing "
                     "states",
                     "adapter '%s' is %s; NDIS returns the NBLs", a->name,
                     ndisi_adapter_state_name(a));
        ndisi_drain_add(&a->mp_recvs, n);
        refuse(a, NULL, NetBufferLists, n, ReceiveFlags);
    } else {
        /* The route (recv_bottom) is read after the state, as the restart that
           set it published it. */
        rec.lazy = rec.head && !resources && !a->recv_bottom;
        if (rec.lazy)
            ndisi_tally_add(&a->tally, NDISI_TALLY_INDICATED, n); /* shown in flight */
        else
            ndisi_drain_add(&a->mp_recvs, n);
        ndisi_capture_check(a, NULL, a->recv_bottom, false, NetBufferLists);
        struct ndisi_chain_rec *outer = t_rx;
        rec.gen = atomic_load_explicit(&a->handbacks_walked, memory_order_relaxed);
        t_rx = &rec;
        ndisi_deliver_up(a, NULL, a->recv_bottom, NetBufferLists, PortNumber, n, ReceiveFlags);
        t_rx = outer;
    }
    if (resources) {
        unmark_indicated(NetBufferLists, a->miniport->image, NULL);
        ndisi_drain_sub(&a->mp_recvs, n, &a->host->wq);
    }
}

void NdisFIndicateReceiveNetBufferLists(NDIS_HANDLE NdisFilterHandle,
                                        PNET_BUFFER_LIST NetBufferLists,
                                        NDIS_PORT_NUMBER PortNumber,
                                        ULONG NumberOfNetBufferLists, ULONG ReceiveFlags)
{
    const char *ddi = "NdisFIndicateReceiveNetBufferLists";
    struct ndisi_filter_module *m = NdisFilterHandle;
    if (__builtin_expect(!ndisi_obj_is(m, NDISI_OBJ_FILTER_MODULE), 0) &&
        !ndisi_obj_check(m, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F), 0))
        return;
    if (__builtin_expect(!!(ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != at_dispatch(),
                         0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL");
    if (!NetBufferLists) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferLists is a non-empty chain",
                     "filter module '%s' indicated a NULL chain", m->label);
        return;
    }
    bool resources = ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES;
    ULONG n;
    if (!mark_indicated(NetBufferLists, m->driver->image, resources, &n, ddi, NULL))
        return;
    if (n != NumberOfNetBufferLists)
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "NumberOfNetBufferLists is the number of NBLs in the chain",
                     "filter module '%s' passed %u for a chain of %u", m->label,
                     NumberOfNetBufferLists, n);
    struct ndisi_adapter *a = m->adapter;
    if (!resources && m->ret)
        ndisi_drain_add(&m->rx, n);
    int st = atomic_load(&m->state);
    if (st != NDISI_MS_RUNNING && st != NDISI_MS_PAUSING) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "a filter module indicates receives only in the Running and Pausing states",
                     "filter module '%s' is %s", m->label, ndisi_module_state_name(m));
        refuse(a, m, NetBufferLists, n, ReceiveFlags);
    } else {
        ndisi_capture_check(a, m, m->recv_next, false, NetBufferLists);
        ndisi_deliver_up(a, m, m->recv_next, NetBufferLists, PortNumber, n, ReceiveFlags);
    }
    if (resources)
        unmark_indicated(NetBufferLists, m->driver->image, NULL);
}

/* ---- returns from above ------------------------------------------------------------ */

/* Drops one binding's reference on an original NBL; true if it was the last. */
bool ndisi_rx_unref(PNET_BUFFER_LIST nbl)
{
    struct ndisi_nbl_priv *p = ndisi_nbl_priv(nbl);
    if (ndisi_nbl_where(p) == NDISI_NBL_INDICATED_ONE)
        return true;
    atomic_int *r = &p->refs;
    return atomic_load_explicit(r, memory_order_relaxed) == 1 || atomic_fetch_sub(r, 1) == 1;
}

void ndisi_rx_release(struct ndisi_adapter *a, PNET_BUFFER_LIST orig)
{
    if (atomic_fetch_sub(&ndisi_nbl_priv(orig)->refs, 1) == 1) {
        orig->Next = NULL;
        return_down(a, a->return_top, orig, 1, return_flags());
    }
}

void ndisi_rx_release_any(struct ndisi_adapter *a, PNET_BUFFER_LIST x)
{
    PNET_BUFFER_LIST orig = ndisi_rxclone_put(x);
    ndisi_rx_release(a, orig ? orig : x);
}

/* Puts back the NBLs before `stop` that a pass already marked OWNED. */
static void unmark_returned(PNET_BUFFER_LIST nbls, PNET_BUFFER_LIST stop)
{
    for (PNET_BUFFER_LIST x = nbls; x != stop; x = x->Next)
        ndisi_nbl_set_where(ndisi_nbl_priv(x), NDISI_NBL_INDICATED_ONE);
}

/* Whether a binding or module may return this NBL (indicated to it, not with
   NDIS_RECEIVE_FLAGS_RESOURCES). */
static inline bool returnable(const struct ndisi_nbl_priv *p)
{
    if (p->magic != NDISI_NBL_MAGIC)
        return false;
    uint8_t w = ndisi_nbl_where(p);
    return w == NDISI_NBL_INDICATED_ONE ||
           (w == NDISI_NBL_INDICATED &&
            atomic_load_explicit(&((struct ndisi_nbl_priv *)p)->refs, memory_order_relaxed) != 0);
}

void NdisReturnNetBufferLists(NDIS_HANDLE NdisBindingHandle, PNET_BUFFER_LIST NetBufferLists,
                              ULONG ReturnFlags)
{
    const char *ddi = "NdisReturnNetBufferLists";
    struct ndisi_open *o = NdisBindingHandle;
    if (__builtin_expect(!ndisi_obj_is(o, NDISI_OBJ_OPEN), 0) &&
        !ndisi_obj_check(o, NDISI_OBJ_OPEN, ddi, "NdisBindingHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_P), 0))
        return;
    if (__builtin_expect(!!(ReturnFlags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != at_dispatch(), 0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_RETURN_FLAGS_DISPATCH_LEVEL");
    struct ndisi_adapter *a = o->adapter;
    /*
     * One pass checks every NBL and, in the common case (no filter module takes
     * returns, and this binding holds the only reference on NBLs the miniport
     * indicated: no NDIS clone), marks it OWNED by the miniport again, so the
     * chain goes down as it is.
     */
    bool direct = a->return_top == NULL;
    struct ndisi_chain_rec *r = t_rx;
    if (direct && r && r->head == NetBufferLists && r->o == o) {
        /* Returned inline, as indicated: no walk, and not counted in o->rx
           (chainrec.h, rx_to_protocols). */
        bool quiet = atomic_load_explicit(&a->handbacks_walked, memory_order_relaxed) == r->gen;
        ULONG n = ndisi_chain_rec_take(r, NDISI_NBL_INDICATED_ONE, NDISI_NBL_OWNED, NULL, quiet);
        if (n) {
            r->taken = n;
            if (r->lazy) {
                /* Never counted: the adapter's totals get it from the tally. */
                ndisi_tally_add(&a->tally, NDISI_TALLY_RETURNED, n);
                call_return(a, NetBufferLists, ReturnFlags);
            } else {
                return_owned_to_miniport(a, NetBufferLists, n, ReturnFlags);
            }
            return;
        }
    }
    atomic_fetch_add(&a->handbacks_walked, 1);
    ULONG n = 0;
    for (PNET_BUFFER_LIST x = NetBufferLists; x; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (direct && __builtin_expect(ndisi_nbl_in(p, NDISI_NBL_INDICATED_ONE), 1)) {
            ndisi_nbl_set_where(p, NDISI_NBL_OWNED);
            continue;
        }
        if (__builtin_expect(!returnable(p), 0)) {
            if (direct)
                unmark_returned(NetBufferLists, x);
            ndisi_nbl_bad_state(x, ddi,
                                "indicated to this binding without NDIS_RECEIVE_FLAGS_RESOURCES "
                                "and not returned yet");
            return;
        }
        if (direct) {
            /* Counted holders or an NDIS clone: the general way below. */
            unmark_returned(NetBufferLists, x);
            direct = false;
        }
    }
    if (direct) {
        if (n)
            return_owned_to_miniport(a, NetBufferLists, n, ReturnFlags);
        ndisi_drain_sub(&o->rx, n, &a->host->wq);
        return;
    }
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    ULONG back = 0;
    PNET_BUFFER_LIST x = NetBufferLists;
    while (x) {
        PNET_BUFFER_LIST next = x->Next;
        PNET_BUFFER_LIST orig = ndisi_rxclone_put(x);
        if (!orig)
            orig = x;
        if (ndisi_rx_unref(orig)) {
            *tail = orig;
            tail = &orig->Next;
            back++;
        }
        x = next;
    }
    *tail = NULL;
    /* Give the NBLs back below first: a pause waiting for this binding's count must
       find them returned to the miniport when it proceeds. */
    if (head)
        return_down(a, a->return_top, head, back, ReturnFlags);
    /* The binding may be freed by its unbind once its count drops: last use of o. */
    ndisi_drain_sub(&o->rx, n, &a->host->wq);
}

void NdisFReturnNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferLists,
                               ULONG ReturnFlags)
{
    const char *ddi = "NdisFReturnNetBufferLists";
    struct ndisi_filter_module *m = NdisFilterHandle;
    if (__builtin_expect(!ndisi_obj_is(m, NDISI_OBJ_FILTER_MODULE), 0) &&
        !ndisi_obj_check(m, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F), 0))
        return;
    if (__builtin_expect(!!(ReturnFlags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != at_dispatch(), 0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_RETURN_FLAGS_DISPATCH_LEVEL");
    atomic_fetch_add(&m->adapter->handbacks_walked, 1);
    ULONG n = 0;
    for (PNET_BUFFER_LIST x = NetBufferLists; x; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (!returnable(p)) {
            ndisi_nbl_bad_state(x, ddi, "indicated from below without "
                                        "NDIS_RECEIVE_FLAGS_RESOURCES and not returned yet");
            return;
        }
    }
    if (n)
        return_down(m->adapter, m->return_next, NetBufferLists, n, ReturnFlags);
}

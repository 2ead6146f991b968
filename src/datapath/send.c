/*
 * send.c - the send path: NdisSendNetBufferLists from a binding, through every
 * filter module whose send path is enabled (FilterSendNetBufferLists /
 * NdisFSendNetBufferLists), to MiniportSendNetBufferLists; completions back up
 * the same way (NdisMSendNetBufferListsComplete, FilterSendNetBufferListsComplete
 * / NdisFSendNetBufferListsComplete) to ProtocolSendNetBufferListsComplete of the
 * binding that sent each NBL, found by SourceHandle, mixed chains split.
 *
 * Cost per chain: for a chain the miniport completes inline, no atomic
 * operation (the call runs in a per-thread section on the binding, section.h);
 * otherwise an atomic add on the sender's in-flight count and one subtract on
 * completion. Per NBL, the SourceHandle and ownership stores NDIS must do
 * anyway. Sends on a binding (or module) that is not Running are completed by
 * NDIS with NDIS_STATUS_PAUSED and never reach the layer below. The in-flight
 * count is raised (or the section entered) before the state is checked, so a
 * pause that sees the count at zero after changing the state (and waiting for
 * the sections) cannot miss a send.
 */
#include <string.h>

#include "core/core.h"
#include "core/verifier.h"
#include "datapath/chainrec.h"
#include "datapath/datapath.h"
#include "datapath/nblpriv.h"

#define RULE_P "Irql_Protocol_Driver_Function"
#define RULE_M "Irql_Miniport_Driver_Function"
#define RULE_F "Irql_Filter_Driver_Function"

static inline bool at_dispatch(void)
{
    return ndisi_cur_irql >= DISPATCH_LEVEL;
}

/* The DISPATCH_LEVEL flag of a send, complete, indicate or return call must tell
   the truth about the caller's IRQL. */
void ndisi_dp_flag_mismatch(const char *ddi, const char *flag)
{
    ndisi_report(NDISI_V_IRQL, ddi, flag,
                 "%s is %s but the caller runs at IRQL %u", flag,
                 at_dispatch() ? "clear" : "set", ndisi_cur_irql);
}

/* ---- down: into a module or the miniport ---------------------------------------- */

/* The chain this thread is sending down (chainrec.h), for an inline completion. */
static __thread struct ndisi_chain_rec *t_tx;

/* Hands a chain of n NBLs to the first send layer at or below `m` (NULL: miniport). */
static void send_down(struct ndisi_adapter *a, struct ndisi_filter_module *m,
                      PNET_BUFFER_LIST nbls, ULONG n, NDIS_PORT_NUMBER port, ULONG flags,
                      bool lazy)
{
    struct ndisi_cbframe f;
    if (m) {
        ndisi_cb_enter(&f, m->driver->image, "FilterSendNetBufferLists", m->label,
                       NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
        m->send(m->ctx, nbls, port, flags);
        ndisi_cb_leave(&f);
        return;
    }
    struct ndisi_miniport_driver *mp = a->miniport;
    if (__builtin_expect(ndisi_loopback_wanted(a, flags), 0))
        ndisi_loopback(a, nbls, port, flags);
    if (!lazy)
        ndisi_drain_add(&a->mp_sends, n);
    ndisi_cb_enter(&f, mp->image, "MiniportSendNetBufferLists", a->name, NDISI_CB_NDIS_ENTRY,
                   NDISI_IRQL_SAME);
    mp->chars.SendNetBufferListsHandler(a->ctx, nbls, port, flags);
    ndisi_cb_leave(&f);
}

static void call_send_complete(struct ndisi_open *o, PNET_BUFFER_LIST nbls, ULONG flags)
{
    struct ndisi_protocol *p = o->protocol;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolSendNetBufferListsComplete", o->label,
                   NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    p->chars.SendNetBufferListsCompleteHandler(o->ctx, nbls, flags);
    ndisi_cb_leave(&f);
}

/* Completes a chain to its sending binding (all NBLs of one binding). */
static void complete_to_open(struct ndisi_open *o, PNET_BUFFER_LIST nbls, ULONG n, ULONG flags)
{
    call_send_complete(o, nbls, flags);
    /* The binding may be freed by an unbind the moment its count drops. */
    ndisi_drain_sub(&o->tx, n, &o->adapter->host->wq);
}

/* NdisSendNetBufferLists passes x on for binding o. */
static inline void mark_sent(struct ndisi_nbl_priv *p, PNET_BUFFER_LIST x, struct ndisi_open *o)
{
    ndisi_nbl_set_where(p, NDISI_NBL_SENT);
    p->sender = o;
    x->SourceHandle = o;
}

/* NDIS completes sends itself (binding or module not Running). */
static void fail_sends(PNET_BUFFER_LIST nbls, NDIS_STATUS st)
{
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        x->Status = st;
}

void NdisSendNetBufferLists(NDIS_HANDLE NdisBindingHandle, PNET_BUFFER_LIST NetBufferLists,
                            NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    const char *ddi = "NdisSendNetBufferLists";
    struct ndisi_open *o = NdisBindingHandle;
    if (__builtin_expect(!ndisi_obj_is(o, NDISI_OBJ_OPEN), 0) &&
        !ndisi_obj_check(o, NDISI_OBJ_OPEN, ddi, "NdisBindingHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_P), 0))
        return;
    if (__builtin_expect(!!(SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != at_dispatch(), 0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_SEND_FLAGS_DISPATCH_LEVEL");
    if (__builtin_expect(!NetBufferLists, 0)) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferLists is a non-empty chain",
                     "binding '%s' sent a NULL chain", o->label);
        return;
    }
    struct ndisi_image *me = o->protocol->image;
    struct ndisi_chain_rec rec;
    struct ndisi_nbl_pool *pool = ndisi_nbl_priv(NetBufferLists)->pool;
    ULONG n = 0;
    PNET_BUFFER_LIST x = NetBufferLists;
    /* The common case, recorded as it goes (chainrec.h): NBLs of one pool. */
    for (; x && n < NDISI_CHAIN_REC_MAX; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (__builtin_expect(!ndisi_chain_rec_fits(p, me, pool), 0))
            break;
        mark_sent(p, x, o);
        rec.nbl[n] = x;
    }
    ndisi_chain_rec_close(&rec, NetBufferLists, o, n, !x);
    for (; x; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (__builtin_expect(!ndisi_nbl_in(p, NDISI_NBL_OWNED) || p->owner != me, 0)) {
            /* The chain is not sent: what it marked is the protocol's again. */
            for (PNET_BUFFER_LIST y = NetBufferLists; y != x; y = y->Next)
                ndisi_nbl_set_where(ndisi_nbl_priv(y), NDISI_NBL_OWNED);
            ndisi_nbl_bad_state(x, ddi, "allocated by the sending protocol and owned by it");
            return;
        }
        mark_sent(p, x, o);
    }
    struct ndisi_adapter *a = o->adapter;
    /*
     * A recorded chain going straight to the miniport is counted lazily: the
     * call runs in a section on the binding, which its pause waits for
     * (ndisi_open_pause) before it waits for the binding's count, and what the
     * miniport completes inline through the record is never counted at all
     * (a per-thread tally keeps the adapter's totals). What is still out when
     * the miniport returns is counted then, still inside the section;
     * completions on other threads may subtract it first, and nobody reads the
     * count in between. The section is entered before the state is read (the
     * pause changes the state, then waits for sections); the route (send_top)
     * is read after it, as the restart that set Running published it.
     */
    bool sect = rec.head && ndisi_section_enter(o);
    if (!sect)
        ndisi_drain_add(&o->tx, n);
    if (__builtin_expect(atomic_load(&o->state) != NDISI_OS_RUNNING, 0)) {
        if (sect)
            ndisi_drain_add(&o->tx, n);
        fail_sends(NetBufferLists, NDIS_STATUS_PAUSED);
        for (PNET_BUFFER_LIST y = NetBufferLists; y; y = y->Next)
            ndisi_nbl_set_where(ndisi_nbl_priv(y), NDISI_NBL_OWNED);
        complete_to_open(o, NetBufferLists, n,
                         at_dispatch() ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
        if (sect)
            ndisi_section_leave();
        return;
    }
    bool lazy = sect && !a->send_top;
    if (lazy)
        ndisi_tally_add(&a->tally, NDISI_TALLY_SENT, n); /* the totals show it in flight */
    else if (sect)
        ndisi_drain_add(&o->tx, n);
    ndisi_capture_check(a, a->send_top, NULL, true, NetBufferLists);
    struct ndisi_chain_rec *outer = t_tx;
    rec.gen = atomic_load_explicit(&a->handbacks_walked, memory_order_relaxed);
    rec.lazy = lazy;
    t_tx = &rec;
    send_down(a, a->send_top, NetBufferLists, n, PortNumber, SendFlags, lazy);
    t_tx = outer;
    if (lazy) {
        ULONG out = n - rec.taken;
        if (out) {
            /* Counted in the drains instead (the pause and the halt wait for them). */
            ndisi_tally_add(&a->tally, NDISI_TALLY_SENT, -(unsigned long)out);
            ndisi_drain_add(&a->mp_sends, out);
            ndisi_drain_add(&o->tx, out);
        }
    }
    if (sect)
        ndisi_section_leave();
}

void NdisFSendNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferList,
                             NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    const char *ddi = "NdisFSendNetBufferLists";
    struct ndisi_filter_module *m = NdisFilterHandle;
    if (__builtin_expect(!ndisi_obj_is(m, NDISI_OBJ_FILTER_MODULE), 0) &&
        !ndisi_obj_check(m, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F), 0))
        return;
    if (__builtin_expect(!!(SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != at_dispatch(), 0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_SEND_FLAGS_DISPATCH_LEVEL");
    if (!NetBufferList) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList is a non-empty chain",
                     "filter module '%s' sent a NULL chain", m->label);
        return;
    }
    struct ndisi_image *me = m->driver->image;
    ULONG n = 0;
    for (PNET_BUFFER_LIST x = NetBufferList; x; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        uint8_t w = p->magic == NDISI_NBL_MAGIC ? ndisi_nbl_where(p) : NDISI_NBL_FREE;
        if (w == NDISI_NBL_OWNED && p->owner == me) {
            /* "Filter drivers must set the SourceHandle member of each NBL that the
               filter driver originated to the filter's NdisFilterHandle." */
            ndisi_nbl_set_where(p, NDISI_NBL_SENT);
            p->sender = NULL;
        } else if (w != NDISI_NBL_SENT) {
            ndisi_nbl_bad_state(x, ddi,
                                "either being sent (passed down from above) or originated and "
                                "owned by this filter");
            return;
        }
    }
    struct ndisi_adapter *a = m->adapter;
    bool counted = m->send_complete != NULL;
    if (counted)
        ndisi_drain_add(&m->tx, n);
    int st = atomic_load(&m->state);
    if (__builtin_expect(st != NDISI_MS_RUNNING && st != NDISI_MS_PAUSING, 0)) {
        /* A module that is not running may not send; NDIS completes the chain to it. */
        ndisi_report(NDISI_V_STATE, ddi,
                     "a filter module sends only in the Running and Pausing states",
                     "filter module '%s' is %s", m->label, ndisi_module_state_name(m));
        fail_sends(NetBufferList, NDIS_STATUS_PAUSED);
        ndisi_dp_complete_to_module(m, NetBufferList, n,
                                    at_dispatch() ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
        return;
    }
    ndisi_capture_check(a, m->send_next, m, true, NetBufferList);
    send_down(a, m->send_next, NetBufferList, n, PortNumber, SendFlags, false);
}

/* ---- up: completions ----------------------------------------------------------------- */

/* Delivers completions to module m (it sent them down). */
void ndisi_dp_complete_to_module(struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls, ULONG n,
                                 ULONG flags)
{
    ndisi_dp_back_to_module(m, nbls, n, flags, m->send_complete,
                            "FilterSendNetBufferListsComplete", &m->tx);
}

static bool source_ok(struct ndisi_adapter *a, struct ndisi_open *o)
{
    return ndisi_obj_is(o, NDISI_OBJ_OPEN) && o->adapter == a;
}

static void not_from_a_binding(struct ndisi_adapter *a, PNET_BUFFER_LIST x, const char *ddi)
{
    ndisi_report(NDISI_V_NBL, ddi,
                 "a filter completes the NBLs it originated to itself; NDIS returns an NBL "
                 "to the driver that sent it",
                 "NBL %p completed up to the protocols of adapter '%s' was not sent by one "
                 "of its bindings (a filter module passed up an NBL it originated); NDIS "
                 "drops it",
                 (void *)x, a->name);
}

static void source_overwritten(PNET_BUFFER_LIST x, struct ndisi_open *o, const char *ddi)
{
    ndisi_report(NDISI_V_NBL, ddi,
                 "NDIS uses SourceHandle to return an NBL to the driver that sent it; "
                 "drivers must not modify it",
                 "NBL %p sent by binding '%s' comes back with SourceHandle %p: a driver "
                 "below overwrote it; NDIS completes it to its sender all the same",
                 (void *)x, o->label, x->SourceHandle);
}

/* Splits a chain by sender (the SourceHandle NDIS set) and completes each
   binding's part. */
static void complete_to_protocols(struct ndisi_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags,
                                  const char *ddi)
{
    enum { BUCKETS = 8 };
    struct {
        struct ndisi_open *o;
        PNET_BUFFER_LIST head, tail;
        ULONG n;
    } b[BUCKETS];
    unsigned nb = 0;
    PNET_BUFFER_LIST x = nbls;
    while (x) {
        PNET_BUFFER_LIST next = x->Next;
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        struct ndisi_open *o = p->sender;
        if (__builtin_expect(!source_ok(a, o), 0)) {
            not_from_a_binding(a, x, ddi);
            x = next;
            continue;
        }
        if (__builtin_expect(x->SourceHandle != o, 0)) {
            source_overwritten(x, o, ddi);
            x->SourceHandle = o;
        }
        ndisi_nbl_set_where(p, NDISI_NBL_OWNED);
        x->Next = NULL;
        unsigned i;
        for (i = 0; i < nb && b[i].o != o; i++)
            ;
        if (i == nb) {
            if (nb == BUCKETS) {
                /* Full: flush the oldest bucket and reuse it. */
                complete_to_open(b[0].o, b[0].head, b[0].n, flags);
                i = 0;
            } else {
                nb++;
            }
            b[i].o = o;
            b[i].head = b[i].tail = x;
            b[i].n = 1;
        } else {
            b[i].tail->Next = x;
            b[i].tail = x;
            b[i].n++;
        }
        x = next;
    }
    for (unsigned i = 0; i < nb; i++)
        complete_to_open(b[i].o, b[i].head, b[i].n, flags);
}

/* Completions arriving above the layer `next` belongs to (NULL: the protocols). */
static void complete_up(struct ndisi_adapter *a, struct ndisi_filter_module *next,
                        PNET_BUFFER_LIST nbls, ULONG n, ULONG flags, const char *ddi)
{
    if (next)
        ndisi_dp_complete_to_module(next, nbls, n, flags);
    else
        complete_to_protocols(a, nbls, flags, ddi);
}

/* Puts back the NBLs before `stop` that a pass already marked OWNED. */
static void unmark_owned(PNET_BUFFER_LIST nbls, PNET_BUFFER_LIST stop)
{
    for (PNET_BUFFER_LIST x = nbls; x != stop; x = x->Next)
        ndisi_nbl_set_where(ndisi_nbl_priv(x), NDISI_NBL_SENT);
}

/* Checks that every NBL of a completed chain is being sent; returns how many, 0
   after reporting one that is not. */
static ULONG count_sent(PNET_BUFFER_LIST nbls, const char *ddi)
{
    ULONG n = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next, n++)
        if (__builtin_expect(!ndisi_nbl_in(ndisi_nbl_priv(x), NDISI_NBL_SENT), 0)) {
            ndisi_nbl_bad_state(x, ddi, "sent and not yet completed");
            return 0;
        }
    return n;
}

/*
 * The common case: a miniport completes NBLs of one binding. If every NBL of
 * the chain is being sent by `src`, marks them OWNED and returns how many, in
 * one pass with nothing else in the loop; otherwise changes nothing and
 * returns 0 (the general path checks and splits).
 */
static ULONG take_from_one_sender(PNET_BUFFER_LIST nbls, struct ndisi_open *src)
{
    ULONG n = 0;
    PNET_BUFFER_LIST x;
    for (x = nbls; x; x = x->Next, n++) {
        struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
        if (__builtin_expect(!ndisi_nbl_in(p, NDISI_NBL_SENT) || !ndisi_nbl_sent_by(p, x, src),
                             0))
            break;
        ndisi_nbl_set_where(p, NDISI_NBL_OWNED);
    }
    if (!x)
        return n;
    unmark_owned(nbls, x);
    return 0;
}

void NdisMSendNetBufferListsComplete(NDIS_HANDLE MiniportAdapterHandle,
                                     PNET_BUFFER_LIST NetBufferLists, ULONG SendCompleteFlags)
{
    const char *ddi = "NdisMSendNetBufferListsComplete";
    struct ndisi_adapter *a = MiniportAdapterHandle;
    if (__builtin_expect(!ndisi_obj_is(a, NDISI_OBJ_ADAPTER), 0) &&
        !ndisi_obj_check(a, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_M), 0))
        return;
    if (__builtin_expect(!!(SendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) !=
                             at_dispatch(),
                         0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL");
    struct ndisi_filter_module *next = a->complete_bottom;
    struct ndisi_chain_rec *r = t_tx;
    if (!next && r && r->head == NetBufferLists && r->o->adapter == a) {
        /* Completed inline, as sent: no walk (chainrec.h). */
        struct ndisi_open *src = r->o;
        bool quiet = atomic_load_explicit(&a->handbacks_walked, memory_order_relaxed) == r->gen;
        ULONG n = ndisi_chain_rec_take(r, NDISI_NBL_SENT, NDISI_NBL_OWNED, src, quiet);
        if (n) {
            r->taken = n;
            if (r->lazy) {
                /* Never counted: the adapter's totals get it from the tally. */
                ndisi_tally_add(&a->tally, NDISI_TALLY_SEND_DONE, n);
                call_send_complete(src, NetBufferLists, SendCompleteFlags);
            } else {
                ndisi_drain_sub(&a->mp_sends, n, &a->host->wq);
                complete_to_open(src, NetBufferLists, n, SendCompleteFlags);
            }
            return;
        }
    }
    atomic_fetch_add(&a->handbacks_walked, 1);
    if (!next && NetBufferLists && ndisi_nbl_in(ndisi_nbl_priv(NetBufferLists), NDISI_NBL_SENT)) {
        struct ndisi_open *src = ndisi_nbl_priv(NetBufferLists)->sender;
        ULONG n = __builtin_expect(source_ok(a, src), 1)
                      ? take_from_one_sender(NetBufferLists, src)
                      : 0;
        if (n) {
            /* The whole chain goes back to the binding that sent it, as it is. */
            ndisi_drain_sub(&a->mp_sends, n, &a->host->wq);
            complete_to_open(src, NetBufferLists, n, SendCompleteFlags);
            return;
        }
    }
    ULONG n = count_sent(NetBufferLists, ddi);
    if (!n)
        return;
    ndisi_drain_sub(&a->mp_sends, n, &a->host->wq);
    complete_up(a, next, NetBufferLists, n, SendCompleteFlags, ddi);
}

void NdisFSendNetBufferListsComplete(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferList,
                                     ULONG SendCompleteFlags)
{
    const char *ddi = "NdisFSendNetBufferListsComplete";
    struct ndisi_filter_module *m = NdisFilterHandle;
    if (__builtin_expect(!ndisi_obj_is(m, NDISI_OBJ_FILTER_MODULE), 0) &&
        !ndisi_obj_check(m, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle"))
        return;
    if (__builtin_expect(!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F), 0))
        return;
    if (__builtin_expect(!!(SendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) !=
                             at_dispatch(),
                         0))
        ndisi_dp_flag_mismatch(ddi, "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL");
    atomic_fetch_add(&m->adapter->handbacks_walked, 1);
    ULONG n = count_sent(NetBufferList, ddi);
    if (!n)
        return;
    complete_up(m->adapter, m->complete_next, NetBufferList, n, SendCompleteFlags, ddi);
}

/* ---- cancel -------------------------------------------------------------------------- */

static void cancel_down(struct ndisi_adapter *a, struct ndisi_filter_module *m, PVOID id)
{
    while (m && !m->cancel_send)
        m = m->below;
    struct ndisi_cbframe f;
    if (m) {
        ndisi_cb_enter(&f, m->driver->image, "FilterCancelSendNetBufferLists", m->label,
                       NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
        m->cancel_send(m->ctx, id);
        ndisi_cb_leave(&f);
        return;
    }
    ndisi_cb_enter(&f, a->miniport->image, "MiniportCancelSend", a->name, NDISI_CB_NDIS_ENTRY,
                   NDISI_IRQL_SAME);
    a->miniport->chars.CancelSendHandler(a->ctx, id);
    ndisi_cb_leave(&f);
}

void NdisCancelSendNetBufferLists(NDIS_HANDLE NdisBindingHandle, PVOID CancelId)
{
    const char *ddi = "NdisCancelSendNetBufferLists";
    struct ndisi_open *o = ndisi_obj_check(NdisBindingHandle, NDISI_OBJ_OPEN, ddi,
                                           "NdisBindingHandle");
    if (!o || !ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_P))
        return;
    if (atomic_load(&o->state) == NDISI_OS_UNBOUND || atomic_load(&o->state) == NDISI_OS_OPENING)
        return;
    cancel_down(o->adapter, o->adapter->mod_top, CancelId);
}

void NdisFCancelSendNetBufferLists(NDIS_HANDLE NdisFilterHandle, PVOID CancelId)
{
    const char *ddi = "NdisFCancelSendNetBufferLists";
    struct ndisi_filter_module *m = ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE,
                                                    ddi, "NdisFilterHandle");
    if (!m || !ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F))
        return;
    cancel_down(m->adapter, m->below, CancelId);
}

UCHAR NdisGeneratePartialCancelId(VOID)
{
    static atomic_uint next;
    return (UCHAR)(atomic_fetch_add(&next, 1) + 1);
}

/*
 * oid_binding.c - the OIDs NDIS keeps per binding at the protocol edge
 * (OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST,
 * OID_GEN_CURRENT_LOOKAHEAD): each binding's own value, read by the receive
 * path (xfilter.c) to deliver to each binding what its filter accepts, and the
 * merged values (the union of the filters and lists, the largest lookahead)
 * that NDIS sets in the miniport when they change. Queries are answered by
 * NDIS from the merged values.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "control/oid_internal.h"
#include "core/core.h"
#include "core/verifier.h"
#include "datapath/datapath.h"

/* ---- packet filters: read under the receive read section ------------------------------
 * The bindings' filters and their union are read by the receive path and by
 * control paths on any thread, and replaced by OID sets on any thread. Every
 * read copies inside a read section of rx_rcu, so reclaim_rxf's grace period
 * covers it. */

/* A copy of what *slot holds (all zero when nothing is set). */
void ndisi_rxf_read(struct ndisi_adapter *a, struct ndisi_rxfilter *_Atomic *slot,
                    struct ndisi_rxfilter *out)
{
    memset(out, 0, sizeof(*out));
    unsigned e = ndisi_rcu_enter(&a->rx_rcu);
    const struct ndisi_rxfilter *f = atomic_load(slot);
    if (f) {
        /* Not retired_next: retire_push may be writing it. */
        out->packet_filter = f->packet_filter;
        out->nmcast = f->nmcast;
        memcpy(out->mcast, f->mcast, f->nmcast * 6u);
    }
    ndisi_rcu_leave(&a->rx_rcu, e);
}

static void retire_push(struct ndisi_adapter *a, struct ndisi_rxfilter *first,
                        struct ndisi_rxfilter *last)
{
    struct ndisi_rxfilter *head = atomic_load(&a->rxf_retired);
    do
        last->retired_next = head;
    while (!atomic_compare_exchange_weak(&a->rxf_retired, &head, first));
}

static void free_chain(struct ndisi_rxfilter *f)
{
    while (f) {
        struct ndisi_rxfilter *next = f->retired_next;
        free(f);
        f = next;
    }
}

/* Publishes nf in *slot (a->rxf_lock held); the old value is retired. */
static void publish_rxf(struct ndisi_adapter *a, struct ndisi_rxfilter *_Atomic *slot,
                        struct ndisi_rxfilter *nf)
{
    struct ndisi_rxfilter *old = atomic_exchange(slot, nf);
    if (old)
        retire_push(a, old, old);
}

/*
 * Frees the retired filters after a grace period of the receive readers (not
 * under a->rxf_lock: a receive handler may be waiting for it). When this
 * thread cannot wait for one (a protocol setting its filter from its receive
 * or status handler, which runs inside the read section: legal at
 * DISPATCH_LEVEL) or a reader does not leave in time, they wait on the
 * adapter's retired list for the next set or the adapter's end.
 */
static void reclaim_rxf(struct ndisi_adapter *a)
{
    /* Taken before the grace period starts: each of these was unpublished before. */
    struct ndisi_rxfilter *batch = atomic_exchange(&a->rxf_retired, NULL);
    if (!batch)
        return;
    enum ndisi_rcu_wait w = ndisi_rcu_synchronize_bounded(&a->rx_rcu, a->host->wait_timeout_ms);
    if (w == NDISI_RCU_DONE) {
        free_chain(batch);
        return;
    }
    if (w == NDISI_RCU_TIMED_OUT)
        ndisi_report(NDISI_V_TIMEOUT, "ProtocolReceiveNetBufferLists",
                     "receive and status handlers return promptly (they run at up to "
                     "DISPATCH_LEVEL)",
                     "adapter '%s': a receive or status call still runs after %u ms; the old "
                     "packet filters are kept until it returns",
                     a->name, a->host->wait_timeout_ms);
    struct ndisi_rxfilter *last = batch;
    while (last->retired_next)
        last = last->retired_next;
    retire_push(a, batch, last);
}

/* ---- per-binding state NDIS keeps (packet filter, multicast list, lookahead) -------- */

static struct ndisi_rxfilter *rxf_copy(const struct ndisi_rxfilter *f)
{
    struct ndisi_rxfilter *n = calloc(1, sizeof(*n));
    if (n && f) {
        *n = *f;
        n->retired_next = NULL;
    }
    return n;
}

/* The adapter's union of the bindings' filters (a->rxf_lock held). */
static void compute_union(struct ndisi_adapter *a, struct ndisi_rxfilter *out)
{
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&a->stack_lock);
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink) {
        struct ndisi_open *o = CONTAINING_RECORD(e, struct ndisi_open, adapter_link);
        const struct ndisi_rxfilter *f = atomic_load(&o->rxf);
        if (!f)
            continue;
        out->packet_filter |= f->packet_filter;
        for (unsigned i = 0; i < f->nmcast; i++) {
            bool dup = false;
            for (unsigned j = 0; j < out->nmcast; j++)
                dup |= memcmp(out->mcast[j], f->mcast[i], 6) == 0;
            if (!dup && out->nmcast < NDISI_MAX_MCAST)
                memcpy(out->mcast[out->nmcast++], f->mcast[i], 6);
        }
    }
    pthread_rwlock_unlock(&a->stack_lock);
}

/*
 * Recomputes the adapter's union and publishes it if it changed (rxf_lock
 * held); changed[SYNC_FILTER] and changed[SYNC_MCAST] tell which part did.
 * False when out of memory for the new union (the old one stays).
 */
static bool republish_union(struct ndisi_adapter *a, bool changed[2])
{
    struct ndisi_rxfilter u;
    compute_union(a, &u);
    const struct ndisi_rxfilter *cur = atomic_load(&a->rxf);
    changed[0] = (cur ? cur->packet_filter : 0) != u.packet_filter;
    changed[1] = (cur ? cur->nmcast : 0) != u.nmcast ||
                 (u.nmcast && memcmp(cur->mcast, u.mcast, u.nmcast * 6u) != 0);
    if (!changed[0] && !changed[1])
        return true;
    struct ndisi_rxfilter *nu = rxf_copy(&u);
    if (!nu)
        return false;
    publish_rxf(a, &a->rxf, nu);
    return true;
}

/*
 * ---- the adapter-wide values: one set in flight, the newest value last -----------------
 * The miniport must hear the combined packet filter, multicast list and
 * lookahead of the bindings before a binding's set that changes them
 * completes. Bindings set them on any thread, at the same instant too. Under
 * a->rxf_lock each set changes its binding's value and the combined value
 * together, and only one set of a combined value travels down the stack at a
 * time (per OID). A change made while one travels marks it stale; when it
 * completes NDIS sends the newest value. So the last value the miniport hears
 * is the combined value of the last sets, whatever the order of the threads.
 * A binding's request completes with the set that carries its change: the one
 * in flight if that already has it, otherwise the next one. The requests
 * waiting are linked through their NdisReserved area, which is NDIS's.
 */
enum sync_kind { SYNC_FILTER, SYNC_MCAST, SYNC_LOOKAHEAD };

static const NDIS_OID sync_oid[3] = {OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST,
                                     OID_GEN_CURRENT_LOOKAHEAD};

static PNDIS_OID_REQUEST *waiter_next(PNDIS_OID_REQUEST r)
{
    return (PNDIS_OID_REQUEST *)(void *)r->NdisReserved;
}

static struct ndisi_open **waiter_open(PNDIS_OID_REQUEST r)
{
    return (struct ndisi_open **)(void *)(r->NdisReserved + sizeof(PVOID));
}

_Static_assert(offsetof(NDIS_OID_REQUEST, NdisReserved) % sizeof(PVOID) == 0,
               "the waiter links are pointer-aligned");

/* Appends binding o's request r to a waiter list (kept in arrival order). */
static void waiter_add(PNDIS_OID_REQUEST *list, struct ndisi_open *o, PNDIS_OID_REQUEST r)
{
    *waiter_next(r) = NULL;
    *waiter_open(r) = o;
    while (*list)
        list = waiter_next(*list);
    *list = r;
}

/* Completes every waiter of a list with st, except `self` (whose status its
   caller returns). */
static void waiters_complete(PNDIS_OID_REQUEST list, NDIS_STATUS st, PNDIS_OID_REQUEST self)
{
    while (list) {
        PNDIS_OID_REQUEST next = *waiter_next(list);
        if (list != self)
            ndisi_oid_complete_to_open(*waiter_open(list), list, st);
        list = next;
    }
}

/*
 * Starts a set of combined value k (rxf_lock held): the waiters of `next`
 * ride on it. Returns the record to send; NULL when out of memory, with the
 * waiters to fail in *failed.
 */
static struct oid_rec *sync_start_locked(struct ndisi_adapter *a, int k, PNDIS_OID_REQUEST *failed)
{
    struct ndisi_oid_sync *s = &a->oid_sync[k];
    s->carried = s->next;
    s->next = NULL;
    s->stale = false;
    struct oid_rec *rec = calloc(1, sizeof(*rec));
    if (!rec) {
        *failed = s->carried;
        s->carried = NULL;
        s->busy = false;
        return NULL;
    }
    s->busy = true;
    rec->kind = REC_INTERNAL;
    rec->sync_kind = k;
    rec->req = &rec->own;
    NDIS_OID_REQUEST *r = &rec->own;
    r->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    r->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    r->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    r->RequestType = NdisRequestSetInformation;
    r->RequestId = rec; /* NDIS's own: no driver cancels it by ID */
    r->DATA.SET_INFORMATION.Oid = sync_oid[k];
    /* a->rxf is replaced only under rxf_lock: it cannot be retired under us. */
    const struct ndisi_rxfilter *u = atomic_load(&a->rxf);
    ULONG len = sizeof(ULONG);
    if (k == SYNC_FILTER) {
        rec->buf.ul = u ? u->packet_filter : 0;
    } else if (k == SYNC_MCAST) {
        len = u ? u->nmcast * 6u : 0;
        if (len)
            memcpy(rec->buf.mcast, u->mcast, len);
    } else {
        rec->buf.ul = a->max_lookahead;
    }
    r->DATA.SET_INFORMATION.InformationBuffer = &rec->buf;
    r->DATA.SET_INFORMATION.InformationBufferLength = len;
    return rec;
}

/*
 * One set of combined value k finished with st: its riders complete (except
 * `self`, whose status goes to *self_st) and, if the value went stale, the
 * next set starts; returns its record (NULL: none).
 */
static struct oid_rec *sync_done(struct ndisi_adapter *a, struct oid_rec *rec, NDIS_STATUS st,
                                 PNDIS_OID_REQUEST self, NDIS_STATUS *self_st)
{
    int k = rec->sync_kind;
    free(rec);
    struct ndisi_oid_sync *s = &a->oid_sync[k];
    PNDIS_OID_REQUEST failed = NULL;
    struct oid_rec *next = NULL;
    pthread_mutex_lock(&a->rxf_lock);
    PNDIS_OID_REQUEST riders = s->carried;
    s->carried = NULL;
    if (s->stale)
        next = sync_start_locked(a, k, &failed);
    else
        s->busy = false;
    pthread_mutex_unlock(&a->rxf_lock);
    for (PNDIS_OID_REQUEST r = riders; r; r = *waiter_next(r))
        if (r == self)
            *self_st = st;
    waiters_complete(riders, st, self);
    waiters_complete(failed, NDIS_STATUS_RESOURCES, NULL);
    return next;
}

/*
 * Sends sets until one pends or none is stale. Returns the status of
 * `self`'s request if the set carrying it completed here, else PENDING (it
 * completes through ProtocolOidRequestComplete).
 */
static NDIS_STATUS sync_send(struct ndisi_adapter *a, struct oid_rec *rec, PNDIS_OID_REQUEST self)
{
    NDIS_STATUS self_st = NDIS_STATUS_PENDING;
    while (rec) {
        NDIS_STATUS st = ndisi_oid_down(a, NULL, rec);
        if (st == NDIS_STATUS_PENDING)
            break; /* ndisi_oid_merged_complete goes on when it completes */
        rec = sync_done(a, rec, st, self, &self_st);
    }
    return self_st;
}

/* A set of a combined value that pended completed (oid.c, rec_complete). */
void ndisi_oid_merged_complete(struct ndisi_adapter *a, struct oid_rec *rec, NDIS_STATUS st)
{
    sync_send(a, sync_done(a, rec, st, NULL, NULL), NULL);
}

/*
 * The combined value k may have changed (rxf_lock held). Binding o's request r
 * (NULL: NDIS's own change, a binding gone) waits for the set that carries
 * it. Returns the record the caller sends once it drops the lock, if a set
 * must start now; *waits tells whether r waits for one.
 */
static struct oid_rec *sync_changed_locked(struct ndisi_adapter *a, int k, bool changed,
                                           struct ndisi_open *o, PNDIS_OID_REQUEST r,
                                           bool *waits, PNDIS_OID_REQUEST *failed)
{
    struct ndisi_oid_sync *s = &a->oid_sync[k];
    *waits = false;
    if (!changed && !s->busy)
        return NULL; /* the miniport already has a value that covers it */
    if (r) {
        *waits = true;
        /* Unchanged and the set in flight is the newest value: ride on it. */
        waiter_add(!changed && !s->stale ? &s->carried : &s->next, o, r);
    }
    if (s->busy) {
        s->stale |= changed;
        return NULL;
    }
    return sync_start_locked(a, k, failed);
}

/* Ends a binding's set of an adapter-wide value (after sync_changed_locked). */
static NDIS_STATUS sync_finish(struct ndisi_adapter *a, struct oid_rec *rec, bool waits,
                               PNDIS_OID_REQUEST r, PNDIS_OID_REQUEST failed)
{
    reclaim_rxf(a);
    NDIS_STATUS st = waits ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
    for (PNDIS_OID_REQUEST x = failed; x; x = *waiter_next(x))
        if (x == r)
            st = NDIS_STATUS_RESOURCES;
    waiters_complete(failed, NDIS_STATUS_RESOURCES, r);
    if (rec)
        st = sync_send(a, rec, r);
    return st;
}

/* Parses a multicast list set into nf; returns the failure status or SUCCESS. */
static NDIS_STATUS parse_mcast(const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g,
                               PNDIS_OID_REQUEST r, struct ndisi_rxfilter *nf)
{
    const UCHAR *p = r->DATA.SET_INFORMATION.InformationBuffer;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    if (len % 6) {
        r->DATA.SET_INFORMATION.BytesNeeded = (len / 6 + 1) * 6;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    unsigned cnt = 0;
    UCHAR list[NDISI_MAX_MCAST][6];
    for (ULONG i = 0; i < len / 6; i++) {
        bool dup = false;
        for (unsigned j = 0; j < cnt; j++)
            dup |= memcmp(list[j], p + 6 * i, 6) == 0;
        if (dup)
            continue; /* "NDIS removes the duplicates" */
        if (!(p[6 * i] & 1) || cnt == NDISI_MAX_MCAST || cnt >= g->MaxMulticastListSize)
            return NDIS_STATUS_MULTICAST_FULL;
        memcpy(list[cnt++], p + 6 * i, 6);
    }
    nf->nmcast = cnt;
    memcpy(nf->mcast, list, cnt * 6u);
    r->DATA.SET_INFORMATION.BytesRead = len;
    return NDIS_STATUS_SUCCESS;
}

/* A binding sets its lookahead: the miniport hears the largest of them. */
static NDIS_STATUS set_lookahead(struct ndisi_open *o, PNDIS_OID_REQUEST r)
{
    struct ndisi_adapter *a = o->adapter;
    NDIS_STATUS st = set_len(r, sizeof(ULONG), false);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    ULONG v;
    memcpy(&v, r->DATA.SET_INFORMATION.InformationBuffer, sizeof(v));
    if (v > a->gen_attrs.LookaheadSize)
        return NDIS_STATUS_INVALID_DATA; /* "NDIS handles query and unsuccessful set requests." */
    r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
    pthread_mutex_lock(&a->rxf_lock);
    o->lookahead = v;
    ULONG max = 0;
    pthread_rwlock_rdlock(&a->stack_lock);
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink) {
        struct ndisi_open *x = CONTAINING_RECORD(e, struct ndisi_open, adapter_link);
        if (x->lookahead > max)
            max = x->lookahead;
    }
    pthread_rwlock_unlock(&a->stack_lock);
    bool changed = max != a->max_lookahead;
    a->max_lookahead = max;
    bool waits;
    PNDIS_OID_REQUEST failed = NULL;
    struct oid_rec *rec = sync_changed_locked(a, SYNC_LOOKAHEAD, changed, o, r, &waits, &failed);
    pthread_mutex_unlock(&a->rxf_lock);
    return sync_finish(a, rec, waits, r, failed);
}

/*
 * The per-binding OIDs. Returns true if NDIS handled the request at the protocol
 * edge (*st is the result, possibly PENDING with a set of the combined value in
 * flight).
 */
bool ndisi_oid_binding(struct ndisi_open *o, PNDIS_OID_REQUEST r, NDIS_STATUS *st)
{
    struct ndisi_adapter *a = o->adapter;
    const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g = &a->gen_attrs;
    NDIS_OID oid = req_oid(r);
    if (oid != OID_GEN_CURRENT_PACKET_FILTER && oid != OID_802_3_MULTICAST_LIST &&
        oid != OID_GEN_CURRENT_LOOKAHEAD)
        return false;
    if (is_query(r)) {
        struct ndisi_rxfilter u;
        ndisi_rxf_read(a, &a->rxf, &u);
        if (oid == OID_GEN_CURRENT_PACKET_FILTER) {
            *st = answer_ul(r, u.packet_filter);
        } else if (oid == OID_802_3_MULTICAST_LIST) {
            *st = answer(r, u.nmcast ? u.mcast : NULL, u.nmcast * 6u);
        } else {
            pthread_mutex_lock(&a->rxf_lock);
            ULONG la = a->max_lookahead ? a->max_lookahead : g->LookaheadSize;
            pthread_mutex_unlock(&a->rxf_lock);
            *st = answer_ul(r, la);
        }
        return true;
    }
    if (r->RequestType != NdisRequestSetInformation)
        return false;
    if (oid == OID_GEN_CURRENT_LOOKAHEAD) {
        *st = set_lookahead(o, r);
        return true;
    }
    struct ndisi_rxfilter *nf = calloc(1, sizeof(*nf));
    if (!nf) {
        *st = NDIS_STATUS_RESOURCES;
        return true;
    }
    ULONG pf = 0;
    if (oid == OID_GEN_CURRENT_PACKET_FILTER) {
        if ((*st = set_len(r, sizeof(ULONG), false)) != NDIS_STATUS_SUCCESS) {
            free(nf);
            return true;
        }
        memcpy(&pf, r->DATA.SET_INFORMATION.InformationBuffer, sizeof(pf));
        if (pf & ~g->SupportedPacketFilters) {
            free(nf);
            *st = NDIS_STATUS_NOT_SUPPORTED;
            return true;
        }
        r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
    } else if ((*st = parse_mcast(g, r, nf)) != NDIS_STATUS_SUCCESS) {
        free(nf);
        return true;
    }
    /* The binding's new value and the adapter's union change together. */
    pthread_mutex_lock(&a->rxf_lock);
    const struct ndisi_rxfilter *cur = atomic_load(&o->rxf);
    if (oid == OID_GEN_CURRENT_PACKET_FILTER) {
        nf->packet_filter = pf;
        if (cur) {
            nf->nmcast = cur->nmcast;
            memcpy(nf->mcast, cur->mcast, cur->nmcast * 6u);
        }
    } else if (cur) {
        nf->packet_filter = cur->packet_filter;
    }
    publish_rxf(a, &o->rxf, nf);
    bool changed[2];
    if (!republish_union(a, changed)) {
        pthread_mutex_unlock(&a->rxf_lock);
        reclaim_rxf(a);
        *st = NDIS_STATUS_RESOURCES;
        return true;
    }
    bool waits;
    PNDIS_OID_REQUEST failed = NULL;
    int k = oid == OID_GEN_CURRENT_PACKET_FILTER ? SYNC_FILTER : SYNC_MCAST;
    struct oid_rec *rec = sync_changed_locked(a, k, changed[k], o, r, &waits, &failed);
    ndisi_loopback_recompute(a);
    pthread_mutex_unlock(&a->rxf_lock);
    *st = sync_finish(a, rec, waits, r, failed);
    return true;
}

/*
 * A binding was unlinked (and the receive path no longer sees it): its filter
 * stops counting, and the miniport hears the smaller union.
 */
void ndisi_oid_binding_gone(struct ndisi_adapter *a, struct ndisi_open *o)
{
    pthread_mutex_lock(&a->rxf_lock);
    /* Freed after the next grace period (a receive call that began before the
       unlink may still read it if the unlink's grace period timed out). */
    struct ndisi_rxfilter *gone = atomic_exchange(&o->rxf, NULL);
    if (gone)
        retire_push(a, gone, gone);
    ndisi_loopback_recompute(a);
    struct oid_rec *rec[2] = {NULL, NULL};
    bool changed[2];
    if (!a->removing && republish_union(a, changed)) {
        /* The miniport hears only what changed. */
        for (int k = SYNC_FILTER; k <= SYNC_MCAST; k++) {
            bool waits;
            PNDIS_OID_REQUEST failed = NULL; /* none: no request waits */
            rec[k] = sync_changed_locked(a, k, changed[k], NULL, NULL, &waits, &failed);
        }
    }
    pthread_mutex_unlock(&a->rxf_lock);
    reclaim_rxf(a);
    for (int k = 0; k < 2; k++)
        sync_send(a, rec[k], NULL);
}

/* The adapter is going away: its union and the retired filters are freed. */
void ndisi_rxf_adapter_cleanup(struct ndisi_adapter *a)
{
    free(atomic_load(&a->rxf));
    free_chain(atomic_exchange(&a->rxf_retired, NULL));
}

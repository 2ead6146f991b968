/*
 * oid.c - OID requests: NdisOidRequest from a binding, through every filter
 * module with a FilterOidRequest handler (NdisFOidRequest, which filters send
 * clones with), to MiniportOidRequest; completions back up to the issuer
 * (NdisMOidRequestComplete -> FilterOidRequestComplete / NdisFOidRequestComplete
 * -> ProtocolOidRequestComplete); NdisCancelOidRequest down the same way.
 *
 * What NDIS does itself (the OID pages' "NDIS handles this OID"):
 *  - per binding, at the protocol edge: OID_GEN_CURRENT_PACKET_FILTER,
 *    OID_802_3_MULTICAST_LIST and OID_GEN_CURRENT_LOOKAHEAD are kept for each
 *    binding; their queries are answered by NDIS (the OR of the filters, the
 *    union of the lists, the largest lookahead); a set changes the binding's
 *    value and, when the combined value changes, NDIS sends the combined value
 *    down the stack to the miniport (xfilter.c delivers to each binding what its
 *    own filter accepts);
 *  - at the miniport edge: queries answered from the attributes the miniport
 *    gave at initialization (oid_answer() lists them) and statistics NDIS takes
 *    from OID_GEN_STATISTICS; an OID neither NDIS nor the miniport's
 *    SupportedOidList knows fails with NDIS_STATUS_NOT_SUPPORTED.
 * Requests reach the miniport one at a time (miniport-adapter-oid-request-
 * serialization.md), at PASSIVE_LEVEL (nc-ndis-miniport_oid_request.md):
 * requests made at DISPATCH_LEVEL are pended and handed over by a work item.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/oid.h"
#include "core/core.h"
#include "core/verifier.h"
#include "datapath/datapath.h"
#include "os/workq.h"

#define RULE_P "Irql_Protocol_Driver_Function"
#define RULE_M "Irql_Miniport_Driver_Function"
#define RULE_F "Irql_Filter_Driver_Function"

/* Who issued a request travelling in the stack, and where it is. */
enum rec_kind { REC_OPEN, REC_MODULE, REC_INTERNAL, REC_HOST };

struct oid_rec {
    LIST_ENTRY link;                 /* adapter->oid_queue */
    PNDIS_OID_REQUEST req;
    enum rec_kind kind;
    struct ndisi_open *open;         /* REC_OPEN: the issuing binding */
    struct ndisi_filter_module *mod; /* REC_MODULE: the issuing module */
    struct ndisi_filter_module *at;  /* module handling it; NULL: miniport edge */
    bool queued;                     /* waiting for the miniport */
    bool at_miniport;                /* given to MiniportOidRequest, not completed */
    /* REC_INTERNAL: NDIS's own set of an adapter-wide value (enum sync_kind); the
       bindings' requests riding on it are in a->oid_sync[sync_kind].carried. */
    int sync_kind;
    NDIS_OID_REQUEST own;
    /* REC_HOST: a request of the host API (ndisi_oid_issue), completed to `done`. */
    ndisi_oid_done_fn *done;
    void *done_ctx;
    union {
        ULONG ul;
        UCHAR mcast[NDISI_MAX_MCAST][6];
    } buf;
};

/* ---- small helpers --------------------------------------------------------------- */

static bool req_valid(PNDIS_OID_REQUEST r, const char *ddi, const char *who)
{
    if (!r) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "OidRequest is required", "%s passed NULL", who);
        return false;
    }
    if (r->Header.Type != NDIS_OBJECT_TYPE_OID_REQUEST ||
        r->Header.Revision < NDIS_OID_REQUEST_REVISION_1 ||
        r->Header.Size < NDIS_SIZEOF_OID_REQUEST_REVISION_1) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-oidrequest-ndis_oid_request.md",
                     "%s: the request header has Type 0x%02x, Revision %u, Size %u", who,
                     r->Header.Type, r->Header.Revision, r->Header.Size);
        return false;
    }
    switch (r->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
    case NdisRequestSetInformation:
    case NdisRequestMethod:
        return true;
    default:
        ndisi_report(NDISI_V_PARAMETER, ddi, "ne-oidtypes-ndis_request_type.md",
                     "%s: RequestType %d is not supported", who, (int)r->RequestType);
        return false;
    }
}

static bool is_query(PNDIS_OID_REQUEST r)
{
    return r->RequestType == NdisRequestQueryInformation ||
           r->RequestType == NdisRequestQueryStatistics;
}

static NDIS_OID req_oid(PNDIS_OID_REQUEST r)
{
    return r->DATA.Oid;
}

/* Answers a query with `len` bytes, or BUFFER_TOO_SHORT with BytesNeeded. */
static NDIS_STATUS answer(PNDIS_OID_REQUEST r, const void *data, ULONG len)
{
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        r->DATA.QUERY_INFORMATION.BytesWritten = 0;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    if (len)
        memcpy(r->DATA.QUERY_INFORMATION.InformationBuffer, data, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    r->DATA.QUERY_INFORMATION.BytesNeeded = 0;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS answer_ul(PNDIS_OID_REQUEST r, ULONG v)
{
    return answer(r, &v, sizeof(v));
}

static NDIS_STATUS set_len(PNDIS_OID_REQUEST r, ULONG need, bool exact)
{
    ULONG have = r->DATA.SET_INFORMATION.InformationBufferLength;
    if (have < need || (exact && have != need)) {
        r->DATA.SET_INFORMATION.BytesNeeded = need;
        r->DATA.SET_INFORMATION.BytesRead = 0;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    return NDIS_STATUS_SUCCESS;
}

/* ---- the completion side ---------------------------------------------------------- */

static void rec_unlink_locked(struct ndisi_adapter *a, struct oid_rec *rec)
{
    (void)a;
    RemoveEntryList(&rec->link);
}

static void oid_dispatch_next(struct ndisi_adapter *a);
static void sync_complete(struct ndisi_adapter *a, struct oid_rec *rec, NDIS_STATUS st);

static void complete_to_open(struct ndisi_open *o, PNDIS_OID_REQUEST req, NDIS_STATUS st)
{
    struct ndisi_protocol *p = o->protocol;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolOidRequestComplete", o->label, NDISI_CB_NDIS_ENTRY,
                   NDISI_IRQL_SAME);
    p->chars.OidRequestCompleteHandler(o->ctx, req, st);
    ndisi_cb_leave(&f);
    ndisi_drain_sub(&o->oids, 1, &o->adapter->host->wq);
}

static void complete_to_module(struct ndisi_filter_module *m, PNDIS_OID_REQUEST req,
                               NDIS_STATUS st)
{
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, m->driver->image, "FilterOidRequestComplete", m->label,
                   NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    m->driver->chars.OidRequestCompleteHandler(m->ctx, req, st);
    ndisi_cb_leave(&f);
    ndisi_drain_sub(&m->oids, 1, &m->adapter->host->wq);
}

/* A request finished at some layer: deliver the completion to its issuer. */
static void rec_complete(struct ndisi_adapter *a, struct oid_rec *rec, NDIS_STATUS st)
{
    switch (rec->kind) {
    case REC_OPEN:
        complete_to_open(rec->open, rec->req, st);
        break;
    case REC_MODULE:
        complete_to_module(rec->mod, rec->req, st);
        break;
    case REC_INTERNAL:
        /* sync_done frees the record and may send the next set. */
        sync_complete(a, rec, st);
        return;
    case REC_HOST:
        rec->done(rec->done_ctx, rec->req, st);
        break;
    }
    free(rec);
}

/* ---- packet filters: read under the receive read section ------------------------------
 * The bindings' filters and their union are read by the receive path and by
 * control paths on any thread, and replaced by OID sets on any thread. Every
 * read copies inside a read section of rx_rcu, so reclaim_rxf's grace period
 * covers it. */

/* A copy of what *slot holds (all zero when nothing is set). */
static void rxf_read(struct ndisi_adapter *a, struct ndisi_rxfilter *_Atomic *slot,
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

/* ---- the miniport edge ---------------------------------------------------------------- */

static NDIS_STATUS answer_from_attributes(struct ndisi_adapter *a, PNDIS_OID_REQUEST r,
                                          bool *handled)
{
    const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g = &a->gen_attrs;
    *handled = true;
    if (!is_query(r)) {
        *handled = false;
        return NDIS_STATUS_SUCCESS;
    }
    struct ndisi_rxfilter u;
    rxf_read(a, &a->rxf, &u);
    NDIS_LINK_STATE link;
    pthread_mutex_lock(&a->link_lock);
    link = a->link;
    pthread_mutex_unlock(&a->link_lock);
    switch (req_oid(r)) {
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE:
        return answer_ul(r, (ULONG)g->MediaType);
    case OID_GEN_PHYSICAL_MEDIUM:
    case OID_GEN_PHYSICAL_MEDIUM_EX:
        return answer_ul(r, (ULONG)g->PhysicalMediumType);
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        return answer_ul(r, g->MtuSize);
    case OID_GEN_MAXIMUM_LOOKAHEAD:
        return answer_ul(r, g->LookaheadSize);
    case OID_GEN_MAC_OPTIONS:
        return answer_ul(r, g->MacOptions);
    case OID_GEN_MEDIA_CONNECT_STATUS:
        return answer_ul(r, link.MediaConnectState == MediaConnectStateConnected
                                ? NdisMediaStateConnected
                                : NdisMediaStateDisconnected);
    case OID_GEN_LINK_SPEED: /* in units of 100 bit/s */
        return answer_ul(r, link.XmitLinkSpeed == NDIS_LINK_SPEED_UNKNOWN
                                ? 0
                                : (ULONG)(link.XmitLinkSpeed / 100));
    case OID_GEN_LINK_STATE:
        return answer(r, &link, sizeof(link));
    case OID_GEN_SUPPORTED_LIST:
        return answer(r, a->oid_list, a->oid_list_len);
    case OID_GEN_DRIVER_VERSION: {
        USHORT v = (USHORT)((a->miniport->chars.MajorNdisVersion << 8) |
                            a->miniport->chars.MinorNdisVersion);
        return answer(r, &v, sizeof(v));
    }
    case OID_802_3_MAXIMUM_LIST_SIZE:
        return answer_ul(r, g->MaxMulticastListSize);
    case OID_GEN_CURRENT_PACKET_FILTER:
        return answer_ul(r, u.packet_filter);
    case OID_802_3_MULTICAST_LIST:
        return answer(r, u.nmcast ? u.mcast : NULL, u.nmcast * 6u);
    default:
        *handled = false;
        return NDIS_STATUS_SUCCESS;
    }
}

static bool miniport_supports(struct ndisi_adapter *a, NDIS_OID oid)
{
    ULONG n = a->oid_list_len / sizeof(NDIS_OID);
    for (ULONG i = 0; i < n; i++)
        if (a->oid_list[i] == oid)
            return true;
    return false;
}

/* The statistics OIDs NDIS answers from OID_GEN_STATISTICS. */
static int stat_field(NDIS_OID oid, size_t *off)
{
    switch (oid) {
    case OID_GEN_BYTES_RCV:
        *off = offsetof(NDIS_STATISTICS_INFO, ifHCInOctets);
        return 1;
    case OID_GEN_BYTES_XMIT:
        *off = offsetof(NDIS_STATISTICS_INFO, ifHCOutOctets);
        return 1;
    case OID_GEN_RCV_DISCARDS:
        *off = offsetof(NDIS_STATISTICS_INFO, ifInDiscards);
        return 1;
    case OID_GEN_XMIT_DISCARDS:
        *off = offsetof(NDIS_STATISTICS_INFO, ifOutDiscards);
        return 1;
    default:
        return 0;
    }
}

/* Calls MiniportOidRequest (PASSIVE_LEVEL). Returns its status. */
static NDIS_STATUS call_miniport(struct ndisi_adapter *a, PNDIS_OID_REQUEST r)
{
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, a->miniport->image, "MiniportOidRequest", a->name, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    NDIS_STATUS st = a->miniport->chars.OidRequestHandler(a->ctx, r);
    ndisi_cb_leave_status(&f, true, st);
    return st;
}

/* Statistics derived from OID_GEN_STATISTICS: a synchronous sub-request. */
static NDIS_STATUS answer_statistic(struct ndisi_adapter *a, PNDIS_OID_REQUEST r, size_t off)
{
    NDIS_STATISTICS_INFO si;
    NDIS_OID_REQUEST sub;
    memset(&si, 0, sizeof(si));
    memset(&sub, 0, sizeof(sub));
    sub.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    sub.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    sub.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    sub.RequestType = NdisRequestQueryInformation;
    sub.DATA.QUERY_INFORMATION.Oid = OID_GEN_STATISTICS;
    sub.DATA.QUERY_INFORMATION.InformationBuffer = &si;
    sub.DATA.QUERY_INFORMATION.InformationBufferLength = sizeof(si);
    NDIS_STATUS st = call_miniport(a, &sub);
    if (st == NDIS_STATUS_PENDING) {
        /* A pended statistics query cannot be waited for here; say so plainly. */
        ndisi_diag("adapter '%s': OID_GEN_STATISTICS pended; NDIS cannot derive OID 0x%08x "
                   "from it synchronously",
                   a->name, req_oid(r));
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    ULONG64 v;
    memcpy(&v, (const char *)&si + off, sizeof(v));
    ULONG len = r->DATA.QUERY_INFORMATION.InformationBufferLength >= sizeof(ULONG64)
                    ? sizeof(ULONG64)
                    : sizeof(ULONG);
    if (len == sizeof(ULONG)) {
        ULONG v32 = (ULONG)v;
        return answer(r, &v32, sizeof(v32));
    }
    return answer(r, &v, sizeof(v));
}

static void dispatch_work(void *arg)
{
    struct ndisi_adapter *a = arg;
    oid_dispatch_next(a);
}

/*
 * Gives the next queued request to the miniport if none is outstanding. Runs
 * requests NDIS answers inline. Must run at PASSIVE_LEVEL.
 */
static void oid_dispatch_next(struct ndisi_adapter *a)
{
    for (;;) {
        pthread_mutex_lock(&a->oid_lock);
        struct oid_rec *rec = NULL;
        bool busy = false;
        for (LIST_ENTRY *e = a->oid_queue.Flink; e != &a->oid_queue; e = e->Flink) {
            struct oid_rec *x = CONTAINING_RECORD(e, struct oid_rec, link);
            if (x->at_miniport)
                busy = true;
            else if (x->queued && !rec)
                rec = x;
        }
        if (busy || !rec) {
            pthread_mutex_unlock(&a->oid_lock);
            return;
        }
        rec->queued = false;
        rec->at_miniport = true;
        pthread_mutex_unlock(&a->oid_lock);

        PNDIS_OID_REQUEST r = rec->req;
        ndisi_drain_add(&a->oids, 1);
        NDIS_STATUS st = call_miniport(a, r);
        if (st == NDIS_STATUS_PENDING)
            return; /* NdisMOidRequestComplete continues */
        pthread_mutex_lock(&a->oid_lock);
        rec_unlink_locked(a, rec);
        pthread_mutex_unlock(&a->oid_lock);
        ndisi_drain_sub(&a->oids, 1, &a->host->wq);
        rec_complete(a, rec, st);
    }
}

/* A request arrives at the miniport edge. Returns a final status or PENDING. */
static NDIS_STATUS at_miniport_edge(struct ndisi_adapter *a, struct oid_rec *rec)
{
    PNDIS_OID_REQUEST r = rec->req;
    bool handled;
    NDIS_STATUS st = answer_from_attributes(a, r, &handled);
    if (handled)
        return st;
    bool passive = ndisi_cur_irql == PASSIVE_LEVEL;
    size_t off;
    if (is_query(r) && stat_field(req_oid(r), &off) && !miniport_supports(a, req_oid(r)) &&
        passive)
        return answer_statistic(a, r, off);
    if (!miniport_supports(a, req_oid(r)) && !stat_field(req_oid(r), &off) &&
        req_oid(r) != OID_GEN_CURRENT_PACKET_FILTER && req_oid(r) != OID_802_3_MULTICAST_LIST &&
        req_oid(r) != OID_GEN_CURRENT_LOOKAHEAD)
        return NDIS_STATUS_NOT_SUPPORTED;

    pthread_mutex_lock(&a->oid_lock);
    bool busy = false;
    for (LIST_ENTRY *e = a->oid_queue.Flink; e != &a->oid_queue; e = e->Flink) {
        struct oid_rec *x = CONTAINING_RECORD(e, struct oid_rec, link);
        busy |= x->queued || x->at_miniport;
    }
    rec->at = NULL;
    InsertTailList(&a->oid_queue, &rec->link);
    if (busy || !passive) {
        /* Serialized behind the request in the miniport, or needs PASSIVE_LEVEL. */
        rec->queued = true;
        pthread_mutex_unlock(&a->oid_lock);
        if (!busy)
            ndisi_workq_post(dispatch_work, a);
        return NDIS_STATUS_PENDING;
    }
    rec->at_miniport = true;
    pthread_mutex_unlock(&a->oid_lock);
    ndisi_drain_add(&a->oids, 1);
    st = call_miniport(a, r);
    if (st == NDIS_STATUS_PENDING)
        return st; /* NdisMOidRequestComplete continues */
    pthread_mutex_lock(&a->oid_lock);
    rec_unlink_locked(a, rec);
    pthread_mutex_unlock(&a->oid_lock);
    ndisi_drain_sub(&a->oids, 1, &a->host->wq);
    oid_dispatch_next(a); /* requests queued meanwhile */
    return st;
}

/* ---- travelling down --------------------------------------------------------------- */

static struct ndisi_filter_module *oid_layer_below(struct ndisi_adapter *a,
                                                   struct ndisi_filter_module *from)
{
    struct ndisi_filter_module *m = from ? from->below : a->mod_top;
    while (m && !m->driver->chars.OidRequestHandler)
        m = m->below;
    return m;
}

/*
 * Sends `rec` to the next OID layer below `from` (NULL: the protocol edge).
 * Returns the final status when the request completed synchronously (the caller
 * completes to the issuer by returning the status) or NDIS_STATUS_PENDING when
 * the completion will come through rec_complete().
 */
static NDIS_STATUS oid_down(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                            struct oid_rec *rec)
{
    struct ndisi_filter_module *m = oid_layer_below(a, from);
    if (!m)
        return at_miniport_edge(a, rec);
    pthread_mutex_lock(&a->oid_lock);
    rec->at = m;
    InsertTailList(&a->oid_queue, &rec->link);
    pthread_mutex_unlock(&a->oid_lock);
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, m->driver->image, "FilterOidRequest", m->label, NDISI_CB_NDIS_ENTRY,
                   NDISI_IRQL_SAME);
    NDIS_STATUS st = m->driver->chars.OidRequestHandler(m->ctx, rec->req);
    ndisi_cb_leave_status(&f, true, st);
    if (st == NDIS_STATUS_PENDING)
        return st; /* NdisFOidRequestComplete(m) continues */
    pthread_mutex_lock(&a->oid_lock);
    rec_unlink_locked(a, rec);
    pthread_mutex_unlock(&a->oid_lock);
    return st;
}

/* Finds the record of `req` handled at layer `at`, unlinked. */
static struct oid_rec *take_rec(struct ndisi_adapter *a, PNDIS_OID_REQUEST req,
                                struct ndisi_filter_module *at, bool miniport)
{
    struct oid_rec *found = NULL;
    pthread_mutex_lock(&a->oid_lock);
    for (LIST_ENTRY *e = a->oid_queue.Flink; e != &a->oid_queue; e = e->Flink) {
        struct oid_rec *x = CONTAINING_RECORD(e, struct oid_rec, link);
        if (x->req == req && (miniport ? x->at_miniport : (x->at == at && !x->queued &&
                                                           !x->at_miniport))) {
            found = x;
            RemoveEntryList(&x->link);
            break;
        }
    }
    pthread_mutex_unlock(&a->oid_lock);
    return found;
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
            complete_to_open(*waiter_open(list), list, st);
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
        NDIS_STATUS st = oid_down(a, NULL, rec);
        if (st == NDIS_STATUS_PENDING)
            break; /* sync_complete goes on when it completes */
        rec = sync_done(a, rec, st, self, &self_st);
    }
    return self_st;
}

/* A set of a combined value that pended completed (rec_complete). */
static void sync_complete(struct ndisi_adapter *a, struct oid_rec *rec, NDIS_STATUS st)
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
static bool binding_oid(struct ndisi_open *o, PNDIS_OID_REQUEST r, NDIS_STATUS *st)
{
    struct ndisi_adapter *a = o->adapter;
    const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g = &a->gen_attrs;
    NDIS_OID oid = req_oid(r);
    if (oid != OID_GEN_CURRENT_PACKET_FILTER && oid != OID_802_3_MULTICAST_LIST &&
        oid != OID_GEN_CURRENT_LOOKAHEAD)
        return false;
    if (is_query(r)) {
        struct ndisi_rxfilter u;
        rxf_read(a, &a->rxf, &u);
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
    struct ndisi_rxfilter u;
    compute_union(a, &u);
    const struct ndisi_rxfilter *old = atomic_load(&a->rxf);
    bool changed;
    if (oid == OID_GEN_CURRENT_PACKET_FILTER)
        changed = (old ? old->packet_filter : 0) != u.packet_filter;
    else
        changed = (old ? old->nmcast : 0) != u.nmcast ||
                  (u.nmcast && memcmp(old->mcast, u.mcast, u.nmcast * 6u) != 0);
    struct ndisi_rxfilter *nu = changed ? rxf_copy(&u) : NULL;
    if (changed && !nu) {
        pthread_mutex_unlock(&a->rxf_lock);
        reclaim_rxf(a);
        *st = NDIS_STATUS_RESOURCES;
        return true;
    }
    if (nu)
        publish_rxf(a, &a->rxf, nu);
    bool waits;
    PNDIS_OID_REQUEST failed = NULL;
    struct oid_rec *rec = sync_changed_locked(
        a, oid == OID_GEN_CURRENT_PACKET_FILTER ? SYNC_FILTER : SYNC_MCAST, changed, o, r, &waits,
        &failed);
    ndisi_loopback_recompute(a);
    pthread_mutex_unlock(&a->rxf_lock);
    *st = sync_finish(a, rec, waits, r, failed);
    return true;
}

/* ---- the DDIs ------------------------------------------------------------------------ */

NDIS_STATUS NdisOidRequest(NDIS_HANDLE NdisBindingHandle, PNDIS_OID_REQUEST OidRequest)
{
    const char *ddi = "NdisOidRequest";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_P))
        return NDIS_STATUS_FAILURE;
    struct ndisi_open *o = ndisi_obj_check(NdisBindingHandle, NDISI_OBJ_OPEN, ddi,
                                           "NdisBindingHandle");
    if (!o || !req_valid(OidRequest, ddi, o->label))
        return NDIS_STATUS_INVALID_PARAMETER;
    int st0 = atomic_load(&o->state);
    if (st0 == NDISI_OS_UNBOUND || st0 == NDISI_OS_OPENING) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "a protocol driver can initiate OID requests from all states, except "
                     "Unbound and Opening",
                     "binding '%s' is %s", o->label, ndisi_open_state_name(o));
        return NDIS_STATUS_FAILURE;
    }
    OidRequest->RequestHandle = o;
    ndisi_drain_add(&o->oids, 1);
    NDIS_STATUS st;
    if (binding_oid(o, OidRequest, &st)) {
        if (st != NDIS_STATUS_PENDING)
            ndisi_drain_sub(&o->oids, 1, &o->adapter->host->wq);
        return st;
    }
    struct oid_rec *rec = calloc(1, sizeof(*rec));
    if (!rec) {
        ndisi_drain_sub(&o->oids, 1, &o->adapter->host->wq);
        return NDIS_STATUS_RESOURCES;
    }
    rec->kind = REC_OPEN;
    rec->open = o;
    rec->req = OidRequest;
    st = oid_down(o->adapter, NULL, rec);
    if (st != NDIS_STATUS_PENDING) {
        free(rec);
        ndisi_drain_sub(&o->oids, 1, &o->adapter->host->wq);
    }
    return st;
}

NDIS_STATUS NdisFOidRequest(NDIS_HANDLE NdisFilterHandle, PNDIS_OID_REQUEST OidRequest)
{
    const char *ddi = "NdisFOidRequest";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F))
        return NDIS_STATUS_FAILURE;
    struct ndisi_filter_module *m = ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE,
                                                    ddi, "NdisFilterHandle");
    if (!m || !req_valid(OidRequest, ddi, m->label))
        return NDIS_STATUS_INVALID_PARAMETER;
    if (!m->driver->chars.OidRequestCompleteHandler) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "a filter that issues OID requests has a FilterOidRequestComplete handler",
                     "filter module '%s' has none", m->label);
        return NDIS_STATUS_FAILURE;
    }
    struct oid_rec *rec = calloc(1, sizeof(*rec));
    if (!rec)
        return NDIS_STATUS_RESOURCES;
    rec->kind = REC_MODULE;
    rec->mod = m;
    rec->req = OidRequest;
    ndisi_drain_add(&m->oids, 1);
    NDIS_STATUS st = oid_down(m->adapter, m, rec);
    if (st != NDIS_STATUS_PENDING) {
        free(rec);
        ndisi_drain_sub(&m->oids, 1, &m->adapter->host->wq);
    }
    return st;
}

/* A request NDIS issues itself at the top of the stack, for the host API. */
NDIS_STATUS ndisi_oid_issue(struct ndisi_adapter *a, PNDIS_OID_REQUEST req,
                            ndisi_oid_done_fn *done, void *ctx)
{
    struct oid_rec *rec = calloc(1, sizeof(*rec));
    if (!rec)
        return NDIS_STATUS_RESOURCES;
    rec->kind = REC_HOST;
    rec->req = req;
    rec->done = done;
    rec->done_ctx = ctx;
    NDIS_STATUS st = oid_down(a, NULL, rec);
    if (st != NDIS_STATUS_PENDING)
        free(rec);
    return st;
}

void NdisMOidRequestComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_OID_REQUEST OidRequest,
                             NDIS_STATUS Status)
{
    const char *ddi = "NdisMOidRequestComplete";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_M))
        return;
    struct ndisi_adapter *a = ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi,
                                              "MiniportAdapterHandle");
    if (!a)
        return;
    struct oid_rec *rec = take_rec(a, OidRequest, NULL, true);
    if (!rec) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "the miniport completes a request it pended, once "
                     "(rules/ndisoidcomplete.md)",
                     "adapter '%s' completed OID request %p, which is not pending in it "
                     "(completed twice, or never given to it)",
                     a->name, (void *)OidRequest);
        return;
    }
    ndisi_drain_sub(&a->oids, 1, &a->host->wq);
    rec_complete(a, rec, Status);
    if (ndisi_cur_irql == PASSIVE_LEVEL)
        oid_dispatch_next(a);
    else
        ndisi_workq_post(dispatch_work, a);
}

void NdisFOidRequestComplete(NDIS_HANDLE NdisFilterHandle, PNDIS_OID_REQUEST OidRequest,
                             NDIS_STATUS Status)
{
    const char *ddi = "NdisFOidRequestComplete";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F))
        return;
    struct ndisi_filter_module *m = ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE,
                                                    ddi, "NdisFilterHandle");
    if (!m)
        return;
    struct oid_rec *rec = take_rec(m->adapter, OidRequest, m, false);
    if (!rec) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "a filter completes, once, a request its FilterOidRequest pended",
                     "filter module '%s' completed OID request %p, which is not pending in it",
                     m->label, (void *)OidRequest);
        return;
    }
    rec_complete(m->adapter, rec, Status);
}

/* ---- cancel ------------------------------------------------------------------------- */

static void cancel_below(struct ndisi_adapter *a, struct ndisi_filter_module *from, PVOID id)
{
    struct ndisi_filter_module *m = from ? from->below : a->mod_top;
    while (m && !m->driver->chars.CancelOidRequestHandler)
        m = m->below;
    struct ndisi_cbframe f;
    if (m) {
        ndisi_cb_enter(&f, m->driver->image, "FilterCancelOidRequest", m->label,
                       NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
        m->driver->chars.CancelOidRequestHandler(m->ctx, id);
        ndisi_cb_leave(&f);
        return;
    }
    /* Requests still queued for the miniport are aborted by NDIS itself. */
    pthread_mutex_lock(&a->oid_lock);
    struct oid_rec *q = NULL;
    bool at_mp = false;
    for (LIST_ENTRY *e = a->oid_queue.Flink; e != &a->oid_queue; e = e->Flink) {
        struct oid_rec *x = CONTAINING_RECORD(e, struct oid_rec, link);
        if (x->req->RequestId != id)
            continue;
        if (x->queued && !q)
            q = x;
        if (x->at_miniport)
            at_mp = true;
    }
    if (q)
        RemoveEntryList(&q->link);
    pthread_mutex_unlock(&a->oid_lock);
    if (q)
        rec_complete(a, q, NDIS_STATUS_REQUEST_ABORTED);
    if (at_mp) {
        ndisi_cb_enter(&f, a->miniport->image, "MiniportCancelOidRequest", a->name,
                       NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
        a->miniport->chars.CancelOidRequestHandler(a->ctx, id);
        ndisi_cb_leave(&f);
    }
}

VOID NdisCancelOidRequest(NDIS_HANDLE NdisBindingHandle, PVOID RequestId)
{
    const char *ddi = "NdisCancelOidRequest";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_P))
        return;
    struct ndisi_open *o = ndisi_obj_check(NdisBindingHandle, NDISI_OBJ_OPEN, ddi,
                                           "NdisBindingHandle");
    /* A binding's set of its packet filter, multicast list or lookahead that
       waits for NDIS's set of the combined value is not cancelled: it ends with
       that set (the binding's new value is already in force in NDIS). */
    if (o)
        cancel_below(o->adapter, NULL, RequestId);
}

VOID NdisFCancelOidRequest(NDIS_HANDLE NdisFilterHandle, PVOID RequestId)
{
    const char *ddi = "NdisFCancelOidRequest";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F))
        return;
    struct ndisi_filter_module *m = ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE,
                                                    ddi, "NdisFilterHandle");
    if (m)
        cancel_below(m->adapter, m, RequestId);
}

/* ---- clones for filters ------------------------------------------------------------ */

NDIS_STATUS NdisAllocateCloneOidRequest(NDIS_HANDLE SourceHandle, PNDIS_OID_REQUEST OidRequest,
                                        ULONG PoolTag, PNDIS_OID_REQUEST *CloneOidRequest)
{
    const char *ddi = "NdisAllocateCloneOidRequest";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_F))
        return NDIS_STATUS_FAILURE;
    struct ndisi_filter_module *m =
        ndisi_obj_check(SourceHandle, NDISI_OBJ_FILTER_MODULE, ddi, "SourceHandle");
    if (!m || !req_valid(OidRequest, ddi, m->label) || !CloneOidRequest)
        return NDIS_STATUS_INVALID_PARAMETER;
    PNDIS_OID_REQUEST c = NdisAllocateMemoryWithTagPriority(SourceHandle, sizeof(*c), PoolTag,
                                                            NormalPoolPriority);
    if (!c)
        return NDIS_STATUS_RESOURCES;
    *c = *OidRequest;
    /* The clone is the filter's own request: its reserved areas start clean. */
    memset(c->MiniportReserved, 0, sizeof(c->MiniportReserved));
    memset(c->SourceReserved, 0, sizeof(c->SourceReserved));
    c->RequestHandle = SourceHandle;
    *CloneOidRequest = c;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisFreeCloneOidRequest(NDIS_HANDLE SourceHandle, PNDIS_OID_REQUEST Request)
{
    const char *ddi = "NdisFreeCloneOidRequest";
    struct ndisi_filter_module *m =
        ndisi_obj_check(SourceHandle, NDISI_OBJ_FILTER_MODULE, ddi, "SourceHandle");
    if (!m || !Request)
        return;
    NdisFreeMemory(Request, 0, 0);
}

/* Drops every request record of an adapter that is going away (none should be left). */
void ndisi_oid_adapter_cleanup(struct ndisi_adapter *a)
{
    pthread_mutex_lock(&a->oid_lock);
    while (!IsListEmpty(&a->oid_queue))
        free(CONTAINING_RECORD(RemoveHeadList(&a->oid_queue), struct oid_rec, link));
    pthread_mutex_unlock(&a->oid_lock);
    free(atomic_load(&a->rxf));
    free_chain(atomic_exchange(&a->rxf_retired, NULL));
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
    if (!a->removing) {
        struct ndisi_rxfilter u;
        compute_union(a, &u);
        const struct ndisi_rxfilter *cur = atomic_load(&a->rxf);
        bool changed[2] = {
            (cur ? cur->packet_filter : 0) != u.packet_filter,
            (cur ? cur->nmcast : 0) != u.nmcast ||
                (u.nmcast && memcmp(cur->mcast, u.mcast, u.nmcast * 6u) != 0)};
        struct ndisi_rxfilter *nu = changed[0] || changed[1] ? rxf_copy(&u) : NULL;
        if (nu) {
            publish_rxf(a, &a->rxf, nu);
            /* The miniport hears only what changed. */
            for (int k = SYNC_FILTER; k <= SYNC_MCAST; k++) {
                bool waits;
                PNDIS_OID_REQUEST failed = NULL; /* none: no request waits */
                rec[k] = sync_changed_locked(a, k, changed[k], NULL, NULL, &waits, &failed);
            }
        }
    }
    pthread_mutex_unlock(&a->rxf_lock);
    reclaim_rxf(a);
    for (int k = 0; k < 2; k++)
        sync_send(a, rec[k], NULL);
}

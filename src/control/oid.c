/*
 * oid.c - OID requests: NdisOidRequest from a binding, through every filter
 * module with a FilterOidRequest handler (NdisFOidRequest, which filters send
 * clones with), to MiniportOidRequest; completions back up to the issuer
 * (NdisMOidRequestComplete -> FilterOidRequestComplete / NdisFOidRequestComplete
 * -> ProtocolOidRequestComplete); NdisCancelOidRequest down the same way.
 *
 * What NDIS does itself (the OID pages' "NDIS handles this OID"):
 *  - per binding, at the protocol edge (oid_binding.c): OID_GEN_CURRENT_PACKET_FILTER,
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

#include "control/oid_internal.h"
#include "core/core.h"
#include "core/verifier.h"
#include "datapath/datapath.h"
#include "os/workq.h"

#define RULE_P "Irql_Protocol_Driver_Function"
#define RULE_M "Irql_Miniport_Driver_Function"
#define RULE_F "Irql_Filter_Driver_Function"


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

/* ---- the completion side ---------------------------------------------------------- */

static void rec_unlink_locked(struct ndisi_adapter *a, struct oid_rec *rec)
{
    (void)a;
    RemoveEntryList(&rec->link);
}

static void oid_dispatch_next(struct ndisi_adapter *a);

void ndisi_oid_complete_to_open(struct ndisi_open *o, PNDIS_OID_REQUEST req, NDIS_STATUS st)
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
        ndisi_oid_complete_to_open(rec->open, rec->req, st);
        break;
    case REC_MODULE:
        complete_to_module(rec->mod, rec->req, st);
        break;
    case REC_INTERNAL:
        /* oid_binding.c frees the record and may send the next set. */
        ndisi_oid_merged_complete(a, rec, st);
        return;
    case REC_HOST:
        rec->done(rec->done_ctx, rec->req, st);
        break;
    }
    free(rec);
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
    ndisi_rxf_read(a, &a->rxf, &u);
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
NDIS_STATUS ndisi_oid_down(struct ndisi_adapter *a, struct ndisi_filter_module *from,
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
    if (ndisi_oid_binding(o, OidRequest, &st)) {
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
    st = ndisi_oid_down(o->adapter, NULL, rec);
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
    NDIS_STATUS st = ndisi_oid_down(m->adapter, m, rec);
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
    NDIS_STATUS st = ndisi_oid_down(a, NULL, rec);
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
    ndisi_rxf_adapter_cleanup(a);
}

/*
 * binding.c - the binding engine: which protocols bind to which adapters, and
 * the life of a binding (an "open") through the states of
 * concepts/protocol-binding-states-and-operations.md: ProtocolBindAdapterEx,
 * NdisOpenAdapterEx, NdisCompleteBindAdapterEx, the NetEventPause and
 * NetEventRestart PnP events, ProtocolUnbindAdapterEx, NdisCloseAdapterEx and
 * NdisCompleteUnbindAdapterEx; plus the protocol-initiated NdisUnbindAdapter and
 * NdisReEnumerateProtocolBindings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/oid.h"
#include "control/status.h"
#include "core/core.h"
#include "core/pnp.h"
#include "core/verifier.h"
#include "os/fault.h"
#include "os/workq.h"

#define RULE_IRQL "Irql_Protocol_Driver_Function"
#define X NDISI_FSM_INVALID

/* Rows: events; columns: Unbound Opening Closing Paused Restarting Running Pausing. */
static const uint8_t open_table[NDISI_OE_COUNT * NDISI_OS_COUNT] = {
    /* ProtocolBindAdapterEx   */ NDISI_OS_OPENING, X, X, X, X, X, X,
    /* Bind failed             */ X, NDISI_OS_UNBOUND, X, X, X, X, X,
    /* Bind is complete        */ X, NDISI_OS_PAUSED, X, X, X, X, X,
    /* ProtocolUnbindAdapterEx */ X, X, X, NDISI_OS_CLOSING, X, X, X,
    /* Unbind is complete      */ X, X, NDISI_OS_UNBOUND, X, X, X, X,
    /* PnP pause               */ X, X, X, X, X, NDISI_OS_PAUSING, X,
    /* Pause is complete       */ X, X, X, X, X, X, NDISI_OS_PAUSED,
    /* PnP restart             */ X, X, X, NDISI_OS_RESTARTING, X, X, X,
    /* Restart is complete     */ X, X, X, X, NDISI_OS_RUNNING, X, X,
    /* Restart failed          */ X, X, X, X, NDISI_OS_PAUSED, X, X,
};
static const char *const open_states[NDISI_OS_COUNT] = {
    "Unbound", "Opening", "Closing", "Paused", "Restarting", "Running", "Pausing"};
static const char *const open_events[NDISI_OE_COUNT] = {
    "ProtocolBindAdapterEx", "bind failed",  "bind complete", "ProtocolUnbindAdapterEx",
    "unbind complete",       "PnP pause",    "pause complete", "PnP restart",
    "restart complete",      "restart failed"};

const struct ndisi_fsm ndisi_open_fsm = {
    .kind = "protocol binding",
    .page = "concepts/protocol-binding-states-and-operations.md",
    .nstates = NDISI_OS_COUNT,
    .nevents = NDISI_OE_COUNT,
    .state_names = open_states,
    .event_names = open_events,
    .table = open_table,
};

const char *ndisi_open_state_name(const struct ndisi_open *o)
{
    return ndisi_fsm_state_name(&ndisi_open_fsm, atomic_load(&o->state));
}

static bool open_event(struct ndisi_open *o, enum ndisi_open_event ev, const char *ddi)
{
    return ndisi_fsm_apply(&ndisi_open_fsm, &o->state, ev, o->label, ddi);
}

static unsigned open_timeout(const struct ndisi_open *o)
{
    return o->adapter->host->wait_timeout_ms;
}

static void describe_open(void *ctx, char *buf, size_t len)
{
    struct ndisi_open *o = ctx;
    snprintf(buf, len,
             "binding '%s' is %s; %ld NBLs sent and not completed, %ld NBLs indicated and not "
             "returned, %ld OID requests outstanding",
             o->label, ndisi_open_state_name(o), ndisi_drain_count(&o->tx),
             ndisi_drain_count(&o->rx), ndisi_drain_count(&o->oids));
}

/* ---- the binding list the data path reads, replaced under RCU -----------------
 * Every linked binding is in it; receive and status delivery check each
 * binding's state. Unlinking republishes and waits for readers before the
 * binding is freed. */

/* A grace period of the adapter's receive readers (receive and status calls
   into bindings); false, reported, if one still ran after the wait bound. */
static bool rx_grace(struct ndisi_adapter *a)
{
    enum ndisi_rcu_wait w = ndisi_rcu_synchronize_bounded(&a->rx_rcu, a->host->wait_timeout_ms);
    if (w == NDISI_RCU_TIMED_OUT)
        ndisi_report(NDISI_V_TIMEOUT, "ProtocolReceiveNetBufferLists",
                     "receive and status handlers return promptly (they run at up to "
                     "DISPATCH_LEVEL)",
                     "adapter '%s': a receive or status call still runs after %u ms; NDIS "
                     "keeps the old binding list rather than free it under that call",
                     a->name, a->host->wait_timeout_ms);
    else if (w == NDISI_RCU_IN_READER)
        ndisi_diag("adapter '%s': the binding list changed from inside a receive or status "
                   "call; the old list is kept",
                   a->name);
    return w == NDISI_RCU_DONE;
}

/* Stands in, in a published binding list, for a binding unlinked when no
   smaller list could be allocated: it stays Unbound, so no reader calls it. */
static struct ndisi_open unlinked_binding;

/*
 * Publishes the adapter's binding list for the receive and status paths after
 * a binding was linked (gone NULL) or `gone` was unlinked, and waits out the
 * readers of the old list. Linking fails (false) when the list cannot be
 * allocated; unlinking cannot fail: without memory for a smaller list, the
 * entry of `gone` in the current list is replaced in place by a stand-in that
 * never runs, and the next change compacts the list.
 */
bool ndisi_open_publish_rx(struct ndisi_adapter *a, struct ndisi_open *gone)
{
    unsigned n = 0;
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink)
        n++;
    struct ndisi_open **arr =
        ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS) ? NULL : calloc(n + 1, sizeof(*arr));
    if (!arr) {
        if (!gone)
            return false;
        struct ndisi_open **cur = atomic_load(&a->rx_opens);
        for (unsigned i = 0; cur && cur[i]; i++)
            if (cur[i] == gone)
                __atomic_store_n(&cur[i], &unlinked_binding, __ATOMIC_RELAXED);
        ndisi_diag("adapter '%s': out of memory for a smaller binding list; binding '%s' "
                   "is replaced in the current one",
                   a->name, gone->label);
        rx_grace(a);
        return true;
    }
    unsigned k = 0;
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink)
        arr[k++] = CONTAINING_RECORD(e, struct ndisi_open, adapter_link);
    struct ndisi_open **old = atomic_exchange(&a->rx_opens, arr);
    if (rx_grace(a))
        free(old);
    return true;
}

/* ---- bind -------------------------------------------------------------------- */

/* Walks the adapter's bindings (a few protocols), not the protocol's (every adapter). */
static bool binding_exists(struct ndisi_protocol *p, struct ndisi_adapter *a)
{
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink)
        if (CONTAINING_RECORD(e, struct ndisi_open, adapter_link)->protocol == p)
            return true;
    return false;
}

static bool may_bind(struct ndisi_protocol *p, struct ndisi_adapter *a)
{
    if (p->deregistering || a->removing || binding_exists(p, a))
        return false;
    int st = atomic_load(&a->state);
    if (st == NDISI_AS_HALTED || st == NDISI_AS_INITIALIZING || st == NDISI_AS_SHUTDOWN)
        return false;
    if (ndisi_filter_mandatory_missing(a))
        return false;
    if (ndisi_binding_disabled(a->host, p->name, a->name))
        return false;
    /* INF bind rules: a protocol's LowerRange meets the miniport's UpperRange. */
    struct ndisi_range plow = p->image->lower, mup = a->miniport->image->upper;
    if (!plow.n)
        ndisi_range_parse(&plow, NULL, "ndis5");
    if (!mup.n)
        ndisi_range_parse(&mup, NULL, "ndis5");
    return ndisi_range_intersects(&plow, &mup);
}

static void fill_bind_params(struct ndisi_open *o)
{
    struct ndisi_adapter *a = o->adapter;
    const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g = &a->gen_attrs;
    NDIS_BIND_PARAMETERS *b = &o->bind_params;
    memset(b, 0, sizeof(*b));
    b->Header.Type = NDIS_OBJECT_TYPE_BIND_PARAMETERS;
    b->Header.Revision = NDIS_BIND_PARAMETERS_REVISION_4;
    b->Header.Size = NDIS_SIZEOF_BIND_PARAMETERS_REVISION_4;
    /* "a registry path [that] starts from the protocol driver's service key and
       continues down ... to the miniport adapter name (for example,
       Tcpip\Parameters\Adapters\<adapter>)" (ns-ndis-_ndis_bind_parameters.md). */
    char section[sizeof(o->section_buf) / sizeof(WCHAR)];
    snprintf(section, sizeof(section), "%s\\Parameters\\Adapters\\%s",
             o->protocol->image->name, a->name);
    ndisi_utf8_to_ustr(section, &o->section, o->section_buf,
                       sizeof(o->section_buf) / sizeof(WCHAR));
    b->ProtocolSection = &o->section;
    b->AdapterName = &a->ndis_name;
    b->BoundAdapterName = &a->ndis_name;
    b->MediaType = g->MediaType;
    b->MtuSize = g->MtuSize;
    b->MaxXmitLinkSpeed = g->MaxXmitLinkSpeed;
    b->MaxRcvLinkSpeed = g->MaxRcvLinkSpeed;
    pthread_mutex_lock(&a->link_lock);
    b->XmitLinkSpeed = a->link.XmitLinkSpeed;
    b->RcvLinkSpeed = a->link.RcvLinkSpeed;
    b->MediaConnectState = a->link.MediaConnectState;
    b->MediaDuplexState = a->link.MediaDuplexState;
    pthread_mutex_unlock(&a->link_lock);
    b->LookaheadSize = g->LookaheadSize;
    b->SupportedPacketFilters = g->SupportedPacketFilters;
    b->MaxMulticastListSize = g->MaxMulticastListSize;
    b->MacAddressLength = g->MacAddressLength;
    memcpy(b->CurrentMacAddress, g->CurrentMacAddress, sizeof(b->CurrentMacAddress));
    b->PhysicalMediumType = g->PhysicalMediumType;
    b->BoundIfNetluid = a->luid;
    b->BoundIfIndex = a->ifindex;
    b->LowestIfNetluid = a->luid;
    b->LowestIfIndex = a->ifindex;
    b->AccessType = g->AccessType;
    b->DirectionType = g->DirectionType;
    b->ConnectionType = g->ConnectionType;
    b->IfType = g->IfType;
    b->IfConnectorPresent = g->IfConnectorPresent;
    b->DataBackFillSize = g->DataBackFillSize;
    b->ContextBackFillSize = g->ContextBackFillSize;
    b->MacOptions = g->MacOptions;
}

static struct ndisi_open *open_new(struct ndisi_protocol *p, struct ndisi_adapter *a)
{
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS))
        return NULL;
    struct ndisi_open *o = ndisi_obj_alloc(NDISI_OBJ_OPEN, sizeof(*o));
    if (!o)
        return NULL;
    o->protocol = p;
    o->adapter = a;
    snprintf(o->label, sizeof(o->label), "%s->%s", p->name, a->name);
    o->obj.label = o->label;
    atomic_init(&o->state, NDISI_OS_UNBOUND);
    o->enabled = true;
    return o;
}

static void open_list(struct ndisi_open *o, bool link)
{
    struct ndisi_adapter *a = o->adapter;
    pthread_mutex_lock(&a->host->lock);
    pthread_rwlock_wrlock(&a->stack_lock);
    if (link) {
        InsertTailList(&o->protocol->opens, &o->proto_link);
        InsertTailList(&a->opens, &o->adapter_link);
        a->nopens++;
    } else {
        RemoveEntryList(&o->proto_link);
        RemoveEntryList(&o->adapter_link);
        a->nopens--;
    }
    pthread_rwlock_unlock(&a->stack_lock);
    pthread_mutex_unlock(&a->host->lock);
}

/* Links or unlinks a binding; false (nothing changed) if out of memory linking. */
static bool open_link(struct ndisi_open *o, bool link)
{
    open_list(o, link);
    if (ndisi_open_publish_rx(o->adapter, link ? NULL : o))
        return true;
    open_list(o, false); /* no reader saw it: the old list is still published */
    return false;
}

static void open_destroy(struct ndisi_open *o)
{
    open_link(o, false); /* after this no receive path can see the binding */
    ndisi_oid_binding_gone(o->adapter, o);
    ndisi_obj_free(o);
}

/* Returns the new binding (Paused) or NULL if the bind failed. */
static struct ndisi_open *bind_one(struct ndisi_protocol *p, struct ndisi_adapter *a)
{
    struct ndisi_open *o = open_new(p, a);
    if (!o) {
        ndisi_diag("bind '%s' to '%s': out of memory", p->name, a->name);
        return NULL;
    }
    fill_bind_params(o);
    if (!open_link(o, true)) {
        ndisi_diag("bind '%s' to '%s': out of memory for the adapter's binding list", p->name,
                   a->name);
        ndisi_obj_free(o);
        return NULL;
    }
    ndisi_completion_reset(&o->bind_done);
    open_event(o, NDISI_OE_BIND, "ProtocolBindAdapterEx");
    o->in_bind = true;

    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolBindAdapterEx", o->label, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    NDIS_STATUS st = p->chars.BindAdapterHandlerEx(p->context, (NDIS_HANDLE)o, &o->bind_params);
    ndisi_cb_leave_status(&f, true, st);

    if (st == NDIS_STATUS_PENDING) {
        char what[200];
        snprintf(what, sizeof(what), "NdisCompleteBindAdapterEx of binding '%s'", o->label);
        if (!ndisi_completion_wait(&o->bind_done, &a->host->wq, what, describe_open, o,
                                   open_timeout(o))) {
            ndisi_report(NDISI_V_TIMEOUT, "ProtocolBindAdapterEx", "nc-ndis-protocol_bind_adapter_ex.md",
                         "binding '%s': the bind pended and NdisCompleteBindAdapterEx was not "
                         "called within %u ms; the binding is abandoned",
                         o->label, open_timeout(o));
            o->in_bind = false;
            return NULL; /* leaves the open in Opening: a late completion is still accepted */
        }
        st = o->bind_done.status;
    }
    o->in_bind = false;
    /* An open pended by NDIS (fault injection) completes through
       ProtocolOpenAdapterCompleteEx; wait for that before judging the bind. */
    if (o->open_called && !o->opened && st == NDIS_STATUS_SUCCESS)
        ndisi_completion_wait(&o->open_done, &a->host->wq, "ProtocolOpenAdapterCompleteEx",
                              describe_open, o, open_timeout(o));
    if (st == NDIS_STATUS_SUCCESS && !o->opened) {
        ndisi_report(NDISI_V_RETURN, "ProtocolBindAdapterEx",
                     "ProtocolBindAdapterEx calls NdisOpenAdapterEx before it succeeds",
                     "binding '%s': the bind succeeded without a successful NdisOpenAdapterEx",
                     o->label);
        st = NDIS_STATUS_FAILURE;
    }
    if (st != NDIS_STATUS_SUCCESS) {
        if (o->opened && !o->closed)
            ndisi_report(NDISI_V_LEAK, "ProtocolBindAdapterEx",
                         "a failed bind closes what it opened (NdisCloseAdapterEx)",
                         "binding '%s': the bind failed (0x%08x) with the adapter still open",
                         o->label, (unsigned)st);
        ndisi_diag("binding '%s' failed with status 0x%08x", o->label, (unsigned)st);
        open_event(o, NDISI_OE_BIND_FAILED, "ProtocolBindAdapterEx");
        open_destroy(o);
        return NULL;
    }
    open_event(o, NDISI_OE_BIND_COMPLETE, "NdisCompleteBindAdapterEx");
    return o;
}

/* Binds `p` where it may bind; restarts the new bindings of running stacks. */
void ndisi_bind_protocol_all(struct ndisi_protocol *p)
{
    struct ndis_host *h = p->image->host;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        if (!may_bind(p, a))
            continue;
        struct ndisi_open *o = bind_one(p, a);
        if (o && ndisi_stack_running(a) && !a->host_paused)
            ndisi_open_restart(o);
    }
}

/* A new adapter: every registered protocol that may bind does (stack paused). */
void ndisi_bind_adapter_all(struct ndisi_adapter *a)
{
    struct ndis_host *h = a->host;
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink) {
        struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
        if (img->protocol && may_bind(img->protocol, a))
            bind_one(img->protocol, a);
    }
}

/* The open a BindContext/UnbindContext/binding handle names, checked. */
static struct ndisi_open *open_check(NDIS_HANDLE h, const char *ddi, const char *param)
{
    return ndisi_obj_check(h, NDISI_OBJ_OPEN, ddi, param);
}

static void open_complete_async(void *arg)
{
    struct ndisi_open *o = arg;
    struct ndisi_protocol *p = o->protocol;
    o->opened = true;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolOpenAdapterCompleteEx", o->label,
                   NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    p->chars.OpenAdapterCompleteHandlerEx(o->ctx, NDIS_STATUS_SUCCESS);
    ndisi_cb_leave(&f);
    ndisi_completion_complete(&o->open_done, &o->adapter->host->wq, NDIS_STATUS_SUCCESS);
}

NDIS_STATUS NdisOpenAdapterEx(NDIS_HANDLE NdisProtocolHandle, NDIS_HANDLE ProtocolBindingContext,
                              PNDIS_OPEN_PARAMETERS OpenParameters, NDIS_HANDLE BindContext,
                              PNDIS_HANDLE NdisBindingHandle)
{
    const char *ddi = "NdisOpenAdapterEx";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_protocol *p =
        ndisi_obj_check(NdisProtocolHandle, NDISI_OBJ_PROTOCOL, ddi, "NdisProtocolHandle");
    struct ndisi_open *o = p ? open_check(BindContext, ddi, "BindContext") : NULL;
    if (!o)
        return NDIS_STATUS_FAILURE;
    if (!OpenParameters || !NdisBindingHandle || !OpenParameters->MediumArray ||
        !OpenParameters->SelectedMediumIndex || !OpenParameters->AdapterName) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "nf-ndis-ndisopenadapterex.md",
                     "binding '%s': OpenParameters, its AdapterName, MediumArray and "
                     "SelectedMediumIndex, and NdisBindingHandle are required",
                     o->label);
        return NDIS_STATUS_FAILURE;
    }
    /* "NDIS fails any attempt to call NdisOpenAdapterEx outside the context of
       ProtocolBindAdapterEx." */
    if (o->protocol != p || atomic_load(&o->state) != NDISI_OS_OPENING || o->open_called) {
        ndisi_report(NDISI_V_CONTEXT, ddi,
                     "a protocol driver must call NdisOpenAdapterEx from its "
                     "ProtocolBindAdapterEx function",
                     "binding '%s' is %s%s", o->label, ndisi_open_state_name(o),
                     o->open_called ? " and was already opened" : "");
        return NDIS_STATUS_FAILURE;
    }
    if (OpenParameters->Header.Type != NDIS_OBJECT_TYPE_OPEN_PARAMETERS ||
        OpenParameters->Header.Size < NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-_ndis_open_parameters.md",
                     "binding '%s': OpenParameters header has Type 0x%02x, Size %u",
                     o->label, OpenParameters->Header.Type, OpenParameters->Header.Size);
        return NDIS_STATUS_FAILURE;
    }
    struct ndisi_adapter *a = o->adapter;
    if (!RtlEqualUnicodeString(OpenParameters->AdapterName, &a->ndis_name, TRUE)) {
        char name[128];
        ndisi_ustr_to_utf8(OpenParameters->AdapterName, name, sizeof(name));
        ndisi_diag("%s (binding '%s'): NDIS_STATUS_ADAPTER_NOT_FOUND: '%s' is not the adapter "
                   "of this bind",
                   ddi, o->label, name);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    UINT i;
    for (i = 0; i < OpenParameters->MediumArraySize; i++)
        if (OpenParameters->MediumArray[i] == a->gen_attrs.MediaType)
            break;
    if (i == OpenParameters->MediumArraySize) {
        ndisi_diag("%s (binding '%s'): NDIS_STATUS_UNSUPPORTED_MEDIA: medium %d of the adapter "
                   "is not in MediumArray",
                   ddi, o->label, (int)a->gen_attrs.MediaType);
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    }
    o->open_called = true;
    o->ctx = ProtocolBindingContext;
    o->medium = OpenParameters->MediumArray[i];
    *OpenParameters->SelectedMediumIndex = i;
    *NdisBindingHandle = (NDIS_HANDLE)o;
    if (a->host->opts.fault_flags & NDIS_HOST_FAULT_PEND_OPEN) {
        ndisi_completion_reset(&o->open_done);
        ndisi_workq_post(open_complete_async, o);
        return NDIS_STATUS_PENDING;
    }
    o->opened = true;
    return NDIS_STATUS_SUCCESS;
}

void NdisCompleteBindAdapterEx(NDIS_HANDLE BindAdapterContext, NDIS_STATUS Status)
{
    const char *ddi = "NdisCompleteBindAdapterEx";
    /* req.irql: <= DISPATCH_LEVEL (it only completes what NDIS waits for). */
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_open *o = open_check(BindAdapterContext, ddi, "BindAdapterContext");
    if (!o)
        return;
    if (atomic_load(&o->state) != NDISI_OS_OPENING || atomic_load(&o->bind_done.done)) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "called once, after ProtocolBindAdapterEx returned NDIS_STATUS_PENDING",
                     "binding '%s' is %s%s", o->label, ndisi_open_state_name(o),
                     atomic_load(&o->bind_done.done) ? " and its bind was already completed" : "");
        return;
    }
    ndisi_completion_complete(&o->bind_done, &o->adapter->host->wq, Status);
}

/* ---- PnP pause and restart of a binding --------------------------------------- */

/* Calls ProtocolNetPnPEvent and waits (bounded) for NdisCompleteNetPnPEvent if it pends. */
NDIS_STATUS ndisi_open_deliver_pnp(struct ndisi_open *o, PNET_PNP_EVENT_NOTIFICATION n,
                                   const char *fn)
{
    struct ndisi_protocol *p = o->protocol;
    ndisi_completion_reset(&o->pnp_done);
    o->pnp_event = n;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, fn, o->label, NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    NDIS_STATUS st = p->chars.NetPnPEventHandler(o->ctx, n);
    ndisi_cb_leave_status(&f, true, st);
    if (st == NDIS_STATUS_PENDING) {
        char what[200];
        snprintf(what, sizeof(what), "NdisCompleteNetPnPEvent of binding '%s'", o->label);
        if (!ndisi_completion_wait(&o->pnp_done, &o->adapter->host->wq, what, describe_open, o,
                                   open_timeout(o))) {
            ndisi_report(NDISI_V_TIMEOUT, "ProtocolNetPnPEvent", "nc-ndis-protocol_net_pnp_event.md",
                         "binding '%s' pended a PnP event and did not call "
                         "NdisCompleteNetPnPEvent within %u ms",
                         o->label, open_timeout(o));
            st = NDIS_STATUS_FAILURE;
        } else {
            st = o->pnp_done.status;
        }
    }
    o->pnp_event = NULL;
    return st;
}

static NDIS_STATUS send_pnp_event(struct ndisi_open *o, NET_PNP_EVENT_CODE code, PVOID buf,
                                  ULONG len)
{
    NET_PNP_EVENT_NOTIFICATION n;
    memset(&n, 0, sizeof(n));
    n.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    n.Header.Revision = NET_PNP_EVENT_NOTIFICATION_REVISION_1;
    n.Header.Size = NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1;
    n.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    n.NetPnPEvent.NetEvent = code;
    n.NetPnPEvent.Buffer = buf;
    n.NetPnPEvent.BufferLength = len;
    return ndisi_open_deliver_pnp(o, &n,
                                  code == NetEventPause ? "ProtocolNetPnPEvent(NetEventPause)"
                                                        : "ProtocolNetPnPEvent(NetEventRestart)");
}

void NdisCompleteNetPnPEvent(NDIS_HANDLE NdisBindingHandle,
                             PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification,
                             NDIS_STATUS Status)
{
    const char *ddi = "NdisCompleteNetPnPEvent";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_open *o = open_check(NdisBindingHandle, ddi, "NdisBindingHandle");
    if (!o)
        return;
    if (!o->pnp_event || o->pnp_event != NetPnPEventNotification ||
        atomic_load(&o->pnp_done.done)) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "completes the PnP event the binding's ProtocolNetPnPEvent pended",
                     "binding '%s' has no such PnP event pending", o->label);
        return;
    }
    ndisi_completion_complete(&o->pnp_done, &o->adapter->host->wq, Status);
}

int ndisi_open_pause(struct ndisi_open *o, ULONG reason)
{
    if (atomic_load(&o->state) != NDISI_OS_RUNNING)
        return 0;
    /* No new receive indications reach a binding once it leaves Running. A
       receive call already past that check runs inside the adapter's receive
       read section: waiting for the readers means no ProtocolReceiveNetBufferLists
       of this binding is in progress when NetEventPause (and later the unbind)
       comes. The NBLs it kept are counted in o->rx and drained below. */
    open_event(o, NDISI_OE_PAUSE, "ProtocolNetPnPEvent");
    if (ndisi_rcu_synchronize_bounded(&o->adapter->rx_rcu, open_timeout(o)) != NDISI_RCU_DONE)
        ndisi_report(NDISI_V_TIMEOUT, "ProtocolReceiveNetBufferLists",
                     "a receive handler returns promptly (it runs at up to DISPATCH_LEVEL)",
                     "binding '%s': a receive call still runs after %u ms; pausing anyway",
                     o->label, open_timeout(o));
    /* The same for a send call that counts its chain only when the miniport
       returns (send.c): once it left its section, the count below is whole. */
    if (ndisi_section_sync(o, open_timeout(o)) == NDISI_RCU_TIMED_OUT)
        ndisi_report(NDISI_V_TIMEOUT, "MiniportSendNetBufferLists",
                     "a send handler returns promptly (it runs at up to DISPATCH_LEVEL)",
                     "binding '%s': a send call still runs after %u ms; pausing anyway",
                     o->label, open_timeout(o));

    NDIS_PROTOCOL_PAUSE_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1;
    pp.PauseReason = reason;
    NDIS_STATUS st = send_pnp_event(o, NetEventPause, &pp, sizeof(pp));
    if (st != NDIS_STATUS_SUCCESS)
        ndisi_report(NDISI_V_RETURN, "ProtocolNetPnPEvent",
                     "NDIS drivers cannot fail a pause request",
                     "binding '%s' answered NetEventPause with 0x%08x", o->label, (unsigned)st);
    /* concepts/pausing-a-binding.md: the binding is paused once its sends are
       complete and the NBLs indicated to it are returned. */
    char what[200];
    snprintf(what, sizeof(what), "the traffic of binding '%s' to drain", o->label);
    struct ndisi_drain *const ds[] = {&o->tx, &o->rx};
    if (!ndisi_drains_wait(ds, 2, &o->adapter->host->wq, what, describe_open, o,
                           open_timeout(o))) {
        ndisi_report(NDISI_V_TIMEOUT, "ProtocolNetPnPEvent", "concepts/pausing-a-binding.md",
                     "binding '%s' did not drain within %u ms (%ld sends, %ld receives "
                     "outstanding)",
                     o->label, open_timeout(o), ndisi_drain_count(&o->tx),
                     ndisi_drain_count(&o->rx));
        open_event(o, NDISI_OE_PAUSE_COMPLETE, "ProtocolNetPnPEvent");
        return -ETIMEDOUT;
    }
    open_event(o, NDISI_OE_PAUSE_COMPLETE, "ProtocolNetPnPEvent");
    return 0;
}

int ndisi_open_restart(struct ndisi_open *o)
{
    struct ndisi_adapter *a = o->adapter;
    if (atomic_load(&o->state) != NDISI_OS_PAUSED || !o->enabled)
        return 0;
    NDIS_RESTART_GENERAL_ATTRIBUTES ga;
    ndisi_adapter_fill_restart_attributes(a, &ga);
    struct {
        NDIS_RESTART_ATTRIBUTES hdr;
        NDIS_RESTART_GENERAL_ATTRIBUTES body;
    } *ra = calloc(1, sizeof(*ra) + sizeof(ga));
    NDIS_PROTOCOL_RESTART_PARAMETERS rp;
    memset(&rp, 0, sizeof(rp));
    rp.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS;
    rp.Header.Revision = NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1;
    rp.Header.Size = NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1;
    rp.BoundIfIndex = a->ifindex;
    rp.BoundIfNetluid = a->luid;
    if (ra) {
        ra->hdr.Oid = OID_GEN_MINIPORT_RESTART_ATTRIBUTES;
        ra->hdr.DataLength = sizeof(ga);
        memcpy(ra->hdr.Data, &ga, sizeof(ga));
        rp.RestartAttributes = &ra->hdr;
    }
    open_event(o, NDISI_OE_RESTART, "ProtocolNetPnPEvent");
    NDIS_STATUS st = send_pnp_event(o, NetEventRestart, &rp, sizeof(rp));
    free(ra);
    if (st != NDIS_STATUS_SUCCESS) {
        ndisi_diag("binding '%s': restart failed with 0x%08x; it stays Paused", o->label,
                   (unsigned)st);
        open_event(o, NDISI_OE_RESTART_FAILED, "ProtocolNetPnPEvent");
        return -EIO;
    }
    open_event(o, NDISI_OE_RESTART_COMPLETE, "ProtocolNetPnPEvent");
    /* A protocol that binds late learns the current link state. */
    ndisi_status_indicate_link_to_open(o);
    return 0;
}

/* ---- unbind -------------------------------------------------------------------- */

void ndisi_open_unbind(struct ndisi_open *o)
{
    struct ndisi_protocol *p = o->protocol;
    struct ndis_host *h = o->adapter->host;
    if (atomic_load(&o->state) == NDISI_OS_RUNNING)
        ndisi_open_pause(o, NDIS_PAUSE_UNBIND_PROTOCOL);
    if (atomic_load(&o->state) != NDISI_OS_PAUSED) {
        /* An abandoned (timed-out) bind: nothing can be called on it safely. */
        ndisi_diag("binding '%s' is %s and cannot be unbound; NDIS drops it", o->label,
                   ndisi_open_state_name(o));
        open_destroy(o);
        return;
    }
    ndisi_completion_reset(&o->unbind_done);
    ndisi_completion_reset(&o->close_done);
    open_event(o, NDISI_OE_UNBIND, "ProtocolUnbindAdapterEx");
    o->in_unbind = true;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolUnbindAdapterEx", o->label, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    NDIS_STATUS st = p->chars.UnbindAdapterHandlerEx((NDIS_HANDLE)o, o->ctx);
    ndisi_cb_leave_status(&f, true, st);

    char what[200];
    if (st == NDIS_STATUS_PENDING) {
        snprintf(what, sizeof(what), "NdisCompleteUnbindAdapterEx of binding '%s'", o->label);
        if (!ndisi_completion_wait(&o->unbind_done, &h->wq, what, describe_open, o,
                                   open_timeout(o)))
            ndisi_report(NDISI_V_TIMEOUT, "ProtocolUnbindAdapterEx",
                         "nf-ndis-ndiscompleteunbindadapterex.md",
                         "binding '%s' pended its unbind and did not call "
                         "NdisCompleteUnbindAdapterEx within %u ms",
                         o->label, open_timeout(o));
    } else if (st != NDIS_STATUS_SUCCESS) {
        ndisi_report(NDISI_V_RETURN, "ProtocolUnbindAdapterEx",
                     "ProtocolUnbindAdapterEx returns NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING",
                     "binding '%s' returned 0x%08x", o->label, (unsigned)st);
    }
    if (o->close_called && !atomic_load(&o->close_done.done)) {
        snprintf(what, sizeof(what), "the close of binding '%s'", o->label);
        ndisi_completion_wait(&o->close_done, &h->wq, what, describe_open, o, open_timeout(o));
    }
    if (!o->closed)
        ndisi_report(NDISI_V_STATE, "ProtocolUnbindAdapterEx",
                     "in ProtocolUnbindAdapterEx, a protocol driver calls NdisCloseAdapterEx",
                     "binding '%s' completed its unbind without closing the adapter", o->label);
    o->in_unbind = false;
    open_event(o, NDISI_OE_UNBIND_COMPLETE, "ProtocolUnbindAdapterEx");
    open_destroy(o);
}

struct close_ctx {
    struct ndisi_open *o;
};

static void close_complete_async(void *arg)
{
    struct ndisi_open *o = arg;
    struct ndisi_protocol *p = o->protocol;
    char what[200];
    snprintf(what, sizeof(what), "OID requests of binding '%s' before its close", o->label);
    ndisi_drain_wait(&o->oids, &o->adapter->host->wq, what, describe_open, o, open_timeout(o));
    o->closed = true;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolCloseAdapterCompleteEx", o->label,
                   NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    p->chars.CloseAdapterCompleteHandlerEx(o->ctx);
    ndisi_cb_leave(&f);
    ndisi_completion_complete(&o->close_done, &o->adapter->host->wq, NDIS_STATUS_SUCCESS);
}

NDIS_STATUS NdisCloseAdapterEx(NDIS_HANDLE NdisBindingHandle)
{
    const char *ddi = "NdisCloseAdapterEx";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_open *o = open_check(NdisBindingHandle, ddi, "NdisBindingHandle");
    if (!o)
        return NDIS_STATUS_FAILURE;
    /* "Protocol drivers must close an adapter from the ProtocolBindAdapterEx
       function or ProtocolUnbindAdapterEx function." */
    int st = atomic_load(&o->state);
    bool in_bind = st == NDISI_OS_OPENING && o->opened;
    bool in_unbind = st == NDISI_OS_CLOSING;
    if ((!in_bind && !in_unbind) || o->close_called) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "protocol drivers close an adapter from ProtocolBindAdapterEx or "
                     "ProtocolUnbindAdapterEx, once",
                     "binding '%s' is %s%s", o->label, ndisi_open_state_name(o),
                     o->close_called ? " and was already closed" : "");
        return NDIS_STATUS_FAILURE;
    }
    if (ndisi_drain_count(&o->tx) || ndisi_drain_count(&o->rx))
        ndisi_report(NDISI_V_STATE, ddi, "a binding is closed after its traffic completed",
                     "binding '%s' closes with %ld sends and %ld receives outstanding",
                     o->label, ndisi_drain_count(&o->tx), ndisi_drain_count(&o->rx));
    o->close_called = true;
    /* NDIS pends the close while OID requests of the binding are outstanding. */
    if (ndisi_drain_count(&o->oids) ||
        (o->adapter->host->opts.fault_flags & NDIS_HOST_FAULT_PEND_CLOSE)) {
        ndisi_workq_post(close_complete_async, o);
        return NDIS_STATUS_PENDING;
    }
    o->closed = true;
    ndisi_completion_complete(&o->close_done, &o->adapter->host->wq, NDIS_STATUS_SUCCESS);
    return NDIS_STATUS_SUCCESS;
}

void NdisCompleteUnbindAdapterEx(NDIS_HANDLE UnbindContext)
{
    const char *ddi = "NdisCompleteUnbindAdapterEx";
    /* req.irql: <= DISPATCH_LEVEL (it only completes what NDIS waits for). */
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_open *o = open_check(UnbindContext, ddi, "UnbindContext");
    if (!o)
        return;
    if (atomic_load(&o->state) != NDISI_OS_CLOSING || atomic_load(&o->unbind_done.done)) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "called once, after ProtocolUnbindAdapterEx returned NDIS_STATUS_PENDING",
                     "binding '%s' is %s", o->label, ndisi_open_state_name(o));
        return;
    }
    ndisi_completion_complete(&o->unbind_done, &o->adapter->host->wq, NDIS_STATUS_SUCCESS);
}

/* ---- protocol-initiated unbind and re-enumeration -------------------------------- */

struct unbind_req {
    struct ndisi_open *o;
};

static void unbind_op(struct ndis_host *h, void *arg)
{
    struct unbind_req *r = arg;
    /* The binding may be gone by now (unbound by a removal in between). */
    pthread_mutex_lock(&h->lock);
    bool alive = false;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters && !alive; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        for (LIST_ENTRY *oe = a->opens.Flink; oe != &a->opens; oe = oe->Flink)
            alive |= CONTAINING_RECORD(oe, struct ndisi_open, adapter_link) == r->o;
    }
    pthread_mutex_unlock(&h->lock);
    if (alive)
        ndisi_open_unbind(r->o);
}

NDIS_STATUS NdisUnbindAdapter(NDIS_HANDLE NdisBindingHandle)
{
    const char *ddi = "NdisUnbindAdapter";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_open *o = open_check(NdisBindingHandle, ddi, "NdisBindingHandle");
    if (!o)
        return NDIS_STATUS_FAILURE;
    struct unbind_req *r = malloc(sizeof(*r));
    if (!r)
        return NDIS_STATUS_RESOURCES;
    r->o = o;
    char what[200];
    snprintf(what, sizeof(what), "unbind '%s' (NdisUnbindAdapter)", o->label);
    /* "NdisUnbindAdapter schedules a work item that results in an NDIS call to
       ProtocolUnbindAdapterEx"; the binding handle is invalid once it returns. */
    if (ndisi_pnp_post(o->adapter->host, unbind_op, r, free, what) != 0) {
        free(r);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}

static void reenumerate_op(struct ndis_host *h, void *arg)
{
    struct ndisi_protocol *p = arg;
    pthread_mutex_lock(&h->lock);
    bool alive = false;
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink)
        alive |= CONTAINING_RECORD(e, struct ndisi_image, link)->protocol == p;
    pthread_mutex_unlock(&h->lock);
    if (alive)
        ndisi_bind_protocol_all(p);
}

void NdisReEnumerateProtocolBindings(NDIS_HANDLE NdisProtocolHandle)
{
    const char *ddi = "NdisReEnumerateProtocolBindings";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_protocol *p =
        ndisi_obj_check(NdisProtocolHandle, NDISI_OBJ_PROTOCOL, ddi, "NdisProtocolHandle");
    if (!p)
        return;
    char what[160];
    snprintf(what, sizeof(what), "re-enumerate the bindings of '%s'", p->name);
    ndisi_pnp_post(p->image->host, reenumerate_op, p, NULL, what);
}

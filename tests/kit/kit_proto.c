/*
 * kit_proto.c - the test protocol: up to KIT_MAX_PROTOCOLS instances, each
 * loaded from kit_proto_entry under the name "kitp<i>", written only against
 * <ndis.h>, with the switches of kit_proto_cfg. Every NDIS call into it is
 * logged ("ProtocolBindAdapterEx(kitp0,a0)").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit.h"

#define TAG 'prtK'
#define MAX_BINDINGS 64

kit_proto_cfg kit_proto[KIT_MAX_PROTOCOLS];

typedef struct kit_binding {
    int proto;
    char adapter[64];
    NDIS_HANDLE binding;  /* NdisBindingHandle */
    NDIS_HANDLE bind_ctx; /* pended bind */
    NDIS_HANDLE unbind_ctx;
    PNET_PNP_EVENT_NOTIFICATION pending_pnp;
    UINT medium_index;
    NDIS_MEDIUM media[2];
    NDIS_OPEN_PARAMETERS op;
    bool unbind_pending;
    NDIS_SPIN_LOCK lock;
    PNET_BUFFER_LIST kept; /* received NBLs held (keep_received) */
    NDIS_OID_REQUEST oid;
} kit_binding;

typedef struct kit_instance {
    NDIS_HANDLE handle;
    NDIS_HANDLE pool;
    WCHAR name_buf[16];
    char name[16];
    kit_binding *bindings[MAX_BINDINGS];
} kit_instance;

static kit_instance g_inst[KIT_MAX_PROTOCOLS];

void kit_proto_reset(void)
{
    memset(kit_proto, 0, sizeof(kit_proto));
    memset(g_inst, 0, sizeof(g_inst));
}

NDIS_HANDLE kit_proto_handle(int i)
{
    return g_inst[i].handle;
}

static kit_binding *find_binding(int i, const char *adapter)
{
    for (int b = 0; b < MAX_BINDINGS; b++)
        if (g_inst[i].bindings[b] && strcmp(g_inst[i].bindings[b]->adapter, adapter) == 0)
            return g_inst[i].bindings[b];
    return NULL;
}

NDIS_HANDLE kit_proto_binding(int i, const char *adapter)
{
    kit_binding *b = find_binding(i, adapter);
    return b ? b->binding : NULL;
}

static void forget_binding(kit_binding *b)
{
    kit_instance *in = &g_inst[b->proto];
    for (int i = 0; i < MAX_BINDINGS; i++)
        if (in->bindings[i] == b)
            in->bindings[i] = NULL;
    NdisFreeSpinLock(&b->lock);
    NdisFreeMemory(b, 0, 0);
}

static void ustr_to_c(PNDIS_STRING s, char *out, size_t len)
{
    size_t i, n = s->Length / 2;
    const char *dev = "\\DEVICE\\";
    size_t skip = 0;
    for (i = 0; i < 8 && i < n && (char)s->Buffer[i] == dev[i]; i++)
        ;
    if (i == 8)
        skip = 8;
    for (i = 0; i + skip < n && i + 1 < len; i++)
        out[i] = (char)s->Buffer[i + skip];
    out[i] = 0;
}

/* ---- pended operations complete from an I/O work item, a little later --------------- */

typedef struct {
    kit_binding *b;
    int what; /* 0 bind, 1 unbind, 2 pnp */
} pr_later;

/* Protocol drivers cannot use NdisAllocateIoWorkItem (nf-ndis-ndisallocateioworkitem.md:
   NDIS does not associate them with a device object); the kit completes from a
   thread of its own, as a protocol would from a system thread. */
static void *pr_later_routine(void *ctx)
{
    pr_later *l = ctx;
    kit_binding *b = l->b;
    int i = b->proto, what = l->what;
    NdisMSleep(2000);
    NdisFreeMemory(l, 0, 0);
    if (what == 0) {
        kit_log("CompleteBind(%s,%s)", g_inst[i].name, b->adapter);
        NDIS_HANDLE bc = b->bind_ctx;
        b->bind_ctx = NULL;
        NdisCompleteBindAdapterEx(bc, NDIS_STATUS_SUCCESS);
    } else if (what == 1) {
        kit_log("CompleteUnbind(%s,%s)", g_inst[i].name, b->adapter);
        NDIS_HANDLE u = b->unbind_ctx;
        forget_binding(b);
        NdisCompleteUnbindAdapterEx(u);
    } else {
        kit_log("CompletePnP(%s,%s)", g_inst[i].name, b->adapter);
        PNET_PNP_EVENT_NOTIFICATION n = b->pending_pnp;
        b->pending_pnp = NULL;
        NdisCompleteNetPnPEvent(b->binding, n, NDIS_STATUS_SUCCESS);
    }
    return NULL;
}

static NDIS_STATUS pr_pend(kit_binding *b, int what)
{
    if (kit_proto[b->proto].manual)
        return NDIS_STATUS_PENDING;
    pr_later *l = NdisAllocateMemoryWithTagPriority(g_inst[b->proto].handle, sizeof(*l), TAG,
                                                    NormalPoolPriority);
    l->b = b;
    l->what = what;
    pthread_t t;
    pthread_create(&t, NULL, pr_later_routine, l);
    pthread_detach(t);
    return NDIS_STATUS_PENDING;
}

/* ---- ProtocolXxx ----------------------------------------------------------------- */

static PROTOCOL_BIND_ADAPTER_EX pr_bind;
static PROTOCOL_UNBIND_ADAPTER_EX pr_unbind;
static PROTOCOL_OPEN_ADAPTER_COMPLETE_EX pr_open_complete;
static PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX pr_close_complete;
static PROTOCOL_NET_PNP_EVENT pr_pnp;
static PROTOCOL_OID_REQUEST_COMPLETE pr_oid_complete;
static PROTOCOL_STATUS_EX pr_status;
static PROTOCOL_RECEIVE_NET_BUFFER_LISTS pr_receive;
static PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE pr_send_complete;

_Use_decl_annotations_ static NDIS_STATUS pr_bind(NDIS_HANDLE drvctx, NDIS_HANDLE bindctx,
                                                  PNDIS_BIND_PARAMETERS bp)
{
    int i = (int)(ULONG_PTR)drvctx;
    kit_instance *in = &g_inst[i];
    kit_proto_cfg *cfg = &kit_proto[i];
    kit_binding *b = NdisAllocateMemoryWithTagPriority(in->handle, sizeof(*b), TAG,
                                                       NormalPoolPriority);
    if (!b)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(b, sizeof(*b));
    NdisAllocateSpinLock(&b->lock);
    b->proto = i;
    {
        PNDIS_STRING ps = bp->ProtocolSection;
        unsigned k = 0;
        for (; ps && k < ps->Length / 2u && k + 1 < sizeof(cfg->last_protocol_section); k++)
            cfg->last_protocol_section[k] = (char)ps->Buffer[k];
        cfg->last_protocol_section[k] = 0;
    }
    ustr_to_c(bp->AdapterName, b->adapter, sizeof(b->adapter));
    kit_log("ProtocolBindAdapterEx(%s,%s)", in->name, b->adapter);
    for (int s = 0; s < MAX_BINDINGS; s++)
        if (!in->bindings[s]) {
            in->bindings[s] = b;
            break;
        }
    b->media[0] = cfg->fail_open_medium ? NdisMediumWan : NdisMedium802_3;
    b->op.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    b->op.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    b->op.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    b->op.AdapterName = bp->AdapterName;
    b->op.MediumArray = b->media;
    b->op.MediumArraySize = 1;
    b->op.SelectedMediumIndex = &b->medium_index;
    b->bind_ctx = bindctx;
    NDIS_STATUS st = NdisOpenAdapterEx(in->handle, b, &b->op, bindctx, &b->binding);
    cfg->last_open_status = st;
    if (st != NDIS_STATUS_SUCCESS && st != NDIS_STATUS_PENDING) {
        forget_binding(b);
        return st;
    }
    if (st == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING; /* pr_open_complete finishes the bind */
    if (cfg->bind_status != NDIS_STATUS_SUCCESS) {
        /* A failed bind closes what it opened. */
        cfg->last_close_status = NdisCloseAdapterEx(b->binding);
        st = cfg->bind_status;
        forget_binding(b);
        return st;
    }
    if (cfg->pend_bind)
        return pr_pend(b, 0);
    b->bind_ctx = NULL;
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void pr_open_complete(NDIS_HANDLE ctx, NDIS_STATUS st)
{
    kit_binding *b = ctx;
    kit_log("ProtocolOpenAdapterCompleteEx(%s,%s)", g_inst[b->proto].name, b->adapter);
    if (!kit_proto[b->proto].pend_bind) {
        NDIS_HANDLE bc = b->bind_ctx;
        b->bind_ctx = NULL;
        NdisCompleteBindAdapterEx(bc, st);
    }
}

void kit_proto_complete_binds(int i, NDIS_STATUS st)
{
    for (int s = 0; s < MAX_BINDINGS; s++) {
        kit_binding *b = g_inst[i].bindings[s];
        if (b && b->bind_ctx) {
            NDIS_HANDLE ctx = b->bind_ctx;
            b->bind_ctx = NULL;
            if (st != NDIS_STATUS_SUCCESS) {
                NdisCloseAdapterEx(b->binding);
                forget_binding(b);
            }
            NdisCompleteBindAdapterEx(ctx, st);
        }
    }
}

_Use_decl_annotations_ static NDIS_STATUS pr_unbind(NDIS_HANDLE unbindctx, NDIS_HANDLE ctx)
{
    kit_binding *b = ctx;
    int i = b->proto;
    kit_proto_cfg *cfg = &kit_proto[i];
    kit_log("ProtocolUnbindAdapterEx(%s,%s)", g_inst[i].name, b->adapter);
    b->unbind_ctx = unbindctx;
    if (cfg->deregister_in_unbind)
        NdisDeregisterProtocolDriver(g_inst[i].handle); /* forbidden: NDIS must refuse */
    if (cfg->no_close_in_unbind) {
        forget_binding(b);
        return NDIS_STATUS_SUCCESS;
    }
    b->unbind_pending = cfg->pend_unbind;
    NDIS_STATUS st = NdisCloseAdapterEx(b->binding);
    cfg->last_close_status = st;
    if (st == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING; /* pr_close_complete completes the unbind (and may
                                       already have freed b) */
    if (cfg->pend_unbind)
        return pr_pend(b, 1);
    forget_binding(b);
    return cfg->unbind_status;
}

_Use_decl_annotations_ static void pr_close_complete(NDIS_HANDLE ctx)
{
    kit_binding *b = ctx;
    kit_log("ProtocolCloseAdapterCompleteEx(%s,%s)", g_inst[b->proto].name, b->adapter);
    if (kit_proto[b->proto].pend_unbind)
        return; /* the test completes the unbind */
    NDIS_HANDLE u = b->unbind_ctx;
    forget_binding(b);
    NdisCompleteUnbindAdapterEx(u);
}

void kit_proto_complete_unbinds(int i)
{
    for (int s = 0; s < MAX_BINDINGS; s++) {
        kit_binding *b = g_inst[i].bindings[s];
        if (b && b->unbind_pending) {
            NDIS_HANDLE u = b->unbind_ctx;
            forget_binding(b);
            NdisCompleteUnbindAdapterEx(u);
        }
    }
}

_Use_decl_annotations_ static NDIS_STATUS pr_pnp(NDIS_HANDLE ctx, PNET_PNP_EVENT_NOTIFICATION n)
{
    kit_binding *b = ctx;
    int i = b->proto;
    const char *ev = n->NetPnPEvent.NetEvent == NetEventPause     ? "Pause"
                     : n->NetPnPEvent.NetEvent == NetEventRestart ? "Restart"
                                                                  : "Other";
    kit_log("ProtocolNetPnPEvent(%s,%s,%s)", g_inst[i].name, b->adapter, ev);
    if (n->NetPnPEvent.NetEvent == NetEventPause && kit_proto[i].pend_pause) {
        b->pending_pnp = n;
        return pr_pend(b, 2);
    }
    if (n->NetPnPEvent.NetEvent == NetEventPause && kit_proto[i].keep_received)
        return NDIS_STATUS_SUCCESS; /* the kept NBLs hold the pause until returned */
    if (n->NetPnPEvent.NetEvent == NetEventRestart && kit_proto[i].packet_filter) {
        ULONG pf = kit_proto[i].packet_filter;
        ULONG needed;
        kit_proto_oid(i, b->adapter, NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER,
                      &pf, sizeof(pf), &needed);
    }
    return NDIS_STATUS_SUCCESS;
}

void kit_proto_complete_pnp(int i)
{
    for (int s = 0; s < MAX_BINDINGS; s++) {
        kit_binding *b = g_inst[i].bindings[s];
        if (b && b->pending_pnp) {
            PNET_PNP_EVENT_NOTIFICATION n = b->pending_pnp;
            b->pending_pnp = NULL;
            NdisCompleteNetPnPEvent(b->binding, n, NDIS_STATUS_SUCCESS);
        }
    }
}

_Use_decl_annotations_ static void pr_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r,
                                                   NDIS_STATUS st)
{
    kit_binding *b = ctx;
    (void)r;
    kit_log("ProtocolOidRequestComplete(%s,%s,0x%08x)", g_inst[b->proto].name, b->adapter,
            (unsigned)st);
    kit_proto[b->proto].last_oid_status = st;
    atomic_fetch_add(&kit_proto[b->proto].oid_completed, 1);
}

static NDIS_STATUS binding_oid(kit_binding *b, NDIS_REQUEST_TYPE type, NDIS_OID oid, void *buf,
                               ULONG len, ULONG *bytes_needed)
{
    PNDIS_OID_REQUEST r = &b->oid;
    NdisZeroMemory(r, sizeof(*r));
    r->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    r->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    r->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    r->RequestType = type;
    r->RequestId = (PVOID)(ULONG_PTR)(0x100 + oid);
    if (type == NdisRequestSetInformation) {
        r->DATA.SET_INFORMATION.Oid = oid;
        r->DATA.SET_INFORMATION.InformationBuffer = buf;
        r->DATA.SET_INFORMATION.InformationBufferLength = len;
    } else {
        r->DATA.QUERY_INFORMATION.Oid = oid;
        r->DATA.QUERY_INFORMATION.InformationBuffer = buf;
        r->DATA.QUERY_INFORMATION.InformationBufferLength = len;
    }
    NDIS_STATUS st = NdisOidRequest(b->binding, r);
    if (bytes_needed)
        *bytes_needed = type == NdisRequestSetInformation ? r->DATA.SET_INFORMATION.BytesNeeded
                                                          : r->DATA.QUERY_INFORMATION.BytesNeeded;
    return st;
}

NDIS_STATUS kit_proto_oid(int i, const char *adapter, NDIS_REQUEST_TYPE type, NDIS_OID oid,
                          void *buf, ULONG len, ULONG *bytes_needed)
{
    kit_binding *b = find_binding(i, adapter);
    if (!b)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    return binding_oid(b, type, oid, buf, len, bytes_needed);
}

/* NdisOidRequest is allowed at IRQL <= DISPATCH_LEVEL, so from the receive and
   status handlers too: a protocol may change its packet filter there. */
static void set_filter_from_handler(kit_binding *b, ULONG *filter)
{
    kit_proto_cfg *cfg = &kit_proto[b->proto];
    cfg->last_handler_oid_status = binding_oid(b, NdisRequestSetInformation,
                                               OID_GEN_CURRENT_PACKET_FILTER, filter,
                                               sizeof(*filter), NULL);
}

_Use_decl_annotations_ static void pr_status(NDIS_HANDLE ctx, PNDIS_STATUS_INDICATION si)
{
    kit_binding *b = ctx;
    kit_proto_cfg *cfg = &kit_proto[b->proto];
    atomic_fetch_add(&cfg->status_indications, 1);
    if (si->StatusCode == NDIS_STATUS_LINK_STATE) {
        PNDIS_LINK_STATE ls = si->StatusBuffer;
        if (ls->MediaConnectState == MediaConnectStateConnected)
            atomic_fetch_add(&cfg->link_up_seen, 1);
        else
            atomic_fetch_add(&cfg->link_down_seen, 1);
    }
    if (cfg->filter_in_status)
        set_filter_from_handler(b, &cfg->filter_in_status);
}

_Use_decl_annotations_ static void pr_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                              NDIS_PORT_NUMBER port, ULONG n, ULONG flags)
{
    kit_binding *b = ctx;
    kit_proto_cfg *cfg = &kit_proto[b->proto];
    (void)port;
    atomic_fetch_add(&cfg->received, n);
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        if (NdisTestNblFlag(x, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET))
            atomic_fetch_add(&cfg->loopback_received, 1);
    if (cfg->filter_in_receive)
        set_filter_from_handler(b, &cfg->filter_in_receive);
    if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
        if (cfg->return_resources)
            NdisReturnNetBufferLists(b->binding, nbls,
                                     (flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                         ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                         : 0);
        return;
    }
    if (cfg->keep_received) {
        NdisAcquireSpinLock(&b->lock);
        PNET_BUFFER_LIST last = nbls;
        while (last->Next)
            last = last->Next;
        last->Next = b->kept;
        b->kept = nbls;
        NdisReleaseSpinLock(&b->lock);
        return;
    }
    if (cfg->receive_inline) {
        cfg->receive_inline(b->binding, nbls,
                            (flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                : 0);
        return;
    }
    NdisReturnNetBufferLists(b->binding, nbls,
                             (flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                 ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                 : 0);
    if (cfg->linger_ms && !(flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)) {
        NdisMSleep(cfg->linger_ms * 1000);
        kit_log("ReceiveDone(%s,%s)", g_inst[b->proto].name, b->adapter);
    }
}

PNET_BUFFER_LIST kit_proto_take_kept(int i, const char *adapter)
{
    NDIS_HANDLE h = kit_proto_binding(i, adapter);
    for (int s = 0; s < MAX_BINDINGS; s++) {
        kit_binding *b = g_inst[i].bindings[s];
        if (!b || b->binding != h)
            continue;
        NdisAcquireSpinLock(&b->lock);
        PNET_BUFFER_LIST kept = b->kept;
        b->kept = NULL;
        NdisReleaseSpinLock(&b->lock);
        return kept;
    }
    return NULL;
}

ULONG kit_proto_return_all(int i)
{
    ULONG n = 0;
    for (int s = 0; s < MAX_BINDINGS; s++) {
        kit_binding *b = g_inst[i].bindings[s];
        if (!b)
            continue;
        NdisAcquireSpinLock(&b->lock);
        PNET_BUFFER_LIST kept = b->kept;
        b->kept = NULL;
        NdisReleaseSpinLock(&b->lock);
        for (PNET_BUFFER_LIST x = kept; x; x = x->Next)
            n++;
        if (kept)
            NdisReturnNetBufferLists(b->binding, kept, 0);
    }
    return n;
}

_Use_decl_annotations_ static void pr_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                                    ULONG flags)
{
    kit_binding *b = ctx;
    (void)flags;
    while (nbls) {
        PNET_BUFFER_LIST next = nbls->Next;
        nbls->Next = NULL;
        atomic_fetch_add(&kit_proto[b->proto].send_completed, 1);
        if (NET_BUFFER_LIST_STATUS(nbls) == NDIS_STATUS_SEND_ABORTED)
            atomic_fetch_add(&kit_proto[b->proto].send_aborted, 1);
        PMDL mdl = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(nbls));
        PVOID buf = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        NdisFreeNetBufferList(nbls);
        NdisFreeMdl(mdl);
        NdisFreeMemory(buf, 0, 0);
        nbls = next;
    }
}

ULONG kit_proto_send(int i, const char *adapter, ULONG n, ULONG len, const UCHAR *dst)
{
    kit_binding *b = find_binding(i, adapter);
    static const UCHAR bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (!b)
        return 0;
    PNET_BUFFER_LIST head = NULL, tail = NULL;
    ULONG got = 0;
    for (ULONG k = 0; k < n; k++) {
        UCHAR *p = NdisAllocateMemoryWithTagPriority(g_inst[i].handle, len, TAG,
                                                     NormalPoolPriority);
        PMDL mdl = p ? NdisAllocateMdl(g_inst[i].handle, p, len) : NULL;
        PNET_BUFFER_LIST nbl =
            mdl ? NdisAllocateNetBufferAndNetBufferList(g_inst[i].pool, 0, 0, mdl, 0, len) : NULL;
        if (!nbl) {
            if (mdl)
                NdisFreeMdl(mdl);
            if (p)
                NdisFreeMemory(p, 0, 0);
            break;
        }
        NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(nbl, kit_proto[i].send_cancel_id);
        NdisZeroMemory(p, len);
        NdisMoveMemory(p, dst ? dst : bcast, 6);
        p[12] = 0x88;
        p[13] = 0xb5;
        if (tail)
            tail->Next = nbl;
        else
            head = nbl;
        tail = nbl;
        got++;
    }
    if (head)
        NdisSendNetBufferLists(b->binding, head, NDIS_DEFAULT_PORT_NUMBER,
                               kit_proto[i].send_flags |
                                   (NDIS_CURRENT_IRQL() >= DISPATCH_LEVEL
                                        ? NDIS_SEND_FLAGS_DISPATCH_LEVEL
                                        : 0));
    return got;
}

static DRIVER_UNLOAD pr_unload;

_Use_decl_annotations_ static void pr_unload(PDRIVER_OBJECT d)
{
    int i = (int)(d->DriverName.Buffer[d->DriverName.Length / 2 - 1] - '0');
    kit_log("Unload(%s)", g_inst[i].name);
    if (g_inst[i].pool) {
        NdisFreeNetBufferListPool(g_inst[i].pool);
        g_inst[i].pool = NULL;
    }
    if (!kit_proto[i].skip_unload_deregister) {
        NdisDeregisterProtocolDriver(g_inst[i].handle);
        kit_log("DeregisterReturned(%s)", g_inst[i].name);
    }
    g_inst[i].handle = NULL;
}

NTSTATUS kit_proto_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    /* "\Driver\kitp<i>": the instance is the last character. */
    int i = (int)(DriverObject->DriverName.Buffer[DriverObject->DriverName.Length / 2 - 1] - '0');
    if (i < 0 || i >= KIT_MAX_PROTOCOLS)
        return STATUS_INVALID_PARAMETER;
    kit_instance *in = &g_inst[i];
    kit_proto_cfg *cfg = &kit_proto[i];
    snprintf(in->name, sizeof(in->name), "kitp%d", i);
    for (int k = 0; in->name[k]; k++)
        in->name_buf[k] = (WCHAR)in->name[k];
    kit_log("DriverEntry(%s)", in->name);

    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = cfg->minor_version ? cfg->minor_version : 30;
    c.Name.Buffer = in->name_buf;
    c.Name.Length = (USHORT)(strlen(in->name) * 2);
    c.Name.MaximumLength = sizeof(in->name_buf);
    c.BindAdapterHandlerEx = pr_bind;
    c.UnbindAdapterHandlerEx = pr_unbind;
    c.OpenAdapterCompleteHandlerEx = pr_open_complete;
    c.CloseAdapterCompleteHandlerEx = pr_close_complete;
    c.NetPnPEventHandler = pr_pnp;
    c.OidRequestCompleteHandler = pr_oid_complete;
    c.StatusHandlerEx = pr_status;
    c.ReceiveNetBufferListsHandler = pr_receive;
    c.SendNetBufferListsCompleteHandler = pr_send_complete;
    if (cfg->mutate_chars)
        cfg->mutate_chars(&c);
    NDIS_STATUS st = NdisRegisterProtocolDriver((NDIS_HANDLE)(ULONG_PTR)i, &c, &in->handle);
    cfg->last_register_status = st;
    if (st != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAG;
    in->pool = NdisAllocateNetBufferListPool(in->handle, &pp);
    DriverObject->DriverUnload = pr_unload;
    return STATUS_SUCCESS;
}

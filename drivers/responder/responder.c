/*
 * responder.c - the responder protocol driver: DriverEntry, binding and
 * unbinding, pause and restart, status indications, OID completion.
 *
 * Binding (concepts/binding-to-an-adapter.md): ProtocolBindAdapterEx reads the
 * binding's IPv4 address (rsp_config.c), allocates the binding's answer pool
 * and opens the adapter. At the first restart it sets the packet filter to
 * directed + broadcast (ARP requests are broadcast).
 * Pause (nc-ndis-protocol_net_pnp_event.md, NetEventPause): the binding stops
 * answering and returns once every answer it sent has come back (refs, rsp.h). Unbind: the binding is paused by then; wait for the packet
 * filter request if one is in flight, close the adapter, free the pool.
 */
#include <stdio.h>
#include <string.h>

#include "rsp.h"

NDIS_HANDLE rsp_driver_handle;

static PROTOCOL_BIND_ADAPTER_EX rsp_bind;
static PROTOCOL_UNBIND_ADAPTER_EX rsp_unbind;
static PROTOCOL_OPEN_ADAPTER_COMPLETE_EX rsp_open_complete;
static PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX rsp_close_complete;
static PROTOCOL_NET_PNP_EVENT rsp_pnp_event;
static PROTOCOL_OID_REQUEST_COMPLETE rsp_oid_complete;
static PROTOCOL_STATUS_EX rsp_status;
static DRIVER_UNLOAD rsp_unload;

/* ---- bindings ------------------------------------------------------------------- */

/* "\DEVICE\tap0" -> "tap0" (ASCII; other characters become '?'). */
static void adapter_name(const NDIS_STRING *s, char *out, size_t cap)
{
    static const char prefix[] = "\\DEVICE\\";
    size_t n = s->Length / sizeof(WCHAR), skip = 0, i;
    for (i = 0; i < sizeof(prefix) - 1 && i < n && s->Buffer[i] == (WCHAR)prefix[i]; i++)
        ;
    if (i == sizeof(prefix) - 1)
        skip = i;
    for (i = 0; skip + i < n && i + 1 < cap; i++) {
        WCHAR c = s->Buffer[skip + i];
        out[i] = c > ' ' && c < 0x7f ? (char)c : '?';
    }
    out[i] = '\0';
}

static void binding_free(struct rsp_binding *b)
{
    if (b->pool)
        NdisFreeNetBufferListPool(b->pool);
    NdisFreeMemory(b, 0, 0);
}

static struct rsp_binding *binding_new(PNDIS_BIND_PARAMETERS bp, NDIS_STATUS *st)
{
    char name[RSP_NAME_MAX];
    UCHAR ip[4];
    adapter_name(bp->AdapterName, name, sizeof(name));
    if (bp->MediaType != NdisMedium802_3 || bp->MacAddressLength != 6) {
        *st = NDIS_STATUS_UNSUPPORTED_MEDIA;
        return NULL;
    }
    if ((*st = rsp_read_address(bp, name, ip)) != NDIS_STATUS_SUCCESS)
        return NULL;
    struct rsp_binding *b = NdisAllocateMemoryWithTagPriority(rsp_driver_handle, sizeof(*b),
                                                              RSP_TAG, NormalPoolPriority);
    if (!b) {
        *st = NDIS_STATUS_RESOURCES;
        return NULL;
    }
    NdisZeroMemory(b, sizeof(*b));
    memcpy(b->adapter, name, sizeof(b->adapter));
    NdisMoveMemory(b->self.mac, bp->CurrentMacAddress, 6);
    NdisMoveMemory(b->self.ip, ip, 4);
    atomic_init(&b->state, RSP_OPENING);
    NdisInitializeEvent(&b->oid_done);
    NdisSetEvent(&b->oid_done);
    NdisInitializeEvent(&b->drained);
    b->pool = rsp_alloc_pool();
    if (!b->pool) {
        binding_free(b);
        *st = NDIS_STATUS_RESOURCES;
        return NULL;
    }
    return b;
}

/* The open finished (now or in rsp_open_complete): the binding is Paused. */
static void binding_opened(struct rsp_binding *b)
{
    atomic_store(&b->state, RSP_PAUSED);
    rsp_stats_add_binding(b);
    DbgPrint("responder: bound to %s as %u.%u.%u.%u\n", b->adapter, b->self.ip[0],
             b->self.ip[1], b->self.ip[2], b->self.ip[3]);
}

_Use_decl_annotations_ static NDIS_STATUS rsp_bind(NDIS_HANDLE drvctx, NDIS_HANDLE bindctx,
                                                   PNDIS_BIND_PARAMETERS bp)
{
    (void)drvctx;
    NDIS_STATUS st;
    struct rsp_binding *b = binding_new(bp, &st);
    if (!b)
        return st;
    b->medium = NdisMedium802_3;
    b->open.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    b->open.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    b->open.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    b->open.AdapterName = bp->AdapterName;
    b->open.MediumArray = &b->medium;
    b->open.MediumArraySize = 1;
    b->open.SelectedMediumIndex = &b->medium_index;
    b->bind_ctx = bindctx;
    st = NdisOpenAdapterEx(rsp_driver_handle, b, &b->open, bindctx, &b->handle);
    if (st == NDIS_STATUS_PENDING)
        return st; /* rsp_open_complete finishes the bind */
    if (st != NDIS_STATUS_SUCCESS) {
        binding_free(b);
        return st;
    }
    binding_opened(b);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void rsp_open_complete(NDIS_HANDLE ctx, NDIS_STATUS st)
{
    struct rsp_binding *b = ctx;
    NDIS_HANDLE bindctx = b->bind_ctx;
    if (st == NDIS_STATUS_SUCCESS)
        binding_opened(b);
    else
        binding_free(b);
    NdisCompleteBindAdapterEx(bindctx, st);
}

static void binding_closed(struct rsp_binding *b)
{
    rsp_stats_remove_binding(b);
    binding_free(b);
}

_Use_decl_annotations_ static NDIS_STATUS rsp_unbind(NDIS_HANDLE unbindctx, NDIS_HANDLE ctx)
{
    struct rsp_binding *b = ctx;
    atomic_store(&b->state, RSP_CLOSING);
    /* NdisCloseAdapterEx needs every OID request of the binding completed. */
    if (!NdisWaitEvent(&b->oid_done, 10000))
        DbgPrint("responder: %s: the packet filter request did not complete in 10 s\n",
                 b->adapter);
    b->unbind_ctx = unbindctx;
    NDIS_STATUS st = NdisCloseAdapterEx(b->handle);
    if (st == NDIS_STATUS_PENDING)
        return st; /* rsp_close_complete finishes the unbind */
    binding_closed(b);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void rsp_close_complete(NDIS_HANDLE ctx)
{
    struct rsp_binding *b = ctx;
    NDIS_HANDLE unbindctx = b->unbind_ctx;
    binding_closed(b);
    NdisCompleteUnbindAdapterEx(unbindctx);
}

/* ---- pause, restart, packet filter ----------------------------------------------------- */

void rsp_ref_put(struct rsp_binding *b, long n)
{
    /* Only a pause drops the Running bias: reaching 0 means it has drained. */
    if (atomic_fetch_sub(&b->refs, n) == n)
        NdisSetEvent(&b->drained);
}

/*
 * NdisCompleteNetPnPEvent must be called at PASSIVE_LEVEL and answers complete at
 * DISPATCH_LEVEL, so the pause waits here (ProtocolNetPnPEvent runs at
 * PASSIVE_LEVEL) instead of pending. The miniport completes answers promptly;
 * the wait is bounded all the same.
 */
static NDIS_STATUS pause(struct rsp_binding *b)
{
    NdisResetEvent(&b->drained);
    atomic_store(&b->state, RSP_PAUSING);
    if (atomic_fetch_sub(&b->refs, 1) != 1 && !NdisWaitEvent(&b->drained, RSP_DRAIN_MS))
        DbgPrint("responder: %s: %ld answers still in the miniport after %d ms; pausing "
                 "anyway\n", b->adapter, atomic_load(&b->refs), RSP_DRAIN_MS);
    atomic_store(&b->state, RSP_PAUSED);
    return NDIS_STATUS_SUCCESS;
}

static void set_packet_filter(struct rsp_binding *b)
{
    static ULONG filter = RSP_FILTER;
    PNDIS_OID_REQUEST r = &b->oid;
    NdisZeroMemory(r, sizeof(*r));
    r->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    r->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    r->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    r->RequestType = NdisRequestSetInformation;
    r->DATA.SET_INFORMATION.Oid = OID_GEN_CURRENT_PACKET_FILTER;
    r->DATA.SET_INFORMATION.InformationBuffer = &filter;
    r->DATA.SET_INFORMATION.InformationBufferLength = sizeof(filter);
    NdisResetEvent(&b->oid_done);
    NDIS_STATUS st = NdisOidRequest(b->handle, r);
    if (st != NDIS_STATUS_PENDING)
        rsp_oid_complete(b, r, st);
}

static NDIS_STATUS restart(struct rsp_binding *b)
{
    atomic_fetch_add(&b->refs, 1);
    atomic_store(&b->state, RSP_RUNNING);
    if (!b->filter_set) {
        b->filter_set = true;
        set_packet_filter(b);
    }
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static NDIS_STATUS rsp_pnp_event(NDIS_HANDLE ctx,
                                                        PNET_PNP_EVENT_NOTIFICATION ev)
{
    struct rsp_binding *b = ctx;
    if (!b) /* an event for the protocol as a whole */
        return NDIS_STATUS_SUCCESS;
    switch (ev->NetPnPEvent.NetEvent) {
    case NetEventPause:
        return pause(b);
    case NetEventRestart:
        return restart(b);
    default:
        return NDIS_STATUS_SUCCESS;
    }
}

_Use_decl_annotations_ static void rsp_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r,
                                                    NDIS_STATUS st)
{
    struct rsp_binding *b = ctx;
    (void)r;
    if (st != NDIS_STATUS_SUCCESS)
        DbgPrint("responder: %s: setting the packet filter failed with 0x%08x\n", b->adapter,
                 (unsigned)st);
    NdisSetEvent(&b->oid_done);
}

_Use_decl_annotations_ static void rsp_status(NDIS_HANDLE ctx, PNDIS_STATUS_INDICATION si)
{
    struct rsp_binding *b = ctx;
    if (si->StatusCode != NDIS_STATUS_LINK_STATE || si->StatusBufferSize < sizeof(NDIS_LINK_STATE))
        return;
    const NDIS_LINK_STATE *ls = si->StatusBuffer;
    if (ls->MediaConnectState == MediaConnectStateConnected)
        atomic_fetch_add(&b->counters.link_up, 1);
    else
        atomic_fetch_add(&b->counters.link_down, 1);
}

/* ---- the driver ------------------------------------------------------------------------ */

_Use_decl_annotations_ static void rsp_unload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    NdisDeregisterProtocolDriver(rsp_driver_handle);
    rsp_driver_handle = NULL;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = NDIS_PROTOCOL_MAJOR_VERSION;
    c.MinorNdisVersion = NDIS_PROTOCOL_MINOR_VERSION;
    c.MajorDriverVersion = 1;
    NDIS_STRING name = NDIS_STRING_CONST("responder");
    c.Name = name;
    c.BindAdapterHandlerEx = rsp_bind;
    c.UnbindAdapterHandlerEx = rsp_unbind;
    c.OpenAdapterCompleteHandlerEx = rsp_open_complete;
    c.CloseAdapterCompleteHandlerEx = rsp_close_complete;
    c.NetPnPEventHandler = rsp_pnp_event;
    c.OidRequestCompleteHandler = rsp_oid_complete;
    c.StatusHandlerEx = rsp_status;
    c.ReceiveNetBufferListsHandler = rsp_receive;
    c.SendNetBufferListsCompleteHandler = rsp_send_complete;
    rsp_stats_init();
    NDIS_STATUS st = NdisRegisterProtocolDriver(NULL, &c, &rsp_driver_handle);
    if (st != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    DriverObject->DriverUnload = rsp_unload;
    return STATUS_SUCCESS;
}

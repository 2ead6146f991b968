/*
 * ndtproto.c - the test protocol of the ndisd tests: binds to every adapter
 * its LowerRange allows (opens it with 802.3), does nothing else, unbinds by
 * closing. Built twice: as ndtproto, and with NDT_LEAK as ndtleak, which
 * allocates memory in DriverEntry and never frees it (a leak ndisd must report
 * when it unloads the driver at shutdown).
 */
#include <ndis.h>

#define TAG 'prtN'
#define MAX_BINDINGS 16

typedef struct ndt_binding {
    NDIS_HANDLE binding;
    NDIS_MEDIUM medium;
    UINT medium_index;
    NDIS_OPEN_PARAMETERS op;
} ndt_binding;

static NDIS_HANDLE g_handle;
#ifdef NDT_LEAK
static PVOID g_leaked;
#endif

static PROTOCOL_BIND_ADAPTER_EX pr_bind;
static PROTOCOL_UNBIND_ADAPTER_EX pr_unbind;
static PROTOCOL_OPEN_ADAPTER_COMPLETE_EX pr_open_complete;
static PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX pr_close_complete;
static PROTOCOL_NET_PNP_EVENT pr_pnp;
static PROTOCOL_OID_REQUEST_COMPLETE pr_oid_complete;
static PROTOCOL_STATUS_EX pr_status;
static PROTOCOL_RECEIVE_NET_BUFFER_LISTS pr_receive;
static PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE pr_send_complete;
static DRIVER_UNLOAD pr_unload;

_Use_decl_annotations_ static NDIS_STATUS pr_bind(NDIS_HANDLE drvctx, NDIS_HANDLE bindctx,
                                                  PNDIS_BIND_PARAMETERS bp)
{
    UNREFERENCED_PARAMETER(drvctx);
    ndt_binding *b = NdisAllocateMemoryWithTagPriority(g_handle, sizeof(*b), TAG,
                                                       NormalPoolPriority);
    if (!b)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(b, sizeof(*b));
    b->medium = NdisMedium802_3;
    b->op.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    b->op.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    b->op.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    b->op.AdapterName = bp->AdapterName;
    b->op.MediumArray = &b->medium;
    b->op.MediumArraySize = 1;
    b->op.SelectedMediumIndex = &b->medium_index;
    NDIS_STATUS st = NdisOpenAdapterEx(g_handle, b, &b->op, bindctx, &b->binding);
    if (st != NDIS_STATUS_SUCCESS && st != NDIS_STATUS_PENDING)
        NdisFreeMemory(b, 0, 0);
    return st;
}

_Use_decl_annotations_ static void pr_open_complete(NDIS_HANDLE ctx, NDIS_STATUS st)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(st);
}

_Use_decl_annotations_ static NDIS_STATUS pr_unbind(NDIS_HANDLE unbindctx, NDIS_HANDLE ctx)
{
    UNREFERENCED_PARAMETER(unbindctx);
    ndt_binding *b = ctx;
    NDIS_STATUS st = NdisCloseAdapterEx(b->binding);
    if (st == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING;
    NdisFreeMemory(b, 0, 0);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void pr_close_complete(NDIS_HANDLE ctx)
{
    NdisFreeMemory(ctx, 0, 0);
}

_Use_decl_annotations_ static NDIS_STATUS pr_pnp(NDIS_HANDLE ctx, PNET_PNP_EVENT_NOTIFICATION ev)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(ev);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void pr_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r,
                                                   NDIS_STATUS st)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(r);
    UNREFERENCED_PARAMETER(st);
}

_Use_decl_annotations_ static void pr_status(NDIS_HANDLE ctx, PNDIS_STATUS_INDICATION s)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(s);
}

_Use_decl_annotations_ static void pr_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl,
                                              NDIS_PORT_NUMBER port, ULONG n, ULONG flags)
{
    ndt_binding *b = ctx;
    UNREFERENCED_PARAMETER(port);
    UNREFERENCED_PARAMETER(n);
    if (!NDIS_TEST_RECEIVE_CANNOT_PEND(flags))
        NdisReturnNetBufferLists(b->binding, nbl,
                                 NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(flags)
                                     ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                     : 0);
}

_Use_decl_annotations_ static void pr_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl,
                                                    ULONG flags)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(nbl);
    UNREFERENCED_PARAMETER(flags);
}

_Use_decl_annotations_ static void pr_unload(PDRIVER_OBJECT d)
{
    UNREFERENCED_PARAMETER(d);
    NdisDeregisterProtocolDriver(g_handle);
}

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
#ifdef NDT_LEAK
    static WCHAR name[] = L"ndtleak";
#else
    static WCHAR name[] = L"ndtproto";
#endif
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.Name.Buffer = name;
    c.Name.Length = sizeof(name) - sizeof(WCHAR);
    c.Name.MaximumLength = sizeof(name);
    c.BindAdapterHandlerEx = pr_bind;
    c.UnbindAdapterHandlerEx = pr_unbind;
    c.OpenAdapterCompleteHandlerEx = pr_open_complete;
    c.CloseAdapterCompleteHandlerEx = pr_close_complete;
    c.NetPnPEventHandler = pr_pnp;
    c.OidRequestCompleteHandler = pr_oid_complete;
    c.StatusHandlerEx = pr_status;
    c.ReceiveNetBufferListsHandler = pr_receive;
    c.SendNetBufferListsCompleteHandler = pr_send_complete;
    if (NdisRegisterProtocolDriver(NULL, &c, &g_handle) != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
#ifdef NDT_LEAK
    g_leaked = NdisAllocateMemoryWithTagPriority(g_handle, 100, 'kaeL', NormalPoolPriority);
#endif
    DriverObject->DriverUnload = pr_unload;
    return STATUS_SUCCESS;
}

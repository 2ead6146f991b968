/*
 * ndtmp.c - the test miniport of the ndisd tests: an Ethernet-like virtual
 * adapter written only against <ndis.h>. Sends complete at once; it answers
 * OID_GEN_VENDOR_DESCRIPTION, OID_GEN_STATISTICS, OID_802_3_*_ADDRESS, and
 * OID_GEN_VLAN_ID (query and set), which the tests drive through ndisctl, and
 * a private OID: setting NDT_OID_INDICATE to n makes the adapter receive n
 * 60-byte broadcast frames (EtherType 0x88B5, payload byte i = frame number),
 * so the capture tests have traffic to capture.
 *
 * Built with NDT_FAIL_ENTRY it is ndtfail.so: DriverEntry fails after
 * registering the miniport and allocating memory, "forgetting" to deregister
 * and free. NDIS must report both, reclaim them and leave nothing of the
 * driver in the instance.
 */
#include <ndis.h>

#define TAG 'pmtN'
#define NDT_OID_INDICATE 0xFF4E4401u /* vendor-specific (top byte 0xFF) */
#define NDT_FRAME 60
#define NDT_MAX_INDICATE 64

typedef struct ndt_adapter {
    NDIS_HANDLE handle;
    UCHAR mac[6];
    ULONG vlan_id;
    ULONG packet_filter;
    ULONG64 sent;
    NDIS_HANDLE pool;
    BOOLEAN paused;
} ndt_adapter;

static NDIS_HANDLE g_driver;

static const NDIS_OID supported[] = {
    OID_GEN_VENDOR_DESCRIPTION,  OID_GEN_STATISTICS,         OID_GEN_VLAN_ID,
    OID_802_3_PERMANENT_ADDRESS, OID_802_3_CURRENT_ADDRESS,  OID_GEN_CURRENT_PACKET_FILTER,
    OID_802_3_MULTICAST_LIST,    OID_GEN_CURRENT_LOOKAHEAD,  OID_GEN_MAXIMUM_TOTAL_SIZE,
    NDT_OID_INDICATE,
};

static MINIPORT_INITIALIZE mp_initialize;
static MINIPORT_HALT mp_halt;
static MINIPORT_UNLOAD mp_unload;
static MINIPORT_PAUSE mp_pause;
static MINIPORT_RESTART mp_restart;
static MINIPORT_OID_REQUEST mp_oid;
static MINIPORT_SEND_NET_BUFFER_LISTS mp_send;
static MINIPORT_RETURN_NET_BUFFER_LISTS mp_return;
static MINIPORT_CANCEL_SEND mp_cancel_send;
static MINIPORT_DEVICE_PNP_EVENT_NOTIFY mp_pnp;
static MINIPORT_SHUTDOWN mp_shutdown;
static MINIPORT_CANCEL_OID_REQUEST mp_cancel_oid;

_Use_decl_annotations_ static NDIS_STATUS mp_initialize(NDIS_HANDLE h, NDIS_HANDLE drvctx,
                                                        PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
    UNREFERENCED_PARAMETER(drvctx);
    ndt_adapter *a = NdisAllocateMemoryWithTagPriority(h, sizeof(*a), TAG, NormalPoolPriority);
    if (!a)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(a, sizeof(*a));
    a->handle = h;
    UCHAR mac[6] = {0x02, 0x4e, 0x44, 0x54, 0x00, (UCHAR)ip->IfIndex};
    NdisMoveMemory(a->mac, mac, 6);
    a->paused = TRUE; /* an adapter starts Paused */
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAG;
    a->pool = NdisAllocateNetBufferListPool(h, &pp);
    if (!a->pool) {
        NdisFreeMemory(a, 0, 0);
        return NDIS_STATUS_RESOURCES;
    }

    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
    NdisZeroMemory(&ra, sizeof(ra));
    ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.MiniportAdapterContext = a;
    ra.InterfaceType = NdisInterfaceInternal;
    NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);

    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    NdisZeroMemory(&ga, sizeof(ga));
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.MediaType = NdisMedium802_3;
    ga.PhysicalMediumType = NdisPhysicalMedium802_3;
    ga.MtuSize = 1500;
    ga.MaxXmitLinkSpeed = ga.XmitLinkSpeed = ga.MaxRcvLinkSpeed = ga.RcvLinkSpeed =
        1000000000ull;
    ga.MediaConnectState = MediaConnectStateConnected;
    ga.MediaDuplexState = MediaDuplexStateFull;
    ga.LookaheadSize = 1500;
    ga.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
                                NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS;
    ga.MaxMulticastListSize = 16;
    ga.MacAddressLength = 6;
    NdisMoveMemory(ga.PermanentMacAddress, a->mac, 6);
    NdisMoveMemory(ga.CurrentMacAddress, a->mac, 6);
    ga.AccessType = NET_IF_ACCESS_BROADCAST;
    ga.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    ga.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    ga.IfType = IF_TYPE_ETHERNET_CSMACD;
    ga.IfConnectorPresent = TRUE;
    ga.SupportedOidList = (PNDIS_OID)supported;
    ga.SupportedOidListLength = sizeof(supported);
    NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void mp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    ndt_adapter *a = ctx;
    UNREFERENCED_PARAMETER(action);
    NdisFreeNetBufferListPool(a->pool);
    NdisFreeMemory(a, 0, 0);
}

_Use_decl_annotations_ static void mp_unload(PDRIVER_OBJECT d)
{
    UNREFERENCED_PARAMETER(d);
    NdisMDeregisterMiniportDriver(g_driver);
}

_Use_decl_annotations_ static NDIS_STATUS mp_pause(NDIS_HANDLE ctx,
                                                   PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    UNREFERENCED_PARAMETER(p);
    ((ndt_adapter *)ctx)->paused = TRUE; /* indications are synchronous: none in flight */
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static NDIS_STATUS mp_restart(NDIS_HANDLE ctx,
                                                     PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    UNREFERENCED_PARAMETER(p);
    ((ndt_adapter *)ctx)->paused = FALSE;
    return NDIS_STATUS_SUCCESS;
}

/*
 * Receives n frames: indicated with NDIS_RECEIVE_FLAGS_RESOURCES, so they are
 * ours again when the indication returns. The OID request runs at PASSIVE_LEVEL
 * while the adapter is Running (the set is refused when paused).
 */
static NDIS_STATUS indicate(ndt_adapter *a, ULONG n)
{
    UCHAR frames[NDT_MAX_INDICATE][NDT_FRAME];
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    ULONG count = 0;
    if (a->paused)
        return NDIS_STATUS_PAUSED;
    if (n > NDT_MAX_INDICATE)
        return NDIS_STATUS_INVALID_DATA;
    for (ULONG i = 0; i < n; i++) {
        UCHAR *f = frames[i];
        NdisFillMemory(f, 6, 0xff);
        NdisMoveMemory(f + 6, a->mac, 6);
        f[12] = 0x88;
        f[13] = 0xb5;
        NdisFillMemory(f + 14, NDT_FRAME - 14, (UCHAR)i);
        PMDL mdl = NdisAllocateMdl(a->handle, f, NDT_FRAME);
        PNET_BUFFER_LIST nbl =
            mdl ? NdisAllocateNetBufferAndNetBufferList(a->pool, 0, 0, mdl, 0, NDT_FRAME) : NULL;
        if (!nbl) {
            if (mdl)
                NdisFreeMdl(mdl);
            break;
        }
        nbl->SourceHandle = a->handle;
        *tail = nbl;
        tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        count++;
    }
    if (head)
        NdisMIndicateReceiveNetBufferLists(a->handle, head, NDIS_DEFAULT_PORT_NUMBER, count,
                                           NDIS_RECEIVE_FLAGS_RESOURCES);
    while (head) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(head);
        NdisFreeMdl(NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(head)));
        NdisFreeNetBufferList(head);
        head = next;
    }
    return count == n ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

static NDIS_STATUS answer(PNDIS_OID_REQUEST r, const void *data, ULONG len)
{
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    NdisMoveMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, data, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS query(ndt_adapter *a, PNDIS_OID_REQUEST r)
{
    static const char vendor[] = "ndisd test miniport";
    ULONG ul;
    switch (r->DATA.QUERY_INFORMATION.Oid) {
    case OID_GEN_VENDOR_DESCRIPTION:
        return answer(r, vendor, sizeof(vendor));
    case OID_802_3_PERMANENT_ADDRESS:
    case OID_802_3_CURRENT_ADDRESS:
        return answer(r, a->mac, 6);
    case OID_GEN_VLAN_ID:
        return answer(r, &a->vlan_id, sizeof(a->vlan_id));
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
        ul = 1514;
        return answer(r, &ul, sizeof(ul));
    case OID_GEN_CURRENT_LOOKAHEAD:
        ul = 1500;
        return answer(r, &ul, sizeof(ul));
    case OID_GEN_STATISTICS: {
        NDIS_STATISTICS_INFO si;
        NdisZeroMemory(&si, sizeof(si));
        si.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        si.Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
        si.Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        si.SupportedStatistics = NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT;
        si.ifHCOutOctets = 4242;
        si.ifHCOutUcastPkts = a->sent;
        return answer(r, &si, sizeof(si));
    }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

static NDIS_STATUS set(ndt_adapter *a, PNDIS_OID_REQUEST r)
{
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    PVOID buf = r->DATA.SET_INFORMATION.InformationBuffer;
    switch (r->DATA.SET_INFORMATION.Oid) {
    case OID_GEN_VLAN_ID:
    case OID_GEN_CURRENT_PACKET_FILTER:
    case OID_GEN_CURRENT_LOOKAHEAD:
        if (len < sizeof(ULONG)) {
            r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        if (r->DATA.SET_INFORMATION.Oid == OID_GEN_VLAN_ID) {
            NdisMoveMemory(&a->vlan_id, buf, sizeof(ULONG));
            if (a->vlan_id > 4094)
                return NDIS_STATUS_INVALID_DATA;
        } else if (r->DATA.SET_INFORMATION.Oid == OID_GEN_CURRENT_PACKET_FILTER) {
            NdisMoveMemory(&a->packet_filter, buf, sizeof(ULONG));
        }
        r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
        return NDIS_STATUS_SUCCESS;
    case OID_802_3_MULTICAST_LIST:
        r->DATA.SET_INFORMATION.BytesRead = len;
        return NDIS_STATUS_SUCCESS;
    case NDT_OID_INDICATE:
        if (len < sizeof(ULONG)) {
            r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
        return indicate(a, *(ULONG *)buf);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

_Use_decl_annotations_ static NDIS_STATUS mp_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    ndt_adapter *a = ctx;
    switch (r->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        return query(a, r);
    case NdisRequestSetInformation:
        return set(a, r);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

_Use_decl_annotations_ static void mp_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl,
                                           NDIS_PORT_NUMBER port, ULONG flags)
{
    ndt_adapter *a = ctx;
    UNREFERENCED_PARAMETER(port);
    for (PNET_BUFFER_LIST n = nbl; n; n = NET_BUFFER_LIST_NEXT_NBL(n)) {
        NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
        a->sent++;
    }
    NdisMSendNetBufferListsComplete(a->handle, nbl,
                                    NDIS_TEST_SEND_AT_DISPATCH_LEVEL(flags)
                                        ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                                        : 0);
}

_Use_decl_annotations_ static void mp_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl, ULONG flags)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(nbl);
    UNREFERENCED_PARAMETER(flags);
}

_Use_decl_annotations_ static void mp_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(id);
}

_Use_decl_annotations_ static void mp_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(ev);
}

_Use_decl_annotations_ static void mp_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION action)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(action);
}

_Use_decl_annotations_ static void mp_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(id);
}

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.InitializeHandlerEx = mp_initialize;
    c.HaltHandlerEx = mp_halt;
    c.UnloadHandler = mp_unload;
    c.PauseHandler = mp_pause;
    c.RestartHandler = mp_restart;
    c.OidRequestHandler = mp_oid;
    c.SendNetBufferListsHandler = mp_send;
    c.ReturnNetBufferListsHandler = mp_return;
    c.CancelSendHandler = mp_cancel_send;
    c.DevicePnPEventNotifyHandler = mp_pnp;
    c.ShutdownHandlerEx = mp_shutdown;
    c.CancelOidRequestHandler = mp_cancel_oid;
    NDIS_STATUS st = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &g_driver);
#ifdef NDT_FAIL_ENTRY
    if (st == NDIS_STATUS_SUCCESS)
        (void)NdisAllocateMemoryWithTagPriority(g_driver, 64, 'liaF', NormalPoolPriority);
    return STATUS_UNSUCCESSFUL; /* neither deregistered nor freed */
#else
    return st == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
#endif
}

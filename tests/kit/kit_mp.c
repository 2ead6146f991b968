/*
 * kit_mp.c - the test miniport: an Ethernet-like virtual adapter per
 * ndis_host_add_adapter, written only against <ndis.h>, with the switches of
 * kit_mp_cfg. Every NDIS call into it is logged ("MiniportPause(a0)").
 */
#include <stdio.h>
#include <string.h>

#include "kit.h"

#define TAG 'pmtK'

kit_mp_cfg kit_mp;

typedef struct kit_adapter {
    NDIS_HANDLE handle;
    char name[64];
    int index;
    NDIS_HANDLE pool;
    NDIS_SPIN_LOCK lock;
    PNET_BUFFER_LIST queued_head, queued_tail; /* sends held for kit_mp_complete_sends */
    atomic_ulong sends_seen, returned, indicated;
    atomic_int paused;      /* set by MiniportPause, cleared by MiniportRestart */
    atomic_int indicating;  /* kit_mp_indicate calls in progress */
    PNDIS_OID_REQUEST _Atomic pending_oid; /* set by MiniportOidRequest, taken by a completer */
    UCHAR mac[6];
} kit_adapter;

static NDIS_HANDLE g_driver;
static kit_adapter *g_adapters[KIT_MAX_ADAPTERS];
static NDIS_SPIN_LOCK g_lock;
static bool g_lock_ready;

static const NDIS_OID kit_oids[] = {
    OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST, OID_GEN_STATISTICS,
    OID_GEN_VENDOR_DESCRIPTION,    OID_GEN_CURRENT_LOOKAHEAD, OID_GEN_MAXIMUM_TOTAL_SIZE,
};

void kit_mp_reset(void)
{
    memset(&kit_mp, 0, sizeof(kit_mp));
    memset(g_adapters, 0, sizeof(g_adapters));
}

NDIS_HANDLE kit_mp_driver_handle(void)
{
    return g_driver;
}

void kit_mp_set_driver_handle(NDIS_HANDLE h)
{
    g_driver = h;
}

static kit_adapter *find(const char *name)
{
    for (int i = 0; i < KIT_MAX_ADAPTERS; i++)
        if (g_adapters[i] && strcmp(g_adapters[i]->name, name) == 0)
            return g_adapters[i];
    return NULL;
}

NDIS_HANDLE kit_mp_handle(const char *adapter)
{
    kit_adapter *k = find(adapter);
    return k ? k->handle : NULL;
}

static ULONG send_complete_flags(void)
{
    return NDIS_CURRENT_IRQL() >= DISPATCH_LEVEL ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0;
}

/* ---- MiniportXxx -------------------------------------------------------------- */

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
    (void)drvctx;
    NDIS_STRING name;
    char cname[64] = "?";
    if (NdisMQueryAdapterInstanceName(&name, h) == NDIS_STATUS_SUCCESS) {
        unsigned i;
        for (i = 0; i < name.Length / 2 && i + 1 < sizeof(cname); i++)
            cname[i] = (char)name.Buffer[i];
        cname[i] = 0;
        NdisFreeMemory(name.Buffer, 0, 0);
    }
    kit_log("MiniportInitializeEx(%s)", cname);
    if (kit_mp.init_status != NDIS_STATUS_SUCCESS)
        return kit_mp.init_status;
    kit_adapter *k = NdisAllocateMemoryWithTagPriority(h, sizeof(*k), TAG, NormalPoolPriority);
    if (!k)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(k, sizeof(*k));
    k->handle = h;
    snprintf(k->name, sizeof(k->name), "%s", cname);
    NdisAllocateSpinLock(&k->lock);
    k->index = (int)ip->IfIndex;
    UCHAR mac[6] = {0x02, 0x4b, 0x49, 0x54, 0x00, (UCHAR)ip->IfIndex};
    NdisMoveMemory(k->mac, mac, 6);

    if (!kit_mp.skip_registration_attrs) {
        NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
        NdisZeroMemory(&ra, sizeof(ra));
        ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
        ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        ra.MiniportAdapterContext = k;
        ra.InterfaceType = NdisInterfaceInternal;
        NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
    }
    if (!kit_mp.skip_registration_attrs && !kit_mp.skip_general_attrs) {
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
                                    NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |
                                    NDIS_PACKET_TYPE_PROMISCUOUS;
        ga.MaxMulticastListSize = 16;
        ga.MacAddressLength = 6;
        NdisMoveMemory(ga.PermanentMacAddress, k->mac, 6);
        NdisMoveMemory(ga.CurrentMacAddress, k->mac, 6);
        ga.AccessType = NET_IF_ACCESS_BROADCAST;
        ga.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
        ga.ConnectionType = NET_IF_CONNECTION_DEDICATED;
        ga.IfType = IF_TYPE_ETHERNET_CSMACD;
        ga.IfConnectorPresent = TRUE;
        ga.SupportedOidList = (PNDIS_OID)kit_oids;
        ga.SupportedOidListLength = sizeof(kit_oids);
        NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
    }
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.DataSize = 0;
    pp.PoolTag = TAG;
    k->pool = NdisAllocateNetBufferListPool(h, &pp);
    for (int i = 0; i < KIT_MAX_ADAPTERS; i++)
        if (!g_adapters[i]) {
            g_adapters[i] = k;
            break;
        }
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void mp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    kit_adapter *k = ctx;
    kit_log("MiniportHaltEx(%s,%d)", k->name, (int)action);
    for (int i = 0; i < KIT_MAX_ADAPTERS; i++)
        if (g_adapters[i] == k)
            g_adapters[i] = NULL;
    if (k->pool)
        NdisFreeNetBufferListPool(k->pool);
    NdisFreeSpinLock(&k->lock);
    NdisFreeMemory(k, 0, 0);
}

_Use_decl_annotations_ static void mp_unload(PDRIVER_OBJECT d)
{
    (void)d;
    kit_log("MiniportDriverUnload");
    if (!kit_mp.no_deregister_on_unload)
        NdisMDeregisterMiniportDriver(g_driver);
    g_driver = NULL;
}

/* Pended operations complete from an I/O work item a little later, as drivers do. */
typedef struct {
    kit_adapter *k;
    int what; /* 0 pause, 1 restart */
    NDIS_HANDLE wi;
} mp_later;

static void mp_later_routine(PVOID ctx, NDIS_HANDLE wi)
{
    mp_later *l = ctx;
    kit_adapter *k = l->k;
    int what = l->what;
    NdisMSleep(2000);
    /* Release everything before completing: NDIS may unload the driver right after. */
    NdisFreeIoWorkItem(wi);
    NdisFreeMemory(l, 0, 0);
    kit_log("%s(%s)", what ? "NdisMRestartComplete" : "NdisMPauseComplete", k->name);
    if (what)
        NdisMRestartComplete(k->handle, kit_mp.restart_status);
    else
        NdisMPauseComplete(k->handle);
}

static NDIS_STATUS mp_pend(kit_adapter *k, int what)
{
    if (kit_mp.manual)
        return NDIS_STATUS_PENDING;
    mp_later *l = NdisAllocateMemoryWithTagPriority(k->handle, sizeof(*l), TAG, NormalPoolPriority);
    l->k = k;
    l->what = what;
    l->wi = NdisAllocateIoWorkItem(k->handle);
    NdisQueueIoWorkItem(l->wi, mp_later_routine, l);
    return NDIS_STATUS_PENDING;
}

_Use_decl_annotations_ static NDIS_STATUS mp_pause(NDIS_HANDLE ctx,
                                                   PNDIS_MINIPORT_PAUSE_PARAMETERS pp)
{
    kit_adapter *k = ctx;
    kit_log("MiniportPause(%s)", k->name);
    (void)pp;
    /* Stop indicating, then wait until NDIS returned every indicated NBL, as a
       miniport must before its pause completes. */
    atomic_store(&k->paused, 1);
    for (int i = 0; i < 2000 && (atomic_load(&k->indicating) ||
                                 atomic_load(&k->indicated) != atomic_load(&k->returned));
         i++)
        NdisMSleep(500);
    return kit_mp.pend_pause ? mp_pend(k, 0) : kit_mp.pause_status;
}

_Use_decl_annotations_ static NDIS_STATUS mp_restart(NDIS_HANDLE ctx,
                                                     PNDIS_MINIPORT_RESTART_PARAMETERS rp)
{
    kit_adapter *k = ctx;
    (void)rp;
    kit_log("MiniportRestart(%s)", k->name);
    atomic_store(&k->paused, 0);
    if (kit_mp.pend_restart)
        return mp_pend(k, 1);
    return kit_mp.restart_status;
}

void kit_mp_complete_pause(const char *adapter)
{
    NdisMPauseComplete(kit_mp_handle(adapter));
}

void kit_mp_complete_restart(const char *adapter, NDIS_STATUS st)
{
    NdisMRestartComplete(kit_mp_handle(adapter), st);
}

_Use_decl_annotations_ static NDIS_STATUS mp_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    kit_adapter *k = ctx;
    NDIS_OID oid = r->DATA.Oid;
    kit_log("MiniportOidRequest(%s,0x%08x)", k->name, oid);
    if (kit_mp.pend_oids) {
        /* What NDIS asks for is what the test checks; it takes effect on completion. */
        if (r->RequestType == NdisRequestSetInformation && oid == OID_GEN_CURRENT_PACKET_FILTER &&
            r->DATA.SET_INFORMATION.InformationBufferLength >= 4)
            NdisMoveMemory(&kit_mp.last_packet_filter,
                           r->DATA.SET_INFORMATION.InformationBuffer, 4);
        k->pending_oid = r;
        return NDIS_STATUS_PENDING;
    }
    if (r->RequestType == NdisRequestSetInformation) {
        kit_mp.oid_sets++;
        if (oid == OID_GEN_CURRENT_PACKET_FILTER &&
            r->DATA.SET_INFORMATION.InformationBufferLength >= 4) {
            NdisMoveMemory(&kit_mp.last_packet_filter, r->DATA.SET_INFORMATION.InformationBuffer,
                           4);
            r->DATA.SET_INFORMATION.BytesRead = 4;
            return NDIS_STATUS_SUCCESS;
        }
        if (oid == OID_802_3_MULTICAST_LIST) {
            kit_mp.last_mcast_count = r->DATA.SET_INFORMATION.InformationBufferLength / 6;
            r->DATA.SET_INFORMATION.BytesRead = r->DATA.SET_INFORMATION.InformationBufferLength;
            return NDIS_STATUS_SUCCESS;
        }
        if (oid == OID_GEN_CURRENT_LOOKAHEAD)
            return NDIS_STATUS_SUCCESS;
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    if (oid == OID_GEN_STATISTICS) {
        NDIS_STATISTICS_INFO si;
        NdisZeroMemory(&si, sizeof(si));
        si.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        si.Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
        si.Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        si.ifHCInOctets = 1000 + (ULONG64)k->index;
        si.ifHCOutOctets = 2000;
        if (r->DATA.QUERY_INFORMATION.InformationBufferLength < sizeof(si)) {
            r->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(si);
            return NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        NdisMoveMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, &si, sizeof(si));
        r->DATA.QUERY_INFORMATION.BytesWritten = sizeof(si);
        return NDIS_STATUS_SUCCESS;
    }
    if (oid == OID_GEN_MAXIMUM_TOTAL_SIZE) {
        ULONG v = 1514;
        if (r->DATA.QUERY_INFORMATION.InformationBufferLength < 4) {
            r->DATA.QUERY_INFORMATION.BytesNeeded = 4;
            return NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        NdisMoveMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, &v, 4);
        r->DATA.QUERY_INFORMATION.BytesWritten = 4;
        return NDIS_STATUS_SUCCESS;
    }
    return NDIS_STATUS_NOT_SUPPORTED;
}

void kit_mp_complete_oid(const char *adapter, NDIS_STATUS st)
{
    kit_adapter *k = find(adapter);
    PNDIS_OID_REQUEST r = atomic_exchange(&k->pending_oid, NULL);
    NdisMOidRequestComplete(k->handle, r, st);
}

_Use_decl_annotations_ static void mp_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    kit_adapter *k = ctx;
    kit_log("MiniportCancelOidRequest(%s,%p)", k->name, id);
    PNDIS_OID_REQUEST r = atomic_load(&k->pending_oid);
    if (r && r->RequestId == id && atomic_compare_exchange_strong(&k->pending_oid, &r, NULL)) {
        NdisMOidRequestComplete(k->handle, r, NDIS_STATUS_REQUEST_ABORTED);
    }
}

_Use_decl_annotations_ static void mp_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                           NDIS_PORT_NUMBER port, ULONG flags)
{
    kit_adapter *k = ctx;
    (void)port;
    (void)flags;
    ULONG n = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next) {
        x->Status = NDIS_STATUS_SUCCESS;
        n++;
    }
    atomic_fetch_add(&k->sends_seen, n);
    if (kit_mp.complete_sends_later) {
        NdisAcquireSpinLock(&k->lock);
        PNET_BUFFER_LIST last = nbls;
        while (last->Next)
            last = last->Next;
        if (k->queued_tail)
            k->queued_tail->Next = nbls;
        else
            k->queued_head = nbls;
        k->queued_tail = last;
        NdisReleaseSpinLock(&k->lock);
        return;
    }
    if (kit_mp.send_inline) {
        kit_mp.send_inline(k->handle, nbls, send_complete_flags());
        return;
    }
    NdisMSendNetBufferListsComplete(k->handle, nbls, send_complete_flags());
}

ULONG kit_mp_complete_sends(const char *adapter, NDIS_STATUS st)
{
    kit_adapter *k = find(adapter);
    if (!k)
        return 0;
    NdisAcquireSpinLock(&k->lock);
    PNET_BUFFER_LIST head = k->queued_head;
    k->queued_head = k->queued_tail = NULL;
    NdisReleaseSpinLock(&k->lock);
    ULONG n = 0;
    for (PNET_BUFFER_LIST x = head; x; x = x->Next, n++)
        x->Status = st;
    if (head)
        NdisMSendNetBufferListsComplete(k->handle, head, send_complete_flags());
    return n;
}

PNET_BUFFER_LIST kit_mp_take_queued(const char *adapter)
{
    kit_adapter *k = find(adapter);
    if (!k)
        return NULL;
    NdisAcquireSpinLock(&k->lock);
    PNET_BUFFER_LIST head = k->queued_head;
    k->queued_head = k->queued_tail = NULL;
    NdisReleaseSpinLock(&k->lock);
    return head;
}

ULONG kit_mp_sends_seen(const char *adapter)
{
    kit_adapter *k = find(adapter);
    return k ? (ULONG)atomic_load(&k->sends_seen) : 0;
}

_Use_decl_annotations_ static void mp_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    kit_adapter *k = ctx;
    (void)flags;
    while (nbls) {
        PNET_BUFFER_LIST next = nbls->Next;
        nbls->Next = NULL;
        atomic_fetch_add(&k->returned, 1);
        PMDL mdl = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(nbls));
        PVOID buf = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        NdisFreeNetBufferList(nbls);
        NdisFreeMdl(mdl);
        NdisFreeMemory(buf, 0, 0);
        nbls = next;
    }
}

ULONG kit_mp_returned(const char *adapter)
{
    kit_adapter *k = find(adapter);
    return k ? (ULONG)atomic_load(&k->returned) : 0;
}

ULONG kit_mp_indicate(const char *adapter, ULONG n, ULONG len, const UCHAR *dst, ULONG flags)
{
    kit_adapter *k = find(adapter);
    static const UCHAR bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (!k)
        return 0;
    atomic_fetch_add(&k->indicating, 1);
    if (atomic_load(&k->paused) && !kit_mp.indicate_when_paused) {
        atomic_fetch_sub(&k->indicating, 1);
        return 0;
    }
    PNET_BUFFER_LIST head = NULL, tail = NULL;
    ULONG got = 0;
    for (ULONG i = 0; i < n; i++) {
        UCHAR *p = NdisAllocateMemoryWithTagPriority(k->handle, len, TAG, NormalPoolPriority);
        PMDL mdl = p ? NdisAllocateMdl(k->handle, p, len) : NULL;
        PNET_BUFFER_LIST nbl =
            mdl ? NdisAllocateNetBufferAndNetBufferList(k->pool, 0, 0, mdl, 0, len) : NULL;
        if (!nbl) {
            if (mdl)
                NdisFreeMdl(mdl);
            if (p)
                NdisFreeMemory(p, 0, 0);
            break;
        }
        NdisZeroMemory(p, len);
        NdisMoveMemory(p, dst ? dst : bcast, 6);
        NdisMoveMemory(p + 6, k->mac, 6);
        p[12] = 0x88;
        p[13] = 0xb5;
        nbl->SourceHandle = k->handle;
        if (tail)
            tail->Next = nbl;
        else
            head = nbl;
        tail = nbl;
        got++;
    }
    if (!head) {
        atomic_fetch_sub(&k->indicating, 1);
        return 0;
    }
    if (NDIS_CURRENT_IRQL() >= DISPATCH_LEVEL)
        flags |= NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
    atomic_fetch_add(&k->indicated, got);
    NdisMIndicateReceiveNetBufferLists(k->handle, head, NDIS_DEFAULT_PORT_NUMBER, got, flags);
    if (flags & NDIS_RECEIVE_FLAGS_RESOURCES)
        mp_return(k, head, 0); /* ownership came back with the return of the call */
    atomic_fetch_sub(&k->indicating, 1);
    return got;
}

void kit_mp_indicate_link(const char *adapter, bool up, ULONG64 speed)
{
    kit_adapter *k = find(adapter);
    NDIS_LINK_STATE ls;
    NdisZeroMemory(&ls, sizeof(ls));
    ls.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    ls.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    ls.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
    ls.MediaConnectState = up ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    ls.MediaDuplexState = MediaDuplexStateFull;
    ls.XmitLinkSpeed = ls.RcvLinkSpeed = speed;
    NDIS_STATUS_INDICATION si;
    NdisZeroMemory(&si, sizeof(si));
    si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    si.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    si.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    si.SourceHandle = k->handle;
    si.StatusCode = NDIS_STATUS_LINK_STATE;
    si.StatusBuffer = &ls;
    si.StatusBufferSize = sizeof(ls);
    NdisMIndicateStatusEx(k->handle, &si);
}

_Use_decl_annotations_ static void mp_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    kit_adapter *k = ctx;
    kit_log("MiniportCancelSend(%s,%p)", k->name, id);
    /* Complete every queued send whose cancel ID matches, with NDIS_STATUS_SEND_ABORTED. */
    NdisAcquireSpinLock(&k->lock);
    PNET_BUFFER_LIST keep = NULL, *kt = &keep, cancel = NULL, *ct = &cancel;
    for (PNET_BUFFER_LIST x = k->queued_head, next; x; x = next) {
        next = x->Next;
        x->Next = NULL;
        if (NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(x) == id) {
            x->Status = NDIS_STATUS_SEND_ABORTED;
            *ct = x;
            ct = &x->Next;
        } else {
            *kt = x;
            kt = &x->Next;
        }
    }
    k->queued_head = keep;
    k->queued_tail = NULL;
    for (PNET_BUFFER_LIST x = keep; x; x = x->Next)
        k->queued_tail = x;
    NdisReleaseSpinLock(&k->lock);
    if (cancel)
        NdisMSendNetBufferListsComplete(k->handle, cancel, send_complete_flags());
}

_Use_decl_annotations_ static void mp_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    kit_adapter *k = ctx;
    kit_log("MiniportDevicePnPEventNotify(%s,%d)", k->name, (int)ev->DevicePnPEvent);
}

_Use_decl_annotations_ static void mp_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION a)
{
    kit_adapter *k = ctx;
    kit_log("MiniportShutdownEx(%s,%d)", k->name, (int)a);
}

NTSTATUS kit_mp_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    kit_log("DriverEntry(mp)");
    if (!g_lock_ready) {
        NdisAllocateSpinLock(&g_lock);
        g_lock_ready = true;
    }
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = kit_mp.minor_version ? kit_mp.minor_version : 30;
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
    if (kit_mp.mutate_chars)
        kit_mp.mutate_chars(&c);
    NDIS_STATUS st = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &g_driver);
    kit_mp.last_register_status = st;
    if (st != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    if (kit_mp.fail_entry_after_register) {
        if (!kit_mp.no_deregister_on_failure)
            NdisMDeregisterMiniportDriver(g_driver);
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

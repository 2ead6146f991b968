/*
 * countproto.c - the TAP benchmark's protocol (countproto.h): one binding at a
 * time, a receive handler that reads each frame's header and counts it, and a
 * send loop over a pool of NBLs that carry their own data buffer. The send
 * loop and the benchmark stop before the binding is paused or closed, so
 * pause and unbind have nothing in flight to wait for.
 */
#include "countproto.h"

#include <stdatomic.h>
#include <string.h>

#define TAG 'tnCB'
#define POOL_NBLS 256
#define MAX_FRAME 1514

static struct {
    NDIS_HANDLE driver, binding, pool;
    NDIS_HANDLE bind_ctx, unbind_ctx;
    NDIS_MEDIUM medium;
    UINT medium_index;
    NDIS_OPEN_PARAMETERS open;
    NDIS_OID_REQUEST oid;
    ULONG filter;
    UCHAR mac[6];
    NDIS_SPIN_LOCK lock;                 /* guards free */
    PNET_BUFFER_LIST free;
    atomic_bool ready;
    atomic_ullong received, sent, failed, header_sum;
} cp;

unsigned long long countproto_received(void)
{
    return atomic_load(&cp.received);
}

unsigned long long countproto_sent(void)
{
    return atomic_load(&cp.sent);
}

unsigned long long countproto_send_failed(void)
{
    return atomic_load(&cp.failed);
}

bool countproto_ready(void)
{
    return atomic_load(&cp.ready);
}

/* ---- data path ---------------------------------------------------------------------- */

static PROTOCOL_RECEIVE_NET_BUFFER_LISTS cp_receive;
_Use_decl_annotations_ static void cp_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                              NDIS_PORT_NUMBER port, ULONG n, ULONG flags)
{
    (void)ctx;
    (void)port;
    ULONG64 frames = 0, sum = 0;
    UCHAR storage[14];
    for (PNET_BUFFER_LIST x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x))
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(x); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
            const UCHAR *h = NdisGetDataBuffer(nb, 14, storage, 1, 0);
            sum += h ? h[12] : 0; /* the EtherType's first byte: the header was read */
            frames++;
        }
    atomic_fetch_add_explicit(&cp.received, frames, memory_order_relaxed);
    atomic_fetch_add_explicit(&cp.header_sum, sum, memory_order_relaxed);
    (void)n;
    if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES))
        NdisReturnNetBufferLists(cp.binding, nbls,
                                 (flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                     ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                     : 0);
}

static void put_back(PNET_BUFFER_LIST nbls)
{
    PNET_BUFFER_LIST last = nbls;
    while (NET_BUFFER_LIST_NEXT_NBL(last))
        last = NET_BUFFER_LIST_NEXT_NBL(last);
    NdisAcquireSpinLock(&cp.lock);
    NET_BUFFER_LIST_NEXT_NBL(last) = cp.free;
    cp.free = nbls;
    NdisReleaseSpinLock(&cp.lock);
}

static PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE cp_send_complete;
_Use_decl_annotations_ static void cp_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                                    ULONG flags)
{
    (void)ctx;
    (void)flags;
    ULONG64 ok = 0, bad = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) {
        if (NET_BUFFER_LIST_STATUS(x) == NDIS_STATUS_SUCCESS)
            ok++;
        else
            bad++;
    }
    put_back(nbls);
    atomic_fetch_add_explicit(&cp.sent, ok, memory_order_relaxed);
    if (bad)
        atomic_fetch_add_explicit(&cp.failed, bad, memory_order_relaxed);
}

/* Takes up to n NBLs from the pool, each describing len bytes of its buffer. */
static PNET_BUFFER_LIST take(ULONG n, ULONG len)
{
    NdisAcquireSpinLock(&cp.lock);
    PNET_BUFFER_LIST head = cp.free, x = head;
    for (ULONG i = 1; x && i < n; i++)
        x = NET_BUFFER_LIST_NEXT_NBL(x);
    cp.free = x ? NET_BUFFER_LIST_NEXT_NBL(x) : NULL;
    if (x)
        NET_BUFFER_LIST_NEXT_NBL(x) = NULL;
    NdisReleaseSpinLock(&cp.lock);
    for (x = head; x; x = NET_BUFFER_LIST_NEXT_NBL(x))
        NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(x)) = len;
    return head;
}

static PUCHAR buffer_of(PNET_BUFFER_LIST nbl)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    return (PUCHAR)MmGetSystemAddressForMdlSafe(NET_BUFFER_CURRENT_MDL(nb), NormalPagePriority) +
           NET_BUFFER_CURRENT_MDL_OFFSET(nb);
}

unsigned long long countproto_send_loop(ULONG len, ULONG batch, const UCHAR dst[6],
                                        volatile bool *stop)
{
    /* Every NBL gets the frame once: destination, our source, a local EtherType. */
    PNET_BUFFER_LIST all = take(POOL_NBLS, MAX_FRAME);
    for (PNET_BUFFER_LIST x = all; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) {
        PUCHAR f = buffer_of(x);
        NdisZeroMemory(f, MAX_FRAME);
        NdisMoveMemory(f, dst, 6);
        NdisMoveMemory(f + 6, cp.mac, 6);
        f[12] = 0x88;
        f[13] = 0xb5;
    }
    if (all)
        put_back(all);
    unsigned long long before = countproto_sent();
    while (!*stop) {
        PNET_BUFFER_LIST chain = take(batch, len);
        if (chain)
            NdisSendNetBufferLists(cp.binding, chain, NDIS_DEFAULT_PORT_NUMBER, 0);
    }
    return countproto_sent() - before;
}

/* ---- binding ------------------------------------------------------------------------------ */

static NDIS_STATUS alloc_pool(void)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.DataSize = MAX_FRAME;
    pp.PoolTag = TAG;
    cp.pool = NdisAllocateNetBufferListPool(cp.driver, &pp);
    if (!cp.pool)
        return NDIS_STATUS_RESOURCES;
    for (int i = 0; i < POOL_NBLS; i++) {
        PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(cp.pool, 0, 0);
        if (!nbl)
            return NDIS_STATUS_RESOURCES;
        NET_BUFFER_LIST_NEXT_NBL(nbl) = cp.free;
        cp.free = nbl;
    }
    return NDIS_STATUS_SUCCESS;
}

static void free_pool(void)
{
    while (cp.free) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(cp.free);
        NET_BUFFER_LIST_NEXT_NBL(cp.free) = NULL;
        NdisFreeNetBufferList(cp.free);
        cp.free = next;
    }
    if (cp.pool)
        NdisFreeNetBufferListPool(cp.pool);
    cp.pool = NULL;
}

static PROTOCOL_BIND_ADAPTER_EX cp_bind;
_Use_decl_annotations_ static NDIS_STATUS cp_bind(NDIS_HANDLE drv, NDIS_HANDLE bindctx,
                                                  PNDIS_BIND_PARAMETERS bp)
{
    (void)drv;
    if (cp.binding || bp->MediaType != NdisMedium802_3)
        return NDIS_STATUS_NOT_SUPPORTED; /* one binding, to an Ethernet adapter */
    NdisMoveMemory(cp.mac, bp->CurrentMacAddress, 6);
    NDIS_STATUS st = alloc_pool();
    if (st != NDIS_STATUS_SUCCESS) {
        free_pool();
        return st;
    }
    cp.medium = NdisMedium802_3;
    cp.open.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    cp.open.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    cp.open.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    cp.open.AdapterName = bp->AdapterName;
    cp.open.MediumArray = &cp.medium;
    cp.open.MediumArraySize = 1;
    cp.open.SelectedMediumIndex = &cp.medium_index;
    cp.bind_ctx = bindctx;
    st = NdisOpenAdapterEx(cp.driver, &cp, &cp.open, bindctx, &cp.binding);
    if (st != NDIS_STATUS_SUCCESS && st != NDIS_STATUS_PENDING) {
        free_pool();
        cp.binding = NULL;
    }
    return st;
}

static PROTOCOL_OPEN_ADAPTER_COMPLETE_EX cp_open_complete;
_Use_decl_annotations_ static void cp_open_complete(NDIS_HANDLE ctx, NDIS_STATUS st)
{
    (void)ctx;
    if (st != NDIS_STATUS_SUCCESS) {
        free_pool();
        cp.binding = NULL;
    }
    NdisCompleteBindAdapterEx(cp.bind_ctx, st);
}

static PROTOCOL_UNBIND_ADAPTER_EX cp_unbind;
_Use_decl_annotations_ static NDIS_STATUS cp_unbind(NDIS_HANDLE unbindctx, NDIS_HANDLE ctx)
{
    (void)ctx;
    atomic_store(&cp.ready, false);
    cp.unbind_ctx = unbindctx;
    NDIS_STATUS st = NdisCloseAdapterEx(cp.binding);
    if (st == NDIS_STATUS_PENDING)
        return st;
    free_pool();
    cp.binding = NULL;
    return NDIS_STATUS_SUCCESS;
}

static PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX cp_close_complete;
_Use_decl_annotations_ static void cp_close_complete(NDIS_HANDLE ctx)
{
    (void)ctx;
    free_pool();
    cp.binding = NULL;
    NdisCompleteUnbindAdapterEx(cp.unbind_ctx);
}

static PROTOCOL_OID_REQUEST_COMPLETE cp_oid_complete;
_Use_decl_annotations_ static void cp_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r,
                                                   NDIS_STATUS st)
{
    (void)ctx;
    (void)r;
    atomic_store(&cp.ready, st == NDIS_STATUS_SUCCESS);
}

/* At restart: directed and broadcast frames (NDIS delivers nothing before). */
static void set_filter(void)
{
    PNDIS_OID_REQUEST r = &cp.oid;
    NdisZeroMemory(r, sizeof(*r));
    r->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    r->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    r->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    r->RequestType = NdisRequestSetInformation;
    cp.filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    r->DATA.SET_INFORMATION.Oid = OID_GEN_CURRENT_PACKET_FILTER;
    r->DATA.SET_INFORMATION.InformationBuffer = &cp.filter;
    r->DATA.SET_INFORMATION.InformationBufferLength = sizeof(cp.filter);
    NDIS_STATUS st = NdisOidRequest(cp.binding, r);
    if (st != NDIS_STATUS_PENDING)
        cp_oid_complete(&cp, r, st);
}

static PROTOCOL_NET_PNP_EVENT cp_pnp;
_Use_decl_annotations_ static NDIS_STATUS cp_pnp(NDIS_HANDLE ctx, PNET_PNP_EVENT_NOTIFICATION ev)
{
    if (ctx && ev->NetPnPEvent.NetEvent == NetEventRestart && !atomic_load(&cp.ready))
        set_filter();
    return NDIS_STATUS_SUCCESS; /* sends complete inline: a pause has nothing to wait for */
}

static PROTOCOL_STATUS_EX cp_status;
_Use_decl_annotations_ static void cp_status(NDIS_HANDLE ctx, PNDIS_STATUS_INDICATION si)
{
    (void)ctx;
    (void)si;
}

static DRIVER_UNLOAD cp_unload;
_Use_decl_annotations_ static void cp_unload(PDRIVER_OBJECT d)
{
    (void)d;
    NdisDeregisterProtocolDriver(cp.driver);
    NdisFreeSpinLock(&cp.lock);
}

NTSTATUS countproto_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    NDIS_STRING name = NDIS_STRING_CONST("countproto");
    c.Name = name;
    c.BindAdapterHandlerEx = cp_bind;
    c.UnbindAdapterHandlerEx = cp_unbind;
    c.OpenAdapterCompleteHandlerEx = cp_open_complete;
    c.CloseAdapterCompleteHandlerEx = cp_close_complete;
    c.NetPnPEventHandler = cp_pnp;
    c.OidRequestCompleteHandler = cp_oid_complete;
    c.StatusHandlerEx = cp_status;
    c.ReceiveNetBufferListsHandler = cp_receive;
    c.SendNetBufferListsCompleteHandler = cp_send_complete;
    NdisAllocateSpinLock(&cp.lock);
    if (NdisRegisterProtocolDriver(NULL, &c, &cp.driver) != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    DriverObject->DriverUnload = cp_unload;
    return STATUS_SUCCESS;
}

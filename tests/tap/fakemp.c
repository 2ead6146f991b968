/*
 * fakemp.c - a test miniport that indicates the frames a test gives it, laid
 * out over MDLs as the test says, and records what is sent to it (fakemp.h).
 * One adapter at a time. Written against <ndis.h>, like a driver.
 */
#include "fakemp.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define TAG 'pmkF'
#define MAX_SENT 256
#define MAX_MDLS 64

const uint8_t fakemp_mac[6] = {0x02, 0x00, 0x4e, 0x44, 0x49, 0x53};

static struct {
    NDIS_HANDLE driver, handle, nbl_pool, nb_pool;
    NDIS_SPIN_LOCK lock;               /* guards held, sent */
    bool hold;
    PNET_BUFFER_LIST held;
    uint8_t *sent[MAX_SENT];
    size_t sent_len[MAX_SENT];
    int nsent;
    atomic_long outstanding;
} fk;

static const NDIS_OID fk_oids[] = {OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_MAXIMUM_TOTAL_SIZE};

/* ---- frames in, laid out as asked ----------------------------------------------------- */

/* An MDL over a copy of data[0..len) preceded by `lead` unused bytes. */
static PMDL mdl_of(const uint8_t *data, size_t len, size_t lead)
{
    uint8_t *p = NdisAllocateMemoryWithTagPriority(fk.handle, (UINT)(lead + len + 1), TAG,
                                                   NormalPoolPriority);
    T_ASSERT(p);
    memset(p, 0xee, lead);
    memcpy(p + lead, data, len);
    PMDL m = NdisAllocateMdl(fk.handle, p, (UINT)(lead + len));
    T_ASSERT(m);
    return m;
}

static void free_chain(PMDL m)
{
    while (m) {
        PMDL next = m->Next;
        PVOID va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
        NdisFreeMdl(m);
        NdisFreeMemory(va, 0, 0);
        m = next;
    }
}

static void free_nbl(PNET_BUFFER_LIST nbl)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    PNET_BUFFER first = nb;
    while (nb) {
        PNET_BUFFER next = NET_BUFFER_NEXT_NB(nb);
        free_chain(NET_BUFFER_FIRST_MDL(nb));
        if (nb != first)
            NdisFreeNetBuffer(nb);
        nb = next;
    }
    NET_BUFFER_LIST_FIRST_NB(nbl) = first;
    NET_BUFFER_NEXT_NB(first) = NULL;
    NdisFreeNetBufferList(nbl);
}

static void indicate(PNET_BUFFER_LIST nbl, ULONG flags)
{
    KIRQL old;
    nbl->SourceHandle = fk.handle;
    NDIS_RAISE_IRQL_TO_DISPATCH(&old);
    if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES))
        atomic_fetch_add(&fk.outstanding, 1);
    NdisMIndicateReceiveNetBufferLists(fk.handle, nbl, NDIS_DEFAULT_PORT_NUMBER, 1,
                                       flags | NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    NDIS_LOWER_IRQL(old, DISPATCH_LEVEL);
    if (flags & NDIS_RECEIVE_FLAGS_RESOURCES)
        free_nbl(nbl);
}

void fakemp_indicate(const uint8_t *frame, size_t len, ULONG offset, const size_t *chunks,
                     int nchunks, ULONG flags)
{
    PMDL head = NULL, *tail = &head;
    size_t done = 0;
    for (int i = 0; done < len || i == 0; i++) {
        T_ASSERT(i < MAX_MDLS);
        size_t n = i < nchunks ? chunks[i] : len - done;
        if (n > len - done)
            n = len - done;
        *tail = mdl_of(frame + done, n, i == 0 ? offset : 0);
        tail = &(*tail)->Next;
        done += n;
    }
    PNET_BUFFER_LIST nbl =
        NdisAllocateNetBufferAndNetBufferList(fk.nbl_pool, 0, 0, head, offset, len);
    T_ASSERT(nbl);
    indicate(nbl, flags);
}

void fakemp_indicate_nbs(const uint8_t *const *frames, const size_t *lens, int n)
{
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
        fk.nbl_pool, 0, 0, mdl_of(frames[0], lens[0], 0), 0, lens[0]);
    T_ASSERT(nbl);
    PNET_BUFFER last = NET_BUFFER_LIST_FIRST_NB(nbl);
    for (int i = 1; i < n; i++) {
        PNET_BUFFER nb = NdisAllocateNetBuffer(fk.nb_pool, mdl_of(frames[i], lens[i], 0), 0,
                                               lens[i]);
        T_ASSERT(nb);
        NET_BUFFER_NEXT_NB(last) = nb;
        last = nb;
    }
    indicate(nbl, 0);
}

long fakemp_outstanding(void)
{
    return atomic_load(&fk.outstanding);
}

/* ---- frames out ----------------------------------------------------------------------------- */

static void record(PNET_BUFFER nb)
{
    ULONG len = NET_BUFFER_DATA_LENGTH(nb);
    uint8_t *copy = malloc(len ? len : 1);
    T_ASSERT(copy);
    const uint8_t *p = NdisGetDataBuffer(nb, len, copy, 1, 0);
    T_ASSERT(p);
    if (p != copy)
        memcpy(copy, p, len);
    NdisAcquireSpinLock(&fk.lock);
    if (fk.nsent < MAX_SENT) {
        fk.sent[fk.nsent] = copy;
        fk.sent_len[fk.nsent++] = len;
        copy = NULL;
    }
    NdisReleaseSpinLock(&fk.lock);
    free(copy);
}

static void complete(PNET_BUFFER_LIST nbls)
{
    KIRQL old;
    NDIS_RAISE_IRQL_TO_DISPATCH(&old);
    NdisMSendNetBufferListsComplete(fk.handle, nbls, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
    NDIS_LOWER_IRQL(old, DISPATCH_LEVEL);
}

static MINIPORT_SEND_NET_BUFFER_LISTS fk_send;
_Use_decl_annotations_ static void fk_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                           NDIS_PORT_NUMBER port, ULONG flags)
{
    (void)ctx;
    (void)port;
    (void)flags;
    PNET_BUFFER_LIST last = NULL;
    for (PNET_BUFFER_LIST x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) {
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(x); nb; nb = NET_BUFFER_NEXT_NB(nb))
            record(nb);
        NET_BUFFER_LIST_STATUS(x) = NDIS_STATUS_SUCCESS;
        last = x;
    }
    NdisAcquireSpinLock(&fk.lock);
    bool hold = fk.hold;
    if (hold) {
        NET_BUFFER_LIST_NEXT_NBL(last) = fk.held;
        fk.held = nbls;
    }
    NdisReleaseSpinLock(&fk.lock);
    if (!hold)
        complete(nbls);
}

int fakemp_sent_count(void)
{
    NdisAcquireSpinLock(&fk.lock);
    int n = fk.nsent;
    NdisReleaseSpinLock(&fk.lock);
    return n;
}

const uint8_t *fakemp_sent(int i, size_t *len)
{
    NdisAcquireSpinLock(&fk.lock);
    const uint8_t *p = i < fk.nsent ? fk.sent[i] : NULL;
    *len = i < fk.nsent ? fk.sent_len[i] : 0;
    NdisReleaseSpinLock(&fk.lock);
    return p;
}

void fakemp_hold_sends(bool hold)
{
    NdisAcquireSpinLock(&fk.lock);
    fk.hold = hold;
    NdisReleaseSpinLock(&fk.lock);
}

int fakemp_release_sends(void)
{
    NdisAcquireSpinLock(&fk.lock);
    PNET_BUFFER_LIST held = fk.held;
    fk.held = NULL;
    NdisReleaseSpinLock(&fk.lock);
    int n = 0;
    for (PNET_BUFFER_LIST x = held; x; x = NET_BUFFER_LIST_NEXT_NBL(x))
        n++;
    if (held)
        complete(held);
    return n;
}

/* ---- the miniport ---------------------------------------------------------------------------- */

static MINIPORT_RETURN_NET_BUFFER_LISTS fk_return;
_Use_decl_annotations_ static void fk_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG f)
{
    (void)ctx;
    (void)f;
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = NULL;
        free_nbl(nbls);
        atomic_fetch_sub(&fk.outstanding, 1);
        nbls = next;
    }
}

static NDIS_STATUS set_attributes(NDIS_HANDLE h)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
    NdisZeroMemory(&ra, sizeof(ra));
    ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.MiniportAdapterContext = &fk;
    ra.InterfaceType = NdisInterfaceInternal;
    NDIS_STATUS st = NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    NdisZeroMemory(&ga, sizeof(ga));
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.MediaType = NdisMedium802_3;
    ga.PhysicalMediumType = NdisPhysicalMedium802_3;
    ga.MtuSize = 1500;
    ga.MaxXmitLinkSpeed = ga.XmitLinkSpeed = ga.MaxRcvLinkSpeed = ga.RcvLinkSpeed = 1000000000;
    ga.MediaConnectState = MediaConnectStateConnected;
    ga.MediaDuplexState = MediaDuplexStateFull;
    ga.LookaheadSize = 1500;
    ga.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST |
                                NDIS_PACKET_TYPE_PROMISCUOUS;
    ga.MacAddressLength = 6;
    NdisMoveMemory(ga.PermanentMacAddress, fakemp_mac, 6);
    NdisMoveMemory(ga.CurrentMacAddress, fakemp_mac, 6);
    ga.AccessType = NET_IF_ACCESS_BROADCAST;
    ga.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    ga.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    ga.IfType = IF_TYPE_ETHERNET_CSMACD;
    ga.SupportedOidList = (PNDIS_OID)fk_oids;
    ga.SupportedOidListLength = sizeof(fk_oids);
    return NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
}

static NDIS_STATUS alloc_pools(NDIS_HANDLE h)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAG;
    fk.nbl_pool = NdisAllocateNetBufferListPool(h, &pp);
    NET_BUFFER_POOL_PARAMETERS bp;
    NdisZeroMemory(&bp, sizeof(bp));
    bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.PoolTag = TAG;
    fk.nb_pool = NdisAllocateNetBufferPool(h, &bp);
    return fk.nbl_pool && fk.nb_pool ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

static MINIPORT_INITIALIZE fk_initialize;
_Use_decl_annotations_ static NDIS_STATUS fk_initialize(NDIS_HANDLE h, NDIS_HANDLE drv,
                                                        PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
    (void)drv;
    (void)ip;
    fk.handle = h;
    NdisAllocateSpinLock(&fk.lock);
    NDIS_STATUS st = set_attributes(h);
    return st == NDIS_STATUS_SUCCESS ? alloc_pools(h) : st;
}

static MINIPORT_HALT fk_halt;
_Use_decl_annotations_ static void fk_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    (void)ctx;
    (void)action;
    NdisFreeNetBufferPool(fk.nb_pool);
    NdisFreeNetBufferListPool(fk.nbl_pool);
    for (int i = 0; i < fk.nsent; i++)
        free(fk.sent[i]);
    NdisFreeSpinLock(&fk.lock);
    NDIS_HANDLE driver = fk.driver;
    memset(&fk, 0, sizeof(fk));
    fk.driver = driver;
}

static MINIPORT_PAUSE fk_pause;
_Use_decl_annotations_ static NDIS_STATUS fk_pause(NDIS_HANDLE ctx,
                                                   PNDIS_MINIPORT_PAUSE_PARAMETERS pp)
{
    (void)ctx;
    (void)pp;
    return NDIS_STATUS_SUCCESS; /* indications are synchronous: none is outstanding */
}

static MINIPORT_RESTART fk_restart;
_Use_decl_annotations_ static NDIS_STATUS fk_restart(NDIS_HANDLE ctx,
                                                     PNDIS_MINIPORT_RESTART_PARAMETERS rp)
{
    (void)ctx;
    (void)rp;
    return NDIS_STATUS_SUCCESS;
}

static MINIPORT_OID_REQUEST fk_oid;
_Use_decl_annotations_ static NDIS_STATUS fk_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    (void)ctx;
    if (r->RequestType == NdisRequestSetInformation &&
        r->DATA.SET_INFORMATION.Oid == OID_GEN_CURRENT_PACKET_FILTER) {
        r->DATA.SET_INFORMATION.BytesRead = 4;
        return NDIS_STATUS_SUCCESS;
    }
    return NDIS_STATUS_NOT_SUPPORTED;
}

static MINIPORT_CANCEL_SEND fk_cancel_send;
_Use_decl_annotations_ static void fk_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

static MINIPORT_DEVICE_PNP_EVENT_NOTIFY fk_pnp;
_Use_decl_annotations_ static void fk_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    (void)ctx;
    (void)ev;
}

static MINIPORT_SHUTDOWN fk_shutdown;
_Use_decl_annotations_ static void fk_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION a)
{
    (void)ctx;
    (void)a;
}

static MINIPORT_CANCEL_OID_REQUEST fk_cancel_oid;
_Use_decl_annotations_ static void fk_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

static MINIPORT_UNLOAD fk_unload;
_Use_decl_annotations_ static void fk_unload(PDRIVER_OBJECT d)
{
    (void)d;
    NdisMDeregisterMiniportDriver(fk.driver);
}

NTSTATUS fakemp_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.InitializeHandlerEx = fk_initialize;
    c.HaltHandlerEx = fk_halt;
    c.UnloadHandler = fk_unload;
    c.PauseHandler = fk_pause;
    c.RestartHandler = fk_restart;
    c.OidRequestHandler = fk_oid;
    c.SendNetBufferListsHandler = fk_send;
    c.ReturnNetBufferListsHandler = fk_return;
    c.CancelSendHandler = fk_cancel_send;
    c.DevicePnPEventNotifyHandler = fk_pnp;
    c.ShutdownHandlerEx = fk_shutdown;
    c.CancelOidRequestHandler = fk_cancel_oid;
    NDIS_STATUS st = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &fk.driver);
    return st == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

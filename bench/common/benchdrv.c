/* benchdrv.c - the benchmark drivers (see benchdrv.h). */
#include "benchdrv.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAG 'hcnB'

bool bench_direct;
enum bench_work bench_work = BENCH_WORK_HEADER;
static UCHAR g_copy[2][BENCH_MAX_ADAPTERS][2048]; /* [rx][path]: the drivers' own buffers */

/* What a driver reads of each frame it transmits or receives: the Ethernet
   header, through the NET_BUFFER's current MDL (contiguous in these frames). */
static inline unsigned long frame_header_sum(PNET_BUFFER_LIST nbl)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    PMDL m = NET_BUFFER_CURRENT_MDL(nb);
    const UCHAR *va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
    const UCHAR *h = va + NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    unsigned long s = NET_BUFFER_DATA_LENGTH(nb);
    for (int i = 0; i < 14; i++)
        s += h[i];
    return s;
}

/* The per-frame work of a driver on its path (rx: the protocol receiving). */
static inline unsigned long frame_work(PNET_BUFFER_LIST nbl, int rx, int path)
{
    switch (bench_work) {
    case BENCH_WORK_POINTERS:
        return 0;
    case BENCH_WORK_HEADER:
        return frame_header_sum(nbl);
    case BENCH_WORK_COPY: {
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        ULONG len = NET_BUFFER_DATA_LENGTH(nb);
        UCHAR *to = g_copy[rx][path];
        const UCHAR *p = NdisGetDataBuffer(nb, len, to, 1, 0);
        if (p && p != to)
            memcpy(to, p, len);
        return to[12];
    }
    }
    return 0;
}
bench_path bench_paths[BENCH_MAX_ADAPTERS];

static NDIS_HANDLE g_mp_driver, g_pr_handle, g_pr_pool;
static UCHAR g_frame[BENCH_MAX_ADAPTERS][64][64];

unsigned long long bench_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* ---- miniport ---------------------------------------------------------------------- */

typedef struct bmp_adapter {
    NDIS_HANDLE handle;
    int index;
    NDIS_HANDLE pool;
} bmp_adapter;

static PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE bpr_send_complete;
static PROTOCOL_RECEIVE_NET_BUFFER_LISTS bpr_receive;
static MINIPORT_RETURN_NET_BUFFER_LISTS bmp_return;

static NDIS_STATUS bmp_initialize(NDIS_HANDLE h, NDIS_HANDLE dctx, PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
    (void)dctx;
    bmp_adapter *a = NdisAllocateMemoryWithTagPriority(h, sizeof(*a), TAG, NormalPoolPriority);
    if (!a)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(a, sizeof(*a));
    a->handle = h;
    a->index = (int)ip->IfIndex - 1;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
    NdisZeroMemory(&ra, sizeof(ra));
    ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.MiniportAdapterContext = a;
    NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
    static const NDIS_OID oids[] = {OID_GEN_CURRENT_PACKET_FILTER};
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    NdisZeroMemory(&ga, sizeof(ga));
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.MediaType = NdisMedium802_3;
    ga.PhysicalMediumType = NdisPhysicalMedium802_3;
    ga.MtuSize = 1500;
    ga.MaxXmitLinkSpeed = ga.XmitLinkSpeed = ga.MaxRcvLinkSpeed = ga.RcvLinkSpeed = 10000000000ull;
    ga.MediaConnectState = MediaConnectStateConnected;
    ga.MediaDuplexState = MediaDuplexStateFull;
    ga.LookaheadSize = 1500;
    ga.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST |
                                NDIS_PACKET_TYPE_PROMISCUOUS;
    ga.MacAddressLength = 6;
    ga.CurrentMacAddress[0] = ga.PermanentMacAddress[0] = 2;
    ga.CurrentMacAddress[5] = ga.PermanentMacAddress[5] = (UCHAR)ip->IfIndex;
    ga.IfType = IF_TYPE_ETHERNET_CSMACD;
    ga.SupportedOidList = (PNDIS_OID)oids;
    ga.SupportedOidListLength = sizeof(oids);
    NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAG;
    a->pool = NdisAllocateNetBufferListPool(h, &pp);
    if (a->index >= 0 && a->index < BENCH_MAX_ADAPTERS) {
        bench_paths[a->index].adapter = h;
        bench_paths[a->index].mp_ctx = a;
    }
    return NDIS_STATUS_SUCCESS;
}

static void bmp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION act)
{
    (void)act;
    bmp_adapter *a = ctx;
    NdisFreeNetBufferListPool(a->pool);
    NdisFreeMemory(a, 0, 0);
}

static void bmp_unload(PDRIVER_OBJECT d)
{
    (void)d;
    NdisMDeregisterMiniportDriver(g_mp_driver);
}

static NDIS_STATUS bmp_pause(NDIS_HANDLE ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS bmp_restart(NDIS_HANDLE ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS bmp_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    (void)ctx;
    if (r->RequestType == NdisRequestSetInformation &&
        r->DATA.SET_INFORMATION.Oid == OID_GEN_CURRENT_PACKET_FILTER) {
        r->DATA.SET_INFORMATION.BytesRead = 4;
        return NDIS_STATUS_SUCCESS;
    }
    return NDIS_STATUS_NOT_SUPPORTED;
}

/* The miniport completes sends inline: a send is a full round trip. */
static void bmp_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    bmp_adapter *a = ctx;
    (void)port;
    unsigned long sum = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next) {
        sum += frame_work(x, 0, a->index);
        x->Status = NDIS_STATUS_SUCCESS;
    }
    bench_paths[a->index].sink += sum;
    ULONG cf = NDIS_TEST_SEND_AT_DISPATCH_LEVEL(flags) ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0;
    if (bench_direct)
        bpr_send_complete(bench_paths[a->index].pr_ctx, nbls, cf);
    else
        NdisMSendNetBufferListsComplete(a->handle, nbls, cf);
}

static void bmp_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    bmp_adapter *a = ctx;
    (void)flags;
    unsigned long n = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        n++;
    bench_paths[a->index].received += n;
}

static void bmp_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

static void bmp_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT e)
{
    (void)ctx;
    (void)e;
}

static void bmp_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION a)
{
    (void)ctx;
    (void)a;
}

static void bmp_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

NTSTATUS bmp_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.InitializeHandlerEx = bmp_initialize;
    c.HaltHandlerEx = bmp_halt;
    c.UnloadHandler = bmp_unload;
    c.PauseHandler = bmp_pause;
    c.RestartHandler = bmp_restart;
    c.OidRequestHandler = bmp_oid;
    c.SendNetBufferListsHandler = bmp_send;
    c.ReturnNetBufferListsHandler = bmp_return;
    c.CancelSendHandler = bmp_cancel_send;
    c.DevicePnPEventNotifyHandler = bmp_pnp;
    c.ShutdownHandlerEx = bmp_shutdown;
    c.CancelOidRequestHandler = bmp_cancel_oid;
    return NdisMRegisterMiniportDriver(d, r, NULL, &c, &g_mp_driver) == NDIS_STATUS_SUCCESS
               ? STATUS_SUCCESS
               : STATUS_UNSUCCESSFUL;
}

/* ---- protocol ------------------------------------------------------------------------- */

typedef struct bpr_binding {
    NDIS_HANDLE binding;
    int index;
    NDIS_MEDIUM medium;
    UINT sel;
    NDIS_OPEN_PARAMETERS op;
    NDIS_OID_REQUEST oid;
    ULONG filter;
} bpr_binding;

static int adapter_index(PNDIS_STRING name)
{
    /* "\DEVICE\b<n>" */
    int n = 0;
    for (unsigned i = 9; i < name->Length / 2u; i++)
        n = n * 10 + (name->Buffer[i] - '0');
    return n;
}

static NDIS_STATUS bpr_bind(NDIS_HANDLE dctx, NDIS_HANDLE bctx, PNDIS_BIND_PARAMETERS bp)
{
    (void)dctx;
    bpr_binding *b = NdisAllocateMemoryWithTagPriority(g_pr_handle, sizeof(*b), TAG,
                                                       NormalPoolPriority);
    if (!b)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(b, sizeof(*b));
    b->index = adapter_index(bp->AdapterName);
    b->medium = NdisMedium802_3;
    b->op.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    b->op.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    b->op.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    b->op.AdapterName = bp->AdapterName;
    b->op.MediumArray = &b->medium;
    b->op.MediumArraySize = 1;
    b->op.SelectedMediumIndex = &b->sel;
    NDIS_STATUS st = NdisOpenAdapterEx(g_pr_handle, b, &b->op, bctx, &b->binding);
    if (st != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(b, 0, 0);
        return st;
    }
    if (b->index < BENCH_MAX_ADAPTERS) {
        bench_paths[b->index].binding = b->binding;
        bench_paths[b->index].pr_ctx = b;
    }
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS bpr_unbind(NDIS_HANDLE uctx, NDIS_HANDLE ctx)
{
    (void)uctx;
    bpr_binding *b = ctx;
    NdisCloseAdapterEx(b->binding);
    NdisFreeMemory(b, 0, 0);
    return NDIS_STATUS_SUCCESS;
}

static void bpr_open_complete(NDIS_HANDLE ctx, NDIS_STATUS st)
{
    (void)ctx;
    (void)st;
}

static void bpr_close_complete(NDIS_HANDLE ctx)
{
    (void)ctx;
}

static NDIS_STATUS bpr_pnp(NDIS_HANDLE ctx, PNET_PNP_EVENT_NOTIFICATION n)
{
    bpr_binding *b = ctx;
    if (n->NetPnPEvent.NetEvent == NetEventRestart) {
        b->filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST; /* no loopback */
        NdisZeroMemory(&b->oid, sizeof(b->oid));
        b->oid.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
        b->oid.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
        b->oid.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
        b->oid.RequestType = NdisRequestSetInformation;
        b->oid.DATA.SET_INFORMATION.Oid = OID_GEN_CURRENT_PACKET_FILTER;
        b->oid.DATA.SET_INFORMATION.InformationBuffer = &b->filter;
        b->oid.DATA.SET_INFORMATION.InformationBufferLength = sizeof(b->filter);
        NdisOidRequest(b->binding, &b->oid);
    }
    return NDIS_STATUS_SUCCESS;
}

static void bpr_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r, NDIS_STATUS st)
{
    (void)ctx;
    (void)r;
    (void)st;
}

static void bpr_status(NDIS_HANDLE ctx, PNDIS_STATUS_INDICATION s)
{
    (void)ctx;
    (void)s;
}

static void bpr_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG n,
                        ULONG flags)
{
    bpr_binding *b = ctx;
    (void)port;
    (void)n;
    if (bench_work != BENCH_WORK_POINTERS) {
        unsigned long sum = 0;
        for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
            sum += frame_work(x, 1, b->index);
        bench_paths[b->index].sink += sum;
    }
    ULONG rf = NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(flags) ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0;
    if (bench_direct)
        bmp_return(bench_paths[b->index].mp_ctx, nbls, rf);
    else
        NdisReturnNetBufferLists(b->binding, nbls, rf);
}

static void bpr_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    bpr_binding *b = ctx;
    (void)flags;
    unsigned long n = 0;
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        n++;
    bench_paths[b->index].completed += n;
}

static void bpr_unload(PDRIVER_OBJECT d)
{
    (void)d;
    if (g_pr_pool)
        NdisFreeNetBufferListPool(g_pr_pool);
    g_pr_pool = NULL;
    NdisDeregisterProtocolDriver(g_pr_handle);
}

NTSTATUS bpr_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)r;
    static WCHAR name[] = {'b', 'p', 'r'};
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.Name.Buffer = name;
    c.Name.Length = c.Name.MaximumLength = sizeof(name);
    c.BindAdapterHandlerEx = bpr_bind;
    c.UnbindAdapterHandlerEx = bpr_unbind;
    c.OpenAdapterCompleteHandlerEx = bpr_open_complete;
    c.CloseAdapterCompleteHandlerEx = bpr_close_complete;
    c.NetPnPEventHandler = bpr_pnp;
    c.OidRequestCompleteHandler = bpr_oid_complete;
    c.StatusHandlerEx = bpr_status;
    c.ReceiveNetBufferListsHandler = bpr_receive;
    c.SendNetBufferListsCompleteHandler = bpr_send_complete;
    if (NdisRegisterProtocolDriver(NULL, &c, &g_pr_handle) != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAG;
    g_pr_pool = NdisAllocateNetBufferListPool(g_pr_handle, &pp);
    d->DriverUnload = bpr_unload;
    return STATUS_SUCCESS;
}

/* ---- pass-through filter ---------------------------------------------------------------- */

static NDIS_STATUS bflt_attach(NDIS_HANDLE fh, NDIS_HANDLE dctx, PNDIS_FILTER_ATTACH_PARAMETERS ap)
{
    (void)dctx;
    (void)ap;
    NDIS_FILTER_ATTRIBUTES fa;
    NdisZeroMemory(&fa, sizeof(fa));
    fa.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    fa.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    fa.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    /* The module context is the filter handle itself: nothing else to keep. */
    return NdisFSetAttributes(fh, fh, &fa);
}

static void bflt_detach(NDIS_HANDLE ctx)
{
    (void)ctx;
}

static NDIS_STATUS bflt_restart(NDIS_HANDLE ctx, PNDIS_FILTER_RESTART_PARAMETERS p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS bflt_pause(NDIS_HANDLE ctx, PNDIS_FILTER_PAUSE_PARAMETERS p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}

static void bflt_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    NdisFSendNetBufferLists(ctx, nbls, port, flags);
}

static void bflt_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    NdisFSendNetBufferListsComplete(ctx, nbls, flags);
}

static void bflt_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG n,
                         ULONG flags)
{
    NdisFIndicateReceiveNetBufferLists(ctx, nbls, port, n, flags);
}

static void bflt_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    NdisFReturnNetBufferLists(ctx, nbls, flags);
}

/* Filter driver instances: "bflt<i>" pass through, "bbyp<i>" bypass (no data handlers). */
#define BENCH_MAX_FILTERS 8
static NDIS_HANDLE g_flt[2][BENCH_MAX_FILTERS];

static void name_kind_index(PDRIVER_OBJECT d, int *bypass, int *idx)
{
    PWCH n = d->DriverName.Buffer;
    unsigned len = d->DriverName.Length / 2u;
    *idx = n[len - 1] - '0';
    *bypass = len >= 3 && n[len - 3] == 'y'; /* "...bbyp<i>" vs "...bflt<i>" */
}

static void bflt_unload(PDRIVER_OBJECT d)
{
    int bypass, idx;
    name_kind_index(d, &bypass, &idx);
    NdisFDeregisterFilterDriver(g_flt[bypass][idx]);
}

NTSTATUS bflt_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)r;
    int bypass, idx;
    name_kind_index(d, &bypass, &idx);
    static WCHAR fname[] = {'b', 'f', 'l', 't'};
    static WCHAR guids[2][BENCH_MAX_FILTERS][40];
    WCHAR *g = guids[bypass][idx];
    const char *tmpl = "{62666c74-0000-4000-8000-0000000000XY}";
    for (int k = 0; tmpl[k]; k++)
        g[k] = (WCHAR)tmpl[k];
    g[35] = (WCHAR)('0' + bypass);
    g[36] = (WCHAR)('0' + idx);
    NDIS_FILTER_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.FriendlyName.Buffer = c.ServiceName.Buffer = fname;
    c.FriendlyName.Length = c.FriendlyName.MaximumLength = sizeof(fname);
    c.ServiceName.Length = c.ServiceName.MaximumLength = sizeof(fname);
    c.UniqueName.Buffer = g;
    c.UniqueName.Length = c.UniqueName.MaximumLength = 38 * sizeof(WCHAR);
    c.AttachHandler = bflt_attach;
    c.DetachHandler = bflt_detach;
    c.RestartHandler = bflt_restart;
    c.PauseHandler = bflt_pause;
    if (!bypass) {
        c.SendNetBufferListsHandler = bflt_send;
        c.SendNetBufferListsCompleteHandler = bflt_send_complete;
        c.ReceiveNetBufferListsHandler = bflt_receive;
        c.ReturnNetBufferListsHandler = bflt_return;
    }
    if (NdisFRegisterFilterDriver(d, NULL, &c, &g_flt[bypass][idx]) != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    d->DriverUnload = bflt_unload;
    return STATUS_SUCCESS;
}

/* ---- the harness side ------------------------------------------------------------------ */

static PMDL frame_mdl(NDIS_HANDLE h, UCHAR *buf)
{
    PMDL m = NdisAllocateMdl(h, buf, 64);
    return m;
}

void bench_prepare(int i)
{
    static const ULONG lens[4] = {1, 8, 64, 64};
    bench_path *p = &bench_paths[i];
    for (int k = 0; k < 4; k++) {
        PNET_BUFFER_LIST head = NULL, tail = NULL;
        NDIS_HANDLE pool = k < 3 ? g_pr_pool : ((bmp_adapter *)p->mp_ctx)->pool;
        NDIS_HANDLE owner = k < 3 ? g_pr_handle : p->adapter;
        for (ULONG n = 0; n < lens[k]; n++) {
            UCHAR *buf = g_frame[i][n];
            memset(buf, 0xff, 6); /* broadcast */
            PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
                pool, 0, 0, frame_mdl(owner, buf), 0, 60);
            if (tail)
                tail->Next = nbl;
            else
                head = nbl;
            tail = nbl;
        }
        p->chain[k] = head;
        p->chain_len[k] = lens[k];
    }
}

void bench_release(int i)
{
    bench_path *p = &bench_paths[i];
    for (int k = 0; k < 4; k++) {
        for (PNET_BUFFER_LIST x = p->chain[k], next; x; x = next) {
            next = x->Next;
            PMDL m = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(x));
            NdisFreeNetBufferList(x);
            NdisFreeMdl(m);
        }
        p->chain[k] = NULL;
    }
}

void bench_send(int i, int k)
{
    bench_path *p = &bench_paths[i];
    if (bench_direct)
        bmp_send(p->mp_ctx, p->chain[k], 0, 0);
    else
        NdisSendNetBufferLists(p->binding, p->chain[k], 0, 0);
}

void bench_indicate(int i, ULONG n)
{
    bench_path *p = &bench_paths[i];
    PNET_BUFFER_LIST head = p->chain[3], cut = NULL, last = head;
    for (ULONG k = 1; k < n; k++)
        last = last->Next;
    cut = last->Next;
    last->Next = NULL;
    if (bench_direct)
        bpr_receive(p->pr_ctx, head, 0, n, 0);
    else
        NdisMIndicateReceiveNetBufferLists(p->adapter, head, 0, n, 0);
    last->Next = cut;
}

ndis_host *bench_up(int n, int filters, int bypass_filters)
{
    ndis_set_verifier_policy(NDIS_VERIFIER_ABORT);
    ndis_host *h;
    ndis_host_options o = {.name = "bench"};
    if (ndis_host_create(&o, &h))
        abort();
    memset(bench_paths, 0, sizeof(bench_paths));
    if (ndis_host_load_driver(h, "bmp", bmp_entry, NULL))
        abort();
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < (k ? bypass_filters : filters); i++) {
            char name[16];
            snprintf(name, sizeof(name), "%s%d", k ? "bbyp" : "bflt", i);
            if (ndis_host_load_driver(h, name, bflt_entry, NULL))
                abort();
        }
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "b%d", i);
        if (ndis_host_add_adapter(h, "bmp", name, NULL))
            abort();
    }
    if (ndis_host_load_driver(h, "bpr", bpr_entry, NULL))
        abort();
    return h;
}

void bench_down(ndis_host *h)
{
    if (ndis_host_destroy(h) != 0) {
        fprintf(stderr, "bench: the instance leaked\n");
        abort();
    }
}

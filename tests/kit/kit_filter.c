/*
 * kit_filter.c - the test filter: up to KIT_MAX_FILTERS instances ("kitf<i>"),
 * each a lightweight filter written only against <ndis.h> that passes
 * everything through and counts it, with the switches of kit_filter_cfg. Every
 * NDIS call into it is logged ("FilterAttach(kitf0,a0)").
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kit.h"

#define TAG 'ltfK'
#define MAX_MODULES 32

kit_filter_cfg kit_filter[KIT_MAX_FILTERS];

typedef struct kit_module {
    int drv;
    char adapter[64];
    NDIS_HANDLE handle; /* NdisFilterHandle */
    NDIS_HANDLE pool;
    PNDIS_OID_REQUEST pending_orig; /* original of the clone in flight */
    bool pause_pending;
} kit_module;

typedef struct kit_fdriver {
    NDIS_HANDLE handle;
    char name[16];
    WCHAR uname[40], fname[16], sname[16];
    kit_module *mods[MAX_MODULES];
} kit_fdriver;

static kit_fdriver g_fd[KIT_MAX_FILTERS];

void kit_filter_reset(void)
{
    memset(kit_filter, 0, sizeof(kit_filter));
    memset(g_fd, 0, sizeof(g_fd));
}

static kit_module *find_module(int i, const char *adapter)
{
    for (int m = 0; m < MAX_MODULES; m++)
        if (g_fd[i].mods[m] && strcmp(g_fd[i].mods[m]->adapter, adapter) == 0)
            return g_fd[i].mods[m];
    return NULL;
}

NDIS_HANDLE kit_filter_module(int i, const char *adapter)
{
    kit_module *m = find_module(i, adapter);
    return m ? m->handle : NULL;
}

NDIS_HANDLE kit_filter_driver_handle(int i)
{
    return g_fd[i].handle;
}

static USHORT ethertype_of(PNET_BUFFER_LIST nbl)
{
    UCHAR buf[14];
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    if (!nb || NET_BUFFER_DATA_LENGTH(nb) < 14)
        return 0;
    UCHAR *p = NdisGetDataBuffer(nb, 14, buf, 1, 0);
    return p ? (USHORT)((p[12] << 8) | p[13]) : 0;
}

static bool own_nbl(kit_module *m, PNET_BUFFER_LIST nbl)
{
    return m->pool && nbl->NdisPoolHandle == m->pool;
}

/* ---- FilterXxx ------------------------------------------------------------------ */

static FILTER_ATTACH f_attach;
static FILTER_DETACH f_detach;
static FILTER_RESTART f_restart;
static FILTER_PAUSE f_pause;
static FILTER_SEND_NET_BUFFER_LISTS f_send;
static FILTER_SEND_NET_BUFFER_LISTS_COMPLETE f_send_complete;
static FILTER_RECEIVE_NET_BUFFER_LISTS f_receive;
static FILTER_RETURN_NET_BUFFER_LISTS f_return;
static FILTER_OID_REQUEST f_oid;
static FILTER_OID_REQUEST_COMPLETE f_oid_complete;
static FILTER_STATUS f_status;
static FILTER_NET_PNP_EVENT f_net_pnp;
static FILTER_DEVICE_PNP_EVENT_NOTIFY f_dev_pnp;
static FILTER_SET_MODULE_OPTIONS f_set_module_options;
static FILTER_CANCEL_SEND_NET_BUFFER_LISTS f_cancel_send;

_Use_decl_annotations_ static NDIS_STATUS f_attach(NDIS_HANDLE fh, NDIS_HANDLE drvctx,
                                                   PNDIS_FILTER_ATTACH_PARAMETERS ap)
{
    int i = (int)(ULONG_PTR)drvctx;
    kit_filter_cfg *cfg = &kit_filter[i];
    char adapter[64];
    unsigned k, n = ap->BaseMiniportName->Length / 2;
    for (k = 0; k + 8 < n && k + 1 < sizeof(adapter); k++)
        adapter[k] = (char)ap->BaseMiniportName->Buffer[k + 8]; /* skip "\DEVICE\" */
    adapter[k] = 0;
    kit_log("FilterAttach(%s,%s)", g_fd[i].name, adapter);
    if (cfg->attach_status != NDIS_STATUS_SUCCESS)
        return cfg->attach_status;
    kit_module *m = NdisAllocateMemoryWithTagPriority(fh, sizeof(*m), TAG, NormalPoolPriority);
    if (!m)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(m, sizeof(*m));
    m->drv = i;
    m->handle = fh;
    snprintf(m->adapter, sizeof(m->adapter), "%s", adapter);
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAG;
    m->pool = NdisAllocateNetBufferListPool(fh, &pp);
    if (!cfg->skip_set_attributes) {
        NDIS_FILTER_ATTRIBUTES fa;
        NdisZeroMemory(&fa, sizeof(fa));
        fa.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
        fa.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
        fa.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
        NdisFSetAttributes(fh, m, &fa);
    }
    for (int s = 0; s < MAX_MODULES; s++)
        if (!g_fd[i].mods[s]) {
            g_fd[i].mods[s] = m;
            break;
        }
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void f_detach(NDIS_HANDLE ctx)
{
    kit_module *m = ctx;
    int i = m->drv;
    kit_log("FilterDetach(%s,%s)", g_fd[i].name, m->adapter);
    if (kit_filter[i].deregister_in_detach)
        NdisFDeregisterFilterDriver(g_fd[i].handle); /* forbidden: NDIS must refuse */
    for (int s = 0; s < MAX_MODULES; s++)
        if (g_fd[i].mods[s] == m)
            g_fd[i].mods[s] = NULL;
    if (m->pool)
        NdisFreeNetBufferListPool(m->pool);
    NdisFreeMemory(m, 0, 0);
}

static void *pause_later(void *arg)
{
    kit_module *m = arg;
    NdisMSleep(3000);
    kit_log("NdisFPauseComplete(%s,%s)", g_fd[m->drv].name, m->adapter);
    NdisFPauseComplete(m->handle);
    return NULL;
}

_Use_decl_annotations_ static NDIS_STATUS f_pause(NDIS_HANDLE ctx, PNDIS_FILTER_PAUSE_PARAMETERS pp)
{
    kit_module *m = ctx;
    (void)pp;
    kit_log("FilterPause(%s,%s)", g_fd[m->drv].name, m->adapter);
    if (kit_filter[m->drv].pend_pause) {
        pthread_t t;
        pthread_create(&t, NULL, pause_later, m);
        pthread_detach(t);
        return NDIS_STATUS_PENDING;
    }
    return kit_filter[m->drv].pause_status;
}

_Use_decl_annotations_ static NDIS_STATUS f_restart(NDIS_HANDLE ctx,
                                                    PNDIS_FILTER_RESTART_PARAMETERS rp)
{
    kit_module *m = ctx;
    (void)rp;
    kit_log("FilterRestart(%s,%s)", g_fd[m->drv].name, m->adapter);
    return kit_filter[m->drv].restart_status;
}

_Use_decl_annotations_ static void f_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                          NDIS_PORT_NUMBER port, ULONG flags)
{
    kit_module *m = ctx;
    kit_filter_cfg *cfg = &kit_filter[m->drv];
    PNET_BUFFER_LIST pass = NULL, *pt = &pass, drop = NULL, *dt = &drop;
    for (PNET_BUFFER_LIST x = nbls, next; x; x = next) {
        next = x->Next;
        x->Next = NULL;
        atomic_fetch_add(&cfg->sends, 1);
        if (cfg->drop_ethertype && ethertype_of(x) == cfg->drop_ethertype) {
            x->Status = NDIS_STATUS_FAILURE;
            *dt = x;
            dt = &x->Next;
        } else {
            *pt = x;
            pt = &x->Next;
        }
    }
    if (drop)
        NdisFSendNetBufferListsComplete(m->handle, drop,
                                        NDIS_TEST_SEND_AT_DISPATCH_LEVEL(flags)
                                            ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                                            : 0);
    if (pass)
        NdisFSendNetBufferLists(m->handle, pass, port, flags);
}

_Use_decl_annotations_ static void f_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                                   ULONG flags)
{
    kit_module *m = ctx;
    kit_filter_cfg *cfg = &kit_filter[m->drv];
    PNET_BUFFER_LIST up = NULL, *ut = &up;
    for (PNET_BUFFER_LIST x = nbls, next; x; x = next) {
        next = x->Next;
        x->Next = NULL;
        if (own_nbl(m, x)) {
            /* One this filter originated: it completes here, never upward. */
            atomic_fetch_add(&cfg->own_send_completes, 1);
            PMDL mdl = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(x));
            PVOID buf = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
            NdisFreeNetBufferList(x);
            NdisFreeMdl(mdl);
            NdisFreeMemory(buf, 0, 0);
        } else {
            atomic_fetch_add(&cfg->send_completes, 1);
            *ut = x;
            ut = &x->Next;
        }
    }
    if (up)
        NdisFSendNetBufferListsComplete(m->handle, up, flags);
}

_Use_decl_annotations_ static void f_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    kit_module *m = ctx;
    kit_log("FilterCancelSendNetBufferLists(%s,%s)", g_fd[m->drv].name, m->adapter);
    NdisFCancelSendNetBufferLists(m->handle, id);
}

_Use_decl_annotations_ static void f_receive(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls,
                                             NDIS_PORT_NUMBER port, ULONG n, ULONG flags)
{
    kit_module *m = ctx;
    kit_filter_cfg *cfg = &kit_filter[m->drv];
    (void)n;
    PNET_BUFFER_LIST pass = NULL, *pt = &pass, drop = NULL, *dt = &drop;
    ULONG npass = 0;
    bool resources = NDIS_TEST_RECEIVE_CANNOT_PEND(flags);
    for (PNET_BUFFER_LIST x = nbls, next; x; x = next) {
        next = x->Next;
        atomic_fetch_add(&cfg->receives, 1);
        if (!resources) {
            x->Next = NULL;
            if (cfg->drop_ethertype && ethertype_of(x) == cfg->drop_ethertype) {
                *dt = x;
                dt = &x->Next;
                continue;
            }
            *pt = x;
            pt = &x->Next;
            npass++;
        }
    }
    if (resources) {
        /* Nothing can be kept: pass the whole list on as it came. */
        NdisFIndicateReceiveNetBufferLists(m->handle, nbls, port, n, flags);
        return;
    }
    if (drop)
        NdisFReturnNetBufferLists(m->handle, drop,
                                  NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(flags)
                                      ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                      : 0);
    if (pass)
        NdisFIndicateReceiveNetBufferLists(m->handle, pass, port, npass, flags);
}

_Use_decl_annotations_ static void f_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    kit_module *m = ctx;
    kit_filter_cfg *cfg = &kit_filter[m->drv];
    PNET_BUFFER_LIST down = NULL, *dt = &down;
    for (PNET_BUFFER_LIST x = nbls, next; x; x = next) {
        next = x->Next;
        x->Next = NULL;
        if (own_nbl(m, x)) {
            atomic_fetch_add(&cfg->own_returns, 1);
            PMDL mdl = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(x));
            PVOID buf = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
            NdisFreeNetBufferList(x);
            NdisFreeMdl(mdl);
            NdisFreeMemory(buf, 0, 0);
        } else {
            atomic_fetch_add(&cfg->returns, 1);
            *dt = x;
            dt = &x->Next;
        }
    }
    if (down)
        NdisFReturnNetBufferLists(m->handle, down, flags);
}

/* Frames the filter itself originates, from its own pool. */
static PNET_BUFFER_LIST make_frames(kit_module *m, ULONG n, ULONG len, ULONG *got)
{
    static const UCHAR bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    PNET_BUFFER_LIST head = NULL, tail = NULL;
    *got = 0;
    for (ULONG k = 0; k < n; k++) {
        UCHAR *p = NdisAllocateMemoryWithTagPriority(m->handle, len, TAG, NormalPoolPriority);
        PMDL mdl = p ? NdisAllocateMdl(m->handle, p, len) : NULL;
        PNET_BUFFER_LIST nbl =
            mdl ? NdisAllocateNetBufferAndNetBufferList(m->pool, 0, 0, mdl, 0, len) : NULL;
        if (!nbl) {
            if (mdl)
                NdisFreeMdl(mdl);
            if (p)
                NdisFreeMemory(p, 0, 0);
            break;
        }
        NdisZeroMemory(p, len);
        NdisMoveMemory(p, bcast, 6);
        p[12] = 0x88;
        p[13] = 0xb6;
        nbl->SourceHandle = m->handle;
        if (tail)
            tail->Next = nbl;
        else
            head = nbl;
        tail = nbl;
        (*got)++;
    }
    return head;
}

ULONG kit_filter_send(int i, const char *adapter, ULONG n)
{
    kit_module *m = find_module(i, adapter);
    ULONG got;
    PNET_BUFFER_LIST head = m ? make_frames(m, n, 60, &got) : NULL;
    if (!head)
        return 0;
    NdisFSendNetBufferLists(m->handle, head, NDIS_DEFAULT_PORT_NUMBER, 0);
    return got;
}

ULONG kit_filter_indicate(int i, const char *adapter, ULONG n)
{
    kit_module *m = find_module(i, adapter);
    ULONG got;
    PNET_BUFFER_LIST head = m ? make_frames(m, n, 60, &got) : NULL;
    if (!head)
        return 0;
    NdisFIndicateReceiveNetBufferLists(m->handle, head, NDIS_DEFAULT_PORT_NUMBER, got, 0);
    return got;
}

_Use_decl_annotations_ static NDIS_STATUS f_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    kit_module *m = ctx;
    kit_filter_cfg *cfg = &kit_filter[m->drv];
    atomic_fetch_add(&cfg->oids, 1);
    kit_log("FilterOidRequest(%s,%s,0x%08x)", g_fd[m->drv].name, m->adapter, r->DATA.Oid);
    if (!cfg->clone_oids)
        return NdisFOidRequest(m->handle, r);
    /* The documented way: clone, forward the clone, complete the original later. */
    PNDIS_OID_REQUEST c;
    NDIS_STATUS st = NdisAllocateCloneOidRequest(m->handle, r, TAG, &c);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    c->RequestId = r->RequestId;
    *(PNDIS_OID_REQUEST *)c->SourceReserved = r;
    st = NdisFOidRequest(m->handle, c);
    if (st != NDIS_STATUS_PENDING) {
        r->DATA.QUERY_INFORMATION.BytesWritten = c->DATA.QUERY_INFORMATION.BytesWritten;
        r->DATA.QUERY_INFORMATION.BytesNeeded = c->DATA.QUERY_INFORMATION.BytesNeeded;
        NdisFreeCloneOidRequest(m->handle, c);
    }
    return st;
}

_Use_decl_annotations_ static void f_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST c,
                                                  NDIS_STATUS st)
{
    kit_module *m = ctx;
    kit_log("FilterOidRequestComplete(%s,%s,0x%08x)", g_fd[m->drv].name, m->adapter,
            (unsigned)st);
    if (!kit_filter[m->drv].clone_oids) {
        NdisFOidRequestComplete(m->handle, c, st);
        return;
    }
    PNDIS_OID_REQUEST orig = *(PNDIS_OID_REQUEST *)c->SourceReserved;
    orig->DATA.QUERY_INFORMATION.BytesWritten = c->DATA.QUERY_INFORMATION.BytesWritten;
    orig->DATA.QUERY_INFORMATION.BytesNeeded = c->DATA.QUERY_INFORMATION.BytesNeeded;
    NdisFreeCloneOidRequest(m->handle, c);
    NdisFOidRequestComplete(m->handle, orig, st);
}

_Use_decl_annotations_ static void f_status(NDIS_HANDLE ctx, PNDIS_STATUS_INDICATION si)
{
    kit_module *m = ctx;
    atomic_fetch_add(&kit_filter[m->drv].status_indications, 1);
    NdisFIndicateStatus(m->handle, si);
}

_Use_decl_annotations_ static NDIS_STATUS f_net_pnp(NDIS_HANDLE ctx,
                                                    PNET_PNP_EVENT_NOTIFICATION n)
{
    kit_module *m = ctx;
    kit_log("FilterNetPnPEvent(%s,%s,%d)", g_fd[m->drv].name, m->adapter,
            (int)n->NetPnPEvent.NetEvent);
    return NdisFNetPnPEvent(m->handle, n);
}

_Use_decl_annotations_ static void f_dev_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    kit_module *m = ctx;
    kit_log("FilterDevicePnPEventNotify(%s,%s,%d)", g_fd[m->drv].name, m->adapter,
            (int)ev->DevicePnPEvent);
    NdisFDevicePnPEventNotify(m->handle, ev);
}

_Use_decl_annotations_ static NDIS_STATUS f_set_module_options(NDIS_HANDLE ctx)
{
    kit_module *m = ctx;
    kit_log("FilterSetModuleOptions(%s,%s)", g_fd[m->drv].name, m->adapter);
    if (!kit_filter[m->drv].bypass_after_restart)
        return NDIS_STATUS_SUCCESS;
    NDIS_FILTER_PARTIAL_CHARACTERISTICS pc;
    NdisZeroMemory(&pc, sizeof(pc));
    pc.Header.Type = NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS;
    pc.Header.Revision = NDIS_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1;
    pc.Header.Size = NDIS_SIZEOF_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1;
    return NdisSetOptionalHandlers(m->handle, (PNDIS_DRIVER_OPTIONAL_HANDLERS)&pc);
}

static DRIVER_UNLOAD f_unload;

_Use_decl_annotations_ static void f_unload(PDRIVER_OBJECT d)
{
    int i = (int)(d->DriverName.Buffer[d->DriverName.Length / 2 - 1] - '0');
    kit_log("Unload(%s)", g_fd[i].name);
    NdisFDeregisterFilterDriver(g_fd[i].handle);
    kit_log("FilterDeregisterReturned(%s)", g_fd[i].name);
    g_fd[i].handle = NULL;
}

static void to_w(WCHAR *dst, const char *src)
{
    while (*src)
        *dst++ = (WCHAR)*src++;
}

NTSTATUS kit_filter_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    int i = (int)(DriverObject->DriverName.Buffer[DriverObject->DriverName.Length / 2 - 1] - '0');
    if (i < 0 || i >= KIT_MAX_FILTERS)
        return STATUS_INVALID_PARAMETER;
    kit_fdriver *fd = &g_fd[i];
    kit_filter_cfg *cfg = &kit_filter[i];
    snprintf(fd->name, sizeof(fd->name), "kitf%d", i);
    char guid[40];
    snprintf(guid, sizeof(guid), "{6b697466-0000-4000-8000-00000000000%d}", i);
    to_w(fd->uname, guid);
    to_w(fd->fname, fd->name);
    to_w(fd->sname, fd->name);
    kit_log("DriverEntry(%s)", fd->name);

    NDIS_FILTER_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.FriendlyName.Buffer = fd->fname;
    c.FriendlyName.Length = c.FriendlyName.MaximumLength = (USHORT)(strlen(fd->name) * 2);
    c.UniqueName.Buffer = fd->uname;
    c.UniqueName.Length = c.UniqueName.MaximumLength = (USHORT)(strlen(guid) * 2);
    c.ServiceName.Buffer = fd->sname;
    c.ServiceName.Length = c.ServiceName.MaximumLength = (USHORT)(strlen(fd->name) * 2);
    c.AttachHandler = f_attach;
    c.DetachHandler = f_detach;
    c.RestartHandler = f_restart;
    c.PauseHandler = f_pause;
    c.SetFilterModuleOptionsHandler = f_set_module_options;
    if (!cfg->bypass_send) {
        c.SendNetBufferListsHandler = f_send;
        c.SendNetBufferListsCompleteHandler = f_send_complete;
        c.CancelSendNetBufferListsHandler = f_cancel_send;
    }
    if (!cfg->bypass_receive) {
        c.ReceiveNetBufferListsHandler = f_receive;
        c.ReturnNetBufferListsHandler = f_return;
    }
    if (!cfg->no_oid_handler) {
        c.OidRequestHandler = f_oid;
        c.OidRequestCompleteHandler = f_oid_complete;
    }
    c.StatusHandler = f_status;
    c.NetPnPEventHandler = f_net_pnp;
    c.DevicePnPEventNotifyHandler = f_dev_pnp;
    if (cfg->mutate_chars)
        cfg->mutate_chars(&c);
    NDIS_STATUS st = NdisFRegisterFilterDriver(DriverObject, (NDIS_HANDLE)(ULONG_PTR)i, &c,
                                               &fd->handle);
    cfg->last_register_status = st;
    if (st != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    DriverObject->DriverUnload = f_unload;
    return STATUS_SUCCESS;
}

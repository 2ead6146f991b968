/*
 * test_libndis_repro.c - reproductions of libndis defects met while writing the
 * samples. The sample drivers do not depend on any of them. All three are
 * fixed; the cases stay as regression tests (case 3 races 200,000 times, enough
 * for AddressSanitizer to catch the old use after free within the first few
 * thousand rounds).
 *
 *  1. bind_and_unbind_complete_at_dispatch_level: NdisCompleteBindAdapterEx and
 *     NdisCompleteUnbindAdapterEx may be called at IRQL <= DISPATCH_LEVEL
 *     (req.irql of nf-ndis-ndiscompletebindadapterex.md and
 *     nf-ndis-ndiscompleteunbindadapterex.md, and include/ndis/protocol.h says
 *     _IRQL_requires_max_(DISPATCH_LEVEL)); src/core/binding.c checks
 *     ndisi_irql_eq(PASSIVE_LEVEL) in both, reports a violation and ignores
 *     the call - the bind/unbind then times out.
 *
 *  2. promiscuous_binding_gets_loopback: concepts/looping-back-ndis-packets.md:
 *     on an 802.3 adapter with more than one binding, when a binding set
 *     NDIS_PACKET_TYPE_PROMISCUOUS, NDIS loops a sent frame back to the other
 *     bindings whose filter accepts it (the miniport set
 *     NDIS_MAC_OPTION_NO_LOOPBACK, as virtmp does). libndis has no loopback
 *     at all (no reference to it in src/), so the promiscuous binding never
 *     sees frames sent by another protocol on the same adapter.
 *
 *  3. set_event_then_free: NdisSetEvent (src/os/event.c) reads ev->waiters
 *     after storing ev->signaled = 1. A waiter whose NdisWaitEvent sees the
 *     store can return and free the event before that read: a use after free.
 *     KeSetEvent allows the waiter to free the event once it is signaled (the
 *     common "event on the waiter's stack" pattern). sampleproto avoids it by
 *     reference-counting its requests; this case showed it under
 *     AddressSanitizer (NDIS_SANITIZE=address,undefined): "heap-use-after-free ... in NdisSetEvent src/os/event.c:91"
 *     within a second. Without ASan the read of freed memory goes unnoticed
 *     and the case passes.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "samples_util.h"

/* ---- 1: a protocol that completes its bind and unbind at DISPATCH_LEVEL ---------- */

static struct {
    NDIS_HANDLE handle, binding, bind_ctx, unbind_ctx;
    NDIS_MEDIUM medium;
    UINT index;
    NDIS_OPEN_PARAMETERS op;
} rp;

static void *complete_at_dispatch(void *arg)
{
    int unbind = arg != NULL;
    KIRQL old;
    sx_sleep_ms(5);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (unbind)
        NdisCompleteUnbindAdapterEx(rp.unbind_ctx);
    else
        NdisCompleteBindAdapterEx(rp.bind_ctx, NDIS_STATUS_SUCCESS);
    KeLowerIrql(old);
    return NULL;
}

static void later(int unbind)
{
    pthread_t t;
    pthread_create(&t, NULL, complete_at_dispatch, unbind ? (void *)1 : NULL);
    pthread_detach(t);
}

static NDIS_STATUS rp_bind(NDIS_HANDLE drv, NDIS_HANDLE ctx, PNDIS_BIND_PARAMETERS bp)
{
    (void)drv;
    rp.medium = NdisMedium802_3;
    memset(&rp.op, 0, sizeof(rp.op));
    rp.op.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    rp.op.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    rp.op.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    rp.op.AdapterName = bp->AdapterName;
    rp.op.MediumArray = &rp.medium;
    rp.op.MediumArraySize = 1;
    rp.op.SelectedMediumIndex = &rp.index;
    if (NdisOpenAdapterEx(rp.handle, &rp, &rp.op, ctx, &rp.binding) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE;
    rp.bind_ctx = ctx;
    later(0);
    return NDIS_STATUS_PENDING;
}

static NDIS_STATUS rp_unbind(NDIS_HANDLE ctx, NDIS_HANDLE b)
{
    (void)b;
    NdisCloseAdapterEx(rp.binding);
    rp.unbind_ctx = ctx;
    later(1);
    return NDIS_STATUS_PENDING;
}

static void rp_open_complete(NDIS_HANDLE b, NDIS_STATUS st)
{
    (void)b;
    (void)st;
}
static void rp_close_complete(NDIS_HANDLE b)
{
    (void)b;
}
static NDIS_STATUS rp_pnp(NDIS_HANDLE b, PNET_PNP_EVENT_NOTIFICATION n)
{
    (void)b;
    (void)n;
    return NDIS_STATUS_SUCCESS;
}
static void rp_oid_complete(NDIS_HANDLE b, PNDIS_OID_REQUEST r, NDIS_STATUS st)
{
    (void)b;
    (void)r;
    (void)st;
}
static void rp_status(NDIS_HANDLE b, PNDIS_STATUS_INDICATION s)
{
    (void)b;
    (void)s;
}
static void rp_receive(NDIS_HANDLE b, PNET_BUFFER_LIST n, NDIS_PORT_NUMBER p, ULONG c, ULONG f)
{
    (void)p;
    (void)c;
    (void)b;
    if (!(f & NDIS_RECEIVE_FLAGS_RESOURCES))
        NdisReturnNetBufferLists(rp.binding, n,
                                 (f & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                     ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                     : 0);
}
static void rp_send_complete(NDIS_HANDLE b, PNET_BUFFER_LIST n, ULONG f)
{
    (void)b;
    (void)n;
    (void)f;
}
static void rp_unload(PDRIVER_OBJECT d)
{
    (void)d;
    NdisDeregisterProtocolDriver(rp.handle);
}

static NTSTATUS rp_entry(PDRIVER_OBJECT d, PUNICODE_STRING path)
{
    (void)path;
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NDIS_STRING name = NDIS_STRING_CONST("reprop");
    memset(&c, 0, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.Name = name;
    c.BindAdapterHandlerEx = rp_bind;
    c.UnbindAdapterHandlerEx = rp_unbind;
    c.OpenAdapterCompleteHandlerEx = rp_open_complete;
    c.CloseAdapterCompleteHandlerEx = rp_close_complete;
    c.NetPnPEventHandler = rp_pnp;
    c.OidRequestCompleteHandler = rp_oid_complete;
    c.StatusHandlerEx = rp_status;
    c.ReceiveNetBufferListsHandler = rp_receive;
    c.SendNetBufferListsCompleteHandler = rp_send_complete;
    if (NdisRegisterProtocolDriver(NULL, &c, &rp.handle) != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    d->DriverUnload = rp_unload;
    return STATUS_SUCCESS;
}

TEST(bind_and_unbind_complete_at_dispatch_level)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    T_EQ(ndis_host_load_driver(h, "reprop", rp_entry, NULL), 0);
    T_STREQ(sx_binding_state(h, "reprop", "virt0"), "Running");
    T_EQ(kit_reports_matching("NdisCompleteBindAdapterEx"), 0);
    T_EQ(ndis_host_unload_driver(h, "reprop"), 0);
    T_EQ(kit_reports_matching("NdisCompleteUnbindAdapterEx"), 0);
    kit_host_done(h);
}

/* ---- 2: loopback to a promiscuous binding ------------------------------------------ */

TEST(promiscuous_binding_gets_loopback)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_load_sampleproto(h);
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_PROMISCUOUS;
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    /* sampleproto sends a broadcast on virt0; virt0's filter (the union) takes
       broadcasts, kitp0 is promiscuous on the same adapter: NDIS loops it back
       to kitp0 (not to sampleproto, the sender, which did not ask for it). */
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x7777, 60, 3), 3);
    for (int i = 0; i < 200 && atomic_load(&kit_proto[0].received) < 3; i++)
        sx_sleep_ms(2);
    T_EQ(atomic_load(&kit_proto[0].received), 3);
    T_EQ(sx_frames("virt0", 0x7777), 0);
    kit_host_done(h);
}

/* ---- 3: NdisSetEvent and a waiter that frees the event ------------------------------ */

struct ev_box {
    NDIS_EVENT ev;
};

static struct ev_box *volatile g_box;
static _Atomic int g_go;

static void *setter(void *arg)
{
    (void)arg;
    for (int round = 1; round <= 200000; round++) {
        while (atomic_load(&g_go) != round)
            ;
        NdisSetEvent(&g_box->ev);
    }
    return NULL;
}

TEST(set_event_then_free)
{
    pthread_t t;
    pthread_create(&t, NULL, setter, NULL);
    for (int round = 1; round <= 200000; round++) {
        struct ev_box *b = malloc(sizeof(*b));
        NdisInitializeEvent(&b->ev);
        g_box = b;
        atomic_store(&g_go, round);
        NdisWaitEvent(&b->ev, 0); /* signaled: the event is the waiter's to free */
        free(b);
    }
    pthread_join(t, NULL);
}

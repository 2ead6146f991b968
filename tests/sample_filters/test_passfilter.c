/*
 * test_passfilter.c - passfilter passes everything on and counts it, with the
 * kit miniport and protocol (whose switches pend OIDs and sends): OID requests
 * cloned down and completed back (at once, pended, cancelled, failed with the
 * size needed), sends completed when the miniport completes them, receives
 * returned through the module, status indications and PnP events in both
 * directions.
 */
#include <string.h>

#include "filters_util.h"

static ndis_host *pf_stack(void)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    fx_load_passfilter(h);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

TEST(oid_requests_go_down_as_clones_and_complete_back)
{
    ndis_host *h = pf_stack();
    unsigned long long before = fx_pf("a0").oid_requests; /* the protocol's packet filter */
    ULONG v = 0, needed = 0;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_SUCCESS);
    T_EQ(v, 1514);
    /* Too short: the size needed comes back up from the clone. */
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v, 2,
                       &needed),
         NDIS_STATUS_BUFFER_TOO_SHORT);
    T_EQ(needed, 4);
    passfilter_counters c = fx_pf("a0");
    T_EQ(c.oid_requests, before + 2);
    T_EQ(c.oid_failed, 1);
    T_EQ(c.oid_pended, 0);

    /* Pended by the miniport: FilterOidRequestComplete completes the original. */
    kit_mp.pend_oids = true;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_PENDING);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 0);
    kit_mp_complete_oid("a0", NDIS_STATUS_SUCCESS);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 1);
    T_EQ(kit_proto[0].last_oid_status, NDIS_STATUS_SUCCESS);
    T_EQ(fx_pf("a0").oid_pended, 1);
    kit_mp.pend_oids = false;
    kit_host_done(h);
}

/* The clone carries the original's RequestId, so the protocol's cancel finds it. */
TEST(a_cancel_reaches_the_clone_below)
{
    ndis_host *h = pf_stack();
    ULONG v = 0, needed = 0;
    kit_mp.pend_oids = true;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_PENDING);
    /* kit_proto_oid's RequestId is 0x100 + the OID. */
    NdisCancelOidRequest(kit_proto_binding(0, "a0"),
                         (PVOID)(ULONG_PTR)(0x100 + OID_GEN_MAXIMUM_TOTAL_SIZE));
    T_EQ(kit_log_count("MiniportCancelOidRequest(a0,"), 1);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 1);
    T_EQ(kit_proto[0].last_oid_status, NDIS_STATUS_REQUEST_ABORTED);
    T_EQ(fx_pf("a0").oid_failed, 1);
    kit_mp.pend_oids = false;
    kit_host_done(h);
}

TEST(sends_complete_through_the_module_when_the_miniport_completes_them)
{
    ndis_host *h = pf_stack();
    kit_mp.complete_sends_later = true;
    T_EQ(kit_proto_send(0, "a0", 4, 60, NULL), 4);
    passfilter_counters c = fx_pf("a0");
    T_EQ(c.send_nbls, 4);
    T_EQ(c.send_frames, 4);
    T_EQ(c.send_bytes, 240);
    T_EQ(c.send_completes, 0);
    T_EQ(kit_mp_complete_sends("a0", NDIS_STATUS_SUCCESS), 4);
    T_EQ(fx_pf("a0").send_completes, 4);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 4);
    kit_mp.complete_sends_later = false;
    kit_host_done(h);
}

/* FilterCancelSendNetBufferLists passes the cancel down: the miniport aborts the
   marked send, whose completion comes back up through the module. */
TEST(a_send_cancel_passes_down_through_the_module)
{
    ndis_host *h = pf_stack();
    PVOID id = (PVOID)(ULONG_PTR)0x77;
    kit_mp.complete_sends_later = true;
    kit_proto[0].send_cancel_id = id;
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    kit_proto[0].send_cancel_id = NULL;
    T_EQ(kit_proto_send(0, "a0", 1, 60, NULL), 1);
    NdisCancelSendNetBufferLists(kit_proto_binding(0, "a0"), id);
    T_EQ(kit_log_count("MiniportCancelSend(a0,"), 1);
    T_EQ(atomic_load(&kit_proto[0].send_aborted), 2);
    T_EQ(fx_pf("a0").send_completes, 2);
    T_EQ(kit_mp_complete_sends("a0", NDIS_STATUS_SUCCESS), 1);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 3);
    T_EQ(fx_pf("a0").send_completes, 3);
    kit_mp.complete_sends_later = false;
    kit_host_done(h);
}

TEST(receives_pass_up_and_returns_pass_down)
{
    ndis_host *h = pf_stack();
    T_EQ(kit_mp_indicate("a0", 3, 60, NULL, 0), 3);
    T_EQ(kit_mp_indicate("a0", 2, 100, NULL, 0), 2);
    T_EQ(atomic_load(&kit_proto[0].received), 5);
    passfilter_counters c = fx_pf("a0");
    T_EQ(c.receive_nbls, 5);
    T_EQ(c.receive_frames, 5);
    T_EQ(c.receive_bytes, 3 * 60 + 2 * 100);
    T_EQ(c.receive_resources, 0);
    T_EQ(c.returns, 5);
    T_EQ(kit_mp_returned("a0"), 5);
    kit_host_done(h);
}

/* receiving-data-in-a-filter-driver.md: a filter may pass on NBLs indicated with
   NDIS_RECEIVE_FLAGS_RESOURCES; they are back below when the indication returns,
   and NDIS calls no FilterReturnNetBufferLists for them. */
TEST(resources_receives_pass_up_and_are_back_when_the_call_returns)
{
    ndis_host *h = pf_stack();
    T_EQ(kit_mp_indicate("a0", 3, 60, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 3);
    T_EQ(kit_mp_returned("a0"), 3);
    passfilter_counters c = fx_pf("a0");
    T_EQ(c.receive_nbls, 3);
    T_EQ(c.receive_resources, 3);
    T_EQ(c.receive_rejected, 0);
    T_EQ(c.returns, 0);
    /* Mixed with ordinary indications, each kind comes back its own way. */
    T_EQ(kit_mp_indicate("a0", 2, 60, NULL, 0), 2);
    T_EQ(atomic_load(&kit_proto[0].received), 5);
    T_EQ(fx_pf("a0").returns, 2);
    T_EQ(kit_mp_returned("a0"), 5);
    kit_host_done(h); /* no report: nothing returned twice */
}

/* ---- status and PnP ------------------------------------------------------------------- */

static char g_trace[4096];

static void trace_calls(void *ctx, const ndis_trace_event *ev)
{
    (void)ctx;
    if (ev->phase == 0 && strstr(ev->function, "DevicePnPEventNotify")) {
        strncat(g_trace, ev->function, sizeof(g_trace) - strlen(g_trace) - 2);
        strcat(g_trace, ";");
    }
}

TEST(status_goes_up_and_pnp_events_go_their_way)
{
    ndis_host *h = pf_stack();
    kit_mp_indicate_link("a0", false, 0);
    T_EQ(fx_pf("a0").status_indications, 1);
    T_EQ(atomic_load(&kit_proto[0].link_down_seen), 1);

    unsigned long long before = fx_pf("a0").net_pnp_events;
    T_EQ(ndis_host_net_pnp_event(h, "a0", NetEventReconfigure, NULL, 0), 0);
    T_EQ(fx_pf("a0").net_pnp_events, before + 1);
    T_ASSERT(kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Other)") >= 0); /* passed up */

    /* A device event goes down: passfilter's notify runs before the miniport's. */
    g_trace[0] = 0;
    ndis_host_set_trace(h, trace_calls, NULL);
    T_EQ(ndis_host_surprise_remove_adapter(h, "a0"), 0);
    ndis_host_set_trace(h, NULL, NULL);
    T_ASSERT_MSG(!strcmp(g_trace, "FilterDevicePnPEventNotify;MiniportDevicePnPEventNotify;"),
                 "trace: %s", g_trace);
    kit_host_done(h);
}

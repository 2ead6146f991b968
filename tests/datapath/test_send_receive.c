/*
 * test_send_receive.c - the NET_BUFFER_LIST data path between the kit protocol
 * and miniport: sends reach the miniport and complete to the binding that sent
 * them; indications reach Running bindings whose packet filter accepts them and
 * return to the miniport exactly once, after every binding returned them; sends
 * on a paused binding complete with NDIS_STATUS_PAUSED; a pause waits for kept
 * NBLs.
 */
#include <pthread.h>
#include <string.h>

#include "core/obj.h"
#include "kit.h"
#include "test.h"

static ndis_host *bring_up(int protocols, ULONG filter)
{
    ndis_host *h = kit_host();
    for (int i = 0; i < protocols; i++)
        kit_proto[i].packet_filter = filter;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    for (int i = 0; i < protocols; i++) {
        char n[8] = "kitp0";
        n[4] = (char)('0' + i);
        T_EQ(ndis_host_load_driver(h, n, kit_proto_entry, NULL), 0);
    }
    return h;
}

TEST(send_completes_to_sender)
{
    ndis_host *h = bring_up(2, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
    T_EQ(kit_proto_send(0, "a0", 5, 60, NULL), 5);
    T_EQ(kit_proto_send(1, "a0", 3, 60, NULL), 3);
    T_EQ(kit_mp_sends_seen("a0"), 8);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 5);
    T_EQ(atomic_load(&kit_proto[1].send_completed), 3);
    kit_host_done(h);
}

TEST(mixed_completion_chain_is_split_by_sender)
{
    ndis_host *h = bring_up(2, NDIS_PACKET_TYPE_DIRECTED);
    kit_mp.complete_sends_later = true;
    for (int r = 0; r < 4; r++) {
        kit_proto_send(0, "a0", 2, 60, NULL);
        kit_proto_send(1, "a0", 1, 60, NULL);
    }
    T_EQ(atomic_load(&kit_proto[0].send_completed), 0);
    /* One chain from the miniport holding both bindings' NBLs, interleaved. */
    T_EQ(kit_mp_complete_sends("a0", NDIS_STATUS_SUCCESS), 12);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 8);
    T_EQ(atomic_load(&kit_proto[1].send_completed), 4);
    kit_host_done(h);
}

TEST(send_on_paused_binding_completes_with_paused)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_DIRECTED);
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(kit_proto_send(0, "a0", 4, 60, NULL), 4);
    T_EQ(kit_mp_sends_seen("a0"), 0);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 4);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    kit_host_done(h);
}

TEST(receive_returns_exactly_once)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    T_EQ(kit_mp_indicate("a0", 10, 64, NULL, 0), 10);
    T_EQ(atomic_load(&kit_proto[0].received), 10);
    T_EQ(kit_mp_returned("a0"), 10);
    kit_host_done(h);
}

TEST(receive_with_resources_flag_returns_on_return_of_the_call)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    kit_proto[0].keep_received = true; /* must be ignored with RESOURCES */
    T_EQ(kit_mp_indicate("a0", 6, 64, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 6);
    T_EQ(atomic_load(&kit_proto[0].received), 6);
    T_EQ(kit_proto_return_all(0), 0);
    kit_host_done(h);
}

static ndis_adapter_info adapter_info(ndis_host *h, const char *name)
{
    ndis_adapter_info ai[4];
    unsigned n = 0;
    T_EQ(ndis_host_list_adapters(h, ai, 4, &n), 0);
    for (unsigned i = 0; i < n && i < 4; i++)
        if (!strcmp(ai[i].name, name))
            return ai[i];
    T_ASSERT_MSG(0, "adapter %s not listed", name);
    return ai[0];
}

TEST(adapter_counters_count_every_nbl_at_the_miniport_edge)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    kit_mp.complete_sends_later = true;
    T_EQ(kit_proto_send(0, "a0", 7, 60, NULL), 7);
    ndis_adapter_info ai = adapter_info(h, "a0");
    T_EQ(ai.sent, 7);
    T_EQ(ai.send_completed, 0);
    T_EQ(kit_mp_complete_sends("a0", NDIS_STATUS_SUCCESS), 7);
    kit_proto[0].keep_received = true;
    T_EQ(kit_mp_indicate("a0", 4, 64, NULL, 0), 4);
    T_EQ(kit_mp_indicate("a0", 2, 64, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 2);
    ai = adapter_info(h, "a0");
    T_EQ(ai.send_completed, 7);
    T_EQ(ai.indicated, 6);
    T_EQ(ai.returned, 2); /* the resources indication; 4 are kept */
    T_EQ(kit_proto_return_all(0), 4);
    ai = adapter_info(h, "a0");
    T_EQ(ai.returned, 6);
    kit_host_done(h);
}

/* A return naming one NBL that is not the binding's to return is refused as a
   whole, and the others stay the binding's to return. */
TEST(bad_return_in_a_chain_leaves_the_rest_returnable)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    NDIS_HANDLE b = kit_proto_binding(0, "a0");
    kit_proto[0].keep_received = true;
    T_EQ(kit_mp_indicate("a0", 3, 64, NULL, 0), 3);
    PNET_BUFFER_LIST n1 = kit_proto_take_kept(0, "a0"), n2 = n1->Next, n3 = n2->Next;
    n2->Next = NULL;
    NdisReturnNetBufferLists(b, n2, 0);
    T_EQ(kit_mp_returned("a0"), 1);
    n1->Next = n3;
    n3->Next = n2; /* n2 went back already */
    NdisReturnNetBufferLists(b, n1, 0);
    kit_expect_reports(1, "NdisReturnNetBufferLists");
    T_EQ(kit_mp_returned("a0"), 1);
    n3->Next = NULL;
    NdisReturnNetBufferLists(b, n1, 0);
    T_EQ(kit_mp_returned("a0"), 3);
    kit_host_done(h);
}

/* The same for a completion naming one NBL that is not being sent. */
TEST(bad_completion_in_a_chain_leaves_the_rest_completable)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    NDIS_HANDLE a = kit_mp_handle("a0");
    kit_mp.complete_sends_later = true;
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    PNET_BUFFER_LIST n1 = kit_mp_take_queued("a0"), n2 = n1->Next, n3 = n2->Next;
    n2->Next = NULL;
    NdisMSendNetBufferListsComplete(a, n2, 0);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 1);
    n1->Next = n3;
    n3->Next = n2; /* completed already */
    NdisMSendNetBufferListsComplete(a, n1, 0);
    kit_expect_reports(1, "NdisMSendNetBufferListsComplete");
    T_EQ(atomic_load(&kit_proto[0].send_completed), 1);
    n3->Next = NULL;
    NdisMSendNetBufferListsComplete(a, n1, 0);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 3);
    kit_host_done(h);
}

/* An NBL whose SourceHandle a driver below overwrote is reported by name and
   still completed to the binding that sent it (NDIS keeps its sender). */
TEST(completion_with_an_overwritten_source_handle)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    NDIS_HANDLE a = kit_mp_handle("a0");
    kit_mp.complete_sends_later = true;
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    PNET_BUFFER_LIST n1 = kit_mp_take_queued("a0"), n2 = n1->Next;
    n2->SourceHandle = a; /* an adapter, not a binding */
    NdisMSendNetBufferListsComplete(a, n1, 0);
    kit_expect_reports(1, "kitp0->a0");
    T_EQ(atomic_load(&kit_proto[0].send_completed), 3); /* (the protocol freed them) */
    kit_host_done(h);
}

/* NdisOidRequest may be called at IRQL <= DISPATCH_LEVEL, so from
   ProtocolReceiveNetBufferLists and ProtocolStatusEx, which NDIS calls inside
   the adapter's receive read section: a filter set there must not wait for a
   grace period that includes its own caller (it did, forever). The replaced
   filters are freed later (the leak check at the end). */
TEST(a_protocol_sets_its_packet_filter_from_its_receive_and_status_handlers)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    T_EQ(kit_mp.last_packet_filter, NDIS_PACKET_TYPE_BROADCAST);
    kit_proto[0].filter_in_receive = NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_DIRECTED;
    T_EQ(kit_mp_indicate("a0", 1, 64, NULL, 0), 1);
    T_EQ(kit_proto[0].last_handler_oid_status, NDIS_STATUS_SUCCESS);
    T_EQ(kit_mp.last_packet_filter, NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_DIRECTED);
    kit_proto[0].filter_in_receive = 0;
    kit_proto[0].filter_in_status = NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_MULTICAST;
    kit_mp_indicate_link("a0", false, 0);
    T_EQ(kit_proto[0].last_handler_oid_status, NDIS_STATUS_SUCCESS);
    T_EQ(kit_mp.last_packet_filter, NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_MULTICAST);
    kit_proto[0].filter_in_status = 0;
    T_EQ(kit_mp_indicate("a0", 2, 64, NULL, 0), 2); /* the new filter takes broadcasts */
    T_EQ(atomic_load(&kit_proto[0].received), 3);
    T_EQ(kit_mp_returned("a0"), 3);
    kit_host_done(h);
}

/* nf-ndis-ndiscancelsendnetbufferlists.md: NDIS calls MiniportCancelSend (no
   filter in this stack), which completes the NBLs marked with that cancel ID
   with NDIS_STATUS_SEND_ABORTED; the others stay queued. The high byte of an
   ID is a partial cancel ID from NdisGeneratePartialCancelId. */
TEST(cancel_send_completes_the_marked_sends_with_send_aborted)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    UCHAR part = NdisGeneratePartialCancelId();
    T_ASSERT(NdisGeneratePartialCancelId() != part);
    ULONG_PTR hi = (ULONG_PTR)part << ((sizeof(PVOID) - 1) * 8);
    PVOID ida = (PVOID)(hi | 1), idb = (PVOID)(hi | 2);
    kit_mp.complete_sends_later = true;
    kit_proto[0].send_cancel_id = ida;
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    kit_proto[0].send_cancel_id = idb;
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    NdisCancelSendNetBufferLists(kit_proto_binding(0, "a0"), ida);
    T_EQ(kit_log_count("MiniportCancelSend(a0,"), 1);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 3);
    T_EQ(atomic_load(&kit_proto[0].send_aborted), 3);
    T_EQ(kit_mp_complete_sends("a0", NDIS_STATUS_SUCCESS), 2);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 5);
    T_EQ(atomic_load(&kit_proto[0].send_aborted), 3);
    /* A handle that is not a binding is reported by name and reaches no miniport. */
    NdisCancelSendNetBufferLists(kit_mp_handle("a0"), idb);
    kit_expect_reports(1, "NdisCancelSendNetBufferLists");
    T_EQ(kit_log_count("MiniportCancelSend(a0,"), 1);
    kit_mp.complete_sends_later = false;
    kit_proto[0].send_cancel_id = NULL;
    kit_host_done(h);
}

/* NBLs indicated with NDIS_RECEIVE_FLAGS_RESOURCES are not the protocol's to
   return: a return is reported and changes nothing (the miniport gets them back
   when its indication returns, once). */
TEST(returning_a_resources_indication_is_reported)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    kit_proto[0].return_resources = true;
    T_EQ(kit_mp_indicate("a0", 2, 64, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 2);
    kit_expect_reports(1, "NdisReturnNetBufferLists");
    ndis_adapter_info ai = adapter_info(h, "a0");
    T_EQ(ai.indicated, 2);
    T_EQ(ai.returned, 2);
    kit_proto[0].return_resources = false;
    T_EQ(kit_mp_indicate("a0", 3, 64, NULL, 0), 3); /* the NBL states are sound */
    T_EQ(kit_mp_returned("a0"), 5);
    kit_host_done(h);
}

/* A binding is not unbound while ProtocolReceiveNetBufferLists still runs, even
   after it returned the NBLs: the protocol's context must outlive the call. */
static void *indicate_one(void *arg)
{
    (void)arg;
    kit_mp_indicate("a0", 1, 64, NULL, 0);
    return NULL;
}

TEST(unbind_waits_for_a_receive_call_in_progress)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    kit_proto[0].linger_ms = 80;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, indicate_one, NULL), 0);
    for (int i = 0; i < 1000 && atomic_load(&kit_proto[0].received) == 0; i++)
        NdisMSleep(1000);
    T_EQ(atomic_load(&kit_proto[0].received), 1);
    T_EQ(kit_mp_returned("a0"), 1); /* returned already, still inside the handler */
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    T_EQ(pthread_join(t, NULL), 0);
    int done = kit_log_index("ReceiveDone(kitp0,a0)");
    int unbind = kit_log_index("ProtocolUnbindAdapterEx(kitp0,a0)");
    T_ASSERT_MSG(done >= 0 && unbind > done, "%s", kit_log_text());
    kit_host_done(h);
}

TEST(packet_filter_selects_bindings)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED;
    kit_proto[1].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    /* The miniport hears the OR of the bindings' filters. */
    T_EQ(kit_mp.last_packet_filter, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
    T_EQ(kit_mp_indicate("a0", 3, 64, NULL, 0), 3); /* broadcast: kitp1 only */
    T_EQ(atomic_load(&kit_proto[0].received), 0);
    T_EQ(atomic_load(&kit_proto[1].received), 3);
    T_EQ(kit_mp_returned("a0"), 3);
    kit_host_done(h);
}

TEST(nbl_kept_by_two_bindings_returns_after_both)
{
    ndis_host *h = bring_up(2, NDIS_PACKET_TYPE_BROADCAST);
    kit_proto[0].keep_received = kit_proto[1].keep_received = true;
    T_EQ(kit_mp_indicate("a0", 4, 64, NULL, 0), 4);
    T_EQ(atomic_load(&kit_proto[0].received), 4);
    T_EQ(atomic_load(&kit_proto[1].received), 4);
    T_EQ(kit_mp_returned("a0"), 0);
    T_EQ(kit_proto_return_all(1), 4);
    T_EQ(kit_mp_returned("a0"), 0);
    T_EQ(kit_proto_return_all(0), 4);
    T_EQ(kit_mp_returned("a0"), 4);
    kit_host_done(h);
}

static ndis_host *pause_host;
static void *pause_thread(void *arg)
{
    (void)arg;
    ndis_host_pause_adapter(pause_host, "a0");
    return NULL;
}

TEST(pause_waits_for_kept_nbls)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_BROADCAST);
    kit_proto[0].keep_received = true;
    T_EQ(kit_mp_indicate("a0", 5, 64, NULL, 0), 5);
    pause_host = h;
    pthread_t t;
    pthread_create(&t, NULL, pause_thread, NULL);
    /* The binding is asked to pause; NDIS holds MiniportPause back. */
    T_ASSERT(kit_log_wait("ProtocolNetPnPEvent(kitp0,a0,Pause)", 2000));
    NdisMSleep(20000);
    T_EQ(kit_log_count("MiniportPause(a0)"), 0);
    T_EQ(kit_proto_return_all(0), 5);
    pthread_join(t, NULL);
    T_EQ(kit_log_count("MiniportPause(a0)"), 1);
    T_EQ(kit_mp_returned("a0"), 5);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    kit_host_done(h);
}

TEST(link_state_reaches_bindings_and_late_binders)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_DIRECTED);
    kit_mp_indicate_link("a0", false, 0);
    T_EQ(atomic_load(&kit_proto[0].link_down_seen), 1);
    kit_mp_indicate_link("a0", true, 100000000);
    /* A protocol that binds now learns the current state (up). */
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    T_EQ(atomic_load(&kit_proto[1].link_up_seen), 1);
    T_EQ(atomic_load(&kit_proto[1].link_down_seen), 0);
    kit_host_done(h);
}

TEST(oid_answered_by_ndis_and_forwarded)
{
    ndis_host *h = bring_up(1, NDIS_PACKET_TYPE_DIRECTED);
    ULONG v = 0, needed = 0;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_FRAME_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_SUCCESS);
    T_EQ(v, 1500);
    T_EQ(kit_log_count("MiniportOidRequest"), 1); /* only the kit's filter set so far */
    UCHAR small[2];
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_FRAME_SIZE, small,
                       sizeof(small), &needed),
         NDIS_STATUS_BUFFER_TOO_SHORT);
    T_EQ(needed, 4);
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_SUCCESS);
    T_EQ(v, 1514);
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, 0x00ff0001u, &v, sizeof(v),
                       &needed),
         NDIS_STATUS_NOT_SUPPORTED);
    ULONG64 bytes = 0;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_BYTES_RCV, &bytes,
                       sizeof(bytes), &needed),
         NDIS_STATUS_SUCCESS);
    T_ASSERT(bytes >= 1000);
    kit_host_done(h);
}

TEST(oid_pends_and_cancels)
{
    ndis_host *h = bring_up(1, 0);
    kit_mp.pend_oids = true;
    ULONG v = 1500;
    NDIS_STATUS st = kit_proto_oid(0, "a0", NdisRequestQueryInformation,
                                   OID_GEN_MAXIMUM_TOTAL_SIZE, &v, sizeof(v), NULL);
    T_EQ(st, NDIS_STATUS_PENDING);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 0);
    kit_mp_complete_oid("a0", NDIS_STATUS_SUCCESS);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 1);
    T_EQ(kit_proto[0].last_oid_status, NDIS_STATUS_SUCCESS);
    st = kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), NULL);
    T_EQ(st, NDIS_STATUS_PENDING);
    NdisCancelOidRequest(kit_proto_binding(0, "a0"), (PVOID)(ULONG_PTR)(0x100 + OID_GEN_MAXIMUM_TOTAL_SIZE));
    T_EQ(kit_log_count("MiniportCancelOidRequest(a0"), 1);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 2);
    T_EQ(kit_proto[0].last_oid_status, NDIS_STATUS_REQUEST_ABORTED);
    kit_host_done(h);
}

/*
 * Two bindings change the adapter's union while NDIS's set of it is pended in
 * the miniport: one set of the newest union follows it, and each binding's
 * request completes with the set that carries its change.
 */
TEST(filter_sets_while_one_is_pended_in_the_miniport)
{
    ndis_host *h = bring_up(2, NDIS_PACKET_TYPE_BROADCAST);
    const char *set_filter = "MiniportOidRequest(a0,0x0001010e)";
    int sets = kit_log_count(set_filter);
    kit_mp.pend_oids = true;
    ULONG f0 = NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_DIRECTED;
    ULONG f1 = NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_MULTICAST;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, &f0,
                       sizeof(f0), NULL),
         NDIS_STATUS_PENDING);
    T_EQ(kit_mp.last_packet_filter, f0);
    /* The second change waits: only one set of the union is in the miniport. */
    T_EQ(kit_proto_oid(1, "a0", NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, &f1,
                       sizeof(f1), NULL),
         NDIS_STATUS_PENDING);
    T_EQ(kit_log_count(set_filter), sets + 1);
    /* NdisCancelOidRequest does not take it out: it ends with the next set. */
    NdisCancelOidRequest(kit_proto_binding(1, "a0"), (PVOID)(ULONG_PTR)(0x100 + OID_GEN_CURRENT_PACKET_FILTER));
    T_EQ(atomic_load(&kit_proto[1].oid_completed), 0);

    kit_mp_complete_oid("a0", NDIS_STATUS_SUCCESS);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 1);
    T_EQ(kit_proto[0].last_oid_status, NDIS_STATUS_SUCCESS);
    T_EQ(atomic_load(&kit_proto[1].oid_completed), 0);
    T_EQ(kit_log_count(set_filter), sets + 2);
    T_EQ(kit_mp.last_packet_filter, f0 | f1);

    kit_mp_complete_oid("a0", NDIS_STATUS_SUCCESS);
    T_EQ(atomic_load(&kit_proto[1].oid_completed), 1);
    T_EQ(kit_proto[1].last_oid_status, NDIS_STATUS_SUCCESS);

    /* A set that leaves the union as it is completes at once, without the miniport. */
    T_EQ(kit_proto_oid(0, "a0", NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, &f0,
                       sizeof(f0), NULL),
         NDIS_STATUS_SUCCESS);
    T_EQ(kit_log_count(set_filter), sets + 2);
    ULONG q = 0;
    T_EQ(kit_proto_oid(1, "a0", NdisRequestQueryInformation, OID_GEN_CURRENT_PACKET_FILTER, &q,
                       sizeof(q), NULL),
         NDIS_STATUS_SUCCESS);
    T_EQ(q, f0 | f1);
    kit_mp.pend_oids = false;
    kit_host_done(h);
}

/* ---- out of memory while the binding list changes ----------------------------------- */

static char g_diag[512];

static void keep_diag(void *ctx, const char *message)
{
    (void)ctx;
    snprintf(g_diag, sizeof(g_diag), "%s", message);
}

/*
 * An unbind cannot fail for want of memory: without a smaller binding list the
 * binding's entry in the current one is replaced, and frames and status
 * indications go on to the others (under ASan a freed binding left in the list
 * is a use after free). A bind that cannot get a list fails cleanly.
 */
TEST(binding_list_out_of_memory)
{
    ndis_host *h = bring_up(2, NDIS_PACKET_TYPE_BROADCAST);
    ndis_set_diag_handler(keep_diag, NULL);
    unsigned long before = ndis_fault_injected(NDIS_FAULT_ALLOC_NDIS);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 1);
    T_EQ(ndis_host_unload_driver(h, "kitp1"), 0);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 0);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NDIS), before + 1);
    T_CONTAINS(g_diag, "out of memory for a smaller binding list");
    T_CONTAINS(g_diag, "kitp1->a0");
    ndisi_obj_quarantine_flush(); /* the freed binding's memory goes back to the system */

    T_EQ(kit_mp_indicate("a0", 4, 60, NULL, 0), 4);
    T_EQ(atomic_load(&kit_proto[0].received), 4);
    T_EQ(kit_mp_returned("a0"), 4);
    kit_mp_indicate_link("a0", false, 0);
    T_EQ(atomic_load(&kit_proto[0].link_down_seen), 1);

    /* The bind's list allocation fails (the protocol's registration and the
       binding itself are allocated first). */
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 2, 1);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 0);
    T_CONTAINS(g_diag, "bind 'kitp1' to 'a0': out of memory for the adapter's binding list");
    T_ASSERT(kit_proto_binding(1, "a0") == NULL);
    T_EQ(kit_mp_indicate("a0", 2, 60, NULL, 0), 2);
    T_EQ(atomic_load(&kit_proto[0].received), 6);
    T_EQ(atomic_load(&kit_proto[1].received), 0);
    ndis_set_diag_handler(NULL, NULL);
    kit_host_done(h);
}

/*
 * test_proto.c - sampleproto against the test kit's miniport (tests/kit),
 * whose switches make NDIS events happen on demand: sends held by the
 * miniport while a pause arrives (the pause pends until they complete), an
 * OID request the miniport pends, receives lent with
 * NDIS_RECEIVE_FLAGS_RESOURCES, link indications; plus the bind rules, the
 * EtherType table, the C interface's errors, and NDIS pending opens and
 * closes (host fault flags).
 */
#include <pthread.h>
#include <string.h>

#include "samples_util.h"

#define SP_FILTER                                                              \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST)

/* The kit miniport loaded as "kitmp" with one adapter "k0", then sampleproto. */
static ndis_host *kit_nic(void)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "k0", NULL), 0);
    sx_load_sampleproto(h);
    T_STREQ(sx_binding_state(h, "sampleproto", "k0"), "Running");
    return h;
}

TEST(binds_to_ndis5_adapters_only_and_sets_its_filter)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    ndis_driver_config wan = {.upper_range = "ndiswan", .lower_range = "wan"};
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, &wan), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "w0", NULL), 0);
    sx_load_sampleproto(h);
    sx_add(h, "virt1"); /* arrives after the protocol: bound at once */

    T_STREQ(sx_binding_state(h, "sampleproto", "virt0"), "Running");
    T_STREQ(sx_binding_state(h, "sampleproto", "virt1"), "Running");
    T_STREQ(sx_binding_state(h, "sampleproto", "w0"), ""); /* "wan" is not "ndis5" */
    struct sampleproto_stats s;
    T_EQ(sampleproto_stats("w0", &s), -ENOENT);
    for (int i = 0; i < 2; i++) {
        s = sx_stats(i ? "virt1" : "virt0");
        T_EQ(s.packet_filter, SP_FILTER);
        T_EQ(s.packet_filter_status, NDIS_STATUS_SUCCESS);
        T_EQ(s.running, 1);
        T_EQ(s.mtu, 1500);
        T_EQ(s.link_up, 1);
    }
    /* NDIS passed the filter down to the miniport. */
    ULONG pf = 0;
    T_EQ(sx_host_query(h, "virt0", OID_GEN_CURRENT_PACKET_FILTER, &pf, 4, NULL),
         NDIS_STATUS_SUCCESS);
    T_EQ(pf, SP_FILTER);
    kit_host_done(h);
}

TEST(counts_received_frames_by_ethertype)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    for (unsigned t = 0; t < 10; t++)
        T_EQ(sampleproto_send("virt0", sx_bcast, (unsigned short)(0x9000 + t), 60, t + 1), (int)t + 1);
    T_EQ(sx_wait_frames("virt1", 0x9007, 8), 8);
    struct sampleproto_stats s = sx_stats("virt1");
    for (int i = 0; i < 1000 && s.received < 55; i++) {
        sx_sleep_ms(2);
        s = sx_stats("virt1");
    }
    T_EQ(s.received, 55);
    T_EQ(s.received_bytes, 55 * 60);
    T_EQ(s.n_types, SAMPLEPROTO_MAX_ETHERTYPES);
    for (unsigned t = 0; t < SAMPLEPROTO_MAX_ETHERTYPES; t++) {
        T_EQ(s.by_type[t].ethertype, 0x9000 + t);
        T_EQ(s.by_type[t].frames, t + 1);
    }
    T_EQ(s.other_types, 9 + 10); /* the two types that did not fit */
    T_EQ(s.dropped, 0);
    struct sampleproto_stats s0 = sx_stats("virt0");
    T_EQ(s0.sent, 55);
    T_EQ(s0.send_completed, 55);
    T_EQ(s0.send_failed, 0);
    kit_host_done(h);
}

TEST(the_interface_reports_its_errors)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    struct sampleproto_stats s;
    sampleproto_oid_result res;
    ULONG v;
    T_EQ(sampleproto_send("nosuch", sx_bcast, 0x1111, 60, 1), -ENOENT);
    T_EQ(sampleproto_send(NULL, sx_bcast, 0x1111, 60, 1), -EINVAL);
    T_EQ(sampleproto_send("virt0", NULL, 0x1111, 60, 1), -EINVAL);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1111, 10, 1), -EINVAL);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1111, 2000, 1), -EMSGSIZE);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1111, 60, 0), 0);
    T_EQ(sampleproto_stats("nosuch", &s), -ENOENT);
    T_EQ(sampleproto_stats("virt0", NULL), -EINVAL);
    T_EQ(sampleproto_query("nosuch", OID_GEN_VENDOR_ID, &v, 4, &res), -ENOENT);
    T_EQ(sampleproto_query("virt0", OID_GEN_VENDOR_ID, NULL, 4, &res), -EINVAL);
    T_EQ(sampleproto_query("virt0", OID_GEN_VENDOR_ID, &v, 4, NULL), -EINVAL);

    /* A paused binding does not send; its OID requests still work. */
    T_EQ(ndis_host_pause_adapter(h, "virt0"), 0);
    T_STREQ(sx_binding_state(h, "sampleproto", "virt0"), "Paused");
    T_EQ(sx_stats("virt0").running, 0);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1111, 60, 3), -EAGAIN);
    T_EQ(sampleproto_query("virt0", OID_GEN_VENDOR_ID, &v, 4, &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(ndis_host_restart_adapter(h, "virt0"), 0);
    T_EQ(sx_stats("virt0").running, 1);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1111, 60, 3), 3);
    T_EQ(sx_wait_frames("virt1", 0x1111, 3), 3);

    /* Unloaded: the interface says so. */
    T_EQ(ndis_host_unload_driver(h, "sampleproto"), 0);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1111, 60, 1), -ENODEV);
    T_EQ(sampleproto_stats("virt0", &s), -ENODEV);
    T_EQ(sampleproto_query("virt0", OID_GEN_VENDOR_ID, &v, 4, &res), -ENODEV);
    kit_host_done(h);
}

/* ---- a pause that waits for the protocol's sends ----------------------------------- */

struct send_job {
    const char *adapter;
    int count, result;
};

static void *send_thread(void *arg)
{
    struct send_job *j = arg;
    j->result = sampleproto_send(j->adapter, sx_bcast, 0x2222, 60, (unsigned)j->count);
    return NULL;
}

struct pause_job {
    ndis_host *h;
    int result;
    _Atomic bool done;
};

static void *pause_thread(void *arg)
{
    struct pause_job *j = arg;
    j->result = ndis_host_pause_adapter(j->h, "k0");
    atomic_store(&j->done, true);
    return NULL;
}

struct trace_log {
    _Atomic int pause_calls, pause_pending;
};

static void on_trace(void *ctx, const ndis_trace_event *ev)
{
    struct trace_log *t = ctx;
    if (strcmp(ev->function, "ProtocolNetPnPEvent(NetEventPause)") != 0)
        return;
    if (ev->phase == 0)
        atomic_fetch_add(&t->pause_calls, 1);
    else if (ev->has_status && ev->status == NDIS_STATUS_PENDING)
        atomic_fetch_add(&t->pause_pending, 1);
}

TEST(a_pause_pends_until_the_protocols_sends_complete)
{
    ndis_host *h = kit_nic();
    struct trace_log log = {0};
    ndis_host_set_trace(h, on_trace, &log);

    /* The miniport holds the sends: sampleproto waits in its send. */
    kit_mp.complete_sends_later = true;
    struct send_job sj = {"k0", 3, -1};
    pthread_t st, pt;
    T_EQ(pthread_create(&st, NULL, send_thread, &sj), 0);
    for (int i = 0; i < 1000 && kit_mp_sends_seen("k0") < 3; i++)
        sx_sleep_ms(1);
    T_EQ(kit_mp_sends_seen("k0"), 3);

    /* The pause reaches sampleproto, which pends it: 3 frames are outstanding. */
    struct pause_job pj = {.h = h, .result = -1};
    T_EQ(pthread_create(&pt, NULL, pause_thread, &pj), 0);
    for (int i = 0; i < 1000 && atomic_load(&log.pause_pending) == 0; i++)
        sx_sleep_ms(1);
    T_EQ(atomic_load(&log.pause_calls), 1);
    T_EQ(atomic_load(&log.pause_pending), 1);
    sx_sleep_ms(20);
    T_ASSERT(!atomic_load(&pj.done));
    T_STREQ(sx_binding_state(h, "sampleproto", "k0"), "Pausing");

    /* The miniport completes them: the sender thread completes the pause. */
    T_EQ(kit_mp_complete_sends("k0", NDIS_STATUS_SUCCESS), 3);
    pthread_join(st, NULL);
    pthread_join(pt, NULL);
    T_EQ(sj.result, 3);
    T_EQ(pj.result, 0);
    T_STREQ(sx_binding_state(h, "sampleproto", "k0"), "Paused");
    struct sampleproto_stats s = sx_stats("k0");
    T_EQ(s.sent, 3);
    T_EQ(s.send_completed, 3);
    T_EQ(s.running, 0);

    /* A pause with nothing in flight completes at once; restart resets the filter. */
    kit_mp.complete_sends_later = false;
    ULONG sets = kit_mp.oid_sets;
    T_EQ(ndis_host_restart_adapter(h, "k0"), 0);
    T_EQ(sampleproto_send("k0", sx_bcast, 0x2222, 60, 2), 2);
    T_ASSERT(kit_mp.oid_sets > sets || kit_mp.last_packet_filter == SP_FILTER);
    T_EQ(ndis_host_pause_adapter(h, "k0"), 0);
    ndis_host_set_trace(h, NULL, NULL);
    T_EQ(atomic_load(&log.pause_calls), 2);
    T_EQ(atomic_load(&log.pause_pending), 1);
    kit_host_done(h);
}

/* ---- an OID request the miniport pends ---------------------------------------------- */

struct query_job {
    _Atomic int rc;
    sampleproto_oid_result res;
};

static void *query_thread(void *arg)
{
    struct query_job *j = arg;
    ULONG v = 0;
    atomic_store(&j->rc, sampleproto_query("k0", OID_GEN_MAXIMUM_TOTAL_SIZE, &v, sizeof(v),
                                           &j->res));
    return NULL;
}

TEST(an_oid_request_the_miniport_pends_completes_later)
{
    ndis_host *h = kit_nic();
    kit_mp.pend_oids = true;
    struct query_job qj;
    memset(&qj.res, 0, sizeof(qj.res));
    atomic_init(&qj.rc, -1);
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, query_thread, &qj), 0);
    for (int i = 0; i < 1000 && kit_log_count("MiniportOidRequest(k0,0x00010111)") == 0; i++)
        sx_sleep_ms(1);
    T_EQ(kit_log_count("MiniportOidRequest(k0,0x00010111)"), 1);
    /* The kit logs the request just before it keeps it (in a plain field that
       kit_mp_complete_oid reads: ThreadSanitizer flags that pair in
       tests/kit/kit_mp.c): give it a moment. */
    sx_sleep_ms(10);
    T_EQ(atomic_load(&qj.rc), -1); /* still waiting */
    kit_mp_complete_oid("k0", NDIS_STATUS_RESOURCES);
    pthread_join(t, NULL);
    kit_mp.pend_oids = false;
    T_EQ(atomic_load(&qj.rc), 0);
    T_EQ(qj.res.status, NDIS_STATUS_RESOURCES); /* the miniport's answer, via
                                                   ProtocolOidRequestComplete */
    kit_host_done(h);
}

/* ---- receives ----------------------------------------------------------------------- */

TEST(receives_lent_with_resources_are_counted_not_returned)
{
    ndis_host *h = kit_nic();
    /* Lent for the call only: sampleproto must not return them (the verifier
       would report it), the miniport takes them back when the call returns. */
    T_EQ(kit_mp_indicate("k0", 4, 80, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 4);
    T_EQ(kit_mp_indicate("k0", 3, 80, NULL, 0), 3);
    T_EQ(kit_mp_returned("k0"), 3 + 4);
    struct sampleproto_stats s = sx_stats("k0");
    T_EQ(s.received, 7);
    T_EQ(s.received_bytes, 7 * 80);
    T_EQ(sampleproto_frames_of_type(&s, 0x88b5), 7);
    T_EQ(kit_reports(), 0);
    kit_host_done(h);
}

TEST(link_indications_are_followed)
{
    ndis_host *h = kit_nic();
    struct sampleproto_stats s = sx_stats("k0");
    unsigned long long ind = s.status_indications, changes = s.link_changes;
    kit_mp_indicate_link("k0", false, 0);
    s = sx_stats("k0");
    T_EQ(s.link_up, 0);
    T_EQ(s.link_speed, 0);
    T_EQ(s.link_changes, changes + 1);
    T_EQ(s.status_indications, ind + 1);
    kit_mp_indicate_link("k0", true, 100000000ull);
    s = sx_stats("k0");
    T_EQ(s.link_up, 1);
    T_EQ(s.link_speed, 100000000ull);
    T_EQ(s.link_changes, changes + 2);
    kit_host_done(h);
}

/* ---- NDIS pends the open and the close -------------------------------------------- */

TEST(pended_opens_and_closes_complete_the_bind_and_unbind)
{
    ndis_host_options o = {.name = "pend",
                           .fault_flags = NDIS_HOST_FAULT_PEND_OPEN | NDIS_HOST_FAULT_PEND_CLOSE};
    ndis_host *h = sx_host_opts(&o);
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h); /* ProtocolOpenAdapterCompleteEx finishes each bind */
    T_STREQ(sx_binding_state(h, "sampleproto", "virt0"), "Running");
    T_STREQ(sx_binding_state(h, "sampleproto", "virt1"), "Running");
    T_EQ(sampleproto_send("virt1", sx_bcast, 0x3333, 60, 2), 2);
    T_EQ(sx_wait_frames("virt0", 0x3333, 2), 2);
    T_EQ(ndis_host_remove_adapter(h, "virt1"), 0); /* ProtocolCloseAdapterCompleteEx */
    T_EQ(ndis_host_unload_driver(h, "sampleproto"), 0);
    unsigned n = 1;
    T_EQ(ndis_host_list_bindings(h, NULL, 0, &n), 0);
    T_EQ(n, 0);
    kit_host_done(h);
}

TEST(loading_twice_in_one_process_starts_clean)
{
    for (int round = 0; round < 2; round++) {
        ndis_host *h = sx_host();
        sx_add(h, "virt0");
        sx_add(h, "virt1");
        sx_load_sampleproto(h);
        T_EQ(sampleproto_send("virt0", sx_bcast, 0x4444, 60, 5), 5);
        T_EQ(sx_wait_frames("virt1", 0x4444, 5), 5);
        T_EQ(sx_stats("virt0").sent, 5); /* not 10: a new load, new counters */
        kit_host_done(h);
    }
}

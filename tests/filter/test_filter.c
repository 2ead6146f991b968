/*
 * test_filter.c - filter drivers and modules (issue 4): registration return
 * codes, attach/detach order with several filters, order by FilterClass and
 * stable across restarts, insertion and removal under traffic with
 * exactly-once accounting, mandatory vs optional attach failure, pended
 * FilterPause, filter-originated NBLs, OID cloning through two filters, bypass,
 * module options, status and PnP events through modules, deregistration rules.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kit.h"
#include "test.h"

static ndis_module_info mi[32];
static ndis_binding_info bi[32];

static const char *module_order(ndis_host *h, const char *adapter)
{
    static char buf[256];
    unsigned n;
    T_EQ(ndis_host_list_modules(h, adapter, mi, 32, &n), 0);
    buf[0] = 0;
    for (unsigned i = 0; i < n; i++) {
        strcat(buf, i ? "," : "");
        strcat(buf, mi[i].filter);
    }
    return buf;
}

static const char *module_state(ndis_host *h, const char *filter, const char *adapter)
{
    unsigned n;
    T_EQ(ndis_host_list_modules(h, adapter, mi, 32, &n), 0);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(mi[i].filter, filter))
            return mi[i].state;
    return "none";
}

static const char *binding_state(ndis_host *h, const char *proto, const char *adapter)
{
    unsigned n;
    T_EQ(ndis_host_list_bindings(h, bi, 32, &n), 0);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(bi[i].protocol, proto) && !strcmp(bi[i].adapter, adapter))
            return bi[i].state;
    return "none";
}

static ndis_driver_config fcfg(const char *cls, int type, int run)
{
    ndis_driver_config c = {.filter_class = cls, .filter_type = type, .filter_run_type = run};
    return c;
}

static ndis_host *stack_with(int nfilters, const char *const *classes)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    for (int i = 0; i < nfilters; i++) {
        char n[8] = "kitf0";
        n[4] = (char)('0' + i);
        ndis_driver_config c = fcfg(classes ? classes[i] : "custom", 2, 2);
        T_EQ(ndis_host_load_driver(h, n, kit_filter_entry, &c), 0);
    }
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

/* ---- registration ------------------------------------------------------------------- */

static void no_attach(NDIS_FILTER_DRIVER_CHARACTERISTICS *c)
{
    c->AttachHandler = NULL;
}
static void bad_guid(NDIS_FILTER_DRIVER_CHARACTERISTICS *c)
{
    static WCHAR g[] = {'n', 'o', 't', '-', 'a', '-', 'g', 'u', 'i', 'd'};
    c->UniqueName.Buffer = g;
    c->UniqueName.Length = c->UniqueName.MaximumLength = sizeof(g);
}
static void major5(NDIS_FILTER_DRIVER_CHARACTERISTICS *c)
{
    c->MajorNdisVersion = 5;
}
static void small(NDIS_FILTER_DRIVER_CHARACTERISTICS *c)
{
    c->Header.Size = 16;
}

TEST(filter_register_return_codes)
{
    void (*muts[])(NDIS_FILTER_DRIVER_CHARACTERISTICS *) = {NULL, no_attach, bad_guid, major5,
                                                             small};
    NDIS_STATUS want[] = {NDIS_STATUS_SUCCESS, NDIS_STATUS_BAD_CHARACTERISTICS,
                          NDIS_STATUS_BAD_CHARACTERISTICS, NDIS_STATUS_BAD_VERSION,
                          NDIS_STATUS_BAD_CHARACTERISTICS};
    for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ndis_host *h = kit_host();
        kit_filter[0].mutate_chars = muts[i];
        int rc = ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL);
        T_EQ(kit_filter[0].last_register_status, want[i]);
        T_EQ(rc, want[i] == NDIS_STATUS_SUCCESS ? 0 : -EIO);
        kit_host_done(h);
    }
    ndis_host *h = kit_host();
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 1);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), -EIO);
    T_EQ(kit_filter[0].last_register_status, NDIS_STATUS_RESOURCES);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 0);
    kit_host_done(h);
}

/* ---- order --------------------------------------------------------------------------- */

TEST(attach_bottom_up_detach_top_down)
{
    static const char *const cls[] = {"custom", "custom", "custom"};
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    for (int i = 0; i < 3; i++) {
        char n[8] = "kitf0";
        n[4] = (char)('0' + i);
        ndis_driver_config c = fcfg(cls[i], 2, 2);
        T_EQ(ndis_host_load_driver(h, n, kit_filter_entry, &c), 0);
    }
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* Same class: UniqueName decides, the smallest highest. */
    T_STREQ(module_order(h, "a0"), "kitf2,kitf1,kitf0");
    T_ASSERT(kit_log_index("FilterAttach(kitf2,a0)") < kit_log_index("FilterAttach(kitf1,a0)"));
    T_ASSERT(kit_log_index("FilterAttach(kitf1,a0)") < kit_log_index("FilterAttach(kitf0,a0)"));
    /* Restart: miniport, then modules bottom to top. */
    T_ASSERT(kit_log_index("MiniportRestart(a0)") < kit_log_index("FilterRestart(kitf2,a0)"));
    T_ASSERT(kit_log_index("FilterRestart(kitf2,a0)") < kit_log_index("FilterRestart(kitf0,a0)"));
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    T_ASSERT(kit_log_index("FilterPause(kitf0,a0)") < kit_log_index("FilterPause(kitf2,a0)"));
    T_ASSERT(kit_log_index("FilterPause(kitf2,a0)") < kit_log_index("MiniportPause(a0)"));
    T_ASSERT(kit_log_index("FilterDetach(kitf0,a0)") < kit_log_index("FilterDetach(kitf2,a0)"));
    T_ASSERT(kit_log_index("FilterDetach(kitf2,a0)") < kit_log_index("MiniportHaltEx(a0"));
    kit_host_done(h);
}

TEST(order_by_class_and_stable_across_restarts)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    ndis_driver_config f0 = fcfg("diagnostic", 2, 2), f1 = fcfg("scheduler", 2, 2),
                       f2 = fcfg("compression", 2, 2), f3 = fcfg(NULL, 1, 2);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, &f0), 0);
    T_EQ(ndis_host_load_driver(h, "kitf3", kit_filter_entry, &f3), 0); /* monitoring */
    T_EQ(ndis_host_load_driver(h, "kitf1", kit_filter_entry, &f1), 0);
    T_EQ(ndis_host_load_driver(h, "kitf2", kit_filter_entry, &f2), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* Bottom first: diagnostic < compression < scheduler, monitoring on top. */
    T_STREQ(module_order(h, "a0"), "kitf0,kitf2,kitf1,kitf3");
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_STREQ(module_order(h, "a0"), "kitf0,kitf2,kitf1,kitf3");
    /* Re-registering a filter keeps its place. */
    T_EQ(ndis_host_unload_driver(h, "kitf2"), 0);
    T_STREQ(module_order(h, "a0"), "kitf0,kitf1,kitf3");
    T_EQ(ndis_host_load_driver(h, "kitf2", kit_filter_entry, &f2), 0);
    T_STREQ(module_order(h, "a0"), "kitf0,kitf2,kitf1,kitf3");
    kit_host_done(h);
}

/* ---- insertion and removal in a running stack ------------------------------------------ */

TEST(insert_and_remove_pause_and_restart_the_stack)
{
    ndis_host *h = stack_with(0, NULL);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    kit_log_reset();
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    /* pausing-a-driver-stack.md, then attach, then restart bottom up. */
    int pp = kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Pause)");
    int mp = kit_log_index("MiniportPause(a0)");
    int at = kit_log_index("FilterAttach(kitf0,a0)");
    int mr = kit_log_index("MiniportRestart(a0)");
    int fr = kit_log_index("FilterRestart(kitf0,a0)");
    int pr = kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Restart)");
    T_ASSERT(pp >= 0 && pp < mp && mp < at && at < mr && mr < fr && fr < pr);
    T_STREQ(module_state(h, "kitf0", "a0"), "Running");
    kit_log_reset();
    T_EQ(ndis_host_unload_driver(h, "kitf0"), 0);
    T_ASSERT(kit_log_index("FilterPause(kitf0,a0)") < kit_log_index("FilterDetach(kitf0,a0)"));
    T_ASSERT(kit_log_index("FilterDetach(kitf0,a0)") < kit_log_index("FilterDeregisterReturned"));
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_STREQ(module_order(h, "a0"), "");
    kit_host_done(h);
}

static ndis_host *traffic_host;
static atomic_int traffic_stop;
static atomic_ulong sent_total, indicated_total;

static void *traffic(void *arg)
{
    long kind = (long)arg;
    while (!atomic_load(&traffic_stop)) {
        if (kind == 0)
            atomic_fetch_add(&sent_total, kit_proto_send(0, "a0", 4, 60, NULL));
        else
            atomic_fetch_add(&indicated_total, kit_mp_indicate("a0", 4, 60, NULL, 0));
    }
    return NULL;
}

TEST(insertion_and_removal_under_traffic_exactly_once)
{
    ndis_host *h = stack_with(0, NULL);
    traffic_host = h;
    atomic_store(&traffic_stop, 0);
    atomic_store(&sent_total, 0);
    atomic_store(&indicated_total, 0);
    pthread_t t[2];
    pthread_create(&t[0], NULL, traffic, (void *)0);
    pthread_create(&t[1], NULL, traffic, (void *)1);
    for (int r = 0; r < 6 || ((atomic_load(&sent_total) < 200 || atomic_load(&indicated_total) < 200) &&
                               r < 2000);
         r++) {
        T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
        T_EQ(ndis_host_load_driver(h, "kitf1", kit_filter_entry, NULL), 0);
        T_EQ(ndis_host_unload_driver(h, "kitf0"), 0);
        T_EQ(ndis_host_unload_driver(h, "kitf1"), 0);
    }
    atomic_store(&traffic_stop, 1);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    unsigned long sent = atomic_load(&sent_total), ind = atomic_load(&indicated_total);
    t_log("%lu sent (%lu reached the miniport), %lu indicated (%lu received)", sent,
          (unsigned long)kit_mp_sends_seen("a0"), ind,
          (unsigned long)atomic_load(&kit_proto[0].received));
    T_ASSERT(sent > 0 && ind > 0);
    /* Every send completed once (some with NDIS_STATUS_PAUSED), every indication returned once. */
    T_EQ(atomic_load(&kit_proto[0].send_completed), sent);
    T_EQ(kit_mp_returned("a0"), ind);
    kit_host_done(h);
}

/* ---- mandatory and optional ------------------------------------------------------------- */

TEST(mandatory_attach_failure_keeps_bindings_down)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    kit_filter[0].attach_status = NDIS_STATUS_RESOURCES;
    ndis_driver_config mand = fcfg("custom", 2, 1);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, &mand), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "none");
    T_EQ(kit_log_count("MiniportRestart(a0)"), 0);
    /* The filter goes away: the adapter runs and the protocol binds. */
    T_EQ(ndis_host_unload_driver(h, "kitf0"), 0);
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    NdisReEnumerateProtocolBindings(kit_proto_handle(0));
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    kit_host_done(h);
}

TEST(optional_attach_failure_is_skipped)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    kit_filter[0].attach_status = NDIS_STATUS_RESOURCES;
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf1", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_STREQ(module_order(h, "a0"), "kitf1");
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    kit_host_done(h);
}

TEST(attach_without_set_attributes_is_reported)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    kit_filter[0].skip_set_attributes = true;
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    kit_expect_reports(1, "attached without NdisFSetAttributes");
    T_STREQ(module_order(h, "a0"), "");
    /* NDIS never learned the module's context, so it cannot detach it: what the
       filter allocated for it leaks and its unload says so. */
    T_EQ(kit_log_count("FilterDetach"), 0);
    T_EQ(ndis_host_unload_driver(h, "kitf0"), -EBUSY);
    T_EQ(kit_reports_matching("leaked"), 1);
    T_EQ(kit_reports_matching("NET_BUFFER_LIST pools"), 1);
    kit_reports_clear();
    kit_host_done(h);
}

/* ---- pause, origination, bypass ---------------------------------------------------------- */

TEST(pended_filter_pause)
{
    ndis_host *h = stack_with(1, NULL);
    kit_filter[0].pend_pause = true;
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    int fp = kit_log_index("FilterPause(kitf0,a0)");
    int done = kit_log_index("NdisFPauseComplete(kitf0,a0)");
    int mp = kit_log_last("MiniportPause(a0)");
    T_ASSERT(fp >= 0 && fp < done && done < mp);
    T_STREQ(module_state(h, "kitf0", "a0"), "Paused");
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_STREQ(module_state(h, "kitf0", "a0"), "Running");
    kit_host_done(h);
}

TEST(filter_originates_and_completes_its_own_nbls)
{
    ndis_host *h = stack_with(1, NULL);
    T_EQ(kit_filter_send(0, "a0", 5), 5);
    T_EQ(kit_mp_sends_seen("a0"), 5);
    T_EQ(atomic_load(&kit_filter[0].own_send_completes), 5);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 0);
    T_EQ(kit_filter_indicate(0, "a0", 3), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 3);
    T_EQ(atomic_load(&kit_filter[0].own_returns), 3);
    T_EQ(kit_mp_returned("a0"), 0);
    kit_host_done(h);
}

TEST(two_filters_pass_traffic_and_drop_by_ethertype)
{
    ndis_host *h = stack_with(2, NULL);
    T_EQ(kit_proto_send(0, "a0", 6, 60, NULL), 6);
    T_EQ(kit_mp_indicate("a0", 4, 60, NULL, 0), 4);
    T_EQ(atomic_load(&kit_filter[0].sends), 6);
    T_EQ(atomic_load(&kit_filter[1].sends), 6);
    T_EQ(atomic_load(&kit_filter[0].receives), 4);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 6);
    T_EQ(atomic_load(&kit_proto[0].received), 4);
    T_EQ(kit_mp_returned("a0"), 4);
    /* The kit's frames carry EtherType 0x88b5: drop them in the top filter. */
    kit_filter[1].drop_ethertype = 0x88b5;
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    T_EQ(kit_mp_indicate("a0", 2, 60, NULL, 0), 2);
    T_EQ(kit_mp_sends_seen("a0"), 6);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 9);
    T_EQ(atomic_load(&kit_proto[0].received), 4);
    T_EQ(kit_mp_returned("a0"), 6);
    kit_host_done(h);
}

TEST(bypassing_modules_are_not_called)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    for (int i = 0; i < 2; i++)
        kit_filter[i].bypass_send = kit_filter[i].bypass_receive = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf1", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(kit_proto_send(0, "a0", 5, 60, NULL), 5);
    T_EQ(kit_mp_indicate("a0", 5, 60, NULL, 0), 5);
    T_EQ(atomic_load(&kit_filter[0].sends) + atomic_load(&kit_filter[1].sends), 0);
    T_EQ(atomic_load(&kit_filter[0].receives) + atomic_load(&kit_filter[1].receives), 0);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 5);
    T_EQ(atomic_load(&kit_proto[0].received), 5);
    kit_host_done(h);
}

TEST(restart_filter_switches_to_bypass)
{
    ndis_host *h = stack_with(1, NULL);
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    T_EQ(atomic_load(&kit_filter[0].sends), 2);
    kit_filter[0].bypass_after_restart = true;
    T_EQ(NdisFRestartFilter(kit_filter_module(0, "a0")), NDIS_STATUS_SUCCESS);
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0); /* orders after the queued restart */
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_EQ(kit_log_count("FilterSetModuleOptions(kitf0,a0)"), 1);
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    T_EQ(atomic_load(&kit_filter[0].sends), 2);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 5);
    kit_host_done(h);
}

/* ---- control path through modules --------------------------------------------------------- */

TEST(oid_cloned_through_two_filters)
{
    ndis_host *h = stack_with(2, NULL);
    kit_filter[0].clone_oids = kit_filter[1].clone_oids = true;
    atomic_store(&kit_filter[0].oids, 0); /* the protocol's packet filter went through */
    atomic_store(&kit_filter[1].oids, 0);
    ULONG v = 0, needed = 0;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_SUCCESS);
    T_EQ(v, 1514);
    T_EQ(atomic_load(&kit_filter[0].oids), 1);
    T_EQ(atomic_load(&kit_filter[1].oids), 1);
    /* Pended at the miniport: completions travel back through both clones. */
    kit_mp.pend_oids = true;
    T_EQ(kit_proto_oid(0, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_TOTAL_SIZE, &v,
                       sizeof(v), &needed),
         NDIS_STATUS_PENDING);
    kit_mp_complete_oid("a0", NDIS_STATUS_SUCCESS);
    T_EQ(kit_log_count("FilterOidRequestComplete(kitf0,a0"), 1);
    T_EQ(kit_log_count("FilterOidRequestComplete(kitf1,a0"), 1);
    T_EQ(atomic_load(&kit_proto[0].oid_completed), 1);
    T_EQ(kit_proto[0].last_oid_status, NDIS_STATUS_SUCCESS);
    kit_host_done(h);
}

TEST(status_and_pnp_events_pass_through_modules)
{
    ndis_host *h = stack_with(1, NULL);
    kit_mp_indicate_link("a0", false, 0);
    T_EQ(atomic_load(&kit_filter[0].status_indications), 1);
    T_EQ(atomic_load(&kit_proto[0].link_down_seen), 1);
    T_EQ(ndis_host_net_pnp_event(h, "a0", NetEventReconfigure, NULL, 0), 0);
    T_ASSERT(kit_log_index("FilterNetPnPEvent(kitf0,a0,") <
             kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Other)"));
    T_EQ(ndis_host_surprise_remove_adapter(h, "a0"), 0);
    T_ASSERT(kit_log_index("FilterDevicePnPEventNotify(kitf0,a0,") <
             kit_log_index("MiniportDevicePnPEventNotify(a0,"));
    kit_host_done(h);
}

/* ---- deregistration --------------------------------------------------------------------- */

TEST(filter_and_protocol_deregister_while_the_other_is_bound)
{
    ndis_host *h = stack_with(1, NULL);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    T_STREQ(module_state(h, "kitf0", "a0"), "Running");
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitf0"), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 2);
    kit_host_done(h);
}

TEST(deregister_from_filter_callback_is_refused)
{
    ndis_host *h = stack_with(1, NULL);
    kit_filter[0].deregister_in_detach = true;
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    kit_expect_reports(1, "never from a FilterXxx function");
    kit_filter[0].deregister_in_detach = false;
    T_EQ(ndis_host_unload_driver(h, "kitf0"), 0);
    kit_host_done(h);
}

/* An indication with NDIS_RECEIVE_FLAGS_RESOURCES passes through a module as it
   came and reaches the protocol; ownership is back with the miniport when the
   indication returns. */
TEST(resources_indication_passes_through_a_module)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(kit_mp_indicate("a0", 5, 64, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 5);
    T_EQ(atomic_load(&kit_filter[0].receives), 5);
    T_EQ(atomic_load(&kit_proto[0].received), 5);
    T_EQ(kit_reports(), 0);
    kit_host_done(h);
}

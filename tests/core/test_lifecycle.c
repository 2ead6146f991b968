/*
 * test_lifecycle.c - adapters and bindings through their states: arrival
 * binds registered protocols, registration binds existing adapters, removal
 * while bound follows concepts/stopping-a-driver-stack.md, pause and restart
 * (pended too), pended binds and opens, initialization without attributes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit.h"
#include "test.h"

static ndis_binding_info bi[64];
static ndis_adapter_info ai[64];

static const char *binding_state(ndis_host *h, const char *proto, const char *adapter)
{
    unsigned n;
    T_EQ(ndis_host_list_bindings(h, bi, 64, &n), 0);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(bi[i].protocol, proto) && !strcmp(bi[i].adapter, adapter))
            return bi[i].state;
    return "none";
}

static const char *adapter_state(ndis_host *h, const char *adapter)
{
    unsigned n;
    T_EQ(ndis_host_list_adapters(h, ai, 64, &n), 0);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(ai[i].name, adapter))
            return ai[i].state;
    return "none";
}

TEST(adapter_arrival_after_registration_binds)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(kit_log_count("ProtocolBindAdapterEx"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* starting-a-driver-stack.md: init, bind (Paused), then restart the stack. */
    int init = kit_log_index("MiniportInitializeEx(a0)");
    int bind = kit_log_index("ProtocolBindAdapterEx(kitp0,a0)");
    int mrestart = kit_log_index("MiniportRestart(a0)");
    int prestart = kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Restart)");
    T_ASSERT(init >= 0 && init < bind && bind < mrestart && mrestart < prestart);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_STREQ(adapter_state(h, "a0"), "Running");
    /* ProtocolSection: <protocol service>\Parameters\Adapters\<adapter>. */
    T_STREQ(kit_proto[0].last_protocol_section, "kitp0\\Parameters\\Adapters\\a0");
    kit_host_done(h);
}

TEST(registration_binds_existing_adapters)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    /* Synchronous: when the load returns, the binds it caused are done. */
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_STREQ(binding_state(h, "kitp0", "a1"), "Running");
    T_EQ(kit_log_count("ProtocolBindAdapterEx"), 2);
    kit_host_done(h);
}

TEST(adapter_removal_while_bound)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    /* Pause bindings, pause the miniport, unbind, then halt. */
    int p0 = kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Pause)");
    int p1 = kit_log_index("ProtocolNetPnPEvent(kitp1,a0,Pause)");
    int mp = kit_log_index("MiniportPause(a0)");
    int u0 = kit_log_index("ProtocolUnbindAdapterEx(kitp0,a0)");
    int u1 = kit_log_index("ProtocolUnbindAdapterEx(kitp1,a0)");
    int halt = kit_log_index("MiniportHaltEx(a0,");
    T_ASSERT(p0 >= 0 && p1 >= 0 && p0 < mp && p1 < mp);
    T_ASSERT(u0 > mp && u1 > mp && u0 < halt && u1 < halt);
    T_EQ(kit_log_count("MiniportHaltEx(a0,"), 1);
    T_STREQ(adapter_state(h, "a0"), "none");
    kit_host_done(h);
}

TEST(surprise_removal_notifies_then_halts)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_surprise_remove_adapter(h, "a0"), 0);
    int ev = kit_log_index("MiniportDevicePnPEventNotify(a0,");
    T_ASSERT(ev >= 0 && ev < kit_log_index("ProtocolUnbindAdapterEx(kitp0,a0)"));
    char halt[64];
    snprintf(halt, sizeof(halt), "MiniportHaltEx(a0,%d)", (int)NdisHaltDeviceSurpriseRemoved);
    T_EQ(kit_log_count(halt), 1);
    kit_host_done(h);
}

TEST(pause_and_restart_adapter)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    kit_log_reset();
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_STREQ(adapter_state(h, "a0"), "Paused");
    T_STREQ(binding_state(h, "kitp0", "a0"), "Paused");
    T_ASSERT(kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Pause)") < kit_log_index("MiniportPause(a0)"));
    /* A protocol that arrives while the adapter is paused stays paused. */
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    T_STREQ(binding_state(h, "kitp1", "a0"), "Paused");
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_ASSERT(kit_log_index("MiniportRestart(a0)") < kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Restart)"));
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_STREQ(binding_state(h, "kitp1", "a0"), "Running");
    T_STREQ(adapter_state(h, "a0"), "Running");
    kit_host_done(h);
}

TEST(pended_pause_and_restart_complete_later)
{
    ndis_host *h = kit_host();
    kit_mp.pend_pause = kit_mp.pend_restart = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_STREQ(adapter_state(h, "a0"), "Running");
    T_ASSERT(kit_log_index("NdisMRestartComplete(a0)") > kit_log_index("MiniportRestart(a0)"));
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_STREQ(adapter_state(h, "a0"), "Paused");
    T_ASSERT(kit_log_index("NdisMPauseComplete(a0)") > kit_log_index("MiniportPause(a0)"));
    kit_host_done(h);
}

/* nc-ndis-miniport_restart.md: a miniport may indicate receives as soon as
   MiniportRestart is called, before NdisMRestartComplete; the layers above are
   still paused, so NDIS hands them straight back. */
static void *restart_a0(void *h)
{
    ndis_host_restart_adapter(h, "a0");
    return NULL;
}

TEST(receives_while_restarting_are_accepted_and_returned)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    kit_mp.pend_restart = kit_mp.manual = true;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, restart_a0, h), 0);
    for (int i = 0; i < 2000 && strcmp(adapter_state(h, "a0"), "Restarting") != 0; i++)
        NdisMSleep(1000);
    T_STREQ(adapter_state(h, "a0"), "Restarting");
    T_EQ(kit_mp_indicate("a0", 3, 64, NULL, 0), 3);
    T_EQ(kit_mp_returned("a0"), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 0); /* the binding is still paused */
    kit_mp_complete_restart("a0", NDIS_STATUS_SUCCESS);
    T_EQ(pthread_join(t, NULL), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_EQ(kit_reports(), 0);
    kit_host_done(h);
}

TEST(restart_failure_leaves_adapter_paused)
{
    ndis_host *h = kit_host();
    kit_mp.restart_status = NDIS_STATUS_FAILURE;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_STREQ(adapter_state(h, "a0"), "Paused");
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Paused");
    kit_mp.restart_status = NDIS_STATUS_SUCCESS;
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    kit_host_done(h);
}

TEST(pended_bind_and_pended_pause)
{
    ndis_host *h = kit_host();
    kit_proto[0].pend_bind = kit_proto[0].pend_pause = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_ASSERT(kit_log_index("CompleteBind(kitp0,a0)") <
             kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Restart)"));
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_ASSERT(kit_log_index("CompletePnP(kitp0,a0)") < kit_log_index("MiniportPause(a0)"));
    kit_host_done(h);
}

TEST(pended_open_completes_through_open_adapter_complete)
{
    ndis_host_options o = {.fault_flags = NDIS_HOST_FAULT_PEND_OPEN};
    ndis_host *h = kit_host_opts(&o);
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(kit_proto[0].last_open_status, NDIS_STATUS_PENDING);
    T_EQ(kit_log_count("ProtocolOpenAdapterCompleteEx(kitp0,a0)"), 1);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    kit_host_done(h);
}

TEST(failed_bind_and_unsupported_medium)
{
    ndis_host *h = kit_host();
    kit_proto[0].bind_status = NDIS_STATUS_RESOURCES;
    kit_proto[1].fail_open_medium = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "none");
    T_EQ(kit_proto[0].last_close_status, NDIS_STATUS_SUCCESS);
    T_EQ(kit_proto[1].last_open_status, NDIS_STATUS_UNSUPPORTED_MEDIA);
    T_STREQ(binding_state(h, "kitp1", "a0"), "none");
    kit_host_done(h);
}

TEST(initialize_without_attributes_fails_with_diagnostic)
{
    ndis_host *h = kit_host();
    kit_mp.skip_registration_attrs = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), -EIO);
    kit_expect_reports(1, "without registration attributes");
    kit_mp.skip_registration_attrs = false;
    kit_mp.skip_general_attrs = true;
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), -EIO);
    kit_expect_reports(1, "without general attributes");
    /* NDIS halted the adapter it could not use: the driver freed its context. */
    T_EQ(kit_log_count("MiniportHaltEx(a1,"), 1);
    kit_mp.skip_general_attrs = false;
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a2", NULL), 0);
    /* a0's context leaked: without registration attributes NDIS never learned it
       and cannot halt it. The unload names what the driver left behind. */
    T_EQ(ndis_host_unload_driver(h, "kitmp"), -EBUSY);
    T_EQ(kit_reports_matching("leaked 1 block"), 1);
    T_EQ(kit_reports_matching("NET_BUFFER_LIST pools"), 1);
    kit_reports_clear();
    kit_host_done(h);
}

TEST(initialize_failure_status_leaves_no_adapter)
{
    ndis_host *h = kit_host();
    kit_mp.init_status = NDIS_STATUS_ADAPTER_NOT_FOUND;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), -EIO);
    T_STREQ(adapter_state(h, "a0"), "none");
    T_EQ(kit_log_count("MiniportHaltEx"), 0);
    kit_host_done(h);
}

TEST(miniport_unload_halts_adapters_first)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitmp"), 0);
    int unload = kit_log_index("MiniportDriverUnload");
    T_ASSERT(kit_log_last("MiniportHaltEx") < unload);
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,"), 2);
    kit_host_done(h);
}

TEST(unbind_adapter_requested_by_the_protocol)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(NdisUnbindAdapter(kit_proto_binding(0, "a0")), NDIS_STATUS_SUCCESS);
    /* The unbind runs as queued PnP work; a host call orders after it. */
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,a0)"), 1);
    T_STREQ(binding_state(h, "kitp0", "a0"), "none");
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    /* NdisReEnumerateProtocolBindings binds it again. */
    NdisReEnumerateProtocolBindings(kit_proto_handle(0));
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    kit_host_done(h);
}

TEST(disabled_binding_is_not_offered)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_set_binding_enabled(h, "kitp0", "a1", false), 0);
    T_STREQ(binding_state(h, "kitp0", "a1"), "Disabled");
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,a1)"), 1);
    T_EQ(ndis_host_set_binding_enabled(h, "kitp0", "a1", true), 0);
    T_STREQ(binding_state(h, "kitp0", "a1"), "Running");
    kit_host_done(h);
}

/* A disabled binding stays disabled across a restart of the host on the same
   configuration store, and an enabled one binds again. */
static ndis_host *host_on(const char *dir)
{
    ndis_host_options o = {.name = "test", .wait_timeout_ms = 3000, .registry_dir = dir};
    ndis_host *h = kit_host_opts(&o);
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

TEST(disabled_binding_survives_a_restart)
{
    char dir[] = "/tmp/ndis-bindcfg-XXXXXX";
    T_ASSERT(mkdtemp(dir) != NULL);
    ndis_host *h = host_on(dir);
    T_EQ(ndis_host_set_binding_enabled(h, "kitp0", "a1", false), 0);
    kit_host_done(h);

    h = host_on(dir);
    T_STREQ(binding_state(h, "kitp0", "a1"), "Disabled");
    T_STREQ(binding_state(h, "kitp0", "a0"), "Running");
    T_EQ(kit_log_count("ProtocolBindAdapterEx(kitp0,a1)"), 0);
    T_EQ(ndis_host_set_binding_enabled(h, "kitp0", "a1", true), 0);
    kit_host_done(h);

    h = host_on(dir);
    T_STREQ(binding_state(h, "kitp0", "a1"), "Running");
    kit_host_done(h);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    T_EQ(system(cmd), 0);
}

static ndis_driver_config noupper = {.upper_range = "noupper"};

TEST(bind_rules_follow_interface_ranges)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, &noupper), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_STREQ(binding_state(h, "kitp0", "a0"), "none");
    ndis_driver_config wan = {.lower_range = "noupper, ndis5"};
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, &wan), 0);
    T_STREQ(binding_state(h, "kitp1", "a0"), "Running");
    kit_host_done(h);
}

/* Adapters are found by name among many (the host's name index grows and
   shrinks with them): duplicates refused, removed names reusable. */
TEST(many_adapters_by_name)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    char n[16];
    for (int i = 0; i < 60; i++) {
        snprintf(n, sizeof(n), "m%d", i);
        T_EQ(ndis_host_add_adapter(h, "kitmp", n, NULL), 0);
    }
    T_EQ(ndis_host_add_adapter(h, "kitmp", "m17", NULL), -EEXIST);
    kit_expect_reports(0, "");
    for (int i = 0; i < 60; i += 2) {
        snprintf(n, sizeof(n), "m%d", i);
        T_EQ(ndis_host_remove_adapter(h, n), 0);
    }
    T_EQ(ndis_host_remove_adapter(h, "m0"), -ENOENT);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "m0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "m1", NULL), -EEXIST);
    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(h, &c), 0);
    T_EQ(c.adapters, 31);
    kit_host_done(h);
}

/* A system shutdown: the stack pauses, MiniportShutdownEx(NdisShutdownPowerOff)
   runs, and NDIS calls nothing else of the adapter - not MiniportHaltEx when
   the instance goes; what the miniport kept for it is not a leak. */
TEST(system_shutdown_calls_miniport_shutdown_and_never_halt)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_shutdown(h), 0);
    int ppause = kit_log_index("ProtocolNetPnPEvent(kitp0,a0,Pause)");
    int mpause = kit_log_index("MiniportPause(a0)");
    int shut = kit_log_index("MiniportShutdownEx(a0,0)"); /* NdisShutdownPowerOff */
    T_ASSERT_MSG(ppause >= 0 && ppause < mpause && mpause < shut, "%s", kit_log_text());
    T_STREQ(adapter_state(h, "a0"), "Shutdown");
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2); /* completed by NDIS: paused */
    T_EQ(kit_mp_sends_seen("a0"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), -ESHUTDOWN);
    T_EQ(ndis_host_restart_adapter(h, "a0"), -ESHUTDOWN);
    kit_host_done(h);
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,a0)"), 1);
    T_EQ(kit_log_count("MiniportHaltEx"), 0);
    T_EQ(kit_log_count("MiniportShutdownEx"), 1);
}

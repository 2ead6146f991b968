/*
 * test_deregister.c - NdisDeregisterProtocolDriver exactly as its page says:
 * ProtocolUnbindAdapterEx once for each open binding, within the call (before it
 * returns), after pausing the binding; waiting for pended unbinds and closes;
 * refused (reported, not hung) from an entry point NDIS calls.
 */
#include <errno.h>
#include <stdio.h>

#include "kit.h"
#include "test.h"

static ndis_host *setup(int adapters)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    for (int i = 0; i < adapters; i++) {
        char name[16];
        snprintf(name, sizeof(name), "a%d", i);
        T_EQ(ndis_host_add_adapter(h, "kitmp", name, NULL), 0);
    }
    return h;
}

static void check_unbinds_inside_deregister(int adapters)
{
    int dereg = kit_log_index("DeregisterReturned(kitp0)");
    int unload = kit_log_index("Unload(kitp0)");
    T_ASSERT(unload >= 0 && dereg > unload);
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,"), adapters);
    for (int i = 0; i < adapters; i++) {
        char e[64];
        snprintf(e, sizeof(e), "ProtocolUnbindAdapterEx(kitp0,a%d)", i);
        T_EQ(kit_log_count(e), 1);
        int u = kit_log_index(e);
        T_ASSERT_MSG(u > unload && u < dereg, "unbind of a%d at %d is not inside the call (%d..%d)",
                     i, u, unload, dereg);
        /* Paused before it is unbound. */
        snprintf(e, sizeof(e), "ProtocolNetPnPEvent(kitp0,a%d,Pause)", i);
        T_ASSERT(kit_log_index(e) > unload && kit_log_index(e) < u);
    }
}

TEST(deregister_with_no_binding)
{
    ndis_host *h = setup(0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    check_unbinds_inside_deregister(0);
    kit_host_done(h);
}

TEST(deregister_with_one_binding)
{
    ndis_host *h = setup(1);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_ASSERT(kit_proto_binding(0, "a0"));
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    check_unbinds_inside_deregister(1);
    kit_host_done(h);
}

TEST(deregister_with_many_bindings)
{
    ndis_host *h = setup(12);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    T_EQ(c.bindings, 12);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    check_unbinds_inside_deregister(12);
    ndis_host_get_counts(h, &c);
    T_EQ(c.bindings, 0);
    kit_host_done(h);
}

TEST(deregister_waits_for_pended_unbinds)
{
    ndis_host *h = setup(4);
    kit_proto[0].pend_unbind = true;
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    check_unbinds_inside_deregister(4);
    for (int i = 0; i < 4; i++) {
        char e[64];
        snprintf(e, sizeof(e), "CompleteUnbind(kitp0,a%d)", i);
        T_ASSERT(kit_log_index(e) >= 0 && kit_log_index(e) < kit_log_index("DeregisterReturned"));
    }
    kit_host_done(h);
}

TEST(deregister_waits_for_pended_closes)
{
    ndis_host_options o = {.name = "pendclose", .fault_flags = NDIS_HOST_FAULT_PEND_CLOSE};
    ndis_host *h = kit_host_opts(&o);
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a1", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    T_EQ(kit_proto[0].last_close_status, NDIS_STATUS_PENDING);
    check_unbinds_inside_deregister(2);
    T_EQ(kit_log_count("ProtocolCloseAdapterCompleteEx(kitp0,"), 2);
    T_ASSERT(kit_log_last("ProtocolCloseAdapterCompleteEx") < kit_log_index("DeregisterReturned"));
    kit_host_done(h);
}

TEST(deregister_from_an_ndis_entry_point_is_refused_not_hung)
{
    ndis_host *h = setup(1);
    kit_proto[0].deregister_in_unbind = true;
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    /* Removing the adapter unbinds; the unbind handler calls the forbidden DDI. */
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    kit_expect_reports(1, "must not call NdisDeregisterProtocolDriver from any entry point");
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,a0)"), 1);
    /* The protocol is still registered and deregisters properly on unload. */
    kit_proto[0].deregister_in_unbind = false;
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    kit_host_done(h);
}

TEST(double_deregistration_is_reported)
{
    ndis_host *h = setup(1);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    NDIS_HANDLE ph = kit_proto_handle(0);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    NdisDeregisterProtocolDriver(ph);
    kit_expect_reports(1, "stale handle");
    kit_host_done(h);
}

TEST(protocol_unload_without_deregister_is_reported_and_cleaned)
{
    ndis_host *h = setup(2);
    kit_proto[0].skip_unload_deregister = true;
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), -EBUSY);
    kit_expect_reports(1, "without calling NdisDeregisterProtocolDriver");
    /* NDIS unbound what the protocol left behind. */
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,"), 2);
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    T_EQ(c.bindings, 0);
    kit_host_done(h);
}

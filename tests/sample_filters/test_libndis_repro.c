/*
 * test_libndis_repro.c - a reproduction of a libndis defect met while writing
 * the sample filters, fixed since (an NBL indicated with the resources flag is
 * now marked indicated while it is up the stack); kept as a regression test.
 *
 * filter_passes_a_resources_indication_up: receiving-data-in-a-filter-driver.md:
 * "A filter driver can pass on a buffer with NdisFIndicateReceiveNetBufferLists
 * even if NDIS sets the NDIS_RECEIVE_FLAGS_RESOURCES flag" (then it may not
 * return before it regains ownership). In libndis, NdisMIndicateReceiveNetBufferLists
 * used to leave NBLs indicated with that flag marked as owned by the miniport
 * (mark_indicated in src/datapath/receive.c only marks them indicated without
 * the flag), and the filter's NdisFIndicateReceiveNetBufferLists then refuses
 * them: "NET_BUFFER_LIST ... is owned by the driver that allocated it ...;
 * expected one owned by the indicating driver, or being indicated (passed up
 * from below)". Nothing reaches the protocol. The kit's own pass-through
 * filter shows it; so would passfilter and ethfilter.
 */
#include "kit.h"
#include "test.h"

TEST(filter_passes_a_resources_indication_up)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    ndis_driver_config c = {.filter_class = "custom", .filter_type = 2, .filter_run_type = 2};
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, &c), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(kit_mp_indicate("a0", 3, 60, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 3); /* was 0, and a verifier report */
    kit_host_done(h);
}

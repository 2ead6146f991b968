/*
 * test_ethfilter.c - ethfilter drops exactly the configured EtherTypes: where
 * the rules come from (module key over driver parameters over nothing), that
 * they are read again at restart, parsing of DropEtherTypes, drops on receive
 * (returned to the miniport, or not indicated under NDIS_RECEIVE_FLAGS_RESOURCES),
 * and the EtherType behind an 802.1Q tag.
 */
#include <string.h>

#include "filters_util.h"

#define KIT_TYPE 0x88B5 /* the EtherType of the kit's frames */

/* a0's module drops nothing (its own key, empty); a1 keeps the INF default. */
static ndis_host *stack_a0_open(void)
{
    ndis_host *h = sx_host();
    fx_set_module_rules(h, "a0", "");
    sx_add(h, "a0");
    sx_add(h, "a1");
    fx_load_passfilter(h);
    fx_load_ethfilter(h);
    sx_load_sampleproto(h);
    return h;
}

TEST(module_key_overrides_the_driver_default)
{
    ndis_host *h = stack_a0_open();
    ethfilter_counters e0 = fx_ef("a0"), e1 = fx_ef("a1");
    T_EQ(e0.rules_source, ETHFILTER_RULES_MODULE);
    T_EQ(e0.ntypes, 0);
    T_EQ(e1.rules_source, ETHFILTER_RULES_DRIVER);
    T_EQ(e1.ntypes, 2);
    kit_host_done(h);
}

/* IPv6 leaves a0 (no rules there) and is dropped by a1's module on receive. */
TEST(dropped_receives_go_back_to_the_miniport_unseen_above)
{
    ndis_host *h = stack_a0_open();
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_IPV6, 80, 3), 3);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_IPV4, 80, 2), 2);
    T_EQ(sx_wait_frames("a1", ETH_IPV4, 2), 2);
    sx_wait_balanced(h); /* every NBL virtmp indicated came back, dropped ones too */

    T_EQ(fx_dropped_receive("a1", ETH_IPV6), 3);
    T_EQ(fx_dropped_receive("a1", ETH_LLDP), 0);
    T_EQ(fx_dropped_send("a1", ETH_IPV6), 0);
    T_EQ(fx_ef("a1").passed_receive, 2);
    T_EQ(sx_frames("a1", ETH_IPV6), 0);
    T_EQ(fx_pf("a1").receive_nbls, 2); /* passfilter sits above: it never saw them */
    T_EQ(sx_statistics("a1").ifHCInBroadcastPkts, 5); /* the NIC did receive them */
    ndis_adapter_info a1 = sx_adapter_info(h, "a1");
    T_EQ(a1.indicated, 5);
    T_EQ(a1.returned, 5);
    kit_host_done(h);
}

TEST(rules_are_read_again_at_restart_and_counts_of_kept_types_stay)
{
    ndis_host *h = stack_a0_open();
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_LLDP, 60, 2), 2);
    fx_wait_dropped_receive("a1", ETH_LLDP, 2);

    fx_set_module_rules(h, "a1", "0x0800, 0x88CC");
    T_EQ(fx_ef("a1").rules_source, ETHFILTER_RULES_DRIVER); /* not before a restart */
    fx_restart(h, "a1");
    ethfilter_counters e1 = fx_ef("a1");
    T_EQ(e1.rules_source, ETHFILTER_RULES_MODULE);
    T_EQ(e1.ntypes, 2);
    T_EQ(e1.ethertype[0], ETH_IPV4);
    T_EQ(e1.ethertype[1], ETH_LLDP);
    T_EQ(fx_dropped_receive("a1", ETH_LLDP), 2); /* kept across the change */
    T_EQ(fx_dropped_receive("a1", ETH_IPV4), 0);

    T_EQ(sampleproto_send("a0", sx_bcast, ETH_IPV4, 60, 4), 4);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_IPV6, 60, 1), 1);
    T_EQ(sx_wait_frames("a1", ETH_IPV6, 1), 1); /* IPv6 passes now */
    sx_wait_balanced(h);
    T_EQ(fx_dropped_receive("a1", ETH_IPV4), 4);
    T_EQ(sx_frames("a1", ETH_IPV4), 0);

    /* Without the module's value the driver-wide default applies again; without
       that too, nothing is dropped. */
    fx_set_module_rules(h, "a1", NULL);
    fx_restart(h, "a1");
    T_EQ(fx_ef("a1").rules_source, ETHFILTER_RULES_DRIVER);
    T_EQ(fx_ef("a1").ntypes, 2);
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_DRIVER_DEFAULT, "ethfilter", "DropEtherTypes"), 0);
    fx_restart(h, "a1");
    T_EQ(fx_ef("a1").rules_source, ETHFILTER_RULES_NONE);
    T_EQ(fx_ef("a1").ntypes, 0);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_LLDP, 60, 1), 1);
    T_EQ(sx_wait_frames("a1", ETH_LLDP, 1), 1);
    kit_host_done(h);
}

TEST(malformed_entries_are_ignored_and_the_list_is_bounded)
{
    ndis_host *h = sx_host();
    /* zz: not hex; 0x05DC: an 802.3 length; 12345: more than 16 bits;
       0x86dd again: a duplicate; ';' and blanks separate too. */
    fx_set_module_rules(h, "a0", "0x86DD, zz, 0x05DC,12345 ,88cc;0x86dd");
    fx_set_module_rules(h, "a1", "9001 9002 9003 9004 9005 9006 9007 9008 9009 900A 900B 900C "
                                 "900D 900E 900F 9010 9011");
    sx_add(h, "a0");
    sx_add(h, "a1");
    fx_load_ethfilter(h);
    ethfilter_counters e0 = fx_ef("a0"), e1 = fx_ef("a1");
    T_EQ(e0.ntypes, 2);
    T_EQ(e0.ethertype[0], ETH_IPV6);
    T_EQ(e0.ethertype[1], ETH_LLDP);
    T_EQ(e1.ntypes, ETHFILTER_MAX_TYPES);
    T_EQ(e1.ethertype[0], 0x9001);
    T_EQ(e1.ethertype[ETHFILTER_MAX_TYPES - 1], 0x9010);
    kit_host_done(h);
}

/*
 * sampleproto fills the payload of frame i of a burst with bytes (i + offset):
 * after an 802.1Q tag (bytes 14-15) frame 0 carries the inner EtherType
 * 0x1011 (bytes 16-17), frame 1 0x1112.
 */
TEST(the_ethertype_behind_a_vlan_tag_is_matched)
{
    ndis_host *h = sx_host();
    fx_set_module_rules(h, "a0", "0x1011");
    sx_add(h, "a0");
    sx_add(h, "a1");
    fx_load_ethfilter(h);
    sx_load_sampleproto(h);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_VLAN, 60, 1), 0);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_VLAN, 60, 2), 1);
    T_EQ(fx_dropped_send("a0", 0x1011), 2);
    T_EQ(sx_wait_frames("a1", ETH_VLAN, 1), 1);
    /* The outer type alone is not a match, and a short frame is not judged. */
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_VLAN, 16, 1), 1);
    T_EQ(sx_wait_frames("a1", ETH_VLAN, 2), 2);
    kit_host_done(h);
}

/* ---- with the kit miniport: receive flags --------------------------------------------- */

static ndis_host *kit_stack(const char *rules)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    fx_set_module_rules(h, "a0", rules);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    fx_load_ethfilter(h);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

TEST(dropped_receives_are_returned_or_kept_from_above_by_receive_flags)
{
    ndis_host *h = kit_stack("0x88B5");
    /* Without NDIS_RECEIVE_FLAGS_RESOURCES: NdisFReturnNetBufferLists. */
    T_EQ(kit_mp_indicate("a0", 4, 60, NULL, 0), 4);
    T_EQ(kit_mp_returned("a0"), 4);
    /* With it: not indicated; the miniport has them back when the call returns. */
    T_EQ(kit_mp_indicate("a0", 3, 60, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 3);
    T_EQ(kit_mp_returned("a0"), 7);
    T_EQ(atomic_load(&kit_proto[0].received), 0);
    T_EQ(fx_dropped_receive("a0", KIT_TYPE), 7);

    /* Passing ones go up, with and without NDIS_RECEIVE_FLAGS_RESOURCES. */
    fx_set_module_rules(h, "a0", "0x86DD");
    fx_restart(h, "a0");
    T_EQ(kit_mp_indicate("a0", 2, 60, NULL, 0), 2);
    T_EQ(atomic_load(&kit_proto[0].received), 2);
    T_EQ(kit_mp_returned("a0"), 9);
    T_EQ(fx_ef("a0").passed_receive, 2);
    T_EQ(kit_mp_indicate("a0", 3, 60, NULL, NDIS_RECEIVE_FLAGS_RESOURCES), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 5);
    T_EQ(kit_mp_returned("a0"), 12);
    T_EQ(fx_ef("a0").passed_receive, 5);
    kit_host_done(h); /* no report: nothing returned twice or indicated after return */
}

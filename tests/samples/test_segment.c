/*
 * test_segment.c - virtmp's virtual Ethernet segment: which NIC receives a
 * frame (directed, broadcast, multicast with and without the group,
 * all-multicast, promiscuous, a filter of 0), that no NIC hears itself,
 * padding, the receive ring bound and its drop counters, and the
 * NetworkAddress / LinkUp / *ReceiveBuffers keywords.
 */
#include <string.h>

#include "samples_util.h"

static const unsigned char group_a[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
static const unsigned char group_b[6] = {0x01, 0x00, 0x5e, 0x0a, 0x0b, 0x0c};
static const unsigned char nobody[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

/* virt0, virt1, virt2 on the segment, sampleproto bound to each. */
static ndis_host *three_nics(void)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_add(h, "virt2");
    sx_load_sampleproto(h);
    return h;
}

TEST(directed_frames_reach_only_their_adapter)
{
    ndis_host *h = three_nics();
    unsigned char mac2[6];
    sx_mac("virt2", mac2);
    T_EQ(sampleproto_send("virt0", mac2, 0x1111, 100, 7), 7);
    /* Decided on the wire: the other NICs never kept them. */
    T_EQ(sx_frames("virt1", 0x1111), 0);
    T_EQ(sx_frames("virt0", 0x1111), 0);
    T_EQ(sx_wait_frames("virt2", 0x1111, 7), 7);

    NDIS_STATISTICS_INFO s0 = sx_statistics("virt0"), s1 = sx_statistics("virt1"),
                         s2 = sx_statistics("virt2");
    T_EQ(s0.ifHCOutUcastPkts, 7);
    T_EQ(s0.ifHCOutUcastOctets, 700);
    T_EQ(s0.ifHCOutOctets, 700);
    T_EQ(s0.ifHCOutBroadcastPkts + s0.ifHCOutMulticastPkts, 0);
    T_EQ(s2.ifHCInUcastPkts, 7);
    T_EQ(s2.ifHCInUcastOctets, 700);
    T_EQ(s2.ifHCInOctets, 700);
    T_EQ(s1.ifHCInUcastPkts + s1.ifHCInBroadcastPkts + s1.ifHCInMulticastPkts, 0);
    T_EQ(s0.ifHCInUcastPkts + s0.ifHCInBroadcastPkts + s0.ifHCInMulticastPkts, 0);
    T_EQ(sx_stat_oid("virt0", OID_GEN_XMIT_OK), 7);
    T_EQ(sx_stat_oid("virt2", OID_GEN_RCV_OK), 7);
    T_EQ(sx_stat_oid("virt2", OID_GEN_DIRECTED_FRAMES_RCV), 7);
    T_EQ(sx_stat_oid("virt0", OID_GEN_DIRECTED_BYTES_XMIT), 700);
    sx_wait_balanced(h);
    kit_host_done(h);
}

TEST(broadcast_reaches_every_other_adapter)
{
    ndis_host *h = three_nics();
    T_EQ(sampleproto_send("virt1", sx_bcast, 0x2222, 64, 5), 5);
    T_EQ(sx_wait_frames("virt0", 0x2222, 5), 5);
    T_EQ(sx_wait_frames("virt2", 0x2222, 5), 5);
    T_EQ(sx_frames("virt1", 0x2222), 0); /* a NIC does not hear itself */
    T_EQ(sx_statistics("virt1").ifHCOutBroadcastPkts, 5);
    T_EQ(sx_statistics("virt0").ifHCInBroadcastPkts, 5);
    T_EQ(sx_statistics("virt2").ifHCInBroadcastOctets, 5 * 64);
    T_EQ(sx_statistics("virt1").ifHCInBroadcastPkts, 0);
    T_EQ(sx_stat_oid("virt1", OID_GEN_BROADCAST_FRAMES_XMIT), 5);
    T_EQ(sx_stat_oid("virt2", OID_GEN_BROADCAST_BYTES_RCV), 5 * 64);
    kit_host_done(h);
}

TEST(multicast_needs_the_group_in_the_list)
{
    ndis_host *h = three_nics();
    sampleproto_oid_result res;

    /* MULTICAST is in sampleproto's filter, but no NIC joined group A yet. */
    T_EQ(sampleproto_send("virt0", group_a, 0x3333, 70, 3), 3);
    T_EQ(sx_frames("virt1", 0x3333) + sx_frames("virt2", 0x3333), 0);
    T_EQ(sx_statistics("virt0").ifHCOutMulticastPkts, 3);
    T_EQ(sx_statistics("virt2").ifHCInMulticastPkts, 0);

    /* virt2 joins group A: only virt2 gets it. */
    T_EQ(sampleproto_set("virt2", OID_802_3_MULTICAST_LIST, group_a, 6, &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(sampleproto_send("virt0", group_a, 0x3333, 70, 4), 4);
    T_EQ(sx_wait_frames("virt2", 0x3333, 4), 4);
    T_EQ(sx_frames("virt1", 0x3333), 0);
    T_EQ(sx_statistics("virt2").ifHCInMulticastPkts, 4);
    T_EQ(sx_statistics("virt2").ifHCInMulticastOctets, 4 * 70);

    /* virt1 takes all multicast: group B reaches it, not virt2 (B not in its list). */
    sx_set_filter("virt1", NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST |
                               NDIS_PACKET_TYPE_ALL_MULTICAST);
    T_EQ(sampleproto_send("virt0", group_b, 0x4444, 70, 2), 2);
    T_EQ(sx_frames("virt2", 0x4444), 0);
    T_EQ(sx_wait_frames("virt1", 0x4444, 2), 2);

    /* virt2 leaves the group (empty list): group A traffic no longer reaches it. */
    T_EQ(sampleproto_set("virt2", OID_802_3_MULTICAST_LIST, NULL, 0, &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(sampleproto_send("virt0", group_a, 0x3333, 70, 1), 1);
    T_EQ(sx_wait_frames("virt1", 0x3333, 1), 1); /* all-multicast virt1 does */
    T_EQ(sx_frames("virt2", 0x3333), 4);
    kit_host_done(h);
}

TEST(promiscuous_sees_everything_but_its_own_frames)
{
    ndis_host *h = three_nics();
    unsigned char mac2[6];
    sx_mac("virt2", mac2);
    sx_set_filter("virt1", NDIS_PACKET_TYPE_PROMISCUOUS);

    T_EQ(sampleproto_send("virt0", mac2, 0x5555, 90, 3), 3);   /* for virt2 */
    T_EQ(sampleproto_send("virt0", nobody, 0x6666, 90, 2), 2); /* for nobody */
    T_EQ(sampleproto_send("virt0", group_a, 0x7777, 90, 1), 1);
    T_EQ(sx_wait_frames("virt2", 0x5555, 3), 3);
    T_EQ(sx_frames("virt2", 0x6666) + sx_frames("virt2", 0x7777), 0);
    T_EQ(sx_wait_frames("virt1", 0x5555, 3), 3);
    T_EQ(sx_wait_frames("virt1", 0x6666, 2), 2);
    T_EQ(sx_wait_frames("virt1", 0x7777, 1), 1);
    NDIS_STATISTICS_INFO s1 = sx_statistics("virt1");
    T_EQ(s1.ifHCInUcastPkts, 5); /* unicast frames, even if not for this NIC */
    T_EQ(s1.ifHCInMulticastPkts, 1);

    /* Its own broadcasts do not come back, promiscuous or not. */
    T_EQ(sampleproto_send("virt1", sx_bcast, 0x8888, 60, 4), 4);
    T_EQ(sx_wait_frames("virt0", 0x8888, 4), 4);
    T_EQ(sx_frames("virt1", 0x8888), 0);
    kit_host_done(h);
}

TEST(a_filter_of_zero_receives_nothing)
{
    ndis_host *h = three_nics();
    sx_set_filter("virt1", 0);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x9999, 60, 3), 3);
    T_EQ(sx_frames("virt1", 0x9999), 0);
    T_EQ(sx_statistics("virt1").ifHCInBroadcastPkts, 0);
    T_EQ(sx_wait_frames("virt2", 0x9999, 3), 3);
    /* And back: the NIC receives again. */
    sx_set_filter("virt1", NDIS_PACKET_TYPE_BROADCAST);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x9999, 60, 2), 2);
    T_EQ(sx_wait_frames("virt1", 0x9999, 2), 2);
    kit_host_done(h);
}

TEST(short_frames_are_padded_to_60_bytes)
{
    ndis_host *h = three_nics();
    unsigned char mac1[6];
    sx_mac("virt1", mac1);
    T_EQ(sampleproto_send("virt0", mac1, 0x0a0a, 20, 2), 2);
    T_EQ(sx_wait_frames("virt1", 0x0a0a, 2), 2);
    T_EQ(sx_stats("virt1").received_bytes, 2 * 60);
    T_EQ(sx_statistics("virt1").ifHCInOctets, 2 * 60);
    T_EQ(sx_statistics("virt0").ifHCOutOctets, 2 * 60);
    /* The shortest frame is a bare header; a header alone cannot be sent. */
    T_EQ(sampleproto_send("virt0", mac1, 0x0a0a, 14, 1), 1);
    T_EQ(sampleproto_send("virt0", mac1, 0x0a0a, 13, 1), -EINVAL);
    T_EQ(sampleproto_send("virt0", mac1, 0x0a0a, 1515, 1), -EMSGSIZE);
    T_EQ(sampleproto_send("virt0", mac1, 0x0a0a, 1514, 1), 1);
    T_EQ(sx_wait_frames("virt1", 0x0a0a, 4), 4);
    kit_host_done(h);
}

/*
 * A receiver that keeps its NBLs (the kit protocol, told to hold them) leaves
 * the NIC's ring without buffers: exactly ring-size frames get in, the rest are
 * counted as discards and as "no buffer". Returning them refills the ring.
 */
TEST(a_full_receive_ring_drops_and_counts)
{
    ndis_host *h = sx_host();
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "virt1", "*ReceiveBuffers", "16"), 0);
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    kit_proto[0].keep_received = true;
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);

    size_t bytes = 0;
    ULONG space = 0;
    T_EQ(sx_host_query(h, "virt1", OID_GEN_RECEIVE_BUFFER_SPACE, &space, sizeof(space), &bytes),
         NDIS_STATUS_SUCCESS);
    T_EQ(space, 16 * 1514);

    T_EQ(sampleproto_send("virt0", sx_bcast, 0x0b0b, 100, 20), 20);
    T_EQ(sx_wait_frames("virt1", 0x0b0b, 16), 16);
    NDIS_STATISTICS_INFO s1 = sx_statistics("virt1");
    T_EQ(s1.ifHCInBroadcastPkts, 16);
    T_EQ(s1.ifInDiscards, 4);
    T_EQ(sx_stat_oid("virt1", OID_GEN_RCV_NO_BUFFER), 4);
    T_EQ(sx_stat_oid("virt1", OID_GEN_RCV_DISCARDS), 4);

    /* The kit protocol lets go: the ring fills up again and frames flow. */
    T_EQ(kit_proto_return_all(0), 16);
    sx_wait_balanced(h);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x0b0b, 100, 3), 3);
    T_EQ(sx_wait_frames("virt1", 0x0b0b, 19), 19);
    T_EQ(kit_proto_return_all(0), 3);
    sx_wait_balanced(h);
    kit_host_done(h);
}

TEST(network_address_keyword_sets_the_current_address)
{
    static const unsigned char laa[6] = {0x02, 0x12, 0x34, 0x56, 0x78, 0x9a};
    ndis_host *h = sx_host();
    ndis_adapter_config cfg = {.mac = laa};
    T_EQ(ndis_host_add_adapter(h, "virtmp", "virt0", &cfg), 0); /* ifindex 1 */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "virt1", "NetworkAddress",
                             "02-AB-CD-EF-00-02"),
         0);
    sx_add(h, "virt1"); /* ifindex 2 */
    /* A group address is not a station address: ignored, the burned-in one stays. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "virt2", "NetworkAddress",
                             "03-00-00-00-00-07"),
         0);
    sx_add(h, "virt2"); /* ifindex 3 */

    unsigned char cur[6], perm[6];
    size_t n;
    T_EQ(sx_host_query(h, "virt0", OID_802_3_CURRENT_ADDRESS, cur, 6, &n), NDIS_STATUS_SUCCESS);
    T_EQ(n, 6);
    T_EQ(memcmp(cur, laa, 6), 0);
    T_EQ(sx_host_query(h, "virt0", OID_802_3_PERMANENT_ADDRESS, perm, 6, &n),
         NDIS_STATUS_SUCCESS);
    static const unsigned char perm0[6] = {0x02, 0, 0, 0, 0, 0x01};
    T_EQ(memcmp(perm, perm0, 6), 0);
    T_EQ(memcmp(sx_adapter_info(h, "virt0").mac, laa, 6), 0);

    static const unsigned char laa1[6] = {0x02, 0xab, 0xcd, 0xef, 0x00, 0x02};
    T_EQ(sx_host_query(h, "virt1", OID_802_3_CURRENT_ADDRESS, cur, 6, &n), NDIS_STATUS_SUCCESS);
    T_EQ(memcmp(cur, laa1, 6), 0);
    static const unsigned char perm2[6] = {0x02, 0, 0, 0, 0, 0x03};
    T_EQ(sx_host_query(h, "virt2", OID_802_3_CURRENT_ADDRESS, cur, 6, &n), NDIS_STATUS_SUCCESS);
    T_EQ(memcmp(cur, perm2, 6), 0);

    /* Directed traffic follows the configured address. */
    sx_load_sampleproto(h);
    unsigned char mac0[6];
    sx_mac("virt0", mac0);
    T_EQ(memcmp(mac0, laa, 6), 0);
    T_EQ(sampleproto_send("virt1", laa, 0x0c0c, 80, 2), 2);
    T_EQ(sampleproto_send("virt1", perm0, 0x0d0d, 80, 2), 2); /* the old address: nobody */
    T_EQ(sx_wait_frames("virt0", 0x0c0c, 2), 2);
    T_EQ(sx_frames("virt0", 0x0d0d), 0);
    kit_host_done(h);
}

TEST(link_up_keyword_and_the_link_knob)
{
    ndis_host *h = sx_host();
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "virt1", "LinkUp", "0"), 0);
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    T_EQ(sx_adapter_info(h, "virt1").link_up, false);
    T_EQ(sx_adapter_info(h, "virt0").link_up, true);
    T_EQ(sx_stats("virt1").link_up, 0);
    T_EQ(sx_stats("virt0").link_speed, 10000000000ull);

    /* Unplugged: it neither receives nor transmits. */
    unsigned char mac0[6];
    sx_mac("virt0", mac0);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x0e0e, 60, 3), 3);
    T_EQ(sx_frames("virt1", 0x0e0e), 0);
    T_EQ(sampleproto_send("virt1", mac0, 0x0e0e, 60, 3), 0);
    struct sampleproto_stats s1 = sx_stats("virt1");
    T_EQ(s1.send_failed, 3);
    T_EQ(s1.last_send_failure, NDIS_STATUS_MEDIA_DISCONNECTED);
    T_EQ(s1.sent, s1.send_completed);
    T_EQ(sx_statistics("virt1").ifOutDiscards, 3);

    /* Plugged in: NDIS_STATUS_LINK_STATE reaches the protocol, traffic flows. */
    unsigned long long changes = sx_stats("virt1").link_changes;
    T_EQ(virtmp_set_link_state("virt1", 1), 0);
    s1 = sx_stats("virt1");
    T_EQ(s1.link_up, 1);
    T_EQ(s1.link_changes, changes + 1);
    T_EQ(s1.link_speed, 10000000000ull);
    T_EQ(sx_adapter_info(h, "virt1").link_up, true);
    T_EQ(virtmp_set_link_state("virt1", 1), 0); /* no change, no indication */
    T_EQ(sx_stats("virt1").link_changes, changes + 1);
    T_EQ(sampleproto_send("virt1", mac0, 0x0e0e, 60, 2), 2);
    T_EQ(sx_wait_frames("virt0", 0x0e0e, 2), 2);

    T_EQ(virtmp_set_link_state("virt0", 0), 0);
    T_EQ(sx_stats("virt0").link_up, 0);
    T_EQ(sx_adapter_info(h, "virt0").link_up, false);
    T_EQ(virtmp_set_link_state("nosuch", 0), -1);
    kit_host_done(h);
}

TEST(adapters_come_and_go_on_the_segment)
{
    ndis_host *h = three_nics();
    T_EQ(ndis_host_remove_adapter(h, "virt1"), 0);
    struct sampleproto_stats s;
    T_EQ(sampleproto_stats("virt1", &s), -ENOENT);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x0f0f, 60, 2), 2);
    T_EQ(sx_wait_frames("virt2", 0x0f0f, 2), 2);
    T_EQ(ndis_host_surprise_remove_adapter(h, "virt2"), 0);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x0f0f, 60, 2), 2); /* alone on the wire */
    sx_add(h, "virt3");
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x0f0f, 60, 2), 2);
    T_EQ(sx_wait_frames("virt3", 0x0f0f, 2), 2);
    kit_host_done(h);
}

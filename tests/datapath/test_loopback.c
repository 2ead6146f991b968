/*
 * test_loopback.c - NDIS loops sent frames back to the adapter's bindings as
 * concepts/looping-back-ndis-packets.md says: to a promiscuous (or ALL_LOCAL)
 * binding when there is more than one binding; to the sender only with
 * NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK; never to a binding that set
 * NDIS_PACKET_TYPE_NO_LOCAL (unless it is the sender asking for it); only
 * frames the adapter's packet filter accepts; through filter modules' receive
 * handlers; marked NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET; and the frame still goes
 * to the miniport.
 */
#include <string.h>

#include "kit.h"
#include "test.h"

static ndis_host *two_bindings(ULONG f0, ULONG f1)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = f0;
    kit_proto[1].packet_filter = f1;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    return h;
}

TEST(promiscuous_binding_sees_what_another_binding_sends)
{
    ndis_host *h = two_bindings(NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST,
                                NDIS_PACKET_TYPE_PROMISCUOUS);
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3); /* broadcast from kitp0 */
    T_EQ(atomic_load(&kit_proto[1].received), 3);
    T_EQ(atomic_load(&kit_proto[1].loopback_received), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 0); /* the sender did not ask */
    T_EQ(kit_mp_sends_seen("a0"), 3);             /* and the wire still gets them */
    T_EQ(atomic_load(&kit_proto[0].send_completed), 3);
    /* The promiscuous binding's own sends do not come back to it. */
    T_EQ(kit_proto_send(1, "a0", 2, 60, NULL), 2);
    T_EQ(atomic_load(&kit_proto[1].received), 3);
    T_EQ(atomic_load(&kit_proto[0].received), 2); /* kitp0 takes broadcasts: loopback on */
    kit_host_done(h);
}

TEST(no_local_keeps_a_promiscuous_binding_from_loopback)
{
    ndis_host *h = two_bindings(NDIS_PACKET_TYPE_BROADCAST,
                                NDIS_PACKET_TYPE_PROMISCUOUS | NDIS_PACKET_TYPE_NO_LOCAL);
    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    T_EQ(atomic_load(&kit_proto[1].received), 0);
    T_EQ(kit_mp_sends_seen("a0"), 3);
    kit_host_done(h);
}

TEST(check_for_loopback_returns_the_senders_own_frames)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    /* One binding, nobody promiscuous: no loopback without the flag. */
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    T_EQ(atomic_load(&kit_proto[0].received), 0);
    kit_proto[0].send_flags = NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK;
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    T_EQ(atomic_load(&kit_proto[0].loopback_received), 2);
    /* A directed frame to another station: the adapter's filter rejects it. */
    static const UCHAR other[6] = {0x02, 0, 0, 0, 0, 0x99};
    T_EQ(kit_proto_send(0, "a0", 2, 60, other), 2);
    T_EQ(atomic_load(&kit_proto[0].loopback_received), 2);
    T_EQ(kit_mp_sends_seen("a0"), 6);
    kit_host_done(h);
}

TEST(loopback_goes_up_through_filter_modules)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_PROMISCUOUS;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    /* One binding, but a module with a receive handler: loopback is on, and the
       sender (not asking) does not get its own frames; the module sees them. */
    T_EQ(kit_proto_send(0, "a0", 4, 60, NULL), 4);
    T_EQ(atomic_load(&kit_filter[0].sends), 4);
    T_EQ(atomic_load(&kit_filter[0].receives), 4);
    T_EQ(atomic_load(&kit_proto[0].received), 0);
    kit_proto[0].send_flags = NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK;
    T_EQ(kit_proto_send(0, "a0", 1, 60, NULL), 1);
    T_EQ(atomic_load(&kit_proto[0].loopback_received), 1);
    kit_host_done(h);
}

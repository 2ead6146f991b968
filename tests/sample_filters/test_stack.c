/*
 * test_stack.c - both sample filters in virtmp stacks under sampleproto: the
 * order their INF classes give, traffic through both with every NBL
 * accounted for at each layer, insertion into and removal from running
 * stacks, sends racing pauses, and passfilter's DbgPrint at detach.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "filters_util.h"

static const unsigned char group_lldp[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};

TEST(filters_stack_in_inf_class_order)
{
    ndis_host *h = fx_stack();
    /* ethfilter is "custom", passfilter "scheduler": custom sits lower. */
    T_ASSERT(!strcmp(fx_module_order(h, "a0"), "ethfilter,passfilter"));
    T_ASSERT(!strcmp(fx_module_order(h, "a1"), "ethfilter,passfilter"));
    T_ASSERT(!strcmp(fx_module_state(h, "passfilter", "a0"), "Running"));
    T_ASSERT(!strcmp(fx_module_state(h, "ethfilter", "a1"), "Running"));
    T_ASSERT(!strcmp(sx_binding_state(h, "sampleproto", "a0"), "Running"));

    passfilter_counters pf[4];
    ethfilter_counters ef[4];
    unsigned n = 0;
    T_EQ(passfilter_list(pf, 4, &n), 0);
    T_EQ(n, 2);
    T_ASSERT(!strcmp(pf[0].adapter, "a0") && !strcmp(pf[1].adapter, "a1"));
    T_ASSERT(!strcmp(pf[0].state, "Running"));
    /* Started once, then paused and restarted for ethfilter's insertion below it. */
    T_EQ(pf[0].restarts, 2);
    T_EQ(pf[0].pauses, 1);
    T_EQ(ethfilter_list(ef, 4, &n), 0);
    T_EQ(n, 2);
    /* The rules are the INF default, read through the driver's parameters. */
    T_EQ(ef[1].rules_source, ETHFILTER_RULES_DRIVER);
    T_EQ(ef[1].ntypes, 2);
    T_EQ(ef[1].ethertype[0], ETH_IPV6);
    T_EQ(ef[1].ethertype[1], ETH_LLDP);
    T_EQ(passfilter_get("nope", &pf[0]), -ENOENT);
    T_EQ(ethfilter_get("nope", &ef[0]), -ENOENT);
    kit_host_done(h);
}

/*
 * From a0 to a1: IPv4 directed (passes), IPv6 broadcast and LLDP multicast
 * (dropped by a0's ethfilter on the way down). passfilter above ethfilter
 * sees every send and every completion; the wire sees only IPv4.
 */
TEST(traffic_through_both_filters_is_accounted_at_every_layer)
{
    ndis_host *h = fx_stack();
    unsigned char mac1[6];
    sx_mac("a1", mac1);

    T_EQ(sampleproto_send("a0", mac1, ETH_IPV4, 100, 5), 5);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_IPV6, 80, 3), 0); /* completed, failed */
    T_EQ(sampleproto_send("a0", group_lldp, ETH_LLDP, 60, 2), 0);

    struct sampleproto_stats s0 = sx_stats("a0");
    T_EQ(s0.sent, 10);
    T_EQ(s0.send_completed, 10);
    T_EQ(s0.send_failed, 5);

    passfilter_counters p0 = fx_pf("a0");
    T_EQ(p0.send_nbls, 10);
    T_EQ(p0.send_frames, 10);
    T_EQ(p0.send_bytes, 5 * 100 + 3 * 80 + 2 * 60);
    T_EQ(p0.send_completes, 10);
    T_EQ(p0.send_rejected, 0);

    ethfilter_counters e0 = fx_ef("a0");
    T_EQ(e0.passed_send, 5);
    T_EQ(fx_dropped_send("a0", ETH_IPV6), 3);
    T_EQ(fx_dropped_send("a0", ETH_LLDP), 2);

    /* The miniport transmitted only what passed. */
    NDIS_STATISTICS_INFO st = sx_statistics("a0");
    T_EQ(st.ifHCOutUcastPkts, 5);
    T_EQ(st.ifHCOutBroadcastPkts + st.ifHCOutMulticastPkts, 0);

    T_EQ(sx_wait_frames("a1", ETH_IPV4, 5), 5);
    T_EQ(sx_frames("a1", ETH_IPV6) + sx_frames("a1", ETH_LLDP), 0);
    sx_wait_balanced(h);
    passfilter_counters p1 = fx_pf("a1");
    T_EQ(p1.receive_nbls, 5);
    T_EQ(p1.receive_frames, 5);
    T_EQ(p1.receive_bytes, 500);
    T_EQ(p1.returns + p1.receive_resources, 5);
    T_EQ(fx_ef("a1").passed_receive, 5);
    /* OIDs of the test itself (statistics) went through passfilter, not ethfilter. */
    T_ASSERT(fx_pf("a0").oid_requests >= 1);
    kit_host_done(h);
}

TEST(filters_inserted_into_a_running_stack_take_their_class_order)
{
    ndis_host *h = sx_host();
    sx_add(h, "a0");
    sx_add(h, "a1");
    sx_load_sampleproto(h);
    unsigned char mac1[6];
    sx_mac("a1", mac1);
    T_EQ(sampleproto_send("a0", mac1, ETH_IPV6, 60, 2), 2);
    T_EQ(sx_wait_frames("a1", ETH_IPV6, 2), 2); /* before a pause could discard them */

    /* Loaded in the "wrong" order, into running stacks. */
    fx_load_ethfilter(h);
    T_ASSERT(!strcmp(fx_module_order(h, "a0"), "ethfilter"));
    fx_load_passfilter(h);
    T_ASSERT(!strcmp(fx_module_order(h, "a0"), "ethfilter,passfilter"));
    T_ASSERT(!strcmp(sx_binding_state(h, "sampleproto", "a0"), "Running"));

    T_EQ(sampleproto_send("a0", mac1, ETH_IPV6, 60, 2), 0);
    T_EQ(sampleproto_send("a0", mac1, ETH_IPV4, 60, 3), 3);
    T_EQ(sx_wait_frames("a1", ETH_IPV4, 3), 3);
    T_EQ(sx_frames("a1", ETH_IPV6), 2); /* only the two sent before */
    T_EQ(fx_pf("a0").send_nbls, 5);
    kit_host_done(h);
}

TEST(unloading_ethfilter_lets_its_types_through_again)
{
    ndis_host *h = fx_stack();
    unsigned char mac1[6];
    sx_mac("a1", mac1);
    T_EQ(sampleproto_send("a0", mac1, ETH_IPV6, 60, 2), 0);

    T_EQ(ndis_host_unload_driver(h, "ethfilter"), 0);
    T_ASSERT(!strcmp(fx_module_order(h, "a0"), "passfilter"));
    T_ASSERT(!strcmp(sx_binding_state(h, "sampleproto", "a0"), "Running"));
    ethfilter_counters e;
    T_EQ(ethfilter_get("a0", &e), -ENOENT);

    T_EQ(sampleproto_send("a0", mac1, ETH_IPV6, 60, 2), 2);
    T_EQ(sx_wait_frames("a1", ETH_IPV6, 2), 2);
    T_EQ(fx_pf("a0").send_nbls, 4);
    T_EQ(fx_pf("a0").send_completes, 4);
    kit_host_done(h);
}

/* ---- sends racing pauses ------------------------------------------------------------ */

static atomic_bool g_stop;
static atomic_ulong g_ok, g_sent;

static void *sender(void *arg)
{
    const unsigned char *dst = arg;
    while (!atomic_load(&g_stop)) {
        int ok = sampleproto_send("a0", dst, ETH_IPV4, 60, 8);
        if (ok >= 0) {
            atomic_fetch_add(&g_sent, 8);
            atomic_fetch_add(&g_ok, (unsigned long)ok);
        } else {
            T_ASSERT_MSG(ok == -EAGAIN, "sampleproto_send = %d", ok);
            sx_sleep_ms(1);
        }
    }
    return NULL;
}

/* Every NBL that crossed a module came back through it exactly once, while
   both stacks pause and restart under traffic. */
TEST(every_nbl_crosses_each_module_exactly_once_under_pauses)
{
    ndis_host *h = fx_stack();
    static unsigned char mac1[6];
    sx_mac("a1", mac1);
    unsigned long long pauses0 = fx_pf("a0").pauses, restarts1 = fx_pf("a1").restarts;
    atomic_store(&g_stop, false);
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, sender, mac1), 0);
    for (int i = 0; i < 6; i++) {
        sx_sleep_ms(5);
        fx_restart(h, i % 2 ? "a0" : "a1");
    }
    atomic_store(&g_stop, true);
    pthread_join(t, NULL);
    sx_wait_balanced(h);

    passfilter_counters p0 = fx_pf("a0"), p1 = fx_pf("a1");
    ethfilter_counters e0 = fx_ef("a0");
    struct sampleproto_stats s0 = sx_stats("a0"), s1 = sx_stats("a1");
    /* The protocol: every send completed once. */
    T_EQ(s0.sent, atomic_load(&g_sent));
    T_EQ(s0.send_completed, s0.sent);
    T_EQ(s0.send_completed - s0.send_failed, atomic_load(&g_ok));
    /* passfilter: every NBL it passed down came back up through it once;
       NDIS may have refused some of the protocol's sends above it. */
    T_ASSERT(p0.send_nbls <= s0.sent);
    T_EQ(p0.send_completes, p0.send_nbls);
    /* ethfilter below saw exactly what passfilter passed, the miniport what
       ethfilter passed. */
    T_EQ(e0.passed_send + e0.rejected_send, p0.send_nbls - p0.send_rejected);
    T_EQ(sx_adapter_info(h, "a0").sent, e0.passed_send);
    /* Receives: returned once each, through FilterReturnNetBufferLists, or by
       passfilter itself when one arrived while it was pausing (it hands those
       straight back and counts them rejected; this stack's miniport never
       indicates with NDIS_RECEIVE_FLAGS_RESOURCES, which passfilter would count
       as both); the protocol saw at most what passed. */
    T_EQ(p1.receive_resources, 0);
    T_EQ(p1.returns + p1.receive_rejected, p1.receive_nbls);
    T_ASSERT(s1.received + s1.dropped <= p1.receive_nbls);
    T_EQ(p0.pauses, pauses0 + 3);
    T_EQ(p1.restarts, restarts1 + 3);
    kit_host_done(h);
}

/* ---- passfilter's DbgPrint on detach --------------------------------------------------- */

TEST(passfilter_prints_its_counters_when_a_module_detaches)
{
    ndis_host *h = fx_stack();
    unsigned char mac1[6];
    sx_mac("a1", mac1);
    T_EQ(sampleproto_send("a0", mac1, ETH_IPV4, 100, 4), 4);
    T_EQ(sampleproto_send("a0", sx_bcast, ETH_IPV6, 100, 1), 0);
    sx_wait_balanced(h);

    /* DbgPrint writes to stderr: catch it in a file around the unload. */
    char path[] = "/tmp/ndis-passfilter-XXXXXX";
    int fd = mkstemp(path);
    T_ASSERT(fd >= 0);
    int saved = dup(2);
    T_ASSERT(dup2(fd, 2) == 2);
    int rc = ndis_host_unload_driver(h, "passfilter");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    T_EQ(rc, 0);

    char text[4096];
    ssize_t len = pread(fd, text, sizeof(text) - 1, 0);
    close(fd);
    unlink(path);
    T_ASSERT(len > 0);
    text[len] = 0;
    T_ASSERT_MSG(strstr(text, "passfilter: a0 detached: send 5 NBLs (5 frames, 500 bytes), 5 "
                              "completed, 0 rejected; receive 0 NBLs") != NULL,
                 "stderr was: %s", text);
    T_ASSERT_MSG(strstr(text, "passfilter: a1 detached: send 0 NBLs") != NULL, "stderr: %s",
                 text);
    kit_host_done(h);
}

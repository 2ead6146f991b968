/*
 * test_pause.c - pauses, restarts and removals while sampleproto sends on
 * virtmp adapters from other threads. Whatever the interleaving: every frame
 * sent comes back to the protocol, every NBL indicated comes back to the
 * miniport, every frame that completed successfully was put on the wire, no
 * verifier report, no leak; and once things are quiet, traffic is exact again.
 */
#include <pthread.h>
#include <string.h>

#include "samples_util.h"

struct sender {
    const char *adapter;
    unsigned char dst[6];
    unsigned short type;
    _Atomic bool *stop;
    unsigned long long ok, paused, gone, other;
};

static void *send_loop(void *arg)
{
    struct sender *s = arg;
    while (!atomic_load(s->stop)) {
        int rc = sampleproto_send(s->adapter, s->dst, s->type, 128, 16);
        if (rc >= 0)
            s->ok += (unsigned long long)rc;
        else if (rc == -EAGAIN)
            s->paused++;
        else if (rc == -ENOENT)
            s->gone++;
        else
            s->other++;
    }
    return NULL;
}

struct trace_count {
    _Atomic unsigned pause_pending;
};

static void on_trace(void *ctx, const ndis_trace_event *ev)
{
    struct trace_count *c = ctx;
    if (ev->phase == 1 && ev->has_status && ev->status == NDIS_STATUS_PENDING &&
        strcmp(ev->function, "ProtocolNetPnPEvent(NetEventPause)") == 0)
        atomic_fetch_add(&c->pause_pending, 1);
}

TEST(pauses_with_traffic_in_flight_lose_nothing)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_add(h, "virt2");
    sx_load_sampleproto(h);
    struct trace_count tc = {0};
    ndis_host_set_trace(h, on_trace, &tc);

    _Atomic bool stop = false;
    struct sender a = {.adapter = "virt0", .type = 0x5001, .stop = &stop};
    struct sender b = {.adapter = "virt2", .type = 0x5002, .stop = &stop};
    sx_mac("virt1", a.dst);
    memcpy(b.dst, sx_bcast, 6);
    pthread_t ta, tb;
    T_EQ(pthread_create(&ta, NULL, send_loop, &a), 0);
    T_EQ(pthread_create(&tb, NULL, send_loop, &b), 0);

    static const char *const order[] = {"virt1", "virt0", "virt2"};
    for (int cycle = 0; cycle < 12; cycle++) {
        const char *x = order[cycle % 3];
        T_EQ(ndis_host_pause_adapter(h, x), 0);
        T_STREQ(sx_adapter_info(h, x).state, "Paused");
        sx_sleep_ms(1);
        T_EQ(ndis_host_restart_adapter(h, x), 0);
        sx_sleep_ms(2);
    }
    atomic_store(&stop, true);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ndis_host_set_trace(h, NULL, NULL);
    sx_wait_balanced(h);
    t_log("frames sent ok: %llu + %llu; calls refused while paused: %llu + %llu; "
          "pauses that pended for sends: %u",
          a.ok, b.ok, a.paused, b.paused, atomic_load(&tc.pause_pending));
    T_EQ(a.other + b.other + a.gone + b.gone, 0);
    T_ASSERT(a.ok > 0 && b.ok > 0);

    const char *const nics[] = {"virt0", "virt1", "virt2"};
    for (int i = 0; i < 3; i++) {
        struct sampleproto_stats s = sx_stats(nics[i]);
        T_EQ(s.sent, s.send_completed); /* nothing lost on the way back */
        /* NDIS waits for receive calls already past its state check before it
           sends NetEventPause, so none reaches the protocol Paused. */
        T_EQ(s.dropped, 0);
    }
    /* The receive rings may still drain their backlog: the counts below are read
       once no adapter indicates any more (a miniport counts a frame it indicates
       around the indication, so counters read during traffic can disagree). */
    sx_wait_quiet(h);
    /* What completed successfully is exactly what each NIC put on the wire. */
    NDIS_STATISTICS_INFO s0 = sx_statistics("virt0"), s1 = sx_statistics("virt1"),
                         s2 = sx_statistics("virt2");
    T_EQ(s0.ifHCOutUcastPkts, a.ok);
    T_EQ(s2.ifHCOutBroadcastPkts, b.ok);
    T_EQ(sx_stats("virt0").sent - sx_stats("virt0").send_failed, a.ok);
    /* A receiver indicates at most what it was sent, the protocol sees at most that. */
    T_ASSERT(s1.ifHCInUcastPkts <= a.ok);
    T_ASSERT(sx_frames("virt1", 0x5001) <= s1.ifHCInUcastPkts);
    T_ASSERT(s1.ifHCInBroadcastPkts <= b.ok);
    T_ASSERT(sx_frames("virt1", 0x5002) <= s1.ifHCInBroadcastPkts);

    /* Quiet: exact delivery. */
    unsigned long long before = sx_frames("virt1", 0x5001);
    T_EQ(sampleproto_send("virt0", a.dst, 0x5001, 128, 10), 10);
    T_EQ(sx_wait_frames("virt1", 0x5001, before + 10), before + 10);
    sx_wait_balanced(h);
    kit_host_done(h);
}

/*
 * Removing an adapter while a thread sends on it: the unbind waits for the
 * call in progress, later calls find no binding, and frames for the removed
 * NIC simply vanish from the wire.
 */
TEST(removing_an_adapter_while_sending_on_it)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    _Atomic bool stop = false;
    struct sender a = {.adapter = "virt1", .type = 0x6001, .stop = &stop};
    struct sender b = {.adapter = "virt0", .type = 0x6002, .stop = &stop};
    memcpy(a.dst, sx_bcast, 6);
    sx_mac("virt1", b.dst);
    pthread_t ta, tb;
    T_EQ(pthread_create(&ta, NULL, send_loop, &a), 0);
    T_EQ(pthread_create(&tb, NULL, send_loop, &b), 0);
    sx_sleep_ms(10);
    T_EQ(ndis_host_remove_adapter(h, "virt1"), 0);
    sx_sleep_ms(10);
    atomic_store(&stop, true);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    T_ASSERT(a.gone > 0); /* the interface lost the binding, nothing worse */
    T_EQ(a.other + b.other + b.gone, 0);
    struct sampleproto_stats s0 = sx_stats("virt0");
    T_EQ(s0.sent, s0.send_completed);
    T_EQ(sx_statistics("virt0").ifHCOutUcastPkts, b.ok);
    sx_wait_balanced(h);
    kit_host_done(h);
}

/*
 * test_capture.c - packet capture at the edges of a stack
 * (ndis_host_capture_start / _stop): which frames each edge sees with a filter
 * that drops a frame type in the stack, the bytes and lengths delivered, the
 * snap length, and the end of a capture (stop; adapter removal).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "kit.h"
#include "test.h"

struct cap {
    int frames, sends, receives;
    size_t last_len, last_caplen;
    unsigned char first[14];
};

static void on_frame(void *ctx, const ndis_capture_frame *f)
{
    struct cap *c = ctx;
    c->frames++;
    if (f->send)
        c->sends++;
    else
        c->receives++;
    c->last_len = f->len;
    c->last_caplen = f->caplen;
    memcpy(c->first, f->data, f->caplen < 14 ? f->caplen : 14);
    T_ASSERT(f->time_ns > 1600000000ull * 1000000000ull); /* wall-clock time */
}

/* kitmp <- kitf0 (drops the kit's EtherType 0x88b5) <- kitp0 */
static ndis_host *stack_with_dropping_filter(void)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

TEST(each_edge_sees_what_crosses_it)
{
    ndis_host *h = stack_with_dropping_filter();
    struct cap mp = {0}, pr = {0}, above = {0}, below = {0};
    ndis_capture *c[4];
    T_EQ(ndis_host_capture_start(h, "a0", "miniport", 0, on_frame, &mp, &c[0]), 0);
    T_EQ(ndis_host_capture_start(h, "a0", "protocol", 0, on_frame, &pr, &c[1]), 0);
    T_EQ(ndis_host_capture_start(h, "a0", "kitf0", 0, on_frame, &above, &c[2]), 0);
    T_EQ(ndis_host_capture_start(h, "a0", "kitf0:below", 0, on_frame, &below, &c[3]), 0);

    T_EQ(kit_proto_send(0, "a0", 3, 60, NULL), 3);
    T_EQ(kit_mp_indicate("a0", 2, 64, NULL, 0), 2);
    /* Nothing dropped yet: every edge saw 3 sends and 2 receives. */
    T_EQ(mp.sends, 3);
    T_EQ(mp.receives, 2);
    T_EQ(pr.sends + pr.receives, 5);
    T_EQ(above.frames, 5);
    T_EQ(below.frames, 5);
    T_EQ(mp.last_len, 64);
    T_EQ(mp.first[12], 0x88);
    T_EQ(mp.first[13], 0xb5);

    kit_filter[0].drop_ethertype = 0x88b5;
    T_EQ(kit_proto_send(0, "a0", 2, 60, NULL), 2);
    T_EQ(kit_mp_indicate("a0", 4, 64, NULL, 0), 4);
    /* The filter drops both ways: sends reach the edge above it, not the one below;
       receives reach the edge below it, not the one above. */
    T_EQ(pr.sends, 5);
    T_EQ(above.sends, 5);
    T_EQ(below.sends, 3);
    T_EQ(mp.sends, 3);
    T_EQ(mp.receives, 6);
    T_EQ(below.receives, 6);
    T_EQ(above.receives, 2);
    T_EQ(pr.receives, 2);

    for (int i = 0; i < 4; i++)
        T_EQ(ndis_host_capture_stop(c[i]), 0);
    int before = mp.frames;
    T_EQ(kit_mp_indicate("a0", 1, 64, NULL, 0), 1);
    T_EQ(mp.frames, before); /* stopped: never called again */
    kit_host_done(h);
}

TEST(snaplen_truncates_and_len_tells_the_frame_size)
{
    ndis_host *h = stack_with_dropping_filter();
    struct cap mp = {0};
    ndis_capture *c;
    T_EQ(ndis_host_capture_start(h, "a0", NULL, 20, on_frame, &mp, &c), 0);
    T_EQ(kit_mp_indicate("a0", 1, 300, NULL, 0), 1);
    T_EQ(mp.frames, 1);
    T_EQ(mp.last_caplen, 20);
    T_EQ(mp.last_len, 300);
    T_EQ(ndis_host_capture_stop(c), 0);
    kit_host_done(h);
}

/* A callback that stops its own capture (say, after N frames) gets -EDEADLK:
   stop waits for the callbacks in progress, its own included. */
struct self_stop {
    ndis_capture *c;
    int frames, rc;
};

static void stop_from_callback(void *ctx, const ndis_capture_frame *f)
{
    struct self_stop *s = ctx;
    (void)f;
    s->frames++;
    s->rc = ndis_host_capture_stop(s->c);
}

TEST(a_capture_callback_cannot_stop_its_own_capture)
{
    ndis_host *h = stack_with_dropping_filter();
    struct self_stop s = {0};
    T_EQ(ndis_host_capture_start(h, "a0", NULL, 0, stop_from_callback, &s, &s.c), 0);
    T_EQ(kit_mp_indicate("a0", 1, 60, NULL, 0), 1);
    T_EQ(s.frames, 1);
    T_EQ(s.rc, -EDEADLK);
    T_EQ(kit_mp_indicate("a0", 1, 60, NULL, 0), 1); /* still capturing */
    T_EQ(s.frames, 2);
    T_EQ(ndis_host_capture_stop(s.c), 0);
    T_EQ(kit_mp_indicate("a0", 1, 60, NULL, 0), 1);
    T_EQ(s.frames, 2);
    kit_host_done(h);
}

TEST(bad_capture_points_are_refused)
{
    ndis_host *h = stack_with_dropping_filter();
    struct cap x = {0};
    ndis_capture *c = (ndis_capture *)&x;
    T_EQ(ndis_host_capture_start(h, "a0", "kitf0:sideways", 0, on_frame, &x, &c), -EINVAL);
    T_ASSERT(c == NULL);
    T_EQ(ndis_host_capture_start(h, "a0", "nosuchfilter", 0, on_frame, &x, &c), -ENOENT);
    T_EQ(ndis_host_capture_start(h, "nosuch", "miniport", 0, on_frame, &x, &c), -ENOENT);
    T_EQ(ndis_host_capture_start(h, "a0", "miniport", 0, NULL, &x, &c), -EINVAL);
    kit_host_done(h);
}

TEST(adapter_removal_ends_the_capture)
{
    ndis_host *h = stack_with_dropping_filter();
    struct cap mp = {0};
    ndis_capture *c;
    T_EQ(ndis_host_capture_start(h, "a0", "miniport", 0, on_frame, &mp, &c), 0);
    T_EQ(kit_mp_indicate("a0", 1, 64, NULL, 0), 1);
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(kit_mp_indicate("a0", 1, 64, NULL, 0), 1);
    T_EQ(mp.frames, 1); /* the new a0 is another adapter */
    T_EQ(ndis_host_capture_stop(c), 0);
    kit_host_done(h);
}

/* Captures start and stop while another thread moves frames: after stop returns,
   the callback never runs again (its context is gone). */
struct flood {
    atomic_bool stop;
    atomic_ulong indicated;
};

static void *flood_thread(void *arg)
{
    struct flood *f = arg;
    while (!atomic_load(&f->stop)) {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        ULONG n = kit_mp_indicate("a0", 4, 64, NULL, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
        KeLowerIrql(old);
        atomic_fetch_add(&f->indicated, n);
    }
    return NULL;
}

struct guarded {
    atomic_int alive;
    atomic_int calls_after_stop;
};

static void on_frame_guarded(void *ctx, const ndis_capture_frame *f)
{
    (void)f;
    struct guarded *g = ctx;
    if (!atomic_load(&g->alive))
        atomic_fetch_add(&g->calls_after_stop, 1);
}

TEST(start_and_stop_under_traffic)
{
    ndis_host *h = stack_with_dropping_filter();
    struct flood fl = {0};
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, flood_thread, &fl), 0);
    struct guarded g = {0};
    for (int i = 0; i < 50; i++) {
        ndis_capture *c;
        atomic_store(&g.alive, 1);
        T_EQ(ndis_host_capture_start(h, "a0", i % 2 ? "protocol" : "kitf0:below", 0,
                                     on_frame_guarded, &g, &c),
             0);
        /* Let some traffic cross while the capture runs (bounded). */
        unsigned long before = atomic_load(&fl.indicated);
        for (int k = 0; k < 100000 && atomic_load(&fl.indicated) == before; k++)
            sched_yield();
        T_EQ(ndis_host_capture_stop(c), 0);
        atomic_store(&g.alive, 0);
    }
    atomic_store(&fl.stop, true);
    T_EQ(pthread_join(t, NULL), 0);
    T_EQ(atomic_load(&g.calls_after_stop), 0);
    T_ASSERT(atomic_load(&fl.indicated) > 0);
    kit_host_done(h);
}

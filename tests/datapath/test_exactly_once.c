/*
 * test_exactly_once.c - every NBL sent is completed exactly once and every NBL
 * indicated is returned exactly once, while two threads race: one sends and
 * indicates, the other completes the miniport's pended sends and returns the
 * protocol's kept NBLs at random moments, and the main thread pauses and
 * restarts the adapter. A second completion or return of any NBL would be a
 * verifier report (ownership is checked per NBL); a lost one shows in the
 * totals or holds a pause until the wait bound.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "kit.h"
#include "test.h"

#define ROUNDS 20000

struct race {
    atomic_bool stop;
    unsigned long sent, indicated;
    unsigned seed;
};

static void *producer(void *arg)
{
    struct race *r = arg;
    unsigned seed = r->seed;
    for (int i = 0; i < ROUNDS; i++) {
        ULONG n = 1 + (ULONG)(rand_r(&seed) % 8);
        if (rand_r(&seed) % 2)
            r->sent += kit_proto_send(0, "a0", n, 60, NULL);
        else
            r->indicated += kit_mp_indicate("a0", n, 64, NULL, 0);
        if (rand_r(&seed) % 16 == 0)
            usleep((useconds_t)(rand_r(&seed) % 50));
    }
    atomic_store(&r->stop, true);
    return NULL;
}

static void *completer(void *arg)
{
    struct race *r = arg;
    unsigned seed = r->seed * 7 + 1;
    while (!atomic_load(&r->stop)) {
        if (rand_r(&seed) % 2)
            kit_mp_complete_sends("a0", rand_r(&seed) % 4 ? NDIS_STATUS_SUCCESS
                                                          : NDIS_STATUS_FAILURE);
        else
            kit_proto_return_all(0);
        usleep((useconds_t)(rand_r(&seed) % 30));
    }
    return NULL;
}

TEST(completion_and_return_exactly_once_under_random_timing)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    kit_proto[0].keep_received = true;
    kit_mp.complete_sends_later = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);

    struct race r = {.seed = (unsigned)getpid()};
    pthread_t tp, tc;
    T_EQ(pthread_create(&tp, NULL, producer, &r), 0);
    T_EQ(pthread_create(&tc, NULL, completer, &r), 0);
    /* Pauses in the middle: NDIS completes sends on the paused binding itself
       and waits for the kept NBLs before the miniport pauses. */
    for (int i = 0; i < 5 && !atomic_load(&r.stop); i++) {
        usleep(2000);
        T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
        T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    }
    T_EQ(pthread_join(tp, NULL), 0);
    T_EQ(pthread_join(tc, NULL), 0);
    kit_mp_complete_sends("a0", NDIS_STATUS_SUCCESS);
    kit_proto_return_all(0);

    T_ASSERT(r.sent > 0 && r.indicated > 0);
    T_EQ(atomic_load(&kit_proto[0].send_completed), r.sent);
    /* Indications that met a paused binding went straight back: received <= indicated. */
    T_ASSERT(atomic_load(&kit_proto[0].received) <= r.indicated);
    T_EQ(kit_mp_returned("a0"), r.indicated);
    ndis_adapter_info ai;
    unsigned n;
    T_EQ(ndis_host_list_adapters(h, &ai, 1, &n), 0);
    T_EQ(ai.sent, ai.send_completed);
    T_EQ(ai.indicated, ai.returned);
    T_EQ(ai.indicated, r.indicated);
    T_EQ(kit_reports(), 0);
    kit_host_done(h);
}

/*
 * test_filter_race.c - packet filters changed while traffic flows: two
 * protocols set and query their packet filters on their own threads (NDIS
 * replaces each binding's filter and the adapter's union, each on the setting
 * thread, and frees the old ones after a grace period of the receive readers),
 * while a third thread indicates frames and sends with loopback. Under
 * AddressSanitizer a filter freed under a reader is a use after free; under
 * ThreadSanitizer two grace periods interleaving on one adapter would show as a
 * race; the totals show a frame lost or returned twice.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "kit.h"
#include "test.h"

#define ROUNDS 1500

static atomic_bool g_stop;

/* Sets protocol i's filter; waits (bounded) for a pended request. */
static NDIS_STATUS set_filter(int i, ULONG *buf)
{
    unsigned long before = atomic_load(&kit_proto[i].oid_completed);
    NDIS_STATUS st = kit_proto_oid(i, "a0", NdisRequestSetInformation,
                                   OID_GEN_CURRENT_PACKET_FILTER, buf, sizeof(*buf), NULL);
    if (st != NDIS_STATUS_PENDING)
        return st;
    for (int spins = 0; atomic_load(&kit_proto[i].oid_completed) == before; spins++) {
        T_ASSERT(spins < 5000000); /* the request completes */
        sched_yield();
    }
    return kit_proto[i].last_oid_status;
}

/* Adapter a0 with two protocols bound, both taking broadcasts. */
static ndis_host *two_protocols_on_a0(void)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    kit_proto[1].packet_filter = NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    return h;
}

static void *flip_filters(void *arg)
{
    int i = (int)(ULONG_PTR)arg;
    /* Protocol 1 also turns promiscuous on and off: loopback follows. */
    ULONG extra = i ? NDIS_PACKET_TYPE_PROMISCUOUS : NDIS_PACKET_TYPE_MULTICAST;
    ULONG buf, q = 0;
    for (int k = 0; k < ROUNDS; k++) {
        buf = NDIS_PACKET_TYPE_BROADCAST | ((k & 1) ? extra : NDIS_PACKET_TYPE_DIRECTED);
        T_EQ(set_filter(i, &buf), NDIS_STATUS_SUCCESS);
        T_EQ(kit_proto_oid(i, "a0", NdisRequestQueryInformation, OID_GEN_CURRENT_PACKET_FILTER,
                           &q, sizeof(q), NULL),
             NDIS_STATUS_SUCCESS);
        T_ASSERT(q & NDIS_PACKET_TYPE_BROADCAST); /* the union: both keep broadcasts */
    }
    return NULL;
}

static void *traffic(void *arg)
{
    unsigned long *indicated = arg;
    while (!atomic_load(&g_stop)) {
        *indicated += kit_mp_indicate("a0", 4, 60, NULL, 0);
        kit_proto_send(0, "a0", 2, 60, NULL);
    }
    return NULL;
}

TEST(filters_set_on_two_threads_while_frames_flow)
{
    ndis_host *h = two_protocols_on_a0();

    unsigned long indicated = 0;
    pthread_t t[3];
    atomic_store(&g_stop, false);
    T_EQ(pthread_create(&t[0], NULL, traffic, &indicated), 0);
    T_EQ(pthread_create(&t[1], NULL, flip_filters, (void *)(ULONG_PTR)0), 0);
    T_EQ(pthread_create(&t[2], NULL, flip_filters, (void *)(ULONG_PTR)1), 0);
    pthread_join(t[1], NULL);
    pthread_join(t[2], NULL);
    atomic_store(&g_stop, true);
    pthread_join(t[0], NULL);

    /* Broadcasts pass both filters throughout: each binding got every frame. */
    T_ASSERT(indicated > 0);
    T_EQ(atomic_load(&kit_proto[0].received) - atomic_load(&kit_proto[0].loopback_received),
         indicated);
    T_EQ(atomic_load(&kit_proto[1].received) - atomic_load(&kit_proto[1].loopback_received),
         indicated);
    T_EQ(kit_mp_returned("a0"), indicated);
    kit_host_done(h); /* no report, nothing left (the retired filters freed) */
}

/* ---- the miniport's filter: the union of the last sets, however they interleave ---- */

#define UNION_ROUNDS 3000

static pthread_barrier_t g_round;
static ULONG g_set[2][UNION_ROUNDS];

/* Each round both protocols set a new filter at the same instant (a barrier
   releases them), in a pattern whose union changes every round. */
static void *set_in_rounds(void *arg)
{
    int i = (int)(ULONG_PTR)arg;
    static const ULONG bits[2][2] = {
        {NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST},
        {NDIS_PACKET_TYPE_PROMISCUOUS, NDIS_PACKET_TYPE_ALL_MULTICAST}};
    for (int k = 0; k < UNION_ROUNDS; k++) {
        ULONG buf = NDIS_PACKET_TYPE_BROADCAST | bits[i][(k >> i) & 1];
        g_set[i][k] = buf;
        pthread_barrier_wait(&g_round);
        T_EQ(set_filter(i, &buf), NDIS_STATUS_SUCCESS);
        pthread_barrier_wait(&g_round);
        /* Both sets completed: the miniport has heard the union of both. */
        if (i == 0)
            T_ASSERT_MSG(kit_mp.last_packet_filter == (g_set[0][k] | g_set[1][k]),
                         "round %d: the miniport's filter is 0x%x, the bindings set 0x%x and 0x%x",
                         k, (unsigned)kit_mp.last_packet_filter, (unsigned)g_set[0][k],
                         (unsigned)g_set[1][k]);
        pthread_barrier_wait(&g_round);
    }
    return NULL;
}

TEST(the_miniport_hears_the_union_of_sets_made_at_the_same_instant)
{
    ndis_host *h = two_protocols_on_a0();
    T_EQ(pthread_barrier_init(&g_round, NULL, 2), 0);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        T_EQ(pthread_create(&t[i], NULL, set_in_rounds, (void *)(ULONG_PTR)i), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&g_round);
    kit_host_done(h);
}

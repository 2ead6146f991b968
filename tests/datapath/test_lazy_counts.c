/*
 * test_lazy_counts.c - a chain that goes straight to the miniport or straight
 * to a binding and comes back within the call is never counted in NDIS's
 * shared counts (src/core/section.h, send.c, receive.c): the call runs in a
 * per-thread section the pause waits for, what is still out when the call
 * returns is counted then, and the adapter's totals get the rest from
 * per-thread tallies. These tests hold a send call inside the miniport while a
 * pause starts, and count traffic from several threads and adapters.
 *
 * The ctest entry datapath_lazy_counts_fenced runs them again with
 * LIBNDIS_SECTION_FENCE=1 (entering threads fence; no membarrier).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kit.h"
#include "test.h"

static ndis_host *bring_up(int adapters)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    for (int i = 0; i < adapters; i++) {
        char name[16];
        snprintf(name, sizeof(name), "a%d", i);
        T_EQ(ndis_host_add_adapter(h, "kitmp", name, NULL), 0);
    }
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

static ndis_adapter_info info_of(ndis_host *h, const char *name)
{
    ndis_adapter_info ai[8];
    unsigned n = 0;
    T_EQ(ndis_host_list_adapters(h, ai, 8, &n), 0);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(ai[i].name, name))
            return ai[i];
    T_ASSERT_MSG(0, "no adapter %s", name);
    return ai[0];
}

/* ---- a send call still inside the miniport when the pause starts ---------------- */

static atomic_int in_send, release_send;
static PNET_BUFFER_LIST stash;
static bool complete_in_call;

/* MiniportSendNetBufferLists, held until the test releases it; then completes
   the chain inline or keeps it. */
static void held_send(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    atomic_store(&in_send, 1);
    for (int i = 0; i < 2000 && !atomic_load(&release_send); i++)
        NdisMSleep(1000);
    if (complete_in_call)
        NdisMSendNetBufferListsComplete(a, nbls, flags);
    else
        stash = nbls;
}

static void *send_thread(void *arg)
{
    (void)arg;
    T_EQ(kit_proto_send(0, "a0", 4, 60, NULL), 4);
    return NULL;
}

static ndis_host *pause_host;
static void *pause_thread(void *arg)
{
    (void)arg;
    T_EQ(ndis_host_pause_adapter(pause_host, "a0"), 0);
    return NULL;
}

/* Starts a send that the miniport holds, then a pause; returns with both running. */
static void send_held_then_pause(ndis_host *h, pthread_t *s, pthread_t *p)
{
    atomic_store(&in_send, 0);
    atomic_store(&release_send, 0);
    kit_mp.send_inline = held_send;
    pthread_create(s, NULL, send_thread, NULL);
    for (int i = 0; i < 2000 && !atomic_load(&in_send); i++)
        NdisMSleep(1000);
    T_ASSERT(atomic_load(&in_send));
    /* In flight, and shown so (the totals tally it when the call starts). */
    ndis_adapter_info ai = info_of(h, "a0");
    T_EQ(ai.sent, 4);
    T_EQ(ai.send_completed, 0);
    pause_host = h;
    pthread_create(p, NULL, pause_thread, NULL);
    /* The pause waits for the send call: the binding is not told to pause yet,
       and the miniport surely is not. */
    NdisMSleep(30000);
    T_EQ(kit_log_count("ProtocolNetPnPEvent(kitp0,a0,Pause)"), 0);
    T_EQ(kit_log_count("MiniportPause(a0)"), 0);
}

/* The pause went through once the send call and its 4 NBLs were done: every
   NBL completed, counted in the totals, and the adapter restarts. */
static void paused_after_the_send(ndis_host *h)
{
    T_EQ(kit_log_count("MiniportPause(a0)"), 1);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 4);
    ndis_adapter_info ai = info_of(h, "a0");
    T_EQ(ai.sent, 4);
    T_EQ(ai.send_completed, 4);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
}

TEST(a_pause_waits_for_a_send_call_the_miniport_completes_inline)
{
    ndis_host *h = bring_up(1);
    complete_in_call = true;
    pthread_t s, p;
    send_held_then_pause(h, &s, &p);
    atomic_store(&release_send, 1);
    pthread_join(s, NULL);
    pthread_join(p, NULL);
    paused_after_the_send(h);
    kit_host_done(h);
}

TEST(a_send_the_miniport_keeps_is_counted_when_its_call_returns_and_holds_the_pause)
{
    ndis_host *h = bring_up(1);
    complete_in_call = false;
    pthread_t s, p;
    send_held_then_pause(h, &s, &p);
    atomic_store(&release_send, 1);
    pthread_join(s, NULL);
    /* The call returned with the chain still in the miniport: now counted, the
       pause waits for its completion. */
    T_ASSERT(kit_log_wait("ProtocolNetPnPEvent(kitp0,a0,Pause)", 2000));
    NdisMSleep(20000);
    T_EQ(kit_log_count("MiniportPause(a0)"), 0);
    ndis_adapter_info ai = info_of(h, "a0");
    T_EQ(ai.sent, 4);
    T_EQ(ai.send_completed, 0);
    NdisMSendNetBufferListsComplete(kit_mp_handle("a0"), stash, 0);
    pthread_join(p, NULL);
    paused_after_the_send(h);
    kit_host_done(h);
}

/* ---- an indication in flight ------------------------------------------------------ */

static ndis_host *info_host;
static ndis_adapter_info seen_in_handler;

static void look_then_return(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    seen_in_handler = info_of(info_host, "a0");
    NdisReturnNetBufferLists(b, nbls, flags);
}

TEST(an_indication_returned_inline_shows_in_the_totals_while_the_protocol_has_it)
{
    ndis_host *h = bring_up(1);
    info_host = h;
    kit_proto[0].receive_inline = look_then_return;
    T_EQ(kit_mp_indicate("a0", 3, 64, NULL, 0), 3);
    T_EQ(seen_in_handler.indicated, 3);
    T_EQ(seen_in_handler.returned, 0);
    ndis_adapter_info ai = info_of(h, "a0");
    T_EQ(ai.indicated, 3);
    T_EQ(ai.returned, 3);
    kit_host_done(h);
}

/* ---- totals from many threads and adapters ---------------------------------------- */

#define ADAPTERS 6

static void *traffic_thread(void *arg)
{
    (void)arg;
    /* More adapters than a thread has tally slots: counts move to the adapters'
       own totals as slots are reused, and when the thread exits. */
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < ADAPTERS; i++) {
            char name[16];
            snprintf(name, sizeof(name), "a%d", i);
            T_EQ(kit_proto_send(0, name, 3, 60, NULL), 3);
            T_EQ(kit_mp_indicate(name, 2, 64, NULL, 0), 2);
        }
    return NULL;
}

TEST(adapter_totals_count_calls_handed_back_inline_on_every_thread)
{
    ndis_host *h = bring_up(ADAPTERS);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, traffic_thread, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    /* And some from this thread, which stays: its tallies are read in place. */
    for (int i = 0; i < ADAPTERS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "a%d", i);
        T_EQ(kit_proto_send(0, name, 1, 60, NULL), 1);
        T_EQ(kit_mp_indicate(name, 1, 64, NULL, 0), 1);
        ndis_adapter_info ai = info_of(h, name);
        T_EQ(ai.sent, 2 * 2 * 3 + 1);
        T_EQ(ai.send_completed, 2 * 2 * 3 + 1);
        T_EQ(ai.indicated, 2 * 2 * 2 + 1);
        T_EQ(ai.returned, 2 * 2 * 2 + 1);
    }
    T_EQ(atomic_load(&kit_proto[0].send_completed), ADAPTERS * (2 * 2 * 3 + 1));
    T_EQ(atomic_load(&kit_proto[0].received), ADAPTERS * (2 * 2 * 2 + 1));
    kit_host_done(h);
}

/* ---- nesting deeper than a thread's section slots ----------------------------------- */

/* The miniport's send handler indicates a frame, the protocol's receive handler
   sends one, and so on, 20 calls deep: 11 sends, each in a section on the
   binding (NDISI_SECTION_SLOTS is 8), so the sends past the eighth take the
   counted path. Everything comes back inline. */
#define NEST 20
static int nest_depth;

static void nest_send(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    if (nest_depth < NEST) {
        nest_depth++;
        T_EQ(kit_mp_indicate("a0", 1, 64, NULL, 0), 1);
    }
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

static void nest_receive(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    if (nest_depth < NEST) {
        nest_depth++;
        T_EQ(kit_proto_send(0, "a0", 1, 60, NULL), 1);
    }
    NdisReturnNetBufferLists(b, nbls, flags);
}

TEST(sends_nested_deeper_than_the_section_slots_are_counted_and_drained)
{
    ndis_host *h = bring_up(1);
    kit_mp.send_inline = nest_send;
    kit_proto[0].receive_inline = nest_receive;
    for (int r = 0; r < 3; r++) {
        nest_depth = 0;
        T_EQ(kit_proto_send(0, "a0", 1, 60, NULL), 1);
        T_EQ(nest_depth, NEST);
    }
    /* Each round: 11 sends (the first and 10 from receive handlers), 10 indications. */
    ndis_adapter_info ai = info_of(h, "a0");
    T_EQ(ai.sent, 3 * 11);
    T_EQ(ai.send_completed, 3 * 11);
    T_EQ(ai.indicated, 3 * 10);
    T_EQ(ai.returned, 3 * 10);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 3 * 11);
    T_EQ(kit_mp_returned("a0"), 3 * 10);
    /* Nothing left counted in flight: the pause does not wait. */
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    kit_host_done(h);
}

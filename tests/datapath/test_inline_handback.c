/*
 * test_inline_handback.c - a chain handed back before the call that passed it
 * on returns (a send completed inside MiniportSendNetBufferLists, an indication
 * returned inside ProtocolReceiveNetBufferLists). NDIS checks such a chain
 * against the array it recorded while passing it on (src/datapath/chainrec.h)
 * instead of walking it; these tests hand back chains that differ from the
 * record in the ways a driver may (split, reordered with the same head, one NBL
 * kept for later, one handed back twice) and check that every NBL still comes
 * back exactly once to its owner, that the counts a pause waits for stay exact,
 * and that a double hand-back is reported.
 */
#include <pthread.h>
#include <string.h>

#include "kit.h"
#include "test.h"

static ndis_host *bring_up(void)
{
    ndis_host *h = kit_host();
    kit_proto[0].packet_filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    return h;
}

static ndis_adapter_info adapter_info(ndis_host *h)
{
    ndis_adapter_info ai[2];
    unsigned n = 0;
    T_EQ(ndis_host_list_adapters(h, ai, 2, &n), 0);
    T_EQ(n, 1);
    return ai[0];
}

/* The adapter pauses and restarts at once: nothing is left counted in flight
   (a count left over would hold the pause until the wait bound, a report). */
static void pause_and_restart(ndis_host *h)
{
    T_EQ(ndis_host_pause_adapter(h, "a0"), 0);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
}

static PNET_BUFFER_LIST nth(PNET_BUFFER_LIST x, int i)
{
    while (i-- > 0)
        x = x->Next;
    return x;
}

/* ---- send completions ------------------------------------------------------------ */

/* Second half first, then the first half (whose head is the recorded head, but
   whose chain ends early). */
static void complete_in_two_parts(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST mid = nth(nbls, 3);
    PNET_BUFFER_LIST second = mid->Next;
    mid->Next = NULL;
    NdisMSendNetBufferListsComplete(a, second, flags);
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

TEST(a_send_completed_inline_in_two_parts_completes_every_nbl_once)
{
    ndis_host *h = bring_up();
    kit_mp.send_inline = complete_in_two_parts;
    T_EQ(kit_proto_send(0, "a0", 8, 60, NULL), 8);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 8);
    ndis_adapter_info ai = adapter_info(h);
    T_EQ(ai.sent, 8);
    T_EQ(ai.send_completed, 8);
    pause_and_restart(h);
    kit_host_done(h);
}

/* Same head, second and third NBLs swapped: every link after the head differs
   from the record. */
static void complete_swapped(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST b = nbls->Next, c = b->Next;
    b->Next = c->Next;
    c->Next = b;
    nbls->Next = c;
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

TEST(a_send_completed_inline_reordered_behind_its_head_completes_every_nbl_once)
{
    ndis_host *h = bring_up();
    kit_mp.send_inline = complete_swapped;
    for (int r = 0; r < 3; r++)
        T_EQ(kit_proto_send(0, "a0", 6, 60, NULL), 6);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 18);
    pause_and_restart(h);
    kit_host_done(h);
}

/* One NBL taken out of the middle and completed after the send call returned. */
static PNET_BUFFER_LIST held;

static void complete_all_but_one(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST before = nth(nbls, 1);
    held = before->Next;
    before->Next = held->Next;
    held->Next = NULL;
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

TEST(a_send_completed_inline_but_one_nbl_completes_that_one_later)
{
    ndis_host *h = bring_up();
    kit_mp.send_inline = complete_all_but_one;
    T_EQ(kit_proto_send(0, "a0", 5, 60, NULL), 5);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 4);
    T_EQ(adapter_info(h).send_completed, 4);
    NdisMSendNetBufferListsComplete(kit_mp_handle("a0"), held, 0);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 5);
    pause_and_restart(h);
    kit_host_done(h);
}

/* The whole chain, then its head again (which the protocol has freed by then:
   NDIS reads only its own header of it). */
static void complete_twice(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    NdisMSendNetBufferListsComplete(a, nbls, flags);
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

TEST(a_send_completed_twice_inline_is_reported)
{
    ndis_host *h = bring_up();
    kit_mp.send_inline = complete_twice;
    T_EQ(kit_proto_send(0, "a0", 4, 60, NULL), 4);
    kit_expect_reports(1, "NdisMSendNetBufferListsComplete");
    T_EQ(atomic_load(&kit_proto[0].send_completed), 4);
    pause_and_restart(h);
    kit_host_done(h);
}

/* The last NBL alone (its Next is NULL already: nothing relinked), then the
   whole chain as recorded, links intact but the last NBL back with the
   protocol (which freed it); then the three still out, properly. The second
   call must be checked NBL by NBL: the first one was a hand-back the record
   did not see (handbacks_walked, chainrec.h). */
static void complete_last_then_all(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST third = nth(nbls, 2);
    NdisMSendNetBufferListsComplete(a, third->Next, flags);
    NdisMSendNetBufferListsComplete(a, nbls, flags);
    third->Next = NULL;
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

TEST(a_send_completed_inline_after_one_of_its_nbls_was_completed_alone_is_reported)
{
    ndis_host *h = bring_up();
    kit_mp.send_inline = complete_last_then_all;
    T_EQ(kit_proto_send(0, "a0", 4, 60, NULL), 4);
    kit_expect_reports(1, "NdisMSendNetBufferListsComplete");
    T_EQ(atomic_load(&kit_proto[0].send_completed), 4);
    T_EQ(adapter_info(h).send_completed, 4);
    pause_and_restart(h);
    kit_host_done(h);
}

/* Longer than the record: walked as before. */
static void complete_as_is(NDIS_HANDLE a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    NdisMSendNetBufferListsComplete(a, nbls, flags);
}

TEST(a_chain_longer_than_the_record_completes_inline)
{
    ndis_host *h = bring_up();
    kit_mp.send_inline = complete_as_is;
    T_EQ(kit_proto_send(0, "a0", 64, 60, NULL), 64);
    T_EQ(kit_proto_send(0, "a0", 65, 60, NULL), 65);
    T_EQ(kit_proto_send(0, "a0", 200, 60, NULL), 200);
    T_EQ(atomic_load(&kit_proto[0].send_completed), 329);
    pause_and_restart(h);
    kit_host_done(h);
}

/* ---- receive returns --------------------------------------------------------------- */

static void return_in_two_parts(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST mid = nth(nbls, 2);
    PNET_BUFFER_LIST second = mid->Next;
    mid->Next = NULL;
    NdisReturnNetBufferLists(b, second, flags);
    NdisReturnNetBufferLists(b, nbls, flags);
}

TEST(an_indication_returned_inline_in_two_parts_returns_every_nbl_once)
{
    ndis_host *h = bring_up();
    kit_proto[0].receive_inline = return_in_two_parts;
    T_EQ(kit_mp_indicate("a0", 7, 64, NULL, 0), 7);
    T_EQ(kit_mp_returned("a0"), 7);
    ndis_adapter_info ai = adapter_info(h);
    T_EQ(ai.indicated, 7);
    T_EQ(ai.returned, 7);
    pause_and_restart(h);
    kit_host_done(h);
}

static void return_swapped(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST x = nbls->Next, y = x->Next;
    x->Next = y->Next;
    y->Next = x;
    nbls->Next = y;
    NdisReturnNetBufferLists(b, nbls, flags);
}

TEST(an_indication_returned_inline_reordered_behind_its_head_returns_every_nbl_once)
{
    ndis_host *h = bring_up();
    kit_proto[0].receive_inline = return_swapped;
    for (int r = 0; r < 3; r++)
        T_EQ(kit_mp_indicate("a0", 5, 64, NULL, 0), 5);
    T_EQ(kit_mp_returned("a0"), 15);
    pause_and_restart(h);
    kit_host_done(h);
}

/* The first three go back inline, the rest are kept: NDIS must count the kept
   ones in the binding's receive count (the inline ones were never counted), so
   that a pause waits for them. */
static PNET_BUFFER_LIST kept;

static void return_three_keep_rest(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST third = nth(nbls, 2);
    kept = third->Next;
    third->Next = NULL;
    NdisReturnNetBufferLists(b, nbls, flags);
}

static ndis_host *pause_host;
static void *pause_thread(void *arg)
{
    (void)arg;
    T_EQ(ndis_host_pause_adapter(pause_host, "a0"), 0);
    return NULL;
}

TEST(an_indication_partly_returned_inline_holds_a_pause_until_the_rest_returns)
{
    ndis_host *h = bring_up();
    kit_proto[0].receive_inline = return_three_keep_rest;
    T_EQ(kit_mp_indicate("a0", 6, 64, NULL, 0), 6);
    T_EQ(kit_mp_returned("a0"), 3);
    pause_host = h;
    pthread_t t;
    pthread_create(&t, NULL, pause_thread, NULL);
    T_ASSERT(kit_log_wait("ProtocolNetPnPEvent(kitp0,a0,Pause)", 2000));
    NdisMSleep(20000);
    T_EQ(kit_log_count("MiniportPause(a0)"), 0);
    NdisReturnNetBufferLists(kit_proto_binding(0, "a0"), kept, 0);
    pthread_join(t, NULL);
    T_EQ(kit_log_count("MiniportPause(a0)"), 1);
    T_EQ(kit_mp_returned("a0"), 6);
    T_EQ(ndis_host_restart_adapter(h, "a0"), 0);
    kit_host_done(h);
}

/* The whole chain, then its head again (the miniport's by then). */
static void return_twice(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    NdisReturnNetBufferLists(b, nbls, flags);
    NdisReturnNetBufferLists(b, nbls, flags);
}

TEST(an_indication_returned_twice_inline_is_reported)
{
    ndis_host *h = bring_up();
    kit_proto[0].receive_inline = return_twice;
    T_EQ(kit_mp_indicate("a0", 4, 64, NULL, 0), 4);
    kit_expect_reports(1, "NdisReturnNetBufferLists");
    T_EQ(kit_mp_returned("a0"), 4);
    pause_and_restart(h);
    kit_host_done(h);
}


/* The receive twin of complete_last_then_all. */
static void return_last_then_all(NDIS_HANDLE b, PNET_BUFFER_LIST nbls, ULONG flags)
{
    PNET_BUFFER_LIST third = nth(nbls, 2);
    NdisReturnNetBufferLists(b, third->Next, flags);
    NdisReturnNetBufferLists(b, nbls, flags);
    third->Next = NULL;
    NdisReturnNetBufferLists(b, nbls, flags);
}

TEST(an_indication_returned_inline_after_one_of_its_nbls_was_returned_alone_is_reported)
{
    ndis_host *h = bring_up();
    kit_proto[0].receive_inline = return_last_then_all;
    T_EQ(kit_mp_indicate("a0", 4, 64, NULL, 0), 4);
    kit_expect_reports(1, "NdisReturnNetBufferLists");
    T_EQ(kit_mp_returned("a0"), 4);
    T_EQ(adapter_info(h).returned, 4);
    pause_and_restart(h);
    kit_host_done(h);
}

/* ---- a refused send --------------------------------------------------------------- */

static NDIS_HANDLE pool_of(NDIS_HANDLE owner)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.PoolTag = 'tseT';
    NDIS_HANDLE p = NdisAllocateNetBufferListPool(owner, &pp);
    T_ASSERT(p != NULL);
    return p;
}

/* A chain whose third NBL is not the protocol's is refused as a whole, and the
   two before it (which the walk had already marked as being sent) are the
   protocol's again: it can free them. */
TEST(a_send_refused_mid_chain_leaves_the_protocol_its_nbls)
{
    ndis_host *h = bring_up();
    NDIS_HANDLE mine = pool_of(kit_proto_handle(0)), theirs = pool_of(kit_mp_handle("a0"));
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(mine, 0, 0);
    PNET_BUFFER_LIST b = NdisAllocateNetBufferList(mine, 0, 0);
    PNET_BUFFER_LIST c = NdisAllocateNetBufferList(theirs, 0, 0);
    a->Next = b;
    b->Next = c;
    NdisSendNetBufferLists(kit_proto_binding(0, "a0"), a, 0, 0);
    kit_expect_reports(1, "NdisSendNetBufferLists");
    T_EQ(kit_mp_sends_seen("a0"), 0);
    a->Next = b->Next = NULL;
    NdisFreeNetBufferList(a);
    NdisFreeNetBufferList(b);
    NdisFreeNetBufferList(c);
    NdisFreeNetBufferListPool(mine);
    NdisFreeNetBufferListPool(theirs);
    pause_and_restart(h);
    kit_host_done(h);
}

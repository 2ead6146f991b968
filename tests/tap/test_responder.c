/*
 * test_responder.c - the responder protocol driver over a test miniport
 * (fakemp.h), without a TAP device: frames split over MDLs in every way still
 * get the exact answer, several NET_BUFFERs in one NBL each get theirs, a
 * missing NBL for an answer is counted, a pause (and an unload) waits for the
 * answers still in the miniport, and a binding needs an address.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "fakemp.h"
#include "frames.h"
#include "kit.h"
#include "responder.h"
#include "test.h"

NTSTATUS responder_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static const struct fr_ends ends = {.dst_mac = {0x02, 0x00, 0x4e, 0x44, 0x49, 0x53},
                                    .src_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55},
                                    .src_ip = {192, 0, 2, 1},
                                    .dst_ip = {192, 0, 2, 7}};
static const struct rsp_self self = {{0x02, 0x00, 0x4e, 0x44, 0x49, 0x53}, {192, 0, 2, 7}};

/* fakemp adapter "f0" and the responder, bound with 192.0.2.7. */
static ndis_host *up(void)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "fakemp", fakemp_entry, NULL), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "responder\\Adapters\\f0", "IPAddress",
                             "192.0.2.7"),
         0);
    T_EQ(ndis_host_load_driver(h, "responder", responder_DriverEntry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "fakemp", "f0", NULL), 0);
    T_EQ(responder_binding_count(), 1);
    return h;
}

static struct responder_stats stats(void)
{
    struct responder_stats s;
    T_EQ(responder_get_stats("f0", &s), 0);
    return s;
}

/* The last frame sent equals what the frame logic answers to the contiguous request. */
static void expect_answer(const uint8_t *req, size_t len, int sent_before)
{
    uint8_t want[RSP_ETH_MAX_FRAME];
    size_t want_len;
    enum rsp_verdict v = rsp_frame_handle(&self, req, len, want, sizeof(want), &want_len);
    T_ASSERT(v == RSP_REPLY_ARP || v == RSP_REPLY_ECHO);
    T_EQ(fakemp_sent_count(), sent_before + 1);
    size_t got_len;
    const uint8_t *got = fakemp_sent(sent_before, &got_len);
    T_EQ(got_len, want_len);
    T_ASSERT(memcmp(got, want, want_len) == 0);
}

TEST(frames_split_over_mdls_get_exact_answers)
{
    ndis_host *h = up();
    uint8_t f[RSP_ETH_MAX_FRAME];
    size_t n = fr_echo_request(f, &ends, 200, 1);
    static const size_t splits[][6] = {
        {1, 13, 7, 0}, {14, 20, 8, 0}, {2, 2, 2, 2, 2, 0}, {100, 0}, {241, 0},
    };
    static const int nsplits[] = {3, 3, 5, 1, 1};
    for (int i = 0; i < 5; i++) {
        int before = fakemp_sent_count();
        fakemp_indicate(f, n, (ULONG)(i * 3), splits[i], nsplits[i], 0);
        expect_answer(f, n, before);
    }
    /* An ARP request in single-byte MDLs. */
    n = fr_arp_request(f, &ends);
    size_t ones[42];
    for (int i = 0; i < 42; i++)
        ones[i] = 1;
    int before = fakemp_sent_count();
    fakemp_indicate(f, n, 5, ones, 42, 0);
    expect_answer(f, n, before);
    /* A full-size frame split unevenly, lent with NDIS_RECEIVE_FLAGS_RESOURCES. */
    n = fr_echo_request(f, &ends, 1472, 2);
    static const size_t uneven[] = {700, 1, 600};
    before = fakemp_sent_count();
    fakemp_indicate(f, n, 0, uneven, 3, NDIS_RECEIVE_FLAGS_RESOURCES);
    expect_answer(f, n, before);

    struct responder_stats s = stats();
    T_EQ(s.verdicts[RSP_REPLY_ECHO], 6);
    T_EQ(s.verdicts[RSP_REPLY_ARP], 1);
    T_EQ(s.sent, 7);
    T_EQ(s.send_completed, 7);
    T_EQ(fakemp_outstanding(), 0);
    kit_host_done(h);
}

TEST(every_net_buffer_of_a_list_is_a_frame)
{
    ndis_host *h = up();
    uint8_t a[128], b[128], c[128];
    size_t la = fr_echo_request(a, &ends, 20, 1);
    size_t lb = fr_arp_request(b, &ends);
    size_t lc = fr_echo_request(c, &ends, 20, 3);
    c[FR_IP + 9] ^= 0xff; /* ICMP checksum */
    const uint8_t *frames[] = {a, b, c};
    const size_t lens[] = {la, lb, lc};
    fakemp_indicate_nbs(frames, lens, 3);
    struct responder_stats s = stats();
    T_EQ(s.frames, 3);
    T_EQ(s.verdicts[RSP_REPLY_ECHO], 1);
    T_EQ(s.verdicts[RSP_REPLY_ARP], 1);
    T_EQ(s.verdicts[RSP_DROP_ICMP_CHECKSUM], 1);
    T_EQ(fakemp_sent_count(), 2); /* both answers, in one send */
    kit_host_done(h);
}

TEST(no_nbl_for_an_answer_is_counted)
{
    ndis_host *h = up();
    uint8_t f[128];
    size_t n = fr_echo_request(f, &ends, 20, 1);
    /* fakemp allocates an MDL and an NBL; the third allocation, the responder's, fails. */
    unsigned long injected = ndis_fault_injected(NDIS_FAULT_ALLOC_NBL);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 2, 1);
    fakemp_indicate(f, n, 0, NULL, 0, 0);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 0);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NBL) - injected, 1);
    T_EQ(stats().verdicts[RSP_DROP_NO_RESOURCES], 1);
    T_EQ(fakemp_sent_count(), 0);
    fakemp_indicate(f, n, 0, NULL, 0, 0);
    T_EQ(fakemp_sent_count(), 1);
    kit_host_done(h);
}

/* ---- pause and unload wait for answers in the miniport --------------------------------- */

struct call {
    ndis_host *h;
    int which; /* 0 pause, 1 unload */
    int rc;
    _Atomic int done;
};

static void *run_call(void *arg)
{
    struct call *c = arg;
    c->rc = c->which ? ndis_host_unload_driver(c->h, "responder")
                     : ndis_host_pause_adapter(c->h, "f0");
    atomic_store(&c->done, 1);
    return NULL;
}

static void held_answers_hold(int which)
{
    ndis_host *h = up();
    uint8_t f[128];
    size_t n = fr_echo_request(f, &ends, 20, 1);
    fakemp_hold_sends(true);
    for (int i = 0; i < 3; i++)
        fakemp_indicate(f, n, 0, NULL, 0, 0);
    T_EQ(stats().sent, 3);
    struct call c = {h, which, -1, 0};
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, run_call, &c), 0);
    usleep(100000);
    T_EQ(atomic_load(&c.done), 0); /* still waiting for the three answers */
    T_EQ(fakemp_release_sends(), 3);
    T_EQ(pthread_join(t, NULL), 0);
    T_EQ(c.rc, 0);
    struct responder_stats s;
    responder_get_stats(NULL, &s);
    T_EQ(s.send_completed, 3);
    kit_host_done(h);
}

TEST(a_pause_waits_for_answers_still_in_the_miniport)
{
    held_answers_hold(0);
}

TEST(an_unload_waits_for_answers_still_in_the_miniport)
{
    held_answers_hold(1);
    T_EQ(responder_binding_count(), 0);
}

/* ---- the address ------------------------------------------------------------------------ */

TEST(a_binding_needs_an_address)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "fakemp", fakemp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "responder", responder_DriverEntry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "fakemp", "f0", NULL), 0);
    T_EQ(responder_binding_count(), 0); /* no IPAddress anywhere: no binding */
    T_EQ(ndis_host_remove_adapter(h, "f0"), 0);

    static const char *const bad[] = {"10.200.0", "10.200.0.256", "10.200.0.1x", "010.1.1.1",
                                      "1..2.3", "10.200.0.1.5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "responder\\Adapters\\f0", "IPAddress",
                                 bad[i]),
             0);
        T_EQ(ndis_host_add_adapter(h, "fakemp", "f0", NULL), 0);
        T_ASSERT_MSG(responder_binding_count() == 0, "bound with IPAddress %s", bad[i]);
        T_EQ(ndis_host_remove_adapter(h, "f0"), 0);
    }

    /* The driver's own IPAddress is the default; the binding's wins over it. */
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_DRIVER, "responder\\Adapters\\f0", "IPAddress"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "responder", "IPAddress", "192.0.2.9"), 0);
    T_EQ(ndis_host_add_adapter(h, "fakemp", "f0", NULL), 0);
    T_EQ(responder_binding_count(), 1);
    uint8_t f[128];
    struct fr_ends e = ends;
    e.dst_ip[3] = 9;
    fakemp_indicate(f, fr_arp_request(f, &e), 0, NULL, 0, 0);
    T_EQ(stats().verdicts[RSP_REPLY_ARP], 1);
    T_EQ(ndis_host_remove_adapter(h, "f0"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "responder\\Adapters\\f0", "IPAddress",
                             "192.0.2.7"),
         0);
    T_EQ(ndis_host_add_adapter(h, "fakemp", "f0", NULL), 0);
    fakemp_indicate(f, fr_arp_request(f, &e), 0, NULL, 0, 0);
    T_EQ(stats().verdicts[RSP_DROP_NOT_OUR_IP], 1); /* .9 is no longer ours */
    kit_host_done(h);
}

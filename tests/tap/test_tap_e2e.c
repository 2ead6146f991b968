/*
 * test_tap_e2e.c - real traffic through an NDIS stack (tap_stack.h): the Linux
 * side of a TAP interface pings and arpings the responder through the TAP
 * miniport and the pass-through filter (passfilter), and tcpdump sees
 * the answers on the interface; unloading the protocol under a ping flood and
 * deleting the interface under a running stack lose nothing and leak nothing.
 * Each case runs in a namespace of its own and addresses only 10.200.0.0/24
 * on the TAP interface inside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frames.h"
#include "tap_stack.h"
#include "test.h"

NTSTATUS responder_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

__attribute__((constructor)) static void skip_unless_possible(void)
{
    const char *why = netns_unavailable();
    if (!why && system("command -v ping arping tcpdump >/dev/null 2>&1") != 0)
        why = "ping, arping or tcpdump is missing (scripts/setup.sh installs them)";
    if (why) {
        printf("SKIP: the TAP end-to-end tests need a network namespace: %s\n", why);
        exit(77);
    }
}

static struct responder_stats rstats(void)
{
    struct responder_stats r;
    responder_get_stats(NULL, &r);
    return r;
}

/* The responder's count of link-up (up) or link-down indications, once it reaches
   `want` or after 2 s: NDIS records the new link state before it tells the
   bindings, so a test that saw the adapter's state change may be a moment early. */
static unsigned long long link_seen(bool up, unsigned long long want)
{
    unsigned long long v = 0;
    for (int i = 0; i < 1000; i++) {
        struct responder_stats r = rstats();
        v = up ? r.link_up : r.link_down;
        if (v >= want)
            break;
        usleep(2000);
    }
    return v;
}

/* `ping -c n` from the Linux side gets n answers; if not, says what each layer saw. */
static void ping_ok(struct tap_stack *s, int n)
{
    char out[4096], neigh[512];
    tap_sh(s, out, sizeof(out), "ping -c %d -i 0.01 -w 5 " TAP_STACK_NDIS_IP, n);
    if (ping_received(out, NULL) == n)
        return;
    tap_sh(s, neigh, sizeof(neigh), "ip neigh show dev " TAP_STACK_IFNAME "; ip link show");
    ndis_adapter_info a = {0};
    tap_adapter_info(s, &a);
    NDIS_STATISTICS_INFO si = tap_statistics(s);
    struct responder_stats r = rstats();
    T_ASSERT_MSG(0,
                 "ping -c %d:\n%s\n%s\nadapter %s link %d indicated %llu returned %llu; "
                 "in %llu discards %llu errors %llu, out %llu; responder frames %llu "
                 "echo %llu arp %llu sent %llu completed %llu",
                 n, out, neigh, a.state, a.link_up, a.indicated, a.returned,
                 (unsigned long long)si.ifHCInUcastPkts, (unsigned long long)si.ifInDiscards,
                 (unsigned long long)si.ifInErrors, (unsigned long long)si.ifHCOutUcastPkts,
                 r.frames, r.verdicts[RSP_REPLY_ECHO], r.verdicts[RSP_REPLY_ARP], r.sent,
                 r.send_completed);
}

TEST(ping_arping_and_tcpdump_see_every_answer)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    struct responder_stats before = rstats();

    /* tcpdump on the interface, counting echo replies, started before the ping. */
    struct netns_proc dump;
    netns_start(&s.ns, &dump,
                "exec tcpdump -i " TAP_STACK_IFNAME " -n -l -c 20 "
                "'icmp[icmptype] == icmp-echoreply and src host " TAP_STACK_NDIS_IP "'");
    T_ASSERT_MSG(netns_expect(&dump, "listening on", 5000), "tcpdump did not start:\n%s",
                 dump.out);

    char out[4096];
    tap_sh(&s, out, sizeof(out), "ping -c 20 -i 0.01 -w 5 " TAP_STACK_NDIS_IP);
    int tx = 0;
    T_EQ(ping_received(out, &tx), 20);
    T_EQ(tx, 20);
    /* After the ping, so that the kernel's own ARP exchange is over (arping counts
       every reply from the target). Its interval takes whole seconds: 2 s. */
    tap_sh(&s, out, sizeof(out), "arping -c 3 -w 4 -I " TAP_STACK_IFNAME " " TAP_STACK_NDIS_IP);
    T_CONTAINS(out, "Sent 3 probes");
    T_CONTAINS(out, "Received 3 response(s)");
    T_CONTAINS(out, "[" TAP_STACK_MAC_UPPER "]"); /* the adapter's NetworkAddress */

    T_EQ(netns_finish(&dump, 5000), 0);
    int replies = 0;
    for (const char *p = dump.out; (p = strstr(p, "ICMP echo reply")); p++)
        replies++;
    T_EQ(replies, 20);
    T_CONTAINS(dump.out, "20 packets captured");

    /* The responder counted what it answered; the miniport counted both ways. */
    struct responder_stats after = rstats();
    T_EQ(after.verdicts[RSP_REPLY_ECHO] - before.verdicts[RSP_REPLY_ECHO], 20);
    T_ASSERT(after.verdicts[RSP_REPLY_ARP] - before.verdicts[RSP_REPLY_ARP] >= 3);
    T_EQ(after.send_failed, before.send_failed);
    NDIS_STATISTICS_INFO si = tap_statistics(&s);
    t_log("statistics: in %llu/%llu/%llu out %llu/%llu/%llu (unicast/multicast/broadcast)",
          (unsigned long long)si.ifHCInUcastPkts, (unsigned long long)si.ifHCInMulticastPkts,
          (unsigned long long)si.ifHCInBroadcastPkts, (unsigned long long)si.ifHCOutUcastPkts,
          (unsigned long long)si.ifHCOutMulticastPkts,
          (unsigned long long)si.ifHCOutBroadcastPkts);
    /* In: 20 echo requests, the kernel's ARP request (broadcast), arping's first
       probe (broadcast) and its two unicast ones. Out: 20 echo replies, 4 ARP replies. */
    T_ASSERT(si.ifHCInUcastPkts >= 20 + 2 && si.ifHCInBroadcastPkts >= 2);
    T_ASSERT(si.ifHCOutUcastPkts >= 20 + 4);
    T_ASSERT(si.ifHCInOctets >= 20 * 98 && si.ifHCOutOctets >= 20 * 98);
    T_EQ(si.ifInErrors, 0);
    T_EQ(si.ifOutErrors + si.ifOutDiscards, 0);
    /* Every frame went through the pass-through filter both ways. */
    passfilter_counters pf;
    T_EQ(passfilter_get(TAP_STACK_ADAPTER, &pf), 0);
    T_EQ(pf.receive_frames, si.ifHCInUcastPkts + si.ifHCInMulticastPkts + si.ifHCInBroadcastPkts);
    T_EQ(pf.send_frames, si.ifHCOutUcastPkts + si.ifHCOutMulticastPkts + si.ifHCOutBroadcastPkts);
    T_EQ(pf.returns, pf.receive_nbls - pf.receive_resources);
    tap_stack_down(&s);
}

/* ---- link state and OIDs -------------------------------------------------------------- */

static bool link_is_up(struct tap_stack *s)
{
    ndis_adapter_info a;
    return tap_adapter_info(s, &a) && a.link_up;
}

static bool link_is_down(struct tap_stack *s)
{
    return !link_is_up(s);
}

static ULONG query_ulong(struct tap_stack *s, uint32_t oid)
{
    ULONG v = 0xdeadbeef;
    T_EQ(tap_query(s, oid, &v, sizeof(v)), sizeof(v));
    return v;
}

TEST(link_state_follows_the_interface)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    struct responder_stats r0 = rstats();
    T_EQ(query_ulong(&s, OID_GEN_MEDIA_CONNECT_STATUS), NdisMediaStateConnected);
    T_EQ(query_ulong(&s, OID_GEN_LINK_SPEED), 10000000000ull / 100);

    tap_sh(&s, NULL, 0, "ip link set " TAP_STACK_IFNAME " down");
    tap_wait(&s, link_is_down, "NDIS to see the link down");
    T_EQ(query_ulong(&s, OID_GEN_MEDIA_CONNECT_STATUS), NdisMediaStateDisconnected);
    T_EQ(link_seen(false, r0.link_down + 1) - r0.link_down, 1); /* the responder was told */

    tap_sh(&s, NULL, 0, "ip link set " TAP_STACK_IFNAME " up");
    tap_wait(&s, link_is_up, "NDIS to see the link up again");
    T_EQ(link_seen(true, r0.link_up + 1) - r0.link_up, 1);
    ping_ok(&s, 3);
    tap_stack_down(&s);
}

TEST(ethernet_oids)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    unsigned char mac[6], perm[6];
    T_EQ(tap_query(&s, OID_802_3_CURRENT_ADDRESS, mac, sizeof(mac)), 6);
    T_ASSERT(memcmp(mac, tap_stack_mac, 6) == 0); /* NetworkAddress, as the adapter arrived */
    T_EQ(tap_query(&s, OID_802_3_PERMANENT_ADDRESS, perm, sizeof(perm)), 6);
    T_ASSERT(memcmp(perm, mac, 6) != 0);
    T_EQ(perm[0] & 3, 2); /* unicast, locally administered */
    T_EQ(query_ulong(&s, OID_GEN_MAXIMUM_TOTAL_SIZE), 1514);
    T_EQ(query_ulong(&s, OID_GEN_MAXIMUM_FRAME_SIZE), 1500);
    T_EQ(query_ulong(&s, OID_GEN_MEDIA_SUPPORTED), NdisMedium802_3);
    T_EQ(query_ulong(&s, OID_802_3_MAXIMUM_LIST_SIZE), 32);
    /* NDIS merged the responder's filter (directed + broadcast) down to the miniport. */
    T_EQ(query_ulong(&s, OID_GEN_CURRENT_PACKET_FILTER),
         NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
    char desc[64] = "";
    T_ASSERT(tap_query(&s, OID_GEN_VENDOR_DESCRIPTION, desc, sizeof(desc)) > 1);
    T_CONTAINS(desc, "TAP");

    ping_ok(&s, 5);
    char out[4096];
    /* The kernel learned the NetworkAddress from the responder's ARP reply. */
    tap_sh(&s, out, sizeof(out), "ip neigh show " TAP_STACK_NDIS_IP);
    T_CONTAINS(out, TAP_STACK_MAC_TEXT);

    /* Counters: the 64-bit OIDs agree with OID_GEN_STATISTICS; a 4-byte query gets
       the low half and says 8 are needed. */
    NDIS_STATISTICS_INFO si = tap_statistics(&s);
    ULONG64 rcv = 0;
    T_EQ(tap_query(&s, OID_GEN_RCV_OK, &rcv, sizeof(rcv)), 8);
    T_EQ(rcv, si.ifHCInUcastPkts + si.ifHCInMulticastPkts + si.ifHCInBroadcastPkts);
    T_ASSERT(rcv >= 6);
    int32_t st;
    size_t bytes;
    ULONG xmit32 = 0;
    T_EQ(ndis_host_oid(s.h, TAP_STACK_ADAPTER, NdisRequestQueryInformation, OID_GEN_XMIT_OK,
                       &xmit32, sizeof(xmit32), &st, &bytes),
         0);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(bytes, 4);
    T_EQ(xmit32, (ULONG)(si.ifHCOutUcastPkts + si.ifHCOutMulticastPkts + si.ifHCOutBroadcastPkts));
    /* Too short for the statistics structure: BUFFER_TOO_SHORT with the size needed. */
    unsigned char small[8];
    T_EQ(ndis_host_oid(s.h, TAP_STACK_ADAPTER, NdisRequestQueryInformation, OID_GEN_STATISTICS,
                       small, sizeof(small), &st, &bytes),
         0);
    T_EQ(st, NDIS_STATUS_BUFFER_TOO_SHORT);
    T_EQ(bytes, sizeof(NDIS_STATISTICS_INFO));
    tap_stack_down(&s);
}

/* ---- what the responder drops ------------------------------------------------------------ */

static int packet_socket(void)
{
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    T_ASSERT_MSG(s >= 0, "AF_PACKET socket: %s", strerror(errno));
    struct sockaddr_ll sll = {.sll_family = AF_PACKET,
                              .sll_ifindex = (int)if_nametoindex(TAP_STACK_IFNAME)};
    T_ASSERT_MSG(bind(s, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind: %s",
                 strerror(errno));
    return s;
}

static void inject(int sock, const uint8_t *f, size_t len)
{
    T_EQ(send(sock, f, len, 0), (long)len);
}

static unsigned long long g_expect_frames;

static bool responder_saw_all(struct tap_stack *s)
{
    (void)s;
    return rstats().frames >= g_expect_frames;
}

TEST(damaged_frames_are_dropped_and_counted)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    struct fr_ends e = {.src_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55},
                        .src_ip = {10, 200, 0, 1},
                        .dst_ip = {10, 200, 0, 2}};
    memcpy(e.dst_mac, tap_stack_mac, 6);
    int sock = packet_socket();
    struct responder_stats r0 = rstats();
    NDIS_STATISTICS_INFO s0 = tap_statistics(&s);
    uint8_t f[2048];
    size_t n;
    int sent = 0;
#define SEND(expr)                                                                             \
    do {                                                                                       \
        expr;                                                                                  \
        inject(sock, f, n);                                                                    \
        sent++;                                                                                \
    } while (0)

    SEND(n = fr_echo_request(f, &e, 56, 1));                                 /* answered */
    SEND((n = fr_echo_request(f, &e, 56, 2), f[FR_ETH + 10] ^= 1));          /* IP checksum */
    SEND((n = fr_echo_request(f, &e, 56, 3), f[FR_IP + 2] ^= 1));            /* ICMP checksum */
    SEND((n = fr_echo_request(f, &e, 56, 4), f[FR_ETH + 3] += 40, fr_fix_ip_checksum(f)));
    SEND((n = fr_echo_request(f, &e, 56, 5), f[FR_ETH + 6] = 0x20, fr_fix_ip_checksum(f)));
    SEND((n = fr_echo_request(f, &e, 56, 6), f[FR_ETH + 9] = 17, fr_fix_ip_checksum(f)));
    SEND((n = fr_echo_request(f, &e, 56, 7), f[FR_IP] = 0, fr_fix_icmp_checksum(f, 64)));
    SEND((n = fr_echo_request(f, &e, 56, 8), f[FR_ETH] = 0x65));             /* version 6 */
    SEND((n = fr_echo_request(f, &e, 56, 9), f[FR_ETH] = 0x44));             /* IHL 4 */
    SEND((n = fr_echo_request(f, &e, 56, 10), f[FR_ETH + 3] = 10, fr_fix_ip_checksum(f)));
    SEND((n = fr_echo_request(f, &e, 56, 11), f[FR_ETH + 19] = 9, fr_fix_ip_checksum(f)));
    SEND((n = fr_echo_request(f, &e, 2, 12), n = FR_IP + 4, f[FR_ETH + 3] = 24,
          fr_fix_ip_checksum(f))); /* an ICMP message of 4 bytes */
    SEND((n = fr_echo_request(f, &e, 56, 13), f[12] = 0x86, f[13] = 0xdd)); /* IPv6 */
    SEND((n = fr_echo_request(f, &e, 56, 14), f[6] |= 1));                   /* group source */
    SEND((n = fr_arp_request(f, &e), f[FR_ETH + 4] = 8));                    /* hlen 8 */
    SEND((n = fr_arp_request(f, &e), f[FR_ETH + 7] = 2));                    /* a reply */
    SEND((n = fr_arp_request(f, &e), f[FR_ETH + 27] = 9));                   /* other address */
    SEND((n = fr_arp_request(f, &e), n = FR_ETH + 20));                      /* truncated */
#undef SEND
    /* Never delivered: a unicast frame for another station and a multicast one
       (the packet filter is directed + broadcast), and an oversize frame. */
    n = fr_echo_request(f, &e, 56, 15);
    f[5] ^= 0x40;
    inject(sock, f, n);
    n = fr_echo_request(f, &e, 56, 16);
    memcpy(f, "\x01\x00\x5e\x00\x00\x01", 6);
    inject(sock, f, n);
    tap_sh(&s, NULL, 0, "ip link set " TAP_STACK_IFNAME " mtu 2000");
    n = fr_echo_request(f, &e, 1600, 17);
    inject(sock, f, n);

    g_expect_frames = r0.frames + (unsigned long long)sent;
    tap_wait(&s, responder_saw_all, "the responder to receive every frame sent to it");
    usleep(50000); /* the frames that must not arrive have had their chance */
    struct responder_stats r = rstats();
    T_EQ(r.frames - r0.frames, sent);
    static const enum rsp_verdict expected[] = {
        RSP_REPLY_ECHO,       RSP_DROP_IP_CHECKSUM,   RSP_DROP_ICMP_CHECKSUM,
        RSP_DROP_IP_TRUNCATED, RSP_DROP_IP_FRAGMENT,  RSP_DROP_IP_PROTOCOL,
        RSP_DROP_ICMP_TYPE,   RSP_DROP_IP_VERSION,    RSP_DROP_IP_HEADER_LEN,
        RSP_DROP_IP_LENGTH,   RSP_DROP_NOT_OUR_IP,    RSP_DROP_ICMP_TRUNCATED,
        RSP_DROP_ETHERTYPE,   RSP_DROP_BAD_SOURCE,    RSP_DROP_ARP_FORMAT,
        RSP_DROP_ARP_OPERATION, RSP_DROP_NOT_OUR_IP,  RSP_DROP_ARP_TRUNCATED,
    };
    unsigned long long want[RSP_VERDICT_COUNT] = {0};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        want[expected[i]]++;
    for (int v = 0; v < RSP_VERDICT_COUNT; v++)
        T_ASSERT_MSG(r.verdicts[v] - r0.verdicts[v] == want[v], "verdict %s: %llu, expected %llu",
                     rsp_verdict_name(v), r.verdicts[v] - r0.verdicts[v], want[v]);
    /* The oversize frame is a receive error of the miniport. */
    NDIS_STATISTICS_INFO s1 = tap_statistics(&s);
    T_EQ(s1.ifInErrors - s0.ifInErrors, 1);
    close(sock);
    tap_stack_down(&s);
}

/* ---- the protocol unloaded under a ping flood ----------------------------------------------- */

static bool flood_flowing(struct tap_stack *s)
{
    (void)s;
    return rstats().verdicts[RSP_REPLY_ECHO] >= g_expect_frames;
}

/* `ping -f` for `seconds`, once the responder answered `replies` of it. */
static void start_flood(struct tap_stack *s, struct netns_proc *flood, unsigned replies,
                        unsigned seconds)
{
    netns_start(&s->ns, flood, "exec ping -f -w %u -q " TAP_STACK_NDIS_IP, seconds);
    g_expect_frames = rstats().verdicts[RSP_REPLY_ECHO] + replies;
    tap_wait(s, flood_flowing, "echo replies to the flood");
}

static bool adapter_balanced(struct tap_stack *s)
{
    ndis_adapter_info a;
    return tap_adapter_info(s, &a) && a.indicated == a.returned && a.sent == a.send_completed;
}

TEST(unloading_the_responder_under_a_ping_flood_loses_nothing)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    struct netns_proc flood;
    /* Three seconds: on a loaded machine under ThreadSanitizer the 300 replies can
       take most of one, and the unload must come while the flood runs (tx > rx). */
    start_flood(&s, &flood, 300, 3);

    T_EQ(ndis_host_unload_driver(s.h, "responder"), 0);
    T_EQ(responder_binding_count(), 0);
    struct responder_stats r = rstats();
    T_ASSERT(r.sent >= 300);
    T_EQ(r.sent, r.send_completed); /* every answer came back before the unbind ended */
    /* An answer sent by a receive that was in progress when NDIS began pausing the
       binding is completed by NDIS with NDIS_STATUS_PAUSED (src/datapath/send.c): it
       still came back. Nothing else may fail. */
    T_ASSERT_MSG(r.send_failed == 0 || r.last_failure == NDIS_STATUS_PAUSED,
                 "%llu answers failed, the last with 0x%08x", r.send_failed,
                 (unsigned)r.last_failure);
    T_ASSERT(r.send_failed <= 64); /* one receive call: one DPC batch of tapmp at most */
    /* NDIS saw every NBL the miniport indicated returned, every send completed. */
    tap_wait(&s, adapter_balanced, "indicated == returned and sent == completed");
    ndis_adapter_info a;
    T_ASSERT(tap_adapter_info(&s, &a));
    T_STREQ(a.state, "Running");

    int status = netns_finish(&flood, 5000);
    int tx = 0, rx = ping_received(flood.out, &tx);
    T_ASSERT_MSG(rx >= 300 && tx > rx, "ping -f (status %d): %s", status, flood.out);

    /* Loaded again, it binds and answers again. */
    T_EQ(ndis_host_load_driver(s.h, "responder", responder_DriverEntry, NULL), 0);
    T_EQ(responder_binding_count(), 1);
    ping_ok(&s, 3);
    tap_stack_down(&s);
}

/* ---- pause and restart under a flood ----------------------------------------------------------- */

TEST(pause_and_restart_under_a_ping_flood)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    struct netns_proc flood;
    start_flood(&s, &flood, 100, 1);
    for (int i = 0; i < 10; i++) {
        T_EQ(ndis_host_pause_adapter(s.h, TAP_STACK_ADAPTER), 0);
        /* Paused: every indication came back before the pause completed. */
        ndis_adapter_info a;
        T_ASSERT(tap_adapter_info(&s, &a));
        T_STREQ(a.state, "Paused");
        T_EQ(a.indicated, a.returned);
        T_EQ(a.sent, a.send_completed);
        usleep(20000);
        T_ASSERT(tap_adapter_info(&s, &a));
        T_EQ(a.indicated, a.returned); /* and nothing indicated while paused */
        T_EQ(ndis_host_restart_adapter(s.h, TAP_STACK_ADAPTER), 0);
        usleep(20000);
    }
    netns_finish(&flood, 5000);
    T_ASSERT(tap_statistics(&s).ifInDiscards > 0); /* frames that came while paused */
    ping_ok(&s, 3);
    tap_stack_down(&s); /* no verifier report: nothing was indicated after a pause */
}

/* ---- the interface deleted under a running stack --------------------------------------------- */

static bool adapter_gone(struct tap_stack *s)
{
    ndis_adapter_info a;
    return !tap_adapter_info(s, &a);
}

TEST(deleting_the_interface_under_a_running_stack_is_a_surprise_removal)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    struct netns_proc flood;
    start_flood(&s, &flood, 100, 1);

    tap_sh(&s, NULL, 0, "ip link del " TAP_STACK_IFNAME);
    tap_wait(&s, adapter_gone, "NDIS to remove the adapter whose interface was deleted");
    T_EQ(responder_binding_count(), 0);
    struct responder_stats r = rstats();
    T_EQ(r.sent, r.send_completed);
    netns_finish(&flood, 5000); /* ping fails once the interface is gone */
    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(s.h, &c), 0);
    T_EQ(c.adapters, 0);
    T_EQ(c.bindings, 0);
    tap_stack_down(&s); /* no leak, no verifier report */
}

/* ---- system shutdown ---------------------------------------------------------------------------- */

TEST(a_system_shutdown_releases_the_interface)
{
    struct tap_stack s;
    tap_stack_up(&s, "e2e");
    ping_ok(&s, 3);
    T_ASSERT(if_nametoindex(TAP_STACK_IFNAME) != 0);
    /* MiniportShutdownEx (NdisShutdownPowerOff) puts the adapter back as it was
       before MiniportInitializeEx: the interface it created goes, its thread stops. */
    T_EQ(ndis_host_shutdown(s.h), 0);
    T_EQ(if_nametoindex(TAP_STACK_IFNAME), 0);
    tap_stack_down(&s); /* NDIS halts nothing and reclaims what the adapter held */
}

/* ---- arrival: what the adapter is configured with --------------------------------------------- */

NTSTATUS tapmp_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

TEST(bad_interface_names_fail_the_arrival_cleanly_and_defaults_apply)
{
    struct netns ns;
    netns_enter(&ns, "e2e");
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "tapmp", tapmp_DriverEntry, NULL), 0);
    /* Not a TAP interface, and not an interface name: MiniportInitializeEx fails and
       undoes what it did (kit_host_done checks nothing leaked). */
    ndis_adapter_config lo = {.ifname = "lo", .mac = NULL};
    T_EQ(ndis_host_add_adapter(h, "tapmp", "t0", &lo), -EIO);
    ndis_adapter_config bad = {.ifname = "bad/name", .mac = NULL};
    T_EQ(ndis_host_add_adapter(h, "tapmp", "t0", &bad), -EIO);
    /* No name: the kernel names a new interface. A group NetworkAddress is ignored: the
       current address is the permanent one. */
    static const unsigned char group[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    ndis_adapter_config dflt = {.ifname = NULL, .mac = group};
    T_EQ(ndis_host_add_adapter(h, "tapmp", "t0", &dflt), 0);
    unsigned char cur[6], perm[6];
    int32_t st;
    size_t bytes;
    T_EQ(ndis_host_oid(h, "t0", NdisRequestQueryInformation, OID_802_3_CURRENT_ADDRESS, cur, 6,
                       &st, &bytes),
         0);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(ndis_host_oid(h, "t0", NdisRequestQueryInformation, OID_802_3_PERMANENT_ADDRESS, perm,
                       6, &st, &bytes),
         0);
    T_ASSERT(memcmp(cur, perm, 6) == 0);
    T_ASSERT(if_nametoindex("tap0") != 0);
    T_EQ(ndis_host_remove_adapter(h, "t0"), 0);
    T_EQ(if_nametoindex("tap0"), 0); /* the interface it created went with it */
    kit_host_done(h);
    netns_leave(&ns);
}

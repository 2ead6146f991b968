/*
 * test_rsp_frame.c - the responder's frame logic (drivers/responder/rsp_frame.c)
 * on its own: the answers are byte-exact (addresses swapped, checksums right,
 * payload echoed), every drop has its reason, and answers never need more
 * room than the request.
 */
#include <string.h>

#include "frames.h"
#include "rsp_frame.h"
#include "test.h"

static const struct rsp_self self = {{0x02, 0x00, 0x4e, 0x44, 0x49, 0x53}, {10, 200, 0, 2}};
static const struct fr_ends ends = {.dst_mac = {0x02, 0x00, 0x4e, 0x44, 0x49, 0x53},
                                    .src_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55},
                                    .src_ip = {10, 200, 0, 1},
                                    .dst_ip = {10, 200, 0, 2}};

static enum rsp_verdict handle(const uint8_t *f, size_t len, uint8_t *out, size_t *out_len)
{
    return rsp_frame_handle(&self, f, len, out, RSP_ETH_MAX_FRAME, out_len);
}

TEST(inet_checksum_matches_rfc1071)
{
    /* RFC 1071 section 3's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
    static const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    T_EQ(rsp_inet_checksum(d, sizeof(d)), (uint16_t)~0xddf2);
    static const uint8_t odd[] = {0x01};
    T_EQ(rsp_inet_checksum(odd, 1), (uint16_t)~0x0100);
    T_EQ(rsp_inet_checksum(d, 0), 0xffff);
}

TEST(arp_request_gets_a_reply_for_our_address)
{
    uint8_t f[64], out[RSP_ETH_MAX_FRAME];
    struct fr_ends e = ends;
    memset(e.dst_mac, 0xff, 6);
    size_t n = fr_arp_request(f, &e), m = 0;
    T_EQ(handle(f, n, out, &m), RSP_REPLY_ARP);
    T_EQ(m, 42);
    T_ASSERT(memcmp(out, ends.src_mac, 6) == 0);      /* back to the requester */
    T_ASSERT(memcmp(out + 6, self.mac, 6) == 0);
    T_ASSERT(out[12] == 0x08 && out[13] == 0x06);
    T_ASSERT(out[FR_ETH + 6] == 0 && out[FR_ETH + 7] == 2); /* a reply */
    T_ASSERT(memcmp(out + FR_ETH + 8, self.mac, 6) == 0);
    T_ASSERT(memcmp(out + FR_ETH + 14, self.ip, 4) == 0);
    T_ASSERT(memcmp(out + FR_ETH + 18, ends.src_mac, 6) == 0);
    T_ASSERT(memcmp(out + FR_ETH + 24, ends.src_ip, 4) == 0);
    /* Padded to the Ethernet minimum: the padding is ignored. */
    memset(f + n, 0, 18);
    T_EQ(handle(f, 60, out, &m), RSP_REPLY_ARP);
    T_EQ(m, 42);
}

TEST(echo_request_gets_an_exact_reply)
{
    uint8_t f[RSP_ETH_MAX_FRAME], out[RSP_ETH_MAX_FRAME];
    size_t n = fr_echo_request(f, &ends, 1472, 77), m = 0;
    T_EQ(n, 1514);
    T_EQ(handle(f, n, out, &m), RSP_REPLY_ECHO);
    T_EQ(m, n);
    T_ASSERT(memcmp(out, ends.src_mac, 6) == 0 && memcmp(out + 6, self.mac, 6) == 0);
    T_EQ(rsp_inet_checksum(out + FR_ETH, 20), 0);           /* valid IP header */
    T_ASSERT(memcmp(out + FR_ETH + 12, self.ip, 4) == 0);   /* from us */
    T_ASSERT(memcmp(out + FR_ETH + 16, ends.src_ip, 4) == 0);
    T_EQ(out[FR_ETH + 8], 64);                              /* our TTL */
    T_EQ(out[FR_IP], 0);                                    /* echo reply */
    T_EQ(rsp_inet_checksum(out + FR_IP, n - FR_IP), 0);     /* valid ICMP */
    T_ASSERT(memcmp(out + FR_IP + 4, f + FR_IP + 4, n - FR_IP - 4) == 0); /* id, seq, data */

    /* IP options are not echoed; a padded frame's padding is not either. */
    uint8_t g[RSP_ETH_MAX_FRAME];
    n = fr_echo_request(f, &ends, 16, 1);
    memcpy(g, f, FR_IP);
    memcpy(g + FR_IP + 4, f + FR_IP, n - FR_IP); /* 4 bytes of options (NOPs + EOL) */
    memcpy(g + FR_IP, "\x01\x01\x01\x00", 4);
    g[FR_ETH] = 0x46;
    g[FR_ETH + 3] += 4;
    fr_fix_ip_checksum(g); /* the 20-byte sum changed, the options sum to 0x0201 ... */
    g[FR_ETH + 10] = 0;
    g[FR_ETH + 11] = 0;
    uint16_t c = rsp_inet_checksum(g + FR_ETH, 24);
    g[FR_ETH + 10] = (uint8_t)(c >> 8);
    g[FR_ETH + 11] = (uint8_t)c;
    memset(g + n + 4, 0xee, 10); /* padding after the datagram */
    T_EQ(handle(g, n + 4 + 10, out, &m), RSP_REPLY_ECHO);
    T_EQ(m, n);
    T_EQ(out[FR_ETH], 0x45);
    T_EQ(rsp_inet_checksum(out + FR_IP, n - FR_IP), 0);
}

/* One defect per frame: the verdict names it, and nothing is written. */
#define CHECK(what, verdict, ...)                                                              \
    do {                                                                                       \
        memset(out, 0xa5, sizeof(out));                                                        \
        __VA_ARGS__;                                                                           \
        m = 999;                                                                               \
        enum rsp_verdict v_ = handle(f, n, out, &m);                                           \
        T_ASSERT_MSG(v_ == (verdict), "%s: %s, expected %s", what, rsp_verdict_name(v_),       \
                     rsp_verdict_name(verdict));                                               \
        T_EQ(m, 0);                                                                            \
        T_EQ(out[0], 0xa5);                                                                    \
    } while (0)

TEST(every_drop_has_its_reason)
{
    uint8_t f[2048], out[RSP_ETH_MAX_FRAME];
    size_t n, m;
    CHECK("13 bytes", RSP_DROP_SHORT, n = fr_echo_request(f, &ends, 8, 1), n = 13);
    CHECK("1515 bytes", RSP_DROP_OVERSIZE, n = fr_echo_request(f, &ends, 1473, 1));
    CHECK("for another station", RSP_DROP_NOT_OUR_MAC,
          n = fr_echo_request(f, &ends, 8, 1), f[5] ^= 1);
    CHECK("to a multicast group", RSP_DROP_NOT_OUR_MAC,
          n = fr_echo_request(f, &ends, 8, 1), f[0] = 0x01);
    CHECK("from a group address", RSP_DROP_BAD_SOURCE,
          n = fr_echo_request(f, &ends, 8, 1), f[6] = 0x03);
    CHECK("VLAN tag", RSP_DROP_ETHERTYPE,
          n = fr_echo_request(f, &ends, 8, 1), f[12] = 0x81, f[13] = 0);
    CHECK("ARP cut short", RSP_DROP_ARP_TRUNCATED, n = fr_arp_request(f, &ends), n = 41);
    CHECK("ARP for IPv6", RSP_DROP_ARP_FORMAT, n = fr_arp_request(f, &ends), f[16] = 0x86);
    CHECK("ARP plen 16", RSP_DROP_ARP_FORMAT, n = fr_arp_request(f, &ends), f[19] = 16);
    CHECK("ARP reply", RSP_DROP_ARP_OPERATION, n = fr_arp_request(f, &ends), f[21] = 2);
    CHECK("ARP for another", RSP_DROP_NOT_OUR_IP, n = fr_arp_request(f, &ends), f[41] = 3);
    CHECK("ARP from a group MAC", RSP_DROP_BAD_SOURCE, n = fr_arp_request(f, &ends), f[22] = 1);
    CHECK("IP header cut", RSP_DROP_IP_TRUNCATED, n = fr_echo_request(f, &ends, 8, 1), n = 30);
    CHECK("IPv6 version", RSP_DROP_IP_VERSION, n = fr_echo_request(f, &ends, 8, 1), f[14] = 0x65);
    CHECK("IHL 4", RSP_DROP_IP_HEADER_LEN, n = fr_echo_request(f, &ends, 8, 1), f[14] = 0x44);
    CHECK("IHL beyond the frame", RSP_DROP_IP_TRUNCATED,
          n = fr_echo_request(f, &ends, 8, 1), f[14] = 0x4f, n = 14 + 40);
    CHECK("total length 19", RSP_DROP_IP_LENGTH, n = fr_echo_request(f, &ends, 8, 1), f[17] = 19);
    CHECK("total length beyond the frame", RSP_DROP_IP_TRUNCATED,
          n = fr_echo_request(f, &ends, 8, 1), f[17] += 1);
    CHECK("IP checksum", RSP_DROP_IP_CHECKSUM, n = fr_echo_request(f, &ends, 8, 1), f[24] ^= 0x10);
    CHECK("more fragments", RSP_DROP_IP_FRAGMENT,
          n = fr_echo_request(f, &ends, 8, 1), f[20] = 0x20, fr_fix_ip_checksum(f));
    CHECK("last fragment", RSP_DROP_IP_FRAGMENT,
          n = fr_echo_request(f, &ends, 8, 1), f[21] = 0x10, fr_fix_ip_checksum(f));
    CHECK("for another address", RSP_DROP_NOT_OUR_IP,
          n = fr_echo_request(f, &ends, 8, 1), f[33] = 7, fr_fix_ip_checksum(f));
    CHECK("from 0.0.0.0", RSP_DROP_BAD_SOURCE,
          n = fr_echo_request(f, &ends, 8, 1), memset(f + 26, 0, 4), fr_fix_ip_checksum(f));
    CHECK("from a multicast address", RSP_DROP_BAD_SOURCE,
          n = fr_echo_request(f, &ends, 8, 1), f[26] = 224, fr_fix_ip_checksum(f));
    CHECK("from ourselves", RSP_DROP_BAD_SOURCE,
          n = fr_echo_request(f, &ends, 8, 1), f[29] = 2, fr_fix_ip_checksum(f));
    CHECK("TCP", RSP_DROP_IP_PROTOCOL,
          n = fr_echo_request(f, &ends, 8, 1), f[23] = 6, fr_fix_ip_checksum(f));
    CHECK("ICMP of 7 bytes", RSP_DROP_ICMP_TRUNCATED,
          n = fr_echo_request(f, &ends, 0, 1), f[17] = 27, fr_fix_ip_checksum(f), n = 41);
    CHECK("ICMP checksum", RSP_DROP_ICMP_CHECKSUM, n = fr_echo_request(f, &ends, 8, 1), f[40] ^= 1);
    CHECK("echo reply", RSP_DROP_ICMP_TYPE,
          n = fr_echo_request(f, &ends, 8, 1), f[34] = 0, fr_fix_icmp_checksum(f, 16));
    CHECK("echo request code 1", RSP_DROP_ICMP_TYPE,
          n = fr_echo_request(f, &ends, 8, 1), f[35] = 1, fr_fix_icmp_checksum(f, 16));
}
#undef CHECK

TEST(an_answer_needs_no_more_room_than_its_request)
{
    uint8_t f[RSP_ETH_MAX_FRAME], out[RSP_ETH_MAX_FRAME];
    size_t m;
    size_t n = fr_echo_request(f, &ends, 100, 1);
    T_EQ(rsp_frame_handle(&self, f, n, out, n, &m), RSP_REPLY_ECHO);
    T_EQ(rsp_frame_handle(&self, f, n, out, n - 1, &m), RSP_DROP_NO_RESOURCES);
    T_EQ(rsp_frame_handle(&self, f, n, NULL, 0, &m), RSP_DROP_NO_RESOURCES);
    n = fr_arp_request(f, &ends);
    T_EQ(rsp_frame_handle(&self, f, n, out, 41, &m), RSP_DROP_NO_RESOURCES);
    /* A frame that needs no answer still says why without room for one. */
    f[21] = 2;
    T_EQ(rsp_frame_handle(&self, f, n, NULL, 0, &m), RSP_DROP_ARP_OPERATION);
    for (int v = 0; v < RSP_VERDICT_COUNT; v++)
        T_ASSERT(strcmp(rsp_verdict_name((enum rsp_verdict)v), "?") != 0);
    T_STREQ(rsp_verdict_name(RSP_VERDICT_COUNT), "?");
}

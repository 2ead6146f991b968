/*
 * rsp_frame.c - ARP and ICMP echo answers for one IPv4 address (rsp_frame.h).
 *
 * Every length is checked before the bytes it covers are read: a field is
 * read only through rd16()/the pointers below once `len` says it is there.
 * Formats: Ethernet II; ARP for Ethernet/IPv4 (RFC 826); IPv4 (RFC 791) and
 * its header checksum (RFC 1071); ICMP echo (RFC 792). Answers follow RFC 1122
 * 3.2.2.6: an echo reply carries the request's identifier, sequence number
 * and data; IP options of the request are not copied back.
 */
#include "rsp_frame.h"

#include <string.h>

#define ARP_LEN 28
#define IPV4_MIN_HLEN 20
#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define IPPROTO_ICMP_NUM 1
#define REPLY_TTL 64

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint16_t rsp_inet_checksum(const uint8_t *data, size_t len)
{
    uint32_t sum = 0;
    size_t i;
    for (i = 0; i + 1 < len; i += 2)
        sum += rd16(data + i);
    if (i < len)
        sum += (uint32_t)data[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int is_group_mac(const uint8_t *mac)
{
    return mac[0] & 1;
}

/* A source we may answer: not 0.0.0.0, loopback, multicast, class E or broadcast. */
static int is_unicast_source(const uint8_t *ip)
{
    return ip[0] != 0 && ip[0] != 127 && ip[0] < 224;
}

/* The Ethernet header of an answer: back to the sender, from us. */
static void eth_answer(const struct rsp_self *self, const uint8_t *req, uint8_t *out,
                       uint16_t type)
{
    memcpy(out, req + 6, 6);
    memcpy(out + 6, self->mac, 6);
    wr16(out + 12, type);
}

/* ---- ARP ------------------------------------------------------------------------ */

static enum rsp_verdict arp_handle(const struct rsp_self *self, const uint8_t *frame, size_t len,
                                   uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    const uint8_t *arp = frame + RSP_ETH_HLEN;
    if (len - RSP_ETH_HLEN < ARP_LEN)
        return RSP_DROP_ARP_TRUNCATED;
    if (rd16(arp) != 1 || rd16(arp + 2) != RSP_ETHERTYPE_IPV4 || arp[4] != 6 || arp[5] != 4)
        return RSP_DROP_ARP_FORMAT;
    if (rd16(arp + 6) != 1)
        return RSP_DROP_ARP_OPERATION;
    const uint8_t *sha = arp + 8, *spa = arp + 14, *tpa = arp + 24;
    if (memcmp(tpa, self->ip, 4) != 0)
        return RSP_DROP_NOT_OUR_IP;
    /* A probe (sender address 0.0.0.0, RFC 5227) is answered like any request. */
    if (is_group_mac(sha))
        return RSP_DROP_BAD_SOURCE;
    if (reply_cap < RSP_ETH_HLEN + ARP_LEN)
        return RSP_DROP_NO_RESOURCES;

    eth_answer(self, frame, reply, RSP_ETHERTYPE_ARP);
    uint8_t *out = reply + RSP_ETH_HLEN;
    memcpy(out, arp, 6);  /* hardware type, protocol type, lengths */
    wr16(out + 6, 2);     /* reply */
    memcpy(out + 8, self->mac, 6);
    memcpy(out + 14, self->ip, 4);
    memcpy(out + 18, sha, 6);
    memcpy(out + 24, spa, 4);
    *reply_len = RSP_ETH_HLEN + ARP_LEN;
    return RSP_REPLY_ARP;
}

/* ---- IPv4 and ICMP echo ------------------------------------------------------------ */

/* Checks the IPv4 header at ip (avail bytes); sets *hlen and *tlen. */
static enum rsp_verdict ipv4_check(const struct rsp_self *self, const uint8_t *ip, size_t avail,
                                   size_t *hlen, size_t *tlen)
{
    if (avail < IPV4_MIN_HLEN)
        return RSP_DROP_IP_TRUNCATED;
    if (ip[0] >> 4 != 4)
        return RSP_DROP_IP_VERSION;
    *hlen = (size_t)(ip[0] & 0x0f) * 4;
    if (*hlen < IPV4_MIN_HLEN)
        return RSP_DROP_IP_HEADER_LEN;
    if (*hlen > avail)
        return RSP_DROP_IP_TRUNCATED;
    *tlen = rd16(ip + 2);
    if (*tlen < *hlen)
        return RSP_DROP_IP_LENGTH;
    if (*tlen > avail) /* shorter frames are padding: only tlen counts */
        return RSP_DROP_IP_TRUNCATED;
    if (rsp_inet_checksum(ip, *hlen) != 0)
        return RSP_DROP_IP_CHECKSUM;
    if (rd16(ip + 6) & 0x3fff) /* MF or a fragment offset */
        return RSP_DROP_IP_FRAGMENT;
    if (memcmp(ip + 16, self->ip, 4) != 0)
        return RSP_DROP_NOT_OUR_IP;
    if (!is_unicast_source(ip + 12) || memcmp(ip + 12, self->ip, 4) == 0)
        return RSP_DROP_BAD_SOURCE;
    if (ip[9] != IPPROTO_ICMP_NUM)
        return RSP_DROP_IP_PROTOCOL;
    return RSP_REPLY_ECHO;
}

static void ipv4_answer_header(const struct rsp_self *self, const uint8_t *req_ip, uint8_t *ip,
                               size_t tlen)
{
    ip[0] = 0x45;
    ip[1] = req_ip[1]; /* the same type of service */
    wr16(ip + 2, (uint16_t)tlen);
    memcpy(ip + 4, req_ip + 4, 2); /* identification: echo the request's */
    wr16(ip + 6, 0);
    ip[8] = REPLY_TTL;
    ip[9] = IPPROTO_ICMP_NUM;
    wr16(ip + 10, 0);
    memcpy(ip + 12, self->ip, 4);
    memcpy(ip + 16, req_ip + 12, 4);
    wr16(ip + 10, rsp_inet_checksum(ip, IPV4_MIN_HLEN));
}

static enum rsp_verdict ipv4_handle(const struct rsp_self *self, const uint8_t *frame, size_t len,
                                    uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    const uint8_t *ip = frame + RSP_ETH_HLEN;
    size_t hlen, tlen;
    enum rsp_verdict v = ipv4_check(self, ip, len - RSP_ETH_HLEN, &hlen, &tlen);
    if (v != RSP_REPLY_ECHO)
        return v;
    const uint8_t *icmp = ip + hlen;
    size_t icmp_len = tlen - hlen;
    if (icmp_len < ICMP_HLEN)
        return RSP_DROP_ICMP_TRUNCATED;
    if (rsp_inet_checksum(icmp, icmp_len) != 0)
        return RSP_DROP_ICMP_CHECKSUM;
    if (icmp[0] != ICMP_ECHO_REQUEST || icmp[1] != 0)
        return RSP_DROP_ICMP_TYPE;
    size_t out_len = RSP_ETH_HLEN + IPV4_MIN_HLEN + icmp_len;
    if (reply_cap < out_len)
        return RSP_DROP_NO_RESOURCES;

    eth_answer(self, frame, reply, RSP_ETHERTYPE_IPV4);
    uint8_t *oip = reply + RSP_ETH_HLEN, *oicmp = oip + IPV4_MIN_HLEN;
    ipv4_answer_header(self, ip, oip, IPV4_MIN_HLEN + icmp_len);
    memcpy(oicmp, icmp, icmp_len);
    oicmp[0] = ICMP_ECHO_REPLY;
    wr16(oicmp + 2, 0);
    wr16(oicmp + 2, rsp_inet_checksum(oicmp, icmp_len));
    *reply_len = out_len;
    return RSP_REPLY_ECHO;
}

/* ---- the frame ------------------------------------------------------------------------ */

enum rsp_verdict rsp_frame_handle(const struct rsp_self *self, const uint8_t *frame, size_t len,
                                  uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    *reply_len = 0;
    if (len < RSP_ETH_HLEN)
        return RSP_DROP_SHORT;
    if (len > RSP_ETH_MAX_FRAME)
        return RSP_DROP_OVERSIZE;
    if (memcmp(frame, self->mac, 6) != 0 && memcmp(frame, bcast_mac, 6) != 0)
        return RSP_DROP_NOT_OUR_MAC;
    if (is_group_mac(frame + 6))
        return RSP_DROP_BAD_SOURCE;
    switch (rd16(frame + 12)) {
    case RSP_ETHERTYPE_ARP:
        return arp_handle(self, frame, len, reply, reply_cap, reply_len);
    case RSP_ETHERTYPE_IPV4:
        return ipv4_handle(self, frame, len, reply, reply_cap, reply_len);
    default:
        return RSP_DROP_ETHERTYPE;
    }
}

const char *rsp_verdict_name(enum rsp_verdict v)
{
    static const char *const names[RSP_VERDICT_COUNT] = {
        [RSP_REPLY_ARP] = "reply-arp",
        [RSP_REPLY_ECHO] = "reply-echo",
        [RSP_DROP_SHORT] = "short",
        [RSP_DROP_OVERSIZE] = "oversize",
        [RSP_DROP_NOT_OUR_MAC] = "not-our-mac",
        [RSP_DROP_BAD_SOURCE] = "bad-source",
        [RSP_DROP_ETHERTYPE] = "ethertype",
        [RSP_DROP_ARP_TRUNCATED] = "arp-truncated",
        [RSP_DROP_ARP_FORMAT] = "arp-format",
        [RSP_DROP_ARP_OPERATION] = "arp-operation",
        [RSP_DROP_IP_TRUNCATED] = "ip-truncated",
        [RSP_DROP_IP_VERSION] = "ip-version",
        [RSP_DROP_IP_HEADER_LEN] = "ip-header-length",
        [RSP_DROP_IP_LENGTH] = "ip-length",
        [RSP_DROP_IP_CHECKSUM] = "ip-checksum",
        [RSP_DROP_IP_FRAGMENT] = "ip-fragment",
        [RSP_DROP_IP_PROTOCOL] = "ip-protocol",
        [RSP_DROP_NOT_OUR_IP] = "not-our-ip",
        [RSP_DROP_ICMP_TRUNCATED] = "icmp-truncated",
        [RSP_DROP_ICMP_CHECKSUM] = "icmp-checksum",
        [RSP_DROP_ICMP_TYPE] = "icmp-type",
        [RSP_DROP_UNREADABLE] = "unreadable",
        [RSP_DROP_NO_RESOURCES] = "no-resources",
        [RSP_DROP_NOT_RUNNING] = "not-running",
    };
    return (unsigned)v < RSP_VERDICT_COUNT ? names[v] : "?";
}

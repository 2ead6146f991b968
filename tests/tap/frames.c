/*
 * frames.c - Ethernet frames for the responder tests (frames.h). Checksums use
 * the responder's own rsp_inet_checksum, itself checked against fixed
 * values in test_rsp_frame.c.
 */
#include "frames.h"

#include <string.h>

#include "rsp_frame.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void eth(uint8_t *f, const struct fr_ends *e, uint16_t type)
{
    memcpy(f, e->dst_mac, 6);
    memcpy(f + 6, e->src_mac, 6);
    put16(f + 12, type);
}

size_t fr_arp_request(uint8_t *f, const struct fr_ends *e)
{
    eth(f, e, 0x0806);
    uint8_t *a = f + FR_ETH;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, 1);
    memcpy(a + 8, e->src_mac, 6);
    memcpy(a + 14, e->src_ip, 4);
    memset(a + 18, 0, 6);
    memcpy(a + 24, e->dst_ip, 4);
    return FR_ETH + 28;
}

void fr_fix_ip_checksum(uint8_t *f)
{
    put16(f + FR_ETH + 10, 0);
    put16(f + FR_ETH + 10, rsp_inet_checksum(f + FR_ETH, 20));
}

void fr_fix_icmp_checksum(uint8_t *f, size_t icmp_len)
{
    put16(f + FR_IP + 2, 0);
    put16(f + FR_IP + 2, rsp_inet_checksum(f + FR_IP, icmp_len));
}

size_t fr_echo_request(uint8_t *f, const struct fr_ends *e, size_t data, uint16_t seq)
{
    eth(f, e, 0x0800);
    uint8_t *ip = f + FR_ETH, *icmp = f + FR_IP;
    size_t icmp_len = 8 + data;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(20 + icmp_len));
    put16(ip + 4, seq);
    put16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = 1;
    memcpy(ip + 12, e->src_ip, 4);
    memcpy(ip + 16, e->dst_ip, 4);
    fr_fix_ip_checksum(f);
    icmp[0] = 8;
    icmp[1] = 0;
    put16(icmp + 4, 0x4e44);
    put16(icmp + 6, seq);
    for (size_t i = 0; i < data; i++)
        icmp[8 + i] = (uint8_t)(i * 7 + seq);
    fr_fix_icmp_checksum(f, icmp_len);
    return FR_IP + icmp_len;
}

/*
 * frames.h - Ethernet frames for the responder tests: well-formed ARP
 * requests and ICMP echo requests (checksums computed), which a test then
 * damages in the one way it checks.
 */
#ifndef NDIS_TAP_FRAMES_H
#define NDIS_TAP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FR_ETH 14
#define FR_IP (FR_ETH + 20) /* offset of the ICMP header in an IHL-5 frame */

struct fr_ends {
    uint8_t dst_mac[6], src_mac[6];
    uint8_t src_ip[4], dst_ip[4];
};

/* An ARP request "who has dst_ip, tell src_ip" to dst_mac; 42 bytes. */
size_t fr_arp_request(uint8_t *f, const struct fr_ends *e);
/* An ICMP echo request with `data` payload bytes (a pattern); 42 + data bytes. */
size_t fr_echo_request(uint8_t *f, const struct fr_ends *e, size_t data, uint16_t seq);
/* Recomputes the IPv4 header checksum (IHL-5 header at FR_ETH). */
void fr_fix_ip_checksum(uint8_t *f);
/* Recomputes the ICMP checksum over icmp_len bytes at FR_IP. */
void fr_fix_icmp_checksum(uint8_t *f, size_t icmp_len);

#endif /* NDIS_TAP_FRAMES_H */

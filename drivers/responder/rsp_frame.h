/*
 * rsp_frame.h - the responder's frame logic: decide what to do with one
 * Ethernet frame (answer an ARP request or an ICMP echo request for our
 * address, or drop it and say why) and build the answer.
 *
 * Pure C (no NDIS types), so that it can be fuzzed on its own
 * (fuzz/responder/). The caller hands over the whole frame as contiguous
 * bytes; nothing outside frame[0..len) is ever read and nothing outside
 * reply[0..reply_cap) is written.
 */
#ifndef RSP_FRAME_H
#define RSP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define RSP_ETH_HLEN 14
#define RSP_ETH_MAX_FRAME 1514 /* without FCS: 1500-byte MTU + Ethernet header */
#define RSP_ETHERTYPE_IPV4 0x0800
#define RSP_ETHERTYPE_ARP 0x0806

/*
 * What happened to a frame. RSP_REPLY_* mean `reply` holds the answer; every
 * other value is a drop with its reason. The driver adds the last three.
 */
enum rsp_verdict {
    RSP_REPLY_ARP,           /* an ARP reply for our address */
    RSP_REPLY_ECHO,          /* an ICMP echo reply */
    RSP_DROP_SHORT,          /* shorter than an Ethernet header */
    RSP_DROP_OVERSIZE,       /* longer than RSP_ETH_MAX_FRAME */
    RSP_DROP_NOT_OUR_MAC,    /* destination neither our MAC nor broadcast */
    RSP_DROP_BAD_SOURCE,     /* source MAC or IPv4 address we cannot answer */
    RSP_DROP_ETHERTYPE,      /* neither ARP nor IPv4 (VLAN tags included) */
    RSP_DROP_ARP_TRUNCATED,  /* ARP packet shorter than 28 bytes */
    RSP_DROP_ARP_FORMAT,     /* not Ethernet/IPv4 ARP (hardware/protocol type, lengths) */
    RSP_DROP_ARP_OPERATION,  /* not a request */
    RSP_DROP_IP_TRUNCATED,   /* IPv4 header or datagram longer than the frame */
    RSP_DROP_IP_VERSION,     /* version field is not 4 */
    RSP_DROP_IP_HEADER_LEN,  /* IHL below 5 */
    RSP_DROP_IP_LENGTH,      /* total length shorter than the header */
    RSP_DROP_IP_CHECKSUM,    /* header checksum wrong */
    RSP_DROP_IP_FRAGMENT,    /* a fragment (we do not reassemble) */
    RSP_DROP_IP_PROTOCOL,    /* not ICMP */
    RSP_DROP_NOT_OUR_IP,     /* ARP target or IPv4 destination is not our address */
    RSP_DROP_ICMP_TRUNCATED, /* ICMP message shorter than 8 bytes */
    RSP_DROP_ICMP_CHECKSUM,  /* ICMP checksum wrong */
    RSP_DROP_ICMP_TYPE,      /* not an echo request (type 8, code 0) */
    RSP_DROP_UNREADABLE,     /* driver: the NET_BUFFER's data could not be read */
    RSP_DROP_NO_RESOURCES,   /* driver: no NET_BUFFER_LIST for the answer */
    RSP_DROP_NOT_RUNNING,    /* driver: received while the binding was pausing */
    RSP_VERDICT_COUNT
};

struct rsp_self {
    uint8_t mac[6];
    uint8_t ip[4];
};

/*
 * Looks at frame[0..len). On RSP_REPLY_* the answer is in reply[0..*reply_len);
 * an answer is never longer than the request, so reply_cap >= len always
 * suffices (a smaller reply_cap that cannot hold the answer gives
 * RSP_DROP_NO_RESOURCES). `reply` must not overlap `frame`.
 */
enum rsp_verdict rsp_frame_handle(const struct rsp_self *self, const uint8_t *frame, size_t len,
                                  uint8_t *reply, size_t reply_cap, size_t *reply_len);

/* A short name for counters and logs ("ip-checksum", "reply-echo" ...). */
const char *rsp_verdict_name(enum rsp_verdict v);

/* The Internet checksum (RFC 1071) of data[0..len), as stored in a header. */
uint16_t rsp_inet_checksum(const uint8_t *data, size_t len);

#endif /* RSP_FRAME_H */

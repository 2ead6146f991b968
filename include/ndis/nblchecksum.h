/*
 * ndis/nblchecksum.h - NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO, the
 * checksum-offload out-of-band data of a NET_BUFFER_LIST, kept in its
 * TcpIpChecksumNetBufferListInfo slot
 * (ddi/ndis-split/nblchecksum/ns-nblchecksum-ndis_tcp_ip_checksum_net_buffer_list_info.md).
 *
 * Pointer sized; read and written through Value. Bit-fields are allocated
 * from the least significant bit, as MSVC does.
 */
#ifndef _NDIS_NBLCHECKSUM_H_
#define _NDIS_NBLCHECKSUM_H_

#include <ntdef.h>

typedef struct _NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO {
    union {
        /* Set by the transport on sends. */
        struct {
            ULONG IsIPv4 : 1;
            ULONG IsIPv6 : 1;
            ULONG TcpChecksum : 1;
            ULONG UdpChecksum : 1;
            ULONG IpHeaderChecksum : 1;
            ULONG Reserved : 11;
            ULONG TcpHeaderOffset : 10;
        } Transmit;
        /*
         * Set by the miniport on receives. Neither Failed nor Succeeded set
         * means "not validated": the stack checks in software.
         */
        struct {
            ULONG TcpChecksumFailed : 1;
            ULONG UdpChecksumFailed : 1;
            ULONG IpChecksumFailed : 1;
            ULONG TcpChecksumSucceeded : 1;
            ULONG UdpChecksumSucceeded : 1;
            ULONG IpChecksumSucceeded : 1;
            ULONG Loopback : 1;                /* NDIS' own; miniports ignore it */
            ULONG TcpChecksumValueInvalid : 1; /* RSC, NDIS 6.30 */
            ULONG IpChecksumValueInvalid : 1;  /* RSC, NDIS 6.30 */
        } Receive;
        PVOID Value;
    };
} NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO, *PNDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO;

#endif /* _NDIS_NBLCHECKSUM_H_ */

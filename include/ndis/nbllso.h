/*
 * ndis/nbllso.h - NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO, the LSOv1
 * and LSOv2 out-of-band data of a NET_BUFFER_LIST, kept in its
 * TcpLargeSendNetBufferListInfo slot
 * (ddi/ndis-split/nbllso/ns-nbllso-ndis_tcp_large_send_offload_net_buffer_list_info.md).
 *
 * Pointer sized; read and written through Value (NET_BUFFER_LIST_INFO yields
 * the value itself, not a pointer to it). Bit-fields are allocated from the
 * least significant bit, as MSVC does. An NBL that carries LSO information
 * carries a single NET_BUFFER.
 */
#ifndef _NDIS_NBLLSO_H_
#define _NDIS_NBLLSO_H_

#include <ntdef.h>

/* Values of the one-bit Type member of every view below. */
#define NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE 0
#define NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE 1

/* Values of the one-bit LsoV2Transmit.IPVersion. */
#define NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4 0
#define NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6 1

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO {
    union {
        /* Common view: only Type is meaningful. */
        struct {
            ULONG Unused : 30;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } Transmit;
        /* Written by the transport before an LSOv1 send. */
        struct {
            ULONG MSS : 20;
            ULONG TcpHeaderOffset : 10;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } LsoV1Transmit;
        /* Written by the miniport before completing an LSOv1 send. */
        struct {
            ULONG TcpPayload : 30;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } LsoV1TransmitComplete;
        /* Written by the transport before an LSOv2 send. */
        struct {
            ULONG MSS : 20;
            ULONG TcpHeaderOffset : 10;
            ULONG Type : 1;
            ULONG IPVersion : 1;
        } LsoV2Transmit;
        /* The miniport zeroes Reserved and leaves Type when it completes an LSOv2 send. */
        struct {
            ULONG Reserved : 30;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } LsoV2TransmitComplete;
        PVOID Value;
    };
} NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO, *PNDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO;

#endif /* _NDIS_NBLLSO_H_ */

/*
 * ndis/nblinfo.h - NDIS_NET_BUFFER_LIST_INFO, the indexes of
 * NET_BUFFER_LIST.NetBufferListInfo[]
 * (ddi/ndis-split/nblinfo/ne-nblinfo-ndis_net_buffer_list_info.md).
 *
 * Index values are those of constants.md 4.4. In Windows the array length
 * depends on the NDIS version a driver selects; libndis has one
 * NET_BUFFER_LIST layout shared by the library and every driver, so the enum
 * always has its newest (NDIS 6.82) shape, including the two slots that only
 * NDIS itself sees in Windows (NetBufferListInfoReserved1/2, placed just
 * before MaxNetBufferListInfo). Aliases share the index of the entry they
 * follow. 64-bit builds and 32-bit builds differ as in Windows: the
 * switch-forwarding and virtual-subnet entries sit at different places, and
 * the 32-bit build splits SwitchForwardingDetail into two pointer-sized halves.
 */
#ifndef _NDIS_NBLINFO_H_
#define _NDIS_NBLINFO_H_

#include <ntdef.h>

typedef enum _NDIS_NET_BUFFER_LIST_INFO {
    TcpIpChecksumNetBufferListInfo,                               /* 0 */
    TcpOffloadBytesTransferred = TcpIpChecksumNetBufferListInfo,
    IPsecOffloadV1NetBufferListInfo,                              /* 1 */
    IPsecOffloadV2NetBufferListInfo = IPsecOffloadV1NetBufferListInfo,
    TcpLargeSendNetBufferListInfo,                                /* 2 */
    TcpReceiveNoPush = TcpLargeSendNetBufferListInfo,
    ClassificationHandleNetBufferListInfo,                        /* 3 */
    Ieee8021QNetBufferListInfo,                                   /* 4 */
    NetBufferListCancelId,                                        /* 5 */
    MediaSpecificInformation,                                     /* 6 */
    NetBufferListFrameType,                                       /* 7 */
    NetBufferListProtocolId = NetBufferListFrameType,
    NetBufferListHashValue,                                       /* 8 */
    NetBufferListHashInfo,                                        /* 9 */
    WfpNetBufferListInfo,                                         /* 10 */
    IPsecOffloadV2TunnelNetBufferListInfo,                        /* 11 */
    IPsecOffloadV2HeaderNetBufferListInfo,                        /* 12 */
    NetBufferListCorrelationId,                                   /* 13 */
    NetBufferListFilteringInfo,                                   /* 14 */
    MediaSpecificInformationEx,                                   /* 15 */
    NblOriginalInterfaceIfIndex,                                  /* 16 */
    NblReAuthWfpFlowContext = NblOriginalInterfaceIfIndex,
    TcpReceiveBytesTransferred,                                   /* 17 */
    NrtNameResolutionId = TcpReceiveBytesTransferred,
    /*
     * The page lists UdpRecvSegCoalesceOffloadInfo between
     * NrtNameResolutionId and the NDIS 6.30 entries, whose indexes are fixed
     * by constants.md, so it can only share index 17.
     */
    UdpRecvSegCoalesceOffloadInfo = TcpReceiveBytesTransferred,
#if defined(_WIN64)
    SwitchForwardingReserved,                                     /* 18 */
    SwitchForwardingDetail,                                       /* 19 */
    VirtualSubnetInfo,                                            /* 20 */
#endif
    IMReserved,                                                   /* 21 (32-bit: 18) */
    TcpRecvSegCoalesceInfo,                                       /* 22 (32-bit: 19) */
    /* Listed between TcpRecvSegCoalesceInfo and RscTcpTimestampDelta: shares 22. */
    UdpSegmentationOffloadInfo = TcpRecvSegCoalesceInfo,
    RscTcpTimestampDelta,                                         /* 23 (32-bit: 20) */
    TcpSendOffloadsSupplementalNetBufferListInfo = RscTcpTimestampDelta,
#if defined(_WIN64)
    GftOffloadInformation,                                        /* 24 */
    GftFlowEntryId,                                               /* 25 */
    NetBufferListInfoReserved3,                                   /* 26 */
#else
    NetBufferListInfoReserved3,                                   /* 21 */
    NetBufferListInfoReserved4,                                   /* 22 */
    SwitchForwardingReserved,                                     /* 23 */
    SwitchForwardingDetail_b0_to_b31,                             /* 24 */
    SwitchForwardingDetail_b32_to_b63,                            /* 25 */
    VirtualSubnetInfo,                                            /* 26 */
#endif
    NetBufferListInfoReserved1,                                   /* 27 */
    NetBufferListInfoReserved2,                                   /* 28 */
    MaxNetBufferListInfo                                          /* 29 */
} NDIS_NET_BUFFER_LIST_INFO, *PNDIS_NET_BUFFER_LIST_INFO;

#endif /* _NDIS_NBLINFO_H_ */

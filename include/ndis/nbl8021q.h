/*
 * ndis/nbl8021q.h - NDIS_NET_BUFFER_LIST_8021Q_INFO, the 802.1Q (priority
 * and VLAN) out-of-band data of a NET_BUFFER_LIST
 * (ddi/ndis-split/nbl8021q/ns-nbl8021q-ndis_net_buffer_list_8021q_info.md).
 *
 * It is pointer sized: drivers move it in and out of the
 * Ieee8021QNetBufferListInfo slot through Value, e.g.
 *     info.Value = NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo);
 * Bit-fields are allocated from the least significant bit, as MSVC does.
 */
#ifndef _NDIS_NBL8021Q_H_
#define _NDIS_NBL8021Q_H_

#include <ntdef.h>

typedef struct _NDIS_NET_BUFFER_LIST_8021Q_INFO {
    union {
        struct {                        /* 802.3 miniports */
            UINT32 UserPriority : 3;    /* 802.1p priority */
            UINT32 CanonicalFormatId : 1;
            UINT32 VlanId : 12;
            UINT32 Reserved : 16;
        } TagHeader;
        struct {                        /* native 802.11 miniports */
            UINT32 UserPriority : 3;
            UINT32 CanonicalFormatId : 1;
            UINT32 VlanId : 12;
            UINT32 WMMInfo : 4;         /* WMM TID; highest bit must be 0 */
            UINT32 Reserved : 12;
        } WLanTagHeader;
        PVOID Value;
    };
} NDIS_NET_BUFFER_LIST_8021Q_INFO, *PNDIS_NET_BUFFER_LIST_8021Q_INFO;

#endif /* _NDIS_NBL8021Q_H_ */

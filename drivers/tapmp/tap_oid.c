/*
 * tap_oid.c - MiniportOidRequest: the general and Ethernet OIDs of an NDIS 6
 * Ethernet miniport (concepts/mandatory-oids-for-miniport-drivers.md,
 * ethernet-statistics-oids.md, ndis-general-statistics-oids.md), answered
 * synchronously at PASSIVE_LEVEL.
 *
 * Counters: OID_GEN_STATISTICS and the separate statistics OIDs come from the
 * adapter's counters (tapmp.h). The 64-bit ones follow
 * concepts/querying-64-bit-statistics-oids.md: a 4-byte buffer gets the low 32
 * bits with BytesNeeded 8. A TAP interface has no wire, so the 802.3 error
 * counters (alignment, collisions) are truthfully 0.
 */
#include "tapmp.h"

const NDIS_OID tap_supported_oids[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_PHYSICAL_MEDIUM,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_STATISTICS,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_802_3_RCV_ERROR_ALIGNMENT,
    OID_802_3_XMIT_ONE_COLLISION,
    OID_802_3_XMIT_MORE_COLLISIONS,
};
const ULONG tap_supported_oids_size = sizeof(tap_supported_oids);

static const char vendor_description[] = "libndis TAP miniport";
#define VENDOR_ID 0x00ffffffu  /* no IEEE OUI (oid-gen-vendor-id.md) */
#define DRIVER_VERSION 0x00010000u

/* ---- queries ----------------------------------------------------------------------- */

static ULONG64 ld(atomic_ullong *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static void fill_statistics(struct tap_adapter *a, NDIS_STATISTICS_INFO *si)
{
    struct tap_stats *s = &a->stats;
    NdisZeroMemory(si, sizeof(*si));
    si->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    si->Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
    si->Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
    si->SupportedStatistics = TAP_SUPPORTED_STATISTICS;
    si->ifInDiscards = ld(&s->in_discards);
    si->ifInErrors = ld(&s->in_errors);
    si->ifHCInUcastPkts = ld(&s->in_ucast);
    si->ifHCInMulticastPkts = ld(&s->in_mcast);
    si->ifHCInBroadcastPkts = ld(&s->in_bcast);
    si->ifHCInUcastOctets = ld(&s->in_ucast_bytes);
    si->ifHCInMulticastOctets = ld(&s->in_mcast_bytes);
    si->ifHCInBroadcastOctets = ld(&s->in_bcast_bytes);
    si->ifHCInOctets = si->ifHCInUcastOctets + si->ifHCInMulticastOctets +
                       si->ifHCInBroadcastOctets;
    si->ifHCOutUcastPkts = ld(&s->out_ucast);
    si->ifHCOutMulticastPkts = ld(&s->out_mcast);
    si->ifHCOutBroadcastPkts = ld(&s->out_bcast);
    si->ifHCOutUcastOctets = ld(&s->out_ucast_bytes);
    si->ifHCOutMulticastOctets = ld(&s->out_mcast_bytes);
    si->ifHCOutBroadcastOctets = ld(&s->out_bcast_bytes);
    si->ifHCOutOctets = si->ifHCOutUcastOctets + si->ifHCOutMulticastOctets +
                        si->ifHCOutBroadcastOctets;
    si->ifOutErrors = ld(&s->out_errors);
    si->ifOutDiscards = ld(&s->out_discards);
}

static NDIS_STATUS answer(PNDIS_OID_REQUEST r, const void *data, ULONG len, bool stat64)
{
    ULONG room = r->DATA.QUERY_INFORMATION.InformationBufferLength;
    if (stat64 && room >= sizeof(ULONG) && room < sizeof(ULONG64)) {
        /* A 32-bit query of a 64-bit counter: the low 32 bits. */
        NdisMoveMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, data, sizeof(ULONG));
        r->DATA.QUERY_INFORMATION.BytesWritten = sizeof(ULONG);
        r->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(ULONG64);
        return NDIS_STATUS_SUCCESS;
    }
    if (room < len) {
        r->DATA.QUERY_INFORMATION.BytesWritten = 0;
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    NdisMoveMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, data, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    r->DATA.QUERY_INFORMATION.BytesNeeded = len;
    return NDIS_STATUS_SUCCESS;
}

union oid_value {
    ULONG ul;
    ULONG64 u64;
    UCHAR mac[6];
    NDIS_STATISTICS_INFO stats;
    NDIS_INTERRUPT_MODERATION_PARAMETERS im;
};

/* Counters that are also separate OIDs (64-bit). */
static bool query_counter(struct tap_adapter *a, NDIS_OID oid, ULONG64 *v)
{
    struct tap_stats *s = &a->stats;
    switch (oid) {
    case OID_GEN_XMIT_OK:
        *v = ld(&s->out_ucast) + ld(&s->out_mcast) + ld(&s->out_bcast);
        return true;
    case OID_GEN_RCV_OK:
        *v = ld(&s->in_ucast) + ld(&s->in_mcast) + ld(&s->in_bcast);
        return true;
    case OID_GEN_XMIT_ERROR:
        *v = ld(&s->out_errors);
        return true;
    case OID_GEN_RCV_ERROR:
        *v = ld(&s->in_errors);
        return true;
    case OID_GEN_RCV_NO_BUFFER:
        *v = ld(&s->in_discards);
        return true;
    default:
        return false;
    }
}

/* Query OIDs whose answer is one ULONG; false if oid is not one of them. */
static bool query_ulong(struct tap_adapter *a, NDIS_OID oid, ULONG *v)
{
    switch (oid) {
    case OID_GEN_HARDWARE_STATUS:
        *v = atomic_load(&a->gone) ? NdisHardwareStatusNotReady : NdisHardwareStatusReady;
        return true;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE:
        *v = NdisMedium802_3;
        return true;
    case OID_GEN_PHYSICAL_MEDIUM:
        *v = NdisPhysicalMedium802_3;
        return true;
    case OID_GEN_MAXIMUM_LOOKAHEAD:
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        *v = TAP_MTU;
        return true;
    case OID_GEN_CURRENT_LOOKAHEAD:
        *v = a->lookahead;
        return true;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
    case OID_GEN_TRANSMIT_BUFFER_SPACE: /* one frame: sends are written at once */
        *v = TAP_MAX_FRAME;
        return true;
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        *v = TAP_RX_BUFFER_SIZE;
        return true;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        *v = a->rx_count * TAP_RX_BUFFER_SIZE;
        return true;
    case OID_GEN_LINK_SPEED: /* in 100 bit/s */
        *v = tap_dev_link_up(a->dev) ? (ULONG)(TAP_LINK_SPEED / 100) : 0;
        return true;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        *v = tap_dev_link_up(a->dev) ? NdisMediaStateConnected : NdisMediaStateDisconnected;
        return true;
    case OID_GEN_MAC_OPTIONS:
        *v = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
             NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
        return true;
    case OID_GEN_VENDOR_ID:
        *v = VENDOR_ID;
        return true;
    case OID_GEN_VENDOR_DRIVER_VERSION:
        *v = DRIVER_VERSION;
        return true;
    case OID_GEN_CURRENT_PACKET_FILTER:
        *v = atomic_load(&a->packet_filter);
        return true;
    case OID_802_3_MAXIMUM_LIST_SIZE:
        *v = TAP_MCAST_MAX;
        return true;
    case OID_802_3_RCV_ERROR_ALIGNMENT:
    case OID_802_3_XMIT_ONE_COLLISION:
    case OID_802_3_XMIT_MORE_COLLISIONS:
        *v = 0;
        return true;
    default:
        return false;
    }
}

static NDIS_STATUS query_multicast_list(struct tap_adapter *a, PNDIS_OID_REQUEST r)
{
    UCHAR list[TAP_MCAST_MAX][6];
    NdisAcquireSpinLock(&a->mc_lock);
    ULONG n = a->mc_count;
    NdisMoveMemory(list, a->mc, n * 6);
    NdisReleaseSpinLock(&a->mc_lock);
    return answer(r, list, n * 6, false);
}

static NDIS_STATUS query(struct tap_adapter *a, PNDIS_OID_REQUEST r)
{
    NDIS_OID oid = r->DATA.QUERY_INFORMATION.Oid;
    union oid_value v;
    if (query_ulong(a, oid, &v.ul))
        return answer(r, &v.ul, sizeof(v.ul), false);
    if (query_counter(a, oid, &v.u64))
        return answer(r, &v.u64, sizeof(v.u64), true);
    switch (oid) {
    case OID_GEN_SUPPORTED_LIST:
        return answer(r, tap_supported_oids, tap_supported_oids_size, false);
    case OID_GEN_VENDOR_DESCRIPTION:
        return answer(r, vendor_description, sizeof(vendor_description), false);
    case OID_GEN_STATISTICS:
        fill_statistics(a, &v.stats);
        return answer(r, &v.stats, sizeof(v.stats), false);
    case OID_GEN_INTERRUPT_MODERATION:
        NdisZeroMemory(&v.im, sizeof(v.im));
        v.im.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        v.im.Header.Revision = NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
        v.im.Header.Size = NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
        v.im.InterruptModeration = NdisInterruptModerationNotSupported;
        return answer(r, &v.im, sizeof(v.im), false);
    case OID_802_3_PERMANENT_ADDRESS:
        return answer(r, a->perm_mac, 6, false);
    case OID_802_3_CURRENT_ADDRESS:
        return answer(r, a->mac, 6, false);
    case OID_802_3_MULTICAST_LIST:
        return query_multicast_list(a, r);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/* ---- sets ------------------------------------------------------------------------------ */

static NDIS_STATUS set_ulong(PNDIS_OID_REQUEST r, ULONG *v)
{
    if (r->DATA.SET_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
        r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(v, r->DATA.SET_INFORMATION.InformationBuffer, sizeof(ULONG));
    r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS set_packet_filter(struct tap_adapter *a, PNDIS_OID_REQUEST r)
{
    ULONG f;
    NDIS_STATUS st = set_ulong(r, &f);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    if (f & ~(ULONG)TAP_SUPPORTED_FILTERS)
        return NDIS_STATUS_NOT_SUPPORTED; /* oid-gen-current-packet-filter.md */
    atomic_store(&a->packet_filter, f);
    return NDIS_STATUS_SUCCESS;
}

/* oid-802-3-multicast-list.md: the whole list replaces the previous one. */
static NDIS_STATUS set_multicast_list(struct tap_adapter *a, PNDIS_OID_REQUEST r)
{
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    const UCHAR *p = r->DATA.SET_INFORMATION.InformationBuffer;
    if (len % 6) {
        r->DATA.SET_INFORMATION.BytesNeeded = (len / 6 + 1) * 6;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    if (len / 6 > TAP_MCAST_MAX)
        return NDIS_STATUS_MULTICAST_FULL;
    for (ULONG i = 0; i < len; i += 6)
        if (!(p[i] & 1))
            return NDIS_STATUS_INVALID_DATA; /* not a group address */
    NdisAcquireSpinLock(&a->mc_lock);
    NdisMoveMemory(a->mc, p, len);
    a->mc_count = len / 6;
    NdisReleaseSpinLock(&a->mc_lock);
    r->DATA.SET_INFORMATION.BytesRead = len;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS set(struct tap_adapter *a, PNDIS_OID_REQUEST r)
{
    ULONG v;
    NDIS_STATUS st;
    switch (r->DATA.SET_INFORMATION.Oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        return set_packet_filter(a, r);
    case OID_802_3_MULTICAST_LIST:
        return set_multicast_list(a, r);
    case OID_GEN_CURRENT_LOOKAHEAD:
        if ((st = set_ulong(r, &v)) != NDIS_STATUS_SUCCESS)
            return st;
        if (v > TAP_MTU)
            return NDIS_STATUS_INVALID_DATA;
        a->lookahead = v; /* whole frames are indicated whatever the lookahead */
        return NDIS_STATUS_SUCCESS;
    case OID_GEN_INTERRUPT_MODERATION:
        /* oid-gen-interrupt-moderation.md: a driver that reported NotSupported
           fails the set with NDIS_STATUS_INVALID_DATA. */
        return NDIS_STATUS_INVALID_DATA;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

_Use_decl_annotations_ NDIS_STATUS tap_oid_request(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    struct tap_adapter *a = ctx;
    switch (r->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        return query(a, r);
    case NdisRequestSetInformation:
        return set(a, r);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/* Requests complete synchronously: none is ever pending when NDIS cancels. */
_Use_decl_annotations_ void tap_cancel_oid(NDIS_HANDLE ctx, PVOID request_id)
{
    (void)ctx;
    (void)request_id;
}

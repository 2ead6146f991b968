/*
 * vmp_oids.c - virtmp's OID requests (MiniportOidRequest) and link state.
 *
 * NDIS serializes OID requests to a miniport and calls MiniportOidRequest at
 * PASSIVE_LEVEL. virtmp answers every request before returning, so it never
 * returns NDIS_STATUS_PENDING and MiniportCancelOidRequest has nothing to do.
 *
 * What the pages require (mandatory-oids-for-miniport-drivers.md and the OID
 * pages it links):
 *  - queries check the buffer first: too short gives NDIS_STATUS_BUFFER_TOO_SHORT
 *    with BytesNeeded, and BytesWritten is exactly what was written;
 *  - statistics counters are 64-bit (querying-64-bit-statistics-oids.md): an
 *    8-byte buffer gets the value, a 4-byte one its low half with BytesNeeded 8,
 *    a shorter one NDIS_STATUS_INVALID_LENGTH with BytesNeeded 8;
 *  - sets check the length (NDIS_STATUS_INVALID_LENGTH with BytesNeeded) and
 *    validate every value before using it (security-issues-for-network-drivers.md).
 * Some queries (packet filter, multicast list, lookahead, media, ...) NDIS
 * answers itself from the attributes; virtmp answers them too, for any caller
 * that does reach it.
 */
#include "vmp.h"

const NDIS_OID VmpSupportedOids[] = {
    /* general, operational */
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_PHYSICAL_MEDIUM,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_LINK_PARAMETERS,
    /* general, statistics */
    OID_GEN_STATISTICS,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_RCV_CRC_ERROR,
    OID_GEN_TRANSMIT_QUEUE_LENGTH,
    OID_GEN_DIRECTED_BYTES_XMIT,
    OID_GEN_DIRECTED_FRAMES_XMIT,
    OID_GEN_MULTICAST_BYTES_XMIT,
    OID_GEN_MULTICAST_FRAMES_XMIT,
    OID_GEN_BROADCAST_BYTES_XMIT,
    OID_GEN_BROADCAST_FRAMES_XMIT,
    OID_GEN_DIRECTED_BYTES_RCV,
    OID_GEN_DIRECTED_FRAMES_RCV,
    OID_GEN_MULTICAST_BYTES_RCV,
    OID_GEN_MULTICAST_FRAMES_RCV,
    OID_GEN_BROADCAST_BYTES_RCV,
    OID_GEN_BROADCAST_FRAMES_RCV,
    OID_GEN_BYTES_RCV,
    OID_GEN_BYTES_XMIT,
    OID_GEN_RCV_DISCARDS,
    OID_GEN_XMIT_DISCARDS,
    /* IEEE 802.3 */
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_802_3_MAC_OPTIONS,
};

const ULONG VmpSupportedOidsSize = sizeof(VmpSupportedOids);

/* ---- queries --------------------------------------------------------------------- */

/* Fills NDIS_STATISTICS_INFO from the adapter's counters. */
static VOID
VmpFillStatistics(_In_ PVMP_ADAPTER Adapter, _Out_ PNDIS_STATISTICS_INFO Statistics)
{
    VMP_COUNTERS c;

    NdisAcquireSpinLock(&Adapter->Lock);
    c = Adapter->Counters;
    NdisReleaseSpinLock(&Adapter->Lock);

    NdisZeroMemory(Statistics, sizeof(*Statistics));
    Statistics->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    Statistics->Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
    Statistics->Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
    Statistics->SupportedStatistics =
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV | NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS | NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR |
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT | NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR |
        NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS |
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT;
    Statistics->ifInDiscards = c.InDiscards;
    Statistics->ifInErrors = c.InErrors;
    Statistics->ifHCInOctets = c.InUcastOctets + c.InMulticastOctets + c.InBroadcastOctets;
    Statistics->ifHCInUcastPkts = c.InUcastPkts;
    Statistics->ifHCInMulticastPkts = c.InMulticastPkts;
    Statistics->ifHCInBroadcastPkts = c.InBroadcastPkts;
    Statistics->ifHCOutOctets = c.OutUcastOctets + c.OutMulticastOctets + c.OutBroadcastOctets;
    Statistics->ifHCOutUcastPkts = c.OutUcastPkts;
    Statistics->ifHCOutMulticastPkts = c.OutMulticastPkts;
    Statistics->ifHCOutBroadcastPkts = c.OutBroadcastPkts;
    Statistics->ifOutErrors = c.OutErrors;
    Statistics->ifOutDiscards = c.OutDiscards;
    Statistics->ifHCInUcastOctets = c.InUcastOctets;
    Statistics->ifHCInMulticastOctets = c.InMulticastOctets;
    Statistics->ifHCInBroadcastOctets = c.InBroadcastOctets;
    Statistics->ifHCOutUcastOctets = c.OutUcastOctets;
    Statistics->ifHCOutMulticastOctets = c.OutMulticastOctets;
    Statistics->ifHCOutBroadcastOctets = c.OutBroadcastOctets;
}

/* The value of a single statistics OID; FALSE if `Oid` is not one. */
static BOOLEAN
VmpStatisticValue(_In_ PVMP_ADAPTER Adapter, NDIS_OID Oid, _Out_ PULONG64 Value)
{
    VMP_COUNTERS c;

    NdisAcquireSpinLock(&Adapter->Lock);
    c = Adapter->Counters;
    NdisReleaseSpinLock(&Adapter->Lock);

    switch (Oid) {
    case OID_GEN_XMIT_OK:
        *Value = c.OutUcastPkts + c.OutMulticastPkts + c.OutBroadcastPkts;
        break;
    case OID_GEN_RCV_OK:
        *Value = c.InUcastPkts + c.InMulticastPkts + c.InBroadcastPkts;
        break;
    case OID_GEN_XMIT_ERROR:
        *Value = c.OutErrors;
        break;
    case OID_GEN_RCV_ERROR:
        *Value = c.InErrors;
        break;
    case OID_GEN_RCV_NO_BUFFER:
        *Value = c.InNoBuffer;
        break;
    case OID_GEN_RCV_CRC_ERROR:         /* a software wire corrupts nothing */
    case OID_GEN_TRANSMIT_QUEUE_LENGTH: /* sends never queue */
        *Value = 0;
        break;
    case OID_GEN_DIRECTED_BYTES_XMIT:
        *Value = c.OutUcastOctets;
        break;
    case OID_GEN_DIRECTED_FRAMES_XMIT:
        *Value = c.OutUcastPkts;
        break;
    case OID_GEN_MULTICAST_BYTES_XMIT:
        *Value = c.OutMulticastOctets;
        break;
    case OID_GEN_MULTICAST_FRAMES_XMIT:
        *Value = c.OutMulticastPkts;
        break;
    case OID_GEN_BROADCAST_BYTES_XMIT:
        *Value = c.OutBroadcastOctets;
        break;
    case OID_GEN_BROADCAST_FRAMES_XMIT:
        *Value = c.OutBroadcastPkts;
        break;
    case OID_GEN_DIRECTED_BYTES_RCV:
        *Value = c.InUcastOctets;
        break;
    case OID_GEN_DIRECTED_FRAMES_RCV:
        *Value = c.InUcastPkts;
        break;
    case OID_GEN_MULTICAST_BYTES_RCV:
        *Value = c.InMulticastOctets;
        break;
    case OID_GEN_MULTICAST_FRAMES_RCV:
        *Value = c.InMulticastPkts;
        break;
    case OID_GEN_BROADCAST_BYTES_RCV:
        *Value = c.InBroadcastOctets;
        break;
    case OID_GEN_BROADCAST_FRAMES_RCV:
        *Value = c.InBroadcastPkts;
        break;
    case OID_GEN_BYTES_RCV:
        *Value = c.InUcastOctets + c.InMulticastOctets + c.InBroadcastOctets;
        break;
    case OID_GEN_BYTES_XMIT:
        *Value = c.OutUcastOctets + c.OutMulticastOctets + c.OutBroadcastOctets;
        break;
    case OID_GEN_RCV_DISCARDS:
        *Value = c.InDiscards;
        break;
    case OID_GEN_XMIT_DISCARDS:
        *Value = c.OutDiscards;
        break;
    default:
        return FALSE;
    }
    return TRUE;
}

/* querying-64-bit-statistics-oids.md */
static NDIS_STATUS
VmpAnswerStatistic(_Inout_ PNDIS_OID_REQUEST OidRequest, ULONG64 Value)
{
    ULONG length = OidRequest->DATA.QUERY_INFORMATION.InformationBufferLength;
    PVOID buffer = OidRequest->DATA.QUERY_INFORMATION.InformationBuffer;

    OidRequest->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(ULONG64);
    if (length >= sizeof(ULONG64)) {
        NdisMoveMemory(buffer, &Value, sizeof(ULONG64));
        OidRequest->DATA.QUERY_INFORMATION.BytesWritten = sizeof(ULONG64);
        return NDIS_STATUS_SUCCESS;
    }
    if (length >= sizeof(ULONG)) {
        ULONG low = (ULONG)Value;

        NdisMoveMemory(buffer, &low, sizeof(ULONG));
        OidRequest->DATA.QUERY_INFORMATION.BytesWritten = sizeof(ULONG);
        return NDIS_STATUS_SUCCESS;
    }
    OidRequest->DATA.QUERY_INFORMATION.BytesWritten = 0;
    return NDIS_STATUS_INVALID_LENGTH;
}

static NDIS_STATUS
VmpQueryInformation(_In_ PVMP_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST OidRequest)
{
    NDIS_OID oid = OidRequest->DATA.QUERY_INFORMATION.Oid;
    union {
        ULONG Ulong;
        USHORT Ushort;
        UCHAR Bytes[VMP_MAX_MULTICAST * VMP_ETH_ADDRESS_LENGTH];
        NDIS_STATISTICS_INFO Statistics;
        NDIS_INTERRUPT_MODERATION_PARAMETERS InterruptModeration;
    } answer;
    static const UCHAR vendorId[4] = VMP_VENDOR_ID_BYTES;
    static const char vendorDescription[] = VMP_VENDOR_DESCRIPTION;
    const VOID *source = &answer;
    ULONG sourceLength = sizeof(ULONG);
    ULONG64 statistic;

    OidRequest->DATA.QUERY_INFORMATION.BytesWritten = 0;
    OidRequest->DATA.QUERY_INFORMATION.BytesNeeded = 0;
    NdisZeroMemory(&answer, sizeof(answer));

    if (VmpStatisticValue(Adapter, oid, &statistic))
        return VmpAnswerStatistic(OidRequest, statistic);

    switch (oid) {
    case OID_GEN_SUPPORTED_LIST:
        source = VmpSupportedOids;
        sourceLength = VmpSupportedOidsSize;
        break;
    case OID_GEN_HARDWARE_STATUS:
        answer.Ulong = NdisHardwareStatusReady;
        break;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE:
        answer.Ulong = NdisMedium802_3;
        break;
    case OID_GEN_PHYSICAL_MEDIUM:
        answer.Ulong = NdisPhysicalMedium802_3;
        break;
    case OID_GEN_MAXIMUM_LOOKAHEAD:
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        answer.Ulong = VMP_MTU;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        NdisAcquireSpinLock(&Adapter->Lock);
        answer.Ulong = Adapter->Lookahead;
        NdisReleaseSpinLock(&Adapter->Lock);
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        answer.Ulong = VMP_MAX_FRAME_SIZE;
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        answer.Ulong = VMP_MAX_FRAME_SIZE * VMP_TRANSMIT_BUFFERS;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        answer.Ulong = VMP_MAX_FRAME_SIZE * Adapter->RcbCount;
        break;
    case OID_GEN_VENDOR_ID:
        source = vendorId;
        sourceLength = sizeof(vendorId);
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        source = vendorDescription; /* with its NUL */
        sourceLength = sizeof(vendorDescription);
        break;
    case OID_GEN_VENDOR_DRIVER_VERSION:
        answer.Ulong = (VMP_MAJOR_DRIVER_VERSION << 16) | VMP_MINOR_DRIVER_VERSION;
        break;
    case OID_GEN_DRIVER_VERSION:
        answer.Ushort = (USHORT)((NDIS_MINIPORT_MAJOR_VERSION << 8) | NDIS_MINIPORT_MINOR_VERSION);
        sourceLength = sizeof(USHORT);
        break;
    case OID_GEN_MAC_OPTIONS:
        answer.Ulong = VMP_MAC_OPTIONS;
        break;
    case OID_GEN_CURRENT_PACKET_FILTER:
        NdisAcquireSpinLock(&Adapter->Lock);
        answer.Ulong = Adapter->PacketFilter;
        NdisReleaseSpinLock(&Adapter->Lock);
        break;
    case OID_GEN_INTERRUPT_MODERATION:
        /* No interrupts, nothing to moderate. */
        answer.InterruptModeration.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        answer.InterruptModeration.Header.Revision = NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
        answer.InterruptModeration.Header.Size = NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
        answer.InterruptModeration.Flags = 0;
        answer.InterruptModeration.InterruptModeration = NdisInterruptModerationNotSupported;
        sourceLength = NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
        break;
    case OID_GEN_STATISTICS:
        VmpFillStatistics(Adapter, &answer.Statistics);
        sourceLength = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        source = Adapter->PermanentAddress;
        sourceLength = VMP_ETH_ADDRESS_LENGTH;
        break;
    case OID_802_3_CURRENT_ADDRESS:
        source = Adapter->CurrentAddress;
        sourceLength = VMP_ETH_ADDRESS_LENGTH;
        break;
    case OID_802_3_MULTICAST_LIST:
        NdisAcquireSpinLock(&Adapter->Lock);
        sourceLength = Adapter->MulticastCount * VMP_ETH_ADDRESS_LENGTH;
        NdisMoveMemory(answer.Bytes, Adapter->MulticastList, sourceLength);
        NdisReleaseSpinLock(&Adapter->Lock);
        break;
    case OID_802_3_MAXIMUM_LIST_SIZE:
        answer.Ulong = VMP_MAX_MULTICAST;
        break;
    case OID_802_3_MAC_OPTIONS:
        answer.Ulong = 0; /* no 802.1p priority */
        break;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }

    if (OidRequest->DATA.QUERY_INFORMATION.InformationBufferLength < sourceLength) {
        OidRequest->DATA.QUERY_INFORMATION.BytesNeeded = sourceLength;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    if (sourceLength != 0)
        NdisMoveMemory(OidRequest->DATA.QUERY_INFORMATION.InformationBuffer, source, sourceLength);
    OidRequest->DATA.QUERY_INFORMATION.BytesWritten = sourceLength;
    return NDIS_STATUS_SUCCESS;
}

/* ---- sets -------------------------------------------------------------------------- */

/* Too short a set buffer: BytesNeeded says how much is needed. */
static NDIS_STATUS
VmpSetTooShort(_Inout_ PNDIS_OID_REQUEST OidRequest, ULONG Needed)
{
    OidRequest->DATA.SET_INFORMATION.BytesNeeded = Needed;
    return NDIS_STATUS_INVALID_LENGTH;
}

static NDIS_STATUS
VmpSetLinkParameters(_Inout_ PVMP_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST OidRequest)
{
    NDIS_LINK_PARAMETERS parameters;
    NDIS_MEDIA_DUPLEX_STATE duplex;
    ULONG64 xmitSpeed, rcvSpeed;
    BOOLEAN changed;

    if (OidRequest->DATA.SET_INFORMATION.InformationBufferLength <
        NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1) {
        return VmpSetTooShort(OidRequest, NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1);
    }
    /* Copy first: the validated values are the ones used. */
    NdisZeroMemory(&parameters, sizeof(parameters));
    NdisMoveMemory(&parameters, OidRequest->DATA.SET_INFORMATION.InformationBuffer,
                   NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1);
    if (parameters.Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
        parameters.Header.Revision < NDIS_LINK_PARAMETERS_REVISION_1 ||
        parameters.Header.Size < NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1) {
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    /* 0 or NDIS_LINK_SPEED_UNKNOWN: let the link negotiate, i.e. full speed. */
    xmitSpeed = parameters.XmitLinkSpeed;
    rcvSpeed = parameters.RcvLinkSpeed;
    if (xmitSpeed == 0 || xmitSpeed == NDIS_LINK_SPEED_UNKNOWN)
        xmitSpeed = VMP_LINK_SPEED;
    if (rcvSpeed == 0 || rcvSpeed == NDIS_LINK_SPEED_UNKNOWN)
        rcvSpeed = VMP_LINK_SPEED;
    if (xmitSpeed > VMP_LINK_SPEED || rcvSpeed > VMP_LINK_SPEED)
        return NDIS_STATUS_INVALID_DATA;
    switch (parameters.MediaDuplexState) {
    case MediaDuplexStateUnknown: /* negotiate: full duplex */
    case MediaDuplexStateFull:
        duplex = MediaDuplexStateFull;
        break;
    case MediaDuplexStateHalf:
        duplex = MediaDuplexStateHalf;
        break;
    default:
        return NDIS_STATUS_INVALID_DATA;
    }
    /* PauseFunctions: a software wire sends no 802.3 pause frames; ignored. */

    NdisAcquireSpinLock(&Adapter->Lock);
    changed = Adapter->MediaDuplexState != duplex || Adapter->XmitLinkSpeed != xmitSpeed ||
              Adapter->RcvLinkSpeed != rcvSpeed;
    Adapter->MediaDuplexState = duplex;
    Adapter->XmitLinkSpeed = xmitSpeed;
    Adapter->RcvLinkSpeed = rcvSpeed;
    changed = changed && Adapter->MediaConnectState == MediaConnectStateConnected;
    NdisReleaseSpinLock(&Adapter->Lock);

    OidRequest->DATA.SET_INFORMATION.BytesRead = NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1;
    /* The link "renegotiated": tell NDIS and the protocols. */
    if (changed)
        VmpIndicateLinkState(Adapter);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS
VmpSetInformation(_Inout_ PVMP_ADAPTER Adapter, _Inout_ PNDIS_OID_REQUEST OidRequest)
{
    NDIS_OID oid = OidRequest->DATA.SET_INFORMATION.Oid;
    PVOID buffer = OidRequest->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
    UCHAR list[VMP_MAX_MULTICAST][VMP_ETH_ADDRESS_LENGTH];
    ULONG value, count, i;

    OidRequest->DATA.SET_INFORMATION.BytesRead = 0;
    OidRequest->DATA.SET_INFORMATION.BytesNeeded = 0;

    switch (oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        if (length < sizeof(ULONG))
            return VmpSetTooShort(OidRequest, sizeof(ULONG));
        NdisMoveMemory(&value, buffer, sizeof(ULONG));
        OidRequest->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
        if (value & ~VMP_SUPPORTED_FILTERS)
            return NDIS_STATUS_NOT_SUPPORTED;
        NdisAcquireSpinLock(&Adapter->Lock);
        Adapter->PacketFilter = value;
        NdisReleaseSpinLock(&Adapter->Lock);
        return NDIS_STATUS_SUCCESS;

    case OID_802_3_MULTICAST_LIST:
        if (length % VMP_ETH_ADDRESS_LENGTH != 0) {
            return VmpSetTooShort(OidRequest, (length / VMP_ETH_ADDRESS_LENGTH + 1) *
                                                  VMP_ETH_ADDRESS_LENGTH);
        }
        count = length / VMP_ETH_ADDRESS_LENGTH;
        if (count > VMP_MAX_MULTICAST) {
            OidRequest->DATA.SET_INFORMATION.BytesNeeded =
                VMP_MAX_MULTICAST * VMP_ETH_ADDRESS_LENGTH;
            return NDIS_STATUS_MULTICAST_FULL;
        }
        if (count != 0)
            NdisMoveMemory(list, buffer, length);
        for (i = 0; i < count; i++) {
            if ((list[i][0] & 0x01) == 0)
                return NDIS_STATUS_INVALID_DATA; /* not a group address */
        }
        NdisAcquireSpinLock(&Adapter->Lock);
        if (count != 0)
            NdisMoveMemory(Adapter->MulticastList, list, length);
        Adapter->MulticastCount = count;
        NdisReleaseSpinLock(&Adapter->Lock);
        OidRequest->DATA.SET_INFORMATION.BytesRead = length;
        return NDIS_STATUS_SUCCESS;

    case OID_GEN_CURRENT_LOOKAHEAD:
        if (length < sizeof(ULONG))
            return VmpSetTooShort(OidRequest, sizeof(ULONG));
        NdisMoveMemory(&value, buffer, sizeof(ULONG));
        OidRequest->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
        if (value > VMP_MTU)
            return NDIS_STATUS_INVALID_DATA;
        /* Whole frames are always indicated; the value is only remembered. */
        NdisAcquireSpinLock(&Adapter->Lock);
        Adapter->Lookahead = value;
        NdisReleaseSpinLock(&Adapter->Lock);
        return NDIS_STATUS_SUCCESS;

    case OID_GEN_INTERRUPT_MODERATION:
        if (length < NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1) {
            return VmpSetTooShort(OidRequest,
                                  NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1);
        }
        /* The query says NdisInterruptModerationNotSupported, so a set is
           invalid data (oid-gen-interrupt-moderation.md). */
        OidRequest->DATA.SET_INFORMATION.BytesRead =
            NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
        return NDIS_STATUS_INVALID_DATA;

    case OID_GEN_LINK_PARAMETERS:
        return VmpSetLinkParameters(Adapter, OidRequest);

    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/* ---- MiniportOidRequest -------------------------------------------------------- */

_Use_decl_annotations_
NDIS_STATUS
VmpOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;

    switch (OidRequest->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        return VmpQueryInformation(adapter, OidRequest);
    case NdisRequestSetInformation:
        return VmpSetInformation(adapter, OidRequest);
    default:
        return NDIS_STATUS_NOT_SUPPORTED; /* no method OIDs */
    }
}

/* Every request completed before VmpOidRequest returned: nothing to cancel. */
_Use_decl_annotations_
VOID
VmpCancelOidRequest(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RequestId);
}

/* ---- link state ---------------------------------------------------------------- */

_Use_decl_annotations_
VOID
VmpIndicateLinkState(PVMP_ADAPTER Adapter)
{
    NDIS_LINK_STATE linkState;
    NDIS_STATUS_INDICATION indication;

    NdisZeroMemory(&linkState, sizeof(linkState));
    linkState.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    linkState.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    linkState.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;

    NdisAcquireSpinLock(&Adapter->Lock);
    linkState.MediaConnectState = Adapter->MediaConnectState;
    if (Adapter->MediaConnectState == MediaConnectStateConnected) {
        linkState.MediaDuplexState = Adapter->MediaDuplexState;
        linkState.XmitLinkSpeed = Adapter->XmitLinkSpeed;
        linkState.RcvLinkSpeed = Adapter->RcvLinkSpeed;
    } else {
        linkState.MediaDuplexState = MediaDuplexStateUnknown;
        linkState.XmitLinkSpeed = NDIS_LINK_SPEED_UNKNOWN;
        linkState.RcvLinkSpeed = NDIS_LINK_SPEED_UNKNOWN;
    }
    NdisReleaseSpinLock(&Adapter->Lock);
    linkState.PauseFunctions = NdisPauseFunctionsUnsupported;
    linkState.AutoNegotiationFlags = NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED |
                                     NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED |
                                     NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED;

    NdisZeroMemory(&indication, sizeof(indication));
    indication.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    indication.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    indication.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    indication.SourceHandle = Adapter->AdapterHandle;
    indication.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    indication.StatusCode = NDIS_STATUS_LINK_STATE;
    indication.StatusBuffer = &linkState;
    indication.StatusBufferSize = sizeof(linkState);
    NdisMIndicateStatusEx(Adapter->AdapterHandle, &indication);
}

/* Compares an NDIS name with a C string (adapter names are ASCII). */
static BOOLEAN
VmpNameIs(_In_ const NDIS_STRING *Name, _In_z_ const char *Text)
{
    ULONG i, length = Name->Length / sizeof(WCHAR);

    if (Name->Buffer == NULL)
        return FALSE;
    for (i = 0; i < length; i++) {
        if (Text[i] == '\0' || Name->Buffer[i] != (WCHAR)(UCHAR)Text[i])
            return FALSE;
    }
    return Text[length] == '\0';
}

int
virtmp_set_link_state(const char *adapter, int connected)
{
    NDIS_MEDIA_CONNECT_STATE newState =
        connected ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    LOCK_STATE_EX lockState;
    PLIST_ENTRY entry;
    int result = -1;

    if (adapter == NULL || VmpDriver.SegmentLock == NULL)
        return -1;

    /* The read lock keeps the adapter on the segment (MiniportHaltEx waits for
       the write lock) while its status is indicated. */
    NdisAcquireRWLockRead(VmpDriver.SegmentLock, &lockState, 0);
    for (entry = VmpDriver.Adapters.Flink; entry != &VmpDriver.Adapters; entry = entry->Flink) {
        PVMP_ADAPTER candidate = CONTAINING_RECORD(entry, VMP_ADAPTER, SegmentLink);
        BOOLEAN changed;

        if (!VmpNameIs(&candidate->InstanceName, adapter))
            continue;
        NdisDprAcquireSpinLock(&candidate->Lock);
        changed = candidate->MediaConnectState != newState;
        candidate->MediaConnectState = newState;
        NdisDprReleaseSpinLock(&candidate->Lock);
        if (changed)
            VmpIndicateLinkState(candidate);
        result = 0;
        break;
    }
    NdisReleaseRWLock(VmpDriver.SegmentLock, &lockState);
    return result;
}

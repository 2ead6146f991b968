/*
 * A miniport driver written the way Windows NDIS 6.30 miniports are written
 * (role-type declarations, _Use_decl_annotations_ definitions, characteristics
 * filled with NdisZeroMemory and NDIS_SIZEOF_*, #pragma NDIS_INIT_FUNCTION).
 * It is compiled, never linked: it proves that such a source builds unchanged
 * against libndis' headers. Compiled as C and, with -Wno-unknown-pragmas, as C++.
 */
#define NDIS630_MINIPORT 1
#include <ndis.h>

#define MP_TAG 'xPmH' /* "HmPx" in a pool dump */
#define MP_MTU 1500
#define MP_MAX_MCAST 32
#define MP_LINK_SPEED 1000000000ULL

typedef struct _MP_ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE NblPool;
    NDIS_HANDLE Timer;
    NDIS_SPIN_LOCK Lock;
    LIST_ENTRY PendingSends;
    BOOLEAN Paused;
    ULONG PacketFilter;
    UCHAR PermanentAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    UCHAR CurrentAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    LARGE_INTEGER BytesSent;
    NDIS_PM_CAPABILITIES PmCapabilities;
} MP_ADAPTER, *PMP_ADAPTER;

static NDIS_HANDLE MpDriverHandle;

EXTERN_C DRIVER_INITIALIZE DriverEntry;
MINIPORT_SET_OPTIONS MpSetOptions;
MINIPORT_INITIALIZE MpInitializeEx;
MINIPORT_HALT MpHaltEx;
MINIPORT_UNLOAD MpDriverUnload;
MINIPORT_PAUSE MpPause;
MINIPORT_RESTART MpRestart;
MINIPORT_OID_REQUEST MpOidRequest;
MINIPORT_SEND_NET_BUFFER_LISTS MpSendNetBufferLists;
MINIPORT_RETURN_NET_BUFFER_LISTS MpReturnNetBufferLists;
MINIPORT_CANCEL_SEND MpCancelSend;
MINIPORT_CHECK_FOR_HANG MpCheckForHangEx;
MINIPORT_RESET MpResetEx;
MINIPORT_DEVICE_PNP_EVENT_NOTIFY MpDevicePnPEventNotify;
MINIPORT_SHUTDOWN MpShutdownEx;
MINIPORT_CANCEL_OID_REQUEST MpCancelOidRequest;
MINIPORT_DIRECT_OID_REQUEST MpDirectOidRequest;
MINIPORT_CANCEL_DIRECT_OID_REQUEST MpCancelDirectOidRequest;
NDIS_TIMER_FUNCTION MpLinkTimer;

#pragma NDIS_INIT_FUNCTION(DriverEntry)
#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, MpInitializeEx)
#pragma alloc_text(PAGE, MpHaltEx)
#endif

static const NDIS_OID MpSupportedOids[] = {
    OID_GEN_SUPPORTED_LIST,    OID_GEN_HARDWARE_STATUS,   OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_CURRENT_LOOKAHEAD, OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_STATISTICS,        OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
};

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
    NDIS_STATUS status;

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    chars.MajorDriverVersion = 1;
    chars.MinorDriverVersion = 0;
    chars.Flags = 0;

    chars.SetOptionsHandler = MpSetOptions;
    chars.InitializeHandlerEx = MpInitializeEx;
    chars.HaltHandlerEx = MpHaltEx;
    chars.UnloadHandler = MpDriverUnload;
    chars.PauseHandler = MpPause;
    chars.RestartHandler = MpRestart;
    chars.OidRequestHandler = MpOidRequest;
    chars.SendNetBufferListsHandler = MpSendNetBufferLists;
    chars.ReturnNetBufferListsHandler = MpReturnNetBufferLists;
    chars.CancelSendHandler = MpCancelSend;
    chars.CheckForHangHandlerEx = MpCheckForHangEx;
    chars.ResetHandlerEx = MpResetEx;
    chars.DevicePnPEventNotifyHandler = MpDevicePnPEventNotify;
    chars.ShutdownHandlerEx = MpShutdownEx;
    chars.CancelOidRequestHandler = MpCancelOidRequest;
    chars.DirectOidRequestHandler = MpDirectOidRequest;
    chars.CancelDirectOidRequestHandler = MpCancelDirectOidRequest;

    status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars,
                                         &MpDriverHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("hm: NdisMRegisterMiniportDriver failed %08x\n", status);
        return (NTSTATUS)status;
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS
MpSetOptions(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext)
{
    UNREFERENCED_PARAMETER(NdisDriverHandle);
    UNREFERENCED_PARAMETER(DriverContext);
    return NDIS_STATUS_SUCCESS;
}

static VOID
MpReadConfiguration(_Inout_ PMP_ADAPTER Adapter)
{
    NDIS_CONFIGURATION_OBJECT config;
    NDIS_HANDLE configHandle = NULL;
    PNDIS_CONFIGURATION_PARAMETER param = NULL;
    NDIS_STRING keyword = NDIS_STRING_CONST("PacketFilter");
    NDIS_STATUS status;
    PVOID address = NULL;
    UINT addressLength = 0;

    NdisZeroMemory(&config, sizeof(config));
    config.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    config.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    config.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    config.NdisHandle = Adapter->AdapterHandle;
    config.Flags = 0;

    if (NdisOpenConfigurationEx(&config, &configHandle) != NDIS_STATUS_SUCCESS)
        return;

    NdisReadConfiguration(&status, &param, configHandle, &keyword, NdisParameterHexInteger);
    if (status == NDIS_STATUS_SUCCESS && param->ParameterType == NdisParameterInteger)
        Adapter->PacketFilter = param->ParameterData.IntegerData;

    NdisReadNetworkAddress(&status, &address, &addressLength, configHandle);
    if (status == NDIS_STATUS_SUCCESS && addressLength == 6)
        NdisMoveMemory(Adapter->CurrentAddress, address, 6);

    NdisCloseConfiguration(configHandle);
}

_Use_decl_annotations_
NDIS_STATUS
MpInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
               PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES regAttrs;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES genAttrs;
    NET_BUFFER_LIST_POOL_PARAMETERS poolParams;
    NDIS_TIMER_CHARACTERISTICS timerChars;
    PMP_ADAPTER adapter;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(MiniportInitParameters);

    adapter = (PMP_ADAPTER)NdisAllocateMemoryWithTagPriority(
        NdisMiniportHandle, sizeof(MP_ADAPTER), MP_TAG, NormalPoolPriority);
    if (adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(adapter, sizeof(MP_ADAPTER));
    adapter->AdapterHandle = NdisMiniportHandle;
    adapter->Paused = TRUE;
    NdisAllocateSpinLock(&adapter->Lock);
    NdisInitializeListHead(&adapter->PendingSends);
    MpReadConfiguration(adapter);

    NdisZeroMemory(&regAttrs, sizeof(regAttrs));
    regAttrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    regAttrs.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
    regAttrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
    regAttrs.MiniportAdapterContext = adapter;
    regAttrs.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM |
                              NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK |
                              NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND;
    regAttrs.CheckForHangTimeInSeconds = 2;
    regAttrs.InterfaceType = NdisInterfaceInternal;
    status = NdisMSetMiniportAttributes(NdisMiniportHandle,
                                        (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&regAttrs);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    NdisZeroMemory(&adapter->PmCapabilities, sizeof(adapter->PmCapabilities));
    adapter->PmCapabilities.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    adapter->PmCapabilities.Header.Revision = NDIS_PM_CAPABILITIES_REVISION_1;
    adapter->PmCapabilities.Header.Size = NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_1;

    NdisZeroMemory(&genAttrs, sizeof(genAttrs));
    genAttrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    genAttrs.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    genAttrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    genAttrs.MediaType = NdisMedium802_3;
    genAttrs.PhysicalMediumType = NdisPhysicalMedium802_3;
    genAttrs.MtuSize = MP_MTU;
    genAttrs.MaxXmitLinkSpeed = MP_LINK_SPEED;
    genAttrs.XmitLinkSpeed = MP_LINK_SPEED;
    genAttrs.MaxRcvLinkSpeed = MP_LINK_SPEED;
    genAttrs.RcvLinkSpeed = MP_LINK_SPEED;
    genAttrs.MediaConnectState = MediaConnectStateConnected;
    genAttrs.MediaDuplexState = MediaDuplexStateFull;
    genAttrs.LookaheadSize = MP_MTU;
    genAttrs.PowerManagementCapabilities = NULL;
    genAttrs.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA |
                          NDIS_MAC_OPTION_TRANSFERS_NOT_PEND | NDIS_MAC_OPTION_NO_LOOPBACK;
    genAttrs.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
                                      NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS;
    genAttrs.MaxMulticastListSize = MP_MAX_MCAST;
    genAttrs.MacAddressLength = 6;
    NdisMoveMemory(genAttrs.PermanentMacAddress, adapter->PermanentAddress, 6);
    NdisMoveMemory(genAttrs.CurrentMacAddress, adapter->CurrentAddress, 6);
    genAttrs.RecvScaleCapabilities = NULL;
    genAttrs.AccessType = NET_IF_ACCESS_BROADCAST;
    genAttrs.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    genAttrs.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    genAttrs.IfType = IF_TYPE_ETHERNET_CSMACD;
    genAttrs.IfConnectorPresent = TRUE;
    genAttrs.SupportedStatistics = NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |
                                   NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT;
    genAttrs.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
    genAttrs.SupportedOidList = (PNDIS_OID)MpSupportedOids;
    genAttrs.SupportedOidListLength = sizeof(MpSupportedOids);
    genAttrs.PowerManagementCapabilitiesEx = &adapter->PmCapabilities;
    status = NdisMSetMiniportAttributes(NdisMiniportHandle,
                                        (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&genAttrs);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    NdisZeroMemory(&poolParams, sizeof(poolParams));
    poolParams.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    poolParams.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    poolParams.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    poolParams.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    poolParams.fAllocateNetBuffer = TRUE;
    poolParams.PoolTag = MP_TAG;
    adapter->NblPool = NdisAllocateNetBufferListPool(NdisMiniportHandle, &poolParams);
    if (adapter->NblPool == NULL) {
        status = NDIS_STATUS_RESOURCES;
        goto fail;
    }

    NdisZeroMemory(&timerChars, sizeof(timerChars));
    timerChars.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    timerChars.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    timerChars.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    timerChars.AllocationTag = MP_TAG;
    timerChars.TimerFunction = MpLinkTimer;
    timerChars.FunctionContext = adapter;
    status = NdisAllocateTimerObject(NdisMiniportHandle, &timerChars, &adapter->Timer);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    return NDIS_STATUS_SUCCESS;

fail:
    if (adapter->NblPool != NULL)
        NdisFreeNetBufferListPool(adapter->NblPool);
    NdisFreeSpinLock(&adapter->Lock);
    NdisFreeMemory(adapter, 0, 0);
    return status;
}

_Use_decl_annotations_
VOID
MpLinkTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
            PVOID SystemSpecific3)
{
    PMP_ADAPTER adapter = (PMP_ADAPTER)FunctionContext;
    NDIS_LINK_STATE linkState;
    NDIS_STATUS_INDICATION indication;

    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);

    NdisZeroMemory(&linkState, sizeof(linkState));
    linkState.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    linkState.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    linkState.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
    linkState.MediaConnectState = MediaConnectStateConnected;
    linkState.MediaDuplexState = MediaDuplexStateFull;
    linkState.XmitLinkSpeed = linkState.RcvLinkSpeed = MP_LINK_SPEED;

    NdisZeroMemory(&indication, sizeof(indication));
    indication.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    indication.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    indication.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    indication.SourceHandle = adapter->AdapterHandle;
    indication.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    indication.StatusCode = NDIS_STATUS_LINK_STATE;
    indication.StatusBuffer = &linkState;
    indication.StatusBufferSize = sizeof(linkState);
    NdisMIndicateStatusEx(adapter->AdapterHandle, &indication);
}

_Use_decl_annotations_
VOID
MpHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PMP_ADAPTER adapter = (PMP_ADAPTER)MiniportAdapterContext;

    if (HaltAction == NdisHaltDeviceSurpriseRemoved)
        DbgPrint("hm: surprise removal\n");
    NdisCancelTimerObject(adapter->Timer);
    NdisFreeTimerObject(adapter->Timer);
    NdisFreeNetBufferListPool(adapter->NblPool);
    NdisFreeSpinLock(&adapter->Lock);
    NdisFreeMemory(adapter, 0, 0);
}

_Use_decl_annotations_
VOID
MpDriverUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisMDeregisterMiniportDriver(MpDriverHandle);
}

_Use_decl_annotations_
NDIS_STATUS
MpPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PMP_ADAPTER adapter = (PMP_ADAPTER)MiniportAdapterContext;

    UNREFERENCED_PARAMETER(PauseParameters);
    NdisAcquireSpinLock(&adapter->Lock);
    adapter->Paused = TRUE;
    NdisReleaseSpinLock(&adapter->Lock);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS
MpRestart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    PMP_ADAPTER adapter = (PMP_ADAPTER)MiniportAdapterContext;
    PNDIS_RESTART_ATTRIBUTES attr;
    LARGE_INTEGER due;

    for (attr = RestartParameters->RestartAttributes; attr != NULL; attr = attr->Next) {
        if (attr->Oid == OID_GEN_MINIPORT_RESTART_ATTRIBUTES) {
            PNDIS_RESTART_GENERAL_ATTRIBUTES general =
                (PNDIS_RESTART_GENERAL_ATTRIBUTES)attr->Data;
            general->MtuSize = MP_MTU;
        }
    }
    NdisAcquireSpinLock(&adapter->Lock);
    adapter->Paused = FALSE;
    NdisReleaseSpinLock(&adapter->Lock);
    due.QuadPart = -10000LL * 1000; /* one second, relative */
    NdisSetTimerObject(adapter->Timer, due, 1000, NULL);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS
MpOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PMP_ADAPTER adapter = (PMP_ADAPTER)MiniportAdapterContext;
    ULONG value;

    switch (OidRequest->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        switch (OidRequest->DATA.QUERY_INFORMATION.Oid) {
        case OID_GEN_MAXIMUM_FRAME_SIZE:
            if (OidRequest->DATA.QUERY_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
                OidRequest->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(ULONG);
                return NDIS_STATUS_BUFFER_TOO_SHORT;
            }
            value = MP_MTU;
            NdisMoveMemory(OidRequest->DATA.QUERY_INFORMATION.InformationBuffer, &value,
                           sizeof(value));
            OidRequest->DATA.QUERY_INFORMATION.BytesWritten = sizeof(value);
            return NDIS_STATUS_SUCCESS;
        default:
            return NDIS_STATUS_NOT_SUPPORTED;
        }
    case NdisRequestSetInformation:
        if (OidRequest->DATA.SET_INFORMATION.Oid == OID_GEN_CURRENT_PACKET_FILTER &&
            OidRequest->DATA.SET_INFORMATION.InformationBufferLength >= sizeof(ULONG)) {
            NdisRetrieveUlong(&adapter->PacketFilter,
                              OidRequest->DATA.SET_INFORMATION.InformationBuffer);
            OidRequest->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
            return NDIS_STATUS_SUCCESS;
        }
        return NDIS_STATUS_NOT_SUPPORTED;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

_Use_decl_annotations_
VOID
MpSendNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferList,
                     NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PMP_ADAPTER adapter = (PMP_ADAPTER)MiniportAdapterContext;
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nb;
    NDIS_STATUS status = adapter->Paused ? NDIS_STATUS_PAUSED : NDIS_STATUS_SUCCESS;

    UNREFERENCED_PARAMETER(PortNumber);
    for (nbl = NetBufferList; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb))
            NdisInterlockedAddLargeStatistic(&adapter->BytesSent, NET_BUFFER_DATA_LENGTH(nb));
        NET_BUFFER_LIST_STATUS(nbl) = status;
    }
    NdisMSendNetBufferListsComplete(adapter->AdapterHandle, NetBufferList,
                                    (SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL)
                                        ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                                        : 0);
}

_Use_decl_annotations_
VOID
MpReturnNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                       ULONG ReturnFlags)
{
    PNET_BUFFER_LIST nbl, next;

    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(ReturnFlags);
    for (nbl = NetBufferLists; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        NdisFreeNetBufferList(nbl);
    }
}

_Use_decl_annotations_
VOID
MpCancelSend(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(CancelId);
}

_Use_decl_annotations_
BOOLEAN
MpCheckForHangEx(NDIS_HANDLE MiniportAdapterContext)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    return FALSE;
}

_Use_decl_annotations_
NDIS_STATUS
MpResetEx(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
MpDevicePnPEventNotify(NDIS_HANDLE MiniportAdapterContext, PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    switch (NetDevicePnPEvent->DevicePnPEvent) {
    case NdisDevicePnPEventSurpriseRemoved:
    case NdisDevicePnPEventPowerProfileChanged:
    default:
        break;
    }
}

_Use_decl_annotations_
VOID
MpShutdownEx(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    if (ShutdownAction != NdisShutdownBugCheck)
        DbgPrint("hm: shutdown\n");
}

_Use_decl_annotations_
VOID
MpCancelOidRequest(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RequestId);
}

_Use_decl_annotations_
NDIS_STATUS
MpDirectOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(OidRequest);
    return NDIS_STATUS_NOT_SUPPORTED;
}

_Use_decl_annotations_
VOID
MpCancelDirectOidRequest(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RequestId);
}

/*
 * vmp_main.c - virtmp: DriverEntry and the life of an adapter
 * (MiniportInitializeEx, MiniportPause, MiniportRestart, MiniportHaltEx), PnP
 * and shutdown notifications, and the adapter's configuration keywords.
 *
 * See vmp.h for the model (one Ethernet segment shared by every adapter) and
 * the locking rules.
 */
#include "vmp.h"

VMP_DRIVER VmpDriver;

DRIVER_INITIALIZE DriverEntry;
static MINIPORT_UNLOAD VmpDriverUnload;
static MINIPORT_INITIALIZE VmpInitializeEx;
static MINIPORT_HALT VmpHaltEx;
static MINIPORT_PAUSE VmpPause;
static MINIPORT_RESTART VmpRestart;
static MINIPORT_DEVICE_PNP_EVENT_NOTIFY VmpDevicePnPEventNotify;
static MINIPORT_SHUTDOWN VmpShutdownEx;

#pragma NDIS_INIT_FUNCTION(DriverEntry)

/* The statistics of NDIS_STATISTICS_INFO that virtmp keeps: all of them. */
#define VMP_SUPPORTED_STATISTICS                                               \
    (NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |                         \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV |                        \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV |                        \
     NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV | NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS | \
     NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR |                                   \
     NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT |                        \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT |                       \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT |                       \
     NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT | NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR | \
     NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS |                               \
     NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV |                          \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV |                         \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV |                         \
     NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT |                         \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT |                        \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT)

/* ---- driver ---------------------------------------------------------------- */

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
    NDIS_STATUS status;

    /* Every load starts from scratch (a program may load the driver again). */
    NdisZeroMemory(&VmpDriver, sizeof(VmpDriver));
    InitializeListHead(&VmpDriver.Adapters);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    chars.MajorDriverVersion = VMP_MAJOR_DRIVER_VERSION;
    chars.MinorDriverVersion = VMP_MINOR_DRIVER_VERSION;
    chars.InitializeHandlerEx = VmpInitializeEx;
    chars.HaltHandlerEx = VmpHaltEx;
    chars.UnloadHandler = VmpDriverUnload;
    chars.PauseHandler = VmpPause;
    chars.RestartHandler = VmpRestart;
    chars.OidRequestHandler = VmpOidRequest;
    chars.SendNetBufferListsHandler = VmpSendNetBufferLists;
    chars.ReturnNetBufferListsHandler = VmpReturnNetBufferLists;
    chars.CancelSendHandler = VmpCancelSend;
    chars.DevicePnPEventNotifyHandler = VmpDevicePnPEventNotify;
    chars.ShutdownHandlerEx = VmpShutdownEx;
    chars.CancelOidRequestHandler = VmpCancelOidRequest;
    /* No CheckForHang/Reset: nothing can hang in a software NIC. */

    status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, &VmpDriver, &chars,
                                         &VmpDriver.DriverHandle);
    if (status != NDIS_STATUS_SUCCESS)
        return (NTSTATUS)status;

    VmpDriver.SegmentLock = NdisAllocateRWLock(VmpDriver.DriverHandle);
    if (VmpDriver.SegmentLock == NULL) {
        /* A failing DriverEntry deregisters before it returns. */
        NdisMDeregisterMiniportDriver(VmpDriver.DriverHandle);
        VmpDriver.DriverHandle = NULL;
        return (NTSTATUS)NDIS_STATUS_RESOURCES;
    }
    return STATUS_SUCCESS;
}

/* NDIS halted every adapter before calling this. */
_Use_decl_annotations_
static VOID
VmpDriverUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisFreeRWLock(VmpDriver.SegmentLock);
    VmpDriver.SegmentLock = NULL;
    NdisMDeregisterMiniportDriver(VmpDriver.DriverHandle);
    VmpDriver.DriverHandle = NULL;
}

/* ---- configuration ------------------------------------------------------------ */

static BOOLEAN
VmpIsValidUnicastAddress(const UCHAR *Address)
{
    static const UCHAR zero[VMP_ETH_ADDRESS_LENGTH] = {0};
    return (Address[0] & 0x01) == 0 &&
           !NdisEqualMemory(Address, zero, VMP_ETH_ADDRESS_LENGTH);
}

/*
 * Reads the adapter's keywords, each validated and replaced by its default
 * when missing or out of range (security-issues-for-network-drivers.md):
 *   NetworkAddress   the locally administered address (NdisReadNetworkAddress)
 *   LinkUp           0: the cable starts unplugged; default 1
 *   *ReceiveBuffers  the receive ring size, 16 to 1024; default 128
 * A configuration that cannot be opened means "all defaults".
 */
_IRQL_requires_(PASSIVE_LEVEL)
static VOID
VmpReadConfiguration(_Inout_ PVMP_ADAPTER Adapter, _Out_ PBOOLEAN LinkUp)
{
    NDIS_CONFIGURATION_OBJECT configObject;
    NDIS_HANDLE configHandle = NULL;
    NDIS_STATUS status;
    PNDIS_CONFIGURATION_PARAMETER parameter;
    PVOID networkAddress;
    UINT networkAddressLength;
    NDIS_STRING linkUpKeyword = NDIS_STRING_CONST("LinkUp");
    NDIS_STRING receiveBuffersKeyword = NDIS_STRING_CONST("*ReceiveBuffers");

    *LinkUp = TRUE;
    Adapter->RcbCount = VMP_DEFAULT_RECEIVE_BUFFERS;

    NdisZeroMemory(&configObject, sizeof(configObject));
    configObject.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    configObject.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    configObject.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    configObject.NdisHandle = Adapter->AdapterHandle;
    configObject.Flags = 0;

    status = NdisOpenConfigurationEx(&configObject, &configHandle);
    if (status != NDIS_STATUS_SUCCESS)
        return;

    NdisReadNetworkAddress(&status, &networkAddress, &networkAddressLength, configHandle);
    if (status == NDIS_STATUS_SUCCESS && networkAddressLength == VMP_ETH_ADDRESS_LENGTH &&
        VmpIsValidUnicastAddress((const UCHAR *)networkAddress)) {
        NdisMoveMemory(Adapter->CurrentAddress, networkAddress, VMP_ETH_ADDRESS_LENGTH);
    }

    NdisReadConfiguration(&status, &parameter, configHandle, &linkUpKeyword,
                          NdisParameterInteger);
    if (status == NDIS_STATUS_SUCCESS && parameter->ParameterType == NdisParameterInteger &&
        parameter->ParameterData.IntegerData <= 1) {
        *LinkUp = parameter->ParameterData.IntegerData == 1;
    }

    NdisReadConfiguration(&status, &parameter, configHandle, &receiveBuffersKeyword,
                          NdisParameterInteger);
    if (status == NDIS_STATUS_SUCCESS && parameter->ParameterType == NdisParameterInteger &&
        parameter->ParameterData.IntegerData >= VMP_MIN_RECEIVE_BUFFERS &&
        parameter->ParameterData.IntegerData <= VMP_MAX_RECEIVE_BUFFERS) {
        Adapter->RcbCount = parameter->ParameterData.IntegerData;
    }

    NdisCloseConfiguration(configHandle);
}

/* ---- adapter ------------------------------------------------------------------- */

/* Frees what VmpInitializeEx allocated; the adapter is off the segment. */
_IRQL_requires_(PASSIVE_LEVEL)
static VOID
VmpFreeAdapter(_In_ PVMP_ADAPTER Adapter)
{
    VmpFreeReceiveRing(Adapter);
    if (Adapter->InstanceName.Buffer != NULL)
        NdisFreeMemory(Adapter->InstanceName.Buffer, 0, 0);
    NdisFreeSpinLock(&Adapter->Lock);
    NdisFreeMemoryWithTagPriority(Adapter->AdapterHandle, Adapter, VMP_POOL_TAG);
}

_Use_decl_annotations_
static NDIS_STATUS
VmpInitializeEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext,
                PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES general;
    PVMP_ADAPTER adapter;
    NDIS_STATUS status;
    BOOLEAN linkUp;
    LOCK_STATE_EX lockState;
    NET_IFINDEX ifIndex = MiniportInitParameters->IfIndex;

    UNREFERENCED_PARAMETER(MiniportDriverContext);

    adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(*adapter),
                                                VMP_POOL_TAG, NormalPoolPriority);
    if (adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(adapter, sizeof(*adapter));
    adapter->AdapterHandle = MiniportAdapterHandle;
    adapter->IfIndex = ifIndex;
    NdisAllocateSpinLock(&adapter->Lock);
    InitializeListHead(&adapter->FreeRcbs);
    InitializeListHead(&adapter->ReadyRcbs);
    adapter->State = VmpAdapterPaused;
    adapter->Lookahead = VMP_MTU;
    adapter->MediaDuplexState = MediaDuplexStateFull;
    adapter->XmitLinkSpeed = VMP_LINK_SPEED;
    adapter->RcvLinkSpeed = VMP_LINK_SPEED;
    KeInitializeDpc(&adapter->RxDpc, VmpReceiveDpc, adapter);

    /* The burned-in address: locally administered, unique per interface index. */
    adapter->PermanentAddress[0] = 0x02;
    adapter->PermanentAddress[1] = 0x00;
    adapter->PermanentAddress[2] = (UCHAR)(ifIndex >> 24);
    adapter->PermanentAddress[3] = (UCHAR)(ifIndex >> 16);
    adapter->PermanentAddress[4] = (UCHAR)(ifIndex >> 8);
    adapter->PermanentAddress[5] = (UCHAR)ifIndex;
    NdisMoveMemory(adapter->CurrentAddress, adapter->PermanentAddress, VMP_ETH_ADDRESS_LENGTH);

    /* The name lets virtmp_set_link_state find the adapter; it is optional. */
    if (NdisMQueryAdapterInstanceName(&adapter->InstanceName, MiniportAdapterHandle) !=
        NDIS_STATUS_SUCCESS) {
        NdisZeroMemory(&adapter->InstanceName, sizeof(adapter->InstanceName));
    }

    VmpReadConfiguration(adapter, &linkUp);
    adapter->MediaConnectState = linkUp ? MediaConnectStateConnected
                                        : MediaConnectStateDisconnected;

    NdisZeroMemory(&registration, sizeof(registration));
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
    registration.MiniportAdapterContext = adapter;
    registration.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK;
    registration.CheckForHangTimeInSeconds = 0;
    registration.InterfaceType = NdisInterfaceInternal;
    status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
                                        (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    NdisZeroMemory(&general, sizeof(general));
    general.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    general.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    general.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    general.MediaType = NdisMedium802_3;
    general.PhysicalMediumType = NdisPhysicalMedium802_3;
    general.MtuSize = VMP_MTU;
    general.MaxXmitLinkSpeed = VMP_LINK_SPEED;
    general.MaxRcvLinkSpeed = VMP_LINK_SPEED;
    general.XmitLinkSpeed = linkUp ? adapter->XmitLinkSpeed : NDIS_LINK_SPEED_UNKNOWN;
    general.RcvLinkSpeed = linkUp ? adapter->RcvLinkSpeed : NDIS_LINK_SPEED_UNKNOWN;
    general.MediaConnectState = adapter->MediaConnectState;
    general.MediaDuplexState = linkUp ? adapter->MediaDuplexState : MediaDuplexStateUnknown;
    general.LookaheadSize = VMP_MTU;
    general.MacOptions = VMP_MAC_OPTIONS;
    general.SupportedPacketFilters = VMP_SUPPORTED_FILTERS;
    general.MaxMulticastListSize = VMP_MAX_MULTICAST;
    general.MacAddressLength = VMP_ETH_ADDRESS_LENGTH;
    NdisMoveMemory(general.PermanentMacAddress, adapter->PermanentAddress,
                   VMP_ETH_ADDRESS_LENGTH);
    NdisMoveMemory(general.CurrentMacAddress, adapter->CurrentAddress, VMP_ETH_ADDRESS_LENGTH);
    general.AccessType = NET_IF_ACCESS_BROADCAST;
    general.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    general.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    general.IfType = IF_TYPE_ETHERNET_CSMACD;
    general.IfConnectorPresent = FALSE; /* a virtual NIC has no connector */
    general.SupportedStatistics = VMP_SUPPORTED_STATISTICS;
    general.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
    general.SupportedOidList = (PNDIS_OID)VmpSupportedOids;
    general.SupportedOidListLength = VmpSupportedOidsSize;
    general.AutoNegotiationFlags = NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED |
                                   NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED |
                                   NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED;
    status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
                                        (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&general);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    status = VmpAllocateReceiveRing(adapter);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    /* Plug into the segment: from now on other adapters' frames can reach it
       (they are dropped until MiniportRestart makes it Running). */
    NdisAcquireRWLockWrite(VmpDriver.SegmentLock, &lockState, 0);
    InsertTailList(&VmpDriver.Adapters, &adapter->SegmentLink);
    NdisReleaseRWLock(VmpDriver.SegmentLock, &lockState);
    return NDIS_STATUS_SUCCESS;

fail:
    /* NDIS does not call MiniportHaltEx after a failed initialization. */
    VmpFreeAdapter(adapter);
    return status;
}

/* NDIS halts a Paused adapter: no send, no OID request and no receive is in flight. */
_Use_decl_annotations_
static VOID
VmpHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;
    LOCK_STATE_EX lockState;

    UNREFERENCED_PARAMETER(HaltAction);

    /* Unplug from the segment; once the write lock is ours no sender can be
       delivering to this adapter any more. */
    NdisAcquireRWLockWrite(VmpDriver.SegmentLock, &lockState, 0);
    RemoveEntryList(&adapter->SegmentLink);
    NdisReleaseRWLock(VmpDriver.SegmentLock, &lockState);

    /* The pause that preceded the halt waited for the DPC (DpcQueued and
       DpcRunning are FALSE in the Paused state), so there is nothing to remove;
       this only makes the rule visible. */
    (VOID)KeRemoveQueueDpc(&adapter->RxDpc);

    VmpFreeAdapter(adapter);
}

/*
 * Pausing: stop receiving (frames still queued for the DPC are dropped and
 * counted as discards), and complete the pause once every NBL indicated to
 * NDIS came back and the DPC is idle. Sends need no waiting: virtmp completes
 * each one before MiniportSendNetBufferLists returns.
 */
_Use_decl_annotations_
static NDIS_STATUS
VmpPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;
    BOOLEAN paused;

    UNREFERENCED_PARAMETER(PauseParameters);

    NdisAcquireSpinLock(&adapter->Lock);
    adapter->State = VmpAdapterPausing;
    (VOID)VmpDiscardReceiveQueueLocked(adapter);
    paused = VmpTryFinishPauseLocked(adapter);
    NdisReleaseSpinLock(&adapter->Lock);

    /* Pended: the last MiniportReturnNetBufferLists or the DPC calls
       NdisMPauseComplete. */
    return paused ? NDIS_STATUS_SUCCESS : NDIS_STATUS_PENDING;
}

_Use_decl_annotations_
static NDIS_STATUS
VmpRestart(NDIS_HANDLE MiniportAdapterContext,
           PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;

    UNREFERENCED_PARAMETER(RestartParameters);

    NdisAcquireSpinLock(&adapter->Lock);
    adapter->State = VmpAdapterRunning;
    NdisReleaseSpinLock(&adapter->Lock);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID
VmpDevicePnPEventNotify(NDIS_HANDLE MiniportAdapterContext, PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;

    switch (NetDevicePnPEvent->DevicePnPEvent) {
    case NdisDevicePnPEventSurpriseRemoved:
        /* The "hardware" is gone: no more frames in or out. NDIS pauses and
           halts the adapter next. */
        NdisAcquireSpinLock(&adapter->Lock);
        adapter->SurpriseRemoved = TRUE;
        NdisReleaseSpinLock(&adapter->Lock);
        break;
    case NdisDevicePnPEventPowerProfileChanged:
        /* On battery or on AC: a software NIC draws no power either way. */
        break;
    default:
        break;
    }
}

_Use_decl_annotations_
static VOID
VmpShutdownEx(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    PVMP_ADAPTER adapter = (PVMP_ADAPTER)MiniportAdapterContext;

    /* Put the NIC in a quiet state. At bug-check time no lock may be taken,
       only the store itself. */
    if (ShutdownAction == NdisShutdownBugCheck) {
        adapter->ShutDown = TRUE;
        return;
    }
    NdisAcquireSpinLock(&adapter->Lock);
    adapter->ShutDown = TRUE;
    NdisReleaseSpinLock(&adapter->Lock);
}

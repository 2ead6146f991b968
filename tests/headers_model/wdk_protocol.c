/*
 * A protocol driver written the way Windows NDIS 6.30 protocol drivers are
 * written: PROTOCOL_* role types, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS filled
 * with NdisZeroMemory and NDIS_SIZEOF_*, binding through NdisOpenAdapterEx,
 * pause/restart through ProtocolNetPnPEvent. Compiled (as C and C++), never
 * linked.
 */
#define NDIS630 1
#include <ndis.h>

#define PT_TAG 'tPmH'

typedef struct _PT_BINDING {
    NDIS_HANDLE BindingHandle;
    NDIS_HANDLE BindContext;
    NDIS_HANDLE UnbindContext;
    NDIS_EVENT ClosedEvent;
    NDIS_OID_REQUEST Request;
    ULONG PacketFilter;
    BOOLEAN Paused;
    NDIS_RW_LOCK_EX *Lock;
} PT_BINDING, *PPT_BINDING;

static NDIS_HANDLE PtProtocolHandle;
static NDIS_MEDIUM PtMediumArray[] = { NdisMedium802_3 };
static NET_FRAME_TYPE PtFrameTypes[] = { NDIS_ETH_TYPE_IPV4, NDIS_ETH_TYPE_ARP };

EXTERN_C DRIVER_INITIALIZE DriverEntry;
PROTOCOL_SET_OPTIONS PtSetOptions;
PROTOCOL_BIND_ADAPTER_EX PtBindAdapterEx;
PROTOCOL_UNBIND_ADAPTER_EX PtUnbindAdapterEx;
PROTOCOL_OPEN_ADAPTER_COMPLETE_EX PtOpenAdapterCompleteEx;
PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX PtCloseAdapterCompleteEx;
PROTOCOL_NET_PNP_EVENT PtNetPnPEvent;
PROTOCOL_UNINSTALL PtUninstall;
PROTOCOL_OID_REQUEST_COMPLETE PtOidRequestComplete;
PROTOCOL_STATUS_EX PtStatusEx;
PROTOCOL_RECEIVE_NET_BUFFER_LISTS PtReceiveNetBufferLists;
PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE PtSendNetBufferListsComplete;
PROTOCOL_DIRECT_OID_REQUEST_COMPLETE PtDirectOidRequestComplete;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, PtBindAdapterEx)
#endif

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS chars;
    NDIS_STRING name = NDIS_STRING_CONST("HMPROTO");
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_PROTOCOL_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_PROTOCOL_MINOR_VERSION;
    chars.MajorDriverVersion = 1;
    chars.Name = name;
    chars.SetOptionsHandler = PtSetOptions;
    chars.BindAdapterHandlerEx = PtBindAdapterEx;
    chars.UnbindAdapterHandlerEx = PtUnbindAdapterEx;
    chars.OpenAdapterCompleteHandlerEx = PtOpenAdapterCompleteEx;
    chars.CloseAdapterCompleteHandlerEx = PtCloseAdapterCompleteEx;
    chars.NetPnPEventHandler = PtNetPnPEvent;
    chars.UninstallHandler = PtUninstall;
    chars.OidRequestCompleteHandler = PtOidRequestComplete;
    chars.StatusHandlerEx = PtStatusEx;
    chars.ReceiveNetBufferListsHandler = PtReceiveNetBufferLists;
    chars.SendNetBufferListsCompleteHandler = PtSendNetBufferListsComplete;
    chars.DirectOidRequestCompleteHandler = PtDirectOidRequestComplete;

    status = NdisRegisterProtocolDriver(NULL, &chars, &PtProtocolHandle);
    return status == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

_Use_decl_annotations_
NDIS_STATUS
PtSetOptions(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext)
{
    UNREFERENCED_PARAMETER(NdisDriverHandle);
    UNREFERENCED_PARAMETER(DriverContext);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS
PtSetPacketFilter(_Inout_ PPT_BINDING Binding, _In_ ULONG Filter)
{
    PNDIS_OID_REQUEST req = &Binding->Request;

    Binding->PacketFilter = Filter;
    NdisZeroMemory(req, sizeof(*req));
    req->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    req->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    req->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    req->RequestType = NdisRequestSetInformation;
    req->PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    req->DATA.SET_INFORMATION.Oid = OID_GEN_CURRENT_PACKET_FILTER;
    req->DATA.SET_INFORMATION.InformationBuffer = &Binding->PacketFilter;
    req->DATA.SET_INFORMATION.InformationBufferLength = sizeof(Binding->PacketFilter);
    return NdisOidRequest(Binding->BindingHandle, req);
}

_Use_decl_annotations_
NDIS_STATUS
PtBindAdapterEx(NDIS_HANDLE ProtocolDriverContext, NDIS_HANDLE BindContext,
                PNDIS_BIND_PARAMETERS BindParameters)
{
    NDIS_OPEN_PARAMETERS open;
    UINT selectedMedium = 0;
    PPT_BINDING binding;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(ProtocolDriverContext);
    if (BindParameters->MediaType != NdisMedium802_3)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    if (BindParameters->Header.Revision >= NDIS_BIND_PARAMETERS_REVISION_3 &&
        BindParameters->PowerManagementCapabilitiesEx != NULL)
        DbgPrint("hm: adapter supports NDIS 6.20 power management\n");

    binding = (PPT_BINDING)NdisAllocateMemoryWithTagPriority(
        PtProtocolHandle, sizeof(PT_BINDING), PT_TAG, NormalPoolPriority);
    if (binding == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(binding, sizeof(*binding));
    binding->BindContext = BindContext;
    binding->Paused = TRUE;
    NdisInitializeEvent(&binding->ClosedEvent);
    binding->Lock = NdisAllocateRWLock(PtProtocolHandle);

    NdisZeroMemory(&open, sizeof(open));
    open.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    open.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    open.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    open.AdapterName = BindParameters->AdapterName;
    open.MediumArray = PtMediumArray;
    open.MediumArraySize = ARRAYSIZE(PtMediumArray);
    open.SelectedMediumIndex = &selectedMedium;
    open.FrameTypeArray = PtFrameTypes;
    open.FrameTypeArraySize = ARRAYSIZE(PtFrameTypes);

    status = NdisOpenAdapterEx(PtProtocolHandle, binding, &open, BindContext,
                               &binding->BindingHandle);
    if (status == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING; /* PtOpenAdapterCompleteEx finishes the bind */
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeRWLock(binding->Lock);
        NdisFreeMemory(binding, 0, 0);
    }
    return status;
}

_Use_decl_annotations_
VOID
PtOpenAdapterCompleteEx(NDIS_HANDLE ProtocolBindingContext, NDIS_STATUS Status)
{
    PPT_BINDING binding = (PPT_BINDING)ProtocolBindingContext;

    NdisCompleteBindAdapterEx(binding->BindContext, Status);
}

_Use_decl_annotations_
NDIS_STATUS
PtUnbindAdapterEx(NDIS_HANDLE UnbindContext, NDIS_HANDLE ProtocolBindingContext)
{
    PPT_BINDING binding = (PPT_BINDING)ProtocolBindingContext;
    NDIS_STATUS status;

    binding->UnbindContext = UnbindContext;
    status = NdisCloseAdapterEx(binding->BindingHandle);
    if (status == NDIS_STATUS_PENDING)
        (void)NdisWaitEvent(&binding->ClosedEvent, 0);
    NdisFreeRWLock(binding->Lock);
    NdisFreeMemory(binding, 0, 0);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
PtCloseAdapterCompleteEx(NDIS_HANDLE ProtocolBindingContext)
{
    PPT_BINDING binding = (PPT_BINDING)ProtocolBindingContext;

    NdisSetEvent(&binding->ClosedEvent);
}

_Use_decl_annotations_
NDIS_STATUS
PtNetPnPEvent(NDIS_HANDLE ProtocolBindingContext, PNET_PNP_EVENT_NOTIFICATION NetPnPEvent)
{
    PPT_BINDING binding = (PPT_BINDING)ProtocolBindingContext;
    LOCK_STATE_EX lockState;

    switch (NetPnPEvent->NetPnPEvent.NetEvent) {
    case NetEventPause:
        NdisAcquireRWLockWrite(binding->Lock, &lockState, 0);
        binding->Paused = TRUE;
        NdisReleaseRWLock(binding->Lock, &lockState);
        return NDIS_STATUS_SUCCESS;
    case NetEventRestart: {
        PNDIS_PROTOCOL_RESTART_PARAMETERS restart =
            (PNDIS_PROTOCOL_RESTART_PARAMETERS)NetPnPEvent->NetPnPEvent.Buffer;
        if (restart != NULL && restart->FilterModuleNameBufferLength != 0)
            DbgPrint("hm: filters above the miniport\n");
        NdisAcquireRWLockWrite(binding->Lock, &lockState, 0);
        binding->Paused = FALSE;
        NdisReleaseRWLock(binding->Lock, &lockState);
        (void)PtSetPacketFilter(binding, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
        return NDIS_STATUS_SUCCESS;
    }
    case NetEventBindsComplete:
    default:
        return NDIS_STATUS_SUCCESS;
    }
}

_Use_decl_annotations_
VOID
PtUninstall(VOID)
{
}

_Use_decl_annotations_
VOID
PtOidRequestComplete(NDIS_HANDLE ProtocolBindingContext, PNDIS_OID_REQUEST OidRequest,
                     NDIS_STATUS Status)
{
    UNREFERENCED_PARAMETER(ProtocolBindingContext);
    if (Status != NDIS_STATUS_SUCCESS)
        DbgPrint("hm: OID %08x failed\n", OidRequest->DATA.SET_INFORMATION.Oid);
}

_Use_decl_annotations_
VOID
PtStatusEx(NDIS_HANDLE ProtocolBindingContext, PNDIS_STATUS_INDICATION StatusIndication)
{
    UNREFERENCED_PARAMETER(ProtocolBindingContext);
    if (StatusIndication->StatusCode == NDIS_STATUS_LINK_STATE &&
        StatusIndication->StatusBufferSize >= sizeof(NDIS_LINK_STATE)) {
        PNDIS_LINK_STATE link = (PNDIS_LINK_STATE)StatusIndication->StatusBuffer;
        if (link->MediaConnectState == MediaConnectStateConnected)
            DbgPrint("hm: link up\n");
    }
}

_Use_decl_annotations_
VOID
PtReceiveNetBufferLists(NDIS_HANDLE ProtocolBindingContext, PNET_BUFFER_LIST NetBufferLists,
                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                        ULONG ReceiveFlags)
{
    PPT_BINDING binding = (PPT_BINDING)ProtocolBindingContext;

    UNREFERENCED_PARAMETER(PortNumber);
    UNREFERENCED_PARAMETER(NumberOfNetBufferLists);
    if (ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES)
        return; /* the miniport needs the NBLs back as soon as we return */
    NdisReturnNetBufferLists(binding->BindingHandle, NetBufferLists,
                             (ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                 ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                 : 0);
}

_Use_decl_annotations_
VOID
PtSendNetBufferListsComplete(NDIS_HANDLE ProtocolBindingContext, PNET_BUFFER_LIST NetBufferLists,
                             ULONG SendCompleteFlags)
{
    PNET_BUFFER_LIST nbl;

    UNREFERENCED_PARAMETER(ProtocolBindingContext);
    UNREFERENCED_PARAMETER(SendCompleteFlags);
    for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        if (NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl) != NULL)
            NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(nbl, 0);
    }
}

_Use_decl_annotations_
VOID
PtDirectOidRequestComplete(NDIS_HANDLE ProtocolBindingContext, PNDIS_OID_REQUEST OidRequest,
                           NDIS_STATUS Status)
{
    UNREFERENCED_PARAMETER(ProtocolBindingContext);
    UNREFERENCED_PARAMETER(OidRequest);
    UNREFERENCED_PARAMETER(Status);
}

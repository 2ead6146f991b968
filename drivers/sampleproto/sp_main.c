/*
 * sp_main.c - sampleproto: DriverEntry and Unload, the bindings (bind,
 * open, unbind, close), network PnP events, status indications and OID
 * requests.
 *
 * The protocol binds to every adapter whose miniport offers "ndis5" (its INF
 * has LowerRange "ndis5"), opening it for NdisMedium802_3. Once a binding is
 * restarted it sets its packet filter (directed, multicast, broadcast), so
 * that NDIS starts delivering frames to it.
 */
#include "sp.h"

SP_GLOBALS SpGlobals;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD SpUnload;
static PROTOCOL_BIND_ADAPTER_EX SpBindAdapterEx;
static PROTOCOL_OPEN_ADAPTER_COMPLETE_EX SpOpenAdapterCompleteEx;
static PROTOCOL_UNBIND_ADAPTER_EX SpUnbindAdapterEx;
static PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX SpCloseAdapterCompleteEx;
static PROTOCOL_NET_PNP_EVENT SpNetPnPEvent;
static PROTOCOL_STATUS_EX SpStatusEx;
static PROTOCOL_OID_REQUEST_COMPLETE SpOidRequestComplete;

#pragma NDIS_INIT_FUNCTION(DriverEntry)

/* ---- driver ---------------------------------------------------------------- */

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS chars;
    NET_BUFFER_LIST_POOL_PARAMETERS poolParameters;
    NDIS_STRING protocolName = NDIS_STRING_CONST("sampleproto");
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);

    /* Every load starts from scratch (a program may load the driver again). */
    NdisZeroMemory(&SpGlobals, sizeof(SpGlobals));
    NdisAllocateSpinLock(&SpGlobals.Lock);
    InitializeListHead(&SpGlobals.Bindings);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_PROTOCOL_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_PROTOCOL_MINOR_VERSION;
    chars.MajorDriverVersion = SP_MAJOR_DRIVER_VERSION;
    chars.MinorDriverVersion = SP_MINOR_DRIVER_VERSION;
    chars.Name = protocolName; /* the service name, as in the INF */
    chars.BindAdapterHandlerEx = SpBindAdapterEx;
    chars.UnbindAdapterHandlerEx = SpUnbindAdapterEx;
    chars.OpenAdapterCompleteHandlerEx = SpOpenAdapterCompleteEx;
    chars.CloseAdapterCompleteHandlerEx = SpCloseAdapterCompleteEx;
    chars.NetPnPEventHandler = SpNetPnPEvent;
    chars.OidRequestCompleteHandler = SpOidRequestComplete;
    chars.StatusHandlerEx = SpStatusEx;
    chars.ReceiveNetBufferListsHandler = SpReceiveNetBufferLists;
    chars.SendNetBufferListsCompleteHandler = SpSendNetBufferListsComplete;

    /* NDIS starts binding as soon as DriverEntry returns. */
    status = NdisRegisterProtocolDriver(&SpGlobals, &chars, &SpGlobals.ProtocolHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeSpinLock(&SpGlobals.Lock);
        return (NTSTATUS)status;
    }

    NdisZeroMemory(&poolParameters, sizeof(poolParameters));
    poolParameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    poolParameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    poolParameters.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    poolParameters.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    poolParameters.fAllocateNetBuffer = TRUE;
    poolParameters.PoolTag = SP_POOL_TAG;
    SpGlobals.NblPool = NdisAllocateNetBufferListPool(SpGlobals.ProtocolHandle, &poolParameters);
    if (SpGlobals.NblPool == NULL) {
        NdisDeregisterProtocolDriver(SpGlobals.ProtocolHandle);
        NdisFreeSpinLock(&SpGlobals.Lock);
        return (NTSTATUS)NDIS_STATUS_RESOURCES;
    }

    DriverObject->DriverUnload = SpUnload;
    SpGlobals.Loaded = TRUE;
    return STATUS_SUCCESS;
}

/*
 * NdisDeregisterProtocolDriver pauses and unbinds every binding before it
 * returns (one ProtocolUnbindAdapterEx each); after that nothing of NDIS
 * refers to the protocol, and its pool and lock can go.
 */
_Use_decl_annotations_
static VOID
SpUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);

    SpGlobals.Loaded = FALSE;
    NdisDeregisterProtocolDriver(SpGlobals.ProtocolHandle);
    SpGlobals.ProtocolHandle = NULL;
    NdisFreeNetBufferListPool(SpGlobals.NblPool);
    SpGlobals.NblPool = NULL;
    NdisFreeSpinLock(&SpGlobals.Lock);
}

/* ---- bindings --------------------------------------------------------------- */

/* An NDIS name as a C string; "\DEVICE\" prefixes dropped, non-ASCII as '?'. */
static VOID
SpCopyName(_Out_writes_(SP_ADAPTER_NAME_MAX) CHAR *Out, _In_ const NDIS_STRING *Name)
{
    static const char devicePrefix[] = "\\DEVICE\\";
    ULONG length = Name->Length / sizeof(WCHAR);
    ULONG skip = 0, i;

    for (i = 0; i < sizeof(devicePrefix) - 1 && i < length; i++) {
        WCHAR c = Name->Buffer[i];

        if (c >= 'a' && c <= 'z')
            c = (WCHAR)(c - 'a' + 'A');
        if (c != (WCHAR)devicePrefix[i])
            break;
    }
    if (i == sizeof(devicePrefix) - 1)
        skip = i;
    for (i = 0; skip + i < length && i + 1 < SP_ADAPTER_NAME_MAX; i++) {
        WCHAR c = Name->Buffer[skip + i];

        Out[i] = c < 0x80 ? (CHAR)c : '?';
    }
    Out[i] = '\0';
}

static VOID
SpFreeBinding(_In_ PSP_BINDING Binding)
{
    NdisFreeSpinLock(&Binding->Lock);
    NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, Binding, SP_POOL_TAG);
}

/* The open finished (status): the binding joins the list, or is dropped. */
static NDIS_STATUS
SpFinishBind(_In_ PSP_BINDING Binding, NDIS_STATUS OpenStatus)
{
    NDIS_STRING instanceName;

    if (OpenStatus != NDIS_STATUS_SUCCESS) {
        SpFreeBinding(Binding);
        return OpenStatus;
    }
    /* The adapter's friendly name is what programs know it by. */
    if (NdisQueryAdapterInstanceName(&instanceName, Binding->BindingHandle) ==
        NDIS_STATUS_SUCCESS) {
        SpCopyName(Binding->AdapterName, &instanceName);
        NdisFreeMemory(instanceName.Buffer, 0, 0);
    }
    NdisAcquireSpinLock(&Binding->Lock);
    Binding->State = SpBindingPaused;
    NdisReleaseSpinLock(&Binding->Lock);

    NdisAcquireSpinLock(&SpGlobals.Lock);
    InsertTailList(&SpGlobals.Bindings, &Binding->Link);
    NdisReleaseSpinLock(&SpGlobals.Lock);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static NDIS_STATUS
SpBindAdapterEx(NDIS_HANDLE ProtocolDriverContext, NDIS_HANDLE BindContext,
                PNDIS_BIND_PARAMETERS BindParameters)
{
    PSP_BINDING binding;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(ProtocolDriverContext);

    binding = NdisAllocateMemoryWithTagPriority(SpGlobals.ProtocolHandle, sizeof(*binding),
                                                SP_POOL_TAG, NormalPoolPriority);
    if (binding == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(binding, sizeof(*binding));
    NdisAllocateSpinLock(&binding->Lock);
    InitializeListHead(&binding->Link);
    binding->State = SpBindingOpening;
    binding->PacketFilterStatus = NDIS_STATUS_PENDING;
    SpCopyName(binding->AdapterName, BindParameters->AdapterName);
    if (BindParameters->MacAddressLength == SP_ETH_ADDRESS_LENGTH)
        NdisMoveMemory(binding->MacAddress, BindParameters->CurrentMacAddress,
                       SP_ETH_ADDRESS_LENGTH);
    binding->MtuSize = BindParameters->MtuSize;
    binding->LinkUp = BindParameters->MediaConnectState == MediaConnectStateConnected;
    binding->LinkSpeed = BindParameters->XmitLinkSpeed == NDIS_LINK_SPEED_UNKNOWN
                             ? 0
                             : BindParameters->XmitLinkSpeed;

    binding->MediumArray[0] = NdisMedium802_3;
    binding->OpenParameters.Header.Type = NDIS_OBJECT_TYPE_OPEN_PARAMETERS;
    binding->OpenParameters.Header.Revision = NDIS_OPEN_PARAMETERS_REVISION_1;
    binding->OpenParameters.Header.Size = NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1;
    binding->OpenParameters.AdapterName = BindParameters->AdapterName;
    binding->OpenParameters.MediumArray = binding->MediumArray;
    binding->OpenParameters.MediumArraySize = 1;
    binding->OpenParameters.SelectedMediumIndex = &binding->SelectedMediumIndex;
    binding->OpenParameters.FrameTypeArray = NULL;
    binding->OpenParameters.FrameTypeArraySize = 0;
    binding->BindContext = BindContext;

    status = NdisOpenAdapterEx(SpGlobals.ProtocolHandle, binding, &binding->OpenParameters,
                               BindContext, &binding->BindingHandle);
    if (status == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING; /* SpOpenAdapterCompleteEx completes the bind */
    return SpFinishBind(binding, status);
}

_Use_decl_annotations_
static VOID
SpOpenAdapterCompleteEx(NDIS_HANDLE ProtocolBindingContext, NDIS_STATUS Status)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;
    NDIS_HANDLE bindContext = binding->BindContext;

    /* SpFinishBind frees a binding whose open failed: bindContext is read first. */
    NdisCompleteBindAdapterEx(bindContext, SpFinishBind(binding, Status));
}

/*
 * NDIS paused the binding before calling this. The binding leaves the list
 * (no new user can find it), the users it has finish, and the adapter is
 * closed - which NDIS pends while OID requests of the binding are in flight.
 */
_Use_decl_annotations_
static NDIS_STATUS
SpUnbindAdapterEx(NDIS_HANDLE UnbindContext, NDIS_HANDLE ProtocolBindingContext)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;
    NDIS_STATUS status;
    LONG references;

    NdisAcquireSpinLock(&SpGlobals.Lock);
    RemoveEntryList(&binding->Link);
    InitializeListHead(&binding->Link);
    NdisReleaseSpinLock(&SpGlobals.Lock);

    for (;;) {
        NdisAcquireSpinLock(&binding->Lock);
        binding->State = SpBindingClosing;
        references = binding->References;
        NdisReleaseSpinLock(&binding->Lock);
        if (references == 0)
            break;
        NdisMSleep(1000); /* an application call is still using it */
    }

    binding->UnbindContext = UnbindContext;
    status = NdisCloseAdapterEx(binding->BindingHandle);
    if (status == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING; /* SpCloseAdapterCompleteEx completes the unbind */
    SpFreeBinding(binding);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID
SpCloseAdapterCompleteEx(NDIS_HANDLE ProtocolBindingContext)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;
    NDIS_HANDLE unbindContext = binding->UnbindContext;

    SpFreeBinding(binding);
    NdisCompleteUnbindAdapterEx(unbindContext);
}

PSP_BINDING
SpReferenceBinding(const char *AdapterName)
{
    PSP_BINDING found = NULL;
    PLIST_ENTRY entry;
    ULONG i;

    NdisAcquireSpinLock(&SpGlobals.Lock);
    for (entry = SpGlobals.Bindings.Flink; entry != &SpGlobals.Bindings; entry = entry->Flink) {
        PSP_BINDING binding = CONTAINING_RECORD(entry, SP_BINDING, Link);

        for (i = 0; i < SP_ADAPTER_NAME_MAX && binding->AdapterName[i] == AdapterName[i] &&
                    AdapterName[i] != '\0';
             i++)
            ;
        if (i < SP_ADAPTER_NAME_MAX && binding->AdapterName[i] == AdapterName[i]) {
            NdisDprAcquireSpinLock(&binding->Lock);
            binding->References++;
            NdisDprReleaseSpinLock(&binding->Lock);
            found = binding;
            break;
        }
    }
    NdisReleaseSpinLock(&SpGlobals.Lock);
    return found;
}

VOID
SpDereferenceBinding(PSP_BINDING Binding)
{
    /* The last use of the binding: an unbind may free it right after. */
    NdisAcquireSpinLock(&Binding->Lock);
    Binding->References--;
    NdisReleaseSpinLock(&Binding->Lock);
}

/* ---- network PnP events ---------------------------------------------------------- */

/*
 * pausing-a-binding.md: the pause is complete when every send of the binding
 * completed. With sends in flight the pause pends; SpCompletePauseIfDrained,
 * called at PASSIVE_LEVEL by the thread whose sends drained the binding,
 * calls NdisCompleteNetPnPEvent.
 */
static NDIS_STATUS
SpPauseBinding(_In_ PSP_BINDING Binding, _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEvent)
{
    NDIS_STATUS status;

    NdisAcquireSpinLock(&Binding->Lock);
    if (Binding->PendingSends == 0) {
        Binding->State = SpBindingPaused;
        status = NDIS_STATUS_SUCCESS;
    } else {
        Binding->State = SpBindingPausing;
        Binding->PendingPause = NetPnPEvent;
        status = NDIS_STATUS_PENDING;
    }
    NdisReleaseSpinLock(&Binding->Lock);
    return status;
}

_Use_decl_annotations_
VOID
SpCompletePauseIfDrained(PSP_BINDING Binding)
{
    PNET_PNP_EVENT_NOTIFICATION pause = NULL;

    NdisAcquireSpinLock(&Binding->Lock);
    if (Binding->PendingPause != NULL && Binding->PendingSends == 0) {
        pause = Binding->PendingPause;
        Binding->PendingPause = NULL;
        Binding->State = SpBindingPaused;
    }
    NdisReleaseSpinLock(&Binding->Lock);
    if (pause != NULL)
        NdisCompleteNetPnPEvent(Binding->BindingHandle, pause, NDIS_STATUS_SUCCESS);
}

/* Sets the binding's packet filter without waiting; SpOidRequestComplete records the outcome. */
static VOID
SpSetPacketFilter(_In_ PSP_BINDING Binding, ULONG PacketFilter)
{
    PSP_REQUEST request;
    NDIS_STATUS status;

    request = SpAllocateRequest(NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER,
                                &PacketFilter, sizeof(PacketFilter));
    NdisAcquireSpinLock(&Binding->Lock);
    Binding->PacketFilter = PacketFilter;
    Binding->PacketFilterStatus = request != NULL ? NDIS_STATUS_PENDING : NDIS_STATUS_RESOURCES;
    NdisReleaseSpinLock(&Binding->Lock);
    if (request == NULL)
        return;
    request->Binding = Binding;
    request->Synchronous = FALSE;
    request->References = 1; /* the completion's */
    status = NdisOidRequest(Binding->BindingHandle, &request->Request);
    if (status != NDIS_STATUS_PENDING)
        SpOidRequestComplete(Binding, &request->Request, status);
}

_Use_decl_annotations_
static NDIS_STATUS
SpNetPnPEvent(NDIS_HANDLE ProtocolBindingContext, PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;

    switch (NetPnPEventNotification->NetPnPEvent.NetEvent) {
    case NetEventPause:
        return SpPauseBinding(binding, NetPnPEventNotification);

    case NetEventRestart:
        NdisAcquireSpinLock(&binding->Lock);
        binding->State = SpBindingRunning;
        NdisReleaseSpinLock(&binding->Lock);
        /* NDIS delivers nothing to an 802.3 binding until it sets a filter. */
        SpSetPacketFilter(binding, SP_PACKET_FILTER);
        return NDIS_STATUS_SUCCESS;

    default:
        /* Power, bind-list and other events: nothing to do for this protocol
           (some come with no binding context). */
        return NDIS_STATUS_SUCCESS;
    }
}

/* ---- status indications ------------------------------------------------------------ */

_Use_decl_annotations_
static VOID
SpStatusEx(NDIS_HANDLE ProtocolBindingContext, PNDIS_STATUS_INDICATION StatusIndication)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;

    NdisAcquireSpinLock(&binding->Lock);
    binding->Counters.StatusIndications++;
    if (StatusIndication->StatusCode == NDIS_STATUS_LINK_STATE &&
        StatusIndication->StatusBufferSize >= sizeof(NDIS_LINK_STATE)) {
        const NDIS_LINK_STATE *linkState = (const NDIS_LINK_STATE *)StatusIndication->StatusBuffer;
        BOOLEAN up = linkState->MediaConnectState == MediaConnectStateConnected;

        if (up != binding->LinkUp)
            binding->Counters.LinkChanges++;
        binding->LinkUp = up;
        binding->LinkSpeed = up && linkState->XmitLinkSpeed != NDIS_LINK_SPEED_UNKNOWN
                                 ? linkState->XmitLinkSpeed
                                 : 0;
    }
    NdisReleaseSpinLock(&binding->Lock);
}

/* ---- OID requests ------------------------------------------------------------------- */

PSP_REQUEST
SpAllocateRequest(NDIS_REQUEST_TYPE Type, NDIS_OID Oid, const VOID *Data, ULONG Length)
{
    PSP_REQUEST request;
    ULONG size = FIELD_OFFSET(SP_REQUEST, Buffer) + (Length != 0 ? Length : 1);

    request = NdisAllocateMemoryWithTagPriority(SpGlobals.ProtocolHandle, size, SP_POOL_TAG,
                                                NormalPoolPriority);
    if (request == NULL)
        return NULL;
    NdisZeroMemory(request, size);
    request->Request.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    request->Request.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    request->Request.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    request->Request.RequestType = Type;
    request->Request.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    request->Request.RequestId = request;
    request->BufferLength = Length;
    if (Type == NdisRequestSetInformation) {
        request->Request.DATA.SET_INFORMATION.Oid = Oid;
        request->Request.DATA.SET_INFORMATION.InformationBuffer = request->Buffer;
        request->Request.DATA.SET_INFORMATION.InformationBufferLength = Length;
        if (Data != NULL && Length != 0)
            NdisMoveMemory(request->Buffer, Data, Length);
    } else {
        request->Request.DATA.QUERY_INFORMATION.Oid = Oid;
        request->Request.DATA.QUERY_INFORMATION.InformationBuffer = request->Buffer;
        request->Request.DATA.QUERY_INFORMATION.InformationBufferLength = Length;
    }
    NdisInitializeEvent(&request->Done);
    return request;
}

VOID
SpReleaseRequest(PSP_REQUEST Request)
{
    if (NdisInterlockedDecrement(&Request->References) == 0)
        NdisFreeMemoryWithTagPriority(SpGlobals.ProtocolHandle, Request, SP_POOL_TAG);
}

_Use_decl_annotations_
NDIS_STATUS
SpRequestAndWait(PSP_BINDING Binding, PSP_REQUEST Request)
{
    NDIS_STATUS status;

    Request->Binding = Binding;
    Request->Synchronous = TRUE;
    Request->References = 2; /* the issuer's and the completion's */
    status = NdisOidRequest(Binding->BindingHandle, &Request->Request);
    if (status != NDIS_STATUS_PENDING) {
        /* Completed inline: ProtocolOidRequestComplete will not be called. */
        Request->Status = status;
        SpReleaseRequest(Request);
        return status;
    }
    NdisWaitEvent(&Request->Done, 0);
    return Request->Status;
}

/* Every request the protocol makes completes here, or is completed as if here. */
_Use_decl_annotations_
static VOID
SpOidRequestComplete(NDIS_HANDLE ProtocolBindingContext, PNDIS_OID_REQUEST OidRequest,
                     NDIS_STATUS Status)
{
    PSP_BINDING binding = (PSP_BINDING)ProtocolBindingContext;
    PSP_REQUEST request = CONTAINING_RECORD(OidRequest, SP_REQUEST, Request);

    request->Status = Status;
    if (request->Synchronous) {
        /* Wake the issuer; the request lives until both let go of it. */
        NdisSetEvent(&request->Done);
        SpReleaseRequest(request);
        return;
    }
    if (OidRequest->RequestType == NdisRequestSetInformation &&
        OidRequest->DATA.SET_INFORMATION.Oid == OID_GEN_CURRENT_PACKET_FILTER) {
        NdisAcquireSpinLock(&binding->Lock);
        binding->PacketFilterStatus = Status;
        NdisReleaseSpinLock(&binding->Lock);
    }
    SpReleaseRequest(request);
}

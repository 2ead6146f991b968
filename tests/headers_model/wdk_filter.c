/*
 * A lightweight filter driver written the way Windows NDIS 6.30 filters are
 * written: FILTER_* role types, NDIS_FILTER_DRIVER_CHARACTERISTICS with
 * NDIS_STRING_CONST names, NdisFSetAttributes in FilterAttach, cloned OID
 * requests, NdisSetOptionalHandlers from FilterSetModuleOptions. Compiled (as
 * C and C++), never linked.
 */
#define NDIS630 1
#include <ndis.h>

#define FLT_TAG 'fFmH'

typedef struct _FLT_MODULE {
    NDIS_HANDLE FilterHandle;
    NDIS_SPIN_LOCK Lock;
    BOOLEAN Running;
    ULONG OutstandingSends;
    NDIS_STRING ModuleName;
    NET_IFINDEX MiniportIfIndex;
} FLT_MODULE, *PFLT_MODULE;

typedef struct _FLT_REQUEST_CONTEXT {
    PNDIS_OID_REQUEST OriginalRequest;
} FLT_REQUEST_CONTEXT, *PFLT_REQUEST_CONTEXT;

static NDIS_HANDLE FltDriverHandle;
static PDRIVER_OBJECT FltDriverObject;

EXTERN_C DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD FltUnload;
FILTER_SET_OPTIONS FltSetOptions;
FILTER_SET_MODULE_OPTIONS FltSetModuleOptions;
FILTER_ATTACH FltAttach;
FILTER_DETACH FltDetach;
FILTER_RESTART FltRestart;
FILTER_PAUSE FltPause;
FILTER_SEND_NET_BUFFER_LISTS FltSendNetBufferLists;
FILTER_SEND_NET_BUFFER_LISTS_COMPLETE FltSendNetBufferListsComplete;
FILTER_CANCEL_SEND_NET_BUFFER_LISTS FltCancelSendNetBufferLists;
FILTER_RECEIVE_NET_BUFFER_LISTS FltReceiveNetBufferLists;
FILTER_RETURN_NET_BUFFER_LISTS FltReturnNetBufferLists;
FILTER_OID_REQUEST FltOidRequest;
FILTER_OID_REQUEST_COMPLETE FltOidRequestComplete;
FILTER_CANCEL_OID_REQUEST FltCancelOidRequest;
FILTER_DEVICE_PNP_EVENT_NOTIFY FltDevicePnPEventNotify;
FILTER_NET_PNP_EVENT FltNetPnPEvent;
FILTER_STATUS FltStatus;
FILTER_DIRECT_OID_REQUEST FltDirectOidRequest;
FILTER_DIRECT_OID_REQUEST_COMPLETE FltDirectOidRequestComplete;
FILTER_CANCEL_DIRECT_OID_REQUEST FltCancelDirectOidRequest;
NDIS_IO_WORKITEM_FUNCTION FltDeferredWork;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, FltUnload)
#endif

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    NDIS_STRING friendlyName = NDIS_STRING_CONST("libndis headers model filter");
    NDIS_STRING uniqueName = NDIS_STRING_CONST("{5cbf81bd-5055-47cd-9055-a76b2b4e3697}");
    NDIS_STRING serviceName = NDIS_STRING_CONST("hmfilter");
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    FltDriverObject = DriverObject;

    NdisZeroMemory(&chars, sizeof(NDIS_FILTER_DRIVER_CHARACTERISTICS));
    chars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_FILTER_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_FILTER_MINOR_VERSION;
    chars.MajorDriverVersion = 1;
    chars.MinorDriverVersion = 0;
    chars.Flags = 0;
    chars.FriendlyName = friendlyName;
    chars.UniqueName = uniqueName;
    chars.ServiceName = serviceName;
    chars.SetOptionsHandler = FltSetOptions;
    chars.SetFilterModuleOptionsHandler = FltSetModuleOptions;
    chars.AttachHandler = FltAttach;
    chars.DetachHandler = FltDetach;
    chars.RestartHandler = FltRestart;
    chars.PauseHandler = FltPause;
    chars.SendNetBufferListsHandler = FltSendNetBufferLists;
    chars.SendNetBufferListsCompleteHandler = FltSendNetBufferListsComplete;
    chars.CancelSendNetBufferListsHandler = FltCancelSendNetBufferLists;
    chars.ReceiveNetBufferListsHandler = FltReceiveNetBufferLists;
    chars.ReturnNetBufferListsHandler = FltReturnNetBufferLists;
    chars.OidRequestHandler = FltOidRequest;
    chars.OidRequestCompleteHandler = FltOidRequestComplete;
    chars.CancelOidRequestHandler = FltCancelOidRequest;
    chars.DevicePnPEventNotifyHandler = FltDevicePnPEventNotify;
    chars.NetPnPEventHandler = FltNetPnPEvent;
    chars.StatusHandler = FltStatus;
    chars.DirectOidRequestHandler = FltDirectOidRequest;
    chars.DirectOidRequestCompleteHandler = FltDirectOidRequestComplete;
    chars.CancelDirectOidRequestHandler = FltCancelDirectOidRequest;

    DriverObject->DriverUnload = FltUnload;
    status = NdisFRegisterFilterDriver(DriverObject, (NDIS_HANDLE)DriverObject, &chars,
                                       &FltDriverHandle);
    return status == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

_Use_decl_annotations_
VOID
FltUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisFDeregisterFilterDriver(FltDriverHandle);
}

_Use_decl_annotations_
NDIS_STATUS
FltSetOptions(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext)
{
    UNREFERENCED_PARAMETER(NdisDriverHandle);
    UNREFERENCED_PARAMETER(DriverContext);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS
FltSetModuleOptions(NDIS_HANDLE FilterModuleContext)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;
    NDIS_FILTER_PARTIAL_CHARACTERISTICS partial;

    /* Leave the receive path: NDIS bypasses this module for receives. */
    NdisZeroMemory(&partial, sizeof(partial));
    partial.Header.Type = NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS;
    partial.Header.Revision = NDIS_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1;
    partial.Header.Size = NDIS_SIZEOF_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1;
    partial.SendNetBufferListsHandler = FltSendNetBufferLists;
    partial.SendNetBufferListsCompleteHandler = FltSendNetBufferListsComplete;
    partial.CancelSendNetBufferListsHandler = FltCancelSendNetBufferLists;
    partial.ReceiveNetBufferListsHandler = NULL;
    partial.ReturnNetBufferListsHandler = NULL;
    return NdisSetOptionalHandlers(module->FilterHandle,
                                   (PNDIS_DRIVER_OPTIONAL_HANDLERS)&partial);
}

_Use_decl_annotations_
NDIS_STATUS
FltAttach(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext,
          PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    NDIS_FILTER_ATTRIBUTES attributes;
    PFLT_MODULE module;
    NDIS_STATUS status;

    if (FilterDriverContext != (NDIS_HANDLE)FltDriverObject)
        return NDIS_STATUS_INVALID_PARAMETER;
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;

    module = (PFLT_MODULE)NdisAllocateMemoryWithTagPriority(NdisFilterHandle, sizeof(FLT_MODULE),
                                                           FLT_TAG, LowPoolPriority);
    if (module == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(module, sizeof(FLT_MODULE));
    module->FilterHandle = NdisFilterHandle;
    module->MiniportIfIndex = AttachParameters->BaseMiniportIfIndex;
    NdisAllocateSpinLock(&module->Lock);

    NdisZeroMemory(&attributes, sizeof(NDIS_FILTER_ATTRIBUTES));
    attributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    attributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Flags = 0;
    status = NdisFSetAttributes(NdisFilterHandle, module, &attributes);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeSpinLock(&module->Lock);
        NdisFreeMemory(module, 0, 0);
    }
    return status;
}

_Use_decl_annotations_
VOID
FltDetach(NDIS_HANDLE FilterModuleContext)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFreeSpinLock(&module->Lock);
    NdisFreeMemory(module, 0, 0);
}

_Use_decl_annotations_
NDIS_STATUS
FltRestart(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_RESTART_PARAMETERS RestartParameters)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;
    NDIS_HANDLE workItem;

    if (RestartParameters->Header.Size < NDIS_SIZEOF__FILTER_RESTART_PARAMETERS_REVISION_1)
        return NDIS_STATUS_INVALID_PARAMETER;
    module->Running = TRUE;
    workItem = NdisAllocateIoWorkItem(module->FilterHandle);
    if (workItem != NULL)
        NdisQueueIoWorkItem(workItem, FltDeferredWork, module);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
FltDeferredWork(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)
{
    PFLT_MODULE module = (PFLT_MODULE)WorkItemContext;
    UCHAR buffer[512];
    ULONG needed = 0, written = 0;

    if (NdisEnumerateFilterModules(module->FilterHandle, buffer, sizeof(buffer), &needed,
                                   &written) == NDIS_STATUS_SUCCESS) {
        PNDIS_ENUM_FILTERS filters = (PNDIS_ENUM_FILTERS)buffer;
        ULONG i;
        for (i = 0; i < filters->NumberOfFilters; i++) {
            if (filters->Filter[i].Flags & NDIS_FILTER_INTERFACE_LW_FILTER)
                DbgPrint("hm: filter at ifIndex %u\n", filters->Filter[i].IfIndex);
        }
    }
    NdisFreeIoWorkItem(NdisIoWorkItemHandle);
}

_Use_decl_annotations_
NDIS_STATUS
FltPause(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    UNREFERENCED_PARAMETER(PauseParameters);
    NdisAcquireSpinLock(&module->Lock);
    module->Running = FALSE;
    NdisReleaseSpinLock(&module->Lock);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
FltSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                      NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;
    PNET_BUFFER_LIST nbl;

    if (!module->Running) {
        for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_PAUSED;
        NdisFSendNetBufferListsComplete(module->FilterHandle, NetBufferLists,
                                        (SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL)
                                            ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                                            : 0);
        return;
    }
    NdisInterlockedAddUlong(&module->OutstandingSends, 1, &module->Lock);
    NdisFSendNetBufferLists(module->FilterHandle, NetBufferLists, PortNumber, SendFlags);
}

_Use_decl_annotations_
VOID
FltSendNetBufferListsComplete(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                              ULONG SendCompleteFlags)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFSendNetBufferListsComplete(module->FilterHandle, NetBufferLists, SendCompleteFlags);
}

_Use_decl_annotations_
VOID
FltCancelSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PVOID CancelId)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFCancelSendNetBufferLists(module->FilterHandle, CancelId);
}

_Use_decl_annotations_
VOID
FltReceiveNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                         NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                         ULONG ReceiveFlags)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    if (!module->Running) {
        if (!(ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES))
            NdisFReturnNetBufferLists(module->FilterHandle, NetBufferLists,
                                      (ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
                                          ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL
                                          : 0);
        return;
    }
    NdisFIndicateReceiveNetBufferLists(module->FilterHandle, NetBufferLists, PortNumber,
                                       NumberOfNetBufferLists, ReceiveFlags);
}

_Use_decl_annotations_
VOID
FltReturnNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                        ULONG ReturnFlags)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFReturnNetBufferLists(module->FilterHandle, NetBufferLists, ReturnFlags);
}

_Use_decl_annotations_
NDIS_STATUS
FltOidRequest(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;
    PNDIS_OID_REQUEST clone = NULL;
    PFLT_REQUEST_CONTEXT context;
    NDIS_STATUS status;

    status = NdisAllocateCloneOidRequest(module->FilterHandle, OidRequest, FLT_TAG, &clone);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    context = (PFLT_REQUEST_CONTEXT)&clone->SourceReserved[0];
    context->OriginalRequest = OidRequest;
    clone->RequestId = OidRequest->RequestId;

    status = NdisFOidRequest(module->FilterHandle, clone);
    if (status != NDIS_STATUS_PENDING) {
        FltOidRequestComplete(module, clone, status);
        status = NDIS_STATUS_PENDING;
    }
    return status;
}

_Use_decl_annotations_
VOID
FltOidRequestComplete(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                      NDIS_STATUS Status)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;
    PNDIS_OID_REQUEST original =
        ((PFLT_REQUEST_CONTEXT)&OidRequest->SourceReserved[0])->OriginalRequest;

    original->DATA.QUERY_INFORMATION.BytesWritten = OidRequest->DATA.QUERY_INFORMATION.BytesWritten;
    original->DATA.QUERY_INFORMATION.BytesNeeded = OidRequest->DATA.QUERY_INFORMATION.BytesNeeded;
    NdisFreeCloneOidRequest(module->FilterHandle, OidRequest);
    NdisFOidRequestComplete(module->FilterHandle, original, Status);
}

_Use_decl_annotations_
VOID
FltCancelOidRequest(NDIS_HANDLE FilterModuleContext, PVOID RequestId)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFCancelOidRequest(module->FilterHandle, RequestId);
}

_Use_decl_annotations_
VOID
FltDevicePnPEventNotify(NDIS_HANDLE FilterModuleContext, PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFDevicePnPEventNotify(module->FilterHandle, NetDevicePnPEvent);
}

_Use_decl_annotations_
NDIS_STATUS
FltNetPnPEvent(NDIS_HANDLE FilterModuleContext, PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    if (NetPnPEventNotification->NetPnPEvent.NetEvent == NetEventRestart)
        (void)NdisFRestartFilter(module->FilterHandle);
    return NdisFNetPnPEvent(module->FilterHandle, NetPnPEventNotification);
}

_Use_decl_annotations_
VOID
FltStatus(NDIS_HANDLE FilterModuleContext, PNDIS_STATUS_INDICATION StatusIndication)
{
    PFLT_MODULE module = (PFLT_MODULE)FilterModuleContext;

    NdisFIndicateStatus(module->FilterHandle, StatusIndication);
}

_Use_decl_annotations_
NDIS_STATUS
FltDirectOidRequest(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest)
{
    UNREFERENCED_PARAMETER(FilterModuleContext);
    UNREFERENCED_PARAMETER(OidRequest);
    return NDIS_STATUS_NOT_SUPPORTED;
}

_Use_decl_annotations_
VOID
FltDirectOidRequestComplete(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                            NDIS_STATUS Status)
{
    UNREFERENCED_PARAMETER(FilterModuleContext);
    UNREFERENCED_PARAMETER(OidRequest);
    UNREFERENCED_PARAMETER(Status);
}

_Use_decl_annotations_
VOID
FltCancelDirectOidRequest(NDIS_HANDLE FilterModuleContext, PVOID RequestId)
{
    UNREFERENCED_PARAMETER(FilterModuleContext);
    UNREFERENCED_PARAMETER(RequestId);
}

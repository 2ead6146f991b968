/*
 * pf_main.c - passfilter: DriverEntry and unload, the life of a filter module
 * (FilterAttach, FilterDetach, FilterPause, FilterRestart) and the
 * notifications it passes on (FilterStatus, FilterNetPnPEvent,
 * FilterDevicePnPEventNotify).
 *
 * NDIS attaches a module to every adapter the INF's FilterMediaTypes
 * ("ethernet") names, at the place FilterClass gives it in the stack. A
 * module starts Paused; NDIS restarts it when the stack starts.
 */
#include "pf.h"

PF_DRIVER PfDriver;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD PfUnload;
static FILTER_ATTACH PfAttach;
static FILTER_DETACH PfDetach;
static FILTER_PAUSE PfPause;
static FILTER_RESTART PfRestart;
static FILTER_STATUS PfStatus;
static FILTER_NET_PNP_EVENT PfNetPnPEvent;
static FILTER_DEVICE_PNP_EVENT_NOTIFY PfDevicePnPEventNotify;

#pragma NDIS_INIT_FUNCTION(DriverEntry)

/* ---- driver -------------------------------------------------------------------------- */

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    /* The INF's AddService name and NetCfgInstanceId. */
    NDIS_STRING serviceName = NDIS_STRING_CONST("passfilter");
    NDIS_STRING uniqueName = NDIS_STRING_CONST("{b8c3f2a4-4d1e-4a57-9b3e-2f6a1c0d7e11}");
    NDIS_STRING friendlyName = NDIS_STRING_CONST("libndis Pass-Through Sample Filter");
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);

    /* One image, one driver: a second load would share these globals. */
    if (PfDriver.FilterDriverHandle != NULL) {
        DbgPrint("passfilter: already loaded\n");
        return STATUS_DEVICE_BUSY;
    }
    NdisZeroMemory(&PfDriver, sizeof(PfDriver));
    NdisAllocateSpinLock(&PfDriver.Lock);
    InitializeListHead(&PfDriver.Modules);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_FILTER_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_FILTER_MINOR_VERSION;
    chars.MajorDriverVersion = PF_MAJOR_DRIVER_VERSION;
    chars.MinorDriverVersion = PF_MINOR_DRIVER_VERSION;
    chars.Flags = 0;
    chars.FriendlyName = friendlyName;
    chars.UniqueName = uniqueName;
    chars.ServiceName = serviceName;
    chars.AttachHandler = PfAttach;
    chars.DetachHandler = PfDetach;
    chars.PauseHandler = PfPause;
    chars.RestartHandler = PfRestart;
    chars.SendNetBufferListsHandler = PfSendNetBufferLists;
    chars.SendNetBufferListsCompleteHandler = PfSendNetBufferListsComplete;
    chars.CancelSendNetBufferListsHandler = PfCancelSendNetBufferLists;
    chars.ReceiveNetBufferListsHandler = PfReceiveNetBufferLists;
    chars.ReturnNetBufferListsHandler = PfReturnNetBufferLists;
    chars.OidRequestHandler = PfOidRequest;
    chars.OidRequestCompleteHandler = PfOidRequestComplete;
    chars.CancelOidRequestHandler = PfCancelOidRequest;
    chars.StatusHandler = PfStatus;
    chars.NetPnPEventHandler = PfNetPnPEvent;
    chars.DevicePnPEventNotifyHandler = PfDevicePnPEventNotify;
    /* No SetOptions / SetFilterModuleOptions: the handlers never change. No
       direct OID handlers: direct requests bypass this module. */

    status = NdisFRegisterFilterDriver(DriverObject, &PfDriver, &chars,
                                       &PfDriver.FilterDriverHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        PfDriver.FilterDriverHandle = NULL;
        NdisFreeSpinLock(&PfDriver.Lock);
        return (NTSTATUS)status;
    }
    DriverObject->DriverUnload = PfUnload;
    return STATUS_SUCCESS;
}

/* NdisFDeregisterFilterDriver detaches every module before it returns. */
_Use_decl_annotations_
static VOID
PfUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisFDeregisterFilterDriver(PfDriver.FilterDriverHandle);
    PfDriver.FilterDriverHandle = NULL;
    NdisFreeSpinLock(&PfDriver.Lock);
}

/* ---- modules ----------------------------------------------------------------------- */

/* The adapter's name without the "\DEVICE\" prefix NDIS puts before it, as ASCII. */
static VOID
PfAdapterName(_In_ const NDIS_STRING *Name, _Out_writes_(Size) CHAR *Out, ULONG Size)
{
    static const WCHAR prefix[] = L"\\DEVICE\\";
    ULONG length = Name->Length / sizeof(WCHAR);
    ULONG prefixLength = sizeof(prefix) / sizeof(WCHAR) - 1;
    ULONG start = 0, i;

    if (length > prefixLength &&
        NdisEqualMemory(Name->Buffer, prefix, prefixLength * sizeof(WCHAR)))
        start = prefixLength;
    for (i = 0; start + i < length && i + 1 < Size; i++) {
        WCHAR c = Name->Buffer[start + i];
        Out[i] = c < 0x80 ? (CHAR)c : '?';
    }
    Out[i] = '\0';
}

PF_MODULE_STATE
PfState(_In_ PPF_MODULE Module, BOOLEAN AtDispatchLevel)
{
    PF_MODULE_STATE state;

    if (AtDispatchLevel)
        NdisDprAcquireSpinLock(&Module->Lock);
    else
        NdisAcquireSpinLock(&Module->Lock);
    state = Module->State;
    if (AtDispatchLevel)
        NdisDprReleaseSpinLock(&Module->Lock);
    else
        NdisReleaseSpinLock(&Module->Lock);
    return state;
}

static VOID
PfSetState(_In_ PPF_MODULE Module, PF_MODULE_STATE State)
{
    NdisAcquireSpinLock(&Module->Lock);
    Module->State = State;
    NdisReleaseSpinLock(&Module->Lock);
}

_Use_decl_annotations_
static NDIS_STATUS
PfAttach(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext,
         PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    NDIS_FILTER_ATTRIBUTES attributes;
    PPF_MODULE module;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(FilterDriverContext);

    /* The INF names Ethernet only; anything else is not ours to filter. */
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER;

    module = NdisAllocateMemoryWithTagPriority(NdisFilterHandle, sizeof(*module), PF_POOL_TAG,
                                               NormalPoolPriority);
    if (module == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(module, sizeof(*module));
    module->FilterHandle = NdisFilterHandle;
    module->State = PfModulePaused;
    NdisAllocateSpinLock(&module->Lock);
    PfAdapterName(AttachParameters->BaseMiniportName, module->Name, sizeof(module->Name));

    /* The module context NDIS passes to every FilterXxx of this module. */
    NdisZeroMemory(&attributes, sizeof(attributes));
    attributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    attributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Flags = 0;
    status = NdisFSetAttributes(NdisFilterHandle, module, &attributes);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeSpinLock(&module->Lock);
        NdisFreeMemoryWithTagPriority(NdisFilterHandle, module, PF_POOL_TAG);
        return status;
    }

    NdisAcquireSpinLock(&PfDriver.Lock);
    InsertTailList(&PfDriver.Modules, &module->Link);
    NdisReleaseSpinLock(&PfDriver.Lock);
    return NDIS_STATUS_SUCCESS;
}

/* The module is Paused: nothing of it is in flight. Report what it saw, then free it. */
_Use_decl_annotations_
static VOID
PfDetach(NDIS_HANDLE FilterModuleContext)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    const PF_COUNTERS *c = &module->Counters;

    NdisAcquireSpinLock(&PfDriver.Lock);
    RemoveEntryList(&module->Link);
    NdisReleaseSpinLock(&PfDriver.Lock);

    DbgPrint("passfilter: %s detached: send %lld NBLs (%lld frames, %lld bytes), %lld "
             "completed, %lld rejected; receive %lld NBLs (%lld frames, %lld bytes), %lld "
             "returned, %lld rejected; %lld OIDs (%lld pended, %lld failed); %lld status, "
             "%lld net PnP, %lld device PnP events\n",
             module->Name, c->SendNbls, c->SendFrames, c->SendBytes, c->SendCompletes,
             c->SendRejected, c->ReceiveNbls, c->ReceiveFrames, c->ReceiveBytes, c->Returns,
             c->ReceiveRejected, c->OidRequests, c->OidPended, c->OidFailed,
             c->StatusIndications, c->NetPnPEvents, c->DevicePnPEvents);

    NdisFreeSpinLock(&module->Lock);
    NdisFreeMemoryWithTagPriority(module->FilterHandle, module, PF_POOL_TAG);
}

/*
 * Nothing to wait for: the module originates no sends or receive indications
 * and keeps none it was given, so once NDIS paused the drivers above (and
 * drained what they had in flight) the module is quiet.
 */
_Use_decl_annotations_
static NDIS_STATUS
PfPause(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    UNREFERENCED_PARAMETER(PauseParameters);
    PfCount(module, Pauses, 1);
    PfSetState(module, PfModulePaused);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static NDIS_STATUS
PfRestart(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_RESTART_PARAMETERS RestartParameters)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    UNREFERENCED_PARAMETER(RestartParameters);
    PfCount(module, Restarts, 1);
    PfSetState(module, PfModuleRunning);
    return NDIS_STATUS_SUCCESS;
}

/* ---- notifications --------------------------------------------------------------------- */

_Use_decl_annotations_
static VOID
PfStatus(NDIS_HANDLE FilterModuleContext, PNDIS_STATUS_INDICATION StatusIndication)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    PfCount(module, StatusIndications, 1);
    NdisFIndicateStatus(module->FilterHandle, StatusIndication);
}

_Use_decl_annotations_
static NDIS_STATUS
PfNetPnPEvent(NDIS_HANDLE FilterModuleContext, PNET_PNP_EVENT_NOTIFICATION NetPnPEvent)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    PfCount(module, NetPnPEvents, 1);
    /* Up the stack, to the drivers above; their answer is ours. */
    return NdisFNetPnPEvent(module->FilterHandle, NetPnPEvent);
}

_Use_decl_annotations_
static VOID
PfDevicePnPEventNotify(NDIS_HANDLE FilterModuleContext, PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    PfCount(module, DevicePnPEvents, 1);
    /* Down the stack, toward the miniport. */
    NdisFDevicePnPEventNotify(module->FilterHandle, NetDevicePnPEvent);
}

/*
 * ef_main.c - ethfilter: DriverEntry and unload, and the life of a filter
 * module: FilterAttach (read the rules, NdisFSetAttributes), FilterRestart
 * (read them again), FilterPause, FilterDetach.
 */
#include "ef.h"

EF_DRIVER EfDriver;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD EfUnload;
static FILTER_ATTACH EfAttach;
static FILTER_DETACH EfDetach;
static FILTER_PAUSE EfPause;
static FILTER_RESTART EfRestart;

#pragma NDIS_INIT_FUNCTION(DriverEntry)

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    /* The INF's AddService name and NetCfgInstanceId. */
    NDIS_STRING serviceName = NDIS_STRING_CONST("ethfilter");
    NDIS_STRING uniqueName = NDIS_STRING_CONST("{c9d4e3b5-5e2f-4b68-8c4f-3a7b2d1e8f22}");
    NDIS_STRING friendlyName = NDIS_STRING_CONST("libndis EtherType Drop Sample Filter");
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);

    /* One image, one driver: a second load would share these globals. */
    if (EfDriver.FilterDriverHandle != NULL) {
        DbgPrint("ethfilter: already loaded\n");
        return STATUS_DEVICE_BUSY;
    }
    NdisZeroMemory(&EfDriver, sizeof(EfDriver));
    NdisAllocateSpinLock(&EfDriver.Lock);
    InitializeListHead(&EfDriver.Modules);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_FILTER_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_FILTER_MINOR_VERSION;
    chars.MajorDriverVersion = EF_MAJOR_DRIVER_VERSION;
    chars.MinorDriverVersion = EF_MINOR_DRIVER_VERSION;
    chars.FriendlyName = friendlyName;
    chars.UniqueName = uniqueName;
    chars.ServiceName = serviceName;
    chars.AttachHandler = EfAttach;
    chars.DetachHandler = EfDetach;
    chars.PauseHandler = EfPause;
    chars.RestartHandler = EfRestart;
    chars.SendNetBufferListsHandler = EfSendNetBufferLists;
    chars.SendNetBufferListsCompleteHandler = EfSendNetBufferListsComplete;
    chars.ReceiveNetBufferListsHandler = EfReceiveNetBufferLists;
    chars.ReturnNetBufferListsHandler = EfReturnNetBufferLists;
    /* Sends are never queued here, so there is nothing to cancel; OIDs, status
       indications and PnP events pass around the module. */

    status = NdisFRegisterFilterDriver(DriverObject, &EfDriver, &chars,
                                       &EfDriver.FilterDriverHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        EfDriver.FilterDriverHandle = NULL;
        NdisFreeSpinLock(&EfDriver.Lock);
        return (NTSTATUS)status;
    }
    DriverObject->DriverUnload = EfUnload;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID
EfUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    /* Detaches every module (FilterDetach) before it returns. */
    NdisFDeregisterFilterDriver(EfDriver.FilterDriverHandle);
    EfDriver.FilterDriverHandle = NULL;
    NdisFreeSpinLock(&EfDriver.Lock);
}

/* ---- modules ------------------------------------------------------------------------ */

/* The adapter's name without the "\DEVICE\" prefix NDIS puts before it, as ASCII. */
static VOID
EfAdapterName(_In_ const NDIS_STRING *Name, _Out_writes_(Size) CHAR *Out, ULONG Size)
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

EF_MODULE_STATE
EfState(_In_ PEF_MODULE Module, BOOLEAN AtDispatchLevel)
{
    EF_MODULE_STATE state;

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
EfSetState(_In_ PEF_MODULE Module, EF_MODULE_STATE State)
{
    NdisAcquireSpinLock(&Module->Lock);
    Module->State = State;
    NdisReleaseSpinLock(&Module->Lock);
}

_Use_decl_annotations_
static NDIS_STATUS
EfAttach(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext,
         PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    NDIS_FILTER_ATTRIBUTES attributes;
    PEF_MODULE module;
    EF_RULES rules;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(FilterDriverContext);

    /* EtherTypes only mean something on Ethernet (the INF names no other medium). */
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER;

    module = NdisAllocateMemoryWithTagPriority(NdisFilterHandle, sizeof(*module), EF_POOL_TAG,
                                               NormalPoolPriority);
    if (module == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(module, sizeof(*module));
    module->FilterHandle = NdisFilterHandle;
    module->State = EfModulePaused;
    NdisAllocateSpinLock(&module->Lock);
    EfAdapterName(AttachParameters->BaseMiniportName, module->Name, sizeof(module->Name));

    /* Configuration may be read during attach (accessing-configuration-
       information-for-a-filter-driver.md). */
    EfReadRules(module, &rules);
    EfApplyRules(module, &rules);

    NdisZeroMemory(&attributes, sizeof(attributes));
    attributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    attributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    status = NdisFSetAttributes(NdisFilterHandle, module, &attributes);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeSpinLock(&module->Lock);
        NdisFreeMemoryWithTagPriority(NdisFilterHandle, module, EF_POOL_TAG);
        return status;
    }

    NdisAcquireSpinLock(&EfDriver.Lock);
    InsertTailList(&EfDriver.Modules, &module->Link);
    NdisReleaseSpinLock(&EfDriver.Lock);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID
EfDetach(NDIS_HANDLE FilterModuleContext)
{
    PEF_MODULE module = (PEF_MODULE)FilterModuleContext;
    ULONG i;

    NdisAcquireSpinLock(&EfDriver.Lock);
    RemoveEntryList(&module->Link);
    NdisReleaseSpinLock(&EfDriver.Lock);

    for (i = 0; i < module->Rules.Count; i++) {
        DbgPrint("ethfilter: %s detached: EtherType 0x%04X: %lld sends and %lld receives "
                 "dropped\n",
                 module->Name, module->Rules.EtherType[i], module->DroppedSend[i],
                 module->DroppedReceive[i]);
    }
    NdisFreeSpinLock(&module->Lock);
    NdisFreeMemoryWithTagPriority(module->FilterHandle, module, EF_POOL_TAG);
}

/* The module keeps and originates nothing: once NDIS paused the drivers above,
   it is quiet (pausing-a-filter-module.md). */
_Use_decl_annotations_
static NDIS_STATUS
EfPause(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters)
{
    UNREFERENCED_PARAMETER(PauseParameters);
    EfSetState((PEF_MODULE)FilterModuleContext, EfModulePaused);
    return NDIS_STATUS_SUCCESS;
}

/* Configuration may change between a pause and a restart: read it again. */
_Use_decl_annotations_
static NDIS_STATUS
EfRestart(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_RESTART_PARAMETERS RestartParameters)
{
    PEF_MODULE module = (PEF_MODULE)FilterModuleContext;
    EF_RULES rules;

    UNREFERENCED_PARAMETER(RestartParameters);
    EfReadRules(module, &rules);
    EfApplyRules(module, &rules); /* still Paused: nothing runs through the module */
    EfSetState(module, EfModuleRunning);
    return NDIS_STATUS_SUCCESS;
}

/*
 * ndtfilter.c - the test filter of the ndisd tests: a modifying lightweight
 * filter that attaches to every Ethernet adapter and passes everything through
 * (no data-path or OID handlers: NDIS bypasses it), so "ndisctl stack" shows a
 * module between the protocols and the miniport.
 */
#include <ndis.h>

#define TAG 'tlfN'

static NDIS_HANDLE g_handle;

static FILTER_ATTACH f_attach;
static FILTER_DETACH f_detach;
static FILTER_RESTART f_restart;
static FILTER_PAUSE f_pause;
static DRIVER_UNLOAD f_unload;

typedef struct ndt_module {
    NDIS_HANDLE handle;
} ndt_module;

_Use_decl_annotations_ static NDIS_STATUS f_attach(NDIS_HANDLE fh, NDIS_HANDLE drvctx,
                                                   PNDIS_FILTER_ATTACH_PARAMETERS ap)
{
    UNREFERENCED_PARAMETER(drvctx);
    UNREFERENCED_PARAMETER(ap);
    ndt_module *m = NdisAllocateMemoryWithTagPriority(fh, sizeof(*m), TAG, NormalPoolPriority);
    if (!m)
        return NDIS_STATUS_RESOURCES;
    m->handle = fh;
    NDIS_FILTER_ATTRIBUTES fa;
    NdisZeroMemory(&fa, sizeof(fa));
    fa.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    fa.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    fa.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    NDIS_STATUS st = NdisFSetAttributes(fh, m, &fa);
    if (st != NDIS_STATUS_SUCCESS)
        NdisFreeMemory(m, 0, 0);
    return st;
}

_Use_decl_annotations_ static void f_detach(NDIS_HANDLE ctx)
{
    NdisFreeMemory(ctx, 0, 0);
}

_Use_decl_annotations_ static NDIS_STATUS f_restart(NDIS_HANDLE ctx,
                                                    PNDIS_FILTER_RESTART_PARAMETERS p)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(p);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static NDIS_STATUS f_pause(NDIS_HANDLE ctx,
                                                  PNDIS_FILTER_PAUSE_PARAMETERS p)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(p);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_ static void f_unload(PDRIVER_OBJECT d)
{
    UNREFERENCED_PARAMETER(d);
    NdisFDeregisterFilterDriver(g_handle);
}

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    static WCHAR friendly[] = L"ndisd test filter";
    static WCHAR unique[] = L"{6e647466-0000-4000-8000-000000000001}";
    static WCHAR service[] = L"ndtfilter";
    NDIS_FILTER_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    NdisInitUnicodeString(&c.FriendlyName, friendly);
    NdisInitUnicodeString(&c.UniqueName, unique);
    NdisInitUnicodeString(&c.ServiceName, service);
    c.AttachHandler = f_attach;
    c.DetachHandler = f_detach;
    c.RestartHandler = f_restart;
    c.PauseHandler = f_pause;
    if (NdisFRegisterFilterDriver(DriverObject, NULL, &c, &g_handle) != NDIS_STATUS_SUCCESS)
        return STATUS_UNSUCCESSFUL;
    DriverObject->DriverUnload = f_unload;
    return STATUS_SUCCESS;
}

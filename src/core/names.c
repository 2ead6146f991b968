/*
 * names.c - the friendly name of an adapter, as NdisMQueryAdapterInstanceName,
 * NdisQueryAdapterInstanceName and NdisQueryBindInstanceName return it. NDIS
 * allocates the string; the caller frees it with NdisFreeMemory, so the memory
 * is charged to the caller's driver like any NdisAllocateMemoryWithTagPriority.
 */
#include <string.h>

#include "core/core.h"
#include "core/verifier.h"

#define NAME_TAG 'mNdN'

NDIS_STATUS ndisi_alloc_instance_name(NDIS_HANDLE charge_to, struct ndisi_adapter *a,
                                      PNDIS_STRING out, const char *ddi)
{
    if (!out) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "the output string is required",
                     "the NDIS_STRING pointer is NULL");
        return NDIS_STATUS_FAILURE;
    }
    size_t n = strlen(a->name);
    WCHAR *buf = NdisAllocateMemoryWithTagPriority(charge_to, (UINT)((n + 1) * sizeof(WCHAR)),
                                                   NAME_TAG, NormalPoolPriority);
    if (!buf)
        return NDIS_STATUS_RESOURCES;
    UNICODE_STRING tmp;
    ndisi_utf8_to_ustr(a->name, &tmp, buf, n + 1);
    *out = tmp;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisMQueryAdapterInstanceName(PNDIS_STRING AdapterInstanceName,
                                          NDIS_HANDLE MiniportAdapterHandle)
{
    const char *ddi = "NdisMQueryAdapterInstanceName";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, "Irql_Miniport_Driver_Function"))
        return NDIS_STATUS_FAILURE;
    struct ndisi_adapter *a =
        ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle");
    if (!a)
        return NDIS_STATUS_FAILURE;
    return ndisi_alloc_instance_name(MiniportAdapterHandle, a, AdapterInstanceName, ddi);
}

NDIS_STATUS NdisQueryAdapterInstanceName(PNDIS_STRING pAdapterInstanceName,
                                         NDIS_HANDLE NdisBindingHandle)
{
    const char *ddi = "NdisQueryAdapterInstanceName";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Protocol_Driver_Function"))
        return NDIS_STATUS_FAILURE;
    struct ndisi_obj *obj = ndisi_obj_check_any(
        NdisBindingHandle,
        NDISI_OBJ_MASK(NDISI_OBJ_OPEN) | NDISI_OBJ_MASK(NDISI_OBJ_FILTER_MODULE), ddi,
        "NdisBindingHandle");
    if (!obj)
        return NDIS_STATUS_FAILURE;
    struct ndisi_adapter *a = obj->type == NDISI_OBJ_OPEN
                                  ? ((struct ndisi_open *)obj)->adapter
                                  : ((struct ndisi_filter_module *)obj)->adapter;
    return ndisi_alloc_instance_name(NdisBindingHandle, a, pAdapterInstanceName, ddi);
}

NDIS_STATUS NdisQueryBindInstanceName(PNDIS_STRING pAdapterInstanceName, NDIS_HANDLE BindingContext)
{
    const char *ddi = "NdisQueryBindInstanceName";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Protocol_Driver_Function"))
        return NDIS_STATUS_FAILURE;
    struct ndisi_open *o = ndisi_obj_check(BindingContext, NDISI_OBJ_OPEN, ddi, "BindingContext");
    if (!o)
        return NDIS_STATUS_FAILURE;
    return ndisi_alloc_instance_name(BindingContext, o->adapter, pAdapterInstanceName, ddi);
}

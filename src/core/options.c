/*
 * options.c - NdisSetOptionalHandlers (ddi/nf-ndis-ndissetoptionalhandlers.md).
 * libndis supports the structure filter drivers use to switch data handlers
 * (NDIS_FILTER_PARTIAL_CHARACTERISTICS, for bypass). The CoNDIS, chimney, NDK,
 * shared-memory, PnP (AddDevice) and selective-suspend structures belong to
 * features libndis does not offer: they are refused with NDIS_STATUS_NOT_SUPPORTED
 * and a diagnostic naming the structure.
 */
#include "core/core.h"
#include "core/verifier.h"

NDIS_STATUS NdisSetOptionalHandlers(NDIS_HANDLE NdisHandle, PNDIS_DRIVER_OPTIONAL_HANDLERS OptionalHandlers)
{
    const char *ddi = "NdisSetOptionalHandlers";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, "Irql_Filter_Driver_Function"))
        return NDIS_STATUS_FAILURE;
    const uint32_t mask = NDISI_OBJ_MASK(NDISI_OBJ_MINIPORT_DRIVER) |
                          NDISI_OBJ_MASK(NDISI_OBJ_PROTOCOL) | NDISI_OBJ_MASK(NDISI_OBJ_OPEN) |
                          NDISI_OBJ_MASK(NDISI_OBJ_FILTER_DRIVER) |
                          NDISI_OBJ_MASK(NDISI_OBJ_FILTER_MODULE);
    struct ndisi_obj *o = ndisi_obj_check_any(NdisHandle, mask, ddi, "NdisHandle");
    if (!o)
        return NDIS_STATUS_INVALID_PARAMETER;
    if (!OptionalHandlers) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "OptionalHandlers is required",
                     "OptionalHandlers is NULL");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    UCHAR type = OptionalHandlers->Header.Type;
    bool filter = o->type == NDISI_OBJ_FILTER_DRIVER || o->type == NDISI_OBJ_FILTER_MODULE;
    if (filter && type == NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS)
        return ndisi_filter_set_optional_handlers(NdisHandle, OptionalHandlers);
    ndisi_diag("%s: optional handlers of object type 0x%02x for a %s are not supported by "
               "libndis (only NDIS_FILTER_PARTIAL_CHARACTERISTICS for filters is)",
               ddi, type, ndisi_objtype_name(o->type));
    return NDIS_STATUS_NOT_SUPPORTED;
}

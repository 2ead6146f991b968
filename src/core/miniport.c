/*
 * miniport.c - miniport driver registration: NdisMRegisterMiniportDriver and
 * NdisMDeregisterMiniportDriver (ddi/nf-ndis-ndismregisterminiportdriver.md,
 * nf-ndis-ndismderegisterminiportdriver.md), and NDIS's unload routine that
 * calls MiniportDriverUnload.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/verifier.h"
#include "os/fault.h"

#define DDI_REGISTER "NdisMRegisterMiniportDriver"
#define DDI_DEREGISTER "NdisMDeregisterMiniportDriver"
#define RULE_IRQL "Irql_Miniport_Driver_Function"

/* Registration failures are documented return codes, not violations: say why. */
static NDIS_STATUS reg_fail(struct ndisi_image *img, NDIS_STATUS st, const char *stname,
                            const char *fmt, const char *detail)
{
    char why[256];
    snprintf(why, sizeof(why), fmt, detail);
    ndisi_diag(DDI_REGISTER " (driver '%s'): %s: %s", img ? img->name : "?", stname, why);
    return st;
}

#define REQUIRE(field)                                                                     \
    do {                                                                                   \
        if (!c->field)                                                                     \
            return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS,                          \
                            "NDIS_STATUS_BAD_CHARACTERISTICS",                             \
                            "%s is NULL; NDIS_MINIPORT_DRIVER_CHARACTERISTICS requires it", \
                            #field);                                                       \
    } while (0)

static NDIS_STATUS validate_chars(struct ndisi_image *img,
                                  const NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    char detail[160];
    if (c->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS) {
        snprintf(detail, sizeof(detail), "0x%02x", c->Header.Type);
        return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS",
                        "Header.Type is %s, not NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS",
                        detail);
    }
    if (!ndisi_version_supported(c->MajorNdisVersion, c->MinorNdisVersion)) {
        snprintf(detail, sizeof(detail), "%u.%u", c->MajorNdisVersion, c->MinorNdisVersion);
        return reg_fail(img, NDIS_STATUS_BAD_VERSION, "NDIS_STATUS_BAD_VERSION",
                        "NDIS version %s is not supported (NDIS 6.0 to 6.82)", detail);
    }
    /* Revision 2 arrived with NDIS 6.1 and revision 3 with NDIS 6.80. */
    size_t need;
    switch (c->Header.Revision) {
    case NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1:
        need = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
        break;
    case NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2:
        need = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
        if (!ndisi_version_at_least(c->MajorNdisVersion, c->MinorNdisVersion, 6, 1))
            return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS,
                            "NDIS_STATUS_BAD_CHARACTERISTICS", "%s",
                            "Revision 2 requires NDIS 6.1 or later");
        break;
    case NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3:
        need = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3;
        if (!ndisi_version_at_least(c->MajorNdisVersion, c->MinorNdisVersion, 6, 80))
            return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS,
                            "NDIS_STATUS_BAD_CHARACTERISTICS", "%s",
                            "Revision 3 requires NDIS 6.80 or later");
        break;
    default:
        snprintf(detail, sizeof(detail), "%u", c->Header.Revision);
        return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS",
                        "Header.Revision %s is not a revision of the structure", detail);
    }
    if (c->Header.Size < need) {
        snprintf(detail, sizeof(detail), "%u is smaller than %zu, the size of revision %u",
                 c->Header.Size, need, c->Header.Revision);
        return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS",
                        "Header.Size %s", detail);
    }
    REQUIRE(InitializeHandlerEx);
    REQUIRE(HaltHandlerEx);
    REQUIRE(UnloadHandler);
    REQUIRE(PauseHandler);
    REQUIRE(RestartHandler);
    REQUIRE(OidRequestHandler);
    REQUIRE(SendNetBufferListsHandler);
    REQUIRE(ReturnNetBufferListsHandler);
    REQUIRE(CancelSendHandler);
    REQUIRE(DevicePnPEventNotifyHandler);
    REQUIRE(ShutdownHandlerEx);
    REQUIRE(CancelOidRequestHandler);
    if (c->CheckForHangHandlerEx && !c->ResetHandlerEx)
        return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS",
                        "%s", "ResetHandlerEx is required when CheckForHangHandlerEx is set");
    if (c->Header.Revision >= NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 &&
        !c->DirectOidRequestHandler != !c->CancelDirectOidRequestHandler)
        return reg_fail(img, NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS",
                        "%s",
                        "DirectOidRequestHandler and CancelDirectOidRequestHandler must be "
                        "provided together");
    return NDIS_STATUS_SUCCESS;
}

/* NDIS's unload routine (DriverObject->DriverUnload of a miniport driver). */
static void ndisi_miniport_unload_thunk(PDRIVER_OBJECT drv)
{
    struct ndisi_image *img = drv->DriverSection;
    struct ndisi_miniport_driver *m = img->miniport;
    if (!m)
        return;
    MINIPORT_DRIVER_UNLOAD unload = m->chars.UnloadHandler;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, img, "MiniportDriverUnload", img->name, NDISI_CB_DRIVER_UNLOAD,
                   PASSIVE_LEVEL);
    unload(drv);
    ndisi_cb_leave(&f);
}

NDIS_STATUS NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                                        NDIS_HANDLE MiniportDriverContext,
                                        PNDIS_MINIPORT_DRIVER_CHARACTERISTICS chars,
                                        PNDIS_HANDLE NdisMiniportDriverHandle)
{
    (void)RegistryPath;
    if (!ndisi_irql_eq(PASSIVE_LEVEL, DDI_REGISTER, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_image *img = ndisi_image_from_drvobj(DriverObject, DDI_REGISTER);
    if (!img)
        return NDIS_STATUS_FAILURE;
    if (!NdisMiniportDriverHandle || !chars) {
        ndisi_report(NDISI_V_PARAMETER, DDI_REGISTER, "parameters marked [in]/[out] are required",
                     "driver '%s': %s is NULL", img->name,
                     chars ? "NdisMiniportDriverHandle" : "MiniportDriverCharacteristics");
        return NDIS_STATUS_FAILURE;
    }
    *NdisMiniportDriverHandle = NULL;
    NDIS_STATUS st = validate_chars(img, chars);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    if (img->miniport)
        return reg_fail(img, NDIS_STATUS_FAILURE, "NDIS_STATUS_FAILURE", "%s",
                        "the driver already registered a miniport driver");

    struct ndisi_miniport_driver *m =
        ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS)
            ? NULL
            : ndisi_obj_alloc(NDISI_OBJ_MINIPORT_DRIVER, sizeof(*m));
    if (!m)
        return reg_fail(img, NDIS_STATUS_RESOURCES, "NDIS_STATUS_RESOURCES", "%s",
                        "out of memory for the miniport driver block");
    m->image = img;
    m->obj.label = img->name;
    m->context = MiniportDriverContext;
    /* "NDIS copies the characteristics structure to NDIS internal storage." */
    memcpy(&m->chars, chars,
           chars->Header.Size < sizeof(m->chars) ? chars->Header.Size : sizeof(m->chars));
    InitializeListHead(&m->adapters);

    if (m->chars.SetOptionsHandler) {
        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, img, "MiniportSetOptions", img->name, NDISI_CB_NDIS_ENTRY,
                       PASSIVE_LEVEL);
        st = m->chars.SetOptionsHandler((NDIS_HANDLE)m, MiniportDriverContext);
        ndisi_cb_leave_status(&f, true, st);
        if (st != NDIS_STATUS_SUCCESS) {
            ndisi_diag(DDI_REGISTER " (driver '%s'): MiniportSetOptions failed with 0x%08x; "
                       "registration fails",
                       img->name, (unsigned)st);
            ndisi_obj_free(m);
            return st;
        }
    }
    pthread_mutex_lock(&img->host->lock);
    img->miniport = m;
    pthread_mutex_unlock(&img->host->lock);
    DriverObject->DriverUnload = ndisi_miniport_unload_thunk;
    *NdisMiniportDriverHandle = (NDIS_HANDLE)m;
    return NDIS_STATUS_SUCCESS;
}

void ndisi_miniport_release(struct ndisi_miniport_driver *m)
{
    struct ndisi_image *img = m->image;
    pthread_mutex_lock(&img->host->lock);
    img->miniport = NULL;
    pthread_mutex_unlock(&img->host->lock);
    if (img->drvobj.DriverUnload == ndisi_miniport_unload_thunk)
        img->drvobj.DriverUnload = NULL;
    ndisi_obj_free(m);
}

void NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle)
{
    if (!ndisi_irql_eq(PASSIVE_LEVEL, DDI_DEREGISTER, RULE_IRQL))
        return;
    struct ndisi_miniport_driver *m =
        ndisi_obj_check(NdisMiniportDriverHandle, NDISI_OBJ_MINIPORT_DRIVER, DDI_DEREGISTER,
                        "NdisMiniportDriverHandle");
    if (!m)
        return;
    struct ndisi_image *img = m->image;
    /* The page allows two places: DriverEntry's failure path and MiniportDriverUnload. */
    const struct ndisi_cbframe *f = ndisi_cb_top;
    bool from_entry = f && f->image == img && f->kind == NDISI_CB_DRIVER_ENTRY;
    bool from_unload = f && f->image == img && f->kind == NDISI_CB_DRIVER_UNLOAD;
    if (!from_entry && !from_unload) {
        ndisi_report(NDISI_V_CONTEXT, DDI_DEREGISTER,
                     "a miniport calls NdisMDeregisterMiniportDriver from MiniportDriverUnload, "
                     "or from DriverEntry when initialization fails after registration",
                     "driver '%s' called it from %s", img->name,
                     f ? f->fn : "a thread outside any NDIS call");
        return;
    }
    if (!IsListEmpty(&m->adapters)) {
        ndisi_report(NDISI_V_STATE, DDI_DEREGISTER,
                     "adapters are halted before the driver deregisters",
                     "driver '%s' still has adapters", img->name);
        return;
    }
    ndisi_miniport_release(m);
}

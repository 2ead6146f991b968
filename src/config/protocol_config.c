/*
 * protocol_config.c - NdisOpenProtocolConfiguration: a protocol's per-binding
 * key by the name NDIS gives it in NDIS_BIND_PARAMETERS.ProtocolSection
 * (filled by the bind engine, binding.c).
 *
 * ns-ndis-_ndis_bind_parameters.md: ProtocolSection is "a registry path [that]
 * starts from the protocol driver's service key and continues down ... to the
 * miniport adapter name (for example, Tcpip\Parameters\Adapters\<miniport
 * adapter name>)". Here that is "<protocol>\Parameters\Adapters\<adapter>",
 * the key Services\<ProtocolSection> of the store: the same key that
 * NdisOpenConfigurationEx opens for the binding's BindParameters or handle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/cbctx.h"
#include "core/core.h"
#include "core/verifier.h"

/* The driver calling: the one whose code runs on this thread (a callback, work
 * item, timer ...), else the loaded driver named like the section's first
 * component. */
static struct ndisi_image *caller_image(const char *driver)
{
    if (ndisi_cb_top && ndisi_cb_top->image)
        return ndisi_cb_top->image;
    return ndisi_cfg_find_image(driver);
}

VOID NdisOpenProtocolConfiguration(PNDIS_STATUS Status, PNDIS_HANDLE ConfigurationHandle,
                                   PNDIS_STRING ProtocolSection)
{
    static const char ddi[] = "NdisOpenProtocolConfiguration";
    if (!ndisi_cfg_status_init(Status, ddi))
        return;
    if (ConfigurationHandle)
        *ConfigurationHandle = NULL;
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, "Irql_Miscellaneous_Function"))
        return;
    if (!ConfigurationHandle) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ConfigurationHandle receives the key's handle",
                     "ConfigurationHandle is NULL");
        return;
    }
    char *section;
    int rc = ndisi_cfg_ustr(ProtocolSection, &section, ddi, "ProtocolSection");
    if (rc) {
        if (rc == -ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        return; /* -EILSEQ: no key can have that name */
    }
    char driver[NDISI_NAME_MAX] = "", path[NDISI_CFG_PATH_MAX];
    size_t n = strcspn(section, "\\");
    if (n < sizeof(driver))
        snprintf(driver, sizeof(driver), "%.*s", (int)n, section);
    struct ndisi_image *img = caller_image(driver);
    if (!img) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "ProtocolSection is NDIS_BIND_PARAMETERS.ProtocolSection, "
                     "<protocol>\\Parameters\\Adapters\\<adapter>",
                     "called from no driver, and ProtocolSection \"%s\" names no loaded "
                     "driver",
                     section);
        free(section);
        return;
    }
    struct ndis_registry *reg = img->host->registry;
    struct ndisi_config *c = NULL;
    rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, section, NULL);
    if (!rc) {
        c = ndisi_cfg_handle_new(reg, img, path);
        /* Made in memory if missing, as NdisOpenConfigurationEx does. */
        rc = c ? reg_key_open(reg->store, path, REG_CREATE_DEFAULT, &c->chain.key) : -ENOMEM;
    }
    if (rc) {
        if (rc == -ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        else
            ndisi_diag("%s: driver '%s': cannot open Services\\%s: %s", ddi, img->name, section,
                       rc == -EINVAL ? "not a valid key path" : strerror(-rc));
        if (c)
            ndisi_cfg_handle_free(c);
        free(section);
        return;
    }
    free(section);
    ndisi_cfg_handle_publish(c);
    *ConfigurationHandle = (NDIS_HANDLE)c;
    *Status = NDIS_STATUS_SUCCESS;
}

/*
 * dl.c - drivers loaded from shared objects: dlopen, find DriverEntry, load it
 * like any driver; the image dlcloses the object when it is unloaded (or when
 * DriverEntry fails).
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "core/core.h"
#include "core/verifier.h"

int ndis_host_load_driver_file(ndis_host *h, const char *path, const char *name,
                               const ndis_driver_config *cfg)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_load_driver_file", "h") || !path)
        return -EINVAL;
    char base[NDISI_NAME_MAX];
    if (!name) {
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s", path);
        snprintf(base, sizeof(base), "%s", basename(tmp));
        char *dot = strstr(base, ".so");
        if (dot)
            *dot = 0;
        name = base;
    }
    /* Without bind rules: those of its installed INF, or of the INF next to it
       (installed now); a malformed one refuses the load before dlopen. */
    struct ndisi_inf_cfg inf;
    if (!cfg) {
        int rc = ndisi_inf_for_file(h, path, name, name != base, &inf);
        if (rc && rc != -ENOENT)
            return rc;
        if (!rc) {
            cfg = &inf.cfg;
            name = inf.service;
        }
    }
    /* RTLD_LOCAL: two drivers may both export DriverEntry and their own helpers. */
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        ndisi_diag("load driver '%s': cannot load %s: %s", name, path, dlerror());
        return -ENOEXEC;
    }
    ndis_driver_entry_fn *entry;
    *(void **)&entry = dlsym(dl, "DriverEntry");
    if (!entry) {
        ndisi_diag("load driver '%s': %s exports no DriverEntry (an NDIS driver exports "
                   "NTSTATUS DriverEntry(PDRIVER_OBJECT, PUNICODE_STRING))",
                   name, path);
        dlclose(dl);
        return -ENOEXEC;
    }
    /* From here the image owns dl (it closes it on failure too). */
    int rc = ndisi_host_load(h, name, entry, cfg, dl);
    if (rc == -EEXIST || rc == -EINVAL || rc == -ENOMEM)
        dlclose(dl); /* refused before an image took it */
    return rc;
}

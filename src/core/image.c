/*
 * image.c - driver images: the DRIVER_OBJECT NDIS hands to DriverEntry, and
 * loading and unloading a driver the way Windows does.
 *
 * Load calls DriverEntry(DriverObject, RegistryPath) at PASSIVE_LEVEL. A
 * DriverEntry that fails must have undone its registration itself
 * (NdisMDeregisterMiniportDriver "before DriverEntry returns"); if it did not,
 * NDIS reports it and cleans up. Unload halts a miniport's adapters first, then
 * calls DriverObject->DriverUnload: for a miniport that is NDIS's own unload
 * routine, which calls MiniportDriverUnload (miniport.c); for a protocol or
 * filter it is the driver's Unload, which deregisters. Whatever the driver
 * still holds afterwards is reported as leaked and released: registrations,
 * NDIS objects (pools, work items, timers, locks, lookaside lists, config
 * handles) and memory.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/core.h"
#include "core/verifier.h"
#include "datapath/pool.h"
#include "os/os.h"
#include "os/owned.h"

const char *const ndisi_res_names[NDISI_RES_COUNT] = {
    [NDISI_RES_NBL_POOL] = "NET_BUFFER_LIST pools",
    [NDISI_RES_NB_POOL] = "NET_BUFFER pools",
    [NDISI_RES_WORKITEM] = "I/O work items",
    [NDISI_RES_TIMER] = "timer objects",
    [NDISI_RES_CONFIG] = "open configuration handles",
    [NDISI_RES_RWLOCK] = "read-write locks",
    [NDISI_RES_LOOKASIDE] = "lookaside lists",
};

/* ---- interface ranges ("ndis5,ndis4") ------------------------------------ */

int ndisi_range_parse(struct ndisi_range *r, const char *list, const char *dflt)
{
    memset(r, 0, sizeof(*r));
    const char *s = (list && *list) ? list : dflt;
    if (!s)
        return 0;
    while (*s) {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (r->n == NDISI_RANGE_MAX)
            return -EINVAL;
        size_t k = 0;
        while (*s && *s != ',') {
            if (k + 1 < sizeof(r->names[0]) && !isspace((unsigned char)*s))
                r->names[r->n][k++] = (char)tolower((unsigned char)*s);
            s++;
        }
        r->names[r->n][k] = 0;
        if (k)
            r->n++;
    }
    return 0;
}

bool ndisi_range_intersects(const struct ndisi_range *a, const struct ndisi_range *b)
{
    for (unsigned i = 0; i < a->n; i++)
        for (unsigned j = 0; j < b->n; j++)
            if (strcmp(a->names[i], b->names[j]) == 0)
                return true;
    return false;
}

void ndisi_range_format(const struct ndisi_range *r, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < r->n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", r->names[i]);
}

/* ---- handles -> images ------------------------------------------------------ */

struct ndisi_image *ndisi_image_from_drvobj(PDRIVER_OBJECT d, const char *ddi)
{
    if (!d) {
        ndisi_report(NDISI_V_HANDLE, ddi, "DriverObject is the pointer DriverEntry received",
                     "DriverObject is NULL");
        return NULL;
    }
    struct ndisi_image *img = d->DriverSection;
    if (!img || !ndisi_obj_is(img, NDISI_OBJ_IMAGE) || &img->drvobj != d) {
        ndisi_report(NDISI_V_HANDLE, ddi, "DriverObject is the pointer DriverEntry received",
                     "DriverObject %p was not created by NDIS for this driver (or the driver "
                     "was unloaded)",
                     (void *)d);
        return NULL;
    }
    return img;
}

struct ndisi_image *ndisi_image_from_handle(NDIS_HANDLE h, const char *ddi)
{
    const uint32_t mask = NDISI_OBJ_MASK(NDISI_OBJ_MINIPORT_DRIVER) |
                          NDISI_OBJ_MASK(NDISI_OBJ_ADAPTER) | NDISI_OBJ_MASK(NDISI_OBJ_PROTOCOL) |
                          NDISI_OBJ_MASK(NDISI_OBJ_OPEN) | NDISI_OBJ_MASK(NDISI_OBJ_FILTER_DRIVER) |
                          NDISI_OBJ_MASK(NDISI_OBJ_FILTER_MODULE);
    struct ndisi_obj *o = ndisi_obj_check_any(h, mask, ddi, "NdisHandle");
    if (!o)
        return NULL;
    switch (o->type) {
    case NDISI_OBJ_MINIPORT_DRIVER:
        return ((struct ndisi_miniport_driver *)o)->image;
    case NDISI_OBJ_ADAPTER:
        return ((struct ndisi_adapter *)o)->miniport->image;
    case NDISI_OBJ_PROTOCOL:
        return ((struct ndisi_protocol *)o)->image;
    case NDISI_OBJ_OPEN:
        return ((struct ndisi_open *)o)->protocol->image;
    case NDISI_OBJ_FILTER_DRIVER:
        return ((struct ndisi_filter_driver *)o)->image;
    default:
        return ((struct ndisi_filter_module *)o)->driver->image;
    }
}

/* ---- load ------------------------------------------------------------------- */

static int image_config(struct ndisi_image *img, const ndis_driver_config *cfg)
{
    if (cfg)
        img->cfg = *cfg;
    /* Strings are copied into the ranges; the config keeps no pointers. */
    img->cfg.upper_range = img->cfg.lower_range = img->cfg.filter_media_types = NULL;
    img->cfg.filter_class = img->cfg.service_name = NULL;
    if (ndisi_range_parse(&img->upper, cfg ? cfg->upper_range : NULL, NULL) ||
        ndisi_range_parse(&img->lower, cfg ? cfg->lower_range : NULL, NULL) ||
        ndisi_range_parse(&img->filter_media, cfg ? cfg->filter_media_types : NULL,
                          "ethernet"))
        return -EINVAL;
    snprintf(img->filter_class, sizeof(img->filter_class), "%s",
             cfg && cfg->filter_class ? cfg->filter_class : "custom");
    snprintf(img->service, sizeof(img->service), "%s",
             cfg && cfg->service_name ? cfg->service_name : img->name);
    if (!img->cfg.filter_type)
        img->cfg.filter_type = 2;
    if (!img->cfg.filter_run_type)
        img->cfg.filter_run_type = 2;
    return 0;
}

static struct ndisi_image *image_new(struct ndis_host *h, const char *name,
                                     ndis_driver_entry_fn *entry)
{
    struct ndisi_image *img = ndisi_obj_alloc(NDISI_OBJ_IMAGE, sizeof(*img));
    if (!img)
        return NULL;
    img->host = h;
    snprintf(img->name, sizeof(img->name), "%s", name);
    img->obj.label = img->name;
    img->entry = entry;
    img->state = NDISI_IMAGE_LOADING;
    ndisi_memacct_init(&img->mem);

    char path[256];
    snprintf(path, sizeof(path), "\\Driver\\%s", name);
    ndisi_utf8_to_ustr(path, &img->drvobj.DriverName, img->name_buf, RTL_NUMBER_OF(img->name_buf));
    snprintf(path, sizeof(path),
             "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s", name);
    ndisi_utf8_to_ustr(path, &img->regpath, img->regpath_buf, RTL_NUMBER_OF(img->regpath_buf));
    img->drvobj.Type = 4; /* IO_TYPE_DRIVER */
    img->drvobj.Size = (CSHORT)sizeof(DRIVER_OBJECT);
    img->drvobj.DriverSection = img;
    img->drvobj.DriverInit = entry;
    img->drvobj.DriverExtension = &img->drvext;
    img->drvext.DriverObject = &img->drvobj;
    return img;
}

static void image_link(struct ndisi_image *img, bool link)
{
    struct ndis_host *h = img->host;
    pthread_mutex_lock(&h->lock);
    if (link)
        InsertTailList(&h->images, &img->link);
    else
        RemoveEntryList(&img->link);
    pthread_mutex_unlock(&h->lock);
}

/*
 * Frees the NDIS objects a driver left allocated, once none of its code can
 * run (ndisi_os_image_quiesce), the way its own frees would; each goes
 * through the object quarantine, so a stale handle is still reported. NBL
 * pools before NB pools (an NBL returns its clone NBs); lookaside lists before
 * the memory account is reported (their cached entries are charged to it).
 */
static void image_release_objects(struct ndisi_image *img, bool quiet)
{
    ndisi_pool_reclaim(img, quiet);
    ndisi_workitem_reclaim(img);
    ndisi_timer_reclaim(img);
    ndisi_rwlock_reclaim(img);
    ndisi_lookaside_reclaim(img);
    ndisi_config_image_gone(img);
}

/* Releases what a driver left registered or allocated; reports each leak. */
static unsigned long image_reclaim(struct ndisi_image *img, const char *when)
{
    unsigned long leaks = 0;
    if (img->protocol) {
        ndisi_report(NDISI_V_LEAK, "NdisDeregisterProtocolDriver",
                     "a protocol driver deregisters in its Unload routine",
                     "driver '%s' %s without calling NdisDeregisterProtocolDriver; NDIS "
                     "deregisters it",
                     img->name, when);
        ndisi_protocol_release(img->protocol);
        leaks++;
    }
    if (img->filter) {
        ndisi_report(NDISI_V_LEAK, "NdisFDeregisterFilterDriver",
                     "a filter driver deregisters in its Unload routine",
                     "driver '%s' %s without calling NdisFDeregisterFilterDriver; NDIS "
                     "deregisters it",
                     img->name, when);
        ndisi_filter_driver_release(img->filter);
        leaks++;
    }
    if (img->miniport) {
        ndisi_report(NDISI_V_LEAK, "NdisMDeregisterMiniportDriver",
                     "NdisMDeregisterMiniportDriver is called from MiniportDriverUnload, or "
                     "from DriverEntry when initialization fails after registration",
                     "driver '%s' %s without calling NdisMDeregisterMiniportDriver; NDIS "
                     "deregisters it",
                     img->name, when);
        ndisi_miniport_release(img->miniport);
        leaks++;
    }
    if (leaks)
        ndisi_os_image_quiesce(img); /* the deregistration above ran driver code */
    if (img->after_shutdown) {
        /* Its adapters were shut down, never halted: what it allocated for them is
           not a leak (the machine would have powered off). Released quietly. */
        unsigned long long bytes = 0;
        unsigned long blocks = 0;
        ndisi_memacct_totals(&img->mem, &bytes, &blocks);
        long other = 0;
        for (int r = 0; r < NDISI_RES_COUNT; r++)
            other += atomic_load(&img->res[r]);
        if (blocks || other)
            ndisi_diag("driver '%s' %s after a system shutdown: NDIS releases the %lu "
                       "allocations (%llu bytes) and %ld other resources its shut-down "
                       "adapters held",
                       img->name, when, blocks, bytes, other);
        image_release_objects(img, true);
        return leaks;
    }
    for (int r = 0; r < NDISI_RES_COUNT; r++) {
        long n = atomic_load(&img->res[r]);
        if (n > 0) {
            ndisi_report(NDISI_V_LEAK, "driver unload", "drivers free what they allocate",
                         "driver '%s' %s still holding %ld %s", img->name, when, n,
                         ndisi_res_names[r]);
            leaks++;
        }
    }
    image_release_objects(img, false); /* releases what was reported above */
    leaks += ndisi_memacct_report_leaks(&img->mem, img->name, when);
    return leaks;
}

static void image_free(struct ndisi_image *img)
{
    ndisi_memacct_destroy(&img->mem);
    void *dl = img->dl;
    ndisi_obj_free(img);
    if (dl)
        dlclose(dl);
}

static const char *kind_word(unsigned kind)
{
    return kind == NDIS_DRIVER_KIND_MINIPORT   ? "miniport"
           : kind == NDIS_DRIVER_KIND_PROTOCOL ? "protocol"
                                               : "filter";
}

/*
 * The INF installed for the driver says what it is (Net: a miniport,
 * NetTrans: a protocol, NetService with NCF_LW_FILTER: a filter); a driver
 * whose DriverEntry registered something else gets a diagnostic naming the
 * INF. It stays loaded: the INF, not the driver, is what is likely wrong.
 */
static void check_inf_class(struct ndis_host *h, struct ndisi_image *img)
{
    struct ndisi_inf_cfg inf;
    if (ndisi_inf_lookup(h, img->name, &inf) || !inf.kind)
        return;
    unsigned got = (img->miniport ? NDIS_DRIVER_KIND_MINIPORT : 0) |
                   (img->protocol ? NDIS_DRIVER_KIND_PROTOCOL : 0) |
                   (img->filter ? NDIS_DRIVER_KIND_FILTER : 0);
    if (got & inf.kind)
        return;
    char reg[40] = "";
    for (unsigned k = NDIS_DRIVER_KIND_MINIPORT; k <= NDIS_DRIVER_KIND_FILTER; k <<= 1)
        if (got & k)
            snprintf(reg + strlen(reg), sizeof(reg) - strlen(reg), "%sa %s", *reg ? " and " : "",
                     kind_word(k));
    ndisi_diag("%s: Class=%s installs '%s' as a %s driver, but its DriverEntry registered %s",
               inf.inf_path, inf.net_class, img->name, kind_word(inf.kind), reg);
}

int ndisi_image_load(struct ndis_host *h, const char *name, ndis_driver_entry_fn *entry,
                     const ndis_driver_config *cfg, void *dl)
{
    pthread_mutex_lock(&h->lock);
    bool dup = ndisi_find_image(h, name) != NULL;
    pthread_mutex_unlock(&h->lock);
    if (dup) {
        ndisi_diag("load driver '%s': a driver with this name is already loaded", name);
        return -EEXIST;
    }
    struct ndisi_image *img = image_new(h, name, entry);
    if (!img)
        return -ENOMEM;
    if (image_config(img, cfg)) {
        ndisi_diag("load driver '%s': too many interface names in the bind rules", name);
        image_free(img);
        return -EINVAL;
    }
    img->dl = dl;
    image_link(img, true);

    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, img, "DriverEntry", img->name, NDISI_CB_DRIVER_ENTRY, PASSIVE_LEVEL);
    NTSTATUS st = entry(&img->drvobj, &img->regpath);
    ndisi_cb_leave_status(&f, true, st);

    if (!NT_SUCCESS(st)) {
        ndisi_diag("driver '%s': DriverEntry failed with status 0x%08x", name, (unsigned)st);
        ndisi_os_image_quiesce(img);
        image_reclaim(img, "failed DriverEntry");
        image_link(img, false);
        image_free(img);
        return -EIO;
    }
    if (!img->miniport && !img->protocol && !img->filter)
        ndisi_diag("driver '%s': DriverEntry succeeded without registering a miniport, "
                   "protocol or filter driver",
                   name);
    else
        check_inf_class(h, img);
    img->state = NDISI_IMAGE_LOADED;
    return 0;
}

int ndisi_image_unload(struct ndisi_image *img)
{
    if (img->state != NDISI_IMAGE_LOADED)
        return -EBUSY;
    if (!img->drvobj.DriverUnload) {
        ndisi_diag("driver '%s' cannot be unloaded: DriverObject->DriverUnload is NULL "
                   "(Windows does not unload such a driver either)",
                   img->name);
        return -EBUSY;
    }
    /* A miniport driver's adapters are halted before its unload routine runs. */
    if (img->miniport) {
        while (!IsListEmpty(&img->miniport->adapters))
            ndisi_adapter_remove(CONTAINING_RECORD(img->miniport->adapters.Flink,
                                                   struct ndisi_adapter, mp_link),
                                 NdisHaltDeviceStopped);
    }
    img->state = NDISI_IMAGE_UNLOADING;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, img, "DriverUnload", img->name, NDISI_CB_DRIVER_UNLOAD, PASSIVE_LEVEL);
    img->drvobj.DriverUnload(&img->drvobj);
    ndisi_cb_leave(&f);

    /* Nothing of the driver may run once it is gone: its leftover timers and DPCs
       are dequeued (and reported below through its resource counts). */
    ndisi_os_image_quiesce(img);
    unsigned long leaks = image_reclaim(img, "unloaded");
    image_link(img, false);
    image_free(img);
    return leaks ? -EBUSY : 0;
}

/* ---- host API ----------------------------------------------------------------- */

struct load_req {
    struct ndisi_req r;
    char name[NDISI_NAME_MAX];
    ndis_driver_entry_fn *entry;
    ndis_driver_config cfg;
    char strings[5][256];
    void *dl;
};

static void load_op(struct ndis_host *h, struct ndisi_req *r)
{
    struct load_req *lr = (struct load_req *)r;
    r->result = ndisi_image_load(h, lr->name, lr->entry, &lr->cfg, lr->dl);
    lr->dl = NULL; /* owned by the image now, or closed with it */
}

static const char *keep(char *slot, const char *s)
{
    if (!s)
        return NULL;
    snprintf(slot, 256, "%s", s);
    return slot;
}

int ndisi_host_load(ndis_host *h, const char *name, ndis_driver_entry_fn *entry,
                    const ndis_driver_config *cfg, void *dl)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_load_driver", "h") || !name || !*name ||
        strlen(name) >= NDISI_NAME_MAX || !entry)
        return -EINVAL;
    struct ndisi_inf_cfg inf;
    if (!cfg && !ndisi_inf_lookup(h, name, &inf))
        cfg = &inf.cfg; /* the bind rules of its installed INF */
    struct load_req *lr = ndisi_req_new(sizeof(*lr), load_op);
    if (!lr)
        return -ENOMEM;
    snprintf(lr->name, sizeof(lr->name), "%s", name);
    lr->entry = entry;
    lr->dl = dl;
    if (cfg) {
        lr->cfg = *cfg;
        lr->cfg.upper_range = keep(lr->strings[0], cfg->upper_range);
        lr->cfg.lower_range = keep(lr->strings[1], cfg->lower_range);
        lr->cfg.filter_media_types = keep(lr->strings[2], cfg->filter_media_types);
        lr->cfg.filter_class = keep(lr->strings[3], cfg->filter_class);
        lr->cfg.service_name = keep(lr->strings[4], cfg->service_name);
    }
    char what[128];
    snprintf(what, sizeof(what), "load driver '%s'", name);
    return ndisi_req_run(h, &lr->r, what);
}

int ndis_host_load_driver(ndis_host *h, const char *name, ndis_driver_entry_fn *entry,
                          const ndis_driver_config *cfg)
{
    return ndisi_host_load(h, name, entry, cfg, NULL);
}

struct unload_req {
    struct ndisi_req r;
    char name[NDISI_NAME_MAX];
};

static void unload_op(struct ndis_host *h, struct ndisi_req *r)
{
    struct unload_req *ur = (struct unload_req *)r;
    pthread_mutex_lock(&h->lock);
    struct ndisi_image *img = ndisi_find_image(h, ur->name);
    pthread_mutex_unlock(&h->lock);
    if (!img) {
        ndisi_diag("unload driver '%s': no such driver", ur->name);
        r->result = -ENOENT;
        return;
    }
    r->result = ndisi_image_unload(img);
}

int ndis_host_unload_driver(ndis_host *h, const char *name)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_unload_driver", "h") || !name)
        return -EINVAL;
    struct unload_req *ur = ndisi_req_new(sizeof(*ur), unload_op);
    if (!ur)
        return -ENOMEM;
    snprintf(ur->name, sizeof(ur->name), "%s", name);
    char what[128];
    snprintf(what, sizeof(what), "unload driver '%s'", name);
    return ndisi_req_run(h, &ur->r, what);
}

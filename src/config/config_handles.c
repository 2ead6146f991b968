/*
 * config_handles.c - the life of a configuration handle (NDISI_OBJ_CONFIG):
 * created, published (charged to its driver's res[NDISI_RES_CONFIG] and listed
 * in the instance), the NDIS-owned memory returned through it, closed, and
 * reclaimed when a driver leaves it open:
 *
 *  - past MiniportHaltEx, for a handle opened with a MiniportAdapterHandle
 *    (or below one): rules/ndis-ndisopenconfigurationex.md, "configuration
 *    handles are closed when MiniportHaltEx exits". Reported and closed when
 *    NDIS frees the adapter (adapter.c calls ndisi_config_adapter_gone);
 *  - at the driver's unload (or failed DriverEntry): reported by image.c
 *    through the resource count, and closed here (ndisi_config_image_gone).
 *
 * Either way the handle is then stale: a later use by the driver is reported.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "core/verifier.h"

struct ndisi_config *ndisi_cfg_handle_new(struct ndis_registry *r, struct ndisi_image *img,
                                          const char *label)
{
    struct ndisi_config *c = ndisi_obj_alloc(NDISI_OBJ_CONFIG, sizeof(*c));
    if (!c)
        return NULL;
    c->reg = r;
    c->image = img;
    snprintf(c->label, sizeof(c->label), "%s", label);
    c->obj.label = c->label;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void ndisi_cfg_handle_publish(struct ndisi_config *c)
{
    atomic_fetch_add(&c->image->res[NDISI_RES_CONFIG], 1);
    pthread_mutex_lock(&c->reg->lock);
    InsertTailList(&c->reg->handles, &c->link);
    pthread_mutex_unlock(&c->reg->lock);
}

void ndisi_cfg_handle_free(struct ndisi_config *c)
{
    struct ndisi_cfg_block *b = c->blocks;
    while (b) {
        struct ndisi_cfg_block *next = b->next;
        free(b);
        b = next;
    }
    ndisi_cfg_chain_release(&c->chain);
    pthread_mutex_destroy(&c->lock);
    ndisi_obj_free(c);
}

void ndisi_cfg_handle_close(struct ndisi_config *c)
{
    pthread_mutex_lock(&c->reg->lock);
    RemoveEntryList(&c->link);
    pthread_mutex_unlock(&c->reg->lock);
    atomic_fetch_sub(&c->image->res[NDISI_RES_CONFIG], 1);
    ndisi_cfg_handle_free(c);
}

void *ndisi_cfg_alloc(struct ndisi_config *c, size_t size)
{
    struct ndisi_cfg_block *b = malloc(sizeof(*b) + (size ? size : 1));
    if (!b)
        return NULL;
    pthread_mutex_lock(&c->lock);
    b->next = c->blocks;
    c->blocks = b;
    pthread_mutex_unlock(&c->lock);
    return b->data;
}

/* Moves the published handles of `img` (or of adapter `scope`) to *out. */
static void take_handles(struct ndis_registry *r, const struct ndisi_image *img,
                         const void *scope, LIST_ENTRY *out)
{
    InitializeListHead(out);
    pthread_mutex_lock(&r->lock);
    for (LIST_ENTRY *e = r->handles.Flink, *next; e != &r->handles; e = next) {
        next = e->Flink;
        struct ndisi_config *c = CONTAINING_RECORD(e, struct ndisi_config, link);
        if ((img && c->image == img) || (scope && c->scope == scope)) {
            RemoveEntryList(&c->link);
            InsertTailList(out, &c->link);
        }
    }
    pthread_mutex_unlock(&r->lock);
}

void ndisi_config_image_gone(struct ndisi_image *img)
{
    struct ndis_registry *r = img->host->registry;
    LIST_ENTRY gone;
    if (!r)
        return;
    take_handles(r, img, NULL, &gone);
    while (!IsListEmpty(&gone)) {
        struct ndisi_config *c =
            CONTAINING_RECORD(RemoveHeadList(&gone), struct ndisi_config, link);
        atomic_fetch_sub(&img->res[NDISI_RES_CONFIG], 1);
        ndisi_cfg_handle_free(c);
    }
}

void ndisi_config_adapter_gone(struct ndisi_adapter *a)
{
    struct ndis_registry *r = a->host->registry;
    LIST_ENTRY gone;
    if (!r)
        return;
    take_handles(r, NULL, a, &gone);
    while (!IsListEmpty(&gone)) {
        struct ndisi_config *c =
            CONTAINING_RECORD(RemoveHeadList(&gone), struct ndisi_config, link);
        ndisi_report(NDISI_V_LEAK, "NdisOpenConfigurationEx",
                     "rules/ndis-ndisopenconfigurationex.md: configuration handles are closed "
                     "when MiniportHaltEx exits",
                     "driver '%s' left configuration handle %s of adapter '%s' open when "
                     "the adapter ended (MiniportHaltEx returned, or MiniportInitializeEx "
                     "failed); NDIS closes it",
                     c->image->name, c->label, a->name);
        atomic_fetch_sub(&c->image->res[NDISI_RES_CONFIG], 1);
        ndisi_cfg_handle_free(c);
    }
}

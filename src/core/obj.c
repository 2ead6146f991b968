/* obj.c - typed object allocation, handle checks and the stale-handle quarantine. */
#include "core/obj.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/verifier.h"

static const char *const objtype_names[NDISI_OBJ_TYPE_COUNT] = {
    [NDISI_OBJ_NONE] = "none",
    [NDISI_OBJ_HOST] = "NDIS instance",
    [NDISI_OBJ_IMAGE] = "driver image",
    [NDISI_OBJ_MINIPORT_DRIVER] = "miniport driver handle",
    [NDISI_OBJ_ADAPTER] = "miniport adapter handle",
    [NDISI_OBJ_PROTOCOL] = "protocol driver handle",
    [NDISI_OBJ_OPEN] = "binding handle",
    [NDISI_OBJ_FILTER_DRIVER] = "filter driver handle",
    [NDISI_OBJ_FILTER_MODULE] = "filter module handle",
    [NDISI_OBJ_NBL_POOL] = "NET_BUFFER_LIST pool handle",
    [NDISI_OBJ_NB_POOL] = "NET_BUFFER pool handle",
    [NDISI_OBJ_WORKITEM] = "I/O work item handle",
    [NDISI_OBJ_TIMER] = "timer object handle",
    [NDISI_OBJ_CONFIG] = "configuration handle",
    [NDISI_OBJ_RWLOCK] = "read-write lock",
    [NDISI_OBJ_LOOKASIDE] = "lookaside list",
};

const char *ndisi_objtype_name(enum ndisi_objtype type)
{
    return (unsigned)type < NDISI_OBJ_TYPE_COUNT ? objtype_names[type] : "unknown object";
}

/*
 * Quarantine: a ring of recently freed objects. Their memory stays mapped and
 * poisoned until QUARANTINE_SLOTS later frees, which is what lets a stale handle
 * be diagnosed. Older stale handles are use-after-free, which ASan builds catch.
 */
#define QUARANTINE_SLOTS 1024
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static void *q_ring[QUARANTINE_SLOTS]; /* guarded by q_lock */
static unsigned q_next;                /* guarded by q_lock */

void *ndisi_obj_alloc(enum ndisi_objtype type, size_t size)
{
    struct ndisi_obj *o = calloc(1, size);
    if (!o)
        return NULL;
    o->magic = NDISI_MAGIC_LIVE;
    o->type = (uint16_t)type;
    o->label = "";
    return o;
}

void ndisi_obj_free(void *obj)
{
    struct ndisi_obj *o = obj;
    if (!o)
        return;
    o->magic = NDISI_MAGIC_DEAD;
    o->label = "(freed)";
    pthread_mutex_lock(&q_lock);
    void *old = q_ring[q_next];
    q_ring[q_next] = o;
    q_next = (q_next + 1) % QUARANTINE_SLOTS;
    pthread_mutex_unlock(&q_lock);
    free(old);
}

void ndisi_obj_quarantine_flush(void)
{
    pthread_mutex_lock(&q_lock);
    for (unsigned i = 0; i < QUARANTINE_SLOTS; i++) {
        free(q_ring[i]);
        q_ring[i] = NULL;
    }
    q_next = 0;
    pthread_mutex_unlock(&q_lock);
}

static void *obj_check_mask(const void *handle, uint32_t mask, const char *ddi,
                            const char *param, const char *want)
{
    const struct ndisi_obj *o = handle;
    if (!o) {
        ndisi_report(NDISI_V_HANDLE, ddi, "handle parameters must be valid NDIS handles",
                     "%s is NULL (expected a %s)", param, want);
        return NULL;
    }
    if (o->magic == NDISI_MAGIC_LIVE && o->type < NDISI_OBJ_TYPE_COUNT &&
        (mask & NDISI_OBJ_MASK(o->type)))
        return (void *)o;
    if (o->magic == NDISI_MAGIC_DEAD) {
        ndisi_report(NDISI_V_HANDLE, ddi, "handle used after it was released",
                     "%s %p is a stale handle: a freed %s (expected a %s)", param, handle,
                     ndisi_objtype_name(o->type), want);
    } else if (o->magic == NDISI_MAGIC_LIVE) {
        ndisi_report(NDISI_V_HANDLE, ddi, "handle of the wrong kind",
                     "%s %p is a %s '%s', not a %s", param, handle,
                     ndisi_objtype_name(o->type), o->label, want);
    } else {
        ndisi_report(NDISI_V_HANDLE, ddi, "handle parameters must be valid NDIS handles",
                     "%s %p is not an NDIS handle (expected a %s)", param, handle, want);
    }
    return NULL;
}

void *ndisi_obj_check(const void *handle, enum ndisi_objtype type, const char *ddi,
                      const char *param)
{
    const struct ndisi_obj *o = handle;
    if (o && o->magic == NDISI_MAGIC_LIVE && o->type == type)
        return (void *)o;
    return obj_check_mask(handle, NDISI_OBJ_MASK(type), ddi, param, ndisi_objtype_name(type));
}

void *ndisi_obj_check_any(const void *handle, uint32_t type_mask, const char *ddi,
                          const char *param)
{
    return obj_check_mask(handle, type_mask, ddi, param, "NDIS driver or binding handle");
}

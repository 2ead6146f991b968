/*
 * obj.h - typed NDIS objects behind every NDIS_HANDLE.
 *
 * Each object starts with struct ndisi_obj: a magic word and a type tag, so that
 * a DDI can reject a NULL, wrong-type or stale handle by name instead of
 * crashing. Freed objects are poisoned and kept in a bounded quarantine before
 * their memory is released, so a recently freed (stale) handle still reads as
 * "freed <type> '<name>'" rather than as garbage.
 */
#ifndef NDISI_OBJ_H
#define NDISI_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDISI_MAGIC_LIVE 0x5349444eu /* "NDIS" */
#define NDISI_MAGIC_DEAD 0xdead0b1eu

enum ndisi_objtype {
    NDISI_OBJ_NONE = 0,
    NDISI_OBJ_HOST,
    NDISI_OBJ_IMAGE,           /* a loaded driver (DriverObject->DriverSection) */
    NDISI_OBJ_MINIPORT_DRIVER, /* NdisMiniportDriverHandle */
    NDISI_OBJ_ADAPTER,         /* MiniportAdapterHandle */
    NDISI_OBJ_PROTOCOL,        /* NdisProtocolHandle */
    NDISI_OBJ_OPEN,            /* NdisBindingHandle; also BindContext/UnbindContext */
    NDISI_OBJ_FILTER_DRIVER,   /* NdisFilterDriverHandle */
    NDISI_OBJ_FILTER_MODULE,   /* NdisFilterHandle */
    NDISI_OBJ_NBL_POOL,
    NDISI_OBJ_NB_POOL,
    NDISI_OBJ_WORKITEM,
    NDISI_OBJ_TIMER,
    NDISI_OBJ_CONFIG,
    NDISI_OBJ_RWLOCK,
    NDISI_OBJ_LOOKASIDE,       /* NDIS's side of an NPAGED_LOOKASIDE_LIST (lookaside.c) */
    NDISI_OBJ_TYPE_COUNT
};

struct ndisi_obj {
    uint32_t magic;    /* NDISI_MAGIC_LIVE while alive, NDISI_MAGIC_DEAD once freed */
    uint16_t type;     /* enum ndisi_objtype */
    uint16_t reserved;
    const char *label; /* points into the object (its name), for diagnostics */
};

/* Allocates a zeroed object of `size` bytes whose first member is struct ndisi_obj. */
void *ndisi_obj_alloc(enum ndisi_objtype type, size_t size);
/* Poisons the object and moves it to the quarantine. NULL is ignored. */
void ndisi_obj_free(void *obj);
/* Releases the quarantine (called when the last NDIS instance is destroyed). */
void ndisi_obj_quarantine_flush(void);

const char *ndisi_objtype_name(enum ndisi_objtype type);

/*
 * Returns the object if `handle` is a live object of `type`; otherwise reports
 * an NDISI_V_HANDLE violation naming `ddi` and `param` and returns NULL.
 */
void *ndisi_obj_check(const void *handle, enum ndisi_objtype type, const char *ddi,
                      const char *param);

/* Same, for DDIs that accept several object types (a mask of 1u << type). */
void *ndisi_obj_check_any(const void *handle, uint32_t type_mask, const char *ddi,
                          const char *param);

static inline bool ndisi_obj_is(const void *handle, enum ndisi_objtype type)
{
    const struct ndisi_obj *o = (const struct ndisi_obj *)handle;
    return o && o->magic == NDISI_MAGIC_LIVE && o->type == type;
}

#define NDISI_OBJ_MASK(t) (1u << (t))

#endif /* NDISI_OBJ_H */

/*
 * lookaside.c - nonpaged lookaside lists: NdisInitializeNPagedLookasideList,
 * NdisAllocateFromNPagedLookasideList, NdisFreeToNPagedLookasideList,
 * NdisDeleteNPagedLookasideList.
 *
 * A list is an NDISI_OBJ_LOOKASIDE object NDIS allocates: a stack of cached
 * entries, the spin lock guarding it, the Allocate/Free callbacks, size, tag,
 * the driver the list belongs to and a few counters. The caller's
 * NPAGED_LOOKASIDE_LIST storage, which ndis/ossvc.h leaves opaque, holds only a
 * magic word and a pointer to it. Keeping the list on NDIS's side is what lets
 * NDIS release the lists a driver never deletes when it unloads
 * (ndisi_lookaside_reclaim) without reading the driver's storage, which may
 * have been freed by then; a later use of such a list is reported as a stale
 * handle. Cached entries are kept up to a fixed depth (the page's
 * "system-determined" limit); beyond it freed entries go back to the
 * allocator.
 *
 * Without callbacks, entries are tagged blocks charged to the driver that
 * initialized the list (the current driver when the list was initialized), so
 * entries a driver never gives back show up by tag in its leak report; an
 * entry freed to the list twice, or a pointer that never came from it, is
 * reported instead of corrupting the list. The driver's Allocate and Free
 * callbacks, when given, run on the calling thread at the caller's IRQL.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/obj.h"
#include "core/verifier.h"
#include "os/memory.h"
#include "os/owned.h"
#include "os/spinlock.h"

#define LOOKASIDE_MAGIC 0x4c4f4f4bu /* "LOOK" */
#define LOOKASIDE_MAX_DEPTH 256u    /* the largest depth Windows lets a lookaside list grow to */

struct ndisi_lookaside {
    struct ndisi_obj obj;     /* NDISI_OBJ_LOOKASIDE */
    struct ndisi_owned owned; /* in g_lists from initialization to deletion, if image is set */
    KSPIN_LOCK lock;
    void *cache;              /* entries ready to hand out, linked through their first
                                 pointer; guarded by lock */
    USHORT depth;             /* entries in cache, guarded by lock */
    PALLOCATE_FUNCTION alloc; /* NULL: NDIS allocates */
    PFREE_FUNCTION free;
    struct ndisi_image *image;
    ULONG size;
    ULONG tag;
    ULONG total_allocates;    /* statistics, guarded by lock */
    ULONG allocate_misses;
    ULONG total_frees;
    ULONG free_misses;
    char label[NDISI_NAME_MAX + 48];
};

/* What the caller's NPAGED_LOOKASIDE_LIST holds. */
struct lookaside_head {
    uint32_t magic;               /* LOOKASIDE_MAGIC from initialization to deletion */
    struct ndisi_lookaside *list;
};

_Static_assert(sizeof(struct lookaside_head) <= sizeof(NPAGED_LOOKASIDE_LIST),
               "NPAGED_LOOKASIDE_LIST storage holds the head");

static NDISI_OWNED_LIST(g_lists, NDISI_RES_LOOKASIDE);

static struct lookaside_head *la_head(PNPAGED_LOOKASIDE_LIST l)
{
    return (struct lookaside_head *)(void *)l;
}

static struct ndisi_lookaside *la_check(PNPAGED_LOOKASIDE_LIST Lookaside, const char *ddi)
{
    if (!Lookaside) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Lookaside must point to an initialized list head",
                     "Lookaside is NULL");
        return NULL;
    }
    struct lookaside_head *h = la_head(Lookaside);
    if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != LOOKASIDE_MAGIC) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "The caller already initialized the list head with "
                     "NdisInitializeNPagedLookasideList",
                     "Lookaside %p is not an initialized lookaside list (never initialized, "
                     "or deleted)", (void *)Lookaside);
        return NULL;
    }
    /* A list NDIS released when its driver unloaded is a stale handle. */
    return ndisi_obj_check(h->list, NDISI_OBJ_LOOKASIDE, ddi, "Lookaside's list");
}

static struct ndisi_mem_expect la_expect(const struct ndisi_lookaside *la)
{
    struct ndisi_mem_expect e = {
        .kind = NDISI_MEM_LOOKASIDE,
        .check_tag = true,
        .tag = la->tag,
        .acct = la->image ? &la->image->mem : ndisi_memacct_unowned(),
    };
    return e;
}

static bool la_args_ok(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                       PFREE_FUNCTION Free, ULONG Flags, USHORT Depth, const char *ddi)
{
    if (!Lookaside) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Lookaside must point to caller storage",
                     "Lookaside is NULL");
        return false;
    }
    if ((uintptr_t)Lookaside % 16u != 0)
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "The structure must be 16-byte aligned on 64-bit platforms",
                     "Lookaside %p is not 16-byte aligned", (void *)Lookaside);
    if (Flags != 0 || Depth != 0)
        ndisi_report(NDISI_V_PARAMETER, ddi, "Flags and Depth must be zero (reserved)",
                     "Flags is 0x%lx and Depth is %u; both are reserved and ignored",
                     (unsigned long)Flags, (unsigned)Depth);
    if (Allocate && !Free) {
        /* "If the caller provides an Allocate function, it also must provide a
           Free function." The list is left uninitialized. */
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "If the caller provides an Allocate function, it also must provide a "
                     "Free function", "Allocate is set and Free is NULL");
        return false;
    }
    return true;
}

VOID NdisInitializeNPagedLookasideList(_Out_ PNPAGED_LOOKASIDE_LIST Lookaside,
                                       _In_opt_ PALLOCATE_FUNCTION Allocate,
                                       _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
                                       _In_ ULONG Size, _In_ ULONG Tag, _In_ USHORT Depth)
{
    const char *ddi = "NdisInitializeNPagedLookasideList";
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miscellaneous_Function");
    if (!la_args_ok(Lookaside, Allocate, Free, Flags, Depth, ddi))
        return;
    memset(Lookaside, 0, sizeof(*Lookaside));
    struct ndisi_lookaside *la = ndisi_obj_alloc(NDISI_OBJ_LOOKASIDE, sizeof(*la));
    if (!la) {
        /* The DDI cannot fail: the list stays uninitialized, so each use says so. */
        ndisi_diag("%s: out of memory; lookaside list %p is left uninitialized", ddi,
                   (void *)Lookaside);
        return;
    }
    KeInitializeSpinLock(&la->lock);
    la->alloc = Allocate;
    la->free = Free;
    la->image = ndisi_cb_current_image();
    /* Every entry must at least hold the cache link while it is cached. */
    la->size = Size < sizeof(SLIST_ENTRY) ? (ULONG)sizeof(SLIST_ENTRY) : Size;
    la->tag = Tag;
    char tag[5];
    ndisi_tag_str(Tag, tag);
    snprintf(la->label, sizeof(la->label), "lookaside list '%s' of driver '%s'", tag,
             la->image ? la->image->name : "?");
    la->obj.label = la->label;
    ndisi_owned_add(&g_lists, &la->owned, la->image);
    struct lookaside_head *h = la_head(Lookaside);
    h->list = la;
    __atomic_store_n(&h->magic, LOOKASIDE_MAGIC, __ATOMIC_RELEASE);
}

#define LINK(e) (*(void **)(e))

/* Pops a cached entry; NULL if the cache is empty. */
static void *la_pop(struct ndisi_lookaside *la, const char *ddi, bool count_allocate)
{
    KIRQL old;
    if (!ndisi_spin_lock_raise(&la->lock, &old, ddi))
        return NULL;
    void *e = la->cache;
    if (e) {
        la->cache = LINK(e);
        la->depth--;
    }
    if (count_allocate) {
        la->total_allocates++;
        if (!e)
            la->allocate_misses++;
    }
    ndisi_spin_unlock_lower(&la->lock, old, ddi);
    return e;
}

/* Caches an entry if there is room; returns false if the list is full. */
static bool la_push(struct ndisi_lookaside *la, void *entry, const char *ddi)
{
    KIRQL old;
    bool pushed = false;
    if (!ndisi_spin_lock_raise(&la->lock, &old, ddi))
        return false;
    la->total_frees++;
    if (la->depth < LOOKASIDE_MAX_DEPTH) {
        LINK(entry) = la->cache;
        la->cache = entry;
        la->depth++;
        pushed = true;
    } else {
        la->free_misses++;
    }
    ndisi_spin_unlock_lower(&la->lock, old, ddi);
    return pushed;
}

PVOID NdisAllocateFromNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside)
{
    const char *ddi = "NdisAllocateFromNPagedLookasideList";
    struct ndisi_lookaside *la = la_check(Lookaside, ddi);
    if (!la)
        return NULL;
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miscellaneous_Function");
    void *e = la_pop(la, ddi, true);
    if (e) {
        if (!la->alloc) {
            struct ndisi_mem_expect x = la_expect(la);
            ndisi_mem_park(e, ddi, &x, false);
        }
        return e;
    }
    /* "If the lookaside list is empty, NdisAllocateFromNPagedLookasideList
       either calls the Allocate function ... or it allocates an entry on
       behalf of the caller." */
    if (la->alloc)
        return la->alloc(NonPagedPool, la->size, la->tag);
    return ndisi_mem_alloc(la->image ? &la->image->mem : NULL,
                           la->image ? la->image->name : NULL, NDISI_MEM_LOOKASIDE, la->size,
                           la->tag);
}

VOID NdisFreeToNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside, _In_ PVOID Entry)
{
    const char *ddi = "NdisFreeToNPagedLookasideList";
    struct ndisi_lookaside *la = la_check(Lookaside, ddi);
    if (!la)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miscellaneous_Function");
    if (!Entry) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Entry must come from the lookaside list",
                     "Entry is NULL");
        return;
    }
    struct ndisi_mem_expect x = la_expect(la);
    /* An entry NDIS allocated must be one of this list's live entries and not
       already cached: otherwise the cache would be corrupted. */
    if (!la->alloc && !ndisi_mem_park(Entry, ddi, &x, true))
        return;
    if (la_push(la, Entry, ddi))
        return;
    if (la->alloc) {
        la->free(Entry);
    } else {
        ndisi_mem_park(Entry, ddi, &x, false);
        ndisi_mem_free(Entry, ddi, &x);
    }
}

/*
 * Empties the cache. The driver's Free routine gets its entries back when
 * `call_driver` is set; otherwise they are left to the driver's memory account
 * (reported and released by tag at unload, if it allocated them from NDIS).
 */
static void la_drain(struct ndisi_lookaside *la, const char *ddi, bool call_driver)
{
    struct ndisi_mem_expect x = la_expect(la);
    void *e;
    while ((e = la_pop(la, ddi, false)) != NULL) {
        if (la->alloc) {
            if (call_driver)
                la->free(e);
        } else {
            ndisi_mem_park(e, ddi, &x, false);
            ndisi_mem_free(e, ddi, &x);
        }
    }
}

/*
 * nf-ndis-ndisdeletenpagedlookasidelist.md: frees the remaining entries but
 * "does not free the list head".
 */
VOID NdisDeleteNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside)
{
    const char *ddi = "NdisDeleteNPagedLookasideList";
    struct ndisi_lookaside *la = la_check(Lookaside, ddi);
    if (!la)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miscellaneous_Function");
    la_drain(la, ddi, true);
    ndisi_owned_del(&g_lists, &la->owned);
    __atomic_store_n(&la_head(Lookaside)->magic, 0, __ATOMIC_RELEASE);
    ndisi_obj_free(la);
}

/*
 * A list the driver never deleted: its cached entries are freed as
 * NdisDeleteNPagedLookasideList would, except that a driver's Free routine is
 * not called (no code of an unloaded driver runs). The driver's storage is
 * not touched: it may be gone.
 */
static void la_reclaim_one(struct ndisi_owned *o, void *unused)
{
    struct ndisi_lookaside *la = CONTAINING_RECORD(o, struct ndisi_lookaside, owned);
    (void)unused;
    la_drain(la, "driver unload", false);
    ndisi_obj_free(la);
}

void ndisi_lookaside_reclaim(struct ndisi_image *img)
{
    ndisi_owned_reclaim(&g_lists, img, la_reclaim_one, NULL);
}

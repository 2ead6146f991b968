/*
 * lookaside.c - nonpaged lookaside lists: NdisInitializeNPagedLookasideList,
 * NdisAllocateFromNPagedLookasideList, NdisFreeToNPagedLookasideList,
 * NdisDeleteNPagedLookasideList.
 *
 * The list head is the caller's NPAGED_LOOKASIDE_LIST storage, which
 * ndis/ossvc.h leaves opaque; libndis keeps there an S-list of cached entries,
 * the spin lock guarding it, the Allocate/Free callbacks, size, tag, the
 * driver the list belongs to and a few counters. Cached entries are kept up to
 * a fixed depth (the page's "system-determined" limit); beyond it freed entries
 * go back to the allocator.
 *
 * Without callbacks, entries are tagged blocks charged to the driver that
 * initialized the list (the current driver when the list was initialized), so
 * entries a driver never gives back show up by tag in its leak report; an
 * entry freed to the list twice, or a pointer that never came from it, is
 * reported instead of corrupting the list. The driver's Allocate and Free
 * callbacks, when given, run on the calling thread at the caller's IRQL.
 */
#include <stdint.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "os/memory.h"
#include "os/spinlock.h"

#define LOOKASIDE_MAGIC 0x4c4f4f4bu /* "LOOK" */
#define LOOKASIDE_MAX_DEPTH 256u    /* the largest depth Windows lets a lookaside list grow to */

struct lookaside_impl {
    SLIST_HEADER cache;       /* entries ready to hand out, guarded by lock */
    KSPIN_LOCK lock;
    PALLOCATE_FUNCTION alloc; /* NULL: NDIS allocates */
    PFREE_FUNCTION free;
    struct ndisi_image *image;
    ULONG size;
    ULONG tag;
    uint32_t magic;
    USHORT depth;             /* entries in cache, guarded by lock */
    ULONG total_allocates;    /* statistics, guarded by lock */
    ULONG allocate_misses;
    ULONG total_frees;
    ULONG free_misses;
};

_Static_assert(sizeof(struct lookaside_impl) <= sizeof(NPAGED_LOOKASIDE_LIST),
               "NPAGED_LOOKASIDE_LIST storage holds the list");
_Static_assert(_Alignof(NPAGED_LOOKASIDE_LIST) >= _Alignof(struct lookaside_impl),
               "NPAGED_LOOKASIDE_LIST storage is aligned for the list");

static struct lookaside_impl *la_impl(PNPAGED_LOOKASIDE_LIST l)
{
    return (struct lookaside_impl *)(void *)l;
}

static struct lookaside_impl *la_check(PNPAGED_LOOKASIDE_LIST Lookaside, const char *ddi)
{
    if (!Lookaside) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Lookaside must point to an initialized list head",
                     "Lookaside is NULL");
        return NULL;
    }
    struct lookaside_impl *la = la_impl(Lookaside);
    if (__atomic_load_n(&la->magic, __ATOMIC_RELAXED) != LOOKASIDE_MAGIC) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "The caller already initialized the list head with "
                     "NdisInitializeNPagedLookasideList",
                     "Lookaside %p is not an initialized lookaside list (never initialized, "
                     "or deleted)", (void *)Lookaside);
        return NULL;
    }
    return la;
}

static struct ndisi_mem_expect la_expect(const struct lookaside_impl *la)
{
    struct ndisi_mem_expect e = {
        .kind = NDISI_MEM_LOOKASIDE,
        .check_tag = true,
        .tag = la->tag,
        .acct = la->image ? &la->image->mem : ndisi_memacct_unowned(),
    };
    return e;
}

VOID NdisInitializeNPagedLookasideList(_Out_ PNPAGED_LOOKASIDE_LIST Lookaside,
                                       _In_opt_ PALLOCATE_FUNCTION Allocate,
                                       _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
                                       _In_ ULONG Size, _In_ ULONG Tag, _In_ USHORT Depth)
{
    const char *ddi = "NdisInitializeNPagedLookasideList";
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miscellaneous_Function");
    if (!Lookaside) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Lookaside must point to caller storage",
                     "Lookaside is NULL");
        return;
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
        return;
    }

    struct lookaside_impl *la = la_impl(Lookaside);
    memset(Lookaside, 0, sizeof(*Lookaside));
    KeInitializeSpinLock(&la->lock);
    la->alloc = Allocate;
    la->free = Free;
    la->image = ndisi_cb_current_image();
    /* Every entry must at least hold the S-list link while it is cached. */
    la->size = Size < sizeof(SLIST_ENTRY) ? (ULONG)sizeof(SLIST_ENTRY) : Size;
    la->tag = Tag;
    if (la->image)
        atomic_fetch_add(&la->image->res[NDISI_RES_LOOKASIDE], 1);
    __atomic_store_n(&la->magic, LOOKASIDE_MAGIC, __ATOMIC_RELEASE);
}

/* Pops a cached entry; NULL if the cache is empty. */
static void *la_pop(struct lookaside_impl *la, const char *ddi, bool count_allocate)
{
    KIRQL old;
    PSLIST_ENTRY e = NULL;
    if (!ndisi_spin_lock_raise(&la->lock, &old, ddi))
        return NULL;
#if defined(_WIN64)
    e = (PSLIST_ENTRY)(uintptr_t)la->cache.Region;
    if (e)
        la->cache.Region = (ULONGLONG)(uintptr_t)e->Next;
#else
    e = la->cache.Next.Next;
    if (e)
        la->cache.Next.Next = e->Next;
#endif
    if (e)
        la->depth--;
    if (count_allocate) {
        la->total_allocates++;
        if (!e)
            la->allocate_misses++;
    }
    ndisi_spin_unlock_lower(&la->lock, old, ddi);
    return e;
}

/* Caches an entry if there is room; returns false if the list is full. */
static bool la_push(struct lookaside_impl *la, void *entry, const char *ddi)
{
    KIRQL old;
    bool pushed = false;
    if (!ndisi_spin_lock_raise(&la->lock, &old, ddi))
        return false;
    la->total_frees++;
    if (la->depth < LOOKASIDE_MAX_DEPTH) {
        PSLIST_ENTRY e = entry;
#if defined(_WIN64)
        e->Next = (PSLIST_ENTRY)(uintptr_t)la->cache.Region;
        la->cache.Region = (ULONGLONG)(uintptr_t)e;
#else
        e->Next = la->cache.Next.Next;
        la->cache.Next.Next = e;
#endif
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
    struct lookaside_impl *la = la_check(Lookaside, ddi);
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
    struct lookaside_impl *la = la_check(Lookaside, ddi);
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
       already cached: otherwise the S-list would be corrupted. */
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
 * nf-ndis-ndisdeletenpagedlookasidelist.md: frees the remaining entries but
 * "does not free the list head".
 */
VOID NdisDeleteNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside)
{
    const char *ddi = "NdisDeleteNPagedLookasideList";
    struct lookaside_impl *la = la_check(Lookaside, ddi);
    if (!la)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miscellaneous_Function");
    struct ndisi_mem_expect x = la_expect(la);
    void *e;
    while ((e = la_pop(la, ddi, false)) != NULL) {
        if (la->alloc) {
            la->free(e);
        } else {
            ndisi_mem_park(e, ddi, &x, false);
            ndisi_mem_free(e, ddi, &x);
        }
    }
    if (la->image)
        atomic_fetch_sub(&la->image->res[NDISI_RES_LOOKASIDE], 1);
    __atomic_store_n(&la->magic, 0, __ATOMIC_RELEASE);
}

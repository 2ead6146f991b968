/*
 * interlocked.c - the NdisInterlocked* routines that serialize on a caller's
 * NDIS_SPIN_LOCK (NdisInterlockedAddUlong, NdisInterlocked{Insert,Remove}*List)
 * and the sequenced singly linked lists (S-lists).
 *
 * The pages say each routine "raises IRQL to DISPATCH_LEVEL when it acquires
 * the given spin lock and restores the original IRQL before it returns", and
 * that callers may be at any IRQL. The caller's OldIrql field is left alone:
 * the routine keeps its own. A caller that already holds the lock would
 * deadlock; that is reported and the operation is not done.
 *
 * S-list header layout (64-bit, wdm.h's HeaderX64 view): the first quadword
 * holds Depth (bits 0-15) and Sequence (bits 16-63), the second the address
 * of the first entry (entries are 16-byte aligned, so its low four bits,
 * "Reserved", are zero). 32-bit builds use Next/Depth/CpuId. Push and pop run
 * under the caller's spin lock, as the pages require ("NdisInterlocked
 * PushEntrySList must acquire this lock itself"); the depth is read with an
 * atomic load so NdisQueryDepthSList needs no lock.
 */
#include <stdint.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/verifier.h"
#include "os/spinlock.h"

static bool lock_ok(PNDIS_SPIN_LOCK SpinLock, const char *ddi)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "SpinLock must point to an initialized spin lock",
                     "SpinLock is NULL");
        return false;
    }
    return true;
}

VOID NdisInterlockedAddUlong(_Inout_ PULONG Addend, _In_ ULONG Increment,
                             _Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    KIRQL old;
    if (!lock_ok(SpinLock, "NdisInterlockedAddUlong"))
        return;
    if (!Addend) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInterlockedAddUlong", "Addend must not be NULL",
                     "Addend is NULL");
        return;
    }
    if (!ndisi_spin_lock_raise(&SpinLock->SpinLock, &old, "NdisInterlockedAddUlong"))
        return;
    *Addend += Increment;
    ndisi_spin_unlock_lower(&SpinLock->SpinLock, old, "NdisInterlockedAddUlong");
}

/* Returns the previous first entry, or NULL if the list was empty (as the
   ExInterlocked list routines these wrap do). */
PLIST_ENTRY NdisInterlockedInsertHeadList(_Inout_ PLIST_ENTRY ListHead,
                                          _Inout_ PLIST_ENTRY ListEntry,
                                          _Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    KIRQL old;
    if (!lock_ok(SpinLock, "NdisInterlockedInsertHeadList"))
        return NULL;
    if (!ListHead || !ListEntry) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInterlockedInsertHeadList",
                     "ListHead and ListEntry must not be NULL", "%s is NULL",
                     ListHead ? "ListEntry" : "ListHead");
        return NULL;
    }
    if (!ndisi_spin_lock_raise(&SpinLock->SpinLock, &old, "NdisInterlockedInsertHeadList"))
        return NULL;
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    ndisi_spin_unlock_lower(&SpinLock->SpinLock, old, "NdisInterlockedInsertHeadList");
    return first;
}

/* Returns the previous last entry, or NULL if the list was empty. */
PLIST_ENTRY NdisInterlockedInsertTailList(_Inout_ PLIST_ENTRY ListHead,
                                          _Inout_ PLIST_ENTRY ListEntry,
                                          _Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    KIRQL old;
    if (!lock_ok(SpinLock, "NdisInterlockedInsertTailList"))
        return NULL;
    if (!ListHead || !ListEntry) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInterlockedInsertTailList",
                     "ListHead and ListEntry must not be NULL", "%s is NULL",
                     ListHead ? "ListEntry" : "ListHead");
        return NULL;
    }
    if (!ndisi_spin_lock_raise(&SpinLock->SpinLock, &old, "NdisInterlockedInsertTailList"))
        return NULL;
    PLIST_ENTRY last = IsListEmpty(ListHead) ? NULL : ListHead->Blink;
    InsertTailList(ListHead, ListEntry);
    ndisi_spin_unlock_lower(&SpinLock->SpinLock, old, "NdisInterlockedInsertTailList");
    return last;
}

/* nf-ndis-ndisinterlockedremoveheadlist.md: "If the list was empty, the
   routine returns NULL." */
PLIST_ENTRY NdisInterlockedRemoveHeadList(_Inout_ PLIST_ENTRY ListHead,
                                          _Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    KIRQL old;
    if (!lock_ok(SpinLock, "NdisInterlockedRemoveHeadList"))
        return NULL;
    if (!ListHead) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInterlockedRemoveHeadList",
                     "ListHead must not be NULL", "ListHead is NULL");
        return NULL;
    }
    if (!ndisi_spin_lock_raise(&SpinLock->SpinLock, &old, "NdisInterlockedRemoveHeadList"))
        return NULL;
    PLIST_ENTRY e = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    ndisi_spin_unlock_lower(&SpinLock->SpinLock, old, "NdisInterlockedRemoveHeadList");
    return e;
}

/* ---- S-lists -------------------------------------------------------------------- */

#if defined(_WIN64)
#define SL_DEPTH_MASK 0xffffull
#define SL_SEQ_ONE 0x10000ull

static PSLIST_ENTRY sl_first(const SLIST_HEADER *h)
{
    return (PSLIST_ENTRY)(uintptr_t)h->Region;
}

static USHORT sl_depth(const SLIST_HEADER *h)
{
    return (USHORT)(__atomic_load_n(&h->Alignment, __ATOMIC_RELAXED) & SL_DEPTH_MASK);
}

/* Under the list's lock: sets first entry and depth, bumps the sequence. */
static void sl_set(PSLIST_HEADER h, PSLIST_ENTRY first, USHORT depth)
{
    ULONGLONG q = __atomic_load_n(&h->Alignment, __ATOMIC_RELAXED);
    ULONGLONG seq = (q & ~SL_DEPTH_MASK) + SL_SEQ_ONE;
    h->Region = (ULONGLONG)(uintptr_t)first;
    __atomic_store_n(&h->Alignment, seq | depth, __ATOMIC_RELAXED);
}
#else
static PSLIST_ENTRY sl_first(const SLIST_HEADER *h)
{
    return h->Next.Next;
}

static USHORT sl_depth(const SLIST_HEADER *h)
{
    return __atomic_load_n(&h->Depth, __ATOMIC_RELAXED);
}

static void sl_set(PSLIST_HEADER h, PSLIST_ENTRY first, USHORT depth)
{
    h->Next.Next = first;
    h->CpuId++; /* the sequence of 32-bit S-lists */
    __atomic_store_n(&h->Depth, depth, __ATOMIC_RELAXED);
}
#endif

/* nf-ndis-ndisinitializeslisthead.md: "zero-initializes the opaque list head". */
VOID NdisInitializeSListHead(_Out_ PSLIST_HEADER SListHead)
{
    if (!SListHead) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInitializeSListHead", "SListHead must not be NULL",
                     "SListHead is NULL");
        return;
    }
    if ((uintptr_t)SListHead % _Alignof(SLIST_HEADER) != 0)
        ndisi_report(NDISI_V_PARAMETER, "NdisInitializeSListHead",
                     "The structure must be 16-byte aligned on 64-bit platforms",
                     "SListHead %p is not aligned on %zu bytes", (void *)SListHead,
                     (size_t)_Alignof(SLIST_HEADER));
    memset(SListHead, 0, sizeof(*SListHead));
}

/* Returns the previous first entry (NULL if the list was empty). */
PSLIST_ENTRY NdisInterlockedPushEntrySList(_Inout_ PSLIST_HEADER SListHead,
                                           _Inout_ PSLIST_ENTRY SListEntry,
                                           _Inout_ PNDIS_SPIN_LOCK Lock)
{
    KIRQL old;
    if (!lock_ok(Lock, "NdisInterlockedPushEntrySList"))
        return NULL;
    if (!SListHead || !SListEntry) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInterlockedPushEntrySList",
                     "SListHead and SListEntry must not be NULL", "%s is NULL",
                     SListHead ? "SListEntry" : "SListHead");
        return NULL;
    }
    /* "A driver must not be holding the given Lock when it calls
       NdisInterlockedPushEntrySList." */
    if (!ndisi_spin_lock_raise(&Lock->SpinLock, &old, "NdisInterlockedPushEntrySList"))
        return NULL;
    PSLIST_ENTRY first = sl_first(SListHead);
    USHORT depth = sl_depth(SListHead);
    SListEntry->Next = first;
    sl_set(SListHead, SListEntry, (USHORT)(depth + 1));
    ndisi_spin_unlock_lower(&Lock->SpinLock, old, "NdisInterlockedPushEntrySList");
    return first;
}

/* Returns the removed entry, or NULL if the list was empty. */
PSLIST_ENTRY NdisInterlockedPopEntrySList(_Inout_ PSLIST_HEADER SListHead,
                                          _Inout_ PNDIS_SPIN_LOCK Lock)
{
    KIRQL old;
    if (!lock_ok(Lock, "NdisInterlockedPopEntrySList"))
        return NULL;
    if (!SListHead) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInterlockedPopEntrySList",
                     "SListHead must not be NULL", "SListHead is NULL");
        return NULL;
    }
    if (!ndisi_spin_lock_raise(&Lock->SpinLock, &old, "NdisInterlockedPopEntrySList"))
        return NULL;
    PSLIST_ENTRY first = sl_first(SListHead);
    if (first)
        sl_set(SListHead, first->Next, (USHORT)(sl_depth(SListHead) - 1));
    ndisi_spin_unlock_lower(&Lock->SpinLock, old, "NdisInterlockedPopEntrySList");
    return first;
}

USHORT NdisQueryDepthSList(_In_ PSLIST_HEADER SListHead)
{
    if (!SListHead) {
        ndisi_report(NDISI_V_PARAMETER, "NdisQueryDepthSList", "SListHead must not be NULL",
                     "SListHead is NULL");
        return 0;
    }
    ndisi_irql_le(DISPATCH_LEVEL, "NdisQueryDepthSList", "Irql_Miscellaneous_Function");
    return sl_depth(SListHead);
}

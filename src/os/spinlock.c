/*
 * spinlock.c - KSPIN_LOCK and NDIS_SPIN_LOCK.
 *
 * The lock word is 0 when free and the owner's identity (ndisi_self(), bit 0
 * set for a DPC-level acquisition) when held. Acquisition is a compare-and-swap
 * with acquire ordering, release a store with release ordering, so
 * ThreadSanitizer sees the lock as the synchronization it is. A waiter spins
 * with the processor's pause hint, then yields the processor: unlike a Windows
 * processor at DISPATCH_LEVEL, a user-space thread holding the lock can be
 * preempted, and spinning against it would only burn its time slice.
 *
 * The IRQL rules are those of the pages: KeAcquireSpinLock and
 * NdisAcquireSpinLock raise to DISPATCH_LEVEL and give back the previous IRQL,
 * the DPC-level forms require DISPATCH_LEVEL and leave it unchanged
 * (nf-wdm-keacquirespinlock.md, nf-ndis-ndisdpracquirespinlock.md).
 */
#include <sched.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/verifier.h"
#include "core/wait.h"
#include "os/spinlock.h"

__thread uint64_t ndisi_self_anchor;

#define OWNER_AT_DPC ((uintptr_t)1)
#define OWNER_MASK (~(uintptr_t)7)

#define SPIN_BEFORE_YIELD 128u

/* Contended path: spin, then yield, and say so if it lasts (a lock never released). */
static void spin_contended(PKSPIN_LOCK l, uintptr_t want, const char *ddi)
{
    unsigned n = 0;
    unsigned long long start = 0, next_diag = 0;

    for (;;) {
        uintptr_t cur = __atomic_load_n(l, __ATOMIC_RELAXED);
        if (cur == 0) {
            uintptr_t expected = 0;
            if (__atomic_compare_exchange_n(l, &expected, want, false, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED))
                return;
            continue;
        }
        if (++n < SPIN_BEFORE_YIELD) {
            ndisi_cpu_relax();
            continue;
        }
        sched_yield();
        if ((n & 1023u) == 0) {
            unsigned long long now = ndisi_now_ms();
            if (!start) {
                start = now;
                next_diag = now + NDISI_WAIT_DIAG_MS;
            } else if (now >= next_diag) {
                ndisi_diag("%s: thread %p has spun for %llu ms on spin lock %p, held by "
                           "another thread that has not released it",
                           ddi, (void *)ndisi_self(), now - start, (void *)l);
                next_diag = now + NDISI_WAIT_DIAG_MS;
            }
        }
    }
}

bool ndisi_spin_acquire(PKSPIN_LOCK l, bool at_dpc, const char *ddi, const char *rule)
{
    uintptr_t self = ndisi_self();
    uintptr_t want = self | (at_dpc ? OWNER_AT_DPC : 0);
    uintptr_t expected = 0;

    if (__builtin_expect(__atomic_compare_exchange_n(l, &expected, want, false,
                                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED),
                         1))
        return true;
    if ((expected & OWNER_MASK) == self) {
        /* nf-wdm-keacquirespinlock.md: "Attempting to acquire a spin lock
           recursively is guaranteed to cause a deadlock." */
        ndisi_report(NDISI_V_STATE, ddi, rule,
                     "spin lock %p is already held by the calling thread: acquiring it "
                     "again would deadlock", (void *)l);
        return false;
    }
    spin_contended(l, want, ddi);
    return true;
}

bool ndisi_spin_release(PKSPIN_LOCK l, const char *ddi, bool *was_at_dpc)
{
    uintptr_t cur = __atomic_load_n(l, __ATOMIC_RELAXED);
    if (__builtin_expect((cur & OWNER_MASK) != ndisi_self(), 0)) {
        if (cur == 0)
            ndisi_report(NDISI_V_STATE, ddi, "SpinlockRelease",
                         "spin lock %p is not held: a driver must not release a spin lock "
                         "without first acquiring it", (void *)l);
        else
            ndisi_report(NDISI_V_STATE, ddi, "SpinlockRelease",
                         "spin lock %p is held by another thread, not by the caller",
                         (void *)l);
        return false;
    }
    if (was_at_dpc)
        *was_at_dpc = (cur & OWNER_AT_DPC) != 0;
    __atomic_store_n(l, (KSPIN_LOCK)0, __ATOMIC_RELEASE);
    return true;
}

bool ndisi_spin_lock_raise(PKSPIN_LOCK l, KIRQL *old, const char *ddi)
{
    KIRQL cur = ndisi_cur_irql;
    if (!ndisi_spin_acquire(l, false, ddi, "SpinLock"))
        return false;
    *old = cur;
    if (cur < DISPATCH_LEVEL)
        ndisi_cur_irql = DISPATCH_LEVEL;
    return true;
}

void ndisi_spin_unlock_lower(PKSPIN_LOCK l, KIRQL old, const char *ddi)
{
    if (ndisi_spin_release(l, ddi, NULL))
        ndisi_cur_irql = old;
}

/* ---- KSPIN_LOCK (wdm.h) ---------------------------------------------------- */

VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "KeInitializeSpinLock", "SpinLock must not be NULL",
                     "SpinLock is NULL");
        return;
    }
    __atomic_store_n(SpinLock, (KSPIN_LOCK)0, __ATOMIC_RELAXED);
}

VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql)
{
    if (!SpinLock || !OldIrql) {
        ndisi_report(NDISI_V_PARAMETER, "KeAcquireSpinLock", "SpinLock",
                     "%s is NULL", SpinLock ? "OldIrql" : "SpinLock");
        return;
    }
    ndisi_irql_le(DISPATCH_LEVEL, "KeAcquireSpinLock", "IrqlKeDispatchLte");
    KIRQL cur = ndisi_cur_irql;
    if (!ndisi_spin_acquire(SpinLock, false, "KeAcquireSpinLock", "SpinLock")) {
        *OldIrql = cur;
        return;
    }
    /* "first resets the IRQL to DISPATCH_LEVEL and then acquires the lock. The
       previous IRQL is written to OldIrql after the lock is acquired." */
    if (cur < DISPATCH_LEVEL)
        ndisi_cur_irql = DISPATCH_LEVEL;
    *OldIrql = cur;
}

VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL NewIrql)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "KeReleaseSpinLock", "SpinlockRelease",
                     "SpinLock is NULL");
        return;
    }
    ndisi_irql_eq(DISPATCH_LEVEL, "KeReleaseSpinLock", "IrqlKeReleaseSpinLock");
    ndisi_spin_release(SpinLock, "KeReleaseSpinLock", NULL);
    /* "On return from KeReleaseSpinLock, IRQL is restored to the NewIrql value."
       A NewIrql above the current IRQL cannot come from KeAcquireSpinLock. */
    if (NewIrql > ndisi_cur_irql)
        ndisi_report(NDISI_V_IRQL, "KeReleaseSpinLock", "IrqlKeReleaseSpinLock",
                     "NewIrql %u is above the current IRQL %u: it is not the OldIrql "
                     "KeAcquireSpinLock returned", (unsigned)NewIrql,
                     (unsigned)ndisi_cur_irql);
    else
        ndisi_cur_irql = NewIrql;
}

VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "KeAcquireSpinLockAtDpcLevel", "SpinLockSafe",
                     "SpinLock is NULL");
        return;
    }
    /* "KeAcquireSpinLockAtDpcLevel assumes the caller is already running at
       IRQL >= DISPATCH_LEVEL" */
    if (ndisi_cur_irql < DISPATCH_LEVEL)
        ndisi_irql_fail("KeAcquireSpinLockAtDpcLevel", "IrqlDispatch", DISPATCH_LEVEL, true);
    ndisi_spin_acquire(SpinLock, true, "KeAcquireSpinLockAtDpcLevel", "SpinLockSafe");
}

VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock)
{
    bool at_dpc = true;
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "KeReleaseSpinLockFromDpcLevel", "SpinlockRelease",
                     "SpinLock is NULL");
        return;
    }
    if (ndisi_cur_irql < DISPATCH_LEVEL)
        ndisi_irql_fail("KeReleaseSpinLockFromDpcLevel", "IrqlDispatch", DISPATCH_LEVEL, true);
    if (ndisi_spin_release(SpinLock, "KeReleaseSpinLockFromDpcLevel", &at_dpc) && !at_dpc)
        ndisi_report(NDISI_V_STATE, "KeReleaseSpinLockFromDpcLevel", "SpinLockSafe",
                     "spin lock %p was acquired with KeAcquireSpinLock: \"It is an error to "
                     "call KeReleaseSpinLockFromDpcLevel if the specified spin lock was "
                     "acquired by calling KeAcquireSpinLock\" (the caller's IRQL is not "
                     "restored)", (void *)SpinLock);
}

/* ---- NDIS_SPIN_LOCK (ndis/ossvc.h) ------------------------------------------ */

VOID NdisAllocateSpinLock(_Out_ PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAllocateSpinLock", "SpinLock must not be NULL",
                     "SpinLock is NULL");
        return;
    }
    __atomic_store_n(&SpinLock->SpinLock, (KSPIN_LOCK)0, __ATOMIC_RELAXED);
    SpinLock->OldIrql = PASSIVE_LEVEL;
}

/*
 * nf-ndis-ndisfreespinlock.md: NdisFreeSpinLock "clears the memory at SpinLock
 * so it no longer represents a spin lock". Freeing a lock that is still held
 * leaves its holder without the lock it thinks it has: reported, lock kept.
 */
VOID NdisFreeSpinLock(_In_ PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "NdisFreeSpinLock", "SpinLock must not be NULL",
                     "SpinLock is NULL");
        return;
    }
    if (__atomic_load_n(&SpinLock->SpinLock, __ATOMIC_RELAXED) != 0) {
        ndisi_report(NDISI_V_STATE, "NdisFreeSpinLock", "SpinLockBalanced",
                     "spin lock %p is still held%s: release it before freeing it",
                     (void *)SpinLock,
                     ndisi_spin_held_by_me(&SpinLock->SpinLock) ? " by the caller" : "");
        return;
    }
    SpinLock->OldIrql = PASSIVE_LEVEL;
}

VOID NdisAcquireSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAcquireSpinLock", "SpinLock", "SpinLock is NULL");
        return;
    }
    ndisi_irql_le(DISPATCH_LEVEL, "NdisAcquireSpinLock", "Irql_Synch_Function");
    KIRQL cur = ndisi_cur_irql;
    if (!ndisi_spin_acquire(&SpinLock->SpinLock, false, "NdisAcquireSpinLock", "SpinLock"))
        return;
    /* nf-ndis-ndisallocatespinlock.md: "NdisAcquireSpinLock raises the IRQL to
       DISPATCH_LEVEL and stores the old IRQL in the spin lock." */
    if (cur < DISPATCH_LEVEL)
        ndisi_cur_irql = DISPATCH_LEVEL;
    SpinLock->OldIrql = cur;
}

VOID NdisReleaseSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    bool at_dpc = false;
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "NdisReleaseSpinLock", "SpinlockRelease",
                     "SpinLock is NULL");
        return;
    }
    ndisi_irql_eq(DISPATCH_LEVEL, "NdisReleaseSpinLock", "Irql_Synch_Function");
    KIRQL old = SpinLock->OldIrql; /* read while the lock is still held */
    if (!ndisi_spin_release(&SpinLock->SpinLock, "NdisReleaseSpinLock", &at_dpc))
        return;
    if (at_dpc) {
        /* OldIrql belongs to some earlier NdisAcquireSpinLock: keep the IRQL. */
        ndisi_report(NDISI_V_STATE, "NdisReleaseSpinLock", "SpinLockDprRelease",
                     "spin lock %p was acquired with NdisDprAcquireSpinLock: \"A spin lock "
                     "acquired with NdisDprAcquireSpinLock must be released with "
                     "NdisDprReleaseSpinLock\"", (void *)SpinLock);
        return;
    }
    ndisi_cur_irql = old;
}

VOID NdisDprAcquireSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "NdisDprAcquireSpinLock", "SpinLockDpr",
                     "SpinLock is NULL");
        return;
    }
    /* "an optimized version of NdisAcquireSpinLock that a miniport driver can
       call only while running at IRQL = DISPATCH_LEVEL" */
    ndisi_irql_eq(DISPATCH_LEVEL, "NdisDprAcquireSpinLock", "Irql_Synch_Function");
    ndisi_spin_acquire(&SpinLock->SpinLock, true, "NdisDprAcquireSpinLock", "SpinLockDpr");
}

VOID NdisDprReleaseSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock)
{
    bool at_dpc = true;
    if (!SpinLock) {
        ndisi_report(NDISI_V_PARAMETER, "NdisDprReleaseSpinLock", "SpinlockRelease",
                     "SpinLock is NULL");
        return;
    }
    ndisi_irql_eq(DISPATCH_LEVEL, "NdisDprReleaseSpinLock", "Irql_Synch_Function");
    KIRQL old = SpinLock->OldIrql;
    if (!ndisi_spin_release(&SpinLock->SpinLock, "NdisDprReleaseSpinLock", &at_dpc))
        return;
    if (!at_dpc) {
        /* Restore what NdisReleaseSpinLock would have restored, so that the
           caller's IRQL stays consistent after the report. */
        ndisi_report(NDISI_V_STATE, "NdisDprReleaseSpinLock", "SpinLockDprRelease",
                     "spin lock %p was acquired with NdisAcquireSpinLock: \"A spin lock "
                     "acquired with NdisAcquireSpinLock must be released with "
                     "NdisReleaseSpinLock\"", (void *)SpinLock);
        ndisi_cur_irql = old;
    }
}

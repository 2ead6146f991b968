/*
 * spinlock.h - the KSPIN_LOCK implementation shared by the spin-lock DDIs,
 * the NdisInterlocked* helpers and lookaside lists.
 *
 * A KSPIN_LOCK (a ULONG_PTR) holds 0 when free and the owning thread's identity
 * when held, so that a recursive acquisition (a certain deadlock on Windows) and
 * a release by a thread that does not hold the lock are reported instead of
 * hanging or corrupting the lock.
 */
#ifndef NDISI_OS_SPINLOCK_H
#define NDISI_OS_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <wdm.h>

/*
 * The calling thread's identity: the address of a thread-local word, unique
 * among live threads and 8-byte aligned, so the low bits are free for flags.
 */
extern __thread uint64_t ndisi_self_anchor;
static inline uintptr_t ndisi_self(void)
{
    return (uintptr_t)&ndisi_self_anchor;
}

/* The processor's spin-wait hint. */
static inline void ndisi_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* True if the calling thread holds *l. */
static inline bool ndisi_spin_held_by_me(const KSPIN_LOCK *l)
{
    return (__atomic_load_n(l, __ATOMIC_RELAXED) & ~(uintptr_t)7) == ndisi_self();
}

/*
 * Acquires *l without any IRQL check or change. `at_dpc` records that the lock
 * was taken by a "DPC level" acquire (KeAcquireSpinLockAtDpcLevel,
 * NdisDprAcquireSpinLock). Returns false, after reporting a violation of `rule`
 * on behalf of `ddi`, if the calling thread already holds the lock.
 */
bool ndisi_spin_acquire(PKSPIN_LOCK l, bool at_dpc, const char *ddi, const char *rule);

/*
 * Releases *l. Returns false, after reporting, if the calling thread does not
 * hold it. *was_at_dpc (optional) receives the `at_dpc` of the acquisition.
 */
bool ndisi_spin_release(PKSPIN_LOCK l, const char *ddi, bool *was_at_dpc);

/*
 * For NDIS's own use of a caller's NDIS spin lock (NdisInterlocked*List,
 * S-lists, lookaside lists) at any IRQL <= DISPATCH_LEVEL: raise to
 * DISPATCH_LEVEL and take the lock. Returns false (IRQL unchanged) if the
 * caller already holds the lock, which the pages forbid.
 */
bool ndisi_spin_lock_raise(PKSPIN_LOCK l, KIRQL *old, const char *ddi);
void ndisi_spin_unlock_lower(PKSPIN_LOCK l, KIRQL old, const char *ddi);

#endif /* NDISI_OS_SPINLOCK_H */

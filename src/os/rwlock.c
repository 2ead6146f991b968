/*
 * rwlock.c - NDIS_RW_LOCK_EX: NdisAllocateRWLock, NdisFreeRWLock,
 * NdisAcquireRWLockRead, NdisAcquireRWLockWrite, NdisReleaseRWLock.
 *
 * The lock word counts readers and has a writer bit. Readers get in whenever
 * no writer holds the lock - "An NDIS_RW_LOCK_EX is not fair. That is, a
 * processor waiting to acquire the lock for exclusive access may be starved by
 * processors that hold the lock for read access" (nf-ndis-ndisallocaterwlock.md)
 * - which is also what makes recursive read acquisition safe. A writer takes
 * the word from 0 to the writer bit.
 *
 * Recursion follows the pages: a read lock "can be acquired recursively on the
 * same processor", and so can a write lock. A thread that holds the write lock
 * and asks for read access is already exclusive, so that nests as well. "The
 * NDIS_RW_LOCK_EX lock does not support promotion from read to write": a write
 * request from a thread that holds read access would wait for itself forever
 * and is reported instead. To know which read locks a thread holds, each
 * thread keeps a small table of them.
 *
 * LOCK_STATE_EX records how the lock was taken (LockState), the flags and the
 * IRQL to restore (OldIrql).
 *
 * Locks are listed by driver (owned.h); those a driver never frees are freed
 * when it unloads (ndisi_rwlock_reclaim), held or not: no code of the driver
 * runs any more to release them.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/obj.h"
#include "core/verifier.h"
#include "core/wait.h"
#include "os/owned.h"
#include "os/spinlock.h"

#define RW_WRITER ((uint64_t)1 << 63)

/* LockState values (the LOCK_STATE_EX is the caller's storage). */
enum {
    LS_READ = 0xa1,     /* shared access */
    LS_WRITE = 0xa2,    /* exclusive access, outermost */
    LS_NESTED = 0xa3,   /* recursive write, or read by the writer */
    LS_REFUSED = 0xa4,  /* the acquisition was reported and not granted */
};

struct _NDIS_RW_LOCK_EX {
    struct ndisi_obj obj;
    struct ndisi_image *image; /* NULL when allocated in DriverEntry with no handle */
    struct ndisi_owned owned;  /* in g_locks from allocation to free, if image is set */
    _Atomic uint64_t word;     /* reader count | RW_WRITER */
    _Atomic uintptr_t owner;   /* writer's ndisi_self(), 0 if none */
    unsigned nest;             /* write recursion depth, owner only */
    char label[NDISI_NAME_MAX + 32];
};

static NDISI_OWNED_LIST(g_locks, NDISI_RES_RWLOCK);

/* Per-thread read holds: enough for any sane nesting of distinct locks. */
#define MAX_READ_HOLDS 32
struct read_hold {
    PNDIS_RW_LOCK_EX lock;
    unsigned count;
};
static __thread struct read_hold t_holds[MAX_READ_HOLDS];
static __thread unsigned t_nholds;

static struct read_hold *hold_find(PNDIS_RW_LOCK_EX l)
{
    for (unsigned i = 0; i < t_nholds; i++)
        if (t_holds[i].lock == l)
            return &t_holds[i];
    return NULL;
}

static bool hold_add(PNDIS_RW_LOCK_EX l)
{
    struct read_hold *h = hold_find(l);
    if (h) {
        h->count++;
        return true;
    }
    if (t_nholds == MAX_READ_HOLDS)
        return false;
    t_holds[t_nholds++] = (struct read_hold){l, 1};
    return true;
}

static bool hold_drop(PNDIS_RW_LOCK_EX l)
{
    struct read_hold *h = hold_find(l);
    if (!h)
        return false;
    if (--h->count == 0)
        *h = t_holds[--t_nholds];
    return true;
}

static void spin_backoff(unsigned *n)
{
    if (++*n < 128)
        ndisi_cpu_relax();
    else
        sched_yield();
}

PNDIS_RW_LOCK_EX NdisAllocateRWLock(_In_ NDIS_HANDLE NdisHandle)
{
    struct ndisi_image *img = NULL;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisAllocateRWLock", "Irql_Synch_Function");
    /* "If the read/write lock is being allocated in DriverEntry before any NDIS
       handle is available, the caller may pass a NULL value for this parameter." */
    if (NdisHandle) {
        img = ndisi_image_from_handle(NdisHandle, "NdisAllocateRWLock");
        if (!img)
            return NULL;
    } else {
        img = ndisi_cb_current_image();
    }
    PNDIS_RW_LOCK_EX l = ndisi_obj_alloc(NDISI_OBJ_RWLOCK, sizeof(*l));
    if (!l)
        return NULL;
    snprintf(l->label, sizeof(l->label), "read/write lock of driver '%s'",
             img ? img->name : "?");
    l->obj.label = l->label;
    l->image = img;
    atomic_init(&l->word, 0);
    atomic_init(&l->owner, 0);
    ndisi_owned_add(&g_locks, &l->owned, img);
    return l;
}

VOID NdisFreeRWLock(_In_ PNDIS_RW_LOCK_EX Lock)
{
    PNDIS_RW_LOCK_EX l = ndisi_obj_check(Lock, NDISI_OBJ_RWLOCK, "NdisFreeRWLock", "Lock");
    if (!l)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisFreeRWLock", "Irql_Synch_Function");
    uint64_t w = atomic_load(&l->word);
    if (w != 0) {
        /* nf-ndis-ndisfreerwlock.md: "A driver must call the NdisReleaseRWLock
           function to release a read/write lock before it calls the
           NdisFreeRWLock function." */
        ndisi_report(NDISI_V_STATE, "NdisFreeRWLock",
                     "release a read/write lock before freeing it",
                     "%s is held (%s); it is not freed", l->label,
                     (w & RW_WRITER) ? "for write" : "for read");
        return;
    }
    ndisi_owned_del(&g_locks, &l->owned);
    ndisi_obj_free(l);
}

static void rwlock_reclaim_one(struct ndisi_owned *o, void *unused)
{
    (void)unused;
    ndisi_obj_free(CONTAINING_RECORD(o, struct _NDIS_RW_LOCK_EX, owned));
}

void ndisi_rwlock_reclaim(struct ndisi_image *img)
{
    ndisi_owned_reclaim(&g_locks, img, rwlock_reclaim_one, NULL);
}

/* Raises to DISPATCH_LEVEL as the pages say, checking NDIS_RWL_AT_DISPATCH_LEVEL. */
static void acquire_irql(const char *ddi, PLOCK_STATE_EX st, ULONG Flags)
{
    KIRQL cur = ndisi_cur_irql;
    ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Synch_Function");
    if ((Flags & NDIS_RWL_AT_DISPATCH_LEVEL) && cur != DISPATCH_LEVEL)
        ndisi_report(NDISI_V_IRQL, ddi,
                     "Set this parameter to NDIS_RWL_AT_DISPATCH_LEVEL if the caller's "
                     "current IRQL is DISPATCH_LEVEL",
                     "Flags has NDIS_RWL_AT_DISPATCH_LEVEL but the IRQL is %u", (unsigned)cur);
    st->OldIrql = cur;
    st->Flags = (UCHAR)Flags;
    if (cur < DISPATCH_LEVEL)
        ndisi_cur_irql = DISPATCH_LEVEL;
}

VOID NdisAcquireRWLockRead(_In_ PNDIS_RW_LOCK_EX Lock, _Out_ PLOCK_STATE_EX LockState,
                           _In_ ULONG Flags)
{
    PNDIS_RW_LOCK_EX l = ndisi_obj_check(Lock, NDISI_OBJ_RWLOCK, "NdisAcquireRWLockRead", "Lock");
    if (!l)
        return;
    if (!LockState) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAcquireRWLockRead", "LockState must not be NULL",
                     "LockState is NULL");
        return;
    }
    acquire_irql("NdisAcquireRWLockRead", LockState, Flags);
    uintptr_t self = ndisi_self();
    if (atomic_load_explicit(&l->owner, memory_order_relaxed) == self) {
        l->nest++; /* the writer reads: it already has exclusive access */
        LockState->LockState = LS_NESTED;
        return;
    }
    if (!hold_add(l)) {
        ndisi_report(NDISI_V_STATE, "NdisAcquireRWLockRead",
                     "release read/write locks in bounded nesting",
                     "thread holds %u read/write locks for read at once; %s not acquired",
                     MAX_READ_HOLDS, l->label);
        LockState->LockState = LS_REFUSED;
        return;
    }
    if (hold_find(l)->count > 1) {
        /* Recursive read: this thread's hold keeps writers out already. */
        atomic_fetch_add_explicit(&l->word, 1, memory_order_acquire);
        LockState->LockState = LS_READ;
        return;
    }
    unsigned n = 0;
    uint64_t w = atomic_load_explicit(&l->word, memory_order_relaxed);
    for (;;) {
        if (w & RW_WRITER) {
            spin_backoff(&n);
            w = atomic_load_explicit(&l->word, memory_order_relaxed);
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&l->word, &w, w + 1, memory_order_acquire,
                                                  memory_order_relaxed))
            break;
    }
    LockState->LockState = LS_READ;
}

VOID NdisAcquireRWLockWrite(_In_ PNDIS_RW_LOCK_EX Lock, _Out_ PLOCK_STATE_EX LockState,
                            _In_ ULONG Flags)
{
    PNDIS_RW_LOCK_EX l =
        ndisi_obj_check(Lock, NDISI_OBJ_RWLOCK, "NdisAcquireRWLockWrite", "Lock");
    if (!l)
        return;
    if (!LockState) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAcquireRWLockWrite", "LockState must not be NULL",
                     "LockState is NULL");
        return;
    }
    acquire_irql("NdisAcquireRWLockWrite", LockState, Flags);
    uintptr_t self = ndisi_self();
    if (atomic_load_explicit(&l->owner, memory_order_relaxed) == self) {
        l->nest++; /* "An NDIS_RW_LOCK_EX write lock can be acquired recursively" */
        LockState->LockState = LS_NESTED;
        return;
    }
    if (hold_find(l)) {
        ndisi_report(NDISI_V_STATE, "NdisAcquireRWLockWrite",
                     "The NDIS_RW_LOCK_EX lock does not support promotion from read to write",
                     "the calling thread holds %s for read: acquiring it for write would "
                     "deadlock; write access not granted", l->label);
        LockState->LockState = LS_REFUSED;
        return;
    }
    unsigned n = 0;
    unsigned long long start = 0, next_diag = 0;
    for (;;) {
        uint64_t expected = 0;
        if (atomic_compare_exchange_weak_explicit(&l->word, &expected, RW_WRITER,
                                                  memory_order_acquire, memory_order_relaxed))
            break;
        spin_backoff(&n);
        if (n >= 128 && (n & 1023u) == 0) {
            unsigned long long now = ndisi_now_ms();
            if (!start) {
                start = now;
                next_diag = now + NDISI_WAIT_DIAG_MS;
            } else if (now >= next_diag) {
                ndisi_diag("NdisAcquireRWLockWrite: waited %llu ms for %s (held by %s)",
                           now - start, l->label,
                           (atomic_load(&l->word) & RW_WRITER) ? "a writer" : "readers");
                next_diag = now + NDISI_WAIT_DIAG_MS;
            }
        }
    }
    atomic_store_explicit(&l->owner, self, memory_order_relaxed);
    l->nest = 0;
    LockState->LockState = LS_WRITE;
}

VOID NdisReleaseRWLock(_In_ PNDIS_RW_LOCK_EX Lock, _In_ PLOCK_STATE_EX LockState)
{
    PNDIS_RW_LOCK_EX l = ndisi_obj_check(Lock, NDISI_OBJ_RWLOCK, "NdisReleaseRWLock", "Lock");
    if (!l)
        return;
    if (!LockState) {
        ndisi_report(NDISI_V_PARAMETER, "NdisReleaseRWLock", "LockState must not be NULL",
                     "LockState is NULL");
        return;
    }
    ndisi_irql_eq(DISPATCH_LEVEL, "NdisReleaseRWLock", "Irql_Synch_Function");
    uintptr_t self = ndisi_self();
    bool owner = atomic_load_explicit(&l->owner, memory_order_relaxed) == self;

    switch (LockState->LockState) {
    case LS_READ:
        if (!hold_drop(l)) {
            /* nf-ndis-ndisreleaserwlock.md: "Drivers must call NdisReleaseRWLock
               on the same processor that made the corresponding call". */
            ndisi_report(NDISI_V_STATE, "NdisReleaseRWLock",
                         "release on the processor that acquired the lock",
                         "the calling thread does not hold %s for read", l->label);
            return;
        }
        atomic_fetch_sub_explicit(&l->word, 1, memory_order_release);
        break;
    case LS_WRITE:
    case LS_NESTED:
        if (!owner) {
            ndisi_report(NDISI_V_STATE, "NdisReleaseRWLock",
                         "release on the processor that acquired the lock",
                         "the calling thread does not hold %s for write", l->label);
            return;
        }
        if (l->nest > 0) {
            l->nest--;
        } else {
            atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
            atomic_store_explicit(&l->word, 0, memory_order_release);
        }
        break;
    case LS_REFUSED:
        break; /* reported at acquisition; only the IRQL is restored */
    default:
        ndisi_report(NDISI_V_PARAMETER, "NdisReleaseRWLock",
                     "LockState must be the one the acquisition filled in",
                     "LockState %p was not filled by NdisAcquireRWLockRead/Write (LockState "
                     "0x%02x)", (void *)LockState, (unsigned)LockState->LockState);
        return;
    }
    /* "NdisReleaseRWLock restores the original IRQL that was used by its caller
       before the lock was obtained." */
    ndisi_cur_irql = LockState->OldIrql;
    LockState->LockState = 0;
}

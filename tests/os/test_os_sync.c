/*
 * test_os_sync.c - IRQL routines, spin locks (KSPIN_LOCK and NDIS_SPIN_LOCK)
 * and the NdisInterlocked* list and S-list helpers.
 */
#include <pthread.h>

#include "os_test.h"

TEST(irql_raise_lower)
{
    t_capture();
    KIRQL old = 0xff;
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    T_EQ(old, PASSIVE_LEVEL);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    old = KeRaiseIrqlToDpcLevel();
    T_EQ(old, PASSIVE_LEVEL);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);

    NDIS_RAISE_IRQL_TO_DISPATCH(&old);
    T_EQ(NDIS_CURRENT_IRQL(), DISPATCH_LEVEL);
    NDIS_LOWER_IRQL(old, DISPATCH_LEVEL);
    T_EQ(NDIS_CURRENT_IRQL(), PASSIVE_LEVEL);
    T_EQ(t_reports(), 0);
    t_os_end();
}

TEST(irql_misuse_reported)
{
    t_capture();
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    /* A raise that would lower. */
    KIRQL old2 = 0x55;
    KeRaiseIrql(APC_LEVEL, &old2);
    T_EQ(t_reported("KeRaiseIrql", "IrqlKeRaiseLower"), 1);
    T_EQ(old2, DISPATCH_LEVEL);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    /* A lower that would raise. */
    KeLowerIrql(DISPATCH_LEVEL);
    T_EQ(t_reported("KeLowerIrql", "higher than the current IRQL"), 1);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* KeRaiseIrqlToDpcLevel above DISPATCH_LEVEL. */
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    T_EQ(KeRaiseIrqlToDpcLevel(), DISPATCH_LEVEL + 1);
    T_EQ(t_reported("KeRaiseIrqlToDpcLevel", "DISPATCH_LEVEL"), 1);
    KeLowerIrql(old);
    t_os_end();
}

TEST(callback_irql_mismatch_reported)
{
    t_capture();
    struct ndisi_image *img = t_image("mismatch");
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, img, "MiniportSendNetBufferLists", "eth0", NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* the "driver" forgets to lower */
    ndisi_cb_leave(&f);
    T_EQ(t_reported("MiniportSendNetBufferLists", "returned from MiniportSendNetBufferLists"), 1);
    T_CONTAINS(t_report_msg(0), "driver 'mismatch'");
    T_CONTAINS(t_report_msg(0), "'eth0'");
    T_CONTAINS(t_report_msg(0), "at IRQL DISPATCH_LEVEL");
    T_STREQ(t_report_class(0), "irql");
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL); /* restored on leave */
    t_image_done(img);
    t_os_end();
}

TEST(ke_spinlock_raises_and_restores)
{
    t_capture();
    KSPIN_LOCK l;
    KIRQL old = 0xff;
    KeInitializeSpinLock(&l);
    T_EQ(l, 0);
    KeAcquireSpinLock(&l, &old);
    T_EQ(old, PASSIVE_LEVEL);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    T_NE(l, 0); /* the lock word holds the owner */
    KeReleaseSpinLock(&l, old);
    T_EQ(l, 0);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* At DISPATCH_LEVEL the DPC-level forms leave the IRQL alone. */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&l);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseSpinLockFromDpcLevel(&l);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    T_EQ(l, 0);
    KeLowerIrql(old);
    T_EQ(t_reports(), 0);
    t_os_end();
}

TEST(ke_spinlock_misuse_reported)
{
    t_capture();
    KSPIN_LOCK l;
    KIRQL old, old2 = 0x77;
    KeInitializeSpinLock(&l);
    /* Recursive acquisition is reported instead of deadlocking. */
    KeAcquireSpinLock(&l, &old);
    KeAcquireSpinLock(&l, &old2);
    T_EQ(t_reported("KeAcquireSpinLock", "already held by the calling thread"), 1);
    T_EQ(old2, DISPATCH_LEVEL);
    KeReleaseSpinLock(&l, old);
    /* Release of a free lock. */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeReleaseSpinLock(&l, old);
    T_EQ(t_reported("KeReleaseSpinLock", "SpinlockRelease"), 1);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* DPC-level acquire at PASSIVE_LEVEL. */
    KeAcquireSpinLockAtDpcLevel(&l);
    T_EQ(t_reported("KeAcquireSpinLockAtDpcLevel", "IrqlDispatch"), 1);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeReleaseSpinLockFromDpcLevel(&l);
    KeLowerIrql(old);
    /* KeReleaseSpinLockFromDpcLevel on a KeAcquireSpinLock lock. */
    KeAcquireSpinLock(&l, &old);
    KeReleaseSpinLockFromDpcLevel(&l);
    T_EQ(t_reported("KeReleaseSpinLockFromDpcLevel", "acquired with KeAcquireSpinLock"), 1);
    T_EQ(l, 0);
    KeLowerIrql(old);
    /* KeAcquireSpinLock above DISPATCH_LEVEL. */
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    KeAcquireSpinLock(&l, &old2);
    T_EQ(t_reported("KeAcquireSpinLock", "IrqlKeDispatchLte"), 1);
    KeReleaseSpinLock(&l, old2);
    KeLowerIrql(old);
    t_os_end();
}

struct holder {
    KSPIN_LOCK *l;
    NDIS_SPIN_LOCK *nl;
    volatile int held, release;
};

static void *hold_lock(void *arg)
{
    struct holder *h = arg;
    KIRQL old;
    if (h->l)
        KeAcquireSpinLock(h->l, &old);
    else
        NdisAcquireSpinLock(h->nl);
    __atomic_store_n(&h->held, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
        t_sleep_ms(1);
    if (h->l)
        KeReleaseSpinLock(h->l, old);
    else
        NdisReleaseSpinLock(h->nl);
    return NULL;
}

TEST(release_by_non_owner_reported)
{
    t_capture();
    KSPIN_LOCK l;
    KeInitializeSpinLock(&l);
    struct holder h = {.l = &l};
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, hold_lock, &h), 0);
    T_ASSERT(t_wait_flag(&h.held, 5000));
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeReleaseSpinLock(&l, old);
    T_EQ(t_reported("KeReleaseSpinLock", "held by another thread"), 1);
    T_NE(l, 0); /* still held by its owner */
    __atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    T_EQ(l, 0);
    t_os_end();
}

TEST(ndis_spinlock_irql)
{
    t_capture();
    NDIS_SPIN_LOCK sl;
    NdisAllocateSpinLock(&sl);
    NdisAcquireSpinLock(&sl);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    T_EQ(sl.OldIrql, PASSIVE_LEVEL);
    NdisReleaseSpinLock(&sl);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisAcquireSpinLock(&sl); /* from DISPATCH_LEVEL: stays there */
    NdisReleaseSpinLock(&sl);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisDprAcquireSpinLock(&sl);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisDprReleaseSpinLock(&sl);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    NdisFreeSpinLock(&sl);
    T_EQ(t_reports(), 0);
    t_os_end();
}

TEST(ndis_spinlock_misuse_reported)
{
    t_capture();
    NDIS_SPIN_LOCK sl;
    NdisAllocateSpinLock(&sl);
    /* Recursion. */
    NdisAcquireSpinLock(&sl);
    NdisAcquireSpinLock(&sl);
    T_EQ(t_reported("NdisAcquireSpinLock", "SpinLock"), 1);
    T_EQ(sl.OldIrql, PASSIVE_LEVEL); /* the outer acquisition's IRQL is kept */
    NdisReleaseSpinLock(&sl);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* Release without acquire. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisReleaseSpinLock(&sl);
    T_EQ(t_reported("NdisReleaseSpinLock", "without first acquiring it"), 1);
    NdisDprReleaseSpinLock(&sl);
    T_EQ(t_reported("NdisDprReleaseSpinLock", "SpinlockRelease"), 1);
    /* Dpr acquire, non-Dpr release: IRQL kept. */
    NdisDprAcquireSpinLock(&sl);
    NdisReleaseSpinLock(&sl);
    T_EQ(t_reported("NdisReleaseSpinLock", "NdisDprAcquireSpinLock"), 1);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    /* Raising acquire, Dpr release: the original IRQL comes back anyway. */
    NdisAcquireSpinLock(&sl);
    NdisDprReleaseSpinLock(&sl);
    T_EQ(t_reported("NdisDprReleaseSpinLock", "must be released with NdisReleaseSpinLock"), 1);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* Dpr acquire at PASSIVE_LEVEL. */
    NdisDprAcquireSpinLock(&sl);
    T_EQ(t_reported("NdisDprAcquireSpinLock", "Irql_Synch_Function"), 1);
    /* Freeing a held lock. */
    NdisFreeSpinLock(&sl);
    T_EQ(t_reported("NdisFreeSpinLock", "still held by the caller"), 1);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisDprReleaseSpinLock(&sl);
    KeLowerIrql(old);
    NdisFreeSpinLock(&sl);
    t_os_end();
}

#define NTHREADS 4
#define NITER 20000

struct counter {
    NDIS_SPIN_LOCK lock;
    KSPIN_LOCK klock;
    ULONG plain;     /* guarded by lock */
    ULONG kplain;    /* guarded by klock */
    ULONG added;     /* NdisInterlockedAddUlong */
    LONGLONG stat;   /* NdisInterlockedAddLargeStatistic */
    LONG inc;        /* NdisInterlockedIncrement */
};

static void *contend(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < NITER; i++) {
        NdisAcquireSpinLock(&c->lock);
        c->plain++;
        NdisReleaseSpinLock(&c->lock);
        KIRQL old;
        KeAcquireSpinLock(&c->klock, &old);
        c->kplain++;
        KeReleaseSpinLock(&c->klock, old);
        NdisInterlockedAddUlong(&c->added, 2, &c->lock);
        NdisInterlockedAddLargeStatistic(&c->stat, 3);
        NdisInterlockedIncrement(&c->inc);
    }
    return NULL;
}

TEST(spinlock_contention)
{
    t_capture();
    static struct counter c;
    NdisAllocateSpinLock(&c.lock);
    KeInitializeSpinLock(&c.klock);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        T_EQ(pthread_create(&t[i], NULL, contend, &c), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    T_EQ(c.plain, NTHREADS * NITER);
    T_EQ(c.kplain, NTHREADS * NITER);
    T_EQ(c.added, 2 * NTHREADS * NITER);
    T_EQ(c.stat, 3LL * NTHREADS * NITER);
    T_EQ(c.inc, NTHREADS * NITER);
    T_EQ(NdisInterlockedDecrement(&c.inc), NTHREADS * NITER - 1);
    T_EQ(t_reports(), 0);
    t_os_end();
}

struct item {
    LIST_ENTRY link;
    int value;
};

TEST(interlocked_lists)
{
    t_capture();
    NDIS_SPIN_LOCK sl;
    LIST_ENTRY head;
    struct item a = {.value = 1}, b = {.value = 2}, c = {.value = 3};
    NdisAllocateSpinLock(&sl);
    NdisInitializeListHead(&head);
    T_ASSERT(NdisInterlockedRemoveHeadList(&head, &sl) == NULL);
    T_ASSERT(NdisInterlockedInsertTailList(&head, &a.link, &sl) == NULL);
    T_ASSERT(NdisInterlockedInsertTailList(&head, &b.link, &sl) == &a.link);
    T_ASSERT(NdisInterlockedInsertHeadList(&head, &c.link, &sl) == &a.link);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    T_EQ(sl.SpinLock, 0);
    PLIST_ENTRY e = NdisInterlockedRemoveHeadList(&head, &sl);
    T_EQ(CONTAINING_RECORD(e, struct item, link)->value, 3);
    e = NdisInterlockedRemoveHeadList(&head, &sl);
    T_EQ(CONTAINING_RECORD(e, struct item, link)->value, 1);
    e = NdisInterlockedRemoveHeadList(&head, &sl);
    T_EQ(CONTAINING_RECORD(e, struct item, link)->value, 2);
    T_ASSERT(IsListEmpty(&head));

    /* Holding the lock while calling is reported, not a deadlock. */
    NdisAcquireSpinLock(&sl);
    T_ASSERT(NdisInterlockedInsertTailList(&head, &a.link, &sl) == NULL);
    T_EQ(t_reported("NdisInterlockedInsertTailList", "already held"), 1);
    T_ASSERT(IsListEmpty(&head));
    NdisReleaseSpinLock(&sl);
    NdisFreeSpinLock(&sl);
    t_os_end();
}

struct sentry {
    SLIST_ENTRY link; /* first, 16-byte aligned */
    int value;
};

TEST(slists)
{
    t_capture();
    NDIS_SPIN_LOCK sl;
    SLIST_HEADER head;
    static struct sentry e[3] = {{.value = 10}, {.value = 11}, {.value = 12}};
    NdisAllocateSpinLock(&sl);
    memset(&head, 0xab, sizeof(head));
    NdisInitializeSListHead(&head);
    T_EQ(NdisQueryDepthSList(&head), 0);
    T_ASSERT(NdisInterlockedPopEntrySList(&head, &sl) == NULL);
    T_ASSERT(NdisInterlockedPushEntrySList(&head, &e[0].link, &sl) == NULL);
    T_ASSERT(NdisInterlockedPushEntrySList(&head, &e[1].link, &sl) == &e[0].link);
    T_ASSERT(NdisInterlockedPushEntrySList(&head, &e[2].link, &sl) == &e[1].link);
    T_EQ(NdisQueryDepthSList(&head), 3);
    T_ASSERT(NdisInterlockedPopEntrySList(&head, &sl) == &e[2].link);
    T_ASSERT(NdisInterlockedPopEntrySList(&head, &sl) == &e[1].link);
    T_EQ(NdisQueryDepthSList(&head), 1);
    T_ASSERT(NdisInterlockedPopEntrySList(&head, &sl) == &e[0].link);
    T_EQ(NdisQueryDepthSList(&head), 0);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    T_EQ(t_reports(), 0);
    NdisFreeSpinLock(&sl);
    t_os_end();
}

#define SL_ENTRIES 64

struct slist_ctx {
    SLIST_HEADER head;
    NDIS_SPIN_LOCK lock;
    struct sentry entries[SL_ENTRIES];
};

static void *slist_churn(void *arg)
{
    struct slist_ctx *c = arg;
    for (int i = 0; i < NITER; i++) {
        PSLIST_ENTRY e = NdisInterlockedPopEntrySList(&c->head, &c->lock);
        if (e) {
            struct sentry *s = CONTAINING_RECORD(e, struct sentry, link);
            __atomic_fetch_add(&s->value, 1, __ATOMIC_RELAXED);
            NdisInterlockedPushEntrySList(&c->head, e, &c->lock);
        }
    }
    return NULL;
}

TEST(slist_contention)
{
    t_capture();
    static struct slist_ctx c;
    NdisAllocateSpinLock(&c.lock);
    NdisInitializeSListHead(&c.head);
    for (int i = 0; i < SL_ENTRIES; i++)
        NdisInterlockedPushEntrySList(&c.head, &c.entries[i].link, &c.lock);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        T_EQ(pthread_create(&t[i], NULL, slist_churn, &c), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    T_EQ(NdisQueryDepthSList(&c.head), SL_ENTRIES);
    long total = 0;
    for (int i = 0; i < SL_ENTRIES; i++)
        total += c.entries[i].value;
    T_EQ(total, (long)NTHREADS * NITER); /* no entry lost or popped twice */
    T_EQ(t_reports(), 0);
    t_os_end();
}

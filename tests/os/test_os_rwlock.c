/*
 * test_os_rwlock.c - NDIS_RW_LOCK_EX: IRQL, shared and exclusive access,
 * recursion, misuse reports and a reader/writer stress run.
 */
#include <pthread.h>

#include "os_test.h"

TEST(read_write_irql)
{
    t_capture();
    struct ndisi_image *img = t_image("rw");
    PNDIS_RW_LOCK_EX l = NdisAllocateRWLock(t_h(img));
    T_ASSERT(l != NULL);
    T_EQ(atomic_load(&img->res[NDISI_RES_RWLOCK]), 1);
    LOCK_STATE_EX s1, s2;
    NdisAcquireRWLockRead(l, &s1, 0);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &s1);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisAcquireRWLockWrite(l, &s1, 0);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &s1);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* With NDIS_RWL_AT_DISPATCH_LEVEL at DISPATCH_LEVEL. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisAcquireRWLockRead(l, &s2, NDIS_RWL_AT_DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &s2);
    T_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    T_EQ(t_reports(), 0);
    /* The flag at PASSIVE_LEVEL is a lie: reported, still correct. */
    NdisAcquireRWLockWrite(l, &s1, NDIS_RWL_AT_DISPATCH_LEVEL);
    T_EQ(t_reported("NdisAcquireRWLockWrite", "NDIS_RWL_AT_DISPATCH_LEVEL"), 1);
    NdisReleaseRWLock(l, &s1);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisFreeRWLock(l);
    T_EQ(atomic_load(&img->res[NDISI_RES_RWLOCK]), 0);
    t_image_done(img);
    t_os_end();
}

TEST(recursion_rules)
{
    t_capture();
    PNDIS_RW_LOCK_EX l = NdisAllocateRWLock(NULL); /* allowed from DriverEntry */
    T_ASSERT(l != NULL);
    LOCK_STATE_EX a, b, c;
    /* Recursive read. */
    NdisAcquireRWLockRead(l, &a, 0);
    NdisAcquireRWLockRead(l, &b, NDIS_RWL_AT_DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &b);
    NdisReleaseRWLock(l, &a);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* Recursive write, and a read by the writer. */
    NdisAcquireRWLockWrite(l, &a, 0);
    NdisAcquireRWLockWrite(l, &b, NDIS_RWL_AT_DISPATCH_LEVEL);
    NdisAcquireRWLockRead(l, &c, NDIS_RWL_AT_DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &c);
    NdisReleaseRWLock(l, &b);
    NdisReleaseRWLock(l, &a);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    T_EQ(t_reports(), 0);
    /* Promotion from read to write would deadlock: reported. */
    NdisAcquireRWLockRead(l, &a, 0);
    NdisAcquireRWLockWrite(l, &b, NDIS_RWL_AT_DISPATCH_LEVEL);
    T_EQ(t_reported("NdisAcquireRWLockWrite", "promotion from read to write"), 1);
    NdisReleaseRWLock(l, &b);
    /* Freeing a held lock: reported, not freed. */
    NdisFreeRWLock(l);
    T_EQ(t_reported("NdisFreeRWLock", "is held (for read)"), 1);
    NdisReleaseRWLock(l, &a);
    T_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* A LOCK_STATE_EX that no acquisition filled. */
    LOCK_STATE_EX junk;
    memset(&junk, 0, sizeof(junk));
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisReleaseRWLock(l, &junk);
    KeLowerIrql(old);
    T_EQ(t_reported("NdisReleaseRWLock", "was not filled"), 1);
    NdisFreeRWLock(l);
    NdisAcquireRWLockRead(l, &a, 0);
    T_EQ(t_reported("NdisAcquireRWLockRead", "stale handle"), 1);
    T_EQ(t_reports(), 4);
    t_os_end();
}

struct rw_holder {
    PNDIS_RW_LOCK_EX l;
    int write;
    volatile int held, release, released;
};

static void *rw_hold(void *arg)
{
    struct rw_holder *h = arg;
    LOCK_STATE_EX s;
    if (h->write)
        NdisAcquireRWLockWrite(h->l, &s, 0);
    else
        NdisAcquireRWLockRead(h->l, &s, 0);
    __atomic_store_n(&h->held, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
        t_sleep_ms(1);
    NdisReleaseRWLock(h->l, &s);
    __atomic_store_n(&h->released, 1, __ATOMIC_RELEASE);
    return NULL;
}

TEST(readers_share_writers_exclude)
{
    t_capture();
    PNDIS_RW_LOCK_EX l = NdisAllocateRWLock(NULL);
    static struct rw_holder r1, r2, w;
    r1.l = r2.l = w.l = l;
    w.write = 1;
    pthread_t t1, t2, tw;
    T_EQ(pthread_create(&t1, NULL, rw_hold, &r1), 0);
    T_ASSERT(t_wait_flag(&r1.held, 5000));
    T_EQ(pthread_create(&t2, NULL, rw_hold, &r2), 0);
    T_ASSERT(t_wait_flag(&r2.held, 5000)); /* two readers at once */
    T_EQ(pthread_create(&tw, NULL, rw_hold, &w), 0);
    t_sleep_ms(30);
    T_EQ(__atomic_load_n(&w.held, __ATOMIC_ACQUIRE), 0); /* the writer waits */
    __atomic_store_n(&r1.release, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&r2.release, 1, __ATOMIC_RELEASE);
    T_ASSERT(t_wait_flag(&w.held, 5000));
    /* A reader waits for the writer. */
    static struct rw_holder r3;
    r3.l = l;
    pthread_t t3;
    T_EQ(pthread_create(&t3, NULL, rw_hold, &r3), 0);
    t_sleep_ms(30);
    T_EQ(__atomic_load_n(&r3.held, __ATOMIC_ACQUIRE), 0);
    __atomic_store_n(&w.release, 1, __ATOMIC_RELEASE);
    T_ASSERT(t_wait_flag(&r3.held, 5000));
    __atomic_store_n(&r3.release, 1, __ATOMIC_RELEASE);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(tw, NULL);
    pthread_join(t3, NULL);
    /* Releasing on a thread that does not hold the lock is reported. */
    static struct rw_holder r4;
    r4.l = l;
    pthread_t t4;
    T_EQ(pthread_create(&t4, NULL, rw_hold, &r4), 0);
    T_ASSERT(t_wait_flag(&r4.held, 5000));
    LOCK_STATE_EX fake;
    fake.LockState = 0xa1; /* looks like a read acquisition */
    fake.OldIrql = PASSIVE_LEVEL;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisReleaseRWLock(l, &fake);
    KeLowerIrql(old);
    T_EQ(t_reported("NdisReleaseRWLock", "does not hold"), 1);
    __atomic_store_n(&r4.release, 1, __ATOMIC_RELEASE);
    pthread_join(t4, NULL);
    NdisFreeRWLock(l);
    T_EQ(t_reports(), 1);
    t_os_end();
}

#define NREADERS 3
#define NWRITERS 2
#define NITER 20000

struct shared {
    PNDIS_RW_LOCK_EX l;
    long a, b; /* invariant under the lock: a == b */
    volatile int bad;
};

static void *reader(void *arg)
{
    struct shared *s = arg;
    for (int i = 0; i < NITER; i++) {
        LOCK_STATE_EX st, st2;
        NdisAcquireRWLockRead(s->l, &st, 0);
        if (i % 7 == 0)
            NdisAcquireRWLockRead(s->l, &st2, NDIS_RWL_AT_DISPATCH_LEVEL);
        if (s->a != s->b)
            s->bad = 1;
        if (i % 7 == 0)
            NdisReleaseRWLock(s->l, &st2);
        NdisReleaseRWLock(s->l, &st);
    }
    return NULL;
}

static void *writer(void *arg)
{
    struct shared *s = arg;
    for (int i = 0; i < NITER / 4; i++) {
        LOCK_STATE_EX st;
        NdisAcquireRWLockWrite(s->l, &st, 0);
        s->a++;
        s->b++;
        NdisReleaseRWLock(s->l, &st);
    }
    return NULL;
}

TEST(reader_writer_stress)
{
    t_capture();
    static struct shared s;
    s.l = NdisAllocateRWLock(NULL);
    pthread_t t[NREADERS + NWRITERS];
    for (int i = 0; i < NREADERS; i++)
        T_EQ(pthread_create(&t[i], NULL, reader, &s), 0);
    for (int i = 0; i < NWRITERS; i++)
        T_EQ(pthread_create(&t[NREADERS + i], NULL, writer, &s), 0);
    for (int i = 0; i < NREADERS + NWRITERS; i++)
        pthread_join(t[i], NULL);
    T_EQ(s.bad, 0);
    T_EQ(s.a, (long)NWRITERS * (NITER / 4));
    NdisFreeRWLock(s.l);
    T_EQ(t_reports(), 0);
    t_os_end();
}

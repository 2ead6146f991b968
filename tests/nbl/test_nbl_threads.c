/*
 * test_nbl_threads.c - the per-thread pool caches: returned when a thread
 * exits, never touching a freed pool, evicted when a thread uses many pools;
 * two threads allocating and freeing their own NBLs from one pool; NBLs
 * allocated on one thread and freed on another. Run under ThreadSanitizer in
 * CI (label "concurrency").
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "datapath/pool.h"
#include "fakedriver.h"

static struct ndisi_slab *slab_of(NDIS_HANDLE pool)
{
    return &((struct ndisi_nbl_pool *)pool)->slab;
}

static void run(void *(*fn)(void *), void *arg, int nthreads)
{
    pthread_t t[8];
    for (int i = 0; i < nthreads; i++)
        T_EQ(pthread_create(&t[i], NULL, fn, arg), 0);
    for (int i = 0; i < nthreads; i++)
        T_EQ(pthread_join(t[i], NULL), 0);
}

static void *alloc_free_100(void *arg)
{
    NDIS_HANDLE pool = arg;
    PNET_BUFFER_LIST v[100];
    for (int i = 0; i < 100; i++)
        v[i] = NdisAllocateNetBufferList(pool, 0, 0);
    for (int i = 0; i < 100; i++)
        NdisFreeNetBufferList(v[i]);
    return NULL;
}

TEST(thread_cache_returned_at_thread_exit)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 16, 0);

    run(alloc_free_100, pool, 1);
    struct ndisi_slab_stats st;
    ndisi_slab_get_stats(slab_of(pool), &st);
    T_ASSERT(st.total >= 100);
    T_EQ(st.in_use, 0);
    T_EQ(st.shared_free, st.total); /* nothing stayed with the dead thread */

    /* The main thread's cache goes back on request (as at its exit). */
    alloc_free_100(pool);
    ndisi_slab_get_stats(slab_of(pool), &st);
    T_ASSERT(st.shared_free < st.total);
    ndisi_slab_flush_thread_cache();
    ndisi_slab_get_stats(slab_of(pool), &st);
    T_EQ(st.shared_free, st.total);

    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

/* More pools than a thread has cache slots (8 sets of 2). */
#define TC_TEST_POOLS 20

struct stale {
    NDIS_HANDLE drv;
    NDIS_HANDLE pool;
    NDIS_HANDLE more[TC_TEST_POOLS];
    pthread_barrier_t b;
};

static void *stale_worker(void *arg)
{
    struct stale *s = arg;
    alloc_free_100(s->pool); /* this thread now caches elements of the first pool */
    pthread_barrier_wait(&s->b); /* main frees the pool, makes new ones */
    pthread_barrier_wait(&s->b);
    /* The stale slot must be recognised without reading the freed pool, also
       when a new pool evicts it from its set. */
    for (int i = 0; i < TC_TEST_POOLS; i++)
        alloc_free_100(s->more[i]);
    return NULL; /* and thread exit must drop what is left without reading it */
}

TEST(cache_of_a_freed_pool_is_never_read)
{
    t_reports_capture();
    struct stale s;
    s.drv = t_driver("proto");
    s.pool = t_nbl_pool(s.drv, TRUE, 0, 0);
    pthread_barrier_init(&s.b, NULL, 2);
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, stale_worker, &s), 0);
    pthread_barrier_wait(&s.b);
    /* The worker's cached NBLs are free, so the pool goes (AddressSanitizer
       would catch any later read of its chunks). */
    NdisFreeNetBufferListPool(s.pool);
    T_EQ(t_reports(), 0);
    for (int i = 0; i < TC_TEST_POOLS; i++)
        s.more[i] = t_nbl_pool(s.drv, TRUE, 0, 0);
    pthread_barrier_wait(&s.b);
    T_EQ(pthread_join(t, NULL), 0);
    for (int i = 0; i < TC_TEST_POOLS; i++) {
        struct ndisi_slab_stats st;
        ndisi_slab_get_stats(slab_of(s.more[i]), &st);
        T_EQ(st.in_use, 0);
        T_EQ(st.shared_free, st.total);
        NdisFreeNetBufferListPool(s.more[i]);
    }
    T_EQ(t_reports(), 0);
    pthread_barrier_destroy(&s.b);
    t_driver_done(s.drv);
}

TEST(many_pools_on_one_thread)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    enum { P = 40 };
    NDIS_HANDLE pools[P];
    for (int i = 0; i < P; i++)
        pools[i] = t_nbl_pool(drv, i & 1, 0, 0);
    /* Round robin over more pools than a thread has cache slots: evictions. */
    for (int r = 0; r < 50; r++)
        for (int i = 0; i < P; i++) {
            PNET_BUFFER_LIST a = NdisAllocateNetBufferList(pools[i], 0, 0);
            PNET_BUFFER_LIST b = NdisAllocateNetBufferList(pools[(i + 7) % P], 0, 0);
            T_ASSERT(a && b);
            T_ASSERT(a->NdisPoolHandle == pools[i]);
            NdisFreeNetBufferList(a);
            NdisFreeNetBufferList(b);
        }
    for (int i = 0; i < P; i++)
        NdisFreeNetBufferListPool(pools[i]);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

struct stress {
    NDIS_HANDLE pool;
    int iterations;
};

static void *stress_worker(void *arg)
{
    struct stress *s = arg;
    PNET_BUFFER_LIST burst[48];
    for (int i = 0; i < s->iterations; i++) {
        int n = 1 + (i % 48);
        for (int k = 0; k < n; k++) {
            PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(s->pool, 16, 0);
            T_ASSERT(nbl != NULL);
            T_ASSERT(nbl->NdisPoolHandle == s->pool);
            T_ASSERT(nbl->FirstNetBuffer != NULL && nbl->Context != NULL);
            T_ASSERT(nbl->ProtocolReserved[0] == NULL);
            T_ASSERT(nbl->FirstNetBuffer->MiniportReserved[0] == NULL);
            T_EQ(atomic_load(&ndisi_nbl_priv(nbl)->where), NDISI_NBL_OWNED);
            nbl->ProtocolReserved[0] = nbl;
            nbl->FirstNetBuffer->MiniportReserved[0] = nbl;
            burst[k] = nbl;
        }
        for (int k = 0; k < n; k++) {
            T_ASSERT(burst[k]->ProtocolReserved[0] == burst[k]);
            NdisFreeNetBufferList(burst[k]);
        }
    }
    return NULL;
}

TEST(two_threads_allocate_and_free)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    struct stress s = {.pool = t_nbl_pool(drv, TRUE, 16, 0), .iterations = 4000};
    run(stress_worker, &s, 2);
    T_EQ(ndisi_slab_in_use(slab_of(s.pool)), 0);
    NdisFreeNetBufferListPool(s.pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

/* A bounded queue: NBLs allocated on one thread, freed on the other. */
struct handoff {
    NDIS_HANDLE pool;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    PNET_BUFFER_LIST q[256];
    int head, tail, count;
    bool done;
};

static void *producer(void *arg)
{
    struct handoff *h = arg;
    for (int i = 0; i < 30000; i++) {
        PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(h->pool, 0, 0);
        T_ASSERT(nbl != NULL);
        nbl->Scratch = (PVOID)(uintptr_t)(i + 1);
        pthread_mutex_lock(&h->lock);
        while (h->count == 256)
            pthread_cond_wait(&h->cond, &h->lock);
        h->q[h->tail] = nbl;
        h->tail = (h->tail + 1) % 256;
        h->count++;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_lock(&h->lock);
    h->done = true;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

static void *consumer(void *arg)
{
    struct handoff *h = arg;
    uintptr_t expect = 1;
    for (;;) {
        pthread_mutex_lock(&h->lock);
        while (h->count == 0 && !h->done)
            pthread_cond_wait(&h->cond, &h->lock);
        if (h->count == 0) {
            pthread_mutex_unlock(&h->lock);
            return NULL;
        }
        PNET_BUFFER_LIST nbl = h->q[h->head];
        h->head = (h->head + 1) % 256;
        h->count--;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
        T_EQ((uintptr_t)nbl->Scratch, expect);
        expect++;
        NdisFreeNetBufferList(nbl);
    }
}

TEST(allocated_on_one_thread_freed_on_another)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("mp");
    struct handoff h;
    memset(&h, 0, sizeof(h));
    h.pool = t_nbl_pool(drv, TRUE, 0, 256);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    pthread_t p, c;
    T_EQ(pthread_create(&p, NULL, producer, &h), 0);
    T_EQ(pthread_create(&c, NULL, consumer, &h), 0);
    T_EQ(pthread_join(p, NULL), 0);
    T_EQ(pthread_join(c, NULL), 0);
    struct ndisi_slab_stats st;
    ndisi_slab_get_stats(slab_of(h.pool), &st);
    T_EQ(st.in_use, 0);
    T_EQ(st.shared_free, st.total); /* both threads are gone: everything is back */
    T_ASSERT(st.total < 30000);      /* and it was reused, not grown per NBL */
    NdisFreeNetBufferListPool(h.pool);
    pthread_mutex_destroy(&h.lock);
    pthread_cond_destroy(&h.cond);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

/*
 * test_os_dpc_event.c - DPCs (KeInitializeDpc, KeInsertQueueDpc,
 * KeRemoveQueueDpc) and NDIS events (set, reset, wait with and without a
 * bound, waking waiters on other threads).
 */
#include <pthread.h>
#include <time.h>

#include "os_test.h"
#include "os/dpc.h"

struct dpc_run {
    volatile int count;
    volatile int gate_open, entered;
    int block;
    pthread_t thread;
    KIRQL irql;
    int kind;
    const char *fn;
    struct ndisi_image *image;
    PKDPC dpc;
    void *ctx, *a1, *a2;
};

static KDEFERRED_ROUTINE dpc_routine;
static void dpc_routine(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                        PVOID SystemArgument2)
{
    struct dpc_run *r = DeferredContext;
    r->thread = pthread_self();
    r->irql = KeGetCurrentIrql();
    r->kind = ndisi_cb_top ? ndisi_cb_top->kind : -1;
    r->fn = ndisi_cb_top ? ndisi_cb_top->fn : NULL;
    r->image = ndisi_cb_current_image();
    r->dpc = Dpc;
    r->ctx = DeferredContext;
    r->a1 = SystemArgument1;
    r->a2 = SystemArgument2;
    if (r->block) {
        __atomic_store_n(&r->entered, 1, __ATOMIC_RELEASE);
        while (!__atomic_load_n(&r->gate_open, __ATOMIC_ACQUIRE))
            t_sleep_ms(1);
    }
    __atomic_fetch_add(&r->count, 1, __ATOMIC_RELEASE);
}

TEST(dpc_runs_at_dispatch_for_its_driver)
{
    t_capture();
    struct ndisi_image *img = t_image("dpcdrv");
    static KDPC dpc;
    static struct dpc_run r;
    struct ndisi_cbframe f;
    t_enter(&f, img, PASSIVE_LEVEL); /* initialized by the driver */
    KeInitializeDpc(&dpc, dpc_routine, &r);
    t_leave(&f);
    T_EQ(KeInsertQueueDpc(&dpc, (PVOID)1, (PVOID)2), TRUE);
    T_ASSERT(t_wait_flag(&r.count, 5000));
    T_ASSERT(!pthread_equal(r.thread, pthread_self()));
    T_EQ(r.irql, DISPATCH_LEVEL);
    T_EQ(r.kind, NDISI_CB_DPC);
    T_STREQ(r.fn, "KDEFERRED_ROUTINE");
    T_ASSERT(r.image == img);
    T_ASSERT(r.dpc == &dpc && r.ctx == &r);
    T_ASSERT(r.a1 == (PVOID)1 && r.a2 == (PVOID)2);
    /* Once run it can be queued again. */
    T_EQ(KeInsertQueueDpc(&dpc, (PVOID)3, NULL), TRUE);
    for (int i = 0; i < 5000 && __atomic_load_n(&r.count, __ATOMIC_ACQUIRE) < 2; i++)
        t_sleep_ms(1);
    T_EQ(r.count, 2);
    T_ASSERT(r.a1 == (PVOID)3);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(dpc_insert_twice_and_remove)
{
    t_capture();
    static KDPC blocker, dpc;
    static struct dpc_run rb, r;
    rb.block = 1;
    KeInitializeDpc(&blocker, dpc_routine, &rb);
    KeInitializeDpc(&dpc, dpc_routine, &r);
    T_EQ(KeInsertQueueDpc(&blocker, NULL, NULL), TRUE);
    T_ASSERT(t_wait_flag(&rb.entered, 5000)); /* the DPC thread is busy */
    T_EQ(KeInsertQueueDpc(&dpc, (PVOID)1, NULL), TRUE);
    T_EQ(KeInsertQueueDpc(&dpc, (PVOID)2, NULL), FALSE); /* already queued */
    T_EQ(KeRemoveQueueDpc(&dpc), TRUE);
    T_EQ(KeRemoveQueueDpc(&dpc), FALSE);
    T_EQ(KeInsertQueueDpc(&dpc, (PVOID)5, NULL), TRUE);
    __atomic_store_n(&rb.gate_open, 1, __ATOMIC_RELEASE);
    T_ASSERT(t_wait_flag(&r.count, 5000));
    t_sleep_ms(10);
    T_EQ(r.count, 1); /* the removed insertion never ran */
    T_ASSERT(r.a1 == (PVOID)5);
    T_ASSERT(r.image == NULL); /* initialized outside any driver */
    /* An uninitialized DPC is reported. */
    KDPC junk;
    memset(&junk, 0, sizeof(junk));
    T_EQ(KeInsertQueueDpc(&junk, NULL, NULL), FALSE);
    T_EQ(t_reported("KeInsertQueueDpc", "not an initialized DPC"), 1);
    t_os_end();
}

TEST(dpc_cancel_image)
{
    t_capture();
    struct ndisi_image *img = t_image("dpcunload");
    static KDPC blocker, dpc;
    static struct dpc_run rb, r;
    rb.block = 1;
    KeInitializeDpc(&blocker, dpc_routine, &rb);
    struct ndisi_cbframe f;
    t_enter(&f, img, PASSIVE_LEVEL);
    KeInitializeDpc(&dpc, dpc_routine, &r);
    t_leave(&f);
    KeInsertQueueDpc(&blocker, NULL, NULL);
    T_ASSERT(t_wait_flag(&rb.entered, 5000));
    KeInsertQueueDpc(&dpc, NULL, NULL);
    T_EQ(ndisi_dpc_cancel_image(img), 1);
    __atomic_store_n(&rb.gate_open, 1, __ATOMIC_RELEASE);
    t_sleep_ms(20);
    T_EQ(r.count, 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

/* ---- KeFlushQueuedDpcs ---------------------------------------------------------- */

struct flusher {
    volatile int done;
    int blocker_runs, dpc_runs; /* when the flush returned */
    struct dpc_run *rb, *r;
};

static void *flush_thread(void *arg)
{
    struct flusher *fl = arg;
    KeFlushQueuedDpcs();
    fl->blocker_runs = __atomic_load_n(&fl->rb->count, __ATOMIC_ACQUIRE);
    fl->dpc_runs = __atomic_load_n(&fl->r->count, __ATOMIC_ACQUIRE);
    __atomic_store_n(&fl->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Runs a DPC that blocks until rb->gate_open, and queues `dpc` behind it. */
static void dpc_behind_blocker(PKDPC blocker, struct dpc_run *rb, PKDPC dpc, struct dpc_run *r)
{
    rb->block = 1;
    KeInitializeDpc(blocker, dpc_routine, rb);
    KeInitializeDpc(dpc, dpc_routine, r);
    T_EQ(KeInsertQueueDpc(blocker, NULL, NULL), TRUE);
    T_ASSERT(t_wait_flag(&rb->entered, 5000));
    T_EQ(KeInsertQueueDpc(dpc, NULL, NULL), TRUE);
}

TEST(flush_waits_for_running_and_queued_dpcs)
{
    t_capture();
    KeFlushQueuedDpcs(); /* nothing queued: returns at once */
    static KDPC blocker, dpc;
    static struct dpc_run rb, r;
    dpc_behind_blocker(&blocker, &rb, &dpc, &r);
    static struct flusher fl;
    fl.rb = &rb;
    fl.r = &r;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, flush_thread, &fl), 0);
    t_sleep_ms(30);
    T_EQ(fl.done, 0); /* the running DPC has not returned */
    __atomic_store_n(&rb.gate_open, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    T_EQ(fl.blocker_runs, 1);
    T_EQ(fl.dpc_runs, 1);
    T_EQ(t_reports(), 0);
    t_os_end();
}

TEST(flush_checks_irql_and_is_bounded)
{
    setenv("NDIS_WAIT_TIMEOUT_MS", "100", 1); /* read once, by the first bounded wait */
    t_capture();
    struct ndisi_cbframe f;
    t_enter(&f, NULL, DISPATCH_LEVEL);
    KeFlushQueuedDpcs();
    t_leave(&f);
    T_EQ(t_reported("KeFlushQueuedDpcs", "PASSIVE_LEVEL"), 1);
    static KDPC blocker, dpc;
    static struct dpc_run rb, r;
    dpc_behind_blocker(&blocker, &rb, &dpc, &r);
    KeFlushQueuedDpcs(); /* gives up after the bound, its marker taken out of the queue */
    T_EQ(t_reported("KeFlushQueuedDpcs", "did not all run within 100 ms"), 1);
    __atomic_store_n(&rb.gate_open, 1, __ATOMIC_RELEASE);
    T_ASSERT(t_wait_flag(&r.count, 5000));
    KeFlushQueuedDpcs();
    T_EQ(t_reports(), 2);
    t_os_end();
}

/* ---- events ------------------------------------------------------------------ */

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

TEST(event_set_reset_wait)
{
    t_capture();
    NDIS_EVENT ev;
    memset(&ev, 0xcc, sizeof(ev));
    NdisInitializeEvent(&ev);
    unsigned long long t0 = now_ms();
    T_EQ(NdisWaitEvent(&ev, 30), FALSE); /* not signaled initially: times out */
    T_ASSERT(now_ms() - t0 >= 29);
    NdisSetEvent(&ev);
    T_EQ(NdisWaitEvent(&ev, 1), TRUE);
    T_EQ(NdisWaitEvent(&ev, 0), TRUE); /* stays signaled (notification event) */
    NdisSetEvent(&ev);                 /* setting twice is harmless */
    NdisResetEvent(&ev);
    t0 = now_ms();
    T_EQ(NdisWaitEvent(&ev, 10), FALSE);
    T_ASSERT(now_ms() - t0 >= 9);
    T_EQ(t_reports(), 0);
    t_os_end();
}

struct waiter {
    NDIS_EVENT *ev;
    UINT ms;
    volatile int started, done;
    BOOLEAN result;
    int shared_seen;
};

static int shared_data;

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    __atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
    w->result = NdisWaitEvent(w->ev, w->ms);
    if (w->result)
        w->shared_seen = shared_data; /* ordered after the set */
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

TEST(event_wakes_every_waiter)
{
    t_capture();
    static NDIS_EVENT ev;
    NdisInitializeEvent(&ev);
    enum { N = 4 };
    static struct waiter w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        w[i].ev = &ev;
        w[i].ms = i % 2 ? 0 : 10000; /* unbounded and bounded waits */
        T_EQ(pthread_create(&t[i], NULL, wait_thread, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        T_ASSERT(t_wait_flag(&w[i].started, 5000));
    t_sleep_ms(20);
    for (int i = 0; i < N; i++)
        T_EQ(__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE), 0);
    shared_data = 42;
    /* Set from DISPATCH_LEVEL, as a DPC would. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisSetEvent(&ev);
    KeLowerIrql(old);
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        T_EQ(w[i].result, TRUE);
        T_EQ(w[i].shared_seen, 42);
    }
    T_EQ(t_reports(), 0);
    t_os_end();
}

TEST(event_misuse_reported)
{
    t_capture();
    NDIS_EVENT ev;
    memset(&ev, 0, sizeof(ev));
    NdisSetEvent(&ev); /* never initialized */
    T_EQ(t_reported("NdisSetEvent", "not initialized with NdisInitializeEvent"), 1);
    NdisInitializeEvent(&ev);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    unsigned long long t0 = now_ms();
    T_EQ(NdisWaitEvent(&ev, 0), FALSE); /* would block forever at DISPATCH_LEVEL */
    T_ASSERT(now_ms() - t0 < 100);
    KeLowerIrql(old);
    T_EQ(t_reported("NdisWaitEvent", "Irql_Miscellaneous_Function"), 1);
    t_os_end();
}

struct setter {
    NDIS_EVENT *ev;
    unsigned delay_ms;
};

static void *set_later(void *arg)
{
    struct setter *s = arg;
    t_sleep_ms(s->delay_ms);
    NdisSetEvent(s->ev);
    return NULL;
}

TEST(unbounded_wait_reports_progress)
{
    t_capture();
    struct ndisi_image *img = t_image("waiter");
    static NDIS_EVENT ev;
    NdisInitializeEvent(&ev);
    static struct setter s = {&ev, NDISI_WAIT_DIAG_MS + 300};
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, set_later, &s), 0);
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, img, "MiniportHaltEx", NULL, NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    T_EQ(NdisWaitEvent(&ev, 0), TRUE);
    ndisi_cb_leave(&f);
    pthread_join(t, NULL);
    T_ASSERT(t_diags("driver 'waiter' in MiniportHaltEx has waited") >= 1);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

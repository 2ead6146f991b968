/*
 * test_os_timer.c - NDIS timer objects (one-shot, periodic, absolute, cancel
 * and free semantics, characteristics validation) and the time routines.
 */
#include <pthread.h>
#include <time.h>

#include "os_test.h"
#include "os/timer.h"
#include "os/os.h"
#include "os/time.h"

#define TAG 'rmiT'

struct fire {
    volatile int count;
    pthread_t thread;
    KIRQL irql;
    int kind;
    const char *fn;
    struct ndisi_image *image;
    void *ctx;
    unsigned long long first_ms, last_ms;
    volatile int gate_open, in_callback;
    int block;             /* wait for gate_open in the callback */
    NDIS_HANDLE free_self; /* freed from its own callback */
};

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

static NDIS_TIMER_FUNCTION on_timer;
static void on_timer(PVOID s1, PVOID FunctionContext, PVOID s2, PVOID s3)
{
    (void)s1;
    (void)s2;
    (void)s3;
    struct fire *f = FunctionContext;
    f->thread = pthread_self();
    f->irql = KeGetCurrentIrql();
    f->kind = ndisi_cb_top ? ndisi_cb_top->kind : -1;
    f->fn = ndisi_cb_top ? ndisi_cb_top->fn : NULL;
    f->image = ndisi_cb_current_image();
    f->ctx = FunctionContext;
    if (!f->first_ms)
        f->first_ms = now_ms();
    f->last_ms = now_ms();
    if (f->block) {
        __atomic_store_n(&f->in_callback, 1, __ATOMIC_RELEASE);
        while (!__atomic_load_n(&f->gate_open, __ATOMIC_ACQUIRE))
            t_sleep_ms(1);
    }
    if (f->free_self)
        NdisFreeTimerObject(f->free_self);
    __atomic_fetch_add(&f->count, 1, __ATOMIC_RELEASE);
}

static NDIS_HANDLE new_timer(struct ndisi_image *img, void *ctx)
{
    NDIS_TIMER_CHARACTERISTICS c;
    memset(&c, 0, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    c.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    c.AllocationTag = TAG;
    c.TimerFunction = on_timer;
    c.FunctionContext = ctx;
    NDIS_HANDLE t = NULL;
    T_EQ(NdisAllocateTimerObject(t_h(img), &c, &t), NDIS_STATUS_SUCCESS);
    T_ASSERT(t != NULL);
    return t;
}

static LARGE_INTEGER rel_ms(LONGLONG ms)
{
    LARGE_INTEGER d;
    d.QuadPart = -ms * 10000;
    return d;
}

TEST(one_shot_fires_at_dispatch)
{
    t_capture();
    struct ndisi_image *img = t_image("tmr");
    static struct fire def, expl;
    NDIS_HANDLE t = new_timer(img, &def);
    T_EQ(atomic_load(&img->res[NDISI_RES_TIMER]), 1);
    unsigned long long start = now_ms();
    T_EQ(NdisSetTimerObject(t, rel_ms(20), 0, NULL), FALSE);
    T_ASSERT(t_wait_flag(&def.count, 5000));
    T_ASSERT(def.first_ms - start >= 19);
    T_ASSERT(!pthread_equal(def.thread, pthread_self()));
    T_EQ(def.irql, DISPATCH_LEVEL);
    T_EQ(def.kind, NDISI_CB_TIMER);
    T_STREQ(def.fn, "NDIS_TIMER_FUNCTION");
    T_ASSERT(def.image == img);
    T_ASSERT(def.ctx == &def); /* the characteristics' default context */
    t_sleep_ms(30);
    T_EQ(def.count, 1); /* one-shot */
    T_EQ(NdisCancelTimerObject(t), FALSE);

    /* An explicit FunctionContext overrides the default. */
    T_EQ(NdisSetTimerObject(t, rel_ms(1), 0, &expl), FALSE);
    T_ASSERT(t_wait_flag(&expl.count, 5000));
    T_ASSERT(expl.ctx == &expl);
    T_EQ(def.count, 1);
    NdisFreeTimerObject(t);
    T_EQ(atomic_load(&img->res[NDISI_RES_TIMER]), 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(periodic_fires_until_cancelled)
{
    t_capture();
    struct ndisi_image *img = t_image("periodic");
    static struct fire f;
    NDIS_HANDLE t = new_timer(img, &f);
    unsigned long long start = now_ms();
    NdisSetTimerObject(t, rel_ms(5), 10, NULL);
    while (__atomic_load_n(&f.count, __ATOMIC_ACQUIRE) < 5 && now_ms() - start < 5000)
        t_sleep_ms(1);
    T_ASSERT(f.count >= 5);
    /* 5 ms then four 10 ms periods: at least 45 ms. */
    T_ASSERT(f.last_ms - start >= 44);
    T_EQ(NdisCancelTimerObject(t), TRUE); /* a periodic timer stays queued */
    int n = __atomic_load_n(&f.count, __ATOMIC_ACQUIRE);
    t_sleep_ms(40);
    T_EQ(__atomic_load_n(&f.count, __ATOMIC_ACQUIRE), n);
    T_EQ(NdisCancelTimerObject(t), FALSE);
    NdisFreeTimerObject(t);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(set_and_cancel_return_queued_state)
{
    t_capture();
    struct ndisi_image *img = t_image("queued");
    static struct fire f;
    NDIS_HANDLE t = new_timer(img, &f);
    T_EQ(NdisSetTimerObject(t, rel_ms(10000), 0, NULL), FALSE);
    T_EQ(NdisSetTimerObject(t, rel_ms(10000), 0, NULL), TRUE);
    T_EQ(NdisCancelTimerObject(t), TRUE);
    T_EQ(NdisCancelTimerObject(t), FALSE);
    /* Re-setting moves the due time: the later set wins. */
    NdisSetTimerObject(t, rel_ms(10000), 0, NULL);
    NdisSetTimerObject(t, rel_ms(1), 0, NULL);
    T_ASSERT(t_wait_flag(&f.count, 5000));
    NdisFreeTimerObject(t);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(absolute_due_time)
{
    t_capture();
    struct ndisi_image *img = t_image("abs");
    static struct fire f;
    NDIS_HANDLE t = new_timer(img, &f);
    LARGE_INTEGER due;
    NdisGetCurrentSystemTime(&due);
    due.QuadPart += 20 * 10000; /* 20 ms from now, in system time */
    unsigned long long start = now_ms();
    NdisSetTimerObject(t, due, 0, NULL);
    T_ASSERT(t_wait_flag(&f.count, 5000));
    T_ASSERT(f.first_ms - start >= 15);
    /* A time in the past fires at once. */
    due.QuadPart -= 10000000;
    NdisSetTimerObject(t, due, 0, NULL);
    for (int i = 0; i < 5000 && __atomic_load_n(&f.count, __ATOMIC_ACQUIRE) < 2; i++)
        t_sleep_ms(1);
    T_EQ(f.count, 2);
    NdisFreeTimerObject(t);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

struct call {
    NDIS_HANDLE timer;
    int cancel; /* else free */
    volatile int returned;
    BOOLEAN result;
};

static void *call_thread(void *arg)
{
    struct call *c = arg;
    if (c->cancel)
        c->result = NdisCancelTimerObject(c->timer);
    else
        NdisFreeTimerObject(c->timer);
    __atomic_store_n(&c->returned, 1, __ATOMIC_RELEASE);
    return NULL;
}

TEST(periodic_cancel_waits_for_running_function)
{
    t_capture();
    struct ndisi_image *img = t_image("pcancel");
    static struct fire f;
    f.block = 1;
    NDIS_HANDLE t = new_timer(img, &f);
    NdisSetTimerObject(t, rel_ms(1), 5, NULL);
    T_ASSERT(t_wait_flag(&f.in_callback, 5000));
    static struct call c;
    c.timer = t;
    c.cancel = 1;
    pthread_t th;
    T_EQ(pthread_create(&th, NULL, call_thread, &c), 0);
    t_sleep_ms(50);
    T_EQ(__atomic_load_n(&c.returned, __ATOMIC_ACQUIRE), 0); /* still waiting */
    __atomic_store_n(&f.gate_open, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    T_EQ(c.result, TRUE);
    T_EQ(f.count, 1);
    t_sleep_ms(20);
    T_EQ(f.count, 1); /* cancelled: no further period */
    NdisFreeTimerObject(t);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(free_waits_for_running_function)
{
    t_capture();
    struct ndisi_image *img = t_image("pfree");
    static struct fire f;
    f.block = 1;
    NDIS_HANDLE t = new_timer(img, &f);
    NdisSetTimerObject(t, rel_ms(1), 0, NULL);
    T_ASSERT(t_wait_flag(&f.in_callback, 5000));
    static struct call c;
    c.timer = t;
    pthread_t th;
    T_EQ(pthread_create(&th, NULL, call_thread, &c), 0);
    t_sleep_ms(50);
    T_EQ(__atomic_load_n(&c.returned, __ATOMIC_ACQUIRE), 0);
    __atomic_store_n(&f.gate_open, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    T_EQ(f.count, 1);
    T_EQ(atomic_load(&img->res[NDISI_RES_TIMER]), 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(free_from_own_function)
{
    t_capture();
    struct ndisi_image *img = t_image("selffree");
    static struct fire f;
    NDIS_HANDLE t = new_timer(img, &f);
    f.free_self = t;
    NdisSetTimerObject(t, rel_ms(1), 3, NULL); /* periodic: freeing also cancels */
    T_ASSERT(t_wait_flag(&f.count, 5000));
    ndisi_timer_cancel_image(img); /* waits until the function has returned */
    t_sleep_ms(20);
    T_EQ(f.count, 1);
    T_EQ(atomic_load(&img->res[NDISI_RES_TIMER]), 0);
    /* Freeing a periodic timer that is still queued is reported. */
    T_EQ(t_reported("NdisFreeTimerObject", "still queued (periodic"), 1);
    NdisCancelTimerObject(t);
    T_EQ(t_reported("NdisCancelTimerObject", "stale handle"), 1);
    t_image_done(img);
    t_os_end();
}

TEST(free_while_queued_reported_and_cancelled)
{
    t_capture();
    struct ndisi_image *img = t_image("fq");
    static struct fire f;
    NDIS_HANDLE t = new_timer(img, &f);
    NdisSetTimerObject(t, rel_ms(300), 0, NULL);
    NdisFreeTimerObject(t);
    T_EQ(t_reported("NdisFreeTimerObject", "CancelTimerObject"), 1);
    t_sleep_ms(350);
    T_EQ(f.count, 0);
    t_image_done(img);
    t_os_end();
}

TEST(periodic_cancel_at_dispatch_reported)
{
    t_capture();
    struct ndisi_image *img = t_image("pdisp");
    static struct fire f;
    NDIS_HANDLE t = new_timer(img, &f);
    NdisSetTimerObject(t, rel_ms(10000), 100, NULL);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    T_EQ(NdisCancelTimerObject(t), TRUE);
    KeLowerIrql(old);
    T_EQ(t_reported("NdisCancelTimerObject", "PeriodicTimer"), 1);
    /* A one-shot timer may be cancelled at DISPATCH_LEVEL. */
    NdisSetTimerObject(t, rel_ms(10000), 0, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    T_EQ(NdisCancelTimerObject(t), TRUE);
    KeLowerIrql(old);
    T_EQ(t_reports(), 1);
    NdisFreeTimerObject(t);
    t_image_done(img);
    t_os_end();
}

TEST(bad_characteristics_rejected)
{
    t_capture();
    struct ndisi_image *img = t_image("chars");
    NDIS_TIMER_CHARACTERISTICS c, good;
    NDIS_HANDLE t = (NDIS_HANDLE)1;
    memset(&good, 0, sizeof(good));
    good.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    good.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    good.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    good.AllocationTag = TAG;
    good.TimerFunction = on_timer;

    c = good;
    c.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    T_EQ(NdisAllocateTimerObject(t_h(img), &c, &t), NDIS_STATUS_BAD_CHARACTERISTICS);
    T_ASSERT(t == NULL);
    c = good;
    c.Header.Size = 8;
    T_EQ(NdisAllocateTimerObject(t_h(img), &c, &t), NDIS_STATUS_BAD_CHARACTERISTICS);
    c = good;
    c.Header.Revision = 0;
    T_EQ(NdisAllocateTimerObject(t_h(img), &c, &t), NDIS_STATUS_BAD_CHARACTERISTICS);
    c = good;
    c.TimerFunction = NULL;
    T_EQ(NdisAllocateTimerObject(t_h(img), &c, &t), NDIS_STATUS_BAD_CHARACTERISTICS);
    c = good;
    c.AllocationTag = 0;
    T_EQ(NdisAllocateTimerObject(t_h(img), &c, &t), NDIS_STATUS_BAD_CHARACTERISTICS);
    T_EQ(NdisAllocateTimerObject(t_h(img), NULL, &t), NDIS_STATUS_BAD_CHARACTERISTICS);
    T_EQ(t_reported("NdisAllocateTimerObject", "NDIS_TIMER_CHARACTERISTICS"), 6);
    T_EQ(NdisAllocateTimerObject(t_h(img), &good, NULL), NDIS_STATUS_FAILURE);
    T_EQ(NdisAllocateTimerObject(NULL, &good, &t), NDIS_STATUS_FAILURE);
    T_EQ(NdisSetTimerObject(t_h(img), rel_ms(1), 0, NULL), FALSE); /* not a timer */
    T_EQ(t_reports(), 9);
    T_EQ(atomic_load(&img->res[NDISI_RES_TIMER]), 0);
    t_image_done(img);
    t_os_end();
}

TEST(unload_cancels_image_timers)
{
    t_capture();
    struct ndisi_image *a = t_image("unloadA"), *b = t_image("unloadB");
    static struct fire fa, fb;
    NDIS_HANDLE ta = new_timer(a, &fa), tb = new_timer(b, &fb);
    NdisSetTimerObject(ta, rel_ms(5000), 0, NULL);
    NdisSetTimerObject(tb, rel_ms(30), 0, NULL);
    T_EQ(ndisi_timer_cancel_image(a), 1);
    T_ASSERT(t_wait_flag(&fb.count, 5000));
    t_sleep_ms(20);
    T_EQ(fa.count, 0);
    NdisFreeTimerObject(ta);
    NdisFreeTimerObject(tb);
    T_EQ(t_reports(), 0);
    t_image_done(a);
    t_image_done(b);
    t_os_end();
}

TEST(time_routines)
{
    t_capture();
    T_EQ(KeQueryTimeIncrement(), NDISI_TIME_INCREMENT);
    LARGE_INTEGER t0, t1, f, p0, p1, s, up0, up1;
    KeQueryTickCount(&t0);
    p0 = KeQueryPerformanceCounter(&f);
    NdisGetSystemUpTimeEx(&up0);
    T_EQ(f.QuadPart, 10000000);
    unsigned long long start = now_ms();
    NdisMSleep(20000);
    T_ASSERT(now_ms() - start >= 19);
    KeQueryTickCount(&t1);
    p1 = KeQueryPerformanceCounter(NULL);
    NdisGetSystemUpTimeEx(&up1);
    /* 20 ms is 20 ticks of 1 ms (10000 x 100 ns); allow for scheduling. */
    T_ASSERT(t1.QuadPart - t0.QuadPart >= 19 && t1.QuadPart - t0.QuadPart < 1000);
    T_ASSERT(p1.QuadPart - p0.QuadPart >= 190000);
    T_ASSERT(up1.QuadPart - up0.QuadPart >= 19);
    NdisGetCurrentSystemTime(&s);
    long long unix_s = s.QuadPart / 10000000 - (long long)NDISI_EPOCH_DIFF_SECONDS;
    long long now_s = (long long)time(NULL);
    T_ASSERT(unix_s >= now_s - 2 && unix_s <= now_s + 2);

    /* Stalls busy-wait at any IRQL; more than 50 us is reported. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    NdisStallExecution(40);
    clock_gettime(CLOCK_MONOTONIC, &b);
    T_ASSERT((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 40000);
    T_EQ(t_reports(), 0);
    NdisStallExecution(60);
    T_EQ(t_reported(NULL, "NdisStallExecution_Delay"), 1);
    /* NdisMSleep at DISPATCH_LEVEL is reported and does not sleep. */
    start = now_ms();
    NdisMSleep(2000000);
    T_ASSERT(now_ms() - start < 1000);
    T_EQ(t_reported("NdisMSleep", "Irql_Miniport_Driver_Function"), 1);
    KeLowerIrql(old);
    t_os_end();
}

struct quiesce_ctx {
    NDIS_HANDLE timer;
    volatile int work_ran;
    volatile int gate, entered;
    int dpc_runs;
};

static NDIS_IO_WORKITEM_FUNCTION arm_timer;
static void arm_timer(PVOID ctx, NDIS_HANDLE wi)
{
    (void)wi;
    struct quiesce_ctx *q = ctx;
    t_sleep_ms(20); /* still running when the unload starts */
    NdisSetTimerObject(q->timer, rel_ms(5000), 0, NULL);
    __atomic_store_n(&q->work_ran, 1, __ATOMIC_RELEASE);
}

static KDEFERRED_ROUTINE count_dpc;
static void count_dpc(struct _KDPC *d, PVOID c, PVOID a1, PVOID a2)
{
    (void)d;
    (void)a1;
    (void)a2;
    struct quiesce_ctx *q = c;
    __atomic_fetch_add(&q->dpc_runs, 1, __ATOMIC_RELAXED);
}

static KDEFERRED_ROUTINE gate_dpc;
static void gate_dpc(struct _KDPC *d, PVOID c, PVOID a1, PVOID a2)
{
    (void)d;
    (void)a1;
    (void)a2;
    struct quiesce_ctx *q = c;
    __atomic_store_n(&q->entered, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&q->gate, __ATOMIC_ACQUIRE))
        t_sleep_ms(1);
}

TEST(image_quiesce_before_unload)
{
    t_capture();
    struct ndisi_image *img = t_image("quiesce");
    static struct fire f;
    static struct quiesce_ctx q;
    static KDPC dpc, blocker;
    q.timer = new_timer(img, &f);
    NdisSetTimerObject(q.timer, rel_ms(5000), 0, NULL);
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    NdisQueueIoWorkItem(wi, arm_timer, &q);
    /* The image's DPC waits in the queue behind a DPC of no driver. */
    KeInitializeDpc(&blocker, gate_dpc, &q);
    struct ndisi_cbframe fr;
    t_enter(&fr, img, PASSIVE_LEVEL);
    KeInitializeDpc(&dpc, count_dpc, &q);
    t_leave(&fr);
    KeInsertQueueDpc(&blocker, NULL, NULL);
    T_ASSERT(t_wait_flag(&q.entered, 5000));
    KeInsertQueueDpc(&dpc, NULL, NULL);

    /* The timer (set twice, the second time by the work item) and the DPC. */
    T_ASSERT(ndisi_os_image_quiesce(img) >= 2);
    T_EQ(q.work_ran, 1);                       /* queued work ran first */
    T_EQ(NdisCancelTimerObject(q.timer), FALSE); /* nothing left queued */
    T_EQ(KeRemoveQueueDpc(&dpc), FALSE);
    __atomic_store_n(&q.gate, 1, __ATOMIC_RELEASE);
    t_sleep_ms(50);
    T_EQ(f.count, 0);
    T_EQ(q.dpc_runs, 0);
    NdisFreeIoWorkItem(wi);
    NdisFreeTimerObject(q.timer);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

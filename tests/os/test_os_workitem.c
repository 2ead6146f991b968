/*
 * test_os_workitem.c - NDIS I/O work items and the worker pool: routines run
 * on a worker thread at PASSIVE_LEVEL inside a work-item frame charged to the
 * driver; double queue, free while queued and protocol handles are reported;
 * an item may be freed or queued again from its own routine; the pool stops.
 */
#include <pthread.h>

#include "os_test.h"
#include "os/owned.h"
#include "os/workq.h"

struct run {
    volatile int done;
    pthread_t thread;
    KIRQL irql;
    const struct ndisi_cbframe *frame_copy_valid;
    int kind;
    const char *fn;
    struct ndisi_image *image;
    NDIS_HANDLE handle;
    void *ctx;
    int count;
    NDIS_HANDLE free_me;   /* freed by the routine itself */
    int requeue;           /* times to queue itself again */
};

static void record(struct run *r, NDIS_HANDLE h)
{
    r->thread = pthread_self();
    r->irql = KeGetCurrentIrql();
    r->kind = ndisi_cb_top ? ndisi_cb_top->kind : -1;
    r->fn = ndisi_cb_top ? ndisi_cb_top->fn : NULL;
    r->image = ndisi_cb_current_image();
    r->handle = h;
}

static NDIS_IO_WORKITEM_FUNCTION work_routine;
static void work_routine(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)
{
    struct run *r = WorkItemContext;
    record(r, NdisIoWorkItemHandle);
    r->ctx = WorkItemContext;
    r->count++;
    if (r->requeue > 0) {
        r->requeue--;
        NdisQueueIoWorkItem(NdisIoWorkItemHandle, work_routine, r);
        return;
    }
    if (r->free_me)
        NdisFreeIoWorkItem(r->free_me);
    __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

TEST(routine_runs_at_passive_on_worker)
{
    t_capture();
    struct ndisi_image *img = t_image("wi");
    struct ndisi_cbframe f;
    t_enter(&f, img, DISPATCH_LEVEL); /* queued from DISPATCH_LEVEL */
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    T_ASSERT(wi != NULL);
    T_EQ(atomic_load(&img->res[NDISI_RES_WORKITEM]), 1);
    static struct run r;
    NdisQueueIoWorkItem(wi, work_routine, &r);
    t_leave(&f);
    T_ASSERT(t_wait_flag(&r.done, 5000));
    T_ASSERT(!pthread_equal(r.thread, pthread_self()));
    T_EQ(r.irql, PASSIVE_LEVEL);
    T_EQ(r.kind, NDISI_CB_WORKITEM);
    T_STREQ(r.fn, "NDIS_IO_WORKITEM_ROUTINE");
    T_ASSERT(r.image == img);
    T_ASSERT(r.handle == wi);
    T_ASSERT(r.ctx == &r);
    T_ASSERT(ndisi_workq_flush());
    NdisFreeIoWorkItem(wi);
    T_EQ(atomic_load(&img->res[NDISI_RES_WORKITEM]), 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(free_and_requeue_from_routine)
{
    t_capture();
    struct ndisi_image *img = t_image("wi2");
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    static struct run r;
    r.requeue = 3;
    r.free_me = wi;
    NdisQueueIoWorkItem(wi, work_routine, &r);
    T_ASSERT(t_wait_flag(&r.done, 5000));
    T_ASSERT(ndisi_workq_flush());
    T_EQ(r.count, 4);
    T_EQ(atomic_load(&img->res[NDISI_RES_WORKITEM]), 0);
    /* The handle is stale now. */
    NdisQueueIoWorkItem(wi, work_routine, &r);
    T_EQ(t_reported("NdisQueueIoWorkItem", "stale handle"), 1);
    T_EQ(t_reports(), 1);
    t_image_done(img);
    t_os_end();
}

static volatile int gate_open;
static volatile int gate_entered;

static NDIS_IO_WORKITEM_FUNCTION gated_routine;
static void gated_routine(PVOID ctx, NDIS_HANDLE h)
{
    (void)ctx;
    (void)h;
    __atomic_fetch_add(&gate_entered, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&gate_open, __ATOMIC_ACQUIRE))
        t_sleep_ms(1);
}

TEST(double_queue_and_free_while_queued_reported)
{
    t_capture();
    struct ndisi_image *img = t_image("wi3");
    NDIS_HANDLE blocker = NdisAllocateIoWorkItem(t_h(img));
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    static struct run r;
    /* Occupy every worker so that `wi` stays queued. */
    NDIS_HANDLE more[4];
    for (int i = 0; i < 4; i++)
        more[i] = NdisAllocateIoWorkItem(t_h(img));
    NdisQueueIoWorkItem(blocker, gated_routine, NULL);
    for (int i = 0; i < 4; i++)
        NdisQueueIoWorkItem(more[i], gated_routine, NULL);
    T_ASSERT(t_wait_flag(&gate_entered, 5000));
    NdisQueueIoWorkItem(wi, work_routine, &r);
    NdisQueueIoWorkItem(wi, work_routine, &r);
    T_EQ(t_reported("NdisQueueIoWorkItem", "already queued"), 1);
    NdisFreeIoWorkItem(wi);
    T_EQ(t_reported("NdisFreeIoWorkItem", "is queued"), 1);
    __atomic_store_n(&gate_open, 1, __ATOMIC_RELEASE);
    T_ASSERT(t_wait_flag(&r.done, 5000));
    T_ASSERT(ndisi_workq_flush());
    T_EQ(r.count, 1); /* queued once only */
    NdisFreeIoWorkItem(wi);
    NdisFreeIoWorkItem(blocker);
    for (int i = 0; i < 4; i++)
        NdisFreeIoWorkItem(more[i]);
    T_EQ(t_reports(), 2);
    t_image_done(img);
    t_os_end();
}

TEST(free_while_running_is_deferred)
{
    t_capture();
    struct ndisi_image *img = t_image("wi4");
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    gate_open = 0;
    gate_entered = 0;
    NdisQueueIoWorkItem(wi, gated_routine, NULL);
    T_ASSERT(t_wait_flag(&gate_entered, 5000));
    NdisFreeIoWorkItem(wi); /* the routine still runs: released when it returns */
    T_EQ(atomic_load(&img->res[NDISI_RES_WORKITEM]), 0);
    __atomic_store_n(&gate_open, 1, __ATOMIC_RELEASE);
    T_ASSERT(ndisi_workq_flush());
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(reclaim_at_unload_skips_a_queued_routine)
{
    t_capture();
    struct ndisi_image *img = t_image("wi6");
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    static struct run r;
    /* Occupy every worker (at most four) so that `wi` stays queued. */
    NDIS_HANDLE blockers[5];
    gate_open = 0;
    gate_entered = 0;
    for (int i = 0; i < 5; i++) {
        blockers[i] = NdisAllocateIoWorkItem(t_h(img));
        NdisQueueIoWorkItem(blockers[i], gated_routine, NULL);
    }
    T_ASSERT(t_wait_flag(&gate_entered, 5000));
    /* Every worker inside a blocker (not just the first): an idle one would take
       the reclaimed items below and release `wi` while this thread still checks
       its stale handle. */
    for (int i = 0; i < 5000 && __atomic_load_n(&gate_entered, __ATOMIC_ACQUIRE) <
                                    (t_ndis_threads() < 5 ? t_ndis_threads() : 5);
         i++)
        t_sleep_ms(1);
    NdisQueueIoWorkItem(wi, work_routine, &r);
    /* The driver unloads (as after a work queue flush that timed out). */
    ndisi_workitem_reclaim(img);
    T_EQ(atomic_load(&img->res[NDISI_RES_WORKITEM]), 0);
    T_ASSERT(t_diags("is still queued after the work queue was flushed") >= 1);
    T_ASSERT(t_diags("is still running after the work queue was flushed") >= 1);
    NdisFreeIoWorkItem(wi);
    T_EQ(t_reported("NdisFreeIoWorkItem", "stale handle"), 1);
    __atomic_store_n(&gate_open, 1, __ATOMIC_RELEASE);
    T_ASSERT(ndisi_workq_flush());
    T_EQ(r.count, 0); /* its driver is gone: the routine did not run */
    T_EQ(t_reports(), 1);
    t_image_done(img); /* each item was released by its last run (LeakSanitizer) */
    t_os_end();
}

TEST(protocol_and_bad_handles_reported)
{
    t_capture();
    struct ndisi_obj *proto = ndisi_obj_alloc(NDISI_OBJ_PROTOCOL, sizeof(struct ndisi_protocol));
    T_ASSERT(NdisAllocateIoWorkItem(proto) == NULL);
    T_EQ(t_reported("NdisAllocateIoWorkItem", "Protocol drivers cannot use"), 1);
    ndisi_obj_free(proto);
    T_ASSERT(NdisAllocateIoWorkItem(NULL) == NULL);
    T_EQ(t_reported("NdisAllocateIoWorkItem", "NULL"), 1);
    struct ndisi_image *img = t_image("wi5");
    NdisQueueIoWorkItem(t_h(img), work_routine, NULL); /* not a work item */
    T_EQ(t_reported("NdisQueueIoWorkItem", "I/O work item handle"), 1);
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(t_h(img));
    NdisQueueIoWorkItem(wi, NULL, NULL);
    T_EQ(t_reported("NdisQueueIoWorkItem", "Routine is NULL"), 1);
    NdisFreeIoWorkItem(wi);
    t_image_done(img);
    t_os_end();
}

static volatile int posted;

static void post_fn(void *arg)
{
    __atomic_fetch_add((int *)arg, 1, __ATOMIC_RELAXED);
    KIRQL irql = KeGetCurrentIrql();
    if (irql == PASSIVE_LEVEL && ndisi_workq_on_worker())
        __atomic_fetch_add(&posted, 1, __ATOMIC_RELAXED);
}

TEST(internal_post_flush_and_restart)
{
    t_capture();
    static int n;
    for (int i = 0; i < 100; i++)
        ndisi_workq_post(post_fn, &n);
    T_ASSERT(ndisi_workq_flush());
    T_EQ(__atomic_load_n(&n, __ATOMIC_RELAXED), 100);
    T_EQ(posted, 100);
    T_ASSERT(t_ndis_threads() >= 2 && t_ndis_threads() <= 4);
    ndisi_workq_shutdown();
    T_EQ(t_ndis_threads_after_join(), 0);
    /* Posting again starts the pool again. */
    ndisi_workq_post(post_fn, &n);
    T_ASSERT(ndisi_workq_flush());
    T_EQ(__atomic_load_n(&n, __ATOMIC_RELAXED), 101);
    T_EQ(t_reports(), 0);
    t_os_end();
}

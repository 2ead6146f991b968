/*
 * workq.c - the worker pool (see workq.h).
 *
 * One mutex guards the FIFO, the count of running items and the thread set.
 * Workers wait on `work_cond`; flushers wait on the waitq's condition variable,
 * which is broadcast whenever the pool becomes idle. Items run with no lock
 * held, at PASSIVE_LEVEL.
 */
#include "os/workq.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wdm.h>

#include "core/cbctx.h"
#include "core/verifier.h"
#include "core/wait.h"
#include "os/os.h"

#define WQ_MIN_THREADS 2
#define WQ_MAX_THREADS 4

static struct {
    pthread_once_t once;
    struct ndisi_waitq wq;     /* lock guards everything below; cond: "pool idle" */
    pthread_cond_t work_cond;  /* "work queued or stopping" */
    LIST_ENTRY queue;          /* struct ndisi_workq_entry.link */
    unsigned long queued;
    unsigned running;          /* items being run */
    unsigned nthreads;
    bool stopping;
    pthread_t threads[WQ_MAX_THREADS];
} g_wq = {.once = PTHREAD_ONCE_INIT};

static __thread bool wq_is_worker;

static void wq_init(void)
{
    pthread_condattr_t ca;
    ndisi_waitq_init(&g_wq.wq);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g_wq.work_cond, &ca);
    pthread_condattr_destroy(&ca);
    InitializeListHead(&g_wq.queue);
}

bool ndisi_workq_on_worker(void)
{
    return wq_is_worker;
}

static void *worker_main(void *unused)
{
    (void)unused;
    wq_is_worker = true;
    ndisi_cur_irql = PASSIVE_LEVEL;
    pthread_mutex_lock(&g_wq.wq.lock);
    for (;;) {
        while (IsListEmpty(&g_wq.queue) && !g_wq.stopping)
            pthread_cond_wait(&g_wq.work_cond, &g_wq.wq.lock);
        if (g_wq.stopping)
            break;
        struct ndisi_workq_entry *e =
            CONTAINING_RECORD(RemoveHeadList(&g_wq.queue), struct ndisi_workq_entry, link);
        g_wq.queued--;
        g_wq.running++;
        pthread_mutex_unlock(&g_wq.wq.lock);

        void (*fn)(void *) = e->fn;
        void *arg = e->arg;
        if (e->heap)
            free(e);
        fn(arg);
        if (ndisi_cur_irql != PASSIVE_LEVEL) {
            ndisi_diag("a work item returned at IRQL %u; worker reset to PASSIVE_LEVEL",
                       (unsigned)ndisi_cur_irql);
            ndisi_cur_irql = PASSIVE_LEVEL;
        }

        pthread_mutex_lock(&g_wq.wq.lock);
        g_wq.running--;
        if (g_wq.running == 0 && IsListEmpty(&g_wq.queue))
            pthread_cond_broadcast(&g_wq.wq.cond);
    }
    pthread_mutex_unlock(&g_wq.wq.lock);
    return NULL;
}

/* Starts the workers if there are none; called with the lock held. */
static void wq_start_locked(void)
{
    if (g_wq.nthreads > 0 || g_wq.stopping)
        return;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned want = ncpu < WQ_MIN_THREADS   ? WQ_MIN_THREADS
                    : ncpu > WQ_MAX_THREADS ? WQ_MAX_THREADS
                                            : (unsigned)ncpu;
    for (unsigned i = 0; i < want; i++) {
        int rc = ndisi_os_thread_create(&g_wq.threads[g_wq.nthreads], worker_main, NULL,
                                        "ndis-worker");
        if (rc != 0) {
            ndisi_diag("cannot start an NDIS worker thread: %s", strerror(rc));
            break;
        }
        g_wq.nthreads++;
    }
}

void ndisi_workq_post_entry(struct ndisi_workq_entry *e)
{
    pthread_once(&g_wq.once, wq_init);
    pthread_mutex_lock(&g_wq.wq.lock);
    wq_start_locked();
    InsertTailList(&g_wq.queue, &e->link);
    g_wq.queued++;
    pthread_cond_signal(&g_wq.work_cond);
    pthread_mutex_unlock(&g_wq.wq.lock);
}

void ndisi_workq_post(void (*fn)(void *), void *arg)
{
    struct ndisi_workq_entry *e = malloc(sizeof(*e));
    if (!e) {
        ndisi_diag("out of memory queuing NDIS deferred work; aborting");
        abort();
    }
    e->fn = fn;
    e->arg = arg;
    e->heap = true;
    ndisi_workq_post_entry(e);
}

static bool wq_idle(void *ctx)
{
    (void)ctx;
    return IsListEmpty(&g_wq.queue) && g_wq.running <= (wq_is_worker ? 1u : 0u);
}

static void wq_describe(void *ctx, char *buf, size_t len)
{
    (void)ctx;
    /* Called with the lock held. */
    snprintf(buf, len, "%lu work item(s) queued, %u running on %u worker thread(s)",
             g_wq.queued, g_wq.running - (wq_is_worker ? 1u : 0u), g_wq.nthreads);
}

bool ndisi_workq_flush(void)
{
    pthread_once(&g_wq.once, wq_init);
    unsigned bound = ndisi_os_wait_bound_ms();
    if (ndisi_wait_for(&g_wq.wq, wq_idle, NULL, wq_describe, NULL,
                       "the NDIS worker threads to become idle", bound))
        return true;
    char what[160];
    pthread_mutex_lock(&g_wq.wq.lock);
    wq_describe(NULL, what, sizeof(what));
    pthread_mutex_unlock(&g_wq.wq.lock);
    ndisi_report(NDISI_V_TIMEOUT, "NDIS_IO_WORKITEM_ROUTINE",
                 "work items must complete in bounded time",
                 "the worker pool did not become idle within %u ms: %s", bound, what);
    return false;
}

void ndisi_workq_shutdown(void)
{
    pthread_once(&g_wq.once, wq_init);
    ndisi_workq_flush();

    LIST_ENTRY dropped;
    unsigned long ndropped = 0;
    pthread_t threads[WQ_MAX_THREADS];
    unsigned n;

    InitializeListHead(&dropped);
    pthread_mutex_lock(&g_wq.wq.lock);
    g_wq.stopping = true;
    pthread_cond_broadcast(&g_wq.work_cond);
    while (!IsListEmpty(&g_wq.queue)) {
        InsertTailList(&dropped, RemoveHeadList(&g_wq.queue));
        ndropped++;
    }
    g_wq.queued = 0;
    n = g_wq.nthreads;
    for (unsigned i = 0; i < n; i++)
        threads[i] = g_wq.threads[i];
    pthread_mutex_unlock(&g_wq.wq.lock);

    if (ndropped)
        ndisi_report(NDISI_V_TIMEOUT, "NDIS_IO_WORKITEM_ROUTINE",
                     "work items must complete in bounded time",
                     "%lu queued work item(s) dropped at shutdown", ndropped);
    while (!IsListEmpty(&dropped)) {
        struct ndisi_workq_entry *e =
            CONTAINING_RECORD(RemoveHeadList(&dropped), struct ndisi_workq_entry, link);
        if (e->heap)
            free(e);
    }

    for (unsigned i = 0; i < n; i++) {
        if (wq_is_worker && pthread_equal(threads[i], pthread_self())) {
            pthread_detach(threads[i]); /* shutting down from a work item */
            continue;
        }
        ndisi_os_thread_join(threads[i], "NDIS worker thread");
    }

    pthread_mutex_lock(&g_wq.wq.lock);
    g_wq.nthreads = 0;
    g_wq.stopping = false;
    pthread_mutex_unlock(&g_wq.wq.lock);
}

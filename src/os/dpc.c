/*
 * dpc.c - KeInitializeDpc, KeInsertQueueDpc, KeRemoveQueueDpc, KeFlushQueuedDpcs.
 *
 * One process-wide DPC thread runs queued DPCs in FIFO order at
 * DISPATCH_LEVEL inside an NDISI_CB_DPC frame. The KDPC is the caller's
 * storage (wdm.h): the queue is linked through DpcListEntry, DpcData is
 * non-NULL exactly while the DPC is queued (so KeInsertQueueDpc can say
 * whether it was), Type is DpcObject once initialized, and ProcessorHistory
 * holds the driver image that initialized it, so that the routine runs
 * charged to that driver.
 *
 * KeFlushQueuedDpcs queues a marker of its own (Type DPC_FLUSH_MARKER, not a
 * driver's DPC) and waits until the DPC thread reaches it: the thread runs
 * one DPC at a time in FIFO order, so by then every DPC queued before the call
 * has run (or was removed), including one running at the time of the call.
 */
#include "os/dpc.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "core/wait.h"
#include "os/os.h"

#define DPC_OBJECT_TYPE 19       /* DpcObject in Windows' KOBJECTS */
#define DPC_MEDIUM_IMPORTANCE 1  /* MediumImportance, KeInitializeDpc's default */
#define DPC_FLUSH_MARKER 0xf1    /* KeFlushQueuedDpcs's marker; never a driver's DPC */

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t cond;      /* DPC thread: queued or stopping */
    pthread_cond_t done_cond; /* a DPC routine returned */
    PSINGLE_LIST_ENTRY head, tail;
    unsigned long queued;
    bool started, stopping;
    pthread_t thread;
    PRKDPC running;
    struct ndisi_image *running_image;
} g_dpc = {.once = PTHREAD_ONCE_INIT};

/* DpcData while queued: any non-NULL marker that is not a valid object. */
static char dpc_queued_marker;

static __thread bool dpc_is_dpc_thread;

static void dpc_init(void)
{
    pthread_condattr_t ca;
    pthread_mutex_init(&g_dpc.lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g_dpc.cond, &ca);
    pthread_cond_init(&g_dpc.done_cond, &ca);
    pthread_condattr_destroy(&ca);
}

static PRKDPC entry_dpc(PSINGLE_LIST_ENTRY e)
{
    return CONTAINING_RECORD(e, KDPC, DpcListEntry);
}

static struct ndisi_image *dpc_image(const KDPC *dpc)
{
    return (struct ndisi_image *)dpc->ProcessorHistory;
}

/* Unlinks dpc from the queue (lock held); returns false if it is not there. */
static bool queue_remove_locked(PRKDPC dpc)
{
    PSINGLE_LIST_ENTRY prev = NULL;
    for (PSINGLE_LIST_ENTRY e = g_dpc.head; e; prev = e, e = e->Next) {
        if (e != &dpc->DpcListEntry)
            continue;
        if (prev)
            prev->Next = e->Next;
        else
            g_dpc.head = e->Next;
        if (g_dpc.tail == e)
            g_dpc.tail = prev;
        e->Next = NULL;
        g_dpc.queued--;
        dpc->DpcData = NULL;
        return true;
    }
    return false;
}

/* Queues dpc at the tail (lock held) and wakes the DPC thread. */
static void queue_append_locked(PRKDPC dpc)
{
    dpc->DpcData = &dpc_queued_marker;
    dpc->DpcListEntry.Next = NULL;
    if (g_dpc.tail)
        g_dpc.tail->Next = &dpc->DpcListEntry;
    else
        g_dpc.head = &dpc->DpcListEntry;
    g_dpc.tail = &dpc->DpcListEntry;
    g_dpc.queued++;
    pthread_cond_signal(&g_dpc.cond);
}

static void *dpc_main(void *unused)
{
    (void)unused;
    dpc_is_dpc_thread = true;
    ndisi_cur_irql = PASSIVE_LEVEL;
    pthread_mutex_lock(&g_dpc.lock);
    while (!g_dpc.stopping) {
        if (!g_dpc.head) {
            pthread_cond_wait(&g_dpc.cond, &g_dpc.lock);
            continue;
        }
        PRKDPC dpc = entry_dpc(g_dpc.head);
        queue_remove_locked(dpc);
        if (dpc->Type == DPC_FLUSH_MARKER) {
            *(bool *)dpc->DeferredContext = true; /* the flusher's flag */
            pthread_cond_broadcast(&g_dpc.done_cond);
            continue;
        }
        /* Dequeued before it runs: the routine may queue its DPC again. */
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID ctx = dpc->DeferredContext, a1 = dpc->SystemArgument1,
              a2 = dpc->SystemArgument2;
        struct ndisi_image *img = dpc_image(dpc);
        g_dpc.running = dpc;
        g_dpc.running_image = img;
        pthread_mutex_unlock(&g_dpc.lock);

        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, img, "KDEFERRED_ROUTINE", NULL, NDISI_CB_DPC, DISPATCH_LEVEL);
        routine(dpc, ctx, a1, a2);
        ndisi_cb_leave(&f);

        pthread_mutex_lock(&g_dpc.lock);
        g_dpc.running = NULL;
        g_dpc.running_image = NULL;
        pthread_cond_broadcast(&g_dpc.done_cond);
    }
    pthread_mutex_unlock(&g_dpc.lock);
    return NULL;
}

VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                     _In_opt_ PVOID DeferredContext)
{
    if (!Dpc || !DeferredRoutine) {
        ndisi_report(NDISI_V_PARAMETER, "KeInitializeDpc",
                     "Dpc and DeferredRoutine must not be NULL", "%s is NULL",
                     Dpc ? "DeferredRoutine" : "Dpc");
        return;
    }
    memset(Dpc, 0, sizeof(*Dpc));
    Dpc->Type = DPC_OBJECT_TYPE;
    Dpc->Importance = DPC_MEDIUM_IMPORTANCE;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->ProcessorHistory = (KAFFINITY)(ULONG_PTR)ndisi_cb_current_image();
}

/*
 * nf-wdm-keinsertqueuedpc.md: "If the specified DPC object has already been
 * queued, no operation is performed except to return FALSE."
 */
BOOLEAN KeInsertQueueDpc(_Inout_ PRKDPC Dpc, _In_opt_ PVOID SystemArgument1,
                         _In_opt_ PVOID SystemArgument2)
{
    if (!Dpc || Dpc->Type != DPC_OBJECT_TYPE || !Dpc->DeferredRoutine) {
        ndisi_report(NDISI_V_PARAMETER, "KeInsertQueueDpc",
                     "the DPC must have been initialized by KeInitializeDpc",
                     "Dpc %p is %s", (void *)Dpc, Dpc ? "not an initialized DPC object" : "NULL");
        return FALSE;
    }
    pthread_once(&g_dpc.once, dpc_init);
    pthread_mutex_lock(&g_dpc.lock);
    if (Dpc->DpcData) {
        pthread_mutex_unlock(&g_dpc.lock);
        return FALSE;
    }
    if (!g_dpc.started && !g_dpc.stopping) {
        int rc = ndisi_os_thread_create(&g_dpc.thread, dpc_main, NULL, "ndis-dpc");
        if (rc != 0) {
            pthread_mutex_unlock(&g_dpc.lock);
            ndisi_diag("cannot start the NDIS DPC thread: %s", strerror(rc));
            return FALSE;
        }
        g_dpc.started = true;
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    queue_append_locked(Dpc);
    pthread_mutex_unlock(&g_dpc.lock);
    return TRUE;
}

/*
 * nf-wdm-keremovequeuedpc.md: TRUE "always means that KeRemoveQueueDpc
 * successfully removed the DPC object from the DPC queue before the DPC
 * routine started to run".
 */
BOOLEAN KeRemoveQueueDpc(_Inout_ PRKDPC Dpc)
{
    if (!Dpc || Dpc->Type != DPC_OBJECT_TYPE) {
        ndisi_report(NDISI_V_PARAMETER, "KeRemoveQueueDpc",
                     "the DPC must have been initialized by KeInitializeDpc",
                     "Dpc %p is %s", (void *)Dpc, Dpc ? "not an initialized DPC object" : "NULL");
        return FALSE;
    }
    pthread_once(&g_dpc.once, dpc_init);
    pthread_mutex_lock(&g_dpc.lock);
    BOOLEAN removed = Dpc->DpcData && queue_remove_locked(Dpc) ? TRUE : FALSE;
    pthread_mutex_unlock(&g_dpc.lock);
    return removed;
}

/*
 * WDK semantics (wdm.h; no page in the reference set): called at
 * PASSIVE_LEVEL, returns after all DPCs queued at the time of the call have
 * run. The wait is bounded by the wait bound (ndisi_os_wait_bound_ms), with
 * a diagnostic naming what it waits for every NDISI_WAIT_DIAG_MS.
 */
VOID KeFlushQueuedDpcs(VOID)
{
    const char *ddi = "KeFlushQueuedDpcs";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, "_IRQL_requires_max_(PASSIVE_LEVEL)"))
        return;
    if (dpc_is_dpc_thread) {
        /* A DPC routine that lowered its IRQL would wait for itself. */
        ndisi_report(NDISI_V_STATE, ddi, "KeFlushQueuedDpcs is not called from a DPC routine",
                     "called on the DPC thread: it would wait for itself; returning at once");
        return;
    }
    pthread_once(&g_dpc.once, dpc_init);
    pthread_mutex_lock(&g_dpc.lock);
    if (!g_dpc.started || g_dpc.stopping || (!g_dpc.head && !g_dpc.running)) {
        pthread_mutex_unlock(&g_dpc.lock);
        return; /* nothing queued or running */
    }
    KDPC marker = {.Type = DPC_FLUSH_MARKER};
    bool reached = false;
    marker.DeferredContext = &reached;
    queue_append_locked(&marker);
    unsigned long long start = ndisi_now_ms(), until = start + ndisi_os_wait_bound_ms();
    unsigned long long next_diag = start + NDISI_WAIT_DIAG_MS;
    while (!reached) {
        unsigned long long now = ndisi_now_ms();
        if (now >= until)
            break;
        if (now >= next_diag) {
            ndisi_diag("%s: still waiting after %llu ms for the DPCs queued before it "
                       "(%lu queued)", ddi, now - start, g_dpc.queued);
            next_diag = now + NDISI_WAIT_DIAG_MS;
        }
        unsigned long long wake = next_diag < until ? next_diag : until;
        struct timespec ts = {.tv_sec = (time_t)(wake / 1000u),
                              .tv_nsec = (long)(wake % 1000u) * 1000000L};
        pthread_cond_timedwait(&g_dpc.done_cond, &g_dpc.lock, &ts);
    }
    if (!reached)
        queue_remove_locked(&marker); /* the marker lives on this stack */
    pthread_mutex_unlock(&g_dpc.lock);
    if (!reached)
        ndisi_report(NDISI_V_TIMEOUT, ddi, "DPC routines must return",
                     "the DPCs queued before the call did not all run within %u ms: a DPC "
                     "routine does not return", ndisi_os_wait_bound_ms());
}

unsigned ndisi_dpc_cancel_image(struct ndisi_image *img)
{
    unsigned n = 0;
    bool again;
    pthread_once(&g_dpc.once, dpc_init);
    pthread_mutex_lock(&g_dpc.lock);
    do {
        again = false;
        for (PSINGLE_LIST_ENTRY e = g_dpc.head; e;) {
            PRKDPC dpc = entry_dpc(e);
            e = e->Next;
            if (dpc_image(dpc) == img) {
                queue_remove_locked(dpc);
                n++;
            }
        }
        if (g_dpc.running && g_dpc.running_image == img && !dpc_is_dpc_thread) {
            while (g_dpc.running && g_dpc.running_image == img)
                pthread_cond_wait(&g_dpc.done_cond, &g_dpc.lock);
            again = true; /* the routine may have queued a DPC again */
        }
    } while (again);
    pthread_mutex_unlock(&g_dpc.lock);
    return n;
}

void ndisi_dpc_shutdown(void)
{
    pthread_once(&g_dpc.once, dpc_init);
    pthread_mutex_lock(&g_dpc.lock);
    /* Queued DPCs run "as soon as possible": let the queue drain first. */
    if (g_dpc.started && !dpc_is_dpc_thread) {
        unsigned long long until = ndisi_now_ms() + ndisi_os_wait_bound_ms();
        while ((g_dpc.head || g_dpc.running) && ndisi_now_ms() < until) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += 50 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&g_dpc.done_cond, &g_dpc.lock, &ts);
        }
    }
    bool started = g_dpc.started;
    g_dpc.stopping = true;
    pthread_cond_broadcast(&g_dpc.cond);
    pthread_mutex_unlock(&g_dpc.lock);
    if (started && !dpc_is_dpc_thread)
        ndisi_os_thread_join(g_dpc.thread, "NDIS DPC thread");
    else if (started)
        pthread_detach(g_dpc.thread);

    pthread_mutex_lock(&g_dpc.lock);
    unsigned long left = g_dpc.queued;
    while (g_dpc.head)
        queue_remove_locked(entry_dpc(g_dpc.head));
    g_dpc.started = false;
    g_dpc.stopping = false;
    pthread_mutex_unlock(&g_dpc.lock);
    if (left)
        ndisi_report(NDISI_V_LEAK, "KeInsertQueueDpc", "queued DPCs must run or be removed",
                     "%lu DPC(s) still queued at shutdown were removed without running",
                     left);
}

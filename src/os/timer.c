/*
 * timer.c - NDIS timer objects: NdisAllocateTimerObject, NdisSetTimerObject,
 * NdisCancelTimerObject, NdisFreeTimerObject.
 *
 * One process-wide timer thread keeps the queued timers in a binary min-heap
 * ordered by due time (CLOCK_MONOTONIC) and sleeps on a condition variable
 * until the earliest is due. It runs each timer function at DISPATCH_LEVEL
 * inside an NDISI_CB_TIMER frame, with no lock held, one at a time. A periodic
 * timer is queued again before its function runs, as a periodic KTIMER is, so
 * NdisCancelTimerObject on it returns TRUE.
 *
 * The heap never allocates while a timer is set: NdisAllocateTimerObject
 * reserves one slot per timer object (the only step that can fail with
 * NDIS_STATUS_RESOURCES).
 *
 * Timer objects are listed by driver (owned.h): at unload, after the driver's
 * timers were dequeued (ndisi_timer_cancel_image), those it did not free are
 * released (ndisi_timer_reclaim).
 */
#include "os/timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/obj.h"
#include "core/verifier.h"
#include "core/wait.h"
#include "os/memory.h"
#include "os/os.h"
#include "os/owned.h"
#include "os/time.h"

struct ndisi_timer {
    struct ndisi_obj obj;
    struct ndisi_image *image;
    struct ndisi_owned owned;   /* in g_timers from allocation to free */
    PNDIS_TIMER_FUNCTION fn;
    PVOID default_ctx;
    ULONG tag;
    /* Guarded by g_tm.lock. */
    bool queued;
    bool free_pending;  /* freed by its own timer function: release after it returns */
    size_t heap_index;
    uint64_t due_ns;
    uint64_t seq;       /* FIFO order among equal due times */
    uint32_t period_ms; /* of the last NdisSetTimerObject */
    PVOID ctx;
    char label[NDISI_NAME_MAX + 40];
};

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t cond;      /* timer thread: earliest changed, or stopping */
    pthread_cond_t done_cond; /* a timer function returned */
    struct ndisi_timer **heap;
    size_t n, cap;
    size_t nobjects;          /* allocated timer objects (heap slots reserved) */
    uint64_t seq;
    bool started, stopping;
    pthread_t thread;
    struct ndisi_timer *running; /* timer whose function runs now */
} g_tm = {.once = PTHREAD_ONCE_INIT};

static NDISI_OWNED_LIST(g_timers, NDISI_RES_TIMER);

static __thread bool tm_is_timer_thread;

static void tm_init(void)
{
    pthread_condattr_t ca;
    pthread_mutex_init(&g_tm.lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g_tm.cond, &ca);
    pthread_cond_init(&g_tm.done_cond, &ca);
    pthread_condattr_destroy(&ca);
}

static uint64_t mono_ns(void)
{
    return ndisi_now_ns();
}

static struct timespec ns_to_ts(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    return ts;
}

/* ---- the heap (g_tm.lock held) ---------------------------------------------- */

static bool heap_less(const struct ndisi_timer *a, const struct ndisi_timer *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_set(size_t i, struct ndisi_timer *t)
{
    g_tm.heap[i] = t;
    t->heap_index = i;
}

static void heap_up(size_t i)
{
    struct ndisi_timer *t = g_tm.heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(t, g_tm.heap[p]))
            break;
        heap_set(i, g_tm.heap[p]);
        i = p;
    }
    heap_set(i, t);
}

static void heap_down(size_t i)
{
    struct ndisi_timer *t = g_tm.heap[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct ndisi_timer *best = t;
        if (l < g_tm.n && heap_less(g_tm.heap[l], best)) {
            m = l;
            best = g_tm.heap[l];
        }
        if (r < g_tm.n && heap_less(g_tm.heap[r], best))
            m = r;
        if (m == i)
            break;
        heap_set(i, g_tm.heap[m]);
        i = m;
    }
    heap_set(i, t);
}

static void heap_push(struct ndisi_timer *t)
{
    t->seq = g_tm.seq++;
    heap_set(g_tm.n++, t);
    heap_up(t->heap_index);
    t->queued = true;
}

static void heap_remove(struct ndisi_timer *t)
{
    size_t i = t->heap_index;
    struct ndisi_timer *last = g_tm.heap[--g_tm.n];
    t->queued = false;
    if (i == g_tm.n)
        return;
    heap_set(i, last);
    heap_up(i);
    heap_down(last->heap_index);
}

/* ---- the timer thread ------------------------------------------------------------ */

static void *timer_main(void *unused)
{
    (void)unused;
    tm_is_timer_thread = true;
    ndisi_cur_irql = PASSIVE_LEVEL;
    pthread_mutex_lock(&g_tm.lock);
    while (!g_tm.stopping) {
        if (g_tm.n == 0) {
            pthread_cond_wait(&g_tm.cond, &g_tm.lock);
            continue;
        }
        struct ndisi_timer *t = g_tm.heap[0];
        uint64_t now = mono_ns();
        if (t->due_ns > now) {
            struct timespec ts = ns_to_ts(t->due_ns);
            pthread_cond_timedwait(&g_tm.cond, &g_tm.lock, &ts);
            continue;
        }
        heap_remove(t);
        PNDIS_TIMER_FUNCTION fn = t->fn;
        PVOID ctx = t->ctx;
        if (t->period_ms) {
            /* nf-ndis-ndissettimerobject.md: a periodic timer "is requeued and
               the caller-supplied NetTimerCallback function is run once". Keep
               the cadence; skip periods already missed. */
            uint64_t period = (uint64_t)t->period_ms * 1000000u;
            t->due_ns += period;
            if (t->due_ns <= now)
                t->due_ns = now + period;
            heap_push(t);
        }
        g_tm.running = t;
        pthread_mutex_unlock(&g_tm.lock);

        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, t->image, "NDIS_TIMER_FUNCTION", t->label, NDISI_CB_TIMER,
                       DISPATCH_LEVEL);
        fn(NULL, ctx, NULL, NULL);
        ndisi_cb_leave(&f);

        pthread_mutex_lock(&g_tm.lock);
        /* Released before `running` clears: whoever waits for the function to
           return also sees the object gone. */
        if (t->free_pending)
            ndisi_obj_free(t);
        g_tm.running = NULL;
        pthread_cond_broadcast(&g_tm.done_cond);
    }
    pthread_mutex_unlock(&g_tm.lock);
    return NULL;
}

static void tm_start_locked(void)
{
    if (g_tm.started || g_tm.stopping)
        return;
    int rc = ndisi_os_thread_create(&g_tm.thread, timer_main, NULL, "ndis-timer");
    if (rc != 0) {
        ndisi_diag("cannot start the NDIS timer thread: %s", strerror(rc));
        return;
    }
    g_tm.started = true;
}

/*
 * Waits until `t`'s function is not running (g_tm.lock held). Not bounded: the
 * pages promise the function has finished; a diagnostic names the wait.
 */
static void wait_not_running_locked(struct ndisi_timer *t, const char *ddi)
{
    uint64_t start = mono_ns(), next = start + (uint64_t)NDISI_WAIT_DIAG_MS * 1000000u;
    while (g_tm.running == t) {
        struct timespec ts = ns_to_ts(next);
        pthread_cond_timedwait(&g_tm.done_cond, &g_tm.lock, &ts);
        uint64_t now = mono_ns();
        if (g_tm.running == t && now >= next) {
            ndisi_diag("%s: still waiting after %llu ms for the NDIS_TIMER_FUNCTION of %s "
                       "to return", ddi, (unsigned long long)((now - start) / 1000000u),
                       t->label);
            next = now + (uint64_t)NDISI_WAIT_DIAG_MS * 1000000u;
        }
    }
}

/* ---- the DDIs -------------------------------------------------------------------- */

static bool bad_chars(const NDIS_TIMER_CHARACTERISTICS *c, const char **why)
{
    if (!c)
        *why = "TimerCharacteristics is NULL";
    else if (c->Header.Type != NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS)
        *why = "Header.Type is not NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS";
    else if (c->Header.Revision < NDIS_TIMER_CHARACTERISTICS_REVISION_1)
        *why = "Header.Revision is not NDIS_TIMER_CHARACTERISTICS_REVISION_1";
    else if (c->Header.Size < NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1)
        *why = "Header.Size is smaller than NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1";
    else if (!c->TimerFunction)
        *why = "TimerFunction is NULL";
    else if (c->AllocationTag == 0)
        *why = "AllocationTag is 0 (\"You must provide this tag\")";
    else
        return false;
    return true;
}

NDIS_STATUS NdisAllocateTimerObject(_In_ NDIS_HANDLE NdisHandle,
                                    _In_ PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
                                    _Out_ PNDIS_HANDLE pTimerObject)
{
    const char *why;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisAllocateTimerObject", "Irql_Timer_Function");
    if (!pTimerObject) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAllocateTimerObject",
                     "pTimerObject must point to storage for the handle",
                     "pTimerObject is NULL");
        return NDIS_STATUS_FAILURE;
    }
    *pTimerObject = NULL;
    struct ndisi_image *img = ndisi_image_from_handle(NdisHandle, "NdisAllocateTimerObject");
    if (!img)
        return NDIS_STATUS_FAILURE;
    if (bad_chars(TimerCharacteristics, &why)) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAllocateTimerObject",
                     "NDIS_TIMER_CHARACTERISTICS must be valid (ns-ndis-_ndis_timer_"
                     "characteristics.md)",
                     "driver '%s': %s", img->name, why);
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }

    struct ndisi_timer *t = ndisi_obj_alloc(NDISI_OBJ_TIMER, sizeof(*t));
    if (!t)
        return NDIS_STATUS_RESOURCES;
    pthread_once(&g_tm.once, tm_init);
    pthread_mutex_lock(&g_tm.lock);
    if (g_tm.nobjects + 1 > g_tm.cap) {
        size_t cap = g_tm.cap ? g_tm.cap * 2 : 16;
        struct ndisi_timer **h = realloc(g_tm.heap, cap * sizeof(*h));
        if (!h) {
            pthread_mutex_unlock(&g_tm.lock);
            ndisi_obj_free(t);
            return NDIS_STATUS_RESOURCES;
        }
        g_tm.heap = h;
        g_tm.cap = cap;
    }
    g_tm.nobjects++;
    pthread_mutex_unlock(&g_tm.lock);

    char tag[5];
    ndisi_tag_str(TimerCharacteristics->AllocationTag, tag);
    snprintf(t->label, sizeof(t->label), "timer '%s' of driver '%s'", tag, img->name);
    t->obj.label = t->label;
    t->image = img;
    t->fn = TimerCharacteristics->TimerFunction;
    t->default_ctx = TimerCharacteristics->FunctionContext;
    t->tag = TimerCharacteristics->AllocationTag;
    ndisi_owned_add(&g_timers, &t->owned, img);
    *pTimerObject = t;
    return NDIS_STATUS_SUCCESS;
}

/* Monotonic due time of a DueTime in 100 ns units (negative: relative). */
static uint64_t due_from(LONGLONG due, uint64_t now)
{
    const uint64_t max_delay = (uint64_t)1 << 62;
    uint64_t delay;
    if (due < 0) {
        uint64_t units = due == INT64_MIN ? (uint64_t)INT64_MAX : (uint64_t)(-due);
        delay = units > max_delay / 100u ? max_delay : units * 100u;
    } else {
        /* Absolute system time; the conversion is made now, so a later change
           of the system clock does not move the timer. */
        int64_t d = due - ndisi_system_time();
        delay = d <= 0 ? 0 : (uint64_t)d > max_delay / 100u ? max_delay : (uint64_t)d * 100u;
    }
    return now + delay;
}

BOOLEAN NdisSetTimerObject(_In_ NDIS_HANDLE TimerObject, _In_ LARGE_INTEGER DueTime,
                           _In_opt_ LONG MillisecondsPeriod, _In_opt_ PVOID FunctionContext)
{
    struct ndisi_timer *t =
        ndisi_obj_check(TimerObject, NDISI_OBJ_TIMER, "NdisSetTimerObject", "TimerObject");
    if (!t)
        return FALSE;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisSetTimerObject", "Irql_Timer_Function");
    if (MillisecondsPeriod < 0) {
        ndisi_report(NDISI_V_PARAMETER, "NdisSetTimerObject",
                     "MillisecondsPeriod must be less than or equal to MAXLONG",
                     "MillisecondsPeriod is %ld for %s", (long)MillisecondsPeriod, t->label);
        return FALSE;
    }

    pthread_mutex_lock(&g_tm.lock);
    BOOLEAN was = t->queued ? TRUE : FALSE;
    if (t->queued)
        heap_remove(t);
    t->due_ns = due_from(DueTime.QuadPart, mono_ns());
    t->period_ms = (uint32_t)MillisecondsPeriod;
    /* "If this parameter is NULL, NDIS uses the default value that is specified
       in the NDIS_TIMER_CHARACTERISTICS structure." */
    t->ctx = FunctionContext ? FunctionContext : t->default_ctx;
    heap_push(t);
    tm_start_locked();
    if (t->heap_index == 0)
        pthread_cond_signal(&g_tm.cond);
    pthread_mutex_unlock(&g_tm.lock);
    return was;
}

/*
 * nf-ndis-ndiscanceltimerobject.md: for a periodic timer the caller must be at
 * PASSIVE_LEVEL and NdisCancelTimerObject makes sure "the timer is not
 * currently running"; for a one-shot timer the caller synchronizes itself.
 * A periodic cancel at DISPATCH_LEVEL is reported, and then cancels without
 * waiting (waiting there could deadlock on a spin lock the caller holds).
 */
BOOLEAN NdisCancelTimerObject(_In_ NDIS_HANDLE TimerObject)
{
    struct ndisi_timer *t = ndisi_obj_check(TimerObject, NDISI_OBJ_TIMER,
                                            "NdisCancelTimerObject", "TimerObject");
    if (!t)
        return FALSE;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisCancelTimerObject", "Irql_Timer_Function");

    pthread_mutex_lock(&g_tm.lock);
    BOOLEAN was = t->queued ? TRUE : FALSE;
    bool periodic = t->period_ms != 0;
    if (t->queued)
        heap_remove(t);
    pthread_mutex_unlock(&g_tm.lock);

    if (periodic && ndisi_cur_irql > PASSIVE_LEVEL) {
        ndisi_irql_fail("NdisCancelTimerObject", "PeriodicTimer", PASSIVE_LEVEL, true);
        return was;
    }
    if (periodic && !tm_is_timer_thread) {
        pthread_mutex_lock(&g_tm.lock);
        wait_not_running_locked(t, "NdisCancelTimerObject");
        pthread_mutex_unlock(&g_tm.lock);
    }
    return was;
}

/*
 * Takes a timer out of the heap for good before it is freed (g_tm.lock not
 * held): dequeued again after each wait, since its function may set it again,
 * and not returned from while the function runs on another thread. Called
 * from the timer's own function, the timer thread releases the object when the
 * function returns: the result is then true and the object already dead.
 */
static bool timer_detach(struct ndisi_timer *t, const char *ddi, bool *was_queued,
                         uint32_t *period)
{
    bool deferred = false;
    pthread_mutex_lock(&g_tm.lock);
    *was_queued = t->queued;
    *period = t->period_ms;
    for (;;) {
        if (t->queued)
            heap_remove(t);
        if (g_tm.running != t)
            break;
        if (tm_is_timer_thread) {
            t->free_pending = true; /* released by the timer thread on return */
            t->obj.magic = NDISI_MAGIC_DEAD;
            deferred = true;
            break;
        }
        wait_not_running_locked(t, ddi);
    }
    g_tm.nobjects--;
    pthread_mutex_unlock(&g_tm.lock);
    return deferred;
}

/*
 * Cancels the timer and frees it. It does not return while the timer function
 * runs on another thread; called from the timer function itself, the object is
 * released when the function returns. Freeing a timer that is still queued is
 * reported (rules/ndis-canceltimerobject.md: timers are to be cancelled when
 * the driver stops using them) and the timer is cancelled.
 */
VOID NdisFreeTimerObject(_In_ NDIS_HANDLE TimerObject)
{
    struct ndisi_timer *t =
        ndisi_obj_check(TimerObject, NDISI_OBJ_TIMER, "NdisFreeTimerObject", "TimerObject");
    if (!t)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisFreeTimerObject", "Irql_Timer_Function");

    bool was_queued;
    uint32_t period;
    bool deferred = timer_detach(t, "NdisFreeTimerObject", &was_queued, &period);
    if (was_queued)
        ndisi_report(NDISI_V_STATE, "NdisFreeTimerObject", "CancelTimerObject",
                     "%s is still queued (%s, set and not cancelled); it has been cancelled "
                     "and freed", t->label, period ? "periodic" : "one-shot");
    ndisi_owned_del(&g_timers, &t->owned);
    if (!deferred)
        ndisi_obj_free(t);
}

/* ---- unload and shutdown ---------------------------------------------------------- */

unsigned ndisi_timer_cancel_image(struct ndisi_image *img)
{
    unsigned n = 0;
    bool again;
    pthread_once(&g_tm.once, tm_init);
    pthread_mutex_lock(&g_tm.lock);
    do {
        again = false;
        for (size_t i = 0; i < g_tm.n;) {
            struct ndisi_timer *t = g_tm.heap[i];
            if (t->image == img) {
                heap_remove(t);
                n++;
                i = 0; /* the heap was reshuffled */
            } else {
                i++;
            }
        }
        /* A function still running may set a timer again: look once more. */
        if (g_tm.running && g_tm.running->image == img && !tm_is_timer_thread) {
            wait_not_running_locked(g_tm.running, "driver unload");
            again = true;
        }
    } while (again);
    pthread_mutex_unlock(&g_tm.lock);
    return n;
}

static void timer_reclaim_one(struct ndisi_owned *o, void *unused)
{
    struct ndisi_timer *t = CONTAINING_RECORD(o, struct ndisi_timer, owned);
    bool was_queued;
    uint32_t period;
    (void)unused;
    if (!timer_detach(t, "driver unload", &was_queued, &period))
        ndisi_obj_free(t);
}

void ndisi_timer_reclaim(struct ndisi_image *img)
{
    ndisi_owned_reclaim(&g_timers, img, timer_reclaim_one, NULL);
}

void ndisi_timer_shutdown(void)
{
    pthread_once(&g_tm.once, tm_init);
    pthread_mutex_lock(&g_tm.lock);
    bool started = g_tm.started;
    g_tm.stopping = true;
    pthread_cond_broadcast(&g_tm.cond);
    pthread_mutex_unlock(&g_tm.lock);
    if (started && !tm_is_timer_thread)
        ndisi_os_thread_join(g_tm.thread, "NDIS timer thread");
    else if (started)
        pthread_detach(g_tm.thread);

    pthread_mutex_lock(&g_tm.lock);
    size_t left = g_tm.n;
    while (g_tm.n)
        heap_remove(g_tm.heap[0]);
    if (g_tm.nobjects == 0) {
        free(g_tm.heap);
        g_tm.heap = NULL;
        g_tm.cap = 0;
    }
    g_tm.started = false;
    g_tm.stopping = false;
    pthread_mutex_unlock(&g_tm.lock);
    if (left)
        ndisi_diag("%zu timer(s) of unloaded drivers were still queued at shutdown; they "
                   "were dequeued", left);
}

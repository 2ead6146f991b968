/*
 * event.c - NDIS_EVENT: NdisInitializeEvent, NdisSetEvent, NdisResetEvent,
 * NdisWaitEvent.
 *
 * The event is a notification event (nf-ndis-ndisinitializeevent.md): once
 * set it stays signaled, releasing every waiter, until NdisResetEvent. The
 * caller's NDIS_EVENT storage holds a magic number and one futex word: bit 0
 * is the signal, the bits above count the waiters. NDIS has no routine to
 * destroy an event, and a futex word needs no destruction, so drivers may
 * simply free the storage - including a waiter that frees it the moment its
 * wait returns (an event on the waiter's stack): NdisSetEvent sets the signal
 * and learns whether anyone waits in one atomic operation and never reads the
 * storage again (the wake-up is a system call on the address, which touches
 * no memory). The word is set with release and read with acquire ordering, so
 * a waiter that returns TRUE sees everything the setter wrote before
 * NdisSetEvent.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "core/wait.h"

#define EVENT_MAGIC 0x4e455654u /* "NEVT" */

#define EV_SIGNALED 1
#define EV_WAITER 2

struct event_impl {
    atomic_uint magic;
    atomic_int word; /* futex word: EV_SIGNALED | waiters * EV_WAITER */
};

_Static_assert(sizeof(struct event_impl) <= sizeof(NDIS_EVENT),
               "NDIS_EVENT storage holds the event");
_Static_assert(_Alignof(NDIS_EVENT) >= _Alignof(struct event_impl),
               "NDIS_EVENT storage is aligned for the event");

static struct event_impl *ev_impl(PNDIS_EVENT e)
{
    return (struct event_impl *)(void *)e;
}

/* The event, or NULL after a report if Event is NULL or was never initialized. */
static struct event_impl *ev_check(PNDIS_EVENT Event, const char *ddi)
{
    if (!Event) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Event must point to an initialized event object",
                     "Event is NULL");
        return NULL;
    }
    struct event_impl *ev = ev_impl(Event);
    if (atomic_load_explicit(&ev->magic, memory_order_relaxed) != EVENT_MAGIC) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Event must point to an initialized event object",
                     "Event %p was not initialized with NdisInitializeEvent", (void *)Event);
        return NULL;
    }
    return ev;
}

static long futex(atomic_int *addr, int op, int val, const struct timespec *rel)
{
    return syscall(SYS_futex, (int *)addr, op, val, rel, NULL, 0);
}

VOID NdisInitializeEvent(_Out_ PNDIS_EVENT Event)
{
    if (!Event) {
        ndisi_report(NDISI_V_PARAMETER, "NdisInitializeEvent",
                     "Event must point to caller-supplied storage", "Event is NULL");
        return;
    }
    struct event_impl *ev = ev_impl(Event);
    atomic_store_explicit(&ev->word, 0, memory_order_relaxed);
    atomic_store_explicit(&ev->magic, EVENT_MAGIC, memory_order_release);
}

VOID NdisSetEvent(_In_ PNDIS_EVENT Event)
{
    struct event_impl *ev = ev_check(Event, "NdisSetEvent");
    if (!ev)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisSetEvent", "Irql_Synch_Function");
    /* One atomic operation: either a waiter registered before it (and is woken)
       or it registers after and sees the signal. After it the storage may be
       gone; the wake-up only names its address. */
    int old = atomic_fetch_or(&ev->word, EV_SIGNALED);
    if (!(old & EV_SIGNALED) && old >= EV_WAITER)
        futex(&ev->word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
}

VOID NdisResetEvent(_In_ PNDIS_EVENT Event)
{
    struct event_impl *ev = ev_check(Event, "NdisResetEvent");
    if (!ev)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisResetEvent", "Irql_Synch_Function");
    atomic_fetch_and(&ev->word, ~EV_SIGNALED);
}

/*
 * nf-ndis-ndiswaitevent.md: MsToWait 0 "specifies that the caller will wait for
 * the event indefinitely". Such a wait is not bounded, but every
 * NDISI_WAIT_DIAG_MS it says which driver waits and for how long. Returns TRUE
 * if the event is signaled. At an IRQL above PASSIVE_LEVEL ("a fatal error",
 * nf-ndis-ndisinitializeevent.md) the call is reported and returns the
 * event's state without waiting.
 */
BOOLEAN NdisWaitEvent(_In_ PNDIS_EVENT Event, _In_ UINT MsToWait)
{
    struct event_impl *ev = ev_check(Event, "NdisWaitEvent");
    if (!ev)
        return FALSE;
    if (!ndisi_irql_le(PASSIVE_LEVEL, "NdisWaitEvent", "Irql_Miscellaneous_Function"))
        return (atomic_load_explicit(&ev->word, memory_order_acquire) & EV_SIGNALED) ? TRUE
                                                                                     : FALSE;
    if (atomic_load_explicit(&ev->word, memory_order_acquire) & EV_SIGNALED)
        return TRUE;

    unsigned long long start = ndisi_now_ms();
    unsigned long long deadline = start + MsToWait;
    unsigned long long next_diag = start + NDISI_WAIT_DIAG_MS;
    BOOLEAN result = FALSE;

    int seen = atomic_fetch_add(&ev->word, EV_WAITER) + EV_WAITER;
    for (;;) {
        if (seen & EV_SIGNALED) {
            result = TRUE;
            break;
        }
        unsigned long long now = ndisi_now_ms();
        if (MsToWait && now >= deadline)
            break;
        if (!MsToWait && now >= next_diag) {
            struct ndisi_image *img = ndisi_cb_current_image();
            const struct ndisi_cbframe *f = ndisi_cb_top;
            ndisi_diag("driver '%s'%s%s has waited %llu ms in NdisWaitEvent(%p, 0) without "
                       "limit; the event is not signaled",
                       img ? img->name : "?", f ? " in " : "", f ? f->fn : "",
                       now - start, (void *)Event);
            next_diag = now + NDISI_WAIT_DIAG_MS;
        }
        unsigned long long until = MsToWait && deadline < next_diag ? deadline : next_diag;
        unsigned long long rel = until > now ? until - now : 0;
        struct timespec ts = {.tv_sec = (time_t)(rel / 1000u),
                              .tv_nsec = (long)(rel % 1000u) * 1000000L};
        /* Sleeps only while the word is still what we saw (no signal, same waiters). */
        futex(&ev->word, FUTEX_WAIT_PRIVATE, seen, &ts);
        seen = atomic_load(&ev->word);
    }
    atomic_fetch_sub(&ev->word, EV_WAITER);
    return result;
}

/*
 * wait.h - bounded waits that say what they wait for.
 *
 * NDIS waits for drivers all the time: a pended bind, a pause that drains
 * traffic, an unbind. Every such wait here is bounded by the instance's wait
 * timeout, prints a diagnostic naming what it still waits for while it waits
 * (after `NDISI_WAIT_DIAG_MS`), and returns false when the bound expires so the
 * caller can report an NDISI_V_TIMEOUT violation and leave things consistent.
 *
 * struct ndisi_completion is a one-shot event (set once, waited on once or more).
 * struct ndisi_drain is a counter of work in flight (NBLs sent, indicated...)
 * that a waiter can wait to reach zero; the decrement is lock-free and only
 * touches the wait queue when somebody waits.
 */
#ifndef NDISI_WAIT_H
#define NDISI_WAIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define NDISI_WAIT_DIAG_MS 2000u

/*
 * A wait queue: a mutex and a condition variable shared by many waits, and the
 * number of threads waiting on it. A wake-up costs nothing while nobody waits,
 * and it never touches the object whose state changed: a completer may finish
 * the very operation that lets a waiter free that object.
 */
struct ndisi_waitq {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    atomic_int nwaiters;
};

void ndisi_waitq_init(struct ndisi_waitq *wq);
void ndisi_waitq_destroy(struct ndisi_waitq *wq);
void ndisi_waitq_wake(struct ndisi_waitq *wq);

typedef bool (*ndisi_cond_fn)(void *ctx);
typedef void (*ndisi_describe_fn)(void *ctx, char *buf, size_t len);

/*
 * Waits until cond(ctx) is true (checked under wq->lock after every wake), at
 * most timeout_ms. While waiting longer than NDISI_WAIT_DIAG_MS, emits
 * "still waiting for <what>: <describe>" diagnostics. Returns cond's final value.
 */
bool ndisi_wait_for(struct ndisi_waitq *wq, ndisi_cond_fn cond, void *ctx,
                    ndisi_describe_fn describe, void *dctx, const char *what,
                    unsigned timeout_ms);

/* A one-shot completion with a status. */
struct ndisi_completion {
    atomic_int done;
    int status;
};

static inline void ndisi_completion_reset(struct ndisi_completion *c)
{
    c->status = 0;
    atomic_store(&c->done, 0);
}

void ndisi_completion_complete(struct ndisi_completion *c, struct ndisi_waitq *wq, int status);
bool ndisi_completion_wait(struct ndisi_completion *c, struct ndisi_waitq *wq, const char *what,
                           ndisi_describe_fn describe, void *dctx, unsigned timeout_ms);

/*
 * A count of work in flight, kept as two monotonic totals (in: started, out:
 * finished), so the totals double as statistics at no extra cost. Each side is
 * one atomic add; the count is out read first, then in (in >= out at every
 * instant and both only grow, so equal readings mean it was zero when out was
 * read).
 */
struct ndisi_drain {
    atomic_ulong in, out;
};

static inline void ndisi_drain_add(struct ndisi_drain *d, long n)
{
    atomic_fetch_add(&d->in, (unsigned long)n);
}

static inline long ndisi_drain_count(struct ndisi_drain *d)
{
    unsigned long out = atomic_load(&d->out);
    return (long)(atomic_load(&d->in) - out);
}

/* The add is the last access to the drain: the object holding it may be freed
   by a waiter as soon as the count is zero. */
static inline void ndisi_drain_sub(struct ndisi_drain *d, long n, struct ndisi_waitq *wq)
{
    atomic_fetch_add(&d->out, (unsigned long)n);
    if (__builtin_expect(atomic_load(&wq->nwaiters) != 0, 0))
        ndisi_waitq_wake(wq);
}

/* Totals since the drain was created. */
static inline unsigned long ndisi_drain_total_in(struct ndisi_drain *d)
{
    return atomic_load_explicit(&d->in, memory_order_relaxed);
}

static inline unsigned long ndisi_drain_total_out(struct ndisi_drain *d)
{
    return atomic_load_explicit(&d->out, memory_order_relaxed);
}

bool ndisi_drain_wait(struct ndisi_drain *d, struct ndisi_waitq *wq, const char *what,
                      ndisi_describe_fn describe, void *dctx, unsigned timeout_ms);
/* Waits until every one of n drains is empty (a NULL-free array). */
bool ndisi_drains_wait(struct ndisi_drain *const *ds, unsigned n, struct ndisi_waitq *wq,
                       const char *what, ndisi_describe_fn describe, void *dctx,
                       unsigned timeout_ms);

/* A grace period of r (rcu.h): waits until every reader that entered before
   the call has left. NDISI_RCU_DONE: what was unpublished before the call may
   be freed. Otherwise it may not: a reader still ran after timeout_ms (a driver
   callback that does not return), or the calling thread is itself inside a
   read section and returned at once. */
struct ndisi_rcu;
enum ndisi_rcu_wait { NDISI_RCU_DONE, NDISI_RCU_TIMED_OUT, NDISI_RCU_IN_READER };
enum ndisi_rcu_wait ndisi_rcu_synchronize_bounded(struct ndisi_rcu *r, unsigned timeout_ms);

/* Monotonic clock in milliseconds and nanoseconds. */
unsigned long long ndisi_now_ms(void);
unsigned long long ndisi_now_ns(void);

#endif /* NDISI_WAIT_H */

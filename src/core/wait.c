/* wait.c - bounded, self-describing waits (see wait.h). */
#include "core/wait.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "core/rcu.h"
#include "core/verifier.h"

unsigned long long ndisi_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

unsigned long long ndisi_now_ms(void)
{
    return ndisi_now_ns() / 1000000ull;
}

void ndisi_waitq_init(struct ndisi_waitq *wq)
{
    pthread_condattr_t ca;
    pthread_mutex_init(&wq->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wq->cond, &ca);
    pthread_condattr_destroy(&ca);
}

void ndisi_waitq_destroy(struct ndisi_waitq *wq)
{
    pthread_cond_destroy(&wq->cond);
    pthread_mutex_destroy(&wq->lock);
}

void ndisi_waitq_wake(struct ndisi_waitq *wq)
{
    /* seq_cst pairs with the waiter's announcement in ndisi_wait_for: a waiter
       either sees the new state or is counted here. */
    if (atomic_load(&wq->nwaiters) == 0)
        return;
    pthread_mutex_lock(&wq->lock);
    pthread_cond_broadcast(&wq->cond);
    pthread_mutex_unlock(&wq->lock);
}

bool ndisi_wait_for(struct ndisi_waitq *wq, ndisi_cond_fn cond, void *ctx,
                    ndisi_describe_fn describe, void *dctx, const char *what,
                    unsigned timeout_ms)
{
    unsigned long long start = ndisi_now_ms();
    unsigned long long next_diag = start + NDISI_WAIT_DIAG_MS;
    bool ok;

    atomic_fetch_add(&wq->nwaiters, 1);
    pthread_mutex_lock(&wq->lock);
    while (!(ok = cond(ctx))) {
        unsigned long long now = ndisi_now_ms();
        if (now - start >= timeout_ms)
            break;
        if (now >= next_diag) {
            char buf[512] = "";
            if (describe)
                describe(dctx, buf, sizeof(buf));
            pthread_mutex_unlock(&wq->lock);
            ndisi_diag("still waiting for %s after %llu ms%s%s", what, now - start,
                       buf[0] ? ": " : "", buf);
            pthread_mutex_lock(&wq->lock);
            next_diag = now + NDISI_WAIT_DIAG_MS;
            continue;
        }
        unsigned long long until = start + timeout_ms;
        if (until > next_diag)
            until = next_diag;
        struct timespec ts = {.tv_sec = (time_t)(until / 1000),
                              .tv_nsec = (long)(until % 1000) * 1000000L};
        int rc = pthread_cond_timedwait(&wq->cond, &wq->lock, &ts);
        if (rc != 0 && rc != ETIMEDOUT && rc != EINTR)
            break;
    }
    pthread_mutex_unlock(&wq->lock);
    atomic_fetch_sub(&wq->nwaiters, 1);
    return ok;
}

static bool completion_done(void *ctx)
{
    struct ndisi_completion *c = ctx;
    return atomic_load(&c->done) != 0;
}

void ndisi_completion_complete(struct ndisi_completion *c, struct ndisi_waitq *wq, int status)
{
    c->status = status;
    atomic_store(&c->done, 1); /* the last access to c: see ndisi_waitq */
    ndisi_waitq_wake(wq);
}

bool ndisi_completion_wait(struct ndisi_completion *c, struct ndisi_waitq *wq, const char *what,
                           ndisi_describe_fn describe, void *dctx, unsigned timeout_ms)
{
    if (atomic_load(&c->done))
        return true;
    return ndisi_wait_for(wq, completion_done, c, describe, dctx, what, timeout_ms);
}

static bool drain_empty(void *ctx)
{
    struct ndisi_drain *d = ctx;
    return ndisi_drain_count(d) == 0;
}

bool ndisi_drain_wait(struct ndisi_drain *d, struct ndisi_waitq *wq, const char *what,
                      ndisi_describe_fn describe, void *dctx, unsigned timeout_ms)
{
    return ndisi_drains_wait(&d, 1, wq, what, describe, dctx, timeout_ms);
}

struct drains {
    struct ndisi_drain *const *ds;
    unsigned n;
};

static bool drains_empty(void *ctx)
{
    struct drains *d = ctx;
    for (unsigned i = 0; i < d->n; i++)
        if (!drain_empty(d->ds[i]))
            return false;
    return true;
}

bool ndisi_drains_wait(struct ndisi_drain *const *ds, unsigned n, struct ndisi_waitq *wq,
                       const char *what, ndisi_describe_fn describe, void *dctx,
                       unsigned timeout_ms)
{
    struct drains d = {ds, n};
    return ndisi_wait_for(wq, drains_empty, &d, describe, dctx, what, timeout_ms);
}

__thread unsigned ndisi_rcu_depth;

enum ndisi_rcu_wait ndisi_rcu_synchronize_bounded(struct ndisi_rcu *r, unsigned timeout_ms)
{
    if (ndisi_rcu_depth)
        return NDISI_RCU_IN_READER;
    unsigned long long until = ndisi_now_ms() + timeout_ms;
    while (atomic_exchange(&r->updating, true)) {
        if (ndisi_now_ms() >= until)
            return NDISI_RCU_TIMED_OUT;
        sched_yield();
    }
    /* Readers of the other slot entered before the last flip: none are left
       unless that grace period timed out; no new reader enters it now. Then
       flip and wait for the readers of the current slot. */
    enum ndisi_rcu_wait w = NDISI_RCU_DONE;
    unsigned cur = atomic_load(&r->epoch) & 1u;
    for (int pass = 0; pass < 2 && w == NDISI_RCU_DONE; pass++) {
        unsigned slot = pass == 0 ? cur ^ 1u : cur;
        if (pass == 1)
            atomic_fetch_add(&r->epoch, 1);
        while (atomic_load(&r->active[slot]) != 0) {
            if (ndisi_now_ms() >= until) {
                w = NDISI_RCU_TIMED_OUT;
                break;
            }
            sched_yield();
        }
    }
    atomic_store(&r->updating, false);
    return w;
}

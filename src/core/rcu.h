/*
 * rcu.h - a two-epoch grace period for data read on the data path and replaced
 * by the PnP worker (the list of bindings a receive indication goes to).
 *
 * Readers: ndisi_rcu_enter() ... ndisi_rcu_leave(): two atomic operations per
 * indication, no lock. The (single) updater publishes a new pointer, then
 * ndisi_rcu_synchronize() waits until no reader can still see the old one. The
 * re-check of the epoch in enter, with sequentially consistent atomics, closes
 * the window between reading the epoch and announcing the reader.
 */
#ifndef NDISI_RCU_H
#define NDISI_RCU_H

#include <sched.h>
#include <stdatomic.h>

struct ndisi_rcu {
    atomic_uint epoch;
    atomic_long active[2];
};

static inline unsigned ndisi_rcu_enter(struct ndisi_rcu *r)
{
    for (;;) {
        unsigned e = atomic_load(&r->epoch) & 1u;
        atomic_fetch_add(&r->active[e], 1);
        if ((atomic_load(&r->epoch) & 1u) == e)
            return e;
        atomic_fetch_sub(&r->active[e], 1);
    }
}

static inline void ndisi_rcu_leave(struct ndisi_rcu *r, unsigned e)
{
    atomic_fetch_sub(&r->active[e], 1);
}

/* Readers are short (one indication): the updater yields until they finish.
   ndisi_rcu_synchronize_bounded (wait.c) gives up after a bound instead. */
static inline void ndisi_rcu_synchronize(struct ndisi_rcu *r)
{
    unsigned old = atomic_fetch_add(&r->epoch, 1) & 1u;
    while (atomic_load(&r->active[old]) != 0)
        sched_yield();
}

#endif /* NDISI_RCU_H */

/*
 * rcu.h - a two-epoch grace period for data read on the data path and replaced
 * by control paths (the list of bindings a receive indication goes to, the
 * bindings' packet filters, the captures of an adapter).
 *
 * Readers: ndisi_rcu_enter() ... ndisi_rcu_leave(): two atomic operations per
 * read section, no lock. (Per-thread sections, section.h, would make them
 * thread-local stores; tried, and ThreadSanitizer then reported a retired
 * packet filter freed under a receive call in 2 to 6 of 100 runs of
 * datapath_filter_race, which we could not explain, so readers stay here.)
 * An updater publishes a new pointer, then
 * ndisi_rcu_synchronize_bounded() (wait.c) waits until no reader can still
 * see the old one. The re-check of the epoch in enter, with sequentially
 * consistent atomics, closes the window between reading the epoch and
 * announcing the reader. Updaters may run on any thread (an OID request from a
 * protocol, the PnP worker): one grace period at a time per object, since two
 * interleaved epoch flips could miss a reader. A thread inside a read section
 * (a driver callback run from an indication) never waits for a grace period:
 * it would wait for itself; ndisi_rcu_depth tells.
 */
#ifndef NDISI_RCU_H
#define NDISI_RCU_H

#include <stdbool.h>
#include <stdatomic.h>

struct ndisi_rcu {
    atomic_uint epoch;
    atomic_long active[2];
    atomic_bool updating; /* a grace period is in progress */
};

/* Read sections (of any ndisi_rcu) the calling thread is inside. */
extern __thread unsigned ndisi_rcu_depth;

static inline unsigned ndisi_rcu_enter(struct ndisi_rcu *r)
{
    for (;;) {
        unsigned e = atomic_load(&r->epoch) & 1u;
        atomic_fetch_add(&r->active[e], 1);
        if ((atomic_load(&r->epoch) & 1u) == e) {
            ndisi_rcu_depth++;
            return e;
        }
        atomic_fetch_sub(&r->active[e], 1);
    }
}

static inline void ndisi_rcu_leave(struct ndisi_rcu *r, unsigned e)
{
    ndisi_rcu_depth--;
    atomic_fetch_sub(&r->active[e], 1);
}

#endif /* NDISI_RCU_H */

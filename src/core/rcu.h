/*
 * rcu.h - a two-epoch grace period for data read on the data path and replaced
 * by control paths (the list of bindings a receive indication goes to, the
 * bindings' packet filters, the captures of an adapter).
 *
 * Readers: ndisi_rcu_enter() ... ndisi_rcu_leave(): a few thread-local stores
 * (a per-thread section on the object, section.h), or, for a thread already
 * NDISI_SECTION_SLOTS sections deep, two atomic operations on the object's
 * counters; no lock either way. An updater publishes a new pointer, then
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

#include "core/section.h"

struct ndisi_rcu {
    atomic_uint epoch;
    atomic_long active[2];
    atomic_bool updating; /* a grace period is in progress */
};

/* Read sections (of any ndisi_rcu) the calling thread is inside. */
extern __thread unsigned ndisi_rcu_depth;

/* What ndisi_rcu_enter returns for a reader that announced itself in a
   per-thread section (section.h) rather than in r->active. */
#define NDISI_RCU_SECTION 2u

static inline unsigned ndisi_rcu_enter(struct ndisi_rcu *r)
{
    ndisi_rcu_depth++;
    if (__builtin_expect(ndisi_section_enter(r), 1))
        return NDISI_RCU_SECTION;
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
    ndisi_rcu_depth--;
    if (__builtin_expect(e == NDISI_RCU_SECTION, 1))
        ndisi_section_leave();
    else
        atomic_fetch_sub(&r->active[e], 1);
}

#endif /* NDISI_RCU_H */

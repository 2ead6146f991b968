/*
 * section.h - per-thread sections: "this thread is inside a call on object K",
 * announced with plain thread-local stores, so that the data path's hot calls
 * cost no atomic read-modify-write, and waited for by the rare control path
 * that must know no such call is still running (a binding's pause).
 *
 * The data path enters a section on a key (a binding being sent on), checks
 * the state it depends on (Running), works, and leaves. (The adapter's receive
 * read section stays on its atomic counters, rcu.h says why.) A waiter changes the state, then ndisi_section_sync(key): every
 * thread that was inside a section on the key is waited for until it left it.
 * The two sides pair like Dekker's: the entering thread stores its key then
 * loads the state; the waiter stores the state then loads the keys. Each side
 * needs a full barrier between its store and its load. The entering side has
 * only a compiler barrier; the waiter supplies the other side's with
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which runs a full barrier on
 * every CPU running a thread of the process (the scheme of userspace RCU's
 * "memb" flavour). Where the kernel refuses membarrier (or with
 * LIBNDIS_SECTION_FENCE=1 in the environment), entering threads execute a
 * full fence themselves (ndisi_section_fenced).
 *
 * Every store of the thread's depth (entering, leaving) and of a slot's tag is
 * a release store, and the waiter reads them with acquire, so what the thread
 * did in the sections it already left happens before the waiter goes on (it
 * may then free what they used), whatever state it finds the thread in: out,
 * in a later section on the same key, or in one on another key. On x86 these
 * are plain stores.
 *
 * A thread has NDISI_SECTION_SLOTS nested sections at most: enter returns
 * false beyond that, and the caller takes its atomic path instead.
 *
 * Per-thread tallies ride along: counts a thread adds for an adapter without
 * an atomic (NBLs of a call counted lazily: sent or indicated when the call
 * starts, completed or returned when they come back within it), summed over
 * all threads when read (ndisi_tally_sums).
 */
#ifndef NDISI_SECTION_H
#define NDISI_SECTION_H

#include <stdatomic.h>
#include <stdbool.h>

#include "core/wait.h"

#define NDISI_SECTION_SLOTS 8
#define NDISI_TALLY_SLOTS 4

/* The adapter totals kept per thread for calls counted lazily (send.c,
   receive.c): a count may be taken back (added modulo 2^64) when the call
   finds it must count in the drains after all. */
enum ndisi_tally_kind {
    NDISI_TALLY_SENT,
    NDISI_TALLY_SEND_DONE,
    NDISI_TALLY_INDICATED,
    NDISI_TALLY_RETURNED,
    NDISI_TALLY_KINDS
};

struct ndisi_section_thread {
    struct ndisi_section_thread *next, *prev; /* the registry, under its lock */
    bool registered;
    atomic_uint pins;                         /* waiters reading this structure unlocked */
    unsigned long entries;                    /* sections entered so far (owner only) */
    _Atomic unsigned depth;                   /* sections open: slots [0, depth) */
    _Atomic(const void *) key[NDISI_SECTION_SLOTS];
    atomic_ulong tag[NDISI_SECTION_SLOTS];    /* `entries` when the slot was entered */
    struct {
        _Atomic(const void *) owner;          /* the adapter counted, NULL: free */
        atomic_ulong n[NDISI_TALLY_KINDS];
    } tally[NDISI_TALLY_SLOTS];
};

extern __thread struct ndisi_section_thread ndisi_st;
extern bool ndisi_section_fenced;

void ndisi_section_register(void);

static inline bool ndisi_section_enter(const void *key)
{
    struct ndisi_section_thread *t = &ndisi_st;
    if (__builtin_expect(!t->registered, 0))
        ndisi_section_register();
    unsigned d = atomic_load_explicit(&t->depth, memory_order_relaxed);
    if (__builtin_expect(d == NDISI_SECTION_SLOTS, 0))
        return false;
    /* Release: a waiter that sees this tag replace the one it waited for also
       sees everything the thread's earlier section did. */
    atomic_store_explicit(&t->tag[d], ++t->entries, memory_order_release);
    atomic_store_explicit(&t->key[d], key, memory_order_relaxed);
    /* Release as well: a waiter that reads any depth of this thread sees what
       its earlier sections did, even when the section it finds now is on
       another key (a weakly ordered CPU could otherwise finish an earlier
       section's loads after this store). */
    atomic_store_explicit(&t->depth, d + 1, memory_order_release);
    if (__builtin_expect(ndisi_section_fenced, 0))
        atomic_thread_fence(memory_order_seq_cst);
    else
        atomic_signal_fence(memory_order_seq_cst);
    return true;
}

/* Leaves the innermost section. */
static inline void ndisi_section_leave(void)
{
    struct ndisi_section_thread *t = &ndisi_st;
    unsigned d = atomic_load_explicit(&t->depth, memory_order_relaxed);
    atomic_store_explicit(&t->depth, d - 1, memory_order_release);
}

/* Whether the calling thread is inside a section on `key`. */
bool ndisi_section_in(const void *key);

/* Waits until every thread other than the caller that is inside a section on
   `key` when the call starts has left it. NDISI_RCU_TIMED_OUT after timeout_ms
   (one still is); NDISI_RCU_IN_READER at once if the caller is inside one. */
enum ndisi_rcu_wait ndisi_section_sync(const void *key, unsigned timeout_ms);

/*
 * Tallies: an adapter keeps a struct ndisi_tally_home, which is also the key
 * threads count under. A thread's counts for a home go to the home itself
 * when the thread needs the slot for another home or exits.
 */
struct ndisi_tally_home {
    atomic_ulong n[NDISI_TALLY_KINDS];
};

void ndisi_tally_add_slow(struct ndisi_tally_home *h, enum ndisi_tally_kind kind,
                          unsigned long n);

/* Adds n to this thread's tally of `kind` for h (relaxed: only this thread writes it). */
static inline void ndisi_tally_add(struct ndisi_tally_home *h, enum ndisi_tally_kind kind,
                                   unsigned long n)
{
    struct ndisi_section_thread *t = &ndisi_st;
    for (unsigned i = 0; i < NDISI_TALLY_SLOTS; i++)
        if (atomic_load_explicit(&t->tally[i].owner, memory_order_relaxed) == h) {
            atomic_ulong *c = &t->tally[i].n[kind];
            atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                                  memory_order_relaxed);
            return;
        }
    ndisi_tally_add_slow(h, kind, n);
}

/* The totals of every kind for h: its own counts plus every thread's tallies. */
void ndisi_tally_sums(struct ndisi_tally_home *h, unsigned long out[NDISI_TALLY_KINDS]);
/* h goes away: every thread forgets its tallies for it. */
void ndisi_tally_forget(struct ndisi_tally_home *h);

#endif /* NDISI_SECTION_H */

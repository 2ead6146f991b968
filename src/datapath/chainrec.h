/*
 * chainrec.h - the chain a thread is passing to another driver, recorded as an
 * array, so that the hand-back the other driver makes before the call returns
 * (an inline send completion, an inline receive return: the common case of a
 * software miniport, a loopback, a protocol that consumes what it receives at
 * once) checks the chain without walking it.
 *
 * Why: a chain of 64 is a linked list. Walking it costs one L1 load latency per
 * NBL whatever the loop does (each x->Next waits for the one before), and the
 * sender's walk and the hand-back's walk are the two costs NDIS adds to a round
 * trip. With the array, the hand-back's loads do not depend on each other: the
 * check runs at the CPU's throughput. It checks that the chain it gets is the
 * recorded one link for link (x->Next == nbl[i + 1], the last Next NULL) and
 * that each NBL is still in the state the call left it in; anything else (a
 * split, reordered or relinked chain, an NBL handed back twice) fails and the
 * caller walks the chain as before.
 *
 * Reading nbl[i] is safe even if the driver split the chain and another thread
 * handed part of it back and freed it: a chain is recorded only when all its
 * NBLs come from the pool of its head, and the head is in the hand-back being
 * checked, so that pool (and the memory of every NBL in it) outlives the check;
 * an NBL freed since is no longer in the state the check wants.
 *
 * The record lives on the stack of the DDI that passes the chain on
 * (NdisSendNetBufferLists, NdisMIndicateReceiveNetBufferLists) and a
 * thread-local pointer names it for the duration of the call; a nested call
 * saves and restores the pointer. It is used at most once.
 */
#ifndef NDISI_CHAINREC_H
#define NDISI_CHAINREC_H

#include <stdbool.h>

#include "datapath/nblpriv.h"

#define NDISI_CHAIN_REC_MAX 64

struct ndisi_chain_rec {
    PNET_BUFFER_LIST head; /* NULL: nothing recorded, or already used */
    struct ndisi_open *o;  /* send: the sending binding; receive: the one binding the
                              chain went to while its handler runs, else NULL */
    ULONG n;
    ULONG taken;           /* NBLs handed back inline through the record (receive: not
                              counted in the binding's rx) */
    bool lazy;             /* not counted in the adapter's mp_sends / mp_recvs (nor, for a
                              send, in the binding's tx) while the call runs: the caller
                              counts what is still out when it returns, inside what the
                              pause waits for: the binding's section (send, section.h),
                              the receive read section (receive, rcu.h) */
    unsigned long gen;     /* the adapter's handbacks_walked when the chain went on */
    PNET_BUFFER_LIST nbl[NDISI_CHAIN_REC_MAX + 1]; /* nbl[n] is NULL */
};

/* An NBL the recording walk takes: owned by the driver `me` passing the chain
   on, from the pool of the chain's head. */
static inline bool ndisi_chain_rec_fits(const struct ndisi_nbl_priv *p, struct ndisi_image *me,
                                        struct ndisi_nbl_pool *pool)
{
    return ndisi_nbl_in(p, NDISI_NBL_OWNED) && p->owner == me && p->pool == pool;
}

/*
 * The walk that passes a chain on fills nbl[0..n) while every NBL is in the
 * expected state and from the pool of the head, at most NDISI_CHAIN_REC_MAX of
 * them, then closes the record: valid if that covered the whole chain.
 */
static inline void ndisi_chain_rec_close(struct ndisi_chain_rec *r, PNET_BUFFER_LIST head,
                                         struct ndisi_open *o, ULONG n, bool whole)
{
    r->head = whole ? head : NULL;
    r->o = o;
    r->n = n;
    r->taken = 0;
    r->lazy = false;
    r->nbl[whole ? n : 0] = NULL;
}

/*
 * The hand-back of the recorded head (the caller checked r->head) by the thread
 * that recorded `r`: if the chain is the recorded one, every NBL in state
 * `from` (and, with `sender`, still sent by that binding with SourceHandle
 * intact), moves them all to `to` and returns how many; otherwise changes
 * nothing and returns 0. Not instrumented for AddressSanitizer: an NBL freed
 * since it was recorded is poisoned but mapped (see above), and the check then
 * fails.
 *
 * `quiet`: the adapter's handbacks_walked is still r->gen. Every hand-back
 * of an adapter's NBLs other than the one of a record (completions and returns
 * of any other chain, on any thread) adds to that total before it moves an NBL,
 * so none of the recorded NBLs has moved since this thread left them in state
 * `from` (sent by `sender`): only the links, and the SourceHandle a driver
 * below may have overwritten, need checking. (A hand-back on another thread
 * that overlaps this one, which only a driver handing the same NBL back twice
 * makes, can go unnoticed with or without `quiet`: the state check races with
 * it the same way.)
 */
__attribute__((no_sanitize_address)) static inline ULONG
ndisi_chain_rec_take(struct ndisi_chain_rec *r, enum ndisi_nbl_where from, enum ndisi_nbl_where to,
                     struct ndisi_open *sender, bool quiet)
{
    ULONG n = r->n, i;
    PNET_BUFFER_LIST x = r->head;
    r->head = NULL;
    if (quiet) {
        for (i = 0; i < n; i++) {
            PNET_BUFFER_LIST next = r->nbl[i + 1];
            if (__builtin_expect(x->Next != next, 0))
                break;
            if (sender && __builtin_expect(x->SourceHandle != sender, 0))
                break;
            ndisi_nbl_set_where(ndisi_nbl_priv(x), to);
            x = next;
        }
    } else {
        for (i = 0; i < n; i++) {
            PNET_BUFFER_LIST next = r->nbl[i + 1];
            struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
            if (__builtin_expect(x->Next != next || ndisi_nbl_where(p) != from, 0))
                break;
            if (sender && __builtin_expect(!ndisi_nbl_sent_by(p, x, sender), 0))
                break;
            ndisi_nbl_set_where(p, to);
            x = next;
        }
    }
    if (i == n)
        return n;
    while (i--)
        ndisi_nbl_set_where(ndisi_nbl_priv(r->nbl[i]), from);
    return 0;
}

#endif /* NDISI_CHAINREC_H */

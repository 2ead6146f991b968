/* section.c - the registry of threads behind section.h, and its waits. */
#include "core/section.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct ndisi_section_thread ndisi_st;
bool ndisi_section_fenced;

/* Threads that ever entered a section and have not exited. reg_lock guards
   the list; a waiter pins the threads it must poll and polls without the lock
   (a thread registering must not wait for a poll: it may hold a driver's lock
   the polled thread needs), and an exiting thread waits for its pins to go
   before its storage goes. tally_lock guards moving counts between a thread's
   tally slots and the homes, so that a sum never sees a count twice or not at
   all. Order: reg_lock, then tally_lock. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t tally_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ndisi_section_thread reg_head = {.next = &reg_head, .prev = &reg_head};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

static long membarrier_call(int cmd)
{
    return syscall(__NR_membarrier, cmd, 0, 0);
}

/* Moves slot i's counts to its home (tally_lock held). */
static void flush_slot(struct ndisi_section_thread *t, unsigned i)
{
    struct ndisi_tally_home *h =
        (struct ndisi_tally_home *)atomic_load_explicit(&t->tally[i].owner, memory_order_relaxed);
    for (unsigned k = 0; k < NDISI_TALLY_KINDS; k++) {
        unsigned long v = atomic_exchange_explicit(&t->tally[i].n[k], 0, memory_order_relaxed);
        if (h && v)
            atomic_fetch_add(&h->n[k], v);
    }
    atomic_store_explicit(&t->tally[i].owner, NULL, memory_order_relaxed);
}

static void thread_exit(void *arg)
{
    struct ndisi_section_thread *t = arg;
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&tally_lock);
    for (unsigned i = 0; i < NDISI_TALLY_SLOTS; i++)
        flush_slot(t, i);
    pthread_mutex_unlock(&tally_lock);
    t->prev->next = t->next;
    t->next->prev = t->prev;
    t->registered = false;
    pthread_mutex_unlock(&reg_lock);
    /* A waiter pinned this thread before it left the list: its poll ends
       within its own bound. */
    while (atomic_load(&t->pins))
        sched_yield();
}

static void init_once(void)
{
    const char *e = getenv("LIBNDIS_SECTION_FENCE");
    ndisi_section_fenced = (e && *e == '1') ||
                           membarrier_call(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0;
    if (pthread_key_create(&exit_key, thread_exit) != 0)
        abort();
}

void ndisi_section_register(void)
{
    pthread_once(&once, init_once);
    struct ndisi_section_thread *t = &ndisi_st;
    pthread_mutex_lock(&reg_lock);
    t->next = reg_head.next;
    t->prev = &reg_head;
    reg_head.next->prev = t;
    reg_head.next = t;
    t->registered = true;
    pthread_mutex_unlock(&reg_lock);
    /* The destructor unregisters the thread when it exits. */
    pthread_setspecific(exit_key, t);
}

bool ndisi_section_in(const void *key)
{
    struct ndisi_section_thread *t = &ndisi_st;
    unsigned d = atomic_load_explicit(&t->depth, memory_order_relaxed);
    for (unsigned i = 0; i < d; i++)
        if (atomic_load_explicit(&t->key[i], memory_order_relaxed) == key)
            return true;
    return false;
}

/* The full barrier on every thread that pairs with the entering side's
   compiler barrier (section.h). */
static void barrier_everywhere(void)
{
    if (ndisi_section_fenced || membarrier_call(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
        atomic_thread_fence(memory_order_seq_cst);
}

enum ndisi_rcu_wait ndisi_section_sync(const void *key, unsigned timeout_ms)
{
    if (ndisi_section_in(key))
        return NDISI_RCU_IN_READER;
    pthread_once(&once, init_once);
    /* The caller's state change (made before this call) is visible to every
       thread that enters after this barrier; a thread that entered before it
       is seen below. */
    atomic_thread_fence(memory_order_seq_cst);
    barrier_everywhere();
    unsigned long long until = ndisi_now_ms() + timeout_ms;
    struct ndisi_section_thread *self = &ndisi_st;
    enum { BATCH = 64 };
    struct {
        struct ndisi_section_thread *t;
        unsigned slot;
        unsigned long tag;
    } in[BATCH];
    bool more = true;
    while (more) {
        /* The sections on `key` open now, pinned (BATCH at a time: a later
           batch may also find sections opened since, and waits for them too,
           which is harmless). */
        unsigned n = 0;
        more = false;
        pthread_mutex_lock(&reg_lock);
        for (struct ndisi_section_thread *t = reg_head.next; t != &reg_head; t = t->next) {
            if (t == self)
                continue;
            unsigned d = atomic_load_explicit(&t->depth, memory_order_acquire);
            for (unsigned i = 0; i < d && i < NDISI_SECTION_SLOTS; i++) {
                if (atomic_load_explicit(&t->key[i], memory_order_relaxed) != key)
                    continue;
                if (n == BATCH) {
                    more = true;
                    break;
                }
                atomic_fetch_add(&t->pins, 1);
                in[n].t = t;
                in[n].slot = i;
                in[n].tag = atomic_load_explicit(&t->tag[i], memory_order_relaxed);
                n++;
            }
        }
        pthread_mutex_unlock(&reg_lock);
        /* Each until it left the slot (depth at or below it) or the slot holds
           a later section. */
        enum ndisi_rcu_wait w = NDISI_RCU_DONE;
        for (unsigned j = 0; j < n; j++) {
            struct ndisi_section_thread *t = in[j].t;
            while (w == NDISI_RCU_DONE &&
                   in[j].slot < atomic_load_explicit(&t->depth, memory_order_acquire) &&
                   atomic_load_explicit(&t->tag[in[j].slot], memory_order_acquire) == in[j].tag) {
                if (ndisi_now_ms() >= until)
                    w = NDISI_RCU_TIMED_OUT;
                else
                    sched_yield();
            }
            atomic_fetch_sub(&t->pins, 1);
        }
        if (w != NDISI_RCU_DONE)
            return w;
    }
    return NDISI_RCU_DONE;
}

void ndisi_tally_add_slow(struct ndisi_tally_home *h, enum ndisi_tally_kind kind,
                          unsigned long n)
{
    struct ndisi_section_thread *t = &ndisi_st;
    if (!t->registered)
        ndisi_section_register();
    pthread_mutex_lock(&tally_lock);
    /* A free slot, else the first one gives its counts to its home. */
    unsigned i;
    for (i = 0; i < NDISI_TALLY_SLOTS; i++)
        if (!atomic_load_explicit(&t->tally[i].owner, memory_order_relaxed))
            break;
    if (i == NDISI_TALLY_SLOTS) {
        i = 0;
        flush_slot(t, 0);
    }
    for (unsigned k = 0; k < NDISI_TALLY_KINDS; k++)
        atomic_store_explicit(&t->tally[i].n[k], k == kind ? n : 0, memory_order_relaxed);
    atomic_store_explicit(&t->tally[i].owner, h, memory_order_relaxed);
    pthread_mutex_unlock(&tally_lock);
}

void ndisi_tally_sums(struct ndisi_tally_home *h, unsigned long out[NDISI_TALLY_KINDS])
{
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&tally_lock);
    for (unsigned k = 0; k < NDISI_TALLY_KINDS; k++)
        out[k] = atomic_load(&h->n[k]);
    for (struct ndisi_section_thread *t = reg_head.next; t != &reg_head; t = t->next)
        for (unsigned i = 0; i < NDISI_TALLY_SLOTS; i++)
            if (atomic_load_explicit(&t->tally[i].owner, memory_order_relaxed) == h)
                for (unsigned k = 0; k < NDISI_TALLY_KINDS; k++)
                    out[k] += atomic_load_explicit(&t->tally[i].n[k], memory_order_relaxed);
    pthread_mutex_unlock(&tally_lock);
    pthread_mutex_unlock(&reg_lock);
}

void ndisi_tally_forget(struct ndisi_tally_home *h)
{
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&tally_lock);
    for (struct ndisi_section_thread *t = reg_head.next; t != &reg_head; t = t->next)
        for (unsigned i = 0; i < NDISI_TALLY_SLOTS; i++)
            if (atomic_load_explicit(&t->tally[i].owner, memory_order_relaxed) == h) {
                for (unsigned k = 0; k < NDISI_TALLY_KINDS; k++)
                    atomic_store_explicit(&t->tally[i].n[k], 0, memory_order_relaxed);
                atomic_store_explicit(&t->tally[i].owner, NULL, memory_order_relaxed);
            }
    pthread_mutex_unlock(&tally_lock);
    pthread_mutex_unlock(&reg_lock);
}

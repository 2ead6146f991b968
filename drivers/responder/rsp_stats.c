/*
 * rsp_stats.c - the counters of responder.h: each open binding keeps its own
 * (updated on the data path without a lock); a binding that closes adds them
 * to the driver's totals, so nothing counted is lost by an unbind.
 */
#include <string.h>

#include "rsp.h"

static NDIS_SPIN_LOCK rsp_lock;   /* guards rsp_bindings and rsp_retired */
static LIST_ENTRY rsp_bindings;
static struct responder_stats rsp_retired;
static bool rsp_ready;

void rsp_stats_init(void)
{
    if (rsp_ready)
        return; /* the driver was loaded before: keep counting */
    NdisAllocateSpinLock(&rsp_lock);
    InitializeListHead(&rsp_bindings);
    rsp_ready = true;
}

void rsp_stats_add_binding(struct rsp_binding *b)
{
    NdisAcquireSpinLock(&rsp_lock);
    InsertTailList(&rsp_bindings, &b->link);
    NdisReleaseSpinLock(&rsp_lock);
}

static ULONG64 ld(atomic_ullong *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static void add_binding(struct responder_stats *s, struct rsp_binding *b)
{
    struct rsp_counters *c = &b->counters;
    s->frames += ld(&c->frames);
    s->sent += ld(&c->sent);
    s->send_completed += ld(&c->send_completed);
    s->send_failed += ld(&c->send_failed);
    s->link_up += ld(&c->link_up);
    s->link_down += ld(&c->link_down);
    if (atomic_load_explicit(&c->last_failure, memory_order_relaxed))
        s->last_failure = atomic_load_explicit(&c->last_failure, memory_order_relaxed);
    for (int i = 0; i < RSP_VERDICT_COUNT; i++)
        s->verdicts[i] += ld(&c->verdicts[i]);
}

static void add_stats(struct responder_stats *s, const struct responder_stats *t)
{
    s->frames += t->frames;
    s->sent += t->sent;
    s->send_completed += t->send_completed;
    s->send_failed += t->send_failed;
    s->link_up += t->link_up;
    s->link_down += t->link_down;
    if (t->last_failure)
        s->last_failure = t->last_failure;
    for (int i = 0; i < RSP_VERDICT_COUNT; i++)
        s->verdicts[i] += t->verdicts[i];
}

void rsp_stats_remove_binding(struct rsp_binding *b)
{
    NdisAcquireSpinLock(&rsp_lock);
    RemoveEntryList(&b->link);
    add_binding(&rsp_retired, b);
    NdisReleaseSpinLock(&rsp_lock);
}

int responder_get_stats(const char *adapter, struct responder_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!rsp_ready)
        return adapter ? -1 : 0;
    int found = adapter ? -1 : 0;
    NdisAcquireSpinLock(&rsp_lock);
    if (!adapter)
        add_stats(out, &rsp_retired);
    for (LIST_ENTRY *e = rsp_bindings.Flink; e != &rsp_bindings; e = e->Flink) {
        struct rsp_binding *b = CONTAINING_RECORD(e, struct rsp_binding, link);
        if (adapter && strcmp(adapter, b->adapter) != 0)
            continue;
        add_binding(out, b);
        found = 0;
    }
    NdisReleaseSpinLock(&rsp_lock);
    return found;
}

unsigned responder_binding_count(void)
{
    unsigned n = 0;
    if (!rsp_ready)
        return 0;
    NdisAcquireSpinLock(&rsp_lock);
    for (LIST_ENTRY *e = rsp_bindings.Flink; e != &rsp_bindings; e = e->Flink)
        n++;
    NdisReleaseSpinLock(&rsp_lock);
    return n;
}

/*
 * stack.c - pausing and restarting a whole driver stack, and the data-path
 * routing of an adapter's stack.
 *
 * concepts/pausing-a-driver-stack.md: NDIS pauses the protocol bindings, then
 * the filter modules from the top of the stack down, then the miniport adapter.
 * concepts/restarting-a-driver-stack.md: the miniport adapter restarts first,
 * then the filter modules from the bottom up, then the bindings.
 * Routing (which layer a send, completion, indication or return goes to next)
 * is recomputed only while the stack is paused, so the data path reads it
 * without locks.
 */
#include <errno.h>
#include <stdio.h>

#include "core/core.h"
#include "core/verifier.h"

bool ndisi_stack_running(const struct ndisi_adapter *a)
{
    return atomic_load(&a->state) == NDISI_AS_RUNNING;
}

int ndisi_stack_pause(struct ndisi_adapter *a, ULONG reason)
{
    int rc = 0;
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink) {
        int r = ndisi_open_pause(CONTAINING_RECORD(e, struct ndisi_open, adapter_link), reason);
        rc = rc ? rc : r;
    }
    int r = ndisi_filter_pause_modules(a, reason);
    rc = rc ? rc : r;
    r = ndisi_adapter_pause_miniport(a, reason);
    return rc ? rc : r;
}

int ndisi_stack_restart(struct ndisi_adapter *a)
{
    if (a->host_paused || a->removing)
        return 0;
    if (ndisi_filter_mandatory_missing(a)) {
        ndisi_diag("adapter '%s' stays paused: a mandatory filter module is not attached",
                   a->name);
        return -EIO;
    }
    ndisi_stack_reroute(a);
    int rc = ndisi_adapter_restart_miniport(a);
    if (rc)
        return rc;
    rc = ndisi_filter_restart_modules(a);
    if (rc) {
        ndisi_diag("adapter '%s': a filter module failed to restart; its bindings stay paused",
                   a->name);
        return rc;
    }
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink)
        ndisi_open_restart(CONTAINING_RECORD(e, struct ndisi_open, adapter_link));
    return 0;
}

void ndisi_stack_reroute(struct ndisi_adapter *a)
{
    struct ndisi_filter_module *m;

    /* Downward paths (sends, returns): from each module, the nearest module below
       whose path is enabled; NULL is the miniport. */
    struct ndisi_filter_module *below_send = NULL, *below_recv = NULL;
    for (m = a->mod_bottom; m; m = m->above) {
        m->send_next = below_send;
        m->return_next = below_recv;
        if (m->send)
            below_send = m;
        if (m->receive)
            below_recv = m;
    }
    a->send_top = below_send;
    a->return_top = below_recv;

    /* Upward paths (completions, indications): the nearest module above whose
       path is enabled; NULL is the protocol edge. */
    struct ndisi_filter_module *above_send = NULL, *above_recv = NULL;
    for (m = a->mod_top; m; m = m->below) {
        m->complete_next = above_send;
        m->recv_next = above_recv;
        if (m->send)
            above_send = m;
        if (m->receive)
            above_recv = m;
    }
    a->complete_bottom = above_send;
    a->recv_bottom = above_recv;
}

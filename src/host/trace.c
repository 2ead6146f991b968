/*
 * trace.c - the optional trace of every NDIS-to-driver call. When no instance
 * traces, a driver call costs one relaxed load of ndisi_trace_enabled.
 */
#include <pthread.h>
#include <string.h>

#include "core/model.h"

static __thread unsigned t_depth;

void ndisi_trace_callback(const struct ndisi_cbframe *f, int phase, bool has_status,
                          LONG status)
{
    struct ndisi_image *img = f->image;
    if (!img)
        return;
    struct ndis_host *h = img->host;
    pthread_mutex_lock(&h->lock);
    ndis_trace_fn fn = h->trace_fn;
    void *ctx = h->trace_ctx;
    pthread_mutex_unlock(&h->lock);
    if (phase == 1 && t_depth)
        t_depth--;
    if (fn) {
        ndis_trace_event ev = {
            .seq = atomic_fetch_add(&h->trace_seq, 1) + 1,
            .time_ns = ndisi_now_ns(),
            .driver = img->name,
            .function = f->fn,
            .object = f->object ? f->object : "",
            .phase = phase,
            .has_status = has_status,
            .status = status,
            .irql = f->irql,
            .depth = t_depth,
        };
        fn(ctx, &ev);
    }
    if (phase == 0)
        t_depth++;
}

void ndis_host_set_trace(ndis_host *h, ndis_trace_fn fn, void *ctx)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_set_trace", "h"))
        return;
    pthread_mutex_lock(&h->lock);
    bool was = h->trace_fn != NULL;
    h->trace_fn = fn;
    h->trace_ctx = ctx;
    pthread_mutex_unlock(&h->lock);
    if (fn && !was)
        atomic_fetch_add(&ndisi_trace_enabled, 1);
    else if (!fn && was)
        atomic_fetch_sub(&ndisi_trace_enabled, 1);
}

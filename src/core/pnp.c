/* pnp.c - the per-instance PnP worker and its queue (see pnp.h). */
#include "core/pnp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/verifier.h"

/* Operations queued by one synchronous call and by what they queue in turn. */
struct pnp_group {
    atomic_int pending;          /* operations of the group not finished yet */
    atomic_int refs;             /* pending + the waiting caller */
    struct ndisi_completion done;
};

struct ndisi_pnp_op {
    LIST_ENTRY link;
    ndisi_pnp_fn fn;
    void *arg;
    void (*free_arg)(void *);
    char what[128];
    struct pnp_group *group;
};

static __thread const struct ndis_host *t_worker_of;
static __thread struct pnp_group *t_group;

bool ndisi_pnp_on_worker(const struct ndis_host *h)
{
    return t_worker_of == h;
}

static void group_put(struct pnp_group *g)
{
    if (g && atomic_fetch_sub(&g->refs, 1) == 1)
        free(g);
}

static void group_finish_one(struct ndis_host *h, struct pnp_group *g)
{
    if (!g)
        return;
    if (atomic_fetch_sub(&g->pending, 1) == 1)
        ndisi_completion_complete(&g->done, &h->call_wq, 0);
    group_put(g);
}

static int pnp_enqueue(struct ndis_host *h, struct ndisi_pnp_op *op)
{
    struct ndisi_pnp *p = &h->pnp;
    pthread_mutex_lock(&p->lock);
    if (p->stopping && !ndisi_pnp_on_worker(h)) {
        pthread_mutex_unlock(&p->lock);
        return -ESHUTDOWN;
    }
    InsertTailList(&p->queue, &op->link);
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

static void *pnp_worker(void *arg)
{
    struct ndis_host *h = arg;
    struct ndisi_pnp *p = &h->pnp;
    char tname[16];

    snprintf(tname, sizeof(tname), "ndis-pnp");
    pthread_setname_np(pthread_self(), tname);
    t_worker_of = h;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (IsListEmpty(&p->queue) && !p->stopping)
            pthread_cond_wait(&p->cond, &p->lock);
        if (IsListEmpty(&p->queue))
            break;
        struct ndisi_pnp_op *op =
            CONTAINING_RECORD(RemoveHeadList(&p->queue), struct ndisi_pnp_op, link);
        p->current = op;
        p->current_since_ms = ndisi_now_ms();
        pthread_mutex_unlock(&p->lock);

        t_group = op->group;
        op->fn(h, op->arg);
        t_group = NULL;
        if (op->free_arg)
            op->free_arg(op->arg);

        pthread_mutex_lock(&p->lock);
        p->current = NULL;
        pthread_mutex_unlock(&p->lock);
        group_finish_one(h, op->group);
        free(op);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    t_worker_of = NULL;
    return NULL;
}

int ndisi_pnp_start(struct ndis_host *h)
{
    struct ndisi_pnp *p = &h->pnp;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    InitializeListHead(&p->queue);
    p->stopping = false;
    p->current = NULL;
    int rc = pthread_create(&p->thread, NULL, pnp_worker, h);
    if (rc != 0) {
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        return -rc;
    }
    p->started = true;
    return 0;
}

void ndisi_pnp_stop(struct ndis_host *h)
{
    struct ndisi_pnp *p = &h->pnp;
    if (!p->started)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    p->started = false;
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
}

static struct ndisi_pnp_op *op_new(ndisi_pnp_fn fn, void *arg, void (*free_arg)(void *),
                                   const char *what)
{
    struct ndisi_pnp_op *op = calloc(1, sizeof(*op));
    if (!op)
        return NULL;
    op->fn = fn;
    op->arg = arg;
    op->free_arg = free_arg;
    snprintf(op->what, sizeof(op->what), "%s", what);
    return op;
}

int ndisi_pnp_post(struct ndis_host *h, ndisi_pnp_fn fn, void *arg, void (*free_arg)(void *),
                   const char *what)
{
    struct ndisi_pnp_op *op = op_new(fn, arg, free_arg, what);
    if (!op)
        return -ENOMEM;
    if (ndisi_pnp_on_worker(h) && t_group) {
        op->group = t_group;
        atomic_fetch_add(&op->group->refs, 1);
        atomic_fetch_add(&op->group->pending, 1);
    }
    int rc = pnp_enqueue(h, op);
    if (rc) {
        if (op->group) {
            atomic_fetch_sub(&op->group->pending, 1);
            group_put(op->group);
        }
        free(op);
    }
    return rc;
}

struct pnp_describe_ctx {
    struct ndis_host *h;
    const char *what;
};

static void pnp_describe(void *ctx, char *buf, size_t len)
{
    struct pnp_describe_ctx *d = ctx;
    struct ndisi_pnp *p = &d->h->pnp;
    pthread_mutex_lock(&p->lock);
    if (p->current)
        snprintf(buf, len, "the PnP worker is running '%s' for %llu ms", p->current->what,
                 ndisi_now_ms() - p->current_since_ms);
    else
        snprintf(buf, len, "the PnP worker is idle");
    pthread_mutex_unlock(&p->lock);
}

int ndisi_pnp_call(struct ndis_host *h, ndisi_pnp_fn fn, void *arg, const char *what)
{
    if (ndisi_pnp_on_worker(h)) {
        fn(h, arg);
        return 0;
    }
    struct pnp_group *g = calloc(1, sizeof(*g));
    struct ndisi_pnp_op *op = op_new(fn, arg, NULL, what);
    if (!g || !op) {
        free(g);
        free(op);
        return -ENOMEM;
    }
    atomic_init(&g->pending, 1);
    atomic_init(&g->refs, 2);
    ndisi_completion_reset(&g->done);
    op->group = g;
    int rc = pnp_enqueue(h, op);
    if (rc) {
        free(g);
        free(op);
        return rc;
    }
    /* Every wait on a driver inside the operation is itself bounded; this outer
       bound only guards against an operation that chains many such waits. */
    struct pnp_describe_ctx d = {h, what};
    unsigned limit = h->wait_timeout_ms * 4u + 1000u;
    bool ok = ndisi_completion_wait(&g->done, &h->call_wq, what, pnp_describe, &d, limit);
    if (!ok)
        ndisi_report(NDISI_V_TIMEOUT, what, "every NDIS wait is bounded",
                     "PnP operation '%s' did not finish within %u ms", what, limit);
    group_put(g);
    return ok ? 0 : -ETIMEDOUT;
}

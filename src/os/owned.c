/*
 * owned.c - lists of live NDIS objects by driver image (owned.h).
 */
#include "os/owned.h"

#include <stdatomic.h>

#include <wdm.h>

#include "core/model.h"

void ndisi_owned_add(struct ndisi_owned_list *l, struct ndisi_owned *o, struct ndisi_image *img)
{
    o->image = img;
    if (!img)
        return;
    pthread_mutex_lock(&l->lock);
    InsertTailList(&l->head, &o->link);
    atomic_fetch_add(&img->res[l->res], 1);
    pthread_mutex_unlock(&l->lock);
}

void ndisi_owned_del(struct ndisi_owned_list *l, struct ndisi_owned *o)
{
    pthread_mutex_lock(&l->lock);
    if (o->image) {
        RemoveEntryList(&o->link);
        atomic_fetch_sub(&o->image->res[l->res], 1);
        o->image = NULL;
    }
    pthread_mutex_unlock(&l->lock);
}

unsigned long ndisi_owned_reclaim(struct ndisi_owned_list *l, struct ndisi_image *img,
                                  void (*release)(struct ndisi_owned *o, void *ctx), void *ctx)
{
    unsigned long n = 0;
    LIST_ENTRY gone;
    InitializeListHead(&gone);
    pthread_mutex_lock(&l->lock);
    for (LIST_ENTRY *e = l->head.Flink, *next; e != &l->head; e = next) {
        next = e->Flink;
        struct ndisi_owned *o = CONTAINING_RECORD(e, struct ndisi_owned, link);
        if (o->image != img)
            continue;
        RemoveEntryList(e);
        InsertTailList(&gone, e);
        o->image = NULL;
        n++;
    }
    atomic_fetch_sub(&img->res[l->res], (long)n);
    pthread_mutex_unlock(&l->lock);
    while (!IsListEmpty(&gone))
        release(CONTAINING_RECORD(RemoveHeadList(&gone), struct ndisi_owned, link), ctx);
    return n;
}

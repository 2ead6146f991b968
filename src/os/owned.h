/*
 * owned.h - the live NDIS objects of one kind (pools, work items, timers,
 * read-write locks, lookaside lists), each listed with the driver image that
 * allocated it, so that image_reclaim (core/image.c) can release what a driver
 * left behind when it unloads, as memacct.c does for its memory.
 *
 * The list also keeps the driver's count of the kind (image->res[res]): an
 * object is counted exactly while it is listed. Allocating and freeing these
 * objects is not a data-path operation; one mutex per kind is enough. An
 * object allocated outside any driver (image NULL) is neither listed nor
 * counted.
 */
#ifndef NDISI_OS_OWNED_H
#define NDISI_OS_OWNED_H

#include <pthread.h>
#include <stdbool.h>

#include <ntdef.h>

struct ndisi_image;

/* Embedded in each object that can be listed. */
struct ndisi_owned {
    LIST_ENTRY link;           /* ndisi_owned_list.head while listed */
    struct ndisi_image *image; /* the driver that allocated it; NULL: not listed */
};

struct ndisi_owned_list {
    pthread_mutex_t lock;
    LIST_ENTRY head;           /* struct ndisi_owned.link, guarded by lock */
    int res;                   /* enum ndisi_res: the image counter of this kind */
};

/* Defines a list of objects counted in image->res[r]. */
#define NDISI_OWNED_LIST(name, r)                                                     \
    struct ndisi_owned_list name = {PTHREAD_MUTEX_INITIALIZER, {&(name).head, &(name).head}, (r)}

/* Lists `o` as img's and counts it; does nothing if img is NULL. */
void ndisi_owned_add(struct ndisi_owned_list *l, struct ndisi_owned *o, struct ndisi_image *img);
/* Unlists and uncounts `o` (its driver freed it); does nothing if it is not listed. */
void ndisi_owned_del(struct ndisi_owned_list *l, struct ndisi_owned *o);
/*
 * Unlists and uncounts every object of img, then calls release(o, ctx) on each
 * in allocation order: from then on they are the caller's. Returns how many.
 */
unsigned long ndisi_owned_reclaim(struct ndisi_owned_list *l, struct ndisi_image *img,
                                  void (*release)(struct ndisi_owned *o, void *ctx), void *ctx);

/*
 * What each kind releases at driver unload (image_reclaim), once nothing of
 * the driver can run any more (ndisi_os_image_quiesce); the leak report is
 * the caller's (image->res, counted before). Objects freed this way go
 * through the object quarantine, so a later use of one is reported as a stale
 * handle. The pools' counterpart is ndisi_pool_reclaim (datapath/pool.h).
 */
void ndisi_workitem_reclaim(struct ndisi_image *img);
void ndisi_timer_reclaim(struct ndisi_image *img);
void ndisi_rwlock_reclaim(struct ndisi_image *img);
void ndisi_lookaside_reclaim(struct ndisi_image *img);

#endif /* NDISI_OS_OWNED_H */

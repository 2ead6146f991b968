/*
 * workitem.c - NDIS I/O work items: NdisAllocateIoWorkItem, NdisQueueIoWorkItem,
 * NdisFreeIoWorkItem.
 *
 * A work item is an NDISI_OBJ_WORKITEM object with an embedded worker-pool
 * entry, so queuing never allocates. Its state word holds a QUEUED bit, a
 * FREE_PENDING bit and the number of runs in progress (a routine may queue its
 * own item again, and another worker may start it before the first run
 * returns). The routine runs on a pool thread at PASSIVE_LEVEL inside an
 * NDISI_CB_WORKITEM frame charged to the driver that allocated the item.
 *
 * Items are listed by driver (owned.h): those a driver leaves allocated are
 * released when it unloads (ndisi_workitem_reclaim).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/obj.h"
#include "core/verifier.h"
#include "os/owned.h"
#include "os/workq.h"

#define WI_QUEUED 1u
#define WI_FREE_PENDING 2u
#define WI_RUN_ONE 4u
#define WI_RUNS(s) ((s) / WI_RUN_ONE)

struct ndisi_workitem {
    struct ndisi_obj obj;
    struct ndisi_image *image;
    struct ndisi_owned owned;         /* in g_items from allocation to free */
    struct ndisi_workq_entry entry;
    NDIS_IO_WORKITEM_ROUTINE routine; /* written by the queuer while QUEUED is set */
    PVOID context;
    atomic_uint state;
    char label[NDISI_NAME_MAX + 32];
};

static NDISI_OWNED_LIST(g_items, NDISI_RES_WORKITEM);

static void run_workitem(void *arg)
{
    struct ndisi_workitem *wi = arg;
    /* Read before QUEUED is cleared: once it is, the item may be queued again. */
    NDIS_IO_WORKITEM_ROUTINE routine = wi->routine;
    PVOID ctx = wi->context;
    unsigned s = atomic_load(&wi->state);
    while (!atomic_compare_exchange_weak(&wi->state, &s, (s & ~WI_QUEUED) + WI_RUN_ONE))
        ;

    /* A queued item is FREE_PENDING only when its driver unloaded meanwhile
       (ndisi_workitem_reclaim): its routine must not run any more. */
    if (!(s & WI_FREE_PENDING)) {
        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, wi->image, "NDIS_IO_WORKITEM_ROUTINE", wi->label, NDISI_CB_WORKITEM,
                       PASSIVE_LEVEL);
        routine(ctx, (NDIS_HANDLE)wi);
        ndisi_cb_leave(&f);
    }

    /* The last run of an item freed meanwhile releases it, unless the item is
       queued again (only after a reclaim): then that run releases it. */
    s = atomic_load(&wi->state);
    for (;;) {
        unsigned ns = s - WI_RUN_ONE;
        if (atomic_compare_exchange_weak(&wi->state, &s, ns)) {
            if (WI_RUNS(ns) == 0 && (ns & (WI_FREE_PENDING | WI_QUEUED)) == WI_FREE_PENDING)
                ndisi_obj_free(wi);
            return;
        }
    }
}

/*
 * nf-ndis-ndisallocateioworkitem.md: miniport drivers pass their adapter or
 * driver handle, filter drivers their filter driver handle; "Protocol drivers
 * cannot use NdisAllocateIoWorkItem because NDIS does not associate protocol
 * drivers with device objects or driver objects."
 */
NDIS_HANDLE NdisAllocateIoWorkItem(_In_ NDIS_HANDLE NdisObjectHandle)
{
    ndisi_irql_le(DISPATCH_LEVEL, "NdisAllocateIoWorkItem", "Irql_Miscellaneous_Function");
    if (ndisi_obj_is(NdisObjectHandle, NDISI_OBJ_PROTOCOL) ||
        ndisi_obj_is(NdisObjectHandle, NDISI_OBJ_OPEN)) {
        ndisi_report(NDISI_V_HANDLE, "NdisAllocateIoWorkItem",
                     "Protocol drivers cannot use NdisAllocateIoWorkItem",
                     "NdisObjectHandle %p is a %s: pass a miniport adapter, miniport driver "
                     "or filter handle", NdisObjectHandle,
                     ndisi_objtype_name(((const struct ndisi_obj *)NdisObjectHandle)->type));
        return NULL;
    }
    struct ndisi_image *img = ndisi_image_from_handle(NdisObjectHandle, "NdisAllocateIoWorkItem");
    if (!img)
        return NULL;
    struct ndisi_workitem *wi = ndisi_obj_alloc(NDISI_OBJ_WORKITEM, sizeof(*wi));
    if (!wi)
        return NULL;
    snprintf(wi->label, sizeof(wi->label), "work item of driver '%s'", img->name);
    wi->obj.label = wi->label;
    wi->image = img;
    wi->entry.fn = run_workitem;
    wi->entry.arg = wi;
    wi->entry.heap = false;
    atomic_init(&wi->state, 0);
    ndisi_owned_add(&g_items, &wi->owned, img);
    return (NDIS_HANDLE)wi;
}

VOID NdisQueueIoWorkItem(_In_ NDIS_HANDLE NdisIoWorkItemHandle,
                         _In_ NDIS_IO_WORKITEM_ROUTINE Routine, _In_opt_ PVOID WorkItemContext)
{
    struct ndisi_workitem *wi = ndisi_obj_check(NdisIoWorkItemHandle, NDISI_OBJ_WORKITEM,
                                                "NdisQueueIoWorkItem", "NdisIoWorkItemHandle");
    if (!wi)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisQueueIoWorkItem", "Irql_Miscellaneous_Function");
    if (!Routine) {
        ndisi_report(NDISI_V_PARAMETER, "NdisQueueIoWorkItem", "Routine must not be NULL",
                     "Routine is NULL for %s", wi->label);
        return;
    }
    unsigned s = atomic_load(&wi->state);
    do {
        if (s & (WI_QUEUED | WI_FREE_PENDING)) {
            /* The I/O manager's work item is a single queue entry: queuing it
               twice corrupts the queue (IoQueueWorkItem). */
            ndisi_report(NDISI_V_STATE, "NdisQueueIoWorkItem",
                         "a work item can be queued again only after its routine started",
                         "%s is %s", wi->label,
                         (s & WI_QUEUED) ? "already queued and has not started yet"
                                         : "being freed");
            return;
        }
    } while (!atomic_compare_exchange_weak(&wi->state, &s, s | WI_QUEUED));
    wi->routine = Routine;
    wi->context = WorkItemContext;
    ndisi_workq_post_entry(&wi->entry);
}

/*
 * nf-ndis-ndisallocateioworkitem.md: "Drivers can call NdisFreeIoWorkItem in
 * the callback routine that is passed to NdisQueueIoWorkItem." An item freed
 * while a routine runs is released when the last run returns; an item that is
 * queued and has not run is not freed (reported).
 */
VOID NdisFreeIoWorkItem(_In_ NDIS_HANDLE NdisIoWorkItemHandle)
{
    struct ndisi_workitem *wi = ndisi_obj_check(NdisIoWorkItemHandle, NDISI_OBJ_WORKITEM,
                                                "NdisFreeIoWorkItem", "NdisIoWorkItemHandle");
    if (!wi)
        return;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisFreeIoWorkItem", "Irql_Miscellaneous_Function");
    unsigned s = atomic_load(&wi->state);
    for (;;) {
        if (s & WI_QUEUED) {
            ndisi_report(NDISI_V_STATE, "NdisFreeIoWorkItem",
                         "a queued work item must not be freed before its routine runs",
                         "%s is queued: its routine has not run yet; the item is not freed",
                         wi->label);
            return;
        }
        if (s & WI_FREE_PENDING) {
            ndisi_report(NDISI_V_HANDLE, "NdisFreeIoWorkItem", "handle used after it was released",
                         "%s was already freed", wi->label);
            return;
        }
        if (WI_RUNS(s) == 0)
            break;
        if (atomic_compare_exchange_weak(&wi->state, &s, s | WI_FREE_PENDING)) {
            /* A routine is running: the last one to return releases the item. */
            ndisi_owned_del(&g_items, &wi->owned);
            wi->obj.magic = NDISI_MAGIC_DEAD;
            return;
        }
    }
    ndisi_owned_del(&g_items, &wi->owned);
    ndisi_obj_free(wi);
}

/*
 * At unload the work queue has been run dry (ndisi_os_image_quiesce), so an
 * item is normally idle and freed at once. If the flush timed out (a routine
 * that does not return, or queues its item forever), the item is marked
 * freed: a pending run skips the routine and the last run releases it.
 */
static void workitem_reclaim_one(struct ndisi_owned *o, void *unused)
{
    struct ndisi_workitem *wi = CONTAINING_RECORD(o, struct ndisi_workitem, owned);
    char label[sizeof(wi->label)];
    (void)unused;
    memcpy(label, wi->label, sizeof(label));
    wi->obj.magic = NDISI_MAGIC_DEAD; /* before a run in progress may release it */
    unsigned s = atomic_load(&wi->state);
    while (!atomic_compare_exchange_weak(&wi->state, &s, s | WI_FREE_PENDING))
        ;
    if (s == 0) {
        ndisi_obj_free(wi);
        return;
    }
    ndisi_diag("%s is still %s after the work queue was flushed; NDIS releases it when that "
               "run ends, and its routine will not run again",
               label, (s & WI_QUEUED) ? "queued" : "running");
}

void ndisi_workitem_reclaim(struct ndisi_image *img)
{
    ndisi_owned_reclaim(&g_items, img, workitem_reclaim_one, NULL);
}

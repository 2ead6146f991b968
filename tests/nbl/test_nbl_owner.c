/*
 * test_nbl_owner.c - ownership rules of the NET_BUFFER data path: every wrong
 * free is reported (double free, NBL sent or indicated, freed by another
 * driver, wrong free function, NB that belongs to an NBL, not from NDIS) and
 * refused, leaving the pool consistent; ndisi_nbl_bad_state; context space
 * left allocated at free.
 */
#include <stdlib.h>
#include <string.h>

#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "datapath/pool.h"
#include "fakedriver.h"

static size_t in_use(NDIS_HANDLE pool)
{
    return ndisi_slab_in_use(&((struct ndisi_nbl_pool *)pool)->slab);
}

TEST(double_free_reported_and_refused)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 0);

    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_ddi(), "NdisFreeNetBufferList");
    T_STREQ(t_report_class(), "net-buffer-list");
    T_CONTAINS(t_report_msg(), "already freed");
    T_CONTAINS(t_report_msg(), "allocated by proto");

    /* The NBL is on the free list once: two allocations give two NBLs. */
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST b = NdisAllocateNetBufferList(pool, 0, 0);
    T_ASSERT(a != b);
    T_EQ(in_use(pool), 2);
    NdisFreeNetBufferList(a);
    NdisFreeNetBufferList(b);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 1);
    t_driver_done(drv);
}

TEST(free_of_sent_or_indicated_nbl_refused)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    struct ndisi_nbl_priv *pr = ndisi_nbl_priv(nbl);

    atomic_store(&pr->where, NDISI_NBL_SENT); /* what NdisSendNetBufferLists does */
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "still owned by the driver below: it was sent and not completed");
    T_EQ(atomic_load(&pr->where), NDISI_NBL_SENT);
    T_EQ(in_use(pool), 1);

    atomic_store(&pr->where, NDISI_NBL_INDICATED);
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 2);
    T_CONTAINS(t_report_msg(), "indicated and not returned");
    T_EQ(atomic_load(&pr->where), NDISI_NBL_INDICATED);

    atomic_store(&pr->where, NDISI_NBL_OWNED); /* completed / returned */
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 2);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 2);
    t_driver_done(drv);
}

TEST(free_by_another_driver_refused)
{
    t_reports_capture();
    NDIS_HANDLE a = t_driver("owner"), b = t_driver("thief");
    NDIS_HANDLE pool = t_nbl_pool(a, TRUE, 0, 0);
    NDIS_HANDLE nbp = t_nb_pool(a, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(nbp, NULL, 0, 0);
    struct ndisi_cbframe f;

    t_enter(&f, b);
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "driver thief frees NET_BUFFER_LIST");
    T_CONTAINS(t_report_msg(), "which driver owner allocated");
    NdisFreeNetBuffer(nb);
    T_EQ(t_reports(), 2);
    T_CONTAINS(t_report_msg(), "driver thief frees NET_BUFFER");
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 3);
    T_STREQ(t_report_class(), "handle");
    t_leave(&f);
    T_EQ(in_use(pool), 1);
    T_EQ(atomic_load(&ndisi_nbl_priv(nbl)->where), NDISI_NBL_OWNED);

    /* The owner (in its callback or outside any) frees them. */
    t_enter(&f, a);
    NdisFreeNetBufferList(nbl);
    t_leave(&f);
    NdisFreeNetBuffer(nb);
    NdisFreeNetBufferListPool(pool);
    NdisFreeNetBufferPool(nbp);
    T_EQ(t_reports(), 3);
    t_driver_done(a);
    t_driver_done(b);
}

TEST(wrong_free_function_refused)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("filter");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(nbl, NULL, NULL, 0);
    T_ASSERT(clone != NULL);

    NdisFreeNetBufferList(clone);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "is a clone: wrong pool/free function");
    NdisFreeCloneNetBufferList(nbl, 0);
    T_EQ(t_reports(), 2);
    T_CONTAINS(t_report_msg(), "is not a clone: wrong pool/free function");
    T_EQ(in_use(pool), 1);

    NdisFreeCloneNetBufferList(clone, 0);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 2);
    t_driver_done(drv);
}

TEST(net_buffer_wrong_frees)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("mp");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 0);
    NDIS_HANDLE nbp = t_nb_pool(drv, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);

    /* The NB preallocated with an NBL goes with the NBL. */
    NdisFreeNetBuffer(nbl->FirstNetBuffer);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "belongs to NET_BUFFER_LIST");

    /* A clone's NB goes with the clone. */
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(nbl, NULL, NULL, 0);
    NdisFreeNetBuffer(clone->FirstNetBuffer);
    T_EQ(t_reports(), 2);
    T_CONTAINS(t_report_msg(), "belongs to a clone");
    NdisFreeCloneNetBufferList(clone, 0);

    /* Double free of a pool NB. */
    PNET_BUFFER nb = NdisAllocateNetBuffer(nbp, NULL, 0, 0);
    NdisFreeNetBuffer(nb);
    NdisFreeNetBuffer(nb);
    T_EQ(t_reports(), 3);
    T_CONTAINS(t_report_msg(), "already freed");
    PNET_BUFFER x = NdisAllocateNetBuffer(nbp, NULL, 0, 0);
    PNET_BUFFER y = NdisAllocateNetBuffer(nbp, NULL, 0, 0);
    T_ASSERT(x != y);
    NdisFreeNetBuffer(x);
    NdisFreeNetBuffer(y);

    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    NdisFreeNetBufferPool(nbp);
    T_EQ(t_reports(), 3);
    t_driver_done(drv);
}

TEST(structures_not_from_ndis_reported)
{
    t_reports_capture();
    /* Room for a hidden header in front, so the check reads only this block. */
    struct {
        struct ndisi_nbl_priv pad;
        NET_BUFFER_LIST nbl;
    } *own = calloc(1, sizeof(*own));
    struct {
        struct ndisi_nb_priv pad;
        NET_BUFFER nb;
    } *ownb = calloc(1, sizeof(*ownb));

    NdisFreeNetBufferList(&own->nbl);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "was not allocated by NDIS");
    NdisFreeCloneNetBufferList(&own->nbl, 0);
    T_EQ(t_reports(), 2);
    NdisFreeNetBuffer(&ownb->nb);
    T_EQ(t_reports(), 3);
    T_CONTAINS(t_report_msg(), "was not allocated by NDIS");
    NdisFreeNetBufferList(NULL);
    T_EQ(t_reports(), 4);
    T_STREQ(t_report_class(), "parameter");
    free(own);
    free(ownb);
}

TEST(bad_state_helper)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("sender");
    NDIS_HANDLE pool = t_nbl_pool(drv, FALSE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);

    ndisi_nbl_bad_state(nbl, "NdisMSendNetBufferListsComplete", "sent to the miniport");
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_ddi(), "NdisMSendNetBufferListsComplete");
    T_STREQ(t_report_class(), "net-buffer-list");
    T_CONTAINS(t_report_msg(), "is owned by the driver that allocated it");
    T_CONTAINS(t_report_msg(), "allocated by sender");
    T_CONTAINS(t_report_msg(), "expected one sent to the miniport");

    NdisFreeNetBufferList(nbl);
    ndisi_nbl_bad_state(nbl, "NdisSendNetBufferLists", "owned by the caller");
    T_CONTAINS(t_report_msg(), "is free (already freed)");
    ndisi_nbl_bad_state(NULL, "NdisSendNetBufferLists", "owned by the caller");
    T_CONTAINS(t_report_msg(), "NET_BUFFER_LIST is NULL");
    T_EQ(t_reports(), 3);
    NdisFreeNetBufferListPool(pool);
    t_driver_done(drv);
}

static ULONG tag = 0x67615420;

TEST(context_left_allocated_is_reported_and_freed)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("filter");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 16, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 16, 0);
    T_EQ(NdisAllocateNetBufferListContext(nbl, 64, 0, tag), NDIS_STATUS_SUCCESS);
    T_EQ(NdisAllocateNetBufferListContext(nbl, 64, 0, tag), NDIS_STATUS_SUCCESS);
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "leak");
    T_CONTAINS(t_report_msg(), "2 context blocks");
    T_EQ(in_use(pool), 0); /* freed anyway: LeakSanitizer sees no leak */
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 1);
    t_driver_done(drv);
}

TEST(handles_checked)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE nbp = t_nb_pool(drv, 0);
    NDIS_HANDLE pool = t_nbl_pool(drv, FALSE, 0, 0);

    T_ASSERT(NdisAllocateNetBufferList(NULL, 0, 0) == NULL);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "handle");
    T_ASSERT(NdisAllocateNetBufferList(nbp, 0, 0) == NULL);
    T_EQ(t_reports(), 2);
    T_ASSERT(NdisAllocateNetBuffer(pool, NULL, 0, 0) == NULL);
    T_EQ(t_reports(), 3);
    NdisFreeNetBufferPool(pool);
    T_EQ(t_reports(), 4);
    NdisFreeNetBufferListPool(nbp);
    T_EQ(t_reports(), 5);
    /* NDIS's own clone pools cannot be freed by drivers. */
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(nbl, NULL, NULL, 0);
    NdisFreeNetBufferListPool(NdisGetPoolFromNetBufferList(clone));
    T_EQ(t_reports(), 6);
    T_CONTAINS(t_report_msg(), "belongs to NDIS");
    NdisFreeCloneNetBufferList(clone, 0);
    NdisFreeNetBufferList(nbl);

    NdisFreeNetBufferPool(nbp);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 6);
    t_driver_done(drv);
}

/*
 * test_nbl_clone.c - clone NET_BUFFER_LISTs (shared data, new or original
 * MDLs, caller or NDIS pools, freeing with retreat MDLs still chained) and
 * NET_BUFFER_LIST_CONTEXT space (stacking, backfill reuse, release order).
 */
#include <stdlib.h>
#include <string.h>

#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "datapath/pool.h"
#include "fakedriver.h"

static PUCHAR mdl_va(PMDL m)
{
    return MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
}

/* Original: NB1 over [30][70] from offset 10 (80 bytes), NB2 over [50] (50 bytes). */
struct orig {
    NDIS_HANDLE drv, pool, nbp;
    PMDL c1, c2;
    PNET_BUFFER_LIST nbl;
};

static void orig_up(struct orig *o)
{
    t_reports_capture();
    o->drv = t_driver("filter");
    o->pool = t_nbl_pool(o->drv, TRUE, 16, 0);
    o->nbp = t_nb_pool(o->drv, 0);
    o->c1 = t_mdl(30, 0);
    o->c1->Next = t_mdl(70, 0);
    o->c2 = t_mdl(50, 0);
    for (int i = 0; i < 30; i++)
        mdl_va(o->c1)[i] = (UCHAR)i;
    for (int i = 0; i < 70; i++)
        mdl_va(o->c1->Next)[i] = (UCHAR)(30 + i);
    for (int i = 0; i < 50; i++)
        mdl_va(o->c2)[i] = (UCHAR)(200 + i);
    o->nbl = NdisAllocateNetBufferAndNetBufferList(o->pool, 16, 0, o->c1, 10, 80);
    o->nbl->FirstNetBuffer->Next = NdisAllocateNetBuffer(o->nbp, o->c2, 0, 50);
}

static void orig_down(struct orig *o)
{
    NdisFreeNetBuffer(o->nbl->FirstNetBuffer->Next);
    o->nbl->FirstNetBuffer->Next = NULL;
    NdisFreeNetBufferList(o->nbl);
    t_mdl_free_chain(o->c1);
    t_mdl_free_chain(o->c2);
    NdisFreeNetBufferPool(o->nbp);
    NdisFreeNetBufferListPool(o->pool);
    T_EQ(t_reports(), 0);
    t_driver_done(o->drv);
}

static void read_all(PNET_BUFFER nb, PUCHAR out)
{
    PUCHAR p = NdisGetDataBuffer(nb, nb->DataLength, out, 1, 0);
    T_ASSERT(p != NULL);
    if (p != out)
        memcpy(out, p, nb->DataLength);
}

TEST(clone_shares_data_with_new_mdls)
{
    struct orig o;
    orig_up(&o);
    o.nbl->ChildRefCount = 0;
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, 0);
    T_ASSERT(clone != NULL);
    T_ASSERT(clone != o.nbl);
    T_ASSERT(clone->Context == NULL);            /* no initial context */
    T_ASSERT(clone->ParentNetBufferList == NULL); /* the caller maintains it */
    T_EQ(o.nbl->ChildRefCount, 0);               /* ... and the child count */
    T_ASSERT(clone->NdisPoolHandle != NULL && clone->NdisPoolHandle != o.pool);
    T_ASSERT(NdisGetPoolFromNetBufferList(clone) == clone->NdisPoolHandle);
    T_EQ(ndisi_nbl_priv(clone)->flags, NDISI_NBLF_CLONE);
    T_EQ(atomic_load(&ndisi_nbl_priv(clone)->where), NDISI_NBL_OWNED);

    PNET_BUFFER a = clone->FirstNetBuffer, b = a->Next;
    T_ASSERT(a && b && b->Next == NULL);
    T_ASSERT(a != o.nbl->FirstNetBuffer);
    /* Cloned from the start of the used data: DataOffset 0, first MDL at old data start. */
    T_EQ(a->DataOffset, 0);
    T_EQ(a->DataLength, 80);
    T_ASSERT(a->MdlChain != o.c1 && a->MdlChain != o.c1->Next);
    T_ASSERT(a->CurrentMdl == a->MdlChain);
    T_EQ(a->CurrentMdlOffset, 0);
    T_ASSERT(mdl_va(a->MdlChain) == mdl_va(o.c1) + 10);
    T_EQ(a->MdlChain->ByteCount, 20);
    T_ASSERT(mdl_va(a->MdlChain->Next) == mdl_va(o.c1->Next));
    T_EQ(a->MdlChain->Next->ByteCount, 60); /* ends at the original's data end */
    T_ASSERT(a->MdlChain->Next->Next == NULL);
    T_EQ(b->DataLength, 50);
    T_ASSERT(mdl_va(b->MdlChain) == mdl_va(o.c2));

    UCHAR buf[80];
    read_all(a, buf);
    for (int i = 0; i < 80; i++)
        T_EQ(buf[i], 10 + i);
    /* Shared, not copied. */
    mdl_va(o.c1)[10] = 0xab;
    read_all(a, buf);
    T_EQ(buf[0], 0xab);

    NdisFreeCloneNetBufferList(clone, 0);
    orig_down(&o);
}

TEST(clone_with_original_mdls)
{
    struct orig o;
    orig_up(&o);
    PNET_BUFFER_LIST clone =
        NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    PNET_BUFFER a = clone->FirstNetBuffer, onb = o.nbl->FirstNetBuffer;
    T_ASSERT(a->MdlChain == onb->CurrentMdl);
    T_ASSERT(a->CurrentMdl == onb->CurrentMdl);
    T_EQ(a->CurrentMdlOffset, 10);
    T_EQ(a->DataOffset, 10);
    T_EQ(a->DataLength, 80);
    UCHAR buf[80];
    read_all(a, buf);
    for (int i = 0; i < 80; i++)
        T_EQ(buf[i], 10 + i);
    NdisFreeCloneNetBufferList(clone, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    T_EQ(t_reports(), 0);

    /* Flags that do not match the allocation are reported; the free is still exact. */
    clone = NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, 0);
    NdisFreeCloneNetBufferList(clone, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_rule(), "same flags");
    clone = NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    NdisFreeCloneNetBufferList(clone, 0);
    T_EQ(t_reports(), 2);
    t_reports_reset();
    orig_down(&o);
}

TEST(clone_from_caller_pools)
{
    struct orig o;
    orig_up(&o);
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_TCP_IP;
    pp.fAllocateNetBuffer = TRUE;
    pp.ContextSize = 32;
    NDIS_HANDLE cpool = NdisAllocateNetBufferListPool(o.drv, &pp);
    NDIS_HANDLE cnbp = t_nb_pool(o.drv, 0);

    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(o.nbl, cpool, cnbp, 0);
    T_ASSERT(clone->NdisPoolHandle == cpool);
    T_ASSERT(clone->Context == NULL);
    T_EQ(((PUCHAR)&NET_BUFFER_LIST_INFO(clone, NetBufferListProtocolId))[1],
         NDIS_PROTOCOL_ID_TCP_IP);
    T_ASSERT(clone->FirstNetBuffer->NdisPoolHandle == cnbp);
    T_ASSERT(NdisGetPoolFromNetBuffer(clone->FirstNetBuffer->Next) == cnbp);
    T_ASSERT(ndisi_nbl_priv(clone)->owner == t_driver_image(o.drv));

    /* The pools know the clone is outstanding. */
    NdisFreeNetBufferPool(cnbp);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "2 NET_BUFFER structures allocated");
    NdisFreeNetBufferListPool(cpool);
    T_EQ(t_reports(), 2);
    t_reports_reset();

    NdisFreeCloneNetBufferList(clone, 0);
    NdisFreeNetBufferListPool(cpool);
    NdisFreeNetBufferPool(cnbp);
    orig_down(&o);
}

TEST(clone_freed_with_retreat_mdls_chained)
{
    struct orig o;
    orig_up(&o);
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, 0);
    /* A driver below prepends a header on the clone and completes it as it is. */
    T_EQ(NdisRetreatNetBufferListDataStart(clone, 14, 0, NULL, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(clone->FirstNetBuffer->DataLength == 94);
    /* The original is untouched. */
    T_EQ(o.nbl->FirstNetBuffer->DataOffset, 10);
    T_ASSERT(o.nbl->FirstNetBuffer->MdlChain == o.c1);
    NdisFreeCloneNetBufferList(clone, 0); /* NDIS's MDLs go too (LeakSanitizer checks) */

    /* Clone of a clone, and of an NBL without NET_BUFFERs. */
    clone = NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, 0);
    PNET_BUFFER_LIST grand = NdisAllocateCloneNetBufferList(clone, NULL, NULL, 0);
    UCHAR buf[80];
    read_all(grand->FirstNetBuffer, buf);
    T_EQ(buf[5], 15);
    NdisFreeCloneNetBufferList(grand, 0);
    NdisFreeCloneNetBufferList(clone, 0);
    NDIS_HANDLE bare = t_nbl_pool(o.drv, FALSE, 0, 0);
    PNET_BUFFER_LIST empty = NdisAllocateNetBufferList(bare, 0, 0);
    clone = NdisAllocateCloneNetBufferList(empty, NULL, NULL, 0);
    T_ASSERT(clone && clone->FirstNetBuffer == NULL);
    NdisFreeCloneNetBufferList(clone, 0);
    NdisFreeNetBufferList(empty);
    NdisFreeNetBufferListPool(bare);

    /* An injected failure allocates nothing (LeakSanitizer checks). */
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    T_ASSERT(NdisAllocateCloneNetBufferList(o.nbl, NULL, NULL, 0) == NULL);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 0);
    orig_down(&o);
}

static const ULONG tag = 0x7874634e;

TEST(context_stacking)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("filter");
    NDIS_HANDLE pool = t_nbl_pool(drv, FALSE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    T_ASSERT(nbl->Context == NULL);

    /* New context: 16 used bytes, 32 bytes of backfill in front. */
    T_EQ(NdisAllocateNetBufferListContext(nbl, 16, 32, tag), NDIS_STATUS_SUCCESS);
    PNET_BUFFER_LIST_CONTEXT c1 = nbl->Context;
    T_ASSERT(c1 != NULL && c1->Next == NULL);
    T_EQ(c1->Size, 48);
    T_EQ(c1->Offset, 32);
    T_ASSERT(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) == c1->ContextData + 32);
    T_EQ((uintptr_t)NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) % sizeof(void *), 0);
    memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0x11, 16);

    /* The next one fits in the backfill: Offset moves, no new context. */
    T_EQ(NdisAllocateNetBufferListContext(nbl, 16, 0, tag), NDIS_STATUS_SUCCESS);
    T_ASSERT(nbl->Context == c1);
    T_EQ(c1->Offset, 16);
    memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0x22, 16);

    /* One that does not fit gets a context in front. */
    T_EQ(NdisAllocateNetBufferListContext(nbl, 24, 0, tag), NDIS_STATUS_SUCCESS);
    PNET_BUFFER_LIST_CONTEXT c2 = nbl->Context;
    T_ASSERT(c2 != c1 && c2->Next == c1);
    T_EQ(c2->Size, 24);
    T_EQ(c2->Offset, 0);
    memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0x33, 24);

    /* Released in reverse order; each layer's data is intact when it is on top. */
    NdisFreeNetBufferListContext(nbl, 24);
    T_ASSERT(nbl->Context == c1);
    T_EQ(c1->Offset, 16);
    T_EQ(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl)[0], 0x22);
    NdisFreeNetBufferListContext(nbl, 16);
    T_EQ(c1->Offset, 32);
    T_EQ(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl)[15], 0x11);
    NdisFreeNetBufferListContext(nbl, 16);
    T_ASSERT(nbl->Context == NULL);

    /* Wrong sizes are reported. */
    T_EQ(NdisAllocateNetBufferListContext(nbl, 12, 0, tag), NDIS_STATUS_FAILURE);
    T_EQ(t_reports(), 1);
    NdisFreeNetBufferListContext(nbl, 8);
    T_EQ(t_reports(), 2);
    T_EQ(NdisAllocateNetBufferListContext(nbl, 8, 0, tag), NDIS_STATUS_SUCCESS);
    NdisFreeNetBufferListContext(nbl, 16);
    T_EQ(t_reports(), 3);
    NdisFreeNetBufferListContext(nbl, 8);
    T_ASSERT(nbl->Context == NULL);
    t_reports_reset();

    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

TEST(context_with_preallocated_space)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("filter");
    NDIS_HANDLE pool = t_nbl_pool(drv, FALSE, 32, 0);

    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST_CONTEXT pre = nbl->Context;
    T_EQ(pre->Offset, 32);
    T_EQ(NdisAllocateNetBufferListContext(nbl, 16, 0, tag), NDIS_STATUS_SUCCESS);
    T_ASSERT(nbl->Context == pre);
    T_EQ(pre->Offset, 16);
    NdisFreeNetBufferListContext(nbl, 16);
    T_ASSERT(nbl->Context == pre); /* the preallocated context stays */
    T_EQ(pre->Offset, 32);
    NdisFreeNetBufferList(nbl);

    /* A bigger initial context made by the allocation is freed with the NBL only. */
    nbl = NdisAllocateNetBufferList(pool, 32, 16);
    PNET_BUFFER_LIST_CONTEXT big = nbl->Context;
    T_EQ(big->Size, 48);
    T_ASSERT(big->Next == pre);
    NdisFreeNetBufferListContext(nbl, 32);
    T_ASSERT(nbl->Context == big);
    T_EQ(big->Offset, 48);
    NdisFreeNetBufferList(nbl);

    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

/*
 * test_nbl_pool.c - NET_BUFFER_LIST and NET_BUFFER pools: parameters, what a
 * fresh NBL looks like for each kind of pool, context preallocation, growth,
 * freeing a pool with NBLs outstanding, POOL_FLAG_VERIFY, fault injection,
 * IRQL, and "no system allocation once the pool is warm".
 */
#include <stdlib.h>
#include <string.h>

#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "datapath/pool.h"
#include "fakedriver.h"

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return false;
    return true;
}

static void pool_params(NET_BUFFER_LIST_POOL_PARAMETERS *pp)
{
    memset(pp, 0, sizeof(*pp));
    pp->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp->Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp->Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
}

TEST(pool_parameters_rejected)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NET_BUFFER_LIST_POOL_PARAMETERS pp;

    T_ASSERT(NdisAllocateNetBufferListPool(drv, NULL) == NULL);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "parameter");

    pool_params(&pp);
    pp.Header.Type = 0x81;
    T_ASSERT(NdisAllocateNetBufferListPool(drv, &pp) == NULL);
    T_EQ(t_reports(), 2);
    T_CONTAINS(t_report_msg(), "Type 0x81");

    pool_params(&pp);
    pp.Header.Size = 4;
    T_ASSERT(NdisAllocateNetBufferListPool(drv, &pp) == NULL);
    T_EQ(t_reports(), 3);

    pool_params(&pp);
    pp.ContextSize = 8;
    T_ASSERT(NdisAllocateNetBufferListPool(drv, &pp) == NULL);
    T_EQ(t_reports(), 4);
    T_CONTAINS(t_report_rule(), "MEMORY_ALLOCATION_ALIGNMENT");

    pool_params(&pp);
    pp.DataSize = 100;
    T_ASSERT(NdisAllocateNetBufferListPool(drv, &pp) == NULL);
    T_EQ(t_reports(), 5);
    T_CONTAINS(t_report_rule(), "fAllocateNetBuffer must be set to TRUE");

    /* A handle that is not a driver handle (here: an NBL pool). */
    NDIS_HANDLE pool = t_nbl_pool(drv, FALSE, 0, 0);
    T_ASSERT(pool != NULL);
    pool_params(&pp);
    T_ASSERT(NdisAllocateNetBufferListPool(pool, &pp) == NULL);
    T_EQ(t_reports(), 6);
    T_STREQ(t_report_class(), "handle");
    T_ASSERT(NdisAllocateNetBufferPool(pool, NULL) == NULL);
    T_EQ(t_reports(), 7);

    NET_BUFFER_POOL_PARAMETERS bp;
    memset(&bp, 0, sizeof(bp));
    T_ASSERT(NdisAllocateNetBufferPool(drv, &bp) == NULL); /* Type 0 */
    T_EQ(t_reports(), 8);

    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 8);
    t_driver_done(drv);
}

TEST(pools_are_counted_per_driver)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    struct ndisi_image *img = t_driver_image(drv);
    NDIS_HANDLE a = t_nbl_pool(drv, TRUE, 0, 0), b = t_nbl_pool(drv, FALSE, 16, 0);
    NDIS_HANDLE c = t_nb_pool(drv, 0);
    T_ASSERT(a && b && c);
    T_EQ(atomic_load(&img->res[NDISI_RES_NBL_POOL]), 2);
    T_EQ(atomic_load(&img->res[NDISI_RES_NB_POOL]), 1);
    T_ASSERT(ndisi_obj_is(a, NDISI_OBJ_NBL_POOL));
    T_ASSERT(ndisi_obj_is(c, NDISI_OBJ_NB_POOL));
    T_CONTAINS(((struct ndisi_nbl_pool *)a)->label, "'Test' of proto");

    /* NdisHandle is optional: with none, the pool belongs to no driver. */
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    pool_params(&pp);
    NDIS_HANDLE d = NdisAllocateNetBufferListPool(NULL, &pp);
    T_ASSERT(d != NULL);
    NdisFreeNetBufferListPool(d);

    NdisFreeNetBufferListPool(a);
    NdisFreeNetBufferListPool(b);
    NdisFreeNetBufferPool(c);
    T_EQ(t_reports(), 0);
    t_driver_done(drv); /* asserts the counters are back to 0 */

    /* A freed pool handle is reported, not used. */
    NdisFreeNetBufferListPool(a);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "handle");
}

/*
 * Driver unload (ndisi_pool_reclaim, pool.c): a pool with an NBL still out in
 * the stack - possible only after a pause's bounded wait gave up - stays
 * allocated, and so does an NB pool with NBs that may be chained to it.
 */
TEST(unload_keeps_a_pool_with_nbls_in_the_stack)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    struct ndisi_image *img = t_driver_image(drv);
    NDIS_HANDLE a = t_nbl_pool(drv, TRUE, 0, 0), b = t_nb_pool(drv, 0), c = t_nb_pool(drv, 0);
    PNET_BUFFER_LIST sent = NdisAllocateNetBufferList(a, 0, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(b, NULL, 0, 0);
    T_ASSERT(sent && nb);
    ndisi_nbl_set_where(ndisi_nbl_priv(sent), NDISI_NBL_SENT); /* not completed yet */
    ndisi_pool_reclaim(img, false);
    T_EQ(atomic_load(&img->res[NDISI_RES_NBL_POOL]), 0);
    T_EQ(atomic_load(&img->res[NDISI_RES_NB_POOL]), 0);
    T_ASSERT(ndisi_obj_is(a, NDISI_OBJ_NBL_POOL));
    T_ASSERT(((struct ndisi_nbl_pool *)a)->image == NULL); /* no longer names the driver */
    T_ASSERT(ndisi_obj_is(b, NDISI_OBJ_NB_POOL));
    T_ASSERT(!ndisi_obj_is(c, NDISI_OBJ_NB_POOL)); /* no NB allocated: freed */
    /* Once the NBL is back, the pools are freed as usual. */
    ndisi_nbl_set_where(ndisi_nbl_priv(sent), NDISI_NBL_OWNED);
    NdisFreeNetBufferList(sent);
    NdisFreeNetBuffer(nb);
    NdisFreeNetBufferListPool(a);
    NdisFreeNetBufferPool(b);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

/* An NB of a clone from NDIS's own NBL pool may be in the stack too. */
TEST(unload_keeps_an_nb_pool_used_by_an_ndis_clone)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("filt");
    struct ndisi_image *img = t_driver_image(drv);
    NDIS_HANDLE a = t_nbl_pool(drv, TRUE, 0, 256), b = t_nb_pool(drv, 0);
    PNET_BUFFER_LIST orig = NdisAllocateNetBufferList(a, 0, 0);
    T_ASSERT(orig != NULL);
    NET_BUFFER_LIST_FIRST_NB(orig)->DataLength = 60;
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(orig, NULL, b, 0);
    T_ASSERT(clone != NULL);
    ndisi_pool_reclaim(img, true);
    T_ASSERT(!ndisi_obj_is(a, NDISI_OBJ_NBL_POOL)); /* freed with the NBL left in it */
    T_ASSERT(ndisi_obj_is(b, NDISI_OBJ_NB_POOL));   /* stays: the clone holds an NB */
    NdisFreeCloneNetBufferList(clone, 0);
    NdisFreeNetBufferPool(b);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

TEST(fresh_nbl_is_zeroed)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, FALSE, 0, 0);

    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    T_ASSERT(nbl != NULL);
    T_EQ((uintptr_t)nbl % 16, 0);
    T_ASSERT(nbl->NdisPoolHandle == pool);
    T_ASSERT(NdisGetPoolFromNetBufferList(nbl) == pool);
    NET_BUFFER_LIST copy = *nbl;
    copy.NdisPoolHandle = NULL;
    T_ASSERT(all_zero(&copy, sizeof(copy)));
    struct ndisi_nbl_priv *pr = ndisi_nbl_priv(nbl);
    T_EQ(pr->magic, NDISI_NBL_MAGIC);
    T_EQ(atomic_load(&pr->where), NDISI_NBL_OWNED);
    T_ASSERT(pr->owner == t_driver_image(drv));
    T_ASSERT(pr->pool == pool);
    T_EQ(pr->flags, 0);

    /* Scribble over everything a driver may write, free, allocate again: zero again.
       (Context and NdisPoolHandle belong to NDIS and its context DDIs.) */
    memset(nbl, 0xa5, sizeof(*nbl));
    nbl->Context = NULL;
    nbl->NdisPoolHandle = pool;
    NdisFreeNetBufferList(nbl);
    T_EQ(atomic_load(&pr->where), NDISI_NBL_FREE);
    PNET_BUFFER_LIST again = NdisAllocateNetBufferList(pool, 0, 0);
    T_ASSERT(again == nbl); /* the thread cache hands back the same element */
    copy = *again;
    copy.NdisPoolHandle = NULL;
    T_ASSERT(all_zero(&copy, sizeof(copy)));
    T_ASSERT(again->NdisPoolHandle == pool);
    NdisFreeNetBufferList(again);

    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

TEST(nbl_with_net_buffer_and_mdl_chain)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 0);
    PMDL m1 = t_mdl(100, 1), m2 = t_mdl(200, 2);
    m1->Next = m2;

    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, m1, 150, 100);
    T_ASSERT(nbl != NULL);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    T_ASSERT(nb != NULL);
    T_EQ((uintptr_t)nb % 16, 0);
    T_ASSERT(NET_BUFFER_NEXT_NB(nb) == NULL);
    T_ASSERT(NET_BUFFER_FIRST_MDL(nb) == m1);
    T_EQ(NET_BUFFER_DATA_OFFSET(nb), 150);
    T_EQ(NET_BUFFER_DATA_LENGTH(nb), 100);
    T_EQ(nb->stDataLength, 100);
    T_ASSERT(NET_BUFFER_CURRENT_MDL(nb) == m2);
    T_EQ(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 50);
    T_ASSERT(nb->NdisPoolHandle == pool);
    T_ASSERT(NdisGetPoolFromNetBuffer(nb) == pool);
    T_ASSERT(all_zero(nb->ProtocolReserved, sizeof(nb->ProtocolReserved)));
    T_ASSERT(all_zero(nb->MiniportReserved, sizeof(nb->MiniportReserved)));
    T_ASSERT(all_zero(nb->NdisReserved, sizeof(nb->NdisReserved)));
    T_EQ(nb->ChecksumBias, 0);
    T_EQ(nb->DataPhysicalAddress.QuadPart, 0);
    T_ASSERT(nb->SharedMemoryInfo == NULL);
    T_ASSERT(nbl->Context == NULL);
    T_ASSERT(ndisi_nb_priv(nb)->kind == NDISI_NBK_NBL);
    T_ASSERT(ndisi_nbl_priv(nbl)->flags == NDISI_NBLF_WITH_NB);
    memset(nb->ProtocolReserved, 0x5a, sizeof(nb->ProtocolReserved));
    NdisFreeNetBufferList(nbl);

    /* An offset at an MDL boundary starts at the next MDL. */
    nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, m1, 100, 200);
    nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    T_ASSERT(nb->CurrentMdl == m2);
    T_EQ(nb->CurrentMdlOffset, 0);
    T_ASSERT(all_zero(nb->ProtocolReserved, sizeof(nb->ProtocolReserved)));
    NdisFreeNetBufferList(nbl);

    /* No chain at all. */
    nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, NULL, 0, 0);
    nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    T_ASSERT(nb->MdlChain == NULL && nb->CurrentMdl == NULL);
    T_EQ(nb->DataLength, 0);
    NdisFreeNetBufferList(nbl);

    /* NdisAllocateNetBufferList on an fAllocateNetBuffer pool also gives the NB. */
    nbl = NdisAllocateNetBufferList(pool, 0, 0);
    T_ASSERT(NET_BUFFER_LIST_FIRST_NB(nbl) != NULL);
    T_ASSERT(NET_BUFFER_LIST_FIRST_NB(nbl)->MdlChain == NULL);
    NdisFreeNetBufferList(nbl);
    T_EQ(t_reports(), 0);

    /* Wrong arguments are reported and nothing is allocated. */
    T_ASSERT(NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, m1, 301, 0) == NULL);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "beyond the end of MDL chain");
    T_ASSERT(NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, NULL, 4, 0) == NULL);
    T_EQ(t_reports(), 2);
    NDIS_HANDLE plain = t_nbl_pool(drv, FALSE, 0, 0);
    T_ASSERT(NdisAllocateNetBufferAndNetBufferList(plain, 0, 0, m1, 0, 10) == NULL);
    T_EQ(t_reports(), 3);
    T_CONTAINS(t_report_rule(), "fAllocateNetBuffer must have been set to TRUE");
    T_ASSERT(NdisAllocateNetBufferList(pool, 8, 0) == NULL);
    T_EQ(t_reports(), 4);
    T_EQ(ndisi_slab_in_use(&((struct ndisi_nbl_pool *)pool)->slab), 0);

    NdisFreeNetBufferListPool(plain);
    NdisFreeNetBufferListPool(pool);
    t_mdl_free_chain(m1);
    T_EQ(t_reports(), 4);
    t_driver_done(drv);
}

TEST(nbl_with_data_buffer)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("mp");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 1514);

    for (int round = 0; round < 2; round++) {
        PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
        T_ASSERT(nbl != NULL);
        T_EQ(ndisi_nbl_priv(nbl)->flags, NDISI_NBLF_WITH_NB | NDISI_NBLF_WITH_DATA);
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        PMDL m = NET_BUFFER_FIRST_MDL(nb);
        T_ASSERT(m != NULL && m->Next == NULL);
        T_ASSERT(nb->CurrentMdl == m);
        T_EQ(nb->CurrentMdlOffset, 0);
        T_EQ(NET_BUFFER_DATA_OFFSET(nb), 0);
        T_EQ(NET_BUFFER_DATA_LENGTH(nb), 1514);
        /* An MDL as Windows builds it for nonpaged memory. */
        T_EQ(m->ByteCount, 1514);
        T_EQ(m->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
        T_ASSERT(m->Process == NULL);
        PUCHAR va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
        T_ASSERT(va != NULL);
        T_ASSERT(va == m->MappedSystemVa);
        T_ASSERT(va == MmGetMdlVirtualAddress(m));
        T_EQ((uintptr_t)m->StartVa % PAGE_SIZE, 0);
        T_EQ(m->ByteOffset, (uintptr_t)va % PAGE_SIZE);
        T_EQ(m->Size, MmSizeOfMdl(va, 1514));
        PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
        T_EQ(pfn[0], (uintptr_t)va >> PAGE_SHIFT);
        memset(va, 0x77, 1514); /* the whole buffer is ours (ASan checks the bounds) */
        PVOID qva = NULL;
        ULONG qlen = 0;
        NdisQueryMdl(m, &qva, &qlen, NormalPagePriority);
        T_ASSERT(qva == va);
        T_EQ(qlen, 1514);
        /* A driver may shorten the NB and change the MDL; the next allocation resets both. */
        m->ByteCount = 60;
        nb->DataLength = 60;
        NdisFreeNetBufferList(nbl);
    }
    T_ASSERT(NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, NULL, 0, 0) == NULL);
    T_EQ(t_reports(), 1);

    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 1);
    t_driver_done(drv);
}

TEST(preallocated_context)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("filter");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 32, 0);

    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 16, 0);
    PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
    T_ASSERT(c != NULL);
    T_ASSERT(c->Next == NULL);
    T_EQ(c->Size, 32);
    T_EQ(c->Offset, 16);
    T_EQ(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 32);
    T_ASSERT(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) == c->ContextData + 16);
    T_ASSERT(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) == (PUCHAR)(c + 1) + 16);
    T_EQ((uintptr_t)NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) % MEMORY_ALLOCATION_ALIGNMENT, 0);
    T_ASSERT(all_zero(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 16));
    memset(c->ContextData, 0xee, 32);
    NdisFreeNetBufferList(nbl);

    /* The used context space is zeroed on every allocation. */
    nbl = NdisAllocateNetBufferList(pool, 32, 0);
    T_ASSERT(nbl->Context == c);
    T_EQ(c->Offset, 0);
    T_ASSERT(all_zero(c->ContextData, 32));
    NdisFreeNetBufferList(nbl);

    nbl = NdisAllocateNetBufferList(pool, 0, 0);
    T_EQ(nbl->Context->Offset, 32);
    NdisFreeNetBufferList(nbl);

    /* More than the pool preallocates: a bigger context in front of it. */
    nbl = NdisAllocateNetBufferList(pool, 32, 32);
    c = nbl->Context;
    T_EQ(c->Size, 64);
    T_EQ(c->Offset, 32);
    T_ASSERT(c->Next != NULL && c->Next->Size == 32);
    T_ASSERT(all_zero(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 32));
    NdisFreeNetBufferList(nbl);

    /* No preallocated context and none asked for: Context is NULL. */
    NDIS_HANDLE bare = t_nbl_pool(drv, FALSE, 0, 0);
    nbl = NdisAllocateNetBufferList(bare, 0, 0);
    T_ASSERT(nbl->Context == NULL);
    NdisFreeNetBufferList(nbl);
    nbl = NdisAllocateNetBufferList(bare, 16, 16);
    T_ASSERT(nbl->Context && nbl->Context->Size == 32 && nbl->Context->Offset == 16);
    T_ASSERT(nbl->Context->Next == NULL);
    NdisFreeNetBufferList(nbl);

    NdisFreeNetBufferListPool(bare);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

TEST(protocol_id_from_pool)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("tcpip");
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    pool_params(&pp);
    pp.ProtocolId = NDIS_PROTOCOL_ID_TCP_IP;
    NDIS_HANDLE pool = NdisAllocateNetBufferListPool(drv, &pp);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    T_EQ(((PUCHAR)&NET_BUFFER_LIST_INFO(nbl, NetBufferListProtocolId))[1],
         NDIS_PROTOCOL_ID_TCP_IP);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

TEST(pool_grows_when_exhausted)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 16, 0);
    struct ndisi_slab *slab = &((struct ndisi_nbl_pool *)pool)->slab;
    enum { N = 3000 };
    PNET_BUFFER_LIST *v = calloc(N, sizeof(*v));
    uintptr_t *sorted = calloc(N, sizeof(*sorted));

    for (int i = 0; i < N; i++) {
        v[i] = NdisAllocateNetBufferList(pool, 16, 0);
        T_ASSERT(v[i] != NULL);
        T_ASSERT(v[i]->FirstNetBuffer && v[i]->Context && v[i]->NdisPoolHandle == pool);
        memset(v[i]->ProtocolReserved, i & 0xff, sizeof(v[i]->ProtocolReserved));
        sorted[i] = (uintptr_t)v[i];
    }
    qsort(sorted, N, sizeof(*sorted), cmp_ptr);
    for (int i = 1; i < N; i++)
        T_ASSERT(sorted[i] - sorted[i - 1] >= sizeof(NET_BUFFER_LIST));
    struct ndisi_slab_stats st;
    ndisi_slab_get_stats(slab, &st);
    T_ASSERT(st.chunks > 1);
    T_ASSERT(st.total >= N);
    T_EQ(st.in_use, N);
    for (int i = 0; i < N; i++) {
        T_EQ(((PUCHAR)v[i]->ProtocolReserved)[0], i & 0xff);
        NdisFreeNetBufferList(v[i]);
    }
    ndisi_slab_get_stats(slab, &st);
    T_EQ(st.in_use, 0);
    free(v);
    free(sorted);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

TEST(free_pool_with_nbls_outstanding)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    struct ndisi_image *img = t_driver_image(drv);
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 0, 0);
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST b = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST c = NdisAllocateNetBufferList(pool, 0, 0);
    NdisFreeNetBufferList(b);

    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "leak");
    T_STREQ(t_report_ddi(), "NdisFreeNetBufferListPool");
    T_CONTAINS(t_report_msg(), "2 NET_BUFFER_LIST structures allocated");
    T_EQ(atomic_load(&img->res[NDISI_RES_NBL_POOL]), 1);

    /* The pool is still there and usable. */
    PNET_BUFFER_LIST d = NdisAllocateNetBufferList(pool, 0, 0);
    T_ASSERT(d != NULL && d->FirstNetBuffer != NULL);
    NdisFreeNetBufferList(a);
    NdisFreeNetBufferList(c);
    NdisFreeNetBufferList(d);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 1);

    /* The same for NET_BUFFER pools. */
    NDIS_HANDLE nbp = t_nb_pool(drv, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(nbp, NULL, 0, 0);
    NdisFreeNetBufferPool(nbp);
    T_EQ(t_reports(), 2);
    T_CONTAINS(t_report_msg(), "1 NET_BUFFER structure allocated");
    NdisFreeNetBuffer(nb);
    NdisFreeNetBufferPool(nbp);
    T_EQ(t_reports(), 2);
    t_driver_done(drv);
}

TEST(verify_pool_delays_reuse)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    pool_params(&pp);
    pp.Header.Size = sizeof(pp);
    pp.fAllocateNetBuffer = TRUE;
    pp.Flags = NET_BUFFER_LIST_POOL_FLAG_VERIFY;
    NDIS_HANDLE pool = NdisAllocateNetBufferListPool(drv, &pp);
    T_ASSERT(((struct ndisi_nbl_pool *)pool)->verify);

    PNET_BUFFER_LIST first = NdisAllocateNetBufferList(pool, 0, 0);
    NdisFreeNetBufferList(first);
    for (int i = 0; i < 40; i++) {
        PNET_BUFFER_LIST n = NdisAllocateNetBufferList(pool, 0, 0);
        T_ASSERT(n != first);
        T_ASSERT(n->FirstNetBuffer != NULL);
        NdisFreeNetBufferList(n);
    }
    /* The freed NBL is still recognised as freed. */
    NdisFreeNetBufferList(first);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "already freed");

    /* Without the flag (revision-1 size), the last freed NBL comes back first. */
    NDIS_HANDLE fast = t_nbl_pool(drv, TRUE, 0, 0);
    first = NdisAllocateNetBufferList(fast, 0, 0);
    NdisFreeNetBufferList(first);
    PNET_BUFFER_LIST n = NdisAllocateNetBufferList(fast, 0, 0);
    T_ASSERT(n == first);
    NdisFreeNetBufferList(n);
    NdisFreeNetBufferListPool(fast);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 1);
    t_driver_done(drv);
}

static ULONG ctx_tag = 0x78744354;

TEST(fault_injection)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");

    ndis_fault_inject(NDIS_FAULT_ALLOC_POOL, 1, 1);
    NDIS_HANDLE p1 = t_nbl_pool(drv, TRUE, 0, 0);
    NDIS_HANDLE p2 = t_nb_pool(drv, 0);
    NDIS_HANDLE p3 = t_nb_pool(drv, 0);
    T_ASSERT(p1 != NULL && p2 == NULL && p3 != NULL);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_POOL), 1);

    unsigned long before = ndis_fault_injected(NDIS_FAULT_ALLOC_NBL);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 2, 1);
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(p1, 0, 0);
    PNET_BUFFER_LIST b = NdisAllocateNetBufferAndNetBufferList(p1, 0, 0, NULL, 0, 0);
    PNET_BUFFER_LIST c = NdisAllocateNetBufferList(p1, 0, 0);
    PNET_BUFFER_LIST d = NdisAllocateNetBufferList(p1, 0, 0);
    T_ASSERT(a && b && !c && d);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NBL), before + 1);

    /* Every other allocating DDI fails the same way. */
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    T_ASSERT(NdisAllocateNetBuffer(p3, NULL, 0, 0) == NULL);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    T_ASSERT(NdisAllocateCloneNetBufferList(a, NULL, NULL, 0) == NULL);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    T_ASSERT(NdisAllocateMdl(drv, a, 16) == NULL);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    T_EQ(NdisRetreatNetBufferDataStart(a->FirstNetBuffer, 14, 0, NULL), NDIS_STATUS_RESOURCES);
    T_ASSERT(a->FirstNetBuffer->MdlChain == NULL);
    T_EQ(a->FirstNetBuffer->DataLength, 0);

    /* Context space: only a call that must allocate consults the fault point. */
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    unsigned long n0 = ndis_fault_injected(NDIS_FAULT_ALLOC_NBL);
    T_EQ(NdisAllocateNetBufferListContext(b, 16, 16, ctx_tag), NDIS_STATUS_RESOURCES);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NBL), n0 + 1);
    T_EQ(NdisAllocateNetBufferListContext(b, 16, 16, ctx_tag), NDIS_STATUS_SUCCESS);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1);
    T_EQ(NdisAllocateNetBufferListContext(b, 16, 0, ctx_tag), NDIS_STATUS_SUCCESS);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NBL), n0 + 1);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 0);
    NdisFreeNetBufferListContext(b, 16);
    NdisFreeNetBufferListContext(b, 16);
    T_ASSERT(b->Context == NULL);

    T_EQ(t_reports(), 0); /* injected failures are not violations */
    NdisFreeNetBufferList(a);
    NdisFreeNetBufferList(b);
    NdisFreeNetBufferList(d);
    NdisFreeNetBufferListPool(p1);
    NdisFreeNetBufferPool(p3);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

TEST(irql_rules)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");

    /* Everything works at DISPATCH_LEVEL. */
    ndisi_cur_irql = DISPATCH_LEVEL;
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 16, 128);
    NDIS_HANDLE nbp = t_nb_pool(drv, 64);
    T_ASSERT(pool && nbp);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 16, 0);
    PNET_BUFFER nb = NdisAllocateNetBufferMdlAndData(nbp);
    T_ASSERT(nbl && nb);
    T_EQ(NdisRetreatNetBufferDataStart(nb, 100, 0, NULL), NDIS_STATUS_SUCCESS);
    NdisAdvanceNetBufferDataStart(nb, 100, TRUE, NULL);
    NdisFreeNetBuffer(nb);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferPool(nbp);
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 0);

    /* Above DISPATCH_LEVEL: reported with the rule, and the DDI fails. */
    pool = t_nbl_pool(drv, FALSE, 0, 0);
    ndisi_cur_irql = DISPATCH_LEVEL + 1;
    T_ASSERT(NdisAllocateNetBufferList(pool, 0, 0) == NULL);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "irql");
    T_STREQ(t_report_rule(), "Irql_NetBuffer_Function");
    T_STREQ(t_report_ddi(), "NdisAllocateNetBufferList");
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 2);
    ndisi_cur_irql = PASSIVE_LEVEL;
    NdisFreeNetBufferListPool(pool);
    T_EQ(t_reports(), 2);
    t_driver_done(drv);
}

/* One round of everything the data path allocates. */
static void hot_round(NDIS_HANDLE pool, NDIS_HANDLE data_pool, NDIS_HANDLE nbp, PMDL chain)
{
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(pool, 16, 0, chain, 0, 64);
    T_ASSERT(nbl != NULL);
    T_EQ(NdisAllocateNetBufferListContext(nbl, 32, 0, ctx_tag), NDIS_STATUS_SUCCESS);
    T_EQ(NdisRetreatNetBufferListDataStart(nbl, 14, 32, NULL, NULL), NDIS_STATUS_SUCCESS);
    UCHAR tmp[32];
    T_ASSERT(NdisGetDataBuffer(nbl->FirstNetBuffer, 20, tmp, 1, 0) != NULL);
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(nbl, NULL, NULL, 0);
    T_ASSERT(clone != NULL);
    NdisFreeCloneNetBufferList(clone, 0);
    NdisAdvanceNetBufferListDataStart(nbl, 14, TRUE, NULL);
    NdisFreeNetBufferListContext(nbl, 32);
    NdisFreeNetBufferList(nbl);

    PNET_BUFFER_LIST d = NdisAllocateNetBufferList(data_pool, 0, 0);
    T_ASSERT(d != NULL);
    NdisFreeNetBufferList(d);
    PNET_BUFFER nb = NdisAllocateNetBuffer(nbp, chain, 0, 64);
    PNET_BUFFER nbd = NdisAllocateNetBufferMdlAndData(nbp);
    T_ASSERT(nb && nbd);
    NdisFreeNetBuffer(nbd);
    NdisFreeNetBuffer(nb);
}

TEST(no_system_allocation_once_warm)
{
    t_reports_capture();
    NDIS_HANDLE drv = t_driver("proto");
    NDIS_HANDLE pool = t_nbl_pool(drv, TRUE, 16, 0);
    NDIS_HANDLE data_pool = t_nbl_pool(drv, TRUE, 0, 1514);
    NDIS_HANDLE nbp = t_nb_pool(drv, 256);
    PMDL chain = t_mdl(64, 0x42);

    for (int i = 0; i < 100; i++)
        hot_round(pool, data_pool, nbp, chain);
    unsigned long warm = ndisi_datapath_sysallocs();
    for (int i = 0; i < 20000; i++)
        hot_round(pool, data_pool, nbp, chain);
    T_EQ(ndisi_datapath_sysallocs(), warm);

    /* Bursts within what the pools already hold make none either. */
    enum { B = 64 };
    PNET_BUFFER_LIST v[B];
    for (int i = 0; i < B; i++)
        v[i] = NdisAllocateNetBufferList(pool, 0, 0);
    for (int i = 0; i < B; i++)
        NdisFreeNetBufferList(v[i]);
    warm = ndisi_datapath_sysallocs();
    for (int r = 0; r < 1000; r++) {
        for (int i = 0; i < B; i++)
            v[i] = NdisAllocateNetBufferList(pool, 0, 0);
        for (int i = B - 1; i >= 0; i--)
            NdisFreeNetBufferList(v[i]);
    }
    T_EQ(ndisi_datapath_sysallocs(), warm);

    t_mdl_free_chain(chain);
    NdisFreeNetBufferListPool(pool);
    NdisFreeNetBufferListPool(data_pool);
    NdisFreeNetBufferPool(nbp);
    T_EQ(t_reports(), 0);
    t_driver_done(drv);
}

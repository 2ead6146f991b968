/*
 * test_nbl_data.c - the data space of NET_BUFFERs: retreat and advance (with
 * and without new MDLs, NDIS's or the driver's NetAllocateMdl/NetFreeMdl, the
 * list forms and their rollback), NdisGetDataBuffer (contiguous, copied,
 * aligned), NdisCopyFromNetBufferToNetBuffer across MDL boundaries,
 * NdisQueryNetBufferPhysicalCount, NET_BUFFER pools, and the MDL DDIs and
 * macros.
 */
#include <stdlib.h>
#include <string.h>

#include "datapath/nbpriv.h"
#include "datapath/pool.h"
#include "fakedriver.h"

/* An MDL chain of `n` MDLs of the given lengths, byte k of the chain = (k + seed) & 0xff. */
static PMDL chain_of(const ULONG *lens, int n, unsigned seed)
{
    PMDL head = NULL, *tail = &head;
    unsigned k = seed;
    for (int i = 0; i < n; i++) {
        PMDL m = t_mdl(lens[i], 0);
        PUCHAR va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
        for (ULONG j = 0; j < lens[i]; j++)
            va[j] = (UCHAR)(k++ & 0xff);
        *tail = m;
        tail = &m->Next;
    }
    return head;
}

static PUCHAR mdl_va(PMDL m)
{
    return MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
}

/* Reads `n` used-data bytes of an NB through NdisGetDataBuffer with storage. */
static void nb_read(PNET_BUFFER nb, PUCHAR out, ULONG n)
{
    PUCHAR p = NdisGetDataBuffer(nb, n, out, 1, 0);
    T_ASSERT(p != NULL);
    if (p != out)
        memcpy(out, p, n);
}

struct env {
    NDIS_HANDLE drv, nbp;
};

static struct env env_up(void)
{
    t_reports_capture();
    struct env e;
    e.drv = t_driver("filter");
    e.nbp = t_nb_pool(e.drv, 0);
    return e;
}

static void env_down(struct env *e)
{
    NdisFreeNetBufferPool(e->nbp);
    T_EQ(t_reports(), 0);
    t_driver_done(e->drv);
}

TEST(retreat_into_unused_space)
{
    struct env e = env_up();
    ULONG lens[] = {64, 64, 200};
    PMDL chain = chain_of(lens, 3, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, chain, 140, 100);
    PMDL m2 = chain->Next, m3 = m2->Next;
    T_ASSERT(nb->CurrentMdl == m3);
    T_EQ(nb->CurrentMdlOffset, 12);

    /* Within the current MDL. */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 12, 0, NULL), NDIS_STATUS_SUCCESS);
    T_EQ(nb->DataOffset, 128);
    T_EQ(nb->DataLength, 112);
    T_ASSERT(nb->CurrentMdl == m3);
    T_EQ(nb->CurrentMdlOffset, 0);
    T_ASSERT(nb->MdlChain == chain);
    /* Back across an MDL boundary. */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 28, 1000, NULL), NDIS_STATUS_SUCCESS);
    T_EQ(nb->DataOffset, 100);
    T_EQ(nb->DataLength, 140);
    T_ASSERT(nb->CurrentMdl == m2);
    T_EQ(nb->CurrentMdlOffset, 36);
    T_ASSERT(nb->MdlChain == chain);
    UCHAR buf[140];
    nb_read(nb, buf, 140);
    for (int i = 0; i < 140; i++)
        T_EQ(buf[i], (100 + i) & 0xff);
    /* All the way to the start of the chain. */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 100, 0, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(nb->CurrentMdl == chain);
    T_EQ(nb->CurrentMdlOffset, 0);
    T_EQ(nb->DataOffset, 0);
    T_EQ(nb->DataLength, 240);

    /* Advance back, in steps, FreeMdl TRUE changes nothing for driver MDLs. */
    NdisAdvanceNetBufferDataStart(nb, 64, TRUE, NULL);
    T_ASSERT(nb->CurrentMdl == m2);
    T_EQ(nb->CurrentMdlOffset, 0);
    NdisAdvanceNetBufferDataStart(nb, 76, FALSE, NULL);
    T_ASSERT(nb->CurrentMdl == m3);
    T_EQ(nb->CurrentMdlOffset, 12);
    T_EQ(nb->DataOffset, 140);
    T_EQ(nb->DataLength, 100);
    T_ASSERT(nb->MdlChain == chain);
    NdisAdvanceNetBufferDataStart(nb, 100, TRUE, NULL);
    T_EQ(nb->DataLength, 0);
    T_EQ(nb->DataOffset, 240);
    T_ASSERT(nb->CurrentMdl == m3);
    T_EQ(nb->CurrentMdlOffset, 112);

    /* Advancing past the data is reported and changes nothing. */
    NdisAdvanceNetBufferDataStart(nb, 1, FALSE, NULL);
    T_EQ(t_reports(), 1);
    T_STREQ(t_report_class(), "parameter");
    T_EQ(nb->DataOffset, 240);
    t_reports_reset();

    NdisFreeNetBuffer(nb);
    t_mdl_free_chain(chain);
    env_down(&e);
}

TEST(retreat_allocates_contiguous_header_space)
{
    struct env e = env_up();
    ULONG lens[] = {1514};
    PMDL data = chain_of(lens, 1, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, data, 0, 1514);

    T_EQ(NdisRetreatNetBufferDataStart(nb, 14, 50, NULL), NDIS_STATUS_SUCCESS);
    PMDL hdr = nb->MdlChain;
    T_ASSERT(hdr != data);
    T_ASSERT(hdr->Next == data);
    T_EQ(hdr->ByteCount, 64);
    T_EQ(hdr->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
    T_ASSERT(hdr->MappedSystemVa == MmGetMdlVirtualAddress(hdr));
    T_ASSERT(nb->CurrentMdl == hdr);
    T_EQ(nb->CurrentMdlOffset, 50);
    T_EQ(nb->DataOffset, 50);
    T_EQ(nb->DataLength, 1528);
    PUCHAR h = NdisGetDataBuffer(nb, 14, NULL, 1, 0);
    T_ASSERT(h == mdl_va(hdr) + 50);
    memset(h, 0xee, 14);
    UCHAR buf[20];
    nb_read(nb, buf, 20); /* crosses into the original MDL */
    for (int i = 0; i < 14; i++)
        T_EQ(buf[i], 0xee);
    for (int i = 14; i < 20; i++)
        T_EQ(buf[i], i - 14);

    /* FreeMdl FALSE keeps the MDL for the next retreat. */
    NdisAdvanceNetBufferDataStart(nb, 14, FALSE, NULL);
    T_ASSERT(nb->MdlChain == hdr);
    T_EQ(nb->DataOffset, 64);
    T_EQ(nb->DataLength, 1514);
    T_ASSERT(nb->CurrentMdl == data);
    T_EQ(nb->CurrentMdlOffset, 0);
    T_EQ(NdisRetreatNetBufferDataStart(nb, 10, 0, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(nb->MdlChain == hdr);
    T_EQ(nb->DataOffset, 54);
    T_ASSERT(nb->CurrentMdl == hdr);
    T_EQ(nb->CurrentMdlOffset, 54);

    /* FreeMdl TRUE gives it back and restores the original chain. */
    NdisAdvanceNetBufferDataStart(nb, 10, TRUE, NULL);
    T_ASSERT(nb->MdlChain == data);
    T_ASSERT(nb->CurrentMdl == data);
    T_EQ(nb->CurrentMdlOffset, 0);
    T_EQ(nb->DataOffset, 0);
    T_EQ(nb->DataLength, 1514);
    T_ASSERT(ndisi_nb_priv(nb)->retreat == NULL);

    /* Two stacked allocations come off in order. */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 8, 0, NULL), NDIS_STATUS_SUCCESS);
    PMDL first = nb->MdlChain;
    T_EQ(NdisRetreatNetBufferDataStart(nb, 20, 4, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(nb->MdlChain != first && nb->MdlChain->Next == first);
    T_EQ(nb->DataLength, 1542);
    NdisAdvanceNetBufferDataStart(nb, 28, TRUE, NULL);
    T_ASSERT(nb->MdlChain == data);
    T_EQ(nb->DataOffset, 0);
    T_EQ(nb->DataLength, 1514);

    /* An NB freed with NDIS's retreat MDL still chained: NDIS frees it (LSan checks). */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 14, 0, NULL), NDIS_STATUS_SUCCESS);
    NdisFreeNetBuffer(nb);
    t_mdl_free_chain(data);
    env_down(&e);
}

TEST(retreat_from_mid_mdl_keeps_data_contiguous)
{
    struct env e = env_up();
    ULONG lens[] = {20, 100};
    PMDL chain = chain_of(lens, 2, 0);
    PMDL m2 = chain->Next;
    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, chain, 30, 90);
    T_ASSERT(nb->CurrentMdl == m2);
    T_EQ(nb->CurrentMdlOffset, 10);

    /* 40 > 30 bytes of unused space: a new MDL, then the rest of m2. */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 40, 0, NULL), NDIS_STATUS_SUCCESS);
    PMDL n = nb->MdlChain, part = n->Next;
    T_EQ(n->ByteCount, 40);
    T_EQ(nb->DataOffset, 0);
    T_EQ(nb->DataLength, 130);
    T_ASSERT(part != m2 && part != chain);
    T_EQ(part->ByteCount, 90);
    T_ASSERT(mdl_va(part) == mdl_va(m2) + 10);
    T_ASSERT(part->Next == NULL);
    T_ASSERT(NdisGetDataBuffer(nb, 40, NULL, 1, 0) == mdl_va(n));
    memset(mdl_va(n), 0xcc, 40);
    UCHAR buf[130];
    nb_read(nb, buf, 130);
    for (int i = 0; i < 40; i++)
        T_EQ(buf[i], 0xcc);
    for (int i = 0; i < 90; i++)
        T_EQ(buf[40 + i], (30 + i) & 0xff);
    T_EQ(NdisQueryNetBufferPhysicalCount(nb) >= 2, 1);

    /* Advanced within the new MDL: nothing to free yet. */
    NdisAdvanceNetBufferDataStart(nb, 30, TRUE, NULL);
    T_ASSERT(nb->MdlChain == n);
    T_ASSERT(nb->CurrentMdl == n);
    T_EQ(nb->CurrentMdlOffset, 30);
    /* Past it: the new and the partial MDL go, the original chain is back. */
    NdisAdvanceNetBufferDataStart(nb, 15, TRUE, NULL);
    T_ASSERT(nb->MdlChain == chain);
    T_EQ(nb->DataOffset, 35);
    T_EQ(nb->DataLength, 85);
    T_ASSERT(nb->CurrentMdl == m2);
    T_EQ(nb->CurrentMdlOffset, 15);
    T_EQ(NdisRetreatNetBufferDataStart(nb, 5, 0, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(nb->MdlChain == chain);
    T_EQ(nb->DataOffset, 30);
    T_EQ(nb->DataLength, 90);
    T_ASSERT(nb->CurrentMdl == m2);
    T_EQ(nb->CurrentMdlOffset, 10);

    /* The same with the data starting right at an MDL boundary: no partial MDL. */
    NdisAdvanceNetBufferDataStart(nb, 0, FALSE, NULL);
    T_EQ(NdisRetreatNetBufferDataStart(nb, 10, 0, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(nb->CurrentMdl == m2 && nb->CurrentMdlOffset == 0);
    T_EQ(NdisRetreatNetBufferDataStart(nb, 25, 0, NULL), NDIS_STATUS_SUCCESS);
    T_ASSERT(nb->MdlChain->Next == m2); /* the 20-byte MDL before m2 is detached */
    NdisAdvanceNetBufferDataStart(nb, 35, TRUE, NULL);
    T_ASSERT(nb->MdlChain == chain);
    T_EQ(nb->DataOffset, 30);
    T_ASSERT(nb->CurrentMdl == m2 && nb->CurrentMdlOffset == 10);

    NdisFreeNetBuffer(nb);
    t_mdl_free_chain(chain);
    env_down(&e);
}

static int alloc_calls, free_calls;
static ULONG last_size;
static PMDL last_mdl;

static NET_BUFFER_ALLOCATE_MDL drv_alloc_mdl;
static PMDL drv_alloc_mdl(PULONG size)
{
    alloc_calls++;
    last_size = *size;
    last_mdl = t_mdl(*size, 0);
    return last_mdl;
}

static NET_BUFFER_FREE_MDL drv_free_mdl;
static void drv_free_mdl(PMDL mdl)
{
    free_calls++;
    T_ASSERT(mdl == last_mdl);
    mdl->Next = NULL;
    t_mdl_free_chain(mdl);
}

TEST(retreat_with_driver_mdl_handlers)
{
    struct env e = env_up();
    ULONG lens[] = {100};
    PMDL data = chain_of(lens, 1, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, data, 0, 100);
    alloc_calls = free_calls = 0;

    T_EQ(NdisRetreatNetBufferDataStart(nb, 16, 32, drv_alloc_mdl), NDIS_STATUS_SUCCESS);
    T_EQ(alloc_calls, 1);
    T_EQ(last_size, 48);
    T_ASSERT(nb->MdlChain == last_mdl && last_mdl->Next == data);
    T_EQ(nb->DataOffset, 32);

    /* Without a NetFreeMdl handler NDIS cannot free the driver's MDL: reported, kept. */
    NdisAdvanceNetBufferDataStart(nb, 16, TRUE, NULL);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_rule(), "NetFreeMdl");
    T_ASSERT(nb->MdlChain == last_mdl);
    t_reports_reset();
    NdisAdvanceNetBufferDataStart(nb, 0, TRUE, drv_free_mdl);
    T_EQ(free_calls, 1);
    T_ASSERT(nb->MdlChain == data);
    T_EQ(nb->DataOffset, 0);
    T_EQ(nb->DataLength, 100);

    /* NDIS's own MDLs are never given to the driver's NetFreeMdl. */
    T_EQ(NdisRetreatNetBufferDataStart(nb, 16, 0, NULL), NDIS_STATUS_SUCCESS);
    NdisAdvanceNetBufferDataStart(nb, 16, TRUE, drv_free_mdl);
    T_EQ(free_calls, 1);
    T_ASSERT(nb->MdlChain == data);

    NdisFreeNetBuffer(nb);
    t_mdl_free_chain(data);
    env_down(&e);
}

TEST(list_retreat_rolls_back_on_failure)
{
    struct env e = env_up();
    NDIS_HANDLE pool = t_nbl_pool(e.drv, FALSE, 0, 0);
    ULONG l1[] = {100}, l2[] = {100}, l3[] = {100};
    PMDL c1 = chain_of(l1, 1, 0), c2 = chain_of(l2, 1, 0), c3 = chain_of(l3, 1, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER n1 = NdisAllocateNetBuffer(e.nbp, c1, 20, 80);
    PNET_BUFFER n2 = NdisAllocateNetBuffer(e.nbp, c2, 0, 100);
    PNET_BUFFER n3 = NdisAllocateNetBuffer(e.nbp, c3, 0, 100);
    nbl->FirstNetBuffer = n1;
    n1->Next = n2;
    n2->Next = n3;

    /* n1 needs no memory, n2 allocates, n3's allocation fails. */
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 1, 1);
    T_EQ(NdisRetreatNetBufferListDataStart(nbl, 14, 0, NULL, NULL), NDIS_STATUS_RESOURCES);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 0);
    T_ASSERT(n1->MdlChain == c1 && n1->CurrentMdl == c1);
    T_EQ(n1->DataOffset, 20);
    T_EQ(n1->DataLength, 80);
    T_EQ(n1->CurrentMdlOffset, 20);
    T_ASSERT(n2->MdlChain == c2 && n2->CurrentMdl == c2);
    T_EQ(n2->DataOffset, 0);
    T_EQ(n2->DataLength, 100);
    T_ASSERT(ndisi_nb_priv(n2)->retreat == NULL);
    T_ASSERT(n3->MdlChain == c3);

    /* Success, then the list advance undoes it on every NB. */
    T_EQ(NdisRetreatNetBufferListDataStart(nbl, 14, 2, NULL, NULL), NDIS_STATUS_SUCCESS);
    T_EQ(n1->DataOffset, 6);
    T_ASSERT(n1->MdlChain == c1);
    T_ASSERT(n2->MdlChain != c2 && n3->MdlChain != c3);
    T_EQ(n2->DataLength, 114);
    T_ASSERT(ndisi_nb_priv(n2)->retreat->call == NULL);
    NdisAdvanceNetBufferListDataStart(nbl, 14, TRUE, NULL);
    T_ASSERT(n2->MdlChain == c2 && n3->MdlChain == c3);
    T_EQ(n1->DataOffset, 20);
    T_EQ(n2->DataOffset, 0);
    T_EQ(n3->DataLength, 100);

    /* A rollback frees only what the failed call allocated. */
    T_EQ(NdisRetreatNetBufferDataStart(n2, 10, 0, NULL), NDIS_STATUS_SUCCESS);
    NdisAdvanceNetBufferDataStart(n2, 10, FALSE, NULL); /* kept, fully unused */
    PMDL kept = n2->MdlChain;
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 1); /* n1 fits, n2 fits in `kept`, n3 fails */
    T_EQ(NdisRetreatNetBufferListDataStart(nbl, 10, 0, NULL, NULL), NDIS_STATUS_RESOURCES);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NBL, 0, 0);
    T_ASSERT(n2->MdlChain == kept);
    T_EQ(n2->DataOffset, 10);
    NdisAdvanceNetBufferDataStart(n2, 0, TRUE, NULL);
    T_ASSERT(n2->MdlChain == c2);

    nbl->FirstNetBuffer = NULL;
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBuffer(n1);
    NdisFreeNetBuffer(n2);
    NdisFreeNetBuffer(n3);
    t_mdl_free_chain(c1);
    t_mdl_free_chain(c2);
    t_mdl_free_chain(c3);
    NdisFreeNetBufferListPool(pool);
    env_down(&e);
}

TEST(get_data_buffer)
{
    struct env e = env_up();
    ULONG lens[] = {64};
    PMDL one = chain_of(lens, 1, 0);
    PUCHAR base = mdl_va(one); /* malloc: 16-byte aligned */
    T_EQ((uintptr_t)base % 16, 0);
    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, one, 2, 60);
    UCHAR storage[64];

    T_ASSERT(NdisGetDataBuffer(nb, 10, NULL, 1, 0) == base + 2);
    T_ASSERT(NdisGetDataBuffer(nb, 60, NULL, 1, 0) == base + 2);
    T_ASSERT(NdisGetDataBuffer(nb, 61, storage, 1, 0) == NULL); /* more than DataLength */
    /* Aligned as asked (4n + 2): in place. */
    T_ASSERT(NdisGetDataBuffer(nb, 10, NULL, 4, 2) == base + 2);
    T_ASSERT(NdisGetDataBuffer(nb, 10, NULL, 2, 0) == base + 2);
    /* Not aligned as asked: copied to Storage, or NULL without one. */
    T_ASSERT(NdisGetDataBuffer(nb, 10, NULL, 4, 0) == NULL);
    memset(storage, 0, sizeof(storage));
    T_ASSERT(NdisGetDataBuffer(nb, 10, storage, 4, 0) == storage);
    for (int i = 0; i < 10; i++)
        T_EQ(storage[i], 2 + i);
    T_EQ(t_reports(), 0);
    T_ASSERT(NdisGetDataBuffer(nb, 10, storage, 3, 0) == NULL);
    T_EQ(t_reports(), 1);
    t_reports_reset();
    NdisFreeNetBuffer(nb);

    /* Data split over MDLs: copied only with Storage. */
    ULONG split[] = {5, 3, 40};
    PMDL chain = chain_of(split, 3, 100);
    nb = NdisAllocateNetBuffer(e.nbp, chain, 1, 40);
    T_ASSERT(NdisGetDataBuffer(nb, 4, NULL, 1, 0) == mdl_va(chain) + 1);
    T_ASSERT(NdisGetDataBuffer(nb, 10, NULL, 1, 0) == NULL);
    memset(storage, 0, sizeof(storage));
    T_ASSERT(NdisGetDataBuffer(nb, 10, storage, 1, 0) == storage);
    for (int i = 0; i < 10; i++)
        T_EQ(storage[i], 101 + i);
    /* Current offset at the very end of an MDL: the data starts in the next one. */
    NdisAdvanceNetBufferDataStart(nb, 4, FALSE, NULL);
    T_ASSERT(nb->CurrentMdl == chain->Next);
    T_EQ(nb->CurrentMdlOffset, 0);
    T_ASSERT(NdisGetDataBuffer(nb, 3, NULL, 1, 0) == mdl_va(chain->Next));
    nb->CurrentMdl = chain;
    nb->CurrentMdlOffset = 5; /* also accepted as the same position */
    T_ASSERT(NdisGetDataBuffer(nb, 3, NULL, 1, 0) == mdl_va(chain->Next));

    /* An MDL that cannot be mapped (MmGetSystemAddressForMdlSafe gives NULL). */
    chain->MdlFlags = MDL_MAPPED_TO_SYSTEM_VA;
    PVOID saved = chain->MappedSystemVa;
    chain->MappedSystemVa = NULL;
    nb->CurrentMdl = chain;
    nb->CurrentMdlOffset = 1;
    T_ASSERT(NdisGetDataBuffer(nb, 2, storage, 1, 0) == NULL);
    ULONG copied = 7;
    T_EQ(NdisCopyFromNetBufferToNetBuffer(nb, 0, 2, nb, 0, &copied), NDIS_STATUS_RESOURCES);
    T_EQ(copied, 0);
    chain->MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
    chain->MappedSystemVa = saved;

    NdisFreeNetBuffer(nb);
    t_mdl_free_chain(chain);
    t_mdl_free_chain(one);
    env_down(&e);
}

TEST(copy_across_mdl_boundaries)
{
    struct env e = env_up();
    ULONG sl[] = {7, 13, 50}, dl[] = {10, 10, 100};
    PMDL src = chain_of(sl, 3, 0), dst = chain_of(dl, 3, 0);
    for (PMDL m = dst; m; m = m->Next)
        memset(mdl_va(m), 0, m->ByteCount);
    PNET_BUFFER s = NdisAllocateNetBuffer(e.nbp, src, 3, 60);
    PNET_BUFFER d = NdisAllocateNetBuffer(e.nbp, dst, 5, 0);
    ULONG copied = 12345;

    T_EQ(NdisCopyFromNetBufferToNetBuffer(d, 4, 40, s, 2, &copied), NDIS_STATUS_SUCCESS);
    T_EQ(copied, 40);
    /* Destination byte (5 + 4 + i) of its chain = source byte (3 + 2 + i). */
    UCHAR flat[120];
    ULONG k = 0;
    for (PMDL m = dst; m; m = m->Next)
        for (ULONG j = 0; j < m->ByteCount; j++)
            flat[k++] = mdl_va(m)[j];
    for (int i = 0; i < 9; i++)
        T_EQ(flat[i], 0);
    for (int i = 0; i < 40; i++)
        T_EQ(flat[9 + i], 5 + i);
    T_EQ(flat[49], 0);
    /* NDIS does not change the destination NET_BUFFER. */
    T_EQ(d->DataOffset, 5);
    T_EQ(d->DataLength, 0);
    T_ASSERT(d->CurrentMdl == dst);
    T_EQ(d->CurrentMdlOffset, 5);

    /* Limited by the source data (DataLength from its current offset). */
    T_EQ(NdisCopyFromNetBufferToNetBuffer(d, 0, 1000, s, 10, &copied), NDIS_STATUS_SUCCESS);
    T_EQ(copied, 50);
    T_EQ(NdisCopyFromNetBufferToNetBuffer(d, 0, 10, s, 60, &copied), NDIS_STATUS_SUCCESS);
    T_EQ(copied, 0);
    /* Limited by the destination space (to the end of its MDL chain). */
    T_EQ(NdisCopyFromNetBufferToNetBuffer(d, 100, 60, s, 0, &copied), NDIS_STATUS_SUCCESS);
    T_EQ(copied, 15);
    T_EQ(t_reports(), 0);

    NdisFreeNetBuffer(s);
    NdisFreeNetBuffer(d);
    t_mdl_free_chain(src);
    t_mdl_free_chain(dst);
    env_down(&e);
}

TEST(physical_count)
{
    struct env e = env_up();
    void *pages = NULL;
    T_EQ(posix_memalign(&pages, PAGE_SIZE, 3 * PAGE_SIZE), 0);
    PMDL m = IoAllocateMdl(pages, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(m);
    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, m, 4000, 200);
    T_EQ(NdisQueryNetBufferPhysicalCount(nb), 2);
    NdisAdvanceNetBufferDataStart(nb, 100, FALSE, NULL);
    T_EQ(NdisQueryNetBufferPhysicalCount(nb), 1);
    NdisRetreatNetBufferDataStart(nb, 4000 + 100, 0, NULL);
    T_EQ(NdisQueryNetBufferPhysicalCount(nb), 2);
    NdisAdvanceNetBufferDataStart(nb, nb->DataLength, FALSE, NULL);
    T_EQ(NdisQueryNetBufferPhysicalCount(nb), 0);
    NdisFreeNetBuffer(nb);
    IoFreeMdl(m);
    free(pages);
    env_down(&e);
}

TEST(net_buffer_pools)
{
    struct env e = env_up();
    NDIS_HANDLE dp = t_nb_pool(e.drv, 2048);
    ULONG lens[] = {30, 30};
    PMDL chain = chain_of(lens, 2, 0);

    PNET_BUFFER nb = NdisAllocateNetBuffer(e.nbp, chain, 45, 10);
    T_ASSERT(nb->NdisPoolHandle == e.nbp);
    T_ASSERT(NdisGetPoolFromNetBuffer(nb) == e.nbp);
    T_ASSERT(nb->CurrentMdl == chain->Next);
    T_EQ(nb->CurrentMdlOffset, 15);
    T_ASSERT(nb->Next == NULL);
    T_EQ(ndisi_nb_priv(nb)->kind, NDISI_NBK_POOL);
    NdisFreeNetBuffer(nb);
    nb = NdisAllocateNetBuffer(e.nbp, NULL, 0, 0);
    T_ASSERT(nb->MdlChain == NULL && nb->CurrentMdl == NULL && nb->DataLength == 0);
    NdisFreeNetBuffer(nb);
    T_ASSERT(NdisAllocateNetBuffer(e.nbp, chain, 61, 0) == NULL);
    T_EQ(t_reports(), 1);
    T_ASSERT(NdisAllocateNetBuffer(e.nbp, NULL, 0, 5) == NULL);
    T_EQ(t_reports(), 2);
    T_ASSERT(NdisAllocateNetBufferMdlAndData(e.nbp) == NULL);
    T_EQ(t_reports(), 3);
    t_reports_reset();

    PNET_BUFFER d = NdisAllocateNetBufferMdlAndData(dp);
    T_ASSERT(d != NULL);
    T_EQ(d->DataLength, 2048);
    T_EQ(d->DataOffset, 0);
    T_ASSERT(d->MdlChain && d->CurrentMdl == d->MdlChain);
    T_EQ(d->MdlChain->ByteCount, 2048);
    T_EQ(d->MdlChain->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
    memset(mdl_va(d->MdlChain), 1, 2048);
    T_EQ(ndisi_nb_priv(d)->kind, NDISI_NBK_POOL_DATA);
    /* The pool's MDL is not a driver MDL. */
    NdisFreeMdl(d->MdlChain);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "not a live block");
    t_reports_reset();
    NdisFreeNetBuffer(d);

    NdisFreeNetBufferPool(dp);
    t_mdl_free_chain(chain);
    env_down(&e);
}

TEST(mdl_ddis_and_macros)
{
    struct env e = env_up();
    struct ndisi_image *img = t_driver_image(e.drv);
    PUCHAR buf = malloc(5000);
    unsigned long long bytes;
    unsigned long count;

    PMDL m = NdisAllocateMdl(e.drv, buf + 100, 4500);
    T_ASSERT(m != NULL);
    T_ASSERT(m->Next == NULL);
    T_ASSERT(m->Process == NULL);
    T_EQ(m->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
    T_ASSERT(m->StartVa == PAGE_ALIGN(buf + 100));
    T_EQ(m->ByteOffset, BYTE_OFFSET(buf + 100));
    T_EQ(m->ByteCount, 4500);
    T_ASSERT(m->MappedSystemVa == buf + 100);
    T_EQ(m->Size, MmSizeOfMdl(buf + 100, 4500));
    T_ASSERT(MmGetMdlVirtualAddress(m) == buf + 100);
    T_EQ(MmGetMdlByteCount(m), 4500);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf + 100, 4500);
    for (ULONG i = 0; i < pages; i++)
        T_EQ(pfn[i], ((uintptr_t)buf + 100) / PAGE_SIZE + i);
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_EQ(count, 1); /* charged to the driver */

    PVOID va = NULL;
    ULONG len = 0;
    NdisQueryMdl(m, &va, &len, NormalPagePriority);
    T_ASSERT(va == buf + 100);
    T_EQ(len, 4500);
    len = 0;
    NdisQueryMdl(m, NULL, &len, HighPagePriority);
    T_EQ(len, 4500);
    ULONG off = 0;
    NdisQueryMdlOffset(m, &off, &len);
    T_EQ(off, ((uintptr_t)buf + 100) % PAGE_SIZE);
    T_EQ(len, 4500);
    PMDL next = (PMDL)1;
    NdisGetNextMdl(m, &next);
    T_ASSERT(next == NULL);
    PMDL m2 = NdisAllocateMdl(e.drv, buf, 10);
    m->Next = m2;
    NdisGetNextMdl(m, &next);
    T_ASSERT(next == m2);
    m->Next = NULL;
    NdisAdjustMdlLength(m, 60);
    T_EQ(m->ByteCount, 60);
    NdisQueryMdl(m, &va, &len, NormalPagePriority);
    T_EQ(len, 60);
    NdisAdjustMdlLength(m, 4500);

    NdisFreeMdl(m);
    IoFreeMdl(m2); /* as on Windows, either free routine takes either MDL */
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_EQ(count, 0);
    T_EQ(t_reports(), 0);
    NdisFreeMdl(m);
    T_EQ(t_reports(), 1);
    T_CONTAINS(t_report_msg(), "already freed");

    /* IoAllocateMdl only allocates; MmBuildMdlForNonPagedPool builds. */
    PMDL io = IoAllocateMdl(buf, 3000, FALSE, FALSE, NULL);
    T_EQ(io->MdlFlags, 0);
    T_ASSERT(io->StartVa == PAGE_ALIGN(buf));
    T_EQ(io->ByteCount, 3000);
    MmBuildMdlForNonPagedPool(io);
    T_EQ(io->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL, MDL_SOURCE_IS_NONPAGED_POOL);
    T_ASSERT(MmGetSystemAddressForMdlSafe(io, NormalPagePriority) == buf);
    IoFreeMdl(io);
    T_EQ(t_reports(), 1);

    /* IoAllocateMdl in a driver's callback is charged to that driver. */
    struct ndisi_cbframe f;
    t_enter(&f, e.drv);
    io = IoAllocateMdl(buf, 100, FALSE, FALSE, NULL);
    t_leave(&f);
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_EQ(count, 1);
    IoFreeMdl(io);
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_EQ(count, 0);

    T_ASSERT(IoAllocateMdl(buf, 10, FALSE, FALSE, (PIRP)buf) == NULL);
    T_EQ(t_reports(), 2);
    T_ASSERT(NdisAllocateMdl(e.nbp, buf, 10) == NULL); /* not a driver handle */
    T_EQ(t_reports(), 3);
    T_STREQ(t_report_class(), "handle");
    t_reports_reset();
    free(buf);
    env_down(&e);
}

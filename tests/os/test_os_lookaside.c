/*
 * test_os_lookaside.c - nonpaged lookaside lists with NDIS's allocator and
 * with driver callbacks: reuse, accounting, misuse reports, deletion.
 */
#include <pthread.h>

#include "os_test.h"
#include "os/owned.h"

#define LTAG 'kooL' /* "Look" */

TEST(default_allocator_reuses_and_accounts)
{
    t_capture();
    struct ndisi_image *img = t_image("la");
    static NPAGED_LOOKASIDE_LIST la;
    struct ndisi_cbframe f;
    t_enter(&f, img, PASSIVE_LEVEL);
    NdisInitializeNPagedLookasideList(&la, NULL, NULL, 0, 40, LTAG, 0);
    T_EQ(atomic_load(&img->res[NDISI_RES_LOOKASIDE]), 1);
    void *a = NdisAllocateFromNPagedLookasideList(&la);
    void *b = NdisAllocateFromNPagedLookasideList(&la);
    T_ASSERT(a && b && a != b);
    T_EQ((uintptr_t)a % 16, 0);
    memset(a, 1, 40);
    memset(b, 2, 40);
    unsigned long count;
    ndisi_memacct_totals(&img->mem, NULL, &count);
    T_EQ(count, 2); /* entries are charged to the driver */
    NdisFreeToNPagedLookasideList(&la, a);
    void *c = NdisAllocateFromNPagedLookasideList(&la);
    T_ASSERT(c == a); /* cached entry handed out again */
    NdisFreeToNPagedLookasideList(&la, b);
    NdisFreeToNPagedLookasideList(&la, c);
    t_leave(&f);
    /* Entries the driver still holds show in its leak report by tag. */
    void *held = NdisAllocateFromNPagedLookasideList(&la);
    T_EQ(ndisi_memacct_report_leaks(&img->mem, img->name, "unload"), 2);
    T_EQ(t_reported(NULL, "leaked 2 blocks (80 bytes) with tag 'Look'"), 1);
    t_reports_clear();
    NdisFreeToNPagedLookasideList(&la, held);
    /* Delete releases what is cached. */
    NdisDeleteNPagedLookasideList(&la);
    ndisi_memacct_totals(&img->mem, NULL, &count);
    T_EQ(count, 0);
    T_EQ(atomic_load(&img->res[NDISI_RES_LOOKASIDE]), 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(lookaside_misuse_reported)
{
    t_capture();
    static NPAGED_LOOKASIDE_LIST la, junk;
    NdisInitializeNPagedLookasideList(&la, NULL, NULL, 1, 32, LTAG, 4);
    T_EQ(t_reported("NdisInitializeNPagedLookasideList", "reserved"), 1);
    void *a = NdisAllocateFromNPagedLookasideList(&la);
    NdisFreeToNPagedLookasideList(&la, a);
    NdisFreeToNPagedLookasideList(&la, a); /* twice */
    T_EQ(t_reported("NdisFreeToNPagedLookasideList", "freed twice"), 1);
    char stack[64];
    NdisFreeToNPagedLookasideList(&la, stack + 16); /* never allocated */
    T_EQ(t_reported("NdisFreeToNPagedLookasideList", "not a live block"), 1);
    /* A lookaside entry is not freed with NdisFreeMemory. */
    a = NdisAllocateFromNPagedLookasideList(&la);
    NdisFreeMemory(a, 0, 0);
    T_EQ(t_reported("NdisFreeMemory", "free it with NdisFreeToNPagedLookasideList"), 1);
    NdisFreeToNPagedLookasideList(&la, a);
    NdisDeleteNPagedLookasideList(&la);
    /* Uninitialized and deleted lists. */
    memset(&junk, 0, sizeof(junk));
    T_ASSERT(NdisAllocateFromNPagedLookasideList(&junk) == NULL);
    T_ASSERT(NdisAllocateFromNPagedLookasideList(&la) == NULL);
    T_EQ(t_reported("NdisAllocateFromNPagedLookasideList", "not an initialized lookaside"), 2);
    /* Allocate without Free leaves the list uninitialized. */
    NdisInitializeNPagedLookasideList(&junk, (PALLOCATE_FUNCTION)1, NULL, 0, 32, LTAG, 0);
    T_EQ(t_reported("NdisInitializeNPagedLookasideList", "also must provide a Free function"), 1);
    T_EQ(t_reports(), 7);
    t_os_end();
}

static int allocs, frees;
static POOL_TYPE seen_pool;
static SIZE_T seen_size;
static ULONG seen_tag;

static ALLOCATE_FUNCTION my_alloc;
static PVOID my_alloc(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    allocs++;
    seen_pool = PoolType;
    seen_size = NumberOfBytes;
    seen_tag = Tag;
    return aligned_alloc(16, (NumberOfBytes + 15) & ~(SIZE_T)15);
}

static FREE_FUNCTION my_free;
static VOID my_free(PVOID Buffer)
{
    frees++;
    free(Buffer);
}

TEST(driver_callbacks)
{
    t_capture();
    static NPAGED_LOOKASIDE_LIST la;
    NdisInitializeNPagedLookasideList(&la, my_alloc, my_free, 0, 3, LTAG, 0);
    void *e[300];
    for (int i = 0; i < 300; i++)
        T_ASSERT((e[i] = NdisAllocateFromNPagedLookasideList(&la)) != NULL);
    T_EQ(allocs, 300);
    T_EQ(seen_pool, NonPagedPool);
    T_EQ(seen_size, sizeof(SLIST_ENTRY)); /* small sizes hold the list link */
    T_EQ(seen_tag, LTAG);
    for (int i = 0; i < 300; i++)
        NdisFreeToNPagedLookasideList(&la, e[i]);
    T_ASSERT(frees > 0 && frees < 300); /* some are cached, the surplus is freed */
    int cached = 300 - frees;
    void *again = NdisAllocateFromNPagedLookasideList(&la);
    T_EQ(allocs, 300); /* from the cache */
    NdisFreeToNPagedLookasideList(&la, again);
    NdisDeleteNPagedLookasideList(&la);
    T_EQ(frees, 300);
    T_ASSERT(cached > 0);
    T_EQ(t_reports(), 0);
    t_os_end();
}

#define NTHREADS 4
#define NITER 10000

static void *la_churn(void *arg)
{
    PNPAGED_LOOKASIDE_LIST la = arg;
    void *keep[8] = {0};
    for (int i = 0; i < NITER; i++) {
        int k = i % 8;
        if (keep[k])
            NdisFreeToNPagedLookasideList(la, keep[k]);
        keep[k] = NdisAllocateFromNPagedLookasideList(la);
        T_ASSERT(keep[k] != NULL);
        memset(keep[k], i, 64);
    }
    for (int k = 0; k < 8; k++)
        NdisFreeToNPagedLookasideList(la, keep[k]);
    return NULL;
}

TEST(concurrent_lookaside)
{
    t_capture();
    static NPAGED_LOOKASIDE_LIST la;
    NdisInitializeNPagedLookasideList(&la, NULL, NULL, 0, 64, LTAG, 0);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        T_EQ(pthread_create(&t[i], NULL, la_churn, &la), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    NdisDeleteNPagedLookasideList(&la);
    T_EQ(t_reports(), 0);
    t_os_end(); /* the unowned account must be empty */
}

/* A driver unloads without deleting its lists; its storage may be gone. */
TEST(reclaim_at_unload)
{
    t_capture();
    struct ndisi_image *img = t_image("la2");
    static NPAGED_LOOKASIDE_LIST ndis_la, cb_la;
    struct ndisi_cbframe f;
    t_enter(&f, img, PASSIVE_LEVEL);
    NdisInitializeNPagedLookasideList(&ndis_la, NULL, NULL, 0, 48, LTAG, 0);
    NdisInitializeNPagedLookasideList(&cb_la, my_alloc, my_free, 0, 48, LTAG, 0);
    void *e[3], *c[3];
    for (int i = 0; i < 3; i++) {
        e[i] = NdisAllocateFromNPagedLookasideList(&ndis_la);
        c[i] = NdisAllocateFromNPagedLookasideList(&cb_la);
    }
    for (int i = 0; i < 3; i++) {
        NdisFreeToNPagedLookasideList(&ndis_la, e[i]);
        NdisFreeToNPagedLookasideList(&cb_la, c[i]);
    }
    t_leave(&f);
    T_EQ(atomic_load(&img->res[NDISI_RES_LOOKASIDE]), 2);
    ndisi_lookaside_reclaim(img);
    T_EQ(atomic_load(&img->res[NDISI_RES_LOOKASIDE]), 0);
    /* NDIS's cached entries are freed; the driver's are not given to its Free
       routine (no code of an unloaded driver runs). */
    unsigned long count;
    ndisi_memacct_totals(&img->mem, NULL, &count);
    T_EQ(count, 0);
    T_EQ(frees, 0);
    /* The lists are stale handles now. */
    T_ASSERT(NdisAllocateFromNPagedLookasideList(&ndis_la) == NULL);
    NdisDeleteNPagedLookasideList(&cb_la);
    T_EQ(t_reported(NULL, "stale handle: a freed lookaside list"), 2);
    T_EQ(t_reports(), 2);
    for (int i = 0; i < 3; i++)
        free(c[i]);
    t_image_done(img);
    t_os_end();
}

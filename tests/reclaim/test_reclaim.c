/*
 * test_reclaim.c - a driver that unloads still holding NDIS objects: NDIS
 * reports each kind once, naming the driver, and releases them (image.c,
 * image_reclaim); a later use of one is a stale handle; a timer or work item
 * still pending does not run into the unloaded driver; after a system
 * shutdown they are released without a report; and load/unload cycles of
 * such a driver do not make the process grow.
 *
 * The driver is the kit miniport (tests/kit) with a DriverEntry that leaks
 * after registering and an unload routine that can queue work on its way out.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#ifdef NDIS_SANITIZER_BUILD
/* The sanitizers' allocator (sanitizer/allocator_interface.h, which gcc does not install). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "core/obj.h"
#include "datapath/pool.h"
#include "kit.h"
#include "os/memory.h"
#include "test.h"

#define LTAG 'kaeL' /* "Leak" */

static struct leaky {
    bool each_kind;      /* one idle object of each kind, and an NBL and NB in the pools */
    bool nbl_contents;   /* an NBL with a context block, a clone, a retreated NB */
    bool pending;        /* a timer set, a periodic timer, a work item queued at unload */
    bool blocking_item;  /* a work item whose routine blocks past the unload */
    NDIS_HANDLE nbl_pool, nb_pool, wi, timer, periodic;
    PNDIS_RW_LOCK_EX lock;
    atomic_int timer_runs, wi_runs, release;
} L;

static NPAGED_LOOKASIDE_LIST g_la;
static MINIPORT_UNLOAD *kit_unload;

static NDIS_HANDLE nbl_pool(NDIS_HANDLE h, ULONG data_size)
{
    NET_BUFFER_LIST_POOL_PARAMETERS p = {
        .Header = {NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
                   NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1},
        .fAllocateNetBuffer = TRUE,
        .PoolTag = LTAG,
        .DataSize = data_size,
    };
    NDIS_HANDLE pool = NdisAllocateNetBufferListPool(h, &p);
    T_ASSERT(pool != NULL);
    return pool;
}

static NDIS_TIMER_FUNCTION count_timer;
static VOID count_timer(PVOID a, PVOID ctx, PVOID b, PVOID c)
{
    (void)a, (void)ctx, (void)b, (void)c;
    atomic_fetch_add(&L.timer_runs, 1);
}

static NDIS_HANDLE timer(NDIS_HANDLE h)
{
    NDIS_TIMER_CHARACTERISTICS tc = {
        .Header = {NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NDIS_TIMER_CHARACTERISTICS_REVISION_1,
                   NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1},
        .AllocationTag = LTAG,
        .TimerFunction = count_timer,
    };
    NDIS_HANDLE t = NULL;
    T_EQ(NdisAllocateTimerObject(h, &tc, &t), NDIS_STATUS_SUCCESS);
    return t;
}

static void leak_each_kind(NDIS_HANDLE h)
{
    L.nbl_pool = nbl_pool(h, 1514);
    T_ASSERT(NdisAllocateNetBufferList(L.nbl_pool, 0, 0) != NULL); /* never freed */
    NET_BUFFER_POOL_PARAMETERS bp = {
        .Header = {NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_POOL_PARAMETERS_REVISION_1,
                   NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1},
        .PoolTag = LTAG,
        .DataSize = 256,
    };
    L.nb_pool = NdisAllocateNetBufferPool(h, &bp);
    T_ASSERT(L.nb_pool != NULL);
    T_ASSERT(NdisAllocateNetBufferMdlAndData(L.nb_pool) != NULL); /* never freed */
    L.wi = NdisAllocateIoWorkItem(h);
    T_ASSERT(L.wi != NULL);
    L.timer = timer(h);
    L.lock = NdisAllocateRWLock(h);
    T_ASSERT(L.lock != NULL);
    /* NULL callbacks: NDIS allocates the entries, one of them cached. */
    NdisInitializeNPagedLookasideList(&g_la, NULL, NULL, 0, 64, LTAG, 0);
    void *e = NdisAllocateFromNPagedLookasideList(&g_la);
    T_ASSERT(e != NULL);
    NdisFreeToNPagedLookasideList(&g_la, e);
}

static void leak_nbl_contents(NDIS_HANDLE h)
{
    L.nbl_pool = nbl_pool(h, 1514);
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(L.nbl_pool, 0, 0);
    T_ASSERT(a != NULL);
    NET_BUFFER_LIST_FIRST_NB(a)->DataLength = 100;
    T_EQ(NdisAllocateNetBufferListContext(a, 32, 0, LTAG), NDIS_STATUS_SUCCESS);
    /* More than the 0 bytes in front of the data: NDIS chains an MDL of its own. */
    T_EQ(NdisRetreatNetBufferDataStart(NET_BUFFER_LIST_FIRST_NB(a), 64, 0, NULL),
         NDIS_STATUS_SUCCESS);
    /* A clone from the driver's pool whose NBs come from NDIS's own NB pool. */
    T_ASSERT(NdisAllocateCloneNetBufferList(a, L.nbl_pool, NULL, 0) != NULL);
}

static NDIS_IO_WORKITEM_FUNCTION unload_item;
static VOID unload_item(PVOID ctx, NDIS_HANDLE wi)
{
    (void)ctx, (void)wi;
    usleep(20 * 1000);
    atomic_fetch_add(&L.wi_runs, 1);
}

static NDIS_IO_WORKITEM_FUNCTION blocking_item;
static VOID blocking_item(PVOID ctx, NDIS_HANDLE wi)
{
    (void)ctx, (void)wi;
    atomic_fetch_add(&L.wi_runs, 1);
    for (int i = 0; i < 5000 && !atomic_load(&L.release); i++)
        usleep(1000);
}

static void leak_pending(NDIS_HANDLE h)
{
    L.timer = timer(h);
    LARGE_INTEGER hour = {.QuadPart = -36000000000LL};
    NdisSetTimerObject(L.timer, hour, 0, NULL);
    L.periodic = timer(h);
    LARGE_INTEGER ms = {.QuadPart = -10000LL};
    NdisSetTimerObject(L.periodic, ms, 2, NULL);
    L.wi = NdisAllocateIoWorkItem(h);
    T_ASSERT(L.wi != NULL);
}

static MINIPORT_UNLOAD leaky_unload;
static VOID leaky_unload(PDRIVER_OBJECT d)
{
    kit_unload(d);
    if (L.pending)
        NdisQueueIoWorkItem(L.wi, unload_item, NULL); /* and returns at once */
    if (L.blocking_item)
        NdisQueueIoWorkItem(L.wi, blocking_item, NULL);
}

static void leaky_chars(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    kit_unload = c->UnloadHandler;
    c->UnloadHandler = leaky_unload;
}

static NTSTATUS leaky_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    kit_mp.mutate_chars = leaky_chars;
    NTSTATUS st = kit_mp_entry(d, r);
    if (st != STATUS_SUCCESS)
        return st;
    NDIS_HANDLE h = kit_mp_driver_handle();
    if (L.each_kind)
        leak_each_kind(h);
    if (L.nbl_contents)
        leak_nbl_contents(h);
    if (L.pending)
        leak_pending(h);
    if (L.blocking_item) {
        L.wi = NdisAllocateIoWorkItem(h);
        T_ASSERT(L.wi != NULL);
    }
    return st;
}

static const char *const kinds[] = {"NET_BUFFER_LIST pools", "NET_BUFFER pools",
                                    "I/O work items", "timer objects", "read-write locks",
                                    "lookaside lists"};

/* Exactly one leak report names each kind, and nothing else was reported. */
static void expect_one_report_per_kind(void)
{
    char text[128];
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        snprintf(text, sizeof(text), "driver 'leaky' unloaded still holding 1 %s", kinds[i]);
        T_ASSERT_MSG(kit_reports_matching(text) == 1, "%d reports say \"%s\"",
                     kit_reports_matching(text), text);
    }
    T_EQ(kit_reports(), 6);
    kit_reports_clear();
}

TEST(each_kind_reported_once_then_freed)
{
    ndis_host *h = kit_host();
    L = (struct leaky){.each_kind = true};
    T_EQ(ndis_host_load_driver(h, "leaky", leaky_entry, NULL), 0);
    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(h, &c), 0);
    T_EQ(c.nbl_pools, 2);
    T_EQ(ndis_host_unload_driver(h, "leaky"), -EBUSY);
    expect_one_report_per_kind();

    /* Each handle is now stale: the objects were freed through the quarantine. */
    NdisFreeNetBufferListPool(L.nbl_pool);
    NdisFreeNetBufferPool(L.nb_pool);
    NdisQueueIoWorkItem(L.wi, unload_item, NULL);
    LARGE_INTEGER due = {.QuadPart = -10000LL};
    NdisSetTimerObject(L.timer, due, 0, NULL);
    NdisFreeRWLock(L.lock);
    T_ASSERT(NdisAllocateFromNPagedLookasideList(&g_la) == NULL);
    const char *freed[] = {"a freed NET_BUFFER_LIST pool", "a freed NET_BUFFER pool",
                           "a freed I/O work item", "a freed timer object",
                           "a freed read-write lock", "a freed lookaside list"};
    for (size_t i = 0; i < sizeof(freed) / sizeof(freed[0]); i++)
        T_ASSERT_MSG(kit_reports_matching(freed[i]) == 1, "no stale-handle report for %s",
                     freed[i]);
    T_EQ(kit_reports_matching("is a stale handle"), 6);
    T_EQ(kit_reports(), 6);
    kit_reports_clear();
    T_EQ(atomic_load(&L.wi_runs), 0);
    kit_host_done(h);
}

/* In-use elements of NDIS's own clone NB pool. */
static size_t clone_nbs_in_use(void)
{
    return ndisi_slab_in_use(&ndisi_clone_nb_pool()->slab);
}

TEST(nbls_left_in_a_pool_are_released_with_it)
{
    ndis_host *h = kit_host();
    L = (struct leaky){.nbl_contents = true};
    size_t clones = clone_nbs_in_use();
    T_EQ(ndis_host_load_driver(h, "leaky", leaky_entry, NULL), 0);
    T_EQ(clone_nbs_in_use(), clones + 1);
    T_EQ(ndis_host_unload_driver(h, "leaky"), -EBUSY);
    T_EQ(kit_reports_matching("still holding 1 NET_BUFFER_LIST pools"), 1);
    /* The leaked NBL was released as NdisFreeNetBufferList would: its context
       block reported and freed, its retreat MDL freed, the clone's NB returned. */
    T_EQ(kit_reports_matching("still has 1 context block"), 1);
    T_EQ(kit_reports(), 2);
    kit_reports_clear();
    T_EQ(clone_nbs_in_use(), clones);
    kit_host_done(h);
}

TEST(pending_timers_and_work_items_do_not_outlive_the_driver)
{
    ndis_host *h = kit_host();
    L = (struct leaky){.pending = true};
    T_EQ(ndis_host_load_driver(h, "leaky", leaky_entry, NULL), 0);
    for (int i = 0; i < 2000 && atomic_load(&L.timer_runs) < 3; i++)
        usleep(1000);
    T_ASSERT(atomic_load(&L.timer_runs) >= 3); /* the periodic timer runs */
    T_EQ(ndis_host_unload_driver(h, "leaky"), -EBUSY);
    /* The work item queued by the unload routine ran before the unload ended. */
    T_EQ(atomic_load(&L.wi_runs), 1);
    int runs = atomic_load(&L.timer_runs);
    usleep(30 * 1000);
    T_EQ(atomic_load(&L.timer_runs), runs); /* no timer fires into the unloaded driver */
    T_EQ(kit_reports_matching("driver 'leaky' unloaded still holding 2 timer objects"), 1);
    T_EQ(kit_reports_matching("driver 'leaky' unloaded still holding 1 I/O work items"), 1);
    T_EQ(kit_reports(), 2);
    kit_reports_clear();
    /* Released: the handles are stale. */
    T_EQ(NdisCancelTimerObject(L.periodic), FALSE);
    NdisFreeIoWorkItem(L.wi);
    T_EQ(kit_reports_matching("is a stale handle"), 2);
    kit_reports_clear();
    kit_host_done(h);
}

static char g_diag[8][512];
static atomic_int g_ndiag;

static void on_diag(void *ctx, const char *msg)
{
    (void)ctx;
    if (getenv("KIT_VERBOSE"))
        fprintf(stderr, "  diag: %s\n", msg);
    int i = atomic_fetch_add(&g_ndiag, 1);
    if (i < 8)
        snprintf(g_diag[i], sizeof(g_diag[i]), "%s", msg);
}

static int diags_matching(const char *text)
{
    int n = 0;
    for (int i = 0; i < atomic_load(&g_ndiag) && i < 8; i++)
        n += strstr(g_diag[i], text) != NULL;
    return n;
}

TEST(work_item_still_running_after_the_flush_bound)
{
    /* The work queue flush of the unload gives up after 200 ms. */
    setenv("NDIS_WAIT_TIMEOUT_MS", "200", 1);
    ndis_host *h = kit_host();
    ndis_set_diag_handler(on_diag, NULL);
    L = (struct leaky){.blocking_item = true};
    T_EQ(ndis_host_load_driver(h, "leaky", leaky_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "leaky"), -EBUSY);
    T_EQ(atomic_load(&L.wi_runs), 1); /* still in its routine */
    T_EQ(kit_reports_matching("still holding 1 I/O work items"), 1);
    T_EQ(diags_matching("is still running after the work queue was flushed"), 1);
    /* The item is released when the routine returns (LeakSanitizer checks it). */
    atomic_store(&L.release, 1);
    kit_reports_clear();
    kit_host_done(h);
    T_EQ(atomic_load(&L.wi_runs), 1);
}

TEST(after_system_shutdown_released_without_a_report)
{
    ndis_host *h = kit_host();
    /* A second instance keeps the object quarantine (flushed with the last one). */
    ndis_host *other = NULL;
    ndis_host_options o = {.name = "other"};
    T_EQ(ndis_host_create(&o, &other), 0);
    ndis_set_diag_handler(on_diag, NULL);
    L = (struct leaky){.each_kind = true};
    T_EQ(ndis_host_load_driver(h, "leaky", leaky_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "leaky", "a0", NULL), 0);
    T_EQ(ndis_host_shutdown(h), 0);
    kit_host_done(h); /* no report */
    T_EQ(diags_matching("driver 'leaky' unloaded after a system shutdown: NDIS releases"), 1);
    /* Released all the same. */
    NdisFreeRWLock(L.lock);
    NdisFreeIoWorkItem(L.wi);
    T_EQ(kit_reports_matching("is a stale handle"), 2);
    kit_reports_clear();
    T_EQ(ndis_host_destroy(other), 0);
}

/*
 * Bytes the process has allocated, once NDIS's quarantines are released. A
 * few bytes may be in flight on NDIS's threads at either reading; with
 * glibc's per-thread cache on (CMakeLists.txt turns it off for this test),
 * the freed blocks it holds count as allocated: some KiB of noise.
 */
static size_t heap_in_use(void)
{
    ndisi_obj_quarantine_flush();
    ndisi_mem_quarantine_flush();
#ifdef NDIS_SANITIZER_BUILD
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

static size_t heap_noise(void)
{
#ifndef NDIS_SANITIZER_BUILD
    const char *t = getenv("GLIBC_TUNABLES");
    if (!t || !strstr(t, "glibc.malloc.tcache_count=0"))
        return 48 * 1024;
#endif
    return 4 * 1024;
}

/* Grows the table of live memory blocks to its size (buckets are allocated per shard). */
static void warm_memory_table(void)
{
    enum { N = 1024 };
    static void *b[N];
    struct ndisi_mem_expect x = {.kind = NDISI_MEM_INTERNAL};
    for (int i = 0; i < N; i++)
        T_ASSERT((b[i] = ndisi_mem_alloc(NULL, NULL, NDISI_MEM_INTERNAL, 32, LTAG)) != NULL);
    for (int i = 0; i < N; i++)
        T_ASSERT(ndisi_mem_free(b[i], "test", &x));
}

static void load_unload(ndis_host *h)
{
    T_EQ(ndis_host_load_driver(h, "leaky", leaky_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "leaky"), -EBUSY);
    kit_reports_clear();
    kit_log_reset();
}

TEST(load_unload_cycles_do_not_grow)
{
    ndis_host *h = kit_host();
    L = (struct leaky){.each_kind = true, .nbl_contents = true};
    for (int i = 0; i < 10; i++)
        load_unload(h); /* NDIS's threads, caches and tables reach their size */
    warm_memory_table();
    size_t before = heap_in_use();
    for (int i = 0; i < 1000; i++)
        load_unload(h);
    size_t after = heap_in_use();
    t_log("heap in use: %zu bytes before, %zu after 1000 load/unload cycles", before, after);
    /* A cycle without the release would leak over 150 KiB (the pools' slabs)
       plus a few hundred bytes for each object. */
    T_ASSERT_MSG(after <= before + heap_noise(), "grew by %zd bytes over 1000 cycles",
                 (ssize_t)(after - before));
    kit_host_done(h);
}

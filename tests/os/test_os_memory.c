/*
 * test_os_memory.c - NdisAllocateMemoryWithTagPriority, NdisFreeMemory,
 * NdisFreeMemoryWithTagPriority: accounting by driver and tag, alignment,
 * misuse reports (double free, foreign pointer, wrong tag, wrong allocator),
 * leak reports, and fault injection.
 */
#include <pthread.h>
#include <stdlib.h>

#include "os_test.h"
#include "os/memory.h"

#define TAG_A 'AtsT' /* prints as "TstA" */
#define TAG_B 'BtsT'

TEST(alloc_free_accounting)
{
    t_capture();
    struct ndisi_image *img = t_image("memdrv");
    unsigned long long bytes;
    unsigned long count;
    void *a = NdisAllocateMemoryWithTagPriority(t_h(img), 100, TAG_A, NormalPoolPriority);
    void *b = NdisAllocateMemoryWithTagPriority(t_h(img), 3, TAG_B, LowPoolPriority);
    void *z = NdisAllocateMemoryWithTagPriority(t_h(img), 0, TAG_B, HighPoolPriority);
    T_ASSERT(a && b && z);
    T_EQ((uintptr_t)a % MEMORY_ALLOCATION_ALIGNMENT, 0);
    T_EQ((uintptr_t)b % 16, 0);
    memset(a, 0x5a, 100);
    memset(b, 0x5a, 3);
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_EQ(count, 3);
    T_EQ(bytes, 103);
    NdisFreeMemory(a, 100, 0);
    NdisFreeMemoryWithTagPriority(t_h(img), b, TAG_B);
    NdisFreeMemory(z, 12345, 0); /* Length is ignored */
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_EQ(count, 0);
    T_EQ(bytes, 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(double_free_and_foreign_pointer_reported)
{
    t_capture();
    struct ndisi_image *img = t_image("dbl");
    char *p = NdisAllocateMemoryWithTagPriority(t_h(img), 24, TAG_A, NormalPoolPriority);
    T_ASSERT(p != NULL);
    NdisFreeMemory(p, 0, 0);
    NdisFreeMemory(p, 0, 0);
    T_EQ(t_reported("NdisFreeMemory", "was already freed"), 1);
    T_CONTAINS(t_report_msg(0), "24 bytes with tag 'TstA'");
    T_CONTAINS(t_report_msg(0), "driver 'dbl'");

    /* Pointers the allocator never returned: read nothing, report. */
    char stack[64];
    NdisFreeMemory(stack + 16, 0, 0);
    void *m = malloc(32);
    NdisFreeMemory(m, 0, 0);
    free(m);
    NdisFreeMemory((char *)p + 1, 0, 0);
    NdisFreeMemory(NULL, 0, 0);
    T_EQ(t_reported("NdisFreeMemory", "not a live block"), 3);
    T_EQ(t_reported("NdisFreeMemory", "NULL"), 1);
    t_image_done(img);
    t_os_end();
}

TEST(free_mismatches_reported)
{
    t_capture();
    struct ndisi_image *a = t_image("drvA"), *b = t_image("drvB");
    void *p = NdisAllocateMemoryWithTagPriority(t_h(a), 8, TAG_A, NormalPoolPriority);
    /* Wrong tag: reported, block kept. */
    NdisFreeMemoryWithTagPriority(t_h(a), p, TAG_B);
    T_EQ(t_reported("NdisFreeMemoryWithTagPriority", "allocated with tag 'TstA'"), 1);
    /* Another driver's handle: reported, block kept. */
    NdisFreeMemoryWithTagPriority(t_h(b), p, TAG_A);
    T_EQ(t_reported("NdisFreeMemoryWithTagPriority", "belongs to driver 'drvA'"), 1);
    /* MemoryFlags must be zero. */
    NdisFreeMemory(p, 8, 0x1);
    T_EQ(t_reported("NdisFreeMemory", "MemoryFlags"), 1);
    unsigned long count;
    ndisi_memacct_totals(&a->mem, NULL, &count);
    T_EQ(count, 1);
    NdisFreeMemoryWithTagPriority(t_h(a), p, TAG_A);
    /* The matching allocator: a string buffer is freed with RtlFree*String. */
    struct ndisi_cbframe f;
    t_enter(&f, a, PASSIVE_LEVEL);
    ANSI_STRING as;
    UNICODE_STRING us;
    RtlInitAnsiString(&as, "abc");
    T_EQ(RtlAnsiStringToUnicodeString(&us, &as, TRUE), STATUS_SUCCESS);
    NdisFreeMemory(us.Buffer, 0, 0);
    T_EQ(t_reported("NdisFreeMemory", "free it with RtlFreeUnicodeString"), 1);
    RtlFreeUnicodeString(&us);
    t_leave(&f);
    T_EQ(t_reports(), 4);
    t_image_done(a);
    t_image_done(b);
    t_os_end();
}

TEST(bad_handle_tag_and_irql_reported)
{
    t_capture();
    struct ndisi_image *img = t_image("args");
    T_ASSERT(NdisAllocateMemoryWithTagPriority(NULL, 8, TAG_A, NormalPoolPriority) == NULL);
    T_EQ(t_reported("NdisAllocateMemoryWithTagPriority", "NULL"), 1);
    T_ASSERT(NdisAllocateMemoryWithTagPriority(t_h(img), 8, 0, NormalPoolPriority) == NULL);
    T_EQ(t_reported("NdisAllocateMemoryWithTagPriority", "passed no Tag"), 1);
    /* Above DISPATCH_LEVEL: reported, then served. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    void *p = NdisAllocateMemoryWithTagPriority(t_h(img), 8, TAG_A, NormalPoolPriority);
    KeLowerIrql(old);
    T_EQ(t_reported("NdisAllocateMemoryWithTagPriority", "Irql_Miscellaneous_Function"), 1);
    T_ASSERT(p != NULL);
    NdisFreeMemory(p, 0, 0);
    t_image_done(img);
    t_os_end();
}

TEST(leaks_reported_by_tag)
{
    t_capture();
    struct ndisi_image *img = t_image("leaky");
    for (int i = 0; i < 3; i++)
        T_ASSERT(NdisAllocateMemoryWithTagPriority(t_h(img), 10, TAG_A, NormalPoolPriority));
    T_ASSERT(NdisAllocateMemoryWithTagPriority(t_h(img), 7, TAG_B, NormalPoolPriority));
    T_EQ(ndisi_memacct_report_leaks(&img->mem, img->name, "unload"), 4);
    T_EQ(t_reports(), 2);
    T_EQ(t_reported(NULL, "driver 'leaky' leaked 3 blocks (30 bytes) with tag 'TstA' at unload"),
         1);
    T_EQ(t_reported(NULL, "driver 'leaky' leaked 1 block (7 bytes) with tag 'TstB' at unload"), 1);
    T_STREQ(t_report_class(0), "leak");
    /* Destroying the account releases what is left. */
    ndisi_memacct_destroy(&img->mem);
    ndisi_memacct_init(&img->mem);
    t_image_done(img);
    t_os_end();
}

TEST(fault_injection_exact)
{
    t_capture();
    struct ndisi_image *img = t_image("faults");
    void *p[8];
    ndis_fault_inject(NDIS_FAULT_ALLOC_MEMORY, 2, 3);
    for (int i = 0; i < 8; i++)
        p[i] = NdisAllocateMemoryWithTagPriority(t_h(img), 16, TAG_A, NormalPoolPriority);
    T_ASSERT(p[0] && p[1]);
    T_ASSERT(!p[2] && !p[3] && !p[4]);
    T_ASSERT(p[5] && p[6] && p[7]);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_MEMORY), 3);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NBL), 0);
    for (int i = 0; i < 8; i++)
        if (p[i])
            NdisFreeMemory(p[i], 0, 0);
    /* count 0 turns the point off. */
    ndis_fault_inject(NDIS_FAULT_ALLOC_MEMORY, 0, 0);
    void *q = NdisAllocateMemoryWithTagPriority(t_h(img), 16, TAG_A, NormalPoolPriority);
    T_ASSERT(q != NULL);
    NdisFreeMemory(q, 0, 0);
    T_EQ(t_reports(), 0);
    t_image_done(img);
    t_os_end();
}

TEST(fault_injection_from_environment)
{
    setenv("NDIS_FAULT_ALLOC_MEMORY", "1:1", 1);
    setenv("NDIS_FAULT_ALLOC_POOL", "bogus", 1);
    t_capture();
    struct ndisi_image *img = t_image("envfault");
    void *a = NdisAllocateMemoryWithTagPriority(t_h(img), 16, TAG_A, NormalPoolPriority);
    void *b = NdisAllocateMemoryWithTagPriority(t_h(img), 16, TAG_A, NormalPoolPriority);
    void *c = NdisAllocateMemoryWithTagPriority(t_h(img), 16, TAG_A, NormalPoolPriority);
    T_ASSERT(a && !b && c);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_MEMORY), 1);
    T_EQ(t_diags("NDIS_FAULT_ALLOC_POOL"), 1);
    NdisFreeMemory(a, 0, 0);
    NdisFreeMemory(c, 0, 0);
    t_image_done(img);
    t_os_end();
}

#define NTHREADS 4
#define NITER 5000

static struct ndisi_image *g_img;

static void *churn(void *arg)
{
    (void)arg;
    void *keep[16] = {0};
    for (int i = 0; i < NITER; i++) {
        int k = i % 16;
        if (keep[k])
            NdisFreeMemoryWithTagPriority(t_h(g_img), keep[k], TAG_A);
        keep[k] = NdisAllocateMemoryWithTagPriority(t_h(g_img), (UINT)(i % 200), TAG_A,
                                                    NormalPoolPriority);
        if (keep[k])
            memset(keep[k], i, (size_t)(i % 200));
    }
    for (int k = 0; k < 16; k++)
        if (keep[k])
            NdisFreeMemory(keep[k], 0, 0);
    return NULL;
}

TEST(concurrent_alloc_free)
{
    t_capture();
    g_img = t_image("churn");
    ndis_fault_inject(NDIS_FAULT_ALLOC_MEMORY, 100, 50);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        T_EQ(pthread_create(&t[i], NULL, churn, NULL), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_MEMORY), 50);
    T_EQ(t_reports(), 0);
    t_image_done(g_img);
    t_os_end();
}

/* mallocwrap.c - counts system allocations (the benchmarks link with --wrap). */
#include <stdatomic.h>
#include <stddef.h>

#include "benchdrv.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static atomic_ulong allocs;

void *__wrap_malloc(size_t n)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __real_realloc(p, n);
}

unsigned long bench_mallocs(void)
{
    return atomic_load(&allocs);
}

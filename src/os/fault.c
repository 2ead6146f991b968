/*
 * fault.c - fault injection: "after `skip` more successful calls at `point`,
 * the next `count` calls fail" (ndishost.h).
 *
 * Each point has two counters, the successes still to let through and the
 * failures still to inject. A call first takes one from `skip`; once that is
 * exhausted it takes one from `fail` and fails. Both are decremented with
 * compare-and-swap loops, so concurrent callers consume exactly `skip`
 * successes and `count` failures between them. The environment variables
 * NDIS_FAULT_ALLOC_MEMORY=skip:count (and _NBL, _POOL, _NDIS) are read once,
 * before the first call or the first ndis_fault_inject.
 */
#include "os/fault.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/verifier.h"

struct fault_point {
    atomic_ulong skip;     /* successful calls still to let through */
    atomic_ulong fail;     /* failures still to inject */
    atomic_ulong injected; /* failures injected so far */
};

static struct fault_point f_points[NDIS_FAULT_COUNT];
static pthread_once_t f_env_once = PTHREAD_ONCE_INIT;

static const char *const f_env_names[NDIS_FAULT_COUNT] = {
    [NDIS_FAULT_ALLOC_MEMORY] = "NDIS_FAULT_ALLOC_MEMORY",
    [NDIS_FAULT_ALLOC_NBL] = "NDIS_FAULT_ALLOC_NBL",
    [NDIS_FAULT_ALLOC_POOL] = "NDIS_FAULT_ALLOC_POOL",
    [NDIS_FAULT_ALLOC_NDIS] = "NDIS_FAULT_ALLOC_NDIS",
};

static void fault_set(ndis_fault_point p, unsigned long skip, unsigned long count)
{
    struct fault_point *f = &f_points[p];
    /* Turn the point off first so that no caller fails on a half-set point. */
    atomic_store(&f->fail, 0);
    atomic_store(&f->skip, skip);
    atomic_store(&f->fail, count);
}

/* Parses "skip:count"; returns false if the text is not two decimal numbers. */
static bool parse_spec(const char *s, unsigned long *skip, unsigned long *count)
{
    char *end;
    errno = 0;
    *skip = strtoul(s, &end, 10);
    if (end == s || *end != ':' || errno)
        return false;
    const char *c = end + 1;
    *count = strtoul(c, &end, 10);
    return end != c && *end == '\0' && !errno;
}

static void fault_read_env(void)
{
    for (unsigned p = 0; p < NDIS_FAULT_COUNT; p++) {
        const char *name = f_env_names[p];
        const char *v = name ? getenv(name) : NULL;
        unsigned long skip, count;
        if (!v || !*v)
            continue;
        if (!parse_spec(v, &skip, &count)) {
            ndisi_diag("ignoring %s=\"%s\": expected skip:count (two decimal numbers)", name,
                       v);
            continue;
        }
        fault_set((ndis_fault_point)p, skip, count);
    }
}

bool ndisi_fault_fail(ndis_fault_point p)
{
    struct fault_point *f;
    unsigned long v;

    pthread_once(&f_env_once, fault_read_env);
    if ((unsigned)p >= NDIS_FAULT_COUNT)
        return false;
    f = &f_points[p];
    if (__builtin_expect(atomic_load_explicit(&f->fail, memory_order_relaxed) == 0, 1))
        return false;
    v = atomic_load(&f->skip);
    while (v > 0)
        if (atomic_compare_exchange_weak(&f->skip, &v, v - 1))
            return false;
    v = atomic_load(&f->fail);
    while (v > 0)
        if (atomic_compare_exchange_weak(&f->fail, &v, v - 1)) {
            atomic_fetch_add(&f->injected, 1);
            return true;
        }
    return false;
}

void ndis_fault_inject(ndis_fault_point point, unsigned long skip, unsigned long count)
{
    pthread_once(&f_env_once, fault_read_env);
    if ((unsigned)point >= NDIS_FAULT_COUNT) {
        ndisi_diag("ndis_fault_inject: unknown fault point %d", (int)point);
        return;
    }
    fault_set(point, skip, count);
}

unsigned long ndis_fault_injected(ndis_fault_point point)
{
    if ((unsigned)point >= NDIS_FAULT_COUNT)
        return 0;
    return atomic_load(&f_points[point].injected);
}

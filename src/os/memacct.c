/*
 * memacct.c - per-driver accounts of tagged memory (memacct.h): totals, leak
 * reports by tag, and release of what a driver left behind.
 */
#include "os/memacct.h"

#include <pthread.h>
#include <stdlib.h>

#include <wdm.h>

#include "core/verifier.h"
#include "os/memory.h"

void ndisi_memacct_init(struct ndisi_memacct *m)
{
    pthread_mutex_init(&m->lock, NULL);
    InitializeListHead(&m->allocs);
    m->bytes = 0;
    m->count = 0;
}

void ndisi_memacct_destroy(struct ndisi_memacct *m)
{
    pthread_mutex_lock(&m->lock);
    while (!IsListEmpty(&m->allocs)) {
        struct ndisi_memhdr *h =
            CONTAINING_RECORD(RemoveHeadList(&m->allocs), struct ndisi_memhdr, link);
        m->bytes -= h->length;
        m->count--;
        ndisi_mem_release_leaked(h);
    }
    pthread_mutex_unlock(&m->lock);
    pthread_mutex_destroy(&m->lock);
}

void ndisi_memacct_totals(struct ndisi_memacct *m, unsigned long long *bytes,
                          unsigned long *count)
{
    pthread_mutex_lock(&m->lock);
    if (bytes)
        *bytes = m->bytes;
    if (count)
        *count = m->count;
    pthread_mutex_unlock(&m->lock);
}

struct leak_group {
    ULONG tag;
    uint16_t kind;
    unsigned long count;
    unsigned long long bytes;
};

/* Adds a block to its (tag, kind) group; returns false if the array is full. */
static bool group_add(struct leak_group *g, size_t *n, size_t cap,
                      const struct ndisi_memhdr *h)
{
    for (size_t i = 0; i < *n; i++)
        if (g[i].tag == h->tag && g[i].kind == h->kind) {
            g[i].count++;
            g[i].bytes += h->length;
            return true;
        }
    if (*n == cap)
        return false;
    g[*n] = (struct leak_group){h->tag, h->kind, 1, h->length};
    (*n)++;
    return true;
}

unsigned long ndisi_memacct_report_leaks(struct ndisi_memacct *m, const char *driver,
                                         const char *when)
{
    enum { STATIC_GROUPS = 16, MAX_GROUPS = 4096 };
    struct leak_group local[STATIC_GROUPS];
    struct leak_group *g = local;
    size_t n = 0, cap = STATIC_GROUPS;
    unsigned long total = 0, ungrouped = 0;
    unsigned long long ungrouped_bytes = 0;

    pthread_mutex_lock(&m->lock);
    total = m->count;
    if (total > STATIC_GROUPS) {
        /* There are at most as many tags as blocks; beyond MAX_GROUPS distinct
           tags the rest is summed up in one report. */
        size_t want = total < MAX_GROUPS ? total : MAX_GROUPS;
        struct leak_group *big = malloc(sizeof(*big) * want);
        if (big) {
            g = big;
            cap = want;
        }
    }
    for (LIST_ENTRY *e = m->allocs.Flink; e != &m->allocs; e = e->Flink) {
        const struct ndisi_memhdr *h = CONTAINING_RECORD(e, struct ndisi_memhdr, link);
        if (!group_add(g, &n, cap, h)) {
            ungrouped++;
            ungrouped_bytes += h->length;
        }
    }
    pthread_mutex_unlock(&m->lock);

    for (size_t i = 0; i < n; i++) {
        char tag[5];
        ndisi_tag_str(g[i].tag, tag);
        ndisi_report(NDISI_V_LEAK, ndisi_memkind_free_name((enum ndisi_memkind)g[i].kind),
                     "memory a driver allocates must be freed before it unloads",
                     "driver '%s' leaked %lu block%s (%llu bytes) with tag '%s' at %s "
                     "(allocated with %s)",
                     driver ? driver : "?", g[i].count, g[i].count == 1 ? "" : "s",
                     g[i].bytes, tag, when ? when : "teardown",
                     ndisi_memkind_alloc_name((enum ndisi_memkind)g[i].kind));
    }
    if (ungrouped)
        ndisi_report(NDISI_V_LEAK, "NdisFreeMemory",
                     "memory a driver allocates must be freed before it unloads",
                     "driver '%s' leaked %lu more block%s (%llu bytes) at %s",
                     driver ? driver : "?", ungrouped, ungrouped == 1 ? "" : "s",
                     ungrouped_bytes, when ? when : "teardown");
    if (g != local)
        free(g);
    return total;
}

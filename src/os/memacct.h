/*
 * memacct.h - memory charged to a driver: every NdisAllocateMemoryWithTagPriority
 * block carries a header linking it into its driver's list, so that unload and
 * instance teardown can name each leaked block by tag and size.
 */
#ifndef NDISI_MEMACCT_H
#define NDISI_MEMACCT_H

#include <pthread.h>
#include <stdint.h>

#include <ntdef.h>

struct ndisi_memacct {
    pthread_mutex_t lock;
    LIST_ENTRY allocs;         /* struct ndisi_memhdr.link, guarded by lock */
    unsigned long long bytes;  /* guarded by lock */
    unsigned long count;       /* guarded by lock */
};

void ndisi_memacct_init(struct ndisi_memacct *m);
/* Frees every block still charged (after ndisi_memacct_report_leaks). */
void ndisi_memacct_destroy(struct ndisi_memacct *m);
/*
 * Reports (NDISI_V_LEAK, one report per tag with count and bytes, naming
 * `driver` and `when`) every block still allocated; returns the block count.
 */
unsigned long ndisi_memacct_report_leaks(struct ndisi_memacct *m, const char *driver,
                                         const char *when);
void ndisi_memacct_totals(struct ndisi_memacct *m, unsigned long long *bytes,
                          unsigned long *count);

#endif /* NDISI_MEMACCT_H */

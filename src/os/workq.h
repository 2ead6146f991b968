/*
 * workq.h - the process-wide pool of worker threads behind NDIS I/O work items
 * and NDIS's own deferred work.
 *
 * A few threads (two to four, by processor count), created on first use, run
 * posted functions in FIFO order at PASSIVE_LEVEL. They stop in
 * ndisi_workq_shutdown() (from ndisi_os_shutdown) and are created again if
 * work is posted afterwards.
 */
#ifndef NDISI_OS_WORKQ_H
#define NDISI_OS_WORKQ_H

#include <stdbool.h>

#include <ntdef.h>

/* An intrusive queue entry, for callers that must not allocate when posting. */
struct ndisi_workq_entry {
    LIST_ENTRY link;
    void (*fn)(void *arg); /* runs on a worker thread, entry no longer used */
    void *arg;
    bool heap;             /* allocated by ndisi_workq_post: freed before fn runs */
};

/*
 * Runs fn(arg) on a worker thread. The entry is allocated; if memory is
 * exhausted that is reported as a diagnostic and the process aborts, as the
 * caller has no way to fail.
 */
void ndisi_workq_post(void (*fn)(void *), void *arg);

/* Queues an initialized entry (fn, arg set; not currently queued). */
void ndisi_workq_post_entry(struct ndisi_workq_entry *e);

/*
 * Waits until nothing is queued and no worker runs anything (apart from the
 * caller, when a worker calls it), at most the wait bound (NDIS_WAIT_TIMEOUT_MS
 * from the environment, else 30 s). Returns false, after an NDISI_V_TIMEOUT
 * report, if the bound expired.
 */
bool ndisi_workq_flush(void);

/* True when the calling thread is one of the pool's workers. */
bool ndisi_workq_on_worker(void);

/*
 * Flushes, stops and joins the workers. Entries still queued after the bound
 * are dropped and reported.
 */
void ndisi_workq_shutdown(void);

#endif /* NDISI_OS_WORKQ_H */

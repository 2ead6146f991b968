/*
 * os.h - lifetime of the OS-services layer: its threads (worker pool, timer
 * thread, DPC thread) start on first use and stop in ndisi_os_shutdown().
 */
#ifndef NDISI_OS_OS_H
#define NDISI_OS_OS_H

#include <pthread.h>

/*
 * Called by the host when the last NDIS instance is destroyed: stops and joins
 * the timer, DPC and worker threads (reporting timers, DPCs and work items
 * still queued), reports and releases memory charged to no driver, and
 * releases the freed-memory quarantine. Anything used afterwards starts again.
 */
void ndisi_os_shutdown(void);

struct ndisi_image;

/*
 * For driver unload, before the driver's code goes away: dequeues the timers
 * and DPCs the driver left queued (they would fire into unloaded code), waits
 * until none of its timer functions or DPC routines runs, and runs the work
 * queue dry (a queued work item runs before the unload completes). Returns
 * the number of timers and DPCs dequeued; leak reports are the caller's
 * (image->res counters).
 */
unsigned ndisi_os_image_quiesce(struct ndisi_image *img);

/* The bound of internal waits: NDIS_WAIT_TIMEOUT_MS from the environment, else 30 s. */
unsigned ndisi_os_wait_bound_ms(void);

/* Starts a thread with every signal blocked, named `name` (15 characters at most). */
int ndisi_os_thread_create(pthread_t *t, void *(*fn)(void *), void *arg, const char *name);

/*
 * Joins a thread, waiting at most the wait bound; reports an NDISI_V_TIMEOUT
 * naming `what` and detaches it if it does not finish.
 */
void ndisi_os_thread_join(pthread_t t, const char *what);

#endif /* NDISI_OS_OS_H */

/*
 * os.c - start and stop of the OS-services threads, shared helpers.
 */
#include "os/os.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/verifier.h"
#include "os/dpc.h"
#include "os/memory.h"
#include "os/timer.h"
#include "os/workq.h"

#define DEFAULT_WAIT_BOUND_MS 30000u

unsigned ndisi_os_wait_bound_ms(void)
{
    static unsigned bound; /* 0: not read yet; benign race, same value */
    unsigned b = __atomic_load_n(&bound, __ATOMIC_RELAXED);
    if (b == 0) {
        const char *env = getenv("NDIS_WAIT_TIMEOUT_MS");
        char *end;
        unsigned long v = env ? strtoul(env, &end, 10) : 0;
        b = (env && *env && *end == '\0' && v > 0 && v <= 3600000ul) ? (unsigned)v
                                                                     : DEFAULT_WAIT_BOUND_MS;
        __atomic_store_n(&bound, b, __ATOMIC_RELAXED);
    }
    return b;
}

int ndisi_os_thread_create(pthread_t *t, void *(*fn)(void *), void *arg, const char *name)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0 && name)
        pthread_setname_np(*t, name);
    return rc;
}

void ndisi_os_thread_join(pthread_t t, const char *what)
{
    struct timespec until;
    unsigned bound = ndisi_os_wait_bound_ms();
    clock_gettime(CLOCK_REALTIME, &until); /* pthread_timedjoin_np uses CLOCK_REALTIME */
    until.tv_sec += bound / 1000u;
    until.tv_nsec += (long)(bound % 1000u) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = pthread_timedjoin_np(t, NULL, &until);
    if (rc == 0)
        return;
    ndisi_report(NDISI_V_TIMEOUT, "ndisi_os_shutdown", "driver callbacks must return",
                 "the %s did not stop within %u ms (%s): a driver callback it runs does "
                 "not return; the thread is left running", what, bound, strerror(rc));
    pthread_detach(t);
}

unsigned ndisi_os_image_quiesce(struct ndisi_image *img)
{
    unsigned n = ndisi_timer_cancel_image(img);
    n += ndisi_dpc_cancel_image(img);
    ndisi_workq_flush();
    /* A work item may have set a timer or queued a DPC meanwhile. */
    n += ndisi_timer_cancel_image(img);
    n += ndisi_dpc_cancel_image(img);
    return n;
}

void ndisi_os_shutdown(void)
{
    /* Timers and DPCs first: their routines may queue work items. */
    ndisi_timer_shutdown();
    ndisi_dpc_shutdown();
    ndisi_workq_shutdown();

    struct ndisi_memacct *m = ndisi_memacct_unowned();
    ndisi_memacct_report_leaks(m, "libndis (no driver)", "shutdown");
    ndisi_memacct_destroy(m);
    ndisi_memacct_init(m);
    ndisi_mem_quarantine_flush();
}

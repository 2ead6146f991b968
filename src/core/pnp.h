/*
 * pnp.h - the ordered PnP queue of an NDIS instance.
 *
 * All PnP work (driver load and unload, adapter arrival and removal, bind,
 * unbind, attach, detach, pause, restart) runs on one worker thread per
 * instance, one operation at a time, as NDIS orders it. A synchronous caller
 * (the host API, NdisDeregisterProtocolDriver from a driver thread) queues an
 * operation and waits, bounded, for it and for every operation it queued in
 * turn: when ndisi_pnp_call() returns, the binds a registration caused are done.
 * A call made on the worker itself (DriverUnload calling
 * NdisDeregisterProtocolDriver) runs inline, "within the context of the call".
 */
#ifndef NDISI_PNP_H
#define NDISI_PNP_H

#include <stdbool.h>

struct ndis_host;

typedef void (*ndisi_pnp_fn)(struct ndis_host *h, void *arg);

int ndisi_pnp_start(struct ndis_host *h);
/* Runs what is queued, then stops the worker. */
void ndisi_pnp_stop(struct ndis_host *h);

/*
 * Runs fn(h, arg) on the worker and waits for it and its descendants. `what`
 * describes the operation for diagnostics. Returns 0, or -ETIMEDOUT if the
 * operation did not finish within the instance's bound (it then continues in
 * the background, and `arg` must stay valid: pass heap memory owned by fn).
 */
int ndisi_pnp_call(struct ndis_host *h, ndisi_pnp_fn fn, void *arg, const char *what);

/*
 * Queues fn(h, arg) without waiting. free_arg (may be NULL) releases arg after
 * fn ran. Posted from the worker, the operation joins the current one's group.
 */
int ndisi_pnp_post(struct ndis_host *h, ndisi_pnp_fn fn, void *arg, void (*free_arg)(void *),
                   const char *what);

/* True when the calling thread is h's PnP worker. */
bool ndisi_pnp_on_worker(const struct ndis_host *h);

#endif /* NDISI_PNP_H */

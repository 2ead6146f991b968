/* oid.h - OID request bookkeeping the core calls when stacks change. */
#ifndef NDISI_OID_H
#define NDISI_OID_H

#include "core/model.h"

/* A binding left the adapter: drop its filter, update the miniport's union. */
void ndisi_oid_binding_gone(struct ndisi_adapter *a, struct ndisi_open *o);
/* The adapter is going away: release NDIS's request records and filters. */
void ndisi_oid_adapter_cleanup(struct ndisi_adapter *a);

/*
 * A request NDIS issues itself (the host API's ndis_host_oid): it enters the
 * stack above the top filter module and travels down like a protocol's, with
 * no per-binding handling. Returns the final status, or NDIS_STATUS_PENDING
 * when done(ctx, req, status) will be called once it completes. PASSIVE_LEVEL.
 */
typedef void ndisi_oid_done_fn(void *ctx, PNDIS_OID_REQUEST req, NDIS_STATUS status);
NDIS_STATUS ndisi_oid_issue(struct ndisi_adapter *a, PNDIS_OID_REQUEST req,
                            ndisi_oid_done_fn *done, void *ctx);

#endif /* NDISI_OID_H */

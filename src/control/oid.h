/* oid.h - OID request bookkeeping the core calls when stacks change. */
#ifndef NDISI_OID_H
#define NDISI_OID_H

#include "core/model.h"

/* A binding left the adapter: drop its filter, update the miniport's union. */
void ndisi_oid_binding_gone(struct ndisi_adapter *a, struct ndisi_open *o);
/* The adapter is going away: release NDIS's request records and filters. */
void ndisi_oid_adapter_cleanup(struct ndisi_adapter *a);

#endif /* NDISI_OID_H */

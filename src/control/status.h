/*
 * status.h - status indications (NdisMIndicateStatusEx, NdisFIndicateStatus)
 * and the link state NDIS keeps per adapter.
 */
#ifndef NDISI_STATUS_H
#define NDISI_STATUS_H

#include "core/model.h"

/* Delivers an indication upward starting above `from` (NULL: from the miniport). */
void ndisi_status_up(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                     PNDIS_STATUS_INDICATION ind);

/* Tells one newly running binding the adapter's current link state. */
void ndisi_status_indicate_link_to_open(struct ndisi_open *o);

#endif /* NDISI_STATUS_H */

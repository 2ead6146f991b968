/*
 * rxclone.h - NDIS's own clones of received NBLs, for an NBL that more than one
 * binding receives (receive.c). A clone shares the original's NET_BUFFERs' data
 * (MDLs) and out-of-band information; returning a clone frees it and drops one
 * reference on the original, which goes back to the miniport with its last one.
 */
#ifndef NDISI_RXCLONE_H
#define NDISI_RXCLONE_H

#include "core/model.h"

/* A clone of orig, INDICATED, for one more binding; NULL when out of memory. */
PNET_BUFFER_LIST ndisi_rxclone_get(struct ndisi_adapter *a, PNET_BUFFER_LIST orig);
/* If x is an NDIS receive clone: frees it and returns its original; else NULL. */
PNET_BUFFER_LIST ndisi_rxclone_put(PNET_BUFFER_LIST x);

/* receive.c: reference handling shared with the clone code. */
bool ndisi_rx_unref(PNET_BUFFER_LIST nbl);
void ndisi_rx_release(struct ndisi_adapter *a, PNET_BUFFER_LIST orig);
void ndisi_rx_release_any(struct ndisi_adapter *a, PNET_BUFFER_LIST x);

#endif /* NDISI_RXCLONE_H */

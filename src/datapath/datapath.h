/*
 * datapath.h - pieces of the send and receive paths shared between files.
 */
#ifndef NDISI_DATAPATH_H
#define NDISI_DATAPATH_H

#include "core/model.h"

void ndisi_dp_flag_mismatch(const char *ddi, const char *flag);
void ndisi_dp_complete_to_module(struct ndisi_filter_module *m, PNET_BUFFER_LIST nbls, ULONG n,
                                 ULONG flags);

/* xfilter.c: does binding o's packet filter and multicast list accept this frame? */
bool ndisi_xfilter_match(const struct ndisi_open *o, PNET_BUFFER_LIST nbl);
/* True when o's filter cannot reject anything the adapter indicates. */
bool ndisi_xfilter_takes_all(const struct ndisi_open *o, const struct ndisi_adapter *a);

/* receive.c: NDIS's own clones for NBLs that several bindings receive. */
void ndisi_rx_init_clone_pool(void);

#endif /* NDISI_DATAPATH_H */

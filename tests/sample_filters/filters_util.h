/*
 * filters_util.h - helpers for the tests of the sample filters (passfilter and
 * ethfilter, linked in), on top of tests/samples' helpers for virtmp and
 * sampleproto (samples_util.h).
 *
 * The filters are loaded as a host installs a driver: their INF files
 * (drivers/<name>/<name>.inf) are installed with ndis_host_install_inf, which
 * records the bind rules (FilterClass, FilterType, FilterRunType,
 * FilterMediaTypes) and sets the Ndi\params defaults (NDIS_PARAM_DRIVER_DEFAULT),
 * then the static driver is loaded with no config of its own. So the tests
 * exercise the INF the samples ship with, not a copy of its values.
 */
#ifndef FILTERS_UTIL_H
#define FILTERS_UTIL_H

#include "ethfilter.h"
#include "passfilter.h"
#include "samples_util.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_LLDP 0x88CC
#define ETH_VLAN 0x8100

/* Installs the INF of passfilter or ethfilter and loads the static driver. */
void fx_load_passfilter(ndis_host *h);
void fx_load_ethfilter(ndis_host *h);

/*
 * virtmp with adapters "a0" and "a1", both filters, then sampleproto: the
 * stack every scenario starts from. Parameters set before (ethfilter's
 * per-module DropEtherTypes) apply from the first attach.
 */
ndis_host *fx_stack(void);

/* The per-module DropEtherTypes of ethfilter on `adapter` (NULL deletes it). */
void fx_set_module_rules(ndis_host *h, const char *adapter, const char *value);
/* Pauses and restarts the adapter's stack (modules reread their rules). */
void fx_restart(ndis_host *h, const char *adapter);

passfilter_counters fx_pf(const char *adapter);
ethfilter_counters fx_ef(const char *adapter);
/* Frames ethfilter dropped on `adapter` for `type`, sends or receives. */
unsigned long long fx_dropped_send(const char *adapter, unsigned short type);
unsigned long long fx_dropped_receive(const char *adapter, unsigned short type);

/* "ethfilter,passfilter": the modules of `adapter`, bottom first. */
const char *fx_module_order(ndis_host *h, const char *adapter);
const char *fx_module_state(ndis_host *h, const char *filter, const char *adapter);

/* Waits (bounded) until ethfilter on `adapter` dropped `n` received frames of `type`. */
void fx_wait_dropped_receive(const char *adapter, unsigned short type, unsigned long long n);

#endif /* FILTERS_UTIL_H */

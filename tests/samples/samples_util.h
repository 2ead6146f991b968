/*
 * samples_util.h - helpers for the tests of the sample drivers (virtmp and
 * sampleproto, linked in). Every helper asserts what it needs with the test
 * harness, so a test reads as the scenario it checks.
 *
 * On timing: virtmp's receive filter decides synchronously, inside the send,
 * whether a NIC keeps a frame; only the indication comes later, from the
 * receiving adapter's DPC. So "nobody received it" can be checked right after
 * the send returns, while "X received n frames" waits (bounded) for the DPC.
 */
#ifndef SAMPLES_UTIL_H
#define SAMPLES_UTIL_H

#include <errno.h>
#include <stdint.h>

#include "kit.h"
#include "sampleproto.h"
#include "test.h"
#include "virtmp.h"

extern const unsigned char sx_bcast[6];

/* An instance (kit_host: reports captured, leaks checked at kit_host_done)
   with virtmp loaded. */
ndis_host *sx_host(void);
ndis_host *sx_host_opts(const ndis_host_options *opts);
void sx_load_virtmp(ndis_host *h);
void sx_load_sampleproto(ndis_host *h);
void sx_add(ndis_host *h, const char *adapter);

/* The adapter's current address, as sampleproto's binding knows it. */
void sx_mac(const char *adapter, unsigned char mac[6]);

/* Frames of `type` sampleproto counted on `adapter`, now. */
unsigned long long sx_frames(const char *adapter, unsigned short type);
/* The same, once at least `n` arrived (bounded wait), plus a short grace
   period so that extra frames would show. */
unsigned long long sx_wait_frames(const char *adapter, unsigned short type,
                                  unsigned long long n);
struct sampleproto_stats sx_stats(const char *adapter);

/* OID_GEN_STATISTICS of an adapter, through sampleproto's binding. */
NDIS_STATISTICS_INFO sx_statistics(const char *adapter);
/* A 64-bit statistics OID through sampleproto. */
unsigned long long sx_stat_oid(const char *adapter, uint32_t oid);

/* Sets the binding's packet filter (asserts success). */
void sx_set_filter(const char *adapter, uint32_t filter);

/* Waits until NDIS counted every NBL sent as completed and every NBL
   indicated as returned, on every adapter. */
void sx_wait_balanced(ndis_host *h);
/* Waits until, besides, no adapter indicated anything for 20 ms: the receive
   queues hold no backlog. */
void sx_wait_quiet(ndis_host *h);

/* Query with ndis_host_oid: returns the NDIS_STATUS; *bytes as ndis_host_oid. */
int32_t sx_host_query(ndis_host *h, const char *adapter, uint32_t oid, void *buf, size_t len,
                      size_t *bytes);
int32_t sx_host_set(ndis_host *h, const char *adapter, uint32_t oid, const void *buf, size_t len,
                    size_t *bytes);

/* The state ndis_host_list_bindings / _adapters report, "" if none. */
const char *sx_binding_state(ndis_host *h, const char *protocol, const char *adapter);
ndis_adapter_info sx_adapter_info(ndis_host *h, const char *adapter);

void sx_sleep_ms(unsigned ms);

#endif /* SAMPLES_UTIL_H */

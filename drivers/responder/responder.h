/*
 * responder.h - what the responder protocol driver tells a host that links it
 * in (tests, benchmarks): its counters. Not part of the NDIS interface; a host
 * that loads responder.so can look the functions up with dlsym.
 *
 * The responder (docs/tap.md) binds to Ethernet adapters, takes the IPv4
 * address of each binding from the keyword "IPAddress" of the binding's
 * configuration (NdisOpenConfigurationEx on the NDIS_BIND_PARAMETERS; the
 * driver's own "IPAddress" parameter is the default), and answers ARP
 * requests and ICMP echo requests for it. Everything else is dropped and
 * counted by reason (rsp_frame.h).
 */
#ifndef RESPONDER_H
#define RESPONDER_H

#include "rsp_frame.h"

struct responder_stats {
    unsigned long long frames;                        /* NET_BUFFERs received */
    unsigned long long verdicts[RSP_VERDICT_COUNT];   /* what became of them */
    unsigned long long sent;                          /* answers sent down */
    unsigned long long send_completed;                /* ... and completed back */
    unsigned long long send_failed;                   /* ... with a failure status */
    int last_failure;                                 /* the last such NDIS_STATUS, or 0 */
    unsigned long long link_up, link_down;            /* NDIS_STATUS_LINK_STATE seen */
};

/*
 * The counters of the binding to `adapter` (its NDIS name, e.g. "tap0"), or,
 * with adapter NULL, the sum over the driver's life: every binding, those
 * already closed included. Returns 0, or -1 when no such binding exists.
 */
int responder_get_stats(const char *adapter, struct responder_stats *out);

/* Bindings currently open. */
unsigned responder_binding_count(void);

#endif /* RESPONDER_H */

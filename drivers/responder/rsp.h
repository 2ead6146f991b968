/*
 * rsp.h - the responder protocol driver's internals, shared by
 *
 *   responder.c   DriverEntry, bind/unbind, pause/restart, status, OID completion
 *   rsp_config.c  the binding's IPv4 address ("IPAddress")
 *   rsp_data.c    receive, answers, send completion
 *   rsp_stats.c   the counters of responder.h
 *   rsp_frame.c   the frame logic (pure C, fuzzed)
 */
#ifndef RSP_H
#define RSP_H

#define NDIS630 1
#include <ndis.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "responder.h"
#include "rsp_frame.h"

#define RSP_TAG 'pseR'
#define RSP_NAME_MAX 64
#define RSP_FILTER (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST)
#define RSP_DRAIN_MS 10000 /* bound of a pause's wait for answers to complete */

enum rsp_state {
    RSP_OPENING,
    RSP_PAUSED,
    RSP_RUNNING,
    RSP_PAUSING,
    RSP_CLOSING,
};

struct rsp_counters {
    atomic_ullong frames, sent, send_completed, send_failed, link_up, link_down;
    atomic_ullong verdicts[RSP_VERDICT_COUNT];
    atomic_int last_failure;
};

struct rsp_binding {
    LIST_ENTRY link;               /* rsp_bindings, under rsp_lock */
    char adapter[RSP_NAME_MAX];
    NDIS_HANDLE handle;            /* NdisBindingHandle */
    NDIS_HANDLE bind_ctx;          /* while the open pends */
    NDIS_HANDLE unbind_ctx;        /* while the close pends */
    struct rsp_self self;
    NDIS_HANDLE pool;              /* answers: NBLs with an NB and RSP_ETH_MAX_FRAME bytes */

    atomic_int state;              /* enum rsp_state */
    /*
     * 1 while Running (taken at restart, dropped by the pause) + answers sent
     * and not completed + receive calls in progress. It reaches 0 only after a
     * pause dropped the bias: rsp_ref_put then sets `drained`.
     */
    atomic_long refs;
    NDIS_EVENT drained;

    NDIS_OID_REQUEST oid;          /* the packet filter set */
    NDIS_EVENT oid_done;           /* no OID request in flight */
    bool filter_set;

    NDIS_MEDIUM medium;
    UINT medium_index;
    NDIS_OPEN_PARAMETERS open;

    struct rsp_counters counters;
};

extern NDIS_HANDLE rsp_driver_handle;

/* responder.c */
void rsp_ref_put(struct rsp_binding *b, long n);

/* rsp_config.c: the binding's address; NDIS_STATUS_SUCCESS or why not. */
NDIS_STATUS rsp_read_address(PNDIS_BIND_PARAMETERS bp, const char *adapter, UCHAR ip[4]);

/* rsp_data.c */
PROTOCOL_RECEIVE_NET_BUFFER_LISTS rsp_receive;
PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE rsp_send_complete;
NDIS_HANDLE rsp_alloc_pool(void);

/* rsp_stats.c */
void rsp_stats_init(void);
void rsp_stats_add_binding(struct rsp_binding *b);
/* Unlinks b and adds its counters to the driver's totals. */
void rsp_stats_remove_binding(struct rsp_binding *b);

#endif /* RSP_H */

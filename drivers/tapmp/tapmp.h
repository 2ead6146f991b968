/*
 * tapmp.h - the TAP miniport: an NDIS 6.30 Ethernet miniport whose "NIC" is a
 * Linux TAP interface (tap_dev.h). Shared by the driver's files:
 *
 *   tapmp.c      DriverEntry, MiniportInitializeEx/HaltEx/Pause/Restart, PnP
 *   tap_config.c the adapter's keywords (*IfName, NetworkAddress, *ReceiveBuffers)
 *   tap_rx.c     receive: buffers, the DPC, indications, returns, link, removal
 *   tap_tx.c     MiniportSendNetBufferLists
 *   tap_oid.c    MiniportOidRequest
 *   tap_linux.c  the TAP device itself (the only Linux-specific file)
 *
 * docs/tap.md explains the design.
 */
#ifndef TAPMP_H
#define TAPMP_H

#define NDIS630_MINIPORT 1
#include <ndis.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "tap_dev.h"

#define TAP_TAG 'pmaT'
#define TAP_MTU 1500
#define TAP_MAX_FRAME (TAP_MTU + 14)   /* without FCS */
#define TAP_MIN_FRAME 14
#define TAP_RX_BUFFER_SIZE 2048        /* per receive NBL; longer frames are cut and dropped */
#define TAP_RX_BUFFERS_DEFAULT 256
#define TAP_RX_BUFFERS_MIN 16
#define TAP_RX_BUFFERS_MAX 4096
#define TAP_RX_BUDGET 64               /* frames one DPC run indicates at most */
#define TAP_RX_REPOLL 4                /* empty DPC runs before the interrupt is re-armed */
#define TAP_MCAST_MAX 32
#define TAP_LINK_SPEED 10000000000ull  /* a TAP has no wire: a nominal 10 Gbit/s */
#define TAP_SUPPORTED_FILTERS                                                        \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |                         \
     NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |                    \
     NDIS_PACKET_TYPE_PROMISCUOUS)

/* The adapter's state, one field (MiniportPause/Restart/HaltEx move it). */
enum tap_state {
    TAP_PAUSED,   /* after initialization and after a pause completed */
    TAP_RUNNING,
    TAP_PAUSING,  /* MiniportPause pended until refs drains */
    TAP_HALTING,
};

/* Counters of OID_GEN_STATISTICS; every field only grows. */
struct tap_stats {
    atomic_ullong in_ucast, in_mcast, in_bcast;          /* frames indicated */
    atomic_ullong in_ucast_bytes, in_mcast_bytes, in_bcast_bytes;
    atomic_ullong in_discards;   /* no receive buffer, or not Running */
    atomic_ullong in_errors;     /* runts, frames over TAP_MAX_FRAME, read errors */
    atomic_ullong in_filtered;   /* not for us per the packet filter (not an NDIS counter) */
    atomic_ullong out_ucast, out_mcast, out_bcast;       /* frames written */
    atomic_ullong out_ucast_bytes, out_mcast_bytes, out_bcast_bytes;
    atomic_ullong out_discards;  /* bad length, link down, paused, device busy */
    atomic_ullong out_errors;    /* write errors */
};

struct tap_adapter {
    NDIS_HANDLE handle;          /* MiniportAdapterHandle */
    struct tap_dev *dev;
    char ifname[TAP_DEV_NAME_MAX];
    UCHAR perm_mac[6], mac[6];

    atomic_int state;            /* enum tap_state */
    /*
     * 1 while Running (the bias MiniportRestart takes and MiniportPause drops)
     * + NBLs indicated and not yet returned + DPC runs and send calls in
     * progress. It reaches 0 only while Pausing: whoever brings it there
     * completes the pause (tap_ref_put), so nothing is indicated after.
     */
    atomic_long refs;
    atomic_bool pause_pending;   /* MiniportPause returned PENDING, not completed yet */
    atomic_bool restart_pending; /* MiniportRestart returned PENDING: the DPC completes it */

    /* receive (tap_rx.c) */
    KDPC dpc;
    atomic_bool dpc_busy;        /* a run of the DPC is in progress */
    atomic_bool dpc_again;       /* the DPC was asked for while busy: run it again */
    NDIS_HANDLE nbl_pool;
    ULONG rx_count;              /* receive NBLs, all allocated at initialization */
    PNET_BUFFER_LIST *rx_all;
    PUCHAR rx_mem;               /* their buffers, TAP_RX_BUFFER_SIZE each */
    PNET_BUFFER_LIST rx_stash;   /* free NBLs only the DPC touches */
    ULONG rx_stash_count;
    NDIS_SPIN_LOCK rx_lock;      /* guards rx_free, rx_free_count */
    PNET_BUFFER_LIST rx_free;    /* NBLs returned by NDIS */
    ULONG rx_free_count;
    atomic_bool rx_starved;      /* the DPC stopped for want of NBLs: a return requeues it */
    ULONG rx_empty_runs;         /* DPC only: runs in a row that found nothing to read */

    /* link and removal */
    atomic_bool link_dirty;      /* the device saw a link change the DPC has not indicated */
    bool link_reported;          /* DPC only: the state NDIS was last told */
    atomic_bool gone;            /* the TAP interface was deleted */
    atomic_bool remove_queued;   /* the work item calling NdisMRemoveMiniport was queued */
    NDIS_HANDLE remove_wi;
    NDIS_EVENT remove_done;

    /* receive filter (tap_oid.c sets it, tap_rx.c applies it) */
    atomic_uint packet_filter;
    NDIS_SPIN_LOCK mc_lock;      /* guards mc, mc_count */
    UCHAR mc[TAP_MCAST_MAX][6];
    ULONG mc_count;
    ULONG lookahead;

    struct tap_stats stats;
};

/* tapmp.c: the reference count that drains a pause. */
static inline void tap_ref_get(struct tap_adapter *a, long n)
{
    atomic_fetch_add(&a->refs, n);
}
void tap_ref_put(struct tap_adapter *a, long n);

/* tap_config.c */
struct tap_config {
    char ifname[TAP_DEV_NAME_MAX]; /* "" when *IfName is not set */
    bool have_mac;
    UCHAR mac[6];                  /* NetworkAddress, when set and valid */
    ULONG rx_buffers;
};
NDIS_STATUS tap_read_config(NDIS_HANDLE adapter_handle, struct tap_config *cfg);

/* tap_rx.c */
NDIS_STATUS tap_rx_init(struct tap_adapter *a, ULONG count);
void tap_rx_free(struct tap_adapter *a);
/* Stops the DPC for good (halt): no run is queued or in progress after. */
void tap_rx_quiesce(struct tap_adapter *a);
/* Runs the DPC (restart: frames may be waiting). */
void tap_rx_kick(struct tap_adapter *a);
void tap_link_state(struct tap_adapter *a, bool up, NDIS_LINK_STATE *ls);
extern const struct tap_dev_ops tap_dev_callbacks;
MINIPORT_RETURN_NET_BUFFER_LISTS tap_return_nbls;

/* tap_tx.c */
MINIPORT_SEND_NET_BUFFER_LISTS tap_send_nbls;
MINIPORT_CANCEL_SEND tap_cancel_send;

/* tap_oid.c */
MINIPORT_OID_REQUEST tap_oid_request;
MINIPORT_CANCEL_OID_REQUEST tap_cancel_oid;
extern const NDIS_OID tap_supported_oids[];
extern const ULONG tap_supported_oids_size;
#define TAP_SUPPORTED_STATISTICS                                                          \
    (NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |                                   \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV |                                  \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV | NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV | \
     NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS | NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR |   \
     NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT |                                  \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT |                                 \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT |                                 \
     NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT | NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR |   \
     NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS |                                         \
     NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV |                                    \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV |                                   \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV |                                   \
     NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT |                                   \
     NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT |                                  \
     NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT)

/* Frame classes by destination address, for the counters. */
static inline int tap_frame_class(const UCHAR *dst)
{
    static const UCHAR bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (!(dst[0] & 1))
        return 0; /* unicast */
    return NdisEqualMemory(dst, bcast, 6) ? 2 : 1;
}

#endif /* TAPMP_H */

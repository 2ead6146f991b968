/*
 * vmp.h - virtmp, a virtual Ethernet segment miniport (NDIS 6.30): the
 * driver's private declarations, shared by its three source files.
 *
 *   vmp_main.c  DriverEntry, MiniportInitializeEx / MiniportHaltEx, pause and
 *               restart, PnP and shutdown notifications, configuration
 *   vmp_data.c  the data path: MiniportSendNetBufferLists (the "wire"), the
 *               receive queue, the receive DPC, MiniportReturnNetBufferLists
 *   vmp_oids.c  MiniportOidRequest and the link state
 *
 * The model. Every adapter of the driver is a NIC plugged into one shared
 * Ethernet segment (a hub). A frame that a NIC transmits reaches every other
 * NIC on the segment; each one keeps it when its receive filter accepts it
 * (directed to its current address, a multicast address in its list, all
 * multicast, broadcast, or promiscuous mode), exactly as the Ethernet
 * controller of a real NIC filters what it sees on the wire. As on a real
 * segment, a NIC never receives its own transmissions - not even in
 * promiscuous mode: loopback to other protocols bound to the same adapter is
 * NDIS's job (virtmp sets NDIS_MAC_OPTION_NO_LOOPBACK).
 *
 * Receiving NIC side, per adapter: a fixed ring of receive control blocks
 * (RCBs), each one a frame buffer with its MDL and NET_BUFFER_LIST allocated
 * at initialization from the adapter's own pools. The transmitting NIC copies
 * the frame into a free RCB of the receiver and queues the receiver's DPC; the
 * DPC indicates every queued frame at DISPATCH_LEVEL, several NBLs per
 * NdisMIndicateReceiveNetBufferLists; MiniportReturnNetBufferLists puts the
 * RCBs back on the free list. When no RCB is free the frame is dropped and
 * counted (ifInDiscards), like a NIC whose receive ring is full.
 *
 * Locking. VmpDriver.SegmentLock (an NDIS read/write lock) protects the list
 * of adapters on the segment: senders hold it for read while they deliver a
 * frame, initialization and halt take it for write to join or leave the
 * segment. Each adapter's Lock protects everything marked "Lock" below. The
 * order is SegmentLock, then one adapter Lock; never two adapter locks at a
 * time, and no adapter lock is held while calling NDIS to indicate or complete.
 */
#ifndef _VMP_H_
#define _VMP_H_

#define NDIS630_MINIPORT 1
#include <ndis.h>

#include "virtmp.h"

/* ---- constants ---------------------------------------------------------- */

#define VMP_POOL_TAG 'pmtV' /* "Vtmp" in a pool dump */

#define VMP_MAJOR_DRIVER_VERSION 1
#define VMP_MINOR_DRIVER_VERSION 0
#define VMP_VENDOR_DESCRIPTION "libndis virtmp virtual Ethernet segment adapter"
/* No IEEE-registered vendor code (0xFFFFFF), then the NIC model byte. */
#define VMP_VENDOR_ID_BYTES { 0xFF, 0xFF, 0xFF, 0x01 }

#define VMP_ETH_ADDRESS_LENGTH 6
#define VMP_ETH_HEADER_SIZE 14
#define VMP_MTU 1500
#define VMP_MAX_FRAME_SIZE (VMP_MTU + VMP_ETH_HEADER_SIZE) /* 1514, without FCS */
#define VMP_MIN_FRAME_SIZE 60                              /* shorter frames are padded */
#define VMP_MAX_MULTICAST 32
#define VMP_LINK_SPEED 10000000000ULL                      /* 10 Gbit/s */

/* Receive ring: the *ReceiveBuffers keyword, within these bounds. */
#define VMP_DEFAULT_RECEIVE_BUFFERS 128
#define VMP_MIN_RECEIVE_BUFFERS 16
#define VMP_MAX_RECEIVE_BUFFERS 1024
/* At most this many NBLs per NdisMIndicateReceiveNetBufferLists call. */
#define VMP_MAX_INDICATE 32
/* Nominal transmit buffering (sends complete synchronously; see vmp_data.c). */
#define VMP_TRANSMIT_BUFFERS 64

#define VMP_SUPPORTED_FILTERS                                                  \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |                  \
     NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |             \
     NDIS_PACKET_TYPE_PROMISCUOUS)

#define VMP_MAC_OPTIONS                                                        \
    (NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND | \
     NDIS_MAC_OPTION_NO_LOOPBACK)

/* ---- structures --------------------------------------------------------- */

typedef enum _VMP_ADAPTER_STATE {
    VmpAdapterPaused,  /* after initialization, and after a pause completed */
    VmpAdapterRunning, /* sends and receives flow */
    VmpAdapterPausing  /* waiting for the receive NBLs and the DPC */
} VMP_ADAPTER_STATE;

/* A receive control block: one frame buffer of the receive ring. */
typedef struct _VMP_RCB {
    LIST_ENTRY Link; /* FreeRcbs or ReadyRcbs; unlinked while indicated */
    PNET_BUFFER_LIST Nbl;
    PMDL Mdl;
    PUCHAR Data;     /* VMP_MAX_FRAME_SIZE bytes */
} VMP_RCB, *PVMP_RCB;

/* The NIC's counters, in the units of NDIS_STATISTICS_INFO. */
typedef struct _VMP_COUNTERS {
    ULONG64 InUcastPkts, InMulticastPkts, InBroadcastPkts;
    ULONG64 InUcastOctets, InMulticastOctets, InBroadcastOctets;
    ULONG64 InDiscards, InErrors;
    ULONG64 InNoBuffer;            /* the part of InDiscards lost to a full ring */
    ULONG64 OutUcastPkts, OutMulticastPkts, OutBroadcastPkts;
    ULONG64 OutUcastOctets, OutMulticastOctets, OutBroadcastOctets;
    ULONG64 OutDiscards, OutErrors;
} VMP_COUNTERS, *PVMP_COUNTERS;

typedef struct _VMP_ADAPTER {
    LIST_ENTRY SegmentLink;        /* VmpDriver.Adapters (SegmentLock) */
    NDIS_HANDLE AdapterHandle;
    NDIS_STRING InstanceName;      /* from NdisMQueryAdapterInstanceName */
    NET_IFINDEX IfIndex;
    UCHAR PermanentAddress[VMP_ETH_ADDRESS_LENGTH];
    UCHAR CurrentAddress[VMP_ETH_ADDRESS_LENGTH];

    NDIS_SPIN_LOCK Lock;
    /* ---- guarded by Lock ---- */
    VMP_ADAPTER_STATE State;
    BOOLEAN SurpriseRemoved;
    BOOLEAN ShutDown;
    ULONG PacketFilter;
    ULONG Lookahead;
    ULONG MulticastCount;
    UCHAR MulticastList[VMP_MAX_MULTICAST][VMP_ETH_ADDRESS_LENGTH];
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    /* The link parameters (OID_GEN_LINK_PARAMETERS); while the cable is
       unplugged the adapter reports unknown speeds and duplex instead. */
    NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG64 XmitLinkSpeed;         /* bits per second */
    ULONG64 RcvLinkSpeed;
    LIST_ENTRY FreeRcbs;           /* ready for the wire */
    LIST_ENTRY ReadyRcbs;          /* holding a frame, waiting for the DPC */
    ULONG RxOutstanding;           /* RCBs indicated and not returned yet */
    BOOLEAN DpcQueued;             /* RxDpc inserted and not started */
    BOOLEAN DpcRunning;            /* RxDpc between its start and its end */
    VMP_COUNTERS Counters;
    /* ---- end of Lock ---- */

    NDIS_HANDLE RxNblPool;
    ULONG RcbCount;
    PVMP_RCB Rcbs;                 /* RcbCount entries */
    KDPC RxDpc;
} VMP_ADAPTER, *PVMP_ADAPTER;

/* The driver: its NDIS handle and the segment all its adapters share. */
typedef struct _VMP_DRIVER {
    NDIS_HANDLE DriverHandle;
    PNDIS_RW_LOCK_EX SegmentLock;
    LIST_ENTRY Adapters;           /* VMP_ADAPTER.SegmentLink (SegmentLock) */
} VMP_DRIVER;

extern VMP_DRIVER VmpDriver;

/* ---- vmp_data.c --------------------------------------------------------- */

MINIPORT_SEND_NET_BUFFER_LISTS VmpSendNetBufferLists;
MINIPORT_RETURN_NET_BUFFER_LISTS VmpReturnNetBufferLists;
MINIPORT_CANCEL_SEND VmpCancelSend;
KDEFERRED_ROUTINE VmpReceiveDpc;

/* The receive ring: allocated by MiniportInitializeEx, freed by MiniportHaltEx. */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS VmpAllocateReceiveRing(_Inout_ PVMP_ADAPTER Adapter);
_IRQL_requires_(PASSIVE_LEVEL)
VOID VmpFreeReceiveRing(_Inout_ PVMP_ADAPTER Adapter);

/* Pausing: drops the frames not indicated yet (Lock held); returns their number. */
ULONG VmpDiscardReceiveQueueLocked(_Inout_ PVMP_ADAPTER Adapter);
/*
 * With Lock held: if the adapter is Pausing and nothing of its receive path is
 * in flight any more, makes it Paused and returns TRUE - the caller then calls
 * NdisMPauseComplete after releasing the lock. Exactly one caller gets TRUE.
 */
BOOLEAN VmpTryFinishPauseLocked(_Inout_ PVMP_ADAPTER Adapter);

/* ---- vmp_oids.c --------------------------------------------------------- */

MINIPORT_OID_REQUEST VmpOidRequest;
MINIPORT_CANCEL_OID_REQUEST VmpCancelOidRequest;

extern const NDIS_OID VmpSupportedOids[];
extern const ULONG VmpSupportedOidsSize; /* in bytes */

/* Tells NDIS (NDIS_STATUS_LINK_STATE) the adapter's current link state. */
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID VmpIndicateLinkState(_In_ PVMP_ADAPTER Adapter);

#endif /* _VMP_H_ */

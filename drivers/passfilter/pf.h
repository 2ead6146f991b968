/*
 * pf.h - passfilter, a pass-through lightweight filter (NDIS 6.30): the
 * driver's private declarations, shared by its source files.
 *
 *   pf_main.c  DriverEntry and unload, FilterAttach / FilterDetach,
 *              FilterPause / FilterRestart, status and PnP notifications
 *   pf_data.c  send, send-complete, receive, return and cancel-send
 *   pf_oid.c   OID requests: cloned, passed down, completed back up
 *   pf_api.c   the program interface of passfilter.h
 *
 * Every handler counts what it sees, then passes it on unchanged to the next
 * driver with the matching NdisFXxx call. A module that is not Running
 * completes sends (NDIS_STATUS_PAUSED) and returns receives at once, as
 * pausing-a-filter-module.md asks.
 *
 * Locking. PfDriver.Lock protects the list of modules; each module's Lock its
 * State. Counters are updated with interlocked operations, so the data path
 * takes the module lock only to read the state. No lock is held while calling
 * NDIS.
 */
#ifndef _PF_H_
#define _PF_H_

#define NDIS630 1
#include <ndis.h>

#include "passfilter.h"

#define PF_POOL_TAG 'tlfP' /* "Pflt" in a pool dump */
#define PF_MAJOR_DRIVER_VERSION 1
#define PF_MINOR_DRIVER_VERSION 0


typedef enum _PF_MODULE_STATE {
    PfModulePaused,  /* after FilterAttach and FilterPause: sends and receives refused */
    PfModuleRunning
} PF_MODULE_STATE;

/* Interlocked counters; the fields of passfilter_counters, in NDIS types. */
typedef struct _PF_COUNTERS {
    LONG64 SendNbls, SendFrames, SendBytes, SendCompletes, SendRejected;
    LONG64 ReceiveNbls, ReceiveFrames, ReceiveBytes, ReceiveResources, Returns,
        ReceiveRejected;
    LONG64 OidRequests, OidPended, OidFailed;
    LONG64 StatusIndications, NetPnPEvents, DevicePnPEvents, Pauses, Restarts;
} PF_COUNTERS;

typedef struct _PF_MODULE {
    LIST_ENTRY Link;                 /* PfDriver.Modules (PfDriver.Lock) */
    NDIS_HANDLE FilterHandle;        /* NdisFilterHandle from FilterAttach */
    CHAR Name[PASSFILTER_NAME_MAX];  /* the adapter's name without "\DEVICE\" */
    NDIS_SPIN_LOCK Lock;
    PF_MODULE_STATE State;           /* Lock */
    PF_COUNTERS Counters;            /* interlocked */
} PF_MODULE, *PPF_MODULE;

typedef struct _PF_DRIVER {
    NDIS_HANDLE FilterDriverHandle;
    NDIS_SPIN_LOCK Lock;
    LIST_ENTRY Modules;              /* PF_MODULE.Link (Lock) */
} PF_DRIVER;

extern PF_DRIVER PfDriver;

#define PfCount(Module, Field, Value) InterlockedAdd64(&(Module)->Counters.Field, (LONG64)(Value))

/* The module's state, read under its lock. */
PF_MODULE_STATE PfState(_In_ PPF_MODULE Module, BOOLEAN AtDispatchLevel);

/* ---- pf_data.c ------------------------------------------------------------ */

FILTER_SEND_NET_BUFFER_LISTS PfSendNetBufferLists;
FILTER_SEND_NET_BUFFER_LISTS_COMPLETE PfSendNetBufferListsComplete;
FILTER_CANCEL_SEND_NET_BUFFER_LISTS PfCancelSendNetBufferLists;
FILTER_RECEIVE_NET_BUFFER_LISTS PfReceiveNetBufferLists;
FILTER_RETURN_NET_BUFFER_LISTS PfReturnNetBufferLists;

/* ---- pf_oid.c ------------------------------------------------------------- */

FILTER_OID_REQUEST PfOidRequest;
FILTER_OID_REQUEST_COMPLETE PfOidRequestComplete;
FILTER_CANCEL_OID_REQUEST PfCancelOidRequest;

#endif /* _PF_H_ */

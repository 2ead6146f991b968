/*
 * sp.h - sampleproto, a sample NDIS 6.30 protocol driver: its private
 * declarations, shared by its three source files.
 *
 *   sp_main.c  DriverEntry and Unload, binding and unbinding, PnP events
 *              (pause, restart), status indications, OID requests
 *   sp_data.c  sending frames and their completion, receive indications
 *   sp_api.c   the C interface of sampleproto.h, for programs that link it
 *
 * A binding goes Opening -> Paused -> Running -> Pausing -> Paused ... ->
 * Closing (concepts/protocol-binding-states-and-operations.md). Frames go out
 * only while Running; a pause completes once every frame the protocol sent
 * came back from NDIS (it pends, and the thread whose send drained the
 * binding calls NdisCompleteNetPnPEvent). Receives are counted per EtherType
 * and returned at once.
 *
 * Locking: SpGlobals.Lock protects the list of bindings; each binding's Lock
 * protects what is marked below. The global lock may be taken first and a
 * binding's lock inside it, never the other way round; no lock is held while
 * calling NDIS.
 */
#ifndef _SP_H_
#define _SP_H_

#define NDIS630 1
#include <ndis.h>

#include <errno.h> /* the C interface returns negative errno values */

#include "sampleproto.h"

#define SP_POOL_TAG 'orPS' /* "SPro" in a pool dump */
#define SP_MAJOR_DRIVER_VERSION 1
#define SP_MINOR_DRIVER_VERSION 0

#define SP_ETH_ADDRESS_LENGTH 6
#define SP_ETH_HEADER_SIZE 14
#define SP_ADAPTER_NAME_MAX 64
/* What the protocol wants to receive. */
#define SP_PACKET_FILTER                                                       \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST)
/* Frames per NdisSendNetBufferLists call. */
#define SP_SEND_BATCH_MAX 64

typedef enum _SP_BINDING_STATE {
    SpBindingOpening,
    SpBindingPaused,
    SpBindingRunning,
    SpBindingPausing,
    SpBindingClosing
} SP_BINDING_STATE;

typedef struct _SP_COUNTERS {
    ULONG64 Sent, SendCompleted, SendFailed;
    NDIS_STATUS LastSendFailure;
    ULONG64 Received, ReceivedBytes, Dropped;
    ULONG64 StatusIndications, LinkChanges;
    ULONG TypeCount;
    struct {
        USHORT EtherType;
        ULONG64 Frames;
    } ByType[SAMPLEPROTO_MAX_ETHERTYPES];
    ULONG64 OtherTypes;
} SP_COUNTERS;

typedef struct _SP_BINDING {
    LIST_ENTRY Link;                    /* SpGlobals.Bindings (SpGlobals.Lock) */
    NDIS_HANDLE BindingHandle;
    NDIS_HANDLE BindContext;            /* the bind, while NdisOpenAdapterEx pends */
    NDIS_HANDLE UnbindContext;          /* the unbind, while NdisCloseAdapterEx pends */
    CHAR AdapterName[SP_ADAPTER_NAME_MAX];
    UCHAR MacAddress[SP_ETH_ADDRESS_LENGTH];
    ULONG MtuSize;
    NDIS_MEDIUM MediumArray[1];
    UINT SelectedMediumIndex;
    NDIS_OPEN_PARAMETERS OpenParameters;

    NDIS_SPIN_LOCK Lock;
    /* ---- guarded by Lock ---- */
    SP_BINDING_STATE State;
    LONG References;                    /* API calls using the binding */
    ULONG PendingSends;                 /* frames sent and not completed */
    PNET_PNP_EVENT_NOTIFICATION PendingPause; /* a pended NetEventPause */
    BOOLEAN LinkUp;
    ULONG64 LinkSpeed;
    ULONG PacketFilter;
    NDIS_STATUS PacketFilterStatus;
    SP_COUNTERS Counters;
} SP_BINDING, *PSP_BINDING;

typedef struct _SP_GLOBALS {
    volatile BOOLEAN Loaded;            /* between DriverEntry and Unload */
    NDIS_HANDLE ProtocolHandle;
    NDIS_HANDLE NblPool;                /* NBLs (with one NET_BUFFER) for sends */
    NDIS_SPIN_LOCK Lock;
    LIST_ENTRY Bindings;                /* open bindings, for the C interface */
} SP_GLOBALS;

extern SP_GLOBALS SpGlobals;

/*
 * An OID request the protocol makes, with room for its data. A synchronous
 * request is waited for by its issuer: the issuer and the completion each
 * hold a reference, so the request (and its event) outlives whichever
 * finishes first.
 */
typedef struct _SP_REQUEST {
    NDIS_OID_REQUEST Request;           /* what NDIS sees */
    PSP_BINDING Binding;
    BOOLEAN Synchronous;
    LONG References;
    NDIS_EVENT Done;
    NDIS_STATUS Status;
    ULONG BufferLength;
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) UCHAR Buffer[1];
} SP_REQUEST, *PSP_REQUEST;

/* ---- sp_main.c ---------------------------------------------------------- */

PROTOCOL_RECEIVE_NET_BUFFER_LISTS SpReceiveNetBufferLists;
PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE SpSendNetBufferListsComplete;

/* A request with `Length` bytes of data (a copy of `Data` for a set). */
PSP_REQUEST SpAllocateRequest(NDIS_REQUEST_TYPE Type, NDIS_OID Oid, _In_opt_ const VOID *Data,
                              ULONG Length);
VOID SpReleaseRequest(_In_ PSP_REQUEST Request);
/* Issues it and waits for its completion (PASSIVE_LEVEL); returns its status. */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS SpRequestAndWait(_In_ PSP_BINDING Binding, _In_ PSP_REQUEST Request);

/* The C interface's hold on a binding: found by adapter name, or NULL. */
PSP_BINDING SpReferenceBinding(_In_z_ const char *AdapterName);
VOID SpDereferenceBinding(_In_ PSP_BINDING Binding);

/* Completes a pended NetEventPause once no send is outstanding (PASSIVE_LEVEL). */
_IRQL_requires_(PASSIVE_LEVEL)
VOID SpCompletePauseIfDrained(_In_ PSP_BINDING Binding);

/* ---- sp_data.c ---------------------------------------------------------- */

/*
 * Sends `Count` (at most SP_SEND_BATCH_MAX) frames and waits for them. Returns
 * how many completed successfully, or a negative errno value. The caller holds
 * a reference on the binding.
 */
_IRQL_requires_(PASSIVE_LEVEL)
int SpSendFrames(_In_ PSP_BINDING Binding, _In_reads_(6) const UCHAR *Destination,
                 USHORT EtherType, ULONG Length, ULONG Count);

#endif /* _SP_H_ */

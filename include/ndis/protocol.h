/*
 * ndis/protocol.h - the NDIS 6 protocol driver model: driver characteristics and
 * ProtocolXxx role types, bind/open parameters, pause/restart parameters, PnP
 * event notifications and the protocol-side Ndis routines.
 *
 * Part of libndis' split of the WDK's monolithic ndis.h (docs/headers.md).
 * Members and their order come from the ns-ndis-*.md field lists, signatures and
 * IRQL annotations from the nc-ndis-protocol_*.md pages, values from
 * constants.md. Members that a later revision appended exist only when the
 * matching NDIS_SUPPORT_NDISxxx switch (ndis/version.h) is 1, as in the WDK.
 */
#ifndef _NDIS_PROTOCOL_H_
#define _NDIS_PROTOCOL_H_

#include <ntdef.h>
#include <wdm.h>
#include <ifdef.h>
#include <ntddndis.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>
#include <ndis/version.h>
#include <ndis/oidrequest.h>
#include <ndis/netpnp.h>
#include <ndis/nbl.h>
#include <ndis/nblinfo.h>
#include <ndis/nblaccessors.h>
#include <ndis/ossvc.h>
#include <ndis/statusind.h>
#include <ndis/miniport.h>

EXTERN_C_START

/* NDK capabilities (NDIS 6.30): the bind parameters only point to them. */
typedef struct _NDIS_NDK_CAPABILITIES NDIS_NDK_CAPABILITIES, *PNDIS_NDK_CAPABILITIES;

/* The EtherType-style frame type that NDIS_OPEN_PARAMETERS.FrameTypeArray lists. */
typedef USHORT NET_FRAME_TYPE, *PNET_FRAME_TYPE;

/* NDIS_PROTOCOL_DRIVER_CHARACTERISTICS.Flags (constants.md 4.5). */
#if NDIS_SUPPORT_NDIS650
#define NDIS_PROTOCOL_DRIVER_SUPPORTS_CURRENT_MAC_ADDRESS_CHANGE 0x00000002
#define NDIS_PROTOCOL_DRIVER_SUPPORTS_L2_MTU_SIZE_CHANGE 0x00000004
#endif

/* ns-ndis-_ndis_bind_parameters.md: the ProtocolBindAdapterEx argument. */
typedef struct _NDIS_BIND_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_BIND_PARAMETERS */
    PNDIS_STRING ProtocolSection;
    PNDIS_STRING AdapterName;
    PDEVICE_OBJECT PhysicalDeviceObject;
    NDIS_MEDIUM MediaType;
    ULONG MtuSize;
    ULONG64 MaxXmitLinkSpeed;
    ULONG64 XmitLinkSpeed;
    ULONG64 MaxRcvLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG LookaheadSize;
    PNDIS_PNP_CAPABILITIES PowerManagementCapabilities;
    ULONG SupportedPacketFilters;
    ULONG MaxMulticastListSize;
    USHORT MacAddressLength;
    UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    NDIS_PHYSICAL_MEDIUM PhysicalMediumType;
    PNDIS_RECEIVE_SCALE_CAPABILITIES RcvScaleCapabilities;
    NET_LUID BoundIfNetluid;
    NET_IFINDEX BoundIfIndex;
    NET_LUID LowestIfNetluid;
    NET_IFINDEX LowestIfIndex;
    NET_IF_ACCESS_TYPE AccessType;
    NET_IF_DIRECTION_TYPE DirectionType;
    NET_IF_CONNECTION_TYPE ConnectionType;
    NET_IFTYPE IfType;
    BOOLEAN IfConnectorPresent;
    PNDIS_PORT ActivePorts;
    ULONG DataBackFillSize;
    ULONG ContextBackFillSize;
    ULONG MacOptions;
    NET_IF_COMPARTMENT_ID CompartmentId;
    PNDIS_OFFLOAD DefaultOffloadConfiguration;
    PNDIS_TCP_CONNECTION_OFFLOAD TcpConnectionOffloadCapabilities;
    PNDIS_STRING BoundAdapterName;
#if NDIS_SUPPORT_NDIS61
    PNDIS_HD_SPLIT_CURRENT_CONFIG HDSplitCurrentConfig;
#endif
#if NDIS_SUPPORT_NDIS620
    PNDIS_RECEIVE_FILTER_CAPABILITIES ReceiveFilterCapabilities;
    PNDIS_PM_CAPABILITIES PowerManagementCapabilitiesEx;
    PNDIS_NIC_SWITCH_CAPABILITIES NicSwitchCapabilities;
#endif
#if NDIS_SUPPORT_NDIS630
    BOOLEAN NDKEnabled;
    PNDIS_NDK_CAPABILITIES NDKCapabilities;
    PNDIS_SRIOV_CAPABILITIES SriovCapabilities;
    PNDIS_NIC_SWITCH_INFO_ARRAY NicSwitchArray;
#endif
} NDIS_BIND_PARAMETERS, *PNDIS_BIND_PARAMETERS;

#define NDIS_BIND_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1                                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_BIND_PARAMETERS, BoundAdapterName)
#if NDIS_SUPPORT_NDIS61
#define NDIS_BIND_PARAMETERS_REVISION_2 2
#define NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2                                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_BIND_PARAMETERS, HDSplitCurrentConfig)
#endif
#if NDIS_SUPPORT_NDIS620
#define NDIS_BIND_PARAMETERS_REVISION_3 3
#define NDIS_SIZEOF_BIND_PARAMETERS_REVISION_3                                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_BIND_PARAMETERS, NicSwitchCapabilities)
#endif
#if NDIS_SUPPORT_NDIS630
#define NDIS_BIND_PARAMETERS_REVISION_4 4
#define NDIS_SIZEOF_BIND_PARAMETERS_REVISION_4                                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_BIND_PARAMETERS, NicSwitchArray)
#endif

/* ns-ndis-_ndis_open_parameters.md: the NdisOpenAdapterEx argument. */
typedef struct _NDIS_OPEN_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_OPEN_PARAMETERS */
    PNDIS_STRING AdapterName;
    PNDIS_MEDIUM MediumArray;
    UINT MediumArraySize;
    PUINT SelectedMediumIndex;
    PNET_FRAME_TYPE FrameTypeArray;
    UINT FrameTypeArraySize;
} NDIS_OPEN_PARAMETERS, *PNDIS_OPEN_PARAMETERS;

#define NDIS_OPEN_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1                                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_OPEN_PARAMETERS, FrameTypeArraySize)
/* The NDIS 6.0 WDK spelling, kept as an alias (constants.md 2.2). */
#define NDIS_SIZEOF_OPEN_PARAMETERS_REVSION_1 NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1

/* ns-ndis-_ndis_protocol_pause_parameters.md (NetEventPause buffer) */
typedef struct _NDIS_PROTOCOL_PAUSE_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    ULONG Flags;
    ULONG PauseReason; /* NDIS_PAUSE_*; always NDIS_PAUSE_NDIS_INTERNAL from NDIS 6.40 */
} NDIS_PROTOCOL_PAUSE_PARAMETERS, *PNDIS_PROTOCOL_PAUSE_PARAMETERS;

#define NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1                        \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_PROTOCOL_PAUSE_PARAMETERS, PauseReason)

/* ns-ndis-_ndis_protocol_restart_parameters.md (NetEventRestart buffer) */
typedef struct _NDIS_PROTOCOL_RESTART_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS */
    PUCHAR FilterModuleNameBuffer; /* per name: a USHORT length, then the WCHAR string */
    ULONG FilterModuleNameBufferLength;
    PNDIS_RESTART_ATTRIBUTES RestartAttributes;
    NET_IFINDEX BoundIfIndex;
    NET_LUID BoundIfNetluid;
    ULONG Flags;
} NDIS_PROTOCOL_RESTART_PARAMETERS, *PNDIS_PROTOCOL_RESTART_PARAMETERS;

#define NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1                      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_PROTOCOL_RESTART_PARAMETERS, Flags)

/* ns-ndis-_net_pnp_event_notification.md: to ProtocolNetPnPEvent and FilterNetPnPEvent. */
typedef struct _NET_PNP_EVENT_NOTIFICATION {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    NDIS_PORT_NUMBER PortNumber;
    NET_PNP_EVENT NetPnPEvent;
    ULONG Flags;
#if NDIS_SUPPORT_NDIS650
    NDIS_NIC_SWITCH_ID SwitchId;
    NDIS_NIC_SWITCH_VPORT_ID VPortId;
#endif
} NET_PNP_EVENT_NOTIFICATION, *PNET_PNP_EVENT_NOTIFICATION;

#define NET_PNP_EVENT_NOTIFICATION_REVISION_1 1
#define NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1                       \
    RTL_SIZEOF_THROUGH_FIELD(NET_PNP_EVENT_NOTIFICATION, Flags)
#if NDIS_SUPPORT_NDIS650
#define NET_PNP_EVENT_NOTIFICATION_REVISION_2 2
#define NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_2                       \
    RTL_SIZEOF_THROUGH_FIELD(NET_PNP_EVENT_NOTIFICATION, VPortId)
#endif

#if NDIS_SUPPORT_NDIS630
/* ns-ndis-_ndis_bind_failed_notification.md (NetEventBindFailed buffer) */
typedef struct _NDIS_BIND_FAILED_NOTIFICATION {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    NET_LUID MiniportNetLuid;
} NDIS_BIND_FAILED_NOTIFICATION, *PNDIS_BIND_FAILED_NOTIFICATION;

#define NDIS_BIND_FAILED_NOTIFICATION_REVISION_1 1
#define NDIS_SIZEOF_NDIS_BIND_FAILED_NOTIFICATION_REVISION_1                    \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_BIND_FAILED_NOTIFICATION, MiniportNetLuid)
#endif

/*
 * Role types (nc-ndis-protocol_*.md); the handler pointer names are the WDK's.
 * ProtocolSetOptions is the shared SET_OPTIONS type (ndis/miniport.h).
 */
typedef SET_OPTIONS (PROTOCOL_SET_OPTIONS);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(PROTOCOL_BIND_ADAPTER_EX)
NDIS_STATUS (PROTOCOL_BIND_ADAPTER_EX)(_In_ NDIS_HANDLE ProtocolDriverContext,
                                       _In_ NDIS_HANDLE BindContext,
                                       _In_ PNDIS_BIND_PARAMETERS BindParameters);
typedef PROTOCOL_BIND_ADAPTER_EX (*BIND_HANDLER_EX);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(PROTOCOL_UNBIND_ADAPTER_EX)
NDIS_STATUS (PROTOCOL_UNBIND_ADAPTER_EX)(_In_ NDIS_HANDLE UnbindContext,
                                         _In_ NDIS_HANDLE ProtocolBindingContext);
typedef PROTOCOL_UNBIND_ADAPTER_EX (*UNBIND_HANDLER_EX);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(PROTOCOL_OPEN_ADAPTER_COMPLETE_EX)
VOID (PROTOCOL_OPEN_ADAPTER_COMPLETE_EX)(_In_ NDIS_HANDLE ProtocolBindingContext,
                                         _In_ NDIS_STATUS Status);
typedef PROTOCOL_OPEN_ADAPTER_COMPLETE_EX (*OPEN_ADAPTER_COMPLETE_HANDLER_EX);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX)
VOID (PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX)(_In_ NDIS_HANDLE ProtocolBindingContext);
typedef PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX (*CLOSE_ADAPTER_COMPLETE_HANDLER_EX);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(PROTOCOL_NET_PNP_EVENT)
NDIS_STATUS (PROTOCOL_NET_PNP_EVENT)(_In_ NDIS_HANDLE ProtocolBindingContext,
                                     _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEvent);
typedef PROTOCOL_NET_PNP_EVENT (*NET_PNP_EVENT_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(PROTOCOL_UNINSTALL)
VOID (PROTOCOL_UNINSTALL)(VOID);
typedef PROTOCOL_UNINSTALL (*UNINSTALL_PROTOCOL_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(PROTOCOL_OID_REQUEST_COMPLETE)
VOID (PROTOCOL_OID_REQUEST_COMPLETE)(_In_ NDIS_HANDLE ProtocolBindingContext,
                                     _In_ PNDIS_OID_REQUEST OidRequest,
                                     _In_ NDIS_STATUS Status);
typedef PROTOCOL_OID_REQUEST_COMPLETE (*OID_REQUEST_COMPLETE_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(PROTOCOL_STATUS_EX)
VOID (PROTOCOL_STATUS_EX)(_In_ NDIS_HANDLE ProtocolBindingContext,
                          _In_ PNDIS_STATUS_INDICATION StatusIndication);
typedef PROTOCOL_STATUS_EX (*STATUS_HANDLER_EX);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(PROTOCOL_RECEIVE_NET_BUFFER_LISTS)
VOID (PROTOCOL_RECEIVE_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE ProtocolBindingContext,
                                         _In_ PNET_BUFFER_LIST NetBufferLists,
                                         _In_ NDIS_PORT_NUMBER PortNumber,
                                         _In_ ULONG NumberOfNetBufferLists,
                                         _In_ ULONG ReceiveFlags);
typedef PROTOCOL_RECEIVE_NET_BUFFER_LISTS (*RECEIVE_NET_BUFFER_LISTS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE)
VOID (PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE)(_In_ NDIS_HANDLE ProtocolBindingContext,
                                               _In_ PNET_BUFFER_LIST NetBufferLists,
                                               _In_ ULONG SendCompleteFlags);
typedef PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE (*SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(PROTOCOL_DIRECT_OID_REQUEST_COMPLETE)
VOID (PROTOCOL_DIRECT_OID_REQUEST_COMPLETE)(_In_ NDIS_HANDLE ProtocolBindingContext,
                                            _In_ PNDIS_OID_REQUEST OidRequest,
                                            _In_ NDIS_STATUS Status);
typedef PROTOCOL_DIRECT_OID_REQUEST_COMPLETE (*DIRECT_OID_REQUEST_COMPLETE_HANDLER);

/* ns-ndis-_ndis_protocol_driver_characteristics.md */
typedef struct _NDIS_PROTOCOL_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS */
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags;
    NDIS_STRING Name; /* the protocol's service name */
    SET_OPTIONS_HANDLER SetOptionsHandler;
    BIND_HANDLER_EX BindAdapterHandlerEx;
    UNBIND_HANDLER_EX UnbindAdapterHandlerEx;
    OPEN_ADAPTER_COMPLETE_HANDLER_EX OpenAdapterCompleteHandlerEx;
    CLOSE_ADAPTER_COMPLETE_HANDLER_EX CloseAdapterCompleteHandlerEx;
    NET_PNP_EVENT_HANDLER NetPnPEventHandler;
    UNINSTALL_PROTOCOL_HANDLER UninstallHandler;
    OID_REQUEST_COMPLETE_HANDLER OidRequestCompleteHandler;
    STATUS_HANDLER_EX StatusHandlerEx;
    RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
    SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
#if NDIS_SUPPORT_NDIS61
    DIRECT_OID_REQUEST_COMPLETE_HANDLER DirectOidRequestCompleteHandler;
#endif
} NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, *PNDIS_PROTOCOL_DRIVER_CHARACTERISTICS;

#define NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS,              \
                             SendNetBufferListsCompleteHandler)
#if NDIS_SUPPORT_NDIS61
#define NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2 2
#define NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS,              \
                             DirectOidRequestCompleteHandler)
#endif

/*
 * NDIS_SET_NET_BUFFER_LIST_CANCEL_ID and NDIS_GET_NET_BUFFER_LIST_CANCEL_ID,
 * which mark send requests for NdisCancelSendNetBufferLists, live with the
 * other NET_BUFFER_LIST accessors in ndis/nblaccessors.h.
 */

/* Protocol-side routines (the Protocol list of docs/headers.md). */

_IRQL_requires_(PASSIVE_LEVEL)
_Must_inspect_result_
NDIS_STATUS
NdisRegisterProtocolDriver(_In_opt_ NDIS_HANDLE ProtocolDriverContext,
                           _In_ PNDIS_PROTOCOL_DRIVER_CHARACTERISTICS ProtocolCharacteristics,
                           _Out_ PNDIS_HANDLE NdisProtocolHandle);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisDeregisterProtocolDriver(_In_ NDIS_HANDLE NdisProtocolHandle);

/* Returns NDIS_STATUS_PENDING when ProtocolOpenAdapterCompleteEx will follow. */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisOpenAdapterEx(_In_ NDIS_HANDLE NdisProtocolHandle,
                  _In_ NDIS_HANDLE ProtocolBindingContext,
                  _In_ PNDIS_OPEN_PARAMETERS OpenParameters,
                  _In_ NDIS_HANDLE BindContext,
                  _Out_ PNDIS_HANDLE NdisBindingHandle);

/* Returns NDIS_STATUS_PENDING when ProtocolCloseAdapterCompleteEx will follow. */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisCloseAdapterEx(_In_ NDIS_HANDLE NdisBindingHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisCompleteBindAdapterEx(_In_ NDIS_HANDLE BindAdapterContext, _In_ NDIS_STATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisCompleteUnbindAdapterEx(_In_ NDIS_HANDLE UnbindContext);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisUnbindAdapter(_In_ NDIS_HANDLE NdisBindingHandle);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisReEnumerateProtocolBindings(_In_ NDIS_HANDLE NdisProtocolHandle);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisCompleteNetPnPEvent(_In_ NDIS_HANDLE NdisBindingHandle,
                        _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification,
                        _In_ NDIS_STATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisSendNetBufferLists(_In_ NDIS_HANDLE NdisBindingHandle,
                       _In_ PNET_BUFFER_LIST NetBufferLists,
                       _In_ NDIS_PORT_NUMBER PortNumber,
                       _In_ ULONG SendFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisReturnNetBufferLists(_In_ NDIS_HANDLE NdisBindingHandle,
                         _In_ PNET_BUFFER_LIST NetBufferLists,
                         _In_ ULONG ReturnFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisCancelSendNetBufferLists(_In_ NDIS_HANDLE NdisBindingHandle, _In_ PVOID CancelId);

/* Returns NDIS_STATUS_PENDING when ProtocolOidRequestComplete will follow. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisOidRequest(_In_ NDIS_HANDLE NdisBindingHandle, _In_ PNDIS_OID_REQUEST OidRequest);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisCancelOidRequest(_In_ NDIS_HANDLE NdisBindingHandle, _In_ PVOID RequestId);

/* The caller frees pAdapterInstanceName->Buffer with NdisFreeMemory. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisQueryAdapterInstanceName(_Out_ PNDIS_STRING pAdapterInstanceName,
                             _In_ NDIS_HANDLE NdisBindingHandle);

/* The caller frees pAdapterInstanceName->Buffer with NdisFreeMemory. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisQueryBindInstanceName(_Out_ PNDIS_STRING pAdapterInstanceName,
                          _In_ NDIS_HANDLE BindingContext);

_IRQL_requires_max_(DISPATCH_LEVEL)
UCHAR
NdisGeneratePartialCancelId(VOID);

EXTERN_C_END

#endif /* _NDIS_PROTOCOL_H_ */

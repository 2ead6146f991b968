/*
 * ndis/filter.h - the NDIS 6 lightweight filter driver model: driver
 * characteristics and FilterXxx role types, attach/pause/restart parameters,
 * filter attributes, filter module enumeration and the NdisFXxx routines.
 *
 * Part of libndis' split of the WDK's monolithic ndis.h (docs/headers.md).
 * Members and their order come from the ns-ndis-*.md field lists, signatures and
 * IRQL annotations from the nc-ndis-filter_*.md and
 * nf-ndis-filter_synchronous_oid_request*.md pages, values from constants.md.
 * Members that a later revision appended exist only when the matching
 * NDIS_SUPPORT_NDISxxx switch (ndis/version.h) is 1, as in the WDK.
 */
#ifndef _NDIS_FILTER_H_
#define _NDIS_FILTER_H_

#include <ntdef.h>
#include <wdm.h>
#include <ifdef.h>
#include <ntddndis.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>
#include <ndis/version.h>
#include <ndis/oidrequest.h>
#include <ndis/nbl.h>
#include <ndis/ossvc.h>
#include <ndis/statusind.h>
#include <ndis/miniport.h>
#include <ndis/protocol.h>

EXTERN_C_START

/* Filter flags (constants.md 4.5). */
#define NDIS_FILTER_DRIVER_MANDATORY 0x00000001 /* NDIS_FILTER_DRIVER_CHARACTERISTICS.Flags */
#if NDIS_SUPPORT_NDIS650
#define NDIS_FILTER_DRIVER_SUPPORTS_CURRENT_MAC_ADDRESS_CHANGE 0x00000002
#define NDIS_FILTER_DRIVER_SUPPORTS_L2_MTU_SIZE_CHANGE 0x00000004
#endif
#define NDIS_FILTER_ATTACH_FLAGS_IGNORE_MANDATORY 0x00000001 /* attach parameters Flags */
#define NDIS_FILTER_INTERFACE_IM_FILTER 0x00000001           /* NDIS_FILTER_INTERFACE.Flags */
#define NDIS_FILTER_INTERFACE_LW_FILTER 0x00000002
#if NDIS_SUPPORT_NDIS630
#define NDIS_FILTER_INTERFACE_SEND_BYPASS 0x00000004
#define NDIS_FILTER_INTERFACE_RECEIVE_BYPASS 0x00000008
#endif

/* ns-ndis-_ndis_filter_attach_parameters.md: the FilterAttach argument. */
typedef struct _NDIS_FILTER_ATTACH_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS */
    NET_IFINDEX IfIndex;
    NET_LUID NetLuid;
    PNDIS_STRING FilterModuleGuidName;
    NET_IFINDEX BaseMiniportIfIndex;
    PNDIS_STRING BaseMiniportInstanceName;
    PNDIS_STRING BaseMiniportName;
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG64 XmitLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_MEDIUM MiniportMediaType;
    NDIS_PHYSICAL_MEDIUM MiniportPhysicalMediaType;
    PNDIS_OBJECT_HEADER MiniportMediaSpecificAttributes;
    PNDIS_OFFLOAD DefaultOffloadConfiguration;
    USHORT MacAddressLength;
    UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    NET_LUID BaseMiniportNetLuid;
    NET_IFINDEX LowerIfIndex;
    NET_LUID LowerIfNetLuid;
    ULONG Flags; /* NDIS_FILTER_ATTACH_FLAGS_* */
#if NDIS_SUPPORT_NDIS61
    PNDIS_HD_SPLIT_CURRENT_CONFIG HDSplitCurrentConfig;
#endif
#if NDIS_SUPPORT_NDIS620
    PNDIS_RECEIVE_FILTER_CAPABILITIES ReceiveFilterCapabilities;
    PDEVICE_OBJECT MiniportPhysicalDeviceObject;
    PNDIS_NIC_SWITCH_CAPABILITIES NicSwitchCapabilities;
#endif
#if NDIS_SUPPORT_NDIS630
    BOOLEAN BaseMiniportIfConnectorPresent;
    PNDIS_SRIOV_CAPABILITIES SriovCapabilities;
    PNDIS_NIC_SWITCH_INFO_ARRAY NicSwitchArray;
#endif
} NDIS_FILTER_ATTACH_PARAMETERS, *PNDIS_FILTER_ATTACH_PARAMETERS;

#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1                         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, Flags)
#if NDIS_SUPPORT_NDIS61
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2 2
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2                         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, HDSplitCurrentConfig)
#endif
#if NDIS_SUPPORT_NDIS620
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_3 3
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_3                         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, NicSwitchCapabilities)
#endif
#if NDIS_SUPPORT_NDIS630
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_4 4
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_4                         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, NicSwitchArray)
#endif

/* ns-ndis-_ndis_filter_attributes.md: what FilterAttach passes to NdisFSetAttributes. */
typedef struct _NDIS_FILTER_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES */
    ULONG Flags;
} NDIS_FILTER_ATTRIBUTES, *PNDIS_FILTER_ATTRIBUTES;

#define NDIS_FILTER_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1                                \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTRIBUTES, Flags)

/* ns-ndis-_ndis_filter_pause_parameters.md */
typedef struct _NDIS_FILTER_PAUSE_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS */
    ULONG Flags;
    ULONG PauseReason; /* NDIS_PAUSE_*; always NDIS_PAUSE_NDIS_INTERNAL from NDIS 6.40 */
} NDIS_FILTER_PAUSE_PARAMETERS, *PNDIS_FILTER_PAUSE_PARAMETERS;

#define NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1                          \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_PAUSE_PARAMETERS, PauseReason)

/* ns-ndis-_ndis_filter_restart_parameters.md */
typedef struct _NDIS_FILTER_RESTART_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS */
    NDIS_MEDIUM MiniportMediaType;
    NDIS_PHYSICAL_MEDIUM MiniportPhysicalMediaType;
    PNDIS_RESTART_ATTRIBUTES RestartAttributes;
    NET_IFINDEX LowerIfIndex;
    NET_LUID LowerIfNetLuid;
    ULONG Flags;
} NDIS_FILTER_RESTART_PARAMETERS, *PNDIS_FILTER_RESTART_PARAMETERS;

#define NDIS_FILTER_RESTART_PARAMETERS_REVISION_1 1
/* Spelled with a double underscore in every WDK (constants.md 2.2). */
#define NDIS_SIZEOF__FILTER_RESTART_PARAMETERS_REVISION_1                       \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_RESTART_PARAMETERS, Flags)

/*
 * ns-ndis-_ndis_filter_interface.md: one filter module, as NdisEnumerateFilterModules
 * reports it. FilterType and FilterRunType carry the INF FilterType and
 * FilterRunType values (monitoring 1, modifying 2; mandatory 1, optional 2); no
 * WDK header names them.
 */
typedef struct _NDIS_FILTER_INTERFACE {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    ULONG Flags;               /* NDIS_FILTER_INTERFACE_* */
    ULONG FilterType;
    ULONG FilterRunType;
    NET_IFINDEX IfIndex;
    NET_LUID NetLuid;
    NDIS_STRING FilterClass;
    NDIS_STRING FilterInstanceName;
} NDIS_FILTER_INTERFACE, *PNDIS_FILTER_INTERFACE;

#define NDIS_FILTER_INTERFACE_REVISION_1 1
#define NDIS_SIZEOF_FILTER_INTERFACE_REVISION_1                                 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_INTERFACE, FilterInstanceName)
#if NDIS_SUPPORT_NDIS630
/* Revision 2 adds no member: it allows the *_BYPASS flags. */
#define NDIS_FILTER_INTERFACE_REVISION_2 2
#define NDIS_SIZEOF_FILTER_INTERFACE_REVISION_2 NDIS_SIZEOF_FILTER_INTERFACE_REVISION_1
#endif

/* ns-ndis-_ndis_enum_filters.md: Filter[] holds NumberOfFilters entries. */
typedef struct _NDIS_ENUM_FILTERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    ULONG Flags;
    ULONG NumberOfFilters;
    ULONG OffsetFirstFilter;
    NDIS_FILTER_INTERFACE Filter[1];
} NDIS_ENUM_FILTERS, *PNDIS_ENUM_FILTERS;

#define NDIS_ENUM_FILTERS_REVISION_1 1
#define NDIS_SIZEOF_ENUM_FILTERS_REVISION_1                                     \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_ENUM_FILTERS, Filter)

/*
 * Role types (nc-ndis-filter_*.md); the handler pointer names are the WDK's.
 * FilterSetOptions is the shared SET_OPTIONS type (ndis/miniport.h).
 */
typedef SET_OPTIONS (FILTER_SET_OPTIONS);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_SET_MODULE_OPTIONS)
NDIS_STATUS (FILTER_SET_MODULE_OPTIONS)(_In_ NDIS_HANDLE FilterModuleContext);
typedef FILTER_SET_MODULE_OPTIONS (*FILTER_SET_MODULE_OPTIONS_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_ATTACH)
NDIS_STATUS (FILTER_ATTACH)(_In_ NDIS_HANDLE NdisFilterHandle,
                            _In_ NDIS_HANDLE FilterDriverContext,
                            _In_ PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters);
typedef FILTER_ATTACH (*FILTER_ATTACH_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_DETACH)
VOID (FILTER_DETACH)(_In_ NDIS_HANDLE FilterModuleContext);
typedef FILTER_DETACH (*FILTER_DETACH_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_RESTART)
NDIS_STATUS (FILTER_RESTART)(_In_ NDIS_HANDLE FilterModuleContext,
                             _In_ PNDIS_FILTER_RESTART_PARAMETERS RestartParameters);
typedef FILTER_RESTART (*FILTER_RESTART_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_PAUSE)
NDIS_STATUS (FILTER_PAUSE)(_In_ NDIS_HANDLE FilterModuleContext,
                           _In_ PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters);
typedef FILTER_PAUSE (*FILTER_PAUSE_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_SEND_NET_BUFFER_LISTS)
VOID (FILTER_SEND_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE FilterModuleContext,
                                    _In_ PNET_BUFFER_LIST NetBufferLists,
                                    _In_ NDIS_PORT_NUMBER PortNumber,
                                    _In_ ULONG SendFlags);
typedef FILTER_SEND_NET_BUFFER_LISTS (*FILTER_SEND_NET_BUFFER_LISTS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_SEND_NET_BUFFER_LISTS_COMPLETE)
VOID (FILTER_SEND_NET_BUFFER_LISTS_COMPLETE)(_In_ NDIS_HANDLE FilterModuleContext,
                                             _In_ PNET_BUFFER_LIST NetBufferLists,
                                             _In_ ULONG SendCompleteFlags);
typedef FILTER_SEND_NET_BUFFER_LISTS_COMPLETE (*FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_CANCEL_SEND_NET_BUFFER_LISTS)
VOID (FILTER_CANCEL_SEND_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE FilterModuleContext,
                                           _In_ PVOID CancelId);
typedef FILTER_CANCEL_SEND_NET_BUFFER_LISTS (*FILTER_CANCEL_SEND_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_RECEIVE_NET_BUFFER_LISTS)
VOID (FILTER_RECEIVE_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE FilterModuleContext,
                                       _In_ PNET_BUFFER_LIST NetBufferLists,
                                       _In_ NDIS_PORT_NUMBER PortNumber,
                                       _In_ ULONG NumberOfNetBufferLists,
                                       _In_ ULONG ReceiveFlags);
typedef FILTER_RECEIVE_NET_BUFFER_LISTS (*FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_RETURN_NET_BUFFER_LISTS)
VOID (FILTER_RETURN_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE FilterModuleContext,
                                      _In_ PNET_BUFFER_LIST NetBufferLists,
                                      _In_ ULONG ReturnFlags);
typedef FILTER_RETURN_NET_BUFFER_LISTS (*FILTER_RETURN_NET_BUFFER_LISTS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_OID_REQUEST)
NDIS_STATUS (FILTER_OID_REQUEST)(_In_ NDIS_HANDLE FilterModuleContext,
                                 _In_ PNDIS_OID_REQUEST OidRequest);
typedef FILTER_OID_REQUEST (*FILTER_OID_REQUEST_HANDLER);

/*
 * The page has no -returns section (the completion returns nothing); its code
 * sample's NDIS_STATUS return type is a slip.
 */
typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_OID_REQUEST_COMPLETE)
VOID (FILTER_OID_REQUEST_COMPLETE)(_In_ NDIS_HANDLE FilterModuleContext,
                                   _In_ PNDIS_OID_REQUEST OidRequest,
                                   _In_ NDIS_STATUS Status);
typedef FILTER_OID_REQUEST_COMPLETE (*FILTER_OID_REQUEST_COMPLETE_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_CANCEL_OID_REQUEST)
VOID (FILTER_CANCEL_OID_REQUEST)(_In_ NDIS_HANDLE FilterModuleContext, _In_ PVOID RequestId);
typedef FILTER_CANCEL_OID_REQUEST (*FILTER_CANCEL_OID_REQUEST_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_DEVICE_PNP_EVENT_NOTIFY)
VOID (FILTER_DEVICE_PNP_EVENT_NOTIFY)(_In_ NDIS_HANDLE FilterModuleContext,
                                      _In_ PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef FILTER_DEVICE_PNP_EVENT_NOTIFY (*FILTER_DEVICE_PNP_EVENT_NOTIFY_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(FILTER_NET_PNP_EVENT)
NDIS_STATUS (FILTER_NET_PNP_EVENT)(_In_ NDIS_HANDLE FilterModuleContext,
                                   _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification);
typedef FILTER_NET_PNP_EVENT (*FILTER_NET_PNP_EVENT_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_STATUS)
VOID (FILTER_STATUS)(_In_ NDIS_HANDLE FilterModuleContext,
                     _In_ PNDIS_STATUS_INDICATION StatusIndication);
typedef FILTER_STATUS (*FILTER_STATUS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_DIRECT_OID_REQUEST)
NDIS_STATUS (FILTER_DIRECT_OID_REQUEST)(_In_ NDIS_HANDLE FilterModuleContext,
                                        _In_ PNDIS_OID_REQUEST OidRequest);
typedef FILTER_DIRECT_OID_REQUEST (*FILTER_DIRECT_OID_REQUEST_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_DIRECT_OID_REQUEST_COMPLETE)
VOID (FILTER_DIRECT_OID_REQUEST_COMPLETE)(_In_ NDIS_HANDLE FilterModuleContext,
                                          _In_ PNDIS_OID_REQUEST OidRequest,
                                          _In_ NDIS_STATUS Status);
typedef FILTER_DIRECT_OID_REQUEST_COMPLETE (*FILTER_DIRECT_OID_REQUEST_COMPLETE_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_CANCEL_DIRECT_OID_REQUEST)
VOID (FILTER_CANCEL_DIRECT_OID_REQUEST)(_In_ NDIS_HANDLE FilterModuleContext,
                                        _In_ PVOID RequestId);
typedef FILTER_CANCEL_DIRECT_OID_REQUEST (*FILTER_CANCEL_DIRECT_OID_REQUEST_HANDLER);

/*
 * Synchronous OID requests (NDIS 6.81, nf-ndis-filter_synchronous_oid_request*.md).
 * CallContext is a PVOID slot, zero on entry, that the request handler fills and
 * the completion handler receives; the completion may rewrite *Status.
 */
typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_SYNCHRONOUS_OID_REQUEST)
NDIS_STATUS (FILTER_SYNCHRONOUS_OID_REQUEST)(_In_ NDIS_HANDLE FilterModuleContext,
                                             _Inout_ PNDIS_OID_REQUEST OidRequest,
                                             _Out_ PVOID *CallContext);
typedef FILTER_SYNCHRONOUS_OID_REQUEST (*FILTER_SYNCHRONOUS_OID_REQUEST_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE)
VOID (FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE)(_In_ NDIS_HANDLE FilterModuleContext,
                                               _Inout_ PNDIS_OID_REQUEST OidRequest,
                                               _Inout_ NDIS_STATUS *Status,
                                               _In_ PVOID CallContext);
typedef FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE (*FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE_HANDLER);

/* ns-ndis-_ndis_filter_driver_characteristics.md */
typedef struct _NDIS_FILTER_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS */
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags; /* NDIS_FILTER_DRIVER_* */
    NDIS_STRING FriendlyName;
    NDIS_STRING UniqueName;  /* the filter's GUID in braces, as in its INF */
    NDIS_STRING ServiceName; /* the INF AddService name */
    SET_OPTIONS_HANDLER SetOptionsHandler;
    FILTER_SET_MODULE_OPTIONS_HANDLER SetFilterModuleOptionsHandler;
    FILTER_ATTACH_HANDLER AttachHandler;
    FILTER_DETACH_HANDLER DetachHandler;
    FILTER_RESTART_HANDLER RestartHandler;
    FILTER_PAUSE_HANDLER PauseHandler;
    FILTER_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
    FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
    FILTER_CANCEL_SEND_HANDLER CancelSendNetBufferListsHandler;
    FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
    FILTER_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
    FILTER_OID_REQUEST_HANDLER OidRequestHandler;
    FILTER_OID_REQUEST_COMPLETE_HANDLER OidRequestCompleteHandler;
    FILTER_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
    FILTER_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
    FILTER_NET_PNP_EVENT_HANDLER NetPnPEventHandler;
    FILTER_STATUS_HANDLER StatusHandler;
#if NDIS_SUPPORT_NDIS61
    FILTER_DIRECT_OID_REQUEST_HANDLER DirectOidRequestHandler;
    FILTER_DIRECT_OID_REQUEST_COMPLETE_HANDLER DirectOidRequestCompleteHandler;
    FILTER_CANCEL_DIRECT_OID_REQUEST_HANDLER CancelDirectOidRequestHandler;
#endif
#if NDIS_SUPPORT_NDIS680
    FILTER_SYNCHRONOUS_OID_REQUEST_HANDLER SynchronousOidRequestHandler;
    FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE_HANDLER SynchronousOidRequestCompleteHandler;
#endif
} NDIS_FILTER_DRIVER_CHARACTERISTICS, *PNDIS_FILTER_DRIVER_CHARACTERISTICS;

#define NDIS_FILTER_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1                    \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_DRIVER_CHARACTERISTICS, StatusHandler)
#if NDIS_SUPPORT_NDIS61
#define NDIS_FILTER_CHARACTERISTICS_REVISION_2 2
#define NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2                    \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_DRIVER_CHARACTERISTICS,                \
                             CancelDirectOidRequestHandler)
#endif
#if NDIS_SUPPORT_NDIS680
#define NDIS_FILTER_CHARACTERISTICS_REVISION_3 3
#define NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_3                    \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_DRIVER_CHARACTERISTICS,                \
                             SynchronousOidRequestCompleteHandler)
#endif

/*
 * ns-ndis-_ndis_filter_partial_characteristics.md: passed to
 * NdisSetOptionalHandlers from FilterSetModuleOptions to change one module's
 * data-path handlers (NULL bypasses the filter for that path).
 */
typedef struct _NDIS_FILTER_PARTIAL_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS */
    ULONG Flags;
    FILTER_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
    FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
    FILTER_CANCEL_SEND_HANDLER CancelSendNetBufferListsHandler;
    FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
    FILTER_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
} NDIS_FILTER_PARTIAL_CHARACTERISTICS, *PNDIS_FILTER_PARTIAL_CHARACTERISTICS;

#define NDIS_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1                   \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_PARTIAL_CHARACTERISTICS, ReturnNetBufferListsHandler)

/* NdisFXxx and related routines (the Filter list of docs/headers.md). */

_IRQL_requires_(PASSIVE_LEVEL)
_Must_inspect_result_
NDIS_STATUS
NdisFRegisterFilterDriver(_In_ PDRIVER_OBJECT DriverObject,
                          _In_ NDIS_HANDLE FilterDriverContext,
                          _In_ PNDIS_FILTER_DRIVER_CHARACTERISTICS FilterDriverCharacteristics,
                          _Out_ PNDIS_HANDLE NdisFilterDriverHandle);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisFDeregisterFilterDriver(_In_ NDIS_HANDLE NdisFilterDriverHandle);

_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisFSetAttributes(_In_ NDIS_HANDLE NdisFilterHandle,
                   _In_ NDIS_HANDLE FilterModuleContext,
                   _In_ PNDIS_FILTER_ATTRIBUTES FilterAttributes);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFPauseComplete(_In_ NDIS_HANDLE NdisFilterHandle);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisFRestartComplete(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_STATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisFRestartFilter(_In_ NDIS_HANDLE NdisFilterHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFSendNetBufferLists(_In_ NDIS_HANDLE NdisFilterHandle,
                        _In_ PNET_BUFFER_LIST NetBufferList,
                        _In_ NDIS_PORT_NUMBER PortNumber,
                        _In_ ULONG SendFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFSendNetBufferListsComplete(_In_ NDIS_HANDLE NdisFilterHandle,
                                _In_ PNET_BUFFER_LIST NetBufferList,
                                _In_ ULONG SendCompleteFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFIndicateReceiveNetBufferLists(_In_ NDIS_HANDLE NdisFilterHandle,
                                   _In_ PNET_BUFFER_LIST NetBufferLists,
                                   _In_ NDIS_PORT_NUMBER PortNumber,
                                   _In_ ULONG NumberOfNetBufferLists,
                                   _In_ ULONG ReceiveFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFReturnNetBufferLists(_In_ NDIS_HANDLE NdisFilterHandle,
                          _In_ PNET_BUFFER_LIST NetBufferLists,
                          _In_ ULONG ReturnFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFCancelSendNetBufferLists(_In_ NDIS_HANDLE NdisFilterHandle, _In_ PVOID CancelId);

/* Returns NDIS_STATUS_PENDING when FilterOidRequestComplete will follow. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisFOidRequest(_In_ NDIS_HANDLE NdisFilterHandle, _In_ PNDIS_OID_REQUEST OidRequest);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFOidRequestComplete(_In_ NDIS_HANDLE NdisFilterHandle,
                        _In_ PNDIS_OID_REQUEST OidRequest,
                        _In_ NDIS_STATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFCancelOidRequest(_In_ NDIS_HANDLE NdisFilterHandle, _In_ PVOID RequestId);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFIndicateStatus(_In_ NDIS_HANDLE NdisFilterHandle,
                    _In_ PNDIS_STATUS_INDICATION StatusIndication);

_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisFNetPnPEvent(_In_ NDIS_HANDLE NdisFilterHandle,
                 _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisFDevicePnPEventNotify(_In_ NDIS_HANDLE NdisFilterHandle,
                          _In_ PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);

_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_
NDIS_STATUS
NdisAllocateCloneOidRequest(_In_ NDIS_HANDLE SourceHandle,
                            _In_ PNDIS_OID_REQUEST OidRequest,
                            _In_ UINT PoolTag,
                            _Out_ PNDIS_OID_REQUEST *ClonedOidRequest);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeCloneOidRequest(_In_ NDIS_HANDLE SourceHandle, _In_ PNDIS_OID_REQUEST Request);

/*
 * Fills InterfaceBuffer with an NDIS_ENUM_FILTERS; NDIS_STATUS_BUFFER_TOO_SHORT
 * with *BytesNeeded set when it does not fit.
 */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisEnumerateFilterModules(_In_ NDIS_HANDLE NdisHandle,
                           _In_ PVOID InterfaceBuffer,
                           _In_ ULONG InterfaceBufferLength,
                           _Inout_ PULONG BytesNeeded,
                           _Inout_ PULONG BytesWritten);

EXTERN_C_END

#endif /* _NDIS_FILTER_H_ */

/*
 * ndis/miniport.h - the NDIS 6 miniport driver model: driver characteristics and
 * MiniportXxx role types, adapter attributes, initialization, pause/restart
 * parameters, device PnP events and the NdisMXxx routines.
 *
 * Part of libndis' split of the WDK's monolithic ndis.h (docs/headers.md).
 * Members and their order come from the ns-ndis-*.md field lists, signatures and
 * IRQL annotations from the nc-ndis-miniport_*.md pages, values from
 * constants.md. As in the WDK, members that a later revision appended exist
 * only when the matching NDIS_SUPPORT_NDISxxx switch (ndis/version.h) is 1;
 * without a version selector (libndis itself) every member is present.
 */
#ifndef _NDIS_MINIPORT_H_
#define _NDIS_MINIPORT_H_

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
#include <ndis/ossvc.h>
#include <ndis/statusind.h>

EXTERN_C_START

/*
 * Structures that the attributes below only point to and that no header of the
 * local reference lays out (the wdm.h resource list, PCI custom properties,
 * generic flow table offload): incomplete types, as ntddndis.h does for RSS,
 * receive filters, NIC switch, SR-IOV and QoS.
 */
struct _CM_PARTIAL_RESOURCE_LIST;
typedef struct _NDIS_PCI_DEVICE_CUSTOM_PROPERTIES NDIS_PCI_DEVICE_CUSTOM_PROPERTIES,
    *PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES;
typedef struct _NDIS_GFT_OFFLOAD_CAPABILITIES NDIS_GFT_OFFLOAD_CAPABILITIES,
    *PNDIS_GFT_OFFLOAD_CAPABILITIES;

/* NDIS_RESOURCE_LIST is the CM_PARTIAL_RESOURCE_LIST of the adapter's PnP resources. */
typedef struct _CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;

/* Driver characteristics Flags (constants.md 4.5). */
#define NDIS_INTERMEDIATE_DRIVER 0x00000001
#define NDIS_WDM_DRIVER 0x00000002
#if NDIS_SUPPORT_NDIS630
#define NDIS_DRIVER_FLAGS_RESERVED 0x00000008
#endif

/* NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES.AttributeFlags (constants.md 4.5). */
#define NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE 0x00000001
#define NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM 0x00000002
#define NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK 0x00000004
#define NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS 0x00000008
#define NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO 0x00000010
#define NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND 0x00000020
#define NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER 0x00000040
#define NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT 0x00000080
#if NDIS_SUPPORT_NDIS630
#define NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND 0x00000100
#define NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS 0x00000200
#define NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK 0x00000400
#endif

/* PauseReason of the miniport, protocol and filter pause parameters (constants.md 4.5). */
#define NDIS_PAUSE_NDIS_INTERNAL 0x00000001
#define NDIS_PAUSE_LOW_POWER 0x00000002
#define NDIS_PAUSE_BIND_PROTOCOL 0x00000004
#define NDIS_PAUSE_UNBIND_PROTOCOL 0x00000008
#define NDIS_PAUSE_ATTACH_FILTER 0x00000010
#define NDIS_PAUSE_DETACH_FILTER 0x00000020
#define NDIS_PAUSE_FILTER_RESTART_STACK 0x00000040
#define NDIS_PAUSE_MINIPORT_DEVICE_REMOVE 0x00000080

/* NDIS_RESTART_GENERAL_ATTRIBUTES.Flags and MaxLookaheadSizeAccessed (NDIS 6.20). */
#if NDIS_SUPPORT_NDIS620
#define NDIS_RESTART_GENERAL_ATTRIBUTES_MAX_LOOKAHEAD_ACCESSED_DEFINED 0x00000001
#define NDIS_MAX_LOOKAHEAD_SIZE_ACCESSED_UNDEFINED ((ULONG)-1)
#endif

/* MiniportHaltEx HaltAction (constants.md 4.3). */
typedef enum _NDIS_HALT_ACTION {
    NdisHaltDeviceDisabled,
    NdisHaltDeviceInstanceDeInitialized,
    NdisHaltDevicePoweredDown,
    NdisHaltDeviceSurpriseRemoved,
    NdisHaltDeviceFailed,
    NdisHaltDeviceInitializationFailed,
    NdisHaltDeviceStopped
} NDIS_HALT_ACTION, *PNDIS_HALT_ACTION;

/* MiniportShutdownEx ShutdownAction (constants.md 4.3). */
typedef enum _NDIS_SHUTDOWN_ACTION {
    NdisShutdownPowerOff,
    NdisShutdownBugCheck
} NDIS_SHUTDOWN_ACTION, *PNDIS_SHUTDOWN_ACTION;

/*
 * ns-ndis-_net_device_pnp_event.md: to MiniportDevicePnPEventNotify and
 * FilterDevicePnPEventNotify; NDIS_DEVICE_PNP_EVENT is in ndis/netpnp.h.
 */
typedef struct _NET_DEVICE_PNP_EVENT {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    NDIS_PORT_NUMBER PortNumber;
    NDIS_DEVICE_PNP_EVENT DevicePnPEvent;
    PVOID InformationBuffer;
    ULONG InformationBufferLength;
    UCHAR NdisReserved[2 * sizeof(PVOID)];
} NET_DEVICE_PNP_EVENT, *PNET_DEVICE_PNP_EVENT;

#define NET_DEVICE_PNP_EVENT_REVISION_1 1
#define NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1                             \
    RTL_SIZEOF_THROUGH_FIELD(NET_DEVICE_PNP_EVENT, NdisReserved)

/* ns-ndis-_ndis_miniport_init_parameters.md: the MiniportInitializeEx argument. */
typedef struct _NDIS_MINIPORT_INIT_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS */
    ULONG Flags;
    PNDIS_RESOURCE_LIST AllocatedResources;
    NDIS_HANDLE IMDeviceInstanceContext;
    NDIS_HANDLE MiniportAddDeviceContext;
    NET_IFINDEX IfIndex;
    NET_LUID NetLuid;
    PNDIS_PORT_AUTHENTICATION_PARAMETERS DefaultPortAuthStates;
    PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS, *PNDIS_MINIPORT_INIT_PARAMETERS;

#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1                          \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties)

/* ns-ndis-_ndis_miniport_pause_parameters.md */
typedef struct _NDIS_MINIPORT_PAUSE_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    ULONG Flags;
    ULONG PauseReason; /* NDIS_PAUSE_* */
} NDIS_MINIPORT_PAUSE_PARAMETERS, *PNDIS_MINIPORT_PAUSE_PARAMETERS;

#define NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1                        \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason)

/*
 * ns-ndis-_ndis_restart_attributes.md: a list of OID-tagged attribute blocks;
 * for OID_GEN_MINIPORT_RESTART_ATTRIBUTES, Data holds an
 * NDIS_RESTART_GENERAL_ATTRIBUTES.
 */
typedef struct _NDIS_RESTART_ATTRIBUTES NDIS_RESTART_ATTRIBUTES, *PNDIS_RESTART_ATTRIBUTES;
struct _NDIS_RESTART_ATTRIBUTES {
    PNDIS_RESTART_ATTRIBUTES Next;
    NDIS_OID Oid;
    ULONG DataLength;
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) UCHAR Data[1];
};

/* ns-ndis-_ndis_restart_general_attributes.md */
typedef struct _NDIS_RESTART_GENERAL_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES */
    ULONG MtuSize;
    ULONG64 MaxXmitLinkSpeed;
    ULONG64 MaxRcvLinkSpeed;
    ULONG LookaheadSize;
    ULONG MacOptions;
    ULONG SupportedPacketFilters;
    ULONG MaxMulticastListSize;
    PNDIS_RECEIVE_SCALE_CAPABILITIES RecvScaleCapabilities;
    NET_IF_ACCESS_TYPE AccessType;
    ULONG Flags;
    NET_IF_CONNECTION_TYPE ConnectionType;
    ULONG SupportedStatistics;
    ULONG DataBackFillSize;
    ULONG ContextBackFillSize;
    PNDIS_OID SupportedOidList;
    ULONG SupportedOidListLength;
#if NDIS_SUPPORT_NDIS620
    ULONG MaxLookaheadSizeAccessed;
#endif
} NDIS_RESTART_GENERAL_ATTRIBUTES, *PNDIS_RESTART_GENERAL_ATTRIBUTES;

#define NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_RESTART_GENERAL_ATTRIBUTES_REVISION_1                       \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_RESTART_GENERAL_ATTRIBUTES, SupportedOidListLength)
#if NDIS_SUPPORT_NDIS620
#define NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_2 2
#define NDIS_SIZEOF_RESTART_GENERAL_ATTRIBUTES_REVISION_2                       \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_RESTART_GENERAL_ATTRIBUTES, MaxLookaheadSizeAccessed)
#endif

/* ns-ndis-_ndis_miniport_restart_parameters.md */
typedef struct _NDIS_MINIPORT_RESTART_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT */
    PNDIS_RESTART_ATTRIBUTES RestartAttributes;
    ULONG Flags;
} NDIS_MINIPORT_RESTART_PARAMETERS, *PNDIS_MINIPORT_RESTART_PARAMETERS;

#define NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1                      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_RESTART_PARAMETERS, Flags)

/* ns-ndis-_ndis_miniport_adapter_registration_attributes.md */
typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES */
    NDIS_HANDLE MiniportAdapterContext;
    ULONG AttributeFlags; /* NDIS_MINIPORT_ATTRIBUTES_* */
    UINT CheckForHangTimeInSeconds;
    NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;

#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType)
#if NDIS_SUPPORT_NDIS630
/* Revision 2 adds no member, only the NDIS 6.30 AttributeFlags. */
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2 2
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType)
#endif

/* ns-ndis-_ndis_miniport_adapter_general_attributes.md */
typedef struct _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES */
    ULONG Flags;
    NDIS_MEDIUM MediaType;
    NDIS_PHYSICAL_MEDIUM PhysicalMediumType;
    ULONG MtuSize;
    ULONG64 MaxXmitLinkSpeed;
    ULONG64 XmitLinkSpeed;
    ULONG64 MaxRcvLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG LookaheadSize;
    PNDIS_PNP_CAPABILITIES PowerManagementCapabilities;
    ULONG MacOptions;
    ULONG SupportedPacketFilters;
    ULONG MaxMulticastListSize;
    USHORT MacAddressLength;
    UCHAR PermanentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    PNDIS_RECEIVE_SCALE_CAPABILITIES RecvScaleCapabilities;
    NET_IF_ACCESS_TYPE AccessType;
    NET_IF_DIRECTION_TYPE DirectionType;
    NET_IF_CONNECTION_TYPE ConnectionType;
    NET_IFTYPE IfType;
    BOOLEAN IfConnectorPresent;
    ULONG SupportedStatistics;
    ULONG SupportedPauseFunctions;
    ULONG DataBackFillSize;
    ULONG ContextBackFillSize;
    PNDIS_OID SupportedOidList;
    ULONG SupportedOidListLength;
    ULONG AutoNegotiationFlags;
#if NDIS_SUPPORT_NDIS620
    PNDIS_PM_CAPABILITIES PowerManagementCapabilitiesEx;
#endif
} NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;

#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1              \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags)
#if NDIS_SUPPORT_NDIS620
#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 2
#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2              \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,          \
                             PowerManagementCapabilitiesEx)
#endif

/* ns-ndis-_ndis_miniport_adapter_offload_attributes.md */
typedef struct _NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES */
    PNDIS_OFFLOAD DefaultOffloadConfiguration;
    PNDIS_OFFLOAD HardwareOffloadCapabilities;
    PNDIS_TCP_CONNECTION_OFFLOAD DefaultTcpConnectionOffloadConfiguration;
    PNDIS_TCP_CONNECTION_OFFLOAD TcpConnectionOffloadHardwareCapabilities;
} NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;

#define NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1              \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,          \
                             TcpConnectionOffloadHardwareCapabilities)

#if NDIS_SUPPORT_NDIS61
/*
 * ns-ndis-_ndis_hd_split_attributes.md; ntddndis.h declares the NDIS_HD_SPLIT_ATTRIBUTES
 * typedef, the layout is ndis.h's.
 */
struct _NDIS_HD_SPLIT_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_HD_SPLIT_ATTRIBUTES */
    ULONG HardwareCapabilities;
    ULONG CurrentCapabilities;
    ULONG HDSplitFlags;
    ULONG BackfillSize;
    ULONG MaxHeaderSize;
};

#define NDIS_HD_SPLIT_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_HD_SPLIT_ATTRIBUTES_REVISION_1                              \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_HD_SPLIT_ATTRIBUTES, MaxHeaderSize)

/* ns-ndis-_ndis_miniport_adapter_hardware_assist_attributes.md */
typedef struct _NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES */
    PNDIS_HD_SPLIT_ATTRIBUTES HDSplitAttributes;
#if NDIS_SUPPORT_NDIS620
    PNDIS_RECEIVE_FILTER_CAPABILITIES HardwareReceiveFilterCapabilities;
    PNDIS_RECEIVE_FILTER_CAPABILITIES CurrentReceiveFilterCapabilities;
    PNDIS_NIC_SWITCH_CAPABILITIES HardwareNicSwitchCapabilities;
    PNDIS_NIC_SWITCH_CAPABILITIES CurrentNicSwitchCapabilities;
#endif
#if NDIS_SUPPORT_NDIS630
    PNDIS_SRIOV_CAPABILITIES HardwareSriovCapabilities;
    PNDIS_SRIOV_CAPABILITIES CurrentSriovCapabilities;
    PNDIS_QOS_CAPABILITIES HardwareQosCapabilities;
    PNDIS_QOS_CAPABILITIES CurrentQosCapabilities;
#endif
#if NDIS_SUPPORT_NDIS660
    PNDIS_GFT_OFFLOAD_CAPABILITIES HardwareGftOffloadCapabilities;
    PNDIS_GFT_OFFLOAD_CAPABILITIES CurrentGftOffloadCapabilities;
#endif
} NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    *PNDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES;

#define NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,  \
                             HDSplitAttributes)
#if NDIS_SUPPORT_NDIS620
#define NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2 2
#define NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,  \
                             CurrentNicSwitchCapabilities)
#endif
#if NDIS_SUPPORT_NDIS630
#define NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3 3
#define NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,  \
                             CurrentQosCapabilities)
#endif
#endif /* NDIS_SUPPORT_NDIS61 */

/* ns-ndis-_ndis_miniport_add_device_registration_attributes.md */
typedef struct _NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES */
    NDIS_HANDLE MiniportAddDeviceContext;
    ULONG Flags;
} NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES,
    *PNDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES;

#define NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES, Flags)

/*
 * ns-ndis-_ndis_miniport_adapter_attributes.md: what NdisMSetMiniportAttributes
 * takes; Header.Type selects the member. The Native 802.11 (deprecated since
 * Windows 10), NDK and PacketDirect attribute members are left out: libndis
 * does not implement those interfaces.
 */
typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES AddDeviceRegistrationAttributes;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES GeneralAttributes;
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES OffloadAttributes;
#if NDIS_SUPPORT_NDIS61
    NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES HardwareAssistAttributes;
#endif
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;

/*
 * Role types (nc-ndis-*.md). Drivers declare their functions with them
 * (MINIPORT_INITIALIZE MpInitializeEx;) and fill the characteristics with
 * pointers of the matching *_HANDLER type; the handler names are the WDK's.
 */

/* nc-ndis-set_options.md: shared by miniport, protocol and filter drivers. */
typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(SET_OPTIONS)
NDIS_STATUS (SET_OPTIONS)(_In_ NDIS_HANDLE NdisDriverHandle,
                          _In_ NDIS_HANDLE DriverContext);
typedef SET_OPTIONS (*SET_OPTIONS_HANDLER);
typedef SET_OPTIONS (MINIPORT_SET_OPTIONS);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_INITIALIZE)
NDIS_STATUS (MINIPORT_INITIALIZE)(_In_ NDIS_HANDLE NdisMiniportHandle,
                                  _In_ NDIS_HANDLE MiniportDriverContext,
                                  _In_ PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef MINIPORT_INITIALIZE (*MINIPORT_INITIALIZE_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_HALT)
VOID (MINIPORT_HALT)(_In_ NDIS_HANDLE MiniportAdapterContext,
                     _In_ NDIS_HALT_ACTION HaltAction);
typedef MINIPORT_HALT (*MINIPORT_HALT_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_UNLOAD)
VOID (MINIPORT_UNLOAD)(_In_ PDRIVER_OBJECT DriverObject);
typedef MINIPORT_UNLOAD (*MINIPORT_DRIVER_UNLOAD);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_PAUSE)
NDIS_STATUS (MINIPORT_PAUSE)(_In_ NDIS_HANDLE MiniportAdapterContext,
                             _In_ PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters);
typedef MINIPORT_PAUSE (*MINIPORT_PAUSE_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_RESTART)
NDIS_STATUS (MINIPORT_RESTART)(_In_ NDIS_HANDLE MiniportAdapterContext,
                               _In_ PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters);
typedef MINIPORT_RESTART (*MINIPORT_RESTART_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_OID_REQUEST)
NDIS_STATUS (MINIPORT_OID_REQUEST)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                   _In_ PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_OID_REQUEST (*MINIPORT_OID_REQUEST_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_SEND_NET_BUFFER_LISTS)
VOID (MINIPORT_SEND_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                      _In_ PNET_BUFFER_LIST NetBufferList,
                                      _In_ NDIS_PORT_NUMBER PortNumber,
                                      _In_ ULONG SendFlags);
typedef MINIPORT_SEND_NET_BUFFER_LISTS (*MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_RETURN_NET_BUFFER_LISTS)
VOID (MINIPORT_RETURN_NET_BUFFER_LISTS)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                        _In_ PNET_BUFFER_LIST NetBufferLists,
                                        _In_ ULONG ReturnFlags);
typedef MINIPORT_RETURN_NET_BUFFER_LISTS (*MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_CANCEL_SEND)
VOID (MINIPORT_CANCEL_SEND)(_In_ NDIS_HANDLE MiniportAdapterContext, _In_ PVOID CancelId);
typedef MINIPORT_CANCEL_SEND (*MINIPORT_CANCEL_SEND_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_CHECK_FOR_HANG)
BOOLEAN (MINIPORT_CHECK_FOR_HANG)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef MINIPORT_CHECK_FOR_HANG (*MINIPORT_CHECK_FOR_HANG_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_RESET)
NDIS_STATUS (MINIPORT_RESET)(_In_ NDIS_HANDLE MiniportAdapterContext,
                             _Out_ PBOOLEAN AddressingReset);
typedef MINIPORT_RESET (*MINIPORT_RESET_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_DEVICE_PNP_EVENT_NOTIFY)
VOID (MINIPORT_DEVICE_PNP_EVENT_NOTIFY)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                        _In_ PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef MINIPORT_DEVICE_PNP_EVENT_NOTIFY (*MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER);

/* Normally PASSIVE_LEVEL; at high IRQL when ShutdownAction is NdisShutdownBugCheck. */
typedef _IRQL_requires_max_(HIGH_LEVEL) _Function_class_(MINIPORT_SHUTDOWN)
VOID (MINIPORT_SHUTDOWN)(_In_ NDIS_HANDLE MiniportAdapterContext,
                         _In_ NDIS_SHUTDOWN_ACTION ShutdownAction);
typedef MINIPORT_SHUTDOWN (*MINIPORT_SHUTDOWN_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_CANCEL_OID_REQUEST)
VOID (MINIPORT_CANCEL_OID_REQUEST)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                   _In_ PVOID RequestId);
typedef MINIPORT_CANCEL_OID_REQUEST (*MINIPORT_CANCEL_OID_REQUEST_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_DIRECT_OID_REQUEST)
NDIS_STATUS (MINIPORT_DIRECT_OID_REQUEST)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                          _In_ PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_DIRECT_OID_REQUEST (*MINIPORT_DIRECT_OID_REQUEST_HANDLER);

typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_CANCEL_DIRECT_OID_REQUEST)
VOID (MINIPORT_CANCEL_DIRECT_OID_REQUEST)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                          _In_ PVOID RequestId);
typedef MINIPORT_CANCEL_DIRECT_OID_REQUEST (*MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER);

/* nf-ndis-miniport_synchronous_oid_request.md (NDIS 6.80). */
typedef _IRQL_requires_max_(DISPATCH_LEVEL) _Function_class_(MINIPORT_SYNCHRONOUS_OID_REQUEST)
NDIS_STATUS (MINIPORT_SYNCHRONOUS_OID_REQUEST)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                               _In_ PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_SYNCHRONOUS_OID_REQUEST (*MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER);

/* Optional PnP handlers (ns-ndis-_ndis_miniport_pnp_characteristics.md). */
typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_ADD_DEVICE)
NDIS_STATUS (MINIPORT_ADD_DEVICE)(_In_ NDIS_HANDLE NdisMiniportHandle,
                                  _In_ NDIS_HANDLE MiniportDriverContext);
typedef MINIPORT_ADD_DEVICE (*MINIPORT_ADD_DEVICE_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_REMOVE_DEVICE)
VOID (MINIPORT_REMOVE_DEVICE)(_In_ NDIS_HANDLE MiniportAddDeviceContext);
typedef MINIPORT_REMOVE_DEVICE (*MINIPORT_REMOVE_DEVICE_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_PNP_IRP)
NDIS_STATUS (MINIPORT_PNP_IRP)(_In_ NDIS_HANDLE MiniportAddDeviceContext, _In_ PIRP Irp);
typedef MINIPORT_PNP_IRP (MINIPORT_FILTER_RESOURCE_REQUIREMENTS);
typedef MINIPORT_PNP_IRP (MINIPORT_START_DEVICE);
typedef MINIPORT_PNP_IRP (*MINIPORT_PNP_IRP_HANDLER);

typedef struct _NDIS_MINIPORT_PNP_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_PNP_CHARACTERISTICS */
    MINIPORT_ADD_DEVICE_HANDLER MiniportAddDeviceHandler;
    MINIPORT_REMOVE_DEVICE_HANDLER MiniportRemoveDeviceHandler;
    MINIPORT_PNP_IRP_HANDLER MiniportFilterResourceRequirementsHandler;
    MINIPORT_PNP_IRP_HANDLER MiniportStartDeviceHandler;
    ULONG Flags;
} NDIS_MINIPORT_PNP_CHARACTERISTICS, *PNDIS_MINIPORT_PNP_CHARACTERISTICS;

#define NDIS_MINIPORT_PNP_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_PNP_CHARACTERISTICS_REVISION_1                     \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_PNP_CHARACTERISTICS, Flags)

/* Selective suspend (ns-ndis-_ndis_miniport_ss_characteristics.md). */
typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_IDLE_NOTIFICATION)
NDIS_STATUS (MINIPORT_IDLE_NOTIFICATION)(_In_ NDIS_HANDLE MiniportAdapterContext,
                                         _In_ BOOLEAN ForceIdle);
typedef MINIPORT_IDLE_NOTIFICATION (*MINIPORT_IDLE_NOTIFICATION_HANDLER);

typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(MINIPORT_CANCEL_IDLE_NOTIFICATION)
VOID (MINIPORT_CANCEL_IDLE_NOTIFICATION)(_In_ NDIS_HANDLE MiniportAdapterContext);
typedef MINIPORT_CANCEL_IDLE_NOTIFICATION (*MINIPORT_CANCEL_IDLE_NOTIFICATION_HANDLER);

#if NDIS_SUPPORT_NDIS630
typedef struct _NDIS_MINIPORT_SS_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_SS_CHARACTERISTICS */
    ULONG Flags;
    MINIPORT_IDLE_NOTIFICATION_HANDLER IdleNotificationHandler;
    MINIPORT_CANCEL_IDLE_NOTIFICATION_HANDLER CancelIdleNotificationHandler;
} NDIS_MINIPORT_SS_CHARACTERISTICS, *PNDIS_MINIPORT_SS_CHARACTERISTICS;

#define NDIS_MINIPORT_SS_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_SS_CHARACTERISTICS_REVISION_1                      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_SS_CHARACTERISTICS, CancelIdleNotificationHandler)
#endif

/* ns-ndis-_ndis_miniport_driver_characteristics.md */
typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS */
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags; /* NDIS_INTERMEDIATE_DRIVER, NDIS_WDM_DRIVER */
    SET_OPTIONS_HANDLER SetOptionsHandler;
    MINIPORT_INITIALIZE_HANDLER InitializeHandlerEx;
    MINIPORT_HALT_HANDLER HaltHandlerEx;
    MINIPORT_DRIVER_UNLOAD UnloadHandler;
    MINIPORT_PAUSE_HANDLER PauseHandler;
    MINIPORT_RESTART_HANDLER RestartHandler;
    MINIPORT_OID_REQUEST_HANDLER OidRequestHandler;
    MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
    MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
    MINIPORT_CANCEL_SEND_HANDLER CancelSendHandler;
    MINIPORT_CHECK_FOR_HANG_HANDLER CheckForHangHandlerEx;
    MINIPORT_RESET_HANDLER ResetHandlerEx;
    MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
    MINIPORT_SHUTDOWN_HANDLER ShutdownHandlerEx;
    MINIPORT_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
#if NDIS_SUPPORT_NDIS61
    MINIPORT_DIRECT_OID_REQUEST_HANDLER DirectOidRequestHandler;
    MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER CancelDirectOidRequestHandler;
#endif
#if NDIS_SUPPORT_NDIS680
    MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER SynchronousOidRequestHandler;
#endif
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler)
#if NDIS_SUPPORT_NDIS61
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,              \
                             CancelDirectOidRequestHandler)
#endif
#if NDIS_SUPPORT_NDIS680
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 3
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,              \
                             SynchronousOidRequestHandler)
#endif

/* NdisMXxx routines (the Miniport list of docs/headers.md). */

_IRQL_requires_(PASSIVE_LEVEL)
_Must_inspect_result_
NDIS_STATUS
NdisMRegisterMiniportDriver(_In_ PDRIVER_OBJECT DriverObject,
                            _In_ PUNICODE_STRING RegistryPath,
                            _In_opt_ NDIS_HANDLE MiniportDriverContext,
                            _In_ PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
                            _Out_ PNDIS_HANDLE NdisMiniportDriverHandle);

_IRQL_requires_(PASSIVE_LEVEL)
VOID
NdisMDeregisterMiniportDriver(_In_ NDIS_HANDLE NdisMiniportDriverHandle);

/* Called from MiniportInitializeEx (registration attributes first, then general). */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisMSetMiniportAttributes(_In_ NDIS_HANDLE NdisMiniportHandle,
                           _In_ PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMPauseComplete(_In_ NDIS_HANDLE MiniportAdapterHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMRestartComplete(_In_ NDIS_HANDLE MiniportAdapterHandle, _In_ NDIS_STATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL)
NDIS_STATUS
NdisMRemoveMiniport(_In_ NDIS_HANDLE MiniportHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMSendNetBufferListsComplete(_In_ NDIS_HANDLE MiniportAdapterHandle,
                                _In_ PNET_BUFFER_LIST NetBufferList,
                                _In_ ULONG SendCompleteFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMIndicateReceiveNetBufferLists(_In_ NDIS_HANDLE MiniportAdapterHandle,
                                   _In_ PNET_BUFFER_LIST NetBufferList,
                                   _In_ NDIS_PORT_NUMBER PortNumber,
                                   _In_ ULONG NumberOfNetBufferLists,
                                   _In_ ULONG ReceiveFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMOidRequestComplete(_In_ NDIS_HANDLE MiniportAdapterHandle,
                        _In_ PNDIS_OID_REQUEST OidRequest,
                        _In_ NDIS_STATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMIndicateStatusEx(_In_ NDIS_HANDLE MiniportAdapterHandle,
                      _In_ PNDIS_STATUS_INDICATION StatusIndication);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisMResetComplete(_In_ NDIS_HANDLE MiniportAdapterHandle,
                   _In_ NDIS_STATUS Status,
                   _In_ BOOLEAN AddressingReset);

/* The caller frees pAdapterInstanceName->Buffer with NdisFreeMemory. */
_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisMQueryAdapterInstanceName(_Out_ PNDIS_STRING pAdapterInstanceName,
                              _In_ NDIS_HANDLE MiniportHandle);

EXTERN_C_END

#endif /* _NDIS_MINIPORT_H_ */

/*
 * test_headers_model.c - checks of the driver-model headers (ndis/miniport.h,
 * protocol.h, filter.h, ossvc.h, config.h, statusind.h) against the DDI
 * reference. Nothing here calls libndis.
 *
 *  - every NDIS_SIZEOF_* runs through the field constants.md names (static);
 *  - every value these headers define is the constants.md value (static);
 *  - members appear in the order of each page's field list, without overlap;
 *  - on 64-bit targets, key structure sizes equal the Windows x64 layout;
 *  - role types, handler typedefs and characteristics members agree, and a
 *    characteristics block filled with role-typed functions calls them;
 *  - the OS-service macros (memory, ULONG load/store, physical addresses,
 *    NDIS_STRING_CONST, interlocked statistics, lists) behave as documented.
 *
 * The HM_LAYOUT, HM_SIZE and HM_CONST lists are transcribed from the ### -field
 * lists of the ns-ndis-*.md pages and the tables of constants.md.
 */
#include <ndis.h>

#include "test.h"

/* ---- NDIS_SIZEOF_* = RTL_SIZEOF_THROUGH_FIELD of the constants.md field -- */

#define HM_THROUGH(T, f) (offsetof(T, f) + RTL_FIELD_SIZE(T, f))
#define HM_SIZE(macro, T, f)                                                    \
    _Static_assert((macro) == HM_THROUGH(T, f), #macro " must run through " #T "." #f)

HM_SIZE(NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1, NDIS_TIMER_CHARACTERISTICS, FunctionContext);
HM_SIZE(NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1, NDIS_CONFIGURATION_OBJECT, Flags);
HM_SIZE(NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, NDIS_STATUS_INDICATION, NdisReserved);
HM_SIZE(NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1, NET_DEVICE_PNP_EVENT, NdisReserved);
HM_SIZE(NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1, NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties);
HM_SIZE(NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1, NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason);
HM_SIZE(NDIS_SIZEOF_RESTART_GENERAL_ATTRIBUTES_REVISION_1, NDIS_RESTART_GENERAL_ATTRIBUTES, SupportedOidListLength);
HM_SIZE(NDIS_SIZEOF_RESTART_GENERAL_ATTRIBUTES_REVISION_2, NDIS_RESTART_GENERAL_ATTRIBUTES, MaxLookaheadSizeAccessed);
HM_SIZE(NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1, NDIS_MINIPORT_RESTART_PARAMETERS, Flags);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1, NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2, NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilitiesEx);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1, NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, TcpConnectionOffloadHardwareCapabilities);
HM_SIZE(NDIS_SIZEOF_HD_SPLIT_ATTRIBUTES_REVISION_1, NDIS_HD_SPLIT_ATTRIBUTES, MaxHeaderSize);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1, NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, HDSplitAttributes);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2, NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, CurrentNicSwitchCapabilities);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3, NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, CurrentQosCapabilities);
HM_SIZE(NDIS_SIZEOF_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1, NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES, Flags);
HM_SIZE(NDIS_SIZEOF_MINIPORT_PNP_CHARACTERISTICS_REVISION_1, NDIS_MINIPORT_PNP_CHARACTERISTICS, Flags);
HM_SIZE(NDIS_SIZEOF_MINIPORT_SS_CHARACTERISTICS_REVISION_1, NDIS_MINIPORT_SS_CHARACTERISTICS, CancelIdleNotificationHandler);
HM_SIZE(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler);
HM_SIZE(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler);
HM_SIZE(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SynchronousOidRequestHandler);
HM_SIZE(NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1, NDIS_BIND_PARAMETERS, BoundAdapterName);
HM_SIZE(NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2, NDIS_BIND_PARAMETERS, HDSplitCurrentConfig);
HM_SIZE(NDIS_SIZEOF_BIND_PARAMETERS_REVISION_3, NDIS_BIND_PARAMETERS, NicSwitchCapabilities);
HM_SIZE(NDIS_SIZEOF_BIND_PARAMETERS_REVISION_4, NDIS_BIND_PARAMETERS, NicSwitchArray);
HM_SIZE(NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NDIS_OPEN_PARAMETERS, FrameTypeArraySize);
HM_SIZE(NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1, NDIS_PROTOCOL_PAUSE_PARAMETERS, PauseReason);
HM_SIZE(NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1, NDIS_PROTOCOL_RESTART_PARAMETERS, Flags);
HM_SIZE(NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1, NET_PNP_EVENT_NOTIFICATION, Flags);
HM_SIZE(NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_2, NET_PNP_EVENT_NOTIFICATION, VPortId);
HM_SIZE(NDIS_SIZEOF_NDIS_BIND_FAILED_NOTIFICATION_REVISION_1, NDIS_BIND_FAILED_NOTIFICATION, MiniportNetLuid);
HM_SIZE(NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, SendNetBufferListsCompleteHandler);
HM_SIZE(NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, DirectOidRequestCompleteHandler);
HM_SIZE(NDIS_SIZEOF_OPEN_PARAMETERS_REVSION_1, NDIS_OPEN_PARAMETERS, FrameTypeArraySize);
HM_SIZE(NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1, NDIS_FILTER_ATTACH_PARAMETERS, Flags);
HM_SIZE(NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2, NDIS_FILTER_ATTACH_PARAMETERS, HDSplitCurrentConfig);
HM_SIZE(NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_3, NDIS_FILTER_ATTACH_PARAMETERS, NicSwitchCapabilities);
HM_SIZE(NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_4, NDIS_FILTER_ATTACH_PARAMETERS, NicSwitchArray);
HM_SIZE(NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1, NDIS_FILTER_ATTRIBUTES, Flags);
HM_SIZE(NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1, NDIS_FILTER_PAUSE_PARAMETERS, PauseReason);
HM_SIZE(NDIS_SIZEOF__FILTER_RESTART_PARAMETERS_REVISION_1, NDIS_FILTER_RESTART_PARAMETERS, Flags);
HM_SIZE(NDIS_SIZEOF_FILTER_INTERFACE_REVISION_1, NDIS_FILTER_INTERFACE, FilterInstanceName);
HM_SIZE(NDIS_SIZEOF_ENUM_FILTERS_REVISION_1, NDIS_ENUM_FILTERS, Filter);
HM_SIZE(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_FILTER_DRIVER_CHARACTERISTICS, StatusHandler);
HM_SIZE(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2, NDIS_FILTER_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler);
HM_SIZE(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_3, NDIS_FILTER_DRIVER_CHARACTERISTICS, SynchronousOidRequestCompleteHandler);
HM_SIZE(NDIS_SIZEOF_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1, NDIS_FILTER_PARTIAL_CHARACTERISTICS, ReturnNetBufferListsHandler);
HM_SIZE(NDIS_SIZEOF_FILTER_INTERFACE_REVISION_2, NDIS_FILTER_INTERFACE, FilterInstanceName);

/* ---- Values (constants.md sections 2 and 4) ------------------------------ */

#define HM_CONST(name, value)                                                   \
    _Static_assert((long long)(name) == (long long)(value), #name " != " #value)

HM_CONST(NDIS_RWL_AT_DISPATCH_LEVEL, 0x00000001);
HM_CONST(NDIS_TIMER_CHARACTERISTICS_REVISION_1, 1);
HM_CONST(NDIS_CONFIGURATION_OBJECT_REVISION_1, 1);
HM_CONST(NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION, 0x00000001);
HM_CONST(NdisParameterInteger, 0);
HM_CONST(NdisParameterHexInteger, 1);
HM_CONST(NdisParameterString, 2);
HM_CONST(NdisParameterMultiString, 3);
HM_CONST(NdisParameterBinary, 4);
HM_CONST(NDIS_STATUS_INDICATION_REVISION_1, 1);
HM_CONST(NDIS_STATUS_INDICATION_FLAGS_NDIS_RESERVED, 0x00000FFF);
HM_CONST(NDIS_STATUS_INDICATION_FLAGS_MEDIA_CONNECT_TO_CONNECT, 0x00001000);
HM_CONST(NDIS_INTERMEDIATE_DRIVER, 0x00000001);
HM_CONST(NDIS_WDM_DRIVER, 0x00000002);
HM_CONST(NDIS_DRIVER_FLAGS_RESERVED, 0x00000008);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE, 0x00000001);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM, 0x00000002);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK, 0x00000004);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS, 0x00000008);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO, 0x00000010);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND, 0x00000020);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER, 0x00000040);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT, 0x00000080);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND, 0x00000100);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS, 0x00000200);
HM_CONST(NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK, 0x00000400);
HM_CONST(NDIS_PAUSE_NDIS_INTERNAL, 0x00000001);
HM_CONST(NDIS_PAUSE_LOW_POWER, 0x00000002);
HM_CONST(NDIS_PAUSE_BIND_PROTOCOL, 0x00000004);
HM_CONST(NDIS_PAUSE_UNBIND_PROTOCOL, 0x00000008);
HM_CONST(NDIS_PAUSE_ATTACH_FILTER, 0x00000010);
HM_CONST(NDIS_PAUSE_DETACH_FILTER, 0x00000020);
HM_CONST(NDIS_PAUSE_FILTER_RESTART_STACK, 0x00000040);
HM_CONST(NDIS_PAUSE_MINIPORT_DEVICE_REMOVE, 0x00000080);
HM_CONST(NDIS_RESTART_GENERAL_ATTRIBUTES_MAX_LOOKAHEAD_ACCESSED_DEFINED, 0x00000001);
HM_CONST(NDIS_MAX_LOOKAHEAD_SIZE_ACCESSED_UNDEFINED, 0xFFFFFFFF);
HM_CONST(NET_DEVICE_PNP_EVENT_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_2, 2);
HM_CONST(NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2, 2);
HM_CONST(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2, 2);
HM_CONST(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_HD_SPLIT_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2, 2);
HM_CONST(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3, 3);
HM_CONST(NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_PNP_CHARACTERISTICS_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_SS_CHARACTERISTICS_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1, 1);
HM_CONST(NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2, 2);
HM_CONST(NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3, 3);
HM_CONST(NdisHaltDeviceDisabled, 0);
HM_CONST(NdisHaltDeviceInstanceDeInitialized, 1);
HM_CONST(NdisHaltDevicePoweredDown, 2);
HM_CONST(NdisHaltDeviceSurpriseRemoved, 3);
HM_CONST(NdisHaltDeviceFailed, 4);
HM_CONST(NdisHaltDeviceInitializationFailed, 5);
HM_CONST(NdisHaltDeviceStopped, 6);
HM_CONST(NdisShutdownPowerOff, 0);
HM_CONST(NdisShutdownBugCheck, 1);
HM_CONST(NDIS_PROTOCOL_DRIVER_SUPPORTS_CURRENT_MAC_ADDRESS_CHANGE, 0x00000002);
HM_CONST(NDIS_PROTOCOL_DRIVER_SUPPORTS_L2_MTU_SIZE_CHANGE, 0x00000004);
HM_CONST(NDIS_BIND_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_BIND_PARAMETERS_REVISION_2, 2);
HM_CONST(NDIS_BIND_PARAMETERS_REVISION_3, 3);
HM_CONST(NDIS_BIND_PARAMETERS_REVISION_4, 4);
HM_CONST(NDIS_OPEN_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1, 1);
HM_CONST(NET_PNP_EVENT_NOTIFICATION_REVISION_1, 1);
HM_CONST(NET_PNP_EVENT_NOTIFICATION_REVISION_2, 2);
HM_CONST(NDIS_BIND_FAILED_NOTIFICATION_REVISION_1, 1);
HM_CONST(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, 1);
HM_CONST(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2, 2);
HM_CONST(NDIS_FILTER_DRIVER_MANDATORY, 0x00000001);
HM_CONST(NDIS_FILTER_DRIVER_SUPPORTS_CURRENT_MAC_ADDRESS_CHANGE, 0x00000002);
HM_CONST(NDIS_FILTER_DRIVER_SUPPORTS_L2_MTU_SIZE_CHANGE, 0x00000004);
HM_CONST(NDIS_FILTER_ATTACH_FLAGS_IGNORE_MANDATORY, 0x00000001);
HM_CONST(NDIS_FILTER_INTERFACE_IM_FILTER, 0x00000001);
HM_CONST(NDIS_FILTER_INTERFACE_LW_FILTER, 0x00000002);
HM_CONST(NDIS_FILTER_INTERFACE_SEND_BYPASS, 0x00000004);
HM_CONST(NDIS_FILTER_INTERFACE_RECEIVE_BYPASS, 0x00000008);
HM_CONST(NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2, 2);
HM_CONST(NDIS_FILTER_ATTACH_PARAMETERS_REVISION_3, 3);
HM_CONST(NDIS_FILTER_ATTACH_PARAMETERS_REVISION_4, 4);
HM_CONST(NDIS_FILTER_ATTRIBUTES_REVISION_1, 1);
HM_CONST(NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_FILTER_RESTART_PARAMETERS_REVISION_1, 1);
HM_CONST(NDIS_FILTER_INTERFACE_REVISION_1, 1);
HM_CONST(NDIS_FILTER_INTERFACE_REVISION_2, 2);
HM_CONST(NDIS_ENUM_FILTERS_REVISION_1, 1);
HM_CONST(NDIS_FILTER_CHARACTERISTICS_REVISION_1, 1);
HM_CONST(NDIS_FILTER_CHARACTERISTICS_REVISION_2, 2);
HM_CONST(NDIS_FILTER_CHARACTERISTICS_REVISION_3, 3);
HM_CONST(NDIS_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1, 1);

/* Header.Type values the pages prescribe for these structures (constants.md 2.1). */
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, 0x8A);
HM_CONST(NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, 0x95);
HM_CONST(NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, 0x8B);
HM_CONST(NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS, 0x8C);
HM_CONST(NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, 0x8D);
HM_CONST(NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, 0x99);
HM_CONST(NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS, 0x9A);
HM_CONST(NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS, 0x9B);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS, 0x81);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, 0x9E);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, 0x9F);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, 0xA0);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, 0xAF);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES, 0xA4);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_PNP_CHARACTERISTICS, 0x92);
HM_CONST(NDIS_OBJECT_TYPE_MINIPORT_SS_CHARACTERISTICS, 0xB4);
HM_CONST(NDIS_OBJECT_TYPE_HD_SPLIT_ATTRIBUTES, 0xAB);
HM_CONST(NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES, 0xA2);
HM_CONST(NDIS_OBJECT_TYPE_BIND_PARAMETERS, 0x86);
HM_CONST(NDIS_OBJECT_TYPE_OPEN_PARAMETERS, 0x87);
HM_CONST(NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS, 0xA3);
HM_CONST(NDIS_OBJECT_TYPE_STATUS_INDICATION, 0x98);
HM_CONST(NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, 0x97);
HM_CONST(NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT, 0xA9);
HM_CONST(NDIS_OBJECT_TYPE_DEFAULT, 0x80);

/* ---- Windows widths (constants.md section 5) ----------------------------- */

_Static_assert(sizeof(NDIS_SPIN_LOCK) == 2 * sizeof(PVOID), "KSPIN_LOCK + KIRQL, padded");
_Static_assert(sizeof(LOCK_STATE_EX) == 3, "three UCHAR-sized members");
_Static_assert(sizeof(NDIS_PARAMETER_TYPE) == 4 && sizeof(NDIS_HALT_ACTION) == 4 &&
                   sizeof(NDIS_SHUTDOWN_ACTION) == 4,
               "enums are 32-bit");
_Static_assert(sizeof(NET_FRAME_TYPE) == 2, "NET_FRAME_TYPE is a USHORT");
_Static_assert(_Alignof(NDIS_EVENT) >= 16 && sizeof(NDIS_EVENT) >= 128, "event storage");
_Static_assert(_Alignof(NPAGED_LOOKASIDE_LIST) >= 16 && sizeof(NPAGED_LOOKASIDE_LIST) >= 128,
               "lookaside list head must be 16-byte aligned on 64-bit targets");
_Static_assert(offsetof(NDIS_RESTART_ATTRIBUTES, Data) % MEMORY_ALLOCATION_ALIGNMENT == 0,
               "restart attribute data is allocation-aligned");

#if defined(_WIN64)
/* Windows x64 (LLP64) layout; worked out by hand from the page field lists. */
_Static_assert(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 == 136, "x64");
_Static_assert(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 == 152, "x64");
_Static_assert(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 == 160, "x64");
_Static_assert(NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 == 120, "x64");
_Static_assert(NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2 == 128, "x64");
_Static_assert(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 == 200, "x64");
_Static_assert(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2 == 224, "x64");
_Static_assert(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_3 == 240, "x64");
_Static_assert(NDIS_SIZEOF_STATUS_INDICATION_REVISION_1 == 112, "x64");
_Static_assert(NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1 == 64, "x64");
_Static_assert(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 == 28, "x64");
_Static_assert(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 == 216, "x64");
_Static_assert(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 == 224, "x64");
_Static_assert(NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1 == 248, "x64");
_Static_assert(offsetof(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, RecvScaleCapabilities) == 160,
               "x64: MAC addresses are UCHAR[32], then pointer alignment");
#endif

/* ---- Role types, handler typedefs and characteristics members ------------ */

#define HM_HANDLER(T, member, ROLE, HANDLER)                                    \
    _Static_assert(__builtin_types_compatible_p(__typeof__(((T *)0)->member), HANDLER) && \
                       __builtin_types_compatible_p(ROLE *, HANDLER),           \
                   #T "." #member " is a " #HANDLER)

#define MP NDIS_MINIPORT_DRIVER_CHARACTERISTICS
HM_HANDLER(MP, SetOptionsHandler, MINIPORT_SET_OPTIONS, SET_OPTIONS_HANDLER);
HM_HANDLER(MP, InitializeHandlerEx, MINIPORT_INITIALIZE, MINIPORT_INITIALIZE_HANDLER);
HM_HANDLER(MP, HaltHandlerEx, MINIPORT_HALT, MINIPORT_HALT_HANDLER);
HM_HANDLER(MP, UnloadHandler, MINIPORT_UNLOAD, MINIPORT_DRIVER_UNLOAD);
HM_HANDLER(MP, PauseHandler, MINIPORT_PAUSE, MINIPORT_PAUSE_HANDLER);
HM_HANDLER(MP, RestartHandler, MINIPORT_RESTART, MINIPORT_RESTART_HANDLER);
HM_HANDLER(MP, OidRequestHandler, MINIPORT_OID_REQUEST, MINIPORT_OID_REQUEST_HANDLER);
HM_HANDLER(MP, SendNetBufferListsHandler, MINIPORT_SEND_NET_BUFFER_LISTS,
           MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(MP, ReturnNetBufferListsHandler, MINIPORT_RETURN_NET_BUFFER_LISTS,
           MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(MP, CancelSendHandler, MINIPORT_CANCEL_SEND, MINIPORT_CANCEL_SEND_HANDLER);
HM_HANDLER(MP, CheckForHangHandlerEx, MINIPORT_CHECK_FOR_HANG, MINIPORT_CHECK_FOR_HANG_HANDLER);
HM_HANDLER(MP, ResetHandlerEx, MINIPORT_RESET, MINIPORT_RESET_HANDLER);
HM_HANDLER(MP, DevicePnPEventNotifyHandler, MINIPORT_DEVICE_PNP_EVENT_NOTIFY,
           MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER);
HM_HANDLER(MP, ShutdownHandlerEx, MINIPORT_SHUTDOWN, MINIPORT_SHUTDOWN_HANDLER);
HM_HANDLER(MP, CancelOidRequestHandler, MINIPORT_CANCEL_OID_REQUEST,
           MINIPORT_CANCEL_OID_REQUEST_HANDLER);
HM_HANDLER(MP, DirectOidRequestHandler, MINIPORT_DIRECT_OID_REQUEST,
           MINIPORT_DIRECT_OID_REQUEST_HANDLER);
HM_HANDLER(MP, CancelDirectOidRequestHandler, MINIPORT_CANCEL_DIRECT_OID_REQUEST,
           MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER);
HM_HANDLER(MP, SynchronousOidRequestHandler, MINIPORT_SYNCHRONOUS_OID_REQUEST,
           MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER);
#undef MP
HM_HANDLER(NDIS_MINIPORT_PNP_CHARACTERISTICS, MiniportAddDeviceHandler, MINIPORT_ADD_DEVICE,
           MINIPORT_ADD_DEVICE_HANDLER);
HM_HANDLER(NDIS_MINIPORT_PNP_CHARACTERISTICS, MiniportRemoveDeviceHandler,
           MINIPORT_REMOVE_DEVICE, MINIPORT_REMOVE_DEVICE_HANDLER);
HM_HANDLER(NDIS_MINIPORT_PNP_CHARACTERISTICS, MiniportFilterResourceRequirementsHandler,
           MINIPORT_FILTER_RESOURCE_REQUIREMENTS, MINIPORT_PNP_IRP_HANDLER);
HM_HANDLER(NDIS_MINIPORT_PNP_CHARACTERISTICS, MiniportStartDeviceHandler, MINIPORT_START_DEVICE,
           MINIPORT_PNP_IRP_HANDLER);
HM_HANDLER(NDIS_MINIPORT_SS_CHARACTERISTICS, IdleNotificationHandler, MINIPORT_IDLE_NOTIFICATION,
           MINIPORT_IDLE_NOTIFICATION_HANDLER);
HM_HANDLER(NDIS_MINIPORT_SS_CHARACTERISTICS, CancelIdleNotificationHandler,
           MINIPORT_CANCEL_IDLE_NOTIFICATION, MINIPORT_CANCEL_IDLE_NOTIFICATION_HANDLER);

#define PT NDIS_PROTOCOL_DRIVER_CHARACTERISTICS
HM_HANDLER(PT, SetOptionsHandler, PROTOCOL_SET_OPTIONS, SET_OPTIONS_HANDLER);
HM_HANDLER(PT, BindAdapterHandlerEx, PROTOCOL_BIND_ADAPTER_EX, BIND_HANDLER_EX);
HM_HANDLER(PT, UnbindAdapterHandlerEx, PROTOCOL_UNBIND_ADAPTER_EX, UNBIND_HANDLER_EX);
HM_HANDLER(PT, OpenAdapterCompleteHandlerEx, PROTOCOL_OPEN_ADAPTER_COMPLETE_EX,
           OPEN_ADAPTER_COMPLETE_HANDLER_EX);
HM_HANDLER(PT, CloseAdapterCompleteHandlerEx, PROTOCOL_CLOSE_ADAPTER_COMPLETE_EX,
           CLOSE_ADAPTER_COMPLETE_HANDLER_EX);
HM_HANDLER(PT, NetPnPEventHandler, PROTOCOL_NET_PNP_EVENT, NET_PNP_EVENT_HANDLER);
HM_HANDLER(PT, UninstallHandler, PROTOCOL_UNINSTALL, UNINSTALL_PROTOCOL_HANDLER);
HM_HANDLER(PT, OidRequestCompleteHandler, PROTOCOL_OID_REQUEST_COMPLETE,
           OID_REQUEST_COMPLETE_HANDLER);
HM_HANDLER(PT, StatusHandlerEx, PROTOCOL_STATUS_EX, STATUS_HANDLER_EX);
HM_HANDLER(PT, ReceiveNetBufferListsHandler, PROTOCOL_RECEIVE_NET_BUFFER_LISTS,
           RECEIVE_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(PT, SendNetBufferListsCompleteHandler, PROTOCOL_SEND_NET_BUFFER_LISTS_COMPLETE,
           SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER);
HM_HANDLER(PT, DirectOidRequestCompleteHandler, PROTOCOL_DIRECT_OID_REQUEST_COMPLETE,
           DIRECT_OID_REQUEST_COMPLETE_HANDLER);
#undef PT

#define FL NDIS_FILTER_DRIVER_CHARACTERISTICS
HM_HANDLER(FL, SetOptionsHandler, FILTER_SET_OPTIONS, SET_OPTIONS_HANDLER);
HM_HANDLER(FL, SetFilterModuleOptionsHandler, FILTER_SET_MODULE_OPTIONS,
           FILTER_SET_MODULE_OPTIONS_HANDLER);
HM_HANDLER(FL, AttachHandler, FILTER_ATTACH, FILTER_ATTACH_HANDLER);
HM_HANDLER(FL, DetachHandler, FILTER_DETACH, FILTER_DETACH_HANDLER);
HM_HANDLER(FL, RestartHandler, FILTER_RESTART, FILTER_RESTART_HANDLER);
HM_HANDLER(FL, PauseHandler, FILTER_PAUSE, FILTER_PAUSE_HANDLER);
HM_HANDLER(FL, SendNetBufferListsHandler, FILTER_SEND_NET_BUFFER_LISTS,
           FILTER_SEND_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(FL, SendNetBufferListsCompleteHandler, FILTER_SEND_NET_BUFFER_LISTS_COMPLETE,
           FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER);
HM_HANDLER(FL, CancelSendNetBufferListsHandler, FILTER_CANCEL_SEND_NET_BUFFER_LISTS,
           FILTER_CANCEL_SEND_HANDLER);
HM_HANDLER(FL, ReceiveNetBufferListsHandler, FILTER_RECEIVE_NET_BUFFER_LISTS,
           FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(FL, ReturnNetBufferListsHandler, FILTER_RETURN_NET_BUFFER_LISTS,
           FILTER_RETURN_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(FL, OidRequestHandler, FILTER_OID_REQUEST, FILTER_OID_REQUEST_HANDLER);
HM_HANDLER(FL, OidRequestCompleteHandler, FILTER_OID_REQUEST_COMPLETE,
           FILTER_OID_REQUEST_COMPLETE_HANDLER);
HM_HANDLER(FL, CancelOidRequestHandler, FILTER_CANCEL_OID_REQUEST,
           FILTER_CANCEL_OID_REQUEST_HANDLER);
HM_HANDLER(FL, DevicePnPEventNotifyHandler, FILTER_DEVICE_PNP_EVENT_NOTIFY,
           FILTER_DEVICE_PNP_EVENT_NOTIFY_HANDLER);
HM_HANDLER(FL, NetPnPEventHandler, FILTER_NET_PNP_EVENT, FILTER_NET_PNP_EVENT_HANDLER);
HM_HANDLER(FL, StatusHandler, FILTER_STATUS, FILTER_STATUS_HANDLER);
HM_HANDLER(FL, DirectOidRequestHandler, FILTER_DIRECT_OID_REQUEST,
           FILTER_DIRECT_OID_REQUEST_HANDLER);
HM_HANDLER(FL, DirectOidRequestCompleteHandler, FILTER_DIRECT_OID_REQUEST_COMPLETE,
           FILTER_DIRECT_OID_REQUEST_COMPLETE_HANDLER);
HM_HANDLER(FL, CancelDirectOidRequestHandler, FILTER_CANCEL_DIRECT_OID_REQUEST,
           FILTER_CANCEL_DIRECT_OID_REQUEST_HANDLER);
HM_HANDLER(FL, SynchronousOidRequestHandler, FILTER_SYNCHRONOUS_OID_REQUEST,
           FILTER_SYNCHRONOUS_OID_REQUEST_HANDLER);
HM_HANDLER(FL, SynchronousOidRequestCompleteHandler, FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE,
           FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE_HANDLER);
#undef FL
HM_HANDLER(NDIS_FILTER_PARTIAL_CHARACTERISTICS, SendNetBufferListsHandler,
           FILTER_SEND_NET_BUFFER_LISTS, FILTER_SEND_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(NDIS_FILTER_PARTIAL_CHARACTERISTICS, CancelSendNetBufferListsHandler,
           FILTER_CANCEL_SEND_NET_BUFFER_LISTS, FILTER_CANCEL_SEND_HANDLER);
HM_HANDLER(NDIS_FILTER_PARTIAL_CHARACTERISTICS, ReturnNetBufferListsHandler,
           FILTER_RETURN_NET_BUFFER_LISTS, FILTER_RETURN_NET_BUFFER_LISTS_HANDLER);
HM_HANDLER(NDIS_TIMER_CHARACTERISTICS, TimerFunction, NDIS_TIMER_FUNCTION, PNDIS_TIMER_FUNCTION);
_Static_assert(__builtin_types_compatible_p(NDIS_IO_WORKITEM_FUNCTION *, NDIS_IO_WORKITEM_ROUTINE),
               "NDIS_IO_WORKITEM_ROUTINE points to an NDIS_IO_WORKITEM_FUNCTION");

/* Functions declared the WDK way, through their role types. */
static MINIPORT_INITIALIZE HmInitializeEx;
static MINIPORT_HALT HmHaltEx;
static MINIPORT_CHECK_FOR_HANG HmCheckForHangEx;
static MINIPORT_RESET HmResetEx;
static PROTOCOL_BIND_ADAPTER_EX HmBindAdapterEx;
static PROTOCOL_UNINSTALL HmUninstall;
static FILTER_ATTACH HmAttach;
static FILTER_OID_REQUEST_COMPLETE HmOidRequestComplete;
static FILTER_SYNCHRONOUS_OID_REQUEST HmSynchronousOidRequest;
static NDIS_TIMER_FUNCTION HmTimer;
static NDIS_IO_WORKITEM_FUNCTION HmWorkItem;

static int hm_calls;

_Use_decl_annotations_
static NDIS_STATUS
HmInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
               PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    hm_calls++;
    return (NdisMiniportHandle == MiniportDriverContext && MiniportInitParameters != NULL)
               ? NDIS_STATUS_SUCCESS
               : NDIS_STATUS_FAILURE;
}

_Use_decl_annotations_
static VOID
HmHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    hm_calls += (MiniportAdapterContext != NULL && HaltAction == NdisHaltDeviceStopped) ? 1 : 100;
}

_Use_decl_annotations_
static BOOLEAN
HmCheckForHangEx(NDIS_HANDLE MiniportAdapterContext)
{
    hm_calls++;
    return MiniportAdapterContext == NULL;
}

_Use_decl_annotations_
static NDIS_STATUS
HmResetEx(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    *AddressingReset = TRUE;
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static NDIS_STATUS
HmBindAdapterEx(NDIS_HANDLE ProtocolDriverContext, NDIS_HANDLE BindContext,
                PNDIS_BIND_PARAMETERS BindParameters)
{
    UNREFERENCED_PARAMETER(ProtocolDriverContext);
    UNREFERENCED_PARAMETER(BindContext);
    hm_calls++;
    return BindParameters->MediaType == NdisMedium802_3 ? NDIS_STATUS_SUCCESS
                                                         : NDIS_STATUS_UNSUPPORTED_MEDIA;
}

_Use_decl_annotations_
static VOID
HmUninstall(VOID)
{
    hm_calls++;
}

_Use_decl_annotations_
static NDIS_STATUS
HmAttach(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext,
         PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    UNREFERENCED_PARAMETER(NdisFilterHandle);
    UNREFERENCED_PARAMETER(FilterDriverContext);
    hm_calls++;
    return AttachParameters->Header.Type == NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS
               ? NDIS_STATUS_SUCCESS
               : NDIS_STATUS_INVALID_PARAMETER;
}

_Use_decl_annotations_
static VOID
HmOidRequestComplete(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                     NDIS_STATUS Status)
{
    UNREFERENCED_PARAMETER(FilterModuleContext);
    UNREFERENCED_PARAMETER(OidRequest);
    hm_calls += Status == NDIS_STATUS_SUCCESS ? 1 : 100;
}

_Use_decl_annotations_
static NDIS_STATUS
HmSynchronousOidRequest(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                        PVOID *CallContext)
{
    UNREFERENCED_PARAMETER(OidRequest);
    *CallContext = FilterModuleContext;
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID
HmTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
        PVOID SystemSpecific3)
{
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    (*(int *)FunctionContext)++;
}

_Use_decl_annotations_
static VOID
HmWorkItem(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)
{
    UNREFERENCED_PARAMETER(NdisIoWorkItemHandle);
    (*(int *)WorkItemContext)++;
}

TEST(role_typed_handlers_fill_characteristics)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS mp;
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS pt;
    NDIS_FILTER_DRIVER_CHARACTERISTICS fl;
    NDIS_TIMER_CHARACTERISTICS timer;
    NDIS_MINIPORT_INIT_PARAMETERS init;
    NDIS_BIND_PARAMETERS bind;
    NDIS_FILTER_ATTACH_PARAMETERS attach;
    NDIS_IO_WORKITEM_ROUTINE work = HmWorkItem;
    BOOLEAN addressingReset = FALSE;
    PVOID callContext = NULL;
    int ticks = 0;

    NdisZeroMemory(&mp, sizeof(mp));
    mp.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    mp.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3;
    mp.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3;
    mp.InitializeHandlerEx = HmInitializeEx;
    mp.HaltHandlerEx = HmHaltEx;
    mp.CheckForHangHandlerEx = HmCheckForHangEx;
    mp.ResetHandlerEx = HmResetEx;
    T_EQ(mp.Header.Size, sizeof(mp));

    NdisZeroMemory(&init, sizeof(init));
    init.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS;
    T_EQ(mp.InitializeHandlerEx(&mp, &mp, &init), NDIS_STATUS_SUCCESS);
    mp.HaltHandlerEx(&mp, NdisHaltDeviceStopped);
    T_EQ(mp.CheckForHangHandlerEx(&mp), FALSE);
    T_EQ(mp.ResetHandlerEx(&mp, &addressingReset), NDIS_STATUS_SUCCESS);
    T_EQ(addressingReset, TRUE);

    NdisZeroMemory(&pt, sizeof(pt));
    pt.BindAdapterHandlerEx = HmBindAdapterEx;
    pt.UninstallHandler = HmUninstall;
    NdisZeroMemory(&bind, sizeof(bind));
    bind.MediaType = NdisMedium802_3;
    T_EQ(pt.BindAdapterHandlerEx(NULL, NULL, &bind), NDIS_STATUS_SUCCESS);
    pt.UninstallHandler();

    NdisZeroMemory(&fl, sizeof(fl));
    fl.AttachHandler = HmAttach;
    fl.OidRequestCompleteHandler = HmOidRequestComplete;
    fl.SynchronousOidRequestHandler = HmSynchronousOidRequest;
    NdisZeroMemory(&attach, sizeof(attach));
    attach.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS;
    T_EQ(fl.AttachHandler(NULL, NULL, &attach), NDIS_STATUS_SUCCESS);
    fl.OidRequestCompleteHandler(NULL, NULL, NDIS_STATUS_SUCCESS);
    T_EQ(fl.SynchronousOidRequestHandler(&fl, NULL, &callContext), NDIS_STATUS_SUCCESS);
    T_ASSERT(callContext == &fl);

    NdisZeroMemory(&timer, sizeof(timer));
    timer.TimerFunction = HmTimer;
    timer.FunctionContext = &ticks;
    timer.TimerFunction(NULL, timer.FunctionContext, NULL, NULL);
    work(&ticks, NULL);
    T_EQ(ticks, 2);
    T_EQ(hm_calls, 7);
}

/* ---- Member order of every structure (the pages' field lists) ------------ */

struct hm_member {
    size_t offset;
    size_t size;
    const char *name;
};

static void
hm_check_layout(const char *type, size_t type_size, const struct hm_member *m, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        T_ASSERT_MSG(m[i].offset + m[i].size <= type_size, "%s.%s lies outside the structure",
                     type, m[i].name);
        if (i > 0)
            T_ASSERT_MSG(m[i - 1].offset + m[i - 1].size <= m[i].offset,
                         "%s: %s must follow %s", type, m[i].name, m[i - 1].name);
    }
}

#define M(f) { offsetof(T, f), RTL_FIELD_SIZE(T, f), #f }
#define HM_LAYOUT_(type, ...)                                                   \
    do {                                                                        \
        static const struct hm_member hm_m_[] = { __VA_ARGS__ };                \
        hm_check_layout(#type, sizeof(type), hm_m_, RTL_NUMBER_OF(hm_m_));      \
    } while (0)
#define HM_LAYOUT(type, ...) HM_LAYOUT_(type, __VA_ARGS__)

TEST(members_follow_page_order)
{
#define T NDIS_MINIPORT_DRIVER_CHARACTERISTICS /* ns-ndis-_ndis_miniport_driver_characteristics.md */
    HM_LAYOUT(T, M(Header), M(MajorNdisVersion), M(MinorNdisVersion), M(MajorDriverVersion),
              M(MinorDriverVersion), M(Flags), M(SetOptionsHandler), M(InitializeHandlerEx),
              M(HaltHandlerEx), M(UnloadHandler), M(PauseHandler), M(RestartHandler),
              M(OidRequestHandler), M(SendNetBufferListsHandler), M(ReturnNetBufferListsHandler),
              M(CancelSendHandler), M(CheckForHangHandlerEx), M(ResetHandlerEx),
              M(DevicePnPEventNotifyHandler), M(ShutdownHandlerEx), M(CancelOidRequestHandler),
              M(DirectOidRequestHandler), M(CancelDirectOidRequestHandler),
              M(SynchronousOidRequestHandler));
#undef T
#define T NDIS_MINIPORT_INIT_PARAMETERS /* ns-ndis-_ndis_miniport_init_parameters.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(AllocatedResources), M(IMDeviceInstanceContext),
              M(MiniportAddDeviceContext), M(IfIndex), M(NetLuid), M(DefaultPortAuthStates),
              M(PciDeviceCustomProperties));
#undef T
#define T NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES /* ns-ndis-_ndis_miniport_adapter_registration_attributes.md */
    HM_LAYOUT(T, M(Header), M(MiniportAdapterContext), M(AttributeFlags), M(CheckForHangTimeInSeconds),
              M(InterfaceType));
#undef T
#define T NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES /* ns-ndis-_ndis_miniport_adapter_general_attributes.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(MediaType), M(PhysicalMediumType), M(MtuSize),
              M(MaxXmitLinkSpeed), M(XmitLinkSpeed), M(MaxRcvLinkSpeed), M(RcvLinkSpeed),
              M(MediaConnectState), M(MediaDuplexState), M(LookaheadSize),
              M(PowerManagementCapabilities), M(MacOptions), M(SupportedPacketFilters),
              M(MaxMulticastListSize), M(MacAddressLength), M(PermanentMacAddress),
              M(CurrentMacAddress), M(RecvScaleCapabilities), M(AccessType), M(DirectionType),
              M(ConnectionType), M(IfType), M(IfConnectorPresent), M(SupportedStatistics),
              M(SupportedPauseFunctions), M(DataBackFillSize), M(ContextBackFillSize),
              M(SupportedOidList), M(SupportedOidListLength), M(AutoNegotiationFlags),
              M(PowerManagementCapabilitiesEx));
#undef T
#define T NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES /* ns-ndis-_ndis_miniport_adapter_offload_attributes.md */
    HM_LAYOUT(T, M(Header), M(DefaultOffloadConfiguration), M(HardwareOffloadCapabilities),
              M(DefaultTcpConnectionOffloadConfiguration), M(TcpConnectionOffloadHardwareCapabilities));
#undef T
#define T NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES /* ns-ndis-_ndis_miniport_adapter_hardware_assist_attributes.md */
    HM_LAYOUT(T, M(Header), M(HDSplitAttributes), M(HardwareReceiveFilterCapabilities),
              M(CurrentReceiveFilterCapabilities), M(HardwareNicSwitchCapabilities),
              M(CurrentNicSwitchCapabilities), M(HardwareSriovCapabilities),
              M(CurrentSriovCapabilities), M(HardwareQosCapabilities), M(CurrentQosCapabilities),
              M(HardwareGftOffloadCapabilities), M(CurrentGftOffloadCapabilities));
#undef T
#define T NDIS_HD_SPLIT_ATTRIBUTES /* ns-ndis-_ndis_hd_split_attributes.md */
    HM_LAYOUT(T, M(Header), M(HardwareCapabilities), M(CurrentCapabilities), M(HDSplitFlags),
              M(BackfillSize), M(MaxHeaderSize));
#undef T
#define T NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES /* ns-ndis-_ndis_miniport_add_device_registration_attributes.md */
    HM_LAYOUT(T, M(Header), M(MiniportAddDeviceContext), M(Flags));
#undef T
#define T NDIS_MINIPORT_PAUSE_PARAMETERS /* ns-ndis-_ndis_miniport_pause_parameters.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(PauseReason));
#undef T
#define T NDIS_MINIPORT_RESTART_PARAMETERS /* ns-ndis-_ndis_miniport_restart_parameters.md */
    HM_LAYOUT(T, M(Header), M(RestartAttributes), M(Flags));
#undef T
#define T NDIS_RESTART_ATTRIBUTES /* ns-ndis-_ndis_restart_attributes.md */
    HM_LAYOUT(T, M(Next), M(Oid), M(DataLength), M(Data));
#undef T
#define T NDIS_RESTART_GENERAL_ATTRIBUTES /* ns-ndis-_ndis_restart_general_attributes.md */
    HM_LAYOUT(T, M(Header), M(MtuSize), M(MaxXmitLinkSpeed), M(MaxRcvLinkSpeed), M(LookaheadSize),
              M(MacOptions), M(SupportedPacketFilters), M(MaxMulticastListSize),
              M(RecvScaleCapabilities), M(AccessType), M(Flags), M(ConnectionType),
              M(SupportedStatistics), M(DataBackFillSize), M(ContextBackFillSize),
              M(SupportedOidList), M(SupportedOidListLength), M(MaxLookaheadSizeAccessed));
#undef T
#define T NDIS_MINIPORT_PNP_CHARACTERISTICS /* ns-ndis-_ndis_miniport_pnp_characteristics.md */
    HM_LAYOUT(T, M(Header), M(MiniportAddDeviceHandler), M(MiniportRemoveDeviceHandler),
              M(MiniportFilterResourceRequirementsHandler), M(MiniportStartDeviceHandler), M(Flags));
#undef T
#define T NDIS_MINIPORT_SS_CHARACTERISTICS /* ns-ndis-_ndis_miniport_ss_characteristics.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(IdleNotificationHandler), M(CancelIdleNotificationHandler));
#undef T
#define T NET_DEVICE_PNP_EVENT /* ns-ndis-_net_device_pnp_event.md */
    HM_LAYOUT(T, M(Header), M(PortNumber), M(DevicePnPEvent), M(InformationBuffer),
              M(InformationBufferLength), M(NdisReserved));
#undef T
#define T NDIS_PROTOCOL_DRIVER_CHARACTERISTICS /* ns-ndis-_ndis_protocol_driver_characteristics.md */
    HM_LAYOUT(T, M(Header), M(MajorNdisVersion), M(MinorNdisVersion), M(MajorDriverVersion),
              M(MinorDriverVersion), M(Flags), M(Name), M(SetOptionsHandler), M(BindAdapterHandlerEx),
              M(UnbindAdapterHandlerEx), M(OpenAdapterCompleteHandlerEx),
              M(CloseAdapterCompleteHandlerEx), M(NetPnPEventHandler), M(UninstallHandler),
              M(OidRequestCompleteHandler), M(StatusHandlerEx), M(ReceiveNetBufferListsHandler),
              M(SendNetBufferListsCompleteHandler), M(DirectOidRequestCompleteHandler));
#undef T
#define T NDIS_BIND_PARAMETERS /* ns-ndis-_ndis_bind_parameters.md */
    HM_LAYOUT(T, M(Header), M(ProtocolSection), M(AdapterName), M(PhysicalDeviceObject), M(MediaType),
              M(MtuSize), M(MaxXmitLinkSpeed), M(XmitLinkSpeed), M(MaxRcvLinkSpeed), M(RcvLinkSpeed),
              M(MediaConnectState), M(MediaDuplexState), M(LookaheadSize),
              M(PowerManagementCapabilities), M(SupportedPacketFilters), M(MaxMulticastListSize),
              M(MacAddressLength), M(CurrentMacAddress), M(PhysicalMediumType),
              M(RcvScaleCapabilities), M(BoundIfNetluid), M(BoundIfIndex), M(LowestIfNetluid),
              M(LowestIfIndex), M(AccessType), M(DirectionType), M(ConnectionType), M(IfType),
              M(IfConnectorPresent), M(ActivePorts), M(DataBackFillSize), M(ContextBackFillSize),
              M(MacOptions), M(CompartmentId), M(DefaultOffloadConfiguration),
              M(TcpConnectionOffloadCapabilities), M(BoundAdapterName), M(HDSplitCurrentConfig),
              M(ReceiveFilterCapabilities), M(PowerManagementCapabilitiesEx),
              M(NicSwitchCapabilities), M(NDKEnabled), M(NDKCapabilities), M(SriovCapabilities),
              M(NicSwitchArray));
#undef T
#define T NDIS_OPEN_PARAMETERS /* ns-ndis-_ndis_open_parameters.md */
    HM_LAYOUT(T, M(Header), M(AdapterName), M(MediumArray), M(MediumArraySize), M(SelectedMediumIndex),
              M(FrameTypeArray), M(FrameTypeArraySize));
#undef T
#define T NDIS_PROTOCOL_PAUSE_PARAMETERS /* ns-ndis-_ndis_protocol_pause_parameters.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(PauseReason));
#undef T
#define T NDIS_PROTOCOL_RESTART_PARAMETERS /* ns-ndis-_ndis_protocol_restart_parameters.md */
    HM_LAYOUT(T, M(Header), M(FilterModuleNameBuffer), M(FilterModuleNameBufferLength),
              M(RestartAttributes), M(BoundIfIndex), M(BoundIfNetluid), M(Flags));
#undef T
#define T NET_PNP_EVENT_NOTIFICATION /* ns-ndis-_net_pnp_event_notification.md */
    HM_LAYOUT(T, M(Header), M(PortNumber), M(NetPnPEvent), M(Flags), M(SwitchId), M(VPortId));
#undef T
#define T NDIS_BIND_FAILED_NOTIFICATION /* ns-ndis-_ndis_bind_failed_notification.md */
    HM_LAYOUT(T, M(Header), M(MiniportNetLuid));
#undef T
#define T NDIS_FILTER_DRIVER_CHARACTERISTICS /* ns-ndis-_ndis_filter_driver_characteristics.md */
    HM_LAYOUT(T, M(Header), M(MajorNdisVersion), M(MinorNdisVersion), M(MajorDriverVersion),
              M(MinorDriverVersion), M(Flags), M(FriendlyName), M(UniqueName), M(ServiceName),
              M(SetOptionsHandler), M(SetFilterModuleOptionsHandler), M(AttachHandler),
              M(DetachHandler), M(RestartHandler), M(PauseHandler), M(SendNetBufferListsHandler),
              M(SendNetBufferListsCompleteHandler), M(CancelSendNetBufferListsHandler),
              M(ReceiveNetBufferListsHandler), M(ReturnNetBufferListsHandler), M(OidRequestHandler),
              M(OidRequestCompleteHandler), M(CancelOidRequestHandler),
              M(DevicePnPEventNotifyHandler), M(NetPnPEventHandler), M(StatusHandler),
              M(DirectOidRequestHandler), M(DirectOidRequestCompleteHandler),
              M(CancelDirectOidRequestHandler), M(SynchronousOidRequestHandler),
              M(SynchronousOidRequestCompleteHandler));
#undef T
#define T NDIS_FILTER_ATTACH_PARAMETERS /* ns-ndis-_ndis_filter_attach_parameters.md */
    HM_LAYOUT(T, M(Header), M(IfIndex), M(NetLuid), M(FilterModuleGuidName), M(BaseMiniportIfIndex),
              M(BaseMiniportInstanceName), M(BaseMiniportName), M(MediaConnectState),
              M(MediaDuplexState), M(XmitLinkSpeed), M(RcvLinkSpeed), M(MiniportMediaType),
              M(MiniportPhysicalMediaType), M(MiniportMediaSpecificAttributes),
              M(DefaultOffloadConfiguration), M(MacAddressLength), M(CurrentMacAddress),
              M(BaseMiniportNetLuid), M(LowerIfIndex), M(LowerIfNetLuid), M(Flags),
              M(HDSplitCurrentConfig), M(ReceiveFilterCapabilities), M(MiniportPhysicalDeviceObject),
              M(NicSwitchCapabilities), M(BaseMiniportIfConnectorPresent), M(SriovCapabilities),
              M(NicSwitchArray));
#undef T
#define T NDIS_FILTER_ATTRIBUTES /* ns-ndis-_ndis_filter_attributes.md */
    HM_LAYOUT(T, M(Header), M(Flags));
#undef T
#define T NDIS_FILTER_PAUSE_PARAMETERS /* ns-ndis-_ndis_filter_pause_parameters.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(PauseReason));
#undef T
#define T NDIS_FILTER_RESTART_PARAMETERS /* ns-ndis-_ndis_filter_restart_parameters.md */
    HM_LAYOUT(T, M(Header), M(MiniportMediaType), M(MiniportPhysicalMediaType), M(RestartAttributes),
              M(LowerIfIndex), M(LowerIfNetLuid), M(Flags));
#undef T
#define T NDIS_FILTER_PARTIAL_CHARACTERISTICS /* ns-ndis-_ndis_filter_partial_characteristics.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(SendNetBufferListsHandler), M(SendNetBufferListsCompleteHandler),
              M(CancelSendNetBufferListsHandler), M(ReceiveNetBufferListsHandler),
              M(ReturnNetBufferListsHandler));
#undef T
#define T NDIS_FILTER_INTERFACE /* ns-ndis-_ndis_filter_interface.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(FilterType), M(FilterRunType), M(IfIndex), M(NetLuid),
              M(FilterClass), M(FilterInstanceName));
#undef T
#define T NDIS_ENUM_FILTERS /* ns-ndis-_ndis_enum_filters.md */
    HM_LAYOUT(T, M(Header), M(Flags), M(NumberOfFilters), M(OffsetFirstFilter), M(Filter));
#undef T
#define T NDIS_CONFIGURATION_OBJECT /* ns-ndis-_ndis_configuration_object.md */
    HM_LAYOUT(T, M(Header), M(NdisHandle), M(Flags));
#undef T
#define T NDIS_CONFIGURATION_PARAMETER /* ns-ndis-_ndis_configuration_parameter.md */
    HM_LAYOUT(T, M(ParameterType), M(ParameterData));
#undef T
#define T BINARY_DATA /* ns-ndis-binary_data.md */
    HM_LAYOUT(T, M(Length), M(Buffer));
#undef T
#define T NDIS_STATUS_INDICATION /* ns-ndis-_ndis_status_indication.md */
    HM_LAYOUT(T, M(Header), M(SourceHandle), M(PortNumber), M(StatusCode), M(Flags),
              M(DestinationHandle), M(RequestId), M(StatusBuffer), M(StatusBufferSize), M(Guid),
              M(NdisReserved));
#undef T
#define T NDIS_TIMER_CHARACTERISTICS /* ns-ndis-_ndis_timer_characteristics.md */
    HM_LAYOUT(T, M(Header), M(AllocationTag), M(TimerFunction), M(FunctionContext));
#undef T
#define T LOCK_STATE_EX /* ns-ndis-_lock_state_ex.md */
    HM_LAYOUT(T, M(OldIrql), M(LockState), M(Flags));
#undef T
}
#undef M

/* ---- OS-service macros --------------------------------------------------- */

TEST(memory_and_ulong_macros)
{
    UCHAR buffer[16];
    UCHAR other[16];
    ULONG value = 0;

    NdisFillMemory(buffer, sizeof(buffer), 0xA5);
    T_EQ(buffer[0], 0xA5);
    T_EQ(buffer[15], 0xA5);
    NdisZeroMemory(buffer, sizeof(buffer));
    T_EQ(buffer[7], 0);
    NdisMoveMemory(other, buffer, sizeof(buffer));
    T_ASSERT(NdisEqualMemory(other, buffer, sizeof(buffer)));
    other[3] = 1;
    T_ASSERT(!NdisEqualMemory(other, buffer, sizeof(buffer)));

    /* An odd address: the ULONG helpers must not need alignment. */
    NdisStoreUlong(&buffer[1], 0x11223344);
    T_EQ(buffer[1], 0x44); /* little-endian, as on every Windows target */
    T_EQ(buffer[4], 0x11);
    NdisRetrieveUlong(&value, &buffer[1]);
    T_EQ(value, 0x11223344);
}

TEST(physical_address_helpers)
{
    NDIS_PHYSICAL_ADDRESS highest = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);
    NDIS_PHYSICAL_ADDRESS pa;

    T_EQ(highest.QuadPart, -1);
    pa.QuadPart = 0;
    NdisSetPhysicalAddressLow(pa, 0x89ABCDEF);
    NdisSetPhysicalAddressHigh(pa, 0x01234567);
    T_EQ(pa.QuadPart, 0x0123456789ABCDEFLL);
    T_EQ(NdisGetPhysicalAddressLow(pa), 0x89ABCDEF);
    T_EQ(NdisGetPhysicalAddressHigh(pa), 0x01234567);
}

TEST(ndis_string_const_is_utf16)
{
    static const NDIS_STRING fixed = NDIS_STRING_CONST("NetworkAddress");
    NDIS_STRING local = NDIS_STRING_CONST("{5cbf81bd-5055-47cd-9055-a76b2b4e3697}");
    static const char ascii[] = "NetworkAddress";
    size_t i;

    T_EQ(sizeof(fixed.Buffer[0]), 2);
    T_EQ(fixed.Length, 14 * sizeof(WCHAR));
    T_EQ(fixed.MaximumLength, 15 * sizeof(WCHAR));
    for (i = 0; i < 14; i++)
        T_EQ(fixed.Buffer[i], ascii[i]);
    T_EQ(fixed.Buffer[14], 0);
    T_EQ(local.Length, 38 * sizeof(WCHAR));
    T_EQ(local.Buffer[0], '{');
    T_EQ(local.Buffer[37], '}');
}

TEST(interlocked_and_list_helpers)
{
    LONG counter = 41;
    LARGE_INTEGER bytes;
    LIST_ENTRY head;

    T_EQ(NdisInterlockedIncrement(&counter), 42);
    T_EQ(NdisInterlockedDecrement(&counter), 41);
    bytes.QuadPart = 0xFFFFFFF0LL;
    NdisInterlockedAddLargeStatistic(&bytes, 0x20);
    T_EQ(bytes.QuadPart, 0x100000010LL);
    NdisInitializeListHead(&head);
    T_ASSERT(head.Flink == &head && head.Blink == &head);
}

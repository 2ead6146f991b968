/*
 * Version selection, compiled only. An NDIS 6.0 miniport sees the structures
 * as the NDIS 6.0 WDK shows them: no member or NDIS_SIZEOF_* of a later
 * revision, so sizeof() of a characteristics block is its revision-1 size.
 */
#define NDIS60_MINIPORT 1
#include <ndis.h>

#if NDIS_MINIPORT_MAJOR_VERSION != 6 || NDIS_MINIPORT_MINOR_VERSION != 0
#error "NDIS60_MINIPORT selects NDIS 6.0"
#endif
#if NDIS_SUPPORT_NDIS61 || !NDIS_SUPPORT_NDIS6
#error "an NDIS 6.0 driver gets NDIS_SUPPORT_NDIS6 only"
#endif

#if defined(NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2) ||                 \
    defined(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2) ||          \
    defined(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2) ||      \
    defined(NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2) ||                          \
    defined(NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2) ||                 \
    defined(NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2) ||            \
    defined(NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2) ||          \
    defined(NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_2) ||               \
    defined(NDIS_SIZEOF_MINIPORT_SS_CHARACTERISTICS_REVISION_1) ||              \
    defined(NDIS_SIZEOF_HD_SPLIT_ATTRIBUTES_REVISION_1) ||                      \
    defined(NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND) ||                    \
    defined(NDIS_MAX_LOOKAHEAD_SIZE_ACCESSED_UNDEFINED)
#error "a later revision is visible to an NDIS 6.0 driver"
#endif

_Static_assert(sizeof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS) ==
                   NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1,
               "6.0 characteristics end at CancelOidRequestHandler");
_Static_assert(sizeof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS) ==
                   NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
               "6.0 protocol characteristics end at SendNetBufferListsCompleteHandler");
_Static_assert(sizeof(NDIS_FILTER_DRIVER_CHARACTERISTICS) ==
                   NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
               "6.0 filter characteristics end at StatusHandler");
_Static_assert(RTL_SIZEOF_THROUGH_FIELD(NDIS_BIND_PARAMETERS, BoundAdapterName) ==
                   sizeof(NDIS_BIND_PARAMETERS),
               "6.0 bind parameters end at BoundAdapterName");
_Static_assert(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 <=
                   sizeof(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES),
               "revision 1 general attributes");

/* Role types stay available: a 6.0 driver may still declare any of them. */
MINIPORT_INITIALIZE HmVg60InitializeEx;
MINIPORT_DIRECT_OID_REQUEST HmVg60DirectOidRequest;

/*
 * ndis/ndisport.h - NDIS port numbers and port state enumerations
 * (constants.md 4.7; ddi/ndis-split/ntddndis/ns-ntddndis-_ndis_port_*.md).
 * The port structures themselves are in ntddndis.h.
 */
#ifndef _NDIS_NDISPORT_H_
#define _NDIS_NDISPORT_H_

#include <ntdef.h>
#include <ndis/types.h>

#define NDIS_DEFAULT_PORT_NUMBER ((NDIS_PORT_NUMBER)0)
#define NDIS_MAXIMUM_PORTS 0x1000000

/* NDIS_PORT_CHARACTERISTICS.Flags */
#define NDIS_PORT_CHAR_USE_DEFAULT_AUTH_SETTINGS 0x00000001

typedef enum _NDIS_PORT_TYPE {
    NdisPortTypeUndefined = 0,
    NdisPortTypeBridge = 1,
    NdisPortTypeRasConnection = 2,
    NdisPortType8021xSupplicant = 3,
    NdisPortTypeNdisImPlatform = 4,
    NdisPortTypeMax = 5
} NDIS_PORT_TYPE, *PNDIS_PORT_TYPE;

typedef enum _NDIS_PORT_CONTROL_STATE {
    NdisPortControlStateUnknown = 0,
    NdisPortControlStateControlled = 1,
    NdisPortControlStateUncontrolled = 2
} NDIS_PORT_CONTROL_STATE, *PNDIS_PORT_CONTROL_STATE;

typedef enum _NDIS_PORT_AUTHORIZATION_STATE {
    NdisPortAuthorizationUnknown = 0,
    NdisPortAuthorized = 1,
    NdisPortUnauthorized = 2,
    NdisPortReauthorizing = 3
} NDIS_PORT_AUTHORIZATION_STATE, *PNDIS_PORT_AUTHORIZATION_STATE;

#endif /* _NDIS_NDISPORT_H_ */

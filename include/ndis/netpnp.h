/*
 * ndis/netpnp.h - network Plug and Play and power events
 * (ddi/ndis-split/netpnp/ns-netpnp-_net_pnp_event.md; values from
 * constants.md 4.3).
 */
#ifndef _NDIS_NETPNP_H_
#define _NDIS_NETPNP_H_

#include <ntdef.h>

/* NET_PNP_EVENT.NetEvent */
typedef enum _NET_PNP_EVENT_CODE {
    NetEventSetPower = 0,
    NetEventQueryPower = 1,
    NetEventQueryRemoveDevice = 2,
    NetEventCancelRemoveDevice = 3,
    NetEventReconfigure = 4,
    NetEventBindList = 5,
    NetEventBindsComplete = 6,
    NetEventPnPCapabilities = 7,
    NetEventPause = 8,
    NetEventRestart = 9,
    NetEventPortActivation = 10,
    NetEventPortDeactivation = 11,
    NetEventIMReEnableDevice = 12,
    NetEventNDKEnable = 13,
    NetEventNDKDisable = 14,
    NetEventFilterPreDetach = 15,
    NetEventBindFailed = 16,
    NetEventSwitchActivate = 17,
    NetEventAllowBindsAbove = 18,
    NetEventInhibitBindsAbove = 19,
    NetEventAllowStart = 20,
    NetEventRequirePause = 21,
    NetEventUploadGftFlowEntries = 22,
    NetEventMaximum = 23
} NET_PNP_EVENT_CODE, *PNET_PNP_EVENT_CODE;

/*
 * Device power state carried in the Buffer of NetEventSetPower and
 * NetEventQueryPower.
 */
typedef enum _NET_DEVICE_POWER_STATE {
    NetDeviceStateUnspecified = 0,
    NetDeviceStateD0 = 1,
    NetDeviceStateD1 = 2,
    NetDeviceStateD2 = 3,
    NetDeviceStateD3 = 4,
    NetDeviceStateMaximum = 5
} NET_DEVICE_POWER_STATE, *PNET_DEVICE_POWER_STATE;

typedef struct _NET_PNP_EVENT {
    NET_PNP_EVENT_CODE NetEvent;
    PVOID Buffer;       /* event-specific data */
    ULONG BufferLength; /* bytes at Buffer */
    ULONG_PTR NdisReserved[4];
    ULONG_PTR TransportReserved[4];
    ULONG_PTR TdiReserved[4];
    ULONG_PTR TdiClientReserved[4];
} NET_PNP_EVENT, *PNET_PNP_EVENT;

/* Device PnP events (MiniportDevicePnPEventNotify, FilterDevicePnPEventNotify). */
typedef enum _NDIS_DEVICE_PNP_EVENT {
    NdisDevicePnPEventQueryRemoved = 0,
    NdisDevicePnPEventRemoved = 1,
    NdisDevicePnPEventSurpriseRemoved = 2,
    NdisDevicePnPEventQueryStopped = 3,
    NdisDevicePnPEventStopped = 4,
    NdisDevicePnPEventPowerProfileChanged = 5,
    NdisDevicePnPEventFilterListChanged = 6,
    NdisDevicePnPEventMaximum = 7
} NDIS_DEVICE_PNP_EVENT, *PNDIS_DEVICE_PNP_EVENT;

#endif /* _NDIS_NETPNP_H_ */

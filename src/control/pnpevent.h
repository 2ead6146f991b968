/* pnpevent.h - device PnP events down the stack, network PnP events up it. */
#ifndef NDISI_PNPEVENT_H
#define NDISI_PNPEVENT_H

#include "core/model.h"

/* Worker: MiniportDevicePnPEventNotify through the filter modules. */
void ndisi_device_pnp_notify(struct ndisi_adapter *a, NDIS_DEVICE_PNP_EVENT event);
/* Worker: FilterNetPnPEvent of the modules, then ProtocolNetPnPEvent of the bindings. */
NDIS_STATUS ndisi_net_pnp_up(struct ndisi_adapter *a, PNET_PNP_EVENT_NOTIFICATION n);

#endif /* NDISI_PNPEVENT_H */

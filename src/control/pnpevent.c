/*
 * pnpevent.c - the two PnP notification paths that cross filter modules.
 *
 * Device PnP events travel down: NDIS calls FilterDevicePnPEventNotify of the
 * top module that has one; it forwards with NdisFDevicePnPEventNotify to the
 * next; the last hop is MiniportDevicePnPEventNotify
 * (nc-ndis-filter_device_pnp_event_notify.md).
 * Network PnP events travel up: "NDIS calls FilterNetPnPEvent of each filter
 * driver overlying a NIC, and then calls the ProtocolNetPnPEvent" of the
 * bindings; a filter forwards with NdisFNetPnPEvent (nc-ndis-filter_net_pnp_event.md).
 * The pause and restart of bindings and modules are not such events: NDIS sends
 * those directly (stack.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/pnpevent.h"
#include "core/core.h"
#include "core/verifier.h"

#define RULE_F "Irql_Filter_Driver_Function"

static bool module_attached(const struct ndisi_filter_module *m)
{
    int st = atomic_load(&m->state);
    return st != NDISI_MS_DETACHED && st != NDISI_MS_ATTACHING;
}

/* ---- device events, downward ----------------------------------------------------------- */

static void device_down(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                        PNET_DEVICE_PNP_EVENT ev)
{
    struct ndisi_filter_module *m = from ? from->below : a->mod_top;
    while (m && !(m->driver->chars.DevicePnPEventNotifyHandler && module_attached(m)))
        m = m->below;
    struct ndisi_cbframe f;
    if (m) {
        ndisi_cb_enter(&f, m->driver->image, "FilterDevicePnPEventNotify", m->label,
                       NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
        m->driver->chars.DevicePnPEventNotifyHandler(m->ctx, ev);
        ndisi_cb_leave(&f);
        return;
    }
    ndisi_cb_enter(&f, a->miniport->image, "MiniportDevicePnPEventNotify", a->name,
                   NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    a->miniport->chars.DevicePnPEventNotifyHandler(a->ctx, ev);
    ndisi_cb_leave(&f);
}

void ndisi_device_pnp_notify(struct ndisi_adapter *a, NDIS_DEVICE_PNP_EVENT event)
{
    NET_DEVICE_PNP_EVENT ev;
    memset(&ev, 0, sizeof(ev));
    ev.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    ev.Header.Revision = NET_DEVICE_PNP_EVENT_REVISION_1;
    ev.Header.Size = NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1;
    ev.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    ev.DevicePnPEvent = event;
    device_down(a, NULL, &ev);
}

VOID NdisFDevicePnPEventNotify(NDIS_HANDLE NdisFilterHandle,
                               PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    const char *ddi = "NdisFDevicePnPEventNotify";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_F))
        return;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m)
        return;
    if (!NetDevicePnPEvent) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetDevicePnPEvent is required",
                     "filter module '%s' passed NULL", m->label);
        return;
    }
    device_down(m->adapter, m, NetDevicePnPEvent);
}

/* ---- network events, upward ------------------------------------------------------------- */

static bool open_takes_events(const struct ndisi_open *o)
{
    int st = atomic_load(&o->state);
    return st == NDISI_OS_PAUSED || st == NDISI_OS_RESTARTING || st == NDISI_OS_RUNNING ||
           st == NDISI_OS_PAUSING;
}

static NDIS_STATUS net_up(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                          PNET_PNP_EVENT_NOTIFICATION n)
{
    struct ndisi_filter_module *m = from ? from->above : a->mod_bottom;
    while (m && !(m->driver->chars.NetPnPEventHandler && module_attached(m)))
        m = m->above;
    if (m) {
        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, m->driver->image, "FilterNetPnPEvent", m->label, NDISI_CB_NDIS_ENTRY,
                       PASSIVE_LEVEL);
        NDIS_STATUS st = m->driver->chars.NetPnPEventHandler(m->ctx, n);
        ndisi_cb_leave_status(&f, true, st);
        return st;
    }
    NDIS_STATUS result = NDIS_STATUS_SUCCESS;
    for (LIST_ENTRY *e = a->opens.Flink; e != &a->opens; e = e->Flink) {
        struct ndisi_open *o = CONTAINING_RECORD(e, struct ndisi_open, adapter_link);
        if (!open_takes_events(o))
            continue;
        NDIS_STATUS st = ndisi_open_deliver_pnp(o, n, "ProtocolNetPnPEvent");
        if (st != NDIS_STATUS_SUCCESS && st != NDIS_STATUS_NOT_SUPPORTED)
            result = st;
    }
    return result;
}

NDIS_STATUS ndisi_net_pnp_up(struct ndisi_adapter *a, PNET_PNP_EVENT_NOTIFICATION n)
{
    return net_up(a, NULL, n);
}

NDIS_STATUS NdisFNetPnPEvent(NDIS_HANDLE NdisFilterHandle,
                             PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification)
{
    const char *ddi = "NdisFNetPnPEvent";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_F))
        return NDIS_STATUS_FAILURE;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m)
        return NDIS_STATUS_FAILURE;
    if (!NetPnPEventNotification) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetPnPEventNotification is required",
                     "filter module '%s' passed NULL", m->label);
        return NDIS_STATUS_FAILURE;
    }
    /* It runs on the PnP worker inside FilterNetPnPEvent, so the lists are stable. */
    return net_up(m->adapter, m, NetPnPEventNotification);
}

/* ---- host API ------------------------------------------------------------------------------ */

struct netevent_req {
    struct ndisi_req r;
    char adapter[NDISI_NAME_MAX];
    NET_PNP_EVENT_CODE code;
    unsigned char buf[256];
    ULONG len;
    NDIS_STATUS status;
};

static void netevent_op(struct ndis_host *h, struct ndisi_req *r)
{
    struct netevent_req *nr = (struct netevent_req *)r;
    pthread_mutex_lock(&h->lock);
    struct ndisi_adapter *a = ndisi_find_adapter(h, nr->adapter);
    pthread_mutex_unlock(&h->lock);
    if (!a) {
        r->result = -ENOENT;
        return;
    }
    NET_PNP_EVENT_NOTIFICATION n;
    memset(&n, 0, sizeof(n));
    n.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    n.Header.Revision = NET_PNP_EVENT_NOTIFICATION_REVISION_1;
    n.Header.Size = NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1;
    n.NetPnPEvent.NetEvent = nr->code;
    n.NetPnPEvent.Buffer = nr->len ? nr->buf : NULL;
    n.NetPnPEvent.BufferLength = nr->len;
    nr->status = ndisi_net_pnp_up(a, &n);
    r->result = nr->status == NDIS_STATUS_SUCCESS ? 0 : -EIO;
}

int ndis_host_net_pnp_event(ndis_host *h, const char *adapter, int net_event, const void *buf,
                            size_t len)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_net_pnp_event", "h") || !adapter ||
        strlen(adapter) >= NDISI_NAME_MAX || len > 256 || (len && !buf) ||
        net_event == NetEventPause || net_event == NetEventRestart)
        return -EINVAL;
    struct netevent_req *nr = ndisi_req_new(sizeof(*nr), netevent_op);
    if (!nr)
        return -ENOMEM;
    snprintf(nr->adapter, sizeof(nr->adapter), "%s", adapter);
    nr->code = (NET_PNP_EVENT_CODE)net_event;
    if (len)
        memcpy(nr->buf, buf, len);
    nr->len = (ULONG)len;
    char what[160];
    snprintf(what, sizeof(what), "network PnP event %d on '%s'", net_event, adapter);
    return ndisi_req_run(h, &nr->r, what);
}

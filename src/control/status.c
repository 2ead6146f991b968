/*
 * status.c - status indications travel up the stack: from the miniport
 * (NdisMIndicateStatusEx) through each filter module that has a FilterStatus
 * handler (which passes it on with NdisFIndicateStatus) to ProtocolStatusEx of
 * every bound protocol, or only of the binding named by DestinationHandle
 * (ns-ndis-_ndis_status_indication.md). NDIS keeps the adapter's link state from
 * NDIS_STATUS_LINK_STATE, and a binding that starts running learns it.
 */
#include <string.h>

#include "control/status.h"
#include "core/core.h"
#include "core/verifier.h"

static bool status_hdr_ok(PNDIS_STATUS_INDICATION ind, const char *ddi, const char *who)
{
    if (!ind) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "StatusIndication is required",
                     "%s: StatusIndication is NULL", who);
        return false;
    }
    if (ind->Header.Type != NDIS_OBJECT_TYPE_STATUS_INDICATION ||
        ind->Header.Revision < NDIS_STATUS_INDICATION_REVISION_1 ||
        ind->Header.Size < NDIS_SIZEOF_STATUS_INDICATION_REVISION_1) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-_ndis_status_indication.md",
                     "%s: the indication header has Type 0x%02x, Revision %u, Size %u", who,
                     ind->Header.Type, ind->Header.Revision, ind->Header.Size);
        return false;
    }
    if (ind->StatusBufferSize && !ind->StatusBuffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-_ndis_status_indication.md",
                     "%s: StatusBufferSize is %u but StatusBuffer is NULL", who,
                     ind->StatusBufferSize);
        return false;
    }
    return true;
}

static bool open_receives_status(const struct ndisi_open *o)
{
    int st = atomic_load(&o->state);
    return st == NDISI_OS_PAUSED || st == NDISI_OS_RESTARTING || st == NDISI_OS_RUNNING ||
           st == NDISI_OS_PAUSING;
}

static void deliver_to_open(struct ndisi_open *o, PNDIS_STATUS_INDICATION ind)
{
    struct ndisi_protocol *p = o->protocol;
    if (!p->chars.StatusHandlerEx)
        return;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, p->image, "ProtocolStatusEx", o->label, NDISI_CB_NDIS_ENTRY,
                   NDISI_IRQL_SAME);
    p->chars.StatusHandlerEx(o->ctx, ind);
    ndisi_cb_leave(&f);
}

static void deliver_to_protocols(struct ndisi_adapter *a, PNDIS_STATUS_INDICATION ind)
{
    unsigned e = ndisi_rcu_enter(&a->rx_rcu);
    struct ndisi_open **opens = atomic_load(&a->rx_opens);
    struct ndisi_open *o;
    for (unsigned i = 0; opens && (o = ndisi_rx_open(opens, i)); i++) {
        if (ind->DestinationHandle && ind->DestinationHandle != (NDIS_HANDLE)o)
            continue;
        if (open_receives_status(o))
            deliver_to_open(o, ind);
    }
    ndisi_rcu_leave(&a->rx_rcu, e);
}

static bool module_takes_status(const struct ndisi_filter_module *m)
{
    int st = atomic_load(&m->state);
    return m->driver->chars.StatusHandler &&
           (st == NDISI_MS_PAUSED || st == NDISI_MS_RESTARTING || st == NDISI_MS_RUNNING ||
            st == NDISI_MS_PAUSING);
}

void ndisi_status_up(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                     PNDIS_STATUS_INDICATION ind)
{
    pthread_rwlock_rdlock(&a->stack_lock);
    struct ndisi_filter_module *m = from ? from->above : a->mod_bottom;
    while (m && !module_takes_status(m))
        m = m->above;
    if (m) {
        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, m->driver->image, "FilterStatus", m->label, NDISI_CB_NDIS_ENTRY,
                       NDISI_IRQL_SAME);
        m->driver->chars.StatusHandler(m->ctx, ind);
        ndisi_cb_leave(&f);
    }
    pthread_rwlock_unlock(&a->stack_lock);
    if (!m)
        deliver_to_protocols(a, ind);
}

void NdisMIndicateStatusEx(NDIS_HANDLE MiniportAdapterHandle,
                           PNDIS_STATUS_INDICATION StatusIndication)
{
    const char *ddi = "NdisMIndicateStatusEx";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Miniport_Driver_Function"))
        return;
    struct ndisi_adapter *a =
        ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle");
    if (!a || !status_hdr_ok(StatusIndication, ddi, a->name))
        return;
    if (!a->have_registration) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "a miniport may indicate status after setting its registration attributes",
                     "adapter '%s' indicated status 0x%08x before its registration attributes",
                     a->name, (unsigned)StatusIndication->StatusCode);
        return;
    }
    if (StatusIndication->SourceHandle != MiniportAdapterHandle) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "SourceHandle is the MiniportAdapterHandle of MiniportInitializeEx",
                     "adapter '%s': SourceHandle is %p", a->name, StatusIndication->SourceHandle);
        return;
    }
    if (StatusIndication->StatusCode == NDIS_STATUS_LINK_STATE) {
        if (StatusIndication->StatusBufferSize < sizeof(NDIS_LINK_STATE)) {
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "NDIS_STATUS_LINK_STATE carries an NDIS_LINK_STATE",
                         "adapter '%s': StatusBufferSize %u is smaller than NDIS_LINK_STATE",
                         a->name, StatusIndication->StatusBufferSize);
            return;
        }
        pthread_mutex_lock(&a->link_lock);
        memcpy(&a->link, StatusIndication->StatusBuffer, sizeof(a->link));
        pthread_mutex_unlock(&a->link_lock);
    }
    ndisi_status_up(a, NULL, StatusIndication);
}

void ndisi_status_indicate_link_to_open(struct ndisi_open *o)
{
    struct ndisi_adapter *a = o->adapter;
    NDIS_LINK_STATE link;
    pthread_mutex_lock(&a->link_lock);
    link = a->link;
    pthread_mutex_unlock(&a->link_lock);
    if (!link.Header.Size)
        return;
    NDIS_STATUS_INDICATION ind;
    memset(&ind, 0, sizeof(ind));
    ind.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    ind.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    ind.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    ind.SourceHandle = (NDIS_HANDLE)a;
    ind.StatusCode = NDIS_STATUS_LINK_STATE;
    ind.StatusBuffer = &link;
    ind.StatusBufferSize = sizeof(link);
    deliver_to_open(o, &ind);
}

void NdisFIndicateStatus(NDIS_HANDLE NdisFilterHandle, PNDIS_STATUS_INDICATION StatusIndication)
{
    const char *ddi = "NdisFIndicateStatus";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "Irql_Filter_Driver_Function"))
        return;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m || !status_hdr_ok(StatusIndication, ddi, m->label))
        return;
    /* A filter forwards what it received or indicates its own (SourceHandle: its
       NdisFilterHandle); either way the indication continues above it. */
    ndisi_status_up(m->adapter, m, StatusIndication);
}

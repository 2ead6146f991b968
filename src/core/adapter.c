/*
 * adapter.c - miniport adapters (the miniport block): arrival and
 * initialization with NdisMSetMiniportAttributes, the adapter state machine of
 * concepts/miniport-adapter-states-and-operations.md, MiniportPause and
 * MiniportRestart with their completions, halt and removal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/oid.h"
#include "config/config.h"
#include "control/pnpevent.h"
#include "core/core.h"
#include "datapath/datapath.h"
#include "core/pnp.h"
#include "core/verifier.h"
#include "os/fault.h"

#define RULE_IRQL "Irql_Miniport_Driver_Function"
#define X NDISI_FSM_INVALID

/* Rows: events; columns: Halted Shutdown Initializing Paused Restarting Running Pausing. */
static const uint8_t adapter_table[NDISI_AE_COUNT * NDISI_AS_COUNT] = {
    /* MiniportInitializeEx */ NDISI_AS_INITIALIZING, X, X, X, X, X, X,
    /* Initialize complete  */ X, X, NDISI_AS_PAUSED, X, X, X, X,
    /* MiniportShutdownEx   */ X, X, X, NDISI_AS_SHUTDOWN, NDISI_AS_SHUTDOWN, NDISI_AS_SHUTDOWN,
                               NDISI_AS_SHUTDOWN,
    /* MiniportHaltEx       */ X, X, X, NDISI_AS_HALTED, X, X, X,
    /* MiniportRestart      */ X, X, X, NDISI_AS_RESTARTING, X, X, X,
    /* Restart complete     */ X, X, X, X, NDISI_AS_RUNNING, X, X,
    /* MiniportPause        */ X, X, X, X, X, NDISI_AS_PAUSING, X,
    /* Pause complete       */ X, X, X, X, X, X, NDISI_AS_PAUSED,
    /* Initialize failed    */ X, X, NDISI_AS_HALTED, X, X, X, X,
    /* Restart failed       */ X, X, X, X, NDISI_AS_PAUSED, X, X,
};
static const char *const adapter_states[NDISI_AS_COUNT] = {
    "Halted", "Shutdown", "Initializing", "Paused", "Restarting", "Running", "Pausing"};
static const char *const adapter_events[NDISI_AE_COUNT] = {
    "MiniportInitializeEx", "initialize complete", "MiniportShutdownEx", "MiniportHaltEx",
    "MiniportRestart", "restart complete", "MiniportPause", "pause complete",
    "initialize failed", "restart failed"};

const struct ndisi_fsm ndisi_adapter_fsm = {
    .kind = "miniport adapter",
    .page = "concepts/miniport-adapter-states-and-operations.md",
    .nstates = NDISI_AS_COUNT,
    .nevents = NDISI_AE_COUNT,
    .state_names = adapter_states,
    .event_names = adapter_events,
    .table = adapter_table,
};

const char *ndisi_adapter_state_name(const struct ndisi_adapter *a)
{
    return ndisi_fsm_state_name(&ndisi_adapter_fsm, atomic_load(&a->state));
}

static bool adapter_event(struct ndisi_adapter *a, enum ndisi_adapter_event ev, const char *ddi)
{
    return ndisi_fsm_apply(&ndisi_adapter_fsm, &a->state, ev, a->name, ddi);
}

/* ---- NdisMSetMiniportAttributes ---------------------------------------------- */

static NDIS_STATUS set_registration(struct ndisi_adapter *a,
                                    const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES *r)
{
    if (r->Header.Revision < NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 ||
        r->Header.Size < NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1) {
        ndisi_report(NDISI_V_PARAMETER, "NdisMSetMiniportAttributes",
                     "ns-ndis-_ndis_miniport_adapter_registration_attributes.md",
                     "adapter '%s': registration attributes have Revision %u and Size %u",
                     a->name, r->Header.Revision, r->Header.Size);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    a->reg_attrs = *r;
    a->ctx = r->MiniportAdapterContext;
    a->have_registration = true;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS set_general(struct ndisi_adapter *a,
                               const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g)
{
    const char *ddi = "NdisMSetMiniportAttributes";
    const char *page = "ns-ndis-_ndis_miniport_adapter_general_attributes.md";
    if (!a->have_registration) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "the registration attributes are set first, then the general attributes",
                     "adapter '%s' set general attributes before registration attributes",
                     a->name);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (g->Header.Revision < NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 ||
        g->Header.Size < NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 ||
        (g->Header.Revision >= NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 &&
         g->Header.Size < NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2)) {
        ndisi_report(NDISI_V_PARAMETER, ddi, page,
                     "adapter '%s': general attributes have Revision %u and Size %u", a->name,
                     g->Header.Revision, g->Header.Size);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (g->MacAddressLength > NDIS_MAX_PHYS_ADDRESS_LENGTH ||
        (g->SupportedOidListLength && !g->SupportedOidList) ||
        g->SupportedOidListLength % sizeof(NDIS_OID)) {
        ndisi_report(NDISI_V_PARAMETER, ddi, page,
                     "adapter '%s': MacAddressLength %u or SupportedOidList/Length (%p, %u) "
                     "is invalid",
                     a->name, g->MacAddressLength, (void *)g->SupportedOidList,
                     g->SupportedOidListLength);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    NDIS_OID *oids = NULL;
    if (g->SupportedOidListLength) {
        oids = malloc(g->SupportedOidListLength);
        if (!oids)
            return NDIS_STATUS_RESOURCES;
        memcpy(oids, g->SupportedOidList, g->SupportedOidListLength);
    }
    free(a->oid_list);
    a->oid_list = oids;
    a->oid_list_len = g->SupportedOidListLength;
    size_t n = g->Header.Size < sizeof(a->gen_attrs) ? g->Header.Size : sizeof(a->gen_attrs);
    memset(&a->gen_attrs, 0, sizeof(a->gen_attrs));
    memcpy(&a->gen_attrs, g, n);
    /* Pointers into driver memory are not kept: the driver owns them. */
    a->gen_attrs.SupportedOidList = NULL;
    a->gen_attrs.PowerManagementCapabilities = NULL;
    a->gen_attrs.RecvScaleCapabilities = NULL;
    if (n >= NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2)
        a->gen_attrs.PowerManagementCapabilitiesEx = NULL;

    pthread_mutex_lock(&a->link_lock);
    a->link.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    a->link.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    a->link.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
    a->link.MediaConnectState = g->MediaConnectState;
    a->link.MediaDuplexState = g->MediaDuplexState;
    a->link.XmitLinkSpeed = g->XmitLinkSpeed;
    a->link.RcvLinkSpeed = g->RcvLinkSpeed;
    a->link.PauseFunctions = (NDIS_SUPPORTED_PAUSE_FUNCTIONS)g->SupportedPauseFunctions;
    a->link.AutoNegotiationFlags = g->AutoNegotiationFlags;
    pthread_mutex_unlock(&a->link_lock);
    a->have_general = true;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE MiniportAdapterHandle,
                                       PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes)
{
    const char *ddi = "NdisMSetMiniportAttributes";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_adapter *a =
        ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle");
    if (!a)
        return NDIS_STATUS_INVALID_PARAMETER;
    if (!MiniportAttributes) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "MiniportAttributes is required",
                     "adapter '%s': MiniportAttributes is NULL", a->name);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (!a->in_initialize) {
        ndisi_report(NDISI_V_CONTEXT, ddi,
                     "a miniport sets adapter attributes from MiniportInitializeEx",
                     "adapter '%s' is not initializing", a->name);
        return NDIS_STATUS_FAILURE;
    }
    switch (MiniportAttributes->Header.Type) {
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES:
        return set_registration(a, &MiniportAttributes->RegistrationAttributes);
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES:
        return set_general(a, &MiniportAttributes->GeneralAttributes);
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES:
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES:
        /* Accepted: libndis offers no hardware offloads, so it keeps nothing of these. */
        if (!a->have_general) {
            ndisi_report(NDISI_V_STATE, ddi,
                         "registration and general attributes come before the others",
                         "adapter '%s' set attributes of type 0x%02x before its general "
                         "attributes",
                         a->name, MiniportAttributes->Header.Type);
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        return NDIS_STATUS_SUCCESS;
    default:
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-_ndis_miniport_adapter_attributes.md",
                     "adapter '%s': attributes of Header.Type 0x%02x are not supported",
                     a->name, MiniportAttributes->Header.Type);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
}

/* ---- arrival, initialization ------------------------------------------------- */

static struct ndisi_adapter *adapter_new(struct ndisi_miniport_driver *m, const char *name,
                                         const ndis_adapter_config *cfg)
{
    struct ndis_host *h = m->image->host;
    struct ndisi_adapter *a = ndisi_obj_alloc(NDISI_OBJ_ADAPTER, sizeof(*a));
    if (!a)
        return NULL;
    a->host = h;
    a->miniport = m;
    snprintf(a->name, sizeof(a->name), "%s", name);
    a->obj.label = a->name;
    char dev[NDISI_NAME_MAX + 16];
    snprintf(dev, sizeof(dev), "\\DEVICE\\%s", name);
    ndisi_utf8_to_ustr(dev, &a->ndis_name, a->name_buf, RTL_NUMBER_OF(a->name_buf));
    atomic_init(&a->state, NDISI_AS_HALTED);
    a->ifindex = atomic_fetch_add(&h->next_ifindex, 1);
    a->luid.Info.NetLuidIndex = a->ifindex;
    a->luid.Info.IfType = IF_TYPE_ETHERNET_CSMACD;
    if (cfg) {
        a->cfg = *cfg;
        snprintf(a->ifname, sizeof(a->ifname), "%s", cfg->ifname ? cfg->ifname : "");
        if (cfg->mac) {
            memcpy(a->cfg_mac, cfg->mac, 6);
            a->have_cfg_mac = true;
        }
    }
    a->cfg.ifname = NULL;
    a->cfg.mac = NULL;
    pthread_mutex_init(&a->link_lock, NULL);
    pthread_mutex_init(&a->oid_lock, NULL);
    pthread_mutex_init(&a->rxf_lock, NULL);
    pthread_rwlock_init(&a->stack_lock, NULL);
    InitializeListHead(&a->opens);
    InitializeListHead(&a->oid_queue);
    return a;
}

static bool adapter_link(struct ndisi_adapter *a, bool link)
{
    struct ndis_host *h = a->host;
    bool ok = true;
    pthread_mutex_lock(&h->lock);
    if (link) {
        ok = ndisi_adapter_hash_insert(h, a);
        if (ok) {
            InsertTailList(&h->adapters, &a->host_link);
            InsertTailList(&a->miniport->adapters, &a->mp_link);
        }
    } else {
        ndisi_adapter_hash_remove(h, a);
        RemoveEntryList(&a->host_link);
        RemoveEntryList(&a->mp_link);
        ndisi_capture_adapter_gone(a);
    }
    pthread_mutex_unlock(&h->lock);
    return ok;
}

static void adapter_free(struct ndisi_adapter *a)
{
    ndisi_config_adapter_gone(a); /* handles the driver left open past its adapter */
    ndisi_oid_adapter_cleanup(a);
    ndisi_tally_forget(&a->tally);
    free(a->oid_list);
    free((void *)atomic_load(&a->rx_opens));
    pthread_mutex_destroy(&a->link_lock);
    pthread_mutex_destroy(&a->oid_lock);
    pthread_mutex_destroy(&a->rxf_lock);
    pthread_rwlock_destroy(&a->stack_lock);
    ndisi_obj_free(a);
}

static void call_halt(struct ndisi_adapter *a, NDIS_HALT_ACTION action)
{
    struct ndisi_image *img = a->miniport->image;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, img, "MiniportHaltEx", a->name, NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    a->miniport->chars.HaltHandlerEx(a->ctx, action);
    ndisi_cb_leave(&f);
}

static int adapter_initialize(struct ndisi_adapter *a)
{
    struct ndisi_miniport_driver *m = a->miniport;
    NDIS_MINIPORT_INIT_PARAMETERS ip;
    memset(&ip, 0, sizeof(ip));
    ip.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS;
    ip.Header.Revision = NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1;
    ip.Header.Size = NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1;
    ip.IfIndex = a->ifindex;
    ip.NetLuid = a->luid;
    /* A virtual device: no AllocatedResources (ns-ndis-_ndis_miniport_init_parameters.md). */

    adapter_event(a, NDISI_AE_INITIALIZE, "MiniportInitializeEx");
    a->in_initialize = true;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, m->image, "MiniportInitializeEx", a->name, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    NDIS_STATUS st = m->chars.InitializeHandlerEx((NDIS_HANDLE)a, m->context, &ip);
    ndisi_cb_leave_status(&f, true, st);
    a->in_initialize = false;

    if (st == NDIS_STATUS_PENDING) {
        ndisi_report(NDISI_V_RETURN, "MiniportInitializeEx", "nc-ndis-miniport_initialize.md",
                     "adapter '%s': MiniportInitializeEx returned NDIS_STATUS_PENDING, which "
                     "it may not",
                     a->name);
        st = NDIS_STATUS_FAILURE;
        if (a->have_registration)
            call_halt(a, NdisHaltDeviceInitializationFailed);
    } else if (st == NDIS_STATUS_SUCCESS && (!a->have_registration || !a->have_general)) {
        ndisi_report(NDISI_V_RETURN, "MiniportInitializeEx",
                     "MiniportInitializeEx must call NdisMSetMiniportAttributes with the "
                     "registration attributes and then the general attributes",
                     "adapter '%s' of driver '%s' returned NDIS_STATUS_SUCCESS without %s "
                     "attributes; NDIS halts it",
                     a->name, m->image->name,
                     a->have_registration ? "general" : "registration");
        if (a->have_registration)
            call_halt(a, NdisHaltDeviceInitializationFailed);
        st = NDIS_STATUS_FAILURE;
    }
    if (st != NDIS_STATUS_SUCCESS) {
        ndisi_diag("adapter '%s': initialization failed with status 0x%08x", a->name,
                   (unsigned)st);
        adapter_event(a, NDISI_AE_INIT_FAILED, "MiniportInitializeEx");
        return -EIO;
    }
    adapter_event(a, NDISI_AE_INIT_COMPLETE, "MiniportInitializeEx");
    return 0;
}

int ndisi_adapter_add(struct ndisi_miniport_driver *m, const char *name,
                      const ndis_adapter_config *cfg)
{
    struct ndis_host *h = m->image->host;
    pthread_mutex_lock(&h->lock);
    bool dup = ndisi_find_adapter(h, name) != NULL;
    pthread_mutex_unlock(&h->lock);
    if (dup) {
        ndisi_diag("add adapter '%s': an adapter with this name exists", name);
        return -EEXIST;
    }
    struct ndisi_adapter *a = ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS) ? NULL
                                                                      : adapter_new(m, name, cfg);
    if (!a)
        return -ENOMEM;
    if (!adapter_link(a, true)) {
        adapter_free(a);
        return -ENOMEM;
    }
    if (adapter_initialize(a) != 0) {
        adapter_link(a, false);
        adapter_free(a);
        return -EIO;
    }
    /* concepts/starting-a-driver-stack.md: filters attach bottom to top, then the
       protocols bind, then NDIS restarts the stack. */
    ndisi_filter_attach_all(a);
    ndisi_bind_adapter_all(a);
    if (!ndisi_filter_mandatory_missing(a))
        ndisi_stack_restart(a);
    return 0;
}

/* ---- pause and restart of the miniport -------------------------------------- */

static void describe_adapter(void *ctx, char *buf, size_t len)
{
    struct ndisi_adapter *a = ctx;
    snprintf(buf, len,
             "adapter '%s' is %s; %ld sends in the miniport, %ld receive indications not "
             "returned, %ld OID requests outstanding",
             a->name, ndisi_adapter_state_name(a), ndisi_drain_count(&a->mp_sends),
             ndisi_drain_count(&a->mp_recvs), ndisi_drain_count(&a->oids));
}

int ndisi_adapter_pause_miniport(struct ndisi_adapter *a, ULONG flags)
{
    struct ndisi_miniport_driver *m = a->miniport;
    if (atomic_load(&a->state) != NDISI_AS_RUNNING)
        return 0;
    NDIS_MINIPORT_PAUSE_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1;
    pp.PauseReason = flags;

    ndisi_completion_reset(&a->pause_done);
    adapter_event(a, NDISI_AE_PAUSE, "MiniportPause");
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, m->image, "MiniportPause", a->name, NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    NDIS_STATUS st = m->chars.PauseHandler(a->ctx, &pp);
    ndisi_cb_leave_status(&f, true, st);

    if (st == NDIS_STATUS_PENDING) {
        char what[160];
        snprintf(what, sizeof(what), "NdisMPauseComplete of adapter '%s'", a->name);
        if (!ndisi_completion_wait(&a->pause_done, &a->host->wq, what, describe_adapter, a,
                                   a->host->wait_timeout_ms)) {
            ndisi_report(NDISI_V_TIMEOUT, "MiniportPause", "MiniportPause_Return",
                         "adapter '%s' pended MiniportPause and did not call "
                         "NdisMPauseComplete within %u ms",
                         a->name, a->host->wait_timeout_ms);
            return -ETIMEDOUT;
        }
    } else {
        if (st != NDIS_STATUS_SUCCESS)
            ndisi_report(NDISI_V_RETURN, "MiniportPause", "MiniportPause_Return",
                         "adapter '%s': MiniportPause returned 0x%08x; it must return "
                         "NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING (a pause cannot fail)",
                         a->name, (unsigned)st);
        adapter_event(a, NDISI_AE_PAUSE_COMPLETE, "MiniportPause");
    }
    /* The miniport completes its pause only after NDIS returned every indication. */
    if (ndisi_drain_count(&a->mp_recvs) != 0)
        ndisi_report(NDISI_V_STATE, "MiniportPause",
                     "the driver must wait for NDIS to return all its outstanding receive "
                     "indications before the pause operation is complete",
                     "adapter '%s' completed its pause with %ld NBLs still indicated",
                     a->name, ndisi_drain_count(&a->mp_recvs));
    return 0;
}

void NdisMPauseComplete(NDIS_HANDLE MiniportAdapterHandle)
{
    const char *ddi = "NdisMPauseComplete";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_adapter *a =
        ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle");
    if (!a)
        return;
    if (!adapter_event(a, NDISI_AE_PAUSE_COMPLETE, ddi))
        return;
    ndisi_completion_complete(&a->pause_done, &a->host->wq, NDIS_STATUS_SUCCESS);
}

int ndisi_adapter_restart_miniport(struct ndisi_adapter *a)
{
    struct ndisi_miniport_driver *m = a->miniport;
    if (atomic_load(&a->state) == NDISI_AS_RUNNING)
        return 0;
    NDIS_MINIPORT_RESTART_PARAMETERS rp;
    memset(&rp, 0, sizeof(rp));
    rp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    rp.Header.Revision = NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1;
    rp.Header.Size = NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1;

    ndisi_completion_reset(&a->restart_done);
    if (!adapter_event(a, NDISI_AE_RESTART, "MiniportRestart"))
        return -EINVAL;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, m->image, "MiniportRestart", a->name, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    NDIS_STATUS st = m->chars.RestartHandler(a->ctx, &rp);
    ndisi_cb_leave_status(&f, true, st);

    if (st == NDIS_STATUS_PENDING) {
        char what[160];
        snprintf(what, sizeof(what), "NdisMRestartComplete of adapter '%s'", a->name);
        if (!ndisi_completion_wait(&a->restart_done, &a->host->wq, what, describe_adapter, a,
                                   a->host->wait_timeout_ms)) {
            ndisi_report(NDISI_V_TIMEOUT, "MiniportRestart", "nc-ndis-miniport_restart.md",
                         "adapter '%s' pended MiniportRestart and did not call "
                         "NdisMRestartComplete within %u ms",
                         a->name, a->host->wait_timeout_ms);
            return -ETIMEDOUT;
        }
        st = a->restart_done.status;
    } else if (st == NDIS_STATUS_SUCCESS) {
        adapter_event(a, NDISI_AE_RESTART_COMPLETE, "MiniportRestart");
    } else {
        adapter_event(a, NDISI_AE_RESTART_FAILED, "MiniportRestart");
    }
    if (st != NDIS_STATUS_SUCCESS) {
        ndisi_diag("adapter '%s': MiniportRestart failed with 0x%08x; the adapter stays Paused",
                   a->name, (unsigned)st);
        return -EIO;
    }
    return 0;
}

void NdisMRestartComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status)
{
    const char *ddi = "NdisMRestartComplete";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_adapter *a =
        ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle");
    if (!a)
        return;
    if (!adapter_event(a, Status == NDIS_STATUS_SUCCESS ? NDISI_AE_RESTART_COMPLETE
                                                        : NDISI_AE_RESTART_FAILED,
                       ddi))
        return;
    ndisi_completion_complete(&a->restart_done, &a->host->wq, Status);
}

/* ---- removal ------------------------------------------------------------------ */

void ndisi_adapter_remove(struct ndisi_adapter *a, NDIS_HALT_ACTION action)
{
    a->removing = true;
    if (action == NdisHaltDeviceSurpriseRemoved && !a->surprise_removed) {
        a->surprise_removed = true;
        ndisi_device_pnp_notify(a, NdisDevicePnPEventSurpriseRemoved);
    }
    /* concepts/stopping-a-driver-stack.md: pause the stack, unbind the protocols,
       detach the filters top to bottom, then halt the miniport. */
    if (ndisi_stack_running(a) || atomic_load(&a->state) == NDISI_AS_RUNNING)
        ndisi_stack_pause(a, NDIS_PAUSE_MINIPORT_DEVICE_REMOVE);
    while (!IsListEmpty(&a->opens))
        ndisi_open_unbind(CONTAINING_RECORD(a->opens.Flink, struct ndisi_open, adapter_link));
    ndisi_filter_detach_all(a);

    /* "NDIS does not call MiniportHaltEx if there are outstanding OID requests or
       send requests" (concepts/halting-a-miniport-adapter.md). */
    char what[160];
    snprintf(what, sizeof(what), "sends and OID requests of adapter '%s' before MiniportHaltEx",
             a->name);
    struct ndisi_drain *const ds[] = {&a->mp_sends, &a->oids};
    if (!ndisi_drains_wait(ds, 2, &a->host->wq, what, describe_adapter, a,
                           a->host->wait_timeout_ms))
        ndisi_report(NDISI_V_TIMEOUT, "MiniportHaltEx", "concepts/halting-a-miniport-adapter.md",
                     "adapter '%s' still has requests outstanding; halting anyway", a->name);
    /* A shut-down adapter gets no other call, "including MiniportHaltEx"
       (nc-ndis-miniport_shutdown.md). */
    if (atomic_load(&a->state) != NDISI_AS_SHUTDOWN &&
        adapter_event(a, NDISI_AE_HALT, "MiniportHaltEx"))
        call_halt(a, action);
    adapter_link(a, false);
    adapter_free(a);
}

/*
 * System shutdown of one adapter (ndis_host_shutdown): its stack is paused
 * first, so that no send, OID request or other call reaches the miniport any
 * more, then MiniportShutdownEx puts it in the Shutdown state.
 */
void ndisi_adapter_shutdown(struct ndisi_adapter *a)
{
    int st = atomic_load(&a->state);
    if (st == NDISI_AS_HALTED || st == NDISI_AS_SHUTDOWN || st == NDISI_AS_INITIALIZING)
        return;
    if (ndisi_stack_running(a) || st == NDISI_AS_RUNNING)
        ndisi_stack_pause(a, NDIS_PAUSE_LOW_POWER);
    char what[160];
    snprintf(what, sizeof(what), "sends and OID requests of adapter '%s' before MiniportShutdownEx",
             a->name);
    struct ndisi_drain *const ds[] = {&a->mp_sends, &a->oids};
    if (!ndisi_drains_wait(ds, 2, &a->host->wq, what, describe_adapter, a,
                           a->host->wait_timeout_ms))
        ndisi_report(NDISI_V_TIMEOUT, "MiniportShutdownEx",
                     "concepts/miniport-adapter-states-and-operations.md",
                     "adapter '%s' still has requests outstanding; shutting down anyway", a->name);
    if (!adapter_event(a, NDISI_AE_SHUTDOWN, "MiniportShutdownEx"))
        return;
    a->system_shutdown = true;
    a->miniport->image->after_shutdown = true;
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, a->miniport->image, "MiniportShutdownEx", a->name, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    a->miniport->chars.ShutdownHandlerEx(a->ctx, NdisShutdownPowerOff);
    ndisi_cb_leave(&f);
}

/* NdisMRemoveMiniport: the miniport reports an unrecoverable device failure. */
struct remove_req {
    struct ndisi_adapter *a;
    NDIS_HALT_ACTION action;
};

static void remove_self_op(struct ndis_host *h, void *arg)
{
    struct remove_req *r = arg;
    /* The adapter may have gone away before the operation ran. */
    pthread_mutex_lock(&h->lock);
    bool alive = false;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink)
        alive |= CONTAINING_RECORD(e, struct ndisi_adapter, host_link) == r->a;
    pthread_mutex_unlock(&h->lock);
    if (alive && !r->a->removing)
        ndisi_adapter_remove(r->a, r->action);
}

NDIS_STATUS NdisMRemoveMiniport(NDIS_HANDLE MiniportAdapterHandle)
{
    const char *ddi = "NdisMRemoveMiniport";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_adapter *a =
        ndisi_obj_check(MiniportAdapterHandle, NDISI_OBJ_ADAPTER, ddi, "MiniportAdapterHandle");
    if (!a)
        return NDIS_STATUS_FAILURE;
    struct remove_req *r = malloc(sizeof(*r));
    if (!r)
        return NDIS_STATUS_RESOURCES;
    r->a = a;
    /* A device that vanished under the miniport is handled as a surprise removal. */
    r->action = NdisHaltDeviceSurpriseRemoved;
    char what[128];
    snprintf(what, sizeof(what), "remove failed adapter '%s'", a->name);
    if (ndisi_pnp_post(a->host, remove_self_op, r, free, what) != 0) {
        free(r);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}

void ndisi_adapter_fill_restart_attributes(struct ndisi_adapter *a,
                                           NDIS_RESTART_GENERAL_ATTRIBUTES *g)
{
    const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *ga = &a->gen_attrs;
    memset(g, 0, sizeof(*g));
    g->Header.Type = NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES;
    g->Header.Revision = NDIS_RESTART_GENERAL_ATTRIBUTES_REVISION_1;
    g->Header.Size = NDIS_SIZEOF_RESTART_GENERAL_ATTRIBUTES_REVISION_1;
    g->MtuSize = ga->MtuSize;
    g->MaxXmitLinkSpeed = ga->MaxXmitLinkSpeed;
    g->MaxRcvLinkSpeed = ga->MaxRcvLinkSpeed;
    g->LookaheadSize = ga->LookaheadSize;
    g->MacOptions = ga->MacOptions;
    g->SupportedPacketFilters = ga->SupportedPacketFilters;
    g->MaxMulticastListSize = ga->MaxMulticastListSize;
    g->AccessType = ga->AccessType;
    g->ConnectionType = ga->ConnectionType;
    g->SupportedStatistics = ga->SupportedStatistics;
    g->DataBackFillSize = ga->DataBackFillSize;
    g->ContextBackFillSize = ga->ContextBackFillSize;
    g->SupportedOidList = a->oid_list;
    g->SupportedOidListLength = a->oid_list_len;
}

/* ---- host API ------------------------------------------------------------------ */

struct adapter_req {
    struct ndisi_req r;
    char driver[NDISI_NAME_MAX];
    char adapter[NDISI_NAME_MAX];
    char ifname[NDISI_NAME_MAX];
    unsigned char mac[6];
    bool have_mac, have_ifname;
    int kind;
};

enum { REQ_ADD, REQ_REMOVE, REQ_SURPRISE, REQ_PAUSE, REQ_RESTART };

static void adapter_op(struct ndis_host *h, struct ndisi_req *r)
{
    struct adapter_req *ar = (struct adapter_req *)r;
    pthread_mutex_lock(&h->lock);
    struct ndisi_image *img = ar->kind == REQ_ADD ? ndisi_find_image(h, ar->driver) : NULL;
    struct ndisi_adapter *a = ar->kind == REQ_ADD ? NULL : ndisi_find_adapter(h, ar->adapter);
    pthread_mutex_unlock(&h->lock);

    if (ar->kind == REQ_ADD) {
        if (!img || !img->miniport) {
            ndisi_diag("add adapter '%s': no miniport driver named '%s' is registered",
                       ar->adapter, ar->driver);
            r->result = -ENOENT;
            return;
        }
        ndis_adapter_config cfg = {.ifname = ar->have_ifname ? ar->ifname : NULL,
                                   .mac = ar->have_mac ? ar->mac : NULL};
        r->result = ndisi_adapter_add(img->miniport, ar->adapter, &cfg);
        return;
    }
    if (!a) {
        ndisi_diag("adapter '%s': no such adapter", ar->adapter);
        r->result = -ENOENT;
        return;
    }
    switch (ar->kind) {
    case REQ_REMOVE:
        ndisi_adapter_remove(a, NdisHaltDeviceDisabled);
        break;
    case REQ_SURPRISE:
        ndisi_adapter_remove(a, NdisHaltDeviceSurpriseRemoved);
        break;
    case REQ_PAUSE:
        a->host_paused = true;
        r->result = ndisi_stack_pause(a, NDIS_PAUSE_NDIS_INTERNAL);
        break;
    case REQ_RESTART:
        a->host_paused = false;
        r->result = ndisi_stack_restart(a);
        break;
    }
}

static int adapter_request(ndis_host *h, int kind, const char *driver, const char *adapter,
                           const ndis_adapter_config *cfg, const char *fmt)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis host adapter request", "h") || !adapter ||
        !*adapter || strlen(adapter) >= NDISI_NAME_MAX ||
        (driver && strlen(driver) >= NDISI_NAME_MAX))
        return -EINVAL;
    struct adapter_req *ar = ndisi_req_new(sizeof(*ar), adapter_op);
    if (!ar)
        return -ENOMEM;
    ar->kind = kind;
    snprintf(ar->driver, sizeof(ar->driver), "%s", driver ? driver : "");
    snprintf(ar->adapter, sizeof(ar->adapter), "%s", adapter);
    if (cfg && cfg->ifname) {
        snprintf(ar->ifname, sizeof(ar->ifname), "%s", cfg->ifname);
        ar->have_ifname = true;
    }
    if (cfg && cfg->mac) {
        memcpy(ar->mac, cfg->mac, 6);
        ar->have_mac = true;
    }
    char what[160];
    snprintf(what, sizeof(what), fmt, adapter);
    return ndisi_req_run(h, &ar->r, what);
}

int ndis_host_add_adapter(ndis_host *h, const char *miniport_driver, const char *adapter,
                          const ndis_adapter_config *cfg)
{
    if (!miniport_driver)
        return -EINVAL;
    return adapter_request(h, REQ_ADD, miniport_driver, adapter, cfg, "add adapter '%s'");
}

int ndis_host_remove_adapter(ndis_host *h, const char *adapter)
{
    return adapter_request(h, REQ_REMOVE, NULL, adapter, NULL, "remove adapter '%s'");
}

int ndis_host_surprise_remove_adapter(ndis_host *h, const char *adapter)
{
    return adapter_request(h, REQ_SURPRISE, NULL, adapter, NULL, "surprise-remove adapter '%s'");
}

int ndis_host_pause_adapter(ndis_host *h, const char *adapter)
{
    return adapter_request(h, REQ_PAUSE, NULL, adapter, NULL, "pause adapter '%s'");
}

int ndis_host_restart_adapter(ndis_host *h, const char *adapter)
{
    return adapter_request(h, REQ_RESTART, NULL, adapter, NULL, "restart adapter '%s'");
}

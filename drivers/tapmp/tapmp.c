/*
 * tapmp.c - DriverEntry and the adapter's life: MiniportInitializeEx (the TAP
 * interface, attributes, receive buffers, the event thread), MiniportPause
 * and MiniportRestart, MiniportDevicePnPEventNotify, MiniportHaltEx.
 *
 * Pause (nc-ndis-miniport_pause.md): "the miniport driver must wait for all
 * receive indications to be returned before it completes the pause" and may
 * not indicate afterwards. refs (tapmp.h) counts what is in flight; the pause
 * completes when it reaches 0, whoever brings it there.
 */
#include <stdio.h>

#include "tapmp.h"

static NDIS_HANDLE tap_driver_handle;

static MINIPORT_INITIALIZE tap_initialize;
static MINIPORT_HALT tap_halt;
static MINIPORT_UNLOAD tap_unload;
static MINIPORT_PAUSE tap_pause;
static MINIPORT_RESTART tap_restart;
static MINIPORT_DEVICE_PNP_EVENT_NOTIFY tap_pnp_event;
static MINIPORT_SHUTDOWN tap_shutdown;

/* ---- pause drain ------------------------------------------------------------------ */

static void tap_pause_drained(struct tap_adapter *a)
{
    if (!atomic_exchange(&a->pause_pending, false))
        return;
    atomic_store(&a->state, TAP_PAUSED);
    NdisMPauseComplete(a->handle);
}

void tap_ref_put(struct tap_adapter *a, long n)
{
    if (atomic_fetch_sub(&a->refs, n) == n)
        tap_pause_drained(a);
}

_Use_decl_annotations_ static NDIS_STATUS tap_pause(NDIS_HANDLE ctx,
                                                    PNDIS_MINIPORT_PAUSE_PARAMETERS pp)
{
    struct tap_adapter *a = ctx;
    (void)pp;
    atomic_store(&a->state, TAP_PAUSING);
    atomic_store(&a->pause_pending, true);
    /* Drop the Running bias: if nothing else is in flight, the pause is done now. */
    if (atomic_fetch_sub(&a->refs, 1) == 1 && atomic_exchange(&a->pause_pending, false)) {
        atomic_store(&a->state, TAP_PAUSED);
        return NDIS_STATUS_SUCCESS;
    }
    return NDIS_STATUS_PENDING;
}

_Use_decl_annotations_ static NDIS_STATUS tap_restart(NDIS_HANDLE ctx,
                                                      PNDIS_MINIPORT_RESTART_PARAMETERS rp)
{
    struct tap_adapter *a = ctx;
    (void)rp;
    if (atomic_load(&a->gone))
        return NDIS_STATUS_ADAPTER_REMOVED;
    /* A send refused while Paused may still hold a reference: add, never store. */
    tap_ref_get(a, 1);
    /* The DPC completes the restart, sets the driver's state to Running and then
       receives (tap_rx.c): one place moves the state to Running, and the first
       indication follows NdisMRestartComplete. (NDIS would also accept
       indications from here on: nc-ndis-miniport_restart.md.) */
    atomic_store(&a->restart_pending, true);
    tap_rx_kick(a);
    return NDIS_STATUS_PENDING;
}

/* ---- initialization ----------------------------------------------------------------- */

static NDIS_STATUS set_registration_attributes(struct tap_adapter *a)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
    NdisZeroMemory(&ra, sizeof(ra));
    ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.MiniportAdapterContext = a;
    /* Not hardware, and it handles its device vanishing
       (concepts/handling-the-surprise-removal-of-a-nic.md). */
    ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK;
    ra.InterfaceType = NdisInterfaceInternal;
    return NdisMSetMiniportAttributes(a->handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
}

static NDIS_STATUS set_general_attributes(struct tap_adapter *a)
{
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    NDIS_LINK_STATE ls;
    NdisZeroMemory(&ga, sizeof(ga));
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.MediaType = NdisMedium802_3;
    ga.PhysicalMediumType = NdisPhysicalMedium802_3;
    ga.MtuSize = TAP_MTU;
    ga.MaxXmitLinkSpeed = ga.MaxRcvLinkSpeed = TAP_LINK_SPEED;
    a->link_reported = tap_dev_link_up(a->dev);
    tap_link_state(a, a->link_reported, &ls);
    ga.XmitLinkSpeed = ls.XmitLinkSpeed;
    ga.RcvLinkSpeed = ls.RcvLinkSpeed;
    ga.MediaConnectState = ls.MediaConnectState;
    ga.MediaDuplexState = ls.MediaDuplexState;
    ga.LookaheadSize = TAP_MTU;
    ga.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                    NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
    ga.SupportedPacketFilters = TAP_SUPPORTED_FILTERS;
    ga.MaxMulticastListSize = TAP_MCAST_MAX;
    ga.MacAddressLength = 6;
    NdisMoveMemory(ga.PermanentMacAddress, a->perm_mac, 6);
    NdisMoveMemory(ga.CurrentMacAddress, a->mac, 6);
    ga.AccessType = NET_IF_ACCESS_BROADCAST;
    ga.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    ga.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    ga.IfType = IF_TYPE_ETHERNET_CSMACD;
    ga.IfConnectorPresent = FALSE; /* a virtual adapter */
    ga.SupportedStatistics = TAP_SUPPORTED_STATISTICS;
    ga.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
    ga.SupportedOidList = (PNDIS_OID)tap_supported_oids;
    ga.SupportedOidListLength = tap_supported_oids_size;
    return NdisMSetMiniportAttributes(a->handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
}

static NDIS_STATUS open_device(struct tap_adapter *a, const struct tap_config *cfg)
{
    char err[256];
    int rc = tap_dev_open(cfg->ifname, &tap_dev_callbacks, a, &a->dev, err, sizeof(err));
    if (rc) {
        DbgPrint("tapmp: cannot attach TAP interface '%s': %s\n", cfg->ifname, err);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    NdisMoveMemory(a->ifname, tap_dev_name(a->dev), sizeof(a->ifname));
    tap_dev_default_mac(a->ifname, a->perm_mac);
    NdisMoveMemory(a->mac, cfg->have_mac ? cfg->mac : a->perm_mac, 6);
    return NDIS_STATUS_SUCCESS;
}

static void adapter_free(struct tap_adapter *a)
{
    tap_rx_free(a);
    if (a->remove_wi)
        NdisFreeIoWorkItem(a->remove_wi);
    tap_dev_close(a->dev);
    NdisFreeSpinLock(&a->mc_lock);
    NdisFreeSpinLock(&a->rx_lock);
    NdisFreeMemory(a, 0, 0);
}

static struct tap_adapter *adapter_new(NDIS_HANDLE handle)
{
    struct tap_adapter *a =
        NdisAllocateMemoryWithTagPriority(handle, sizeof(*a), TAP_TAG, NormalPoolPriority);
    if (!a)
        return NULL;
    NdisZeroMemory(a, sizeof(*a));
    a->handle = handle;
    atomic_init(&a->state, TAP_PAUSED);
    NdisAllocateSpinLock(&a->rx_lock);
    NdisAllocateSpinLock(&a->mc_lock);
    NdisInitializeEvent(&a->remove_done);
    a->lookahead = TAP_MTU;
    return a;
}

_Use_decl_annotations_ static NDIS_STATUS tap_initialize(NDIS_HANDLE handle, NDIS_HANDLE drvctx,
                                                         PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
    (void)drvctx;
    (void)ip;
    struct tap_config cfg;
    NDIS_STATUS st = tap_read_config(handle, &cfg);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    struct tap_adapter *a = adapter_new(handle);
    if (!a)
        return NDIS_STATUS_RESOURCES;
    if ((st = set_registration_attributes(a)) != NDIS_STATUS_SUCCESS ||
        (st = open_device(a, &cfg)) != NDIS_STATUS_SUCCESS ||
        (st = set_general_attributes(a)) != NDIS_STATUS_SUCCESS ||
        (st = tap_rx_init(a, cfg.rx_buffers)) != NDIS_STATUS_SUCCESS)
        goto fail;
    a->remove_wi = NdisAllocateIoWorkItem(handle);
    if (!a->remove_wi) {
        st = NDIS_STATUS_RESOURCES;
        goto fail;
    }
    char err[256];
    if (tap_dev_start(a->dev, err, sizeof(err)) != 0) {
        DbgPrint("tapmp: %s: %s\n", a->ifname, err);
        st = NDIS_STATUS_RESOURCES;
        goto fail;
    }
    return NDIS_STATUS_SUCCESS;
fail:
    adapter_free(a);
    return st;
}

/* ---- removal and halt ------------------------------------------------------------------ */

_Use_decl_annotations_ static void tap_pnp_event(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    struct tap_adapter *a = ctx;
    /* "The miniport driver should note that the device has been physically removed"
       (processing-the-surprise-removal-of-a-nic--windows-7-and-later-versions-.md). */
    if (ev->DevicePnPEvent == NdisDevicePnPEventSurpriseRemoved)
        atomic_store(&a->gone, true);
}

_Use_decl_annotations_ static void tap_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    struct tap_adapter *a = ctx;
    (void)action;
    /* NDIS halts a paused adapter: nothing is indicated or sent any more. */
    atomic_store(&a->state, TAP_HALTING);
    tap_dev_stop(a->dev);      /* no more "interrupts" */
    tap_rx_quiesce(a);         /* no DPC queued or running */
    if (atomic_load(&a->remove_queued) && !NdisWaitEvent(&a->remove_done, 10000))
        DbgPrint("tapmp: %s: the removal work item did not finish within 10 s\n", a->ifname);
    adapter_free(a);           /* closes the TAP device */
}

/*
 * nc-ndis-miniport_shutdown.md: restore the adapter to its state before
 * MiniportInitializeEx; at power-off the driver may free resources. NDIS calls
 * nothing of this adapter afterwards, "including MiniportHaltEx", so the
 * "interrupts" stop, the DPC drains, the TAP device is released (an interface
 * the adapter created goes away) and so is the work item. The memory and pools
 * are NDIS's to reclaim. (No bug-check call: the adapter does not register for
 * one.)
 */
_Use_decl_annotations_ static void tap_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION action)
{
    struct tap_adapter *a = ctx;
    if (action != NdisShutdownPowerOff)
        return;
    atomic_store(&a->state, TAP_HALTING);
    tap_dev_stop(a->dev);
    tap_rx_quiesce(a);
    if (atomic_load(&a->remove_queued) && !NdisWaitEvent(&a->remove_done, 10000))
        DbgPrint("tapmp: %s: the removal work item did not finish within 10 s\n", a->ifname);
    tap_dev_close(a->dev);
    a->dev = NULL;
    NdisFreeIoWorkItem(a->remove_wi);
    a->remove_wi = NULL;
}

/* ---- the driver ------------------------------------------------------------------------- */

_Use_decl_annotations_ static void tap_unload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    NdisMDeregisterMiniportDriver(tap_driver_handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    c.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    c.MajorDriverVersion = 1;
    c.InitializeHandlerEx = tap_initialize;
    c.HaltHandlerEx = tap_halt;
    c.UnloadHandler = tap_unload;
    c.PauseHandler = tap_pause;
    c.RestartHandler = tap_restart;
    c.OidRequestHandler = tap_oid_request;
    c.SendNetBufferListsHandler = tap_send_nbls;
    c.ReturnNetBufferListsHandler = tap_return_nbls;
    c.CancelSendHandler = tap_cancel_send;
    c.DevicePnPEventNotifyHandler = tap_pnp_event;
    c.ShutdownHandlerEx = tap_shutdown;
    c.CancelOidRequestHandler = tap_cancel_oid;
    NDIS_STATUS st =
        NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &tap_driver_handle);
    return st == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

/*
 * tap_rx.c - the receive side of the TAP miniport.
 *
 * A fixed set of receive NBLs (a NIC's receive ring) is allocated at
 * initialization, each with its own TAP_RX_BUFFER_SIZE buffer and MDL. The
 * device's event thread (the "interrupt", tap_dev.h) only queues the DPC. The
 * DPC runs at DISPATCH_LEVEL and reads waiting frames straight into free NBLs,
 * up to TAP_RX_BUDGET per run, and indicates them together in one
 * NdisMIndicateReceiveNetBufferLists (concepts/indicating-received-data-from-a-
 * miniport-driver.md). Then it queues itself again when it used up its budget
 * or read frames, waits for returns (no free NBL: MiniportReturnNetBufferLists
 * queues it), or, after TAP_RX_REPOLL runs in a row that found nothing, turns
 * receive notification back on. Re-arming the interrupt (EPOLL_CTL_MOD, which
 * wakes the event thread when frames are already waiting) and the wake-ups that
 * follow cost more than a few empty reads: under load the device rarely stays
 * empty for as long as those reads take (bench/tap, docs/tap.md).
 *
 * With fewer than 1/8 of the NBLs free it indicates with
 * NDIS_RECEIVE_FLAGS_RESOURCES, so that the NBLs come back at once.
 *
 * The DPC also completes a restart (tapmp.c), tells NDIS about link changes
 * (NDIS_STATUS_LINK_STATE, concepts/ndis-status-link-state.md) and, when the
 * interface was deleted, queues the work item that calls NdisMRemoveMiniport
 * (at PASSIVE_LEVEL).
 */
#include "tapmp.h"

/* How a DPC run ended: nothing to read, read until the device ran dry, budget
   used up, no free NBL, interface deleted. */
enum rx_end { RX_IDLE, RX_DRAINED, RX_BUDGET, RX_STARVED, RX_GONE };

/* Per-run counts, added to the adapter's counters once per run. */
struct rx_counts {
    ULONG64 frames[3], bytes[3]; /* by tap_frame_class */
    ULONG64 discards, errors, filtered;
};

static KDEFERRED_ROUTINE tap_dpc;
static NDIS_IO_WORKITEM_FUNCTION tap_remove_work;

static PUCHAR rx_buffer(PNET_BUFFER_LIST nbl)
{
    return nbl->MiniportReserved[0];
}

static PMDL rx_mdl(PNET_BUFFER_LIST nbl)
{
    return nbl->MiniportReserved[1];
}

/* ---- the receive ring ------------------------------------------------------------- */

static NDIS_STATUS rx_alloc_pool(struct tap_adapter *a)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = TAP_TAG;
    a->nbl_pool = NdisAllocateNetBufferListPool(a->handle, &pp);
    return a->nbl_pool ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

static PNET_BUFFER_LIST rx_alloc_one(struct tap_adapter *a, PUCHAR buf)
{
    PMDL mdl = NdisAllocateMdl(a->handle, buf, TAP_RX_BUFFER_SIZE);
    if (!mdl)
        return NULL;
    PNET_BUFFER_LIST nbl =
        NdisAllocateNetBufferAndNetBufferList(a->nbl_pool, 0, 0, mdl, 0, TAP_RX_BUFFER_SIZE);
    if (!nbl) {
        NdisFreeMdl(mdl);
        return NULL;
    }
    nbl->SourceHandle = a->handle;
    nbl->MiniportReserved[0] = buf;
    nbl->MiniportReserved[1] = mdl;
    return nbl;
}

NDIS_STATUS tap_rx_init(struct tap_adapter *a, ULONG count)
{
    KeInitializeDpc(&a->dpc, tap_dpc, a);
    if (rx_alloc_pool(a) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    a->rx_all = NdisAllocateMemoryWithTagPriority(a->handle, count * sizeof(PNET_BUFFER_LIST),
                                                  TAP_TAG, NormalPoolPriority);
    a->rx_mem = NdisAllocateMemoryWithTagPriority(a->handle, count * TAP_RX_BUFFER_SIZE,
                                                  TAP_TAG, NormalPoolPriority);
    if (!a->rx_all || !a->rx_mem)
        return NDIS_STATUS_RESOURCES;
    for (ULONG i = 0; i < count; i++) {
        PNET_BUFFER_LIST nbl = rx_alloc_one(a, a->rx_mem + (SIZE_T)i * TAP_RX_BUFFER_SIZE);
        if (!nbl)
            return NDIS_STATUS_RESOURCES;
        a->rx_all[a->rx_count++] = nbl;
        nbl->Next = a->rx_stash;
        a->rx_stash = nbl;
        a->rx_stash_count++;
    }
    return NDIS_STATUS_SUCCESS;
}

/* Frees what tap_rx_init made (also after a partial failure); every NBL is home. */
void tap_rx_free(struct tap_adapter *a)
{
    for (ULONG i = 0; i < a->rx_count; i++) {
        PMDL mdl = rx_mdl(a->rx_all[i]);
        NdisFreeNetBufferList(a->rx_all[i]);
        NdisFreeMdl(mdl);
    }
    a->rx_count = 0;
    if (a->rx_all)
        NdisFreeMemory(a->rx_all, 0, 0);
    if (a->rx_mem)
        NdisFreeMemory(a->rx_mem, 0, 0);
    if (a->nbl_pool)
        NdisFreeNetBufferListPool(a->nbl_pool);
    a->rx_all = NULL;
    a->rx_mem = NULL;
    a->nbl_pool = NULL;
}

/* Moves the returned NBLs to the DPC's stash (DPC only). */
static void rx_refill(struct tap_adapter *a)
{
    NdisDprAcquireSpinLock(&a->rx_lock);
    PNET_BUFFER_LIST list = a->rx_free;
    ULONG n = a->rx_free_count;
    a->rx_free = NULL;
    a->rx_free_count = 0;
    NdisDprReleaseSpinLock(&a->rx_lock);
    if (!list)
        return;
    PNET_BUFFER_LIST last = list;
    while (last->Next)
        last = last->Next;
    last->Next = a->rx_stash;
    a->rx_stash = list;
    a->rx_stash_count += n;
}

static PNET_BUFFER_LIST rx_take(struct tap_adapter *a)
{
    if (!a->rx_stash)
        rx_refill(a);
    PNET_BUFFER_LIST nbl = a->rx_stash;
    if (nbl) {
        a->rx_stash = nbl->Next;
        a->rx_stash_count--;
        nbl->Next = NULL;
    }
    return nbl;
}

static void rx_put_back(struct tap_adapter *a, PNET_BUFFER_LIST nbl)
{
    nbl->Next = a->rx_stash;
    a->rx_stash = nbl;
    a->rx_stash_count++;
}

/* ---- one frame ------------------------------------------------------------------------ */

static bool rx_multicast_listed(struct tap_adapter *a, const UCHAR *dst)
{
    bool found = false;
    NdisDprAcquireSpinLock(&a->mc_lock);
    for (ULONG i = 0; i < a->mc_count && !found; i++)
        found = NdisEqualMemory(a->mc[i], dst, 6);
    NdisDprReleaseSpinLock(&a->mc_lock);
    return found;
}

/* The packet filter NDIS set (concepts/oid-gen-current-packet-filter.md). */
static bool rx_accepts(struct tap_adapter *a, const UCHAR *dst, int cls, ULONG filter)
{
    if (filter & NDIS_PACKET_TYPE_PROMISCUOUS)
        return true;
    if (cls == 2)
        return filter & NDIS_PACKET_TYPE_BROADCAST;
    if (cls == 1)
        return (filter & NDIS_PACKET_TYPE_ALL_MULTICAST) ||
               ((filter & NDIS_PACKET_TYPE_MULTICAST) && rx_multicast_listed(a, dst));
    return (filter & NDIS_PACKET_TYPE_DIRECTED) && NdisEqualMemory(dst, a->mac, 6);
}

/* Makes a returned NBL look freshly allocated again, describing len bytes. */
static void rx_reset(PNET_BUFFER_LIST nbl, ULONG len)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    NET_BUFFER_FIRST_MDL(nb) = NET_BUFFER_CURRENT_MDL(nb) = rx_mdl(nbl);
    NET_BUFFER_DATA_OFFSET(nb) = 0;
    NET_BUFFER_CURRENT_MDL_OFFSET(nb) = 0;
    NET_BUFFER_DATA_LENGTH(nb) = len;
    NET_BUFFER_NEXT_NB(nb) = NULL;
    nbl->Status = NDIS_STATUS_SUCCESS;
    NdisZeroMemory(nbl->NetBufferListInfo, sizeof(nbl->NetBufferListInfo));
}

/* Decides whether the frame just read into nbl goes up; counts it either way. */
static bool rx_keep(struct tap_adapter *a, PNET_BUFFER_LIST nbl, long len, bool running,
                    ULONG filter, struct rx_counts *c)
{
    if (len < TAP_MIN_FRAME || len > TAP_MAX_FRAME) {
        c->errors++; /* a runt, or longer than the MTU allows (cut by the read) */
        return false;
    }
    const UCHAR *dst = rx_buffer(nbl);
    int cls = tap_frame_class(dst);
    if (!rx_accepts(a, dst, cls, filter)) {
        c->filtered++;
        return false;
    }
    if (!running) {
        c->discards++;
        return false;
    }
    rx_reset(nbl, (ULONG)len);
    c->frames[cls]++;
    c->bytes[cls] += (ULONG64)len;
    return true;
}

static void rx_count(struct tap_adapter *a, const struct rx_counts *c)
{
    struct tap_stats *s = &a->stats;
    atomic_ullong *frames[3] = {&s->in_ucast, &s->in_mcast, &s->in_bcast};
    atomic_ullong *bytes[3] = {&s->in_ucast_bytes, &s->in_mcast_bytes, &s->in_bcast_bytes};
    for (int i = 0; i < 3; i++)
        if (c->frames[i]) {
            atomic_fetch_add_explicit(frames[i], c->frames[i], memory_order_relaxed);
            atomic_fetch_add_explicit(bytes[i], c->bytes[i], memory_order_relaxed);
        }
    if (c->discards)
        atomic_fetch_add_explicit(&s->in_discards, c->discards, memory_order_relaxed);
    if (c->errors)
        atomic_fetch_add_explicit(&s->in_errors, c->errors, memory_order_relaxed);
    if (c->filtered)
        atomic_fetch_add_explicit(&s->in_filtered, c->filtered, memory_order_relaxed);
}

/* ---- indication ------------------------------------------------------------------------- */

static void rx_indicate(struct tap_adapter *a, PNET_BUFFER_LIST head, ULONG n)
{
    ULONG flags = NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
    if (a->rx_stash_count < a->rx_count / 8)
        rx_refill(a);
    bool low = a->rx_stash_count < a->rx_count / 8;
    if (low)
        flags |= NDIS_RECEIVE_FLAGS_RESOURCES;
    else
        tap_ref_get(a, (long)n); /* dropped by tap_return_nbls */
    NdisMIndicateReceiveNetBufferLists(a->handle, head, NDIS_DEFAULT_PORT_NUMBER, n, flags);
    if (!low)
        return;
    /* NDIS_RECEIVE_FLAGS_RESOURCES: the NBLs are ours again as soon as the call returns. */
    while (head) {
        PNET_BUFFER_LIST next = head->Next;
        rx_put_back(a, head);
        head = next;
    }
}

/* Reads and indicates up to TAP_RX_BUDGET frames. */
static enum rx_end rx_drain(struct tap_adapter *a)
{
    bool running = atomic_load(&a->state) == TAP_RUNNING;
    ULONG filter = atomic_load_explicit(&a->packet_filter, memory_order_relaxed);
    struct rx_counts c = {{0}, {0}, 0, 0, 0};
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    ULONG n = 0;
    enum rx_end end = RX_BUDGET;
    for (int i = 0; i < TAP_RX_BUDGET; i++) {
        PNET_BUFFER_LIST nbl = rx_take(a);
        if (!nbl) {
            end = RX_STARVED;
            break;
        }
        long len = tap_dev_read(a->dev, rx_buffer(nbl), TAP_RX_BUFFER_SIZE);
        if (len < 0) {
            /* A read error other than "nothing waiting" counts as a bad frame; the
               next interrupt tries again. */
            rx_put_back(a, nbl);
            c.errors += len != TAP_IO_AGAIN && len != TAP_IO_GONE;
            end = len == TAP_IO_GONE ? RX_GONE : i ? RX_DRAINED : RX_IDLE;
            break;
        }
        if (!rx_keep(a, nbl, len, running, filter, &c)) {
            rx_put_back(a, nbl);
            continue;
        }
        *tail = nbl;
        tail = &nbl->Next;
        n++;
    }
    rx_count(a, &c);
    if (n)
        rx_indicate(a, head, n);
    return end;
}

/* ---- link and removal ----------------------------------------------------------------------- */

void tap_link_state(struct tap_adapter *a, bool up, NDIS_LINK_STATE *ls)
{
    (void)a;
    NdisZeroMemory(ls, sizeof(*ls));
    ls->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    ls->Header.Revision = NDIS_LINK_STATE_REVISION_1;
    ls->Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
    ls->MediaConnectState = up ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    ls->MediaDuplexState = up ? MediaDuplexStateFull : MediaDuplexStateUnknown;
    ls->XmitLinkSpeed = ls->RcvLinkSpeed = up ? TAP_LINK_SPEED : NDIS_LINK_SPEED_UNKNOWN;
    ls->PauseFunctions = NdisPauseFunctionsUnsupported;
}

/* The DPC is the only caller, so link_reported needs no lock. */
static void link_indicate(struct tap_adapter *a)
{
    bool up = !atomic_load(&a->gone) && tap_dev_link_up(a->dev);
    if (up == a->link_reported)
        return;
    a->link_reported = up;
    NDIS_LINK_STATE ls;
    tap_link_state(a, up, &ls);
    NDIS_STATUS_INDICATION si;
    NdisZeroMemory(&si, sizeof(si));
    si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    si.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    si.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    si.SourceHandle = a->handle;
    si.StatusCode = NDIS_STATUS_LINK_STATE;
    si.StatusBuffer = &ls;
    si.StatusBufferSize = sizeof(ls);
    NdisMIndicateStatusEx(a->handle, &si);
}

/* NdisMRemoveMiniport at PASSIVE_LEVEL (nf-ndis-ndismremoveminiport.md): NDIS then
   removes the adapter as a surprise removal and halts it. */
_Use_decl_annotations_ static void tap_remove_work(PVOID ctx, NDIS_HANDLE wi)
{
    struct tap_adapter *a = ctx;
    (void)wi;
    DbgPrint("tapmp: TAP interface %s was deleted; removing the adapter\n", a->ifname);
    NDIS_STATUS st = NdisMRemoveMiniport(a->handle);
    if (st != NDIS_STATUS_SUCCESS)
        DbgPrint("tapmp: NdisMRemoveMiniport failed with 0x%08x\n", (unsigned)st);
    NdisSetEvent(&a->remove_done);
}

static void queue_removal(struct tap_adapter *a)
{
    if (!atomic_exchange(&a->remove_queued, true))
        NdisQueueIoWorkItem(a->remove_wi, tap_remove_work, a);
}

/* ---- the DPC ------------------------------------------------------------------------------- */

static void dpc_queue(struct tap_adapter *a)
{
    if (atomic_load(&a->state) != TAP_HALTING)
        KeInsertQueueDpc(&a->dpc, NULL, NULL);
}

static void rx_after(struct tap_adapter *a, enum rx_end end)
{
    switch (end) {
    case RX_IDLE:
        /* Look a few more times before paying for an interrupt (see the top). */
        if (a->rx_empty_runs++ < TAP_RX_REPOLL) {
            dpc_queue(a);
        } else {
            a->rx_empty_runs = 0;
            tap_dev_rx_arm(a->dev);
        }
        break;
    case RX_DRAINED:
    case RX_BUDGET:
        a->rx_empty_runs = 0;
        dpc_queue(a);
        break;
    case RX_STARVED:
        /* A return that came after rx_take looked is in rx_free: look once more. */
        atomic_store(&a->rx_starved, true);
        rx_refill(a);
        if (a->rx_stash && atomic_exchange(&a->rx_starved, false))
            dpc_queue(a);
        break;
    case RX_GONE:
        atomic_store(&a->gone, true);
        break;
    }
}

static void dpc_run(struct tap_adapter *a)
{
    tap_ref_get(a, 1); /* a pause cannot complete while this run may indicate */
    if (atomic_exchange(&a->restart_pending, false)) {
        atomic_store(&a->state, TAP_RUNNING);
        NdisMRestartComplete(a->handle, NDIS_STATUS_SUCCESS);
    }
    if (atomic_load(&a->state) != TAP_HALTING) {
        if (!atomic_load(&a->gone))
            rx_after(a, rx_drain(a));
        if (atomic_exchange(&a->link_dirty, false) || atomic_load(&a->gone))
            link_indicate(a);
        if (atomic_load(&a->gone))
            queue_removal(a);
    }
    tap_ref_put(a, 1);
}

/*
 * The same DPC may be queued again while it runs and, on Windows, run on
 * another processor at the same time; runs are serialized here: a run that
 * finds another in progress leaves dpc_again for it.
 */
_Use_decl_annotations_ static void tap_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    struct tap_adapter *a = ctx;
    (void)dpc;
    (void)a1;
    (void)a2;
    atomic_store(&a->dpc_again, true);
    if (atomic_exchange(&a->dpc_busy, true))
        return;
    atomic_store(&a->dpc_again, false);
    dpc_run(a);
    atomic_store(&a->dpc_busy, false);
    if (atomic_load(&a->dpc_again))
        dpc_queue(a);
}

/* ---- interrupts from the device (its event thread) ------------------------------------------ */

static void on_rx_ready(void *ctx)
{
    struct tap_adapter *a = ctx;
    KeInsertQueueDpc(&a->dpc, NULL, NULL);
}

static void on_link_changed(void *ctx)
{
    struct tap_adapter *a = ctx;
    atomic_store(&a->link_dirty, true);
    KeInsertQueueDpc(&a->dpc, NULL, NULL);
}

static void on_gone(void *ctx)
{
    struct tap_adapter *a = ctx;
    atomic_store(&a->gone, true);
    KeInsertQueueDpc(&a->dpc, NULL, NULL);
}

const struct tap_dev_ops tap_dev_callbacks = {
    .rx_ready = on_rx_ready,
    .link_changed = on_link_changed,
    .gone = on_gone,
};

void tap_rx_kick(struct tap_adapter *a)
{
    dpc_queue(a);
}

/* ---- returns ----------------------------------------------------------------------------------- */

_Use_decl_annotations_ void tap_return_nbls(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    struct tap_adapter *a = ctx;
    ULONG n = 1;
    PNET_BUFFER_LIST last = nbls;
    for (; last->Next; last = last->Next)
        n++;
    if (flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL)
        NdisDprAcquireSpinLock(&a->rx_lock);
    else
        NdisAcquireSpinLock(&a->rx_lock);
    last->Next = a->rx_free;
    a->rx_free = nbls;
    a->rx_free_count += n;
    if (flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL)
        NdisDprReleaseSpinLock(&a->rx_lock);
    else
        NdisReleaseSpinLock(&a->rx_lock);
    if (atomic_exchange(&a->rx_starved, false))
        dpc_queue(a);
    tap_ref_put(a, (long)n); /* last: the NBLs are home before a pause can complete */
}

/* ---- halt ---------------------------------------------------------------------------------------- */

/*
 * With state TAP_HALTING and the event thread stopped, only a run of the DPC
 * that started before could queue it again (dpc_queue checks the state, then
 * inserts). KeFlushQueuedDpcs returns once every DPC queued before the call
 * (and one running then) has run. What such a run queued again is then still
 * queued, where KeRemoveQueueDpc takes it out, or already started: the second
 * flush waits for that run, which sees TAP_HALTING and queues nothing.
 */
void tap_rx_quiesce(struct tap_adapter *a)
{
    KeFlushQueuedDpcs();
    if (!KeRemoveQueueDpc(&a->dpc))
        KeFlushQueuedDpcs();
}

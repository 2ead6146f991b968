/*
 * filter.c - filter drivers and filter modules: NdisFRegisterFilterDriver /
 * NdisFDeregisterFilterDriver, attaching modules to the stacks they apply to,
 * the module state machine of concepts/filter-module-states-and-operations.md,
 * FilterPause / FilterRestart with NdisFPauseComplete / NdisFRestartComplete,
 * NdisFSetAttributes, NdisFRestartFilter and the filter forms of
 * NdisSetOptionalHandlers.
 *
 * Order in a stack (configuring-an-inf-file-for-a-*-filter-driver.md): modifying
 * filters by FilterClass, from the top: scheduler, encryption, compression, vpn,
 * loadbalance, failover, diagnostic, custom, provider_address; filters of one
 * class by their UniqueName, the smallest highest (our documented tie-break,
 * stable across restarts). Monitoring filters sit above the modifying ones;
 * among them, "the monitoring filter module that is installed first is closest
 * to the miniport adapter": installation order is the order in which each
 * UniqueName first registered in the instance, kept across re-registrations.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "core/pnp.h"
#include "core/verifier.h"
#include "os/fault.h"

#define RULE_IRQL "Irql_Filter_Driver_Function"
#define X NDISI_FSM_INVALID

/* Rows: events; columns: Detached Attaching Paused Restarting Running Pausing. */
static const uint8_t module_table[NDISI_ME_COUNT * NDISI_MS_COUNT] = {
    /* Filter attach       */ NDISI_MS_ATTACHING, X, X, X, X, X,
    /* Attach is complete  */ X, NDISI_MS_PAUSED, X, X, X, X,
    /* Filter detach       */ X, X, NDISI_MS_DETACHED, X, X, X,
    /* Filter restart      */ X, X, NDISI_MS_RESTARTING, X, X, X,
    /* Restart is complete */ X, X, X, NDISI_MS_RUNNING, X, X,
    /* Filter pause        */ X, X, X, X, NDISI_MS_PAUSING, X,
    /* Pause is complete   */ X, X, X, X, X, NDISI_MS_PAUSED,
    /* Attach failed       */ X, NDISI_MS_DETACHED, X, X, X, X,
    /* Restart failed      */ X, X, X, NDISI_MS_PAUSED, X, X,
};
static const char *const module_states[NDISI_MS_COUNT] = {
    "Detached", "Attaching", "Paused", "Restarting", "Running", "Pausing"};
static const char *const module_events[NDISI_ME_COUNT] = {
    "FilterAttach",     "attach complete", "FilterDetach",   "FilterRestart", "restart complete",
    "FilterPause",      "pause complete",  "attach failed", "restart failed"};

const struct ndisi_fsm ndisi_module_fsm = {
    .kind = "filter module",
    .page = "concepts/filter-module-states-and-operations.md",
    .nstates = NDISI_MS_COUNT,
    .nevents = NDISI_ME_COUNT,
    .state_names = module_states,
    .event_names = module_events,
    .table = module_table,
};

const char *ndisi_module_state_name(const struct ndisi_filter_module *m)
{
    return ndisi_fsm_state_name(&ndisi_module_fsm, atomic_load(&m->state));
}

static bool module_event(struct ndisi_filter_module *m, enum ndisi_module_event ev,
                         const char *ddi)
{
    return ndisi_fsm_apply(&ndisi_module_fsm, &m->state, ev, m->label, ddi);
}

static unsigned mod_timeout(const struct ndisi_filter_module *m)
{
    return m->adapter->host->wait_timeout_ms;
}

static void describe_module(void *ctx, char *buf, size_t len)
{
    struct ndisi_filter_module *m = ctx;
    snprintf(buf, len,
             "filter module '%s' is %s; %ld NBLs it sent are not completed, %ld NBLs it "
             "indicated are not returned",
             m->label, ndisi_module_state_name(m), ndisi_drain_count(&m->tx),
             ndisi_drain_count(&m->rx));
}

/* ---- ordering ---------------------------------------------------------------- */

static const char *const class_order[] = {"scheduler", "encryption", "compression", "vpn",
                                           "loadbalance", "failover", "diagnostic", "custom",
                                           "provider_address"};

/* Larger rank = higher in the stack. */
static unsigned long long filter_rank(const struct ndisi_filter_driver *f)
{
    if (f->image->cfg.filter_type == 1) /* monitoring: above every modifying filter */
        return (1ull << 40) + (0xffffffffull - f->install_seq);
    unsigned cls = RTL_NUMBER_OF(class_order); /* unknown classes rank with "custom" */
    for (unsigned i = 0; i < RTL_NUMBER_OF(class_order); i++)
        if (strcasecmp(f->image->filter_class, class_order[i]) == 0)
            cls = i;
    if (cls == RTL_NUMBER_OF(class_order))
        cls = 7;
    return (unsigned long long)(RTL_NUMBER_OF(class_order) - cls) << 32;
}

/* True if driver a sits above driver b in a stack. */
static bool filter_above(const struct ndisi_filter_driver *a, const struct ndisi_filter_driver *b)
{
    unsigned long long ra = filter_rank(a), rb = filter_rank(b);
    if (ra != rb)
        return ra > rb;
    if (a->image->cfg.filter_type == 1)
        return a->install_seq < b->install_seq ? false : true;
    return strcasecmp(a->unique, b->unique) < 0;
}

/* ---- registration -------------------------------------------------------------- */

static NDIS_STATUS reg_fail(const char *driver, NDIS_STATUS st, const char *stname,
                            const char *why)
{
    ndisi_diag("NdisFRegisterFilterDriver (driver '%s'): %s: %s", driver, stname, why);
    return st;
}

static bool valid_ustr(const NDIS_STRING *s)
{
    return s->Buffer && s->Length && !(s->Length % 2) && s->Length <= s->MaximumLength;
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
static bool is_braced_guid(const char *s)
{
    static const char pat[] = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";
    if (strlen(s) != sizeof(pat) - 1)
        return false;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != pat[i])
            return false;
    return true;
}

static NDIS_STATUS validate_chars(struct ndisi_image *img,
                                  const NDIS_FILTER_DRIVER_CHARACTERISTICS *c)
{
    char why[200];
#define BAD(msg) reg_fail(img->name, NDIS_STATUS_BAD_CHARACTERISTICS, \
                          "NDIS_STATUS_BAD_CHARACTERISTICS", msg)
    if (c->Header.Type != NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS)
        return BAD("Header.Type is not NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS");
    if (!ndisi_version_supported(c->MajorNdisVersion, c->MinorNdisVersion)) {
        snprintf(why, sizeof(why), "NDIS version %u.%u is not supported (NDIS 6.0 to 6.82)",
                 c->MajorNdisVersion, c->MinorNdisVersion);
        return reg_fail(img->name, NDIS_STATUS_BAD_VERSION, "NDIS_STATUS_BAD_VERSION", why);
    }
    size_t need;
    switch (c->Header.Revision) {
    case NDIS_FILTER_CHARACTERISTICS_REVISION_1:
        need = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1;
        break;
    case NDIS_FILTER_CHARACTERISTICS_REVISION_2:
        need = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
        if (!ndisi_version_at_least(c->MajorNdisVersion, c->MinorNdisVersion, 6, 1))
            return BAD("Revision 2 requires NDIS 6.1 or later");
        break;
    case NDIS_FILTER_CHARACTERISTICS_REVISION_3:
        need = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_3;
        if (!ndisi_version_at_least(c->MajorNdisVersion, c->MinorNdisVersion, 6, 80))
            return BAD("Revision 3 requires NDIS 6.80 or later");
        break;
    default:
        snprintf(why, sizeof(why), "Header.Revision %u is not a revision of the structure",
                 c->Header.Revision);
        return BAD(why);
    }
    if (c->Header.Size < need) {
        snprintf(why, sizeof(why), "Header.Size %u is smaller than %zu, the size of revision %u",
                 c->Header.Size, need, c->Header.Revision);
        return BAD(why);
    }
    if (!valid_ustr(&c->FriendlyName) || !valid_ustr(&c->UniqueName) ||
        !valid_ustr(&c->ServiceName))
        return BAD("FriendlyName, UniqueName and ServiceName must be non-empty UNICODE_STRINGs");
    char unique[NDISI_NAME_MAX];
    ndisi_ustr_to_utf8(&c->UniqueName, unique, sizeof(unique));
    if (!is_braced_guid(unique)) {
        snprintf(why, sizeof(why), "UniqueName '%s' is not a GUID in curly braces", unique);
        return BAD(why);
    }
    if (!c->AttachHandler || !c->DetachHandler || !c->RestartHandler || !c->PauseHandler)
        return BAD("AttachHandler, DetachHandler, RestartHandler and PauseHandler are required");
    if (!c->OidRequestHandler != !c->OidRequestCompleteHandler)
        return BAD("OidRequestHandler and OidRequestCompleteHandler are provided together");
    return NDIS_STATUS_SUCCESS;
#undef BAD
}

static void attach_all_op(struct ndis_host *h, void *arg);

NDIS_STATUS NdisFRegisterFilterDriver(PDRIVER_OBJECT DriverObject, NDIS_HANDLE FilterDriverContext,
                                      PNDIS_FILTER_DRIVER_CHARACTERISTICS FilterDriverCharacteristics,
                                      PNDIS_HANDLE NdisFilterDriverHandle)
{
    const char *ddi = "NdisFRegisterFilterDriver";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_image *img = ndisi_image_from_drvobj(DriverObject, ddi);
    if (!img)
        return NDIS_STATUS_INVALID_PARAMETER;
    if (!FilterDriverCharacteristics || !NdisFilterDriverHandle) {
        ndisi_diag("%s (driver '%s'): NDIS_STATUS_INVALID_PARAMETER: %s is NULL", ddi,
                   img->name,
                   NdisFilterDriverHandle ? "FilterDriverCharacteristics" : "NdisFilterDriverHandle");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    *NdisFilterDriverHandle = NULL;
    NDIS_STATUS st = validate_chars(img, FilterDriverCharacteristics);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    if (img->filter)
        return reg_fail(img->name, NDIS_STATUS_FAILURE, "NDIS_STATUS_FAILURE",
                        "the driver already registered a filter driver");
    struct ndisi_filter_driver *f =
        ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS)
            ? NULL
            : ndisi_obj_alloc(NDISI_OBJ_FILTER_DRIVER, sizeof(*f));
    if (!f)
        return reg_fail(img->name, NDIS_STATUS_RESOURCES, "NDIS_STATUS_RESOURCES",
                        "out of memory for the filter driver block");
    f->image = img;
    f->context = FilterDriverContext;
    size_t n = FilterDriverCharacteristics->Header.Size < sizeof(f->chars)
                   ? FilterDriverCharacteristics->Header.Size
                   : sizeof(f->chars);
    memcpy(&f->chars, FilterDriverCharacteristics, n);
    ndisi_ustr_to_utf8(&FilterDriverCharacteristics->FriendlyName, f->friendly, sizeof(f->friendly));
    ndisi_ustr_to_utf8(&FilterDriverCharacteristics->UniqueName, f->unique, sizeof(f->unique));
    ndisi_ustr_to_utf8(&FilterDriverCharacteristics->ServiceName, f->service, sizeof(f->service));
    ndisi_utf8_to_ustr(f->unique, &f->unique_str, f->unique_buf, RTL_NUMBER_OF(f->unique_buf));
    f->chars.FriendlyName.Buffer = f->chars.UniqueName.Buffer = f->chars.ServiceName.Buffer = NULL;
    f->obj.label = img->name;
    f->install_seq = ndisi_filter_install_seq(img->host, f->unique);
    InitializeListHead(&f->modules);
    /* Handlers a driver may replace with NdisSetOptionalHandlers in FilterSetOptions. */
    f->dflt.SendNetBufferListsHandler = f->chars.SendNetBufferListsHandler;
    f->dflt.SendNetBufferListsCompleteHandler = f->chars.SendNetBufferListsCompleteHandler;
    f->dflt.CancelSendNetBufferListsHandler = f->chars.CancelSendNetBufferListsHandler;
    f->dflt.ReceiveNetBufferListsHandler = f->chars.ReceiveNetBufferListsHandler;
    f->dflt.ReturnNetBufferListsHandler = f->chars.ReturnNetBufferListsHandler;

    if (f->chars.SetOptionsHandler) {
        struct ndisi_cbframe fr;
        f->in_set_options = true;
        ndisi_cb_enter(&fr, img, "FilterSetOptions", img->name, NDISI_CB_NDIS_ENTRY,
                       PASSIVE_LEVEL);
        st = f->chars.SetOptionsHandler((NDIS_HANDLE)f, FilterDriverContext);
        ndisi_cb_leave_status(&fr, true, st);
        f->in_set_options = false;
        if (st != NDIS_STATUS_SUCCESS) {
            ndisi_diag("NdisFRegisterFilterDriver (driver '%s'): FilterSetOptions failed with "
                       "0x%08x; registration fails",
                       img->name, (unsigned)st);
            ndisi_obj_free(f);
            return st;
        }
    }
    pthread_mutex_lock(&img->host->lock);
    img->filter = f;
    pthread_mutex_unlock(&img->host->lock);
    *NdisFilterDriverHandle = (NDIS_HANDLE)f;
    char what[160];
    snprintf(what, sizeof(what), "attach filter '%s' to its adapters", img->name);
    ndisi_pnp_post(img->host, attach_all_op, f, NULL, what);
    return NDIS_STATUS_SUCCESS;
}

/* ---- which adapters a filter applies to ------------------------------------------ */

static bool filter_applies(const struct ndisi_filter_driver *f, const struct ndisi_adapter *a)
{
    struct ndisi_range mlow = a->miniport->image->lower;
    if (!mlow.n)
        ndisi_range_parse(&mlow, NULL, "ethernet");
    return ndisi_range_intersects(&f->image->filter_media, &mlow);
}

static bool is_mandatory(const struct ndisi_filter_driver *f)
{
    return f->image->cfg.filter_run_type == 1 || (f->chars.Flags & NDIS_FILTER_DRIVER_MANDATORY);
}

static struct ndisi_filter_module *module_of(struct ndisi_filter_driver *f,
                                             struct ndisi_adapter *a)
{
    for (struct ndisi_filter_module *m = a->mod_bottom; m; m = m->above)
        if (m->driver == f)
            return m;
    return NULL;
}

bool ndisi_filter_mandatory_missing(struct ndisi_adapter *a)
{
    struct ndis_host *h = a->host;
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink) {
        struct ndisi_filter_driver *f = CONTAINING_RECORD(e, struct ndisi_image, link)->filter;
        if (f && !f->deregistering && is_mandatory(f) && filter_applies(f, a) &&
            !module_of(f, a))
            return true;
    }
    return false;
}

/* ---- attach / detach ------------------------------------------------------------- */

static void module_link(struct ndisi_filter_module *m, bool link)
{
    struct ndisi_adapter *a = m->adapter;
    pthread_mutex_lock(&a->host->lock);
    pthread_rwlock_wrlock(&a->stack_lock);
    if (link) {
        /* Find the first module that must sit above m; insert below it. */
        struct ndisi_filter_module *up = a->mod_bottom;
        while (up && !filter_above(up->driver, m->driver))
            up = up->above;
        m->above = up;
        m->below = up ? up->below : a->mod_top;
        if (m->below)
            m->below->above = m;
        else
            a->mod_bottom = m;
        if (up)
            up->below = m;
        else
            a->mod_top = m;
        InsertTailList(&m->driver->modules, &m->drv_link);
    } else {
        if (m->below)
            m->below->above = m->above;
        else
            a->mod_bottom = m->above;
        if (m->above)
            m->above->below = m->below;
        else
            a->mod_top = m->below;
        RemoveEntryList(&m->drv_link);
    }
    pthread_rwlock_unlock(&a->stack_lock);
    pthread_mutex_unlock(&a->host->lock);
}

static void fill_attach_params(struct ndisi_filter_module *m, NDIS_FILTER_ATTACH_PARAMETERS *p)
{
    struct ndisi_adapter *a = m->adapter;
    const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *g = &a->gen_attrs;
    memset(p, 0, sizeof(*p));
    p->Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS;
    p->Header.Revision = NDIS_FILTER_ATTACH_PARAMETERS_REVISION_4;
    p->Header.Size = NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_4;
    p->IfIndex = a->ifindex;
    p->NetLuid = a->luid;
    p->FilterModuleGuidName = &m->driver->unique_str;
    p->BaseMiniportIfIndex = a->ifindex;
    p->BaseMiniportInstanceName = &a->ndis_name;
    p->BaseMiniportName = &a->ndis_name;
    pthread_mutex_lock(&a->link_lock);
    p->MediaConnectState = a->link.MediaConnectState;
    p->MediaDuplexState = (NET_IF_MEDIA_DUPLEX_STATE)a->link.MediaDuplexState;
    p->XmitLinkSpeed = a->link.XmitLinkSpeed;
    p->RcvLinkSpeed = a->link.RcvLinkSpeed;
    pthread_mutex_unlock(&a->link_lock);
    p->MiniportMediaType = g->MediaType;
    p->MiniportPhysicalMediaType = g->PhysicalMediumType;
    p->MacAddressLength = g->MacAddressLength;
    memcpy(p->CurrentMacAddress, g->CurrentMacAddress, sizeof(p->CurrentMacAddress));
    p->BaseMiniportNetLuid = a->luid;
    p->LowerIfIndex = a->ifindex;
    p->LowerIfNetLuid = a->luid;
    p->BaseMiniportIfConnectorPresent = g->IfConnectorPresent;
}

/* Attaches f to a (the stack is paused or not started). Returns 0 or -EIO. */
static int attach_one(struct ndisi_filter_driver *f, struct ndisi_adapter *a)
{
    struct ndisi_filter_module *m = ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS)
                                        ? NULL
                                        : ndisi_obj_alloc(NDISI_OBJ_FILTER_MODULE, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->driver = f;
    m->adapter = a;
    snprintf(m->label, sizeof(m->label), "%s@%s", f->image->name, a->name);
    m->obj.label = m->label;
    atomic_init(&m->state, NDISI_MS_DETACHED);
    m->send = f->dflt.SendNetBufferListsHandler;
    m->send_complete = f->dflt.SendNetBufferListsCompleteHandler;
    m->cancel_send = f->dflt.CancelSendNetBufferListsHandler;
    m->receive = f->dflt.ReceiveNetBufferListsHandler;
    m->ret = f->dflt.ReturnNetBufferListsHandler;

    NDIS_FILTER_ATTACH_PARAMETERS ap;
    fill_attach_params(m, &ap);
    module_event(m, NDISI_ME_ATTACH, "FilterAttach");
    m->in_attach = true;
    struct ndisi_cbframe fr;
    ndisi_cb_enter(&fr, f->image, "FilterAttach", m->label, NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    NDIS_STATUS st = f->chars.AttachHandler((NDIS_HANDLE)m, f->context, &ap);
    ndisi_cb_leave_status(&fr, true, st);
    m->in_attach = false;

    if (st == NDIS_STATUS_SUCCESS && !m->attributes_set) {
        /* Without NdisFSetAttributes NDIS has no FilterModuleContext: it cannot
           call FilterDetach for the module, so whatever the filter allocated for
           it stays allocated (and is reported when the driver unloads). */
        ndisi_report(NDISI_V_RETURN, "FilterAttach",
                     "FilterAttach calls NdisFSetAttributes before it succeeds",
                     "filter module '%s' attached without NdisFSetAttributes; NDIS drops it",
                     m->label);
        st = NDIS_STATUS_FAILURE;
    }
    if (st != NDIS_STATUS_SUCCESS) {
        module_event(m, NDISI_ME_ATTACH_FAILED, "FilterAttach");
        if (is_mandatory(f))
            ndisi_diag("mandatory filter '%s' failed to attach to adapter '%s' (0x%08x): the "
                       "adapter's bindings will not come up",
                       f->image->name, a->name, (unsigned)st);
        else
            ndisi_diag("optional filter '%s' failed to attach to adapter '%s' (0x%08x); the "
                       "stack runs without it",
                       f->image->name, a->name, (unsigned)st);
        ndisi_obj_free(m);
        return -EIO;
    }
    module_event(m, NDISI_ME_ATTACH_COMPLETE, "FilterAttach");
    module_link(m, true);
    return 0;
}

static void detach_one(struct ndisi_filter_module *m)
{
    struct ndisi_filter_driver *f = m->driver;
    if (module_event(m, NDISI_ME_DETACH, "FilterDetach")) {
        struct ndisi_cbframe fr;
        ndisi_cb_enter(&fr, f->image, "FilterDetach", m->label, NDISI_CB_NDIS_ENTRY,
                       PASSIVE_LEVEL);
        f->chars.DetachHandler(m->ctx);
        ndisi_cb_leave(&fr);
    }
    module_link(m, false);
    ndisi_obj_free(m);
}

void ndisi_filter_attach_all(struct ndisi_adapter *a)
{
    /* concepts/starting-a-driver-stack.md: "beginning with the module that is
       closest to the miniport driver and progressing to the top". */
    struct ndis_host *h = a->host;
    struct ndisi_filter_driver *todo[64];
    unsigned n = 0;
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images && n < RTL_NUMBER_OF(todo);
         e = e->Flink) {
        struct ndisi_filter_driver *f = CONTAINING_RECORD(e, struct ndisi_image, link)->filter;
        if (f && !f->deregistering && filter_applies(f, a) && !module_of(f, a))
            todo[n++] = f;
    }
    for (unsigned i = 1; i < n; i++) /* insertion sort, lowest in the stack first */
        for (unsigned j = i; j > 0 && filter_above(todo[j - 1], todo[j]); j--) {
            struct ndisi_filter_driver *t = todo[j];
            todo[j] = todo[j - 1];
            todo[j - 1] = t;
        }
    for (unsigned i = 0; i < n; i++)
        attach_one(todo[i], a);
}

void ndisi_filter_detach_all(struct ndisi_adapter *a)
{
    /* concepts/stopping-a-driver-stack.md: from the top of the stack down. */
    while (a->mod_top)
        detach_one(a->mod_top);
}

/* Inserting a module in a running stack: pause, attach, restart (the docs'
   modifying-a-running-driver-stack.md). */
static void attach_all_op(struct ndis_host *h, void *arg)
{
    struct ndisi_filter_driver *f = arg;
    pthread_mutex_lock(&h->lock);
    bool alive = false;
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink)
        alive |= CONTAINING_RECORD(e, struct ndisi_image, link)->filter == f;
    pthread_mutex_unlock(&h->lock);
    if (!alive || f->deregistering)
        return;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        if (a->removing || !filter_applies(f, a) || module_of(f, a))
            continue;
        bool was_running = ndisi_stack_running(a);
        if (was_running)
            ndisi_stack_pause(a, NDIS_PAUSE_ATTACH_FILTER);
        attach_one(f, a);
        /* A mandatory filter that now attached lets a stuck adapter's protocols bind. */
        ndisi_bind_adapter_all(a);
        if (was_running || !ndisi_filter_mandatory_missing(a))
            ndisi_stack_restart(a);
    }
}

/* ---- pause and restart of modules -------------------------------------------------- */

static int pause_one(struct ndisi_filter_module *m, ULONG reason)
{
    struct ndisi_filter_driver *f = m->driver;
    if (atomic_load(&m->state) != NDISI_MS_RUNNING)
        return 0;
    NDIS_FILTER_PAUSE_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS;
    pp.Header.Revision = NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1;
    pp.PauseReason = reason;
    ndisi_completion_reset(&m->pause_done);
    module_event(m, NDISI_ME_PAUSE, "FilterPause");
    struct ndisi_cbframe fr;
    ndisi_cb_enter(&fr, f->image, "FilterPause", m->label, NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
    NDIS_STATUS st = f->chars.PauseHandler(m->ctx, &pp);
    ndisi_cb_leave_status(&fr, true, st);
    char what[200];
    if (st == NDIS_STATUS_PENDING) {
        snprintf(what, sizeof(what), "NdisFPauseComplete of filter module '%s'", m->label);
        if (!ndisi_completion_wait(&m->pause_done, &m->adapter->host->wq, what, describe_module,
                                   m, mod_timeout(m))) {
            ndisi_report(NDISI_V_TIMEOUT, "FilterPause", "nc-ndis-filter_pause.md",
                         "filter module '%s' pended FilterPause and did not call "
                         "NdisFPauseComplete within %u ms",
                         m->label, mod_timeout(m));
            return -ETIMEDOUT;
        }
    } else if (st != NDIS_STATUS_SUCCESS) {
        ndisi_report(NDISI_V_RETURN, "FilterPause", "NDIS drivers cannot fail a pause request",
                     "filter module '%s' returned 0x%08x", m->label, (unsigned)st);
    }
    /* The module is Paused once NDIS has its NBLs back and no receive call of it
       is still running (one that started while it was Pausing may still forward). */
    snprintf(what, sizeof(what), "the traffic of filter module '%s' to drain", m->label);
    /* Refuse new receive calls first, then wait for the ones already inside: they
       still see the module Pausing and may forward what they hold. */
    atomic_store(&m->rx_closed, 1);
    struct ndisi_drain *const ds[] = {&m->tx, &m->rx, &m->calls};
    bool drained = ndisi_drains_wait(ds, 3, &m->adapter->host->wq, what, describe_module, m,
                                     mod_timeout(m));
    module_event(m, NDISI_ME_PAUSE_COMPLETE, "FilterPause");
    if (!drained) {
        ndisi_report(NDISI_V_STATE, "FilterPause",
                     "a module completes its pause once its sends are complete and its "
                     "indications returned",
                     "filter module '%s' paused with %ld sends and %ld indications outstanding",
                     m->label, ndisi_drain_count(&m->tx), ndisi_drain_count(&m->rx));
        return -ETIMEDOUT;
    }
    return 0;
}

void NdisFPauseComplete(NDIS_HANDLE NdisFilterHandle)
{
    const char *ddi = "NdisFPauseComplete";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m)
        return;
    if (atomic_load(&m->state) != NDISI_MS_PAUSING || atomic_load(&m->pause_done.done)) {
        ndisi_report(NDISI_V_STATE, ddi,
                     "completes, once, a FilterPause that returned NDIS_STATUS_PENDING",
                     "filter module '%s' is %s", m->label, ndisi_module_state_name(m));
        return;
    }
    ndisi_completion_complete(&m->pause_done, &m->adapter->host->wq, NDIS_STATUS_SUCCESS);
}

int ndisi_filter_pause_modules(struct ndisi_adapter *a, ULONG reason)
{
    int rc = 0;
    for (struct ndisi_filter_module *m = a->mod_top; m; m = m->below) {
        int r = pause_one(m, reason);
        rc = rc ? rc : r;
    }
    return rc;
}

static int restart_one(struct ndisi_filter_module *m)
{
    struct ndisi_filter_driver *f = m->driver;
    struct ndisi_adapter *a = m->adapter;
    if (atomic_load(&m->state) != NDISI_MS_PAUSED)
        return 0;
    NDIS_RESTART_GENERAL_ATTRIBUTES ga;
    ndisi_adapter_fill_restart_attributes(a, &ga);
    struct {
        NDIS_RESTART_ATTRIBUTES hdr;
        NDIS_RESTART_GENERAL_ATTRIBUTES body;
    } ra;
    memset(&ra, 0, sizeof(ra));
    ra.hdr.Oid = OID_GEN_MINIPORT_RESTART_ATTRIBUTES;
    ra.hdr.DataLength = sizeof(ga);
    memcpy(ra.hdr.Data, &ga, sizeof(ga));
    NDIS_FILTER_RESTART_PARAMETERS rp;
    memset(&rp, 0, sizeof(rp));
    rp.Header.Type = NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS;
    rp.Header.Revision = NDIS_FILTER_RESTART_PARAMETERS_REVISION_1;
    rp.Header.Size = NDIS_SIZEOF__FILTER_RESTART_PARAMETERS_REVISION_1;
    rp.MiniportMediaType = a->gen_attrs.MediaType;
    rp.MiniportPhysicalMediaType = a->gen_attrs.PhysicalMediumType;
    rp.RestartAttributes = &ra.hdr;
    rp.LowerIfIndex = a->ifindex;
    rp.LowerIfNetLuid = a->luid;

    ndisi_completion_reset(&m->restart_done);
    atomic_store(&m->rx_closed, 0);
    module_event(m, NDISI_ME_RESTART, "FilterRestart");
    struct ndisi_cbframe fr;
    ndisi_cb_enter(&fr, f->image, "FilterRestart", m->label, NDISI_CB_NDIS_ENTRY,
                   PASSIVE_LEVEL);
    NDIS_STATUS st = f->chars.RestartHandler(m->ctx, &rp);
    ndisi_cb_leave_status(&fr, true, st);
    if (st == NDIS_STATUS_PENDING) {
        char what[200];
        snprintf(what, sizeof(what), "NdisFRestartComplete of filter module '%s'", m->label);
        if (!ndisi_completion_wait(&m->restart_done, &a->host->wq, what, describe_module, m,
                                   mod_timeout(m))) {
            ndisi_report(NDISI_V_TIMEOUT, "FilterRestart", "nc-ndis-filter_restart.md",
                         "filter module '%s' pended FilterRestart and did not call "
                         "NdisFRestartComplete within %u ms",
                         m->label, mod_timeout(m));
            return -ETIMEDOUT;
        }
        st = m->restart_done.status;
    } else {
        module_event(m, st == NDIS_STATUS_SUCCESS ? NDISI_ME_RESTART_COMPLETE
                                                  : NDISI_ME_RESTART_FAILED,
                     "FilterRestart");
    }
    if (st != NDIS_STATUS_SUCCESS) {
        ndisi_diag("filter module '%s' failed to restart (0x%08x); it stays Paused", m->label,
                   (unsigned)st);
        return -EIO;
    }
    return 0;
}

void NdisFRestartComplete(NDIS_HANDLE NdisFilterHandle, NDIS_STATUS Status)
{
    const char *ddi = "NdisFRestartComplete";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m || !module_event(m, Status == NDIS_STATUS_SUCCESS ? NDISI_ME_RESTART_COMPLETE
                                                             : NDISI_ME_RESTART_FAILED,
                            ddi))
        return;
    ndisi_completion_complete(&m->restart_done, &m->adapter->host->wq, Status);
}

int ndisi_filter_restart_modules(struct ndisi_adapter *a)
{
    for (struct ndisi_filter_module *m = a->mod_bottom; m; m = m->above) {
        int rc = restart_one(m);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- attributes and optional handlers ------------------------------------------------ */

NDIS_STATUS NdisFSetAttributes(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterModuleContext,
                               PNDIS_FILTER_ATTRIBUTES FilterAttributes)
{
    const char *ddi = "NdisFSetAttributes";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m)
        return NDIS_STATUS_FAILURE;
    if (!m->in_attach) {
        ndisi_report(NDISI_V_CONTEXT, ddi, "a filter driver calls NdisFSetAttributes from its "
                                           "FilterAttach function",
                     "filter module '%s' is not attaching", m->label);
        return NDIS_STATUS_FAILURE;
    }
    if (!FilterAttributes || FilterAttributes->Header.Type != NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES ||
        FilterAttributes->Header.Size < NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-_ndis_filter_attributes.md",
                     "filter module '%s': FilterAttributes is NULL or its header is wrong",
                     m->label);
        return NDIS_STATUS_FAILURE;
    }
    m->ctx = FilterModuleContext;
    m->attributes_set = true;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS ndisi_filter_set_optional_handlers(NDIS_HANDLE h, PNDIS_DRIVER_OPTIONAL_HANDLERS oh)
{
    const char *ddi = "NdisSetOptionalHandlers";
    PNDIS_FILTER_PARTIAL_CHARACTERISTICS pc = (PNDIS_FILTER_PARTIAL_CHARACTERISTICS)oh;
    if (pc->Header.Size < sizeof(*pc)) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "ns-ndis-_ndis_filter_partial_characteristics.md",
                     "NDIS_FILTER_PARTIAL_CHARACTERISTICS Size %u is too small", pc->Header.Size);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    struct ndisi_obj *o = h;
    if (o->type == NDISI_OBJ_FILTER_DRIVER) {
        struct ndisi_filter_driver *f = h;
        if (!f->in_set_options) {
            ndisi_report(NDISI_V_CONTEXT, ddi,
                         "with a filter driver handle, from FilterSetOptions",
                         "filter driver '%s' is not in FilterSetOptions", f->image->name);
            return NDIS_STATUS_FAILURE;
        }
        f->dflt = *pc;
        return NDIS_STATUS_SUCCESS;
    }
    struct ndisi_filter_module *m = h;
    if (!m->in_set_module_options && !m->in_attach) {
        ndisi_report(NDISI_V_CONTEXT, ddi,
                     "with a filter module handle, from FilterAttach or FilterSetModuleOptions",
                     "filter module '%s' is in neither", m->label);
        return NDIS_STATUS_FAILURE;
    }
    /* Takes effect at the next restart, when NDIS recomputes the stack's routes. */
    m->send = pc->SendNetBufferListsHandler;
    m->send_complete = pc->SendNetBufferListsCompleteHandler;
    m->cancel_send = pc->CancelSendNetBufferListsHandler;
    m->receive = pc->ReceiveNetBufferListsHandler;
    m->ret = pc->ReturnNetBufferListsHandler;
    return NDIS_STATUS_SUCCESS;
}

/* NdisFRestartFilter: pause the module's stack, let it change its handlers in
   FilterSetModuleOptions, restart. */
static void restart_filter_op(struct ndis_host *h, void *arg)
{
    struct ndisi_filter_module *m = arg;
    pthread_mutex_lock(&h->lock);
    bool alive = false;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters && !alive; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        for (struct ndisi_filter_module *x = a->mod_bottom; x; x = x->above)
            alive |= x == m;
    }
    pthread_mutex_unlock(&h->lock);
    if (!alive)
        return;
    struct ndisi_adapter *a = m->adapter;
    bool was_running = ndisi_stack_running(a);
    ndisi_stack_pause(a, NDIS_PAUSE_FILTER_RESTART_STACK);
    if (m->driver->chars.SetFilterModuleOptionsHandler) {
        struct ndisi_cbframe fr;
        m->in_set_module_options = true;
        ndisi_cb_enter(&fr, m->driver->image, "FilterSetModuleOptions", m->label,
                       NDISI_CB_NDIS_ENTRY, PASSIVE_LEVEL);
        NDIS_STATUS st = m->driver->chars.SetFilterModuleOptionsHandler(m->ctx);
        ndisi_cb_leave_status(&fr, true, st);
        m->in_set_module_options = false;
    }
    if (was_running)
        ndisi_stack_restart(a);
}

NDIS_STATUS NdisFRestartFilter(NDIS_HANDLE NdisFilterHandle)
{
    const char *ddi = "NdisFRestartFilter";
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    struct ndisi_filter_module *m =
        ndisi_obj_check(NdisFilterHandle, NDISI_OBJ_FILTER_MODULE, ddi, "NdisFilterHandle");
    if (!m)
        return NDIS_STATUS_FAILURE;
    char what[200];
    snprintf(what, sizeof(what), "restart filter module '%s'", m->label);
    return ndisi_pnp_post(m->adapter->host, restart_filter_op, m, NULL, what) == 0
               ? NDIS_STATUS_SUCCESS
               : NDIS_STATUS_RESOURCES;
}

/* ---- deregistration ------------------------------------------------------------------ */

void ndisi_filter_driver_release(struct ndisi_filter_driver *f)
{
    struct ndisi_image *img = f->image;
    f->deregistering = true;
    /* "detaches every module of the driver (pausing the stacks they sit in first)". */
    while (!IsListEmpty(&f->modules)) {
        struct ndisi_filter_module *m =
            CONTAINING_RECORD(f->modules.Flink, struct ndisi_filter_module, drv_link);
        struct ndisi_adapter *a = m->adapter;
        bool was_running = ndisi_stack_running(a);
        if (was_running)
            ndisi_stack_pause(a, NDIS_PAUSE_DETACH_FILTER);
        detach_one(m);
        if (was_running)
            ndisi_stack_restart(a);
    }
    pthread_mutex_lock(&img->host->lock);
    img->filter = NULL;
    pthread_mutex_unlock(&img->host->lock);
    ndisi_obj_free(f);
}

static void deregister_op(struct ndis_host *h, void *arg)
{
    (void)h;
    ndisi_filter_driver_release(arg);
}

void NdisFDeregisterFilterDriver(NDIS_HANDLE NdisFilterDriverHandle)
{
    const char *ddi = "NdisFDeregisterFilterDriver";
    if (!ndisi_irql_eq(PASSIVE_LEVEL, ddi, RULE_IRQL))
        return;
    struct ndisi_filter_driver *f = ndisi_obj_check(NdisFilterDriverHandle, NDISI_OBJ_FILTER_DRIVER,
                                                    ddi, "NdisFilterDriverHandle");
    if (!f)
        return;
    const struct ndisi_cbframe *fr = ndisi_cb_ndis_entry();
    if (fr) {
        ndisi_report(NDISI_V_CONTEXT, ddi,
                     "NdisFDeregisterFilterDriver (rules/ndisfderegisterfilterdriver.md): a "
                     "filter driver calls it from its FilterDriverUnload routine, never from a "
                     "FilterXxx function",
                     "filter '%s' called it from %s; NDIS refuses the call", f->image->name,
                     fr->fn);
        return;
    }
    if (f->deregistering) {
        ndisi_report(NDISI_V_STATE, ddi, "a filter driver deregisters once",
                     "filter '%s' is already being deregistered", f->image->name);
        return;
    }
    f->deregistering = true;
    char what[160];
    snprintf(what, sizeof(what), "deregister filter '%s'", f->image->name);
    ndisi_pnp_call(f->image->host, deregister_op, f, what);
}

unsigned ndisi_filter_install_seq(struct ndis_host *h, const char *unique)
{
    pthread_mutex_lock(&h->lock);
    unsigned i;
    for (i = 0; i < h->nfilter_seq; i++)
        if (strcasecmp(h->filter_seq[i], unique) == 0)
            break;
    if (i == h->nfilter_seq && i < RTL_NUMBER_OF(h->filter_seq))
        snprintf(h->filter_seq[h->nfilter_seq++], NDISI_NAME_MAX, "%s", unique);
    pthread_mutex_unlock(&h->lock);
    return i;
}

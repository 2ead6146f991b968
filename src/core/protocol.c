/*
 * protocol.c - protocol driver registration: NdisRegisterProtocolDriver and
 * NdisDeregisterProtocolDriver (ddi/nf-ndis-ndisregisterprotocoldriver.md,
 * nf-ndis-ndisderegisterprotocoldriver.md).
 *
 * Deregistration follows its page to the letter: at PASSIVE_LEVEL, for each
 * open binding NDIS pauses it and calls ProtocolUnbindAdapterEx once, within
 * the call (before it returns), waiting for pended unbinds and closes; then it
 * releases everything that tracked the protocol's bindings. Called from an
 * entry point NDIS calls, it would deadlock on Windows: here it is reported and
 * refused.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/pnp.h"
#include "core/verifier.h"
#include "os/fault.h"

#define DDI_REGISTER "NdisRegisterProtocolDriver"
#define DDI_DEREGISTER "NdisDeregisterProtocolDriver"
#define RULE_IRQL "Irql_Protocol_Driver_Function"

static NDIS_STATUS reg_fail(const char *driver, NDIS_STATUS st, const char *stname,
                            const char *why)
{
    ndisi_diag(DDI_REGISTER " (driver '%s'): %s: %s", driver, stname, why);
    return st;
}

#define BADCHAR(why) reg_fail(img->name, NDIS_STATUS_BAD_CHARACTERISTICS, \
                              "NDIS_STATUS_BAD_CHARACTERISTICS", why)

static NDIS_STATUS validate_chars(struct ndisi_image *img,
                                  const NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    char why[200];
    if (c->Header.Type != NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS)
        return BADCHAR("Header.Type is not NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS");
    if (!ndisi_version_supported(c->MajorNdisVersion, c->MinorNdisVersion)) {
        snprintf(why, sizeof(why), "NDIS version %u.%u is not supported (NDIS 6.0 to 6.82)",
                 c->MajorNdisVersion, c->MinorNdisVersion);
        return reg_fail(img->name, NDIS_STATUS_BAD_VERSION, "NDIS_STATUS_BAD_VERSION", why);
    }
    size_t need;
    if (c->Header.Revision == NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1) {
        need = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1;
    } else if (c->Header.Revision == NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2) {
        need = NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2;
        if (!ndisi_version_at_least(c->MajorNdisVersion, c->MinorNdisVersion, 6, 1))
            return BADCHAR("Revision 2 requires NDIS 6.1 or later");
    } else {
        snprintf(why, sizeof(why), "Header.Revision %u is not a revision of the structure",
                 c->Header.Revision);
        return BADCHAR(why);
    }
    if (c->Header.Size < need) {
        snprintf(why, sizeof(why), "Header.Size %u is smaller than %zu, the size of revision %u",
                 c->Header.Size, need, c->Header.Revision);
        return BADCHAR(why);
    }
    if (!c->Name.Buffer || c->Name.Length == 0 || c->Name.Length % 2 ||
        c->Name.Length > c->Name.MaximumLength)
        return BADCHAR("Name (the service name of the protocol driver) is not a valid, "
                       "non-empty UNICODE_STRING");
    static const struct {
        size_t off;
        const char *name;
    } required[] = {
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, BindAdapterHandlerEx), "BindAdapterHandlerEx"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, UnbindAdapterHandlerEx), "UnbindAdapterHandlerEx"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, OpenAdapterCompleteHandlerEx), "OpenAdapterCompleteHandlerEx"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, CloseAdapterCompleteHandlerEx), "CloseAdapterCompleteHandlerEx"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, NetPnPEventHandler), "NetPnPEventHandler"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, OidRequestCompleteHandler), "OidRequestCompleteHandler"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, ReceiveNetBufferListsHandler), "ReceiveNetBufferListsHandler"},
        {offsetof(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, SendNetBufferListsCompleteHandler), "SendNetBufferListsCompleteHandler"},
    };
    for (size_t i = 0; i < RTL_NUMBER_OF(required); i++) {
        void *fn;
        memcpy(&fn, (const char *)c + required[i].off, sizeof(fn));
        if (!fn) {
            snprintf(why, sizeof(why),
                     "%s is NULL; NDIS_PROTOCOL_DRIVER_CHARACTERISTICS requires it",
                     required[i].name);
            return BADCHAR(why);
        }
    }
    return NDIS_STATUS_SUCCESS;
}

static bool name_in_use(struct ndis_host *h, const char *name)
{
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink) {
        struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
        if (img->protocol && strcasecmp(img->protocol->name, name) == 0)
            return true;
    }
    return false;
}

static void bind_all_op(struct ndis_host *h, void *arg)
{
    struct ndisi_protocol *p = arg;
    pthread_mutex_lock(&h->lock);
    bool alive = false;
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink)
        alive |= CONTAINING_RECORD(e, struct ndisi_image, link)->protocol == p;
    pthread_mutex_unlock(&h->lock);
    if (alive)
        ndisi_bind_protocol_all(p);
}

NDIS_STATUS NdisRegisterProtocolDriver(NDIS_HANDLE ProtocolDriverContext,
                                       PNDIS_PROTOCOL_DRIVER_CHARACTERISTICS ProtocolCharacteristics,
                                       PNDIS_HANDLE NdisProtocolHandle)
{
    if (!ndisi_irql_eq(PASSIVE_LEVEL, DDI_REGISTER, RULE_IRQL))
        return NDIS_STATUS_FAILURE;
    /* The page has no DriverObject: the caller is the driver whose code runs. */
    struct ndisi_image *img = ndisi_cb_current_image();
    if (!img) {
        ndisi_report(NDISI_V_CONTEXT, DDI_REGISTER,
                     "a protocol driver calls NdisRegisterProtocolDriver from its DriverEntry "
                     "routine",
                     "called from a thread on which no driver code runs");
        return NDIS_STATUS_FAILURE;
    }
    if (!ProtocolCharacteristics || !NdisProtocolHandle) {
        ndisi_report(NDISI_V_PARAMETER, DDI_REGISTER, "parameters marked [in]/[out] are required",
                     "driver '%s': %s is NULL", img->name,
                     NdisProtocolHandle ? "ProtocolCharacteristics" : "NdisProtocolHandle");
        return NDIS_STATUS_FAILURE;
    }
    *NdisProtocolHandle = NULL;
    NDIS_STATUS st = validate_chars(img, ProtocolCharacteristics);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    if (img->protocol)
        return reg_fail(img->name, NDIS_STATUS_FAILURE, "NDIS_STATUS_FAILURE",
                        "the driver already registered a protocol driver");
    char name[NDISI_NAME_MAX];
    ndisi_ustr_to_utf8(&ProtocolCharacteristics->Name, name, sizeof(name));
    pthread_mutex_lock(&img->host->lock);
    bool dup = name_in_use(img->host, name);
    pthread_mutex_unlock(&img->host->lock);
    if (dup)
        return reg_fail(img->name, NDIS_STATUS_FAILURE, "NDIS_STATUS_FAILURE",
                        "another protocol driver is registered with the same Name");

    struct ndisi_protocol *p = ndisi_fault_fail(NDIS_FAULT_ALLOC_NDIS)
                                   ? NULL
                                   : ndisi_obj_alloc(NDISI_OBJ_PROTOCOL, sizeof(*p));
    if (!p)
        return reg_fail(img->name, NDIS_STATUS_RESOURCES, "NDIS_STATUS_RESOURCES",
                        "out of memory for the protocol block");
    p->image = img;
    p->context = ProtocolDriverContext;
    size_t n = ProtocolCharacteristics->Header.Size < sizeof(p->chars)
                   ? ProtocolCharacteristics->Header.Size
                   : sizeof(p->chars);
    memcpy(&p->chars, ProtocolCharacteristics, n);
    snprintf(p->name, sizeof(p->name), "%s", name);
    ndisi_utf8_to_ustr(name, &p->name_str, p->name_buf, RTL_NUMBER_OF(p->name_buf));
    p->chars.Name = p->name_str;
    p->obj.label = p->name;
    InitializeListHead(&p->opens);

    /* NDIS calls ProtocolSetOptions within the context of the registration. */
    if (p->chars.SetOptionsHandler) {
        struct ndisi_cbframe f;
        ndisi_cb_enter(&f, img, "ProtocolSetOptions", p->name, NDISI_CB_NDIS_ENTRY,
                       PASSIVE_LEVEL);
        st = p->chars.SetOptionsHandler((NDIS_HANDLE)p, ProtocolDriverContext);
        ndisi_cb_leave_status(&f, true, st);
        if (st != NDIS_STATUS_SUCCESS) {
            ndisi_diag(DDI_REGISTER " (driver '%s'): ProtocolSetOptions failed with 0x%08x; "
                       "registration fails",
                       img->name, (unsigned)st);
            ndisi_obj_free(p);
            return st;
        }
    }
    pthread_mutex_lock(&img->host->lock);
    img->protocol = p;
    pthread_mutex_unlock(&img->host->lock);
    *NdisProtocolHandle = (NDIS_HANDLE)p;

    /* "NDIS then calls ProtocolBindAdapterEx for every adapter the protocol may
       bind to": queued, so it runs as soon as the registration returns. */
    char what[160];
    snprintf(what, sizeof(what), "bind protocol '%s' to its adapters", p->name);
    ndisi_pnp_post(img->host, bind_all_op, p, NULL, what);
    return NDIS_STATUS_SUCCESS;
}

void ndisi_protocol_release(struct ndisi_protocol *p)
{
    struct ndisi_image *img = p->image;
    p->deregistering = true;
    while (!IsListEmpty(&p->opens))
        ndisi_open_unbind(CONTAINING_RECORD(p->opens.Flink, struct ndisi_open, proto_link));
    pthread_mutex_lock(&img->host->lock);
    img->protocol = NULL;
    pthread_mutex_unlock(&img->host->lock);
    ndisi_obj_free(p);
}

static void deregister_op(struct ndis_host *h, void *arg)
{
    (void)h;
    ndisi_protocol_release(arg);
}

void NdisDeregisterProtocolDriver(NDIS_HANDLE NdisProtocolHandle)
{
    if (!ndisi_irql_eq(PASSIVE_LEVEL, DDI_DEREGISTER, RULE_IRQL))
        return;
    struct ndisi_protocol *p = ndisi_obj_check(NdisProtocolHandle, NDISI_OBJ_PROTOCOL,
                                               DDI_DEREGISTER, "NdisProtocolHandle");
    if (!p)
        return;
    const struct ndisi_cbframe *f = ndisi_cb_ndis_entry();
    if (f) {
        ndisi_report(NDISI_V_CONTEXT, DDI_DEREGISTER,
                     "protocol drivers must not call NdisDeregisterProtocolDriver from any "
                     "entry point that NDIS calls (it could deadlock)",
                     "protocol '%s' called it from %s of driver '%s'; NDIS refuses the call",
                     p->name, f->fn, f->image ? f->image->name : "?");
        return;
    }
    if (p->deregistering) {
        ndisi_report(NDISI_V_STATE, DDI_DEREGISTER, "a protocol deregisters once",
                     "protocol '%s' is already being deregistered", p->name);
        return;
    }
    p->deregistering = true;
    char what[160];
    snprintf(what, sizeof(what), "deregister protocol '%s'", p->name);
    /* On the PnP worker (DriverUnload during an unload) this runs inline;
       from any other thread it waits, bounded, for the unbinds to finish. */
    ndisi_pnp_call(p->image->host, deregister_op, p, what);
}

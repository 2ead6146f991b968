/*
 * bindcfg.c - bindings the operator disabled (the role of unchecking a protocol
 * in an adapter's properties on Windows). A disabled binding is unbound and is
 * not offered to ProtocolBindAdapterEx again until it is enabled. The choice
 * is kept in the instance's configuration store, key "Bindings\Disabled",
 * one value "<protocol>/<adapter>" per disabled binding, so it survives a
 * restart of the host (with a registry_dir) as it survives a reboot on Windows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "core/core.h"
#include "core/verifier.h"

#define BINDINGS_KEY "Bindings\\Disabled"

struct disabled_binding {
    LIST_ENTRY link;
    char protocol[NDISI_NAME_MAX];
    char adapter[NDISI_NAME_MAX];
};

static struct disabled_binding *find_disabled(struct ndis_host *h, const char *protocol,
                                              const char *adapter)
{
    for (LIST_ENTRY *e = h->disabled_bindings.Flink; e != &h->disabled_bindings; e = e->Flink) {
        struct disabled_binding *d = CONTAINING_RECORD(e, struct disabled_binding, link);
        if (strcasecmp(d->protocol, protocol) == 0 && strcasecmp(d->adapter, adapter) == 0)
            return d;
    }
    return NULL;
}

bool ndisi_binding_disabled(struct ndis_host *h, const char *protocol, const char *adapter)
{
    pthread_mutex_lock(&h->lock);
    bool r = find_disabled(h, protocol, adapter) != NULL;
    pthread_mutex_unlock(&h->lock);
    return r;
}

static struct disabled_binding *remember(struct ndis_host *h, const char *protocol,
                                         const char *adapter)
{
    struct disabled_binding *d = calloc(1, sizeof(*d));
    if (d) {
        /* Longer names are cut: NDIS names are at most NDISI_NAME_MAX - 1 bytes. */
        memcpy(d->protocol, protocol, strnlen(protocol, sizeof(d->protocol) - 1));
        memcpy(d->adapter, adapter, strnlen(adapter, sizeof(d->adapter) - 1));
        InsertTailList(&h->disabled_bindings, &d->link);
    }
    return d;
}

/* Writes (or removes) the binding's value in the store; a failure is told, the
   choice still holds until the host stops. */
static void persist(struct ndis_host *h, const char *protocol, const char *adapter, bool disabled)
{
    if (!h->registry || !h->registry->store)
        return;
    char name[2 * NDISI_NAME_MAX + 2];
    snprintf(name, sizeof(name), "%s/%s", protocol, adapter);
    reg_key *k;
    int rc = reg_key_open(h->registry->store, BINDINGS_KEY, REG_CREATE_DEFAULT, &k);
    if (!rc) {
        if (disabled) {
            reg_value *v = reg_value_dword(1);
            rc = v ? reg_set_value(k, name, v) : -ENOMEM;
            reg_value_free(v);
        } else {
            rc = reg_delete_value(k, name);
            if (rc == -ENOENT)
                rc = 0;
        }
        reg_key_close(k);
    }
    if (rc)
        ndisi_diag("binding '%s' on '%s': could not save that it is %s (%d); it holds until "
                   "the instance stops",
                   protocol, adapter, disabled ? "disabled" : "enabled", rc);
}

void ndisi_bindcfg_load(struct ndis_host *h)
{
    if (!h->registry || !h->registry->store)
        return;
    reg_key *k;
    if (reg_key_open(h->registry->store, BINDINGS_KEY, REG_OPEN_EXISTING, &k))
        return;
    char name[2 * NDISI_NAME_MAX + 2];
    for (uint32_t i = 0; reg_enum_value(k, i, name, sizeof(name), NULL, NULL) == 0; i++) {
        char *slash = strchr(name, '/');
        if (!slash || slash == name || !slash[1]) {
            ndisi_diag("configuration key %s: value '%s' is not <protocol>/<adapter>; ignored",
                       BINDINGS_KEY, name);
            continue;
        }
        *slash = '\0';
        pthread_mutex_lock(&h->lock);
        if (!find_disabled(h, name, slash + 1))
            remember(h, name, slash + 1);
        pthread_mutex_unlock(&h->lock);
    }
    reg_key_close(k);
}

void ndisi_bindcfg_clear(struct ndis_host *h)
{
    pthread_mutex_lock(&h->lock);
    while (!IsListEmpty(&h->disabled_bindings))
        free(CONTAINING_RECORD(RemoveHeadList(&h->disabled_bindings), struct disabled_binding,
                               link));
    pthread_mutex_unlock(&h->lock);
}

unsigned ndisi_bindcfg_list(struct ndis_host *h, ndis_binding_info *out, unsigned max,
                            unsigned start)
{
    unsigned n = start;
    for (LIST_ENTRY *e = h->disabled_bindings.Flink; e != &h->disabled_bindings;
         e = e->Flink, n++) {
        struct disabled_binding *d = CONTAINING_RECORD(e, struct disabled_binding, link);
        if (n >= max)
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].protocol, sizeof(out[n].protocol), "%s", d->protocol);
        snprintf(out[n].adapter, sizeof(out[n].adapter), "%s", d->adapter);
        snprintf(out[n].state, sizeof(out[n].state), "Disabled");
        out[n].enabled = false;
    }
    return n;
}

struct bindcfg_req {
    struct ndisi_req r;
    char protocol[NDISI_NAME_MAX];
    char adapter[NDISI_NAME_MAX];
    bool enable;
};

static struct ndisi_protocol *protocol_by_name(struct ndis_host *h, const char *name)
{
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink) {
        struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
        if (img->protocol && strcasecmp(img->protocol->name, name) == 0)
            return img->protocol;
    }
    return NULL;
}

static void bindcfg_op(struct ndis_host *h, struct ndisi_req *r)
{
    struct bindcfg_req *br = (struct bindcfg_req *)r;
    pthread_mutex_lock(&h->lock);
    struct disabled_binding *d = find_disabled(h, br->protocol, br->adapter);
    struct ndisi_protocol *p = protocol_by_name(h, br->protocol);
    struct ndisi_adapter *a = ndisi_find_adapter(h, br->adapter);
    if (br->enable && d) {
        RemoveEntryList(&d->link);
        free(d);
    } else if (!br->enable && !d) {
        d = remember(h, br->protocol, br->adapter);
    }
    pthread_mutex_unlock(&h->lock);
    if (!br->enable && !d) {
        r->result = -ENOMEM;
        return;
    }
    persist(h, br->protocol, br->adapter, !br->enable);
    if (!p || !a)
        return; /* remembered for when they appear */
    if (br->enable) {
        ndisi_bind_protocol_all(p);
        return;
    }
    for (LIST_ENTRY *e = p->opens.Flink; e != &p->opens; e = e->Flink) {
        struct ndisi_open *o = CONTAINING_RECORD(e, struct ndisi_open, proto_link);
        if (o->adapter == a) {
            ndisi_open_unbind(o);
            break;
        }
    }
}

int ndis_host_set_binding_enabled(ndis_host *h, const char *protocol, const char *adapter,
                                  bool enabled)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_set_binding_enabled", "h") ||
        !protocol || !adapter || strlen(protocol) >= NDISI_NAME_MAX ||
        strlen(adapter) >= NDISI_NAME_MAX)
        return -EINVAL;
    struct bindcfg_req *br = ndisi_req_new(sizeof(*br), bindcfg_op);
    if (!br)
        return -ENOMEM;
    snprintf(br->protocol, sizeof(br->protocol), "%s", protocol);
    snprintf(br->adapter, sizeof(br->adapter), "%s", adapter);
    br->enable = enabled;
    char what[200];
    snprintf(what, sizeof(what), "%s binding %s->%s", enabled ? "enable" : "disable", protocol,
             adapter);
    return ndisi_req_run(h, &br->r, what);
}

/*
 * config_store.c - the configuration store of an NDIS instance (the registry's
 * role), key paths, keyword lookups with their precedence, and the host API
 * ndis_host_set_param / ndis_host_get_param / ndis_host_delete_param.
 *
 * An instance opens its store at creation: reg_store_open(registry_dir), or a
 * memory-only store when there is no directory. docs/config.md has the key
 * layout and the precedence rules implemented by ndisi_cfg_chain_get.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/core.h"
#include "core/verifier.h"

/* Every instance's registry, for resolving an NDIS_BIND_PARAMETERS pointer. */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY all_regs = {&all_regs, &all_regs}; /* guarded by all_lock */

/* ---- the instance's store ------------------------------------------------------ */

int ndisi_config_open(struct ndis_host *h)
{
    struct ndis_registry *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->host = h;
    pthread_mutex_init(&r->lock, NULL);
    InitializeListHead(&r->handles);
    InitializeListHead(&r->infs);
    const char *dir = h->opts.registry_dir;
    int rc;
    if (dir) {
        char err[768];
        rc = reg_store_open(dir, &r->store, err, sizeof(err));
        if (rc) {
            ndisi_diag("instance '%s': cannot open the configuration store '%s': %s", h->name,
                       dir, err[0] ? err : strerror(-rc));
            if (rc != -EBUSY && rc != -ENOMEM && rc != -EINVAL)
                rc = -EIO; /* corrupt or truncated file (-EBADMSG), or an I/O error */
        }
    } else {
        rc = reg_store_open_memory(&r->store);
    }
    if (rc) {
        pthread_mutex_destroy(&r->lock);
        free(r);
        return rc;
    }
    pthread_mutex_lock(&all_lock);
    InsertTailList(&all_regs, &r->all_link);
    pthread_mutex_unlock(&all_lock);
    h->registry = r;
    return 0;
}

void ndisi_config_close(struct ndis_host *h)
{
    struct ndis_registry *r = h->registry;
    if (!r)
        return;
    pthread_mutex_lock(&all_lock);
    RemoveEntryList(&r->all_link);
    pthread_mutex_unlock(&all_lock);
    /* Drivers are gone and their unload closed what they left open
       (config_handles.c): this only guards against a path that missed it. */
    pthread_mutex_lock(&r->lock);
    while (!IsListEmpty(&r->handles)) {
        struct ndisi_config *c = CONTAINING_RECORD(r->handles.Flink, struct ndisi_config, link);
        RemoveEntryList(&c->link);
        ndisi_cfg_handle_free(c);
    }
    pthread_mutex_unlock(&r->lock);
    ndisi_inf_clear(r);
    reg_store_close(r->store);
    pthread_mutex_destroy(&r->lock);
    free(r);
    h->registry = NULL;
}

/* ---- key paths and lookups ------------------------------------------------------- */

int ndisi_cfg_path(char *out, size_t len, const char *first, ...)
{
    va_list ap;
    size_t o = 0;
    int rc = 0;
    out[0] = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        int n = snprintf(out + o, len - o, "%s%s", o ? "\\" : "", s);
        if (n < 0 || (size_t)n >= len - o) {
            rc = -ENAMETOOLONG;
            break;
        }
        o += (size_t)n;
    }
    va_end(ap);
    return rc;
}

int ndisi_cfg_chain_adapter(struct ndis_registry *r, const char *adapter,
                            const char *miniport_driver, const char *ifname,
                            const unsigned char *mac, unsigned flags,
                            struct ndisi_cfg_chain *c)
{
    char path[NDISI_CFG_PATH_MAX];
    memset(c, 0, sizeof(*c));
    c->arrival_kw[0] = NDISI_KW_IFNAME;
    c->arrival_kw[1] = NDISI_KW_NETADDR;
    int rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_ADAPTERS, adapter, NDISI_CFG_PARAMETERS,
                            NULL);
    if (!rc)
        rc = reg_key_open(r->store, path, flags, &c->key);
    if (rc == -ENOENT && flags == REG_OPEN_EXISTING)
        rc = 0; /* nothing stored for the adapter yet */
    if (!rc && miniport_driver) {
        rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, miniport_driver,
                            NDISI_CFG_PARAMETERS, NULL);
        if (!rc)
            rc = reg_key_open(r->store, path, flags, &c->fallback);
        if (rc == -ENOENT && flags == REG_OPEN_EXISTING)
            rc = 0;
    }
    if (!rc && ifname && *ifname && !(c->arrival[0] = reg_value_sz(ifname)))
        rc = errno == ENOMEM ? -ENOMEM : -EINVAL;
    if (!rc && mac) {
        char text[18];
        ndisi_cfg_format_mac(mac, text);
        if (!(c->arrival[1] = reg_value_sz(text)))
            rc = -ENOMEM;
    }
    if (rc)
        ndisi_cfg_chain_release(c);
    return rc;
}

void ndisi_cfg_chain_release(struct ndisi_cfg_chain *c)
{
    reg_key_close(c->key);
    reg_key_close(c->fallback);
    for (int i = 0; i < NDISI_CFG_NARRIVAL; i++)
        reg_value_free(c->arrival[i]);
    memset(c, 0, sizeof(*c));
}

/* Operator or driver value > value given at arrival > INF default > nothing. */
int ndisi_cfg_chain_get(const struct ndisi_cfg_chain *c, const char *kw, reg_value **out)
{
    *out = NULL;
    int rc = c->key ? reg_get_value(c->key, kw, out) : -ENOENT;
    if (rc != -ENOENT)
        return rc;
    for (int i = 0; i < NDISI_CFG_NARRIVAL; i++)
        if (c->arrival[i] && reg_name_cmp(c->arrival_kw[i], kw) == 0)
            return (*out = reg_value_copy(c->arrival[i])) ? 0 : -ENOMEM;
    if (c->fallback)
        return reg_get_layer_value(c->fallback, kw, REG_LAYER_DEFAULT, out);
    return -ENOENT;
}

bool ndisi_cfg_find_bind_params(const void *p, struct ndis_registry **reg,
                                struct ndisi_image **img, char *adapter, size_t len)
{
    bool found = false;
    pthread_mutex_lock(&all_lock);
    for (LIST_ENTRY *e = all_regs.Flink; e != &all_regs && !found; e = e->Flink) {
        struct ndis_registry *r = CONTAINING_RECORD(e, struct ndis_registry, all_link);
        struct ndis_host *h = r->host;
        pthread_mutex_lock(&h->lock);
        for (LIST_ENTRY *i = h->images.Flink; i != &h->images && !found; i = i->Flink) {
            struct ndisi_image *im = CONTAINING_RECORD(i, struct ndisi_image, link);
            if (!im->protocol)
                continue;
            LIST_ENTRY *opens = &im->protocol->opens;
            for (LIST_ENTRY *o = opens->Flink; o != opens; o = o->Flink) {
                struct ndisi_open *op = CONTAINING_RECORD(o, struct ndisi_open, proto_link);
                if ((const void *)&op->bind_params == p) {
                    *reg = r;
                    *img = im;
                    snprintf(adapter, len, "%s", op->adapter->name);
                    found = true;
                    break;
                }
            }
        }
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&all_lock);
    return found;
}

struct ndisi_image *ndisi_cfg_find_image(const char *name)
{
    struct ndisi_image *found = NULL;
    pthread_mutex_lock(&all_lock);
    for (LIST_ENTRY *e = all_regs.Flink; e != &all_regs && !found; e = e->Flink) {
        struct ndis_host *h = CONTAINING_RECORD(e, struct ndis_registry, all_link)->host;
        pthread_mutex_lock(&h->lock);
        found = ndisi_find_image(h, name);
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&all_lock);
    return found;
}

/* ---- host API ------------------------------------------------------------------------ */

static struct ndis_registry *api_registry(ndis_host *h, const char *fn)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, fn, "h"))
        return NULL;
    return h->registry;
}

/*
 * The key of scope/name. `name` is "<adapter or driver>[\<subkey path>]": the
 * first component picks Adapters\<name>\Parameters or Services\<name>\Parameters,
 * the rest is a path below it. *plain tells whether there was no subkey path.
 */
static int scope_path(ndis_param_scope scope, const char *name, char *path, size_t len,
                      bool *plain)
{
    if (!name || !*name ||
        (scope != NDIS_PARAM_ADAPTER && scope != NDIS_PARAM_DRIVER &&
         scope != NDIS_PARAM_DRIVER_DEFAULT))
        return -EINVAL;
    const char *sep = strchr(name, '\\');
    size_t objlen = sep ? (size_t)(sep - name) : strlen(name);
    if (!objlen || objlen > INT32_MAX)
        return -EINVAL;
    int n = snprintf(path, len, "%s\\%.*s\\%s%s",
                     scope == NDIS_PARAM_ADAPTER ? NDISI_CFG_ADAPTERS : NDISI_CFG_SERVICES,
                     (int)objlen, name, NDISI_CFG_PARAMETERS, sep ? sep : "");
    if (n < 0 || (size_t)n >= len)
        return -EINVAL;
    *plain = !sep;
    return 0;
}

/* A store error of a host API call: a failed write is -EIO, with the step and
 * file in a diagnostic. */
static int api_error(struct ndis_registry *r, int rc, const char *what, const char *path,
                     const char *keyword)
{
    if (rc == 0 || rc == -ENOENT || rc == -EINVAL || rc == -ENOMEM)
        return rc;
    char err[512];
    reg_store_last_error(r->store, err, sizeof(err));
    ndisi_diag("instance '%s': %s %s\\%s: %s", r->host->name, what, path, keyword,
               err[0] ? err : strerror(-rc));
    return -EIO;
}

static bool keyword_ok(const char *keyword)
{
    return keyword && reg_utf8_valid(keyword, strlen(keyword));
}

int ndis_host_set_param(ndis_host *h, ndis_param_scope scope, const char *name,
                        const char *keyword, const char *value)
{
    struct ndis_registry *r = api_registry(h, "ndis_host_set_param");
    char path[NDISI_CFG_PATH_MAX];
    bool plain;
    if (!r || !keyword_ok(keyword) || !value ||
        scope_path(scope, name, path, sizeof(path), &plain))
        return -EINVAL;
    reg_value *v = reg_value_sz(value);
    if (!v)
        return errno == ENOMEM ? -ENOMEM : -EINVAL;
    reg_key *k;
    /* Opened in the defaults layer: a persisted value makes its key persisted
       in the same single write. */
    int rc = reg_key_open(r->store, path, REG_CREATE_DEFAULT, &k);
    if (!rc) {
        rc = scope == NDIS_PARAM_DRIVER_DEFAULT ? reg_set_default(k, keyword, v)
                                                : reg_set_value(k, keyword, v);
        reg_key_close(k);
    }
    reg_value_free(v);
    return api_error(r, rc, "set", path, keyword);
}

/* The text of a value for ndis_host_get_param; -ERANGE if it does not fit. */
static int value_text(const reg_value *v, char *buf, size_t len)
{
    size_t o = 0;
    int n = 0;
    switch (v->type) {
    case REG_T_DWORD:
        n = snprintf(buf, len, "%lu", (unsigned long)v->u.dword);
        break;
    case REG_T_QWORD:
        n = snprintf(buf, len, "%llu", (unsigned long long)v->u.qword);
        break;
    case REG_T_SZ:
    case REG_T_EXPAND_SZ:
        n = snprintf(buf, len, "%s", v->u.sz);
        break;
    case REG_T_MULTI_SZ:
        buf[0] = 0;
        for (size_t i = 0; i < v->u.multi.count && o < len; i++) {
            n = snprintf(buf + o, len - o, "%s%s", i ? "\n" : "", v->u.multi.items[i]);
            if (n < 0)
                break;
            o += (size_t)n;
        }
        n = (int)o;
        break;
    case REG_T_BINARY:
        buf[0] = 0;
        for (size_t i = 0; i < v->u.bin.len && o < len; i++) {
            n = snprintf(buf + o, len - o, "%02x", v->u.bin.data[i]);
            o += (size_t)n;
        }
        n = (int)o;
        break;
    }
    if (n < 0 || (size_t)n >= len) {
        buf[0] = 0;
        return -ERANGE;
    }
    return 0;
}

int ndis_host_get_param(ndis_host *h, ndis_param_scope scope, const char *name,
                        const char *keyword, char *buf, size_t len)
{
    struct ndis_registry *r = api_registry(h, "ndis_host_get_param");
    char path[NDISI_CFG_PATH_MAX];
    bool plain;
    if (!r || !keyword_ok(keyword) || !buf || !len ||
        scope_path(scope, name, path, sizeof(path), &plain))
        return -EINVAL;
    buf[0] = 0;
    struct ndisi_cfg_chain c;
    int rc;
    if (scope == NDIS_PARAM_ADAPTER && plain) {
        /* What the adapter's driver would read: with the values given at its
           arrival and its miniport driver's defaults, if the adapter is here. */
        char drv[NDISI_NAME_MAX] = "", ifname[NDISI_NAME_MAX] = "";
        unsigned char mac[6];
        bool live = false, have_mac = false;
        pthread_mutex_lock(&h->lock);
        struct ndisi_adapter *a = ndisi_find_adapter(h, name);
        if (a) {
            live = true;
            snprintf(drv, sizeof(drv), "%s", a->miniport->image->name);
            snprintf(ifname, sizeof(ifname), "%s", a->ifname);
            if ((have_mac = a->have_cfg_mac))
                memcpy(mac, a->cfg_mac, sizeof(mac));
        }
        pthread_mutex_unlock(&h->lock);
        rc = ndisi_cfg_chain_adapter(r, name, live ? drv : NULL, ifname, have_mac ? mac : NULL,
                                     REG_OPEN_EXISTING, &c);
    } else {
        /* DRIVER_DEFAULT reads the default itself, under any operator value. */
        memset(&c, 0, sizeof(c));
        rc = reg_key_open(r->store, path, REG_OPEN_EXISTING,
                          scope == NDIS_PARAM_DRIVER_DEFAULT ? &c.fallback : &c.key);
        if (rc == -ENOENT)
            rc = 0;
    }
    reg_value *v = NULL;
    if (!rc) {
        rc = ndisi_cfg_chain_get(&c, keyword, &v);
        ndisi_cfg_chain_release(&c);
    }
    if (!rc) {
        rc = value_text(v, buf, len);
        reg_value_free(v);
    }
    return rc == -ERANGE ? rc : api_error(r, rc, "get", path, keyword);
}

int ndis_host_delete_param(ndis_host *h, ndis_param_scope scope, const char *name,
                           const char *keyword)
{
    struct ndis_registry *r = api_registry(h, "ndis_host_delete_param");
    char path[NDISI_CFG_PATH_MAX];
    bool plain;
    if (!r || !keyword_ok(keyword) || scope_path(scope, name, path, sizeof(path), &plain))
        return -EINVAL;
    reg_key *k;
    int rc = reg_key_open(r->store, path, REG_OPEN_EXISTING, &k);
    if (!rc) {
        rc = scope == NDIS_PARAM_DRIVER_DEFAULT ? reg_delete_default(k, keyword)
                                                : reg_delete_value(k, keyword);
        reg_key_close(k);
    }
    return api_error(r, rc, "delete", path, keyword);
}

/*
 * drivers.c - loading drivers the way the network class installer and the
 * service control manager would: the INF file first (src/inf: kind, bind
 * rules, filter settings, service name, Ndi\params defaults), then the shared
 * object with ndis_host_load_driver_file. The daemon keeps what it learnt about
 * each loaded driver (file, INF, component, keywords) for "drivers" and
 * "params list".
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf/inf.h"
#include "ndisd.h"

struct drv {
    struct drv *next;
    char name[64];
    char path[PATH_MAX];
    char inf[PATH_MAX];
    char kind[16];
    char component[128];
    char description[128];
    char service[64];
    json_t *params;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct drv *g_drivers;

static struct drv *find_locked(const char *name)
{
    for (struct drv *d = g_drivers; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static char *join(const struct inf_strlist *l)
{
    if (!l->n)
        return NULL;
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    char *s = calloc(1, len);
    if (!s)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, l->v[i]);
    }
    return s;
}

static const char *param_type_name(enum inf_param_type t)
{
    switch (t) {
    case INF_PARAM_INT: return "int";
    case INF_PARAM_LONG: return "long";
    case INF_PARAM_WORD: return "word";
    case INF_PARAM_DWORD: return "dword";
    case INF_PARAM_ENUM: return "enum";
    case INF_PARAM_EDIT: return "edit";
    }
    return "?";
}

/* What the INF told, kept for the table and for the driver's bind rules. */
struct inf_info {
    ndis_driver_config cfg;
    char *upper, *lower, *media;
    char kind[16], component[128], description[128], service[64], filter_class[32];
    json_t *params;
};

static void inf_info_free(struct inf_info *ii)
{
    free(ii->upper);
    free(ii->lower);
    free(ii->media);
    json_decref(ii->params);
}

static int read_inf(const char *driver, const char *path, const char *component,
                    struct inf_info *ii, char *err, size_t errlen)
{
    struct inf_file *inf = NULL;
    struct inf_netcomp_list *list = NULL;
    struct inf_error ie;
    memset(&ie, 0, sizeof(ie));
    int rc = inf_parse_file(path, &inf, &ie);
    if (!rc)
        rc = inf_netcomp_load(inf, &list, &ie);
    if (rc) {
        if (ie.line)
            snprintf(err, errlen, "driver '%s': INF %s:%u: %s", driver, ie.file, ie.line,
                     ie.reason);
        else
            snprintf(err, errlen, "driver '%s': INF %s: %s", driver, ie.file[0] ? ie.file : path,
                     ie.reason[0] ? ie.reason : strerror(-rc));
        inf_free(inf);
        return rc;
    }
    const struct inf_netcomp *c = NULL;
    for (size_t i = 0; i < list->n && !c; i++)
        if (!component || inf_streq(list->v[i].component_id, component))
            c = &list->v[i];
    if (!c) {
        snprintf(err, errlen, "driver '%s': INF %s has no component '%s'", driver, path,
                 component ? component : "(any)");
        inf_netcomp_free(list);
        inf_free(inf);
        return -ENOENT;
    }
    memset(ii, 0, sizeof(*ii));
    snprintf(ii->kind, sizeof(ii->kind), "%s", inf_netcomp_kind_name(c->kind));
    snprintf(ii->component, sizeof(ii->component), "%s", c->component_id ? c->component_id : "");
    snprintf(ii->description, sizeof(ii->description), "%s",
             c->description ? c->description : "");
    snprintf(ii->service, sizeof(ii->service), "%s", c->service ? c->service : "");
    ii->upper = join(&c->upper_range);
    ii->lower = join(&c->lower_range);
    ii->media = join(&c->filter_media_types);
    ii->cfg.upper_range = ii->upper;
    ii->cfg.lower_range = ii->lower;
    ii->cfg.filter_media_types = c->kind == INF_NETCOMP_FILTER ? ii->media : NULL;
    if (c->kind == INF_NETCOMP_FILTER) {
        ii->cfg.filter_type = (int)c->filter_type;
        ii->cfg.filter_run_type = (int)c->filter_run_type;
    }
    /* Defaults: every Ndi\params keyword, then the static HKR,,name values. */
    ii->params = json_array();
    int failed = 0;
    for (size_t i = 0; i < c->nparams; i++) {
        const struct inf_param *p = &c->params[i];
        json_array_append_new(ii->params,
                              json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "keyword", p->name,
                                        "type", param_type_name(p->type), "default",
                                        p->default_value, "description", p->desc,
                                        "optional", p->optional));
        if (!p->default_value)
            continue;
        int r = ndis_host_set_param(g_ndisd.host, NDIS_PARAM_DRIVER_DEFAULT, driver, p->name,
                                    p->default_value);
        if (r) {
            log_msg(LOG_KIND_WARN, "driver '%s': INF default %s=%s not set: %s", driver,
                    p->name, p->default_value, ndis_host_strerror(r));
            failed++;
        }
    }
    for (size_t i = 0; i < c->nvalues; i++) {
        const struct inf_regval *v = &c->values[i];
        char num[16];
        const char *text = NULL;
        if (v->reg_type == INF_REG_DWORD) {
            snprintf(num, sizeof(num), "%u", (unsigned)v->dword);
            text = num;
        } else if ((v->reg_type == INF_REG_SZ || v->reg_type == INF_REG_EXPAND_SZ) &&
                   v->data.n) {
            text = v->data.v[0];
        }
        if (!text) {
            log_msg(LOG_KIND_INFO, "driver '%s': INF value %s (registry type %u) is not a "
                                   "string or number; not set",
                    driver, v->name, (unsigned)v->reg_type);
            continue;
        }
        int r = ndis_host_set_param(g_ndisd.host, NDIS_PARAM_DRIVER_DEFAULT, driver, v->name,
                                    text);
        if (r)
            log_msg(LOG_KIND_WARN, "driver '%s': INF value %s=%s not set: %s", driver, v->name,
                    text, ndis_host_strerror(r));
    }
    /* The config must not point into the list, which is freed below. */
    snprintf(ii->filter_class, sizeof(ii->filter_class), "%s",
             c->filter_class ? c->filter_class : "");
    ii->cfg.service_name = ii->service[0] ? ii->service : NULL;
    ii->cfg.filter_class =
        c->kind == INF_NETCOMP_FILTER && ii->filter_class[0] ? ii->filter_class : NULL;
    log_msg(LOG_KIND_INFO,
            "driver '%s': INF %s: %s '%s' (%s), service %s, upper %s, lower %s%s%s, %zu "
            "keywords%s",
            driver, path, ii->kind, ii->component, ii->description,
            c->service ? c->service : "-", ii->upper ? ii->upper : "-",
            ii->lower ? ii->lower : "-", ii->cfg.filter_media_types ? ", media " : "",
            ii->cfg.filter_media_types ? ii->cfg.filter_media_types : "", c->nparams,
            failed ? " (some defaults not set)" : "");
    inf_netcomp_free(list);
    inf_free(inf);
    return 0;
}

static void base_name(const char *path, char *out, size_t len)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    snprintf(out, len, "%s", basename(tmp));
    char *dot = strstr(out, ".so");
    if (dot)
        *dot = 0;
}

int drivers_load(const struct driver_load *dl, char *name_out, size_t name_len, char *err,
                 size_t errlen)
{
    char name[64];
    if (dl->name)
        snprintf(name, sizeof(name), "%s", dl->name);
    else
        base_name(dl->path, name, sizeof(name));
    snprintf(name_out, name_len, "%s", name);
    if (!name[0] || strlen(dl->name ? dl->name : name) >= sizeof(name)) {
        snprintf(err, errlen, "'%s' is not a valid driver name", dl->name ? dl->name : name);
        return -EINVAL;
    }
    struct inf_info ii;
    memset(&ii, 0, sizeof(ii));
    bool have_inf = dl->inf && dl->inf[0];
    if (have_inf) {
        int rc = read_inf(name, dl->inf, dl->component, &ii, err, errlen);
        if (rc)
            return rc;
    }
    unsigned long long mark = log_mark();
    int rc = ndis_host_load_driver_file(g_ndisd.host, dl->path, name, have_inf ? &ii.cfg : NULL);
    if (rc) {
        char first[512];
        if (log_first_message_since(mark, first, sizeof(first)))
            snprintf(err, errlen, "%s", first);
        else
            snprintf(err, errlen, "load driver '%s' from %s: %s", name, dl->path,
                     ndis_host_strerror(rc));
        inf_info_free(&ii);
        return rc;
    }
    struct drv *d = calloc(1, sizeof(*d));
    if (d) {
        snprintf(d->name, sizeof(d->name), "%s", name);
        char *abs = realpath(dl->path, NULL);
        snprintf(d->path, sizeof(d->path), "%s", abs ? abs : dl->path);
        free(abs);
        if (have_inf) {
            abs = realpath(dl->inf, NULL);
            snprintf(d->inf, sizeof(d->inf), "%s", abs ? abs : dl->inf);
            free(abs);
            snprintf(d->kind, sizeof(d->kind), "%s", ii.kind);
            snprintf(d->component, sizeof(d->component), "%s", ii.component);
            snprintf(d->description, sizeof(d->description), "%s", ii.description);
            snprintf(d->service, sizeof(d->service), "%s", ii.service);
            d->params = json_incref(ii.params);
        }
        pthread_mutex_lock(&g_lock);
        d->next = g_drivers;
        g_drivers = d;
        pthread_mutex_unlock(&g_lock);
    }
    inf_info_free(&ii);
    return 0;
}

static void drop(const char *name)
{
    pthread_mutex_lock(&g_lock);
    for (struct drv **pp = &g_drivers; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) == 0) {
            struct drv *d = *pp;
            *pp = d->next;
            json_decref(d->params);
            free(d);
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
}

int drivers_unload(const char *name, char *err, size_t errlen)
{
    unsigned long long mark = log_mark();
    int rc = ndis_host_unload_driver(g_ndisd.host, name);
    if (rc == 0 || rc == -EBUSY) {
        /* -EBUSY after an unload: it ran, and leaks were reported. */
        ndis_driver_info info[256];
        unsigned n = 0;
        bool still = false;
        ndis_host_list_drivers(g_ndisd.host, info, 256, &n);
        for (unsigned i = 0; i < n && i < 256; i++)
            still |= strcmp(info[i].name, name) == 0;
        if (!still)
            drop(name);
    }
    if (rc) {
        char first[512];
        if (log_first_message_since(mark, first, sizeof(first)))
            snprintf(err, errlen, "%s", first);
        else
            snprintf(err, errlen, "unload driver '%s': %s", name, ndis_host_strerror(rc));
    }
    return rc;
}

void drivers_describe(const char *name, json_t *obj)
{
    pthread_mutex_lock(&g_lock);
    struct drv *d = find_locked(name);
    if (d) {
        json_object_set_new(obj, "path", json_string(d->path));
        json_object_set_new(obj, "inf", d->inf[0] ? json_string(d->inf) : json_null());
        json_object_set_new(obj, "inf_kind", d->kind[0] ? json_string(d->kind) : json_null());
        json_object_set_new(obj, "component",
                            d->component[0] ? json_string(d->component) : json_null());
        json_object_set_new(obj, "description",
                            d->description[0] ? json_string(d->description) : json_null());
        json_object_set_new(obj, "service", d->service[0] ? json_string(d->service) : json_null());
    } else {
        json_object_set_new(obj, "path", json_null());
        json_object_set_new(obj, "inf", json_null());
    }
    pthread_mutex_unlock(&g_lock);
}

json_t *drivers_params(const char *name)
{
    pthread_mutex_lock(&g_lock);
    struct drv *d = find_locked(name);
    json_t *p = d && d->params ? json_deep_copy(d->params) : NULL;
    pthread_mutex_unlock(&g_lock);
    return p;
}

void drivers_forget_all(void)
{
    pthread_mutex_lock(&g_lock);
    while (g_drivers) {
        struct drv *d = g_drivers;
        g_drivers = d->next;
        json_decref(d->params);
        free(d);
    }
    pthread_mutex_unlock(&g_lock);
}

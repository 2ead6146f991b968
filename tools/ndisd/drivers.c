/*
 * drivers.c - loading drivers the way pnputil and the service control manager
 * would: the INF file is installed first (ndis_host_install_inf: kind, bind
 * rules, filter settings, keyword defaults under its service name), then the
 * shared object is loaded under that service name. The daemon remembers which
 * file each driver came from; what the INF said comes from the instance
 * (ndis_host_list_infs). "params list" reads the Ndi\params keywords of a
 * driver's INF again (src/inf) to show their type and description.
 */
#include <errno.h>
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
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct drv *g_drivers; /* the .so each loaded driver came from */

static void remember(const char *name, const char *path)
{
    struct drv *d = calloc(1, sizeof(*d));
    if (!d)
        return; /* only the file name is missing from "drivers" then */
    snprintf(d->name, sizeof(d->name), "%s", name);
    char *abs = realpath(path, NULL);
    snprintf(d->path, sizeof(d->path), "%s", abs ? abs : path);
    free(abs);
    pthread_mutex_lock(&g_lock);
    d->next = g_drivers;
    g_drivers = d;
    pthread_mutex_unlock(&g_lock);
}

static void forget(const char *name)
{
    pthread_mutex_lock(&g_lock);
    for (struct drv **pp = &g_drivers; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) == 0) {
            struct drv *d = *pp;
            *pp = d->next;
            free(d);
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
}

/* The first libndis diagnostic since mark, else "<what>: <reason>". */
static void explain(unsigned long long mark, int rc, char *err, size_t errlen, const char *what)
{
    char first[900];
    if (log_first_message_since(mark, first, sizeof(first)))
        snprintf(err, errlen, "%s", first);
    else
        snprintf(err, errlen, "%s: %s", what, ndis_host_strerror(rc));
}

/* The installation record of a service, or false. */
static bool inf_of(const char *service, ndis_inf_info *out)
{
    unsigned n = 0;
    ndis_inf_info *v = host_infs(&n);
    bool found = false;
    for (unsigned i = 0; v && i < n && !found; i++)
        if (strcmp(v[i].service, service) == 0) {
            *out = v[i];
            found = true;
        }
    free(v);
    return found;
}

static bool driver_loaded(const ndis_driver_info *d, unsigned n, const char *name)
{
    for (unsigned i = 0; d && i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return true;
    return false;
}

/* The driver in `after` that is not in `before`: the one just loaded. */
static void new_driver(const ndis_driver_info *before, unsigned nb, char *out, size_t len)
{
    unsigned na = 0;
    ndis_driver_info *after = host_drivers(&na);
    for (unsigned i = 0; after && i < na; i++)
        if (!driver_loaded(before, nb, after[i].name))
            snprintf(out, len, "%s", after[i].name);
    free(after);
}

int drivers_load(const struct driver_load *dl, char *name_out, size_t name_len, char *err,
                 size_t errlen)
{
    unsigned long long mark = log_mark();
    char what[PATH_MAX + 64];
    char service[64] = "";
    if (dl->inf) {
        int rc = ndis_host_install_inf(g_ndisd.host, dl->inf, service, sizeof(service));
        if (rc) {
            snprintf(what, sizeof(what), "install INF %s", dl->inf);
            explain(mark, rc, err, errlen, what);
            return rc;
        }
        if (dl->name && strcmp(dl->name, service) != 0) {
            /* Its defaults and bind rules live under the service name. */
            snprintf(err, errlen,
                     "INF %s installs service '%s': load the driver under that name (or "
                     "give no name)",
                     dl->inf, service);
            return -EINVAL;
        }
    }
    const char *name = dl->name ? dl->name : service[0] ? service : NULL;
    unsigned nb = 0;
    ndis_driver_info *before = host_drivers(&nb);
    int rc = ndis_host_load_driver_file(g_ndisd.host, dl->path, name, NULL);
    /* The name it is loaded under: given, the INF's service, or (libndis
       decides) the service of an INF next to the file or the file's name. */
    const char *base = strrchr(dl->path, '/');
    base = base ? base + 1 : dl->path;
    if (name)
        snprintf(name_out, name_len, "%s", name);
    else
        snprintf(name_out, name_len, "%.*s", (int)strcspn(base, "."), base);
    if (rc == 0 && !name)
        new_driver(before, nb, name_out, name_len);
    free(before);
    if (rc) {
        snprintf(what, sizeof(what), "load driver '%s' from %s", name_out, dl->path);
        explain(mark, rc, err, errlen, what);
        return rc;
    }
    remember(name_out, dl->path);
    return 0;
}

int drivers_unload(const char *name, char *err, size_t errlen)
{
    unsigned long long mark = log_mark();
    int rc = ndis_host_unload_driver(g_ndisd.host, name);
    if (rc == 0 || rc == -EBUSY) {
        /* -EBUSY after an unload: it ran, and leaks were reported. */
        unsigned n = 0;
        ndis_driver_info *d = host_drivers(&n);
        if (d && !driver_loaded(d, n, name))
            forget(name);
        free(d);
    }
    if (rc) {
        char what[128];
        snprintf(what, sizeof(what), "unload driver '%s'", name);
        explain(mark, rc, err, errlen, what);
    }
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

void drivers_describe(const char *name, json_t *obj)
{
    pthread_mutex_lock(&g_lock);
    const char *path = NULL;
    for (struct drv *d = g_drivers; d && !path; d = d->next)
        if (strcmp(d->name, name) == 0)
            path = d->path;
    json_object_set_new(obj, "path", str_or_null(path));
    pthread_mutex_unlock(&g_lock);
    ndis_inf_info ii;
    bool have = inf_of(name, &ii);
    json_object_set_new(obj, "inf", str_or_null(have ? ii.inf_path : NULL));
    json_object_set_new(obj, "inf_class", str_or_null(have ? ii.net_class : NULL));
    json_object_set_new(obj, "component", str_or_null(have ? ii.component_id : NULL));
    json_object_set_new(obj, "upper_range", str_or_null(have ? ii.upper_range : NULL));
    json_object_set_new(obj, "lower_range", str_or_null(have ? ii.lower_range : NULL));
    if (have && ii.kind == NDIS_DRIVER_KIND_FILTER)
        json_object_set_new(obj, "filter",
                            json_pack("{s:s, s:i, s:i, s:s}", "class", ii.filter_class, "type",
                                      ii.filter_type, "run_type", ii.filter_run_type,
                                      "media_types", ii.filter_media_types));
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

json_t *drivers_params(const char *name)
{
    ndis_inf_info ii;
    if (!inf_of(name, &ii))
        return NULL;
    struct inf_file *inf = NULL;
    struct inf_netcomp_list *list = NULL;
    struct inf_error ie;
    memset(&ie, 0, sizeof(ie));
    json_t *a = NULL;
    if (inf_parse_file(ii.inf_path, &inf, &ie) == 0 && inf_netcomp_load(inf, &list, &ie) == 0) {
        a = json_array();
        for (size_t i = 0; i < list->n; i++) {
            const struct inf_netcomp *c = &list->v[i];
            if (!c->service || strcmp(c->service, name) != 0)
                continue;
            for (size_t k = 0; k < c->nparams; k++) {
                const struct inf_param *p = &c->params[k];
                json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "keyword",
                                                   p->name, "type", param_type_name(p->type),
                                                   "default", p->default_value, "description",
                                                   p->desc, "optional", p->optional));
            }
            break;
        }
    }
    inf_netcomp_free(list);
    inf_free(inf);
    return a;
}

void drivers_forget_all(void)
{
    pthread_mutex_lock(&g_lock);
    while (g_drivers) {
        struct drv *d = g_drivers;
        g_drivers = d->next;
        free(d);
    }
    pthread_mutex_unlock(&g_lock);
}

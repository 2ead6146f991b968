/*
 * inf_install.c - installing a network component's INF file in an NDIS
 * instance (the role of "pnputil /add-driver" and the network class
 * installer): ndis_host_install_inf, ndis_host_uninstall_inf,
 * ndis_host_list_infs, and the bind rules a driver loaded without an explicit
 * ndis_driver_config takes from its installed INF.
 *
 * The INF is read with src/inf (docs/inf.md). For each component with a
 * service, the instance records, under the service name (the name to load the
 * driver under): the class, the characteristics, Ndi\Interfaces UpperRange /
 * LowerRange / FilterMediaTypes, FilterClass / FilterType / FilterRunType; and
 * it sets the INF's keyword defaults in the defaults layer of
 * Services\<service>\Parameters (NDIS_PARAM_DRIVER_DEFAULT): the static
 * "HKR,,name" values, then the Default of each Ndi\params keyword that is not
 * Optional. Records and defaults live in memory only: an instance installs its
 * INF files again at each start (docs/config.md, "INF installation").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/core.h"
#include "core/verifier.h"
#include "inf/inf.h"

/* What an installed INF left for one service. */
struct ndisi_inf_rec {
    LIST_ENTRY link;                  /* ndis_registry.infs */
    ndis_inf_info info;
    struct ndisi_inf_cfg bind;        /* bind rules for ndis_host_load_driver */
    size_t nkw;
    char **kw;                        /* keywords whose default this INF set */
};

static void rec_free(struct ndisi_inf_rec *rec)
{
    for (size_t i = 0; i < rec->nkw; i++)
        free(rec->kw[i]);
    free(rec->kw);
    free(rec);
}

/* ---- reading an INF into records (no side effect) ----------------------------------- */

/* An INF problem: "<file>:<line>: <reason>" in the diagnostic, -EINVAL. */
static int refuse(const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(const char *file, unsigned line, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    ndisi_diag("install INF: %s:%u: %s", file, line, reason);
    return -EINVAL;
}

/* Joins an interface list as ndis_driver_config wants it ("ndis5,ndis4"),
 * checking it fits the bind engine's limits. */
static int join_range(const struct inf_strlist *l, char *out, size_t len, const char *what,
                      const struct inf_netcomp *c, const char *file)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (strlen(l->v[i]) >= sizeof(((struct ndisi_range *)0)->names[0]))
            return refuse(file, c->install_line, "%s name '%s' is longer than %zu characters",
                          what, l->v[i], sizeof(((struct ndisi_range *)0)->names[0]) - 1);
        int n = snprintf(out + o, len - o, "%s%s", i ? "," : "", l->v[i]);
        if (n < 0 || (size_t)n >= len - o)
            return refuse(file, c->install_line, "%s is longer than %zu characters", what,
                          len - 1);
        o += (size_t)n;
    }
    struct ndisi_range r;
    if (ndisi_range_parse(&r, out, NULL))
        return refuse(file, c->install_line, "%s has more than %d interface names", what,
                      NDISI_RANGE_MAX);
    return 0;
}

static const char *class_name(enum inf_net_class c)
{
    switch (c) {
    case INF_CLASS_NET:
        return "Net";
    case INF_CLASS_NETTRANS:
        return "NetTrans";
    case INF_CLASS_NETSERVICE:
        return "NetService";
    default:
        return "NetClient";
    }
}

static unsigned kind_bits(enum inf_netcomp_kind k)
{
    return k == INF_NETCOMP_MINIPORT   ? NDIS_DRIVER_KIND_MINIPORT
           : k == INF_NETCOMP_PROTOCOL ? NDIS_DRIVER_KIND_PROTOCOL
                                       : NDIS_DRIVER_KIND_FILTER;
}

/* The record of component c (its service checked to be a usable name). */
static int rec_new(const struct inf_netcomp *c, const char *file, struct ndisi_inf_rec **out)
{
    *out = NULL;
    if (strlen(c->service) >= NDISI_NAME_MAX || strchr(c->service, '\\') ||
        !reg_utf8_valid(c->service, strlen(c->service)))
        return refuse(file, c->install_line,
                      "service name '%s' is not a driver name (at most %d bytes, no '\\')",
                      c->service, NDISI_NAME_MAX - 1);
    struct ndisi_inf_rec *rec = calloc(1, sizeof(*rec));
    if (!rec)
        return -ENOMEM;
    ndis_inf_info *i = &rec->info;
    snprintf(i->service, sizeof(i->service), "%s", c->service);
    snprintf(i->inf_path, sizeof(i->inf_path), "%s", file);
    snprintf(i->component_id, sizeof(i->component_id), "%s", c->component_id);
    snprintf(i->net_class, sizeof(i->net_class), "%s", class_name(c->net_class));
    i->kind = kind_bits(c->kind);
    i->characteristics = c->characteristics;
    int rc = join_range(&c->upper_range, i->upper_range, sizeof(i->upper_range),
                        "UpperRange", c, file);
    if (!rc)
        rc = join_range(&c->lower_range, i->lower_range, sizeof(i->lower_range), "LowerRange",
                        c, file);
    if (!rc)
        rc = join_range(&c->filter_media_types, i->filter_media_types,
                        sizeof(i->filter_media_types), "FilterMediaTypes", c, file);
    if (!rc && c->filter_class && strlen(c->filter_class) >= sizeof(i->filter_class))
        rc = refuse(file, c->install_line, "FilterClass '%s' is too long", c->filter_class);
    if (rc) {
        rec_free(rec);
        return rc;
    }
    snprintf(i->filter_class, sizeof(i->filter_class), "%s",
             c->filter_class ? c->filter_class : "");
    i->filter_type = (int)c->filter_type;
    i->filter_run_type = (int)c->filter_run_type;

    /* The bind rules, as ndis_host_load_driver takes them; empty lists take
       the bind engine's defaults. */
    struct ndisi_inf_cfg *b = &rec->bind;
    snprintf(b->upper, sizeof(b->upper), "%s", i->upper_range);
    snprintf(b->lower, sizeof(b->lower), "%s", i->lower_range);
    snprintf(b->media, sizeof(b->media), "%s", i->filter_media_types);
    snprintf(b->filter_class, sizeof(b->filter_class), "%s", i->filter_class);
    snprintf(b->service, sizeof(b->service), "%s", i->service);
    *out = rec;
    return 0;
}

/* Points rec->bind.cfg at its own strings (after the record is copied or moved). */
static void bind_cfg(struct ndisi_inf_cfg *b, const ndis_inf_info *i)
{
    memset(&b->cfg, 0, sizeof(b->cfg));
    b->cfg.upper_range = b->upper[0] ? b->upper : NULL;
    b->cfg.lower_range = b->lower[0] ? b->lower : NULL;
    b->cfg.filter_media_types = b->media[0] ? b->media : NULL;
    b->cfg.filter_class = b->filter_class[0] ? b->filter_class : NULL;
    b->cfg.filter_type = i->filter_type;
    b->cfg.filter_run_type = i->filter_run_type;
    b->cfg.service_name = b->service;
}

/* One default of component c as a registry value, or NULL (errno set; EINVAL:
 * a type the store does not hold, skipped). */
static reg_value *static_value(const struct inf_regval *v)
{
    switch (v->reg_type) {
    case INF_REG_SZ:
        return reg_value_sz(v->data.n ? v->data.v[0] : "");
    case INF_REG_EXPAND_SZ:
        return reg_value_expand_sz(v->data.n ? v->data.v[0] : "");
    case INF_REG_DWORD:
        return reg_value_dword(v->dword);
    case INF_REG_MULTI_SZ: {
        /* A REG_MULTI_SZ ends at an empty string: keep what comes before. */
        size_t n = 0;
        while (n < v->data.n && v->data.v[n][0])
            n++;
        return reg_value_multi_sz(v->data.v, n);
    }
    case INF_REG_BINARY: {
        uint8_t bytes[4096];
        size_t n = v->data.n < sizeof(bytes) ? v->data.n : sizeof(bytes);
        for (size_t k = 0; k < n; k++)
            bytes[k] = (uint8_t)strtoul(v->data.v[k], NULL, 16);
        return reg_value_binary(bytes, n);
    }
    default:
        errno = EINVAL;
        return NULL;
    }
}

static int rec_add_kw(struct ndisi_inf_rec *rec, const char *kw)
{
    for (size_t i = 0; i < rec->nkw; i++)
        if (reg_name_cmp(rec->kw[i], kw) == 0)
            return 0;
    char **n = realloc(rec->kw, (rec->nkw + 1) * sizeof(*n));
    if (!n)
        return -ENOMEM;
    rec->kw = n;
    if (!(rec->kw[rec->nkw] = strdup(kw)))
        return -ENOMEM;
    rec->nkw++;
    return 0;
}

/* Sets component c's defaults in key k (the defaults layer), noting each in rec. */
static int set_defaults(reg_key *k, const struct inf_netcomp *c, struct ndisi_inf_rec *rec)
{
    int rc = 0;
    for (size_t i = 0; i < c->nvalues && !rc; i++) {
        const struct inf_regval *v = &c->values[i];
        reg_value *val = static_value(v);
        if (!val) {
            rc = errno == ENOMEM ? -ENOMEM : 0; /* REG_NONE, raw types: not keywords */
            continue;
        }
        rc = reg_set_default(k, v->name, val);
        reg_value_free(val);
        if (!rc)
            rc = rec_add_kw(rec, v->name);
    }
    for (size_t i = 0; i < c->nparams && !rc; i++) {
        const struct inf_param *p = &c->params[i];
        /* An Optional keyword is absent until set (the Advanced page's "Not
           Present"); one without a Default has nothing to set. */
        if (p->optional || !p->default_value)
            continue;
        reg_value *val = reg_value_sz(p->default_value);
        if (!val)
            return -ENOMEM;
        rc = reg_set_default(k, p->name, val);
        reg_value_free(val);
        if (!rc)
            rc = rec_add_kw(rec, p->name);
    }
    rec->info.defaults = (unsigned)rec->nkw;
    return rc;
}

/* ---- the instance's records ---------------------------------------------------------- */

/* r->lock held. */
static struct ndisi_inf_rec *rec_find(struct ndis_registry *r, const char *service)
{
    for (LIST_ENTRY *e = r->infs.Flink; e != &r->infs; e = e->Flink) {
        struct ndisi_inf_rec *rec = CONTAINING_RECORD(e, struct ndisi_inf_rec, link);
        if (reg_name_cmp(rec->info.service, service) == 0)
            return rec;
    }
    return NULL;
}

/* Removes rec's defaults and rec. r->lock held. */
static void rec_remove(struct ndis_registry *r, struct ndisi_inf_rec *rec)
{
    char path[NDISI_CFG_PATH_MAX];
    reg_key *k;
    if (!ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, rec->info.service,
                        NDISI_CFG_PARAMETERS, NULL) &&
        !reg_key_open(r->store, path, REG_OPEN_EXISTING, &k)) {
        for (size_t i = 0; i < rec->nkw; i++)
            reg_delete_default(k, rec->kw[i]); /* -ENOENT: the operator deleted it */
        reg_key_close(k);
    }
    RemoveEntryList(&rec->link);
    rec_free(rec);
}

static bool driver_loaded(struct ndis_host *h, const char *name)
{
    pthread_mutex_lock(&h->lock);
    bool loaded = ndisi_find_image(h, name) != NULL;
    pthread_mutex_unlock(&h->lock);
    return loaded;
}

/* The components of an INF file that install a service, parsed. */
struct inf_read {
    const char *file;
    struct inf_netcomp_list *comps;
    const struct inf_netcomp *first; /* the first component with a service */
};

static int inf_read(const char *file, struct inf_read *rd)
{
    struct inf_file *inf;
    struct inf_error err;
    memset(rd, 0, sizeof(*rd));
    rd->file = file;
    int rc = inf_parse_file(file, &inf, &err);
    if (!rc) {
        rc = inf_netcomp_load(inf, &rd->comps, &err);
        inf_free(inf);
    }
    if (rc) {
        if (rc == -ENOMEM)
            return rc;
        ndisi_diag("install INF: %s:%u: %s", err.file, err.line, err.reason);
        return rc;
    }
    for (size_t i = 0; i < rd->comps->n && !rd->first; i++)
        if (rd->comps->v[i].service)
            rd->first = &rd->comps->v[i];
    if (!rd->first) {
        inf_netcomp_free(rd->comps);
        rd->comps = NULL;
        return refuse(file, 0, "no component installs a service (NCF_NO_SERVICE components "
                               "have no driver to load)");
    }
    return 0;
}

/* True if component i installs a service no earlier component of rd installs
 * (models sharing a service share one reading of its DDInstall section). */
static bool first_of_service(const struct inf_read *rd, size_t i)
{
    const char *svc = rd->comps->v[i].service;
    if (!svc)
        return false;
    for (size_t j = 0; j < i; j++)
        if (rd->comps->v[j].service && reg_name_cmp(rd->comps->v[j].service, svc) == 0)
            return false;
    return true;
}

/* Installs the service of component c, replacing an earlier installation. */
static int install_one(struct ndis_registry *r, const struct inf_netcomp *c, const char *file)
{
    struct ndisi_inf_rec *rec;
    int rc = rec_new(c, file, &rec);
    if (rc)
        return rc;
    char path[NDISI_CFG_PATH_MAX];
    reg_key *k = NULL;
    pthread_mutex_lock(&r->lock);
    struct ndisi_inf_rec *old = rec_find(r, c->service);
    if (old)
        rec_remove(r, old);
    InsertTailList(&r->infs, &rec->link);
    rc = ndisi_cfg_path(path, sizeof(path), NDISI_CFG_SERVICES, c->service,
                        NDISI_CFG_PARAMETERS, NULL);
    if (!rc)
        rc = reg_key_open(r->store, path, REG_CREATE_DEFAULT, &k);
    if (!rc)
        rc = set_defaults(k, c, rec);
    reg_key_close(k);
    if (rc) {
        ndisi_diag("install INF: %s:%u: service '%s': keyword defaults not set: %s", file,
                   c->install_line, c->service, strerror(-rc));
        rec_remove(r, rec); /* and the defaults it had set */
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* Installs every service of rd; none if one of their drivers is loaded. */
static int inf_commit(struct ndis_host *h, struct inf_read *rd)
{
    for (size_t i = 0; i < rd->comps->n; i++)
        if (first_of_service(rd, i) && driver_loaded(h, rd->comps->v[i].service)) {
            ndisi_diag("install INF %s: driver '%s' is loaded: unload it before installing "
                       "its INF again",
                       rd->file, rd->comps->v[i].service);
            return -EBUSY;
        }
    int rc = 0;
    for (size_t i = 0; i < rd->comps->n && !rc; i++)
        if (first_of_service(rd, i))
            rc = install_one(h->registry, &rd->comps->v[i], rd->file);
    return rc;
}

/* ---- host API ---------------------------------------------------------------------------- */

int ndis_host_install_inf(ndis_host *h, const char *inf_path, char *service, size_t len)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_install_inf", "h") || !inf_path ||
        (service && !len))
        return -EINVAL;
    if (service)
        service[0] = 0;
    struct inf_read rd;
    int rc = inf_read(inf_path, &rd);
    if (rc)
        return rc;
    rc = inf_commit(h, &rd);
    if (!rc && service && (size_t)snprintf(service, len, "%s", rd.first->service) >= len)
        rc = -ERANGE; /* installed; the name did not fit */
    inf_netcomp_free(rd.comps);
    return rc;
}

int ndis_host_uninstall_inf(ndis_host *h, const char *service)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_uninstall_inf", "h") || !service)
        return -EINVAL;
    if (driver_loaded(h, service)) {
        ndisi_diag("uninstall INF of '%s': the driver is loaded", service);
        return -EBUSY;
    }
    struct ndis_registry *r = h->registry;
    pthread_mutex_lock(&r->lock);
    struct ndisi_inf_rec *rec = rec_find(r, service);
    if (rec)
        rec_remove(r, rec);
    pthread_mutex_unlock(&r->lock);
    return rec ? 0 : -ENOENT;
}

int ndis_host_list_infs(ndis_host *h, ndis_inf_info *out, unsigned max, unsigned *count)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_list_infs", "h") || !count ||
        (max && !out))
        return -EINVAL;
    struct ndis_registry *r = h->registry;
    unsigned n = 0;
    pthread_mutex_lock(&r->lock);
    for (LIST_ENTRY *e = r->infs.Flink; e != &r->infs; e = e->Flink, n++)
        if (n < max)
            out[n] = CONTAINING_RECORD(e, struct ndisi_inf_rec, link)->info;
    pthread_mutex_unlock(&r->lock);
    *count = n;
    return 0;
}

/* ---- for the core -------------------------------------------------------------------------- */

int ndisi_inf_lookup(struct ndis_host *h, const char *name, struct ndisi_inf_cfg *out)
{
    struct ndis_registry *r = h->registry;
    pthread_mutex_lock(&r->lock);
    struct ndisi_inf_rec *rec = rec_find(r, name);
    if (rec) {
        *out = rec->bind;
        bind_cfg(out, &rec->info);
        out->kind = rec->info.kind;
        snprintf(out->inf_path, sizeof(out->inf_path), "%s", rec->info.inf_path);
        snprintf(out->net_class, sizeof(out->net_class), "%s", rec->info.net_class);
    }
    pthread_mutex_unlock(&r->lock);
    return rec ? 0 : -ENOENT;
}

int ndisi_inf_for_file(struct ndis_host *h, const char *so_path, const char *name,
                       bool name_given, struct ndisi_inf_cfg *out)
{
    if (!ndisi_inf_lookup(h, name, out))
        return 0;
    /* "<dir>/<base>.so" -> "<dir>/<base>.inf" */
    char inf[1024];
    size_t n = strlen(so_path);
    if (n > 3 && strcmp(so_path + n - 3, ".so") == 0)
        n -= 3;
    if ((size_t)snprintf(inf, sizeof(inf), "%.*s.inf", (int)n, so_path) >= sizeof(inf) ||
        access(inf, F_OK) != 0)
        return -ENOENT;
    struct inf_read rd;
    int rc = inf_read(inf, &rd);
    if (rc)
        return rc == -ENOMEM ? rc : -EINVAL;
    if (name_given && reg_name_cmp(name, rd.first->service) != 0) {
        rc = refuse(inf, rd.first->install_line,
                    "installs service '%s', not '%s': load the driver under that name (or "
                    "give its bind rules)",
                    rd.first->service, name);
    } else {
        rc = inf_commit(h, &rd);
        if (!rc)
            rc = ndisi_inf_lookup(h, rd.first->service, out);
    }
    inf_netcomp_free(rd.comps);
    return rc;
}

void ndisi_inf_clear(struct ndis_registry *r)
{
    pthread_mutex_lock(&r->lock);
    while (!IsListEmpty(&r->infs))
        rec_free(CONTAINING_RECORD(RemoveHeadList(&r->infs), struct ndisi_inf_rec, link));
    pthread_mutex_unlock(&r->lock);
}

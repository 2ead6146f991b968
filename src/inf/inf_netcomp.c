/*
 * inf_netcomp.c - network components of a parsed INF file, as the network
 * class installer sees them:
 *
 *   [Version]       Signature, Class / ClassGuid (Net, NetTrans, NetService)
 *   [Manufacturer]  %Mfg% = Models[, TargetOSVersion...]
 *   [Models.deco]   %Desc% = DDInstall, hw-id[, compatible-id...]
 *   [DDInstall(.NTarch|.NT)]  Characteristics, BusType, *IfType, *MediaType,
 *                   *PhysicalMediaType, NetCfgInstanceId, AddReg = ...
 *   [DDInstall.Services]  AddService = name, flags, service-install-section
 *
 * The AddReg values are interpreted by inf_ndi.c. Each Models line yields
 * one struct inf_netcomp; a DDInstall section shared by several models is
 * read once. The component is then checked against the rules of the network
 * INF documentation for its class (docs/inf.md lists them).
 */
#include "inf/inf_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* AddReg lines applied per load, summed over every DDInstall section read:
 * bounds the work a hostile file can ask for (real files need thousands). */
#define NETCOMP_MAX_WORK (1u << 20)
/* Components per file: real INFs list at most a few thousand models. */
#define NETCOMP_MAX_COMPONENTS 16384u

struct inf_netcomp_priv {
    struct inf_arena arena;
};

static const struct {
    const char *name, *guid;
    enum inf_net_class cls;
} net_classes[] = {
    {"Net", "{4D36E972-E325-11CE-BFC1-08002BE10318}", INF_CLASS_NET},
    {"NetTrans", "{4D36E975-E325-11CE-BFC1-08002BE10318}", INF_CLASS_NETTRANS},
    {"NetClient", "{4D36E973-E325-11CE-BFC1-08002BE10318}", INF_CLASS_NETCLIENT},
    {"NetService", "{4D36E974-E325-11CE-BFC1-08002BE10318}", INF_CLASS_NETSERVICE},
};

/* Modifying filter classes from the top of the stack (protocol side) down. */
static const char *const filter_classes[] = {
    "scheduler", "encryption", "compression", "vpn", "loadbalance", "failover",
    "diagnostic", "custom", "provider_address", "ms_switch_capture", "ms_switch_filter",
    "ms_switch_forward"};

struct loader {
    const struct inf_file *inf;
    const struct inf_target *t;
    const char *file;
    struct inf_error *err;
    struct inf_arena *a;
    enum inf_net_class cls;
    const char *class_guid, *provider;
    struct inf_netcomp *comps;
    size_t n, cap;
    struct inf_netcomp **cache; /* by section index: the DDInstall part, once read */
    bool *models_done;          /* by section index: Models sections already listed */
    size_t work;
};

static int fail(struct loader *L, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct loader *L, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    inf_vfail(L->err, L->file, line, -EINVAL, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static int nomem(struct loader *L)
{
    return inf_fail(L->err, L->file, 0, -ENOMEM, "out of memory");
}

static const char *dup(struct loader *L, const char *s)
{
    return s ? inf_arena_strdup(L->a, s) : NULL;
}

static char *concat(struct loader *L, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *d = inf_arena_alloc(L->a, la + lb + 1);
    if (d) {
        memcpy(d, a, la);
        memcpy(d + la, b, lb + 1);
    }
    return d;
}

static bool is_guid(const char *s)
{
    static const char pattern[] = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";
    if (strlen(s) != sizeof(pattern) - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++) {
        char c = inf_lower(s[i]);
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (pattern[i] == 'x' ? !hex : c != pattern[i])
            return false;
    }
    return true;
}

static const char *first_value(const struct inf_line *l)
{
    return l && l->nvalues ? l->values[0] : NULL;
}

/* ---- [Version] ------------------------------------------------------------------ */

static int load_version(struct loader *L)
{
    const struct inf_section *v = inf_find_section(L->inf, "Version");
    if (!v)
        return fail(L, 0, "no [Version] section");
    const struct inf_line *sig = inf_find_line(v, "Signature");
    const char *s = first_value(sig);
    if (!s)
        return fail(L, v->lineno, "[Version] has no Signature");
    if (!inf_streq(s, "$Windows NT$") && !inf_streq(s, "$Chicago$"))
        return fail(L, sig->lineno, "Signature must be \"$Windows NT$\", not \"%s\"", s);

    const struct inf_line *cg = inf_find_line(v, "ClassGuid");
    const char *guid = first_value(cg);
    if (!guid)
        return fail(L, v->lineno, "[Version] has no ClassGuid");
    size_t k;
    for (k = 0; k < sizeof(net_classes) / sizeof(net_classes[0]); k++)
        if (inf_streq(guid, net_classes[k].guid))
            break;
    if (k == sizeof(net_classes) / sizeof(net_classes[0]))
        return fail(L, cg->lineno,
                    "ClassGuid %s is not a network class (Net, NetTrans or NetService)", guid);
    const struct inf_line *cl = inf_find_line(v, "Class");
    const char *cname = first_value(cl);
    if (cname && !inf_streq(cname, net_classes[k].name))
        return fail(L, cl->lineno, "Class %s does not match ClassGuid %s (class %s)", cname, guid,
                    net_classes[k].name);
    if (net_classes[k].cls == INF_CLASS_NETCLIENT)
        return fail(L, cg->lineno,
                    "NetClient components are not supported: they are network providers, "
                    "not NDIS drivers, and deprecated since Windows 8.1");
    L->cls = net_classes[k].cls;
    if (!(L->class_guid = dup(L, guid)))
        return nomem(L);
    const char *prov = first_value(inf_find_line(v, "Provider"));
    if (prov && !(L->provider = dup(L, prov)))
        return nomem(L);
    return 0;
}

/* ---- TargetOSVersion decorations ------------------------------------------------ */

struct deco_rank {
    uint32_t major, minor, build;
    bool arch;
};

/* NT[arch][.major[.minor[.product[.suite[.build]]]]]: 1 applies, 0 does not, <0 error. */
static int deco_applies(struct loader *L, unsigned line, const char *deco, struct deco_rank *r)
{
    const struct inf_target *t = L->t;
    *r = (struct deco_rank){0};
    if (strlen(deco) < 2 || !inf_strneq(deco, "NT", 2))
        return 0;
    const char *p = deco + 2, *dot = strchr(p, '.');
    size_t alen = dot ? (size_t)(dot - p) : strlen(p);
    if (alen) {
        bool any = alen == 6 && inf_strneq(p, "$ARCH$", 6);
        if (!any && (strlen(t->arch) != alen || !inf_strneq(p, t->arch, alen)))
            return 0;
        r->arch = true;
    }
    uint32_t f[5] = {0};
    bool given[5] = {false};
    unsigned idx = 0;
    for (const char *q = dot; q; idx++) {
        q++;
        const char *nd = strchr(q, '.');
        size_t flen = nd ? (size_t)(nd - q) : strlen(q);
        char buf[16];
        if (idx >= 5 || flen >= sizeof(buf))
            return fail(L, line, "invalid TargetOSVersion '%s'", deco);
        if (flen) {
            memcpy(buf, q, flen);
            buf[flen] = '\0';
            if (inf_parse_u32(buf, &f[idx]))
                return fail(L, line, "invalid TargetOSVersion '%s'", deco);
            given[idx] = true;
        }
        q = nd;
    }
    if (f[0] > t->os_major || (f[0] == t->os_major && f[1] > t->os_minor))
        return 0;
    if (given[2] && f[2] != t->product_type)
        return 0;
    if (given[3] && (f[3] & ~t->suite_mask))
        return 0;
    if (given[4] && f[4] > t->build)
        return 0;
    r->major = f[0];
    r->minor = f[1];
    r->build = f[4];
    return 1;
}

static bool rank_better(const struct deco_rank *a, const struct deco_rank *b)
{
    if (a->major != b->major)
        return a->major > b->major;
    if (a->minor != b->minor)
        return a->minor > b->minor;
    if (a->build != b->build)
        return a->build > b->build;
    return a->arch && !b->arch;
}

/* ---- DDInstall, AddReg and Services ------------------------------------------------- */

/* [name.NT<arch>], [name.NT$ARCH$], [name.NT], then [name]. */
static const struct inf_section *find_install(struct loader *L, const char *name, int *rc)
{
    const char *suffix[] = {L->t->arch, "$ARCH$", ""};
    size_t len = strlen(name);
    char *buf = malloc(len + 3 + strlen(L->t->arch) + 7);
    const struct inf_section *s = NULL;
    *rc = 0;
    if (!buf) {
        *rc = nomem(L);
        return NULL;
    }
    for (size_t i = 0; i < 3 && !s; i++) {
        if (i == 0 && !suffix[0][0])
            continue;
        memcpy(buf, name, len);
        memcpy(buf + len, ".NT", 3);
        strcpy(buf + len + 3, suffix[i]);
        s = inf_find_section(L->inf, buf);
    }
    free(buf);
    return s ? s : inf_find_section(L->inf, name);
}

static int read_u32(struct loader *L, const struct inf_line *l, uint32_t *out, bool *has)
{
    const char *v = first_value(l);
    if (!v || inf_parse_u32(v, out))
        return fail(L, l->lineno, "%s must be a number, not '%s'", l->key, v ? v : "");
    if (has)
        *has = true;
    return 0;
}

static int apply_addreg(struct loader *L, const struct inf_line *l, struct inf_ndi *ndi)
{
    for (size_t i = 0; i < l->nvalues; i++) {
        if (!l->values[i][0])
            continue;
        const struct inf_section *s = inf_find_section(L->inf, l->values[i]);
        if (!s)
            return fail(L, l->lineno, "AddReg section [%s] not found", l->values[i]);
        if (s->nlines > NETCOMP_MAX_WORK - L->work)
            return inf_fail(L->err, L->file, l->lineno, -EFBIG,
                            "more than %u lines to read", NETCOMP_MAX_WORK);
        L->work += s->nlines;
        for (size_t k = 0; k < s->nlines; k++) {
            struct inf_addreg r;
            int rc = inf_addreg_decode(L->inf, &s->lines[k], &r, L->err);
            if (!rc)
                rc = inf_ndi_apply(ndi, &r, L->file, L->err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int read_directives(struct loader *L, const struct inf_section *ins, struct inf_netcomp *c,
                           struct inf_ndi *ndi)
{
    bool chars = false;
    int rc = 0;
    for (size_t i = 0; !rc && i < ins->nlines; i++) {
        const struct inf_line *l = &ins->lines[i];
        if (!l->key)
            continue;
        if (inf_streq(l->key, "Characteristics"))
            rc = read_u32(L, l, &c->characteristics, &chars);
        else if (inf_streq(l->key, "BusType"))
            rc = read_u32(L, l, &c->bus_type, &c->has_bus_type);
        else if (inf_streq(l->key, "*IfType"))
            rc = read_u32(L, l, &c->if_type, &c->has_if_type);
        else if (inf_streq(l->key, "*MediaType"))
            rc = read_u32(L, l, &c->media_type, &c->has_media_type);
        else if (inf_streq(l->key, "*PhysicalMediaType"))
            rc = read_u32(L, l, &c->physical_media_type, &c->has_physical_media_type);
        else if (inf_streq(l->key, "AddReg"))
            rc = apply_addreg(L, l, ndi);
        else if (inf_streq(l->key, "NetCfgInstanceId")) {
            const char *g = first_value(l);
            if (!g || !is_guid(g))
                return fail(L, l->lineno, "NetCfgInstanceId must be a {GUID}, not '%s'",
                            g ? g : "");
            if (!(c->net_cfg_instance_id = dup(L, g)))
                return nomem(L);
        }
    }
    if (!rc && !chars)
        return fail(L, ins->lineno, "[%s] has no Characteristics entry", ins->name);
    return rc;
}

static int read_services(struct loader *L, const struct inf_section *ins, struct inf_netcomp *c)
{
    const char *name = concat(L, ins->name, ".Services");
    if (!name)
        return nomem(L);
    const struct inf_section *s = inf_find_section(L->inf, name);
    if (!s)
        return 0;
    const char **names = inf_arena_alloc(L->a, (s->nlines ? s->nlines : 1) * sizeof(*names));
    const struct inf_line **lines = inf_arena_alloc(L->a, (s->nlines ? s->nlines : 1) *
                                                              sizeof(*lines));
    if (!names || !lines)
        return nomem(L);
    size_t n = 0, assoc = SIZE_MAX;
    for (size_t i = 0; i < s->nlines; i++) {
        const struct inf_line *l = &s->lines[i];
        uint32_t flags = 0;
        if (!l->key || !inf_streq(l->key, "AddService"))
            continue;
        if (!l->nvalues || !l->values[0][0])
            continue; /* "AddService = , 2": no service (a null driver) */
        if (l->nvalues > 1 && l->values[1][0] && inf_parse_u32(l->values[1], &flags))
            return fail(L, l->lineno, "invalid AddService flags '%s'", l->values[1]);
        if (l->nvalues < 3 || !l->values[2][0])
            return fail(L, l->lineno, "AddService %s has no service-install section",
                        l->values[0]);
        if (!inf_find_section(L->inf, l->values[2]))
            return fail(L, l->lineno, "service-install section [%s] not found", l->values[2]);
        if ((flags & SPSVCINST_ASSOCSERVICE) && assoc == SIZE_MAX)
            assoc = n;
        lines[n] = l;
        if (!(names[n++] = dup(L, l->values[0])))
            return nomem(L);
    }
    c->services = (struct inf_strlist){n, names};
    if (!n)
        return 0;

    size_t primary = assoc != SIZE_MAX ? assoc : 0;
    if (c->service) {
        for (primary = 0; primary < n && !inf_streq(names[primary], c->service); primary++)
            ;
        if (primary == n)
            return fail(L, s->lineno, "Ndi\\Service %s has no AddService directive in [%s]",
                        c->service, s->name);
    } else {
        c->service = names[primary];
    }
    const struct inf_section *si = inf_find_section(L->inf, lines[primary]->values[2]);
    if (si->nlines > NETCOMP_MAX_WORK - L->work)
        return inf_fail(L->err, L->file, lines[primary]->lineno, -EFBIG,
                        "more than %u lines to read", NETCOMP_MAX_WORK);
    L->work += si->nlines;
    const char *bin = first_value(inf_find_line(si, "ServiceBinary"));
    if (bin && !(c->service_binary = dup(L, bin)))
        return nomem(L);
    return 0;
}

/* ---- the rules of each class ------------------------------------------------------- */

static int check_ranges(struct loader *L, const struct inf_section *ins, struct inf_netcomp *c)
{
    if (!c->upper_range.n)
        return fail(L, ins->lineno, "[%s] sets no Ndi\\Interfaces UpperRange", ins->name);
    if (!c->lower_range.n)
        return fail(L, ins->lineno, "[%s] sets no Ndi\\Interfaces LowerRange", ins->name);
    return 0;
}

static int check_filter(struct loader *L, const struct inf_section *ins, struct inf_netcomp *c)
{
    const char *n = ins->name;
    if (!c->filter_type)
        return fail(L, ins->lineno, "filter [%s] sets no Ndi FilterType", n);
    if (!c->filter_run_type)
        return fail(L, ins->lineno, "filter [%s] sets no Ndi FilterRunType", n);
    if (c->filter_type == INF_FILTER_MODIFYING && !c->filter_class)
        return fail(L, ins->lineno, "modifying filter [%s] sets no Ndi FilterClass", n);
    if (c->filter_class && inf_filter_class_rank(c->filter_class) < 0)
        return fail(L, ins->lineno, "filter [%s]: unknown FilterClass '%s'", n, c->filter_class);
    if (!c->filter_media_types.n)
        return fail(L, ins->lineno, "filter [%s] sets no Ndi\\Interfaces FilterMediaTypes", n);
    if (inf_strlist_contains(&c->filter_media_types, "nolower"))
        return fail(L, ins->lineno, "filter [%s]: FilterMediaTypes must not contain nolower", n);
    if (c->upper_range.n != 1 || !inf_streq(c->upper_range.v[0], "noupper") ||
        c->lower_range.n != 1 || !inf_streq(c->lower_range.v[0], "nolower"))
        return fail(L, ins->lineno,
                    "filter [%s]: UpperRange must be noupper and LowerRange nolower "
                    "(FilterMediaTypes sets the bindings)", n);
    if (!c->net_cfg_instance_id)
        return fail(L, ins->lineno, "filter [%s] has no NetCfgInstanceId", n);
    return 0;
}

static int classify(struct loader *L, const struct inf_section *ins, struct inf_netcomp *c)
{
    const uint32_t ch = c->characteristics;
    const uint32_t bus = ch & (NCF_VIRTUAL | NCF_SOFTWARE_ENUMERATED | NCF_PHYSICAL);
    const unsigned ln = ins->lineno;
    int rc;

    if (bus & (bus - 1))
        return fail(L, ln, "Characteristics 0x%x: NCF_VIRTUAL, NCF_SOFTWARE_ENUMERATED and "
                           "NCF_PHYSICAL are mutually exclusive", (unsigned)ch);
    if (bus && (ch & NCF_NO_SERVICE))
        return fail(L, ln, "Characteristics 0x%x: an adapter cannot be NCF_NO_SERVICE",
                    (unsigned)ch);
    if (ch & NCF_FILTER)
        return fail(L, ln, "Characteristics 0x%x: NCF_FILTER (filter intermediate driver) is "
                           "not supported since Windows 10; use NCF_LW_FILTER", (unsigned)ch);
    if ((ch & NCF_LW_FILTER) && L->cls != INF_CLASS_NETSERVICE)
        return fail(L, ln, "Characteristics 0x%x: NCF_LW_FILTER is only valid for NetService",
                    (unsigned)ch);
    if (c->filter_type && !(ch & NCF_LW_FILTER))
        return fail(L, ln, "[%s] sets FilterType but is not a lightweight filter (NCF_LW_FILTER)",
                    ins->name);
    if ((rc = check_ranges(L, ins, c)))
        return rc;
    if (!(ch & NCF_LW_FILTER)) {
        /* Filter settings mean nothing to other components (FilterType was refused). */
        c->filter_class = NULL;
        c->filter_run_type = 0;
    }

    switch (L->cls) {
    case INF_CLASS_NET:
        c->kind = INF_NETCOMP_MINIPORT;
        if ((ch & NCF_PHYSICAL) && !c->has_bus_type)
            return fail(L, ln, "physical adapter [%s] has no BusType", ins->name);
        if (!c->has_if_type || !c->has_media_type || !c->has_physical_media_type)
            return fail(L, ln, "miniport [%s] lacks %s: NDIS 6 does not initialize it without "
                               "*IfType, *MediaType and *PhysicalMediaType", ins->name,
                        !c->has_if_type ? "*IfType"
                        : !c->has_media_type ? "*MediaType" : "*PhysicalMediaType");
        break;
    case INF_CLASS_NETTRANS:
        c->kind = INF_NETCOMP_PROTOCOL;
        if (bus)
            return fail(L, ln, "Characteristics 0x%x: adapter flags in a protocol", (unsigned)ch);
        break;
    default:
        if (!(ch & NCF_LW_FILTER))
            return fail(L, ln, "NetService [%s] is not a lightweight filter (NCF_LW_FILTER "
                               "0x40000): other network services are not supported", ins->name);
        if (bus)
            return fail(L, ln, "Characteristics 0x%x: adapter flags in a filter", (unsigned)ch);
        c->kind = INF_NETCOMP_FILTER;
        if ((rc = check_filter(L, ins, c)))
            return rc;
        break;
    }
    if (L->cls != INF_CLASS_NET && !c->coservices.n)
        return fail(L, ln, "[%s] sets no Ndi CoServices (required for %s components)", ins->name,
                    L->cls == INF_CLASS_NETTRANS ? "NetTrans" : "NetService");
    if (!(ch & NCF_NO_SERVICE) && !c->service)
        return fail(L, ln, "[%s] names no service: no Ndi Service and no AddService in "
                           "[%s.Services] (NCF_NO_SERVICE marks a component without a driver)",
                    ins->name, ins->name);
    if (c->service && c->coservices.n && !inf_strlist_contains(&c->coservices, c->service))
        return fail(L, ln, "[%s]: Ndi CoServices does not list the service %s", ins->name,
                    c->service);
    return 0;
}

static int read_install(struct loader *L, const struct inf_section *ins, struct inf_netcomp **out)
{
    struct inf_netcomp *c = inf_arena_alloc(L->a, sizeof(*c));
    struct inf_ndi *ndi = inf_ndi_new();
    int rc;
    if (!c || !ndi) {
        inf_ndi_free(ndi);
        return nomem(L);
    }
    c->net_class = L->cls;
    c->class_guid = L->class_guid;
    c->provider = L->provider;
    c->install_line = ins->lineno;
    if (!(c->install_section = dup(L, ins->name)))
        rc = nomem(L);
    else if (!(rc = read_directives(L, ins, c, ndi)))
        rc = inf_ndi_finish(ndi, L->a, c, L->file, L->err);
    inf_ndi_free(ndi);
    if (!rc)
        rc = read_services(L, ins, c);
    if (!rc)
        rc = classify(L, ins, c);
    *out = c;
    return rc;
}

/* ---- [Manufacturer] and Models -------------------------------------------------------- */

static int add_component(struct loader *L, const struct inf_netcomp *tmpl, const char *mfg,
                         const char *models, const struct inf_line *l)
{
    if (L->n == NETCOMP_MAX_COMPONENTS)
        return inf_fail(L->err, L->file, l->lineno, -EFBIG, "more than %u components",
                        NETCOMP_MAX_COMPONENTS);
    if (L->n == L->cap) {
        size_t ncap = L->cap ? L->cap * 2 : 8;
        struct inf_netcomp *nc = realloc(L->comps, ncap * sizeof(*nc));
        if (!nc)
            return nomem(L);
        L->comps = nc;
        L->cap = ncap;
    }
    struct inf_netcomp *c = &L->comps[L->n];
    *c = *tmpl;
    c->manufacturer = mfg;
    c->models_section = models;
    if (!(c->description = dup(L, l->key)) || !(c->component_id = dup(L, l->values[1])))
        return nomem(L);
    L->n++;
    return 0;
}

/* mfg is already a copy owned by the list. */
static int load_models(struct loader *L, const char *mfg, const struct inf_section *ms)
{
    const char *models = dup(L, ms->name);
    if (!models)
        return nomem(L);
    for (size_t i = 0; i < ms->nlines; i++) {
        const struct inf_line *l = &ms->lines[i];
        int rc;
        if (!l->key || l->nvalues < 2 || !l->values[0][0] || !l->values[1][0])
            return fail(L, l->lineno,
                        "Models entry must be 'description = install-section, hw-id'");
        const struct inf_section *ins = find_install(L, l->values[0], &rc);
        if (rc)
            return rc;
        if (!ins)
            return fail(L, l->lineno, "install section [%s] not found", l->values[0]);
        if (!L->cache[ins->index] && (rc = read_install(L, ins, &L->cache[ins->index])))
            return rc;
        if ((rc = add_component(L, L->cache[ins->index], mfg, models, l)))
            return rc;
    }
    return 0;
}

static int load_manufacturers(struct loader *L)
{
    const struct inf_section *m = inf_find_section(L->inf, "Manufacturer");
    if (!m)
        return fail(L, 0, "no [Manufacturer] section");
    for (size_t i = 0; i < m->nlines; i++) {
        const struct inf_line *l = &m->lines[i];
        const char *models = first_value(l);
        const char *mfg = l->key ? l->key : models;
        if (!models || !models[0])
            return fail(L, l->lineno, "Manufacturer entry names no Models section");

        const char *best = NULL;
        struct deco_rank best_rank = {0};
        for (size_t k = 1; k < l->nvalues; k++) {
            struct deco_rank r;
            int rc = deco_applies(L, l->lineno, l->values[k], &r);
            if (rc < 0)
                return rc;
            if (rc && (!best || rank_better(&r, &best_rank))) {
                best = l->values[k];
                best_rank = r;
            }
        }
        if (l->nvalues > 1 && !best)
            continue; /* decorated for other platforms only */
        const char *name = models;
        if (best) {
            char *n1 = concat(L, models, ".");
            if (!n1 || !(name = concat(L, n1, best)))
                return nomem(L);
        }
        const struct inf_section *ms = inf_find_section(L->inf, name);
        if (!ms)
            return fail(L, l->lineno, "Models section [%s] not found", name);
        if (L->models_done[ms->index])
            continue; /* listed by an earlier Manufacturer line */
        L->models_done[ms->index] = true;
        const char *mfg_copy = dup(L, mfg);
        if (!mfg_copy)
            return nomem(L);
        int rc = load_models(L, mfg_copy, ms);
        if (rc)
            return rc;
    }
    if (!L->n)
        return fail(L, m->lineno, "no Models entry applies to NT%s %u.%u build %u",
                    L->t->arch, L->t->os_major, L->t->os_minor, L->t->build);
    return 0;
}

/* ---- entry points ------------------------------------------------------------------------ */

void inf_target_host(struct inf_target *t)
{
#if defined(__x86_64__)
    const char *arch = "amd64";
#elif defined(__aarch64__)
    const char *arch = "arm64";
#elif defined(__i386__)
    const char *arch = "x86";
#elif defined(__arm__)
    const char *arch = "arm";
#else
    const char *arch = "";
#endif
    *t = (struct inf_target){arch, INF_TARGET_OS_MAJOR, INF_TARGET_OS_MINOR, 1, 0,
                             INF_TARGET_BUILD};
}

int inf_netcomp_load_target(const struct inf_file *inf, const struct inf_target *target,
                            struct inf_netcomp_list **out, struct inf_error *err)
{
    struct inf_target host;
    if (target) {
        host = *target;
        if (!host.arch)
            host.arch = "";
    } else {
        inf_target_host(&host);
    }
    target = &host;
    *out = NULL;
    struct inf_netcomp_list *list = calloc(1, sizeof(*list));
    struct inf_netcomp_priv *priv = calloc(1, sizeof(*priv));
    struct loader L = {.inf = inf, .t = target, .file = inf_name(inf), .err = err};
    int rc;
    size_t nsec = inf_section_count(inf) ? inf_section_count(inf) : 1;
    if (!list || !priv || !(L.cache = calloc(nsec, sizeof(*L.cache))) ||
        !(L.models_done = calloc(nsec, sizeof(*L.models_done)))) {
        rc = nomem(&L);
        goto out;
    }
    L.a = &priv->arena;
    if (!(rc = load_version(&L)))
        rc = load_manufacturers(&L);
    if (!rc) {
        struct inf_netcomp *v = inf_arena_alloc(L.a, (L.n ? L.n : 1) * sizeof(*v));
        if (v) {
            memcpy(v, L.comps, L.n * sizeof(*v));
            list->v = v;
            list->n = L.n;
            list->priv = priv;
        } else {
            rc = nomem(&L);
        }
    }
out:
    free(L.cache);
    free(L.models_done);
    free(L.comps);
    if (rc) {
        if (priv)
            inf_arena_free(&priv->arena);
        free(priv);
        free(list);
        return rc;
    }
    *out = list;
    return 0;
}

int inf_netcomp_load(const struct inf_file *inf, struct inf_netcomp_list **out,
                     struct inf_error *err)
{
    return inf_netcomp_load_target(inf, NULL, out, err);
}

void inf_netcomp_free(struct inf_netcomp_list *list)
{
    if (!list)
        return;
    if (list->priv) {
        inf_arena_free(&list->priv->arena);
        free(list->priv);
    }
    free(list);
}

const struct inf_param *inf_netcomp_param(const struct inf_netcomp *c, const char *name)
{
    for (size_t i = 0; i < c->nparams; i++)
        if (inf_streq(c->params[i].name, name))
            return &c->params[i];
    return NULL;
}

const struct inf_regval *inf_netcomp_value(const struct inf_netcomp *c, const char *name)
{
    for (size_t i = 0; i < c->nvalues; i++)
        if (inf_streq(c->values[i].name, name))
            return &c->values[i];
    return NULL;
}

bool inf_strlist_contains(const struct inf_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (inf_streq(l->v[i], s))
            return true;
    return false;
}

const char *inf_netcomp_kind_name(enum inf_netcomp_kind kind)
{
    switch (kind) {
    case INF_NETCOMP_MINIPORT:
        return "miniport";
    case INF_NETCOMP_PROTOCOL:
        return "protocol";
    case INF_NETCOMP_FILTER:
        return "filter";
    }
    return "unknown";
}

int inf_filter_class_rank(const char *filter_class)
{
    for (size_t i = 0; i < sizeof(filter_classes) / sizeof(filter_classes[0]); i++)
        if (inf_streq(filter_classes[i], filter_class))
            return (int)i;
    return -1;
}

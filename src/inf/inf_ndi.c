/*
 * inf_ndi.c - the registry values a network DDInstall section writes through
 * its AddReg sections, read the way the network class installer reads them:
 *
 *   HKR, Ndi, Service | CoServices | HelpText | ComponentId
 *                     | FilterClass | FilterType | FilterRunType
 *   HKR, Ndi\Interfaces, UpperRange | LowerRange | FilterMediaTypes
 *   HKR, Ndi\params\<kw>, ParamDesc | Type | Default | Optional
 *                       | Min | Max | Step | Base
 *   HKR, Ndi\params\<kw>\enum, <value>, , <description>
 *   HKR, , <name>, <flags>, <value>          (static parameters)
 *
 * Lines are applied in order with registry semantics (a later line
 * overwrites, FLG_ADDREG_NOCLOBBER keeps the first, FLG_ADDREG_APPEND
 * extends a REG_MULTI_SZ, FLG_ADDREG_OVERWRITEONLY needs an earlier value);
 * deleting flags and other roots and subkeys are ignored. inf_ndi_finish()
 * then checks the values and turns them into struct inf_netcomp fields.
 */
#include "inf/inf_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    bool set;
    struct inf_addreg r; /* the line in force; strings owned by the struct inf_file */
    const char **own;    /* r.data when it is an appended array of ours */
    size_t cap;          /* its capacity */
};

enum { NDI_SERVICE, NDI_COSERVICES, NDI_HELPTEXT, NDI_COMPONENTID, NDI_FILTERCLASS,
       NDI_FILTERTYPE, NDI_FILTERRUNTYPE, NDI_COUNT };
static const char *const ndi_names[NDI_COUNT] = {
    "Service", "CoServices", "HelpText", "ComponentId", "FilterClass", "FilterType",
    "FilterRunType"};

enum { IF_UPPER, IF_LOWER, IF_MEDIA, IF_COUNT };
static const char *const if_names[IF_COUNT] = {"UpperRange", "LowerRange", "FilterMediaTypes"};

enum { P_DESC, P_TYPE, P_DEFAULT, P_OPTIONAL, P_MIN, P_MAX, P_STEP, P_BASE, P_COUNT };
static const char *const param_names[P_COUNT] = {"ParamDesc", "Type", "Default", "Optional",
                                                 "Min", "Max", "Step", "Base"};

struct param_acc {
    const char *name;
    unsigned lineno;
    size_t nchoices;
    struct slot s[P_COUNT];
};

struct choice_acc {
    size_t param;
    const char *value;
    struct slot desc;
};

struct value_acc {
    const char *name;
    struct slot s;
};

struct inf_ndi {
    struct inf_arena tmp; /* merged REG_MULTI_SZ arrays and map keys */
    struct slot ndi[NDI_COUNT];
    struct slot ifc[IF_COUNT];
    struct param_acc *params;
    size_t nparams, cap_params;
    struct choice_acc *choices;
    size_t nchoices, cap_choices;
    struct value_acc *values;
    size_t nvalues, cap_values;
    struct inf_map param_map, choice_map, value_map;
};

/* Ndi\params subkey names that the class installer reserves. */
static const char *const reserved_keywords[] = {
    "BundleId",       "BusType",         "Characteristics", "ComponentId",
    "Description",    "DeviceInstanceId", "DriverDate",     "DriverDesc",
    "DriverVersion",  "InfPath",         "InfSection",      "InfSectionExt",
    "*IfType",        "InstallTimeStamp", "Manufacturer",   "*MediaType",
    "NetCfgInstanceId", "NetLuidIndex",  "*PhysicalMediaType", "Provider",
    "ProviderName"};

static const struct {
    const char *name;
    enum inf_param_type type;
    int64_t lo, hi;
} param_types[] = {
    {"int", INF_PARAM_INT, INT32_MIN, INT32_MAX},
    {"long", INF_PARAM_LONG, INT32_MIN, INT32_MAX},
    {"word", INF_PARAM_WORD, 0, UINT16_MAX},
    {"dword", INF_PARAM_DWORD, 0, UINT32_MAX},
    {"enum", INF_PARAM_ENUM, 0, 0},
    {"edit", INF_PARAM_EDIT, 0, 0},
};

struct inf_ndi *inf_ndi_new(void)
{
    return calloc(1, sizeof(struct inf_ndi));
}

void inf_ndi_free(struct inf_ndi *n)
{
    if (!n)
        return;
    inf_arena_free(&n->tmp);
    free(n->params);
    free(n->choices);
    free(n->values);
    inf_map_free(&n->param_map);
    inf_map_free(&n->choice_map);
    inf_map_free(&n->value_map);
    free(n);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > SIZE_MAX / size)
        return -ENOMEM;
    void *nv = realloc(*v, ncap * size);
    if (!nv)
        return -ENOMEM;
    *v = nv;
    *cap = ncap;
    return 0;
}

static int set_slot(struct inf_ndi *n, struct slot *s, const struct inf_addreg *r)
{
    if (s->set && (r->flags & FLG_ADDREG_NOCLOBBER))
        return 0;
    if (!s->set && (r->flags & FLG_ADDREG_OVERWRITEONLY))
        return 0;
    if (s->set && (r->flags & FLG_ADDREG_APPEND) && r->reg_type == INF_REG_MULTI_SZ &&
        s->r.reg_type == INF_REG_MULTI_SZ) {
        size_t total = s->r.ndata + r->ndata;
        if (s->r.data != (const char *const *)s->own || total > s->cap) {
            /* Twice what is needed: appending line after line stays linear. */
            size_t cap = total < 4 ? 8 : 2 * total;
            const char **d = inf_arena_alloc(&n->tmp, (cap ? cap : 1) * sizeof(*d));
            if (!d)
                return -ENOMEM;
            for (size_t i = 0; i < s->r.ndata; i++)
                d[i] = s->r.data[i];
            s->own = d;
            s->cap = cap;
            s->r.data = d;
        }
        for (size_t i = 0; i < r->ndata; i++)
            s->own[s->r.ndata + i] = r->data[i];
        s->r.ndata = total;
        return 0;
    }
    s->set = true;
    s->r = *r;
    s->own = NULL; /* r.data belongs to the parsed file again */
    s->cap = 0;
    return 0;
}

static int lookup_name(const char *const *names, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (inf_streq(names[i], name))
            return (int)i;
    return -1;
}

static int param_index(struct inf_ndi *n, const char *kw, size_t kwlen, unsigned line,
                       size_t *out)
{
    if (inf_map_getn(&n->param_map, kw, kwlen, out))
        return 0;
    char *name = inf_arena_strndup(&n->tmp, kw, kwlen);
    if (!name || grow((void **)&n->params, &n->cap_params, n->nparams, sizeof(*n->params)) ||
        inf_map_put(&n->param_map, name, n->nparams) < 0)
        return -ENOMEM;
    n->params[n->nparams] = (struct param_acc){.name = name, .lineno = line};
    *out = n->nparams++;
    return 0;
}

static int apply_choice(struct inf_ndi *n, size_t param, const struct inf_addreg *r)
{
    if (!r->value_name[0])
        return 0;
    const char *kw = n->params[param].name;
    size_t klen = strlen(kw), vlen = strlen(r->value_name);
    char *key = inf_arena_alloc(&n->tmp, klen + vlen + 2);
    if (!key)
        return -ENOMEM;
    memcpy(key, kw, klen);
    key[klen] = '\\';
    memcpy(key + klen + 1, r->value_name, vlen + 1);
    size_t idx;
    if (!inf_map_get(&n->choice_map, key, &idx)) {
        if (grow((void **)&n->choices, &n->cap_choices, n->nchoices, sizeof(*n->choices)) ||
            inf_map_put(&n->choice_map, key, n->nchoices) < 0)
            return -ENOMEM;
        idx = n->nchoices++;
        n->choices[idx] = (struct choice_acc){.param = param, .value = r->value_name};
        n->params[param].nchoices++;
    }
    return set_slot(n, &n->choices[idx].desc, r);
}

static int apply_value(struct inf_ndi *n, const struct inf_addreg *r)
{
    size_t idx;
    if (!r->value_name[0])
        return 0;
    if (!inf_map_get(&n->value_map, r->value_name, &idx)) {
        if (grow((void **)&n->values, &n->cap_values, n->nvalues, sizeof(*n->values)) ||
            inf_map_put(&n->value_map, r->value_name, n->nvalues) < 0)
            return -ENOMEM;
        idx = n->nvalues++;
        n->values[idx] = (struct value_acc){.name = r->value_name};
    }
    return set_slot(n, &n->values[idx].s, r);
}

static int apply(struct inf_ndi *n, const struct inf_addreg *r)
{
    static const char params_prefix[] = "Ndi\\params\\";
    const size_t plen = sizeof(params_prefix) - 1;
    const char *sk = r->subkey;
    int i;

    if (!inf_streq(r->root, "HKR") || r->key_only ||
        (r->flags & (FLG_ADDREG_DELVAL | FLG_ADDREG_DELREG_BIT)))
        return 0;
    if (!sk[0])
        return apply_value(n, r);
    if (inf_streq(sk, "Ndi"))
        return (i = lookup_name(ndi_names, NDI_COUNT, r->value_name)) < 0
                   ? 0 : set_slot(n, &n->ndi[i], r);
    if (inf_streq(sk, "Ndi\\Interfaces"))
        return (i = lookup_name(if_names, IF_COUNT, r->value_name)) < 0
                   ? 0 : set_slot(n, &n->ifc[i], r);
    if (strlen(sk) <= plen || !inf_strneq(sk, params_prefix, plen))
        return 0;

    const char *kw = sk + plen, *slash = strchr(kw, '\\');
    size_t kwlen = slash ? (size_t)(slash - kw) : strlen(kw), idx;
    if (!kwlen || (slash && !inf_streq(slash + 1, "enum")))
        return 0;
    int rc = param_index(n, kw, kwlen, r->lineno, &idx);
    if (rc)
        return rc;
    if (slash)
        return apply_choice(n, idx, r);
    i = lookup_name(param_names, P_COUNT, r->value_name);
    return i < 0 ? 0 : set_slot(n, &n->params[idx].s[i], r);
}

int inf_ndi_apply(struct inf_ndi *n, const struct inf_addreg *r, const char *file,
                  struct inf_error *err)
{
    int rc = apply(n, r);
    return rc ? inf_fail(err, file, r->lineno, rc, "out of memory") : 0;
}

/* ---- finishing: checked values copied into the component ----------------------- */

struct fin {
    struct inf_arena *a;
    const char *file;
    struct inf_error *err;
    size_t *first;  /* per parameter: its first entry in order[] */
    size_t *order;  /* indices of n->choices grouped by parameter, in file order */
};

static int nomem(struct fin *f)
{
    return inf_fail(f->err, f->file, 0, -ENOMEM, "out of memory");
}

/* The value as one string: REG_SZ / REG_EXPAND_SZ text or a REG_DWORD in decimal. */
static int slot_str(struct fin *f, const struct slot *s, const char *what, const char **out)
{
    char num[16];
    const char *v;
    *out = NULL;
    if (!s->set)
        return 0;
    switch (s->r.reg_type) {
    case INF_REG_SZ:
    case INF_REG_EXPAND_SZ:
        v = s->r.ndata ? s->r.data[0] : "";
        break;
    case INF_REG_DWORD:
        snprintf(num, sizeof(num), "%u", (unsigned)s->r.dword);
        v = num;
        break;
    default:
        return inf_fail(f->err, f->file, s->r.lineno, -EINVAL, "%s must be a string value", what);
    }
    return (*out = inf_arena_strdup(f->a, v)) ? 0 : nomem(f);
}

static int slot_u32(struct fin *f, const struct slot *s, const char *what, uint32_t *out)
{
    if (s->r.reg_type == INF_REG_DWORD) {
        *out = s->r.dword;
        return 0;
    }
    if ((s->r.reg_type == INF_REG_SZ || s->r.reg_type == INF_REG_EXPAND_SZ) && s->r.ndata &&
        !inf_parse_u32(s->r.data[0], out))
        return 0;
    return inf_fail(f->err, f->file, s->r.lineno, -EINVAL, "%s must be a number", what);
}

static int add_item(struct fin *f, const char **items, size_t *n, const char *b, size_t len,
                    bool lower)
{
    char *d = inf_arena_strndup(f->a, b, len);
    if (!d)
        return nomem(f);
    for (size_t i = 0; lower && i < len; i++)
        d[i] = inf_lower(d[i]);
    items[(*n)++] = d;
    return 0;
}

/* A list from REG_SZ "a, b" or REG_MULTI_SZ "a", "b,c": split on commas, trimmed. */
static int slot_list(struct fin *f, const struct slot *s, const char *what, bool lower,
                     struct inf_strlist *out)
{
    *out = (struct inf_strlist){0};
    if (!s->set)
        return 0;
    if (s->r.reg_type != INF_REG_SZ && s->r.reg_type != INF_REG_EXPAND_SZ &&
        s->r.reg_type != INF_REG_MULTI_SZ)
        return inf_fail(f->err, f->file, s->r.lineno, -EINVAL,
                        "%s must be a REG_SZ or REG_MULTI_SZ value", what);
    size_t max = 0;
    for (size_t i = 0; i < s->r.ndata; i++) {
        max++;
        for (const char *c = s->r.data[i]; *c; c++)
            max += *c == ',';
    }
    const char **items = inf_arena_alloc(f->a, (max ? max : 1) * sizeof(*items));
    if (!items)
        return nomem(f);
    size_t n = 0;
    for (size_t i = 0; i < s->r.ndata; i++) {
        const char *p = s->r.data[i];
        for (;;) {
            const char *e = strchr(p, ',');
            const char *end = e ? e : p + strlen(p), *b = p;
            while (b < end && (*b == ' ' || *b == '\t'))
                b++;
            while (end > b && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            if (end > b && add_item(f, items, &n, b, (size_t)(end - b), lower))
                return -ENOMEM;
            if (!e)
                break;
            p = e + 1;
        }
    }
    *out = (struct inf_strlist){n, items};
    return 0;
}

static int copy_strlist(struct fin *f, size_t n, const char *const *src, struct inf_strlist *out)
{
    const char **d = inf_arena_alloc(f->a, (n ? n : 1) * sizeof(*d));
    if (!d)
        return nomem(f);
    for (size_t i = 0; i < n; i++)
        if (!(d[i] = inf_arena_strdup(f->a, src[i])))
            return nomem(f);
    *out = (struct inf_strlist){n, d};
    return 0;
}

/* Parses a numeric attribute of a parameter and checks it against the type range. */
static int param_num(struct fin *f, const struct param_acc *pa, int attr, unsigned base,
                     int64_t lo, int64_t hi, int64_t *out)
{
    const struct slot *s = &pa->s[attr];
    const char *txt;
    int rc = slot_str(f, s, param_names[attr], &txt);
    if (rc)
        return rc;
    if (inf_parse_i64(txt, base, out))
        return inf_fail(f->err, f->file, s->r.lineno, -EINVAL, "Ndi\\params\\%s: invalid %s '%s'",
                        pa->name, param_names[attr], txt);
    if (*out < lo || *out > hi)
        return inf_fail(f->err, f->file, s->r.lineno, -EINVAL,
                        "Ndi\\params\\%s: %s %lld is out of range for its type", pa->name,
                        param_names[attr], (long long)*out);
    return 0;
}

static int finish_choices(struct fin *f, struct inf_ndi *n, size_t pi, struct inf_param *p)
{
    struct inf_param_choice *ch = inf_arena_alloc(f->a, p->nchoices * sizeof(*ch));
    if (!ch)
        return nomem(f);
    for (size_t k = 0; k < p->nchoices; k++) {
        const struct choice_acc *c = &n->choices[f->order[f->first[pi] + k]];
        int rc = slot_str(f, &c->desc, "an enum description", &ch[k].desc);
        if (rc)
            return rc;
        if (!(ch[k].value = inf_arena_strdup(f->a, c->value)))
            return nomem(f);
    }
    p->choices = ch;
    return 0;
}

/* Groups the enum choices by parameter (a counting sort, keeping file order). */
static int group_choices(struct fin *f, struct inf_ndi *n)
{
    f->first = calloc(n->nparams + 1, sizeof(*f->first));
    f->order = calloc(n->nchoices + 1, sizeof(*f->order));
    size_t *next = calloc(n->nparams + 1, sizeof(*next));
    if (!f->first || !f->order || !next) {
        free(next);
        return nomem(f);
    }
    for (size_t i = 0; i < n->nparams; i++)
        f->first[i + 1] = f->first[i] + n->params[i].nchoices;
    memcpy(next, f->first, n->nparams * sizeof(*next));
    for (size_t i = 0; i < n->nchoices; i++)
        f->order[next[n->choices[i].param]++] = i;
    free(next);
    return 0;
}

static int finish_param(struct fin *f, struct inf_ndi *n, size_t pi, struct inf_param *p)
{
    const struct param_acc *pa = &n->params[pi];
    const char *type = NULL;
    size_t t;
    int rc;

    *p = (struct inf_param){.lineno = pa->lineno, .base = 10, .nchoices = pa->nchoices};
    if (!(p->name = inf_arena_strdup(f->a, pa->name)))
        return nomem(f);
    for (size_t i = 0; i < sizeof(reserved_keywords) / sizeof(reserved_keywords[0]); i++)
        if (inf_streq(pa->name, reserved_keywords[i]))
            return inf_fail(f->err, f->file, pa->lineno, -EINVAL,
                            "'%s' is a reserved keyword and cannot be an Ndi\\params subkey",
                            pa->name);
    if (!pa->s[P_DESC].set)
        return inf_fail(f->err, f->file, pa->lineno, -EINVAL, "Ndi\\params\\%s has no ParamDesc",
                        pa->name);
    if (!pa->s[P_TYPE].set)
        return inf_fail(f->err, f->file, pa->lineno, -EINVAL, "Ndi\\params\\%s has no Type",
                        pa->name);
    if ((rc = slot_str(f, &pa->s[P_DESC], "ParamDesc", &p->desc)) ||
        (rc = slot_str(f, &pa->s[P_TYPE], "Type", &type)) ||
        (rc = slot_str(f, &pa->s[P_DEFAULT], "Default", &p->default_value)))
        return rc;
    for (t = 0; t < sizeof(param_types) / sizeof(param_types[0]); t++)
        if (inf_streq(type, param_types[t].name))
            break;
    if (t == sizeof(param_types) / sizeof(param_types[0]))
        return inf_fail(f->err, f->file, pa->s[P_TYPE].r.lineno, -EINVAL,
                        "Ndi\\params\\%s: unknown Type '%s' (int, long, word, dword, enum or edit)",
                        pa->name, type);
    p->type = param_types[t].type;

    uint32_t u;
    if (pa->s[P_OPTIONAL].set) {
        if ((rc = slot_u32(f, &pa->s[P_OPTIONAL], "Optional", &u)))
            return rc;
        if (u > 1)
            return inf_fail(f->err, f->file, pa->s[P_OPTIONAL].r.lineno, -EINVAL,
                            "Ndi\\params\\%s: Optional must be 0 or 1", pa->name);
        p->optional = u == 1;
    }
    if (p->type == INF_PARAM_ENUM) {
        if (!p->nchoices)
            return inf_fail(f->err, f->file, pa->lineno, -EINVAL,
                            "enum parameter %s has no Ndi\\params\\%s\\enum values", pa->name,
                            pa->name);
        if ((rc = finish_choices(f, n, pi, p)))
            return rc;
        bool found = !p->default_value;
        for (size_t i = 0; !found && i < p->nchoices; i++)
            found = inf_streq(p->choices[i].value, p->default_value);
        if (!found)
            return inf_fail(f->err, f->file, pa->s[P_DEFAULT].r.lineno, -EINVAL,
                            "Ndi\\params\\%s: Default '%s' is not one of its enum values",
                            pa->name, p->default_value);
        p->nchoices = pa->nchoices;
        return 0;
    }
    p->nchoices = 0;
    if (p->type == INF_PARAM_EDIT)
        return 0;

    /* Numeric types. */
    const int64_t lo = param_types[t].lo, hi = param_types[t].hi;
    if (pa->s[P_BASE].set) {
        if ((rc = slot_u32(f, &pa->s[P_BASE], "Base", &u)))
            return rc;
        if (u != 10 && u != 16)
            return inf_fail(f->err, f->file, pa->s[P_BASE].r.lineno, -EINVAL,
                            "Ndi\\params\\%s: Base must be 10 or 16", pa->name);
        p->base = u;
    }
    if ((p->has_min = pa->s[P_MIN].set) &&
        (rc = param_num(f, pa, P_MIN, p->base, lo, hi, &p->min)))
        return rc;
    if ((p->has_max = pa->s[P_MAX].set) &&
        (rc = param_num(f, pa, P_MAX, p->base, lo, hi, &p->max)))
        return rc;
    if ((p->has_step = pa->s[P_STEP].set) &&
        (rc = param_num(f, pa, P_STEP, p->base, 1, hi > 1 ? hi : 1, &p->step)))
        return rc;
    if (p->has_min && p->has_max && p->min > p->max)
        return inf_fail(f->err, f->file, pa->s[P_MAX].r.lineno, -EINVAL,
                        "Ndi\\params\\%s: Min %lld is greater than Max %lld", pa->name,
                        (long long)p->min, (long long)p->max);
    if (pa->s[P_DEFAULT].set) {
        if ((rc = param_num(f, pa, P_DEFAULT, p->base, lo, hi, &p->default_num)))
            return rc;
        if ((p->has_min && p->default_num < p->min) || (p->has_max && p->default_num > p->max))
            return inf_fail(f->err, f->file, pa->s[P_DEFAULT].r.lineno, -EINVAL,
                            "Ndi\\params\\%s: Default %lld is outside Min..Max", pa->name,
                            (long long)p->default_num);
    }
    return 0;
}

static int finish_values(struct fin *f, struct inf_ndi *n, struct inf_netcomp *c)
{
    struct inf_regval *v = inf_arena_alloc(f->a, (n->nvalues ? n->nvalues : 1) * sizeof(*v));
    if (!v)
        return nomem(f);
    for (size_t i = 0; i < n->nvalues; i++) {
        const struct inf_addreg *r = &n->values[i].s.r;
        v[i] = (struct inf_regval){.reg_type = r->reg_type, .dword = r->dword, .lineno = r->lineno};
        if (!(v[i].name = inf_arena_strdup(f->a, n->values[i].name)))
            return nomem(f);
        int rc = copy_strlist(f, r->ndata, r->data, &v[i].data);
        if (rc)
            return rc;
    }
    c->values = v;
    c->nvalues = n->nvalues;
    return 0;
}

int inf_ndi_finish(struct inf_ndi *n, struct inf_arena *arena, struct inf_netcomp *c,
                   const char *file, struct inf_error *err)
{
    struct fin f = {arena, file, err, NULL, NULL};
    const char *fclass = NULL;
    uint32_t u;
    int rc;

    if ((rc = slot_str(&f, &n->ndi[NDI_SERVICE], "Ndi\\Service", &c->service)) ||
        (rc = slot_str(&f, &n->ndi[NDI_HELPTEXT], "Ndi\\HelpText", &c->help_text)) ||
        (rc = slot_str(&f, &n->ndi[NDI_COMPONENTID], "Ndi\\ComponentId", &c->ndi_component_id)) ||
        (rc = slot_str(&f, &n->ndi[NDI_FILTERCLASS], "Ndi\\FilterClass", &fclass)) ||
        (rc = slot_list(&f, &n->ndi[NDI_COSERVICES], "Ndi\\CoServices", false, &c->coservices)) ||
        (rc = slot_list(&f, &n->ifc[IF_UPPER], "UpperRange", true, &c->upper_range)) ||
        (rc = slot_list(&f, &n->ifc[IF_LOWER], "LowerRange", true, &c->lower_range)) ||
        (rc = slot_list(&f, &n->ifc[IF_MEDIA], "FilterMediaTypes", true,
                        &c->filter_media_types)))
        return rc;
    if (c->service && !c->service[0])
        c->service = NULL;
    if (fclass) {
        for (char *p = (char *)fclass; *p; p++)
            *p = inf_lower(*p);
        c->filter_class = fclass[0] ? fclass : NULL;
    }
    if (n->ndi[NDI_FILTERTYPE].set) {
        if ((rc = slot_u32(&f, &n->ndi[NDI_FILTERTYPE], "Ndi\\FilterType", &u)))
            return rc;
        if (u != INF_FILTER_MONITORING && u != INF_FILTER_MODIFYING)
            return inf_fail(err, file, n->ndi[NDI_FILTERTYPE].r.lineno, -EINVAL,
                            "FilterType must be 1 (monitoring) or 2 (modifying), not %u",
                            (unsigned)u);
        c->filter_type = u;
    }
    if (n->ndi[NDI_FILTERRUNTYPE].set) {
        if ((rc = slot_u32(&f, &n->ndi[NDI_FILTERRUNTYPE], "Ndi\\FilterRunType", &u)))
            return rc;
        if (u != INF_FILTER_MANDATORY && u != INF_FILTER_OPTIONAL)
            return inf_fail(err, file, n->ndi[NDI_FILTERRUNTYPE].r.lineno, -EINVAL,
                            "FilterRunType must be 1 (mandatory) or 2 (optional), not %u",
                            (unsigned)u);
        c->filter_run_type = u;
    }

    struct inf_param *params = inf_arena_alloc(arena, (n->nparams ? n->nparams : 1) *
                                                          sizeof(*params));
    if (!params)
        return nomem(&f);
    rc = group_choices(&f, n);
    for (size_t i = 0; !rc && i < n->nparams; i++)
        rc = finish_param(&f, n, i, &params[i]);
    free(f.first);
    free(f.order);
    if (rc)
        return rc;
    c->params = params;
    c->nparams = n->nparams;
    return finish_values(&f, n, c);
}

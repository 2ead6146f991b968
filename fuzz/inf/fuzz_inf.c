/*
 * fuzz_inf.c - libFuzzer target for the INF parser and the NDIS component
 * extractor (src/inf/). The input is an INF file (any encoding); when it
 * parses, every line is also decoded as an AddReg line and the components
 * are extracted for two targets. Every string of the results is read so that
 * AddressSanitizer checks it, and a refusal must always say why.
 */
#include "inf/inf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *s)
{
    if (s)
        sink += strlen(s);
}

static void check_error(int rc, const struct inf_error *err)
{
    if (rc < 0 && (!err->reason[0] || strcmp(err->file, "fuzz.inf") != 0))
        __builtin_trap();
}

static void touch_list(const struct inf_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        touch(l->v[i]);
}

static void walk_components(const struct inf_netcomp_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        const struct inf_netcomp *c = &list->v[i];
        touch(c->class_guid);
        touch(c->provider);
        touch(c->manufacturer);
        touch(c->description);
        touch(c->component_id);
        touch(c->models_section);
        touch(c->install_section);
        touch(c->net_cfg_instance_id);
        touch(c->service);
        touch(c->service_binary);
        touch(c->help_text);
        touch(c->ndi_component_id);
        touch(c->filter_class);
        touch_list(&c->services);
        touch_list(&c->coservices);
        touch_list(&c->upper_range);
        touch_list(&c->lower_range);
        touch_list(&c->filter_media_types);
        if (c->filter_class && inf_filter_class_rank(c->filter_class) < 0)
            __builtin_trap();
        for (size_t p = 0; p < c->nparams; p++) {
            const struct inf_param *pr = &c->params[p];
            touch(pr->name);
            touch(pr->desc);
            touch(pr->default_value);
            for (size_t k = 0; k < pr->nchoices; k++) {
                touch(pr->choices[k].value);
                touch(pr->choices[k].desc);
            }
            if (inf_netcomp_param(c, pr->name) == NULL)
                __builtin_trap();
        }
        for (size_t v = 0; v < c->nvalues; v++) {
            touch(c->values[v].name);
            touch_list(&c->values[v].data);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct inf_file *inf = NULL;
    struct inf_error err = {0};
    int rc = inf_parse_buffer("fuzz.inf", data, size, &inf, &err);
    check_error(rc, &err);
    if (rc)
        return 0;

    for (size_t s = 0; s < inf_section_count(inf); s++) {
        const struct inf_section *sec = inf_section_at(inf, s);
        if (inf_find_section(inf, sec->name) != sec)
            __builtin_trap();
        for (size_t i = 0; i < sec->nlines; i++) {
            const struct inf_line *l = &sec->lines[i];
            struct inf_addreg r;
            touch(l->key);
            touch(l->raw);
            for (size_t v = 0; v < l->nvalues; v++)
                touch(l->values[v]);
            rc = inf_addreg_decode(inf, l, &r, &err);
            check_error(rc, &err);
            if (!rc)
                for (size_t d = 0; d < r.ndata; d++)
                    touch(r.data[d]);
        }
    }

    static const struct inf_target other = {"arm64", 6, 3, 3, 0, 9600};
    const struct inf_target *targets[] = {NULL, &other};
    for (size_t t = 0; t < 2; t++) {
        struct inf_netcomp_list *list = NULL;
        rc = inf_netcomp_load_target(inf, targets[t], &list, &err);
        check_error(rc, &err);
        if (!rc) {
            walk_components(list);
            inf_netcomp_free(list);
        }
    }
    inf_free(inf);
    return 0;
}

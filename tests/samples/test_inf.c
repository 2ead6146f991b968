/*
 * test_inf.c - the samples' INF files read the way libndis reads INF files
 * (src/inf): virtmp.inf is a virtual Ethernet miniport with its keywords,
 * sampleproto.inf a protocol over "ndis5"; and the build copies each INF next
 * to its module.
 */
#include <string.h>

#include "inf/inf.h"
#include "test.h"

#ifndef SAMPLES_DRIVERS_SRC
#error "SAMPLES_DRIVERS_SRC (the source drivers/ directory) must be defined"
#endif
#ifndef NDIS_DRIVER_DIR
#error "NDIS_DRIVER_DIR (the build's drivers/ directory) must be defined"
#endif

static struct inf_netcomp_list *load(const char *path)
{
    struct inf_file *inf = NULL;
    struct inf_netcomp_list *list = NULL;
    struct inf_error err;
    memset(&err, 0, sizeof(err));
    int rc = inf_parse_file(path, &inf, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", path, err.line, err.reason);
    rc = inf_netcomp_load(inf, &list, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", path, err.line, err.reason);
    inf_free(inf);
    T_EQ(list->n, 1);
    return list;
}

static bool has(const struct inf_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

static const struct inf_param *param(const struct inf_netcomp *c, const char *name)
{
    for (size_t i = 0; i < c->nparams; i++)
        if (strcmp(c->params[i].name, name) == 0)
            return &c->params[i];
    T_ASSERT_MSG(0, "no Ndi\\params\\%s", name);
    return NULL;
}

TEST(virtmp_inf_describes_a_virtual_ethernet_miniport)
{
    struct inf_netcomp_list *l = load(SAMPLES_DRIVERS_SRC "/virtmp/virtmp.inf");
    const struct inf_netcomp *c = &l->v[0];
    T_EQ(c->kind, INF_NETCOMP_MINIPORT);
    T_EQ(c->characteristics, 0x1); /* NCF_VIRTUAL */
    T_ASSERT(c->has_if_type && c->has_media_type && c->has_physical_media_type);
    T_EQ(c->if_type, 6);
    T_EQ(c->media_type, 0);
    T_EQ(c->physical_media_type, 14);
    T_STREQ(c->service, "virtmp");
    T_STREQ(c->component_id, "root\\virtmp");
    T_ASSERT(has(&c->upper_range, "ndis5") && c->upper_range.n == 1);
    T_ASSERT(has(&c->lower_range, "ethernet") && c->lower_range.n == 1);

    const struct inf_param *p = param(c, "NetworkAddress");
    T_EQ(p->type, INF_PARAM_EDIT);
    T_ASSERT(p->optional);
    p = param(c, "LinkUp");
    T_EQ(p->type, INF_PARAM_ENUM);
    T_STREQ(p->default_value, "1");
    T_EQ(p->nchoices, 2);
    p = param(c, "*ReceiveBuffers");
    T_EQ(p->type, INF_PARAM_INT);
    T_EQ(p->default_num, 128);
    T_ASSERT(p->has_min && p->has_max);
    T_EQ(p->min, 16);
    T_EQ(p->max, 1024);
    inf_netcomp_free(l);
}

TEST(sampleproto_inf_describes_a_protocol_over_ndis5)
{
    struct inf_netcomp_list *l = load(SAMPLES_DRIVERS_SRC "/sampleproto/sampleproto.inf");
    const struct inf_netcomp *c = &l->v[0];
    T_EQ(c->kind, INF_NETCOMP_PROTOCOL);
    T_STREQ(c->service, "sampleproto");
    T_ASSERT(has(&c->coservices, "sampleproto"));
    T_ASSERT(has(&c->upper_range, "noupper") && c->upper_range.n == 1);
    T_ASSERT(has(&c->lower_range, "ndis5") && c->lower_range.n == 1);
    T_EQ(c->nparams, 0);
    inf_netcomp_free(l);
}

TEST(each_inf_sits_next_to_its_module_in_the_build)
{
    inf_netcomp_free(load(NDIS_DRIVER_DIR "/virtmp.inf"));
    inf_netcomp_free(load(NDIS_DRIVER_DIR "/sampleproto.inf"));
}

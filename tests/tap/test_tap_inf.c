/*
 * test_tap_inf.c - tapmp.inf and responder.inf read the way libndis reads INF
 * files (src/inf): a virtual Ethernet miniport with *IfName, NetworkAddress
 * and *ReceiveBuffers, and a protocol over "ndis5" with its IPAddress default.
 */
#include <string.h>

#include "inf/inf.h"
#include "test.h"

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

TEST(tapmp_inf_describes_a_virtual_ethernet_miniport)
{
    struct inf_netcomp_list *l = load(TAP_DRIVERS_SRC "/tapmp/tapmp.inf");
    const struct inf_netcomp *c = &l->v[0];
    T_EQ(c->kind, INF_NETCOMP_MINIPORT);
    T_EQ(c->characteristics, 0x1); /* NCF_VIRTUAL */
    T_EQ(c->if_type, 6);
    T_EQ(c->media_type, 0);
    T_EQ(c->physical_media_type, 14);
    T_STREQ(c->service, "tapmp");
    T_ASSERT(has(&c->upper_range, "ndis5") && has(&c->lower_range, "ethernet"));
    const struct inf_param *p = param(c, "*IfName");
    T_EQ(p->type, INF_PARAM_EDIT);
    T_ASSERT(p->optional);
    p = param(c, "NetworkAddress");
    T_EQ(p->type, INF_PARAM_EDIT);
    T_ASSERT(p->optional);
    p = param(c, "*ReceiveBuffers");
    T_EQ(p->type, INF_PARAM_INT);
    T_EQ(p->default_num, 256);
    T_EQ(p->min, 16);
    T_EQ(p->max, 4096);
    inf_netcomp_free(l);
}

TEST(responder_inf_describes_a_protocol_over_ndis5)
{
    struct inf_netcomp_list *l = load(TAP_DRIVERS_SRC "/responder/responder.inf");
    const struct inf_netcomp *c = &l->v[0];
    T_EQ(c->kind, INF_NETCOMP_PROTOCOL);
    T_STREQ(c->service, "responder");
    T_ASSERT(has(&c->coservices, "responder"));
    T_ASSERT(has(&c->upper_range, "noupper") && has(&c->lower_range, "ndis5"));
    const struct inf_param *p = param(c, "IPAddress");
    T_EQ(p->type, INF_PARAM_EDIT);
    T_ASSERT(p->optional);
    inf_netcomp_free(l);
}

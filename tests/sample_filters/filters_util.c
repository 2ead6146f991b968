/* filters_util.c - see filters_util.h. */
#include "filters_util.h"

#include <stdio.h>
#include <string.h>

#include "inf/inf.h"

static char g_cfg_strings[4][128];

/* The first component of drivers/<name>/<name>.inf as a driver config, and
   its Ndi\params defaults set for driver `name`. */
static ndis_driver_config inf_config(ndis_host *h, const char *name)
{
    char path[512];
    struct inf_file *inf = NULL;
    struct inf_netcomp_list *list = NULL;
    struct inf_error err;
    memset(&err, 0, sizeof(err));
    snprintf(path, sizeof(path), "%s/%s/%s.inf", SAMPLE_DRIVERS_DIR, name, name);
    int rc = inf_parse_file(path, &inf, &err);
    if (!rc)
        rc = inf_netcomp_load(inf, &list, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", path, err.line, err.reason);
    T_EQ(list->n, 1);
    const struct inf_netcomp *c = &list->v[0];
    T_EQ(c->kind, INF_NETCOMP_FILTER);
    T_EQ(c->filter_media_types.n, 1);
    T_ASSERT(c->net_cfg_instance_id != NULL); /* the UniqueName the driver registers */
    T_ASSERT(c->service != NULL && strcmp(c->service, name) == 0);

    ndis_driver_config cfg = {0};
    snprintf(g_cfg_strings[0], sizeof(g_cfg_strings[0]), "%s", c->filter_media_types.v[0]);
    snprintf(g_cfg_strings[1], sizeof(g_cfg_strings[1]), "%s", c->filter_class);
    snprintf(g_cfg_strings[2], sizeof(g_cfg_strings[2]), "%s", c->service);
    cfg.filter_media_types = g_cfg_strings[0];
    cfg.filter_class = g_cfg_strings[1];
    cfg.service_name = g_cfg_strings[2];
    cfg.filter_type = (int)c->filter_type;
    cfg.filter_run_type = (int)c->filter_run_type;
    for (size_t i = 0; i < c->nparams; i++)
        if (c->params[i].default_value)
            T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, name, c->params[i].name,
                                     c->params[i].default_value),
                 0);
    inf_netcomp_free(list);
    inf_free(inf);
    return cfg;
}

void fx_load_passfilter(ndis_host *h)
{
    ndis_driver_config cfg = inf_config(h, "passfilter");
    T_EQ(ndis_host_load_driver(h, "passfilter", passfilter_DriverEntry, &cfg), 0);
}

void fx_load_ethfilter(ndis_host *h)
{
    ndis_driver_config cfg = inf_config(h, "ethfilter");
    T_EQ(ndis_host_load_driver(h, "ethfilter", ethfilter_DriverEntry, &cfg), 0);
}

ndis_host *fx_stack(void)
{
    ndis_host *h = sx_host();
    sx_add(h, "a0");
    sx_add(h, "a1");
    fx_load_passfilter(h);
    fx_load_ethfilter(h);
    sx_load_sampleproto(h);
    return h;
}

void fx_set_module_rules(ndis_host *h, const char *adapter, const char *value)
{
    char key[128];
    snprintf(key, sizeof(key), "ethfilter\\Adapters\\%s", adapter);
    if (value)
        T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, key, "DropEtherTypes", value), 0);
    else
        T_EQ(ndis_host_delete_param(h, NDIS_PARAM_DRIVER, key, "DropEtherTypes"), 0);
}

void fx_restart(ndis_host *h, const char *adapter)
{
    T_EQ(ndis_host_pause_adapter(h, adapter), 0);
    T_EQ(ndis_host_restart_adapter(h, adapter), 0);
}

passfilter_counters fx_pf(const char *adapter)
{
    passfilter_counters c;
    int rc = passfilter_get(adapter, &c);
    T_ASSERT_MSG(rc == 0, "passfilter_get(%s) = %d", adapter, rc);
    return c;
}

ethfilter_counters fx_ef(const char *adapter)
{
    ethfilter_counters c;
    int rc = ethfilter_get(adapter, &c);
    T_ASSERT_MSG(rc == 0, "ethfilter_get(%s) = %d", adapter, rc);
    return c;
}

static unsigned long long dropped(const char *adapter, unsigned short type, bool send)
{
    ethfilter_counters c = fx_ef(adapter);
    for (unsigned i = 0; i < c.ntypes; i++)
        if (c.ethertype[i] == type)
            return send ? c.dropped_send[i] : c.dropped_receive[i];
    T_ASSERT_MSG(0, "ethfilter on %s has no rule for 0x%04X", adapter, type);
    return 0;
}

unsigned long long fx_dropped_send(const char *adapter, unsigned short type)
{
    return dropped(adapter, type, true);
}

unsigned long long fx_dropped_receive(const char *adapter, unsigned short type)
{
    return dropped(adapter, type, false);
}

const char *fx_module_order(ndis_host *h, const char *adapter)
{
    static char buf[256];
    ndis_module_info mi[8];
    unsigned n = 0;
    T_EQ(ndis_host_list_modules(h, adapter, mi, 8, &n), 0);
    buf[0] = 0;
    for (unsigned i = 0; i < n && i < 8; i++) {
        T_EQ(mi[i].position, i);
        strcat(buf, i ? "," : "");
        strcat(buf, mi[i].filter);
    }
    return buf;
}

const char *fx_module_state(ndis_host *h, const char *filter, const char *adapter)
{
    static char state[16];
    ndis_module_info mi[8];
    unsigned n = 0;
    T_EQ(ndis_host_list_modules(h, adapter, mi, 8, &n), 0);
    snprintf(state, sizeof(state), "none");
    for (unsigned i = 0; i < n && i < 8; i++)
        if (strcmp(mi[i].filter, filter) == 0)
            snprintf(state, sizeof(state), "%s", mi[i].state);
    return state;
}

void fx_wait_dropped_receive(const char *adapter, unsigned short type, unsigned long long n)
{
    for (int i = 0; i < 1000 && fx_dropped_receive(adapter, type) < n; i++)
        sx_sleep_ms(2);
    T_EQ(fx_dropped_receive(adapter, type), n);
}

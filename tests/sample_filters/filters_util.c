/* filters_util.c - see filters_util.h. */
#include "filters_util.h"

#include <stdio.h>
#include <string.h>

/*
 * Installs drivers/<name>/<name>.inf (ndis_host_install_inf: bind rules and
 * Ndi\params defaults), checks what it says about the filter, and loads the
 * static driver with cfg NULL so that NDIS takes the installed bind rules.
 */
static void load_from_inf(ndis_host *h, const char *name, const char *filter_class,
                          unsigned defaults, ndis_driver_entry_fn *entry)
{
    char path[512], service[64];
    snprintf(path, sizeof(path), "%s/%s/%s.inf", SAMPLE_DRIVERS_DIR, name, name);
    T_EQ(ndis_host_install_inf(h, path, service, sizeof(service)), 0);
    T_ASSERT(!strcmp(service, name));

    ndis_inf_info infs[8];
    unsigned n = 0;
    T_EQ(ndis_host_list_infs(h, infs, 8, &n), 0);
    const ndis_inf_info *info = NULL;
    for (unsigned i = 0; i < n && i < 8; i++)
        if (!strcmp(infs[i].service, name))
            info = &infs[i];
    T_ASSERT(info != NULL);
    T_EQ(info->kind, NDIS_DRIVER_KIND_FILTER);
    T_ASSERT(!strcmp(info->net_class, "NetService"));
    T_EQ(info->characteristics, 0x40000); /* NCF_LW_FILTER */
    T_ASSERT(!strcmp(info->filter_media_types, "ethernet"));
    T_ASSERT(!strcmp(info->filter_class, filter_class));
    T_EQ(info->filter_type, 2);     /* modifying */
    T_EQ(info->filter_run_type, 2); /* optional */
    T_EQ(info->defaults, defaults);

    T_EQ(ndis_host_load_driver(h, name, entry, NULL), 0);
}

void fx_load_passfilter(ndis_host *h)
{
    load_from_inf(h, "passfilter", "scheduler", 0, passfilter_DriverEntry);
}

void fx_load_ethfilter(ndis_host *h)
{
    load_from_inf(h, "ethfilter", "custom", 1, ethfilter_DriverEntry); /* DropEtherTypes */
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

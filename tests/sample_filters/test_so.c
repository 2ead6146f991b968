/*
 * test_so.c - the loadable builds of the four samples (build/drivers/<name>.so),
 * loaded with ndis_host_load_driver_file through the shared libndis as the
 * daemon loads them, with no config: NDIS installs the INF next to each file
 * and takes its bind rules and defaults. The stack forms in class order,
 * ethfilter drops the INF's default types (the .so's own program interfaces
 * are found with dlsym), and everything unloads without a leak.
 */
#include <dlfcn.h>
#include <string.h>

#include <ndishost.h>

#include "ethfilter.h"
#include "sampleproto.h"
#include "test.h"

static void load(ndis_host *h, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.so", DRIVERS_DIR, name);
    int rc = ndis_host_load_driver_file(h, path, NULL, NULL);
    T_ASSERT_MSG(rc == 0, "ndis_host_load_driver_file(%s) = %d", path, rc);
}

/* The loaded object itself (RTLD_NOLOAD: no second copy), for dlsym. */
static void *loaded(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.so", DRIVERS_DIR, name);
    void *dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    T_ASSERT_MSG(dl != NULL, "%s is not loaded: %s", path, dlerror());
    return dl;
}

TEST(shared_objects_form_a_stack_and_unload_cleanly)
{
    ndis_host *h = NULL;
    ndis_host_options o = {.name = "so", .wait_timeout_ms = 3000};
    T_EQ(ndis_host_create(&o, &h), 0);

    load(h, "virtmp");
    load(h, "passfilter");
    load(h, "ethfilter");
    T_EQ(ndis_host_add_adapter(h, "virtmp", "a0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "virtmp", "a1", NULL), 0);
    load(h, "sampleproto");

    ndis_module_info mi[4];
    unsigned n = 0;
    T_EQ(ndis_host_list_modules(h, "a1", mi, 4, &n), 0);
    T_EQ(n, 2);
    T_ASSERT(!strcmp(mi[0].filter, "ethfilter") && !strcmp(mi[1].filter, "passfilter"));
    ndis_driver_info di[8];
    T_EQ(ndis_host_list_drivers(h, di, 8, &n), 0);
    T_EQ(n, 4);

    void *sp = loaded("sampleproto"), *efl = loaded("ethfilter");
    __typeof__(sampleproto_send) *send = (__typeof__(sampleproto_send) *)dlsym(sp, "sampleproto_send");
    __typeof__(ethfilter_get) *ef_get = (__typeof__(ethfilter_get) *)dlsym(efl, "ethfilter_get");
    T_ASSERT(send != NULL && ef_get != NULL);
    static const unsigned char bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    T_EQ(send("a0", bcast, 0x0800, 60, 3), 3);
    T_EQ(send("a0", bcast, 0x86DD, 60, 2), 0);
    T_EQ(send("a0", bcast, 0x88CC, 60, 1), 0);
    ethfilter_counters c;
    T_EQ(ef_get("a0", &c), 0);
    T_EQ(c.rules_source, ETHFILTER_RULES_DRIVER); /* the INF default */
    T_EQ(c.ntypes, 2);
    T_EQ(c.dropped_send[0], 2);
    T_EQ(c.dropped_send[1], 1);
    T_EQ(c.passed_send, 3);
    dlclose(sp);
    dlclose(efl);

    T_EQ(ndis_host_unload_driver(h, "sampleproto"), 0);
    T_EQ(ndis_host_unload_driver(h, "ethfilter"), 0);
    T_EQ(ndis_host_unload_driver(h, "passfilter"), 0);
    T_EQ(ndis_host_unload_driver(h, "virtmp"), 0);
    ndis_host_counts counts;
    T_EQ(ndis_host_get_counts(h, &counts), 0);
    T_EQ(counts.drivers + counts.adapters + counts.bindings + counts.modules, 0);
    T_EQ(counts.mem_allocs, 0);
    T_EQ(ndis_host_destroy(h), 0);
}

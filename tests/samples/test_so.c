/*
 * test_so.c - the sample drivers as users build and load them: virtmp.so and
 * sampleproto.so, loaded with ndis_host_load_driver_file into a program that
 * uses libndis as a shared library (a driver module resolves its Ndis*
 * imports against the libndis already in the process). The sample's own
 * interface (sampleproto_send ...) is reached in the loaded object with
 * dlsym, to show the modules really carry traffic.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <ndishost.h>
#include <ntddndis.h>
#include <ndis/status.h>

#include "sampleproto.h"
#include "test.h"

#ifndef NDIS_DRIVER_DIR
#error "NDIS_DRIVER_DIR (the build's drivers/ directory) must be defined"
#endif

#define VIRTMP_SO NDIS_DRIVER_DIR "/virtmp.so"
#define SAMPLEPROTO_SO NDIS_DRIVER_DIR "/sampleproto.so"

static atomic_int g_reports;

static void on_report(void *ctx, const ndis_report *r)
{
    (void)ctx;
    fprintf(stderr, "  verifier report: %s: %s [%s]\n", r->ddi, r->message, r->rule);
    atomic_fetch_add(&g_reports, 1);
}

static void quiet(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static ndis_host *host(void)
{
    ndis_host *h = NULL;
    ndis_set_verifier_policy(NDIS_VERIFIER_LOG);
    ndis_set_report_handler(on_report, NULL);
    ndis_set_diag_handler(quiet, NULL);
    ndis_host_options o = {.name = "so", .wait_timeout_ms = 3000};
    T_EQ(ndis_host_create(&o, &h), 0);
    return h;
}

static void load_both(ndis_host *h)
{
    ndis_driver_config mp = {.upper_range = "ndis5", .lower_range = "ethernet"};
    ndis_driver_config pr = {.lower_range = "ndis5"};
    /* Named after the file: "virtmp", "sampleproto". */
    T_EQ(ndis_host_load_driver_file(h, VIRTMP_SO, NULL, &mp), 0);
    T_EQ(ndis_host_add_adapter(h, "virtmp", "virt0", NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "virtmp", "virt1", NULL), 0);
    T_EQ(ndis_host_load_driver_file(h, SAMPLEPROTO_SO, NULL, &pr), 0);
}

static void unload_both_and_destroy(ndis_host *h)
{
    T_EQ(ndis_host_unload_driver(h, "sampleproto"), 0);
    T_EQ(ndis_host_unload_driver(h, "virtmp"), 0);
    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(h, &c), 0);
    T_EQ(c.drivers + c.adapters + c.bindings + c.modules, 0);
    T_EQ(c.nbl_pools, 0);
    T_EQ(c.mem_bytes, 0);
    T_EQ(ndis_host_destroy(h), 0);
    T_EQ(atomic_load(&g_reports), 0);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

TEST(the_drivers_load_from_shared_objects_and_carry_traffic)
{
    ndis_host *h = host();
    load_both(h);

    ndis_driver_info d[4];
    unsigned n = 0;
    T_EQ(ndis_host_list_drivers(h, d, 4, &n), 0);
    T_EQ(n, 2);
    T_STREQ(d[0].name, "virtmp");
    T_EQ(d[0].kinds, NDIS_DRIVER_KIND_MINIPORT);
    T_EQ(d[0].adapters, 2);
    T_STREQ(d[1].name, "sampleproto");
    T_EQ(d[1].kinds, NDIS_DRIVER_KIND_PROTOCOL);
    T_EQ(d[1].bindings, 2);
    ndis_binding_info b[4];
    T_EQ(ndis_host_list_bindings(h, b, 4, &n), 0);
    T_EQ(n, 2);
    for (unsigned i = 0; i < 2; i++) {
        T_STREQ(b[i].protocol, "sampleproto");
        T_STREQ(b[i].state, "Running");
    }

    /* The loaded module's own interface. */
    void *dl = dlopen(SAMPLEPROTO_SO, RTLD_NOW | RTLD_NOLOAD);
    T_ASSERT_MSG(dl != NULL, "sampleproto.so is not loaded: %s", dlerror());
    int (*send)(const char *, const unsigned char *, unsigned short, unsigned, unsigned);
    int (*stats)(const char *, struct sampleproto_stats *);
    *(void **)&send = dlsym(dl, "sampleproto_send");
    *(void **)&stats = dlsym(dl, "sampleproto_stats");
    T_ASSERT(send != NULL && stats != NULL);
    static const unsigned char bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    T_EQ(send("virt0", bcast, 0x88b5, 100, 5), 5);
    struct sampleproto_stats s;
    unsigned long long got = 0;
    for (int i = 0; i < 1000 && got < 5; i++) {
        T_EQ(stats("virt1", &s), 0);
        got = sampleproto_frames_of_type(&s, 0x88b5);
        if (got < 5)
            sleep_ms(2);
    }
    T_EQ(got, 5);
    T_EQ(s.packet_filter_status, NDIS_STATUS_SUCCESS);
    dlclose(dl);

    /* And virtmp.so answers OIDs. */
    char desc[128];
    int32_t st = 0;
    size_t bytes = 0;
    T_EQ(ndis_host_oid(h, "virt1", 0, OID_GEN_VENDOR_DESCRIPTION, desc, sizeof(desc), &st, &bytes),
         0);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_STREQ(desc, "libndis virtmp virtual Ethernet segment adapter");
    NDIS_STATISTICS_INFO si;
    T_EQ(ndis_host_oid(h, "virt1", 0, OID_GEN_STATISTICS, &si, sizeof(si), &st, &bytes), 0);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(si.ifHCInBroadcastPkts, 5);

    unload_both_and_destroy(h);
}

TEST(a_driver_module_loads_again_after_it_was_unloaded)
{
    ndis_host *h = host();
    for (int round = 0; round < 2; round++) {
        load_both(h);
        T_EQ(ndis_host_unload_driver(h, "sampleproto"), 0);
        T_EQ(ndis_host_unload_driver(h, "virtmp"), 0);
    }
    load_both(h);
    unload_both_and_destroy(h);
}

TEST(destroying_the_instance_unloads_loaded_modules)
{
    ndis_host *h = host();
    load_both(h);
    T_EQ(ndis_host_destroy(h), 0); /* a system shutdown: unbind, halt, unload */
    T_EQ(atomic_load(&g_reports), 0);
}

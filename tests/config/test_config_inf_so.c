/*
 * test_config_inf_so.c - a driver loaded from a shared object without bind
 * rules takes them from the INF next to it (same base name, ".inf"), which is
 * installed with its keyword defaults: virtmp.so and sampleproto.so from the
 * build's drivers/ directory, in a program linked with libndis.so. A
 * malformed INF next to a driver, or one that installs another service than
 * the name asked for, refuses the load before the object is opened.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <ndishost.h>

#include "test.h"

#ifndef NDIS_DRIVER_DIR
#error "NDIS_DRIVER_DIR (the build's drivers/ directory) must be defined"
#endif

static atomic_int g_reports;
static char g_diag[4096];

static void on_report(void *ctx, const ndis_report *r)
{
    (void)ctx;
    fprintf(stderr, "  verifier report: %s: %s [%s]\n", r->ddi, r->message, r->rule);
    atomic_fetch_add(&g_reports, 1);
}

static void on_diag(void *ctx, const char *msg)
{
    (void)ctx;
    size_t o = strlen(g_diag);
    snprintf(g_diag + o, sizeof(g_diag) - o, "%s\n", msg);
}

static ndis_host *host(void)
{
    ndis_host *h = NULL;
    ndis_set_verifier_policy(NDIS_VERIFIER_LOG);
    ndis_set_report_handler(on_report, NULL);
    ndis_set_diag_handler(on_diag, NULL);
    ndis_host_options o = {.name = "inf-so", .wait_timeout_ms = 3000};
    T_EQ(ndis_host_create(&o, &h), 0);
    return h;
}

static void done(ndis_host *h)
{
    T_EQ(ndis_host_destroy(h), 0);
    T_EQ(atomic_load(&g_reports), 0);
}

static const char *param(ndis_host *h, const char *drv, const char *kw)
{
    static char buf[64];
    int rc = ndis_host_get_param(h, NDIS_PARAM_DRIVER_DEFAULT, drv, kw, buf, sizeof(buf));
    if (rc)
        snprintf(buf, sizeof(buf), "(%d)", rc);
    return buf;
}

TEST(drivers_take_the_inf_next_to_them)
{
    ndis_host *h = host();
    T_EQ(ndis_host_load_driver_file(h, NDIS_DRIVER_DIR "/virtmp.so", NULL, NULL), 0);
    T_EQ(ndis_host_load_driver_file(h, NDIS_DRIVER_DIR "/sampleproto.so", NULL, NULL), 0);
    ndis_inf_info infs[4];
    unsigned n;
    T_EQ(ndis_host_list_infs(h, infs, 4, &n), 0);
    T_EQ(n, 2);
    T_STREQ(infs[0].service, "virtmp");
    T_STREQ(infs[0].net_class, "Net");
    T_STREQ(infs[0].upper_range, "ndis5");
    T_STREQ(infs[0].inf_path, NDIS_DRIVER_DIR "/virtmp.inf");
    T_STREQ(infs[1].service, "sampleproto");
    T_STREQ(infs[1].net_class, "NetTrans");
    T_STREQ(infs[1].lower_range, "ndis5");
    /* virtmp.inf's Ndi\params defaults, for every adapter; NetworkAddress is
       Optional: absent. */
    T_STREQ(param(h, "virtmp", "*ReceiveBuffers"), "128");
    T_STREQ(param(h, "virtmp", "LinkUp"), "1");
    T_STREQ(param(h, "virtmp", "NetworkAddress"), "(-2)");

    /* The bind rules work: the protocol binds to the adapter. */
    T_EQ(ndis_host_add_adapter(h, "virtmp", "v0", NULL), 0);
    ndis_binding_info b[4];
    T_EQ(ndis_host_list_bindings(h, b, 4, &n), 0);
    T_EQ(n, 1);
    T_STREQ(b[0].protocol, "sampleproto");
    T_STREQ(b[0].state, "Running");
    T_EQ(ndis_host_unload_driver(h, "sampleproto"), 0);
    T_EQ(ndis_host_unload_driver(h, "virtmp"), 0);
    done(h);
}

/* An empty "<dir>/<base>.so" with `inf` next to it: never opened when refused. */
static const char *pair(const char *base, const char *inf_text, const char *inf_copy_of)
{
    static char so[512];
    char path[512];
    snprintf(so, sizeof(so), "%s/%s.so", t_tmpdir(), base);
    FILE *f = fopen(so, "w");
    T_ASSERT(f != NULL);
    fclose(f);
    snprintf(path, sizeof(path), "%s/%s.inf", t_tmpdir(), base);
    FILE *out = fopen(path, "w");
    T_ASSERT(out != NULL);
    if (inf_copy_of) {
        FILE *in = fopen(inf_copy_of, "r");
        T_ASSERT(in != NULL);
        char buf[4096];
        size_t k;
        while ((k = fread(buf, 1, sizeof(buf), in)) > 0)
            fwrite(buf, 1, k, out);
        fclose(in);
    } else {
        fputs(inf_text, out);
    }
    fclose(out);
    return so;
}

TEST(a_bad_inf_next_to_a_driver_refuses_the_load)
{
    ndis_host *h = host();
    /* Malformed: file, line and reason. */
    g_diag[0] = 0;
    const char *so = pair("broken", "[Version]\nSignature = $Windows NT$\n[Strings\n", NULL);
    T_EQ(ndis_host_load_driver_file(h, so, NULL, NULL), -EINVAL);
    T_CONTAINS(g_diag, "broken.inf:3: section header without closing ']'");

    /* sampleproto.inf next to "renamed.so": the driver is named after the
       service; a given name that differs is refused. */
    so = pair("renamed", NULL, NDIS_DRIVER_DIR "/sampleproto.inf");
    g_diag[0] = 0;
    T_EQ(ndis_host_load_driver_file(h, so, "other", NULL), -EINVAL);
    T_CONTAINS(g_diag, "renamed.inf:");
    T_CONTAINS(g_diag, "installs service 'sampleproto', not 'other'");
    unsigned n;
    T_EQ(ndis_host_list_infs(h, NULL, 0, &n), 0);
    T_EQ(n, 0);
    /* Explicit bind rules: the INF is not read (the empty file then fails to load). */
    ndis_driver_config cfg = {.lower_range = "ndis5"};
    T_EQ(ndis_host_load_driver_file(h, so, "other", &cfg), -ENOEXEC);
    T_EQ(ndis_host_list_infs(h, NULL, 0, &n), 0);
    T_EQ(n, 0);
    /* No name: the service's; installed, then the empty file fails to load. */
    T_EQ(ndis_host_load_driver_file(h, so, NULL, NULL), -ENOEXEC);
    T_CONTAINS(g_diag, "load driver 'sampleproto'");
    T_EQ(ndis_host_list_infs(h, NULL, 0, &n), 0);
    T_EQ(n, 1);
    done(h);
}

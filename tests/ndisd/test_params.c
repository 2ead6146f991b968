/*
 * test_params.c - `ndisctl params`: keywords of adapters, drivers and
 * bindings, INF defaults showing through when the operator's value is
 * deleted, and values persisting in the registry directory across a daemon
 * restart (the INF defaults come back because ndisd installs the INF files
 * again at each start).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "run.h"
#include "test.h"

static void expect_value(struct daemon *d, const char *what, const char *value)
{
    char *out, *err;
    T_EQ(ctl(d, &out, &err, "params get %s", what), 0);
    char want[128];
    snprintf(want, sizeof(want), "%s\n", value);
    T_STREQ(out, want);
    free(out);
    free(err);
}

static void start_with_registry(struct daemon *d, const char *regdir)
{
    const char *extra[] = {"--registry", regdir, NULL};
    start_stack(d, extra);
}

TEST(params_set_get_delete_and_persist)
{
    struct daemon d = {0};
    write_config(&d, ""); /* picks the scratch directory */
    char regdir[400];
    snprintf(regdir, sizeof(regdir), "%s/registry", d.dir);
    start_with_registry(&d, regdir);

    /* The INF's Ndi\params default, for the adapter and for the driver. */
    expect_value(&d, "adapter t0 *JumboPacket", "1514");
    expect_value(&d, "default ndtmp *JumboPacket", "1514");
    char *out, *err;
    T_EQ(ctl(&d, &out, &err, "params list t0"), 0);
    T_CONTAINS(out, "adapter t0 (driver ndtmp):");
    T_CONTAINS(out, "*JumboPacket  int    1514     1514   Jumbo Packet");
    free(out), free(err);

    /* The operator's values win, per adapter; delete shows the default again. */
    T_EQ(ctl(&d, &out, &err, "params set adapter t0 *JumboPacket 9014"), 0);
    T_STREQ(out, "adapter t0: *JumboPacket = 9014\n");
    free(out), free(err);
    expect_value(&d, "adapter t0 *JumboPacket", "9014");
    expect_value(&d, "adapter t1 *JumboPacket", "1514");
    T_EQ(ctl(&d, NULL, NULL, "params delete adapter t0 *JumboPacket"), 0);
    expect_value(&d, "adapter t0 *JumboPacket", "1514");
    T_EQ(ctl(&d, &out, &err, "params delete adapter t0 *JumboPacket"), 1);
    T_CONTAINS(err, "no value set");
    free(out), free(err);

    /* A driver's own parameter, a binding's key, an adapter that does not exist yet. */
    T_EQ(ctl(&d, NULL, NULL, "params set driver ndtproto Mode fast"), 0);
    T_EQ(ctl(&d, NULL, NULL, "params set binding ndtproto/t0 IPAddress 10.1.2.3"), 0);
    expect_value(&d, "driver ndtproto\\Adapters\\t0 IPAddress", "10.1.2.3");
    T_EQ(ctl(&d, NULL, NULL, "params set adapter t9 NetworkAddress 02-00-00-00-00-09"), 0);
    T_EQ(ctl(&d, NULL, NULL, "params set adapter t1 *JumboPacket 4088"), 0);

    /* Errors: no such keyword (1), bad scope (2). */
    T_EQ(ctl(&d, &out, &err, "params get adapter t0 NoSuchKeyword"), 1);
    T_CONTAINS(err, "adapter 't0' has no keyword 'NoSuchKeyword'");
    free(out), free(err);
    T_EQ(ctl(&d, NULL, NULL, "params get galaxy t0 X"), 2);
    T_EQ(ctl(&d, NULL, NULL, "params set binding ndtproto X 1"), 2);
    T_EQ(daemon_stop(&d), 0);

    /* A new daemon on the same registry: the values are there, the defaults too. */
    struct stat sb;
    T_ASSERT(stat(regdir, &sb) == 0);
    start_with_registry(&d, regdir);
    expect_value(&d, "adapter t1 *JumboPacket", "4088");
    expect_value(&d, "adapter t0 *JumboPacket", "1514");
    expect_value(&d, "driver ndtproto Mode", "fast");
    expect_value(&d, "binding ndtproto/t0 IPAddress", "10.1.2.3");
    expect_value(&d, "adapter t9 NetworkAddress", "02-00-00-00-00-09");
    T_EQ(daemon_stop(&d), 0);

    /* Without --registry nothing persists. */
    start_stack(&d, NULL);
    T_EQ(ctl(&d, NULL, NULL, "params get adapter t1 *JumboPacket"), 0);
    expect_value(&d, "adapter t1 *JumboPacket", "1514");
    T_EQ(daemon_stop(&d), 0);
}

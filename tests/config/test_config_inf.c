/*
 * test_config_inf.c - INF installation (ndis_host_install_inf): what is
 * recorded, the Ndi\params defaults under the operator's values, the bind
 * rules a driver loaded without ndis_driver_config takes from its INF (a
 * protocol whose LowerRange meets no miniport's UpperRange does not bind, a
 * filter whose FilterMediaTypes miss the miniport's LowerRange is not
 * attached), uninstall, malformed INF files refused with file and line; and
 * the store across instance restarts: operator values persist, INF defaults
 * do not, a write interrupted at any step leaves the old or the new value.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg_test.h"
#include "registry/registry.h"

/* ---- INF files written by the tests --------------------------------------------------- */

static const char *write_file(const char *name, const char *text)
{
    static char paths[8][512];
    static unsigned next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", t_tmpdir(), name);
    FILE *f = fopen(p, "w");
    T_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
    return p;
}

#define INF_VERSION(cls, guid)                                                  \
    "[Version]\n"                                                               \
    "Signature = \"$Windows NT$\"\n"                                            \
    "Class = " cls "\n"                                                         \
    "ClassGuid = " guid "\n"                                                    \
    "Provider = %P%\n"                                                          \
    "DriverVer = 01/01/2026,1.0.0.0\n"                                          \
    "[Manufacturer]\n"                                                          \
    "%P% = M, NT$ARCH$\n"                                                       \
    "[M.NT$ARCH$]\n"

#define INF_SERVICE(svc)                                                        \
    "[Install.Services]\n"                                                      \
    "AddService = " svc ", 2, Svc\n"                                            \
    "[Svc]\n"                                                                   \
    "ServiceType = 1\n"                                                         \
    "StartType = 3\n"                                                           \
    "ErrorControl = 1\n"                                                        \
    "ServiceBinary = %13%\\" svc ".sys\n"                                       \
    "[Strings]\n"                                                               \
    "P = \"libndis tests\"\n"

/* A virtual miniport with three keywords: an int, an enum and an optional one. */
#define MINIPORT_INF(svc, upper, lower)                                         \
    INF_VERSION("Net", "{4d36e972-e325-11ce-bfc1-08002be10318}")                \
    "\"Test adapter\" = Install, root\\" svc "\n"                               \
    "[Install]\n"                                                               \
    "Characteristics = 0x1\n"                                                   \
    "*IfType = 6\n"                                                             \
    "*MediaType = 0\n"                                                          \
    "*PhysicalMediaType = 14\n"                                                 \
    "AddReg = Ndi, Params\n"                                                    \
    "[Ndi]\n"                                                                   \
    "HKR, Ndi, Service, 0, \"" svc "\"\n"                                       \
    "HKR, Ndi\\Interfaces, UpperRange, 0, \"" upper "\"\n"                      \
    "HKR, Ndi\\Interfaces, LowerRange, 0, \"" lower "\"\n"                      \
    "HKR, , StaticNumber, 0x00010001, 7\n"                                      \
    "[Params]\n"                                                                \
    "HKR, Ndi\\params\\*JumboPacket, ParamDesc, 0, \"Jumbo\"\n"                 \
    "HKR, Ndi\\params\\*JumboPacket, Type, 0, \"int\"\n"                        \
    "HKR, Ndi\\params\\*JumboPacket, Default, 0, \"1514\"\n"                    \
    "HKR, Ndi\\params\\*JumboPacket, Min, 0, \"1514\"\n"                        \
    "HKR, Ndi\\params\\*JumboPacket, Max, 0, \"9014\"\n"                        \
    "HKR, Ndi\\params\\LinkUp, ParamDesc, 0, \"Link\"\n"                        \
    "HKR, Ndi\\params\\LinkUp, Type, 0, \"enum\"\n"                             \
    "HKR, Ndi\\params\\LinkUp, Default, 0, \"1\"\n"                             \
    "HKR, Ndi\\params\\LinkUp\\enum, \"0\", 0, \"Down\"\n"                      \
    "HKR, Ndi\\params\\LinkUp\\enum, \"1\", 0, \"Up\"\n"                        \
    "HKR, Ndi\\params\\NetworkAddress, ParamDesc, 0, \"Address\"\n"             \
    "HKR, Ndi\\params\\NetworkAddress, Type, 0, \"edit\"\n"                     \
    "HKR, Ndi\\params\\NetworkAddress, Default, 0, \"02AA00000001\"\n"          \
    "HKR, Ndi\\params\\NetworkAddress, Optional, 0, \"1\"\n"                    \
    INF_SERVICE(svc)

#define PROTOCOL_INF(svc, lower)                                                \
    INF_VERSION("NetTrans", "{4d36e975-e325-11ce-bfc1-08002be10318}")           \
    "\"Test protocol\" = Install, TEST_" svc "\n"                               \
    "[Install]\n"                                                               \
    "Characteristics = 0x0\n"                                                   \
    "AddReg = Ndi\n"                                                            \
    "[Ndi]\n"                                                                   \
    "HKR, Ndi, Service, 0, \"" svc "\"\n"                                       \
    "HKR, Ndi, CoServices, 0x00010000, \"" svc "\"\n"                           \
    "HKR, Ndi\\Interfaces, UpperRange, 0, \"noupper\"\n"                        \
    "HKR, Ndi\\Interfaces, LowerRange, 0, \"" lower "\"\n"                      \
    INF_SERVICE(svc)

/* A filter: type 1 monitoring / 2 modifying, run type 1 mandatory / 2 optional. */
#define FILTER_INF(svc, media, type, run)                                       \
    INF_VERSION("NetService", "{4d36e974-e325-11ce-bfc1-08002be10318}")         \
    "\"Test filter\" = Install, TEST_" svc "\n"                                 \
    "[Install]\n"                                                               \
    "Characteristics = 0x40000\n"                                               \
    "NetCfgInstanceId = \"{5cbf81bf-5055-47cd-9055-a76b2b4e3697}\"\n"           \
    "AddReg = Ndi\n"                                                            \
    "[Ndi]\n"                                                                   \
    "HKR, Ndi, Service, 0, \"" svc "\"\n"                                       \
    "HKR, Ndi, CoServices, 0x00010000, \"" svc "\"\n"                           \
    "HKR, Ndi, FilterClass, 0, \"compression\"\n"                               \
    "HKR, Ndi, FilterType, 0x00010001, " #type "\n"                             \
    "HKR, Ndi, FilterRunType, 0x00010001, " #run "\n"                           \
    "HKR, Ndi\\Interfaces, UpperRange, 0, \"noupper\"\n"                        \
    "HKR, Ndi\\Interfaces, LowerRange, 0, \"nolower\"\n"                        \
    "HKR, Ndi\\Interfaces, FilterMediaTypes, 0, \"" media "\"\n"                \
    INF_SERVICE(svc)

static int install(ndis_host *h, const char *file, const char *text, const char *want_service)
{
    char svc[64] = "unchanged";
    int rc = ndis_host_install_inf(h, write_file(file, text), svc, sizeof(svc));
    if (rc == 0)
        T_STREQ(svc, want_service);
    return rc;
}

static const ndis_inf_info *installed(ndis_host *h, const char *service)
{
    static ndis_inf_info infs[16];
    unsigned n;
    T_EQ(ndis_host_list_infs(h, infs, 16, &n), 0);
    for (unsigned i = 0; i < n && i < 16; i++)
        if (!strcmp(infs[i].service, service))
            return &infs[i];
    return NULL;
}

/* ---- installation records and defaults --------------------------------------------------- */

TEST(install_records_the_component_and_its_defaults)
{
    ndis_host *h = kit_host();
    T_EQ(install(h, "mp.inf", MINIPORT_INF("kitmp", "ndis5", "ethernet"), "kitmp"), 0);
    const ndis_inf_info *i = installed(h, "kitmp");
    T_ASSERT(i != NULL);
    T_STREQ(i->net_class, "Net");
    T_EQ(i->kind, NDIS_DRIVER_KIND_MINIPORT);
    T_EQ(i->characteristics, 0x1); /* NCF_VIRTUAL */
    T_STREQ(i->component_id, "root\\kitmp");
    T_STREQ(i->upper_range, "ndis5");
    T_STREQ(i->lower_range, "ethernet");
    T_CONTAINS(i->inf_path, "/mp.inf");
    T_EQ(i->defaults, 3); /* StaticNumber, *JumboPacket, LinkUp; not the optional one */

    /* The defaults: NDIS_PARAM_DRIVER_DEFAULT, seen by every adapter. */
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*JumboPacket"), "1514");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "LinkUp"), "1");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "StaticNumber"), "7");
    /* Optional: absent until set ("Not Present"), whatever its Default says. */
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "NetworkAddress"), "(-2)");

    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    PNDIS_CONFIGURATION_PARAMETER p;
    /* Precedence: operator value > INF default > missing. */
    T_EQ(cfg_int(c, "*JumboPacket", NdisParameterInteger), 1514);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket", "9014"), 0);
    T_EQ(cfg_int(c, "*JumboPacket", NdisParameterInteger), 9014);
    T_EQ(ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "*JumboPacket"), 0);
    T_EQ(cfg_int(c, "*JumboPacket", NdisParameterInteger), 1514);
    T_EQ(cfg_int(c, "StaticNumber", NdisParameterInteger), 7);
    T_EQ(cfg_read(c, "NetworkAddress", NdisParameterString, &p), NDIS_STATUS_FAILURE);
    T_EQ(cfg_read(c, "NotInTheInf", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    NdisCloseConfiguration(c);

    /* Not while the driver is loaded: neither again nor away. */
    T_EQ(install(h, "mp.inf", MINIPORT_INF("kitmp", "ndis5", "ethernet"), "kitmp"), -EBUSY);
    T_EQ(ndis_host_uninstall_inf(h, "kitmp"), -EBUSY);
    T_EQ(ndis_host_unload_driver(h, "kitmp"), 0);
    /* Installing again replaces; uninstalling removes the defaults it set, and
       an operator's value set meanwhile stays. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "kitmp", "LinkUp", "0"), 0);
    T_EQ(install(h, "mp2.inf", MINIPORT_INF("kitmp", "ndis5,ndis4", "ethernet"), "kitmp"), 0);
    T_STREQ(installed(h, "kitmp")->upper_range, "ndis5,ndis4");
    T_CONTAINS(installed(h, "kitmp")->inf_path, "/mp2.inf");
    T_EQ(ndis_host_uninstall_inf(h, "kitmp"), 0);
    T_ASSERT(installed(h, "kitmp") == NULL);
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "*JumboPacket"), "(-2)");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER, "kitmp", "LinkUp"), "0");
    T_EQ(ndis_host_uninstall_inf(h, "kitmp"), -ENOENT);
    kit_host_done(h);
}

/* ---- bind rules --------------------------------------------------------------------------------- */

static bool bound(ndis_host *h, const char *proto, const char *adapter)
{
    ndis_binding_info b[16];
    unsigned n;
    T_EQ(ndis_host_list_bindings(h, b, 16, &n), 0);
    for (unsigned i = 0; i < n && i < 16; i++)
        if (!strcmp(b[i].protocol, proto) && !strcmp(b[i].adapter, adapter))
            return !strcmp(b[i].state, "Running");
    return false;
}

static bool attached(ndis_host *h, const char *filter, const char *adapter)
{
    ndis_module_info m[16];
    unsigned n;
    T_EQ(ndis_host_list_modules(h, adapter, m, 16, &n), 0);
    for (unsigned i = 0; i < n && i < 16; i++)
        if (!strcmp(m[i].filter, filter))
            return true;
    return false;
}

TEST(bind_rules_come_from_the_installed_inf)
{
    ndis_host *h = kit_host();
    T_EQ(install(h, "mp.inf", MINIPORT_INF("kitmp", "ndis5", "ethernet"), "kitmp"), 0);
    T_EQ(install(h, "p0.inf", PROTOCOL_INF("kitp0", "ndis5"), "kitp0"), 0);
    T_EQ(install(h, "p1.inf", PROTOCOL_INF("kitp1", "ndis4,wan"), "kitp1"), 0);
    T_EQ(install(h, "f0.inf", FILTER_INF("kitf0", "ethernet", 2, 2), "kitf0"), 0);
    T_EQ(install(h, "f1.inf", FILTER_INF("kitf1", "wlan", 2, 2), "kitf1"), 0);
    const ndis_inf_info *f = installed(h, "kitf1");
    T_STREQ(f->net_class, "NetService");
    T_EQ(f->kind, NDIS_DRIVER_KIND_FILTER);
    T_EQ(f->characteristics, 0x40000); /* NCF_LW_FILTER */
    T_STREQ(f->filter_media_types, "wlan");
    T_STREQ(f->filter_class, "compression");
    T_EQ(f->filter_type, 2);
    T_EQ(f->filter_run_type, 2);
    T_STREQ(installed(h, "kitp1")->lower_range, "ndis4,wan");

    /* All loaded without bind rules: each takes its INF's. (Without the INF,
       kitp1 would bind with the default LowerRange "ndis5" and kitf1 attach
       with the default FilterMediaTypes "ethernet".) */
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf1", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_ASSERT(bound(h, "kitp0", "a0"));
    T_ASSERT(!bound(h, "kitp1", "a0"));
    T_ASSERT(attached(h, "kitf0", "a0"));
    T_ASSERT(!attached(h, "kitf1", "a0"));

    /* Explicit bind rules still win over the installed INF. */
    T_EQ(ndis_host_unload_driver(h, "kitp1"), 0);
    ndis_driver_config any = {.lower_range = "ndis5"};
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, &any), 0);
    T_ASSERT(bound(h, "kitp1", "a0"));
    kit_host_done(h);
}

/* The INF's class says what the driver is; a driver that registers something
   else is named, with the INF, in a diagnostic (and stays loaded). */
TEST(a_driver_that_registers_other_than_its_inf_class_is_named)
{
    ndis_host *h = kit_host();
    T_EQ(install(h, "p0.inf", PROTOCOL_INF("kitp0", "ndis5"), "kitp0"), 0);
    T_EQ(install(h, "mp.inf", MINIPORT_INF("kitmp", "ndis5", "ethernet"), "kitmp"), 0);
    ndis_set_diag_handler(cfg_on_diag, NULL);
    cfg_diag_text[0] = 0;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_STREQ(cfg_diag_text, ""); /* as its INF says */
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_filter_entry, NULL), 0);
    T_CONTAINS(cfg_diag_text, "p0.inf: Class=NetTrans installs 'kitp0' as a protocol driver, "
                              "but its DriverEntry registered a filter");
    ndis_set_diag_handler(NULL, NULL);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    kit_host_done(h);
}

TEST(a_mandatory_filter_that_cannot_attach_keeps_protocols_away)
{
    ndis_host *h = kit_host();
    T_EQ(install(h, "f0.inf", FILTER_INF("kitf0", "ethernet", 2, 1), "kitf0"), 0);
    T_EQ(installed(h, "kitf0")->filter_run_type, 1);
    kit_filter[0].attach_status = NDIS_STATUS_FAILURE;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* FilterRunType 1 from the INF: no protocol binds over the missing module. */
    T_ASSERT(!attached(h, "kitf0", "a0"));
    T_ASSERT(!bound(h, "kitp0", "a0"));
    kit_reports_clear();
    kit_host_done(h);
}

/* ---- malformed files ------------------------------------------------------------------------------ */

static void expect_refused(ndis_host *h, const char *file, const char *text, int rc,
                           const char *where, const char *reason)
{
    ndis_set_diag_handler(cfg_on_diag, NULL);
    cfg_diag_text[0] = 0;
    char svc[64] = "x";
    const char *path = text ? write_file(file, text) : file;
    T_EQ(ndis_host_install_inf(h, path, svc, sizeof(svc)), rc);
    T_STREQ(svc, "");
    char want[600];
    snprintf(want, sizeof(want), "%s%s", path, where);
    T_CONTAINS(cfg_diag_text, want);
    T_CONTAINS(cfg_diag_text, reason);
    unsigned n;
    T_EQ(ndis_host_list_infs(h, NULL, 0, &n), 0);
    T_EQ(n, 0); /* nothing installed */
}

TEST(malformed_inf_refused_with_file_line_and_reason)
{
    ndis_host *h = kit_host();
    /* Syntax: the parser's file, line and reason. */
    expect_refused(h, "syntax.inf", "[Version]\nSignature = \"$Windows NT$\n", -EINVAL, ":2: ",
                   "unterminated quote");
    /* A network component the class installer would refuse. */
    expect_refused(h, "nolower.inf",
                   INF_VERSION("NetTrans", "{4d36e975-e325-11ce-bfc1-08002be10318}")
                   "\"P\" = Install, TEST_P\n"
                   "[Install]\n"
                   "Characteristics = 0x0\n"
                   "AddReg = Ndi\n"
                   "[Ndi]\n"
                   "HKR, Ndi, Service, 0, \"kitp0\"\n"
                   "HKR, Ndi, CoServices, 0x00010000, \"kitp0\"\n"
                   "HKR, Ndi\\Interfaces, UpperRange, 0, \"noupper\"\n"
                   INF_SERVICE("kitp0"),
                   -EINVAL, ":11: ", "sets no Ndi\\Interfaces LowerRange");
    /* More interface names than the bind engine keeps. */
    expect_refused(h, "ranges.inf", PROTOCOL_INF("kitp0", "a,b,c,d,e,f,g,h,i"), -EINVAL,
                   ":11: ", "LowerRange has more than 8 interface names");
    /* A service name that is no driver name. */
    expect_refused(h, "longname.inf",
                   PROTOCOL_INF("p_a_service_name_longer_than_sixty_three_bytes_is_no_"
                                "driver_name",
                                "ndis5"),
                   -EINVAL, ":11: ", "is not a driver name");
    /* No file. */
    char missing[512];
    snprintf(missing, sizeof(missing), "%s/missing.inf", t_tmpdir());
    expect_refused(h, missing, NULL, -ENOENT, ":0: ", "");
    /* Bad arguments. */
    T_EQ(ndis_host_install_inf(h, NULL, NULL, 0), -EINVAL);
    T_EQ(ndis_host_uninstall_inf(h, NULL), -EINVAL);
    T_EQ(ndis_host_list_infs(h, NULL, 1, NULL), -EINVAL);
    ndis_set_diag_handler(NULL, NULL);
    kit_host_done(h);
}

/* ---- the store across restarts ----------------------------------------------------------------- */

static ndis_host *host_in(const char *dir)
{
    ndis_host_options o = {.name = "cfg", .registry_dir = dir};
    return kit_host_opts(&o);
}

TEST(operator_values_persist_inf_defaults_do_not)
{
    const char *dir = t_tmpdir();
    ndis_host *h = host_in(dir);
    T_EQ(install(h, "p0.inf", PROTOCOL_INF("kitp0", "ndis5"), "kitp0"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitp0", "Mode", "echo"), 0);
    /* The sample responder's address on one binding. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "kitp0\\Adapters\\a0", "IPAddress",
                             "192.0.2.1"),
         0);
    kit_host_done(h);

    h = host_in(dir);
    unsigned n;
    T_EQ(ndis_host_list_infs(h, NULL, 0, &n), 0);
    T_EQ(n, 0); /* installations are not persisted */
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitp0", "Mode"), "(-2)");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER, "kitp0\\Adapters\\a0", "IPAddress"), "192.0.2.1");
    /* The binding reads it through its handle. */
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    NDIS_HANDLE c = cfg_open(kit_proto_binding(0, "a0"));
    T_STREQ(cfg_str(c, "IPAddress"), "192.0.2.1");
    NdisCloseConfiguration(c);
    kit_host_done(h);
}

static const char *crash_step;
static int crash_hook(const char *step)
{
    if (!strcmp(step, crash_step))
        _exit(9); /* the process dies here, mid-write */
    return 0;
}

static int fail_hook(const char *step)
{
    return !strcmp(step, crash_step) ? -EIO : 0;
}

/* A child process sets Mtu to `value` and dies at `step`. */
static void crash_during_set(const char *dir, const char *step, const char *value)
{
    pid_t pid = fork();
    T_ASSERT(pid >= 0);
    if (pid == 0) {
        ndis_host_options o = {.name = "child", .registry_dir = dir, .wait_timeout_ms = 3000};
        ndis_host *h = NULL;
        if (ndis_host_create(&o, &h))
            _exit(1);
        crash_step = step;
        reg_test_hook = crash_hook;
        ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu", value);
        _exit(2); /* the hook did not fire */
    }
    int status;
    T_EQ(waitpid(pid, &status, 0), pid);
    T_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 9, "child status 0x%x", status);
}

TEST(interrupted_writes_leave_the_old_or_the_new_value)
{
    const char *dir = t_tmpdir();
    ndis_host *h = host_in(dir);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu", "1500"), 0);
    /* A write that fails (an I/O error before the rename): -EIO, the old value
       stays in memory and on disk, and the diagnostic names the step. */
    ndis_set_diag_handler(cfg_on_diag, NULL);
    cfg_diag_text[0] = 0;
    crash_step = "tmp-synced";
    reg_test_hook = fail_hook;
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu", "9000"), -EIO);
    reg_test_hook = NULL;
    T_CONTAINS(cfg_diag_text, "set Adapters\\a0\\Parameters\\Mtu");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), "1500");
    ndis_set_diag_handler(NULL, NULL);
    kit_host_done(h);

    /* A crash with half the new file written: the old value; the leftover
       temporary file is removed at the next start. */
    crash_during_set(dir, "tmp-partial", "9000");
    char tmp[600];
    struct stat sb;
    snprintf(tmp, sizeof(tmp), "%s/%s", dir, REG_TMP_NAME);
    T_EQ(stat(tmp, &sb), 0);
    h = host_in(dir);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), "1500");
    T_ASSERT(stat(tmp, &sb) != 0);
    kit_host_done(h);

    /* A crash after the rename, before the directory is synced: the new value. */
    crash_during_set(dir, "renamed", "9000");
    h = host_in(dir);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu"), "9000");
    kit_host_done(h);
}

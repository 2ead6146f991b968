/* test_inf_netcomp.c - NDIS network components from INF files:
 * src/inf/inf_netcomp.c and inf_ndi.c, on the INF files of tests/inf/data
 * and on generated files for every refusal. */
#include "test.h"

#include "inf/inf.h"

#include <errno.h>
#include <stdarg.h>

static const struct inf_target amd64 = {"amd64", 10, 0, 1, 0, 26100};

static struct inf_file *parse_file(const char *name)
{
    char path[512];
    struct inf_file *inf = NULL;
    struct inf_error err = {0};
    snprintf(path, sizeof(path), "%s/%s", INF_TEST_DATA, name);
    int rc = inf_parse_file(path, &inf, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", err.file, err.line, err.reason);
    return inf;
}

static struct inf_netcomp_list *load(const struct inf_file *inf, const struct inf_target *t)
{
    struct inf_netcomp_list *list = NULL;
    struct inf_error err = {0};
    int rc = inf_netcomp_load_target(inf, t, &list, &err);
    T_ASSERT_MSG(rc == 0, "load failed (%d): %s:%u: %s", rc, err.file, err.line, err.reason);
    T_ASSERT(list && list->n > 0);
    return list;
}

/* Loads a data file and frees the parsed file at once: the list owns its strings. */
static struct inf_netcomp_list *load_file(const char *name, const struct inf_target *t)
{
    struct inf_file *inf = parse_file(name);
    struct inf_netcomp_list *list = load(inf, t);
    inf_free(inf);
    return list;
}

static bool has(const struct inf_strlist *l, size_t n, const char *const *want)
{
    if (l->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->v[i], want[i]) != 0)
            return false;
    return true;
}

#define T_LIST(l, ...)                                                                    \
    do {                                                                                  \
        static const char *const t_w_[] = {__VA_ARGS__};                                  \
        T_ASSERT_MSG(has(&(l), sizeof(t_w_) / sizeof(t_w_[0]), t_w_),                     \
                     "%s: %zu items, first \"%s\"", #l, (l).n, (l).n ? (l).v[0] : "");    \
    } while (0)

TEST(miniport_inf)
{
    struct inf_netcomp_list *list = load_file("miniport.inf", &amd64);
    T_EQ(list->n, 2);
    const struct inf_netcomp *c = &list->v[0];
    T_EQ(c->kind, INF_NETCOMP_MINIPORT);
    T_STREQ(inf_netcomp_kind_name(c->kind), "miniport");
    T_EQ(c->net_class, INF_CLASS_NET);
    T_STREQ(c->class_guid, "{4d36e972-e325-11ce-bfc1-08002be10318}");
    T_STREQ(c->provider, "Contoso Ltd."); /* [Strings.0409] wins over [Strings] */
    T_STREQ(c->manufacturer, "Contoso Networking");
    T_STREQ(c->description, "Contoso E1T Gigabit Ethernet Adapter");
    T_STREQ(c->component_id, "PCI\\VEN_1234&DEV_5678");
    T_STREQ(c->models_section, "Contoso.NTamd64");
    T_STREQ(c->install_section, "E1T.ndi.NT");
    T_EQ(c->install_line, 38);
    T_EQ(c->characteristics, NCF_PHYSICAL | NCF_HAS_UI);
    T_ASSERT(c->has_bus_type);
    T_EQ(c->bus_type, 5);
    T_ASSERT(c->has_if_type && c->has_media_type && c->has_physical_media_type);
    T_EQ(c->if_type, 6);
    T_EQ(c->media_type, 0);
    T_EQ(c->physical_media_type, 14);
    T_ASSERT(c->net_cfg_instance_id == NULL);
    T_STREQ(c->service, "e1t");
    T_STREQ(c->service_binary, "%13%\\e1t.sys");
    T_LIST(c->services, "e1t");
    T_EQ(c->coservices.n, 0);
    T_LIST(c->upper_range, "ndis5");
    T_LIST(c->lower_range, "ethernet");
    T_EQ(c->filter_media_types.n, 0);
    T_ASSERT(c->filter_class == NULL);
    T_EQ(c->filter_type, 0);
    T_EQ(c->filter_run_type, 0);
    T_ASSERT(c->help_text == NULL);

    T_EQ(c->nparams, 7);
    const struct inf_param *p = &c->params[0];
    T_STREQ(p->name, "*SpeedDuplex");
    T_STREQ(p->desc, "Speed & Duplex");
    T_EQ(p->type, INF_PARAM_ENUM);
    T_STREQ(p->default_value, "0");
    T_EQ(p->nchoices, 3);
    T_STREQ(p->choices[0].value, "0");
    T_STREQ(p->choices[0].desc, "Auto Negotiation");
    T_STREQ(p->choices[2].value, "6");
    T_STREQ(p->choices[2].desc, "1.0 Gbps Full Duplex");
    T_ASSERT(!p->optional);
    T_EQ(p->lineno, 78);

    p = inf_netcomp_param(c, "*jumbopacket");
    T_ASSERT(p == &c->params[1]);
    T_EQ(p->type, INF_PARAM_INT);
    T_STREQ(p->default_value, "1514");
    T_EQ(p->default_num, 1514);
    T_ASSERT(p->has_min && p->has_max && p->has_step);
    T_EQ(p->min, 1514);
    T_EQ(p->max, 9014);
    T_EQ(p->step, 500);
    T_EQ(p->base, 10);
    T_EQ(p->nchoices, 0);

    p = inf_netcomp_param(c, "*ReceiveBuffers");
    T_EQ(p->type, INF_PARAM_DWORD);
    T_EQ(p->default_num, 100);
    T_EQ(p->min, 16); /* "0x10" */
    T_EQ(p->max, 4096);
    T_ASSERT(!p->has_step);

    p = inf_netcomp_param(c, "TxIntDelay");
    T_EQ(p->base, 16);
    T_STREQ(p->default_value, "ff");
    T_EQ(p->default_num, 255);
    T_EQ(p->max, 0xffff);
    T_ASSERT(!p->has_min);

    p = inf_netcomp_param(c, "ItrRate");
    T_EQ(p->type, INF_PARAM_WORD);
    T_STREQ(p->default_value, "8000"); /* a REG_DWORD Default, as text */
    T_EQ(p->default_num, 8000);
    T_EQ(p->max, 65535);

    p = inf_netcomp_param(c, "RxOffset");
    T_EQ(p->type, INF_PARAM_LONG);
    T_EQ(p->default_num, -4);
    T_EQ(p->min, -100);

    p = inf_netcomp_param(c, "NetworkAddress");
    T_EQ(p->type, INF_PARAM_EDIT);
    T_STREQ(p->default_value, "");
    T_ASSERT(p->optional);
    T_STREQ(p->desc, "Locally Administered Address");
    T_ASSERT(inf_netcomp_param(c, "Nope") == NULL);

    /* Static values of the instance key. */
    T_EQ(c->nvalues, 4);
    const struct inf_regval *v = inf_netcomp_value(c, "BusNumber");
    T_EQ(v->reg_type, INF_REG_SZ);
    T_LIST(v->data, "0");
    v = inf_netcomp_value(c, "maxinterrupts");
    T_EQ(v->reg_type, INF_REG_DWORD);
    T_EQ(v->dword, 16);
    v = inf_netcomp_value(c, "PortNames");
    T_EQ(v->reg_type, INF_REG_MULTI_SZ);
    T_LIST(v->data, "PortA", "PortB");
    v = inf_netcomp_value(c, "MacSeed");
    T_EQ(v->reg_type, INF_REG_BINARY);
    T_LIST(v->data, "00", "1b", "21", "ff");
    T_EQ(v->lineno, 74);
    T_ASSERT(inf_netcomp_value(c, "Nope") == NULL);

    /* The second model shares the DDInstall section. */
    const struct inf_netcomp *c2 = &list->v[1];
    T_STREQ(c2->component_id, "PCI\\VEN_1234&DEV_5679&SUBSYS_00011234");
    T_STREQ(c2->description, "Contoso E1T Dual Port Gigabit Ethernet Adapter");
    T_STREQ(c2->install_section, "E1T.ndi.NT");
    T_EQ(c2->nparams, 7);
    T_STREQ(c2->params[6].name, "NetworkAddress");
    inf_netcomp_free(list);
}

TEST(miniport_inf_other_platforms)
{
    struct inf_target t = amd64;
    t.arch = "arm64";
    struct inf_netcomp_list *list = load_file("miniport.inf", &t);
    T_EQ(list->n, 1);
    T_STREQ(list->v[0].models_section, "Contoso.NTarm64");
    inf_netcomp_free(list);

    /* The host target: the file has models for amd64, arm64 and x86. */
    struct inf_file *inf = parse_file("miniport.inf");
    struct inf_error err = {0};
    T_EQ(inf_netcomp_load(inf, &list, &err), 0);
    inf_target_host(&t);
    T_EQ(t.os_major, 10);
    T_EQ(t.build, INF_TARGET_BUILD);
    char want[64];
    snprintf(want, sizeof(want), "Contoso.NT%s", t.arch);
    T_ASSERT(inf_streq(list->v[0].models_section, want));
    inf_netcomp_free(list);

    /* No Models section for ia64. */
    t.arch = "ia64";
    list = (struct inf_netcomp_list *)&list;
    T_EQ(inf_netcomp_load_target(inf, &t, &list, &err), -EINVAL);
    T_ASSERT(list == NULL);
    T_EQ(err.line, 20);
    T_CONTAINS(err.reason, "no Models entry applies to NTia64 10.0 build 26100");
    inf_free(inf);
}

TEST(protocol_inf)
{
    struct inf_netcomp_list *list = load_file("protocol.inf", &amd64);
    T_EQ(list->n, 1);
    const struct inf_netcomp *c = &list->v[0];
    T_EQ(c->kind, INF_NETCOMP_PROTOCOL);
    T_EQ(c->net_class, INF_CLASS_NETTRANS);
    T_STREQ(c->component_id, "CONTOSO_NDISPROT");
    /* Build 26100 >= 25319: the OS-specific Models section. */
    T_STREQ(c->models_section, "CONTOSO.NT$ARCH$.10.0...25319");
    T_STREQ(c->install_section, "InstallA");
    T_EQ(c->characteristics, 0);
    T_STREQ(c->service, "Ndisprot");
    T_STREQ(c->service_binary, "%13%\\ndisprot.sys");
    T_LIST(c->coservices, "Ndisprot");
    T_STREQ(c->help_text, "A driver to support user-mode I/O on NDIS devices; not a comment");
    T_LIST(c->upper_range, "noupper");
    T_LIST(c->lower_range, "ndis5", "ndis4"); /* the NOCLOBBER "wan" is ignored */
    T_EQ(c->nparams, 0);
    T_ASSERT(!c->has_if_type);
    inf_netcomp_free(list);

    struct inf_target old = amd64;
    old.build = 22621;
    list = load_file("protocol.inf", &old);
    c = &list->v[0];
    T_STREQ(c->models_section, "CONTOSO.NT$ARCH$");
    T_STREQ(c->install_section, "InstallB");
    T_EQ(c->characteristics, NCF_HIDDEN | NCF_NOT_USER_REMOVABLE);
    T_STREQ(c->service_binary, "%12%\\ndisprot.sys");
    inf_netcomp_free(list);
}

TEST(monitoring_filter_inf)
{
    struct inf_netcomp_list *list = load_file("filter_monitor.inf", &amd64);
    T_EQ(list->n, 1);
    const struct inf_netcomp *c = &list->v[0];
    T_EQ(c->kind, INF_NETCOMP_FILTER);
    T_STREQ(inf_netcomp_kind_name(c->kind), "filter");
    T_EQ(c->net_class, INF_CLASS_NETSERVICE);
    T_STREQ(c->component_id, "MS_NdisMon");
    T_STREQ(c->models_section, "MSFT.NTamd64");
    T_EQ(c->characteristics, NCF_LW_FILTER);
    T_STREQ(c->net_cfg_instance_id, "{5cbf81bf-5055-47cd-9055-a76b2b4e3697}");
    T_EQ(c->filter_type, INF_FILTER_MONITORING);
    T_EQ(c->filter_run_type, INF_FILTER_OPTIONAL);
    T_ASSERT(c->filter_class == NULL);
    T_LIST(c->filter_media_types, "ethernet", "wlan");
    T_LIST(c->upper_range, "noupper");
    T_LIST(c->lower_range, "nolower");
    T_STREQ(c->service, "NdisMon");
    T_STREQ(c->service_binary, "%12%\\ndismon.sys");
    T_LIST(c->coservices, "NdisMon");
    T_STREQ(c->help_text, "Monitors traffic: \"all\" frames; nothing is changed");
    /* Service-key AddReg (FilterDriverParams) is not part of the Ndi key. */
    T_EQ(c->nparams, 0);
    T_EQ(c->nvalues, 0);
    inf_netcomp_free(list);
}

TEST(modifying_filter_inf)
{
    struct inf_netcomp_list *list = load_file("filter_modify.inf", &amd64);
    T_EQ(list->n, 1);
    const struct inf_netcomp *c = &list->v[0];
    T_EQ(c->kind, INF_NETCOMP_FILTER);
    T_STREQ(c->component_id, "MS_NdisLwf");
    T_STREQ(c->description, "NDIS Sample LightWeight Filter");
    T_EQ(c->filter_type, INF_FILTER_MODIFYING);
    T_EQ(c->filter_run_type, INF_FILTER_MANDATORY);
    T_STREQ(c->filter_class, "compression");
    T_EQ(inf_filter_class_rank(c->filter_class), 2);
    /* REG_MULTI_SZ "ethernet", then FLG_ADDREG_APPEND "wan", "ppip". */
    T_LIST(c->filter_media_types, "ethernet", "wan", "ppip");
    T_STREQ(c->service, "NdisLwf");
    T_STREQ(c->service_binary, "%12%\\ndislwf.sys");
    T_EQ(c->nparams, 1);
    T_STREQ(c->params[0].name, "VlanId");
    T_EQ(c->params[0].max, 4094);
    T_ASSERT(!c->params[0].optional);
    inf_netcomp_free(list);

    T_EQ(inf_filter_class_rank("SCHEDULER"), 0);
    T_EQ(inf_filter_class_rank("custom"), 7);
    T_ASSERT(inf_filter_class_rank("ms_switch_forward") > inf_filter_class_rank("custom"));
    T_EQ(inf_filter_class_rank("bogus"), -1);
}

/* ---- generated files --------------------------------------------------------------- */

static const char *const guids[] = {
    [INF_CLASS_NET] = "{4D36E972-E325-11CE-BFC1-08002BE10318}",
    [INF_CLASS_NETTRANS] = "{4D36E975-E325-11CE-BFC1-08002BE10318}",
    [INF_CLASS_NETCLIENT] = "{4D36E973-E325-11CE-BFC1-08002BE10318}",
    [INF_CLASS_NETSERVICE] = "{4D36E974-E325-11CE-BFC1-08002BE10318}",
};
static const char *const class_names[] = {
    [INF_CLASS_NET] = "Net",
    [INF_CLASS_NETTRANS] = "NetTrans",
    [INF_CLASS_NETCLIENT] = "NetClient",
    [INF_CLASS_NETSERVICE] = "NetService",
};

/* Line numbers of the generated file (see gen()). */
#define L_VERSION 1
#define L_CLASS 3
#define L_GUID 4
#define L_MFG 5
#define L_MODEL 8
#define L_REG0 16 /* reg line k (1-based) is on line L_REG0 + k */

static unsigned nlines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The install section header comes right after the reg lines. */
static unsigned inst_line(const char *reg)
{
    return L_REG0 + nlines(reg) + 1;
}

static char gen_buf[8192];

static const char *gen(enum inf_net_class cls, const char *reg, const char *install)
{
    int n = snprintf(gen_buf, sizeof(gen_buf),
                     "[Version]\n"                            /* 1 */
                     "Signature = \"$Windows NT$\"\n"         /* 2 */
                     "Class = %s\n"                           /* 3 */
                     "ClassGuid = %s\n"                       /* 4 */
                     "[Manufacturer]\n"                       /* 5 */
                     "%%Mfg%% = M\n"                          /* 6 */
                     "[M]\n"                                  /* 7 */
                     "%%Desc%% = Inst, T_Comp\n"              /* 8 */
                     "[Inst.Services]\n"                      /* 9 */
                     "AddService = Svc, 2, Svc.Inst\n"        /* 10 */
                     "[Svc.Inst]\n"                           /* 11 */
                     "ServiceBinary = %%12%%\\svc.sys\n"      /* 12 */
                     "[Strings]\n"                            /* 13 */
                     "Mfg = \"Test Mfg\"\n"                   /* 14 */
                     "Desc = \"Test Component\"\n"            /* 15 */
                     "[Ndi.Reg]\n"                            /* 16 */
                     "%s"                                     /* reg lines */
                     "[Inst]\n"
                     "AddReg = Ndi.Reg\n"
                     "%s",
                     class_names[cls], guids[cls], reg, install);
    T_ASSERT(n > 0 && (size_t)n < sizeof(gen_buf));
    return gen_buf;
}

static struct inf_file *parse_text(const char *text)
{
    struct inf_file *inf = NULL;
    struct inf_error err = {0};
    int rc = inf_parse_buffer("gen.inf", text, strlen(text), &inf, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", err.file, err.line, err.reason);
    return inf;
}

static struct inf_netcomp_list *gen_ok(const char *text)
{
    struct inf_file *inf = parse_text(text);
    struct inf_netcomp_list *list = load(inf, &amd64);
    inf_free(inf);
    return list;
}

static void gen_bad(const char *text, unsigned line, const char *reason)
{
    struct inf_file *inf = parse_text(text);
    struct inf_netcomp_list *list = (struct inf_netcomp_list *)&list;
    struct inf_error err = {0};
    int rc = inf_netcomp_load_target(inf, &amd64, &list, &err);
    T_ASSERT_MSG(rc == -EINVAL, "rc %d: want a refusal with \"%s\"", rc, reason);
    T_ASSERT(list == NULL);
    T_STREQ(err.file, "gen.inf");
    T_ASSERT_MSG(err.line == line, "error line %u, want %u (%s)", err.line, line, err.reason);
    T_CONTAINS(err.reason, reason);
    inf_free(inf);
}

#define R_SERVICE "HKR, Ndi, Service, , Svc\n"
#define R_COSERV "HKR, Ndi, CoServices, 0x10000, Svc\n"
#define R_FTYPE "HKR, Ndi, FilterType, 0x10001, 2\n"
#define R_FRUN "HKR, Ndi, FilterRunType, 0x10001, 1\n"
#define R_FCLASS "HKR, Ndi, FilterClass, , Custom\n"
#define R_UPPER "HKR, Ndi\\Interfaces, UpperRange, , noupper\n"
#define R_LOWER "HKR, Ndi\\Interfaces, LowerRange, , nolower\n"
#define R_MEDIA "HKR, Ndi\\Interfaces, FilterMediaTypes, , ethernet\n"
#define R_FILTER R_SERVICE R_COSERV R_FTYPE R_FRUN R_FCLASS R_UPPER R_LOWER R_MEDIA
#define I_FILTER "Characteristics = 0x40000\nNetCfgInstanceId = {5cbf81bd-5055-47cd-9055-a76b2b4e3697}\n"

#define R_MINI "HKR, Ndi\\Interfaces, UpperRange, , ndis5\nHKR, Ndi\\Interfaces, LowerRange, , ethernet\n"
#define I_MINI_KW "*IfType = 6\n*MediaType = 0\n*PhysicalMediaType = 14\n"
#define I_MINI "Characteristics = 0x1\n" I_MINI_KW

#define R_PROTO R_SERVICE R_COSERV "HKR, Ndi\\Interfaces, UpperRange, , noupper\nHKR, Ndi\\Interfaces, LowerRange, , ndis5\n"
#define I_PROTO "Characteristics = 0\n"

TEST(generated_components_are_accepted)
{
    struct inf_netcomp_list *l = gen_ok(gen(INF_CLASS_NETSERVICE, R_FILTER, I_FILTER));
    T_EQ(l->v[0].kind, INF_NETCOMP_FILTER);
    T_STREQ(l->v[0].filter_class, "custom"); /* lowercased */
    T_STREQ(l->v[0].manufacturer, "Test Mfg");
    inf_netcomp_free(l);
    l = gen_ok(gen(INF_CLASS_NET, R_MINI, I_MINI));
    T_EQ(l->v[0].kind, INF_NETCOMP_MINIPORT);
    T_STREQ(l->v[0].service, "Svc");
    T_ASSERT(!l->v[0].has_bus_type);
    inf_netcomp_free(l);
    l = gen_ok(gen(INF_CLASS_NETTRANS, R_PROTO, I_PROTO));
    T_EQ(l->v[0].kind, INF_NETCOMP_PROTOCOL);
    inf_netcomp_free(l);
    /* A monitoring filter needs no FilterClass. */
    l = gen_ok(gen(INF_CLASS_NETSERVICE,
                   R_SERVICE R_COSERV "HKR, Ndi, FilterType, 0x10001, 1\n" R_FRUN R_UPPER
                       R_LOWER R_MEDIA,
                   I_FILTER));
    T_EQ(l->v[0].filter_type, INF_FILTER_MONITORING);
    T_ASSERT(l->v[0].filter_class == NULL);
    inf_netcomp_free(l);
    /* A protocol without a driver. */
    l = gen_ok(gen(INF_CLASS_NETTRANS, R_COSERV "HKR, Ndi\\Interfaces, UpperRange, , noupper\n"
                                                "HKR, Ndi\\Interfaces, LowerRange, , ndis5\n",
                   "Characteristics = 0x10\n"));
    T_EQ(l->v[0].characteristics, NCF_NO_SERVICE);
    T_STREQ(l->v[0].service, "Svc"); /* from AddService */
    inf_netcomp_free(l);
}

TEST(version_section_refusals)
{
    gen_bad("[Manufacturer]\n", 0, "no [Version] section");
    gen_bad("[Version]\nClass = Net\n", L_VERSION, "[Version] has no Signature");
    gen_bad("[Version]\nSignature = \"$Windows 95$\"\n", 2,
            "Signature must be \"$Windows NT$\"");
    gen_bad("[Version]\nSignature = \"$Windows NT$\"\nClass = Net\n", L_VERSION,
            "[Version] has no ClassGuid");
    gen_bad("[Version]\nSignature = $Windows NT$\nClassGuid = {6bdd1fc5-810f-11d0-bec7-08002be2092f}\n",
            3, "is not a network class");
    gen_bad("[Version]\nSignature = $CHICAGO$\nClass = NetTrans\n"
            "ClassGuid = {4D36E972-E325-11CE-BFC1-08002BE10318}\n",
            3, "Class NetTrans does not match ClassGuid");
    gen_bad(gen(INF_CLASS_NETCLIENT, R_PROTO, I_PROTO), L_GUID,
            "NetClient components are not supported");
    gen_bad("[Version]\nSignature = \"$Windows NT$\"\nClassGuid = {4D36E972-E325-11CE-BFC1-08002BE10318}\n",
            0, "no [Manufacturer] section");
}

TEST(models_refusals)
{
    char text[2048];
    const char *head = "[Version]\nSignature = \"$Windows NT$\"\n"
                       "ClassGuid = {4D36E972-E325-11CE-BFC1-08002BE10318}\n[Manufacturer]\n";
    snprintf(text, sizeof(text), "%sMfg = Models\n", head);
    gen_bad(text, 5, "Models section [Models] not found");
    snprintf(text, sizeof(text), "%sMfg = Models, NTamd64\n[Models.NTamd64]\n", head);
    gen_bad(text, 4, "no Models entry applies to NTamd64 10.0 build 26100");
    snprintf(text, sizeof(text), "%sMfg = Models, NTamd64\n[Models.NTamd64]\nx = Inst\n", head);
    gen_bad(text, 7, "Models entry must be 'description = install-section, hw-id'");
    snprintf(text, sizeof(text), "%sMfg = Models, NTamd64\n[Models.NTamd64]\nInst, HWID\n", head);
    gen_bad(text, 7, "Models entry must be");
    snprintf(text, sizeof(text), "%sMfg = Models, NTamd64\n[Models.NTamd64]\nx = Inst, HWID\n", head);
    gen_bad(text, 7, "install section [Inst] not found");
    snprintf(text, sizeof(text), "%sMfg = Models, NTamd64.ten\n", head);
    gen_bad(text, 5, "invalid TargetOSVersion 'NTamd64.ten'");
    snprintf(text, sizeof(text), "%sMfg = Models, NT.10.0.1.0.1.7\n", head);
    gen_bad(text, 5, "invalid TargetOSVersion");
    snprintf(text, sizeof(text), "%s= , NT\n", head);
    gen_bad(text, 5, "Manufacturer entry names no Models section");
    /* Only decorations for other platforms: no component at all. */
    snprintf(text, sizeof(text), "%sMfg = Models, NTx86, NTamd64.11.0, NTamd64.10.0.3, "
                                 "NTamd64.10.0..0x80, NTamd64.10.0...30000, Windows\n", head);
    gen_bad(text, 4, "no Models entry applies");
}

TEST(decorations_pick_the_most_specific_section)
{
    const char *text =
        "[Version]\nSignature = \"$Windows NT$\"\n"
        "ClassGuid = {4D36E972-E325-11CE-BFC1-08002BE10318}\n"
        "[Manufacturer]\n"
        "Mfg = M, NT, NTamd64, NT.6.1, NTamd64.10.0...30000, NTamd64.6.3.1, NTarm64.10.0.1.0.22000\n"
        "[M.NT]\nd = A, hw\n"
        "[M.NTamd64]\nd = A, hw\n"
        "[M.NT.6.1]\nd = A, hw\n"
        "[M.NTamd64.6.3.1]\nd = A, hw\n"
        "[M.NTarm64.10.0.1.0.22000]\nd = A, hw\n"
        "[A]\nCharacteristics = 0x2\n" I_MINI_KW "AddReg = R\n"
        "[A.NT]\nCharacteristics = 0x1\n" I_MINI_KW "AddReg = R\n"
        "[A.NTamd64]\nCharacteristics = 0x4\nBusType = 15\n" I_MINI_KW "AddReg = R\n"
        "[A.NTamd64.Services]\nAddService = a64, 2, S\n"
        "[A.NT.Services]\nAddService = ant, 2, S\n"
        "[A.Services]\nAddService = a, 2, S\n"
        "[S]\n"
        "[R]\n" R_MINI;
    struct inf_file *inf = parse_text(text);
    struct inf_netcomp_list *l = load(inf, &amd64);
    /* NTamd64.6.3.1 is the highest version that applies; 10.0...30000 needs a newer build. */
    T_STREQ(l->v[0].models_section, "M.NTamd64.6.3.1");
    T_STREQ(l->v[0].install_section, "A.NTamd64");
    T_STREQ(l->v[0].service, "a64");
    T_EQ(l->v[0].characteristics, NCF_PHYSICAL);
    inf_netcomp_free(l);

    struct inf_target t = amd64;
    t.arch = "arm64";
    l = load(inf, &t);
    T_STREQ(l->v[0].models_section, "M.NTarm64.10.0.1.0.22000");
    T_STREQ(l->v[0].install_section, "A.NT");
    T_STREQ(l->v[0].service, "ant");
    inf_netcomp_free(l);
    t.product_type = 3; /* a server: the workstation-only arm64 section no longer applies */
    l = load(inf, &t);
    T_STREQ(l->v[0].models_section, "M.NT.6.1");
    inf_netcomp_free(l);
    t.arch = "";
    t.os_major = 6;
    t.os_minor = 0;
    l = load(inf, &t);
    T_STREQ(l->v[0].models_section, "M.NT");
    T_STREQ(l->v[0].install_section, "A.NT");
    inf_netcomp_free(l);
    inf_free(inf);
}

TEST(ddinstall_refusals)
{
    const char *r = R_MINI;
    gen_bad(gen(INF_CLASS_NET, r, I_MINI_KW), inst_line(r), "[Inst] has no Characteristics entry");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = lots\n" I_MINI_KW), inst_line(r) + 2,
            "Characteristics must be a number, not 'lots'");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x5\n" I_MINI_KW), inst_line(r),
            "are mutually exclusive");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x11\n" I_MINI_KW), inst_line(r),
            "an adapter cannot be NCF_NO_SERVICE");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x401\n" I_MINI_KW), inst_line(r),
            "NCF_FILTER (filter intermediate driver) is not supported");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x40001\n" I_MINI_KW), inst_line(r),
            "NCF_LW_FILTER is only valid for NetService");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x84\n" I_MINI_KW), inst_line(r),
            "physical adapter [Inst] has no BusType");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x1\n*IfType = 6\n*PhysicalMediaType = 14\n"),
            inst_line(r), "miniport [Inst] lacks *MediaType");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x1\n*MediaType = 0\n*PhysicalMediaType = 14\n"),
            inst_line(r), "lacks *IfType");
    gen_bad(gen(INF_CLASS_NET, r, "Characteristics = 0x1\n*IfType = 6\n*MediaType = 0\n"),
            inst_line(r), "lacks *PhysicalMediaType");
    gen_bad(gen(INF_CLASS_NET, r, I_MINI "AddReg = Missing.Reg\n"), inst_line(r) + 6,
            "AddReg section [Missing.Reg] not found");
    gen_bad(gen(INF_CLASS_NET, "HKR, Ndi\\Interfaces, LowerRange, , ethernet\n", I_MINI),
            inst_line("x\n"), "[Inst] sets no Ndi\\Interfaces UpperRange");
    gen_bad(gen(INF_CLASS_NET, "HKR, Ndi\\Interfaces, UpperRange, , ndis5\n", I_MINI),
            inst_line("x\n"), "sets no Ndi\\Interfaces LowerRange");
    gen_bad(gen(INF_CLASS_NET, R_MINI "HKR, Ndi\\Interfaces, LowerRange, 0x10001, 1\n", I_MINI),
            L_REG0 + 3, "LowerRange must be a REG_SZ or REG_MULTI_SZ value");
    gen_bad(gen(INF_CLASS_NET, R_MINI "HKR, Ndi, Service, 0x10000, a, b\n", I_MINI), L_REG0 + 3,
            "Ndi\\Service must be a string value");
    gen_bad(gen(INF_CLASS_NET, R_MINI "HKR, Ndi, Service, , Other\n", I_MINI), 9,
            "Ndi\\Service Other has no AddService directive in [Inst.Services]");
    gen_bad(gen(INF_CLASS_NET, R_MINI "Bogus, Ndi, Service, , Svc\n", I_MINI), L_REG0 + 3,
            "unknown registry root 'Bogus'");
    gen_bad(gen(INF_CLASS_NET, r, I_MINI "NetCfgInstanceId = 5cbf81bd\n"), inst_line(r) + 6,
            "NetCfgInstanceId must be a {GUID}");
}

TEST(protocol_refusals)
{
    const char *up_low = "HKR, Ndi\\Interfaces, UpperRange, , noupper\n"
                         "HKR, Ndi\\Interfaces, LowerRange, , ndis5\n";
    char reg[512];
    snprintf(reg, sizeof(reg), "%s%s", R_SERVICE, up_low);
    gen_bad(gen(INF_CLASS_NETTRANS, reg, I_PROTO), inst_line(reg),
            "[Inst] sets no Ndi CoServices (required for NetTrans components)");
    gen_bad(gen(INF_CLASS_NETTRANS, R_PROTO, "Characteristics = 0x4\n"), inst_line(R_PROTO),
            "adapter flags in a protocol");
    snprintf(reg, sizeof(reg), "%s%s%s", R_SERVICE, "HKR, Ndi, CoServices, 0x10000, Other\n",
             up_low);
    gen_bad(gen(INF_CLASS_NETTRANS, reg, I_PROTO), inst_line(reg),
            "Ndi CoServices does not list the service Svc");
    gen_bad(gen(INF_CLASS_NETTRANS, R_PROTO R_FTYPE, I_PROTO), inst_line(R_PROTO R_FTYPE),
            "sets FilterType but is not a lightweight filter");
    /* FilterClass and FilterRunType outside a filter are ignored (found by fuzz_inf:
     * an unchecked class escaped as if valid). */
    struct inf_netcomp_list *l = gen_ok(gen(
        INF_CLASS_NETTRANS, R_PROTO "HKR, Ndi, FilterClass, , comp2ession\n" R_FRUN, I_PROTO));
    T_EQ(l->v[0].kind, INF_NETCOMP_PROTOCOL);
    T_ASSERT(l->v[0].filter_class == NULL);
    T_EQ(l->v[0].filter_run_type, 0);
    inf_netcomp_free(l);
}

TEST(service_refusals)
{
    /* No .Services section and no Ndi\Service. */
    static char text[sizeof(gen_buf)];
    const char *base = gen(INF_CLASS_NET, R_MINI, I_MINI);
    snprintf(text, sizeof(text), "%s", base);
    char *svc = strstr(text, "[Inst.Services]");
    T_ASSERT(svc);
    memcpy(svc, "[Inst.Servicez]", 15);
    gen_bad(text, inst_line(R_MINI), "[Inst] names no service");
    snprintf(text, sizeof(text), "%s", base);
    char *add = strstr(text, "AddService = Svc, 2, Svc.Inst");
    memcpy(add, "AddService = Svc, x, Svc.Inst", 29);
    gen_bad(text, 10, "invalid AddService flags 'x'");
    snprintf(text, sizeof(text), "%s", base);
    add = strstr(text, "Svc.Inst\n");
    memcpy(add, "Svc.Nope\n", 9);
    gen_bad(text, 10, "service-install section [Svc.Nope] not found");
    snprintf(text, sizeof(text), "%s", base);
    add = strstr(text, ", Svc.Inst\n");
    memcpy(add, "          \n", 11);
    gen_bad(text, 10, "AddService Svc has no service-install section");
}

TEST(filter_refusals)
{
    const char *i = I_FILTER;
#define FBAD(reg, reason) gen_bad(gen(INF_CLASS_NETSERVICE, reg, i), inst_line(reg), reason)
    FBAD(R_SERVICE R_COSERV R_FRUN R_FCLASS R_UPPER R_LOWER R_MEDIA,
         "filter [Inst] sets no Ndi FilterType");
    FBAD(R_SERVICE R_COSERV R_FTYPE R_FCLASS R_UPPER R_LOWER R_MEDIA,
         "filter [Inst] sets no Ndi FilterRunType");
    FBAD(R_SERVICE R_COSERV R_FTYPE R_FRUN R_UPPER R_LOWER R_MEDIA,
         "modifying filter [Inst] sets no Ndi FilterClass");
    FBAD(R_SERVICE R_COSERV R_FTYPE R_FRUN "HKR, Ndi, FilterClass, , turbo\n" R_UPPER R_LOWER
             R_MEDIA,
         "unknown FilterClass 'turbo'");
    FBAD(R_SERVICE R_COSERV R_FTYPE R_FRUN R_FCLASS R_UPPER R_LOWER,
         "sets no Ndi\\Interfaces FilterMediaTypes");
    FBAD(R_SERVICE R_COSERV R_FTYPE R_FRUN R_FCLASS R_UPPER R_LOWER
         "HKR, Ndi\\Interfaces, FilterMediaTypes, , \"ethernet, nolower\"\n",
         "FilterMediaTypes must not contain nolower");
    FBAD(R_SERVICE R_COSERV R_FTYPE R_FRUN R_FCLASS
         "HKR, Ndi\\Interfaces, UpperRange, , ndis5\n" R_LOWER R_MEDIA,
         "UpperRange must be noupper and LowerRange nolower");
    FBAD(R_SERVICE R_FTYPE R_FRUN R_FCLASS R_UPPER R_LOWER R_MEDIA,
         "sets no Ndi CoServices (required for NetService components)");
#undef FBAD
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER, "Characteristics = 0x40000\n"),
            inst_line(R_FILTER), "filter [Inst] has no NetCfgInstanceId");
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER, "Characteristics = 0\n"), inst_line(R_FILTER),
            "sets FilterType but is not a lightweight filter");
    gen_bad(gen(INF_CLASS_NETSERVICE, R_SERVICE R_COSERV R_UPPER R_LOWER, "Characteristics = 0\n"),
            inst_line(R_SERVICE R_COSERV R_UPPER R_LOWER),
            "NetService [Inst] is not a lightweight filter");
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER, "Characteristics = 0x40001\n"),
            inst_line(R_FILTER), "adapter flags in a filter");
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER "HKR, Ndi, FilterType, 0x10001, 3\n", i),
            L_REG0 + 9, "FilterType must be 1 (monitoring) or 2 (modifying), not 3");
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER "HKR, Ndi, FilterRunType, , optional\n", i),
            L_REG0 + 9, "Ndi\\FilterRunType must be a number");
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER "HKR, Ndi, FilterRunType, , 0\n", i),
            L_REG0 + 9, "FilterRunType must be 1 (mandatory) or 2 (optional), not 0");
}

TEST(registry_semantics)
{
    /* Later lines overwrite; NOCLOBBER keeps; OVERWRITEONLY needs an earlier value;
     * APPEND extends a MULTI_SZ; deletes, key-only lines and other roots are ignored. */
    const char *reg =
        R_MINI
        "HKR, Ndi\\Interfaces, UpperRange, , \"ndis5_ip, Ndis5_IPX\"\n"
        "HKR, Ndi\\Interfaces, UpperRange, 0x2, ndiswan\n"
        "HKR, Ndi, HelpText, 0x20, never\n"
        "HKR, Ndi, CoServices, 0x10000, Svc\n"
        "HKR, Ndi, CoServices, 0x10008, \"b, c\", d\n"
        "HKR, Ndi, Service, 0x4\n"
        "HKLM, Ndi, Service, , elsewhere\n"
        "HKR, Ndi\\params\\Key\n"
        "HKR, Ndi\\params\\Key\\enum\n"
        "HKR, Ndi\\params\\X\\sub, ParamDesc, , ignored\n"
        "HKR, Ndi\\Other, Service, , ignored\n"
        "HKR, , Speed, , 10\n"
        "HKR, , Speed, 0x10001, 100\n"
        "HKR, , , , default-value\n";
    struct inf_netcomp_list *l = gen_ok(gen(INF_CLASS_NET, reg, I_MINI));
    const struct inf_netcomp *c = &l->v[0];
    T_LIST(c->upper_range, "ndis5_ip", "ndis5_ipx");
    T_ASSERT(c->help_text == NULL);
    T_LIST(c->coservices, "Svc", "b", "c", "d");
    T_STREQ(c->service, "Svc");
    T_EQ(c->nparams, 0);
    T_EQ(c->nvalues, 1);
    T_STREQ(c->values[0].name, "Speed");
    T_EQ(c->values[0].reg_type, INF_REG_DWORD);
    T_EQ(c->values[0].dword, 100);
    inf_netcomp_free(l);
}

TEST(param_refusals)
{
    char reg[1024];
    const unsigned p1 = L_REG0 + 3; /* the first parameter line after R_MINI */
#define PBAD(lines, line, reason)                                                          \
    do {                                                                                   \
        snprintf(reg, sizeof(reg), "%s%s", R_MINI, lines);                                 \
        gen_bad(gen(INF_CLASS_NET, reg, I_MINI), line, reason);                            \
    } while (0)
#define P(kw, name, val) "HKR, Ndi\\params\\" kw ", " name ", 0, \"" val "\"\n"
    PBAD(P("A", "Type", "int"), p1, "Ndi\\params\\A has no ParamDesc");
    PBAD(P("A", "ParamDesc", "a"), p1, "Ndi\\params\\A has no Type");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "float"), p1 + 1,
         "Ndi\\params\\A: unknown Type 'float' (int, long, word, dword, enum or edit)");
    PBAD(P("*IfType", "ParamDesc", "a") P("*IfType", "Type", "int"), p1,
         "'*IfType' is a reserved keyword");
    PBAD(P("NetCfgInstanceId", "ParamDesc", "a"), p1, "'NetCfgInstanceId' is a reserved keyword");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "int") P("A", "Default", "12x"), p1 + 2,
         "Ndi\\params\\A: invalid Default '12x'");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "word") P("A", "Max", "65536"), p1 + 2,
         "Ndi\\params\\A: Max 65536 is out of range for its type");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "dword") P("A", "Min", "-1"), p1 + 2,
         "Min -1 is out of range");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "int") P("A", "Min", "2147483648"), p1 + 2,
         "Min 2147483648 is out of range");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "int") P("A", "Min", "10") P("A", "Max", "5"),
         p1 + 3, "Ndi\\params\\A: Min 10 is greater than Max 5");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "int") P("A", "Max", "5") P("A", "Default", "6"),
         p1 + 3, "Ndi\\params\\A: Default 6 is outside Min..Max");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "int") P("A", "Step", "0"), p1 + 2,
         "Step 0 is out of range");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "int") P("A", "Base", "8"), p1 + 2,
         "Ndi\\params\\A: Base must be 10 or 16");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "edit") P("A", "Optional", "2"), p1 + 2,
         "Ndi\\params\\A: Optional must be 0 or 1");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "enum"), p1,
         "enum parameter A has no Ndi\\params\\A\\enum values");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "enum") P("A", "Default", "2")
             P("A\\enum", "0", "off") P("A\\enum", "1", "on"),
         p1 + 2, "Ndi\\params\\A: Default '2' is not one of its enum values");
    PBAD(P("A", "ParamDesc", "a") "HKR, Ndi\\params\\A, Type, 0x10000, int, long\n", p1 + 1,
         "Type must be a string value");
    PBAD(P("A", "ParamDesc", "a") P("A", "Type", "enum") "HKR, Ndi\\params\\A\\enum, 0, 1, 00\n",
         p1 + 2, "an enum description must be a string value");
#undef PBAD
#undef P
}

TEST(params_edge_cases)
{
    const char *reg =
        R_MINI
        "HKR, Ndi\\params\\E, ParamDesc, , \"e\"\n"
        "HKR, Ndi\\params\\E, Type, , ENUM\n"
        "HKR, Ndi\\params\\E, Min, , nonsense\n" /* Min is for numeric types only */
        "HKR, ndi\\PARAMS\\e\\ENUM, \"1\", , one\n"
        "HKR, Ndi\\params\\E\\enum, \"0\", , zero\n"
        "HKR, Ndi\\params\\E\\enum, \"1\", , ONE\n" /* overwrites, keeps its place */
        "HKR, Ndi\\params\\E, Default, , 1\n"
        "HKR, Ndi\\params\\N, ParamDesc, , n\n"
        "HKR, Ndi\\params\\N, Type, , Long\n"
        "HKR, Ndi\\params\\N, Min, 0x10001, 0xffffffff\n";
    /* A REG_DWORD 0xffffffff is 4294967295: out of range for a long. */
    gen_bad(gen(INF_CLASS_NET, reg, I_MINI), L_REG0 + 12, "Min 4294967295 is out of range");

    reg = R_MINI
        "HKR, Ndi\\params\\E, ParamDesc, , \"e\"\n"
        "HKR, Ndi\\params\\E, Type, , ENUM\n"
        "HKR, Ndi\\params\\E, Min, , nonsense\n"
        "HKR, ndi\\PARAMS\\e\\ENUM, \"1\", , one\n"
        "HKR, Ndi\\params\\E\\enum, \"0\", , zero\n"
        "HKR, Ndi\\params\\E\\enum, \"1\", , ONE\n"
        "HKR, Ndi\\params\\E, Default, , 1\n"
        "HKR, Ndi\\params\\N, ParamDesc, , n\n"
        "HKR, Ndi\\params\\N, Type, , Long\n"
        "HKR, Ndi\\params\\N, Min, 0x10001, 0x7fffffff\n"
        "HKR, Ndi\\params\\N, Default, , 2147483647\n";
    struct inf_netcomp_list *l = gen_ok(gen(INF_CLASS_NET, reg, I_MINI));
    const struct inf_param *p = inf_netcomp_param(&l->v[0], "e");
    T_EQ(p->type, INF_PARAM_ENUM);
    T_EQ(p->nchoices, 2);
    T_STREQ(p->choices[0].value, "1");
    T_STREQ(p->choices[0].desc, "ONE");
    T_STREQ(p->choices[1].desc, "zero");
    T_ASSERT(!p->has_min);
    p = inf_netcomp_param(&l->v[0], "N");
    T_EQ(p->type, INF_PARAM_LONG);
    T_EQ(p->min, INT32_MAX);
    T_EQ(p->default_num, INT32_MAX);
    T_ASSERT(p->default_value && strcmp(p->default_value, "2147483647") == 0);
    inf_netcomp_free(l);
}

TEST(shared_install_section_and_many_models)
{
    /* Sixty models sharing one DDInstall: read once, one component each. */
    static char text[16384];
    int n = snprintf(text, sizeof(text),
                     "[Version]\nSignature = \"$Windows NT$\"\nClass = Net\n"
                     "ClassGuid = {4D36E972-E325-11CE-BFC1-08002BE10318}\n"
                     "[Manufacturer]\n%%M%% = Models\n[Models]\n");
    for (int i = 0; i < 60; i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      "%%D%% = Inst, PCI\\VEN_8086&DEV_%04X\n", 0x1000 + i);
    n += snprintf(text + n, sizeof(text) - (size_t)n,
                  "[Inst]\nCharacteristics = 0x84\nBusType = 5\n" I_MINI_KW "AddReg = R\n"
                  "[Inst.Services]\nAddService = e1000, 2, S\n[S]\n[R]\n" R_MINI
                  "[Strings]\nM = \"Intel\"\nD = \"Gigabit\"\n");
    struct inf_netcomp_list *l = gen_ok(text);
    T_EQ(l->n, 60);
    T_STREQ(l->v[59].component_id, "PCI\\VEN_8086&DEV_103B");
    T_STREQ(l->v[59].manufacturer, "Intel");
    T_STREQ(l->v[59].service, "e1000");
    T_ASSERT(l->v[59].upper_range.v == l->v[0].upper_range.v);
    T_ASSERT(l->v[59].service_binary == NULL);
    inf_netcomp_free(l);
}

TEST(lenient_lines_and_null_services)
{
    /* Keyless DDInstall lines, empty AddReg entries, Include/Needs, a null
     * AddService and other .Services directives have no effect; an empty
     * Ndi\Service defers to AddService; ranges are trimmed inside quotes. */
    const char *text =
        "[Version]\nSignature = \"$Windows NT$\"\n"
        "ClassGuid = {4D36E974-E325-11CE-BFC1-08002BE10318}\n"
        "[Manufacturer]\nMfg = M, NTamd64.10.0...22000, NTamd64.10.0...25000, NTamd64.10.0\n"
        "[M.NTamd64.10.0...22000]\nd = Old, hw\n"
        "[M.NTamd64.10.0...25000]\nd = Inst, hw\n"
        "[M.NTamd64.10.0]\nd = Old, hw\n"
        "[Inst]\n"
        "Characteristics = 0x40000\n"
        "NetCfgInstanceId = {5CBF81BD-5055-47CD-9055-A76B2B4E3697}\n"
        "Include = netavf.inf\n"
        "Needs = NetAvf\n"
        "SomeKeylessLine\n"
        "AddReg = , R, \n"
        "[Inst.Services]\n"
        "AddService = , 2\n"
        "DelService = Old\n"
        "AddService = Flt, 0x800, S\n"
        "[S]\nServiceBinary = %12%\\flt.sys\n"
        "[R]\n"
        "HKR, Ndi, Service, , \"\"\n"
        "HKR, Ndi, CoServices, 0x10000, Flt\n"
        "HKR, Ndi, FilterType, , \"1\"\n"
        "HKR, Ndi, FilterRunType, 0x10001, 2\n"
        "HKR, Ndi\\Interfaces, UpperRange, , noupper\n"
        "HKR, Ndi\\Interfaces, LowerRange, 0x10000, nolower\n"
        "HKR, Ndi\\Interfaces, FilterMediaTypes, 0x10000, \" Ethernet , wlan \", \",,\", ppip\n";
    struct inf_file *inf = parse_text(text);
    struct inf_target t = amd64;
    t.arch = NULL; /* taken as "": only arch-less decorations apply */
    struct inf_netcomp_list *l = NULL;
    struct inf_error err = {0};
    T_EQ(inf_netcomp_load_target(inf, &t, &l, &err), -EINVAL);
    T_CONTAINS(err.reason, "no Models entry applies to NT 10.0 build 26100");
    l = load(inf, &amd64);
    const struct inf_netcomp *c = &l->v[0];
    T_STREQ(c->models_section, "M.NTamd64.10.0...25000"); /* the highest build that applies */
    T_STREQ(c->install_section, "Inst");
    T_STREQ(c->service, "Flt");
    T_LIST(c->services, "Flt");
    T_STREQ(c->service_binary, "%12%\\flt.sys");
    T_EQ(c->filter_type, INF_FILTER_MONITORING);
    T_LIST(c->filter_media_types, "ethernet", "wlan", "ppip");
    inf_netcomp_free(l);
    inf_free(inf);

    T_STREQ(inf_netcomp_kind_name(INF_NETCOMP_PROTOCOL), "protocol");
    T_STREQ(inf_netcomp_kind_name((enum inf_netcomp_kind)0), "unknown");
}

TEST(services_section_without_addservice)
{
    /* Ndi\Service names the driver; the .Services section only deletes one. */
    char reg[512], inst[512];
    snprintf(reg, sizeof(reg), "%s", R_FILTER);
    snprintf(inst, sizeof(inst), "%s", I_FILTER);
    static char text[sizeof(gen_buf)];
    snprintf(text, sizeof(text), "%s", gen(INF_CLASS_NETSERVICE, reg, inst));
    char *add = strstr(text, "AddService = Svc, 2, Svc.Inst");
    T_ASSERT(add);
    memcpy(add, "DelService = Svc", 16);
    struct inf_netcomp_list *l = gen_ok(text);
    T_STREQ(l->v[0].service, "Svc");
    T_EQ(l->v[0].services.n, 0);
    T_ASSERT(l->v[0].service_binary == NULL);
    inf_netcomp_free(l);
    /* A NetCfgInstanceId with a misplaced dash. */
    gen_bad(gen(INF_CLASS_NETSERVICE, R_FILTER,
                "Characteristics = 0x40000\nNetCfgInstanceId = {5cbf81bd5-055-47cd-9055-a76b2b4e3697}\n"),
            inst_line(R_FILTER) + 3, "NetCfgInstanceId must be a {GUID}");
}

/* Appends to a buffer of INF_MAX_FILE_SIZE bytes, failing the test past its end. */
static void app(char *buf, size_t *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void app(char *buf, size_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *o, INF_MAX_FILE_SIZE - *o, fmt, ap);
    va_end(ap);
    T_ASSERT(n >= 0 && (size_t)n < INF_MAX_FILE_SIZE - *o);
    *o += (size_t)n;
}

/* Files that ask for much work stay cheap or are refused (the harness bounds the time). */
TEST(hostile_files_stay_bounded)
{
    char *text = malloc(INF_MAX_FILE_SIZE);
    T_ASSERT(text);
    const char *head = "[Version]\nSignature = \"$Windows NT$\"\nClass = NetService\n"
                       "ClassGuid = {4D36E974-E325-11CE-BFC1-08002BE10318}\n";
    const char *inst = "Characteristics = 0x40000\n"
                       "NetCfgInstanceId = {5cbf81bd-5055-47cd-9055-a76b2b4e3697}\n"
                       "AddReg = R\n";
    size_t o;

    /* 15000 FLG_ADDREG_APPEND lines: one list of 15000 media types (the first
     * replaces R_FILTER's REG_SZ value: only a REG_MULTI_SZ is extended). */
    o = 0;
    app(text, &o, "%s[Manufacturer]\nM = Models\n[Models]\nd = I, hw\n[I]\n%s"
                  "[I.Services]\nAddService = Svc, 2, S\n[S]\n[R]\n" R_FILTER, head, inst);
    for (int i = 0; i < 15000; i++)
        app(text, &o, "HKR,Ndi\\Interfaces,FilterMediaTypes,0x10008,m%d\n", i);
    struct inf_file *inf = NULL;
    struct inf_error err;
    T_EQ(inf_parse_buffer("hostile.inf", text, o, &inf, &err), 0);
    struct inf_netcomp_list *l = load(inf, &amd64);
    T_EQ(l->v[0].filter_media_types.n, 15000);
    T_STREQ(l->v[0].filter_media_types.v[0], "m0");
    T_STREQ(l->v[0].filter_media_types.v[14999], "m14999");
    inf_netcomp_free(l);
    inf_free(inf);

    /* A section that overwrites then appends, applied 40 times: found by fuzz_inf,
     * the append buffer once doubled on every round. */
    o = 0;
    app(text, &o, "%s[Manufacturer]\nM = Models\n[Models]\nd = I, hw\n[I]\n%sAddReg = R2", head,
        inst);
    for (int i = 0; i < 40; i++)
        app(text, &o, ", R2");
    app(text, &o, "\n[I.Services]\nAddService = Svc, 2, S\n[S]\n[R]\n" R_FILTER
                  "[R2]\nHKR, Ndi\\Interfaces, FilterMediaTypes, 0x10000, ethernet\n"
                  "HKR, Ndi\\Interfaces, FilterMediaTypes, 0x10008, wan, ppip\n");
    T_EQ(inf_parse_buffer("hostile.inf", text, o, &inf, &err), 0);
    l = load(inf, &amd64);
    T_LIST(l->v[0].filter_media_types, "ethernet", "wan", "ppip");
    inf_netcomp_free(l);
    inf_free(inf);

    /* 3000 Manufacturer lines naming the same 3000-line Models section: listed once. */
    o = 0;
    app(text, &o, "%s[Manufacturer]\n", head);
    for (int i = 0; i < 3000; i++)
        app(text, &o, "M%d = Models\n", i);
    app(text, &o, "[Models]\n");
    for (int i = 0; i < 3000; i++)
        app(text, &o, "d = I, hw%d\n", i);
    app(text, &o, "[I]\n%s[I.Services]\nAddService = Svc, 2, S\n[S]\n[R]\n" R_FILTER, inst);
    T_EQ(inf_parse_buffer("hostile.inf", text, o, &inf, &err), 0);
    l = load(inf, &amd64);
    T_EQ(l->n, 3000);
    T_STREQ(l->v[2999].manufacturer, "M0");
    inf_netcomp_free(l);
    inf_free(inf);

    /* Over 16384 components. */
    o = 0;
    app(text, &o, "%s[Manufacturer]\nM = Models\n[Models]\n", head);
    for (int i = 0; i < 17000; i++)
        app(text, &o, "d = I, hw%d\n", i);
    app(text, &o, "[I]\n%s[I.Services]\nAddService = Svc, 2, S\n[S]\n[R]\n" R_FILTER, inst);
    T_EQ(inf_parse_buffer("hostile.inf", text, o, &inf, &err), 0);
    T_EQ(inf_netcomp_load_target(inf, &amd64, &l, &err), -EFBIG);
    T_EQ(err.line, 8 + 16384);
    T_CONTAINS(err.reason, "more than 16384 components");
    inf_free(inf);

    /* 2000 DDInstall sections sharing a 4000-line AddReg section: 8M lines to read. */
    o = 0;
    app(text, &o, "%s[Manufacturer]\nM = Models\n[Models]\n", head);
    for (int i = 0; i < 2000; i++)
        app(text, &o, "d = I%d, hw\n", i);
    for (int i = 0; i < 2000; i++)
        app(text, &o, "[I%d]\n%s", i, inst);
    app(text, &o, "[R]\n" R_FILTER);
    for (int i = 0; i < 4000; i++)
        app(text, &o, "HKR, Ndi, X%d, , y\n", i);
    T_EQ(inf_parse_buffer("hostile.inf", text, o, &inf, &err), 0);
    T_EQ(inf_netcomp_load_target(inf, &amd64, &l, &err), -EFBIG);
    T_CONTAINS(err.reason, "more than 1048576 lines to read");
    inf_free(inf);
    free(text);
}

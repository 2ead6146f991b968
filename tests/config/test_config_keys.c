/*
 * test_config_keys.c - which key each NdisHandle opens
 * (nf-ndis-ndisopenconfigurationex.md): miniport, protocol and filter driver
 * handles, a miniport adapter handle (read from MiniportInitializeEx), a
 * binding handle and ProtocolBindAdapterEx's BindParameters, filter modules
 * with and without NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION; subkeys by
 * name and by index; NdisReadNetworkAddress formats and failures; the
 * binding's ProtocolSection and NdisOpenProtocolConfiguration.
 */
#include "cfg_test.h"

/* ---- reads from inside driver callbacks ------------------------------------------- */

static char bind_who[64];                /* "Who" read in ProtocolBindAdapterEx */
static BIND_HANDLER_EX kit_bind;

/* ProtocolBindAdapterEx of kitp0, wrapped: reads its binding's configuration
 * through the BindParameters pointer, then binds as the kit does. */
static NDIS_STATUS bind_reading_config(NDIS_HANDLE ctx, NDIS_HANDLE bindctx,
                                       PNDIS_BIND_PARAMETERS bp)
{
    NDIS_HANDLE c = NULL;
    if (cfg_open_flags(bp, 0, &c) == NDIS_STATUS_SUCCESS) {
        snprintf(bind_who, sizeof(bind_who), "%.*s", (int)sizeof(bind_who) - 1, cfg_str(c, "Who"));
        NdisCloseConfiguration(c);
    } else {
        snprintf(bind_who, sizeof(bind_who), "(open failed)");
    }
    return kit_bind(ctx, bindctx, bp);
}

static void hook_bind(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    kit_bind = c->BindAdapterHandlerEx;
    c->BindAdapterHandlerEx = bind_reading_config;
}

static UCHAR init_mac[NDIS_MAX_PHYS_ADDRESS_LENGTH];
static UINT init_mac_len;
static NDIS_STATUS init_mac_status;
static char init_ifname[64];
static MINIPORT_INITIALIZE_HANDLER kit_init;

/* MiniportInitializeEx of kitmp, wrapped: what a miniport reads at
 * initialization, with its MiniportAdapterHandle. */
static NDIS_STATUS init_reading_config(NDIS_HANDLE h, NDIS_HANDLE drvctx,
                                       PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
    NDIS_HANDLE c = cfg_open(h);
    PVOID addr;
    init_mac_len = 0;
    NdisReadNetworkAddress(&init_mac_status, &addr, &init_mac_len, c);
    if (init_mac_status == NDIS_STATUS_SUCCESS)
        memcpy(init_mac, addr, init_mac_len);
    snprintf(init_ifname, sizeof(init_ifname), "%.*s", (int)sizeof(init_ifname) - 1, cfg_str(c, "*IfName"));
    NdisCloseConfiguration(c);
    return kit_init(h, drvctx, ip);
}

static void hook_init(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    kit_init = c->InitializeHandlerEx;
    c->InitializeHandlerEx = init_reading_config;
}

/* "Who" under the key nh opens (with flags), or "(status)". */
static const char *who(NDIS_HANDLE nh, ULONG flags)
{
    static char out[64];
    NDIS_HANDLE c = NULL;
    NDIS_STATUS st = cfg_open_flags(nh, flags, &c);
    if (st != NDIS_STATUS_SUCCESS) {
        snprintf(out, sizeof(out), "(0x%08x)", (unsigned)st);
        return out;
    }
    snprintf(out, sizeof(out), "%.*s", (int)sizeof(out) - 1, cfg_str(c, "Who"));
    NdisCloseConfiguration(c);
    return out;
}

TEST(each_handle_opens_its_key)
{
    ndis_host *h = kit_host();
    static const struct {
        ndis_param_scope scope;
        const char *name, *value;
    } where[] = {
        {NDIS_PARAM_DRIVER, "kitmp", "miniport driver"},
        {NDIS_PARAM_ADAPTER, "a0", "adapter"},
        {NDIS_PARAM_DRIVER, "kitp0", "protocol driver"},
        {NDIS_PARAM_DRIVER, "kitp0\\Adapters\\a0", "binding"},
        {NDIS_PARAM_DRIVER, "kitf0", "filter driver"},
        {NDIS_PARAM_DRIVER, "kitf0\\Adapters\\a0", "module"},
        {NDIS_PARAM_DRIVER, "kitf1\\Adapters\\a0", "monitoring module"},
        {NDIS_PARAM_DRIVER, "kitf1\\Adapters\\a0\\Instance", "instance"},
    };
    for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
        T_EQ(ndis_host_set_param(h, where[i].scope, where[i].name, "Who", where[i].value), 0);
    static const unsigned char mac[6] = {0x02, 0x00, 0x4C, 0x4F, 0x4F, 0x50};
    ndis_adapter_config acfg = {.ifname = "tap0", .mac = mac};

    kit_mp.mutate_chars = hook_init;
    kit_proto[0].mutate_chars = hook_bind;
    ndis_driver_config monitoring = {.filter_type = 1};
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf0", kit_filter_entry, NULL), 0);
    T_EQ(ndis_host_load_driver(h, "kitf1", kit_filter_entry, &monitoring), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", &acfg), 0);

    /* In MiniportInitializeEx: the adapter's keywords, with what it arrived with. */
    T_EQ(init_mac_status, NDIS_STATUS_SUCCESS);
    T_EQ(init_mac_len, 6);
    T_ASSERT(memcmp(init_mac, mac, 6) == 0);
    T_STREQ(init_ifname, "tap0");
    /* In ProtocolBindAdapterEx: BindParameters open the binding's key. */
    T_STREQ(bind_who, "binding");

    T_STREQ(who(kit_mp_driver_handle(), 0), "miniport driver");
    T_STREQ(who(kit_mp_handle("a0"), 0), "adapter");
    T_STREQ(who(kit_proto_handle(0), 0), "protocol driver");
    T_STREQ(who(kit_proto_binding(0, "a0"), 0), "binding");
    T_STREQ(who(kit_filter_driver_handle(0), 0), "filter driver");
    T_STREQ(who(kit_filter_module(0, "a0"), 0), "module");
    T_STREQ(who(kit_filter_module(1, "a0"), 0), "monitoring module");
    T_STREQ(who(kit_filter_module(1, "a0"), NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION),
            "instance");

    /* Writes go to the key of the handle, and nowhere else. */
    NDIS_HANDLE c = cfg_open(kit_proto_binding(0, "a0"));
    T_EQ(cfg_write_int(c, "Metric", NdisParameterInteger, 25), NDIS_STATUS_SUCCESS);
    NdisCloseConfiguration(c);
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER, "kitp0\\Adapters\\a0", "Metric"), "25");
    T_STREQ(host_param(h, NDIS_PARAM_DRIVER, "kitp0", "Metric"), "(-2)");
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", "Metric"), "(-2)");

    /* Modifying filters must not use the instance flag; nor may other handles. */
    T_STREQ(who(kit_filter_module(0, "a0"), NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION),
            "(0xc0000001)");
    kit_expect_reports(1, "modifying filter drivers must not use it");
    T_STREQ(who(kit_mp_handle("a0"), NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION),
            "(0xc0000001)");
    kit_expect_reports(1, "miniport adapter handle 'a0'");
    kit_host_done(h);
}

/* ---- subkeys ------------------------------------------------------------------------ */

static NDIS_HANDLE by_name(NDIS_HANDLE c, const char *name, NDIS_STATUS *st)
{
    NDIS_HANDLE s = (NDIS_HANDLE)(uintptr_t)1;
    NdisOpenConfigurationKeyByName(st, c, us(name), &s);
    if (*st != NDIS_STATUS_SUCCESS)
        T_ASSERT(s == NULL);
    return s;
}

TEST(subkeys_by_name_and_index)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* Subkeys an operator (or an INF) made below the adapter's key. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\Ports\\1", "Speed", "10"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\Ports\\0", "Speed", "100"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\zeta", "X", "1"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\Alpha", "X", "2"), 0);

    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    NDIS_STATUS st;
    NDIS_HANDLE ports = by_name(c, "ports", &st); /* names are case-insensitive */
    T_EQ(st, NDIS_STATUS_SUCCESS);
    NDIS_HANDLE p1 = by_name(c, "Ports\\1", &st); /* a path below the key */
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(cfg_int(p1, "Speed", NdisParameterInteger), 10);
    by_name(c, "Missing", &st);
    T_EQ(st, NDIS_STATUS_FAILURE);
    by_name(c, "Ports\\2", &st);
    T_EQ(st, NDIS_STATUS_FAILURE);

    /* By index, in name order (case-insensitive), until NDIS_STATUS_FAILURE;
       with KeyName->Buffer NULL, NDIS supplies the name's storage. */
    static const char *const order[] = {"Alpha", "Ports", "zeta"};
    ULONG i;
    for (i = 0;; i++) {
        NDIS_STRING name = {0, 0, NULL};
        NDIS_HANDLE s = NULL;
        NdisOpenConfigurationKeyByIndex(&st, c, i, &name, &s);
        if (st != NDIS_STATUS_SUCCESS) {
            T_ASSERT(s == NULL);
            break;
        }
        T_ASSERT(i < 3);
        T_ASSERT_MSG(ustr_is(&name, order[i]), "subkey %lu", (unsigned long)i);
        T_EQ(name.Buffer[name.Length / sizeof(WCHAR)], 0);
        NdisCloseConfiguration(s);
    }
    T_EQ(i, 3);

    /* A caller-supplied buffer is filled; one too small is reported. */
    WCHAR buf[8];
    NDIS_STRING name = {0, sizeof(buf), buf};
    NDIS_HANDLE s = NULL;
    NdisOpenConfigurationKeyByIndex(&st, ports, 0, &name, &s);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_ASSERT(name.Buffer == buf && ustr_is(&name, "0"));
    T_EQ(cfg_int(s, "Speed", NdisParameterInteger), 100);
    /* Writes through a subkey handle land in that subkey. */
    T_EQ(cfg_write_str(s, "Duplex", "full"), NDIS_STATUS_SUCCESS);
    T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0\\Ports\\0", "Duplex"), "full");
    NdisCloseConfiguration(s);
    NDIS_STRING small = {0, 2, buf};
    NdisOpenConfigurationKeyByIndex(&st, c, 0, &small, &s);
    T_EQ(st, NDIS_STATUS_FAILURE);
    T_ASSERT(s == NULL);
    kit_expect_reports(1, "KeyName->MaximumLength is 2 bytes");

    /* Subkey handles are independent: the parent may close first. */
    NdisCloseConfiguration(c);
    T_EQ(cfg_int(p1, "Speed", NdisParameterInteger), 10);
    NdisCloseConfiguration(p1);
    NdisOpenConfigurationKeyByIndex(&st, ports, 2, &name, &s);
    T_EQ(st, NDIS_STATUS_FAILURE);
    NdisCloseConfiguration(ports);
    kit_host_done(h);
}

/* ---- NdisReadNetworkAddress ------------------------------------------------------------ */

/* NdisReadNetworkAddress of adapter a0 with NetworkAddress set to text (NULL:
 * absent); the bytes in out. */
static NDIS_STATUS read_address(ndis_host *h, const char *text, UCHAR *out, UINT *len)
{
    if (text)
        T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "NetworkAddress", text), 0);
    else
        ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "NetworkAddress");
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    NDIS_STATUS st = 0x12345678;
    PVOID addr = (PVOID)(uintptr_t)1;
    *len = 99;
    NdisReadNetworkAddress(&st, &addr, len, c);
    if (st == NDIS_STATUS_SUCCESS) {
        T_ASSERT(addr != NULL && *len <= NDIS_MAX_PHYS_ADDRESS_LENGTH);
        memcpy(out, addr, *len);
    } else {
        T_ASSERT(addr == NULL && *len == 0);
    }
    NdisCloseConfiguration(c);
    return st;
}

TEST(network_address_formats)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    UCHAR b[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    UINT n;
    static const UCHAR want[6] = {0x02, 0x00, 0x4C, 0x4F, 0x4F, 0x50};

    /* The two forms of the page: hyphenated pairs and plain digits. */
    T_EQ(read_address(h, "02-00-4C-4F-4F-50", b, &n), NDIS_STATUS_SUCCESS);
    T_ASSERT(n == 6 && memcmp(b, want, 6) == 0);
    T_EQ(read_address(h, "02004c4f4f50", b, &n), NDIS_STATUS_SUCCESS);
    T_ASSERT(n == 6 && memcmp(b, want, 6) == 0);
    /* Not validated: any whole number of bytes up to NDIS_MAX_PHYS_ADDRESS_LENGTH. */
    T_EQ(read_address(h, "FFFF", b, &n), NDIS_STATUS_SUCCESS);
    T_ASSERT(n == 2 && b[0] == 0xFF && b[1] == 0xFF);
    char longest[2 * NDIS_MAX_PHYS_ADDRESS_LENGTH + 3];
    memset(longest, 'a', 2 * NDIS_MAX_PHYS_ADDRESS_LENGTH);
    longest[2 * NDIS_MAX_PHYS_ADDRESS_LENGTH] = 0;
    T_EQ(read_address(h, longest, b, &n), NDIS_STATUS_SUCCESS);
    T_EQ(n, NDIS_MAX_PHYS_ADDRESS_LENGTH);
    strcat(longest, "aa");
    T_EQ(read_address(h, longest, b, &n), NDIS_STATUS_FAILURE);

    /* Malformed values and an absent one fail. */
    static const char *const bad[] = {"", "-", "02-00-4C-4F-4F-5", "02:00:4C:4F:4F:50",
                                      "02 00 4C 4F 4F 50", "zz", "0x020000000000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        T_ASSERT_MSG(read_address(h, bad[i], b, &n) == NDIS_STATUS_FAILURE, "'%s'", bad[i]);
    T_EQ(read_address(h, NULL, b, &n), NDIS_STATUS_FAILURE);

    /* "or the value stored was not a string" */
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    NDIS_CONFIGURATION_PARAMETER p;
    memset(&p, 0, sizeof(p));
    p.ParameterType = NdisParameterBinary;
    p.ParameterData.BinaryData.Buffer = (PVOID)want;
    p.ParameterData.BinaryData.Length = 6;
    NDIS_STATUS st;
    NdisWriteConfiguration(&st, c, us("NetworkAddress"), &p);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    PVOID addr;
    NdisReadNetworkAddress(&st, &addr, &n, c);
    T_EQ(st, NDIS_STATUS_FAILURE);

    /* The buffer is NDIS's until NdisCloseConfiguration: two reads, two buffers. */
    T_EQ(cfg_write_str(c, "NetworkAddress", "02-00-4C-4F-4F-50"), NDIS_STATUS_SUCCESS);
    PVOID a1, a2;
    UINT n1, n2;
    NdisReadNetworkAddress(&st, &a1, &n1, c);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    NdisReadNetworkAddress(&st, &a2, &n2, c);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_ASSERT(a1 != a2 && n1 == 6 && n2 == 6 && memcmp(a1, want, 6) == 0 &&
             memcmp(a2, want, 6) == 0);
    NdisCloseConfiguration(c);

    /* Any configuration handle is searched for the keyword: a driver's too. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "kitmp", "NetworkAddress", "0A0B"), 0);
    c = cfg_open(kit_mp_driver_handle());
    NdisReadNetworkAddress(&st, &a1, &n1, c);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(n1, 2);
    NdisCloseConfiguration(c);
    kit_host_done(h);
}

/* ---- NdisOpenProtocolConfiguration ------------------------------------------------------- */

static char section_ip[64];       /* "IPAddress" read through ProtocolSection in the bind */
static BIND_HANDLER_EX kit_bind2;

/* ProtocolBindAdapterEx of kitp0, wrapped: the NDIS 5 way, through the
 * ProtocolSection of its BindParameters. */
static NDIS_STATUS bind_reading_section(NDIS_HANDLE ctx, NDIS_HANDLE bindctx,
                                        PNDIS_BIND_PARAMETERS bp)
{
    NDIS_HANDLE c = NULL;
    NDIS_STATUS st;
    NdisOpenProtocolConfiguration(&st, &c, bp->ProtocolSection);
    if (st == NDIS_STATUS_SUCCESS) {
        snprintf(section_ip, sizeof(section_ip), "%.*s", (int)sizeof(section_ip) - 1, cfg_str(c, "IPAddress"));
        NdisCloseConfiguration(c);
    } else {
        snprintf(section_ip, sizeof(section_ip), "(0x%08x)", (unsigned)st);
    }
    return kit_bind2(ctx, bindctx, bp);
}

static void hook_bind_section(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    kit_bind2 = c->BindAdapterHandlerEx;
    c->BindAdapterHandlerEx = bind_reading_section;
}

TEST(protocol_section_opens_the_binding_key)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* The operator's per-binding value: the protocol's key "Adapters\<adapter>". */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "kitp0\\Adapters\\a0", "IPAddress",
                             "192.0.2.7"),
         0);
    kit_proto[0].mutate_chars = hook_bind_section;
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    T_STREQ(section_ip, "192.0.2.7");

    /* Outside a callback: charged to the driver the section names; the same
       key as the binding handle's. */
    static WCHAR buf[64];
    NDIS_STRING sec = {0, sizeof(buf), buf};
    const char *text = "kitp0\\Parameters\\Adapters\\a0";
    for (size_t i = 0; text[i]; i++, sec.Length += 2)
        buf[i] = (WCHAR)text[i];
    NDIS_HANDLE c = (NDIS_HANDLE)1;
    NDIS_STATUS st;
    NdisOpenProtocolConfiguration(&st, &c, &sec);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(cfg_write_str(c, "Written", "by section"), NDIS_STATUS_SUCCESS);
    NdisCloseConfiguration(c);
    c = cfg_open(kit_proto_binding(0, "a0"));
    T_STREQ(cfg_str(c, "Written"), "by section");
    NdisCloseConfiguration(c);

    /* Misuse: reported, NDIS_STATUS_FAILURE, no handle. */
    NdisOpenProtocolConfiguration(&st, &c, us("nosuch\\Parameters"));
    T_EQ(st, NDIS_STATUS_FAILURE);
    T_ASSERT(c == NULL);
    NdisOpenProtocolConfiguration(&st, &c, NULL);
    NdisOpenProtocolConfiguration(&st, NULL, &sec);
    NdisOpenProtocolConfiguration(NULL, &c, &sec);
    kit_expect_reports(4, "NdisOpenProtocolConfiguration");
    /* Left open: reported at the protocol's unload, like any handle. */
    NdisOpenProtocolConfiguration(&st, &c, &sec);
    T_EQ(ndis_host_unload_driver(h, "kitp0"), -EBUSY);
    kit_expect_reports(1, "driver 'kitp0' unloaded still holding 1 open configuration handles");
    kit_host_done(h);
}

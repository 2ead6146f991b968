/*
 * test_config_read.c - NdisReadConfiguration: each NDIS_PARAMETER_TYPE from
 * each registry type (nf-ndis-ndisreadconfiguration.md,
 * ns-ndis-_ndis_configuration_parameter.md), missing keywords, the keywords
 * NDIS answers itself, and the lifetime of what it returns.
 */
#include "cfg_test.h"
#include "registry/registry.h"

/* Writes typed values into Adapters\a0\Parameters of the store at dir, the
 * way an operator's tool would before the instance starts. */
static void seed_store(const char *dir)
{
    char err[512];
    reg_store *st;
    T_ASSERT_MSG(reg_store_open(dir, &st, err, sizeof(err)) == 0, "%s", err);
    reg_key *k;
    T_EQ(reg_key_open(st, "Adapters\\a0\\Parameters", REG_CREATE, &k), 0);
    static const char *items[] = {"a", "bc"};
    static const uint8_t blob[] = {0x01, 0x02, 0xFF};
    struct {
        const char *name;
        reg_value *v;
    } vals[] = {
        {"Dword", reg_value_dword(9014)},
        {"SmallQword", reg_value_qword(77)},
        {"BigQword", reg_value_qword(0x100000000ull)},
        {"Text", reg_value_sz("1514")},
        {"Hex", reg_value_sz("5ea")},
        {"HexPrefixed", reg_value_sz("0x5EA")},
        {"Minus", reg_value_sz("-1")},
        {"TooBig", reg_value_sz("4294967296")},
        {"Words", reg_value_sz("ndis5")},
        {"Empty", reg_value_sz("")},
        {"Expand", reg_value_expand_sz("%SystemRoot%")},
        {"List", reg_value_multi_sz(items, 2)},
        {"Blob", reg_value_binary(blob, sizeof(blob))},
        {"NoBytes", reg_value_binary(NULL, 0)},
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        T_ASSERT(vals[i].v != NULL);
        T_EQ(reg_set_value(k, vals[i].name, vals[i].v), 0);
        reg_value_free(vals[i].v);
    }
    reg_key_close(k);
    reg_store_close(st);
}

static ndis_host *host_with_a0(const char *dir)
{
    ndis_host_options o = {.name = "cfg", .registry_dir = dir};
    ndis_host *h = kit_host_opts(&o);
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    return h;
}

TEST(integers_from_dword_qword_and_strings)
{
    const char *dir = t_tmpdir();
    seed_store(dir);
    ndis_host *h = host_with_a0(dir);
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    PNDIS_CONFIGURATION_PARAMETER p;

    /* REG_DWORD: the number, whatever base is asked (no reinterpretation). */
    T_EQ(cfg_int(c, "Dword", NdisParameterInteger), 9014);
    T_EQ(cfg_int(c, "Dword", NdisParameterHexInteger), 9014);
    T_EQ(cfg_int(c, "SmallQword", NdisParameterInteger), 77);
    T_EQ(cfg_read(c, "BigQword", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);

    /* REG_SZ: parsed in base 10 for Integer, 16 for HexInteger, and a
       HexInteger read comes back as NdisParameterInteger (cfg_int checks). */
    T_EQ(cfg_int(c, "Text", NdisParameterInteger), 1514);
    T_EQ(cfg_int(c, "Text", NdisParameterHexInteger), 0x1514);
    T_EQ(cfg_int(c, "Hex", NdisParameterHexInteger), 0x5ea);
    T_EQ(cfg_read(c, "Hex", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    T_EQ(cfg_int(c, "HexPrefixed", NdisParameterHexInteger), 0x5ea);
    T_EQ(cfg_int(c, "Minus", NdisParameterInteger), 0xFFFFFFFFu);
    T_EQ(cfg_read(c, "TooBig", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    T_EQ(cfg_read(c, "Words", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    T_EQ(cfg_read(c, "Empty", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    /* Lists and bytes are not integers. */
    T_EQ(cfg_read(c, "List", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    T_EQ(cfg_read(c, "Blob", NdisParameterHexInteger, &p), NDIS_STATUS_FAILURE);

    /* Keywords are case-insensitive, as registry value names. */
    T_EQ(cfg_int(c, "dWORD", NdisParameterInteger), 9014);

    /* Missing: NDIS_STATUS_FAILURE ("could not be found"), ParameterValue NULL. */
    for (int t = NdisParameterInteger; t <= NdisParameterBinary; t++)
        T_EQ(cfg_read(c, "Missing", (NDIS_PARAMETER_TYPE)t, &p), NDIS_STATUS_FAILURE);

    NdisCloseConfiguration(c);
    kit_host_done(h);
}

TEST(strings_lists_and_binary)
{
    const char *dir = t_tmpdir();
    seed_store(dir);
    ndis_host *h = host_with_a0(dir);
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    PNDIS_CONFIGURATION_PARAMETER p;

    T_STREQ(cfg_str(c, "Words"), "ndis5");
    T_STREQ(cfg_str(c, "Text"), "1514");
    T_STREQ(cfg_str(c, "Empty"), "");
    T_STREQ(cfg_str(c, "Expand"), "%SystemRoot%"); /* nothing is expanded */
    /* A number read as a string is its decimal text. */
    T_STREQ(cfg_str(c, "Dword"), "9014");
    T_STREQ(cfg_str(c, "List"), "(0xc0000001)");
    T_STREQ(cfg_str(c, "Blob"), "(0xc0000001)");

    /* REG_MULTI_SZ: every string NUL-terminated, then one more NUL; Length
       counts all of them. */
    T_EQ(cfg_read(c, "List", NdisParameterMultiString, &p), NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterType, NdisParameterMultiString);
    static const WCHAR want[] = {'a', 0, 'b', 'c', 0, 0};
    T_EQ(p->ParameterData.StringData.Length, sizeof(want));
    T_ASSERT(memcmp(p->ParameterData.StringData.Buffer, want, sizeof(want)) == 0);
    /* A string read as a list is a list of one string; an empty one, of none. */
    T_EQ(cfg_read(c, "Words", NdisParameterMultiString, &p), NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterData.StringData.Length, 7 * sizeof(WCHAR));
    T_EQ(p->ParameterData.StringData.Buffer[5], 0);
    T_EQ(p->ParameterData.StringData.Buffer[6], 0);
    T_EQ(cfg_read(c, "Empty", NdisParameterMultiString, &p), NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterData.StringData.Length, sizeof(WCHAR));
    T_EQ(cfg_read(c, "Dword", NdisParameterMultiString, &p), NDIS_STATUS_FAILURE);

    /* REG_BINARY: the bytes, and only from REG_BINARY. */
    T_EQ(cfg_read(c, "Blob", NdisParameterBinary, &p), NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterType, NdisParameterBinary);
    T_EQ(p->ParameterData.BinaryData.Length, 3);
    T_ASSERT(memcmp(p->ParameterData.BinaryData.Buffer, "\x01\x02\xFF", 3) == 0);
    T_EQ(cfg_read(c, "NoBytes", NdisParameterBinary, &p), NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterData.BinaryData.Length, 0);
    T_ASSERT(p->ParameterData.BinaryData.Buffer != NULL);
    T_EQ(cfg_read(c, "Text", NdisParameterBinary, &p), NDIS_STATUS_FAILURE);
    T_EQ(cfg_read(c, "Dword", NdisParameterBinary, &p), NDIS_STATUS_FAILURE);

    NdisCloseConfiguration(c);
    kit_host_done(h);
}

TEST(predefined_keywords_answered_by_ndis)
{
    ndis_host *h = host_with_a0(NULL);
    /* Even a value of that name in the registry does not hide them. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "NdisVersion", "1"), 0);
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    /* 0xMMMMmmmm: the highest version libndis supports, 6.82. */
    T_EQ(cfg_int(c, "NdisVersion", NdisParameterInteger), 0x00060052);
    T_EQ(cfg_int(c, "ndisversion", NdisParameterHexInteger), 0x00060052);
#if defined(__x86_64__)
    T_EQ(cfg_int(c, "ProcessorType", NdisParameterInteger), 4); /* NdisProcessorAmd64 */
    T_EQ(NdisProcessorAmd64, 4);
#elif defined(__aarch64__)
    T_EQ(cfg_int(c, "ProcessorType", NdisParameterInteger), 7); /* NdisProcessorArm64 */
    T_EQ(NdisProcessorArm64, 7);
#endif
    /* NDIS 5's Environment: NdisEnvironmentWindowsNt. */
    T_EQ(cfg_int(c, "Environment", NdisParameterInteger), 1);
    T_EQ(NdisEnvironmentWindowsNt, 1);
    NdisCloseConfiguration(c);
    /* Any configuration handle: a driver handle too. */
    c = cfg_open(kit_mp_driver_handle());
    T_EQ(cfg_int(c, "NdisVersion", NdisParameterInteger), 0x00060052);
    NdisCloseConfiguration(c);
    kit_host_done(h);
}

TEST(results_live_until_close)
{
    ndis_host *h = host_with_a0(NULL);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Name", "first"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu", "1500"), 0);
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    PNDIS_CONFIGURATION_PARAMETER keep[64];
    /* Every result is separate storage and stays valid through later reads
       and writes, until NdisCloseConfiguration (ASan checks the frees). */
    for (int i = 0; i < 64; i += 2) {
        T_EQ(cfg_read(c, "Name", NdisParameterString, &keep[i]), NDIS_STATUS_SUCCESS);
        T_EQ(cfg_read(c, "Mtu", NdisParameterInteger, &keep[i + 1]), NDIS_STATUS_SUCCESS);
        if (i == 32)
            T_EQ(cfg_write_str(c, "Name", "second"), NDIS_STATUS_SUCCESS);
    }
    for (int i = 0; i < 64; i += 2) {
        T_ASSERT(ustr_is(&keep[i]->ParameterData.StringData, i <= 32 ? "first" : "second"));
        T_EQ(keep[i + 1]->ParameterData.IntegerData, 1500);
    }
    T_ASSERT(keep[0] != keep[2]);
    NdisCloseConfiguration(c);
    kit_host_done(h);
}

/*
 * test_config_verifier.c - misuse of the configuration DDIs, reported by the
 * verifier with the DDI and the rule (and the DDI failing safely in log
 * mode): NULL and malformed parameters, wrong, NULL and stale (closed)
 * handles, writes of types the page does not allow, calls above the IRQL the
 * pages allow, and configuration handles still open when their adapter is
 * halted (rule NdisOpenConfigurationEx) or their driver unloads.
 */
#include "cfg_test.h"

static ndis_host *host_with_a0(void)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    return h;
}

TEST(open_parameters_checked)
{
    ndis_host *h = host_with_a0();
    NDIS_HANDLE c = (NDIS_HANDLE)(uintptr_t)1;

    T_EQ(NdisOpenConfigurationEx(NULL, &c), NDIS_STATUS_FAILURE);
    T_ASSERT(c == NULL);
    kit_expect_reports(1, "NdisOpenConfigurationEx: ConfigObject is NULL");

    NDIS_CONFIGURATION_OBJECT o;
    memset(&o, 0, sizeof(o));
    o.NdisHandle = kit_mp_handle("a0");
    T_EQ(NdisOpenConfigurationEx(&o, NULL), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "ConfigurationHandle is NULL");
    T_EQ(NdisOpenConfigurationEx(&o, &c), NDIS_STATUS_FAILURE); /* header all zero */
    kit_expect_reports(1, "NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT");
    o.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    o.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    o.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 - 1;
    T_EQ(NdisOpenConfigurationEx(&o, &c), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "Size");

    T_EQ(cfg_open_flags(kit_mp_handle("a0"), 0x80, &c), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "unknown bits");
    T_EQ(cfg_open_flags(NULL, 0, &c), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "NdisHandle is NULL");
    /* Not a handle NDIS gave a driver: a configuration handle, then garbage. */
    NDIS_HANDLE ok = cfg_open(kit_mp_handle("a0"));
    T_EQ(cfg_open_flags(ok, 0, &c), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "is a configuration handle");
    static unsigned char junk[64];
    T_EQ(cfg_open_flags(junk, 0, &c), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "is not an NDIS handle");
    T_ASSERT(c == NULL);
    NdisCloseConfiguration(ok);
    kit_host_done(h);
}

TEST(wrong_null_and_stale_configuration_handles)
{
    ndis_host *h = host_with_a0();
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER p;
    NDIS_HANDLE s;
    PVOID addr;
    UINT len;

    /* A handle of another kind where a configuration handle is expected. */
    NdisReadConfiguration(&st, &p, kit_mp_handle("a0"), us("x"), NdisParameterInteger);
    T_EQ(st, NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "NdisReadConfiguration: ConfigurationHandle");
    NdisReadConfiguration(&st, &p, NULL, us("x"), NdisParameterInteger);
    kit_expect_reports(1, "ConfigurationHandle is NULL");

    /* Closed: every DDI sees a stale handle. */
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    NdisCloseConfiguration(c);
    NdisReadConfiguration(&st, &p, c, us("x"), NdisParameterInteger);
    T_EQ(st, NDIS_STATUS_FAILURE);
    T_ASSERT(p == NULL);
    T_EQ(cfg_write_int(c, "x", NdisParameterInteger, 1), NDIS_STATUS_FAILURE);
    NdisReadNetworkAddress(&st, &addr, &len, c);
    T_EQ(st, NDIS_STATUS_FAILURE);
    NdisOpenConfigurationKeyByName(&st, c, us("x"), &s);
    T_EQ(st, NDIS_STATUS_FAILURE);
    NDIS_STRING name = {0, 0, NULL};
    NdisOpenConfigurationKeyByIndex(&st, c, 0, &name, &s);
    T_EQ(st, NDIS_STATUS_FAILURE);
    NdisCloseConfiguration(c); /* closing twice */
    kit_expect_reports(6, "stale handle: a freed configuration handle");
    kit_host_done(h);
}

TEST(read_write_parameters_checked)
{
    ndis_host *h = host_with_a0();
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER p;

    NdisReadConfiguration(NULL, &p, c, us("x"), NdisParameterInteger);
    kit_expect_reports(1, "NdisReadConfiguration: Status is NULL");
    NdisReadConfiguration(&st, NULL, c, us("x"), NdisParameterInteger);
    T_EQ(st, NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "ParameterValue is NULL");
    NdisReadConfiguration(&st, &p, c, NULL, NdisParameterInteger);
    kit_expect_reports(1, "Keyword is NULL");
    NDIS_STRING odd = *us("x");
    odd.Length = 3;
    NdisReadConfiguration(&st, &p, c, &odd, NdisParameterInteger);
    kit_expect_reports(1, "Keyword has an odd Length");
    NDIS_STRING nobuf = {4, 4, NULL};
    NdisReadConfiguration(&st, &p, c, &nobuf, NdisParameterInteger);
    kit_expect_reports(1, "Keyword has a Length but a NULL Buffer");
    NdisReadConfiguration(&st, &p, c, us("x"), (NDIS_PARAMETER_TYPE)9);
    T_EQ(st, NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "ParameterType 9 is not an NDIS_PARAMETER_TYPE");
    /* A keyword whose Length counts its terminator is read up to it. */
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Mtu", "1500"), 0);
    NDIS_STRING withnul = *us("Mtu");
    withnul.Length += sizeof(WCHAR);
    NdisReadConfiguration(&st, &p, c, &withnul, NdisParameterInteger);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(p->ParameterData.IntegerData, 1500);

    /* Writes: types the page does not allow, malformed data. */
    T_EQ(cfg_write_int(c, "x", (NDIS_PARAMETER_TYPE)7, 1), NDIS_STATUS_NOT_SUPPORTED);
    kit_expect_reports(1, "NdisWriteConfiguration: ParameterType 7 is not an NDIS_PARAMETER_TYPE");
    NDIS_CONFIGURATION_PARAMETER w;
    memset(&w, 0, sizeof(w));
    w.ParameterType = NdisParameterBinary;
    w.ParameterData.BinaryData.Length = 4;
    NdisWriteConfiguration(&st, c, us("x"), &w);
    T_EQ(st, NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "BinaryData has Length 4 and a NULL Buffer");
    w.ParameterType = NdisParameterString;
    w.ParameterData.StringData.Length = 3;
    w.ParameterData.StringData.Buffer = us("abc")->Buffer;
    NdisWriteConfiguration(&st, c, us("x"), &w);
    T_EQ(st, NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "StringData has an odd Length");
    NdisWriteConfiguration(&st, c, us("x"), NULL);
    kit_expect_reports(1, "ParameterValue is NULL");
    NdisWriteConfiguration(NULL, c, us("x"), &w);
    kit_expect_reports(1, "NdisWriteConfiguration: Status is NULL");
    /* Not reported, but not storable: an unpaired surrogate. */
    static WCHAR lone[] = {0xD800, 'a'};
    w.ParameterData.StringData.Buffer = lone;
    w.ParameterData.StringData.Length = sizeof(lone);
    NdisWriteConfiguration(&st, c, us("x"), &w);
    T_EQ(st, NDIS_STATUS_FAILURE);
    PNDIS_CONFIGURATION_PARAMETER q;
    T_EQ(cfg_read(c, "x", NdisParameterString, &q), NDIS_STATUS_FAILURE);

    /* Subkey and address out-parameters. */
    NDIS_HANDLE s;
    NdisOpenConfigurationKeyByName(&st, c, us("x"), NULL);
    kit_expect_reports(1, "SubKeyHandle is NULL");
    NdisOpenConfigurationKeyByName(&st, c, NULL, &s);
    kit_expect_reports(1, "SubKeyName is NULL");
    NdisOpenConfigurationKeyByIndex(&st, c, 0, NULL, &s);
    kit_expect_reports(1, "KeyName is NULL");
    PVOID addr;
    NdisReadNetworkAddress(&st, &addr, NULL, c);
    kit_expect_reports(1, "NetworkAddressLength is NULL");
    NdisCloseConfiguration(c);
    kit_host_done(h);
}

TEST(irql_checked)
{
    ndis_host *h = host_with_a0();
    NDIS_HANDLE c = cfg_open(kit_mp_handle("a0"));
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\Sub", "x", "1"), 0);
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER p;
    NDIS_HANDLE s = NULL, n = NULL;
    KIRQL old;

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    T_EQ(cfg_open_flags(kit_mp_handle("a0"), 0, &n), NDIS_STATUS_FAILURE);
    NdisReadConfiguration(&st, &p, c, us("x"), NdisParameterInteger);
    T_EQ(st, NDIS_STATUS_FAILURE);
    T_EQ(cfg_write_int(c, "x", NdisParameterInteger, 1), NDIS_STATUS_FAILURE);
    NdisOpenConfigurationKeyByName(&st, c, us("Sub"), &s);
    T_EQ(st, NDIS_STATUS_FAILURE);
    NdisCloseConfiguration(c); /* refused: stays open */
    KeLowerIrql(old);
    kit_expect_reports(5, "Irql_Miscellaneous_Function");

    /* The subkey DDIs run below DISPATCH_LEVEL; the others at PASSIVE_LEVEL only. */
    KeRaiseIrql(APC_LEVEL, &old);
    NdisOpenConfigurationKeyByName(&st, c, us("Sub"), &s);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    NdisReadConfiguration(&st, &p, s, us("x"), NdisParameterInteger);
    T_EQ(st, NDIS_STATUS_FAILURE);
    KeLowerIrql(old);
    kit_expect_reports(1, "it must be called at IRQL == PASSIVE_LEVEL");
    NdisCloseConfiguration(s);
    NdisCloseConfiguration(c);
    kit_host_done(h);
}

TEST(open_handles_reported_when_the_driver_unloads)
{
    ndis_host *h = host_with_a0();
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER, "kitmp\\Sub", "x", "1"), 0);
    NDIS_HANDLE d = cfg_open(kit_mp_driver_handle());
    NDIS_STATUS st;
    NDIS_HANDLE s;
    NdisOpenConfigurationKeyByName(&st, d, us("Sub"), &s);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    NDIS_HANDLE a = cfg_open(kit_mp_handle("a0"));
    PNDIS_CONFIGURATION_PARAMETER p;
    T_EQ(cfg_read(s, "x", NdisParameterString, &p), NDIS_STATUS_SUCCESS);
    NdisCloseConfiguration(a); /* closed: not counted */
    a = cfg_open(kit_mp_handle("a0"));

    /* The driver goes with three handles open: the adapter's is reported when
       the adapter is halted before the unload (rule NdisOpenConfigurationEx),
       the driver key's and the subkey's at the unload. */
    T_EQ(ndis_host_unload_driver(h, "kitmp"), -EBUSY);
    T_EQ(kit_reports_matching("configuration handle Adapters\\a0\\Parameters of adapter 'a0' "
                              "open when the adapter ended"), 1);
    T_EQ(kit_reports_matching("driver 'kitmp' unloaded still holding 2 open configuration "
                              "handles"), 1);
    T_EQ(kit_reports(), 2);
    kit_reports_clear();
    /* NDIS closed them (and freed what they returned): stale for the driver. */
    NdisCloseConfiguration(s);
    NdisCloseConfiguration(a);
    kit_expect_reports(2, "NdisCloseConfiguration");
    kit_host_done(h);
}

TEST(adapter_handles_reported_past_miniport_halt)
{
    ndis_host *h = host_with_a0();
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\Sub", "x", "1"), 0);
    NDIS_HANDLE a = cfg_open(kit_mp_handle("a0")), s, d = cfg_open(kit_mp_driver_handle());
    NDIS_STATUS st;
    NdisOpenConfigurationKeyByName(&st, a, us("Sub"), &s);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    NdisCloseConfiguration(a); /* the subkey outlives its parent, not the adapter */
    T_EQ(ndis_host_remove_adapter(h, "a0"), 0);
    kit_expect_reports(1, "configuration handle Adapters\\a0\\Parameters\\Sub of adapter 'a0'");
    NdisCloseConfiguration(s); /* NDIS closed it */
    kit_expect_reports(1, "NdisCloseConfiguration");
    /* The driver's own key lives until the driver goes. */
    T_EQ(cfg_write_str(d, "Still", "open"), NDIS_STATUS_SUCCESS);
    NdisCloseConfiguration(d);
    T_EQ(ndis_host_unload_driver(h, "kitmp"), 0);
    kit_host_done(h);
}

TEST(closing_keeps_the_count_balanced)
{
    ndis_host *h = host_with_a0();
    NDIS_STATUS st;
    for (int i = 0; i < 100; i++) {
        NDIS_HANDLE c = cfg_open(i % 2 ? kit_mp_handle("a0") : kit_mp_driver_handle());
        NDIS_STRING name = {0, 0, NULL};
        NDIS_HANDLE s;
        NdisOpenConfigurationKeyByIndex(&st, c, 0, &name, &s); /* no subkeys */
        T_EQ(st, NDIS_STATUS_FAILURE);
        NdisCloseConfiguration(c);
    }
    /* Nothing open: the driver unloads cleanly. */
    T_EQ(ndis_host_unload_driver(h, "kitmp"), 0);
    kit_host_done(h);
}

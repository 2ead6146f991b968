/*
 * test_registration.c - every return code of NdisMRegisterMiniportDriver and
 * NdisRegisterProtocolDriver, and the documented rules of
 * NdisMDeregisterMiniportDriver (DriverEntry failure path, MiniportDriverUnload).
 */
#include <errno.h>

#include "kit.h"
#include "test.h"

static ndis_host *h;

/* ---- NdisMRegisterMiniportDriver ------------------------------------------------ */

static void mp_bad_type(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->Header.Type = NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS;
}
static void mp_small(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
}
static void mp_rev2_on_60(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->MinorNdisVersion = 0;
}
static void mp_no_halt(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->HaltHandlerEx = NULL;
}
static void mp_no_cancel_oid(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->CancelOidRequestHandler = NULL;
}
static BOOLEAN hang(NDIS_HANDLE ctx)
{
    (void)ctx;
    return FALSE;
}
static void mp_hang_no_reset(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->CheckForHangHandlerEx = hang;
}
static void mp_major5(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->MajorNdisVersion = 5;
    c->MinorNdisVersion = 1;
}
static void mp_minor99(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c)
{
    c->MinorNdisVersion = 99;
}

static void expect_mp_register(void (*mut)(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *),
                               NDIS_STATUS want)
{
    h = kit_host();
    kit_mp.mutate_chars = mut;
    int rc = ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL);
    T_EQ(kit_mp.last_register_status, want);
    T_EQ(rc, want == NDIS_STATUS_SUCCESS ? 0 : -EIO);
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    T_EQ(c.drivers, want == NDIS_STATUS_SUCCESS ? 1 : 0);
    kit_host_done(h);
}

TEST(miniport_register_success)
{
    expect_mp_register(NULL, NDIS_STATUS_SUCCESS);
    T_EQ(kit_log_count("MiniportDriverUnload"), 1);
}

TEST(miniport_register_bad_characteristics)
{
    expect_mp_register(mp_bad_type, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_mp_register(mp_small, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_mp_register(mp_rev2_on_60, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_mp_register(mp_no_halt, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_mp_register(mp_no_cancel_oid, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_mp_register(mp_hang_no_reset, NDIS_STATUS_BAD_CHARACTERISTICS);
}

TEST(miniport_register_bad_version)
{
    expect_mp_register(mp_major5, NDIS_STATUS_BAD_VERSION);
    expect_mp_register(mp_minor99, NDIS_STATUS_BAD_VERSION);
}

TEST(miniport_register_resources)
{
    h = kit_host();
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 1);
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), -EIO);
    T_EQ(kit_mp.last_register_status, NDIS_STATUS_RESOURCES);
    T_EQ(ndis_fault_injected(NDIS_FAULT_ALLOC_NDIS), 1);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 0);
    kit_host_done(h);
}

static NTSTATUS twice_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    NTSTATUS st = kit_mp_entry(d, r);
    if (st != STATUS_SUCCESS)
        return st;
    NDIS_HANDLE first = kit_mp_driver_handle();
    /* The same, valid characteristics a second time: the driver already registered. */
    (void)kit_mp_entry(d, r);
    kit_mp_set_driver_handle(first);
    return STATUS_SUCCESS;
}

TEST(miniport_register_failure_on_second_registration)
{
    h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", twice_entry, NULL), 0);
    T_EQ(kit_mp.last_register_status, NDIS_STATUS_FAILURE);
    kit_host_done(h);
}

/* ---- NdisMDeregisterMiniportDriver ------------------------------------------------ */

TEST(miniport_deregister_on_driverentry_failure)
{
    h = kit_host();
    kit_mp.fail_entry_after_register = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), -EIO);
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    T_EQ(c.drivers, 0);
    kit_host_done(h);
}

TEST(miniport_failed_driverentry_without_deregister_is_reported)
{
    h = kit_host();
    kit_mp.fail_entry_after_register = true;
    kit_mp.no_deregister_on_failure = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), -EIO);
    kit_expect_reports(1, "without calling NdisMDeregisterMiniportDriver");
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    T_EQ(c.drivers, 0);
    /* The host is consistent: the driver loads again. */
    kit_mp.fail_entry_after_register = false;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    kit_host_done(h);
}

TEST(miniport_unload_without_deregister_is_reported)
{
    h = kit_host();
    kit_mp.no_deregister_on_unload = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_unload_driver(h, "kitmp"), -EBUSY);
    kit_expect_reports(1, "without calling NdisMDeregisterMiniportDriver");
    kit_host_done(h);
}

TEST(miniport_deregister_from_wrong_context_is_refused)
{
    h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    /* Not from DriverEntry nor MiniportDriverUnload: refused, driver intact. */
    NdisMDeregisterMiniportDriver(kit_mp_driver_handle());
    kit_expect_reports(1, "MiniportDriverUnload");
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    T_EQ(c.drivers, 1);
    T_EQ(c.adapters, 1);
    kit_host_done(h);
    T_EQ(kit_log_count("MiniportHaltEx(a0"), 1);
}

/* ---- NdisRegisterProtocolDriver ----------------------------------------------------- */

static void pr_major5(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    c->MajorNdisVersion = 5;
}
static void pr_no_bind(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    c->BindAdapterHandlerEx = NULL;
}
static void pr_no_name(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    c->Name.Length = 0;
}
static void pr_bad_rev(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    c->Header.Revision = 7;
}
static void pr_small(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    c->Header.Size = 8;
}

static void expect_pr_register(void (*mut)(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *),
                               NDIS_STATUS want)
{
    h = kit_host();
    kit_proto[0].mutate_chars = mut;
    int rc = ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL);
    T_EQ(kit_proto[0].last_register_status, want);
    T_EQ(rc, want == NDIS_STATUS_SUCCESS ? 0 : -EIO);
    kit_host_done(h);
}

TEST(protocol_register_codes)
{
    expect_pr_register(NULL, NDIS_STATUS_SUCCESS);
    expect_pr_register(pr_major5, NDIS_STATUS_BAD_VERSION);
    expect_pr_register(pr_no_bind, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_pr_register(pr_no_name, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_pr_register(pr_bad_rev, NDIS_STATUS_BAD_CHARACTERISTICS);
    expect_pr_register(pr_small, NDIS_STATUS_BAD_CHARACTERISTICS);
}

TEST(protocol_register_resources)
{
    h = kit_host();
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 1);
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), -EIO);
    T_EQ(kit_proto[0].last_register_status, NDIS_STATUS_RESOURCES);
    ndis_fault_inject(NDIS_FAULT_ALLOC_NDIS, 0, 0);
    kit_host_done(h);
}

static void pr_same_name(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c)
{
    static WCHAR n[] = {'k', 'i', 't', 'p', '0'};
    c->Name.Buffer = n;
    c->Name.Length = sizeof(n);
    c->Name.MaximumLength = sizeof(n);
}

TEST(protocol_register_failure_on_duplicate_name)
{
    h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
    kit_proto[1].mutate_chars = pr_same_name;
    T_EQ(ndis_host_load_driver(h, "kitp1", kit_proto_entry, NULL), -EIO);
    T_EQ(kit_proto[1].last_register_status, NDIS_STATUS_FAILURE);
    kit_host_done(h);
}

TEST(protocol_register_outside_driver_code_is_refused)
{
    h = kit_host();
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof(c));
    NDIS_HANDLE ph = NULL;
    /* From a thread where no driver code runs, NDIS cannot tell who registers. */
    T_EQ(NdisRegisterProtocolDriver(NULL, &c, &ph), NDIS_STATUS_FAILURE);
    kit_expect_reports(1, "NdisRegisterProtocolDriver");
    kit_host_done(h);
}

TEST(protocol_reregistration_after_deregistration)
{
    h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    for (int round = 0; round < 3; round++) {
        T_EQ(ndis_host_load_driver(h, "kitp0", kit_proto_entry, NULL), 0);
        T_ASSERT(kit_proto_binding(0, "a0") != NULL);
        T_EQ(ndis_host_unload_driver(h, "kitp0"), 0);
    }
    T_EQ(kit_log_count("ProtocolBindAdapterEx(kitp0,a0)"), 3);
    T_EQ(kit_log_count("ProtocolUnbindAdapterEx(kitp0,a0)"), 3);
    kit_host_done(h);
}

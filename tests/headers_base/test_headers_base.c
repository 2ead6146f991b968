/*
 * test_headers_base.c - runtime checks of the base driver headers (sal.h,
 * ntstatus.h, wdm.h/ntddk.h, ifdef.h, ntddndis.h, ndis/status.h,
 * ndis/version.h, ndis/oidtypes.h, ndis/ndisport.h, ndis/oidrequest.h,
 * ndis/netpnp.h): Windows type widths, structure layouts, the inline list and
 * interlocked helpers, the MDL macros, version selection and ASSERT.
 * Nothing here calls into libndis; the table of values is in constants_table.c.
 */
#include <ntddk.h>
#include <ntddndis.h>
#include <ndis/status.h>
#include <ndis/oidrequest.h>
#include <ndis/netpnp.h>

#include <pthread.h>

#include "headers_base_test.h"
#include "test.h"

/* ---- Windows widths (constants.md section 5) ------------------------------ */

_Static_assert(sizeof(UCHAR) == 1 && sizeof(CHAR) == 1 && sizeof(BOOLEAN) == 1, "8-bit types");
_Static_assert(sizeof(USHORT) == 2 && sizeof(SHORT) == 2 && sizeof(WCHAR) == 2, "16-bit types");
_Static_assert(sizeof(ULONG) == 4 && sizeof(LONG) == 4 && sizeof(UINT) == 4, "32-bit types");
_Static_assert(sizeof(ULONG64) == 8 && sizeof(LONGLONG) == 8, "64-bit types");
_Static_assert(sizeof(ULONG_PTR) == sizeof(void *) && sizeof(SIZE_T) == sizeof(void *),
               "pointer-sized integers");
_Static_assert(sizeof(LARGE_INTEGER) == 8 && sizeof(PHYSICAL_ADDRESS) == 8, "LARGE_INTEGER");
_Static_assert(sizeof(NTSTATUS) == 4 && sizeof(NDIS_STATUS) == 4, "status codes are 32-bit");
_Static_assert(sizeof(KIRQL) == 1, "KIRQL is a UCHAR");
_Static_assert(sizeof(KSPIN_LOCK) == sizeof(void *), "KSPIN_LOCK is a ULONG_PTR");
_Static_assert(sizeof(NDIS_OBJECT_HEADER) == 4, "NDIS_OBJECT_HEADER");
_Static_assert(sizeof(NDIS_OID) == 4 && sizeof(NDIS_PORT_NUMBER) == 4, "NDIS_OID");
_Static_assert(sizeof(NET_IFINDEX) == 4 && sizeof(NET_IFTYPE) == 2, "interface index and type");
_Static_assert(sizeof(NET_LUID) == 8 && sizeof(IF_LUID) == 8, "NET_LUID");
_Static_assert(sizeof(NET_IF_COMPARTMENT_ID) == 4 && sizeof(NET_IF_OBJECT_ID) == 4, "ifdef ids");
_Static_assert(sizeof(NDIS_MEDIUM) == 4 && sizeof(NDIS_REQUEST_TYPE) == 4 &&
                   sizeof(NET_PNP_EVENT_CODE) == 4 && sizeof(NDIS_DEVICE_POWER_STATE) == 4,
               "enumerations are int-sized");
_Static_assert(NDIS_STATUS_FAILURE < 0 && NDIS_STATUS_PENDING > 0, "NDIS_STATUS is signed");
_Static_assert(IRP_MJ_MAXIMUM_FUNCTION + 1 == 28, "28 major functions");
_Static_assert(RTL_NUMBER_OF(((DRIVER_OBJECT *)0)->MajorFunction) == IRP_MJ_MAXIMUM_FUNCTION + 1,
               "MajorFunction table");
_Static_assert(sizeof(IF_COUNTED_STRING) == 2 + 2 * (IF_MAX_STRING_SIZE + 1), "IF_COUNTED_STRING");
_Static_assert(sizeof(IF_PHYSICAL_ADDRESS) == 2 + IF_MAX_PHYS_ADDRESS_LENGTH, "IF_PHYSICAL_ADDRESS");

#if defined(_WIN64)
/* Windows x64 layouts of the kernel objects drivers embed or index. */
_Static_assert(sizeof(SLIST_HEADER) == 16 && _Alignof(SLIST_HEADER) == 16, "SLIST_HEADER");
_Static_assert(_Alignof(SLIST_ENTRY) == 16, "SLIST_ENTRY");
_Static_assert(sizeof(KDPC) == 0x40, "KDPC");
_Static_assert(offsetof(KDPC, DpcListEntry) == 0x08 && offsetof(KDPC, DeferredRoutine) == 0x18 &&
                   offsetof(KDPC, DpcData) == 0x38,
               "KDPC members");
_Static_assert(sizeof(MDL) == 0x30, "MDL");
_Static_assert(offsetof(MDL, Size) == 0x08 && offsetof(MDL, MdlFlags) == 0x0A &&
                   offsetof(MDL, Process) == 0x10 && offsetof(MDL, MappedSystemVa) == 0x18 &&
                   offsetof(MDL, StartVa) == 0x20 && offsetof(MDL, ByteCount) == 0x28 &&
                   offsetof(MDL, ByteOffset) == 0x2C,
               "MDL members");
_Static_assert(sizeof(DRIVER_OBJECT) == 0x150, "DRIVER_OBJECT");
_Static_assert(offsetof(DRIVER_OBJECT, DeviceObject) == 0x08 &&
                   offsetof(DRIVER_OBJECT, DriverExtension) == 0x30 &&
                   offsetof(DRIVER_OBJECT, DriverName) == 0x38 &&
                   offsetof(DRIVER_OBJECT, DriverInit) == 0x58 &&
                   offsetof(DRIVER_OBJECT, DriverUnload) == 0x68 &&
                   offsetof(DRIVER_OBJECT, MajorFunction) == 0x70,
               "DRIVER_OBJECT members");
_Static_assert(offsetof(NDIS_OID_REQUEST, DATA) == 0x20 &&
                   offsetof(NDIS_OID_REQUEST, NdisReserved) == 0x48 &&
                   offsetof(NDIS_OID_REQUEST, SupportedRevision) == 0xE8,
               "NDIS_OID_REQUEST members");
_Static_assert(NDIS_SIZEOF_OID_REQUEST_REVISION_1 == 0xEC && NDIS_SIZEOF_OID_REQUEST_REVISION_2 == 0xF8,
               "NDIS_OID_REQUEST revision sizes");
#endif

_Static_assert(NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 == 4 + 4 + 18 * 8, "NDIS_STATISTICS_INFO");
_Static_assert(NDIS_SIZEOF_LINK_STATE_REVISION_1 == sizeof(NDIS_LINK_STATE), "NDIS_LINK_STATE");
_Static_assert(offsetof(NDIS_LINK_STATE, XmitLinkSpeed) == 16, "link speeds are 8-byte aligned");

/* The role types declare functions the WDK way. */
static DRIVER_UNLOAD hb_unload;
static KDEFERRED_ROUTINE hb_dpc;

static VOID hb_unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

static VOID hb_dpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    (*(int *)DeferredContext)++;
}

TEST(role_types_and_driver_object)
{
    DRIVER_OBJECT drv;
    KDPC dpc;
    int hits = 0;

    RtlZeroMemory(&drv, sizeof(drv));
    drv.DriverUnload = hb_unload;
    drv.DriverUnload(&drv);
    T_ASSERT(drv.MajorFunction[IRP_MJ_PNP] == NULL);

    RtlZeroMemory(&dpc, sizeof(dpc));
    dpc.DeferredRoutine = hb_dpc;
    dpc.DeferredContext = &hits;
    dpc.DeferredRoutine(&dpc, dpc.DeferredContext, NULL, NULL);
    T_EQ(hits, 1);
}

/* ---- Status codes --------------------------------------------------------- */

TEST(status_codes)
{
    T_EQ(NDIS_STATUS_SUCCESS, 0);
    T_EQ(NDIS_STATUS_PENDING, 0x103);
    T_EQ(NDIS_STATUS_FAILURE, (int32_t)0xC0000001);
    T_EQ(NDIS_STATUS_FAILURE, STATUS_UNSUCCESSFUL);
    T_EQ(NDIS_STATUS_RESOURCES, STATUS_INSUFFICIENT_RESOURCES);
    T_EQ(NDIS_STATUS_INVALID_LENGTH, (int32_t)0xC0010014);
    T_EQ(NDIS_STATUS_BUFFER_TOO_SHORT, (int32_t)0xC0010016);
    T_EQ(NDIS_STATUS_INDICATION_REQUIRED, STATUS_NDIS_INDICATION_REQUIRED);
    T_EQ(NDIS_STATUS_INCOMPATABLE_QOS, NDIS_STATUS_INCOMPATIBLE_QOS);
    T_EQ(NDIS_STATUS_WW_INDICATION, NDIS_STATUS_MEDIA_SPECIFIC_INDICATION);
    /* Same suffix, different numbers (constants.md 1.8). */
    T_NE(NDIS_STATUS_BAD_VERSION, STATUS_NDIS_BAD_VERSION);

    T_ASSERT(NT_SUCCESS(NDIS_STATUS_SUCCESS));
    T_ASSERT(NT_SUCCESS(NDIS_STATUS_PENDING));
    T_ASSERT(NT_SUCCESS(NDIS_STATUS_MEDIA_CONNECT));
    T_ASSERT(NT_INFORMATION(NDIS_STATUS_LINK_STATE));
    T_ASSERT(NT_WARNING(NDIS_STATUS_BUFFER_OVERFLOW));
    T_ASSERT(!NT_SUCCESS(NDIS_STATUS_FAILURE));
    T_ASSERT(NT_ERROR(NDIS_STATUS_NOT_SUPPORTED));
}

/* ---- Doubly and singly linked lists --------------------------------------- */

static int hb_list_matches(PLIST_ENTRY head, PLIST_ENTRY *expect, int n)
{
    PLIST_ENTRY e = head->Flink;
    for (int i = 0; i < n; i++, e = e->Flink)
        if (e != expect[i] || e->Flink->Blink != e)
            return 0;
    if (e != head)
        return 0;
    /* and backwards */
    e = head->Blink;
    for (int i = n - 1; i >= 0; i--, e = e->Blink)
        if (e != expect[i] || e->Blink->Flink != e)
            return 0;
    return e == head;
}

TEST(list_insert_and_remove)
{
    LIST_ENTRY head, a, b, c, d;

    InitializeListHead(&head);
    T_ASSERT(IsListEmpty(&head));
    T_ASSERT(head.Flink == &head && head.Blink == &head);

    InsertTailList(&head, &a);
    InsertTailList(&head, &b);
    InsertTailList(&head, &c);
    InsertHeadList(&head, &d);
    T_ASSERT(!IsListEmpty(&head));
    {
        PLIST_ENTRY expect[] = { &d, &a, &b, &c };
        T_ASSERT(hb_list_matches(&head, expect, 4));
    }

    T_ASSERT(RemoveHeadList(&head) == &d);
    T_ASSERT(RemoveTailList(&head) == &c);
    {
        PLIST_ENTRY expect[] = { &a, &b };
        T_ASSERT(hb_list_matches(&head, expect, 2));
    }

    /* RemoveEntryList returns TRUE only when the list became empty. */
    T_EQ(RemoveEntryList(&a), FALSE);
    {
        PLIST_ENTRY expect[] = { &b };
        T_ASSERT(hb_list_matches(&head, expect, 1));
    }
    T_EQ(RemoveEntryList(&b), TRUE);
    T_ASSERT(IsListEmpty(&head));

    /* On an empty list the head removals return the head itself. */
    T_ASSERT(RemoveHeadList(&head) == &head);
    T_ASSERT(RemoveTailList(&head) == &head);
    T_ASSERT(IsListEmpty(&head));
}

TEST(list_append_tail)
{
    LIST_ENTRY head, a, b, c, d;

    InitializeListHead(&head);
    InsertTailList(&head, &a);
    InsertTailList(&head, &b);

    /* A headless circular list c <-> d. */
    InitializeListHead(&c);
    InsertTailList(&c, &d);

    AppendTailList(&head, &c);
    {
        PLIST_ENTRY expect[] = { &a, &b, &c, &d };
        T_ASSERT(hb_list_matches(&head, expect, 4));
    }

    /* Appending to an empty list. */
    {
        LIST_ENTRY head2, e;
        InitializeListHead(&head2);
        InitializeListHead(&e);
        AppendTailList(&head2, &e);
        PLIST_ENTRY expect[] = { &e };
        T_ASSERT(hb_list_matches(&head2, expect, 1));
    }
}

TEST(single_list_push_pop)
{
    SINGLE_LIST_ENTRY head = { NULL }, a, b;

    T_ASSERT(PopEntryList(&head) == NULL);
    PushEntryList(&head, &a);
    PushEntryList(&head, &b);
    T_ASSERT(head.Next == &b);
    T_ASSERT(PopEntryList(&head) == &b);
    T_ASSERT(PopEntryList(&head) == &a);
    T_ASSERT(PopEntryList(&head) == NULL);
    T_ASSERT(head.Next == NULL);
}

/* ---- Interlocked operations ----------------------------------------------- */

TEST(interlocked_return_values)
{
    LONG volatile v = 5;
    LONG64 volatile v64 = 10;
    int x = 0, y = 0;
    PVOID volatile p = &x;

    T_EQ(InterlockedIncrement(&v), 6);
    T_EQ(InterlockedDecrement(&v), 5);
    T_EQ(InterlockedExchange(&v, 9), 5);
    T_EQ(v, 9);
    T_EQ(InterlockedExchangeAdd(&v, 3), 9);
    T_EQ(v, 12);
    T_EQ(InterlockedAdd(&v, -2), 10);
    T_EQ(InterlockedCompareExchange(&v, 100, 7), 10); /* no match: unchanged */
    T_EQ(v, 10);
    T_EQ(InterlockedCompareExchange(&v, 100, 10), 10); /* match: swapped */
    T_EQ(v, 100);
    T_EQ(InterlockedOr(&v, 0x3), 100);
    T_EQ(v, 103);
    T_EQ(InterlockedAnd(&v, 0x6), 103);
    T_EQ(v, 6);

    v = 0;
    T_EQ(InterlockedDecrement(&v), -1);
    T_EQ(InterlockedIncrement(&v), 0);

    T_ASSERT(InterlockedExchangePointer(&p, &y) == &x);
    T_ASSERT(p == &y);
    T_ASSERT(InterlockedCompareExchangePointer(&p, &x, &x) == &y); /* no match */
    T_ASSERT(p == &y);
    T_ASSERT(InterlockedCompareExchangePointer(&p, &x, &y) == &y); /* match */
    T_ASSERT(p == &x);

    T_EQ(InterlockedIncrement64(&v64), 11);
    T_EQ(InterlockedDecrement64(&v64), 10);
    T_EQ(InterlockedAdd64(&v64, 0x100000000LL), 0x10000000aLL);
    T_EQ(InterlockedExchangeAdd64(&v64, 1), 0x10000000aLL);
    T_EQ(InterlockedExchange64(&v64, 7), 0x10000000bLL);
    T_EQ(InterlockedCompareExchange64(&v64, 8, 6), 7);
    T_EQ(v64, 7);
    T_EQ(InterlockedCompareExchange64(&v64, 8, 7), 7);
    T_EQ(v64, 8);
}

#define HB_THREADS 4
#define HB_ITERATIONS 100000

static LONG volatile hb_counter;
static LONG64 volatile hb_counter64;

static void *hb_hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < HB_ITERATIONS; i++) {
        InterlockedIncrement(&hb_counter);
        InterlockedExchangeAdd64(&hb_counter64, 2);
        LONG seen;
        do {
            seen = InterlockedCompareExchange(&hb_counter, 0, 0); /* an atomic read */
        } while (InterlockedCompareExchange(&hb_counter, seen + 1, seen) != seen);
    }
    return NULL;
}

TEST(interlocked_concurrent)
{
    pthread_t t[HB_THREADS];

    hb_counter = 0;
    hb_counter64 = 0;
    for (int i = 0; i < HB_THREADS; i++)
        T_EQ(pthread_create(&t[i], NULL, hb_hammer, NULL), 0);
    for (int i = 0; i < HB_THREADS; i++)
        T_EQ(pthread_join(t[i], NULL), 0);
    T_EQ(hb_counter, 2 * HB_THREADS * HB_ITERATIONS);
    T_EQ(hb_counter64, 2LL * HB_THREADS * HB_ITERATIONS);
}

/* ---- MDL macros ------------------------------------------------------------ */

TEST(mdl_macros)
{
    static UCHAR buffer[3 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    PUCHAR va = buffer + PAGE_SIZE - 16; /* 32 bytes straddle a page boundary */
    MDL mdl;

    T_EQ(BYTE_OFFSET(va), PAGE_SIZE - 16);
    T_ASSERT(PAGE_ALIGN(va) == buffer);
    T_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 32), 2);
    T_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(buffer, PAGE_SIZE), 1);
    T_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(buffer, PAGE_SIZE + 1), 2);
    T_EQ(MmSizeOfMdl(va, 32), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    T_EQ(BYTES_TO_PAGES(PAGE_SIZE + 1), 2);
    T_EQ(ROUND_TO_PAGES(1), PAGE_SIZE);

    memset(&mdl, 0xA5, sizeof(mdl));
    MmInitializeMdl(&mdl, va, 32);
    T_ASSERT(mdl.Next == NULL);
    T_EQ(mdl.MdlFlags, 0);
    T_EQ(mdl.Size, (CSHORT)(sizeof(MDL) + 2 * sizeof(PFN_NUMBER)));
    T_ASSERT(mdl.StartVa == buffer);
    T_EQ(MmGetMdlByteOffset(&mdl), PAGE_SIZE - 16);
    T_EQ(MmGetMdlByteCount(&mdl), 32);
    T_ASSERT(MmGetMdlVirtualAddress(&mdl) == va);

    /* Not mapped: the buffer's own address is its system address. */
    T_ASSERT(MmGetSystemAddressForMdlSafe(&mdl, NormalPagePriority | MdlMappingNoExecute) == va);
    /* Mapped or nonpaged: MappedSystemVa is returned, as on Windows. */
    mdl.MappedSystemVa = buffer + 8;
    mdl.MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
    T_ASSERT(MmGetSystemAddressForMdlSafe(&mdl, LowPagePriority) == buffer + 8);
    mdl.MdlFlags = MDL_MAPPED_TO_SYSTEM_VA;
    T_ASSERT(MmGetSystemAddressForMdlSafe(&mdl, HighPagePriority) == buffer + 8);

    T_EQ(NormalPagePriority, 16);
    T_EQ(MdlMappingNoExecute, 0x40000000);
}

/* ---- ifdef.h / ntddndis.h structures --------------------------------------- */

TEST(net_luid_layout)
{
    NET_LUID luid;

    NDIS_MAKE_NET_LUID(&luid, IF_TYPE_ETHERNET_CSMACD, 0x123);
    T_EQ(luid.Value, ((ULONG64)IF_TYPE_ETHERNET_CSMACD << 48) | ((ULONG64)0x123 << 24));
    T_EQ(luid.Info.IfType, IF_TYPE_ETHERNET_CSMACD);
    T_EQ(luid.Info.NetLuidIndex, 0x123);
    T_EQ(luid.Info.Reserved, 0);

    luid.Value = 0xFFFF000000ABCDEFULL;
    T_EQ(luid.Info.Reserved, 0xABCDEF);
    T_EQ(luid.Info.NetLuidIndex, 0);
    T_EQ(luid.Info.IfType, 0xFFFF);
}

TEST(oid_request_data_union)
{
    NDIS_OID_REQUEST req;

    RtlZeroMemory(&req, sizeof(req));
    req.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    req.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    req.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    req.RequestType = NdisRequestQueryInformation;
    req.DATA.QUERY_INFORMATION.Oid = OID_GEN_LINK_SPEED;

    /* Every request kind starts with the OID and the buffer pointer. */
    T_EQ(req.DATA.Oid, OID_GEN_LINK_SPEED);
    T_EQ(req.DATA.SET_INFORMATION.Oid, OID_GEN_LINK_SPEED);
    T_EQ(req.DATA.METHOD_INFORMATION.Oid, OID_GEN_LINK_SPEED);
    T_EQ(offsetof(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBuffer),
         offsetof(NDIS_OID_REQUEST, DATA.SET_INFORMATION.InformationBuffer));
    T_EQ(offsetof(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBuffer),
         offsetof(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.InformationBuffer));
    T_EQ(sizeof(req.NdisReserved), NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID));
    T_EQ(sizeof(req.MiniportReserved), 2 * sizeof(PVOID));
    T_EQ(sizeof(req.SourceReserved), 2 * sizeof(PVOID));
    T_EQ(NDIS_SIZEOF_OID_REQUEST_REVISION_1, offsetof(NDIS_OID_REQUEST, Reserved2) + 2);
    T_EQ(NDIS_SIZEOF_OID_REQUEST_REVISION_2, sizeof(NDIS_OID_REQUEST));
    T_ASSERT(NDIS_CHECK_HEADER(req.Header, NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1,
                               NDIS_SIZEOF_OID_REQUEST_REVISION_1));
}

TEST(sizeof_revisions_are_prefixes)
{
    /* Each later revision extends the earlier one. */
    T_ASSERT(NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1 < NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_2);
    T_ASSERT(NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_2 < NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3);
    T_ASSERT(NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3 <= sizeof(NDIS_OFFLOAD));
    T_ASSERT(NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1 < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2);
    T_ASSERT(NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2 < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3);
    T_ASSERT(NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3 < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_4);
    T_ASSERT(NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_1 < NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_2);
    T_ASSERT(NDIS_SIZEOF_NDIS_PM_PARAMETERS_REVISION_1 < NDIS_SIZEOF_NDIS_PM_PARAMETERS_REVISION_2);
    T_EQ(NDIS_SIZEOF_PORT_ARRAY_REVISION_1, sizeof(NDIS_PORT_ARRAY));
    T_EQ(NDIS_SIZEOF_OFFLOAD_ENCAPSULATION_REVISION_1, sizeof(NDIS_OFFLOAD_ENCAPSULATION));
    T_EQ(NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1,
         sizeof(NDIS_INTERRUPT_MODERATION_PARAMETERS));
}

TEST(net_pnp_event)
{
    NET_DEVICE_POWER_STATE state = NetDeviceStateD3;
    NET_PNP_EVENT ev;

    RtlZeroMemory(&ev, sizeof(ev));
    ev.NetEvent = NetEventSetPower;
    ev.Buffer = &state;
    ev.BufferLength = sizeof(state);
    T_EQ(*(NET_DEVICE_POWER_STATE *)ev.Buffer, 4);
    T_EQ(RTL_NUMBER_OF(ev.NdisReserved), 4);
    T_EQ(RTL_NUMBER_OF(ev.TdiClientReserved), 4);
    T_EQ(NetEventRestart, 9);
    T_EQ(NdisDevicePnPEventSurpriseRemoved, 2);
    T_EQ(NdisRequestMethod, 12);
}

/* ---- Version selection ----------------------------------------------------- */

TEST(version_default_is_newest)
{
#if defined(NDIS_MINIPORT_MAJOR_VERSION) || defined(NDIS_PROTOCOL_MAJOR_VERSION) || \
    defined(NDIS_FILTER_MAJOR_VERSION)
    T_ASSERT_MSG(0, "no selector: the *_MAJOR_VERSION macros stay undefined");
#endif
    T_EQ(NDIS_SUPPORT_NDIS6, 1);
    T_EQ(NDIS_SUPPORT_NDIS630, 1);
    T_EQ(NDIS_SUPPORT_NDIS682, 1);
    T_EQ(NDIS_RUNTIME_VERSION_630, (6 << 16) | 30);
}

TEST(version_ndis630_miniport)
{
    struct hb_versions v;

    hb_versions_ndis630_miniport(&v);
    T_EQ(v.miniport_major, 6);
    T_EQ(v.miniport_minor, 30);
    T_EQ(v.miniport_min_major, 6);
    T_EQ(v.miniport_min_minor, 30);
    T_EQ(v.protocol_major, -1);
    T_EQ(v.filter_major, -1);
    T_EQ(v.support6, 1);
    T_EQ(v.support61, 1);
    T_EQ(v.support620, 1);
    T_EQ(v.support630, 1);
    T_EQ(v.support640, 0);
    T_EQ(v.support650, 0);
    T_EQ(v.support682, 0);
    /* Without NDIS 6.50 the request stops at revision 1. */
    T_EQ(v.oid_request_size, ALIGN_UP_BY(NDIS_SIZEOF_OID_REQUEST_REVISION_1, sizeof(PVOID)));
    T_ASSERT(v.oid_request_size < sizeof(NDIS_OID_REQUEST));
    T_EQ(v.offload_size, sizeof(NDIS_OFFLOAD));
    T_EQ(v.pm_capabilities_size, NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_2);
}

TEST(version_ndis61_protocol)
{
    struct hb_versions v;

    hb_versions_ndis61_protocol(&v);
    T_EQ(v.miniport_major, -1);
    T_EQ(v.protocol_major, 6);
    T_EQ(v.protocol_minor, 1);
    T_EQ(v.filter_major, 6);
    T_EQ(v.filter_minor, 1);
    T_EQ(v.support6, 1);
    T_EQ(v.support61, 1);
    T_EQ(v.support620, 0);
    T_EQ(v.offload_size, ALIGN_UP_BY(NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_2, sizeof(ULONG)));
    T_EQ(v.pm_capabilities_size, NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_1);
}

TEST(version_ndis60_miniport)
{
    struct hb_versions v;

    hb_versions_ndis60_miniport(&v);
    T_EQ(v.miniport_major, 6);
    T_EQ(v.miniport_minor, 0);
    T_EQ(v.support6, 1);
    T_EQ(v.support61, 0);
    T_EQ(v.offload_size, NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1);
}

/* ---- ASSERT / NT_ASSERT ------------------------------------------------------ */

/*
 * Captures the assertions of this test program. Weak, so that a program that
 * also links libndis keeps the library's RtlAssert.
 */
static int hb_assert_calls;
static const char *hb_assert_expression;
static ULONG hb_assert_line;

__attribute__((weak)) VOID RtlAssert(PVOID FailedAssertion, PVOID FileName, ULONG LineNumber,
                                     PCHAR Message)
{
    UNREFERENCED_PARAMETER(FileName);
    UNREFERENCED_PARAMETER(Message);
    hb_assert_calls++;
    hb_assert_expression = (const char *)FailedAssertion;
    hb_assert_line = LineNumber;
}

TEST(assert_reports_through_rtlassert)
{
    volatile int two = 2;
    ULONG line;

    hb_assert_calls = 0;
    ASSERT(two == 2);
    T_EQ(hb_assert_calls, 0);

    line = __LINE__ + 1;
    ASSERT(two == 3);
    T_EQ(hb_assert_calls, 1);
    T_STREQ(hb_assert_expression, "two == 3");
    T_EQ(hb_assert_line, line);

    NT_ASSERT(two > 5);
    T_EQ(hb_assert_calls, 2);
    T_EQ(NT_VERIFY(two == 2), TRUE);
    T_EQ(NT_VERIFY(two == 4), FALSE);
    T_EQ(hb_assert_calls, 3);

    /* With NDEBUG they compile to nothing; NT_VERIFY still evaluates. */
    T_EQ(hb_assert_disabled(0), 0);
    T_EQ(hb_assert_disabled(1), 1);
    T_EQ(hb_assert_calls, 3);
}

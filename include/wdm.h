/*
 * wdm.h - the kernel services an NDIS driver uses directly: IRQL, spin locks,
 * DPCs, DRIVER_OBJECT, MDLs, list and interlocked helpers, counted strings,
 * tick count and debug output.
 *
 * Layouts follow the ddi/base pages (ns-wdm-_driver_object.md, ns-wdm-_mdl.md,
 * nc-wdm-kdeferred_routine.md ...). Objects whose layout the documentation
 * leaves opaque (DEVICE_OBJECT, IRP, FAST_IO_DISPATCH, EPROCESS) are incomplete
 * types: drivers only pass pointers to them. The Ke*, Io*, Rtl* and Dbg*
 * routines declared here are implemented by libndis; the list and Interlocked*
 * helpers are inline, as in the WDK.
 */
#ifndef _WDMDDK_
#define _WDMDDK_

#include <ntdef.h>
#include <ntstatus.h>

/* ---- IRQL (constants.md 4.9) ---------------------------------------------- */

typedef UCHAR KIRQL, *PKIRQL;

#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2

/* ---- Spin locks ---------------------------------------------------------- */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

/* ---- Opaque kernel objects ----------------------------------------------- */

struct _EPROCESS;
struct _ETHREAD;
struct _DEVICE_OBJECT;
struct _IRP;
struct _FAST_IO_DISPATCH;
struct _DRIVER_OBJECT;

typedef struct _EPROCESS *PEPROCESS;
typedef struct _ETHREAD *PETHREAD;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _IRP IRP, *PIRP;
typedef struct _FAST_IO_DISPATCH FAST_IO_DISPATCH, *PFAST_IO_DISPATCH;

/* ---- Singly linked interlocked lists (SLIST) ------------------------------ */

/*
 * As on Windows, 64-bit builds align SLIST entries and headers on 16 bytes and
 * the header is a 16-byte union; 32-bit builds use an 8-byte header.
 */
#if defined(_WIN64)
typedef struct DECLSPEC_ALIGN(16) _SLIST_ENTRY {
    struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
    struct {
        ULONGLONG Alignment;
        ULONGLONG Region;
    };
    struct {
        __extension__ ULONGLONG Depth : 16;
        __extension__ ULONGLONG Sequence : 48;
        __extension__ ULONGLONG Reserved : 4;
        __extension__ ULONGLONG NextEntry : 60;
    } HeaderX64;
} SLIST_HEADER, *PSLIST_HEADER;
#else
typedef struct _SINGLE_LIST_ENTRY SLIST_ENTRY, *PSLIST_ENTRY;

typedef union _SLIST_HEADER {
    ULONGLONG Alignment;
    struct {
        SLIST_ENTRY Next;
        USHORT Depth;
        USHORT CpuId;
    };
} SLIST_HEADER, *PSLIST_HEADER;
#endif

/* ---- DPC objects (nc-wdm-kdeferred_routine.md, nf-wdm-keinitializedpc.md) --- */

struct _KDPC;

typedef _Function_class_(KDEFERRED_ROUTINE) _IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_requires_min_(DISPATCH_LEVEL) _IRQL_requires_(DISPATCH_LEVEL) _IRQL_requires_same_
VOID (KDEFERRED_ROUTINE)(_In_ struct _KDPC *Dpc, _In_opt_ PVOID DeferredContext,
                         _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

/*
 * The DPC object. Drivers treat it as opaque storage that KeInitializeDpc
 * fills; libndis keeps its queue linkage in DpcListEntry and DpcData.
 */
typedef struct _KDPC {
    union {
        ULONG TargetInfoAsUlong;
        struct {
            UCHAR Type;
            UCHAR Importance;
            volatile USHORT Number;
        };
    };
    SINGLE_LIST_ENTRY DpcListEntry;
    KAFFINITY ProcessorHistory;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    PVOID volatile DpcData;
} KDPC, *PKDPC, *PRKDPC;

/* ---- Driver object (ns-wdm-_driver_object.md) ----------------------------- */

#define IRP_MJ_CREATE 0x00
#define IRP_MJ_CREATE_NAMED_PIPE 0x01
#define IRP_MJ_CLOSE 0x02
#define IRP_MJ_READ 0x03
#define IRP_MJ_WRITE 0x04
#define IRP_MJ_QUERY_INFORMATION 0x05
#define IRP_MJ_SET_INFORMATION 0x06
#define IRP_MJ_QUERY_EA 0x07
#define IRP_MJ_SET_EA 0x08
#define IRP_MJ_FLUSH_BUFFERS 0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#define IRP_MJ_SET_VOLUME_INFORMATION 0x0b
#define IRP_MJ_DIRECTORY_CONTROL 0x0c
#define IRP_MJ_FILE_SYSTEM_CONTROL 0x0d
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#define IRP_MJ_SHUTDOWN 0x10
#define IRP_MJ_LOCK_CONTROL 0x11
#define IRP_MJ_CLEANUP 0x12
#define IRP_MJ_CREATE_MAILSLOT 0x13
#define IRP_MJ_QUERY_SECURITY 0x14
#define IRP_MJ_SET_SECURITY 0x15
#define IRP_MJ_POWER 0x16
#define IRP_MJ_SYSTEM_CONTROL 0x17
#define IRP_MJ_DEVICE_CHANGE 0x18
#define IRP_MJ_QUERY_QUOTA 0x19
#define IRP_MJ_SET_QUOTA 0x1a
#define IRP_MJ_PNP 0x1b
#define IRP_MJ_PNP_POWER IRP_MJ_PNP
#define IRP_MJ_MAXIMUM_FUNCTION 0x1b
#define IRP_MJ_SCSI IRP_MJ_INTERNAL_DEVICE_CONTROL

typedef _Function_class_(DRIVER_INITIALIZE) _IRQL_requires_same_
NTSTATUS (DRIVER_INITIALIZE)(_In_ struct _DRIVER_OBJECT *DriverObject,
                             _In_ PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;

typedef _Function_class_(DRIVER_UNLOAD) _IRQL_requires_(PASSIVE_LEVEL) _IRQL_requires_same_
VOID (DRIVER_UNLOAD)(_In_ struct _DRIVER_OBJECT *DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;

typedef _Function_class_(DRIVER_DISPATCH) _IRQL_requires_max_(DISPATCH_LEVEL) _IRQL_requires_same_
NTSTATUS (DRIVER_DISPATCH)(_In_ struct _DEVICE_OBJECT *DeviceObject,
                           _Inout_ struct _IRP *Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;
typedef DRIVER_DISPATCH DRIVER_DISPATCH_RAISED;
typedef DRIVER_DISPATCH DRIVER_DISPATCH_PAGED;

typedef _Function_class_(DRIVER_STARTIO) _IRQL_always_function_min_(DISPATCH_LEVEL)
_IRQL_requires_(DISPATCH_LEVEL) _IRQL_requires_same_
VOID (DRIVER_STARTIO)(_Inout_ struct _DEVICE_OBJECT *DeviceObject,
                      _Inout_ struct _IRP *Irp);
typedef DRIVER_STARTIO *PDRIVER_STARTIO;

typedef _Function_class_(DRIVER_ADD_DEVICE) _IRQL_requires_(PASSIVE_LEVEL) _IRQL_requires_same_
NTSTATUS (DRIVER_ADD_DEVICE)(_In_ struct _DRIVER_OBJECT *DriverObject,
                             _In_ struct _DEVICE_OBJECT *PhysicalDeviceObject);
typedef DRIVER_ADD_DEVICE *PDRIVER_ADD_DEVICE;

typedef struct _DRIVER_EXTENSION {
    struct _DRIVER_OBJECT *DriverObject;
    PDRIVER_ADD_DEVICE AddDevice;
    ULONG Count;
    UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

typedef struct _DRIVER_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    ULONG Flags;
    PVOID DriverStart;
    ULONG DriverSize;
    PVOID DriverSection;
    PDRIVER_EXTENSION DriverExtension;
    UNICODE_STRING DriverName;
    PUNICODE_STRING HardwareDatabase;
    PFAST_IO_DISPATCH FastIoDispatch;
    PDRIVER_INITIALIZE DriverInit;
    PDRIVER_STARTIO DriverStartIo;
    PDRIVER_UNLOAD DriverUnload;
    PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

/* ---- Bus types (constants.md 4.8) ----------------------------------------- */

typedef enum _INTERFACE_TYPE {
    InterfaceTypeUndefined = -1,
    Internal = 0,
    Isa = 1,
    Eisa = 2,
    MicroChannel = 3,
    TurboChannel = 4,
    PCIBus = 5,
    VMEBus = 6,
    NuBus = 7,
    PCMCIABus = 8,
    CBus = 9,
    MPIBus = 10,
    MPSABus = 11,
    ProcessorInternal = 12,
    InternalPowerBus = 13,
    PNPISABus = 14,
    PNPBus = 15,
    Vmcs = 16,
    ACPIBus = 17,
    MaximumInterfaceType = 18
} INTERFACE_TYPE, *PINTERFACE_TYPE;

/* ---- Pool types ---------------------------------------------------------- */

typedef enum _POOL_TYPE {
    NonPagedPool = 0,
    NonPagedPoolExecute = NonPagedPool,
    PagedPool = 1,
    NonPagedPoolMustSucceed = NonPagedPool + 2,
    DontUseThisType = 3,
    NonPagedPoolCacheAligned = NonPagedPool + 4,
    PagedPoolCacheAligned = 5,
    NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
    MaxPoolType = 7,
    NonPagedPoolBase = 0,
    NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
    NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
    NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,
    NonPagedPoolSession = 32,
    PagedPoolSession = NonPagedPoolSession + 1,
    NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
    DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
    NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
    PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
    NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,
    NonPagedPoolNx = 512,
    NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
    NonPagedPoolSessionNx = NonPagedPoolNx + 32
} POOL_TYPE;

/* Allocate and free callbacks of a lookaside list (NdisInitializeNPagedLookasideList). */
typedef _IRQL_requires_same_ _Function_class_(ALLOCATE_FUNCTION)
PVOID (ALLOCATE_FUNCTION)(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
typedef ALLOCATE_FUNCTION *PALLOCATE_FUNCTION;

typedef _IRQL_requires_same_ _Function_class_(FREE_FUNCTION)
VOID (FREE_FUNCTION)(_In_ __drv_freesMem(Mem) PVOID Buffer);
typedef FREE_FUNCTION *PFREE_FUNCTION;

/* Priority argument of the pool allocators (NdisAllocateMemoryWithTagPriority). */
typedef enum _EX_POOL_PRIORITY {
    LowPoolPriority,
    LowPoolPrioritySpecialPoolOverrun = 8,
    LowPoolPrioritySpecialPoolUnderrun = 9,
    NormalPoolPriority = 16,
    NormalPoolPrioritySpecialPoolOverrun = 24,
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    HighPoolPriority = 32,
    HighPoolPrioritySpecialPoolOverrun = 40,
    HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

/* ---- Memory descriptor lists (ns-wdm-_mdl.md) ----------------------------- */

/*
 * PAGE_SIZE is Windows' 4 KiB page. In libndis the page arithmetic only sizes
 * MDLs (MmSizeOfMdl, ADDRESS_AND_SIZE_TO_SPAN_PAGES); buffers are ordinary
 * process memory, whatever the host's page size.
 */
#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12L

typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;

typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    struct _EPROCESS *Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL;
typedef MDL *PMDLX;

#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_PAGES_LOCKED 0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE 0x0008
#define MDL_PARTIAL 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ 0x0040
#define MDL_WRITE_OPERATION 0x0080
#define MDL_LOCKED_PAGE_TABLES 0x0100
#define MDL_PARENT_MAPPED_SYSTEM_VA MDL_LOCKED_PAGE_TABLES
#define MDL_FREE_EXTRA_PTES 0x0200
#define MDL_DESCRIBES_AWE 0x0400
#define MDL_IO_SPACE 0x0800
#define MDL_NETWORK_HEADER 0x1000
#define MDL_MAPPING_CAN_FAIL 0x2000
#define MDL_PAGE_CONTENTS_INVARIANT 0x4000
#define MDL_ALLOCATED_MUST_SUCCEED MDL_PAGE_CONTENTS_INVARIANT
#define MDL_INTERNAL 0x8000

#define MDL_MAPPING_FLAGS                                                       \
    (MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL |  \
     MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_PARENT_MAPPED_SYSTEM_VA | MDL_IO_SPACE)

/* Priority argument of MmGetSystemAddressForMdlSafe (nf-wdm-mmgetsystemaddressformdlsafe.md). */
typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;

#define MdlMappingNoWrite 0x80000000
#define MdlMappingNoExecute 0x40000000

#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size)                                                    \
    (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size)                                                    \
    (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)                                \
    ((ULONG)((((ULONG_PTR)BYTE_OFFSET(Va) + (ULONG_PTR)(Size) + (PAGE_SIZE - 1)) \
              >> PAGE_SHIFT)))
#define COMPUTE_PAGES_SPANNED(Va, Size) ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)

#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlBaseVa(Mdl) ((Mdl)->StartVa)
#define MmGetMdlVirtualAddress(Mdl)                                             \
    ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))

/* Bytes needed for an MDL describing Length bytes at Base (header + PFN array). */
#define MmSizeOfMdl(Base, Length)                                               \
    ((SIZE_T)(sizeof(MDL) +                                                     \
              sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES((Base), (Length))))

#define MmInitializeMdl(MemoryDescriptorList, BaseVa, Length)                   \
    do {                                                                        \
        (MemoryDescriptorList)->Next = (PMDL)NULL;                              \
        (MemoryDescriptorList)->Size =                                          \
            (CSHORT)(sizeof(MDL) + (sizeof(PFN_NUMBER) *                        \
                                    ADDRESS_AND_SIZE_TO_SPAN_PAGES((BaseVa), (Length)))); \
        (MemoryDescriptorList)->MdlFlags = 0;                                   \
        (MemoryDescriptorList)->Process = NULL;                                 \
        (MemoryDescriptorList)->MappedSystemVa = NULL;                          \
        (MemoryDescriptorList)->StartVa = PAGE_ALIGN(BaseVa);                   \
        (MemoryDescriptorList)->ByteOffset = BYTE_OFFSET(BaseVa);               \
        (MemoryDescriptorList)->ByteCount = (ULONG)(Length);                    \
    } while (0)

/*
 * On Windows this maps the pages into system space unless the MDL is already
 * mapped or describes nonpaged pool. A user-space process has one address
 * space, so the buffer's own virtual address is its "system" address.
 */
#define MmGetSystemAddressForMdlSafe(Mdl, Priority)                             \
    ((void)(Priority),                                                          \
     (((Mdl)->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) \
          ? (Mdl)->MappedSystemVa                                               \
          : MmGetMdlVirtualAddress(Mdl)))

/* ---- Debug output and assertions ------------------------------------------ */

/* Component identifiers and levels for DbgPrintEx / KdPrintEx. */
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_IHVVIDEO_ID 78
#define DPFLTR_IHVAUDIO_ID 79
#define DPFLTR_IHVNETWORK_ID 80
#define DPFLTR_IHVSTREAMING_ID 81
#define DPFLTR_IHVBUS_ID 82

#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000

EXTERN_C_START

/* ---- IRQL and spin-lock routines ----------------------------------------- */

_IRQL_requires_max_(HIGH_LEVEL)
KIRQL KeGetCurrentIrql(VOID);

/* nf-wdm-keraiseirql.md: the old IRQL is returned through the out-pointer. */
_IRQL_requires_max_(HIGH_LEVEL) _IRQL_raises_(NewIrql) _IRQL_saves_
VOID KeRaiseIrql(_In_ KIRQL NewIrql, _Out_ PKIRQL OldIrql);

_IRQL_requires_max_(HIGH_LEVEL)
VOID KeLowerIrql(_In_ _IRQL_restores_ KIRQL NewIrql);

_IRQL_requires_max_(DISPATCH_LEVEL) _IRQL_raises_(DISPATCH_LEVEL) _IRQL_saves_
KIRQL KeRaiseIrqlToDpcLevel(VOID);

VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock);

/* Called as KeAcquireSpinLock(&Lock, &OldIrql), as with the WDK macro. */
_Requires_lock_not_held_(*SpinLock) _Acquires_lock_(*SpinLock)
_IRQL_requires_max_(DISPATCH_LEVEL) _IRQL_saves_ _IRQL_raises_(DISPATCH_LEVEL)
VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql);

_Requires_lock_held_(*SpinLock) _Releases_lock_(*SpinLock)
_IRQL_requires_(DISPATCH_LEVEL)
VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ _IRQL_restores_ KIRQL NewIrql);

_Requires_lock_not_held_(*SpinLock) _Acquires_lock_(*SpinLock)
_IRQL_requires_min_(DISPATCH_LEVEL)
VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

_Requires_lock_held_(*SpinLock) _Releases_lock_(*SpinLock)
_IRQL_requires_min_(DISPATCH_LEVEL)
VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

/* ---- DPC routines -------------------------------------------------------- */

VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                     _In_opt_ PVOID DeferredContext);

BOOLEAN KeInsertQueueDpc(_Inout_ PRKDPC Dpc, _In_opt_ PVOID SystemArgument1,
                         _In_opt_ PVOID SystemArgument2);

BOOLEAN KeRemoveQueueDpc(_Inout_ PRKDPC Dpc);

/* Returns after every DPC queued at the time of the call has run. */
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID KeFlushQueuedDpcs(VOID);

/* ---- Time and processor -------------------------------------------------- */

VOID KeQueryTickCount(_Out_ PLARGE_INTEGER CurrentCount);

ULONG KeQueryTimeIncrement(VOID);

LARGE_INTEGER KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency);

ULONG KeGetCurrentProcessorNumber(VOID);

_IRQL_requires_max_(HIGH_LEVEL)
VOID KeStallExecutionProcessor(_In_ ULONG MicroSeconds);

/* ---- MDL routines -------------------------------------------------------- */

_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_
PMDL IoAllocateMdl(_In_opt_ __drv_aliasesMem PVOID VirtualAddress, _In_ ULONG Length,
                   _In_ BOOLEAN SecondaryBuffer, _In_ BOOLEAN ChargeQuota,
                   _Inout_opt_ PIRP Irp);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID IoFreeMdl(PMDL Mdl);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID MmBuildMdlForNonPagedPool(_Inout_ PMDL MemoryDescriptorList);

/* ---- Counted strings ----------------------------------------------------- */

VOID RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                          _In_opt_z_ PCWSTR SourceString);

VOID RtlInitString(_Out_ PSTRING DestinationString, _In_opt_z_ PCSZ SourceString);

VOID RtlInitAnsiString(_Out_ PANSI_STRING DestinationString, _In_opt_z_ PCSZ SourceString);

VOID RtlCopyUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                          _In_opt_ PCUNICODE_STRING SourceString);

_IRQL_requires_max_(PASSIVE_LEVEL) _Must_inspect_result_
BOOLEAN RtlEqualUnicodeString(_In_ PCUNICODE_STRING String1, _In_ PCUNICODE_STRING String2,
                              _In_ BOOLEAN CaseInSensitive);

_IRQL_requires_max_(PASSIVE_LEVEL) _Must_inspect_result_
LONG RtlCompareUnicodeString(_In_ PCUNICODE_STRING String1, _In_ PCUNICODE_STRING String2,
                             _In_ BOOLEAN CaseInSensitive);

_IRQL_requires_max_(APC_LEVEL)
VOID RtlFreeUnicodeString(_Inout_ PUNICODE_STRING UnicodeString);

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS RtlAnsiStringToUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                      _In_ PCANSI_STRING SourceString,
                                      _In_ BOOLEAN AllocateDestinationString);

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS RtlUnicodeStringToAnsiString(_Inout_ PANSI_STRING DestinationString,
                                      _In_ PCUNICODE_STRING SourceString,
                                      _In_ BOOLEAN AllocateDestinationString);

_IRQL_requires_max_(APC_LEVEL)
VOID RtlFreeAnsiString(_Inout_ PANSI_STRING AnsiString);

/* ---- Debug output -------------------------------------------------------- */

/*
 * No printf format attribute: Windows format strings use %wZ, %ws and %I64x,
 * which GCC's format checker would reject.
 */
ULONG DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...);

ULONG DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
                 _In_z_ _Printf_format_string_ PCSTR Format, ...);

VOID RtlAssert(_In_ PVOID FailedAssertion, _In_ PVOID FileName, _In_ ULONG LineNumber,
               _In_opt_z_ PCHAR Message);

EXTERN_C_END

/*
 * ASSERT and KdPrint are active in checked builds. With the WDK that is DBG=1;
 * here they are active when DBG is nonzero, or when DBG is not defined and
 * NDEBUG is not defined either (the usual C convention).
 */
#if defined(DBG)
#if DBG
#define LIBNDIS_DBG_ACTIVE_ 1
#endif
#elif !defined(NDEBUG)
#define LIBNDIS_DBG_ACTIVE_ 1
#endif

#if defined(LIBNDIS_DBG_ACTIVE_)
#define ASSERT(exp)                                                             \
    ((!(exp)) ? RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL) : (void)0)
#define ASSERTMSG(msg, exp)                                                     \
    ((!(exp)) ? RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, (PCHAR)(msg)) : (void)0)
#define NT_ASSERT(exp) ASSERT(exp)
#define NT_ASSERTMSG(msg, exp) ASSERTMSG(msg, exp)
#define NT_ASSERTMSGW(msg, exp) ASSERT(exp)
#define NT_VERIFY(exp) ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#define NT_VERIFYMSG(msg, exp)                                                  \
    ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, (PCHAR)(msg)), FALSE) : TRUE)
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#else
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#define NT_ASSERT(exp) ((void)0)
#define NT_ASSERTMSG(msg, exp) ((void)0)
#define NT_ASSERTMSGW(msg, exp) ((void)0)
#define NT_VERIFY(exp) ((exp) ? TRUE : FALSE)
#define NT_VERIFYMSG(msg, exp) ((exp) ? TRUE : FALSE)
#define KdPrint(_x_) ((void)0)
#define KdPrintEx(_x_) ((void)0)
#endif
/* Marks pageable code: checked builds verify that the caller runs below DISPATCH_LEVEL. */
#if defined(LIBNDIS_DBG_ACTIVE_)
#define PAGED_CODE() NT_ASSERT(KeGetCurrentIrql() <= APC_LEVEL)
#else
#define PAGED_CODE() ((void)0)
#endif
#define PAGED_CODE_LOCKED() ((void)0)
#define NT_ASSERT_ASSUME(exp) NT_ASSERT(exp)
#define NT_ANALYSIS_ASSUME(exp) ((void)0)

/* ---- Doubly linked lists (nf-wdm-*list*.md) ------------------------------- */

FORCEINLINE VOID InitializeListHead(_Out_ PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

_Must_inspect_result_
FORCEINLINE BOOLEAN IsListEmpty(_In_ const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* Returns TRUE when the list that held Entry is empty afterwards. */
FORCEINLINE BOOLEAN RemoveEntryList(_In_ PLIST_ENTRY Entry)
{
    PLIST_ENTRY PrevEntry = Entry->Blink;
    PLIST_ENTRY NextEntry = Entry->Flink;

    PrevEntry->Flink = NextEntry;
    NextEntry->Blink = PrevEntry;
    return (BOOLEAN)(PrevEntry == NextEntry);
}

FORCEINLINE PLIST_ENTRY RemoveHeadList(_Inout_ PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    PLIST_ENTRY NextEntry = Entry->Flink;

    ListHead->Flink = NextEntry;
    NextEntry->Blink = ListHead;
    return Entry;
}

FORCEINLINE PLIST_ENTRY RemoveTailList(_Inout_ PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;
    PLIST_ENTRY PrevEntry = Entry->Blink;

    ListHead->Blink = PrevEntry;
    PrevEntry->Flink = ListHead;
    return Entry;
}

FORCEINLINE VOID InsertTailList(_Inout_ PLIST_ENTRY ListHead,
                                _Out_ __drv_aliasesMem PLIST_ENTRY Entry)
{
    PLIST_ENTRY PrevEntry = ListHead->Blink;

    Entry->Flink = ListHead;
    Entry->Blink = PrevEntry;
    PrevEntry->Flink = Entry;
    ListHead->Blink = Entry;
}

FORCEINLINE VOID InsertHeadList(_Inout_ PLIST_ENTRY ListHead,
                                _Out_ __drv_aliasesMem PLIST_ENTRY Entry)
{
    PLIST_ENTRY NextEntry = ListHead->Flink;

    Entry->Flink = NextEntry;
    Entry->Blink = ListHead;
    NextEntry->Blink = Entry;
    ListHead->Flink = Entry;
}

/*
 * Splices the headless circular list that starts at ListToAppend onto the tail
 * of ListHead (ListToAppend becomes the first of the appended entries).
 */
FORCEINLINE VOID AppendTailList(_Inout_ PLIST_ENTRY ListHead, _Inout_ PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;

    ListHead->Blink->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}

/* ---- Singly linked lists ------------------------------------------------- */

FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;

    if (FirstEntry != NULL)
        ListHead->Next = FirstEntry->Next;
    return FirstEntry;
}

FORCEINLINE VOID PushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                               _Inout_ __drv_aliasesMem PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

/* ---- Interlocked operations (sequentially consistent, as on Windows) ---- */

FORCEINLINE LONG InterlockedIncrement(_Inout_ _Interlocked_operand_ LONG volatile *Addend)
{
    return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

FORCEINLINE LONG InterlockedDecrement(_Inout_ _Interlocked_operand_ LONG volatile *Addend)
{
    return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

/* Returns the previous value. */
FORCEINLINE LONG InterlockedExchange(_Inout_ _Interlocked_operand_ LONG volatile *Target,
                                     _In_ LONG Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

/* Returns the previous value. */
FORCEINLINE LONG InterlockedExchangeAdd(_Inout_ _Interlocked_operand_ LONG volatile *Addend,
                                        _In_ LONG Value)
{
    return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

/* Returns the new value. */
FORCEINLINE LONG InterlockedAdd(_Inout_ _Interlocked_operand_ LONG volatile *Addend,
                                _In_ LONG Value)
{
    return __atomic_add_fetch(Addend, Value, __ATOMIC_SEQ_CST);
}

/* Stores Exchange if *Destination == Comparand; returns the initial value. */
FORCEINLINE LONG InterlockedCompareExchange(
    _Inout_ _Interlocked_operand_ LONG volatile *Destination, _In_ LONG Exchange,
    _In_ LONG Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return Comparand;
}

/* Returns the previous value. */
FORCEINLINE LONG InterlockedOr(_Inout_ _Interlocked_operand_ LONG volatile *Destination,
                               _In_ LONG Value)
{
    return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST);
}

/* Returns the previous value. */
FORCEINLINE LONG InterlockedAnd(_Inout_ _Interlocked_operand_ LONG volatile *Destination,
                                _In_ LONG Value)
{
    return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);
}

FORCEINLINE PVOID InterlockedExchangePointer(
    _Inout_ _Interlocked_operand_ PVOID volatile *Target, _In_opt_ PVOID Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

FORCEINLINE PVOID InterlockedCompareExchangePointer(
    _Inout_ _Interlocked_operand_ PVOID volatile *Destination, _In_opt_ PVOID Exchange,
    _In_opt_ PVOID Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return Comparand;
}

FORCEINLINE LONG64 InterlockedIncrement64(_Inout_ _Interlocked_operand_ LONG64 volatile *Addend)
{
    return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

FORCEINLINE LONG64 InterlockedDecrement64(_Inout_ _Interlocked_operand_ LONG64 volatile *Addend)
{
    return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

/* Returns the new value. */
FORCEINLINE LONG64 InterlockedAdd64(_Inout_ _Interlocked_operand_ LONG64 volatile *Addend,
                                    _In_ LONG64 Value)
{
    return __atomic_add_fetch(Addend, Value, __ATOMIC_SEQ_CST);
}

/* Returns the previous value. */
FORCEINLINE LONG64 InterlockedExchangeAdd64(
    _Inout_ _Interlocked_operand_ LONG64 volatile *Addend, _In_ LONG64 Value)
{
    return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

/* Returns the previous value. */
FORCEINLINE LONG64 InterlockedExchange64(_Inout_ _Interlocked_operand_ LONG64 volatile *Target,
                                         _In_ LONG64 Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

FORCEINLINE LONG64 InterlockedCompareExchange64(
    _Inout_ _Interlocked_operand_ LONG64 volatile *Destination, _In_ LONG64 Exchange,
    _In_ LONG64 Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return Comparand;
}

#endif /* _WDMDDK_ */

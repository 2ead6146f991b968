/*
 * ndis/ossvc.h - NDIS operating-system services: memory, spin locks, read/write
 * locks, events, timers, I/O work items, lookaside lists, interlocked and list
 * helpers, IRQL macros, time and version queries, error logging.
 *
 * Part of libndis' split of the WDK's monolithic ndis.h (docs/headers.md).
 * Signatures follow the nf-ndis-*.md pages of the NDIS DDI reference.
 */
#ifndef _NDIS_OSSVC_H_
#define _NDIS_OSSVC_H_

#include <ntdef.h>
#include <wdm.h>
#include <ntddndis.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>

EXTERN_C_START

/*
 * Memory (nf-ndis-ndisallocatememorywithtagpriority.md, nf-ndis-ndisfreememory.md,
 * nf-ndis-ndisfreememorywithtagpriority.md). EX_POOL_PRIORITY comes from wdm.h.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_
PVOID
NdisAllocateMemoryWithTagPriority(_In_ NDIS_HANDLE NdisHandle,
                                  _In_ UINT Length,
                                  _In_ ULONG Tag,
                                  _In_ EX_POOL_PRIORITY Priority);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeMemory(_In_ PVOID VirtualAddress, _In_ UINT Length, _In_ UINT MemoryFlags);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeMemoryWithTagPriority(_In_ NDIS_HANDLE NdisHandle,
                              _In_ PVOID VirtualAddress,
                              _In_ ULONG Tag);

/* Memory helpers are macros in the WDK as well; any IRQL for nonpaged memory. */
#define NdisZeroMemory(Destination, Length) RtlZeroMemory((Destination), (Length))
#define NdisMoveMemory(Destination, Source, Length)                             \
    RtlMoveMemory((Destination), (Source), (Length))
#define NdisFillMemory(Destination, Length, Fill)                               \
    RtlFillMemory((Destination), (Length), (Fill))
#define NdisEqualMemory(Source1, Source2, Length)                               \
    RtlEqualMemory((Source1), (Source2), (Length))

/* ULONG load/store that tolerate an unaligned source or destination. */
#define NdisRetrieveUlong(Destination, Source)                                  \
    ((void)memcpy((Destination), (Source), sizeof(ULONG)))
#define NdisStoreUlong(Destination, Value)                                      \
    do {                                                                        \
        ULONG NdisStoreUlongValue__ = (ULONG)(Value);                           \
        memcpy((Destination), &NdisStoreUlongValue__, sizeof(ULONG));           \
    } while (0)

/* NDIS_PHYSICAL_ADDRESS accessors (nf-ndis-ndisgetphysicaladdresshigh.md etc.). */
#define NdisGetPhysicalAddressHigh(_PhysicalAddress) ((_PhysicalAddress).HighPart)
#define NdisGetPhysicalAddressLow(_PhysicalAddress) ((_PhysicalAddress).LowPart)
#define NdisSetPhysicalAddressHigh(_PhysicalAddress, _Value)                    \
    ((_PhysicalAddress).HighPart = (LONG)(_Value))
#define NdisSetPhysicalAddressLow(_PhysicalAddress, _Value)                     \
    ((_PhysicalAddress).LowPart = (ULONG)(_Value))
#define NDIS_PHYSICAL_ADDRESS_CONST(_Low, _High)                                \
    { { (ULONG)(_Low), (LONG)(_High) } }

/*
 * Counted strings. NDIS_STRING_CONST builds a UNICODE_STRING initializer from a
 * narrow literal by pasting the C11/C++11 u prefix, so WCHAR literals are 16-bit
 * without -fshort-wchar. Length excludes the terminator, as on Windows.
 */
#define NDIS_STRING_CONST(x)                                                    \
    { (USHORT)(sizeof(u##x) - sizeof(WCHAR)), (USHORT)sizeof(u##x), (PWSTR)(u##x) }
#define NdisInitUnicodeString(_us, s) RtlInitUnicodeString((_us), (s))

/*
 * Spin locks. NDIS_SPIN_LOCK is two pointer-sized words on Windows
 * (constants.md section 5): the KSPIN_LOCK and the IRQL saved by the acquire.
 */
typedef struct _NDIS_SPIN_LOCK {
    KSPIN_LOCK SpinLock;
    KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

VOID
NdisAllocateSpinLock(_Out_ PNDIS_SPIN_LOCK SpinLock);

VOID
NdisFreeSpinLock(_In_ PNDIS_SPIN_LOCK SpinLock);

_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_raises_(DISPATCH_LEVEL)
VOID
NdisAcquireSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock);

_IRQL_requires_(DISPATCH_LEVEL)
VOID
NdisReleaseSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock);

_IRQL_requires_(DISPATCH_LEVEL)
VOID
NdisDprAcquireSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock);

_IRQL_requires_(DISPATCH_LEVEL)
VOID
NdisDprReleaseSpinLock(_Inout_ PNDIS_SPIN_LOCK SpinLock);

/*
 * Read/write locks (NDIS 6.20, nf-ndis-ndisallocaterwlock.md). NDIS_RW_LOCK_EX
 * is opaque: drivers only hold the pointer NdisAllocateRWLock returns.
 * LOCK_STATE_EX is caller storage (ns-ndis-_lock_state_ex.md).
 */
typedef struct _NDIS_RW_LOCK_EX NDIS_RW_LOCK_EX, *PNDIS_RW_LOCK_EX;

typedef struct _LOCK_STATE_EX {
    KIRQL OldIrql;
    UCHAR LockState;
    UCHAR Flags;
} LOCK_STATE_EX, *PLOCK_STATE_EX;

#define NDIS_RWL_AT_DISPATCH_LEVEL 0x00000001

_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_
PNDIS_RW_LOCK_EX
NdisAllocateRWLock(_In_ NDIS_HANDLE NdisHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeRWLock(_In_ PNDIS_RW_LOCK_EX Lock);

_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_raises_(DISPATCH_LEVEL)
VOID
NdisAcquireRWLockRead(_In_ PNDIS_RW_LOCK_EX Lock,
                      _Out_ PLOCK_STATE_EX LockState,
                      _In_ ULONG Flags);

_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_raises_(DISPATCH_LEVEL)
VOID
NdisAcquireRWLockWrite(_In_ PNDIS_RW_LOCK_EX Lock,
                       _Out_ PLOCK_STATE_EX LockState,
                       _In_ ULONG Flags);

_IRQL_requires_(DISPATCH_LEVEL)
VOID
NdisReleaseRWLock(_In_ PNDIS_RW_LOCK_EX Lock, _In_ PLOCK_STATE_EX LockState);

/*
 * Events (nf-ndis-ndisinitializeevent.md): "caller-supplied storage for the event
 * object, which is opaque to drivers". The WDK wraps a KEVENT; libndis keeps a
 * futex word, a waiter count and a magic number in this storage (NDIS has no
 * routine that destroys an event, so nothing in it may need destroying).
 */
typedef struct _NDIS_EVENT {
    DECLSPEC_ALIGN(16) UCHAR Reserved[128];
} NDIS_EVENT, *PNDIS_EVENT;

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisInitializeEvent(_Out_ PNDIS_EVENT Event);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisSetEvent(_In_ PNDIS_EVENT Event);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisResetEvent(_In_ PNDIS_EVENT Event);

/* Returns TRUE if the event was signaled, FALSE on time-out; 0 waits forever. */
_IRQL_requires_(PASSIVE_LEVEL)
BOOLEAN
NdisWaitEvent(_In_ PNDIS_EVENT Event, _In_ UINT MsToWait);

/* Delays (nf-ndis-ndismsleep.md, nf-ndis-ndisstallexecution.md). */
_IRQL_requires_max_(APC_LEVEL)
VOID
NdisMSleep(_In_ ULONG MicrosecondsToSleep);

#define NdisStallExecution(MicroSecondsToStall)                                 \
    KeStallExecutionProcessor((ULONG)(MicroSecondsToStall))

/*
 * Interlocked helpers. Increment/Decrement/AddLargeStatistic take no lock and
 * are macros, as in the WDK; the list and ULONG forms serialize on the
 * caller's NDIS_SPIN_LOCK and may be called at any IRQL <= DISPATCH_LEVEL.
 */
#define NdisInterlockedIncrement(Addend) InterlockedIncrement(Addend)
#define NdisInterlockedDecrement(Addend) InterlockedDecrement(Addend)
#define NdisInterlockedAddLargeStatistic(_Addend, _Increment)                   \
    ((void)InterlockedExchangeAdd64((LONG64 volatile *)(_Addend), (LONG64)(ULONG)(_Increment)))

VOID
NdisInterlockedAddUlong(_Inout_ PULONG Addend,
                        _In_ ULONG Increment,
                        _Inout_ PNDIS_SPIN_LOCK SpinLock);

PLIST_ENTRY
NdisInterlockedInsertHeadList(_Inout_ PLIST_ENTRY ListHead,
                              _Inout_ PLIST_ENTRY ListEntry,
                              _Inout_ PNDIS_SPIN_LOCK SpinLock);

PLIST_ENTRY
NdisInterlockedInsertTailList(_Inout_ PLIST_ENTRY ListHead,
                              _Inout_ PLIST_ENTRY ListEntry,
                              _Inout_ PNDIS_SPIN_LOCK SpinLock);

/* Returns the removed entry, or NULL when the list was empty. */
PLIST_ENTRY
NdisInterlockedRemoveHeadList(_Inout_ PLIST_ENTRY ListHead,
                              _Inout_ PNDIS_SPIN_LOCK SpinLock);

#define NdisInitializeListHead(_ListHead) InitializeListHead(_ListHead)

/* Sequenced singly linked lists (nf-ndis-ndisinitializeslisthead.md etc.). */
VOID
NdisInitializeSListHead(_Out_ PSLIST_HEADER SListHead);

PSLIST_ENTRY
NdisInterlockedPushEntrySList(_Inout_ PSLIST_HEADER SListHead,
                              _Inout_ PSLIST_ENTRY SListEntry,
                              _Inout_ PNDIS_SPIN_LOCK Lock);

PSLIST_ENTRY
NdisInterlockedPopEntrySList(_Inout_ PSLIST_HEADER SListHead,
                             _Inout_ PNDIS_SPIN_LOCK Lock);

_IRQL_requires_max_(DISPATCH_LEVEL)
USHORT
NdisQueryDepthSList(_In_ PSLIST_HEADER SListHead);

/*
 * Nonpaged lookaside lists (nf-ndis-ndisinitializenpagedlookasidelist.md). No
 * page gives the layout; the list head is caller storage that "must be 16-byte
 * aligned on 64-bit platforms", so libndis reserves opaque, aligned storage.
 */
typedef struct _NPAGED_LOOKASIDE_LIST {
    DECLSPEC_ALIGN(16) UCHAR Reserved[128];
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisInitializeNPagedLookasideList(_Out_ PNPAGED_LOOKASIDE_LIST Lookaside,
                                  _In_opt_ PALLOCATE_FUNCTION Allocate,
                                  _In_opt_ PFREE_FUNCTION Free,
                                  _In_ ULONG Flags,
                                  _In_ ULONG Size,
                                  _In_ ULONG Tag,
                                  _In_ USHORT Depth);

_IRQL_requires_max_(DISPATCH_LEVEL)
PVOID
NdisAllocateFromNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeToNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside, _In_ PVOID Entry);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisDeleteNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);

/* I/O work items (nf-ndis-ndisqueueioworkitem.md); the routine runs at PASSIVE_LEVEL. */
typedef _IRQL_requires_(PASSIVE_LEVEL) _Function_class_(NDIS_IO_WORKITEM_FUNCTION)
VOID (NDIS_IO_WORKITEM_FUNCTION)(_In_opt_ PVOID WorkItemContext,
                                 _In_ NDIS_HANDLE NdisIoWorkItemHandle);
typedef NDIS_IO_WORKITEM_FUNCTION (*NDIS_IO_WORKITEM_ROUTINE);

_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_
NDIS_HANDLE
NdisAllocateIoWorkItem(_In_ NDIS_HANDLE NdisObjectHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisQueueIoWorkItem(_In_ NDIS_HANDLE NdisIoWorkItemHandle,
                    _In_ NDIS_IO_WORKITEM_ROUTINE Routine,
                    _In_opt_ PVOID WorkItemContext);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeIoWorkItem(_In_ NDIS_HANDLE NdisIoWorkItemHandle);

/*
 * Timer objects (nc-ndis-ndis_timer_function.md, ns-ndis-_ndis_timer_characteristics.md).
 * NetTimerCallback runs at DISPATCH_LEVEL.
 */
typedef _IRQL_requires_(DISPATCH_LEVEL) _Function_class_(NDIS_TIMER_FUNCTION)
VOID (NDIS_TIMER_FUNCTION)(_In_ PVOID SystemSpecific1,
                           _In_opt_ PVOID FunctionContext,
                           _In_ PVOID SystemSpecific2,
                           _In_ PVOID SystemSpecific3);
typedef NDIS_TIMER_FUNCTION (*PNDIS_TIMER_FUNCTION);

typedef struct _NDIS_TIMER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS */
    ULONG AllocationTag;
    PNDIS_TIMER_FUNCTION TimerFunction;
    PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS, *PNDIS_TIMER_CHARACTERISTICS;

#define NDIS_TIMER_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1                            \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_TIMER_CHARACTERISTICS, FunctionContext)

_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_
NDIS_STATUS
NdisAllocateTimerObject(_In_ NDIS_HANDLE NdisHandle,
                        _In_ PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
                        _Out_ PNDIS_HANDLE pTimerObject);

/*
 * DueTime is in 100 ns units: negative is relative to now, positive absolute.
 * Returns TRUE if the timer was already queued.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN
NdisSetTimerObject(_In_ NDIS_HANDLE TimerObject,
                   _In_ LARGE_INTEGER DueTime,
                   _In_opt_ LONG MillisecondsPeriod,
                   _In_opt_ PVOID FunctionContext);

_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN
NdisCancelTimerObject(_In_ NDIS_HANDLE TimerObject);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisFreeTimerObject(_In_ NDIS_HANDLE TimerObject);

/*
 * IRQL (nf-ndis-ndis_raise_irql_to_dispatch.md, nf-ndis-ndis_lower_irql.md):
 * NDIS wrappers of KeRaiseIrql/KeLowerIrql.
 */
#define NDIS_RAISE_IRQL_TO_DISPATCH(_pIrql_) KeRaiseIrql(DISPATCH_LEVEL, (_pIrql_))
#define NDIS_LOWER_IRQL(_OldIrql_, _CurIrql_)                                   \
    do {                                                                        \
        if ((_OldIrql_) != (_CurIrql_))                                         \
            KeLowerIrql(_OldIrql_);                                             \
    } while (0)
#define NDIS_CURRENT_IRQL() KeGetCurrentIrql()

/* Version, time and processor queries. */

/* (major << 16) | minor of the NDIS the library implements (NDIS_RUNTIME_VERSION_*). */
_IRQL_requires_max_(DISPATCH_LEVEL)
UINT
NdisGetVersion(VOID);

/* Milliseconds since the host started. */
VOID
NdisGetSystemUpTimeEx(_Out_ PLARGE_INTEGER pSystemUpTime);

/* 100 ns intervals since January 1, 1601 (UTC). */
VOID
NdisGetCurrentSystemTime(_Out_ PLARGE_INTEGER pSystemTime);

_IRQL_requires_(PASSIVE_LEVEL)
CCHAR
NdisSystemProcessorCount(VOID);

/* Event log (nf-ndis-ndiswriteerrorlogentry.md): NumberOfErrorValues ULONGs follow. */
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
NdisWriteErrorLogEntry(_In_ NDIS_HANDLE NdisAdapterHandle,
                       _In_ NDIS_ERROR_CODE ErrorCode,
                       _In_ ULONG NumberOfErrorValues,
                       ...);

/*
 * Optional handlers (nf-ndis-ndissetoptionalhandlers.md). Every structure the
 * page lists begins with an NDIS_OBJECT_HEADER whose Type names it; callers cast
 * their structure to PNDIS_DRIVER_OPTIONAL_HANDLERS. The CoNDIS, chimney, NDK
 * and shared-memory members are not part of libndis.
 */
typedef union _NDIS_DRIVER_OPTIONAL_HANDLERS {
    NDIS_OBJECT_HEADER Header;
} NDIS_DRIVER_OPTIONAL_HANDLERS, *PNDIS_DRIVER_OPTIONAL_HANDLERS;

_IRQL_requires_(PASSIVE_LEVEL)
NDIS_STATUS
NdisSetOptionalHandlers(_In_ NDIS_HANDLE NdisHandle,
                        _In_ PNDIS_DRIVER_OPTIONAL_HANDLERS OptionalHandlers);

EXTERN_C_END

#endif /* _NDIS_OSSVC_H_ */

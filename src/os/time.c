/*
 * time.c - tick count, performance counter, system time, up time, sleeping
 * and stalling.
 *
 * Clocks: the tick count and NdisGetSystemUpTimeEx count from boot with time
 * in suspend included (CLOCK_BOOTTIME), like Windows' interrupt time; the
 * performance counter is CLOCK_MONOTONIC at 10 MHz; system time is the
 * real-time clock in Windows units (100 ns since 1601-01-01 UTC).
 */
#include "os/time.h"

#include <errno.h>
#include <time.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/verifier.h"
#include "os/spinlock.h"

#define PERF_FREQUENCY 10000000ll /* 100 ns resolution, as current Windows reports */

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t ndisi_boot_ns(void)
{
    return clock_ns(CLOCK_BOOTTIME);
}

int64_t ndisi_system_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec + (int64_t)NDISI_EPOCH_DIFF_SECONDS) * 10000000ll +
           (int64_t)ts.tv_nsec / 100;
}

/* nf-wdm-kequerytickcount.md: the number of interval-timer ticks since boot. */
VOID KeQueryTickCount(_Out_ PLARGE_INTEGER CurrentCount)
{
    if (!CurrentCount) {
        ndisi_report(NDISI_V_PARAMETER, "KeQueryTickCount", "CurrentCount must not be NULL",
                     "CurrentCount is NULL");
        return;
    }
    CurrentCount->QuadPart = (LONGLONG)(ndisi_boot_ns() / 100u / NDISI_TIME_INCREMENT);
}

/* nf-wdm-kequerytimeincrement.md: constant until the "computer restarts". */
ULONG KeQueryTimeIncrement(VOID)
{
    return NDISI_TIME_INCREMENT;
}

LARGE_INTEGER KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER v;
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = PERF_FREQUENCY;
    v.QuadPart = (LONGLONG)(clock_ns(CLOCK_MONOTONIC) / 100u);
    return v;
}

/* nf-ndis-ndisgetsystemuptimeex.md: milliseconds since the computer restarted. */
VOID NdisGetSystemUpTimeEx(_Out_ PLARGE_INTEGER pSystemUpTime)
{
    if (!pSystemUpTime) {
        ndisi_report(NDISI_V_PARAMETER, "NdisGetSystemUpTimeEx",
                     "pSystemUpTime must not be NULL", "pSystemUpTime is NULL");
        return;
    }
    pSystemUpTime->QuadPart = (LONGLONG)(ndisi_boot_ns() / 1000000u);
}

/* nf-ndis-ndisgetcurrentsystemtime.md: 100 ns intervals since January 1, 1601. */
VOID NdisGetCurrentSystemTime(_Out_ PLARGE_INTEGER pSystemTime)
{
    if (!pSystemTime) {
        ndisi_report(NDISI_V_PARAMETER, "NdisGetCurrentSystemTime",
                     "pSystemTime must not be NULL", "pSystemTime is NULL");
        return;
    }
    pSystemTime->QuadPart = ndisi_system_time();
}

/*
 * nf-ndis-ndismsleep.md: callers run at IRQL < DISPATCH_LEVEL, and "Do not call
 * NdisMSleep with a timeout of more than 30,000,000 microseconds". A call at
 * DISPATCH_LEVEL is reported and returns at once (sleeping there could
 * deadlock against a spin lock the caller holds); a too long delay is reported
 * and then honoured.
 */
VOID NdisMSleep(_In_ ULONG MicrosecondsToSleep)
{
    if (!ndisi_irql_le(APC_LEVEL, "NdisMSleep", "Irql_Miniport_Driver_Function"))
        return;
    if (MicrosecondsToSleep > 30000000u)
        ndisi_report(NDISI_V_PARAMETER, "NdisMSleep",
                     "Do not call NdisMSleep with a timeout of more than 30,000,000 "
                     "microseconds",
                     "MicrosecondsToSleep is %lu", (unsigned long)MicrosecondsToSleep);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += MicrosecondsToSleep / 1000000u;
    until.tv_nsec += (long)(MicrosecondsToSleep % 1000000u) * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
}

/*
 * Busy-waits at any IRQL. NdisStallExecution is this routine (ndis/ossvc.h), so
 * the NdisStallExecution_Delay rule applies: "must never be called by using a
 * value for MicrosecondsToStall that is greater than 50 microseconds". The
 * stall is performed after the report: it is harmless.
 */
VOID KeStallExecutionProcessor(_In_ ULONG MicroSeconds)
{
    if (MicroSeconds > 50u)
        ndisi_report(NDISI_V_PARAMETER, "KeStallExecutionProcessor (NdisStallExecution)",
                     "NdisStallExecution_Delay",
                     "stall of %lu microseconds: use NdisMSleep for delays over 50 "
                     "microseconds", (unsigned long)MicroSeconds);
    uint64_t until = clock_ns(CLOCK_MONOTONIC) + (uint64_t)MicroSeconds * 1000u;
    while (clock_ns(CLOCK_MONOTONIC) < until)
        ndisi_cpu_relax();
}

/*
 * time.h - clocks behind the time DDIs and timer objects (time.c).
 */
#ifndef NDISI_OS_TIME_H
#define NDISI_OS_TIME_H

#include <stdint.h>

/*
 * KeQueryTimeIncrement: 100 ns units per tick. libndis ticks every millisecond
 * (10000 x 100 ns), the finest interval Windows' clock runs at, rather than
 * the 15.625 ms default: drivers that measure intervals in ticks get 1 ms
 * resolution, and the documentation tells them not to assume a tick length.
 */
#define NDISI_TIME_INCREMENT 10000u

/* Seconds between 1601-01-01 (Windows system time) and 1970-01-01 (Unix). */
#define NDISI_EPOCH_DIFF_SECONDS 11644473600ull

/* Current system time: 100 ns intervals since 1601-01-01 UTC. */
int64_t ndisi_system_time(void);

/* Time since boot in nanoseconds, suspend included (CLOCK_BOOTTIME). */
uint64_t ndisi_boot_ns(void);

#endif /* NDISI_OS_TIME_H */

/*
 * benchdrv.h - the drivers the benchmarks measure: a miniport ("bmp"), a
 * protocol ("bpr") and a pass-through filter ("bflt"), written against
 * <ndis.h>. The same driver code runs two ways:
 *   - through libndis (the protocol calls NdisSendNetBufferLists, the miniport
 *     NdisMSendNetBufferListsComplete, and so on);
 *   - wired directly to each other: every NDIS call is replaced by a direct
 *     call of the other driver's handler. That is the floor no runtime can beat.
 * What the drivers do with each frame is the workload (bench_work):
 *   BENCH_WORK_POINTERS  they only walk the chains (pure pointer passing): NDIS's
 *                        own per-NBL cost shown most harshly;
 *   BENCH_WORK_HEADER    the least a real driver does (the default): the
 *                        miniport reads the Ethernet header of each frame it
 *                        transmits and sets Status, the protocol reads the
 *                        header of each frame it receives;
 *   BENCH_WORK_COPY      what a software NIC or a socket layer does: the
 *                        miniport copies each frame it transmits into its
 *                        transmit buffer, the protocol copies each frame it
 *                        receives out of the NBL.
 * Each side also walks the chains it gets back (completions, returns).
 */
#ifndef NDIS_BENCHDRV_H
#define NDIS_BENCHDRV_H

#include <ndis.h>
#include <ndishost.h>
#include <stdbool.h>

#define BENCH_MAX_ADAPTERS 16

typedef struct bench_path {
    /* the binding and adapter the protocol and miniport use */
    NDIS_HANDLE binding;       /* NdisBindingHandle */
    NDIS_HANDLE adapter;       /* MiniportAdapterHandle */
    void *mp_ctx, *pr_ctx;     /* driver contexts, for the direct wiring */
    PNET_BUFFER_LIST chain[4]; /* preallocated chains of 1, 8, 64, 64 (send / receive) */
    ULONG chain_len[4];
    volatile unsigned long completed, received;
    volatile unsigned long sink; /* what the drivers read of the frames (kept observable) */
} __attribute__((aligned(128))) bench_path; /* one path per thread: no false sharing */

extern bool bench_direct;           /* wire the drivers directly (the floor) */
enum bench_work { BENCH_WORK_POINTERS, BENCH_WORK_HEADER, BENCH_WORK_COPY };
extern enum bench_work bench_work;  /* default BENCH_WORK_HEADER */
extern bench_path bench_paths[BENCH_MAX_ADAPTERS];

NTSTATUS bmp_entry(PDRIVER_OBJECT d, PUNICODE_STRING r);
NTSTATUS bpr_entry(PDRIVER_OBJECT d, PUNICODE_STRING r);
/* Loaded as "bflt<i>" a pass-through filter, as "bbyp<i>" one with no data handlers. */
NTSTATUS bflt_entry(PDRIVER_OBJECT d, PUNICODE_STRING r);

/* Builds chains of 1, 8 and 64 NBLs for path i from the protocol's pool
   (index 0..2) and a 64-NBL receive chain from the miniport's pool (index 3). */
void bench_prepare(int i);
void bench_release(int i);

/* One send of chain k on path i; returns when it completed (inline completion). */
void bench_send(int i, int k);
/* One indication of the receive chain (64 NBLs, or its first n) and its return. */
void bench_indicate(int i, ULONG n);

/* Loads the drivers, adds `n` adapters ("b0".."b<n-1>"), binds; filters: the
   number of pass-through modules and of bypassing modules. */
ndis_host *bench_up(int n, int filters, int bypass_filters);
void bench_down(ndis_host *h);

/* Monotonic nanoseconds. */
unsigned long long bench_ns(void);
/* malloc/calloc/realloc calls made by the process so far (the benchmarks link
   with --wrap so this counts every system allocation). */
unsigned long bench_mallocs(void);

#endif /* NDIS_BENCHDRV_H */

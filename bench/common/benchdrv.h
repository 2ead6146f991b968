/*
 * benchdrv.h - the drivers the benchmarks measure: a miniport ("bmp"), a
 * protocol ("bpr") and a pass-through filter ("bflt"), written against
 * <ndis.h>. The same driver code runs two ways:
 *   - through libndis (the protocol calls NdisSendNetBufferLists, the miniport
 *     NdisMSendNetBufferListsComplete, and so on);
 *   - wired directly to each other: every NDIS call is replaced by a direct
 *     call of the other driver's handler. That is the floor no runtime can beat.
 * The drivers do the least a real driver does on each path: the miniport
 * reads the Ethernet header of each frame it transmits and sets Status, the
 * protocol reads the header of each frame it receives, and each side walks the
 * chains it gets back. With bench_touch false they only walk the chains (pure
 * pointer passing), which shows NDIS's own per-NBL cost most harshly.
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
} bench_path;

extern bool bench_direct;           /* wire the drivers directly (the floor) */
extern bool bench_touch;            /* drivers read each frame's header (default) */
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

/*
 * countproto.h - the protocol the TAP benchmark measures with: it binds to the
 * TAP adapter, counts the frames it receives (reading each one's Ethernet
 * header, as a protocol does) and sends frames from a preallocated pool as
 * fast as they complete. Written against <ndis.h>.
 */
#ifndef NDIS_BENCH_COUNTPROTO_H
#define NDIS_BENCH_COUNTPROTO_H

#include <ndis.h>
#include <stdbool.h>

NTSTATUS countproto_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

/* Frames received so far (all bindings). */
unsigned long long countproto_received(void);
/* Frames sent and completed with success / with a failure. */
unsigned long long countproto_sent(void);
unsigned long long countproto_send_failed(void);
/* True once the binding runs with its packet filter set. */
bool countproto_ready(void);

/*
 * Sends frames of `len` bytes (to dst, from the adapter's address) in chains of
 * `batch` NBLs until *stop becomes true. Returns the frames sent.
 */
unsigned long long countproto_send_loop(ULONG len, ULONG batch, const UCHAR dst[6],
                                        volatile bool *stop);

#endif /* NDIS_BENCH_COUNTPROTO_H */

/*
 * fakemp.h - a test miniport for the responder tests without a TAP device:
 * one Ethernet adapter that indicates exactly the frames a test gives it,
 * laid out as the test says (split over several MDLs, starting inside the
 * first one, several NET_BUFFERs in one NBL, lent with
 * NDIS_RECEIVE_FLAGS_RESOURCES), and keeps a copy of every frame sent to it.
 * Sends complete at once, or are held until fakemp_release_sends.
 */
#ifndef NDIS_TAP_FAKEMP_H
#define NDIS_TAP_FAKEMP_H

#include <ndis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern const uint8_t fakemp_mac[6];

NTSTATUS fakemp_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

/*
 * Indicates one frame (at DISPATCH_LEVEL) as one NBL whose NET_BUFFER starts
 * `offset` bytes into its first MDL; the data is cut into MDLs of the given
 * sizes (the last one takes the rest). Returns when NDIS returned it (or at
 * once with NDIS_RECEIVE_FLAGS_RESOURCES in flags).
 */
void fakemp_indicate(const uint8_t *frame, size_t len, ULONG offset, const size_t *chunks,
                     int nchunks, ULONG flags);
/* Indicates n frames as n NET_BUFFERs of one NBL. */
void fakemp_indicate_nbs(const uint8_t *const *frames, const size_t *lens, int n);

/* Frames sent to the adapter so far, oldest first. */
int fakemp_sent_count(void);
const uint8_t *fakemp_sent(int i, size_t *len);

/* Holds sends in the miniport (not completed) until released. */
void fakemp_hold_sends(bool hold);
/* Completes the held sends; returns how many NBLs. */
int fakemp_release_sends(void);
/* NBLs indicated and not yet returned. */
long fakemp_outstanding(void);

#endif /* NDIS_TAP_FAKEMP_H */

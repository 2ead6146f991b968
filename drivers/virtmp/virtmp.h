/*
 * virtmp.h - what a program that links the virtmp sample miniport in
 * (target virtmp_static) may call. This is the sample's own interface for
 * demos and tests, not part of NDIS: a Windows driver has no such exports.
 *
 * The loadable build (virtmp.so) needs none of it: NDIS finds its DriverEntry.
 */
#ifndef VIRTMP_H
#define VIRTMP_H

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct _DRIVER_OBJECT;

/*
 * The driver's entry point in virtmp_static (DriverEntry, renamed so that
 * several drivers can live in one program). Pass it to ndis_host_load_driver.
 */
NTSTATUS virtmp_DriverEntry(struct _DRIVER_OBJECT *DriverObject, PUNICODE_STRING RegistryPath);

/*
 * Plugs (connected != 0) or unplugs the "cable" of adapter `adapter` (its
 * NDIS name, as given to ndis_host_add_adapter). When the state changes the
 * adapter indicates NDIS_STATUS_LINK_STATE to NDIS. An unplugged adapter
 * neither transmits (sends complete with NDIS_STATUS_MEDIA_DISCONNECTED) nor
 * receives. Returns 0, or -1 if virtmp has no such adapter.
 *
 * Call it at PASSIVE_LEVEL from a program thread. It may race with the
 * adapter's removal: an adapter that is leaving the segment is not found.
 */
int virtmp_set_link_state(const char *adapter, int connected);

#ifdef __cplusplus
}
#endif

#endif /* VIRTMP_H */

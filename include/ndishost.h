/*
 * ndishost.h - the libndis host API (tier 2, not Windows).
 *
 * What Windows' PnP manager, service control manager and registry do for NDIS,
 * as a small C API: create an NDIS instance, load and unload drivers, add and
 * remove adapters, pause and restart them, enumerate the stack.
 */
#ifndef NDISHOST_H
#define NDISHOST_H

#ifdef __cplusplus
extern "C" {
#endif

#define NDIS_HOST_VERSION_STRING "0.1.0"

/* "libndis <version>". */
const char *ndis_host_version(void);

#ifdef __cplusplus
}
#endif

#endif /* NDISHOST_H */

/*
 * passfilter.h - what a program that links the passfilter sample filter in
 * (target passfilter_static) may call: the counters of each filter module.
 * This is the sample's own interface for demos and tests, not part of NDIS.
 * The module also prints its counters with DbgPrint when it detaches.
 *
 * Modules are named by their adapter's NDIS name. The functions may be called
 * from any program thread while the driver is loaded; they return 0 or a
 * negative errno value (-ENOENT: no module on that adapter, -EINVAL).
 */
#ifndef PASSFILTER_H
#define PASSFILTER_H

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct _DRIVER_OBJECT;

/* DriverEntry of passfilter_static, for ndis_host_load_driver. */
NTSTATUS passfilter_DriverEntry(struct _DRIVER_OBJECT *DriverObject, PUNICODE_STRING RegistryPath);

#define PASSFILTER_NAME_MAX 64

/* What one module saw. NBLs are NET_BUFFER_LISTs, frames their NET_BUFFERs. */
typedef struct passfilter_counters {
    char adapter[PASSFILTER_NAME_MAX];
    char state[12];                        /* Paused, Running */
    unsigned long long send_nbls, send_frames, send_bytes; /* FilterSendNetBufferLists */
    unsigned long long send_completes;     /* NBLs FilterSendNetBufferListsComplete passed up */
    unsigned long long send_rejected;      /* NBLs completed with NDIS_STATUS_PAUSED */
    unsigned long long receive_nbls, receive_frames, receive_bytes; /* FilterReceiveNetBufferLists */
    unsigned long long receive_resources;  /* of those, indicated with NDIS_RECEIVE_FLAGS_RESOURCES */
    unsigned long long returns;            /* NBLs FilterReturnNetBufferLists passed down */
    unsigned long long receive_rejected;   /* NBLs returned at once while not Running */
    unsigned long long oid_requests;       /* FilterOidRequest */
    unsigned long long oid_pended;         /* of those, completed later (FilterOidRequestComplete) */
    unsigned long long oid_failed;         /* completed with a status other than success */
    unsigned long long status_indications; /* FilterStatus */
    unsigned long long net_pnp_events;     /* FilterNetPnPEvent */
    unsigned long long device_pnp_events;  /* FilterDevicePnPEventNotify */
    unsigned long long pauses, restarts;
} passfilter_counters;

/* Fills up to `max` modules (in attach order); *count gets how many exist. */
int passfilter_list(passfilter_counters *out, unsigned max, unsigned *count);
int passfilter_get(const char *adapter, passfilter_counters *out);

#ifdef __cplusplus
}
#endif

#endif /* PASSFILTER_H */

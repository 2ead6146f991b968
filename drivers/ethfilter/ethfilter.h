/*
 * ethfilter.h - what a program that links the ethfilter sample filter in
 * (target ethfilter_static) may call: the drop rules and counters of each
 * filter module. This is the sample's own interface for demos and tests, not
 * part of NDIS.
 *
 * Modules are named by their adapter's NDIS name. The functions may be called
 * from any program thread while the driver is loaded; they return 0 or a
 * negative errno value (-ENOENT: no module on that adapter, -EINVAL).
 */
#ifndef ETHFILTER_H
#define ETHFILTER_H

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct _DRIVER_OBJECT;

/* DriverEntry of ethfilter_static, for ndis_host_load_driver. */
NTSTATUS ethfilter_DriverEntry(struct _DRIVER_OBJECT *DriverObject, PUNICODE_STRING RegistryPath);

#define ETHFILTER_NAME_MAX 64
#define ETHFILTER_MAX_TYPES 16 /* EtherTypes one module drops at most */

/* Where a module's DropEtherTypes came from. */
#define ETHFILTER_RULES_NONE 0   /* configured nowhere: everything passes */
#define ETHFILTER_RULES_MODULE 1 /* the module's own key (per adapter) */
#define ETHFILTER_RULES_DRIVER 2 /* the driver's parameters (operator value or INF default) */

/* One module: its rules and what it did. Counts are frames (NET_BUFFERs). */
typedef struct ethfilter_counters {
    char adapter[ETHFILTER_NAME_MAX];
    char state[12];                    /* Paused, Running */
    int rules_source;                  /* ETHFILTER_RULES_* */
    unsigned ntypes;
    unsigned short ethertype[ETHFILTER_MAX_TYPES];
    unsigned long long dropped_send[ETHFILTER_MAX_TYPES];    /* by ethertype[i] */
    unsigned long long dropped_receive[ETHFILTER_MAX_TYPES];
    unsigned long long passed_send, passed_receive;
    unsigned long long rejected_send, rejected_receive;     /* while not Running */
} ethfilter_counters;

/* Fills up to `max` modules (in attach order); *count gets how many exist. */
int ethfilter_list(ethfilter_counters *out, unsigned max, unsigned *count);
int ethfilter_get(const char *adapter, ethfilter_counters *out);

#ifdef __cplusplus
}
#endif

#endif /* ETHFILTER_H */

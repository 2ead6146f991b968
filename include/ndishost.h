/*
 * ndishost.h - the libndis host API (tier 2, not Windows).
 *
 * What Windows' PnP manager, service control manager and registry do for NDIS,
 * as a small C API: create an NDIS instance, load and unload drivers, add and
 * remove adapters, pause and restart them, enumerate the stack, trace the calls
 * NDIS makes into drivers, and choose what the verifier does on a violation.
 *
 * Conventions: functions return 0 on success or a negative errno value
 * (-ENOENT: no such driver or adapter, -EEXIST: name in use, -EINVAL: bad
 * argument, -EBUSY: object in use or leaked, -EIO: a driver failed the
 * operation, -ETIMEDOUT: a driver did not complete within the wait bound).
 * Details of every failure go to the diagnostic handler (stderr by default).
 * Every call is synchronous: when it returns, the PnP work it caused (binds,
 * attaches, restarts) has been done. Any thread may call the API.
 */
#ifndef NDISHOST_H
#define NDISHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDIS_HOST_VERSION_STRING "0.1.0"

/* "libndis <version>". */
const char *ndis_host_version(void);

typedef struct ndis_host ndis_host;
struct _DRIVER_OBJECT;

/* A driver's entry point: the DRIVER_INITIALIZE role type. */
typedef NTSTATUS ndis_driver_entry_fn(struct _DRIVER_OBJECT *DriverObject,
                                      PUNICODE_STRING RegistryPath);

/* ---- instances ------------------------------------------------------------ */

#define NDIS_HOST_FAULT_PEND_OPEN 0x1u  /* NdisOpenAdapterEx returns NDIS_STATUS_PENDING */
#define NDIS_HOST_FAULT_PEND_CLOSE 0x2u /* NdisCloseAdapterEx returns NDIS_STATUS_PENDING */

typedef struct ndis_host_options {
    const char *name;          /* for diagnostics; default "ndis" */
    unsigned wait_timeout_ms;  /* bound of every wait on a driver; 0: NDIS_WAIT_TIMEOUT_MS
                                  from the environment, else 30000 */
    const char *registry_dir;  /* persistent configuration store; NULL: in memory */
    unsigned fault_flags;      /* NDIS_HOST_FAULT_* */
} ndis_host_options;

/* Creates an NDIS instance (opts may be NULL). */
int ndis_host_create(const ndis_host_options *opts, ndis_host **out);

/*
 * Stops the instance as a system shutdown does: protocols unbind, filters
 * detach, adapters halt, drivers unload, in that order. Returns -EBUSY (after
 * reporting each one) if anything leaked; the instance is freed either way.
 */
int ndis_host_destroy(ndis_host *h);

/*
 * The system shuts down (what Windows does at power-off): NDIS pauses every
 * adapter's stack, so no send, OID request or other call reaches its miniport
 * any more, and calls MiniportShutdownEx(NdisShutdownPowerOff) at PASSIVE_LEVEL.
 * The adapters are then in the Shutdown state, where NDIS calls no other
 * function of the miniport for them, "including MiniportHaltEx". After it
 * only ndis_host_destroy is left (every other call fails with -ESHUTDOWN): it
 * unbinds protocols, detaches filters, removes the shut-down adapters without a
 * halt and unloads the drivers; what a miniport still holds for its shut-down
 * adapters is released with a diagnostic, not a leak report.
 */
int ndis_host_shutdown(ndis_host *h);

/* ---- drivers -------------------------------------------------------------- */

/*
 * Bind rules of a driver: what its INF's Ndi\Interfaces and filter keys say.
 * Lists are comma-separated interface names. NULL fields take the defaults:
 * miniports UpperRange "ndis5", LowerRange "ethernet"; protocols LowerRange
 * "ndis5"; filters FilterMediaTypes "ethernet", FilterClass "custom", FilterType
 * modifying (2), FilterRunType optional (2).
 */
typedef struct ndis_driver_config {
    const char *upper_range;
    const char *lower_range;
    const char *filter_media_types;
    const char *filter_class;
    int filter_type;      /* 1 monitoring, 2 modifying */
    int filter_run_type;  /* 1 mandatory, 2 optional */
    const char *service_name;
} ndis_driver_config;

/*
 * Loads a driver linked into the process: calls DriverEntry. cfg NULL: the bind
 * rules of the INF installed for `name` (ndis_host_install_inf), else the
 * defaults above.
 */
int ndis_host_load_driver(ndis_host *h, const char *name, ndis_driver_entry_fn *entry,
                          const ndis_driver_config *cfg);

/*
 * Loads a driver from a shared object that exports DriverEntry (built with
 * `cc -shared -fPIC $(pkg-config --cflags --libs ndis)`), under `name` (NULL:
 * the file's base name without ".so"). Unloading dlcloses it. cfg NULL: the
 * bind rules of the INF installed for the name; if none is, of the INF next to
 * the file (same base name, ".inf"), which is installed first, and whose
 * service is then the name when `name` is NULL. -ENOEXEC when the file cannot
 * be loaded or exports no DriverEntry; -EIO when DriverEntry fails; -EINVAL
 * when that INF is malformed or installs another service than `name` (the
 * diagnostic gives its file, line and reason).
 */
int ndis_host_load_driver_file(ndis_host *h, const char *path, const char *name,
                               const ndis_driver_config *cfg);

/* Unloads a driver the way Windows does (halts its adapters first for a miniport). */
int ndis_host_unload_driver(ndis_host *h, const char *name);

/* ---- adapters ------------------------------------------------------------- */

typedef struct ndis_adapter_config {
    const char *ifname;         /* "*IfName" keyword, e.g. the TAP interface to create */
    const unsigned char *mac;   /* 6 bytes: the "NetworkAddress" keyword, or NULL */
} ndis_adapter_config;

/* PnP device arrival: a new adapter of a registered miniport driver. */
int ndis_host_add_adapter(ndis_host *h, const char *miniport_driver, const char *adapter,
                          const ndis_adapter_config *cfg);
/* Orderly removal (device disabled) or surprise removal (device gone). */
int ndis_host_remove_adapter(ndis_host *h, const char *adapter);
int ndis_host_surprise_remove_adapter(ndis_host *h, const char *adapter);
/*
 * Indicates a network PnP event (a NET_PNP_EVENT_CODE other than NetEventPause
 * and NetEventRestart, e.g. NetEventReconfigure or NetEventSetPower with its
 * buffer) up the adapter's stack: FilterNetPnPEvent of each module, then
 * ProtocolNetPnPEvent of each binding. -EIO if a driver failed it.
 */
int ndis_host_net_pnp_event(ndis_host *h, const char *adapter, int net_event, const void *buf,
                            size_t len);
/* Pause and restart the whole stack of an adapter. */
int ndis_host_pause_adapter(ndis_host *h, const char *adapter);
int ndis_host_restart_adapter(ndis_host *h, const char *adapter);

/*
 * Disables (unbinds, and keeps from binding again) or enables a binding of a
 * protocol to an adapter, by name. Either may not exist yet; the choice is
 * remembered for when they appear.
 */
int ndis_host_set_binding_enabled(ndis_host *h, const char *protocol, const char *adapter,
                                  bool enabled);

/* ---- OID requests from the host -------------------------------------------- */

/*
 * Issues an OID request to an adapter as NDIS itself does, with no binding: the
 * request enters the stack at the top, goes through every filter module that has
 * a FilterOidRequest handler, and reaches the miniport edge, where NDIS answers
 * what it answers for every miniport (attributes, link state, statistics derived
 * from OID_GEN_STATISTICS) and gives the rest to MiniportOidRequest. It runs on
 * the instance's PnP worker, so the adapter stays while it is in flight, and a
 * pended request is waited for (bounded).
 *
 * `type` is an NDIS_REQUEST_TYPE: NdisRequestQueryInformation (0),
 * NdisRequestSetInformation (1) or NdisRequestQueryStatistics (2). `buf` holds
 * `len` bytes (at most NDIS_HOST_OID_MAX_LEN): the value to set, or room for the
 * answer. On return 0 the request completed: *status is its NDIS_STATUS and
 * *bytes the bytes written (query) or read (set), or the bytes needed when
 * *status is NDIS_STATUS_BUFFER_TOO_SHORT or NDIS_STATUS_INVALID_LENGTH.
 * Sets of the OIDs NDIS keeps per binding (OID_GEN_CURRENT_PACKET_FILTER,
 * OID_802_3_MULTICAST_LIST, OID_GEN_CURRENT_LOOKAHEAD) are refused with -EINVAL:
 * a protocol sets them on its binding. -EBUSY: the adapter is not Paused,
 * Running, Pausing or Restarting.
 */
#define NDIS_HOST_OID_MAX_LEN 65536u
int ndis_host_oid(ndis_host *h, const char *adapter, int type, uint32_t oid, void *buf,
                  size_t len, int32_t *status, size_t *bytes);

/* ---- configuration: the registry's role ------------------------------------- */

/*
 * Keywords drivers read with NdisReadConfiguration, as strings the way the
 * registry holds them ("1514", "02-00-4C-4F-4F-50", "ndis5"); NDIS converts to
 * the NDIS_PARAMETER_TYPE the driver asks for. Three places, from highest
 * precedence: values the operator (or a driver, NdisWriteConfiguration) set,
 * persisted in the instance's registry_dir; INF defaults (Ndi\params of the
 * driver's INF, set by ndis_host_install_inf), not persisted; nothing
 * (NdisReadConfiguration fails). docs/config.md has the key layout.
 *
 * `name` may go on with "\<subkey>[\...]" to reach a key below: with
 * NDIS_PARAM_DRIVER, "<protocol>\Adapters\<adapter>" is a protocol's
 * per-binding key (NDIS_BIND_PARAMETERS.ProtocolSection, what the binding's
 * BindParameters or NdisBindingHandle open), e.g. the "IPAddress" of one
 * binding, and "<filter>\Adapters\<adapter>" a filter module's key.
 *
 * scope NDIS_PARAM_ADAPTER: the keywords of one adapter (by adapter name; the
 *   adapter need not exist yet) - what NdisOpenConfigurationEx opens for a
 *   MiniportAdapterHandle and what *IfName and NetworkAddress are.
 * scope NDIS_PARAM_DRIVER: a driver's service Parameters (by driver name) - what
 *   a protocol or filter driver handle opens.
 * scope NDIS_PARAM_DRIVER_DEFAULT: the INF default of a keyword for every
 *   adapter of miniport driver `name` (or for the driver's own parameters).
 */
typedef enum ndis_param_scope {
    NDIS_PARAM_ADAPTER,
    NDIS_PARAM_DRIVER,
    NDIS_PARAM_DRIVER_DEFAULT,
} ndis_param_scope;

int ndis_host_set_param(ndis_host *h, ndis_param_scope scope, const char *name,
                        const char *keyword, const char *value);
/* -ENOENT when no layer has the keyword. */
int ndis_host_get_param(ndis_host *h, ndis_param_scope scope, const char *name,
                        const char *keyword, char *buf, size_t len);
/* Removes the operator's value; the INF default (if any) shows again. */
int ndis_host_delete_param(ndis_host *h, ndis_param_scope scope, const char *name,
                           const char *keyword);

/* ---- INF installation: the role of pnputil /add-driver ------------------------ */

/*
 * What an installed INF says about one service (the name its driver is loaded
 * under): docs/config.md, "INF installation".
 */
typedef struct ndis_inf_info {
    char service[64];
    char inf_path[256];
    char component_id[128];       /* hw-id of its Models line, e.g. "MS_NdisLwf" */
    char net_class[16];           /* "Net", "NetTrans" or "NetService" */
    unsigned kind;                /* NDIS_DRIVER_KIND_MINIPORT, _PROTOCOL or _FILTER */
    uint32_t characteristics;     /* NCF_* of the DDInstall section */
    char upper_range[128];        /* Ndi\Interfaces, lower-case, comma-separated */
    char lower_range[128];
    char filter_media_types[128];
    char filter_class[32];        /* filters: Ndi\FilterClass ("" for monitoring) */
    int filter_type;              /* filters: 1 monitoring, 2 modifying; else 0 */
    int filter_run_type;          /* filters: 1 mandatory, 2 optional; else 0 */
    unsigned defaults;            /* keyword defaults it set (NDIS_PARAM_DRIVER_DEFAULT) */
} ndis_inf_info;

/*
 * Reads a network component's INF file (Net, NetTrans or NetService with
 * NCF_LW_FILTER; docs/inf.md) and installs each service it names: records its
 * class, characteristics and bind rules (used when the driver is loaded with
 * cfg NULL) and sets its keyword defaults (the Default of each Ndi\params
 * keyword that is not Optional, and the static HKR,,name values) as
 * NDIS_PARAM_DRIVER_DEFAULT. Installing a service again replaces its earlier
 * installation. Nothing of it is persisted: install INF files at each start.
 * `service` (may be NULL) receives the first service's name. -EINVAL: the file
 * is malformed or installs nothing (the diagnostic says "<file>:<line>:
 * <reason>"); -ENOENT and other errno values: the file cannot be read; -EBUSY:
 * a driver of the INF is loaded; -ERANGE: installed, but the name does not fit
 * `len`.
 */
int ndis_host_install_inf(ndis_host *h, const char *inf_path, char *service, size_t len);
/* Removes a service's installation and the defaults it set. -ENOENT: not
 * installed; -EBUSY: its driver is loaded. */
int ndis_host_uninstall_inf(ndis_host *h, const char *service);
/* Fills up to `max` entries, in installation order; *count gets how many there are. */
int ndis_host_list_infs(ndis_host *h, ndis_inf_info *out, unsigned max, unsigned *count);

/* ---- enumeration ---------------------------------------------------------- */

#define NDIS_DRIVER_KIND_MINIPORT 0x1u
#define NDIS_DRIVER_KIND_PROTOCOL 0x2u
#define NDIS_DRIVER_KIND_FILTER 0x4u

typedef struct ndis_driver_info {
    char name[64];
    unsigned kinds;                 /* NDIS_DRIVER_KIND_* registered */
    unsigned adapters;              /* miniport: adapters */
    unsigned bindings;              /* protocol: open bindings */
    unsigned modules;               /* filter: attached modules */
    unsigned long long mem_bytes;   /* tagged memory currently allocated */
    unsigned long mem_allocs;
} ndis_driver_info;

typedef struct ndis_adapter_info {
    char name[64];
    char driver[64];
    char state[16];                 /* Halted, Paused, Running ... */
    unsigned medium;                /* NDIS_MEDIUM */
    unsigned char mac[6];
    bool link_up;
    unsigned long long link_speed;  /* bits per second, 0 if unknown */
    unsigned mtu;
    unsigned ifindex;
    unsigned bindings, modules;
    unsigned long long sent, send_completed, indicated, returned;
} ndis_adapter_info;

typedef struct ndis_binding_info {
    char protocol[64];
    char adapter[64];
    char state[16];                 /* Opening, Paused, Running ... */
    bool enabled;
} ndis_binding_info;

typedef struct ndis_module_info {
    char filter[64];
    char adapter[64];
    char state[16];
    unsigned position;              /* 0 = next to the miniport */
} ndis_module_info;

/* Each fills up to `max` entries and sets *count to the number available. */
int ndis_host_list_drivers(ndis_host *h, ndis_driver_info *out, unsigned max, unsigned *count);
int ndis_host_list_adapters(ndis_host *h, ndis_adapter_info *out, unsigned max,
                            unsigned *count);
int ndis_host_list_bindings(ndis_host *h, ndis_binding_info *out, unsigned max,
                            unsigned *count);
/* Modules of one adapter in stack order, bottom first (adapter NULL: all). */
int ndis_host_list_modules(ndis_host *h, const char *adapter, ndis_module_info *out,
                           unsigned max, unsigned *count);

/* What is alive in the instance: a test ends by checking these are zero. */
typedef struct ndis_host_counts {
    unsigned drivers, adapters, bindings, modules;
    unsigned long nbl_pools;
    unsigned long long mem_bytes;
    unsigned long mem_allocs;
} ndis_host_counts;
int ndis_host_get_counts(ndis_host *h, ndis_host_counts *out);

/* ---- trace of every NDIS-to-driver call ------------------------------------ */

typedef struct ndis_trace_event {
    unsigned long long seq;    /* per instance, increasing */
    unsigned long long time_ns;
    const char *driver;        /* driver name */
    const char *function;      /* "ProtocolBindAdapterEx", "MiniportPause" ... */
    const char *object;        /* adapter or binding name, or "" */
    int phase;                 /* 0: NDIS calls the driver, 1: the driver returned */
    bool has_status;
    int32_t status;            /* NDIS_STATUS returned, when has_status */
    unsigned irql;
    unsigned depth;            /* nesting of driver calls on this thread */
} ndis_trace_event;

typedef void (*ndis_trace_fn)(void *ctx, const ndis_trace_event *ev);

/* Starts (fn != NULL) or stops the trace. Events arrive on the calling thread. */
void ndis_host_set_trace(ndis_host *h, ndis_trace_fn fn, void *ctx);

/* ---- packet capture --------------------------------------------------------- */

/*
 * Captures the frames crossing one edge of an adapter's stack. `at`:
 *   "miniport" (or NULL)  the edge just above the miniport: what is on the wire;
 *   "protocol"            the edge just below the protocols;
 *   "FILTER" or "FILTER:above"  the edge just above the module of filter driver
 *                         FILTER (what it indicates up, what is sent down to it);
 *   "FILTER:below"        the edge just below it.
 * Each NET_BUFFER crossing the edge is one frame: its first `snaplen` bytes
 * (0: all, at most 65535) are copied for fn, which runs on the thread moving
 * the data, possibly at DISPATCH_LEVEL: it must copy what it needs and return,
 * never block. time_ns is CLOCK_REALTIME. When no capture runs on an adapter
 * the data path pays one load per chain. A capture ends by itself when its
 * adapter is removed (fn is no longer called); stop it anyway to free it.
 * -ENOENT: no such adapter, or no module of FILTER on it; -EINVAL: bad `at`;
 * -EDEADLK: called from a capture callback (start and stop wait for the
 * callbacks in progress to return, so neither may be called from one).
 */
typedef struct ndis_capture ndis_capture;
typedef struct ndis_capture_frame {
    unsigned long long time_ns;
    int send;                   /* 1: going down (a send), 0: going up (a receive) */
    const unsigned char *data;  /* caplen bytes, valid during the call */
    size_t caplen, len;         /* bytes captured, bytes in the frame */
} ndis_capture_frame;
typedef void (*ndis_capture_fn)(void *ctx, const ndis_capture_frame *f);

int ndis_host_capture_start(ndis_host *h, const char *adapter, const char *at, unsigned snaplen,
                            ndis_capture_fn fn, void *ctx, ndis_capture **out);
/* After it returns 0, fn is never called again for this capture. -EDEADLK:
   called from a capture callback; -ENOMEM: the capture goes on (retry);
   -ETIMEDOUT: a callback did not return within the host's wait bound: fn is
   not called for new frames, but the capture is not freed (that callback may
   still use it). */
int ndis_host_capture_stop(ndis_capture *c);

/* ---- verifier and diagnostics ---------------------------------------------- */

typedef enum ndis_verifier_policy {
    NDIS_VERIFIER_ABORT = 0,   /* default: a violation aborts (as a bugcheck would) */
    NDIS_VERIFIER_LOG = 1,     /* report and continue; the DDI fails safely */
} ndis_verifier_policy;

typedef struct ndis_report {
    const char *ddi;           /* the DDI or callback concerned */
    const char *rule;          /* the documented rule */
    const char *vclass;        /* irql, handle, parameter, state, context, ... */
    const char *message;
} ndis_report;

typedef void (*ndis_report_fn)(void *ctx, const ndis_report *r);
typedef void (*ndis_diag_fn)(void *ctx, const char *message);

/* Process-wide. NDIS_VERIFIER=log|abort in the environment sets the default. */
void ndis_set_verifier_policy(ndis_verifier_policy policy);
ndis_verifier_policy ndis_get_verifier_policy(void);
void ndis_set_report_handler(ndis_report_fn fn, void *ctx); /* NULL: stderr */
void ndis_set_diag_handler(ndis_diag_fn fn, void *ctx);     /* NULL: stderr */
unsigned long ndis_report_count(void);

/* ---- fault injection (process-wide) --------------------------------------- */

typedef enum ndis_fault_point {
    NDIS_FAULT_ALLOC_MEMORY,   /* NdisAllocateMemoryWithTagPriority returns NULL */
    NDIS_FAULT_ALLOC_NBL,      /* NBL/NB/MDL allocations from pools return NULL */
    NDIS_FAULT_ALLOC_POOL,     /* NdisAllocateNetBuffer(List)Pool returns NULL */
    NDIS_FAULT_ALLOC_NDIS,     /* NDIS's own allocations for registrations and bindings:
                                  the DDIs return NDIS_STATUS_RESOURCES */
    NDIS_FAULT_COUNT
} ndis_fault_point;

/*
 * After `skip` more successful calls at `point`, the next `count` calls fail
 * (count 0 turns the point off). The environment can set the same thing:
 * NDIS_FAULT_ALLOC_MEMORY=skip:count (and _NBL, _POOL, _NDIS).
 */
void ndis_fault_inject(ndis_fault_point point, unsigned long skip, unsigned long count);
/* Number of failures injected so far at `point`. */
unsigned long ndis_fault_injected(ndis_fault_point point);

/* Text for a negative errno returned by this API. */
const char *ndis_host_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* NDISHOST_H */

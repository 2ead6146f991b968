/*
 * model.h - the NDIS object model: instance, driver images, miniport drivers,
 * adapters (miniport blocks), protocol drivers, bindings (opens), filter drivers
 * and filter modules.
 *
 * Locking, in one paragraph: the PnP worker (pnp.c) is the only thread that
 * creates, links, unlinks or frees these objects, and it changes their states
 * through the state machines in fsm.h. host->lock guards the lists and names so
 * that enumeration from other threads sees a consistent picture. The data path
 * never takes host->lock: it reads state fields and routing pointers that only
 * change while the stack is paused and drained (see stack.c).
 */
#ifndef NDISI_MODEL_H
#define NDISI_MODEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/fsm.h"
#include "core/obj.h"
#include "core/rcu.h"
#include "core/section.h"
#include "core/wait.h"
#include "ndishost.h"
#include "os/memacct.h"

struct ndisi_pnp_op;
struct ndisi_filter_module;
struct ndisi_nbl_pool;

#define NDISI_NAME_MAX 64
#define NDISI_RANGE_MAX 8 /* interface names in an UpperRange/LowerRange list */

/* Interface names of an INF Ndi\Interfaces key ("ndis5", "ethernet" ...). */
struct ndisi_range {
    unsigned n;
    char names[NDISI_RANGE_MAX][32];
};

/* ---- PnP queue (pnp.c) ---------------------------------------------------- */

struct ndisi_pnp {
    pthread_t thread;
    bool started;
    bool stopping;                /* guarded by lock */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    LIST_ENTRY queue;             /* struct ndisi_pnp_op, guarded by lock */
    struct ndisi_pnp_op *current; /* the op the worker runs, guarded by lock */
    unsigned long long current_since_ms;
};

/* ---- the NDIS instance (host.c) ------------------------------------------- */

struct ndis_host {
    struct ndisi_obj obj;
    char name[NDISI_NAME_MAX];
    pthread_mutex_t lock;         /* guards the lists below and every object name */
    LIST_ENTRY images;            /* struct ndisi_image.link */
    LIST_ENTRY adapters;          /* struct ndisi_adapter.host_link */
    struct ndisi_adapter **adapter_hash; /* by name, chained through hash_next (host.c) */
    unsigned adapter_hash_size, adapter_count;
    LIST_ENTRY disabled_bindings; /* bindcfg.c */
    char filter_seq[64][NDISI_NAME_MAX]; /* UniqueNames in installation order (filter.c) */
    unsigned nfilter_seq;
    struct ndisi_pnp pnp;
    struct ndisi_waitq wq;        /* wakes every bounded wait on a driver of this instance */
    struct ndisi_waitq call_wq;   /* wakes callers waiting for a PnP operation (pnp.c), kept
                                     apart so that drivers' completions do not wake them */
    unsigned wait_timeout_ms;     /* bound of every wait on a driver */
    ndis_host_options opts;
    ndis_trace_fn trace_fn;       /* guarded by lock */
    void *trace_ctx;
    atomic_ulong trace_seq;
    atomic_uint next_ifindex;
    struct ndis_registry *registry; /* configuration store and handles (config/config.h) */
    atomic_bool powered_off;        /* ndis_host_shutdown ran: only ndis_host_destroy is left */
};

/* ---- driver images (image.c) --------------------------------------------- */

/* NDIS resources a driver allocates with a handle and must free before unload. */
enum ndisi_res {
    NDISI_RES_NBL_POOL, NDISI_RES_NB_POOL, NDISI_RES_WORKITEM, NDISI_RES_TIMER,
    NDISI_RES_CONFIG, NDISI_RES_RWLOCK, NDISI_RES_LOOKASIDE, NDISI_RES_COUNT
};
extern const char *const ndisi_res_names[NDISI_RES_COUNT];

enum ndisi_image_state {
    NDISI_IMAGE_LOADING,   /* DriverEntry running */
    NDISI_IMAGE_LOADED,
    NDISI_IMAGE_UNLOADING, /* unload routine running */
};

struct ndisi_image {
    struct ndisi_obj obj;
    struct ndis_host *host;
    LIST_ENTRY link;                   /* host->images */
    char name[NDISI_NAME_MAX];
    enum ndisi_image_state state;
    bool after_shutdown;               /* a miniport whose adapters were shut down
                                          (ndis_host_shutdown): what it holds for them is
                                          released without a leak report */
    DRIVER_OBJECT drvobj;              /* drvobj.DriverSection points back here */
    DRIVER_EXTENSION drvext;
    UNICODE_STRING regpath;
    WCHAR regpath_buf[160];
    WCHAR name_buf[NDISI_NAME_MAX];
    PDRIVER_INITIALIZE entry;
    void *dl;                          /* dlopen handle when loaded from a .so */
    ndis_driver_config cfg;            /* bind rules (INF-derived or defaults) */
    struct ndisi_range upper, lower;   /* Ndi\Interfaces UpperRange / LowerRange */
    struct ndisi_range filter_media;   /* FilterMediaTypes */
    char filter_class[32];             /* FilterClass */
    char service[NDISI_NAME_MAX];      /* service name (Ndi\\Service) */
    struct ndisi_miniport_driver *miniport; /* registered, else NULL */
    struct ndisi_protocol *protocol;
    struct ndisi_filter_driver *filter;
    struct ndisi_memacct mem;          /* tagged allocations charged to this driver */
    atomic_long res[NDISI_RES_COUNT];  /* other NDIS resources allocated, not freed */
};

/* ---- miniport drivers and adapters (miniport.c, adapter.c) ---------------- */

struct ndisi_miniport_driver {
    struct ndisi_obj obj;
    struct ndisi_image *image;
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars; /* copy, zero past the caller's Size */
    NDIS_HANDLE context;                        /* MiniportDriverContext */
    LIST_ENTRY adapters;                        /* ndisi_adapter.mp_link */
};

enum ndisi_adapter_state {
    NDISI_AS_HALTED, NDISI_AS_SHUTDOWN, NDISI_AS_INITIALIZING, NDISI_AS_PAUSED,
    NDISI_AS_RESTARTING, NDISI_AS_RUNNING, NDISI_AS_PAUSING, NDISI_AS_COUNT
};
enum ndisi_adapter_event {
    NDISI_AE_INITIALIZE, NDISI_AE_INIT_COMPLETE, NDISI_AE_SHUTDOWN, NDISI_AE_HALT,
    NDISI_AE_RESTART, NDISI_AE_RESTART_COMPLETE, NDISI_AE_PAUSE, NDISI_AE_PAUSE_COMPLETE,
    NDISI_AE_INIT_FAILED, NDISI_AE_RESTART_FAILED, NDISI_AE_COUNT
};
extern const struct ndisi_fsm ndisi_adapter_fsm;

/*
 * A receive filter (NDIS's Ethernet filter library, xfilter.c): a binding's
 * OID_GEN_CURRENT_PACKET_FILTER and OID_802_3_MULTICAST_LIST, or for an
 * adapter the union of its bindings' (what the miniport is given). Immutable
 * once published: the OID path replaces the pointer and frees the old one
 * after an RCU grace period, so the receive path reads it without locks.
 */
#define NDISI_MAX_MCAST 32
struct ndisi_rxfilter {
    ULONG packet_filter;
    unsigned nmcast;
    UCHAR mcast[NDISI_MAX_MCAST][6];
    struct ndisi_rxfilter *retired_next; /* on the adapter's rxf_retired list (oid.c) */
};

struct ndisi_adapter {
    struct ndisi_obj obj;
    struct ndis_host *host;
    struct ndisi_miniport_driver *miniport;
    LIST_ENTRY host_link, mp_link;
    struct ndisi_adapter *hash_next;       /* host->adapter_hash chain */
    char name[NDISI_NAME_MAX];
    WCHAR name_buf[NDISI_NAME_MAX + 16];   /* "\DEVICE\<name>" for AdapterName */
    UNICODE_STRING ndis_name;
    atomic_int state;                      /* enum ndisi_adapter_state */
    NDIS_HANDLE ctx;                       /* MiniportAdapterContext */
    NET_IFINDEX ifindex;
    NET_LUID luid;
    ndis_adapter_config cfg;               /* pointers cleared; copies below */
    char ifname[NDISI_NAME_MAX];           /* "*IfName" from the host */
    UCHAR cfg_mac[6];                      /* "NetworkAddress" from the host */
    bool have_cfg_mac;
    bool removing;                         /* remove requested (no new binds) */
    bool host_paused;                      /* paused by the host: stays paused */
    bool surprise_removed;
    bool system_shutdown;                  /* ndis_host_shutdown ran for the instance */

    /* Attributes set by NdisMSetMiniportAttributes during MiniportInitializeEx. */
    bool have_registration, have_general, in_initialize;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg_attrs;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES gen_attrs;
    NDIS_OID *oid_list;                    /* copy of SupportedOidList */
    ULONG oid_list_len;                    /* bytes */

    /* Link state kept from NDIS_STATUS_LINK_STATE indications. */
    pthread_mutex_t link_lock;
    NDIS_LINK_STATE link;

    /* Pause/restart/reset completions (NdisMPauseComplete ...). */
    struct ndisi_completion pause_done, restart_done, reset_done;

    /* Stack: filter modules bottom (next to the miniport) to top. The PnP worker
       changes the module and binding lists under stack_lock (write); the status
       path reads them under it (read). The receive path uses rx_opens instead. */
    pthread_rwlock_t stack_lock;
    struct ndisi_filter_module *mod_bottom, *mod_top;
    LIST_ENTRY opens;                      /* ndisi_open.adapter_link */
    atomic_uint nopens;                    /* read by the data path (loopback.c) */

    /* Data-path routing, recomputed only while the stack is paused (stack.c). */
    struct ndisi_filter_module *send_top;        /* top module with a send path; NULL = miniport */
    struct ndisi_filter_module *complete_bottom; /* bottom module with a send path; NULL = protocols */
    struct ndisi_filter_module *recv_bottom;     /* bottom module with a receive path; NULL = protocols */
    struct ndisi_filter_module *return_top;      /* top module with a receive path; NULL = miniport */
    struct ndisi_open **_Atomic rx_opens;  /* linked bindings, NULL-terminated; RCU below;
                                              read entries with ndisi_rx_open */
    struct ndisi_rcu rx_rcu;               /* grace period for rx_opens */

    /* Work in flight at the miniport edge. */
    struct ndisi_drain mp_sends;           /* NBLs given to MiniportSendNetBufferLists (totals:
                                              sent, completed) */
    struct ndisi_drain mp_recvs;           /* NBLs the miniport indicated and NDIS did not
                                              return yet (totals: indicated, returned) */
    struct ndisi_drain oids;               /* OID requests in the miniport */
    struct ndisi_tally_home tally;         /* the part of the totals below that calls counted
                                              lazily keep in per-thread tallies (section.h) */
    atomic_ulong handbacks_walked;         /* send completions and receive returns checked by
                                              walking the chain, not against the record of
                                              the call that passed it on (chainrec.h) */

    struct ndisi_rxfilter *_Atomic rxf;    /* union of the bindings' filters (oid.c) */
    struct ndisi_rxfilter *_Atomic rxf_retired; /* replaced, to free after a grace period */
    atomic_bool loopback_local;            /* a binding asked for local frames (loopback.c) */
    ULONG max_lookahead;                   /* largest binding lookahead given to the miniport */
    /* The adapter-wide packet filter, multicast list and lookahead: bindings'
       changes and the sets that carry the combined values down (oid.c). */
    pthread_mutex_t rxf_lock;
    struct ndisi_oid_sync {
        bool busy;                  /* a set of the combined value is travelling down */
        bool stale;                 /* the combined value changed after it left */
        PNDIS_OID_REQUEST carried;  /* bindings' sets completing with the one in flight */
        PNDIS_OID_REQUEST next;     /* ... with the one after it */
    } oid_sync[3];                  /* packet filter, multicast list, lookahead */
    pthread_mutex_t oid_lock;              /* serializes OID requests to the miniport */
    LIST_ENTRY oid_queue;
    struct ndisi_oid_req *oid_current;

    /* Packet captures on this stack's edges (datapath/capture.c). */
    struct ndis_capture **_Atomic captures; /* NULL-terminated; NULL when none (the common case) */
    struct ndisi_rcu cap_rcu;
};

/* ---- protocol drivers and bindings (protocol.c, binding.c) ---------------- */

struct ndisi_protocol {
    struct ndisi_obj obj;
    struct ndisi_image *image;
    NDIS_PROTOCOL_DRIVER_CHARACTERISTICS chars;
    NDIS_HANDLE context;                   /* ProtocolDriverContext */
    char name[NDISI_NAME_MAX];             /* chars.Name, in UTF-8 */
    UNICODE_STRING name_str;               /* chars.Name, NDIS's copy */
    WCHAR name_buf[NDISI_NAME_MAX];
    LIST_ENTRY opens;                      /* ndisi_open.proto_link */
    bool deregistering;
};

enum ndisi_open_state {
    NDISI_OS_UNBOUND, NDISI_OS_OPENING, NDISI_OS_CLOSING, NDISI_OS_PAUSED,
    NDISI_OS_RESTARTING, NDISI_OS_RUNNING, NDISI_OS_PAUSING, NDISI_OS_COUNT
};
enum ndisi_open_event {
    NDISI_OE_BIND, NDISI_OE_BIND_FAILED, NDISI_OE_BIND_COMPLETE, NDISI_OE_UNBIND,
    NDISI_OE_UNBIND_COMPLETE, NDISI_OE_PAUSE, NDISI_OE_PAUSE_COMPLETE, NDISI_OE_RESTART,
    NDISI_OE_RESTART_COMPLETE, NDISI_OE_RESTART_FAILED, NDISI_OE_COUNT
};
extern const struct ndisi_fsm ndisi_open_fsm;

struct ndisi_open {
    struct ndisi_obj obj;
    struct ndisi_protocol *protocol;
    struct ndisi_adapter *adapter;
    LIST_ENTRY proto_link, adapter_link;
    char label[2 * NDISI_NAME_MAX + 4];    /* "protocol->adapter" */
    atomic_int state;                      /* enum ndisi_open_state */
    NDIS_HANDLE ctx;                       /* ProtocolBindingContext */
    bool enabled;                          /* host may disable a binding */

    /* Bind/unbind bookkeeping (binding.c). */
    NDIS_BIND_PARAMETERS bind_params;
    UNICODE_STRING section;                /* bind_params.ProtocolSection */
    WCHAR section_buf[2 * NDISI_NAME_MAX + 24];
    bool open_called, opened, close_called, closed, in_bind, in_unbind;
    struct ndisi_completion bind_done;     /* NdisCompleteBindAdapterEx */
    struct ndisi_completion open_done;     /* pended NdisOpenAdapterEx */
    struct ndisi_completion unbind_done;   /* NdisCompleteUnbindAdapterEx */
    struct ndisi_completion close_done;    /* NdisCloseAdapterEx finished */
    struct ndisi_completion pnp_done;      /* NdisCompleteNetPnPEvent */
    PNET_PNP_EVENT_NOTIFICATION pnp_event; /* the event in flight, if any */

    /* Data path (send.c, receive.c). */
    struct ndisi_drain tx;                 /* NBLs sent and not completed */
    struct ndisi_drain rx;                 /* NBLs indicated and not returned */
    struct ndisi_drain oids;               /* OID requests outstanding */
    struct ndisi_rxfilter *_Atomic rxf;    /* this binding's packet filter and multicast list */
    ULONG lookahead;                       /* this binding's OID_GEN_CURRENT_LOOKAHEAD */
    NDIS_MEDIUM medium;                    /* selected in NdisOpenAdapterEx */
};

/* ---- filter drivers and modules (filter.c) -------------------------------- */

enum ndisi_module_state {
    NDISI_MS_DETACHED, NDISI_MS_ATTACHING, NDISI_MS_PAUSED, NDISI_MS_RESTARTING,
    NDISI_MS_RUNNING, NDISI_MS_PAUSING, NDISI_MS_COUNT
};
enum ndisi_module_event {
    NDISI_ME_ATTACH, NDISI_ME_ATTACH_COMPLETE, NDISI_ME_DETACH, NDISI_ME_RESTART,
    NDISI_ME_RESTART_COMPLETE, NDISI_ME_PAUSE, NDISI_ME_PAUSE_COMPLETE, NDISI_ME_ATTACH_FAILED,
    NDISI_ME_RESTART_FAILED, NDISI_ME_COUNT
};
extern const struct ndisi_fsm ndisi_module_fsm;

struct ndisi_filter_driver {
    struct ndisi_obj obj;
    struct ndisi_image *image;
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    NDIS_HANDLE context;                   /* FilterDriverContext */
    char friendly[NDISI_NAME_MAX], unique[NDISI_NAME_MAX], service[NDISI_NAME_MAX];
    UNICODE_STRING unique_str;             /* FilterModuleGuidName given to FilterAttach */
    WCHAR unique_buf[NDISI_NAME_MAX];
    unsigned install_seq;                  /* order of first registration (monitoring filters) */
    NDIS_FILTER_PARTIAL_CHARACTERISTICS dflt; /* data handlers for new modules */
    LIST_ENTRY modules;                    /* ndisi_filter_module.drv_link */
    bool deregistering, in_set_options;
};

struct ndisi_filter_module {
    struct ndisi_obj obj;
    struct ndisi_filter_driver *driver;
    struct ndisi_adapter *adapter;
    LIST_ENTRY drv_link;
    struct ndisi_filter_module *below, *above; /* neighbours in the stack */
    char label[2 * NDISI_NAME_MAX + 4];
    atomic_int state;                      /* enum ndisi_module_state */
    NDIS_HANDLE ctx;                       /* FilterModuleContext */
    bool attributes_set, in_attach, in_set_module_options;
    /* Handlers in force (characteristics, overridden by NdisSetOptionalHandlers
       / FilterSetModuleOptions); a NULL pair means the path bypasses the module. */
    FILTER_SEND_NET_BUFFER_LISTS_HANDLER send;
    FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER send_complete;
    FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER receive;
    FILTER_RETURN_NET_BUFFER_LISTS_HANDLER ret;
    FILTER_CANCEL_SEND_HANDLER cancel_send;
    /* Routing (stack.c): next layer with the path enabled; NULL = edge. */
    struct ndisi_filter_module *send_next, *complete_next, *recv_next, *return_next;
    struct ndisi_completion pause_done, restart_done;
    struct ndisi_drain tx;                 /* NBLs this module sent down, not completed */
    struct ndisi_drain rx;                 /* NBLs this module indicated up, not returned */
    struct ndisi_drain calls;              /* FilterReceiveNetBufferLists calls in progress */
    atomic_int rx_closed;                  /* pause completing: no new receive calls */
    struct ndisi_drain oids;
};

/* ---- helpers shared across the core --------------------------------------- */

/* The driver image an NDIS handle belongs to (driver, adapter, binding, module). */
struct ndisi_image *ndisi_image_from_handle(NDIS_HANDLE h, const char *ddi);

/* Instance of an image, adapter ... */
static inline struct ndis_host *ndisi_adapter_host(const struct ndisi_adapter *a)
{
    return a->host;
}

/* Copies a UNICODE_STRING into UTF-8 (lossy for non-BMP), always NUL-terminated. */
void ndisi_ustr_to_utf8(const UNICODE_STRING *u, char *out, size_t outlen);
/* Builds a UNICODE_STRING over buf from UTF-8. */
void ndisi_utf8_to_ustr(const char *s, UNICODE_STRING *u, WCHAR *buf, size_t bufchars);

/* Entry i of a published binding list (rx_opens). An unlink that cannot
   allocate a smaller list replaces its entry in place (binding.c), so entries
   are loaded atomically. */
static inline struct ndisi_open *ndisi_rx_open(struct ndisi_open **opens, unsigned i)
{
    return __atomic_load_n(&opens[i], __ATOMIC_RELAXED);
}

#endif /* NDISI_MODEL_H */

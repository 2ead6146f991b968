/*
 * kit.h - test drivers for the libndis suite: a miniport and a protocol written
 * only against <ndis.h>, with switches for every fault a test needs (pend a
 * bind, fail an initialization, deregister from a callback, keep received
 * NBLs ...), and a log of every call NDIS made into them, so tests can assert
 * order and counts ("ProtocolUnbindAdapterEx(p0,a1)").
 *
 * One miniport driver and up to KIT_MAX_PROTOCOLS protocol drivers may be
 * loaded at once; each protocol instance is chosen by its driver name
 * ("kitp0", "kitp1" ...).
 */
#ifndef NDIS_TEST_KIT_H
#define NDIS_TEST_KIT_H

#include <ndis.h>
#include <ndishost.h>
#include <stdatomic.h>
#include <stdbool.h>

/* ---- the call log --------------------------------------------------------- */

void kit_log_reset(void);
void kit_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The whole log, entries separated by ';'. */
const char *kit_log_text(void);
/* Number of entries that start with prefix. */
int kit_log_count(const char *prefix);
/* Index of the first entry that starts with prefix, or -1. */
int kit_log_index(const char *prefix);
/* Index of the last entry that starts with prefix, or -1. */
int kit_log_last(const char *prefix);
/* Waits up to ms milliseconds for an entry that starts with prefix (another
   thread logs it); true if it came. */
bool kit_log_wait(const char *prefix, unsigned ms);

/* ---- the test miniport ---------------------------------------------------- */

#define KIT_MAX_ADAPTERS 64

typedef struct kit_mp_cfg {
    NDIS_STATUS init_status;         /* MiniportInitializeEx result (0: success) */
    bool skip_registration_attrs;    /* never call NdisMSetMiniportAttributes */
    bool skip_general_attrs;         /* registration attributes only */
    bool pend_pause, pend_restart;   /* pend; a work item completes them (or the test,
                                        with `manual`) */
    bool manual;                     /* the test completes pended operations itself */
    NDIS_STATUS restart_status;      /* MiniportRestart result */
    NDIS_STATUS pause_status;        /* MiniportPause result (a wrong one: not allowed) */
    bool complete_sends_later;       /* queue sends for kit_mp_complete_sends */
    /* If set (and not complete_sends_later), MiniportSendNetBufferLists hands the
       chain to it instead of completing it as it is: the test completes it inline
       (split, reordered, ...) with NdisMSendNetBufferListsComplete. */
    void (*send_inline)(NDIS_HANDLE adapter, PNET_BUFFER_LIST nbls, ULONG complete_flags);
    bool fail_entry_after_register;  /* DriverEntry fails after registering ... */
    bool no_deregister_on_failure;   /* ... and "forgets" NdisMDeregisterMiniportDriver */
    bool no_deregister_on_unload;    /* MiniportDriverUnload forgets to deregister */
    UCHAR minor_version;             /* default 30 */
    void (*mutate_chars)(NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c);
    NDIS_STATUS last_register_status;
    bool pend_oids;                  /* OID requests pend; kit_mp_complete_oid */
    bool indicate_when_paused;       /* kit_mp_indicate ignores the pause (a buggy miniport) */
    ULONG oid_sets;                  /* sets seen */
    ULONG last_packet_filter;        /* OID_GEN_CURRENT_PACKET_FILTER set by NDIS */
    ULONG last_mcast_count;
} kit_mp_cfg;

extern kit_mp_cfg kit_mp;

NTSTATUS kit_mp_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
void kit_mp_reset(void);
/* The NdisMiniportDriverHandle the kit registered (and a way to restore it). */
NDIS_HANDLE kit_mp_driver_handle(void);
void kit_mp_set_driver_handle(NDIS_HANDLE h);
/* The NDIS handle of an adapter, by name, or NULL. */
NDIS_HANDLE kit_mp_handle(const char *adapter);
void kit_mp_complete_pause(const char *adapter);
void kit_mp_complete_restart(const char *adapter, NDIS_STATUS st);
/* Completes every queued send of the adapter with `st`; returns how many. */
ULONG kit_mp_complete_sends(const char *adapter, NDIS_STATUS st);
ULONG kit_mp_sends_seen(const char *adapter);
/* Takes the sends queued by complete_sends_later, in order, without completing them. */
PNET_BUFFER_LIST kit_mp_take_queued(const char *adapter);
/* Indicates `n` frames of `len` bytes to `dst` (NULL: broadcast), from the
   miniport's pool; returns NBLs indicated. */
ULONG kit_mp_indicate(const char *adapter, ULONG n, ULONG len, const UCHAR *dst, ULONG flags);
ULONG kit_mp_returned(const char *adapter);
void kit_mp_complete_oid(const char *adapter, NDIS_STATUS st);
void kit_mp_indicate_link(const char *adapter, bool up, ULONG64 speed);

/* ---- the test protocol ---------------------------------------------------- */

#define KIT_MAX_PROTOCOLS 4

typedef struct kit_proto_cfg {
    NDIS_STATUS bind_status;          /* result of a bind (after opening) */
    bool pend_bind;                   /* pended operations complete from an I/O work item */
    bool pend_unbind;                 /* a few ms later, or from the test with `manual` */
    bool pend_pause;                  /* (kit_proto_complete_binds/unbinds/pnp) */
    bool manual;
    bool fail_open_medium;            /* open with a medium the adapter lacks */
    bool no_close_in_unbind;          /* "forget" NdisCloseAdapterEx */
    NDIS_STATUS unbind_status;        /* returned by an unbind after closing (0: success) */
    bool deregister_in_unbind;        /* call NdisDeregisterProtocolDriver from an NDIS entry point */
    bool keep_received;               /* retain NBLs; kit_proto_return_all */
    /* If set (and not keep_received), ProtocolReceiveNetBufferLists hands what it
       received to it instead of returning it as it is: the test returns it inline
       (in parts, reordered, ...) with NdisReturnNetBufferLists, or keeps some. */
    void (*receive_inline)(NDIS_HANDLE binding, PNET_BUFFER_LIST nbls, ULONG return_flags);
    bool return_resources;            /* return NBLs indicated with RESOURCES (a bug) */
    ULONG linger_ms;                  /* after returning received NBLs, stay in the receive
                                         handler this long (logs "ReceiveDone(...)") */
    bool skip_unload_deregister;      /* DriverUnload forgets NdisDeregisterProtocolDriver */
    UCHAR minor_version;              /* default 30 */
    ULONG packet_filter;              /* set after restart (0: none) */
    void (*mutate_chars)(NDIS_PROTOCOL_DRIVER_CHARACTERISTICS *c);
    NDIS_STATUS last_register_status;
    NDIS_STATUS last_open_status, last_close_status;
    char last_protocol_section[160];  /* BindParameters->ProtocolSection of the last bind */
    /* counters */
    atomic_ulong received, send_completed, status_indications, link_up_seen, link_down_seen;
    atomic_ulong oid_completed;
    atomic_ulong loopback_received;   /* received NBLs with NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET */
    ULONG send_flags;                 /* extra SendFlags for kit_proto_send */
    PVOID send_cancel_id;             /* cancel ID kit_proto_send marks its NBLs with */
    ULONG filter_in_receive;          /* set as the binding's packet filter from the receive
                                         handler (0: not) */
    ULONG filter_in_status;           /* ... from the status handler (0: not) */
    NDIS_STATUS last_handler_oid_status; /* what NdisOidRequest returned there */
    atomic_ulong send_aborted;        /* completions with NDIS_STATUS_SEND_ABORTED */
    NDIS_STATUS last_oid_status;
} kit_proto_cfg;

extern kit_proto_cfg kit_proto[KIT_MAX_PROTOCOLS];

/* DriverEntry for protocol instance i is loaded as "kitp<i>". */
NTSTATUS kit_proto_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
void kit_proto_reset(void);
void kit_proto_complete_binds(int i, NDIS_STATUS st);
void kit_proto_complete_unbinds(int i);
void kit_proto_complete_pnp(int i);
/* Binding handle of protocol i on an adapter, or NULL. */
NDIS_HANDLE kit_proto_binding(int i, const char *adapter);
/* Sends n frames of len bytes to dst from protocol i's pool; returns NBLs sent. */
ULONG kit_proto_send(int i, const char *adapter, ULONG n, ULONG len, const UCHAR *dst);
ULONG kit_proto_return_all(int i);
/* Takes the NBLs protocol i keeps from an adapter (keep_received), newest first. */
PNET_BUFFER_LIST kit_proto_take_kept(int i, const char *adapter);
NDIS_HANDLE kit_proto_handle(int i);
/* Issues an OID request on protocol i's binding; the request is kit-owned. */
NDIS_STATUS kit_proto_oid(int i, const char *adapter, NDIS_REQUEST_TYPE type, NDIS_OID oid,
                          void *buf, ULONG len, ULONG *bytes_needed);

/* ---- the test filter ------------------------------------------------------ */

#define KIT_MAX_FILTERS 4

typedef struct kit_filter_cfg {
    NDIS_STATUS attach_status;       /* FilterAttach result */
    bool skip_set_attributes;        /* "forget" NdisFSetAttributes */
    bool pend_pause;                 /* FilterPause pends; completes from a thread */
    NDIS_STATUS restart_status;
    NDIS_STATUS pause_status;        /* FilterPause result (a failure is not allowed) */
    bool bypass_send, bypass_receive;/* no send / receive handlers (bypass) */
    bool bypass_after_restart;       /* FilterSetModuleOptions removes the data handlers */
    bool no_oid_handler;
    bool clone_oids;                 /* forward OIDs as clones (NdisAllocateCloneOidRequest) */
    bool deregister_in_detach;       /* call NdisFDeregisterFilterDriver from FilterDetach */
    USHORT drop_ethertype;           /* drop frames of this EtherType both ways */
    void (*mutate_chars)(NDIS_FILTER_DRIVER_CHARACTERISTICS *c);
    NDIS_STATUS last_register_status;
    atomic_ulong sends, send_completes, own_send_completes, receives, returns, own_returns;
    atomic_ulong oids, status_indications;
} kit_filter_cfg;

extern kit_filter_cfg kit_filter[KIT_MAX_FILTERS];

/* DriverEntry for filter instance i is loaded as "kitf<i>". */
NTSTATUS kit_filter_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
void kit_filter_reset(void);
NDIS_HANDLE kit_filter_module(int i, const char *adapter);
NDIS_HANDLE kit_filter_driver_handle(int i);
/* The module of filter i on adapter originates n frames down / up; returns n sent. */
ULONG kit_filter_send(int i, const char *adapter, ULONG n);
ULONG kit_filter_indicate(int i, const char *adapter, ULONG n);

/* ---- helpers -------------------------------------------------------------- */

/* Creates an instance with short waits and the verifier in log mode capturing reports. */
ndis_host *kit_host(void);
/* The same with options (wait_timeout_ms defaults to 3000 when 0). */
ndis_host *kit_host_opts(const ndis_host_options *o);
/* Destroys it and asserts that nothing leaked and no unexpected report came. */
void kit_host_done(ndis_host *h);
/* Reports captured since the last kit_reports_clear. */
int kit_reports(void);
int kit_reports_matching(const char *ddi_or_text);
const char *kit_report_text(int i);
void kit_reports_clear(void);
/* Fails the test unless exactly n reports mention `text`; then clears. */
void kit_expect_reports(int n, const char *text);

#endif /* NDIS_TEST_KIT_H */

/*
 * core.h - functions the core modules (host, image, miniport, adapter,
 * protocol, binding, stack, filter) offer each other. Functions marked
 * "worker" run on the instance's PnP worker only (see pnp.h).
 */
#ifndef NDISI_CORE_H
#define NDISI_CORE_H

#include "core/model.h"

/* host.c */
struct ndisi_image *ndisi_find_image(struct ndis_host *h, const char *name);     /* h->lock held */
struct ndisi_adapter *ndisi_find_adapter(struct ndis_host *h, const char *name); /* h->lock held */
/* The name index of adapters (h->lock held); insert fails only out of memory. */
bool ndisi_adapter_hash_insert(struct ndis_host *h, struct ndisi_adapter *a);
void ndisi_adapter_hash_remove(struct ndis_host *h, struct ndisi_adapter *a);
/* Runs `fn` on the worker with a heap request that stays valid after a timeout. */
struct ndisi_req {
    atomic_int refs;
    int result;
    void (*fn)(struct ndis_host *h, struct ndisi_req *req);
};
void *ndisi_req_new(size_t size, void (*fn)(struct ndis_host *, struct ndisi_req *));
int ndisi_req_run(struct ndis_host *h, struct ndisi_req *req, const char *what);

/* version.c */
bool ndisi_version_supported(UCHAR major, UCHAR minor);
bool ndisi_version_at_least(UCHAR major, UCHAR minor, UCHAR want_major, UCHAR want_minor);

/* image.c */
int ndisi_range_parse(struct ndisi_range *r, const char *list, const char *dflt);
bool ndisi_range_intersects(const struct ndisi_range *a, const struct ndisi_range *b);
void ndisi_range_format(const struct ndisi_range *r, char *buf, size_t len);
int ndisi_image_load(struct ndis_host *h, const char *name, ndis_driver_entry_fn *entry,
                     const ndis_driver_config *cfg, void *dl);                  /* worker */
int ndisi_image_unload(struct ndisi_image *img);                                /* worker */
struct ndisi_image *ndisi_image_from_drvobj(PDRIVER_OBJECT d, const char *ddi);
int ndisi_host_load(ndis_host *h, const char *name, ndis_driver_entry_fn *entry,
                    const ndis_driver_config *cfg, void *dl);

/* miniport.c */
void ndisi_miniport_release(struct ndisi_miniport_driver *m);                   /* worker */

/* adapter.c */
int ndisi_adapter_add(struct ndisi_miniport_driver *m, const char *name,
                      const ndis_adapter_config *cfg);                          /* worker */
void ndisi_adapter_remove(struct ndisi_adapter *a, NDIS_HALT_ACTION action);    /* worker */
int ndisi_adapter_pause_miniport(struct ndisi_adapter *a, ULONG flags);         /* worker */
int ndisi_adapter_restart_miniport(struct ndisi_adapter *a);                    /* worker */
void ndisi_adapter_fill_restart_attributes(struct ndisi_adapter *a,
                                           NDIS_RESTART_GENERAL_ATTRIBUTES *g);
const char *ndisi_adapter_state_name(const struct ndisi_adapter *a);

/* stack.c */
int ndisi_stack_pause(struct ndisi_adapter *a, ULONG reason);                   /* worker */
int ndisi_stack_restart(struct ndisi_adapter *a);                               /* worker */
void ndisi_stack_reroute(struct ndisi_adapter *a);                              /* worker */
bool ndisi_stack_running(const struct ndisi_adapter *a);

/* protocol.c and binding.c */
void ndisi_bind_protocol_all(struct ndisi_protocol *p);                         /* worker */
void ndisi_bind_adapter_all(struct ndisi_adapter *a);                           /* worker */
int ndisi_open_pause(struct ndisi_open *o, ULONG reason);                       /* worker */
int ndisi_open_restart(struct ndisi_open *o);                                   /* worker */
void ndisi_open_unbind(struct ndisi_open *o);                                   /* worker */
void ndisi_protocol_release(struct ndisi_protocol *p);                          /* worker */
const char *ndisi_open_state_name(const struct ndisi_open *o);
NDIS_STATUS ndisi_open_deliver_pnp(struct ndisi_open *o, PNET_PNP_EVENT_NOTIFICATION n,
                                   const char *fn);                             /* worker */
bool ndisi_open_publish_rx(struct ndisi_adapter *a, struct ndisi_open *gone);   /* worker */

/* filter.c */
void ndisi_filter_attach_all(struct ndisi_adapter *a);                          /* worker */
void ndisi_filter_detach_all(struct ndisi_adapter *a);                          /* worker */
int ndisi_filter_pause_modules(struct ndisi_adapter *a, ULONG reason);          /* worker */
int ndisi_filter_restart_modules(struct ndisi_adapter *a);                      /* worker */
void ndisi_filter_driver_release(struct ndisi_filter_driver *f);                /* worker */
bool ndisi_filter_mandatory_missing(struct ndisi_adapter *a);
const char *ndisi_module_state_name(const struct ndisi_filter_module *m);
NDIS_STATUS ndisi_filter_set_optional_handlers(NDIS_HANDLE h, PNDIS_DRIVER_OPTIONAL_HANDLERS oh);
unsigned ndisi_filter_install_seq(struct ndis_host *h, const char *unique);

/* bindcfg.c: bindings the operator disabled (persisted with the configuration). */
bool ndisi_binding_disabled(struct ndis_host *h, const char *protocol, const char *adapter);
void ndisi_bindcfg_clear(struct ndis_host *h);
/* adapter.c: system shutdown of one adapter (pause, then MiniportShutdownEx). */
void ndisi_adapter_shutdown(struct ndisi_adapter *a);
/* Reads the disabled bindings saved in the configuration store (at creation). */
void ndisi_bindcfg_load(struct ndis_host *h);
/* Appends disabled bindings to a listing from index `start`; returns the new count. */
unsigned ndisi_bindcfg_list(struct ndis_host *h, ndis_binding_info *out, unsigned max,
                            unsigned start);

/* names.c */
NDIS_STATUS ndisi_alloc_instance_name(NDIS_HANDLE charge_to, struct ndisi_adapter *a,
                                      PNDIS_STRING out, const char *ddi);

#endif /* NDISI_CORE_H */

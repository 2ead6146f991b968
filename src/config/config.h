/*
 * config.h - the configuration DDIs and host API on top of the registry store
 * (src/registry): the instance's store, key paths, keyword lookups and
 * configuration handles. docs/config.md has the key layout and the rules.
 *
 * Files: config_store.c (the instance's store, key paths, keyword lookup,
 * host API), config_handles.c (handles: publication, close, reclaim when a
 * driver or adapter leaves them open), config_ddi.c (NdisOpenConfigurationEx,
 * NdisRead/Write/CloseConfiguration, NdisOpenConfigurationKeyByName/ByIndex),
 * network_address.c (NdisReadNetworkAddress and the NetworkAddress text),
 * protocol_config.c (NdisOpenProtocolConfiguration),
 * inf_install.c (ndis_host_install_inf: INF records, defaults, bind rules).
 */
#ifndef NDISI_CONFIG_H
#define NDISI_CONFIG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <ndis.h>

#include "core/model.h"
#include "registry/registry.h"

/* Key path components (docs/config.md, "Key layout"). */
#define NDISI_CFG_ADAPTERS "Adapters"
#define NDISI_CFG_SERVICES "Services"
#define NDISI_CFG_PARAMETERS "Parameters"
#define NDISI_CFG_INSTANCE "Instance"
#define NDISI_CFG_PATH_MAX 1024

/* Keywords NDIS fills from ndis_adapter_config. */
#define NDISI_KW_IFNAME "*IfName"
#define NDISI_KW_NETADDR "NetworkAddress"

/* The configuration side of an NDIS instance: host->registry. */
struct ndis_registry {
    struct ndis_host *host;
    reg_store *store;       /* registry_dir's, or a memory-only store */
    pthread_mutex_t lock;   /* guards handles and infs */
    LIST_ENTRY handles;     /* struct ndisi_config.link: every open configuration handle */
    LIST_ENTRY infs;        /* struct ndisi_inf_rec.link: installed INF files (inf_install.c) */
    LIST_ENTRY all_link;    /* every instance's registry (BindParameters lookups) */
};

/*
 * Where a keyword of a key comes from, highest precedence first: the key
 * (its persisted layer, then its own defaults layer), the values the host gave
 * the adapter at arrival (ndis_adapter_config), then the defaults layer of the
 * miniport driver's Parameters key (NDIS_PARAM_DRIVER_DEFAULT). Only an
 * adapter's Parameters key has the last two.
 */
#define NDISI_CFG_NARRIVAL 2
struct ndisi_cfg_chain {
    reg_key *key;
    reg_key *fallback;                      /* read in its defaults layer only */
    const char *arrival_kw[NDISI_CFG_NARRIVAL];
    reg_value *arrival[NDISI_CFG_NARRIVAL]; /* NULL when not given */
};

/* NDIS-owned memory returned to a driver, freed by NdisCloseConfiguration. */
struct ndisi_cfg_block {
    struct ndisi_cfg_block *next;
    max_align_t data[];
};

/* A configuration handle (NDISI_OBJ_CONFIG). */
struct ndisi_config {
    struct ndisi_obj obj;
    struct ndis_registry *reg;
    struct ndisi_image *image;   /* charged in res[NDISI_RES_CONFIG] */
    const void *scope;           /* the adapter it was opened for (or below), else NULL */
    LIST_ENTRY link;             /* reg->handles */
    struct ndisi_cfg_chain chain;
    pthread_mutex_t lock;        /* guards blocks */
    struct ndisi_cfg_block *blocks;
    char label[NDISI_CFG_PATH_MAX]; /* the key path, for diagnostics */
};

/* ---- config_store.c ---------------------------------------------------------- */

/* Opens the instance's store (opts.registry_dir, or memory): 0, -EBUSY (locked
 * by another instance or process), -EIO (corrupt file, I/O), -EINVAL (empty
 * directory name), -ENOMEM. Failures come with a diagnostic. */
int ndisi_config_open(struct ndis_host *h);
/* Frees what is left (installed INF records, any handle) and closes the store. */
void ndisi_config_close(struct ndis_host *h);

/* Joins "a" "\" "b" ... into out; -ENAMETOOLONG. */
int ndisi_cfg_path(char *out, size_t len, const char *first, ...)
    __attribute__((sentinel));

/*
 * Fills c for the Parameters key of `adapter`: the arrival values `ifname`
 * (NULL or "" for none) and `mac` (NULL for none), and the defaults of
 * `miniport_driver` (NULL for none). flags REG_CREATE_DEFAULT creates missing
 * keys in memory (a DDI opening them); REG_OPEN_EXISTING leaves them NULL.
 */
int ndisi_cfg_chain_adapter(struct ndis_registry *r, const char *adapter,
                            const char *miniport_driver, const char *ifname,
                            const unsigned char *mac, unsigned flags,
                            struct ndisi_cfg_chain *c);
void ndisi_cfg_chain_release(struct ndisi_cfg_chain *c);
/* The effective value of keyword `kw`: 0, -ENOENT, -ENOMEM, -EBADF... */
int ndisi_cfg_chain_get(const struct ndisi_cfg_chain *c, const char *kw, reg_value **out);

/*
 * The binding whose NDIS_BIND_PARAMETERS are at p (as given to
 * ProtocolBindAdapterEx), if any: copies the protocol's image and the adapter
 * name. Never dereferences p.
 */
bool ndisi_cfg_find_bind_params(const void *p, struct ndis_registry **reg,
                                struct ndisi_image **img, char *adapter, size_t len);

/* The driver loaded as `name` in any instance (the first found), or NULL. */
struct ndisi_image *ndisi_cfg_find_image(const char *name);

/* ---- network_address.c ---------------------------------------------------------- */

/* "02-00-4C-4F-4F-50": the NetworkAddress text of a 6-byte address (18 bytes). */
void ndisi_cfg_format_mac(const unsigned char mac[6], char out[18]);

/* ---- config_handles.c ---------------------------------------------------------------- */

/* A new, unpublished handle of img for the key `label`; NULL without memory. */
struct ndisi_config *ndisi_cfg_handle_new(struct ndis_registry *r, struct ndisi_image *img,
                                          const char *label);
/* The handle is handed out: charged to its driver and listed in the instance. */
void ndisi_cfg_handle_publish(struct ndisi_config *c);
/* Releases a handle's key, memory and object (no image accounting). */
void ndisi_cfg_handle_free(struct ndisi_config *c);
/* Unlinks a published handle, uncharges its driver and frees it. */
void ndisi_cfg_handle_close(struct ndisi_config *c);
/*
 * The start of the configuration DDIs that return their status through Status:
 * ndisi_cfg_status_init reports a NULL Status (false) or sets it to
 * NDIS_STATUS_FAILURE; ndisi_cfg_handle checks the IRQL (PASSIVE_LEVEL, or at
 * most `max`) and ConfigurationHandle, returning the handle or NULL after a
 * report.
 */
bool ndisi_cfg_status_init(PNDIS_STATUS Status, const char *ddi);
struct ndisi_config *ndisi_cfg_handle(NDIS_HANDLE handle, const char *ddi, KIRQL max,
                                      const char *rule);

/* Allocates `size` bytes owned by the handle until NdisCloseConfiguration. */
void *ndisi_cfg_alloc(struct ndisi_config *c, size_t size);

/*
 * Hooks of the core. ndisi_config_image_gone: the driver is unloading (or its
 * DriverEntry failed); its open handles were reported through
 * res[NDISI_RES_CONFIG] and are closed here. ndisi_config_adapter_gone: NDIS
 * frees the adapter (after MiniportHaltEx, or a failed MiniportInitializeEx);
 * handles opened with its MiniportAdapterHandle are reported (rule
 * NdisOpenConfigurationEx) and closed.
 */
void ndisi_config_image_gone(struct ndisi_image *img);
void ndisi_config_adapter_gone(struct ndisi_adapter *a);

/* ---- config_ddi.c ------------------------------------------------------------------ */
/* UTF-16 NDIS_STRING to a malloc'ed UTF-8 string, ending at the first NUL.
 * Reports a malformed string (NULL, odd Length, NULL Buffer) for ddi/param and
 * returns -EINVAL; -EILSEQ for an unpaired surrogate; -ENOMEM. */
int ndisi_cfg_ustr(const NDIS_STRING *s, char **out, const char *ddi, const char *param);

/* ---- inf_install.c ----------------------------------------------------------------- */

/* Bind rules of an installed INF, with the strings they point to. */
struct ndisi_inf_cfg {
    ndis_driver_config cfg;
    char upper[128], lower[128], media[128], filter_class[32], service[NDISI_NAME_MAX];
    unsigned kind;       /* NDIS_DRIVER_KIND_* the INF installs the service as */
    char inf_path[256];
    char net_class[16];  /* its [Version] Class */
};

/* The bind rules of the INF installed for driver (service) `name`: 0 or -ENOENT. */
int ndisi_inf_lookup(struct ndis_host *h, const char *name, struct ndisi_inf_cfg *out);
/*
 * Bind rules for a driver loaded from `so_path` as `name` without explicit
 * ones: the INF installed for `name`, else the INF next to the shared object
 * (same base name, ".inf"), which is installed first. `name_given`: the caller
 * chose the name (else it is the file's base name, and the INF's service
 * replaces it). 0 with *out filled (out->service is the driver name to use),
 * -ENOENT when there is neither, -EINVAL for a malformed INF or one that
 * installs another service than a given name (a diagnostic gives file, line
 * and reason), -EBUSY, -ENOMEM.
 */
int ndisi_inf_for_file(struct ndis_host *h, const char *so_path, const char *name,
                       bool name_given, struct ndisi_inf_cfg *out);
/* Frees the installation records (the instance is being destroyed). */
void ndisi_inf_clear(struct ndis_registry *r);

#endif /* NDISI_CONFIG_H */

/* host.c - NDIS instances: creation, orderly shutdown, lookups (host API). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/core.h"
#include "core/pnp.h"
#include "core/verifier.h"
#include "os/os.h"

static atomic_int live_hosts;

struct ndisi_image *ndisi_find_image(struct ndis_host *h, const char *name)
{
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink) {
        struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
        if (strcmp(img->name, name) == 0)
            return img;
    }
    return NULL;
}

/* ---- adapters by name: a chained hash table that doubles as it fills ------- */

static unsigned name_hash(const char *s)
{
    unsigned x = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        x = (x ^ (unsigned char)*s) * 16777619u;
    return x;
}

struct ndisi_adapter *ndisi_find_adapter(struct ndis_host *h, const char *name)
{
    if (!h->adapter_hash_size)
        return NULL;
    struct ndisi_adapter *a = h->adapter_hash[name_hash(name) & (h->adapter_hash_size - 1)];
    while (a && strcmp(a->name, name) != 0)
        a = a->hash_next;
    return a;
}

static bool hash_grow(struct ndis_host *h)
{
    unsigned size = h->adapter_hash_size ? 2 * h->adapter_hash_size : 64;
    struct ndisi_adapter **t = calloc(size, sizeof(*t));
    if (!t)
        return false;
    for (unsigned i = 0; i < h->adapter_hash_size; i++)
        for (struct ndisi_adapter *a = h->adapter_hash[i], *next; a; a = next) {
            next = a->hash_next;
            unsigned b = name_hash(a->name) & (size - 1);
            a->hash_next = t[b];
            t[b] = a;
        }
    free(h->adapter_hash);
    h->adapter_hash = t;
    h->adapter_hash_size = size;
    return true;
}

bool ndisi_adapter_hash_insert(struct ndis_host *h, struct ndisi_adapter *a)
{
    if (h->adapter_count + 1 > h->adapter_hash_size && !hash_grow(h))
        return false;
    unsigned b = name_hash(a->name) & (h->adapter_hash_size - 1);
    a->hash_next = h->adapter_hash[b];
    h->adapter_hash[b] = a;
    h->adapter_count++;
    return true;
}

void ndisi_adapter_hash_remove(struct ndis_host *h, struct ndisi_adapter *a)
{
    struct ndisi_adapter **p = &h->adapter_hash[name_hash(a->name) & (h->adapter_hash_size - 1)];
    while (*p && *p != a)
        p = &(*p)->hash_next;
    if (*p) {
        *p = a->hash_next;
        h->adapter_count--;
    }
}

static void host_shutdown_op(struct ndis_host *h, struct ndisi_req *req);

void *ndisi_req_new(size_t size, void (*fn)(struct ndis_host *, struct ndisi_req *))
{
    struct ndisi_req *r = calloc(1, size);
    if (!r)
        return NULL;
    atomic_init(&r->refs, 2); /* the caller and the operation */
    r->fn = fn;
    return r;
}

static void req_put(struct ndisi_req *r)
{
    if (atomic_fetch_sub(&r->refs, 1) == 1)
        free(r);
}

static void req_trampoline(struct ndis_host *h, void *arg)
{
    struct ndisi_req *r = arg;
    r->fn(h, r);
    req_put(r);
}

int ndisi_req_run(struct ndis_host *h, struct ndisi_req *req, const char *what)
{
    if (atomic_load(&h->powered_off) && req->fn != host_shutdown_op) {
        ndisi_diag("instance '%s': %s: the system was shut down (ndis_host_shutdown); only "
                   "ndis_host_destroy is left",
                   h->name, what);
        req_put(req);
        req_put(req);
        return -ESHUTDOWN;
    }
    int rc = ndisi_pnp_call(h, req_trampoline, req, what);
    int result = rc ? rc : req->result;
    req_put(req);
    return result;
}

static unsigned host_default_timeout(void)
{
    const char *env = getenv("NDIS_WAIT_TIMEOUT_MS");
    long v = env ? strtol(env, NULL, 10) : 0;
    return v > 0 ? (unsigned)v : 30000u;
}

int ndis_host_create(const ndis_host_options *opts, ndis_host **out)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    struct ndis_host *h = ndisi_obj_alloc(NDISI_OBJ_HOST, sizeof(*h));
    if (!h)
        return -ENOMEM;
    if (opts)
        h->opts = *opts;
    snprintf(h->name, sizeof(h->name), "%s", h->opts.name ? h->opts.name : "ndis");
    h->opts.name = NULL; /* not retained */
    h->obj.label = h->name;
    h->wait_timeout_ms = h->opts.wait_timeout_ms ? h->opts.wait_timeout_ms
                                                 : host_default_timeout();
    pthread_mutex_init(&h->lock, NULL);
    InitializeListHead(&h->images);
    InitializeListHead(&h->adapters);
    InitializeListHead(&h->disabled_bindings);
    ndisi_waitq_init(&h->wq);
    ndisi_waitq_init(&h->call_wq);
    atomic_init(&h->next_ifindex, 1);
    int rc = ndisi_config_open(h);
    if (!rc)
        ndisi_bindcfg_load(h);
    if (!rc && (rc = ndisi_pnp_start(h))) {
        ndisi_bindcfg_clear(h);
        ndisi_config_close(h);
    }
    if (rc) {
        ndisi_waitq_destroy(&h->wq);
        ndisi_waitq_destroy(&h->call_wq);
        pthread_mutex_destroy(&h->lock);
        ndisi_obj_free(h);
        return rc;
    }
    atomic_fetch_add(&live_hosts, 1);
    *out = h;
    return 0;
}

/*
 * Orderly shutdown, the order NDIS stops a system: every protocol binding is
 * unbound, every filter module detached, every adapter halted, and then every
 * driver unloaded (protocols and filters first, miniports last).
 */
static void host_shutdown_op(struct ndis_host *h, struct ndisi_req *req)
{
    (void)req;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        a->removing = true;
        if (ndisi_stack_running(a))
            ndisi_stack_pause(a, NDIS_PAUSE_UNBIND_PROTOCOL);
        while (!IsListEmpty(&a->opens))
            ndisi_open_unbind(CONTAINING_RECORD(a->opens.Flink, struct ndisi_open,
                                                adapter_link));
    }
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink)
        ndisi_filter_detach_all(CONTAINING_RECORD(e, struct ndisi_adapter, host_link));
    while (!IsListEmpty(&h->adapters))
        ndisi_adapter_remove(CONTAINING_RECORD(h->adapters.Flink, struct ndisi_adapter,
                                               host_link),
                             NdisHaltDeviceStopped);
    for (int pass = 0; pass < 2; pass++) {
        LIST_ENTRY *e = h->images.Flink;
        while (e != &h->images) {
            struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
            e = e->Flink;
            if (pass == 1 || !img->miniport)
                ndisi_image_unload(img);
        }
    }
}

int ndis_host_get_counts(ndis_host *h, ndis_host_counts *out)
{
    if (!h || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&h->lock);
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink) {
        struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
        unsigned long long bytes;
        unsigned long count;
        out->drivers++;
        ndisi_memacct_totals(&img->mem, &bytes, &count);
        out->mem_bytes += bytes;
        out->mem_allocs += count;
        out->nbl_pools += (unsigned long)atomic_load(&img->res[NDISI_RES_NBL_POOL]) +
                          (unsigned long)atomic_load(&img->res[NDISI_RES_NB_POOL]);
        if (img->filter)
            for (LIST_ENTRY *m = img->filter->modules.Flink; m != &img->filter->modules;
                 m = m->Flink)
                out->modules++;
        if (img->protocol)
            for (LIST_ENTRY *o = img->protocol->opens.Flink; o != &img->protocol->opens;
                 o = o->Flink)
                out->bindings++;
    }
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink)
        out->adapters++;
    pthread_mutex_unlock(&h->lock);
    return 0;
}

static void power_off_op(struct ndis_host *h, struct ndisi_req *req)
{
    (void)req;
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink)
        ndisi_adapter_shutdown(CONTAINING_RECORD(e, struct ndisi_adapter, host_link));
}

int ndis_host_shutdown(ndis_host *h)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_shutdown", "h"))
        return -EINVAL;
    struct ndisi_req *req = ndisi_req_new(sizeof(*req), power_off_op);
    if (!req)
        return -ENOMEM;
    int rc = ndisi_req_run(h, req, "shut the system down (MiniportShutdownEx)");
    if (!rc)
        atomic_store(&h->powered_off, true);
    return rc;
}

int ndis_host_destroy(ndis_host *h)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_destroy", "h"))
        return -EINVAL;
    struct ndisi_req *req = ndisi_req_new(sizeof(*req), host_shutdown_op);
    int rc = req ? ndisi_req_run(h, req, "shut down the NDIS instance") : -ENOMEM;
    ndis_host_counts c;
    ndis_host_get_counts(h, &c);
    if (c.drivers || c.adapters) {
        /* Only a timed-out driver can leave objects behind; they stay leaked. */
        ndisi_report(NDISI_V_LEAK, "ndis_host_destroy", "every driver unloads on shutdown",
                     "instance '%s' still holds %u drivers and %u adapters after shutdown",
                     h->name, c.drivers, c.adapters);
        rc = -EBUSY;
    }
    ndisi_pnp_stop(h);
    ndisi_bindcfg_clear(h);
    ndisi_config_close(h);
    free(h->adapter_hash); /* empty: every adapter was removed */
    ndisi_waitq_destroy(&h->wq);
    ndisi_waitq_destroy(&h->call_wq);
    pthread_mutex_destroy(&h->lock);
    ndisi_obj_free(h);
    if (atomic_fetch_sub(&live_hosts, 1) == 1) {
        ndisi_os_shutdown();
        ndisi_obj_quarantine_flush();
    }
    return rc;
}

const char *ndis_host_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case -ENOENT:
        return "no such driver or adapter";
    case -EEXIST:
        return "name already in use";
    case -EINVAL:
        return "invalid argument";
    case -EBUSY:
        return "object in use, or resources leaked";
    case -EIO:
        return "the driver failed the operation";
    case -ETIMEDOUT:
        return "a driver did not complete within the wait bound";
    case -ENOMEM:
        return "out of memory";
    case -ESHUTDOWN:
        return "the instance is shutting down";
    case -ENOEXEC:
        return "not a loadable driver";
    default:
        return strerror(-err);
    }
}

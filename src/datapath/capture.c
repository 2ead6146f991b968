/*
 * capture.c - packet capture at any edge of an adapter's stack
 * (ndis_host_capture_start / ndis_host_capture_stop).
 *
 * An edge lies between two layers: "miniport" is the edge just above the
 * miniport (what goes on the wire), "protocol" the edge just below the
 * protocols, and a filter driver's name the edge just above that driver's
 * module (what the module indicates up, and what is sent down into it);
 * "FILTER:below" the edge just below it. A chain moving from one layer to
 * another crosses every edge between them (modules that bypass a path are
 * crossed too), and each capture on a crossed edge sees each NET_BUFFER of it
 * as one frame.
 *
 * Cost when off: one relaxed load of a->captures per chain hand-off. When on,
 * the captures of the adapter are an immutable NULL-terminated array read under
 * the adapter's capture RCU; stopping publishes a new array and waits a grace
 * period, so after ndis_host_capture_stop returns the callback never runs again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/verifier.h"
#include "datapath/datapath.h"

#define CAP_MAX_SNAP 65535u

enum cap_edge { CAP_MINIPORT, CAP_PROTOCOL, CAP_ABOVE, CAP_BELOW };

struct ndis_capture {
    struct ndis_host *host;
    struct ndisi_adapter *adapter;   /* NULL once the adapter is gone (h->lock) */
    enum cap_edge edge;
    char filter[NDISI_NAME_MAX];     /* CAP_ABOVE / CAP_BELOW: the filter driver */
    unsigned snaplen;
    ndis_capture_fn fn;
    void *ctx;
};

static __thread unsigned char cap_buf[CAP_MAX_SNAP];

static unsigned long long wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Copies up to `max` bytes of nb's data (from its current MDL and offset). */
static size_t nb_copy(PNET_BUFFER nb, unsigned char *out, size_t max)
{
    size_t want = NET_BUFFER_DATA_LENGTH(nb), got = 0;
    if (want > max)
        want = max;
    PMDL m = NET_BUFFER_CURRENT_MDL(nb);
    size_t off = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    for (; m && got < want; m = m->Next, off = 0) {
        const unsigned char *va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
        size_t n = MmGetMdlByteCount(m);
        if (!va || off >= n)
            continue;
        n -= off;
        if (n > want - got)
            n = want - got;
        memcpy(out + got, va + off, n);
        got += n;
    }
    return got;
}

static void emit(struct ndis_capture *c, PNET_BUFFER_LIST nbls, bool send)
{
    unsigned long long t = wall_ns();
    for (PNET_BUFFER_LIST x = nbls; x; x = x->Next)
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(x); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
            ndis_capture_frame f = {
                .time_ns = t,
                .send = send,
                .data = cap_buf,
                .len = NET_BUFFER_DATA_LENGTH(nb),
            };
            f.caplen = nb_copy(nb, cap_buf, c->snaplen);
            c->fn(c->ctx, &f);
        }
}

static bool module_is(const struct ndisi_filter_module *m, const char *filter)
{
    return !strcmp(m->driver->image->name, filter);
}

/*
 * Whether a chain going from layer `hi` down to layer `lo` (or up from lo to
 * hi) crosses the capture's edge. Layers: a module, or NULL for the edge layer
 * (the protocols as `hi`, the miniport as `lo`). Modules are walked upward
 * from lo; the stack does not change while data moves through it.
 */
static bool crosses(const struct ndis_capture *c, struct ndisi_adapter *a,
                    struct ndisi_filter_module *lo, struct ndisi_filter_module *hi)
{
    switch (c->edge) {
    case CAP_MINIPORT:
        return lo == NULL;
    case CAP_PROTOCOL:
        return hi == NULL;
    case CAP_ABOVE:
    case CAP_BELOW:
        break;
    }
    /* Modules strictly between lo and hi, with lo itself: the edge above each
       is crossed; for CAP_BELOW, the edge below a module M is crossed when M is
       strictly above lo and at or below hi. */
    struct ndisi_filter_module *m = lo ? lo : a->mod_bottom;
    if (c->edge == CAP_ABOVE) {
        if (!lo && !m)
            return false;
        for (; m && m != hi; m = m->above)
            if (module_is(m, c->filter))
                return true;
        return false;
    }
    for (m = lo ? lo->above : a->mod_bottom; m; m = m->above) {
        if (module_is(m, c->filter))
            return true;
        if (m == hi)
            break;
    }
    return false;
}

void ndisi_capture_chain(struct ndisi_adapter *a, struct ndisi_filter_module *lo,
                         struct ndisi_filter_module *hi, bool send, PNET_BUFFER_LIST nbls)
{
    unsigned e = ndisi_rcu_enter(&a->cap_rcu);
    struct ndis_capture **caps = atomic_load(&a->captures);
    for (unsigned i = 0; caps && caps[i]; i++)
        if (crosses(caps[i], a, lo, hi))
            emit(caps[i], nbls, send);
    ndisi_rcu_leave(&a->cap_rcu, e);
}

/* ---- start and stop (host threads; h->lock guards the arrays' updates) ------- */

static unsigned count_caps(struct ndis_capture **caps)
{
    unsigned n = 0;
    while (caps && caps[n])
        n++;
    return n;
}

/* Publishes caps (with `add`, without `del`) and frees the old array after a
   grace period. h->lock held. */
static int republish(struct ndisi_adapter *a, struct ndis_capture *add, struct ndis_capture *del)
{
    struct ndis_capture **old = atomic_load(&a->captures);
    unsigned n = count_caps(old), k = 0;
    struct ndis_capture **neu = NULL;
    if (n + (add ? 1 : 0) - (del ? 1 : 0) > 0) {
        neu = calloc(n + 2, sizeof(*neu));
        if (!neu)
            return -ENOMEM;
        for (unsigned i = 0; i < n; i++)
            if (old[i] != del)
                neu[k++] = old[i];
        if (add)
            neu[k++] = add;
    }
    atomic_store(&a->captures, neu);
    enum ndisi_rcu_wait w = ndisi_rcu_synchronize_bounded(&a->cap_rcu, a->host->wait_timeout_ms);
    if (w != NDISI_RCU_DONE) {
        /* A callback still runs on the old array: keep it (and what it points to). */
        ndisi_diag("adapter '%s': a capture callback still runs after %u ms; the old "
                   "capture list is kept",
                   a->name, a->host->wait_timeout_ms);
        return -ETIMEDOUT;
    }
    free(old);
    return 0;
}

/* A capture callback runs inside the capture read section: starting or stopping
   a capture from one would wait for itself. */
static bool in_callback(const char *api)
{
    if (!ndisi_rcu_depth)
        return false;
    ndisi_diag("%s: called from inside a capture callback (or another NDIS indication "
               "in progress on this thread); the captures are unchanged",
               api);
    return true;
}

int ndis_host_capture_start(ndis_host *h, const char *adapter, const char *at, unsigned snaplen,
                            ndis_capture_fn fn, void *ctx, ndis_capture **out)
{
    const char *api = "ndis_host_capture_start";
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, api, "h") || !adapter || !fn || !out)
        return -EINVAL;
    *out = NULL;
    if (in_callback(api))
        return -EDEADLK;
    struct ndis_capture *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->host = h;
    c->fn = fn;
    c->ctx = ctx;
    c->snaplen = snaplen && snaplen < CAP_MAX_SNAP ? snaplen : CAP_MAX_SNAP;
    if (!at || !strcmp(at, "miniport")) {
        c->edge = CAP_MINIPORT;
    } else if (!strcmp(at, "protocol")) {
        c->edge = CAP_PROTOCOL;
    } else {
        const char *colon = strchr(at, ':');
        size_t len = colon ? (size_t)(colon - at) : strlen(at);
        if (colon && strcmp(colon, ":below") && strcmp(colon, ":above")) {
            ndisi_diag("%s: capture point '%s': expected miniport, protocol, FILTER, "
                       "FILTER:above or FILTER:below",
                       api, at);
            free(c);
            return -EINVAL;
        }
        if (len == 0 || len >= sizeof(c->filter)) {
            free(c);
            return -EINVAL;
        }
        memcpy(c->filter, at, len);
        c->edge = colon && !strcmp(colon, ":below") ? CAP_BELOW : CAP_ABOVE;
    }

    pthread_mutex_lock(&h->lock);
    struct ndisi_adapter *a = ndisi_find_adapter(h, adapter);
    int rc = a ? 0 : -ENOENT;
    if (!rc && (c->edge == CAP_ABOVE || c->edge == CAP_BELOW)) {
        /* The filter must have a module in this stack now. */
        pthread_rwlock_rdlock(&a->stack_lock);
        bool found = false;
        for (struct ndisi_filter_module *m = a->mod_bottom; m && !found; m = m->above)
            found = module_is(m, c->filter);
        pthread_rwlock_unlock(&a->stack_lock);
        if (!found) {
            ndisi_diag("%s: adapter '%s' has no module of filter driver '%s'", api, adapter,
                       c->filter);
            rc = -ENOENT;
        }
    }
    if (!rc) {
        c->adapter = a;
        rc = republish(a, c, NULL);
        if (rc == -ETIMEDOUT)
            rc = 0; /* published; only the old list was kept */
    }
    pthread_mutex_unlock(&h->lock);
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int ndis_host_capture_stop(ndis_capture *c)
{
    if (!c)
        return -EINVAL;
    if (in_callback("ndis_host_capture_stop"))
        return -EDEADLK;
    struct ndis_host *h = c->host;
    pthread_mutex_lock(&h->lock);
    int rc = 0;
    if (c->adapter) {
        rc = republish(c->adapter, NULL, c);
        if (rc == -ETIMEDOUT)
            c->adapter = NULL; /* unpublished, but a callback may still use it: not freed */
    }
    pthread_mutex_unlock(&h->lock);
    if (rc)
        return rc; /* -ENOMEM: the capture goes on; the caller may retry */
    free(c);
    return 0;
}

void ndisi_capture_adapter_gone(struct ndisi_adapter *a)
{
    /* h->lock held by the caller; the adapter carries no traffic any more. */
    struct ndis_capture **caps = atomic_load(&a->captures);
    for (unsigned i = 0; caps && caps[i]; i++)
        caps[i]->adapter = NULL;
    atomic_store(&a->captures, NULL);
    if (ndisi_rcu_synchronize_bounded(&a->cap_rcu, a->host->wait_timeout_ms) == NDISI_RCU_DONE)
        free(caps);
    else
        ndisi_diag("adapter '%s': a capture callback still runs after %u ms; its capture "
                   "list is kept",
                   a->name, a->host->wait_timeout_ms);
}

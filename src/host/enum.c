/* enum.c - listing drivers, adapters, bindings and filter modules (host API). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static void copy_name(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src);
}

int ndis_host_list_drivers(ndis_host *h, ndis_driver_info *out, unsigned max, unsigned *count)
{
    if (!h || !count || (max && !out))
        return -EINVAL;
    unsigned n = 0;
    pthread_mutex_lock(&h->lock);
    for (LIST_ENTRY *e = h->images.Flink; e != &h->images; e = e->Flink, n++) {
        struct ndisi_image *img = CONTAINING_RECORD(e, struct ndisi_image, link);
        if (n >= max)
            continue;
        ndis_driver_info *d = &out[n];
        memset(d, 0, sizeof(*d));
        copy_name(d->name, sizeof(d->name), img->name);
        if (img->miniport) {
            d->kinds |= NDIS_DRIVER_KIND_MINIPORT;
            for (LIST_ENTRY *a = img->miniport->adapters.Flink; a != &img->miniport->adapters;
                 a = a->Flink)
                d->adapters++;
        }
        if (img->protocol) {
            d->kinds |= NDIS_DRIVER_KIND_PROTOCOL;
            for (LIST_ENTRY *o = img->protocol->opens.Flink; o != &img->protocol->opens;
                 o = o->Flink)
                d->bindings++;
        }
        if (img->filter) {
            d->kinds |= NDIS_DRIVER_KIND_FILTER;
            for (LIST_ENTRY *m = img->filter->modules.Flink; m != &img->filter->modules;
                 m = m->Flink)
                d->modules++;
        }
        ndisi_memacct_totals(&img->mem, &d->mem_bytes, &d->mem_allocs);
    }
    pthread_mutex_unlock(&h->lock);
    *count = n;
    return 0;
}

/* One miniport edge's totals: its drain's plus the per-thread tallies `in` and
   `out` (what never entered the drain). Never shows more out than in. */
static void edge_totals(struct ndisi_drain *d, unsigned long in, unsigned long out,
                        unsigned long long *total_in, unsigned long long *total_out)
{
    in += ndisi_drain_total_in(d);
    out += ndisi_drain_total_out(d);
    *total_in = in;
    *total_out = out < in ? out : in;
}

int ndis_host_list_adapters(ndis_host *h, ndis_adapter_info *out, unsigned max, unsigned *count)
{
    if (!h || !count || (max && !out))
        return -EINVAL;
    unsigned n = 0;
    pthread_mutex_lock(&h->lock);
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink, n++) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        if (n >= max)
            continue;
        ndis_adapter_info *d = &out[n];
        memset(d, 0, sizeof(*d));
        copy_name(d->name, sizeof(d->name), a->name);
        copy_name(d->driver, sizeof(d->driver), a->miniport->image->name);
        copy_name(d->state, sizeof(d->state), ndisi_adapter_state_name(a));
        d->medium = (unsigned)a->gen_attrs.MediaType;
        memcpy(d->mac, a->gen_attrs.CurrentMacAddress, 6);
        pthread_mutex_lock(&a->link_lock);
        d->link_up = a->link.MediaConnectState == MediaConnectStateConnected;
        d->link_speed = a->link.XmitLinkSpeed == NDIS_LINK_SPEED_UNKNOWN ? 0 : a->link.XmitLinkSpeed;
        pthread_mutex_unlock(&a->link_lock);
        d->mtu = a->gen_attrs.MtuSize;
        d->ifindex = a->ifindex;
        d->bindings = atomic_load(&a->nopens);
        for (struct ndisi_filter_module *m = a->mod_bottom; m; m = m->above)
            d->modules++;
        /* Calls counted lazily are in the per-thread tallies (send.c,
           receive.c). A completion or return made on another thread is
           counted as it happens, which can be a moment before the call that
           passed the NBL on moves its count from the tally to the drain:
           completed is never shown ahead of sent, nor returned of indicated. */
        unsigned long t[NDISI_TALLY_KINDS];
        ndisi_tally_sums(&a->tally, t);
        edge_totals(&a->mp_sends, t[NDISI_TALLY_SENT], t[NDISI_TALLY_SEND_DONE], &d->sent,
                    &d->send_completed);
        edge_totals(&a->mp_recvs, t[NDISI_TALLY_INDICATED], t[NDISI_TALLY_RETURNED],
                    &d->indicated, &d->returned);
    }
    pthread_mutex_unlock(&h->lock);
    *count = n;
    return 0;
}

int ndis_host_list_bindings(ndis_host *h, ndis_binding_info *out, unsigned max, unsigned *count)
{
    if (!h || !count || (max && !out))
        return -EINVAL;
    unsigned n = 0;
    pthread_mutex_lock(&h->lock);
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        for (LIST_ENTRY *oe = a->opens.Flink; oe != &a->opens; oe = oe->Flink, n++) {
            struct ndisi_open *o = CONTAINING_RECORD(oe, struct ndisi_open, adapter_link);
            if (n >= max)
                continue;
            ndis_binding_info *d = &out[n];
            memset(d, 0, sizeof(*d));
            copy_name(d->protocol, sizeof(d->protocol), o->protocol->name);
            copy_name(d->adapter, sizeof(d->adapter), a->name);
            copy_name(d->state, sizeof(d->state), ndisi_open_state_name(o));
            d->enabled = o->enabled;
        }
    }
    n = ndisi_bindcfg_list(h, out, max, n);
    pthread_mutex_unlock(&h->lock);
    *count = n;
    return 0;
}

int ndis_host_list_modules(ndis_host *h, const char *adapter, ndis_module_info *out,
                           unsigned max, unsigned *count)
{
    if (!h || !count || (max && !out))
        return -EINVAL;
    unsigned n = 0;
    pthread_mutex_lock(&h->lock);
    for (LIST_ENTRY *e = h->adapters.Flink; e != &h->adapters; e = e->Flink) {
        struct ndisi_adapter *a = CONTAINING_RECORD(e, struct ndisi_adapter, host_link);
        if (adapter && strcmp(adapter, a->name) != 0)
            continue;
        unsigned pos = 0;
        for (struct ndisi_filter_module *m = a->mod_bottom; m; m = m->above, pos++, n++) {
            if (n >= max)
                continue;
            ndis_module_info *d = &out[n];
            memset(d, 0, sizeof(*d));
            copy_name(d->filter, sizeof(d->filter), m->driver->image->name);
            copy_name(d->adapter, sizeof(d->adapter), a->name);
            copy_name(d->state, sizeof(d->state), ndisi_module_state_name(m));
            d->position = pos;
        }
    }
    pthread_mutex_unlock(&h->lock);
    *count = n;
    return 0;
}

/*
 * listing.c - the instance's enumerations as whole arrays: each ndis_host_list_*
 * call is repeated with a bigger buffer until everything fits (objects may come
 * between the count and the copy).
 */
#include <stdlib.h>

#include "ndisd.h"

typedef int list_fn(ndis_host *h, void *out, unsigned max, unsigned *count);

static void *list_all(list_fn *fn, size_t elem, unsigned *count)
{
    unsigned cap = 32;
    *count = 0;
    for (;;) {
        void *buf = calloc(cap, elem);
        if (!buf)
            return NULL;
        unsigned n = 0;
        if (fn(g_ndisd.host, buf, cap, &n) != 0) {
            free(buf);
            return NULL;
        }
        if (n <= cap) {
            *count = n;
            return buf;
        }
        free(buf);
        cap = n + 16;
    }
}

static int drivers_fn(ndis_host *h, void *b, unsigned m, unsigned *n)
{
    return ndis_host_list_drivers(h, b, m, n);
}
static int adapters_fn(ndis_host *h, void *b, unsigned m, unsigned *n)
{
    return ndis_host_list_adapters(h, b, m, n);
}
static int bindings_fn(ndis_host *h, void *b, unsigned m, unsigned *n)
{
    return ndis_host_list_bindings(h, b, m, n);
}
static int modules_fn(ndis_host *h, void *b, unsigned m, unsigned *n)
{
    return ndis_host_list_modules(h, NULL, b, m, n);
}
static int infs_fn(ndis_host *h, void *b, unsigned m, unsigned *n)
{
    return ndis_host_list_infs(h, b, m, n);
}

ndis_driver_info *host_drivers(unsigned *n)
{
    return list_all(drivers_fn, sizeof(ndis_driver_info), n);
}
ndis_adapter_info *host_adapters(unsigned *n)
{
    return list_all(adapters_fn, sizeof(ndis_adapter_info), n);
}
ndis_binding_info *host_bindings(unsigned *n)
{
    return list_all(bindings_fn, sizeof(ndis_binding_info), n);
}
ndis_module_info *host_modules(unsigned *n)
{
    return list_all(modules_fn, sizeof(ndis_module_info), n);
}
ndis_inf_info *host_infs(unsigned *n)
{
    return list_all(infs_fn, sizeof(ndis_inf_info), n);
}

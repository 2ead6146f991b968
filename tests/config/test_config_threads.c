/*
 * test_config_threads.c - configuration handles used from several threads at
 * once (each thread its own handles, as the pages require reads and writes on
 * one handle to be serial), while the host changes parameters: no lost
 * handle, no race (label "concurrency": also run under ThreadSanitizer).
 */
#include <pthread.h>

#include "cfg_test.h"

#define THREADS 4
#define ROUNDS 300

static NDIS_HANDLE g_adapter, g_driver;
static atomic_int g_fail;

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char kw[16];
    snprintf(kw, sizeof(kw), "T%d", id);
    for (int i = 0; i < ROUNDS; i++) {
        NDIS_HANDLE c = NULL;
        if (cfg_open_flags(i % 3 ? g_adapter : g_driver, 0, &c) != NDIS_STATUS_SUCCESS) {
            atomic_fetch_add(&g_fail, 1);
            continue;
        }
        NDIS_CONFIGURATION_PARAMETER w;
        memset(&w, 0, sizeof(w));
        w.ParameterType = NdisParameterInteger;
        w.ParameterData.IntegerData = (ULONG)i;
        NDIS_STATUS st;
        WCHAR kwbuf[16];
        NDIS_STRING k = {0, sizeof(kwbuf), kwbuf};
        for (size_t j = 0; kw[j]; j++, k.Length += 2)
            kwbuf[j] = (WCHAR)kw[j];
        NdisWriteConfiguration(&st, c, &k, &w);
        PNDIS_CONFIGURATION_PARAMETER p;
        NdisReadConfiguration(&st, &p, c, &k, NdisParameterInteger);
        if (st != NDIS_STATUS_SUCCESS || p->ParameterData.IntegerData != (ULONG)i)
            atomic_fetch_add(&g_fail, 1);
        /* A keyword another thread (the host) changes: present or not. */
        WCHAR sbuf[] = {'S', 'h', 'a', 'r', 'e', 'd'};
        NDIS_STRING shared = {sizeof(sbuf), sizeof(sbuf), sbuf};
        NdisReadConfiguration(&st, &p, c, &shared, NdisParameterInteger);
        if (st != NDIS_STATUS_SUCCESS && st != NDIS_STATUS_FAILURE)
            atomic_fetch_add(&g_fail, 1);
        NDIS_STRING name = {0, 0, NULL};
        NDIS_HANDLE s = NULL;
        NdisOpenConfigurationKeyByIndex(&st, c, 0, &name, &s);
        if (st == NDIS_STATUS_SUCCESS)
            NdisCloseConfiguration(s);
        PVOID addr;
        UINT len;
        NdisReadNetworkAddress(&st, &addr, &len, c);
        NdisCloseConfiguration(c);
    }
    return NULL;
}

TEST(threads_open_read_write_close)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0\\Sub", "x", "1"), 0);
    T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "NetworkAddress", "020000000001"), 0);
    g_adapter = kit_mp_handle("a0");
    g_driver = kit_mp_driver_handle();
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        T_EQ(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i), 0);
    /* The operator changes a keyword and a default meanwhile. */
    char buf[16];
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        T_EQ(ndis_host_set_param(h, NDIS_PARAM_ADAPTER, "a0", "Shared", buf), 0);
        T_EQ(ndis_host_set_param(h, NDIS_PARAM_DRIVER_DEFAULT, "kitmp", "Shared", buf), 0);
        ndis_host_get_param(h, NDIS_PARAM_ADAPTER, "a0", "Shared", buf, sizeof(buf));
        if (i % 2)
            T_EQ(ndis_host_delete_param(h, NDIS_PARAM_ADAPTER, "a0", "Shared"), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    T_EQ(atomic_load(&g_fail), 0);
    for (int i = 0; i < THREADS; i++) {
        char kw[16];
        snprintf(kw, sizeof(kw), "T%d", i);
        T_STREQ(host_param(h, NDIS_PARAM_ADAPTER, "a0", kw), "299");
    }
    /* Every handle was closed: the driver unloads without a leak report. */
    T_EQ(ndis_host_unload_driver(h, "kitmp"), 0);
    kit_host_done(h);
}

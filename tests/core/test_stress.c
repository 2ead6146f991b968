/*
 * test_stress.c - adapters come and go on several threads while protocols
 * register and deregister on others. Every bind is matched by exactly one
 * unbind, nothing deadlocks (each case is bounded by the harness timeout), and
 * nothing leaks (the instance ends empty; ASan/LSan check the process).
 */
#include <pthread.h>
#include <stdio.h>

#include "kit.h"
#include "test.h"

static ndis_host *h;
enum { ADAPTER_THREADS = 3, ROUNDS = 25 };

static void *adapter_thread(void *arg)
{
    long t = (long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        char name[32];
        snprintf(name, sizeof(name), "t%ld-%d", t, r % 3);
        if (ndis_host_add_adapter(h, "kitmp", name, NULL) == 0 && (r & 1))
            ndis_host_pause_adapter(h, name);
        if (r % 3 == 2)
            for (int k = 0; k < 3; k++) {
                snprintf(name, sizeof(name), "t%ld-%d", t, k);
                ndis_host_remove_adapter(h, name);
            }
    }
    return NULL;
}

static void *protocol_thread(void *arg)
{
    long p = (long)arg;
    char name[16];
    snprintf(name, sizeof(name), "kitp%ld", p);
    for (int r = 0; r < ROUNDS; r++) {
        if (ndis_host_load_driver(h, name, kit_proto_entry, NULL) != 0)
            continue;
        ndis_host_unload_driver(h, name);
    }
    return NULL;
}

TEST(adapters_and_protocols_come_and_go)
{
    h = kit_host();
    kit_proto[1].pend_unbind = true; /* one protocol completes unbinds from work items */
    kit_proto[2].pend_bind = true;
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    pthread_t th[ADAPTER_THREADS + 3];
    for (long i = 0; i < ADAPTER_THREADS; i++)
        pthread_create(&th[i], NULL, adapter_thread, (void *)i);
    for (long p = 0; p < 3; p++)
        pthread_create(&th[ADAPTER_THREADS + p], NULL, protocol_thread, (void *)p);
    for (int i = 0; i < ADAPTER_THREADS + 3; i++)
        pthread_join(th[i], NULL);

    ndis_host_counts c;
    T_EQ(ndis_host_get_counts(h, &c), 0);
    T_EQ(c.bindings, 0);
    int binds = kit_log_count("ProtocolBindAdapterEx");
    int unbinds = kit_log_count("ProtocolUnbindAdapterEx");
    t_log("%d adapters initialized, %d binds, %d unbinds",
          kit_log_count("MiniportInitializeEx"), binds, unbinds);
    T_ASSERT(binds > 0);
    T_EQ(binds, unbinds);
    T_EQ(kit_log_count("MiniportInitializeEx"), kit_log_count("MiniportHaltEx") + (int)c.adapters);
    kit_host_done(h);
    T_EQ(kit_log_count("MiniportInitializeEx"), kit_log_count("MiniportHaltEx"));
}

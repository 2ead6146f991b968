/* samples_util.c - see samples_util.h. */
#include "samples_util.h"

#include <string.h>
#include <time.h>

const unsigned char sx_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void sx_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void sx_load_virtmp(ndis_host *h)
{
    ndis_driver_config cfg = {.upper_range = "ndis5", .lower_range = "ethernet",
                              .service_name = "virtmp"};
    T_EQ(ndis_host_load_driver(h, "virtmp", virtmp_DriverEntry, &cfg), 0);
}

void sx_load_sampleproto(ndis_host *h)
{
    ndis_driver_config cfg = {.lower_range = "ndis5", .service_name = "sampleproto"};
    T_EQ(ndis_host_load_driver(h, "sampleproto", sampleproto_DriverEntry, &cfg), 0);
}

ndis_host *sx_host_opts(const ndis_host_options *opts)
{
    ndis_host *h = opts ? kit_host_opts(opts) : kit_host();
    sx_load_virtmp(h);
    return h;
}

ndis_host *sx_host(void)
{
    return sx_host_opts(NULL);
}

void sx_add(ndis_host *h, const char *adapter)
{
    T_EQ(ndis_host_add_adapter(h, "virtmp", adapter, NULL), 0);
}

struct sampleproto_stats sx_stats(const char *adapter)
{
    struct sampleproto_stats s;
    int rc = sampleproto_stats(adapter, &s);
    T_ASSERT_MSG(rc == 0, "sampleproto_stats(%s) = %d", adapter, rc);
    return s;
}

void sx_mac(const char *adapter, unsigned char mac[6])
{
    struct sampleproto_stats s = sx_stats(adapter);
    memcpy(mac, s.mac, 6);
}

unsigned long long sx_frames(const char *adapter, unsigned short type)
{
    struct sampleproto_stats s = sx_stats(adapter);
    return sampleproto_frames_of_type(&s, type);
}

unsigned long long sx_wait_frames(const char *adapter, unsigned short type,
                                  unsigned long long n)
{
    for (int i = 0; i < 1000 && sx_frames(adapter, type) < n; i++)
        sx_sleep_ms(2);
    sx_sleep_ms(10);
    return sx_frames(adapter, type);
}

NDIS_STATISTICS_INFO sx_statistics(const char *adapter)
{
    NDIS_STATISTICS_INFO si;
    sampleproto_oid_result res;
    memset(&si, 0, sizeof(si));
    T_EQ(sampleproto_query(adapter, OID_GEN_STATISTICS, &si, sizeof(si), &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(res.bytes_done, NDIS_SIZEOF_STATISTICS_INFO_REVISION_1);
    return si;
}

unsigned long long sx_stat_oid(const char *adapter, uint32_t oid)
{
    unsigned long long v = 0;
    sampleproto_oid_result res;
    T_EQ(sampleproto_query(adapter, oid, &v, sizeof(v), &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(res.bytes_done, 8);
    return v;
}

void sx_set_filter(const char *adapter, uint32_t filter)
{
    sampleproto_oid_result res;
    T_EQ(sampleproto_set(adapter, OID_GEN_CURRENT_PACKET_FILTER, &filter, sizeof(filter), &res),
         0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
}

void sx_wait_balanced(ndis_host *h)
{
    bool balanced = false;
    for (int i = 0; i < 1000 && !balanced; i++) {
        ndis_adapter_info a[16];
        unsigned n = 0;
        T_EQ(ndis_host_list_adapters(h, a, 16, &n), 0);
        balanced = true;
        for (unsigned k = 0; k < n && k < 16; k++)
            balanced &= a[k].sent == a[k].send_completed && a[k].indicated == a[k].returned;
        if (!balanced)
            sx_sleep_ms(2);
    }
    T_ASSERT_MSG(balanced, "NBLs still outstanding in an adapter");
}

static unsigned long long total_indicated(ndis_host *h)
{
    ndis_adapter_info a[16];
    unsigned n = 0;
    unsigned long long sum = 0;
    T_EQ(ndis_host_list_adapters(h, a, 16, &n), 0);
    for (unsigned k = 0; k < n && k < 16; k++)
        sum += a[k].indicated;
    return sum;
}

void sx_wait_quiet(ndis_host *h)
{
    unsigned long long last = total_indicated(h);
    for (int i = 0; i < 100; i++) {
        sx_sleep_ms(20);
        sx_wait_balanced(h);
        unsigned long long now = total_indicated(h);
        if (now == last)
            return;
        last = now;
    }
    T_ASSERT_MSG(0, "the adapters keep indicating");
}

int32_t sx_host_query(ndis_host *h, const char *adapter, uint32_t oid, void *buf, size_t len,
                      size_t *bytes)
{
    int32_t status = -1;
    size_t n = 0;
    T_EQ(ndis_host_oid(h, adapter, 0 /* NdisRequestQueryInformation */, oid, buf, len, &status,
                       &n),
         0);
    if (bytes)
        *bytes = n;
    return status;
}

int32_t sx_host_set(ndis_host *h, const char *adapter, uint32_t oid, const void *buf, size_t len,
                    size_t *bytes)
{
    int32_t status = -1;
    size_t n = 0;
    T_EQ(ndis_host_oid(h, adapter, 1 /* NdisRequestSetInformation */, oid, (void *)buf, len,
                       &status, &n),
         0);
    if (bytes)
        *bytes = n;
    return status;
}

const char *sx_binding_state(ndis_host *h, const char *protocol, const char *adapter)
{
    static char state[16];
    ndis_binding_info b[16];
    unsigned n = 0;
    state[0] = 0;
    T_EQ(ndis_host_list_bindings(h, b, 16, &n), 0);
    for (unsigned i = 0; i < n && i < 16; i++)
        if (strcmp(b[i].protocol, protocol) == 0 && strcmp(b[i].adapter, adapter) == 0)
            snprintf(state, sizeof(state), "%s", b[i].state);
    return state;
}

ndis_adapter_info sx_adapter_info(ndis_host *h, const char *adapter)
{
    ndis_adapter_info a[16], found;
    unsigned n = 0;
    memset(&found, 0, sizeof(found));
    T_EQ(ndis_host_list_adapters(h, a, 16, &n), 0);
    for (unsigned i = 0; i < n && i < 16; i++)
        if (strcmp(a[i].name, adapter) == 0)
            found = a[i];
    T_ASSERT_MSG(found.name[0], "no adapter %s", adapter);
    return found;
}

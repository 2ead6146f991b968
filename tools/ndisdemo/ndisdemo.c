/*
 * ndisdemo - a guided tour of libndis with the two sample drivers.
 *
 * The program plays the part of Windows' PnP manager and service control
 * manager through the host API (ndishost.h): it creates an NDIS instance,
 * loads the virtmp miniport and the sampleproto protocol (both linked in),
 * adds two adapters, lets sampleproto send frames between them, shows what
 * every layer counted, and unloads everything with the trace of the calls
 * NDIS makes into the drivers. Each step prints what it does and checks what
 * it claims; the exit status is 0 only if every check passed.
 *
 * The drivers are written only against <ndis.h>, as Windows drivers are;
 * sampleproto_* and virtmp_set_link_state are the samples' own interface for
 * programs (sampleproto.h, virtmp.h), not NDIS.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ndishost.h>
#include <ntddndis.h>
#include <ndis/status.h>

#include "ethfilter.h"
#include "passfilter.h"
#include "sampleproto.h"
#include "virtmp.h"

/* ---- checks ------------------------------------------------------------------------ */

static unsigned g_checks, g_failures;

static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool check(bool ok, const char *fmt, ...)
{
    va_list ap;
    g_checks++;
    if (!ok)
        g_failures++;
    printf("  %s ", ok ? "[ok]  " : "[FAIL]");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return ok;
}

static void section(const char *title)
{
    printf("\n== %s ", title);
    for (size_t n = strlen(title); n < 74; n++)
        putchar('=');
    printf("\n\n");
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *status_name(int32_t st)
{
    switch (st) {
    case NDIS_STATUS_SUCCESS: return "NDIS_STATUS_SUCCESS";
    case NDIS_STATUS_PENDING: return "NDIS_STATUS_PENDING";
    case NDIS_STATUS_FAILURE: return "NDIS_STATUS_FAILURE";
    case NDIS_STATUS_NOT_SUPPORTED: return "NDIS_STATUS_NOT_SUPPORTED";
    case NDIS_STATUS_MEDIA_DISCONNECTED: return "NDIS_STATUS_MEDIA_DISCONNECTED";
    case NDIS_STATUS_PAUSED: return "NDIS_STATUS_PAUSED";
    default: {
        static char buf[16];
        snprintf(buf, sizeof(buf), "0x%08" PRIx32, (uint32_t)st);
        return buf;
    }
    }
}

static const char *mac_text(const unsigned char m[6])
{
    static char buf[4][20];
    static int slot;
    char *b = buf[slot++ % 4];
    snprintf(b, 20, "%02x-%02x-%02x-%02x-%02x-%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return b;
}

static const char *speed_text(unsigned long long bps)
{
    static char buf[4][24];
    static int slot;
    char *b = buf[slot++ % 4];
    if (bps == 0)
        snprintf(b, 24, "-");
    else if (bps % 1000000000ull == 0)
        snprintf(b, 24, "%llu Gbit/s", bps / 1000000000ull);
    else
        snprintf(b, 24, "%llu Mbit/s", bps / 1000000ull);
    return b;
}

/* ---- the NDIS call trace -------------------------------------------------------------- */

struct trace_rec {
    char driver[32], function[64], object[64];
    int phase;
    bool has_status;
    int32_t status;
    unsigned depth;
};

static struct {
    pthread_mutex_t lock;
    struct trace_rec *v;
    size_t n, cap;
} g_trace = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_trace(void *ctx, const ndis_trace_event *ev)
{
    (void)ctx;
    pthread_mutex_lock(&g_trace.lock);
    if (g_trace.n == g_trace.cap) {
        size_t cap = g_trace.cap ? g_trace.cap * 2 : 256;
        struct trace_rec *v = realloc(g_trace.v, cap * sizeof(*v));
        if (!v) {
            pthread_mutex_unlock(&g_trace.lock);
            return;
        }
        g_trace.v = v;
        g_trace.cap = cap;
    }
    struct trace_rec *r = &g_trace.v[g_trace.n++];
    snprintf(r->driver, sizeof(r->driver), "%s", ev->driver ? ev->driver : "");
    snprintf(r->function, sizeof(r->function), "%s", ev->function ? ev->function : "");
    snprintf(r->object, sizeof(r->object), "%s", ev->object ? ev->object : "");
    r->phase = ev->phase;
    r->has_status = ev->has_status;
    r->status = ev->status;
    r->depth = ev->depth;
    pthread_mutex_unlock(&g_trace.lock);
}

static void trace_reset(void)
{
    pthread_mutex_lock(&g_trace.lock);
    g_trace.n = 0;
    pthread_mutex_unlock(&g_trace.lock);
}

/*
 * Prints the calls, one line each, indented by nesting depth; a call that
 * returned a status gets it on its line.
 */
static void trace_print(void)
{
    pthread_mutex_lock(&g_trace.lock);
    size_t n = g_trace.n;
    int32_t *status = calloc(n ? n : 1, sizeof(*status));
    bool *has = calloc(n ? n : 1, sizeof(*has));
    for (size_t i = 0; i < n && status && has; i++) {
        const struct trace_rec *r = &g_trace.v[i];
        if (r->phase != 1 || !r->has_status)
            continue;
        for (size_t j = i; j-- > 0;) {
            const struct trace_rec *c = &g_trace.v[j];
            if (c->phase == 0 && !has[j] && c->depth == r->depth &&
                strcmp(c->function, r->function) == 0 && strcmp(c->object, r->object) == 0) {
                has[j] = true;
                status[j] = r->status;
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &g_trace.v[i];
        if (r->phase != 0)
            continue;
        int indent = 4 + 2 * (int)r->depth;
        int fw = 40 - 2 * (int)r->depth;
        if (has && has[i])
            printf("%*s%-12s %-*s %-19s -> %s\n", indent, "", r->driver, fw > 10 ? fw : 10,
                   r->function, r->object, status_name(status[i]));
        else
            printf("%*s%-12s %-*s %s\n", indent, "", r->driver, fw > 10 ? fw : 10,
                   r->function, r->object);
    }
    free(status);
    free(has);
    pthread_mutex_unlock(&g_trace.lock);
}

/* Index of the first call (phase 0) of `function` at or after `from`, or -1. */
static long trace_find(size_t from, int phase, const char *driver, const char *function,
                       const char *object)
{
    for (size_t i = from; i < g_trace.n; i++) {
        const struct trace_rec *r = &g_trace.v[i];
        if (r->phase == phase && (!driver || strcmp(r->driver, driver) == 0) &&
            strcmp(r->function, function) == 0 && (!object || strcmp(r->object, object) == 0))
            return (long)i;
    }
    return -1;
}

/* ---- tables -------------------------------------------------------------------------- */

static void print_adapters(ndis_host *h)
{
    ndis_adapter_info a[8];
    unsigned n = 0;
    ndis_host_list_adapters(h, a, 8, &n);
    printf("  %-7s %-8s %-9s %-18s %-5s %-11s %-5s %s\n", "ADAPTER", "DRIVER", "STATE", "MAC",
           "LINK", "SPEED", "MTU", "IFINDEX");
    for (unsigned i = 0; i < n && i < 8; i++)
        printf("  %-7s %-8s %-9s %-18s %-5s %-11s %-5u %u\n", a[i].name, a[i].driver, a[i].state,
               mac_text(a[i].mac), a[i].link_up ? "up" : "down", speed_text(a[i].link_speed),
               a[i].mtu, a[i].ifindex);
}

static void print_bindings(ndis_host *h)
{
    ndis_binding_info b[8];
    unsigned n = 0;
    ndis_host_list_bindings(h, b, 8, &n);
    printf("  %-12s %-8s %-9s %s\n", "PROTOCOL", "ADAPTER", "STATE", "ENABLED");
    for (unsigned i = 0; i < n && i < 8; i++)
        printf("  %-12s %-8s %-9s %s\n", b[i].protocol, b[i].adapter, b[i].state,
               b[i].enabled ? "yes" : "no");
}

static void print_modules(ndis_host *h)
{
    ndis_module_info m[8];
    unsigned n = 0;
    ndis_host_list_modules(h, NULL, m, 8, &n);
    printf("  %-8s %-9s %-11s %s\n", "ADAPTER", "POSITION", "FILTER", "STATE");
    for (unsigned i = 0; i < n && i < 8; i++)
        printf("  %-8s %-9u %-11s %s\n", m[i].adapter, m[i].position, m[i].filter, m[i].state);
}

static unsigned count_in_state(ndis_host *h, bool adapters, const char *state)
{
    unsigned n = 0, hits = 0;
    if (adapters) {
        ndis_adapter_info a[8];
        ndis_host_list_adapters(h, a, 8, &n);
        for (unsigned i = 0; i < n && i < 8; i++)
            hits += strcmp(a[i].state, state) == 0;
    } else {
        ndis_binding_info b[8];
        ndis_host_list_bindings(h, b, 8, &n);
        for (unsigned i = 0; i < n && i < 8; i++)
            hits += strcmp(b[i].state, state) == 0;
    }
    return hits;
}

static void print_protocol_view(const char *const *adapters, unsigned n)
{
    printf("  %-8s %5s %5s %6s %8s  %s\n", "BINDING", "SENT", "DONE", "FAILED", "RECEIVED",
           "RECEIVED BY ETHERTYPE");
    for (unsigned i = 0; i < n; i++) {
        struct sampleproto_stats s;
        if (sampleproto_stats(adapters[i], &s) != 0)
            continue;
        printf("  %-8s %5llu %5llu %6llu %8llu  ", s.adapter, s.sent, s.send_completed,
               s.send_failed, s.received);
        if (!s.n_types)
            printf("-");
        for (unsigned t = 0; t < s.n_types; t++)
            printf("%s0x%04x: %llu", t ? ", " : "", s.by_type[t].ethertype, s.by_type[t].frames);
        printf("\n");
    }
}

/* Waits (bounded) until sampleproto counted `frames` of `ethertype` on `adapter`. */
static unsigned long long wait_frames(const char *adapter, unsigned short ethertype,
                                      unsigned long long frames)
{
    struct sampleproto_stats s;
    unsigned long long got = 0;
    for (int i = 0; i < 400; i++) {
        if (sampleproto_stats(adapter, &s) == 0)
            got = sampleproto_frames_of_type(&s, ethertype);
        if (got >= frames)
            break;
        sleep_ms(5);
    }
    return got;
}

/* NDIS's counters agree that every indicated NBL came back (bounded wait). */
static bool wait_returned(ndis_host *h)
{
    for (int i = 0; i < 400; i++) {
        ndis_adapter_info a[8];
        unsigned n = 0;
        bool all = true;
        ndis_host_list_adapters(h, a, 8, &n);
        for (unsigned k = 0; k < n && k < 8; k++)
            all &= a[k].indicated == a[k].returned && a[k].sent == a[k].send_completed;
        if (all)
            return true;
        sleep_ms(5);
    }
    return false;
}

/* ---- the tour -------------------------------------------------------------------------- */

#define ETH_BCAST_TYPE 0x88B5
#define ETH_DIRECTED_TYPE 0x88B6
#define ETH_NOBODY_TYPE 0x88B7
#define ETH_MCAST_TYPE 0x88B8
#define ETH_UNPLUGGED_TYPE 0x88B9
#define ETH_IPV6_TYPE 0x86DD

int main(void)
{
    static const unsigned char bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const unsigned char nobody[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
    static const unsigned char mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    const char *const both[] = {"virt0", "virt1"};
    ndis_host *h = NULL;
    int rc;

    /* Line by line: the drivers' DbgPrint output (stderr) interleaves in order. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("ndisdemo - %s: the NDIS 6.x driver model in a Linux process\n\n", ndis_host_version());
    printf("Four sample drivers, written only against <ndis.h> the way Windows drivers are:\n"
           "  virtmp       a miniport; each of its adapters is a virtual NIC plugged into one\n"
           "               shared Ethernet segment (drivers/virtmp)\n"
           "  sampleproto  a protocol; binds to every Ethernet adapter, counts the frames it\n"
           "               receives, sends raw frames when asked (drivers/sampleproto)\n"
           "  passfilter   a filter that counts what passes through it (drivers/passfilter)\n"
           "  ethfilter    a filter that drops configured EtherTypes (drivers/ethfilter)\n"
           "This program does what Windows' PnP manager would: it uses the host API\n"
           "(ndishost.h) to load the drivers and plug in adapters.\n");

    section("1. Load the miniport driver and plug in two adapters");
    rc = ndis_host_create(&(ndis_host_options){.name = "ndisdemo"}, &h);
    if (!check(rc == 0, "ndis_host_create: an NDIS instance (%s)", ndis_host_strerror(rc)))
        return 1;
    ndis_driver_config mp_cfg = {.upper_range = "ndis5", .lower_range = "ethernet",
                                 .service_name = "virtmp"};
    rc = ndis_host_load_driver(h, "virtmp", virtmp_DriverEntry, &mp_cfg);
    check(rc == 0, "ndis_host_load_driver(\"virtmp\"): DriverEntry registered the miniport");
    rc = ndis_host_add_adapter(h, "virtmp", "virt0", NULL);
    check(rc == 0, "ndis_host_add_adapter(\"virt0\"): MiniportInitializeEx, then MiniportRestart");
    rc = ndis_host_add_adapter(h, "virtmp", "virt1", NULL);
    check(rc == 0, "ndis_host_add_adapter(\"virt1\")");

    section("2. Load the protocol driver: NDIS binds it to both adapters");
    ndis_driver_config pr_cfg = {.lower_range = "ndis5", .service_name = "sampleproto"};
    rc = ndis_host_load_driver(h, "sampleproto", sampleproto_DriverEntry, &pr_cfg);
    check(rc == 0, "ndis_host_load_driver(\"sampleproto\"): ProtocolBindAdapterEx for each "
                   "adapter, NetEventRestart, then the protocol sets its packet filter");
    printf("\n");
    print_adapters(h);
    printf("\n");
    print_bindings(h);
    printf("\n");
    check(count_in_state(h, true, "Running") == 2, "both adapters are Running");
    check(count_in_state(h, false, "Running") == 2, "both bindings are Running");
    struct sampleproto_stats s0, s1;
    sampleproto_stats("virt0", &s0);
    sampleproto_stats("virt1", &s1);
    check(s0.packet_filter_status == NDIS_STATUS_SUCCESS &&
              s1.packet_filter_status == NDIS_STATUS_SUCCESS,
          "OID_GEN_CURRENT_PACKET_FILTER (directed|multicast|broadcast) set on both bindings");
    unsigned char mac0[6], mac1[6];
    memcpy(mac0, s0.mac, 6);
    memcpy(mac1, s1.mac, 6);

    section("3. Traffic on the segment");
    printf("  sampleproto_send asks the protocol to build frames and NdisSendNetBufferLists\n"
           "  them; virtmp copies each frame to the NICs whose filter accepts it, and their\n"
           "  receive DPCs indicate them up to the protocol.\n\n");
    printf("  virt0 -> broadcast %s, EtherType 0x%04x, 10 frames of 100 bytes\n",
           mac_text(bcast), ETH_BCAST_TYPE);
    rc = sampleproto_send("virt0", bcast, ETH_BCAST_TYPE, 100, 10);
    check(rc == 10, "10 frames sent and completed with NDIS_STATUS_SUCCESS");
    printf("  virt1 -> virt0 %s, EtherType 0x%04x, 5 frames of 200 bytes\n", mac_text(mac0),
           ETH_DIRECTED_TYPE);
    rc = sampleproto_send("virt1", mac0, ETH_DIRECTED_TYPE, 200, 5);
    check(rc == 5, "5 frames sent");
    printf("  virt0 -> %s (no NIC has this address), EtherType 0x%04x, 3 frames\n",
           mac_text(nobody), ETH_NOBODY_TYPE);
    rc = sampleproto_send("virt0", nobody, ETH_NOBODY_TYPE, 80, 3);
    check(rc == 3, "3 frames sent (Ethernet does not report that nobody took them)");
    printf("  virt1 -> multicast %s (no NIC joined the group), EtherType 0x%04x, 2 frames\n",
           mac_text(mcast), ETH_MCAST_TYPE);
    rc = sampleproto_send("virt1", mcast, ETH_MCAST_TYPE, 64, 2);
    check(rc == 2, "2 frames sent");

    wait_frames("virt1", ETH_BCAST_TYPE, 10);
    wait_frames("virt0", ETH_DIRECTED_TYPE, 5);
    wait_returned(h);
    printf("\n  What sampleproto counted on each binding:\n\n");
    print_protocol_view(both, 2);
    printf("\n");
    sampleproto_stats("virt0", &s0);
    sampleproto_stats("virt1", &s1);
    check(sampleproto_frames_of_type(&s1, ETH_BCAST_TYPE) == 10,
          "virt1 received the 10 broadcasts; the sender virt0 did not hear its own");
    check(sampleproto_frames_of_type(&s0, ETH_DIRECTED_TYPE) == 5,
          "virt0 received the 5 frames directed to its address");
    check(s0.received == 5 && s1.received == 10,
          "the frames for an unknown address and for an unjoined group reached nobody");
    check(s0.sent == s0.send_completed && s1.sent == s1.send_completed && s0.send_failed == 0 &&
              s1.send_failed == 0,
          "every frame sent came back to the protocol (sent == completed, none failed)");

    section("4. The adapters' own counters");
    printf("  OID_GEN_STATISTICS, queried by sampleproto on each binding (NdisOidRequest,\n"
           "  answered by virtmp's MiniportOidRequest):\n\n");
    printf("  %-7s %-18s %-18s %9s %9s %8s\n", "ADAPTER", "OUT ucast/mc/bc", "IN ucast/mc/bc",
           "OUT bytes", "IN bytes", "DISCARDS");
    NDIS_STATISTICS_INFO st[2];
    for (int i = 0; i < 2; i++) {
        sampleproto_oid_result res;
        memset(&st[i], 0, sizeof(st[i]));
        rc = sampleproto_query(both[i], OID_GEN_STATISTICS, &st[i], sizeof(st[i]), &res);
        if (rc != 0 || res.status != NDIS_STATUS_SUCCESS)
            printf("  %-7s query failed (%d, %s)\n", both[i], rc, status_name(res.status));
        char out[32], in[32];
        snprintf(out, sizeof(out), "%llu/%llu/%llu", (unsigned long long)st[i].ifHCOutUcastPkts,
                 (unsigned long long)st[i].ifHCOutMulticastPkts,
                 (unsigned long long)st[i].ifHCOutBroadcastPkts);
        snprintf(in, sizeof(in), "%llu/%llu/%llu", (unsigned long long)st[i].ifHCInUcastPkts,
                 (unsigned long long)st[i].ifHCInMulticastPkts,
                 (unsigned long long)st[i].ifHCInBroadcastPkts);
        printf("  %-7s %-18s %-18s %9llu %9llu %8llu\n", both[i], out, in,
               (unsigned long long)st[i].ifHCOutOctets, (unsigned long long)st[i].ifHCInOctets,
               (unsigned long long)st[i].ifInDiscards);
    }
    printf("\n");
    check(st[0].ifHCOutBroadcastPkts == 10 && st[0].ifHCOutUcastPkts == 3 &&
              st[0].ifHCOutOctets == 10 * 100 + 3 * 80,
          "virt0 transmitted 10 broadcast and 3 directed frames, 1240 bytes");
    check(st[1].ifHCOutUcastPkts == 5 && st[1].ifHCOutMulticastPkts == 2 &&
              st[1].ifHCOutOctets == 5 * 200 + 2 * 64,
          "virt1 transmitted 5 directed and 2 multicast frames, 1128 bytes");
    check(st[1].ifHCInBroadcastPkts == 10 && st[1].ifHCInUcastPkts == 0 &&
              st[1].ifHCInMulticastPkts == 0 && st[0].ifHCInUcastPkts == 5 &&
              st[0].ifHCInBroadcastPkts == 0,
          "each NIC's receive filter kept exactly the frames for it");

    printf("\n  NDIS's own view (ndis_host_list_adapters), in NET_BUFFER_LISTs:\n\n");
    ndis_adapter_info ai[8];
    unsigned na = 0;
    ndis_host_list_adapters(h, ai, 8, &na);
    printf("  %-7s %6s %10s %10s %9s\n", "ADAPTER", "SENT", "COMPLETED", "INDICATED", "RETURNED");
    bool balanced = true;
    for (unsigned i = 0; i < na && i < 8; i++) {
        printf("  %-7s %6llu %10llu %10llu %9llu\n", ai[i].name, ai[i].sent, ai[i].send_completed,
               ai[i].indicated, ai[i].returned);
        balanced &= ai[i].sent == ai[i].send_completed && ai[i].indicated == ai[i].returned;
    }
    printf("\n");
    check(balanced, "every NBL sent was completed and every NBL indicated was returned");

    section("5. Unplug virt1's cable (a status indication)");
    unsigned long long changes = s1.link_changes;
    rc = virtmp_set_link_state("virt1", 0);
    sampleproto_stats("virt1", &s1);
    check(rc == 0 && !s1.link_up && s1.link_changes == changes + 1,
          "virtmp indicated NDIS_STATUS_LINK_STATE (disconnected); sampleproto's "
          "ProtocolStatusEx saw the link go down");
    unsigned long long before = s1.received;
    rc = sampleproto_send("virt0", bcast, ETH_UNPLUGGED_TYPE, 100, 4);
    sleep_ms(20);
    sampleproto_stats("virt1", &s1);
    check(rc == 4 && s1.received == before,
          "virt0 broadcast 4 frames; the unplugged virt1 received none");
    rc = sampleproto_send("virt1", mac0, ETH_UNPLUGGED_TYPE, 100, 3);
    sampleproto_stats("virt1", &s1);
    check(rc == 0 && s1.send_failed == 3 &&
              s1.last_send_failure == NDIS_STATUS_MEDIA_DISCONNECTED,
          "3 frames sent on virt1 completed with %s", status_name(s1.last_send_failure));
    rc = virtmp_set_link_state("virt1", 1);
    sampleproto_stats("virt1", &s1);
    check(rc == 0 && s1.link_up && s1.link_speed == 10000000000ull,
          "plugged back in: the link is up at %s", speed_text(s1.link_speed));

    section("6. Insert two filter drivers into the running stacks");
    printf("  passfilter counts what passes through each of its modules; ethfilter drops\n"
           "  the EtherTypes of its DropEtherTypes keyword (set here to 0x86DD, IPv6).\n"
           "  Loading a filter pauses each stack it applies to (bindings, modules top\n"
           "  down, miniport), attaches a module, and restarts it bottom up.\n\n");
    rc = ndis_host_set_param(h, NDIS_PARAM_DRIVER, "ethfilter", "DropEtherTypes", "0x86DD");
    check(rc == 0, "DropEtherTypes=0x86DD in ethfilter's service parameters");
    ndis_driver_config pf_cfg = {.filter_media_types = "ethernet", .filter_class = "scheduler",
                                 .filter_type = 2, .filter_run_type = 2,
                                 .service_name = "passfilter"};
    ndis_driver_config ef_cfg = {.filter_media_types = "ethernet", .filter_class = "custom",
                                 .filter_type = 2, .filter_run_type = 2,
                                 .service_name = "ethfilter"};
    rc = ndis_host_load_driver(h, "passfilter", passfilter_DriverEntry, &pf_cfg);
    check(rc == 0, "ndis_host_load_driver(\"passfilter\"): a module on each adapter");
    rc = ndis_host_load_driver(h, "ethfilter", ethfilter_DriverEntry, &ef_cfg);
    check(rc == 0, "ndis_host_load_driver(\"ethfilter\")");
    printf("\n");
    print_modules(h);
    printf("\n");
    {
        ndis_module_info m[8];
        unsigned n = 0;
        ndis_host_list_modules(h, "virt0", m, 8, &n);
        check(n == 2 && !strcmp(m[0].filter, "ethfilter") && !strcmp(m[1].filter, "passfilter"),
              "FilterClass orders the stack: ethfilter (custom) below passfilter (scheduler)");
    }
    check(count_in_state(h, false, "Running") == 2,
          "the bindings are Running again after the insertion");
    sampleproto_stats("virt1", &s1);
    unsigned long long rx1 = s1.received;
    rc = sampleproto_send("virt0", bcast, ETH_BCAST_TYPE, 100, 6);
    check(rc == 6, "virt0 -> broadcast, EtherType 0x%04x, 6 frames: sent", ETH_BCAST_TYPE);
    rc = sampleproto_send("virt0", bcast, ETH_IPV6_TYPE, 100, 4);
    sampleproto_stats("virt0", &s0);
    check(rc == 0 && s0.last_send_failure == NDIS_STATUS_FAILURE,
          "virt0 -> broadcast, EtherType 0x%04x, 4 frames: ethfilter completed them with %s",
          ETH_IPV6_TYPE, status_name(s0.last_send_failure));
    wait_frames("virt1", ETH_BCAST_TYPE, 16);
    wait_returned(h);
    sampleproto_stats("virt1", &s1);
    check(s1.received == rx1 + 6, "virt1 received the 6 frames ethfilter let through");
    passfilter_counters pf[2];
    ethfilter_counters ef[2];
    memset(pf, 0, sizeof(pf));
    memset(ef, 0, sizeof(ef));
    printf("\n  %-8s %-28s %-28s\n", "ADAPTER", "passfilter send/recv/OIDs", "ethfilter dropped send/recv");
    for (int i = 0; i < 2; i++) {
        passfilter_get(both[i], &pf[i]);
        ethfilter_get(both[i], &ef[i]);
        char a[40], b[40];
        snprintf(a, sizeof(a), "%llu / %llu / %llu", pf[i].send_nbls, pf[i].receive_nbls,
                 pf[i].oid_requests);
        snprintf(b, sizeof(b), "%llu / %llu (0x%04x)", ef[i].dropped_send[0],
                 ef[i].dropped_receive[0], ef[i].ntypes ? ef[i].ethertype[0] : 0);
        printf("  %-8s %-28s %-28s\n", both[i], a, b);
    }
    printf("\n");
    check(pf[0].send_nbls == 10 && ef[0].dropped_send[0] == 4,
          "on virt0 passfilter saw the 10 sends; ethfilter, below it, dropped the 4 IPv6 ones");
    check(pf[1].receive_nbls == 6, "on virt1 passfilter saw the 6 frames that arrived");

    section("7. Unload the protocol, with the NDIS call trace on");
    printf("  ndis_host_unload_driver(\"sampleproto\") calls the driver's Unload, which calls\n"
           "  NdisDeregisterProtocolDriver: NDIS pauses and unbinds each binding before that\n"
           "  returns. Every call NDIS makes into a driver, indented by nesting depth:\n\n");
    trace_reset();
    ndis_host_set_trace(h, on_trace, NULL);
    rc = ndis_host_unload_driver(h, "sampleproto");
    ndis_host_set_trace(h, NULL, NULL);
    trace_print();
    printf("\n  (The MiniportOidRequest calls are NDIS's own: with a binding gone, it sets the\n"
           "  adapter's packet filter (and multicast list, if it changed) to what the\n"
           "  remaining bindings need.)\n\n");
    check(rc == 0, "the protocol unloaded and released everything it had");
    {
        long unload = trace_find(0, 0, "sampleproto", "DriverUnload", NULL);
        long unload_end = unload < 0 ? -1 : trace_find((size_t)unload, 1, "sampleproto",
                                                       "DriverUnload", NULL);
        unsigned unbinds = 0, ordered = 0, nested = 0;
        for (size_t i = 0; i < g_trace.n; i++) {
            const struct trace_rec *r = &g_trace.v[i];
            if (r->phase != 0 || strcmp(r->function, "ProtocolUnbindAdapterEx") != 0)
                continue;
            unbinds++;
            if (unload >= 0 && unload_end > (long)i && (long)i > unload &&
                r->depth > g_trace.v[unload].depth)
                nested++;
            long pause = trace_find(unload >= 0 ? (size_t)unload : 0, 0, "sampleproto",
                                    "ProtocolNetPnPEvent(NetEventPause)", r->object);
            if (pause >= 0 && pause < (long)i)
                ordered++;
        }
        bool one_each = trace_find(0, 0, NULL, "ProtocolUnbindAdapterEx", "sampleproto->virt0") >= 0 &&
                        trace_find(0, 0, NULL, "ProtocolUnbindAdapterEx", "sampleproto->virt1") >= 0;
        check(unload >= 0 && unload_end > unload, "the protocol's DriverUnload ran");
        check(unbinds == 2 && one_each, "exactly one ProtocolUnbindAdapterEx per open binding (%u)",
              unbinds);
        check(ordered == 2, "each unbind came after the NetEventPause of its binding");
        check(nested == 2, "both happened inside the protocol's Unload "
                           "(NdisDeregisterProtocolDriver)");
    }
    unsigned nb = 0;
    ndis_host_list_bindings(h, NULL, 0, &nb);
    check(nb == 0, "no binding is left");

    section("8. Unload the filters, then the miniport");
    rc = ndis_host_unload_driver(h, "passfilter");
    check(rc == 0, "passfilter unloaded: FilterDetach of each module (stack paused around it)");
    rc = ndis_host_unload_driver(h, "ethfilter");
    check(rc == 0, "ethfilter unloaded");
    printf("\n  NDIS halts each adapter (pausing it first), then calls MiniportDriverUnload:\n\n");
    trace_reset();
    ndis_host_set_trace(h, on_trace, NULL);
    rc = ndis_host_unload_driver(h, "virtmp");
    ndis_host_set_trace(h, NULL, NULL);
    trace_print();
    printf("\n");
    check(rc == 0, "the miniport unloaded and released everything it had");
    {
        long halt0 = trace_find(0, 0, "virtmp", "MiniportHaltEx", "virt0");
        long halt1 = trace_find(0, 0, "virtmp", "MiniportHaltEx", "virt1");
        long unload = trace_find(0, 0, "virtmp", "MiniportDriverUnload", NULL);
        check(halt0 >= 0 && halt1 >= 0, "MiniportHaltEx for virt0 and for virt1");
        check(unload > halt0 && unload > halt1, "MiniportDriverUnload after both halts");
    }
    ndis_host_counts c;
    memset(&c, 0, sizeof(c));
    ndis_host_get_counts(h, &c);
    check(c.drivers == 0 && c.adapters == 0 && c.bindings == 0 && c.nbl_pools == 0 &&
              c.mem_bytes == 0,
          "nothing is left in the instance: 0 drivers, adapters, bindings, pools, bytes");
    rc = ndis_host_destroy(h);
    check(rc == 0, "ndis_host_destroy: no leak");
    free(g_trace.v);

    printf("\n%s: %u of %u checks passed.\n", g_failures ? "FAILED" : "Done",
           g_checks - g_failures, g_checks);
    return g_failures ? 1 : 0;
}

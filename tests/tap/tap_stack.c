/*
 * tap_stack.c - the NDIS stack over a TAP interface used by the TAP tests
 * (tap_stack.h), driven through the host API.
 */
#define _GNU_SOURCE
#include "tap_stack.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define WAIT_MS 5000
#define SH_TIMEOUT_MS 10000

NTSTATUS tapmp_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
NTSTATUS responder_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

const unsigned char tap_stack_mac[6] = {0x02, 0x00, 0x4e, 0x44, 0x49, 0x53};

void tap_sh(struct tap_stack *s, char *out, size_t len, const char *fmt, ...)
{
    char cmd[1024], buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = netns_run(&s->ns, buf, sizeof(buf), SH_TIMEOUT_MS, "%s", cmd);
    T_ASSERT_MSG(st == 0, "`%s` failed with %d:\n%s", cmd, st, buf);
    if (out)
        snprintf(out, len, "%s", buf);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* NDIS has no notification for the host to wait on here: look every 2 ms, bounded. */
void tap_wait(struct tap_stack *s, bool (*fn)(struct tap_stack *), const char *what)
{
    long long until = now_ms() + WAIT_MS;
    while (!fn(s)) {
        T_ASSERT_MSG(now_ms() < until, "waited %d ms for %s", WAIT_MS, what);
        usleep(2000);
    }
}

bool tap_adapter_info(struct tap_stack *s, ndis_adapter_info *out)
{
    ndis_adapter_info a[8];
    unsigned n = 0;
    T_EQ(ndis_host_list_adapters(s->h, a, 8, &n), 0);
    for (unsigned i = 0; i < n && i < 8; i++)
        if (strcmp(a[i].name, TAP_STACK_ADAPTER) == 0) {
            *out = a[i];
            return true;
        }
    return false;
}

size_t tap_query(struct tap_stack *s, uint32_t oid, void *buf, size_t len)
{
    int32_t st = -1;
    size_t bytes = 0;
    T_EQ(ndis_host_oid(s->h, TAP_STACK_ADAPTER, NdisRequestQueryInformation, oid, buf, len, &st,
                       &bytes),
         0);
    T_ASSERT_MSG(st == NDIS_STATUS_SUCCESS, "query of OID 0x%08x failed with 0x%08x",
                 (unsigned)oid, (unsigned)st);
    return bytes;
}

NDIS_STATISTICS_INFO tap_statistics(struct tap_stack *s)
{
    NDIS_STATISTICS_INFO si;
    memset(&si, 0, sizeof(si));
    T_EQ(tap_query(s, OID_GEN_STATISTICS, &si, sizeof(si)), sizeof(si));
    return si;
}

int ping_received(const char *out, int *transmitted)
{
    const char *p = strstr(out, "packets transmitted");
    int tx, rx;
    while (p && p > out && p[-1] != '\n')
        p--;
    if (!p || sscanf(p, "%d packets transmitted, %d received", &tx, &rx) != 2)
        return -1;
    if (transmitted)
        *transmitted = tx;
    return rx;
}

static bool link_up(struct tap_stack *s)
{
    ndis_adapter_info a;
    return tap_adapter_info(s, &a) && a.link_up;
}

static void load_drivers(struct tap_stack *s)
{
    T_EQ(ndis_host_load_driver(s->h, "tapmp", tapmp_DriverEntry, NULL), 0);
    T_EQ(ndis_host_load_driver(s->h, "passfilter", passfilter_DriverEntry, NULL), 0);
    /* The responder's address is a keyword of its binding to tap0 (docs/config.md). */
    T_EQ(ndis_host_set_param(s->h, NDIS_PARAM_DRIVER, "responder\\Adapters\\" TAP_STACK_ADAPTER,
                             "IPAddress", TAP_STACK_NDIS_IP),
         0);
    T_EQ(ndis_host_load_driver(s->h, "responder", responder_DriverEntry, NULL), 0);
}

void tap_stack_up(struct tap_stack *s, const char *tag)
{
    memset(s, 0, sizeof(*s));
    netns_enter(&s->ns, tag); /* before kit_host: every thread of the instance is inside */
    s->h = kit_host();
    load_drivers(s);
    ndis_adapter_config cfg = {.ifname = TAP_STACK_IFNAME, .mac = tap_stack_mac};
    T_EQ(ndis_host_add_adapter(s->h, "tapmp", TAP_STACK_ADAPTER, &cfg), 0);
    T_EQ(responder_binding_count(), 1);
    passfilter_counters pf;
    T_EQ(passfilter_get(TAP_STACK_ADAPTER, &pf), 0); /* the filter sits between them */
    ndis_adapter_info a;
    T_ASSERT(tap_adapter_info(s, &a));
    T_STREQ(a.state, "Running");
    T_ASSERT(!a.link_up); /* a new TAP interface is down */
    tap_sh(s, NULL, 0, "ip link set " TAP_STACK_IFNAME " up && ip addr add " TAP_STACK_LINUX_IP
                       "/24 dev " TAP_STACK_IFNAME);
    tap_wait(s, link_up, "NDIS to see the link of " TAP_STACK_IFNAME " up");
}

void tap_stack_down(struct tap_stack *s)
{
    kit_host_done(s->h); /* unbinds, detaches, halts, unloads; asserts nothing leaked */
    s->h = NULL;
    netns_leave(&s->ns);
}

/*
 * tap.c - the TAP benchmark (docs/tap.md): frames per second
 *   receive: from the kernel (an AF_PACKET generator on the interface) through
 *            the TAP miniport (tapmp) up to a counting protocol (countproto);
 *   send:    from the protocol down through tapmp out of the TAP device into
 *            the kernel (which drops the frames: they are for another station);
 * each against a plain C loop reading or writing the same kind of TAP device
 * directly, one read()/write() per frame: the floor of this I/O path. 64-byte
 * and 1500-byte frames; the target is 0.85x of the raw loop both ways.
 *
 * Run inside a network namespace of its own (scripts/bench-tap.sh creates it):
 * it creates TAP interfaces and floods them. Not a test: it prints a table and
 * exits 1 if a ratio misses the target, 2 if it could not run.
 */
#define _GNU_SOURCE
#include <ndis.h>
#include <ndishost.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "countproto.h"
#include "traffic.h"

NTSTATUS tapmp_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

#define RAW_IF "ndbraw0"
#define NDIS_IF "ndbndis0"
#define PAIRS 15     /* raw and NDIS windows, back to back, per configuration */
#define WARMUP_MS 50
#define WINDOW_MS 150
#define SEND_BATCH 32
#define TARGET 0.85

static const unsigned char ndis_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const unsigned char other_station[6] = {0x02, 0, 0, 0, 0, 0x99};
static const size_t sizes[] = {64, 1500};

enum { RX, TX };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* What one window measured. */
struct result {
    double fps;     /* frames per second through the measured side */
    double cpu_ns;  /* CPU time of the measured side per frame (all but the generator) */
    double dropped; /* receive: share of the generator's frames that were not read (the
                       kernel drops them when the TAP queue is full) */
};

/* The counter a measurement follows, and the generator feeding it, if any. */
struct probe {
    unsigned long long (*count)(void *);
    void *ctx;
    struct worker *gen;
};

static double side_cpu(const struct probe *p)
{
    double c = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
    clockid_t g;
    if (p->gen && pthread_getcpuclockid(p->gen->thread, &g) == 0)
        c -= cpu_s(g);
    return c;
}

/* One window, after a warm-up. */
static struct result measure(const struct probe *p)
{
    sleep_ms(WARMUP_MS);
    double t0 = now_s(), c0 = side_cpu(p);
    unsigned long long n0 = p->count(p->ctx), g0 = p->gen ? atomic_load(&p->gen->count) : 0;
    sleep_ms(WINDOW_MS);
    unsigned long long n1 = p->count(p->ctx), g1 = p->gen ? atomic_load(&p->gen->count) : 0;
    double t1 = now_s(), c1 = side_cpu(p);
    struct result r = {(double)(n1 - n0) / (t1 - t0), 0, 0};
    if (n1 > n0)
        r.cpu_ns = (c1 - c0) / (double)(n1 - n0) * 1e9;
    if (g1 > g0 && g1 - g0 > n1 - n0) /* what the kernel took from the generator, not read */
        r.dropped = 1 - (double)(n1 - n0) / (double)(g1 - g0);
    return r;
}

static unsigned long long worker_count(void *w)
{
    return atomic_load(&((struct worker *)w)->count);
}

static unsigned long long ndis_received(void *unused)
{
    (void)unused;
    return countproto_received();
}

static unsigned long long ndis_sent(void *unused)
{
    (void)unused;
    return countproto_sent();
}

/* ---- the four measurements ------------------------------------------------------------ */

static struct result raw_receive(int fd, size_t len)
{
    struct worker gen, reader;
    generator_start(&gen, RAW_IF, len, ndis_mac);
    raw_reader_start(&reader, fd);
    pin_consumers(&gen);
    struct probe p = {worker_count, &reader, &gen};
    struct result r = measure(&p);
    worker_stop(&reader); /* while the generator still feeds its read() */
    generator_stop(&gen);
    unpin_all();
    return r;
}

static struct result ndis_receive(size_t len)
{
    struct worker gen;
    generator_start(&gen, NDIS_IF, len, ndis_mac);
    pin_consumers(&gen); /* tapmp's event thread, the DPC thread, NDIS's workers */
    struct probe p = {ndis_received, NULL, &gen};
    struct result r = measure(&p);
    generator_stop(&gen);
    unpin_all();
    return r;
}

static struct result raw_send(int fd, size_t len)
{
    struct worker writer;
    raw_writer_start(&writer, fd, len, other_station);
    pin_consumers(NULL);
    struct probe p = {worker_count, &writer, NULL};
    struct result r = measure(&p);
    worker_stop(&writer);
    unpin_all();
    return r;
}

struct sender {
    pthread_t thread;
    volatile bool stop;
    size_t len;
};

static void *send_thread(void *arg)
{
    struct sender *s = arg;
    countproto_send_loop((ULONG)s->len, SEND_BATCH, other_station, &s->stop);
    return NULL;
}

static struct result ndis_send(size_t len)
{
    struct sender s = {.stop = false, .len = len};
    if (pthread_create(&s.thread, NULL, send_thread, &s) != 0)
        exit(2);
    pin_consumers(NULL);
    struct probe p = {ndis_sent, NULL, NULL};
    struct result r = measure(&p);
    s.stop = true;
    pthread_join(s.thread, NULL);
    unpin_all();
    return r;
}

/* ---- the NDIS stack ------------------------------------------------------------------------ */

static ndis_host *stack_up(void)
{
    ndis_host *h;
    ndis_host_options o = {.name = "bench-tap"};
    ndis_adapter_config cfg = {.ifname = NDIS_IF, .mac = ndis_mac};
    if (ndis_host_create(&o, &h) != 0 ||
        ndis_host_load_driver(h, "tapmp", tapmp_DriverEntry, NULL) != 0 ||
        ndis_host_load_driver(h, "countproto", countproto_entry, NULL) != 0 ||
        ndis_host_add_adapter(h, "tapmp", "tap0", &cfg) != 0) {
        fprintf(stderr, "bench tap: could not start the NDIS stack\n");
        exit(2);
    }
    if_up(NDIS_IF);
    for (int i = 0; i < 500 && !countproto_ready(); i++)
        sleep_ms(10);
    if (!countproto_ready()) {
        fprintf(stderr, "bench tap: countproto did not bind and set its packet filter\n");
        exit(2);
    }
    return h;
}

/* ---- the table ------------------------------------------------------------------------------- */

/* Medians of the pairs: each figure, and the ratio of each pair (the two windows of a
   pair are next to each other in time, so a slow spell of the machine hits both). */
struct summary {
    struct result raw, ndis;
    double ratio;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct result median_result(const struct result *r, int n)
{
    double f[PAIRS], c[PAIRS], d[PAIRS];
    for (int i = 0; i < n; i++) {
        f[i] = r[i].fps;
        c[i] = r[i].cpu_ns;
        d[i] = r[i].dropped;
    }
    struct result m = {median(f, n), median(c, n), median(d, n)};
    return m;
}

static struct summary run_pairs(int dir, size_t len, int raw_fd)
{
    struct result raw[PAIRS], ndis[PAIRS];
    double ratio[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        raw[i] = dir == RX ? raw_receive(raw_fd, len) : raw_send(raw_fd, len);
        ndis[i] = dir == RX ? ndis_receive(len) : ndis_send(len);
        ratio[i] = ndis[i].fps / raw[i].fps;
    }
    struct summary s = {median_result(raw, PAIRS), median_result(ndis, PAIRS),
                        median(ratio, PAIRS)};
    return s;
}

static void print_row(int dir, size_t len, const struct summary *s, int *misses)
{
    bool ok = s->ratio >= TARGET;
    *misses += !ok;
    printf("| %-7s | %4zu B | %9.0f | %9.0f | %5.2f | %-6s | %5.0f | %5.0f |",
           dir == RX ? "receive" : "send", len, s->raw.fps, s->ndis.fps, s->ratio,
           ok ? "met" : "MISSED", s->raw.cpu_ns, s->ndis.cpu_ns);
    if (dir == RX)
        printf(" %4.1f%% / %4.1f%% |\n", s->raw.dropped * 100, s->ndis.dropped * 100);
    else
        printf(" - |\n");
}

int main(void)
{
    struct summary sum[2][2]; /* [direction][size] */
    int fd = raw_tap_open(RAW_IF);
    ndis_host *h = stack_up();
    unsigned long long kernel_rx0 = if_stat(NDIS_IF, "rx_packets"), sent0 = countproto_sent();
    for (int d = 0; d < 2; d++)
        for (int s = 0; s < 2; s++)
            sum[d][s] = run_pairs(d, sizes[s], fd);
    unsigned long long kernel_rx = if_stat(NDIS_IF, "rx_packets") - kernel_rx0;
    unsigned long long sent = countproto_sent() - sent0, failed = countproto_send_failed();

    struct utsname u;
    uname(&u);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("TAP benchmark: medians of %d pairs of %d ms windows (raw, then NDIS); Linux %s, "
           "%ld CPUs%s\n\n",
           PAIRS, WINDOW_MS, u.release, cpus,
           cpus >= 2 ? "; the measured side on CPU 1, the receive generator on CPU 0" : "");
    printf("| direction | frame | raw loop, frames/s | NDIS (tapmp), frames/s | ratio | target "
           "%.2fx | raw CPU ns/frame | NDIS CPU ns/frame | not read raw / NDIS |\n",
           TARGET);
    printf("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    int misses = 0;
    for (int d = 0; d < 2; d++)
        for (int s = 0; s < 2; s++)
            print_row(d, sizes[s], &sum[d][s], &misses);
    printf("\nsend: the kernel received %llu of the %llu frames tapmp sent (%llu failed)\n",
           kernel_rx, sent, failed);

    int rc = ndis_host_destroy(h);
    close(fd);
    if (rc != 0) {
        fprintf(stderr, "bench tap: the NDIS instance did not stop cleanly (%d)\n", rc);
        return 2;
    }
    return misses ? 1 : 0;
}

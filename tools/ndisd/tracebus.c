/*
 * tracebus.c - the NDIS-to-driver call trace, fanned out. libndis calls the
 * trace function on whatever thread makes the driver call (the PnP worker, the
 * data path ...), so it only copies the event into a ring under a mutex; each
 * streaming connection has a thread that follows the ring and writes JSON
 * frames to its client, and is told how many events it missed if it fell more
 * than the ring behind. The trace is enabled in libndis only while somebody
 * listens (a client or the --trace-file), so an unobserved daemon pays nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ndisd.h"
#include "oidnames.h"
#include "proto.h"

#define RING 8192

struct rec {
    unsigned long long seq, time_ns;
    char driver[64];
    char function[64];
    char object[136];
    int phase;
    bool has_status;
    int32_t status;
    unsigned irql, depth;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static struct rec *g_ring;
static unsigned long long g_head; /* records ever written */
static unsigned g_streams;        /* connections streaming */
static bool g_ended;
static char g_end_reason[128];
static FILE *g_file;
static ndis_host *g_host;         /* where the trace function is installed */
static bool g_enabled;
static bool g_frozen;             /* the instance is being destroyed: leave it alone */
static bool g_counting;           /* the shutdown: count its calls (g_shutdown) */
static struct shutdown_calls g_shutdown;
static int g_stage;               /* the latest shutdown stage seen */

/* The calls of each stage of the shutdown, in the order they must come. */
static const char *const stage_fn[] = {"ProtocolUnbindAdapterEx", "FilterDetach",
                                       "MiniportHaltEx", "DriverUnload"};

/* Counts a call of the shutdown and checks it comes in its stage; g_lock held. */
static void count_locked(const char *fn)
{
    for (int s = 0; s < 4; s++) {
        if (strcmp(fn, stage_fn[s]) != 0)
            continue;
        unsigned *n[] = {&g_shutdown.unbinds, &g_shutdown.detaches, &g_shutdown.halts,
                         &g_shutdown.unloads};
        (*n[s])++;
        if (s < g_stage)
            g_shutdown.out_of_order++;
        else
            g_stage = s;
    }
}

static json_t *rec_json(const struct rec *r)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:i}", "event", "call",
                          "seq", (json_int_t)r->seq, "time_ns", (json_int_t)r->time_ns,
                          "driver", r->driver, "function", r->function, "object", r->object,
                          "phase", r->phase ? "return" : "call", "irql", (int)r->irql,
                          "depth", (int)r->depth);
    if (r->has_status) {
        json_object_set_new(o, "status", json_integer((uint32_t)r->status));
        const char *n = ndis_status_name(r->status);
        if (n)
            json_object_set_new(o, "status_name", json_string(n));
    }
    return o;
}

static void on_trace(void *ctx, const ndis_trace_event *ev)
{
    (void)ctx;
    struct rec r;
    r.seq = ev->seq;
    r.time_ns = ev->time_ns;
    snprintf(r.driver, sizeof(r.driver), "%s", ev->driver ? ev->driver : "");
    snprintf(r.function, sizeof(r.function), "%s", ev->function ? ev->function : "");
    snprintf(r.object, sizeof(r.object), "%s", ev->object ? ev->object : "");
    r.phase = ev->phase;
    r.has_status = ev->has_status;
    r.status = ev->status;
    r.irql = ev->irql;
    r.depth = ev->depth;
    pthread_mutex_lock(&g_lock);
    if (g_counting && r.phase == 0)
        count_locked(r.function);
    if (g_file) {
        json_t *o = rec_json(&r);
        char *s = json_dumps(o, JSON_COMPACT);
        if (s)
            fprintf(g_file, "%s\n", s);
        fflush(g_file);
        free(s);
        json_decref(o);
    }
    if (g_streams && g_ring) {
        g_ring[g_head % RING] = r;
        g_head++;
        pthread_cond_broadcast(&g_cond);
    }
    pthread_mutex_unlock(&g_lock);
}

/* Installs or removes the trace function as listeners come and go; g_lock held. */
static void update_locked(void)
{
    if (g_frozen)
        return;
    bool want = g_host && !g_ended && (g_file || g_streams);
    if (want == g_enabled)
        return;
    g_enabled = want;
    ndis_host_set_trace(g_host, want ? on_trace : NULL, NULL);
}

int tracebus_open_file(const char *path)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -errno;
    pthread_mutex_lock(&g_lock);
    g_file = f;
    pthread_mutex_unlock(&g_lock);
    return 0;
}

void tracebus_attach_host(ndis_host *h)
{
    pthread_mutex_lock(&g_lock);
    if (!g_ring)
        g_ring = calloc(RING, sizeof(*g_ring));
    g_host = h;
    update_locked();
    pthread_mutex_unlock(&g_lock);
}

/* True when the peer has closed its end (or the socket failed). */
static bool peer_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLHUP | POLLERR))
        return true;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    if (n == 0)
        return true;
    if (n > 0) {
        /* A client says nothing while streaming: drop what it sent. */
        char junk[256];
        (void)!recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
    }
    return false;
}

void tracebus_stream(int fd, void *ctx)
{
    (void)ctx;
    if (fd < 0)
        return;
    /* The instance is only touched under g_lock, and not at all once the
       shutdown froze the bus (it then destroys the instance, trace still on). */
    pthread_mutex_lock(&g_lock);
    if (!g_ring)
        g_ring = calloc(RING, sizeof(*g_ring));
    g_streams++;
    update_locked();
    unsigned long long pos = g_head;
    struct rec *batch = malloc(256 * sizeof(*batch));
    bool alive = batch != NULL;
    while (alive) {
        while (pos == g_head && !g_ended) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&g_cond, &g_lock, &ts);
            if (pos == g_head && !g_ended) {
                pthread_mutex_unlock(&g_lock);
                bool gone = peer_gone(fd);
                pthread_mutex_lock(&g_lock);
                if (gone) {
                    alive = false;
                    break;
                }
            }
        }
        if (!alive)
            break;
        unsigned long long missed = 0;
        if (g_head - pos > RING) {
            missed = g_head - pos - RING;
            pos = g_head - RING;
        }
        unsigned n = 0;
        while (pos < g_head && n < 256)
            batch[n++] = g_ring[pos++ % RING];
        bool ended = g_ended && pos == g_head;
        char reason[128];
        snprintf(reason, sizeof(reason), "%s", g_end_reason);
        pthread_mutex_unlock(&g_lock);

        if (missed) {
            json_t *o = json_pack("{s:s, s:I}", "event", "dropped", "count", (json_int_t)missed);
            alive = proto_write_json(fd, o) == 0;
            json_decref(o);
        }
        for (unsigned i = 0; i < n && alive; i++) {
            json_t *o = rec_json(&batch[i]);
            alive = proto_write_json(fd, o) == 0;
            json_decref(o);
        }
        if (alive && ended) {
            json_t *o = json_pack("{s:s, s:s}", "event", "end", "reason", reason);
            proto_write_json(fd, o);
            json_decref(o);
            alive = false;
        }
        pthread_mutex_lock(&g_lock);
    }
    free(batch);
    g_streams--;
    update_locked();
    pthread_mutex_unlock(&g_lock);
}

void tracebus_freeze(void)
{
    pthread_mutex_lock(&g_lock);
    g_frozen = true;
    pthread_mutex_unlock(&g_lock);
}

void tracebus_shutdown_begin(void)
{
    pthread_mutex_lock(&g_lock);
    memset(&g_shutdown, 0, sizeof(g_shutdown));
    g_stage = 0;
    g_counting = true;
    if (g_host && !g_enabled) {
        ndis_host_set_trace(g_host, on_trace, NULL);
        g_enabled = true;
    }
    g_frozen = true;
    pthread_mutex_unlock(&g_lock);
}

void tracebus_shutdown_calls(struct shutdown_calls *out)
{
    pthread_mutex_lock(&g_lock);
    *out = g_shutdown;
    g_counting = false;
    pthread_mutex_unlock(&g_lock);
}

void tracebus_end(const char *reason)
{
    pthread_mutex_lock(&g_lock);
    snprintf(g_end_reason, sizeof(g_end_reason), "%s", reason);
    g_ended = true;
    g_frozen = true;
    g_enabled = false;
    g_host = NULL;
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

void tracebus_close_file(void)
{
    pthread_mutex_lock(&g_lock);
    if (g_file)
        fclose(g_file);
    g_file = NULL;
    free(g_ring);
    g_ring = NULL;
    pthread_mutex_unlock(&g_lock);
}

/*
 * capture.c - "capture": the frames crossing one edge of an adapter's stack
 * (ndis_host_capture_start), streamed to the client as binary frames of
 * records (tools/common/proto.h).
 *
 * libndis calls on_frame on the thread moving the data, possibly at
 * DISPATCH_LEVEL: it must copy and return, never wait. So each session has a
 * byte ring (g_ndisd.capture_ring bytes, --capture-buffer) under a spinlock held only for the copy; when
 * the ring is full the frame is dropped and counted. The connection's thread
 * drains the ring into the socket (its writes may block, the data path never
 * does) and sends a "stats" event each second and an "end" event last.
 *
 * A session stops when the client goes away, when its adapter disappears, or
 * when the daemon shuts down (capture_end_all, before the instance is
 * destroyed: a capture must be stopped while its instance lives).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ndisd.h"
#include "proto.h"

#define CAP_BATCH (256u << 10)  /* bytes per binary frame to the client */
#define CAP_TICK_MS 1000        /* stats, and the check that the adapter still exists */
#define WRAP 0xffffffffu        /* a record length that says "continue at 0" */

struct capsess {
    struct capsess *next;       /* g_sessions (g_lock) */
    char adapter[64], at[80];
    unsigned snaplen;
    int efd;                    /* eventfd: the ring went from empty to not empty */
    /* Stopping: whoever takes cap (under stop_lock) stops it. */
    pthread_mutex_t stop_lock;
    ndis_capture *cap;
    char end_reason[128];       /* set once the capture is over */
    /* The ring: records of a u32 body length, the body (PROTO_CAP_HDR and the
       data) and padding to 8 bytes, never split: where the end of the ring
       cannot hold a record, a WRAP length sends the reader back to 0. head and
       tail count the bytes ever written and read; head - tail are in use. */
    pthread_spinlock_t ring_lock;
    unsigned char *ring;
    size_t size;                /* of the ring: a multiple of 8 */
    unsigned long long head, tail;
    unsigned long long frames, dropped;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct capsess *g_sessions;

/* Ring bytes of a record whose body (header and data) is `body` bytes. */
static size_t rec_size(size_t body)
{
    return (4 + body + 7) & ~(size_t)7;
}

/* libndis' callback: copy into the ring or count a drop. Never waits. */
static void on_frame(void *ctx, const ndis_capture_frame *f)
{
    struct capsess *s = ctx;
    size_t body = PROTO_CAP_HDR + f->caplen, need = rec_size(body);
    bool wake = false;
    pthread_spin_lock(&s->ring_lock);
    size_t off = (size_t)(s->head % s->size);
    size_t waste = s->size - off < need ? s->size - off : 0; /* multiple of 8 */
    if (s->head + waste + need - s->tail > s->size) {
        s->dropped++;
    } else {
        wake = s->head == s->tail;
        if (waste) {
            uint32_t w = WRAP;
            memcpy(s->ring + off, &w, 4);
            s->head += waste;
            off = 0;
        }
        uint32_t len = (uint32_t)body;
        struct proto_caprec r = {.time_ns = f->time_ns,
                                 .len = (uint32_t)f->len,
                                 .caplen = (uint32_t)f->caplen,
                                 .flags = f->send ? PROTO_CAP_SEND : 0};
        memcpy(s->ring + off, &len, 4);
        proto_caprec_put(s->ring + off + 4, &r);
        memcpy(s->ring + off + 4 + PROTO_CAP_HDR, f->data, f->caplen);
        s->head += need;
        s->frames++;
    }
    pthread_spin_unlock(&s->ring_lock);
    if (wake) {
        uint64_t one = 1;
        (void)!write(s->efd, &one, sizeof(one));
    }
}

/* Moves whole records (without their length words) from the ring into out, at
   most cap bytes. Returns the bytes written. */
static size_t drain(struct capsess *s, unsigned char *out, size_t cap)
{
    size_t n = 0;
    pthread_spin_lock(&s->ring_lock);
    while (s->tail != s->head) {
        size_t off = (size_t)(s->tail % s->size);
        uint32_t body;
        memcpy(&body, s->ring + off, 4);
        if (body == WRAP) {
            s->tail += s->size - off;
            continue;
        }
        if (n + body > cap)
            break;
        memcpy(out + n, s->ring + off + 4, body);
        n += body;
        s->tail += rec_size(body);
    }
    pthread_spin_unlock(&s->ring_lock);
    return n;
}

static void counts(struct capsess *s, unsigned long long *frames, unsigned long long *dropped)
{
    pthread_spin_lock(&s->ring_lock);
    *frames = s->frames;
    *dropped = s->dropped;
    pthread_spin_unlock(&s->ring_lock);
}

/* Stops the capture once (any caller); host_lock must be held and the host alive. */
static void stop_locked_host(struct capsess *s, const char *reason)
{
    pthread_mutex_lock(&s->stop_lock);
    if (s->cap) {
        int rc = ndis_host_capture_stop(s->cap);
        if (rc)
            log_msg(LOG_KIND_ERROR, "capture on %s: stop failed: %s", s->adapter,
                    ndis_host_strerror(rc));
        else
            s->cap = NULL;
    }
    if (!s->end_reason[0])
        snprintf(s->end_reason, sizeof(s->end_reason), "%s", reason);
    pthread_mutex_unlock(&s->stop_lock);
    uint64_t one = 1;
    (void)!write(s->efd, &one, sizeof(one));
}

static void session_free(struct capsess *s)
{
    pthread_mutex_lock(&g_lock);
    for (struct capsess **pp = &g_sessions; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    pthread_mutex_unlock(&g_lock);
    close(s->efd);
    pthread_spin_destroy(&s->ring_lock);
    pthread_mutex_destroy(&s->stop_lock);
    free(s->ring);
    free(s);
}

int capture_begin(const char *adapter, const char *at, unsigned snaplen, void **ctx,
                  unsigned *snaplen_out)
{
    struct capsess *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->size = g_ndisd.capture_ring & ~(size_t)7;
    s->ring = malloc(s->size);
    s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!s->ring || s->efd < 0) {
        free(s->ring);
        if (s->efd >= 0)
            close(s->efd);
        free(s);
        return -ENOMEM;
    }
    pthread_spin_init(&s->ring_lock, PTHREAD_PROCESS_PRIVATE);
    pthread_mutex_init(&s->stop_lock, NULL);
    snprintf(s->adapter, sizeof(s->adapter), "%s", adapter);
    snprintf(s->at, sizeof(s->at), "%s", at ? at : "miniport");
    s->snaplen = snaplen && snaplen < CAPTURE_MAX_SNAPLEN ? snaplen : CAPTURE_MAX_SNAPLEN;
    pthread_mutex_lock(&g_lock);
    s->next = g_sessions;
    g_sessions = s;
    pthread_mutex_unlock(&g_lock);
    int rc = ndis_host_capture_start(g_ndisd.host, adapter, s->at, s->snaplen, on_frame, s,
                                     &s->cap);
    if (rc) {
        session_free(s);
        return rc;
    }
    log_msg(LOG_KIND_INFO, "capture on %s at %s started (snaplen %u)", s->adapter, s->at,
            s->snaplen);
    *ctx = s;
    *snaplen_out = s->snaplen;
    return 0;
}

/* True when the client closed its end; what it sends while streaming is dropped. */
static bool client_gone(int fd, short revents)
{
    if (revents & (POLLHUP | POLLERR))
        return true;
    if (!(revents & POLLIN))
        return false;
    char junk[256];
    ssize_t n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* Each tick: is the adapter still there? (Its removal ends the capture in libndis.) */
static void check_adapter(struct capsess *s)
{
    if (pthread_rwlock_tryrdlock(&g_ndisd.host_lock) != 0)
        return; /* the shutdown holds it: capture_end_all ends the session */
    if (g_ndisd.host) {
        unsigned n = 0;
        ndis_adapter_info *a = host_adapters(&n);
        bool found = false;
        for (unsigned i = 0; a && i < n && !found; i++)
            found = strcmp(a[i].name, s->adapter) == 0;
        if (a && !found)
            stop_locked_host(s, "the adapter was removed");
        free(a);
    }
    pthread_rwlock_unlock(&g_ndisd.host_lock);
}

static int send_event(int fd, struct capsess *s, const char *event, const char *reason)
{
    unsigned long long frames, dropped;
    counts(s, &frames, &dropped);
    json_t *o = json_pack("{s:s, s:I, s:I}", "event", event, "frames", (json_int_t)frames,
                          "dropped", (json_int_t)dropped);
    if (reason)
        json_object_set_new(o, "reason", json_string(reason));
    int rc = proto_write_json(fd, o);
    json_decref(o);
    return rc;
}

/* Sends what the ring holds. 0, or -errno when the client cannot take it. */
static int flush(int fd, struct capsess *s, unsigned char *batch)
{
    size_t n;
    while ((n = drain(s, batch, CAP_BATCH)) > 0) {
        int rc = proto_write_binary(fd, batch, n);
        if (rc)
            return rc;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void capture_stream(int fd, void *ctx)
{
    struct capsess *s = ctx;
    unsigned char *batch = fd >= 0 ? malloc(CAP_BATCH) : NULL;
    bool alive = batch != NULL;
    char reason[128] = "the client went away";
    long long next_tick = now_ms() + CAP_TICK_MS;
    unsigned long long last_dropped = 0;
    while (alive) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->efd, .events = POLLIN}};
        long long wait = next_tick - now_ms();
        int n = poll(p, 2, wait > 0 ? (int)wait : 0);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && client_gone(fd, p[0].revents))
            break;
        uint64_t v;
        (void)!read(s->efd, &v, sizeof(v));
        if (flush(fd, s, batch))
            break;
        pthread_mutex_lock(&s->stop_lock);
        bool over = s->end_reason[0] != 0;
        if (over)
            snprintf(reason, sizeof(reason), "%s", s->end_reason);
        pthread_mutex_unlock(&s->stop_lock);
        if (over) {
            /* Stopped: fn is not called any more, what is left is in the ring. */
            if (flush(fd, s, batch) == 0)
                send_event(fd, s, "end", reason);
            alive = false;
        } else if (now_ms() >= next_tick) {
            unsigned long long frames, dropped;
            counts(s, &frames, &dropped);
            if (send_event(fd, s, "stats", NULL))
                break;
            if (dropped != last_dropped)
                log_msg(LOG_KIND_WARN, "capture on %s: %llu frames dropped (client too slow)",
                        s->adapter, dropped - last_dropped);
            last_dropped = dropped;
            next_tick = now_ms() + CAP_TICK_MS;
            check_adapter(s);
        }
    }
    free(batch);
    /* Stop it if nobody did (the client left): host_lock keeps the instance. */
    pthread_rwlock_rdlock(&g_ndisd.host_lock);
    if (g_ndisd.host)
        stop_locked_host(s, reason);
    pthread_rwlock_unlock(&g_ndisd.host_lock);
    unsigned long long frames, dropped;
    counts(s, &frames, &dropped);
    log_msg(LOG_KIND_INFO, "capture on %s at %s ended (%s): %llu frames, %llu dropped",
            s->adapter, s->at, reason, frames, dropped);
    session_free(s);
}

void capture_end_all(const char *reason)
{
    pthread_mutex_lock(&g_lock);
    for (struct capsess *s = g_sessions; s; s = s->next)
        stop_locked_host(s, reason);
    pthread_mutex_unlock(&g_lock);
}

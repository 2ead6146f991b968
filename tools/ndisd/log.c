/*
 * log.c - the daemon log: timestamped lines to a file, stderr or syslog. Every
 * verifier report and libndis diagnostic is logged, and the recent ones are kept
 * in a ring: "ndisctl reports" reads the reports, and a command's reply carries
 * the diagnostics logged while it ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ndisd.h"

#define RING 256
#define TEXT_MAX 1024

struct entry {
    unsigned long long seq;
    struct timespec when;
    enum log_kind kind;
    char vclass[24];
    char ddi[64];
    char text[TEXT_MAX];
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *g_file;            /* NULL: stderr or syslog */
static bool g_syslog;
static char *g_path;
static struct entry g_ring[RING];
static unsigned long long g_seq; /* entries ever put in the ring */
static unsigned long g_reports, g_leak_reports;

static const char *kind_name(enum log_kind k)
{
    switch (k) {
    case LOG_KIND_INFO: return "info";
    case LOG_KIND_WARN: return "warning";
    case LOG_KIND_ERROR: return "error";
    case LOG_KIND_DIAG: return "ndis";
    case LOG_KIND_REPORT: return "verifier";
    }
    return "?";
}

int log_open(const char *path, bool use_syslog)
{
    pthread_mutex_lock(&g_lock);
    g_syslog = use_syslog && !path;
    if (g_syslog)
        openlog("ndisd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    int rc = 0;
    if (path) {
        free(g_path);
        g_path = strdup(path);
        FILE *f = fopen(path, "ae");
        if (!f)
            rc = -errno;
        else {
            setvbuf(f, NULL, _IOLBF, 0);
            g_file = f;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}

int log_reopen(void)
{
    pthread_mutex_lock(&g_lock);
    int rc = 0;
    if (g_path) {
        FILE *f = fopen(g_path, "ae");
        if (!f)
            rc = -errno;
        else {
            setvbuf(f, NULL, _IOLBF, 0);
            if (g_file)
                fclose(g_file);
            g_file = f;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}

void log_close(void)
{
    pthread_mutex_lock(&g_lock);
    if (g_file)
        fclose(g_file);
    g_file = NULL;
    if (g_syslog)
        closelog();
    free(g_path);
    g_path = NULL;
    pthread_mutex_unlock(&g_lock);
}

/* Writes one line; g_lock held. */
static void emit(enum log_kind kind, const struct timespec *ts, const char *text)
{
    if (g_syslog) {
        int prio = kind == LOG_KIND_ERROR || kind == LOG_KIND_REPORT ? LOG_ERR
                   : kind == LOG_KIND_WARN                            ? LOG_WARNING
                                                                      : LOG_INFO;
        syslog(prio, "%s: %s", kind_name(kind), text);
        return;
    }
    FILE *f = g_file ? g_file : stderr;
    struct tm tm;
    gmtime_r(&ts->tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(f, "%s.%03ldZ ndisd[%ld] %s: %s\n", stamp, ts->tv_nsec / 1000000L, (long)getpid(),
            kind_name(kind), text);
    fflush(f);
}

static void record(enum log_kind kind, const char *vclass, const char *ddi, const char *text)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    pthread_mutex_lock(&g_lock);
    emit(kind, &ts, text);
    if (kind == LOG_KIND_REPORT) {
        g_reports++;
        if (vclass && strcmp(vclass, "leak") == 0)
            g_leak_reports++;
    }
    if (kind == LOG_KIND_DIAG || kind == LOG_KIND_REPORT || kind == LOG_KIND_ERROR ||
        kind == LOG_KIND_WARN) {
        struct entry *e = &g_ring[g_seq % RING];
        e->seq = ++g_seq;
        e->when = ts;
        e->kind = kind;
        snprintf(e->vclass, sizeof(e->vclass), "%s", vclass ? vclass : "");
        snprintf(e->ddi, sizeof(e->ddi), "%s", ddi ? ddi : "");
        snprintf(e->text, sizeof(e->text), "%s", text);
    }
    pthread_mutex_unlock(&g_lock);
}

void log_vmsg(enum log_kind kind, const char *fmt, va_list ap)
{
    char text[TEXT_MAX];
    vsnprintf(text, sizeof(text), fmt, ap);
    record(kind, NULL, NULL, text);
}

void log_msg(enum log_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(kind, fmt, ap);
    va_end(ap);
}

static void on_report(void *ctx, const ndis_report *r)
{
    (void)ctx;
    char text[TEXT_MAX];
    snprintf(text, sizeof(text), "%s [%s] %s (rule: %s)", r->ddi ? r->ddi : "?",
             r->vclass ? r->vclass : "?", r->message ? r->message : "",
             r->rule ? r->rule : "?");
    record(LOG_KIND_REPORT, r->vclass, r->ddi, text);
}

static void on_diag(void *ctx, const char *message)
{
    (void)ctx;
    record(LOG_KIND_DIAG, NULL, NULL, message);
}

void log_install_ndis_handlers(void)
{
    ndis_set_report_handler(on_report, NULL);
    ndis_set_diag_handler(on_diag, NULL);
}

unsigned long long log_mark(void)
{
    pthread_mutex_lock(&g_lock);
    unsigned long long m = g_seq;
    pthread_mutex_unlock(&g_lock);
    return m;
}

/* First sequence number still in the ring after `mark`; g_lock held. */
static unsigned long long first_after(unsigned long long mark)
{
    unsigned long long oldest = g_seq > RING ? g_seq - RING + 1 : 1;
    return mark + 1 > oldest ? mark + 1 : oldest;
}

json_t *log_messages_since(unsigned long long mark, bool leaks_only)
{
    json_t *a = json_array();
    pthread_mutex_lock(&g_lock);
    for (unsigned long long s = first_after(mark); s <= g_seq; s++) {
        const struct entry *e = &g_ring[(s - 1) % RING];
        bool leak = e->kind == LOG_KIND_REPORT && strcmp(e->vclass, "leak") == 0;
        if (leaks_only ? leak : e->kind == LOG_KIND_DIAG || e->kind == LOG_KIND_REPORT)
            json_array_append_new(a, json_string(e->text));
    }
    pthread_mutex_unlock(&g_lock);
    return a;
}

bool log_first_message_since(unsigned long long mark, char *buf, size_t len)
{
    bool found = false;
    pthread_mutex_lock(&g_lock);
    for (unsigned long long s = first_after(mark); s <= g_seq; s++) {
        const struct entry *e = &g_ring[(s - 1) % RING];
        if (e->kind == LOG_KIND_DIAG || e->kind == LOG_KIND_REPORT) {
            snprintf(buf, len, "%s", e->text);
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return found;
}

json_t *log_reports_json(unsigned max)
{
    json_t *a = json_array();
    pthread_mutex_lock(&g_lock);
    unsigned n = 0;
    unsigned long long s = g_seq;
    unsigned long long oldest = g_seq > RING ? g_seq - RING + 1 : 1;
    /* Walk back to find where the newest `max` reports start. */
    for (; s >= oldest && s > 0 && n < max; s--)
        if (g_ring[(s - 1) % RING].kind == LOG_KIND_REPORT)
            n++;
    for (s = s + 1 < oldest ? oldest : s + 1; s <= g_seq; s++) {
        const struct entry *e = &g_ring[(s - 1) % RING];
        if (e->kind != LOG_KIND_REPORT || s == 0)
            continue;
        struct tm tm;
        gmtime_r(&e->when.tv_sec, &tm);
        char stamp[24];
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        char full[64];
        snprintf(full, sizeof(full), "%s.%03ldZ", stamp, e->when.tv_nsec / 1000000L);
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq",
                                           (json_int_t)e->seq, "time", full, "class",
                                           e->vclass, "ddi", e->ddi, "message", e->text));
    }
    pthread_mutex_unlock(&g_lock);
    return a;
}

unsigned long log_report_total(bool leaks_only)
{
    pthread_mutex_lock(&g_lock);
    unsigned long n = leaks_only ? g_leak_reports : g_reports;
    pthread_mutex_unlock(&g_lock);
    return n;
}

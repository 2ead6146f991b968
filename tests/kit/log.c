/* log.c - the kit's call log and the instance helpers every test uses. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit.h"
#include "test.h"

#define LOG_MAX 4096
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_entries[LOG_MAX]; /* guarded by log_lock */
static int log_n;                  /* guarded by log_lock */
static char log_buf[1 << 16];

void kit_log_reset(void)
{
    pthread_mutex_lock(&log_lock);
    for (int i = 0; i < log_n; i++)
        free(log_entries[i]);
    log_n = 0;
    pthread_mutex_unlock(&log_lock);
}

void kit_log(const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    if (log_n < LOG_MAX)
        log_entries[log_n++] = strdup(tmp);
    pthread_mutex_unlock(&log_lock);
}

const char *kit_log_text(void)
{
    pthread_mutex_lock(&log_lock);
    size_t o = 0;
    log_buf[0] = 0;
    for (int i = 0; i < log_n && o + 2 < sizeof(log_buf); i++)
        o += (size_t)snprintf(log_buf + o, sizeof(log_buf) - o, "%s%s", i ? ";" : "",
                              log_entries[i]);
    pthread_mutex_unlock(&log_lock);
    return log_buf;
}

static int log_find(const char *prefix, bool last)
{
    int r = -1;
    size_t n = strlen(prefix);
    pthread_mutex_lock(&log_lock);
    for (int i = 0; i < log_n; i++)
        if (strncmp(log_entries[i], prefix, n) == 0) {
            r = i;
            if (!last)
                break;
        }
    pthread_mutex_unlock(&log_lock);
    return r;
}

int kit_log_index(const char *prefix)
{
    return log_find(prefix, false);
}

int kit_log_last(const char *prefix)
{
    return log_find(prefix, true);
}

bool kit_log_wait(const char *prefix, unsigned ms)
{
    for (unsigned i = 0; i < ms; i++) {
        if (log_find(prefix, false) >= 0)
            return true;
        NdisMSleep(1000);
    }
    return log_find(prefix, false) >= 0;
}

int kit_log_count(const char *prefix)
{
    int c = 0;
    size_t n = strlen(prefix);
    pthread_mutex_lock(&log_lock);
    for (int i = 0; i < log_n; i++)
        c += strncmp(log_entries[i], prefix, n) == 0;
    pthread_mutex_unlock(&log_lock);
    return c;
}

/* ---- verifier reports ---------------------------------------------------------- */

#define REP_MAX 256
static pthread_mutex_t rep_lock = PTHREAD_MUTEX_INITIALIZER;
static char *reps[REP_MAX]; /* guarded by rep_lock */
static int nreps;           /* guarded by rep_lock */

static void on_report(void *ctx, const ndis_report *r)
{
    (void)ctx;
    char tmp[1400];
    snprintf(tmp, sizeof(tmp), "%s: %s [%s: %s]", r->ddi, r->message, r->vclass, r->rule);
    if (getenv("KIT_VERBOSE"))
        fprintf(stderr, "  report: %s\n", tmp);
    pthread_mutex_lock(&rep_lock);
    if (nreps < REP_MAX)
        reps[nreps++] = strdup(tmp);
    pthread_mutex_unlock(&rep_lock);
}

static void on_diag(void *ctx, const char *msg)
{
    (void)ctx;
    if (getenv("KIT_VERBOSE"))
        fprintf(stderr, "  diag: %s\n", msg);
}

void kit_reports_clear(void)
{
    pthread_mutex_lock(&rep_lock);
    for (int i = 0; i < nreps; i++)
        free(reps[i]);
    nreps = 0;
    pthread_mutex_unlock(&rep_lock);
}

int kit_reports(void)
{
    pthread_mutex_lock(&rep_lock);
    int n = nreps;
    pthread_mutex_unlock(&rep_lock);
    return n;
}

const char *kit_report_text(int i)
{
    pthread_mutex_lock(&rep_lock);
    const char *s = i < nreps ? reps[i] : "";
    pthread_mutex_unlock(&rep_lock);
    return s;
}

int kit_reports_matching(const char *text)
{
    int c = 0;
    pthread_mutex_lock(&rep_lock);
    for (int i = 0; i < nreps; i++)
        c += strstr(reps[i], text) != NULL;
    pthread_mutex_unlock(&rep_lock);
    return c;
}

void kit_expect_reports(int n, const char *text)
{
    int m = kit_reports_matching(text);
    if (m != n || kit_reports() != n) {
        for (int i = 0; i < kit_reports(); i++)
            fprintf(stderr, "  report %d: %s\n", i, kit_report_text(i));
        T_ASSERT_MSG(0, "expected %d reports mentioning '%s', got %d matching of %d", n, text,
                     m, kit_reports());
    }
    kit_reports_clear();
}

ndis_host *kit_host(void)
{
    return kit_host_opts(NULL);
}

ndis_host *kit_host_opts(const ndis_host_options *opts)
{
    kit_log_reset();
    kit_reports_clear();
    kit_mp_reset();
    kit_proto_reset();
    kit_filter_reset();
    ndis_set_verifier_policy(NDIS_VERIFIER_LOG);
    ndis_set_report_handler(on_report, NULL);
    ndis_set_diag_handler(on_diag, NULL);
    ndis_host_options o = {.name = "test", .wait_timeout_ms = 3000};
    if (opts)
        o = *opts;
    if (!o.wait_timeout_ms)
        o.wait_timeout_ms = 3000;
    ndis_host *h = NULL;
    T_EQ(ndis_host_create(&o, &h), 0);
    return h;
}

void kit_host_done(ndis_host *h)
{
    ndis_host_counts c;
    T_EQ(ndis_host_destroy(h), 0);
    (void)c;
    if (kit_reports()) {
        for (int i = 0; i < kit_reports(); i++)
            fprintf(stderr, "  unexpected report %d: %s\n", i, kit_report_text(i));
        T_ASSERT_MSG(0, "%d unexpected verifier reports", kit_reports());
    }
    kit_reports_clear();
}

/* verifier.c - reporting of rule violations, with an abort or log policy. */
#include "core/verifier.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndishost.h"

static const char *const vclass_names[NDISI_V_COUNT] = {
    [NDISI_V_IRQL] = "irql",       [NDISI_V_HANDLE] = "handle",
    [NDISI_V_PARAMETER] = "parameter", [NDISI_V_STATE] = "state",
    [NDISI_V_CONTEXT] = "context", [NDISI_V_RETURN] = "return-status",
    [NDISI_V_LEAK] = "leak",       [NDISI_V_NBL] = "net-buffer-list",
    [NDISI_V_TIMEOUT] = "timeout",
};

static pthread_mutex_t v_lock = PTHREAD_MUTEX_INITIALIZER;
static ndis_report_fn v_handler;  /* guarded by v_lock */
static void *v_handler_ctx;       /* guarded by v_lock */
static ndis_diag_fn v_diag;       /* guarded by v_lock */
static void *v_diag_ctx;          /* guarded by v_lock */
static _Atomic int v_policy = -1; /* -1: not decided yet (read NDIS_VERIFIER) */
static atomic_ulong v_count;

const char *ndisi_vclass_name(enum ndisi_vclass cls)
{
    return (unsigned)cls < NDISI_V_COUNT ? vclass_names[cls] : "?";
}

static int v_current_policy(void)
{
    int p = atomic_load(&v_policy);
    if (p < 0) {
        const char *env = getenv("NDIS_VERIFIER");
        p = (env && strcmp(env, "log") == 0) ? NDIS_VERIFIER_LOG : NDIS_VERIFIER_ABORT;
        int expected = -1;
        atomic_compare_exchange_strong(&v_policy, &expected, p);
        p = atomic_load(&v_policy);
    }
    return p;
}

void ndis_set_verifier_policy(ndis_verifier_policy policy)
{
    atomic_store(&v_policy, (int)policy);
}

ndis_verifier_policy ndis_get_verifier_policy(void)
{
    return (ndis_verifier_policy)v_current_policy();
}

void ndis_set_report_handler(ndis_report_fn fn, void *ctx)
{
    pthread_mutex_lock(&v_lock);
    v_handler = fn;
    v_handler_ctx = ctx;
    pthread_mutex_unlock(&v_lock);
}

void ndis_set_diag_handler(ndis_diag_fn fn, void *ctx)
{
    pthread_mutex_lock(&v_lock);
    v_diag = fn;
    v_diag_ctx = ctx;
    pthread_mutex_unlock(&v_lock);
}

unsigned long ndis_report_count(void)
{
    return atomic_load(&v_count);
}

void ndisi_vreport(enum ndisi_vclass cls, const char *ddi, const char *rule,
                   const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    atomic_fetch_add(&v_count, 1);

    ndis_report r = {
        .ddi = ddi ? ddi : "?",
        .rule = rule ? rule : "",
        .vclass = ndisi_vclass_name(cls),
        .message = msg,
    };
    pthread_mutex_lock(&v_lock);
    ndis_report_fn fn = v_handler;
    void *ctx = v_handler_ctx;
    pthread_mutex_unlock(&v_lock);
    if (fn)
        fn(ctx, &r);
    else
        fprintf(stderr, "libndis verifier: %s: %s [%s rule: %s]\n", r.ddi, r.message,
                r.vclass, r.rule);

    if (v_current_policy() == NDIS_VERIFIER_ABORT) {
        fprintf(stderr, "libndis verifier: aborting (policy 'abort'; set NDIS_VERIFIER=log "
                        "or ndis_set_verifier_policy(NDIS_VERIFIER_LOG) to continue)\n");
        fflush(stderr);
        abort();
    }
}

void ndisi_report(enum ndisi_vclass cls, const char *ddi, const char *rule, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    ndisi_vreport(cls, ddi, rule, fmt, ap);
    va_end(ap);
}

void ndisi_diag(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&v_lock);
    ndis_diag_fn fn = v_diag;
    void *ctx = v_diag_ctx;
    pthread_mutex_unlock(&v_lock);
    if (fn)
        fn(ctx, msg);
    else
        fprintf(stderr, "libndis: %s\n", msg);
}

/*
 * verifier.h - the NDIS verifier: one place where rule violations are reported.
 *
 * Every DDI entry point validates its handle, IRQL, state and parameters and,
 * when a rule is broken, calls ndisi_report() naming the DDI and the documented
 * rule. The policy (abort, the default, or log and continue) is process-wide and
 * set by the host (ndis_host_set_verifier_policy) or NDIS_VERIFIER=log|abort.
 * After a report in "log" mode the DDI returns the documented failure status (or
 * does nothing, for VOID DDIs) and leaves the runtime consistent.
 */
#ifndef NDISI_VERIFIER_H
#define NDISI_VERIFIER_H

#include <stdarg.h>
#include <stdbool.h>

/* Classes of violations. The string that is printed is the rule name. */
enum ndisi_vclass {
    NDISI_V_IRQL,        /* DDI called or callback returned at the wrong IRQL */
    NDISI_V_HANDLE,      /* NULL, stale or wrong-type handle */
    NDISI_V_PARAMETER,   /* bad argument or malformed structure */
    NDISI_V_STATE,       /* invalid state for the call or invalid transition */
    NDISI_V_CONTEXT,     /* DDI called from a context its page forbids */
    NDISI_V_RETURN,      /* a handler returned a status its page does not allow */
    NDISI_V_LEAK,        /* resources still held when an object goes away */
    NDISI_V_NBL,         /* NET_BUFFER_LIST ownership, pool or double-free rule */
    NDISI_V_TIMEOUT,     /* a bounded wait expired */
    NDISI_V_COUNT
};

/*
 * Report a violation. `ddi` names the DDI or callback ("NdisOpenAdapterEx",
 * "ProtocolBindAdapterEx"), `rule` the documented rule (a compliance rule name
 * such as "Irql_Protocol_Driver_Function" or a short quote of the page).
 */
void ndisi_report(enum ndisi_vclass cls, const char *ddi, const char *rule,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ndisi_vreport(enum ndisi_vclass cls, const char *ddi, const char *rule,
                   const char *fmt, va_list ap);

/* Informational diagnostics that are not violations (progress of long waits). */
void ndisi_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const char *ndisi_vclass_name(enum ndisi_vclass cls);

#endif /* NDISI_VERIFIER_H */

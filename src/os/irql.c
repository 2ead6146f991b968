/*
 * irql.c - the emulated IRQL of each thread and the Ke IRQL routines.
 *
 * A user-space thread has no interrupt priority. libndis keeps a per-thread
 * number (ndisi_cur_irql, see core/cbctx.h) that behaves like the IRQL of the
 * processor the thread would run on in Windows: NDIS sets it when it calls a
 * driver, spin locks raise it to DISPATCH_LEVEL, and every DDI checks it
 * against the req.irql of its page. Nothing is masked; the number exists so
 * that IRQL rule violations are reported exactly where Windows would bugcheck.
 */
#include <stdio.h>

#include <wdm.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "os/irql.h"

__thread struct ndisi_cbframe *ndisi_cb_top;
__thread UCHAR ndisi_cur_irql;
atomic_int ndisi_trace_enabled;

const char *ndisi_irql_name(UCHAR irql, char *buf, size_t len)
{
    switch (irql) {
    case PASSIVE_LEVEL:
        return "PASSIVE_LEVEL";
    case APC_LEVEL:
        return "APC_LEVEL";
    case DISPATCH_LEVEL:
        return "DISPATCH_LEVEL";
    default:
        snprintf(buf, len, "%u", (unsigned)irql);
        return buf;
    }
}

bool ndisi_irql_fail(const char *ddi, const char *rule, UCHAR max, bool exact)
{
    char b1[8], b2[8];
    const struct ndisi_cbframe *f = ndisi_cb_top;
    ndisi_report(NDISI_V_IRQL, ddi, rule, "called at IRQL %s; it must be called at IRQL %s %s%s%s%s",
                 ndisi_irql_name(ndisi_cur_irql, b1, sizeof(b1)), exact ? "==" : "<=",
                 ndisi_irql_name(max, b2, sizeof(b2)), f ? " (from " : "",
                 f ? f->fn : "", f ? ")" : "");
    return false;
}

void ndisi_cb_irql_mismatch(const struct ndisi_cbframe *f)
{
    char b1[8], b2[8];
    const char *driver = f->image ? f->image->name : "?";
    ndisi_report(NDISI_V_IRQL, f->fn, "_IRQL_requires_same_",
                 "driver '%s' returned from %s%s%s%s at IRQL %s; it was called at IRQL %s "
                 "(a spin lock or a raised IRQL was not released)",
                 driver, f->fn, f->object && f->object[0] ? " for '" : "",
                 f->object && f->object[0] ? f->object : "",
                 f->object && f->object[0] ? "'" : "",
                 ndisi_irql_name(ndisi_cur_irql, b1, sizeof(b1)),
                 ndisi_irql_name(f->irql, b2, sizeof(b2)));
}

KIRQL KeGetCurrentIrql(VOID)
{
    return ndisi_cur_irql;
}

/*
 * nf-wdm-keraiseirql.md: "If the new IRQL is less than the current IRQL, a bug
 * check occurs." Reported here; the IRQL is then left unchanged and *OldIrql
 * receives the current IRQL so that the matching KeLowerIrql is harmless.
 */
VOID KeRaiseIrql(_In_ KIRQL NewIrql, _Out_ PKIRQL OldIrql)
{
    KIRQL cur = ndisi_cur_irql;
    if (OldIrql == NULL) {
        ndisi_report(NDISI_V_PARAMETER, "KeRaiseIrql", "IrqlKeRaiseLower",
                     "OldIrql is NULL");
        return;
    }
    if (NewIrql < cur) {
        char b1[8], b2[8];
        ndisi_report(NDISI_V_IRQL, "KeRaiseIrql", "IrqlKeRaiseLower",
                     "NewIrql %s is lower than the current IRQL %s (a raise must not lower)",
                     ndisi_irql_name(NewIrql, b1, sizeof(b1)),
                     ndisi_irql_name(cur, b2, sizeof(b2)));
        *OldIrql = cur;
        return;
    }
    *OldIrql = cur;
    ndisi_cur_irql = NewIrql;
}

/*
 * nf-wdm-kelowerirql.md: NewIrql must be the value the preceding raise returned,
 * so it can never be above the current IRQL.
 */
VOID KeLowerIrql(_In_ KIRQL NewIrql)
{
    KIRQL cur = ndisi_cur_irql;
    if (NewIrql > cur) {
        char b1[8], b2[8];
        ndisi_report(NDISI_V_IRQL, "KeLowerIrql", "IrqlKeRaiseLower",
                     "NewIrql %s is higher than the current IRQL %s (a lower must not raise)",
                     ndisi_irql_name(NewIrql, b1, sizeof(b1)),
                     ndisi_irql_name(cur, b2, sizeof(b2)));
        return;
    }
    ndisi_cur_irql = NewIrql;
}

/* nf-wdm-keraiseirqltodpclevel.md: callers must be at IRQL <= DISPATCH_LEVEL. */
KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL cur = ndisi_cur_irql;
    if (cur > DISPATCH_LEVEL) {
        ndisi_irql_fail("KeRaiseIrqlToDpcLevel", "IrqlKeRaiseLower", DISPATCH_LEVEL, false);
        return cur;
    }
    ndisi_cur_irql = DISPATCH_LEVEL;
    return cur;
}

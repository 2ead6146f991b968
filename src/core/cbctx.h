/*
 * cbctx.h - what the current thread is doing on behalf of NDIS: its emulated
 * IRQL and the stack of driver callbacks it is inside.
 *
 * NDIS calls a driver only through ndisi_cb_enter/ndisi_cb_leave. They record
 * which driver runs which entry point (so that DDIs forbidden "from an entry
 * point NDIS calls" are caught, and freed memory is charged to the right
 * driver), set the documented IRQL, check that the driver returns at the IRQL it
 * was called at, and feed the optional call trace. All of it is a few
 * thread-local stores: cheap enough for the data path.
 */
#ifndef NDISI_CBCTX_H
#define NDISI_CBCTX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ntdef.h>

struct ndisi_image;

enum ndisi_cbkind {
    NDISI_CB_NDIS_ENTRY = 1, /* a MiniportXxx/ProtocolXxx/FilterXxx function NDIS calls */
    NDISI_CB_DRIVER_ENTRY,   /* DriverEntry */
    NDISI_CB_DRIVER_UNLOAD,  /* DriverObject->DriverUnload or MiniportDriverUnload */
    NDISI_CB_WORKITEM,       /* NDIS_IO_WORKITEM_ROUTINE */
    NDISI_CB_TIMER,          /* NDIS_TIMER_FUNCTION */
    NDISI_CB_DPC,            /* KDEFERRED_ROUTINE */
};

#define NDISI_IRQL_SAME 0xff /* call at the caller's current IRQL */

struct ndisi_cbframe {
    struct ndisi_cbframe *prev;
    const char *fn;            /* role name, e.g. "ProtocolBindAdapterEx" */
    struct ndisi_image *image; /* the driver whose code runs */
    const char *object;        /* adapter or binding concerned, for diagnostics */
    uint8_t kind;              /* enum ndisi_cbkind */
    UCHAR irql;                /* IRQL the callback was entered at */
    UCHAR saved_irql;          /* IRQL to restore on leave */
};

extern __thread struct ndisi_cbframe *ndisi_cb_top;
extern __thread UCHAR ndisi_cur_irql;
extern atomic_int ndisi_trace_enabled; /* number of instances tracing */

void ndisi_trace_callback(const struct ndisi_cbframe *f, int phase, bool has_status,
                          LONG status);
void ndisi_cb_irql_mismatch(const struct ndisi_cbframe *f);

static inline void ndisi_cb_enter(struct ndisi_cbframe *f, struct ndisi_image *img,
                                  const char *fn, const char *object, enum ndisi_cbkind kind,
                                  unsigned irql)
{
    f->prev = ndisi_cb_top;
    f->fn = fn;
    f->image = img;
    f->object = object;
    f->kind = (uint8_t)kind;
    f->saved_irql = ndisi_cur_irql;
    if (irql != NDISI_IRQL_SAME)
        ndisi_cur_irql = (UCHAR)irql;
    f->irql = ndisi_cur_irql;
    ndisi_cb_top = f;
    if (__builtin_expect(atomic_load_explicit(&ndisi_trace_enabled, memory_order_relaxed), 0))
        ndisi_trace_callback(f, 0, false, 0);
}

static inline void ndisi_cb_leave_status(struct ndisi_cbframe *f, bool has_status, LONG status)
{
    if (__builtin_expect(atomic_load_explicit(&ndisi_trace_enabled, memory_order_relaxed), 0))
        ndisi_trace_callback(f, 1, has_status, status);
    if (__builtin_expect(ndisi_cur_irql != f->irql, 0))
        ndisi_cb_irql_mismatch(f);
    ndisi_cur_irql = f->saved_irql;
    ndisi_cb_top = f->prev;
}

static inline void ndisi_cb_leave(struct ndisi_cbframe *f)
{
    ndisi_cb_leave_status(f, false, 0);
}

/* The innermost NDIS entry point this thread is inside, or NULL. */
static inline const struct ndisi_cbframe *ndisi_cb_ndis_entry(void)
{
    for (const struct ndisi_cbframe *f = ndisi_cb_top; f; f = f->prev)
        if (f->kind == NDISI_CB_NDIS_ENTRY)
            return f;
    return NULL;
}

/* The driver whose code is running on this thread, if NDIS called it. */
static inline struct ndisi_image *ndisi_cb_current_image(void)
{
    return ndisi_cb_top ? ndisi_cb_top->image : NULL;
}

/*
 * IRQL check at a DDI entry: `max` is the highest IRQL of the page's req.irql,
 * `rule` the compliance rule (Irql_Miniport_Driver_Function, ...).
 */
bool ndisi_irql_fail(const char *ddi, const char *rule, UCHAR max, bool exact);

static inline bool ndisi_irql_le(UCHAR max, const char *ddi, const char *rule)
{
    if (__builtin_expect(ndisi_cur_irql <= max, 1))
        return true;
    return ndisi_irql_fail(ddi, rule, max, false);
}

static inline bool ndisi_irql_eq(UCHAR want, const char *ddi, const char *rule)
{
    if (__builtin_expect(ndisi_cur_irql == want, 1))
        return true;
    return ndisi_irql_fail(ddi, rule, want, true);
}

#endif /* NDISI_CBCTX_H */

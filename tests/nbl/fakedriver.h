/*
 * fakedriver.h - driver handles and report capture for the NET_BUFFER tests.
 *
 * Until the core (driver images, registration) is on main, a "driver" here is
 * a hand-made struct ndisi_image with a protocol driver handle pointing to it:
 * the protocol handle is what the tests pass as NdisHandle. Replace
 * t_driver()/t_driver_done() with real registrations once the host API can
 * load drivers; nothing else in the tests depends on how they are built.
 */
#ifndef NBL_FAKEDRIVER_H
#define NBL_FAKEDRIVER_H

#include <stdbool.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "test.h"

/* A protocol driver handle of a new driver image named `name`. */
NDIS_HANDLE t_driver(const char *name);
struct ndisi_image *t_driver_image(NDIS_HANDLE h);
/* Asserts the driver holds no pools and no memory, then frees it. */
void t_driver_done(NDIS_HANDLE h);

/* Runs the calling thread "inside" a callback of the driver (ndisi_cb_current_image). */
void t_enter(struct ndisi_cbframe *f, NDIS_HANDLE h);
void t_leave(struct ndisi_cbframe *f);

/* Verifier in log mode, reports captured (thread-safe). */
void t_reports_capture(void);
int t_reports(void);                 /* reports since the last t_reports_reset() */
void t_reports_reset(void);
const char *t_report_ddi(void);      /* of the last report */
const char *t_report_rule(void);
const char *t_report_class(void);
const char *t_report_msg(void);

/* Pool parameter helpers. */
NDIS_HANDLE t_nbl_pool(NDIS_HANDLE drv, BOOLEAN with_nb, USHORT ctx, ULONG data_size);
NDIS_HANDLE t_nb_pool(NDIS_HANDLE drv, ULONG data_size);

/* A heap buffer and an MDL over it (IoAllocateMdl + MmBuildMdlForNonPagedPool). */
PMDL t_mdl(ULONG len, unsigned char fill);
/* Frees an MDL chain made with t_mdl and the buffers behind it. */
void t_mdl_free_chain(PMDL m);

#endif /* NBL_FAKEDRIVER_H */

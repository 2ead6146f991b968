/*
 * os_test.h - helpers shared by the OS-services tests: driver images built by
 * hand, capture of verifier reports and diagnostics, and the end-of-case check
 * that every OS thread stopped and nothing leaked.
 */
#ifndef NDIS_OS_TEST_H
#define NDIS_OS_TEST_H

#include <stdbool.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "test.h"

/*
 * A driver image as the loader would create it, registered as a miniport
 * driver: t_h(img) is its NdisMiniportDriverHandle, the handle the DDIs that
 * take "an NDIS handle that the caller obtained during initialization" get.
 */
struct ndisi_image *t_image(const char *name);
NDIS_HANDLE t_h(struct ndisi_image *img);
/* Asserts the image holds no memory and no resources, then frees it. */
void t_image_done(struct ndisi_image *img);

/* Verifier policy "log" and every report recorded (call at the start of a case). */
void t_capture(void);
int t_reports(void);
/* Number of reports whose DDI is `ddi` (NULL: any) and whose message or rule
   contains `text` (NULL: any). */
int t_reported(const char *ddi, const char *text);
/* Message of report i. */
const char *t_report_msg(int i);
const char *t_report_rule(int i);
const char *t_report_class(int i);
void t_reports_clear(void);
/* Diagnostics recorded since t_capture (count and substring search). */
int t_diags(const char *text);

/* Runs the calling thread as if NDIS had called `img` at `irql`. */
void t_enter(struct ndisi_cbframe *f, struct ndisi_image *img, unsigned irql);
void t_leave(struct ndisi_cbframe *f);

/* Threads of this process, and those of them libndis started ("ndis-*"). */
int t_thread_count(void);
int t_ndis_threads(void);
/* The same once threads NDIS joined are gone from /proc (they linger a moment). */
int t_ndis_threads_after_join(void);

/* Stops the OS threads, releases quarantines, asserts none of them is left. */
void t_os_end(void);

/* Sleeps ms milliseconds. */
void t_sleep_ms(unsigned ms);
/* Waits until *flag is nonzero, at most ms; returns whether it became so. */
bool t_wait_flag(volatile int *flag, unsigned ms);

#endif /* NDIS_OS_TEST_H */

/*
 * timer.h - the timer thread behind NDIS timer objects (timer.c).
 */
#ifndef NDISI_OS_TIMER_H
#define NDISI_OS_TIMER_H

struct ndisi_image;

/*
 * Cancels every queued timer of `img` and waits until none of its timer
 * functions runs (for unload: a driver's timers must not fire into unloaded
 * code). Returns the number of timers that were still queued.
 */
unsigned ndisi_timer_cancel_image(struct ndisi_image *img);

/* Stops and joins the timer thread; timers still queued are dequeued. */
void ndisi_timer_shutdown(void);

#endif /* NDISI_OS_TIMER_H */

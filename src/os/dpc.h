/*
 * dpc.h - the DPC thread behind KeInsertQueueDpc (dpc.c).
 */
#ifndef NDISI_OS_DPC_H
#define NDISI_OS_DPC_H

struct ndisi_image;

/*
 * Removes every queued DPC initialized by `img` and waits until none of its DPC
 * routines runs (for unload). Returns the number removed.
 */
unsigned ndisi_dpc_cancel_image(struct ndisi_image *img);

/* Stops and joins the DPC thread; DPCs still queued are removed and reported. */
void ndisi_dpc_shutdown(void);

#endif /* NDISI_OS_DPC_H */

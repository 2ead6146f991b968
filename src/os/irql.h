/*
 * irql.h - helpers around the emulated IRQL (see irql.c and core/cbctx.h).
 */
#ifndef NDISI_OS_IRQL_H
#define NDISI_OS_IRQL_H

#include <stddef.h>

#include <ntdef.h>

/* "PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL" or the number, in buf. */
const char *ndisi_irql_name(UCHAR irql, char *buf, size_t len);

#endif /* NDISI_OS_IRQL_H */

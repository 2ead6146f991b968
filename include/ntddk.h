/*
 * ntddk.h - kernel-mode driver header. Everything an NDIS driver needs from
 * it (KeQueryTickCount included, nf-ntddk-kequerytickcount.md) is declared in
 * wdm.h, which this header includes.
 */
#ifndef _NTDDK_
#define _NTDDK_

#include <wdm.h>

#endif /* _NTDDK_ */

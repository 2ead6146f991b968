/*
 * fault.h - fault injection points (the host API is ndis_fault_inject in
 * ndishost.h). Allocation DDIs call ndisi_fault_fail() and fail the way their
 * page documents when it returns true.
 */
#ifndef NDISI_OS_FAULT_H
#define NDISI_OS_FAULT_H

#include <stdbool.h>

#include "ndishost.h"

/*
 * Counts one call at `p` and returns true if this call must fail. Lock-free;
 * the cost when no fault is configured is one relaxed atomic load.
 */
bool ndisi_fault_fail(ndis_fault_point p);

#endif /* NDISI_OS_FAULT_H */

/*
 * ndis.h - the NDIS 6.x driver interface of libndis, for miniport, protocol and
 * filter drivers written against Microsoft's ndis.h.
 *
 * A driver defines its version selector first (NDIS630_MINIPORT=1 for a
 * miniport, NDIS630=1 for a protocol or filter driver; see ndis/version.h) and
 * includes this header. It pulls in every part in the order that
 * docs/headers.md fixes; each part also compiles on its own.
 */
#ifndef _NDIS_
#define _NDIS_

#include <ntdef.h>
#include <ntstatus.h>
#include <wdm.h>
#include <ifdef.h>

#include <ndis/types.h>
#include <ndis/objectheader.h>
#include <ndis/version.h>
#include <ndis/status.h>
#include <ndis/oidtypes.h>
#include <ndis/ndisport.h>

#include <ntddndis.h>

#include <ndis/oidrequest.h>
#include <ndis/netpnp.h>

#include <ndis/mdlapi.h>
#include <ndis/nbl.h>
#include <ndis/nblinfo.h>
#include <ndis/nblaccessors.h>
#include <ndis/nblapi.h>
#include <ndis/nbl8021q.h>
#include <ndis/nblchecksum.h>
#include <ndis/nbllso.h>

#include <ndis/ossvc.h>
#include <ndis/config.h>
#include <ndis/statusind.h>

#include <ndis/miniport.h>
#include <ndis/protocol.h>
#include <ndis/filter.h>

/*
 * Declaration decorations of the WDK's ndis.h. Drivers and libndis are built
 * from source with one compiler, so they carry no calling convention or
 * import/export meaning here (docs/headers.md).
 */
#ifndef NDIS_API
#define NDIS_API
#endif
#ifndef NDISAPI
#define NDISAPI
#endif
#ifndef EXPORT
#define EXPORT
#endif
#ifndef NDIS_EXPORTED_ROUTINE
#define NDIS_EXPORTED_ROUTINE
#endif

/*
 * Code placement. Windows drivers write "#pragma NDIS_INIT_FUNCTION(DriverEntry)"
 * and, under ALLOC_PRAGMA, "#pragma alloc_text(PAGE, Fn)" to put routines in
 * discardable or pageable sections. A process has no such sections: the macros
 * keep their WDK expansion and ALLOC_PRAGMA stays undefined.
 *
 * Two Windows idioms draw GCC warnings that the WDK's compiler does not give:
 * these pragmas (and the other Microsoft ones) and multi-character pool tags
 * such as 'maDN' (NdisAllocateMemoryWithTagPriority, constants in every
 * driver). Both are silenced for the rest of the driver's translation unit.
 * G++ before 13 ignores these pragmas for preprocessor warnings, so C++
 * drivers build with -Wno-unknown-pragmas -Wno-multichar.
 */
#define NDIS_INIT_FUNCTION(FunctionName) alloc_text(INIT, FunctionName)
#define NDIS_PAGEABLE_FUNCTION(FunctionName) alloc_text(PAGE, FunctionName)
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wmultichar"
#endif

#endif /* _NDIS_ */

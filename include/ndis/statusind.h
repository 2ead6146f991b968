/*
 * ndis/statusind.h - NDIS_STATUS_INDICATION (ns-ndis-_ndis_status_indication.md),
 * the structure that NdisMIndicateStatusEx and NdisFIndicateStatus pass up and
 * that ProtocolStatusEx and FilterStatus receive.
 *
 * Part of libndis' split of the WDK's monolithic ndis.h (docs/headers.md).
 */
#ifndef _NDIS_STATUSIND_H_
#define _NDIS_STATUSIND_H_

#include <ntdef.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>

EXTERN_C_START

typedef struct _NDIS_STATUS_INDICATION {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_STATUS_INDICATION */
    NDIS_HANDLE SourceHandle;
    NDIS_PORT_NUMBER PortNumber;
    NDIS_STATUS StatusCode;
    ULONG Flags;
    NDIS_HANDLE DestinationHandle;
    PVOID RequestId;
    PVOID StatusBuffer;
    ULONG StatusBufferSize;
    GUID Guid;
    PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION, *PNDIS_STATUS_INDICATION;

#define NDIS_STATUS_INDICATION_REVISION_1 1
#define NDIS_SIZEOF_STATUS_INDICATION_REVISION_1                                \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_STATUS_INDICATION, NdisReserved)

/* Flags: the low 12 bits are reserved for NDIS; miniport drivers pass zero. */
#define NDIS_STATUS_INDICATION_FLAGS_NDIS_RESERVED 0x00000FFF
#define NDIS_STATUS_INDICATION_FLAGS_MEDIA_CONNECT_TO_CONNECT 0x00001000

EXTERN_C_END

#endif /* _NDIS_STATUSIND_H_ */

/*
 * ndis/oidtypes.h - NDIS_REQUEST_TYPE, the RequestType of an NDIS_OID_REQUEST
 * (ddi/ndis-split/oidtypes/ne-oidtypes-ndis_request_type.md, constants.md 3.7).
 * Values 3-11 are the NDIS 5 request kinds, kept so the numbering matches.
 */
#ifndef _NDIS_OIDTYPES_H_
#define _NDIS_OIDTYPES_H_

#include <ntdef.h>
#include <ndis/types.h>

typedef enum _NDIS_REQUEST_TYPE {
    NdisRequestQueryInformation = 0,
    NdisRequestSetInformation = 1,
    NdisRequestQueryStatistics = 2,
    NdisRequestOpen = 3,
    NdisRequestClose = 4,
    NdisRequestSend = 5,
    NdisRequestTransferData = 6,
    NdisRequestReset = 7,
    NdisRequestGeneric1 = 8,
    NdisRequestGeneric2 = 9,
    NdisRequestGeneric3 = 10,
    NdisRequestGeneric4 = 11,
    NdisRequestMethod = 12
} NDIS_REQUEST_TYPE, *PNDIS_REQUEST_TYPE;

#endif /* _NDIS_OIDTYPES_H_ */

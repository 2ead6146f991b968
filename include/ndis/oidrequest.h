/*
 * ndis/oidrequest.h - NDIS_OID_REQUEST
 * (ddi/ndis-split/oidrequest/ns-oidrequest-ndis_oid_request.md; sizes and
 * revisions from constants.md 2.2 and 3.7).
 */
#ifndef _NDIS_OIDREQUEST_H_
#define _NDIS_OIDREQUEST_H_

#include <ntdef.h>
#include <ndis/types.h>
#include <ndis/objectheader.h>
#include <ndis/version.h>
#include <ndis/oidtypes.h>

/* NdisReserved holds this many pointers. */
#define NDIS_OID_REQUEST_NDIS_RESERVED_SIZE 16

/* Timeout value meaning "no time-out". */
#define NDIS_OID_REQUEST_TIMEOUT_INFINITE 0

/* NDIS_OID_REQUEST.Flags (revision 2, NDIS 6.50) */
#define NDIS_OID_REQUEST_FLAGS_VPORT_ID_VALID 0x0001

typedef struct _NDIS_OID_REQUEST {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_OID_REQUEST */
    NDIS_REQUEST_TYPE RequestType;
    NDIS_PORT_NUMBER PortNumber;
    UINT Timeout; /* seconds */
    PVOID RequestId;
    NDIS_HANDLE RequestHandle;
    union _REQUEST_DATA {
        /* Every request kind starts with the OID, so DATA.Oid reads it for any of them. */
        NDIS_OID Oid;

        /* NdisRequestQueryInformation, NdisRequestQueryStatistics */
        struct _QUERY {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesWritten;
            UINT BytesNeeded;
        } QUERY_INFORMATION;

        /* NdisRequestSetInformation */
        struct _SET {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesRead;
            UINT BytesNeeded;
        } SET_INFORMATION;

        /* NdisRequestMethod */
        struct _METHOD {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            ULONG InputBufferLength;
            ULONG OutputBufferLength;
            ULONG MethodId;
            UINT BytesWritten;
            UINT BytesRead;
            UINT BytesNeeded;
        } METHOD_INFORMATION;
    } DATA;
    UCHAR NdisReserved[NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID)];
    UCHAR MiniportReserved[2 * sizeof(PVOID)];
    UCHAR SourceReserved[2 * sizeof(PVOID)];
    UCHAR SupportedRevision;
    UCHAR Reserved1;
    USHORT Reserved2;
#if NDIS_SUPPORT_NDIS650
    NDIS_NIC_SWITCH_ID SwitchId;
    NDIS_NIC_SWITCH_VPORT_ID VPortId; /* valid with NDIS_OID_REQUEST_FLAGS_VPORT_ID_VALID */
    ULONG Flags;
#endif
} NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;

#define NDIS_OID_REQUEST_REVISION_1 1
#define NDIS_SIZEOF_OID_REQUEST_REVISION_1                                      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_OID_REQUEST, Reserved2)
#if NDIS_SUPPORT_NDIS650
#define NDIS_OID_REQUEST_REVISION_2 2
#define NDIS_SIZEOF_OID_REQUEST_REVISION_2                                      \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_OID_REQUEST, Flags)
#endif

#endif /* _NDIS_OIDREQUEST_H_ */

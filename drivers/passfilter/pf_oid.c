/*
 * pf_oid.c - passfilter's OID requests, the way filtering-oid-requests-in-
 * an-ndis-filter-driver.md describes: FilterOidRequest clones the request
 * (NdisAllocateCloneOidRequest), keeps the original in the clone's
 * SourceReserved and passes the clone down (NdisFOidRequest). When the clone
 * completes - at once, or later through FilterOidRequestComplete - the
 * results are copied to the original, the clone is freed
 * (NdisFreeCloneOidRequest), and the original completes with the same status
 * (returned, or NdisFOidRequestComplete).
 */
#include "pf.h"

static PNDIS_OID_REQUEST *
PfOriginalSlot(_In_ PNDIS_OID_REQUEST Clone)
{
    return (PNDIS_OID_REQUEST *)Clone->SourceReserved;
}

/* Copies what the drivers below wrote into the clone back to the original. */
static VOID
PfCopyResults(_Inout_ PNDIS_OID_REQUEST Original, _In_ const NDIS_OID_REQUEST *Clone)
{
    switch (Original->RequestType) {
    case NdisRequestSetInformation:
        Original->DATA.SET_INFORMATION.BytesRead = Clone->DATA.SET_INFORMATION.BytesRead;
        Original->DATA.SET_INFORMATION.BytesNeeded = Clone->DATA.SET_INFORMATION.BytesNeeded;
        break;
    case NdisRequestMethod:
        Original->DATA.METHOD_INFORMATION.OutputBufferLength =
            Clone->DATA.METHOD_INFORMATION.OutputBufferLength;
        Original->DATA.METHOD_INFORMATION.BytesWritten =
            Clone->DATA.METHOD_INFORMATION.BytesWritten;
        Original->DATA.METHOD_INFORMATION.BytesRead = Clone->DATA.METHOD_INFORMATION.BytesRead;
        Original->DATA.METHOD_INFORMATION.BytesNeeded =
            Clone->DATA.METHOD_INFORMATION.BytesNeeded;
        break;
    default: /* queries */
        Original->DATA.QUERY_INFORMATION.BytesWritten = Clone->DATA.QUERY_INFORMATION.BytesWritten;
        Original->DATA.QUERY_INFORMATION.BytesNeeded = Clone->DATA.QUERY_INFORMATION.BytesNeeded;
        break;
    }
}

/* The clone is done: results to the original, clone freed. Returns the original. */
static PNDIS_OID_REQUEST
PfFinishClone(_In_ PPF_MODULE Module, _In_ PNDIS_OID_REQUEST Clone, NDIS_STATUS Status)
{
    PNDIS_OID_REQUEST original = *PfOriginalSlot(Clone);

    PfCopyResults(original, Clone);
    NdisFreeCloneOidRequest(Module->FilterHandle, Clone);
    if (Status != NDIS_STATUS_SUCCESS)
        PfCount(Module, OidFailed, 1);
    return original;
}

_Use_decl_annotations_
NDIS_STATUS
PfOidRequest(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    PNDIS_OID_REQUEST clone;
    NDIS_STATUS status;

    PfCount(module, OidRequests, 1);
    status = NdisAllocateCloneOidRequest(module->FilterHandle, OidRequest, PF_POOL_TAG, &clone);
    if (status != NDIS_STATUS_SUCCESS) {
        PfCount(module, OidFailed, 1);
        return NDIS_STATUS_RESOURCES;
    }
    /* The same RequestId, so a cancel of the original finds the clone below. */
    clone->RequestId = OidRequest->RequestId;
    *PfOriginalSlot(clone) = OidRequest;

    status = NdisFOidRequest(module->FilterHandle, clone);
    if (status == NDIS_STATUS_PENDING)
        return NDIS_STATUS_PENDING; /* PfOidRequestComplete finishes it */
    (VOID)PfFinishClone(module, clone, status);
    return status;
}

_Use_decl_annotations_
VOID
PfOidRequestComplete(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                     NDIS_STATUS Status)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;
    PNDIS_OID_REQUEST original;

    /* Only clones go down from this module: every completion is one of them. */
    PfCount(module, OidPended, 1);
    original = PfFinishClone(module, OidRequest, Status);
    NdisFOidRequestComplete(module->FilterHandle, original, Status);
}

_Use_decl_annotations_
VOID
PfCancelOidRequest(NDIS_HANDLE FilterModuleContext, PVOID RequestId)
{
    PPF_MODULE module = (PPF_MODULE)FilterModuleContext;

    /* The clone carries the original's RequestId; the drivers below cancel it
       and its completion completes the original. */
    NdisFCancelOidRequest(module->FilterHandle, RequestId);
}

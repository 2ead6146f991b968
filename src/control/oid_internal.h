/*
 * oid_internal.h - what the two halves of the OID path share: oid.c routes
 * requests down the stack and completions back up; oid_binding.c keeps the
 * per-binding packet filter, multicast list and lookahead and the merged
 * values the miniport hears.
 */
#ifndef NDISI_OID_INTERNAL_H
#define NDISI_OID_INTERNAL_H

#include <string.h>

#include "control/oid.h"
#include "core/model.h"

/* Who issued a request travelling in the stack, and where it is. */
enum rec_kind { REC_OPEN, REC_MODULE, REC_INTERNAL, REC_HOST };

struct oid_rec {
    LIST_ENTRY link;                 /* adapter->oid_queue */
    PNDIS_OID_REQUEST req;
    enum rec_kind kind;
    struct ndisi_open *open;         /* REC_OPEN: the issuing binding */
    struct ndisi_filter_module *mod; /* REC_MODULE: the issuing module */
    struct ndisi_filter_module *at;  /* module handling it; NULL: miniport edge */
    bool queued;                     /* waiting for the miniport */
    bool at_miniport;                /* given to MiniportOidRequest, not completed */
    /* REC_INTERNAL: NDIS's own set of an adapter-wide value (enum sync_kind); the
       bindings' requests riding on it are in a->oid_sync[sync_kind].carried. */
    int sync_kind;
    NDIS_OID_REQUEST own;
    /* REC_HOST: a request of the host API (ndisi_oid_issue), completed to `done`. */
    ndisi_oid_done_fn *done;
    void *done_ctx;
    union {
        ULONG ul;
        UCHAR mcast[NDISI_MAX_MCAST][6];
    } buf;
};

/* ---- request helpers ----------------------------------------------------------------- */

static inline bool is_query(PNDIS_OID_REQUEST r)
{
    return r->RequestType == NdisRequestQueryInformation ||
           r->RequestType == NdisRequestQueryStatistics;
}

static inline NDIS_OID req_oid(PNDIS_OID_REQUEST r)
{
    return r->DATA.Oid;
}

/* Answers a query with `len` bytes, or BUFFER_TOO_SHORT with BytesNeeded. */
static inline NDIS_STATUS answer(PNDIS_OID_REQUEST r, const void *data, ULONG len)
{
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        r->DATA.QUERY_INFORMATION.BytesWritten = 0;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    if (len)
        memcpy(r->DATA.QUERY_INFORMATION.InformationBuffer, data, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    r->DATA.QUERY_INFORMATION.BytesNeeded = 0;
    return NDIS_STATUS_SUCCESS;
}

static inline NDIS_STATUS answer_ul(PNDIS_OID_REQUEST r, ULONG v)
{
    return answer(r, &v, sizeof(v));
}

static inline NDIS_STATUS set_len(PNDIS_OID_REQUEST r, ULONG need, bool exact)
{
    ULONG have = r->DATA.SET_INFORMATION.InformationBufferLength;
    if (have < need || (exact && have != need)) {
        r->DATA.SET_INFORMATION.BytesNeeded = need;
        r->DATA.SET_INFORMATION.BytesRead = 0;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    return NDIS_STATUS_SUCCESS;
}

/* ---- oid.c ------------------------------------------------------------------------- */

/*
 * Sends `rec` to the next OID layer below `from` (NULL: the protocol edge).
 * Returns the final status when the request completed synchronously or
 * NDIS_STATUS_PENDING when the completion will come through the record.
 */
NDIS_STATUS ndisi_oid_down(struct ndisi_adapter *a, struct ndisi_filter_module *from,
                           struct oid_rec *rec);
/* ProtocolOidRequestComplete of binding o; its OID drain drops. */
void ndisi_oid_complete_to_open(struct ndisi_open *o, PNDIS_OID_REQUEST req, NDIS_STATUS st);

/* ---- oid_binding.c --------------------------------------------------------------------- */

/* The per-binding OIDs at the protocol edge; true if NDIS handled r (*st is the
   result, possibly PENDING). */
bool ndisi_oid_binding(struct ndisi_open *o, PNDIS_OID_REQUEST r, NDIS_STATUS *st);
/* NDIS's own set of a merged value (REC_INTERNAL) that pended completed. */
void ndisi_oid_merged_complete(struct ndisi_adapter *a, struct oid_rec *rec, NDIS_STATUS st);
/* A copy of what *slot (a binding's filter, or the adapter's union) holds. */
void ndisi_rxf_read(struct ndisi_adapter *a, struct ndisi_rxfilter *_Atomic *slot,
                    struct ndisi_rxfilter *out);
/* Frees the adapter's filters (it is going away). */
void ndisi_rxf_adapter_cleanup(struct ndisi_adapter *a);

#endif /* NDISI_OID_INTERNAL_H */

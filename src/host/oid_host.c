/*
 * oid_host.c - OID requests the host issues to an adapter (ndis_host_oid):
 * NDIS's own request at the top of the stack, run on the PnP worker so the
 * adapter cannot be halted under it, waited for (bounded) when a filter or the
 * miniport pends it. The request and its buffer live in one heap block shared
 * by the caller, the worker operation and a pending completion: whichever lets
 * go last frees it, so a late completion after a timeout is harmless.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/oid.h"
#include "core/core.h"
#include "core/verifier.h"

struct host_oid {
    struct ndisi_req r;           /* refs: caller, worker operation, pending completion */
    struct ndis_host *host;
    char adapter[NDISI_NAME_MAX];
    NDIS_OID_REQUEST req;
    struct ndisi_completion done; /* status: the NDIS_STATUS of a pended request */
    NDIS_STATUS status;
    size_t len;
    unsigned char buf[];
};

static void host_oid_put(struct host_oid *ho)
{
    if (atomic_fetch_sub(&ho->r.refs, 1) == 1)
        free(ho);
}

static void host_oid_done(void *ctx, PNDIS_OID_REQUEST req, NDIS_STATUS status)
{
    struct host_oid *ho = ctx;
    (void)req;
    ndisi_completion_complete(&ho->done, &ho->host->wq, (int)status);
    host_oid_put(ho);
}

static bool oid_state_ok(const struct ndisi_adapter *a)
{
    switch (atomic_load(&a->state)) {
    case NDISI_AS_PAUSED:
    case NDISI_AS_RUNNING:
    case NDISI_AS_PAUSING:
    case NDISI_AS_RESTARTING:
        return true;
    default:
        return false;
    }
}

static void host_oid_op(struct ndis_host *h, struct ndisi_req *r)
{
    struct host_oid *ho = (struct host_oid *)r;
    pthread_mutex_lock(&h->lock);
    struct ndisi_adapter *a = ndisi_find_adapter(h, ho->adapter);
    pthread_mutex_unlock(&h->lock);
    if (!a) {
        r->result = -ENOENT;
        return;
    }
    if (!oid_state_ok(a) || a->removing) {
        ndisi_diag("OID 0x%08x for adapter '%s': the adapter is %s%s; OID requests need a "
                   "Paused or Running adapter",
                   ho->req.DATA.Oid, a->name, ndisi_adapter_state_name(a),
                   a->removing ? " and being removed" : "");
        r->result = -EBUSY;
        return;
    }
    ndisi_completion_reset(&ho->done);
    atomic_fetch_add(&ho->r.refs, 1); /* for host_oid_done, if the request pends */
    NDIS_STATUS st = ndisi_oid_issue(a, &ho->req, host_oid_done, ho);
    if (st != NDIS_STATUS_PENDING) {
        atomic_fetch_sub(&ho->r.refs, 1); /* the caller and this operation still hold it */
        ho->status = st;
        r->result = 0;
        return;
    }
    char what[160];
    snprintf(what, sizeof(what), "OID request 0x%08x to adapter '%s' to complete",
             ho->req.DATA.Oid, a->name);
    if (!ndisi_completion_wait(&ho->done, &h->wq, what, NULL, NULL, h->wait_timeout_ms)) {
        ndisi_report(NDISI_V_TIMEOUT, "ndis_host_oid",
                     "a pended OID request completes (NdisMOidRequestComplete, "
                     "NdisFOidRequestComplete)",
                     "adapter '%s': OID 0x%08x did not complete within %u ms", a->name,
                     ho->req.DATA.Oid, h->wait_timeout_ms);
        r->result = -ETIMEDOUT;
        return;
    }
    ho->status = (NDIS_STATUS)ho->done.status;
    r->result = 0;
}

static bool per_binding_oid(NDIS_OID oid)
{
    return oid == OID_GEN_CURRENT_PACKET_FILTER || oid == OID_802_3_MULTICAST_LIST ||
           oid == OID_GEN_CURRENT_LOOKAHEAD;
}

int ndis_host_oid(ndis_host *h, const char *adapter, int type, uint32_t oid, void *buf,
                  size_t len, int32_t *status, size_t *bytes)
{
    if (!ndisi_obj_check(h, NDISI_OBJ_HOST, "ndis_host_oid", "h") || !adapter || !status ||
        !bytes || (len && !buf) || len > NDIS_HOST_OID_MAX_LEN)
        return -EINVAL;
    if (type != NdisRequestQueryInformation && type != NdisRequestSetInformation &&
        type != NdisRequestQueryStatistics)
        return -EINVAL;
    if (type == NdisRequestSetInformation && per_binding_oid(oid)) {
        ndisi_diag("OID 0x%08x for adapter '%s': NDIS keeps this OID per binding; a protocol "
                   "sets it on its binding (NdisOidRequest)",
                   oid, adapter);
        return -EINVAL;
    }
    struct host_oid *ho = ndisi_req_new(sizeof(*ho) + len, host_oid_op);
    if (!ho)
        return -ENOMEM;
    ho->host = h;
    snprintf(ho->adapter, sizeof(ho->adapter), "%s", adapter);
    ho->len = len;
    if (len)
        memcpy(ho->buf, buf, len);
    NDIS_OID_REQUEST *r = &ho->req;
    r->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    r->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    r->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    r->RequestType = (NDIS_REQUEST_TYPE)type;
    r->RequestId = ho;
    r->DATA.QUERY_INFORMATION.Oid = oid;
    r->DATA.QUERY_INFORMATION.InformationBuffer = len ? ho->buf : NULL;
    r->DATA.QUERY_INFORMATION.InformationBufferLength = (ULONG)len;

    /* One more reference than ndisi_req_run drops: the answer is read after it. */
    atomic_fetch_add(&ho->r.refs, 1);
    char what[160];
    snprintf(what, sizeof(what), "OID request 0x%08x to adapter '%s'", oid, adapter);
    int rc = ndisi_req_run(h, &ho->r, what);
    if (rc == 0) {
        *status = ho->status;
        bool needed = ho->status == NDIS_STATUS_BUFFER_TOO_SHORT ||
                      ho->status == NDIS_STATUS_INVALID_LENGTH;
        if (type == NdisRequestSetInformation) {
            *bytes = needed ? r->DATA.SET_INFORMATION.BytesNeeded
                            : r->DATA.SET_INFORMATION.BytesRead;
        } else {
            *bytes = needed ? r->DATA.QUERY_INFORMATION.BytesNeeded
                            : r->DATA.QUERY_INFORMATION.BytesWritten;
            if (!needed && ho->status == NDIS_STATUS_SUCCESS) {
                if (*bytes > len)
                    *bytes = len;
                if (*bytes)
                    memcpy(buf, ho->buf, *bytes);
            }
        }
    }
    host_oid_put(ho);
    return rc;
}

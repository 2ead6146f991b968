/*
 * sp_api.c - the C interface of sampleproto.h. Not NDIS: the sample's own
 * calls for programs that link the driver in. Each call finds the binding by
 * adapter name and holds a reference on it while it works, which keeps
 * ProtocolUnbindAdapterEx from freeing the binding under it.
 */
#include "sp.h"

int
sampleproto_send(const char *adapter, const unsigned char dst[6], unsigned short ethertype,
                 unsigned len, unsigned count)
{
    PSP_BINDING binding;
    ULONG sent = 0, maxLength;
    int total = 0, result;

    if (!SpGlobals.Loaded)
        return -ENODEV;
    if (adapter == NULL || dst == NULL || len < SP_ETH_HEADER_SIZE || count > 0x7FFFFFFFu)
        return -EINVAL;
    binding = SpReferenceBinding(adapter);
    if (binding == NULL)
        return -ENOENT;
    maxLength = binding->MtuSize + SP_ETH_HEADER_SIZE;
    if (len > maxLength) {
        SpDereferenceBinding(binding);
        return -EMSGSIZE;
    }
    while (sent < count) {
        ULONG batch = count - sent < SP_SEND_BATCH_MAX ? count - sent : SP_SEND_BATCH_MAX;

        result = SpSendFrames(binding, dst, ethertype, len, batch);
        if (result < 0) {
            /* Paused or out of memory part way: report what got through. */
            if (total == 0)
                total = result;
            break;
        }
        total += result;
        sent += batch;
    }
    SpDereferenceBinding(binding);
    return total;
}

int
sampleproto_stats(const char *adapter, struct sampleproto_stats *out)
{
    PSP_BINDING binding;
    ULONG i;

    if (!SpGlobals.Loaded)
        return -ENODEV;
    if (adapter == NULL || out == NULL)
        return -EINVAL;
    binding = SpReferenceBinding(adapter);
    if (binding == NULL)
        return -ENOENT;

    NdisZeroMemory(out, sizeof(*out));
    NdisMoveMemory(out->adapter, binding->AdapterName, sizeof(out->adapter));
    NdisMoveMemory(out->mac, binding->MacAddress, sizeof(out->mac));
    out->mtu = binding->MtuSize;
    NdisAcquireSpinLock(&binding->Lock);
    out->running = binding->State == SpBindingRunning;
    out->link_up = binding->LinkUp;
    out->link_speed = binding->LinkSpeed;
    out->packet_filter = binding->PacketFilter;
    out->packet_filter_status = binding->PacketFilterStatus;
    out->sent = binding->Counters.Sent;
    out->send_completed = binding->Counters.SendCompleted;
    out->send_failed = binding->Counters.SendFailed;
    out->last_send_failure = (int32_t)binding->Counters.LastSendFailure;
    out->received = binding->Counters.Received;
    out->received_bytes = binding->Counters.ReceivedBytes;
    out->dropped = binding->Counters.Dropped;
    out->status_indications = binding->Counters.StatusIndications;
    out->link_changes = binding->Counters.LinkChanges;
    out->n_types = binding->Counters.TypeCount;
    for (i = 0; i < binding->Counters.TypeCount; i++) {
        out->by_type[i].ethertype = binding->Counters.ByType[i].EtherType;
        out->by_type[i].frames = binding->Counters.ByType[i].Frames;
    }
    out->other_types = binding->Counters.OtherTypes;
    NdisReleaseSpinLock(&binding->Lock);

    SpDereferenceBinding(binding);
    return 0;
}

static int
SpRequest(const char *Adapter, NDIS_REQUEST_TYPE Type, NDIS_OID Oid, PVOID Buffer, ULONG Length,
          sampleproto_oid_result *Result)
{
    PSP_BINDING binding;
    PSP_REQUEST request;
    NDIS_STATUS status;

    if (!SpGlobals.Loaded)
        return -ENODEV;
    if (Adapter == NULL || Result == NULL || (Length != 0 && Buffer == NULL) ||
        Length > SAMPLEPROTO_MAX_OID_BUFFER)
        return -EINVAL;
    binding = SpReferenceBinding(Adapter);
    if (binding == NULL)
        return -ENOENT;
    request = SpAllocateRequest(Type, Oid, Type == NdisRequestSetInformation ? Buffer : NULL,
                                Length);
    if (request == NULL) {
        SpDereferenceBinding(binding);
        return -ENOMEM;
    }

    status = SpRequestAndWait(binding, request);
    Result->status = (int32_t)status;
    if (Type == NdisRequestSetInformation) {
        Result->bytes_done = request->Request.DATA.SET_INFORMATION.BytesRead;
        Result->bytes_needed = request->Request.DATA.SET_INFORMATION.BytesNeeded;
    } else {
        ULONG written = request->Request.DATA.QUERY_INFORMATION.BytesWritten;

        if (written > Length)
            written = Length;
        if (written != 0)
            NdisMoveMemory(Buffer, request->Buffer, written);
        Result->bytes_done = written;
        Result->bytes_needed = request->Request.DATA.QUERY_INFORMATION.BytesNeeded;
    }
    SpReleaseRequest(request);
    SpDereferenceBinding(binding);
    return 0;
}

int
sampleproto_query(const char *adapter, uint32_t oid, void *buf, unsigned len,
                  sampleproto_oid_result *res)
{
    return SpRequest(adapter, NdisRequestQueryInformation, oid, buf, len, res);
}

int
sampleproto_set(const char *adapter, uint32_t oid, const void *buf, unsigned len,
                sampleproto_oid_result *res)
{
    return SpRequest(adapter, NdisRequestSetInformation, oid, (PVOID)buf, len, res);
}

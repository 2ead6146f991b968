/*
 * pf_api.c - the program interface of passfilter.h: the counters of each
 * module, read under PfDriver.Lock (which keeps the module from detaching).
 */
#include <errno.h>

#include "pf.h"

static const char *const PfStateNames[] = {"Paused", "Running"};

static unsigned long long
PfRead(_In_ LONG64 volatile *Counter)
{
    return (unsigned long long)InterlockedCompareExchange64(Counter, 0, 0);
}

/* PfDriver.Lock held. */
static VOID
PfFill(_In_ PPF_MODULE Module, _Out_ passfilter_counters *Out)
{
    PF_COUNTERS *c = &Module->Counters;
    PF_MODULE_STATE state = PfState(Module, TRUE);
    ULONG i;

    NdisZeroMemory(Out, sizeof(*Out));
    for (i = 0; i + 1 < sizeof(Out->adapter) && Module->Name[i] != '\0'; i++)
        Out->adapter[i] = Module->Name[i];
    for (i = 0; PfStateNames[state][i] != '\0'; i++)
        Out->state[i] = PfStateNames[state][i];
    Out->send_nbls = PfRead(&c->SendNbls);
    Out->send_frames = PfRead(&c->SendFrames);
    Out->send_bytes = PfRead(&c->SendBytes);
    Out->send_completes = PfRead(&c->SendCompletes);
    Out->send_rejected = PfRead(&c->SendRejected);
    Out->receive_nbls = PfRead(&c->ReceiveNbls);
    Out->receive_frames = PfRead(&c->ReceiveFrames);
    Out->receive_bytes = PfRead(&c->ReceiveBytes);
    Out->receive_resources = PfRead(&c->ReceiveResources);
    Out->returns = PfRead(&c->Returns);
    Out->receive_rejected = PfRead(&c->ReceiveRejected);
    Out->oid_requests = PfRead(&c->OidRequests);
    Out->oid_pended = PfRead(&c->OidPended);
    Out->oid_failed = PfRead(&c->OidFailed);
    Out->status_indications = PfRead(&c->StatusIndications);
    Out->net_pnp_events = PfRead(&c->NetPnPEvents);
    Out->device_pnp_events = PfRead(&c->DevicePnPEvents);
    Out->pauses = PfRead(&c->Pauses);
    Out->restarts = PfRead(&c->Restarts);
}

static BOOLEAN
PfNameEquals(const CHAR *Name, const char *Text)
{
    ULONG i;

    for (i = 0; i < PASSFILTER_NAME_MAX; i++) {
        if (Name[i] != Text[i])
            return FALSE;
        if (Name[i] == '\0')
            return TRUE;
    }
    return FALSE;
}

int
passfilter_list(passfilter_counters *out, unsigned max, unsigned *count)
{
    PLIST_ENTRY entry;
    unsigned n = 0;

    if ((out == NULL && max != 0) || count == NULL)
        return -EINVAL;
    *count = 0;
    if (PfDriver.FilterDriverHandle == NULL)
        return 0;
    NdisAcquireSpinLock(&PfDriver.Lock);
    for (entry = PfDriver.Modules.Flink; entry != &PfDriver.Modules; entry = entry->Flink) {
        if (n < max)
            PfFill(CONTAINING_RECORD(entry, PF_MODULE, Link), &out[n]);
        n++;
    }
    NdisReleaseSpinLock(&PfDriver.Lock);
    *count = n;
    return 0;
}

int
passfilter_get(const char *adapter, passfilter_counters *out)
{
    PLIST_ENTRY entry;
    int result = -ENOENT;

    if (adapter == NULL || out == NULL)
        return -EINVAL;
    if (PfDriver.FilterDriverHandle == NULL)
        return -ENOENT;
    NdisAcquireSpinLock(&PfDriver.Lock);
    for (entry = PfDriver.Modules.Flink; entry != &PfDriver.Modules; entry = entry->Flink) {
        PPF_MODULE module = CONTAINING_RECORD(entry, PF_MODULE, Link);
        if (PfNameEquals(module->Name, adapter)) {
            PfFill(module, out);
            result = 0;
            break;
        }
    }
    NdisReleaseSpinLock(&PfDriver.Lock);
    return result;
}

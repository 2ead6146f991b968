/*
 * ef_api.c - the program interface of ethfilter.h: each module's rules and
 * counters, read under EfDriver.Lock (which keeps the module from detaching)
 * and the module's Lock (which keeps rules and counts together).
 */
#include <errno.h>

#include "ef.h"

static unsigned long long
EfRead(_In_ LONG64 volatile *Counter)
{
    return (unsigned long long)InterlockedCompareExchange64(Counter, 0, 0);
}

/* EfDriver.Lock held. */
static VOID
EfFill(_In_ PEF_MODULE Module, _Out_ ethfilter_counters *Out)
{
    static const char *const states[] = {"Paused", "Running"};
    ULONG i;

    NdisZeroMemory(Out, sizeof(*Out));
    for (i = 0; i + 1 < sizeof(Out->adapter) && Module->Name[i] != '\0'; i++)
        Out->adapter[i] = Module->Name[i];
    NdisDprAcquireSpinLock(&Module->Lock);
    for (i = 0; states[Module->State][i] != '\0'; i++)
        Out->state[i] = states[Module->State][i];
    Out->rules_source = Module->Rules.Source;
    Out->ntypes = Module->Rules.Count;
    for (i = 0; i < Module->Rules.Count; i++) {
        Out->ethertype[i] = Module->Rules.EtherType[i];
        Out->dropped_send[i] = EfRead(&Module->DroppedSend[i]);
        Out->dropped_receive[i] = EfRead(&Module->DroppedReceive[i]);
    }
    NdisDprReleaseSpinLock(&Module->Lock);
    Out->passed_send = EfRead(&Module->PassedSend);
    Out->passed_receive = EfRead(&Module->PassedReceive);
    Out->rejected_send = EfRead(&Module->RejectedSend);
    Out->rejected_receive = EfRead(&Module->RejectedReceive);
}

static BOOLEAN
EfNameEquals(const CHAR *Name, const char *Text)
{
    ULONG i;

    for (i = 0; i < ETHFILTER_NAME_MAX; i++) {
        if (Name[i] != Text[i])
            return FALSE;
        if (Name[i] == '\0')
            return TRUE;
    }
    return FALSE;
}

int
ethfilter_list(ethfilter_counters *out, unsigned max, unsigned *count)
{
    PLIST_ENTRY entry;
    unsigned n = 0;

    if ((out == NULL && max != 0) || count == NULL)
        return -EINVAL;
    *count = 0;
    if (EfDriver.FilterDriverHandle == NULL)
        return 0;
    NdisAcquireSpinLock(&EfDriver.Lock);
    for (entry = EfDriver.Modules.Flink; entry != &EfDriver.Modules; entry = entry->Flink) {
        if (n < max)
            EfFill(CONTAINING_RECORD(entry, EF_MODULE, Link), &out[n]);
        n++;
    }
    NdisReleaseSpinLock(&EfDriver.Lock);
    *count = n;
    return 0;
}

int
ethfilter_get(const char *adapter, ethfilter_counters *out)
{
    PLIST_ENTRY entry;
    int result = -ENOENT;

    if (adapter == NULL || out == NULL)
        return -EINVAL;
    if (EfDriver.FilterDriverHandle == NULL)
        return -ENOENT;
    NdisAcquireSpinLock(&EfDriver.Lock);
    for (entry = EfDriver.Modules.Flink; entry != &EfDriver.Modules; entry = entry->Flink) {
        PEF_MODULE module = CONTAINING_RECORD(entry, EF_MODULE, Link);
        if (EfNameEquals(module->Name, adapter)) {
            EfFill(module, out);
            result = 0;
            break;
        }
    }
    NdisReleaseSpinLock(&EfDriver.Lock);
    return result;
}

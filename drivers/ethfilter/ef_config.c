/*
 * ef_config.c - ethfilter's configuration: the DropEtherTypes keyword.
 *
 * A filter reads configuration with NdisOpenConfigurationEx: given its
 * NdisFilterHandle it gets the module's own key, given its driver handle the
 * driver's parameters (accessing-configuration-information-for-a-filter-
 * driver.md). The module's key wins, so an operator can set the types for one
 * adapter; otherwise the driver-wide value applies, which is the INF's
 * Ndi\params default until an operator changes it. Nothing configured means
 * nothing is dropped.
 *
 * The value is a string (REG_SZ, "0x86DD,0x88CC") or a list (REG_MULTI_SZ),
 * each entry an EtherType in hex with or without "0x". Values are checked
 * before use (security-issues-for-network-drivers.md): an entry that is not
 * hex, is longer than 16 bits or is below 0x0600 (an 802.3 length, not an
 * EtherType) is reported and ignored, and at most ETHFILTER_MAX_TYPES are kept.
 */
#include "ef.h"

static BOOLEAN
EfIsSeparator(WCHAR c)
{
    return c == L',' || c == L';' || c == L' ' || c == L'\t' || c == L'\0';
}

static int
EfHexDigit(WCHAR c)
{
    if (c >= L'0' && c <= L'9')
        return c - L'0';
    if (c >= L'a' && c <= L'f')
        return c - L'a' + 10;
    if (c >= L'A' && c <= L'F')
        return c - L'A' + 10;
    return -1;
}

/* One entry, `Length` characters without separators: TRUE and *Value if valid. */
static BOOLEAN
EfParseEntry(_In_reads_(Length) const WCHAR *Entry, ULONG Length, _Out_ PUSHORT Value)
{
    ULONG value = 0, i = 0;

    if (Length >= 2 && Entry[0] == L'0' && (Entry[1] == L'x' || Entry[1] == L'X'))
        i = 2;
    if (i == Length || Length - i > 4)
        return FALSE;
    for (; i < Length; i++) {
        int digit = EfHexDigit(Entry[i]);
        if (digit < 0)
            return FALSE;
        value = value * 16 + (ULONG)digit;
    }
    if (value < EF_MIN_ETHERTYPE)
        return FALSE;
    *Value = (USHORT)value;
    return TRUE;
}

static VOID
EfAddType(_Inout_ EF_RULES *Rules, USHORT EtherType, _In_z_ const CHAR *Module)
{
    ULONG i;

    for (i = 0; i < Rules->Count; i++) {
        if (Rules->EtherType[i] == EtherType)
            return; /* listed twice: once is enough */
    }
    if (Rules->Count == ETHFILTER_MAX_TYPES) {
        DbgPrint("ethfilter: %s: DropEtherTypes lists more than %u types; 0x%04X ignored\n",
                 Module, ETHFILTER_MAX_TYPES, EtherType);
        return;
    }
    Rules->EtherType[Rules->Count++] = EtherType;
}

_Use_decl_annotations_
ULONG
EfParseEtherTypes(const WCHAR *Text, ULONG Length, const CHAR *Module, EF_RULES *Rules)
{
    ULONG start = 0, end;
    USHORT value;

    while (start < Length) {
        if (EfIsSeparator(Text[start])) {
            start++;
            continue;
        }
        for (end = start; end < Length && !EfIsSeparator(Text[end]); end++)
            ;
        if (EfParseEntry(&Text[start], end - start, &value)) {
            EfAddType(Rules, value, Module);
        } else {
            DbgPrint("ethfilter: %s: DropEtherTypes entry %u..%u is not an EtherType in hex "
                     "(0x0600-0xFFFF); ignored\n",
                     Module, start, end - 1);
        }
        start = end;
    }
    return Rules->Count;
}

/* Reads DropEtherTypes through NdisHandle; TRUE if the keyword exists there. */
_IRQL_requires_(PASSIVE_LEVEL)
static BOOLEAN
EfReadKeyword(NDIS_HANDLE NdisHandle, _In_ PEF_MODULE Module, _Inout_ EF_RULES *Rules)
{
    NDIS_STRING keyword = NDIS_STRING_CONST("DropEtherTypes");
    NDIS_CONFIGURATION_OBJECT configObject;
    PNDIS_CONFIGURATION_PARAMETER parameter;
    NDIS_HANDLE configHandle;
    NDIS_STATUS status;
    BOOLEAN found = FALSE;

    NdisZeroMemory(&configObject, sizeof(configObject));
    configObject.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    configObject.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    configObject.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    configObject.NdisHandle = NdisHandle;
    configObject.Flags = 0; /* a modifying filter: no per-instance flag */
    status = NdisOpenConfigurationEx(&configObject, &configHandle);
    if (status != NDIS_STATUS_SUCCESS)
        return FALSE;

    NdisReadConfiguration(&status, &parameter, configHandle, &keyword, NdisParameterString);
    if (status == NDIS_STATUS_SUCCESS) {
        found = TRUE;
        if (parameter->ParameterType == NdisParameterString ||
            parameter->ParameterType == NdisParameterMultiString) {
            (VOID)EfParseEtherTypes(parameter->ParameterData.StringData.Buffer,
                                    parameter->ParameterData.StringData.Length / sizeof(WCHAR),
                                    Module->Name, Rules);
        } else if (parameter->ParameterType == NdisParameterInteger &&
                   parameter->ParameterData.IntegerData >= EF_MIN_ETHERTYPE &&
                   parameter->ParameterData.IntegerData <= 0xFFFF) {
            EfAddType(Rules, (USHORT)parameter->ParameterData.IntegerData, Module->Name);
        } else {
            DbgPrint("ethfilter: %s: DropEtherTypes has an unusable type %d; ignored\n",
                     Module->Name, (int)parameter->ParameterType);
        }
    }
    /* The parameter's memory belongs to the configuration handle. */
    NdisCloseConfiguration(configHandle);
    return found;
}

_Use_decl_annotations_
VOID
EfReadRules(PEF_MODULE Module, EF_RULES *Rules)
{
    NdisZeroMemory(Rules, sizeof(*Rules));
    if (EfReadKeyword(Module->FilterHandle, Module, Rules))
        Rules->Source = ETHFILTER_RULES_MODULE;
    else if (EfReadKeyword(EfDriver.FilterDriverHandle, Module, Rules))
        Rules->Source = ETHFILTER_RULES_DRIVER;
    else
        Rules->Source = ETHFILTER_RULES_NONE;
}

_Use_decl_annotations_
VOID
EfApplyRules(PEF_MODULE Module, const EF_RULES *Rules)
{
    LONG64 droppedSend[ETHFILTER_MAX_TYPES], droppedReceive[ETHFILTER_MAX_TYPES];
    ULONG i, j;

    for (i = 0; i < Rules->Count; i++) {
        droppedSend[i] = 0;
        droppedReceive[i] = 0;
        for (j = 0; j < Module->Rules.Count; j++) {
            if (Module->Rules.EtherType[j] == Rules->EtherType[i]) {
                droppedSend[i] = Module->DroppedSend[j];
                droppedReceive[i] = Module->DroppedReceive[j];
            }
        }
    }
    /* Under the lock for the program interface, which reads rules and counts
       together; the data path does not run on a Paused module. */
    NdisAcquireSpinLock(&Module->Lock);
    Module->Rules = *Rules;
    for (i = 0; i < ETHFILTER_MAX_TYPES; i++) {
        Module->DroppedSend[i] = i < Rules->Count ? droppedSend[i] : 0;
        Module->DroppedReceive[i] = i < Rules->Count ? droppedReceive[i] : 0;
    }
    NdisReleaseSpinLock(&Module->Lock);
}

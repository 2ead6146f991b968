/*
 * rsp_config.c - the IPv4 address a binding answers for: the keyword
 * "IPAddress" (a dotted quad string, "10.200.0.2") of the binding's
 * configuration, which NdisOpenConfigurationEx opens when NdisHandle is the
 * NDIS_BIND_PARAMETERS of ProtocolBindAdapterEx (nf-ndis-ndisopenconfigurationex.md);
 * if the binding has none, the driver's own "IPAddress" parameter (the
 * NdisProtocolHandle's configuration).
 */
#include <stdio.h>

#include "rsp.h"

static const NDIS_STRING kw_ip = NDIS_STRING_CONST("IPAddress");

/* Strict dotted decimal: four numbers 0..255 without leading zeros or extra text. */
static bool parse_ipv4(const NDIS_STRING *s, UCHAR ip[4])
{
    size_t n = s->Length / sizeof(WCHAR), i = 0;
    for (int part = 0; part < 4; part++) {
        if (part && (i >= n || s->Buffer[i++] != '.'))
            return false;
        size_t start = i;
        unsigned v = 0;
        while (i < n && s->Buffer[i] >= '0' && s->Buffer[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s->Buffer[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s->Buffer[start] == '0'))
            return false;
        ip[part] = (UCHAR)v;
    }
    return i == n;
}

/* Looks for IPAddress in the configuration of `handle`: 1 found, 0 absent, -1 invalid. */
static int read_from(NDIS_HANDLE handle, UCHAR ip[4])
{
    NDIS_CONFIGURATION_OBJECT co;
    NdisZeroMemory(&co, sizeof(co));
    co.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    co.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    co.NdisHandle = handle;
    NDIS_HANDLE cfg;
    if (NdisOpenConfigurationEx(&co, &cfg) != NDIS_STATUS_SUCCESS)
        return 0;
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER p;
    NdisReadConfiguration(&st, &p, cfg, (PNDIS_STRING)&kw_ip, NdisParameterString);
    int found = 0;
    if (st == NDIS_STATUS_SUCCESS && p->ParameterType != NdisParameterString)
        found = -1;
    else if (st == NDIS_STATUS_SUCCESS && p->ParameterData.StringData.Length) /* "": unset */
        found = parse_ipv4(&p->ParameterData.StringData, ip) ? 1 : -1;
    NdisCloseConfiguration(cfg);
    return found;
}

NDIS_STATUS rsp_read_address(PNDIS_BIND_PARAMETERS bp, const char *adapter, UCHAR ip[4])
{
    int found = read_from(bp, ip);
    if (found == 0)
        found = read_from(rsp_driver_handle, ip);
    if (found == 1)
        return NDIS_STATUS_SUCCESS;
    DbgPrint("responder: %s: %s; not binding\n", adapter,
             found < 0 ? "IPAddress is not a dotted-quad IPv4 address"
                       : "no IPAddress configured for the binding or the driver");
    return NDIS_STATUS_INVALID_PARAMETER;
}

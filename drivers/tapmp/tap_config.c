/*
 * tap_config.c - the adapter's keywords, read at MiniportInitializeEx with
 * NdisOpenConfigurationEx on the MiniportAdapterHandle
 * (nf-ndis-ndisopenconfigurationex.md):
 *
 *   *IfName          the TAP interface to attach to or create (string; empty or
 *                    absent: the kernel names a new one, "tap0" ...)
 *   NetworkAddress   the current MAC address, through NdisReadNetworkAddress;
 *                    a group or all-zero address is ignored (with a message),
 *                    as on Windows, and the permanent address stays in use
 *   *ReceiveBuffers  receive NBLs preallocated (integer, 16..4096, default 256)
 */
#include "tapmp.h"

static const NDIS_STRING kw_ifname = NDIS_STRING_CONST("*IfName");
static const NDIS_STRING kw_rx_buffers = NDIS_STRING_CONST("*ReceiveBuffers");

/*
 * A Linux interface name (dev_valid_name): 1 to 15 printable ASCII characters,
 * no '/', ':' or blank, not "." or "..".
 */
static bool ifname_from_ustr(const NDIS_STRING *s, char *out, size_t cap)
{
    size_t n = s->Length / sizeof(WCHAR);
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        WCHAR c = s->Buffer[i];
        if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
            return false;
        out[i] = (char)c;
    }
    out[n] = '\0';
    return !(n == 1 && out[0] == '.') && !(n == 2 && out[0] == '.' && out[1] == '.');
}

static NDIS_STATUS read_ifname(NDIS_HANDLE cfgh, struct tap_config *cfg)
{
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER p;
    NdisReadConfiguration(&st, &p, cfgh, (PNDIS_STRING)&kw_ifname, NdisParameterString);
    if (st != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_SUCCESS; /* not configured: a new interface */
    if (p->ParameterType != NdisParameterString ||
        !ifname_from_ustr(&p->ParameterData.StringData, cfg->ifname, sizeof(cfg->ifname))) {
        DbgPrint("tapmp: *IfName is not a valid interface name (1 to %d printable ASCII "
                 "characters without '/', ':' or blanks)\n", TAP_DEV_NAME_MAX - 1);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    return NDIS_STATUS_SUCCESS;
}

static void read_rx_buffers(NDIS_HANDLE cfgh, struct tap_config *cfg)
{
    NDIS_STATUS st;
    PNDIS_CONFIGURATION_PARAMETER p;
    cfg->rx_buffers = TAP_RX_BUFFERS_DEFAULT;
    NdisReadConfiguration(&st, &p, cfgh, (PNDIS_STRING)&kw_rx_buffers, NdisParameterInteger);
    if (st != NDIS_STATUS_SUCCESS)
        return;
    ULONG v = p->ParameterData.IntegerData;
    if (v < TAP_RX_BUFFERS_MIN || v > TAP_RX_BUFFERS_MAX)
        DbgPrint("tapmp: *ReceiveBuffers %lu is outside %d..%d; using %d\n", (unsigned long)v,
                 TAP_RX_BUFFERS_MIN, TAP_RX_BUFFERS_MAX, TAP_RX_BUFFERS_DEFAULT);
    else
        cfg->rx_buffers = v;
}

static void read_network_address(NDIS_HANDLE cfgh, struct tap_config *cfg)
{
    static const UCHAR zero[6];
    NDIS_STATUS st;
    PVOID addr;
    UINT len;
    NdisReadNetworkAddress(&st, &addr, &len, cfgh);
    if (st != NDIS_STATUS_SUCCESS)
        return;
    const UCHAR *m = addr;
    if (len != 6 || (m[0] & 1) || NdisEqualMemory(m, zero, 6)) {
        DbgPrint("tapmp: NetworkAddress is not a 6-byte unicast address; the permanent "
                 "address stays in use\n");
        return;
    }
    NdisMoveMemory(cfg->mac, m, 6);
    cfg->have_mac = true;
}

NDIS_STATUS tap_read_config(NDIS_HANDLE adapter_handle, struct tap_config *cfg)
{
    NdisZeroMemory(cfg, sizeof(*cfg));
    cfg->rx_buffers = TAP_RX_BUFFERS_DEFAULT;
    NDIS_CONFIGURATION_OBJECT co;
    NdisZeroMemory(&co, sizeof(co));
    co.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    co.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    co.NdisHandle = adapter_handle;
    NDIS_HANDLE cfgh;
    NDIS_STATUS st = NdisOpenConfigurationEx(&co, &cfgh);
    if (st != NDIS_STATUS_SUCCESS) {
        DbgPrint("tapmp: NdisOpenConfigurationEx failed with 0x%08x\n", (unsigned)st);
        return st;
    }
    st = read_ifname(cfgh, cfg);
    read_rx_buffers(cfgh, cfg);
    read_network_address(cfgh, cfg);
    NdisCloseConfiguration(cfgh);
    return st;
}

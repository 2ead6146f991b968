/*
 * network_address.c - NdisReadNetworkAddress: the NetworkAddress keyword of a
 * configuration handle's key as bytes, and the text form NDIS gives the MAC
 * address an adapter arrived with (ndis_adapter_config.mac).
 *
 * nf-ndis-ndisreadnetworkaddress.md: the value is a string of hexadecimal
 * digits, "optionally ... paired digits, with each pair separated from the
 * next by a hyphen"; NDIS "discards hyphens and converts each such pair into a
 * single byte" and does not validate the result (length, multicast bit ...).
 * Accepted, case-insensitively: "02004C4F4F50", "02-00-4C-4F-4F-50", any
 * even number of digits from 1 to NDIS_MAX_PHYS_ADDRESS_LENGTH bytes.
 * Anything else (an odd digit count, another separator, spaces, a value that
 * is not a string) fails with NDIS_STATUS_FAILURE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "core/cbctx.h"
#include "core/verifier.h"

void ndisi_cfg_format_mac(const unsigned char mac[6], char out[18])
{
    snprintf(out, 18, "%02X-%02X-%02X-%02X-%02X-%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}

VOID NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress,
                            PUINT NetworkAddressLength, NDIS_HANDLE ConfigurationHandle)
{
    static const char ddi[] = "NdisReadNetworkAddress";
    if (!ndisi_cfg_status_init(Status, ddi))
        return;
    if (NetworkAddress)
        *NetworkAddress = NULL;
    if (NetworkAddressLength)
        *NetworkAddressLength = 0;
    struct ndisi_config *c = ndisi_cfg_handle(ConfigurationHandle, ddi, PASSIVE_LEVEL, "Irql_Miscellaneous_Function");
    if (!c)
        return;
    if (!NetworkAddress || !NetworkAddressLength) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "NetworkAddress and NetworkAddressLength are caller-supplied variables",
                     "%s is NULL (reading %s)",
                     NetworkAddress ? "NetworkAddressLength" : "NetworkAddress", c->label);
        return;
    }
    reg_value *v;
    int rc = ndisi_cfg_chain_get(&c->chain, NDISI_KW_NETADDR, &v);
    if (rc) {
        if (rc == -ENOMEM)
            *Status = NDIS_STATUS_RESOURCES;
        return; /* no NetworkAddress: the driver uses its permanent address */
    }
    UCHAR bytes[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    size_t n;
    rc = reg_value_to_netaddr(v, bytes, sizeof(bytes), &n);
    if (rc) {
        bool text = v->type == REG_T_SZ || v->type == REG_T_EXPAND_SZ;
        ndisi_diag("%s: %s: NetworkAddress %s%s%s is not an address (hexadecimal digit pairs, "
                   "hyphens allowed, at most %u bytes)",
                   ddi, c->label, text ? "\"" : "", text ? v->u.sz : "(not a string)",
                   text ? "\"" : "", (unsigned)NDIS_MAX_PHYS_ADDRESS_LENGTH);
        reg_value_free(v);
        return;
    }
    reg_value_free(v);
    UCHAR *p = ndisi_cfg_alloc(c, n); /* lives until NdisCloseConfiguration */
    if (!p) {
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    memcpy(p, bytes, n);
    *NetworkAddress = p;
    *NetworkAddressLength = (UINT)n;
    *Status = NDIS_STATUS_SUCCESS;
}

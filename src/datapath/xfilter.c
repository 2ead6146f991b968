/*
 * xfilter.c - NDIS's Ethernet filter library: each binding has its own packet
 * filter (OID_GEN_CURRENT_PACKET_FILTER) and multicast list
 * (OID_802_3_MULTICAST_LIST); NDIS gives the miniport the union (OR of the
 * filters, union of the lists) and delivers to each binding only the frames its
 * own filter accepts (concepts/oid-gen-current-packet-filter.md: "if one bound
 * protocol enables promiscuous mode, other bound protocol drivers do not
 * receive packets that they have not specifically requested"). For 802.3 and
 * 802.5 a binding receives nothing until it sets a filter; for other media NDIS
 * does not check the packet type.
 */
#include <string.h>

#include "core/core.h"
#include "datapath/datapath.h"

static const UCHAR bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool filtered_medium(const struct ndisi_adapter *a)
{
    return a->gen_attrs.MediaType == NdisMedium802_3 || a->gen_attrs.MediaType == NdisMedium802_5;
}

/* The destination address: the first 6 bytes of the first NET_BUFFER's data. */
bool ndisi_frame_dest(PNET_BUFFER_LIST nbl, UCHAR out[6])
{
    PNET_BUFFER nb = nbl->FirstNetBuffer;
    if (!nb || nb->DataLength < 6)
        return false;
    PMDL mdl = nb->CurrentMdl;
    ULONG off = nb->CurrentMdlOffset;
    unsigned got = 0;
    while (mdl && got < 6) {
        const UCHAR *va = (const UCHAR *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        ULONG len = MmGetMdlByteCount(mdl);
        if (!va)
            return false;
        while (off < len && got < 6)
            out[got++] = va[off++];
        mdl = mdl->Next;
        off = 0;
    }
    return got == 6;
}

static bool in_list(const struct ndisi_rxfilter *f, const UCHAR d[6])
{
    for (unsigned i = 0; i < f->nmcast; i++)
        if (memcmp(f->mcast[i], d, 6) == 0)
            return true;
    return false;
}

bool ndisi_xfilter_match(const struct ndisi_open *o, PNET_BUFFER_LIST nbl)
{
    const struct ndisi_adapter *a = o->adapter;
    if (!filtered_medium(a))
        return true;
    const struct ndisi_rxfilter *f = atomic_load(&((struct ndisi_open *)o)->rxf);
    ULONG pf = f ? f->packet_filter : 0;
    if (!pf)
        return false;
    if (pf & NDIS_PACKET_TYPE_PROMISCUOUS)
        return true;
    /* "All packets sent by installed protocols": every looped-back frame. */
    if ((pf & NDIS_PACKET_TYPE_ALL_LOCAL) && ndisi_loopback_current())
        return true;
    UCHAR d[6];
    if (!ndisi_frame_dest(nbl, d))
        return false;
    if (memcmp(d, bcast, 6) == 0)
        return pf & NDIS_PACKET_TYPE_BROADCAST;
    if (d[0] & 1)
        return (pf & NDIS_PACKET_TYPE_ALL_MULTICAST) ||
               ((pf & NDIS_PACKET_TYPE_MULTICAST) && in_list(f, d));
    return (pf & NDIS_PACKET_TYPE_DIRECTED) &&
           memcmp(d, a->gen_attrs.CurrentMacAddress, 6) == 0;
}

bool ndisi_xfilter_takes_all(const struct ndisi_open *o, const struct ndisi_adapter *a)
{
    if (!filtered_medium(a))
        return true;
    const struct ndisi_rxfilter *f = atomic_load(&((struct ndisi_open *)o)->rxf);
    const struct ndisi_rxfilter *u = atomic_load(&((struct ndisi_adapter *)a)->rxf);
    if (!f || !f->packet_filter)
        return false;
    if (f->packet_filter & NDIS_PACKET_TYPE_PROMISCUOUS)
        return true;
    /* The miniport filters with the union; a binding whose filter is the union
       (and whose list is the whole union list) accepts all it can indicate. */
    return u && f->packet_filter == u->packet_filter && f->nmcast == u->nmcast;
}

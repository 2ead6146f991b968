/* Built with -DNDIS630_MINIPORT, as an NDIS 6.30 miniport would be. */
#include "versions.inc"

_Static_assert(NDIS_MINIPORT_MAJOR_VERSION == 6 && NDIS_MINIPORT_MINOR_VERSION == 30,
               "NDIS630_MINIPORT selects 6.30");
#if !NDIS_SUPPORT_NDIS630 || NDIS_SUPPORT_NDIS640
#error "NDIS_SUPPORT_* must stop at 6.30 for an NDIS 6.30 miniport"
#endif

void hb_versions_ndis630_miniport(struct hb_versions *out)
{
    hb_fill_versions(out);
}

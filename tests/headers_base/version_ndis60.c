/* Built with -DNDIS60_MINIPORT, as an NDIS 6.0 miniport would be. */
#include "versions.inc"

void hb_versions_ndis60_miniport(struct hb_versions *out)
{
    hb_fill_versions(out);
}

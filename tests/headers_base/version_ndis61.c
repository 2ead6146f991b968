/* Built with -DNDIS61, as an NDIS 6.1 protocol or filter driver would be. */
#include "versions.inc"

void hb_versions_ndis61_protocol(struct hb_versions *out)
{
    hb_fill_versions(out);
}

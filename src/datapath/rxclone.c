/*
 * rxclone.c - NDIS's clones of received NBLs for additional bindings (see
 * rxclone.h). A clone uses the original's MDLs (NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS)
 * and copies its out-of-band data; it belongs to NDIS (no driver owns it).
 */
#include <string.h>

#include "datapath/nblpriv.h"
#include "datapath/rxclone.h"

PNET_BUFFER_LIST ndisi_rxclone_get(struct ndisi_adapter *a, PNET_BUFFER_LIST orig)
{
    (void)a;
    PNET_BUFFER_LIST c = NdisAllocateCloneNetBufferList(orig, NULL, NULL,
                                                        NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    if (!c)
        return NULL;
    memcpy(c->NetBufferListInfo, orig->NetBufferListInfo, sizeof(c->NetBufferListInfo));
    c->SourceHandle = orig->SourceHandle;
    c->Status = orig->Status;
    c->NblFlags = orig->NblFlags;
    struct ndisi_nbl_priv *p = ndisi_nbl_priv(c);
    p->owner = NULL;
    p->flags |= NDISI_NBLF_RXCLONE;
    p->reserved2 = orig;
    atomic_store_explicit(&p->refs, 1, memory_order_relaxed); /* its one binding's */
    ndisi_nbl_set_where(p, NDISI_NBL_INDICATED);
    return c;
}

PNET_BUFFER_LIST ndisi_rxclone_put(PNET_BUFFER_LIST x)
{
    struct ndisi_nbl_priv *p = ndisi_nbl_priv(x);
    if (!(p->flags & NDISI_NBLF_RXCLONE))
        return NULL;
    PNET_BUFFER_LIST orig = p->reserved2;
    ndisi_nbl_set_where(p, NDISI_NBL_OWNED);
    /* NDIS frees its own clone: no driver is "the freeing driver" here. */
    struct ndisi_cbframe f;
    ndisi_cb_enter(&f, NULL, "NDIS", "", NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
    NdisFreeCloneNetBufferList(x, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    ndisi_cb_leave(&f);
    return orig;
}

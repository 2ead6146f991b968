/*
 * clone.c - NdisAllocateCloneNetBufferList and NdisFreeCloneNetBufferList
 * (concepts/cloned-net-buffer-list-structures.md).
 *
 * A clone is a NET_BUFFER_LIST with one new NET_BUFFER per NET_BUFFER of the
 * original, each describing the original's used data space (from its current
 * data start, not the start of its MDL chain). The data is not copied. Without
 * NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS each clone NB gets new MDLs over the same
 * buffers (the first starts at the original's data start, the last ends at its
 * data end, so the clone's DataOffset is 0); with it the clone NB points into
 * the original MDL chain at the original's CurrentMdl.
 *
 * The clone comes from NetBufferListPoolHandle (its pool attributes, such as
 * the protocol id, come with it) or from NDIS's own clone pool, and its NBs
 * from NetBufferPoolHandle or NDIS's own NB pool. It has no
 * NET_BUFFER_LIST_CONTEXT. As relationships-between-net-buffer-list-
 * generations.md says, the caller maintains ParentNetBufferList and the
 * parent's ChildRefCount; NDIS leaves the clone's ParentNetBufferList NULL
 * and does not touch the original.
 */
#include <string.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "datapath/pool.h"
#include "os/fault.h"

/* Frees the MDLs NDIS built for a clone NB. */
static void clone_free_mdls(struct ndisi_nb_priv *bp)
{
    PMDL m = bp->owned_mdls;
    while (m) {
        PMDL next = m->Next;
        ndisi_mdl_free(m);
        m = next;
    }
    bp->owned_mdls = NULL;
}

/* Describes the used data of `orig` with new MDLs on `nb`; false if out of memory. */
static bool clone_new_mdls(PNET_BUFFER orig, PNET_BUFFER nb)
{
    struct ndisi_nb_priv *bp = ndisi_nb_priv(nb);
    PMDL *tail = &bp->owned_mdls;
    ULONG remaining = orig->DataLength, off = orig->CurrentMdlOffset;

    bp->flags |= NDISI_NBF_OWNS_MDLS;
    PMDL m = orig->CurrentMdl;
    while (m && remaining) {
        if (off >= m->ByteCount) {
            off -= m->ByteCount;
            m = m->Next;
            continue;
        }
        ULONG len = m->ByteCount - off < remaining ? m->ByteCount - off : remaining;
        PUCHAR va = ndisi_mdl_va(m, off);
        PMDL c = va ? ndisi_mdl_alloc(va, len, NDISI_MDLK_INTERNAL) : NULL;
        if (!c)
            return false;
        *tail = c;
        tail = &c->Next;
        remaining -= len;
        m = m->Next;
        off = 0;
    }
    /* A chain shorter than DataLength (a broken original) clones what is there. */
    ndisi_nb_set_chain(nb, bp->owned_mdls, 0, orig->DataLength - remaining);
    return true;
}

/* Returns the NBs (and their MDLs) of a clone; `nbl` itself stays. */
void ndisi_clone_free_nbs(PNET_BUFFER_LIST clone, const char *ddi)
{
    PNET_BUFFER nb = clone->FirstNetBuffer;
    while (nb) {
        PNET_BUFFER next = nb->Next;
        struct ndisi_nb_priv *bp = ndisi_nb_priv(nb);
        if (bp->magic != NDISI_NB_MAGIC || bp->kind != NDISI_NBK_CLONE ||
            atomic_load_explicit(&bp->state, memory_order_relaxed) != NDISI_NB_ALLOCATED) {
            ndisi_report(NDISI_V_NBL, ddi,
                         "the NET_BUFFERs of a clone stay with the clone NET_BUFFER_LIST",
                         "NET_BUFFER %p on clone NET_BUFFER_LIST %p was not allocated by "
                         "NdisAllocateCloneNetBufferList (or was freed); it is left alone",
                         (void *)nb, (void *)clone);
        } else {
            if (bp->retreat)
                ndisi_nb_drop_retreats(nb, ddi);
            clone_free_mdls(bp);
            ndisi_nb_pool_put(nb);
        }
        nb = next;
    }
    clone->FirstNetBuffer = NULL;
}

PNET_BUFFER_LIST NdisAllocateCloneNetBufferList(PNET_BUFFER_LIST OriginalNetBufferList,
                                                NDIS_HANDLE NetBufferListPoolHandle,
                                                NDIS_HANDLE NetBufferPoolHandle,
                                                ULONG AllocateCloneFlags)
{
    static const char ddi[] = "NdisAllocateCloneNetBufferList";
    PNET_BUFFER_LIST orig = OriginalNetBufferList;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    if (!orig) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "OriginalNetBufferList points to an existing NET_BUFFER_LIST",
                     "OriginalNetBufferList is NULL");
        return NULL;
    }
    struct ndisi_nbl_pool *lp = NetBufferListPoolHandle
                                    ? ndisi_nbl_pool_check(NetBufferListPoolHandle, ddi)
                                    : ndisi_clone_nbl_pool();
    if (!lp)
        return NULL;
    struct ndisi_nb_pool *bpool = NetBufferPoolHandle
                                      ? ndisi_nb_pool_check(NetBufferPoolHandle, ddi)
                                      : ndisi_clone_nb_pool();
    if (!bpool)
        return NULL;
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;

    PNET_BUFFER_LIST clone = ndisi_nbl_take(lp);
    if (!clone)
        return NULL;
    struct ndisi_nbl_priv *pr = ndisi_nbl_priv(clone);
    pr->flags = NDISI_NBLF_CLONE; /* the pool's preallocated NB and context stay unused */
    if (!lp->image)
        pr->owner = ndisi_cb_current_image();

    bool original_mdls = (AllocateCloneFlags & NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS) != 0;
    PNET_BUFFER *tail = &clone->FirstNetBuffer;
    for (PNET_BUFFER onb = orig->FirstNetBuffer; onb; onb = onb->Next) {
        PNET_BUFFER nb = ndisi_nb_pool_get(bpool, NDISI_NBK_CLONE);
        if (!nb)
            goto fail;
        *tail = nb;
        tail = &nb->Next;
        if (original_mdls) {
            nb->MdlChain = nb->CurrentMdl = onb->CurrentMdl;
            nb->DataOffset = nb->CurrentMdlOffset = onb->CurrentMdl ? onb->CurrentMdlOffset : 0;
            nb->stDataLength = onb->DataLength;
        } else if (!clone_new_mdls(onb, nb)) {
            goto fail;
        }
    }
    return clone;

fail:
    ndisi_clone_free_nbs(clone, ddi);
    ndisi_nbl_release(clone, ddi);
    return NULL;
}

VOID NdisFreeCloneNetBufferList(PNET_BUFFER_LIST CloneNetBufferList, ULONG FreeCloneFlags)
{
    static const char ddi[] = "NdisFreeCloneNetBufferList";
    PNET_BUFFER_LIST clone = CloneNetBufferList;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    if (!ndisi_nbl_free_checks(clone, ddi, true))
        return;
    PNET_BUFFER first = clone->FirstNetBuffer;
    if (first && ndisi_nb_priv(first)->magic == NDISI_NB_MAGIC) {
        bool owns = (ndisi_nb_priv(first)->flags & NDISI_NBF_OWNS_MDLS) != 0;
        bool said = (FreeCloneFlags & NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS) != 0;
        if (owns == said)
            /* NDIS knows which MDLs it built, so the free below is still exact. */
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "The caller must specify the same flags that it specified in "
                         "AllocateCloneFlags",
                         "clone NET_BUFFER_LIST %p was allocated %s "
                         "NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS but is freed %s it",
                         (void *)clone, owns ? "without" : "with", said ? "with" : "without");
    }
    ndisi_clone_free_nbs(clone, ddi);
    ndisi_nbl_release(clone, ddi);
}

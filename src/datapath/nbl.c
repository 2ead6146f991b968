/*
 * nbl.c - NET_BUFFER_LISTs: NdisAllocateNetBufferList,
 * NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,
 * NdisAllocateNetBufferListContext, NdisFreeNetBufferListContext,
 * NdisGetPoolFromNetBufferList, and the ownership checks every free makes
 * (ndisi_nbl_bad_state for the send and receive paths).
 *
 * An NBL is one slab element of its pool (pool.h): the hidden
 * struct ndisi_nbl_priv, the NET_BUFFER_LIST, then for fAllocateNetBuffer
 * pools the NET_BUFFER (with its own hidden header), for DataSize pools the
 * MDL and the data buffer, and ContextSize bytes of NET_BUFFER_LIST_CONTEXT.
 * Allocation zeroes the NBL and the NB (every reserved area included) and sets
 * what the pages say; the data buffer is not cleared.
 *
 * Context space: the pool's preallocated NET_BUFFER_LIST_CONTEXT is used when
 * it fits; larger requests get a context block chained in front of it. Blocks
 * are tagged: CTX_TAG_INIT for those NdisAllocateNetBufferList made (freed with
 * the NBL), CTX_TAG_DDI for those NdisAllocateNetBufferListContext made (the
 * driver frees them; NdisFreeNetBufferListContext releases a block once all
 * its space is free again).
 */
#include <stdio.h>
#include <string.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "datapath/pool.h"
#include "os/fault.h"

#define CTX_TAG_INIT 0x43 /* made by NdisAllocateNetBufferList: freed with the NBL */
#define CTX_TAG_DDI 0x63  /* made by NdisAllocateNetBufferListContext */

static const char *where_name(uint8_t where)
{
    switch (where) {
    case NDISI_NBL_FREE:
        return "free (already freed)";
    case NDISI_NBL_OWNED:
        return "owned by the driver that allocated it";
    case NDISI_NBL_SENT:
        return "sent and not completed (owned by the driver below)";
    case NDISI_NBL_INDICATED:
    case NDISI_NBL_INDICATED_ONE:
        return "indicated and not returned (owned by the drivers above)";
    default:
        return "in an unknown state";
    }
}

void ndisi_nbl_bad_state(PNET_BUFFER_LIST nbl, const char *ddi, const char *expected)
{
    if (!nbl) {
        ndisi_report(NDISI_V_NBL, ddi, "NET_BUFFER_LIST ownership", "NET_BUFFER_LIST is NULL; "
                     "expected one %s", expected);
        return;
    }
    struct ndisi_nbl_priv *pr = ndisi_nbl_priv(nbl);
    if (pr->magic != NDISI_NBL_MAGIC) {
        ndisi_report(NDISI_V_NBL, ddi, "NET_BUFFER_LIST structures must be allocated from an "
                     "NDIS pool",
                     "NET_BUFFER_LIST %p was not allocated by NDIS; expected one %s", (void *)nbl,
                     expected);
        return;
    }
    ndisi_report(NDISI_V_NBL, ddi, "NET_BUFFER_LIST ownership",
                 "NET_BUFFER_LIST %p%s is %s (allocated by %s from %s); expected one %s",
                 (void *)nbl, (pr->flags & NDISI_NBLF_CLONE) ? " (a clone)" : "",
                 where_name(atomic_load_explicit(&pr->where, memory_order_relaxed)),
                 ndisi_image_label(pr->owner), pr->pool ? pr->pool->label : "?", expected);
}

/* ---- allocation ----------------------------------------------------------------- */

static inline char *nbl_elem(PNET_BUFFER_LIST nbl)
{
    return (char *)ndisi_nbl_priv(nbl);
}

PNET_BUFFER_LIST ndisi_nbl_take(struct ndisi_nbl_pool *p)
{
    struct ndisi_nbl_priv *pr = ndisi_slab_alloc(&p->slab);
    if (!pr)
        return NULL;
    pr->magic = NDISI_NBL_MAGIC;
    pr->flags = p->elem_flags;
    pr->reserved = 0;
    atomic_store_explicit(&pr->refs, 0, memory_order_relaxed);
    pr->pool = p;
    pr->owner = p->image;
    pr->next = NULL;
    pr->reserved2 = NULL;
    PNET_BUFFER_LIST nbl = ndisi_priv_nbl(pr);
    memset(nbl, 0, p->zero_len); /* with the preallocated NB and its header, if any */
    nbl->NdisPoolHandle = p;
    if (p->protocol_id)
        NdisSetNetBufferListProtocolId(nbl, p->protocol_id);
    atomic_store_explicit(&pr->where, NDISI_NBL_OWNED, memory_order_relaxed);
    return nbl;
}

/* The NET_BUFFER preallocated with the NBL (fAllocateNetBuffer pools); ndisi_nbl_take cleared it. */
static PNET_BUFFER nbl_prealloc_nb(struct ndisi_nbl_pool *p, PNET_BUFFER_LIST nbl)
{
    char *e = nbl_elem(nbl);
    struct ndisi_nb_priv *bp = (struct ndisi_nb_priv *)(e + p->off_nb);
    bp->magic = NDISI_NB_MAGIC;
    bp->kind = NDISI_NBK_NBL;
    bp->nbl = nbl;
    atomic_store_explicit(&bp->state, NDISI_NB_ALLOCATED, memory_order_relaxed);
    PNET_BUFFER nb = ndisi_priv_nb(bp);
    nb->NdisPoolHandle = p;
    nbl->FirstNetBuffer = nb;
    if (p->data_size) {
        PMDL mdl = (PMDL)(e + p->off_mdl);
        ndisi_mdl_build(mdl, e + p->off_data, p->data_size);
        nb->MdlChain = nb->CurrentMdl = mdl;
        nb->stDataLength = p->data_size;
    }
    return nb;
}

static inline PNET_BUFFER_LIST_CONTEXT nbl_prealloc_ctx(PNET_BUFFER_LIST nbl)
{
    struct ndisi_nbl_pool *p = ndisi_nbl_priv(nbl)->pool;
    return p->ctx_size ? (PNET_BUFFER_LIST_CONTEXT)(nbl_elem(nbl) + p->off_ctx) : NULL;
}

static PNET_BUFFER_LIST_CONTEXT ctx_block(uint32_t size, uint8_t tag)
{
    PNET_BUFFER_LIST_CONTEXT c = ndisi_blk_alloc(sizeof(NET_BUFFER_LIST_CONTEXT) + size, tag);
    if (c) {
        c->Next = NULL;
        c->Size = (USHORT)size;
        c->Offset = (USHORT)size;
    }
    return c;
}

/* Claims `size` bytes of used context space in front of the used space of `c`. */
static inline void ctx_claim(PNET_BUFFER_LIST_CONTEXT c, USHORT size)
{
    c->Offset = (USHORT)(c->Offset - size);
    memset(c->ContextData + c->Offset, 0, size);
}

/* Attaches the initial context: ContextSize used bytes, ContextBackFill unused before them. */
static inline bool nbl_setup_context(struct ndisi_nbl_pool *p, PNET_BUFFER_LIST nbl, USHORT cs,
                                     USHORT cbf)
{
    PNET_BUFFER_LIST_CONTEXT pre = NULL;
    uint32_t need = (uint32_t)cs + cbf;

    if (!need && !p->ctx_size)
        return true; /* no context: Context stays NULL (ndisi_nbl_take cleared it) */
    if (p->ctx_size) {
        pre = (PNET_BUFFER_LIST_CONTEXT)(nbl_elem(nbl) + p->off_ctx);
        pre->Next = NULL;
        pre->Size = p->ctx_size;
        pre->Offset = p->ctx_size;
    }
    if (need <= p->ctx_size) {
        if (pre)
            ctx_claim(pre, cs);
        nbl->Context = pre;
        return true;
    }
    PNET_BUFFER_LIST_CONTEXT c = ctx_block(need, CTX_TAG_INIT);
    if (!c)
        return false;
    c->Next = pre;
    ctx_claim(c, cs);
    nbl->Context = c;
    return true;
}

static bool ctx_args_ok(USHORT cs, USHORT cbf, unsigned align, const char *ddi)
{
    if (cs % align == 0 && cbf % align == 0 && (uint32_t)cs + cbf <= 0xffffu)
        return true;
    ndisi_report(NDISI_V_PARAMETER, ddi,
                 align == MEMORY_ALLOCATION_ALIGNMENT
                     ? "ContextSize and ContextBackFill must be multiples of "
                       "MEMORY_ALLOCATION_ALIGNMENT"
                     : "ContextSize and ContextBackFill must be multiples of sizeof(void*)",
                 "ContextSize %u, ContextBackFill %u (multiples of %u, at most 65535 together)",
                 cs, cbf, align);
    return false;
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                           USHORT ContextBackFill)
{
    static const char ddi[] = "NdisAllocateNetBufferList";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    struct ndisi_nbl_pool *p = ndisi_nbl_pool_check(PoolHandle, ddi);
    if (!p)
        return NULL;
    if (__builtin_expect(!ctx_args_ok(ContextSize, ContextBackFill, MEMORY_ALLOCATION_ALIGNMENT,
                                      ddi), 0))
        return NULL;
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;
    PNET_BUFFER_LIST nbl = ndisi_nbl_take(p);
    if (!nbl)
        return NULL;
    if (p->with_nb)
        nbl_prealloc_nb(p, nbl);
    if (__builtin_expect(!nbl_setup_context(p, nbl, ContextSize, ContextBackFill), 0)) {
        ndisi_nbl_release(nbl, ddi);
        return NULL;
    }
    return nbl;
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                                       USHORT ContextBackFill, PMDL MdlChain,
                                                       ULONG DataOffset, SIZE_T DataLength)
{
    static const char ddi[] = "NdisAllocateNetBufferAndNetBufferList";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    struct ndisi_nbl_pool *p = ndisi_nbl_pool_check(PoolHandle, ddi);
    if (!p)
        return NULL;
    if (__builtin_expect(!p->with_nb || p->data_size, 0)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "fAllocateNetBuffer must have been set to TRUE and DataSize set to zero",
                     "%s was created with fAllocateNetBuffer %s and DataSize %lu", p->label,
                     p->with_nb ? "TRUE" : "FALSE", (unsigned long)p->data_size);
        return NULL;
    }
    if (__builtin_expect(!MdlChain && (DataOffset || DataLength), 0)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "If MdlChain is NULL, DataOffset and DataLength must be 0",
                     "MdlChain NULL with DataOffset %lu, DataLength %zu",
                     (unsigned long)DataOffset, (size_t)DataLength);
        return NULL;
    }
    if (__builtin_expect(DataLength > 0xffffffffu, 0)) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "The maximum length is 0xFFFFFFFF bytes",
                     "DataLength %zu", (size_t)DataLength);
        return NULL;
    }
    if (__builtin_expect(!ctx_args_ok(ContextSize, ContextBackFill, MEMORY_ALLOCATION_ALIGNMENT,
                                      ddi), 0))
        return NULL;
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;
    PNET_BUFFER_LIST nbl = ndisi_nbl_take(p);
    if (!nbl)
        return NULL;
    PNET_BUFFER nb = nbl_prealloc_nb(p, nbl);
    if (__builtin_expect(!ndisi_nb_set_chain(nb, MdlChain, DataOffset, DataLength), 0)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "DataOffset: the offset from the start of the buffer in the MDL chain",
                     "DataOffset %lu lies beyond the end of MDL chain %p",
                     (unsigned long)DataOffset, (void *)MdlChain);
        ndisi_nbl_release(nbl, ddi);
        return NULL;
    }
    if (__builtin_expect(!nbl_setup_context(p, nbl, ContextSize, ContextBackFill), 0)) {
        ndisi_nbl_release(nbl, ddi);
        return NULL;
    }
    return nbl;
}

/* ---- free ----------------------------------------------------------------------- */

bool ndisi_nbl_free_checks(PNET_BUFFER_LIST nbl, const char *ddi, bool clone)
{
    if (!nbl) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList points to a NET_BUFFER_LIST",
                     "NetBufferList is NULL");
        return false;
    }
    struct ndisi_nbl_priv *pr = ndisi_nbl_priv(nbl);
    if (pr->magic != NDISI_NBL_MAGIC) {
        ndisi_report(NDISI_V_NBL, ddi,
                     "NET_BUFFER_LIST structures must be allocated from an NDIS pool",
                     "NET_BUFFER_LIST %p was not allocated by NDIS", (void *)nbl);
        return false;
    }
    uint8_t where = atomic_load_explicit(&pr->where, memory_order_relaxed);
    if (__builtin_expect(where != NDISI_NBL_OWNED, 0)) {
        const char *rule = where == NDISI_NBL_FREE
                               ? "a NET_BUFFER_LIST is freed once"
                               : "a driver loses ownership of a NET_BUFFER_LIST it sends or "
                                 "indicates until NDIS completes or returns it";
        const char *what = where == NDISI_NBL_FREE ? "already freed"
                           : where == NDISI_NBL_SENT
                               ? "still owned by the driver below: it was sent and not completed"
                           : ndisi_where_indicated(where)
                               ? "still owned by the drivers above: it was indicated and not "
                                 "returned"
                               : "in an unknown state";
        ndisi_report(NDISI_V_NBL, ddi, rule,
                     "NET_BUFFER_LIST %p (allocated by %s from %s) is %s; the free is refused",
                     (void *)nbl, ndisi_image_label(pr->owner), pr->pool->label, what);
        return false;
    }
    if (__builtin_expect(((pr->flags & NDISI_NBLF_CLONE) != 0) != clone, 0)) {
        ndisi_report(NDISI_V_NBL, ddi,
                     "NdisFreeCloneNetBufferList frees clones, NdisFreeNetBufferList the "
                     "NET_BUFFER_LISTs of NdisAllocateNetBufferList(AndNetBufferList)",
                     clone ? "NET_BUFFER_LIST %p (from %s) is not a clone: wrong pool/free "
                             "function, use NdisFreeNetBufferList"
                           : "NET_BUFFER_LIST %p (from %s) is a clone: wrong pool/free "
                             "function, use NdisFreeCloneNetBufferList",
                     (void *)nbl, pr->pool->label);
        return false;
    }
    struct ndisi_image *cur = ndisi_cb_current_image();
    if (__builtin_expect(cur && pr->owner && cur != pr->owner, 0)) {
        ndisi_report(NDISI_V_NBL, ddi,
                     "only the driver that allocated a NET_BUFFER_LIST frees it",
                     "driver %s frees NET_BUFFER_LIST %p, which driver %s allocated from %s",
                     ndisi_image_label(cur), (void *)nbl, ndisi_image_label(pr->owner),
                     pr->pool->label);
        return false;
    }
    return true;
}

/* Frees every context block of the NBL; reports those the driver should have freed. */
static void nbl_release_contexts(PNET_BUFFER_LIST nbl, const char *ddi)
{
    PNET_BUFFER_LIST_CONTEXT pre = nbl_prealloc_ctx(nbl), c = nbl->Context;
    unsigned leaked = 0;
    while (c && c != pre) {
        PNET_BUFFER_LIST_CONTEXT next = c->Next;
        if (ndisi_blk_tag(c) == CTX_TAG_DDI)
            leaked++;
        ndisi_blk_free(c);
        c = next;
    }
    nbl->Context = NULL;
    if (leaked)
        ndisi_report(NDISI_V_LEAK, ddi,
                     "context space allocated with NdisAllocateNetBufferListContext must be "
                     "freed before the NET_BUFFER_LIST",
                     "NET_BUFFER_LIST %p still has %u context block%s from "
                     "NdisAllocateNetBufferListContext; NDIS frees %s with the NBL",
                     (void *)nbl, leaked, leaked == 1 ? "" : "s", leaked == 1 ? "it" : "them");
}

void ndisi_nbl_release(PNET_BUFFER_LIST nbl, const char *ddi)
{
    struct ndisi_nbl_priv *pr = ndisi_nbl_priv(nbl);
    struct ndisi_nbl_pool *p = pr->pool;

    if (nbl->Context)
        nbl_release_contexts(nbl, ddi);
    if (pr->flags & NDISI_NBLF_WITH_NB) {
        struct ndisi_nb_priv *bp = (struct ndisi_nb_priv *)(nbl_elem(nbl) + p->off_nb);
        if (bp->retreat)
            ndisi_nb_drop_retreats(ndisi_priv_nb(bp), ddi);
        atomic_store_explicit(&bp->state, NDISI_NB_FREE, memory_order_relaxed);
    }
    atomic_store_explicit(&pr->where, NDISI_NBL_FREE, memory_order_relaxed);
    ndisi_slab_free(&p->slab, pr);
}

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    static const char ddi[] = "NdisFreeNetBufferList";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    if (!ndisi_nbl_free_checks(NetBufferList, ddi, false))
        return;
    ndisi_nbl_release(NetBufferList, ddi);
}

NDIS_HANDLE NdisGetPoolFromNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    static const char ddi[] = "NdisGetPoolFromNetBufferList";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    if (!NetBufferList) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList points to a NET_BUFFER_LIST",
                     "NetBufferList is NULL");
        return NULL;
    }
    return NetBufferList->NdisPoolHandle;
}

/* ---- context space --------------------------------------------------------------- */

NDIS_STATUS NdisAllocateNetBufferListContext(PNET_BUFFER_LIST NetBufferList, USHORT ContextSize,
                                             USHORT ContextBackFill, ULONG PoolTag)
{
    static const char ddi[] = "NdisAllocateNetBufferListContext";
    PNET_BUFFER_LIST nbl = NetBufferList;

    (void)PoolTag;
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NDIS_STATUS_FAILURE;
    if (!nbl) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList points to a NET_BUFFER_LIST",
                     "NetBufferList is NULL");
        return NDIS_STATUS_FAILURE;
    }
    if (!ctx_args_ok(ContextSize, ContextBackFill, sizeof(void *), ddi))
        return NDIS_STATUS_FAILURE;
    PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
    if (c && c->Offset >= ContextSize) {
        ctx_claim(c, ContextSize);
        return NDIS_STATUS_SUCCESS;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NDIS_STATUS_RESOURCES;
    PNET_BUFFER_LIST_CONTEXT n = ctx_block((uint32_t)ContextSize + ContextBackFill, CTX_TAG_DDI);
    if (!n)
        return NDIS_STATUS_RESOURCES;
    n->Next = c;
    ctx_claim(n, ContextSize);
    nbl->Context = n;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisFreeNetBufferListContext(PNET_BUFFER_LIST NetBufferList, USHORT ContextSize)
{
    static const char ddi[] = "NdisFreeNetBufferListContext";
    PNET_BUFFER_LIST nbl = NetBufferList;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    if (!nbl) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList points to a NET_BUFFER_LIST",
                     "NetBufferList is NULL");
        return;
    }
    PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
    if (!c || (uint32_t)c->Offset + ContextSize > c->Size) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "releases context space allocated by NdisAllocateNetBufferListContext",
                     "NET_BUFFER_LIST %p has %u bytes of used context space, ContextSize is %u",
                     (void *)nbl, c ? (unsigned)(c->Size - c->Offset) : 0u, ContextSize);
        return;
    }
    c->Offset = (USHORT)(c->Offset + ContextSize);
    if (c->Offset == c->Size && c != nbl_prealloc_ctx(nbl) && ndisi_blk_tag(c) == CTX_TAG_DDI) {
        nbl->Context = c->Next;
        ndisi_blk_free(c);
    }
}

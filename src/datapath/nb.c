/*
 * nb.c - NET_BUFFERs: NdisAllocateNetBuffer, NdisAllocateNetBufferMdlAndData,
 * NdisFreeNetBuffer, NdisGetPoolFromNetBuffer, the retreat and advance
 * operations (NdisRetreat/AdvanceNetBuffer(List)DataStart), NdisGetDataBuffer,
 * NdisCopyFromNetBufferToNetBuffer and NdisQueryNetBufferPhysicalCount.
 *
 * Data space (concepts/net-buffer-structure.md): the used data of an NB is
 * the DataLength bytes that start DataOffset bytes into its MDL chain;
 * CurrentMdl/CurrentMdlOffset name the MDL and offset where it starts. An
 * offset that falls exactly at the end of an MDL is kept at the start of the
 * next MDL (the last MDL keeps it when there is no next one).
 *
 * Retreat: with enough unused space it only moves DataOffset back. Otherwise
 * it chains a new MDL of DataOffsetDelta + DataBackFill bytes (NDIS's own, or
 * one from the driver's NetAllocateMdl) at the head of the chain, with the new
 * used data at its end, so that the retreated bytes are contiguous. The used
 * data must continue right after it: if the old data did not start at an MDL
 * boundary, a partial MDL describing the rest of the old current MDL follows
 * the new one; the MDLs before the old data start are detached. A record on
 * the NB (nbpriv.h) remembers how to undo that, and an advance with FreeMdl
 * TRUE past the new MDL restores the old chain and frees what retreat
 * allocated (through the driver's NetFreeMdl for MDLs from NetAllocateMdl).
 */
#include <string.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "datapath/nbpriv.h"
#include "datapath/pool.h"
#include "os/fault.h"

/* The MDL and offset `off` bytes past (m, 0); NULL if the chain is shorter than `off`. */
static PMDL mdl_seek(PMDL m, uint64_t off, ULONG *out)
{
    while (m && off >= m->ByteCount && m->Next) {
        off -= m->ByteCount;
        m = m->Next;
    }
    if (!m ? off != 0 : off > m->ByteCount)
        return NULL;
    *out = (ULONG)off;
    return m;
}

/* Recomputes CurrentMdl/CurrentMdlOffset from MdlChain and DataOffset. */
static void nb_seek_from_chain(PNET_BUFFER nb)
{
    ULONG off = 0;
    PMDL m = mdl_seek(nb->MdlChain, nb->DataOffset, &off);
    nb->CurrentMdl = m;
    nb->CurrentMdlOffset = m ? off : 0;
}

bool ndisi_nb_set_chain(PNET_BUFFER nb, PMDL chain, ULONG offset, SIZE_T length)
{
    ULONG off = 0;
    PMDL m = mdl_seek(chain, offset, &off);
    nb->MdlChain = chain;
    nb->DataOffset = offset;
    nb->stDataLength = length;
    nb->CurrentMdl = m;
    nb->CurrentMdlOffset = m ? off : 0;
    return m != NULL || (!chain && offset == 0);
}

/* ---- allocation and free ------------------------------------------------------- */

PNET_BUFFER ndisi_nb_pool_get(struct ndisi_nb_pool *p, uint8_t kind)
{
    struct ndisi_nb_priv *pr = ndisi_slab_alloc(&p->slab);
    if (!pr)
        return NULL;
    pr->magic = NDISI_NB_MAGIC;
    pr->kind = kind;
    pr->flags = 0;
    pr->reserved = 0;
    pr->pool = p;
    pr->nbl = NULL;
    pr->retreat = NULL;
    pr->owned_mdls = NULL;
    pr->next = NULL;
    atomic_store_explicit(&pr->state, NDISI_NB_ALLOCATED, memory_order_relaxed);
    PNET_BUFFER nb = ndisi_priv_nb(pr);
    memset(nb, 0, p->zero_len);
    nb->NdisPoolHandle = p;
    return nb;
}

void ndisi_nb_pool_put(PNET_BUFFER nb)
{
    struct ndisi_nb_priv *pr = ndisi_nb_priv(nb);
    atomic_store_explicit(&pr->state, NDISI_NB_FREE, memory_order_relaxed);
    ndisi_slab_free(&pr->pool->slab, pr);
}

PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain, ULONG DataOffset,
                                  SIZE_T DataLength)
{
    static const char ddi[] = "NdisAllocateNetBuffer";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    struct ndisi_nb_pool *p = ndisi_nb_pool_check(PoolHandle, ddi);
    if (!p)
        return NULL;
    if (!MdlChain && (DataOffset || DataLength)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "If MdlChain is NULL, DataOffset and DataLength must be 0",
                     "MdlChain NULL with DataOffset %lu, DataLength %zu",
                     (unsigned long)DataOffset, (size_t)DataLength);
        return NULL;
    }
    if (DataLength > 0xffffffffu) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "The maximum length is 0xFFFFFFFF bytes",
                     "DataLength %zu", (size_t)DataLength);
        return NULL;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;
    PNET_BUFFER nb = ndisi_nb_pool_get(p, NDISI_NBK_POOL);
    if (!nb)
        return NULL;
    if (!ndisi_nb_set_chain(nb, MdlChain, DataOffset, DataLength)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "DataOffset: the offset from the start of the buffer in the MDL chain",
                     "DataOffset %lu lies beyond the end of MDL chain %p",
                     (unsigned long)DataOffset, (void *)MdlChain);
        ndisi_nb_pool_put(nb);
        return NULL;
    }
    return nb;
}

PNET_BUFFER NdisAllocateNetBufferMdlAndData(NDIS_HANDLE PoolHandle)
{
    static const char ddi[] = "NdisAllocateNetBufferMdlAndData";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    struct ndisi_nb_pool *p = ndisi_nb_pool_check(PoolHandle, ddi);
    if (!p)
        return NULL;
    if (!p->data_size) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "The caller must call NdisAllocateNetBufferPool and specify the maximum "
                     "size of the data buffers",
                     "%s was created with DataSize 0", p->label);
        return NULL;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;
    PNET_BUFFER nb = ndisi_nb_pool_get(p, NDISI_NBK_POOL_DATA);
    if (!nb)
        return NULL;
    char *e = (char *)ndisi_nb_priv(nb);
    PMDL mdl = (PMDL)(e + p->off_mdl);
    ndisi_mdl_build(mdl, e + p->off_data, p->data_size);
    nb->MdlChain = nb->CurrentMdl = mdl;
    nb->stDataLength = p->data_size;
    return nb;
}

bool ndisi_nb_check_live(PNET_BUFFER nb, const char *ddi)
{
    if (!nb) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBuffer points to a NET_BUFFER",
                     "NetBuffer is NULL");
        return false;
    }
    struct ndisi_nb_priv *pr = ndisi_nb_priv(nb);
    if (pr->magic != NDISI_NB_MAGIC) {
        ndisi_report(NDISI_V_NBL, ddi,
                     "NET_BUFFER structures must be allocated from an NDIS buffer pool",
                     "NET_BUFFER %p was not allocated by NDIS", (void *)nb);
        return false;
    }
    if (atomic_load_explicit(&pr->state, memory_order_relaxed) == NDISI_NB_FREE) {
        ndisi_report(NDISI_V_NBL, ddi, "a NET_BUFFER is freed once",
                     "NET_BUFFER %p was already freed", (void *)nb);
        return false;
    }
    return true;
}

VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer)
{
    static const char ddi[] = "NdisFreeNetBuffer";
    PNET_BUFFER nb = NetBuffer;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    if (!ndisi_nb_check_live(nb, ddi))
        return;
    struct ndisi_nb_priv *pr = ndisi_nb_priv(nb);
    if (pr->kind == NDISI_NBK_NBL) {
        ndisi_report(NDISI_V_NBL, ddi,
                     "NET_BUFFER structures allocated with the NET_BUFFER_LIST should not be "
                     "freed separate from it",
                     "NET_BUFFER %p belongs to NET_BUFFER_LIST %p (preallocated by its pool); "
                     "NdisFreeNetBufferList frees it; the free is refused",
                     (void *)nb, (void *)pr->nbl);
        return;
    }
    if (pr->kind == NDISI_NBK_CLONE) {
        ndisi_report(NDISI_V_NBL, ddi,
                     "NdisFreeCloneNetBufferList frees the NET_BUFFERs of a clone",
                     "NET_BUFFER %p belongs to a clone NET_BUFFER_LIST; the free is refused",
                     (void *)nb);
        return;
    }
    struct ndisi_image *cur = ndisi_cb_current_image();
    if (cur && pr->pool->image && cur != pr->pool->image) {
        ndisi_report(NDISI_V_NBL, ddi, "only the driver that allocated a NET_BUFFER frees it",
                     "driver %s frees NET_BUFFER %p, which driver %s allocated from %s",
                     ndisi_image_label(cur), (void *)nb, ndisi_image_label(pr->pool->image),
                     pr->pool->label);
        return;
    }
    if (pr->retreat)
        ndisi_nb_drop_retreats(nb, ddi);
    ndisi_nb_pool_put(nb);
}

NDIS_HANDLE NdisGetPoolFromNetBuffer(PNET_BUFFER NetBuffer)
{
    static const char ddi[] = "NdisGetPoolFromNetBuffer";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    if (!NetBuffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBuffer points to a NET_BUFFER",
                     "NetBuffer is NULL");
        return NULL;
    }
    return NetBuffer->NdisPoolHandle;
}

/* ---- retreat and advance ------------------------------------------------------- */

void ndisi_nb_drop_retreats(PNET_BUFFER nb, const char *ddi)
{
    struct ndisi_nb_priv *pr = ndisi_nb_priv(nb);
    unsigned leaked = 0;
    struct ndisi_retreat *r = pr->retreat;
    while (r) {
        struct ndisi_retreat *prev = r->prev;
        ndisi_mdl_free(r->partial);
        if (r->by_handler)
            leaked++;
        else
            ndisi_mdl_free(r->mdl);
        ndisi_blk_free(r);
        r = prev;
    }
    pr->retreat = NULL;
    if (leaked)
        ndisi_report(NDISI_V_LEAK, ddi,
                     "NdisAdvanceNetBufferDataStart frees, through NetFreeMdl, the MDLs that "
                     "NetAllocateMdl allocated for NdisRetreatNetBufferDataStart",
                     "NET_BUFFER %p is freed with %u MDL%s from the driver's NetAllocateMdl "
                     "still in its chain",
                     (void *)nb, leaked, leaked == 1 ? "" : "s");
}

static NDIS_STATUS nb_retreat(PNET_BUFFER nb, ULONG delta, ULONG backfill,
                              NET_BUFFER_ALLOCATE_MDL *alloc_mdl, const void *call,
                              const char *ddi)
{
    if (delta == 0)
        return NDIS_STATUS_SUCCESS;
    if ((uint64_t)nb->DataLength + delta > 0xffffffffu)
        return NDIS_STATUS_FAILURE;

    if (delta <= nb->DataOffset) {
        /* Enough unused data space: only the offsets move. */
        nb->DataOffset -= delta;
        nb->stDataLength = nb->DataLength + delta;
        if (nb->CurrentMdl && delta <= nb->CurrentMdlOffset)
            nb->CurrentMdlOffset -= delta;
        else
            nb_seek_from_chain(nb);
        return NDIS_STATUS_SUCCESS;
    }

    uint64_t size = (uint64_t)delta + backfill;
    if (size > 0xffffffffu)
        return NDIS_STATUS_FAILURE;
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NDIS_STATUS_RESOURCES;

    /* Where the used data starts now, and what must follow the new MDL. */
    PMDL cur = nb->CurrentMdl, next, partial = NULL;
    ULONG coff = nb->CurrentMdlOffset;
    struct ndisi_retreat *r = ndisi_blk_alloc(sizeof(*r), 0);
    if (!r)
        return NDIS_STATUS_RESOURCES;
    if (!cur) {
        next = NULL;
    } else if (coff == 0) {
        next = cur;
    } else if (coff >= cur->ByteCount) {
        next = cur->Next;
    } else {
        PUCHAR va = ndisi_mdl_va(cur, coff);
        partial = va ? ndisi_mdl_alloc(va, cur->ByteCount - coff, NDISI_MDLK_INTERNAL) : NULL;
        if (!partial) {
            ndisi_blk_free(r);
            return NDIS_STATUS_RESOURCES;
        }
        partial->Next = cur->Next;
        next = partial;
    }

    PMDL mdl;
    if (alloc_mdl) {
        ULONG want = (ULONG)size;
        mdl = alloc_mdl(&want);
        if (mdl && mdl->ByteCount < delta) {
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "NetAllocateMdl allocates an MDL with a memory block of the "
                         "requested size",
                         "NetAllocateMdl returned MDL %p of %lu bytes for a request of %lu",
                         (void *)mdl, (unsigned long)mdl->ByteCount, (unsigned long)size);
            ndisi_mdl_free(partial);
            ndisi_blk_free(r);
            return NDIS_STATUS_FAILURE;
        }
    } else {
        mdl = ndisi_mdl_alloc_with_data((ULONG)size);
    }
    if (!mdl) {
        ndisi_mdl_free(partial);
        ndisi_blk_free(r);
        return NDIS_STATUS_RESOURCES;
    }

    struct ndisi_nb_priv *pr = ndisi_nb_priv(nb);
    r->mdl = mdl;
    r->partial = partial;
    r->saved_chain = nb->MdlChain;
    r->saved_offset = nb->DataOffset;
    r->size = mdl->ByteCount;
    r->by_handler = alloc_mdl != NULL;
    r->call = call;
    r->prev = pr->retreat;
    pr->retreat = r;

    mdl->Next = next;
    nb->MdlChain = nb->CurrentMdl = mdl;
    nb->DataOffset = nb->CurrentMdlOffset = mdl->ByteCount - delta;
    nb->stDataLength = nb->DataLength + delta;
    return NDIS_STATUS_SUCCESS;
}

/*
 * Frees the MDLs retreat allocated that the used data has left (newest first;
 * only those of retreat call `call` if it is not NULL), restoring the chain
 * each had replaced.
 */
static void nb_release_retreats(PNET_BUFFER nb, NET_BUFFER_FREE_MDL *free_mdl, const void *call,
                                const char *ddi)
{
    struct ndisi_nb_priv *pr = ndisi_nb_priv(nb);
    struct ndisi_retreat *r;
    bool changed = false;

    while ((r = pr->retreat) && (!call || r->call == call) && nb->MdlChain == r->mdl &&
           nb->DataOffset >= r->size) {
        if (r->by_handler && !free_mdl) {
            ndisi_report(NDISI_V_PARAMETER, ddi,
                         "NDIS calls NetFreeMdl to free the MDLs that the driver allocated in "
                         "NetAllocateMdl",
                         "MDL %p came from the driver's NetAllocateMdl but no FreeMdlHandler "
                         "was given; it stays in the chain of NET_BUFFER %p",
                         (void *)r->mdl, (void *)nb);
            break;
        }
        nb->DataOffset = r->saved_offset + (nb->DataOffset - r->size);
        nb->MdlChain = r->saved_chain;
        pr->retreat = r->prev;
        ndisi_mdl_free(r->partial);
        if (r->by_handler)
            free_mdl(r->mdl);
        else
            ndisi_mdl_free(r->mdl);
        ndisi_blk_free(r);
        changed = true;
    }
    if (changed)
        nb_seek_from_chain(nb);
}

static bool nb_advance(PNET_BUFFER nb, ULONG delta, BOOLEAN free_mdl,
                       NET_BUFFER_FREE_MDL *free_handler, const char *ddi)
{
    if (delta > nb->DataLength) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "DataOffsetDelta: the amount of used data space to release",
                     "DataOffsetDelta %lu is larger than the used data space (%lu bytes) of "
                     "NET_BUFFER %p",
                     (unsigned long)delta, (unsigned long)nb->DataLength, (void *)nb);
        return false;
    }
    nb->DataOffset += delta;
    nb->stDataLength = nb->DataLength - delta;
    ULONG off = 0;
    PMDL m = nb->CurrentMdl ? mdl_seek(nb->CurrentMdl, (uint64_t)nb->CurrentMdlOffset + delta, &off)
                            : NULL;
    if (m) {
        nb->CurrentMdl = m;
        nb->CurrentMdlOffset = off;
    } else {
        nb_seek_from_chain(nb);
    }
    if (free_mdl && ndisi_nb_priv(nb)->retreat)
        nb_release_retreats(nb, free_handler, NULL, ddi);
    return true;
}

NDIS_STATUS NdisRetreatNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta,
                                          ULONG DataBackFill,
                                          NET_BUFFER_ALLOCATE_MDL *AllocateMdlHandler)
{
    static const char ddi[] = "NdisRetreatNetBufferDataStart";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NDIS_STATUS_FAILURE;
    if (!NetBuffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBuffer points to a NET_BUFFER",
                     "NetBuffer is NULL");
        return NDIS_STATUS_FAILURE;
    }
    return nb_retreat(NetBuffer, DataOffsetDelta, DataBackFill, AllocateMdlHandler, NULL, ddi);
}

VOID NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, BOOLEAN FreeMdl,
                                   NET_BUFFER_FREE_MDL *FreeMdlHandler)
{
    static const char ddi[] = "NdisAdvanceNetBufferDataStart";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    if (!NetBuffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBuffer points to a NET_BUFFER",
                     "NetBuffer is NULL");
        return;
    }
    nb_advance(NetBuffer, DataOffsetDelta, FreeMdl, FreeMdlHandler, ddi);
}

NDIS_STATUS NdisRetreatNetBufferListDataStart(PNET_BUFFER_LIST NetBufferList, ULONG DataOffsetDelta,
                                              ULONG DataBackFill,
                                              NET_BUFFER_ALLOCATE_MDL *AllocateMdlHandler,
                                              NET_BUFFER_FREE_MDL *FreeMdlHandler)
{
    static const char ddi[] = "NdisRetreatNetBufferListDataStart";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NDIS_STATUS_FAILURE;
    if (!NetBufferList) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList points to a NET_BUFFER_LIST",
                     "NetBufferList is NULL");
        return NDIS_STATUS_FAILURE;
    }
    const char call = 0; /* its address tags the MDLs this call allocates */
    for (PNET_BUFFER nb = NetBufferList->FirstNetBuffer; nb; nb = nb->Next) {
        NDIS_STATUS st =
            nb_retreat(nb, DataOffsetDelta, DataBackFill, AllocateMdlHandler, &call, ddi);
        if (st == NDIS_STATUS_SUCCESS)
            continue;
        /* Undo the NBs done so far, freeing only what this call allocated. */
        for (PNET_BUFFER u = NetBufferList->FirstNetBuffer; u != nb; u = u->Next) {
            u->DataOffset += DataOffsetDelta;
            u->stDataLength = u->DataLength - DataOffsetDelta;
            nb_seek_from_chain(u);
            if (ndisi_nb_priv(u)->retreat)
                nb_release_retreats(u, FreeMdlHandler, &call, ddi);
        }
        return st;
    }
    /* Success: untag this call's records (the stack address will be reused). */
    for (PNET_BUFFER nb = NetBufferList->FirstNetBuffer; nb; nb = nb->Next) {
        struct ndisi_retreat *r = ndisi_nb_priv(nb)->retreat;
        if (r && r->call == &call)
            r->call = NULL;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID NdisAdvanceNetBufferListDataStart(PNET_BUFFER_LIST NetBufferList, ULONG DataOffsetDelta,
                                       BOOLEAN FreeMdl, NET_BUFFER_FREE_MDL *FreeMdlMdlHandler)
{
    static const char ddi[] = "NdisAdvanceNetBufferListDataStart";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    if (!NetBufferList) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBufferList points to a NET_BUFFER_LIST",
                     "NetBufferList is NULL");
        return;
    }
    for (PNET_BUFFER nb = NetBufferList->FirstNetBuffer; nb; nb = nb->Next)
        nb_advance(nb, DataOffsetDelta, FreeMdl, FreeMdlMdlHandler, ddi);
}

/* ---- reading and copying data --------------------------------------------------- */

/* Copies n bytes of an MDL chain starting at (m, off) to `out`; false if unmappable. */
static bool chain_read(PMDL m, ULONG off, PUCHAR out, ULONG n)
{
    while (n && m) {
        if (off >= m->ByteCount) {
            off -= m->ByteCount;
            m = m->Next;
            continue;
        }
        ULONG chunk = m->ByteCount - off < n ? m->ByteCount - off : n;
        PUCHAR va = ndisi_mdl_va(m, off);
        if (!va)
            return false;
        memcpy(out, va, chunk);
        out += chunk;
        n -= chunk;
        off = 0;
        m = m->Next;
    }
    return n == 0;
}

PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
                        UINT AlignMultiple, UINT AlignOffset)
{
    static const char ddi[] = "NdisGetDataBuffer";
    PNET_BUFFER nb = NetBuffer;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    if (!nb) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBuffer points to a NET_BUFFER",
                     "NetBuffer is NULL");
        return NULL;
    }
    if (AlignMultiple == 0)
        AlignMultiple = 1;
    if (AlignMultiple & (AlignMultiple - 1)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "AlignMultiple: the alignment multiple expressed in power of two",
                     "AlignMultiple %u is not a power of two", AlignMultiple);
        return NULL;
    }
    if (BytesNeeded > nb->DataLength)
        return NULL;
    ULONG off = 0;
    PMDL m = nb->CurrentMdl ? mdl_seek(nb->CurrentMdl, nb->CurrentMdlOffset, &off) : NULL;
    if (!m)
        return NULL;
    PUCHAR va = ndisi_mdl_va(m, off);
    if (!va)
        return NULL;
    ULONG_PTR mask = AlignMultiple - 1;
    if (m->ByteCount - off >= BytesNeeded && ((ULONG_PTR)va & mask) == (AlignOffset & mask))
        return va;
    if (!Storage)
        return NULL;
    return chain_read(m, off, Storage, BytesNeeded) ? Storage : NULL;
}

NDIS_STATUS NdisCopyFromNetBufferToNetBuffer(PNET_BUFFER Destination, ULONG DestinationOffset,
                                             ULONG BytesToCopy, PNET_BUFFER Source,
                                             ULONG SourceOffset, PULONG BytesCopied)
{
    static const char ddi[] = "NdisCopyFromNetBufferToNetBuffer";

    if (BytesCopied)
        *BytesCopied = 0;
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NDIS_STATUS_RESOURCES;
    if (!Destination || !Source || !BytesCopied) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "Destination, Source and BytesCopied point to caller structures",
                     "Destination %p, Source %p, BytesCopied %p", (void *)Destination,
                     (void *)Source, (void *)BytesCopied);
        return NDIS_STATUS_RESOURCES;
    }
    /* The source has DataLength bytes of data from its current offset. */
    ULONG n = SourceOffset >= Source->DataLength ? 0 : Source->DataLength - SourceOffset;
    if (n > BytesToCopy)
        n = BytesToCopy;
    ULONG soff = 0, doff = 0;
    PMDL s = n && Source->CurrentMdl
                 ? mdl_seek(Source->CurrentMdl, (uint64_t)Source->CurrentMdlOffset + SourceOffset,
                            &soff)
                 : NULL;
    PMDL d = n && Destination->CurrentMdl
                 ? mdl_seek(Destination->CurrentMdl,
                            (uint64_t)Destination->CurrentMdlOffset + DestinationOffset, &doff)
                 : NULL;
    ULONG copied = 0;
    while (copied < n && s && d) {
        if (soff >= s->ByteCount) {
            s = s->Next;
            soff = 0;
            continue;
        }
        if (doff >= d->ByteCount) {
            d = d->Next;
            doff = 0;
            continue;
        }
        ULONG chunk = n - copied;
        if (chunk > s->ByteCount - soff)
            chunk = s->ByteCount - soff;
        if (chunk > d->ByteCount - doff)
            chunk = d->ByteCount - doff;
        PUCHAR sva = ndisi_mdl_va(s, soff), dva = ndisi_mdl_va(d, doff);
        if (!sva || !dva) {
            *BytesCopied = copied;
            return NDIS_STATUS_RESOURCES;
        }
        memmove(dva, sva, chunk);
        copied += chunk;
        soff += chunk;
        doff += chunk;
    }
    *BytesCopied = copied;
    return NDIS_STATUS_SUCCESS;
}

ULONG NdisQueryNetBufferPhysicalCount(PNET_BUFFER NetBuffer)
{
    static const char ddi[] = "NdisQueryNetBufferPhysicalCount";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return 0;
    if (!NetBuffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "NetBuffer points to a NET_BUFFER",
                     "NetBuffer is NULL");
        return 0;
    }
    ULONG count = 0, remaining = NetBuffer->DataLength, off = NetBuffer->CurrentMdlOffset;
    PMDL m = NetBuffer->CurrentMdl;
    while (m && remaining) {
        if (off >= m->ByteCount) {
            off -= m->ByteCount;
            m = m->Next;
            continue;
        }
        ULONG len = m->ByteCount - off < remaining ? m->ByteCount - off : remaining;
        count += ADDRESS_AND_SIZE_TO_SPAN_PAGES((PUCHAR)MmGetMdlVirtualAddress(m) + off, len);
        remaining -= len;
        m = m->Next;
        off = 0;
    }
    return count;
}

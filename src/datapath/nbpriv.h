/*
 * nbpriv.h - what NDIS keeps about every NET_BUFFER it allocates (a hidden
 * header right before the structure, as nblpriv.h does for NET_BUFFER_LISTs),
 * the records of MDLs that NdisRetreatNetBufferDataStart allocated, and the
 * hidden header of the MDLs NDIS allocates for itself (mdl.c).
 *
 * A NET_BUFFER comes from one of three places, and each has its own free
 * function: preallocated with its NET_BUFFER_LIST (fAllocateNetBuffer pools;
 * freed only with the NBL), from a NET_BUFFER pool (NdisFreeNetBuffer), or
 * from NdisAllocateCloneNetBufferList (NdisFreeCloneNetBufferList).
 */
#ifndef NDISI_DATAPATH_NBPRIV_H
#define NDISI_DATAPATH_NBPRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ndis.h>

#include "datapath/nblpriv.h"

struct ndisi_nb_pool;
struct ndisi_retreat;

enum ndisi_nb_kind {
    NDISI_NBK_NBL = 1,   /* preallocated with its NET_BUFFER_LIST */
    NDISI_NBK_POOL,      /* NdisAllocateNetBuffer */
    NDISI_NBK_POOL_DATA, /* NdisAllocateNetBufferMdlAndData */
    NDISI_NBK_CLONE,     /* part of a clone NET_BUFFER_LIST */
};

enum ndisi_nb_state { NDISI_NB_FREE = 0, NDISI_NB_ALLOCATED = 1 };

#define NDISI_NBF_OWNS_MDLS 0x01u /* clone NB whose MDLs NDIS allocated (owned_mdls) */

struct ndisi_nb_priv {
    uint32_t magic;                 /* NDISI_NB_MAGIC (nblpriv.h) */
    uint8_t kind;                   /* enum ndisi_nb_kind */
    _Atomic uint8_t state;          /* enum ndisi_nb_state (pool NBs) */
    uint8_t flags;                  /* NDISI_NBF_* */
    uint8_t reserved;
    struct ndisi_nb_pool *pool;     /* NB pool, or NULL for NDISI_NBK_NBL */
    PNET_BUFFER_LIST nbl;           /* NDISI_NBK_NBL: the NBL it belongs to */
    struct ndisi_retreat *retreat;  /* MDLs retreat put at the head of the chain, newest first */
    PMDL owned_mdls;                /* NDISI_NBF_OWNS_MDLS: the chain NDIS built for the clone */
    struct ndisi_nb_priv *next;     /* free-list link */
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct ndisi_nb_priv) % 16 == 0, "keeps the NET_BUFFER 16-byte aligned");

static inline struct ndisi_nb_priv *ndisi_nb_priv(PNET_BUFFER nb)
{
    return (struct ndisi_nb_priv *)nb - 1;
}

static inline PNET_BUFFER ndisi_priv_nb(struct ndisi_nb_priv *p)
{
    return (PNET_BUFFER)(p + 1);
}

/*
 * One NdisRetreatNetBufferDataStart that had to allocate: `mdl` (Delta +
 * BackFill bytes, used data at its end) became the head of the chain. If the
 * old data did not start at an MDL boundary, `partial` describes the rest of
 * the old current MDL so the used data stays contiguous; the MDLs before the
 * old data start are detached and saved_chain keeps them. Advancing past
 * `mdl` with FreeMdl TRUE restores saved_chain and frees mdl and partial.
 */
struct ndisi_retreat {
    struct ndisi_retreat *prev;     /* older record */
    PMDL mdl;
    PMDL partial;                   /* NDIS-allocated, or NULL */
    PMDL saved_chain;               /* MdlChain before the retreat */
    ULONG saved_offset;             /* DataOffset before the retreat */
    ULONG size;                     /* mdl->ByteCount when it was chained */
    bool by_handler;                /* mdl came from the driver's NetAllocateMdl */
    const void *call;               /* identifies the NdisRetreat*DataStart call (rollback) */
};

/*
 * Initialises a NET_BUFFER over an MDL chain: MdlChain, DataOffset,
 * DataLength and the CurrentMdl/CurrentMdlOffset that DataOffset lands in.
 * Returns false if DataOffset lies beyond the chain.
 */
bool ndisi_nb_set_chain(PNET_BUFFER nb, PMDL chain, ULONG offset, SIZE_T length);

/* Frees the retreat records of an NB that is being freed (see nb.c). */
void ndisi_nb_drop_retreats(PNET_BUFFER nb, const char *ddi);

/* Common checks of NdisFreeNetBuffer-like paths; false after a report. */
bool ndisi_nb_check_live(PNET_BUFFER nb, const char *ddi);

/* ---- MDLs NDIS allocates (mdl.c) ------------------------------------------- */

#define NDISI_MDL_MAGIC 0x4c444d4eu /* "NMDL" */

enum ndisi_mdl_kind {
    NDISI_MDLK_RETREAT = 1, /* NdisRetreatNetBufferDataStart: MDL and its data buffer */
    NDISI_MDLK_INTERNAL,    /* clone and partial MDLs */
};

/* Sits right before every MDL NDIS allocates for itself. */
struct ndisi_mdl_hdr {
    uint32_t magic;
    uint8_t kind;        /* enum ndisi_mdl_kind */
    uint8_t reserved[3];
    uint32_t length;     /* bytes described at allocation */
    uint32_t reserved2;
};

/* Bytes for an MDL plus the PFN array of any `len`-byte buffer. */
static inline size_t ndisi_mdl_bytes(size_t len)
{
    return sizeof(MDL) + sizeof(PFN_NUMBER) * ((len >> PAGE_SHIFT) + 2);
}

/* MmInitializeMdl + MmBuildMdlForNonPagedPool on memory the caller provides. */
void ndisi_mdl_build(PMDL mdl, void *va, ULONG len);
/* An NDIS-owned MDL describing [va, va+len) (built for nonpaged memory). */
PMDL ndisi_mdl_alloc(void *va, ULONG len, enum ndisi_mdl_kind kind);
/* An MDL and a `len`-byte data buffer in one block (NDISI_MDLK_RETREAT). */
PMDL ndisi_mdl_alloc_with_data(ULONG len);
/* Frees an MDL from ndisi_mdl_alloc / ndisi_mdl_alloc_with_data. */
void ndisi_mdl_free(PMDL mdl);

/* The system address of byte `off` of an MDL, or NULL if it cannot be mapped. */
static inline PUCHAR ndisi_mdl_va(PMDL m, ULONG off)
{
    PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
    return va ? va + off : NULL;
}

#endif /* NDISI_DATAPATH_NBPRIV_H */

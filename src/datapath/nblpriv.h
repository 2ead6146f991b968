/*
 * nblpriv.h - what NDIS keeps about every NET_BUFFER_LIST and NET_BUFFER it
 * allocates, in a hidden header placed right before the structure the driver
 * sees (drivers only get NBLs and NBs from NDIS pools, so every one has it).
 *
 * Ownership ("where"), the rule a reader could break: an NBL is OWNED by the
 * driver whose pool allocated it while that driver holds it; SENT from the
 * moment its owner passes it down (NdisSendNetBufferLists or
 * NdisFSendNetBufferLists) until NDIS completes it back to the owner; INDICATED
 * from the moment its owner indicates it up until NDIS returns it to the owner
 * (INDICATED_ONE while one binding or module may hold it and no NDIS clone
 * shares it, the common case, whose return needs no reference count; INDICATED
 * with `refs` counting the holders otherwise, 0 for an indication with
 * NDIS_RECEIVE_FLAGS_RESOURCES); FREE in the pool. Only OWNED NBLs may be freed; a free of any other is
 * reported by name (double free, free of an NBL still owned by another driver).
 * The data path (send.c, receive.c) moves NBLs between the states; the pool code
 * (pool.c, nbl.c) creates them OWNED and frees them.
 */
#ifndef NDISI_NBLPRIV_H
#define NDISI_NBLPRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ndis.h>

struct ndisi_image;
struct ndisi_open;
struct ndisi_nbl_pool;
struct ndisi_nb_pool;

#define NDISI_NBL_MAGIC 0x4c424e44u /* "DNBL" */
#define NDISI_NB_MAGIC 0x42454e44u  /* "DNEB" */

enum ndisi_nbl_where {
    NDISI_NBL_FREE = 0,
    NDISI_NBL_OWNED,
    NDISI_NBL_SENT,
    NDISI_NBL_INDICATED,
    NDISI_NBL_INDICATED_ONE,
};

#define NDISI_NBLF_CLONE 0x01u     /* from NdisAllocateCloneNetBufferList */
#define NDISI_NBLF_WITH_NB 0x02u   /* allocated with its NET_BUFFER (fAllocateNetBuffer) */
#define NDISI_NBLF_WITH_DATA 0x04u /* ... and an MDL and data buffer (DataSize) */
#define NDISI_NBLF_RXCLONE 0x08u   /* NDIS's clone for a second receiving binding (rxclone.c);
                                      reserved2 points to the original */

struct ndisi_nbl_priv {
    uint32_t magic;                /* NDISI_NBL_MAGIC while allocated or cached */
    _Atomic uint8_t where;         /* enum ndisi_nbl_where */
    uint8_t flags;                 /* NDISI_NBLF_* */
    uint16_t reserved;
    atomic_int refs;               /* receive path: bindings still holding it */
    struct ndisi_nbl_pool *pool;   /* the pool it belongs to */
    struct ndisi_image *owner;     /* the driver that allocated the pool */
    union {
        struct ndisi_nbl_priv *next; /* free list link while FREE */
        struct ndisi_open *sender;   /* SENT: the binding that sent it (NULL: a filter
                                        module); completions are routed by it (send.c) */
    };
    void *reserved2;
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct ndisi_nbl_priv) % 16 == 0, "keeps the NBL 16-byte aligned");

static inline struct ndisi_nbl_priv *ndisi_nbl_priv(PNET_BUFFER_LIST nbl)
{
    return (struct ndisi_nbl_priv *)nbl - 1;
}

static inline PNET_BUFFER_LIST ndisi_priv_nbl(struct ndisi_nbl_priv *p)
{
    return (PNET_BUFFER_LIST)(p + 1);
}

/* Ownership is bookkeeping, ordered by the hand-offs around it: relaxed access
   keeps it to a plain load or store on the data path. */
static inline uint8_t ndisi_nbl_where(const struct ndisi_nbl_priv *p)
{
    return atomic_load_explicit(&((struct ndisi_nbl_priv *)p)->where, memory_order_relaxed);
}

static inline void ndisi_nbl_set_where(struct ndisi_nbl_priv *p, enum ndisi_nbl_where w)
{
    atomic_store_explicit(&p->where, (uint8_t)w, memory_order_relaxed);
}

static inline bool ndisi_where_indicated(uint8_t w)
{
    return w == NDISI_NBL_INDICATED || w == NDISI_NBL_INDICATED_ONE;
}

/* An NBL of an NDIS pool in state w (the data path's per-NBL check). */
static inline bool ndisi_nbl_in(const struct ndisi_nbl_priv *p, enum ndisi_nbl_where w)
{
    return p->magic == NDISI_NBL_MAGIC && ndisi_nbl_where(p) == w;
}

/* A SENT NBL still goes back to binding o: NDIS's sender, and the SourceHandle
   it stamped, intact. */
static inline bool ndisi_nbl_sent_by(const struct ndisi_nbl_priv *p, PNET_BUFFER_LIST x,
                                     const struct ndisi_open *o)
{
    return p->sender == o && x->SourceHandle == o;
}

static inline bool ndisi_nbl_is_ndis(PNET_BUFFER_LIST nbl)
{
    return ndisi_nbl_priv(nbl)->magic == NDISI_NBL_MAGIC;
}

/* Reports an NBL that is not in the state a DDI needs (NDISI_V_NBL). */
void ndisi_nbl_bad_state(PNET_BUFFER_LIST nbl, const char *ddi, const char *expected);

#endif /* NDISI_NBLPRIV_H */

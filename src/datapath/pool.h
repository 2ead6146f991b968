/*
 * pool.h - the allocators behind NET_BUFFER_LIST and NET_BUFFER pools
 * (pool.c), and the pool objects the data-path DDIs hand out as handles.
 *
 * Every pool is a slab: fixed-size elements carved from large chunks, kept on
 * a shared free list under the pool's own mutex, and cached per thread in
 * small lock-free lists (a few slots per thread, indexed by the slab's
 * generation number). Once a pool is warm, an allocate/free pair touches only
 * the calling thread's cache; the pool mutex is taken once per batch of
 * elements moved between a thread cache and the shared list, and the system
 * allocator only when the pool grows. docs/nbl.md describes the design.
 */
#ifndef NDISI_DATAPATH_POOL_H
#define NDISI_DATAPATH_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndis.h>

#include "core/obj.h"
#include "os/owned.h"

struct ndisi_image;

/* ---- slabs ------------------------------------------------------------------ */

struct ndisi_slab_chunk {
    struct ndisi_slab_chunk *next;
    size_t n;                 /* elements in this chunk */
    char pad[48];             /* elements start 64-byte aligned */
};

struct ndisi_slab {
    /* Read on every allocation and free; written only by ndisi_slab_init. */
    uint64_t gen;             /* process-unique, never 0: tells thread caches apart */
    uint32_t elem_size;       /* bytes per element, a multiple of 64 */
    uint32_t link_off;        /* free-list link (a pointer) inside a free element */
    uint32_t state_off;       /* _Atomic uint8_t, 0 while the element is free */
    uint32_t poison_off;      /* bytes [poison_off, elem_size) are poisoned while free */
    uint32_t batch;           /* elements moved between a thread cache and the shared list */
    bool fifo;                /* delayed reuse and no thread caches (POOL_FLAG_VERIFY) */
    const char *name;         /* for diagnostics */
    /* Keeps the fields above off the cache line(s) that refills and flushes write. */
    char pad[64];
    pthread_mutex_t lock;     /* the pool's own lock; guards the fields below */
    void *free_head, *free_tail;
    size_t nfree;             /* elements on the shared free list */
    size_t ntotal;            /* elements carved so far */
    size_t nchunks;
    size_t next_chunk;        /* elements in the next chunk */
    struct ndisi_slab_chunk *chunks;
    /* guarded by the process-wide slab registry lock (pool creation/destruction only) */
    struct ndisi_slab *reg_prev, *reg_next;
};

/* Element state byte (at state_off): the NBL `where` byte or the NB/block state. */
static inline uint8_t ndisi_slab_state(const struct ndisi_slab *s, void *elem)
{
    return atomic_load_explicit((_Atomic uint8_t *)((char *)elem + s->state_off),
                                memory_order_relaxed);
}

/*
 * Sets up and registers a slab. The element layout is the caller's: link_off,
 * state_off and poison_off are offsets inside an element. Returns 0 or -ENOMEM.
 */
int ndisi_slab_init(struct ndisi_slab *s, const char *name, size_t elem_size, size_t link_off,
                    size_t state_off, size_t poison_off, bool fifo);

/* ---- per-thread caches (the fast path is inline; pool.c has the rest) ----- */

#if defined(__SANITIZE_ADDRESS__)
#define NDISI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NDISI_ASAN 1
#endif
#endif
#ifdef NDISI_ASAN
#include <sanitizer/asan_interface.h>
#define NDISI_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define NDISI_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define NDISI_POISON(p, n) ((void)(p), (void)(n))
#define NDISI_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define NDISI_TC_SETS 8 /* power of two; 2 ways each */

struct ndisi_tc_slot {
    struct ndisi_slab *slab;  /* compared, never dereferenced unless live */
    uint64_t gen;
    void *head;               /* NULL-terminated list through the elements' links */
    size_t n;
};

extern __thread struct ndisi_tc_slot ndisi_tc[NDISI_TC_SETS][2];

#define NDISI_SLAB_LINK(s, e) (*(void **)((char *)(e) + (s)->link_off))

/* This thread's cache slot for the slab, or NULL (POOL_FLAG_VERIFY slabs never have one). */
static inline struct ndisi_tc_slot *ndisi_tc_find(const struct ndisi_slab *s)
{
    struct ndisi_tc_slot *set = ndisi_tc[s->gen & (NDISI_TC_SETS - 1)];
    if (set[0].slab == s && set[0].gen == s->gen)
        return &set[0];
    if (set[1].slab == s && set[1].gen == s->gen)
        return &set[1];
    return NULL;
}

void *ndisi_slab_alloc_slow(struct ndisi_slab *s);
void ndisi_slab_free_slow(struct ndisi_slab *s, void *elem);

/*
 * An element (memory not cleared; bytes before poison_off are as the last
 * user left them, or zero when fresh), or NULL if the system is out of memory.
 * Lock-free while the calling thread's cache has elements.
 */
static inline void *ndisi_slab_alloc(struct ndisi_slab *s)
{
    struct ndisi_tc_slot *t = ndisi_tc_find(s);
    if (__builtin_expect(!t || !t->head, 0))
        return ndisi_slab_alloc_slow(s);
    void *e = t->head;
    t->head = NDISI_SLAB_LINK(s, e);
    t->n--;
    NDISI_UNPOISON((char *)e + s->poison_off, s->elem_size - s->poison_off);
    return e;
}

/* Gives an element back; the caller has already set its state byte to 0. */
static inline void ndisi_slab_free(struct ndisi_slab *s, void *elem)
{
    struct ndisi_tc_slot *t = ndisi_tc_find(s);
    if (__builtin_expect(!t || t->n + 1 >= 2 * (size_t)s->batch, 0)) {
        ndisi_slab_free_slow(s, elem);
        return;
    }
    NDISI_POISON((char *)elem + s->poison_off, s->elem_size - s->poison_off);
    NDISI_SLAB_LINK(s, elem) = t->head;
    t->head = elem;
    t->n++;
}

/*
 * Elements whose state byte is not 0 (allocated). Walks every chunk under the
 * slab lock; elements sitting in thread caches are free and not counted.
 */
size_t ndisi_slab_in_use(struct ndisi_slab *s);

/*
 * Unregisters the slab and releases its chunks if no element is in use.
 * Returns the number of elements in use: 0 means the slab is gone; otherwise
 * nothing changed. Other threads' caches of this slab become stale and are
 * dropped without being read.
 */
size_t ndisi_slab_destroy(struct ndisi_slab *s);

struct ndisi_slab_stats {
    size_t total, shared_free, chunks, in_use;
};
void ndisi_slab_get_stats(struct ndisi_slab *s, struct ndisi_slab_stats *st);

/* Returns this thread's cached elements of every slab to their slabs (as thread exit does). */
void ndisi_slab_flush_thread_cache(void);

/*
 * System allocations made by the data-path allocators (slab chunks and large
 * blocks) since the process started. Tests read it to prove that a warm pool
 * makes none.
 */
unsigned long ndisi_datapath_sysallocs(void);

/* ---- small internal blocks (contexts, MDLs, retreat buffers) --------------- */

/*
 * Blocks of any size for NDIS's own bookkeeping, from size-class slabs with
 * the same per-thread caches (sizes above the largest class go to malloc).
 * The pointer is 16-byte aligned. `tag` is a byte the caller can read back.
 */
void *ndisi_blk_alloc(size_t size, uint8_t tag);
void ndisi_blk_free(void *p);
uint8_t ndisi_blk_tag(const void *p);
/* True if p is a live block from ndisi_blk_alloc (reads the 16 bytes before p). */
bool ndisi_blk_is_live(const void *p);

/* ---- NET_BUFFER_LIST pools (NdisAllocateNetBufferListPool) ------------------ */

struct ndisi_nbl_pool {
    struct ndisi_obj obj;           /* NDISI_OBJ_NBL_POOL */
    struct ndisi_image *image;      /* the driver that allocated the pool, or NULL */
    UCHAR protocol_id;              /* NET_BUFFER_LIST_POOL_PARAMETERS.ProtocolId */
    bool with_nb;                   /* fAllocateNetBuffer */
    bool verify;                    /* NET_BUFFER_LIST_POOL_FLAG_VERIFY */
    bool internal;                  /* NDIS's own pool for clones */
    USHORT ctx_size;                /* preallocated NET_BUFFER_LIST_CONTEXT data */
    ULONG tag, data_size;
    uint8_t elem_flags;             /* NDISI_NBLF_WITH_NB / _WITH_DATA for every NBL */
    /*
     * Bytes cleared at each allocation: the NBL, and for
     * fAllocateNetBuffer pools the NB header and NB after it, in one go. A
     * run-time value, so that the compiler calls the C library's vector memset
     * instead of inlining a slow `rep stos`.
     */
    uint32_t zero_len;
    /* Offsets inside an element, which starts with struct ndisi_nbl_priv. */
    uint32_t off_nb;                /* struct ndisi_nb_priv, then the NET_BUFFER */
    uint32_t off_mdl;               /* struct MDL + PFN array (data pools) */
    uint32_t off_ctx;               /* NET_BUFFER_LIST_CONTEXT + ctx_size */
    uint32_t off_data;              /* data_size bytes */
    char label[64];
    struct ndisi_owned owned;       /* listed by driver from allocation to free (cold) */
    struct ndisi_slab slab;         /* last: its locked part is on lines of its own */
};

/* ---- NET_BUFFER pools (NdisAllocateNetBufferPool) -------------------------- */

struct ndisi_nb_pool {
    struct ndisi_obj obj;           /* NDISI_OBJ_NB_POOL */
    struct ndisi_image *image;
    bool internal;                  /* NDIS's own pool for clones */
    ULONG tag, data_size;
    uint32_t zero_len;              /* sizeof(NET_BUFFER), as a run-time value (see above) */
    /* Offsets inside an element, which starts with struct ndisi_nb_priv. */
    uint32_t off_mdl, off_data;
    char label[64];
    struct ndisi_owned owned;       /* listed by driver from allocation to free (cold) */
    struct ndisi_slab slab;         /* last (see struct ndisi_nbl_pool) */
};

/*
 * Driver unload (image_reclaim): frees the NBL pools, then the NB pools, the
 * driver left allocated, with the NBLs and NBs it left in them (see pool.c for
 * when a pool must stay). `quiet`: no diagnostics about those NBLs and NBs
 * (adapters shut down, not halted).
 */
void ndisi_pool_reclaim(struct ndisi_image *img, bool quiet);

/* NDIS's own pools for clones allocated without pool handles (created on first use). */
struct ndisi_nbl_pool *ndisi_clone_nbl_pool(void);
struct ndisi_nb_pool *ndisi_clone_nb_pool(void);

/* The pool behind a handle, or NULL after an NDISI_V_HANDLE report. */
static inline struct ndisi_nbl_pool *ndisi_nbl_pool_check(NDIS_HANDLE h, const char *ddi)
{
    if (__builtin_expect(ndisi_obj_is(h, NDISI_OBJ_NBL_POOL), 1))
        return (struct ndisi_nbl_pool *)h;
    return (struct ndisi_nbl_pool *)ndisi_obj_check(h, NDISI_OBJ_NBL_POOL, ddi, "PoolHandle");
}

static inline struct ndisi_nb_pool *ndisi_nb_pool_check(NDIS_HANDLE h, const char *ddi)
{
    if (__builtin_expect(ndisi_obj_is(h, NDISI_OBJ_NB_POOL), 1))
        return (struct ndisi_nb_pool *)h;
    return (struct ndisi_nb_pool *)ndisi_obj_check(h, NDISI_OBJ_NB_POOL, ddi, "PoolHandle");
}

/* ---- NET_BUFFER_LIST and NET_BUFFER helpers shared by nbl.c, nb.c, clone.c --- */

/*
 * A fresh NET_BUFFER_LIST from the pool: zeroed, NdisPoolHandle and protocol
 * id set, OWNED by the pool's driver, no NET_BUFFER and no context attached.
 */
PNET_BUFFER_LIST ndisi_nbl_take(struct ndisi_nbl_pool *p);
/*
 * The ownership checks of NdisFreeNetBufferList / NdisFreeCloneNetBufferList:
 * allocated by NDIS, OWNED, freed by its owner, with the right free function.
 * false after a report (the caller then leaves the NBL alone).
 */
bool ndisi_nbl_free_checks(PNET_BUFFER_LIST nbl, const char *ddi, bool clone);
/* Frees contexts and the preallocated NB's retreat MDLs, and returns the NBL to its pool. */
void ndisi_nbl_release(PNET_BUFFER_LIST nbl, const char *ddi);

/* A clone's NBs and the MDLs NDIS built for them go back (clone.c); the NBL stays. */
void ndisi_clone_free_nbs(PNET_BUFFER_LIST clone, const char *ddi);

/* A fresh NET_BUFFER from an NB pool (zeroed, NdisPoolHandle set), or NULL. */
PNET_BUFFER ndisi_nb_pool_get(struct ndisi_nb_pool *p, uint8_t kind);
/* Returns a pool NET_BUFFER (its retreat records already dropped). */
void ndisi_nb_pool_put(PNET_BUFFER nb);

/* Name of a driver image for reports ("NDIS" for NULL). */
const char *ndisi_image_label(const struct ndisi_image *img);

#define NDISI_NB_RULE "Irql_NetBuffer_Function"

#endif /* NDISI_DATAPATH_POOL_H */

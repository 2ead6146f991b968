/*
 * pool.c - slabs with per-thread caches, NDIS's small internal blocks, and the
 * NET_BUFFER_LIST / NET_BUFFER pool DDIs (NdisAllocateNetBufferListPool,
 * NdisFreeNetBufferListPool, NdisAllocateNetBufferPool, NdisFreeNetBufferPool).
 *
 * Hot path: ndisi_slab_alloc / ndisi_slab_free pop and push on the calling
 * thread's cache slot for the slab (thread-local, no atomics, no lock). A slot
 * that runs dry takes `batch` elements from the slab's shared free list under
 * the slab's own mutex; a slot that holds 2 * batch gives the older half back
 * the same way. The system allocator is called only to carve a new chunk.
 *
 * Thread cache slots are found by the slab's generation number (2-way sets
 * indexed by gen). A slot remembers the slab pointer and its generation, and a
 * slot whose slab was destroyed is recognised by comparison alone (the live
 * slab it is compared with has another generation) and dropped without reading
 * its elements, whose memory is gone. The process-wide registry of live slabs
 * is consulted only where a thread must give elements back to a slab it is not
 * currently using: evicting a slot with elements (a thread using more than two
 * slabs of one set) and thread exit (pthread key destructor).
 */
#include "datapath/pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "datapath/nbpriv.h"
#include "datapath/nblpriv.h"
#include "os/fault.h"

/* AddressSanitizer: free elements are poisoned (pool.h). */
#define POISON NDISI_POISON
#define UNPOISON NDISI_UNPOISON

/* Byte written over freed elements of POOL_FLAG_VERIFY pools (no ASan). */
#define VERIFY_FILL 0xdd
/* A POOL_FLAG_VERIFY pool reuses a freed element only after this many others. */
#define VERIFY_DELAY 64

#define LINK NDISI_SLAB_LINK

static atomic_ulong g_sysallocs;
static atomic_ullong g_next_gen = 1;

unsigned long ndisi_datapath_sysallocs(void)
{
    return atomic_load(&g_sysallocs);
}

/* ---- registry of live slabs ----------------------------------------------- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ndisi_slab *reg_head; /* guarded by reg_lock */

static bool reg_is_live_locked(const struct ndisi_slab *s, uint64_t gen)
{
    for (struct ndisi_slab *r = reg_head; r; r = r->reg_next)
        if (r == s && r->gen == gen)
            return true;
    return false;
}

/* ---- per-thread caches ----------------------------------------------------- */

#define TC_WAYS 2

__thread struct ndisi_tc_slot ndisi_tc[NDISI_TC_SETS][2];
static __thread bool tc_registered;
static pthread_key_t tc_key;
static pthread_once_t tc_key_once = PTHREAD_ONCE_INIT;

static void tc_thread_exit(void *arg)
{
    (void)arg;
    ndisi_slab_flush_thread_cache();
    tc_registered = false; /* a later destructor that allocates registers again */
}

static void tc_key_create(void)
{
    if (pthread_key_create(&tc_key, tc_thread_exit) != 0)
        ndisi_diag("NET_BUFFER pools: no thread-exit hook; caches of exiting threads "
                   "stay with their threads");
}

/* Gives a slot's elements back to its slab if the slab still exists; empties the slot. */
static void tc_flush_slot(struct ndisi_tc_slot *t)
{
    if (t->n) {
        void *tail = t->head;
        struct ndisi_slab *s = t->slab;
        pthread_mutex_lock(&reg_lock);
        if (reg_is_live_locked(s, t->gen)) {
            while (LINK(s, tail))
                tail = LINK(s, tail);
            pthread_mutex_lock(&s->lock);
            LINK(s, tail) = s->free_head;
            s->free_head = t->head;
            s->nfree += t->n;
            pthread_mutex_unlock(&s->lock);
        }
        pthread_mutex_unlock(&reg_lock);
    }
    t->slab = NULL;
    t->gen = 0;
    t->head = NULL;
    t->n = 0;
}

/* Binds a slot of this thread to the slab (slow path: the slab had none). */
static struct ndisi_tc_slot *tc_bind(struct ndisi_slab *s)
{
    struct ndisi_tc_slot *set = ndisi_tc[s->gen & (NDISI_TC_SETS - 1)];
    struct ndisi_tc_slot *t;

    if (__builtin_expect(!tc_registered, 0)) {
        pthread_once(&tc_key_once, tc_key_create);
        pthread_setspecific(tc_key, (void *)1);
        tc_registered = true;
    }
    if (set[0].n == 0) {
        t = &set[0];
    } else if (set[1].n == 0) {
        t = &set[1];
    } else {
        /* Both ways hold elements: the older (way 1) goes back, way 0 moves down. */
        tc_flush_slot(&set[1]);
        set[1] = set[0];
        t = &set[0];
    }
    t->slab = s;
    t->gen = s->gen;
    t->head = NULL;
    t->n = 0;
    return t;
}

void ndisi_slab_flush_thread_cache(void)
{
    for (unsigned i = 0; i < NDISI_TC_SETS; i++)
        for (unsigned w = 0; w < TC_WAYS; w++)
            tc_flush_slot(&ndisi_tc[i][w]);
}

/* ---- slabs ------------------------------------------------------------------ */

int ndisi_slab_init(struct ndisi_slab *s, const char *name, size_t elem_size, size_t link_off,
                    size_t state_off, size_t poison_off, bool fifo)
{
    memset(s, 0, sizeof(*s));
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return -ENOMEM;
    s->gen = atomic_fetch_add(&g_next_gen, 1);
    s->elem_size = (uint32_t)((elem_size + 63) & ~(size_t)63);
    s->link_off = (uint32_t)link_off;
    s->state_off = (uint32_t)state_off;
    s->poison_off = (uint32_t)poison_off;
    s->batch = s->elem_size <= 4096 ? 32 : s->elem_size <= 16384 ? 16 : s->elem_size <= 65536 ? 4 : 1;
    s->fifo = fifo;
    s->name = name;
    size_t first = (size_t)16384 / s->elem_size;
    s->next_chunk = first > 2 * (size_t)s->batch ? first : 2 * (size_t)s->batch;
    if (fifo && s->next_chunk < 2 * VERIFY_DELAY)
        s->next_chunk = 2 * VERIFY_DELAY;

    pthread_mutex_lock(&reg_lock);
    s->reg_prev = NULL;
    s->reg_next = reg_head;
    if (reg_head)
        reg_head->reg_prev = s;
    reg_head = s;
    pthread_mutex_unlock(&reg_lock);
    return 0;
}

/* Carves a new chunk onto the front of the shared free list. Called with s->lock held. */
static bool slab_grow_locked(struct ndisi_slab *s)
{
    size_t n = s->next_chunk;
    size_t bytes = sizeof(struct ndisi_slab_chunk) + n * s->elem_size;
    void *mem = NULL;

    if (posix_memalign(&mem, 64, bytes) != 0)
        return false;
    atomic_fetch_add(&g_sysallocs, 1);
    memset(mem, 0, bytes);
    struct ndisi_slab_chunk *c = mem;
    c->n = n;
    c->next = s->chunks;
    s->chunks = c;
    s->nchunks++;
    s->ntotal += n;

    char *first = (char *)(c + 1);
    for (size_t i = 0; i < n; i++) {
        char *e = first + i * s->elem_size;
        LINK(s, e) = i + 1 < n ? e + s->elem_size : s->free_head;
        POISON(e + s->poison_off, s->elem_size - s->poison_off);
    }
    if (!s->free_head)
        s->free_tail = first + (n - 1) * s->elem_size;
    s->free_head = first;
    s->nfree += n;

    size_t cap = ((size_t)1 << 20) / s->elem_size;
    if (cap < 2 * (size_t)s->batch)
        cap = 2 * (size_t)s->batch;
    s->next_chunk = n * 2 <= cap ? n * 2 : cap;
    return true;
}

/* POOL_FLAG_VERIFY: a FIFO, so a freed element waits for VERIFY_DELAY others. */
static void *slab_fifo_alloc(struct ndisi_slab *s)
{
    void *e = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->nfree <= VERIFY_DELAY)
        slab_grow_locked(s);
    if (s->nfree) {
        e = s->free_head;
        s->free_head = LINK(s, e);
        if (!s->free_head)
            s->free_tail = NULL;
        s->nfree--;
    }
    pthread_mutex_unlock(&s->lock);
    return e;
}

static void slab_fifo_free(struct ndisi_slab *s, void *e)
{
    LINK(s, e) = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->free_tail)
        LINK(s, s->free_tail) = e;
    else
        s->free_head = e;
    s->free_tail = e;
    s->nfree++;
    pthread_mutex_unlock(&s->lock);
}

/* Fills an empty thread slot with up to `batch` elements; false if out of memory. */
static bool slab_refill(struct ndisi_slab *s, struct ndisi_tc_slot *t)
{
    pthread_mutex_lock(&s->lock);
    if (s->nfree == 0 && !slab_grow_locked(s)) {
        pthread_mutex_unlock(&s->lock);
        return false;
    }
    size_t take = s->nfree < s->batch ? s->nfree : s->batch;
    void *head = s->free_head, *last = head;
    for (size_t i = 1; i < take; i++)
        last = LINK(s, last);
    s->free_head = LINK(s, last);
    if (!s->free_head)
        s->free_tail = NULL;
    s->nfree -= take;
    pthread_mutex_unlock(&s->lock);
    LINK(s, last) = NULL;
    t->head = head;
    t->n = take;
    return true;
}

void *ndisi_slab_alloc_slow(struct ndisi_slab *s)
{
    void *e;
    if (s->fifo) {
        e = slab_fifo_alloc(s);
    } else {
        struct ndisi_tc_slot *t = ndisi_tc_find(s);
        if (!t)
            t = tc_bind(s);
        if (!t->head && !slab_refill(s, t))
            return NULL;
        e = t->head;
        t->head = LINK(s, e);
        t->n--;
    }
    if (e)
        UNPOISON((char *)e + s->poison_off, s->elem_size - s->poison_off);
    return e;
}

void ndisi_slab_free_slow(struct ndisi_slab *s, void *e)
{
    if (s->fifo) {
#ifndef NDISI_ASAN
        memset((char *)e + s->poison_off, VERIFY_FILL, s->elem_size - s->poison_off);
#endif
        POISON((char *)e + s->poison_off, s->elem_size - s->poison_off);
        slab_fifo_free(s, e);
        return;
    }
    POISON((char *)e + s->poison_off, s->elem_size - s->poison_off);
    struct ndisi_tc_slot *t = ndisi_tc_find(s);
    if (!t)
        t = tc_bind(s);
    LINK(s, e) = t->head;
    t->head = e;
    if (++t->n < 2 * (size_t)s->batch)
        return;

    /* Keep the `batch` most recently freed (cache-hot) elements, give back the rest. */
    void *keep_last = t->head;
    for (size_t i = 1; i < s->batch; i++)
        keep_last = LINK(s, keep_last);
    void *give = LINK(s, keep_last), *give_last = give;
    size_t ngive = t->n - s->batch;
    while (LINK(s, give_last))
        give_last = LINK(s, give_last);
    LINK(s, keep_last) = NULL;
    t->n = s->batch;
    pthread_mutex_lock(&s->lock);
    LINK(s, give_last) = s->free_head;
    if (!s->free_head)
        s->free_tail = give_last;
    s->free_head = give;
    s->nfree += ngive;
    pthread_mutex_unlock(&s->lock);
}

static size_t slab_in_use_locked(struct ndisi_slab *s)
{
    size_t n = 0;
    for (struct ndisi_slab_chunk *c = s->chunks; c; c = c->next) {
        char *e = (char *)(c + 1);
        for (size_t i = 0; i < c->n; i++, e += s->elem_size)
            if (ndisi_slab_state(s, e) != 0)
                n++;
    }
    return n;
}

size_t ndisi_slab_in_use(struct ndisi_slab *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = slab_in_use_locked(s);
    pthread_mutex_unlock(&s->lock);
    return n;
}

/*
 * Walks every element under the slab lock: counts[c] counts them by class
 * c = cls(s, e) (0 to 7), and up to `max` elements of class `want` are stored
 * in out[]. Returns how many were stored. Driver unload only.
 */
static size_t slab_scan(struct ndisi_slab *s, unsigned (*cls)(struct ndisi_slab *, void *),
                        unsigned want, size_t counts[8], void **out, size_t max)
{
    size_t n = 0;
    memset(counts, 0, 8 * sizeof(counts[0]));
    pthread_mutex_lock(&s->lock);
    for (struct ndisi_slab_chunk *c = s->chunks; c; c = c->next) {
        char *e = (char *)(c + 1);
        for (size_t i = 0; i < c->n; i++, e += s->elem_size) {
            unsigned k = cls(s, e);
            counts[k]++;
            if (k == want && n < max)
                out[n++] = e;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

size_t ndisi_slab_destroy(struct ndisi_slab *s)
{
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&s->lock);
    size_t n = slab_in_use_locked(s);
    if (n) {
        pthread_mutex_unlock(&s->lock);
        pthread_mutex_unlock(&reg_lock);
        return n;
    }
    if (s->reg_prev)
        s->reg_prev->reg_next = s->reg_next;
    else
        reg_head = s->reg_next;
    if (s->reg_next)
        s->reg_next->reg_prev = s->reg_prev;
    pthread_mutex_unlock(&reg_lock);

    /* This thread's slot: drop it (its elements are in the chunks freed below). */
    struct ndisi_tc_slot *t = ndisi_tc_find(s);
    if (t) {
        t->slab = NULL;
        t->gen = 0;
        t->head = NULL;
        t->n = 0;
    }
    struct ndisi_slab_chunk *c = s->chunks;
    while (c) {
        struct ndisi_slab_chunk *next = c->next;
        UNPOISON(c, sizeof(*c) + c->n * s->elem_size);
        free(c);
        c = next;
    }
    s->chunks = NULL;
    s->free_head = s->free_tail = NULL;
    s->nfree = s->ntotal = s->nchunks = 0;
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_destroy(&s->lock);
    return 0;
}

void ndisi_slab_get_stats(struct ndisi_slab *s, struct ndisi_slab_stats *st)
{
    pthread_mutex_lock(&s->lock);
    st->total = s->ntotal;
    st->shared_free = s->nfree;
    st->chunks = s->nchunks;
    st->in_use = slab_in_use_locked(s);
    pthread_mutex_unlock(&s->lock);
}

/* ---- small internal blocks -------------------------------------------------- */

#define BLK_MAGIC 0x4b4c424eu      /* "NBLK" */
#define BLK_MAGIC_FREE 0x4b4c4246u /* "FBLK" */
#define BLK_BIG 0xff
#define BLK_CLASSES 7 /* 64 .. 4096 bytes, header included */

struct blk_hdr {
    uint32_t magic;
    uint8_t cls;            /* size class, or BLK_BIG (malloc) */
    uint8_t tag;
    _Atomic uint8_t state;  /* slab state byte: 1 while allocated */
    uint8_t reserved;
    void *next;             /* slab free-list link */
};
_Static_assert(sizeof(struct blk_hdr) == 16, "blocks stay 16-byte aligned");

static struct ndisi_slab blk_slabs[BLK_CLASSES];
static pthread_once_t blk_once = PTHREAD_ONCE_INIT;
static bool blk_ready;

static void blk_init(void)
{
    static const char *const names[BLK_CLASSES] = {"blk64",  "blk128",  "blk256", "blk512",
                                                   "blk1024", "blk2048", "blk4096"};
    for (unsigned i = 0; i < BLK_CLASSES; i++)
        if (ndisi_slab_init(&blk_slabs[i], names[i], (size_t)64 << i,
                            offsetof(struct blk_hdr, next), offsetof(struct blk_hdr, state),
                            sizeof(struct blk_hdr), false) != 0)
            return;
    blk_ready = true;
}

void *ndisi_blk_alloc(size_t size, uint8_t tag)
{
    struct blk_hdr *h;
    unsigned cls = 0;

    pthread_once(&blk_once, blk_init);
    size += sizeof(struct blk_hdr);
    while (cls < BLK_CLASSES && ((size_t)64 << cls) < size)
        cls++;
    if (cls < BLK_CLASSES && blk_ready) {
        h = ndisi_slab_alloc(&blk_slabs[cls]);
    } else {
        void *mem = NULL;
        cls = BLK_BIG;
        h = posix_memalign(&mem, 16, size) == 0 ? mem : NULL;
        if (h)
            atomic_fetch_add(&g_sysallocs, 1);
    }
    if (!h)
        return NULL;
    h->magic = BLK_MAGIC;
    h->cls = (uint8_t)cls;
    h->tag = tag;
    h->reserved = 0;
    atomic_store_explicit(&h->state, 1, memory_order_relaxed);
    return h + 1;
}

void ndisi_blk_free(void *p)
{
    if (!p)
        return;
    struct blk_hdr *h = (struct blk_hdr *)p - 1;
    h->magic = BLK_MAGIC_FREE;
    if (h->cls == BLK_BIG) {
        free(h);
        return;
    }
    atomic_store_explicit(&h->state, 0, memory_order_relaxed);
    ndisi_slab_free(&blk_slabs[h->cls], h);
}

uint8_t ndisi_blk_tag(const void *p)
{
    return ((const struct blk_hdr *)p - 1)->tag;
}

bool ndisi_blk_is_live(const void *p)
{
    const struct blk_hdr *h = (const struct blk_hdr *)p - 1;
    return h->magic == BLK_MAGIC;
}

/* ---- pool helpers ------------------------------------------------------------ */

/* Pools by driver, for unload (ndisi_pool_reclaim). */
static NDISI_OWNED_LIST(g_nbl_pools, NDISI_RES_NBL_POOL);
static NDISI_OWNED_LIST(g_nb_pools, NDISI_RES_NB_POOL);

const char *ndisi_image_label(const struct ndisi_image *img)
{
    if (!img)
        return "NDIS";
    if (!ndisi_obj_is(img, NDISI_OBJ_IMAGE))
        return "(an unloaded driver)";
    return img->name;
}

static void tag_text(ULONG tag, char out[5])
{
    for (unsigned i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    out[4] = '\0';
}

static inline uint32_t align_up(size_t v, size_t a)
{
    return (uint32_t)((v + a - 1) & ~(a - 1));
}

/* Largest DataSize a pool accepts: its elements come from slab chunks. */
#define POOL_MAX_DATA_SIZE (64u << 20)

/*
 * The image an allocation DDI charges: the driver of NdisHandle, or (the
 * handle is optional) the driver whose callback is running. false after a
 * report for a bad handle.
 */
static bool pool_owner(NDIS_HANDLE h, const char *ddi, struct ndisi_image **img)
{
    if (h) {
        *img = ndisi_image_from_handle(h, ddi);
        return *img != NULL;
    }
    *img = ndisi_cb_current_image();
    return true;
}

static bool pool_header_ok(const NDIS_OBJECT_HEADER *hdr, UCHAR rev, USHORT min_size,
                           const char *ddi, const char *what)
{
    if (hdr->Type == NDIS_OBJECT_TYPE_DEFAULT && hdr->Revision >= rev && hdr->Size >= min_size)
        return true;
    ndisi_report(NDISI_V_PARAMETER, ddi,
                 "Header.Type = NDIS_OBJECT_TYPE_DEFAULT, Revision and Size of revision 1",
                 "%s header has Type 0x%x, Revision %u, Size %u (expected Type 0x%x, "
                 "Revision >= %u, Size >= %u)",
                 what, hdr->Type, hdr->Revision, hdr->Size, NDIS_OBJECT_TYPE_DEFAULT, rev,
                 min_size);
    return false;
}

/* A pool may only be freed by the driver that allocated it. */
static bool pool_free_by_owner(struct ndisi_image *owner, const char *label, const char *ddi)
{
    struct ndisi_image *cur = ndisi_cb_current_image();
    if (!cur || !owner || cur == owner)
        return true;
    ndisi_report(NDISI_V_HANDLE, ddi, "PoolHandle was obtained by the caller",
                 "driver %s frees %s, which driver %s allocated", ndisi_image_label(cur), label,
                 ndisi_image_label(owner));
    return false;
}

/*
 * What NdisFreeNetBufferListPool and NdisFreeNetBufferPool share: NDIS's own
 * pools are refused, only the allocating driver may free a pool, and a pool
 * with elements still allocated stays. true: the slab is gone; the caller
 * unlists and frees the pool.
 */
static bool pool_free_common(bool internal, struct ndisi_image *owner, const char *label,
                             struct ndisi_slab *slab, const char *ddi, const char *alloc_ddi,
                             const char *elem)
{
    if (internal) {
        ndisi_report(NDISI_V_HANDLE, ddi, alloc_ddi,
                     "%s belongs to NDIS (it holds clones allocated without a pool handle)",
                     label);
        return false;
    }
    if (!pool_free_by_owner(owner, label, ddi))
        return false;
    size_t n = ndisi_slab_destroy(slab);
    if (n) {
        ndisi_report(NDISI_V_LEAK, ddi, "free every element of a pool before freeing the pool",
                     "%s still has %zu %s structure%s allocated; the pool is not freed", label,
                     n, elem, n == 1 ? "" : "s");
        return false;
    }
    return true;
}

/* ---- NET_BUFFER_LIST pools --------------------------------------------------- */

static struct ndisi_nbl_pool *nbl_pool_create(struct ndisi_image *img, UCHAR protocol_id,
                                              bool with_nb, USHORT ctx_size, ULONG tag,
                                              ULONG data_size, bool verify, bool internal)
{
    struct ndisi_nbl_pool *p = ndisi_obj_alloc(NDISI_OBJ_NBL_POOL, sizeof(*p));
    if (!p)
        return NULL;
    char t[5];
    tag_text(tag, t);
    snprintf(p->label, sizeof(p->label), "NET_BUFFER_LIST pool '%s' of %s", t,
             ndisi_image_label(img));
    p->obj.label = p->label;
    p->image = img;
    p->protocol_id = protocol_id;
    p->with_nb = with_nb;
    p->verify = verify;
    p->internal = internal;
    p->ctx_size = ctx_size;
    p->tag = tag;
    p->data_size = data_size;
    p->elem_flags = (uint8_t)((with_nb ? NDISI_NBLF_WITH_NB : 0) |
                              (data_size ? NDISI_NBLF_WITH_DATA : 0));

    size_t off = sizeof(struct ndisi_nbl_priv) + sizeof(NET_BUFFER_LIST);
    if (with_nb) {
        p->off_nb = align_up(off, 16);
        off = p->off_nb + sizeof(struct ndisi_nb_priv) + sizeof(NET_BUFFER);
    }
    p->zero_len = (uint32_t)(off - sizeof(struct ndisi_nbl_priv));
    if (data_size) {
        p->off_mdl = align_up(off, 16);
        off = p->off_mdl + ndisi_mdl_bytes(data_size);
    }
    if (ctx_size) {
        p->off_ctx = align_up(off, 16);
        off = p->off_ctx + sizeof(NET_BUFFER_LIST_CONTEXT) + ctx_size;
    }
    if (data_size) {
        p->off_data = align_up(off, 64);
        off = p->off_data + data_size;
    }
    if (ndisi_slab_init(&p->slab, p->label, off, offsetof(struct ndisi_nbl_priv, next),
                        offsetof(struct ndisi_nbl_priv, where), sizeof(struct ndisi_nbl_priv),
                        verify) != 0) {
        ndisi_obj_free(p);
        return NULL;
    }
    return p;
}

NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
                                          NET_BUFFER_LIST_POOL_PARAMETERS const *Parameters)
{
    static const char ddi[] = "NdisAllocateNetBufferListPool";
    const NET_BUFFER_LIST_POOL_PARAMETERS *pp = Parameters;
    struct ndisi_image *img;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    if (!pool_owner(NdisHandle, ddi, &img))
        return NULL;
    if (!pp) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Parameters points to NET_BUFFER_LIST_POOL_PARAMETERS",
                     "Parameters is NULL");
        return NULL;
    }
    if (!pool_header_ok(&pp->Header, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
                        NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, ddi,
                        "NET_BUFFER_LIST_POOL_PARAMETERS"))
        return NULL;
    if (pp->ContextSize % MEMORY_ALLOCATION_ALIGNMENT) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "ContextSize must be a multiple of MEMORY_ALLOCATION_ALIGNMENT",
                     "ContextSize %u is not a multiple of %u", pp->ContextSize,
                     MEMORY_ALLOCATION_ALIGNMENT);
        return NULL;
    }
    if (pp->DataSize && !pp->fAllocateNetBuffer) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "If DataSize is not zero, fAllocateNetBuffer must be set to TRUE",
                     "DataSize %lu with fAllocateNetBuffer FALSE", (unsigned long)pp->DataSize);
        return NULL;
    }
    if (pp->DataSize > POOL_MAX_DATA_SIZE) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "DataSize: the default data size of the pool",
                     "DataSize %lu is larger than libndis supports (%u)",
                     (unsigned long)pp->DataSize, POOL_MAX_DATA_SIZE);
        return NULL;
    }
    /* Flags is not part of revision 1's size: read it only if the caller's Size covers it. */
    ULONG flags = pp->Header.Size >= RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS,
                                                              Flags)
                      ? pp->Flags
                      : 0;
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_POOL))
        return NULL;
    struct ndisi_nbl_pool *p =
        nbl_pool_create(img, pp->ProtocolId, pp->fAllocateNetBuffer != FALSE, pp->ContextSize,
                        pp->PoolTag, pp->DataSize, (flags & NET_BUFFER_LIST_POOL_FLAG_VERIFY) != 0,
                        false);
    if (p)
        ndisi_owned_add(&g_nbl_pools, &p->owned, img);
    return p;
}

VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
    static const char ddi[] = "NdisFreeNetBufferListPool";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    struct ndisi_nbl_pool *p = ndisi_nbl_pool_check(PoolHandle, ddi);
    if (!p)
        return;
    if (!pool_free_common(p->internal, p->image, p->label, &p->slab, ddi,
                          "PoolHandle came from NdisAllocateNetBufferListPool", "NET_BUFFER_LIST"))
        return;
    ndisi_owned_del(&g_nbl_pools, &p->owned);
    ndisi_obj_free(p);
}

/* ---- NET_BUFFER pools --------------------------------------------------------- */

static struct ndisi_nb_pool *nb_pool_create(struct ndisi_image *img, ULONG tag, ULONG data_size,
                                            bool internal)
{
    struct ndisi_nb_pool *p = ndisi_obj_alloc(NDISI_OBJ_NB_POOL, sizeof(*p));
    if (!p)
        return NULL;
    char t[5];
    tag_text(tag, t);
    snprintf(p->label, sizeof(p->label), "NET_BUFFER pool '%s' of %s", t,
             ndisi_image_label(img));
    p->obj.label = p->label;
    p->image = img;
    p->internal = internal;
    p->tag = tag;
    p->data_size = data_size;
    p->zero_len = sizeof(NET_BUFFER);

    size_t off = sizeof(struct ndisi_nb_priv) + sizeof(NET_BUFFER);
    if (data_size) {
        p->off_mdl = align_up(off, 16);
        off = p->off_mdl + ndisi_mdl_bytes(data_size);
        p->off_data = align_up(off, 64);
        off = p->off_data + data_size;
    }
    if (ndisi_slab_init(&p->slab, p->label, off, offsetof(struct ndisi_nb_priv, next),
                        offsetof(struct ndisi_nb_priv, state), sizeof(struct ndisi_nb_priv),
                        false) != 0) {
        ndisi_obj_free(p);
        return NULL;
    }
    return p;
}

NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
                                      NET_BUFFER_POOL_PARAMETERS const *Parameters)
{
    static const char ddi[] = "NdisAllocateNetBufferPool";
    struct ndisi_image *img;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    if (!pool_owner(NdisHandle, ddi, &img))
        return NULL;
    if (!Parameters) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "Parameters points to NET_BUFFER_POOL_PARAMETERS",
                     "Parameters is NULL");
        return NULL;
    }
    if (!pool_header_ok(&Parameters->Header, NET_BUFFER_POOL_PARAMETERS_REVISION_1,
                        NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1, ddi,
                        "NET_BUFFER_POOL_PARAMETERS"))
        return NULL;
    if (Parameters->DataSize > POOL_MAX_DATA_SIZE) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "DataSize: the default data size of the pool",
                     "DataSize %lu is larger than libndis supports (%u)",
                     (unsigned long)Parameters->DataSize, POOL_MAX_DATA_SIZE);
        return NULL;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_POOL))
        return NULL;
    struct ndisi_nb_pool *p = nb_pool_create(img, Parameters->PoolTag, Parameters->DataSize, false);
    if (p)
        ndisi_owned_add(&g_nb_pools, &p->owned, img);
    return p;
}

VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle)
{
    static const char ddi[] = "NdisFreeNetBufferPool";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    struct ndisi_nb_pool *p = ndisi_nb_pool_check(PoolHandle, ddi);
    if (!p)
        return;
    if (!pool_free_common(p->internal, p->image, p->label, &p->slab, ddi,
                          "PoolHandle came from NdisAllocateNetBufferPool", "NET_BUFFER"))
        return;
    ndisi_owned_del(&g_nb_pools, &p->owned);
    ndisi_obj_free(p);
}

/* ---- driver unload ----------------------------------------------------------- */

/*
 * When a driver unloads, can one of its NBLs still be out in the stack (SENT
 * down, or INDICATED up and not returned)? Not in the normal order of things:
 *  - a miniport's adapters are halted before its unload routine runs, and a
 *    halt first pauses the stack, which waits for the NBLs the miniport
 *    indicated to come back and for its sends to complete;
 *  - a filter's modules are detached (NdisFDeregisterFilterDriver in its
 *    unload routine, or NDIS's deregistration in image_reclaim) and a module
 *    is paused before it detaches, which waits for what it sent down and
 *    indicated up;
 *  - a protocol's bindings are closed the same way: NdisCloseAdapterEx follows
 *    a pause, which waits for the binding's sends to complete.
 * The NBLs of a driver's pools that are not FREE are therefore OWNED: the
 * driver allocated them and lost them. They are released as their free would
 * (context blocks, retreat MDLs, a clone's NBs go back where they came from)
 * and the pool is freed. Each of those waits is bounded, though: after one
 * timed out (reported then), an NBL may still be held above or below. Its pool
 * then stays allocated for good, and so do the driver's NB pools with NBs
 * allocated, which may be chained to it; this leak is the lesser evil. So does
 * an NB pool holding the NB of a clone the driver took from NDIS's own NBL
 * pool (NetBufferListPoolHandle NULL): that clone's state is not known here.
 */
#define RECLAIM_DDI "driver unload"
#define RECLAIM_BATCH 64

/* NBL classes: the `where` byte (an unknown one counts as out). */
static unsigned nbl_class(struct ndisi_slab *s, void *e)
{
    uint8_t w = ndisi_slab_state(s, e);
    return w < 7 ? w : 7;
}

static size_t nbl_out(const size_t counts[8])
{
    return counts[NDISI_NBL_SENT] + counts[NDISI_NBL_INDICATED] +
           counts[NDISI_NBL_INDICATED_ONE] + counts[7];
}

/* Releases the pool's OWNED NBLs; false (nothing done) if some are still out. */
static bool nbl_pool_release_owned(struct ndisi_nbl_pool *p, bool quiet)
{
    size_t counts[8], n, total = 0;
    void *batch[RECLAIM_BATCH];
    for (;;) {
        n = slab_scan(&p->slab, nbl_class, NDISI_NBL_OWNED, counts, batch, RECLAIM_BATCH);
        if (nbl_out(counts)) {
            ndisi_diag("%s stays allocated: %zu of its NET_BUFFER_LISTs are still in the "
                       "stack (sent and not completed, or indicated and not returned)",
                       p->label, nbl_out(counts));
            return false;
        }
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            PNET_BUFFER_LIST nbl = ndisi_priv_nbl(batch[i]);
            if (ndisi_nbl_priv(nbl)->flags & NDISI_NBLF_CLONE)
                ndisi_clone_free_nbs(nbl, RECLAIM_DDI);
            ndisi_nbl_release(nbl, RECLAIM_DDI);
        }
        total += n;
    }
    if (total && !quiet)
        ndisi_diag("%s is freed with %zu NET_BUFFER_LIST%s its driver never freed", p->label,
                   total, total == 1 ? "" : "s");
    return true;
}

/*
 * NB classes. A clone NB still allocated once the driver's NBL pools are gone
 * belongs to a clone NBL from NDIS's own pool, whose state is not known here.
 */
enum { NB_FREE, NB_ALLOCATED, NB_OF_NDIS_CLONE };

static unsigned nb_class(struct ndisi_slab *s, void *e)
{
    const struct ndisi_nb_priv *bp = e;
    if (ndisi_slab_state(s, e) == NDISI_NB_FREE)
        return NB_FREE;
    return bp->kind == NDISI_NBK_CLONE ? NB_OF_NDIS_CLONE : NB_ALLOCATED;
}

/*
 * Releases the pool's allocated NBs, unless some may be chained to an NBL in
 * the stack (`nbls_out`: an NBL pool of the driver stayed; or a clone's):
 * false then, and nothing is done.
 */
static bool nb_pool_release_allocated(struct ndisi_nb_pool *p, bool nbls_out, bool quiet)
{
    size_t counts[8], n, total = 0;
    void *batch[RECLAIM_BATCH];
    while ((n = slab_scan(&p->slab, nb_class, NB_ALLOCATED, counts, batch, RECLAIM_BATCH)) > 0 ||
           counts[NB_OF_NDIS_CLONE]) {
        if (counts[NB_OF_NDIS_CLONE] || nbls_out) {
            ndisi_diag("%s stays allocated: %zu of its NET_BUFFERs may be chained to "
                       "NET_BUFFER_LISTs still in the stack", p->label,
                       counts[NB_ALLOCATED] + counts[NB_OF_NDIS_CLONE]);
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            struct ndisi_nb_priv *bp = batch[i];
            if (bp->retreat)
                ndisi_nb_drop_retreats(ndisi_priv_nb(bp), RECLAIM_DDI);
            ndisi_nb_pool_put(ndisi_priv_nb(bp));
        }
        total += n;
    }
    if (total && !quiet)
        ndisi_diag("%s is freed with %zu NET_BUFFER%s its driver never freed", p->label, total,
                   total == 1 ? "" : "s");
    return true;
}

struct pool_reclaim {
    bool quiet;
    bool kept; /* an NBL pool of the driver stays */
};

static void nbl_pool_reclaim_one(struct ndisi_owned *o, void *ctx)
{
    struct ndisi_nbl_pool *p = CONTAINING_RECORD(o, struct ndisi_nbl_pool, owned);
    struct pool_reclaim *r = ctx;
    if (nbl_pool_release_owned(p, r->quiet) && ndisi_slab_destroy(&p->slab) == 0) {
        ndisi_obj_free(p);
    } else {
        p->image = NULL; /* it stays: it no longer names the driver going away */
        r->kept = true;
    }
}

static void nb_pool_reclaim_one(struct ndisi_owned *o, void *ctx)
{
    struct ndisi_nb_pool *p = CONTAINING_RECORD(o, struct ndisi_nb_pool, owned);
    struct pool_reclaim *r = ctx;
    if (nb_pool_release_allocated(p, r->kept, r->quiet) && ndisi_slab_destroy(&p->slab) == 0)
        ndisi_obj_free(p);
    else
        p->image = NULL;
}

void ndisi_pool_reclaim(struct ndisi_image *img, bool quiet)
{
    struct pool_reclaim r = {.quiet = quiet};
    ndisi_owned_reclaim(&g_nbl_pools, img, nbl_pool_reclaim_one, &r);
    /* NBs after the NBLs they may be chained to (a clone's NBs went back). */
    ndisi_owned_reclaim(&g_nb_pools, img, nb_pool_reclaim_one, &r);
}

/* ---- NDIS's own pools for clones ---------------------------------------------- */

static pthread_once_t clone_pools_once = PTHREAD_ONCE_INIT;
static struct ndisi_nbl_pool *clone_nbl_pool;
static struct ndisi_nb_pool *clone_nb_pool;

static void clone_pools_init(void)
{
    clone_nbl_pool = nbl_pool_create(NULL, NDIS_PROTOCOL_ID_DEFAULT, false, 0, 0x6e6f6c43u /* "Clon" */,
                                     0, false, true);
    clone_nb_pool = nb_pool_create(NULL, 0x6e6f6c43u, 0, true);
}

struct ndisi_nbl_pool *ndisi_clone_nbl_pool(void)
{
    pthread_once(&clone_pools_once, clone_pools_init);
    return clone_nbl_pool;
}

struct ndisi_nb_pool *ndisi_clone_nb_pool(void)
{
    pthread_once(&clone_pools_once, clone_pools_init);
    return clone_nb_pool;
}

/*
 * memory.c - NdisAllocateMemoryWithTagPriority, NdisFreeMemory,
 * NdisFreeMemoryWithTagPriority and the tagged-block machinery behind them
 * (see memory.h for the design).
 */
#include "os/memory.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndis.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "os/fault.h"

#if defined(__SANITIZE_ADDRESS__)
#define NDISI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NDISI_ASAN 1
#endif
#endif
#ifdef NDISI_ASAN
#include <sanitizer/asan_interface.h>
#endif

_Static_assert(sizeof(struct ndisi_memhdr) % 16 == 0,
               "the block header keeps the caller's memory 16-byte aligned");
_Static_assert(16 % MEMORY_ALLOCATION_ALIGNMENT == 0,
               "blocks honour MEMORY_ALLOCATION_ALIGNMENT");

static const char *const kind_alloc[NDISI_MEM_KIND_COUNT] = {
    [NDISI_MEM_NDIS] = "NdisAllocateMemoryWithTagPriority",
    [NDISI_MEM_MDL] = "NdisAllocateMdl/IoAllocateMdl",
    [NDISI_MEM_STRING] = "RtlAnsiStringToUnicodeString/RtlUnicodeStringToAnsiString",
    [NDISI_MEM_LOOKASIDE] = "NdisAllocateFromNPagedLookasideList",
    [NDISI_MEM_INTERNAL] = "NDIS on the driver's behalf",
};
static const char *const kind_free[NDISI_MEM_KIND_COUNT] = {
    [NDISI_MEM_NDIS] = "NdisFreeMemory",
    [NDISI_MEM_MDL] = "NdisFreeMdl/IoFreeMdl",
    [NDISI_MEM_STRING] = "RtlFreeUnicodeString/RtlFreeAnsiString",
    [NDISI_MEM_LOOKASIDE] = "NdisFreeToNPagedLookasideList",
    [NDISI_MEM_INTERNAL] = "NDIS",
};

const char *ndisi_memkind_alloc_name(enum ndisi_memkind kind)
{
    return (unsigned)kind < NDISI_MEM_KIND_COUNT ? kind_alloc[kind] : "?";
}

const char *ndisi_memkind_free_name(enum ndisi_memkind kind)
{
    return (unsigned)kind < NDISI_MEM_KIND_COUNT ? kind_free[kind] : "?";
}

void ndisi_tag_str(ULONG tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    out[4] = '\0';
}

static size_t block_size(size_t len)
{
    return (sizeof(struct ndisi_memhdr) + len + 15u) & ~(size_t)15u;
}

static void *block_user(struct ndisi_memhdr *h)
{
    return h + 1;
}

/* ---- the unowned account --------------------------------------------------- */

static struct ndisi_memacct g_unowned;
static pthread_once_t g_unowned_once = PTHREAD_ONCE_INIT;

static void unowned_init(void)
{
    ndisi_memacct_init(&g_unowned);
}

struct ndisi_memacct *ndisi_memacct_unowned(void)
{
    pthread_once(&g_unowned_once, unowned_init);
    return &g_unowned;
}

/* ---- the table of live blocks ----------------------------------------------
 *
 * Sharded chained hash keyed by header address; chains run through
 * ndisi_memhdr.hnext, so lookups only ever read headers of live blocks.
 */
#define SHARD_BITS 4
#define NSHARDS (1u << SHARD_BITS)
#define INITIAL_BUCKETS 256u

struct shard {
    pthread_mutex_t lock;
    struct ndisi_memhdr **buckets; /* guarded by lock */
    size_t nbuckets;               /* power of two, guarded by lock */
    size_t count;                  /* guarded by lock */
};

static struct shard g_shards[NSHARDS] = {[0 ... NSHARDS - 1] = {.lock =
                                                                    PTHREAD_MUTEX_INITIALIZER}};

static uint64_t hdr_hash(const struct ndisi_memhdr *h)
{
    return (uint64_t)((uintptr_t)h >> 4) * 0x9e3779b97f4a7c15ull;
}

static struct shard *hdr_shard(uint64_t hash)
{
    return &g_shards[hash >> (64 - SHARD_BITS)];
}

static size_t hdr_bucket(uint64_t hash, size_t nbuckets)
{
    return (size_t)(hash >> 16) & (nbuckets - 1);
}

/* Doubles the bucket array; keeps the old one if memory is short. */
static void shard_grow(struct shard *s)
{
    size_t nb = s->nbuckets * 2;
    struct ndisi_memhdr **b = calloc(nb, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < s->nbuckets; i++) {
        struct ndisi_memhdr *h = s->buckets[i];
        while (h) {
            struct ndisi_memhdr *next = h->hnext;
            size_t j = hdr_bucket(hdr_hash(h), nb);
            h->hnext = b[j];
            b[j] = h;
            h = next;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = nb;
}

static bool table_insert(struct ndisi_memhdr *h)
{
    uint64_t hash = hdr_hash(h);
    struct shard *s = hdr_shard(hash);
    pthread_mutex_lock(&s->lock);
    if (!s->buckets) {
        s->buckets = calloc(INITIAL_BUCKETS, sizeof(*s->buckets));
        if (!s->buckets) {
            pthread_mutex_unlock(&s->lock);
            return false;
        }
        s->nbuckets = INITIAL_BUCKETS;
    } else if (s->count >= 2 * s->nbuckets) {
        shard_grow(s);
    }
    size_t i = hdr_bucket(hash, s->nbuckets);
    h->hnext = s->buckets[i];
    s->buckets[i] = h;
    s->count++;
    pthread_mutex_unlock(&s->lock);
    return true;
}

/* Unlinks h from its chain; the caller holds the shard lock and h is present. */
static bool table_unlink_locked(struct shard *s, struct ndisi_memhdr *h, uint64_t hash)
{
    if (!s->buckets)
        return false;
    struct ndisi_memhdr **pp = &s->buckets[hdr_bucket(hash, s->nbuckets)];
    for (; *pp; pp = &(*pp)->hnext)
        if (*pp == h) {
            *pp = h->hnext;
            h->hnext = NULL;
            s->count--;
            return true;
        }
    return false;
}

static bool table_contains_locked(struct shard *s, const struct ndisi_memhdr *h, uint64_t hash)
{
    if (!s->buckets)
        return false;
    for (const struct ndisi_memhdr *p = s->buckets[hdr_bucket(hash, s->nbuckets)]; p;
         p = p->hnext)
        if (p == h)
            return true;
    return false;
}

/* ---- quarantine of recently freed blocks ------------------------------------ */

#define Q_SLOTS 256u
#define Q_MAX_BYTES (4u << 20)

struct qslot {
    struct ndisi_memhdr *h; /* retained memory, or NULL once released */
    const void *user;       /* the address the driver had */
    size_t length;
    size_t size;            /* bytes retained */
    ULONG tag;
    uint16_t kind;
    bool used;
    char owner[32];
    const char *freed_by;   /* DDI name (a string literal) */
};

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static struct qslot q_ring[Q_SLOTS]; /* guarded by q_lock */
static unsigned q_next;              /* oldest slot, guarded by q_lock */
static size_t q_bytes;               /* guarded by q_lock */

static void block_release(struct ndisi_memhdr *h, size_t size)
{
#ifdef NDISI_ASAN
    ASAN_UNPOISON_MEMORY_REGION(h, size);
#else
    (void)size;
#endif
    free(h);
}

static void quarantine_push(struct ndisi_memhdr *h, const char *ddi)
{
    struct ndisi_memhdr *release[Q_SLOTS + 1];
    size_t release_size[Q_SLOTS + 1];
    unsigned nrel = 0;
    size_t size = block_size(h->length);
    bool retain = size <= Q_MAX_BYTES / 4;
    struct qslot rec = {
        .h = retain ? h : NULL,
        .user = block_user(h),
        .length = h->length,
        .size = retain ? size : 0,
        .tag = h->tag,
        .kind = h->kind,
        .used = true,
        .freed_by = ddi,
    };
    snprintf(rec.owner, sizeof(rec.owner), "%s", h->owner ? h->owner : "?");

    h->magic = NDISI_MEMHDR_MAGIC_FREED;
    if (retain) {
#ifdef NDISI_ASAN
        ASAN_POISON_MEMORY_REGION(h, size);
#else
        memset(block_user(h), 0xdd, rec.length);
#endif
    }

    pthread_mutex_lock(&q_lock);
    struct qslot *slot = &q_ring[q_next];
    if (slot->used && slot->h) {
        release[nrel] = slot->h;
        release_size[nrel++] = slot->size;
        q_bytes -= slot->size;
    }
    /* Keep the retained bytes under the cap, oldest first. */
    for (unsigned i = 1; retain && q_bytes + size > Q_MAX_BYTES && i < Q_SLOTS; i++) {
        struct qslot *o = &q_ring[(q_next + i) % Q_SLOTS];
        if (o->used && o->h) {
            release[nrel] = o->h;
            release_size[nrel++] = o->size;
            q_bytes -= o->size;
            o->h = NULL;
            o->size = 0;
        }
    }
    *slot = rec;
    q_bytes += rec.size;
    q_next = (q_next + 1) % Q_SLOTS;
    pthread_mutex_unlock(&q_lock);

    if (!retain) {
        release[nrel] = h;
        release_size[nrel++] = size;
    }
    for (unsigned i = 0; i < nrel; i++)
        block_release(release[i], release_size[i]);
}

/* Copies the quarantine record of `user`, if it was freed recently. */
static bool quarantine_find(const void *user, struct qslot *out)
{
    bool found = false;
    pthread_mutex_lock(&q_lock);
    /* Newest first: an address can be freed, reused and freed again. */
    for (unsigned i = 1; i <= Q_SLOTS && !found; i++) {
        const struct qslot *s = &q_ring[(q_next + Q_SLOTS - i) % Q_SLOTS];
        if (s->used && s->user == user) {
            *out = *s;
            found = true;
        }
    }
    pthread_mutex_unlock(&q_lock);
    return found;
}

void ndisi_mem_quarantine_flush(void)
{
    pthread_mutex_lock(&q_lock);
    for (unsigned i = 0; i < Q_SLOTS; i++) {
        struct qslot *s = &q_ring[i];
        if (s->used && s->h)
            block_release(s->h, s->size);
        memset(s, 0, sizeof(*s));
    }
    q_next = 0;
    q_bytes = 0;
    pthread_mutex_unlock(&q_lock);
}

/* ---- allocation and free ----------------------------------------------------- */

void *ndisi_mem_alloc(struct ndisi_memacct *acct, const char *owner, enum ndisi_memkind kind,
                      size_t len, ULONG tag)
{
    if (len > SIZE_MAX - sizeof(struct ndisi_memhdr) - 16u)
        return NULL;
    if (!acct) {
        acct = ndisi_memacct_unowned();
        if (!owner)
            owner = "libndis (no driver)";
    }
    size_t size = block_size(len);
    struct ndisi_memhdr *h = aligned_alloc(16, size);
    if (!h)
        return NULL;
    h->hnext = NULL;
    h->acct = acct;
    h->owner = owner;
    h->length = len;
    h->tag = tag;
    h->kind = (uint16_t)kind;
    h->parked = 0;
    h->magic = NDISI_MEMHDR_MAGIC;
    if (!table_insert(h)) {
        free(h);
        return NULL;
    }
    pthread_mutex_lock(&acct->lock);
    InsertTailList(&acct->allocs, &h->link);
    acct->bytes += len;
    acct->count++;
    pthread_mutex_unlock(&acct->lock);
    return block_user(h);
}

void ndisi_mem_release_leaked(struct ndisi_memhdr *h)
{
    uint64_t hash = hdr_hash(h);
    struct shard *s = hdr_shard(hash);
    pthread_mutex_lock(&s->lock);
    table_unlink_locked(s, h, hash);
    pthread_mutex_unlock(&s->lock);
    h->magic = NDISI_MEMHDR_MAGIC_FREED;
    block_release(h, block_size(h->length));
}

static void report_not_live(const void *p, const char *ddi, const struct ndisi_mem_expect *e)
{
    struct qslot q;
    const char *alloc = ndisi_memkind_alloc_name(e->kind);
    if (quarantine_find(p, &q)) {
        char tag[5];
        ndisi_tag_str(q.tag, tag);
        ndisi_report(NDISI_V_STATE, ddi, "memory must be freed exactly once",
                     "%p was already freed (by %s): a block of %zu bytes with tag '%s' "
                     "allocated by driver '%s' with %s",
                     p, q.freed_by ? q.freed_by : "?", q.length, tag, q.owner,
                     ndisi_memkind_alloc_name((enum ndisi_memkind)q.kind));
        return;
    }
    ndisi_report(NDISI_V_PARAMETER, ddi, "the address must be one that the allocator returned",
                 "%p was not returned by %s (or was freed long ago): it is not a live "
                 "block", p, alloc);
}

/* What was wrong with a live block, captured under the shard lock. */
struct mismatch {
    enum { MM_NONE, MM_KIND, MM_TAG, MM_ACCT, MM_PARKED } what;
    enum ndisi_memkind kind;
    ULONG tag;
    const char *owner;
    size_t length;
};

static void check_locked(const struct ndisi_memhdr *h, const struct ndisi_mem_expect *e,
                         struct mismatch *m)
{
    m->kind = (enum ndisi_memkind)h->kind;
    m->tag = h->tag;
    m->owner = h->owner ? h->owner : "?";
    m->length = h->length;
    if (m->kind != e->kind)
        m->what = MM_KIND;
    else if (e->check_tag && h->tag != e->tag)
        m->what = MM_TAG;
    else if (e->acct && h->acct != e->acct)
        m->what = MM_ACCT;
    else
        m->what = MM_NONE;
}

static void report_mismatch(const void *p, const char *ddi, const struct ndisi_mem_expect *e,
                            const struct mismatch *m)
{
    char t1[5], t2[5];
    ndisi_tag_str(m->tag, t1);
    ndisi_tag_str(e->tag, t2);
    switch (m->what) {
    case MM_KIND:
        ndisi_report(NDISI_V_PARAMETER, ddi, "memory must be freed by the matching routine",
                     "%p (%zu bytes, tag '%s', driver '%s') was allocated with %s: free it "
                     "with %s", p, m->length, t1, m->owner, ndisi_memkind_alloc_name(m->kind),
                     ndisi_memkind_free_name(m->kind));
        break;
    case MM_TAG:
        ndisi_report(NDISI_V_PARAMETER, ddi, "Tag must be the tag the memory was allocated with",
                     "%p (%zu bytes, driver '%s') was allocated with tag '%s' (0x%08x), not "
                     "'%s' (0x%08x)", p, m->length, m->owner, t1, (unsigned)m->tag, t2,
                     (unsigned)e->tag);
        break;
    case MM_ACCT:
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "NdisHandle should be the same handle that the driver passed to "
                     "NdisAllocateMemoryWithTagPriority",
                     "%p (%zu bytes, tag '%s') belongs to driver '%s', not to the driver of "
                     "the handle", p, m->length, t1, m->owner);
        break;
    case MM_PARKED:
        ndisi_report(NDISI_V_STATE, ddi, "memory must be freed exactly once",
                     "%p (%zu bytes, tag '%s', driver '%s') is already back in its lookaside "
                     "list: freed twice", p, m->length, t1, m->owner);
        break;
    case MM_NONE:
        break;
    }
}

/* Looks a live block up; NULL (after a report) if p is not one. Locks its shard. */
static struct ndisi_memhdr *lookup_lock(void *p, const char *ddi,
                                        const struct ndisi_mem_expect *e, struct shard **sp,
                                        uint64_t *hashp)
{
    if (!p) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "the address must be one that the allocator returned",
                     "the address is NULL");
        return NULL;
    }
    if ((uintptr_t)p % 16u != 0) {
        report_not_live(p, ddi, e);
        return NULL;
    }
    struct ndisi_memhdr *h = (struct ndisi_memhdr *)p - 1; /* not dereferenced unless live */
    uint64_t hash = hdr_hash(h);
    struct shard *s = hdr_shard(hash);
    pthread_mutex_lock(&s->lock);
    if (!table_contains_locked(s, h, hash)) {
        pthread_mutex_unlock(&s->lock);
        report_not_live(p, ddi, e);
        return NULL;
    }
    *sp = s;
    *hashp = hash;
    return h;
}

bool ndisi_mem_free(void *p, const char *ddi, const struct ndisi_mem_expect *e)
{
    struct shard *s;
    uint64_t hash;
    struct mismatch m;
    struct ndisi_memhdr *h = lookup_lock(p, ddi, e, &s, &hash);
    if (!h)
        return false;
    /* The block is live and ours: its header may be read. */
    check_locked(h, e, &m);
    if (m.what == MM_NONE)
        table_unlink_locked(s, h, hash);
    pthread_mutex_unlock(&s->lock);
    if (m.what != MM_NONE) {
        report_mismatch(p, ddi, e, &m);
        return false;
    }

    struct ndisi_memacct *acct = h->acct;
    pthread_mutex_lock(&acct->lock);
    RemoveEntryList(&h->link);
    acct->bytes -= m.length;
    acct->count--;
    pthread_mutex_unlock(&acct->lock);
    quarantine_push(h, ddi);
    return true;
}

bool ndisi_mem_park(void *p, const char *ddi, const struct ndisi_mem_expect *e, bool park)
{
    struct shard *s;
    uint64_t hash;
    struct mismatch m;
    struct ndisi_memhdr *h = lookup_lock(p, ddi, e, &s, &hash);
    if (!h)
        return false;
    check_locked(h, e, &m);
    if (m.what == MM_NONE && (h->parked != 0) == park)
        m.what = MM_PARKED;
    if (m.what == MM_NONE)
        h->parked = park ? 1 : 0;
    pthread_mutex_unlock(&s->lock);
    if (m.what != MM_NONE) {
        report_mismatch(p, ddi, e, &m);
        return false;
    }
    return true;
}

/* ---- the DDIs ------------------------------------------------------------------ */

PVOID NdisAllocateMemoryWithTagPriority(_In_ NDIS_HANDLE NdisHandle, _In_ UINT Length,
                                        _In_ ULONG Tag, _In_ EX_POOL_PRIORITY Priority)
{
    (void)Priority; /* user-space memory has no priorities to honour */
    ndisi_irql_le(DISPATCH_LEVEL, "NdisAllocateMemoryWithTagPriority",
                  "Irql_Miscellaneous_Function");
    struct ndisi_image *img =
        ndisi_image_from_handle(NdisHandle, "NdisAllocateMemoryWithTagPriority");
    if (!img)
        return NULL;
    /* rules/ndis-ndisallocatememorywithtagpriority.md: "a driver must not call
       NdisAllocateMemoryWithTagPriority without providing a Tag". */
    if (Tag == 0) {
        ndisi_report(NDISI_V_PARAMETER, "NdisAllocateMemoryWithTagPriority",
                     "NdisAllocateMemoryWithTagPriority",
                     "driver '%s' passed no Tag (0): every allocation needs a pool tag",
                     img->name);
        return NULL;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_MEMORY))
        return NULL;
    return ndisi_mem_alloc(&img->mem, img->name, NDISI_MEM_NDIS, Length, Tag);
}

/*
 * nf-ndis-ndisfreememory.md: Length is ignored for memory from
 * NdisAllocateMemoryWithTagPriority, and MemoryFlags "must be zero if the
 * memory was allocated with NdisAllocateMemoryWithTagPriority" - the only
 * allocator NDIS 6 drivers have.
 */
VOID NdisFreeMemory(_In_ PVOID VirtualAddress, _In_ UINT Length, _In_ UINT MemoryFlags)
{
    (void)Length;
    ndisi_irql_le(DISPATCH_LEVEL, "NdisFreeMemory", "Irql_Miscellaneous_Function");
    if (MemoryFlags != 0) {
        ndisi_report(NDISI_V_PARAMETER, "NdisFreeMemory",
                     "MemoryFlags must be zero if the memory was allocated with "
                     "NdisAllocateMemoryWithTagPriority",
                     "MemoryFlags is 0x%x for %p", MemoryFlags, VirtualAddress);
        return;
    }
    struct ndisi_mem_expect e = {.kind = NDISI_MEM_NDIS};
    ndisi_mem_free(VirtualAddress, "NdisFreeMemory", &e);
}

VOID NdisFreeMemoryWithTagPriority(_In_ NDIS_HANDLE NdisHandle, _In_ PVOID VirtualAddress,
                                   _In_ ULONG Tag)
{
    ndisi_irql_le(DISPATCH_LEVEL, "NdisFreeMemoryWithTagPriority", "Irql_Miscellaneous_Function");
    struct ndisi_image *img = ndisi_image_from_handle(NdisHandle, "NdisFreeMemoryWithTagPriority");
    if (!img)
        return;
    struct ndisi_mem_expect e = {
        .kind = NDISI_MEM_NDIS, .check_tag = true, .tag = Tag, .acct = &img->mem};
    ndisi_mem_free(VirtualAddress, "NdisFreeMemoryWithTagPriority", &e);
}

/*
 * memory.h - tagged, accounted memory: the blocks behind
 * NdisAllocateMemoryWithTagPriority, IoAllocateMdl, the Rtl string allocations,
 * lookaside entries and NDIS's own allocations charged to a driver.
 *
 * Every block starts with a header (struct ndisi_memhdr) that links it into the
 * account (struct ndisi_memacct, memacct.h) of the driver it is charged to, and
 * is registered in a process-wide table of live blocks. A free looks the
 * pointer up in that table before it touches any memory, so a pointer that is
 * not a live block - freed twice, never allocated here, or from another
 * allocator - is reported by name without reading memory it does not own.
 * Recently freed blocks wait in a small quarantine, so that their address is
 * not reused at once and a second free can still be described (tag, size,
 * driver).
 */
#ifndef NDISI_OS_MEMORY_H
#define NDISI_OS_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ntdef.h>

#include "os/memacct.h"

/* Which allocator produced a block, so that the matching free is enforced. */
enum ndisi_memkind {
    NDISI_MEM_NDIS,      /* NdisAllocateMemoryWithTagPriority / NdisFreeMemory */
    NDISI_MEM_MDL,       /* NdisAllocateMdl, IoAllocateMdl / NdisFreeMdl, IoFreeMdl */
    NDISI_MEM_STRING,    /* Rtl*String allocations / RtlFree*String */
    NDISI_MEM_LOOKASIDE, /* lookaside entries allocated on the driver's behalf */
    NDISI_MEM_INTERNAL,  /* NDIS's own memory charged to a driver */
    NDISI_MEM_KIND_COUNT
};

#define NDISI_MEMHDR_MAGIC 0x4d454d4eu      /* "NMEM" */
#define NDISI_MEMHDR_MAGIC_FREED 0x44454552u /* "REED" */

struct ndisi_memhdr {
    LIST_ENTRY link;              /* acct->allocs, guarded by acct->lock */
    struct ndisi_memhdr *hnext;   /* chain in the live-block table */
    struct ndisi_memacct *acct;
    const char *owner;            /* driver name, for messages */
    size_t length;                /* bytes requested */
    ULONG tag;
    uint16_t kind;                /* enum ndisi_memkind */
    uint16_t parked;              /* 1 while parked in a lookaside list */
    uint32_t magic;
} __attribute__((aligned(16)));

/* A pool tag as Windows tools print it: four characters, low byte first. */
#define NDISI_TAG(a, b, c, d)                                                   \
    ((ULONG)(UCHAR)(a) | ((ULONG)(UCHAR)(b) << 8) | ((ULONG)(UCHAR)(c) << 16) | \
     ((ULONG)(UCHAR)(d) << 24))
void ndisi_tag_str(ULONG tag, char out[5]);

/* Allocator and free DDI names of a kind, for messages. */
const char *ndisi_memkind_alloc_name(enum ndisi_memkind kind);
const char *ndisi_memkind_free_name(enum ndisi_memkind kind);

/*
 * The account of memory no driver owns (allocated with no driver context);
 * reported and released by ndisi_os_shutdown().
 */
struct ndisi_memacct *ndisi_memacct_unowned(void);

/*
 * Allocates `len` bytes, MEMORY_ALLOCATION_ALIGNMENT aligned, charged to `acct`
 * (NULL: the unowned account). `owner` names the driver in messages and must
 * live as long as the account. Returns NULL when memory is exhausted.
 */
void *ndisi_mem_alloc(struct ndisi_memacct *acct, const char *owner, enum ndisi_memkind kind,
                      size_t len, ULONG tag);

/* What a free expects of the block; the violation is reported otherwise. */
struct ndisi_mem_expect {
    enum ndisi_memkind kind;
    bool check_tag;
    ULONG tag;
    const struct ndisi_memacct *acct; /* NULL: any account */
};

/*
 * Frees a block. Reports, naming `ddi`, and frees nothing if `p` is NULL, not a
 * live block, already freed, or does not match `expect`. Returns true if freed.
 */
bool ndisi_mem_free(void *p, const char *ddi, const struct ndisi_mem_expect *expect);

/*
 * Marks a live block as parked in a lookaside list (park) or handed out again
 * (!park). Reports, naming `ddi`, and returns false if the block is not live,
 * does not match `expect`, or is already in that state (a lookaside entry freed
 * twice).
 */
bool ndisi_mem_park(void *p, const char *ddi, const struct ndisi_mem_expect *expect, bool park);

/* Releases the quarantine (called by ndisi_os_shutdown). */
void ndisi_mem_quarantine_flush(void);

/* For memacct.c: unregisters and releases a block an account still holds. */
void ndisi_mem_release_leaked(struct ndisi_memhdr *h);

#endif /* NDISI_OS_MEMORY_H */

/*
 * mdl.c - MDLs: NdisAllocateMdl / NdisFreeMdl (ddi/ndis-split/mdlapi/),
 * IoAllocateMdl / IoFreeMdl / MmBuildMdlForNonPagedPool (ddi/base/), and the
 * MDLs NDIS allocates itself (retreat buffers, clones, partial MDLs).
 *
 * A user-space process has one address space and no paging that a driver can
 * see, so every buffer is "nonpaged" and already mapped: an MDL built here
 * looks like one Windows builds for nonpaged pool. StartVa is the page-aligned
 * base, ByteOffset the offset in that (4 KiB) page, ByteCount the length,
 * MdlFlags has MDL_SOURCE_IS_NONPAGED_POOL and MappedSystemVa is the buffer's
 * address (which is what MmGetSystemAddressForMdlSafe returns). The PFN array
 * after the MDL holds the virtual page numbers, which is as good a "physical"
 * page number as a process has (identity mapping).
 *
 * MDLs drivers allocate (NdisAllocateMdl, IoAllocateMdl) are tagged memory
 * charged to the driver (os/memory.h, kind NDISI_MEM_MDL), so unload reports
 * the ones a driver leaks, and NdisFreeMdl/IoFreeMdl look a pointer up before
 * touching it. As on Windows, where NdisAllocateMdl is IoAllocateMdl followed
 * by MmBuildMdlForNonPagedPool, either free routine takes either MDL. The MDLs
 * NDIS allocates for itself (retreat buffers, clones, partial MDLs) come from
 * ndisi_blk_alloc with a struct ndisi_mdl_hdr in front: they are on the data
 * path and only NDIS frees them.
 */
#include <string.h>

#include "core/cbctx.h"
#include "core/model.h"
#include "core/verifier.h"
#include "datapath/nbpriv.h"
#include "datapath/pool.h"
#include "os/fault.h"
#include "os/memory.h"

/* Tag of the blocks that hold NDIS's own MDLs (ndisi_blk_tag). */
#define MDL_BLK_TAG 0x4d

static void mdl_fill_pfns(PMDL mdl)
{
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    PFN_NUMBER first = (ULONG_PTR)mdl->StartVa >> PAGE_SHIFT;
    for (ULONG i = 0; i < pages; i++)
        pfn[i] = first + i;
}

void ndisi_mdl_build(PMDL mdl, void *va, ULONG len)
{
    MmInitializeMdl(mdl, va, len);
    mdl->MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
    mdl->MappedSystemVa = va;
    mdl_fill_pfns(mdl);
}

/* Allocates header + MDL (+ PFN array for `len` bytes) + `extra` bytes. */
static PMDL mdl_block(ULONG len, size_t extra, enum ndisi_mdl_kind kind)
{
    size_t mdl_bytes = (ndisi_mdl_bytes(len) + 15) & ~(size_t)15;
    struct ndisi_mdl_hdr *h =
        ndisi_blk_alloc(sizeof(struct ndisi_mdl_hdr) + mdl_bytes + extra, MDL_BLK_TAG);
    if (!h)
        return NULL;
    h->magic = NDISI_MDL_MAGIC;
    h->kind = (uint8_t)kind;
    memset(h->reserved, 0, sizeof(h->reserved));
    h->length = len;
    h->reserved2 = 0;
    return (PMDL)(h + 1);
}

PMDL ndisi_mdl_alloc(void *va, ULONG len, enum ndisi_mdl_kind kind)
{
    PMDL mdl = mdl_block(len, 0, kind);
    if (mdl)
        ndisi_mdl_build(mdl, va, len);
    return mdl;
}

PMDL ndisi_mdl_alloc_with_data(ULONG len)
{
    size_t mdl_bytes = (ndisi_mdl_bytes(len) + 15) & ~(size_t)15;
    PMDL mdl = mdl_block(len, len, NDISI_MDLK_RETREAT);
    if (mdl)
        ndisi_mdl_build(mdl, (char *)mdl + mdl_bytes, len);
    return mdl;
}

void ndisi_mdl_free(PMDL mdl)
{
    if (!mdl)
        return;
    struct ndisi_mdl_hdr *h = (struct ndisi_mdl_hdr *)mdl - 1;
    h->magic = 0;
    ndisi_blk_free(h);
}

/* ---- MDLs drivers allocate: tagged memory charged to the driver (os/memory.h) ---- */

#define MDL_POOL_TAG NDISI_TAG('M', 'd', 'l', ' ')

static PMDL driver_mdl_alloc(struct ndisi_image *img, PVOID va, ULONG len)
{
    PMDL mdl = ndisi_mem_alloc(img ? &img->mem : NULL, img ? img->name : NULL, NDISI_MEM_MDL,
                               MmSizeOfMdl(va, len), MDL_POOL_TAG);
    if (mdl)
        MmInitializeMdl(mdl, va, len);
    return mdl;
}

static void driver_mdl_free(PMDL mdl, const char *ddi)
{
    static const struct ndisi_mem_expect expect = {.kind = NDISI_MEM_MDL};
    /* Looks the pointer up before touching it: foreign, NDIS-owned (pool, clone,
       retreat) and already freed MDLs are reported by name and left alone. */
    ndisi_mem_free(mdl, ddi, &expect);
}

/* ---- NdisAllocateMdl / NdisFreeMdl ------------------------------------------- */

PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length)
{
    static const char ddi[] = "NdisAllocateMdl";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return NULL;
    struct ndisi_image *img = ndisi_image_from_handle(NdisHandle, ddi);
    if (!img)
        return NULL;
    if (!VirtualAddress && Length) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "VirtualAddress: the base virtual address of the buffer",
                     "VirtualAddress is NULL with Length %u", Length);
        return NULL;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;
    /* Windows builds it with IoAllocateMdl + MmBuildMdlForNonPagedPool; so do we. */
    PMDL mdl = driver_mdl_alloc(img, VirtualAddress, Length);
    if (mdl) {
        mdl->MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
        mdl->MappedSystemVa = VirtualAddress;
        mdl_fill_pfns(mdl);
    }
    return mdl;
}

VOID NdisFreeMdl(PMDL Mdl)
{
    static const char ddi[] = "NdisFreeMdl";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, NDISI_NB_RULE))
        return;
    driver_mdl_free(Mdl, ddi);
}

/* ---- IoAllocateMdl / IoFreeMdl / MmBuildMdlForNonPagedPool --------------------- */

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                   BOOLEAN ChargeQuota, PIRP Irp)
{
    static const char ddi[] = "IoAllocateMdl";

    (void)ChargeQuota;
    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "IoAllocateMdl: IRQL <= DISPATCH_LEVEL"))
        return NULL;
    if (Irp || SecondaryBuffer) {
        /* libndis has no IRPs, so no MDL can be associated with one. */
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "SecondaryBuffer must be FALSE if no IRP is associated with the MDL",
                     "Irp %p, SecondaryBuffer %u: libndis has no IRPs", (void *)Irp,
                     (unsigned)SecondaryBuffer);
        return NULL;
    }
    if (ndisi_fault_fail(NDIS_FAULT_ALLOC_NBL))
        return NULL;
    return driver_mdl_alloc(ndisi_cb_current_image(), VirtualAddress, Length);
}

VOID IoFreeMdl(PMDL Mdl)
{
    static const char ddi[] = "IoFreeMdl";

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "IoFreeMdl: IRQL <= DISPATCH_LEVEL"))
        return;
    driver_mdl_free(Mdl, ddi);
}
VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    static const char ddi[] = "MmBuildMdlForNonPagedPool";
    PMDL mdl = MemoryDescriptorList;

    if (!ndisi_irql_le(DISPATCH_LEVEL, ddi, "MmBuildMdlForNonPagedPool: IRQL <= DISPATCH_LEVEL"))
        return;
    if (!mdl) {
        ndisi_report(NDISI_V_PARAMETER, ddi, "MemoryDescriptorList points to an MDL",
                     "MemoryDescriptorList is NULL");
        return;
    }
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    if ((size_t)mdl->Size < sizeof(MDL) + pages * sizeof(PFN_NUMBER)) {
        ndisi_report(NDISI_V_PARAMETER, ddi,
                     "The caller used the IoAllocateMdl routine to create the MDL",
                     "MDL %p has Size %d, too small for the %lu pages it describes",
                     (void *)mdl, mdl->Size, (unsigned long)pages);
        return;
    }
    mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
    mdl->MappedSystemVa = MmGetMdlVirtualAddress(mdl);
    mdl_fill_pfns(mdl);
}

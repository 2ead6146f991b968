/* fakedriver.c - see fakedriver.h. */
#include "fakedriver.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/obj.h"
#include "core/verifier.h"
#include "os/memacct.h"

/*
 * Until the core's image code is on main these two come from here; a
 * definition in the library takes precedence once it exists (weak symbols).
 * The lookup maps the handle types the tests create to their image, as the
 * core's does.
 */
__attribute__((weak)) struct ndisi_image *ndisi_image_from_handle(NDIS_HANDLE h, const char *ddi)
{
    struct ndisi_protocol *p = ndisi_obj_check(h, NDISI_OBJ_PROTOCOL, ddi, "NdisHandle");
    return p ? p->image : NULL;
}

__attribute__((weak)) void ndisi_trace_callback(const struct ndisi_cbframe *f, int phase,
                                                bool has_status, LONG status)
{
    (void)f;
    (void)phase;
    (void)has_status;
    (void)status;
}

NDIS_HANDLE t_driver(const char *name)
{
    struct ndisi_image *img = ndisi_obj_alloc(NDISI_OBJ_IMAGE, sizeof(*img));
    T_ASSERT(img != NULL);
    snprintf(img->name, sizeof(img->name), "%s", name);
    img->obj.label = img->name;
    img->state = NDISI_IMAGE_LOADED;
    ndisi_memacct_init(&img->mem);
    struct ndisi_protocol *p = ndisi_obj_alloc(NDISI_OBJ_PROTOCOL, sizeof(*p));
    T_ASSERT(p != NULL);
    p->image = img;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->obj.label = p->name;
    InitializeListHead(&p->opens);
    return p;
}

struct ndisi_image *t_driver_image(NDIS_HANDLE h)
{
    return ((struct ndisi_protocol *)h)->image;
}

void t_driver_done(NDIS_HANDLE h)
{
    struct ndisi_protocol *p = h;
    struct ndisi_image *img = p->image;
    unsigned long long bytes = 0;
    unsigned long count = 0;
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_ASSERT_MSG(count == 0, "driver '%s' still holds %lu blocks (%llu bytes)", img->name,
                 count, bytes);
    for (int r = 0; r < NDISI_RES_COUNT; r++)
        T_ASSERT_MSG(atomic_load(&img->res[r]) == 0, "driver '%s' resource %s count %ld",
                     img->name, r == NDISI_RES_NBL_POOL ? "NBL pools"
                                : r == NDISI_RES_NB_POOL ? "NB pools" : "other",
                     (long)atomic_load(&img->res[r]));
    ndisi_memacct_destroy(&img->mem);
    ndisi_obj_free(p);
    ndisi_obj_free(img);
}

void t_enter(struct ndisi_cbframe *f, NDIS_HANDLE h)
{
    ndisi_cb_enter(f, t_driver_image(h), "ProtocolReceiveNetBufferLists", NULL,
                   NDISI_CB_NDIS_ENTRY, NDISI_IRQL_SAME);
}

void t_leave(struct ndisi_cbframe *f)
{
    ndisi_cb_leave(f);
}

/* ---- reports ---------------------------------------------------------------- */

static pthread_mutex_t r_lock = PTHREAD_MUTEX_INITIALIZER;
static int r_count;
static char r_ddi[128], r_rule[512], r_class[64], r_msg[1024];

static void r_handler(void *ctx, const ndis_report *r)
{
    (void)ctx;
    pthread_mutex_lock(&r_lock);
    r_count++;
    snprintf(r_ddi, sizeof(r_ddi), "%s", r->ddi);
    snprintf(r_rule, sizeof(r_rule), "%s", r->rule);
    snprintf(r_class, sizeof(r_class), "%s", r->vclass);
    snprintf(r_msg, sizeof(r_msg), "%s", r->message);
    pthread_mutex_unlock(&r_lock);
    if (getenv("NBL_TEST_VERBOSE"))
        t_log("report: %s: %s [%s: %s]", r->ddi, r->message, r->vclass, r->rule);
}

void t_reports_capture(void)
{
    ndis_set_verifier_policy(NDIS_VERIFIER_LOG);
    ndis_set_report_handler(r_handler, NULL);
    t_reports_reset();
}

int t_reports(void)
{
    pthread_mutex_lock(&r_lock);
    int n = r_count;
    pthread_mutex_unlock(&r_lock);
    return n;
}

void t_reports_reset(void)
{
    pthread_mutex_lock(&r_lock);
    r_count = 0;
    r_ddi[0] = r_rule[0] = r_class[0] = r_msg[0] = '\0';
    pthread_mutex_unlock(&r_lock);
}

/* The strings stay valid until the next report (tests read them on one thread). */
const char *t_report_ddi(void)
{
    return r_ddi;
}

const char *t_report_rule(void)
{
    return r_rule;
}

const char *t_report_class(void)
{
    return r_class;
}

const char *t_report_msg(void)
{
    return r_msg;
}

/* ---- pools and MDLs ------------------------------------------------------------ */

NDIS_HANDLE t_nbl_pool(NDIS_HANDLE drv, BOOLEAN with_nb, USHORT ctx, ULONG data_size)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pp.fAllocateNetBuffer = with_nb;
    pp.ContextSize = ctx;
    pp.PoolTag = 0x74736554; /* "Test" */
    pp.DataSize = data_size;
    return NdisAllocateNetBufferListPool(drv, &pp);
}

NDIS_HANDLE t_nb_pool(NDIS_HANDLE drv, ULONG data_size)
{
    NET_BUFFER_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof(pp));
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    pp.PoolTag = 0x6b427554; /* "TuBk" */
    pp.DataSize = data_size;
    return NdisAllocateNetBufferPool(drv, &pp);
}

PMDL t_mdl(ULONG len, unsigned char fill)
{
    void *buf = malloc(len ? len : 1);
    T_ASSERT(buf != NULL);
    memset(buf, fill, len);
    PMDL m = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    T_ASSERT(m != NULL);
    MmBuildMdlForNonPagedPool(m);
    return m;
}

void t_mdl_free_chain(PMDL m)
{
    while (m) {
        PMDL next = m->Next;
        free(MmGetMdlVirtualAddress(m));
        IoFreeMdl(m);
        m = next;
    }
}

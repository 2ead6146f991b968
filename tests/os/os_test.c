/* os_test.c - helpers shared by the OS-services tests (see os_test.h). */
#include "os_test.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/obj.h"
#include "core/verifier.h"
#include "os/memacct.h"
#include "os/os.h"

struct ndisi_image *t_image(const char *name)
{
    struct ndisi_image *img = ndisi_obj_alloc(NDISI_OBJ_IMAGE, sizeof(*img));
    T_ASSERT(img != NULL);
    snprintf(img->name, sizeof(img->name), "%s", name);
    img->obj.label = img->name;
    img->state = NDISI_IMAGE_LOADED;
    ndisi_memacct_init(&img->mem);
    /* The handle the driver would get from NdisMRegisterMiniportDriver. */
    struct ndisi_miniport_driver *md =
        ndisi_obj_alloc(NDISI_OBJ_MINIPORT_DRIVER, sizeof(*md));
    T_ASSERT(md != NULL);
    md->obj.label = img->name;
    md->image = img;
    InitializeListHead(&md->adapters);
    img->miniport = md;
    return img;
}

NDIS_HANDLE t_h(struct ndisi_image *img)
{
    return (NDIS_HANDLE)img->miniport;
}

void t_image_done(struct ndisi_image *img)
{
    unsigned long long bytes = 0;
    unsigned long count = 0;
    ndisi_memacct_totals(&img->mem, &bytes, &count);
    T_ASSERT_MSG(count == 0, "driver '%s' still holds %lu blocks (%llu bytes)", img->name,
                 count, bytes);
    for (int r = 0; r < NDISI_RES_COUNT; r++)
        T_ASSERT_MSG(atomic_load(&img->res[r]) == 0, "driver '%s' resource %d count %ld",
                     img->name, r, (long)atomic_load(&img->res[r]));
    ndisi_memacct_destroy(&img->mem);
    ndisi_obj_free(img->miniport);
    ndisi_obj_free(img);
}

#define MAX_REPORTS 256

struct rec {
    char ddi[96], rule[256], vclass[32], msg[1024];
};

static pthread_mutex_t r_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rec r_recs[MAX_REPORTS];
static int r_n;
static char d_text[MAX_REPORTS][512];
static int d_n;

static void on_report(void *ctx, const ndis_report *r)
{
    (void)ctx;
    pthread_mutex_lock(&r_lock);
    if (r_n < MAX_REPORTS) {
        struct rec *x = &r_recs[r_n++];
        snprintf(x->ddi, sizeof(x->ddi), "%s", r->ddi);
        snprintf(x->rule, sizeof(x->rule), "%s", r->rule);
        snprintf(x->vclass, sizeof(x->vclass), "%s", r->vclass);
        snprintf(x->msg, sizeof(x->msg), "%s", r->message);
    }
    pthread_mutex_unlock(&r_lock);
    if (getenv("NDIS_TEST_VERBOSE"))
        fprintf(stderr, "  report: %s: %s [%s: %s]\n", r->ddi, r->message, r->vclass, r->rule);
}

static void on_diag(void *ctx, const char *msg)
{
    (void)ctx;
    pthread_mutex_lock(&r_lock);
    if (d_n < MAX_REPORTS)
        snprintf(d_text[d_n++], sizeof(d_text[0]), "%s", msg);
    pthread_mutex_unlock(&r_lock);
    if (getenv("NDIS_TEST_VERBOSE"))
        fprintf(stderr, "  diag: %s\n", msg);
}

void t_capture(void)
{
    ndis_set_verifier_policy(NDIS_VERIFIER_LOG);
    ndis_set_report_handler(on_report, NULL);
    ndis_set_diag_handler(on_diag, NULL);
}

int t_reports(void)
{
    pthread_mutex_lock(&r_lock);
    int n = r_n;
    pthread_mutex_unlock(&r_lock);
    return n;
}

int t_reported(const char *ddi, const char *text)
{
    int n = 0;
    pthread_mutex_lock(&r_lock);
    for (int i = 0; i < r_n; i++) {
        const struct rec *x = &r_recs[i];
        if (ddi && strcmp(x->ddi, ddi) != 0)
            continue;
        if (text && !strstr(x->msg, text) && !strstr(x->rule, text))
            continue;
        n++;
    }
    pthread_mutex_unlock(&r_lock);
    return n;
}

const char *t_report_msg(int i)
{
    return i >= 0 && i < r_n ? r_recs[i].msg : "";
}

const char *t_report_rule(int i)
{
    return i >= 0 && i < r_n ? r_recs[i].rule : "";
}

const char *t_report_class(int i)
{
    return i >= 0 && i < r_n ? r_recs[i].vclass : "";
}

void t_reports_clear(void)
{
    pthread_mutex_lock(&r_lock);
    r_n = 0;
    d_n = 0;
    pthread_mutex_unlock(&r_lock);
}

int t_diags(const char *text)
{
    int n = 0;
    pthread_mutex_lock(&r_lock);
    for (int i = 0; i < d_n; i++)
        if (!text || strstr(d_text[i], text))
            n++;
    pthread_mutex_unlock(&r_lock);
    return n;
}

void t_enter(struct ndisi_cbframe *f, struct ndisi_image *img, unsigned irql)
{
    ndisi_cb_enter(f, img, "TestEntry", NULL, NDISI_CB_NDIS_ENTRY, irql);
}

void t_leave(struct ndisi_cbframe *f)
{
    ndisi_cb_leave(f);
}

int t_thread_count(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    T_ASSERT(d != NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

int t_ndis_threads(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    T_ASSERT(d != NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[300], comm[64] = "";
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue; /* exited meanwhile */
        if (fgets(comm, sizeof(comm), f) && strncmp(comm, "ndis-", 5) == 0)
            n++;
        fclose(f);
    }
    closedir(d);
    return n;
}

int t_ndis_threads_after_join(void)
{
    /* Joined threads can linger in /proc for a moment while they exit. */
    for (int i = 0; i < 200 && t_ndis_threads() != 0; i++)
        t_sleep_ms(5);
    return t_ndis_threads();
}

void t_os_end(void)
{
    ndisi_os_shutdown();
    ndisi_obj_quarantine_flush();
    T_EQ(t_ndis_threads_after_join(), 0);
}

void t_sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

bool t_wait_flag(volatile int *flag, unsigned ms)
{
    for (unsigned i = 0; i < ms; i++) {
        if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
            return true;
        t_sleep_ms(1);
    }
    return __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0;
}

/*
 * test_host_oid.c - ndis_host_oid: a request NDIS issues at the top of an
 * adapter's stack. Queries NDIS answers from the miniport's attributes or from
 * OID_GEN_STATISTICS, queries and sets the miniport answers, the way through
 * filter modules (forwarded and cloned), pended requests, short buffers and
 * the refused cases.
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "kit.h"
#include "test.h"

static ndis_host *stack(int nfilters, bool clone)
{
    ndis_host *h = kit_host();
    T_EQ(ndis_host_load_driver(h, "kitmp", kit_mp_entry, NULL), 0);
    T_EQ(ndis_host_add_adapter(h, "kitmp", "a0", NULL), 0);
    for (int i = 0; i < nfilters; i++) {
        char n[8] = "kitf0";
        n[4] = (char)('0' + i);
        kit_filter[i].clone_oids = clone;
        ndis_driver_config c = {.filter_class = "custom", .filter_type = 2,
                                .filter_run_type = 2};
        T_EQ(ndis_host_load_driver(h, n, kit_filter_entry, &c), 0);
    }
    return h;
}

static ULONG query_ul(ndis_host *h, NDIS_OID oid, int32_t *st)
{
    ULONG v = 0;
    size_t bytes = 0;
    T_EQ(ndis_host_oid(h, "a0", NdisRequestQueryInformation, oid, &v, sizeof(v), st, &bytes),
         0);
    if (*st == NDIS_STATUS_SUCCESS)
        T_EQ(bytes, sizeof(v));
    return v;
}

TEST(answered_by_ndis_or_the_miniport)
{
    ndis_host *h = stack(0, false);
    int32_t st;
    kit_log_reset();
    /* From the attributes the miniport gave at initialization: no miniport call. */
    T_EQ(query_ul(h, OID_GEN_MAXIMUM_FRAME_SIZE, &st), 1500);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(kit_log_count("MiniportOidRequest"), 0);
    /* The miniport's own. */
    T_EQ(query_ul(h, OID_GEN_MAXIMUM_TOTAL_SIZE, &st), 1514);
    T_EQ(kit_log_count("MiniportOidRequest(a0,0x00010111)"), 1);
    /* Derived by NDIS from OID_GEN_STATISTICS (the kit reports 2000 octets out). */
    ULONG64 out = 0;
    size_t bytes = 0;
    T_EQ(ndis_host_oid(h, "a0", NdisRequestQueryStatistics, OID_GEN_BYTES_XMIT, &out,
                       sizeof(out), &st, &bytes),
         0);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(out, 2000);
    /* A buffer too short says how much is needed; nothing is copied. */
    unsigned char small[8];
    memset(small, 0xa5, sizeof(small));
    T_EQ(ndis_host_oid(h, "a0", NdisRequestQueryInformation, OID_GEN_STATISTICS, small,
                       sizeof(small), &st, &bytes),
         0);
    T_EQ(st, NDIS_STATUS_BUFFER_TOO_SHORT);
    T_EQ(bytes, sizeof(NDIS_STATISTICS_INFO));
    T_EQ(small[0], 0xa5);
    /* Neither NDIS nor the miniport knows it. */
    query_ul(h, OID_GEN_VLAN_ID, &st);
    T_EQ(st, NDIS_STATUS_NOT_SUPPORTED);
    kit_host_done(h);
}

TEST(refused)
{
    ndis_host *h = stack(0, false);
    ULONG v = NDIS_PACKET_TYPE_DIRECTED;
    int32_t st = 0;
    size_t bytes = 0;
    T_EQ(ndis_host_oid(h, "nope", NdisRequestQueryInformation, OID_GEN_MAXIMUM_FRAME_SIZE, &v,
                       sizeof(v), &st, &bytes),
         -ENOENT);
    /* NDIS keeps these per binding: the host cannot set them under the protocols. */
    T_EQ(ndis_host_oid(h, "a0", NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, &v,
                       sizeof(v), &st, &bytes),
         -EINVAL);
    T_EQ(kit_mp.oid_sets, 0);
    T_EQ(ndis_host_oid(h, "a0", NdisRequestMethod, OID_GEN_MAXIMUM_FRAME_SIZE, &v, sizeof(v),
                       &st, &bytes),
         -EINVAL);
    T_EQ(ndis_host_oid(h, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_FRAME_SIZE, NULL,
                       4, &st, &bytes),
         -EINVAL);
    T_EQ(ndis_host_oid(h, "a0", NdisRequestQueryInformation, OID_GEN_MAXIMUM_FRAME_SIZE, &v,
                       NDIS_HOST_OID_MAX_LEN + 1, &st, &bytes),
         -EINVAL);
    kit_host_done(h);
}

/* The request passes every filter module with an OID handler, top first. */
static void through_filters(bool clone)
{
    ndis_host *h = stack(2, clone);
    kit_log_reset();
    int32_t st;
    T_EQ(query_ul(h, OID_GEN_MAXIMUM_TOTAL_SIZE, &st), 1514);
    T_EQ(st, NDIS_STATUS_SUCCESS);
    T_EQ(atomic_load(&kit_filter[0].oids), 1);
    T_EQ(atomic_load(&kit_filter[1].oids), 1);
    ndis_module_info mi[2];
    unsigned n = 0;
    T_EQ(ndis_host_list_modules(h, "a0", mi, 2, &n), 0);
    T_EQ(n, 2);
    char want_top[96], want_bottom[96];
    snprintf(want_top, sizeof(want_top), "FilterOidRequest(%s,a0", mi[1].filter);
    snprintf(want_bottom, sizeof(want_bottom), "FilterOidRequest(%s,a0", mi[0].filter);
    int top = kit_log_index(want_top), bottom = kit_log_index(want_bottom),
        mp = kit_log_index("MiniportOidRequest(a0,0x00010111)");
    T_ASSERT_MSG(top >= 0 && bottom > top && mp > bottom, "order: %s", kit_log_text());
    kit_host_done(h);
}

TEST(through_filters_forwarded)
{
    through_filters(false);
}

TEST(through_filters_cloned)
{
    through_filters(true);
}

struct pended {
    ndis_host *h;
    int rc;
    int32_t st;
    size_t bytes;
    ULONG v;
};

static void *issue(void *arg)
{
    struct pended *p = arg;
    p->rc = ndis_host_oid(p->h, "a0", NdisRequestSetInformation, OID_GEN_MAXIMUM_TOTAL_SIZE,
                          &p->v, sizeof(p->v), &p->st, &p->bytes);
    return NULL;
}

/* A pended request is waited for and completes with the miniport's status. */
TEST(pended_completes_later)
{
    ndis_host *h = stack(1, false);
    kit_mp.pend_oids = true;
    struct pended p = {.h = h, .v = 7, .rc = 1};
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, issue, &p), 0);
    for (int i = 0; i < 2000 && kit_log_count("MiniportOidRequest(a0,") == 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    T_EQ(kit_log_count("MiniportOidRequest(a0,"), 1);
    T_EQ(p.rc, 1); /* still waiting */
    kit_mp_complete_oid("a0", NDIS_STATUS_INVALID_DATA);
    T_EQ(pthread_join(t, NULL), 0);
    T_EQ(p.rc, 0);
    T_EQ(p.st, NDIS_STATUS_INVALID_DATA);
    kit_mp.pend_oids = false;
    kit_host_done(h);
}

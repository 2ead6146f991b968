/*
 * test_oids.c - virtmp's OID requests: each mandatory query with its size and
 * value, BytesNeeded on short buffers, 64-bit statistics in 8 and 4 bytes,
 * the sets (packet filter, multicast list, lookahead, link parameters,
 * interrupt moderation) and their validation, and requests from several
 * threads at once through sampleproto.
 *
 * Queries go through ndis_host_oid (NDIS's own request, no binding) or
 * through sampleproto's binding; either way NDIS answers what it answers for
 * every miniport and hands the rest to MiniportOidRequest.
 */
#include <pthread.h>
#include <string.h>

#include "samples_util.h"

static ndis_host *one_nic(void)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    return h;
}

struct query_case {
    uint32_t oid;
    const char *name;
    size_t size; /* of the answer */
};

#define Q(oid, size) {oid, #oid, size}

static const char vendor_description[] = "libndis virtmp virtual Ethernet segment adapter";

static const struct query_case mandatory[] = {
    Q(OID_GEN_MAXIMUM_TOTAL_SIZE, 4),
    Q(OID_GEN_TRANSMIT_BLOCK_SIZE, 4),
    Q(OID_GEN_RECEIVE_BLOCK_SIZE, 4),
    Q(OID_GEN_TRANSMIT_BUFFER_SPACE, 4),
    Q(OID_GEN_RECEIVE_BUFFER_SPACE, 4),
    Q(OID_GEN_VENDOR_ID, 4),
    Q(OID_GEN_VENDOR_DESCRIPTION, sizeof(vendor_description)),
    Q(OID_GEN_VENDOR_DRIVER_VERSION, 4),
    Q(OID_GEN_HARDWARE_STATUS, 4),
    Q(OID_GEN_PHYSICAL_MEDIUM, 4),
    Q(OID_GEN_INTERRUPT_MODERATION, NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1),
    Q(OID_GEN_STATISTICS, NDIS_SIZEOF_STATISTICS_INFO_REVISION_1),
    Q(OID_GEN_CURRENT_PACKET_FILTER, 4),
    Q(OID_GEN_CURRENT_LOOKAHEAD, 4),
    Q(OID_GEN_MAXIMUM_FRAME_SIZE, 4),
    Q(OID_802_3_PERMANENT_ADDRESS, 6),
    Q(OID_802_3_CURRENT_ADDRESS, 6),
    Q(OID_802_3_MAXIMUM_LIST_SIZE, 4),
};

static ULONG ul(const unsigned char *b)
{
    ULONG v;
    memcpy(&v, b, sizeof(v));
    return v;
}

TEST(mandatory_queries_have_their_size_and_need_it)
{
    ndis_host *h = one_nic();
    for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
        const struct query_case *q = &mandatory[i];
        unsigned char buf[512];
        size_t bytes = 0;
        int32_t st = sx_host_query(h, "virt0", q->oid, buf, sizeof(buf), &bytes);
        T_ASSERT_MSG(st == NDIS_STATUS_SUCCESS && bytes == q->size,
                     "%s: status 0x%08x, %zu bytes (expected %zu)", q->name, (unsigned)st, bytes,
                     q->size);
        st = sx_host_query(h, "virt0", q->oid, buf, q->size - 1, &bytes);
        T_ASSERT_MSG(st == NDIS_STATUS_BUFFER_TOO_SHORT && bytes == q->size,
                     "%s with %zu bytes: status 0x%08x, needed %zu (expected %zu)", q->name,
                     q->size - 1, (unsigned)st, bytes, q->size);
        st = sx_host_query(h, "virt0", q->oid, NULL, 0, &bytes);
        T_ASSERT_MSG(st == NDIS_STATUS_BUFFER_TOO_SHORT && bytes == q->size,
                     "%s with no buffer: status 0x%08x, needed %zu", q->name, (unsigned)st, bytes);
    }
    kit_host_done(h);
}

TEST(mandatory_queries_answer_the_right_values)
{
    ndis_host *h = one_nic();
    unsigned char b[512];
    size_t n;
    T_EQ(sx_host_query(h, "virt0", OID_GEN_MAXIMUM_TOTAL_SIZE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 1514);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_TRANSMIT_BLOCK_SIZE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 1514);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_RECEIVE_BLOCK_SIZE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 1514);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_TRANSMIT_BUFFER_SPACE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 1514 * 64);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_RECEIVE_BUFFER_SPACE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 1514 * 128); /* the default *ReceiveBuffers */
    T_EQ(sx_host_query(h, "virt0", OID_GEN_VENDOR_ID, b, 4, &n), NDIS_STATUS_SUCCESS);
    static const unsigned char vendor[4] = {0xff, 0xff, 0xff, 0x01};
    T_EQ(memcmp(b, vendor, 4), 0);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_VENDOR_DRIVER_VERSION, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 0x00010000);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_VENDOR_DESCRIPTION, b, sizeof(b), &n),
         NDIS_STATUS_SUCCESS);
    T_STREQ((const char *)b, vendor_description);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_HARDWARE_STATUS, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), NdisHardwareStatusReady);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_PHYSICAL_MEDIUM, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), NdisPhysicalMedium802_3);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_MEDIA_IN_USE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), NdisMedium802_3);
    T_EQ(sx_host_query(h, "virt0", OID_802_3_MAXIMUM_LIST_SIZE, b, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(ul(b), 32);
    T_EQ(sx_host_query(h, "virt0", OID_802_3_PERMANENT_ADDRESS, b, 6, &n), NDIS_STATUS_SUCCESS);
    static const unsigned char mac[6] = {0x02, 0, 0, 0, 0, 0x01};
    T_EQ(memcmp(b, mac, 6), 0);

    NDIS_INTERRUPT_MODERATION_PARAMETERS im;
    memset(&im, 0xcc, sizeof(im));
    T_EQ(sx_host_query(h, "virt0", OID_GEN_INTERRUPT_MODERATION, &im, sizeof(im), &n),
         NDIS_STATUS_SUCCESS);
    T_EQ(im.Header.Type, NDIS_OBJECT_TYPE_DEFAULT);
    T_EQ(im.Header.Revision, NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1);
    T_EQ(im.Header.Size, NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1);
    T_EQ(im.InterruptModeration, NdisInterruptModerationNotSupported);

    NDIS_STATISTICS_INFO si;
    T_EQ(sx_host_query(h, "virt0", OID_GEN_STATISTICS, &si, sizeof(si), &n), NDIS_STATUS_SUCCESS);
    T_EQ(si.Header.Type, NDIS_OBJECT_TYPE_DEFAULT);
    T_EQ(si.Header.Revision, NDIS_STATISTICS_INFO_REVISION_1);
    T_EQ(si.Header.Size, NDIS_SIZEOF_STATISTICS_INFO_REVISION_1);
    T_EQ(si.SupportedStatistics & NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT,
         NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT);
    T_EQ(si.ifHCInOctets + si.ifHCOutOctets + si.ifInDiscards, 0);
    kit_host_done(h);
}

TEST(supported_list_names_every_mandatory_oid)
{
    static const uint32_t required[] = {
        OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST,  OID_GEN_CURRENT_LOOKAHEAD,
        OID_802_3_PERMANENT_ADDRESS,   OID_802_3_CURRENT_ADDRESS, OID_802_3_MAXIMUM_LIST_SIZE,
        OID_GEN_STATISTICS,            OID_GEN_XMIT_OK,           OID_GEN_RCV_OK,
        OID_GEN_MAXIMUM_TOTAL_SIZE,    OID_GEN_TRANSMIT_BLOCK_SIZE, OID_GEN_RECEIVE_BLOCK_SIZE,
        OID_GEN_TRANSMIT_BUFFER_SPACE, OID_GEN_RECEIVE_BUFFER_SPACE, OID_GEN_VENDOR_DESCRIPTION,
        OID_GEN_VENDOR_ID,             OID_GEN_VENDOR_DRIVER_VERSION, OID_GEN_INTERRUPT_MODERATION,
        OID_GEN_LINK_PARAMETERS,
    };
    ndis_host *h = one_nic();
    uint32_t list[256];
    size_t n = 0;
    T_EQ(sx_host_query(h, "virt0", OID_GEN_SUPPORTED_LIST, list, sizeof(list), &n),
         NDIS_STATUS_SUCCESS);
    T_ASSERT(n % 4 == 0 && n > 0);
    for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
        bool found = false;
        for (size_t i = 0; i < n / 4; i++)
            found |= list[i] == required[r];
        T_ASSERT_MSG(found, "OID 0x%08x is not in OID_GEN_SUPPORTED_LIST", required[r]);
    }
    kit_host_done(h);
}

TEST(statistics_oids_answer_in_64_or_32_bits)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    T_EQ(sampleproto_send("virt0", sx_bcast, 0x1234, 100, 6), 6);
    T_EQ(sx_wait_frames("virt1", 0x1234, 6), 6);

    unsigned long long v64 = 0;
    ULONG v32 = 0;
    size_t n;
    T_EQ(sx_host_query(h, "virt0", OID_GEN_XMIT_OK, &v64, 8, &n), NDIS_STATUS_SUCCESS);
    T_EQ(n, 8);
    T_EQ(v64, 6);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_XMIT_OK, &v32, 4, &n), NDIS_STATUS_SUCCESS);
    T_EQ(n, 4);
    T_EQ(v32, 6);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_XMIT_OK, &v32, 2, &n), NDIS_STATUS_INVALID_LENGTH);
    T_EQ(n, 8);
    T_EQ(sx_host_query(h, "virt1", OID_GEN_RCV_OK, &v64, 8, &n), NDIS_STATUS_SUCCESS);
    T_EQ(v64, 6);

    /* Through a binding, BytesNeeded says the counter has 64 bits. */
    sampleproto_oid_result res;
    T_EQ(sampleproto_query("virt1", OID_GEN_RCV_OK, &v32, 4, &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(res.bytes_done, 4);
    T_EQ(res.bytes_needed, 8);
    T_EQ(v32, 6);
    T_EQ(sx_stat_oid("virt1", OID_GEN_BYTES_RCV), 600);
    T_EQ(sx_stat_oid("virt0", OID_GEN_BYTES_XMIT), 600);
    T_EQ(sx_stat_oid("virt0", OID_GEN_XMIT_ERROR), 0);
    T_EQ(sx_stat_oid("virt1", OID_GEN_RCV_ERROR), 0);
    T_EQ(sx_stat_oid("virt1", OID_GEN_RCV_CRC_ERROR), 0);
    T_EQ(sx_stat_oid("virt0", OID_GEN_TRANSMIT_QUEUE_LENGTH), 0);
    kit_host_done(h);
}

TEST(receive_filter_sets_are_validated)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_load_sampleproto(h);
    sampleproto_oid_result res;
    ULONG filter = NDIS_PACKET_TYPE_DIRECTED;

    T_EQ(sampleproto_set("virt0", OID_GEN_CURRENT_PACKET_FILTER, &filter, 2, &res), 0);
    T_EQ(res.status, NDIS_STATUS_INVALID_LENGTH);
    T_EQ(res.bytes_needed, 4);
    filter = NDIS_PACKET_TYPE_SMT; /* not an Ethernet filter */
    T_EQ(sampleproto_set("virt0", OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &res), 0);
    T_EQ(res.status, NDIS_STATUS_NOT_SUPPORTED);

    unsigned char list[33 * 6];
    for (int i = 0; i < 33; i++) {
        static const unsigned char base[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x00};
        memcpy(list + 6 * i, base, 6);
        list[6 * i + 5] = (unsigned char)i;
    }
    T_EQ(sampleproto_set("virt0", OID_802_3_MULTICAST_LIST, list, 7, &res), 0);
    T_EQ(res.status, NDIS_STATUS_INVALID_LENGTH);
    T_EQ(res.bytes_needed, 12);
    T_EQ(sampleproto_set("virt0", OID_802_3_MULTICAST_LIST, list, sizeof(list), &res), 0);
    T_EQ(res.status, NDIS_STATUS_MULTICAST_FULL);
    static const unsigned char unicast[6] = {0x02, 0, 0, 0, 0, 0x05};
    T_EQ(sampleproto_set("virt0", OID_802_3_MULTICAST_LIST, unicast, 6, &res), 0);
    T_NE(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(sampleproto_set("virt0", OID_802_3_MULTICAST_LIST, list, 32 * 6, &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    unsigned char back[32 * 6];
    T_EQ(sampleproto_query("virt0", OID_802_3_MULTICAST_LIST, back, sizeof(back), &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    T_EQ(res.bytes_done, 32 * 6);
    T_EQ(memcmp(back, list, 32 * 6), 0);

    ULONG lookahead = 128;
    T_EQ(sampleproto_set("virt0", OID_GEN_CURRENT_LOOKAHEAD, &lookahead, 4, &res), 0);
    T_EQ(res.status, NDIS_STATUS_SUCCESS);
    lookahead = 100000;
    T_EQ(sampleproto_set("virt0", OID_GEN_CURRENT_LOOKAHEAD, &lookahead, 4, &res), 0);
    T_EQ(res.status, NDIS_STATUS_INVALID_DATA);
    kit_host_done(h);
}

static NDIS_LINK_PARAMETERS link_parameters(ULONG64 speed)
{
    NDIS_LINK_PARAMETERS p;
    memset(&p, 0, sizeof(p));
    p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    p.Header.Revision = NDIS_LINK_PARAMETERS_REVISION_1;
    p.Header.Size = NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1;
    p.MediaDuplexState = MediaDuplexStateFull;
    p.XmitLinkSpeed = speed;
    p.RcvLinkSpeed = speed;
    p.PauseFunctions = NdisPauseFunctionsUnsupported;
    return p;
}

TEST(link_parameters_renegotiate_the_link)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_load_sampleproto(h);
    size_t n = 0;

    NDIS_LINK_PARAMETERS p = link_parameters(1000000000ull);
    T_EQ(sx_host_set(h, "virt0", OID_GEN_LINK_PARAMETERS, &p, sizeof(p), &n), NDIS_STATUS_SUCCESS);
    T_EQ(n, NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1);
    /* The new speed reached NDIS and the protocol (NDIS_STATUS_LINK_STATE). */
    T_EQ(sx_adapter_info(h, "virt0").link_speed, 1000000000ull);
    T_EQ(sx_stats("virt0").link_speed, 1000000000ull);

    T_EQ(sx_host_set(h, "virt0", OID_GEN_LINK_PARAMETERS, &p, 8, &n), NDIS_STATUS_INVALID_LENGTH);
    T_EQ(n, NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1);
    p.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    T_EQ(sx_host_set(h, "virt0", OID_GEN_LINK_PARAMETERS, &p, sizeof(p), &n),
         NDIS_STATUS_INVALID_PARAMETER);
    p = link_parameters(100000000000ull); /* faster than the NIC */
    T_EQ(sx_host_set(h, "virt0", OID_GEN_LINK_PARAMETERS, &p, sizeof(p), &n),
         NDIS_STATUS_INVALID_DATA);
    p = link_parameters(0); /* auto: back to full speed */
    T_EQ(sx_host_set(h, "virt0", OID_GEN_LINK_PARAMETERS, &p, sizeof(p), &n), NDIS_STATUS_SUCCESS);
    T_EQ(sx_stats("virt0").link_speed, 10000000000ull);
    /* Set-only. */
    T_EQ(sx_host_query(h, "virt0", OID_GEN_LINK_PARAMETERS, &p, sizeof(p), &n),
         NDIS_STATUS_NOT_SUPPORTED);
    kit_host_done(h);
}

TEST(interrupt_moderation_cannot_be_set_and_unknown_oids_fail)
{
    ndis_host *h = one_nic();
    NDIS_INTERRUPT_MODERATION_PARAMETERS im;
    size_t n = 0;
    memset(&im, 0, sizeof(im));
    im.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    im.Header.Revision = NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
    im.Header.Size = NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
    im.InterruptModeration = NdisInterruptModerationEnabled;
    T_EQ(sx_host_set(h, "virt0", OID_GEN_INTERRUPT_MODERATION, &im, sizeof(im), &n),
         NDIS_STATUS_INVALID_DATA);
    T_EQ(sx_host_set(h, "virt0", OID_GEN_INTERRUPT_MODERATION, &im, 4, &n),
         NDIS_STATUS_INVALID_LENGTH);
    T_EQ(n, NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1);
    ULONG v = 0;
    T_EQ(sx_host_set(h, "virt0", OID_GEN_VENDOR_ID, &v, 4, &n), NDIS_STATUS_NOT_SUPPORTED);
    T_EQ(sx_host_query(h, "virt0", OID_GEN_RNDIS_CONFIG_PARAMETER, &v, 4, &n),
         NDIS_STATUS_NOT_SUPPORTED);
    kit_host_done(h);
}

/* Several threads query at once on two bindings: NDIS serializes the requests to
   each miniport adapter; every one completes with a whole answer. (A request that
   pends is tested deterministically in test_proto.c.) */
static void *query_loop(void *arg)
{
    const char *adapter = arg;
    for (int i = 0; i < 100; i++) {
        NDIS_STATISTICS_INFO si;
        sampleproto_oid_result res;
        if (sampleproto_query(adapter, OID_GEN_STATISTICS, &si, sizeof(si), &res) != 0 ||
            res.status != NDIS_STATUS_SUCCESS || si.Header.Size != NDIS_SIZEOF_STATISTICS_INFO_REVISION_1)
            return (void *)1;
    }
    return NULL;
}

TEST(concurrent_oid_requests_all_complete)
{
    ndis_host *h = sx_host();
    sx_add(h, "virt0");
    sx_add(h, "virt1");
    sx_load_sampleproto(h);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        T_EQ(pthread_create(&t[i], NULL, query_loop, (void *)(i % 2 ? "virt1" : "virt0")), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(t[i], &r);
        T_ASSERT(r == NULL);
    }
    kit_host_done(h);
}

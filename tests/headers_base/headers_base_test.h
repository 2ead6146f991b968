/*
 * headers_base_test.h - values that the version-selection and debug
 * translation units (compiled with their own -D flags) report to the test.
 */
#ifndef HEADERS_BASE_TEST_H
#define HEADERS_BASE_TEST_H

#include <stddef.h>

struct hb_versions {
    int miniport_major, miniport_minor;   /* -1 when undefined */
    int miniport_min_major, miniport_min_minor;
    int protocol_major, protocol_minor;
    int filter_major, filter_minor;
    int support6, support61, support620, support630, support640, support650, support682;
    size_t oid_request_size;     /* sizeof(NDIS_OID_REQUEST) as that driver sees it */
    size_t offload_size;         /* sizeof(NDIS_OFFLOAD) */
    size_t pm_capabilities_size; /* sizeof(NDIS_PM_CAPABILITIES) */
};

void hb_versions_ndis630_miniport(struct hb_versions *out);
void hb_versions_ndis61_protocol(struct hb_versions *out);
void hb_versions_ndis60_miniport(struct hb_versions *out);

/* Evaluates ASSERT(cond) and KdPrint in a unit built with NDEBUG. */
int hb_assert_disabled(int cond);

#endif /* HEADERS_BASE_TEST_H */

/*
 * sampleproto.h - the sample protocol driver's own C interface, for programs
 * that link it in (target sampleproto_static): the demo and the tests.
 *
 * This is NOT part of NDIS. A Windows protocol driver would offer something
 * like it to applications through a device object and IOCTLs (as the WDK's
 * ndisprot sample does); a program that links the driver calls it directly.
 *
 * Every function runs at PASSIVE_LEVEL on the caller's thread and may block
 * until NDIS completes what it started (sends, OID requests). Adapters are
 * named as on the host (ndis_host_add_adapter). Functions return 0 or a
 * count on success and a negative errno value on failure: -ENODEV (driver
 * not loaded), -ENOENT (no binding to that adapter), -EAGAIN (the binding is
 * paused), -EINVAL, -EMSGSIZE, -ENOMEM. None may run concurrently with the
 * driver's unload.
 */
#ifndef SAMPLEPROTO_H
#define SAMPLEPROTO_H

#include <stdint.h>

#include <ntdef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct _DRIVER_OBJECT;

/*
 * The driver's entry point in sampleproto_static (DriverEntry, renamed so
 * that several drivers can live in one program). Pass it to
 * ndis_host_load_driver; the protocol registers as "sampleproto".
 */
NTSTATUS sampleproto_DriverEntry(struct _DRIVER_OBJECT *DriverObject,
                                 PUNICODE_STRING RegistryPath);

/*
 * Sends `count` Ethernet frames of `len` bytes (14-byte header included:
 * dst, the binding's own address, `ethertype`; then a counting byte pattern)
 * on the binding to `adapter`, and waits until NDIS completed them all.
 * Returns the number of frames that completed with NDIS_STATUS_SUCCESS.
 * `len` is 14 to the adapter's MTU + 14.
 */
int sampleproto_send(const char *adapter, const unsigned char dst[6], unsigned short ethertype,
                     unsigned len, unsigned count);

#define SAMPLEPROTO_MAX_ETHERTYPES 8

/* What the protocol saw on one binding, since it was bound. */
struct sampleproto_stats {
    char adapter[64];
    unsigned char mac[6];              /* the adapter's current address */
    unsigned mtu;
    int running;                       /* the binding is Running */
    int link_up;                       /* last link state NDIS indicated */
    unsigned long long link_speed;     /* bits per second, 0 if unknown */
    unsigned packet_filter;            /* what the protocol set at its last restart */
    int32_t packet_filter_status;      /* that request's NDIS_STATUS (NDIS_STATUS_PENDING
                                          while it has not completed) */
    unsigned long long sent;           /* frames handed to NdisSendNetBufferLists */
    unsigned long long send_completed; /* ... and given back by NDIS */
    unsigned long long send_failed;    /* ... with a status other than success */
    int32_t last_send_failure;         /* the NDIS_STATUS of the latest failed frame (0: none) */
    unsigned long long received;       /* frames indicated while Running or Pausing */
    unsigned long long received_bytes;
    unsigned long long dropped;        /* frames indicated while Paused, or unreadable */
    unsigned long long status_indications;
    unsigned long long link_changes;
    unsigned n_types;                  /* received frames by EtherType, first seen first */
    struct {
        unsigned short ethertype;
        unsigned long long frames;
    } by_type[SAMPLEPROTO_MAX_ETHERTYPES];
    unsigned long long other_types;    /* frames whose EtherType did not fit the table */
};

int sampleproto_stats(const char *adapter, struct sampleproto_stats *out);

/* Frames of one EtherType in a stats snapshot. */
static inline unsigned long long
sampleproto_frames_of_type(const struct sampleproto_stats *s, unsigned short ethertype)
{
    for (unsigned i = 0; i < s->n_types && i < SAMPLEPROTO_MAX_ETHERTYPES; i++)
        if (s->by_type[i].ethertype == ethertype)
            return s->by_type[i].frames;
    return 0;
}

/*
 * OID requests on the binding (NdisOidRequest), waited for. On return 0,
 * `res` holds the request's NDIS_STATUS, BytesWritten (query) or BytesRead
 * (set), and BytesNeeded; a query copies what was written into `buf`.
 */
typedef struct sampleproto_oid_result {
    int32_t status;
    unsigned bytes_done;
    unsigned bytes_needed;
} sampleproto_oid_result;

#define SAMPLEPROTO_MAX_OID_BUFFER 65536u

int sampleproto_query(const char *adapter, uint32_t oid, void *buf, unsigned len,
                      sampleproto_oid_result *res);
int sampleproto_set(const char *adapter, uint32_t oid, const void *buf, unsigned len,
                    sampleproto_oid_result *res);

#ifdef __cplusplus
}
#endif

#endif /* SAMPLEPROTO_H */

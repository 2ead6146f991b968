/*
 * oidnames.h - names and payload formats of the common OIDs (OID_GEN_*,
 * OID_802_3_*), NDIS_STATUS names and NDIS_MEDIUM names, for ndisd's "oid"
 * command and ndisctl's output.
 */
#ifndef NDISD_OIDNAMES_H
#define NDISD_OIDNAMES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum oid_fmt {
    OIDF_RAW,          /* bytes, shown as hex */
    OIDF_ULONG,        /* 32-bit number */
    OIDF_COUNTER,      /* 32- or 64-bit counter (the length decides) */
    OIDF_HEX,          /* 32-bit flags, shown in hex */
    OIDF_PACKET_FILTER,/* NDIS_PACKET_TYPE_* flags */
    OIDF_SPEED100,     /* 32-bit link speed in units of 100 bit/s */
    OIDF_SPEED,        /* 64-bit link speed in bit/s */
    OIDF_MAC,          /* 6-byte address */
    OIDF_MAC_LIST,     /* n * 6 bytes */
    OIDF_STRING,       /* ASCII text (NUL-terminated or not) */
    OIDF_OID_LIST,     /* NDIS_OID array */
    OIDF_MEDIUM,       /* NDIS_MEDIUM (one or an array) */
    OIDF_PHYS_MEDIUM,  /* NDIS_PHYSICAL_MEDIUM */
    OIDF_CONNECT,      /* NDIS_MEDIA_STATE: 0 connected, 1 disconnected */
    OIDF_VERSION16,    /* USHORT major << 8 | minor */
    OIDF_LINK_STATE,   /* NDIS_LINK_STATE */
    OIDF_STATISTICS,   /* NDIS_STATISTICS_INFO */
};

struct oid_desc {
    const char *name;  /* "OID_GEN_LINK_SPEED" */
    uint32_t oid;
    enum oid_fmt fmt;
    size_t query_len;  /* buffer to offer for a query */
};

/* Every known OID, in table order; *n receives the count. */
const struct oid_desc *oid_table(size_t *n);
const struct oid_desc *oid_by_name(const char *name); /* case-insensitive; "OID_" optional */
const struct oid_desc *oid_by_value(uint32_t oid);
/* "OID_GEN_LINK_SPEED", "gen_link_speed" or "0x00010107". 0 or -EINVAL. */
int oid_parse(const char *text, uint32_t *oid);
const char *oid_fmt_name(enum oid_fmt fmt);

/*
 * Decodes a payload: a JSON value (number, string, array or object by format)
 * and, in *text (malloc'ed, may be NULL), a one-line human form when it says
 * more than the value ("1 Gbit/s", "DIRECTED|BROADCAST").
 */
json_t *oid_decode(const struct oid_desc *d, const void *buf, size_t len, char **text);

/*
 * Encodes the text of a set for format d->fmt (NULL d: raw hex). Numbers take
 * decimal or 0x hex; MACs "02:00:4c:4f:4f:50" or with '-'; MAC lists are
 * comma-separated (empty: none); packet filters also take names joined with
 * '|' or ','; raw and any format also take "hex:0a0b..". Returns the length,
 * or -1 with the reason in err.
 */
long oid_encode(const struct oid_desc *d, const char *text, unsigned char *buf, size_t cap,
                char *err, size_t errlen);

/* Lower-case hex of a byte string (malloc'ed). */
char *oid_hex(const void *buf, size_t len);

/* "NDIS_STATUS_NOT_SUPPORTED", or NULL for an unknown status. */
const char *ndis_status_name(int32_t status);
/* "802.3", "native802.11" ... or NULL. */
const char *ndis_medium_name(unsigned medium);
/* "02:4b:49:54:00:01" into buf (18 bytes). */
void format_mac(const unsigned char mac[6], char buf[18]);
/* Parses "02:4b:49:54:00:01" or "02-4B-49-54-00-01". 0 or -EINVAL. */
int parse_mac(const char *s, unsigned char mac[6]);

#endif /* NDISD_OIDNAMES_H */

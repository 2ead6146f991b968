/* oidnames.c - the OID table, payload decoding and encoding, status and medium names. */
#include "oidnames.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ndis/status.h>
#include <ntddndis.h>

#define O(name, fmt, len) {#name, name, fmt, len}
#define UL 4
#define C64 8

static const struct oid_desc table[] = {
    O(OID_GEN_SUPPORTED_LIST, OIDF_OID_LIST, 4096),
    O(OID_GEN_HARDWARE_STATUS, OIDF_ULONG, UL),
    O(OID_GEN_MEDIA_SUPPORTED, OIDF_MEDIUM, 64),
    O(OID_GEN_MEDIA_IN_USE, OIDF_MEDIUM, 64),
    O(OID_GEN_MAXIMUM_LOOKAHEAD, OIDF_ULONG, UL),
    O(OID_GEN_MAXIMUM_FRAME_SIZE, OIDF_ULONG, UL),
    O(OID_GEN_LINK_SPEED, OIDF_SPEED100, UL),
    O(OID_GEN_TRANSMIT_BUFFER_SPACE, OIDF_ULONG, UL),
    O(OID_GEN_RECEIVE_BUFFER_SPACE, OIDF_ULONG, UL),
    O(OID_GEN_TRANSMIT_BLOCK_SIZE, OIDF_ULONG, UL),
    O(OID_GEN_RECEIVE_BLOCK_SIZE, OIDF_ULONG, UL),
    O(OID_GEN_VENDOR_ID, OIDF_HEX, UL),
    O(OID_GEN_VENDOR_DESCRIPTION, OIDF_STRING, 256),
    O(OID_GEN_CURRENT_PACKET_FILTER, OIDF_PACKET_FILTER, UL),
    O(OID_GEN_CURRENT_LOOKAHEAD, OIDF_ULONG, UL),
    O(OID_GEN_DRIVER_VERSION, OIDF_VERSION16, 2),
    O(OID_GEN_MAXIMUM_TOTAL_SIZE, OIDF_ULONG, UL),
    O(OID_GEN_MAC_OPTIONS, OIDF_HEX, UL),
    O(OID_GEN_MEDIA_CONNECT_STATUS, OIDF_CONNECT, UL),
    O(OID_GEN_MAXIMUM_SEND_PACKETS, OIDF_ULONG, UL),
    O(OID_GEN_VENDOR_DRIVER_VERSION, OIDF_HEX, UL),
    O(OID_GEN_PHYSICAL_MEDIUM, OIDF_PHYS_MEDIUM, UL),
    O(OID_GEN_PHYSICAL_MEDIUM_EX, OIDF_PHYS_MEDIUM, UL),
    O(OID_GEN_MAC_ADDRESS, OIDF_MAC, 6),
    O(OID_GEN_MAX_LINK_SPEED, OIDF_RAW, 64),
    O(OID_GEN_LINK_STATE, OIDF_LINK_STATE, sizeof(NDIS_LINK_STATE)),
    O(OID_GEN_LINK_PARAMETERS, OIDF_RAW, 64),
    O(OID_GEN_INTERRUPT_MODERATION, OIDF_RAW, 64),
    O(OID_GEN_XMIT_LINK_SPEED, OIDF_SPEED, C64),
    O(OID_GEN_RCV_LINK_SPEED, OIDF_SPEED, C64),
    O(OID_GEN_MEDIA_CONNECT_STATUS_EX, OIDF_ULONG, UL),
    O(OID_GEN_MEDIA_DUPLEX_STATE, OIDF_ULONG, UL),
    O(OID_GEN_LINK_SPEED_EX, OIDF_RAW, 64),
    O(OID_GEN_VLAN_ID, OIDF_ULONG, UL),
    O(OID_GEN_PROMISCUOUS_MODE, OIDF_ULONG, UL),
    O(OID_GEN_LAST_CHANGE, OIDF_COUNTER, C64),
    O(OID_GEN_DISCONTINUITY_TIME, OIDF_COUNTER, C64),
    O(OID_GEN_OPERATIONAL_STATUS, OIDF_RAW, 64),
    O(OID_GEN_ADMIN_STATUS, OIDF_ULONG, UL),
    O(OID_GEN_UNKNOWN_PROTOS, OIDF_COUNTER, C64),
    O(OID_GEN_INTERFACE_INFO, OIDF_RAW, 1024),
    O(OID_GEN_XMIT_OK, OIDF_COUNTER, C64),
    O(OID_GEN_RCV_OK, OIDF_COUNTER, C64),
    O(OID_GEN_XMIT_ERROR, OIDF_COUNTER, C64),
    O(OID_GEN_RCV_ERROR, OIDF_COUNTER, C64),
    O(OID_GEN_RCV_NO_BUFFER, OIDF_COUNTER, C64),
    O(OID_GEN_STATISTICS, OIDF_STATISTICS, sizeof(NDIS_STATISTICS_INFO)),
    O(OID_GEN_DIRECTED_BYTES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_DIRECTED_FRAMES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_MULTICAST_BYTES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_MULTICAST_FRAMES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_BROADCAST_BYTES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_BROADCAST_FRAMES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_DIRECTED_BYTES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_DIRECTED_FRAMES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_MULTICAST_BYTES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_MULTICAST_FRAMES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_BROADCAST_BYTES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_BROADCAST_FRAMES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_RCV_CRC_ERROR, OIDF_COUNTER, C64),
    O(OID_GEN_TRANSMIT_QUEUE_LENGTH, OIDF_ULONG, UL),
    O(OID_GEN_BYTES_RCV, OIDF_COUNTER, C64),
    O(OID_GEN_BYTES_XMIT, OIDF_COUNTER, C64),
    O(OID_GEN_RCV_DISCARDS, OIDF_COUNTER, C64),
    O(OID_GEN_XMIT_DISCARDS, OIDF_COUNTER, C64),
    O(OID_GEN_FRIENDLY_NAME, OIDF_RAW, 512),
    O(OID_802_3_PERMANENT_ADDRESS, OIDF_MAC, 6),
    O(OID_802_3_CURRENT_ADDRESS, OIDF_MAC, 6),
    O(OID_802_3_MULTICAST_LIST, OIDF_MAC_LIST, 6 * 64),
    O(OID_802_3_MAXIMUM_LIST_SIZE, OIDF_ULONG, UL),
    O(OID_802_3_MAC_OPTIONS, OIDF_HEX, UL),
    O(OID_802_3_ADD_MULTICAST_ADDRESS, OIDF_MAC, 6),
    O(OID_802_3_DELETE_MULTICAST_ADDRESS, OIDF_MAC, 6),
    O(OID_802_3_RCV_ERROR_ALIGNMENT, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_ONE_COLLISION, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_MORE_COLLISIONS, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_DEFERRED, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_MAX_COLLISIONS, OIDF_COUNTER, C64),
    O(OID_802_3_RCV_OVERRUN, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_UNDERRUN, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_HEARTBEAT_FAILURE, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_TIMES_CRS_LOST, OIDF_COUNTER, C64),
    O(OID_802_3_XMIT_LATE_COLLISIONS, OIDF_COUNTER, C64),
};

const struct oid_desc *oid_table(size_t *n)
{
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}

const struct oid_desc *oid_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcasecmp(table[i].name, name) == 0 || strcasecmp(table[i].name + 4, name) == 0)
            return &table[i];
    }
    return NULL;
}

const struct oid_desc *oid_by_value(uint32_t oid)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].oid == oid)
            return &table[i];
    return NULL;
}

int oid_parse(const char *text, uint32_t *oid)
{
    const struct oid_desc *d = oid_by_name(text);
    if (d) {
        *oid = d->oid;
        return 0;
    }
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && text[2]) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text + 2, &end, 16);
        if (!*end && !errno && v <= 0xffffffffull) {
            *oid = (uint32_t)v;
            return 0;
        }
    }
    return -EINVAL;
}

const char *oid_fmt_name(enum oid_fmt fmt)
{
    static const char *const names[] = {
        [OIDF_RAW] = "raw",           [OIDF_ULONG] = "ulong",
        [OIDF_COUNTER] = "counter",   [OIDF_HEX] = "flags",
        [OIDF_PACKET_FILTER] = "packet-filter", [OIDF_SPEED100] = "speed-100bps",
        [OIDF_SPEED] = "speed-bps",   [OIDF_MAC] = "mac",
        [OIDF_MAC_LIST] = "mac-list", [OIDF_STRING] = "string",
        [OIDF_OID_LIST] = "oid-list", [OIDF_MEDIUM] = "medium",
        [OIDF_PHYS_MEDIUM] = "physical-medium", [OIDF_CONNECT] = "media-connect",
        [OIDF_VERSION16] = "version", [OIDF_LINK_STATE] = "link-state",
        [OIDF_STATISTICS] = "statistics",
    };
    return (unsigned)fmt < sizeof(names) / sizeof(names[0]) ? names[fmt] : "raw";
}

/* ---- names ---------------------------------------------------------------- */

const char *ndis_status_name(int32_t status)
{
#define S(x)                                                                                      \
    case (int32_t)x:                                                                              \
        return #x
    switch (status) {
        S(NDIS_STATUS_SUCCESS);
        S(NDIS_STATUS_PENDING);
        S(NDIS_STATUS_NOT_RECOGNIZED);
        S(NDIS_STATUS_NOT_COPIED);
        S(NDIS_STATUS_NOT_ACCEPTED);
        S(NDIS_STATUS_BUSY);
        S(NDIS_STATUS_FAILURE);
        S(NDIS_STATUS_INVALID_PARAMETER);
        S(NDIS_STATUS_INVALID_DEVICE_REQUEST);
        S(NDIS_STATUS_RESOURCES);
        S(NDIS_STATUS_NOT_SUPPORTED);
        S(NDIS_STATUS_INVALID_STATE);
        S(NDIS_STATUS_CLOSING);
        S(NDIS_STATUS_OPEN_FAILED);
        S(NDIS_STATUS_DEVICE_FAILED);
        S(NDIS_STATUS_MULTICAST_FULL);
        S(NDIS_STATUS_REQUEST_ABORTED);
        S(NDIS_STATUS_RESET_IN_PROGRESS);
        S(NDIS_STATUS_ADAPTER_NOT_READY);
        S(NDIS_STATUS_INVALID_LENGTH);
        S(NDIS_STATUS_INVALID_DATA);
        S(NDIS_STATUS_BUFFER_TOO_SHORT);
        S(NDIS_STATUS_INVALID_OID);
        S(NDIS_STATUS_ADAPTER_REMOVED);
        S(NDIS_STATUS_FILE_NOT_FOUND);
        S(NDIS_STATUS_MEDIA_DISCONNECTED);
        S(NDIS_STATUS_PAUSED);
        S(NDIS_STATUS_LOW_POWER_STATE);
    default:
        return NULL;
    }
#undef S
}

const char *ndis_medium_name(unsigned medium)
{
    static const char *const names[] = {
        "802.3",     "802.5",  "fddi",      "wan",      "localtalk", "dix",
        "arcnetraw", "arcnet", "atm",       "wirelesswan", "irda",   "bpc",
        "cowan",     "1394",   "infiniband", "tunnel",  "native802.11", "loopback",
        "wimax",     "ip",
    };
    return medium < sizeof(names) / sizeof(names[0]) ? names[medium] : NULL;
}

void format_mac(const unsigned char mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int parse_mac(const char *s, unsigned char mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hexval((unsigned char)s[0]), lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        mac[i] = (unsigned char)(hi << 4 | lo);
        s += 2;
        if (i < 5) {
            if (*s != ':' && *s != '-')
                return -EINVAL;
            s++;
        }
    }
    return *s ? -EINVAL : 0;
}

char *oid_hex(const void *buf, size_t len)
{
    char *s = malloc(2 * len + 1);
    if (!s)
        return NULL;
    const unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    s[2 * len] = 0;
    return s;
}

/* ---- decoding ------------------------------------------------------------- */

static const struct {
    uint32_t bit;
    const char *name;
} packet_types[] = {
    {NDIS_PACKET_TYPE_DIRECTED, "DIRECTED"},       {NDIS_PACKET_TYPE_MULTICAST, "MULTICAST"},
    {NDIS_PACKET_TYPE_ALL_MULTICAST, "ALL_MULTICAST"}, {NDIS_PACKET_TYPE_BROADCAST, "BROADCAST"},
    {NDIS_PACKET_TYPE_SOURCE_ROUTING, "SOURCE_ROUTING"},
    {NDIS_PACKET_TYPE_PROMISCUOUS, "PROMISCUOUS"}, {NDIS_PACKET_TYPE_SMT, "SMT"},
    {NDIS_PACKET_TYPE_ALL_LOCAL, "ALL_LOCAL"},     {NDIS_PACKET_TYPE_GROUP, "GROUP"},
    {NDIS_PACKET_TYPE_ALL_FUNCTIONAL, "ALL_FUNCTIONAL"},
    {NDIS_PACKET_TYPE_FUNCTIONAL, "FUNCTIONAL"},   {NDIS_PACKET_TYPE_MAC_FRAME, "MAC_FRAME"},
    {NDIS_PACKET_TYPE_NO_LOCAL, "NO_LOCAL"},
};

static char *speed_text(unsigned long long bps)
{
    char *s = NULL;
    if (bps == 0 || bps == ~0ull)
        return strdup("unknown");
    if (bps % 1000000000ull == 0)
        asprintf(&s, "%llu Gbit/s", bps / 1000000000ull);
    else if (bps % 1000000ull == 0)
        asprintf(&s, "%llu Mbit/s", bps / 1000000ull);
    else
        asprintf(&s, "%llu bit/s", bps);
    return s;
}

static uint32_t get32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static json_t *mac_json(const unsigned char *p)
{
    char m[18];
    format_mac(p, m);
    return json_string(m);
}

static json_t *decode_link_state(const NDIS_LINK_STATE *ls, char **text)
{
    const char *conn = ls->MediaConnectState == MediaConnectStateConnected      ? "connected"
                       : ls->MediaConnectState == MediaConnectStateDisconnected ? "disconnected"
                                                                                 : "unknown";
    const char *dup = ls->MediaDuplexState == MediaDuplexStateFull   ? "full"
                      : ls->MediaDuplexState == MediaDuplexStateHalf ? "half"
                                                                     : "unknown";
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:i, s:i}", "media_connect_state", conn,
                          "media_duplex_state", dup, "xmit_link_speed",
                          (json_int_t)ls->XmitLinkSpeed, "rcv_link_speed",
                          (json_int_t)ls->RcvLinkSpeed, "pause_functions",
                          (int)ls->PauseFunctions, "auto_negotiation_flags",
                          (int)ls->AutoNegotiationFlags);
    char *sp = speed_text(ls->XmitLinkSpeed);
    if (asprintf(text, "%s, %s duplex, %s", conn, dup, sp ? sp : "?") < 0)
        *text = NULL;
    free(sp);
    return o;
}

static json_t *decode_statistics(const unsigned char *p, size_t len)
{
    NDIS_STATISTICS_INFO si;
    memset(&si, 0, sizeof(si));
    memcpy(&si, p, len < sizeof(si) ? len : sizeof(si));
    json_t *o = json_object();
    json_object_set_new(o, "supported_statistics", json_integer(si.SupportedStatistics));
#define F(field) json_object_set_new(o, #field, json_integer((json_int_t)si.field))
    F(ifInDiscards);
    F(ifInErrors);
    F(ifHCInOctets);
    F(ifHCInUcastPkts);
    F(ifHCInMulticastPkts);
    F(ifHCInBroadcastPkts);
    F(ifHCOutOctets);
    F(ifHCOutUcastPkts);
    F(ifHCOutMulticastPkts);
    F(ifHCOutBroadcastPkts);
    F(ifOutErrors);
    F(ifOutDiscards);
    F(ifHCInUcastOctets);
    F(ifHCInMulticastOctets);
    F(ifHCInBroadcastOctets);
    F(ifHCOutUcastOctets);
    F(ifHCOutMulticastOctets);
    F(ifHCOutBroadcastOctets);
#undef F
    return o;
}

json_t *oid_decode(const struct oid_desc *d, const void *buf, size_t len, char **text)
{
    const unsigned char *p = buf;
    *text = NULL;
    enum oid_fmt fmt = d ? d->fmt : OIDF_RAW;
    switch (fmt) {
    case OIDF_ULONG:
        if (len == 4)
            return json_integer(get32(p));
        break;
    case OIDF_COUNTER:
        if (len == 4)
            return json_integer(get32(p));
        if (len == 8)
            return json_integer((json_int_t)get64(p));
        break;
    case OIDF_HEX:
        if (len == 4) {
            asprintf(text, "0x%08x", get32(p));
            return json_integer(get32(p));
        }
        break;
    case OIDF_PACKET_FILTER:
        if (len == 4) {
            uint32_t v = get32(p);
            char s[256] = "";
            for (size_t i = 0; i < sizeof(packet_types) / sizeof(packet_types[0]); i++)
                if (v & packet_types[i].bit) {
                    strcat(s, *s ? "|" : "");
                    strcat(s, packet_types[i].name);
                }
            *text = strdup(*s ? s : "none");
            return json_integer(v);
        }
        break;
    case OIDF_SPEED100:
        if (len == 4) {
            *text = speed_text((unsigned long long)get32(p) * 100ull);
            return json_integer(get32(p));
        }
        break;
    case OIDF_SPEED:
        if (len == 8) {
            *text = speed_text(get64(p));
            return json_integer((json_int_t)get64(p));
        }
        break;
    case OIDF_MAC:
        if (len == 6)
            return mac_json(p);
        break;
    case OIDF_MAC_LIST:
        if (len % 6 == 0) {
            json_t *a = json_array();
            for (size_t i = 0; i < len; i += 6)
                json_array_append_new(a, mac_json(p + i));
            return a;
        }
        break;
    case OIDF_STRING: {
        size_t n = strnlen((const char *)p, len);
        bool printable = true;
        for (size_t i = 0; i < n; i++)
            printable &= p[i] >= 0x20 && p[i] < 0x7f;
        if (printable)
            return json_stringn((const char *)p, n);
        break;
    }
    case OIDF_OID_LIST:
        if (len % 4 == 0) {
            json_t *a = json_array();
            for (size_t i = 0; i < len; i += 4) {
                const struct oid_desc *x = oid_by_value(get32(p + i));
                char hex[16];
                snprintf(hex, sizeof(hex), "0x%08x", get32(p + i));
                json_array_append_new(a, json_string(x ? x->name : hex));
            }
            return a;
        }
        break;
    case OIDF_MEDIUM:
        if (len && len % 4 == 0) {
            json_t *a = json_array();
            for (size_t i = 0; i < len; i += 4) {
                const char *m = ndis_medium_name(get32(p + i));
                json_array_append_new(a, m ? json_string(m) : json_integer(get32(p + i)));
            }
            if (json_array_size(a) == 1) {
                json_t *one = json_incref(json_array_get(a, 0));
                json_decref(a);
                return one;
            }
            return a;
        }
        break;
    case OIDF_PHYS_MEDIUM:
    case OIDF_CONNECT:
        if (len == 4) {
            uint32_t v = get32(p);
            if (fmt == OIDF_CONNECT)
                *text = strdup(v == 0 ? "connected" : v == 1 ? "disconnected" : "unknown");
            else if (v == NdisPhysicalMedium802_3)
                *text = strdup("802.3");
            else if (v == NdisPhysicalMediumUnspecified)
                *text = strdup("unspecified");
            return json_integer(v);
        }
        break;
    case OIDF_VERSION16:
        if (len == 2 || len == 4) {
            unsigned v = (unsigned)p[0] | (unsigned)p[1] << 8;
            asprintf(text, "%u.%u", v >> 8, v & 0xff);
            return json_integer(v);
        }
        break;
    case OIDF_LINK_STATE:
        if (len >= sizeof(NDIS_LINK_STATE)) {
            NDIS_LINK_STATE ls;
            memcpy(&ls, p, sizeof(ls));
            return decode_link_state(&ls, text);
        }
        break;
    case OIDF_STATISTICS:
        if (len >= offsetof(NDIS_STATISTICS_INFO, ifHCInUcastOctets))
            return decode_statistics(p, len);
        break;
    case OIDF_RAW:
        break;
    }
    char *h = oid_hex(p, len);
    json_t *j = json_string(h ? h : "");
    free(h);
    return j;
}

/* ---- encoding ------------------------------------------------------------- */

static int parse_u64(const char *s, unsigned long long *v)
{
    char *end;
    if (!*s || *s == '-')
        return -EINVAL;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return (*end || errno) ? -EINVAL : 0;
}

static long encode_hex(const char *s, unsigned char *buf, size_t cap, char *err, size_t errlen)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ' || *s == ':' || *s == '-') {
            s++;
            continue;
        }
        int hi = hexval((unsigned char)s[0]), lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
        if (hi < 0 || lo < 0) {
            snprintf(err, errlen, "not hex bytes: '%s'", s);
            return -1;
        }
        if (n == cap) {
            snprintf(err, errlen, "more than %zu bytes", cap);
            return -1;
        }
        buf[n++] = (unsigned char)(hi << 4 | lo);
        s += 2;
    }
    return (long)n;
}

static long encode_packet_filter(const char *s, unsigned char *buf, char *err, size_t errlen)
{
    unsigned long long v;
    uint32_t f = 0;
    if (parse_u64(s, &v) == 0) {
        if (v > 0xffffffffull)
            goto bad;
        f = (uint32_t)v;
    } else {
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s", s);
        for (char *save = NULL, *t = strtok_r(tmp, "|,+ ", &save); t;
             t = strtok_r(NULL, "|,+ ", &save)) {
            const char *name = strncasecmp(t, "NDIS_PACKET_TYPE_", 17) == 0 ? t + 17 : t;
            size_t i;
            for (i = 0; i < sizeof(packet_types) / sizeof(packet_types[0]); i++)
                if (strcasecmp(packet_types[i].name, name) == 0)
                    break;
            if (i == sizeof(packet_types) / sizeof(packet_types[0]))
                goto bad;
            f |= packet_types[i].bit;
        }
    }
    memcpy(buf, &f, 4);
    return 4;
bad:
    snprintf(err, errlen, "'%s' is not a packet filter (a number, or names such as "
                          "DIRECTED|BROADCAST)", s);
    return -1;
}

long oid_encode(const struct oid_desc *d, const char *text, unsigned char *buf, size_t cap,
                char *err, size_t errlen)
{
    if (strncasecmp(text, "hex:", 4) == 0)
        return encode_hex(text + 4, buf, cap, err, errlen);
    enum oid_fmt fmt = d ? d->fmt : OIDF_RAW;
    unsigned long long v;
    switch (fmt) {
    case OIDF_ULONG:
    case OIDF_HEX:
    case OIDF_SPEED100:
    case OIDF_CONNECT:
    case OIDF_PHYS_MEDIUM:
    case OIDF_MEDIUM:
        if (parse_u64(text, &v) || v > 0xffffffffull) {
            snprintf(err, errlen, "'%s' is not a 32-bit number", text);
            return -1;
        }
        uint32_t v32 = (uint32_t)v;
        memcpy(buf, &v32, 4);
        return 4;
    case OIDF_COUNTER:
    case OIDF_SPEED:
        if (parse_u64(text, &v)) {
            snprintf(err, errlen, "'%s' is not a number", text);
            return -1;
        }
        memcpy(buf, &v, 8);
        return 8;
    case OIDF_PACKET_FILTER:
        return encode_packet_filter(text, buf, err, errlen);
    case OIDF_MAC:
        if (parse_mac(text, buf)) {
            snprintf(err, errlen, "'%s' is not a MAC address (02:00:4c:4f:4f:50)", text);
            return -1;
        }
        return 6;
    case OIDF_MAC_LIST: {
        size_t n = 0;
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s", text);
        for (char *save = NULL, *t = strtok_r(tmp, ", ", &save); t;
             t = strtok_r(NULL, ", ", &save)) {
            if (n + 6 > cap || parse_mac(t, buf + n)) {
                snprintf(err, errlen, "'%s' is not a MAC address", t);
                return -1;
            }
            n += 6;
        }
        return (long)n;
    }
    case OIDF_STRING: {
        size_t n = strlen(text);
        if (n + 1 > cap) {
            snprintf(err, errlen, "string too long");
            return -1;
        }
        memcpy(buf, text, n + 1);
        return (long)(n + 1);
    }
    case OIDF_VERSION16: {
        unsigned maj, min;
        if (sscanf(text, "%u.%u", &maj, &min) != 2 || maj > 255 || min > 255) {
            snprintf(err, errlen, "'%s' is not a version (6.30)", text);
            return -1;
        }
        uint16_t w = (uint16_t)(maj << 8 | min);
        memcpy(buf, &w, 2);
        return 2;
    }
    default: {
        long n = encode_hex(text, buf, cap, err, errlen);
        if (n < 0 && !d)
            snprintf(err, errlen,
                     "'%s': the OID's format is not known, so its value is raw bytes "
                     "(hex:03000000 is the ULONG 3)",
                     text);
        return n;
    }
    }
}

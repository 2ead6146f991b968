/*
 * fuzz_responder.c - libFuzzer target for the responder's frame logic
 * (drivers/responder/rsp_frame.c). The input is one Ethernet frame handed
 * to rsp_frame_handle() for a fixed address, with a reply buffer exactly as
 * large as the frame, so AddressSanitizer catches any read past the frame or
 * write past the answer. An answer must itself be well formed: handed back to
 * the logic as the requester would see it, it parses down to the point where
 * it is recognised as an answer (an ARP reply, an echo reply) and not dropped
 * for a length or checksum.
 *
 * The parser is a driver source, not a libndis one: fuzz/responder/sources.cmake
 * compiles it into the target.
 */
#include "rsp_frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct rsp_self self = {
    .mac = {0x02, 0x00, 0x4e, 0x44, 0x49, 0x53},
    .ip = {10, 200, 0, 2},
};

static void check_answer(enum rsp_verdict v, const uint8_t *reply, size_t reply_len)
{
    struct rsp_self peer;
    uint8_t back[RSP_ETH_MAX_FRAME];
    size_t back_len;
    memcpy(peer.mac, reply, 6);
    if (v == RSP_REPLY_ARP)
        memcpy(peer.ip, reply + RSP_ETH_HLEN + 24, 4);
    else
        memcpy(peer.ip, reply + RSP_ETH_HLEN + 16, 4);
    enum rsp_verdict w = rsp_frame_handle(&peer, reply, reply_len, back, sizeof(back), &back_len);
    if (w != (v == RSP_REPLY_ARP ? RSP_DROP_ARP_OPERATION : RSP_DROP_ICMP_TYPE))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *reply = malloc(size ? size : 1);
    size_t reply_len = 12345;
    if (!reply)
        return 0;
    enum rsp_verdict v = rsp_frame_handle(&self, data, size, reply, size, &reply_len);
    if ((unsigned)v >= RSP_VERDICT_COUNT || rsp_verdict_name(v)[0] == '?')
        __builtin_trap();
    if (v == RSP_REPLY_ARP || v == RSP_REPLY_ECHO) {
        if (reply_len > size || reply_len < RSP_ETH_HLEN + 28)
            __builtin_trap();
        check_answer(v, reply, reply_len);
    } else if (reply_len != 0) {
        __builtin_trap();
    }
    free(reply);
    return 0;
}

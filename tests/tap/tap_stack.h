/*
 * tap_stack.h - an NDIS instance carrying real traffic for the TAP tests: in a
 * namespace of its own, the TAP miniport (adapter "tap0" on interface
 * "ndtap0", MAC TAP_STACK_MAC), the pass-through filter (passfilter) and the
 * responder answering for 10.200.0.2 on that binding;
 * the Linux side of the interface is 10.200.0.1/24.
 */
#ifndef NDIS_TAP_STACK_H
#define NDIS_TAP_STACK_H

#include <stdbool.h>

#include "kit.h"
#include "netns.h"
#include "passfilter.h"
#include "responder.h"

#define TAP_STACK_ADAPTER "tap0"
#define TAP_STACK_IFNAME "ndtap0"
#define TAP_STACK_LINUX_IP "10.200.0.1"
#define TAP_STACK_NDIS_IP "10.200.0.2"
#define TAP_STACK_MAC_TEXT "02:00:4e:44:49:53"
#define TAP_STACK_MAC_UPPER "02:00:4E:44:49:53"
extern const unsigned char tap_stack_mac[6];

struct tap_stack {
    struct netns ns;
    ndis_host *h;
};

/* Namespace, instance, drivers, adapter, addresses; waits for NDIS to see the link up. */
void tap_stack_up(struct tap_stack *s, const char *tag);
/* Destroys the instance (asserting nothing leaked and no verifier report), leaves the namespace. */
void tap_stack_down(struct tap_stack *s);

/* A shell command in the namespace that must succeed; its output in out (may be NULL). */
void tap_sh(struct tap_stack *s, char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Waits (bounded) until fn(s) is true; fails the case naming `what` otherwise. */
void tap_wait(struct tap_stack *s, bool (*fn)(struct tap_stack *), const char *what);

/* The adapter as NDIS lists it; false if it does not exist. */
bool tap_adapter_info(struct tap_stack *s, ndis_adapter_info *out);
/* OID_GEN_STATISTICS of the adapter through ndis_host_oid. */
NDIS_STATISTICS_INFO tap_statistics(struct tap_stack *s);
/* A query through ndis_host_oid that must succeed; returns the bytes written. */
size_t tap_query(struct tap_stack *s, uint32_t oid, void *buf, size_t len);

/* "N packets transmitted, M received" of ping's output; -1 if absent. */
int ping_received(const char *out, int *transmitted);

#endif /* NDIS_TAP_STACK_H */

/*
 * netns.h - network namespaces for the TAP tests: each case creates its own
 * (`ip netns add ndis-<tag>-<pid>-<n>`), moves itself into it before it starts
 * any thread (so every thread libndis creates later, and every TAP interface
 * and socket, lives there), and runs the Linux tools inside it with
 * `ip netns exec`. A reaper process deletes the namespace when the case
 * process ends, however it ends (a failed assertion, abort, a timeout).
 *
 * Nothing here sends traffic: the tests only address 10.200.0.0/24 on an
 * interface inside the namespace.
 */
#ifndef NDIS_TAP_NETNS_H
#define NDIS_TAP_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct netns {
    char name[64];
    int guard;     /* write end of the reaper's pipe: the reaper acts when it closes */
    pid_t reaper;
};

/* A command running in the namespace, its stdout and stderr collected. */
struct netns_proc {
    pid_t pid;
    int fd;        /* read end of its output, -1 after EOF */
    char out[16384];
    size_t len;
};

/* Why TAP tests cannot run here (not root, no /dev/net/tun, no `ip`), or NULL. */
const char *netns_unavailable(void);

/* Creates and enters a new namespace; fails the test case on error. */
void netns_enter(struct netns *ns, const char *tag);

/* Deletes the namespace now (the reaper would at exit). */
void netns_leave(struct netns *ns);

/* Starts `sh -c CMD` inside the namespace. */
void netns_start(const struct netns *ns, struct netns_proc *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads its output until `text` appears (true) or timeout_ms passes (false). */
bool netns_expect(struct netns_proc *p, const char *text, unsigned timeout_ms);

/*
 * Reads its output to the end and reaps it, killing it after timeout_ms.
 * Returns its exit status (128 + signal when it died of one, -1 on timeout).
 */
int netns_finish(struct netns_proc *p, unsigned timeout_ms);

/* netns_start + netns_finish; the output goes to out when not NULL. */
int netns_run(const struct netns *ns, char *out, size_t outlen, unsigned timeout_ms,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif /* NDIS_TAP_NETNS_H */

/*
 * test_tap_dev.c - the TAP miniport's device layer (drivers/tapmp/tap_linux.c)
 * against the real kernel, in a namespace of its own: creating and naming the
 * interface, the receive "interrupt" and its re-arming, frames both ways
 * (the kernel side is an AF_PACKET socket on the interface), link changes
 * from `ip link set up/down`, and deletion under an open device.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "tap_dev.h"
#include "test.h"

#define WAIT_MS 3000

__attribute__((constructor)) static void skip_unless_possible(void)
{
    const char *why = netns_unavailable();
    if (why) {
        printf("SKIP: the TAP device tests need a network namespace: %s\n", why);
        exit(77);
    }
}

/* ---- the callbacks ("interrupts") ----------------------------------------------- */

struct events {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int rx, link, gone;
};

static void bump(struct events *e, int *what)
{
    pthread_mutex_lock(&e->lock);
    (*what)++;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

static void on_rx(void *ctx)
{
    struct events *e = ctx;
    bump(e, &e->rx);
}

static void on_link(void *ctx)
{
    struct events *e = ctx;
    bump(e, &e->link);
}

static void on_gone(void *ctx)
{
    struct events *e = ctx;
    bump(e, &e->gone);
}

static const struct tap_dev_ops ops = {on_rx, on_link, on_gone};

/* Waits until *what reaches at least n; returns its value. */
static int wait_count(struct events *e, int *what, int n, unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&e->lock);
    while (*what < n && pthread_cond_timedwait(&e->cond, &e->lock, &ts) == 0)
        ;
    int v = *what;
    pthread_mutex_unlock(&e->lock);
    return v;
}

static int count_of(struct events *e, int *what)
{
    pthread_mutex_lock(&e->lock);
    int v = *what;
    pthread_mutex_unlock(&e->lock);
    return v;
}

/* ---- the kernel side: a packet socket on the interface ------------------------------- */

static int packet_socket(unsigned ifindex)
{
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    T_ASSERT_MSG(s >= 0, "AF_PACKET socket: %s", strerror(errno));
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = (int)ifindex};
    T_ASSERT_MSG(bind(s, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind: %s",
                 strerror(errno));
    return s;
}

static void make_frame(unsigned char *f, size_t len, unsigned char tag)
{
    memset(f, tag, len);
    memset(f, 0xff, 6);                                  /* broadcast */
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x88;                                         /* local experimental EtherType */
    f[13] = 0xb5;
}

/* Receives the next frame with EtherType 0x88b5 on s (the kernel sends others too). */
static ssize_t recv_test_frame(int s, unsigned char *buf, size_t cap, unsigned ms)
{
    struct pollfd p = {.fd = s, .events = POLLIN};
    while (poll(&p, 1, (int)ms) == 1) {
        ssize_t n = recv(s, buf, cap, 0);
        if (n >= 14 && buf[12] == 0x88 && buf[13] == 0xb5)
            return n;
    }
    return -1;
}

static int ip(const struct netns *ns, const char *cmd)
{
    char out[1024];
    int st = netns_run(ns, out, sizeof(out), WAIT_MS, "%s", cmd);
    if (st)
        t_log("`%s` failed (%d): %s", cmd, st, out);
    return st;
}

/* ---- cases -------------------------------------------------------------------------------- */

TEST(create_name_and_refuse)
{
    struct netns ns;
    netns_enter(&ns, "tapdev");
    struct events e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    struct tap_dev *d, *d2;
    char err[256];
    T_EQ(tap_dev_open("ndtd0", &ops, &e, &d, err, sizeof(err)), 0);
    T_STREQ(tap_dev_name(d), "ndtd0");
    T_EQ(tap_dev_ifindex(d), if_nametoindex("ndtd0"));
    T_ASSERT(!tap_dev_link_up(d)); /* a new interface is down */

    /* The same interface twice: the second attach is refused with a reason. */
    T_ASSERT(tap_dev_open("ndtd0", &ops, &e, &d2, err, sizeof(err)) < 0);
    T_CONTAINS(err, "TUNSETIFF ndtd0");
    T_ASSERT(d2 == NULL);
    T_EQ(tap_dev_open("a-name-that-is-far-too-long", &ops, &e, &d2, err, sizeof(err)),
         -ENAMETOOLONG);
    T_CONTAINS(err, "longer than 15");

    /* No name: the kernel picks one. */
    T_EQ(tap_dev_open(NULL, &ops, &e, &d2, err, sizeof(err)), 0);
    T_ASSERT(strncmp(tap_dev_name(d2), "tap", 3) == 0);
    tap_dev_close(d2);

    /* Closing the interface we created removes it. */
    tap_dev_close(d);
    T_EQ(if_nametoindex("ndtd0"), 0);

    unsigned char m1[6], m2[6], m3[6];
    tap_dev_default_mac("ndtd0", m1);
    tap_dev_default_mac("ndtd0", m2);
    tap_dev_default_mac("ndtd1", m3);
    T_ASSERT(memcmp(m1, m2, 6) == 0 && memcmp(m1, m3, 6) != 0);
    T_EQ(m1[0] & 3, 2); /* unicast, locally administered */
    netns_leave(&ns);
}

TEST(frames_both_ways_and_rx_rearm)
{
    struct netns ns;
    netns_enter(&ns, "tapdev");
    struct events e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    struct tap_dev *d;
    char err[256];
    T_EQ(tap_dev_open("ndtd1", &ops, &e, &d, err, sizeof(err)), 0);
    T_EQ(tap_dev_start(d, err, sizeof(err)), 0);
    T_EQ(ip(&ns, "ip link set ndtd1 up"), 0);
    T_ASSERT(wait_count(&e, &e.link, 1, WAIT_MS) >= 1);
    T_ASSERT(tap_dev_link_up(d));

    int s = packet_socket(tap_dev_ifindex(d));
    unsigned char f[1514], g[2048];
    /* Kernel to device: one interrupt, the frame, then nothing left. */
    int rx0 = count_of(&e, &e.rx);
    make_frame(f, 60, 0x11);
    T_EQ(send(s, f, 60, 0), 60);
    T_ASSERT(wait_count(&e, &e.rx, rx0 + 1, WAIT_MS) > rx0);
    T_EQ(tap_dev_read(d, g, sizeof(g)), 60);
    T_ASSERT(memcmp(f, g, 60) == 0);
    T_EQ(tap_dev_read(d, g, sizeof(g)), TAP_IO_AGAIN);

    /* Notification is off until re-armed: a frame now raises nothing ... */
    int rx1 = count_of(&e, &e.rx);
    make_frame(f, 1514, 0x22);
    T_EQ(send(s, f, 1514, 0), 1514);
    T_EQ(wait_count(&e, &e.rx, rx1 + 1, 200), rx1);
    /* ... and re-arming with a frame waiting raises it at once. */
    tap_dev_rx_arm(d);
    T_ASSERT(wait_count(&e, &e.rx, rx1 + 1, WAIT_MS) > rx1);
    T_EQ(tap_dev_read(d, g, sizeof(g)), 1514);
    T_ASSERT(memcmp(f, g, 1514) == 0);

    /* Device to kernel. */
    make_frame(f, 100, 0x33);
    T_EQ(tap_dev_write(d, f, 100), 100);
    T_EQ(recv_test_frame(s, g, sizeof(g), WAIT_MS), 100);
    T_ASSERT(memcmp(f, g, 100) == 0);

    close(s);
    tap_dev_close(d);
    netns_leave(&ns);
}

TEST(link_follows_the_interface)
{
    struct netns ns;
    netns_enter(&ns, "tapdev");
    struct events e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    struct tap_dev *d;
    char err[256];
    T_EQ(tap_dev_open("ndtd2", &ops, &e, &d, err, sizeof(err)), 0);
    T_EQ(tap_dev_start(d, err, sizeof(err)), 0);
    T_EQ(ip(&ns, "ip link set ndtd2 up"), 0);
    T_ASSERT(wait_count(&e, &e.link, 1, WAIT_MS) >= 1);
    T_ASSERT(tap_dev_link_up(d));
    int l = count_of(&e, &e.link);
    T_EQ(ip(&ns, "ip link set ndtd2 down"), 0);
    T_ASSERT(wait_count(&e, &e.link, l + 1, WAIT_MS) > l);
    T_ASSERT(!tap_dev_link_up(d));
    /* tun refuses frames while the interface is down. */
    unsigned char f[60];
    make_frame(f, 60, 0x44);
    T_EQ(tap_dev_write(d, f, 60), TAP_IO_DOWN);
    /* A change that is not the link state (the MTU) is no link change. */
    l = count_of(&e, &e.link);
    T_EQ(ip(&ns, "ip link set ndtd2 mtu 1400"), 0);
    T_EQ(wait_count(&e, &e.link, l + 1, 200), l);
    tap_dev_close(d);
    netns_leave(&ns);
}

TEST(deleted_under_the_device)
{
    struct netns ns;
    netns_enter(&ns, "tapdev");
    struct events e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    struct tap_dev *d;
    char err[256];
    T_EQ(tap_dev_open("ndtd3", &ops, &e, &d, err, sizeof(err)), 0);
    T_EQ(tap_dev_start(d, err, sizeof(err)), 0);
    T_EQ(ip(&ns, "ip link set ndtd3 up"), 0);
    T_ASSERT(wait_count(&e, &e.link, 1, WAIT_MS) >= 1);
    T_EQ(ip(&ns, "ip link del ndtd3"), 0);
    T_EQ(wait_count(&e, &e.gone, 1, WAIT_MS), 1);
    T_ASSERT(!tap_dev_link_up(d));
    unsigned char f[60];
    make_frame(f, 60, 0x55);
    T_EQ(tap_dev_read(d, f, sizeof(f)), TAP_IO_GONE);
    T_EQ(tap_dev_write(d, f, 60), TAP_IO_GONE);
    T_EQ(count_of(&e, &e.gone), 1); /* said once */
    tap_dev_close(d);
    netns_leave(&ns);
}

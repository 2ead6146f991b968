/*
 * tap_linux.c - the TAP device behind the miniport (tap_dev.h), on Linux:
 * /dev/net/tun with IFF_TAP | IFF_NO_PI, a rtnetlink socket for the link
 * state and for deletion, and an event thread that waits on both with epoll
 * and raises the driver's "interrupts".
 *
 * Receive notification is the TAP descriptor registered EPOLLONESHOT: once it
 * fired, epoll leaves the descriptor alone until tap_dev_rx_arm() registers
 * it again, so the driver's DPC reads without the thread waking for every
 * frame (a NIC masking its receive interrupt while its DPC drains the ring).
 *
 * Deletion: `ip link del` detaches the TUN file; reads, writes and TUNGETIFF
 * then fail with EBADFD, and rtnetlink sends RTM_DELLINK. A link moved to
 * another namespace also gives RTM_DELLINK here, but the file stays attached:
 * TUNGETIFF tells the two apart.
 */
#define _GNU_SOURCE
#include "tap_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum { EV_TAP = 1, EV_NETLINK, EV_STOP };

struct tap_dev {
    int fd;          /* the TUN file */
    int nl;          /* rtnetlink, RTMGRP_LINK */
    int ep;          /* epoll of fd, nl, stop */
    int stop;        /* eventfd: the thread exits */
    char name[TAP_DEV_NAME_MAX];
    unsigned ifindex;
    struct tap_dev_ops ops;
    void *ctx;
    atomic_bool link_up;
    atomic_bool gone;
    bool started;
    pthread_t thread;
};

static __thread int last_errno;

const char *tap_dev_last_error(void)
{
    return strerror(last_errno);
}

static int fail(char *err, size_t errlen, int e, const char *fmt, const char *arg)
{
    char what[128];
    snprintf(what, sizeof(what), fmt, arg);
    snprintf(err, errlen, "%s: %s", what, strerror(e));
    return -e;
}

/* ---- state of the interface --------------------------------------------------- */

/* Still attached to its interface (not deleted)? */
static bool tun_attached(const struct tap_dev *d)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    return ioctl(d->fd, TUNGETIFF, &ifr) == 0 || errno != EBADFD;
}

static bool flags_link_up(unsigned flags)
{
    return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

/* SIOCGIFFLAGS by name; -errno. */
static int query_flags(const struct tap_dev *d, unsigned *flags)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d->name);
    if (ioctl(d->nl, SIOCGIFFLAGS, &ifr) != 0)
        return -errno;
    *flags = (unsigned short)ifr.ifr_flags;
    return 0;
}

static void set_link(struct tap_dev *d, bool up)
{
    if (atomic_exchange(&d->link_up, up) != up && d->ops.link_changed)
        d->ops.link_changed(d->ctx);
}

static void set_gone(struct tap_dev *d)
{
    if (!atomic_exchange(&d->gone, true)) {
        atomic_store(&d->link_up, false);
        if (d->ops.gone)
            d->ops.gone(d->ctx);
    }
}

/* After a lost netlink message (ENOBUFS): ask the kernel directly. */
static void resync(struct tap_dev *d)
{
    unsigned flags = 0;
    if (!tun_attached(d))
        set_gone(d);
    else if (query_flags(d, &flags) == 0)
        set_link(d, flags_link_up(flags));
}

static void on_link_message(struct tap_dev *d, const struct nlmsghdr *h)
{
    const struct ifinfomsg *ifi = NLMSG_DATA(h);
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || (unsigned)ifi->ifi_index != d->ifindex)
        return;
    if (h->nlmsg_type == RTM_NEWLINK)
        set_link(d, flags_link_up(ifi->ifi_flags));
    else if (h->nlmsg_type == RTM_DELLINK && !tun_attached(d))
        set_gone(d);
    else if (h->nlmsg_type == RTM_DELLINK)
        /* Moved to another namespace: frames still flow, the link is no longer seen. */
        fprintf(stderr, "tapmp: %s left this network namespace; its link state is no longer "
                        "followed\n", d->name);
}

static void drain_netlink(struct tap_dev *d)
{
    char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t n = recv(d->nl, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && errno == ENOBUFS) {
            resync(d);
            continue;
        }
        if (n <= 0)
            return;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
                on_link_message(d, h);
    }
}

/* ---- the event thread ------------------------------------------------------------- */

static void *event_thread(void *arg)
{
    struct tap_dev *d = arg;
    struct epoll_event ev[4];
    for (;;) {
        int n = epoll_wait(d->ep, ev, 4, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "tapmp: %s: epoll_wait: %s\n", d->name, strerror(errno));
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u32 == EV_STOP)
                return NULL;
            if (ev[i].data.u32 == EV_NETLINK)
                drain_netlink(d);
            else if (ev[i].data.u32 == EV_TAP && d->ops.rx_ready)
                d->ops.rx_ready(d->ctx); /* EPOLLERR too: the DPC's read says why */
        }
    }
}

/* ---- open, start, stop, close ------------------------------------------------------ */

static int open_tun(struct tap_dev *d, const char *ifname, char *err, size_t errlen)
{
    d->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (d->fd < 0)
        return fail(err, errlen, errno, "open %s", "/dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname && *ifname ? ifname : "tap%d");
    if (ioctl(d->fd, TUNSETIFF, &ifr) != 0)
        return fail(err, errlen, errno, "TUNSETIFF %s (a TAP interface of that name that "
                    "another process holds, or a non-TAP interface?)", ifr.ifr_name);
    snprintf(d->name, sizeof(d->name), "%s", ifr.ifr_name);
    struct ifreq q;
    memset(&q, 0, sizeof(q));
    snprintf(q.ifr_name, sizeof(q.ifr_name), "%s", d->name);
    if (ioctl(d->nl, SIOCGIFINDEX, &q) != 0)
        return fail(err, errlen, errno, "SIOCGIFINDEX %s", d->name);
    d->ifindex = (unsigned)q.ifr_ifindex;
    return 0;
}

static int open_netlink(struct tap_dev *d, char *err, size_t errlen)
{
    d->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (d->nl < 0)
        return fail(err, errlen, errno, "%s", "rtnetlink socket");
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof(sa));
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK;
    if (bind(d->nl, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return fail(err, errlen, errno, "%s", "bind rtnetlink RTMGRP_LINK");
    return 0;
}

static int epoll_add(int ep, int fd, uint32_t events, uint32_t tag)
{
    struct epoll_event e = {.events = events, .data.u32 = tag};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int open_events(struct tap_dev *d, char *err, size_t errlen)
{
    d->ep = epoll_create1(EPOLL_CLOEXEC);
    if (d->ep < 0)
        return fail(err, errlen, errno, "%s", "epoll_create1");
    d->stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (d->stop < 0)
        return fail(err, errlen, errno, "%s", "eventfd");
    if (epoll_add(d->ep, d->stop, EPOLLIN, EV_STOP) != 0 ||
        epoll_add(d->ep, d->nl, EPOLLIN, EV_NETLINK) != 0 ||
        epoll_add(d->ep, d->fd, EPOLLIN | EPOLLONESHOT, EV_TAP) != 0)
        return fail(err, errlen, errno, "%s", "epoll_ctl");
    return 0;
}

int tap_dev_open(const char *ifname, const struct tap_dev_ops *ops, void *ctx,
                 struct tap_dev **out, char *err, size_t errlen)
{
    *out = NULL;
    if (ifname && strlen(ifname) >= TAP_DEV_NAME_MAX) {
        snprintf(err, errlen, "interface name '%s' is longer than %d characters", ifname,
                 TAP_DEV_NAME_MAX - 1);
        return -ENAMETOOLONG;
    }
    struct tap_dev *d = calloc(1, sizeof(*d));
    if (!d)
        return fail(err, errlen, ENOMEM, "%s", "tap device");
    d->fd = d->nl = d->ep = d->stop = -1;
    d->ops = *ops;
    d->ctx = ctx;
    /* Netlink first: a link change right after TUNSETIFF is then not missed. */
    int rc = open_netlink(d, err, errlen);
    if (!rc)
        rc = open_tun(d, ifname, err, errlen);
    unsigned flags = 0;
    if (!rc && (rc = query_flags(d, &flags)) != 0)
        rc = fail(err, errlen, -rc, "SIOCGIFFLAGS %s", d->name);
    if (!rc)
        rc = open_events(d, err, errlen);
    if (rc) {
        tap_dev_close(d);
        return rc;
    }
    atomic_store(&d->link_up, flags_link_up(flags));
    *out = d;
    return 0;
}

int tap_dev_start(struct tap_dev *d, char *err, size_t errlen)
{
    int rc = pthread_create(&d->thread, NULL, event_thread, d);
    if (rc)
        return fail(err, errlen, rc, "start the event thread of %s", d->name);
    char tname[16];
    snprintf(tname, sizeof(tname), "tap-%.11s", d->name);
    pthread_setname_np(d->thread, tname);
    d->started = true;
    return 0;
}

void tap_dev_stop(struct tap_dev *d)
{
    if (!d->started)
        return;
    uint64_t one = 1;
    while (write(d->stop, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
    pthread_join(d->thread, NULL);
    d->started = false;
}

void tap_dev_close(struct tap_dev *d)
{
    if (!d)
        return;
    tap_dev_stop(d);
    int fds[] = {d->ep, d->stop, d->fd, d->nl};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(d);
}

/* ---- I/O ------------------------------------------------------------------------------- */

const char *tap_dev_name(const struct tap_dev *d)
{
    return d->name;
}

unsigned tap_dev_ifindex(const struct tap_dev *d)
{
    return d->ifindex;
}

bool tap_dev_link_up(const struct tap_dev *d)
{
    return atomic_load(&d->link_up);
}

static long io_error(struct tap_dev *d, int e)
{
    switch (e) {
    case EAGAIN:
        return TAP_IO_AGAIN;
    case EBADFD:
    case ENODEV:
    case ENXIO:
        set_gone(d);
        return TAP_IO_GONE;
    case EIO: /* tun refuses writes while the interface is down */
        return TAP_IO_DOWN;
    default:
        last_errno = e;
        return TAP_IO_ERROR;
    }
}

/* A frame longer than cap is cut by the kernel, which still returns its length. */
long tap_dev_read(struct tap_dev *d, void *buf, size_t cap)
{
    ssize_t n = read(d->fd, buf, cap);
    return n >= 0 ? (long)n : io_error(d, errno);
}

long tap_dev_write(struct tap_dev *d, const void *buf, size_t len)
{
    ssize_t n = write(d->fd, buf, len);
    return n >= 0 ? (long)n : io_error(d, errno);
}

void tap_dev_rx_arm(struct tap_dev *d)
{
    struct epoll_event e = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = EV_TAP};
    epoll_ctl(d->ep, EPOLL_CTL_MOD, d->fd, &e);
}

void tap_dev_default_mac(const char *ifname, unsigned char mac[6])
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = ifname ? ifname : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (int i = 0; i < 6; i++)
        mac[i] = (unsigned char)(h >> (8 * i));
    mac[0] = (unsigned char)((mac[0] & 0xfc) | 0x02); /* unicast, locally administered */
}

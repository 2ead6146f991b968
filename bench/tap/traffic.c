/*
 * traffic.c - the kernel side of the TAP benchmark and its raw-loop floor
 * (traffic.h).
 */
#define _GNU_SOURCE
#include "traffic.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define GEN_BATCH 64

static void die(const char *what)
{
    fprintf(stderr, "bench tap: %s: %s\n", what, strerror(errno));
    exit(2);
}

void if_up(const char *ifname)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
        die(ifname);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
        die(ifname);
    close(s);
}

unsigned long long if_stat(const char *ifname, const char *name)
{
    char path[128];
    unsigned long long v = 0;
    snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%llu", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

int raw_tap_open(const char *ifname)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        die("/dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0)
        die("TUNSETIFF");
    if_up(ifname);
    return fd;
}

void make_frame(unsigned char *f, size_t len, const unsigned char dst[6])
{
    static const unsigned char src[6] = {0x02, 0, 0, 0, 0, 0x01};
    memset(f, 0x5a, len);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
}

/* ---- the generator ----------------------------------------------------------------- */

static void pin(pid_t tid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (int c = 0; c < n && c < CPU_SETSIZE; c++)
        if (cpu < 0 || c == cpu)
            CPU_SET(c, &set);
    sched_setaffinity(tid, sizeof(set), &set); /* a thread that just ended: nothing to do */
}

static bool two_cpus(void)
{
    return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* Applies fn(tid) to every thread of the process. */
static void each_thread(void (*fn)(pid_t tid, int arg), int arg)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        die("/proc/self/task");
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            fn((pid_t)atoi(e->d_name), arg);
    closedir(d);
}

static void pin_unless(pid_t tid, int generator)
{
    if (tid != generator)
        pin(tid, 1);
}

static void unpin(pid_t tid, int unused)
{
    (void)unused;
    pin(tid, -1);
}

bool pin_consumers(const struct worker *generator)
{
    if (!two_cpus())
        return false;
    while (generator && !atomic_load(&generator->tid))
        sched_yield(); /* the generator is starting: its first statement sets tid */
    each_thread(pin_unless, generator ? atomic_load(&generator->tid) : 0);
    return true;
}

void unpin_all(void)
{
    each_thread(unpin, 0);
}

static void *generate(void *arg)
{
    struct worker *w = arg;
    atomic_store(&w->tid, (int)gettid());
    if (two_cpus())
        pin(0, 0);
    struct mmsghdr msgs[GEN_BATCH];
    struct iovec iov = {.iov_base = w->frame, .iov_len = w->len};
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = (int)w->ifindex,
                             .sll_halen = 6};
    memcpy(to.sll_addr, w->frame, 6);
    memset(msgs, 0, sizeof(msgs));
    for (int i = 0; i < GEN_BATCH; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof(to);
    }
    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        int n = sendmmsg(w->fd, msgs, GEN_BATCH, 0);
        if (n > 0)
            atomic_fetch_add_explicit(&w->count, (unsigned)n, memory_order_relaxed);
        else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
            die("sendmmsg");
    }
    return NULL;
}

void generator_start(struct worker *w, const char *ifname, size_t len,
                     const unsigned char dst[6])
{
    memset(w, 0, sizeof(*w));
    w->len = len;
    make_frame(w->frame, len, dst);
    w->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (w->fd < 0)
        die("AF_PACKET socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (ioctl(w->fd, SIOCGIFINDEX, &ifr) != 0)
        die(ifname);
    w->ifindex = (unsigned)ifr.ifr_ifindex;
    int one = 1;
    /* Straight to the driver (tun_net_xmit): no queueing discipline in between. */
    if (setsockopt(w->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0)
        die("PACKET_QDISC_BYPASS");
    if (pthread_create(&w->thread, NULL, generate, w) != 0)
        die("pthread_create");
}

/* ---- the raw loops ----------------------------------------------------------------------- */

static void *read_loop(void *arg)
{
    struct worker *w = arg;
    unsigned char buf[2048];
    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        if (read(w->fd, buf, sizeof(buf)) > 0)
            atomic_fetch_add_explicit(&w->count, 1, memory_order_relaxed);
    }
    return NULL;
}

static void *write_loop(void *arg)
{
    struct worker *w = arg;
    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        if (write(w->fd, w->frame, w->len) == (ssize_t)w->len)
            atomic_fetch_add_explicit(&w->count, 1, memory_order_relaxed);
    }
    return NULL;
}

void raw_reader_start(struct worker *w, int fd)
{
    memset(w, 0, sizeof(*w));
    w->fd = fd;
    if (pthread_create(&w->thread, NULL, read_loop, w) != 0)
        die("pthread_create");
}

void raw_writer_start(struct worker *w, int fd, size_t len, const unsigned char dst[6])
{
    memset(w, 0, sizeof(*w));
    w->fd = fd;
    w->len = len;
    make_frame(w->frame, len, dst);
    if (pthread_create(&w->thread, NULL, write_loop, w) != 0)
        die("pthread_create");
}

void worker_stop(struct worker *w)
{
    atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
}

void generator_stop(struct worker *w)
{
    worker_stop(w);
    close(w->fd);
}

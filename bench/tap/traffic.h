/*
 * traffic.h - the kernel side of the TAP benchmark and its floor:
 *  - a generator: an AF_PACKET socket on a TAP interface that makes the kernel
 *    transmit frames on it as fast as it can (sendmmsg, qdisc bypassed), which
 *    whatever holds the TAP file reads;
 *  - the raw loops: a plain C loop that reads frames from, or writes frames
 *    to, a TAP file with one read()/write() per frame, counting them. That is
 *    the floor of this I/O path for any runtime above it.
 * Frames the interface receives go to the kernel's stack, which drops them
 * (they are for another station); the interface's rx_packets counts them.
 */
#ifndef NDIS_BENCH_TRAFFIC_H
#define NDIS_BENCH_TRAFFIC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* A thread that runs until `stop`, counting what it did in `count`. */
struct worker {
    pthread_t thread;
    atomic_bool stop;
    atomic_ullong count;
    atomic_int tid;         /* the generator's thread id, once it runs */
    int fd;
    size_t len;
    unsigned ifindex;
    unsigned char frame[1514];
};

/* Opens TAP interface `ifname` (created), blocking, and sets it up; exits on error. */
int raw_tap_open(const char *ifname);
/* Sets a kernel interface up; exits on error. */
void if_up(const char *ifname);
/* A counter of /sys/class/net/IFNAME/statistics (rx_packets, tx_dropped ...). */
unsigned long long if_stat(const char *ifname, const char *name);

/* Frames of len bytes to dst, from 02:00:00:00:00:01, EtherType 0x88b5. */
void make_frame(unsigned char *f, size_t len, const unsigned char dst[6]);

void generator_start(struct worker *w, const char *ifname, size_t len,
                     const unsigned char dst[6]);
void raw_reader_start(struct worker *w, int fd);
void raw_writer_start(struct worker *w, int fd, size_t len, const unsigned char dst[6]);
/* Sets stop and joins; a reader blocked in read() needs the generator running. */
void worker_stop(struct worker *w);
/* The same for the generator, whose socket it also closes. */
void generator_stop(struct worker *w);

/*
 * With two CPUs or more, the generator runs on CPU 0 (it pins itself) and
 * pin_consumers() puts every other thread of the process on CPU 1 (all of
 * them when generator is NULL), so the side that is measured has one CPU,
 * whatever threads it is made of; unpin_all() undoes it. Returns false (and
 * does nothing) on a single CPU.
 */
bool pin_consumers(const struct worker *generator);
void unpin_all(void);

#endif /* NDIS_BENCH_TRAFFIC_H */

/*
 * tap_dev.h - the "hardware" of the TAP miniport: a Linux TAP interface seen
 * as a NIC with a receive interrupt, a link and a transmit port. Implemented by
 * tap_linux.c, the only file of the driver that uses Linux headers; the rest
 * of the driver is written against <ndis.h> and this interface.
 *
 * The device raises three "interrupts" from its own event thread, by calling
 * the callbacks given to tap_dev_open() (ISR context: they should only queue
 * a DPC):
 *  - rx_ready: frames are waiting. Receive notification is then off until
 *    tap_dev_rx_arm() turns it on again (as a NIC masks its interrupt until
 *    the DPC has drained the ring).
 *  - link_changed: the interface's operational state changed; tap_dev_link_up()
 *    has the new one.
 *  - gone: the interface was deleted under the driver. Reads and writes fail
 *    with TAP_IO_GONE from then on.
 */
#ifndef TAPMP_TAP_DEV_H
#define TAPMP_TAP_DEV_H

#include <stdbool.h>
#include <stddef.h>

struct tap_dev;

struct tap_dev_ops {
    void (*rx_ready)(void *ctx);
    void (*link_changed)(void *ctx);
    void (*gone)(void *ctx);
};

/* Results of tap_dev_read and tap_dev_write below 0. */
enum {
    TAP_IO_AGAIN = -1, /* nothing to read / the device cannot take the frame now */
    TAP_IO_DOWN = -2,  /* the interface is administratively down */
    TAP_IO_GONE = -3,  /* the interface no longer exists */
    TAP_IO_ERROR = -4, /* any other failure (see tap_dev_last_error) */
};

#define TAP_DEV_NAME_MAX 16 /* IFNAMSIZ, terminator included */

/*
 * Attaches to TAP interface `ifname` (created when it does not exist, removed
 * again at close when this created it), or to a new interface named by the
 * kernel ("tap%d") when ifname is NULL or empty. The event thread is not
 * started yet. Returns 0 or a negative errno, with a message in err.
 */
int tap_dev_open(const char *ifname, const struct tap_dev_ops *ops, void *ctx,
                 struct tap_dev **out, char *err, size_t errlen);
/* Starts the event thread; receive notification starts armed. */
int tap_dev_start(struct tap_dev *d, char *err, size_t errlen);
/* Stops the event thread: no callback runs after it returns. Idempotent. */
void tap_dev_stop(struct tap_dev *d);
/* Stops the thread if needed and closes the device. */
void tap_dev_close(struct tap_dev *d);

const char *tap_dev_name(const struct tap_dev *d);
unsigned tap_dev_ifindex(const struct tap_dev *d);
/* The interface is up and running (carrier), as last seen. */
bool tap_dev_link_up(const struct tap_dev *d);

/* Reads one frame into buf (cap bytes); returns its length or TAP_IO_*. */
long tap_dev_read(struct tap_dev *d, void *buf, size_t cap);
/* Writes one frame; returns len or TAP_IO_*. */
long tap_dev_write(struct tap_dev *d, const void *buf, size_t len);
/* Turns receive notification back on (after rx_ready). */
void tap_dev_rx_arm(struct tap_dev *d);

/* strerror text of the last TAP_IO_ERROR on this thread. */
const char *tap_dev_last_error(void);

/*
 * A stable, locally administered unicast MAC address derived from the
 * interface name and the host (as a burned-in address would be stable).
 */
void tap_dev_default_mac(const char *ifname, unsigned char mac[6]);

#endif /* TAPMP_TAP_DEV_H */

/* cec.h: HDMI-CEC through the Linux CEC API (/dev/cecN).
 *
 * The terminal is a Playback device: it claims a playback logical address,
 * wakes the TV with Image View On + Active Source and sends Standby when the
 * room goes idle. Incoming messages the core does not answer itself (e.g.
 * Standby from the TV, User Control Pressed from the TV remote) are returned
 * by cec_dev_receive(). Single-threaded; cec_dev_fd() can go in an epoll set.
 */
#ifndef RAKWON_DRIVERS_CEC_H
#define RAKWON_DRIVERS_CEC_H

#include <stdint.h>

struct cec_dev;

struct cec_dev_msg {
	uint8_t initiator, destination;
	uint8_t len;            /* bytes in msg, header included */
	uint8_t msg[16];
};

/* path: /dev/cecN, or NULL for the first adapter that can be a source.
 * osd_name: up to 14 characters. Waits up to timeout_ms for the logical
 * address to be claimed (-ETIMEDOUT; the adapter keeps trying). */
int cec_dev_open(struct cec_dev **ret, const char *path, const char *osd_name, int timeout_ms);
/* Our logical address (4, 8, 11 for playback) or -EAGAIN if not claimed. */
int cec_dev_log_addr(struct cec_dev *c);
uint16_t cec_dev_phys_addr(struct cec_dev *c);
/* Image View On to the TV, then Active Source broadcast with our address. */
int cec_dev_wake(struct cec_dev *c);
/* Standby broadcast (to all). */
int cec_dev_standby(struct cec_dev *c);
/* Send a raw message (header byte built from our address and dest). */
int cec_dev_send(struct cec_dev *c, uint8_t dest, const uint8_t *body, int len);
/* Next received message; -EAGAIN if none within timeout_ms. */
int cec_dev_receive(struct cec_dev *c, struct cec_dev_msg *ret, int timeout_ms);
int cec_dev_fd(struct cec_dev *c);
struct cec_dev *cec_dev_close(struct cec_dev *c);

#endif

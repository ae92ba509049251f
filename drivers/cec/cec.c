/* cec.c: HDMI-CEC Playback device through the Linux CEC API.
 *
 * DESIGN
 * Single-threaded; the fd is blocking for CEC_TRANSMIT (the kernel waits for
 * the bus result, a few tens of ms) and CEC_RECEIVE uses the ioctl's own
 * timeout, so there is no sleep-polling. The kernel's CEC core claims the
 * logical address (it polls the candidates on the bus) and answers the core
 * messages (Give Physical Address, Give OSD Name, ...) for us; we run as an
 * initiator and follower and see the rest through cec_dev_receive().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/cec-funcs.h>
#include <linux/cec.h>

#include "cec/cec.h"
#include "lib/base/cleanup.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"

LOG_TOPIC(cec);

struct cec_dev {
	int fd;
	char path[64];
	char osd[15];
	struct cec_caps caps;
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* a source sits below the TV: a valid physical address other than 0.0.0.0 */
static int open_adapter(const char *path, bool need_source)
{
	uint16_t pa = CEC_PHYS_ADDR_INVALID;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (need_source && (xioctl(fd, CEC_ADAP_G_PHYS_ADDR, &pa) < 0 || pa == 0 ||
			    pa == CEC_PHYS_ADDR_INVALID)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

static int claim(struct cec_dev *c, int timeout_ms)
{
	struct cec_log_addrs la = { 0 };
	uint64_t end = clock_now_us() + (uint64_t)timeout_ms * 1000;
	int r;

	/* clear whatever was configured before, then ask for one playback address */
	(void)xioctl(c->fd, CEC_ADAP_S_LOG_ADDRS, &la);
	memset(&la, 0, sizeof(la));
	la.cec_version = CEC_OP_CEC_VERSION_1_4;
	la.vendor_id = CEC_VENDOR_ID_NONE;
	la.num_log_addrs = 1;
	snprintf(la.osd_name, sizeof(la.osd_name), "%s", c->osd);
	la.primary_device_type[0] = CEC_OP_PRIM_DEVTYPE_PLAYBACK;
	la.log_addr_type[0] = CEC_LOG_ADDR_TYPE_PLAYBACK;
	la.all_device_types[0] = CEC_OP_ALL_DEVTYPE_PLAYBACK;
	r = xioctl(c->fd, CEC_ADAP_S_LOG_ADDRS, &la); /* blocks until claimed (valid PA) */
	if (r < 0)
		return r;
	while (cec_dev_log_addr(c) < 0) {
		struct pollfd p = { .fd = c->fd, .events = POLLPRI };
		struct cec_event ev;
		uint64_t now = clock_now_us();

		if (now >= end)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)((end - now) / 1000) + 1) > 0)
			(void)xioctl(c->fd, CEC_DQEVENT, &ev);
	}
	return 0;
}

int cec_dev_open(struct cec_dev **ret, const char *path, const char *osd_name, int timeout_ms)
{
	struct cec_dev *c;
	uint32_t mode = CEC_MODE_INITIATOR | CEC_MODE_FOLLOWER;
	int r;

	if (!ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	snprintf(c->osd, sizeof(c->osd), "%s", osd_name ? osd_name : "Rakwon");
	if (path) {
		snprintf(c->path, sizeof(c->path), "%s", path);
		c->fd = open_adapter(path, false);
	} else {
		for (int i = 0; i < 8 && c->fd < 0; i++) {
			snprintf(c->path, sizeof(c->path), "/dev/cec%d", i);
			c->fd = open_adapter(c->path, true);
		}
	}
	if (c->fd < 0) {
		r = c->fd;
		free(c);
		return r;
	}
	r = xioctl(c->fd, CEC_ADAP_G_CAPS, &c->caps);
	if (r == 0 && !(c->caps.capabilities & CEC_CAP_LOG_ADDRS))
		r = -EOPNOTSUPP;
	if (r == 0)
		r = xioctl(c->fd, CEC_S_MODE, &mode);
	if (r == 0)
		r = claim(c, timeout_ms > 0 ? timeout_ms : 2000);
	if (r < 0) {
		log_debug_errno(cec, r, "%s: %m", c->path);
		cec_dev_close(c);
		return r;
	}
	log_debug(cec, "%s (%s): logical address %d, physical %04x", c->path, c->caps.name,
		  cec_dev_log_addr(c), cec_dev_phys_addr(c));
	*ret = c;
	return 0;
}

int cec_dev_log_addr(struct cec_dev *c)
{
	struct cec_log_addrs la = { 0 };

	if (!c || xioctl(c->fd, CEC_ADAP_G_LOG_ADDRS, &la) < 0 || !la.log_addr_mask)
		return -EAGAIN;
	return la.log_addr[0];
}

uint16_t cec_dev_phys_addr(struct cec_dev *c)
{
	uint16_t pa = CEC_PHYS_ADDR_INVALID;

	if (c)
		(void)xioctl(c->fd, CEC_ADAP_G_PHYS_ADDR, &pa);
	return pa;
}

static int transmit(struct cec_dev *c, struct cec_msg *m)
{
	int r = xioctl(c->fd, CEC_TRANSMIT, m);

	if (r < 0)
		return r;
	if (m->tx_status & CEC_TX_STATUS_OK)
		return 0;
	/* a broadcast is never acknowledged; NACK to a directed message: nobody there */
	return m->tx_status & CEC_TX_STATUS_NACK ? -EHOSTUNREACH : -EIO;
}

int cec_dev_send(struct cec_dev *c, uint8_t dest, const uint8_t *body, int len)
{
	struct cec_msg m;
	int la;

	if (!c || !body || len < 1 || len > 15 || dest > 15)
		return -EINVAL;
	la = cec_dev_log_addr(c);
	if (la < 0)
		return la;
	cec_msg_init(&m, (uint8_t)la, dest);
	memcpy(m.msg + 1, body, (size_t)len);
	m.len = (uint32_t)len + 1;
	return transmit(c, &m);
}

int cec_dev_wake(struct cec_dev *c)
{
	struct cec_msg m;
	int la, r;

	if (!c)
		return -EINVAL;
	la = cec_dev_log_addr(c);
	if (la < 0)
		return la;
	cec_msg_init(&m, (uint8_t)la, CEC_LOG_ADDR_TV);
	cec_msg_image_view_on(&m);
	r = transmit(c, &m);
	if (r < 0)
		return log_debug_errno(cec, r, "Image View On: %m");
	cec_msg_init(&m, (uint8_t)la, CEC_LOG_ADDR_BROADCAST);
	cec_msg_active_source(&m, cec_dev_phys_addr(c));
	r = transmit(c, &m);
	return r == -EIO ? 0 : r; /* broadcasts carry no ACK */
}

int cec_dev_standby(struct cec_dev *c)
{
	struct cec_msg m;
	int la, r;

	if (!c)
		return -EINVAL;
	la = cec_dev_log_addr(c);
	if (la < 0)
		return la;
	cec_msg_init(&m, (uint8_t)la, CEC_LOG_ADDR_BROADCAST);
	cec_msg_standby(&m);
	r = transmit(c, &m);
	return r == -EIO ? 0 : r;
}

int cec_dev_receive(struct cec_dev *c, struct cec_dev_msg *ret, int timeout_ms)
{
	struct cec_msg m = { .timeout = (uint32_t)(timeout_ms > 0 ? timeout_ms : 1) };
	int r;

	if (!c || !ret)
		return -EINVAL;
	r = xioctl(c->fd, CEC_RECEIVE, &m);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	if (r < 0)
		return r;
	ret->initiator = cec_msg_initiator(&m);
	ret->destination = cec_msg_destination(&m);
	ret->len = (uint8_t)MIN(m.len, 16u);
	memcpy(ret->msg, m.msg, ret->len);
	return 0;
}

int cec_dev_fd(struct cec_dev *c)
{
	return c ? c->fd : -1;
}

struct cec_dev *cec_dev_close(struct cec_dev *c)
{
	if (!c)
		return NULL;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return NULL;
}

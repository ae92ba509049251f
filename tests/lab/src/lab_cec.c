/* lab_cec.c: guest test of the cec driver on vivid's emulated CEC bus.
 * vivid-001 has an HDMI input (its CEC adapter plays the TV, physical address 0.0.0.0) and an
 * HDMI output (a source at 1.0.0.0), on one bus. Our driver claims a Playback address on the
 * source and wakes the TV; this program is the TV and checks what arrives. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/cec.h>

#include "cec/cec.h"
#include "labutil.h"

static int tv_open(void)
{
	for (int i = 0; i < 8; i++) {
		char path[32];
		uint16_t pa = 0xffff;
		int fd;

		snprintf(path, sizeof(path), "/dev/cec%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (ioctl(fd, CEC_ADAP_G_PHYS_ADDR, &pa) == 0 && pa == 0) {
			struct cec_log_addrs la = { .cec_version = CEC_OP_CEC_VERSION_1_4,
						    .vendor_id = CEC_VENDOR_ID_NONE,
						    .num_log_addrs = 1 };
			uint32_t mode = CEC_MODE_INITIATOR | CEC_MODE_FOLLOWER;

			snprintf(la.osd_name, sizeof(la.osd_name), "LabTV");
			la.primary_device_type[0] = CEC_OP_PRIM_DEVTYPE_TV;
			la.log_addr_type[0] = CEC_LOG_ADDR_TYPE_TV;
			la.all_device_types[0] = CEC_OP_ALL_DEVTYPE_TV;
			ioctl(fd, CEC_ADAP_S_LOG_ADDRS, &(struct cec_log_addrs){ 0 });
			if (ioctl(fd, CEC_S_MODE, &mode) == 0 && ioctl(fd, CEC_ADAP_S_LOG_ADDRS, &la) == 0) {
				printf("TV: %s, logical address %d\n", path, la.log_addr[0]);
				return fd;
			}
		}
		close(fd);
	}
	return -1;
}

/* next message with this opcode the TV gets within timeout_ms; -1 if none */
static int tv_expect(int fd, int opcode, struct cec_msg *ret, int timeout_ms)
{
	uint64_t end = lab_now_us() + (uint64_t)timeout_ms * 1000;

	while (lab_now_us() < end) {
		struct cec_msg m = { .timeout = 200 };

		if (ioctl(fd, CEC_RECEIVE, &m) < 0)
			continue;
		printf("TV got %d->%d opcode 0x%02x len %u\n", m.msg[0] >> 4, m.msg[0] & 15,
		       m.len > 1 ? m.msg[1] : 0, m.len);
		if (m.len > 1 && m.msg[1] == opcode) {
			*ret = m;
			return 0;
		}
	}
	return -1;
}

int main(void)
{
	struct cec_dev *c = NULL;
	struct cec_msg m;
	int tv, r, la = -1;
	uint16_t pa = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tv = tv_open();
	if (!LCHECK(tv >= 0, "TV side: vivid HDMI-input CEC adapter claimed logical address 0"))
		return lab_exit();
	r = cec_dev_open(&c, NULL, "Rakwon Room", 3000);
	if (!LCHECK(r == 0, "cec_dev_open (first source adapter): %s", strerror(-r)))
		return lab_exit();
	la = cec_dev_log_addr(c);
	pa = cec_dev_phys_addr(c);
	LCHECK(la == CEC_LOG_ADDR_PLAYBACK_1 || la == CEC_LOG_ADDR_PLAYBACK_2 || la == CEC_LOG_ADDR_PLAYBACK_3,
	       "playback logical address %d, physical %x.%x.%x.%x", la, pa >> 12, (pa >> 8) & 15,
	       (pa >> 4) & 15, pa & 15);
	r = cec_dev_wake(c);
	LCHECK(r == 0, "wake: Image View On + Active Source sent: %s", strerror(-r));
	LCHECK(tv_expect(tv, CEC_MSG_IMAGE_VIEW_ON, &m, 3000) == 0 && (m.msg[0] >> 4) == la &&
	       (m.msg[0] & 15) == CEC_LOG_ADDR_TV, "TV received Image View On from %d", la);
	LCHECK(tv_expect(tv, CEC_MSG_ACTIVE_SOURCE, &m, 3000) == 0 && (m.msg[0] & 15) == 15 &&
	       m.len == 4 && ((m.msg[2] << 8) | m.msg[3]) == pa, "TV received Active Source %x broadcast",
	       pa);
	r = cec_dev_standby(c);
	LCHECK(r == 0, "standby sent: %s", strerror(-r));
	LCHECK(tv_expect(tv, CEC_MSG_STANDBY, &m, 3000) == 0, "TV received Standby");
	/* the TV talks to us: a User Control Pressed reaches cec_dev_receive */
	{
		struct cec_msg k;
		struct cec_dev_msg got;

		memset(&k, 0, sizeof(k));
		k.msg[0] = (uint8_t)(CEC_LOG_ADDR_TV << 4 | la);
		k.msg[1] = CEC_MSG_USER_CONTROL_PRESSED;
		k.msg[2] = CEC_OP_UI_CMD_SELECT;
		k.len = 3;
		LCHECK(ioctl(tv, CEC_TRANSMIT, &k) == 0 && (k.tx_status & CEC_TX_STATUS_OK),
		       "TV sends User Control Pressed (Select) to %d", la);
		r = -EAGAIN;
		for (int i = 0; i < 10; i++) {
			r = cec_dev_receive(c, &got, 300);
			if (r == 0 && got.len >= 3 && got.msg[1] == CEC_MSG_USER_CONTROL_PRESSED)
				break;
			r = -EAGAIN;
		}
		LCHECK(r == 0 && got.msg[2] == CEC_OP_UI_CMD_SELECT, "we received it from the TV");
	}
	lab_detail("playback LA %d at %x.0.0.0: Image View On + Active Source on wake, Standby, "
		   "remote key from the TV", la, pa >> 12);
	cec_dev_close(c);
	close(tv);
	return lab_exit();
}

/* m2m.c: stateful V4L2 memory-to-memory encoder and decoder (the "v4l2m2m" venc/vdec drivers).
 *
 * DESIGN
 * One instance is used by one thread (the encoder or decoder thread). Both
 * queues use mmap buffers; the single- and multi-planar APIs are both
 * spoken (one plane per buffer), so vicodec (lab) and bcm2835-codec (rpi4)
 * work alike. The codec is chosen with args codec=H264 (default) or FWHT.
 * Encoder (V4L2 stateful encoder interface):
 *   S_FMT CAPTURE(coded) -> S_FMT OUTPUT(raw) -> REQBUFS both -> queue all
 *   CAPTURE -> STREAMON both. send_frame copies the frame into a free OUTPUT
 *   buffer (its timestamp carries capture_us through the device); finished
 *   CAPTURE buffers become mpkts (copied, the buffer is queued again).
 *   Drain: V4L2_ENC_CMD_STOP, then packets until the one flagged LAST;
 *   receive_packet() then returns -ENODATA.
 * Decoder (V4L2 stateful decoder interface):
 *   S_FMT OUTPUT(coded) -> REQBUFS OUTPUT -> STREAMON OUTPUT; the CAPTURE
 *   queue is set up when the device reports V4L2_EVENT_SOURCE_CHANGE (it has
 *   parsed the stream's size). Drain: V4L2_DEC_CMD_STOP, frames until LAST.
 * While waiting for a free OUTPUT buffer, finished CAPTURE buffers are taken
 * into a small FIFO so the device never stalls on a full CAPTURE queue.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "drv/drivers.h"
#include "lib/base/cleanup.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "v4l2m2m/m2m.h"
#include "v4l2m2m/m2m_int.h"

int m2m_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

uint32_t m2m_codec_arg(const char *args, uint32_t def)
{
	char v[8] = "";

	if (drv_arg(args, "codec", v, sizeof(v)) < 0)
		return def;
	return v4l2_fourcc(v[0], v[1] ? v[1] : ' ', v[1] && v[2] ? v[2] : ' ',
			   v[1] && v[2] && v[3] ? v[3] : ' ');
}

bool m2m_queue_has(int fd, uint32_t type, uint32_t fourcc)
{
	for (uint32_t i = 0; i < 128; i++) {
		struct v4l2_fmtdesc d = { .index = i, .type = type };

		if (m2m_ioctl(fd, VIDIOC_ENUM_FMT, &d) < 0)
			return false;
		if (d.pixelformat == fourcc)
			return true;
	}
	return false;
}

/* the M2M node taking `coded` on the CAPTURE (encoder) or OUTPUT (decoder) queue */
int m2m_find(struct m2m *m, const char *args)
{
	char want_path[64] = "", want_name[64] = "";
	DIR *d;
	struct dirent *de;

	(void)drv_arg(args, "device", want_path, sizeof(want_path));
	(void)drv_arg(args, "name", want_name, sizeof(want_name));
	d = opendir("/dev");
	if (!d)
		return -ENODEV;
	while ((de = readdir(d))) {
		struct v4l2_capability cap = { 0 };
		char path[64];
		uint32_t c;
		int fd;

		if (strncmp(de->d_name, "video", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%.40s", de->d_name);
		if (want_path[0] && strcmp(path, want_path) != 0)
			continue;
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (m2m_ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0) {
			c = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
			m->mp = c & V4L2_CAP_VIDEO_M2M_MPLANE;
			m->out.type = m->mp ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
			m->cap.type = m->mp ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
			if ((c & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)) &&
			    (!want_name[0] || !strcmp((const char *)cap.card, want_name)) &&
			    m2m_queue_has(fd, m->enc ? m->cap.type : m->out.type, m->coded) &&
			    !m2m_queue_has(fd, m->enc ? m->out.type : m->cap.type, m->coded)) {
				closedir(d);
				snprintf(m->st.card, sizeof(m->st.card), "%s", (const char *)cap.card);
				snprintf(m->st.path, sizeof(m->st.path), "%s", path);
				return fd;
			}
		}
		close(fd);
	}
	closedir(d);
	return -ENODEV;
}

int m2m_fmt_set(struct m2m *m, struct m2m_q *q, uint32_t fourcc, int w, int h, size_t sizeimage)
{
	struct v4l2_format f = { .type = q->type };
	int r;

	if (m->mp) {
		f.fmt.pix_mp.width = (uint32_t)w;
		f.fmt.pix_mp.height = (uint32_t)h;
		f.fmt.pix_mp.pixelformat = fourcc;
		f.fmt.pix_mp.num_planes = 1;
		f.fmt.pix_mp.plane_fmt[0].sizeimage = (uint32_t)sizeimage;
	} else {
		f.fmt.pix.width = (uint32_t)w;
		f.fmt.pix.height = (uint32_t)h;
		f.fmt.pix.pixelformat = fourcc;
		f.fmt.pix.sizeimage = (uint32_t)sizeimage;
	}
	r = m2m_ioctl(m->fd, VIDIOC_S_FMT, &f);
	if (r < 0)
		return r;
	return 0;
}

int m2m_fmt_get(struct m2m *m, struct m2m_q *q)
{
	struct v4l2_format f = { .type = q->type };
	int r = m2m_ioctl(m->fd, VIDIOC_G_FMT, &f);

	if (r < 0)
		return r;
	if (m->mp) {
		if (f.fmt.pix_mp.num_planes != 1)
			return -EOPNOTSUPP; /* one plane per buffer only */
		q->fourcc = f.fmt.pix_mp.pixelformat;
		q->width = (int)f.fmt.pix_mp.width;
		q->height = (int)f.fmt.pix_mp.height;
		q->bpl = (int)f.fmt.pix_mp.plane_fmt[0].bytesperline;
		q->sizeimage = f.fmt.pix_mp.plane_fmt[0].sizeimage;
	} else {
		q->fourcc = f.fmt.pix.pixelformat;
		q->width = (int)f.fmt.pix.width;
		q->height = (int)f.fmt.pix.height;
		q->bpl = (int)f.fmt.pix.bytesperline;
		q->sizeimage = f.fmt.pix.sizeimage;
	}
	return 0;
}

static void buf_init(struct m2m *m, struct m2m_q *q, struct v4l2_buffer *b, struct v4l2_plane *pl, int i)
{
	memset(b, 0, sizeof(*b));
	memset(pl, 0, sizeof(*pl));
	b->type = q->type;
	b->memory = V4L2_MEMORY_MMAP;
	b->index = (uint32_t)i;
	if (m->mp) {
		b->m.planes = pl;
		b->length = 1;
	}
}

int m2m_q_alloc(struct m2m *m, struct m2m_q *q, int count)
{
	struct v4l2_requestbuffers rb = { .count = (uint32_t)count, .type = q->type, .memory = V4L2_MEMORY_MMAP };
	int r = m2m_ioctl(m->fd, VIDIOC_REQBUFS, &rb);

	if (r < 0)
		return r;
	q->n = (int)MIN(rb.count, (uint32_t)M2M_MAX_BUFS);
	for (int i = 0; i < q->n; i++) {
		struct v4l2_buffer b;
		struct v4l2_plane pl;
		uint32_t len, off;

		buf_init(m, q, &b, &pl, i);
		r = m2m_ioctl(m->fd, VIDIOC_QUERYBUF, &b);
		if (r < 0)
			return r;
		len = m->mp ? pl.length : b.length;
		off = m->mp ? pl.m.mem_offset : b.m.offset;
		q->b[i].p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, off);
		if (q->b[i].p == MAP_FAILED) {
			q->b[i].p = NULL;
			return -errno;
		}
		q->b[i].len = len;
		q->b[i].queued = false;
	}
	return 0;
}

void m2m_q_free(struct m2m *m, struct m2m_q *q)
{
	for (int i = 0; i < q->n; i++)
		if (q->b[i].p)
			munmap(q->b[i].p, q->b[i].len);
	q->n = 0;
	if (m->fd >= 0) {
		struct v4l2_requestbuffers rb = { .count = 0, .type = q->type, .memory = V4L2_MEMORY_MMAP };

		(void)m2m_ioctl(m->fd, VIDIOC_REQBUFS, &rb);
	}
}

int m2m_q_qbuf(struct m2m *m, struct m2m_q *q, int i, size_t used, uint64_t ts_us)
{
	struct v4l2_buffer b;
	struct v4l2_plane pl;
	int r;

	buf_init(m, q, &b, &pl, i);
	if (m->mp)
		pl.bytesused = (uint32_t)used;
	else
		b.bytesused = (uint32_t)used;
	b.timestamp.tv_sec = (time_t)(ts_us / 1000000u);
	b.timestamp.tv_usec = (suseconds_t)(ts_us % 1000000u);
	r = m2m_ioctl(m->fd, VIDIOC_QBUF, &b);
	if (r == 0)
		q->b[i].queued = true;
	return r;
}

/* non-blocking; -EAGAIN if nothing is ready, -EPIPE after the LAST buffer */
int m2m_q_dqbuf(struct m2m *m, struct m2m_q *q, int *idx, size_t *used, uint32_t *flags, uint64_t *ts)
{
	struct v4l2_buffer b;
	struct v4l2_plane pl;
	int r;

	buf_init(m, q, &b, &pl, 0);
	r = m2m_ioctl(m->fd, VIDIOC_DQBUF, &b);
	if (r < 0)
		return r;
	if (b.index >= (uint32_t)q->n)
		return -EIO;
	q->b[b.index].queued = false;
	*idx = (int)b.index;
	*used = m->mp ? pl.bytesused : b.bytesused;
	*flags = b.flags;
	*ts = (uint64_t)b.timestamp.tv_sec * 1000000u + (uint64_t)b.timestamp.tv_usec;
	return 0;
}

int m2m_stream(struct m2m *m, struct m2m_q *q, bool on)
{
	uint32_t type = q->type;
	int r = m2m_ioctl(m->fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type);

	if (r == 0)
		q->streaming = on;
	return r;
}

int m2m_wait(struct m2m *m, short events, int timeout_ms)
{
	struct pollfd p = { .fd = m->fd, .events = events };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r == 0 ? -ETIMEDOUT : p.revents;
}

void m2m_fifo_push(struct m2m *m, void *x)
{
	if (m->fifo_n < M2M_FIFO)
		m->fifo[m->fifo_n++] = x;
	else if (m->enc)
		mpkt_unref(x), m->st.dropped++;
	else
		vframe_unref(x), m->st.dropped++;
}

void *m2m_fifo_pop(struct m2m *m)
{
	void *x;

	if (!m->fifo_n)
		return NULL;
	x = m->fifo[0];
	memmove(m->fifo, m->fifo + 1, sizeof(m->fifo[0]) * (size_t)--m->fifo_n);
	return x;
}

struct m2m *m2m_close(struct m2m *m)
{
	if (!m)
		return NULL;
	while (m->fifo_n) {
		void *x = m2m_fifo_pop(m);

		if (m->enc)
			mpkt_unref(x);
		else
			vframe_unref(x);
	}
	if (m->fd >= 0) {
		if (m->out.streaming)
			m2m_stream(m, &m->out, false);
		if (m->cap.streaming)
			m2m_stream(m, &m->cap, false);
	}
	m2m_q_free(m, &m->out);
	m2m_q_free(m, &m->cap);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
	return NULL;
}

void m2m_get_stats(struct m2m *m, struct m2m_stats *ret)
{
	*ret = m->st;
}


/* m2m_dec.c: the stateful V4L2 decoder (see the DESIGN block in m2m.c). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>

#include "drv/drivers.h"
#include "lib/base/cleanup.h"
#include "lib/log/log.h"
#include "v4l2m2m/m2m.h"
#include "v4l2m2m/m2m_int.h"

LOG_TOPIC(m2m);

#define WAIT_MS 2000
#define CODED_BUF_SIZE (1u << 20)

int m2m_dec_open(struct m2m **ret, struct vdec_params *p)
{
	const char *args = p && p->args ? p->args : "";
	struct v4l2_event_subscription sub = { .type = V4L2_EVENT_SOURCE_CHANGE };
	struct m2m *m;
	int r;

	if (!ret)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->coded = m2m_codec_arg(args, V4L2_PIX_FMT_H264);
	m->fd = m2m_find(m, args);
	if (m->fd < 0) {
		r = m->fd;
		free(m);
		return r;
	}
	/* the size is a guess: the device reports the real one with SOURCE_CHANGE */
	r = m2m_fmt_set(m, &m->out, m->coded, drv_arg_int(args, "width", 1280), drv_arg_int(args, "height", 720),
			CODED_BUF_SIZE);
	if (r == 0)
		r = m2m_fmt_get(m, &m->out);
	if (r == 0)
		r = m2m_ioctl(m->fd, VIDIOC_SUBSCRIBE_EVENT, &sub);
	if (r == 0) {
		sub.type = V4L2_EVENT_EOS;
		(void)m2m_ioctl(m->fd, VIDIOC_SUBSCRIBE_EVENT, &sub);
		r = m2m_q_alloc(m, &m->out, CLAMP(drv_arg_int(args, "buffers", 4), 2, M2M_MAX_BUFS));
	}
	if (r == 0)
		r = m2m_stream(m, &m->out, true);
	if (r < 0) {
		log_debug_errno(m2m, r, "%s: decoder setup: %m", m->st.path);
		m2m_close(m);
		return r;
	}
	m->st.out_bufs = m->out.n;
	*ret = m;
	return 0;
}

/* (re)build the CAPTURE queue for the size the device found in the stream */
static int capture_setup(struct m2m *m)
{
	struct v4l2_control min = { .id = V4L2_CID_MIN_BUFFERS_FOR_CAPTURE };
	int r, n;

	if (m->cap.streaming)
		(void)m2m_stream(m, &m->cap, false);
	m2m_q_free(m, &m->cap);
	r = m2m_fmt_get(m, &m->cap);
	if (r < 0)
		return r;
	/* I420 if the device can give it at this size, else keep its choice (converted) */
	if (m->cap.fourcc != V4L2_PIX_FMT_YUV420 &&
	    m2m_fmt_set(m, &m->cap, V4L2_PIX_FMT_YUV420, m->cap.width, m->cap.height, 0) == 0)
		(void)m2m_fmt_get(m, &m->cap);
	{
		/* the visible picture inside the (padded) buffer */
		struct v4l2_selection sel = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .target = V4L2_SEL_TGT_COMPOSE };

		m->vis_w = m->cap.width;
		m->vis_h = m->cap.height;
		if (m2m_ioctl(m->fd, VIDIOC_G_SELECTION, &sel) == 0 && sel.r.width && sel.r.height &&
		    (int)sel.r.width <= m->cap.width && (int)sel.r.height <= m->cap.height) {
			m->vis_w = (int)sel.r.width & ~1;
			m->vis_h = (int)sel.r.height & ~1;
		}
	}
	n = m2m_ioctl(m->fd, VIDIOC_G_CTRL, &min) == 0 ? min.value + 2 : 4;
	r = m2m_q_alloc(m, &m->cap, CLAMP(n, 2, M2M_MAX_BUFS));
	for (int i = 0; r == 0 && i < m->cap.n; i++)
		r = m2m_q_qbuf(m, &m->cap, i, 0, 0);
	if (r == 0)
		r = m2m_stream(m, &m->cap, true);
	if (r < 0)
		return r;
	m->cap_ready = true;
	m->st.raw_fourcc = m->cap.fourcc;
	m->st.width = m->vis_w;
	m->st.height = m->vis_h;
	m->st.cap_bufs = m->cap.n;
	return 0;
}

static int handle_events(struct m2m *m)
{
	struct v4l2_event ev;
	int r = 0;

	while (m2m_ioctl(m->fd, VIDIOC_DQEVENT, &ev) == 0) {
		if (ev.type == V4L2_EVENT_SOURCE_CHANGE &&
		    (ev.u.src_change.changes & V4L2_EVENT_SRC_CH_RESOLUTION)) {
			m->st.source_changes++;
			r = capture_setup(m);
		}
	}
	return r;
}

static struct vframe *frame_from(struct m2m *m, int idx, uint64_t ts)
{
	const uint8_t *src = m->cap.b[idx].p;
	int h = m->cap.height, bpl = m->cap.bpl;
	enum vfmt fmt = m->cap.fourcc == V4L2_PIX_FMT_NV12 ? VFMT_NV12 : VFMT_I420;
	uint8_t *planes[3] = { (uint8_t *)src, (uint8_t *)src + (size_t)bpl * h, NULL };
	int strides[3] = { bpl, fmt == VFMT_NV12 ? bpl : bpl / 2, bpl / 2 };
	struct vframe *wrap = NULL, *f = NULL;

	if (m->cap.fourcc != V4L2_PIX_FMT_NV12 && m->cap.fourcc != V4L2_PIX_FMT_YUV420)
		return NULL;
	if ((size_t)bpl * h * 3 / 2 > m->cap.b[idx].len)
		return NULL;
	planes[2] = planes[1] + (size_t)(bpl / 2) * (h / 2);
	/* the contract hands out I420 frames that outlive the buffer: copy (or convert) */
	if (vframe_wrap(&wrap, fmt, m->vis_w, m->vis_h, planes, strides, NULL, NULL) < 0)
		return NULL;
	if (vframe_convert(&f, wrap, VFMT_I420) < 0)
		f = NULL;
	vframe_unref(wrap);
	if (f) {
		f->capture_us = ts;
		f->seq = m->seq++;
		m->st.copies += fmt != VFMT_I420;
	}
	return f;
}

static int collect(struct m2m *m)
{
	int idx, r = 0;
	size_t used;
	uint32_t flags;
	uint64_t ts;

	handle_events(m);
	while (m2m_q_dqbuf(m, &m->out, &idx, &used, &flags, &ts) == 0)
		;
	while (m->cap_ready && !m->eos && (r = m2m_q_dqbuf(m, &m->cap, &idx, &used, &flags, &ts)) == 0) {
		if (used > 0 && !(flags & V4L2_BUF_FLAG_ERROR)) {
			struct vframe *f = frame_from(m, idx, ts);

			if (f) {
				m->st.received++;
				m2m_fifo_push(m, f);
			}
		}
		if (flags & V4L2_BUF_FLAG_LAST)
			m->eos = m->st.eos = true;
		else
			(void)m2m_q_qbuf(m, &m->cap, idx, 0, 0);
	}
	if (m->cap_ready && !m->eos && r == -EPIPE)
		m->eos = m->st.eos = true;
	return 0;
}

int m2m_dec_send(struct m2m *m, struct mpkt *p)
{
	int free_i = -1, r;

	if (!m)
		return -EINVAL;
	if (!p) {
		struct v4l2_decoder_cmd cmd = { .cmd = V4L2_DEC_CMD_STOP };

		m->draining = true;
		return m2m_ioctl(m->fd, VIDIOC_DECODER_CMD, &cmd);
	}
	if (m->draining)
		return -EINVAL;
	for (;;) {
		collect(m);
		for (int i = 0; i < m->out.n && free_i < 0; i++)
			if (!m->out.b[i].queued)
				free_i = i;
		if (free_i >= 0)
			break;
		r = m2m_wait(m, POLLIN | POLLOUT | POLLPRI, WAIT_MS);
		if (r < 0)
			return r;
	}
	if (p->len > m->out.b[free_i].len)
		return -EMSGSIZE;
	memcpy(m->out.b[free_i].p, p->data, p->len);
	r = m2m_q_qbuf(m, &m->out, free_i, p->len, p->capture_us);
	if (r == 0)
		m->st.sent++;
	return r;
}

int m2m_dec_receive(struct m2m *m, struct vframe **ret)
{
	if (!m || !ret)
		return -EINVAL;
	for (;;) {
		struct vframe *f;
		int r;

		collect(m);
		f = m2m_fifo_pop(m);
		if (f) {
			*ret = f;
			return 0;
		}
		if (m->eos)
			return -ENODATA;
		if (!m->draining)
			return -EAGAIN;
		r = m2m_wait(m, POLLIN | POLLPRI, WAIT_MS);
		if (r < 0)
			return r;
	}
}

/* --- the vdec contract ------------------------------------------------------ */

struct dec_drv {
	struct m2m *m;
};

static int dec_open(void *priv, struct vdec_params *p)
{
	return m2m_dec_open(&((struct dec_drv *)priv)->m, p);
}

static void dec_close(void *priv)
{
	struct dec_drv *d = priv;

	d->m = m2m_close(d->m);
}

static int dec_send(void *priv, struct mpkt *p)
{
	return m2m_dec_send(((struct dec_drv *)priv)->m, p);
}

static int dec_receive(void *priv, struct vframe **ret)
{
	return m2m_dec_receive(((struct dec_drv *)priv)->m, ret);
}

const struct vdec_ops v4l2m2m_vdec_ops = {
	.name = "v4l2m2m",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct dec_drv),
	.open = dec_open,
	.close = dec_close,
	.send_packet = dec_send,
	.receive_frame = dec_receive,
};

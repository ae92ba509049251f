/* m2m_enc.c: the stateful V4L2 encoder (see the DESIGN block in m2m.c). */
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

static void set_ctrl(struct m2m *m, uint32_t id, int v)
{
	struct v4l2_control c = { .id = id, .value = v };

	if (m2m_ioctl(m->fd, VIDIOC_S_CTRL, &c) < 0)
		log_debug(m2m, "control %#x = %d not taken, ignoring", id, v);
}

int m2m_enc_open(struct m2m **ret, struct venc_params *p)
{
	const char *args = p && p->args ? p->args : "";
	struct m2m *m;
	uint32_t raw;
	int r, nbuf;

	if (!ret || !p || p->width <= 0 || p->height <= 0 || ((p->width | p->height) & 1))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->enc = true;
	m->coded = m2m_codec_arg(args, V4L2_PIX_FMT_H264);
	m->fd = m2m_find(m, args);
	if (m->fd < 0) {
		r = m->fd;
		free(m);
		return r;
	}
	nbuf = CLAMP(drv_arg_int(args, "buffers", 4), 2, M2M_MAX_BUFS);
	/* the coded format first: it decides what raw formats the device offers */
	r = m2m_fmt_set(m, &m->cap, m->coded, p->width, p->height, (size_t)p->width * p->height * 3 / 2);
	if (r < 0)
		goto fail;
	raw = m2m_queue_has(m->fd, m->out.type, V4L2_PIX_FMT_NV12) ? V4L2_PIX_FMT_NV12 : V4L2_PIX_FMT_YUV420;
	r = m2m_fmt_set(m, &m->out, raw, p->width, p->height, 0);
	if (r == 0)
		r = m2m_fmt_get(m, &m->out);
	if (r == 0)
		r = m2m_fmt_get(m, &m->cap);
	if (r < 0)
		goto fail;
	if (m->out.fourcc != raw || m->out.width < p->width || m->out.height < p->height) {
		r = -EINVAL;
		goto fail;
	}
	if (m->out.width != p->width || m->out.height != p->height) {
		/* the device pads (e.g. to 8 or 16 lines): crop to the picture's size */
		struct v4l2_selection sel = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT, .target = V4L2_SEL_TGT_CROP,
					      .r = { 0, 0, (uint32_t)p->width, (uint32_t)p->height } };

		if (m2m_ioctl(m->fd, VIDIOC_S_SELECTION, &sel) < 0)
			log_debug(m2m, "crop %dx%d not taken, ignoring", p->width, p->height);
	}
	m->vis_w = p->width;
	m->vis_h = p->height;
	if (p->fps > 0) {
		struct v4l2_streamparm sp = { .type = m->out.type };

		sp.parm.output.timeperframe.numerator = 1;
		sp.parm.output.timeperframe.denominator = (uint32_t)p->fps;
		(void)m2m_ioctl(m->fd, VIDIOC_S_PARM, &sp);
	}
	if (p->bitrate_kbps > 0)
		set_ctrl(m, V4L2_CID_MPEG_VIDEO_BITRATE, p->bitrate_kbps * 1000);
	if (p->keyint > 0)
		set_ctrl(m, V4L2_CID_MPEG_VIDEO_GOP_SIZE, p->keyint);
	if (m->coded == V4L2_PIX_FMT_H264)
		set_ctrl(m, V4L2_CID_MPEG_VIDEO_H264_PROFILE,
			 p->profile == VENC_PROFILE_HIGH   ? V4L2_MPEG_VIDEO_H264_PROFILE_HIGH
			 : p->profile == VENC_PROFILE_MAIN ? V4L2_MPEG_VIDEO_H264_PROFILE_MAIN
							   : V4L2_MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE);
	r = m2m_q_alloc(m, &m->out, nbuf);
	if (r == 0)
		r = m2m_q_alloc(m, &m->cap, nbuf);
	for (int i = 0; r == 0 && i < m->cap.n; i++)
		r = m2m_q_qbuf(m, &m->cap, i, 0, 0);
	if (r == 0)
		r = m2m_stream(m, &m->out, true);
	if (r == 0)
		r = m2m_stream(m, &m->cap, true);
	if (r < 0)
		goto fail;
	m->st.raw_fourcc = raw;
	m->st.width = m->vis_w;
	m->st.height = m->vis_h;
	m->st.out_bufs = m->out.n;
	m->st.cap_bufs = m->cap.n;
	log_debug(m2m, "%s (%s): encoder %.4s <- %.4s %dx%d", m->st.path, m->st.card, (char *)&m->coded,
		  (char *)&raw, m->out.width, m->out.height);
	*ret = m;
	return 0;
fail:
	log_debug_errno(m2m, r, "%s: encoder setup: %m", m->st.path);
	m2m_close(m);
	return r;
}

/* take finished packets into the FIFO and reclaim consumed raw buffers */
static int collect(struct m2m *m)
{
	int idx, r;
	size_t used;
	uint32_t flags;
	uint64_t ts;

	while (m2m_q_dqbuf(m, &m->out, &idx, &used, &flags, &ts) == 0)
		;
	while (!m->eos && (r = m2m_q_dqbuf(m, &m->cap, &idx, &used, &flags, &ts)) == 0) {
		if (used > 0 && used <= m->cap.b[idx].len) {
			struct mpkt *pk = NULL;

			if (mpkt_new_copy(&pk, m->cap.b[idx].p, used) == 0) {
				pk->keyframe = flags & V4L2_BUF_FLAG_KEYFRAME;
				pk->capture_us = ts;
				pk->pts = (int64_t)(ts * 9 / 100);
				pk->seq = m->seq++;
				m->st.keyframes += pk->keyframe;
				m->st.received++;
				m2m_fifo_push(m, pk);
			}
		}
		if (flags & V4L2_BUF_FLAG_LAST)
			m->eos = m->st.eos = true;
		else
			(void)m2m_q_qbuf(m, &m->cap, idx, 0, 0);
	}
	if (!m->eos && r == -EPIPE)
		m->eos = m->st.eos = true; /* dequeuing after LAST */
	return 0;
}

static int copy_in(struct m2m *m, int i, const struct vframe *f)
{
	struct vframe *conv = NULL;
	const struct vframe *s = f;
	enum vfmt want = m->out.fourcc == V4L2_PIX_FMT_NV12 ? VFMT_NV12 : VFMT_I420;
	uint8_t *dst = m->out.b[i].p;
	int bpl = m->out.bpl, h = m->out.height, r;
	size_t need = (size_t)bpl * h * 3 / 2;

	if (!dst || need > m->out.b[i].len)
		return -EINVAL;
	if (f->fmt != want) {
		r = vframe_convert(&conv, f, want);
		if (r < 0)
			return r;
		s = conv;
		m->st.copies++;
	}
	for (int y = 0; y < f->height; y++)
		memcpy(dst + (size_t)y * bpl, s->data[0] + (size_t)y * s->stride[0], (size_t)f->width);
	if (want == VFMT_NV12) {
		for (int y = 0; y < f->height / 2; y++)
			memcpy(dst + (size_t)bpl * h + (size_t)y * bpl, s->data[1] + (size_t)y * s->stride[1],
			       (size_t)f->width);
	} else {
		for (int p = 1; p < 3; p++)
			for (int y = 0; y < f->height / 2; y++)
				memcpy(dst + (size_t)bpl * h + (size_t)(p - 1) * (bpl / 2) * (h / 2) +
					       (size_t)y * (bpl / 2),
				       s->data[p] + (size_t)y * s->stride[p], (size_t)f->width / 2);
	}
	vframe_unref(conv);
	return 0;
}

int m2m_enc_send(struct m2m *m, struct vframe *f)
{
	int free_i = -1, r;

	if (!m)
		return -EINVAL;
	if (!f) {
		struct v4l2_encoder_cmd cmd = { .cmd = V4L2_ENC_CMD_STOP };

		m->draining = true;
		return m2m_ioctl(m->fd, VIDIOC_ENCODER_CMD, &cmd);
	}
	if (m->draining)
		return -EINVAL;
	if (f->width != m->vis_w || f->height != m->vis_h)
		return -EINVAL;
	for (;;) {
		collect(m);
		for (int i = 0; i < m->out.n && free_i < 0; i++)
			if (!m->out.b[i].queued)
				free_i = i;
		if (free_i >= 0)
			break;
		r = m2m_wait(m, POLLIN | POLLOUT, WAIT_MS);
		if (r < 0)
			return r;
	}
	r = copy_in(m, free_i, f);
	if (r < 0)
		return r;
	r = m2m_q_qbuf(m, &m->out, free_i, (size_t)m->out.bpl * m->out.height * 3 / 2, f->capture_us);
	if (r == 0)
		m->st.sent++;
	return r;
}

int m2m_enc_receive(struct m2m *m, struct mpkt **ret)
{
	if (!m || !ret)
		return -EINVAL;
	for (;;) {
		struct mpkt *pk;
		int r;

		collect(m);
		pk = m2m_fifo_pop(m);
		if (pk) {
			*ret = pk;
			return 0;
		}
		if (m->eos)
			return -ENODATA;
		if (!m->draining)
			return -EAGAIN;
		/* draining: wait for the rest and the LAST buffer */
		r = m2m_wait(m, POLLIN, WAIT_MS);
		if (r < 0)
			return r;
	}
}

void m2m_enc_request_keyframe(struct m2m *m)
{
	if (m)
		set_ctrl(m, V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME, 1);
}

int m2m_enc_set_bitrate(struct m2m *m, int kbps)
{
	struct v4l2_control c = { .id = V4L2_CID_MPEG_VIDEO_BITRATE, .value = kbps * 1000 };

	if (!m || kbps <= 0)
		return -EINVAL;
	return m2m_ioctl(m->fd, VIDIOC_S_CTRL, &c);
}

/* --- the venc contract ------------------------------------------------------ */

struct enc_drv {
	struct m2m *m;
};

static int enc_open(void *priv, struct venc_params *p)
{
	return m2m_enc_open(&((struct enc_drv *)priv)->m, p);
}

static void enc_close(void *priv)
{
	struct enc_drv *d = priv;

	d->m = m2m_close(d->m);
}

static int enc_send(void *priv, struct vframe *f)
{
	return m2m_enc_send(((struct enc_drv *)priv)->m, f);
}

static int enc_receive(void *priv, struct mpkt **ret)
{
	return m2m_enc_receive(((struct enc_drv *)priv)->m, ret);
}

static void enc_keyframe(void *priv)
{
	m2m_enc_request_keyframe(((struct enc_drv *)priv)->m);
}

static int enc_bitrate(void *priv, int kbps)
{
	return m2m_enc_set_bitrate(((struct enc_drv *)priv)->m, kbps);
}

const struct venc_ops v4l2m2m_venc_ops = {
	.name = "v4l2m2m",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct enc_drv),
	.open = enc_open,
	.close = enc_close,
	.send_frame = enc_send,
	.receive_packet = enc_receive,
	.request_keyframe = enc_keyframe,
	.set_bitrate = enc_bitrate,
};

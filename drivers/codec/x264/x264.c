/* x264.c: H.264 software encoder (libx264) tuned for conferencing.
 *
 * DESIGN: tune zerolatency (no lookahead, no B-frames, sliced threads), so every
 * send_frame() yields its access unit at once; receive_packet() hands it out
 * (a small queue also holds what a drain flushes). Rate control is ABR with a
 * one-frame VBV (vbv-maxrate = bitrate, vbv-bufsize = bitrate / fps), which keeps
 * every frame near its share of the bitrate so the network never sees bursts.
 * SPS/PPS are repeated before every IDR so that a receiver can join or recover
 * at any keyframe; output is Annex B. Keyframe requests force the next picture
 * to IDR; set_bitrate() reconfigures the running encoder. The frame's capture
 * time travels through x264 in i_pts (an index into a ring of timestamps).
 * One instance is used by one thread (the encode thread); x264's own slice
 * threads are internal.
 *
 * args: preset=<x264 preset> (default superfast), slice-max-size=<bytes>,
 *       vbv-frames=<n> (VBV size in frames, default 1), debug=1 (x264 logs).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <x264.h>  /* needs stdint.h first */

#include "drv/drivers.h"

#define X264_DEFAULT_PRESET "superfast"
#define TS_RING 64
#define PKT_QUEUE 8

struct enc_ts {
	uint64_t capture_us;
	uint32_t seq;
};

struct x264enc {
	x264_t *enc;
	x264_param_t param;
	int width, height, fps;
	int vbv_frames;
	int64_t next_pts;
	bool want_idr;
	struct enc_ts ts[TS_RING];
	struct mpkt *q[PKT_QUEUE];      /* FIFO of finished access units */
	int q_head, q_len;
};

static const char *const profile_names[VENC_PROFILE_MAX] = { "baseline", "main", "high" };

static int queue_push(struct x264enc *e, struct mpkt *p)
{
	if (e->q_len == PKT_QUEUE)
		return -ENOBUFS;
	e->q[(e->q_head + e->q_len++) % PKT_QUEUE] = p;
	return 0;
}

/* x264 itself prints an error for an unknown name: check first */
static bool preset_known(const char *name)
{
	for (int i = 0; x264_preset_names[i]; i++)
		if (!strcmp(x264_preset_names[i], name))
			return true;
	return false;
}

static void rate_set(x264_param_t *pa, int kbps, int fps, int vbv_frames)
{
	pa->rc.i_rc_method = X264_RC_ABR;
	pa->rc.i_bitrate = kbps;
	pa->rc.i_vbv_max_bitrate = kbps;
	pa->rc.i_vbv_buffer_size = kbps * vbv_frames / fps;
	if (pa->rc.i_vbv_buffer_size < 1)
		pa->rc.i_vbv_buffer_size = 1;
}

static int x264enc_open(void *priv, struct venc_params *p)
{
	struct x264enc *e = priv;
	x264_param_t *pa = &e->param;
	char preset[32] = X264_DEFAULT_PRESET;
	int v;

	if (p->width < 16 || p->height < 16 || p->width > 4096 || p->height > 4096 ||
	    ((p->width | p->height) & 1) || p->fps <= 0 || p->fps > 240 ||
	    p->bitrate_kbps <= 0 || p->bitrate_kbps > 100000 || p->profile < 0 ||
	    p->profile >= VENC_PROFILE_MAX)
		return -EINVAL;
	(void)drv_arg(p->args, "preset", preset, sizeof(preset));
	if (!preset_known(preset) || x264_param_default_preset(pa, preset, "zerolatency") < 0)
		return -EINVAL;
	pa->i_log_level = drv_arg_int(p->args, "debug", 0) ? X264_LOG_DEBUG : X264_LOG_NONE;
	pa->i_width = p->width;
	pa->i_height = p->height;
	pa->i_csp = X264_CSP_I420;
	pa->i_fps_num = (uint32_t)p->fps;
	pa->i_fps_den = 1;
	pa->b_vfr_input = 0;
	pa->i_bframe = 0;
	pa->b_repeat_headers = 1;
	pa->b_annexb = 1;
	pa->b_aud = 0;
	pa->i_threads = p->threads > 0 ? p->threads : X264_THREADS_AUTO;
	pa->b_sliced_threads = 1;
	if (p->slices > 0)
		pa->i_slice_count = p->slices;
	v = drv_arg_int(p->args, "slice-max-size", 0);
	if (v > 0)
		pa->i_slice_max_size = v;
	if (p->intra_refresh) {
		pa->b_intra_refresh = 1;
		pa->i_keyint_max = p->keyint > 0 ? p->keyint : 2 * p->fps;
	} else {
		pa->i_keyint_max = p->keyint > 0 ? p->keyint : X264_KEYINT_MAX_INFINITE;
	}
	v = drv_arg_int(p->args, "vbv-frames", 1);
	e->vbv_frames = v > 0 && v <= 300 ? v : 1;
	rate_set(pa, p->bitrate_kbps, p->fps, e->vbv_frames);
	if (x264_param_apply_profile(pa, profile_names[p->profile]) < 0)
		return -EINVAL;
	if (p->profile == VENC_PROFILE_CONSTRAINED_BASELINE)
		pa->b_cabac = 0;
	e->enc = x264_encoder_open(pa);
	if (!e->enc)
		return -EINVAL;
	/* read back what x264 settled on (threads, slices...) */
	x264_encoder_parameters(e->enc, pa);
	e->width = p->width;
	e->height = p->height;
	e->fps = p->fps;
	return 0;
}

static void x264enc_close(void *priv)
{
	struct x264enc *e = priv;

	if (e->enc)
		x264_encoder_close(e->enc);
	e->enc = NULL;
	while (e->q_len) {
		e->q[e->q_head] = mpkt_unref(e->q[e->q_head]);
		e->q_head = (e->q_head + 1) % PKT_QUEUE;
		e->q_len--;
	}
}

/* run x264 on pic (NULL: flush one delayed frame); queue what comes out */
static int encode_one(struct x264enc *e, x264_picture_t *pic)
{
	x264_picture_t out;
	x264_nal_t *nal;
	struct mpkt *p;
	const struct enc_ts *t;
	int nnal, size, r;

	x264_picture_init(&out);
	size = x264_encoder_encode(e->enc, &nal, &nnal, pic, &out);
	if (size < 0)
		return -EIO;
	if (size == 0 || nnal <= 0)
		return 0;
	/* the payloads of one call are contiguous in memory */
	r = mpkt_new_copy(&p, nal[0].p_payload, (size_t)size);
	if (r < 0)
		return r;
	t = &e->ts[out.i_pts % TS_RING];
	p->capture_us = t->capture_us;
	p->seq = t->seq;
	p->pts = (int64_t)(t->capture_us * 9 / 100);
	p->keyframe = out.i_type == X264_TYPE_IDR;
	r = queue_push(e, p);
	if (r < 0)
		mpkt_unref(p);
	return r;
}

static int x264enc_send_frame(void *priv, struct vframe *f)
{
	struct x264enc *e = priv;
	struct vframe *conv = NULL;
	x264_picture_t pic;
	int r;

	if (!f) {
		while (x264_encoder_delayed_frames(e->enc) > 0 && e->q_len < PKT_QUEUE) {
			r = encode_one(e, NULL);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (f->width != e->width || f->height != e->height)
		return -EINVAL;
	if (e->q_len >= PKT_QUEUE)
		return -EAGAIN;   /* caller must drain receive_packet() first */
	if (f->fmt != VFMT_I420 && f->fmt != VFMT_NV12) {
		r = vframe_convert(&conv, f, VFMT_I420);
		if (r < 0)
			return r;
		f = conv;
	}
	x264_picture_init(&pic);
	pic.img.i_csp = f->fmt == VFMT_NV12 ? X264_CSP_NV12 : X264_CSP_I420;
	pic.img.i_plane = f->fmt == VFMT_NV12 ? 2 : 3;
	for (int i = 0; i < pic.img.i_plane; i++) {
		pic.img.plane[i] = f->data[i];
		pic.img.i_stride[i] = f->stride[i];
	}
	pic.i_pts = e->next_pts++;
	e->ts[pic.i_pts % TS_RING] = (struct enc_ts){ f->capture_us, f->seq };
	if (e->want_idr) {
		pic.i_type = X264_TYPE_IDR;
		e->want_idr = false;
	}
	r = encode_one(e, &pic);
	vframe_unref(conv);
	return r;
}

static int x264enc_receive_packet(void *priv, struct mpkt **ret)
{
	struct x264enc *e = priv;

	if (!e->q_len)
		return -EAGAIN;
	*ret = e->q[e->q_head];
	e->q[e->q_head] = NULL;
	e->q_head = (e->q_head + 1) % PKT_QUEUE;
	e->q_len--;
	return 0;
}

static void x264enc_request_keyframe(void *priv)
{
	struct x264enc *e = priv;

	e->want_idr = true;
}

static int x264enc_set_bitrate(void *priv, int kbps)
{
	struct x264enc *e = priv;
	x264_param_t pa;

	if (kbps <= 0 || kbps > 100000)
		return -EINVAL;
	x264_encoder_parameters(e->enc, &pa);
	rate_set(&pa, kbps, e->fps, e->vbv_frames);
	if (x264_encoder_reconfig(e->enc, &pa) < 0)
		return -EINVAL;
	e->param = pa;
	return 0;
}

const struct venc_ops x264_venc_ops = {
	.name = "x264",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct x264enc),
	.open = x264enc_open,
	.close = x264enc_close,
	.send_frame = x264enc_send_frame,
	.receive_packet = x264enc_receive_packet,
	.request_keyframe = x264enc_request_keyframe,
	.set_bitrate = x264enc_set_bitrate,
};

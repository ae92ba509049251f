/* lavc.c: H.264 software decoder (libavcodec), low delay, I420 output.
 *
 * DESIGN: send_packet() feeds one Annex B access unit to avcodec_send_packet();
 * receive_frame() pulls decoded pictures with avcodec_receive_frame() until
 * -EAGAIN. AV_CODEC_FLAG_LOW_DELAY and no frame threading mean a picture comes
 * out for the access unit that completes it, with no reordering delay (the
 * streams we decode have no B-frames). Each packet's capture_us, pts and seq
 * go into a ring indexed by a running counter passed as AVPacket.pts; the
 * decoded frame's pts finds them again. Pictures are copied into a new I420
 * vframe (yuv420p and yuvj420p directly, any other format through libswscale).
 * Corrupt input yields -EBADMSG; libavcodec guards its own parsing, and the
 * resolution is capped (max_pixels) so a peer cannot make us allocate without
 * bound. libav's logging is routed to our "lavc" topic at debug level, so it
 * is silent unless debug logging is on. One instance per thread.
 *
 * args: threads=<n> (slice threads, default 1), debug=1
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>

#include "drv/drivers.h"
#include "lib/log/log.h"

LOG_TOPIC(lavc);

#define TS_RING 64
#define LAVC_MAX_W 4096
#define LAVC_MAX_H 2304

struct dec_ts {
	int64_t idx;
	uint64_t capture_us;
	int64_t pts;
	uint32_t seq;
};

struct lavcdec {
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame;
	struct SwsContext *sws;
	int64_t next_idx;
	struct dec_ts ts[TS_RING];
};

static void lavc_log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
	static __thread int print_prefix = 1;
	char line[512];

	if (level > AV_LOG_VERBOSE || !log_enabled(&log_topic_lavc, LOG_DEBUG))
		return;
	av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &print_prefix);
	line[strcspn(line, "\n")] = 0;
	if (line[0])
		log_debug(lavc, "%s", line);
}

static void lavc_log_init(void)
{
	av_log_set_callback(lavc_log_cb);
}

static int averr(int e)
{
	if (e == AVERROR(EAGAIN))
		return -EAGAIN;
	if (e == AVERROR_EOF)
		return -ENODATA;
	if (e == AVERROR(ENOMEM))
		return -ENOMEM;
	if (e == AVERROR(EINVAL))
		return -EINVAL;
	return -EBADMSG;
}

static void lavcdec_close(void *priv)
{
	struct lavcdec *d = priv;

	avcodec_free_context(&d->ctx);
	av_packet_free(&d->pkt);
	av_frame_free(&d->frame);
	sws_freeContext(d->sws);
	d->sws = NULL;
}

static int lavcdec_open(void *priv, struct vdec_params *p)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct lavcdec *d = priv;
	const AVCodec *codec;
	int threads, r;

	(void)pthread_once(&once, lavc_log_init);
	codec = avcodec_find_decoder(AV_CODEC_ID_H264);
	if (!codec)
		return -ENOENT;
	d->ctx = avcodec_alloc_context3(codec);
	d->pkt = av_packet_alloc();
	d->frame = av_frame_alloc();
	if (!d->ctx || !d->pkt || !d->frame) {
		lavcdec_close(d);
		return -ENOMEM;
	}
	d->ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
	d->ctx->max_pixels = (int64_t)LAVC_MAX_W * LAVC_MAX_H;
	threads = drv_arg_int(p->args, "threads", 1);
	d->ctx->thread_count = threads > 0 && threads <= 16 ? threads : 1;
	d->ctx->thread_type = FF_THREAD_SLICE;
	r = avcodec_open2(d->ctx, codec, NULL);
	if (r < 0) {
		lavcdec_close(d);
		return averr(r);
	}
	return 0;
}

static int lavcdec_send_packet(void *priv, struct mpkt *p)
{
	struct lavcdec *d = priv;
	struct dec_ts *t;
	int r;

	if (!d->ctx)
		return -EINVAL;
	if (!p)
		return averr(avcodec_send_packet(d->ctx, NULL));
	if (!p->len)
		return 0;
	if (p->len > (16u << 20))
		return -EMSGSIZE;
	/* av_new_packet() adds the zeroed padding the bitstream reader needs */
	r = av_new_packet(d->pkt, (int)p->len);
	if (r < 0)
		return averr(r);
	memcpy(d->pkt->data, p->data, p->len);
	d->pkt->pts = d->next_idx++;
	d->pkt->dts = AV_NOPTS_VALUE;
	t = &d->ts[d->pkt->pts % TS_RING];
	*t = (struct dec_ts){ d->pkt->pts, p->capture_us, p->pts, p->seq };
	r = avcodec_send_packet(d->ctx, d->pkt);
	av_packet_unref(d->pkt);
	return r < 0 ? averr(r) : 0;
}

static int frame_copy_420(struct vframe *v, const AVFrame *fr)
{
	for (int pl = 0; pl < 3; pl++) {
		int w = pl ? v->width / 2 : v->width, h = pl ? v->height / 2 : v->height;

		for (int y = 0; y < h; y++)
			memcpy(v->data[pl] + (size_t)y * v->stride[pl],
			       fr->data[pl] + (ptrdiff_t)y * fr->linesize[pl], (size_t)w);
	}
	return 0;
}

static int frame_convert_sws(struct lavcdec *d, struct vframe *v, const AVFrame *fr)
{
	d->sws = sws_getCachedContext(d->sws, fr->width, fr->height, fr->format, v->width,
				      v->height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL,
				      NULL);
	if (!d->sws)
		return -ENOTSUP;
	sws_scale(d->sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height,
		  v->data, v->stride);
	return 0;
}

static int lavcdec_receive_frame(void *priv, struct vframe **ret)
{
	struct lavcdec *d = priv;
	const AVFrame *fr = d->frame;
	const struct dec_ts *t;
	struct vframe *v;
	int64_t idx;
	int r, w, h;

	if (!d->ctx)
		return -EINVAL;
	r = avcodec_receive_frame(d->ctx, d->frame);
	if (r < 0)
		return averr(r);
	/* I420 needs even sizes: drop an odd last row/column */
	w = fr->width & ~1;
	h = fr->height & ~1;
	r = vframe_new(&v, VFMT_I420, w, h);
	if (r < 0)
		goto out;
	if (fr->format == AV_PIX_FMT_YUV420P || fr->format == AV_PIX_FMT_YUVJ420P)
		r = frame_copy_420(v, fr);
	else
		r = frame_convert_sws(d, v, fr);
	if (r < 0) {
		vframe_unref(v);
		goto out;
	}
	idx = fr->pts != AV_NOPTS_VALUE ? fr->pts : fr->best_effort_timestamp;
	t = idx >= 0 ? &d->ts[idx % TS_RING] : NULL;
	if (t && t->idx == idx) {
		v->capture_us = t->capture_us;
		v->seq = t->seq;
		v->pts = t->pts;
	}
	*ret = v;
out:
	av_frame_unref(d->frame);
	return r;
}

const struct vdec_ops lavc_vdec_ops = {
	.name = "lavc",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct lavcdec),
	.open = lavcdec_open,
	.close = lavcdec_close,
	.send_packet = lavcdec_send_packet,
	.receive_frame = lavcdec_receive_frame,
};

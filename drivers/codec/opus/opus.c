/* opus.c: Opus voice encoder and decoder (libopus) with in-band FEC, DTX and PLC.
 *
 * DESIGN: the encoder is OPUS_APPLICATION_VOIP at 48 kHz: one aframe of exactly
 * frame_ms (10 or 20 ms) in, one packet out; with DTX a silent frame gives a
 * packet of 0..2 bytes (the caller may skip sending it). In-band FEC carries a
 * low-bitrate copy of the previous frame tuned by the expected loss percentage.
 * The decoder conceals a lost frame when given p == NULL (PLC) and decodes the
 * FEC copy of the previous frame out of the next packet when fec is true.
 * mpkt.pts is in 48 kHz samples (the encoder counts them from 0), capture_us
 * travels from the aframe. One instance is used by one thread; no allocation
 * happens in libopus after open. Encoder args: "complexity=N" (0..10).
 */
#include <errno.h>
#include <string.h>

#include <opus.h>

#include "drv/drivers.h"

#define OPUS_MAX_PACKET 1500
#define OPUS_MAX_FRAME_SAMPLES 5760  /* 120 ms at 48 kHz */

struct opusenc {
	OpusEncoder *enc;
	int rate, channels, frame_samples;
	int64_t next_pts;
};

struct opusdec {
	OpusDecoder *dec;
	int rate, channels;
};

static int opus_err(int e)
{
	switch (e) {
	case OPUS_BAD_ARG:
		return -EINVAL;
	case OPUS_BUFFER_TOO_SMALL:
		return -ENOBUFS;
	case OPUS_ALLOC_FAIL:
		return -ENOMEM;
	case OPUS_UNIMPLEMENTED:
		return -ENOTSUP;
	default:
		return -EBADMSG;  /* OPUS_INVALID_PACKET, OPUS_INTERNAL_ERROR, ... */
	}
}

static void opusenc_close(void *priv)
{
	struct opusenc *e = priv;

	if (e->enc)
		opus_encoder_destroy(e->enc);
	e->enc = NULL;
}

static int opusenc_open(void *priv, struct aenc_params *p)
{
	struct opusenc *e = priv;
	int err;

	if (p->rate != 48000 || (p->channels != 1 && p->channels != 2) ||
	    (p->frame_ms != 10 && p->frame_ms != 20) || p->loss_pct < 0 || p->loss_pct > 100)
		return -EINVAL;
	if (p->bitrate_bps && (p->bitrate_bps < 6000 || p->bitrate_bps > 510000))
		return -EINVAL;
	e->enc = opus_encoder_create(p->rate, p->channels, OPUS_APPLICATION_VOIP, &err);
	if (!e->enc)
		return opus_err(err);
	err = opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(p->bitrate_bps ? p->bitrate_bps
								     : OPUS_AUTO));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_INBAND_FEC(p->fec ? 1 : 0));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_PACKET_LOSS_PERC(p->loss_pct));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_DTX(p->dtx ? 1 : 0));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
	/* args "complexity=0..10" (libopus default otherwise): a bridge
	 * encoding many mixes trades a little quality for CPU */
	if (err == OPUS_OK && p->args && drv_arg_int(p->args, "complexity", -1) >= 0)
		err = opus_encoder_ctl(e->enc,
				       OPUS_SET_COMPLEXITY(drv_arg_int(p->args, "complexity", 10)));
	if (err != OPUS_OK) {
		opusenc_close(e);
		return opus_err(err);
	}
	e->rate = p->rate;
	e->channels = p->channels;
	e->frame_samples = p->rate / 1000 * p->frame_ms;
	return 0;
}

static int opusenc_encode(void *priv, struct aframe *f, struct mpkt **ret)
{
	struct opusenc *e = priv;
	struct mpkt *p;
	int n, r;

	if (!f || f->rate != e->rate || f->channels != e->channels ||
	    f->samples != e->frame_samples)
		return -EINVAL;
	r = mpkt_new(&p, OPUS_MAX_PACKET);
	if (r < 0)
		return r;
	n = opus_encode(e->enc, f->pcm, f->samples, p->data, OPUS_MAX_PACKET);
	if (n < 0) {
		mpkt_unref(p);
		return opus_err(n);
	}
	p->len = (size_t)n;
	p->capture_us = f->capture_us;
	p->seq = f->seq;
	p->pts = e->next_pts;
	e->next_pts += f->samples;
	*ret = p;
	return 0;
}

static int opusenc_set_bitrate(void *priv, int bps)
{
	struct opusenc *e = priv;

	if (bps < 6000 || bps > 510000)
		return -EINVAL;
	return opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(bps)) == OPUS_OK ? 0 : -EINVAL;
}

const struct aenc_ops opus_aenc_ops = {
	.name = "opus",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct opusenc),
	.open = opusenc_open,
	.close = opusenc_close,
	.encode = opusenc_encode,
	.set_bitrate = opusenc_set_bitrate,
};

static void opusdec_close(void *priv)
{
	struct opusdec *d = priv;

	if (d->dec)
		opus_decoder_destroy(d->dec);
	d->dec = NULL;
}

static int opusdec_open(void *priv, struct adec_params *p)
{
	struct opusdec *d = priv;
	int err;

	if (p->rate != 48000 || (p->channels != 1 && p->channels != 2))
		return -EINVAL;
	d->dec = opus_decoder_create(p->rate, p->channels, &err);
	if (!d->dec)
		return opus_err(err);
	d->rate = p->rate;
	d->channels = p->channels;
	return 0;
}

/* samples: for PLC (p NULL or empty) and FEC, the duration to produce per
 * channel (a multiple of 2.5 ms); a normal decode yields what the packet holds
 * (up to 120 ms) and ignores it. */
static int opusdec_decode(void *priv, struct mpkt *p, bool fec, int samples, struct aframe **ret)
{
	struct opusdec *d = priv;
	struct aframe *f;
	int max, n, r;
	bool lost = !p || !p->len;

	if (samples < 0 || samples > OPUS_MAX_FRAME_SAMPLES || (fec && lost))
		return -EINVAL;
	if (lost || fec) {
		/* PLC and FEC need the exact duration of the missing frame */
		if (!samples || samples % (d->rate / 400))
			return -EINVAL;
		max = samples;
	} else {
		if (!p->len || p->len > OPUS_MAX_PACKET * 4)
			return -EBADMSG;
		n = opus_packet_get_nb_samples(p->data, (opus_int32)p->len, d->rate);
		if (n < 0)
			return opus_err(n);
		if (n == 0 || n > OPUS_MAX_FRAME_SAMPLES)
			return -EBADMSG;
		max = n;
	}
	r = aframe_new(&f, d->rate, d->channels, max);
	if (r < 0)
		return r;
	n = opus_decode(d->dec, lost ? NULL : p->data, lost ? 0 : (opus_int32)p->len, f->pcm,
			max, fec ? 1 : 0);
	if (n < 0) {
		aframe_unref(f);
		return opus_err(n);
	}
	f->samples = n;
	if (p) {
		f->capture_us = p->capture_us;
		f->seq = p->seq;
	}
	*ret = f;
	return 0;
}

const struct adec_ops opus_adec_ops = {
	.name = "opus",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct opusdec),
	.open = opusdec_open,
	.close = opusdec_close,
	.decode = opusdec_decode,
};

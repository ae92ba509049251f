/* test_codecs.c: x264 encoder, libavcodec decoder and Opus through the driver contracts. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "drv/frame_metrics.h"
#include "drv/media_drv.h"
#include "drv/teststamp.h"
#include "lib/base/clock.h"
#include "test.h"

#define W 1280
#define H 720
#define FPS 30

static int src_open(struct vidsrc **ret, int w, int h, enum vfmt fmt)
{
	struct vidsrc_params p = { .width = w, .height = h, .fps = FPS, .fmt = fmt,
				   .args = "realtime=0" };

	return vidsrc_open(ret, "testsrc", &p);
}

static int enc_open(struct venc **ret, int kbps, enum venc_profile prof, const char *args)
{
	struct venc_params p = { .width = W, .height = H, .fps = FPS, .bitrate_kbps = kbps,
				 .profile = prof, .threads = 1, .args = args };

	return venc_open(ret, "x264", &p);
}

/* NAL unit types present in an Annex B access unit, as a bit mask */
static unsigned nal_types(const struct mpkt *p)
{
	unsigned mask = 0;

	for (size_t i = 0; i + 3 < p->len; i++)
		if (p->data[i] == 0 && p->data[i + 1] == 0 && p->data[i + 2] == 1)
			mask |= 1u << (p->data[i + 3] & 0x1f);
	return mask;
}

/* the encoder's own PPS bit entropy_coding_mode_flag is hard to reach;
 * the profile_idc in the SPS (byte after the NAL header) is not */
static int sps_profile(const struct mpkt *p)
{
	for (size_t i = 0; i + 4 < p->len; i++)
		if (p->data[i] == 0 && p->data[i + 1] == 0 && p->data[i + 2] == 1 &&
		    (p->data[i + 3] & 0x1f) == 7)
			return p->data[i + 4];
	return -1;
}

TEST(stamp_roundtrip_raw)
{
	struct vframe *f;
	uint32_t seq;
	uint64_t us, now = clock_now_us();

	CHECK_OK(vframe_new(&f, VFMT_I420, 640, 360));
	memset(f->data[0], 90, (size_t)640 * 360);
	CHECK_EQ(teststamp_read(f, &seq, &us), -EBADMSG);
	CHECK_OK(teststamp_draw(f, 0xdeadbeef, now - 1234));
	CHECK_OK(teststamp_read(f, &seq, &us));
	CHECK_EQ(seq, 0xdeadbeef);
	CHECK_EQ(us, now - 1234);
	/* one flipped data cell (row 1, column 10) breaks the checksum */
	int c = teststamp_cell(640);
	CHECK_EQ(c, 16);
	for (int y = c; y < 2 * c; y++)
		for (int x = 10 * c; x < 11 * c; x++)
			f->data[0][y * f->stride[0] + x] ^= 0xff;
	CHECK_EQ(teststamp_read(f, &seq, &us), -EBADMSG);
	vframe_unref(f);
	/* too narrow */
	CHECK_OK(vframe_new(&f, VFMT_I420, 96, 96));
	CHECK_EQ(teststamp_draw(f, 1, 1), -ERANGE);
	vframe_unref(f);
	/* reconstruction across the 40-bit wrap */
	CHECK_EQ(teststamp_resolve_us((1ULL << 40) - 10, (3ULL << 40) + 5), (3ULL << 40) - 10);
	CHECK_EQ(teststamp_resolve_us(20, (3ULL << 40) - 5), (3ULL << 40) + 20);
	CHECK_EQ(teststamp_resolve_us(777, (5ULL << 40) + 1000), (5ULL << 40) + 777);
}

TEST(x264_lavc_stamp_psnr)
{
	struct vidsrc *src;
	struct venc *enc;
	struct vdec *dec;
	struct vframe *in[64] = { 0 };
	int nin = 0, nout = 0, nframes = 45;
	double worst = 1000, sum = 0;
	size_t bytes = 0;

	CHECK_OK(src_open(&src, W, H, VFMT_I420));
	CHECK_OK(enc_open(&enc, 2000, VENC_PROFILE_CONSTRAINED_BASELINE, NULL));
	struct vdec_params dp = { 0 };
	CHECK_OK(vdec_open(&dec, "lavc", &dp));
	for (int i = 0; i < nframes; i++) {
		struct vframe *f;
		struct mpkt *p;

		CHECK_OK(vidsrc_read(src, &f));
		in[nin++] = f;
		CHECK_OK(venc_send_frame(enc, f));
		while (venc_receive_packet(enc, &p) == 0) {
			struct vframe *d;
			uint32_t seq;
			uint64_t cap;

			if (i == 0) {
				CHECK(p->keyframe);
				CHECK((nal_types(p) & (1u << 7 | 1u << 8 | 1u << 5)) ==
				      (1u << 7 | 1u << 8 | 1u << 5));
				CHECK_EQ(sps_profile(p), 66);
			}
			CHECK_EQ(p->capture_us, f->capture_us);
			CHECK_EQ(p->pts, (int64_t)(f->capture_us * 9 / 100));
			bytes += p->len;
			CHECK_OK(vdec_send_packet(dec, p));
			mpkt_unref(p);
			while (vdec_receive_frame(dec, &d) == 0) {
				const struct vframe *ref;
				double ps;

				CHECK(nout < nin);
				ref = in[nout++];
				CHECK_EQ(d->fmt, VFMT_I420);
				CHECK_EQ(d->width, W);
				CHECK_EQ(d->height, H);
				CHECK_EQ(d->capture_us, ref->capture_us);
				CHECK_OK(teststamp_read(d, &seq, &cap));
				CHECK_EQ(seq, ref->seq);
				CHECK_EQ(cap, ref->capture_us);
				ps = vframe_psnr(d, ref);
				if (getenv("RAKWON_VERBOSE"))
					printf("frame %d: %.2f dB\n", nout - 1, ps);
				sum += ps;
				if (ps < worst)
					worst = ps;
				vframe_unref(d);
			}
		}
	}
	printf("x264->lavc 720p 2 Mbit/s: %d frames, %zu bytes (%.0f kbit/s), PSNR worst %.2f avg %.2f dB\n",
	       nout, bytes, bytes * 8.0 * FPS / nframes / 1000, worst, nout ? sum / nout : 0);
	CHECK_EQ(nout, nframes);
	CHECK_MSG(worst >= 35.0, "worst PSNR %.2f dB < 35", worst);
	for (int i = 0; i < nin; i++)
		vframe_unref(in[i]);
	vdec_close(dec);
	venc_close(enc);
	vidsrc_close(src);
}

/* encode n frames from src, return the packets in pk[] */
static int encode_n(struct vidsrc *src, struct venc *enc, int n, struct mpkt **pk, int *npk,
		    int kf_at)
{
	for (int i = 0; i < n; i++) {
		struct vframe *f;
		struct mpkt *p;
		int r = vidsrc_read(src, &f);

		if (r < 0)
			return r;
		if (i == kf_at)
			venc_request_keyframe(enc);
		r = venc_send_frame(enc, f);
		vframe_unref(f);
		if (r < 0)
			return r;
		while (venc_receive_packet(enc, &p) == 0)
			pk[(*npk)++] = p;
	}
	return 0;
}

/* the stamp survives a small picture at a low rate (360p, 600 kbit/s). At
 * 300-400 kbit/s the one-frame VBV starves the first IDR to ~13 dB and its
 * stamp is sometimes lost (the later frames survive). */
TEST(stamp_survives_low_bitrate)
{
	struct vidsrc *src;
	struct venc *enc;
	struct vdec *dec;
	struct vdec_params dp = { 0 };
	struct venc_params ep = { .width = 640, .height = 360, .fps = FPS,
				  .bitrate_kbps = 600,
				  .threads = 1 };
	int ok = 0, n = 0;
	double first = 0;

	CHECK_OK(src_open(&src, 640, 360, VFMT_I420));
	CHECK_OK(venc_open(&enc, "x264", &ep));
	CHECK_OK(vdec_open(&dec, "lavc", &dp));
	for (int i = 0; i < 30; i++) {
		struct vframe *f, *d;
		struct mpkt *p;
		uint32_t seq;

		CHECK_OK(vidsrc_read(src, &f));
		CHECK_OK(venc_send_frame(enc, f));
		CHECK_OK(venc_receive_packet(enc, &p));
		CHECK_OK(vdec_send_packet(dec, p));
		CHECK_OK(vdec_receive_frame(dec, &d));
		if (!n++)
			first = vframe_psnr_y(d, f);
		if (teststamp_read(d, &seq, NULL) == 0 && seq == f->seq)
			ok++;
		else if (getenv("RAKWON_VERBOSE"))
			printf("frame %d: stamp lost (%zu bytes, PSNR %.2f)\n", i, p->len,
			       vframe_psnr_y(d, f));
		vframe_unref(d);
		vframe_unref(f);
		mpkt_unref(p);
	}
	printf("360p 600 kbit/s: %d/%d stamps read, first IDR luma PSNR %.2f dB\n", ok, n, first);
	CHECK_EQ(ok, n);
	vdec_close(dec);
	venc_close(enc);
	vidsrc_close(src);
}

TEST(x264_keyframe_request_gives_idr)
{
	struct vidsrc *src;
	struct venc *enc;
	struct mpkt *pk[16];
	int n = 0;

	CHECK_OK(src_open(&src, W, H, VFMT_NV12));
	CHECK_OK(enc_open(&enc, 1000, VENC_PROFILE_HIGH, NULL));
	CHECK_OK(encode_n(src, enc, 12, pk, &n, 8));
	CHECK_EQ(n, 12);
	for (int i = 0; i < n; i++) {
		bool idr = i == 0 || i == 8;

		CHECK_MSG(pk[i]->keyframe == idr, "frame %d keyframe %d", i, pk[i]->keyframe);
		/* IDR slices (5) with SPS/PPS in front; others only non-IDR slices (1) */
		if (idr)
			CHECK((nal_types(pk[i]) & (1u << 5 | 1u << 7 | 1u << 8)) ==
			      (1u << 5 | 1u << 7 | 1u << 8));
		else
			CHECK((nal_types(pk[i]) & (1u << 5 | 1u << 7)) == 0);
	}
	CHECK_EQ(sps_profile(pk[0]), 100);
	for (int i = 0; i < n; i++)
		mpkt_unref(pk[i]);
	venc_close(enc);
	vidsrc_close(src);
}

TEST(x264_periodic_keyint_and_intra_refresh)
{
	struct vidsrc *src;
	struct venc *enc;
	struct venc_params p = { .width = W, .height = H, .fps = FPS, .bitrate_kbps = 800,
				 .keyint = 5, .threads = 1 };
	struct mpkt *pk[16];
	int n = 0, idr = 0;

	CHECK_OK(src_open(&src, W, H, VFMT_I420));
	CHECK_OK(venc_open(&enc, "x264", &p));
	CHECK_OK(encode_n(src, enc, 11, pk, &n, -1));
	for (int i = 0; i < n; i++) {
		idr += pk[i]->keyframe;
		CHECK_EQ(pk[i]->keyframe, i % 5 == 0);
		mpkt_unref(pk[i]);
	}
	CHECK_EQ(idr, 3);
	venc_close(enc);

	/* intra refresh: one IDR at the start, then none */
	p.intra_refresh = true;
	n = 0;
	CHECK_OK(venc_open(&enc, "x264", &p));
	CHECK_OK(encode_n(src, enc, 11, pk, &n, -1));
	CHECK_EQ(n, 11);
	CHECK(pk[0]->keyframe);
	for (int i = 1; i < n; i++)
		CHECK(!pk[i]->keyframe);
	for (int i = 0; i < n; i++)
		mpkt_unref(pk[i]);
	venc_close(enc);
	vidsrc_close(src);
}

static size_t bytes_of(struct mpkt **pk, int from, int to)
{
	size_t b = 0;

	for (int i = from; i < to; i++)
		b += pk[i]->len;
	return b;
}

TEST(x264_set_bitrate_changes_rate)
{
	struct vidsrc *src;
	struct venc *enc;
	struct mpkt *pk[64];
	int n = 0;
	size_t hi, lo;

	CHECK_OK(src_open(&src, W, H, VFMT_I420));
	/* the test pattern is cheap: use rates where it is rate limited */
	CHECK_OK(enc_open(&enc, 1500, VENC_PROFILE_CONSTRAINED_BASELINE, "preset=ultrafast"));
	CHECK_OK(encode_n(src, enc, 20, pk, &n, -1));
	CHECK_OK(venc_set_bitrate(enc, 150));
	CHECK_OK(encode_n(src, enc, 20, pk, &n, -1));
	CHECK_EQ(n, 40);
	hi = bytes_of(pk, 5, 20);
	lo = bytes_of(pk, 25, 40);
	printf("bitrate 1500 -> 150 kbit/s: %zu -> %zu bytes over 15 frames (%.0f -> %.0f kbit/s)\n",
	       hi, lo, hi * 8.0 * FPS / 15 / 1000, lo * 8.0 * FPS / 15 / 1000);
	CHECK_MSG(lo * 3 < hi, "after set_bitrate: %zu vs %zu bytes", lo, hi);
	/* about 150 kbit/s: 15 frames at 30 fps = 0.5 s = 9375 bytes, generous bounds */
	CHECK(lo < 9375 * 2);
	CHECK_EQ(venc_set_bitrate(enc, 0), -EINVAL);
	for (int i = 0; i < n; i++)
		mpkt_unref(pk[i]);
	venc_close(enc);
	vidsrc_close(src);
}

TEST(x264_input_formats_and_errors)
{
	struct venc *enc;
	struct vframe *f;
	struct mpkt *p;
	struct venc_params bad = { .width = 1281, .height = 720, .fps = 30, .bitrate_kbps = 500 };

	CHECK_EQ(venc_open(&enc, "x264", &bad), -EINVAL);
	bad.width = 1280;
	bad.args = "preset=nonsense";
	CHECK_EQ(venc_open(&enc, "x264", &bad), -EINVAL);
	CHECK_OK(enc_open(&enc, 500, VENC_PROFILE_MAIN, NULL));
	/* YUYV is converted */
	CHECK_OK(vframe_new(&f, VFMT_YUYV, W, H));
	memset(f->mem, 128, vfmt_frame_size(VFMT_YUYV, W, H));
	CHECK_OK(venc_send_frame(enc, f));
	vframe_unref(f);
	CHECK_OK(venc_receive_packet(enc, &p));
	CHECK(p->keyframe);
	mpkt_unref(p);
	CHECK_EQ(venc_receive_packet(enc, &p), -EAGAIN);
	/* wrong size */
	CHECK_OK(vframe_new(&f, VFMT_I420, 640, 360));
	CHECK_EQ(venc_send_frame(enc, f), -EINVAL);
	vframe_unref(f);
	/* drain */
	CHECK_OK(venc_send_frame(enc, NULL));
	CHECK_EQ(venc_receive_packet(enc, &p), -EAGAIN);
	venc_close(enc);
}

TEST(lavc_corrupt_input_no_crash)
{
	struct vidsrc *src;
	struct venc *enc;
	struct vdec *dec;
	struct vdec_params dp = { 0 };
	struct mpkt *pk[8], *junk;
	struct vframe *d;
	int n = 0, errors = 0, frames = 0;
	uint32_t x = 7;

	CHECK_OK(src_open(&src, W, H, VFMT_I420));
	CHECK_OK(enc_open(&enc, 1000, VENC_PROFILE_CONSTRAINED_BASELINE, NULL));
	CHECK_OK(encode_n(src, enc, 4, pk, &n, -1));
	CHECK_OK(vdec_open(&dec, "lavc", &dp));
	/* pure garbage */
	uint8_t g[2000];
	for (size_t i = 0; i < sizeof(g); i++) {
		x = x * 1103515245 + 12345;
		g[i] = (uint8_t)(x >> 16);
	}
	g[0] = g[1] = g[2] = 0;
	g[3] = 1;
	g[4] = 0x67;   /* "SPS" full of noise */
	CHECK_OK(mpkt_new_copy(&junk, g, sizeof(g)));
	if (vdec_send_packet(dec, junk) < 0)
		errors++;
	mpkt_unref(junk);
	while (vdec_receive_frame(dec, &d) == 0) {
		frames++;
		vframe_unref(d);
	}
	/* damaged copies of real access units: flip bytes in the slice data */
	for (int i = 0; i < n; i++) {
		CHECK_OK(mpkt_new_copy(&junk, pk[i]->data, pk[i]->len));
		for (size_t j = pk[i]->len / 3; j < pk[i]->len; j += 7)
			junk->data[j] ^= 0x5a;
		int r = vdec_send_packet(dec, junk);
		CHECK(r == 0 || r == -EBADMSG || r == -EINVAL || r == -ENOMEM);
		if (r < 0)
			errors++;
		mpkt_unref(junk);
		while ((r = vdec_receive_frame(dec, &d)) == 0) {
			CHECK_EQ(d->fmt, VFMT_I420);
			frames++;
			vframe_unref(d);
		}
		CHECK(r == -EAGAIN || r == -EBADMSG);
	}
	/* and the decoder recovers on the next clean IDR */
	venc_request_keyframe(enc);
	for (int i = 0; i < n; i++)
		mpkt_unref(pk[i]);
	n = 0;
	CHECK_OK(encode_n(src, enc, 1, pk, &n, 0));
	CHECK(pk[0]->keyframe);
	CHECK_OK(vdec_send_packet(dec, pk[0]));
	CHECK_OK(vdec_receive_frame(dec, &d));
	CHECK_OK(teststamp_read(d, NULL, NULL));
	vframe_unref(d);
	printf("corrupt input: %d send errors, %d frames out\n", errors, frames);
	mpkt_unref(pk[0]);
	vdec_close(dec);
	venc_close(enc);
	vidsrc_close(src);
}

/* --- Opus ------------------------------------------------------------------ */
#define OPUS_FRAMES 50

static int tone_pcm(int16_t *out, int frames, int frame_samples)
{
	struct audsrc_params p = { .rate = 48000, .channels = 1, .frame_samples = frame_samples,
				   .args = "freq=700,level=-12,realtime=0" };
	struct audsrc *s;
	struct aframe *a;
	int r = audsrc_open(&s, "tone", &p);

	for (int i = 0; i < frames && r == 0; i++) {
		r = audsrc_read(s, &a);
		if (r == 0) {
			memcpy(out + i * frame_samples, a->pcm, sizeof(int16_t) * frame_samples);
			aframe_unref(a);
		}
	}
	audsrc_close(s);
	return r;
}

static int aenc_open_voip(struct aenc **ret, int ms, bool fec, bool dtx)
{
	struct aenc_params p = { .rate = 48000, .channels = 1, .frame_ms = ms,
				 .bitrate_bps = 32000, .fec = fec, .dtx = dtx, .loss_pct = 20 };

	return aenc_open(ret, "opus", &p);
}

TEST(opus_tone_roundtrip)
{
	static int16_t in[OPUS_FRAMES * 960], out[OPUS_FRAMES * 960];
	struct adec_params dp = { .rate = 48000, .channels = 1 };
	struct aenc *e;
	struct adec *d;
	int lag, pos = 0;
	double c;

	CHECK_OK(tone_pcm(in, OPUS_FRAMES, 960));
	CHECK_OK(aenc_open_voip(&e, 20, false, false));
	CHECK_OK(adec_open(&d, "opus", &dp));
	for (int i = 0; i < OPUS_FRAMES; i++) {
		struct aframe *a, *o;
		struct mpkt *p;

		CHECK_OK(aframe_new(&a, 48000, 1, 960));
		memcpy(a->pcm, in + i * 960, sizeof(int16_t) * 960);
		a->capture_us = 1000 + (uint64_t)i;
		CHECK_OK(aenc_encode(e, a, &p));
		aframe_unref(a);
		CHECK(p->len > 2 && p->len < 400);
		CHECK_EQ(p->pts, (int64_t)i * 960);
		CHECK_EQ(p->capture_us, 1000 + (uint64_t)i);
		CHECK_OK(adec_decode(d, p, false, 0, &o));
		CHECK_EQ(o->samples, 960);
		CHECK_EQ(o->capture_us, 1000 + (uint64_t)i);
		memcpy(out + pos, o->pcm, sizeof(int16_t) * 960);
		pos += 960;
		aframe_unref(o);
		mpkt_unref(p);
	}
	/* skip the first 100 ms (encoder start-up), compare 500 ms; a tone is
	 * periodic, so the lag is ambiguous here (see opus_chirp_delay) */
	c = pcm_xcorr_peak(in + 4800, 24000, out + 4800, 24000, 480, &lag);
	printf("opus 20 ms 32 kbit/s tone: correlation %.3f\n", c);
	CHECK_MSG(c > 0.9, "correlation %.3f", c);
	/* wrong frame size is refused */
	struct aframe *a;
	struct mpkt *p;
	CHECK_OK(aframe_new(&a, 48000, 1, 480));
	CHECK_EQ(aenc_encode(e, a, &p), -EINVAL);
	aframe_unref(a);
	CHECK_OK(aenc_set_bitrate(e, 16000));
	CHECK_EQ(aenc_set_bitrate(e, 10), -EINVAL);
	aenc_close(e);
	adec_close(d);
}

static void chirp(int16_t *out, int n)
{
	for (int i = 0; i < n; i++) {
		double t = i / 48000.0;

		out[i] = (int16_t)(8000 * sin(2 * M_PI * (200 * t + 1500 * t * t)));
	}
}

static double sse16(const int16_t *a, const int16_t *b, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
	return s;
}

TEST(opus_plc_fec_dtx)
{
	static int16_t in[OPUS_FRAMES * 480];
	struct adec_params dp = { .rate = 48000, .channels = 1 };
	struct aenc_params ep = { .rate = 48000, .channels = 1, .frame_ms = 10,
				  .bitrate_bps = 20000, .fec = true, .loss_pct = 20 };
	struct mpkt *pk[OPUS_FRAMES];
	struct aenc *e;
	struct adec *d, *d2, *d3;
	struct aframe *o, *o2, *o3;
	double e_plc = 0, e_fec = 0, a_plc = 0;

	chirp(in, OPUS_FRAMES * 480);
	CHECK_OK(aenc_open(&e, "opus", &ep));
	for (int i = 0; i < OPUS_FRAMES; i++) {
		struct aframe *a;

		CHECK_OK(aframe_new(&a, 48000, 1, 480));
		memcpy(a->pcm, in + i * 480, sizeof(int16_t) * 480);
		CHECK_OK(aenc_encode(e, a, &pk[i]));
		aframe_unref(a);
	}
	aenc_close(e);
	CHECK_OK(adec_open(&d, "opus", &dp));
	CHECK_OK(adec_open(&d2, "opus", &dp));
	CHECK_OK(adec_open(&d3, "opus", &dp));
	/* lose packet 30: d conceals it (PLC), d2 recovers it from 31's FEC,
	 * d3 gets everything (the reference) */
	for (int i = 0; i < OPUS_FRAMES; i++) {
		CHECK_OK(adec_decode(d3, pk[i], false, 0, &o3));
		if (i == 30) {
			CHECK_OK(adec_decode(d, NULL, false, 480, &o));
			CHECK_OK(adec_decode(d2, pk[31], true, 480, &o2));
			CHECK_EQ(o->samples, 480);
			CHECK_EQ(o2->samples, 480);
			e_plc = sse16(o->pcm, o3->pcm, 480);
			e_fec = sse16(o2->pcm, o3->pcm, 480);
			for (int j = 0; j < 480; j++)
				a_plc += fabs((double)o->pcm[j]);
		} else {
			CHECK_OK(adec_decode(d, pk[i], false, 0, &o));
			CHECK_OK(adec_decode(d2, pk[i], false, 0, &o2));
		}
		aframe_unref(o);
		aframe_unref(o2);
		aframe_unref(o3);
	}
	printf("opus loss of one 10 ms frame: error energy PLC %.3g, FEC %.3g; PLC mean |x| %.0f\n",
	       e_plc, e_fec, a_plc / 480);
	/* PLC continues the signal (not silence); FEC is closer to the truth */
	CHECK(a_plc / 480 > 500);
	CHECK_MSG(e_fec < e_plc / 2, "FEC %.3g vs PLC %.3g", e_fec, e_plc);
	/* PLC needs a duration, FEC needs a packet */
	CHECK_EQ(adec_decode(d, NULL, false, 0, &o), -EINVAL);
	CHECK_EQ(adec_decode(d, NULL, true, 480, &o), -EINVAL);
	/* garbage packet: an error, no crash */
	struct mpkt *junk;
	CHECK_OK(mpkt_new_copy(&junk, "\xff\xff\xff\xff\xff", 5));
	CHECK(adec_decode(d, junk, false, 0, &o) < 0);
	mpkt_unref(junk);
	for (int i = 0; i < OPUS_FRAMES; i++)
		mpkt_unref(pk[i]);
	adec_close(d);
	adec_close(d2);
	adec_close(d3);

	/* DTX: digital silence gives tiny packets after a while */
	CHECK_OK(aenc_open_voip(&e, 20, false, true));
	size_t small = 0;
	for (int i = 0; i < 30; i++) {
		struct aframe *a;
		struct mpkt *p;

		CHECK_OK(aframe_new(&a, 48000, 1, 960));
		CHECK_OK(aenc_encode(e, a, &p));
		small += p->len <= 2;
		aframe_unref(a);
		mpkt_unref(p);
	}
	CHECK_MSG(small >= 20, "only %zu DTX packets", small);
	aenc_close(e);
}

/* a rising chirp has one correlation peak: the codec delay (6.5 ms = 312 samples) */
TEST(opus_chirp_delay)
{
	static int16_t in[48000], out[48000];
	struct adec_params dp = { .rate = 48000, .channels = 1 };
	struct aenc *e;
	struct adec *d;
	int lag;
	double c;

	chirp(in, 48000);
	CHECK_OK(aenc_open_voip(&e, 20, true, false));
	CHECK_OK(adec_open(&d, "opus", &dp));
	for (int i = 0; i < 50; i++) {
		struct aframe *a, *o;
		struct mpkt *p;

		CHECK_OK(aframe_new(&a, 48000, 1, 960));
		memcpy(a->pcm, in + i * 960, sizeof(int16_t) * 960);
		CHECK_OK(aenc_encode(e, a, &p));
		aframe_unref(a);
		CHECK_OK(adec_decode(d, p, false, 0, &o));
		memcpy(out + i * 960, o->pcm, sizeof(int16_t) * 960);
		aframe_unref(o);
		mpkt_unref(p);
	}
	c = pcm_xcorr_peak(in + 4800, 38400, out + 4800, 38400, 960, &lag);
	printf("opus chirp: correlation %.3f at lag %d samples\n", c, lag);
	CHECK_MSG(c > 0.8, "correlation %.3f", c);
	CHECK_MSG(lag >= 300 && lag <= 330, "lag %d", lag);
	aenc_close(e);
	adec_close(d);
}

/* slice-max-size keeps every NAL unit under an MTU-sized budget (RTP single NAL mode) */
TEST(x264_slice_max_size)
{
	struct vidsrc *src;
	struct venc *enc;
	struct mpkt *pk[8];
	int n = 0, nals = 0;
	size_t biggest = 0;

	CHECK_OK(src_open(&src, W, H, VFMT_I420));
	CHECK_OK(enc_open(&enc, 2000, VENC_PROFILE_CONSTRAINED_BASELINE, "slice-max-size=1100"));
	CHECK_OK(encode_n(src, enc, 3, pk, &n, -1));
	CHECK_EQ(n, 3);
	for (int i = 0; i < n; i++) {
		const uint8_t *d = pk[i]->data;
		size_t len = pk[i]->len, start = 0;

		/* split at 00 00 01 start codes; a NAL ends where the next code begins */
		for (size_t j = 0; j + 3 <= len; j++) {
			if (d[j] || d[j + 1] || d[j + 2] != 1)
				continue;
			if (start) {
				size_t end = j > 0 && !d[j - 1] ? j - 1 : j;

				biggest = end - start > biggest ? end - start : biggest;
			}
			start = j + 3;
			nals++;
		}
		biggest = len - start > biggest ? len - start : biggest;
		mpkt_unref(pk[i]);
	}
	printf("slice-max-size=1100: %d NAL units in 3 frames, biggest %zu bytes\n", nals, biggest);
	CHECK(nals > 10);
	CHECK(biggest <= 1100);
	venc_close(enc);
	vidsrc_close(src);
}

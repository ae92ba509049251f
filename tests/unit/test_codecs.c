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
	/* one flipped data cell breaks the checksum */
	for (int y = 0; y < 8; y++)
		for (int x = 8 * 20; x < 8 * 21; x++)
			f->data[0][y * f->stride[0] + x] ^= 0xff;
	CHECK_EQ(teststamp_read(f, &seq, &us), -EBADMSG);
	vframe_unref(f);
	/* too narrow */
	CHECK_OK(vframe_new(&f, VFMT_I420, 128, 96));
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

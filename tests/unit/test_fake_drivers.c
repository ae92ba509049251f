/* test_fake_drivers.c: fake twins (testsrc, y4m, wav, tone, png, null) and frame metrics. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <png.h>

#include "drv/frame_metrics.h"
#include "drv/media_drv.h"
#include "drv/teststamp.h"
#include "lib/base/clock.h"
#include "test.h"

static char *tmp_path(const char *name)
{
	static char buf[8][512];
	static int i;
	char *p = buf[i++ % 8];

	snprintf(p, 512, "%s/%s", test_tmpdir(), name);
	return p;
}

/* "path=<tmpdir>/<name>" followed by ",<extra>" when extra is given */
static char *args_path(const char *name, const char *extra)
{
	static char buf[4][600];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, 600, "path=%s%s%s", tmp_path(name), extra ? "," : "", extra ? extra : "");
	return p;
}

static int file_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -errno;
	if (len && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) == 0 ? 0 : -EIO;
}

TEST(testsrc_frames_differ_and_stamped)
{
	struct vidsrc_params p = { .width = 1920, .height = 1080, .fps = 30, .fmt = VFMT_NV12,
				   .args = "realtime=0" };
	struct vidsrc *s;
	struct vframe *a, *b;
	uint32_t seq;
	uint64_t cap;

	CHECK_OK(vidsrc_open(&s, "testsrc", &p));
	CHECK_EQ(p.fmt, VFMT_NV12);
	CHECK_OK(vidsrc_read(s, &a));
	CHECK_OK(vidsrc_read(s, &b));
	CHECK_EQ(a->fmt, VFMT_NV12);
	CHECK_EQ(a->width, 1920);
	CHECK_EQ(a->height, 1080);
	CHECK_EQ(b->seq, a->seq + 1);
	CHECK(b->capture_us >= a->capture_us);
	/* frames differ below the stamp band, not just in the stamp */
	CHECK(memcmp(a->data[0] + (size_t)200 * 1920, b->data[0] + (size_t)200 * 1920,
		     (size_t)800 * 1920) != 0);
	CHECK_OK(teststamp_read(b, &seq, &cap));
	CHECK_EQ(seq, b->seq);
	CHECK_EQ(cap, b->capture_us);
	CHECK(vframe_psnr_y(a, b) < 40);
	CHECK_EQ(vframe_psnr_y(a, a), PSNR_MAX_DB);
	vframe_unref(a);
	vframe_unref(b);
	vidsrc_close(s);
}

TEST(testsrc_paced_realtime)
{
	struct vidsrc_params p = { .width = 320, .height = 240, .fps = 50, .fmt = VFMT_I420 };
	struct vidsrc *s;
	struct vframe *f;
	uint64_t t0 = clock_now_us(), first = 0;
	uint32_t seq0 = 0, last = 0;

	CHECK_OK(vidsrc_open(&s, "testsrc", &p));
	for (int i = 0; i < 5; i++) {
		CHECK_OK(vidsrc_read(s, &f));
		if (!i) {
			first = f->capture_us;
			seq0 = f->seq;
		} else {
			/* on a loaded machine the reader may fall behind and frames
			 * are skipped (as with a camera): the capture time always
			 * follows the frame number on the 20 ms grid */
			CHECK(f->seq > last);
			CHECK_EQ(f->capture_us - first, (uint64_t)(f->seq - seq0) * 20000);
		}
		last = f->seq;
		vframe_unref(f);
	}
	/* 4 periods of 20 ms must have elapsed (a lower bound only) */
	CHECK(clock_now_us() - t0 >= 80000);
	vidsrc_close(s);
}

/* a reader that falls behind loses frames, like with a real camera */
TEST(testsrc_slow_reader_skips)
{
	struct vidsrc_params p = { .width = 320, .height = 240, .fps = 50 };
	struct vidsrc *s;
	struct vframe *a, *b;

	CHECK_OK(vidsrc_open(&s, "testsrc", &p));
	CHECK_OK(vidsrc_read(s, &a));
	clock_sleep_until_us(clock_now_us() + 150000);
	CHECK_OK(vidsrc_read(s, &b));
	CHECK_MSG(b->seq >= a->seq + 6, "seq %u -> %u", a->seq, b->seq);
	CHECK_EQ((b->capture_us - a->capture_us) % 20000, 0);
	CHECK_EQ((b->capture_us - a->capture_us) / 20000, b->seq - a->seq);
	vframe_unref(a);
	vframe_unref(b);
	vidsrc_close(s);
}

/* below the stamp band a frame depends only on its seq: a receiver regenerates
 * the reference with a second, unpaced instance (app/media does this) */
TEST(testsrc_reference_by_seq)
{
	struct vidsrc_params pp = { .width = 416, .height = 240, .fps = 50, .fmt = VFMT_NV12 };
	struct vidsrc_params rp = { .width = 416, .height = 240, .fps = 50, .fmt = VFMT_I420,
				    .args = "realtime=0" };
	struct vidsrc *paced, *ref;
	struct vframe *a, *b = NULL;
	int y0 = teststamp_band_height(416);

	CHECK(y0 > 0 && y0 < 240);
	CHECK_OK(vidsrc_open(&paced, "testsrc", &pp));
	CHECK_OK(vidsrc_open(&ref, "testsrc", &rp));
	CHECK_OK(vidsrc_read(paced, &a));
	vframe_unref(a);
	clock_sleep_until_us(clock_now_us() + 100000);   /* the paced one skips */
	CHECK_OK(vidsrc_read(paced, &a));
	CHECK(a->seq >= 4);
	for (int i = 0; i < 100 && (!b || b->seq < a->seq); i++) {
		vframe_unref(b);
		CHECK_OK(vidsrc_read(ref, &b));
	}
	CHECK_EQ(b->seq, a->seq);
	for (int y = y0; y < 240; y++)
		CHECK_MSG(!memcmp(a->data[0] + (size_t)y * a->stride[0],
				  b->data[0] + (size_t)y * b->stride[0], 416), "row %d differs", y);
	vframe_unref(a);
	vframe_unref(b);
	vidsrc_close(paced);
	vidsrc_close(ref);
}

static int y4m_frames_write(const char *path, int n, struct vframe **keep)
{
	struct vidsrc_params sp = { .width = 320, .height = 240, .fps = 25, .args = "realtime=0" };
	struct vidsink_params kp = { .args = args_path(path, NULL) };
	struct vidsrc *src;
	struct vidsink *sink;
	int r;

	r = vidsrc_open(&src, "testsrc", &sp);
	if (r < 0)
		return r;
	r = vidsink_open(&sink, "y4m", &kp);
	if (r < 0) {
		vidsrc_close(src);
		return r;
	}
	for (int i = 0; i < n && r == 0; i++) {
		struct vframe *f;

		r = vidsrc_read(src, &f);
		if (r < 0)
			break;
		r = vidsink_write(sink, f);
		keep[i] = f;
	}
	vidsink_close(sink);
	vidsrc_close(src);
	return r;
}

TEST(y4m_roundtrip_and_loop)
{
	struct vframe *in[3] = { 0 }, *f;
	struct vidsrc_params p = { .fps = 0, .loop = false,
				   .args = args_path("a.y4m", "realtime=0") };
	struct vidsrc *s;

	CHECK_OK(y4m_frames_write("a.y4m", 3, in));
	CHECK_OK(vidsrc_open(&s, "y4m", &p));
	CHECK_EQ(p.width, 320);
	CHECK_EQ(p.height, 240);
	CHECK_EQ(p.fps, 30);     /* sink default F30:1 */
	for (int i = 0; i < 3; i++) {
		CHECK_OK(vidsrc_read(s, &f));
		CHECK_EQ(f->seq, i);
		CHECK_EQ(vframe_psnr(f, in[i]), PSNR_MAX_DB);
		vframe_unref(f);
	}
	CHECK_EQ(vidsrc_read(s, &f), -ENODATA);
	vidsrc_close(s);

	p.loop = true;
	CHECK_OK(vidsrc_open(&s, "y4m", &p));
	for (int i = 0; i < 7; i++) {
		CHECK_OK(vidsrc_read(s, &f));
		CHECK_EQ(vframe_psnr(f, in[i % 3]), PSNR_MAX_DB);
		vframe_unref(f);
	}
	vidsrc_close(s);
	for (int i = 0; i < 3; i++)
		vframe_unref(in[i]);
}

TEST(y4m_malformed_rejected)
{
	static const char *const bad[] = {
		"",
		"YUV4MPEG2\n",                                   /* no size */
		"YUV4MPEG2 W320\n",                              /* no height */
		"YUV4MPEG2 W320 H240 C422\nFRAME\n",             /* not 4:2:0 */
		"YUV4MPEG2 W321 H240\n",                         /* odd */
		"YUV4MPEG2 W99999 H240\n",                       /* too big */
		"YUV4MPEG2 W-2 H240\n",
		"YUV4MPEG2 W320 H240 F30:0\n",
		"YUV4MPEG2 W320 H240 Q1\n",                      /* unknown tag */
		"YUV4MPEG W320 H240\n",
		"YUV4MPEG2 W320 H240",                           /* no newline */
		"YUV4MPEG2 W320 H240 Ib\n",                      /* interlaced */
	};
	struct vidsrc_params p = { .args = args_path("bad.y4m", "realtime=0") };
	struct vidsrc *s;
	struct vframe *f;
	char big[700];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_OK(file_write(tmp_path("bad.y4m"), bad[i], strlen(bad[i])));
		CHECK_MSG(vidsrc_open(&s, "y4m", &p) == -EINVAL, "accepted: %s", bad[i]);
	}
	/* over-long header line */
	memset(big, 'X', sizeof(big));
	memcpy(big, "YUV4MPEG2 W16 H16 X", 19);
	big[sizeof(big) - 1] = '\n';
	CHECK_OK(file_write(tmp_path("bad.y4m"), big, sizeof(big)));
	CHECK_EQ(vidsrc_open(&s, "y4m", &p), -EINVAL);
	/* missing file */
	p.args = "path=/nonexistent/x.y4m";
	CHECK_EQ(vidsrc_open(&s, "y4m", &p), -ENOENT);
	/* good header, bad frame marker, then a truncated frame */
	p.args = args_path("bad.y4m", "realtime=0");
	CHECK_OK(file_write(tmp_path("bad.y4m"), "YUV4MPEG2 W16 H16\nFRAMX\n", 24));
	CHECK_OK(vidsrc_open(&s, "y4m", &p));
	CHECK_EQ(vidsrc_read(s, &f), -EINVAL);
	vidsrc_close(s);
	CHECK_OK(file_write(tmp_path("bad.y4m"), "YUV4MPEG2 W16 H16\nFRAME\nabc", 27));
	CHECK_OK(vidsrc_open(&s, "y4m", &p));
	CHECK_EQ(vidsrc_read(s, &f), -ENODATA);
	vidsrc_close(s);
}

TEST(wav_roundtrip_mono_stereo)
{
	struct audsrc_params tp = { .rate = 48000, .channels = 2, .frame_samples = 480,
				    .args = "freq=1000,level=-6,realtime=0" };
	struct audsink_params kp = { .rate = 48000, .channels = 2,
				     .args = args_path("t.wav", "realtime=0") };
	struct audsrc *tone, *src;
	struct audsink *sink;
	struct aframe *a;
	int16_t ref[4800];
	int n = 0;

	CHECK_OK(audsrc_open(&tone, "tone", &tp));
	CHECK_OK(audsink_open(&sink, "wav", &kp));
	for (int i = 0; i < 10; i++) {
		CHECK_OK(audsrc_read(tone, &a));
		CHECK_EQ(a->samples, 480);
		CHECK_EQ(a->channels, 2);
		for (int j = 0; j < 480; j++)
			ref[n++] = a->pcm[2 * j];
		CHECK_OK(audsink_write(sink, a));
		aframe_unref(a);
	}
	audsink_close(sink);
	audsrc_close(tone);
	/* close() fixed the sizes in the header: 10 frames x 480 x 2 ch x 2 bytes */
	uint8_t hdr[44];
	FILE *wf = fopen(tmp_path("t.wav"), "rb");
	CHECK(wf);
	CHECK_EQ(fread(hdr, 1, 44, wf), 44);
	fclose(wf);
	CHECK_EQ(*(uint32_t *)(hdr + 40), 19200);
	CHECK_EQ(*(uint32_t *)(hdr + 4), 19200 + 36);
	CHECK_EQ(*(uint16_t *)(hdr + 22), 2);
	CHECK_EQ(*(uint32_t *)(hdr + 24), 48000);
	/* the tone is -6 dBFS: peak near 16422 */
	int peak = 0;
	for (int i = 0; i < n; i++)
		peak = abs(ref[i]) > peak ? abs(ref[i]) : peak;
	CHECK(peak > 16000 && peak < 16800);

	/* read it back as mono, 10 ms frames of 441 samples: 4800 / 441 = 10.9 */
	struct audsrc_params wp = { .rate = 48000, .channels = 1, .frame_samples = 441,
				    .args = args_path("t.wav", "realtime=0") };
	int got = 0, frames = 0;
	CHECK_OK(audsrc_open(&src, "wav", &wp));
	while (audsrc_read(src, &a) == 0) {
		CHECK_EQ(a->samples, 441);
		CHECK_EQ(a->channels, 1);
		for (int j = 0; j < 441; j++, got++) {
			int want = got < n ? ref[got] : 0;   /* silence pads the last frame */

			CHECK_MSG(a->pcm[j] == want, "sample %d: %d != %d", got, a->pcm[j], want);
		}
		frames++;
		aframe_unref(a);
	}
	CHECK_EQ(frames, 11);
	CHECK_EQ(audsrc_read(src, &a), -ENODATA);
	audsrc_close(src);

	/* looping: keeps going past the end */
	wp.loop = true;
	wp.frame_samples = 480;
	CHECK_OK(audsrc_open(&src, "wav", &wp));
	for (int i = 0; i < 25; i++) {
		CHECK_OK(audsrc_read(src, &a));
		CHECK_EQ(a->pcm[0], ref[(i * 480) % n]);
		aframe_unref(a);
	}
	audsrc_close(src);
}

static void wav_hdr(uint8_t *h, int rate, int ch, uint32_t datalen)
{
	memcpy(h, "RIFF", 4);
	*(uint32_t *)(h + 4) = 36 + datalen;
	memcpy(h + 8, "WAVEfmt ", 8);
	*(uint32_t *)(h + 16) = 16;
	*(uint16_t *)(h + 20) = 1;
	*(uint16_t *)(h + 22) = (uint16_t)ch;
	*(uint32_t *)(h + 24) = (uint32_t)rate;
	*(uint32_t *)(h + 28) = (uint32_t)(rate * ch * 2);
	*(uint16_t *)(h + 32) = (uint16_t)(ch * 2);
	*(uint16_t *)(h + 34) = 16;
	memcpy(h + 36, "data", 4);
	*(uint32_t *)(h + 40) = datalen;
}

TEST(wav_chunk_order_and_rejects)
{
	uint8_t f[200];
	struct audsrc_params p = { .channels = 2, .frame_samples = 4,
				   .args = args_path("c.wav", "realtime=0") };
	struct audsrc *s;
	struct aframe *a;
	size_t n = 0;

	/* RIFF, a LIST chunk (odd size + pad), data before fmt, mono */
	memcpy(f, "RIFF\0\0\0\0WAVE", 12);
	n = 12;
	memcpy(f + n, "LIST\x03\0\0\0abc\0", 12);
	n += 12;
	memcpy(f + n, "data\x08\0\0\0", 8);
	n += 8;
	int16_t pcm[4] = { 100, -200, 300, -32768 };
	memcpy(f + n, pcm, 8);
	n += 8;
	uint8_t h[44];
	wav_hdr(h, 48000, 1, 0);
	memcpy(f + n, h + 12, 24);   /* the fmt chunk alone */
	n += 24;
	CHECK_OK(file_write(tmp_path("c.wav"), f, n));
	CHECK_OK(audsrc_open(&s, "wav", &p));
	CHECK_EQ(p.rate, 48000);
	CHECK_OK(audsrc_read(s, &a));
	CHECK_EQ(a->channels, 2);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(a->pcm[2 * i], pcm[i]);
		CHECK_EQ(a->pcm[2 * i + 1], pcm[i]);
	}
	aframe_unref(a);
	CHECK_EQ(audsrc_read(s, &a), -ENODATA);
	audsrc_close(s);

	/* 44.1 kHz is refused */
	wav_hdr(h, 44100, 1, 8);
	memcpy(f, h, 44);
	memcpy(f + 44, pcm, 8);
	CHECK_OK(file_write(tmp_path("c.wav"), f, 52));
	CHECK_EQ(audsrc_open(&s, "wav", &p), -EINVAL);
	/* 8-bit is refused */
	wav_hdr(h, 48000, 1, 8);
	*(uint16_t *)(h + 34) = 8;
	memcpy(f, h, 44);
	CHECK_OK(file_write(tmp_path("c.wav"), f, 52));
	CHECK_EQ(audsrc_open(&s, "wav", &p), -EINVAL);
	/* not RIFF, no data chunk, truncated */
	CHECK_OK(file_write(tmp_path("c.wav"), "RIFX\0\0\0\0WAVE", 12));
	CHECK_EQ(audsrc_open(&s, "wav", &p), -EINVAL);
	wav_hdr(h, 48000, 1, 8);
	CHECK_OK(file_write(tmp_path("c.wav"), h, 36));
	CHECK_EQ(audsrc_open(&s, "wav", &p), -EINVAL);
	CHECK_OK(file_write(tmp_path("c.wav"), h, 20));
	CHECK_EQ(audsrc_open(&s, "wav", &p), -EINVAL);
}

TEST(tone_level_and_pacing)
{
	struct audsrc_params p = { .rate = 48000, .channels = 1, .frame_samples = 480,
				   .args = "freq=440" };
	struct audsrc *s;
	struct aframe *a;
	uint64_t t0 = clock_now_us(), c0 = 0;
	double e = 0;

	CHECK_OK(audsrc_open(&s, "tone", &p));
	for (int i = 0; i < 5; i++) {
		CHECK_OK(audsrc_read(s, &a));
		if (!i)
			c0 = a->capture_us;
		CHECK_EQ(a->capture_us - c0, (uint64_t)i * 10000);
		for (int j = 0; j < a->samples; j++)
			e += (double)a->pcm[j] * a->pcm[j];
		aframe_unref(a);
	}
	/* 5 x 10 ms: each read returns when its last sample is due */
	CHECK(clock_now_us() - t0 >= 50000);
	/* RMS of a -20 dBFS sine: 3277 / sqrt(2) = 2317 */
	double rms = sqrt(e / 2400);
	CHECK_MSG(fabs(rms - 2317) < 30, "rms %.1f", rms);
	audsrc_close(s);
	p.args = "freq=0";
	CHECK_EQ(audsrc_open(&s, "tone", &p), -EINVAL);
}

static int png_read_back(const char *path, int *w, int *h, uint8_t *px_at_0)
{
	png_image img;
	uint8_t *buf;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return -EBADMSG;
	img.format = PNG_FORMAT_RGB;
	buf = malloc(PNG_IMAGE_SIZE(img));
	if (!buf) {
		png_image_free(&img);
		return -ENOMEM;
	}
	if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
		free(buf);
		return -EBADMSG;
	}
	*w = (int)img.width;
	*h = (int)img.height;
	memcpy(px_at_0, buf, 3);
	free(buf);
	return 0;
}

TEST(png_sink_files_valid)
{
	struct vidsrc_params sp = { .width = 640, .height = 360, .fps = 30, .args = "realtime=0" };
	struct vidsink_params kp = { .args = args_path("f%03d.png", "every=2") };
	struct vidsink_params lp = { .args = args_path("last.png", NULL) };
	struct vidsrc *src;
	struct vidsink *num, *last;
	struct vframe *f;
	uint8_t px[3];
	int w, h;

	CHECK_OK(vidsrc_open(&src, "testsrc", &sp));
	CHECK_OK(vidsink_open(&num, "png", &kp));
	CHECK_OK(vidsink_open(&last, "png", &lp));
	for (int i = 0; i < 5; i++) {
		CHECK_OK(vidsrc_read(src, &f));
		CHECK_OK(vidsink_write(num, f));
		CHECK_OK(vidsink_write(last, f));
		vframe_unref(f);
	}
	vidsink_close(num);
	vidsink_close(last);
	vidsrc_close(src);
	CHECK_OK(png_read_back(tmp_path("f000.png"), &w, &h, px));
	CHECK_EQ(w, 640);
	CHECK_EQ(h, 360);
	/* top-left stamp cell is sync bit 1: white */
	CHECK(px[0] > 240 && px[1] > 240 && px[2] > 240);
	CHECK_OK(png_read_back(tmp_path("f002.png"), &w, &h, px));
	CHECK_OK(png_read_back(tmp_path("f004.png"), &w, &h, px));
	CHECK_EQ(png_read_back(tmp_path("f001.png"), &w, &h, px), -EBADMSG);
	CHECK_OK(png_read_back(tmp_path("last.png"), &w, &h, px));
	CHECK_EQ(w, 640);
	/* a bad pattern is refused */
	kp.args = args_path("x%s.png", NULL);
	CHECK_EQ(vidsink_open(&num, "png", &kp), -EINVAL);
}

TEST(null_sinks_and_audio_pacing)
{
	struct vidsink_params vp = { 0 };
	struct audsink_params ap = { .rate = 48000, .channels = 1, .args = "buffer_ms=20" };
	struct vidsink *vs;
	struct audsink *as;
	struct vframe *f;
	struct aframe *a;
	uint64_t t0;

	CHECK_OK(vidsink_open(&vs, "null", &vp));
	CHECK_OK(vframe_new(&f, VFMT_I420, 64, 64));
	CHECK_OK(vidsink_write(vs, f));
	vframe_unref(f);
	vidsink_close(vs);

	CHECK_OK(audsink_open(&as, "null", &ap));
	CHECK_OK(aframe_new(&a, 48000, 1, 480));
	t0 = clock_now_us();
	/* 2 frames fill the 20 ms buffer; 8 more need 80 ms of playout */
	for (int i = 0; i < 10; i++)
		CHECK_OK(audsink_write(as, a));
	CHECK(clock_now_us() - t0 >= 75000);
	aframe_unref(a);
	audsink_close(as);
}

TEST(xcorr_finds_lag)
{
	int16_t a[4000], b[4000];
	uint32_t x = 1;
	int lag;
	double c;

	for (int i = 0; i < 4000; i++) {
		x = x * 1103515245 + 12345;
		a[i] = (int16_t)((x >> 16) & 0x3fff) - 8192;
	}
	memset(b, 0, sizeof(b));
	for (int i = 0; i + 37 < 4000; i++)
		b[i + 37] = a[i] / 2;
	c = pcm_xcorr_peak(a, 4000, b, 4000, 100, &lag);
	CHECK_EQ(lag, 37);
	CHECK(c > 0.99);
	c = pcm_xcorr_peak(b, 4000, a, 4000, 100, &lag);
	CHECK_EQ(lag, -37);
	/* unrelated noise: low */
	for (int i = 0; i < 4000; i++) {
		x = x * 1103515245 + 12345;
		b[i] = (int16_t)((x >> 16) & 0x3fff) - 8192;
	}
	c = pcm_xcorr_peak(a, 4000, b, 4000, 50, &lag);
	CHECK(c < 0.2);
	memset(b, 0, sizeof(b));
	CHECK(pcm_xcorr_peak(a, 4000, b, 4000, 50, &lag) == 0);
}

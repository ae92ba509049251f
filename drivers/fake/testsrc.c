/* testsrc.c: fake camera: moving test pattern with a burnt-in frame number and capture time.
 *
 * DESIGN (fake twins, drivers/fake): every fake source paces itself on an
 * absolute schedule t0 + n * period with clock_sleep_until_us(), like a camera
 * whose sensor runs on its own clock; args "realtime=0" drops the pacing so
 * tests run as fast as the CPU allows. capture_us is the scheduled instant
 * when paced (the moment the "sensor" exposed the frame) and the generation
 * time otherwise. If the reader falls behind by more than two periods the
 * schedule jumps forward and seq skips the missed frames, as V4L2 does.
 * One instance is used by one thread; frames are new refcounted vframes.
 *
 * Picture: 75% colour bars over the upper part, a luma ramp that scrolls
 * horizontally over the lower third, a box bouncing over the bars with a
 * colour that changes every frame, and the teststamp band on top. Every frame
 * differs, motion is predictable (like a real scene with a moving object), and
 * large flat areas keep the PSNR meaningful.
 *
 * args: realtime=0|1 (default 1)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv/drivers.h"
#include "drv/teststamp.h"
#include "fake/fake_int.h"

struct testsrc {
	int width, height, fps;
	enum vfmt fmt;
	struct fake_clock clk;      /* unit = one frame period */
	struct vframe *bg;          /* static background (bars) */
};

/* Y, U, V of 75% bars: white, yellow, cyan, green, magenta, red, blue */
static const uint8_t bars[7][3] = {
	{ 180, 128, 128 }, { 162, 44, 142 }, { 131, 156, 44 }, { 112, 72, 58 },
	{ 84, 184, 198 },  { 65, 100, 212 }, { 35, 212, 114 },
};

static void px_set(struct vframe *f, int x, int y, const uint8_t yuv[3])
{
	f->data[0][(size_t)y * f->stride[0] + x] = yuv[0];
	if ((x | y) & 1)
		return;
	if (f->fmt == VFMT_I420) {
		f->data[1][(size_t)(y / 2) * f->stride[1] + x / 2] = yuv[1];
		f->data[2][(size_t)(y / 2) * f->stride[2] + x / 2] = yuv[2];
	} else {
		f->data[1][(size_t)(y / 2) * f->stride[1] + x] = yuv[1];
		f->data[1][(size_t)(y / 2) * f->stride[1] + x + 1] = yuv[2];
	}
}

static void rect_fill(struct vframe *f, int x0, int y0, int w, int h, const uint8_t yuv[3])
{
	for (int y = y0; y < y0 + h; y++)
		for (int x = x0; x < x0 + w; x++)
			px_set(f, x, y, yuv);
}

static int background_new(struct testsrc *s)
{
	int r = vframe_new(&s->bg, s->fmt, s->width, s->height);
	int bw;

	if (r < 0)
		return r;
	bw = (s->width + 6) / 7;
	for (int i = 0; i < 7; i++) {
		int x0 = i * bw, w = x0 + bw > s->width ? s->width - x0 : bw;

		if (w > 0)
			rect_fill(s->bg, x0, 0, w, s->height, bars[i]);
	}
	return 0;
}

static int testsrc_open(void *priv, struct vidsrc_params *p)
{
	struct testsrc *s = priv;

	if (!p->width || !p->height) {
		p->width = 1280;
		p->height = 720;
	}
	if (p->fps <= 0)
		p->fps = 30;
	if (p->fmt != VFMT_I420 && p->fmt != VFMT_NV12)
		p->fmt = VFMT_I420;
	if (p->width < 16 || p->height < 16 || p->width > 4096 || p->height > 4096 ||
	    ((p->width | p->height) & 1) || p->fps > 240)
		return -EINVAL;
	s->width = p->width;
	s->height = p->height;
	s->fps = p->fps;
	s->fmt = p->fmt;
	fake_clock_init(&s->clk, p->args, 1000000, (uint64_t)p->fps, true);
	return background_new(s);
}

static void testsrc_close(void *priv)
{
	struct testsrc *s = priv;

	s->bg = vframe_unref(s->bg);
}

static void pattern_draw(struct testsrc *s, struct vframe *f, uint64_t n)
{
	int w = s->width, h = s->height;
	int ramp_y = h - h / 3, box, bx, by, span;
	uint8_t row[4096];
	uint8_t col[3];

	/* scrolling ramp over the lower third (luma triangle wave, neutral chroma) */
	for (int x = 0; x < w; x++) {
		int v = (int)((x + n * 4) % 512);

		row[x] = (uint8_t)(16 + (v < 256 ? v : 511 - v) * 219 / 255);
	}
	for (int y = ramp_y; y < h; y++)
		memcpy(f->data[0] + (size_t)y * f->stride[0], row, (size_t)w);
	col[0] = 128;
	col[1] = col[2] = 128;
	for (int y = ramp_y & ~1; y < h; y += 2) {
		uint8_t *c = f->data[1] + (size_t)(y / 2) * f->stride[1];

		if (f->fmt == VFMT_I420) {
			memset(c, 128, (size_t)w / 2);
			memset(f->data[2] + (size_t)(y / 2) * f->stride[2], 128, (size_t)w / 2);
		} else {
			memset(c, 128, (size_t)w);
		}
	}
	/* bouncing box over the bars, its colour cycling slowly */
	box = (h / 6) & ~1;
	if (box < 2)
		return;
	span = w - box;
	bx = span > 0 ? (int)(n * 6 % (uint64_t)(2 * span)) : 0;
	if (bx > span)
		bx = 2 * span - bx;
	span = ramp_y - box - h / 8;
	by = span > 0 ? (int)(n * 3 % (uint64_t)(2 * span)) : 0;
	if (by > span)
		by = 2 * span - by;
	by += h / 8;
	col[0] = (uint8_t)(60 + n % 120);
	col[1] = (uint8_t)(64 + (n * 2) % 128);
	col[2] = (uint8_t)(192 - (n * 3) % 128);
	rect_fill(f, bx & ~1, by & ~1, box, box, col);
}

static int testsrc_read(void *priv, struct vframe **ret)
{
	struct testsrc *s = priv;
	uint64_t cap = fake_clock_wait(&s->clk, false);
	struct vframe *f;
	int r;

	r = vframe_convert(&f, s->bg, s->fmt);
	if (r < 0)
		return r;
	f->seq = (uint32_t)s->clk.n;
	f->capture_us = cap;
	pattern_draw(s, f, s->clk.n);
	r = teststamp_draw(f, f->seq, f->capture_us);
	if (r < 0 && r != -ERANGE) {
		vframe_unref(f);
		return r;
	}
	s->clk.n++;
	*ret = f;
	return 0;
}

const struct vidsrc_ops testsrc_vidsrc_ops = {
	.name = "testsrc",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct testsrc),
	.open = testsrc_open,
	.close = testsrc_close,
	.read = testsrc_read,
};

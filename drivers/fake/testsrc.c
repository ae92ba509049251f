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
 * Picture: 75% colour bars over the upper part, a textured "scene" (value
 * noise at three scales, with colour) panning 2 px per frame over the lower
 * third with a little sensor grain, a box bouncing over the bars with a colour
 * that changes every frame, and the teststamp band on top. Every frame
 * differs; motion is predictable like a camera pan with a moving object; the
 * grain and texture make the encoder spend its bits as on real video.
 *
 * Reference frames: everything below teststamp_band_height() is a pure
 * function of (size, args, seq) (the format only changes the chroma layout),
 * so a receiver can regenerate the frame it should have got with a second
 * instance ("realtime=0", reading up to the same seq) and compute the PSNR.
 * The band itself holds the capture time and so differs between instances.
 *
 * args: realtime=0|1 (default 1), noise=<0..64> (grain amplitude, default 2)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv/drivers.h"
#include "drv/teststamp.h"
#include "fake/fake_int.h"

#define GRAIN_N 65536

struct testsrc {
	int width, height, fps;
	enum vfmt fmt;
	int noise;                  /* sensor noise amplitude (luma LSB) */
	struct fake_clock clk;      /* unit = one frame period */
	struct vframe *bg;          /* static background (bars) */
	/* the "scene" of the lower third: a texture, periodic horizontally */
	int tex_w, tex_h, tex_y0;
	uint8_t *tex[3];            /* Y (tex_w x tex_h), U and V (half size) */
	int8_t *grain;              /* GRAIN_N random values in -noise..noise */
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

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

/* value noise with period `period` in x: bilinear between lattice values */
static int vnoise(int x, int y, int cell, int period, uint32_t seed)
{
	int cx = x / cell, cy = y / cell, cells = period / cell;
	int fx = x % cell, fy = y % cell;
	int v[4];

	for (int i = 0; i < 4; i++)
		v[i] = (int)(hash32(seed ^ (uint32_t)(((cx + (i & 1)) % cells) * 7919) ^
				    (uint32_t)((cy + (i >> 1)) * 104729)) & 255) - 128;
	int top = v[0] * (cell - fx) + v[1] * fx, bot = v[2] * (cell - fx) + v[3] * fx;

	return (top * (cell - fy) + bot * fy) / (cell * cell);
}

static uint8_t clamp8(int v)
{
	return (uint8_t)(v < 16 ? 16 : v > 235 ? 235 : v);
}

/* a textured scene: coarse shapes, finer detail and a little grain */
static int texture_new(struct testsrc *s)
{
	int tw = (s->width + 63) & ~63, th = (s->height / 3) & ~1;

	s->tex_w = tw;
	s->tex_h = th;
	s->tex_y0 = s->height - th;
	if (th < 2)
		return 0;
	s->tex[0] = malloc((size_t)tw * th);
	s->tex[1] = malloc((size_t)tw * th / 4);
	s->tex[2] = malloc((size_t)tw * th / 4);
	s->grain = malloc(GRAIN_N);
	if (!s->tex[0] || !s->tex[1] || !s->tex[2] || !s->grain)
		return -ENOMEM;
	for (int i = 0; i < GRAIN_N; i++)
		s->grain[i] = (int8_t)((int)(hash32((uint32_t)i * 2654435761u) %
					      (uint32_t)(2 * s->noise + 1)) - s->noise);
	for (int y = 0; y < th; y++)
		for (int x = 0; x < tw; x++)
			s->tex[0][(size_t)y * tw + x] =
				clamp8(125 + vnoise(x, y, 64, tw, 1) * 3 / 4 +
				       vnoise(x, y, 16, tw, 2) / 3 + vnoise(x, y, 4, tw, 3) / 8);
	for (int y = 0; y < th / 2; y++)
		for (int x = 0; x < tw / 2; x++) {
			s->tex[1][(size_t)y * tw / 2 + x] = clamp8(128 + vnoise(x, y, 32, tw / 2, 4) / 3);
			s->tex[2][(size_t)y * tw / 2 + x] = clamp8(128 + vnoise(x, y, 32, tw / 2, 5) / 3);
		}
	return 0;
}

static void testsrc_close(void *priv)
{
	struct testsrc *s = priv;

	s->bg = vframe_unref(s->bg);
	for (int i = 0; i < 3; i++) {
		free(s->tex[i]);
		s->tex[i] = NULL;
	}
	free(s->grain);
	s->grain = NULL;
}

static int testsrc_open(void *priv, struct vidsrc_params *p)
{
	struct testsrc *s = priv;
	int r;

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
	s->noise = drv_arg_int(p->args, "noise", 2);
	if (s->noise < 0 || s->noise > 64)
		return -EINVAL;
	fake_clock_init(&s->clk, p->args, 1000000, (uint64_t)p->fps, true);
	r = background_new(s);
	if (r == 0)
		r = texture_new(s);
	if (r < 0)
		testsrc_close(s);
	return r;
}

/* copy n bytes of a periodic row starting at off, wrapping at period */
static void row_wrap(uint8_t *dst, const uint8_t *src, int off, int period, int n)
{
	int first = period - off < n ? period - off : n;

	memcpy(dst, src + off, (size_t)first);
	if (n > first)
		memcpy(dst + first, src, (size_t)(n - first));
}

/* the lower third: the textured scene panning right to left, plus grain */
static void scene_draw(struct testsrc *s, struct vframe *f, uint64_t n)
{
	int w = s->width, tw = s->tex_w, off = (int)(n * 2 % (uint64_t)tw);
	uint8_t tmp[2][2048];

	if (!s->tex[0])
		return;
	for (int y = 0; y < s->tex_h; y++) {
		uint8_t *d = f->data[0] + (size_t)(s->tex_y0 + y) * f->stride[0];

		row_wrap(d, s->tex[0] + (size_t)y * tw, off, tw, w);
		if (!s->noise)
			continue;
		/* grain: the table read from a pseudo-random place for every row,
		 * a function of (n, y) only: see "reference frames" above */
		uint32_t h = hash32((uint32_t)n * 0x9e3779b1u ^ (uint32_t)y * 0x85ebca77u);
		const int8_t *g = s->grain + (h % (GRAIN_N - 4096));
		for (int x = 0; x < w; x++)
			d[x] = clamp8(d[x] + g[x]);
	}
	for (int y = 0; y < s->tex_h / 2; y++) {
		size_t cy = (size_t)(s->tex_y0 / 2 + y);

		for (int c = 0; c < 2; c++)
			row_wrap(tmp[c], s->tex[1 + c] + (size_t)y * tw / 2, off / 2, tw / 2, w / 2);
		if (f->fmt == VFMT_I420) {
			memcpy(f->data[1] + cy * f->stride[1], tmp[0], (size_t)w / 2);
			memcpy(f->data[2] + cy * f->stride[2], tmp[1], (size_t)w / 2);
		} else {
			uint8_t *d = f->data[1] + cy * f->stride[1];

			for (int x = 0; x < w / 2; x++) {
				d[2 * x] = tmp[0][x];
				d[2 * x + 1] = tmp[1][x];
			}
		}
	}
}

static void pattern_draw(struct testsrc *s, struct vframe *f, uint64_t n)
{
	int w = s->width, h = s->height;
	int ramp_y = s->tex_y0, box, bx, by, span;
	uint8_t col[3];

	scene_draw(s, f, n);
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

/* "seek": the next frame read is frame number value (a reference instance
 * regenerates any frame of another instance: every frame is a function of
 * its number below the stamp band) */
static int testsrc_control(void *priv, const char *name, int value)
{
	struct testsrc *s = priv;

	if (strcmp(name, "seek") != 0)
		return -EOPNOTSUPP;
	if (value < 0)
		return -EINVAL;
	s->clk.n = (uint64_t)value;
	return 0;
}

const struct vidsrc_ops testsrc_vidsrc_ops = {
	.name = "testsrc",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct testsrc),
	.open = testsrc_open,
	.close = testsrc_close,
	.read = testsrc_read,
	.control = testsrc_control,
};

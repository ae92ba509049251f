/* ui_draw.c: anti-aliased shapes (signed distance fields), gradients and scaled video on an XRGB8888 canvas. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drv/frame.h"
#include "ui/ui_int.h"

static inline int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static inline float px_x(const struct canvas *c, float x)
{
	return (x + c->ox) * c->s;
}

static inline float px_y(const struct canvas *c, float y)
{
	return y * c->s;
}

void canvas_clip(struct canvas *c, float x, float y, float w, float h)
{
	c->cx0 = clampi((int)lroundf(px_x(c, x)), 0, c->w);
	c->cy0 = clampi((int)lroundf(px_y(c, y)), 0, c->h);
	c->cx1 = clampi((int)lroundf(px_x(c, x + w)), 0, c->w);
	c->cy1 = clampi((int)lroundf(px_y(c, y + h)), 0, c->h);
}

void canvas_unclip(struct canvas *c)
{
	c->cx0 = c->cy0 = 0;
	c->cx1 = c->w;
	c->cy1 = c->h;
}

static inline void blend(uint32_t *p, uint32_t col, unsigned a)
{
	uint32_t d = *p;
	unsigned na;

	if (a >= 255) {
		*p = col | 0xff000000u;
		return;
	}
	na = 255 - a;
	*p = 0xff000000u |
	     ((((col >> 16 & 0xff) * a + (d >> 16 & 0xff) * na + 127) / 255) << 16) |
	     ((((col >> 8 & 0xff) * a + (d >> 8 & 0xff) * na + 127) / 255) << 8) |
	     (((col & 0xff) * a + (d & 0xff) * na + 127) / 255);
}

void draw_rect(struct canvas *c, float x, float y, float w, float h, uint32_t col)
{
	int x0 = clampi((int)lroundf(px_x(c, x)), c->cx0, c->cx1);
	int x1 = clampi((int)lroundf(px_x(c, x + w)), c->cx0, c->cx1);
	int y0 = clampi((int)lroundf(px_y(c, y)), c->cy0, c->cy1);
	int y1 = clampi((int)lroundf(px_y(c, y + h)), c->cy0, c->cy1);
	unsigned a = col >> 24;

	for (int yy = y0; yy < y1; yy++) {
		uint32_t *row = c->px + (size_t)yy * (size_t)c->stride;

		for (int xx = x0; xx < x1; xx++)
			blend(&row[xx], col, a);
	}
}

void draw_vgradient(struct canvas *c, float x, float y, float w, float h, uint32_t top,
		    uint32_t bottom)
{
	int x0 = clampi((int)lroundf(px_x(c, x)), c->cx0, c->cx1);
	int x1 = clampi((int)lroundf(px_x(c, x + w)), c->cx0, c->cx1);
	float fy0 = px_y(c, y), fh = px_y(c, h);
	int y0 = clampi((int)lroundf(fy0), c->cy0, c->cy1);
	int y1 = clampi((int)lroundf(fy0 + fh), c->cy0, c->cy1);

	for (int yy = y0; yy < y1; yy++) {
		float t = fh > 0 ? ((float)yy + 0.5f - fy0) / fh : 0;
		uint32_t col = 0;

		t = t < 0 ? 0 : t > 1 ? 1 : t;
		for (int sh = 0; sh < 32; sh += 8) {
			float a = (float)(top >> sh & 0xff), b = (float)(bottom >> sh & 0xff);

			col |= (uint32_t)lroundf(a + (b - a) * t) << sh;
		}
		for (int xx = x0; xx < x1; xx++)
			blend(&c->px[(size_t)yy * (size_t)c->stride + (size_t)xx], col, col >> 24);
	}
}

/* --- signed distance shapes (pixel space) ----------------------------------- */
struct shape {
	int kind;
	float cx, cy, hx, hy, r, lw;   /* rrect / circle / ring */
	float a0, a1;                  /* arc */
	float x0, y0, x1, y1;          /* line */
	float xy[16];                  /* poly */
	int n;
	bool stroke;
};

enum { SH_RRECT, SH_ARC, SH_LINE, SH_POLY };

static float seg_dist(float px, float py, float ax, float ay, float bx, float by)
{
	float dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
	float t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;

	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypotf(px - ax - t * dx, py - ay - t * dy);
}

static float shape_dist(const struct shape *s, float px, float py)
{
	switch (s->kind) {
	case SH_RRECT: {
		float qx = fabsf(px - s->cx) - (s->hx - s->r);
		float qy = fabsf(py - s->cy) - (s->hy - s->r);
		float d = hypotf(fmaxf(qx, 0), fmaxf(qy, 0)) + fminf(fmaxf(qx, qy), 0) - s->r;

		return s->stroke ? fabsf(d) - s->lw / 2 : d;
	}
	case SH_ARC: {
		float dx = px - s->cx, dy = s->cy - py;
		float ang = atan2f(dy, dx) * 180.0f / (float)M_PI;

		while (ang < s->a0)
			ang += 360;
		while (ang >= s->a0 + 360)
			ang -= 360;
		if (ang <= s->a1)
			return fabsf(hypotf(dx, dy) - s->r) - s->lw / 2;
		{
			float e0x = s->cx + s->r * cosf(s->a0 * (float)M_PI / 180);
			float e0y = s->cy - s->r * sinf(s->a0 * (float)M_PI / 180);
			float e1x = s->cx + s->r * cosf(s->a1 * (float)M_PI / 180);
			float e1y = s->cy - s->r * sinf(s->a1 * (float)M_PI / 180);

			return fminf(hypotf(px - e0x, py - e0y), hypotf(px - e1x, py - e1y)) -
			       s->lw / 2;
		}
	}
	case SH_LINE:
		return seg_dist(px, py, s->x0, s->y0, s->x1, s->y1) - s->lw / 2;
	case SH_POLY: {
		float d = -1e9f, area = 0;

		for (int i = 0; i < s->n; i++) {
			int j = (i + 1) % s->n;

			area += s->xy[2 * i] * s->xy[2 * j + 1] - s->xy[2 * j] * s->xy[2 * i + 1];
		}
		for (int i = 0; i < s->n; i++) {
			int j = (i + 1) % s->n;
			float ex = s->xy[2 * j] - s->xy[2 * i], ey = s->xy[2 * j + 1] - s->xy[2 * i + 1];
			float l = hypotf(ex, ey), nx, ny, e;

			if (l <= 0)
				continue;
			/* outward normal for either winding */
			nx = area > 0 ? ey / l : -ey / l;
			ny = area > 0 ? -ex / l : ex / l;
			e = (px - s->xy[2 * i]) * nx + (py - s->xy[2 * i + 1]) * ny;
			d = fmaxf(d, e);
		}
		return d;
	}
	}
	return 1e9f;
}

static void fill_shape(struct canvas *c, const struct shape *s, float bx0, float by0, float bx1,
		       float by1, uint32_t col)
{
	int x0 = clampi((int)floorf(bx0) - 1, c->cx0, c->cx1);
	int x1 = clampi((int)ceilf(bx1) + 1, c->cx0, c->cx1);
	int y0 = clampi((int)floorf(by0) - 1, c->cy0, c->cy1);
	int y1 = clampi((int)ceilf(by1) + 1, c->cy0, c->cy1);
	float a = (float)(col >> 24);

	for (int y = y0; y < y1; y++) {
		uint32_t *row = c->px + (size_t)y * (size_t)c->stride;
		float py = (float)y + 0.5f, lo = 1, hi = 0;

		/* a filled rounded rectangle is fully covered (d <= -0.5) in the
		 * plus-shaped union of its middle bands: no distance needed there */
		if (s->kind == SH_RRECT && !s->stroke) {
			float ay = fabsf(py - s->cy);

			if (ay <= s->hy - s->r) {
				lo = s->cx - s->hx + 0.5f;
				hi = s->cx + s->hx - 0.5f;
			} else if (ay <= s->hy - 0.5f) {
				lo = s->cx - s->hx + s->r;
				hi = s->cx + s->hx - s->r;
			}
		}
		for (int x = x0; x < x1; x++) {
			float px = (float)x + 0.5f, cov;

			if (px >= lo && px <= hi) {
				blend(&row[x], col, (unsigned)a);
				continue;
			}
			cov = 0.5f - shape_dist(s, px, py);

			if (cov <= 0)
				continue;
			if (cov > 1)
				cov = 1;
			blend(&row[x], col, (unsigned)lroundf(a * cov));
		}
	}
}

static void rrect_shape(const struct canvas *c, struct shape *s, float x, float y, float w,
			float h, float r)
{
	memset(s, 0, sizeof(*s));
	s->kind = SH_RRECT;
	s->hx = w * c->s / 2;
	s->hy = h * c->s / 2;
	s->cx = px_x(c, x) + s->hx;
	s->cy = px_y(c, y) + s->hy;
	s->r = fminf(r * c->s, fminf(s->hx, s->hy));
}

void draw_rrect(struct canvas *c, float x, float y, float w, float h, float r, uint32_t col)
{
	struct shape s;

	if (w <= 0 || h <= 0)
		return;
	rrect_shape(c, &s, x, y, w, h, r);
	fill_shape(c, &s, s.cx - s.hx, s.cy - s.hy, s.cx + s.hx, s.cy + s.hy, col);
}

void draw_rrect_stroke(struct canvas *c, float x, float y, float w, float h, float r, float lw,
		       uint32_t col)
{
	struct shape s;
	float m;

	if (w <= 0 || h <= 0)
		return;
	rrect_shape(c, &s, x, y, w, h, r);
	s.stroke = true;
	s.lw = lw * c->s;
	m = s.lw;
	/* the inside of a big frame: only walk the border bands */
	fill_shape(c, &s, s.cx - s.hx - m, s.cy - s.hy - m, s.cx + s.hx + m, s.cy - s.hy + s.r + m,
		   col);
	fill_shape(c, &s, s.cx - s.hx - m, s.cy + s.hy - s.r - m, s.cx + s.hx + m,
		   s.cy + s.hy + m, col);
	if (s.hy - s.r - m > 0) {
		float ya = s.cy - s.hy + s.r + m + 1, yb = s.cy + s.hy - s.r - m - 1;

		fill_shape(c, &s, s.cx - s.hx - m, ya, s.cx - s.hx + s.r + m, yb, col);
		fill_shape(c, &s, s.cx + s.hx - s.r - m, ya, s.cx + s.hx + m, yb, col);
	}
}

void draw_circle(struct canvas *c, float cx, float cy, float r, uint32_t col)
{
	draw_rrect(c, cx - r, cy - r, 2 * r, 2 * r, r, col);
}

void draw_arc(struct canvas *c, float cx, float cy, float r, float lw, float a0, float a1,
	      uint32_t col)
{
	struct shape s = { .kind = SH_ARC };

	s.cx = px_x(c, cx);
	s.cy = px_y(c, cy);
	s.r = r * c->s;
	s.lw = lw * c->s;
	s.a0 = a0;
	s.a1 = a1;
	fill_shape(c, &s, s.cx - s.r - s.lw, s.cy - s.r - s.lw, s.cx + s.r + s.lw,
		   s.cy + s.r + s.lw, col);
}

void draw_line(struct canvas *c, float x0, float y0, float x1, float y1, float lw, uint32_t col)
{
	struct shape s = { .kind = SH_LINE };

	s.x0 = px_x(c, x0);
	s.y0 = px_y(c, y0);
	s.x1 = px_x(c, x1);
	s.y1 = px_y(c, y1);
	s.lw = lw * c->s;
	fill_shape(c, &s, fminf(s.x0, s.x1) - s.lw, fminf(s.y0, s.y1) - s.lw,
		   fmaxf(s.x0, s.x1) + s.lw, fmaxf(s.y0, s.y1) + s.lw, col);
}

void draw_poly(struct canvas *c, const float *xy, int n, uint32_t col)
{
	struct shape s = { .kind = SH_POLY };
	float bx0 = 1e9f, by0 = 1e9f, bx1 = -1e9f, by1 = -1e9f;

	if (n < 3 || n > 8)
		return;
	s.n = n;
	for (int i = 0; i < n; i++) {
		s.xy[2 * i] = px_x(c, xy[2 * i]);
		s.xy[2 * i + 1] = px_y(c, xy[2 * i + 1]);
		bx0 = fminf(bx0, s.xy[2 * i]);
		bx1 = fmaxf(bx1, s.xy[2 * i]);
		by0 = fminf(by0, s.xy[2 * i + 1]);
		by1 = fmaxf(by1, s.xy[2 * i + 1]);
	}
	fill_shape(c, &s, bx0, by0, bx1, by1, col);
}

/* --- video -------------------------------------------------------------------- */
static inline uint8_t clamp8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* BT.601 limited range */
static inline uint32_t yuv_rgb(int y, int u, int v)
{
	int c = (y - 16) * 298, d = u - 128, e = v - 128;

	return 0xff000000u | (uint32_t)clamp8((c + 409 * e + 128) >> 8) << 16 |
	       (uint32_t)clamp8((c - 100 * d - 208 * e + 128) >> 8) << 8 |
	       clamp8((c + 516 * d + 128) >> 8);
}


/* one destination row from source rows iy, iy+1 (bilinear luma/RGB, chroma
 * from the nearest sample) */
static void video_row(const struct vframe *f, uint32_t *out, int n, const int *xs,
		      const uint16_t *wxs, int iy, unsigned wy)
{
	const uint8_t *r0 = f->data[0] + (size_t)iy * (size_t)f->stride[0];
	const uint8_t *r1 = r0 + f->stride[0];
	unsigned wy0 = 256 - wy;

	switch (f->fmt) {
	case VFMT_XRGB8888: {
		const uint32_t *a = (const uint32_t *)r0, *b = (const uint32_t *)r1;

		for (int i = 0; i < n; i++) {
			int x = xs[i];
			unsigned wx = wxs[i], wx0 = 256 - wx;
			uint32_t p00 = a[x], p01 = a[x + 1], p10 = b[x], p11 = b[x + 1], o = 0xff000000u;

			for (int sh = 0; sh < 24; sh += 8) {
				unsigned t = (p00 >> sh & 0xff) * wx0 + (p01 >> sh & 0xff) * wx;
				unsigned u = (p10 >> sh & 0xff) * wx0 + (p11 >> sh & 0xff) * wx;

				o |= ((t * wy0 + u * wy + 32768) >> 16) << sh;
			}
			out[i] = o;
		}
		break;
	}
	case VFMT_I420:
	case VFMT_NV12: {
		const uint8_t *cu, *cv;
		int step;

		if (f->fmt == VFMT_I420) {
			cu = f->data[1] + (size_t)(iy / 2) * (size_t)f->stride[1];
			cv = f->data[2] + (size_t)(iy / 2) * (size_t)f->stride[2];
			step = 1;
		} else {
			cu = f->data[1] + (size_t)(iy / 2) * (size_t)f->stride[1];
			cv = cu + 1;
			step = 2;
		}
		for (int i = 0; i < n; i++) {
			int x = xs[i];
			unsigned wx = wxs[i], wx0 = 256 - wx;
			unsigned t = r0[x] * wx0 + r0[x + 1] * wx, u = r1[x] * wx0 + r1[x + 1] * wx;

			out[i] = yuv_rgb((int)((t * wy0 + u * wy + 32768) >> 16), cu[(x / 2) * step],
					 cv[(x / 2) * step]);
		}
		break;
	}
	case VFMT_YUYV:
		for (int i = 0; i < n; i++) {
			int x = xs[i], p = (x / 2) * 4;
			unsigned wx = wxs[i], wx0 = 256 - wx;
			unsigned t = r0[2 * x] * wx0 + r0[2 * x + 2] * wx;
			unsigned u = r1[2 * x] * wx0 + r1[2 * x + 2] * wx;

			out[i] = yuv_rgb((int)((t * wy0 + u * wy + 32768) >> 16), r0[p + 1], r0[p + 3]);
		}
		break;
	default:
		break;
	}
}

static bool frame_ok(const struct vframe *f)
{
	if (!f || f->width < 2 || f->height < 2 || !f->data[0] || (unsigned)f->fmt >= VFMT_MAX)
		return false;
	if ((f->fmt == VFMT_I420 && (!f->data[1] || !f->data[2])) ||
	    (f->fmt == VFMT_NV12 && !f->data[1]))
		return false;
	return true;
}

void draw_video(struct canvas *c, const struct vframe *f, float x, float y, float w, float h,
		bool fill)
{
	float dx0 = px_x(c, x), dy0 = px_y(c, y), dw = w * c->s, dh = h * c->s;
	float sx0 = 0, sy0 = 0, sw, sh, scale;
	int x0, x1, y0, y1, *xs;
	uint16_t *wxs;

	if (!frame_ok(f) || dw < 1 || dh < 1)
		return;
	sw = (float)f->width;
	sh = (float)f->height;
	if (fill) {
		/* crop the source to the destination's aspect */
		if (sw / sh > dw / dh) {
			float nw = sh * dw / dh;

			sx0 = (sw - nw) / 2;
			sw = nw;
		} else {
			float nh = sw * dh / dw;

			sy0 = (sh - nh) / 2;
			sh = nh;
		}
	} else {
		/* shrink the destination to the source's aspect (letterbox) */
		if (sw / sh > dw / dh) {
			float nh = dw * sh / sw;

			dy0 += (dh - nh) / 2;
			dh = nh;
		} else {
			float nw = dh * sw / sh;

			dx0 += (dw - nw) / 2;
			dw = nw;
		}
	}
	scale = sw / dw;
	x0 = clampi((int)lroundf(dx0), c->cx0, c->cx1);
	x1 = clampi((int)lroundf(dx0 + dw), c->cx0, c->cx1);
	y0 = clampi((int)lroundf(dy0), c->cy0, c->cy1);
	y1 = clampi((int)lroundf(dy0 + dh), c->cy0, c->cy1);
	if (x1 <= x0 || y1 <= y0)
		return;
	/* per-column source index and weight, computed once */
	xs = malloc((size_t)(x1 - x0) * (sizeof(*xs) + sizeof(*wxs)));
	if (!xs)
		return;
	wxs = (uint16_t *)(xs + (x1 - x0));
	for (int xx = x0; xx < x1; xx++) {
		float fx = sx0 + ((float)xx + 0.5f - dx0) * scale - 0.5f;
		int ix;

		if (fx < 0)
			fx = 0;
		ix = (int)fx;
		if (ix > f->width - 2) {
			ix = f->width - 2;
			fx = (float)ix + 1;
		}
		xs[xx - x0] = ix;
		wxs[xx - x0] = (uint16_t)((fx - (float)ix) * 256);
	}
	for (int yy = y0; yy < y1; yy++) {
		float fy = sy0 + ((float)yy + 0.5f - dy0) * (sh / dh) - 0.5f;
		uint32_t *row = c->px + (size_t)yy * (size_t)c->stride + x0;
		unsigned wy;
		int iy;

		if (fy < 0)
			fy = 0;
		iy = (int)fy;
		if (iy > f->height - 2) {
			iy = f->height - 2;
			fy = (float)iy + 1;
		}
		wy = (unsigned)((fy - (float)iy) * 256);
		video_row(f, row, x1 - x0, xs, wxs, iy, wy);
	}
	free(xs);
}

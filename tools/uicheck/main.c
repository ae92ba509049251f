/* main.c: rakwon-uicheck, checks screenshots of the terminal's composed screen (goldens, video stamps).
 *
 *   rakwon-uicheck compare REF.png GOT.png [X,Y,W,H]...
 *       Compares two pictures of the same size outside the mask rectangles
 *       (pixels); prints {"mad":..,"bad_pct":..,"masked_pct":..} and exits 0
 *       when the mean absolute difference per channel is < 2 and fewer than
 *       0.5 % of the compared pixels differ by more than 32 in a channel
 *       (the thresholds of tests/unit/test_ui_golden.c), else 1.
 *   rakwon-uicheck stamp PNG X,Y,W,H SRC_W SRC_H
 *       Takes the rectangle where a video was drawn, scales it back to the
 *       video's size and reads the burnt-in test stamp (drv/teststamp.h);
 *       prints {"seq":N} and exits 0, or exits 1 when there is none.
 *   rakwon-uicheck mean PNG X,Y,W,H
 *       Prints the mean {"r":..,"g":..,"b":..} of the rectangle.
 */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/frame.h"
#include "drv/teststamp.h"

struct rect {
	int x, y, w, h;
};

/* an XRGB8888 frame from a PNG file */
static int png_load(const char *path, struct vframe **ret)
{
	png_image img;
	struct vframe *f;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		fprintf(stderr, "rakwon-uicheck: %s: %s\n", path, img.message);
		return -EINVAL;
	}
	img.format = PNG_FORMAT_BGRA;
	if (img.width < 2 || img.height < 2 || img.width > 8192 || img.height > 8192 ||
	    vframe_new(&f, VFMT_XRGB8888, (int)img.width, (int)img.height) < 0) {
		png_image_free(&img);
		return -ENOMEM;
	}
	if (!png_image_finish_read(&img, NULL, f->data[0], f->stride[0], NULL)) {
		fprintf(stderr, "rakwon-uicheck: %s: %s\n", path, img.message);
		vframe_unref(f);
		return -EINVAL;
	}
	*ret = f;
	return 0;
}

static int rect_parse(const char *s, struct rect *r)
{
	if (sscanf(s, "%d,%d,%d,%d", &r->x, &r->y, &r->w, &r->h) != 4 || r->w <= 0 || r->h <= 0 ||
	    r->x < 0 || r->y < 0) {
		fprintf(stderr, "rakwon-uicheck: bad rectangle \"%s\" (X,Y,W,H)\n", s);
		return -EINVAL;
	}
	return 0;
}

static uint32_t px(const struct vframe *f, int x, int y)
{
	return ((const uint32_t *)(f->data[0] + (size_t)y * (size_t)f->stride[0]))[x];
}

static int compare(int argc, char **argv)
{
	struct vframe *a = NULL, *b = NULL;
	struct rect masks[32];
	int nm = 0, rc = 2;
	uint64_t sum = 0, nbad = 0, n = 0, masked = 0;

	if (argc < 2)
		return 2;
	for (int i = 2; i < argc; i++) {
		if (nm == 32 || rect_parse(argv[i], &masks[nm]) < 0)
			return 2;
		nm++;
	}
	if (png_load(argv[0], &a) < 0 || png_load(argv[1], &b) < 0)
		goto out;
	if (a->width != b->width || a->height != b->height) {
		fprintf(stderr, "rakwon-uicheck: sizes differ: %dx%d and %dx%d\n", a->width,
			a->height, b->width, b->height);
		rc = 1;
		goto out;
	}
	for (int y = 0; y < a->height; y++) {
		for (int x = 0; x < a->width; x++) {
			uint32_t pa = px(a, x, y), pb = px(b, x, y);
			bool in = false;
			int maxd = 0;

			for (int m = 0; m < nm && !in; m++)
				in = x >= masks[m].x && x < masks[m].x + masks[m].w &&
				     y >= masks[m].y && y < masks[m].y + masks[m].h;
			if (in) {
				masked++;
				continue;
			}
			for (int sh = 0; sh < 24; sh += 8) {
				int d = abs((int)(pa >> sh & 0xff) - (int)(pb >> sh & 0xff));

				sum += (uint64_t)d;
				maxd = d > maxd ? d : maxd;
			}
			nbad += maxd > 32;
			n++;
		}
	}
	{
		double mad = n ? (double)sum / (double)(n * 3) : 0;
		double bad = n ? 100.0 * (double)nbad / (double)n : 0;

		printf("{\"mad\":%.3f,\"bad_pct\":%.3f,\"masked_pct\":%.1f}\n", mad, bad,
		       100.0 * (double)masked / (double)(masked + n));
		rc = n && mad < 2.0 && bad < 0.5 ? 0 : 1;
	}
out:
	vframe_unref(a);
	vframe_unref(b);
	return rc;
}

/* bilinear sample of the rectangle at (u, v) in [0,1) */
static uint32_t sample(const struct vframe *f, const struct rect *r, double u, double v)
{
	double fx = r->x + u * r->w - 0.5, fy = r->y + v * r->h - 0.5;
	int x0 = (int)floor(fx), y0 = (int)floor(fy);
	double ax = fx - x0, ay = fy - y0;
	uint32_t out = 0;

	for (int sh = 0; sh < 24; sh += 8) {
		double c = 0;

		for (int k = 0; k < 4; k++) {
			int x = x0 + (k & 1), y = y0 + (k >> 1);
			double w = ((k & 1) ? ax : 1 - ax) * ((k >> 1) ? ay : 1 - ay);

			x = x < r->x ? r->x : x >= r->x + r->w ? r->x + r->w - 1 : x;
			y = y < r->y ? r->y : y >= r->y + r->h ? r->y + r->h - 1 : y;
			c += w * (double)(px(f, x, y) >> sh & 0xff);
		}
		out |= (uint32_t)(c + 0.5) << sh;
	}
	return out;
}

static int stamp(int argc, char **argv)
{
	struct vframe *f = NULL, *v = NULL, *yuv = NULL;
	struct rect r;
	int w, h, rc = 1;
	uint32_t seq;
	uint64_t us;

	if (argc < 4 || rect_parse(argv[1], &r) < 0)
		return 2;
	w = atoi(argv[2]);
	h = atoi(argv[3]);
	if (w < 104 || h < 64 || w > 4096 || h > 4096 || w % 2 || h % 2)
		return 2;
	if (png_load(argv[0], &f) < 0)
		return 2;
	if (r.x + r.w > f->width || r.y + r.h > f->height) {
		fprintf(stderr, "rakwon-uicheck: rectangle outside the picture\n");
		goto out;
	}
	if (vframe_new(&v, VFMT_XRGB8888, w, h) < 0)
		goto out;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			((uint32_t *)(v->data[0] + (size_t)y * (size_t)v->stride[0]))[x] =
				sample(f, &r, (x + 0.5) / w, (y + 0.5) / h);
	if (vframe_convert(&yuv, v, VFMT_I420) < 0)
		goto out;
	if (teststamp_read_raw(yuv, &seq, &us) == 0) {
		printf("{\"seq\":%u}\n", seq);
		rc = 0;
	} else {
		fprintf(stderr, "rakwon-uicheck: no test stamp in %s at %s\n", argv[0], argv[1]);
	}
out:
	vframe_unref(f);
	vframe_unref(v);
	vframe_unref(yuv);
	return rc;
}

static int mean(int argc, char **argv)
{
	struct vframe *f = NULL;
	struct rect r;
	double s[3] = { 0 };

	if (argc < 2 || rect_parse(argv[1], &r) < 0 || png_load(argv[0], &f) < 0)
		return 2;
	if (r.x + r.w > f->width || r.y + r.h > f->height) {
		vframe_unref(f);
		return 2;
	}
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			for (int c = 0; c < 3; c++)
				s[c] += px(f, x, y) >> (16 - 8 * c) & 0xff;
	printf("{\"r\":%.1f,\"g\":%.1f,\"b\":%.1f}\n", s[0] / (r.w * r.h), s[1] / (r.w * r.h),
	       s[2] / (r.w * r.h));
	vframe_unref(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return compare(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "stamp"))
		return stamp(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "mean"))
		return mean(argc - 2, argv + 2);
	fprintf(stderr, "usage: rakwon-uicheck compare REF.png GOT.png [X,Y,W,H]...\n"
			"       rakwon-uicheck stamp PNG X,Y,W,H SRC_W SRC_H\n"
			"       rakwon-uicheck mean PNG X,Y,W,H\n");
	return 2;
}

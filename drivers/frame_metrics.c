/* frame_metrics.c: PSNR of pictures and cross-correlation of PCM, for tests and benchmarks. */
#include <math.h>

#include "drv/frame.h"
#include "drv/frame_metrics.h"

static bool yuv420(const struct vframe *f)
{
	return f && (f->fmt == VFMT_I420 || f->fmt == VFMT_NV12) && f->data[0];
}

static double sse_plane(const uint8_t *a, int sa, int ainc, const uint8_t *b, int sb, int binc,
			int w, int h)
{
	double sse = 0;

	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * sa, *pb = b + (size_t)y * sb;
		uint64_t row = 0;

		for (int x = 0; x < w; x++) {
			int d = pa[x * ainc] - pb[x * binc];

			row += (uint64_t)(d * d);
		}
		sse += (double)row;
	}
	return sse;
}

static double psnr_from(double sse, double n)
{
	double mse = sse / n;

	if (mse <= 0)
		return PSNR_MAX_DB;
	return fmin(PSNR_MAX_DB, 10.0 * log10(255.0 * 255.0 / mse));
}

static bool same_size(const struct vframe *a, const struct vframe *b)
{
	return yuv420(a) && yuv420(b) && a->width == b->width && a->height == b->height;
}

double vframe_psnr_y(const struct vframe *a, const struct vframe *b)
{
	if (!same_size(a, b))
		return -1.0;
	return psnr_from(sse_plane(a->data[0], a->stride[0], 1, b->data[0], b->stride[0], 1,
				   a->width, a->height),
			 (double)a->width * a->height);
}

/* chroma plane c (0 = U, 1 = V) as (pointer, stride, step) */
static const uint8_t *chroma(const struct vframe *f, int c, int *stride, int *inc)
{
	if (f->fmt == VFMT_I420) {
		*stride = f->stride[1 + c];
		*inc = 1;
		return f->data[1 + c];
	}
	*stride = f->stride[1];
	*inc = 2;
	return f->data[1] + c;
}

double vframe_psnr(const struct vframe *a, const struct vframe *b)
{
	double sse, n;

	if (!same_size(a, b))
		return -1.0;
	sse = sse_plane(a->data[0], a->stride[0], 1, b->data[0], b->stride[0], 1, a->width,
			a->height);
	for (int c = 0; c < 2; c++) {
		int sa, ia, sb, ib;
		const uint8_t *pa = chroma(a, c, &sa, &ia), *pb = chroma(b, c, &sb, &ib);

		sse += sse_plane(pa, sa, ia, pb, sb, ib, a->width / 2, a->height / 2);
	}
	n = (double)a->width * a->height * 1.5;
	return psnr_from(sse, n);
}

double pcm_xcorr_peak(const int16_t *a, size_t na, const int16_t *b, size_t nb, int max_lag,
		      int *ret_lag)
{
	double best = 0;
	int best_lag = 0;
	bool found = false;

	if (max_lag < 0)
		max_lag = 0;
	for (int lag = -max_lag; lag <= max_lag; lag++) {
		/* overlap: i in [i0, i1) with 0 <= i < na and 0 <= i + lag < nb */
		long i0 = lag < 0 ? -lag : 0;
		long i1 = (long)na < (long)nb - lag ? (long)na : (long)nb - lag;
		double xy = 0, xx = 0, yy = 0, c;

		if (i1 <= i0)
			continue;
		for (long i = i0; i < i1; i++) {
			double x = a[i], y = b[i + lag];

			xy += x * y;
			xx += x * x;
			yy += y * y;
		}
		if (xx <= 0 || yy <= 0)
			continue;
		c = xy / sqrt(xx * yy);
		if (!found || c > best) {
			best = c;
			best_lag = lag;
			found = true;
		}
	}
	if (ret_lag)
		*ret_lag = found ? best_lag : 0;
	return found ? best : 0;
}

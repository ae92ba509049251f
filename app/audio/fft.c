/* fft.c: real FFT of size n through a complex radix-2 FFT of size n/2. */
#include "audio/fft.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct fft {
	unsigned n, m;          /* real size, complex size m = n/2 */
	unsigned *rev;          /* bit reversal permutation of m */
	float *wr, *wi;         /* complex twiddles e^{-2pi i k/m}, k < m/2 */
	float *tr, *ti;         /* real-split twiddles e^{-2pi i k/n}, k <= m */
	float *zr, *zi;         /* scratch, m complex */
};

int fft_new(struct fft **ret, unsigned n)
{
	struct fft *f;
	unsigned bits = 0;

	if (n < 8 || n > 65536 || (n & (n - 1)))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->n = n;
	f->m = n / 2;
	while ((1u << bits) < f->m)
		bits++;
	f->rev = calloc(f->m, sizeof(*f->rev));
	f->wr = calloc(f->m / 2, sizeof(float));
	f->wi = calloc(f->m / 2, sizeof(float));
	f->tr = calloc(f->m + 1, sizeof(float));
	f->ti = calloc(f->m + 1, sizeof(float));
	f->zr = calloc(f->m, sizeof(float));
	f->zi = calloc(f->m, sizeof(float));
	if (!f->rev || !f->wr || !f->wi || !f->tr || !f->ti || !f->zr || !f->zi) {
		fft_free(f);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < f->m; i++) {
		unsigned r = 0;
		for (unsigned b = 0; b < bits; b++)
			if (i & (1u << b))
				r |= 1u << (bits - 1 - b);
		f->rev[i] = r;
	}
	for (unsigned k = 0; k < f->m / 2; k++) {
		f->wr[k] = (float)cos(2.0 * M_PI * k / f->m);
		f->wi[k] = (float)-sin(2.0 * M_PI * k / f->m);
	}
	for (unsigned k = 0; k <= f->m; k++) {
		f->tr[k] = (float)cos(2.0 * M_PI * k / n);
		f->ti[k] = (float)-sin(2.0 * M_PI * k / n);
	}
	*ret = f;
	return 0;
}

struct fft *fft_free(struct fft *f)
{
	if (!f)
		return NULL;
	free(f->rev);
	free(f->wr);
	free(f->wi);
	free(f->tr);
	free(f->ti);
	free(f->zr);
	free(f->zi);
	free(f);
	return NULL;
}

unsigned fft_size(const struct fft *f)
{
	return f->n;
}

/* in-place forward complex FFT of zr/zi (already bit-reversed) */
static void fft_complex(struct fft *f)
{
	float *restrict zr = f->zr, *restrict zi = f->zi;
	unsigned m = f->m;

	for (unsigned len = 2; len <= m; len <<= 1) {
		unsigned half = len >> 1, step = m / len;
		for (unsigned s = 0; s < m; s += len) {
			for (unsigned k = 0; k < half; k++) {
				float wr = f->wr[k * step], wi = f->wi[k * step];
				unsigned a = s + k, b = a + half;
				float xr = zr[b] * wr - zi[b] * wi;
				float xi = zr[b] * wi + zi[b] * wr;
				zr[b] = zr[a] - xr;
				zi[b] = zi[a] - xi;
				zr[a] += xr;
				zi[a] += xi;
			}
		}
	}
}

void fft_forward(struct fft *f, const float *in, float *re, float *im)
{
	unsigned m = f->m;

	for (unsigned i = 0; i < m; i++) {
		unsigned r = f->rev[i];
		f->zr[r] = in[2 * i];
		f->zi[r] = in[2 * i + 1];
	}
	fft_complex(f);
	/* X[k] = Xe[k] + W^k Xo[k], Xe = (Z[k] + Z*[m-k])/2, Xo = -i (Z[k] - Z*[m-k])/2 */
	re[0] = f->zr[0] + f->zi[0];
	im[0] = 0;
	re[m] = f->zr[0] - f->zi[0];
	im[m] = 0;
	for (unsigned k = 1; k < m; k++) {
		float ar = f->zr[k], ai = f->zi[k];
		float br = f->zr[m - k], bi = -f->zi[m - k];
		float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
		float dr = 0.5f * (ar - br), di = 0.5f * (ai - bi);
		float or_ = di, oi = -dr; /* -i * d */
		re[k] = er + f->tr[k] * or_ - f->ti[k] * oi;
		im[k] = ei + f->tr[k] * oi + f->ti[k] * or_;
	}
}

void fft_inverse(struct fft *f, const float *re, const float *im, float *out)
{
	unsigned m = f->m;
	float scale = 1.0f / (float)m;

	for (unsigned k = 0; k < m; k++) {
		float ar = re[k], ai = k ? im[k] : 0;
		float br = re[m - k], bi = (k ? -im[m - k] : 0);
		float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
		float dr = 0.5f * (ar - br), di = 0.5f * (ai - bi);
		/* Xo = d * W^{-k} = d * conj(t) */
		float or_ = dr * f->tr[k] + di * f->ti[k];
		float oi = di * f->tr[k] - dr * f->ti[k];
		/* Z = Xe + i Xo, conjugated for the inverse through the forward FFT */
		unsigned r = f->rev[k];
		f->zr[r] = er - oi;
		f->zi[r] = -(ei + or_);
	}
	fft_complex(f);
	for (unsigned i = 0; i < m; i++) {
		out[2 * i] = f->zr[i] * scale;
		out[2 * i + 1] = -f->zi[i] * scale;
	}
}

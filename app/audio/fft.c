/* fft.c: real FFT of size n through a complex radix-2 FFT of size n/2. */
#include "audio/fft.h"
#include "audio/simd.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fft {
	unsigned n, m;          /* real size, complex size m = n/2 */
	unsigned *rev;          /* bit reversal permutation of m */
	float *wr, *wi;         /* per stage of half-size h: e^{-2pi i k/2h}, k < h, at offset h */
	float *tr, *ti;         /* real-split twiddles e^{-2pi i k/n}, k <= m */
	float *zr, *zi;         /* scratch, m complex */
};

int fft_new(struct fft **ret, unsigned n)
{
	struct fft *f;
	unsigned bits = 0;

	if (n < 16 || n > (1u << 22) || (n & (n - 1)))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->n = n;
	f->m = n / 2;
	while ((1u << bits) < f->m)
		bits++;
	f->rev = calloc(f->m, sizeof(*f->rev));
	f->wr = calloc(f->m, sizeof(float));
	f->wi = calloc(f->m, sizeof(float));
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
	for (unsigned h = 1; h < f->m; h <<= 1) {
		for (unsigned k = 0; k < h; k++) {
			f->wr[h + k] = (float)cos(M_PI * k / h);
			f->wi[h + k] = (float)-sin(M_PI * k / h);
		}
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

	/* stages of 2 and 4 points: no multiplications */
	for (unsigned s = 0; s + 3 < m; s += 4) {
		float ar = zr[s] + zr[s + 1], ai = zi[s] + zi[s + 1];
		float br = zr[s] - zr[s + 1], bi = zi[s] - zi[s + 1];
		float cr = zr[s + 2] + zr[s + 3], ci = zi[s + 2] + zi[s + 3];
		float dr = zr[s + 2] - zr[s + 3], di = zi[s + 2] - zi[s + 3];
		zr[s] = ar + cr;
		zi[s] = ai + ci;
		zr[s + 2] = ar - cr;
		zi[s + 2] = ai - ci;
		/* d * -i */
		zr[s + 1] = br + di;
		zi[s + 1] = bi - dr;
		zr[s + 3] = br - di;
		zi[s + 3] = bi + dr;
	}
	for (unsigned half = 4; half < m; half <<= 1) {
		const float *restrict wr = f->wr + half, *restrict wi = f->wi + half;
		for (unsigned s = 0; s < m; s += 2 * half) {
			float *ar = zr + s, *ai = zi + s, *br = zr + s + half, *bi = zi + s + half;
			for (unsigned k = 0; k < half; k += 4) {
				v4sf twr = ld4(wr + k), twi = ld4(wi + k);
				v4sf xr = ld4(br + k), xi = ld4(bi + k);
				v4sf tr = xr * twr - xi * twi, ti = xr * twi + xi * twr;
				v4sf yr = ld4(ar + k), yi = ld4(ai + k);
				st4(br + k, yr - tr);
				st4(bi + k, yi - ti);
				st4(ar + k, yr + tr);
				st4(ai + k, yi + ti);
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

/* sim.c: scenario synthesis (deterministic from a seed) and the metrics shared by check and bench. */
#include "sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/fft.h"

/* --- WAV (16-bit PCM, first channel) --- */
static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int wav_read(const char *path, float **ret, int *ret_n)
{
	FILE *f = fopen(path, "rb");
	uint8_t h[12], ch[8];
	int chans = 1, bits = 0, rate = 0;

	if (!f)
		return -errno;
	if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4))
		goto bad;
	while (fread(ch, 1, 8, f) == 8) {
		uint32_t len = rd32(ch + 4);
		if (!memcmp(ch, "fmt ", 4)) {
			uint8_t fm[16];
			if (len < 16 || fread(fm, 1, 16, f) != 16)
				goto bad;
			chans = fm[2] | fm[3] << 8;
			rate = (int)rd32(fm + 4);
			bits = fm[14] | fm[15] << 8;
			if (fseek(f, (long)(len - 16 + (len & 1)), SEEK_CUR))
				goto bad;
		} else if (!memcmp(ch, "data", 4)) {
			if (bits != 16 || chans < 1 || rate != SIM_RATE || len > (1u << 30))
				goto bad;
			int n = (int)(len / (2u * (unsigned)chans));
			int16_t *pcm = malloc((size_t)n * chans * 2);
			float *x = malloc((size_t)n * sizeof(float));
			if (!pcm || !x || fread(pcm, 2, (size_t)n * chans, f) != (size_t)n * chans) {
				free(pcm);
				free(x);
				goto bad;
			}
			for (int i = 0; i < n; i++)
				x[i] = (float)pcm[i * chans] / 32768.0f;
			free(pcm);
			fclose(f);
			*ret = x;
			*ret_n = n;
			return 0;
		} else if (fseek(f, (long)(len + (len & 1)), SEEK_CUR)) {
			goto bad;
		}
	}
bad:
	fclose(f);
	return -EINVAL;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff;
	p[3] = v >> 24;
}

int wav_write(const char *path, const float *x, int n)
{
	uint8_t h[44] = "RIFF....WAVEfmt ....\1\0\1\0........\2\0\20\0data....";
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (!f)
		return -errno;
	wr32(h + 4, 36 + 2u * (unsigned)n);
	wr32(h + 16, 16);
	wr32(h + 24, SIM_RATE);
	wr32(h + 28, SIM_RATE * 2);
	wr32(h + 40, 2u * (unsigned)n);
	if (fwrite(h, 1, 44, f) != 44)
		r = -EIO;
	for (int i = 0; i < n && !r; i++) {
		float v = x[i] * 32768.0f;
		int16_t s = v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)lrintf(v);
		if (fwrite(&s, 2, 1, f) != 1)
			r = -EIO;
	}
	if (fclose(f) && !r)
		r = -EIO;
	return r;
}

/* --- deterministic random numbers --- */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_gauss(uint64_t *s)
{
	return sqrt(-2.0 * log(rng_unit(s))) * cos(2.0 * M_PI * rng_unit(s));
}

/* --- building blocks --- */
/* RMS over the 10 ms blocks within 40 dB of the loudest one */
static double active_rms(const float *x, int n)
{
	double mx = 0, sum = 0;
	int cnt = 0;

	for (int b = 0; b + SIM_BLOCK <= n; b += SIM_BLOCK) {
		double e = 0;
		for (int i = 0; i < SIM_BLOCK; i++)
			e += (double)x[b + i] * x[b + i];
		if (e > mx)
			mx = e;
	}
	for (int b = 0; b + SIM_BLOCK <= n; b += SIM_BLOCK) {
		double e = 0;
		for (int i = 0; i < SIM_BLOCK; i++)
			e += (double)x[b + i] * x[b + i];
		if (e > mx * 1e-4) {
			sum += e;
			cnt++;
		}
	}
	return cnt ? sqrt(sum / cnt / SIM_BLOCK) : 0;
}

static void scale_to(float *x, int n, double dbfs)
{
	double r = active_rms(x, n), g = r > 0 ? pow(10, dbfs / 20) / r : 0;
	for (int i = 0; i < n; i++)
		x[i] = (float)(x[i] * g);
}

/* direct path at d0 samples, exponentially decaying noise tail (RT60), given
 * direct-to-reverberant ratio; total energy normalised to `energy` */
static float *rir_make(int *ret_len, double rt60, int d0, double drr_db, double energy,
		       uint64_t *rng)
{
	int len = d0 + (int)(rt60 * SIM_RATE) + 1;
	float *h = calloc((size_t)len, sizeof(float));
	double er = 0, sum = 0;

	if (!h)
		return NULL;
	for (int n = d0 + 24; n < len; n++) {
		double t = (double)(n - d0) / SIM_RATE;
		/* 1 ms build-up of early reflections */
		double env = exp(-6.9078 * t / rt60) * (t < 0.005 ? t / 0.005 : 1.0);
		h[n] = (float)(rng_gauss(rng) * env);
		er += (double)h[n] * h[n];
	}
	double g = sqrt(pow(10, -drr_db / 10) / (er + 1e-20));
	for (int n = d0 + 1; n < len; n++)
		h[n] = (float)(h[n] * g);
	h[d0] = 1.0f;
	for (int n = 0; n < len; n++)
		sum += (double)h[n] * h[n];
	g = sqrt(energy / sum);
	for (int n = 0; n < len; n++)
		h[n] = (float)(h[n] * g);
	*ret_len = len;
	return h;
}

/* y[0..n) = (x * h)[0..n), FFT overlap-add */
static int conv(const float *x, int n, const float *h, int hl, float *y)
{
	unsigned f = 4096;
	struct fft *ft;
	int r;

	while (f < 2u * (unsigned)hl)
		f <<= 1;
	int blk = (int)f - hl + 1;
	r = fft_new(&ft, f);
	if (r < 0)
		return r;
	unsigned kb = f / 2 + 1;
	float *hr = calloc(kb, sizeof(float)), *hi = calloc(kb, sizeof(float));
	float *xr = calloc(kb, sizeof(float)), *xi = calloc(kb, sizeof(float));
	float *t = calloc(f, sizeof(float));
	if (!hr || !hi || !xr || !xi || !t) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(t, h, (size_t)hl * sizeof(float));
	fft_forward(ft, t, hr, hi);
	memset(y, 0, (size_t)n * sizeof(float));
	for (int b = 0; b < n; b += blk) {
		int m = n - b < blk ? n - b : blk;
		memset(t, 0, f * sizeof(float));
		memcpy(t, x + b, (size_t)m * sizeof(float));
		fft_forward(ft, t, xr, xi);
		for (unsigned k = 0; k < kb; k++) {
			float re = xr[k] * hr[k] - xi[k] * hi[k];
			float im = xr[k] * hi[k] + xi[k] * hr[k];
			xr[k] = re;
			xi[k] = im;
		}
		fft_inverse(ft, xr, xi, t);
		for (unsigned i = 0; i < f && b + (int)i < n; i++)
			y[b + i] += t[i];
	}
out:
	free(hr);
	free(hi);
	free(xr);
	free(xi);
	free(t);
	fft_free(ft);
	return r;
}

/* y[n] = x(n * (1 + ppm)), windowed-sinc interpolation (32 taps, 1024 phases) */
#define RS_HALF 16
#define RS_PH 1024
static int resample_drift(const float *x, int n, double ppm, float *y)
{
	float *tab = malloc((size_t)(RS_PH + 1) * 2 * RS_HALF * sizeof(float));
	double ratio = 1.0 + ppm * 1e-6;

	if (!tab)
		return -ENOMEM;
	for (int p = 0; p <= RS_PH; p++) {
		double fr = (double)p / RS_PH;
		for (int k = -RS_HALF + 1; k <= RS_HALF; k++) {
			double u = k - fr; /* distance from the interpolated point */
			double s = fabs(u) < 1e-9 ? 1.0 : sin(M_PI * u) / (M_PI * u);
			double w = 0.5 + 0.5 * cos(M_PI * u / RS_HALF);
			tab[p * 2 * RS_HALF + (k + RS_HALF - 1)] = (float)(s * w);
		}
	}
	for (int i = 0; i < n; i++) {
		double t = i * ratio;
		int i0 = (int)floor(t);
		int p = (int)lrint((t - i0) * RS_PH);
		const float *c = tab + p * 2 * RS_HALF;
		float acc = 0;
		for (int k = -RS_HALF + 1; k <= RS_HALF; k++) {
			int j = i0 + k;
			if (j >= 0 && j < n)
				acc += x[j] * c[k + RS_HALF - 1];
		}
		y[i] = acc;
	}
	free(tab);
	return 0;
}

static void loop_fill(float *dst, int n, const float *src, int ns)
{
	for (int i = 0; i < n; i++)
		dst[i] = src[i % ns];
}

void scen_free(struct scen *s)
{
	free(s->mic);
	free(s->ref);
	free(s->near);
	free(s->echo);
	memset(s, 0, sizeof(*s));
}

int scen_make(struct scen *s, const struct scen_params *p, const float *far, int nfar,
	      const float *near, int nnear)
{
	uint64_t rng = p->seed * 0x2545f4914f6cdd1dull + 1;
	int n = (int)(p->secs * SIM_RATE) / SIM_BLOCK * SIM_BLOCK;
	int hl = 0, hl2 = 0, nl = 0, r = -ENOMEM;
	float *ls = NULL, *h = NULL, *h2 = NULL, *hn = NULL, *tmp = NULL;

	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->n = n;
	s->mic = calloc((size_t)n, sizeof(float));
	s->ref = calloc((size_t)n, sizeof(float));
	s->near = calloc((size_t)n, sizeof(float));
	s->echo = calloc((size_t)n, sizeof(float));
	ls = calloc((size_t)n, sizeof(float));
	tmp = calloc((size_t)n, sizeof(float));
	if (!s->mic || !s->ref || !s->near || !s->echo || !ls || !tmp)
		goto fail;

	/* far end: the reference is what playback gets */
	loop_fill(s->ref, n, far, nfar);
	scale_to(s->ref, n, -24);
	/* loudspeaker: mild soft clip (tanh: -2 dB compression at -6 dBFS peaks) */
	for (int i = 0; i < n; i++)
		ls[i] = tanhf(s->ref[i]);
	/* room: direct-to-reverberant ratio falls with RT60; echo 6 dB under the reference */
	double drr = 3.0 - 10.0 * (p->rt60 - 0.2);
	h = rir_make(&hl, p->rt60, p->delay_ms * SIM_RATE / 1000, drr, 0.25, &rng);
	if (!h || conv(ls, n, h, hl, s->echo) < 0)
		goto fail;
	if (p->kind == SCEN_CHANGE) {
		/* the microphone moves: another room response, 3 ms further */
		h2 = rir_make(&hl2, p->rt60, (p->delay_ms + 3) * SIM_RATE / 1000, drr - 2, 0.35, &rng);
		if (!h2 || conv(ls, n, h2, hl2, tmp) < 0)
			goto fail;
		int c0 = (int)(p->change_at * SIM_RATE), cl = SIM_RATE / 50;
		for (int i = c0; i < n; i++) {
			float w = i - c0 >= cl ? 1.0f : (float)(i - c0) / (float)cl;
			s->echo[i] = (1 - w) * s->echo[i] + w * tmp[i];
		}
	}
	if (p->drift_ppm != 0) {
		if (resample_drift(s->echo, n, p->drift_ppm, tmp) < 0)
			goto fail;
		memcpy(s->echo, tmp, (size_t)n * sizeof(float));
	}
	/* near end: talker 1.5 m from the microphone in the same room */
	if (p->kind == SCEN_DT && near) {
		int n0 = (int)(p->near_at * SIM_RATE);
		memset(tmp, 0, (size_t)n * sizeof(float));
		if (n0 < n)
			loop_fill(tmp + n0, n - n0, near, nnear);
		hn = rir_make(&nl, p->rt60, 0, drr + 6, 1.0, &rng);
		if (!hn || conv(tmp, n, hn, nl, s->near) < 0)
			goto fail;
		scale_to(s->near, n, p->near_dbfs ? p->near_dbfs : -30);
	}
	/* background noise: mix of white and low-passed (rumble) noise */
	double ln = 0, ne = 0;
	for (int i = 0; i < n; i++) {
		double w = rng_gauss(&rng);
		ln = 0.98 * ln + 0.2 * w;
		tmp[i] = (float)(0.3 * w + ln);
		ne += (double)tmp[i] * tmp[i];
	}
	double ng = pow(10, p->noise_dbfs / 20) / sqrt(ne / n + 1e-20);
	for (int i = 0; i < n; i++) {
		s->mic[i] = s->echo[i] + s->near[i] + (float)(tmp[i] * ng);
		/* both signals go through 16-bit devices */
		s->mic[i] = roundf(fmaxf(-1.0f, fminf(32767.0f / 32768, s->mic[i])) * 32768) / 32768;
		s->ref[i] = roundf(fmaxf(-1.0f, fminf(32767.0f / 32768, s->ref[i])) * 32768) / 32768;
	}
	r = 0;
fail:
	free(ls);
	free(tmp);
	free(h);
	free(h2);
	free(hn);
	if (r < 0)
		scen_free(s);
	return r;
}

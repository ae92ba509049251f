/* aec.c: acoustic echo canceller: delay estimator, partitioned-block frequency-domain filter pair, residual echo estimate. */
#include "audio/aec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/aec_int.h"
#include "audio/fft.h"
#include "audio/simd.h"

/*
 * DESIGN
 * - Delay: the microphone and the raw reference are compared as band
 *   log-energies (24 bands, 90 Hz..8 kHz, high-passed in time); a smoothed
 *   normalised cross-correlation over 0..max_delay in 10 ms steps picks the
 *   bulk delay. The reference is aligned MARGIN blocks before that delay so
 *   the filter also covers an early direct path; when the alignment moves,
 *   the filter partitions move with it (no reconvergence).
 * - Filter: overlap-save partitioned-block frequency-domain adaptive filter
 *   (MDF): hop 480, FFT 1024, P partitions of 480 taps; NLMS with per-bin
 *   normalisation by the reference power the filter sees (floored by its
 *   recent value, so a momentarily quiet bin does not take a huge step) and
 *   proportionate steps per partition (PB-IPNLMS: the partitions that hold
 *   the echo adapt faster); the gradient constraint is applied to partition
 *   0 and one more partition per block in turn (AUMDF).
 * - Double talk / path change: two filters. The background filter always
 *   adapts, with a per-bin step scaled by the share of echo in the error
 *   (from the residual echo model: small while the near end talks); the
 *   foreground filter makes the output and is only copied from the
 *   background after COPY_BLOCKS blocks of a clearly smaller error while the
 *   error is mostly echo AND the background's echo estimate explains >= 90 %
 *   of the microphone (coherence, coh_update: near-end speech is incoherent
 *   with the reference, so a background that partly fitted the near end in
 *   double talk is never taken over). A diverged background is reset from
 *   the foreground.
 * - Echo path change (res_gain): when a filter that worked (linear ERLE >
 *   12 dB) suddenly leaves MORE than the microphone (smoothed error/mic >
 *   1.5: the old echo estimate no longer matches) the chain mutes, adapts at
 *   full step, copies without the coherence gate and relearns the residual
 *   calibration fast, until the filter removes 10 dB again; then 2 s of
 *   stricter single-talk muting. Double talk never makes the error exceed
 *   the microphone, so it does not trigger this.
 * - Drift: the echo delay (phase slope of the strongest foreground
 *   partition, plus alignment and lag) is measured every second of far-end
 *   activity on a renewed foreground; the drift is the least-squares slope
 *   of the last 12 measurements, applied only when it is a clean line
 *   (residual < 8 samples) and 3 sigma above zero (a spurious drift moves the
 *   echo under a converged filter and costs more than it saves); a jump
 *   restarts the fit. The reference is read through a
 *   16-tap fractional-delay filter whose lag moves by that rate every block,
 *   so the filter sees a stationary echo path. A whole block of lag turns
 *   into one block of alignment (the spectra ring is then recomputed once,
 *   about every 100 s at 100 ppm: a bounded extra of ~70 FFTs).
 * - Residual echo (aec_res_gain): two regressors per bin, the echo power the
 *   partitions predict without phase (sum |W_p|^2 |X_p|^2) and the reference
 *   power over the filter span, each with a decaying reverberation envelope.
 *   Per band, R = max(least-squares fit of the error power on both (near-end
 *   speech is uncorrelated with them), RES_CSAFE x the error/regressor ratio
 *   measured on echo-dominated blocks). The echo share R/E over the speech
 *   band decides single talk (mute every bin that carries echo, keep the
 *   bins the model cannot explain) or double talk (gain 1 - 0.6 R/E), with a
 *   hangover after clear near-end speech so its syllable gaps are not muted.
 *   It lives in aec_res.c; constants and struct aec in aec_int.h.
 * Everything is allocated in aec_new(); aec_process() only computes.
 */

static float *falloc(size_t n)
{
	return calloc(n, sizeof(float));
}

int aec_new(struct aec **ret, int tail_ms, int max_delay_ms)
{
	struct aec *a;
	int r;

	if (tail_ms < 50 || tail_ms > 500 || max_delay_ms < 0 || max_delay_ms > 500)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->P = (tail_ms + 9) / 10 + MARGIN;
	a->D = (max_delay_ms + 9) / 10;
	a->ring = a->D + a->P + 2;
	r = fft_new(&a->fft, AEC_N);
	if (r < 0) {
		free(a);
		return r;
	}
	a->xr = falloc((size_t)a->ring * AEC_KS);
	a->xi = falloc((size_t)a->ring * AEC_KS);
	a->wfr = falloc((size_t)a->P * AEC_KS);
	a->wfi = falloc((size_t)a->P * AEC_KS);
	a->wbr = falloc((size_t)a->P * AEC_KS);
	a->wbi = falloc((size_t)a->P * AEC_KS);
	a->hist = falloc((size_t)(a->D + 1) * NBANDS);
	a->cc = falloc((size_t)a->D + 1);
	a->gp = falloc((size_t)a->P);
	a->rawe = falloc((size_t)a->ring);
	a->hlen = a->ring * AEC_L + 2 * AEC_N;
	a->hraw = falloc((size_t)a->hlen);
	a->vx = falloc((size_t)a->D + 1);
	if (!a->xr || !a->xi || !a->wfr || !a->wfi || !a->wbr || !a->wbi || !a->hist || !a->gp || !a->rawe || !a->hraw ||
	    !a->cc || !a->vx) {
		aec_free(a);
		return -ENOMEM;
	}
	/* log-spaced bands, bins 2 (94 Hz) .. 171 (8 kHz) */
	for (int b = 0; b <= NBANDS; b++)
		a->band_lo[b] = (int)lrint(2.0 * pow(171.0 / 2.0, (double)b / NBANDS));
	for (int b = 1; b <= NBANDS; b++)
		if (a->band_lo[b] <= a->band_lo[b - 1])
			a->band_lo[b] = a->band_lo[b - 1] + 1;
	/* residual echo bands: 1..512, log-ish spaced */
	for (int b = 0; b <= RES_BANDS; b++)
		a->res_lo[b] = (int)lrint(1.0 * pow(513.0, (double)b / RES_BANDS));
	for (int b = 1; b <= RES_BANDS; b++)
		if (a->res_lo[b] <= a->res_lo[b - 1])
			a->res_lo[b] = a->res_lo[b - 1] + 1;
	a->res_lo[0] = 0;
	a->res_lo[RES_BANDS] = AEC_K;
	aec_reset(a);
	*ret = a;
	return 0;
}

struct aec *aec_free(struct aec *a)
{
	if (!a)
		return NULL;
	fft_free(a->fft);
	free(a->xr);
	free(a->xi);
	free(a->wfr);
	free(a->wfi);
	free(a->wbr);
	free(a->wbi);
	free(a->hist);
	free(a->cc);
	free(a->gp);
	free(a->rawe);
	free(a->hraw);
	free(a->vx);
	free(a);
	return NULL;
}

void aec_reset(struct aec *a)
{
	size_t pk = (size_t)a->P * AEC_KS * sizeof(float);

	memset(a->hraw, 0, (size_t)a->hlen * sizeof(float));
	a->nraw = 0;
	a->lag = LAG0;
	a->nblk = 0;
	memset(a->micbuf, 0, sizeof(a->micbuf));
	memset(a->xr, 0, (size_t)a->ring * AEC_KS * sizeof(float));
	memset(a->xi, 0, (size_t)a->ring * AEC_KS * sizeof(float));
	memset(a->wfr, 0, pk);
	memset(a->wfi, 0, pk);
	memset(a->wbr, 0, pk);
	memset(a->wbi, 0, pk);
	memset(a->hist, 0, (size_t)(a->D + 1) * NBANDS * sizeof(float));
	memset(a->cc, 0, (size_t)(a->D + 1) * sizeof(float));
	memset(a->vx, 0, (size_t)(a->D + 1) * sizeof(float));
	memset(a->mx, 0, sizeof(a->mx));
	memset(a->mm, 0, sizeof(a->mm));
	a->vm = 0;
	a->pos = 0;
	a->hpos = 0;
	a->rr = 1;
	a->sf = a->sb = a->sd = 0;
	a->bg_bad = 0;
	a->bg_better = 0;
	a->path_changes = 0;
	a->erle_lin = 0;
	a->delay = -1;
	a->cand = -1;
	a->cand_n = 0;
	a->align = 0;
	a->far_active = false;
	a->raw_active = false;
	a->raw_blocks = 0;
	memset(a->rawe, 0, (size_t)a->ring * sizeof(float));
	a->far_blocks = 0;
	a->far_blocks_total = 0;
	a->ph_n = 0;
	a->ph_i = 0;
	a->ph_out = 0;
	a->ph_copies = 0;
	memset(a->sdd, 0, sizeof(a->sdd));
	memset(a->syy, 0, sizeof(a->syy));
	memset(a->sdyr, 0, sizeof(a->sdyr));
	memset(a->sdyi, 0, sizeof(a->sdyi));
	a->coh = 0;
	memset(a->erl_d, 0, sizeof(a->erl_d));
	memset(a->erl_u, 0, sizeof(a->erl_u));
	a->pc_rho = a->pc_es = a->pc_e = a->pc_d = 0;
	a->pc_mode = false;
	a->pc_post = 0;
	a->pc_blocks = 0;
	a->copies = 0;
	a->resets = 0;
	a->drift_ppm = 0;
	for (int b = 0; b < RES_BANDS; b++) {
		a->pey[b] = a->pyy[b] = a->me[b] = a->my[b] = 0;
		a->leak[b] = 0.5f;
	}
	memset(a->tail, 0, sizeof(a->tail));
	memset(a->utail, 0, sizeof(a->utail));
	memset(a->psm, 0, sizeof(a->psm));
	memset(a->cme, 0, sizeof(a->cme));
	memset(a->cms, 0, sizeof(a->cms));
	a->conf_st = false;
	a->dt_hang = 0;
	for (int k = 0; k < AEC_KS; k++)
		a->stepf[k] = 1.0f;
	memset(a->c_uu, 0, sizeof(a->c_uu));
	memset(a->c_su, 0, sizeof(a->c_su));
	memset(a->c_eu, 0, sizeof(a->c_eu));
	memset(a->mu_, 0, sizeof(a->mu_));
	memset(a->lu, 0, sizeof(a->lu));
}

static inline int slot(const struct aec *a, int back)
{
	int s = (a->pos - back) % a->ring;
	return s < 0 ? s + a->ring : s;
}

/* move the filter partitions by delta blocks of alignment */
static void filter_shift(struct aec *a, float *wr, float *wi, int delta)
{
	size_t row = AEC_KS * sizeof(float);

	if (delta > 0) {
		for (int p = 0; p < a->P; p++) {
			if (p + delta < a->P) {
				memcpy(wr + (size_t)p * AEC_KS, wr + (size_t)(p + delta) * AEC_KS, row);
				memcpy(wi + (size_t)p * AEC_KS, wi + (size_t)(p + delta) * AEC_KS, row);
			} else {
				memset(wr + (size_t)p * AEC_KS, 0, row);
				memset(wi + (size_t)p * AEC_KS, 0, row);
			}
		}
	} else if (delta < 0) {
		for (int p = a->P - 1; p >= 0; p--) {
			if (p + delta >= 0) {
				memcpy(wr + (size_t)p * AEC_KS, wr + (size_t)(p + delta) * AEC_KS, row);
				memcpy(wi + (size_t)p * AEC_KS, wi + (size_t)(p + delta) * AEC_KS, row);
			} else {
				memset(wr + (size_t)p * AEC_KS, 0, row);
				memset(wi + (size_t)p * AEC_KS, 0, row);
			}
		}
	}
}

static void delay_update(struct aec *a)
{
	const float *xr = a->xr + (size_t)a->pos * AEC_KS, *xi = a->xi + (size_t)a->pos * AEC_KS;
	float *h = a->hist + (size_t)a->hpos * NBANDS;
	float m[NBANDS];
	int best = -1;
	float bs = -1;

	for (int b = 0; b < NBANDS; b++) {
		float ex = 1e-9f, em = 1e-9f;
		for (int k = a->band_lo[b]; k < a->band_lo[b + 1]; k++) {
			ex += xr[k] * xr[k] + xi[k] * xi[k];
			em += a->dr[k] * a->dr[k] + a->di[k] * a->di[k];
		}
		float lx = logf(ex), lm = logf(em);
		a->mx[b] += 0.05f * (lx - a->mx[b]);
		a->mm[b] += 0.05f * (lm - a->mm[b]);
		h[b] = lx - a->mx[b];
		m[b] = lm - a->mm[b];
	}
	if (!a->raw_active)
		return;
	float sm = 0;
	for (int b = 0; b < NBANDS; b++)
		sm += m[b] * m[b];
	a->vm += 0.01f * (sm - a->vm);
	for (int d = 0; d <= a->D; d++) {
		int hp = (a->hpos - d) % (a->D + 1);
		if (hp < 0)
			hp += a->D + 1;
		const float *hd = a->hist + (size_t)hp * NBANDS;
		float c = 0, v = 0;
		for (int b = 0; b < NBANDS; b++) {
			c += m[b] * hd[b];
			v += hd[b] * hd[b];
		}
		a->cc[d] += 0.01f * (c - a->cc[d]);
		a->vx[d] += 0.01f * (v - a->vx[d]);
		float s = a->cc[d] / sqrtf(a->vx[d] * a->vm + 1e-12f);
		if (s > bs) {
			bs = s;
			best = d;
		}
	}
	if (a->raw_blocks < 50 || bs < 0.25f || best < 0)
		return;
	if (best == a->delay) {
		a->cand_n = 0;
		return;
	}
	if (best != a->cand) {
		a->cand = best;
		a->cand_n = 0;
	}
	if (++a->cand_n < DT_SWITCH)
		return;
	a->delay = best;
	a->cand_n = 0;
	int align = best - MARGIN;
	if (align < 0)
		align = 0;
	if (align != a->align) {
		filter_shift(a, a->wfr, a->wfi, align - a->align);
		filter_shift(a, a->wbr, a->wbi, align - a->align);
		a->align = align;
	}
}

/* spectrum of the compensated reference window that ends `back` blocks ago:
 * raw samples read `lag` later through a 16-tap windowed-sinc fractional delay */
static void ref_slot(struct aec *a, int back, int s)
{
	int li = (int)floor(a->lag);
	double fr = a->lag - li;
	int64_t end = (int64_t)a->nraw - (int64_t)back * AEC_L - li; /* exclusive */
	int64_t t0 = end - AEC_N - 8;   /* first raw sample needed */
	float *lin = a->lin;            /* AEC_N + 16 raw samples from t0 */
	v4sf c[16];

	/* linear copy of the raw span (zeros before the first sample) */
	if (t0 >= 0 && t0 + AEC_N + 16 <= (int64_t)a->nraw) {
		int idx = (int)(t0 % a->hlen);
		for (int i = 0; i < AEC_N + 16; i++) {
			lin[i] = a->hraw[idx];
			if (++idx == a->hlen)
				idx = 0;
		}
	} else {
		for (int i = 0; i < AEC_N + 16; i++) {
			int64_t t = t0 + i;
			lin[i] = t >= 0 && t < (int64_t)a->nraw ? a->hraw[t % a->hlen] : 0;
		}
	}
	if (fr <= 1e-6) {
		memcpy(a->xwin, lin + 8, AEC_N * sizeof(float));
	} else {
		/* taps for x(t - fr): x[t0 + 8 + i - fr] = sum_k c_k lin[i + 15 - k] */
		for (int k = 0; k < 16; k++) {
			double u = (double)(k - 7) - fr;
			double sn = sin(M_PI * u) / (M_PI * u);
			double w = 0.5 + 0.5 * cos(M_PI * u / 8.5);
			float ck = (float)(sn * w);
			c[k] = (v4sf){ ck, ck, ck, ck };
		}
		for (int i = 0; i < AEC_N; i += 4) {
			v4sf acc = { 0, 0, 0, 0 };
			for (int k = 0; k < 16; k++)
				acc += c[k] * ld4(lin + i + 15 - k);
			st4(a->xwin + i, acc);
		}
	}
	fft_forward(a->fft, a->xwin, a->xr + (size_t)s * AEC_KS, a->xi + (size_t)s * AEC_KS);
}

/* move the read lag by the drift of one block; a whole block of lag becomes
 * one block of alignment (the ring is recomputed so that it stays coherent) */
static void lag_update(struct aec *a)
{
	a->lag += (double)a->drift_ppm * 1e-6 * AEC_L;
	int delta = 0;
	if (a->lag >= LAG0 + AEC_L) {
		a->lag -= AEC_L;
		delta = 1;
	} else if (a->lag < LAG0) {
		if (a->align == 0) {
			a->lag = LAG0;
			return;
		}
		a->lag += AEC_L;
		delta = -1;
	}
	if (!delta)
		return;
	a->align += delta;
	for (int b = 0; b < a->ring; b++)
		ref_slot(a, b, slot(a, b));
}

/* Y = sum_p W_p X_p, y = last AEC_L samples of its inverse */
static void filter_out(struct aec *a, const float *wr, const float *wi, float *y)
{
	float *yr = a->yr, *yi = a->yi;

	memset(yr, 0, sizeof(a->yr));
	memset(yi, 0, sizeof(a->yi));
	for (int p = 0; p < a->P; p++) {
		int s = slot(a, a->align + p);
		const float *xr = a->xr + (size_t)s * AEC_KS, *xi = a->xi + (size_t)s * AEC_KS;
		const float *pr = wr + (size_t)p * AEC_KS, *pi = wi + (size_t)p * AEC_KS;
		for (int k = 0; k < AEC_KS; k += 4) {
			v4sf a_r = ld4(pr + k), a_i = ld4(pi + k), b_r = ld4(xr + k), b_i = ld4(xi + k);
			st4(yr + k, ld4(yr + k) + a_r * b_r - a_i * b_i);
			st4(yi + k, ld4(yi + k) + a_r * b_i + a_i * b_r);
		}
	}
	fft_inverse(a->fft, yr, yi, a->tbuf);
	memcpy(y, a->tbuf + AEC_N - AEC_L, AEC_L * sizeof(float));
}

/* echo power as the filter's partitions predict it, without phase: smooth,
 * spans the whole reverberation, and is what the residual scales with */
static void echo_power(struct aec *a)
{
	float *sp = a->spow, *up = a->upow;

	memset(sp, 0, sizeof(a->spow));
	memset(up, 0, sizeof(a->upow));
	for (int p = 0; p < a->P; p++) {
		int s = slot(a, a->align + p);
		const float *xr = a->xr + (size_t)s * AEC_KS, *xi = a->xi + (size_t)s * AEC_KS;
		const float *pr = a->wfr + (size_t)p * AEC_KS, *pi = a->wfi + (size_t)p * AEC_KS;
		for (int k = 0; k < AEC_KS; k += 4) {
			v4sf w_r = ld4(pr + k), w_i = ld4(pi + k), x_r = ld4(xr + k), x_i = ld4(xi + k);
			v4sf px = x_r * x_r + x_i * x_i;
			st4(sp + k, ld4(sp + k) + (w_r * w_r + w_i * w_i) * px);
			st4(up + k, ld4(up + k) + px);
		}
	}
}

static void constrain(struct aec *a, float *wr, float *wi)
{
	fft_inverse(a->fft, wr, wi, a->tbuf);
	memset(a->tbuf + AEC_L, 0, (AEC_N - AEC_L) * sizeof(float));
	fft_forward(a->fft, a->tbuf, wr, wi);
}

static void adapt(struct aec *a, const float *eb)
{
	float mean = 0;

	memset(a->tbuf, 0, (AEC_N - AEC_L) * sizeof(float));
	memcpy(a->tbuf + AEC_N - AEC_L, eb, AEC_L * sizeof(float));
	fft_forward(a->fft, a->tbuf, a->ebr, a->ebi);
	for (int k = 0; k < AEC_K; k++)
		mean += a->pk[k];
	mean /= AEC_K;
	float floor_ = AEC_FLOOR * mean + 1e-6f;
	const float mu = AEC_MU;
	for (int k = 0; k < AEC_K; k++) {
		/* a bin that is quiet right now but was loud recently is not
		 * allowed a large normalised step: its error is mostly leakage */
		float pw = a->pk[k] > a->psm[k] ? a->pk[k] : a->psm[k];
		a->psm[k] = PSM_DECAY * pw;
		float g = mu * a->stepf[k] / (pw + floor_);
		a->ebr[k] *= g;
		a->ebi[k] *= g;
	}
	for (int p = 0; p < a->P; p++) {
		int s = slot(a, a->align + p);
		const float *restrict xr = a->xr + (size_t)s * AEC_KS, *restrict xi = a->xi + (size_t)s * AEC_KS;
		float *pr = a->wbr + (size_t)p * AEC_KS, *pi = a->wbi + (size_t)p * AEC_KS;
		v4sf g = { a->gp[p], a->gp[p], a->gp[p], a->gp[p] };
		for (int k = 0; k < AEC_KS; k += 4) {
			/* W += g conj(X) E */
			v4sf x_r = ld4(xr + k), x_i = ld4(xi + k), e_r = ld4(a->ebr + k), e_i = ld4(a->ebi + k);
			st4(pr + k, ld4(pr + k) + g * (x_r * e_r + x_i * e_i));
			st4(pi + k, ld4(pi + k) + g * (x_r * e_i - x_i * e_r));
		}
	}
	constrain(a, a->wbr, a->wbi);
	for (int i = 0; i < CONSTRAIN_RR; i++) {
		constrain(a, a->wbr + (size_t)a->rr * AEC_KS, a->wbi + (size_t)a->rr * AEC_KS);
		if (++a->rr >= a->P)
			a->rr = 1;
	}
}

/* one measurement of the absolute echo delay (samples) at block t: the
 * drift is the least-squares slope over the last DRIFT_HIST measurements;
 * it is applied only when it stands clearly above the fit's own noise (a
 * wrong drift moves the echo path under a converged filter). A measurement
 * far off the fit twice in a row (the microphone moved) restarts the fit. */
static void drift_point(struct aec *a, double t, double ph)
{
	int n = a->ph_n < DRIFT_HIST ? a->ph_n : DRIFT_HIST;
	double st = 0, sp = 0, stt = 0, stp = 0, spp = 0;

	if (n >= 3) {
		for (int i = 0; i < n; i++) {
			st += a->ph_t[i];
			sp += a->ph_v[i];
		}
		double mt = st / n, mp = sp / n;
		for (int i = 0; i < n; i++) {
			double dt = a->ph_t[i] - mt, dp = a->ph_v[i] - mp;
			stt += dt * dt;
			stp += dt * dp;
			spp += dp * dp;
		}
		double b = stt > 0 ? stp / stt : 0;
		double pred = mp + b * (t - mt);
		if (fabs(ph - pred) > DRIFT_JUMP) {
			if (++a->ph_out < 2)
				return;
			/* the echo path moved: start over from here */
			n = 0;
			a->ph_n = 0;
		}
	}
	a->ph_out = 0;
	a->ph_t[a->ph_i] = t;
	a->ph_v[a->ph_i] = ph;
	a->ph_i = (a->ph_i + 1) % DRIFT_HIST;
	a->ph_n++;
	n = a->ph_n < DRIFT_HIST ? a->ph_n : DRIFT_HIST;
	if (n < DRIFT_MIN_PTS)
		return;
	st = sp = stt = stp = spp = 0;
	for (int i = 0; i < n; i++) {
		st += a->ph_t[i];
		sp += a->ph_v[i];
	}
	double mt = st / n, mp = sp / n;
	for (int i = 0; i < n; i++) {
		double dt = a->ph_t[i] - mt, dp = a->ph_v[i] - mp;
		stt += dt * dt;
		stp += dt * dp;
		spp += dp * dp;
	}
	if (stt <= 0)
		return;
	double b = stp / stt;                   /* samples per block */
	double res = spp - b * stp;             /* residual sum of squares */
	double se = sqrt((res > 0 ? res : 0) / (n - 2) / stt);
	double ppm = b / AEC_L * 1e6, se_ppm = se / AEC_L * 1e6;
	/* a drift is a straight line: large residuals mean the filter was
	 * moving (convergence, a new echo path), not the clocks */
	if (sqrt((res > 0 ? res : 0) / (n - 2)) > DRIFT_RMS_MAX)
		return;
	if (fabs(ppm) < DRIFT_MIN_PPM || fabs(ppm) < 3.0 * se_ppm)
		ppm = 0;
	if (ppm > 300)
		ppm = 300;
	if (ppm < -300)
		ppm = -300;
	a->drift_ppm += DRIFT_GAIN * ((float)ppm - a->drift_ppm);
}

/* phase slope of the first strong partition of the foreground filter: its
 * change over time is the drift between the two clocks */
static void drift_update(struct aec *a)
{
	int pbest = 0;
	float ebest = 0;

	for (int p = 0; p < a->P; p++) {
		float e = 0;
		const float *pr = a->wfr + (size_t)p * AEC_KS, *pi = a->wfi + (size_t)p * AEC_KS;
		for (int k = 2; k < 171; k++)
			e += pr[k] * pr[k] + pi[k] * pi[k];
		if (e > ebest) {
			ebest = e;
			pbest = p;
		}
	}
	/* a foreground that was not renewed since the last measurement says
	 * nothing new (and would echo the lag we apply back as drift) */
	if (ebest <= 0 || a->copies == a->ph_copies)
		return;
	a->ph_copies = a->copies;
	const float *pr = a->wfr + (size_t)pbest * AEC_KS, *pi = a->wfi + (size_t)pbest * AEC_KS;
	double sr = 0, si = 0;
	for (int k = 2; k < 170; k++) {
		/* W_k conj(W_{k+1}) */
		sr += pr[k] * pr[k + 1] + pi[k] * pi[k + 1];
		si += pi[k] * pr[k + 1] - pr[k] * pi[k + 1];
	}
	/* delay in samples = phase / (2 pi / N) */
	/* echo delay in raw reference samples: inside the partition, the
	 * partition, the alignment and the compensation lag */
	double ph = atan2(si, sr) * AEC_N / (2.0 * M_PI) + (double)(a->align + pbest) * AEC_L + a->lag;
	drift_point(a, (double)a->nblk, ph);
}

/* share of the microphone power that the background echo estimate explains
 * linearly (per bin |S_dy|^2 / S_yy, summed, over the summed S_dd, speech
 * band): near 1 when the microphone is echo, the echo share in double talk
 * (near-end speech is incoherent with the reference), and it rises again
 * after an echo path change as soon as the background has learned it */
static void coh_update(struct aec *a, const float *mic, const float *yb)
{
	float *dr = a->ebr, *di = a->ebi, *yr = a->yr, *yi = a->yi;
	float num = 0, den = 0;

	memset(a->tbuf, 0, (AEC_N - AEC_L) * sizeof(float));
	memcpy(a->tbuf + AEC_N - AEC_L, mic, AEC_L * sizeof(float));
	fft_forward(a->fft, a->tbuf, dr, di);
	memcpy(a->tbuf + AEC_N - AEC_L, yb, AEC_L * sizeof(float));
	fft_forward(a->fft, a->tbuf, yr, yi);
	for (int k = COH_LO; k < COH_HI; k++) {
		float pdd = dr[k] * dr[k] + di[k] * di[k], pyy = yr[k] * yr[k] + yi[k] * yi[k];
		float cr = dr[k] * yr[k] + di[k] * yi[k], ci = di[k] * yr[k] - dr[k] * yi[k];
		int j = k - COH_LO;
		a->sdd[j] += COH_ALPHA * (pdd - a->sdd[j]);
		a->syy[j] += COH_ALPHA * (pyy - a->syy[j]);
		a->sdyr[j] += COH_ALPHA * (cr - a->sdyr[j]);
		a->sdyi[j] += COH_ALPHA * (ci - a->sdyi[j]);
		num += (a->sdyr[j] * a->sdyr[j] + a->sdyi[j] * a->sdyi[j]) / (a->syy[j] + 1e-12f);
		den += a->sdd[j];
	}
	a->coh = num / (den + 1e-12f);
}

void aec_process(struct aec *a, const float *mic, const float *ref, float *e, float *y)
{
	float ref_e = 0, d2 = 0, ef2 = 0, eb2 = 0;
	float yb[AEC_L];

	/* newest reference spectrum (drift-compensated) */
	for (int i = 0; i < AEC_L; i++)
		a->hraw[(a->nraw + (uint64_t)i) % (uint64_t)a->hlen] = ref ? ref[i] : 0;
	a->nraw += AEC_L;
	a->nblk++;
	a->pos = (a->pos + 1) % a->ring;
	lag_update(a);
	ref_slot(a, 0, a->pos);
	memmove(a->micbuf, a->micbuf + AEC_L, (AEC_N - AEC_L) * sizeof(float));
	memcpy(a->micbuf + AEC_N - AEC_L, mic, AEC_L * sizeof(float));
	fft_forward(a->fft, a->micbuf, a->dr, a->di);
	if (ref)
		for (int i = 0; i < AEC_L; i++)
			ref_e += ref[i] * ref[i];
	a->rawe[a->pos] = ref_e;
	a->raw_active = ref && ref_e > AEC_L * 1e-7f; /* -70 dBFS */
	a->raw_blocks = a->raw_active ? a->raw_blocks + 1 : 0;
	if (++a->hpos > a->D)
		a->hpos = 0;
	delay_update(a);
	/* echo can only be there when the aligned reference had energy */
	float span = 0;
	for (int p = 0; p < a->P; p++)
		span += a->rawe[slot(a, a->align + p)];
	a->far_active = ref && span > AEC_L * 1e-7f;
	a->far_blocks = a->far_active ? a->far_blocks + 1 : 0;
	if (a->far_active && a->far_blocks_total < 1000000)
		a->far_blocks_total++;

	if (!ref) {
		/* no playback: bypass, keep the filters */
		memcpy(e, mic, AEC_L * sizeof(float));
		memset(y, 0, AEC_L * sizeof(float));
		return;
	}
	filter_out(a, a->wfr, a->wfi, y);
	filter_out(a, a->wbr, a->wbi, yb);
	coh_update(a, mic, yb);
	for (int i = 0; i < AEC_L; i++) {
		e[i] = mic[i] - y[i];
		yb[i] = mic[i] - yb[i];
		d2 += mic[i] * mic[i];
		ef2 += e[i] * e[i];
		eb2 += yb[i] * yb[i];
	}
	/* proportionate step shares (PB-IPNLMS): half uniform, half by partition
	 * norm, so the partitions that hold the echo converge first */
	float tot = 0;
	for (int p = 0; p < a->P; p++) {
		const float *pr = a->wbr + (size_t)p * AEC_KS, *pi = a->wbi + (size_t)p * AEC_KS;
		v4sf e2 = { 0, 0, 0, 0 };
		for (int k = 0; k < AEC_KS; k += 4) {
			v4sf r = ld4(pr + k), i = ld4(pi + k);
			e2 += r * r + i * i;
		}
		a->gp[p] = sqrtf(hsum4(e2));
		tot += a->gp[p];
	}
	for (int p = 0; p < a->P; p++)
		a->gp[p] = (1.0f - PROP) / (float)a->P + PROP * (tot > 0 ? a->gp[p] / tot : 1.0f / (float)a->P);
	/* reference power seen by the filter, per bin, weighted by the shares */
	memset(a->pk, 0, sizeof(a->pk));
	for (int p = 0; p < a->P; p++) {
		int s = slot(a, a->align + p);
		const float *xr = a->xr + (size_t)s * AEC_KS, *xi = a->xi + (size_t)s * AEC_KS;
		v4sf g = { a->gp[p], a->gp[p], a->gp[p], a->gp[p] };
		for (int k = 0; k < AEC_KS; k += 4) {
			v4sf r = ld4(xr + k), i = ld4(xi + k);
			st4(a->pk + k, ld4(a->pk + k) + g * (r * r + i * i));
		}
	}
	echo_power(a);
	a->conf_st = a->far_active && d2 > CONF_ST * ef2;
	if (!a->far_active)
		return;
	a->sf += 0.5f * (ef2 - a->sf);
	a->sb += 0.5f * (eb2 - a->sb);
	a->sd += 0.5f * (d2 - a->sd);
	if (a->sd > 0 && a->sf > 0) {
		float el = 10.0f * log10f((a->sd + 1e-9f) / (a->sf + 1e-9f));
		a->erle_lin += 0.05f * (el - a->erle_lin);
		el = 10.0f * log10f((a->sd + 1e-9f) / (a->sb + 1e-9f));
		a->erle_bg += 0.05f * (el - a->erle_bg);
	}
	/* share of echo in the error (from the residual echo model, last block):
	 * low in double talk, when the background may fit the near end */
	float share = 0;
	for (int k = 4; k < 171; k++)
		share += a->stepf[k];
	share /= 167.0f;
	if (a->sb < 0.7f * a->sf && a->sb < a->sd)
		a->bg_better++;
	else
		a->bg_better = 0;
	if (a->bg_better >= COPY_BLOCKS && ((share > COPY_SHARE && a->coh > COPY_COH) || a->far_blocks_total < 150 || a->pc_mode)) {
		/* the background is clearly better: take it over */
		size_t n = (size_t)a->P * AEC_KS * sizeof(float);
		memcpy(a->wfr, a->wbr, n);
		memcpy(a->wfi, a->wbi, n);
		if (a->sb < 0.1f * a->sf)
			a->path_changes++;
		a->copies++;
		a->sf = a->sb;
		a->bg_bad = 0;
	} else if (a->sb > 4.0f * a->sf && a->sf < a->sd) {
		if (++a->bg_bad >= 3) {
			/* the background diverged (double talk): restart from the foreground */
			size_t n = (size_t)a->P * AEC_KS * sizeof(float);
			memcpy(a->wbr, a->wfr, n);
			memcpy(a->wbi, a->wfi, n);
			a->sb = a->sf;
			a->bg_bad = 0;
			a->resets++;
		}
	} else {
		a->bg_bad = 0;
	}
	adapt(a, yb);
	if (a->far_blocks % 100 == 0 && a->erle_lin > 2.0f)
		drift_update(a);
}

void aec_info_get(const struct aec *a, struct aec_info *ret)
{
	ret->delay_blocks = a->delay;
	ret->align_blocks = a->align;
	ret->far_active = a->far_active;
	ret->drift_ppm = a->drift_ppm;
	ret->path_changes = a->path_changes;
	ret->copies = a->copies;
	ret->resets = a->resets;
	ret->erle_lin_db = a->erle_lin;
	ret->erle_bg_db = a->erle_bg;
	ret->echo_share = a->qf;
}

/* aec.c: acoustic echo canceller: delay estimator, partitioned-block frequency-domain filter pair, residual echo estimate. */
#include "audio/aec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
 *   bins the model cannot explain) or double talk (gain 1 - 0.8 R/E), with a
 *   hangover after clear near-end speech so its syllable gaps are not muted.
 * Everything is allocated in aec_new(); aec_process() only computes.
 */

#define MARGIN 3                /* blocks of filter before the estimated delay */
#define NBANDS 24               /* delay estimator bands */
#define DT_SWITCH 10            /* blocks a new delay must win before it is used */
#define LAG0 8                  /* samples: the interpolator never needs future samples */
/* adaptive filters */
#define AEC_MU 1.2f             /* NLMS step (the error fills 480 of 1024 samples) */
#define PROP 0.5f               /* proportionate share of the partition steps */
#define PSM_DECAY 0.95f         /* decay of the per-bin normalisation floor */
#define AEC_FLOOR 1e-3f         /* regularisation, relative to the mean bin power */
#define CONSTRAIN_RR 1          /* partitions constrained per block besides the first */
#define COPY_SHARE 0.5f         /* echo share needed to copy background -> foreground */
#define COH_LO 4                /* coherence band: 190 Hz .. */
#define COH_HI 171              /* .. 8 kHz */
#define COH_ALPHA 0.3f          /* cross-spectra smoothing per block */
#define COPY_COH 0.9f           /* explained share needed to copy */
#define COPY_BLOCKS 3           /* blocks the background must be better first */
#define STEP_MIN 0.05f          /* least step factor (double talk) */
#define DRIFT_HIST 12            /* drift fit over this many measurements (one a second) */
#define DRIFT_MIN_PTS 4
#define DRIFT_JUMP 24.0         /* samples off the fit: the echo path moved */
#define DRIFT_MIN_PPM 3.0
#define DRIFT_RMS_MAX 8.0        /* samples */
#define DRIFT_GAIN 0.5f         /* smoothing of the drift measurements (one a second) */
/* residual echo */
#define PC_ALPHA 1.0f           /* error/mic smoothing for the path change test */
#define PC_ON 1.2f              /* the filter makes the microphone worse: the path changed */
#define PC_OFF 0.1f            /* ... until the linear filter removes 10 dB again */
#define PC_MAX_BLOCKS 300
#define PC_CAL_ALPHA 0.2f
#define PC_MIC_MAX 1.5f         /* microphone / expected echo power */
#define PC_MIN_ERLE 12.0f       /* dB of linear ERLE before: a working filter */
#define PC_POST 200             /* blocks of stricter single-talk muting after it */
#define RES_ST_Q_POST 0.01f
#define RES_BANDS 32
#define RES_DECAY 0.9f          /* echo envelope decay per block */
#define RES_ALPHA 0.02f         /* regression smoothing */
#define CONF_ST 4.0f            /* mic/error energy ratio of an echo-dominated block */
#define RES_CSAFE 1.5f          /* safety factor on the calibrated residual */
#define RES_UMIX 0.01f          /* weight of the reference envelope in the calibration */
#define RES_QLO 0.15f           /* echo share under which a block is double talk */
#define RES_QHI 0.4f            /* ... and over which it is far-end single talk */
#define NEAR_Q 0.05f            /* a bin the echo model cannot explain ... */
#define NEAR_SHARE 0.4f         /* ... carrying this share of the energy: near end */
#define DT_HANG 20              /* blocks of gentleness after clear near-end speech */
#define DT_HANG_T 0.3f          /* single-talk weight allowed meanwhile */
#define DT_HANG_TRIG 0.01f
#define RES_OVER_DT 0.6f        /* double talk: gain = 1 - RES_OVER_DT * residual/error */
#define RES_ST_Q 0.07f          /* single talk: bins whose residual/error exceeds this are muted */
#define RES_FLOOR 0.003f        /* -50 dB */

struct aec {
	struct fft *fft;
	int P;                  /* partitions */
	int D;                  /* max delay, blocks */
	int ring;               /* reference spectra kept */
	int pos;                /* slot of the newest reference spectrum */
	float micbuf[AEC_N], tbuf[AEC_N];
	/* drift compensation: the reference is read `lag` samples late through a
	 * fractional-delay filter; lag follows the measured clock drift */
	float *hraw;            /* raw reference history, hlen samples, circular */
	int hlen;
	uint64_t nraw;          /* raw reference samples written */
	double lag;             /* current read lag, samples, in [0, AEC_L) */
	uint64_t nblk;
	float xwin[AEC_N];
	float lin[AEC_N + 16];
	float *xr, *xi;         /* ring * K */
	float *wfr, *wfi, *wbr, *wbi;   /* P * K */
	float psm[AEC_KS];      /* slowly decaying per-bin reference power (normalisation floor) */
	float pk[AEC_KS], ebr[AEC_KS], ebi[AEC_KS], yr[AEC_KS], yi[AEC_KS];
	float dr[AEC_KS], di[AEC_KS];
	int rr;                 /* round-robin constrained partition */
	float *gp;              /* P: proportionate step share of each partition */
	/* filter pair control */
	float sf, sb, sd;       /* smoothed error / mic energies */
	int bg_bad, bg_better;
	uint32_t path_changes, copies, resets;
	float erle_lin, erle_bg;
	/* delay estimator */
	int band_lo[NBANDS + 1];
	float mx[NBANDS], mm[NBANDS];
	float *hist;            /* (D + 1) * NBANDS, high-passed ref log energies */
	int hpos;
	float *cc, *vx;         /* D + 1 */
	float vm;
	int delay, cand, cand_n, align;
	bool far_active;        /* reference energy within the filter span (echo expected) */
	bool raw_active;        /* the newest reference block has energy */
	int raw_blocks;
	float *rawe;            /* ring: energy of each raw reference block */
	int far_blocks;
	int far_blocks_total;
	/* drift */
	double ph_t[DRIFT_HIST], ph_v[DRIFT_HIST];
	int ph_n, ph_i, ph_out;
	uint32_t ph_copies;
	/* double talk: mic / background echo estimate coherence */
	float sdd[COH_HI - COH_LO], syy[COH_HI - COH_LO], sdyr[COH_HI - COH_LO], sdyi[COH_HI - COH_LO];
	float coh;
	/* echo path change */
	float erl_d[RES_BANDS], erl_u[RES_BANDS];
	float pc_rho, pc_es, pc_e, pc_d;
	bool pc_mode;
	int pc_blocks, pc_post;
	float drift_ppm;
	/* residual echo */
	int res_lo[RES_BANDS + 1];
	float pey[RES_BANDS], pyy[RES_BANDS], me[RES_BANDS], my[RES_BANDS];
	float leak[RES_BANDS];
	float tail[AEC_K];
	float spow[AEC_KS];      /* power-domain echo estimate sum_p |Wf_p|^2 |X_p|^2 */
	float upow[AEC_KS];      /* reference power over the filter span, sum_p |X_p|^2 */
	float utail[AEC_K];
	float rk[AEC_K];         /* residual echo power estimate per bin */
	float qf;
	int dt_hang;
	bool conf_st;           /* this block: linear filter removed > 6 dB (echo dominates) */
	float cme[RES_BANDS], cms[RES_BANDS];
	float stepf[AEC_KS];     /* per-bin step factor: residual echo / error (double talk control) */
	float c_uu[RES_BANDS], c_su[RES_BANDS], c_eu[RES_BANDS], mu_[RES_BANDS], lu[RES_BANDS];
};

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

void aec_res_gain(struct aec *a, const float *er, const float *ei, const float *yr,
		  const float *yi, float *gain)
{
	const float decay = RES_DECAY;

	for (int b = 0; b < RES_BANDS; b++) {
		float pe = 0, ps = 0, pu = 0;
		int lo = a->res_lo[b], hi = a->res_lo[b + 1];
		for (int k = lo; k < hi; k++) {
			/* reverberant envelopes of the two regressors */
			a->tail[k] = a->spow[k] > a->tail[k] * decay ? a->spow[k] : a->tail[k] * decay;
			a->utail[k] = a->upow[k] > a->utail[k] * decay ? a->upow[k] : a->utail[k] * decay;
			pe += er[k] * er[k] + ei[k] * ei[k];
			ps += a->tail[k];
			pu += a->utail[k];
		}
		pe /= (float)(hi - lo);
		ps /= (float)(hi - lo);
		pu /= (float)(hi - lo);
		if (a->far_active) {
			/* least-squares fit pe ~ l*ps + u*pu on centred values: near-end
			 * speech is uncorrelated with both and averages out */
			const float al = RES_ALPHA;
			a->me[b] += al * (pe - a->me[b]);
			a->my[b] += al * (ps - a->my[b]);
			a->mu_[b] += al * (pu - a->mu_[b]);
			float de = pe - a->me[b], ds = ps - a->my[b], du = pu - a->mu_[b];
			a->pey[b] += al * (de * ds - a->pey[b]);
			a->pyy[b] += al * (ds * ds - a->pyy[b]);
			a->c_uu[b] += al * (du * du - a->c_uu[b]);
			a->c_su[b] += al * (ds * du - a->c_su[b]);
			a->c_eu[b] += al * (de * du - a->c_eu[b]);
			double det = (double)a->pyy[b] * a->c_uu[b] - (double)a->c_su[b] * a->c_su[b];
			double l = 0, u = 0;
			if (det > 1e-6 * (double)a->pyy[b] * a->c_uu[b] && det > 0) {
				l = ((double)a->pey[b] * a->c_uu[b] - (double)a->c_eu[b] * a->c_su[b]) / det;
				u = ((double)a->c_eu[b] * a->pyy[b] - (double)a->pey[b] * a->c_su[b]) / det;
			}
			if (l < 0 || u < 0) {
				/* one regressor only: the better one */
				double l1 = a->pyy[b] > 0 ? a->pey[b] / a->pyy[b] : 0;
				double u1 = a->c_uu[b] > 0 ? a->c_eu[b] / a->c_uu[b] : 0;
				double r1 = a->pyy[b] > 0 ? l1 * a->pey[b] : 0, r2 = a->c_uu[b] > 0 ? u1 * a->c_eu[b] : 0;
				l = r1 >= r2 ? l1 : 0;
				u = r1 >= r2 ? 0 : u1;
			}
			a->leak[b] = (float)(l < 0 ? 0 : l > 100 ? 100 : l);
			a->lu[b] = (float)(u < 0 ? 0 : u > 100 ? 100 : u);
		}
		/* ratio of means over blocks where the echo clearly dominates */
		if (a->far_active && (a->conf_st || a->far_blocks_total < 100 || a->pc_mode)) {
			/* after an echo path change the old calibration is
			 * too optimistic: relearn it fast from the new residual */
			float al = a->pc_mode ? PC_CAL_ALPHA : 0.05f;
			a->cme[b] += al * (pe - a->cme[b]);
			a->cms[b] += al * (ps + pu * RES_UMIX - a->cms[b]);
		}
		float cr = a->cms[b] > 0 ? RES_CSAFE * a->cme[b] / a->cms[b] : 0;
		for (int k = lo; k < hi; k++) {
			float r2 = cr * (a->tail[k] + RES_UMIX * a->utail[k]);
			a->rk[k] = a->leak[b] * a->tail[k] + a->lu[b] * a->utail[k];
			if (r2 > a->rk[k])
				a->rk[k] = r2;
		}
	}
	/* how much of the error the echo model explains over the speech band:
	 * near 1 in far-end single talk, small when the near end talks */
	float rs = 0, es = 0, ns_ = 0;
	for (int k = 4; k < 171; k++) {
		float p_e = er[k] * er[k] + ei[k] * ei[k];
		rs += a->rk[k];
		es += p_e;
		/* energy in bins the echo model cannot explain at all */
		if (a->rk[k] < NEAR_Q * p_e)
			ns_ += p_e;
	}
	float qf = rs / (es + 1e-12f);
	/* echo path change: the error is large and unexplained by the filter,
	 * yet the microphone holds no more than the reference can explain as
	 * echo (the level the room had while the filter worked): mute and
	 * adapt at full speed until the filters have caught up */
	float dsum = 0, bsum = 0, ysum = 0;
	for (int b = 0; b < RES_BANDS; b++) {
		int lo = a->res_lo[b], hi = a->res_lo[b + 1];
		float pd = 0, pu = 0;
		for (int k = lo; k < hi; k++) {
			float dr_ = er[k] + yr[k], di_ = ei[k] + yi[k];
			pd += dr_ * dr_ + di_ * di_;
			pu += a->utail[k];
		}
		if (a->far_active && a->conf_st) {
			a->erl_d[b] += 0.05f * (pd - a->erl_d[b]);
			a->erl_u[b] += 0.05f * (pu - a->erl_u[b]);
		}
		if (lo >= 4 && hi <= 171) {
			for (int k = lo; k < hi; k++)
				ysum += yr[k] * yr[k] + yi[k] * yi[k];
			dsum += pd;
			if (a->erl_u[b] > 0)
				bsum += a->erl_d[b] / a->erl_u[b] * pu;
		}
	}
	a->pc_rho = dsum / (bsum + 1e-12f);
	if (a->far_active && a->far_blocks_total > 150) {
		a->pc_e += PC_ALPHA * (es - a->pc_e);
		a->pc_d += PC_ALPHA * (dsum - a->pc_d);
		a->pc_es = a->pc_e / (a->pc_d + 1e-12f);
		/* only from a working filter (in double talk or while it still
		 * converges the error is large for other reasons) */
		/* and only when the microphone holds no more than the echo the
		 * filter expects (a talker adds to it, a moved microphone not) */
		if (!a->pc_mode && a->pc_es > PC_ON && a->erle_lin > PC_MIN_ERLE &&
		    dsum < PC_MIC_MAX * ysum) {
			a->pc_mode = true;
			a->pc_blocks = 0;
			a->path_changes++;
		} else if (a->pc_mode && (a->pc_es < PC_OFF || ++a->pc_blocks > PC_MAX_BLOCKS)) {
			a->pc_mode = false;
			a->pc_post = PC_POST;
		} else if (!a->pc_mode && a->pc_post > 0) {
			a->pc_post--;
		}
	} else {
		a->pc_mode = false;
	}
	float t = (qf - RES_QLO) / (RES_QHI - RES_QLO);
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	if (ns_ > NEAR_SHARE * es)
		t = 0;
	/* once the near end was heard, stay gentle for a while: the gaps
	 * between its syllables must not be muted */
	if (t < DT_HANG_TRIG)
		a->dt_hang = DT_HANG;
	else if (a->dt_hang > 0)
		a->dt_hang--;
	if (a->dt_hang > 0 && t > DT_HANG_T)
		t = DT_HANG_T;
	a->qf = qf;
	for (int k = 0; k < AEC_K; k++) {
		float p_e = er[k] * er[k] + ei[k] * ei[k];
		float q = a->rk[k] / (p_e + 1e-12f);
		/* double talk: a Wiener-like rule on the residual echo estimate;
		 * far-end single talk: every bin that carries echo is muted */
		float g = 1.0f - RES_OVER_DT * q;
		g = g < RES_FLOOR ? RES_FLOOR : g;
		/* (stricter while the filters finish learning a new path) */
		float gst = q > (a->pc_post ? RES_ST_Q_POST : RES_ST_Q) ? RES_FLOOR : g;
		gain[k] = a->pc_mode ? RES_FLOOR : g + t * (gst - g);
		/* adaptation step follows the share of echo in the error, so
		 * near-end speech does not drive the filters */
		if (a->far_active) {
			float sf = q < STEP_MIN ? STEP_MIN : q > 1.0f ? 1.0f : q;
			if (a->far_blocks_total < 150 || a->pc_mode)
				sf = 1.0f;
			a->stepf[k] += 0.3f * (sf - a->stepf[k]);
		}
	}
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

/* apm.c: the audio processing chain: echo canceller, post-filter (residual echo + noise), VAD, AGC. */
#include "audio/apm.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/aec.h"
#include "audio/agc.h"
#include "audio/fft.h"
#include "audio/ns.h"
#include "audio/vad.h"

/*
 * DESIGN
 * Thread: apm_process() runs on the capture (audio) thread; one struct apm is
 * owned by that thread. apm_stats_get() copies plain values and may be called
 * from the same thread (the caller posts the stats to the main loop).
 * Memory: everything is allocated in apm_new(); apm_process() only computes.
 * Signal flow per 10 ms block:
 *   1. aec (aec.c): delay estimate, linear echo removal -> error e, echo estimate y
 *   2. post-filter: one sqrt-Hann STFT (960 window, hop 480, FFT 1024) of e and
 *      y; gain = residual echo gain (aec_res_gain) * noise gain (ns.c), with a
 *      floor; comfort noise fills what the echo gain removed below the noise
 *      floor so that the background does not pump; overlap-add (1 block latency)
 *   3. vad (vad.c) on the post-filtered spectrum against the noise estimate
 *   4. agc (agc.c): speech level tracked while VAD is on, gain ramp, limiter
 * A NULL reference bypasses 1 and the echo part of 2.
 */

#define WIN 960
#define MAX_ATTEN 0.0032f       /* -50 dB overall floor */
#define DC_POLE 0.9984f         /* 1 - 2 pi 12 Hz / 48 kHz */

struct apm {
	struct apm_params p;
	struct aec *aec;
	struct fft *fft;
	struct ns ns;
	struct vad vad;
	struct agc agc;
	float win[WIN];
	float cn_cos[64];        /* comfort noise phases */
	float ebuf[WIN], ybuf[WIN], ola[APM_BLOCK];
	float tbuf[AEC_N];
	float er[AEC_K], ei[AEC_K], yr[AEC_K], yi[AEC_K];
	float pw[AEC_K], gres[AEC_K], gns[AEC_K];
	uint32_t rng;
	float dc_mx, dc_my, dc_rx, dc_ry;   /* DC blockers (mic, ref) */
	float sm_mic, sm_out;
	struct apm_stats st;
};

void apm_params_default(struct apm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->aec = true;
	p->ns = true;
	p->agc = true;
	p->aec_tail_ms = 250;
	p->aec_max_delay_ms = 400;
	p->ns_max_atten_db = 18;
	p->agc_target_dbfs = -20;
	p->agc_max_gain_db = 24;
}

int apm_new(struct apm **ret, const struct apm_params *p)
{
	struct apm *a;
	int r;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (p)
		a->p = *p;
	else
		apm_params_default(&a->p);
	p = &a->p;
	if (p->aec_tail_ms < 50 || p->aec_tail_ms > 500 || p->aec_max_delay_ms < 0 ||
	    p->aec_max_delay_ms > 500 || p->ns_max_atten_db < 0 || p->ns_max_atten_db > 40 ||
	    p->agc_target_dbfs < -40 || p->agc_target_dbfs > -3 || p->agc_max_gain_db < 0 ||
	    p->agc_max_gain_db > 40) {
		free(a);
		return -EINVAL;
	}
	r = aec_new(&a->aec, p->aec_tail_ms, p->aec_max_delay_ms);
	if (r >= 0)
		r = fft_new(&a->fft, AEC_N);
	if (r >= 0)
		r = ns_init(&a->ns, AEC_K, p->ns_max_atten_db);
	if (r < 0) {
		apm_free(a);
		return r;
	}
	for (int i = 0; i < WIN; i++)
		a->win[i] = sqrtf(0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / WIN));
	for (int i = 0; i < 64; i++)
		a->cn_cos[i] = cosf(2.0f * (float)M_PI * (float)i / 64);
	apm_reset(a);
	*ret = a;
	return 0;
}

struct apm *apm_free(struct apm *a)
{
	if (!a)
		return NULL;
	aec_free(a->aec);
	fft_free(a->fft);
	ns_fini(&a->ns);
	free(a);
	return NULL;
}

void apm_reset(struct apm *a)
{
	aec_reset(a->aec);
	ns_reset(&a->ns);
	/* speech band 200 Hz .. 4 kHz */
	vad_init(&a->vad, 4, 86);
	agc_init(&a->agc, a->p.agc_target_dbfs, a->p.agc_max_gain_db);
	memset(a->ebuf, 0, sizeof(a->ebuf));
	memset(a->ybuf, 0, sizeof(a->ybuf));
	memset(a->ola, 0, sizeof(a->ola));
	a->rng = 0x12345678u;
	a->dc_mx = a->dc_my = a->dc_rx = a->dc_ry = 0;
	a->sm_mic = a->sm_out = 0;
	memset(&a->st, 0, sizeof(a->st));
	a->st.delay_ms = -1;
	a->st.level_dbfs = -127;
}

static void stft(struct apm *a, const float *buf, float *re, float *im)
{
	for (int i = 0; i < WIN; i++)
		a->tbuf[i] = buf[i] * a->win[i];
	memset(a->tbuf + WIN, 0, (AEC_N - WIN) * sizeof(float));
	fft_forward(a->fft, a->tbuf, re, im);
}

static float rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(*s >> 8) / 16777216.0f;
}

int apm_process(struct apm *a, const int16_t *mic, const int16_t *ref, int16_t *out)
{
	float m[APM_BLOCK], x[APM_BLOCK], e[APM_BLOCK], y[APM_BLOCK], o[APM_BLOCK];
	float d2 = 0, o2 = 0;
	bool use_aec = a && a->p.aec && ref;

	if (!a || !mic || !out)
		return -EINVAL;
	/* DC blockers (one pole at ~12 Hz) on both signals, so that an offset on
	 * either device neither reaches the output nor disturbs the filter */
	for (int i = 0; i < APM_BLOCK; i++) {
		float v = (float)mic[i] * (1.0f / 32768.0f);
		a->dc_my = v - a->dc_mx + DC_POLE * a->dc_my;
		a->dc_mx = v;
		m[i] = a->dc_my;
		d2 += m[i] * m[i];
	}
	if (ref) {
		for (int i = 0; i < APM_BLOCK; i++) {
			float v = (float)ref[i] * (1.0f / 32768.0f);
			a->dc_ry = v - a->dc_rx + DC_POLE * a->dc_ry;
			a->dc_rx = v;
			x[i] = a->dc_ry;
		}
	}
	if (a->p.aec) {
		aec_process(a->aec, m, ref ? x : NULL, e, y);
	} else {
		memcpy(e, m, sizeof(e));
		memset(y, 0, sizeof(y));
	}

	/* post-filter */
	memmove(a->ebuf, a->ebuf + APM_BLOCK, (WIN - APM_BLOCK) * sizeof(float));
	memcpy(a->ebuf + WIN - APM_BLOCK, e, sizeof(e));
	memmove(a->ybuf, a->ybuf + APM_BLOCK, (WIN - APM_BLOCK) * sizeof(float));
	memcpy(a->ybuf + WIN - APM_BLOCK, y, sizeof(y));
	stft(a, a->ebuf, a->er, a->ei);
	for (int k = 0; k < AEC_K; k++) {
		a->pw[k] = a->er[k] * a->er[k] + a->ei[k] * a->ei[k];
		a->gres[k] = 1.0f;
		a->gns[k] = 1.0f;
	}
	struct aec_info ai;
	aec_info_get(a->aec, &ai);
	if (use_aec) {
		stft(a, a->ybuf, a->yr, a->yi);
		aec_res_gain(a->aec, a->er, a->ei, a->yr, a->yi, a->gres);
	}
	/* the noise estimate is not learned from residual echo */
	ns_process(&a->ns, a->pw, !(use_aec && ai.far_active) || a->st.blocks < 100, a->gns);
	for (int k = 0; k < AEC_K; k++) {
		float gn = a->p.ns ? a->gns[k] : 1.0f;
		float g = a->gres[k] * gn;
		if (g < MAX_ATTEN)
			g = MAX_ATTEN;
		a->er[k] *= g;
		a->ei[k] *= g;
		/* comfort noise where the echo gain cut below the suppressed noise level */
		float nf = a->p.ns ? a->ns.floor_gain : 1.0f;
		float want = nf * nf * a->ns.noise[k];
		float have = g * g * a->pw[k];
		if (use_aec && a->gres[k] < 0.5f && have < want && k >= 2 && k < AEC_K - 1) {
			float amp = sqrtf(want - have);
			int ph = (int)(rnd(&a->rng) * 64.0f) & 63;
			a->er[k] += amp * a->cn_cos[ph];
			a->ei[k] += amp * a->cn_cos[(ph + 48) & 63];
		}
		a->pw[k] = a->er[k] * a->er[k] + a->ei[k] * a->ei[k];
	}
	fft_inverse(a->fft, a->er, a->ei, a->tbuf);
	for (int i = 0; i < APM_BLOCK; i++) {
		o[i] = a->ola[i] + a->tbuf[i] * a->win[i];
		a->ola[i] = a->tbuf[APM_BLOCK + i] * a->win[APM_BLOCK + i];
		o2 += o[i] * o[i];
	}
	float lvl = o2 > 0 ? 10.0f * log10f(o2 / APM_BLOCK) : -127.0f;
	if (lvl < -127.0f)
		lvl = -127.0f;
	vad_process(&a->vad, a->pw, a->ns.noise, lvl);
	if (a->p.agc)
		agc_process(&a->agc, o, APM_BLOCK, a->vad.active, lvl);
	o2 = 0;
	for (int i = 0; i < APM_BLOCK; i++) {
		float v = o[i] * 32768.0f;
		o2 += o[i] * o[i];
		out[i] = v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 : (int16_t)lrintf(v);
	}

	/* statistics */
	aec_info_get(a->aec, &ai);
	a->st.blocks++;
	a->st.ref_present = ref != NULL;
	a->st.far_active = use_aec && ai.far_active;
	a->st.vad = a->vad.active;
	a->st.vad_prob = a->vad.prob;
	a->st.level_dbfs = o2 > 0 ? fmaxf(-127.0f, 10.0f * log10f(o2 / APM_BLOCK)) : -127.0f;
	if (a->st.far_active) {
		a->sm_mic += 0.05f * (d2 - a->sm_mic);
		a->sm_out += 0.05f * (o2 - a->sm_out);
		a->st.erle_db = 10.0f * log10f((a->sm_mic + 1e-10f) / (a->sm_out + 1e-10f));
	}
	a->st.delay_ms = ai.delay_blocks < 0 ? -1 : ai.delay_blocks * 10;
	a->st.drift_ppm = ai.drift_ppm;
	a->st.agc_gain_db = a->p.agc ? 20.0f * log10f(a->agc.gain_lin) : 0;
	a->st.path_changes = ai.path_changes;
	return 0;
}

void apm_stats_get(const struct apm *a, struct apm_stats *ret)
{
	*ret = a->st;
}

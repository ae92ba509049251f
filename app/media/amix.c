/* amix.c: PCM16 mixer with per-source gain, N-1 mixes and a soft limiter.
 *
 * DESIGN
 * amix_new() allocates two int32 frame buffers and one limiter state per
 * output (max_sources N-1 outputs plus the full mix); mixing never
 * allocates. A source contributes (x * gain_q12) >> 12 per sample (at most
 * 8 * 32767, so up to AMIX_MAX_SOURCES sources cannot overflow 32 bits).
 * The full sum is computed once; an N-1 output is the full sum minus that
 * source's contribution. Each output then goes through
 *   1. a frame-peak limiter: gain g (<= 1) per output; if the frame's peak
 *      times g exceeds the threshold, g drops to threshold/peak, ramped in
 *      over the first millisecond (attack); otherwise g recovers towards 1
 *      with a ~200 ms time constant (release), ramped across the frame;
 *   2. a soft clipper: linear up to the knee, then x -> knee + r*x/(r+x),
 *      which approaches but never reaches full scale (catches what the
 *      attack ramp lets through).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "media/amix.h"

#define AMIX_MAX_SOURCES 1024u
#define THRESH 29000            /* limiter threshold (~ -1 dBFS) */
#define KNEE 29000              /* soft clip knee */
#define ATTACK_SAMPLES 48       /* 1 ms at 48 kHz (mono) */
#define RELEASE_SAMPLES 9600.0f /* 200 ms at 48 kHz (mono) */

struct amix {
	unsigned max_src;
	size_t n;                       /* samples per frame (all channels) */
	int32_t *full;
	int32_t *tmp;
	float *gain;                    /* limiter gain per output; [max_src]: full mix */
};

int amix_new(struct amix **ret, unsigned max_sources, size_t frame_samples)
{
	struct amix *m;

	if (!ret || !max_sources || max_sources > AMIX_MAX_SOURCES ||
	    !frame_samples || frame_samples > 48000 * 8)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->max_src = max_sources;
	m->n = frame_samples;
	m->full = calloc(frame_samples, sizeof(*m->full));
	m->tmp = calloc(frame_samples, sizeof(*m->tmp));
	m->gain = calloc(max_sources + 1, sizeof(*m->gain));
	if (!m->full || !m->tmp || !m->gain) {
		amix_free(m);
		return -ENOMEM;
	}
	amix_reset(m, -1);
	*ret = m;
	return 0;
}

struct amix *amix_free(struct amix *m)
{
	if (!m)
		return NULL;
	free(m->full);
	free(m->tmp);
	free(m->gain);
	free(m);
	return NULL;
}

void amix_reset(struct amix *m, int idx)
{
	if (idx < 0) {
		for (unsigned i = 0; i <= m->max_src; i++)
			m->gain[i] = 1.0f;
	} else if ((unsigned)idx <= m->max_src) {
		m->gain[idx] = 1.0f;
	}
}

static int32_t gain_q12(float g)
{
	if (!(g > 0.0f))        /* also NaN */
		return 0;
	if (g > AMIX_GAIN_MAX)
		g = AMIX_GAIN_MAX;
	return (int32_t)lrintf(g * 4096.0f);
}

static inline int32_t contrib(const struct amix_src *s, int32_t g, size_t i)
{
	return (int32_t)s->pcm[i] * g / 4096;
}

static int16_t soft_clip(float v)
{
	float a = fabsf(v), x, y;

	if (a <= KNEE)
		y = a;
	else {
		x = a - KNEE;
		y = KNEE + (32767.0f - KNEE) * x / ((32767.0f - KNEE) + x);
	}
	if (y > 32767.0f)
		y = 32767.0f;
	return (int16_t)lrintf(v < 0 ? -y : y);
}

/* Limits acc[0..n) into out with limiter state *gp. */
static void limit(const struct amix *m, const int32_t *acc, int16_t *out, float *gp)
{
	int32_t peak = 0;
	float g0 = *gp, g1, step;
	size_t ramp;

	for (size_t i = 0; i < m->n; i++) {
		int32_t a = acc[i] < 0 ? -acc[i] : acc[i];

		peak = MAX(peak, a);
	}
	if (peak > 0 && (float)peak * g0 > THRESH) {
		g1 = (float)THRESH / (float)peak;
		ramp = MIN((size_t)ATTACK_SAMPLES, m->n);
	} else {
		float k = (float)m->n / RELEASE_SAMPLES;

		g1 = g0 + (1.0f - g0) * MIN(k, 1.0f);
		if (peak > 0 && (float)peak * g1 > THRESH)
			g1 = (float)THRESH / (float)peak;
		if (g1 < g0)
			g1 = g0;
		ramp = m->n;
	}
	*gp = g1;
	if (g0 == 1.0f && g1 == 1.0f && peak <= KNEE) {
		/* the common case: unity gain, below the knee */
		for (size_t i = 0; i < m->n; i++)
			out[i] = (int16_t)acc[i];
		return;
	}
	step = (g1 - g0) / (float)ramp;
	for (size_t i = 0; i < m->n; i++) {
		float g = i < ramp ? g0 + step * (float)(i + 1) : g1;

		out[i] = soft_clip((float)acc[i] * g);
	}
}

static void sum_all(struct amix *m, const struct amix_src *src, unsigned n)
{
	memset(m->full, 0, m->n * sizeof(*m->full));
	for (unsigned k = 0; k < n; k++) {
		int32_t g = gain_q12(src[k].gain);

		if (!src[k].pcm || !g)
			continue;
		for (size_t i = 0; i < m->n; i++)
			m->full[i] += contrib(&src[k], g, i);
	}
}

int amix_mix(struct amix *m, int16_t *out, const struct amix_src *src, unsigned n)
{
	if (!m || !out || (n && !src) || n > m->max_src)
		return -EINVAL;
	sum_all(m, src, n);
	limit(m, m->full, out, &m->gain[m->max_src]);
	return 0;
}

int amix_mix_minus(struct amix *m, int16_t *const *outs,
		   const struct amix_src *src, unsigned n)
{
	if (!m || !outs || (n && !src) || n > m->max_src)
		return -EINVAL;
	sum_all(m, src, n);
	for (unsigned k = 0; k < n; k++) {
		int32_t g = gain_q12(src[k].gain);

		if (!outs[k])
			continue;
		if (!src[k].pcm || !g) {
			limit(m, m->full, outs[k], &m->gain[k]);
			continue;
		}
		for (size_t i = 0; i < m->n; i++)
			m->tmp[i] = m->full[i] - contrib(&src[k], g, i);
		limit(m, m->tmp, outs[k], &m->gain[k]);
	}
	return 0;
}

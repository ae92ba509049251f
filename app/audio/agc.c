/* agc.c: automatic gain control: speech level tracked while VAD is active, slow gain, peak limiter. */
#include <math.h>
#include <string.h>

#include "audio/agc.h"

#define AGC_LIMIT 0.89f         /* -1 dBFS peak */

void agc_init(struct agc *g, int target_dbfs, int max_gain_db)
{
	memset(g, 0, sizeof(*g));
	g->target_db = (float)target_dbfs;
	g->max_gain_db = (float)max_gain_db;
	g->level_db = (float)target_dbfs;
	g->gain_lin = 1.0f;
}

void agc_process(struct agc *g, float *x, int n, bool speech, float level_dbfs)
{
	float peak = 0, want, to;

	if (speech && level_dbfs > -70.0f) {
		/* fast at first, then about 2 s of speech */
		float a = g->speech_blocks < 100 ? 0.05f : 0.01f;
		g->level_db += a * (level_dbfs - g->level_db);
		g->speech_blocks++;
		want = g->target_db - g->level_db;
		if (want > g->max_gain_db)
			want = g->max_gain_db;
		if (want < -12.0f)
			want = -12.0f;
		/* at most 0.05 dB up and 0.2 dB down per block */
		float d = want - g->gain_db;
		if (d > 0.05f)
			d = 0.05f;
		if (d < -0.2f)
			d = -0.2f;
		g->gain_db += d;
	}
	to = powf(10.0f, g->gain_db / 20.0f);
	for (int i = 0; i < n; i++)
		if (fabsf(x[i]) > peak)
			peak = fabsf(x[i]);
	if (peak * to > AGC_LIMIT)
		to = AGC_LIMIT / peak;
	float from = g->gain_lin, step = (to - from) / (float)n;
	for (int i = 0; i < n; i++) {
		float gi = from + step * (float)(i + 1);
		float v = x[i] * gi;
		if (v > AGC_LIMIT)
			v = AGC_LIMIT;
		else if (v < -AGC_LIMIT)
			v = -AGC_LIMIT;
		x[i] = v;
	}
	g->gain_lin = to;
}

/* vad.c: voice activity detection: speech-band SNR against the noise estimate, with hangover. */
#include <math.h>
#include <string.h>

#include "audio/vad.h"

#define VAD_HANG 25             /* blocks (250 ms) kept active after speech */
#define VAD_SNR_DB 6.0f         /* output speech-band power over the raw noise estimate */

void vad_init(struct vad *v, int bin_lo, int bin_hi)
{
	memset(v, 0, sizeof(*v));
	v->lo = bin_lo;
	v->hi = bin_hi;
}

bool vad_process(struct vad *v, const float *out, const float *noise, float level_dbfs)
{
	float so = 0, sn = 0;

	for (int k = v->lo; k < v->hi; k++) {
		so += out[k];
		sn += noise[k];
	}
	float snr = 10.0f * log10f((so + 1e-9f) / (sn + 1e-6f));
	float p = 1.0f / (1.0f + expf(-(snr - VAD_SNR_DB) / 1.5f));
	if (level_dbfs < -65.0f)
		p = 0;
	v->prob = p;
	if (p > 0.5f)
		v->hang = VAD_HANG;
	else if (v->hang > 0)
		v->hang--;
	v->active = v->hang > 0;
	return v->active;
}

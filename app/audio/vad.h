/* vad.h: near-end voice activity from the processed spectrum and the noise estimate. */
#ifndef RAKWON_AUDIO_VAD_H
#define RAKWON_AUDIO_VAD_H

#include <stdbool.h>

struct vad {
	int lo, hi;             /* speech band bins */
	int hang;
	float prob;
	bool active;
};

void vad_init(struct vad *v, int bin_lo, int bin_hi);
/* out: power spectrum of the output; noise: noise power estimate (before suppression);
 * level_dbfs: output block level. Returns the decision (with hangover). */
bool vad_process(struct vad *v, const float *out, const float *noise, float level_dbfs);

#endif

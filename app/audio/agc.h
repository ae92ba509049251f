/* agc.h: automatic gain control with a peak limiter. */
#ifndef RAKWON_AUDIO_AGC_H
#define RAKWON_AUDIO_AGC_H

#include <stdbool.h>

struct agc {
	float target_db, max_gain_db;
	float level_db;         /* tracked speech level */
	float gain_db;          /* applied gain (slowly moving) */
	float gain_lin;         /* gain at the end of the last block */
	int speech_blocks;
};

void agc_init(struct agc *g, int target_dbfs, int max_gain_db);
/* x: n samples in [-1,1], modified in place (gain ramp and limiter) */
void agc_process(struct agc *g, float *x, int n, bool speech, float level_dbfs);

#endif

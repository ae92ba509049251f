/* aec.h: acoustic echo canceller internals (delay estimator, adaptive filter pair, residual echo). */
#ifndef RAKWON_AUDIO_AEC_H
#define RAKWON_AUDIO_AEC_H

#include <stdbool.h>
#include <stdint.h>

#define AEC_L 480               /* block (hop) */
#define AEC_N 1024              /* FFT size */
#define AEC_K (AEC_N / 2 + 1)   /* bins */
#define AEC_KS 516              /* bins rounded up to the vector width (stride of spectra) */

struct aec;

struct aec_info {
	int delay_blocks;       /* estimated bulk delay in blocks, -1 unknown */
	int align_blocks;       /* reference shift actually applied */
	bool far_active;
	float drift_ppm;
	uint32_t path_changes;
	uint32_t copies, resets;    /* background->foreground copies, background resets */
	float erle_lin_db;      /* linear filter only (mic / foreground error) */
	float erle_bg_db;       /* the same for the background filter */
	float echo_share;       /* residual echo model / error power, last block */
};

int aec_new(struct aec **ret, int tail_ms, int max_delay_ms);
struct aec *aec_free(struct aec *a);
void aec_reset(struct aec *a);
/* mic, ref: AEC_L samples (ref NULL: no playback); e: error (echo removed),
 * y: echo estimate, both AEC_L samples */
void aec_process(struct aec *a, const float *mic, const float *ref, float *e, float *y);
/* residual echo suppression gains from the spectra of the error and the echo
 * estimate (same analysis window), AEC_K bins each */
void aec_res_gain(struct aec *a, const float *er, const float *ei, const float *yr,
		  const float *yi, float *gain);
void aec_info_get(const struct aec *a, struct aec_info *ret);

#endif

/* apm.h: the terminal's audio processing chain between ALSA capture and the Opus encoder. */
#ifndef RAKWON_AUDIO_APM_H
#define RAKWON_AUDIO_APM_H

/*
 * One struct apm per microphone. It runs on the audio thread, on blocks of
 * APM_BLOCK samples (10 ms, mono, 48 kHz, signed 16-bit):
 *
 *   mic ──► echo canceller (far-end reference) ──► residual echo + noise
 *           suppression ──► voice activity ──► automatic gain ──► out
 *
 * All memory is allocated by apm_new(); apm_process() never allocates, locks,
 * logs or makes system calls, and its cost per block is bounded.
 * The reference is the far-end signal exactly as it was handed to playback,
 * block by block; the canceller finds the delay (up to aec_max_delay_ms) and
 * tracks clock drift between the playback and capture devices by itself.
 * Passing ref == NULL means "no playback" (playback stopped): the canceller is
 * bypassed (its state is kept), noise suppression and AGC go on.
 * The output lags the microphone by APM_LATENCY_SAMPLES (one block).
 */

#include <stdbool.h>
#include <stdint.h>

#define APM_RATE 48000
#define APM_BLOCK 480
#define APM_LATENCY_SAMPLES 480

struct apm;

struct apm_params {
	bool aec;               /* echo cancellation (default true) */
	bool ns;                /* noise suppression (default true) */
	bool agc;               /* automatic gain control (default true) */
	int aec_tail_ms;        /* adaptive filter length, 50..500 (default 250) */
	int aec_max_delay_ms;   /* delay search range, 0..500 (default 400) */
	int ns_max_atten_db;    /* noise attenuation limit, 0..40 (default 18) */
	int agc_target_dbfs;    /* speech level target, -40..-3 (default -20) */
	int agc_max_gain_db;    /* 0..40 (default 24) */
};

struct apm_stats {
	uint64_t blocks;        /* blocks processed */
	bool ref_present;       /* last block had a reference */
	bool far_active;        /* far-end signal playing in the last block */
	bool vad;               /* near-end voice in the last block (with hangover) */
	float vad_prob;         /* 0..1 speech likelihood of the last block */
	float level_dbfs;       /* output level of the last block, dBFS (-127 for digital silence) */
	float erle_db;          /* smoothed echo return loss enhancement estimate (whole chain) */
	int delay_ms;           /* estimated reference->microphone bulk delay, -1 unknown */
	float drift_ppm;        /* estimated capture/playback clock offset */
	float agc_gain_db;      /* gain applied by the AGC */
	uint32_t path_changes;  /* echo path changes detected (foreground filter resets) */
};

/* fills *p with the defaults above */
void apm_params_default(struct apm_params *p);
/* p NULL means defaults; -EINVAL for out-of-range parameters, -ENOMEM */
int apm_new(struct apm **ret, const struct apm_params *p);
struct apm *apm_free(struct apm *a);
/* mic and out: APM_BLOCK samples (out may alias mic); ref: APM_BLOCK samples or NULL.
 * Returns 0 or -EINVAL (NULL mic/out). */
int apm_process(struct apm *a, const int16_t *mic, const int16_t *ref, int16_t *out);
void apm_stats_get(const struct apm *a, struct apm_stats *ret);
/* forget the echo path and noise state (e.g. a new call on other devices) */
void apm_reset(struct apm *a);

#endif

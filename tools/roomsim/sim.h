/* sim.h: room simulator (loudspeaker, synthetic room, delay, drift, near end, noise) and AEC metrics. */
#ifndef RAKWON_ROOMSIM_SIM_H
#define RAKWON_ROOMSIM_SIM_H

#include <stdint.h>

#include "engines.h"

#define SIM_RATE 48000
#define SIM_BLOCK 480

int wav_read(const char *path, float **ret, int *ret_n);
int wav_write(const char *path, const float *x, int n);

enum scen_kind { SCEN_ST, SCEN_DT, SCEN_CHANGE, SCEN_DRIFT };

struct scen_params {
	enum scen_kind kind;
	double rt60;            /* s */
	int delay_ms;           /* reference -> direct path */
	double drift_ppm;       /* capture clock relative to playback */
	double secs;
	double change_at;       /* echo path change time (SCEN_CHANGE) */
	double near_at;         /* near-end talk starts (SCEN_DT) */
	double noise_dbfs;
	double near_dbfs;       /* near-end talker level (0: -30) */
	uint64_t seed;
};

struct scen {
	int n;                  /* samples */
	float *mic, *ref, *near, *echo;
	struct scen_params p;
};

int scen_make(struct scen *s, const struct scen_params *p, const float *far, int nfar,
	      const float *near, int nnear);
void scen_free(struct scen *s);

struct metrics {
	double erle_db;         /* far-end echo blocks after 2 s (or after the change + 2 s) */
	double conv_s;          /* time from which every 0.5 s window has ERLE >= 30 dB; 99 never */
	double reconv_s;        /* the same counted from the echo path change */
	double min_erle_1s;     /* worst 1 s window after 2 s */
	int leaks;              /* 1 s windows after 2 s with ERLE < 20 dB */
	double dt_segsnr;       /* double talk: segmental SNR of out vs clean near end, dB */
	double dt_corr;         /* double talk: correlation of out and clean near end */
	int onsets, clipped;    /* near-end talk starts, of which clipped (first 100 ms < -6 dB) */
	double onset_min_db;
	double us_per_block;
	int errors;             /* engine process() failures */
};

#define ERLE_TARGET 30.0
#define LEAK_DB 20.0
#define ONSET_CLIP_DB (-6.0)

int sim_run(const struct engine *e, const struct scen *s, int tail_ms, float *out,
	    struct metrics *m);

#endif

/* aec_int.h: echo canceller internals shared by aec.c (filters, delay, drift) and aec_res.c (residual echo). */
#ifndef RAKWON_AUDIO_AEC_INT_H
#define RAKWON_AUDIO_AEC_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "audio/aec.h"
#include "audio/fft.h"

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

#endif

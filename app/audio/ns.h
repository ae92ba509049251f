/* ns.h: spectral noise suppression (minimum statistics noise estimate, decision-directed Wiener gain). */
#ifndef RAKWON_AUDIO_NS_H
#define RAKWON_AUDIO_NS_H

#include <stdbool.h>

#define NS_SUB 8                /* minimum-statistics sub-windows */
#define NS_SUBLEN 24            /* blocks per sub-window: 8 * 24 * 10 ms ~ 1.9 s */

struct ns {
	int nbins;
	float floor_gain;
	int sub_n, sub_i;
	bool started;
	float *smooth, *cur_min, *noise, *prev;     /* nbins each */
	float *sub;                                 /* NS_SUB * nbins */
	float *sub_min;                             /* minimum over the closed sub-windows */
};

int ns_init(struct ns *n, int nbins, int max_atten_db);
void ns_fini(struct ns *n);
void ns_reset(struct ns *n);
/* pw: power spectrum of this block; gain: suppression gains (nbins).
 * update false: the noise estimate is frozen (echo in the signal) */
void ns_process(struct ns *n, const float *pw, bool update, float *gain);

#endif

/* ns.c: noise suppression: windowed minimum statistics noise estimate and decision-directed Wiener gain. */
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/ns.h"

#define NS_BIAS 1.8f            /* minimum of a smoothed periodogram underestimates the mean */
#define NS_DD 0.97f             /* decision-directed smoothing */

int ns_init(struct ns *n, int nbins, int max_atten_db)
{
	memset(n, 0, sizeof(*n));
	n->nbins = nbins;
	n->floor_gain = powf(10.0f, -(float)max_atten_db / 20.0f);
	n->smooth = calloc((size_t)nbins, sizeof(float));
	n->cur_min = calloc((size_t)nbins, sizeof(float));
	n->noise = calloc((size_t)nbins, sizeof(float));
	n->prev = calloc((size_t)nbins, sizeof(float));
	n->sub = calloc((size_t)NS_SUB * nbins, sizeof(float));
	n->sub_min = calloc((size_t)nbins, sizeof(float));
	if (!n->smooth || !n->cur_min || !n->noise || !n->prev || !n->sub || !n->sub_min) {
		ns_fini(n);
		return -ENOMEM;
	}
	ns_reset(n);
	return 0;
}

void ns_fini(struct ns *n)
{
	free(n->smooth);
	free(n->cur_min);
	free(n->noise);
	free(n->prev);
	free(n->sub);
	free(n->sub_min);
	memset(n, 0, sizeof(*n));
}

void ns_reset(struct ns *n)
{
	n->started = false;
	n->sub_n = 0;
	n->sub_i = 0;
	memset(n->prev, 0, (size_t)n->nbins * sizeof(float));
}

void ns_process(struct ns *n, const float *pw, bool update, float *gain)
{
	int nb = n->nbins;

	if (!n->started) {
		for (int k = 0; k < nb; k++) {
			n->smooth[k] = pw[k];
			n->cur_min[k] = pw[k];
			n->noise[k] = pw[k];
			for (int s = 0; s < NS_SUB; s++)
				n->sub[s * nb + k] = pw[k];
			n->sub_min[k] = pw[k];
		}
		n->started = true;
	}
	for (int k = 0; k < nb && update; k++) {
		n->smooth[k] += 0.2f * (pw[k] - n->smooth[k]);
		if (n->smooth[k] < n->cur_min[k])
			n->cur_min[k] = n->smooth[k];
	}
	if (update && ++n->sub_n >= NS_SUBLEN) {
		/* close this sub-window; the minimum over the closed ones is kept */
		memcpy(n->sub + (size_t)n->sub_i * nb, n->cur_min, (size_t)nb * sizeof(float));
		n->sub_i = (n->sub_i + 1) % NS_SUB;
		n->sub_n = 0;
		memcpy(n->cur_min, n->smooth, (size_t)nb * sizeof(float));
		for (int k = 0; k < nb; k++) {
			float m = n->sub[k];
			for (int s = 1; s < NS_SUB; s++)
				if (n->sub[s * nb + k] < m)
					m = n->sub[s * nb + k];
			n->sub_min[k] = m;
		}
	}
	for (int k = 0; k < nb; k++) {
		float m = n->cur_min[k] < n->sub_min[k] ? n->cur_min[k] : n->sub_min[k];
		n->noise[k] = NS_BIAS * m + 1e-10f;
		/* decision-directed a priori SNR */
		float post = pw[k] / n->noise[k];
		float prio = NS_DD * n->prev[k] / n->noise[k] + (1 - NS_DD) * (post > 1 ? post - 1 : 0);
		float g = prio / (1 + prio);
		if (g < n->floor_gain)
			g = n->floor_gain;
		gain[k] = g;
		n->prev[k] = g * g * pw[k];
	}
}

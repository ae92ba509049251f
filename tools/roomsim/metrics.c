/* metrics.c: runs an engine over a scenario and measures ERLE, convergence, double talk and onsets. */
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define WIN_BLOCKS 50           /* 0.5 s convergence windows */
#define WIN_STEP 10
#define LEAK_BLOCKS 100         /* 1 s leak windows */

static double now_us(void)
{
	struct timespec ts;

	/* thread CPU time: other processes on the machine do not count */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double db(double a, double b)
{
	return 10.0 * log10((a + 1e-20) / (b + 1e-20));
}

/* ERLE of the echo-active blocks in [b0, b1), NAN when too few */
static double win_erle(const double *ee, const double *oe, const char *act, int b0, int b1,
		       int min_act)
{
	double se = 0, so = 0;
	int c = 0;

	for (int b = b0; b < b1; b++)
		if (act[b]) {
			se += ee[b];
			so += oe[b];
			c++;
		}
	return c >= min_act ? db(se, so) : NAN;
}

/* first window end from which every later window reaches the target; 99 never */
static double converge(const double *ee, const double *oe, const char *act, int from, int nb)
{
	double t = 99;

	for (int b = nb - WIN_BLOCKS; b >= from; b -= WIN_STEP) {
		double e = win_erle(ee, oe, act, b, b + WIN_BLOCKS, 15);
		if (isnan(e))
			continue;
		if (e < ERLE_TARGET)
			break;
		t = (double)(b + WIN_BLOCKS - from) * SIM_BLOCK / SIM_RATE;
	}
	return t;
}

int sim_run(const struct engine *e, const struct scen *s, int tail_ms, float *out,
	    struct metrics *m)
{
	int nb = s->n / SIM_BLOCK, lat = e->latency, r;
	int16_t mic[SIM_BLOCK], ref[SIM_BLOCK], o[SIM_BLOCK];
	void *st;
	double t0, tsum = 0;

	memset(m, 0, sizeof(*m));
	r = e->create(&st, tail_ms);
	if (r < 0)
		return r;
	for (int b = 0; b < nb; b++) {
		for (int i = 0; i < SIM_BLOCK; i++) {
			mic[i] = (int16_t)lrintf(s->mic[b * SIM_BLOCK + i] * 32768.0f);
			ref[i] = (int16_t)lrintf(s->ref[b * SIM_BLOCK + i] * 32768.0f);
		}
		t0 = now_us();
		if (e->process(st, mic, ref, o) < 0)
			m->errors++;
		tsum += now_us() - t0;
		for (int i = 0; i < SIM_BLOCK; i++)
			out[b * SIM_BLOCK + i] = (float)o[i] / 32768.0f;
	}
	e->destroy(st);
	m->us_per_block = tsum / nb;

	double *ee = calloc((size_t)nb, sizeof(double)), *oe = calloc((size_t)nb, sizeof(double));
	double *ce = calloc((size_t)nb, sizeof(double));
	char *act = calloc((size_t)nb, 1), *nact = calloc((size_t)nb, 1);
	if (!ee || !oe || !ce || !act || !nact) {
		r = -ENOMEM;
		goto out;
	}
	/* near end: find the engine's true lag against the clean near end */
	if (s->p.kind == SCEN_DT) {
		double best = -1;
		for (int l = 0; l <= 1200; l += 1) {
			double c = 0;
			for (int i = s->n / 2; i + l < s->n; i += 3)
				c += (double)out[i + l] * s->near[i];
			if (c > best) {
				best = c;
				lat = l;
			}
		}
	}
	double emax = 0, cmax = 0, esum = 0;
	for (int b = 0; b < nb; b++) {
		for (int i = b * SIM_BLOCK; i < (b + 1) * SIM_BLOCK; i++) {
			double ov = i + lat < s->n ? out[i + lat] : 0;
			ee[b] += (double)s->echo[i] * s->echo[i];
			ce[b] += (double)s->near[i] * s->near[i];
			oe[b] += ov * ov;
		}
		esum += ee[b];
		if (ee[b] > emax)
			emax = ee[b];
		if (ce[b] > cmax)
			cmax = ce[b];
	}
	/* echo-active blocks: within 10 dB of the average echo energy */
	for (int b = 0; b < nb; b++) {
		act[b] = ee[b] > 0.1 * esum / nb && ee[b] > 0;
		nact[b] = cmax > 0 && ce[b] > cmax * 1e-3;
	}
	int b2 = 2 * SIM_RATE / SIM_BLOCK;
	int bc = s->p.kind == SCEN_CHANGE ? (int)(s->p.change_at * SIM_RATE) / SIM_BLOCK : 0;
	/* echo-only blocks (no near end) for ERLE */
	char *eact = calloc((size_t)nb, 1);
	if (!eact) {
		r = -ENOMEM;
		goto out;
	}
	for (int b = 0; b < nb; b++)
		eact[b] = act[b] && !nact[b];
	if (getenv("ROOMSIM_WINDOWS")) {
		/* the ERLE series behind conv_s, for tuning */
		for (int b = 0; b + WIN_BLOCKS <= nb; b += WIN_BLOCKS)
			fprintf(stderr, "%.1f:%.1f ", (double)b * SIM_BLOCK / SIM_RATE,
				win_erle(ee, oe, eact, b, b + WIN_BLOCKS, 15));
		fprintf(stderr, "\n");
	}
	m->conv_s = converge(ee, oe, eact, 0, s->p.kind == SCEN_CHANGE ? bc : nb);
	m->reconv_s = s->p.kind == SCEN_CHANGE ? converge(ee, oe, eact, bc, nb) : 0;
	m->erle_db = win_erle(ee, oe, eact, s->p.kind == SCEN_CHANGE ? bc + b2 : b2, nb, 1);
	m->min_erle_1s = 99;
	for (int b = b2; b + LEAK_BLOCKS <= nb; b += LEAK_BLOCKS / 2) {
		if (s->p.kind == SCEN_CHANGE && b + LEAK_BLOCKS > bc && b < bc + b2)
			continue;
		double w = win_erle(ee, oe, eact, b, b + LEAK_BLOCKS, 20);
		if (isnan(w))
			continue;
		if (w < m->min_erle_1s)
			m->min_erle_1s = w;
		if (w < LEAK_DB)
			m->leaks++;
	}
	/* double talk: both ends active, after 2 s */
	if (s->p.kind == SCEN_DT) {
		double ss = 0, sc = 0, so = 0, scc = 0, soo = 0, seg = 0;
		int nseg = 0;
		long cnt = 0;
		for (int b = b2; b < nb; b++) {
			if (!act[b] || !nact[b])
				continue;
			double err = 0;
			for (int i = b * SIM_BLOCK; i < (b + 1) * SIM_BLOCK && i + lat < s->n; i++) {
				double c = s->near[i], ov = out[i + lat];
				err += (ov - c) * (ov - c);
				sc += c;
				so += ov;
				scc += c * c;
				soo += ov * ov;
				ss += c * ov;
				cnt++;
			}
			double v = db(ce[b], err);
			seg += v < -10 ? -10 : v > 35 ? 35 : v;
			nseg++;
		}
		m->dt_segsnr = nseg ? seg / nseg : NAN;
		if (cnt) {
			double cov = ss - sc * so / cnt, vc = scc - sc * sc / cnt, vo = soo - so * so / cnt;
			m->dt_corr = cov / sqrt(vc * vo + 1e-30);
		}
		/* onsets: near-end starts after >= 200 ms of near silence */
		m->onset_min_db = 99;
		for (int b = b2; b + 10 <= nb; b++) {
			int quiet = 1;
			if (!nact[b])
				continue;
			for (int j = b - 20; j < b; j++)
				if (nact[j])
					quiet = 0;
			if (!quiet)
				continue;
			double se = 0, sn = 0;
			for (int j = b; j < b + 10; j++) {
				se += oe[j];
				sn += ce[j];
			}
			double d = db(se, sn);
			if (getenv("ROOMSIM_WINDOWS"))
				fprintf(stderr, "onset %.2f s: %.1f dB (near %.1f dBFS, echo %.1f dBFS)\n",
					(double)b * SIM_BLOCK / SIM_RATE, d, 10 * log10(sn / 10 / SIM_BLOCK + 1e-20),
					10 * log10((ee[b] + ee[b + 1] + ee[b + 2]) / 3 / SIM_BLOCK + 1e-20));
			m->onsets++;
			if (d < m->onset_min_db)
				m->onset_min_db = d;
			if (d < ONSET_CLIP_DB)
				m->clipped++;
		}
	}
	r = 0;
	free(eact);
out:
	free(ee);
	free(oe);
	free(ce);
	free(act);
	free(nact);
	return r;
}

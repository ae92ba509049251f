/* aec_res.c: residual echo suppression gains, double-talk and echo path change decisions (see aec.c DESIGN). */
#include <math.h>
#include <string.h>

#include "audio/aec_int.h"

void aec_res_gain(struct aec *a, const float *er, const float *ei, const float *yr,
		  const float *yi, float *gain)
{
	const float decay = RES_DECAY;

	for (int b = 0; b < RES_BANDS; b++) {
		float pe = 0, ps = 0, pu = 0;
		int lo = a->res_lo[b], hi = a->res_lo[b + 1];
		for (int k = lo; k < hi; k++) {
			/* reverberant envelopes of the two regressors */
			a->tail[k] = a->spow[k] > a->tail[k] * decay ? a->spow[k] : a->tail[k] * decay;
			a->utail[k] = a->upow[k] > a->utail[k] * decay ? a->upow[k] : a->utail[k] * decay;
			pe += er[k] * er[k] + ei[k] * ei[k];
			ps += a->tail[k];
			pu += a->utail[k];
		}
		pe /= (float)(hi - lo);
		ps /= (float)(hi - lo);
		pu /= (float)(hi - lo);
		if (a->far_active) {
			/* least-squares fit pe ~ l*ps + u*pu on centred values: near-end
			 * speech is uncorrelated with both and averages out */
			const float al = RES_ALPHA;
			a->me[b] += al * (pe - a->me[b]);
			a->my[b] += al * (ps - a->my[b]);
			a->mu_[b] += al * (pu - a->mu_[b]);
			float de = pe - a->me[b], ds = ps - a->my[b], du = pu - a->mu_[b];
			a->pey[b] += al * (de * ds - a->pey[b]);
			a->pyy[b] += al * (ds * ds - a->pyy[b]);
			a->c_uu[b] += al * (du * du - a->c_uu[b]);
			a->c_su[b] += al * (ds * du - a->c_su[b]);
			a->c_eu[b] += al * (de * du - a->c_eu[b]);
			double det = (double)a->pyy[b] * a->c_uu[b] - (double)a->c_su[b] * a->c_su[b];
			double l = 0, u = 0;
			if (det > 1e-6 * (double)a->pyy[b] * a->c_uu[b] && det > 0) {
				l = ((double)a->pey[b] * a->c_uu[b] - (double)a->c_eu[b] * a->c_su[b]) / det;
				u = ((double)a->c_eu[b] * a->pyy[b] - (double)a->pey[b] * a->c_su[b]) / det;
			}
			if (l < 0 || u < 0) {
				/* one regressor only: the better one */
				double l1 = a->pyy[b] > 0 ? a->pey[b] / a->pyy[b] : 0;
				double u1 = a->c_uu[b] > 0 ? a->c_eu[b] / a->c_uu[b] : 0;
				double r1 = a->pyy[b] > 0 ? l1 * a->pey[b] : 0, r2 = a->c_uu[b] > 0 ? u1 * a->c_eu[b] : 0;
				l = r1 >= r2 ? l1 : 0;
				u = r1 >= r2 ? 0 : u1;
			}
			a->leak[b] = (float)(l < 0 ? 0 : l > 100 ? 100 : l);
			a->lu[b] = (float)(u < 0 ? 0 : u > 100 ? 100 : u);
		}
		/* ratio of means over blocks where the echo clearly dominates */
		if (a->far_active && (a->conf_st || a->far_blocks_total < 100 || a->pc_mode)) {
			/* after an echo path change the old calibration is
			 * too optimistic: relearn it fast from the new residual */
			float al = a->pc_mode ? PC_CAL_ALPHA : 0.05f;
			a->cme[b] += al * (pe - a->cme[b]);
			a->cms[b] += al * (ps + pu * RES_UMIX - a->cms[b]);
		}
		float cr = a->cms[b] > 0 ? RES_CSAFE * a->cme[b] / a->cms[b] : 0;
		for (int k = lo; k < hi; k++) {
			float r2 = cr * (a->tail[k] + RES_UMIX * a->utail[k]);
			a->rk[k] = a->leak[b] * a->tail[k] + a->lu[b] * a->utail[k];
			if (r2 > a->rk[k])
				a->rk[k] = r2;
		}
	}
	/* how much of the error the echo model explains over the speech band:
	 * near 1 in far-end single talk, small when the near end talks */
	float rs = 0, es = 0, ns_ = 0;
	for (int k = 4; k < 171; k++) {
		float p_e = er[k] * er[k] + ei[k] * ei[k];
		rs += a->rk[k];
		es += p_e;
		/* energy in bins the echo model cannot explain at all */
		if (a->rk[k] < NEAR_Q * p_e)
			ns_ += p_e;
	}
	float qf = rs / (es + 1e-12f);
	/* echo path change: the error is large and unexplained by the filter,
	 * yet the microphone holds no more than the reference can explain as
	 * echo (the level the room had while the filter worked): mute and
	 * adapt at full speed until the filters have caught up */
	float dsum = 0, bsum = 0, ysum = 0;
	for (int b = 0; b < RES_BANDS; b++) {
		int lo = a->res_lo[b], hi = a->res_lo[b + 1];
		float pd = 0, pu = 0;
		for (int k = lo; k < hi; k++) {
			float dr_ = er[k] + yr[k], di_ = ei[k] + yi[k];
			pd += dr_ * dr_ + di_ * di_;
			pu += a->utail[k];
		}
		if (a->far_active && a->conf_st) {
			a->erl_d[b] += 0.05f * (pd - a->erl_d[b]);
			a->erl_u[b] += 0.05f * (pu - a->erl_u[b]);
		}
		if (lo >= 4 && hi <= 171) {
			for (int k = lo; k < hi; k++)
				ysum += yr[k] * yr[k] + yi[k] * yi[k];
			dsum += pd;
			if (a->erl_u[b] > 0)
				bsum += a->erl_d[b] / a->erl_u[b] * pu;
		}
	}
	a->pc_rho = dsum / (bsum + 1e-12f);
	if (a->far_active && a->far_blocks_total > 150) {
		a->pc_e += PC_ALPHA * (es - a->pc_e);
		a->pc_d += PC_ALPHA * (dsum - a->pc_d);
		a->pc_es = a->pc_e / (a->pc_d + 1e-12f);
		/* only from a working filter (in double talk or while it still
		 * converges the error is large for other reasons) */
		/* and only when the microphone holds no more than the echo the
		 * filter expects (a talker adds to it, a moved microphone not) */
		if (!a->pc_mode && a->pc_es > PC_ON && a->erle_lin > PC_MIN_ERLE &&
		    dsum < PC_MIC_MAX * ysum) {
			a->pc_mode = true;
			a->pc_blocks = 0;
			a->path_changes++;
		} else if (a->pc_mode && (a->pc_es < PC_OFF || ++a->pc_blocks > PC_MAX_BLOCKS)) {
			a->pc_mode = false;
			a->pc_post = PC_POST;
		} else if (!a->pc_mode && a->pc_post > 0) {
			a->pc_post--;
		}
	} else {
		a->pc_mode = false;
	}
	float t = (qf - RES_QLO) / (RES_QHI - RES_QLO);
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	if (ns_ > NEAR_SHARE * es)
		t = 0;
	/* once the near end was heard, stay gentle for a while: the gaps
	 * between its syllables must not be muted */
	if (t < DT_HANG_TRIG)
		a->dt_hang = DT_HANG;
	else if (a->dt_hang > 0)
		a->dt_hang--;
	if (a->dt_hang > 0 && t > DT_HANG_T)
		t = DT_HANG_T;
	a->qf = qf;
	for (int k = 0; k < AEC_K; k++) {
		float p_e = er[k] * er[k] + ei[k] * ei[k];
		float q = a->rk[k] / (p_e + 1e-12f);
		/* double talk: a Wiener-like rule on the residual echo estimate;
		 * far-end single talk: every bin that carries echo is muted */
		float g = 1.0f - RES_OVER_DT * q;
		g = g < RES_FLOOR ? RES_FLOOR : g;
		/* (stricter while the filters finish learning a new path) */
		float gst = q > (a->pc_post ? RES_ST_Q_POST : RES_ST_Q) ? RES_FLOOR : g;
		gain[k] = a->pc_mode ? RES_FLOOR : g + t * (gst - g);
		/* adaptation step follows the share of echo in the error, so
		 * near-end speech does not drive the filters */
		if (a->far_active) {
			float sf = q < STEP_MIN ? STEP_MIN : q > 1.0f ? 1.0f : q;
			if (a->far_blocks_total < 150 || a->pc_mode)
				sf = 1.0f;
			a->stepf[k] += 0.3f * (sf - a->stepf[k]);
		}
	}
}


/* mw_audio.c: media worker audio: received audio handed to the mixer
 * (forwarding thread); jitter buffers, Opus decode, active speakers, N-1
 * mixes for the speakers and one shared mix, Opus encode once per distinct
 * mix, per-participant RTP/SRTP out (mixer thread). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "drv/frame.h"
#include "lib/base/clock.h"
#include "drv/media_drv.h"
#include "media/amix.h"
#include "mw_int.h"
#include "rtp/jbuf.h"
#include "rtp/rtp.h"

int mw_audio_init(struct mw *w)
{
	char args[32];
	struct aenc_params ep = { .rate = MW_RATE, .channels = 1, .frame_ms = 20,
				  .bitrate_bps = w->c.opus_bitrate, .fec = true, .loss_pct = 2,
				  .args = args };
	int r;

	snprintf(args, sizeof(args), "complexity=%d", w->c.opus_complexity);
	r = amix_new(&w->mix, w->c.speakers, MW_FRAME);
	for (unsigned i = 0; r == 0 && i <= w->c.speakers; i++)
		r = aenc_open(&w->enc[i], "opus", &ep);
	return r;
}

void mw_audio_fini(struct mw *w)
{
	w->mix = amix_free(w->mix);
	for (unsigned i = 0; i <= MW_SPK_MAX; i++)
		w->enc[i] = aenc_close(w->enc[i]);
}

void mw_audio_part_gone(struct mw *w, struct mw_pp *pp)
{
	if (pp->slot >= 0) {
		w->slot_id[pp->slot] = 0;
		amix_reset(w->mix, pp->slot);
	}
	if (atomic_load_explicit(&w->loudest, memory_order_relaxed) == pp->id)
		atomic_store_explicit(&w->loudest, 0, memory_order_relaxed);
}

/* RFC 4733 telephone-event: report each new event (by timestamp) once */
static void dtmf_rtp(struct mw *w, struct mw_pp *pp, const struct rtp_hdr *h,
		     const uint8_t *pl, size_t len)
{
	static const char digits[] = "0123456789*#ABCD";

	if (len < 4 || pl[0] >= 16)
		return;
	if (pp->a.last_te_ts == (uint64_t)h->ts + 1)
		return;
	pp->a.last_te_ts = (uint64_t)h->ts + 1;
	mw_post_event(w, MW_EV_DTMF, pp->id, digits[pl[0]]);
}

void mw_audio_rtp(struct mw *w, struct mw_pp *pp, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct rtp_hdr h;
	const uint8_t *pl;
	struct mx_ent *e;

	if (rtp_hdr_decode(&h, pkt, len) < 0 || !pp->a.c.recv) {
		pp->st.malformed++;
		return;
	}
	if (!mw_ssrc_latch(&pp->a, h.ssrc, now)) {
		pp->st.foreign++;
		return;
	}
	pl = pkt + h.hdr_len;
	if (pp->a.c.te_pt >= 0 && h.pt == pp->a.c.te_pt) {
		dtmf_rtp(w, pp, &h, pl, h.payload_len);
		return;
	}
	if (h.pt != pp->a.c.pt || !h.payload_len) {
		pp->st.malformed++;
		return;
	}
	pp->st.a_rx++;
	if (h.payload_len > MX_APKT_MAX) {
		pp->st.malformed++;
		return;
	}
	e = mw_ring_slot(w, false);
	if (!e)
		return;             /* the mixer is behind: counted in the ring */
	e->kind = MX_PKT;
	e->pp = pp;
	e->arrival_us = now;
	e->ssrc = h.ssrc;
	e->seq = h.seq;
	e->ts = h.ts;
	e->len = (uint16_t)h.payload_len;
	e->level = -1;
	if (pp->a.c.level_ext_id > 0) {
		const uint8_t *d;
		size_t dl;

		if (rtp_hdr_ext_find(&h, (uint8_t)pp->a.c.level_ext_id, &d, &dl) == 0 && dl >= 1) {
			e->level = d[0] & 0x7f;
			pp->st.levels_rx++;
		}
	}
	memcpy(e->data, pl, h.payload_len);
	mw_ring_commit(w);
}

void mw_audio_put(struct mw *w, const struct mx_ent *e)
{
	struct mw_pp *pp = e->pp;

	(void)w;
	if (e->level >= 0) {
		/* RFC 6464: -dBov in the low 7 bits; fold it into the
		 * smoothed level right away */
		float ms = powf(10.0f, -(float)e->level / 10.0f);

		if (ms > pp->level)
			pp->level = ms;
	}
	(void)jbuf_put(pp->jb, e->ssrc, e->seq, e->ts, e->data, e->len, e->arrival_us);
}

/* one period of this participant's audio into pp->pcm; returns its mean square */
static float decode_one(struct mw_pp *pp)
{
	struct jbuf_frame f;
	struct mpkt *p = NULL;
	struct aframe *af = NULL;
	enum jbuf_kind k = jbuf_get(pp->jb, &f);
	int r = -1;
	double sum = 0;

	/* nothing to decode for a site nobody hears (chair-muted, PIN
	 * pending) or that is silent (DTX: tiny packets, DTX gaps): its
	 * level is that of silence. Keeps large mostly-listening meetings
	 * cheap: only the sites that send speech cost an Opus decode. */
	if (pp->m_muted || !pp->m_admitted || (k == JBUF_PLC && (f.flags & JBUF_F_DTX)) ||
	    ((k == JBUF_PACKET || k == JBUF_FEC) && f.len <= 2))
		k = JBUF_EMPTY;
	if (k == JBUF_PACKET || k == JBUF_FEC) {
		if (mpkt_new_copy(&p, f.data, f.len) == 0)
			r = adec_decode(pp->dec, p, k == JBUF_FEC, (int)f.samples, &af);
		mpkt_unref(p);
	} else if (k == JBUF_PLC) {
		r = adec_decode(pp->dec, NULL, false, f.samples ? (int)f.samples : MW_FRAME, &af);
	}
	if (r < 0 || !af) {
		memset(pp->pcm, 0, sizeof(pp->pcm));
		aframe_unref(af);
		return 0;
	}
	{
		size_t n = (size_t)af->samples * (size_t)af->channels;

		if (n > MW_FRAME)
			n = MW_FRAME;
		if (af->channels == 1) {
			memcpy(pp->pcm, af->pcm, n * sizeof(int16_t));
		} else {
			n = (size_t)af->samples > MW_FRAME ? MW_FRAME : (size_t)af->samples;
			for (size_t i = 0; i < n; i++)
				pp->pcm[i] = af->pcm[i * (size_t)af->channels];
		}
		if (n < MW_FRAME)
			memset(pp->pcm + n, 0, (MW_FRAME - n) * sizeof(int16_t));
	}
	aframe_unref(af);
	for (size_t i = 0; i < MW_FRAME; i++)
		sum += (double)pp->pcm[i] * pp->pcm[i];
	return (float)(sum / MW_FRAME / (32768.0 * 32768.0));
}

static int level_db(float ms)
{
	return ms > 1e-10f ? (int)lrintf(10.0f * log10f(ms)) : -100;
}

/* the speakers: the loudest unmuted admitted participants above threshold;
 * a participant keeps its slot while it stays among them */
static void pick_speakers(struct mw *w, uint64_t now)
{
	struct mw_pp *top[MW_SPK_MAX] = { 0 };
	unsigned k = w->c.speakers, ntop = 0;
	struct mw_pp *loud = NULL;
	uint32_t cur;

	for (unsigned i = 0; i < w->nmparts; i++) {
		struct mw_pp *pp = w->mparts[i];
		unsigned j;

		if (!pp->m_admitted || pp->m_muted || level_db(pp->level) < w->c.level_threshold_db)
			continue;
		if (!loud || pp->level > loud->level)
			loud = pp;
		if (ntop == k && pp->level <= top[k - 1]->level)
			continue;
		j = ntop < k ? ntop++ : k - 1;
		while (j > 0 && top[j - 1]->level < pp->level) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = pp;
	}
	/* free the slots of those no longer among the speakers */
	for (unsigned s = 0; s < k; s++) {
		struct mw_pp *pp;
		bool keep = false;

		if (!w->slot_id[s])
			continue;
		for (unsigned j = 0; j < ntop; j++)
			keep |= top[j]->id == w->slot_id[s];
		if (keep)
			continue;
		pp = mw_mfind(w, w->slot_id[s]);
		if (pp)
			pp->slot = -1;
		w->slot_id[s] = 0;
		amix_reset(w->mix, (int)s);
	}
	for (unsigned j = 0; j < ntop; j++) {
		if (top[j]->slot >= 0)
			continue;
		for (unsigned s = 0; s < k; s++)
			if (!w->slot_id[s]) {
				w->slot_id[s] = top[j]->id;
				top[j]->slot = (int)s;
				break;
			}
	}
	/* the active speaker (video follows it) changes after a hold time */
	cur = atomic_load_explicit(&w->loudest, memory_order_relaxed);
	if (loud && loud->id != cur &&
	    (!cur || now - w->loudest_since_us >= w->c.switch_hold_ms * 1000ull)) {
		atomic_store_explicit(&w->loudest, loud->id, memory_order_relaxed);
		w->loudest_since_us = now;
		mw_post_event(w, MW_EV_SPEAKER, loud->id, level_db(loud->level));
	}
}

static void send_audio(struct mw *w, struct mw_pp *pp, const struct mpkt *p)
{
	struct rtp_hdr h = { .pt = pp->a.c.pt, .seq = pp->a.seq++, .ts = pp->a.ts,
			     .ssrc = pp->a.c.ssrc };
	size_t hl;

	pp->a.ts += MW_FRAME;
	if (!p || !p->len || p->len > MW_PKT_MAX - RTP_HDR_MIN)
		return;
	if (rtp_hdr_encode(&h, w->mbuf, sizeof(w->mbuf), &hl) < 0)
		return;
	memcpy(w->mbuf + hl, p->data, p->len);
	mw_send(w, &pp->a, w->mbuf, hl + p->len, false);
	pp->st.a_tx++;
}

void mw_audio_tick(struct mw *w, uint64_t now)
{
	struct amix_src src[MW_SPK_MAX] = { 0 };
	struct aframe *out[MW_SPK_MAX + 1] = { 0 };
	struct mpkt *pkt[MW_SPK_MAX + 1] = { 0 };
	int16_t *outs[MW_SPK_MAX] = { 0 };
	unsigned k = w->c.speakers;

	for (unsigned i = 0; i < w->nmparts; i++) {
		struct mw_pp *pp = w->mparts[i];
		float ms = decode_one(pp);

		/* fast attack, ~300 ms release */
		pp->level = ms > pp->level ? ms : pp->level * 0.94f + ms * 0.06f;
		pp->st.level_db = level_db(pp->level);
	}
	pick_speakers(w, now);
	w->tick_wall_us = clock_wall_us();
	for (unsigned s = 0; s < k; s++) {
		struct mw_pp *pp = w->slot_id[s] ? mw_mfind(w, w->slot_id[s]) : NULL;

		src[s].pcm = pp ? pp->pcm : NULL;
		src[s].gain = 1.0f;
		if (pp && aframe_new(&out[s], MW_RATE, 1, MW_FRAME) == 0)
			outs[s] = out[s]->pcm;
	}
	if (aframe_new(&out[k], MW_RATE, 1, MW_FRAME) == 0)
		(void)amix_mix(w->mix, out[k]->pcm, src, k);
	(void)amix_mix_minus(w->mix, outs, src, k);
	for (unsigned s = 0; s <= k; s++)
		if (out[s] && aenc_encode(w->enc[s], out[s], &pkt[s]) < 0)
			pkt[s] = NULL;
	for (unsigned i = 0; i < w->nmparts; i++) {
		struct mw_pp *pp = w->mparts[i];

		if (!pp->m_admitted || !pp->a.c.enabled || !pp->a.c.send)
			continue;
		send_audio(w, pp, pkt[pp->slot >= 0 ? (unsigned)pp->slot : k]);
	}
	for (unsigned s = 0; s <= k; s++) {
		aframe_unref(out[s]);
		mpkt_unref(pkt[s]);
	}
}

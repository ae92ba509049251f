/* mw_video.c: media worker video: selective forwarding of one H.264 source
 * with SSRC/seq/ts rewriting, keyframe-gated switches, PLI relay, NACK
 * answered from a per-source history. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "mw_int.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"

#define PLI_MIN_US 300000ull

/* does this H.264 RTP payload carry an SPS or IDR slice start? */
static bool h264_has_key(const uint8_t *p, size_t len)
{
	unsigned t;

	if (len < 2)
		return false;
	t = p[0] & 0x1f;
	if (t == 5 || t == 7)
		return true;
	if (t == 24) {                  /* STAP-A: every aggregated NAL */
		for (size_t i = 1; i + 3 <= len;) {
			size_t n = (size_t)p[i] << 8 | p[i + 1];

			if (n && ((p[i + 2] & 0x1f) == 5 || (p[i + 2] & 0x1f) == 7))
				return true;
			i += 2 + n;
		}
		return false;
	}
	if (t == 28)                    /* FU-A start */
		return (p[1] & 0x80) && ((p[1] & 0x1f) == 5 || (p[1] & 0x1f) == 7);
	return false;
}

static void send_pli(struct mw *w, struct mw_pp *src, uint64_t now)
{
	uint8_t *b = w->buf;
	struct rtcp_report rr = { .ssrc = src->v.c.ssrc };
	struct wcur c;

	if (!src->v.c.enabled || !src->v.src_ssrc || now - src->last_pli_us < PLI_MIN_US)
		return;
	src->last_pli_us = now;
	wcur_init(&c, b, MW_PKT_MAX);
	if (rtcp_build_report(&c, &rr) < 0)
		return;
	if (src->v.c.fir && !src->v.c.pli) {
		if (rtcp_build_fir(&c, src->v.c.ssrc, src->v.src_ssrc,
				   (uint8_t)src->st.plis_sent) < 0)
			return;
	} else if (rtcp_build_pli(&c, src->v.c.ssrc, src->v.src_ssrc) < 0) {
		return;
	}
	if (c.bad)
		return;
	mw_send(w, &src->v, b, c.pos, true);
	src->st.plis_sent++;
}

/* the source a participant should see: the broadcast one, or for the
 * broadcast site itself the previous one */
static uint32_t want_src(const struct mw *w, const struct mw_pp *rx)
{
	if (!w->vsrc)
		return 0;
	return rx->id != w->vsrc ? w->vsrc : w->vprev;
}

static void hist_put(struct mw_pp *src, uint16_t seq, const uint8_t *pkt, size_t len)
{
	unsigned i = seq % MW_HIST;

	if (!src->hist) {
		src->hist = calloc(1, sizeof(*src->hist));
		if (!src->hist)
			return;
	}
	if (len > MW_PKT_MAX)
		return;
	memcpy(src->hist->pkt[i], pkt, len);
	src->hist->len[i] = (uint16_t)len;
	src->hist->seq[i] = seq;
	src->hist->used[i] = true;
}

/* forward the plain packet pkt (seq/ts of the source in h) to rx */
static void forward(struct mw *w, struct mw_pp *rx, const struct mw_pp *src,
		    const uint8_t *pkt, size_t len, const struct rtp_hdr *h, bool retrans)
{
	uint8_t *b = w->buf + 0;
	uint16_t seq;
	uint32_t ts;
	bool first = false;

	if (rx->vout_src != src->id) {
		if (retrans)
			return;
		/* switch: continue the receiver's seq/ts where they were */
		rx->vseq_off = rx->vinit ? (uint16_t)(rx->vlast_seq + 1 - h->seq)
					 : (uint16_t)((random() & 0x7fff) - h->seq);
		rx->vts_off = rx->vinit ? rx->vlast_ts + 3000 - h->ts : (uint32_t)random() - h->ts;
		rx->vout_src = src->id;
		rx->vinit = true;
		first = true;
	}
	seq = (uint16_t)(h->seq + rx->vseq_off);
	ts = h->ts + rx->vts_off;
	if (!retrans) {
		if (first || rtp_seq_lt(rx->vlast_seq, seq))
			rx->vlast_seq = seq;
		if (first || rtp_ts_diff(ts, rx->vlast_ts) > 0)
			rx->vlast_ts = ts;
	}
	if (b != pkt)
		memmove(b, pkt, len);
	b[1] = (uint8_t)((b[1] & 0x80) | rx->v.c.pt);
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(rx->v.c.ssrc >> 24);
	b[9] = (uint8_t)(rx->v.c.ssrc >> 16);
	b[10] = (uint8_t)(rx->v.c.ssrc >> 8);
	b[11] = (uint8_t)rx->v.c.ssrc;
	mw_send(w, &rx->v, b, len, false);
	rx->st.v_tx++;
	if (retrans)
		rx->st.rtx_sent++;
}

void mw_video_rtp(struct mw *w, struct mw_pp *pp, uint8_t *pkt, size_t len, uint64_t now)
{
	bool key, need_key = false, sent = false;
	struct rtp_hdr h;

	if (rtp_hdr_decode(&h, pkt, len) < 0 || !pp->v.c.recv || h.pt != pp->v.c.pt) {
		pp->st.malformed++;
		return;
	}
	if (!mw_ssrc_latch(&pp->v, h.ssrc, now)) {
		pp->st.foreign++;       /* RTX or unknown SSRC: not forwarded */
		return;
	}
	pp->st.v_rx++;
	if (!pp->admitted)
		return;
	/* a keyframe starts here: first packet of an access unit (the
	 * previous one ended one) carrying SPS or IDR */
	key = (!pp->v_seq_init || (pp->v_au_start && h.seq == (uint16_t)(pp->v_last_seq + 1))) &&
	      h264_has_key(pkt + h.hdr_len, h.payload_len);
	if (!pp->v_seq_init || rtp_seq_lt(pp->v_last_seq, h.seq)) {
		pp->v_au_start = h.marker;
		pp->v_last_seq = h.seq;
		pp->v_seq_init = true;
	}
	if (pp->id == w->vpending && key) {
		/* the new source's keyframe is here: switch now */
		if (w->vsrc != pp->id)
			w->vprev = w->vsrc;
		w->vsrc = pp->id;
		w->vpending = 0;
		w->last_switch_us = now;
		mw_post_event(w, MW_EV_VIDEO_SRC, pp->id, 0);
	}
	if (pp->id != w->vsrc && pp->id != w->vprev)
		return;
	hist_put(pp, h.seq, pkt, len);
	for (unsigned i = 0; i < w->nparts; i++) {
		struct mw_pp *rx = w->parts[i];

		if (rx == pp || !rx->admitted || !rx->v.c.enabled || !rx->v.c.send ||
		    want_src(w, rx) != pp->id)
			continue;
		/* a receiver changing source starts at a keyframe */
		if (rx->vout_src != pp->id && !key) {
			need_key = true;
			continue;
		}
		forward(w, rx, pp, pkt, len, &h, false);
		sent = true;
	}
	/* not packets that queued before the source was ours (its join) */
	if (sent && w->rx_ts_ns > pp->added_ns)
		mw_lat_note(w);
	if (need_key)
		send_pli(w, pp, now);
}

static void nack(struct mw *w, struct mw_pp *rx, const struct rtcp_item *it)
{
	struct mw_pp *src = rx->vout_src ? mw_find(w, rx->vout_src) : NULL;
	uint16_t seqs[64];
	unsigned n = rtcp_nack_seqs(&it->nack, seqs, 64);

	rx->st.nacks_rx++;
	if (!src || !src->hist)
		return;
	for (unsigned i = 0; i < n; i++) {
		uint16_t sseq = (uint16_t)(seqs[i] - rx->vseq_off);
		unsigned k = sseq % MW_HIST;
		uint8_t *copy = w->copy;
		struct rtp_hdr h;

		if (!src->hist->used[k] || src->hist->seq[k] != sseq)
			continue;
		memcpy(copy, src->hist->pkt[k], src->hist->len[k]);
		if (rtp_hdr_decode(&h, copy, src->hist->len[k]) < 0)
			continue;
		forward(w, rx, src, copy, src->hist->len[k], &h, true);
	}
}

void mw_video_rtcp(struct mw *w, struct mw_pp *pp, const uint8_t *pkt, size_t len,
		   uint64_t now)
{
	struct rtcp_iter it;
	struct rtcp_item item;

	if (rtcp_iter_init(&it, pkt, len) < 0)
		return;
	while (rtcp_iter_next(&it, &item) > 0) {
		struct mw_pp *src;

		switch (item.type) {
		case RTCP_ITEM_PLI:
		case RTCP_ITEM_FIR:
			src = pp->vout_src ? mw_find(w, pp->vout_src) : NULL;
			if (src)
				send_pli(w, src, now);
			break;
		case RTCP_ITEM_NACK:
			if (item.fb.media_ssrc == pp->v.c.ssrc)
				nack(w, pp, &item);
			break;
		default:
			break;
		}
	}
}

/* decide the wanted source; ask it for a keyframe until it sends one */
void mw_video_update(struct mw *w, uint64_t now)
{
	uint32_t want = w->bcast && mw_find(w, w->bcast) ? w->bcast :
			atomic_load_explicit(&w->loudest, memory_order_relaxed);
	struct mw_pp *pp;

	if (!want && !w->vsrc) {
		/* nobody spoke yet: show the first participant with video */
		for (unsigned i = 0; i < w->nparts && !want; i++)
			if (w->parts[i]->admitted && w->parts[i]->v.src_ssrc)
				want = w->parts[i]->id;
	}
	if (!want || want == w->vsrc) {
		w->vpending = 0;
		return;
	}
	if (!w->bcast && w->vsrc && now - w->last_switch_us < w->c.switch_hold_ms * 1000ull)
		return;
	w->vpending = want;
	pp = mw_find(w, want);
	if (pp)
		send_pli(w, pp, now);
}

void mw_video_part_gone(struct mw *w, struct mw_pp *pp)
{
	if (w->vsrc == pp->id)
		w->vsrc = 0;
	if (w->vprev == pp->id)
		w->vprev = 0;
	if (w->vpending == pp->id)
		w->vpending = 0;
	if (w->bcast == pp->id)
		w->bcast = 0;
	for (unsigned i = 0; i < w->nparts; i++)
		if (w->parts[i]->vout_src == pp->id)
			w->parts[i]->vout_src = 0;
}

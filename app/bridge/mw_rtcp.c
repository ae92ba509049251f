/* mw_rtcp.c: media worker RTCP reports: SR (+ RR block) to every participant
 * each second, video SRs mapped from the forwarded source's own SR. */
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/clock.h"
#include "mw_int.h"
#include "rtp/rtcp.h"

void mw_rtcp_note_sr(struct mw_strm *s, uint32_t ssrc, const struct rtcp_sender_info *si,
		     uint64_t now)
{
	s->sr_ssrc = ssrc;
	s->sr_ntp = si->ntp;
	s->sr_rtp = si->rtp_ts;
	s->sr_arrival_us = now;
	s->sr_wall_us = clock_ntp_to_us(si->ntp);
}

/* our report on the stream s: SR with (ntp, rtp), and an RR block on the
 * participant's source with LSR/DLSR (its RTT; loss is not measured here) */
static void report(struct mw *w, uint8_t *buf, struct mw_strm *s, uint64_t ntp, uint32_t rtp,
		   uint64_t now)
{
	struct rtcp_report r = { .ssrc = s->c.ssrc, .has_sender_info = true };
	struct wcur c;

	r.si.ntp = ntp;
	r.si.rtp_ts = rtp;
	r.si.pkt_count = s->tx_packets;
	r.si.octet_count = s->tx_octets;
	if (s->sr_ssrc) {
		/* the SR's fields are the sending thread's (the mixer's for
		 * audio: they come through the ring) */
		struct rtcp_rblock *b = &r.rb[r.rb_count++];

		memset(b, 0, sizeof(*b));
		b->ssrc = s->sr_ssrc;
		b->lsr = (uint32_t)(s->sr_ntp >> 16);
		b->dlsr = (uint32_t)((now - s->sr_arrival_us) * 65536 / 1000000);
	}
	wcur_init(&c, buf, MW_PKT_MAX);
	if (rtcp_build_report(&c, &r) < 0 || rtcp_build_sdes_cname(&c, s->c.ssrc, "rakwon-bridge") < 0 ||
	    c.bad)
		return;
	mw_send(w, s, buf, c.pos, true);
}

/* mixer thread: the audio streams */
void mw_rtcp_audio_reports(struct mw *w, uint64_t now)
{
	uint64_t wall = clock_wall_us();

	for (unsigned i = 0; i < w->nmparts; i++) {
		struct mw_pp *pp = w->mparts[i];

		if (pp->m_admitted && pp->a.c.enabled && pp->a.c.fd >= 0) {
			/* pp->a.ts is the timestamp of the next mix, sent at the
			 * next tick: 20 ms after the last one */
			uint64_t at = w->tick_wall_us + 20000;

			report(w, w->mbuf, &pp->a, clock_us_to_ntp(wall),
			       pp->a.ts - (uint32_t)((int64_t)(at - wall) * 48 / 1000), now);
		}
	}
}

/* forwarding thread: the video streams */
void mw_rtcp_reports(struct mw *w, uint64_t now)
{
	uint64_t wall = clock_wall_us();

	for (unsigned i = 0; i < w->nparts; i++) {
		struct mw_pp *pp = w->parts[i];
		struct mw_pp *src;

		if (!pp->admitted)
			continue;
		if (!pp->v.c.enabled || pp->v.c.fd < 0)
			continue;
		src = pp->vout_src ? mw_find(w, pp->vout_src) : NULL;
		if (src && src->v.sr_arrival_us) {
			/* the source's clock, carried through our timestamp offset */
			uint64_t el = now - src->v.sr_arrival_us;

			report(w, w->buf, &pp->v, clock_us_to_ntp(src->v.sr_wall_us + el),
			       src->v.sr_rtp + (uint32_t)(el * 90 / 1000) + pp->vts_off, now);
		} else {
			report(w, w->buf, &pp->v, clock_us_to_ntp(wall), pp->vlast_ts, now);
		}
	}
}

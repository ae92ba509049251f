/* msess_video.c: the video half of a media session.
 *
 * vtx thread: source -> (mute) -> encoder -> RFC 6184 packetizer -> RTP ->
 * SRTP -> socket; keyframe and bitrate requests arrive as atomics.
 * rx thread (msess.c calls in): SRTP unprotect -> RTX decapsulation ->
 * statistics and NACK tracking -> frame assembler; complete access units go
 * through a bounded queue (full: dropped, keyframe requested) to the
 * vdec thread: decoder -> render queue (held for lip sync against the audio
 * delay, using the sender wall clock the rx thread computed from RTCP SR)
 * -> sink. Freezes are counted as
 * WebRTC does: a gap between rendered frames >= max(3 * mean, mean + 150 ms).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drv/teststamp.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "media/h264_rtp.h"
#include "media/msess_int.h"
#include "rtp/rtp.h"

LOG_TOPIC(video);

#define PLI_MIN_INTERVAL_US 250000
#define MAX_HOLD_US 300000
#define HOLD_STEP_US 10000      /* the hold grows by this much per frame at most */

void msess_send_feedback_pli(struct mstream *m);
void msess_send_nack(struct mstream *m, const uint16_t *seqs, unsigned n);

/* --- transmit -------------------------------------------------------------- */

struct pkt_ctx {
	struct mstream *m;
	uint32_t ts;
	bool send;
	unsigned packets;
	size_t bytes;
};

static int on_payload(const uint8_t *payload, size_t len, bool marker, void *arg)
{
	struct pkt_ctx *c = arg;
	struct mstream *m = c->m;
	uint8_t pkt[MSESS_PKT_MAX];
	struct rtp_hdr h = { .marker = marker, .pt = m->p.pt, .seq = m->seq++,
			     .ts = c->ts, .ssrc = m->ssrc };
	size_t hl;
	int r;

	r = rtp_hdr_encode(&h, pkt, sizeof(pkt), &hl);
	if (r < 0 || hl + len + RTP_SRTP_MAX_OVERHEAD > sizeof(pkt))
		return r < 0 ? r : -EMSGSIZE;
	memcpy(pkt + hl, payload, len);
	rtp_tx_stats_packet(&m->txs, (uint32_t)len);
	m->sent_any = true;
	r = mstream_send_rtp(m, pkt, hl + len, true);
	if (r == 0) {
		c->packets++;
		c->bytes += hl + len;
	}
	return 0; /* a full socket buffer drops this packet only (NACK repairs) */
}

static void send_au(struct msess *s, struct mpkt *p)
{
	struct mstream *m = &s->v;
	struct pkt_ctx c = { .m = m, .send = atomic_load(&m->dir) & MSESS_SENDONLY };
	uint64_t t_enc = clock_now_us();

	pthread_mutex_lock(&m->tx_lock);
	if (atomic_exchange(&m->ssrc_collision, false)) {
		/* RFC 3550 8.2: pick a new SSRC; the old one says BYE by timeout */
		m->ssrc = m->ssrc * 1103515245u + 12345u;
		rtp_tx_stats_init(&m->txs, m->ssrc);
	}
	c.ts = mstream_rtp_ts(m, p->capture_us);
	/* not sending (hold): no packets, and no sequence numbers used up */
	if (c.send)
		(void)h264_packetize(p->data, p->len, MSESS_PAYLOAD_MAX, on_payload, &c);
	pthread_mutex_unlock(&m->tx_lock);
	pthread_mutex_lock(&s->stats_lock);
	s->st.video.packets_sent += c.packets;
	s->st.video.bytes_sent += c.bytes;
	s->st.video.frames_sent++;
	if (p->keyframe)
		s->st.video.keyframes_sent++;
	pthread_mutex_unlock(&s->stats_lock);
	msess_flog(s, "tx seq=%u cap=%llu enc=%llu sent=%llu bytes=%zu key=%d\n", p->seq,
		   (unsigned long long)p->capture_us, (unsigned long long)t_enc,
		   (unsigned long long)clock_now_us(), p->len, p->keyframe);
}

static void frame_blank(struct vframe **fp)
{
	struct vframe *b;

	if (vframe_new(&b, VFMT_I420, (*fp)->width, (*fp)->height) < 0)
		return;
	memset(b->data[0], 16, (size_t)b->width * b->height);
	memset(b->data[1], 128, (size_t)b->width * b->height / 2);
	b->capture_us = (*fp)->capture_us;
	b->seq = (*fp)->seq;
	vframe_unref(*fp);
	*fp = b;
}

void *msess_vtx_thread(void *arg)
{
	struct msess *s = arg;
	struct mstream *m = &s->v;

	while (!atomic_load(&s->stop)) {
		struct vframe *f = NULL;
		struct mpkt *p;
		int r, kbps;

		r = vidsrc_read(s->vsrc, &f);
		if (r == -ENODATA)
			break;
		if (r < 0) {
			if (r != -EAGAIN && r != -EINTR) {
				msess_post(s, MSESS_EV_ERROR, r);
				usleep(200000);
			}
			continue;
		}
		if (atomic_load(&m->mute))
			frame_blank(&f);
		else if (s->p.tap)
			s->p.tap(MSESS_TAP_CAPTURED, f, s->p.tap_arg);
		kbps = atomic_exchange(&m->new_bitrate, 0);
		if (kbps > 0)
			(void)venc_set_bitrate(s->venc, kbps);
		if (atomic_exchange(&m->kf_req, false))
			venc_request_keyframe(s->venc);
		r = venc_send_frame(s->venc, f);
		vframe_unref(f);
		if (r < 0 && r != -EAGAIN) {
			msess_post(s, MSESS_EV_ERROR, r);
			continue;
		}
		while (venc_receive_packet(s->venc, &p) == 0) {
			send_au(s, p);
			mpkt_unref(p);
		}
	}
	return NULL;
}

/* NACKed packets: retransmit from the history (rx thread). */
void msess_video_on_nack(struct msess *s, const uint16_t *seqs, unsigned n)
{
	struct mstream *m = &s->v;
	uint64_t now = clock_now_us();
	unsigned sent = 0;

	pthread_mutex_lock(&m->tx_lock);
	for (unsigned i = 0; i < n; i++) {
		uint8_t pkt[MSESS_PKT_MAX];
		size_t len;

		if (rtp_history_resend(m->hist, seqs[i], now, m->rtx.pt ? &m->rtx : NULL,
				       pkt, sizeof(pkt) - RTP_SRTP_MAX_OVERHEAD, &len) < 0)
			continue;
		if (mstream_send_rtp(m, pkt, len, false) == 0)
			sent++;
	}
	pthread_mutex_unlock(&m->tx_lock);
	pthread_mutex_lock(&s->stats_lock);
	s->st.video.nacks_recv += n;
	s->st.video.rtx_sent += sent;
	pthread_mutex_unlock(&s->stats_lock);
}

/* --- receive and render ---------------------------------------------------- */

static double psnr_below_band(const struct vframe *a, const struct vframe *b)
{
	int y0 = teststamp_band_height(a->width);
	double se = 0;
	uint64_t n = 0;

	if (a->width != b->width || a->height != b->height || y0 >= a->height)
		return -1;
	for (int y = y0; y < a->height; y++) {
		const uint8_t *pa = a->data[0] + (size_t)y * a->stride[0];
		const uint8_t *pb = b->data[0] + (size_t)y * b->stride[0];

		for (int x = 0; x < a->width; x++) {
			int d = pa[x] - pb[x];

			se += d * d;
		}
		n += (uint64_t)a->width;
	}
	if (se == 0)
		return 100.0;
	return 10.0 * log10(255.0 * 255.0 * (double)n / se);
}

static void check_testsrc(struct msess *s, struct vframe *f, uint32_t *seq, uint64_t *cap,
			  double *psnr)
{
	*psnr = -1;
	if (teststamp_read(f, seq, cap) < 0)
		return;
	if (!s->ref) {
		struct vidsrc_params rp = { .width = f->width, .height = f->height,
					    .fps = s->v.p.fps, .fmt = VFMT_I420,
					    .args = "realtime=0" };

		if (vidsrc_open(&s->ref, "testsrc", &rp) < 0)
			return;
	}
	/* PSNR on every 4th frame: the reference pattern jumps to it */
	if (*seq % 4)
		return;
	s->ref_frame = vframe_unref(s->ref_frame);
	if (vidsrc_control(s->ref, "seek", (int)(*seq & 0x7fffffff)) < 0 ||
	    vidsrc_read(s->ref, &s->ref_frame) < 0)
		return;
	if (s->ref_frame && s->ref_frame->seq == *seq) {
		*psnr = psnr_below_band(f, s->ref_frame);
		if (*psnr >= 0) {
			pthread_mutex_lock(&s->stats_lock);
			s->psnr_sum += *psnr;
			s->psnr_n++;
			pthread_mutex_unlock(&s->stats_lock);
		}
	}
}

static void render(struct msess *s, struct msess_rframe *rf, uint64_t now)
{
	struct msess_stream_stats *vs = &s->st.video;
	uint32_t seq = 0;
	uint64_t cap = 0;
	double psnr = -1;

	if (s->vsink)
		(void)vidsink_write(s->vsink, rf->f);
	if (s->p.tap)
		s->p.tap(MSESS_TAP_DECODED, rf->f, s->p.tap_arg);
	if (s->p.check_testsrc)
		check_testsrc(s, rf->f, &seq, &cap, &psnr);
	else if (s->flog && teststamp_read(rf->f, &seq, &cap) < 0)
		seq = 0, cap = 0;
	pthread_mutex_lock(&s->stats_lock);
	if (s->last_render_us) {
		double gap = (double)(now - s->last_render_us);

		/* WebRTC: freeze if gap >= max(3 * mean, mean + 150 ms) */
		if (s->render_n >= 2 && gap >= fmax(3 * s->render_mean_us, s->render_mean_us + 150000)) {
			vs->freezes++;
			vs->freeze_us_total += (uint64_t)gap;
		}
		vs->render_us_total += (uint64_t)gap;
		s->render_n++;
		s->render_mean_us += (gap - s->render_mean_us) / (double)(s->render_n < 30 ? s->render_n : 30);
	} else {
		s->render_n = 1;
		s->render_mean_us = 1e6 / (s->v.p.fps > 0 ? s->v.p.fps : 30);
	}
	s->last_render_us = now;
	vs->width = rf->f->width;
	vs->height = rf->f->height;
	pthread_mutex_unlock(&s->stats_lock);
	msess_flog(s, "rx seq=%u cap=%llu recv=%llu dec=%llu render=%llu psnr=%.2f ts=%u e2e=%.1f\n",
		   seq, (unsigned long long)cap, (unsigned long long)rf->recv_us,
		   (unsigned long long)rf->decoded_us, (unsigned long long)now, psnr, rf->rtp_ts,
		   rf->e2e_ms);
	if (!s->first_video) {
		s->first_video = true;
		msess_post(s, MSESS_EV_FIRST_VIDEO, 0);
	}
	rf->f = vframe_unref(rf->f);
}

static void rq_push(struct msess *s, struct vframe *f)
{
	struct msess_rframe rf = { .f = f, .recv_us = f->capture_us, .rtp_ts = f->seq };
	uint64_t now = clock_now_us();

	rf.decoded_us = now;
	rf.due_us = now;
	rf.e2e_ms = -1;
	/* lip sync: hold video until it has the same capture->play delay as
	 * the audio being played (both measured against the senders' SR
	 * clocks, RFC 3550 6.4.1); pts is the sender's wall clock */
	if (f->pts > 0) {
		int64_t v_e2e = (int64_t)clock_wall_us() - f->pts, hold = 0;

		if (atomic_load(&s->audio_e2e_valid)) {
			hold = atomic_load(&s->audio_e2e_us) - v_e2e;
			hold = hold < 0 ? 0 : hold > (int64_t)MAX_HOLD_US ? (int64_t)MAX_HOLD_US : hold;
			/* a sudden audio delay increase (the jitter buffer grew)
			 * slows video down over a few frames instead of freezing
			 * it for the whole difference at once */
			if (hold > s->v_hold_us + HOLD_STEP_US)
				hold = s->v_hold_us + HOLD_STEP_US;
			s->v_hold_us = hold;
			rf.due_us = now + (uint64_t)hold;
			pthread_mutex_lock(&s->stats_lock);
			s->skew_sum_ms += (v_e2e + hold - atomic_load(&s->audio_e2e_us)) / 1000.0;
			s->skew_n++;
			pthread_mutex_unlock(&s->stats_lock);
		}
		rf.e2e_ms = (v_e2e + hold) / 1000.0;
	}
	if (s->rq_len == MSESS_RENDER_Q) {        /* full: render the oldest now */
		render(s, &s->rq[0], now);
		memmove(&s->rq[0], &s->rq[1], sizeof(s->rq[0]) * (MSESS_RENDER_Q - 1));
		s->rq_len--;
	}
	s->rq[s->rq_len++] = rf;
}

static void decode(struct msess *s, struct mpkt *p)
{
	struct vframe *f;

	if (vdec_send_packet(s->vdec, p) < 0) {
		pthread_mutex_lock(&s->stats_lock);
		s->st.video.frames_dropped++;
		pthread_mutex_unlock(&s->stats_lock);
		/* what follows refers to this frame: recover with a keyframe */
		atomic_store(&s->vdec_failed, true);
	}
	while (vdec_receive_frame(s->vdec, &f) == 0) {
		pthread_mutex_lock(&s->stats_lock);
		s->st.video.frames_decoded++;
		pthread_mutex_unlock(&s->stats_lock);
		rq_push(s, f);
	}
}

void *msess_vdec_thread(void *arg)
{
	struct msess *s = arg;

	while (!atomic_load(&s->stop)) {
		struct wq_item it;
		uint64_t now = clock_now_us();
		int timeout = 50;

		if (s->rq_len)
			timeout = s->rq[0].due_us > now ? (int)((s->rq[0].due_us - now + 999) / 1000) : 0;
		(void)wq_wait(s->vdq, timeout);
		while (wq_pop(s->vdq, &it) == 0) {
			if (it.ptr)
				decode(s, it.ptr);
			mpkt_unref(it.ptr);
		}
		now = clock_now_us();
		while (s->rq_len && s->rq[0].due_us <= now) {
			render(s, &s->rq[0], now);
			memmove(&s->rq[0], &s->rq[1], sizeof(s->rq[0]) * (s->rq_len - 1));
			s->rq_len--;
		}
	}
	return NULL;
}

/* rx thread: a complete (or dropped) access unit from the assembler */
static void on_au(const struct h264_au *au, void *arg)
{
	struct msess *s = arg;
	struct wq_item it = { 0 };
	struct mpkt *p;
	uint64_t now = clock_now_us(), sender_wall;

	if (au->flags & H264_AU_DROPPED) {
		pthread_mutex_lock(&s->stats_lock);
		s->st.video.frames_dropped++;
		pthread_mutex_unlock(&s->stats_lock);
		return;
	}
	if (mpkt_new_copy(&p, au->data, au->len) < 0)
		return;
	/* the decoder carries seq, capture_us and pts to the picture: they
	 * hold the RTP timestamp, the arrival time and the sender's wall
	 * clock of the capture (lip sync) */
	p->seq = au->ts;
	p->capture_us = now;
	p->pts = rtp_rx_stats_ts_to_wall_us(&s->v.rxs, au->ts, &sender_wall) == 0 ?
		 (int64_t)sender_wall : -1;
	p->keyframe = au->flags & H264_AU_IDR;
	it.ptr = p;
	if (wq_post(s->vdq, &it) < 0) {
		/* the decoder is behind: drop, and recover with a keyframe */
		mpkt_unref(p);
		pthread_mutex_lock(&s->stats_lock);
		s->st.video.frames_dropped++;
		pthread_mutex_unlock(&s->stats_lock);
		/* the next frames refer to this one: skip them until a keyframe,
		 * which the tick requests (and repeats) */
		h264_depkt_lost_downstream(s->depkt);
	}
}

void msess_video_rx(struct msess *s, uint8_t *pkt, size_t len, uint64_t now)
{
	struct mstream *m = &s->v;
	struct msess_stream_stats *vs = &s->st.video;
	struct rtp_hdr h;
	struct h264_rtp_pkt hp;
	size_t plen = len;
	bool rtx = false;

	if (mstream_unprotect(m, false, pkt, len, &plen) < 0)
		return;
	if (rtp_hdr_decode(&h, pkt, plen) < 0)
		goto malformed;
	if (h.ssrc == m->ssrc) {
		pthread_mutex_lock(&s->stats_lock);
		vs->ssrc_collisions++;
		pthread_mutex_unlock(&s->stats_lock);
	}
	if (m->p.rtx_pt && h.pt == m->p.rtx_pt) {
		uint16_t osn;

		/* RTX of the source we decode (RFC 4588: its own SSRC) */
		if (!m->have_remote ||
		    rtx_decap(pkt, plen, m->remote_ssrc, m->p.pt, &plen, &osn) < 0 ||
		    rtp_hdr_decode(&h, pkt, plen) < 0)
			goto malformed;
		rtx = true;
	} else if (h.pt != m->p.pt) {
		goto malformed;
	} else if (!mstream_source_ok(m, h.ssrc, h.seq, now)) {
		goto malformed;
	} else if (!m->have_remote || h.ssrc != m->remote_ssrc) {
		/* first source, or the old one went silent: (re)start */
		m->have_remote = true;
		m->remote_ssrc = h.ssrc;
		rtp_rx_stats_init(&m->rxs, h.ssrc, 90000);
		if (m->nack)
			nack_gen_reset(m->nack);
		h264_depkt_reset(s->depkt);
	}
	m->last_valid_us = now;
	pthread_mutex_lock(&s->stats_lock);
	vs->packets_recv++;
	vs->bytes_recv += plen;
	if (rtx)
		vs->rtx_recovered++;
	pthread_mutex_unlock(&s->stats_lock);
	if (!rtx)
		(void)rtp_rx_stats_packet(&m->rxs, h.seq, h.ts,
					  (uint32_t)(now * 9 / 100), (uint32_t)h.payload_len);
	if (m->nack)
		(void)nack_gen_packet(m->nack, h.seq, rtx, now);
	hp = (struct h264_rtp_pkt){ .seq = h.seq, .ts = h.ts, .marker = h.marker,
				    .payload = pkt + h.hdr_len, .len = h.payload_len,
				    .arrival_us = now };
	(void)h264_depkt_put(s->depkt, &hp);
	pthread_mutex_lock(&s->stats_lock);
	{
		struct h264_depkt_stats ds;
		struct nack_stats ns;

		h264_depkt_stats(s->depkt, &ds);
		vs->frames_skipped = ds.frames_skipped;
		vs->pkts_late = ds.late;
		vs->pkts_given_up = ds.lost;
		if (m->nack) {
			nack_gen_get_stats(m->nack, &ns);
			vs->nack_unrecoverable = ns.unrecoverable;
		}
	}
	vs->lost = rtp_rx_stats_lost(&m->rxs);
	vs->jitter_ms = rtp_rx_stats_jitter(&m->rxs) / 90.0;
	pthread_mutex_unlock(&s->stats_lock);
	return;
malformed:
	pthread_mutex_lock(&s->stats_lock);
	vs->malformed++;
	pthread_mutex_unlock(&s->stats_lock);
}

uint64_t msess_video_tick(struct msess *s, uint64_t now)
{
	struct mstream *m = &s->v;
	uint64_t next = now + 20000;
	bool need_kf = false;

	if (!s->depkt)
		return next;
	h264_depkt_poll(s->depkt, now);
	if (atomic_exchange(&s->vdec_failed, false))
		h264_depkt_lost_downstream(s->depkt);
	if (m->nack && m->have_remote) {
		uint16_t seqs[128];
		unsigned n = 0;

		if (nack_gen_poll(m->nack, now, seqs, 128, &n) == NACK_KEYFRAME)
			need_kf = true;
		if (n) {
			msess_send_nack(m, seqs, n);
			pthread_mutex_lock(&s->stats_lock);
			s->st.video.nacks_sent += n;
			pthread_mutex_unlock(&s->stats_lock);
		}
		if (nack_gen_next_us(m->nack) < next)
			next = nack_gen_next_us(m->nack);
	}
	if (m->have_remote && h264_depkt_keyframe_needed(s->depkt))
		need_kf = true;
	if (need_kf && now - m->last_pli_us >= PLI_MIN_INTERVAL_US && (m->p.pli || m->p.fir)) {
		m->last_pli_us = now;
		msess_send_feedback_pli(m);
	}
	return next < now ? now : next;
}

int msess_video_open(struct msess *s)
{
	const struct msess_stream *p = &s->v.p;
	const struct msess_devices *d = &s->p.dev;
	struct vidsrc_params sp = { .width = p->width, .height = p->height, .fps = p->fps,
				    .fmt = VFMT_I420, .loop = true, .args = d->vidsrc_args };
	struct venc_params ep = { .width = p->width, .height = p->height, .fps = p->fps,
				  .bitrate_kbps = p->bitrate_kbps,
				  .profile = p->high_profile ? VENC_PROFILE_HIGH :
							       VENC_PROFILE_CONSTRAINED_BASELINE,
				  .keyint = p->fps * 5, .intra_refresh = false,
				  .args = d->venc_args };
	struct vdec_params dp = { .args = d->vdec_args };
	struct vidsink_params kp = { .args = d->vidsink_args };
	struct h264_depkt_conf dc = { .reorder_frames = UINT32_MAX, .max_wait_us = 300000,
				      .drop_after_loss = true };
	int r;

	if (p->dir & MSESS_SENDONLY) {
		r = vidsrc_open(&s->vsrc, d->vidsrc, &sp);
		if (r < 0)
			return log_err_errno(video, r, "video source %s: %m", d->vidsrc ? d->vidsrc : "");
		/* the source may have chosen another size: encode what it gives */
		ep.width = sp.width;
		ep.height = sp.height;
		if (sp.fps > 0)
			ep.fps = sp.fps;
		r = venc_open(&s->venc, d->venc, &ep);
		if (r < 0)
			return log_err_errno(video, r, "video encoder: %m");
	}
	r = vdec_open(&s->vdec, d->vdec, &dp);
	if (r < 0)
		return log_err_errno(video, r, "video decoder: %m");
	r = vidsink_open(&s->vsink, d->vidsink ? d->vidsink : "null", &kp);
	if (r < 0)
		return log_err_errno(video, r, "video sink %s: %m", d->vidsink ? d->vidsink : "null");
	r = h264_depkt_new(&s->depkt, &dc, on_au, s);
	if (r < 0)
		return r;
	return wq_new(&s->vdq, 32);
}

static void vdq_drop(struct wq *q, const struct wq_item *it, void *arg)
{
	mpkt_unref(it->ptr);
}

void msess_video_close(struct msess *s)
{
	s->vdq = wq_free(s->vdq, vdq_drop, NULL);
	for (unsigned i = 0; i < s->rq_len; i++)
		vframe_unref(s->rq[i].f);
	s->rq_len = 0;
	s->vsrc = vidsrc_close(s->vsrc);
	s->venc = venc_close(s->venc);
	s->vdec = vdec_close(s->vdec);
	s->vsink = vidsink_close(s->vsink);
	s->depkt = h264_depkt_free(s->depkt);
	s->ref_frame = vframe_unref(s->ref_frame);
	s->ref = vidsrc_close(s->ref);
}

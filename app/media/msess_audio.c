/* msess_audio.c: the audio half of a media session.
 *
 * atx thread: source (paced 10/20 ms) -> (mute) -> Opus -> RTP (RFC 7587) ->
 * SRTP -> socket; DTX frames (<= 2 bytes) are not sent and the next packet
 * carries the marker (start of talkspurt).
 * rx thread (msess.c calls in): every remote SSRC gets a slot with its own
 * adaptive jitter buffer and decoder (up to MSESS_MAX_ASRC, mixed).
 * aplay thread: the playout clock; each period it takes one frame from every
 * jitter buffer (packet, in-band FEC of the next packet, or PLC), decodes,
 * mixes with a limiter and writes to the sink. It also publishes the audio
 * capture-to-play delay for lip sync. Known limit: the Opus driver returns a
 * new aframe per decode (one allocation per period on this thread).
 * Room audio (p.aproc, app/audio/apm.h): aplay copies every period it hands
 * to the sink into a lock-free SPSC ring (aring); atx runs the microphone
 * through apm in 10 ms blocks before Opus with the ring's oldest samples as
 * the echo canceller's reference (none queued: no playback, bypass). The
 * canceller finds the bulk delay (ring fill + device buffers + room) and the
 * drift between the two clocks itself; the ring keeps the fill bounded. With
 * DTX negotiated, the VAD decides: frames without near-end speech are not
 * sent except one every 400 ms (like Opus DTX's comfort-noise updates).
 * With p.level_ext_id, every audio packet carries the RFC 6464 level
 * (client-to-mixer: VAD bit and -dBov of the processed frame) for a bridge.
 * Neither thread allocates, locks (beyond the existing stats lock) or logs
 * for this.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "audio/apm.h"
#include "audio/aring.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "media/amix.h"
#include "media/msess_int.h"
#include "rtp/rtp.h"

LOG_TOPIC(audio);

#define ASRC_IDLE_US 5000000ULL
#define AREF_CAP 48000                  /* 1 s of reference */
#define AREF_PRIME (3 * APM_BLOCK)      /* 30 ms cushion against schedule jitter */
#define AREF_MAX_FILL (15 * APM_BLOCK)  /* 150 ms: the reference delay stays bounded */
#define VAD_DTX_KEEP_MS 400             /* one frame this often while the VAD is off */

/* Audio threads ask for real-time scheduling (SCHED_FIFO), as audio threads
 * on an appliance must: a missed 10/20 ms deadline is an audible gap. Best
 * effort: without the privilege they stay normal threads. */
static void audio_thread_rt(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	(void)pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

/* --- transmit -------------------------------------------------------------- */

static int dtmf_code(char d)
{
	const char *p, *map = "0123456789*#ABCD";

	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	p = strchr(map, d);
	return p ? (int)(p - map) : -1;
}

/* RFC 4733 sender state, atx thread only */
struct dtmf_tx {
	int code;               /* -1: idle */
	uint32_t ts;            /* timestamp of the event (its start) */
	unsigned frames;        /* frames sent of this event */
	unsigned gap;           /* frames of silence left after an event */
};

/* One frame period of DTMF: true when an event packet replaces audio. */
static bool dtmf_frame(struct mstream *m, struct dtmf_tx *d, uint32_t ts, int frame_ms,
		       bool *marker, uint8_t *pl, size_t *pl_len)
{
	unsigned dur_frames = 100 / (unsigned)frame_ms, end_frames = 3;
	uint32_t per = (m->p.te_clock ? m->p.te_clock : 8000) / 1000 * (uint32_t)frame_ms;

	if (d->code < 0) {
		char c = 0;

		if (d->gap) {
			d->gap--;
			return false;
		}
		pthread_mutex_lock(&m->dtmf_lock);
		if (m->dtmf_q[0]) {
			c = m->dtmf_q[0];
			memmove(m->dtmf_q, m->dtmf_q + 1, strlen(m->dtmf_q));
		}
		pthread_mutex_unlock(&m->dtmf_lock);
		if (!c)
			return false;
		d->code = dtmf_code(c);
		d->ts = ts;
		d->frames = 0;
		*marker = true;
	}
	d->frames++;
	{
		bool end = d->frames > dur_frames;
		uint32_t dur = per * (d->frames > dur_frames ? dur_frames : d->frames);

		pl[0] = (uint8_t)d->code;
		pl[1] = (uint8_t)((end ? 0x80 : 0) | 10);   /* E bit, volume -10 dBm0 */
		pl[2] = (uint8_t)(dur >> 8);
		pl[3] = (uint8_t)dur;
		*pl_len = 4;
		if (d->frames >= dur_frames + end_frames) {  /* end sent 3 times */
			d->code = -1;
			d->gap = 60 / (unsigned)frame_ms;
		}
	}
	return true;
}

/* the microphone frame through apm, in place, 10 ms at a time; true when
 * the VAD heard near-end speech in any of its blocks */
static bool atx_process(struct msess *s, struct aframe *f)
{
	int16_t ref[APM_BLOCK];
	struct apm_stats st = { 0 };
	bool vad = false;

	for (int off = 0; off + APM_BLOCK <= f->samples; off += APM_BLOCK) {
		bool have_ref = s->aref && aring_read(s->aref, ref, APM_BLOCK) == 0;

		(void)apm_process(s->apm, f->pcm + off, have_ref ? ref : NULL, f->pcm + off);
		apm_stats_get(s->apm, &st);
		vad |= st.vad;
	}
	pthread_mutex_lock(&s->stats_lock);
	s->st.audio.level_dbfs = st.level_dbfs;
	s->st.audio.vad = vad;
	s->st.audio.erle_db = st.erle_db;
	s->st.audio.aec_delay_ms = st.delay_ms;
	pthread_mutex_unlock(&s->stats_lock);
	return vad;
}

/* RFC 6464 client-to-mixer audio level, RFC 8285 one-byte element: V bit
 * (the VAD) and the frame's level in -dBov (0 loudest .. 127), padded to 4
 * bytes; the frame as it goes to the encoder (after processing) */
static void level_ext(uint8_t out[4], uint8_t id, bool vad, const struct aframe *f)
{
	double e = 0;
	int lvl = 127;

	for (int i = 0; i < f->samples; i++)
		e += (double)f->pcm[i] * f->pcm[i];
	if (e > 0 && f->samples > 0) {
		double db = -10.0 * log10(e / f->samples / (32768.0 * 32768.0));
		lvl = db > 127 ? 127 : db < 0 ? 0 : (int)lrint(db);
	}
	out[0] = (uint8_t)(id << 4);    /* length - 1 = 0: one byte */
	out[1] = (uint8_t)((vad ? 0x80 : 0) | lvl);
	out[2] = 0;
	out[3] = 0;
}

void *msess_atx_thread(void *arg)
{
	struct msess *s = arg;
	struct mstream *m = &s->a;
	bool have_ts = false, talkspurt = true;
	uint32_t ts = 0;
	struct dtmf_tx dtmf = { .code = -1 };
	int quiet_ms = 0;

	audio_thread_rt();
	while (!atomic_load(&s->stop)) {
		struct aframe *f = NULL;
		struct mpkt *p = NULL;
		uint8_t pkt[MSESS_PKT_MAX];
		struct rtp_hdr h;
		uint32_t want;
		size_t hl;
		int r;

		r = audsrc_read(s->asrc, &f);
		if (r == -ENODATA)
			break;
		if (r < 0) {
			if (r != -EAGAIN && r != -EINTR) {
				msess_post(s, MSESS_EV_ERROR, r);
				clock_sleep_until_us(clock_now_us() + 100000);
			}
			continue;
		}
		bool speech = true;
		uint8_t lvl_ext[4] = { 0 };
		if (s->apm && f->channels == 1 && f->rate == APM_RATE) {
			speech = atx_process(s, f);
			if (m->p.level_ext_id >= 1 && m->p.level_ext_id <= 14)
				level_ext(lvl_ext, m->p.level_ext_id, speech, f);
		}
		if (atomic_load(&m->mute))
			memset(f->pcm, 0, sizeof(int16_t) * (size_t)f->samples * (size_t)f->channels);
		int frame_ms = f->samples * 1000 / (f->rate > 0 ? f->rate : 48000);
		r = aenc_encode(s->aenc, f, &p);
		/* timestamps advance by exactly one frame, tied to capture time:
		 * resync only if the source jumped (more than 2 frames off) */
		want = mstream_rtp_ts(m, f->capture_us);
		if (!have_ts || abs(rtp_ts_diff(want, ts + (uint32_t)f->samples)) > 2 * f->samples)
			ts = want;
		else
			ts += (uint32_t)f->samples;
		have_ts = true;
		aframe_unref(f);
		if (r < 0 || !p)
			continue;
		if (m->p.te_pt && (dtmf.code >= 0 || dtmf.gap || m->dtmf_q[0])) {
			uint8_t ev[4];
			size_t evl = 0;
			bool mk = false;

			if (dtmf_frame(m, &dtmf, ts, m->p.frame_ms, &mk, ev, &evl)) {
				pthread_mutex_lock(&m->tx_lock);
				h = (struct rtp_hdr){ .marker = mk, .pt = m->p.te_pt, .seq = m->seq++,
						      .ts = m->p.te_clock == 8000 || !m->p.te_clock ?
							    dtmf.ts / 6 : dtmf.ts,
						      .ssrc = m->ssrc };
				if (rtp_hdr_encode(&h, pkt, sizeof(pkt), &hl) == 0) {
					memcpy(pkt + hl, ev, evl);
					rtp_tx_stats_packet(&m->txs, (uint32_t)evl);
					(void)mstream_send_rtp(m, pkt, hl + evl, false);
				}
				pthread_mutex_unlock(&m->tx_lock);
				mpkt_unref(p);
				continue;
			}
		}
		/* DTX from our VAD: silence goes out once every VAD_DTX_KEEP_MS */
		bool vad_skip = false;
		if (s->apm && m->p.dtx) {
			if (speech) {
				quiet_ms = 0;
			} else if (quiet_ms == 0 || quiet_ms >= VAD_DTX_KEEP_MS) {
				quiet_ms = frame_ms;    /* sent: comfort noise update */
			} else {
				vad_skip = true;
				quiet_ms += frame_ms;
			}
		}
		if (p->len <= 2 || vad_skip || !(atomic_load(&m->dir) & MSESS_SENDONLY)) {
			talkspurt = true;   /* DTX: nothing sent */
			if (vad_skip) {
				pthread_mutex_lock(&s->stats_lock);
				s->st.audio.vad_frames_suppressed++;
				pthread_mutex_unlock(&s->stats_lock);
			}
			mpkt_unref(p);
			continue;
		}
		pthread_mutex_lock(&m->tx_lock);
		if (atomic_exchange(&m->ssrc_collision, false)) {
			m->ssrc = m->ssrc * 1103515245u + 12345u;
			rtp_tx_stats_init(&m->txs, m->ssrc);
		}
		h = (struct rtp_hdr){ .marker = talkspurt, .pt = m->p.pt, .seq = m->seq++,
				      .ts = ts, .ssrc = m->ssrc };
		if (lvl_ext[0]) {
			h.ext = true;
			h.ext_profile = RTP_EXT_ONE_BYTE;
			h.ext_data = lvl_ext;
			h.ext_len = sizeof(lvl_ext);
		}
		r = rtp_hdr_encode(&h, pkt, sizeof(pkt), &hl);
		if (r == 0 && hl + p->len + RTP_SRTP_MAX_OVERHEAD <= sizeof(pkt)) {
			memcpy(pkt + hl, p->data, p->len);
			rtp_tx_stats_packet(&m->txs, (uint32_t)p->len);
			m->sent_any = true;
			r = mstream_send_rtp(m, pkt, hl + p->len, false);
		}
		pthread_mutex_unlock(&m->tx_lock);
		talkspurt = false;
		if (r == 0) {
			pthread_mutex_lock(&s->stats_lock);
			s->st.audio.packets_sent++;
			s->st.audio.bytes_sent += hl + p->len;
			pthread_mutex_unlock(&s->stats_lock);
		}
		mpkt_unref(p);
	}
	return NULL;
}

/* --- receive (rx thread) --------------------------------------------------- */

static void asrc_release(struct msess_asrc *a)
{
	a->jb = jbuf_free(a->jb);
	a->dec = adec_close(a->dec);
	free(a->pcm);
	memset(a, 0, sizeof(*a));
}

static struct msess_asrc *asrc_find_used(struct msess *s, uint32_t ssrc)
{
	for (int i = 0; i < MSESS_MAX_ASRC; i++)
		if (s->asrc_rx[i].used && s->asrc_rx[i].ssrc == ssrc)
			return &s->asrc_rx[i];
	return NULL;
}

/* a slot for ssrc: existing, free, or one idle for ASRC_IDLE_US; jb_lock held */
static struct msess_asrc *asrc_get(struct msess *s, uint32_t ssrc, uint64_t now)
{
	struct msess_asrc *free_slot = NULL;
	struct jbuf_conf jc = { .frame_ms = (unsigned)s->a.p.frame_ms };
	struct adec_params dp = { .rate = 48000, .channels = 1 };

	for (int i = 0; i < MSESS_MAX_ASRC; i++) {
		struct msess_asrc *a = &s->asrc_rx[i];

		if (a->used && a->ssrc == ssrc)
			return a;
		if (a->used && now - a->last_us > ASRC_IDLE_US)
			asrc_release(a);
		if (!a->used && !free_slot)
			free_slot = a;
	}
	if (!free_slot)
		return NULL;
	if (jbuf_new(&free_slot->jb, &jc) < 0 || adec_open(&free_slot->dec, NULL, &dp) < 0 ||
	    !(free_slot->pcm = calloc((size_t)s->asamples, sizeof(int16_t)))) {
		asrc_release(free_slot);
		return NULL;
	}
	free_slot->used = true;
	free_slot->ssrc = ssrc;
	free_slot->last_us = now;
	rtp_rx_stats_init(&free_slot->rxs, ssrc, 48000);
	return free_slot;
}

void msess_audio_rx(struct msess *s, uint8_t *pkt, size_t len, uint64_t now)
{
	struct mstream *m = &s->a;
	struct msess_stream_stats *as = &s->st.audio;
	struct msess_asrc *a;
	struct rtp_hdr h;
	size_t plen = len;

	if (mstream_unprotect(m, false, pkt, len, &plen) < 0)
		return;
	if (rtp_hdr_decode(&h, pkt, plen) < 0 || h.payload_len == 0)
		goto malformed;
	if (m->p.te_pt && h.pt == m->p.te_pt) {
		/* RFC 4733: report each event once, at its first packet */
		const uint8_t *ev = pkt + h.hdr_len;

		if (h.payload_len < 4)
			goto malformed;
		if ((!m->dtmf_seen || h.ts != m->dtmf_last_ts) && ev[0] <= 15) {
			m->dtmf_seen = true;
			m->dtmf_last_ts = h.ts;
			msess_post(s, MSESS_EV_DTMF, "0123456789*#ABCD"[ev[0]]);
		}
		return;
	}
	if (h.pt != m->p.pt)
		goto malformed;
	if (h.ssrc == m->ssrc) {
		pthread_mutex_lock(&s->stats_lock);
		as->ssrc_collisions++;
		pthread_mutex_unlock(&s->stats_lock);
	}
	pthread_mutex_lock(&s->jb_lock);
	a = asrc_find_used(s, h.ssrc);
	/* a new stream needs the same admission as video (probation, never
	 * our own SSRC); mixing several admitted streams is allowed */
	if (!a) {
		m->have_remote = false;
		if (mstream_source_ok(m, h.ssrc, h.seq, now))
			a = asrc_get(s, h.ssrc, now);
	}
	if (a) {
		a->last_us = now;
		(void)rtp_rx_stats_packet(&a->rxs, h.seq, h.ts, (uint32_t)(now * 48 / 1000),
					  (uint32_t)h.payload_len);
		(void)jbuf_put(a->jb, h.ssrc, h.seq, h.ts, pkt + h.hdr_len, h.payload_len, now);
	}
	pthread_mutex_unlock(&s->jb_lock);
	if (!a)
		goto malformed; /* not an admitted source (or no free slot) */
	pthread_mutex_lock(&s->stats_lock);
	as->packets_recv++;
	as->bytes_recv += plen;
	{
		as->lost = rtp_rx_stats_lost(&a->rxs);
		as->jitter_ms = rtp_rx_stats_jitter(&a->rxs) / 48.0;
	}
	pthread_mutex_unlock(&s->stats_lock);
	if (!s->first_audio) {
		s->first_audio = true;
		msess_post(s, MSESS_EV_FIRST_AUDIO, 0);
	}
	return;
malformed:
	pthread_mutex_lock(&s->stats_lock);
	as->malformed++;
	pthread_mutex_unlock(&s->stats_lock);
}

/* --- playout ---------------------------------------------------------------- */

/* decode this period of source a into a->pcm; false: nothing to play */
static bool asrc_period(struct msess *s, struct msess_asrc *a, bool *ret_e2e_set)
{
	struct jbuf_frame fr;
	struct aframe *f = NULL;
	uint64_t sender_wall;
	int r = -ENODATA;

	switch (jbuf_get(a->jb, &fr)) {
	case JBUF_PACKET:
	case JBUF_FEC:
		if (fr.len > s->apkt->cap)
			return false;
		memcpy(s->apkt->data, fr.data, fr.len);
		s->apkt->len = fr.len;
		r = adec_decode(a->dec, s->apkt, fr.kind == JBUF_FEC, (int)fr.samples, &f);
		if (fr.kind == JBUF_PACKET && !*ret_e2e_set &&
		    rtp_rx_stats_ts_to_wall_us(&a->rxs, fr.ts, &sender_wall) == 0) {
			atomic_store(&s->audio_e2e_us,
				     (long long)clock_wall_us() - (long long)sender_wall);
			atomic_store(&s->audio_e2e_valid, true);
			*ret_e2e_set = true;
		}
		break;
	case JBUF_PLC:
		r = adec_decode(a->dec, NULL, false, (int)fr.samples, &f);
		break;
	default:
		return false;
	}
	if (r < 0 || !f)
		return false;
	memset(a->pcm, 0, sizeof(int16_t) * (size_t)s->asamples);
	memcpy(a->pcm, f->pcm, sizeof(int16_t) *
	       (size_t)(f->samples * f->channels < s->asamples ? f->samples * f->channels : s->asamples));
	aframe_unref(f);
	return true;
}

void *msess_aplay_thread(void *arg)
{
	struct msess *s = arg;
	uint64_t period = (uint64_t)s->a.p.frame_ms * 1000, next = clock_now_us() + period;

	audio_thread_rt();
	while (!atomic_load(&s->stop)) {
		struct amix_src src[MSESS_MAX_ASRC];
		unsigned n = 0;
		bool e2e_set = false;
		uint64_t now;

		clock_sleep_until_us(next);
		now = clock_now_us();
		next += period;
		if (now > next + 5 * period)   /* we were stalled: do not burst */
			next = now + period;
		pthread_mutex_lock(&s->jb_lock);
		for (int i = 0; i < MSESS_MAX_ASRC; i++) {
			struct msess_asrc *a = &s->asrc_rx[i];
			struct jbuf_stats js;

			if (!a->used || !asrc_period(s, a, &e2e_set))
				continue;
			src[n].pcm = a->pcm;
			src[n].gain = 1.0f;
			n++;
			jbuf_stats(a->jb, &js);
			pthread_mutex_lock(&s->stats_lock);
			s->st.audio.fec_used = js.fec;
			s->st.audio.plc_used = js.plc;
			s->st.audio.late = js.late;
			s->st.audio.jbuf_ms = (int)js.current_ms;
			pthread_mutex_unlock(&s->stats_lock);
		}
		pthread_mutex_unlock(&s->jb_lock);
		if (refcnt_get(&s->aout->ref) > 1) {     /* the sink kept the last one */
			struct aframe *f;

			if (aframe_new(&f, 48000, 1, s->asamples) < 0)
				continue;
			aframe_unref(s->aout);
			s->aout = f;
		}
		if (n)
			(void)amix_mix(s->mix, s->aout->pcm, src, n);
		else
			memset(s->aout->pcm, 0, sizeof(int16_t) * (size_t)s->asamples);
		s->aout->capture_us = now;
		if (s->asink)
			(void)audsink_write(s->asink, s->aout);
		/* the echo canceller's reference: exactly what was played */
		if (s->aref)
			(void)aring_write(s->aref, s->aout->pcm, (size_t)s->asamples);
	}
	return NULL;
}

int msess_audio_open(struct msess *s)
{
	const struct msess_stream *p = &s->a.p;
	const struct msess_devices *d = &s->p.dev;
	struct audsrc_params sp = { .rate = 48000, .channels = 1,
				    .frame_samples = 48 * p->frame_ms, .loop = true,
				    .args = d->audsrc_args };
	struct aenc_params ep = { .rate = 48000, .channels = 1, .frame_ms = p->frame_ms,
				  .bitrate_bps = p->bitrate_bps > 0 ? p->bitrate_bps : 32000,
				  .fec = p->fec, .dtx = p->dtx, .loss_pct = p->fec ? 5 : 0 };
	struct audsink_params kp = { .rate = 48000, .channels = 1, .args = d->audsink_args };
	int r;

	s->asamples = 48 * p->frame_ms;
	if (p->dir & MSESS_SENDONLY) {
		r = audsrc_open(&s->asrc, d->audsrc, &sp);
		if (r < 0)
			return log_err_errno(audio, r, "audio source %s: %m",
					     d->audsrc ? d->audsrc : "");
		r = aenc_open(&s->aenc, NULL, &ep);
		if (r < 0)
			return log_err_errno(audio, r, "audio encoder: %m");
	}
	r = audsink_open(&s->asink, d->audsink ? d->audsink : "null", &kp);
	if (r < 0)
		return log_err_errno(audio, r, "audio sink %s: %m", d->audsink ? d->audsink : "null");
	r = amix_new(&s->mix, MSESS_MAX_ASRC, (size_t)s->asamples);
	if (r < 0)
		return r;
	r = aframe_new(&s->aout, 48000, 1, s->asamples);
	if (r < 0)
		return r;
	if ((p->dir & MSESS_SENDONLY) &&
	    (s->p.aproc.aec || s->p.aproc.ns || s->p.aproc.agc)) {
		struct apm_params ap;

		apm_params_default(&ap);
		ap.aec = s->p.aproc.aec;
		ap.ns = s->p.aproc.ns;
		ap.agc = s->p.aproc.agc;
		r = apm_new(&s->apm, &ap);
		if (r < 0)
			return log_err_errno(audio, r, "audio processing: %m");
		if (ap.aec) {
			r = aring_new(&s->aref, AREF_CAP, AREF_PRIME, AREF_MAX_FILL);
			if (r < 0)
				return r;
		}
		log_info(audio, "audio processing: aec %s, ns %s, agc %s", ap.aec ? "on" : "off",
			 ap.ns ? "on" : "off", ap.agc ? "on" : "off");
	}
	s->st.audio.aec_delay_ms = -1;
	return mpkt_new(&s->apkt, 1500);
}

void msess_audio_close(struct msess *s)
{
	for (int i = 0; i < MSESS_MAX_ASRC; i++)
		if (s->asrc_rx[i].used)
			asrc_release(&s->asrc_rx[i]);
	s->asrc = audsrc_close(s->asrc);
	s->aenc = aenc_close(s->aenc);
	s->asink = audsink_close(s->asink);
	s->mix = amix_free(s->mix);
	s->aout = aframe_unref(s->aout);
	s->apkt = mpkt_unref(s->apkt);
	if (s->aref) {
		uint64_t dw, dr, un;

		aring_counters(s->aref, &dw, &dr, &un);
		log_info(audio, "echo reference: %llu samples dropped (full), %llu (over the fill limit), %llu underruns",
			 (unsigned long long)dw, (unsigned long long)dr, (unsigned long long)un);
	}
	s->apm = apm_free(s->apm);
	s->aref = aring_free(s->aref);
}

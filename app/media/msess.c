/* msess.c: media session lifecycle, the receive thread and RTCP.
 * See msess.h for the DESIGN (threads, ownership, lifecycle). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "media/msess_int.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"

LOG_TOPIC(media);

static uint32_t rand32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)clock_now_us() * 2654435761u;
	return v;
}

void msess_post(struct msess *s, enum msess_event ev, int64_t val)
{
	struct wq_item it = { .type = (int)ev, .val = val, .ptr = NULL };

	if (s->events)
		(void)wq_post(s->events, &it);
}

void msess_flog(struct msess *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->flog)
		return;
	pthread_mutex_lock(&s->flog_lock);
	va_start(ap, fmt);
	vfprintf(s->flog, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&s->flog_lock);
}

uint32_t mstream_rtp_ts(const struct mstream *m, uint64_t mono_us)
{
	int64_t d = (int64_t)(mono_us - m->t0_us);

	return m->ts_base + (uint32_t)(d * (int64_t)m->clock_rate / 1000000);
}

static enum rtp_srtp_suite suite_of(enum msess_crypto c)
{
	switch (c) {
	case MSESS_CRYPTO_AES_CM_128_HMAC_SHA1_32:
		return RTP_SRTP_AES_CM_128_HMAC_SHA1_32;
	case MSESS_CRYPTO_AEAD_AES_128_GCM:
		return RTP_SRTP_AEAD_AES_128_GCM;
	default:
		return RTP_SRTP_AES_CM_128_HMAC_SHA1_80;
	}
}

static void mstream_free(struct mstream *m)
{
	if (m->fd_rtcp >= 0 && m->fd_rtcp != m->fd_rtp)
		close(m->fd_rtcp);
	if (m->fd_rtp >= 0)
		close(m->fd_rtp);
	m->fd_rtp = m->fd_rtcp = -1;
	m->srtp_tx = rtp_srtp_free(m->srtp_tx);
	m->srtp_rx = rtp_srtp_free(m->srtp_rx);
	m->hist = rtp_history_free(m->hist);
	m->nack = nack_gen_free(m->nack);
	pthread_mutex_destroy(&m->tx_lock);
	pthread_mutex_destroy(&m->dtmf_lock);
}

static int mstream_init(struct msess *s, struct mstream *m, const struct msess_stream *p,
			bool video)
{
	int r;

	m->s = s;
	m->video = video;
	m->p = *p;
	m->fd_rtp = m->fd_rtcp = -1;
	pthread_mutex_init(&m->tx_lock, NULL);
	pthread_mutex_init(&m->dtmf_lock, NULL);
	if (!p->enabled)
		return 0;
	m->clock_rate = video ? 90000 : 48000;
	atomic_store(&m->dir, p->dir);
	m->ssrc = p->ssrc ? p->ssrc : rand32();
	m->seq = (uint16_t)rand32();
	m->ts_base = rand32();
	m->t0_us = clock_now_us();
	rtp_tx_stats_init(&m->txs, m->ssrc);
	if (p->crypto != MSESS_CRYPTO_NONE) {
		enum rtp_srtp_suite su = suite_of(p->crypto);
		size_t kl = rtp_srtp_key_len(su);

		r = rtp_srtp_new(&m->srtp_tx, su, RTP_SRTP_OUTBOUND, p->tx_key, kl);
		if (r < 0)
			return r;
		r = rtp_srtp_new(&m->srtp_rx, su, RTP_SRTP_INBOUND, p->rx_key, kl);
		if (r < 0)
			return r;
	}
	if (video) {
		r = rtp_history_new(&m->hist, NULL);
		if (r < 0)
			return r;
		m->rtx.ssrc = p->rtx_ssrc ? p->rtx_ssrc : rand32();
		m->rtx.pt = p->rtx_pt;
		m->rtx.seq = (uint16_t)rand32();
		if (p->nack) {
			/* until RTCP measures it (a receive-only side never gets
			 * reports about its own stream) assume a LAN round trip:
			 * a NACK repeated too early costs a throttled duplicate,
			 * one repeated too late costs a visible freeze */
			struct nack_conf nc = { .rtt_us = 20000 };

			r = nack_gen_new(&m->nack, &nc);
			if (r < 0)
				return r;
		}
	}
	/* sockets: the RTP address's port decides; RTCP on port+1 unless mux */
	m->local_rtp = p->local;
	if (p->rtcp_mux) {
		r = net_udp_bind(&m->local_rtp, 4 << 20, 2 << 20);
		if (r < 0)
			return r;
		m->fd_rtp = m->fd_rtcp = r;
		m->local_rtcp = m->local_rtp;
	} else {
		m->local_rtcp = m->local_rtp;
		r = net_udp_bind_pair(&m->local_rtp, &m->local_rtcp, net_addr_port(&p->local),
				      &m->fd_rtp, &m->fd_rtcp);
		if (r < 0)
			return r;
	}
	if (p->rtcp_mux || !net_addr_port(&m->p.remote_rtcp)) {
		m->p.remote_rtcp = p->remote;
		if (!p->rtcp_mux)
			net_addr_set_port(&m->p.remote_rtcp, (uint16_t)(net_addr_port(&p->remote) + 1));
	}
	return 0;
}

int msess_new(struct msess **ret, const struct msess_params *p)
{
	struct msess *s;
	int r;

	if (!ret || !p || (!p->audio.enabled && !p->video.enabled))
		return -EINVAL;
	if (p->video.enabled && (p->video.width <= 0 || p->video.height <= 0 ||
				 p->video.fps <= 0 || p->video.fps > 120 ||
				 p->video.bitrate_kbps <= 0))
		return -EINVAL;
	if (p->audio.enabled && p->audio.frame_ms != 10 && p->audio.frame_ms != 20)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->p = *p;
	s->epfd = s->wakefd = -1;
	snprintf(s->cname, sizeof(s->cname), "%s", p->cname ? p->cname : "rakwon");
	s->p.cname = s->cname;
	pthread_mutex_init(&s->jb_lock, NULL);
	pthread_mutex_init(&s->stats_lock, NULL);
	pthread_mutex_init(&s->flog_lock, NULL);
	r = rtp_srtp_init();
	if (r < 0)
		goto out;
	r = mstream_init(s, &s->a, &p->audio, false);
	if (r < 0)
		goto out;
	r = mstream_init(s, &s->v, &p->video, true);
	if (r < 0)
		goto out;
	if (p->frame_log) {
		s->frame_log_path = strdup(p->frame_log);
		if (!s->frame_log_path) {
			r = -ENOMEM;
			goto out;
		}
	}
	s->st.audio.rtt_ms = s->st.video.rtt_ms = -1;
out:
	if (r < 0)
		s = msess_free(s);
	else
		*ret = s;
	return r;
}

int msess_local_addr(struct msess *s, bool video, struct net_addr *ret)
{
	struct mstream *m = video ? &s->v : &s->a;

	if (!m->p.enabled)
		return -ENOENT;
	*ret = m->local_rtp;
	return 0;
}

/* Sends one plain RTP packet: stores it for retransmission, protects and
 * sends. pkt must have MSESS_PKT_MAX bytes of room. Caller holds tx_lock. */
int mstream_send_rtp(struct mstream *m, uint8_t *pkt, size_t len, bool store)
{
	size_t out = len;
	ssize_t n;
	int r;

	if (store && m->hist)
		(void)rtp_history_put(m->hist, pkt, len, clock_now_us());
	if (m->srtp_tx) {
		r = rtp_srtp_protect(m->srtp_tx, pkt, len, MSESS_PKT_MAX, &out);
		if (r < 0)
			return r;
	}
	n = sendto(m->fd_rtp, pkt, out, 0, (struct sockaddr *)&m->p.remote.ss, m->p.remote.len);
	if (n < 0)
		return -errno;
	return 0;
}

/* Source selection (RFC 3550 8.2, A.1). A packet carrying our own SSRC is
 * a collision: we move, the packet is never taken. With the far end's SSRC
 * known from SDP only it is taken. Otherwise a new source must pass
 * probation (two packets in sequence), and replaces the current one only
 * after that has been silent for 2 s. */
bool mstream_source_ok(struct mstream *m, uint32_t ssrc, uint16_t seq, uint64_t now)
{
	if (ssrc == m->ssrc) {
		atomic_store(&m->ssrc_collision, true);
		return false;
	}
	if (m->p.remote_ssrc)
		return ssrc == m->p.remote_ssrc;
	if (m->have_remote && ssrc == m->remote_ssrc)
		return true;
	if (m->have_remote && now - m->last_valid_us < 2000000)
		return false;
	if (ssrc == m->cand_ssrc && (uint16_t)(m->cand_seq + 1) == seq) {
		m->cand_seq = seq;
		return ++m->cand_n >= 2;
	}
	m->cand_ssrc = ssrc;
	m->cand_seq = seq;
	m->cand_n = 1;
	return false;
}

int mstream_unprotect(struct mstream *m, bool rtcp, uint8_t *pkt, size_t len, size_t *plen)
{
	struct msess *s = m->s;
	struct msess_stream_stats *st = m->video ? &s->st.video : &s->st.audio;
	int r;

	*plen = len;
	if (!m->srtp_rx)
		return 0;
	r = rtcp ? rtp_srtp_unprotect_rtcp(m->srtp_rx, pkt, len, plen) :
		   rtp_srtp_unprotect(m->srtp_rx, pkt, len, plen);
	if (r < 0) {
		pthread_mutex_lock(&s->stats_lock);
		if (r == -EALREADY)
			st->srtp_replay++;
		else
			st->srtp_auth_fail++;
		pthread_mutex_unlock(&s->stats_lock);
	}
	return r;
}

/* --- RTCP ----------------------------------------------------------------- */

static void rtcp_send(struct mstream *m, const uint8_t *in, size_t len)
{
	uint8_t pkt[MSESS_PKT_MAX];
	size_t out = len;

	if (len > sizeof(pkt) - RTP_SRTP_MAX_OVERHEAD)
		return;
	memcpy(pkt, in, len);
	pthread_mutex_lock(&m->tx_lock);
	if (m->srtp_tx && rtp_srtp_protect_rtcp(m->srtp_tx, pkt, len, sizeof(pkt), &out) < 0) {
		pthread_mutex_unlock(&m->tx_lock);
		return;
	}
	pthread_mutex_unlock(&m->tx_lock);
	(void)sendto(m->fd_rtcp, pkt, out, 0, (struct sockaddr *)&m->p.remote_rtcp.ss,
		     m->p.remote_rtcp.len);
}

/* A compound SR/RR + SDES (+ BYE) for stream m. */
static void rtcp_report(struct msess *s, struct mstream *m, bool bye)
{
	struct rtcp_report rep;
	uint8_t buf[MSESS_PKT_MAX];
	struct wcur w;
	uint64_t now = clock_now_us();

	memset(&rep, 0, sizeof(rep));
	pthread_mutex_lock(&m->tx_lock);
	rep.ssrc = m->ssrc;
	if (m->sent_any)
		rtp_tx_stats_fill_sr(&m->txs, clock_us_to_ntp(clock_wall_us()),
				     mstream_rtp_ts(m, now), &rep);
	pthread_mutex_unlock(&m->tx_lock);
	if (m->video) {
		if (m->have_remote && rtp_rx_stats_report_block(&m->rxs, now, &rep.rb[0]))
			rep.rb_count = 1;
	} else {
		pthread_mutex_lock(&s->jb_lock);
		for (int i = 0; i < MSESS_MAX_ASRC && rep.rb_count < RTCP_MAX_RB; i++)
			if (s->asrc_rx[i].used &&
			    rtp_rx_stats_report_block(&s->asrc_rx[i].rxs, now, &rep.rb[rep.rb_count]))
				rep.rb_count++;
		pthread_mutex_unlock(&s->jb_lock);
	}
	wcur_init(&w, buf, sizeof(buf) - RTP_SRTP_MAX_OVERHEAD);
	if (rtcp_build_report(&w, &rep) < 0 || rtcp_build_sdes_cname(&w, m->ssrc, s->cname) < 0)
		return;
	if (bye) {
		uint32_t ss[2] = { m->ssrc, m->rtx.ssrc };

		(void)rtcp_build_bye(&w, ss, m->video && m->rtx.pt ? 2 : 1, "session ended");
	}
	if (!w.bad)
		rtcp_send(m, buf, w.pos);
}

void msess_send_feedback_pli(struct mstream *m);
void msess_send_feedback_pli(struct mstream *m)
{
	uint8_t buf[256];
	struct wcur w;
	struct rtcp_report rep;

	if (!m->have_remote)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.ssrc = m->ssrc;
	wcur_init(&w, buf, sizeof(buf) - RTP_SRTP_MAX_OVERHEAD);
	/* RFC 4585: feedback goes in a compound packet starting with RR */
	(void)rtcp_build_report(&w, &rep);
	(void)rtcp_build_sdes_cname(&w, m->ssrc, m->s->cname);
	if (m->p.pli || !m->p.fir)
		(void)rtcp_build_pli(&w, m->ssrc, m->remote_ssrc);
	else
		(void)rtcp_build_fir(&w, m->ssrc, m->remote_ssrc, m->fir_seq++);
	if (!w.bad)
		rtcp_send(m, buf, w.pos);
	pthread_mutex_lock(&m->s->stats_lock);
	m->s->st.video.plis_sent++;
	pthread_mutex_unlock(&m->s->stats_lock);
}

void msess_send_nack(struct mstream *m, const uint16_t *seqs, unsigned n);
void msess_send_nack(struct mstream *m, const uint16_t *seqs, unsigned n)
{
	uint8_t buf[MSESS_PKT_MAX];
	struct wcur w;
	struct rtcp_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.ssrc = m->ssrc;
	wcur_init(&w, buf, sizeof(buf) - RTP_SRTP_MAX_OVERHEAD);
	(void)rtcp_build_report(&w, &rep);
	(void)rtcp_build_sdes_cname(&w, m->ssrc, m->s->cname);
	(void)rtcp_build_nack(&w, m->ssrc, m->remote_ssrc, seqs, n);
	if (!w.bad)
		rtcp_send(m, buf, w.pos);
}

static struct msess_asrc *asrc_find(struct msess *s, uint32_t ssrc)
{
	for (int i = 0; i < MSESS_MAX_ASRC; i++)
		if (s->asrc_rx[i].used && s->asrc_rx[i].ssrc == ssrc)
			return &s->asrc_rx[i];
	return NULL;
}

static void rtcp_input(struct msess *s, struct mstream *m, uint8_t *pkt, size_t len)
{
	struct rtcp_iter it;
	struct rtcp_item item;
	uint64_t now = clock_now_us();
	size_t plen = len;
	int r;

	if (mstream_unprotect(m, true, pkt, len, &plen) < 0)
		return;
	if (rtcp_iter_init(&it, pkt, plen) < 0)
		goto bad;
	while ((r = rtcp_iter_next(&it, &item)) > 0) {
		switch (item.type) {
		case RTCP_ITEM_SR:
		case RTCP_ITEM_RR:
			if (item.type == RTCP_ITEM_SR) {
				if (m->video && m->have_remote && item.report.ssrc == m->remote_ssrc) {
					rtp_rx_stats_on_sr(&m->rxs, &item.report.si, now);
				} else if (!m->video) {
					struct msess_asrc *as;

					pthread_mutex_lock(&s->jb_lock);
					as = asrc_find(s, item.report.ssrc);
					if (as)
						rtp_rx_stats_on_sr(&as->rxs, &item.report.si, now);
					pthread_mutex_unlock(&s->jb_lock);
				}
			}
			for (unsigned i = 0; i < item.report.rb_count; i++) {
				uint32_t rtt;

				if (item.report.rb[i].ssrc != m->ssrc)
					continue;
				pthread_mutex_lock(&m->tx_lock);
				r = rtp_tx_stats_rtt(&m->txs, &item.report.rb[i],
						     clock_us_to_ntp(clock_wall_us()), &rtt);
				pthread_mutex_unlock(&m->tx_lock);
				if (r == 0) {
					if (m->nack)
						nack_gen_set_rtt(m->nack, rtt);
					pthread_mutex_lock(&s->stats_lock);
					(m->video ? &s->st.video : &s->st.audio)->rtt_ms = rtt / 1000.0;
					pthread_mutex_unlock(&s->stats_lock);
				}
			}
			break;
		case RTCP_ITEM_BYE:
			for (unsigned i = 0; i < item.bye.count; i++)
				if ((m->video && m->have_remote && item.bye.ssrc[i] == m->remote_ssrc) ||
				    (!m->video && asrc_find(s, item.bye.ssrc[i])))
					msess_post(s, MSESS_EV_BYE, m->video);
			break;
		case RTCP_ITEM_NACK:
			if (m->video && item.fb.media_ssrc == m->ssrc) {
				uint16_t seqs[512];
				unsigned n = rtcp_nack_seqs(&item.nack, seqs, 512);

				msess_video_on_nack(s, seqs, n);
			}
			break;
		case RTCP_ITEM_PLI:
		case RTCP_ITEM_FIR:
			if (m->video && (item.type == RTCP_ITEM_FIR ? item.fir.ssrc : item.fb.media_ssrc) == m->ssrc) {
				atomic_store(&m->kf_req, true);
				pthread_mutex_lock(&s->stats_lock);
				if (item.type == RTCP_ITEM_PLI)
					s->st.video.plis_recv++;
				else
					s->st.video.firs_recv++;
				pthread_mutex_unlock(&s->stats_lock);
			}
			break;
		default:
			break;
		}
	}
	if (r == 0)
		return;
bad:
	pthread_mutex_lock(&s->stats_lock);
	(m->video ? &s->st.video : &s->st.audio)->malformed++;
	pthread_mutex_unlock(&s->stats_lock);
}

/* --- receive thread -------------------------------------------------------- */

enum { TAG_WAKE = 1, TAG_A_RTP, TAG_A_RTCP, TAG_V_RTP, TAG_V_RTCP };

static void rx_packet(struct msess *s, struct mstream *m, bool rtcp_port, uint8_t *pkt,
		      size_t len, uint64_t now)
{
	if (len < 4)
		goto bad;
	if (rtp_is_rtcp(pkt, len)) {
		rtcp_input(s, m, pkt, len);
		return;
	}
	if (rtcp_port && !m->p.rtcp_mux)
		goto bad;
	m->last_rx_us = now;
	m->timeout_sent = false;
	if (m->video)
		msess_video_rx(s, pkt, len, now);
	else
		msess_audio_rx(s, pkt, len, now);
	return;
bad:
	pthread_mutex_lock(&s->stats_lock);
	(m->video ? &s->st.video : &s->st.audio)->malformed++;
	pthread_mutex_unlock(&s->stats_lock);
}

static uint64_t rtcp_interval_us(void)
{
	/* RFC 3550 6.3.1: randomized 0.5..1.5 of the ~1 s interval */
	return 500000 + rand32() % 1000000;
}

static void *rx_thread(void *arg)
{
	struct msess *s = arg;
	uint8_t pkt[MSESS_PKT_MAX + 64];

	while (!atomic_load(&s->stop)) {
		struct epoll_event ev[8];
		uint64_t now = clock_now_us(), next = now + 100000;
		int n, timeout;

		for (struct mstream *m = &s->a; m; m = m == &s->a ? &s->v : NULL) {
			if (!m->p.enabled)
				continue;
			if (now >= m->next_rtcp_us) {
				rtcp_report(s, m, false);
				m->next_rtcp_us = now + rtcp_interval_us();
			}
			if (m->next_rtcp_us < next)
				next = m->next_rtcp_us;
			if (m->last_rx_us && !m->timeout_sent &&
			    now - m->last_rx_us > MSESS_RTP_TIMEOUT_US) {
				m->timeout_sent = true;
				msess_post(s, MSESS_EV_RTP_TIMEOUT, m->video);
			}
		}
		if (s->v.p.enabled) {
			uint64_t vn = msess_video_tick(s, now);

			if (vn < next)
				next = vn;
		}
		now = clock_now_us();
		timeout = next > now ? (int)((next - now + 999) / 1000) : 0;
		n = epoll_wait(s->epfd, ev, 8, timeout);
		now = clock_now_us();
		for (int i = 0; i < n; i++) {
			struct mstream *m;
			bool rtcp;
			int fd;

			switch (ev[i].data.u32) {
			case TAG_WAKE:
				continue;
			case TAG_A_RTP: m = &s->a; rtcp = false; break;
			case TAG_A_RTCP: m = &s->a; rtcp = true; break;
			case TAG_V_RTP: m = &s->v; rtcp = false; break;
			default: m = &s->v; rtcp = true; break;
			}
			fd = rtcp ? m->fd_rtcp : m->fd_rtp;
			/* bounded batch per wakeup so that timers still run */
			for (int k = 0; k < 64; k++) {
				ssize_t len = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);

				if (len < 0)
					break;
				if ((size_t)len > MSESS_PKT_MAX) {
					pthread_mutex_lock(&s->stats_lock);
					(m->video ? &s->st.video : &s->st.audio)->malformed++;
					pthread_mutex_unlock(&s->stats_lock);
					continue;
				}
				rx_packet(s, m, rtcp, pkt, (size_t)len, now);
			}
		}
	}
	/* goodbye: RFC 3550 6.6 */
	for (struct mstream *m = &s->a; m; m = m == &s->a ? &s->v : NULL)
		if (m->p.enabled)
			rtcp_report(s, m, true);
	return NULL;
}

static int epoll_add(int epfd, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int msess_start(struct msess *s, struct wq *events)
{
	int r;

	if (s->started)
		return -EALREADY;
	s->events = events;
	if (s->frame_log_path) {
		s->flog = fopen(s->frame_log_path, "we");
		if (!s->flog)
			return log_err_errno(media, -errno, "frame log %s: %m", s->frame_log_path);
		setvbuf(s->flog, NULL, _IOLBF, 0);
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->epfd < 0 || s->wakefd < 0)
		return -errno;
	r = epoll_add(s->epfd, s->wakefd, TAG_WAKE);
	if (r < 0)
		return r;
	if (s->a.p.enabled) {
		r = epoll_add(s->epfd, s->a.fd_rtp, TAG_A_RTP);
		if (r == 0 && s->a.fd_rtcp != s->a.fd_rtp)
			r = epoll_add(s->epfd, s->a.fd_rtcp, TAG_A_RTCP);
		if (r == 0)
			r = msess_audio_open(s);
		if (r < 0)
			goto fail;
	}
	if (s->v.p.enabled) {
		r = epoll_add(s->epfd, s->v.fd_rtp, TAG_V_RTP);
		if (r == 0 && s->v.fd_rtcp != s->v.fd_rtp)
			r = epoll_add(s->epfd, s->v.fd_rtcp, TAG_V_RTCP);
		if (r == 0)
			r = msess_video_open(s);
		if (r < 0)
			goto fail;
	}
	/* the first report goes out at once: it opens the return path for
	 * feedback (NACK, PLI) through NATs and relays that learn addresses
	 * from what they see; then the randomized interval */
	s->a.next_rtcp_us = s->v.next_rtcp_us = clock_now_us();
	s->started = true;
	atomic_store(&s->stop, false);
	r = -pthread_create(&s->th_rx, NULL, rx_thread, s);
	if (r < 0)
		goto fail;
	s->run_rx = true;
	if (s->a.p.enabled) {
		/* a session that starts without sending has no capture: a later
		 * change to sending (msess_set_dir) needs a new session */
		if (s->a.p.dir & MSESS_SENDONLY) {
			if ((r = -pthread_create(&s->th_atx, NULL, msess_atx_thread, s)) < 0)
				goto fail;
			s->run_atx = true;
		}
		if ((r = -pthread_create(&s->th_aplay, NULL, msess_aplay_thread, s)) < 0)
			goto fail;
		s->run_aplay = true;
	}
	if (s->v.p.enabled) {
		if (s->v.p.dir & MSESS_SENDONLY) {
			if ((r = -pthread_create(&s->th_vtx, NULL, msess_vtx_thread, s)) < 0)
				goto fail;
			s->run_vtx = true;
		}
		if ((r = -pthread_create(&s->th_vdec, NULL, msess_vdec_thread, s)) < 0)
			goto fail;
		s->run_vdec = true;
	}
	log_info(media, "session started: audio %s video %s", s->a.p.enabled ? "on" : "off",
		 s->v.p.enabled ? "on" : "off");
	return 0;
fail:
	msess_stop(s);
	return r;
}

void msess_stop(struct msess *s)
{
	uint64_t one = 1;

	if (!s || !s->started)
		return;
	atomic_store(&s->stop, true);
	if (s->wakefd >= 0)
		(void)!write(s->wakefd, &one, sizeof(one));
	if (s->run_vtx)
		pthread_join(s->th_vtx, NULL);
	if (s->run_atx)
		pthread_join(s->th_atx, NULL);
	if (s->run_aplay)
		pthread_join(s->th_aplay, NULL);
	if (s->run_rx)
		pthread_join(s->th_rx, NULL);
	if (s->run_vdec) {
		struct wq_item it = { 0 };

		(void)wq_post(s->vdq, &it); /* wake it */
		pthread_join(s->th_vdec, NULL);
	}
	s->run_vtx = s->run_atx = s->run_aplay = s->run_rx = s->run_vdec = false;
	msess_video_close(s);
	msess_audio_close(s);
	if (s->flog) {
		fclose(s->flog);
		s->flog = NULL;
	}
	s->started = false;
}

struct msess *msess_free(struct msess *s)
{
	if (!s)
		return NULL;
	msess_stop(s);
	mstream_free(&s->a);
	mstream_free(&s->v);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->wakefd >= 0)
		close(s->wakefd);
	pthread_mutex_destroy(&s->jb_lock);
	pthread_mutex_destroy(&s->stats_lock);
	pthread_mutex_destroy(&s->flog_lock);
	free(s->frame_log_path);
	free(s);
	return NULL;
}

void msess_request_keyframe(struct msess *s)
{
	atomic_store(&s->v.kf_req, true);
}

int msess_set_video_bitrate(struct msess *s, int kbps)
{
	if (kbps < 32 || kbps > 50000)
		return -EINVAL;
	atomic_store(&s->v.new_bitrate, kbps);
	return 0;
}

void msess_mute_audio(struct msess *s, bool mute)
{
	atomic_store(&s->a.mute, mute);
}

void msess_mute_video(struct msess *s, bool mute)
{
	atomic_store(&s->v.mute, mute);
}

int msess_send_dtmf(struct msess *s, const char *digits)
{
	struct mstream *m = &s->a;
	size_t n;

	if (!m->p.enabled || !m->p.te_pt)
		return -ENOTSUP;
	for (const char *d = digits; *d; d++)
		if (!strchr("0123456789*#ABCDabcd", *d))
			return -EINVAL;
	pthread_mutex_lock(&m->dtmf_lock);
	n = strlen(m->dtmf_q);
	if (n + strlen(digits) >= sizeof(m->dtmf_q)) {
		pthread_mutex_unlock(&m->dtmf_lock);
		return -ENOSPC;
	}
	strcat(m->dtmf_q, digits);
	pthread_mutex_unlock(&m->dtmf_lock);
	return 0;
}

void msess_set_dir(struct msess *s, bool video, enum msess_dir dir)
{
	atomic_store(video ? &s->v.dir : &s->a.dir, dir);
}

void msess_get_stats(struct msess *s, struct msess_stats *ret)
{
	pthread_mutex_lock(&s->stats_lock);
	*ret = s->st;
	ret->video.psnr_avg = s->psnr_n ? s->psnr_sum / (double)s->psnr_n : 0;
	ret->video.av_skew_ms = s->skew_n ? s->skew_sum_ms / (double)s->skew_n : 0;
	pthread_mutex_unlock(&s->stats_lock);
}

static int stream_json(const struct msess_stream_stats *t, bool video, char *b, size_t n)
{
	int k = snprintf(b, n,
		"{\"packets_sent\":%llu,\"bytes_sent\":%llu,\"packets_recv\":%llu,"
		"\"bytes_recv\":%llu,\"lost\":%lld,\"jitter_ms\":%.2f,\"rtt_ms\":%.2f,"
		"\"srtp_auth_fail\":%llu,\"srtp_replay\":%llu,\"malformed\":%llu,"
		"\"ssrc_collisions\":%llu,\"nacks_sent\":%llu,\"nacks_recv\":%llu,"
		"\"rtx_sent\":%llu,\"rtx_recovered\":%llu,\"plis_sent\":%llu,\"plis_recv\":%llu,"
		"\"firs_recv\":%llu,\"keyframes_sent\":%llu",
		(unsigned long long)t->packets_sent, (unsigned long long)t->bytes_sent,
		(unsigned long long)t->packets_recv, (unsigned long long)t->bytes_recv,
		(long long)t->lost, t->jitter_ms, t->rtt_ms,
		(unsigned long long)t->srtp_auth_fail, (unsigned long long)t->srtp_replay,
		(unsigned long long)t->malformed, (unsigned long long)t->ssrc_collisions,
		(unsigned long long)t->nacks_sent, (unsigned long long)t->nacks_recv,
		(unsigned long long)t->rtx_sent, (unsigned long long)t->rtx_recovered,
		(unsigned long long)t->plis_sent, (unsigned long long)t->plis_recv,
		(unsigned long long)t->firs_recv, (unsigned long long)t->keyframes_sent);

	if (k < 0 || (size_t)k >= n)
		return -ENOBUFS;
	if (video)
		k += snprintf(b + k, n - (size_t)k,
			",\"frames_sent\":%llu,\"frames_decoded\":%llu,\"frames_dropped\":%llu,"
			"\"freezes\":%llu,\"freeze_ms\":%.1f,\"render_ms\":%.1f,\"width\":%d,"
			"\"height\":%d,\"psnr_avg\":%.2f,\"av_skew_ms\":%.2f,\"frames_skipped\":%llu,"
			"\"pkts_late\":%llu,\"pkts_given_up\":%llu,\"nack_unrecoverable\":%llu}",
			(unsigned long long)t->frames_sent, (unsigned long long)t->frames_decoded,
			(unsigned long long)t->frames_dropped, (unsigned long long)t->freezes,
			t->freeze_us_total / 1000.0, t->render_us_total / 1000.0, t->width, t->height,
			t->psnr_avg, t->av_skew_ms, (unsigned long long)t->frames_skipped,
			(unsigned long long)t->pkts_late, (unsigned long long)t->pkts_given_up,
			(unsigned long long)t->nack_unrecoverable);
	else
		k += snprintf(b + k, n - (size_t)k,
			",\"fec_used\":%llu,\"plc_used\":%llu,\"late\":%llu,\"jbuf_ms\":%d,"
			"\"level_dbfs\":%.1f,\"vad\":%s,\"erle_db\":%.1f,\"aec_delay_ms\":%d,"
			"\"vad_frames_suppressed\":%llu}",
			(unsigned long long)t->fec_used, (unsigned long long)t->plc_used,
			(unsigned long long)t->late, t->jbuf_ms, t->level_dbfs,
			t->vad ? "true" : "false", t->erle_db, t->aec_delay_ms,
			(unsigned long long)t->vad_frames_suppressed);
	return k < 0 || (size_t)k >= n ? -ENOBUFS : k;
}

int msess_stats_json(const struct msess_stats *st, char *buf, size_t len)
{
	int k = snprintf(buf, len, "{\"audio\":"), r;

	if (k < 0 || (size_t)k >= len)
		return -ENOBUFS;
	r = stream_json(&st->audio, false, buf + k, len - (size_t)k);
	if (r < 0)
		return r;
	k += r;
	r = snprintf(buf + k, len - (size_t)k, ",\"video\":");
	if (r < 0 || (size_t)(k + r) >= len)
		return -ENOBUFS;
	k += r;
	r = stream_json(&st->video, true, buf + k, len - (size_t)k);
	if (r < 0)
		return r;
	k += r;
	r = snprintf(buf + k, len - (size_t)k, "}");
	return r < 0 || (size_t)(k + r) >= len ? -ENOBUFS : 0;
}

/* mworker.c: a meeting's media worker thread: sockets, SRTP, commands, timeouts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drv/media_drv.h"
#include "fsrtp.h"
#include "lib/base/buf.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "mw_int.h"
#include "rtp/jbuf.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/srtp.h"

LOG_TOPIC(mw);

enum mw_cmd {
	MW_CMD_ADD,
	MW_CMD_DEL,
	MW_CMD_ADMIT,
	MW_CMD_ADMIT_CHAIR,
	MW_CMD_MUTE,
	MW_CMD_UNMUTE,
	MW_CMD_BCAST,
	MW_CMD_QUIT,
};

struct mw_pp *mw_find(struct mw *w, uint32_t id)
{
	for (unsigned i = 0; i < w->nparts; i++)
		if (w->parts[i]->id == id)
			return w->parts[i];
	return NULL;
}

void mw_post_event(struct mw *w, int type, uint32_t id, int64_t val)
{
	struct wq_item it = { .type = type, .id = id, .val = val };

	if (w->events)
		(void)wq_post(w->events, &it);
}

bool mw_ssrc_latch(struct mw_strm *s, uint32_t ssrc, uint64_t now)
{
	if (s->c.remote_ssrc && ssrc != s->c.remote_ssrc)
		return false;
	if (s->src_ssrc && ssrc != s->src_ssrc && now - s->src_seen_us < 2000000)
		return false;
	s->src_ssrc = ssrc;
	s->src_seen_us = now;
	return true;
}

void mw_send(struct mw *w, struct mw_strm *s, uint8_t *pkt, size_t len, bool rtcp)
{
	const struct net_addr *to = rtcp && s->c.rtcp_fd >= 0 ? &s->c.remote_rtcp : &s->c.remote;
	int fd = rtcp && s->c.rtcp_fd >= 0 ? s->c.rtcp_fd : s->c.fd;
	size_t n = len;

	(void)w;
	if (s->ftx && !rtcp) {
		if (fsrtp_protect(s->ftx, pkt, len, MW_PKT_MAX + 64, &n) < 0)
			return;
	} else if (s->tx) {
		int r = rtcp ? rtp_srtp_protect_rtcp(s->tx, pkt, len, MW_PKT_MAX + 64, &n)
			     : rtp_srtp_protect(s->tx, pkt, len, MW_PKT_MAX + 64, &n);

		if (r < 0)
			return;
	}
	if (sendto(fd, pkt, n, MSG_DONTWAIT, (const struct sockaddr *)&to->ss, to->len) > 0 &&
	    !rtcp) {
		s->tx_packets++;
		s->tx_octets += (uint32_t)(len > RTP_HDR_MIN ? len - RTP_HDR_MIN : 0);
	}
}

static int suite_of(enum mw_crypto c, enum rtp_srtp_suite *ret)
{
	switch (c) {
	case MW_CRYPTO_AES_CM_80: *ret = RTP_SRTP_AES_CM_128_HMAC_SHA1_80; return 0;
	case MW_CRYPTO_AES_CM_32: *ret = RTP_SRTP_AES_CM_128_HMAC_SHA1_32; return 0;
	case MW_CRYPTO_GCM: *ret = RTP_SRTP_AEAD_AES_128_GCM; return 0;
	default: return -ENOENT;
	}
}

/* forwarding thread: stop watching the stream's sockets */
static void strm_unwatch(struct mw *w, struct mw_strm *s)
{
	if (s->c.fd >= 0)
		(void)loop_fd_del(w->loop, s->c.fd);
	if (s->c.rtcp_fd >= 0)
		(void)loop_fd_del(w->loop, s->c.rtcp_fd);
}

static void strm_close(struct mw_strm *s)
{
	if (s->c.fd >= 0)
		close(s->c.fd);
	if (s->c.rtcp_fd >= 0)
		close(s->c.rtcp_fd);
	s->c.fd = s->c.rtcp_fd = -1;
	s->tx = rtp_srtp_free(s->tx);
	s->rx = rtp_srtp_free(s->rx);
	s->ftx = fsrtp_free(s->ftx);
}

/* one datagram of a participant's stream: RTP or RTCP */
static void strm_packet(struct mw *w, struct mw_strm *s, uint8_t *pkt, size_t len,
			bool rtcp_port)
{
	struct mw_pp *pp = s->pp;
	uint64_t now = clock_now_us();
	bool rtcp = rtcp_port || rtp_is_rtcp(pkt, len);
	size_t n = len;
	int r;

	/* a flooding site costs us the recv() only: no SRTP, no parsing */
	s->rx_tokens += (double)(now - s->rx_tokens_us) * MW_RX_RATE / 1e6;
	if (s->rx_tokens > MW_RX_BURST)
		s->rx_tokens = MW_RX_BURST;
	s->rx_tokens_us = now;
	if (s->rx_tokens < 1) {
		pp->st.flood++;
		return;
	}
	s->rx_tokens -= 1;
	if (len < RTP_HDR_MIN) {
		pp->st.malformed++;
		return;
	}
	if (s->rx) {
		r = rtcp ? rtp_srtp_unprotect_rtcp(s->rx, pkt, len, &n)
			 : rtp_srtp_unprotect(s->rx, pkt, len, &n);
		if (r < 0) {
			if (r == -EBADMSG)
				pp->st.auth_fail++;
			return;
		}
	}
	pp->last_rx_us = now;
	if (pp->timeout_sent)
		pp->timeout_sent = false;
	if (rtcp) {
		struct rtcp_iter it;
		struct rtcp_item item;

		if (rtcp_iter_init(&it, pkt, n) < 0) {
			pp->st.malformed++;
			return;
		}
		while ((r = rtcp_iter_next(&it, &item)) > 0) {
			if (item.type == RTCP_ITEM_BYE) {
				mw_post_event(w, MW_EV_BYE, pp->id, 0);
			} else if (item.type == RTCP_ITEM_SR && s->video) {
				mw_rtcp_note_sr(s, item.report.ssrc, &item.report.si, now);
			} else if (item.type == RTCP_ITEM_SR) {
				/* the audio send side is the mixer's */
				struct mx_ent *e = mw_ring_slot(w, false);

				if (e) {
					e->kind = MX_SR;
					e->pp = pp;
					e->si = item.report.si;
					e->ssrc = item.report.ssrc;
					e->arrival_us = now;
					mw_ring_commit(w);
				}
			}
		}
		if (r < 0)
			pp->st.malformed++;
		if (s->video)
			mw_video_rtcp(w, pp, pkt, n, now);
		return;
	}
	if (s->video)
		mw_video_rtp(w, pp, pkt, n, now);
	else
		mw_audio_rtp(w, pp, pkt, n, now);
}

static uint64_t cmsg_ts_ns(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		}
	return 0;
}

static void on_fd(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct mw_strm *s = arg;
	struct mw *w = s->pp->w;
	struct mmsghdr mm[MW_RX_BATCH];
	struct iovec iov[MW_RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl[MW_RX_BATCH];

	(void)l;
	(void)events;
	/* bounded: at most 4 batches per wakeup per socket; one syscall
	 * brings up to MW_RX_BATCH datagrams */
	for (int b = 0; b < 4; b++) {
		int n;

		for (int i = 0; i < MW_RX_BATCH; i++) {
			iov[i].iov_base = w->rbuf[i];
			iov[i].iov_len = MW_PKT_MAX;
			memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			if (s->video) {
				mm[i].msg_hdr.msg_control = ctl[i].buf;
				mm[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
			}
		}
		n = recvmmsg(fd, mm, MW_RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				s->pp->st.malformed++;
				continue;
			}
			w->rx_ts_ns = s->video ? cmsg_ts_ns(&mm[i].msg_hdr) : 0;
			strm_packet(w, s, w->rbuf[i], mm[i].msg_len, fd == s->c.rtcp_fd);
		}
		if (n < MW_RX_BATCH)
			break;
	}
}

void mw_lat_note(struct mw *w)
{
	struct timespec ts;
	uint64_t now, d;

	if (!w->rx_ts_ns || clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return;
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	d = now > w->rx_ts_ns ? (now - w->rx_ts_ns) / 1000 : 0;
	atomic_fetch_add_explicit(&w->lat[d / 50 < MW_LAT_BINS ? d / 50 : MW_LAT_BINS], 1,
				  memory_order_relaxed);
}

void mw_latency(struct mw *w, uint64_t *n, uint64_t *p50_us, uint64_t *p99_us,
		uint64_t *max_us)
{
	uint64_t tot = 0, acc = 0;

	*p50_us = *p99_us = *max_us = 0;
	for (unsigned i = 0; i <= MW_LAT_BINS; i++)
		tot += atomic_load_explicit(&w->lat[i], memory_order_relaxed);
	*n = tot;
	for (unsigned i = 0; i <= MW_LAT_BINS && tot; i++) {
		uint64_t c = atomic_load_explicit(&w->lat[i], memory_order_relaxed);

		if (!c)
			continue;
		if (acc <= tot / 2 && acc + c > tot / 2)
			*p50_us = i * 50ull + 25;
		if (acc <= tot * 99 / 100 && acc + c > tot * 99 / 100)
			*p99_us = i * 50ull + 25;
		acc += c;
		*max_us = i * 50ull + 50;
	}
}

static int strm_open(struct mw *w, struct mw_pp *pp, struct mw_strm *s, bool video)
{
	enum rtp_srtp_suite suite;
	int r;

	s->pp = pp;
	s->video = video;
	if (!s->c.enabled)
		return 0;
	if (suite_of(s->c.crypto, &suite) == 0) {
		size_t kl = rtp_srtp_key_len(suite);

		r = rtp_srtp_new(&s->tx, suite, RTP_SRTP_OUTBOUND, s->c.tx_key, kl);
		if (r == 0)
			r = rtp_srtp_new(&s->rx, suite, RTP_SRTP_INBOUND, s->c.rx_key, kl);
		/* the fan-out's hot path: GCM RTP out without libsrtp/NSS */
		if (r == 0 && suite == RTP_SRTP_AEAD_AES_128_GCM && kl == FSRTP_GCM_KEY_LEN)
			r = fsrtp_new(&s->ftx, s->c.tx_key, kl);
		if (r < 0)
			return r;
	}
	if (video && s->c.fd >= 0) {
		int one = 1;

		/* kernel receive times: the forwarding latency figure */
		(void)setsockopt(s->c.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	}
	if (s->c.fd >= 0 && (r = loop_fd_add(w->loop, s->c.fd, EPOLLIN, on_fd, s)) < 0)
		return r;
	if (s->c.rtcp_fd >= 0 && (r = loop_fd_add(w->loop, s->c.rtcp_fd, EPOLLIN, on_fd, s)) < 0)
		return r;
	if (!s->c.ssrc)
		s->c.ssrc = (uint32_t)random() | 1;
	s->rx_tokens = MW_RX_BURST;
	s->rx_tokens_us = clock_now_us();
	/* below 2^15: a receiver whose SRTP context starts late (media
	 * flows before it has our answer) must not see the sequence wrap
	 * before its first packet, or it guesses the rollover counter
	 * wrong (RFC 3711 3.3.1) and rejects everything */
	s->seq = (uint16_t)(random() & 0x7fff);
	s->ts = (uint32_t)random();
	return 0;
}

struct mw_pp *mw_pp_free(struct mw_pp *pp)
{
	if (!pp)
		return NULL;
	strm_close(&pp->a);
	strm_close(&pp->v);
	pp->jb = jbuf_free(pp->jb);
	pp->dec = adec_close(pp->dec);
	free(pp->hist);
	free(pp);
	return NULL;
}

static void part_close_fds(const struct mw_part *p)
{
	int fds[4] = { p->audio.fd, p->audio.rtcp_fd, p->video.fd, p->video.rtcp_fd };

	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* the mixer's copy of the flags */
static void post_flags(struct mw *w, struct mw_pp *pp)
{
	struct mx_ent *e = mw_ring_slot(w, true);

	if (!e)
		return;
	e->kind = MX_FLAGS;
	e->pp = pp;
	e->admitted = pp->admitted;
	e->muted = pp->muted;
	mw_ring_commit(w);
}

static void cmd_add(struct mw *w, struct mw_part *p)
{
	struct mw_pp *pp;
	struct mx_ent *e = NULL;
	struct jbuf_conf jc = { .frame_ms = 20 };
	struct adec_params ap = { .rate = MW_RATE, .channels = 1 };
	int r = -ENOMEM;

	pp = calloc(1, sizeof(*pp));
	if (!pp || w->nparts >= w->c.max_parts || mw_find(w, p->id)) {
		part_close_fds(p);
		free(pp);
		mw_post_event(w, MW_EV_TIMEOUT, p->id, -ENOSPC);
		return;
	}
	pp->w = w;
	pp->id = p->id;
	pp->admitted = p->admitted;
	pp->chair = p->chair;
	pp->slot = -1;
	pp->last_rx_us = clock_now_us();
	pp->added_ns = clock_wall_us() * 1000ull;
	pp->a.c.fd = pp->a.c.rtcp_fd = pp->v.c.fd = pp->v.c.rtcp_fd = -1;
	if ((r = jbuf_new(&pp->jb, &jc)) < 0 || (r = adec_open(&pp->dec, "opus", &ap)) < 0 ||
	    !(e = mw_ring_slot(w, true)))
		r = r < 0 ? r : -EAGAIN;
	pp->a.c = p->audio;         /* the fds are ours now */
	pp->v.c = p->video;
	if (r == 0 && (r = strm_open(w, pp, &pp->a, false)) == 0)
		r = strm_open(w, pp, &pp->v, true);
	if (r < 0) {
		log_debug(mw, "%s: participant %u: setup failed: %d", w->name, p->id, r);
		strm_unwatch(w, &pp->a);
		strm_unwatch(w, &pp->v);
		mw_pp_free(pp);
		mw_post_event(w, MW_EV_TIMEOUT, p->id, r);
		return;
	}
	/* hand it to the mixer (ordered with its audio in the ring) */
	e->kind = MX_ADD;
	e->pp = pp;
	mw_ring_commit(w);
	pthread_mutex_lock(&w->lock);
	w->parts[w->nparts++] = pp;
	pthread_mutex_unlock(&w->lock);
	post_flags(w, pp);
}

static void cmd_del(struct mw *w, uint32_t id)
{
	struct mw_pp *pp = NULL;
	struct mx_ent *e;

	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < w->nparts; i++)
		if (w->parts[i]->id == id) {
			pp = w->parts[i];
			w->parts[i] = w->parts[--w->nparts];
			break;
		}
	pthread_mutex_unlock(&w->lock);
	if (!pp)
		return;
	strm_unwatch(w, &pp->a);
	strm_unwatch(w, &pp->v);
	mw_video_part_gone(w, pp);
	/* the mixer frees it when it reaches this entry */
	e = mw_ring_slot(w, true);
	if (!e) {
		/* only without a mixer thread (shutdown): nobody else has it */
		log_debug(mw, "%s: participant %u: ring full at delete", w->name, id);
		return;
	}
	e->kind = MX_DEL;
	e->pp = pp;
	mw_ring_commit(w);
}

static void on_cmd(struct wq *q, const struct wq_item *it, void *arg)
{
	struct mw *w = arg;
	struct mw_pp *pp = mw_find(w, it->id);

	(void)q;
	switch (it->type) {
	case MW_CMD_ADD:
		cmd_add(w, it->ptr);
		free(it->ptr);
		break;
	case MW_CMD_DEL:
		cmd_del(w, it->id);
		break;
	case MW_CMD_ADMIT:
	case MW_CMD_ADMIT_CHAIR:
		if (pp) {
			pp->admitted = true;
			pp->chair = it->type == MW_CMD_ADMIT_CHAIR;
			post_flags(w, pp);
		}
		break;
	case MW_CMD_MUTE:
	case MW_CMD_UNMUTE:
		if (pp) {
			pp->muted = it->type == MW_CMD_MUTE;
			post_flags(w, pp);
		}
		break;
	case MW_CMD_BCAST:
		w->bcast = it->id;
		mw_video_update(w, clock_now_us());
		break;
	case MW_CMD_QUIT:
		loop_quit(w->loop, 0);
		break;
	}
}

static void on_tick(struct loop *l, struct loop_timer *t, void *arg)
{
	struct mw *w = arg;
	uint64_t now = clock_now_us();

	(void)l;
	(void)t;
	w->ticks++;
	mw_video_update(w, now);
	if (w->ticks % 50 == 0)
		mw_rtcp_reports(w, now);
	if (w->ticks % 25)
		return;
	for (unsigned i = 0; i < w->nparts; i++) {
		struct mw_pp *pp = w->parts[i];

		if (!pp->timeout_sent && now - pp->last_rx_us > w->c.rtp_timeout_ms * 1000ull) {
			pp->timeout_sent = true;
			mw_post_event(w, MW_EV_TIMEOUT, pp->id, 0);
		}
	}
}

static void *mw_main(void *arg)
{
	struct mw *w = arg;

	(void)loop_run(w->loop);
	return NULL;
}

int mw_new(struct mw **ret, const struct mw_conf *c, struct wq *events)
{
	struct mw *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->c = *c;
	if (!w->c.speakers || w->c.speakers > MW_SPK_MAX)
		w->c.speakers = 3;
	if (!w->c.max_parts || w->c.max_parts > BR_PARTS_MAX)
		w->c.max_parts = BR_PARTS_MAX;
	if (!w->c.rtp_timeout_ms)
		w->c.rtp_timeout_ms = 10000;
	if (!w->c.opus_bitrate)
		w->c.opus_bitrate = 48000;
	if (!w->c.switch_hold_ms)
		w->c.switch_hold_ms = 1000;
	snprintf(w->name, sizeof(w->name), "%s", c->name ? c->name : "meeting");
	w->events = events;
	pthread_mutex_init(&w->lock, NULL);
	w->parts = calloc(w->c.max_parts, sizeof(*w->parts));
	w->mparts = calloc(w->c.max_parts, sizeof(*w->mparts));
	w->ring.ent = calloc(MX_RING, sizeof(*w->ring.ent));
	if (!w->parts || !w->mparts || !w->ring.ent) {
		mw_free(w);
		return -ENOMEM;
	}
	if ((r = loop_new(&w->loop)) < 0 || (r = wq_new(&w->cmd, 4096)) < 0 ||
	    (r = wq_attach(w->cmd, w->loop, on_cmd, w)) < 0 || (r = mw_audio_init(w)) < 0) {
		mw_free(w);
		return r;
	}
	*ret = w;
	return 0;
}

int mw_start(struct mw *w)
{
	int r = loop_timer_start(w->loop, &w->tick, 20000, 20000, on_tick, w);

	if (r < 0 || (r = mw_mix_start(w)) < 0)
		return r;
	r = -pthread_create(&w->thread, NULL, mw_main, w);
	if (r < 0)
		return r;
	w->running = true;
	return 0;
}

static void drop_item(struct wq *q, const struct wq_item *it, void *arg)
{
	(void)q;
	(void)arg;
	if (it->type == MW_CMD_ADD && it->ptr)
		part_close_fds(it->ptr);
	free(it->ptr);
}

struct mw *mw_free(struct mw *w)
{
	if (!w)
		return NULL;
	if (w->running) {
		struct wq_item it = { .type = MW_CMD_QUIT };

		while (wq_post(w->cmd, &it) < 0)
			usleep(1000);
		pthread_join(w->thread, NULL);
	}
	if (w->cmd) {
		wq_detach(w->cmd);
		w->cmd = wq_free(w->cmd, drop_item, NULL);
	}
	/* every participant is in the mixer's list (or on its way in the
	 * ring): the mixer frees them */
	for (unsigned i = 0; i < w->nparts; i++) {
		strm_unwatch(w, &w->parts[i]->a);
		strm_unwatch(w, &w->parts[i]->v);
	}
	w->nparts = 0;
	mw_mix_stop(w);
	if (w->loop)
		loop_timer_stop(w->loop, &w->tick);
	mw_audio_fini(w);
	w->loop = loop_free(w->loop);
	free(w->parts);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return NULL;
}

static int post(struct mw *w, int type, uint32_t id, void *ptr)
{
	struct wq_item it = { .type = type, .id = id, .ptr = ptr };

	return wq_post(w->cmd, &it);
}

int mw_add(struct mw *w, const struct mw_part *p)
{
	struct mw_part *c = malloc(sizeof(*c));
	struct wq_item it = { .type = MW_CMD_ADD };
	int r;

	if (!c) {
		part_close_fds(p);
		return -ENOMEM;
	}
	*c = *p;
	it.id = p->id;
	it.ptr = c;
	r = wq_post(w->cmd, &it);
	if (r < 0)
		drop_item(NULL, &it, NULL);
	return r;
}

int mw_del(struct mw *w, uint32_t id)
{
	return post(w, MW_CMD_DEL, id, NULL);
}

int mw_admit(struct mw *w, uint32_t id, bool chair)
{
	return post(w, chair ? MW_CMD_ADMIT_CHAIR : MW_CMD_ADMIT, id, NULL);
}

int mw_mute(struct mw *w, uint32_t id, bool mute)
{
	return post(w, mute ? MW_CMD_MUTE : MW_CMD_UNMUTE, id, NULL);
}

int mw_set_broadcast(struct mw *w, uint32_t id)
{
	return post(w, MW_CMD_BCAST, id, NULL);
}

int mw_stats(struct mw *w, uint32_t id, struct mw_part_stats *ret)
{
	int r = -ENOENT;

	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < w->nparts; i++)
		if (w->parts[i]->id == id) {
			/* counters are plain words written by the worker: a
			 * torn read only skews a figure in the roster */
			memcpy(ret, &w->parts[i]->st, sizeof(*ret));
			r = 0;
			break;
		}
	pthread_mutex_unlock(&w->lock);
	return r;
}

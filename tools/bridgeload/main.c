/* main.c: rakwon-bridgeload, simulated participants for rakwon-bridge.
 *
 *   rakwon-bridgeload --uri sip:1001@127.0.0.1:5070 -n N [--duration S]
 *                     [--tls --ca CA.pem [--cert C.pem --key K.pem]]
 *                     [--video-senders K] [--talkers K] [--size WxH]
 *                     [--kbps K] [--warmup S] [--bridge-pid PID] [--nack-test PCT]
 *
 * Places N SIP calls (one UA, UDP or TLS; over TLS the media is SDES-SRTP),
 * then every participant sends pre-encoded Opus (20 ms: a tone for the
 * first --talkers, DTX silence, one packet every 400 ms, for the others)
 * and, for the first --video-senders, H.264 RTP (30 fps) with its own SSRC/seq/ts and SRTP context, each
 * video packet carrying its send time in an RFC 8285 header extension
 * (id 1, 8 bytes), which the bridge forwards untouched. PLI/FIR from the
 * bridge restart that sender's video at its keyframe. Receivers count
 * packets, sequence gaps (loss), late audio (a gap of more than 60 ms
 * between mixes) and the forwarding latency of video (receive time minus
 * the stamp). Prints one JSON line of figures at the end (measured after
 * the warm-up; --nack-test drops PCT % of the received video, NACKs each
 * dropped packet and counts the bridge's retransmissions; with --bridge-pid, also the bridge's CPU seconds over the
 * measured period). Single thread: one epoll loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bl.h"
#include "lib/base/buf.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/srtp.h"
#include "sdp/sdp_nego.h"
#include "sip/sip_ua.h"

#define BL_MISSING 64
#define LAT_BINS 2000               /* 50 us bins up to 100 ms */

struct bl;

struct pstream {
	int fd;
	struct net_addr remote;
	struct rtp_srtp *tx, *rx;
	uint8_t pt;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	bool video, rx_init, dbg_failed;
	uint16_t rx_seq;
	uint64_t rx_last_us;
	struct part *p;
	uint16_t missing[BL_MISSING];   /* --nack-test: dropped, NACKed */
	unsigned nmissing;
};

struct part {
	struct bl *bl;
	unsigned idx;
	struct sip_call *call;
	struct sdp_local loc;
	bool up, sender;
	struct pstream a, v;
	unsigned apos, vpos;
};

struct bl {
	struct loop *loop;
	struct sip_ua *ua;
	struct bl_media *m;
	struct part *parts;
	unsigned n, placed, up, ended, failed, video_senders, talkers;
	const char *uri;
	bool tls;
	struct loop_timer place_t, tick_t, end_t, measure_t;
	uint64_t t0, measure_from, warmup_us, duration_us, ticks;
	/* figures */
	uint64_t a_rx, v_rx, a_lost, v_lost, a_late, v_late, srtp_fail, tx, plis;
	unsigned drop_pct;
	uint64_t nacked, rtx_recovered;
	uint64_t lat[LAT_BINS + 1], nlat;
	int bridge_pid;                 /* to read its CPU time, 0: none */
	double cpu0, cpu1;
};

static double proc_cpu_s(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* fields after the command: state is 3rd, utime 14th, stime 15th */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int stream_open(struct pstream *s, uint16_t *port)
{
	struct net_addr a;

	if (net_addr_set(&a, "127.0.0.1", 0) < 0)
		return -EINVAL;
	s->fd = net_udp_bind(&a, 1 << 20, 1 << 20);
	if (s->fd < 0)
		return s->fd;
	*port = net_addr_port(&a);
	s->ssrc = (uint32_t)random() | 1;
	s->seq = (uint16_t)random();
	s->ts = (uint32_t)random();
	return 0;
}

static void stream_send(struct bl *b, struct pstream *s, const uint8_t *payload, size_t len,
			bool marker, uint32_t ts_step, bool stamp)
{
	uint8_t pkt[1600], ext[12];
	struct rtp_hdr h = { .pt = s->pt, .seq = s->seq++, .ts = s->ts, .ssrc = s->ssrc,
			     .marker = marker };
	size_t hl, n;

	if (stamp) {
		uint64_t now = clock_now_us();

		ext[0] = (1 << 4) | 7;      /* id 1, 8 bytes */
		for (int i = 0; i < 8; i++)
			ext[1 + i] = (uint8_t)(now >> (56 - 8 * i));
		ext[9] = ext[10] = ext[11] = 0;
		h.ext = true;
		h.ext_profile = RTP_EXT_ONE_BYTE;
		h.ext_data = ext;
		h.ext_len = 12;
	}
	if (rtp_hdr_encode(&h, pkt, sizeof(pkt), &hl) < 0 || hl + len + 32 > sizeof(pkt))
		return;
	memcpy(pkt + hl, payload, len);
	n = hl + len;
	if (s->tx && rtp_srtp_protect(s->tx, pkt, n, sizeof(pkt), &n) < 0)
		return;
	if (sendto(s->fd, pkt, n, MSG_DONTWAIT, (struct sockaddr *)&s->remote.ss,
		   s->remote.len) > 0)
		b->tx++;
	if (marker || !stamp)
		s->ts += ts_step;
}

static void on_rtcp(struct bl *b, struct pstream *s, const uint8_t *p, size_t len)
{
	struct rtcp_iter it;
	struct rtcp_item item;

	if (rtcp_iter_init(&it, p, len) < 0)
		return;
	while (rtcp_iter_next(&it, &item) > 0)
		if (s->video && (item.type == RTCP_ITEM_PLI || item.type == RTCP_ITEM_FIR)) {
			s->p->vpos = 0;     /* restart at the keyframe */
			b->plis++;
		}
}

/* --nack-test: drop drop_pct % of the video packets received (before SRTP,
 * the header is in the clear), NACK each at once, count the retransmissions */
static bool simulate_loss(struct bl *b, struct pstream *s, uint8_t *pkt, size_t len)
{
	struct rtp_hdr h;
	uint8_t out[256];
	struct rtcp_report rr = { .ssrc = s->ssrc };
	struct wcur c;
	size_t n;

	if (rtp_hdr_decode(&h, pkt, len) < 0)
		return false;
	for (unsigned i = 0; i < s->nmissing; i++)
		if (s->missing[i] == h.seq) {
			s->missing[i] = s->missing[--s->nmissing];
			b->rtx_recovered++;
			return false;
		}
	if ((unsigned)(random() % 100) >= b->drop_pct || s->nmissing == BL_MISSING)
		return false;
	s->missing[s->nmissing++] = h.seq;
	b->nacked++;
	wcur_init(&c, out, sizeof(out) - 32);
	if (rtcp_build_report(&c, &rr) < 0 || rtcp_build_nack(&c, s->ssrc, h.ssrc, &h.seq, 1) < 0 ||
	    c.bad)
		return true;
	n = c.pos;
	if (s->tx && rtp_srtp_protect_rtcp(s->tx, out, n, sizeof(out), &n) < 0)
		return true;
	(void)sendto(s->fd, out, n, MSG_DONTWAIT, (struct sockaddr *)&s->remote.ss, s->remote.len);
	return true;
}

static void on_rx(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct pstream *s = arg;
	struct bl *b = s->p->bl;
	uint8_t buf[2048];

	(void)l;
	(void)events;
	for (int k = 0; k < 64; k++) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		uint64_t now = clock_now_us();
		bool measure = b->measure_from && now >= b->measure_from;
		size_t n;
		struct rtp_hdr h;

		if (r <= 0)
			break;
		n = (size_t)r;
		if (rtp_is_rtcp(buf, n)) {
			if (!s->rx || rtp_srtp_unprotect_rtcp(s->rx, buf, n, &n) == 0)
				on_rtcp(b, s, buf, n);
			continue;
		}
		if (s->video && b->drop_pct && measure && simulate_loss(b, s, buf, n))
			continue;
		if (s->rx && (r = rtp_srtp_unprotect(s->rx, buf, n, &n)) < 0) {
			b->srtp_fail += measure;
			s->dbg_failed = true;
			if (getenv("BL_DEBUG"))
				fprintf(stderr, "srtp %s on %s of %u: seq %u (last good %u, len %zu, t %llu)\n", strerror((int)-r),
					s->video ? "video" : "audio", s->p->idx,
					(unsigned)(buf[2] << 8 | buf[3]), s->rx_seq, n, (unsigned long long)now);
			continue;
		}
		if (rtp_hdr_decode(&h, buf, n) < 0)
			continue;
		if (s->dbg_failed && getenv("BL_DEBUG"))
			fprintf(stderr, "ok %s of %u: seq %u len %zu t %llu\n", s->video ? "video" : "audio",
				s->p->idx, h.seq, n, (unsigned long long)now);
		if (measure && s->rx_init) {
			int16_t d = rtp_seq_diff(h.seq, s->rx_seq);

			if (d > 1) {
				*(s->video ? &b->v_lost : &b->a_lost) += (uint64_t)(d - 1);
				if (getenv("BL_DEBUG"))
					fprintf(stderr, "gap %d on %s of %u (ssrc %08x)\n", d,
						s->video ? "video" : "audio", s->p->idx, h.ssrc);
			}
			if (!s->video && now - s->rx_last_us > 60000)
				b->a_late++;
		}
		if (!s->rx_init || rtp_seq_lt(s->rx_seq, h.seq))
			s->rx_seq = h.seq;
		s->rx_init = true;
		s->rx_last_us = now;
		if (!measure)
			continue;
		if (!s->video) {
			b->a_rx++;
		} else {
			const uint8_t *e;
			size_t el;

			b->v_rx++;
			if (rtp_hdr_ext_find(&h, 1, &e, &el) == 0 && el == 8) {
				uint64_t t = 0, lat;

				for (int i = 0; i < 8; i++)
					t = t << 8 | e[i];
				lat = now > t ? now - t : 0;
				b->lat[lat / 50 < LAT_BINS ? lat / 50 : LAT_BINS]++;
				b->nlat++;
				b->v_late += lat > 50000;
			}
		}
	}
}

static void on_tick(struct loop *l, struct loop_timer *t, void *arg)
{
	struct bl *b = arg;

	(void)l;
	(void)t;
	b->ticks++;             /* 10 ms */
	for (unsigned i = 0; i < b->n; i++) {
		struct part *p = &b->parts[i];

		if (!p->up)
			continue;
		if (b->ticks % 2 == 0) {
			const struct bl_apkt *a = p->idx < b->talkers ?
				&b->m->audio[p->apos++ % b->m->naudio] :
				&b->m->silence[p->apos++ % b->m->nsilence];

			if (a->len > 2 || (a->len && p->apos % 20 == 0))
				stream_send(b, &p->a, a->data, a->len, false, 960, false);
			else
				p->a.ts += 960;     /* DTX: nothing sent for this frame */
		}
		if (!p->sender || p->v.fd < 0)
			continue;
		/* 30 fps on a 10 ms tick: frames at ticks 0, 3, 7 of each 10 */
		if ((b->ticks * 3) / 10 == ((b->ticks - 1) * 3) / 10)
			continue;
		do {
			const struct bl_vpkt *v = &b->m->video[p->vpos];

			stream_send(b, &p->v, v->data, v->len, v->marker, 3000, true);
			p->vpos = (p->vpos + 1) % b->m->nvideo;
			if (v->marker)
				break;
		} while (true);
	}
}

static void on_end(struct loop *l, struct loop_timer *t, void *arg)
{
	struct bl *b = arg;

	(void)t;
	if (b->bridge_pid && b->measure_from)
		b->cpu1 = proc_cpu_s(b->bridge_pid);
	loop_quit(l, 0);
}

static void on_measure(struct loop *l, struct loop_timer *t, void *arg)
{
	struct bl *b = arg;

	(void)l;
	(void)t;
	if (b->bridge_pid)
		b->cpu0 = proc_cpu_s(b->bridge_pid);
}

/* every call is up or refused: warm up, then measure */
static void maybe_start(struct bl *b)
{
	if (b->measure_from || b->up + b->failed < b->n || !b->up)
		return;
	b->measure_from = clock_now_us() + b->warmup_us;
	loop_timer_start(b->loop, &b->end_t, b->warmup_us + b->duration_us, 0, on_end, b);
	loop_timer_start(b->loop, &b->measure_t, b->warmup_us, 0, on_measure, b);
}

static void on_established(struct sip_call *c, const char *sdp, void *arg)
{
	struct part *p = arg;
	struct sdp_result res;
	struct bl *b = p->bl;

	(void)c;
	if (!sdp || sdp_nego_apply_answer(&p->loc, sdp, strlen(sdp), &res) < 0) {
		fprintf(stderr, "bridgeload: participant %u: bad answer\n", p->idx);
		return;
	}
	for (unsigned i = 0; i < res.nmedia; i++) {
		const struct sdp_media_result *r = &res.m[i];
		struct pstream *s = r->kind == SDP_KIND_AUDIO ? &p->a :
				    r->kind == SDP_KIND_VIDEO ? &p->v : NULL;

		if (!s || !r->active)
			continue;
		(void)net_addr_set(&s->remote, r->remote_addr, r->remote_rtp);
		s->pt = r->pt;
		if (r->secure) {
			enum rtp_srtp_suite su = r->suite == SDP_SUITE_AEAD_AES_128_GCM ?
				RTP_SRTP_AEAD_AES_128_GCM : r->suite == SDP_SUITE_AES_CM_128_HMAC_SHA1_32 ?
				RTP_SRTP_AES_CM_128_HMAC_SHA1_32 : RTP_SRTP_AES_CM_128_HMAC_SHA1_80;

			(void)rtp_srtp_new(&s->tx, su, RTP_SRTP_OUTBOUND, r->tx_key, r->keylen);
			(void)rtp_srtp_new(&s->rx, su, RTP_SRTP_INBOUND, r->rx_key, r->keylen);
		}
	}
	p->up = true;
	b->up++;
	maybe_start(b);
}

static void on_ended(struct sip_call *c, uint16_t code, const char *reason, void *arg)
{
	struct part *p = arg;

	(void)c;
	if (!p->up && code)
		fprintf(stderr, "bridgeload: participant %u: %u %s\n", p->idx, code, reason);
	p->call = NULL;
	p->bl->ended++;
	if (!p->up) {
		p->bl->failed++;
		maybe_start(p->bl);
	}
	p->up = false;
}

static const struct sip_call_handlers call_h = {
	.established = on_established,
	.ended = on_ended,
};

static int part_call(struct bl *b, struct part *p)
{
	struct buf *out = NULL;
	size_t kl;
	int r;

	p->loc = (struct sdp_local){ .addr = "127.0.0.1", .cname = "bridgeload",
				     .sess_id = 1, .sess_ver = 1,
				     .enc = b->tls ? SDP_ENC_REQUIRED : SDP_ENC_OFF };
	p->loc.audio = (struct sdp_local_media){ .enable = true, .rtcp_mux = true,
		.dir = SDP_DIR_SENDRECV, .ssrc = p->a.ssrc, .pt = 111, .opus = { .useinbandfec = true } };
	p->loc.video = (struct sdp_local_media){ .enable = true, .rtcp_mux = true, .avpf = true,
		.dir = SDP_DIR_SENDRECV, .ssrc = p->v.ssrc, .pt = 96,
		.h264 = { .profile_level_id = 0x42e01f, .packetization_mode = 1 } };
	if ((r = stream_open(&p->a, &p->loc.audio.port)) < 0 ||
	    (r = stream_open(&p->v, &p->loc.video.port)) < 0)
		return r;
	p->loc.audio.ssrc = p->a.ssrc;
	p->loc.video.ssrc = p->v.ssrc;
	(void)rtp_srtp_key_generate(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, p->loc.audio.key,
				    sizeof(p->loc.audio.key), &kl);
	(void)rtp_srtp_key_generate(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, p->loc.video.key,
				    sizeof(p->loc.video.key), &kl);
	(void)rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, p->loc.audio.key_gcm,
				    sizeof(p->loc.audio.key_gcm), &kl);
	(void)rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, p->loc.video.key_gcm,
				    sizeof(p->loc.video.key_gcm), &kl);
	if ((r = loop_fd_add(b->loop, p->a.fd, EPOLLIN, on_rx, &p->a)) < 0 ||
	    (r = loop_fd_add(b->loop, p->v.fd, EPOLLIN, on_rx, &p->v)) < 0)
		return r;
	if ((r = buf_new(&out, 4096)) < 0)
		return r;
	r = sdp_nego_offer(&p->loc, out);
	if (r == 0 && (r = buf_append(out, "", 1)) == 0)
		r = sip_call_invite(b->ua, b->uri, (const char *)out->data, &call_h, p, &p->call);
	buf_unref(out);
	return r;
}

/* place calls at ~100/s */
static void on_place(struct loop *l, struct loop_timer *t, void *arg)
{
	struct bl *b = arg;

	(void)l;
	if (b->placed >= b->n) {
		loop_timer_stop(b->loop, t);
		return;
	}
	struct part *p = &b->parts[b->placed++];
	int r = part_call(b, p);

	if (r < 0) {
		fprintf(stderr, "bridgeload: call %u failed: %s\n", p->idx, strerror(-r));
		b->failed++;
		maybe_start(b);
	}
}

static double self_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint64_t pct(const struct bl *b, double q)
{
	uint64_t want = (uint64_t)(q * (double)b->nlat), acc = 0;

	for (unsigned i = 0; i <= LAT_BINS; i++) {
		acc += b->lat[i];
		if (acc > want)
			return (uint64_t)i * 50 + 25;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uri", 1, 0, 'u' }, { "n", 1, 0, 'n' }, { "duration", 1, 0, 'd' },
		{ "tls", 0, 0, 't' }, { "ca", 1, 0, 'c' }, { "video-senders", 1, 0, 'v' },
		{ "size", 1, 0, 's' }, { "kbps", 1, 0, 'k' }, { "warmup", 1, 0, 'w' },
		{ "bridge-pid", 1, 0, 'p' }, { "talkers", 1, 0, 'T' }, { "nack-test", 1, 0, 'N' }, { "cert", 1, 0, 'C' }, { "key", 1, 0, 'K' },
		{ 0, 0, 0, 0 },
	};
	struct bl b = { .n = 8, .video_senders = 1000000, .talkers = 1000000 };
	struct sip_ua_conf uc = { .aor = "sip:load@127.0.0.1", .listen_udp = "127.0.0.1:0",
				  .session_expires = UINT32_MAX, .max_calls = 2000 };
	double dur = 5, warm = 2;
	int c, w = 320, h = 180, kbps = 300;
	uint64_t t_end;

	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'u': b.uri = optarg; break;
		case 'n': b.n = (unsigned)atoi(optarg); break;
		case 'd': dur = atof(optarg); break;
		case 't': b.tls = true; break;
		case 'c': uc.transp.tls_ca = optarg; break;
		case 'v': b.video_senders = (unsigned)atoi(optarg); break;
		case 's': if (sscanf(optarg, "%dx%d", &w, &h) != 2) return 2; break;
		case 'k': kbps = atoi(optarg); break;
		case 'w': warm = atof(optarg); break;
		case 'p': b.bridge_pid = atoi(optarg); break;
		case 'T': b.talkers = (unsigned)atoi(optarg); break;
		case 'N': b.drop_pct = (unsigned)atoi(optarg); break;
		case 'C': uc.transp.tls_cert = optarg; uc.listen_tls = "127.0.0.1:0"; break;
		case 'K': uc.transp.tls_key = optarg; break;
		default:
			fprintf(stderr, "usage: rakwon-bridgeload --uri URI -n N [--duration S] "
					"[--tls --ca CA] [--video-senders K] [--size WxH] [--kbps K] "
					"[--warmup S]\n");
			return 2;
		}
	}
	if (!b.uri || !b.n || b.n > 1000)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (getenv("BL_LOG"))
		(void)log_set_spec(getenv("BL_LOG"));
	b.m = calloc(1, sizeof(*b.m));
	b.parts = calloc(b.n, sizeof(*b.parts));
	if (!b.m || !b.parts || bl_media_make(b.m, w, h, kbps) < 0) {
		fprintf(stderr, "bridgeload: cannot pre-encode media\n");
		return 1;
	}
	b.warmup_us = (uint64_t)(warm * 1e6);
	b.duration_us = (uint64_t)(dur * 1e6);
	for (unsigned i = 0; i < b.n; i++) {
		b.parts[i].bl = &b;
		b.parts[i].idx = i;
		b.parts[i].a.p = b.parts[i].v.p = &b.parts[i];
		b.parts[i].a.fd = b.parts[i].v.fd = -1;
		b.parts[i].v.video = true;
		b.parts[i].sender = i < b.video_senders;
	}
	if (loop_new(&b.loop) < 0 || sip_ua_new(&b.ua, b.loop, &uc) < 0) {
		fprintf(stderr, "bridgeload: setup failed\n");
		return 1;
	}
	loop_timer_start(b.loop, &b.place_t, 1000, 10000, on_place, &b);
	loop_timer_start(b.loop, &b.tick_t, 10000, 10000, on_tick, &b);
	/* a deadline even when not every call comes up */
	t_end = (uint64_t)(b.n * 10000) + 10000000 + b.warmup_us + b.duration_us;
	loop_timer_start(b.loop, &b.end_t, t_end, 0, on_end, &b);
	loop_run(b.loop);
	printf("{\"participants\":%u,\"connected\":%u,\"seconds\":%.1f,\"tx\":%llu,"
	       "\"audio_rx\":%llu,\"video_rx\":%llu,\"audio_lost\":%llu,\"video_lost\":%llu,"
	       "\"audio_late\":%llu,\"video_late\":%llu,\"srtp_fail\":%llu,\"plis\":%llu,"
	       "\"lat_p50_us\":%llu,\"lat_p99_us\":%llu,\"bridge_cpu_s\":%.2f,"
	       "\"load_cpu_s\":%.2f,\"nacked\":%llu,\"rtx_recovered\":%llu}\n",
	       b.n, b.up, dur, (unsigned long long)b.tx, (unsigned long long)b.a_rx,
	       (unsigned long long)b.v_rx, (unsigned long long)b.a_lost,
	       (unsigned long long)b.v_lost, (unsigned long long)b.a_late,
	       (unsigned long long)b.v_late, (unsigned long long)b.srtp_fail,
	       (unsigned long long)b.plis, (unsigned long long)pct(&b, 0.5),
	       (unsigned long long)pct(&b, 0.99), b.cpu1 > b.cpu0 ? b.cpu1 - b.cpu0 : 0.0,
	       self_cpu_s(), (unsigned long long)b.nacked, (unsigned long long)b.rtx_recovered);
	for (unsigned i = 0; i < b.n; i++) {
		struct part *p = &b.parts[i];

		if (p->call)
			(void)sip_call_hangup(p->call);
	}
	(void)loop_run_for(b.loop, 300000);
	b.ua = sip_ua_free(b.ua);
	for (unsigned i = 0; i < b.n; i++) {
		struct part *p = &b.parts[i];

		if (p->a.fd >= 0)
			close(p->a.fd);
		if (p->v.fd >= 0)
			close(p->v.fd);
		rtp_srtp_free(p->a.tx);
		rtp_srtp_free(p->a.rx);
		rtp_srtp_free(p->v.tx);
		rtp_srtp_free(p->v.rx);
	}
	loop_free(b.loop);
	free(b.parts);
	free(b.m);
	return b.up == b.n ? 0 : 1;
}

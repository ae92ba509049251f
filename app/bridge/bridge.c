/* bridge.c: rakwon-bridge core: meetings, SIP call control, PINs, limits.
 *
 * DESIGN
 * Threads. The main loop thread owns all control state: the SIP UA (every
 * sip_ua callback runs there), the meetings, their participants (struct
 * part, one per call), the control API (ctrl.h) and its subscribers. Each
 * meeting with at least one participant has one media worker (struct mw)
 * of two threads: the forwarding thread (mworker.c, its own epoll loop)
 * owns the media sockets' receive side, SRTP unprotect, RTCP and the video
 * forwarding state (SRTP protect per receiver); the mixer thread (mw_mix.c,
 * a 20 ms clock) owns the jitter buffers, Opus decoders, the mixer, the
 * encoders and the audio send side. The forwarding thread never waits for
 * the mixer: audio goes to it through a lock-free ring (see mw_int.h). The
 * loop thread talks to a worker only by posting commands to its queue
 * (mw_add/mw_del/mw_admit/mw_mute/mw_set_broadcast); the worker reports to
 * one shared events queue (timeouts, active speaker, video source, DTMF,
 * RTCP BYE) which the loop thread drains. The only shared memory is the
 * participant table of a worker, under its mutex, read by mw_stats().
 *
 * Ownership. The bridge owns the meetings (fixed array from the meetings
 * file); a meeting owns its parts list and its worker (created on the first
 * join, freed when the last participant leaves, which joins the thread).
 * The loop thread binds a participant's media sockets (to put the ports in
 * the SDP answer) and hands the fds to the worker, which closes them.
 * A struct part lives from the INVITE (after the checks) until its call's
 * ended() handler, which removes it from the meeting and the worker.
 *
 * Participant state machine (struct part.state):
 *   INVITE -> checks: unknown number 404, late offer 488, locked 403,
 *   full 486, join flood 503, source blocked after PIN failures 403,
 *   ;pin= in the R-URI wrong 403 -> rejected (no part).
 *   -> answered 200 with sdp_nego_answer():
 *        PIN        meeting has a PIN and none was in the URI: media flows
 *                   in (DTMF RFC 4733 or SIP INFO) but the participant is
 *                   neither mixed nor sent anything; a right PIN -> IN, a
 *                   wrong one (ended by '#' or too long) counts; three
 *                   wrong or 30 s -> hangup (LEAVING).
 *        IN         mixed and forwarded. Chair commands, RTP timeout, RTCP
 *                   BYE, meeting end -> hangup (LEAVING).
 *        LEAVING    BYE sent; ended() frees it.
 *   A chair is whoever joined with the chair PIN (the control API itself is
 *   the presiding site's operator console, admin on the Unix socket).
 *
 * Media worker (see mw_int.h): every 20 ms it pulls one frame per
 * participant from the jitter buffers and decodes it, measures levels
 * (energy, or the RFC 6464 level header extension when the participant
 * negotiated it: a=extmap in sdp_nego, mw_stream.level_ext_id), keeps up to
 * `speakers` active speakers in stable slots, mixes N-1 for each slot and
 * one shared mix for all others (amix), encodes once per distinct mix and
 * sends it with each participant's own SSRC/seq/ts and SRTP context.
 * Video: one source (chair-chosen broadcast site, else the loudest speaker
 * after a hold time) is forwarded to everyone, and the source itself gets
 * the previous source. A switch is made when the new source's keyframe
 * arrives (PLI/FIR sent to it until then), so receivers see no broken
 * frames; each receiver has its own SSRC and continuous seq/ts (offsets
 * re-based on each switch). Receivers' PLI/FIR are relayed to their
 * current source (rate limited); NACKs are answered from a 256-packet
 * history of the source, re-protected with the receiver's context.
 *
 * A participant moving between the shared mix and its own N-1 mix (it
 * starts or stops being a speaker) switches Opus encoders mid-stream with
 * the same SSRC/seq: its decoder state does not match the new encoder for a
 * few frames (a short artifact; per-participant encoders would avoid it at
 * N times the encoding cost).
 * Every participant stream has a receive budget (2000 packets/s, burst
 * 1000): a flooding site costs the worker a recv() per packet and nothing
 * more, and mostly hurts itself. Peer-controlled allocations: none per
 * packet (the NACK history of a source is allocated once, 400 KB).
 * Media sockets accept packets from any source address (SSRC latching only):
 * without SRTP (plain RTP over UDP/TCP signalling) a third party could
 * inject packets; with SRTP they fail authentication.
 *
 * RTCP: every second each participant gets an SR per stream with an RR
 * block (LSR/DLSR only: its RTT; loss and jitter of what it sends are not
 * measured yet). Audio SRs carry the bridge's clock at the mix; video SRs
 * carry the forwarded source's own SR clock through the receiver's
 * timestamp offset, so lip sync is the source's capture clock against the
 * bridge's mix time (close on one host, approximate otherwise).
 *
 * Cascading (cascade.c): a meeting with an uplink joins the parent
 * bridge's meeting as one trunk participant while it has local
 * participants; N-1 mixing and "the source sees its previous source" keep
 * audio and video from looping back; ";cascade=" paths refuse loops (482).
 *
 * Not done: loss/jitter statistics in our RRs, REMB/bandwidth adaptation,
 * re-INVITE media changes (hold: the first answer is repeated), late-offer
 * INVITEs (488), multistream/simulcast to Rakwon terminals.
 * Design for multistream: a multistream site (or a cascade
 * link to another bridge) offers several m=video sections (or SSRCs); the
 * worker keeps K forwarding slots per receiver, each the single-stream
 * logic above (own output SSRC, keyframe-gated switches, seq/ts re-basing),
 * filled with the K last speakers; simulcast adds a per-receiver layer
 * choice (by its REMB/bandwidth) among the source's SSRCs, switched at
 * keyframes the same way. With multistream, a cascade trunk would carry
 * several video slots (the far side's last speakers) and RFC 6464 levels
 * so that both sides pick the same active speaker; today it carries one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge_int.h"
#include "ctrl/ctrl.h"
#include "lib/base/clock.h"
#include "lib/conf/conf.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "rtp/srtp.h"
#include "sdp/sdp_nego.h"
#include "sip/sip_ua.h"
#include "sip/sip_ua_int.h"

LOG_TOPIC(bridge);

#define PIN_TIMEOUT_US 30000000ull
#define PIN_TRIES 3

static const char *const enc_vals[] = { "off", "preferred", "required", NULL };

static const struct conf_def bridge_conf_defs[] = {
	{ "sip_udp", CONF_STR, "127.0.0.1:5060", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "SIP over UDP listen address (empty: none)" },
	{ "sip_tcp", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "SIP over TCP listen address (empty: none)" },
	{ "sip_tls", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "SIP over TLS listen address (empty: none); needs tls_cert, tls_key" },
	{ "tls_ca", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "CA (PEM) verifying the sites' certificates when we connect to them\n"
	  "over TLS (in-dialog requests such as BYE); empty: no TLS client" },
	{ "sip_invite_rate", CONF_INT, "5", 1, 100000, NULL, NULL, CONF_IMMUTABLE,
	  "new INVITEs per second accepted from one source address" },
	{ "sip_invite_burst", CONF_INT, "10", 1, 100000, NULL, NULL, CONF_IMMUTABLE,
	  "burst of new INVITEs from one source address" },
	{ "tls_cert", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE, "TLS certificate (PEM)" },
	{ "tls_key", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE | CONF_SECRET,
	  "TLS private key (PEM)" },
	{ "domain", CONF_STR, "bridge", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "SIP domain of the bridge (its AOR is sip:bridge@domain)" },
	{ "media_addr", CONF_STR, "127.0.0.1", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "numeric IP address media sockets bind to and SDP announces" },
	{ "meetings", CONF_STR, "/etc/rakwon-bridge/meetings", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "meetings file: number | name | pin | chair pin | max participants" },
	{ "ctrl_socket", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "control API Unix socket path (empty: none)" },
	{ "encryption", CONF_ENUM, "preferred", 0, 0, enc_vals, NULL, CONF_RUNTIME,
	  "SRTP (SDES) policy; SDES keys are only exchanged over TLS, so calls\n"
	  "over UDP/TCP get plain RTP (and are refused when \"required\")" },
	{ "bridge_id", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "This bridge's name in cascade paths (letters, digits, '-'; empty: random)" },
	{ "speakers", CONF_INT, "3", 1, 8, NULL, NULL, CONF_IMMUTABLE,
	  "active speakers mixed at once" },
	{ "level_threshold_db", CONF_INT, "-50", -100, 0, NULL, NULL, CONF_IMMUTABLE,
	  "audio level (dBov) above which a site counts as speaking" },
	{ "switch_hold_ms", CONF_INT, "1500", 100, 60000, NULL, NULL, CONF_IMMUTABLE,
	  "minimum time between voice-activated video switches" },
	{ "rtp_timeout_ms", CONF_INT, "10000", 1000, 600000, NULL, NULL, CONF_IMMUTABLE,
	  "a site sending no RTP/RTCP for this long is dropped" },
	{ "opus_bitrate", CONF_INT, "48000", 6000, 256000, NULL, NULL, CONF_IMMUTABLE,
	  "bit rate of the mixes sent (bit/s)" },
	{ "opus_complexity", CONF_INT, "5", 0, 10, NULL, NULL, CONF_IMMUTABLE,
	  "Opus encoder complexity of the mixes (10: best, 0: cheapest)" },
	{ "join_rate", CONF_INT, "20", 1, 10000, NULL, NULL, CONF_RUNTIME,
	  "joins per second accepted per meeting (bursts up to twice that); more get 503" },
	{ "pin_fail_max", CONF_INT, "5", 1, 1000, NULL, NULL, CONF_RUNTIME,
	  "wrong PINs per source address per minute before it is refused for a minute" },
	{ "max_calls", CONF_INT, "1000", 1, 100000, NULL, NULL, CONF_IMMUTABLE,
	  "concurrent calls" },
};
const struct conf_def *bridge_conf_table(size_t *ret_n)
{
	*ret_n = sizeof(bridge_conf_defs) / sizeof(bridge_conf_defs[0]);
	return bridge_conf_defs;
}

struct meeting *bridge_meeting_find(struct bridge *b, const char *number)
{
	for (size_t i = 0; i < b->nmeetings; i++)
		if (!strcmp(b->meetings[i].def.number, number))
			return &b->meetings[i];
	return NULL;
}

struct part *bridge_part_find(struct meeting *m, uint32_t id)
{
	for (struct part *p = m->parts; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

static struct part *part_find_any(struct bridge *b, uint32_t id)
{
	for (size_t i = 0; i < b->nmeetings; i++) {
		struct part *p = bridge_part_find(&b->meetings[i], id);

		if (p)
			return p;
	}
	return NULL;
}

void bridge_roster_event(struct meeting *m, const char *what, struct part *p)
{
	struct json *d;

	if (!m->b->ctrl || json_new_object(&d) < 0)
		return;
	(void)json_obj_set_str(d, "meeting", m->def.number);
	(void)json_obj_set_str(d, "change", what);
	if (p) {
		(void)json_obj_set_int(d, "id", p->id);
		(void)json_obj_set_str(d, "uri", p->uri);
		(void)json_obj_set_str(d, "name", p->display);
	}
	(void)json_obj_set_int(d, "count", m->nparts);
	ctrl_event(m->b->ctrl, what[0] == 's' ? "speaker" : "roster", d);
}

/* --- PIN failures per source address, join flood per meeting --- */

static struct pinfail *pinfail_get(struct bridge *b, const char *src, bool create)
{
	uint64_t now = clock_now_us();
	struct pinfail *old = &b->pinfail[0];

	for (unsigned i = 0; i < BR_PINFAIL_SLOTS; i++) {
		struct pinfail *f = &b->pinfail[i];

		if (f->src[0] && now - f->since_us > 60000000ull)
			f->src[0] = 0;
		if (f->src[0] && !strcmp(f->src, src))
			return f;
		if (!f->src[0] || f->since_us < old->since_us)
			old = f;
	}
	if (!create)
		return NULL;
	snprintf(old->src, sizeof(old->src), "%s", src);
	old->fails = 0;
	old->since_us = now;
	return old;
}

static void pin_failed(struct bridge *b, const char *src)
{
	struct pinfail *f = pinfail_get(b, src, true);

	f->fails++;
	log_info(bridge, "wrong PIN from %s (%u in this minute)", src, f->fails);
}

static bool pin_blocked(struct bridge *b, const char *src)
{
	struct pinfail *f = pinfail_get(b, src, false);

	return f && f->fails >= (unsigned)conf_int(b->conf, "pin_fail_max");
}

static bool join_allowed(struct meeting *m)
{
	double rate = (double)conf_int(m->b->conf, "join_rate");
	uint64_t now = clock_now_us();

	if (!m->tokens_us)
		m->tokens = 2 * rate;
	else
		m->tokens += rate * (double)(now - m->tokens_us) / 1e6;
	if (m->tokens > 2 * rate)
		m->tokens = 2 * rate;
	m->tokens_us = now;
	if (m->tokens < 1)
		return false;
	m->tokens -= 1;
	return true;
}

/* --- participants --- */

void bridge_part_free(struct part *p)
{
	struct meeting *m = p->m;
	struct part **pp;

	for (pp = &m->parts; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	m->nparts--;
	loop_timer_stop(m->b->loop, &p->pin_t);
	if (m->mw)
		(void)mw_del(m->mw, p->id);
	bridge_roster_event(m, "left", p);
	log_info(bridge, "meeting %s: %s left (%u in)", m->def.number, p->uri, m->nparts);
	cascade_part_gone(p);
	free(p->answer);
	free(p);
	if (!m->nparts && m->mw) {
		uint64_t n, p50, p99, mx;

		mw_latency(m->mw, &n, &p50, &p99, &mx);
		if (n)
			log_info(bridge, "meeting %s: video forwarding latency (kernel receipt to "
				 "last copy sent) p50 %llu us, p99 %llu us, max %llu us over %llu "
				 "packets", m->def.number, (unsigned long long)p50,
				 (unsigned long long)p99, (unsigned long long)mx,
				 (unsigned long long)n);
	}
	if (!m->nparts) {
		m->mw = mw_free(m->mw);
		m->locked = m->lecture = false;
		m->bcast = m->speaker = m->vsrc = 0;
	}
	if (!m->b->shutting_down && m->b->ua)
		cascade_check(m);
}

void bridge_part_drop(struct part *p, const char *why)
{
	if (p->state == PART_LEAVING)
		return;
	log_info(bridge, "meeting %s: dropping %s: %s", p->m->def.number, p->uri, why);
	p->state = PART_LEAVING;
	if (p->m->mw)
		(void)mw_del(p->m->mw, p->id);
	if (sip_call_hangup(p->call) < 0)
		log_debug(bridge, "hangup of %u failed", p->id);
}

void bridge_part_mute(struct part *p, bool mute)
{
	p->muted = mute;
	if (p->m->mw)
		(void)mw_mute(p->m->mw, p->id, mute);
	bridge_roster_event(p->m, mute ? "muted" : "unmuted", p);
}

void bridge_meeting_end(struct meeting *m)
{
	for (struct part *p = m->parts; p; p = p->next)
		bridge_part_drop(p, "meeting ended");
	bridge_roster_event(m, "ended", NULL);
}

void bridge_set_broadcast(struct meeting *m, uint32_t id)
{
	m->bcast = id;
	if (m->mw)
		(void)mw_set_broadcast(m->mw, id);
}

static void part_admit(struct part *p, bool chair)
{
	loop_timer_stop(p->m->b->loop, &p->pin_t);
	p->state = PART_IN;
	p->chair = chair;
	if (p->m->mw)
		(void)mw_admit(p->m->mw, p->id, chair);
	if (p->m->lecture && !chair) {
		p->lecture_muted = true;
		bridge_part_mute(p, true);
	}
	bridge_roster_event(p->m, "joined", p);
	log_info(bridge, "meeting %s: %s joined%s (%u in)", p->m->def.number, p->uri,
		 chair ? " as chair" : "", p->m->nparts);
	cascade_check(p->m);
}

/* a DTMF digit while the PIN is awaited */
static void part_digit(struct part *p, char d)
{
	const struct br_meeting_def *def = &p->m->def;
	size_t n = strlen(p->digits);
	bool end = d == '#';

	if (p->state != PART_PIN)
		return;
	if (!end && d >= '0' && d <= '9' && n < BR_NUM_MAX) {
		p->digits[n++] = d;
		p->digits[n] = 0;
	}
	if (def->chair_pin[0] && !strcmp(p->digits, def->chair_pin)) {
		part_admit(p, true);
		return;
	}
	if (def->pin[0] && !strcmp(p->digits, def->pin)) {
		part_admit(p, false);
		return;
	}
	if (!end && n < BR_NUM_MAX - 1)
		return;
	pin_failed(p->m->b, p->src);
	p->digits[0] = 0;
	if (++p->pin_tries >= PIN_TRIES || pin_blocked(p->m->b, p->src))
		bridge_part_drop(p, "wrong PIN");
}

static void on_pin_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	bridge_part_drop(arg, "no PIN");
}

/* --- SIP call handlers --- */

static void on_info(struct sip_call *c, const char *ctype, const char *body, size_t len,
		    void *arg)
{
	struct part *p = arg;
	const char *s;

	(void)c;
	if (!ctype || strcmp(ctype, "application/dtmf-relay") || !body)
		return;
	s = memmem(body, len, "Signal=", 7);
	if (s && (size_t)(s - body) + 7 < len)
		part_digit(p, s[7]);
}

static void on_ended(struct sip_call *c, uint16_t code, const char *reason, void *arg)
{
	struct part *p = arg;

	(void)c;
	log_debug(bridge, "call %u ended: %u %s", p->id, code, reason ? reason : "");
	bridge_part_free(p);
}

static char *on_offer(struct sip_call *c, const char *sdp, void *arg)
{
	struct part *p = arg;

	/* re-INVITE (session refresh, hold): media changes are not applied
	 * yet; we answer with the SDP we answered first */
	(void)c;
	(void)sdp;
	return p->answer ? strdup(p->answer) : NULL;
}

static const struct sip_call_handlers call_h = {
	.info = on_info,
	.ended = on_ended,
	.offer = on_offer,
};

/* the dialled meeting number and ;pin= from the INVITE's Request-URI.
 * (sip_ua.h has no accessor for the R-URI or the source address yet: the
 * one use of sip_ua_int.h in the bridge, confined here.) */
static void call_target(struct sip_call *c, char *num, size_t numlen, char *pin, size_t pinlen,
			char *src, size_t srclen, char *path, size_t pathlen)
{
	const struct sip_msg *req = sip_stran_req(c->inv_st);
	const struct sip_src *from = sip_stran_src(c->inv_st);
	const struct sip_uri *u = &req->ruri;
	const char *s, *e;
	char params[256];

	num[0] = pin[0] = src[0] = path[0] = 0;
	if (from)
		net_addr_host(&from->peer, src, srclen);
	if (pl_strcpy(&u->user, num, numlen) < 0)
		num[0] = 0;
	/* a PIN may come as a URI parameter, or in the user part ("1001;pin=1") */
	if (pl_strcpy(&u->params, params, sizeof(params)) < 0)
		params[0] = 0;
	if ((e = strchr(num, ';'))) {
		if (!params[0])
			snprintf(params, sizeof(params), "%s", e);
		num[e - num] = 0;
	}
	s = strstr(params, ";pin=");
	if (s) {
		size_t n;

		s += 5;
		n = strcspn(s, ";?");
		if (n < pinlen) {
			memcpy(pin, s, n);
			pin[n] = 0;
		}
	}
	/* a trunk from another bridge (cascade.c); too long: a loop too */
	s = strstr(params, ";cascade=");
	if (s) {
		size_t n;

		s += 9;
		n = strcspn(s, ";?");
		if (n < pathlen) {
			memcpy(path, s, n);
			path[n] = 0;
		} else {
			snprintf(path, pathlen, "%s", "-");
		}
	}
}

int bridge_bind_pair(struct bridge *b, int *fd, int *rtcp_fd, uint16_t *port)
{
	struct net_addr a, ac;
	int r = net_addr_set(&a, conf_str(b->conf, "media_addr"), 0);

	ac = a;
	if (r == 0)
		r = net_udp_bind_pair(&a, &ac, 0, fd, rtcp_fd);
	if (r < 0)
		return r;
	*port = net_addr_port(&a);
	return 0;
}

static enum mw_crypto crypto_of(enum sdp_suite s)
{
	switch (s) {
	case SDP_SUITE_AES_CM_128_HMAC_SHA1_80: return MW_CRYPTO_AES_CM_80;
	case SDP_SUITE_AES_CM_128_HMAC_SHA1_32: return MW_CRYPTO_AES_CM_32;
	case SDP_SUITE_AEAD_AES_128_GCM: return MW_CRYPTO_GCM;
	default: return MW_CRYPTO_NONE;
	}
}

void bridge_stream_from(struct mw_stream *st, const struct sdp_media_result *m)
{
	st->enabled = m->active;
	if (!m->active)
		return;
	st->send = m->dir & SDP_DIR_SENDONLY;
	st->recv = m->dir & SDP_DIR_RECVONLY;
	(void)net_addr_set(&st->remote, m->remote_addr, m->remote_rtp);
	(void)net_addr_set(&st->remote_rtcp, m->remote_addr,
			   m->remote_rtcp ? m->remote_rtcp : (uint16_t)(m->remote_rtp + 1));
	if (m->mux && st->rtcp_fd >= 0) {
		close(st->rtcp_fd);
		st->rtcp_fd = -1;
	}
	st->pt = m->pt;
	st->te_pt = m->te_pt;
	st->level_ext_id = m->level_ext_id;
	st->te_clock = m->te_clock;
	st->remote_ssrc = m->remote_ssrc;
	st->pli = m->fb & SDP_FB_PLI;
	st->fir = m->fb & SDP_FB_FIR;
	st->nack = m->fb & SDP_FB_NACK;
	if (m->secure) {
		st->crypto = crypto_of(m->suite);
		memcpy(st->tx_key, m->tx_key, m->keylen < 46 ? m->keylen : 46);
		memcpy(st->rx_key, m->rx_key, m->keylen < 46 ? m->keylen : 46);
	}
}

void bridge_close_stream(struct mw_stream *st)
{
	if (st->fd >= 0)
		close(st->fd);
	if (st->rtcp_fd >= 0)
		close(st->rtcp_fd);
	st->fd = st->rtcp_fd = -1;
}

int bridge_meeting_worker(struct meeting *m)
{
	struct bridge *b = m->b;
	struct mw_conf mc = {
		.name = m->def.number,
		.max_parts = m->def.max_parts,
		.speakers = (unsigned)conf_int(b->conf, "speakers"),
		.rtp_timeout_ms = (unsigned)conf_int(b->conf, "rtp_timeout_ms"),
		.opus_bitrate = (int)conf_int(b->conf, "opus_bitrate"),
		.opus_complexity = (int)conf_int(b->conf, "opus_complexity"),
		.level_threshold_db = (int)conf_int(b->conf, "level_threshold_db"),
		.switch_hold_ms = (unsigned)conf_int(b->conf, "switch_hold_ms"),
	};
	int r;

	if (m->mw)
		return 0;
	r = mw_new(&m->mw, &mc, b->events);
	if (r == 0 && (r = mw_start(m->mw)) < 0)
		m->mw = mw_free(m->mw);
	return r;
}

int bridge_local_media(struct bridge *b, struct sdp_local *loc, struct mw_part *mp, int enc)
{
	size_t kl;

	*loc = (struct sdp_local){
		.addr = conf_str(b->conf, "media_addr"),
		.cname = "rakwon-bridge",
		.sess_id = clock_wall_us(),
		.sess_ver = 1,
		.enc = enc,
	};
	mp->audio.fd = mp->audio.rtcp_fd = mp->video.fd = mp->video.rtcp_fd = -1;
	loc->audio = (struct sdp_local_media){ .enable = true, .rtcp_mux = true,
		.dir = SDP_DIR_SENDRECV, .ssrc = (uint32_t)random() | 1, .pt = 111, .te_pt = 101,
		.level_ext_id = 1, .opus = { .useinbandfec = true } };
	loc->video = (struct sdp_local_media){ .enable = true, .rtcp_mux = true,
		.dir = SDP_DIR_SENDRECV, .ssrc = (uint32_t)random() | 1, .pt = 96, .avpf = true,
		.h264 = { .profile_level_id = 0x42e01f, .packetization_mode = 1 } };
	if (rtp_srtp_key_generate(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, loc->audio.key,
				  sizeof(loc->audio.key), &kl) < 0 ||
	    rtp_srtp_key_generate(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, loc->video.key,
				  sizeof(loc->video.key), &kl) < 0 ||
	    rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, loc->audio.key_gcm,
				  sizeof(loc->audio.key_gcm), &kl) < 0 ||
	    rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, loc->video.key_gcm,
				  sizeof(loc->video.key_gcm), &kl) < 0)
		return -EIO;
	if (bridge_bind_pair(b, &mp->audio.fd, &mp->audio.rtcp_fd, &loc->audio.port) < 0 ||
	    bridge_bind_pair(b, &mp->video.fd, &mp->video.rtcp_fd, &loc->video.port) < 0) {
		bridge_close_stream(&mp->audio);
		bridge_close_stream(&mp->video);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* answer the offer: sockets, sdp_nego_answer, worker. Returns the SIP code
 * to reject with, or 0 when answered. */
static int part_answer(struct part *p, const char *offer, bool admitted)
{
	struct bridge *b = p->m->b;
	int enc = conf_enum(b->conf, "encryption");
	struct sdp_local loc;
	struct sdp_result res;
	struct mw_part mp = { .id = p->id, .admitted = admitted, .chair = p->chair };
	struct buf *out = NULL;
	int r;

	/* SDES keys travel in the SDP: only over TLS */
	if (!sip_call_secure(p->call))
		enc = enc == 2 ? -1 : SDP_ENC_OFF;
	if (enc < 0)
		return 488;
	r = bridge_local_media(b, &loc, &mp, enc == 0 ? SDP_ENC_OFF : enc == 1 ? SDP_ENC_PREFERRED
									 : SDP_ENC_REQUIRED);
	if (r < 0)
		return r == -EIO ? 500 : 503;
	p->audio_port = loc.audio.port;
	p->video_port = loc.video.port;
	if ((r = buf_new(&out, 4096)) < 0 ||
	    (r = sdp_nego_answer(&loc, offer, strlen(offer), out, &res)) < 0) {
		buf_unref(out);
		bridge_close_stream(&mp.audio);
		bridge_close_stream(&mp.video);
		return r == -EBADMSG ? 400 : 488;
	}
	for (unsigned i = 0; i < res.nmedia; i++) {
		struct mw_stream *st = res.m[i].kind == SDP_KIND_AUDIO ? &mp.audio :
				       res.m[i].kind == SDP_KIND_VIDEO ? &mp.video : NULL;

		if (!st || st->enabled || !res.m[i].active)
			continue;
		bridge_stream_from(st, &res.m[i]);
		st->ssrc = res.m[i].kind == SDP_KIND_AUDIO ? loc.audio.ssrc : loc.video.ssrc;
	}
	p->srtp = mp.audio.crypto != MW_CRYPTO_NONE || mp.video.crypto != MW_CRYPTO_NONE;
	if (!mp.audio.enabled)
		bridge_close_stream(&mp.audio);
	if (!mp.video.enabled)
		bridge_close_stream(&mp.video);
	p->answer = strndup((const char *)out->data, out->len);
	buf_unref(out);
	if (!p->answer || bridge_meeting_worker(p->m) < 0) {
		bridge_close_stream(&mp.audio);
		bridge_close_stream(&mp.video);
		return 503;
	}
	if ((r = mw_add(p->m->mw, &mp)) < 0)
		return 503;
	if (p->muted)
		(void)mw_mute(p->m->mw, p->id, true);
	r = sip_call_answer(p->call, 200, p->answer);
	return r < 0 ? 500 : 0;
}

static void on_incoming(struct sip_ua *ua, struct sip_call *c, const char *sdp, void *arg)
{
	struct bridge *b = arg;
	char num[BR_NUM_MAX + 8], pin[BR_NUM_MAX + 1], src[64], path[BR_PATH_MAX];
	struct meeting *m;
	struct part *p;
	bool chair = false, admitted;
	int code;

	(void)ua;
	call_target(c, num, sizeof(num), pin, sizeof(pin), src, sizeof(src), path, sizeof(path));
	m = b->shutting_down ? NULL : bridge_meeting_find(b, num);
	if (!m) {
		log_info(bridge, "call from %s to unknown meeting \"%s\"", src, num);
		(void)sip_call_reject(c, 404, "No Such Meeting");
		return;
	}
	if (!sdp) {
		(void)sip_call_reject(c, 488, "Offer Required");
		return;
	}
	if (pin_blocked(b, src)) {
		(void)sip_call_reject(c, 403, "Too Many Wrong PINs");
		return;
	}
	if (m->locked) {
		(void)sip_call_reject(c, 403, "Meeting Locked");
		return;
	}
	if (m->nparts >= m->def.max_parts) {
		(void)sip_call_reject(c, 486, "Meeting Full");
		return;
	}
	if (!join_allowed(m)) {
		(void)sip_call_reject(c, 503, "Too Many Joins");
		return;
	}
	if (pin[0]) {
		if (m->def.chair_pin[0] && !strcmp(pin, m->def.chair_pin)) {
			chair = true;
		} else if (!m->def.pin[0] || strcmp(pin, m->def.pin)) {
			pin_failed(b, src);
			(void)sip_call_reject(c, 403, "Wrong PIN");
			return;
		}
		admitted = true;
	} else {
		admitted = !m->def.pin[0];
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		(void)sip_call_reject(c, 500, NULL);
		return;
	}
	if (path[0] && (code = cascade_incoming(b, p, path)) != 0) {
		log_info(bridge, "meeting %s: trunk from %s refused (%d): path %s", m->def.number, src,
			 code, path);
		free(p);
		(void)sip_call_reject(c, (uint16_t)code, code == 482 ? "Loop Detected" : NULL);
		return;
	}
	p->m = m;
	p->call = c;
	p->id = ++b->next_id;
	p->chair = chair;
	p->state = admitted ? PART_IN : PART_PIN;
	p->joined_us = clock_now_us();
	snprintf(p->uri, sizeof(p->uri), "%s", sip_call_remote_uri(c));
	snprintf(p->display, sizeof(p->display), "%s", sip_call_remote_display(c));
	snprintf(p->src, sizeof(p->src), "%s", src);
	p->next = m->parts;
	m->parts = p;
	m->nparts++;
	if (m->lecture && !chair)
		p->muted = p->lecture_muted = true;
	sip_call_set_handlers(c, &call_h, p);
	code = part_answer(p, sdp, admitted);
	if (code) {
		/* the call ends with our reject: ended() frees p */
		p->state = PART_LEAVING;
		(void)sip_call_reject(c, (uint16_t)code, NULL);
		return;
	}
	if (admitted) {
		bridge_roster_event(m, "joined", p);
		log_info(bridge, "meeting %s: %s joined%s%s (%u in)", m->def.number, p->uri,
			 chair ? " as chair" : "", p->trunk ? " as a trunk" : "", m->nparts);
		cascade_check(m);
	} else {
		(void)loop_timer_start(b->loop, &p->pin_t, PIN_TIMEOUT_US, 0, on_pin_timeout, p);
	}
}

/* --- media worker events --- */

static void on_mw_event(struct wq *q, const struct wq_item *it, void *arg)
{
	struct bridge *b = arg;
	struct part *p = part_find_any(b, it->id);

	(void)q;
	if (!p)
		return;         /* left meanwhile */
	switch (it->type) {
	case MW_EV_TIMEOUT:
		bridge_part_drop(p, it->val ? "media setup failed" : "RTP/RTCP timeout");
		break;
	case MW_EV_BYE:
		bridge_part_drop(p, "RTCP BYE");
		break;
	case MW_EV_DTMF:
		part_digit(p, (char)it->val);
		break;
	case MW_EV_SPEAKER:
		p->m->speaker = p->id;
		p->level_db = (int)it->val;
		bridge_roster_event(p->m, "speaker", p);
		break;
	case MW_EV_VIDEO_SRC:
		p->m->vsrc = p->id;
		bridge_roster_event(p->m, "video-source", p);
		break;
	}
}

int bridge_new(struct bridge **ret, struct loop *l, struct conf *conf,
	       const struct br_meeting_def *defs, size_t ndefs)
{
	struct bridge *b = calloc(1, sizeof(*b));
	char aor[128];
	struct sip_ua_conf uc = { 0 };
	const char *s;
	int r;

	if (!b)
		return -ENOMEM;
	b->loop = l;
	b->conf = conf;
	b->meetings = calloc(ndefs ? ndefs : 1, sizeof(*b->meetings));
	if (!b->meetings) {
		free(b);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ndefs; i++) {
		b->meetings[i].b = b;
		b->meetings[i].def = defs[i];
	}
	b->nmeetings = ndefs;
	s = conf_str(conf, "bridge_id");
	if (*s && strlen(s) < sizeof(b->id) && strspn(s, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(s))
		snprintf(b->id, sizeof(b->id), "%s", s);
	else
		snprintf(b->id, sizeof(b->id), "%08lx", (unsigned long)random() & 0xffffffffUL);
	snprintf(aor, sizeof(aor), "sip:bridge@%s", conf_str(conf, "domain"));
	uc.aor = aor;
	uc.display = "Rakwon bridge";
	uc.user_agent = "Rakwon bridge";
	s = conf_str(conf, "sip_udp");
	uc.listen_udp = *s ? s : NULL;
	s = conf_str(conf, "sip_tcp");
	uc.listen_tcp = *s ? s : NULL;
	s = conf_str(conf, "sip_tls");
	uc.listen_tls = *s ? s : NULL;
	if (uc.listen_tls) {
		uc.transp.tls_cert = conf_str(conf, "tls_cert");
		uc.transp.tls_key = conf_str(conf, "tls_key");
	}
	s = conf_str(conf, "tls_ca");
	uc.transp.tls_ca = *s ? s : NULL;
	uc.transp.invite_rate = (uint32_t)conf_int(conf, "sip_invite_rate");
	uc.transp.invite_burst = (uint32_t)conf_int(conf, "sip_invite_burst");
	uc.max_calls = (unsigned)conf_int(conf, "max_calls");
	uc.incoming = on_incoming;
	uc.arg = b;
	if ((r = wq_new(&b->events, 8192)) < 0 || (r = wq_attach(b->events, l, on_mw_event, b)) < 0 ||
	    (r = sip_ua_new(&b->ua, l, &uc)) < 0 || (r = ctrl_new(&b->ctrl, l, b)) < 0 ||
	    (r = bridge_ctrl_register(b)) < 0) {
		bridge_free(b);
		return r;
	}
	s = conf_str(conf, "ctrl_socket");
	if (*s && (r = ctrl_listen_unix(b->ctrl, s)) < 0) {
		bridge_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

struct bridge *bridge_free(struct bridge *b)
{
	if (!b)
		return NULL;
	/* calls end without signalling: ended() frees every part (and no
	 * uplink is redialled) */
	b->shutting_down = true;
	b->ua = sip_ua_free(b->ua);
	for (size_t i = 0; i < b->nmeetings; i++) {
		cascade_stop(&b->meetings[i]);
		while (b->meetings[i].parts)
			bridge_part_free(b->meetings[i].parts);
		b->meetings[i].mw = mw_free(b->meetings[i].mw);
	}
	b->ctrl = ctrl_free(b->ctrl);
	if (b->events) {
		wq_detach(b->events);
		b->events = wq_free(b->events, NULL, NULL);
	}
	free(b->meetings);
	free(b);
	return NULL;
}

static void on_shutdown_done(struct sip_ua *ua, void *arg)
{
	struct bridge *b = arg;

	(void)ua;
	loop_quit(b->loop, 0);
}

void bridge_shutdown(struct bridge *b)
{
	if (b->shutting_down)
		return;
	b->shutting_down = true;
	if (sip_ua_shutdown(b->ua, on_shutdown_done, b) < 0)
		loop_quit(b->loop, 0);
}

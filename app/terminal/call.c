/* call.c: the terminal's call state machine: binds a SIP call, SDP offer/
 * answer and a media session. States and rules: see terminal.h DESIGN. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "ctrl/ctrl.h"
#include "lib/base/clock.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "lib/net/net.h"
#include "media/msess.h"
#include "rtp/srtp.h"
#include "sip/sip_ua.h"
#include "terminal/display.h"
#include "terminal/terminal.h"

LOG_TOPIC(call);

#define PT_OPUS 111
#define PT_TE 101
#define PT_H264 96
#define PT_RTX 97

static const char *const state_names[CALL_STATE_MAX] = {
	"idle", "dialing", "ringing_out", "ringing_in", "connected", "held", "ending",
};

const char *call_state_name(enum call_state s)
{
	return s < CALL_STATE_MAX ? state_names[s] : "?";
}

static uint32_t rand32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)clock_now_us() * 2654435761u;
	return v;
}

static void set_state(struct tcall *c, enum call_state st)
{
	struct json *d = NULL;

	if (c->state == st)
		return;
	log_info(call, "call %s -> %s", call_state_name(c->state), call_state_name(st));
	c->state = st;
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_str(d, "state", call_state_name(st));
		(void)json_obj_set_str(d, "remote", c->remote_uri);
		(void)json_obj_set_bool(d, "encrypted", c->encrypted);
		terminal_event(c->t, "call_state", d);
	}
}

/* a free even port pair for RTP/RTCP in the configured range */
static uint16_t port_pair(struct terminal *t)
{
	uint16_t lo = (uint16_t)conf_int(t->conf, "media.rtp_port_min");

	for (int i = 0; i < 500; i++) {
		struct net_addr a, b;
		int f1, f2;
		uint16_t p;

		if (t->next_port < lo || t->next_port > lo + 2000)
			t->next_port = lo;
		p = t->next_port;
		t->next_port = (uint16_t)(t->next_port + 2);
		if (net_addr_set(&a, t->local_ip, 0) < 0)
			return 0;
		if (net_udp_bind_pair(&a, &b, p, &f1, &f2) == 0) {
			close(f1);
			close(f2);
			return p;
		}
	}
	return 0;
}

static enum sdp_enc_policy enc_policy(struct terminal *t, bool secure_sig)
{
	int e = conf_enum(t->conf, "media.encryption");

	/* SDES keys travel in SDP: only over a TLS hop (RFC 4568 8.3) */
	if (e == 2)
		return SDP_ENC_OFF;
	if (!secure_sig)
		return e == 0 ? SDP_ENC_REQUIRED : SDP_ENC_OFF;
	return e == 0 ? SDP_ENC_REQUIRED : SDP_ENC_PREFERRED;
}

/* We offer RTP/AVP or RTP/SAVP with a=rtcp-fb lines, as room systems in the
 * field do: AVPF-aware peers use the feedback, strict AVP/SAVP peers
 * (baresip's srtp-mand) accept the offer instead of answering 488. */
static int local_init(struct tcall *c, bool secure_sig)
{
	struct terminal *t = c->t;
	struct sdp_local *l = &c->loc;
	uint16_t ap = port_pair(t), vp = port_pair(t);
	size_t kl;

	if (!ap || !vp)
		return -EADDRINUSE;
	memset(l, 0, sizeof(*l));
	l->addr = t->local_ip;
	l->cname = t->aor;
	l->sess_id = rand32();
	l->sess_ver = 1;
	l->enc = enc_policy(t, secure_sig);
	l->audio = (struct sdp_local_media){
		.enable = true, .port = ap, .dir = SDP_DIR_SENDRECV, .ssrc = rand32(),
		.pt = PT_OPUS, .te_pt = PT_TE, .level_ext_id = 1,
		.opus = { .maxaveragebitrate = (uint32_t)conf_int(t->conf, "audio.bitrate"),
			  .useinbandfec = conf_bool(t->conf, "audio.fec"),
			  .usedtx = conf_bool(t->conf, "audio.dtx"),
			  .ptime = (uint32_t)atoi(conf_str(t->conf, "audio.ptime")) },
	};
	l->video = (struct sdp_local_media){
		.enable = true, .port = vp, .dir = SDP_DIR_SENDRECV, .ssrc = rand32(),
		.rtx_ssrc = rand32(), .pt = PT_H264, .rtx_pt = PT_RTX,
		.bw_as = (uint32_t)conf_int(t->conf, "video.bitrate_kbps"),
		.h264 = { .profile_level_id = conf_enum(t->conf, "video.profile") == 1 ?
				0x64001f : 0x42e01f,
			  .packetization_mode = 1, .level_asymmetry_allowed = true },
	};
	if (rtp_srtp_key_generate(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, l->audio.key,
				  sizeof(l->audio.key), &kl) < 0 ||
	    rtp_srtp_key_generate(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, l->video.key,
				  sizeof(l->video.key), &kl) < 0 ||
	    rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, l->audio.key_gcm,
				  sizeof(l->audio.key_gcm), &kl) < 0 ||
	    rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, l->video.key_gcm,
				  sizeof(l->video.key_gcm), &kl) < 0)
		return -EIO;
	return 0;
}

static enum msess_crypto crypto_of(enum sdp_suite s)
{
	switch (s) {
	case SDP_SUITE_AES_CM_128_HMAC_SHA1_80: return MSESS_CRYPTO_AES_CM_128_HMAC_SHA1_80;
	case SDP_SUITE_AES_CM_128_HMAC_SHA1_32: return MSESS_CRYPTO_AES_CM_128_HMAC_SHA1_32;
	case SDP_SUITE_AEAD_AES_128_GCM: return MSESS_CRYPTO_AEAD_AES_128_GCM;
	default: return MSESS_CRYPTO_NONE;
	}
}

/* media stream parameters from one negotiated m= section */
static int stream_params(struct tcall *c, const struct sdp_media_result *r,
			 const struct sdp_local_media *lm, struct msess_stream *st)
{
	struct terminal *t = c->t;
	int e;

	memset(st, 0, sizeof(*st));
	if (!r->active)
		return 0;
	st->enabled = true;
	st->dir = (enum msess_dir)r->dir;
	st->pt = r->pt;
	st->ssrc = lm->ssrc;
	st->rtx_ssrc = lm->rtx_ssrc;
	st->rtx_pt = r->rtx_pt >= 0 ? (uint8_t)r->rtx_pt : 0;
	st->remote_ssrc = r->remote_ssrc;
	st->rtcp_mux = r->mux;
	st->nack = r->fb & SDP_FB_NACK;
	st->pli = r->fb & SDP_FB_PLI;
	st->fir = r->fb & SDP_FB_FIR;
	if ((e = net_addr_set(&st->local, t->local_ip, r->local_rtp)) < 0 ||
	    (e = net_addr_set(&st->remote, r->remote_addr, r->remote_rtp)) < 0 ||
	    (e = net_addr_set(&st->remote_rtcp, r->remote_addr, r->remote_rtcp)) < 0)
		return e;
	if (r->secure) {
		st->crypto = crypto_of(r->suite);
		memcpy(st->tx_key, r->tx_key, r->keylen);
		memcpy(st->rx_key, r->rx_key, r->keylen);
	}
	if (r->kind == SDP_KIND_VIDEO) {
		st->width = (int)conf_int(t->conf, "video.width");
		st->height = (int)conf_int(t->conf, "video.height");
		st->fps = (int)conf_int(t->conf, "video.fps");
		st->bitrate_kbps = (int)conf_int(t->conf, "video.bitrate_kbps");
		if (r->bw_as && (int)r->bw_as < st->bitrate_kbps)
			st->bitrate_kbps = (int)r->bw_as;
		st->high_profile = conf_enum(t->conf, "video.profile") == 1 &&
				   (r->h264.profile_level_id >> 16) == 0x64;
	} else {
		st->frame_ms = atoi(conf_str(t->conf, "audio.ptime"));
		st->bitrate_bps = (int)conf_int(t->conf, "audio.bitrate");
		if (r->opus.maxaveragebitrate && (int)r->opus.maxaveragebitrate < st->bitrate_bps)
			st->bitrate_bps = (int)r->opus.maxaveragebitrate;
		st->fec = conf_bool(t->conf, "audio.fec");
		st->level_ext_id = r->level_ext_id;   /* RFC 6464 to a mixer that asked */
		st->dtx = conf_bool(t->conf, "audio.dtx");
		st->channels = 1;
		if (r->te_pt >= 0) {
			st->te_pt = (uint8_t)r->te_pt;
			st->te_clock = r->te_clock;
		}
	}
	return 0;
}

static void media_stop(struct tcall *c)
{
	if (c->ms) {
		msess_stop(c->ms);
		c->ms = msess_free(c->ms);
	}
	/* the media threads are gone: no stale picture on the next screen */
	tdisplay_frame(c->t->disp, TDISPLAY_FAR, NULL);
	tdisplay_frame(c->t->disp, TDISPLAY_SELF, NULL);
}

static int media_start(struct tcall *c)
{
	struct terminal *t = c->t;
	struct msess_params p = { .cname = t->aor };
	bool any_secure = false, all_secure = true;
	int r;

	for (unsigned i = 0; i < c->res.nmedia; i++) {
		const struct sdp_media_result *m = &c->res.m[i];

		if (!m->active)
			continue;
		if (m->kind == SDP_KIND_AUDIO)
			r = stream_params(c, m, &c->loc.audio, &p.audio);
		else if (m->kind == SDP_KIND_VIDEO)
			r = stream_params(c, m, &c->loc.video, &p.video);
		else
			continue;
		if (r < 0)
			return r;
		any_secure |= m->secure;
		all_secure &= m->secure;
	}
	c->encrypted = any_secure && all_secure;
	p.dev.vidsrc = conf_str(t->conf, "dev.camera");
	p.dev.vidsrc_args = conf_str(t->conf, "dev.camera_args");
	p.dev.audsrc = conf_str(t->conf, "dev.microphone");
	p.dev.audsrc_args = conf_str(t->conf, "dev.microphone_args");
	if (t->disp) {
		/* the compositor owns the display: frames come through the tap */
		p.dev.vidsink = "null";
		p.dev.vidsink_args = "";
		p.tap = terminal_ui_tap;
		p.tap_arg = t->disp;
	} else {
		p.dev.vidsink = conf_str(t->conf, "dev.display");
		p.dev.vidsink_args = conf_str(t->conf, "dev.display_args");
	}
	p.dev.venc = conf_str(t->conf, "dev.encoder");
	p.dev.venc_args = conf_str(t->conf, "dev.encoder_args");
	p.dev.vdec = conf_str(t->conf, "dev.decoder");
	p.dev.vdec_args = conf_str(t->conf, "dev.decoder_args");
	p.dev.audsink = conf_str(t->conf, "dev.speaker");
	p.dev.audsink_args = conf_str(t->conf, "dev.speaker_args");
	p.aproc.aec = conf_bool(t->conf, "audio.aec");
	p.aproc.ns = conf_bool(t->conf, "audio.ns");
	p.aproc.agc = conf_bool(t->conf, "audio.agc");
	media_stop(c);
	r = msess_new(&c->ms, &p);
	if (r < 0)
		return log_err_errno(call, r, "media session: %m");
	msess_mute_audio(c->ms, t->mic_muted);
	msess_mute_video(c->ms, t->cam_muted);
	r = msess_start(c->ms, t->media_events);
	if (r < 0) {
		c->ms = msess_free(c->ms);
		return log_err_errno(call, r, "media start: %m");
	}
	return 0;
}

static void call_free(struct tcall *c)
{
	struct terminal *t = c->t;
	struct call_rec rec = { .incoming = c->incoming, .answered = c->answered,
				.start_wall_us = c->start_wall_us, .encrypted = c->encrypted };

	loop_timer_stop(t->loop, &c->auto_answer);
	media_stop(c);
	snprintf(rec.remote_uri, sizeof(rec.remote_uri), "%s", c->remote_uri);
	snprintf(rec.remote_name, sizeof(rec.remote_name), "%s", c->remote_name);
	if (c->connect_us)
		rec.duration_s = (uint32_t)((clock_now_us() - c->connect_us) / 1000000);
	terminal_history_add(t, &rec);
	free(c->answer);
	if (t->call == c)
		t->call = NULL;
	free(c);
}

/* --- SIP call handlers ------------------------------------------------------ */

static void on_progress(struct sip_call *sc, uint16_t code, const char *sdp, void *arg)
{
	struct tcall *c = arg;

	if (code >= 180 && c->state == CALL_DIALING)
		set_state(c, CALL_RINGING_OUT);
}

static void on_established(struct sip_call *sc, const char *sdp, void *arg)
{
	struct tcall *c = arg;
	int r;

	c->connect_us = clock_now_us();
	c->answered = true;
	if (!c->incoming) {
		r = sdp ? sdp_nego_apply_answer(&c->loc, sdp, strlen(sdp), &c->res) : -EPROTO;
		if (r == 0)
			r = media_start(c);
		if (r < 0) {
			log_err(call, "the answer cannot be used (%s): hanging up", strerror(-r));
			set_state(c, CALL_ENDING);
			(void)sip_call_hangup(sc);
			return;
		}
	}
	set_state(c, CALL_CONNECTED);
}

static void apply_dirs(struct tcall *c)
{
	bool held = false;

	for (unsigned i = 0; i < c->res.nmedia; i++) {
		const struct sdp_media_result *m = &c->res.m[i];

		if (!m->active)
			continue;
		if (m->dir != SDP_DIR_SENDRECV)
			held = true;
		if (c->ms)
			msess_set_dir(c->ms, m->kind == SDP_KIND_VIDEO, (enum msess_dir)m->dir);
	}
	set_state(c, held ? CALL_HELD : CALL_CONNECTED);
}

/* the far end's re-INVITE */
static char *on_offer(struct sip_call *sc, const char *sdp, void *arg)
{
	struct tcall *c = arg;
	struct sdp_result res;
	struct buf *out;
	char *ans = NULL;
	enum sdp_dir want = c->hold_local ? SDP_DIR_INACTIVE : SDP_DIR_SENDRECV;

	if (!sdp || buf_new(&out, 2048) < 0)
		return NULL;
	c->loc.audio.dir = c->loc.video.dir = want;
	c->loc.sess_ver++;
	if (sdp_nego_answer(&c->loc, sdp, strlen(sdp), out, &res) == 0 &&
	    buf_append(out, "", 1) == 0) {
		bool moved = false;

		for (unsigned i = 0; i < res.nmedia && i < c->res.nmedia; i++)
			moved |= res.m[i].remote_rtp != c->res.m[i].remote_rtp ||
				 strcmp(res.m[i].remote_addr, c->res.m[i].remote_addr) != 0 ||
				 memcmp(res.m[i].rx_key, c->res.m[i].rx_key, sizeof(res.m[i].rx_key));
		c->res = res;
		c->hold_remote = false;
		for (unsigned i = 0; i < res.nmedia; i++)
			if (res.m[i].active && !(res.m[i].dir & SDP_DIR_RECVONLY))
				c->hold_remote = true;
		if (moved)
			(void)media_start(c);
		apply_dirs(c);
		ans = strdup((char *)out->data);
	}
	buf_unref(out);
	return ans;
}

static void on_reinvite_done(struct sip_call *sc, uint16_t code, const char *sdp, void *arg)
{
	struct tcall *c = arg;

	if (code >= 200 && code < 300 && sdp &&
	    sdp_nego_apply_answer(&c->loc, sdp, strlen(sdp), &c->res) == 0) {
		apply_dirs(c);
		return;
	}
	log_warn(call, "re-INVITE failed with %u, keeping the previous media", code);
	c->hold_local = !c->hold_local;
}

static void on_info(struct sip_call *sc, const char *ctype, const char *body, size_t len,
		    void *arg)
{
	struct tcall *c = arg;
	const char *sig;
	struct json *d = NULL;

	/* SIP INFO DTMF (application/dtmf-relay: "Signal=5") */
	if (!ctype || strcasecmp(ctype, "application/dtmf-relay") != 0 || !body)
		return;
	sig = strstr(body, "Signal=");
	if (!sig || !sig[7] || json_new_object(&d) < 0)
		return;
	{
		char digit[2] = { sig[7], 0 };

		(void)json_obj_set_str(d, "digit", digit);
		(void)json_obj_set_str(d, "via", "info");
		terminal_event(c->t, "dtmf_received", d);
	}
}

static void on_ended(struct sip_call *sc, uint16_t code, const char *reason, void *arg)
{
	struct tcall *c = arg;
	struct json *d = NULL;

	log_info(call, "call ended: %u %s", code, reason ? reason : "");
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_str(d, "remote", c->remote_uri);
		(void)json_obj_set_int(d, "code", code);
		(void)json_obj_set_str(d, "reason", reason ? reason : "");
		terminal_event(c->t, "call_ended", d);
	}
	c->sc = NULL;
	set_state(c, CALL_IDLE);
	call_free(c);
}

static const struct sip_call_handlers handlers = {
	.progress = on_progress,
	.established = on_established,
	.offer = on_offer,
	.reinvite_done = on_reinvite_done,
	.info = on_info,
	.ended = on_ended,
};

static bool uri_secure(const char *uri)
{
	return strncmp(uri, "sips:", 5) == 0 || strstr(uri, "transport=tls");
}

int call_dial(struct terminal *t, const char *uri, char *err, size_t errlen)
{
	struct tcall *c;
	struct buf *offer;
	int r;

	if (t->call) {
		snprintf(err, errlen, "a call is already in progress");
		return -EBUSY;
	}
	if (strncmp(uri, "sip:", 4) != 0 && strncmp(uri, "sips:", 5) != 0) {
		snprintf(err, errlen, "not a sip: or sips: URI");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->t = t;
	c->start_us = clock_now_us();
	c->start_wall_us = clock_wall_us();
	snprintf(c->remote_uri, sizeof(c->remote_uri), "%s", uri);
	/* the first hop is TLS when the URI or our outbound transport says so */
	c->secure_sig = uri_secure(uri) || conf_enum(t->conf, "sip.transport") == 2;
	r = local_init(c, c->secure_sig);
	if (r == 0 && c->loc.enc == SDP_ENC_REQUIRED && !c->secure_sig) {
		snprintf(err, errlen, "media encryption is required but the signalling to %s is "
			 "not TLS (use a sips: URI or sip.transport = tls)", uri);
		r = -EPERM;
	}
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "cannot prepare media: %s", strerror(-r));
		free(c);
		return r;
	}
	r = buf_new(&offer, 4096);
	if (r == 0)
		r = sdp_nego_offer(&c->loc, offer);
	if (r == 0)
		r = buf_append(offer, "", 1);
	if (r == 0) {
		t->call = c;
		set_state(c, CALL_DIALING);
		r = sip_call_invite(t->ua, uri, (char *)offer->data, &handlers, c, &c->sc);
	}
	buf_unref(offer);
	if (r < 0) {
		snprintf(err, errlen, "INVITE failed: %s", strerror(-r));
		t->call = NULL;
		free(c);
		return r;
	}
	return 0;
}

static void on_auto_answer(struct loop *l, struct loop_timer *tm, void *arg)
{
	struct tcall *c = arg;
	char err[128];

	if (c->state != CALL_RINGING_IN)
		return;
	if (conf_bool(c->t->conf, "call.auto_answer_muted"))
		call_set_mute(c->t, true, c->t->cam_muted);
	(void)call_answer(c->t, err, sizeof(err));
}

void call_incoming(struct sip_ua *ua, struct sip_call *sc, const char *sdp, void *arg)
{
	struct terminal *t = arg;
	struct tcall *c;
	struct buf *ans = NULL;
	struct json *d = NULL;
	int r;

	if (t->call || t->quitting) {
		(void)sip_call_reject(sc, 486, "Busy Here");
		return;
	}
	if (conf_bool(t->conf, "call.dnd")) {
		(void)sip_call_reject(sc, 486, "Do Not Disturb");
		return;
	}
	if (!sdp) {
		(void)sip_call_reject(sc, 488, "Offer Required");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		(void)sip_call_reject(sc, 500, "Out Of Memory");
		return;
	}
	c->t = t;
	c->sc = sc;
	c->incoming = true;
	c->start_us = clock_now_us();
	c->start_wall_us = clock_wall_us();
	c->secure_sig = sip_call_secure(sc);
	snprintf(c->remote_uri, sizeof(c->remote_uri), "%s", sip_call_remote_uri(sc));
	snprintf(c->remote_name, sizeof(c->remote_name), "%s", sip_call_remote_display(sc));
	r = local_init(c, c->secure_sig);
	if (r == 0)
		r = buf_new(&ans, 4096);
	if (r == 0)
		r = sdp_nego_answer(&c->loc, sdp, strlen(sdp), ans, &c->res);
	if (r == 0)
		r = buf_append(ans, "", 1);
	if (r < 0) {
		log_info(call, "incoming call from %s refused: %s", c->remote_uri,
			 r == -EPROTO ? "media cannot be met (encryption policy or codecs)" :
				       strerror(-r));
		(void)sip_call_reject(sc, r == -EPROTO ? 488 : 500,
				      r == -EPROTO ? "Not Acceptable Here" : "Server Error");
		buf_unref(ans);
		free(c);
		return;
	}
	c->answer = strdup((char *)ans->data);
	buf_unref(ans);
	t->call = c;
	sip_call_set_handlers(sc, &handlers, c);
	(void)sip_call_answer(sc, 180, NULL);
	set_state(c, CALL_RINGING_IN);
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_str(d, "remote", c->remote_uri);
		(void)json_obj_set_str(d, "display", c->remote_name);
		(void)json_obj_set_bool(d, "encrypted", c->res.nmedia && c->res.m[0].secure);
		terminal_event(t, "incoming_call", d);
	}
	if (conf_enum(t->conf, "call.auto_answer") == 1)
		(void)loop_timer_start(t->loop, &c->auto_answer,
				       (uint64_t)conf_int(t->conf, "call.auto_answer_delay_ms") * 1000,
				       0, on_auto_answer, c);
}

int call_answer(struct terminal *t, char *err, size_t errlen)
{
	struct tcall *c = t->call;
	int r;

	if (!c || c->state != CALL_RINGING_IN) {
		snprintf(err, errlen, "no incoming call to answer");
		return -ENOENT;
	}
	loop_timer_stop(t->loop, &c->auto_answer);
	terminal_ring(t, false);        /* the speaker is the media session's now */
	/* media first, so that nothing of the first words is lost */
	r = media_start(c);
	if (r < 0) {
		snprintf(err, errlen, "cannot start media: %s", strerror(-r));
		(void)sip_call_reject(c->sc, 500, "Media Failure");
		return r;
	}
	r = sip_call_answer(c->sc, 200, c->answer);
	if (r < 0) {
		snprintf(err, errlen, "answer failed: %s", strerror(-r));
		return r;
	}
	c->answered = true;
	c->connect_us = clock_now_us();
	set_state(c, CALL_CONNECTED);
	return 0;
}

int call_reject(struct terminal *t, char *err, size_t errlen)
{
	struct tcall *c = t->call;

	if (!c || c->state != CALL_RINGING_IN) {
		snprintf(err, errlen, "no incoming call to reject");
		return -ENOENT;
	}
	set_state(c, CALL_ENDING);
	return sip_call_reject(c->sc, 603, "Decline");
}

int call_hangup(struct terminal *t, char *err, size_t errlen)
{
	struct tcall *c = t->call;

	if (!c) {
		snprintf(err, errlen, "no call");
		return -ENOENT;
	}
	if (c->state == CALL_ENDING)
		return 0;
	media_stop(c);
	set_state(c, CALL_ENDING);
	return c->sc ? sip_call_hangup(c->sc) : 0;
}

int call_hold(struct terminal *t, bool hold, char *err, size_t errlen)
{
	struct tcall *c = t->call;
	struct buf *offer;
	int r;

	if (!c || (c->state != CALL_CONNECTED && c->state != CALL_HELD)) {
		snprintf(err, errlen, "no connected call");
		return -ENOENT;
	}
	if (c->hold_local == hold)
		return 0;
	c->hold_local = hold;
	c->loc.audio.dir = c->loc.video.dir = hold ? SDP_DIR_INACTIVE : SDP_DIR_SENDRECV;
	c->loc.sess_ver++;
	r = buf_new(&offer, 4096);
	if (r == 0)
		r = sdp_nego_offer(&c->loc, offer);
	if (r == 0)
		r = buf_append(offer, "", 1);
	if (r == 0)
		r = sip_call_reinvite(c->sc, (char *)offer->data);
	buf_unref(offer);
	if (r < 0) {
		c->hold_local = !hold;
		snprintf(err, errlen, "re-INVITE failed: %s", strerror(-r));
	}
	return r;
}

int call_dtmf(struct terminal *t, const char *digits, char *err, size_t errlen)
{
	struct tcall *c = t->call;
	int r;

	if (!c || !c->ms || c->state != CALL_CONNECTED) {
		snprintf(err, errlen, "no connected call");
		return -ENOENT;
	}
	r = msess_send_dtmf(c->ms, digits);
	if (r == -ENOTSUP) {
		/* the far end has no telephone-event: SIP INFO per digit */
		for (const char *d = digits; *d; d++) {
			char body[64];

			snprintf(body, sizeof(body), "Signal=%c\r\nDuration=160\r\n", *d);
			r = sip_call_info(c->sc, "application/dtmf-relay", body);
			if (r < 0)
				break;
		}
	}
	if (r < 0)
		snprintf(err, errlen, "DTMF failed: %s", strerror(-r));
	return r;
}

void call_set_mute(struct terminal *t, bool mic, bool cam)
{
	struct json *d = NULL;

	t->mic_muted = mic;
	t->cam_muted = cam;
	if (t->call && t->call->ms) {
		msess_mute_audio(t->call->ms, mic);
		msess_mute_video(t->call->ms, cam);
	}
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_bool(d, "microphone", mic);
		(void)json_obj_set_bool(d, "camera", cam);
		terminal_event(t, "mute", d);
	}
}

void call_on_media_event(struct terminal *t, int type, int64_t val)
{
	struct json *d = NULL;

	if (!t->call)
		return;
	switch (type) {
	case MSESS_EV_DTMF:
		if (json_new_object(&d) == 0) {
			char digit[2] = { (char)val, 0 };

			(void)json_obj_set_str(d, "digit", digit);
			(void)json_obj_set_str(d, "via", "rtp");
			terminal_event(t, "dtmf_received", d);
		}
		break;
	case MSESS_EV_FIRST_VIDEO:
		terminal_event(t, "first_video", NULL);
		break;
	case MSESS_EV_FIRST_AUDIO:
		terminal_event(t, "first_audio", NULL);
		break;
	case MSESS_EV_RTP_TIMEOUT:
		log_warn(call, "no media from the far end for 10 s");
		terminal_event(t, "media_timeout", NULL);
		break;
	default:
		break;
	}
}

struct json *call_status_json(struct terminal *t)
{
	struct tcall *c = t->call;
	struct json *d = NULL, *st = NULL;
	char *txt;
	char err[64];

	if (json_new_object(&d) < 0)
		return NULL;
	if (!c) {
		(void)json_obj_set_str(d, "state", "idle");
		return d;
	}
	(void)json_obj_set_str(d, "state", call_state_name(c->state));
	(void)json_obj_set_str(d, "direction", c->incoming ? "incoming" : "outgoing");
	(void)json_obj_set_str(d, "remote", c->remote_uri);
	(void)json_obj_set_str(d, "display", c->remote_name);
	(void)json_obj_set_bool(d, "encrypted", c->encrypted);
	(void)json_obj_set_bool(d, "signalling_tls", c->secure_sig);
	(void)json_obj_set_bool(d, "held_local", c->hold_local);
	(void)json_obj_set_bool(d, "held_remote", c->hold_remote);
	(void)json_obj_set_int(d, "duration_s",
			       c->connect_us ? (int64_t)((clock_now_us() - c->connect_us) / 1000000) : 0);
	if (c->ms) {
		struct msess_stats ms;
		char js[4096];

		msess_get_stats(c->ms, &ms);
		if (msess_stats_json(&ms, js, sizeof(js)) == 0 &&
		    json_parse(&st, js, strlen(js), NULL, err, sizeof(err)) == 0)
			(void)json_obj_set(d, "media", st);
	}
	(void)txt;
	return d;
}

void call_shutdown(struct terminal *t)
{
	char err[64];

	if (t->call)
		(void)call_hangup(t, err, sizeof(err));
}

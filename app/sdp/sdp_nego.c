/* sdp_nego.c: SDP offer/answer (RFC 3264) for the room terminal: Opus +
 * telephone-event audio, H.264 packetization-mode 1 video, SDES-SRTP.
 *
 * DESIGN
 * Pure functions: sdp_local (our capabilities, ports, keys) in, SDP text and
 * struct sdp_result out; the caller keeps the sdp_local it offered with to
 * apply the answer later. Per offered m= line the answerer picks the first
 * acceptable format in the offerer's order (so its preference wins), reuses the
 * offerer's payload types, and rejects (port 0) what it cannot meet; with no
 * stream left the caller answers 488 (-EPROTO).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "sdp/sdp_int.h"
#include "sdp/sdp_nego.h"

static int pf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	r = buf_reserve(b, b->len + (size_t)n + 1);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

static const enum sdp_suite default_suites[] = {
	SDP_SUITE_AEAD_AES_128_GCM,
	SDP_SUITE_AES_CM_128_HMAC_SHA1_80,
	SDP_SUITE_AES_CM_128_HMAC_SHA1_32,
	SDP_SUITE_NONE,
};

struct proto {
	bool rtp, secure, avpf, dtls;
};

static bool proto_parse(const struct pl *p, struct proto *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (pl_eq_str(p, "RTP/AVP")) {
		ret->rtp = true;
	} else if (pl_eq_str(p, "RTP/AVPF")) {
		ret->rtp = ret->avpf = true;
	} else if (pl_eq_str(p, "RTP/SAVP")) {
		ret->rtp = ret->secure = true;
	} else if (pl_eq_str(p, "RTP/SAVPF")) {
		ret->rtp = ret->secure = ret->avpf = true;
	} else if (pl_eq_str(p, "UDP/TLS/RTP/SAVP") || pl_eq_str(p, "UDP/TLS/RTP/SAVPF")) {
		ret->dtls = ret->secure = true;
		ret->avpf = p->l == 17;
	} else {
		return false;
	}
	return true;
}

static enum sdp_kind kind_of(const struct pl *type)
{
	if (pl_eq_str(type, "audio"))
		return SDP_KIND_AUDIO;
	if (pl_eq_str(type, "video"))
		return SDP_KIND_VIDEO;
	return SDP_KIND_OTHER;
}

static enum sdp_dir dir_reverse(enum sdp_dir d)
{
	return (enum sdp_dir)(((d & 1) << 1) | ((d & 2) >> 1));
}

static bool fmt_pt(const struct pl *fmt, uint8_t *pt)
{
	uint32_t v;

	if (pl_u32(fmt, &v) < 0 || v > 127)
		return false;
	*pt = (uint8_t)v;
	return true;
}

static uint32_t fmtp_u32(const struct pl *fmtp, const char *name, uint32_t def)
{
	struct pl v;
	uint32_t n;

	if (sdp_fmtp_param(fmtp, name, &v) < 0 || pl_u32(&v, &n) < 0)
		return def;
	return n;
}

static uint32_t attr_u32(const struct sdp_media *m, const char *name)
{
	const struct sdp_attr *a = sdp_media_attr(m, name, 0);
	uint32_t n;

	if (!a || !a->val.p)
		return 0;
	return pl_u32(&a->val, &n) < 0 ? 0 : n;
}

static void opus_parse(const struct sdp_media *m, uint8_t pt, struct sdp_opus *o)
{
	struct pl f = sdp_media_fmtp(m, pt);

	memset(o, 0, sizeof(*o));
	o->maxaveragebitrate = fmtp_u32(&f, "maxaveragebitrate", 0);
	o->useinbandfec = fmtp_u32(&f, "useinbandfec", 0) == 1;
	o->usedtx = fmtp_u32(&f, "usedtx", 0) == 1;
	o->stereo = fmtp_u32(&f, "stereo", 0) == 1;
	o->sprop_stereo = fmtp_u32(&f, "sprop-stereo", 0) == 1;
	o->ptime = attr_u32(m, "ptime");
	o->maxptime = attr_u32(m, "maxptime");
}

static void h264_parse(const struct pl *f, struct sdp_h264 *h)
{
	struct pl v;
	uint32_t plid = 0x42000a; /* RFC 6184 default: baseline level 1.0 */

	memset(h, 0, sizeof(*h));
	if (sdp_fmtp_param(f, "profile-level-id", &v) == 0 && v.l == 6) {
		uint32_t x = 0;
		size_t i;

		for (i = 0; i < 6; i++) {
			char c = v.p[i] | 0x20;

			if (c >= '0' && c <= '9')
				x = x << 4 | (uint32_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				x = x << 4 | (uint32_t)(c - 'a' + 10);
			else
				break;
		}
		if (i == 6)
			plid = x;
	}
	h->profile_level_id = plid;
	h->packetization_mode = (int)fmtp_u32(f, "packetization-mode", 0);
	h->max_fs = fmtp_u32(f, "max-fs", 0);
	h->max_mbps = fmtp_u32(f, "max-mbps", 0);
	h->max_br = fmtp_u32(f, "max-br", 0);
	h->level_asymmetry_allowed = fmtp_u32(f, "level-asymmetry-allowed", 0) == 1;
}

static bool rtpmap_is(const struct sdp_media *m, uint8_t pt, const char *name, uint32_t clock,
		      uint32_t channels)
{
	struct sdp_rtpmap r;

	if (sdp_media_rtpmap(m, pt, &r) < 0 || !pl_case_eq_str(&r.name, name))
		return false;
	return (!clock || r.clock == clock) && (!channels || r.channels == channels);
}

/* choose the codec of an offered m= line; -ENOENT when none fits */
static int choose_codec(const struct sdp_media *m, struct sdp_media_result *res)
{
	unsigned i;
	uint8_t pt;

	res->te_pt = -1;
	res->rtx_pt = -1;
	for (i = 0; i < m->nfmt; i++) {
		struct pl f;

		if (!fmt_pt(&m->fmt[i], &pt))
			continue;
		if (res->kind == SDP_KIND_AUDIO && rtpmap_is(m, pt, "opus", 48000, 2)) {
			res->pt = pt;
			res->clock = 48000;
			res->channels = 2;
			opus_parse(m, pt, &res->opus);
			goto found;
		}
		if (res->kind != SDP_KIND_VIDEO || !rtpmap_is(m, pt, "H264", 90000, 0))
			continue;
		f = sdp_media_fmtp(m, pt);
		h264_parse(&f, &res->h264);
		if (res->h264.packetization_mode == 1) {
			res->pt = pt;
			res->clock = 90000;
			res->channels = 1;
			goto found;
		}
	}
	return -ENOENT;
found:
	for (i = 0; i < m->nfmt; i++) {
		struct sdp_rtpmap r;
		struct pl f;

		if (!fmt_pt(&m->fmt[i], &pt) || sdp_media_rtpmap(m, pt, &r) < 0)
			continue;
		if (res->kind == SDP_KIND_AUDIO && pl_case_eq_str(&r.name, "telephone-event") &&
		    (res->te_pt < 0 || r.clock == res->clock)) {
			res->te_pt = pt;
			res->te_clock = r.clock;
		}
		f = sdp_media_fmtp(m, pt);
		if (res->kind == SDP_KIND_VIDEO && pl_case_eq_str(&r.name, "rtx") &&
		    r.clock == 90000 && res->rtx_pt < 0 && fmtp_u32(&f, "apt", 256) == res->pt)
			res->rtx_pt = pt;
	}
	res->fb = sdp_media_rtcp_fb(m, res->pt) & (SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR);
	return 0;
}

static const struct sdp_local_media *local_media(const struct sdp_local *loc, enum sdp_kind k)
{
	if (k == SDP_KIND_AUDIO)
		return &loc->audio;
	if (k == SDP_KIND_VIDEO)
		return &loc->video;
	return NULL;
}

static const uint8_t *local_key(const struct sdp_local_media *lm, enum sdp_suite s)
{
	return s == SDP_SUITE_AEAD_AES_128_GCM ? lm->key_gcm : lm->key;
}

/* strongest offered crypto we accept: 0, -ENOENT */
static int choose_crypto(const struct sdp_local *loc, const struct sdp_media *m,
			 struct sdp_crypto *ret)
{
	const enum sdp_suite *s = loc->suites ? loc->suites : default_suites;
	const struct sdp_attr *a;
	unsigned i;

	for (; *s != SDP_SUITE_NONE; s++)
		for (i = 0; (a = sdp_media_attr(m, "crypto", i)); i++)
			if (sdp_crypto_parse(ret, &a->val) == 0 && ret->suite == *s)
				return 0;
	return -ENOENT;
}

#define URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

/* the id (1..14: RFC 8285 one-byte form, what our sender writes) of the
 * peer's RFC 6464 audio level extension, 0 when absent or not usable */
static uint8_t extmap_level_id(const struct sdp_media *m)
{
	const struct sdp_attr *a;

	for (unsigned n = 0; (a = sdp_media_attr(m, "extmap", n)); n++) {
		struct pl rest = a->val, idf, uri, idnum;
		const char *slash;
		uint32_t id;

		if (!a->val.p || !sdp_next_field(&rest, &idf) || !sdp_next_field(&rest, &uri))
			continue;
		idnum = idf;
		slash = memchr(idf.p, '/', idf.l);
		if (slash)
			idnum.l = (size_t)(slash - idf.p);
		if (pl_u32(&idnum, &id) == 0 && id >= 1 && id <= 14 && pl_eq_str(&uri, URI_AUDIO_LEVEL))
			return (uint8_t)id;
	}
	return 0;
}

static void transport(const struct sdp_sess *s, const struct sdp_media *m,
		      const struct sdp_local_media *lm, struct sdp_media_result *res)
{
	const struct sdp_conn *c = sdp_media_conn(s, m);
	const struct sdp_attr *a;

	res->mux = lm->rtcp_mux && sdp_media_attr(m, "rtcp-mux", 0);
	res->remote_rtp = (uint16_t)m->port;
	res->remote_rtcp = res->mux ? res->remote_rtp : (uint16_t)(m->port + 1);
	a = sdp_media_attr(m, "rtcp", 0);
	if (a && a->val.p && !res->mux) {
		struct pl rest = a->val, port;
		uint32_t n;

		if (sdp_next_field(&rest, &port) && pl_u32(&port, &n) == 0 && n && n < 65536)
			res->remote_rtcp = (uint16_t)n;
	}
	if (c)
		(void)pl_strcpy(&c->addr, res->remote_addr, sizeof(res->remote_addr));
	res->local_rtp = lm->port;
	res->local_rtcp = res->mux ? lm->port : lm->rtcp_port ? lm->rtcp_port
							     : (uint16_t)(lm->port + 1);
	res->bw_as = m->bw_as ? m->bw_as : s->bw_as;
	res->bw_tias = m->bw_tias ? m->bw_tias : s->bw_tias;
	if (sdp_media_fid(m, &res->remote_ssrc, &res->remote_rtx_ssrc) < 0) {
		res->remote_rtx_ssrc = 0;
		if (sdp_media_ssrc(m, &res->remote_ssrc) < 0)
			res->remote_ssrc = 0;
	}
}

/* negotiate one offered m= line; false: reject it */
static bool answer_media(const struct sdp_local *loc, const struct sdp_sess *s,
			 const struct sdp_media *m, const bool *used,
			 struct sdp_media_result *res)
{
	const struct sdp_local_media *lm;
	struct sdp_crypto c;
	struct proto pr;
	bool have_crypto;

	res->kind = kind_of(&m->type);
	lm = local_media(loc, res->kind);
	if (!lm || !lm->enable || !m->port || used[res->kind])
		return false;
	if (!proto_parse(&m->proto, &pr) || !pr.rtp)
		return false; /* DTLS-SRTP and non-RTP are not supported */
	have_crypto = choose_crypto(loc, m, &c) == 0;
	if (pr.secure && !have_crypto)
		return false;
	if (loc->enc == SDP_ENC_REQUIRED && !have_crypto)
		return false;
	if (loc->enc == SDP_ENC_OFF && pr.secure)
		return false;
	if (choose_codec(m, res) < 0)
		return false;
	if (res->kind == SDP_KIND_VIDEO && !lm->rtx_ssrc)
		res->rtx_pt = -1;
	if (have_crypto && loc->enc != SDP_ENC_OFF) {
		res->secure = true;
		res->suite = c.suite;
		res->crypto_tag = c.tag;
		res->keylen = c.keylen;
		memcpy(res->rx_key, c.key, c.keylen);
		memcpy(res->tx_key, local_key(lm, c.suite), c.keylen);
	}
	res->avpf = pr.avpf;
	if (res->kind == SDP_KIND_AUDIO && lm->level_ext_id)
		res->level_ext_id = extmap_level_id(m);
	transport(s, m, lm, res);
	res->dir = dir_reverse(sdp_media_dir(s, m)) & lm->dir;
	res->active = true;
	return true;
}

/* ---- printing our side ---------------------------------------------------- */

static const char *ipver(const char *addr)
{
	return strchr(addr, ':') ? "IP6" : "IP4";
}

static int print_session(const struct sdp_local *loc, struct buf *b)
{
	return pf(b, "v=0\r\no=- %" PRIu64 " %" PRIu64 " IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n",
		  loc->sess_id, loc->sess_ver, ipver(loc->addr), loc->addr, ipver(loc->addr),
		  loc->addr);
}

static int print_opus_fmtp(struct buf *b, uint8_t pt, const struct sdp_opus *o)
{
	int r = pf(b, "a=fmtp:%u useinbandfec=%d;usedtx=%d", pt, o->useinbandfec, o->usedtx);

	if (r == 0 && o->stereo)
		r = pf(b, ";stereo=1;sprop-stereo=1");
	if (r == 0 && o->maxaveragebitrate)
		r = pf(b, ";maxaveragebitrate=%u", o->maxaveragebitrate);
	if (r == 0)
		r = pf(b, "\r\n");
	if (r == 0 && o->ptime)
		r = pf(b, "a=ptime:%u\r\n", o->ptime);
	if (r == 0 && o->maxptime)
		r = pf(b, "a=maxptime:%u\r\n", o->maxptime);
	return r;
}

static int print_h264_fmtp(struct buf *b, uint8_t pt, uint32_t plid, const struct sdp_h264 *h)
{
	int r = pf(b, "a=fmtp:%u profile-level-id=%06x;packetization-mode=1", pt, plid);

	if (r == 0 && h->level_asymmetry_allowed)
		r = pf(b, ";level-asymmetry-allowed=1");
	if (r == 0 && h->max_fs)
		r = pf(b, ";max-fs=%u", h->max_fs);
	if (r == 0 && h->max_mbps)
		r = pf(b, ";max-mbps=%u", h->max_mbps);
	if (r == 0 && h->max_br)
		r = pf(b, ";max-br=%u", h->max_br);
	return r ? r : pf(b, "\r\n");
}

static int print_fb(struct buf *b, uint8_t pt, unsigned fb)
{
	int r = 0;

	if (fb & SDP_FB_NACK)
		r = pf(b, "a=rtcp-fb:%u nack\r\n", pt);
	if (r == 0 && (fb & SDP_FB_PLI))
		r = pf(b, "a=rtcp-fb:%u nack pli\r\n", pt);
	if (r == 0 && (fb & SDP_FB_FIR))
		r = pf(b, "a=rtcp-fb:%u ccm fir\r\n", pt);
	return r;
}

static int print_common(const struct sdp_local *loc, const struct sdp_local_media *lm,
			struct buf *b, enum sdp_dir dir, bool mux, int rtx_pt)
{
	int r = 0;

	if (lm->bw_as)
		r = pf(b, "b=AS:%u\r\n", lm->bw_as);
	if (r == 0 && lm->bw_tias)
		r = pf(b, "b=TIAS:%u\r\n", lm->bw_tias);
	if (r == 0)
		r = pf(b, "a=%s\r\n", sdp_dir_name(dir));
	if (r == 0 && mux)
		r = pf(b, "a=rtcp-mux\r\n");
	else if (r == 0 && lm->rtcp_port && lm->rtcp_port != lm->port + 1)
		r = pf(b, "a=rtcp:%u\r\n", lm->rtcp_port);
	if (r == 0 && lm->ssrc && rtx_pt >= 0 && lm->rtx_ssrc)
		r = pf(b, "a=ssrc-group:FID %u %u\r\n", lm->ssrc, lm->rtx_ssrc);
	if (r == 0 && lm->ssrc)
		r = pf(b, "a=ssrc:%u cname:%s\r\n", lm->ssrc, loc->cname ? loc->cname : "rakwon");
	if (r == 0 && lm->ssrc && rtx_pt >= 0 && lm->rtx_ssrc)
		r = pf(b, "a=ssrc:%u cname:%s\r\n", lm->rtx_ssrc,
		       loc->cname ? loc->cname : "rakwon");
	return r;
}

static int print_crypto(struct buf *b, uint32_t tag, enum sdp_suite s, const uint8_t *key)
{
	struct sdp_crypto c = { .tag = tag, .suite = s, .keylen = sdp_suite_keylen(s) };
	int r;

	memcpy(c.key, key, c.keylen);
	r = pf(b, "a=crypto:");
	if (r == 0)
		r = sdp_crypto_print(b, &c);
	if (r == 0)
		r = pf(b, "\r\n");
	memset(&c, 0, sizeof(c));
	return r;
}

static uint32_t answer_plid(const struct sdp_local_media *lm, const struct sdp_h264 *peer)
{
	uint32_t ours = lm->h264.profile_level_id ? lm->h264.profile_level_id : 0x42e01f;

	if (peer->level_asymmetry_allowed)
		return ours;
	/* same profile as offered, level no higher than ours */
	return (peer->profile_level_id & 0xffff00) |
	       ((peer->profile_level_id & 0xff) < (ours & 0xff) ? (peer->profile_level_id & 0xff)
								: (ours & 0xff));
}

static int print_answer_media(const struct sdp_local *loc, const struct sdp_media *m,
			      const struct sdp_media_result *res, struct buf *b)
{
	const struct sdp_local_media *lm = local_media(loc, res->kind);
	int r;

	if (!res->active)
		return pf(b, "m=%.*s 0 %.*s %.*s\r\n", PL_FMT(m->type), PL_FMT(m->proto),
			  PL_FMT(m->fmt[0]));
	r = pf(b, "m=%.*s %u %.*s %u", PL_FMT(m->type), lm->port, PL_FMT(m->proto), res->pt);
	if (r == 0 && res->te_pt >= 0)
		r = pf(b, " %d", res->te_pt);
	if (r == 0 && res->rtx_pt >= 0)
		r = pf(b, " %d", res->rtx_pt);
	if (r == 0)
		r = pf(b, "\r\n");
	if (r == 0 && res->kind == SDP_KIND_AUDIO) {
		r = pf(b, "a=rtpmap:%u opus/48000/2\r\n", res->pt);
		if (r == 0)
			r = print_opus_fmtp(b, res->pt, &lm->opus);
		if (r == 0 && res->te_pt >= 0)
			r = pf(b, "a=rtpmap:%d telephone-event/%u\r\na=fmtp:%d 0-15\r\n",
			       res->te_pt, res->te_clock, res->te_pt);
		if (r == 0 && res->level_ext_id)
			r = pf(b, "a=extmap:%u %s\r\n", res->level_ext_id, URI_AUDIO_LEVEL);
	} else if (r == 0) {
		r = pf(b, "a=rtpmap:%u H264/90000\r\n", res->pt);
		if (r == 0)
			r = print_h264_fmtp(b, res->pt, answer_plid(lm, &res->h264), &lm->h264);
		if (r == 0 && res->rtx_pt >= 0)
			r = pf(b, "a=rtpmap:%d rtx/90000\r\na=fmtp:%d apt=%u\r\n", res->rtx_pt,
			       res->rtx_pt, res->pt);
		if (r == 0)
			r = print_fb(b, res->pt, res->fb);
	}
	if (r == 0)
		r = print_common(loc, lm, b, res->dir, res->mux, res->rtx_pt);
	if (r == 0 && res->secure)
		r = print_crypto(b, res->crypto_tag, res->suite, res->tx_key);
	return r;
}

int sdp_nego_answer(const struct sdp_local *loc, const char *offer, size_t len,
		    struct buf *out, struct sdp_result *ret)
{
	struct sdp_sess *s;
	struct sdp_result res;
	bool used[SDP_KIND_OTHER + 1] = { false };
	unsigned i, active = 0;
	size_t start;
	int r;

	if (!loc || !loc->addr || !out || !ret)
		return -EINVAL;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = sdp_parse(s, offer, len);
	if (r < 0)
		goto out;
	memset(&res, 0, sizeof(res));
	res.nmedia = s->nmedia;
	for (i = 0; i < s->nmedia; i++) {
		struct sdp_media_result *mr = &res.m[i];

		if (!answer_media(loc, s, &s->media[i], used, mr)) {
			memset(mr, 0, sizeof(*mr));
			mr->kind = kind_of(&s->media[i].type);
			mr->te_pt = mr->rtx_pt = -1;
			continue;
		}
		used[mr->kind] = true;
		active++;
	}
	r = -EPROTO;
	if (!active)
		goto out;
	start = out->len;
	r = print_session(loc, out);
	for (i = 0; r == 0 && i < s->nmedia; i++)
		r = print_answer_media(loc, &s->media[i], &res.m[i], out);
	if (r < 0) {
		out->len = start;
		goto out;
	}
	*ret = res;
out:
	memset(&res, 0, sizeof(res)); /* keys */
	free(s);
	return r;
}

/* ---- offerer side ---------------------------------------------------------- */

static const char *offer_proto(const struct sdp_local *loc, const struct sdp_local_media *lm)
{
	if (loc->enc == SDP_ENC_REQUIRED)
		return lm->avpf ? "RTP/SAVPF" : "RTP/SAVP";
	return lm->avpf ? "RTP/AVPF" : "RTP/AVP";
}

static int offer_media(const struct sdp_local *loc, enum sdp_kind k, struct buf *b)
{
	const struct sdp_local_media *lm = local_media(loc, k);
	const enum sdp_suite *s = loc->suites ? loc->suites : default_suites;
	bool rtx = k == SDP_KIND_VIDEO && lm->rtx_ssrc;
	uint32_t tag;
	int r;

	r = pf(b, "m=%s %u %s %u", k == SDP_KIND_AUDIO ? "audio" : "video", lm->port,
	       offer_proto(loc, lm), lm->pt);
	if (r == 0 && k == SDP_KIND_AUDIO && lm->te_pt)
		r = pf(b, " %u", lm->te_pt);
	if (r == 0 && rtx)
		r = pf(b, " %u", lm->rtx_pt);
	if (r == 0)
		r = pf(b, "\r\n");
	if (r == 0 && k == SDP_KIND_AUDIO) {
		r = pf(b, "a=rtpmap:%u opus/48000/2\r\n", lm->pt);
		if (r == 0)
			r = print_opus_fmtp(b, lm->pt, &lm->opus);
		if (r == 0 && lm->te_pt)
			r = pf(b, "a=rtpmap:%u telephone-event/48000\r\na=fmtp:%u 0-15\r\n",
			       lm->te_pt, lm->te_pt);
		if (r == 0 && lm->level_ext_id >= 1 && lm->level_ext_id <= 14)
			r = pf(b, "a=extmap:%u %s\r\n", lm->level_ext_id, URI_AUDIO_LEVEL);
	} else if (r == 0) {
		r = pf(b, "a=rtpmap:%u H264/90000\r\n", lm->pt);
		if (r == 0)
			r = print_h264_fmtp(b, lm->pt, lm->h264.profile_level_id ?
						       lm->h264.profile_level_id : 0x42e01f,
					    &lm->h264);
		if (r == 0 && rtx)
			r = pf(b, "a=rtpmap:%u rtx/90000\r\na=fmtp:%u apt=%u\r\n", lm->rtx_pt,
			       lm->rtx_pt, lm->pt);
		if (r == 0)
			r = print_fb(b, lm->pt, SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR);
	}
	if (r == 0)
		r = print_common(loc, lm, b, lm->dir, lm->rtcp_mux, rtx ? lm->rtx_pt : -1);
	for (tag = 1; r == 0 && loc->enc != SDP_ENC_OFF && *s != SDP_SUITE_NONE; s++, tag++)
		r = print_crypto(b, tag, *s, local_key(lm, *s));
	return r;
}

int sdp_nego_offer(const struct sdp_local *loc, struct buf *out)
{
	size_t start;
	int r;

	if (!loc || !loc->addr || !out || (!loc->audio.enable && !loc->video.enable))
		return -EINVAL;
	start = out->len;
	r = print_session(loc, out);
	if (r == 0 && loc->audio.enable)
		r = offer_media(loc, SDP_KIND_AUDIO, out);
	if (r == 0 && loc->video.enable)
		r = offer_media(loc, SDP_KIND_VIDEO, out);
	if (r < 0)
		out->len = start;
	return r;
}

static bool has_pt(const struct sdp_media *m, unsigned pt)
{
	unsigned i;
	uint8_t p;

	for (i = 0; i < m->nfmt; i++)
		if (fmt_pt(&m->fmt[i], &p) && p == pt)
			return true;
	return false;
}

/* the answer for one of our m= lines: 0 (maybe inactive), -EPROTO */
static int apply_media(const struct sdp_local *loc, const struct sdp_sess *s,
		       const struct sdp_media *m, enum sdp_kind k, struct sdp_media_result *res)
{
	const struct sdp_local_media *lm = local_media(loc, k);
	const enum sdp_suite *suites = loc->suites ? loc->suites : default_suites;
	const struct sdp_attr *a = sdp_media_attr(m, "crypto", 0);
	struct proto pr;
	struct pl f;

	res->kind = k;
	res->te_pt = res->rtx_pt = -1;
	if (kind_of(&m->type) != k || !pl_eq_str(&m->proto, offer_proto(loc, lm)))
		return -EPROTO;
	if (!m->port || !has_pt(m, lm->pt))
		return 0; /* rejected */
	proto_parse(&m->proto, &pr);
	res->avpf = pr.avpf;
	res->pt = lm->pt;
	if (k == SDP_KIND_AUDIO) {
		if (!rtpmap_is(m, lm->pt, "opus", 48000, 2))
			return -EPROTO;
		res->clock = 48000;
		res->channels = 2;
		opus_parse(m, lm->pt, &res->opus);
		if (lm->te_pt && has_pt(m, lm->te_pt)) {
			res->te_pt = lm->te_pt;
			res->te_clock = 48000;
		}
		/* the answerer echoes our id (RFC 8285 allows another: use theirs) */
		if (lm->level_ext_id)
			res->level_ext_id = extmap_level_id(m);
	} else {
		if (!rtpmap_is(m, lm->pt, "H264", 90000, 0))
			return -EPROTO;
		res->clock = 90000;
		res->channels = 1;
		f = sdp_media_fmtp(m, lm->pt);
		h264_parse(&f, &res->h264);
		if (res->h264.packetization_mode != 1)
			return -EPROTO;
		if (lm->rtx_ssrc && has_pt(m, lm->rtx_pt))
			res->rtx_pt = lm->rtx_pt;
	}
	res->fb = sdp_media_rtcp_fb(m, lm->pt) & (SDP_FB_NACK | SDP_FB_PLI | SDP_FB_FIR);
	if (a && loc->enc != SDP_ENC_OFF) {
		struct sdp_crypto c;
		uint32_t tag = 1;

		if (sdp_crypto_parse(&c, &a->val) < 0)
			return -EPROTO;
		for (; *suites != SDP_SUITE_NONE && tag != c.tag; suites++, tag++)
			;
		if (*suites == SDP_SUITE_NONE || *suites != c.suite)
			return -EPROTO;
		res->secure = true;
		res->suite = c.suite;
		res->crypto_tag = c.tag;
		res->keylen = c.keylen;
		memcpy(res->rx_key, c.key, c.keylen);
		memcpy(res->tx_key, local_key(lm, c.suite), c.keylen);
		memset(&c, 0, sizeof(c));
	}
	if (!res->secure && (pr.secure || loc->enc == SDP_ENC_REQUIRED))
		return -EPROTO;
	transport(s, m, lm, res);
	res->dir = dir_reverse(sdp_media_dir(s, m)) & lm->dir;
	res->active = true;
	return 0;
}

int sdp_nego_apply_answer(const struct sdp_local *loc, const char *answer, size_t len,
			  struct sdp_result *ret)
{
	struct sdp_sess *s;
	struct sdp_result res;
	enum sdp_kind kinds[2];
	unsigned i, n = 0, active = 0;
	int r;

	if (!loc || !ret)
		return -EINVAL;
	if (loc->audio.enable)
		kinds[n++] = SDP_KIND_AUDIO;
	if (loc->video.enable)
		kinds[n++] = SDP_KIND_VIDEO;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(&res, 0, sizeof(res));
	r = sdp_parse(s, answer, len);
	if (r < 0)
		goto out;
	r = -EPROTO;
	if (s->nmedia != n)
		goto out;
	res.nmedia = n;
	for (i = 0; i < n; i++) {
		r = apply_media(loc, s, &s->media[i], kinds[i], &res.m[i]);
		if (r < 0)
			goto out;
		active += res.m[i].active;
	}
	r = -EPROTO;
	if (!active)
		goto out;
	*ret = res;
	r = 0;
out:
	memset(&res, 0, sizeof(res));
	free(s);
	return r;
}

/* sdp_attr.c: decoding of the SDP attributes offer/answer needs (rtpmap,
 * fmtp, rtcp-fb, crypto, ssrc, direction) and base64 for SDES keys. */
#include <errno.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_int.h"

const struct sdp_attr *sdp_attr_find(const struct sdp_attr *attr, unsigned nattr,
				     const char *name, unsigned n)
{
	unsigned i;

	for (i = 0; i < nattr; i++)
		if (pl_case_eq_str(&attr[i].name, name) && n-- == 0)
			return &attr[i];
	return NULL;
}

const struct sdp_attr *sdp_media_attr(const struct sdp_media *m, const char *name, unsigned n)
{
	return sdp_attr_find(m->attr, m->nattr, name, n);
}

static int dir_of(const struct sdp_attr *a, unsigned n)
{
	static const char *const names[] = { "inactive", "sendonly", "recvonly", "sendrecv" };
	unsigned i, d;

	for (i = 0; i < n; i++)
		for (d = 0; d < 4; d++)
			if (pl_case_eq_str(&a[i].name, names[d]))
				return (int)d;
	return -1;
}

const struct sdp_conn *sdp_media_conn(const struct sdp_sess *s, const struct sdp_media *m)
{
	if (m->has_conn)
		return &m->conn;
	return s->has_conn ? &s->conn : NULL;
}

enum sdp_dir sdp_media_dir(const struct sdp_sess *s, const struct sdp_media *m)
{
	const struct sdp_conn *c = sdp_media_conn(s, m);
	int d = dir_of(m->attr, m->nattr);

	if (d < 0)
		d = dir_of(s->attr, s->nattr);
	if (d < 0)
		d = SDP_DIR_SENDRECV;
	/* RFC 2543 hold: c=0.0.0.0 means "do not send to me" */
	if (c && pl_eq_str(&c->addr, "0.0.0.0"))
		d &= SDP_DIR_SENDONLY;
	return (enum sdp_dir)d;
}

const char *sdp_dir_name(enum sdp_dir d)
{
	static const char *const names[] = { "inactive", "sendonly", "recvonly", "sendrecv" };

	return names[d & 3];
}

/* split "<pt> <rest>" */
static bool pt_prefix(const struct pl *val, uint8_t *pt, struct pl *rest)
{
	const char *sp = pl_chr(val, ' ');
	struct pl num;
	uint32_t n;

	num = pl_make(val->p, sp ? (size_t)(sp - val->p) : val->l);
	if (pl_u32(&num, &n) < 0 || n > 127)
		return false;
	*pt = (uint8_t)n;
	if (rest)
		*rest = sp ? pl_trim(pl_make(sp + 1, (size_t)(val->p + val->l - sp - 1)))
			   : pl_make(val->p + val->l, 0);
	return true;
}

int sdp_rtpmap_parse(struct sdp_rtpmap *r, const struct pl *val)
{
	struct pl rest, f;
	const char *s1, *s2;

	memset(r, 0, sizeof(*r));
	if (!val->p || !pt_prefix(val, &r->pt, &rest))
		return -EBADMSG;
	s1 = pl_chr(&rest, '/');
	if (!s1 || s1 == rest.p)
		return -EBADMSG;
	r->name = pl_make(rest.p, (size_t)(s1 - rest.p));
	f = pl_make(s1 + 1, (size_t)(rest.p + rest.l - s1 - 1));
	s2 = pl_chr(&f, '/');
	r->channels = 1;
	if (s2) {
		struct pl ch = pl_make(s2 + 1, (size_t)(f.p + f.l - s2 - 1));

		if (pl_u32(&ch, &r->channels) < 0 || !r->channels)
			return -EBADMSG;
		f.l = (size_t)(s2 - f.p);
	}
	if (pl_u32(&f, &r->clock) < 0 || !r->clock)
		return -EBADMSG;
	return 0;
}

static const struct {
	uint8_t pt;
	const char *name;
	uint32_t clock;
} static_pts[] = {
	{ 0, "PCMU", 8000 }, { 3, "GSM", 8000 },  { 4, "G723", 8000 },
	{ 8, "PCMA", 8000 }, { 9, "G722", 8000 }, { 18, "G729", 8000 },
	{ 26, "JPEG", 90000 }, { 31, "H261", 90000 }, { 34, "H263", 90000 },
};

int sdp_media_rtpmap(const struct sdp_media *m, uint8_t pt, struct sdp_rtpmap *ret)
{
	const struct sdp_attr *a;
	unsigned i;

	for (i = 0; (a = sdp_media_attr(m, "rtpmap", i)); i++)
		if (sdp_rtpmap_parse(ret, &a->val) == 0 && ret->pt == pt)
			return 0;
	for (i = 0; i < sizeof(static_pts) / sizeof(static_pts[0]); i++) {
		if (static_pts[i].pt != pt)
			continue;
		ret->pt = pt;
		ret->name = pl_str(static_pts[i].name);
		ret->clock = static_pts[i].clock;
		ret->channels = 1;
		return 0;
	}
	return -ENOENT;
}

struct pl sdp_media_fmtp(const struct sdp_media *m, uint8_t pt)
{
	const struct sdp_attr *a;
	struct pl rest;
	unsigned i;
	uint8_t p;

	for (i = 0; (a = sdp_media_attr(m, "fmtp", i)); i++)
		if (a->val.p && pt_prefix(&a->val, &p, &rest) && p == pt)
			return rest;
	return PL_NULL;
}

int sdp_fmtp_param(const struct pl *fmtp, const char *name, struct pl *ret_val)
{
	const char *p = fmtp->p, *end = pl_end(fmtp);

	while (p && p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p)), *e = semi ? semi : end;
		struct pl item = pl_trim(pl_make(p, (size_t)(e - p)));
		const char *eq = pl_chr(&item, '=');
		struct pl n = eq ? pl_trim(pl_make(item.p, (size_t)(eq - item.p))) : item;

		if (pl_case_eq_str(&n, name)) {
			*ret_val = eq ? pl_trim(pl_make(eq + 1, (size_t)(item.p + item.l - eq - 1)))
				      : pl_make(item.p + item.l, 0);
			return 0;
		}
		p = e + 1;
	}
	return -ENOENT;
}

unsigned sdp_media_rtcp_fb(const struct sdp_media *m, uint8_t pt)
{
	const struct sdp_attr *a;
	unsigned i, fb = 0;

	for (i = 0; (a = sdp_media_attr(m, "rtcp-fb", i)); i++) {
		struct pl rest = a->val, id, type, sub = PL_NULL;
		const char *sp = pl_chr(&rest, ' ');
		uint8_t p;

		if (!sp)
			continue;
		id = pl_make(rest.p, (size_t)(sp - rest.p));
		if (!pl_eq_str(&id, "*") && (!pt_prefix(&rest, &p, NULL) || p != pt))
			continue;
		rest = pl_trim(pl_make(sp + 1, (size_t)(rest.p + rest.l - sp - 1)));
		sp = pl_chr(&rest, ' ');
		type = pl_make(rest.p, sp ? (size_t)(sp - rest.p) : rest.l);
		if (sp)
			sub = pl_trim(pl_make(sp + 1, (size_t)(rest.p + rest.l - sp - 1)));
		if (pl_case_eq_str(&type, "nack") && !sub.p)
			fb |= SDP_FB_NACK;
		else if (pl_case_eq_str(&type, "nack") && pl_case_eq_str(&sub, "pli"))
			fb |= SDP_FB_PLI;
		else if (pl_case_eq_str(&type, "ccm") && pl_case_eq_str(&sub, "fir"))
			fb |= SDP_FB_FIR;
		else if (pl_case_eq_str(&type, "ccm") && pl_case_eq_str(&sub, "tmmbr"))
			fb |= SDP_FB_TMMBR;
		else if (pl_case_eq_str(&type, "goog-remb"))
			fb |= SDP_FB_REMB;
	}
	return fb;
}

/* ---- SDES crypto ----------------------------------------------------------- */

static const struct {
	const char *name;
	size_t keylen;
} suites[SDP_SUITE_MAX] = {
	[SDP_SUITE_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30 },
	[SDP_SUITE_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30 },
	[SDP_SUITE_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 28 },
};

size_t sdp_suite_keylen(enum sdp_suite s)
{
	return s > SDP_SUITE_NONE && s < SDP_SUITE_MAX ? suites[s].keylen : 0;
}

const char *sdp_suite_name(enum sdp_suite s)
{
	return s > SDP_SUITE_NONE && s < SDP_SUITE_MAX ? suites[s].name : NULL;
}

enum sdp_suite sdp_suite_lookup(const struct pl *name)
{
	int i;

	for (i = 1; i < SDP_SUITE_MAX; i++)
		if (pl_eq_str(name, suites[i].name))
			return (enum sdp_suite)i;
	return SDP_SUITE_NONE;
}

int sdp_crypto_parse(struct sdp_crypto *c, const struct pl *val)
{
	struct pl rest = *val, tag, kp, key;
	const char *bar, *semi;
	int r;

	memset(c, 0, sizeof(*c));
	if (!val->p || !sdp_next_field(&rest, &tag) || !sdp_next_field(&rest, &c->suite_name) ||
	    !sdp_next_field(&rest, &kp))
		return -EBADMSG;
	if (pl_u32(&tag, &c->tag) < 0 || c->tag > 999999999)
		return -EBADMSG;
	rest = pl_trim(rest);
	if (rest.l)
		c->session_params = rest;
	c->suite = sdp_suite_lookup(&c->suite_name);
	/* key-params: "inline:" key||salt ["|" lifetime] ["|" MKI:length],
	 * possibly several separated by ';': the first one is used */
	semi = pl_chr(&kp, ';');
	if (semi)
		kp.l = (size_t)(semi - kp.p);
	if (kp.l < 7 || !pl_case_eq_str(&(struct pl){ kp.p, 7 }, "inline:"))
		return -EBADMSG;
	key = pl_make(kp.p + 7, kp.l - 7);
	bar = pl_chr(&key, '|');
	if (bar) {
		struct pl tail = pl_make(bar + 1, (size_t)(key.p + key.l - bar - 1));
		const char *bar2 = pl_chr(&tail, '|');

		key.l = (size_t)(bar - key.p);
		if (bar2) {
			c->lifetime = pl_make(tail.p, (size_t)(bar2 - tail.p));
			c->mki = pl_make(bar2 + 1, (size_t)(tail.p + tail.l - bar2 - 1));
		} else if (pl_chr(&tail, ':')) {
			c->mki = tail;
		} else {
			c->lifetime = tail;
		}
	}
	r = sdp_base64_decode(&key, c->key, sizeof(c->key), &c->keylen);
	if (r < 0)
		return -EBADMSG;
	if (c->suite != SDP_SUITE_NONE && c->keylen != sdp_suite_keylen(c->suite))
		return -EBADMSG;
	return 0;
}

int sdp_crypto_print(struct buf *b, const struct sdp_crypto *c)
{
	char tmp[16];
	const char *name = sdp_suite_name(c->suite);
	int n, r;

	if (!name || c->keylen != sdp_suite_keylen(c->suite))
		return -EINVAL;
	n = 0;
	{
		uint32_t v = c->tag;

		do {
			tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
	}
	r = buf_append(b, tmp + sizeof(tmp) - n, (size_t)n);
	if (r == 0)
		r = buf_append(b, " ", 1);
	if (r == 0)
		r = buf_append(b, name, strlen(name));
	if (r == 0)
		r = buf_append(b, " inline:", 8);
	if (r == 0)
		r = sdp_base64_encode(b, c->key, c->keylen);
	if (r == 0 && c->lifetime.p && c->lifetime.l) {
		r = buf_append(b, "|", 1);
		if (r == 0)
			r = buf_append(b, c->lifetime.p, c->lifetime.l);
	}
	if (r == 0 && c->mki.p && c->mki.l) {
		r = buf_append(b, "|", 1);
		if (r == 0)
			r = buf_append(b, c->mki.p, c->mki.l);
	}
	if (r == 0 && c->session_params.p && c->session_params.l) {
		r = buf_append(b, " ", 1);
		if (r == 0)
			r = buf_append(b, c->session_params.p, c->session_params.l);
	}
	return r;
}

/* ---- ssrc ------------------------------------------------------------------ */

int sdp_media_ssrc(const struct sdp_media *m, uint32_t *ret_ssrc)
{
	const struct sdp_attr *a = sdp_media_attr(m, "ssrc", 0);
	const char *sp;
	struct pl num;

	if (!a || !a->val.p)
		return -ENOENT;
	sp = pl_chr(&a->val, ' ');
	num = pl_make(a->val.p, sp ? (size_t)(sp - a->val.p) : a->val.l);
	return pl_u32(&num, ret_ssrc) < 0 ? -EBADMSG : 0;
}

int sdp_media_fid(const struct sdp_media *m, uint32_t *ret_ssrc, uint32_t *ret_rtx_ssrc)
{
	const struct sdp_attr *a;
	unsigned i;

	for (i = 0; (a = sdp_media_attr(m, "ssrc-group", i)); i++) {
		struct pl rest = a->val, sem, x, y;
		uint32_t s1, s2;

		if (!sdp_next_field(&rest, &sem) || !pl_case_eq_str(&sem, "FID") ||
		    !sdp_next_field(&rest, &x) || !sdp_next_field(&rest, &y))
			continue;
		if (pl_u32(&x, &s1) < 0 || pl_u32(&y, &s2) < 0)
			return -EBADMSG;
		*ret_ssrc = s1;
		*ret_rtx_ssrc = s2;
		return 0;
	}
	return -ENOENT;
}

/* ---- base64 ------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int sdp_base64_decode(const struct pl *in, uint8_t *out, size_t cap, size_t *ret_len)
{
	uint32_t acc = 0;
	size_t i, n = 0, bits = 0, pad = 0;

	for (i = 0; i < in->l; i++) {
		int v;

		if (in->p[i] == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -EBADMSG; /* data after padding */
		v = b64val(in->p[i]);
		if (v < 0)
			return -EBADMSG;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= cap)
				return -ENOBUFS;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6)
		return -EBADMSG;
	*ret_len = n;
	return 0;
}

int sdp_base64_encode(struct buf *b, const uint8_t *in, size_t len)
{
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		char o[4];

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		o[0] = b64[v >> 18 & 63];
		o[1] = b64[v >> 12 & 63];
		o[2] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		o[3] = i + 2 < len ? b64[v & 63] : '=';
		r = buf_append(b, o, 4);
	}
	return r;
}

/* sip_auth.c: digest authentication (RFC 2617/7616/8760) with mbedTLS
 * MD5 and SHA-256. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>

#include "sip/sip_auth.h"

static const char *const alg_names[SIP_AUTH_ALG_MAX] = {
	[SIP_AUTH_MD5] = "MD5",
	[SIP_AUTH_MD5_SESS] = "MD5-sess",
	[SIP_AUTH_SHA256] = "SHA-256",
	[SIP_AUTH_SHA256_SESS] = "SHA-256-sess",
};

int sip_auth_alg_parse(const struct pl *name, enum sip_auth_alg *ret)
{
	int i;

	if (!name->p) {
		*ret = SIP_AUTH_MD5;
		return 0;
	}
	for (i = 0; i < SIP_AUTH_ALG_MAX; i++) {
		if (pl_case_eq_str(name, alg_names[i])) {
			*ret = (enum sip_auth_alg)i;
			return 0;
		}
	}
	return -ENOTSUP;
}

const char *sip_auth_alg_name(enum sip_auth_alg alg)
{
	return alg < SIP_AUTH_ALG_MAX ? alg_names[alg] : NULL;
}

static bool is_sha(enum sip_auth_alg alg)
{
	return alg == SIP_AUTH_SHA256 || alg == SIP_AUTH_SHA256_SESS;
}

static bool is_sess(enum sip_auth_alg alg)
{
	return alg == SIP_AUTH_MD5_SESS || alg == SIP_AUTH_SHA256_SESS;
}

/* incremental hash over ':'-joined parts */
struct hctx {
	enum sip_auth_alg alg;
	mbedtls_md5_context md5;
	mbedtls_sha256_context sha;
	int err;
	bool first;
};

static void h_init(struct hctx *h, enum sip_auth_alg alg)
{
	h->alg = alg;
	h->err = 0;
	h->first = true;
	if (is_sha(alg)) {
		mbedtls_sha256_init(&h->sha);
		h->err = mbedtls_sha256_starts_ret(&h->sha, 0);
	} else {
		mbedtls_md5_init(&h->md5);
		h->err = mbedtls_md5_starts_ret(&h->md5);
	}
}

static void h_raw(struct hctx *h, const void *p, size_t n)
{
	if (h->err || !n)
		return;
	if (is_sha(h->alg))
		h->err = mbedtls_sha256_update_ret(&h->sha, p, n);
	else
		h->err = mbedtls_md5_update_ret(&h->md5, p, n);
}

/* next ':'-separated part */
static void h_part(struct hctx *h, const void *p, size_t n)
{
	if (!h->first)
		h_raw(h, ":", 1);
	h->first = false;
	h_raw(h, p, n);
}

static void h_str(struct hctx *h, const char *s)
{
	h_part(h, s, strlen(s));
}

/* lowercase hex digest into out (33 / 65 bytes) */
static int h_final(struct hctx *h, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[32];
	size_t n, i;

	if (is_sha(h->alg)) {
		if (!h->err)
			h->err = mbedtls_sha256_finish_ret(&h->sha, d);
		mbedtls_sha256_free(&h->sha);
		n = 32;
	} else {
		if (!h->err)
			h->err = mbedtls_md5_finish_ret(&h->md5, d);
		mbedtls_md5_free(&h->md5);
		n = 16;
	}
	if (h->err)
		return -EIO;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

int sip_auth_hash_hex(enum sip_auth_alg alg, const void *data, size_t len, char *out,
		      size_t cap)
{
	struct hctx h;
	char tmp[65];
	int r;

	if (alg >= SIP_AUTH_ALG_MAX || cap < (is_sha(alg) ? 65u : 33u))
		return -EINVAL;
	h_init(&h, alg);
	h_raw(&h, data, len);
	r = h_final(&h, tmp);
	if (r == 0)
		memcpy(out, tmp, strlen(tmp) + 1);
	return r;
}

/* quoted-string value of a challenge/credential field, unescaped */
static int field(const struct pl *v, char *out)
{
	size_t n;

	if (!v->p)
		return -EBADMSG;
	if (sip_unquote(out, SIP_AUTH_MAX_FIELD - 1, v, &n) < 0)
		return -EMSGSIZE;
	out[n] = '\0';
	return 0;
}

/* qop: "auth" usable (a list in challenges), or none given */
static int qop_choose(const struct pl *qop, bool *ret_auth)
{
	struct pl rest = *qop, v;

	*ret_auth = false;
	if (!qop->p)
		return 0;
	while (sip_list_next(&rest, &v)) {
		if (pl_case_eq_str(&v, "auth")) {
			*ret_auth = true;
			return 0;
		}
	}
	return -ENOTSUP; /* auth-int only */
}

/* the digest response: lowercase hex into out */
static int digest(enum sip_auth_alg alg, const char *user, const char *realm,
		  const char *password, const char *nonce, const char *cnonce,
		  const char *nc, bool qop_auth, const char *method, const struct pl *uri,
		  char out[65])
{
	char ha1[65], ha2[65];
	struct hctx h;
	int r;

	h_init(&h, alg);
	h_str(&h, user);
	h_str(&h, realm);
	h_str(&h, password);
	r = h_final(&h, ha1);
	if (r == 0 && is_sess(alg)) {
		h_init(&h, alg);
		h_str(&h, ha1);
		h_str(&h, nonce);
		h_str(&h, cnonce);
		r = h_final(&h, ha1);
	}
	if (r < 0)
		return r;
	h_init(&h, alg);
	h_str(&h, method);
	h_part(&h, uri->p, uri->l);
	r = h_final(&h, ha2);
	if (r < 0)
		return r;
	h_init(&h, alg);
	h_str(&h, ha1);
	h_str(&h, nonce);
	if (qop_auth) {
		h_str(&h, nc);
		h_str(&h, cnonce);
		h_str(&h, "auth");
	}
	h_str(&h, ha2);
	r = h_final(&h, out);
	memset(ha1, 0, sizeof(ha1));
	return r;
}

int sip_auth_pick(const struct sip_msg *rsp, struct sip_digest *ret, bool *ret_proxy)
{
	static const enum sip_hdr_id ids[] = { SIP_HDR_WWW_AUTHENTICATE, SIP_HDR_PROXY_AUTHENTICATE };
	const struct sip_hdr *h;
	int best = -1;
	unsigned i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; (h = sip_msg_hdr(rsp, ids[k], i)); i++) {
			struct sip_digest d;
			enum sip_auth_alg alg;
			bool qa;
			int score;

			if (sip_digest_parse(&d, &h->val) < 0 || !pl_case_eq_str(&d.scheme, "Digest") ||
			    !d.realm.p || !d.nonce.p || sip_auth_alg_parse(&d.algorithm, &alg) < 0 ||
			    qop_choose(&d.qop, &qa) < 0)
				continue;
			score = is_sha(alg) ? 2 : 1;
			if (score > best) {
				best = score;
				*ret = d;
				*ret_proxy = k == 1;
			}
		}
	}
	return best < 0 ? -ENOENT : 0;
}

static int append_quoted(struct buf *b, const char *s)
{
	int r = buf_append(b, "\"", 1);

	for (; r == 0 && *s; s++) {
		if (*s == '"' || *s == '\\')
			r = buf_append(b, "\\", 1);
		if (r == 0)
			r = buf_append(b, s, 1);
	}
	return r ? r : buf_append(b, "\"", 1);
}

static int append(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int sip_auth_respond(struct buf *out, const struct sip_digest *chal, const char *method,
		     const struct pl *uri, const char *user, const char *password,
		     uint32_t nc, const char *cnonce)
{
	char realm[SIP_AUTH_MAX_FIELD], nonce[SIP_AUTH_MAX_FIELD], resp[65], ncs[9];
	enum sip_auth_alg alg;
	size_t start = out->len;
	bool qa;
	int r;

	if (!chal || !method || !uri || !uri->p || !user || !password || !cnonce ||
	    strchr(cnonce, '"') || strchr(cnonce, '\\'))
		return -EINVAL;
	if (!pl_case_eq_str(&chal->scheme, "Digest"))
		return -ENOTSUP;
	r = sip_auth_alg_parse(&chal->algorithm, &alg);
	if (r == 0)
		r = qop_choose(&chal->qop, &qa);
	if (r == 0)
		r = field(&chal->realm, realm);
	if (r == 0)
		r = field(&chal->nonce, nonce);
	if (r < 0)
		return r;
	snprintf(ncs, sizeof(ncs), "%08x", nc);
	r = digest(alg, user, realm, password, nonce, cnonce, ncs, qa, method, uri, resp);
	if (r == 0)
		r = append(out, "Digest username=");
	if (r == 0)
		r = append_quoted(out, user);
	if (r == 0)
		r = append(out, ", realm=");
	if (r == 0)
		r = append_quoted(out, realm);
	if (r == 0)
		r = append(out, ", nonce=");
	if (r == 0)
		r = append_quoted(out, nonce);
	if (r == 0)
		r = append(out, ", uri=\"");
	if (r == 0)
		r = buf_append(out, uri->p, uri->l);
	if (r == 0)
		r = append(out, "\", response=\"");
	if (r == 0)
		r = append(out, resp);
	if (r == 0)
		r = append(out, "\", algorithm=");
	if (r == 0)
		r = append(out, alg_names[alg]);
	if (r == 0 && chal->opaque.p) {
		r = append(out, ", opaque=\"");
		if (r == 0)
			r = buf_append(out, chal->opaque.p, chal->opaque.l);
		if (r == 0)
			r = append(out, "\"");
	}
	if (r == 0 && qa) {
		r = append(out, ", qop=auth, nc=");
		if (r == 0)
			r = append(out, ncs);
		if (r == 0)
			r = append(out, ", cnonce=");
		if (r == 0)
			r = append_quoted(out, cnonce);
	}
	if (r < 0)
		out->len = start;
	return r;
}

int sip_auth_challenge(struct buf *out, const char *realm, const char *nonce,
		       enum sip_auth_alg alg, const char *opaque, bool stale)
{
	int r;

	if (!realm || !nonce || alg >= SIP_AUTH_ALG_MAX)
		return -EINVAL;
	r = append(out, "Digest realm=");
	if (r == 0)
		r = append_quoted(out, realm);
	if (r == 0)
		r = append(out, ", nonce=");
	if (r == 0)
		r = append_quoted(out, nonce);
	if (r == 0 && opaque) {
		r = append(out, ", opaque=");
		if (r == 0)
			r = append_quoted(out, opaque);
	}
	if (r == 0)
		r = append(out, ", algorithm=");
	if (r == 0)
		r = append(out, alg_names[alg]);
	if (r == 0)
		r = append(out, ", qop=\"auth\"");
	if (r == 0 && stale)
		r = append(out, ", stale=true");
	return r;
}

/* constant-time comparison of two hex strings */
static bool hex_eq(const struct pl *a, const char *b)
{
	size_t n = strlen(b), i;
	unsigned char d = 0;

	if (a->l != n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a->p[i];

		if (c >= 'A' && c <= 'F')
			c = (unsigned char)(c + 32);
		d |= (unsigned char)(c ^ (unsigned char)b[i]);
	}
	return d == 0;
}

int sip_auth_verify(const struct sip_digest *cred, const char *method, const char *password,
		    const char *realm, const char *nonce)
{
	char user[SIP_AUTH_MAX_FIELD], crealm[SIP_AUTH_MAX_FIELD], cnonce_v[SIP_AUTH_MAX_FIELD];
	char cnon[SIP_AUTH_MAX_FIELD], nc[SIP_AUTH_MAX_FIELD], resp[65];
	enum sip_auth_alg alg;
	bool qa = false;
	int r;

	if (!cred || !method || !password || !realm || !nonce)
		return -EINVAL;
	if (!pl_case_eq_str(&cred->scheme, "Digest"))
		return -ENOTSUP;
	r = sip_auth_alg_parse(&cred->algorithm, &alg);
	if (r < 0)
		return r;
	if (cred->qop.p) {
		if (!pl_case_eq_str(&cred->qop, "auth"))
			return -ENOTSUP;
		qa = true;
	}
	if (!cred->uri.p || !cred->response.p || cred->userhash)
		return cred->userhash ? -ENOTSUP : -EBADMSG;
	r = field(&cred->username, user);
	if (r == 0)
		r = field(&cred->realm, crealm);
	if (r == 0)
		r = field(&cred->nonce, cnonce_v);
	if (r == 0 && (qa || is_sess(alg)))
		r = field(&cred->cnonce, cnon);
	else
		cnon[0] = '\0';
	if (r == 0 && qa)
		r = field(&cred->nc, nc);
	else
		nc[0] = '\0';
	if (r < 0)
		return r;
	if (strcmp(crealm, realm) != 0 || strcmp(cnonce_v, nonce) != 0)
		return -EACCES;
	r = digest(alg, user, realm, password, nonce, cnon, nc, qa, method, &cred->uri, resp);
	if (r < 0)
		return r;
	return hex_eq(&cred->response, resp) ? 0 : -EACCES;
}

/* hex HMAC-SHA256(key, ts16)[0..32) into out */
static int nonce_mac(const char ts[16], const uint8_t *key, size_t keylen, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	unsigned char mac[32];
	int i;

	if (!md || mbedtls_md_hmac(md, key, keylen, (const unsigned char *)ts, 16, mac) != 0)
		return -EIO;
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[32] = '\0';
	return 0;
}

int sip_auth_nonce_new(char *out, size_t cap, const uint8_t *key, size_t keylen,
		       uint64_t now_s)
{
	char ts[17], mac[33];
	int r;

	if (!out || cap < SIP_AUTH_NONCE_LEN + 1 || !key || keylen < 16)
		return -EINVAL;
	snprintf(ts, sizeof(ts), "%016llx", (unsigned long long)now_s);
	r = nonce_mac(ts, key, keylen, mac);
	if (r < 0)
		return r;
	memcpy(out, ts, 16);
	memcpy(out + 16, mac, 33);
	return 0;
}

int sip_auth_nonce_check(const struct pl *nonce, const uint8_t *key, size_t keylen,
			 uint64_t now_s, uint64_t max_age_s)
{
	char ts[17], mac[33];
	uint64_t t = 0;
	int i, r;

	if (!nonce || !nonce->p || nonce->l != SIP_AUTH_NONCE_LEN || !key || keylen < 16)
		return -EACCES;
	memcpy(ts, nonce->p, 16);
	ts[16] = '\0';
	for (i = 0; i < 16; i++) {
		char c = ts[i];

		if (c >= '0' && c <= '9')
			t = t << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			t = t << 4 | (uint64_t)(c - 'a' + 10);
		else
			return -EACCES;
	}
	r = nonce_mac(ts, key, keylen, mac);
	if (r < 0)
		return r;
	if (!hex_eq(&(struct pl){ nonce->p + 16, 32 }, mac))
		return -EACCES;
	if (t > now_s || now_s - t > max_age_s)
		return -ESTALE;
	return 0;
}

/* srtp.c: SRTP/SRTCP contexts on libsrtp2 and RFC 4568 SDES key parameters. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <srtp2/srtp.h>

#include "lib/log/log.h"
#include "rtp/srtp.h"

LOG_TOPIC(srtp);

struct rtp_srtp {
	srtp_t ctx;
	enum rtp_srtp_suite suite;
	enum rtp_srtp_dir dir;
	uint8_t key[RTP_SRTP_MAX_KEY_LEN];      /* wiped on free */
	/* inbound: SSRCs libsrtp holds a stream for (authenticated once) */
	uint32_t ssrc[RTP_SRTP_MAX_SSRC];
	unsigned n_ssrc;
};

static const struct suite_info {
	const char *name;
	size_t key_len;         /* key||salt */
	size_t rtp_tag;
	size_t rtcp_tag;
} suites[RTP_SRTP_SUITE_MAX] = {
	[RTP_SRTP_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30, 10, 10 },
	/* RFC 4568 6.2.2 / RFC 5764: SRTCP keeps the 80-bit tag with _32 */
	[RTP_SRTP_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30, 4, 10 },
	[RTP_SRTP_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 28, 16, 16 },
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;

static void do_init(void)
{
	srtp_err_status_t st = srtp_init();

	init_result = st == srtp_err_status_ok ? 0 : -EIO;
}

int rtp_srtp_init(void)
{
	pthread_once(&init_once, do_init);
	return init_result;
}

const char *rtp_srtp_suite_name(enum rtp_srtp_suite s)
{
	if ((unsigned)s >= RTP_SRTP_SUITE_MAX)
		return NULL;
	return suites[s].name;
}

int rtp_srtp_suite_from_name(const char *name, enum rtp_srtp_suite *ret)
{
	if (!name)
		return -EINVAL;
	for (unsigned i = 0; i < RTP_SRTP_SUITE_MAX; i++)
		if (strcmp(name, suites[i].name) == 0) {
			if (ret)
				*ret = (enum rtp_srtp_suite)i;
			return 0;
		}
	return -ENOTSUP;
}

size_t rtp_srtp_key_len(enum rtp_srtp_suite s)
{
	if ((unsigned)s >= RTP_SRTP_SUITE_MAX)
		return 0;
	return suites[s].key_len;
}

size_t rtp_srtp_overhead(enum rtp_srtp_suite s, int rtcp)
{
	if ((unsigned)s >= RTP_SRTP_SUITE_MAX)
		return 0;
	/* SRTCP adds the E flag and 31-bit index word */
	return rtcp ? 4 + suites[s].rtcp_tag : suites[s].rtp_tag;
}

static int map_err(srtp_err_status_t st, bool inbound)
{
	switch (st) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
	case srtp_err_status_parse_err:
		return -EBADMSG;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return -EALREADY;
	case srtp_err_status_bad_param:
		/* libsrtp says bad_param for packets too short for their
		 * header or trailer */
		return inbound ? -EBADMSG : -EINVAL;
	default:
		return -EIO;
	}
}

int rtp_srtp_new(struct rtp_srtp **ret, enum rtp_srtp_suite suite, enum rtp_srtp_dir dir,
		 const uint8_t *key, size_t key_len)
{
	srtp_policy_t pol;
	struct rtp_srtp *s;
	srtp_err_status_t st;
	int r;

	if (!ret || (unsigned)suite >= RTP_SRTP_SUITE_MAX || !key ||
	    (dir != RTP_SRTP_OUTBOUND && dir != RTP_SRTP_INBOUND) ||
	    key_len != suites[suite].key_len)
		return -EINVAL;
	r = rtp_srtp_init();
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->suite = suite;
	s->dir = dir;
	memcpy(s->key, key, key_len);

	memset(&pol, 0, sizeof(pol));
	switch (suite) {
	case RTP_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	case RTP_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	case RTP_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		break;
	default:
		break;
	}
	pol.ssrc.type = dir == RTP_SRTP_OUTBOUND ? ssrc_any_outbound : ssrc_any_inbound;
	pol.key = s->key;
	pol.window_size = 0;    /* libsrtp default (128) */
	/* plain (non-RTX) retransmission re-protects the same seq: allow it on
	 * the sending side; the receiver still refuses replays */
	pol.allow_repeat_tx = dir == RTP_SRTP_OUTBOUND;
	pol.next = NULL;
	st = srtp_create(&s->ctx, &pol);
	if (st != srtp_err_status_ok) {
		log_debug(srtp, "srtp_create: libsrtp error %d", (int)st);
		s->ctx = NULL;
		rtp_srtp_free(s);
		return st == srtp_err_status_alloc_fail ? -ENOMEM : -EINVAL;
	}
	*ret = s;
	return 0;
}

struct rtp_srtp *rtp_srtp_free(struct rtp_srtp *s)
{
	if (!s)
		return NULL;
	if (s->ctx)
		srtp_dealloc(s->ctx);
	explicit_bzero(s->key, sizeof(s->key));
	free(s);
	return NULL;
}

static int protect(struct rtp_srtp *s, bool rtcp, uint8_t *pkt, size_t len, size_t cap,
		   size_t *ret_len)
{
	srtp_err_status_t st;
	int n;

	if (!s || !pkt || cap < len || s->dir != RTP_SRTP_OUTBOUND)
		return -EINVAL;
	if (len < (rtcp ? 8u : 12u) || len > INT_MAX / 2)
		return -EINVAL;
	if (cap - len < rtp_srtp_overhead(s->suite, rtcp))
		return -ENOBUFS;
	n = (int)len;
	st = rtcp ? srtp_protect_rtcp(s->ctx, pkt, &n) : srtp_protect(s->ctx, pkt, &n);
	if (st != srtp_err_status_ok)
		return map_err(st, false);
	if (ret_len)
		*ret_len = (size_t)n;
	return 0;
}

static int unprotect(struct rtp_srtp *s, bool rtcp, uint8_t *pkt, size_t len,
		     size_t *ret_len)
{
	srtp_err_status_t st;
	unsigned off, i;
	uint32_t ssrc;
	int n;

	if (!s || !pkt || s->dir != RTP_SRTP_INBOUND)
		return -EINVAL;
	if (len < (rtcp ? 8u : 12u) + rtp_srtp_overhead(s->suite, rtcp) || len > INT_MAX)
		return -EBADMSG;
	/* RTP: SSRC at 8; RTCP: the first packet's sender SSRC at 4 */
	off = rtcp ? 4 : 8;
	ssrc = (uint32_t)pkt[off] << 24 | (uint32_t)pkt[off + 1] << 16 |
	       (uint32_t)pkt[off + 2] << 8 | pkt[off + 3];
	for (i = 0; i < s->n_ssrc && s->ssrc[i] != ssrc; i++)
		;
	if (i == s->n_ssrc && s->n_ssrc == RTP_SRTP_MAX_SSRC)
		return -ENOSPC;
	n = (int)len;
	st = rtcp ? srtp_unprotect_rtcp(s->ctx, pkt, &n) : srtp_unprotect(s->ctx, pkt, &n);
	if (st != srtp_err_status_ok)
		return map_err(st, true);
	if (i == s->n_ssrc)
		s->ssrc[s->n_ssrc++] = ssrc;
	if (ret_len)
		*ret_len = (size_t)n;
	return 0;
}

int rtp_srtp_protect(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t cap,
		     size_t *ret_len)
{
	return protect(s, false, pkt, len, cap, ret_len);
}

int rtp_srtp_protect_rtcp(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t cap,
			  size_t *ret_len)
{
	return protect(s, true, pkt, len, cap, ret_len);
}

int rtp_srtp_unprotect(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t *ret_len)
{
	return unprotect(s, false, pkt, len, ret_len);
}

int rtp_srtp_unprotect_rtcp(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t *ret_len)
{
	return unprotect(s, true, pkt, len, ret_len);
}

/* --- base64 (RFC 4648, with padding) and SDES key parameters ---------- */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* decodes s[0..n) (padding optional); returns the length or -EINVAL */
static int b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int v = b64_val(s[i]);

		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -EINVAL;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	if (acc & ((1u << bits) - 1))
		return -EINVAL;
	return (int)o;
}

static size_t b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = 0;
	return o;
}

/* lifetime: decimal digits or "2^" digits (RFC 4568 9.2) */
static bool lifetime_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 2 && s[0] == '2' && s[1] == '^')
		i = 2;
	if (i == n || n - i > 20)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int rtp_srtp_key_parse(const char *params, enum rtp_srtp_suite suite, uint8_t *key,
		       size_t cap, size_t *ret_len)
{
	uint8_t tmp[RTP_SRTP_MAX_KEY_LEN + 3];
	size_t klen = rtp_srtp_key_len(suite), end, n;
	const char *p, *bar;
	int r;

	if (!params || !key || klen == 0)
		return -EINVAL;
	if (cap < klen)
		return -ENOBUFS;
	if (strncmp(params, "inline:", 7) != 0)
		return -EINVAL;
	p = params + 7;
	end = strcspn(p, " \t\r\n");
	if (memchr(p, ';', end))
		return -ENOTSUP;        /* several keys need MKIs */
	bar = memchr(p, '|', end);
	n = bar ? (size_t)(bar - p) : end;
	r = b64_decode(p, n, tmp, sizeof(tmp));
	if (r < 0 || (size_t)r != klen) {
		explicit_bzero(tmp, sizeof(tmp));
		return -EINVAL;
	}
	/* optional "|lifetime" then optional "|MKI:length" */
	while (bar) {
		const char *f = bar + 1;
		size_t rest = end - (size_t)(f - p), fl;

		bar = memchr(f, '|', rest);
		fl = bar ? (size_t)(bar - f) : rest;
		r = memchr(f, ':', fl) ? -ENOTSUP : lifetime_ok(f, fl) ? 0 : -EINVAL;
		if (r < 0) {
			explicit_bzero(tmp, sizeof(tmp));
			return r;
		}
	}
	memcpy(key, tmp, klen);
	explicit_bzero(tmp, sizeof(tmp));
	if (ret_len)
		*ret_len = klen;
	return 0;
}

int rtp_srtp_key_format(enum rtp_srtp_suite suite, const uint8_t *key, size_t key_len,
			char *out, size_t cap)
{
	size_t klen = rtp_srtp_key_len(suite);

	if (!key || !out || klen == 0 || key_len != klen)
		return -EINVAL;
	if (cap < 7 + (klen + 2) / 3 * 4 + 1)
		return -ENOBUFS;
	memcpy(out, "inline:", 7);
	b64_encode(key, klen, out + 7);
	return 0;
}

int rtp_srtp_key_generate(enum rtp_srtp_suite suite, uint8_t *key, size_t cap,
			  size_t *ret_len)
{
	size_t klen = rtp_srtp_key_len(suite), got = 0;

	if (!key || klen == 0)
		return -EINVAL;
	if (cap < klen)
		return -ENOBUFS;
	while (got < klen) {
		ssize_t n = getrandom(key + got, klen - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		got += (size_t)n;
	}
	if (ret_len)
		*ret_len = klen;
	return 0;
}

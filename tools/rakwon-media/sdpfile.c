/* sdpfile.c: media session parameters from a pair of SDP files.
 *
 * The local SDP says what we receive and send from (ports, our payload
 * types, our SSRC, the SDES key we encrypt with, rtcp-mux, direction); the
 * remote SDP says where to send and the key the far end encrypts with, and
 * which RTCP feedback it accepts. A peer such as GStreamer is configured
 * from the same two files, seen the other way round.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "media/msess.h"
#include "sdp/sdp.h"
#include "sdpfile.h"

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	char *b;
	size_t n;

	if (!f)
		return -errno;
	b = malloc(SDP_MAX_SIZE + 1);
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(b, 1, SDP_MAX_SIZE + 1, f);
	fclose(f);
	if (n > SDP_MAX_SIZE) {
		free(b);
		return -EFBIG;
	}
	b[n] = 0;
	*ret = b;
	*ret_len = n;
	return 0;
}

static const struct sdp_media *find_media(const struct sdp_sess *s, const char *type)
{
	for (unsigned i = 0; i < s->nmedia; i++)
		if (pl_eq_str(&s->media[i].type, type) && s->media[i].port)
			return &s->media[i];
	return NULL;
}

static int media_addr(const struct sdp_sess *s, const struct sdp_media *m, struct net_addr *ret)
{
	const struct sdp_conn *c = sdp_media_conn(s, m);
	char host[64];

	if (!c || pl_strcpy(&c->addr, host, sizeof(host)) < 0)
		return -EINVAL;
	return net_addr_set(ret, host, (uint16_t)m->port);
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

static int stream_from(const struct sdp_sess *ls, const struct sdp_sess *rs, const char *type,
		       struct msess_stream *st, char *err, size_t errlen)
{
	const struct sdp_media *lm = find_media(ls, type), *rm = find_media(rs, type);
	const struct sdp_attr *a;
	struct sdp_crypto lc, rc;
	uint32_t pt, ssrc, rtx_ssrc;
	int r;

	if (!lm || !rm)
		return 0; /* stream not in both: disabled */
	st->enabled = true;
	if ((r = media_addr(ls, lm, &st->local)) < 0 || (r = media_addr(rs, rm, &st->remote)) < 0) {
		snprintf(err, errlen, "%s: bad connection address", type);
		return r;
	}
	if (!lm->nfmt || pl_u32(&lm->fmt[0], &pt) < 0 || pt > 127) {
		snprintf(err, errlen, "%s: bad payload type", type);
		return -EINVAL;
	}
	st->pt = (uint8_t)pt;
	for (unsigned i = 1; i < lm->nfmt; i++) {
		struct sdp_rtpmap rm2;
		uint32_t x;

		if (pl_u32(&lm->fmt[i], &x) == 0 && x < 128 &&
		    sdp_media_rtpmap(lm, (uint8_t)x, &rm2) == 0 && pl_case_eq_str(&rm2.name, "rtx"))
			st->rtx_pt = (uint8_t)x;
	}
	if (sdp_media_fid(lm, &ssrc, &rtx_ssrc) == 0) {
		st->ssrc = ssrc;
		st->rtx_ssrc = rtx_ssrc;
	} else if (sdp_media_ssrc(lm, &ssrc) == 0) {
		st->ssrc = ssrc;
	}
	if (sdp_media_fid(rm, &ssrc, &rtx_ssrc) == 0 || sdp_media_ssrc(rm, &ssrc) == 0)
		st->remote_ssrc = ssrc;
	st->rtcp_mux = sdp_media_attr(lm, "rtcp-mux", 0) && sdp_media_attr(rm, "rtcp-mux", 0);
	{
		enum sdp_dir d = sdp_media_dir(ls, lm);

		st->dir = (enum msess_dir)d;
	}
	{
		unsigned fb = sdp_media_rtcp_fb(rm, st->pt);

		st->nack = fb & SDP_FB_NACK;
		st->pli = fb & SDP_FB_PLI;
		st->fir = fb & SDP_FB_FIR;
	}
	a = sdp_media_attr(lm, "crypto", 0);
	if (a) {
		const struct sdp_attr *b = sdp_media_attr(rm, "crypto", 0);

		if (!b || sdp_crypto_parse(&lc, &a->val) < 0 || sdp_crypto_parse(&rc, &b->val) < 0 ||
		    lc.suite != rc.suite || crypto_of(lc.suite) == MSESS_CRYPTO_NONE) {
			snprintf(err, errlen, "%s: crypto lines missing, malformed or not matching", type);
			return -EINVAL;
		}
		st->crypto = crypto_of(lc.suite);
		memcpy(st->tx_key, lc.key, lc.keylen);
		memcpy(st->rx_key, rc.key, rc.keylen);
	}
	return 0;
}

int sdpfile_load(const char *local, const char *remote, struct msess_params *p, char *err,
		 size_t errlen)
{
	_cleanup_free_ char *lt = NULL, *rt = NULL;
	struct sdp_sess *ls = NULL, *rs = NULL;
	size_t ll, rl;
	int r;

	if ((r = read_file(local, &lt, &ll)) < 0) {
		snprintf(err, errlen, "%s: %s", local, strerror(-r));
		return r;
	}
	if ((r = read_file(remote, &rt, &rl)) < 0) {
		snprintf(err, errlen, "%s: %s", remote, strerror(-r));
		return r;
	}
	ls = calloc(1, sizeof(*ls));
	rs = calloc(1, sizeof(*rs));
	if (!ls || !rs) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = sdp_parse(ls, lt, ll)) < 0) {
		snprintf(err, errlen, "%s: malformed SDP", local);
		goto out;
	}
	if ((r = sdp_parse(rs, rt, rl)) < 0) {
		snprintf(err, errlen, "%s: malformed SDP", remote);
		goto out;
	}
	if ((r = stream_from(ls, rs, "audio", &p->audio, err, errlen)) < 0 ||
	    (r = stream_from(ls, rs, "video", &p->video, err, errlen)) < 0)
		goto out;
	if (!p->audio.enabled && !p->video.enabled) {
		snprintf(err, errlen, "no media line in both SDPs");
		r = -EINVAL;
	}
out:
	free(ls);
	free(rs);
	return r;
}

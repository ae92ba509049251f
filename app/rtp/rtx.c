/* rtx.c: sender packet history for retransmission and RFC 4588 RTX. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp.h"
#include "rtp/rtx.h"

struct hist_ent {
	uint64_t sent_us;
	uint64_t resent_us;     /* 0: never resent */
	uint16_t seq;
	uint16_t len;
	bool used;
};

struct rtp_history {
	struct rtp_history_conf conf;
	struct hist_ent *ent;   /* conf.capacity entries */
	uint8_t *data;          /* capacity * max_pkt_len bytes */
	struct rtp_history_stats st;
};

int rtp_history_new(struct rtp_history **ret, const struct rtp_history_conf *conf)
{
	struct rtp_history_conf c = { 0 };
	struct rtp_history *h;

	if (!ret)
		return -EINVAL;
	if (conf)
		c = *conf;
	if (!c.capacity)
		c.capacity = 512;
	if (!c.max_pkt_len)
		c.max_pkt_len = 1500;
	if (!c.max_age_us)
		c.max_age_us = 1000000;
	if (!c.min_resend_us)
		c.min_resend_us = 10000;
	/* a power of two divides 2^16, so seq % capacity survives the wrap */
	if (c.capacity < 16 || c.capacity > RTP_HISTORY_MAX_CAP ||
	    (c.capacity & (c.capacity - 1)) || c.max_pkt_len < RTP_HDR_MIN ||
	    c.max_pkt_len > RTP_HISTORY_MAX_PKT)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->conf = c;
	h->ent = calloc(c.capacity, sizeof(*h->ent));
	h->data = malloc((size_t)c.capacity * c.max_pkt_len);
	if (!h->ent || !h->data) {
		rtp_history_free(h);
		return -ENOMEM;
	}
	*ret = h;
	return 0;
}

struct rtp_history *rtp_history_free(struct rtp_history *h)
{
	if (!h)
		return NULL;
	free(h->ent);
	free(h->data);
	free(h);
	return NULL;
}

int rtp_history_put(struct rtp_history *h, const uint8_t *pkt, size_t len, uint64_t now_us)
{
	struct rtp_hdr hdr;
	struct hist_ent *e;
	unsigned idx;

	if (!h || !pkt)
		return -EINVAL;
	if (len > h->conf.max_pkt_len)
		return -EMSGSIZE;
	if (rtp_hdr_decode(&hdr, pkt, len) < 0)
		return -EBADMSG;
	idx = hdr.seq & (h->conf.capacity - 1);
	e = &h->ent[idx];
	e->used = true;
	e->seq = hdr.seq;
	e->len = (uint16_t)len;
	e->sent_us = now_us;
	e->resent_us = 0;
	memcpy(h->data + (size_t)idx * h->conf.max_pkt_len, pkt, len);
	h->st.stored++;
	return 0;
}

static struct hist_ent *lookup(struct rtp_history *h, uint16_t seq, uint64_t now_us)
{
	struct hist_ent *e = &h->ent[seq & (h->conf.capacity - 1)];

	if (!e->used || e->seq != seq)
		return NULL;
	if (now_us > e->sent_us && now_us - e->sent_us > h->conf.max_age_us)
		return NULL;
	return e;
}

int rtp_history_get(struct rtp_history *h, uint16_t seq, uint64_t now_us,
		    const uint8_t **ret_pkt, size_t *ret_len)
{
	struct hist_ent *e;

	if (!h)
		return -EINVAL;
	e = lookup(h, seq, now_us);
	if (!e)
		return -ENOENT;
	if (ret_pkt)
		*ret_pkt = h->data + (size_t)(e - h->ent) * h->conf.max_pkt_len;
	if (ret_len)
		*ret_len = e->len;
	return 0;
}

int rtp_history_resend(struct rtp_history *h, uint16_t seq, uint64_t now_us,
		       struct rtx_sender *rtx, uint8_t *out, size_t cap, size_t *ret_len)
{
	const uint8_t *pkt;
	struct hist_ent *e;
	size_t len;
	int r;

	if (!h || !out)
		return -EINVAL;
	e = lookup(h, seq, now_us);
	if (!e) {
		h->st.missing++;
		return -ENOENT;
	}
	if (e->resent_us && now_us - e->resent_us < h->conf.min_resend_us) {
		h->st.throttled++;
		return -EAGAIN;
	}
	pkt = h->data + (size_t)(e - h->ent) * h->conf.max_pkt_len;
	len = e->len;
	if (rtx) {
		r = rtx_encap(pkt, len, rtx->ssrc, rtx->pt, rtx->seq, out, cap, &len);
		if (r < 0)
			return r;
		rtx->seq++;
	} else {
		if (cap < len)
			return -ENOBUFS;
		memcpy(out, pkt, len);
	}
	e->resent_us = now_us ? now_us : 1;
	h->st.resent++;
	if (ret_len)
		*ret_len = len;
	return 0;
}

void rtp_history_get_stats(const struct rtp_history *h, struct rtp_history_stats *ret)
{
	*ret = h->st;
}

int rtx_encap(const uint8_t *orig, size_t len, uint32_t rtx_ssrc, uint8_t rtx_pt,
	      uint16_t rtx_seq, uint8_t *out, size_t cap, size_t *ret_len)
{
	struct rtp_hdr h;
	size_t n;

	if (!orig || !out || rtx_pt > 127)
		return -EINVAL;
	if (rtp_hdr_decode(&h, orig, len) < 0)
		return -EBADMSG;
	n = h.hdr_len + 2 + h.payload_len;
	if (cap < n)
		return -ENOBUFS;
	/* header as is (CSRCs, extension), with the RTX stream's fields */
	memmove(out, orig, h.hdr_len);
	out[0] &= (uint8_t)~0x20;       /* padding dropped */
	out[1] = (uint8_t)((out[1] & 0x80) | rtx_pt);
	out[2] = (uint8_t)(rtx_seq >> 8);
	out[3] = (uint8_t)rtx_seq;
	out[8] = (uint8_t)(rtx_ssrc >> 24);
	out[9] = (uint8_t)(rtx_ssrc >> 16);
	out[10] = (uint8_t)(rtx_ssrc >> 8);
	out[11] = (uint8_t)rtx_ssrc;
	memmove(out + h.hdr_len + 2, orig + h.hdr_len, h.payload_len);
	out[h.hdr_len] = (uint8_t)(h.seq >> 8);
	out[h.hdr_len + 1] = (uint8_t)h.seq;
	if (ret_len)
		*ret_len = n;
	return 0;
}

int rtx_decap(uint8_t *pkt, size_t len, uint32_t orig_ssrc, uint8_t orig_pt,
	      size_t *ret_len, uint16_t *ret_osn)
{
	struct rtp_hdr h;
	uint16_t osn;

	if (!pkt || orig_pt > 127)
		return -EINVAL;
	if (rtp_hdr_decode(&h, pkt, len) < 0 || h.payload_len < 2)
		return -EBADMSG;
	osn = (uint16_t)(pkt[h.hdr_len] << 8 | pkt[h.hdr_len + 1]);
	memmove(pkt + h.hdr_len, pkt + h.hdr_len + 2, h.payload_len - 2);
	pkt[0] &= (uint8_t)~0x20;
	pkt[1] = (uint8_t)((pkt[1] & 0x80) | orig_pt);
	pkt[2] = (uint8_t)(osn >> 8);
	pkt[3] = (uint8_t)osn;
	pkt[8] = (uint8_t)(orig_ssrc >> 24);
	pkt[9] = (uint8_t)(orig_ssrc >> 16);
	pkt[10] = (uint8_t)(orig_ssrc >> 8);
	pkt[11] = (uint8_t)orig_ssrc;
	if (ret_len)
		*ret_len = h.hdr_len + h.payload_len - 2;
	if (ret_osn)
		*ret_osn = osn;
	return 0;
}

/* rtp.c: RTP header decode/encode, RFC 8285 extensions, RTP/RTCP demux.
 *
 * DESIGN (app/rtp as a whole): a transport library with no threads, no
 * sockets and no global state except libsrtp's one-time init. The media
 * session calls it from its worker threads; every object (struct
 * rtp_srtp, rtp_history, nack_gen, rtp_rx_stats/rtp_tx_stats) is used by one
 * thread at a time and owned by its caller. Wire formats are parsed through
 * struct rcur into host-order structs (zero copy for variable-size parts) and
 * written through struct wcur; peers can make us allocate nothing: every
 * table has a fixed bound.
 */
#include <errno.h>
#include <string.h>

#include "lib/base/buf.h"
#include "rtp/rtp.h"

int rtp_hdr_decode(struct rtp_hdr *ret, const uint8_t *p, size_t len)
{
	struct rtp_hdr h;
	struct rcur c;
	uint8_t b0, b1;
	size_t rest;

	if (!ret || !p)
		return -EINVAL;
	rcur_init(&c, p, len);
	b0 = rcur_u8(&c);
	b1 = rcur_u8(&c);
	if (!rcur_ok(&c) || (b0 >> 6) != RTP_VERSION)
		return -EBADMSG;
	memset(&h, 0, sizeof(h));
	h.padding = b0 & 0x20;
	h.ext = b0 & 0x10;
	h.cc = b0 & 0x0f;
	h.marker = b1 & 0x80;
	h.pt = b1 & 0x7f;
	h.seq = rcur_u16(&c);
	h.ts = rcur_u32(&c);
	h.ssrc = rcur_u32(&c);
	for (unsigned i = 0; i < h.cc; i++)
		h.csrc[i] = rcur_u32(&c);
	if (h.ext) {
		h.ext_profile = rcur_u16(&c);
		h.ext_len = (size_t)rcur_u16(&c) * 4;
		h.ext_data = rcur_bytes(&c, h.ext_len);
	}
	if (!rcur_ok(&c))
		return -EBADMSG;
	h.hdr_len = c.pos;
	rest = rcur_left(&c);
	if (h.padding) {
		/* the last octet counts the padding, itself included */
		if (rest == 0 || p[len - 1] == 0 || p[len - 1] > rest)
			return -EBADMSG;
		h.pad_len = p[len - 1];
	}
	h.payload_len = rest - h.pad_len;
	*ret = h;
	return 0;
}

int rtp_hdr_encode(const struct rtp_hdr *h, uint8_t *buf, size_t cap, size_t *ret_len)
{
	struct wcur w;

	if (!h || !buf || h->cc > RTP_MAX_CSRC || h->pt > 127)
		return -EINVAL;
	if (h->ext && (h->ext_len % 4 || h->ext_len > 0xffff * 4 ||
		       (h->ext_len && !h->ext_data)))
		return -EINVAL;
	wcur_init(&w, buf, cap);
	wcur_u8(&w, (uint8_t)(RTP_VERSION << 6 | (h->padding ? 0x20 : 0) |
			      (h->ext ? 0x10 : 0) | h->cc));
	wcur_u8(&w, (uint8_t)((h->marker ? 0x80 : 0) | h->pt));
	wcur_u16(&w, h->seq);
	wcur_u32(&w, h->ts);
	wcur_u32(&w, h->ssrc);
	for (unsigned i = 0; i < h->cc; i++)
		wcur_u32(&w, h->csrc[i]);
	if (h->ext) {
		wcur_u16(&w, h->ext_profile);
		wcur_u16(&w, (uint16_t)(h->ext_len / 4));
		wcur_bytes(&w, h->ext_data, h->ext_len);
	}
	if (w.bad)
		return -ENOBUFS;
	if (ret_len)
		*ret_len = w.pos;
	return 0;
}

int rtp_hdr_ext_find(const struct rtp_hdr *h, uint8_t id, const uint8_t **ret_data,
		     size_t *ret_len)
{
	bool one_byte, two_byte;
	struct rcur c;

	if (!h || !h->ext || !h->ext_data || id == 0)
		return -ENOENT;
	one_byte = h->ext_profile == RTP_EXT_ONE_BYTE;
	two_byte = (h->ext_profile & RTP_EXT_TWO_BYTE_MASK) == RTP_EXT_TWO_BYTE;
	if (!one_byte && !two_byte)
		return -ENOENT;
	if (one_byte && id >= 15)
		return -ENOENT;
	rcur_init(&c, h->ext_data, h->ext_len);
	while (rcur_left(&c) > 0) {
		const uint8_t *d;
		uint8_t eid;
		size_t elen;

		eid = rcur_u8(&c);
		if (eid == 0)
			continue;       /* padding between elements */
		if (one_byte) {
			elen = (size_t)(eid & 0x0f) + 1;
			eid >>= 4;
			if (eid == 15)
				return -ENOENT; /* reserved: stop processing */
		} else {
			elen = rcur_u8(&c);
		}
		d = rcur_bytes(&c, elen);
		if (!rcur_ok(&c))
			return -EBADMSG;
		if (eid == id) {
			if (ret_data)
				*ret_data = d;
			if (ret_len)
				*ret_len = elen;
			return 0;
		}
	}
	return -ENOENT;
}

int rtp_ext_build(const struct rtp_ext_elem *elems, size_t n, uint8_t *buf, size_t cap,
		  uint16_t *ret_profile, size_t *ret_len)
{
	bool one_byte = true;
	struct wcur w;

	if ((!elems && n) || !buf)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (elems[i].id == 0 || (elems[i].len && !elems[i].data))
			return -EINVAL;
		if (elems[i].id >= 15 || elems[i].len == 0 || elems[i].len > 16)
			one_byte = false;
	}
	wcur_init(&w, buf, cap);
	for (size_t i = 0; i < n; i++) {
		if (one_byte) {
			wcur_u8(&w, (uint8_t)(elems[i].id << 4 | (elems[i].len - 1)));
		} else {
			wcur_u8(&w, elems[i].id);
			wcur_u8(&w, elems[i].len);
		}
		wcur_bytes(&w, elems[i].data, elems[i].len);
	}
	while (!w.bad && w.pos % 4)
		wcur_u8(&w, 0);
	if (w.bad)
		return -ENOBUFS;
	if (w.pos > 0xffff * 4)
		return -EINVAL;
	if (ret_profile)
		*ret_profile = one_byte ? RTP_EXT_ONE_BYTE : RTP_EXT_TWO_BYTE;
	if (ret_len)
		*ret_len = w.pos;
	return 0;
}

bool rtp_is_rtcp(const uint8_t *p, size_t len)
{
	if (!p || len < 2 || (p[0] >> 6) != RTP_VERSION)
		return false;
	return p[1] >= 192 && p[1] <= 223;
}

uint64_t rtp_seq_extend(struct rtp_seq_ext *e, uint16_t seq)
{
	int16_t d;
	uint64_t v;

	if (!e->init) {
		e->init = true;
		e->highest = (uint64_t)seq + 65536;
		return e->highest;
	}
	d = rtp_seq_diff(seq, (uint16_t)e->highest);
	v = e->highest + (uint64_t)(int64_t)d;
	if (d > 0)
		e->highest = v;
	return v;
}

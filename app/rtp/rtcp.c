/* rtcp.c: RTCP compound parsing (iterator) and packet builders. */
#include <errno.h>
#include <string.h>

#include "lib/base/buf.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"

#define RTCP_NACK_MAX_FCI 256

/* one RTCP packet of the compound */
struct rtcp_pkt {
	uint8_t count;          /* RC / SC / FMT */
	uint8_t pt;
	size_t len;             /* whole packet, header included */
	const uint8_t *body;    /* after the 4-byte header */
	size_t body_len;        /* without padding */
};

static int pkt_at(const uint8_t *p, size_t len, size_t pos, struct rtcp_pkt *k)
{
	size_t plen, pad = 0;

	if (len - pos < 4 || (p[pos] >> 6) != RTP_VERSION)
		return -EBADMSG;
	plen = ((size_t)(p[pos + 2] << 8 | p[pos + 3]) + 1) * 4;
	if (plen > len - pos)
		return -EBADMSG;
	if (p[pos] & 0x20) {
		/* padding only in the last packet of a compound (RFC 3550 6.4.1) */
		pad = p[pos + plen - 1];
		if (pos + plen != len || pad == 0 || pad > plen - 4)
			return -EBADMSG;
	}
	k->count = p[pos] & 0x1f;
	k->pt = p[pos + 1];
	k->len = plen;
	k->body = p + pos + 4;
	k->body_len = plen - 4 - pad;
	return 0;
}

int rtcp_iter_init(struct rtcp_iter *it, const uint8_t *p, size_t len)
{
	struct rtcp_pkt k;
	size_t pos = 0;

	if (!it || !p)
		return -EINVAL;
	memset(it, 0, sizeof(*it));
	it->p = p;
	it->len = 0;
	if (len < 4)
		return -EBADMSG;
	while (pos < len) {
		if (pkt_at(p, len, pos, &k) < 0)
			return -EBADMSG;
		pos += k.len;
	}
	it->len = len;
	return 0;
}

static void parse_rblock(struct rcur *c, struct rtcp_rblock *rb)
{
	uint32_t v;

	rb->ssrc = rcur_u32(c);
	v = rcur_u32(c);
	rb->fraction = (uint8_t)(v >> 24);
	/* 24-bit two's complement */
	rb->lost = (int32_t)((v & 0xffffff) ^ 0x800000) - 0x800000;
	rb->ext_seq = rcur_u32(c);
	rb->jitter = rcur_u32(c);
	rb->lsr = rcur_u32(c);
	rb->dlsr = rcur_u32(c);
}

static int parse_report(const struct rtcp_pkt *k, struct rtcp_item *item)
{
	struct rtcp_report *r = &item->report;
	struct rcur c;

	rcur_init(&c, k->body, k->body_len);
	memset(r, 0, sizeof(*r));
	r->ssrc = rcur_u32(&c);
	if (k->pt == RTCP_SR) {
		item->type = RTCP_ITEM_SR;
		r->has_sender_info = true;
		r->si.ntp = (uint64_t)rcur_u32(&c) << 32;
		r->si.ntp |= rcur_u32(&c);
		r->si.rtp_ts = rcur_u32(&c);
		r->si.pkt_count = rcur_u32(&c);
		r->si.octet_count = rcur_u32(&c);
	} else {
		item->type = RTCP_ITEM_RR;
	}
	r->rb_count = k->count;
	for (unsigned i = 0; i < r->rb_count; i++)
		parse_rblock(&c, &r->rb[i]);
	/* profile-specific extensions after the blocks are ignored */
	return rcur_ok(&c) ? 1 : -EBADMSG;
}

/* One SDES chunk at it->sub (offset in the body). */
static int parse_sdes_chunk(struct rtcp_iter *it, const struct rtcp_pkt *k,
			    struct rtcp_item *item)
{
	struct rtcp_sdes *s = &item->sdes;
	struct rcur c;

	rcur_init(&c, k->body, k->body_len);
	rcur_skip(&c, it->sub);
	item->type = RTCP_ITEM_SDES;
	memset(s, 0, sizeof(*s));
	s->ssrc = rcur_u32(&c);
	for (;;) {
		uint8_t type = rcur_u8(&c), l;
		const uint8_t *d;

		if (!rcur_ok(&c))
			return -EBADMSG;
		if (type == 0)
			break;
		l = rcur_u8(&c);
		d = rcur_bytes(&c, l);
		if (!d)
			return -EBADMSG;
		if (type == 1 && !s->cname) {
			s->cname = (const char *)d;
			s->cname_len = l;
		}
	}
	/* the END item is followed by null octets up to a 32-bit boundary */
	while (c.pos % 4 && rcur_left(&c) > 0)
		rcur_skip(&c, 1);
	it->sub = c.pos;
	it->sub_idx++;
	return 1;
}

static int parse_bye(const struct rtcp_pkt *k, struct rtcp_item *item)
{
	struct rtcp_bye *b = &item->bye;
	struct rcur c;

	rcur_init(&c, k->body, k->body_len);
	item->type = RTCP_ITEM_BYE;
	memset(b, 0, sizeof(*b));
	b->count = k->count;
	for (unsigned i = 0; i < b->count; i++)
		b->ssrc[i] = rcur_u32(&c);
	if (!rcur_ok(&c))
		return -EBADMSG;
	if (rcur_left(&c) > 0) {
		uint8_t l = rcur_u8(&c);

		b->reason = (const char *)rcur_bytes(&c, l);
		b->reason_len = l;
		if (!b->reason)
			return -EBADMSG;
	}
	return 1;
}

static int parse_fb_common(const struct rtcp_pkt *k, struct rtcp_item *item,
			   struct rcur *c)
{
	rcur_init(c, k->body, k->body_len);
	item->fb.sender_ssrc = rcur_u32(c);
	item->fb.media_ssrc = rcur_u32(c);
	return rcur_ok(c) ? 0 : -EBADMSG;
}

static int parse_remb(struct rcur *c, struct rtcp_item *item)
{
	struct rtcp_remb *m = &item->remb;
	const uint8_t *id = rcur_bytes(c, 4);
	uint32_t v;
	unsigned exp;
	uint64_t mant;

	if (!id || memcmp(id, "REMB", 4) != 0)
		return 0;       /* another AFB: skip */
	memset(m, 0, sizeof(*m));
	m->ssrc_count = rcur_u8(c);
	v = rcur_u24(c);
	exp = v >> 18;
	mant = v & 0x3ffff;
	if (mant && exp > 45)
		m->bitrate = UINT64_MAX;
	else
		m->bitrate = mant << exp;
	for (unsigned i = 0; i < m->ssrc_count; i++) {
		uint32_t s = rcur_u32(c);

		if (i < RTCP_MAX_REMB_SSRC)
			m->ssrc[i] = s;
	}
	if (!rcur_ok(c))
		return -EBADMSG;
	item->type = RTCP_ITEM_REMB;
	return 1;
}

static void next_pkt(struct rtcp_iter *it, const struct rtcp_pkt *k)
{
	it->pos += k->len;
	it->sub = 0;
	it->sub_idx = 0;
}

int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_item *item)
{
	struct rtcp_pkt k;
	struct rcur c;
	int r;

	if (!it || !item)
		return -EINVAL;
	while (it->pos < it->len) {
		if (pkt_at(it->p, it->len, it->pos, &k) < 0)
			goto bad;       /* cannot happen after rtcp_iter_init */
		memset(&item->fb, 0, sizeof(item->fb));
		switch (k.pt) {
		case RTCP_SR:
		case RTCP_RR:
			r = parse_report(&k, item);
			if (r < 0)
				goto bad;
			next_pkt(it, &k);
			return 1;
		case RTCP_SDES:
			if (it->sub_idx >= k.count) {
				/* bytes after the announced chunks are ignored */
				next_pkt(it, &k);
				continue;
			}
			if (parse_sdes_chunk(it, &k, item) < 0)
				goto bad;
			return 1;
		case RTCP_BYE:
			if (parse_bye(&k, item) < 0)
				goto bad;
			next_pkt(it, &k);
			return 1;
		case RTCP_RTPFB:
			if (k.count != RTCP_RTPFB_NACK) {
				next_pkt(it, &k);
				continue;
			}
			if (parse_fb_common(&k, item, &c) < 0)
				goto bad;
			if (rcur_left(&c) == 0 || rcur_left(&c) % 4)
				goto bad;
			item->type = RTCP_ITEM_NACK;
			item->nack.fci_count = (unsigned)(rcur_left(&c) / 4);
			item->nack.fci = rcur_bytes(&c, rcur_left(&c));
			next_pkt(it, &k);
			return 1;
		case RTCP_PSFB:
			if (k.count == RTCP_PSFB_PLI) {
				if (parse_fb_common(&k, item, &c) < 0)
					goto bad;
				item->type = RTCP_ITEM_PLI;
				next_pkt(it, &k);
				return 1;
			}
			if (k.count == RTCP_PSFB_FIR) {
				if (parse_fb_common(&k, item, &c) < 0)
					goto bad;
				if (it->sub == 0) {
					if (rcur_left(&c) == 0 || rcur_left(&c) % 8)
						goto bad;
					it->sub = c.pos;
				}
				if (it->sub >= k.body_len) {
					next_pkt(it, &k);
					continue;
				}
				rcur_skip(&c, it->sub - c.pos);
				item->type = RTCP_ITEM_FIR;
				item->fir.ssrc = rcur_u32(&c);
				item->fir.seq_nr = rcur_u8(&c);
				rcur_skip(&c, 3);
				if (!rcur_ok(&c))
					goto bad;
				it->sub = c.pos;
				return 1;
			}
			if (k.count == RTCP_PSFB_AFB) {
				if (parse_fb_common(&k, item, &c) < 0)
					goto bad;
				r = parse_remb(&c, item);
				if (r < 0)
					goto bad;
				next_pkt(it, &k);
				if (r > 0)
					return 1;
				continue;
			}
			next_pkt(it, &k);
			continue;
		default:
			/* APP and unknown types */
			next_pkt(it, &k);
			continue;
		}
	}
	return 0;
bad:
	it->pos = it->len;
	return -EBADMSG;
}

unsigned rtcp_nack_seqs(const struct rtcp_nack *n, uint16_t *seqs, unsigned max)
{
	unsigned cnt = 0;
	struct rcur c;

	if (!n || !n->fci)
		return 0;
	rcur_init(&c, n->fci, (size_t)n->fci_count * 4);
	for (unsigned i = 0; i < n->fci_count; i++) {
		uint16_t pid = rcur_u16(&c), blp = rcur_u16(&c);

		if (cnt < max)
			seqs[cnt++] = pid;
		for (unsigned b = 0; b < 16; b++)
			if ((blp & (1u << b)) && cnt < max)
				seqs[cnt++] = (uint16_t)(pid + b + 1);
	}
	return cnt;
}

int rtcp_nack_pack(const uint16_t *seqs, unsigned n, uint32_t *fci, unsigned max_fci)
{
	unsigned cnt = 0;

	if (n && (!seqs || !fci))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		bool done = false;

		/* newest entry first: the usual match for ascending input */
		for (unsigned j = cnt; j-- > 0 && !done;) {
			uint16_t pid = (uint16_t)(fci[j] >> 16);
			uint16_t d = (uint16_t)(seqs[i] - pid);

			if (d == 0) {
				done = true;
			} else if (d <= 16) {
				fci[j] |= 1u << (d - 1);
				done = true;
			}
		}
		if (done)
			continue;
		if (cnt == max_fci)
			return -ENOBUFS;
		fci[cnt++] = (uint32_t)seqs[i] << 16;
	}
	return (int)cnt;
}

/* --- builders ---------------------------------------------------------- */

static void put_hdr(struct wcur *w, bool pad, uint8_t count, uint8_t pt, size_t words)
{
	wcur_u8(w, (uint8_t)(RTP_VERSION << 6 | (pad ? 0x20 : 0) | count));
	wcur_u8(w, pt);
	wcur_u16(w, (uint16_t)(words - 1));
}

static int built(const struct wcur *w)
{
	return w->bad ? -ENOBUFS : 0;
}

int rtcp_build_report(struct wcur *w, const struct rtcp_report *r)
{
	size_t words;

	if (!w || !r || r->rb_count > RTCP_MAX_RB)
		return -EINVAL;
	words = 2 + (r->has_sender_info ? 5 : 0) + 6 * (size_t)r->rb_count;
	put_hdr(w, false, (uint8_t)r->rb_count, r->has_sender_info ? RTCP_SR : RTCP_RR,
		words);
	wcur_u32(w, r->ssrc);
	if (r->has_sender_info) {
		wcur_u32(w, (uint32_t)(r->si.ntp >> 32));
		wcur_u32(w, (uint32_t)r->si.ntp);
		wcur_u32(w, r->si.rtp_ts);
		wcur_u32(w, r->si.pkt_count);
		wcur_u32(w, r->si.octet_count);
	}
	for (unsigned i = 0; i < r->rb_count; i++) {
		const struct rtcp_rblock *b = &r->rb[i];
		int32_t lost = b->lost;

		if (lost > 0x7fffff)
			lost = 0x7fffff;
		if (lost < -0x800000)
			lost = -0x800000;
		wcur_u32(w, b->ssrc);
		wcur_u32(w, (uint32_t)b->fraction << 24 | ((uint32_t)lost & 0xffffff));
		wcur_u32(w, b->ext_seq);
		wcur_u32(w, b->jitter);
		wcur_u32(w, b->lsr);
		wcur_u32(w, b->dlsr);
	}
	return built(w);
}

int rtcp_build_sdes_cname(struct wcur *w, uint32_t ssrc, const char *cname)
{
	size_t n, items;

	if (!w || !cname)
		return -EINVAL;
	n = strlen(cname);
	if (n == 0 || n > RTCP_CNAME_MAX)
		return -EINVAL;
	/* type, length, text, then at least one null octet (END) to 32 bits */
	items = (2 + n + 1 + 3) & ~(size_t)3;
	put_hdr(w, false, 1, RTCP_SDES, 2 + items / 4);
	wcur_u32(w, ssrc);
	wcur_u8(w, 1);
	wcur_u8(w, (uint8_t)n);
	wcur_bytes(w, cname, n);
	for (size_t i = 2 + n; i < items; i++)
		wcur_u8(w, 0);
	return built(w);
}

int rtcp_build_bye(struct wcur *w, const uint32_t *ssrc, unsigned n, const char *reason)
{
	size_t rlen = 0, rbytes = 0;

	if (!w || !ssrc || n == 0 || n > RTCP_MAX_BYE_SSRC)
		return -EINVAL;
	if (reason) {
		rlen = strlen(reason);
		if (rlen > 255)
			return -EINVAL;
		rbytes = (1 + rlen + 3) & ~(size_t)3;
	}
	put_hdr(w, false, (uint8_t)n, RTCP_BYE, 1 + n + rbytes / 4);
	for (unsigned i = 0; i < n; i++)
		wcur_u32(w, ssrc[i]);
	if (reason) {
		wcur_u8(w, (uint8_t)rlen);
		wcur_bytes(w, reason, rlen);
		for (size_t i = 1 + rlen; i < rbytes; i++)
			wcur_u8(w, 0);
	}
	return built(w);
}

int rtcp_build_nack(struct wcur *w, uint32_t sender_ssrc, uint32_t media_ssrc,
		    const uint16_t *seqs, unsigned n)
{
	uint32_t fci[RTCP_NACK_MAX_FCI];
	int cnt;

	if (!w || !seqs || n == 0)
		return -EINVAL;
	cnt = rtcp_nack_pack(seqs, n, fci, RTCP_NACK_MAX_FCI);
	if (cnt < 0)
		return cnt;
	put_hdr(w, false, RTCP_RTPFB_NACK, RTCP_RTPFB, 3 + (size_t)cnt);
	wcur_u32(w, sender_ssrc);
	wcur_u32(w, media_ssrc);
	for (int i = 0; i < cnt; i++)
		wcur_u32(w, fci[i]);
	return built(w);
}

int rtcp_build_pli(struct wcur *w, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	if (!w)
		return -EINVAL;
	put_hdr(w, false, RTCP_PSFB_PLI, RTCP_PSFB, 3);
	wcur_u32(w, sender_ssrc);
	wcur_u32(w, media_ssrc);
	return built(w);
}

int rtcp_build_fir(struct wcur *w, uint32_t sender_ssrc, uint32_t media_ssrc,
		   uint8_t seq_nr)
{
	if (!w)
		return -EINVAL;
	put_hdr(w, false, RTCP_PSFB_FIR, RTCP_PSFB, 5);
	wcur_u32(w, sender_ssrc);
	wcur_u32(w, 0);         /* RFC 5104 4.3.1.2: media source SSRC is 0 */
	wcur_u32(w, media_ssrc);
	wcur_u8(w, seq_nr);
	wcur_u24(w, 0);
	return built(w);
}

int rtcp_build_remb(struct wcur *w, uint32_t sender_ssrc, uint64_t bitrate,
		    const uint32_t *ssrc, unsigned n)
{
	unsigned exp = 0;

	if (!w || !ssrc || n == 0 || n > 255)
		return -EINVAL;
	while (bitrate >= (1u << 18)) {
		bitrate >>= 1;
		exp++;
	}
	put_hdr(w, false, RTCP_PSFB_AFB, RTCP_PSFB, 5 + (size_t)n);
	wcur_u32(w, sender_ssrc);
	wcur_u32(w, 0);
	wcur_bytes(w, "REMB", 4);
	wcur_u8(w, (uint8_t)n);
	wcur_u24(w, (uint32_t)(exp << 18 | bitrate));
	for (unsigned i = 0; i < n; i++)
		wcur_u32(w, ssrc[i]);
	return built(w);
}

int rtcp_build_compound(uint8_t *buf, size_t cap, const struct rtcp_report *r,
			const char *cname, size_t *ret_len)
{
	struct wcur w;
	int ret;

	if (!buf || !r)
		return -EINVAL;
	wcur_init(&w, buf, cap);
	ret = rtcp_build_report(&w, r);
	if (ret < 0)
		return ret;
	if (cname) {
		ret = rtcp_build_sdes_cname(&w, r->ssrc, cname);
		if (ret < 0)
			return ret;
	}
	if (ret_len)
		*ret_len = w.pos;
	return 0;
}

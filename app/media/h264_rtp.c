/* h264_rtp.c: RFC 6184 packetizer (mode 1) and reordering frame assembler.
 *
 * DESIGN
 * Packetizer: stateless. NAL units are found in the Annex B input; a NAL
 * unit larger than the payload budget is split into FU-A fragments of equal
 * size; smaller ones are queued (as pointers into the input) and flushed as
 * one single-NAL packet (queue of one) or one STAP-A (queue of several) when
 * the next one would not fit, before a FU-A, or at the end of the AU (marker).
 *
 * Assembler: one owner thread, no locks. State:
 *   - a window of W slots (power of two) indexed by seq & (W-1) holding the
 *     packets that arrived ahead of `expect` (the next sequence number to
 *     consume). Packets at `expect` are consumed at once (no copy when they
 *     arrive in order). A hole at `expect` is declared lost when
 *     reorder_frames frame ends (marker packets) are buffered behind it, when
 *     it is older than max_wait_us, when a packet arrives W or more ahead, or
 *     when the buffered bytes exceed max_au_size;
 *   - a bitmap of the 64 sequence numbers before `expect` (received or not)
 *     to tell duplicates from late packets;
 *   - the access unit being assembled (Annex B, 4-byte start codes, growing
 *     buffer bounded by max_au_size) with its FU-A state and a `broken` flag
 *     set by a loss inside or right before it, a malformed payload, a broken
 *     FU-A sequence or a size limit;
 *   - the keyframe-needed state: set at start and by every dropped AU,
 *     cleared by an AU holding an IDR or by h264_depkt_decoded_ok().
 * An AU ends on its marker packet or when a packet with another timestamp is
 * consumed. A loss between two AUs breaks the following AU (the lost packet
 * may have been its first NAL unit) and, if the previous one had not ended,
 * that one too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/cleanup.h"
#include "media/h264_rtp.h"

#define DEF_MAX_AU (4u << 20)
#define DEF_MAX_NALS 1024u
#define DEF_WINDOW 64u
#define MAX_WINDOW 1024u
#define DEF_REORDER_FRAMES 2u
#define MAX_PKT 65535u          /* an RTP payload over UDP/IPv4 is smaller */
#define RESYNC_JUMP 1000        /* forward jumps beyond this restart the stream */
#define RESYNC_LATE_RUN 8       /* this many far-behind packets in a row restart it */

/* ------------------------------------------------------------------ */
/* Annex B and packetizer */

bool h264_annexb_next(const uint8_t *buf, size_t len, size_t *pos,
		      const uint8_t **ret_nal, size_t *ret_len)
{
	size_t i = *pos, start, end;

	for (;;) {
		/* find a start code 00 00 01 at or after i */
		while (i + 3 <= len && !(buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 1))
			i++;
		if (i + 3 > len) {
			*pos = len;
			return false;
		}
		start = i + 3;
		/* the NAL unit runs to the next start code (or the end) */
		end = start;
		while (end + 3 <= len &&
		       !(buf[end] == 0 && buf[end + 1] == 0 && buf[end + 2] == 1))
			end++;
		if (end + 3 > len)
			end = len;
		*pos = end;
		/* trailing zeros belong to the next (4-byte) start code or are
		 * trailing_zero_8bits */
		while (end > start && buf[end - 1] == 0)
			end--;
		if (end > start) {
			*ret_nal = buf + start;
			*ret_len = end - start;
			return true;
		}
		i = *pos;
	}
}

struct pktz {
	uint8_t buf[H264_RTP_PAYLOAD_MAX];
	size_t max;
	h264_pkt_h cb;
	void *arg;
	int count;
	/* queued small NAL units (pointers into the input) */
	const uint8_t *q[64];
	size_t qlen[64];
	unsigned nq;
	size_t qsize;           /* STAP-A size if flushed: 1 + sum(2 + len) */
};

static int pktz_emit(struct pktz *z, const uint8_t *p, size_t len, bool marker)
{
	int r = z->cb(p, len, marker, z->arg);

	if (r < 0)
		return r;
	z->count++;
	return 0;
}

static int pktz_flush(struct pktz *z, bool marker)
{
	uint8_t f = 0, nri = 0;
	size_t pos = 1;

	if (z->nq == 0)
		return 0;
	if (z->nq == 1) {
		z->nq = 0;
		z->qsize = 1;
		return pktz_emit(z, z->q[0], z->qlen[0], marker);
	}
	for (unsigned i = 0; i < z->nq; i++) {
		f |= z->q[i][0] & 0x80;
		nri = MAX(nri, (uint8_t)(z->q[i][0] & 0x60));
		z->buf[pos++] = (uint8_t)(z->qlen[i] >> 8);
		z->buf[pos++] = (uint8_t)z->qlen[i];
		memcpy(z->buf + pos, z->q[i], z->qlen[i]);
		pos += z->qlen[i];
	}
	z->buf[0] = (uint8_t)(f | nri | H264_NAL_STAP_A);
	z->nq = 0;
	z->qsize = 1;
	return pktz_emit(z, z->buf, pos, marker);
}

static int pktz_fua(struct pktz *z, const uint8_t *nal, size_t len, bool last)
{
	size_t data = len - 1, room = z->max - 2, nfrag, chunk, off = 1;

	nfrag = (data + room - 1) / room;
	chunk = (data + nfrag - 1) / nfrag;
	z->buf[0] = (uint8_t)((nal[0] & 0xe0) | H264_NAL_FU_A);
	for (size_t i = 0; i < nfrag; i++) {
		size_t n = MIN(chunk, len - off);
		bool s = i == 0, e = i == nfrag - 1;
		int r;

		z->buf[1] = (uint8_t)((s ? 0x80 : 0) | (e ? 0x40 : 0) | (nal[0] & 0x1f));
		memcpy(z->buf + 2, nal + off, n);
		off += n;
		r = pktz_emit(z, z->buf, n + 2, last && e);
		if (r < 0)
			return r;
	}
	return 0;
}

int h264_packetize(const uint8_t *au, size_t len, size_t max_payload,
		   h264_pkt_h cb, void *arg)
{
	struct pktz z;
	const uint8_t *nal, *next = NULL;
	size_t pos = 0, nal_len, next_len = 0;
	bool have_next;
	int r;

	if (!max_payload)
		max_payload = H264_RTP_MTU_DEFAULT;
	if (!au || !cb || max_payload < H264_RTP_PAYLOAD_MIN ||
	    max_payload > H264_RTP_PAYLOAD_MAX)
		return -EINVAL;
	z.max = max_payload;
	z.cb = cb;
	z.arg = arg;
	z.count = 0;
	z.nq = 0;
	z.qsize = 1;

	have_next = h264_annexb_next(au, len, &pos, &next, &next_len);
	if (!have_next)
		return -EINVAL;
	while (have_next) {
		bool last;

		nal = next;
		nal_len = next_len;
		have_next = h264_annexb_next(au, len, &pos, &next, &next_len);
		last = !have_next;
		if (nal_len > z.max) {
			r = pktz_flush(&z, false);
			if (r < 0)
				return r;
			r = pktz_fua(&z, nal, nal_len, last);
			if (r < 0)
				return r;
			continue;
		}
		if (z.qsize + 2 + nal_len > z.max || z.nq == ARRAY_SIZE(z.q)) {
			r = pktz_flush(&z, false);
			if (r < 0)
				return r;
		}
		z.q[z.nq] = nal;
		z.qlen[z.nq] = nal_len;
		z.nq++;
		z.qsize += 2 + nal_len;
		if (last) {
			r = pktz_flush(&z, true);
			if (r < 0)
				return r;
		}
	}
	return z.count;
}

/* ------------------------------------------------------------------ */
/* Assembler */

struct slot {
	bool used;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint64_t arrival_us;
	size_t len, cap;
	uint8_t *data;
};

struct h264_depkt {
	struct h264_depkt_conf conf;
	h264_au_h cb;
	void *arg;

	/* reorder window */
	struct slot *win;
	unsigned wsize;                 /* power of two */
	unsigned nbuf;                  /* slots in use */
	unsigned nmark;                 /* ... of which marker packets */
	size_t buf_bytes;
	bool started;
	uint16_t expect;                /* next sequence number to consume */
	uint16_t highest;               /* highest sequence number seen */
	uint64_t seen;                  /* bit i: expect-1-i was consumed */
	unsigned late_run;
	bool gap_pending;               /* a loss since the last consumed packet */
	bool gap_timed;                 /* gap_since is valid for gap_seq */
	uint16_t gap_seq;
	uint64_t gap_since;

	/* access unit being assembled */
	uint8_t *au;
	size_t au_len, au_cap;
	bool open;
	bool broken;
	bool oversize;
	bool in_fu;
	uint8_t fu_type;
	uint32_t ts;
	uint16_t first_seq, last_seq;
	unsigned nals;
	uint32_t types;

	bool need_kf;
	bool kf_requested;
	int err;
	struct h264_depkt_stats st;
};

int h264_depkt_new(struct h264_depkt **ret, const struct h264_depkt_conf *conf,
		   h264_au_h cb, void *arg)
{
	struct h264_depkt *d;
	unsigned w = DEF_WINDOW;

	if (!ret || !cb)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (conf)
		d->conf = *conf;
	if (!d->conf.max_au_size)
		d->conf.max_au_size = DEF_MAX_AU;
	if (!d->conf.max_nals)
		d->conf.max_nals = DEF_MAX_NALS;
	if (!d->conf.reorder_frames)
		d->conf.reorder_frames = DEF_REORDER_FRAMES;
	if (d->conf.reorder_pkts) {
		w = 1;
		while (w < d->conf.reorder_pkts && w < MAX_WINDOW)
			w <<= 1;
	}
	d->wsize = w;
	d->cb = cb;
	d->arg = arg;
	d->need_kf = true;
	d->win = calloc(w, sizeof(*d->win));
	if (!d->win) {
		free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

struct h264_depkt *h264_depkt_free(struct h264_depkt *d)
{
	if (!d)
		return NULL;
	for (unsigned i = 0; i < d->wsize; i++)
		free(d->win[i].data);
	free(d->win);
	free(d->au);
	free(d);
	return NULL;
}

static void au_clear(struct h264_depkt *d)
{
	d->open = false;
	d->broken = false;
	d->oversize = false;
	d->in_fu = false;
	d->au_len = 0;
	d->nals = 0;
	d->types = 0;
}

static void enter_loss(struct h264_depkt *d)
{
	if (!d->need_kf || !d->kf_requested) {
		d->need_kf = true;
		d->kf_requested = true;
		d->st.keyframe_requests++;
	}
}

static void au_finish(struct h264_depkt *d)
{
	struct h264_au au = {
		.ts = d->ts,
		.first_seq = d->first_seq,
		.last_seq = d->last_seq,
		.nal_count = d->nals,
		.nal_types = d->types,
	};

	if (!d->open)
		return;
	if (d->broken || d->in_fu || d->nals == 0) {
		if (d->oversize)
			d->st.oversize++;
		d->st.frames_dropped++;
		enter_loss(d);
		au.flags = H264_AU_DROPPED;
		au_clear(d);
		d->cb(&au, d->arg);
		return;
	}
	if (d->types & (1u << H264_NAL_IDR)) {
		au.flags |= H264_AU_IDR;
		d->need_kf = false;
		d->kf_requested = false;
	}
	if (d->types & (1u << H264_NAL_SPS))
		au.flags |= H264_AU_SPS;
	if (d->types & (1u << H264_NAL_PPS))
		au.flags |= H264_AU_PPS;
	if (d->need_kf) {
		/* first AU of a stream joined mid-way: ask for a keyframe too */
		if (!d->kf_requested) {
			d->kf_requested = true;
			d->st.keyframe_requests++;
		}
		if (d->conf.drop_after_loss) {
			d->st.frames_skipped++;
			au_clear(d);
			return;
		}
		au.flags |= H264_AU_AFTER_LOSS;
		d->st.frames_after_loss++;
	}
	d->st.frames_complete++;
	au.data = d->au;
	au.len = d->au_len;
	au_clear(d);
	d->cb(&au, d->arg);
}

/* Appends a start code and n bytes (hdr first if given) to the AU. */
static bool au_append(struct h264_depkt *d, bool start_code, const uint8_t *hdr,
		      const uint8_t *p, size_t n)
{
	size_t need = (start_code ? 4 : 0) + (hdr ? 1 : 0) + n;

	if (d->broken)
		return false;
	if (start_code && d->nals >= d->conf.max_nals) {
		d->broken = d->oversize = true;
		return false;
	}
	if (need > d->conf.max_au_size - d->au_len) {
		d->broken = d->oversize = true;
		return false;
	}
	if (d->au_len + need > d->au_cap) {
		size_t cap = d->au_cap ? d->au_cap : 16384;
		uint8_t *nb;

		while (cap < d->au_len + need)
			cap *= 2;
		cap = MIN(cap, d->conf.max_au_size);
		nb = realloc(d->au, cap);
		if (!nb) {
			d->broken = true;
			d->err = -ENOMEM;
			return false;
		}
		d->au = nb;
		d->au_cap = cap;
	}
	if (start_code) {
		memcpy(d->au + d->au_len, "\0\0\0\1", 4);
		d->au_len += 4;
		d->nals++;
	}
	if (hdr)
		d->au[d->au_len++] = *hdr;
	memcpy(d->au + d->au_len, p, n);
	d->au_len += n;
	return true;
}

static void add_nal(struct h264_depkt *d, const uint8_t *nal, size_t len)
{
	d->types |= 1u << (nal[0] & 0x1f);
	au_append(d, true, NULL, nal, len);
}

static void malformed(struct h264_depkt *d)
{
	d->st.malformed++;
	d->broken = true;
}

static void parse_payload(struct h264_depkt *d, const uint8_t *p, size_t len)
{
	uint8_t type;

	if (len < 1 || (p[0] & 0x80)) {
		malformed(d);
		return;
	}
	type = p[0] & 0x1f;
	if (type != H264_NAL_FU_A && d->in_fu) {
		/* FU-A without its end */
		d->in_fu = false;
		d->broken = true;
	}
	if (type >= 1 && type <= 23) {
		add_nal(d, p, len);
	} else if (type == H264_NAL_STAP_A) {
		struct rcur c;
		unsigned n = 0;

		rcur_init(&c, p + 1, len - 1);
		while (rcur_left(&c) > 0) {
			size_t sz = rcur_u16(&c);
			const uint8_t *nal = rcur_bytes(&c, sz);
			uint8_t t;

			if (!nal || sz == 0) {
				malformed(d);
				return;
			}
			t = nal[0] & 0x1f;
			if ((nal[0] & 0x80) || t == 0 || t >= 24) {
				malformed(d);
				return;
			}
			add_nal(d, nal, sz);
			n++;
		}
		if (!n)
			malformed(d);
	} else if (type == H264_NAL_FU_A) {
		bool s, e;
		uint8_t t, hdr;

		if (len < 3) {
			malformed(d);
			return;
		}
		s = p[1] & 0x80;
		e = p[1] & 0x40;
		t = p[1] & 0x1f;
		if ((s && e) || (p[1] & 0x20) || t == 0 || t >= 24) {
			d->in_fu = false;
			malformed(d);
			return;
		}
		if (s) {
			if (d->in_fu)
				d->broken = true;       /* previous FU had no end */
			hdr = (uint8_t)((p[0] & 0xe0) | t);
			d->types |= 1u << t;
			au_append(d, true, &hdr, p + 2, len - 2);
			d->in_fu = true;
			d->fu_type = t;
		} else {
			if (!d->in_fu || d->fu_type != t) {
				/* continuation without its start */
				d->in_fu = false;
				d->broken = true;
				return;
			}
			au_append(d, false, NULL, p + 2, len - 2);
		}
		if (e)
			d->in_fu = false;
	} else {
		/* STAP-B, MTAP, FU-B (interleaved mode) and reserved types */
		malformed(d);
	}
}

/* Consumes the packet at `expect` (in order). */
static void consume(struct h264_depkt *d, uint16_t seq, uint32_t ts, bool marker,
		    const uint8_t *p, size_t len)
{
	bool gap = d->gap_pending;

	d->gap_pending = false;
	if (d->open && ts != d->ts) {
		if (gap)
			d->broken = true;
		au_finish(d);
	}
	if (!d->open) {
		au_clear(d);
		d->open = true;
		d->ts = ts;
		d->first_seq = seq;
		d->broken = gap;
	} else if (gap) {
		d->broken = true;
	}
	d->last_seq = seq;
	parse_payload(d, p, len);
	if (marker)
		au_finish(d);
}

static void slot_release(struct h264_depkt *d, struct slot *s)
{
	s->used = false;
	d->nbuf--;
	if (s->marker)
		d->nmark--;
	d->buf_bytes -= s->len;
}

static void advance_consumed(struct h264_depkt *d)
{
	d->expect++;
	d->seen = d->seen << 1 | 1;
}

static void advance_lost(struct h264_depkt *d)
{
	d->expect++;
	d->seen <<= 1;
	d->st.lost++;
	d->gap_pending = true;
}

static uint64_t oldest_arrival(const struct h264_depkt *d)
{
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < d->wsize; i++)
		if (d->win[i].used && d->win[i].arrival_us < t)
			t = d->win[i].arrival_us;
	return t;
}

/* Consumes buffered packets in order; gives up holes per the rules. */
static void drain(struct h264_depkt *d, uint64_t now_us, bool force)
{
	for (;;) {
		struct slot *s = &d->win[d->expect & (d->wsize - 1)];
		bool give_up;

		if (s->used && s->seq == d->expect) {
			/* consume from the slot; it stays valid during the call */
			slot_release(d, s);
			consume(d, s->seq, s->ts, s->marker, s->data, s->len);
			advance_consumed(d);
			continue;
		}
		if (d->nbuf == 0) {
			d->gap_timed = false;
			return;
		}
		if (!d->gap_timed || d->gap_seq != d->expect) {
			d->gap_timed = true;
			d->gap_seq = d->expect;
			d->gap_since = oldest_arrival(d);
		}
		give_up = force || d->nmark >= d->conf.reorder_frames ||
			  d->buf_bytes > d->conf.max_au_size ||
			  (d->conf.max_wait_us && now_us &&
			   now_us - d->gap_since >= d->conf.max_wait_us);
		if (!give_up)
			return;
		advance_lost(d);
	}
}

static void window_clear(struct h264_depkt *d)
{
	for (unsigned i = 0; i < d->wsize; i++)
		d->win[i].used = false;
	d->nbuf = 0;
	d->nmark = 0;
	d->buf_bytes = 0;
	d->gap_timed = false;
}

static void restart(struct h264_depkt *d, uint16_t seq)
{
	/* what was buffered is given up; the open AU is broken */
	drain(d, 0, true);
	window_clear(d);
	if (d->open) {
		d->broken = true;
		au_finish(d);
	}
	d->expect = seq;
	d->highest = seq;
	d->seen = 0;
	d->late_run = 0;
	d->gap_pending = true;
	d->st.resyncs++;
}

int h264_depkt_put(struct h264_depkt *d, const struct h264_rtp_pkt *pkt)
{
	struct slot *s;
	int16_t delta;
	int r;

	if (!d || !pkt || (!pkt->payload && pkt->len))
		return -EINVAL;
	d->st.packets++;
	d->st.bytes += pkt->len;
	d->err = 0;
	if (!d->started) {
		d->started = true;
		d->expect = pkt->seq;
		d->highest = pkt->seq;
		d->seen = 0;
	}
	delta = (int16_t)(pkt->seq - d->expect);
	if (delta < 0) {
		if (delta >= -64 && (d->seen >> (-delta - 1)) & 1) {
			d->st.dups++;
			return 0;
		}
		if (delta >= -(int)d->wsize - 64 || ++d->late_run < RESYNC_LATE_RUN) {
			d->st.late++;
			return 0;
		}
		restart(d, pkt->seq);   /* the sender restarted further back */
		delta = 0;
	}
	d->late_run = 0;
	if (delta > RESYNC_JUMP) {
		restart(d, pkt->seq);
		delta = 0;
	} else if (delta >= (int)d->wsize) {
		/* give up holes until the packet fits the window */
		while ((int16_t)(pkt->seq - d->expect) >= (int)d->wsize) {
			struct slot *h = &d->win[d->expect & (d->wsize - 1)];

			if (h->used && h->seq == d->expect) {
				slot_release(d, h);
				consume(d, h->seq, h->ts, h->marker, h->data, h->len);
				advance_consumed(d);
			} else {
				advance_lost(d);
			}
		}
		delta = (int16_t)(pkt->seq - d->expect);
	}
	if ((int16_t)(pkt->seq - d->highest) > 0)
		d->highest = pkt->seq;
	else if (pkt->seq != d->highest)
		d->st.reordered++;

	if (delta == 0) {
		/* in order: consume without copying */
		if (pkt->len > MAX_PKT) {
			d->st.malformed++;
			advance_lost(d);
		} else {
			consume(d, pkt->seq, pkt->ts, pkt->marker, pkt->payload, pkt->len);
			advance_consumed(d);
		}
		drain(d, pkt->arrival_us, false);
		r = d->err;
		return r;
	}

	s = &d->win[pkt->seq & (d->wsize - 1)];
	if (s->used) {
		d->st.dups++;
		return 0;
	}
	if (pkt->len > MAX_PKT) {
		d->st.malformed++;      /* its hole will be declared lost */
		drain(d, pkt->arrival_us, false);
		return d->err;
	}
	if (pkt->len > s->cap) {
		size_t cap = MAX(pkt->len, (size_t)1500);
		uint8_t *nb = realloc(s->data, cap);

		if (!nb)
			return -ENOMEM;
		s->data = nb;
		s->cap = cap;
	}
	if (pkt->len)
		memcpy(s->data, pkt->payload, pkt->len);
	s->used = true;
	s->seq = pkt->seq;
	s->ts = pkt->ts;
	s->marker = pkt->marker;
	s->len = pkt->len;
	s->arrival_us = pkt->arrival_us;
	d->nbuf++;
	if (s->marker)
		d->nmark++;
	d->buf_bytes += s->len;
	drain(d, pkt->arrival_us, false);
	return d->err;
}

void h264_depkt_poll(struct h264_depkt *d, uint64_t now_us)
{
	if (d && d->nbuf && d->conf.max_wait_us)
		drain(d, now_us, false);
}

void h264_depkt_flush(struct h264_depkt *d)
{
	if (d && d->nbuf)
		drain(d, 0, true);
}

void h264_depkt_reset(struct h264_depkt *d)
{
	if (!d)
		return;
	window_clear(d);
	au_clear(d);
	d->started = false;
	d->seen = 0;
	d->late_run = 0;
	d->gap_pending = false;
	d->need_kf = true;
	d->kf_requested = false;
}

bool h264_depkt_keyframe_needed(const struct h264_depkt *d)
{
	return d->need_kf;
}

void h264_depkt_decoded_ok(struct h264_depkt *d)
{
	d->need_kf = false;
	d->kf_requested = false;
}

void h264_depkt_lost_downstream(struct h264_depkt *d)
{
	if (d)
		enter_loss(d);
}

void h264_depkt_stats(const struct h264_depkt *d, struct h264_depkt_stats *st)
{
	*st = d->st;
}

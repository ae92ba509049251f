/* test_h264_rtp.c: H.264 RTP packetizer and frame assembler (RFC 6184). */
#include <errno.h>
#include <stdlib.h>

#include "lib/base/cleanup.h"
#include "media/h264_rtp.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Appends a NAL of type t and len bytes (random body without zero bytes, so
 * no start code emulation), with a 3- or 4-byte start code. */
static void add_nal(struct bytes *b, uint8_t t, size_t len, bool sc3)
{
	uint8_t hdr = (uint8_t)(((rnd() % 4) << 5) | t);

	bytes_add(b, sc3 ? "\0\0\1" : "\0\0\0\1", sc3 ? 3 : 4);
	bytes_add(b, &hdr, 1);
	for (size_t i = 1; i < len; i++) {
		uint8_t v = (uint8_t)(1 + rnd() % 255);

		bytes_add(b, &v, 1);
	}
}

/* Annex B with 4-byte start codes, the form the assembler outputs. */
static void normalize(const struct bytes *in, struct bytes *out)
{
	const uint8_t *nal;
	size_t pos = 0, n;

	out->len = 0;
	while (h264_annexb_next(in->p, in->len, &pos, &nal, &n)) {
		bytes_add(out, "\0\0\0\1", 4);
		bytes_add(out, nal, n);
	}
}

struct pkt {
	uint16_t seq;
	uint32_t ts;
	bool marker;
	size_t len;
	uint8_t *data;
	int au;                 /* index of its access unit */
};

struct pktlist {
	struct pkt *v;
	size_t n, cap;
	uint16_t seq;
	uint32_t ts;
	int au;
};

static int collect(const uint8_t *p, size_t len, bool marker, void *arg)
{
	struct pktlist *l = arg;
	struct pkt *k;

	if (l->n == l->cap) {
		l->cap = l->cap * 2 + 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	k = &l->v[l->n++];
	k->seq = l->seq++;
	k->ts = l->ts;
	k->marker = marker;
	k->len = len;
	k->data = malloc(len);
	k->au = l->au;
	memcpy(k->data, p, len);
	return 0;
}

static void pktlist_free(struct pktlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].data);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

#define MAX_OUT 4096
struct outs {
	int n;
	struct h264_au au[MAX_OUT];
	uint8_t *data[MAX_OUT];
};

static void on_au(const struct h264_au *au, void *arg)
{
	struct outs *o = arg;

	if (o->n >= MAX_OUT)
		return;
	o->au[o->n] = *au;
	o->data[o->n] = NULL;
	if (au->len) {
		o->data[o->n] = malloc(au->len);
		memcpy(o->data[o->n], au->data, au->len);
	}
	o->n++;
}

static void outs_free(struct outs *o)
{
	for (int i = 0; i < o->n; i++)
		free(o->data[i]);
	o->n = 0;
}

static int put(struct h264_depkt *d, uint16_t seq, uint32_t ts, bool m,
	       const void *p, size_t len)
{
	struct h264_rtp_pkt k = {
		.seq = seq, .ts = ts, .marker = m, .payload = p, .len = len,
	};

	return h264_depkt_put(d, &k);
}

static int put_pkt(struct h264_depkt *d, const struct pkt *k)
{
	return put(d, k->seq, k->ts, k->marker, k->data, k->len);
}

/* ---- Annex B and packetizer --------------------------------------------- */

TEST(annexb_split)
{
	static const uint8_t in[] = {
		0, 0, 1, 0x67, 1, 2,            /* 3-byte start code */
		0, 0, 0, 1, 0x68, 3, 0,         /* 4-byte, trailing zero */
		0, 0, 1,                        /* empty NAL: skipped */
		0, 0, 1, 0x65, 0, 0, 3, 1, 0, 0 /* emulation prevention kept */
	};
	const uint8_t *nal;
	size_t pos = 0, n;

	CHECK(h264_annexb_next(in, sizeof(in), &pos, &nal, &n));
	CHECK_EQ(n, 3);
	CHECK_EQ(nal[0], 0x67);
	CHECK(h264_annexb_next(in, sizeof(in), &pos, &nal, &n));
	CHECK_EQ(n, 2);
	CHECK_EQ(nal[0], 0x68);
	CHECK(h264_annexb_next(in, sizeof(in), &pos, &nal, &n));
	CHECK_EQ(n, 5);
	CHECK_EQ(nal[0], 0x65);
	CHECK(!h264_annexb_next(in, sizeof(in), &pos, &nal, &n));
	pos = 0;
	CHECK(!h264_annexb_next(in, 2, &pos, &nal, &n));
}

TEST(packetize_stap_and_fua)
{
	struct bytes au = { 0 };
	struct pktlist l = { 0 };
	int n;

	add_nal(&au, H264_NAL_SPS, 12, false);
	add_nal(&au, H264_NAL_PPS, 4, true);
	add_nal(&au, H264_NAL_SEI, 30, false);
	add_nal(&au, H264_NAL_IDR, 5000, false);
	au.p[3 + 1 + 12 + 3 + 4 + 4 + 30 + 4] |= 0x60;  /* IDR NRI = 3 */
	n = h264_packetize(au.p, au.len, 1200, collect, &l);
	CHECK_EQ(n, (int)l.n);
	CHECK_EQ(l.n, 1 + 5);   /* STAP-A, then 4999 bytes in 5 fragments */
	CHECK_EQ(l.v[0].data[0] & 0x1f, H264_NAL_STAP_A);
	CHECK_EQ(l.v[0].len, 1 + 2 + 12 + 2 + 4 + 2 + 30);
	CHECK(!l.v[0].marker);
	for (size_t i = 1; i < l.n; i++) {
		const uint8_t *p = l.v[i].data;

		CHECK(l.v[i].len <= 1200);
		CHECK_EQ(p[0] & 0x1f, H264_NAL_FU_A);
		CHECK_EQ(p[0] & 0x60, 0x60);                    /* NRI kept */
		CHECK_EQ(p[1] & 0x1f, H264_NAL_IDR);
		CHECK_EQ(!!(p[1] & 0x80), i == 1);              /* S */
		CHECK_EQ(!!(p[1] & 0x40), i == l.n - 1);        /* E */
		CHECK_EQ(l.v[i].marker, i == l.n - 1);
	}
	/* a lone small NAL is a single NAL unit packet, marker set */
	pktlist_free(&l);
	au.len = 0;
	add_nal(&au, H264_NAL_SLICE, 1, false);
	CHECK_EQ(h264_packetize(au.p, au.len, 0, collect, &l), 1);
	CHECK_EQ(l.v[0].len, 1);
	CHECK(l.v[0].marker);
	/* bad arguments */
	CHECK_EQ(h264_packetize(au.p, au.len, 10, collect, &l), -EINVAL);
	CHECK_EQ(h264_packetize((const uint8_t *)"\0\0\1", 3, 0, collect, &l), -EINVAL);
	pktlist_free(&l);
	free(au.p);
}

static int stop_cb(const uint8_t *p, size_t len, bool marker, void *arg)
{
	return -ECANCELED;
}

TEST(packetize_callback_error)
{
	struct bytes au = { 0 };

	add_nal(&au, H264_NAL_IDR, 3000, false);
	CHECK_EQ(h264_packetize(au.p, au.len, 0, stop_cb, NULL), -ECANCELED);
	free(au.p);
}

/* ---- round trips -------------------------------------------------------- */

/* Builds a random AU: optional SPS/PPS/SEI, then 1..4 slices. */
static void random_au(struct bytes *b, bool idr, size_t maxslice)
{
	unsigned slices = 1 + rnd() % 4;

	b->len = 0;
	if (rnd() % 4 == 0)
		add_nal(b, H264_NAL_AUD, 2, rnd() & 1);
	if (idr) {
		add_nal(b, H264_NAL_SPS, 5 + rnd() % 20, rnd() & 1);
		add_nal(b, H264_NAL_PPS, 2 + rnd() % 6, rnd() & 1);
	}
	if (rnd() % 3 == 0)
		add_nal(b, H264_NAL_SEI, 1 + rnd() % 40, rnd() & 1);
	for (unsigned i = 0; i < slices; i++)
		add_nal(b, idr ? H264_NAL_IDR : H264_NAL_SLICE,
			1 + rnd() % maxslice, rnd() & 1);
}

TEST(roundtrip_sizes)
{
	static const size_t sizes[] = { 1, 2, 3, 60, 1198, 1199, 1200, 1201,
					2397, 2398, 5000, 65535, 65536, 300000 };
	static const size_t mtus[] = { 64, 500, 1200, 1400, 8192 };
	struct h264_depkt *d;
	static struct outs o;
	struct bytes au = { 0 }, want = { 0 };
	uint16_t seq = 65500;   /* crosses the wrap */

	CHECK_OK(h264_depkt_new(&d, NULL, on_au, &o));
	for (size_t m = 0; m < ARRAY_SIZE(mtus); m++) {
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
			struct pktlist l = { .seq = seq, .ts = (uint32_t)(m * 100 + s) * 3000 };

			au.len = 0;
			add_nal(&au, H264_NAL_SPS, 10, false);
			add_nal(&au, H264_NAL_PPS, 4, true);
			add_nal(&au, H264_NAL_IDR, sizes[s], s & 1);
			add_nal(&au, H264_NAL_SLICE, 1 + sizes[s] / 3, false);
			normalize(&au, &want);
			CHECK(h264_packetize(au.p, au.len, mtus[m], collect, &l) > 0);
			seq = l.seq;
			o.n = 0;
			for (size_t i = 0; i < l.n; i++) {
				CHECK(l.v[i].len <= mtus[m]);
				CHECK_OK(put_pkt(d, &l.v[i]));
			}
			CHECK_EQ(o.n, 1);
			CHECK_EQ(o.au[0].flags, H264_AU_IDR | H264_AU_SPS | H264_AU_PPS);
			CHECK_EQ(o.au[0].len, want.len);
			CHECK(memcmp(o.data[0], want.p, want.len) == 0);
			CHECK_EQ(o.au[0].nal_count, 4);
			CHECK_EQ(o.au[0].ts, l.ts);
			CHECK_EQ(o.au[0].first_seq, l.v[0].seq);
			CHECK_EQ(o.au[0].last_seq, l.v[l.n - 1].seq);
			outs_free(&o);
			pktlist_free(&l);
		}
	}
	CHECK(!h264_depkt_keyframe_needed(d));
	h264_depkt_free(d);
	free(au.p);
	free(want.p);
}

/* Streams nau random AUs through loss/dup/reorder and checks the output. */
static void impaired_run(unsigned loss_pct, unsigned dup_pct, unsigned reorder_pct,
			 bool patient)
{
	enum { NAU = 300 };
	static struct bytes want[NAU];
	static struct outs o;
	struct h264_depkt_conf conf = { 0 };
	struct h264_depkt *d;
	struct pktlist l = { .seq = (uint16_t)rnd(), .ts = rnd() };
	struct bytes au = { 0 };
	uint32_t ts0 = l.ts;
	size_t *order, norder = 0;
	bool *recv;
	int delivered = 0, guaranteed = 0, partial = 0;

	for (int i = 0; i < NAU; i++) {
		random_au(&au, i % 50 == 0, i % 50 == 0 ? 40000 : 3000);
		want[i].len = 0;
		normalize(&au, &want[i]);
		l.au = i;
		CHECK(h264_packetize(au.p, au.len, 1200, collect, &l) > 0);
		l.ts += 3000;
	}
	order = calloc(l.n * 2 + 1, sizeof(*order));
	recv = calloc(l.n, sizeof(*recv));
	for (size_t i = 0; i < l.n; i++) {
		if (rnd() % 100 < loss_pct)
			continue;
		recv[i] = true;
		order[norder++] = i;
		if (rnd() % 100 < dup_pct)
			order[norder++] = i;
	}
	for (size_t i = 0; i + 8 < norder; i++) {
		if (rnd() % 100 < reorder_pct) {
			size_t j = i + 1 + rnd() % 7, t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
	}
	if (patient)
		conf.reorder_frames = UINT32_MAX;       /* only the window gives up */
	CHECK_OK(h264_depkt_new(&d, &conf, on_au, &o));
	for (size_t i = 0; i < norder; i++)
		CHECK_OK(put_pkt(d, &l.v[order[i]]));
	h264_depkt_flush(d);

	/* every delivered AU is byte-identical to what was sent */
	for (int k = 0; k < o.n; k++) {
		int i = (int)((o.au[k].ts - ts0) / 3000);

		CHECK(i >= 0 && i < NAU);
		if (o.au[k].flags & H264_AU_DROPPED)
			continue;
		delivered++;
		CHECK_MSG(o.au[k].len == want[i].len &&
			  memcmp(o.data[k], want[i].p, want[i].len) == 0,
			  "AU %d differs", i);
	}
	/* AUs that lost some (not all) packets are reported dropped; with a
	 * patient assembler, AUs whose packets (and the previous AU's last)
	 * all arrived are delivered */
	for (int i = 0, p = 0; i < NAU; i++) {
		size_t first = (size_t)p, last;
		bool all = true, any = false, found = false, ok = false;

		while ((size_t)p < l.n && l.v[p].au == i)
			p++;
		last = (size_t)p - 1;
		for (size_t k = first; k <= last; k++) {
			all &= recv[k];
			any |= recv[k];
		}
		for (int k = 0; k < o.n; k++) {
			if (o.au[k].ts == ts0 + (uint32_t)i * 3000) {
				found = true;
				ok = !(o.au[k].flags & H264_AU_DROPPED);
			}
		}
		partial += any && !all;
		if (any && !all)
			CHECK_MSG(found && !ok, "AU %d incomplete but not flagged", i);
		if (patient && all && (first == 0 || recv[first - 1])) {
			guaranteed++;
			CHECK_MSG(found && ok, "AU %d complete but not delivered", i);
		}
	}
	printf("  loss %u%% dup %u%% reorder %u%%%s: %zu packets, %d AUs delivered, "
	       "%d guaranteed, %d partially lost\n", loss_pct, dup_pct, reorder_pct,
	       patient ? " (patient)" : "", l.n, delivered, guaranteed, partial);
	if (patient)
		CHECK(delivered >= guaranteed);
	if (loss_pct == 0 && patient)
		CHECK_EQ(delivered, NAU);
	if (loss_pct) {
		struct h264_depkt_stats st;

		h264_depkt_stats(d, &st);
		CHECK(st.lost > 0);
		CHECK(st.frames_dropped > 0);
		CHECK(st.keyframe_requests > 0);
	}
	outs_free(&o);
	h264_depkt_free(d);
	pktlist_free(&l);
	free(order);
	free(recv);
	free(au.p);
	for (int i = 0; i < NAU; i++) {
		free(want[i].p);
		want[i] = (struct bytes){ 0 };
	}
}

TEST(roundtrip_reorder_dup)
{
	impaired_run(0, 5, 10, true);
}

TEST(roundtrip_loss_patient)
{
	impaired_run(2, 3, 5, true);
	if (test_failed())
		return;
	impaired_run(10, 0, 20, true);
}

TEST(roundtrip_loss_default)
{
	for (int i = 0; i < 4 && !test_failed(); i++)
		impaired_run(1 + i * 3, 2, 10, false);
}

/* ---- receiver-side inputs as GStreamer / baresip send them -------------- */

TEST(gstreamer_stap_fua)
{
	/* rtph264pay aggregate-mode=zero-latency: STAP-A(SPS,PPS) then FU-A */
	static const uint8_t sps[] = { 0x67, 0x42, 0xc0, 0x1f, 0x8c };
	static const uint8_t pps[] = { 0x68, 0xce, 0x3c, 0x80 };
	uint8_t stap[1 + 2 + sizeof(sps) + 2 + sizeof(pps)], fu[3][6];
	static struct outs o;
	struct h264_depkt *d;
	size_t n = 0;

	stap[n++] = 0x78;
	stap[n++] = 0;
	stap[n++] = sizeof(sps);
	memcpy(stap + n, sps, sizeof(sps));
	n += sizeof(sps);
	stap[n++] = 0;
	stap[n++] = sizeof(pps);
	memcpy(stap + n, pps, sizeof(pps));
	n += sizeof(pps);
	for (int i = 0; i < 3; i++) {
		fu[i][0] = 0x7c;                        /* NRI 3, FU-A */
		fu[i][1] = (uint8_t)((i == 0 ? 0x80 : 0) | (i == 2 ? 0x40 : 0) | 5);
		for (int k = 2; k < 6; k++)
			fu[i][k] = (uint8_t)(0x10 * i + k);
	}
	CHECK_OK(h264_depkt_new(&d, NULL, on_au, &o));
	CHECK_OK(put(d, 100, 9000, false, stap, n));
	for (int i = 0; i < 3; i++)
		CHECK_OK(put(d, (uint16_t)(101 + i), 9000, i == 2, fu[i], 6));
	CHECK_EQ(o.n, 1);
	CHECK_EQ(o.au[0].flags, H264_AU_IDR | H264_AU_SPS | H264_AU_PPS);
	CHECK_EQ(o.au[0].nal_count, 3);
	CHECK_EQ(o.au[0].len, 4 + sizeof(sps) + 4 + sizeof(pps) + 4 + 1 + 12);
	CHECK(memcmp(o.data[0] + 4, sps, sizeof(sps)) == 0);
	CHECK_EQ(o.data[0][4 + sizeof(sps) + 4 + sizeof(pps) + 4], 0x65);
	CHECK(memcmp(o.data[0] + o.au[0].len - 4, fu[2] + 2, 4) == 0);
	outs_free(&o);

	/* aggregate-mode=none / packetization-mode 0: AUD, SEI single NALs;
	 * this AU has no marker (some senders): ends on the next timestamp */
	static const uint8_t aud[] = { 0x09, 0xf0 }, sei[] = { 0x06, 0x05, 0x01, 0x80 };
	static const uint8_t slice[] = { 0x41, 0x9a, 0x02 };
	CHECK_OK(put(d, 104, 12000, false, aud, sizeof(aud)));
	CHECK_OK(put(d, 105, 12000, false, sei, sizeof(sei)));
	CHECK_OK(put(d, 106, 12000, false, slice, sizeof(slice)));
	CHECK_EQ(o.n, 0);
	CHECK_OK(put(d, 107, 15000, true, slice, sizeof(slice)));
	CHECK_EQ(o.n, 2);
	CHECK_EQ(o.au[0].ts, 12000);
	CHECK_EQ(o.au[0].flags, 0);
	CHECK_EQ(o.au[0].nal_count, 3);
	CHECK_EQ(o.au[0].len, 4 * 3 + sizeof(aud) + sizeof(sei) + sizeof(slice));
	CHECK_EQ(o.au[0].nal_types, (1u << 9) | (1u << 6) | (1u << 1));
	CHECK_EQ(o.au[1].ts, 15000);
	outs_free(&o);
	h264_depkt_free(d);
}

/* ---- broken input ------------------------------------------------------- */

static const uint8_t idr_pkt[] = { 0x65, 1, 2, 3 };
static const uint8_t p_pkt[] = { 0x41, 4, 5, 6 };

TEST(broken_fua)
{
	static const uint8_t fu_start[] = { 0x7c, 0x85, 1, 2 };
	static const uint8_t fu_mid[] = { 0x7c, 0x05, 3, 4 };
	static const uint8_t fu_end[] = { 0x7c, 0x45, 5, 6 };
	static const uint8_t fu_se[] = { 0x7c, 0xc5, 5, 6 };
	static const uint8_t fu_other[] = { 0x7c, 0x41, 5, 6 };
	static struct outs o;
	struct h264_depkt *d;
	struct h264_depkt_stats st;

	CHECK_OK(h264_depkt_new(&d, NULL, on_au, &o));
	CHECK(h264_depkt_keyframe_needed(d));
	CHECK_OK(put(d, 1, 0, true, idr_pkt, sizeof(idr_pkt)));
	CHECK(!h264_depkt_keyframe_needed(d));
	/* missing start */
	CHECK_OK(put(d, 2, 3000, false, fu_mid, sizeof(fu_mid)));
	CHECK_OK(put(d, 3, 3000, true, fu_end, sizeof(fu_end)));
	/* missing end (next is a new start) */
	CHECK_OK(put(d, 4, 6000, false, fu_start, sizeof(fu_start)));
	CHECK_OK(put(d, 5, 6000, true, fu_start, sizeof(fu_start)));
	/* S and E in one fragment */
	CHECK_OK(put(d, 6, 9000, true, fu_se, sizeof(fu_se)));
	/* continuation of another type */
	CHECK_OK(put(d, 7, 12000, false, fu_start, sizeof(fu_start)));
	CHECK_OK(put(d, 8, 12000, true, fu_other, sizeof(fu_other)));
	/* ends while a FU-A is open */
	CHECK_OK(put(d, 9, 15000, true, fu_start, sizeof(fu_start)));
	CHECK_EQ(o.n, 6);
	for (int i = 1; i < 6; i++)
		CHECK_EQ(o.au[i].flags, H264_AU_DROPPED);
	CHECK(h264_depkt_keyframe_needed(d));
	/* a complete P frame now is delivered but flagged */
	CHECK_OK(put(d, 10, 18000, false, fu_start, sizeof(fu_start)));
	CHECK_OK(put(d, 11, 18000, false, fu_mid, sizeof(fu_mid)));
	CHECK_OK(put(d, 12, 18000, true, fu_end, sizeof(fu_end)));
	CHECK_EQ(o.n, 7);
	/* the reassembled NAL is an IDR: recovered, so not flagged */
	CHECK_EQ(o.au[6].flags, H264_AU_IDR);
	CHECK(!h264_depkt_keyframe_needed(d));
	CHECK_EQ(o.au[6].len, 4 + 1 + 6);
	CHECK_EQ(o.data[6][4], 0x65);
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.frames_dropped, 5);
	CHECK_EQ(st.keyframe_requests, 1);
	CHECK_EQ(st.malformed, 1);
	outs_free(&o);
	h264_depkt_free(d);
}

TEST(keyframe_policy)
{
	static struct outs o;
	struct h264_depkt_conf conf = { .drop_after_loss = true };
	struct h264_depkt *d;
	struct h264_depkt_stats st;

	CHECK_OK(h264_depkt_new(&d, &conf, on_au, &o));
	/* joined mid-stream: P frames skipped until the IDR */
	CHECK_OK(put(d, 1, 0, true, p_pkt, sizeof(p_pkt)));
	CHECK_EQ(o.n, 0);
	CHECK(h264_depkt_keyframe_needed(d));
	CHECK_OK(put(d, 2, 3000, true, idr_pkt, sizeof(idr_pkt)));
	CHECK_EQ(o.n, 1);
	CHECK_OK(put(d, 3, 6000, true, p_pkt, sizeof(p_pkt)));
	CHECK_EQ(o.n, 2);
	/* loss of seq 4 (a whole frame), then 5 and 6 frames */
	CHECK_OK(put(d, 5, 12000, true, p_pkt, sizeof(p_pkt)));
	CHECK_EQ(o.n, 2);       /* waiting for 4 (one frame end buffered) */
	CHECK_OK(put(d, 6, 15000, true, p_pkt, sizeof(p_pkt)));
	/* two frame ends behind the hole: 4 given up; frame 12000 dropped
	 * (its start may be lost), 15000 and 18000 skipped by the policy */
	CHECK_EQ(o.n, 3);
	CHECK_OK(put(d, 7, 18000, true, p_pkt, sizeof(p_pkt)));
	CHECK_EQ(o.n, 3);
	CHECK_EQ(o.au[2].flags, H264_AU_DROPPED);
	CHECK_EQ(o.au[2].ts, 12000);
	CHECK(h264_depkt_keyframe_needed(d));
	/* caller's decoder recovered on its own (e.g. intra refresh) */
	h264_depkt_decoded_ok(d);
	CHECK_OK(put(d, 8, 21000, true, p_pkt, sizeof(p_pkt)));
	CHECK_EQ(o.n, 4);
	CHECK_EQ(o.au[3].flags, 0);
	/* the late packet 4 is counted late; a dup of 8 is a dup */
	CHECK_OK(put(d, 4, 9000, true, p_pkt, sizeof(p_pkt)));
	CHECK_OK(put(d, 8, 21000, true, p_pkt, sizeof(p_pkt)));
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.late, 1);
	CHECK_EQ(st.dups, 1);
	CHECK_EQ(st.lost, 1);
	CHECK_EQ(st.frames_skipped, 3);
	CHECK_EQ(st.keyframe_requests, 2);
	CHECK_EQ(st.frames_complete, 3);
	/* the caller lost a complete frame downstream (decoder error, full
	 * queue): P frames are skipped until the next IDR, as after a loss */
	h264_depkt_lost_downstream(d);
	CHECK(h264_depkt_keyframe_needed(d));
	CHECK_OK(put(d, 9, 24000, true, p_pkt, sizeof(p_pkt)));
	CHECK_EQ(o.n, 4);
	CHECK_OK(put(d, 10, 27000, true, idr_pkt, sizeof(idr_pkt)));
	CHECK_EQ(o.n, 5);
	CHECK_EQ(o.au[4].flags, H264_AU_IDR);
	CHECK(!h264_depkt_keyframe_needed(d));
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.frames_skipped, 4);
	CHECK_EQ(st.keyframe_requests, 3);
	outs_free(&o);
	h264_depkt_free(d);
}

TEST(malformed_payloads)
{
	static const uint8_t bad[][6] = {
		{ 0x78, 0, 9, 0x67, 1, 2 },     /* STAP-A size past the end */
		{ 0x78, 0, 0, 0, 1, 0x67 },     /* STAP-A zero size */
		{ 0x78, 0, 1, 0x80, 0, 0 },     /* STAP-A forbidden bit inside */
		{ 0x79, 0, 1, 0x67, 0, 0 },     /* STAP-B */
		{ 0x7a, 0, 1, 0x67, 0, 0 },     /* MTAP16 */
		{ 0x7d, 0x85, 1, 2, 3, 4 },     /* FU-B */
		{ 0x7e, 1, 2, 3, 4, 5 },        /* reserved 30 */
		{ 0x80 | 0x65, 1, 2, 3, 4, 5 }, /* forbidden bit */
		{ 0x7c, 0x9c, 1, 2, 3, 4 },     /* FU-A carrying FU-A */
		{ 0x7c, 0xa5, 1, 2, 3, 4 },     /* FU-A reserved bit */
	};
	static const size_t lens[] = { 6, 6, 6, 6, 6, 6, 6, 6, 6, 6 };
	static struct outs o;
	struct h264_depkt *d;
	struct h264_depkt_stats st;
	uint16_t seq = 0;

	CHECK_OK(h264_depkt_new(&d, NULL, on_au, &o));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_OK(put(d, seq++, (uint32_t)i * 10, true, bad[i], lens[i]));
	CHECK_OK(put(d, seq++, 1000, true, bad[0], 0));         /* empty */
	CHECK_OK(put(d, seq++, 1001, true, (const uint8_t *)"\x7c\x85", 2));
	CHECK_OK(put(d, seq++, 1002, true, (const uint8_t *)"\x78", 1));
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.malformed, ARRAY_SIZE(bad) + 3);
	CHECK_EQ(st.frames_dropped, ARRAY_SIZE(bad) + 3);
	CHECK_EQ(st.frames_complete, 0);
	CHECK_EQ(o.n, (int)ARRAY_SIZE(bad) + 3);
	/* and it still works afterwards */
	CHECK_OK(put(d, seq++, 2000, true, idr_pkt, sizeof(idr_pkt)));
	CHECK_EQ(o.n, (int)ARRAY_SIZE(bad) + 4);
	CHECK_EQ(o.au[o.n - 1].flags, H264_AU_IDR);
	outs_free(&o);
	h264_depkt_free(d);
}

TEST(limits)
{
	static struct outs o;
	struct h264_depkt_conf conf = { .max_au_size = 100, .max_nals = 3 };
	struct h264_depkt *d;
	struct h264_depkt_stats st;
	uint8_t big[120];

	memset(big, 0x11, sizeof(big));
	big[0] = 0x41;
	CHECK_OK(h264_depkt_new(&d, &conf, on_au, &o));
	CHECK_OK(put(d, 1, 0, true, big, sizeof(big)));         /* > 100 bytes */
	for (int i = 0; i < 4; i++)                               /* 4 NALs > 3 */
		CHECK_OK(put(d, (uint16_t)(2 + i), 3000, i == 3, p_pkt, sizeof(p_pkt)));
	for (int i = 0; i < 3; i++)                               /* 3 NALs: ok */
		CHECK_OK(put(d, (uint16_t)(6 + i), 6000, i == 2, idr_pkt, sizeof(idr_pkt)));
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.oversize, 2);
	CHECK_EQ(st.frames_dropped, 2);
	CHECK_EQ(st.frames_complete, 1);
	CHECK_EQ(o.au[2].nal_count, 3);
	outs_free(&o);
	h264_depkt_free(d);
}

TEST(wait_time_and_resync)
{
	static struct outs o;
	struct h264_depkt_conf conf = { .reorder_frames = UINT32_MAX,
					.max_wait_us = 50000 };
	struct h264_depkt *d;
	struct h264_depkt_stats st;
	struct h264_rtp_pkt k = { .payload = p_pkt, .len = sizeof(p_pkt), .marker = true };

	CHECK_OK(h264_depkt_new(&d, &conf, on_au, &o));
	k.seq = 65534; k.ts = 0; k.arrival_us = 1000000;
	CHECK_OK(h264_depkt_put(d, &k));
	k.seq = 0; k.ts = 6000; k.arrival_us = 1010000;       /* 65535 missing */
	CHECK_OK(h264_depkt_put(d, &k));
	k.seq = 1; k.ts = 9000; k.arrival_us = 1020000;
	CHECK_OK(h264_depkt_put(d, &k));
	CHECK_EQ(o.n, 1);
	h264_depkt_poll(d, 1040000);
	CHECK_EQ(o.n, 1);
	h264_depkt_poll(d, 1060000);                  /* gap now 50 ms old */
	CHECK_EQ(o.n, 3);
	CHECK_EQ(o.au[1].flags, H264_AU_DROPPED);
	CHECK_EQ(o.au[2].ts, 9000);
	CHECK_EQ(o.au[2].flags, H264_AU_AFTER_LOSS);
	/* a jump of 30000: restart there */
	k.seq = 30001; k.ts = 12000;
	CHECK_OK(h264_depkt_put(d, &k));
	k.seq = 30002; k.ts = 15000; k.payload = idr_pkt;
	CHECK_OK(h264_depkt_put(d, &k));
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.resyncs, 1);
	CHECK_EQ(st.lost, 1);
	CHECK_EQ(o.au[o.n - 1].flags, H264_AU_IDR);
	CHECK_EQ(o.au[o.n - 1].ts, 15000);
	/* packets far behind: late, then a restart after a run of them */
	for (int i = 0; i < 10; i++) {
		k.seq = (uint16_t)(1000 + i); k.ts = 100000 + 3000 * (uint32_t)i;
		CHECK_OK(h264_depkt_put(d, &k));
	}
	h264_depkt_stats(d, &st);
	CHECK_EQ(st.resyncs, 2);
	CHECK_EQ(st.late, 7);
	CHECK_EQ(o.au[o.n - 1].ts, 100000 + 3000 * 9);
	h264_depkt_reset(d);
	CHECK(h264_depkt_keyframe_needed(d));
	outs_free(&o);
	h264_depkt_free(d);
}

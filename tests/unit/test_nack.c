/* test_nack.c: NACK generator timing/limits, RTX encap/decap, sender history, NACK loop. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/base/buf.h"
#include "rtp/nack.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/rtx.h"
#include "test.h"

#define MS 1000ULL

TEST(nack_basic_timing)
{
	struct nack_conf c = { .reorder_us = 5 * MS, .min_interval_us = 10 * MS,
			       .rtt_us = 100 * MS };
	struct nack_gen *n = NULL;
	struct nack_stats st;
	uint16_t s[16];
	unsigned k = 99;

	CHECK_OK(nack_gen_new(&n, &c));
	CHECK(nack_gen_next_us(n) == UINT64_MAX);
	CHECK_EQ(nack_gen_packet(n, 10, false, 0), NACK_PKT_NEW);
	CHECK_EQ(nack_gen_packet(n, 11, false, 0), NACK_PKT_NEW);
	CHECK_EQ(nack_gen_packet(n, 14, false, 0), NACK_PKT_NEW);
	CHECK_EQ(nack_gen_pending(n), 2);
	CHECK(nack_gen_next_us(n) == 5 * MS);
	CHECK_EQ(nack_gen_poll(n, 1 * MS, s, 16, &k), 0);
	CHECK_EQ(k, 0);         /* reordering tolerance */
	CHECK_EQ(nack_gen_poll(n, 5 * MS, s, 16, &k), 0);
	CHECK_EQ(k, 2);
	CHECK_EQ(s[0], 12);
	CHECK_EQ(s[1], 13);
	CHECK_EQ(nack_gen_poll(n, 6 * MS, s, 16, &k), 0);
	CHECK_EQ(k, 0);         /* wait about an RTT */
	CHECK(nack_gen_next_us(n) == 105 * MS);
	CHECK_EQ(nack_gen_poll(n, 105 * MS, s, 1, &k), 0);
	CHECK_EQ(k, 1);         /* output limit: 13 stays due */
	CHECK_EQ(s[0], 12);
	CHECK(nack_gen_next_us(n) == 105 * MS);        /* due now */
	CHECK_EQ(nack_gen_packet(n, 12, true, 110 * MS), NACK_PKT_RECOVERED);
	CHECK_EQ(nack_gen_packet(n, 12, true, 110 * MS), NACK_PKT_OLD);
	CHECK_EQ(nack_gen_packet(n, 14, false, 110 * MS), NACK_PKT_OLD);
	CHECK_EQ(nack_gen_poll(n, 110 * MS, s, 16, &k), 0);
	CHECK_EQ(k, 1);
	CHECK_EQ(s[0], 13);
	nack_gen_get_stats(n, &st);
	CHECK_EQ(st.lost, 2);
	CHECK_EQ(st.recovered, 1);
	CHECK_EQ(st.recovered_rtx, 1);
	CHECK_EQ(st.nacked, 4);
	CHECK_EQ(st.unrecoverable, 0);
	nack_gen_free(n);
}

TEST(nack_reorder_no_nack)
{
	struct nack_gen *n = NULL;
	struct nack_stats st;
	uint16_t s[4];
	unsigned k;

	CHECK_OK(nack_gen_new(&n, NULL));
	nack_gen_packet(n, 1, false, 0);
	nack_gen_packet(n, 3, false, 0);
	CHECK_EQ(nack_gen_packet(n, 2, false, 1 * MS), NACK_PKT_RECOVERED);
	CHECK_EQ(nack_gen_poll(n, 50 * MS, s, 4, &k), 0);
	CHECK_EQ(k, 0);
	nack_gen_get_stats(n, &st);
	CHECK_EQ(st.nacked, 0);
	CHECK_EQ(st.recovered, 1);
	CHECK_EQ(st.recovered_rtx, 0);
	nack_gen_free(n);
}

TEST(nack_give_up_tries_and_age)
{
	struct nack_conf c = { .reorder_us = 5 * MS, .min_interval_us = 10 * MS,
			       .rtt_us = 10 * MS, .max_tries = 3 };
	struct nack_gen *n = NULL;
	struct nack_stats st;
	uint16_t s[4];
	unsigned k;

	CHECK_OK(nack_gen_new(&n, &c));
	nack_gen_packet(n, 1, false, 0);
	nack_gen_packet(n, 3, false, 0);
	CHECK_EQ(nack_gen_poll(n, 5 * MS, s, 4, &k), 0);
	CHECK_EQ(k, 1);
	CHECK_EQ(nack_gen_poll(n, 15 * MS, s, 4, &k), 0);
	CHECK_EQ(k, 1);
	CHECK_EQ(nack_gen_poll(n, 25 * MS, s, 4, &k), 0);
	CHECK_EQ(k, 1);
	CHECK_EQ(nack_gen_poll(n, 30 * MS, s, 4, &k), 0);     /* last try still pending */
	CHECK_EQ(nack_gen_pending(n), 1);
	CHECK_EQ(nack_gen_poll(n, 35 * MS, s, 4, &k), NACK_KEYFRAME);
	CHECK_EQ(k, 0);
	CHECK_EQ(nack_gen_pending(n), 0);
	CHECK_EQ(nack_gen_poll(n, 36 * MS, s, 4, &k), 0);     /* reported once */
	nack_gen_free(n);

	/* age: RTT 1 s, max age 50 ms: gives up before the second NACK */
	c = (struct nack_conf){ .rtt_us = 1000 * MS, .max_age_us = 50 * MS };
	CHECK_OK(nack_gen_new(&n, &c));
	nack_gen_packet(n, 1, false, 0);
	nack_gen_packet(n, 3, false, 0);
	CHECK_EQ(nack_gen_poll(n, 5 * MS, s, 4, &k), 0);
	CHECK_EQ(k, 1);
	CHECK(nack_gen_next_us(n) == 50 * MS + 1);
	CHECK_EQ(nack_gen_poll(n, 50 * MS, s, 4, &k), 0);
	CHECK_EQ(nack_gen_poll(n, 51 * MS, s, 4, &k), NACK_KEYFRAME);
	nack_gen_get_stats(n, &st);
	CHECK_EQ(st.unrecoverable, 1);
	/* a packet arriving after give-up is just old */
	CHECK_EQ(nack_gen_packet(n, 2, true, 60 * MS), NACK_PKT_OLD);
	nack_gen_free(n);
}

TEST(nack_wrap_and_pack)
{
	struct nack_gen *n = NULL;
	uint16_t s[8];
	uint32_t fci[4];
	unsigned k;

	CHECK_OK(nack_gen_new(&n, NULL));
	nack_gen_packet(n, 65533, false, 0);
	nack_gen_packet(n, 65534, false, 0);
	CHECK_EQ(nack_gen_packet(n, 1, false, 0), NACK_PKT_NEW);
	CHECK_EQ(nack_gen_poll(n, 10 * MS, s, 8, &k), 0);
	CHECK_EQ(k, 2);
	CHECK_EQ(s[0], 65535);
	CHECK_EQ(s[1], 0);
	CHECK_EQ(rtcp_nack_pack(s, k, fci, 4), 1);
	CHECK_EQ(fci[0], 0xffff0001u);
	CHECK_EQ(nack_gen_packet(n, 0, false, 11 * MS), NACK_PKT_RECOVERED);
	CHECK_EQ(nack_gen_packet(n, 65535, false, 11 * MS), NACK_PKT_RECOVERED);
	CHECK_EQ(nack_gen_pending(n), 0);
	nack_gen_free(n);
}

TEST(nack_bounds_and_resets)
{
	struct nack_conf c = { .max_tracked = 16 };
	struct nack_gen *n = NULL;
	struct nack_stats st;
	uint16_t s[32];
	unsigned k;

	CHECK_OK(nack_gen_new(&n, &c));
	nack_gen_packet(n, 1, false, 0);
	nack_gen_packet(n, 10, false, 0);       /* 2..9 lost */
	nack_gen_packet(n, 20, false, 0);       /* 11..19 lost: 17 > 16 */
	CHECK_EQ(nack_gen_pending(n), 16);
	CHECK_EQ(nack_gen_poll(n, 10 * MS, s, 32, &k), NACK_KEYFRAME);
	CHECK_EQ(k, 16);
	CHECK_EQ(s[0], 3);      /* 2 was given up */
	CHECK_EQ(s[15], 19);
	/* a gap larger than max_tracked resets */
	CHECK_EQ(nack_gen_packet(n, 40, false, 20 * MS), NACK_PKT_RESET);
	CHECK_EQ(nack_gen_pending(n), 0);
	CHECK_EQ(nack_gen_poll(n, 20 * MS, s, 32, &k), NACK_KEYFRAME);
	CHECK_EQ(nack_gen_packet(n, 41, false, 20 * MS), NACK_PKT_NEW);
	CHECK_EQ(nack_gen_packet(n, 30000, false, 20 * MS), NACK_PKT_RESET);
	/* a far backwards jump: ignored once, a second in sequence resyncs */
	nack_gen_reset(n);
	nack_gen_packet(n, 40000, false, 0);
	CHECK_EQ(nack_gen_packet(n, 30000, false, 0), NACK_PKT_OLD);
	CHECK_EQ(nack_gen_packet(n, 39000, false, 0), NACK_PKT_OLD);  /* within reach */
	CHECK_EQ(nack_gen_packet(n, 30001, false, 0), NACK_PKT_RESET);
	CHECK_EQ(nack_gen_packet(n, 30003, false, 0), NACK_PKT_NEW);
	CHECK_EQ(nack_gen_pending(n), 1);
	nack_gen_get_stats(n, &st);
	CHECK_EQ(st.resets, 3);
	nack_gen_free(n);
	c.max_tracked = NACK_MAX_TRACKED + 1;
	CHECK_EQ(nack_gen_new(&n, &c), -EINVAL);
}

/* an RTP packet with CSRC, one-byte extension, marker and padding */
static size_t make_pkt(uint8_t *buf, uint16_t seq, bool pad)
{
	static const uint8_t ext[4] = { 0x10, 0xab, 0, 0 };
	struct rtp_hdr h = {
		.marker = true, .pt = 96, .seq = seq, .ts = 1000u * seq, .ssrc = 0x1111,
		.cc = 1, .csrc = { 0x2222 }, .ext = true, .ext_profile = RTP_EXT_ONE_BYTE,
		.ext_data = ext, .ext_len = 4, .padding = pad,
	};
	size_t n = 0;

	rtp_hdr_encode(&h, buf, 64, &n);
	for (unsigned i = 0; i < 50; i++)
		buf[n++] = (uint8_t)(seq + i);
	if (pad) {
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = 3;
	}
	return n;
}

TEST(rtx_encap_decap_roundtrip)
{
	uint8_t orig[128], plain[128], rtx[160];
	size_t on, pn, rn, dn;
	struct rtp_hdr h;
	uint16_t osn;

	on = make_pkt(orig, 4321, true);
	pn = make_pkt(plain, 4321, false);
	CHECK_OK(rtx_encap(orig, on, 0x9999, 97, 7, rtx, sizeof(rtx), &rn));
	CHECK_EQ(rn, pn + 2);
	CHECK_OK(rtp_hdr_decode(&h, rtx, rn));
	CHECK_EQ(h.ssrc, 0x9999);
	CHECK_EQ(h.pt, 97);
	CHECK_EQ(h.seq, 7);
	CHECK(h.marker);
	CHECK(!h.padding);
	CHECK_EQ(h.ts, 4321000);
	CHECK_EQ(h.csrc[0], 0x2222);
	CHECK_OK(rtp_hdr_ext_find(&h, 1, NULL, NULL));
	CHECK_EQ(rtx[h.hdr_len], 4321 >> 8);
	CHECK_EQ(rtx[h.hdr_len + 1], 4321 & 0xff);
	CHECK_EQ(rtx_encap(orig, on, 0x9999, 97, 7, rtx, rn - 1, &dn), -ENOBUFS);

	CHECK_OK(rtx_decap(rtx, rn, 0x1111, 96, &dn, &osn));
	CHECK_EQ(osn, 4321);
	CHECK_EQ(dn, pn);
	CHECK(memcmp(rtx, plain, pn) == 0);
	/* an RTX packet without a whole OSN, or padding only (a probe) */
	CHECK_EQ(rtx_decap(rtx, 25, 0x1111, 96, &dn, &osn), -EBADMSG);
	on = make_pkt(orig, 1, true);
	orig[on - 1] = (uint8_t)(on - 24);
	CHECK_EQ(rtx_decap(orig, on, 0x1111, 96, &dn, &osn), -EBADMSG);
	CHECK_EQ(rtx_decap(rtx, 5, 0x1111, 96, &dn, &osn), -EBADMSG);
}

TEST(rtx_history)
{
	struct rtp_history_conf c = { .capacity = 512, .max_age_us = 1000 * MS,
				      .min_resend_us = 10 * MS };
	struct rtx_sender rs = { .ssrc = 0x9999, .pt = 97, .seq = 65535 };
	struct rtp_history *h = NULL;
	struct rtp_history_stats st;
	uint8_t pkt[128], out[160];
	const uint8_t *p;
	struct rtp_hdr hd;
	size_t n, len;
	uint16_t osn;

	CHECK_OK(rtp_history_new(&h, &c));
	/* 600 packets across the seq wrap: the first 88 are overwritten */
	for (unsigned i = 0; i < 600; i++) {
		len = make_pkt(pkt, (uint16_t)(65300 + i), false);
		CHECK_OK(rtp_history_put(h, pkt, len, i * MS));
	}
	CHECK_EQ(rtp_history_get(h, 65300, 600 * MS, &p, &n), -ENOENT);
	CHECK_EQ(rtp_history_get(h, 65387, 600 * MS, &p, &n), -ENOENT);
	CHECK_OK(rtp_history_get(h, 65388, 600 * MS, &p, &n));
	CHECK_OK(rtp_history_get(h, 0, 600 * MS, &p, &n));
	CHECK_OK(rtp_hdr_decode(&hd, p, n));
	CHECK_EQ(hd.seq, 0);
	CHECK_EQ(rtp_history_get(h, 400, 600 * MS, &p, &n), -ENOENT);  /* never sent */

	/* plain copy */
	CHECK_OK(rtp_history_resend(h, 10, 600 * MS, NULL, out, sizeof(out), &n));
	len = make_pkt(pkt, 10, false);
	CHECK_EQ(n, len);
	CHECK(memcmp(out, pkt, len) == 0);
	/* again right away: throttled; RTX after the interval */
	CHECK_EQ(rtp_history_resend(h, 10, 605 * MS, &rs, out, sizeof(out), &n), -EAGAIN);
	CHECK_OK(rtp_history_resend(h, 10, 611 * MS, &rs, out, sizeof(out), &n));
	CHECK_EQ(rs.seq, 0);    /* advanced across the wrap */
	CHECK_OK(rtp_hdr_decode(&hd, out, n));
	CHECK_EQ(hd.seq, 65535);
	CHECK_EQ(hd.ssrc, 0x9999);
	CHECK_OK(rtx_decap(out, n, 0x1111, 96, &n, &osn));
	CHECK_EQ(osn, 10);
	CHECK(memcmp(out, pkt, len) == 0);
	/* too old */
	CHECK_EQ(rtp_history_resend(h, 11, 1400 * MS, &rs, out, sizeof(out), &n), -ENOENT);
	CHECK_EQ(rtp_history_resend(h, 300, 1400 * MS, &rs, out, sizeof(out), &n), 0);
	rtp_history_get_stats(h, &st);
	CHECK_EQ(st.stored, 600);
	CHECK_EQ(st.resent, 3);
	CHECK_EQ(st.throttled, 1);
	CHECK_EQ(st.missing, 1);
	/* limits */
	CHECK_EQ(rtp_history_put(h, pkt, 5, 0), -EBADMSG);
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x80;
	rtp_history_free(h);
	c.capacity = 500;
	CHECK_EQ(rtp_history_new(&h, &c), -EINVAL);
	c.capacity = 16;
	c.max_pkt_len = 64;
	CHECK_OK(rtp_history_new(&h, &c));
	CHECK_EQ(rtp_history_put(h, pkt, 65, 0), -EMSGSIZE);
	rtp_history_free(h);
}

/* sender history + receiver NACK generator, through RTCP and RTX, 10% loss */
TEST(nack_rtx_loop)
{
	struct rtp_history *h = NULL;
	struct nack_gen *n = NULL;
	struct rtx_sender rs = { .ssrc = 0x9999, .pt = 97, .seq = 1 };
	struct nack_stats st;
	uint8_t pkt[128], fb[256], out[160];
	uint16_t seqs[64], got[64];
	uint64_t now = 0;
	unsigned k, rounds = 0;

	CHECK_OK(rtp_history_new(&h, NULL));
	CHECK_OK(nack_gen_new(&n, NULL));
	for (unsigned i = 0; i < 200; i++, now += 2 * MS) {
		size_t len = make_pkt(pkt, (uint16_t)(65400 + i), false);

		CHECK_OK(rtp_history_put(h, pkt, len, now));
		if (i % 10 != 5)
			nack_gen_packet(n, (uint16_t)(65400 + i), false, now);
		for (;;) {
			struct rtcp_iter it;
			struct rtcp_item item;
			struct wcur w;
			unsigned m;

			nack_gen_poll(n, now, seqs, 64, &k);
			if (k == 0)
				break;
			rounds++;
			wcur_init(&w, fb, sizeof(fb));
			CHECK_OK(rtcp_build_nack(&w, 5, 0x1111, seqs, k));
			CHECK_OK(rtcp_iter_init(&it, fb, w.pos));
			CHECK_EQ(rtcp_iter_next(&it, &item), 1);
			CHECK_EQ(item.type, RTCP_ITEM_NACK);
			m = rtcp_nack_seqs(&item.nack, got, 64);
			CHECK_EQ(m, k);
			for (unsigned j = 0; j < m; j++) {
				size_t on;
				uint16_t osn;

				CHECK_OK(rtp_history_resend(h, got[j], now, &rs, out,
							    sizeof(out), &on));
				CHECK_OK(rtx_decap(out, on, 0x1111, 96, &on, &osn));
				CHECK_EQ(osn, got[j]);
				CHECK_EQ(nack_gen_packet(n, osn, true, now), NACK_PKT_RECOVERED);
			}
		}
	}
	nack_gen_get_stats(n, &st);
	CHECK_EQ(st.lost, 20);
	CHECK_EQ(st.recovered_rtx, 20);
	CHECK_EQ(st.unrecoverable, 0);
	CHECK_EQ(nack_gen_pending(n), 0);
	CHECK_EQ(rounds, 20);
	nack_gen_free(n);
	rtp_history_free(h);
}

/* --- randomized channel: loss, reordering, duplicates, lossy RTX --------- */

static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

struct flight {
	uint64_t at;
	uint32_t ext;           /* extended seq (truth) */
	bool rtx;
};

#define SIM_PKTS 30000
#define SIM_FLIGHT 256

TEST(nack_random_channel)
{
	static uint8_t got[SIM_PKTS + 1];
	static struct flight fl[SIM_FLIGHT];
	struct nack_gen *n = NULL;
	struct nack_stats st;
	unsigned nfl = 0, nacks_bad = 0, order_bad = 0, max_pending = 0;
	const uint32_t base = 65536 - 7000;     /* wraps during the run */
	uint16_t seqs[128];

	CHECK_OK(nack_gen_new(&n, NULL));       /* reorder 5 ms, RTT 100 ms */
	nack_gen_set_rtt(n, 30000);
	for (uint64_t now = 0; now < SIM_PKTS * MS + 2000 * MS; now += MS) {
		unsigned k;

		/* the sender emits one packet per ms */
		if (now < SIM_PKTS * MS) {
			uint32_t i = (uint32_t)(now / MS);
			uint32_t r = rnd() % 1000;

			if (r >= 50 && nfl < SIM_FLIGHT)      /* 5% lost */
				fl[nfl++] = (struct flight){
					now + (r < 150 ? rnd() % 4 * MS : 0), i, false };
			if (r >= 990 && nfl < SIM_FLIGHT)     /* 1% duplicated */
				fl[nfl++] = (struct flight){ now + 2 * MS, i, false };
		}
		/* deliver what is due */
		for (unsigned j = 0; j < nfl;) {
			if (fl[j].at > now) {
				j++;
				continue;
			}
			got[fl[j].ext] = 1;
			nack_gen_packet(n, (uint16_t)(base + fl[j].ext), fl[j].rtx, now);
			fl[j] = fl[--nfl];
		}
		/* NACKs: 15 ms to the sender and back; RTX lost 20% of the time */
		nack_gen_poll(n, now, seqs, 128, &k);
		for (unsigned j = 0; j < k; j++) {
			/* map back to the truth index near the newest packet */
			uint32_t newest = (uint32_t)(now / MS);
			uint32_t i = newest - (uint16_t)((uint16_t)(base + newest) - seqs[j]);

			if (i > SIM_PKTS || got[i])
				nacks_bad++;
			for (unsigned f = 0; f < nfl; f++)
				if (fl[f].ext == i && !fl[f].rtx)
					nacks_bad++;    /* only reordered */
			if (j && rtp_seq_diff(seqs[j], seqs[j - 1]) <= 0)
				order_bad++;
			if (rnd() % 5 && nfl < SIM_FLIGHT)
				fl[nfl++] = (struct flight){ now + 15 * MS, i, true };
		}
		if (nack_gen_pending(n) > max_pending)
			max_pending = nack_gen_pending(n);
	}
	nack_gen_get_stats(n, &st);
	printf("    lost %llu, recovered %llu (rtx %llu), nacked %llu, unrecoverable %llu, "
	       "max pending %u\n", (unsigned long long)st.lost,
	       (unsigned long long)st.recovered, (unsigned long long)st.recovered_rtx,
	       (unsigned long long)st.nacked, (unsigned long long)st.unrecoverable, max_pending);
	/* no NACK for a packet already received or merely reordered (< 5 ms) */
	CHECK_EQ(nacks_bad, 0);
	CHECK_EQ(order_bad, 0);
	CHECK_EQ(st.resets, 0);
	CHECK(st.lost > SIM_PKTS / 25);
	/* every loss accounted for: recovered or given up, none left */
	CHECK_EQ(nack_gen_pending(n), 0);
	CHECK_EQ(st.lost, st.recovered + st.unrecoverable);
	/* with 20% RTX loss and 10 tries, all but a handful are recovered */
	CHECK(st.unrecoverable * 100 < st.lost);
	CHECK(max_pending <= 256);
	nack_gen_free(n);
}

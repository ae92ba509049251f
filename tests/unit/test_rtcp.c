/* test_rtcp.c: RTCP compound parsing, builders, NACK PID/BLP packing, malformed input. */
#include <errno.h>
#include <string.h>

#include "lib/base/buf.h"
#include "rtp/rtcp.h"
#include "test.h"

/* parse everything; returns items or -errno; copies up to max items */
static int parse_all(const uint8_t *p, size_t len, struct rtcp_item *items, int max)
{
	struct rtcp_iter it;
	struct rtcp_item tmp;
	int n = 0, r;

	r = rtcp_iter_init(&it, p, len);
	if (r < 0)
		return r;
	while ((r = rtcp_iter_next(&it, n < max ? &items[n] : &tmp)) > 0)
		n++;
	return r < 0 ? r : n;
}

TEST(rtcp_sr_sdes_roundtrip)
{
	struct rtcp_report sr = {
		.ssrc = 0x11223344,
		.has_sender_info = true,
		.si = { .ntp = 0xe1234567890abcdeULL, .rtp_ts = 90000,
			.pkt_count = 1000, .octet_count = 1200000 },
		.rb_count = 2,
		.rb = {
			{ .ssrc = 0xa, .fraction = 25, .lost = 1234, .ext_seq = 0x10005,
			  .jitter = 77, .lsr = 0x12345678, .dlsr = 0x00018000 },
			{ .ssrc = 0xb, .fraction = 0, .lost = -3, .ext_seq = 9,
			  .jitter = 0, .lsr = 0, .dlsr = 0 },
		},
	};
	struct rtcp_item it[4];
	uint8_t buf[256];
	size_t n;

	CHECK_OK(rtcp_build_compound(buf, sizeof(buf), &sr, "user@host", &n));
	CHECK_EQ(n, 76 + 20);
	CHECK_EQ(buf[0], 0x82);
	CHECK_EQ(buf[1], 200);
	CHECK_EQ(buf[3], 18);   /* 76 / 4 - 1 */
	CHECK_EQ(buf[76], 0x81);
	CHECK_EQ(buf[77], 202);
	CHECK_EQ(buf[79], 4);
	CHECK_EQ(rtcp_build_compound(buf, 95, &sr, "user@host", &n), -ENOBUFS);
	CHECK_OK(rtcp_build_compound(buf, sizeof(buf), &sr, "user@host", &n));

	CHECK_EQ(parse_all(buf, n, it, 4), 2);
	CHECK_EQ(it[0].type, RTCP_ITEM_SR);
	CHECK_EQ(it[0].report.ssrc, 0x11223344);
	CHECK(it[0].report.si.ntp == 0xe1234567890abcdeULL);
	CHECK_EQ(it[0].report.si.rtp_ts, 90000);
	CHECK_EQ(it[0].report.si.pkt_count, 1000);
	CHECK_EQ(it[0].report.si.octet_count, 1200000);
	CHECK_EQ(it[0].report.rb_count, 2);
	CHECK_EQ(it[0].report.rb[0].ssrc, 0xa);
	CHECK_EQ(it[0].report.rb[0].fraction, 25);
	CHECK_EQ(it[0].report.rb[0].lost, 1234);
	CHECK_EQ(it[0].report.rb[0].ext_seq, 0x10005);
	CHECK_EQ(it[0].report.rb[0].jitter, 77);
	CHECK_EQ(it[0].report.rb[0].lsr, 0x12345678);
	CHECK_EQ(it[0].report.rb[0].dlsr, 0x18000);
	CHECK_EQ(it[0].report.rb[1].lost, -3);
	CHECK_EQ(it[1].type, RTCP_ITEM_SDES);
	CHECK_EQ(it[1].sdes.ssrc, 0x11223344);
	CHECK_EQ(it[1].sdes.cname_len, 9);
	CHECK(memcmp(it[1].sdes.cname, "user@host", 9) == 0);
}

TEST(rtcp_rr_handmade)
{
	/* RR, 1 block with lost = -1 (0xffffff), then SDES with two chunks:
	 * one with NAME then CNAME "ab", one with no items */
	const uint8_t p[] = {
		0x81, 201, 0, 7, 0, 0, 0, 1,
		0, 0, 0, 2, 0x40, 0xff, 0xff, 0xff, 0, 1, 0, 10,
		0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0,
		0x82, 202, 0, 5,
		0, 0, 0, 1, 2, 1, 'N', 1, 2, 'a', 'b', 0,
		0, 0, 0, 2, 0, 0, 0, 0,
	};
	struct rtcp_item it[4];

	CHECK_EQ(parse_all(p, sizeof(p), it, 4), 3);
	CHECK_EQ(it[0].type, RTCP_ITEM_RR);
	CHECK(!it[0].report.has_sender_info);
	CHECK_EQ(it[0].report.ssrc, 1);
	CHECK_EQ(it[0].report.rb[0].fraction, 0x40);
	CHECK_EQ(it[0].report.rb[0].lost, -1);
	CHECK_EQ(it[0].report.rb[0].ext_seq, 65546);
	CHECK_EQ(it[0].report.rb[0].jitter, 5);
	CHECK_EQ(it[1].type, RTCP_ITEM_SDES);
	CHECK_EQ(it[1].sdes.ssrc, 1);
	CHECK_EQ(it[1].sdes.cname_len, 2);
	CHECK(memcmp(it[1].sdes.cname, "ab", 2) == 0);
	CHECK_EQ(it[2].type, RTCP_ITEM_SDES);
	CHECK_EQ(it[2].sdes.ssrc, 2);
	CHECK(it[2].sdes.cname == NULL);
}

TEST(rtcp_nack_pack_blp)
{
	const uint16_t s1[] = { 100, 101, 105, 116, 117, 200 };
	const uint16_t s2[] = { 65535, 0, 3 };
	const uint16_t s3[] = { 10, 5, 10, 9 };        /* any order, dup */
	uint32_t fci[8];
	uint16_t back[64];
	struct rtcp_nack nk;
	uint8_t raw[32];
	int n;

	n = rtcp_nack_pack(s1, 6, fci, 8);
	CHECK_EQ(n, 3);
	CHECK_EQ(fci[0], 100u << 16 | 0x8011);
	CHECK_EQ(fci[1], 117u << 16);
	CHECK_EQ(fci[2], 200u << 16);
	CHECK_EQ(rtcp_nack_pack(s1, 6, fci, 2), -ENOBUFS);

	n = rtcp_nack_pack(s2, 3, fci, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(fci[0], 65535u << 16 | 0x0009);
	/* expand back */
	for (int i = 0; i < n; i++) {
		raw[4 * i] = (uint8_t)(fci[i] >> 24);
		raw[4 * i + 1] = (uint8_t)(fci[i] >> 16);
		raw[4 * i + 2] = (uint8_t)(fci[i] >> 8);
		raw[4 * i + 3] = (uint8_t)fci[i];
	}
	nk.fci = raw;
	nk.fci_count = (unsigned)n;
	CHECK_EQ(rtcp_nack_seqs(&nk, back, 64), 3);
	CHECK_EQ(back[0], 65535);
	CHECK_EQ(back[1], 0);
	CHECK_EQ(back[2], 3);
	CHECK_EQ(rtcp_nack_seqs(&nk, back, 2), 2);

	n = rtcp_nack_pack(s3, 4, fci, 8);
	CHECK_EQ(n, 2);
	CHECK_EQ(fci[0], 10u << 16);
	CHECK_EQ(fci[1], 5u << 16 | 0x0018);    /* 9 = 5+4, 10 = 5+5 */
}

TEST(rtcp_feedback_roundtrip)
{
	uint16_t lost[40], back[64];
	const uint32_t ssrcs[2] = { 7, 8 };
	struct rtcp_item it[8];
	uint8_t buf[512];
	struct wcur w;
	unsigned k;

	for (unsigned i = 0; i < 40; i++)
		lost[i] = (uint16_t)(65520 + i * 3);    /* crosses the wrap */
	wcur_init(&w, buf, sizeof(buf));
	CHECK_OK(rtcp_build_nack(&w, 1, 2, lost, 40));
	CHECK_OK(rtcp_build_pli(&w, 1, 2));
	CHECK_OK(rtcp_build_fir(&w, 1, 2, 9));
	CHECK_OK(rtcp_build_remb(&w, 1, 1500000, ssrcs, 2));
	CHECK_OK(rtcp_build_bye(&w, ssrcs, 2, "shutdown"));
	CHECK_EQ(rtcp_build_nack(&w, 1, 2, lost, 0), -EINVAL);

	CHECK_EQ(parse_all(buf, w.pos, it, 8), 5);
	CHECK_EQ(it[0].type, RTCP_ITEM_NACK);
	CHECK_EQ(it[0].fb.sender_ssrc, 1);
	CHECK_EQ(it[0].fb.media_ssrc, 2);
	CHECK_EQ(it[0].nack.fci_count, 7);     /* 3 apart: 6 per pair, 40 -> 7 */
	k = rtcp_nack_seqs(&it[0].nack, back, 64);
	CHECK_EQ(k, 40);
	for (unsigned i = 0; i < 40; i++)
		CHECK_EQ(back[i], lost[i]);
	CHECK_EQ(it[1].type, RTCP_ITEM_PLI);
	CHECK_EQ(it[1].fb.media_ssrc, 2);
	CHECK_EQ(it[2].type, RTCP_ITEM_FIR);
	CHECK_EQ(it[2].fb.media_ssrc, 0);
	CHECK_EQ(it[2].fir.ssrc, 2);
	CHECK_EQ(it[2].fir.seq_nr, 9);
	CHECK_EQ(it[3].type, RTCP_ITEM_REMB);
	/* 1500000 = 0b1_0110_1110_0011_0110_0000: 21 bits, shifted 3 */
	CHECK_EQ(it[3].remb.bitrate, (1500000 >> 3) << 3);
	CHECK_EQ(it[3].remb.ssrc_count, 2);
	CHECK_EQ(it[3].remb.ssrc[1], 8);
	CHECK_EQ(it[4].type, RTCP_ITEM_BYE);
	CHECK_EQ(it[4].bye.count, 2);
	CHECK_EQ(it[4].bye.ssrc[0], 7);
	CHECK_EQ(it[4].bye.reason_len, 8);
	CHECK(memcmp(it[4].bye.reason, "shutdown", 8) == 0);
}

TEST(rtcp_fir_multi_and_skips)
{
	/* RR (no blocks), APP, XR (207, unknown), RTPFB fmt 3 (TMMBR,
	 * skipped), FIR with two entries, PSFB fmt 2 (SLI, skipped) */
	const uint8_t p[] = {
		0x80, 201, 0, 1, 0, 0, 0, 1,
		0x80, 204, 0, 2, 0, 0, 0, 1, 'n', 'a', 'm', 'e',
		0x80, 207, 0, 1, 0, 0, 0, 1,
		0x83, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2,
		0x84, 206, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0, 0, 5, 3, 0, 0, 0, 0, 0, 0, 6, 4, 0, 0, 0,
		0x82, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2,
	};
	struct rtcp_item it[8];

	CHECK_EQ(parse_all(p, sizeof(p), it, 8), 3);
	CHECK_EQ(it[0].type, RTCP_ITEM_RR);
	CHECK_EQ(it[0].report.rb_count, 0);
	CHECK_EQ(it[1].type, RTCP_ITEM_FIR);
	CHECK_EQ(it[1].fir.ssrc, 5);
	CHECK_EQ(it[1].fir.seq_nr, 3);
	CHECK_EQ(it[2].type, RTCP_ITEM_FIR);
	CHECK_EQ(it[2].fir.ssrc, 6);
	CHECK_EQ(it[2].fir.seq_nr, 4);
}

TEST(rtcp_padding)
{
	/* RR with 4 bytes of padding in the last packet */
	uint8_t p[] = {
		0x80, 201, 0, 1, 0, 0, 0, 1,
		0xa0, 203, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4,
	};
	struct rtcp_item it[4];

	p[8] = 0xa1;    /* BYE, 1 SSRC, padded */
	CHECK_EQ(parse_all(p, sizeof(p), it, 4), 2);
	CHECK_EQ(it[1].type, RTCP_ITEM_BYE);
	CHECK_EQ(it[1].bye.ssrc[0], 9);
	CHECK(it[1].bye.reason == NULL);
	p[19] = 5;      /* padding bigger than the body */
	CHECK_EQ(parse_all(p, sizeof(p), it, 4), -EBADMSG);
	p[19] = 0;
	CHECK_EQ(parse_all(p, sizeof(p), it, 4), -EBADMSG);
	p[19] = 4;
	p[0] = 0xa0;    /* padding in the first (not last) packet */
	CHECK_EQ(parse_all(p, sizeof(p), it, 4), -EBADMSG);
}

TEST(rtcp_malformed)
{
	uint8_t buf[256];
	struct rtcp_item it[8];
	struct rtcp_report rr = { .ssrc = 1, .rb_count = 1 };
	struct rtcp_iter iter;
	struct wcur w;
	size_t n;

	CHECK_OK(rtcp_build_compound(buf, sizeof(buf), &rr, "c", &n));
	CHECK_EQ(parse_all(buf, n, it, 8), 2);
	/* every truncation fails framing, except at the packet boundary */
	for (size_t k = 0; k < n; k++)
		CHECK_EQ(parse_all(buf, k, it, 8), k == 32 ? 1 : -EBADMSG);
	/* trailing garbage shorter than a header */
	CHECK_EQ(parse_all(buf, n + 2, it, 8), -EBADMSG);
	/* bad version in the second packet */
	buf[32] = 0x41;
	CHECK_EQ(parse_all(buf, n, it, 8), -EBADMSG);
	buf[32] = 0x81;
	/* RR claims 2 blocks in a 1-block length */
	buf[0] = 0x82;
	CHECK_EQ(parse_all(buf, n, it, 8), -EBADMSG);
	/* iterator stays at the end after an error */
	CHECK_OK(rtcp_iter_init(&iter, buf, n));
	CHECK_EQ(rtcp_iter_next(&iter, &it[0]), -EBADMSG);
	CHECK_EQ(rtcp_iter_next(&iter, &it[0]), 0);
	buf[0] = 0x81;
	/* SDES item longer than the chunk */
	buf[32 + 9] = 200;
	CHECK_EQ(parse_all(buf, n, it, 8), -EBADMSG);
	buf[32 + 9] = 1;
	CHECK_EQ(parse_all(buf, n, it, 8), 2);

	/* feedback: NACK without FCI, FIR with half an entry, BYE reason too long */
	{
		const uint8_t nack0[] = { 0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2 };
		const uint8_t fir4[] = { 0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5 };
		const uint8_t bye[] = { 0x81, 203, 0, 2, 0, 0, 0, 1, 9, 'a', 'b', 'c' };
		const uint8_t pli[] = { 0x81, 206, 0, 1, 0, 0, 0, 1 };
		const uint8_t remb[] = { 0x8f, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0,
					 'R', 'E', 'M', 'B', 3, 0, 0, 1 };

		CHECK_EQ(parse_all(nack0, sizeof(nack0), it, 8), -EBADMSG);
		CHECK_EQ(parse_all(fir4, sizeof(fir4), it, 8), -EBADMSG);
		CHECK_EQ(parse_all(bye, sizeof(bye), it, 8), -EBADMSG);
		CHECK_EQ(parse_all(pli, sizeof(pli), it, 8), -EBADMSG);
		CHECK_EQ(parse_all(remb, sizeof(remb), it, 8), -EBADMSG);
	}
	/* builders refuse invalid input */
	wcur_init(&w, buf, sizeof(buf));
	CHECK_EQ(rtcp_build_sdes_cname(&w, 1, ""), -EINVAL);
	rr.rb_count = 32;
	CHECK_EQ(rtcp_build_report(&w, &rr), -EINVAL);
	CHECK_EQ(rtcp_build_bye(&w, &rr.ssrc, 0, NULL), -EINVAL);
	/* lost outside 24 bits is clamped */
	rr.rb_count = 1;
	rr.rb[0].lost = 0x1000000;
	CHECK_OK(rtcp_build_report(&w, &rr));
	CHECK_EQ(parse_all(buf, w.pos, it, 8), 1);
	CHECK_EQ(it[0].report.rb[0].lost, 0x7fffff);
}

TEST(rtcp_gstreamer_capture)
{
	/* captured from GStreamer 1.22 rtpbin on loopback: the sender's SR +
	 * SDES (CNAME, TOOL) and the receiver's RR + SDES about that sender */
	const uint8_t sr[] = {
		0x80, 0xc8, 0x00, 0x06, 0xb1, 0x91, 0x5d, 0x31, 0xee, 0xb6, 0xcb, 0xce,
		0x52, 0x6f, 0x82, 0x6e, 0x56, 0x86, 0x1d, 0xf2, 0x00, 0x00, 0x00, 0x11,
		0x00, 0x00, 0x44, 0x00, 0x81, 0xca, 0x00, 0x0c, 0xb1, 0x91, 0x5d, 0x31,
		0x01, 0x1c, 0x75, 0x73, 0x65, 0x72, 0x31, 0x38, 0x36, 0x35, 0x33, 0x37,
		0x31, 0x37, 0x38, 0x36, 0x40, 0x68, 0x6f, 0x73, 0x74, 0x2d, 0x62, 0x61,
		0x38, 0x33, 0x64, 0x64, 0x61, 0x34, 0x06, 0x09, 0x47, 0x53, 0x74, 0x72,
		0x65, 0x61, 0x6d, 0x65, 0x72, 0x00, 0x00, 0x00,
	};
	const uint8_t rr[] = {
		0x81, 0xc9, 0x00, 0x07, 0xe1, 0xf5, 0x47, 0xd7, 0xb1, 0x91, 0x5d, 0x31,
		0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x65, 0x3f, 0x00, 0x00, 0x00, 0x1e,
		0xcb, 0xce, 0x52, 0x6f, 0x00, 0x04, 0xde, 0xf8, 0x81, 0xca, 0x00, 0x0c,
		0xe1, 0xf5, 0x47, 0xd7, 0x01, 0x1c, 0x75, 0x73, 0x65, 0x72, 0x31, 0x36,
		0x34, 0x39, 0x38, 0x34, 0x36, 0x31, 0x36, 0x30, 0x40, 0x68, 0x6f, 0x73,
		0x74, 0x2d, 0x65, 0x33, 0x63, 0x61, 0x64, 0x31, 0x39, 0x33, 0x06, 0x09,
		0x47, 0x53, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x65, 0x72, 0x00, 0x00, 0x00,
	};
	struct rtcp_item it[4];

	CHECK_EQ(parse_all(sr, sizeof(sr), it, 4), 2);
	CHECK_EQ(it[0].type, RTCP_ITEM_SR);
	CHECK_EQ(it[0].report.ssrc, 0xb1915d31);
	CHECK(it[0].report.si.ntp == 0xeeb6cbce526f826eULL);
	CHECK_EQ(it[0].report.si.rtp_ts, 0x56861df2);
	CHECK_EQ(it[0].report.si.pkt_count, 17);
	CHECK_EQ(it[0].report.si.octet_count, 17408);
	CHECK_EQ(it[0].report.rb_count, 0);
	CHECK_EQ(it[1].type, RTCP_ITEM_SDES);
	CHECK_EQ(it[1].sdes.ssrc, 0xb1915d31);
	CHECK_EQ(it[1].sdes.cname_len, 28);
	CHECK(memcmp(it[1].sdes.cname, "user1865371786@host-ba83dda4", 28) == 0);

	CHECK_EQ(parse_all(rr, sizeof(rr), it, 4), 2);
	CHECK_EQ(it[0].type, RTCP_ITEM_RR);
	CHECK_EQ(it[0].report.ssrc, 0xe1f547d7);
	CHECK_EQ(it[0].report.rb_count, 1);
	CHECK_EQ(it[0].report.rb[0].ssrc, 0xb1915d31);
	CHECK_EQ(it[0].report.rb[0].fraction, 0);
	CHECK_EQ(it[0].report.rb[0].lost, -1);
	CHECK_EQ(it[0].report.rb[0].ext_seq, 0x653f);
	CHECK_EQ(it[0].report.rb[0].jitter, 30);
	/* LSR echoes the middle 32 bits of the SR's NTP timestamp */
	CHECK_EQ(it[0].report.rb[0].lsr, (uint32_t)(0xeeb6cbce526f826eULL >> 16));
	CHECK_EQ(it[0].report.rb[0].dlsr, 0x0004def8);
	CHECK_EQ(it[1].type, RTCP_ITEM_SDES);
	CHECK_EQ(it[1].sdes.cname_len, 28);
}

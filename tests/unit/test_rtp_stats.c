/* test_rtp_stats.c: RFC 3550 receiver statistics, jitter, LSR/DLSR, RTT, lip-sync. */
#include <errno.h>

#include "lib/base/clock.h"
#include "rtp/rtp_stats.h"
#include "test.h"

TEST(stats_probation_and_loss)
{
	struct rtp_rx_stats s;
	struct rtcp_rblock rb;

	rtp_rx_stats_init(&s, 0x1234, 90000);
	CHECK(!rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rtp_rx_stats_packet(&s, 100, 0, 0, 10), RTP_RX_PROBATION);
	CHECK(!rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rtp_rx_stats_packet(&s, 101, 0, 0, 10), RTP_RX_OK);
	for (uint16_t q = 102; q <= 110; q++)
		if (q != 105 && q != 106)
			CHECK_EQ(rtp_rx_stats_packet(&s, q, 0, 0, 10), RTP_RX_OK);
	/* base 101, highest 110: expected 10, received 8 */
	CHECK_EQ(s.base_seq, 101);
	CHECK_EQ(rtp_rx_stats_expected(&s), 10);
	CHECK_EQ(s.received, 8);
	CHECK_EQ(rtp_rx_stats_lost(&s), 2);
	CHECK(s.octets == 80);
	CHECK(rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rb.ssrc, 0x1234);
	CHECK_EQ(rb.fraction, 51);      /* 2 * 256 / 10 */
	CHECK_EQ(rb.lost, 2);
	CHECK_EQ(rb.ext_seq, 110);
	CHECK_EQ(rb.lsr, 0);
	CHECK_EQ(rb.dlsr, 0);
	/* next interval: 20 expected, 15 received (every 4th lost) */
	for (uint16_t q = 111; q <= 130; q++)
		if (q % 4)
			rtp_rx_stats_packet(&s, q, 0, 0, 10);
	CHECK(rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rb.fraction, 64);      /* 5 * 256 / 20 */
	CHECK_EQ(rb.lost, 7);
	/* an interval without packets: fraction 0 */
	CHECK(rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rb.fraction, 0);
	CHECK_EQ(rb.lost, 7);
	/* duplicates make the cumulative loss smaller, never the fraction < 0 */
	for (int i = 0; i < 10; i++)
		rtp_rx_stats_packet(&s, 130, 0, 0, 10);
	CHECK(rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rb.fraction, 0);
	CHECK_EQ(rb.lost, -3);
}

TEST(stats_probation_restart)
{
	struct rtp_rx_stats s;

	rtp_rx_stats_init(&s, 1, 8000);
	CHECK_EQ(rtp_rx_stats_packet(&s, 10, 0, 0, 0), RTP_RX_PROBATION);
	CHECK_EQ(rtp_rx_stats_packet(&s, 50, 0, 0, 0), RTP_RX_PROBATION);     /* out of sequence */
	CHECK_EQ(rtp_rx_stats_packet(&s, 51, 0, 0, 0), RTP_RX_OK);
	CHECK_EQ(s.base_seq, 51);
}

TEST(stats_seq_wrap)
{
	struct rtp_rx_stats s;
	struct rtcp_rblock rb;

	rtp_rx_stats_init(&s, 1, 90000);
	rtp_rx_stats_packet(&s, 65534, 0, 0, 0);
	CHECK_EQ(rtp_rx_stats_packet(&s, 65535, 0, 0, 0), RTP_RX_OK);
	CHECK_EQ(rtp_rx_stats_packet(&s, 0, 0, 0, 0), RTP_RX_OK);
	CHECK_EQ(rtp_rx_stats_packet(&s, 2, 0, 0, 0), RTP_RX_OK);
	CHECK_EQ(rtp_rx_stats_packet(&s, 1, 0, 0, 0), RTP_RX_OK);     /* reordered */
	CHECK_EQ(s.cycles, 65536);
	CHECK_EQ(rtp_rx_stats_ext_seq(&s), 65538);
	CHECK_EQ(rtp_rx_stats_expected(&s), 4);
	CHECK_EQ(rtp_rx_stats_lost(&s), 0);
	/* run through three more wraps with 1% loss */
	for (uint32_t i = 3; i < 3 * 65536 + 3; i++)
		if (i % 100)
			CHECK(rtp_rx_stats_packet(&s, (uint16_t)i, 0, 0, 0) == RTP_RX_OK);
	CHECK_EQ(s.cycles, 4u * 65536);
	CHECK(rtp_rx_stats_report_block(&s, 0, &rb));
	CHECK_EQ(rb.ext_seq, 4u * 65536 + 2);
	CHECK_EQ(rb.lost, 1966);        /* i % 100 == 0 for i in [3, 196611) */
}

TEST(stats_big_jump_resync)
{
	struct rtp_rx_stats s;

	rtp_rx_stats_init(&s, 1, 90000);
	rtp_rx_stats_packet(&s, 100, 0, 0, 0);
	rtp_rx_stats_packet(&s, 101, 0, 0, 0);
	CHECK_EQ(rtp_rx_stats_packet(&s, 20000, 0, 0, 0), RTP_RX_BAD);
	CHECK_EQ(rtp_rx_stats_packet(&s, 102, 0, 0, 0), RTP_RX_OK);   /* stream goes on */
	CHECK_EQ(rtp_rx_stats_packet(&s, 30000, 0, 0, 0), RTP_RX_BAD);
	CHECK_EQ(rtp_rx_stats_packet(&s, 30001, 0, 0, 0), RTP_RX_OK); /* restart */
	CHECK_EQ(s.base_seq, 30001);
	CHECK_EQ(s.received, 1);
	CHECK_EQ(rtp_rx_stats_lost(&s), 0);
	/* misordered by less than MAX_MISORDER: counted as a late packet */
	CHECK_EQ(rtp_rx_stats_packet(&s, 29950, 0, 0, 0), RTP_RX_OK);
}

TEST(stats_jitter_hand_computed)
{
	/* 8 kHz, 20 ms packets (160 ticks); transit 1000, 1010, 990, 1000 after
	 * the probation packet: |D| = 10, 20, 10.
	 * Scaled-by-16 integer A.8: J16 = 0 +10 -0 = 10; 10 +20 -1 = 29;
	 * 29 +10 -2 = 37 -> jitter 37 >> 4 = 2 (float form: 2.35) */
	const uint32_t arr[] = { 500, 1000, 1170, 1310, 1480 };
	struct rtp_rx_stats s;

	rtp_rx_stats_init(&s, 1, 8000);
	for (unsigned i = 0; i < 5; i++)
		rtp_rx_stats_packet(&s, (uint16_t)(7 + i), i * 160 - 160, arr[i], 160);
	CHECK_EQ(s.jitter_q4, 37);
	CHECK_EQ(rtp_rx_stats_jitter(&s), 2);

	/* constant |D| = 32 converges to 32 (integer steady state 31..32) */
	rtp_rx_stats_init(&s, 1, 8000);
	for (unsigned i = 0; i < 300; i++)
		rtp_rx_stats_packet(&s, (uint16_t)(65000 + i), i * 160,
				    i * 160 + (i % 2 ? 32 : 0), 160);
	CHECK(rtp_rx_stats_jitter(&s) >= 31 && rtp_rx_stats_jitter(&s) <= 32);

	/* timestamps and arrivals across the 32-bit wrap: still 0 */
	rtp_rx_stats_init(&s, 1, 90000);
	for (unsigned i = 0; i < 50; i++)
		rtp_rx_stats_packet(&s, (uint16_t)i, 0xfffff000u + i * 3000,
				    0xffffff00u + i * 3000, 1000);
	CHECK_EQ(rtp_rx_stats_jitter(&s), 0);
}

TEST(stats_lsr_dlsr)
{
	/* RFC 3550 figure 2: SR at 46853.125 s (mid32 0xb7052000), the report
	 * leaves 5.25 s later: DLSR 0x00054000 */
	struct rtcp_sender_info si = {
		.ntp = (uint64_t)0xb705 << 32 | (uint64_t)0x2000 << 16,
		.rtp_ts = 1,
	};
	struct rtp_rx_stats s;
	struct rtcp_rblock rb;

	rtp_rx_stats_init(&s, 9, 90000);
	rtp_rx_stats_packet(&s, 1, 0, 0, 0);
	rtp_rx_stats_packet(&s, 2, 0, 0, 0);
	rtp_rx_stats_on_sr(&s, &si, 1000000);
	CHECK(rtp_rx_stats_report_block(&s, 1000000 + 5250000, &rb));
	CHECK_EQ(rb.lsr, 0xb7052000u);
	CHECK_EQ(rb.dlsr, 0x00054000);
}

TEST(stats_rtt)
{
	/* RFC 3550 figure 2: A = 0xb7108000, LSR = 0xb7052000,
	 * DLSR = 0x00054000: RTT = 0x00062000 = 6.125 s */
	struct rtp_tx_stats t;
	struct rtcp_report sr = { 0 };
	struct rtcp_rblock rb = { .ssrc = 5, .lsr = 0xb7052000u, .dlsr = 0x00054000 };
	uint64_t ntp_sr = (uint64_t)0xb705 << 32 | (uint64_t)0x2000 << 16;
	uint64_t ntp_a = (uint64_t)0xb710 << 32 | (uint64_t)0x8000 << 16;
	uint32_t rtt = 0;

	rtp_tx_stats_init(&t, 5);
	rtp_tx_stats_packet(&t, 100);
	rtp_tx_stats_packet(&t, 50);
	CHECK_EQ(rtp_tx_stats_rtt(&t, &rb, ntp_a, &rtt), -ENOENT);     /* not our SR */
	rtp_tx_stats_fill_sr(&t, ntp_sr, 4242, &sr);
	CHECK(sr.has_sender_info);
	CHECK_EQ(sr.ssrc, 5);
	CHECK_EQ(sr.si.pkt_count, 2);
	CHECK_EQ(sr.si.octet_count, 150);
	CHECK_EQ(sr.si.rtp_ts, 4242);
	CHECK_OK(rtp_tx_stats_rtt(&t, &rb, ntp_a, &rtt));
	CHECK_EQ(rtt, 6125000);
	CHECK_EQ(t.rtt_us, 6125000);
	/* later SRs push it out of the ring after RTP_STATS_SR_HISTORY */
	for (unsigned i = 1; i <= RTP_STATS_SR_HISTORY - 1; i++)
		rtp_tx_stats_fill_sr(&t, ntp_sr + ((uint64_t)i << 32), 0, &sr);
	CHECK_OK(rtp_tx_stats_rtt(&t, &rb, ntp_a, &rtt));
	rtp_tx_stats_fill_sr(&t, ntp_sr + ((uint64_t)100 << 32), 0, &sr);
	CHECK_EQ(rtp_tx_stats_rtt(&t, &rb, ntp_a, &rtt), -ENOENT);
	/* LSR 0: no SR received by the peer yet */
	rb.lsr = 0;
	CHECK_EQ(rtp_tx_stats_rtt(&t, &rb, ntp_a, &rtt), -ENODATA);
	/* a DLSR larger than the elapsed time gives a negative RTT */
	rtp_tx_stats_fill_sr(&t, ntp_sr, 0, &sr);
	rb.lsr = 0xb7052000u;
	rb.dlsr = 0x000c0000;
	CHECK_EQ(rtp_tx_stats_rtt(&t, &rb, ntp_a, &rtt), -ERANGE);
	/* small RTT across a 16-bit-seconds wrap of the mid-32 field */
	rtp_tx_stats_fill_sr(&t, (uint64_t)0xffff << 32 | (uint64_t)0xff00 << 16, 0, &sr);
	rb.lsr = 0xffffff00u;
	rb.dlsr = 0x100;        /* 3.9 ms */
	CHECK_OK(rtp_tx_stats_rtt(&t, &rb, (uint64_t)0x10000 << 32 | (uint64_t)0x0100 << 16,
				  &rtt));
	CHECK_EQ(rtt, (0x100u * 1000000) >> 16);
}

TEST(stats_lipsync)
{
	const uint64_t wall = 1700000000ULL * 1000000;       /* whole seconds: exact in NTP */
	struct rtcp_sender_info si = { .ntp = clock_us_to_ntp(wall), .rtp_ts = 1000 };
	struct rtp_rx_stats s;
	uint64_t us;

	rtp_rx_stats_init(&s, 1, 90000);
	CHECK_EQ(rtp_rx_stats_ts_to_wall_us(&s, 1000, &us), -ENODATA);
	rtp_rx_stats_on_sr(&s, &si, 0);
	CHECK_OK(rtp_rx_stats_ts_to_wall_us(&s, 1000, &us));
	CHECK(us == wall);
	CHECK_OK(rtp_rx_stats_ts_to_wall_us(&s, 1000 + 90000, &us));
	CHECK(us == wall + 1000000);
	CHECK_OK(rtp_rx_stats_ts_to_wall_us(&s, 1000 - 45000, &us));
	CHECK(us == wall - 500000);
	/* across the 32-bit wrap */
	si.rtp_ts = 0xffffff00u;
	rtp_rx_stats_on_sr(&s, &si, 0);
	CHECK_OK(rtp_rx_stats_ts_to_wall_us(&s, 0x100, &us));
	CHECK(us == wall + 512ULL * 1000000 / 90000);
	/* a nonsense NTP time (before 1970) */
	si.ntp = 5;
	rtp_rx_stats_on_sr(&s, &si, 0);
	CHECK_EQ(rtp_rx_stats_ts_to_wall_us(&s, 0x100, &us), -ERANGE);
}

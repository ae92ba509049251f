/* rtp_stats.h: RTP receiver/sender statistics, RTT and lip-sync (RFC 3550).
 *
 * Plain structs embedded by the caller; no allocation. An instance is used by
 * one thread at a time (the caller serializes access).
 *
 * Receiver side (struct rtp_rx_stats, one per remote SSRC): sequence
 * validation with probation, wrap and cycles as in RFC 3550 A.1, jitter as
 * in A.8, report blocks with fraction lost per interval (A.3), the last SR
 * for LSR/DLSR and lip-sync (NTP <-> RTP timestamp mapping).
 * Sender side (struct rtp_tx_stats, one per local SSRC): packet and octet
 * counts for SR, the NTP middle 32 bits of our recent SRs, and the RTT from
 * a report block that echoes one of them.
 *
 * Time: now_us is CLOCK_MONOTONIC microseconds (clock_now_us()); NTP values
 * are 64-bit NTP timestamps of the wall clock (clock_ntp_now()).
 */
#ifndef RAKWON_RTP_RTP_STATS_H
#define RAKWON_RTP_RTP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp/rtcp.h"

#define RTP_STATS_MIN_SEQUENTIAL 2      /* packets in sequence to validate */
#define RTP_STATS_MAX_DROPOUT 3000
#define RTP_STATS_MAX_MISORDER 100
#define RTP_STATS_SR_HISTORY 8          /* our SRs remembered for RTT */

enum rtp_rx_result {
	RTP_RX_OK = 0,          /* valid packet, counted */
	RTP_RX_PROBATION,       /* source not yet validated: not counted */
	RTP_RX_BAD,             /* large jump or misorder: dropped (a second
				 * packet in sequence after it resyncs) */
};

struct rtp_rx_stats {
	uint32_t ssrc;
	uint32_t clock_rate;    /* Hz, for jitter/lip-sync units */
	bool started;           /* first packet seen */
	/* RFC 3550 A.1 */
	uint16_t max_seq;
	uint32_t cycles;        /* shifted count of seq number cycles */
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t probation;
	uint32_t received;
	uint32_t expected_prior;
	uint32_t received_prior;
	uint64_t octets;        /* payload octets of valid packets */
	uint64_t duplicates_or_bad;     /* RTP_RX_BAD packets (duplicates are
					 * counted as received, RFC 3550) */
	/* RFC 3550 A.8, jitter kept scaled by 16 */
	uint32_t transit;
	uint32_t jitter_q4;
	bool have_transit;
	/* last SR from this source */
	bool have_sr;
	uint32_t lsr;           /* NTP middle 32 bits */
	uint64_t sr_recv_us;    /* when it arrived */
	uint64_t sr_ntp;        /* lip-sync reference */
	uint32_t sr_rtp_ts;
};

/* Starts tracking ssrc; the first packet's seq goes to rtp_rx_stats_packet.
 * clock_rate > 0. */
void rtp_rx_stats_init(struct rtp_rx_stats *s, uint32_t ssrc, uint32_t clock_rate);

/* One received RTP packet of this source: seq, its RTP timestamp, the
 * arrival time converted to the same RTP clock (any origin, e.g.
 * now_us * clock_rate / 1e6, truncated to 32 bits) and the payload length.
 * Jitter is only updated for RTP_RX_OK packets. */
enum rtp_rx_result rtp_rx_stats_packet(struct rtp_rx_stats *s, uint16_t seq, uint32_t rtp_ts,
				       uint32_t arrival_rtp, uint32_t payload_len);

/* Extended highest sequence number received (cycles + max_seq) */
uint32_t rtp_rx_stats_ext_seq(const struct rtp_rx_stats *s);
/* Cumulative expected and lost (lost may be negative with duplicates) */
uint32_t rtp_rx_stats_expected(const struct rtp_rx_stats *s);
int64_t rtp_rx_stats_lost(const struct rtp_rx_stats *s);
/* jitter in RTP timestamp units */
uint32_t rtp_rx_stats_jitter(const struct rtp_rx_stats *s);

/* Fills a report block for this source and starts a new interval (fraction
 * lost is computed since the previous call). now_us is used for DLSR.
 * Returns false (and fills nothing) when the source is not yet valid. */
bool rtp_rx_stats_report_block(struct rtp_rx_stats *s, uint64_t now_us,
			       struct rtcp_rblock *rb);

/* An SR from this source arrived at now_us */
void rtp_rx_stats_on_sr(struct rtp_rx_stats *s, const struct rtcp_sender_info *si,
			uint64_t now_us);

/* Lip-sync: the sender's wall clock (microseconds since the Unix epoch, as
 * carried in its SR NTP timestamps) at which it sampled rtp_ts. Valid for
 * timestamps within +-2^31 of the SR's. Returns 0, or -ENODATA before the
 * first SR. */
int rtp_rx_stats_ts_to_wall_us(const struct rtp_rx_stats *s, uint32_t rtp_ts,
			       uint64_t *ret_us);

struct rtp_tx_stats {
	uint32_t ssrc;
	uint32_t pkt_count;
	uint32_t octet_count;   /* payload octets (RFC 3550 6.4.1) */
	/* our recent SRs: NTP middle 32 bits, ring */
	uint32_t sr_mid[RTP_STATS_SR_HISTORY];
	unsigned sr_n, sr_head;
	/* last RTT measured */
	bool have_rtt;
	uint32_t rtt_us;
};

void rtp_tx_stats_init(struct rtp_tx_stats *s, uint32_t ssrc);
/* one RTP packet sent with payload_len payload bytes */
void rtp_tx_stats_packet(struct rtp_tx_stats *s, uint32_t payload_len);
/* Fills an SR's sender info (ssrc, ntp, rtp_ts, counts) for the instant ntp
 * whose RTP timestamp is rtp_ts, and remembers the NTP mid-32 for RTT. */
void rtp_tx_stats_fill_sr(struct rtp_tx_stats *s, uint64_t ntp, uint32_t rtp_ts,
			  struct rtcp_report *r);
/* A report block about our SSRC arrived at wall time now_ntp: computes
 * RTT = A - LSR - DLSR (RFC 3550 6.4.1). Returns 0 and the RTT in
 * microseconds (also kept in s->rtt_us), -ENODATA when LSR is 0, -ENOENT
 * when LSR is not one of our recent SRs, -ERANGE when the result is
 * negative (clock or peer error). */
int rtp_tx_stats_rtt(struct rtp_tx_stats *s, const struct rtcp_rblock *rb, uint64_t now_ntp,
		     uint32_t *ret_rtt_us);

/* NTP helpers: middle 32 bits; 1/65536 s units <-> microseconds */
static inline uint32_t rtp_ntp_mid32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

#endif

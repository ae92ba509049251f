/* rtp_stats.c: RFC 3550 receiver statistics (A.1, A.3, A.8), SR/RTT, lip-sync. */
#include <errno.h>
#include <string.h>

#include "lib/base/clock.h"
#include "rtp/rtp.h"
#include "rtp/rtp_stats.h"

#define RTP_SEQ_MOD (1u << 16)

void rtp_rx_stats_init(struct rtp_rx_stats *s, uint32_t ssrc, uint32_t clock_rate)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	s->clock_rate = clock_rate ? clock_rate : 90000;
}

/* RFC 3550 A.1 init_seq() */
static void init_seq(struct rtp_rx_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1;   /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

/* RFC 3550 A.1 update_seq() */
static enum rtp_rx_result update_seq(struct rtp_rx_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (!s->started) {
		s->started = true;
		init_seq(s, seq);
		s->max_seq = (uint16_t)(seq - 1);
		s->probation = RTP_STATS_MIN_SEQUENTIAL;
	}
	if (s->probation) {
		/* packets must be in sequence */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return RTP_RX_OK;
			}
		} else {
			s->probation = RTP_STATS_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return RTP_RX_PROBATION;
	} else if (udelta < RTP_STATS_MAX_DROPOUT) {
		/* in order, with permissible gap */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;       /* wrapped */
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_STATS_MAX_MISORDER) {
		/* the sequence number made a very large jump */
		if (seq == s->bad_seq) {
			/* two sequential packets: assume the other side
			 * restarted without telling us, so just re-sync */
			init_seq(s, seq);
		} else {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			s->duplicates_or_bad++;
			return RTP_RX_BAD;
		}
	} else {
		/* duplicate or reordered packet: counted (RFC 3550) */
	}
	s->received++;
	return RTP_RX_OK;
}

/* RFC 3550 A.8, integer form with jitter scaled by 16 */
static void update_jitter(struct rtp_rx_stats *s, uint32_t rtp_ts, uint32_t arrival)
{
	uint32_t transit = arrival - rtp_ts;
	int64_t d;

	if (!s->have_transit) {
		s->have_transit = true;
		s->transit = transit;
		return;
	}
	d = (int32_t)(transit - s->transit);
	s->transit = transit;
	if (d < 0)
		d = -d;
	s->jitter_q4 = (uint32_t)((int64_t)s->jitter_q4 + d - ((s->jitter_q4 + 8) >> 4));
}

enum rtp_rx_result rtp_rx_stats_packet(struct rtp_rx_stats *s, uint16_t seq, uint32_t rtp_ts,
				       uint32_t arrival_rtp, uint32_t payload_len)
{
	enum rtp_rx_result r = update_seq(s, seq);

	if (r != RTP_RX_OK)
		return r;
	s->octets += payload_len;
	update_jitter(s, rtp_ts, arrival_rtp);
	return r;
}

uint32_t rtp_rx_stats_ext_seq(const struct rtp_rx_stats *s)
{
	return s->cycles + s->max_seq;
}

uint32_t rtp_rx_stats_expected(const struct rtp_rx_stats *s)
{
	if (!s->started || s->probation)
		return 0;
	return rtp_rx_stats_ext_seq(s) - s->base_seq + 1;
}

int64_t rtp_rx_stats_lost(const struct rtp_rx_stats *s)
{
	return (int64_t)rtp_rx_stats_expected(s) - (int64_t)s->received;
}

uint32_t rtp_rx_stats_jitter(const struct rtp_rx_stats *s)
{
	return s->jitter_q4 >> 4;
}

bool rtp_rx_stats_report_block(struct rtp_rx_stats *s, uint64_t now_us,
			       struct rtcp_rblock *rb)
{
	uint32_t expected, exp_int, rec_int;
	int64_t lost, lost_int;

	if (!s->started || s->probation)
		return false;
	expected = rtp_rx_stats_expected(s);
	lost = rtp_rx_stats_lost(s);
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	/* RFC 3550 A.3: fraction lost over the interval since the last report */
	exp_int = expected - s->expected_prior;
	s->expected_prior = expected;
	rec_int = s->received - s->received_prior;
	s->received_prior = s->received;
	lost_int = (int64_t)exp_int - (int64_t)rec_int;

	memset(rb, 0, sizeof(*rb));
	rb->ssrc = s->ssrc;
	if (exp_int && lost_int > 0)
		rb->fraction = (uint8_t)((lost_int << 8) / exp_int);
	rb->lost = (int32_t)lost;
	rb->ext_seq = rtp_rx_stats_ext_seq(s);
	rb->jitter = rtp_rx_stats_jitter(s);
	if (s->have_sr) {
		uint64_t d = now_us > s->sr_recv_us ? now_us - s->sr_recv_us : 0;

		rb->lsr = s->lsr;
		d = (d << 16) / 1000000;
		rb->dlsr = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	}
	return true;
}

void rtp_rx_stats_on_sr(struct rtp_rx_stats *s, const struct rtcp_sender_info *si,
			uint64_t now_us)
{
	s->have_sr = true;
	s->lsr = rtp_ntp_mid32(si->ntp);
	s->sr_recv_us = now_us;
	s->sr_ntp = si->ntp;
	s->sr_rtp_ts = si->rtp_ts;
}

int rtp_rx_stats_ts_to_wall_us(const struct rtp_rx_stats *s, uint32_t rtp_ts,
			       uint64_t *ret_us)
{
	uint64_t base;
	int64_t delta;

	if (!s->have_sr)
		return -ENODATA;
	/* NTP era 0 before 1970 would be nonsense from the peer */
	if ((s->sr_ntp >> 32) < 2208988800ULL)
		return -ERANGE;
	base = clock_ntp_to_us(s->sr_ntp);
	delta = (int64_t)rtp_ts_diff(rtp_ts, s->sr_rtp_ts) * 1000000 /
		(int64_t)s->clock_rate;
	if (delta < 0 && (uint64_t)-delta > base)
		return -ERANGE;
	*ret_us = base + (uint64_t)delta;
	return 0;
}

void rtp_tx_stats_init(struct rtp_tx_stats *s, uint32_t ssrc)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
}

void rtp_tx_stats_packet(struct rtp_tx_stats *s, uint32_t payload_len)
{
	/* both counters wrap modulo 2^32 as RFC 3550 specifies */
	s->pkt_count++;
	s->octet_count += payload_len;
}

void rtp_tx_stats_fill_sr(struct rtp_tx_stats *s, uint64_t ntp, uint32_t rtp_ts,
			  struct rtcp_report *r)
{
	r->ssrc = s->ssrc;
	r->has_sender_info = true;
	r->si.ntp = ntp;
	r->si.rtp_ts = rtp_ts;
	r->si.pkt_count = s->pkt_count;
	r->si.octet_count = s->octet_count;
	s->sr_mid[s->sr_head] = rtp_ntp_mid32(ntp);
	s->sr_head = (s->sr_head + 1) % RTP_STATS_SR_HISTORY;
	if (s->sr_n < RTP_STATS_SR_HISTORY)
		s->sr_n++;
}

int rtp_tx_stats_rtt(struct rtp_tx_stats *s, const struct rtcp_rblock *rb, uint64_t now_ntp,
		     uint32_t *ret_rtt_us)
{
	bool ours = false;
	uint32_t a, rtt;
	uint64_t us;

	if (rb->lsr == 0)
		return -ENODATA;
	for (unsigned i = 0; i < s->sr_n; i++)
		if (s->sr_mid[i] == rb->lsr)
			ours = true;
	if (!ours)
		return -ENOENT;
	/* RFC 3550 6.4.1: all in 1/65536 s, modulo 2^32 */
	a = rtp_ntp_mid32(now_ntp);
	rtt = a - rb->lsr - rb->dlsr;
	if ((int32_t)rtt < 0)
		return -ERANGE;
	us = ((uint64_t)rtt * 1000000) >> 16;
	s->have_rtt = true;
	s->rtt_us = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	if (ret_rtt_us)
		*ret_rtt_us = s->rtt_us;
	return 0;
}

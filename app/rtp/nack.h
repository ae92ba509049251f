/* nack.h: receiver-side NACK generator (RFC 4585 generic NACK).
 *
 * Feed every received packet's sequence number (after RTX decapsulation:
 * the OSN, with rtx = true) to nack_gen_packet(). Gaps become tracked
 * losses. nack_gen_poll() returns the sequence numbers to NACK now: a loss
 * is first NACKed after reorder_us (reordering tolerance), then again every
 * max(RTT, min_interval_us), up to max_tries times or until older than
 * max_age_us; then it is dropped as unrecoverable and poll returns
 * NACK_KEYFRAME so the caller sends PLI/FIR. Memory is bounded: at most
 * max_tracked losses; a jump larger than that resets the tracker (and also
 * asks for a keyframe); when the list is full the oldest losses are given
 * up.
 *
 * Threads: an instance is used by one thread at a time. Time is
 * CLOCK_MONOTONIC microseconds.
 */
#ifndef RAKWON_RTP_NACK_H
#define RAKWON_RTP_NACK_H

#include <stdbool.h>
#include <stdint.h>

#define NACK_MAX_TRACKED 4096

struct nack_conf {
	unsigned max_tracked;   /* losses tracked at once (default 256, <= 4096) */
	uint32_t reorder_us;    /* wait before the first NACK (default 5 ms) */
	uint32_t min_interval_us;       /* resend floor (default 10 ms) */
	uint32_t max_age_us;    /* give up after (default 1 s) */
	unsigned max_tries;     /* NACKs per packet (default 10) */
	uint32_t rtt_us;        /* initial RTT guess (default 100 ms) */
};

/* fills the defaults */
void nack_conf_default(struct nack_conf *c);

enum nack_pkt_result {
	NACK_PKT_NEW,           /* in order or after a gap (gap now tracked) */
	NACK_PKT_RECOVERED,     /* filled a tracked gap */
	NACK_PKT_OLD,           /* duplicate or older than anything tracked */
	NACK_PKT_RESET,         /* jump too large: tracker restarted here */
};

#define NACK_KEYFRAME 1         /* nack_gen_poll(): a loss is unrecoverable */

struct nack_stats {
	uint64_t lost;          /* seqs that went missing */
	uint64_t recovered;     /* of those, arrived later */
	uint64_t recovered_rtx; /* ... through RTX */
	uint64_t nacked;        /* seq entries put in NACKs (tries included) */
	uint64_t unrecoverable; /* given up */
	uint64_t resets;
};

struct nack_gen;

/* conf may be NULL for the defaults; zero fields take the default */
int nack_gen_new(struct nack_gen **ret, const struct nack_conf *conf);
struct nack_gen *nack_gen_free(struct nack_gen *n);
/* forget everything (e.g. SSRC change); the next packet starts afresh */
void nack_gen_reset(struct nack_gen *n);
/* current RTT estimate (from RTCP), 0 keeps the old one */
void nack_gen_set_rtt(struct nack_gen *n, uint32_t rtt_us);

enum nack_pkt_result nack_gen_packet(struct nack_gen *n, uint16_t seq, bool rtx,
				     uint64_t now_us);

/* Writes up to max sequence numbers to NACK now into seqs (ascending, for
 * rtcp_build_nack()), *ret_n their count. Returns NACK_KEYFRAME when a loss
 * was given up (or the tracker reset) since the previous poll, else 0. */
int nack_gen_poll(struct nack_gen *n, uint64_t now_us, uint16_t *seqs, unsigned max,
		  unsigned *ret_n);

/* When poll has something to do next (monotonic us), UINT64_MAX if nothing
 * is tracked. */
uint64_t nack_gen_next_us(const struct nack_gen *n);
/* number of losses tracked now */
unsigned nack_gen_pending(const struct nack_gen *n);
void nack_gen_get_stats(const struct nack_gen *n, struct nack_stats *ret);

#endif

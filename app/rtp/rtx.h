/* rtx.h: sender packet history and RFC 4588 RTX (re)encapsulation.
 *
 * struct rtp_history keeps the last N plain (pre-SRTP) RTP packets sent on
 * one SSRC, in a ring indexed by sequence number, so that NACKed packets can
 * be resent, either as RTX (own SSRC and payload type, the original sequence
 * number OSN in the first two payload bytes) or as a plain copy. Memory is
 * bounded: capacity * max_pkt_len bytes, allocated once.
 *
 * Threads: an instance is used by one thread at a time (the caller
 * serializes put and resend if they come from different threads).
 * rtx_encap()/rtx_decap() are pure functions.
 */
#ifndef RAKWON_RTP_RTX_H
#define RAKWON_RTP_RTX_H

#include <stddef.h>
#include <stdint.h>

#define RTP_HISTORY_MAX_CAP 8192
#define RTP_HISTORY_MAX_PKT 2048

struct rtp_history_conf {
	unsigned capacity;      /* packets, a power of 2, 16..8192 (default 512) */
	size_t max_pkt_len;     /* largest packet stored (default 1500, max 2048) */
	uint32_t max_age_us;    /* older packets are not resent (default 1 s) */
	uint32_t min_resend_us; /* the same packet at most once per this
				 * (default 10 ms; dampens duplicate NACKs) */
};

struct rtp_history_stats {
	uint64_t stored;
	uint64_t resent;
	uint64_t missing;       /* asked for a packet no longer (or never) held */
	uint64_t throttled;     /* asked again within min_resend_us */
};

struct rtp_history;

/* conf may be NULL for the defaults; zero fields take the default */
int rtp_history_new(struct rtp_history **ret, const struct rtp_history_conf *conf);
struct rtp_history *rtp_history_free(struct rtp_history *h);

/* Stores a copy of the plain RTP packet pkt[0..len) sent at now_us.
 * Returns 0, -EMSGSIZE (longer than max_pkt_len) or -EBADMSG (not RTP). */
int rtp_history_put(struct rtp_history *h, const uint8_t *pkt, size_t len, uint64_t now_us);

/* Looks up seq: 0 and a pointer valid until the next put, or -ENOENT
 * (overwritten, never stored, or older than max_age_us). */
int rtp_history_get(struct rtp_history *h, uint16_t seq, uint64_t now_us,
		    const uint8_t **ret_pkt, size_t *ret_len);

/* RTX stream state of the sender: its SSRC, payload type and next seq */
struct rtx_sender {
	uint32_t ssrc;
	uint8_t pt;
	uint16_t seq;
};

/* Builds the retransmission of seq into out: an RTX packet when rtx is not
 * NULL (and rtx->seq advances), else a copy of the original. Returns 0,
 * -ENOENT (not held), -EAGAIN (resent less than min_resend_us ago),
 * -ENOBUFS. */
int rtp_history_resend(struct rtp_history *h, uint16_t seq, uint64_t now_us,
		       struct rtx_sender *rtx, uint8_t *out, size_t cap, size_t *ret_len);

void rtp_history_get_stats(const struct rtp_history *h, struct rtp_history_stats *ret);

/* RTX packet from the plain original orig[0..len): same header fields
 * (marker, timestamp, CSRCs, extension) but rtx_ssrc, rtx_pt, rtx_seq;
 * payload = OSN (2 bytes) + original payload (padding dropped).
 * Returns 0, -EBADMSG (orig not RTP) or -ENOBUFS. */
int rtx_encap(const uint8_t *orig, size_t len, uint32_t rtx_ssrc, uint8_t rtx_pt,
	      uint16_t rtx_seq, uint8_t *out, size_t cap, size_t *ret_len);

/* In place: turns the (decrypted) RTX packet pkt[0..len) back into the
 * original: seq = OSN, ssrc = orig_ssrc, pt = orig_pt, the OSN removed
 * (padding dropped). Returns 0 and the new length and the OSN, or -EBADMSG
 * (not RTP, or payload shorter than 2 bytes; an empty RTX payload is a
 * padding-only probe, also -EBADMSG: drop it). */
int rtx_decap(uint8_t *pkt, size_t len, uint32_t orig_ssrc, uint8_t orig_pt,
	      size_t *ret_len, uint16_t *ret_osn);

#endif

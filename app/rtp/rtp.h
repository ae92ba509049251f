/* rtp.h: RTP header decode/encode (RFC 3550, RFC 8285) and sequence arithmetic.
 *
 * Pure functions on caller memory: no allocation, no state, callable from any
 * thread. Decoding is zero-copy: struct rtp_hdr points into the packet, which
 * must outlive it. Malformed input returns -EBADMSG, never reads past len.
 */
#ifndef RAKWON_RTP_RTP_H
#define RAKWON_RTP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION 2
#define RTP_HDR_MIN 12          /* fixed header */
#define RTP_MAX_CSRC 15
/* header extension profiles (RFC 8285): one-byte, two-byte (low 4 bits: appbits) */
#define RTP_EXT_ONE_BYTE 0xbede
#define RTP_EXT_TWO_BYTE 0x1000
#define RTP_EXT_TWO_BYTE_MASK 0xfff0

struct rtp_hdr {
	bool padding;           /* P bit */
	bool ext;               /* X bit */
	bool marker;            /* M bit */
	uint8_t cc;             /* CSRC count */
	uint8_t pt;             /* payload type 0..127 */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t csrc[RTP_MAX_CSRC];
	/* header extension, valid when ext: profile ("defined by profile"
	 * field) and the extension body (4 * length bytes, points into the
	 * packet on decode; on encode the caller's bytes, len multiple of 4) */
	uint16_t ext_profile;
	const uint8_t *ext_data;
	size_t ext_len;
	/* filled by decode only */
	size_t hdr_len;         /* offset of the payload */
	size_t payload_len;     /* without padding */
	uint8_t pad_len;        /* padding bytes at the end (incl. the count byte) */
};

/* Decodes the RTP header of p[0..len). Checks version 2, CSRC and extension
 * lengths, and that the padding count fits the payload (a padding count of 0
 * is malformed). Returns 0 (*ret filled), or -EBADMSG (*ret untouched). */
int rtp_hdr_decode(struct rtp_hdr *ret, const uint8_t *p, size_t len);

/* Encodes h (version 2; padding, ext, marker, cc, pt, seq, ts, ssrc, csrc,
 * and ext_profile/ext_data/ext_len when ext) into buf. The padding bit is
 * written as given: the caller appends the padding itself. Returns 0 and the
 * header length in *ret_len, -EINVAL (cc > 15, ext_len not a multiple of 4 or
 * > 262140) or -ENOBUFS. */
int rtp_hdr_encode(const struct rtp_hdr *h, uint8_t *buf, size_t cap, size_t *ret_len);

/* Finds header extension element id (RFC 8285) in a decoded header. One-byte
 * form: id 1..14; two-byte form: id 1..255. On success *ret_data and *ret_len
 * point at the element's data (may be empty in the two-byte form).
 * Returns 0, -ENOENT (no extension, unknown profile, id absent), or -EBADMSG
 * (an element runs past the extension block). */
int rtp_hdr_ext_find(const struct rtp_hdr *h, uint8_t id, const uint8_t **ret_data,
		     size_t *ret_len);

struct rtp_ext_elem {
	uint8_t id;
	uint8_t len;            /* 1..16 in one-byte form, 0..255 in two-byte */
	const uint8_t *data;
};

/* Builds an RFC 8285 extension block (without the 4-byte profile/length
 * word) from elements, padded to a multiple of 4 with zero bytes. Uses the
 * one-byte form when every element fits it, else the two-byte form; the
 * profile to put in rtp_hdr.ext_profile goes into *ret_profile.
 * Returns 0, -EINVAL or -ENOBUFS. */
int rtp_ext_build(const struct rtp_ext_elem *elems, size_t n, uint8_t *buf, size_t cap,
		  uint16_t *ret_profile, size_t *ret_len);

/* RFC 5761 section 4 demultiplexing of RTP and RTCP on one port: true when
 * the packet looks like RTCP (version 2 and second octet 192..223, i.e. RTCP
 * packet types 192..223 which RTP payload types must not collide with). */
bool rtp_is_rtcp(const uint8_t *p, size_t len);

/* --- sequence number and timestamp arithmetic (modulo 2^16 / 2^32) ---- */

/* a - b as a signed distance in -32768..32767 */
static inline int16_t rtp_seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

/* a is before b (wrap-aware) */
static inline bool rtp_seq_lt(uint16_t a, uint16_t b)
{
	return rtp_seq_diff(a, b) < 0;
}

static inline int32_t rtp_ts_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(uint32_t)(a - b);
}

/* Extends 16-bit sequence numbers to 64 bits, following the highest seen.
 * Zero-initialize; the first seq initializes it (extended = seq + 65536 so
 * that packets reordered around the start stay positive). */
struct rtp_seq_ext {
	uint64_t highest;
	bool init;
};

/* Returns the extended value of seq (may be below highest for a reordered
 * packet); advances highest when seq is newer. */
uint64_t rtp_seq_extend(struct rtp_seq_ext *e, uint16_t seq);

#endif

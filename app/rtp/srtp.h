/* srtp.h: SRTP/SRTCP contexts on libsrtp2 (RFC 3711, RFC 7714) and SDES keys.
 *
 * One struct rtp_srtp protects (outbound) or unprotects (inbound) RTP and
 * RTCP for every SSRC of one direction of one media stream, with one master
 * key. Replay protection is on (libsrtp default window of 128 packets).
 * Processing is in place: protect needs room after the packet for the
 * trailer (at most RTP_SRTP_MAX_OVERHEAD bytes; rtp_srtp_overhead() gives the
 * exact value per suite).
 *
 * Threads: rtp_srtp_init() is thread-safe (pthread_once); every other call
 * on an instance must come from one thread at a time (libsrtp contexts are
 * not thread-safe); different instances are independent.
 *
 * Errors: -EBADMSG authentication failed or packet malformed, -EALREADY
 * replayed (or too old for the replay window), -ENOBUFS no room for the
 * trailer, -EINVAL bad arguments or key, -ENOSPC an inbound packet from a
 * new SSRC when RTP_SRTP_MAX_SSRC are already known (libsrtp keeps state per
 * authenticated SSRC; this bounds what a peer can make us allocate), -EIO
 * any other libsrtp failure.
 * The caller counts and drops; nothing is logged above debug level.
 *
 * Keys (RFC 4568 SDES): the master key and salt concatenated, key||salt:
 * 30 bytes for AES_CM_128_HMAC_SHA1_80/_32, 28 bytes for AEAD_AES_128_GCM
 * (the layout GStreamer's srtpenc "key" property and SDP crypto lines use).
 */
#ifndef RAKWON_RTP_SRTP_H
#define RAKWON_RTP_SRTP_H

#include <stddef.h>
#include <stdint.h>

enum rtp_srtp_suite {
	RTP_SRTP_AES_CM_128_HMAC_SHA1_80,
	RTP_SRTP_AES_CM_128_HMAC_SHA1_32,
	RTP_SRTP_AEAD_AES_128_GCM,
	RTP_SRTP_SUITE_MAX,
};

enum rtp_srtp_dir {
	RTP_SRTP_OUTBOUND,
	RTP_SRTP_INBOUND,
};

#define RTP_SRTP_MAX_KEY_LEN 30         /* key||salt */
#define RTP_SRTP_MAX_OVERHEAD 20        /* SRTCP with GCM: 4 index + 16 tag */
#define RTP_SRTP_KEY_PARAMS_MAX 64      /* "inline:" + base64(30) + NUL fits */
#define RTP_SRTP_MAX_SSRC 32            /* SSRCs per inbound context */

/* Initializes libsrtp once per process (thread-safe, idempotent).
 * rtp_srtp_new() calls it. Returns 0 or -EIO. */
int rtp_srtp_init(void);

/* "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"
 * (RFC 4568 / RFC 7714 names) */
const char *rtp_srtp_suite_name(enum rtp_srtp_suite s);
/* Returns 0 and *ret, or -ENOTSUP for an unknown/unsupported name */
int rtp_srtp_suite_from_name(const char *name, enum rtp_srtp_suite *ret);
/* key||salt length of a suite: 30 or 28; 0 for an invalid suite */
size_t rtp_srtp_key_len(enum rtp_srtp_suite s);
/* bytes protect adds: rtcp 0 for RTP, 1 for RTCP */
size_t rtp_srtp_overhead(enum rtp_srtp_suite s, int rtcp);

struct rtp_srtp;

/* A context for dir with the master key key[0..key_len) (key_len must be
 * rtp_srtp_key_len(suite)). The key is copied and wiped on free. */
int rtp_srtp_new(struct rtp_srtp **ret, enum rtp_srtp_suite suite, enum rtp_srtp_dir dir,
		 const uint8_t *key, size_t key_len);
/* Frees (NULL is fine); returns NULL */
struct rtp_srtp *rtp_srtp_free(struct rtp_srtp *s);

/* In place: pkt[0..len) is the RTP (or compound RTCP) packet, cap the
 * buffer size. *ret_len receives the new length. Outbound contexts only. */
int rtp_srtp_protect(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t cap,
		     size_t *ret_len);
int rtp_srtp_protect_rtcp(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t cap,
			  size_t *ret_len);
/* In place: pkt[0..len) is SRTP/SRTCP; on success the plain packet is
 * pkt[0..*ret_len). Inbound contexts only. */
int rtp_srtp_unprotect(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t *ret_len);
int rtp_srtp_unprotect_rtcp(struct rtp_srtp *s, uint8_t *pkt, size_t len, size_t *ret_len);

/* --- SDES key parameters (RFC 4568 section 6.1 / 9.2) --- */

/* Parses "inline:<base64 key||salt>[|lifetime][|MKI:length]" for suite.
 * A lifetime (decimal or 2^n) is accepted and ignored; an MKI is rejected
 * (-ENOTSUP); a wrong key length or bad base64 is -EINVAL. The string may
 * end at a space (session parameters follow in the a=crypto line).
 * Writes rtp_srtp_key_len(suite) bytes to key (cap at least that). */
int rtp_srtp_key_parse(const char *params, enum rtp_srtp_suite suite, uint8_t *key,
		       size_t cap, size_t *ret_len);
/* Formats "inline:<base64>" (no lifetime, no MKI) into out (cap >=
 * RTP_SRTP_KEY_PARAMS_MAX is always enough). Returns 0, -EINVAL, -ENOBUFS. */
int rtp_srtp_key_format(enum rtp_srtp_suite suite, const uint8_t *key, size_t key_len,
			char *out, size_t cap);
/* Random master key||salt from getrandom(). Returns 0, -ENOBUFS, -EIO. */
int rtp_srtp_key_generate(enum rtp_srtp_suite suite, uint8_t *key, size_t cap,
			  size_t *ret_len);

#endif

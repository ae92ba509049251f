/* fsrtp.h: the bridge's fast path for outbound SRTP: AEAD_AES_128_GCM RTP.
 *
 * The fan-out protects every forwarded packet once per receiver; libsrtp
 * (built on NSS here) costs several microseconds per packet, mostly in
 * per-call overhead. This protects RTP (not RTCP: libsrtp keeps that) with
 * AES-128-GCM as RFC 7714 says, with OpenSSL's AES-NI/PCLMUL code, from the
 * SDES master key and salt (28 bytes): session key and salt from the
 * RFC 3711 key derivation (AES-CM PRF, kdr 0), IV = salt XOR (SSRC, ROC,
 * SEQ), the RTP header as associated data, a 16-byte tag. The rollover
 * counter follows the sequence numbers given (ROC 0 at the first packet,
 * +1 at each wrap; a packet older than the newest across a wrap gets the
 * previous ROC: retransmissions). One context per stream, one thread.
 */
#ifndef RAKWON_BRIDGE_FSRTP_H
#define RAKWON_BRIDGE_FSRTP_H

#include <stddef.h>
#include <stdint.h>

#define FSRTP_GCM_KEY_LEN 28        /* 16-byte master key + 12-byte salt */
#define FSRTP_GCM_TAG 16

struct fsrtp;

int fsrtp_new(struct fsrtp **ret, const uint8_t *master, size_t len);
struct fsrtp *fsrtp_free(struct fsrtp *f);
/* protects pkt[0..len) in place; cap must leave FSRTP_GCM_TAG bytes.
 * -EINVAL: not an RTP packet we can protect; -ENOBUFS: no room */
int fsrtp_protect(struct fsrtp *f, uint8_t *pkt, size_t len, size_t cap, size_t *ret_len);

#endif

/* test_bridge_fsrtp.c: the bridge's fast GCM SRTP (app/bridge/fsrtp.c, compiled in
 * here) against libsrtp (rtp_srtp) as the receiver: header forms, a sequence
 * wrap, a retransmission across the wrap, tampering. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../app/bridge/fsrtp.c"
#include "rtp/rtp.h"
#include "rtp/srtp.h"
#include "test.h"

static size_t make_pkt(uint8_t *b, uint16_t seq, unsigned cc, bool ext, size_t plen)
{
	size_t n = 12;

	b[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	b[1] = 96;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memset(b + 4, 0x11, 4);
	b[8] = 0xde; b[9] = 0xad; b[10] = 0xbe; b[11] = 0xef;
	for (unsigned i = 0; i < cc; i++, n += 4)
		memset(b + n, (int)i + 1, 4);
	if (ext) {
		b[n] = 0xbe; b[n + 1] = 0xde; b[n + 2] = 0; b[n + 3] = 2;
		memset(b + n + 4, 0x22, 8);
		n += 12;
	}
	for (size_t i = 0; i < plen; i++)
		b[n + i] = (uint8_t)(seq + i);
	return n + plen;
}

TEST(bridge_fsrtp_vs_libsrtp)
{
	uint8_t key[64], pkt[1600], ref[1600];
	size_t kl, n, m, got;
	struct fsrtp *f;
	struct rtp_srtp *rx;

	CHECK_OK(rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, key, sizeof(key), &kl));
	CHECK_EQ(kl, FSRTP_GCM_KEY_LEN);
	CHECK_OK(fsrtp_new(&f, key, kl));
	CHECK_OK(rtp_srtp_new(&rx, RTP_SRTP_AEAD_AES_128_GCM, RTP_SRTP_INBOUND, key, kl));
	/* 300 packets across the wrap, varied headers and sizes */
	for (unsigned i = 0; i < 300; i++) {
		uint16_t seq = (uint16_t)(65400 + i);

		n = make_pkt(pkt, seq, i % 3, i % 2, 1 + (i * 37) % 1200);
		memcpy(ref, pkt, n);
		CHECK_OK(fsrtp_protect(f, pkt, n, sizeof(pkt), &m));
		CHECK_EQ(m, n + 16);
		CHECK_MSG(rtp_srtp_unprotect(rx, pkt, m, &got) == 0, "packet %u (seq %u)", i, seq);
		CHECK_EQ(got, n);
		CHECK(!memcmp(pkt, ref, n));
	}
	/* a retransmission of a packet from before the wrap (never received) */
	n = make_pkt(pkt, 65530, 0, false, 100);
	CHECK_OK(fsrtp_protect(f, pkt, n, sizeof(pkt), &m));
	CHECK_EQ(rtp_srtp_unprotect(rx, pkt, m, &got), -EALREADY);   /* seen: replay */
	/* tampering is caught */
	n = make_pkt(pkt, 300, 0, false, 100);
	CHECK_OK(fsrtp_protect(f, pkt, n, sizeof(pkt), &m));
	pkt[20] ^= 1;
	CHECK(rtp_srtp_unprotect(rx, pkt, m, &got) < 0);
	/* bad input */
	CHECK_EQ(fsrtp_protect(f, pkt, 8, sizeof(pkt), &m), -EINVAL);
	n = make_pkt(pkt, 301, 0, false, 100);
	CHECK_EQ(fsrtp_protect(f, pkt, n, n + 8, &m), -ENOBUFS);
	pkt[0] = 0x9f;  /* 15 CSRCs and an extension past the end */
	CHECK_EQ(fsrtp_protect(f, pkt, 40, sizeof(pkt), &m), -EINVAL);
	CHECK_EQ(fsrtp_new(&f, key, 30), -EINVAL);
	fsrtp_free(f);
	rtp_srtp_free(rx);
}

TEST(bridge_fsrtp_retransmit_across_wrap)
{
	uint8_t key[64], pkt[1600];
	size_t kl, n, m, got;
	struct fsrtp *f;
	struct rtp_srtp *rx;

	CHECK_OK(rtp_srtp_key_generate(RTP_SRTP_AEAD_AES_128_GCM, key, sizeof(key), &kl));
	CHECK_OK(fsrtp_new(&f, key, kl));
	CHECK_OK(rtp_srtp_new(&rx, RTP_SRTP_AEAD_AES_128_GCM, RTP_SRTP_INBOUND, key, kl));
	for (unsigned i = 0; i < 20; i++) {
		uint16_t seq = (uint16_t)(65530 + i);

		if (seq == 65534)
			continue;       /* lost */
		n = make_pkt(pkt, seq, 0, false, 200);
		CHECK_OK(fsrtp_protect(f, pkt, n, sizeof(pkt), &m));
		CHECK_OK(rtp_srtp_unprotect(rx, pkt, m, &got));
	}
	/* NACKed: resent after the wrap, with the previous rollover counter */
	n = make_pkt(pkt, 65534, 0, false, 200);
	CHECK_OK(fsrtp_protect(f, pkt, n, sizeof(pkt), &m));
	CHECK_OK(rtp_srtp_unprotect(rx, pkt, m, &got));
	fsrtp_free(f);
	rtp_srtp_free(rx);
}

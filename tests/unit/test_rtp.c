/* test_rtp.c: RTP header decode/encode, RFC 8285 extensions, seq arithmetic, demux. */
#include <errno.h>
#include <string.h>

#include "rtp/rtp.h"
#include "test.h"

TEST(rtp_decode_basic)
{
	const uint8_t p[] = {
		0x80, 0xe0, 0x12, 0x34, 0x00, 0x01, 0x02, 0x03,
		0xde, 0xad, 0xbe, 0xef, 0xaa, 0xbb, 0xcc,
	};
	struct rtp_hdr h;

	CHECK_OK(rtp_hdr_decode(&h, p, sizeof(p)));
	CHECK(h.marker);
	CHECK_EQ(h.pt, 96);
	CHECK_EQ(h.seq, 0x1234);
	CHECK_EQ(h.ts, 0x00010203);
	CHECK_EQ(h.ssrc, 0xdeadbeef);
	CHECK_EQ(h.cc, 0);
	CHECK(!h.ext);
	CHECK(!h.padding);
	CHECK_EQ(h.hdr_len, 12);
	CHECK_EQ(h.payload_len, 3);
	CHECK_EQ(h.pad_len, 0);
}

TEST(rtp_decode_csrc_padding)
{
	uint8_t p[12 + 8 + 5 + 3] = {
		0xa2, 0x08, 0x00, 0x07, 0, 0, 0, 9, 0, 0, 0, 1,
		0, 0, 0, 0x11, 0, 0, 0, 0x22,
		1, 2, 3, 4, 5,
		0, 0, 3,
	};
	struct rtp_hdr h;

	CHECK_OK(rtp_hdr_decode(&h, p, sizeof(p)));
	CHECK(h.padding);
	CHECK(!h.marker);
	CHECK_EQ(h.pt, 8);
	CHECK_EQ(h.cc, 2);
	CHECK_EQ(h.csrc[0], 0x11);
	CHECK_EQ(h.csrc[1], 0x22);
	CHECK_EQ(h.hdr_len, 20);
	CHECK_EQ(h.pad_len, 3);
	CHECK_EQ(h.payload_len, 5);

	/* the whole payload is padding */
	p[sizeof(p) - 1] = 8;
	CHECK_OK(rtp_hdr_decode(&h, p, sizeof(p)));
	CHECK_EQ(h.payload_len, 0);
	/* padding longer than what follows the header */
	p[sizeof(p) - 1] = 9;
	CHECK_EQ(rtp_hdr_decode(&h, p, sizeof(p)), -EBADMSG);
	/* padding count 0 */
	p[sizeof(p) - 1] = 0;
	CHECK_EQ(rtp_hdr_decode(&h, p, sizeof(p)), -EBADMSG);
	/* padding bit with no byte after the header */
	CHECK_EQ(rtp_hdr_decode(&h, p, 20), -EBADMSG);
}

TEST(rtp_decode_malformed)
{
	uint8_t p[32] = { 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct rtp_hdr h;

	for (size_t n = 0; n < 12; n++)
		CHECK_EQ(rtp_hdr_decode(&h, p, n), -EBADMSG);
	CHECK_OK(rtp_hdr_decode(&h, p, 12));
	p[0] = 0x40;    /* version 1 */
	CHECK_EQ(rtp_hdr_decode(&h, p, sizeof(p)), -EBADMSG);
	p[0] = 0x85;    /* 5 CSRCs = 20 bytes: 32 is enough, 31 not */
	CHECK_OK(rtp_hdr_decode(&h, p, 32));
	CHECK_EQ(rtp_hdr_decode(&h, p, 31), -EBADMSG);
	p[0] = 0x90;    /* extension: header word needs 4 bytes */
	CHECK_EQ(rtp_hdr_decode(&h, p, 15), -EBADMSG);
	p[12] = 0xbe;
	p[13] = 0xde;
	p[14] = 0;
	p[15] = 5;      /* 20 bytes of extension: needs 36 */
	CHECK_EQ(rtp_hdr_decode(&h, p, 32), -EBADMSG);
	p[15] = 4;
	CHECK_OK(rtp_hdr_decode(&h, p, 32));
	CHECK_EQ(h.ext_len, 16);
	CHECK_EQ(h.payload_len, 0);
}

TEST(rtp_ext_one_byte)
{
	/* ids 1 (len 1), pad byte, 3 (len 4), 14 (len 2), pad */
	uint8_t p[] = {
		0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		0xbe, 0xde, 0, 3,
		0x10, 0xaa, 0x00, 0x33,
		1, 2, 3, 4,
		0xe1, 7, 8, 0,
		0x55,
	};
	const uint8_t *d;
	struct rtp_hdr h;
	size_t n;

	CHECK_OK(rtp_hdr_decode(&h, p, sizeof(p)));
	CHECK(h.ext);
	CHECK_EQ(h.ext_profile, RTP_EXT_ONE_BYTE);
	CHECK_EQ(h.ext_len, 12);
	CHECK_EQ(h.hdr_len, 28);
	CHECK_EQ(h.payload_len, 1);
	CHECK_OK(rtp_hdr_ext_find(&h, 1, &d, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(d[0], 0xaa);
	CHECK_OK(rtp_hdr_ext_find(&h, 3, &d, &n));
	CHECK_EQ(n, 4);
	CHECK(memcmp(d, "\1\2\3\4", 4) == 0);
	CHECK_OK(rtp_hdr_ext_find(&h, 14, &d, &n));
	CHECK_EQ(n, 2);
	CHECK_EQ(d[1], 8);
	CHECK_EQ(rtp_hdr_ext_find(&h, 2, &d, &n), -ENOENT);
	CHECK_EQ(rtp_hdr_ext_find(&h, 15, &d, &n), -ENOENT);
	CHECK_EQ(rtp_hdr_ext_find(&h, 0, &d, &n), -ENOENT);

	/* element 3 claims 16 bytes: runs past the block */
	p[19] = 0x3f;
	CHECK_OK(rtp_hdr_decode(&h, p, sizeof(p)));
	CHECK_EQ(rtp_hdr_ext_find(&h, 3, &d, &n), -EBADMSG);
	CHECK_OK(rtp_hdr_ext_find(&h, 1, &d, &n));   /* before the bad one */
	/* id 15 stops processing */
	p[19] = 0xf0;
	CHECK_OK(rtp_hdr_decode(&h, p, sizeof(p)));
	CHECK_EQ(rtp_hdr_ext_find(&h, 14, &d, &n), -ENOENT);
}

TEST(rtp_ext_two_byte_and_build)
{
	const uint8_t big[20] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 7 };
	const uint8_t small[2] = { 0x12, 0x34 };
	struct rtp_ext_elem el[2] = {
		{ .id = 5, .len = 2, .data = small },
		{ .id = 200, .len = 20, .data = big },
	};
	uint8_t ext[64], pkt[128];
	struct rtp_hdr h = { 0 }, d;
	const uint8_t *v;
	uint16_t prof;
	size_t n, hl;

	/* one element fits the one-byte form */
	CHECK_OK(rtp_ext_build(el, 1, ext, sizeof(ext), &prof, &n));
	CHECK_EQ(prof, RTP_EXT_ONE_BYTE);
	CHECK_EQ(n, 4);
	CHECK_EQ(ext[0], 0x51);
	CHECK_EQ(ext[3], 0);
	/* id 200 forces the two-byte form */
	CHECK_OK(rtp_ext_build(el, 2, ext, sizeof(ext), &prof, &n));
	CHECK_EQ(prof, RTP_EXT_TWO_BYTE);
	CHECK_EQ(n, 28);        /* 2+2 + 2+20 = 26, padded */
	CHECK_EQ(rtp_ext_build(el, 2, ext, 27, &prof, &n), -ENOBUFS);

	h.ext = true;
	h.ext_profile = prof;
	h.ext_data = ext;
	h.ext_len = n;
	h.pt = 100;
	h.seq = 65535;
	h.ts = 0xfffffff0;
	h.ssrc = 42;
	h.cc = 1;
	h.csrc[0] = 7;
	h.marker = true;
	CHECK_OK(rtp_hdr_encode(&h, pkt, sizeof(pkt), &hl));
	CHECK_EQ(hl, 12 + 4 + 4 + 28);
	CHECK_EQ(rtp_hdr_encode(&h, pkt, hl - 1, &n), -ENOBUFS);
	memcpy(pkt + hl, "xy", 2);
	CHECK_OK(rtp_hdr_decode(&d, pkt, hl + 2));
	CHECK_EQ(d.seq, 65535);
	CHECK_EQ(d.ts, 0xfffffff0);
	CHECK_EQ(d.ssrc, 42);
	CHECK_EQ(d.csrc[0], 7);
	CHECK(d.marker);
	CHECK_EQ(d.pt, 100);
	CHECK_EQ(d.payload_len, 2);
	CHECK_OK(rtp_hdr_ext_find(&d, 200, &v, &n));
	CHECK_EQ(n, 20);
	CHECK_EQ(v[19], 7);
	CHECK_OK(rtp_hdr_ext_find(&d, 5, &v, &n));
	CHECK_EQ(n, 2);
	CHECK_EQ(v[1], 0x34);
	/* invalid encodes */
	h.ext_len = 6;
	CHECK_EQ(rtp_hdr_encode(&h, pkt, sizeof(pkt), &n), -EINVAL);
	h.ext = false;
	h.cc = 16;
	CHECK_EQ(rtp_hdr_encode(&h, pkt, sizeof(pkt), &n), -EINVAL);
	el[0].id = 0;
	CHECK_EQ(rtp_ext_build(el, 1, ext, sizeof(ext), &prof, &n), -EINVAL);
}

TEST(rtp_seq_arith)
{
	struct rtp_seq_ext e = { 0 };

	CHECK_EQ(rtp_seq_diff(1, 65535), 2);
	CHECK_EQ(rtp_seq_diff(65535, 1), -2);
	CHECK(rtp_seq_lt(65530, 3));
	CHECK(!rtp_seq_lt(3, 65530));
	CHECK(!rtp_seq_lt(7, 7));
	CHECK_EQ(rtp_ts_diff(5, 0xfffffffb), 10);

	CHECK_EQ(rtp_seq_extend(&e, 65534), 65534 + 65536);
	CHECK_EQ(rtp_seq_extend(&e, 65535), 65535 + 65536);
	CHECK_EQ(rtp_seq_extend(&e, 0), 2 * 65536);
	CHECK_EQ(rtp_seq_extend(&e, 65533), 65533 + 65536);    /* reordered */
	CHECK_EQ(e.highest, 2 * 65536);
	CHECK_EQ(rtp_seq_extend(&e, 2), 2 * 65536 + 2);
	/* a long run across several wraps */
	for (uint32_t i = 3; i < 3 * 65536; i += 1000)
		rtp_seq_extend(&e, (uint16_t)i);
	CHECK_EQ(e.highest, 2 * 65536 + 196000 + 3);
}

TEST(rtp_rtcp_demux)
{
	uint8_t p[8] = { 0x80, 0, 0, 1 };

	for (int b = 0; b < 256; b++) {
		p[1] = (uint8_t)b;
		CHECK_EQ(rtp_is_rtcp(p, sizeof(p)), b >= 192 && b <= 223);
	}
	p[1] = 200;
	CHECK(!rtp_is_rtcp(p, 1));
	p[0] = 0x00;    /* not version 2: neither */
	CHECK(!rtp_is_rtcp(p, sizeof(p)));
	/* RTP with marker and PT 72..95 would collide: RFC 5761 forbids those */
	p[0] = 0x80;
	p[1] = 0x80 | 96;
	CHECK(!rtp_is_rtcp(p, sizeof(p)));
}

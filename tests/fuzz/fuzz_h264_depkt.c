/* fuzz_h264_depkt.c: H.264 frame assembler fed pseudo-RTP packets; packetizer round trip.
 *
 * Input: byte 0 selects the mode and the assembler's configuration.
 *   mode 0 (bit 7 clear): the rest is a sequence of records
 *     [flags][len][len bytes of payload]
 *     flags bit 7: marker, bit 6: timestamp advances by 3000,
 *     bits 0-4: sequence delta - 8 (so -8..+23: reorder, dups, gaps);
 *     delta 23 means "flush" instead of a packet.
 *   mode 1 (bit 7 set): the rest is an Annex B access unit, packetized with
 *     a payload size from byte 0 and reassembled in order: the output must
 *     equal the input's NAL units (when they are all valid and in bounds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/h264_rtp.h"

struct ctx {
	uint64_t bytes;
	const uint8_t *want;
	size_t want_len;
	int got;
	int bad;
};

static void on_au(const struct h264_au *au, void *arg)
{
	struct ctx *c = arg;

	if (au->flags & H264_AU_DROPPED) {
		if (au->data || au->len)
			abort();
		return;
	}
	/* touch every byte so ASan sees any overread */
	for (size_t i = 0; i < au->len; i++)
		c->bytes += au->data[i];
	if (au->len < 5 || memcmp(au->data, "\0\0\0\1", 4) != 0)
		abort();
	if (c->want) {
		c->got++;
		if (au->len != c->want_len || memcmp(au->data, c->want, au->len) != 0)
			c->bad++;
	}
}

struct pk {
	struct h264_depkt *d;
	uint16_t seq;
};

static int feed(const uint8_t *p, size_t len, bool marker, void *arg)
{
	struct pk *k = arg;
	struct h264_rtp_pkt pkt = {
		.seq = k->seq++, .ts = 1234, .marker = marker, .payload = p, .len = len,
	};

	return h264_depkt_put(k->d, &pkt);
}

static void roundtrip(const uint8_t *data, size_t size, size_t mtu)
{
	struct h264_depkt *d;
	struct ctx c = { 0 };
	struct pk k = { .seq = 65530 };
	uint8_t *want = malloc(size * 2 + 16);
	const uint8_t *nal;
	size_t pos = 0, n, wl = 0;
	unsigned count = 0;
	bool valid = true;

	if (!want)
		return;
	while (h264_annexb_next(data, size, &pos, &nal, &n)) {
		uint8_t t = nal[0] & 0x1f;

		if ((nal[0] & 0x80) || t == 0 || t >= 24)
			valid = false;
		memcpy(want + wl, "\0\0\0\1", 4);
		memcpy(want + wl + 4, nal, n);
		wl += 4 + n;
		count++;
	}
	if (count == 0 || count > 1024)
		valid = false;
	c.want = valid ? want : NULL;
	c.want_len = wl;
	if (h264_depkt_new(&d, NULL, on_au, &c) < 0) {
		free(want);
		return;
	}
	k.d = d;
	if (h264_packetize(data, size, mtu, feed, &k) >= 0 && valid) {
		if (c.got != 1 || c.bad)
			abort();
	}
	h264_depkt_free(d);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h264_depkt_conf conf = { 0 };
	struct h264_depkt_stats st;
	struct h264_depkt *d;
	struct ctx c = { 0 };
	uint16_t seq = 65500;
	uint32_t ts = 0;
	uint64_t now = 1;
	size_t i = 1;

	if (size < 1)
		return 0;
	if (data[0] & 0x80) {
		roundtrip(data + 1, size - 1,
			  H264_RTP_PAYLOAD_MIN + (size_t)(data[0] & 0x7f) * 16);
		return 0;
	}
	conf.reorder_pkts = 1u << (data[0] & 7);
	conf.reorder_frames = (data[0] >> 3) & 3;
	conf.drop_after_loss = data[0] & 0x20;
	conf.max_wait_us = (data[0] & 0x40) ? 30000 : 0;
	conf.max_au_size = 1 << 16;
	conf.max_nals = 64;
	if (h264_depkt_new(&d, &conf, on_au, &c) < 0)
		return 0;
	while (i + 2 <= size) {
		uint8_t f = data[i], len = data[i + 1];
		int delta = (f & 0x1f) - 8;
		struct h264_rtp_pkt pkt;

		i += 2;
		if (len > size - i)
			len = (uint8_t)(size - i);
		now += 7000;
		if (delta == 23 - 8) {
			h264_depkt_flush(d);
			h264_depkt_poll(d, now);
			continue;
		}
		seq = (uint16_t)(seq + delta);
		if (f & 0x40)
			ts += 3000;
		pkt = (struct h264_rtp_pkt){
			.seq = seq, .ts = ts, .marker = f & 0x80,
			.payload = data + i, .len = len, .arrival_us = now,
		};
		if (h264_depkt_put(d, &pkt) < 0)
			abort();
		i += len;
		if (f == 0x1f && len == 0)
			h264_depkt_decoded_ok(d);
	}
	h264_depkt_flush(d);
	h264_depkt_stats(d, &st);
	if (st.frames_complete < st.frames_after_loss)
		abort();
	(void)h264_depkt_keyframe_needed(d);
	h264_depkt_reset(d);
	h264_depkt_free(d);
	return 0;
}

/* fuzz_jbuf.c: Opus jitter buffer fed arbitrary packet sequences and playout calls.
 *
 * Input: byte 0 configures (frame 10/20 ms, slots, low delay); then records
 * [op][seq delta][ts delta code][arrival delta][len][payload]:
 *   op bit 7: call get() (op & 3) + 1 times before the packet,
 *   op bit 6: SSRC 2 instead of 1, op bit 5: reset first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/jbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jbuf_conf conf = { 0 };
	struct jbuf *jb;
	struct jbuf_stats st;
	uint16_t seq = 65000;
	uint32_t ts = 4294960000u;
	uint64_t now = 1000000;
	size_t i = 1;
	uint64_t sum = 0;

	if (size < 1)
		return 0;
	conf.frame_ms = data[0] & 1 ? 10 : 20;
	conf.slots = 4u << ((data[0] >> 1) & 3);
	conf.low_delay = data[0] & 8;
	conf.max_payload = 200;
	if (jbuf_new(&jb, &conf) < 0)
		return 0;
	while (i + 5 <= size) {
		uint8_t op = data[i], sd = data[i + 1], tc = data[i + 2];
		uint8_t ad = data[i + 3], len = data[i + 4];

		i += 5;
		if (len > size - i)
			len = (uint8_t)(size - i);
		if (op & 0x20)
			jbuf_reset(jb);
		if (op & 0x80) {
			for (int k = 0; k <= (op & 3); k++) {
				struct jbuf_frame f;
				enum jbuf_kind kind = jbuf_get(jb, &f);

				if (kind != f.kind || kind >= JBUF_KIND_MAX)
					abort();
				if ((kind == JBUF_PACKET || kind == JBUF_FEC) &&
				    (!f.data || f.len == 0 || f.len > 200))
					abort();
				for (size_t b = 0; f.data && b < f.len; b++)
					sum += f.data[b];
			}
		}
		seq = (uint16_t)(seq + (int8_t)sd);
		ts += (uint32_t)(int8_t)tc * 480u;
		now += (uint64_t)ad * 1000;
		(void)jbuf_put(jb, op & 0x40 ? 2 : 1, seq, ts, data + i, len, now);
		(void)jbuf_opus_samples(data + i, len);
		i += len;
	}
	jbuf_stats(jb, &st);
	if (st.target_ms > 200)
		abort();
	jbuf_free(jb);
	return (int)(sum & 0);
}

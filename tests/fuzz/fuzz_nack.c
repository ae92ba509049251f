/* fuzz_nack.c: fuzz target driving the NACK generator and sender history with arbitrary sequences. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/nack.h"
#include "rtp/rtp.h"
#include "rtp/rtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: 4-byte records [op, seq hi, seq lo, dt ms].
 * op & 3: 0 packet, 1 RTX packet, 2 poll, 3 history put + resend. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nack_conf c = { .max_tracked = 64, .max_tries = 4, .rtt_us = 20000 };
	struct rtx_sender rs = { .ssrc = 9, .pt = 97 };
	struct rtp_history_conf hc = { .capacity = 64, .max_pkt_len = 64 };
	struct rtp_history *h = NULL;
	struct nack_gen *n = NULL;
	struct nack_stats st;
	uint64_t now = 1;
	uint16_t seqs[32];

	if (nack_gen_new(&n, &c) < 0 || rtp_history_new(&h, &hc) < 0)
		abort();
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint16_t seq = (uint16_t)(data[i + 1] << 8 | data[i + 2]);
		uint8_t pkt[64] = { 0x80, 96 }, out[80];
		size_t len;
		unsigned k;

		now += (uint64_t)data[i + 3] * 1000;
		switch (data[i] & 3) {
		case 0:
		case 1:
			(void)nack_gen_packet(n, seq, data[i] & 1, now);
			break;
		case 2:
			(void)nack_gen_poll(n, now, seqs, (data[i] >> 2) % 33, &k);
			if (k > (data[i] >> 2) % 33)
				abort();
			for (unsigned j = 1; j < k; j++)
				if (rtp_seq_diff(seqs[j], seqs[j - 1]) <= 0)
					abort();
			if (nack_gen_next_us(n) == UINT64_MAX && nack_gen_pending(n))
				abort();
			break;
		case 3:
			pkt[2] = (uint8_t)(seq >> 8);
			pkt[3] = (uint8_t)seq;
			len = 12 + (size_t)(data[i] >> 2) % 53;
			if (rtp_history_put(h, pkt, len, now) < 0)
				abort();
			if (rtp_history_resend(h, (uint16_t)(seq - (data[i + 3] & 7)), now,
					       (data[i] & 4) ? &rs : NULL, out, sizeof(out), &len) == 0 &&
			    len > sizeof(out))
				abort();
			break;
		}
		if (nack_gen_pending(n) > c.max_tracked)
			abort();
	}
	nack_gen_get_stats(n, &st);
	if (st.recovered + st.unrecoverable + nack_gen_pending(n) > st.lost)
		abort();
	nack_gen_free(n);
	rtp_history_free(h);
	return 0;
}

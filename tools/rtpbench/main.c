/* main.c: rakwon-rtpbench, cost per packet of the RTP transport library (prints figures only). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base/buf.h"
#include "rtp/nack.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/rtx.h"
#include "rtp/srtp.h"

/* thread CPU time: the figures stay meaningful on a loaded machine */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t make_rtp(uint8_t *buf, uint16_t seq, size_t payload)
{
	struct rtp_hdr h = { .pt = 96, .seq = seq, .ts = seq * 3000u, .ssrc = 0x1234 };
	size_t n = 0;

	rtp_hdr_encode(&h, buf, 12, &n);
	memset(buf + n, 0x5a, payload);
	return n + payload;
}

static void report(const char *what, unsigned n, double secs, size_t bytes)
{
	printf("  %-40s %8.0f ns/pkt  %8.2f Mpkt/s", what, secs * 1e9 / n, n / secs / 1e6);
	if (bytes)
		printf("  %7.0f Mbit/s", (double)bytes * 8 / secs / 1e6);
	printf("\n");
}

static int bench_srtp(enum rtp_srtp_suite su, unsigned n, size_t payload)
{
	struct rtp_srtp *tx = NULL, *rx = NULL;
	uint8_t key[RTP_SRTP_MAX_KEY_LEN], pkt[1600];
	size_t klen, len, out;
	char name[96];
	double t0, t_prot = 0, t_unprot = 0;
	int r;

	r = rtp_srtp_key_generate(su, key, sizeof(key), &klen);
	if (r < 0 || (r = rtp_srtp_new(&tx, su, RTP_SRTP_OUTBOUND, key, klen)) < 0 ||
	    (r = rtp_srtp_new(&rx, su, RTP_SRTP_INBOUND, key, klen)) < 0)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		len = make_rtp(pkt, (uint16_t)i, payload);
		t0 = now_s();
		r = rtp_srtp_protect(tx, pkt, len, sizeof(pkt), &out);
		t_prot += now_s() - t0;
		if (r < 0)
			goto out;
		t0 = now_s();
		r = rtp_srtp_unprotect(rx, pkt, out, &len);
		t_unprot += now_s() - t0;
		if (r < 0)
			goto out;
	}
	snprintf(name, sizeof(name), "srtp protect %s %zuB", rtp_srtp_suite_name(su), payload);
	report(name, n, t_prot, n * (payload + 12));
	snprintf(name, sizeof(name), "srtp unprotect %s %zuB", rtp_srtp_suite_name(su), payload);
	report(name, n, t_unprot, n * (payload + 12));
out:
	rtp_srtp_free(tx);
	rtp_srtp_free(rx);
	return r;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 200000;
	struct rtp_history *h = NULL;
	struct nack_gen *ng = NULL;
	uint8_t pkt[1600], out[1600], rtcp[512];
	struct rtcp_report rep = { .ssrc = 1, .has_sender_info = true, .rb_count = 1 };
	volatile unsigned sink = 0;
	struct rtp_hdr hd;
	double t0;
	size_t len, rlen;
	int r;

	if (n == 0)
		n = 200000;
	printf("rakwon-rtpbench: %u packets per figure, thread CPU time\n", n);
	len = make_rtp(pkt, 1, 1200);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++)
		sink += rtp_hdr_decode(&hd, pkt, len) == 0 ? hd.seq : 0;
	report("rtp_hdr_decode", n, now_s() - t0, 0);

	if (rtcp_build_compound(rtcp, sizeof(rtcp), &rep, "bench@rakwon", &rlen) < 0)
		return 1;
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		struct rtcp_iter it;
		struct rtcp_item item;

		rtcp_iter_init(&it, rtcp, rlen);
		while (rtcp_iter_next(&it, &item) > 0)
			sink += item.type;
	}
	report("rtcp parse SR(1 block)+SDES", n, now_s() - t0, 0);

	for (int su = 0; su < RTP_SRTP_SUITE_MAX; su++) {
		r = bench_srtp((enum rtp_srtp_suite)su, n, 1200);
		if (r < 0) {
			fprintf(stderr, "srtp: %s\n", strerror(-r));
			return 1;
		}
	}
	r = bench_srtp(RTP_SRTP_AES_CM_128_HMAC_SHA1_80, n, 160);
	if (r < 0)
		return 1;

	{
		/* resend throttle at 1 us so that every resend below does work */
		struct rtp_history_conf hc = { .min_resend_us = 1 };

		if (rtp_history_new(&h, &hc) < 0 || nack_gen_new(&ng, NULL) < 0)
			return 1;
	}
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		len = make_rtp(pkt, (uint16_t)i, 1200);
		rtp_history_put(h, pkt, len, i * 1000ULL);
	}
	report("rtp_history_put 1200B", n, now_s() - t0, 0);
	{
		struct rtx_sender rs = { .ssrc = 2, .pt = 97 };
		unsigned cnt = 0;

		t0 = now_s();
		for (unsigned i = 0; i < n; i++) {
			/* the last 512 packets in turn */
			if (rtp_history_resend(h, (uint16_t)(n - 1 - i % 512),
					       (n - 1) * 1000ULL + i, &rs, out,
					       sizeof(out), &rlen) == 0)
				cnt++;
		}
		report("rtp_history_resend (rtx) 1200B", n, now_s() - t0, 0);
		if (cnt != n)
			printf("  (only %u of %u resends done)\n", cnt, n);
		sink += cnt;
	}
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		uint16_t seqs[64];
		unsigned k;

		if (i % 50 != 7)        /* 2% loss, polled every packet */
			nack_gen_packet(ng, (uint16_t)i, false, i * 1000ULL);
		nack_gen_poll(ng, i * 1000ULL, seqs, 64, &k);
	}
	report("nack_gen packet+poll (2% loss)", n, now_s() - t0, 0);
	rtp_history_free(h);
	nack_gen_free(ng);
	return sink == 0xffffffff;
}

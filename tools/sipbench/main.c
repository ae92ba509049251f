/* main.c: rakwon-sipbench, call setup figures of the SIP stack: two UAs on
 * one loop over loopback (UDP or TCP); the caller opens N concurrent calls to
 * the callee (a bridge-like UAS), each call does one re-INVITE, then all end
 * with BYE. Prints calls per second for setup, re-INVITE and teardown.
 *
 *   rakwon-sipbench [-n CALLS] [-t udp|tcp]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/clock.h"
#include "lib/loop/loop.h"
#include "sip/sip_ua.h"

static const char SDP[] = "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

struct bench {
	struct loop *l;
	struct sip_call **calls;
	unsigned n, up, reinv, ended, failed;
};

static void on_est(struct sip_call *c, const char *sdp, void *arg)
{
	struct bench *b = arg;

	b->up++;
}

static char *on_offer(struct sip_call *c, const char *sdp, void *arg)
{
	return strdup(SDP);
}

static void on_reinv(struct sip_call *c, uint16_t code, const char *sdp, void *arg)
{
	struct bench *b = arg;

	b->reinv++;
	if (code != 200)
		b->failed++;
}

static void on_ended(struct sip_call *c, uint16_t code, const char *r, void *arg)
{
	struct bench *b = arg;

	b->ended++;
	if (code != 0 && code != 200)
		b->failed++;
	for (unsigned i = 0; b->calls && i < b->n; i++)
		if (b->calls[i] == c)
			b->calls[i] = NULL;
}

static const struct sip_call_handlers H = {
	.established = on_est,
	.offer = on_offer,
	.reinvite_done = on_reinv,
	.ended = on_ended,
};

static struct bench callee_b;

static void on_incoming(struct sip_ua *ua, struct sip_call *c, const char *sdp, void *arg)
{
	sip_call_set_handlers(c, &H, &callee_b);
	(void)sip_call_answer(c, 200, SDP);
}

static double run_until(struct bench *b, unsigned *ctr, unsigned target)
{
	uint64_t t0 = clock_now_us();

	for (int i = 0; i < 6000 && *ctr < target; i++)
		(void)loop_run_for(b->l, 10000);
	return (double)(clock_now_us() - t0) / 1e6;
}

int main(int argc, char **argv)
{
	struct sip_ua_conf ca = { 0 }, cb = { 0 };
	struct sip_ua *a = NULL, *ub = NULL;
	struct bench b = { 0 };
	const char *tp = "udp";
	struct net_addr la;
	char uri[128];
	double t;
	int ch;

	b.n = 200;
	while ((ch = getopt(argc, argv, "n:t:")) != -1) {
		if (ch == 'n')
			b.n = (unsigned)atoi(optarg);
		else if (ch == 't')
			tp = optarg;
		else
			return 2;
	}
	b.calls = calloc(b.n, sizeof(*b.calls));
	if (!b.calls || loop_new(&b.l) < 0)
		return 1;
	ca.aor = "sip:caller@127.0.0.1";
	cb.aor = "sip:bridge@127.0.0.1";
	ca.listen_udp = cb.listen_udp = "127.0.0.1:0";
	ca.listen_tcp = cb.listen_tcp = "127.0.0.1:0";
	ca.max_calls = cb.max_calls = b.n + 1;
	/* one source address: lift the INVITE rate limit for the benchmark */
	cb.transp.invite_rate = 100000;
	cb.transp.invite_burst = 100000;
	cb.incoming = on_incoming;
	callee_b.l = b.l;
	if (sip_ua_new(&a, b.l, &ca) < 0 || sip_ua_new(&ub, b.l, &cb) < 0) {
		fprintf(stderr, "sipbench: cannot start the UAs\n");
		return 1;
	}
	(void)sip_ua_laddr(ub, strcmp(tp, "tcp") ? SIP_TP_UDP : SIP_TP_TCP, &la);
	snprintf(uri, sizeof(uri), "sip:bridge@127.0.0.1:%u;transport=%s", net_addr_port(&la), tp);

	for (unsigned i = 0; i < b.n; i++)
		if (sip_call_invite(a, uri, SDP, &H, &b, &b.calls[i]) < 0)
			b.failed++;
	t = run_until(&b, &b.up, b.n);
	printf("sip %s: %u calls up in %.3f s (%.0f calls/s), %u concurrent\n", tp, b.up, t,
	       b.up / t, sip_ua_ncalls(ub));
	for (unsigned i = 0; i < b.n; i++)
		if (b.calls[i])
			(void)sip_call_reinvite(b.calls[i], SDP);
	t = run_until(&b, &b.reinv, b.up);
	printf("sip %s: %u re-INVITEs in %.3f s (%.0f/s)\n", tp, b.reinv, t, b.reinv / t);
	for (unsigned i = 0; i < b.n; i++)
		if (b.calls[i])
			(void)sip_call_hangup(b.calls[i]);
	t = run_until(&b, &callee_b.ended, b.up);
	printf("sip %s: %u calls ended by BYE in %.3f s (%.0f/s); failures %u\n", tp,
	       callee_b.ended, t, callee_b.ended / t, b.failed + callee_b.failed);
	a = sip_ua_free(a);
	ub = sip_ua_free(ub);
	b.l = loop_free(b.l);
	free(b.calls);
	return 0;
}

/* main.c: rakwon-sipua, a scriptable SIP test UA on the sip_ua API (tests and
 * interop; not the terminal). Prints one line per event on stdout:
 *   READY udp=PORT tcp=PORT tls=PORT | REGISTERED code expires | INCOMING uri "display"
 *   PROGRESS code | ESTABLISHED tp secure | OFFER n | REINVITE code | INFO ctype body
 *   ENDED code reason | UNREGISTERED | EXIT
 *
 *   rakwon-sipua --aor URI [--display D] [--password P] [--registrar URI]
 *     [--proxy URI] [--udp A] [--tcp A] [--tls A] [--ca F] [--cert F] [--key F]
 *     [--call URI] [--answer | --ring | --reject CODE] [--info DIGITS] [--hold]
 *     [--hangup-after MS] [--cancel-after MS] [--se S] [--min-se S]
 *     [--calls N] [--time-limit S] [--log SPEC]
 * With --calls N it exits after N calls ended (default 1 when calling).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "sip/sip_ua.h"

struct app {
	struct loop *l;
	struct sip_ua *ua;
	struct sip_call *call;
	const char *call_uri, *info;
	enum { ANSWER, RING, REJECT } mode;
	int reject_code, hangup_ms, cancel_ms, calls_left, offers;
	bool hold, held;
	struct loop_timer t, limit, start;
};

static char sdp[512];

static void make_sdp(const char *dir)
{
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=rakwon 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n", dir);
}

static void quit_done(struct sip_ua *ua, void *arg)
{
	struct app *a = arg;

	loop_quit(a->l, 0);
}

static void finish(struct app *a)
{
	(void)sip_ua_shutdown(a->ua, quit_done, a);
}

static void hangup_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct app *a = arg;

	if (a->call)
		(void)sip_call_hangup(a->call);
}

static void on_progress(struct sip_call *c, uint16_t code, const char *s, void *arg)
{
	struct app *a = arg;

	printf("PROGRESS %u\n", code);
	fflush(stdout);
	if (a->cancel_ms && !loop_timer_active(&a->t))
		(void)loop_timer_start(a->l, &a->t, (uint64_t)a->cancel_ms * 1000, 0, hangup_timer,
				       a);
}

static void after_steps(struct app *a)
{
	if (a->hangup_ms)
		(void)loop_timer_start(a->l, &a->t, (uint64_t)a->hangup_ms * 1000, 0, hangup_timer,
				       a);
}

static void on_established(struct sip_call *c, const char *s, void *arg)
{
	struct app *a = arg;

	printf("ESTABLISHED %s %d\n", sip_tp_name(sip_call_transport(c)), sip_call_secure(c));
	fflush(stdout);
	if (a->info) {
		for (const char *d = a->info; *d; d++) {
			char body[64];

			snprintf(body, sizeof(body), "Signal=%c\r\nDuration=160\r\n", *d);
			(void)sip_call_info(c, "application/dtmf-relay", body);
		}
	}
	if (a->hold) {
		make_sdp("sendonly");
		(void)sip_call_reinvite(c, sdp);
		return;
	}
	after_steps(a);
}

static char *on_offer(struct sip_call *c, const char *s, void *arg)
{
	struct app *a = arg;

	printf("OFFER %d %s\n", ++a->offers,
	       s && strstr(s, "a=sendonly") ? "sendonly" : s ? "sendrecv" : "none");
	fflush(stdout);
	make_sdp(s && strstr(s, "a=sendonly") ? "recvonly" : "sendrecv");
	return strdup(sdp);
}

static void on_reinvite_done(struct sip_call *c, uint16_t code, const char *s, void *arg)
{
	struct app *a = arg;

	printf("REINVITE %u\n", code);
	fflush(stdout);
	if (a->hold && !a->held && code == 200) {
		a->held = true;
		make_sdp("sendrecv"); /* resume */
		(void)sip_call_reinvite(c, sdp);
		return;
	}
	after_steps(a);
}

static void on_info(struct sip_call *c, const char *ctype, const char *body, size_t len,
		    void *arg)
{
	char b[128];
	size_t j = 0;

	for (size_t i = 0; i < len && j < sizeof(b) - 3; i++) {
		if (body[i] == '\r' || body[i] == '\n') {
			if (body[i] == '\n')
				b[j++] = '|';
		} else {
			b[j++] = body[i];
		}
	}
	b[j] = 0;
	printf("INFO %s %s\n", ctype, b);
	fflush(stdout);
}

static void on_ended(struct sip_call *c, uint16_t code, const char *reason, void *arg)
{
	struct app *a = arg;

	printf("ENDED %u %s\n", code, reason);
	fflush(stdout);
	if (a->call == c)
		a->call = NULL;
	loop_timer_stop(a->l, &a->t);
	if (a->calls_left > 0 && --a->calls_left == 0)
		finish(a);
}

static const struct sip_call_handlers H = {
	.progress = on_progress,
	.established = on_established,
	.offer = on_offer,
	.reinvite_done = on_reinvite_done,
	.info = on_info,
	.ended = on_ended,
};

static void on_incoming(struct sip_ua *ua, struct sip_call *c, const char *s, void *arg)
{
	struct app *a = arg;

	printf("INCOMING %s \"%s\"\n", sip_call_remote_uri(c), sip_call_remote_display(c));
	fflush(stdout);
	if (a->call) {
		(void)sip_call_reject(c, 486, NULL);
		return;
	}
	sip_call_set_handlers(c, &H, a);
	a->call = c;
	if (a->mode == REJECT) {
		(void)sip_call_reject(c, (uint16_t)a->reject_code, NULL);
		return;
	}
	(void)sip_call_answer(c, 180, NULL);
	if (a->mode == ANSWER) {
		make_sdp("sendrecv");
		(void)sip_call_answer(c, 200, sdp);
	}
}

static void on_reg(struct sip_ua *ua, uint16_t code, uint32_t expires, void *arg)
{
	if (code)
		printf("REGISTERED %u %u\n", code, expires);
	else
		printf("UNREGISTERED\n");
	fflush(stdout);
}

static void start_call(struct loop *l, struct loop_timer *t, void *arg)
{
	struct app *a = arg;
	int r;

	make_sdp("sendrecv");
	r = sip_call_invite(a->ua, a->call_uri, sdp, &H, a, &a->call);
	if (r < 0) {
		printf("ENDED 0 invite failed: %s\n", strerror(-r));
		finish(a);
	}
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	finish(arg);
}

static void on_limit(struct loop *l, struct loop_timer *t, void *arg)
{
	loop_quit(l, 3);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "aor", 1, NULL, 'A' },       { "display", 1, NULL, 'D' },
		{ "password", 1, NULL, 'P' },  { "registrar", 1, NULL, 'R' },
		{ "proxy", 1, NULL, 'X' },     { "udp", 1, NULL, 'u' },
		{ "tcp", 1, NULL, 't' },       { "tls", 1, NULL, 's' },
		{ "ca", 1, NULL, 'a' },        { "cert", 1, NULL, 'c' },
		{ "key", 1, NULL, 'k' },       { "call", 1, NULL, 'C' },
		{ "answer", 0, NULL, 'n' },    { "ring", 0, NULL, 'g' },
		{ "reject", 1, NULL, 'j' },    { "info", 1, NULL, 'i' },
		{ "hold", 0, NULL, 'h' },      { "hangup-after", 1, NULL, 'H' },
		{ "cancel-after", 1, NULL, 'K' }, { "se", 1, NULL, 'e' },
		{ "min-se", 1, NULL, 'm' },    { "calls", 1, NULL, 'N' },
		{ "time-limit", 1, NULL, 'T' }, { "log", 1, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	static struct app a;
	struct sip_ua_conf c = { 0 };
	struct net_addr la;
	int ch, r, secs = 30;
	uint16_t pu = 0, pt = 0, ps = 0;

	a.mode = ANSWER;
	a.calls_left = -1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'A': c.aor = optarg; break;
		case 'D': c.display = optarg; break;
		case 'P': c.password = optarg; break;
		case 'R': c.registrar = optarg; break;
		case 'X': c.outbound_proxy = optarg; break;
		case 'u': c.listen_udp = optarg; break;
		case 't': c.listen_tcp = optarg; break;
		case 's': c.listen_tls = optarg; break;
		case 'a': c.transp.tls_ca = optarg; break;
		case 'c': c.transp.tls_cert = optarg; break;
		case 'k': c.transp.tls_key = optarg; break;
		case 'C': a.call_uri = optarg; break;
		case 'n': a.mode = ANSWER; break;
		case 'g': a.mode = RING; break;
		case 'j': a.mode = REJECT; a.reject_code = atoi(optarg); break;
		case 'i': a.info = optarg; break;
		case 'h': a.hold = true; break;
		case 'H': a.hangup_ms = atoi(optarg); break;
		case 'K': a.cancel_ms = atoi(optarg); break;
		case 'e': c.session_expires = (uint32_t)atoi(optarg); break;
		case 'm': c.min_se = (uint32_t)atoi(optarg); break;
		case 'N': a.calls_left = atoi(optarg); break;
		case 'T': secs = atoi(optarg); break;
		case 'l': (void)log_set_spec(optarg); break;
		default:
			fprintf(stderr, "see the comment at the top of tools/sipua/main.c\n");
			return 2;
		}
	}
	if (!c.aor) {
		fprintf(stderr, "rakwon-sipua: --aor is required\n");
		return 2;
	}
	if (a.call_uri && a.calls_left < 0)
		a.calls_left = 1;
	c.incoming = on_incoming;
	c.arg = &a;
	c.user_agent = "rakwon-sipua";
	r = loop_new(&a.l);
	if (r == 0)
		r = loop_signal_add(a.l, SIGINT, on_signal, &a);
	if (r == 0)
		r = loop_signal_add(a.l, SIGTERM, on_signal, &a);
	if (r == 0)
		r = sip_ua_new(&a.ua, a.l, &c);
	if (r < 0) {
		fprintf(stderr, "rakwon-sipua: %s\n", strerror(-r));
		return 1;
	}
	if (sip_ua_laddr(a.ua, SIP_TP_UDP, &la) == 0)
		pu = net_addr_port(&la);
	if (sip_ua_laddr(a.ua, SIP_TP_TCP, &la) == 0)
		pt = net_addr_port(&la);
	if (sip_ua_laddr(a.ua, SIP_TP_TLS, &la) == 0)
		ps = net_addr_port(&la);
	printf("READY udp=%u tcp=%u tls=%u\n", pu, pt, ps);
	fflush(stdout);
	if (c.registrar)
		(void)sip_ua_register(a.ua, on_reg, &a);
	if (a.call_uri)
		(void)loop_timer_start(a.l, &a.start, c.registrar ? 300000 : 0, 0, start_call, &a);
	(void)loop_timer_start(a.l, &a.limit, (uint64_t)secs * 1000000, 0, on_limit, &a);
	r = loop_run(a.l);
	printf("EXIT %d\n", r);
	fflush(stdout);
	loop_timer_stop(a.l, &a.t);
	loop_timer_stop(a.l, &a.limit);
	loop_timer_stop(a.l, &a.start);
	a.ua = sip_ua_free(a.ua);
	a.l = loop_free(a.l);
	return r;
}

/* test_sip_ua.c: two SIP UAs on one loop over loopback: calls over UDP, TCP
 * and TLS, re-INVITE (hold/resume, glare), INFO DTMF, BYE both ways, CANCEL,
 * 486, session timer refresh, REGISTER with digest (MD5, SHA-256). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "sip/sip_auth.h"
#include "sip/sip_ua.h"
#include "test.h"

static const char SDP_A[] = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
static const char SDP_B[] = "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			    "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

enum mode { M_ANSWER, M_BUSY, M_RING };

struct peer {
	struct sip_ua *ua;
	struct sip_call *call;
	const char *sdp;
	enum mode mode;
	int incoming, progress, established, ended, offers, reinv_done, infos;
	uint16_t end_code, reinv_code, prog_code;
	char info[256], info_ctype[64], display[64];
	enum sip_transport tp;
	bool secure;
};

static struct loop *L;

#define WAIT(cond, secs)                                                     \
	do {                                                                  \
		for (int i_ = 0; i_ < (secs) * 100 && !(cond); i_++)          \
			(void)loop_run_for(L, 10000);                         \
	} while (0)

static void on_progress(struct sip_call *c, uint16_t code, const char *sdp, void *arg)
{
	struct peer *p = arg;

	p->progress++;
	p->prog_code = code;
}

static void on_established(struct sip_call *c, const char *sdp, void *arg)
{
	struct peer *p = arg;

	p->established++;
	p->tp = sip_call_transport(c);
	p->secure = sip_call_secure(c);
}

static char *on_offer(struct sip_call *c, const char *sdp, void *arg)
{
	struct peer *p = arg;

	p->offers++;
	return strdup(p->sdp);
}

static void on_reinvite_done(struct sip_call *c, uint16_t code, const char *sdp, void *arg)
{
	struct peer *p = arg;

	p->reinv_done++;
	p->reinv_code = code;
}

static void on_info(struct sip_call *c, const char *ctype, const char *body, size_t len,
		    void *arg)
{
	struct peer *p = arg;

	p->infos++;
	snprintf(p->info, sizeof(p->info), "%.*s", (int)len, body);
	snprintf(p->info_ctype, sizeof(p->info_ctype), "%s", ctype);
}

static void on_ended(struct sip_call *c, uint16_t code, const char *reason, void *arg)
{
	struct peer *p = arg;

	p->ended++;
	p->end_code = code;
	if (p->call == c)
		p->call = NULL;
}

static const struct sip_call_handlers H = {
	.progress = on_progress,
	.established = on_established,
	.offer = on_offer,
	.reinvite_done = on_reinvite_done,
	.info = on_info,
	.ended = on_ended,
};

static void on_incoming(struct sip_ua *ua, struct sip_call *c, const char *sdp, void *arg)
{
	struct peer *p = arg;

	p->incoming++;
	if (p->call) {
		(void)sip_call_reject(c, 486, NULL);
		return;
	}
	snprintf(p->display, sizeof(p->display), "%s", sip_call_remote_display(c));
	sip_call_set_handlers(c, &H, p);
	p->call = c;
	switch (p->mode) {
	case M_BUSY:
		(void)sip_call_reject(c, 486, NULL);
		break;
	case M_RING:
		(void)sip_call_answer(c, 180, NULL);
		break;
	case M_ANSWER:
		(void)sip_call_answer(c, 180, NULL);
		(void)sip_call_answer(c, 200, p->sdp);
		break;
	}
}

struct pkifiles {
	char ca[256], cert[256], key[256];
};

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(s, f);
	fclose(f);
	return 0;
}

static int mkpki(struct pkifiles *pf)
{
	struct pki_issue ca = { .subject = "CN=SIP Test CA", .serial = 1, .days = 2,
				.is_ca = true };
	struct pki_issue srv = { .subject = "CN=127.0.0.1", .serial = 2, .days = 2,
				 .server = true, .san_dns = "127.0.0.1" };
	struct pki_key *cak = NULL, *sk = NULL;
	char *cap = NULL, *sp = NULL, *skp = NULL;
	int r = 0;

	r |= pki_key_generate(&cak);
	r |= pki_key_generate(&sk);
	if (r == 0)
		r |= pki_ca_new(cak, &ca, &cap);
	if (r == 0)
		r |= pki_cert_sign(sk, &srv, cap, strlen(cap), cak, &sp);
	if (r == 0)
		r |= pki_key_write_pem(sk, &skp);
	snprintf(pf->ca, sizeof(pf->ca), "%s/ca.pem", test_tmpdir());
	snprintf(pf->cert, sizeof(pf->cert), "%s/srv.pem", test_tmpdir());
	snprintf(pf->key, sizeof(pf->key), "%s/srv.key", test_tmpdir());
	if (r == 0)
		r = write_file(pf->ca, cap) | write_file(pf->cert, sp) | write_file(pf->key, skp);
	pki_key_free(cak);
	pki_key_free(sk);
	free(cap);
	free(sp);
	free(skp);
	return r ? -EIO : 0;
}

static void conf_init(struct sip_ua_conf *c, const char *aor, const char *display,
		      const struct pkifiles *pf)
{
	memset(c, 0, sizeof(*c));
	c->aor = aor;
	c->display = display;
	c->listen_udp = "127.0.0.1:0";
	c->listen_tcp = "127.0.0.1:0";
	c->tl.t1_ms = 50;
	c->tl.t2_ms = 400;
	c->tl.t4_ms = 500;
	if (pf) {
		c->listen_tls = "127.0.0.1:0";
		c->transp.tls_ca = pf->ca;
		c->transp.tls_cert = pf->cert;
		c->transp.tls_key = pf->key;
	}
}

static int setup(struct peer *a, struct peer *b, const struct pkifiles *pf,
		 const struct sip_ua_conf *bconf_over)
{
	struct sip_ua_conf ca, cb;
	int r;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->sdp = SDP_A;
	b->sdp = SDP_B;
	conf_init(&ca, "sip:alice@127.0.0.1", "Alice A", pf);
	ca.incoming = on_incoming;
	ca.arg = a;
	if (bconf_over)
		cb = *bconf_over;
	else
		conf_init(&cb, "sip:bob@127.0.0.1", NULL, pf);
	cb.incoming = on_incoming;
	cb.arg = b;
	r = loop_new(&L);
	if (r == 0)
		r = sip_ua_new(&a->ua, L, &ca);
	if (r == 0)
		r = sip_ua_new(&b->ua, L, &cb);
	return r;
}

static void teardown(struct peer *a, struct peer *b)
{
	a->ua = sip_ua_free(a->ua);
	b->ua = sip_ua_free(b->ua);
	L = loop_free(L);
}

static void uri_of(struct peer *p, enum sip_transport tp, char *buf, size_t len)
{
	struct net_addr a;

	(void)sip_ua_laddr(p->ua, tp, &a);
	if (tp == SIP_TP_TLS)
		snprintf(buf, len, "sips:bob@127.0.0.1:%u", net_addr_port(&a));
	else
		snprintf(buf, len, "sip:bob@127.0.0.1:%u;transport=%s", net_addr_port(&a),
			 sip_tp_param(tp));
}

/* a whole call: establish, INFO, hold/resume both ways, BYE from side */
static void full_call(enum sip_transport tp, bool bye_from_b)
{
	struct pkifiles pf;
	struct peer a, b;
	char uri[128];

	if (tp == SIP_TP_TLS)
		CHECK_OK(mkpki(&pf));
	CHECK_OK(setup(&a, &b, tp == SIP_TP_TLS ? &pf : NULL, NULL));
	uri_of(&b, tp, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.established && b.established, 5);
	CHECK_EQ(a.established, 1);
	CHECK_EQ(b.established, 1);
	CHECK_EQ(a.progress, 1);
	CHECK_EQ(a.prog_code, 180);
	CHECK_STR(b.display, "Alice A");
	CHECK_EQ(a.tp, tp);
	CHECK_EQ(b.tp, tp);
	CHECK_EQ(a.secure, tp == SIP_TP_TLS);
	CHECK_EQ(b.secure, tp == SIP_TP_TLS);
	CHECK_EQ(sip_call_state(a.call), SIP_CALL_ESTABLISHED);

	/* DTMF over INFO */
	CHECK_OK(sip_call_info(a.call, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"));
	WAIT(b.infos, 5);
	CHECK_EQ(b.infos, 1);
	CHECK_STR(b.info_ctype, "application/dtmf-relay");
	CHECK_STR(b.info, "Signal=5\r\nDuration=160\r\n");

	/* hold from A, resume from B */
	CHECK_OK(sip_call_reinvite(a.call, SDP_A));
	CHECK_EQ(sip_call_reinvite(a.call, SDP_A), -EBUSY);
	WAIT(a.reinv_done, 5);
	CHECK_EQ(a.reinv_done, 1);
	CHECK_EQ(a.reinv_code, 200);
	CHECK_EQ(b.offers, 1);
	CHECK_OK(sip_call_reinvite(b.call, SDP_B));
	WAIT(b.reinv_done, 5);
	CHECK_EQ(b.reinv_code, 200);
	CHECK_EQ(a.offers, 1);

	CHECK_OK(sip_call_hangup(bye_from_b ? b.call : a.call));
	WAIT(a.ended && b.ended, 5);
	CHECK_EQ(a.ended, 1);
	CHECK_EQ(b.ended, 1);
	CHECK_EQ(bye_from_b ? a.end_code : b.end_code, 200);
	CHECK_EQ(bye_from_b ? b.end_code : a.end_code, 0);
	CHECK_EQ(sip_ua_ncalls(a.ua), 0);
	CHECK_EQ(sip_ua_ncalls(b.ua), 0);
	teardown(&a, &b);
}

TEST(call_udp)
{
	full_call(SIP_TP_UDP, false);
}

TEST(call_tcp)
{
	full_call(SIP_TP_TCP, true);
}

TEST(call_tls)
{
	full_call(SIP_TP_TLS, false);
}

TEST(call_busy)
{
	struct peer a, b;
	char uri[128];

	CHECK_OK(setup(&a, &b, NULL, NULL));
	b.mode = M_BUSY;
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.ended && b.ended, 5);
	CHECK_EQ(a.ended, 1);
	CHECK_EQ(a.end_code, 486);
	CHECK_EQ(b.end_code, 486);
	CHECK_EQ(a.established, 0);
	teardown(&a, &b);
}

TEST(call_cancel)
{
	struct peer a, b;
	char uri[128];

	CHECK_OK(setup(&a, &b, NULL, NULL));
	b.mode = M_RING;
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.progress, 5);
	CHECK_EQ(a.prog_code, 180);
	CHECK_OK(sip_call_hangup(a.call));
	WAIT(a.ended && b.ended, 5);
	CHECK_EQ(a.end_code, 487);
	CHECK_EQ(b.end_code, 487);
	CHECK_EQ(b.established, 0);
	teardown(&a, &b);
}

TEST(call_unanswered_reject_by_hangup)
{
	struct peer a, b;
	char uri[128];

	CHECK_OK(setup(&a, &b, NULL, NULL));
	b.mode = M_RING;
	uri_of(&b, SIP_TP_TCP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.progress, 5);
	CHECK_OK(sip_call_hangup(b.call)); /* incoming, unanswered: 603 */
	WAIT(a.ended && b.ended, 5);
	CHECK_EQ(a.end_code, 603);
	teardown(&a, &b);
}

TEST(call_glare)
{
	struct peer a, b;
	char uri[128];

	CHECK_OK(setup(&a, &b, NULL, NULL));
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.established && b.established, 5);
	CHECK_EQ(b.established, 1);
	/* both send a re-INVITE at once: 491 on both sides, both retry */
	CHECK_OK(sip_call_reinvite(a.call, SDP_A));
	CHECK_OK(sip_call_reinvite(b.call, SDP_B));
	WAIT(a.reinv_done && b.reinv_done, 10);
	CHECK_EQ(a.reinv_code, 200);
	CHECK_EQ(b.reinv_code, 200);
	CHECK_EQ(sip_call_state(a.call), SIP_CALL_ESTABLISHED);
	CHECK_OK(sip_call_hangup(a.call));
	WAIT(a.ended && b.ended, 5);
	teardown(&a, &b);
}

TEST(session_timer_refresh)
{
	struct sip_ua_conf cb;
	struct peer a, b;
	char uri[128];
	bool we;

	conf_init(&cb, "sip:bob@127.0.0.1", NULL, NULL);
	cb.min_se = 1;
	CHECK_OK(setup(&a, &b, NULL, &cb));
	/* A asks for 2 s; B (UAS) picks A as the refresher */
	a.ua = sip_ua_free(a.ua);
	{
		struct sip_ua_conf ca;

		conf_init(&ca, "sip:alice@127.0.0.1", NULL, NULL);
		ca.session_expires = 2;
		ca.min_se = 1;
		ca.incoming = on_incoming;
		ca.arg = &a;
		CHECK_OK(sip_ua_new(&a.ua, L, &ca));
	}
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.established && b.established, 5);
	CHECK_EQ(sip_call_session_expires(a.call, &we), 2);
	CHECK(we);
	CHECK_EQ(sip_call_session_expires(b.call, &we), 2);
	CHECK(!we);
	/* refreshes at 1 s intervals keep the call up past the 2 s expiry */
	WAIT(b.offers >= 3, 6);
	CHECK(b.offers >= 3);
	CHECK_EQ(a.reinv_done, 0); /* refreshes are not reported */
	CHECK_EQ(a.ended + b.ended, 0);
	CHECK_OK(sip_call_hangup(b.call));
	WAIT(a.ended && b.ended, 5);
	CHECK_EQ(a.end_code, 200);
	teardown(&a, &b);
}

TEST(session_timer_expiry_without_refresh)
{
	struct sip_ua_conf cb;
	struct peer a, b;
	char uri[128];

	/* A refreshes; when A vanishes without a BYE, B ends the call at
	 * expiry (RFC 4028 10) and sends a BYE */
	conf_init(&cb, "sip:bob@127.0.0.1", NULL, NULL);
	cb.min_se = 1;
	CHECK_OK(setup(&a, &b, NULL, &cb));
	a.ua = sip_ua_free(a.ua);
	{
		struct sip_ua_conf ca;

		conf_init(&ca, "sip:alice@127.0.0.1", NULL, NULL);
		ca.session_expires = 2;
		ca.min_se = 1;
		CHECK_OK(sip_ua_new(&a.ua, L, &ca));
	}
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.established && b.established, 5);
	CHECK_EQ(b.established, 1);
	a.ua = sip_ua_free(a.ua); /* A vanishes without BYE */
	WAIT(b.ended, 5);
	CHECK_EQ(b.ended, 1);
	CHECK_EQ(b.end_code, 408);
	teardown(&a, &b);
}

/* ---- registration against a tiny in-test registrar ------------------------ */

struct reg_srv {
	struct sip_tl *tl;
	enum sip_auth_alg alg;
	int challenges, ok, bad;
	uint32_t last_expires;
};

static void reg_reqh(struct sip_stran *st, struct sip_msg *req, const struct sip_src *src,
		     void *arg)
{
	struct reg_srv *s = arg;
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_AUTHORIZATION, 0);
	struct sip_digest cred;
	struct buf *b = NULL;
	char extra[600];

	if (!st)
		return;
	if (h && sip_digest_parse(&cred, &h->val) == 0 &&
	    sip_auth_verify(&cred, "REGISTER", "secret", "test", "n0nce") == 0) {
		s->ok++;
		s->last_expires = req->expires >= 0 ? (uint32_t)req->expires : 3600;
		snprintf(extra, sizeof(extra), "Contact: <%.*s>;expires=%u\r\n",
			 PL_FMT(req->contact.uri.str), s->last_expires);
		(void)sip_stran_reply(st, 200, NULL, "srv", extra);
		return;
	}
	if (h)
		s->bad++;
	s->challenges++;
	(void)buf_new(&b, 256);
	(void)sip_auth_challenge(b, "test", "n0nce", s->alg, NULL, false);
	(void)buf_append(b, "", 1);
	snprintf(extra, sizeof(extra), "WWW-Authenticate: %s\r\n", (char *)b->data);
	buf_unref(b);
	(void)sip_stran_reply(st, 401, NULL, "srv", extra);
}

struct reg_result {
	int calls;
	uint16_t code;
	uint32_t expires;
};

static void reg_h(struct sip_ua *ua, uint16_t code, uint32_t expires, void *arg)
{
	struct reg_result *r = arg;

	r->calls++;
	r->code = code;
	r->expires = expires;
}

static void register_alg(enum sip_auth_alg alg, const char *password, bool expect_ok)
{
	struct reg_srv srv = { .alg = alg };
	struct reg_result res = { 0 };
	struct sip_ua_conf c;
	struct sip_ua *ua = NULL;
	struct net_addr a;
	char reg[64];

	CHECK_OK(loop_new(&L));
	CHECK_OK(sip_tl_new(&srv.tl, L, NULL, NULL, reg_reqh, &srv));
	CHECK_OK(net_addr_parse(&a, "127.0.0.1:0", 0));
	CHECK_OK(sip_transp_listen(sip_tl_transp(srv.tl), SIP_TP_UDP, &a));
	snprintf(reg, sizeof(reg), "sip:127.0.0.1:%u", net_addr_port(&a));
	conf_init(&c, "sip:alice@127.0.0.1", NULL, NULL);
	c.registrar = reg;
	c.password = password;
	c.reg_expires = 300;
	CHECK_OK(sip_ua_new(&ua, L, &c));
	CHECK_OK(sip_ua_register(ua, reg_h, &res));
	WAIT(res.calls, 5);
	CHECK_EQ(res.calls, 1);
	if (expect_ok) {
		CHECK_EQ(res.code, 200);
		CHECK_EQ(res.expires, 300);
		CHECK(sip_ua_registered(ua));
		CHECK_EQ(srv.ok, 1);
		CHECK_EQ(srv.challenges, 1);
		CHECK_OK(sip_ua_unregister(ua));
		WAIT(res.calls == 2, 5);
		CHECK_EQ(res.code, 0);
		CHECK_EQ(srv.last_expires, 0);
		CHECK(!sip_ua_registered(ua));
	} else {
		CHECK_EQ(res.code, 401);
		CHECK_EQ(srv.ok, 0);
		CHECK(srv.bad >= 1);
	}
	ua = sip_ua_free(ua);
	srv.tl = sip_tl_free(srv.tl);
	L = loop_free(L);
}

TEST(register_md5)
{
	register_alg(SIP_AUTH_MD5, "secret", true);
}

TEST(register_sha256)
{
	register_alg(SIP_AUTH_SHA256, "secret", true);
}

TEST(register_wrong_password)
{
	register_alg(SIP_AUTH_SHA256, "wrong", false);
}

/* ---- INVITE flood from one address ----------------------------------------- */

TEST(invite_flood_rate_limited)
{
	struct sip_ua_conf cb;
	struct peer a, b;
	struct net_addr ba, ra;
	char uri[128], msg[1024], buf[4096];
	int fd, n503 = 0, n486 = 0;
	bool seen[40] = { false };

	conf_init(&cb, "sip:bob@127.0.0.1", NULL, NULL);
	cb.transp.invite_rate = 2;
	cb.transp.invite_burst = 5;
	CHECK_OK(setup(&a, &b, NULL, &cb));
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.established && b.established, 5);
	CHECK_EQ(b.established, 1);

	CHECK_OK(sip_ua_laddr(b.ua, SIP_TP_UDP, &ba));
	CHECK_OK(net_addr_parse(&ra, "127.0.0.1:0", 0));
	fd = net_udp_bind(&ra, 0, 0);
	CHECK(fd >= 0);
	for (int i = 0; i < 40; i++) {
		snprintf(msg, sizeof(msg),
			 "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKflood%d;rport\r\n"
			 "Max-Forwards: 70\r\nFrom: <sip:evil@x>;tag=f%d\r\nTo: <sip:bob@x>\r\n"
			 "Call-ID: flood%d\r\nCSeq: 1 INVITE\r\n"
			 "Contact: <sip:evil@127.0.0.1:%u>\r\nContent-Length: 0\r\n\r\n",
			 net_addr_port(&ra), i, i, i, net_addr_port(&ra));
		(void)sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ba.ss, ba.len);
	}
	for (int i = 0; i < 100; i++) {
		ssize_t k = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

		if (k <= 0) {
			(void)loop_run_for(L, 10000);
			continue;
		}
		buf[k] = 0;
		/* count each INVITE once (final responses are retransmitted) */
		{
			const char *cid = strstr(buf, "Call-ID: flood");
			int id = cid ? atoi(cid + 14) : -1;

			if (id < 0 || id >= 40 || seen[id])
				continue;
			if (strncmp(buf, "SIP/2.0 100 ", 12) == 0)
				continue;
			seen[id] = true;
		}
		if (strncmp(buf, "SIP/2.0 503 ", 12) == 0 && strstr(buf, "Retry-After:"))
			n503++;
		else if (strncmp(buf, "SIP/2.0 486 ", 12) == 0)
			n486++;
	}
	close(fd);
	/* the burst of 5 (and maybe a refill token) passed, the rest got 503 */
	CHECK_MSG(n503 >= 30, "503s: %d", n503);
	CHECK_MSG(n486 >= 1 && n486 <= 8, "486s: %d", n486);
	CHECK_EQ(b.incoming, 1 + n486);
	/* the established call is unaffected: re-INVITE and BYE work */
	CHECK_OK(sip_call_reinvite(a.call, SDP_A));
	WAIT(a.reinv_done, 5);
	CHECK_EQ(a.reinv_code, 200);
	CHECK_OK(sip_call_hangup(a.call));
	WAIT(a.ended && b.ended, 5);
	CHECK_EQ(b.end_code, 200);
	teardown(&a, &b);
}

/* ---- edge cases --------------------------------------------------------------- */

TEST(options_answered)
{
	struct peer a, b;
	struct net_addr ba, ra;
	char msg[1024], buf[4096];
	ssize_t k = 0;
	int fd;

	CHECK_OK(setup(&a, &b, NULL, NULL));
	CHECK_OK(sip_ua_laddr(b.ua, SIP_TP_UDP, &ba));
	CHECK_OK(net_addr_parse(&ra, "127.0.0.1:0", 0));
	fd = net_udp_bind(&ra, 0, 0);
	CHECK(fd >= 0);
	snprintf(msg, sizeof(msg),
		 "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKopt9\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:x@y>;tag=o\r\nTo: <sip:bob@127.0.0.1>\r\n"
		 "Call-ID: opt9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		 net_addr_port(&ra));
	(void)sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ba.ss, ba.len);
	for (int i = 0; i < 100 && k <= 0; i++) {
		(void)loop_run_for(L, 10000);
		k = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	}
	close(fd);
	CHECK(k > 0);
	buf[k] = 0;
	CHECK(strncmp(buf, "SIP/2.0 200 ", 12) == 0);
	CHECK(strstr(buf, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO"));
	CHECK(strstr(buf, "Accept: application/sdp"));
	CHECK(strstr(buf, "Supported: timer"));
	teardown(&a, &b);
}

TEST(session_timer_422_retry)
{
	struct sip_ua_conf ca, cb;
	struct peer a, b;
	char uri[128];
	bool we;

	/* B insists on Min-SE 3; A asks for 1 and must retry with 3 */
	conf_init(&cb, "sip:bob@127.0.0.1", NULL, NULL);
	cb.min_se = 3;
	CHECK_OK(setup(&a, &b, NULL, &cb));
	a.ua = sip_ua_free(a.ua);
	conf_init(&ca, "sip:alice@127.0.0.1", NULL, NULL);
	ca.session_expires = 1;
	ca.min_se = 1;
	CHECK_OK(sip_ua_new(&a.ua, L, &ca));
	uri_of(&b, SIP_TP_UDP, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.established && b.established, 5);
	CHECK_EQ(a.established, 1);
	CHECK_EQ(b.incoming, 1); /* the first INVITE never reached the TU */
	CHECK_EQ(sip_call_session_expires(a.call, &we), 3);
	CHECK_OK(sip_call_hangup(a.call));
	WAIT(a.ended && b.ended, 5);
	teardown(&a, &b);
}

TEST(transport_error_reported)
{
	struct peer a, b;
	struct net_addr dead;
	char uri[128];
	int fd;

	CHECK_OK(setup(&a, &b, NULL, NULL));
	/* a TCP port nobody listens on: refused, reported at once (not
	 * after timer B) */
	CHECK_OK(net_addr_parse(&dead, "127.0.0.1:0", 0));
	fd = net_tcp_listen(&dead, 1);
	CHECK(fd >= 0);
	close(fd);
	snprintf(uri, sizeof(uri), "sip:nobody@127.0.0.1:%u;transport=tcp", net_addr_port(&dead));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.ended, 2);
	CHECK_EQ(a.ended, 1);
	CHECK_EQ(a.end_code, 503);
	/* SIPS means TLS whatever the transport parameter says; without a CA
	 * to verify the server there is no TLS at all */
	CHECK_EQ(sip_call_invite(a.ua, "sips:bob@127.0.0.1:5061;transport=udp", SDP_A, &H, &a,
				 NULL), -ENOTCONN);
	CHECK_EQ(sip_ua_ncalls(a.ua), 0);
	teardown(&a, &b);
	/* and a SIPS call through a non-TLS outbound proxy is refused */
	{
		struct sip_ua_conf ca;

		conf_init(&ca, "sip:alice@127.0.0.1", NULL, NULL);
		ca.outbound_proxy = "sip:127.0.0.1:5060";
		CHECK_OK(setup(&a, &b, NULL, NULL));
		a.ua = sip_ua_free(a.ua);
		CHECK_OK(sip_ua_new(&a.ua, L, &ca));
		CHECK_EQ(sip_call_invite(a.ua, "sips:bob@127.0.0.1", SDP_A, &H, &a, NULL),
			 -EPROTONOSUPPORT);
		teardown(&a, &b);
	}
}

TEST(tls_untrusted_server_refused)
{
	struct pkifiles pf, other;
	struct sip_ua_conf ca, cb;
	struct peer a, b;
	char uri[128];

	CHECK_OK(mkpki(&pf));
	other = pf;
	/* A trusts a different CA than the one that signed B's certificate */
	snprintf(other.ca, sizeof(other.ca), "%s/other-ca.pem", test_tmpdir());
	{
		struct pki_issue is = { .subject = "CN=Other CA", .serial = 9, .days = 1,
					.is_ca = true };
		struct pki_key *k = NULL;
		char *pem = NULL;

		CHECK_OK(pki_key_generate(&k));
		CHECK_OK(pki_ca_new(k, &is, &pem));
		CHECK_OK(write_file(other.ca, pem));
		free(pem);
		pki_key_free(k);
	}
	conf_init(&cb, "sip:bob@127.0.0.1", NULL, &pf);
	CHECK_OK(setup(&a, &b, NULL, &cb));
	a.ua = sip_ua_free(a.ua);
	conf_init(&ca, "sip:alice@127.0.0.1", NULL, &other);
	CHECK_OK(sip_ua_new(&a.ua, L, &ca));
	uri_of(&b, SIP_TP_TLS, uri, sizeof(uri));
	CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
	WAIT(a.ended, 5);
	CHECK_EQ(a.ended, 1);
	CHECK_EQ(a.end_code, 503);
	CHECK_EQ(b.incoming, 0);
	teardown(&a, &b);
}

TEST(max_connections)
{
	struct sip_ua_conf cb;
	struct peer a, b;
	struct sip_transp_stats st;
	struct net_addr ta;
	int fds[5];

	conf_init(&cb, "sip:bob@127.0.0.1", NULL, NULL);
	cb.transp.max_conns = 2;
	CHECK_OK(setup(&a, &b, NULL, &cb));
	CHECK_OK(sip_ua_laddr(b.ua, SIP_TP_TCP, &ta));
	for (int i = 0; i < 5; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(fds[i] >= 0);
		CHECK(connect(fds[i], (struct sockaddr *)&ta.ss, ta.len) == 0);
	}
	for (int i = 0; i < 20; i++)
		(void)loop_run_for(L, 5000);
	sip_transp_stats(sip_tl_transp(sip_ua_tl(b.ua)), &st);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	CHECK_EQ(st.conns, 2);
	CHECK_EQ(st.conns_refused, 3);
	teardown(&a, &b);
}

TEST(call_ipv6)
{
	struct sip_ua_conf ca, cb;
	struct peer a, b;
	struct net_addr ba;
	char uri[128];
	int fd;

	/* skip quietly when the host has no ::1 */
	CHECK_OK(net_addr_parse(&ba, "[::1]:0", 0));
	fd = net_udp_bind(&ba, 0, 0);
	if (fd < 0)
		return;
	close(fd);
	conf_init(&cb, "sip:bob@[::1]", NULL, NULL);
	cb.listen_udp = "[::1]:0";
	cb.listen_tcp = "[::1]:0";
	CHECK_OK(setup(&a, &b, NULL, &cb));
	a.ua = sip_ua_free(a.ua);
	conf_init(&ca, "sip:alice@[::1]", NULL, NULL);
	ca.listen_udp = "[::1]:0";
	ca.listen_tcp = "[::1]:0";
	ca.incoming = on_incoming;
	ca.arg = &a;
	CHECK_OK(sip_ua_new(&a.ua, L, &ca));
	for (int tcp = 0; tcp < 2; tcp++) {
		CHECK_OK(sip_ua_laddr(b.ua, tcp ? SIP_TP_TCP : SIP_TP_UDP, &ba));
		snprintf(uri, sizeof(uri), "sip:bob@[::1]:%u;transport=%s", net_addr_port(&ba),
			 tcp ? "tcp" : "udp");
		a.established = b.established = a.ended = b.ended = 0;
		CHECK_OK(sip_call_invite(a.ua, uri, SDP_A, &H, &a, &a.call));
		WAIT(a.established && b.established, 5);
		CHECK_EQ(a.established, 1);
		CHECK_EQ(b.established, 1);
		CHECK_OK(sip_call_reinvite(b.call, SDP_B));
		WAIT(b.reinv_done == tcp + 1, 5);
		CHECK_EQ(b.reinv_code, 200);
		CHECK_OK(sip_call_hangup(b.call));
		WAIT(a.ended && b.ended, 5);
		CHECK_EQ(a.end_code, 200);
	}
	teardown(&a, &b);
}

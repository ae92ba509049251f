/* test_sip_extra.c: UA behaviour against scripted peers: INVITE retried with
 * credentials after 407, REGISTER refreshed before expiry, CRLF keep-alive
 * pong and idle close on TCP, a forked second 2xx ACKed and released. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/loop/loop.h"
#include "sip/sip_auth.h"
#include "sip/sip_ua.h"
#include "test.h"

static struct loop *L;

#define WAIT(cond, secs)                                                     \
	do {                                                                  \
		for (int i_ = 0; i_ < (secs) * 100 && !(cond); i_++)          \
			(void)loop_run_for(L, 10000);                         \
	} while (0)

static const char SDP[] = "v=0\r\no=s 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

/* a scripted UAS/registrar on a bare transaction layer */
struct srv {
	struct sip_tl *tl;
	struct net_addr addr;
	int invites, authed, acks, registers, byes;
	int fork_acks, fork_byes;
	bool fork;
	uint32_t grant;
};

static void srv_reqh(struct sip_stran *st, struct sip_msg *req, const struct sip_src *src,
		     void *arg)
{
	struct srv *s = arg;
	const struct sip_hdr *h;
	struct sip_digest cred;
	struct buf *b = NULL;
	struct sip_mb mb;
	char extra[512];

	if (!st) {
		if (req->meth == SIP_METHOD_ACK && pl_eq_str(&req->to.tag, "s2"))
			s->fork_acks++;
		else if (req->meth == SIP_METHOD_ACK)
			s->acks++;
		return;
	}
	switch (req->meth) {
	case SIP_METHOD_INVITE:
		s->invites++;
		h = sip_msg_hdr(req, SIP_HDR_PROXY_AUTHORIZATION, 0);
		if (!h || sip_digest_parse(&cred, &h->val) < 0 ||
		    sip_auth_verify(&cred, "INVITE", "pw", "px", "nn") < 0) {
			(void)buf_new(&b, 256);
			(void)sip_auth_challenge(b, "px", "nn", SIP_AUTH_SHA256, "op", false);
			(void)buf_append(b, "", 1);
			snprintf(extra, sizeof(extra), "Proxy-Authenticate: %s\r\n",
				 (char *)b->data);
			buf_unref(b);
			(void)sip_stran_reply(st, 407, NULL, "s", extra);
			return;
		}
		s->authed++;
		(void)buf_new(&b, 1024);
		sip_mb_init(&mb, b);
		sip_mb_reply(&mb, req, 200, NULL, "s");
		sip_mb_printf(&mb, "Contact: <sip:s@127.0.0.1:%u>\r\n", net_addr_port(&s->addr));
		(void)sip_mb_finish(&mb, "application/sdp", SDP, strlen(SDP));
		(void)sip_stran_respond(st, 200, b);
		buf_unref(b);
		if (s->fork) {
			/* a second 2xx from another fork */
			(void)buf_new(&b, 1024);
			sip_mb_init(&mb, b);
			sip_mb_reply(&mb, req, 200, NULL, "s2");
			sip_mb_printf(&mb, "Contact: <sip:s2@127.0.0.1:%u>\r\n",
				      net_addr_port(&s->addr));
			(void)sip_mb_finish(&mb, "application/sdp", SDP, strlen(SDP));
			(void)sip_transp_send_resp(sip_tl_transp(s->tl), req, src, b->data, b->len);
			buf_unref(b);
		}
		return;
	case SIP_METHOD_REGISTER:
		s->registers++;
		snprintf(extra, sizeof(extra), "Contact: <%.*s>;expires=%u\r\n",
			 PL_FMT(req->contact.uri.str), req->expires == 0 ? 0 : s->grant);
		(void)sip_stran_reply(st, 200, NULL, "s", extra);
		return;
	case SIP_METHOD_BYE:
		if (pl_eq_str(&req->to.tag, "s2"))
			s->fork_byes++;
		else
			s->byes++;
		(void)sip_stran_reply(st, 200, NULL, NULL, NULL);
		return;
	default:
		(void)sip_stran_reply(st, 405, NULL, NULL, NULL);
	}
}

static int srv_start(struct srv *s)
{
	struct sip_tl_conf tc = { .t1_ms = 50 };
	int r;

	memset(s, 0, sizeof(*s));
	r = loop_new(&L);
	if (r == 0)
		r = sip_tl_new(&s->tl, L, &tc, NULL, srv_reqh, s);
	if (r == 0)
		r = net_addr_parse(&s->addr, "127.0.0.1:0", 0);
	if (r == 0)
		r = sip_transp_listen(sip_tl_transp(s->tl), SIP_TP_UDP, &s->addr);
	return r;
}

static void srv_stop(struct srv *s)
{
	s->tl = sip_tl_free(s->tl);
	L = loop_free(L);
}

static void ua_conf(struct sip_ua_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->aor = "sip:alice@127.0.0.1";
	c->listen_udp = "127.0.0.1:0";
	c->listen_tcp = "127.0.0.1:0";
	c->password = "pw";
	c->tl.t1_ms = 50;
}

struct ev {
	int established, ended;
	uint16_t code;
};

static void on_est(struct sip_call *c, const char *sdp, void *arg)
{
	struct ev *e = arg;

	e->established += sdp && strstr(sdp, "o=s ") ? 1 : 100;
}

static void on_ended(struct sip_call *c, uint16_t code, const char *r, void *arg)
{
	struct ev *e = arg;

	e->ended++;
	e->code = code;
}

static const struct sip_call_handlers H = { .established = on_est, .ended = on_ended };

TEST(invite_proxy_auth_retry)
{
	struct sip_ua_conf c;
	struct sip_ua *ua = NULL;
	struct sip_call *call = NULL;
	struct ev e = { 0 };
	struct srv s;
	char uri[64];

	CHECK_OK(srv_start(&s));
	ua_conf(&c);
	CHECK_OK(sip_ua_new(&ua, L, &c));
	snprintf(uri, sizeof(uri), "sip:s@127.0.0.1:%u", net_addr_port(&s.addr));
	CHECK_OK(sip_call_invite(ua, uri, SDP, &H, &e, &call));
	WAIT(e.established && s.acks, 5);
	CHECK_EQ(s.invites, 2);   /* challenged, then with credentials */
	CHECK_EQ(s.authed, 1);
	CHECK_EQ(e.established, 1);
	CHECK_EQ(s.acks, 1);      /* the 2xx ACK (the 407 ACK stays hop-by-hop) */
	CHECK_OK(sip_call_hangup(call));
	WAIT(e.ended && s.byes, 5);
	CHECK_EQ(s.byes, 1);
	CHECK_EQ(e.code, 0);
	ua = sip_ua_free(ua);
	srv_stop(&s);
}

TEST(invite_wrong_password_fails)
{
	struct sip_ua_conf c;
	struct sip_ua *ua = NULL;
	struct ev e = { 0 };
	struct srv s;
	char uri[64];

	CHECK_OK(srv_start(&s));
	ua_conf(&c);
	c.password = "bad";
	CHECK_OK(sip_ua_new(&ua, L, &c));
	snprintf(uri, sizeof(uri), "sip:s@127.0.0.1:%u", net_addr_port(&s.addr));
	CHECK_OK(sip_call_invite(ua, uri, SDP, &H, &e, NULL));
	WAIT(e.ended, 5);
	CHECK_EQ(e.code, 407);
	CHECK_EQ(s.invites, 3);   /* bounded retries */
	ua = sip_ua_free(ua);
	srv_stop(&s);
}

static void reg_h(struct sip_ua *ua, uint16_t code, uint32_t expires, void *arg)
{
	int *n = arg;

	if (code == 200)
		(*n)++;
}

TEST(register_refresh_before_expiry)
{
	struct sip_ua_conf c;
	struct sip_ua *ua = NULL;
	struct srv s;
	char reg[64];
	int oks = 0;

	CHECK_OK(srv_start(&s));
	s.grant = 2; /* the registrar grants 2 s: refresh after 1 s */
	ua_conf(&c);
	snprintf(reg, sizeof(reg), "sip:127.0.0.1:%u", net_addr_port(&s.addr));
	c.registrar = reg;
	CHECK_OK(sip_ua_new(&ua, L, &c));
	CHECK_OK(sip_ua_register(ua, reg_h, &oks));
	WAIT(oks >= 3, 5);
	CHECK(oks >= 3);
	CHECK(sip_ua_registered(ua));
	CHECK_EQ(s.registers, oks);
	ua = sip_ua_free(ua);
	srv_stop(&s);
}

TEST(tcp_keepalive_pong_and_idle_close)
{
	struct sip_ua_conf c;
	struct sip_ua *ua = NULL;
	struct net_addr ta;
	char buf[16];
	ssize_t n = -1;
	int fd;

	CHECK_OK(loop_new(&L));
	ua_conf(&c);
	c.transp.idle_timeout_ms = 300;
	CHECK_OK(sip_ua_new(&ua, L, &c));
	CHECK_OK(sip_ua_laddr(ua, SIP_TP_TCP, &ta));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK(connect(fd, (struct sockaddr *)&ta.ss, ta.len) == 0);
	CHECK(write(fd, "\r\n\r\n", 4) == 4);
	for (int i = 0; i < 100 && n <= 0; i++) {
		(void)loop_run_for(L, 5000);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	}
	CHECK_EQ(n, 2);
	CHECK(buf[0] == '\r' && buf[1] == '\n');
	/* then silence: the connection is closed after the idle timeout */
	n = -1;
	for (int i = 0; i < 200 && n < 0; i++) {
		(void)loop_run_for(L, 10000);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	}
	CHECK_EQ(n, 0);
	close(fd);
	ua = sip_ua_free(ua);
	L = loop_free(L);
}

TEST(forked_2xx_acked_and_released)
{
	struct sip_ua_conf c;
	struct sip_ua *ua = NULL;
	struct sip_call *call = NULL;
	struct ev e = { 0 };
	struct srv s;
	char uri[64];

	CHECK_OK(srv_start(&s));
	s.fork = true;
	ua_conf(&c);
	CHECK_OK(sip_ua_new(&ua, L, &c));
	snprintf(uri, sizeof(uri), "sip:s@127.0.0.1:%u", net_addr_port(&s.addr));
	CHECK_OK(sip_call_invite(ua, uri, SDP, &H, &e, &call));
	WAIT(e.established && s.acks && s.fork_byes, 5);
	CHECK_EQ(e.established, 1);
	CHECK_EQ(s.acks, 1);
	CHECK_EQ(s.fork_acks, 1);  /* the second fork is ACKed ... */
	CHECK_EQ(s.fork_byes, 1);  /* ... and released */
	CHECK_EQ(s.byes, 0);
	CHECK_EQ(e.ended, 0);      /* our call stays with the first */
	CHECK_EQ(sip_call_state(call), SIP_CALL_ESTABLISHED);
	CHECK_OK(sip_call_hangup(call));
	WAIT(e.ended && s.byes, 5);
	CHECK_EQ(s.byes, 1);
	ua = sip_ua_free(ua);
	srv_stop(&s);
}

/* test_sip_tran.c: SIP transactions against a raw UDP peer on loopback
 * (retransmission timers with a short T1, ACK for non-2xx, 100 Trying,
 * matching of retransmissions), dialogs (route sets, strict routing) and
 * transport robustness (malformed and oversized messages). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/loop/loop.h"
#include "sip/sip_dialog.h"
#include "sip/sip_tran.h"
#include "test.h"

static struct loop *L;

#define WAIT(cond, ms)                                                       \
	do {                                                                  \
		for (int i_ = 0; i_ < (ms) / 5 && !(cond); i_++)              \
			(void)loop_run_for(L, 5000);                          \
	} while (0)

struct raw {
	int fd;
	struct net_addr addr;
	struct net_addr from;
	char buf[70000];
	size_t len;
};

static int raw_open(struct raw *r, bool tcp)
{
	(void)tcp;
	memset(r, 0, sizeof(*r));
	if (net_addr_parse(&r->addr, "127.0.0.1:0", 0) < 0)
		return -EINVAL;
	r->fd = net_udp_bind(&r->addr, 0, 0);
	return r->fd < 0 ? r->fd : 0;
}

/* next datagram, running the loop meanwhile; false on timeout */
static bool raw_recv(struct raw *r, int ms)
{
	for (int i = 0; i < ms / 5; i++) {
		ssize_t n;

		r->from.len = sizeof(r->from.ss);
		n = recvfrom(r->fd, r->buf, sizeof(r->buf) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&r->from.ss, &r->from.len);
		if (n > 0) {
			r->len = (size_t)n;
			r->buf[n] = 0;
			return true;
		}
		(void)loop_run_for(L, 5000);
	}
	return false;
}

static void raw_send(struct raw *r, const struct net_addr *to, const char *s)
{
	(void)sendto(r->fd, s, strlen(s), 0, (const struct sockaddr *)&to->ss, to->len);
}

struct cres {
	int calls, err;
	uint16_t code;
};

static void ct_h(int err, const struct sip_msg *rsp, void *arg)
{
	struct cres *c = arg;

	c->calls++;
	c->err = err;
	c->code = rsp ? rsp->scode : 0;
}

static void noreq(struct sip_stran *st, struct sip_msg *req, const struct sip_src *src,
		  void *arg)
{
	if (st)
		(void)sip_stran_reply(st, 501, NULL, NULL, NULL);
}

static int client(struct sip_tl **tl, uint32_t t1, uint32_t t2)
{
	struct sip_tl_conf tc = { .t1_ms = t1, .t2_ms = t2, .t4_ms = 50 };
	struct net_addr a;
	int r;

	r = loop_new(&L);
	if (r == 0)
		r = sip_tl_new(tl, L, &tc, NULL, noreq, NULL);
	if (r == 0)
		r = net_addr_parse(&a, "127.0.0.1:0", 0);
	if (r == 0)
		r = sip_transp_listen(sip_tl_transp(*tl), SIP_TP_UDP, &a);
	return r;
}

static int send_req(struct sip_tl *tl, const char *method, const struct raw *peer,
		    struct cres *res, struct sip_ctran **ret)
{
	struct sip_dest d = { .tp = SIP_TP_UDP, .addr = peer->addr };
	char branch[SIP_BRANCH_LEN], ruri[64];
	struct buf *b = NULL;
	struct sip_mb mb;
	struct pl u;
	int r;

	snprintf(ruri, sizeof(ruri), "sip:x@127.0.0.1:%u", net_addr_port(&peer->addr));
	u = pl_str(ruri);
	r = buf_new(&b, 512);
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	r = sip_tl_request_start(tl, &mb, method, &u, &d, branch);
	sip_mb_printf(&mb, "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=ft\r\n"
		      "To: <%s>\r\nCall-ID: cid1\r\nCSeq: 7 %s\r\n", ruri, method);
	if (r == 0)
		r = sip_mb_finish(&mb, NULL, NULL, 0);
	if (r == 0)
		r = sip_ctran_new(ret, tl, &d, b, ct_h, res);
	buf_unref(b);
	return r;
}

static int count_until_quiet(struct raw *r, int quiet_ms, const char *prefix)
{
	int n = 0;

	while (raw_recv(r, quiet_ms))
		if (strncmp(r->buf, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

TEST(invite_timer_b_retransmits)
{
	struct sip_tl *tl = NULL;
	struct cres res = { 0 };
	struct raw peer;
	int n;

	CHECK_OK(client(&tl, 10, 4000));
	CHECK_OK(raw_open(&peer, false));
	CHECK_OK(send_req(tl, "INVITE", &peer, &res, NULL));
	/* timer A doubles from T1: sends at 0 10 30 70 150 310 630 ms, then
	 * timer B (64*T1 = 640 ms) ends it */
	n = count_until_quiet(&peer, 400, "INVITE ");
	WAIT(res.calls, 1000);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.err, -ETIMEDOUT);
	CHECK_MSG(n >= 5 && n <= 8, "INVITE sent %d times", n);
	CHECK_EQ(sip_tl_count(tl), 0);
	close(peer.fd);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

TEST(non_invite_timer_e_capped_at_t2)
{
	struct sip_tl *tl = NULL;
	struct cres res = { 0 };
	struct raw peer;
	int n;

	CHECK_OK(client(&tl, 10, 40));
	CHECK_OK(raw_open(&peer, false));
	CHECK_OK(send_req(tl, "OPTIONS", &peer, &res, NULL));
	/* E: 10, 20, 40, 40, ... until F at 640 ms: about 18 sends; without
	 * the T2 cap it would be 7 */
	n = count_until_quiet(&peer, 400, "OPTIONS ");
	WAIT(res.calls, 1000);
	CHECK_EQ(res.err, -ETIMEDOUT);
	CHECK_MSG(n >= 12, "OPTIONS sent %d times", n);
	close(peer.fd);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

static void reply_raw(struct raw *peer, const char *code_reason, const char *to_tag)
{
	struct sip_msg *m = NULL;
	struct buf *b = NULL;
	struct sip_mb mb;
	int code = atoi(code_reason);

	if (sip_msg_new(&m, peer->buf, peer->len, 0) < 0 || buf_new(&b, 512) < 0)
		goto out;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, m, (uint16_t)code, strchr(code_reason, ' ') + 1, to_tag);
	if (sip_mb_finish(&mb, NULL, NULL, 0) == 0) {
		(void)buf_append(b, "", 1);
		raw_send(peer, &peer->from, (char *)b->data);
	}
out:
	buf_unref(b);
	sip_msg_unref(m);
}

TEST(invite_ack_for_non_2xx)
{
	struct sip_tl *tl = NULL;
	struct cres res = { 0 };
	struct raw peer;
	struct sip_msg *inv = NULL, *ack = NULL;
	char inv_copy[2048];
	size_t inv_len;

	CHECK_OK(client(&tl, 50, 4000));
	CHECK_OK(raw_open(&peer, false));
	CHECK_OK(send_req(tl, "INVITE", &peer, &res, NULL));
	CHECK(raw_recv(&peer, 1000));
	memcpy(inv_copy, peer.buf, peer.len);
	inv_len = peer.len;
	reply_raw(&peer, "486 Busy Here", "tt");
	WAIT(res.calls, 1000);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.code, 486);
	CHECK(raw_recv(&peer, 1000));
	CHECK_OK(sip_msg_new(&ack, peer.buf, peer.len, 0));
	CHECK_OK(sip_msg_new(&inv, inv_copy, inv_len, 0));
	CHECK_EQ(ack->meth, SIP_METHOD_ACK);
	CHECK(pl_eq(&ack->via[0].branch, &inv->via[0].branch));
	CHECK_EQ(ack->cseq.num, 7);
	CHECK(pl_eq_str(&ack->to.tag, "tt"));
	/* a retransmitted 486 gets the ACK again, the TU hears nothing */
	memcpy(peer.buf, inv_copy, inv_len);
	peer.len = inv_len;
	reply_raw(&peer, "486 Busy Here", "tt");
	CHECK(raw_recv(&peer, 1000));
	CHECK(strncmp(peer.buf, "ACK ", 4) == 0);
	CHECK_EQ(res.calls, 1);
	sip_msg_unref(ack);
	sip_msg_unref(inv);
	close(peer.fd);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

/* server side: a slow TU */
struct srv {
	struct sip_stran *st;
	int reqs;
};

static void slow_reqh(struct sip_stran *st, struct sip_msg *req, const struct sip_src *src,
		      void *arg)
{
	struct srv *s = arg;

	s->reqs++;
	if (!st)
		return;
	if (req->meth == SIP_METHOD_INVITE)
		s->st = sip_stran_ref(st);
	else
		(void)sip_stran_reply(st, 200, NULL, "x", NULL);
}

static int server(struct sip_tl **tl, struct srv *s, struct net_addr *a)
{
	struct sip_tl_conf tc = { .t1_ms = 20, .t2_ms = 80, .t4_ms = 50, .trying_ms = 30 };
	int r;

	r = loop_new(&L);
	if (r == 0)
		r = sip_tl_new(tl, L, &tc, NULL, slow_reqh, s);
	if (r == 0)
		r = net_addr_parse(a, "127.0.0.1:0", 0);
	if (r == 0)
		r = sip_transp_listen(sip_tl_transp(*tl), SIP_TP_UDP, a);
	return r;
}

static const char INVITE_FMT[] =
	"INVITE sip:b@127.0.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKsrv1;rport\r\n"
	"Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
	"Call-ID: s1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
static const char ACK_FMT[] =
	"ACK sip:b@127.0.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKsrv1\r\n"
	"Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=x\r\n"
	"Call-ID: s1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";

TEST(server_invite_trying_retransmit_ack)
{
	struct sip_tl *tl = NULL;
	struct srv s = { 0 };
	struct net_addr a;
	struct raw peer;
	char msg[1024];
	int n;

	CHECK_OK(server(&tl, &s, &a));
	CHECK_OK(raw_open(&peer, false));
	snprintf(msg, sizeof(msg), INVITE_FMT, net_addr_port(&peer.addr));
	raw_send(&peer, &a, msg);
	/* the TU is silent: 100 Trying after trying_ms */
	CHECK(raw_recv(&peer, 1000));
	CHECK(strncmp(peer.buf, "SIP/2.0 100 ", 12) == 0);
	CHECK(strstr(peer.buf, ";received=127.0.0.1") && strstr(peer.buf, ";rport="));
	CHECK_EQ(s.reqs, 1);
	/* a retransmitted INVITE is absorbed (the 100 is sent again) */
	raw_send(&peer, &a, msg);
	CHECK(raw_recv(&peer, 1000));
	CHECK(strncmp(peer.buf, "SIP/2.0 100 ", 12) == 0);
	CHECK_EQ(s.reqs, 1);
	CHECK_OK(sip_stran_reply(s.st, 486, NULL, "x", NULL));
	/* G retransmits the 486 until the ACK */
	n = 0;
	while (n < 3 && raw_recv(&peer, 1000))
		if (strncmp(peer.buf, "SIP/2.0 486 ", 12) == 0)
			n++;
	CHECK_EQ(n, 3);
	snprintf(msg, sizeof(msg), ACK_FMT, net_addr_port(&peer.addr));
	raw_send(&peer, &a, msg);
	WAIT(false, 50);
	while (raw_recv(&peer, 10)) /* drain what was in flight */
		;
	CHECK_EQ(count_until_quiet(&peer, 300, "SIP/2.0 486"), 0);
	CHECK_EQ(s.reqs, 1); /* the ACK was absorbed by the transaction */
	s.st = sip_stran_detach(s.st);
	close(peer.fd);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

TEST(server_non_invite_retransmission)
{
	static const char opt[] =
		"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKopt1\r\n"
		"Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
		"Call-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	struct sip_tl *tl = NULL;
	struct srv s = { 0 };
	struct net_addr a;
	struct raw peer;
	char msg[1024];

	CHECK_OK(server(&tl, &s, &a));
	CHECK_OK(raw_open(&peer, false));
	snprintf(msg, sizeof(msg), opt, net_addr_port(&peer.addr));
	raw_send(&peer, &a, msg);
	CHECK(raw_recv(&peer, 1000));
	CHECK(strncmp(peer.buf, "SIP/2.0 200 ", 12) == 0);
	/* no rport: the response goes to the Via port, which is ours */
	raw_send(&peer, &a, msg);
	CHECK(raw_recv(&peer, 1000));
	CHECK(strncmp(peer.buf, "SIP/2.0 200 ", 12) == 0);
	CHECK_EQ(s.reqs, 1);
	close(peer.fd);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

TEST(malformed_and_oversized)
{
	static const char nocallid[] =
		"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKbad1\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCSeq: 1 OPTIONS\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char shortbody[] =
		"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKbad2\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: sb\r\n"
		"CSeq: 1 OPTIONS\r\nContent-Length: 500\r\n\r\nshort";
	static const char badcl[] =
		"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKbig1\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: big\r\nCSeq: 1 OPTIONS\r\n"
		"Content-Length: 70000\r\n\r\n";
	struct sip_tl *tl = NULL;
	struct srv s = { 0 };
	struct net_addr a;
	struct sip_transp_stats st;
	struct raw peer;
	char msg[1024], *big;
	int fd;
	ssize_t n = 0;

	CHECK_OK(server(&tl, &s, &a));
	CHECK_OK(raw_open(&peer, false));
	raw_send(&peer, &a, "garbage\r\n\r\n");
	raw_send(&peer, &a, "\r\n\r\n");
	/* no Call-ID: no response can be built, it is dropped */
	snprintf(msg, sizeof(msg), nocallid, net_addr_port(&peer.addr));
	raw_send(&peer, &a, msg);
	CHECK(!raw_recv(&peer, 100));
	CHECK_EQ(sip_tl_count(tl), 0);
	/* UDP body shorter than Content-Length: 400 */
	snprintf(msg, sizeof(msg), shortbody, net_addr_port(&peer.addr));
	raw_send(&peer, &a, msg);
	CHECK(raw_recv(&peer, 1000));
	CHECK(strncmp(peer.buf, "SIP/2.0 400 ", 12) == 0);
	CHECK_EQ(s.reqs, 0);

	/* TCP: a Content-Length over the limit gets 513 and the connection
	 * is closed */
	{
		struct net_addr ta;

		CHECK_OK(net_addr_parse(&ta, "127.0.0.1:0", 0));
		CHECK_OK(sip_transp_listen(sip_tl_transp(tl), SIP_TP_TCP, &ta));
		fd = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(fd >= 0);
		CHECK(connect(fd, (struct sockaddr *)&ta.ss, ta.len) == 0);
	}
	big = calloc(1, 70000);
	CHECK(big);
	memset(big, 'x', 69999);
	CHECK(write(fd, badcl, strlen(badcl)) > 0);
	(void)!write(fd, big, 69999);
	free(big);
	for (int i = 0; i < 200; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		(void)loop_run_for(L, 5000);
		if (poll(&p, 1, 0) == 1) {
			n = read(fd, msg, sizeof(msg) - 1);
			break;
		}
	}
	CHECK(n > 12);
	msg[n] = 0;
	CHECK_MSG(strncmp(msg, "SIP/2.0 513 ", 12) == 0, "got %s", msg);
	WAIT(false, 50);
	n = recv(fd, msg, sizeof(msg), MSG_DONTWAIT);
	CHECK_MSG(n == 0 || (n < 0 && errno == ECONNRESET), "not closed: %zd", n);
	close(fd);
	sip_transp_stats(sip_tl_transp(tl), &st);
	CHECK(st.rx_oversize >= 1);
	CHECK(st.rx_bad >= 2);
	close(peer.fd);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

/* ---- dialogs --------------------------------------------------------------- */

TEST(dialog_uac_route_set)
{
	static const char req_s[] =
		"INVITE sip:bob@b.example SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKd1\r\n"
		"From: \"Al\" <sip:al@a.example>;tag=la\r\nTo: <sip:bob@b.example>\r\n"
		"Call-ID: dlg1\r\nCSeq: 10 INVITE\r\nContent-Length: 0\r\n\r\n";
	static const char rsp_s[] =
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKd1\r\n"
		"Record-Route: <sip:127.0.0.2:5060;lr>\r\n"
		"Record-Route: <sip:127.0.0.3:5070;lr;transport=tcp>\r\n"
		"From: \"Al\" <sip:al@a.example>;tag=la\r\nTo: <sip:bob@b.example>;tag=rb\r\n"
		"Contact: <sip:bob@127.0.0.9:5090>\r\n"
		"Call-ID: dlg1\r\nCSeq: 10 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct sip_msg *req = NULL, *rsp = NULL, *out = NULL;
	struct sip_dialog d;
	struct sip_dest dest;
	struct sip_tl *tl = NULL;
	char branch[SIP_BRANCH_LEN];
	struct buf *b = NULL;
	struct sip_mb mb;
	const struct sip_hdr *h;

	CHECK_OK(sip_msg_new(&req, req_s, strlen(req_s), 0));
	CHECK_OK(sip_msg_new(&rsp, rsp_s, strlen(rsp_s), 0));
	CHECK_OK(sip_dialog_init_uac(&d, req, rsp));
	CHECK_STR(d.callid, "dlg1");
	CHECK_STR(d.ltag, "la");
	CHECK_STR(d.rtag, "rb");
	CHECK_STR(d.rtarget, "sip:bob@127.0.0.9:5090");
	CHECK_EQ(d.nroutes, 2);
	CHECK_STR(d.routes[0], "<sip:127.0.0.3:5070;lr;transport=tcp>");
	CHECK_STR(d.routes[1], "<sip:127.0.0.2:5060;lr>");
	CHECK(d.confirmed);
	/* in-dialog requests go to the first route (loose) */
	CHECK_OK(sip_dialog_dest(&d, NULL, &dest));
	CHECK_EQ(dest.tp, SIP_TP_TCP);
	CHECK_EQ(net_addr_port(&dest.addr), 5070);
	CHECK_OK(client(&tl, 50, 400));
	{
		struct net_addr ta;

		CHECK_OK(net_addr_parse(&ta, "127.0.0.1:0", 0));
		CHECK_OK(sip_transp_listen(sip_tl_transp(tl), SIP_TP_TCP, &ta));
	}
	CHECK_OK(buf_new(&b, 512));
	sip_mb_init(&mb, b);
	CHECK_OK(sip_dialog_request(&d, tl, &mb, "BYE", 0, &dest, branch));
	CHECK_OK(sip_mb_finish(&mb, NULL, NULL, 0));
	CHECK_OK(sip_msg_new(&out, b->data, b->len, 0));
	CHECK(pl_eq_str(&out->ruri.str, "sip:bob@127.0.0.9:5090"));
	CHECK_EQ(out->cseq.num, 11);
	CHECK(pl_eq_str(&out->to.tag, "rb"));
	CHECK(pl_eq_str(&out->from.tag, "la"));
	CHECK(pl_eq_str(&out->from.dname, "Al"));
	h = sip_msg_hdr(out, SIP_HDR_ROUTE, 0);
	CHECK(h && pl_eq_str(&h->val, "<sip:127.0.0.3:5070;lr;transport=tcp>"));
	CHECK(out->via[0].tp == SIP_TP_TCP);
	/* matching a request from the peer */
	{
		static const char bye[] =
			"BYE sip:al@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 127.0.0.9;branch=z9hG4bKx\r\n"
			"From: <sip:bob@b.example>;tag=rb\r\nTo: <sip:al@a.example>;tag=la\r\n"
			"Call-ID: dlg1\r\nCSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n";
		struct sip_msg *m = NULL;

		CHECK_OK(sip_msg_new(&m, bye, strlen(bye), 0));
		CHECK(sip_dialog_match_req(&d, m));
		CHECK_OK(sip_dialog_rseq(&d, m));
		CHECK_EQ(sip_dialog_rseq(&d, m), -EPROTO);
		sip_msg_unref(m);
	}
	sip_dialog_clear(&d);
	sip_msg_unref(out);
	sip_msg_unref(req);
	sip_msg_unref(rsp);
	buf_unref(b);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

TEST(dialog_strict_route)
{
	static const char inv[] =
		"INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.5:5060;branch=z9hG4bKs1\r\n"
		"Record-Route: <sip:127.0.0.7:5060>\r\n"
		"From: <sip:al@a>;tag=ra\r\nTo: <sip:bob@b>\r\n"
		"Contact: <sip:al@127.0.0.5:5060>\r\n"
		"Call-ID: dlg2\r\nCSeq: 3 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct sip_msg *req = NULL, *out = NULL;
	struct sip_dialog d;
	struct sip_dest dest;
	struct sip_tl *tl = NULL;
	char branch[SIP_BRANCH_LEN];
	struct buf *b = NULL;
	struct sip_mb mb;
	const struct sip_hdr *h;

	CHECK_OK(sip_msg_new(&req, inv, strlen(inv), 0));
	CHECK_OK(sip_dialog_init_uas(&d, req, "lt"));
	CHECK_STR(d.rtag, "ra");
	CHECK_EQ(d.nroutes, 1);
	CHECK_OK(sip_dialog_dest(&d, NULL, &dest));
	CHECK_EQ(net_addr_port(&dest.addr), 5060);
	CHECK_OK(client(&tl, 50, 400));
	CHECK_OK(buf_new(&b, 512));
	sip_mb_init(&mb, b);
	CHECK_OK(sip_dialog_request(&d, tl, &mb, "BYE", 0, &dest, branch));
	CHECK_OK(sip_mb_finish(&mb, NULL, NULL, 0));
	CHECK_OK(sip_msg_new(&out, b->data, b->len, 0));
	/* strict router: R-URI is the route, the target goes last in Route */
	CHECK(pl_eq_str(&out->ruri.str, "sip:127.0.0.7:5060"));
	h = sip_msg_hdr(out, SIP_HDR_ROUTE, 0);
	CHECK(h && pl_eq_str(&h->val, "<sip:al@127.0.0.5:5060>"));
	sip_dialog_clear(&d);
	sip_msg_unref(out);
	sip_msg_unref(req);
	buf_unref(b);
	tl = sip_tl_free(tl);
	L = loop_free(L);
}

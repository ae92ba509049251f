/* test_sip_msg.c: SIP URIs, headers, limits, printing round trips, response
 * building and UAS checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_msg.h"
#include "test.h"

static bool eq(const struct pl *a, const char *s)
{
	return pl_eq_str(a, s);
}

static int uri(struct sip_uri *u, const char *s)
{
	struct pl p = pl_str(s);

	return sip_uri_parse(u, &p);
}

TEST(uri_parse)
{
	struct sip_uri u;
	char tmp[64];
	size_t n;
	struct pl v;

	CHECK_OK(uri(&u, "sip:alice:secret@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent"));
	CHECK(u.scheme_id == SIP_SCHEME_SIP && eq(&u.user, "alice") && eq(&u.password, "secret"));
	CHECK(eq(&u.host, "atlanta.com") && u.port == 5061 && !u.host_ipv6);
	CHECK(eq(&u.params, ";transport=tcp;lr"));
	CHECK(eq(&u.headers, "subject=project%20x&priority=urgent"));
	CHECK_OK(sip_param_get(&u.params, "TRANSPORT", &v));
	CHECK(eq(&v, "tcp"));
	CHECK_OK(sip_param_get(&u.params, "lr", &v));
	CHECK(v.l == 0);
	CHECK_EQ(sip_param_get(&u.params, "maddr", &v), -ENOENT);

	CHECK_OK(uri(&u, "sips:[2001:db8::1]:5061"));
	CHECK(u.scheme_id == SIP_SCHEME_SIPS && u.host_ipv6 && eq(&u.host, "2001:db8::1"));
	CHECK(u.port == 5061 && !u.user.p);
	CHECK_OK(uri(&u, "sip:[::1]"));
	CHECK(u.host_ipv6 && u.port == 0);
	CHECK_OK(uri(&u, "SIP:bob@biloxi.com"));
	CHECK(u.scheme_id == SIP_SCHEME_SIP);
	CHECK_OK(uri(&u, "tel:+1-201-555-0123"));
	CHECK(u.scheme_id == SIP_SCHEME_TEL && eq(&u.opaque, "+1-201-555-0123"));
	CHECK_OK(uri(&u, "sip:a%20b@h"));
	CHECK_OK(sip_pct_decode(tmp, sizeof(tmp), &u.user, &n));
	CHECK(n == 3 && memcmp(tmp, "a b", 3) == 0);

	/* malformed */
	CHECK_EQ(uri(&u, "sip:"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:@host"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:host:99999"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:host:"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:[::1"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:[zz]"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:a b@host"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:a%2@host"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:host;;lr"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:host;a="), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:host>"), -EBADMSG);
	CHECK_EQ(uri(&u, "<sip:host>"), -EBADMSG);
	CHECK_EQ(uri(&u, "1abc:x"), -EBADMSG);
	CHECK_EQ(uri(&u, "noscheme"), -EBADMSG);
	CHECK_EQ(uri(&u, "foo:"), -EBADMSG);
	CHECK_EQ(uri(&u, "sip:-host"), -EBADMSG);
}

TEST(pct_decode)
{
	char out[8];
	size_t n;
	struct pl in = PL("a%00b%41");

	CHECK_OK(sip_pct_decode(out, sizeof(out), &in, &n));
	CHECK(n == 4 && memcmp(out, "a\0bA", 4) == 0);
	in = PL("%4");
	CHECK_EQ(sip_pct_decode(out, sizeof(out), &in, &n), -EBADMSG);
	in = PL("%zz");
	CHECK_EQ(sip_pct_decode(out, sizeof(out), &in, &n), -EBADMSG);
	in = PL("123456789");
	CHECK_EQ(sip_pct_decode(out, sizeof(out), &in, &n), -ENOBUFS);
}

TEST(uri_compare)
{
	/* RFC 3261 19.1.4 examples */
	static const char *const same[][2] = {
		{ "sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp" },
		{ "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5" },
		{ "sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5" },
		{ "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
		  "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com" },
	};
	static const char *const differ[][2] = {
		{ "SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP" },
		{ "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060" },
		{ "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp" },
		{ "sip:carol@chicago.com", "sip:carol@chicago.com;security=on;user=phone" },
		{ "sip:a@h;x=1", "sip:a@h;x=2" },
		{ "sips:a@h", "sip:a@h" },
	};
	struct sip_uri a, b;
	unsigned i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		CHECK_OK(uri(&a, same[i][0]));
		CHECK_OK(uri(&b, same[i][1]));
		CHECK_MSG(sip_uri_eq(&a, &b) && sip_uri_eq(&b, &a), "same %u", i);
	}
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		CHECK_OK(uri(&a, differ[i][0]));
		CHECK_OK(uri(&b, differ[i][1]));
		CHECK_MSG(!sip_uri_eq(&a, &b), "differ %u", i);
	}
}

static int addr(struct sip_addr *a, const char *s)
{
	struct pl p = pl_str(s);

	return sip_addr_parse(a, &p);
}

TEST(addr_parse)
{
	struct sip_addr a;
	struct pl v;

	CHECK_OK(addr(&a, "\"Bob \\\"B\\\"\" <sip:bob@biloxi.com;transport=udp>;tag=a6c85cf;x=\"y z\""));
	CHECK(a.dname_quoted && eq(&a.dname, "Bob \\\"B\\\"") && a.angle);
	CHECK(eq(&a.uri.params, ";transport=udp") && eq(&a.tag, "a6c85cf"));
	CHECK_OK(sip_param_get(&a.params, "x", &v));
	CHECK(eq(&v, "y z"));
	CHECK_OK(addr(&a, "Anonymous <sip:c8oqz84zk7z@privacy.org>"));
	CHECK(!a.dname_quoted && eq(&a.dname, "Anonymous"));
	CHECK_OK(addr(&a, "<sip:x@y>"));
	CHECK(!a.dname.p && a.angle);
	CHECK_OK(addr(&a, "sip:x@y;tag=1;lr"));
	CHECK(!a.angle && !a.uri.params.p && eq(&a.tag, "1") && sip_param_exists(&a.params, "lr"));
	CHECK_OK(addr(&a, "  sip:x@y  "));
	CHECK_OK(addr(&a, "\"\" <sip:x@y>"));
	CHECK(a.dname_quoted && a.dname.l == 0);
	CHECK_OK(addr(&a, "<sip:[::1]:5060>;expires=60;q=0.5"));
	CHECK(a.uri.host_ipv6 && a.uri.port == 5060);
	/* malformed */
	CHECK_EQ(addr(&a, "\"unterminated <sip:x@y>"), -EBADMSG);
	CHECK_EQ(addr(&a, "<sip:x@y"), -EBADMSG);
	CHECK_EQ(addr(&a, "<sip:x@y> junk"), -EBADMSG);
	CHECK_EQ(addr(&a, "<sip:x@y>;"), -EBADMSG);
	CHECK_EQ(addr(&a, "<sip:x@y>;=1"), -EBADMSG);
	CHECK_EQ(addr(&a, "a,b <sip:x@y>"), -EBADMSG);
	CHECK_EQ(addr(&a, "sip:x@y?Route=z"), -EBADMSG);
	CHECK_EQ(addr(&a, ""), -EBADMSG);
	CHECK_EQ(addr(&a, "\"x\" sip:x@y"), -EBADMSG);
}

TEST(via_parse)
{
	struct sip_via v;
	struct pl s;

	s = PL("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;received=10.0.0.1;rport=5070;maddr=1.2.3.4");
	CHECK_OK(sip_via_parse(&v, &s));
	CHECK(v.tp == SIP_TP_UDP && eq(&v.host, "192.0.2.1") && v.port == 5060);
	CHECK(eq(&v.branch, "z9hG4bK776") && eq(&v.received, "10.0.0.1"));
	CHECK(v.rport && v.rport_val == 5070);
	s = PL("SIP / 2.0 / tls [2001:db8::9] : 5061 ; rport ; branch = z9hG4bKx");
	CHECK_OK(sip_via_parse(&v, &s));
	CHECK(v.tp == SIP_TP_TLS && v.host_ipv6 && v.port == 5061 && v.rport && !v.rport_val);
	CHECK(eq(&v.branch, "z9hG4bKx"));
	s = PL("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKx");
	CHECK_OK(sip_via_parse(&v, &s));
	CHECK(v.tp == SIP_TP_WSS);
	s = PL("SIP/2.0/UDP");
	CHECK_EQ(sip_via_parse(&v, &s), -EBADMSG);
	s = PL("SIP/2.0 UDP host");
	CHECK_EQ(sip_via_parse(&v, &s), -EBADMSG);
	s = PL("SIP/2.0/UDP host;rport=abc");
	CHECK_EQ(sip_via_parse(&v, &s), -EBADMSG);
	s = PL("SIP/2.0/UDP host;;branch=1");
	CHECK_EQ(sip_via_parse(&v, &s), -EBADMSG);
}

TEST(digest_parse)
{
	struct sip_digest d;
	struct pl s = PL("Digest realm=\"atlanta.com\",\r\n  domain=\"sip:ss1.carrier.com\", qop=\"auth,auth-int\",\r\n"
			 "  nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=MD5");

	CHECK_OK(sip_digest_parse(&d, &s));
	CHECK(eq(&d.scheme, "Digest") && eq(&d.realm, "atlanta.com"));
	CHECK(eq(&d.qop, "auth,auth-int") && eq(&d.nonce, "f84f1cec41e6cbe5aea9c8e88d359"));
	CHECK(d.opaque.p && d.opaque.l == 0 && eq(&d.stale, "FALSE") && eq(&d.algorithm, "MD5"));
	s = PL("Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", uri=\"sip:bob@biloxi.com\", "
	       "qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", userhash=true");
	CHECK_OK(sip_digest_parse(&d, &s));
	CHECK(eq(&d.username, "bob") && eq(&d.uri, "sip:bob@biloxi.com") && eq(&d.nc, "00000001"));
	CHECK(eq(&d.cnonce, "0a4f113b") && eq(&d.response, "6629fae49393a05397450978507c4ef1"));
	CHECK(d.userhash && eq(&d.qop, "auth"));
	s = PL("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	CHECK_OK(sip_digest_parse(&d, &s));
	s = PL("Digest realm=\"x");
	CHECK_EQ(sip_digest_parse(&d, &s), -EBADMSG);
	s = PL("Digest realm=a nonce=b");
	CHECK_EQ(sip_digest_parse(&d, &s), -EBADMSG);
}

static const char invite[] =
	"INVITE sip:bob@biloxi.com SIP/2.0\r\n"
	"v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;rport, SIP/2.0/TCP\r\n"
	"  proxy.example.com:5070;branch=z9hG4bK1;received=1.2.3.4\r\n"
	"Max-Forwards: 70\r\n"
	"t: Bob <sip:bob@biloxi.com>\r\n"
	"f: \"Alice A.\" <sip:alice@atlanta.com>;tag=1928301774\r\n"
	"i: a84b4c76e66710@pc33.atlanta.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"m: <sip:alice@pc33.atlanta.com>;expires=60, \"X, Y\" <sip:alice@[2001:db8::1]>\r\n"
	"k: timer, 100rel\r\n"
	"Require: timer\r\n"
	"Allow: INVITE, ACK, BYE\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"Min-SE: 90\r\n"
	"Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
	"Record-Route: <sip:p3.example.com;lr>\r\n"
	"X-Custom: one, two\r\n"
	"Timestamp: 54\r\n"
	"x-lower: a\r\n"
	"Expires: 120\r\n"
	"c: application/sdp\r\n"
	"l: 4\r\n"
	"\r\n"
	"v=0\n";

TEST(msg_headers)
{
	struct sip_msg *m;
	struct sip_hdr_iter it;
	struct pl v;
	int n = 0;

	CHECK_OK(sip_msg_new(&m, invite, sizeof(invite) - 1, 0));
	CHECK(m->req && m->meth == SIP_METHOD_INVITE && eq(&m->method, "INVITE"));
	CHECK_EQ(m->nvia, 2);
	CHECK(m->via[0].rport && eq(&m->via[1].host, "proxy.example.com") && m->via[1].port == 5070);
	CHECK(eq(&m->via[1].received, "1.2.3.4"));
	CHECK(eq(&m->to.dname, "Bob") && !m->to.tag.p);
	CHECK(eq(&m->from.tag, "1928301774") && eq(&m->from.dname, "Alice A."));
	CHECK(eq(&m->callid, "a84b4c76e66710@pc33.atlanta.com"));
	CHECK(m->cseq.num == 314159 && m->cseq.meth == SIP_METHOD_INVITE);
	CHECK_EQ(m->max_forwards, 70);
	CHECK_EQ(m->ncontact, 2);
	CHECK(sip_param_exists(&m->contact.params, "expires"));
	CHECK(sip_msg_has_tag(m, SIP_HDR_SUPPORTED, "100REL"));
	CHECK(!sip_msg_has_tag(m, SIP_HDR_SUPPORTED, "gruu"));
	CHECK(sip_msg_has_tag(m, SIP_HDR_ALLOW, "BYE"));
	CHECK_EQ(m->expires, 120);
	CHECK(eq(&m->ctype, "application/sdp") && m->clen == 4 && eq(&m->body, "v=0\n"));
	CHECK(eq(&sip_msg_hdr(m, SIP_HDR_MIN_SE, 0)->val, "90"));
	CHECK(eq(&sip_msg_hdr(m, SIP_HDR_SESSION_EXPIRES, 0)->val, "1800;refresher=uac"));
	sip_hdr_iter_init(&it, m, SIP_HDR_ROUTE);
	while (sip_hdr_iter_next(&it, &v))
		n++;
	CHECK_EQ(n, 2);
	CHECK(eq(&v, "<sip:p2.example.com;lr>"));
	CHECK(sip_msg_hdr_name(m, "X-LOWER") && sip_msg_hdr_name(m, "x-custom"));
	CHECK(sip_msg_hdr(m, SIP_HDR_OTHER, 1) == sip_msg_hdr_name(m, "x-lower"));
	CHECK(!sip_msg_hdr(m, SIP_HDR_WARNING, 0));
	CHECK(sip_msg_can_reply(m));
	sip_msg_unref(m);
}

TEST(msg_lookup_names)
{
	static const char *const compact = "imelcfsktvourbxajdyn";
	const char *c;

	for (c = compact; *c; c++) {
		struct pl n = pl_make(c, 1);
		char up = (char)(*c - 32);
		struct pl u = pl_make(&up, 1);
		enum sip_hdr_id id = sip_hdr_lookup(&n);

		CHECK_MSG(id != SIP_HDR_OTHER, "compact %c", *c);
		CHECK(sip_hdr_lookup(&u) == id);
	}
	CHECK(sip_hdr_lookup(&PL("call-id")) == SIP_HDR_CALL_ID);
	CHECK(sip_hdr_lookup(&PL("WWW-AUTHENTICATE")) == SIP_HDR_WWW_AUTHENTICATE);
	CHECK(sip_hdr_lookup(&PL("q")) == SIP_HDR_OTHER);
	CHECK(sip_method_lookup(&PL("invite")) == SIP_METHOD_OTHER); /* case-sensitive */
	CHECK_STR(sip_reason_phrase(488), "Not Acceptable Here");
	CHECK_STR(sip_reason_phrase(499), "Bad Request");
}

/* parse -> print -> parse gives the same fields */
static void roundtrip(const char *text, size_t len)
{
	struct sip_msg *a, *b;
	struct buf *out;
	unsigned i;

	CHECK_OK(sip_msg_new(&a, text, len, 0));
	CHECK_OK(buf_new(&out, 0));
	CHECK_OK(sip_msg_print(out, a));
	CHECK_MSG(sip_msg_new(&b, out->data, out->len, 0) == 0, "reparse:\n%.*s",
		  (int)out->len, out->data);
	CHECK(a->req == b->req && a->meth == b->meth && pl_eq(&a->method, &b->method));
	CHECK(sip_uri_eq(&a->ruri, &b->ruri) || !a->req);
	CHECK(a->scode == b->scode);
	CHECK_EQ(a->nvia, b->nvia);
	for (i = 0; i < a->nvia; i++) {
		CHECK(pl_eq(&a->via[i].host, &b->via[i].host) && a->via[i].port == b->via[i].port);
		CHECK(pl_eq(&a->via[i].branch, &b->via[i].branch));
		CHECK(pl_eq(&a->via[i].received, &b->via[i].received));
		CHECK(a->via[i].rport == b->via[i].rport && a->via[i].tp == b->via[i].tp);
	}
	CHECK(sip_uri_eq(&a->from.uri, &b->from.uri) && pl_eq(&a->from.tag, &b->from.tag));
	CHECK(sip_uri_eq(&a->to.uri, &b->to.uri) && pl_eq(&a->to.tag, &b->to.tag));
	CHECK(pl_eq(&a->from.dname, &b->from.dname));
	CHECK(pl_eq(&a->callid, &b->callid));
	CHECK(a->cseq.num == b->cseq.num && pl_eq(&a->cseq.method, &b->cseq.method));
	CHECK_EQ(a->max_forwards, b->max_forwards);
	CHECK_EQ(a->ncontact, b->ncontact);
	CHECK(a->contact_star == b->contact_star);
	if (a->ncontact)
		CHECK(sip_uri_eq(&a->contact.uri, &b->contact.uri));
	CHECK(pl_eq(&a->body, &b->body));
	CHECK(pl_eq(&a->ctype, &b->ctype));
	CHECK_EQ(a->expires, b->expires);
	/* unknown headers survive in order */
	{
		unsigned j = 0;

		for (i = 0; i < a->nhdr; i++) {
			if (a->hdr[i].id != SIP_HDR_OTHER)
				continue;
			while (j < b->nhdr && b->hdr[j].id != SIP_HDR_OTHER)
				j++;
			CHECK(j < b->nhdr);
			CHECK(pl_eq(&a->hdr[i].name, &b->hdr[j].name));
			CHECK(pl_eq(&a->hdr[i].val, &b->hdr[j].val));
			j++;
		}
	}
	buf_unref(out);
	sip_msg_unref(a);
	sip_msg_unref(b);
}

TEST(msg_print_roundtrip)
{
	static const char reg[] =
		"REGISTER sip:registrar.biloxi.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n"
		"Max-Forwards: 70\r\n"
		"To: Bob <sip:bob@biloxi.com>\r\n"
		"From: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
		"Call-ID: 843817637684230@998sdasdh09\r\n"
		"CSeq: 1826 REGISTER\r\n"
		"Contact: *\r\n"
		"Expires: 0\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char rsp[] =
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1;received=::1;rport=5060\r\n"
		"To: <sip:b@h>;tag=x\r\nFrom: <sip:a@h>;tag=y\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";

	roundtrip(invite, sizeof(invite) - 1);
	roundtrip(reg, sizeof(reg) - 1);
	roundtrip(rsp, sizeof(rsp) - 1);
}

TEST(msg_reply_build)
{
	struct sip_msg *m, *r;
	struct buf *b;
	struct sip_mb mb;

	CHECK_OK(sip_msg_new(&m, invite, sizeof(invite) - 1, 0));
	/* the transport records the source address in the top Via (18.2.1) */
	m->via[0].received = pl_str("192.0.2.99");
	m->via[0].rport_val = 34567;
	CHECK_OK(buf_new(&b, 0));
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, m, 180, NULL, "tt99");
	sip_mb_hdr(&mb, SIP_HDR_CONTACT, &PL("<sip:bob@192.0.2.4>"));
	CHECK_OK(sip_mb_finish(&mb, NULL, NULL, 0));
	CHECK_OK(sip_msg_new(&r, b->data, b->len, 0));
	CHECK(!r->req && r->scode == 180 && eq(&r->reason, "Ringing"));
	CHECK_EQ(r->nvia, 2);
	CHECK(eq(&r->via[0].received, "192.0.2.99") && r->via[0].rport_val == 34567);
	CHECK(eq(&r->via[0].branch, "z9hG4bK776asdhds") && eq(&r->via[1].branch, "z9hG4bK1"));
	CHECK(eq(&r->to.tag, "tt99") && eq(&r->from.tag, "1928301774"));
	CHECK(pl_eq(&r->callid, &m->callid) && r->cseq.num == 314159);
	CHECK(r->cseq.meth == SIP_METHOD_INVITE && r->clen == 0);
	CHECK(!sip_msg_hdr(r, SIP_HDR_TIMESTAMP, 0)); /* only 100 copies it */
	sip_msg_unref(r);
	/* 100 Trying: no To tag, Timestamp copied */
	b->len = 0;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, m, 100, NULL, "tt99");
	CHECK_OK(sip_mb_finish(&mb, NULL, NULL, 0));
	CHECK_OK(sip_msg_new(&r, b->data, b->len, 0));
	CHECK(!r->to.tag.p && eq(&sip_msg_hdr(r, SIP_HDR_TIMESTAMP, 0)->val, "54"));
	sip_msg_unref(r);
	/* header injection is refused */
	b->len = 0;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, m, 200, NULL, "t");
	sip_mb_hdr(&mb, SIP_HDR_SUBJECT, &PL("x\r\nVia: evil"));
	CHECK_EQ(sip_mb_finish(&mb, NULL, NULL, 0), -EINVAL);
	buf_unref(b);
	sip_msg_unref(m);
}

TEST(msg_request_build)
{
	struct sip_msg *m;
	struct sip_addr from, to;
	struct sip_via via;
	struct buf *b;
	struct sip_mb mb;

	CHECK_OK(addr(&from, "\"Room 1\" <sip:room1@example.org>;tag=abc"));
	CHECK_OK(addr(&to, "<sip:room2@example.org>"));
	CHECK_OK(sip_via_parse(&via, &PL("SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKq;rport")));
	CHECK_OK(buf_new(&b, 0));
	sip_mb_init(&mb, b);
	sip_mb_request(&mb, "INVITE", &PL("sip:room2@example.org"));
	sip_mb_via(&mb, &via);
	sip_mb_hdrf(&mb, SIP_HDR_MAX_FORWARDS, "%d", 70);
	sip_mb_addr(&mb, SIP_HDR_FROM, &from);
	sip_mb_addr(&mb, SIP_HDR_TO, &to);
	sip_mb_hdr(&mb, SIP_HDR_CALL_ID, &PL("cid1@10.0.0.1"));
	sip_mb_hdrf(&mb, SIP_HDR_CSEQ, "%u %s", 1u, "INVITE");
	sip_mb_hdr_raw(&mb, &PL("X-Room"), &PL("1"));
	CHECK_OK(sip_mb_finish(&mb, "application/sdp", "v=0\r\n", 5));
	CHECK_OK(sip_msg_new(&m, b->data, b->len, SIP_DECODE_STREAM));
	CHECK(m->meth == SIP_METHOD_INVITE && eq(&m->ruri.user, "room2"));
	CHECK(m->via[0].tp == SIP_TP_TCP && m->via[0].rport && eq(&m->via[0].branch, "z9hG4bKq"));
	CHECK(eq(&m->from.dname, "Room 1") && eq(&m->from.tag, "abc"));
	CHECK(m->max_forwards == 70 && m->cseq.num == 1 && eq(&m->body, "v=0\r\n"));
	CHECK(eq(&sip_msg_hdr_name(m, "x-room")->val, "1"));
	sip_msg_unref(m);
	buf_unref(b);
}

TEST(msg_check_verdicts)
{
	static const char *const sup[] = { "timer", "100rel", NULL };
	struct sip_check_cfg cfg = { .supported = sup };
	struct sip_verdict v;
	struct sip_msg *m;
	char text[2048];

	/* Max-Forwards 0: 483 except for OPTIONS */
	snprintf(text, sizeof(text), "%s", invite);
	memcpy(strstr(text, "Max-Forwards: 70"), "Max-Forwards: 00", 16);
	CHECK_OK(sip_msg_new(&m, text, strlen(text), 0));
	CHECK_EQ(sip_msg_check(m, &cfg, &v), 483);
	sip_msg_unref(m);
	/* Require with unknown tags: 420 */
	memcpy(strstr(text, "Require: timer"), "Require: xyzzy", 14);
	memcpy(strstr(text, "Max-Forwards: 00"), "Max-Forwards: 10", 16);
	CHECK_OK(sip_msg_new(&m, text, strlen(text), 0));
	CHECK_EQ(sip_msg_check(m, &cfg, &v), 420);
	CHECK(v.nunsupported == 1 && eq(&v.unsupported[0], "xyzzy"));
	sip_msg_unref(m);
	/* all fine */
	CHECK_OK(sip_msg_new(&m, invite, sizeof(invite) - 1, 0));
	CHECK_EQ(sip_msg_check(m, &cfg, &v), 0);
	sip_msg_unref(m);
}

TEST(msg_limits)
{
	size_t cap = 4 * SIP_MSG_MAX, n;
	char *t = malloc(cap);
	struct sip_msg *m = malloc(sizeof(*m));
	unsigned i;
	static const char head[] =
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n";

	CHECK(t && m);
	/* too many headers: 513 with a reply still possible */
	n = (size_t)sprintf(t, "%s", head);
	for (i = 0; i < SIP_MAX_HDRS; i++)
		n += (size_t)sprintf(t + n, "X-%u: y\r\n", i);
	n += (size_t)sprintf(t + n, "\r\n");
	CHECK_EQ(sip_msg_decode(m, t, n, 0), -EMSGSIZE);
	CHECK(m->err_code == 513 && sip_msg_can_reply(m));
	/* one header line too long */
	n = (size_t)sprintf(t, "%sX-Long: ", head);
	memset(t + n, 'a', SIP_MAX_HDR_LEN);
	n += SIP_MAX_HDR_LEN;
	n += (size_t)sprintf(t + n, "\r\n\r\n");
	CHECK_EQ(sip_msg_decode(m, t, n, 0), -EMSGSIZE);
	/* too many Via values in one folded list */
	n = (size_t)sprintf(t, "%sVia: ", head);
	for (i = 0; i < SIP_MAX_VIA; i++)
		n += (size_t)sprintf(t + n, "SIP/2.0/UDP h%u,", i);
	n += (size_t)sprintf(t + n, "SIP/2.0/UDP last\r\n\r\n");
	CHECK_EQ(sip_msg_decode(m, t, n, 0), -EMSGSIZE);
	CHECK_EQ(m->nvia, SIP_MAX_VIA);
	/* body over 64 KiB with a matching Content-Length */
	n = (size_t)sprintf(t, "%sContent-Length: %u\r\n\r\n", head, SIP_MSG_MAX);
	memset(t + n, 'b', SIP_MSG_MAX);
	n += SIP_MSG_MAX;
	CHECK_EQ(sip_msg_decode(m, t, n, 0), -EMSGSIZE);
	CHECK(m->err_code == 513 && sip_msg_can_reply(m));
	CHECK_EQ(sip_msg_frame(t, n, &n), -EMSGSIZE);
	/* header section over 64 KiB without an end */
	memset(t, 'z', cap);
	CHECK_EQ(sip_msg_decode(m, t, cap, 0), -EPROTO);
	n = (size_t)sprintf(t, "%s", head);
	for (i = 0; n + 16 < SIP_MSG_MAX + 100; i++)
		n += (size_t)sprintf(t + n, "X-Fill: %05u\r\n", i % 100);
	CHECK_EQ(sip_msg_decode(m, t, n, 0), -EMSGSIZE);
	CHECK_EQ(sip_msg_frame(t, n, &n), -EMSGSIZE);
	free(t);
	free(m);
}

TEST(msg_framing_stream)
{
	static const char two[] =
		"\r\n\r\n"
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
		"l: 3\r\n\r\nabc"
		"OPTIONS sip:a@b SIP/2.0\r\n";
	struct sip_msg *m = malloc(sizeof(*m));
	size_t skip, n;

	CHECK(m);
	skip = sip_keepalive_len(two, sizeof(two) - 1);
	CHECK_EQ(skip, 4);
	CHECK_OK(sip_msg_frame(two + skip, sizeof(two) - 1 - skip, &n));
	CHECK(memcmp(two + skip + n, "OPTIONS", 7) == 0);
	CHECK_OK(sip_msg_decode(m, two + skip, n, SIP_DECODE_STREAM));
	CHECK(eq(&m->body, "abc"));
	CHECK_EQ(sip_msg_frame(two + skip + n, 24, &n), -EAGAIN);
	/* stream without Content-Length */
	CHECK_EQ(sip_msg_decode(m, "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n", 39,
				SIP_DECODE_STREAM), -EBADMSG);
	CHECK_STR(m->err_reason, "Missing Content-Length");
	free(m);
}

TEST(msg_helpers)
{
	struct pl t, st, p, ref;
	uint32_t d;
	struct sip_msg *m;
	struct buf *b;
	struct sip_mb mb;

	CHECK_OK(sip_ctype_parse(&PL("Application/SDP ; charset=utf-8"), &t, &st, &p));
	CHECK(eq(&t, "Application") && eq(&st, "SDP") && eq(&p, "; charset=utf-8"));
	CHECK(sip_ctype_is(&PL("application/sdp"), "application", "sdp"));
	CHECK(!sip_ctype_is(&PL("application/sdpx"), "application", "sdp"));
	CHECK_EQ(sip_ctype_parse(&PL("application"), &t, &st, &p), -EBADMSG);
	CHECK_OK(sip_sess_expires_parse(&PL("1800;refresher=uac"), &d, &ref));
	CHECK(d == 1800 && eq(&ref, "uac"));
	CHECK_OK(sip_sess_expires_parse(&PL(" 90 "), &d, &ref));
	CHECK(d == 90 && !ref.p);
	CHECK_EQ(sip_sess_expires_parse(&PL("x"), &d, &ref), -EBADMSG);
	/* unknown headers copied in order into a new message */
	CHECK_OK(sip_msg_new(&m, invite, sizeof(invite) - 1, 0));
	CHECK_OK(buf_new(&b, 0));
	sip_mb_init(&mb, b);
	sip_mb_copy_unknown(&mb, m);
	CHECK_OK(sip_mb_finish(&mb, NULL, NULL, 0));
	CHECK_EQ(b->len, 53);
	CHECK(memcmp(b->data, "X-Custom: one, two\r\nx-lower: a\r\nContent-Length: 0\r\n\r\n", 53) == 0);
	buf_unref(b);
	sip_msg_unref(m);
}

/* absent slices (NULL pointer) are valid input everywhere (found by fuzzing:
 * NULL + 0 pointer arithmetic) */
TEST(absent_slices)
{
	struct pl none = PL_NULL, v;
	struct sip_uri a, b;
	struct sip_digest d;
	struct sip_cseq c;
	char tmp[4];
	size_t n;
	uint32_t x;

	CHECK_OK(sip_pct_decode(tmp, sizeof(tmp), &none, &n));
	CHECK_EQ(n, 0);
	CHECK_OK(sip_unquote(tmp, sizeof(tmp), &none, &n));
	CHECK_EQ(n, 0);
	CHECK_EQ(sip_digest_parse(&d, &none), -EBADMSG);
	CHECK_EQ(sip_cseq_parse(&c, &none), -EBADMSG);
	CHECK_EQ(sip_ctype_parse(&none, NULL, NULL, NULL), -EBADMSG);
	CHECK_EQ(sip_sess_expires_parse(&none, &x, NULL), -EBADMSG);
	CHECK_EQ(sip_param_get(&none, "tag", &v), -ENOENT);
	CHECK_OK(uri(&a, "sip:h"));
	CHECK_OK(uri(&b, "sip:h"));
	CHECK(sip_uri_eq(&a, &b)); /* both without user/password/params */
	CHECK(!sip_list_next(&none, &v));
}

/* stream framing and decoding agree on where a message ends */
TEST(msg_framing_consistent)
{
	static const char folded[] =
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
		"Subject: hi\r\n Content-Length: 99\r\n"   /* a fold of Subject, not a header */
		"Content-Length:\r\n 2\r\n\r\nokNEXT";
	struct sip_msg *m = malloc(sizeof(*m));
	size_t n;

	CHECK(m);
	CHECK_OK(sip_msg_frame(folded, sizeof(folded) - 1, &n));
	CHECK_EQ(n, sizeof(folded) - 1 - 4);
	CHECK_OK(sip_msg_decode(m, folded, n, SIP_DECODE_STREAM));
	CHECK(eq(&m->body, "ok") && m->len == n);
	CHECK_EQ(sip_msg_frame("OPTIONS sip:a@b SIP/2.0\r\n x: 1\r\n\r\n", 34, &n), -EBADMSG);
	CHECK_EQ(sip_msg_frame("OPTIONS sip:a@b SIP/2.0\r\nbad line\r\n\r\n", 38, &n), -EBADMSG);
	CHECK_EQ(sip_msg_frame("OPTIONS sip:a@b SIP/2.0\r\nl: 99999999\r\n\r\n", 41, &n), -EMSGSIZE);
	free(m);
}

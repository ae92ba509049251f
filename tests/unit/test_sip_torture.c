/* test_sip_torture.c: every RFC 4475 torture message behaves as EXPECTED.tsv
 * says (read at run time from $RAKWON_SHARED/testdata/sip-torture, default
 * ../shared/testdata/sip-torture; a missing directory is a failure). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_msg.h"
#include "test.h"

struct tort {
	const char *name;
	const char *cls;          /* class column of EXPECTED.tsv */
	char *data;
	size_t len;
	struct sip_msg m;
	int r;                    /* sip_msg_decode() result (UDP) */
	struct sip_verdict v;     /* sip_msg_check() as a UAS */
	struct sip_verdict ep_v;
	int code;
	int ep_code;              /* sip_msg_check() with endpoint checks */
};

static char dir[512];

static const char *torture_dir(void)
{
	const char *s = getenv("RAKWON_SHARED");

	snprintf(dir, sizeof(dir), "%s/testdata/sip-torture", s && *s ? s : "../shared");
	return dir;
}

static char *load(const char *name, size_t *ret_len)
{
	char path[700];
	FILE *f;
	char *d;
	long n;

	snprintf(path, sizeof(path), "%s/%s", torture_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	d = malloc((size_t)n + 1);
	if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
		free(d);
		d = NULL;
	}
	fclose(f);
	if (d) {
		d[n] = '\0';
		*ret_len = (size_t)n;
	}
	return d;
}

static bool pleq(const struct pl *a, const char *s)
{
	return pl_eq_str(a, s);
}

static bool decoded_eq(const struct pl *a, const void *s, size_t n)
{
	char tmp[512];
	size_t l;

	return sip_pct_decode(tmp, sizeof(tmp), a, &l) == 0 && l == n && memcmp(tmp, s, n) == 0;
}

static const struct sip_hdr *hdr_other(const struct sip_msg *m, const char *name)
{
	return sip_msg_hdr_name(m, name);
}

#define REJECTED(t) ((t)->r < 0 || (t)->code != 0)
#define ACCEPTED(t) ((t)->r == 0 && (t)->code == 0)

/* ---- 3.1.1 valid messages --------------------------------------------- */

static void t_wsinv(struct tort *t)
{
	const struct sip_msg *m = &t->m;
	const struct sip_hdr *h;
	char dn[64];
	size_t l;
	struct buf *b;

	CHECK(ACCEPTED(t));
	CHECK(m->req && m->meth == SIP_METHOD_INVITE);
	CHECK_EQ(t->ep_code, 0); /* an INVITE with SDP: fine for our endpoint */
	CHECK(pleq(&m->ruri.user, "vivekg") && pleq(&m->ruri.host, "chair-dnrc.example.com"));
	CHECK(pleq(&m->ruri.params, ";unknownparam"));
	CHECK(pleq(&m->to.tag, "1918181833n"));
	CHECK(!m->to.angle && pleq(&m->to.uri.user, "vivekg"));
	CHECK(m->from.dname_quoted && pleq(&m->from.dname, "J Rosenberg \\\\\\\""));
	CHECK_OK(sip_unquote(dn, sizeof(dn), &m->from.dname, &l));
	CHECK(l == 14 && memcmp(dn, "J Rosenberg \\\"", 14) == 0);
	CHECK(pleq(&m->from.tag, "98asjd8"));
	CHECK_EQ(m->max_forwards, 68);
	CHECK_EQ(m->cseq.num, 9);
	CHECK(m->cseq.meth == SIP_METHOD_INVITE);
	CHECK(pleq(&m->callid, "wsinv.ndaksdj@192.0.2.1"));
	CHECK_EQ(m->nvia, 3);
	CHECK(pleq(&m->via[0].version, "2.0") && m->via[0].tp == SIP_TP_UDP);
	CHECK(pleq(&m->via[0].host, "192.0.2.2") && pleq(&m->via[0].branch, "390skdjuw"));
	CHECK(m->via[1].tp == SIP_TP_TCP && pleq(&m->via[1].host, "spindle.example.com"));
	CHECK(pleq(&m->via[1].branch, "z9hG4bK9ikj8"));
	CHECK(pleq(&m->via[2].host, "192.168.255.111") && pleq(&m->via[2].branch, "z9hG4bK30239"));
	h = sip_msg_hdr(m, SIP_HDR_SUBJECT, 0);
	CHECK(h && h->val.l == 0 && pleq(&h->name, "s"));
	h = hdr_other(m, "newfangledheader");
	CHECK(h && h->id == SIP_HDR_OTHER);
	CHECK(pleq(&h->val, "newfangled value\r\n continued newfangled value"));
	h = hdr_other(m, "UnknownHeaderWithUnusualValue");
	CHECK(h && pleq(&h->val, ";;,,;;,;"));
	CHECK_EQ(m->ncontact, 1);
	CHECK(m->contact.dname_quoted && pleq(&m->contact.dname, "Quoted string \\\"\\\""));
	{
		struct pl v;

		CHECK_OK(sip_param_get(&m->contact.params, "newparam", &v));
		CHECK(pleq(&v, "newvalue"));
		CHECK_OK(sip_param_get(&m->contact.params, "q", &v));
		CHECK(pleq(&v, "0.33"));
		CHECK(sip_param_exists(&m->contact.params, "secondparam"));
	}
	CHECK(sip_msg_has(m, SIP_HDR_ROUTE));
	CHECK(pleq(&m->ctype, "application/sdp"));
	CHECK_EQ(m->clen, 150);
	CHECK_EQ(m->body.l, 150);
	/* unknown headers survive a re-print unchanged (minus folding) */
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sip_msg_print(b, m));
	CHECK(memmem(b->data, b->len, "UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n", 41));
	CHECK(memmem(b->data, b->len,
		     "NewFangledHeader: newfangled value continued newfangled value\r\n", 63));
	buf_unref(b);
}

static void t_intmeth(struct tort *t)
{
	const struct sip_msg *m = &t->m;
	const struct sip_hdr *h;
	char dn[64];
	size_t l;
	struct pl v;

	CHECK(ACCEPTED(t));
	CHECK_EQ(t->ep_code, 501); /* an endpoint answers 501 */
	CHECK(m->meth == SIP_METHOD_OTHER);
	CHECK(pleq(&m->method, "!interesting-Method0123456789_*+`.%indeed'~"));
	CHECK(pleq(&m->ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"));
	CHECK(pleq(&m->ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"));
	CHECK(pleq(&m->ruri.host, "example.com"));
	CHECK(pleq(&m->via[0].branch, "z9hG4bK-.!%66*_+`'~"));
	CHECK_OK(sip_unquote(dn, sizeof(dn), &m->to.dname, &l));
	CHECK(l == 17 && memcmp(dn, "BEL:\x07 NUL:\0 DEL:\x7f", 17) == 0);
	CHECK(pleq(&m->to.uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"));
	CHECK(!m->from.dname_quoted && pleq(&m->from.dname, "token1~` token2'+_ token3*%!.-"));
	CHECK(pleq(&m->from.tag, "_token~1'+`*%!-."));
	CHECK_OK(sip_param_get(&m->from.params, "fromParam''~+*_!.-%", &v));
	CHECK(pleq(&v, "\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9"));
	CHECK(pleq(&m->callid, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
	CHECK(pleq(&m->cseq.method, "!interesting-Method0123456789_*+`.%indeed'~"));
	CHECK_EQ(m->max_forwards, 255);
	h = hdr_other(m, "extensionHeader-!.%*+_`'~");
	CHECK(h && h->val.l == 12 && memcmp(h->val.p, "\xef\xbb\xbf\xe5\xa4\xa7", 6) == 0);
}

static void t_esc01(struct tort *t)
{
	const struct sip_msg *m = &t->m;

	CHECK(ACCEPTED(t));
	CHECK(pleq(&m->ruri.user, "sips%3Auser%40example.com"));
	CHECK(decoded_eq(&m->ruri.user, "sips:user@example.com", 21));
	CHECK(pleq(&m->ruri.host, "example.net"));
	CHECK(decoded_eq(&m->to.uri.user, "user", 4));
	CHECK(decoded_eq(&m->from.uri.user, "I have spaces", 13));
	CHECK(decoded_eq(&m->contact.uri.user, "caller", 6));
	CHECK(pleq(&m->contact.uri.params, ";%6C%72;n%61me=v%61lue%25%34%31"));
	{
		/* the param value decodes once to "value%41", never to "valueA" */
		struct pl rest = m->contact.uri.params, n, val;

		CHECK(sip_param_next(&rest, &n, &val) && decoded_eq(&n, "lr", 2) && !val.p);
		CHECK(sip_param_next(&rest, &n, &val) && decoded_eq(&n, "name", 4));
		CHECK(decoded_eq(&val, "value%41", 8));
	}
}

static void t_escnull(struct tort *t)
{
	const struct sip_msg *m = &t->m;
	struct sip_hdr_iter it;
	struct sip_addr a[2];
	struct pl v;
	int n = 0;

	CHECK(ACCEPTED(t));
	CHECK(decoded_eq(&m->to.uri.user, "null-\0-null", 11));
	CHECK(decoded_eq(&m->from.uri.user, "null-\0-null", 11));
	CHECK_EQ(m->ncontact, 2);
	sip_hdr_iter_init(&it, m, SIP_HDR_CONTACT);
	while (sip_hdr_iter_next(&it, &v) && n < 2)
		CHECK_OK(sip_addr_parse(&a[n++], &v));
	CHECK_EQ(n, 2);
	CHECK(decoded_eq(&a[0].uri.user, "\0", 1));
	CHECK(decoded_eq(&a[1].uri.user, "\0\0", 2));
	CHECK(!sip_uri_eq(&a[0].uri, &a[1].uri)); /* two distinct contacts */
	CHECK_EQ(m->clen, 0);
}

static void t_esc02(struct tort *t)
{
	const struct sip_msg *m = &t->m;
	char dn[16];
	size_t l;

	CHECK(ACCEPTED(t));
	CHECK_EQ(t->ep_code, 501); /* not REGISTER: an endpoint rejects with 501 */
	CHECK(m->meth == SIP_METHOD_OTHER && pleq(&m->method, "RE%47IST%45R"));
	CHECK_OK(sip_unquote(dn, sizeof(dn), &m->to.dname, &l));
	CHECK(l == 5 && memcmp(dn, "%Z%45", 5) == 0);
	CHECK_EQ(m->ncontact, 2);
	CHECK(sip_msg_hdr_name(m, "C%6Fntact") &&
	      sip_msg_hdr_name(m, "C%6Fntact")->id == SIP_HDR_OTHER);
	CHECK(pleq(&m->via[0].branch, "z9hG4bK209%fzsnel234"));
}

static void t_lwsdisp(struct tort *t)
{
	CHECK(ACCEPTED(t));
	CHECK(!t->m.from.dname_quoted && pleq(&t->m.from.dname, "caller"));
	CHECK(pleq(&t->m.from.uri.user, "caller") && t->m.from.angle);
}

static void t_longreq(struct tort *t)
{
	const struct sip_msg *m = &t->m;
	unsigned i;

	CHECK(ACCEPTED(t));
	CHECK_EQ(m->nvia, 34);
	for (i = 0; i < 33; i++) {
		char host[32];

		snprintf(host, sizeof(host), "sip%u.example.com", 33 - i);
		CHECK_MSG(pleq(&m->via[i].host, host), "via %u", i);
		CHECK(m->via[i].tp == SIP_TP_TCP);
	}
	CHECK(pleq(&m->via[33].host, "host.example.com"));
	CHECK(pleq(&m->via[33].received, "192.0.2.5"));
	CHECK(m->via[33].branch.l > 100);
	CHECK(m->to.dname_quoted && m->to.dname.l > 90);
	CHECK_EQ(m->to.uri.port, 6000);
	CHECK(m->from.tag.l > 50 && m->callid.l > 100);
	CHECK(m->from.uri.user.l > 100);
	CHECK(hdr_other(m, "Unknown-LongLongLongLongLongLongLongLongLongLongLongLongLongLong"
			   "LongLongLongLongLongLong-Name"));
	CHECK_EQ(m->max_forwards, 70);
	CHECK_EQ(m->body.l, 150);
}

static void t_dblreq(struct tort *t)
{
	CHECK(ACCEPTED(t));
	CHECK(t->m.meth == SIP_METHOD_REGISTER);
	CHECK_EQ(t->m.clen, 0);
	CHECK_EQ(t->m.body.l, 0);
	/* the 450 trailing octets are not part of the message */
	CHECK_EQ(t->m.len + 450, t->len);
}

static void t_semiuri(struct tort *t)
{
	struct sip_hdr_iter it;
	struct pl v;
	int n = 0;

	CHECK(ACCEPTED(t));
	CHECK(pleq(&t->m.ruri.user, "user;par=u%40example.net"));
	CHECK(pleq(&t->m.ruri.host, "example.com") && !t->m.ruri.params.p);
	sip_hdr_iter_init(&it, &t->m, SIP_HDR_ACCEPT);
	while (sip_hdr_iter_next(&it, &v))
		n++;
	CHECK_EQ(n, 6);
	CHECK(pleq(&v, "message/sipfrag"));
}

static void t_transports(struct tort *t)
{
	const struct sip_msg *m = &t->m;

	CHECK(ACCEPTED(t));
	CHECK_EQ(m->nvia, 5);
	CHECK(m->via[0].tp == SIP_TP_UDP && m->via[1].tp == SIP_TP_SCTP);
	CHECK(m->via[2].tp == SIP_TP_TLS && m->via[3].tp == SIP_TP_OTHER);
	CHECK(pleq(&m->via[3].transport, "UNKNOWN") && m->via[4].tp == SIP_TP_TCP);
}

static void t_mpart01(struct tort *t)
{
	CHECK(ACCEPTED(t));
	CHECK(t->m.meth == SIP_METHOD_MESSAGE);
	CHECK_EQ((int64_t)t->m.body.l, t->m.clen);
	CHECK(memchr(t->m.body.p, '\0', t->m.body.l) != NULL);
	CHECK(t->m.ctype.l > 15 && memcmp(t->m.ctype.p, "multipart/mixed", 15) == 0);
}

static void t_unreason(struct tort *t)
{
	CHECK(ACCEPTED(t));
	CHECK(!t->m.req && t->m.scode == 200);
	{
		static const char head[] = "= 2**3 * 5**2 \xd0\xbd\xd0\xbe";
		static const char tail[] = "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\xd0\xb5";
		const struct pl *r = &t->m.reason;

		CHECK(r->l > sizeof(head) + sizeof(tail));
		CHECK(memcmp(r->p, head, sizeof(head) - 1) == 0);
		CHECK(memcmp(r->p + r->l - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0);
	}
}

static void t_noreason(struct tort *t)
{
	CHECK(ACCEPTED(t));
	CHECK(!t->m.req && t->m.scode == 100 && t->m.reason.p && t->m.reason.l == 0);
}

/* ---- 3.1.2 invalid messages ------------------------------------------- */

/* rejected by the decoder with this code; reply buildable when expected */
static void expect_decode_err(struct tort *t, int code)
{
	CHECK_MSG(t->r < 0, "%s: decoded fine, expected %d", t->name, code);
	CHECK_MSG(t->m.err_code == code, "%s: err %d (%s), expected %d", t->name,
		  t->m.err_code, t->m.err_reason ? t->m.err_reason : "", code);
	CHECK_EQ(t->code, code);
}

/* decoded, and sip_msg_check() answers code */
static void expect_verdict(struct tort *t, int code)
{
	CHECK_MSG(t->r == 0, "%s: decode %d (%s)", t->name, t->r,
		  t->m.err_reason ? t->m.err_reason : "");
	CHECK_MSG(t->code == code, "%s: verdict %d (%s), expected %d", t->name, t->code,
		  t->v.reason ? t->v.reason : "", code);
}

/* a reply to a rejected request can be built and carries the right code */
static void expect_reply(struct tort *t, int code)
{
	struct buf *b;
	struct sip_msg *rsp;

	CHECK(sip_msg_can_reply(&t->m));
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sip_reply_verdict(b, &t->m, &t->v, "tt1"));
	rsp = malloc(sizeof(*rsp));
	CHECK(rsp);
	CHECK_OK(sip_msg_decode(rsp, (const char *)b->data, b->len, 0));
	CHECK_EQ(rsp->scode, code);
	CHECK(pl_eq(&rsp->callid, &t->m.callid));
	CHECK_EQ(rsp->nvia, t->m.nvia);
	CHECK(pl_eq(&rsp->via[0].branch, &t->m.via[0].branch));
	CHECK_EQ(rsp->cseq.num, t->m.cseq.num);
	free(rsp);
	buf_unref(b);
}

static void t_badinv01(struct tort *t)
{
	expect_decode_err(t, 400);
	CHECK(pleq(&t->m.callid, "badinv01.0ha0isndaksdjasdf3234nas"));
}

static void t_clerr(struct tort *t)
{
	size_t n;

	expect_decode_err(t, 400);
	expect_reply(t, 400);
	/* stream transport: wait for more data */
	CHECK_EQ(sip_msg_frame(t->data, t->len, &n), -EAGAIN);
}

static void t_ncl(struct tort *t)
{
	size_t n;

	expect_decode_err(t, 400);
	expect_reply(t, 400);
	CHECK_EQ(t->m.clen, -2);
	CHECK_EQ(sip_msg_frame(t->data, t->len, &n), -EBADMSG);
}

static void t_scalar02(struct tort *t)
{
	expect_decode_err(t, 400);
	CHECK(pleq(&t->m.callid, "scalar02.23o0pd9vanlq3wnrlnewofjas9ui32"));
	CHECK_EQ(t->m.expires, 3600); /* overlarge Expires treated as default */
}

static void t_scalarlg(struct tort *t)
{
	/* a response: dropped, never answered */
	CHECK(t->r < 0 && !t->m.req && t->code == 0);
}

static void t_quotbal(struct tort *t)
{
	expect_decode_err(t, 400);
	CHECK(!sip_msg_can_reply(&t->m)); /* To is unusable */
}

static void t_reject400(struct tort *t)
{
	expect_decode_err(t, 400);
}

static void t_reject400_reply(struct tort *t)
{
	expect_decode_err(t, 400);
	expect_reply(t, 400);
}

static void t_escruri(struct tort *t)
{
	expect_verdict(t, 400);
	CHECK(pleq(&t->m.ruri.headers, "Route=%3Csip:example.com%3E"));
	expect_reply(t, 400);
}

static void t_baddate(struct tort *t)
{
	/* liberal: Date does not matter to us, the message is processed */
	expect_verdict(t, 0);
	CHECK(pleq(&sip_msg_hdr(&t->m, SIP_HDR_DATE, 0)->val, "Fri, 01 Jan 2010 16:00:00 EST"));
}

static void t_baddn(struct tort *t)
{
	struct sip_msg *m;
	size_t len;
	char *d;
	int r;

	expect_decode_err(t, 400);
	/* the terminated variant is rejected for the display names themselves */
	d = load("extras/baddn-terminated.dat", &len);
	CHECK_MSG(d, "extras/baddn-terminated.dat missing");
	m = malloc(sizeof(*m));
	CHECK(m);
	r = sip_msg_decode(m, d, len, 0);
	CHECK_EQ(r, -EBADMSG);
	CHECK_EQ(m->err_code, 400);
	CHECK_STR(m->err_reason, "Malformed From");
	free(m);
	free(d);
}

static void t_badvers(struct tort *t)
{
	expect_decode_err(t, 505);
	expect_reply(t, 505);
}

static void t_mismatch01(struct tort *t)
{
	expect_verdict(t, 400);
	expect_reply(t, 400);
}

static void t_mismatch02(struct tort *t)
{
	expect_verdict(t, 501);
	expect_reply(t, 501);
}

static void t_bigcode(struct tort *t)
{
	CHECK(t->r < 0 && !t->m.req && t->code == 0);
}

/* ---- 3.2 - 3.4 ---------------------------------------------------------- */

static void t_badbranch(struct tort *t)
{
	expect_verdict(t, 0);
	CHECK(pleq(&t->m.via[0].branch, "z9hG4bK"));
}

static void t_insuf(struct tort *t)
{
	expect_verdict(t, 400);
	CHECK(!sip_msg_can_reply(&t->m)); /* no From/To/Call-ID to answer with */
}

static void t_unkscm(struct tort *t)
{
	expect_verdict(t, 416);
	CHECK(t->m.ruri.scheme_id == SIP_SCHEME_OTHER);
	CHECK(pleq(&t->m.ruri.scheme, "nobodyKnowsThisScheme"));
	CHECK(pleq(&t->m.ruri.opaque, "totallyopaquecontent"));
	expect_reply(t, 416);
}

static void t_novelsc(struct tort *t)
{
	expect_verdict(t, 416);
	CHECK(pleq(&t->m.ruri.scheme, "soap.beep"));
	CHECK(pleq(&t->m.ruri.opaque, "//192.0.2.103:3002"));
}

static void t_unksm2(struct tort *t)
{
	expect_verdict(t, 400); /* REGISTER: To must be a sip/sips AOR */
	CHECK(pleq(&t->m.to.uri.scheme, "isbn") && pleq(&t->m.to.uri.opaque, "2983792873"));
	CHECK(pleq(&t->m.from.uri.scheme, "http") && t->m.from.angle);
	CHECK(pleq(&t->m.contact.uri.scheme, "name"));
}

static void t_bext01(struct tort *t)
{
	static const char *const sup[] = { "timer", "100rel", NULL };
	struct sip_check_cfg proxy = { .supported = sup, .proxy = true };
	struct sip_verdict v;
	struct buf *b;

	expect_verdict(t, 420);
	CHECK_EQ(t->v.nunsupported, 2);
	CHECK(pleq(&t->v.unsupported[0], "nothingSupportsThis"));
	CHECK(pleq(&t->v.unsupported[1], "nothingSupportsThisEither"));
	CHECK_EQ(sip_msg_check(&t->m, &proxy, &v), 420);
	CHECK_EQ(v.nunsupported, 4);
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sip_reply_verdict(b, &t->m, &t->v, "x"));
	CHECK(memmem(b->data, b->len,
		     "\r\nUnsupported: nothingSupportsThis, nothingSupportsThisEither\r\n", 62));
	buf_unref(b);
}

static void t_invut(struct tort *t)
{
	expect_verdict(t, 0); /* a proxy processes it normally */
	CHECK_EQ(t->ep_code, 415); /* an endpoint rejects it */
	CHECK(pleq(&t->m.ctype, "application/unknownformat"));
	CHECK(t->m.body.l > 0);
}

static void t_regaut01(struct tort *t)
{
	struct sip_digest d;

	expect_verdict(t, 0);
	CHECK_EQ(t->ep_code, 405); /* a non-registrar endpoint */
	CHECK_OK(sip_digest_parse(&d, &sip_msg_hdr(&t->m, SIP_HDR_AUTHORIZATION, 0)->val));
	CHECK(pleq(&d.scheme, "NoOneKnowsThisScheme"));
	CHECK(pleq(&d.params, "opaque-data=here"));
}

static void t_multi01(struct tort *t)
{
	expect_decode_err(t, 400);
	CHECK_STR(t->m.err_reason, "Multiple CSeq");
}

static void t_mcl01(struct tort *t)
{
	size_t n;

	expect_decode_err(t, 400);
	CHECK_STR(t->m.err_reason, "Multiple Content-Length");
	expect_reply(t, 400);
	CHECK_EQ(sip_msg_frame(t->data, t->len, &n), -EBADMSG);
}

static void t_bcast(struct tort *t)
{
	CHECK(ACCEPTED(t));
	CHECK(!t->m.req && t->m.scode == 200 && t->m.nvia == 2);
	CHECK(pleq(&t->m.via[1].host, "255.255.255.255"));
}

static void t_zeromf(struct tort *t)
{
	expect_verdict(t, 0); /* OPTIONS: processed by an endpoint */
	CHECK_EQ(t->ep_code, 0);
	CHECK_EQ(t->m.max_forwards, 0);
}

static void t_cparam01(struct tort *t)
{
	expect_verdict(t, 0);
	CHECK(!t->m.contact.angle && !t->m.contact.uri.params.p);
	CHECK(pleq(&t->m.contact.params, ";unknownparam"));
	CHECK(pleq(&t->m.contact.uri.user, "+19725552222"));
}

static void t_cparam02(struct tort *t)
{
	expect_verdict(t, 0);
	CHECK(t->m.contact.angle && pleq(&t->m.contact.uri.params, ";unknownparam"));
	CHECK(!t->m.contact.params.p);
}

static void t_regescrt(struct tort *t)
{
	expect_verdict(t, 0);
	CHECK(pleq(&t->m.contact.uri.headers, "Route=%3Csip:sip.example.com%3E"));
	CHECK(decoded_eq(&t->m.contact.uri.headers, "Route=<sip:sip.example.com>", 27));
	CHECK_EQ(t->m.clen, 0);
}

static void t_sdp01(struct tort *t)
{
	expect_verdict(t, 0);
	CHECK_EQ(t->ep_code, 406); /* our answer would be application/sdp */
	CHECK(sip_msg_has_tag(&t->m, SIP_HDR_ACCEPT, "text/nobodyKnowsThis"));
	CHECK(pleq(&t->m.ctype, "application/sdp") && t->m.body.l == (size_t)t->m.clen);
}

static void t_inv2543(struct tort *t)
{
	expect_verdict(t, 0);
	CHECK_EQ(t->m.clen, -1);
	CHECK_EQ(t->m.body.l, 105); /* the rest of the datagram */
	CHECK(!t->m.from.tag.p && !t->m.via[0].branch.p && t->m.max_forwards == -1);
}

static const struct {
	const char *name;
	void (*fn)(struct tort *t);
} handlers[] = {
	{ "wsinv.dat", t_wsinv }, { "intmeth.dat", t_intmeth }, { "esc01.dat", t_esc01 },
	{ "escnull.dat", t_escnull }, { "esc02.dat", t_esc02 }, { "lwsdisp.dat", t_lwsdisp },
	{ "longreq.dat", t_longreq }, { "dblreq.dat", t_dblreq }, { "semiuri.dat", t_semiuri },
	{ "transports.dat", t_transports }, { "mpart01.dat", t_mpart01 },
	{ "unreason.dat", t_unreason }, { "noreason.dat", t_noreason },
	{ "badinv01.dat", t_badinv01 }, { "clerr.dat", t_clerr }, { "ncl.dat", t_ncl },
	{ "scalar02.dat", t_scalar02 }, { "scalarlg.dat", t_scalarlg },
	{ "quotbal.dat", t_quotbal }, { "ltgtruri.dat", t_reject400_reply },
	{ "lwsruri.dat", t_reject400_reply }, { "lwsstart.dat", t_reject400_reply },
	{ "trws.dat", t_reject400_reply }, { "escruri.dat", t_escruri },
	{ "baddate.dat", t_baddate }, { "regbadct.dat", t_reject400_reply },
	{ "badaspec.dat", t_reject400 }, { "baddn.dat", t_baddn },
	{ "badvers.dat", t_badvers }, { "mismatch01.dat", t_mismatch01 },
	{ "mismatch02.dat", t_mismatch02 }, { "bigcode.dat", t_bigcode },
	{ "badbranch.dat", t_badbranch }, { "insuf.dat", t_insuf },
	{ "unkscm.dat", t_unkscm }, { "novelsc.dat", t_novelsc }, { "unksm2.dat", t_unksm2 },
	{ "bext01.dat", t_bext01 }, { "invut.dat", t_invut }, { "regaut01.dat", t_regaut01 },
	{ "multi01.dat", t_multi01 }, { "mcl01.dat", t_mcl01 }, { "bcast.dat", t_bcast },
	{ "zeromf.dat", t_zeromf }, { "cparam01.dat", t_cparam01 },
	{ "cparam02.dat", t_cparam02 }, { "regescrt.dat", t_regescrt },
	{ "sdp01.dat", t_sdp01 }, { "inv2543.dat", t_inv2543 },
};

/* every message that decodes re-prints to one that decodes to the same fields */
static void roundtrip(struct tort *t)
{
	struct sip_msg *b;
	struct buf *out;
	unsigned i;

	if (t->r < 0)
		return;
	CHECK_OK(buf_new(&out, 0));
	CHECK_MSG(sip_msg_print(out, &t->m) == 0, "%s: print", t->name);
	b = malloc(sizeof(*b));
	CHECK(b);
	CHECK_MSG(sip_msg_decode(b, (const char *)out->data, out->len, 0) == 0,
		  "%s: reparse: %s\n%.*s", t->name, b->err_reason, (int)out->len, out->data);
	CHECK(t->m.req == b->req && pl_eq(&t->m.method, &b->method) && t->m.scode == b->scode);
	CHECK(pl_eq(&t->m.ruri.str, &b->ruri.str));
	CHECK_EQ(t->m.nvia, b->nvia);
	for (i = 0; i < b->nvia; i++)
		CHECK(pl_eq(&t->m.via[i].host, &b->via[i].host) &&
		      pl_eq(&t->m.via[i].branch, &b->via[i].branch));
	CHECK(pl_eq(&t->m.from.tag, &b->from.tag) && pl_eq(&t->m.to.tag, &b->to.tag));
	CHECK(pl_eq(&t->m.from.dname, &b->from.dname) && pl_eq(&t->m.to.dname, &b->to.dname));
	CHECK(sip_uri_eq(&t->m.from.uri, &b->from.uri) && sip_uri_eq(&t->m.to.uri, &b->to.uri));
	CHECK(pl_eq(&t->m.callid, &b->callid) && t->m.cseq.num == b->cseq.num);
	CHECK(t->m.max_forwards == b->max_forwards && t->m.ncontact == b->ncontact);
	CHECK(pl_eq(&t->m.body, &b->body) && pl_eq(&t->m.reason, &b->reason));
	free(b);
	buf_unref(out);
}

/* the class rule of EXPECTED.tsv on top of the per-message checks */
static void class_rule(struct tort *t)
{
	if (strcmp(t->cls, "valid") == 0)
		CHECK_MSG(ACCEPTED(t), "%s: valid message rejected: %d %s", t->name,
			  t->code ? t->code : t->m.err_code,
			  t->v.reason ? t->v.reason : t->m.err_reason ? t->m.err_reason : "");
	else if (strcmp(t->cls, "invalid") == 0 && strcmp(t->name, "baddate.dat") != 0)
		CHECK_MSG(REJECTED(t), "%s: invalid message accepted", t->name);
}

TEST(torture_all_expected)
{
	static const char *const sup[] = { "timer", "100rel", "replaces", NULL };
	static const char *const methods[] = { "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS",
					       "UPDATE", "INFO", NULL };
	static const char *const types[] = { "application/sdp", NULL };
	struct sip_check_cfg cfg = { .supported = sup };
	struct sip_check_cfg ep = { .supported = sup, .methods = methods, .accept_types = types,
				    .answer_type = "application/sdp" };
	char line[1024];
	unsigned rows = 0, i;
	FILE *f;
	char path[700];

	snprintf(path, sizeof(path), "%s/EXPECTED.tsv", torture_dir());
	f = fopen(path, "r");
	CHECK_MSG(f, "%s missing: set RAKWON_SHARED (e.g. /work/shared)", path);
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, "\t"), *sec = strtok(NULL, "\t");
		char *cls = strtok(NULL, "\t");
		struct tort *t;
		bool found = false;

		if (!name || !sec || !cls || strcmp(name, "name") == 0)
			continue;
		rows++;
		t = calloc(1, sizeof(*t));
		if (!t)
			break;
		t->name = name;
		t->cls = cls;
		t->data = load(name, &t->len);
		if (!t->data) {
			test_fail(__FILE__, __LINE__, "%s: cannot read", name);
			free(t);
			continue;
		}
		t->r = sip_msg_decode(&t->m, t->data, t->len, 0);
		t->code = sip_msg_check(&t->m, &cfg, &t->v);
		t->ep_code = sip_msg_check(&t->m, &ep, &t->ep_v);
		for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
			if (strcmp(handlers[i].name, name) == 0) {
				found = true;
				handlers[i].fn(t);
				class_rule(t);
				roundtrip(t);
			}
		}
		if (!found)
			test_fail(__FILE__, __LINE__, "%s: no check for this message", name);
		free(t->data);
		free(t);
	}
	fclose(f);
	CHECK_EQ(rows, 49);
	CHECK_EQ(sizeof(handlers) / sizeof(handlers[0]), 49);
}

/* stream framing and the limits on the same messages */
TEST(torture_stream_and_limits)
{
	size_t len, n;
	char *d = load("dblreq.dat", &len);
	struct sip_msg *m;

	CHECK_MSG(d, "%s/dblreq.dat missing", torture_dir());
	/* stream: REGISTER framed by Content-Length 0, the INVITE stays queued */
	CHECK_OK(sip_msg_frame(d, len, &n));
	CHECK_EQ(n + 450, len);
	CHECK_EQ(sip_msg_frame(d, n - 1, &n), -EAGAIN);
	m = malloc(sizeof(*m));
	CHECK(m);
	CHECK_OK(sip_msg_decode(m, d, len, SIP_DECODE_STREAM));
	CHECK_EQ(m->len + 450, len);
	free(d);
	free(m);
}

/* test_sip_auth.c: digest authentication against the RFC 2617 and RFC 7616
 * example vectors, challenge selection and a challenge/respond/verify loop. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/sip_auth.h"
#include "test.h"

static int parse(struct sip_digest *d, const char *s)
{
	struct pl p = pl_str(s);

	return sip_digest_parse(d, &p);
}

TEST(hash_vectors)
{
	char out[65];

	CHECK_OK(sip_auth_hash_hex(SIP_AUTH_MD5, "", 0, out, sizeof(out)));
	CHECK_STR(out, "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_OK(sip_auth_hash_hex(SIP_AUTH_SHA256, "abc", 3, out, sizeof(out)));
	CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_EQ(sip_auth_hash_hex(SIP_AUTH_SHA256, "abc", 3, out, 33), -EINVAL);
}

/* the response field of our credentials */
static void respond_check(const char *chal, const char *method, const char *uri,
			  const char *user, const char *pw, const char *cnonce,
			  const char *want)
{
	struct sip_digest c, cred;
	struct buf *b;
	char tmp[1024];
	struct pl u = pl_str(uri);

	CHECK_OK(parse(&c, chal));
	CHECK_OK(buf_new(&b, 0));
	CHECK_OK(sip_auth_respond(b, &c, method, &u, user, pw, 1, cnonce));
	snprintf(tmp, sizeof(tmp), "%.*s", (int)b->len, b->data);
	CHECK_OK(parse(&cred, tmp));
	CHECK_MSG(pl_eq_str(&cred.response, want), "got %s", tmp);
	CHECK(pl_eq_str(&cred.nc, "00000001") && pl_eq_str(&cred.qop, "auth"));
	CHECK(pl_eq_str(&cred.username, user) && pl_eq(&cred.opaque, &c.opaque));
	/* the server side agrees, and refuses a wrong password */
	{
		char realm[128], nonce[128];

		snprintf(realm, sizeof(realm), "%.*s", PL_FMT(c.realm));
		snprintf(nonce, sizeof(nonce), "%.*s", PL_FMT(c.nonce));
		CHECK_OK(sip_auth_verify(&cred, method, pw, realm, nonce));
		CHECK_EQ(sip_auth_verify(&cred, method, "wrong", realm, nonce), -EACCES);
		CHECK_EQ(sip_auth_verify(&cred, "POST", pw, realm, nonce), -EACCES);
		CHECK_EQ(sip_auth_verify(&cred, method, pw, realm, "othernonce"), -EACCES);
	}
	buf_unref(b);
}

TEST(rfc2617_example)
{
	respond_check("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
		      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
		      "GET", "/dir/index.html", "Mufasa", "Circle Of Life", "0a4f113b",
		      "6629fae49393a05397450978507c4ef1");
}

TEST(rfc7616_examples)
{
	/* RFC 7616 3.9.1, SHA-256 and MD5 */
	respond_check("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
		      "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
		      "GET", "/dir/index.html", "Mufasa", "Circle of Life",
		      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
		      "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	respond_check("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
		      "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
		      "GET", "/dir/index.html", "Mufasa", "Circle of Life",
		      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
		      "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(challenge_pick)
{
	static const char rsp[] =
		"SIP/2.0 401 Unauthorized\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n"
		"Call-ID: c\r\nCSeq: 1 REGISTER\r\n"
		"WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"\r\n"
		"WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"\r\n"
		"WWW-Authenticate: Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-512-256\r\n"
		"WWW-Authenticate: Basic realm=\"r\"\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char rsp407[] =
		"SIP/2.0 407 Proxy Authentication Required\r\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n"
		"Call-ID: c\r\nCSeq: 1 INVITE\r\n"
		"Proxy-Authenticate: Digest realm=\"p\", nonce=\"x\", qop=\"auth-int\"\r\n"
		"Proxy-Authenticate: Digest realm=\"p\", nonce=\"y\"\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sip_msg *m;
	struct sip_digest d;
	bool proxy;

	CHECK_OK(sip_msg_new(&m, rsp, sizeof(rsp) - 1, 0));
	CHECK_OK(sip_auth_pick(m, &d, &proxy));
	CHECK(pl_eq_str(&d.nonce, "n2") && !proxy);
	sip_msg_unref(m);
	CHECK_OK(sip_msg_new(&m, rsp407, sizeof(rsp407) - 1, 0));
	CHECK_OK(sip_auth_pick(m, &d, &proxy));
	CHECK(pl_eq_str(&d.nonce, "y") && proxy); /* auth-int only is skipped */
	sip_msg_unref(m);
}

TEST(server_loop_all_algorithms)
{
	enum sip_auth_alg alg;

	for (alg = SIP_AUTH_MD5; alg < SIP_AUTH_ALG_MAX; alg++) {
		struct buf *ch, *cr;
		struct sip_digest c, cred;
		char tmp[1024];
		struct pl uri = PL("sip:registrar.example.org");

		CHECK_OK(buf_new(&ch, 0));
		CHECK_OK(buf_new(&cr, 0));
		CHECK_OK(sip_auth_challenge(ch, "rakwon \"test\"", "abc123", alg, "op", false));
		snprintf(tmp, sizeof(tmp), "%.*s", (int)ch->len, ch->data);
		CHECK_OK(parse(&c, tmp));
		CHECK(pl_eq_str(&c.algorithm, sip_auth_alg_name(alg)));
		CHECK_OK(sip_auth_respond(cr, &c, "REGISTER", &uri, "room\"1", "s3cret", 7, "cn0"));
		snprintf(tmp, sizeof(tmp), "%.*s", (int)cr->len, cr->data);
		CHECK_OK(parse(&cred, tmp));
		CHECK(pl_eq_str(&cred.nc, "00000007"));
		CHECK_MSG(sip_auth_verify(&cred, "REGISTER", "s3cret", "rakwon \"test\"", "abc123") == 0,
			  "alg %d: %s", alg, tmp);
		CHECK_EQ(sip_auth_verify(&cred, "REGISTER", "s3cret!", "rakwon \"test\"", "abc123"),
			 -EACCES);
		buf_unref(ch);
		buf_unref(cr);
	}
}

TEST(no_qop_and_errors)
{
	struct sip_digest c, cred;
	struct buf *b;
	char tmp[512];
	struct pl uri = PL("sip:x@y");

	CHECK_OK(buf_new(&b, 0));
	/* RFC 2069 style: no qop, no cnonce/nc in the answer */
	CHECK_OK(parse(&c, "Digest realm=\"r\", nonce=\"n\""));
	CHECK_OK(sip_auth_respond(b, &c, "INVITE", &uri, "u", "p", 1, "c"));
	snprintf(tmp, sizeof(tmp), "%.*s", (int)b->len, b->data);
	CHECK(!strstr(tmp, "qop") && !strstr(tmp, "cnonce"));
	CHECK_OK(parse(&cred, tmp));
	CHECK_OK(sip_auth_verify(&cred, "INVITE", "p", "r", "n"));
	/* auth-int only, unknown algorithm, missing nonce, other scheme */
	CHECK_OK(parse(&c, "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""));
	CHECK_EQ(sip_auth_respond(b, &c, "INVITE", &uri, "u", "p", 1, "c"), -ENOTSUP);
	CHECK_OK(parse(&c, "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"));
	CHECK_EQ(sip_auth_respond(b, &c, "INVITE", &uri, "u", "p", 1, "c"), -ENOTSUP);
	CHECK_OK(parse(&c, "Digest realm=\"r\""));
	CHECK_EQ(sip_auth_respond(b, &c, "INVITE", &uri, "u", "p", 1, "c"), -EBADMSG);
	CHECK_OK(parse(&c, "Basic realm=\"r\""));
	CHECK_EQ(sip_auth_respond(b, &c, "INVITE", &uri, "u", "p", 1, "c"), -ENOTSUP);
	CHECK_OK(parse(&cred, "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x@y\""));
	CHECK_EQ(sip_auth_verify(&cred, "INVITE", "p", "r", "n"), -EBADMSG);
	buf_unref(b);
}

TEST(stateless_nonces)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t other[32] = { 9 };
	char n[SIP_AUTH_NONCE_LEN + 1];
	struct pl p;

	CHECK_OK(sip_auth_nonce_new(n, sizeof(n), key, sizeof(key), 1000));
	CHECK_EQ(strlen(n), SIP_AUTH_NONCE_LEN);
	p = pl_str(n);
	CHECK_OK(sip_auth_nonce_check(&p, key, sizeof(key), 1000, 300));
	CHECK_OK(sip_auth_nonce_check(&p, key, sizeof(key), 1300, 300));
	CHECK_EQ(sip_auth_nonce_check(&p, key, sizeof(key), 1301, 300), -ESTALE);
	CHECK_EQ(sip_auth_nonce_check(&p, key, sizeof(key), 999, 300), -ESTALE); /* future */
	CHECK_EQ(sip_auth_nonce_check(&p, other, sizeof(other), 1000, 300), -EACCES);
	n[20] ^= 1;
	CHECK_EQ(sip_auth_nonce_check(&p, key, sizeof(key), 1000, 300), -EACCES);
	n[20] ^= 1;
	n[15] = n[15] == '0' ? '1' : '0'; /* forged time */
	CHECK_EQ(sip_auth_nonce_check(&p, key, sizeof(key), 1000, 1u << 30), -EACCES);
	p.l--;
	CHECK_EQ(sip_auth_nonce_check(&p, key, sizeof(key), 1000, 300), -EACCES);
	CHECK_EQ(sip_auth_nonce_new(n, 10, key, sizeof(key), 1), -EINVAL);
}

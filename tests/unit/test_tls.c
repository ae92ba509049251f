/* test_tls.c: TLS client+server on one loop over 127.0.0.1, and the PKI helpers. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "test.h"

struct pkiset {
	struct pki_key *ca_key, *ca2_key, *srv_key, *cli_key, *bad_key;
	char *ca, *ca2, *srv, *cli, *bad, *srv_key_pem, *cli_key_pem, *bad_key_pem;
};

static struct pkiset P;

static int mkpki(void)
{
	struct pki_issue ca = { .subject = "CN=Test CA,O=Rakwon", .serial = 1, .days = 10,
				.is_ca = true };
	struct pki_issue ca2 = { .subject = "CN=Other CA", .serial = 1, .days = 10,
				 .is_ca = true };
	struct pki_issue srv = { .subject = "CN=provd.test", .serial = 2, .days = 10,
				 .server = true, .san_dns = "provd.test,127.0.0.1,::1,alt.test" };
	struct pki_issue cli = { .subject = "CN=dev-0001", .serial = 0x1234567890ULL,
				 .days = 10 };
	int r = 0;

	if (P.ca)
		return 0;
	r |= pki_key_generate(&P.ca_key);
	r |= pki_key_generate(&P.ca2_key);
	r |= pki_key_generate(&P.srv_key);
	r |= pki_key_generate(&P.cli_key);
	r |= pki_key_generate(&P.bad_key);
	if (r)
		return -EIO;
	r |= pki_ca_new(P.ca_key, &ca, &P.ca);
	r |= pki_ca_new(P.ca2_key, &ca2, &P.ca2);
	r |= pki_cert_sign(P.srv_key, &srv, P.ca, strlen(P.ca), P.ca_key, &P.srv);
	r |= pki_cert_sign(P.cli_key, &cli, P.ca, strlen(P.ca), P.ca_key, &P.cli);
	r |= pki_cert_sign(P.bad_key, &cli, P.ca2, strlen(P.ca2), P.ca2_key, &P.bad);
	r |= pki_key_write_pem(P.srv_key, &P.srv_key_pem);
	r |= pki_key_write_pem(P.cli_key, &P.cli_key_pem);
	r |= pki_key_write_pem(P.bad_key, &P.bad_key_pem);
	return r ? -EIO : 0;
}

__attribute__((destructor)) static void pki_cleanup(void)
{
	pki_key_free(P.ca_key);
	pki_key_free(P.ca2_key);
	pki_key_free(P.srv_key);
	pki_key_free(P.cli_key);
	pki_key_free(P.bad_key);
	free(P.ca);
	free(P.ca2);
	free(P.srv);
	free(P.cli);
	free(P.bad);
	free(P.srv_key_pem);
	free(P.cli_key_pem);
	free(P.bad_key_pem);
}

/* one side of a connection driven by the loop */
struct side {
	struct loop *l;
	struct tls *t;
	int fd;
	bool server, done;
	int rc;                 /* handshake / exchange result */
	const char *revoked;    /* server: refuse this serial after the handshake */
	char got[32];
	char peer_cn[64];
	struct side *other;
};

static void finish(struct side *s, int rc)
{
	s->done = true;
	s->rc = rc;
	(void)loop_fd_del(s->l, s->fd);
	if (rc < 0)   /* like a real peer: a failed side closes the connection */
		shutdown(s->fd, SHUT_RDWR);
	if (s->other->done)
		loop_quit(s->l, 0);
}

static void on_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct side *s = arg;
	ssize_t n;
	int r;

	(void)fd;
	(void)ev;
	r = tls_handshake(s->t);
	if (r == -EAGAIN) {
		(void)loop_fd_mod(l, s->fd, tls_want(s->t));
		return;
	}
	if (r < 0) {
		finish(s, r);
		return;
	}
	if (!s->peer_cn[0]) {
		char serial[64];

		(void)tls_peer_cn(s->t, s->peer_cn, sizeof(s->peer_cn));
		if (!s->peer_cn[0])
			strcpy(s->peer_cn, "-");
		/* the application check: revoked serials are refused */
		if (s->server && s->revoked && tls_peer_serial(s->t, serial, sizeof(serial)) == 0 &&
		    !strcmp(serial, s->revoked)) {
			finish(s, -EACCES);
			shutdown(s->fd, SHUT_RDWR);
			return;
		}
		if (!s->server) {
			n = tls_write(s->t, "ping", 4);
			if (n != 4) {
				finish(s, n < 0 ? (int)n : -EIO);
				return;
			}
		}
	}
	do {
		n = tls_read(s->t, s->got, sizeof(s->got) - 1);
		if (n == -EAGAIN) {
			(void)loop_fd_mod(l, s->fd, tls_want(s->t));
			return;
		}
		if (n <= 0) {
			finish(s, n == 0 ? -ECONNRESET : (int)n);
			return;
		}
		s->got[n] = '\0';
	} while (tls_pending(s->t));
	if (s->server)
		n = tls_write(s->t, "pong", 4);
	finish(s, 0);
}

static int tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int ls, c, s;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0)
		return -errno;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	s = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	close(ls);
	if (s < 0)
		return -errno;
	fcntl(c, F_SETFL, O_NONBLOCK);
	*a = c;
	*b = s;
	return 0;
}

struct run_opts {
	const char *cli_ca;               /* what the client trusts */
	const char *cli_cert, *cli_key;   /* NULL: no client certificate */
	const char *hostname;
	const char *revoked;
	struct tls_session *session;      /* resume with this */
	struct tls_session **save;        /* save the client session here */
	bool *resumed;
};

static struct tls_conf *srv_conf;

static int run(const struct run_opts *o, int *cli_rc, int *srv_rc, char *srv_peer_cn)
{
	struct side cs = { 0 }, ss = { 0 };
	struct tls_conf *cc;
	struct loop *l;
	int a = -1, b = -1, r;

	r = loop_new(&l);
	if (r < 0)
		return r;
	if (!srv_conf) {
		r = tls_conf_new(&srv_conf, TLS_SERVER);
		if (r == 0) {
			/* send the chain: leaf + CA, so clients can pin the CA */
			char chain[8192];

			snprintf(chain, sizeof(chain), "%s%s", P.srv, P.ca);
			r = tls_conf_set_cert_key_pem(srv_conf, chain, strlen(chain),
						      P.srv_key_pem, strlen(P.srv_key_pem));
		}
		if (r == 0)
			r = tls_conf_set_ca_pem(srv_conf, P.ca, strlen(P.ca));
		if (r == 0)
			r = tls_conf_set_verify(srv_conf, TLS_VERIFY_REQUIRED);
		if (r == 0)
			r = tls_conf_set_tickets(srv_conf, 3600);
		if (r < 0)
			return r;
	}
	r = tls_conf_new(&cc, TLS_CLIENT);
	if (r == 0)
		r = tls_conf_set_ca_pem(cc, o->cli_ca, strlen(o->cli_ca));
	if (r == 0 && o->cli_cert)
		r = tls_conf_set_cert_key_pem(cc, o->cli_cert, strlen(o->cli_cert), o->cli_key,
					      strlen(o->cli_key));
	if (r == 0)
		r = tcp_pair(&a, &b);
	if (r < 0)
		return r;
	cs = (struct side){ .l = l, .fd = a, .other = &ss };
	ss = (struct side){ .l = l, .fd = b, .server = true, .revoked = o->revoked,
			    .other = &cs };
	r = tls_new(&cs.t, cc, a, o->hostname);
	if (r == 0)
		r = tls_new(&ss.t, srv_conf, b, NULL);
	if (r == 0 && o->session)
		r = tls_session_set(cs.t, o->session);
	if (r == 0)
		r = loop_fd_add(l, a, EPOLLOUT, on_io, &cs);
	if (r == 0)
		r = loop_fd_add(l, b, EPOLLIN, on_io, &ss);
	if (r == 0)
		r = loop_run_for(l, 5 * 1000000);
	*cli_rc = cs.rc;
	*srv_rc = ss.rc;
	if (srv_peer_cn)
		strcpy(srv_peer_cn, ss.peer_cn);
	if (cs.rc == 0 && strcmp(cs.got, "pong"))
		*cli_rc = -EBADMSG;
	if (ss.rc == 0 && strcmp(ss.got, "ping"))
		*srv_rc = -EBADMSG;
	if (cs.rc == 0 && o->save)
		(void)tls_session_get(cs.t, o->save);
	if (o->resumed)
		*o->resumed = tls_resumed(cs.t);
	tls_free(cs.t);
	tls_free(ss.t);
	close(a);
	close(b);
	tls_conf_unref(cc);
	loop_free(l);
	return r;
}

__attribute__((destructor)) static void conf_cleanup(void)
{
	srv_conf = tls_conf_unref(srv_conf);
}

TEST(mutual_auth_exchange_and_resume)
{
	struct run_opts o = { 0 };
	struct tls_session *sess = NULL;
	char cn[64];
	bool resumed = true;
	int c, s;

	CHECK_OK(mkpki());
	o.cli_ca = P.ca;
	o.cli_cert = P.cli;
	o.cli_key = P.cli_key_pem;
	o.hostname = "provd.test";
	o.save = &sess;
	o.resumed = &resumed;
	CHECK_OK(run(&o, &c, &s, cn));
	CHECK_EQ(c, 0);
	CHECK_EQ(s, 0);
	CHECK_STR(cn, "dev-0001");
	CHECK(!resumed);
	CHECK(sess);
	/* second connection resumes (abbreviated handshake, ticket) and the
	 * server still knows the client's identity */
	o.save = NULL;
	o.session = sess;
	CHECK_OK(run(&o, &c, &s, cn));
	tls_session_free(sess);
	CHECK_EQ(c, 0);
	CHECK_EQ(s, 0);
	CHECK(resumed);
	CHECK_STR(cn, "dev-0001");
}

TEST(wrong_ca_fails)
{
	struct run_opts o = { 0 };
	int c, s;

	CHECK_OK(mkpki());
	o.cli_ca = P.ca2;          /* client trusts another CA */
	o.cli_cert = P.cli;
	o.cli_key = P.cli_key_pem;
	o.hostname = "provd.test";
	CHECK_OK(run(&o, &c, &s, NULL));
	CHECK_EQ(c, -EPERM);
	CHECK(s < 0);
}

TEST(hostname_in_san_list)
{
	struct run_opts o = { 0 };
	int c, s;

	CHECK_OK(mkpki());
	o.cli_ca = P.ca;
	o.cli_cert = P.cli;
	o.cli_key = P.cli_key_pem;
	o.hostname = "alt.test";
	CHECK_OK(run(&o, &c, &s, NULL));
	CHECK_EQ(c, 0);
	o.hostname = "127.0.0.1";
	CHECK_OK(run(&o, &c, &s, NULL));
	CHECK_EQ(c, 0);
}

TEST(hostname_mismatch_fails)
{
	struct run_opts o = { 0 };
	int c, s;

	CHECK_OK(mkpki());
	o.cli_ca = P.ca;
	o.cli_cert = P.cli;
	o.cli_key = P.cli_key_pem;
	o.hostname = "evil.test";
	CHECK_OK(run(&o, &c, &s, NULL));
	CHECK_EQ(c, -EPERM);
}

TEST(client_cert_required)
{
	struct run_opts o = { 0 };
	int c, s;

	CHECK_OK(mkpki());
	o.cli_ca = P.ca;
	o.hostname = "provd.test";
	CHECK_OK(run(&o, &c, &s, NULL));          /* no client certificate */
	CHECK_EQ(s, -EPERM);
	CHECK(c < 0);
	o.cli_cert = P.bad;                        /* unknown CA */
	o.cli_key = P.bad_key_pem;
	CHECK_OK(run(&o, &c, &s, NULL));
	CHECK_EQ(s, -EPERM);
	CHECK(c < 0);
}

TEST(revoked_client_refused_by_application)
{
	struct run_opts o = { 0 };
	struct pki_cert_info ci;
	int c, s;

	CHECK_OK(mkpki());
	CHECK_OK(pki_cert_info(P.cli, strlen(P.cli), &ci));
	CHECK_STR(ci.serial, "1234567890");
	CHECK_STR(ci.cn, "dev-0001");
	CHECK_STR(ci.issuer_cn, "Test CA");
	CHECK(!ci.is_ca);
	o.cli_ca = P.ca;
	o.cli_cert = P.cli;
	o.cli_key = P.cli_key_pem;
	o.hostname = "provd.test";
	o.revoked = ci.serial;
	CHECK_OK(run(&o, &c, &s, NULL));
	CHECK_EQ(s, -EACCES);
	CHECK(c < 0);
}

TEST(csr_sign_and_verify)
{
	struct pki_issue is = { .subject = "CN=dev-42", .serial = 77, .days = 1 };
	struct pki_csr_info ci;
	struct pki_key *k;
	char *csr, *cert, *kp;
	size_t n;

	CHECK_OK(mkpki());
	CHECK_OK(pki_key_generate(&k));
	CHECK_OK(pki_key_write_pem(k, &kp));
	CHECK_OK(pki_csr_new(k, "CN=dev-42,O=Rakwon", &csr));
	CHECK_OK(pki_csr_parse(csr, strlen(csr), &ci));
	CHECK_STR(ci.cn, "dev-42");
	CHECK(strstr(ci.pubkey_pem, "BEGIN PUBLIC KEY"));
	pki_csr_info_clear(&ci);
	CHECK_OK(pki_cert_sign_csr(csr, strlen(csr), &is, P.ca, strlen(P.ca), P.ca_key, &cert));
	CHECK_OK(pki_cert_verify(cert, strlen(cert), P.ca, strlen(P.ca)));
	CHECK_EQ(pki_cert_verify(cert, strlen(cert), P.ca2, strlen(P.ca2)), -EPERM);
	/* a tampered CSR fails its self-signature */
	n = strlen(csr);
	csr[n / 2] = csr[n / 2] == 'A' ? 'B' : 'A';
	CHECK(pki_csr_parse(csr, n, &ci) < 0);
	CHECK_EQ(pki_csr_parse("junk", 4, &ci), -EINVAL);
	free(csr);
	free(cert);
	free(kp);
	pki_key_free(k);
}

TEST(sign_verify_digest)
{
	struct pki_key *pub;
	uint8_t d[32], sig[80];
	size_t sl = sizeof(sig);
	struct pki_sha256 *h;
	uint8_t d2[32];
	char *pp, hex[65], *b64;
	uint8_t *raw;
	size_t rl;

	CHECK_OK(mkpki());
	pki_sha256("firmware", 8, d);
	CHECK_OK(pki_sha256_new(&h));
	pki_sha256_update(h, "firm", 4);
	pki_sha256_update(h, "ware", 4);
	pki_sha256_final(h, d2);
	CHECK(!memcmp(d, d2, 32));
	pki_hex(d, 32, hex);
	CHECK_EQ(strlen(hex), 64);
	CHECK_OK(pki_sign_digest(P.ca_key, d, sig, &sl));
	CHECK_OK(pki_key_write_pub_pem(P.ca_key, &pp));
	CHECK_OK(pki_pubkey_load_pem(&pub, pp, strlen(pp)));
	CHECK_OK(pki_verify_digest(pub, d, sig, sl));
	sig[sl - 3] ^= 1;
	CHECK_EQ(pki_verify_digest(pub, d, sig, sl), -EBADMSG);
	sig[sl - 3] ^= 1;
	d[0] ^= 1;
	CHECK_EQ(pki_verify_digest(pub, d, sig, sl), -EBADMSG);
	CHECK_OK(pki_base64_encode(sig, sl, &b64));
	CHECK_OK(pki_base64_decode(b64, strlen(b64), &raw, &rl));
	CHECK_EQ(rl, sl);
	CHECK(!memcmp(raw, sig, sl));
	CHECK_EQ(pki_base64_decode("!!", 2, &raw, &rl) < 0, 1);
	free(raw);
	free(b64);
	free(pp);
	pki_key_free(pub);
}

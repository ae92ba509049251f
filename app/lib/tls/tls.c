/* tls.c: non-blocking TLS connections over mbedTLS 2.28 (see tls.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pem.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_internal.h>
#include <mbedtls/ssl_ticket.h>

#include "lib/base/refcnt.h"
#include "lib/tls/tls.h"
#include "lib/tls/tls_int.h"

struct tls_conf {
	struct refcnt ref;
	enum tls_role role;
	enum tls_verify verify;
	mbedtls_ssl_config conf;
	struct tls_rng rng;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt own;
	mbedtls_pk_context key;
	mbedtls_ssl_cache_context cache;     /* server: session-id resumption */
	mbedtls_ssl_ticket_context ticket;   /* server: RFC 5077 tickets */
	bool have_ca, have_own, tickets;
};

struct tls {
	struct tls_conf *c;
	mbedtls_ssl_context ssl;
	int fd;
	uint32_t want;
	bool done, resumed;
	char err[200];
};

struct tls_session {
	mbedtls_ssl_session s;
};

static const int ciphersuites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	0,
};

static void set_authmode(struct tls_conf *c)
{
	int m = MBEDTLS_SSL_VERIFY_REQUIRED;

	if (c->verify == TLS_VERIFY_OPTIONAL)
		m = MBEDTLS_SSL_VERIFY_OPTIONAL;
	else if (c->verify == TLS_VERIFY_NONE)
		m = MBEDTLS_SSL_VERIFY_NONE;
	mbedtls_ssl_conf_authmode(&c->conf, m);
}

int tls_conf_new(struct tls_conf **ret, enum tls_role role)
{
	struct tls_conf *c;
	int r;

	if (!ret || (role != TLS_CLIENT && role != TLS_SERVER))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	refcnt_init(&c->ref);
	c->role = role;
	c->verify = role == TLS_CLIENT ? TLS_VERIFY_REQUIRED : TLS_VERIFY_NONE;
	mbedtls_ssl_config_init(&c->conf);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->own);
	mbedtls_pk_init(&c->key);
	mbedtls_ssl_cache_init(&c->cache);
	mbedtls_ssl_ticket_init(&c->ticket);
	r = tls_rng_init(&c->rng, role == TLS_CLIENT ? "rakwon-tls-c" : "rakwon-tls-s");
	if (r < 0) {
		/* tls_rng_init cleaned up after itself; re-init for the free path */
		mbedtls_entropy_init(&c->rng.ent);
		mbedtls_ctr_drbg_init(&c->rng.drbg);
		goto out;
	}
	if (mbedtls_ssl_config_defaults(&c->conf, role == TLS_CLIENT ? MBEDTLS_SSL_IS_CLIENT :
					MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
		r = -EINVAL;
		goto out;
	}
	mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->rng.drbg);
	mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);   /* TLS 1.2+ */
	mbedtls_ssl_conf_ciphersuites(&c->conf, ciphersuites);
	mbedtls_ssl_conf_renegotiation(&c->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	set_authmode(c);
	if (role == TLS_SERVER) {
		mbedtls_ssl_cache_set_max_entries(&c->cache, 1024);
		mbedtls_ssl_conf_session_cache(&c->conf, &c->cache, mbedtls_ssl_cache_get,
					       mbedtls_ssl_cache_set);
	}
out:
	if (r < 0) {
		tls_conf_unref(c);
		return r;
	}
	*ret = c;
	return 0;
}

struct tls_conf *tls_conf_ref(struct tls_conf *c)
{
	if (c)
		refcnt_inc(&c->ref);
	return c;
}

struct tls_conf *tls_conf_unref(struct tls_conf *c)
{
	if (!c || !refcnt_dec(&c->ref))
		return NULL;
	mbedtls_ssl_config_free(&c->conf);
	mbedtls_ssl_ticket_free(&c->ticket);
	mbedtls_ssl_cache_free(&c->cache);
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_x509_crt_free(&c->own);
	mbedtls_pk_free(&c->key);
	tls_rng_free(&c->rng);
	free(c);
	return NULL;
}

int tls_conf_set_ca_pem(struct tls_conf *c, const char *pem, size_t len)
{
	size_t n;
	char *d;
	int rc;

	if (!c || !pem)
		return -EINVAL;
	d = tls_pem_dup(pem, len, &n);
	if (!d)
		return -ENOMEM;
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_x509_crt_init(&c->ca);
	rc = mbedtls_x509_crt_parse(&c->ca, (unsigned char *)d, n);
	free(d);
	if (rc != 0) {
		mbedtls_x509_crt_free(&c->ca);
		mbedtls_x509_crt_init(&c->ca);
		c->have_ca = false;
		mbedtls_ssl_conf_ca_chain(&c->conf, NULL, NULL);
		return -EINVAL;
	}
	c->have_ca = true;
	mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
	return 0;
}

int tls_conf_set_ca_file(struct tls_conf *c, const char *path)
{
	size_t len;
	char *pem;
	int r;

	r = tls_read_file(path, &pem, &len);
	if (r < 0)
		return r;
	r = tls_conf_set_ca_pem(c, pem, len);
	free(pem);
	return r;
}

int tls_conf_set_cert_key_pem(struct tls_conf *c, const char *cert, size_t cert_len,
			      const char *key, size_t key_len)
{
	size_t n, m;
	char *d, *k;
	int r = 0;

	if (!c || !cert || !key)
		return -EINVAL;
	d = tls_pem_dup(cert, cert_len, &n);
	k = tls_pem_dup(key, key_len, &m);
	mbedtls_x509_crt_free(&c->own);
	mbedtls_x509_crt_init(&c->own);
	mbedtls_pk_free(&c->key);
	mbedtls_pk_init(&c->key);
	c->have_own = false;
	if (!d || !k)
		r = -ENOMEM;
	else if (mbedtls_x509_crt_parse(&c->own, (unsigned char *)d, n) != 0 ||
		 mbedtls_pk_parse_key(&c->key, (unsigned char *)k, m, NULL, 0) != 0)
		r = -EINVAL;
	else if (mbedtls_ssl_conf_own_cert(&c->conf, &c->own, &c->key) != 0)
		r = -EINVAL;
	free(d);
	if (k) {
		mbedtls_platform_zeroize(k, m);
		free(k);
	}
	if (r == 0)
		c->have_own = true;
	return r;
}

int tls_conf_set_cert_key_files(struct tls_conf *c, const char *cert_path,
				const char *key_path)
{
	size_t cl = 0, kl = 0;
	char *cert = NULL, *key = NULL;
	int r;

	r = tls_read_file(cert_path, &cert, &cl);
	if (r == 0)
		r = tls_read_file(key_path, &key, &kl);
	if (r == 0)
		r = tls_conf_set_cert_key_pem(c, cert, cl, key, kl);
	free(cert);
	if (key) {
		mbedtls_platform_zeroize(key, kl);
		free(key);
	}
	return r;
}

int tls_conf_set_verify(struct tls_conf *c, enum tls_verify v)
{
	if (!c || v > TLS_VERIFY_NONE)
		return -EINVAL;
	c->verify = v;
	set_authmode(c);
	return 0;
}

int tls_conf_set_tickets(struct tls_conf *c, unsigned lifetime_s)
{
	if (!c || c->role != TLS_SERVER || !lifetime_s)
		return -EINVAL;
	if (c->tickets)
		return 0;
	if (mbedtls_ssl_ticket_setup(&c->ticket, mbedtls_ctr_drbg_random, &c->rng.drbg,
				     MBEDTLS_CIPHER_AES_256_GCM, lifetime_s) != 0)
		return -EINVAL;
	mbedtls_ssl_conf_session_tickets_cb(&c->conf, mbedtls_ssl_ticket_write,
					    mbedtls_ssl_ticket_parse, &c->ticket);
	c->tickets = true;
	return 0;
}

/* --- connections ---------------------------------------------------------- */
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	ssize_t n;

	do
		n = send(t->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		t->want = EPOLLOUT;
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	}
	if (errno == EPIPE || errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	ssize_t n;

	do
		n = recv(t->fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		t->want = EPOLLIN;
		return MBEDTLS_ERR_SSL_WANT_READ;
	}
	if (errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

int tls_new(struct tls **ret, struct tls_conf *c, int fd, const char *hostname)
{
	struct tls *t;

	if (!ret || !c || fd < 0)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->c = tls_conf_ref(c);
	t->fd = fd;
	t->want = EPOLLIN;
	mbedtls_ssl_init(&t->ssl);
	if (mbedtls_ssl_setup(&t->ssl, &c->conf) != 0 ||
	    (c->role == TLS_CLIENT && hostname &&
	     mbedtls_ssl_set_hostname(&t->ssl, hostname) != 0)) {
		tls_free(t);
		return -ENOMEM;
	}
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
	*ret = t;
	return 0;
}

struct tls *tls_free(struct tls *t)
{
	if (!t)
		return NULL;
	mbedtls_ssl_free(&t->ssl);
	tls_conf_unref(t->c);
	free(t);
	return NULL;
}

static bool alert_is_cert(unsigned char a)
{
	return a == MBEDTLS_SSL_ALERT_MSG_BAD_CERT ||
	       a == MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT ||
	       a == MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED ||
	       a == MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED ||
	       a == MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN ||
	       a == MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA ||
	       a == MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED ||
	       a == MBEDTLS_SSL_ALERT_MSG_NO_CERT ||
	       a == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE;
}

/* map an mbedTLS error to -errno and remember its text */
static int map_err(struct tls *t, int rc, const char *what)
{
	char msg[128];

	switch (rc) {
	case MBEDTLS_ERR_SSL_WANT_READ:
		t->want = EPOLLIN;
		return -EAGAIN;
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		t->want = EPOLLOUT;
		return -EAGAIN;
	default:
		break;
	}
	if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		char info[128];
		uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);

		info[0] = '\0';
		mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
		info[strcspn(info, "\n")] = '\0';
		snprintf(t->err, sizeof(t->err), "%s: certificate verification failed: %s",
			 what, info);
		return -EPERM;
	}
	mbedtls_strerror(rc, msg, sizeof(msg));
	snprintf(t->err, sizeof(t->err), "%s: %s", what, msg);
	if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && t->ssl.in_msg &&
	    alert_is_cert(t->ssl.in_msg[1]))
		return -EPERM;
	if (rc == MBEDTLS_ERR_NET_CONN_RESET || rc == MBEDTLS_ERR_SSL_CONN_EOF ||
	    rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return -ECONNRESET;
	if (rc == MBEDTLS_ERR_SSL_ALLOC_FAILED)
		return -ENOMEM;
	if (rc == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE ||
	    rc == MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED)
		return -EPERM;
	return -EPROTO;
}

int tls_handshake(struct tls *t)
{
	int rc;

	if (!t)
		return -EINVAL;
	if (t->done)
		return 0;
	/* mbedtls_ssl_handshake() unrolled, to see handshake->resume (the
	 * handshake parameters are freed when it completes) */
	while (t->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
		rc = mbedtls_ssl_handshake_step(&t->ssl);
		if (t->ssl.handshake && t->ssl.handshake->resume)
			t->resumed = true;
		if (rc != 0)
			return map_err(t, rc, "handshake");
	}
	/* OPTIONAL on a server: a certificate, if given, must verify */
	if (t->c->verify == TLS_VERIFY_OPTIONAL && mbedtls_ssl_get_peer_cert(&t->ssl) &&
	    mbedtls_ssl_get_verify_result(&t->ssl) != 0 && t->c->role == TLS_SERVER) {
		snprintf(t->err, sizeof(t->err), "handshake: client certificate not trusted");
		return -EPERM;
	}
	t->done = true;
	return 0;
}

bool tls_handshake_done(const struct tls *t)
{
	return t && t->done;
}

ssize_t tls_read(struct tls *t, void *buf, size_t len)
{
	int rc;

	if (!t || !buf)
		return -EINVAL;
	if (!t->done) {
		rc = tls_handshake(t);
		if (rc < 0)
			return rc;
	}
	rc = mbedtls_ssl_read(&t->ssl, buf, len > INT32_MAX ? INT32_MAX : len);
	if (rc >= 0)
		return rc;
	if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return 0;
	return map_err(t, rc, "read");
}

ssize_t tls_write(struct tls *t, const void *buf, size_t len)
{
	int rc;

	if (!t || !buf)
		return -EINVAL;
	if (!t->done) {
		rc = tls_handshake(t);
		if (rc < 0)
			return rc;
	}
	rc = mbedtls_ssl_write(&t->ssl, buf, len > 16384 ? 16384 : len);
	if (rc >= 0)
		return rc;
	return map_err(t, rc, "write");
}

int tls_close_notify(struct tls *t)
{
	int rc;

	if (!t || !t->done)
		return 0;
	rc = mbedtls_ssl_close_notify(&t->ssl);
	return rc == 0 ? 0 : map_err(t, rc, "close");
}

uint32_t tls_want(const struct tls *t)
{
	return t ? t->want : EPOLLIN;
}

size_t tls_pending(const struct tls *t)
{
	return t ? mbedtls_ssl_get_bytes_avail(&t->ssl) : 0;
}

const char *tls_error(const struct tls *t)
{
	return t && t->err[0] ? t->err : "no error";
}

int tls_session_get(struct tls *t, struct tls_session **ret)
{
	struct tls_session *s;

	if (!t || !ret || !t->done)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	mbedtls_ssl_session_init(&s->s);
	if (mbedtls_ssl_get_session(&t->ssl, &s->s) != 0) {
		tls_session_free(s);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

int tls_session_set(struct tls *t, const struct tls_session *s)
{
	if (!t || !s)
		return -EINVAL;
	return mbedtls_ssl_set_session(&t->ssl, &s->s) == 0 ? 0 : -EINVAL;
}

struct tls_session *tls_session_free(struct tls_session *s)
{
	if (s) {
		mbedtls_ssl_session_free(&s->s);
		free(s);
	}
	return NULL;
}

bool tls_resumed(const struct tls *t)
{
	return t && t->done && t->resumed;
}

static const mbedtls_x509_crt *peer(const struct tls *t)
{
	return t && t->done ? mbedtls_ssl_get_peer_cert(&t->ssl) : NULL;
}

int tls_peer_cn(const struct tls *t, char *buf, size_t len)
{
	const mbedtls_x509_crt *c = peer(t);

	if (!c)
		return -ENOENT;
	tls_name_cn(&c->subject, buf, len);
	return 0;
}

int tls_peer_serial(const struct tls *t, char *buf, size_t len)
{
	const mbedtls_x509_crt *c = peer(t);

	if (!c)
		return -ENOENT;
	tls_serial_hex(c, buf, len);
	return 0;
}

int tls_peer_fingerprint(const struct tls *t, uint8_t out[32])
{
	const mbedtls_x509_crt *c = peer(t);

	if (!c)
		return -ENOENT;
	pki_sha256(c->raw.p, c->raw.len, out);
	return 0;
}

static int der_to_pem(const mbedtls_x509_crt *c, char **ret)
{
	size_t olen = 0, cap = c->raw.len * 2 + 128;
	unsigned char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
				     "-----END CERTIFICATE-----\n", c->raw.p, c->raw.len,
				     buf, cap, &olen) != 0) {
		free(buf);
		return -EINVAL;
	}
	*ret = (char *)buf;
	return 0;
}

int tls_peer_cert_pem(const struct tls *t, char **ret)
{
	const mbedtls_x509_crt *c = peer(t);

	if (!c)
		return -ENOENT;
	return der_to_pem(c, ret);
}

int tls_peer_chain_top_pem(const struct tls *t, char **ret)
{
	const mbedtls_x509_crt *c = peer(t);

	if (!c)
		return -ENOENT;
	while (c->next && c->next->raw.p)
		c = c->next;
	return der_to_pem(c, ret);
}

/* tls.h: non-blocking TLS (mbedTLS 2.28) over a caller-owned socket.
 *
 * DESIGN
 * struct tls_conf holds what many connections share: role, trust anchors,
 * own certificate and key, peer verification policy, the server's session
 * ticket keys, a DRBG. It is reference counted; each struct tls takes a
 * reference. struct tls is one connection over a non-blocking fd that the
 * caller owns (and watches on its loop): tls_handshake/read/write return
 * -EAGAIN and tls_want() then says which epoll event to wait for. Call
 * tls_read() again while tls_pending() > 0 (records already decrypted are
 * not signalled by epoll).
 *
 * Verification: a client always verifies the server chain against its CA and
 * the hostname (SNI is sent) unless TLS_VERIFY_NONE is set (then
 * tls_peer_* still report the certificate, e.g. for trust-on-first-use
 * pinning). A server with TLS_VERIFY_REQUIRED demands a client certificate
 * signed by its CA (mutual TLS); application checks (revocation, identity)
 * come after the handshake with tls_peer_cn()/tls_peer_serial().
 * Errors: -EAGAIN; -ECONNRESET peer closed; -EPROTO protocol failure;
 * -EPERM certificate verification failed (tls_error() tells why).
 * All calls of one struct tls on one thread (the loop's). Logs at debug only.
 */
#ifndef RAKWON_TLS_TLS_H
#define RAKWON_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tls_conf;
struct tls;

enum tls_role {
	TLS_CLIENT,
	TLS_SERVER,
};

enum tls_verify {
	TLS_VERIFY_REQUIRED,  /* peer must present a chain to our CA */
	TLS_VERIFY_OPTIONAL,  /* server: ask for a client cert, verify if given */
	TLS_VERIFY_NONE,      /* no verification (client TOFU; server no client cert) */
};

int tls_conf_new(struct tls_conf **ret, enum tls_role role);
struct tls_conf *tls_conf_ref(struct tls_conf *c);
struct tls_conf *tls_conf_unref(struct tls_conf *c);

/* Trust anchors (PEM, one or more certificates); replaces earlier ones. */
int tls_conf_set_ca_file(struct tls_conf *c, const char *path);
int tls_conf_set_ca_pem(struct tls_conf *c, const char *pem, size_t len);
/* Own certificate chain and private key (PEM). */
int tls_conf_set_cert_key_files(struct tls_conf *c, const char *cert_path,
				const char *key_path);
int tls_conf_set_cert_key_pem(struct tls_conf *c, const char *cert, size_t cert_len,
			      const char *key, size_t key_len);
/* Default: TLS_VERIFY_REQUIRED for clients, TLS_VERIFY_NONE for servers. */
int tls_conf_set_verify(struct tls_conf *c, enum tls_verify v);
/* Server: enable session tickets (RFC 5077, rotating keys, lifetime s). */
int tls_conf_set_tickets(struct tls_conf *c, unsigned lifetime_s);

/* A connection over fd (not owned). hostname: client SNI and the name the
 * server certificate must match (NULL: skip the name check); NULL for a
 * server. */
int tls_new(struct tls **ret, struct tls_conf *c, int fd, const char *hostname);
/* Frees the connection (does not close fd, sends nothing). Returns NULL. */
struct tls *tls_free(struct tls *t);

/* 0 when the handshake is complete; -EAGAIN (see tls_want) or an error. */
int tls_handshake(struct tls *t);
bool tls_handshake_done(const struct tls *t);
/* >0 bytes; 0 on orderly close (close_notify); -EAGAIN; error. */
ssize_t tls_read(struct tls *t, void *buf, size_t len);
/* >0 bytes written (may be fewer than len); -EAGAIN; error. After -EAGAIN
 * the next call must pass the same data again (mbedTLS rule). */
ssize_t tls_write(struct tls *t, const void *buf, size_t len);
/* Send close_notify (best effort; -EAGAIN possible). */
int tls_close_notify(struct tls *t);
/* EPOLLIN or EPOLLOUT: what the last -EAGAIN is waiting for. */
uint32_t tls_want(const struct tls *t);
/* Decrypted bytes ready to read without waiting for the socket. */
size_t tls_pending(const struct tls *t);
/* Text of the last error (never NULL). */
const char *tls_error(const struct tls *t);

/* Client session resumption: after a handshake, save the session; give it
 * to a new connection before its handshake. Opaque, malloc'd. */
struct tls_session;
int tls_session_get(struct tls *t, struct tls_session **ret);
int tls_session_set(struct tls *t, const struct tls_session *s);
struct tls_session *tls_session_free(struct tls_session *s);
/* true if the completed handshake resumed a session (client side). */
bool tls_resumed(const struct tls *t);

/* Peer certificate facts (after the handshake). -ENOENT without one. */
int tls_peer_cn(const struct tls *t, char *buf, size_t len);
/* Serial as lowercase hex without separators. */
int tls_peer_serial(const struct tls *t, char *buf, size_t len);
/* SHA-256 over the DER certificate. */
int tls_peer_fingerprint(const struct tls *t, uint8_t out[32]);
/* The peer's leaf certificate as PEM (malloc'd), e.g. for CA pinning. */
int tls_peer_cert_pem(const struct tls *t, char **ret);
/* The top certificate of the peer chain as PEM (malloc'd): the CA a client
 * pins on first contact when the server sends its chain. */
int tls_peer_chain_top_pem(const struct tls *t, char **ret);

#endif

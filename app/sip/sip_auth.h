/* sip_auth.h: HTTP digest authentication for SIP (RFC 2617, RFC 7616,
 * RFC 8760): MD5 and SHA-256 (and their -sess variants), qop=auth or none.
 *
 * Client side: pick the strongest challenge of a 401/407 and compute the
 * Authorization / Proxy-Authorization value. Server side (test registrar):
 * build a challenge and verify credentials. Nonce freshness and nc replay
 * tracking are the caller's job (it owns the nonces).
 */
#ifndef RAKWON_SIP_SIP_AUTH_H
#define RAKWON_SIP_SIP_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/buf.h"
#include "sip/sip_msg.h"

#define SIP_AUTH_MAX_FIELD 256  /* longest realm/nonce/... we hash */

enum sip_auth_alg {
	SIP_AUTH_MD5,
	SIP_AUTH_MD5_SESS,
	SIP_AUTH_SHA256,
	SIP_AUTH_SHA256_SESS,
	SIP_AUTH_ALG_MAX,
};

/* algorithm of a challenge/credential (absent = MD5); -ENOTSUP if unknown */
int sip_auth_alg_parse(const struct pl *name, enum sip_auth_alg *ret);
const char *sip_auth_alg_name(enum sip_auth_alg alg);

/* The strongest usable Digest challenge in a 401/407 (SHA-256 over MD5,
 * qop=auth or no qop): 0 with *ret and whether it came from
 * Proxy-Authenticate, -ENOENT when there is none. */
int sip_auth_pick(const struct sip_msg *rsp, struct sip_digest *ret, bool *ret_proxy);

/* Client: append the credentials value ("Digest username=..., ...") for a
 * request (method, Request-URI as sent) answering challenge chal. nc counts
 * requests with this nonce (1 first); cnonce is a fresh random token from the
 * caller (printable, no quotes). -ENOTSUP for qop=auth-int only or unknown
 * algorithms, -EBADMSG for a challenge without realm/nonce. */
int sip_auth_respond(struct buf *out, const struct sip_digest *chal, const char *method,
		     const struct pl *uri, const char *user, const char *password,
		     uint32_t nc, const char *cnonce);

/* Server: append a challenge value for WWW-/Proxy-Authenticate. */
int sip_auth_challenge(struct buf *out, const char *realm, const char *nonce,
		       enum sip_auth_alg alg, const char *opaque, bool stale);

/* Server: verify credentials (parsed from Authorization) against the
 * password for cred->username. realm and nonce are what we issued. 0 when
 * they match, -EACCES when the response is wrong or realm/nonce differ,
 * -EBADMSG when fields are missing, -ENOTSUP for unknown algorithms. */
int sip_auth_verify(const struct sip_digest *cred, const char *method, const char *password,
		    const char *realm, const char *nonce);

/* Server: stateless nonces (RFC 7616 5.4): "<time hex 16><HMAC-SHA256 hex 32>"
 * keyed with a secret of the registrar. sip_auth_nonce_new() writes 49
 * bytes (incl. NUL); sip_auth_nonce_check() is 0 for our own nonce not older
 * than max_age seconds, -ESTALE when older (answer with stale=true),
 * -EACCES when it is not ours. */
#define SIP_AUTH_NONCE_LEN 48
int sip_auth_nonce_new(char *out, size_t cap, const uint8_t *key, size_t keylen,
		       uint64_t now_s);
int sip_auth_nonce_check(const struct pl *nonce, const uint8_t *key, size_t keylen,
			 uint64_t now_s, uint64_t max_age_s);

/* H(data) as lowercase hex into out (33 or 65 bytes incl. NUL) */
int sip_auth_hash_hex(enum sip_auth_alg alg, const void *data, size_t len, char *out,
		      size_t cap);

#endif

/* pki.h: keys, CSRs, certificates and signatures (mbedTLS 2.28), ECDSA P-256.
 *
 * DESIGN
 * Stateless helpers for the provisioning CA and its devices: generate an
 * ECDSA P-256 key, write a CSR, sign a CSR (or self-sign a CA) with a CA key,
 * inspect a certificate, sign and verify ECDSA signatures over SHA-256
 * digests (firmware images). Each call seeds its own DRBG from the kernel;
 * there is no global state. Everything returned as char * or uint8_t * is
 * malloc'd and owned by the caller. Errors: -EINVAL bad input (unparsable
 * PEM, wrong key type), -EBADMSG signature invalid, -ENOMEM, -EIO.
 */
#ifndef RAKWON_TLS_PKI_H
#define RAKWON_TLS_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pki_key;

/* A fresh ECDSA P-256 key pair. */
int pki_key_generate(struct pki_key **ret);
/* Load a private key (PEM, EC or RSA) from a file or memory. */
int pki_key_load_file(struct pki_key **ret, const char *path);
int pki_key_load_pem(struct pki_key **ret, const char *pem, size_t len);
/* Load a public key (PEM "PUBLIC KEY") for verification. */
int pki_pubkey_load_pem(struct pki_key **ret, const char *pem, size_t len);
struct pki_key *pki_key_free(struct pki_key *k);
/* Private key as PEM ("EC PRIVATE KEY"). */
int pki_key_write_pem(const struct pki_key *k, char **ret);
/* Public key as PEM ("PUBLIC KEY"). */
int pki_key_write_pub_pem(const struct pki_key *k, char **ret);

/* A PEM CSR for subject (e.g. "CN=serial-1234,O=Rakwon") signed by k. */
int pki_csr_new(const struct pki_key *k, const char *subject, char **ret_pem);

struct pki_csr_info {
	char cn[128];          /* subject common name ("" if none) */
	char *pubkey_pem;      /* malloc'd */
};
/* Parse a CSR and check its self-signature; subject CN and key returned. */
int pki_csr_parse(const char *pem, size_t len, struct pki_csr_info *ret);
void pki_csr_info_clear(struct pki_csr_info *i);

struct pki_issue {
	const char *subject;   /* e.g. "CN=dev-0001,O=Rakwon" */
	uint64_t serial;       /* unique per CA, > 0 */
	unsigned days;         /* validity from now */
	bool is_ca;            /* basicConstraints CA:TRUE + keyCertSign */
	bool server;           /* extendedKeyUsage serverAuth (else clientAuth) */
	const char *san_dns;   /* optional subjectAltName names, comma-separated
				* (numeric addresses also get an iPAddress) */
};
/* Self-signed CA certificate for key k. */
int pki_ca_new(const struct pki_key *k, const struct pki_issue *is, char **ret_pem);
/* Certificate for subject_key (a public or private key) signed by the CA
 * (ca_cert_pem + ca_key). */
int pki_cert_sign(const struct pki_key *subject_key, const struct pki_issue *is,
		  const char *ca_cert_pem, size_t ca_len, const struct pki_key *ca_key,
		  char **ret_pem);
/* As pki_cert_sign, subject key from a CSR (whose signature is checked). */
int pki_cert_sign_csr(const char *csr_pem, size_t csr_len, const struct pki_issue *is,
		      const char *ca_cert_pem, size_t ca_len,
		      const struct pki_key *ca_key, char **ret_pem);

struct pki_cert_info {
	char cn[128];
	char serial[64];         /* lowercase hex */
	char issuer_cn[128];
	int64_t not_before;      /* Unix time */
	int64_t not_after;
	uint8_t fingerprint[32]; /* SHA-256 of the DER */
	bool is_ca;
};
/* Facts about the first certificate of a PEM text. */
int pki_cert_info(const char *pem, size_t len, struct pki_cert_info *ret);
/* Verify cert_pem against ca_pem (chain, dates, signature). -EPERM if not. */
int pki_cert_verify(const char *cert_pem, size_t cert_len, const char *ca_pem,
		    size_t ca_len);

/* SHA-256, one shot and incremental (struct pki_sha256 is heap-allocated). */
void pki_sha256(const void *data, size_t len, uint8_t out[32]);
struct pki_sha256;
int pki_sha256_new(struct pki_sha256 **ret);
void pki_sha256_update(struct pki_sha256 *h, const void *data, size_t len);
/* Writes the digest and frees h. */
void pki_sha256_final(struct pki_sha256 *h, uint8_t out[32]);
/* Lowercase hex of n bytes into out (2n+1 bytes). */
void pki_hex(const uint8_t *in, size_t n, char *out);
/* Bytes from the kernel's CSPRNG. */
int pki_random(void *buf, size_t n);

/* ECDSA over a SHA-256 digest; the signature is DER (at most 72 bytes
 * for P-256). *sig_len in: capacity, out: length. */
int pki_sign_digest(const struct pki_key *k, const uint8_t digest[32],
		    uint8_t *sig, size_t *sig_len);
/* 0 if sig is k's valid signature over digest, -EBADMSG otherwise. */
int pki_verify_digest(const struct pki_key *k, const uint8_t digest[32],
		      const uint8_t *sig, size_t sig_len);

/* Base64 helpers (standard alphabet, padded). Return malloc'd output. */
int pki_base64_encode(const void *in, size_t len, char **ret);
int pki_base64_decode(const char *in, size_t len, uint8_t **ret, size_t *ret_len);

#endif

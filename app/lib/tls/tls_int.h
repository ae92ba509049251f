/* tls_int.h: helpers shared by tls.c and pki.c (mbedTLS types inside). */
#ifndef RAKWON_TLS_TLS_INT_H
#define RAKWON_TLS_TLS_INT_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/x509_crt.h>

#include "lib/tls/pki.h"

struct tls_rng {
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
};

/* A DRBG seeded from getrandom(); pers is the personalization string. */
int tls_rng_init(struct tls_rng *r, const char *pers);
void tls_rng_free(struct tls_rng *r);
int tls_entropy_source(void *data, unsigned char *out, size_t len, size_t *olen);
/* NUL-terminated copy; *ret_len counts the NUL (what mbedTLS PEM parsing wants). */
char *tls_pem_dup(const char *pem, size_t len, size_t *ret_len);
/* Read a small file (max 32 KiB) into a malloc'd NUL-terminated buffer. */
int tls_read_file(const char *path, char **ret, size_t *ret_len);
void tls_name_cn(const mbedtls_x509_name *n, char *buf, size_t len);
void tls_serial_hex(const mbedtls_x509_crt *crt, char *buf, size_t len);
void tls_crt_info(const mbedtls_x509_crt *crt, struct pki_cert_info *ret);

#endif

/* pki.c: ECDSA P-256 keys, CSRs, certificate issuing and signatures (see pki.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "lib/tls/pki.h"
#include "lib/tls/tls_int.h"

#define PEM_MAX 8192

struct pki_key {
	mbedtls_pk_context pk;
};

struct pki_sha256 {
	mbedtls_sha256_context c;
};

/* --- randomness ---------------------------------------------------------- */
int pki_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int tls_entropy_source(void *data, unsigned char *out, size_t len, size_t *olen)
{
	(void)data;
	if (pki_random(out, len) < 0)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = len;
	return 0;
}

int tls_rng_init(struct tls_rng *r, const char *pers)
{
	int rc;

	mbedtls_entropy_init(&r->ent);
	mbedtls_ctr_drbg_init(&r->drbg);
	rc = mbedtls_entropy_add_source(&r->ent, tls_entropy_source, NULL, 32,
					MBEDTLS_ENTROPY_SOURCE_STRONG);
	if (rc == 0)
		rc = mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->ent,
					   (const unsigned char *)pers, strlen(pers));
	if (rc != 0) {
		tls_rng_free(r);
		return -EIO;
	}
	return 0;
}

void tls_rng_free(struct tls_rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->ent);
}

/* mbedTLS wants PEM NUL-terminated with the NUL counted in the length */
char *tls_pem_dup(const char *pem, size_t len, size_t *ret_len)
{
	char *c;

	if (len && pem[len - 1] == '\0')
		len--;
	c = malloc(len + 1);
	if (!c)
		return NULL;
	memcpy(c, pem, len);
	c[len] = '\0';
	*ret_len = len + 1;
	return c;
}

int tls_read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rbe");
	size_t n;
	char *b;

	if (!f)
		return -errno;
	b = malloc(PEM_MAX * 4 + 1);
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(b, 1, PEM_MAX * 4, f);
	if (ferror(f) || !feof(f)) {
		int r = ferror(f) ? -EIO : -E2BIG;

		fclose(f);
		free(b);
		return r;
	}
	fclose(f);
	b[n] = '\0';
	*ret = b;
	*ret_len = n;
	return 0;
}

/* --- keys ---------------------------------------------------------------- */
static int key_alloc(struct pki_key **ret)
{
	struct pki_key *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	mbedtls_pk_init(&k->pk);
	*ret = k;
	return 0;
}

struct pki_key *pki_key_free(struct pki_key *k)
{
	if (k) {
		mbedtls_pk_free(&k->pk);
		free(k);
	}
	return NULL;
}

int pki_key_generate(struct pki_key **ret)
{
	struct tls_rng rng;
	struct pki_key *k;
	int r;

	r = tls_rng_init(&rng, "rakwon-keygen");
	if (r < 0)
		return r;
	r = key_alloc(&k);
	if (r < 0)
		goto out;
	if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(k->pk),
				mbedtls_ctr_drbg_random, &rng.drbg) != 0) {
		pki_key_free(k);
		r = -EIO;
		goto out;
	}
	*ret = k;
out:
	tls_rng_free(&rng);
	return r;
}

int pki_key_load_pem(struct pki_key **ret, const char *pem, size_t len)
{
	struct pki_key *k;
	size_t n;
	char *c;
	int r;

	if (!pem)
		return -EINVAL;
	c = tls_pem_dup(pem, len, &n);
	if (!c)
		return -ENOMEM;
	r = key_alloc(&k);
	if (r == 0 && mbedtls_pk_parse_key(&k->pk, (unsigned char *)c, n, NULL, 0) != 0) {
		k = pki_key_free(k);
		r = -EINVAL;
	}
	mbedtls_platform_zeroize(c, n);
	free(c);
	if (r == 0)
		*ret = k;
	return r;
}

int pki_key_load_file(struct pki_key **ret, const char *path)
{
	size_t len;
	char *pem;
	int r;

	r = tls_read_file(path, &pem, &len);
	if (r < 0)
		return r;
	r = pki_key_load_pem(ret, pem, len);
	mbedtls_platform_zeroize(pem, len);
	free(pem);
	return r;
}

int pki_pubkey_load_pem(struct pki_key **ret, const char *pem, size_t len)
{
	struct pki_key *k;
	size_t n;
	char *c;
	int r;

	if (!pem)
		return -EINVAL;
	c = tls_pem_dup(pem, len, &n);
	if (!c)
		return -ENOMEM;
	r = key_alloc(&k);
	if (r == 0 && mbedtls_pk_parse_public_key(&k->pk, (unsigned char *)c, n) != 0) {
		k = pki_key_free(k);
		r = -EINVAL;
	}
	free(c);
	if (r == 0)
		*ret = k;
	return r;
}

static int pem_out(int rc, unsigned char *buf, char **ret)
{
	char *s;

	if (rc != 0) {
		free(buf);
		return -EINVAL;
	}
	s = strdup((char *)buf);
	mbedtls_platform_zeroize(buf, PEM_MAX);
	free(buf);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

int pki_key_write_pem(const struct pki_key *k, char **ret)
{
	unsigned char *buf = calloc(1, PEM_MAX);

	if (!buf)
		return -ENOMEM;
	return pem_out(mbedtls_pk_write_key_pem((mbedtls_pk_context *)&k->pk, buf,
						PEM_MAX), buf, ret);
}

int pki_key_write_pub_pem(const struct pki_key *k, char **ret)
{
	unsigned char *buf = calloc(1, PEM_MAX);

	if (!buf)
		return -ENOMEM;
	return pem_out(mbedtls_pk_write_pubkey_pem((mbedtls_pk_context *)&k->pk, buf,
						   PEM_MAX), buf, ret);
}

/* --- CSR ----------------------------------------------------------------- */
int pki_csr_new(const struct pki_key *k, const char *subject, char **ret_pem)
{
	mbedtls_x509write_csr w;
	struct tls_rng rng;
	unsigned char *buf;
	int r, rc;

	if (!k || !subject || !ret_pem)
		return -EINVAL;
	r = tls_rng_init(&rng, "rakwon-csr");
	if (r < 0)
		return r;
	buf = calloc(1, PEM_MAX);
	if (!buf) {
		tls_rng_free(&rng);
		return -ENOMEM;
	}
	mbedtls_x509write_csr_init(&w);
	mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&w, (mbedtls_pk_context *)&k->pk);
	rc = mbedtls_x509write_csr_set_subject_name(&w, subject);
	if (rc == 0)
		rc = mbedtls_x509write_csr_pem(&w, buf, PEM_MAX, mbedtls_ctr_drbg_random,
					       &rng.drbg);
	mbedtls_x509write_csr_free(&w);
	tls_rng_free(&rng);
	return pem_out(rc, buf, ret_pem);
}

void tls_name_cn(const mbedtls_x509_name *n, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	for (; n; n = n->next) {
		if (n->oid.p && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0) {
			size_t c = n->val.len < len ? n->val.len : len - 1;

			memcpy(buf, n->val.p, c);
			buf[c] = '\0';
			return;
		}
	}
}

void pki_csr_info_clear(struct pki_csr_info *i)
{
	if (i) {
		free(i->pubkey_pem);
		i->pubkey_pem = NULL;
	}
}

static int csr_load(mbedtls_x509_csr *csr, const char *pem, size_t len)
{
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;
	size_t n;
	char *c;
	int rc;

	c = tls_pem_dup(pem, len, &n);
	if (!c)
		return -ENOMEM;
	rc = mbedtls_x509_csr_parse(csr, (unsigned char *)c, n);
	free(c);
	if (rc != 0)
		return -EINVAL;
	md = mbedtls_md_info_from_type(csr->sig_md);
	if (!md || mbedtls_md(md, csr->cri.p, csr->cri.len, hash) != 0)
		return -EINVAL;
	if (mbedtls_pk_verify_ext(csr->sig_pk, csr->sig_opts, &csr->pk, csr->sig_md, hash,
				  mbedtls_md_get_size(md), csr->sig.p, csr->sig.len) != 0)
		return -EBADMSG;
	return 0;
}

int pki_csr_parse(const char *pem, size_t len, struct pki_csr_info *ret)
{
	mbedtls_x509_csr csr;
	unsigned char *buf;
	int r;

	if (!pem || !ret)
		return -EINVAL;
	mbedtls_x509_csr_init(&csr);
	r = csr_load(&csr, pem, len);
	if (r < 0)
		goto out;
	buf = calloc(1, PEM_MAX);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	memset(ret, 0, sizeof(*ret));
	tls_name_cn(&csr.subject, ret->cn, sizeof(ret->cn));
	r = pem_out(mbedtls_pk_write_pubkey_pem(&csr.pk, buf, PEM_MAX), buf,
		    &ret->pubkey_pem);
out:
	mbedtls_x509_csr_free(&csr);
	return r;
}

/* --- certificates -------------------------------------------------------- */
static void fmt_time(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (!strftime(out, 16, "%Y%m%d%H%M%S", &tm))
		strcpy(out, "99991231235959");
}

/* subjectAltName from a comma-separated list: SEQUENCE { [2] dNSName for
 * every name, plus [7] iPAddress for numeric addresses (OpenSSL matches IPs
 * only there; mbedTLS 2.28 compares the dNSName text) } */
static int set_san(mbedtls_x509write_cert *w, const char *names)
{
	unsigned char buf[2048], *p = buf + sizeof(buf), ip[16];
	char name[256];
	const char *c = names;
	int len = 0, l;

#define W(x) do { if ((l = (x)) < 0) return -EINVAL; len += l; } while (0)
	while (*c) {
		size_t n = strcspn(c, ","), iplen = 0;

		if (!n || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, c, n);
		name[n] = '\0';
		c += n + (c[n] == ',');
		if (inet_pton(AF_INET, name, ip) == 1)
			iplen = 4;
		else if (inet_pton(AF_INET6, name, ip) == 1)
			iplen = 16;
		if (iplen) {
			W(mbedtls_asn1_write_raw_buffer(&p, buf, ip, iplen));
			W(mbedtls_asn1_write_len(&p, buf, iplen));
			W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7));
		}
		W(mbedtls_asn1_write_raw_buffer(&p, buf, (const unsigned char *)name, n));
		W(mbedtls_asn1_write_len(&p, buf, n));
		W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2));
	}
	W(mbedtls_asn1_write_len(&p, buf, (size_t)len));
	W(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
#undef W
	if (mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_SUBJECT_ALT_NAME,
						MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
						0, p, (size_t)len) != 0)
		return -EINVAL;
	return 0;
}

/* Issue a certificate for subject_pk signed by issuer_pk; issuer_name NULL
 * means self-signed (issuer = subject). */
static int issue(mbedtls_pk_context *subject_pk, const struct pki_issue *is,
		 const char *issuer_name, mbedtls_pk_context *issuer_pk, char **ret_pem)
{
	mbedtls_x509write_cert w;
	unsigned char ser[8], *buf;
	char nb[16], na[16];
	struct tls_rng rng;
	mbedtls_mpi serial;
	time_t now = time(NULL);
	int r, rc, i;

	if (!is || !is->subject || !is->serial || !is->days || is->days > 36500)
		return -EINVAL;
	r = tls_rng_init(&rng, "rakwon-issue");
	if (r < 0)
		return r;
	buf = calloc(1, PEM_MAX);
	if (!buf) {
		tls_rng_free(&rng);
		return -ENOMEM;
	}
	for (i = 0; i < 8; i++)
		ser[i] = (unsigned char)(is->serial >> (56 - 8 * i));
	mbedtls_mpi_init(&serial);
	mbedtls_x509write_crt_init(&w);
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, subject_pk);
	mbedtls_x509write_crt_set_issuer_key(&w, issuer_pk);
	fmt_time(now - 3600, nb);   /* tolerate an hour of clock skew */
	fmt_time(now + (time_t)is->days * 86400, na);
	rc = mbedtls_mpi_read_binary(&serial, ser, sizeof(ser));
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_serial(&w, &serial);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_subject_name(&w, is->subject);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_issuer_name(&w, issuer_name ? issuer_name
								: is->subject);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_validity(&w, nb, na);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_basic_constraints(&w, is->is_ca, is->is_ca ? 0 : -1);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_subject_key_identifier(&w);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_authority_key_identifier(&w);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_key_usage(&w, is->is_ca ?
			MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN |
			MBEDTLS_X509_KU_DIGITAL_SIGNATURE :
			MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT);
	if (rc == 0 && is->san_dns && is->san_dns[0])
		rc = set_san(&w, is->san_dns);
	if (rc == 0)
		rc = mbedtls_x509write_crt_pem(&w, buf, PEM_MAX, mbedtls_ctr_drbg_random,
					       &rng.drbg);
	mbedtls_x509write_crt_free(&w);
	mbedtls_mpi_free(&serial);
	tls_rng_free(&rng);
	return pem_out(rc, buf, ret_pem);
}

int pki_ca_new(const struct pki_key *k, const struct pki_issue *is, char **ret_pem)
{
	if (!k || !ret_pem)
		return -EINVAL;
	return issue((mbedtls_pk_context *)&k->pk, is, NULL, (mbedtls_pk_context *)&k->pk,
		     ret_pem);
}

static int sign_with_ca(mbedtls_pk_context *subject_pk, const struct pki_issue *is,
			const char *ca_cert_pem, size_t ca_len, const struct pki_key *ca_key,
			char **ret_pem)
{
	mbedtls_x509_crt ca;
	char issuer[512];
	size_t n;
	char *c;
	int r;

	if (!ca_cert_pem || !ca_key || !ret_pem)
		return -EINVAL;
	c = tls_pem_dup(ca_cert_pem, ca_len, &n);
	if (!c)
		return -ENOMEM;
	mbedtls_x509_crt_init(&ca);
	r = mbedtls_x509_crt_parse(&ca, (unsigned char *)c, n) == 0 ? 0 : -EINVAL;
	free(c);
	if (r == 0 && !ca.ca_istrue)
		r = -EINVAL;
	if (r == 0 && mbedtls_x509_dn_gets(issuer, sizeof(issuer), &ca.subject) < 0)
		r = -EINVAL;
	if (r == 0)
		r = issue(subject_pk, is, issuer, (mbedtls_pk_context *)&ca_key->pk, ret_pem);
	mbedtls_x509_crt_free(&ca);
	return r;
}

int pki_cert_sign(const struct pki_key *subject_key, const struct pki_issue *is,
		  const char *ca_cert_pem, size_t ca_len, const struct pki_key *ca_key,
		  char **ret_pem)
{
	if (!subject_key)
		return -EINVAL;
	return sign_with_ca((mbedtls_pk_context *)&subject_key->pk, is, ca_cert_pem, ca_len,
			    ca_key, ret_pem);
}

int pki_cert_sign_csr(const char *csr_pem, size_t csr_len, const struct pki_issue *is,
		      const char *ca_cert_pem, size_t ca_len,
		      const struct pki_key *ca_key, char **ret_pem)
{
	mbedtls_x509_csr csr;
	int r;

	if (!csr_pem)
		return -EINVAL;
	mbedtls_x509_csr_init(&csr);
	r = csr_load(&csr, csr_pem, csr_len);
	if (r == 0)
		r = sign_with_ca(&csr.pk, is, ca_cert_pem, ca_len, ca_key, ret_pem);
	mbedtls_x509_csr_free(&csr);
	return r;
}

static int64_t x509_time(const mbedtls_x509_time *t)
{
	struct tm tm = { 0 };

	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return (int64_t)timegm(&tm);
}

void tls_crt_info(const mbedtls_x509_crt *crt, struct pki_cert_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	tls_name_cn(&crt->subject, ret->cn, sizeof(ret->cn));
	tls_name_cn(&crt->issuer, ret->issuer_cn, sizeof(ret->issuer_cn));
	tls_serial_hex(crt, ret->serial, sizeof(ret->serial));
	ret->not_before = x509_time(&crt->valid_from);
	ret->not_after = x509_time(&crt->valid_to);
	pki_sha256(crt->raw.p, crt->raw.len, ret->fingerprint);
	ret->is_ca = crt->ca_istrue;
}

void tls_serial_hex(const mbedtls_x509_crt *crt, char *buf, size_t len)
{
	size_t i = 0, o = 0;

	/* skip leading zero bytes so "00 01" and "01" print alike */
	while (i + 1 < crt->serial.len && crt->serial.p[i] == 0)
		i++;
	for (; i < crt->serial.len && o + 3 <= len; i++, o += 2)
		snprintf(buf + o, 3, "%02x", crt->serial.p[i]);
	if (len)
		buf[o < len ? o : len - 1] = '\0';
}

int pki_cert_info(const char *pem, size_t len, struct pki_cert_info *ret)
{
	mbedtls_x509_crt crt;
	size_t n;
	char *c;
	int r;

	if (!pem || !ret)
		return -EINVAL;
	c = tls_pem_dup(pem, len, &n);
	if (!c)
		return -ENOMEM;
	mbedtls_x509_crt_init(&crt);
	r = mbedtls_x509_crt_parse(&crt, (unsigned char *)c, n) == 0 ? 0 : -EINVAL;
	free(c);
	if (r == 0)
		tls_crt_info(&crt, ret);
	mbedtls_x509_crt_free(&crt);
	return r;
}

int pki_cert_verify(const char *cert_pem, size_t cert_len, const char *ca_pem, size_t ca_len)
{
	mbedtls_x509_crt crt, ca;
	uint32_t flags = 0;
	size_t n, m;
	char *c, *d;
	int r = 0;

	if (!cert_pem || !ca_pem)
		return -EINVAL;
	c = tls_pem_dup(cert_pem, cert_len, &n);
	d = tls_pem_dup(ca_pem, ca_len, &m);
	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crt_init(&ca);
	if (!c || !d)
		r = -ENOMEM;
	else if (mbedtls_x509_crt_parse(&crt, (unsigned char *)c, n) != 0 ||
		 mbedtls_x509_crt_parse(&ca, (unsigned char *)d, m) != 0)
		r = -EINVAL;
	else if (mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL) != 0)
		r = -EPERM;
	free(c);
	free(d);
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	return r;
}

/* --- digests and signatures ---------------------------------------------- */
void pki_sha256(const void *data, size_t len, uint8_t out[32])
{
	(void)mbedtls_sha256_ret(data, len, out, 0);
}

int pki_sha256_new(struct pki_sha256 **ret)
{
	struct pki_sha256 *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	mbedtls_sha256_init(&h->c);
	(void)mbedtls_sha256_starts_ret(&h->c, 0);
	*ret = h;
	return 0;
}

void pki_sha256_update(struct pki_sha256 *h, const void *data, size_t len)
{
	(void)mbedtls_sha256_update_ret(&h->c, data, len);
}

void pki_sha256_final(struct pki_sha256 *h, uint8_t out[32])
{
	(void)mbedtls_sha256_finish_ret(&h->c, out);
	mbedtls_sha256_free(&h->c);
	free(h);
}

void pki_hex(const uint8_t *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int pki_sign_digest(const struct pki_key *k, const uint8_t digest[32],
		    uint8_t *sig, size_t *sig_len)
{
	unsigned char tmp[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	struct tls_rng rng;
	size_t n = 0;
	int r, rc;

	if (!k || !digest || !sig || !sig_len)
		return -EINVAL;
	r = tls_rng_init(&rng, "rakwon-sign");
	if (r < 0)
		return r;
	rc = mbedtls_pk_sign((mbedtls_pk_context *)&k->pk, MBEDTLS_MD_SHA256, digest, 32,
			     tmp, &n, mbedtls_ctr_drbg_random, &rng.drbg);
	tls_rng_free(&rng);
	if (rc != 0)
		return -EINVAL;
	if (n > *sig_len)
		return -ENOBUFS;
	memcpy(sig, tmp, n);
	*sig_len = n;
	return 0;
}

int pki_verify_digest(const struct pki_key *k, const uint8_t digest[32],
		      const uint8_t *sig, size_t sig_len)
{
	if (!k || !digest || !sig)
		return -EINVAL;
	if (mbedtls_pk_verify((mbedtls_pk_context *)&k->pk, MBEDTLS_MD_SHA256, digest, 32,
			      sig, sig_len) != 0)
		return -EBADMSG;
	return 0;
}

int pki_base64_encode(const void *in, size_t len, char **ret)
{
	size_t olen = 0;
	char *o;

	(void)mbedtls_base64_encode(NULL, 0, &olen, in, len);
	o = malloc(olen + 1);
	if (!o)
		return -ENOMEM;
	if (mbedtls_base64_encode((unsigned char *)o, olen + 1, &olen, in, len) != 0) {
		free(o);
		return -EINVAL;
	}
	o[olen] = '\0';
	*ret = o;
	return 0;
}

int pki_base64_decode(const char *in, size_t len, uint8_t **ret, size_t *ret_len)
{
	size_t olen = 0;
	uint8_t *o;

	if (mbedtls_base64_decode(NULL, 0, &olen, (const unsigned char *)in, len) ==
	    MBEDTLS_ERR_BASE64_INVALID_CHARACTER)
		return -EINVAL;
	o = malloc(olen + 1);
	if (!o)
		return -ENOMEM;
	if (mbedtls_base64_decode(o, olen + 1, &olen, (const unsigned char *)in, len) != 0) {
		free(o);
		return -EINVAL;
	}
	*ret = o;
	*ret_len = olen;
	return 0;
}

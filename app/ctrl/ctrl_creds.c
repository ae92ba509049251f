/* ctrl_creds.c: password hashes (PBKDF2-HMAC-SHA256 / salted SHA-256 via mbedTLS) and the credentials file of the network control API. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>

#include "ctrl/ctrl_ws_int.h"

#define PBKDF2_DEFAULT_ITER 100000
#define PBKDF2_MAX_ITER 10000000
#define DK_LEN 32

static const char *const role_names[CTRL_ROLE_MAX] = { "user", "integrator", "admin" };

const char *ctrl_role_name(enum ctrl_role r)
{
	return (unsigned)r < CTRL_ROLE_MAX ? role_names[r] : "?";
}

int ctrl_role_from_name(const char *s, enum ctrl_role *ret)
{
	for (int i = 0; i < CTRL_ROLE_MAX; i++)
		if (!strcmp(s, role_names[i])) {
			*ret = (enum ctrl_role)i;
			return 0;
		}
	return -EINVAL;
}

/* constant-time comparison */
bool ctrl_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

static int pbkdf2(const char *pw, const uint8_t *salt, size_t slen, unsigned iter, uint8_t *out)
{
	mbedtls_md_context_t md;
	int r;

	mbedtls_md_init(&md);
	r = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (!r)
		r = mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)pw, strlen(pw), salt, slen,
					      iter, DK_LEN, out);
	mbedtls_md_free(&md);
	return r ? -EIO : 0;
}

int ctrl_creds_hash(const char *password, unsigned iterations, char *out, size_t outlen)
{
	uint8_t salt[16], dk[DK_LEN];
	char s64[32], d64[64];
	size_t sl, dl;
	int r;

	if (!iterations)
		iterations = PBKDF2_DEFAULT_ITER;
	if (iterations > PBKDF2_MAX_ITER || !password)
		return -EINVAL;
	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return -EIO;
	r = pbkdf2(password, salt, sizeof(salt), iterations, dk);
	if (r < 0)
		return r;
	if (mbedtls_base64_encode((unsigned char *)s64, sizeof(s64), &sl, salt, sizeof(salt)) ||
	    mbedtls_base64_encode((unsigned char *)d64, sizeof(d64), &dl, dk, sizeof(dk)))
		return -EIO;
	if ((size_t)snprintf(out, outlen, "pbkdf2-sha256$%u$%s$%s", iterations, s64, d64) >= outlen)
		return -ENOSPC;
	return 0;
}

static int b64_dec(const char *s, size_t len, uint8_t *out, size_t cap, size_t *ret)
{
	if (mbedtls_base64_decode(out, cap, ret, (const unsigned char *)s, len))
		return -EINVAL;
	return 0;
}

int ctrl_creds_verify(const char *hash, const char *password)
{
	uint8_t salt[64], want[64], got[64];
	size_t sl, wl;
	const char *p, *q;

	if (!hash || !password)
		return -EINVAL;
	if (!strncmp(hash, "pbkdf2-sha256$", 14)) {
		char *end;
		unsigned long iter;

		p = hash + 14;
		iter = strtoul(p, &end, 10);
		if (end == p || *end != '$' || !iter || iter > PBKDF2_MAX_ITER)
			return -EINVAL;
		p = end + 1;
		q = strchr(p, '$');
		if (!q || b64_dec(p, (size_t)(q - p), salt, sizeof(salt), &sl) < 0 ||
		    b64_dec(q + 1, strlen(q + 1), want, sizeof(want), &wl) < 0 || wl != DK_LEN)
			return -EINVAL;
		if (pbkdf2(password, salt, sl, (unsigned)iter, got) < 0)
			return -EIO;
		return ctrl_ct_equal(got, want, DK_LEN) ? 0 : -EACCES;
	}
	if (!strncmp(hash, "sha256$", 7)) {
		const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
		mbedtls_md_context_t md;
		char hex[65];

		p = hash + 7;
		q = strchr(p, '$');
		if (!q || b64_dec(p, (size_t)(q - p), salt, sizeof(salt), &sl) < 0 ||
		    strlen(q + 1) != 64)
			return -EINVAL;
		mbedtls_md_init(&md);
		if (mbedtls_md_setup(&md, mi, 0) || mbedtls_md_starts(&md) ||
		    mbedtls_md_update(&md, salt, sl) ||
		    mbedtls_md_update(&md, (const unsigned char *)password, strlen(password)) ||
		    mbedtls_md_finish(&md, got)) {
			mbedtls_md_free(&md);
			return -EIO;
		}
		mbedtls_md_free(&md);
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", got[i]);
		return ctrl_ct_equal(hex, q + 1, 64) ? 0 : -EACCES;
	}
	return -EINVAL;
}

/* "user:role:hash" lines, '#' comments; bad lines are an error (a typo must
 * not silently lock the admin out or let anyone in) */
int ctrl_creds_load(const char *path, struct ctrl_cred **ret, size_t *ret_n)
{
	FILE *f = fopen(path, "re");
	struct ctrl_cred *cr;
	char line[CRED_LINE_MAX + 2];
	size_t n = 0;
	int r = 0;

	if (!f)
		return -errno;
	cr = calloc(CREDS_MAX, sizeof(*cr));
	if (!cr) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		char *u = line, *role, *hash, *e;
		size_t l = strlen(line);

		if (l > CRED_LINE_MAX) {
			r = -E2BIG;
			break;
		}
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		while (*u == ' ' || *u == '\t')
			u++;
		if (!*u || *u == '#')
			continue;
		role = strchr(u, ':');
		hash = role ? strchr(role + 1, ':') : NULL;
		if (!hash || n >= CREDS_MAX) {
			r = n >= CREDS_MAX ? -E2BIG : -EINVAL;
			break;
		}
		*role++ = '\0';
		*hash++ = '\0';
		for (e = hash + strlen(hash); e > hash && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = '\0';
		if (!*u || strlen(u) >= sizeof(cr[n].user) || strlen(hash) >= sizeof(cr[n].hash) ||
		    ctrl_role_from_name(role, &cr[n].role) < 0) {
			r = -EINVAL;
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (!strcmp(cr[i].user, u)) {
				r = -EEXIST;
				break;
			}
		if (r < 0)
			break;
		strcpy(cr[n].user, u);
		strcpy(cr[n].hash, hash);
		n++;
	}
	fclose(f);
	explicit_bzero(line, sizeof(line));
	if (r < 0) {
		explicit_bzero(cr, CREDS_MAX * sizeof(*cr));
		free(cr);
		return r;
	}
	*ret = cr;
	*ret_n = n;
	return 0;
}

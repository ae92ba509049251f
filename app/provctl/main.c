/* main.c: rakwon-provctl, the admin CLI of rakwon-provd (JSON over HTTPS).
 *
 *   rakwon-provctl [--url URL] [--ca FILE] [--token-file FILE] METHOD PATH [JSON|@FILE]
 *       e.g. rakwon-provctl GET /v1/admin/devices
 *            rakwon-provctl POST /v1/admin/devices '{"serial":"rk-0001","profile":"room"}'
 *            rakwon-provctl POST /v1/admin/profiles @room.json
 *       Defaults from the environment: RAKWON_PROV_URL, RAKWON_PROV_CA,
 *       RAKWON_PROV_TOKEN_FILE. Prints the response body; exit 0 on 2xx,
 *       1 on another HTTP status, 2 on usage or transport errors.
 *   rakwon-provctl keygen KEY.pem PUB.pem       a firmware signing key pair
 *   rakwon-provctl fw-sign KEY.pem IMAGE        base64 ECDSA signature of IMAGE
 *   rakwon-provctl fw-verify PUB.pem IMAGE SIG  check a signature (exit 0 if valid)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http/http.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"

static int digest_file(const char *path, uint8_t d[32])
{
	struct pki_sha256 *h;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rbe");

	if (!f)
		return -errno;
	if (pki_sha256_new(&h) < 0) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		pki_sha256_update(h, buf, n);
	pki_sha256_final(h, d);
	n = (size_t)ferror(f);
	fclose(f);
	return n ? -EIO : 0;
}

static int cmd_keygen(const char *kpath, const char *ppath)
{
	struct pki_key *k = NULL;
	char *pem = NULL, *pub = NULL;
	int r;

	r = pki_key_generate(&k);
	if (r == 0)
		r = pki_key_write_pem(k, &pem);
	if (r == 0)
		r = pki_key_write_pub_pem(k, &pub);
	if (r == 0)
		r = prov_file_write_atomic(kpath, pem, strlen(pem), 0600, 0);
	if (r == 0)
		r = prov_file_write_atomic(ppath, pub, strlen(pub), 0644, 0);
	free(pem);
	free(pub);
	pki_key_free(k);
	if (r < 0)
		fprintf(stderr, "keygen: %s\n", strerror(-r));
	return r < 0 ? 2 : 0;
}

static int cmd_sign(const char *kpath, const char *img)
{
	struct pki_key *k = NULL;
	uint8_t d[32], sig[80];
	size_t sl = sizeof(sig);
	char *b64;
	int r;

	r = pki_key_load_file(&k, kpath);
	if (r == 0)
		r = digest_file(img, d);
	if (r == 0)
		r = pki_sign_digest(k, d, sig, &sl);
	if (r == 0)
		r = pki_base64_encode(sig, sl, &b64);
	pki_key_free(k);
	if (r < 0) {
		fprintf(stderr, "fw-sign: %s\n", strerror(-r));
		return 2;
	}
	printf("%s\n", b64);
	free(b64);
	return 0;
}

static int cmd_verify(const char *ppath, const char *img, const char *sig64)
{
	struct pki_key *k = NULL;
	uint8_t d[32], *sig = NULL;
	size_t sl = 0, len;
	char *pem = NULL;
	int r;

	r = prov_file_read(ppath, 65536, &pem, &len);
	if (r == 0)
		r = pki_pubkey_load_pem(&k, pem, len);
	if (r == 0)
		r = digest_file(img, d);
	if (r == 0)
		r = pki_base64_decode(sig64, strlen(sig64), &sig, &sl);
	if (r == 0)
		r = pki_verify_digest(k, d, sig, sl);
	free(pem);
	free(sig);
	pki_key_free(k);
	printf("%s\n", r == 0 ? "valid" : strerror(-r));
	return r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *url = getenv("RAKWON_PROV_URL"), *ca = getenv("RAKWON_PROV_CA");
	const char *tokf = getenv("RAKWON_PROV_TOKEN_FILE");
	struct http_request_opts o = { 0 };
	struct http_response *resp = NULL;
	struct tls_conf *tc = NULL;
	char full[2300], auth[300], *tok = NULL, *body = NULL;
	const char *hdrs[2] = { NULL, NULL };
	size_t len = 0;
	int i = 1, r;

	while (i + 1 < argc && !strncmp(argv[i], "--", 2)) {
		if (!strcmp(argv[i], "--url"))
			url = argv[i + 1];
		else if (!strcmp(argv[i], "--ca"))
			ca = argv[i + 1];
		else if (!strcmp(argv[i], "--token-file"))
			tokf = argv[i + 1];
		else
			break;
		i += 2;
	}
	if (argc - i == 3 && !strcmp(argv[i], "keygen"))
		return cmd_keygen(argv[i + 1], argv[i + 2]);
	if (argc - i == 3 && !strcmp(argv[i], "fw-sign"))
		return cmd_sign(argv[i + 1], argv[i + 2]);
	if (argc - i == 4 && !strcmp(argv[i], "fw-verify"))
		return cmd_verify(argv[i + 1], argv[i + 2], argv[i + 3]);
	if (argc - i < 2 || argc - i > 3 || !url) {
		fprintf(stderr, "usage: rakwon-provctl [--url URL] [--ca FILE] [--token-file FILE] "
			"METHOD PATH [JSON|@FILE]\n       rakwon-provctl keygen KEY PUB | "
			"fw-sign KEY IMAGE | fw-verify PUB IMAGE SIG\n");
		return 2;
	}
	if (tokf) {
		r = prov_file_read(tokf, 4096, &tok, &len);
		if (r < 0) {
			fprintf(stderr, "token file %s: %s\n", tokf, strerror(-r));
			return 2;
		}
		while (len && (tok[len - 1] == '\n' || tok[len - 1] == ' '))
			tok[--len] = '\0';
		snprintf(auth, sizeof(auth), "Authorization: Bearer %.250s", tok);
		hdrs[0] = auth;
		free(tok);
	}
	if (argc - i == 3) {
		if (argv[i + 2][0] == '@') {
			r = prov_file_read(argv[i + 2] + 1, 1 << 20, &body, &len);
			if (r < 0) {
				fprintf(stderr, "%s: %s\n", argv[i + 2] + 1, strerror(-r));
				return 2;
			}
		} else {
			body = strdup(argv[i + 2]);
			len = strlen(body);
		}
	}
	snprintf(full, sizeof(full), "%s%s", url, argv[i + 1]);
	r = tls_conf_new(&tc, TLS_CLIENT);
	if (r == 0 && ca)
		r = tls_conf_set_ca_file(tc, ca);
	if (r < 0) {
		fprintf(stderr, "CA %s: %s\n", ca ? ca : "(none)", strerror(-r));
		free(body);
		tls_conf_unref(tc);
		return 2;
	}
	o.method = argv[i];
	o.url = full;
	o.headers = hdrs;
	o.body = body;
	o.body_len = body ? len : 0;
	o.content_type = body ? "application/json" : NULL;
	o.tls = tc;
	o.max_body = 16 << 20;
	o.timeout_us = 60000000ULL;
	r = http_request_sync(&o, &resp);
	free(body);
	tls_conf_unref(tc);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", full, strerror(-r));
		return 2;
	}
	fwrite(resp->body, 1, resp->body_len, stdout);
	if (resp->body_len && resp->body[resp->body_len - 1] != '\n')
		putchar('\n');
	r = resp->status >= 200 && resp->status < 300 ? 0 : 1;
	if (r)
		fprintf(stderr, "HTTP %d\n", resp->status);
	http_response_free(resp);
	return r;
}

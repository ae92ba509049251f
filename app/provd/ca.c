/* ca.c: provd's certificate authority: CA key/cert on disk, server and device certs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log/log.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"
#include "provd/provd.h"

LOG_TOPIC(ca);

static uint64_t new_serial(void)
{
	uint64_t s = 0;

	/* random 63-bit serials: unique without a counter, never zero */
	while (!s) {
		if (pki_random(&s, sizeof(s)) < 0)
			return 0;
		s &= 0x7fffffffffffffffULL;
	}
	return s;
}

static int load_or_create_ca(struct provd *p)
{
	char kpath[600], cpath[600], *pem = NULL;
	size_t len;
	int r;

	snprintf(kpath, sizeof(kpath), "%s/ca.key", p->state_dir);
	snprintf(cpath, sizeof(cpath), "%s/ca.pem", p->state_dir);
	r = pki_key_load_file(&p->ca_key, kpath);
	if (r == 0) {
		r = prov_file_read(cpath, 65536, &p->ca_pem, &len);
		if (r < 0)
			return log_err_errno(ca, r, "read %s: %m", cpath);
		return 0;
	}
	if (r != -ENOENT)
		return log_err_errno(ca, r, "load %s: %m", kpath);
	{
		struct pki_issue is = { .subject = "CN=Rakwon Provisioning CA,O=Rakwon",
					.serial = new_serial(), .days = 3650, .is_ca = true };

		r = pki_key_generate(&p->ca_key);
		if (r == 0)
			r = pki_key_write_pem(p->ca_key, &pem);
		if (r == 0)
			r = prov_file_write_atomic(kpath, pem, strlen(pem), 0600, 0);
		free(pem);
		pem = NULL;
		if (r == 0)
			r = pki_ca_new(p->ca_key, &is, &p->ca_pem);
		if (r == 0)
			r = prov_file_write_atomic(cpath, p->ca_pem, strlen(p->ca_pem), 0644, 0);
		if (r < 0)
			return log_err_errno(ca, r, "creating the CA in %s: %m", p->state_dir);
		log_info(ca, "created a new provisioning CA in %s", p->state_dir);
	}
	return 0;
}

int ca_setup(struct provd *p, const char *server_name)
{
	struct pki_issue is = { .serial = new_serial(), .days = 825, .server = true,
				.san_dns = server_name };
	struct pki_key *k = NULL;
	char subj[300], *cert = NULL, *kp = NULL, *chain = NULL;
	int r;

	r = load_or_create_ca(p);
	if (r < 0)
		return r;
	/* a fresh server key each start: nothing secret besides the CA on disk;
	 * server_name may list several names ("prov.example.org,10.0.0.5"),
	 * the first is the CN */
	snprintf(subj, sizeof(subj), "CN=%.*s,O=Rakwon", (int)strcspn(server_name, ","),
		 server_name);
	is.subject = subj;
	r = pki_key_generate(&k);
	if (r == 0)
		r = pki_cert_sign(k, &is, p->ca_pem, strlen(p->ca_pem), p->ca_key, &cert);
	if (r == 0)
		r = pki_key_write_pem(k, &kp);
	if (r == 0) {
		/* the chain includes the CA so devices can pin it on first contact */
		chain = malloc(strlen(cert) + strlen(p->ca_pem) + 1);
		if (!chain)
			r = -ENOMEM;
		else
			sprintf(chain, "%s%s", cert, p->ca_pem);
	}
	if (r == 0)
		r = tls_conf_new(&p->tls, TLS_SERVER);
	if (r == 0)
		r = tls_conf_set_cert_key_pem(p->tls, chain, strlen(chain), kp, strlen(kp));
	if (r == 0)
		r = tls_conf_set_ca_pem(p->tls, p->ca_pem, strlen(p->ca_pem));
	if (r == 0)
		r = tls_conf_set_verify(p->tls, TLS_VERIFY_OPTIONAL);
	if (r == 0)
		r = tls_conf_set_tickets(p->tls, 3600);
	free(cert);
	free(chain);
	free(kp);
	pki_key_free(k);
	if (r < 0)
		return log_err_errno(ca, r, "server TLS setup: %m");
	return 0;
}

int ca_issue_device(struct provd *p, const char *csr, const char *serial, char **ret_pem,
		    char *ret_serial, size_t serial_len)
{
	struct pki_issue is = { .serial = new_serial(), .days = p->cert_days };
	struct pki_cert_info ci;
	char subj[200];
	int r;

	snprintf(subj, sizeof(subj), "CN=%s,O=Rakwon", serial);
	is.subject = subj;
	r = pki_cert_sign_csr(csr, strlen(csr), &is, p->ca_pem, strlen(p->ca_pem), p->ca_key,
			      ret_pem);
	if (r < 0)
		return r;
	r = pki_cert_info(*ret_pem, strlen(*ret_pem), &ci);
	if (r < 0) {
		free(*ret_pem);
		return r;
	}
	snprintf(ret_serial, serial_len, "%s", ci.serial);
	return 0;
}

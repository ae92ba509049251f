/* main.c: rakwon-provload, a load generator for rakwon-provd (a bench, not a test).
 *
 *   rakwon-provload --url URL --ca CA.pem --token-file F [--devices N]
 *                   [--concurrency C] [--polls K] [--prefix P]
 *
 * Approves N serials through the admin API, then runs C simulated devices at a
 * time on one loop: each generates an ECDSA P-256 key and CSR, enrolls, fetches
 * its configuration over mutual TLS, then polls K-1 more times with
 * If-None-Match (304). Prints rates and p50/p99 latencies per phase.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/clock.h"
#include "lib/http/http.h"
#include "lib/json/json.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"

enum phase { PH_APPROVE, PH_ENROLL, PH_CONFIG, PH_POLL, PH_MAX };
static const char *const phase_name[] = { "approve", "enroll", "config 200", "poll 304" };

struct load {
	struct loop *l;
	const char *url, *prefix;
	char auth[300];
	const char *hdrs[2];
	struct tls_conf *admin;       /* CA only */
	char *ca_pem;
	size_t ca_len;
	unsigned n, conc, polls;
	unsigned next, done, active, errors;
	uint64_t *lat[PH_MAX];
	unsigned nlat[PH_MAX];
	uint64_t t_phase[PH_MAX][2];
};

struct dev {
	struct load *ld;
	unsigned idx;
	enum phase ph;
	unsigned polls_left;
	struct tls_conf *tls;
	struct tls_session *session;
	struct pki_key *key;
	char etag[80];
	char serial[64];
	uint64_t t0;
};

static void dev_step(struct dev *d);
static void start_more(struct load *ld);

static void record(struct load *ld, enum phase ph, uint64_t t0)
{
	uint64_t now = clock_now_us();

	ld->lat[ph][ld->nlat[ph]++] = now - t0;
	if (!ld->t_phase[ph][0] || t0 < ld->t_phase[ph][0])
		ld->t_phase[ph][0] = t0;
	if (now > ld->t_phase[ph][1])
		ld->t_phase[ph][1] = now;
}

static void dev_finish(struct dev *d, bool ok)
{
	struct load *ld = d->ld;

	if (!ok)
		ld->errors++;
	tls_conf_unref(d->tls);
	tls_session_free(d->session);
	pki_key_free(d->key);
	free(d);
	ld->active--;
	ld->done++;
	start_more(ld);
}

static void on_done(int err, const struct http_response *r, void *arg)
{
	struct dev *d = arg;
	struct load *ld = d->ld;
	struct json *j = NULL;
	const char *cert = "";
	char *kp = NULL;

	if (err < 0 || !r || (r->status != 200 && r->status != 201 && r->status != 304)) {
		fprintf(stderr, "%s %s: %s %d\n", d->serial, phase_name[d->ph],
			err < 0 ? strerror(-err) : "HTTP", r ? r->status : 0);
		dev_finish(d, false);
		return;
	}
	record(ld, d->ph, d->t0);
	switch (d->ph) {
	case PH_APPROVE:
		dev_finish(d, true);
		return;
	case PH_ENROLL:
		if (json_parse(&j, (const char *)r->body, r->body_len, NULL, NULL, 0) < 0 ||
		    json_get_str(j, "certificate", &cert) < 0 ||
		    pki_key_write_pem(d->key, &kp) < 0 || tls_conf_new(&d->tls, TLS_CLIENT) < 0) {
			json_free(j);
			free(kp);
			dev_finish(d, false);
			return;
		}
		break;
	case PH_CONFIG:
	case PH_POLL:
		if (r->etag)
			snprintf(d->etag, sizeof(d->etag), "%s", r->etag);
		if (!d->polls_left) {
			dev_finish(d, true);
			return;
		}
		d->ph = PH_POLL;
		dev_step(d);
		return;
	default:
		break;
	}
	/* enrolled: the device's own mutual-TLS configuration */
	{
		struct tls_conf *t = d->tls;
		int rc = tls_conf_set_cert_key_pem(t, cert, strlen(cert), kp, strlen(kp));

		if (rc == 0)
			rc = tls_conf_set_ca_pem(t, ld->ca_pem, ld->ca_len);
		json_free(j);
		free(kp);
		if (rc < 0) {
			dev_finish(d, false);
			return;
		}
	}
	d->ph = PH_CONFIG;
	dev_step(d);
}

static void dev_step(struct dev *d)
{
	struct load *ld = d->ld;
	struct http_request_opts o = { 0 };
	char url[600], body[2048], *csr = NULL;
	int r;

	d->t0 = clock_now_us();
	o.tls = ld->admin;
	o.timeout_us = 120000000ULL;
	switch (d->ph) {
	case PH_APPROVE:
		snprintf(url, sizeof(url), "%s/v1/admin/devices", ld->url);
		snprintf(body, sizeof(body), "{\"serial\":\"%s\"}", d->serial);
		o.method = "POST";
		o.headers = ld->hdrs;
		o.body = body;
		o.body_len = strlen(body);
		break;
	case PH_ENROLL:
		if (pki_key_generate(&d->key) < 0 || pki_csr_new(d->key, "CN=load", &csr) < 0) {
			dev_finish(d, false);
			return;
		}
		snprintf(url, sizeof(url), "%s/v1/enroll", ld->url);
		{
			char q[1500];

			json_quote(q, sizeof(q), csr, strlen(csr));
			snprintf(body, sizeof(body), "{\"serial\":\"%s\",\"csr\":%s}", d->serial, q);
		}
		free(csr);
		o.method = "POST";
		o.body = body;
		o.body_len = strlen(body);
		break;
	default:
		snprintf(url, sizeof(url), "%s/v1/config", ld->url);
		o.tls = d->tls;
		o.if_none_match = d->etag[0] ? d->etag : NULL;
		o.session = &d->session;
		d->polls_left--;
		break;
	}
	o.url = url;
	o.content_type = o.body ? "application/json" : NULL;
	r = http_request(NULL, ld->l, &o, on_done, d);
	if (r < 0)
		dev_finish(d, false);
}

static enum phase run_phase;

static void start_more(struct load *ld)
{
	while (ld->active < ld->conc && ld->next < ld->n) {
		struct dev *d = calloc(1, sizeof(*d));

		if (!d) {
			ld->errors++;
			ld->next++;
			ld->done++;
			continue;
		}
		d->ld = ld;
		d->idx = ld->next++;
		d->ph = run_phase;
		d->polls_left = ld->polls;
		snprintf(d->serial, sizeof(d->serial), "%s%06u", ld->prefix, d->idx);
		ld->active++;
		dev_step(d);
	}
	if (ld->done == ld->n)
		loop_quit(ld->l, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(struct load *ld, enum phase ph)
{
	unsigned n = ld->nlat[ph];
	double secs;

	if (!n)
		return;
	qsort(ld->lat[ph], n, sizeof(uint64_t), cmp_u64);
	secs = (double)(ld->t_phase[ph][1] - ld->t_phase[ph][0]) / 1e6;
	printf("  %-11s %7u requests %8.1f/s   p50 %7.1f ms   p99 %7.1f ms\n", phase_name[ph],
	       n, secs > 0 ? n / secs : 0.0, ld->lat[ph][n / 2] / 1000.0,
	       ld->lat[ph][(n * 99) / 100] / 1000.0);
}

int main(int argc, char **argv)
{
	struct load ld = { .n = 1000, .conc = 32, .polls = 3, .prefix = "load-" };
	const char *ca = NULL, *tokf = NULL;
	char *tok = NULL;
	size_t len;
	int i, p;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--url"))
			ld.url = argv[i + 1];
		else if (!strcmp(argv[i], "--ca"))
			ca = argv[i + 1];
		else if (!strcmp(argv[i], "--token-file"))
			tokf = argv[i + 1];
		else if (!strcmp(argv[i], "--devices"))
			ld.n = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--concurrency"))
			ld.conc = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--polls"))
			ld.polls = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--prefix"))
			ld.prefix = argv[i + 1];
	}
	if (!ld.url || !ca || !tokf || !ld.n || !ld.conc || !ld.polls || ld.n > 1000000) {
		fprintf(stderr, "usage: rakwon-provload --url URL --ca CA --token-file F "
			"[--devices N] [--concurrency C] [--polls K] [--prefix P]\n");
		return 2;
	}
	if (prov_file_read(tokf, 4096, &tok, &len) < 0)
		return 2;
	while (len && (tok[len - 1] == '\n' || tok[len - 1] == ' '))
		tok[--len] = '\0';
	snprintf(ld.auth, sizeof(ld.auth), "Authorization: Bearer %.250s", tok);
	free(tok);
	ld.hdrs[0] = ld.auth;
	if (prov_file_read(ca, 65536, &ld.ca_pem, &ld.ca_len) < 0) {
		fprintf(stderr, "%s: cannot read\n", ca);
		return 2;
	}
	if (loop_new(&ld.l) < 0 || tls_conf_new(&ld.admin, TLS_CLIENT) < 0 ||
	    tls_conf_set_ca_file(ld.admin, ca) < 0) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}
	for (p = 0; p < PH_MAX; p++) {
		ld.lat[p] = calloc((size_t)ld.n * ld.polls + 1, sizeof(uint64_t));
		if (!ld.lat[p])
			return 2;
	}
	printf("rakwon-provload: %u devices, %u at a time, %u config polls each\n", ld.n, ld.conc,
	       ld.polls);
	/* phase 1: approvals; phase 2: enroll + polls */
	for (p = 0; p < 2; p++) {
		run_phase = p == 0 ? PH_APPROVE : PH_ENROLL;
		ld.next = ld.done = ld.active = 0;
		start_more(&ld);
		if (ld.done < ld.n)
			(void)loop_run(ld.l);
	}
	for (p = 0; p < PH_MAX; p++)
		report(&ld, (enum phase)p);
	printf("  errors      %7u\n", ld.errors);
	for (p = 0; p < PH_MAX; p++)
		free(ld.lat[p]);
	tls_conf_unref(ld.admin);
	free(ld.ca_pem);
	loop_free(ld.l);
	return ld.errors ? 1 : 0;
}

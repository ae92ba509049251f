/* test_prov_client.c: struct prov_client embedded on a loop against an in-process
 * HTTPS server: Retry-After honoured, apply + last-known-good, deferral. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"
#include "test.h"

struct fake {
	int mode;              /* 0: 503 + Retry-After 5; 1: config "body" */
	const char *body;
	const char *etag;
	unsigned config_hits, heartbeats;
	char cn[64];
};

struct dev {
	unsigned applies;
	char last[64];
	bool in_call;
};

static void h_config(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct fake *f = arg;
	const char *inm = http_req_header(req, "If-None-Match");

	f->config_hits++;
	tls_peer_cn(req->tls, f->cn, sizeof(f->cn));
	if (f->mode == 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "busy");
		return;
	}
	http_resp_header(rs, "ETag", "%s", f->etag);
	if (inm && !strcmp(inm, f->etag)) {
		http_resp_status(rs, 304);
		return;
	}
	http_resp_body(rs, "text/plain", f->body, strlen(f->body));
}

static void h_hb(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct fake *f = arg;

	(void)req;
	f->heartbeats++;
	http_resp_body(rs, "application/json", "{\"poll_interval\":1}", 19);
}

static int cb_apply(const char *config, size_t len, void *arg)
{
	struct dev *d = arg;

	d->applies++;
	snprintf(d->last, sizeof(d->last), "%.*s", (int)len, config);
	return 0;
}

static bool cb_in_call(void *arg)
{
	return ((struct dev *)arg)->in_call;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return prov_file_write_atomic(p, text, strlen(text), 0600, 0);
}

/* CA, server cert for 127.0.0.1, and an enrolled device state dir */
static int setup(const char *state, struct tls_conf **ret)
{
	struct pki_issue ca_is = { .subject = "CN=CA", .serial = 1, .days = 2, .is_ca = true };
	struct pki_issue srv_is = { .subject = "CN=127.0.0.1", .serial = 2, .days = 2,
				    .server = true, .san_dns = "127.0.0.1" };
	struct pki_issue dev_is = { .subject = "CN=dev-1", .serial = 3, .days = 2 };
	struct pki_key *ck = NULL, *sk = NULL, *dk = NULL;
	char *ca = NULL, *srv = NULL, *dev = NULL, *skp = NULL, *dkp = NULL;
	struct tls_conf *sc = NULL;
	int r = 0;

	mkdir(state, 0700);
	r |= pki_key_generate(&ck);
	r |= pki_key_generate(&sk);
	r |= pki_key_generate(&dk);
	if (r == 0)
		r |= pki_ca_new(ck, &ca_is, &ca);
	if (r == 0) {
		r |= pki_cert_sign(sk, &srv_is, ca, strlen(ca), ck, &srv);
		r |= pki_cert_sign(dk, &dev_is, ca, strlen(ca), ck, &dev);
		r |= pki_key_write_pem(sk, &skp);
		r |= pki_key_write_pem(dk, &dkp);
	}
	if (r == 0)
		r |= write_file(state, "ca.pem", ca) | write_file(state, "device.crt", dev) |
		     write_file(state, "device.key", dkp);
	if (r == 0)
		r = tls_conf_new(&sc, TLS_SERVER);
	if (r == 0)
		r = tls_conf_set_cert_key_pem(sc, srv, strlen(srv), skp, strlen(skp));
	if (r == 0)
		r = tls_conf_set_ca_pem(sc, ca, strlen(ca));
	if (r == 0)
		r = tls_conf_set_verify(sc, TLS_VERIFY_REQUIRED);
	if (r == 0)
		r = tls_conf_set_tickets(sc, 600);
	free(ca);
	free(srv);
	free(dev);
	free(skp);
	free(dkp);
	pki_key_free(ck);
	pki_key_free(sk);
	pki_key_free(dk);
	if (r < 0) {
		tls_conf_unref(sc);
		return r ? r : -EIO;
	}
	*ret = sc;
	return 0;
}

static void run_until(struct loop *l, bool (*cond)(void *), void *arg, int max_ms)
{
	for (int i = 0; i < max_ms / 20 && !cond(arg); i++)
		(void)loop_run_for(l, 20000);
}

static bool applied_twice(void *arg)
{
	return ((struct dev *)arg)->applies >= 2;
}

static bool applied_thrice(void *arg)
{
	return ((struct dev *)arg)->applies >= 3;
}

static bool applied_once(void *arg)
{
	return ((struct dev *)arg)->applies >= 1;
}

TEST(client_embedded_on_a_loop)
{
	struct prov_client_cbs cbs = { .apply = cb_apply, .in_call = cb_in_call };
	struct prov_client_opts o = { 0 };
	struct prov_client_stats st;
	struct fake f = { .mode = 0 };
	struct dev d = { 0 };
	struct http_server *s;
	struct prov_client *c;
	struct tls_conf *sc;
	struct loop *l;
	char state[300], cfg[400], lkg[420], url[64], *text;
	size_t len;

	snprintf(state, sizeof(state), "%s/dev", test_tmpdir());
	snprintf(cfg, sizeof(cfg), "%s/terminal.conf", state);
	snprintf(lkg, sizeof(lkg), "%s.lkg", cfg);
	CHECK_OK(setup(state, &sc));
	CHECK_OK(loop_new(&l));
	CHECK_OK(http_server_new(&s, l, "127.0.0.1", 0, sc, NULL));
	CHECK_OK(http_server_route(s, "GET", "/v1/config", h_config, &f));
	CHECK_OK(http_server_route(s, "POST", "/v1/heartbeat", h_hb, &f));
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", http_server_port(s));
	o.server_url = url;
	o.state_dir = state;
	o.config_path = cfg;
	o.serial = "dev-1";
	o.poll_interval_s = 1;
	o.backoff_max_s = 1;
	o.defer_recheck_s = 1;
	CHECK_OK(prov_client_new(&c, l, &o, &cbs, &d));
	CHECK_OK(prov_client_start(c));
	/* 503 + Retry-After 5: one request, then silence (the backoff alone
	 * would have retried within a second) */
	(void)loop_run_for(l, 1500000);
	CHECK_EQ(f.config_hits, 1);
	CHECK_STR(f.cn, "dev-1");
	CHECK_EQ(prov_client_state(c), PROV_POLL);
	/* configuration v1, then v2: applied, v1 kept as last-known-good */
	f.mode = 1;
	f.body = "a = 1\n";
	f.etag = "\"e1\"";
	CHECK_OK(prov_client_poll_now(c));
	run_until(l, applied_once, &d, 5000);
	CHECK_EQ(d.applies, 1);
	CHECK_STR(d.last, "a = 1\n");
	CHECK_STR(prov_client_etag(c), "\"e1\"");
	prov_client_report_registered(c, true, NULL);
	CHECK_EQ(prov_client_state(c), PROV_POLL);
	f.body = "a = 2\n";
	f.etag = "\"e2\"";
	run_until(l, applied_twice, &d, 5000);
	CHECK_STR(d.last, "a = 2\n");
	CHECK_OK(prov_file_read(cfg, 100, &text, &len));
	CHECK_STR(text, "a = 2\n");
	free(text);
	CHECK_OK(prov_file_read(lkg, 100, &text, &len));
	CHECK_STR(text, "a = 1\n");
	free(text);
	/* in a call: v3 waits */
	prov_client_report_registered(c, true, NULL);
	d.in_call = true;
	f.body = "a = 3\n";
	f.etag = "\"e3\"";
	(void)loop_run_for(l, 2500000);
	CHECK_EQ(d.applies, 2);
	CHECK_EQ(prov_client_state(c), PROV_DEFER);
	d.in_call = false;
	run_until(l, applied_thrice, &d, 5000);
	CHECK_EQ(d.applies, 3);
	CHECK_STR(d.last, "a = 3\n");
	prov_client_stats(c, &st);
	CHECK(st.deferred >= 1);
	CHECK(f.heartbeats >= 2);
	prov_client_free(c);
	http_server_free(s);
	tls_conf_unref(sc);
	loop_free(l);
}

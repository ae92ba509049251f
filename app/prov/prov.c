/* prov.c: the provisioning client state machine (see prov.h for the design). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov.h"
#include "prov/prov_int.h"

LOG_TOPIC(prov);

const char *prov_state_name(enum prov_state s)
{
	static const char *const n[] = { "idle", "enroll", "poll", "defer", "verify", "revoked" };

	return s < PROV_STATE_MAX ? n[s] : "?";
}

void prov_set_state(struct prov_client *c, enum prov_state s, const char *msg)
{
	if (c->st == s && !msg)
		return;
	c->st = s;
	if (c->cbs.event)
		c->cbs.event(s, msg ? msg : "", c->arg);
}

void prov_error(struct prov_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->last_error, sizeof(c->last_error), fmt, ap);
	va_end(ap);
	c->stats.errors++;
	log_debug(prov, "%s", c->last_error);
	if (c->cbs.event)
		c->cbs.event(c->st, c->last_error, c->arg);
}

void prov_path(const struct prov_client *c, char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", c->state_dir, name);
}

static uint32_t rnd(struct prov_client *c)
{
	/* xorshift: jitter only, not security */
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

static void on_timer(struct loop *l, struct loop_timer *t, void *arg);

void prov_schedule(struct prov_client *c, bool failed)
{
	uint64_t delay_ms;

	if (failed) {
		unsigned shift = c->failures < 16 ? c->failures : 16;
		uint64_t base = (uint64_t)1000 << shift;

		c->failures++;
		if (base > (uint64_t)c->o.backoff_max_s * 1000)
			base = (uint64_t)c->o.backoff_max_s * 1000;
		delay_ms = base / 2 + rnd(c) % (base / 2 + 1);
	} else {
		uint64_t iv = (uint64_t)(c->server_poll_s ? c->server_poll_s : c->o.poll_interval_s)
			      * 1000;
		uint64_t j = iv * c->o.jitter_pct / 100;

		c->failures = 0;
		delay_ms = iv - j + (j ? rnd(c) % (2 * j + 1) : 0);
	}
	if (c->retry_after_s > 0 && (uint64_t)c->retry_after_s * 1000 > delay_ms)
		delay_ms = (uint64_t)c->retry_after_s * 1000;
	c->retry_after_s = 0;
	if (c->st == PROV_REVOKED && delay_ms < (uint64_t)c->o.backoff_max_s * 1000)
		delay_ms = (uint64_t)c->o.backoff_max_s * 1000;
	(void)loop_timer_start(c->l, &c->timer, delay_ms * 1000, 0, on_timer, c);
}

/* --- TLS configurations ------------------------------------------------------ */
static int load_ca(struct prov_client *c, struct tls_conf *t)
{
	char path[600];

	if (c->o.ca_file)
		return tls_conf_set_ca_file(t, c->o.ca_file);
	prov_path(c, path, sizeof(path), "ca.pem");
	return tls_conf_set_ca_file(t, path);
}

int prov_tls_setup(struct prov_client *c)
{
	char cert[600], key[600];
	struct tls_conf *t;
	int r;

	c->tls = tls_conf_unref(c->tls);
	c->session = tls_session_free(c->session);
	c->enrolled = false;
	r = tls_conf_new(&t, TLS_CLIENT);
	if (r < 0)
		return r;
	prov_path(c, cert, sizeof(cert), "device.crt");
	prov_path(c, key, sizeof(key), "device.key");
	if (load_ca(c, t) == 0) {
		c->have_ca = true;
		if (access(cert, R_OK) == 0 &&
		    tls_conf_set_cert_key_files(t, cert, key) == 0)
			c->enrolled = true;
	} else {
		/* first contact without a CA: trust on first use, pinned at
		 * enrollment (see prov_enroll) */
		c->have_ca = false;
		(void)tls_conf_set_verify(t, TLS_VERIFY_NONE);
	}
	c->tls = t;
	return 0;
}

/* --- apply with last-known-good -------------------------------------------------- */
static void save_etag(struct prov_client *c, const char *name, const char *etag)
{
	char path[600];

	prov_path(c, path, sizeof(path), name);
	if (prov_file_write_atomic(path, etag, strlen(etag), 0600, 0) < 0)
		log_debug(prov, "cannot save %s", path);
}

static void rollback(struct prov_client *c, const char *why)
{
	char lkg[600], *text = NULL;
	size_t len;
	int r;

	c->stats.rollbacks++;
	snprintf(c->bad_etag, sizeof(c->bad_etag), "%s", c->applying_etag);
	save_etag(c, "config.bad", c->bad_etag);
	snprintf(lkg, sizeof(lkg), "%s.lkg", c->o.config_path);
	if (c->lkg_none) {
		/* there was no configuration before this one: back to none */
		(void)unlink(c->o.config_path);
		c->etag[0] = '\0';
		save_etag(c, "config.etag", c->etag);
		prov_error(c, "configuration %s removed: %s (there was none before)",
			   c->bad_etag, why);
		return;
	}
	r = prov_file_read(lkg, PROV_CONFIG_MAX, &text, &len);
	if (r < 0) {
		prov_error(c, "rollback (%s): no last-known-good configuration", why);
		return;
	}
	r = prov_file_write_atomic(c->o.config_path, text, len, 0600, 0);
	if (r == 0) {
		r = c->cbs.apply(text, len, c->arg);
		snprintf(c->etag, sizeof(c->etag), "%s", c->lkg_etag);
		save_etag(c, "config.etag", c->etag);
	}
	free(text);
	prov_error(c, "configuration %s rolled back: %s%s", c->bad_etag, why,
		   r < 0 ? " (restoring the last-known-good failed too)" : "");
}

static void on_verify_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct prov_client *c = arg;

	(void)l;
	(void)t;
	/* no verdict from the daemon: the configuration stays */
	if (c->st == PROV_VERIFY)
		prov_set_state(c, PROV_POLL, "applied (no registration verdict)");
}

void prov_client_report_registered(struct prov_client *c, bool ok, const char *err)
{
	if (!c || c->st != PROV_VERIFY)
		return;
	loop_timer_stop(c->l, &c->verify_timer);
	if (ok) {
		prov_set_state(c, PROV_POLL, "applied and registered");
		return;
	}
	rollback(c, err && *err ? err : "registration failed");
	prov_set_state(c, PROV_POLL, NULL);
}

/* Apply the pending configuration now (caller checked in_call). */
static void apply_pending(struct prov_client *c)
{
	char lkg[600], *cur = NULL;
	size_t len;
	int r;

	snprintf(c->applying_etag, sizeof(c->applying_etag), "%s", c->pending_etag);
	/* the running configuration becomes the last-known-good */
	snprintf(lkg, sizeof(lkg), "%s.lkg", c->o.config_path);
	r = prov_file_read(c->o.config_path, PROV_CONFIG_MAX, &cur, &len);
	c->lkg_none = r == -ENOENT;
	if (r == 0) {
		r = prov_file_write_atomic(lkg, cur, len, 0600, 0);
		free(cur);
		if (r < 0) {
			prov_error(c, "cannot keep the last-known-good: %s", strerror(-r));
			goto out;
		}
		snprintf(c->lkg_etag, sizeof(c->lkg_etag), "%s", c->etag);
		save_etag(c, "config.lkg.etag", c->lkg_etag);
	}
	r = prov_file_write_atomic(c->o.config_path, c->pending, c->pending_len, 0600,
				   c->o.fault_step);
	if (r < 0) {
		prov_error(c, "cannot write %s: %s", c->o.config_path, strerror(-r));
		goto out;
	}
	r = c->cbs.apply(c->pending, c->pending_len, c->arg);
	if (r < 0) {
		rollback(c, "the daemon refused the configuration");
		goto out;
	}
	c->stats.applied++;
	snprintf(c->etag, sizeof(c->etag), "%s", c->pending_etag);
	save_etag(c, "config.etag", c->etag);
	c->last_error[0] = '\0';
	prov_set_state(c, PROV_VERIFY, "applied, verifying");
	(void)loop_timer_start(c->l, &c->verify_timer, (uint64_t)c->o.verify_timeout_s * 1000000,
			       0, on_verify_timeout, c);
out:
	free(c->pending);
	c->pending = NULL;
	c->pending_len = 0;
}

/* true if the call (in_call) blocks changes now */
bool prov_busy(struct prov_client *c)
{
	return c->cbs.in_call && c->cbs.in_call(c->arg);
}

static void on_defer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct prov_client *c = arg;

	(void)l;
	(void)t;
	if (prov_busy(c)) {
		(void)loop_timer_start(c->l, &c->timer, (uint64_t)c->o.defer_recheck_s * 1000000,
				       0, on_defer, c);
		return;
	}
	prov_set_state(c, PROV_POLL, "call ended");
	if (c->pending)
		apply_pending(c);
	if (c->fw_ready[0])
		prov_fw_install(c);
	prov_heartbeat(c);
}

/* A configuration arrived: apply or defer, then go on with the heartbeat. */
static void got_config(struct prov_client *c, const struct http_response *r)
{
	const char *etag = r->etag ? r->etag : "";

	if (r->body_len > PROV_CONFIG_MAX || strlen(etag) >= sizeof(c->pending_etag)) {
		prov_error(c, "configuration too large or bad ETag");
		prov_heartbeat(c);
		return;
	}
	if (*etag && !strcmp(etag, c->bad_etag)) {
		/* the one we rolled back from: wait for a different one */
		prov_heartbeat(c);
		return;
	}
	free(c->pending);
	c->pending = malloc(r->body_len + 1);
	if (!c->pending) {
		prov_error(c, "out of memory");
		prov_schedule(c, true);
		return;
	}
	memcpy(c->pending, r->body, r->body_len);
	c->pending[r->body_len] = '\0';
	c->pending_len = r->body_len;
	snprintf(c->pending_etag, sizeof(c->pending_etag), "%s", etag);
	if (prov_busy(c)) {
		c->stats.deferred++;
		prov_set_state(c, PROV_DEFER, "new configuration waits for the call to end");
		(void)loop_timer_start(c->l, &c->timer, (uint64_t)c->o.defer_recheck_s * 1000000,
				       0, on_defer, c);
		return;
	}
	if (c->st == PROV_VERIFY) {
		loop_timer_stop(c->l, &c->verify_timer);
		prov_set_state(c, PROV_POLL, NULL);
	}
	apply_pending(c);
	prov_heartbeat(c);
}

/* --- config poll ----------------------------------------------------------- */
static void config_done(int err, const struct http_response *r, void *arg)
{
	struct prov_client *c = arg;

	c->call = NULL;
	c->stats.polls++;
	if (err < 0) {
		if (err == -EPERM)
			prov_error(c, "poll: TLS verification failed (the server's name is not "
				   "in its certificate, or its CA is not the pinned one)");
		else
			prov_error(c, "poll: %s", strerror(-err));
		if (err == -EPERM)
			prov_tls_setup(c);   /* maybe the CA changed: re-read */
		prov_schedule(c, true);
		return;
	}
	c->retry_after_s = r->retry_after_s;
	if (r->status == 304) {
		c->stats.not_modified++;
		prov_heartbeat(c);
		return;
	}
	if (r->status == 200) {
		got_config(c, r);
		return;
	}
	if (r->status == 403) {
		prov_set_state(c, PROV_REVOKED, "the server refused our certificate");
		prov_error(c, "poll: certificate refused (revoked or unknown)");
		prov_schedule(c, true);
		return;
	}
	prov_error(c, "poll: HTTP %d", r->status);
	prov_schedule(c, true);
}

int prov_request(struct prov_client *c, const char *method, const char *path,
		 const char *body, const char *inm, int fd, size_t max, http_done_h cb)
{
	struct http_request_opts o = { .range_from = fd > 0 ? c->fw_range_from : 0 };
	char url[2300];
	int r;

	snprintf(url, sizeof(url), "%s%s", c->url, path);
	o.method = method;
	o.url = url;
	o.tls = c->tls;
	o.body = body;
	o.body_len = body ? strlen(body) : 0;
	o.content_type = body ? "application/json" : NULL;
	o.if_none_match = inm && *inm ? inm : NULL;
	o.timeout_us = fd > 0 ? 600000000ULL : 30000000ULL;
	o.max_body = max;
	o.body_fd = fd;
	o.on_tls = c->have_ca ? NULL : prov_on_tls_tofu;
	/* abbreviated handshakes for the polls: no public-key operations */
	o.session = c->enrolled ? &c->session : NULL;
	r = http_request(&c->call, c->l, &o, cb, c);
	if (r < 0) {
		c->call = NULL;
		prov_error(c, "request %s: %s", path, strerror(-r));
	}
	return r;
}

static void poll_config(struct prov_client *c)
{
	if (prov_request(c, "GET", "/v1/config", NULL, c->etag, 0, PROV_CONFIG_MAX,
			 config_done) < 0)
		prov_schedule(c, true);
}

/* the start of every cycle */
static void on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct prov_client *c = arg;
	char url[512];

	(void)l;
	(void)t;
	if (c->call) {
		/* a request is still running (poll_now raced it): look again */
		(void)loop_timer_start(c->l, &c->timer, 1000000, 0, on_timer, c);
		return;
	}
	if (!c->url) {
		if (c->o.discover && c->o.discover(url, sizeof(url), c->o.discover_arg) == 0) {
			c->url = strdup(url);
		}
		if (!c->url) {
			prov_set_state(c, PROV_IDLE, "no provisioning server known");
			prov_schedule(c, true);
			return;
		}
	}
	if (c->pending && prov_busy(c))
		return;
	if (c->fw_ready[0]) {
		prov_fw_install(c);
		if (!c->fw_ready[0] && c->st == PROV_DEFER)
			prov_set_state(c, PROV_POLL, "firmware installed");
	}
	if (!c->enrolled) {
		prov_set_state(c, PROV_ENROLL, NULL);
		prov_enroll(c);
		return;
	}
	if (c->st == PROV_IDLE || c->st == PROV_ENROLL)
		prov_set_state(c, PROV_POLL, NULL);
	poll_config(c);
}

void prov_cycle_now(struct prov_client *c)
{
	(void)loop_timer_start(c->l, &c->timer, 0, 0, on_timer, c);
}

void prov_after_enroll(struct prov_client *c)
{
	prov_set_state(c, PROV_POLL, "enrolled");
	poll_config(c);
}

/* --- lifecycle ------------------------------------------------------------- */
static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

int prov_client_new(struct prov_client **ret, struct loop *l, const struct prov_client_opts *o,
		    const struct prov_client_cbs *cbs, void *arg)
{
	struct prov_client *c;
	char path[600], *s;
	int r = -ENOMEM;

	if (!ret || !l || !o || !cbs || !cbs->apply || !o->state_dir || !o->config_path ||
	    !o->serial || strlen(o->state_dir) > 400)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->l = l;
	c->fw_fd = -1;
	c->cbs = *cbs;
	c->arg = arg;
	c->o = *o;
	c->o.state_dir = c->state_dir = dup_opt(o->state_dir);
	c->o.config_path = dup_opt(o->config_path);
	c->o.serial = dup_opt(o->serial);
	c->o.mac = dup_opt(o->mac);
	c->o.model = dup_opt(o->model);
	c->o.version = dup_opt(o->version ? o->version : "unknown");
	c->o.enroll_token = dup_opt(o->enroll_token);
	c->o.ca_file = dup_opt(o->ca_file);
	c->o.fw_pubkey_file = dup_opt(o->fw_pubkey_file);
	c->o.server_url = NULL;
	c->url = dup_opt(o->server_url);
	if (!c->o.poll_interval_s)
		c->o.poll_interval_s = 300;
	if (!c->o.jitter_pct)
		c->o.jitter_pct = 10;
	if (c->o.jitter_pct > 50)
		c->o.jitter_pct = 50;
	if (!c->o.backoff_max_s)
		c->o.backoff_max_s = 600;
	if (!c->o.verify_timeout_s)
		c->o.verify_timeout_s = 60;
	if (!c->o.defer_recheck_s)
		c->o.defer_recheck_s = 5;
	if (!c->o.state_dir || !c->o.config_path || !c->o.serial || !c->o.version ||
	    (o->mac && !c->o.mac) || (o->model && !c->o.model) ||
	    (o->enroll_token && !c->o.enroll_token) || (o->ca_file && !c->o.ca_file) ||
	    (o->fw_pubkey_file && !c->o.fw_pubkey_file) || (o->server_url && !c->url))
		goto fail;
	if (c->url) {
		struct http_url u;
		size_t n = strlen(c->url);

		if (http_url_parse(c->url, &u) < 0 || !u.tls) {
			r = -EINVAL;
			goto fail;
		}
		while (n && c->url[n - 1] == '/')
			c->url[--n] = '\0';     /* paths are appended */
	}
	(void)pki_random(&c->rng, sizeof(c->rng));
	c->rng |= 1;
	if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		goto fail;
	}
	/* what was applied before a restart */
	prov_path(c, path, sizeof(path), "config.etag");
	if (prov_file_read(path, 128, &s, NULL) == 0) {
		snprintf(c->etag, sizeof(c->etag), "%s", s);
		free(s);
	}
	if (access(c->o.config_path, F_OK) < 0)
		c->etag[0] = '\0';     /* the file is gone: fetch it again */
	prov_path(c, path, sizeof(path), "config.lkg.etag");
	if (prov_file_read(path, 128, &s, NULL) == 0) {
		snprintf(c->lkg_etag, sizeof(c->lkg_etag), "%s", s);
		free(s);
	}
	prov_path(c, path, sizeof(path), "config.bad");
	if (prov_file_read(path, 128, &s, NULL) == 0) {
		snprintf(c->bad_etag, sizeof(c->bad_etag), "%s", s);
		free(s);
	}
	if (c->o.fw_pubkey_file) {
		char *pem;
		size_t len;

		r = prov_file_read(c->o.fw_pubkey_file, 65536, &pem, &len);
		if (r == 0) {
			r = pki_pubkey_load_pem(&c->fw_pub, pem, len);
			free(pem);
		}
		if (r < 0)
			goto fail;
	}
	r = prov_tls_setup(c);
	if (r < 0)
		goto fail;
	c->st = PROV_IDLE;
	*ret = c;
	return 0;
fail:
	prov_client_free(c);
	return r;
}

struct prov_client *prov_client_free(struct prov_client *c)
{
	if (!c)
		return NULL;
	c->call = http_call_cancel(c->call);
	loop_timer_stop(c->l, &c->timer);
	loop_timer_stop(c->l, &c->verify_timer);
	tls_conf_unref(c->tls);
	tls_session_free(c->session);
	pki_key_free(c->fw_pub);
	json_free(c->fw);
	if (c->fw_fd >= 0)
		close(c->fw_fd);
	free(c->pending);
	free(c->tofu_ca);
	free(c->url);
	free(c->state_dir);
	free((char *)c->o.config_path);
	free((char *)c->o.serial);
	free((char *)c->o.mac);
	free((char *)c->o.model);
	free((char *)c->o.version);
	free((char *)c->o.enroll_token);
	free((char *)c->o.ca_file);
	free((char *)c->o.fw_pubkey_file);
	free(c);
	return NULL;
}

int prov_client_start(struct prov_client *c)
{
	if (!c)
		return -EINVAL;
	prov_cycle_now(c);
	return 0;
}

int prov_client_poll_now(struct prov_client *c)
{
	if (!c)
		return -EINVAL;
	if (!c->call && c->st != PROV_DEFER)
		prov_cycle_now(c);
	return 0;
}

int prov_client_set_server(struct prov_client *c, const char *url)
{
	struct http_url u;
	char *d;

	if (!c || http_url_parse(url, &u) < 0 || !u.tls)
		return -EINVAL;
	d = strdup(url);
	if (!d)
		return -ENOMEM;
	/* drop a trailing slash: paths are appended */
	if (d[strlen(d) - 1] == '/')
		d[strlen(d) - 1] = '\0';
	free(c->url);
	c->url = d;
	return prov_client_poll_now(c);
}

enum prov_state prov_client_state(const struct prov_client *c)
{
	return c ? c->st : PROV_IDLE;
}

const char *prov_client_etag(const struct prov_client *c)
{
	return c ? c->etag : "";
}

const char *prov_client_last_error(const struct prov_client *c)
{
	return c ? c->last_error : "";
}

void prov_client_stats(const struct prov_client *c, struct prov_client_stats *ret)
{
	*ret = c->stats;
}

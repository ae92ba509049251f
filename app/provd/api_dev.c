/* api_dev.c: the device API of rakwon-provd: enroll, config, heartbeat, directory, firmware. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "prov/prov_template.h"
#include "provd/provd.h"

LOG_TOPIC(api);

#define CONFIG_MAX (256 * 1024)

bool api_serial_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (!n || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

unsigned api_bucket(const char *serial)
{
	uint8_t d[32];

	pki_sha256(serial, strlen(serial), d);
	return (unsigned)(((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 |
			   d[3]) % 100);
}

int api_body_json(struct provd *p, const struct http_req *req, struct http_resp *rs,
		  struct json **ret)
{
	struct json_limits lim;
	char err[160];
	int r;

	json_limits_default(&lim);
	lim.max_depth = 8;
	lim.max_members = 1024;
	r = json_parse(ret, (const char *)req->body, req->body_len, &lim, err, sizeof(err));
	if (r < 0) {
		p->m.bad_requests++;
		http_resp_error(rs, 400, "invalid JSON: %s", err);
		return r;
	}
	if (!json_is(*ret, JSON_OBJECT)) {
		*ret = json_free(*ret);
		p->m.bad_requests++;
		http_resp_error(rs, 400, "invalid JSON: the body must be an object");
		return -EINVAL;
	}
	return 0;
}

/* optional string member: absent/null -> *v = NULL; else a string of at
 * most max bytes */
static int opt_str(const struct json *j, const char *key, size_t max, const char **v,
		   struct http_resp *rs)
{
	int r = json_get_str(j, key, v);

	if (r == -ENOENT) {
		*v = NULL;
		return 0;
	}
	if (r < 0 || strlen(*v) > max) {
		http_resp_error(rs, 400, "\"%s\" must be a string of at most %zu bytes", key, max);
		return -EINVAL;
	}
	return 0;
}

/* The device behind the client certificate of this connection, or answer
 * 403 and return <0. The TLS layer already verified the chain to our CA. */
static int dev_auth(struct provd *p, const struct http_req *req, struct http_resp *rs,
		    char *serial, size_t len)
{
	char cn[128] = "", cser[64] = "", *state = NULL;
	int64_t revoked = 1;

	if (!req->tls || tls_peer_cn(req->tls, cn, sizeof(cn)) < 0 ||
	    tls_peer_serial(req->tls, cser, sizeof(cser)) < 0) {
		p->m.auth_denied++;
		http_resp_error(rs, 403, "a device certificate is required");
		return -EPERM;
	}
	if (db_get_int(p->db, &revoked, "SELECT revoked FROM certs WHERE serial = ? AND "
		       "device = ?", "ss", cser, cn) < 0 || revoked ||
	    db_get_str(p->db, &state, "SELECT state FROM devices WHERE serial = ?", "s", cn) < 0 ||
	    strcmp(state, "enrolled") != 0) {
		free(state);
		p->m.auth_denied++;
		log_info(api, "%s: refused certificate %s for \"%s\" (unknown or revoked)",
			 req->peer, cser, cn);
		http_resp_error(rs, 403, "unknown or revoked certificate");
		return -EPERM;
	}
	free(state);
	snprintf(serial, len, "%s", cn);
	return 0;
}

/* --- enrollment ------------------------------------------------------------ */
static void h_enroll(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	const char *serial, *mac, *model, *token, *csr;
	char hash[65], cser[64], *cert = NULL, *state = NULL, *profile = NULL;
	uint8_t d[32];
	struct json *j, *out = NULL;
	int64_t now = (int64_t)time(NULL);
	bool by_token = false;
	int r;

	if (api_body_json(p, req, rs, &j) < 0)
		return;
	if (json_get_str(j, "serial", &serial) < 0 || !api_serial_valid(serial) ||
	    json_get_str(j, "csr", &csr) < 0 || strlen(csr) > 8192 ||
	    opt_str(j, "mac", 32, &mac, rs) < 0 || opt_str(j, "model", 64, &model, rs) < 0 ||
	    opt_str(j, "token", 128, &token, rs) < 0) {
		p->m.bad_requests++;
		http_resp_error(rs, 400, "enroll needs \"serial\" ([A-Za-z0-9._:-], 1-64) and "
				"\"csr\"; optional \"token\", \"mac\", \"model\" strings");
		goto out;
	}
	if (db_begin(p->db) < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database busy");
		goto out;
	}
	(void)db_get_str(p->db, &state, "SELECT state FROM devices WHERE serial = ?", "s",
			 serial);
	if (state && !strcmp(state, "revoked")) {
		db_rollback(p->db);
		p->m.enroll_denied++;
		db_audit(p->db, serial, "enroll.denied", serial, "device revoked");
		http_resp_error(rs, 403, "device is revoked");
		goto out;
	}
	if (token) {
		pki_sha256(token, strlen(token), d);
		pki_hex(d, 32, hash);
		/* single use: the UPDATE only matches an unused, unexpired token
		 * bound to this serial (or to none) */
		r = db_run(p->db, "UPDATE tokens SET used = ? WHERE hash = ? AND used = 0 AND "
			   "expires > ? AND (serial IS NULL OR serial = ?)", "isis", now, hash,
			   now, serial);
		if (r == 1) {
			by_token = true;
			(void)db_get_str(p->db, &profile, "SELECT profile FROM tokens WHERE hash = ?",
					 "s", hash);
		}
	} else if (state && !strcmp(state, "approved")) {
		char *want_mac = NULL;

		/* a pre-approved serial; if a MAC was recorded it must match */
		if (db_get_str(p->db, &want_mac, "SELECT mac FROM devices WHERE serial = ?", "s",
			       serial) == 0 && want_mac[0] && (!mac || strcasecmp(mac, want_mac))) {
			free(want_mac);
			db_rollback(p->db);
			p->m.enroll_denied++;
			db_audit(p->db, serial, "enroll.denied", serial, "MAC mismatch");
			http_resp_error(rs, 403, "not approved for enrollment");
			goto out;
		}
		free(want_mac);
		by_token = false;
		r = 1;
	} else {
		r = 0;
	}
	if (r != 1) {
		db_rollback(p->db);
		p->m.enroll_denied++;
		db_audit(p->db, serial, "enroll.denied", serial,
			 token ? "invalid, used or expired token" : "not approved");
		http_resp_error(rs, 403, token ? "invalid, used or expired enrollment token" :
				"not approved for enrollment");
		goto out;
	}
	r = ca_issue_device(p, csr, serial, &cert, cser, sizeof(cser));
	if (r < 0) {
		db_rollback(p->db);
		p->m.bad_requests++;
		http_resp_error(rs, 400, "invalid certificate signing request");
		goto out;
	}
	r = db_run(p->db, "INSERT INTO devices (serial, mac, model, profile, state, created) "
		   "VALUES (?, ?, ?, COALESCE(?, 'default'), 'enrolled', ?) "
		   "ON CONFLICT(serial) DO UPDATE SET state = 'enrolled', "
		   "mac = COALESCE(excluded.mac, devices.mac), "
		   "model = COALESCE(excluded.model, devices.model), "
		   "profile = COALESCE(?, devices.profile)", "ssssis", serial, mac, model, profile, now,
		   profile);
	if (r >= 0)
		r = db_run(p->db, "UPDATE certs SET revoked = 1 WHERE device = ?", "s", serial);
	if (r >= 0)
		r = db_run(p->db, "INSERT INTO certs (serial, device, issued, not_after) "
			   "VALUES (?, ?, ?, ?)", "ssii", cser, serial, now,
			   now + (int64_t)p->cert_days * 86400);
	if (r >= 0)
		r = db_run(p->db, "UPDATE devices SET cert_serial = ? WHERE serial = ?", "ss",
			   cser, serial);
	if (r < 0 || db_commit(p->db) < 0) {
		db_rollback(p->db);
		http_resp_error(rs, 500, "could not store the enrollment");
		goto out;
	}
	db_audit(p->db, serial, "enroll", serial, by_token ? "token" : "approved serial");
	p->m.enroll_ok++;
	log_info(api, "%s: enrolled \"%s\" (certificate %s, %s)", req->peer, serial, cser,
		 by_token ? "token" : "approved serial");
	if (json_new_object(&out) == 0 && json_obj_set_str(out, "certificate", cert) == 0 &&
	    json_obj_set_str(out, "ca", p->ca_pem) == 0 &&
	    json_obj_set_int(out, "poll_interval", p->poll_interval) == 0)
		http_resp_json(rs, 200, out);
	else
		http_resp_error(rs, 500, "out of memory");
out:
	json_free(out);
	json_free(j);
	free(cert);
	free(state);
	free(profile);
}

/* --- configuration ----------------------------------------------------------- */
struct render_ctx {
	struct provd *p;
	const char *serial;
	struct json *dev;
	char *vals[64];
	size_t n;
	char scope_dev[100], scope_prof[100];
};

static const char *lookup(const char *name, void *arg)
{
	struct render_ctx *c = arg;
	static const char *const builtin[] = { "serial", "mac", "model", "name", "profile" };
	const char *scopes[] = { c->scope_dev, c->scope_prof, "global" };
	const char *v;
	size_t i;
	char *s;

	for (i = 0; i < 5; i++) {
		if (!strcmp(name, builtin[i])) {
			if (json_get_str(c->dev, name, &v) < 0)
				v = "";
			return v;
		}
	}
	if (c->n >= sizeof(c->vals) / sizeof(c->vals[0]))
		return NULL;   /* more distinct lookups than we keep: treat as unknown */
	for (i = 0; i < 3; i++) {
		if (db_get_str(c->p->db, &s, "SELECT value FROM overrides WHERE scope = ? AND "
			       "key = ?", "ss", scopes[i], name) == 0) {
			c->vals[c->n++] = s;
			return s;
		}
	}
	return NULL;
}

int api_render_config(struct provd *p, const char *serial, char **ret, size_t *ret_len,
		      char *err, size_t errlen)
{
	struct render_ctx c = { .p = p, .serial = serial };
	const char *profile;
	char *tpl = NULL;
	size_t i;
	int r;

	r = db_row_json(p->db, &c.dev, "SELECT serial, COALESCE(mac, '') AS mac, "
			"COALESCE(model, '') AS model, COALESCE(name, '') AS name, profile "
			"FROM devices WHERE serial = ?", "s", serial);
	if (r < 0) {
		snprintf(err, errlen, "unknown device");
		return r;
	}
	(void)json_get_str(c.dev, "profile", &profile);
	snprintf(c.scope_dev, sizeof(c.scope_dev), "device:%s", serial);
	snprintf(c.scope_prof, sizeof(c.scope_prof), "profile:%s", profile);
	r = db_get_str(p->db, &tpl, "SELECT template FROM profiles WHERE name = ?", "s", profile);
	if (r < 0) {
		snprintf(err, errlen, "profile \"%s\" does not exist", profile);
	} else {
		r = prov_template_render(tpl, strlen(tpl), lookup, &c, CONFIG_MAX, ret, ret_len,
					 err, errlen);
	}
	for (i = 0; i < c.n; i++)
		free(c.vals[i]);
	free(tpl);
	json_free(c.dev);
	return r;
}

static void h_config(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	char serial[128], err[200], etag[72], hex[65], *cfg = NULL;
	const char *inm;
	uint8_t d[32];
	size_t len;

	if (dev_auth(p, req, rs, serial, sizeof(serial)) < 0)
		return;
	if (api_render_config(p, serial, &cfg, &len, err, sizeof(err)) < 0) {
		p->m.render_errors++;
		log_warn(api, "config for \"%s\" cannot be rendered: %s", serial, err);
		http_resp_error(rs, 500, "configuration cannot be rendered: %s", err);
		return;
	}
	pki_sha256(cfg, len, d);
	pki_hex(d, 16, hex);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	http_resp_header(rs, "ETag", "%s", etag);
	http_resp_header(rs, "Cache-Control", "no-cache");
	inm = http_req_header(req, "If-None-Match");
	if (inm && !strcmp(inm, etag)) {
		p->m.config_304++;
		http_resp_status(rs, 304);
		free(cfg);
		return;
	}
	p->m.config_200++;
	http_resp_body_take(rs, "text/plain; charset=utf-8", cfg, len);
}

/* --- heartbeat and firmware --------------------------------------------------- */
static struct json *fw_for(struct provd *p, const char *serial, const char *running)
{
	struct json *fw = NULL;
	char *model = NULL;
	const char *v;
	char url[200];

	(void)db_get_str(p->db, &model, "SELECT COALESCE(model, '') FROM devices WHERE "
			 "serial = ?", "s", serial);
	if (db_row_json(p->db, &fw, "SELECT version, size, sha256, signature FROM firmware "
			"WHERE (model = '' OR model = ?) AND rollout_pct > ? "
			"ORDER BY created DESC, version DESC LIMIT 1", "si", model ? model : "",
			(int64_t)api_bucket(serial)) < 0) {
		free(model);
		return NULL;
	}
	free(model);
	if (json_get_str(fw, "version", &v) < 0 || (running && !strcmp(v, running))) {
		json_free(fw);
		return NULL;
	}
	snprintf(url, sizeof(url), "/v1/firmware/%s", v);
	json_obj_set_str(fw, "url", url);
	return fw;
}

static void h_heartbeat(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	const char *version, *state, *etag, *error;
	char serial[128];
	struct json *j, *out = NULL, *fw;

	if (dev_auth(p, req, rs, serial, sizeof(serial)) < 0)
		return;
	if (api_body_json(p, req, rs, &j) < 0)
		return;
	if (opt_str(j, "version", 64, &version, rs) < 0 || opt_str(j, "state", 32, &state, rs) < 0 ||
	    opt_str(j, "etag", 64, &etag, rs) < 0 || opt_str(j, "error", 256, &error, rs) < 0) {
		p->m.bad_requests++;
		json_free(j);
		return;
	}
	p->m.heartbeats++;
	if (db_run(p->db, "UPDATE devices SET fw_version = COALESCE(?, fw_version), "
		   "last_state = ?, config_etag = ?, last_error = ?, last_seen = ? "
		   "WHERE serial = ?", "ssssis", version, state, etag, error,
		   (int64_t)time(NULL), serial) < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database busy");
		json_free(j);
		return;
	}
	if (json_new_object(&out) == 0) {
		json_obj_set_int(out, "poll_interval", p->poll_interval);
		fw = fw_for(p, serial, version);
		if (fw)
			json_obj_set(out, "firmware", fw);
		http_resp_json(rs, 200, out);
	}
	json_free(out);
	json_free(j);
}

static void h_firmware(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	char serial[128], path[800], *file = NULL;
	struct stat st;
	int64_t size;
	int fd;

	if (dev_auth(p, req, rs, serial, sizeof(serial)) < 0)
		return;
	if (db_get_str(p->db, &file, "SELECT file FROM firmware WHERE version = ?", "s",
		       req->rest) < 0 ||
	    db_get_int(p->db, &size, "SELECT size FROM firmware WHERE version = ?", "s",
		       req->rest) < 0) {
		free(file);
		http_resp_error(rs, 404, "no such firmware release");
		return;
	}
	snprintf(path, sizeof(path), "%s/firmware/%s", p->state_dir, file);
	free(file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size != size) {
		if (fd >= 0)
			close(fd);
		http_resp_error(rs, 500, "firmware image missing or changed on the server");
		return;
	}
	p->m.fw_downloads++;
	/* resume: a single open-ended range "bytes=N-" inside the image */
	{
		const char *rg = http_req_header(req, "Range");
		unsigned long long from;
		char tail;

		if (rg && sscanf(rg, "bytes=%llu-%c", &from, &tail) == 1 && from > 0 &&
		    from < (unsigned long long)size) {
			http_resp_status(rs, 206);
			http_resp_header(rs, "Content-Range", "bytes %llu-%lld/%lld", from,
					 (long long)size - 1, (long long)size);
			http_resp_file(rs, "application/octet-stream", fd, (off_t)from,
				       (size_t)(size - (int64_t)from));
			http_resp_rate_limit(rs, p->fw_rate);
			return;
		}
	}
	http_resp_header(rs, "Accept-Ranges", "bytes");
	http_resp_file(rs, "application/octet-stream", fd, 0, (size_t)size);
	http_resp_rate_limit(rs, p->fw_rate);
}

static void h_directory(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	char serial[128];
	struct json *arr;

	if (dev_auth(p, req, rs, serial, sizeof(serial)) < 0)
		return;
	if (db_query_json(p->db, &arr, "SELECT name, uri, kind FROM directory ORDER BY name",
			  "") < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database busy");
		return;
	}
	http_resp_json(rs, 200, arr);
	json_free(arr);
}

static void h_ca(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;

	(void)req;
	http_resp_body(rs, "application/x-pem-file", p->ca_pem, strlen(p->ca_pem));
}

int api_dev_register(struct provd *p)
{
	int r = 0;

	r |= http_server_route(p->http, "POST", "/v1/enroll", h_enroll, p);
	r |= http_server_route(p->http, "GET", "/v1/config", h_config, p);
	r |= http_server_route(p->http, "POST", "/v1/heartbeat", h_heartbeat, p);
	r |= http_server_route(p->http, "GET", "/v1/firmware/*", h_firmware, p);
	r |= http_server_route(p->http, "GET", "/v1/directory", h_directory, p);
	r |= http_server_route(p->http, "GET", "/v1/ca", h_ca, p);
	return r ? -ENOMEM : 0;
}

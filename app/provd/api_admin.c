/* api_admin.c: the admin API of rakwon-provd (bearer token) and /metrics. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "prov/prov.h"
#include "prov/prov_template.h"
#include "provd/provd.h"

LOG_TOPIC(admin);

#define FW_MAX (512LL << 20)
#define CLAMP_LIMIT(x) ((x) < 1 ? 1 : (x) > 1000 ? 1000 : (x))

static bool admin_ok(struct provd *p, const struct http_req *req, struct http_resp *rs)
{
	const char *a = http_req_header(req, "Authorization");
	uint8_t d[32], diff = 0;
	size_t i;

	p->m.admin_requests++;
	if (a && !strncmp(a, "Bearer ", 7) && strlen(a + 7) >= 16) {
		pki_sha256(a + 7, strlen(a + 7), d);
		for (i = 0; i < 32; i++)   /* constant time */
			diff |= d[i] ^ p->admin_hash[i];
		if (!diff)
			return true;
	}
	p->m.admin_denied++;
	log_info(admin, "%s: admin request without a valid token", req->peer);
	http_resp_header(rs, "WWW-Authenticate", "Bearer realm=\"rakwon-provd\"");
	http_resp_error(rs, 401, "admin token required");
	return false;
}

static bool key_valid(const char *k)
{
	size_t n = strlen(k), i;

	if (!n || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_' || k[i] == '.' || k[i] == '-'))
			return false;
	return true;
}

static void reply_rows(struct provd *p, struct http_resp *rs, int r, struct json *j)
{
	(void)p;
	if (r == -ENOENT) {
		http_resp_error(rs, 404, "not found");
	} else if (r < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
	} else {
		http_resp_json(rs, 200, j);
	}
	json_free(j);
}

static void reply_ok(struct http_resp *rs, int status, const char *what)
{
	char body[300], q[260];

	json_quote(q, sizeof(q), what, strlen(what));
	snprintf(body, sizeof(body), "{\"ok\":true,\"result\":%s}\n", q);
	http_resp_status(rs, status);
	http_resp_body(rs, "application/json", body, strlen(body));
}

/* --- devices ------------------------------------------------------------ */
static void devices_post(struct provd *p, const char *serial_in, struct json *j,
			 struct http_resp *rs)
{
	const char *serial = serial_in, *mac = NULL, *model = NULL, *profile = NULL,
		   *name = NULL;
	int64_t now = (int64_t)time(NULL);
	bool reapprove = false;
	int r;

	if (!serial && json_get_str(j, "serial", &serial) < 0)
		serial = NULL;
	(void)json_get_str(j, "mac", &mac);
	(void)json_get_str(j, "model", &model);
	(void)json_get_str(j, "profile", &profile);
	(void)json_get_str(j, "name", &name);
	if (!serial || !api_serial_valid(serial) || (mac && strlen(mac) > 32) ||
	    (model && strlen(model) > 64) || (name && strlen(name) > 128) ||
	    (profile && !key_valid(profile))) {
		http_resp_error(rs, 400, "device needs a valid \"serial\"; \"mac\", \"model\", "
				"\"name\", \"profile\" are optional strings");
		return;
	}
	if (profile) {
		int64_t n = 0;

		if (db_get_int(p->db, &n, "SELECT COUNT(*) FROM profiles WHERE name = ?", "s",
			       profile) < 0 || !n) {
			http_resp_error(rs, 422, "profile \"%s\" does not exist", profile);
			return;
		}
	}
	r = db_run(p->db, "INSERT INTO devices (serial, mac, model, name, profile, state, created) "
		   "VALUES (?, ?, ?, ?, COALESCE(?, 'default'), 'approved', ?) "
		   "ON CONFLICT(serial) DO UPDATE SET "
		   "mac = COALESCE(excluded.mac, devices.mac), "
		   "model = COALESCE(excluded.model, devices.model), "
		   "name = COALESCE(excluded.name, devices.name), "
		   "profile = COALESCE(?, devices.profile)", "sssssis", serial, mac, model, name, profile,
		   now, profile);
	if (r >= 0 && json_get_bool(j, "reapprove", &reapprove) == 0 && reapprove) {
		/* a device that lost its key (factory reset) or was revoked may
		 * enroll again by serial; its old certificates stay revoked */
		r = db_run(p->db, "UPDATE devices SET state = 'approved' WHERE serial = ?", "s",
			   serial);
		if (r >= 0)
			r = db_run(p->db, "UPDATE certs SET revoked = 1 WHERE device = ?", "s", serial);
	}
	if (r < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
		return;
	}
	db_audit(p->db, "admin", reapprove ? "device.reapprove" : serial_in ? "device.update" :
		 "device.approve", serial, profile);
	reply_ok(rs, 200, serial);
}

static void devices_revoke(struct provd *p, const char *serial, struct http_resp *rs)
{
	int r;

	if (db_begin(p->db) < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database busy");
		return;
	}
	r = db_run(p->db, "UPDATE devices SET state = 'revoked' WHERE serial = ?", "s", serial);
	if (r == 0) {
		db_rollback(p->db);
		http_resp_error(rs, 404, "no such device");
		return;
	}
	if (r > 0)
		r = db_run(p->db, "UPDATE certs SET revoked = 1 WHERE device = ?", "s", serial);
	if (r < 0 || db_commit(p->db) < 0) {
		db_rollback(p->db);
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
		return;
	}
	db_audit(p->db, "admin", "device.revoke", serial, NULL);
	log_info(admin, "revoked \"%s\"", serial);
	reply_ok(rs, 200, serial);
}

static void devices_h(struct provd *p, const struct http_req *req, struct http_resp *rs,
		      const char *rest, struct json *body)
{
	char serial[80];
	const char *sl;
	struct json *j = NULL;
	int r;

	if (!*rest) {
		if (!strcmp(req->method, "GET")) {
			r = db_query_json(p->db, &j, "SELECT serial, mac, model, name, profile, "
					  "state, cert_serial, fw_version, last_seen, last_state, "
					  "last_error, config_etag FROM devices ORDER BY serial", "");
			reply_rows(p, rs, r, j);
		} else if (!strcmp(req->method, "POST") && body) {
			devices_post(p, NULL, body, rs);
		} else {
			http_resp_error(rs, 405, "GET or POST (JSON) expected");
		}
		return;
	}
	sl = strchr(rest, '/');
	if ((size_t)(sl ? sl - rest : (long)strlen(rest)) >= sizeof(serial)) {
		http_resp_error(rs, 404, "no such device");
		return;
	}
	snprintf(serial, sizeof(serial), "%.*s", (int)(sl ? sl - rest : (long)strlen(rest)), rest);
	if (!api_serial_valid(serial)) {
		http_resp_error(rs, 400, "invalid serial");
		return;
	}
	if (!sl && !strcmp(req->method, "GET")) {
		r = db_row_json(p->db, &j, "SELECT * FROM devices WHERE serial = ?", "s", serial);
		reply_rows(p, rs, r, j);
	} else if (!sl && !strcmp(req->method, "POST") && body) {
		devices_post(p, serial, body, rs);
	} else if (sl && !strcmp(sl, "/revoke") && !strcmp(req->method, "POST")) {
		devices_revoke(p, serial, rs);
	} else if (sl && !strcmp(sl, "/config") && !strcmp(req->method, "GET")) {
		char err[200], *cfg;
		size_t len;

		if (api_render_config(p, serial, &cfg, &len, err, sizeof(err)) < 0)
			http_resp_error(rs, 422, "%s", err);
		else
			http_resp_body_take(rs, "text/plain; charset=utf-8", cfg, len);
	} else {
		http_resp_error(rs, 404, "no such device operation");
	}
}

/* --- profiles, overrides, tokens, directory --------------------------------- */
static const char *any_value(const char *name, void *arg)
{
	(void)name;
	(void)arg;
	return "x";
}

static void profiles_post(struct provd *p, struct json *j, struct http_resp *rs)
{
	const char *name, *tpl;
	char err[200], *out;
	int r;

	if (json_get_str(j, "name", &name) < 0 || !key_valid(name) ||
	    json_get_str(j, "template", &tpl) < 0 || strlen(tpl) > 128 * 1024) {
		http_resp_error(rs, 400, "profile needs \"name\" ([A-Za-z0-9_.-], 1-64) and "
				"\"template\" (at most 128 KiB)");
		return;
	}
	/* syntax check now, so devices never get a template that cannot render */
	r = prov_template_render(tpl, strlen(tpl), any_value, NULL, 1 << 20, &out, NULL, err,
				 sizeof(err));
	if (r < 0) {
		http_resp_error(rs, 422, "template: %s", err);
		return;
	}
	free(out);
	r = db_run(p->db, "INSERT INTO profiles (name, template, updated) VALUES (?, ?, ?) "
		   "ON CONFLICT(name) DO UPDATE SET template = excluded.template, "
		   "updated = excluded.updated", "ssi", name, tpl, (int64_t)time(NULL));
	if (r < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
		return;
	}
	db_audit(p->db, "admin", "profile.set", name, NULL);
	reply_ok(rs, 200, name);
}

static void overrides_post(struct provd *p, struct json *j, struct http_resp *rs)
{
	const char *scope, *key, *value = NULL;
	struct json *v;
	int r;

	if (json_get_str(j, "scope", &scope) < 0 || json_get_str(j, "key", &key) < 0 ||
	    !key_valid(key) || strlen(scope) > 100 ||
	    !(!strcmp(scope, "global") || (!strncmp(scope, "profile:", 8) && key_valid(scope + 8)) ||
	      (!strncmp(scope, "device:", 7) && api_serial_valid(scope + 7)))) {
		http_resp_error(rs, 400, "override needs \"scope\" (global, profile:NAME or "
				"device:SERIAL), \"key\" and \"value\" (string, or null to delete)");
		return;
	}
	v = json_obj_get(j, "value");
	if (!v || (!json_is(v, JSON_NULL) && json_get_str(j, "value", &value) < 0)) {
		http_resp_error(rs, 400, "\"value\" must be a string or null");
		return;
	}
	if (value && (strlen(value) > 1024 || strpbrk(value, "\r\n"))) {
		http_resp_error(rs, 422, "\"value\" must be one line of at most 1024 bytes");
		return;
	}
	if (value)
		r = db_run(p->db, "INSERT INTO overrides (scope, key, value) VALUES (?, ?, ?) "
			   "ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value", "sss",
			   scope, key, value);
	else
		r = db_run(p->db, "DELETE FROM overrides WHERE scope = ? AND key = ?", "ss", scope,
			   key);
	if (r < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
		return;
	}
	db_audit(p->db, "admin", value ? "override.set" : "override.delete", scope, key);
	reply_ok(rs, 200, key);
}

static void tokens_post(struct provd *p, struct json *j, struct http_resp *rs)
{
	const char *serial = NULL, *profile = NULL;
	char tok[65], hash[65];
	uint8_t raw[24], d[32];
	int64_t ttl = 86400, now = (int64_t)time(NULL);
	struct json *out;

	(void)json_get_str(j, "serial", &serial);
	(void)json_get_str(j, "profile", &profile);
	(void)json_get_int(j, "ttl_s", &ttl);
	if ((serial && !api_serial_valid(serial)) || (profile && !key_valid(profile)) ||
	    ttl < 60 || ttl > 86400 * 365) {
		http_resp_error(rs, 400, "token: optional \"serial\", \"profile\", \"ttl_s\" "
				"(60 s to 1 year)");
		return;
	}
	if (pki_random(raw, sizeof(raw)) < 0) {
		http_resp_error(rs, 500, "no randomness");
		return;
	}
	pki_hex(raw, sizeof(raw), tok);
	pki_sha256(tok, strlen(tok), d);
	pki_hex(d, 32, hash);
	/* only the hash is stored: the token is shown once */
	if (db_run(p->db, "INSERT INTO tokens (hash, serial, profile, expires, created) "
		   "VALUES (?, ?, ?, ?, ?)", "sssii", hash, serial, profile, now + ttl, now) < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
		return;
	}
	db_audit(p->db, "admin", "token.create", serial, profile);
	if (json_new_object(&out) == 0) {
		json_obj_set_str(out, "token", tok);
		json_obj_set_int(out, "expires", now + ttl);
		http_resp_json(rs, 201, out);
		json_free(out);
	}
}

static void directory_post(struct provd *p, struct json *j, struct http_resp *rs)
{
	const char *name, *uri, *kind = "room";

	(void)json_get_str(j, "kind", &kind);
	if (json_get_str(j, "name", &name) < 0 || json_get_str(j, "uri", &uri) < 0 ||
	    !*name || strlen(name) > 128 || strlen(uri) > 256 || strlen(kind) > 32 ||
	    strncmp(uri, "sip:", 4) != 0) {
		http_resp_error(rs, 400, "directory entry needs \"name\" and \"uri\" (sip:...)");
		return;
	}
	if (db_run(p->db, "INSERT INTO directory (name, uri, kind) VALUES (?, ?, ?) "
		   "ON CONFLICT(uri) DO UPDATE SET name = excluded.name, kind = excluded.kind",
		   "sss", name, uri, kind) < 0) {
		http_resp_header(rs, "Retry-After", "5");
		http_resp_error(rs, 503, "database error");
		return;
	}
	db_audit(p->db, "admin", "directory.set", uri, name);
	reply_ok(rs, 200, uri);
}

/* --- firmware ------------------------------------------------------------ */
static int copy_hash(const char *src, const char *dst, uint8_t d[32], int64_t *size)
{
	struct pki_sha256 *h;
	char buf[65536];
	int in, out, r = 0;
	struct stat st;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FW_MAX) {
		close(in);
		return -EINVAL;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || pki_sha256_new(&h) < 0) {
		r = out < 0 ? -errno : -ENOMEM;
		close(in);
		if (out >= 0)
			close(out);
		return r;
	}
	*size = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		pki_sha256_update(h, buf, (size_t)n);
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
		*size += n;
	}
	if (n < 0)
		r = -errno;
	pki_sha256_final(h, d);
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	close(in);
	close(out);
	return r;
}

static void firmware_post(struct provd *p, struct json *j, struct http_resp *rs)
{
	const char *version, *model = "", *path, *sig;
	char hex[65], tmp[800], dst[800];
	int64_t pct = 0, size = 0;
	uint8_t d[32], *raw = NULL;
	size_t rawlen = 0;
	int r;

	(void)json_get_str(j, "model", &model);
	(void)json_get_int(j, "rollout_pct", &pct);
	if (json_get_str(j, "version", &version) < 0 || !key_valid(version) ||
	    json_get_str(j, "path", &path) < 0 || json_get_str(j, "signature", &sig) < 0 ||
	    strlen(model) > 64 || pct < 0 || pct > 100) {
		http_resp_error(rs, 400, "firmware needs \"version\", \"path\" (a file on the "
				"server), \"signature\" (base64 DER ECDSA over SHA-256); optional "
				"\"model\", \"rollout_pct\" 0-100");
		return;
	}
	if (pki_base64_decode(sig, strlen(sig), &raw, &rawlen) < 0 || rawlen > 80) {
		free(raw);
		http_resp_error(rs, 400, "\"signature\" is not base64 of a DER signature");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s/firmware/upload.tmp", p->state_dir);
	r = copy_hash(path, tmp, d, &size);
	if (r < 0) {
		free(raw);
		unlink(tmp);
		http_resp_error(rs, 422, "cannot read \"%s\": %s", path, strerror(-r));
		return;
	}
	if (p->fw_pub && pki_verify_digest(p->fw_pub, d, raw, rawlen) < 0) {
		free(raw);
		unlink(tmp);
		db_audit(p->db, "admin", "firmware.rejected", version, "bad signature");
		http_resp_error(rs, 422, "signature does not verify with the firmware key");
		return;
	}
	free(raw);
	pki_hex(d, 32, hex);
	snprintf(dst, sizeof(dst), "%s/firmware/%s.bin", p->state_dir, hex);
	if (rename(tmp, dst) < 0) {
		unlink(tmp);
		http_resp_error(rs, 500, "cannot store the image");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.bin", hex);
	r = db_run(p->db, "INSERT INTO firmware (version, model, file, size, sha256, signature, "
		   "rollout_pct, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "sssissii", version,
		   model, tmp, size, hex, sig, pct, (int64_t)time(NULL));
	if (r < 0) {
		http_resp_error(rs, r == -EEXIST ? 409 : 503, r == -EEXIST ?
				"firmware version exists" : "database error");
		return;
	}
	db_audit(p->db, "admin", "firmware.add", version, hex);
	reply_ok(rs, 201, version);
}

static void firmware_h(struct provd *p, const struct http_req *req, struct http_resp *rs,
		       const char *rest, struct json *body)
{
	struct json *j = NULL;
	char ver[80];
	const char *sl = strchr(rest, '/');
	int64_t pct;
	int r;

	if (!*rest && !strcmp(req->method, "GET")) {
		r = db_query_json(p->db, &j, "SELECT version, model, size, sha256, rollout_pct, "
				  "created FROM firmware ORDER BY created DESC", "");
		reply_rows(p, rs, r, j);
	} else if (!*rest && body) {
		firmware_post(p, body, rs);
	} else if (sl && !strcmp(sl, "/rollout") && body && sl - rest < (long)sizeof(ver)) {
		snprintf(ver, sizeof(ver), "%.*s", (int)(sl - rest), rest);
		if (json_get_int(body, "pct", &pct) < 0 || pct < 0 || pct > 100) {
			http_resp_error(rs, 400, "\"pct\" 0-100 expected");
			return;
		}
		r = db_run(p->db, "UPDATE firmware SET rollout_pct = ? WHERE version = ?", "is",
			   pct, ver);
		if (r <= 0) {
			http_resp_error(rs, r == 0 ? 404 : 503, r == 0 ? "no such release" :
					"database error");
			return;
		}
		db_audit(p->db, "admin", "firmware.rollout", ver, NULL);
		reply_ok(rs, 200, ver);
	} else {
		http_resp_error(rs, 404, "no such firmware operation");
	}
}

/* --- dispatcher ---------------------------------------------------------- */
static void h_admin(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	struct json *body = NULL, *j = NULL;
	const char *rest = req->rest, *sub;
	char q[32];
	int64_t limit = 100;
	int r;

	if (!admin_ok(p, req, rs))
		return;
	if ((!strcmp(req->method, "POST") || !strcmp(req->method, "PUT")) && req->body_len &&
	    api_body_json(p, req, rs, &body) < 0)
		return;
	sub = strchr(rest, '/');
	sub = sub ? sub + 1 : rest + strlen(rest);
	if (!strncmp(rest, "devices", 7) && (!rest[7] || rest[7] == '/')) {
		devices_h(p, req, rs, sub, body);
	} else if (!strcmp(rest, "profiles") && body) {
		profiles_post(p, body, rs);
	} else if (!strcmp(rest, "profiles")) {
		r = db_query_json(p->db, &j, "SELECT name, template, updated FROM profiles "
				  "ORDER BY name", "");
		reply_rows(p, rs, r, j);
	} else if (!strcmp(rest, "overrides") && body) {
		overrides_post(p, body, rs);
	} else if (!strcmp(rest, "overrides")) {
		r = db_query_json(p->db, &j, "SELECT scope, key, value FROM overrides "
				  "ORDER BY scope, key", "");
		reply_rows(p, rs, r, j);
	} else if (!strcmp(rest, "tokens") && body) {
		tokens_post(p, body, rs);
	} else if (!strncmp(rest, "firmware", 8) && (!rest[8] || rest[8] == '/')) {
		firmware_h(p, req, rs, sub, body);
	} else if (!strcmp(rest, "directory") && body) {
		directory_post(p, body, rs);
	} else if (!strncmp(rest, "directory/", 10) && !strcmp(req->method, "DELETE")) {
		r = db_run(p->db, "DELETE FROM directory WHERE id = ?", "i",
			   (int64_t)atoll(rest + 10));
		if (r <= 0)
			http_resp_error(rs, 404, "no such entry");
		else
			reply_ok(rs, 200, rest + 10);
	} else if (!strcmp(rest, "directory")) {
		r = db_query_json(p->db, &j, "SELECT id, name, uri, kind FROM directory "
				  "ORDER BY name", "");
		reply_rows(p, rs, r, j);
	} else if (!strcmp(rest, "audit")) {
		if (http_req_query(req, "limit", q, sizeof(q)) == 0)
			limit = CLAMP_LIMIT(atoll(q));
		r = db_query_json(p->db, &j, "SELECT * FROM audit ORDER BY id DESC LIMIT ?", "i",
				  limit);
		reply_rows(p, rs, r, j);
	} else {
		http_resp_error(rs, 404, "no such admin resource");
	}
	json_free(body);
}

/* --- metrics ------------------------------------------------------------- */
static void h_metrics(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct provd *p = arg;
	struct http_server_stats hs;
	int64_t ndev = 0, nenr = 0, nrev = 0, nstale = 0;
	char *b;
	int n;

	(void)req;
	http_server_stats(p->http, &hs);
	(void)db_get_int(p->db, &ndev, "SELECT COUNT(*) FROM devices", "");
	(void)db_get_int(p->db, &nenr, "SELECT COUNT(*) FROM devices WHERE state='enrolled'", "");
	(void)db_get_int(p->db, &nrev, "SELECT COUNT(*) FROM devices WHERE state='revoked'", "");
	/* enrolled but silent for more than three poll intervals */
	(void)db_get_int(p->db, &nstale, "SELECT COUNT(*) FROM devices WHERE state='enrolled' "
			 "AND COALESCE(last_seen, 0) < ?", "i",
			 (int64_t)time(NULL) - 3 * (int64_t)p->poll_interval);
	b = malloc(4096);
	if (!b) {
		http_resp_error(rs, 500, "out of memory");
		return;
	}
	n = snprintf(b, 4096,
		"# HELP rakwon_provd_devices Devices known, by state.\n"
		"# TYPE rakwon_provd_devices gauge\n"
		"rakwon_provd_devices{state=\"all\"} %lld\n"
		"rakwon_provd_devices{state=\"enrolled\"} %lld\n"
		"rakwon_provd_devices{state=\"revoked\"} %lld\n"
		"rakwon_provd_devices{state=\"stale\"} %lld\n"
		"# TYPE rakwon_provd_enrollments_total counter\n"
		"rakwon_provd_enrollments_total{result=\"ok\"} %llu\n"
		"rakwon_provd_enrollments_total{result=\"denied\"} %llu\n"
		"# TYPE rakwon_provd_config_requests_total counter\n"
		"rakwon_provd_config_requests_total{code=\"200\"} %llu\n"
		"rakwon_provd_config_requests_total{code=\"304\"} %llu\n"
		"# TYPE rakwon_provd_auth_denied_total counter\n"
		"rakwon_provd_auth_denied_total %llu\n"
		"# TYPE rakwon_provd_heartbeats_total counter\n"
		"rakwon_provd_heartbeats_total %llu\n"
		"# TYPE rakwon_provd_firmware_downloads_total counter\n"
		"rakwon_provd_firmware_downloads_total %llu\n"
		"# TYPE rakwon_provd_admin_requests_total counter\n"
		"rakwon_provd_admin_requests_total{result=\"denied\"} %llu\n"
		"rakwon_provd_admin_requests_total{result=\"all\"} %llu\n"
		"# TYPE rakwon_provd_bad_requests_total counter\n"
		"rakwon_provd_bad_requests_total %llu\n"
		"# TYPE rakwon_provd_render_errors_total counter\n"
		"rakwon_provd_render_errors_total %llu\n"
		"# TYPE rakwon_provd_http_connections_total counter\n"
		"rakwon_provd_http_connections_total{result=\"accepted\"} %llu\n"
		"rakwon_provd_http_connections_total{result=\"refused\"} %llu\n"
		"rakwon_provd_http_tls_failures_total %llu\n"
		"# TYPE rakwon_provd_http_connections_open gauge\n"
		"rakwon_provd_http_connections_open %llu\n"
		"# TYPE rakwon_provd_http_requests_total counter\n"
		"rakwon_provd_http_requests_total %llu\n"
		"rakwon_provd_http_responses_total{class=\"4xx\"} %llu\n"
		"rakwon_provd_http_responses_total{class=\"5xx\"} %llu\n"
		"# TYPE rakwon_provd_uptime_seconds gauge\n"
		"rakwon_provd_uptime_seconds %llu\n",
		(long long)ndev, (long long)nenr, (long long)nrev, (long long)nstale,
		(unsigned long long)p->m.enroll_ok, (unsigned long long)p->m.enroll_denied,
		(unsigned long long)p->m.config_200, (unsigned long long)p->m.config_304,
		(unsigned long long)p->m.auth_denied, (unsigned long long)p->m.heartbeats,
		(unsigned long long)p->m.fw_downloads, (unsigned long long)p->m.admin_denied,
		(unsigned long long)p->m.admin_requests, (unsigned long long)p->m.bad_requests,
		(unsigned long long)p->m.render_errors,
		(unsigned long long)hs.conns_accepted, (unsigned long long)hs.conns_refused,
		(unsigned long long)hs.tls_failures, (unsigned long long)hs.conns_open,
		(unsigned long long)hs.requests, (unsigned long long)hs.responses_4xx,
		(unsigned long long)hs.responses_5xx,
		(unsigned long long)((loop_now_us(p->l) - p->started_us) / 1000000));
	http_resp_body_take(rs, "text/plain; version=0.0.4", b, (size_t)(n < 4096 ? n : 4095));
}

int api_admin_register(struct provd *p)
{
	int r = 0;

	r |= http_server_route(p->http, "*", "/v1/admin/*", h_admin, p);
	r |= http_server_route(p->http, "GET", "/metrics", h_metrics, p);
	return r ? -ENOMEM : 0;
}

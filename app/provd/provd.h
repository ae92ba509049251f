/* provd.h: internal interfaces of rakwon-provd (storage, CA, API handlers).
 *
 * DESIGN
 * One process, one loop (lib/loop): an HTTPS server (lib/http over
 * lib/tls, client certificates optional at the TLS layer) carries both the
 * device API (/v1/enroll, /v1/config, /v1/heartbeat, /v1/directory,
 * /v1/firmware/<v>) and the admin API (/v1/admin/..., bearer token), plus
 * /metrics. Every handler runs on the loop thread and finishes its SQLite
 * transaction before answering, so an answered request is durable
 * (WAL, synchronous=FULL): a restart loses nothing that was acknowledged.
 * Devices are identified only by their client certificate (CN = serial,
 * certificate serial checked against the certs table and revocation), never
 * by anything in the URL or body, so one device cannot read another's
 * configuration. struct provd owns everything; handlers get it as arg.
 * Storage is SQLite by default or PostgreSQL (database=...): the handlers
 * only use db_*() with '?' placeholders and SQL both dialects accept.
 */
#ifndef RAKWON_PROVD_PROVD_H
#define RAKWON_PROVD_PROVD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct db;
struct http_req;
struct http_resp;
struct http_server;
struct json;
struct loop;
struct pki_key;
struct tls_conf;

struct provd_metrics {
	uint64_t enroll_ok, enroll_denied, config_200, config_304, auth_denied;
	uint64_t heartbeats, fw_downloads, admin_requests, admin_denied, bad_requests;
	uint64_t render_errors;
};

struct provd {
	struct loop *l;
	struct conf *conf;
	struct db *db;                  /* SQLite (default) or PostgreSQL */
	struct http_server *http;
	struct tls_conf *tls;
	char *ca_pem;
	struct pki_key *ca_key;
	struct pki_key *fw_pub;         /* NULL: signatures not checked on upload */
	uint8_t admin_hash[32];         /* SHA-256 of the admin token */
	char state_dir[512];
	unsigned poll_interval;
	unsigned cert_days;
	uint64_t fw_rate;               /* bytes/s per firmware download, 0: unlimited */
	struct provd_metrics m;
	uint64_t started_us;
};

/* --- db.c --------------------------------------------------------------- */
/* Open (create) the database and run the schema migrations. spec is a
 * SQLite file path, or a PostgreSQL connection string ("postgresql://..."
 * or "host=... dbname=..."). */
int db_open(const char *spec, struct db **ret);
void db_close(struct db *db);
/* Bind types: 's' text (NULL -> SQL NULL), 'i' int64, 'b' blob (ptr, size_t). */
int db_run(struct db *db, const char *sql, const char *types, ...);
/* First column of the first row as a malloc'd string; -ENOENT if no row. */
int db_get_str(struct db *db, char **ret, const char *sql, const char *types, ...);
int db_get_int(struct db *db, int64_t *ret, const char *sql, const char *types, ...);
/* All rows as a JSON array of objects keyed by column name. */
int db_query_json(struct db *db, struct json **ret, const char *sql, const char *types, ...);
/* First row as a JSON object; -ENOENT if none. */
int db_row_json(struct db *db, struct json **ret, const char *sql, const char *types, ...);
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
void db_audit(struct db *db, const char *actor, const char *action, const char *target,
	      const char *detail);
int db_schema_version(struct db *db);

/* --- ca.c --------------------------------------------------------------- */
/* Load or create the CA in state_dir and build the server TLS config. */
int ca_setup(struct provd *p, const char *server_name);
/* Sign a device certificate from a CSR for serial; returns PEM and the
 * certificate serial (hex). */
int ca_issue_device(struct provd *p, const char *csr, const char *serial, char **ret_pem,
		    char *ret_serial, size_t serial_len);

/* --- api_dev.c / api_admin.c ------------------------------------------- */
int api_dev_register(struct provd *p);
int api_admin_register(struct provd *p);

/* helpers shared by the handlers (api_dev.c) */
/* Parse the body as a JSON object; on failure answers 400 and returns <0. */
int api_body_json(struct provd *p, const struct http_req *req, struct http_resp *rs,
		  struct json **ret);
bool api_serial_valid(const char *s);
/* Render a device's configuration; -ENOENT device unknown. */
int api_render_config(struct provd *p, const char *serial, char **ret, size_t *ret_len,
		      char *err, size_t errlen);
/* Rollout bucket of a device: 0..99, stable. */
unsigned api_bucket(const char *serial);

#endif

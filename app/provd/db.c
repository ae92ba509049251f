/* db.c: provd's storage (SQLite or PostgreSQL): migrations and small query helpers.
 *
 * Both backends sit behind one row cursor (struct cur): q_exec() runs a
 * statement with '?' placeholders (rewritten to $n for PostgreSQL, all
 * parameters sent as text and typed by the server), q_row() steps, q_*()
 * read columns. The public db_*() helpers are written once on top of it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "lib/json/json.h"
#include "lib/log/log.h"
#include "provd/provd.h"

LOG_TOPIC(db);

#define MAX_PARAMS 16

struct db {
	sqlite3 *lite;
	PGconn *pg;
};

/* Migrations: index i brings the schema from version i to i + 1. Never edit
 * a released step; append a new one (to both lists). Each runs in one
 * transaction together with the version bump. */
static const char *const lite_migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE devices ("
	"  serial TEXT PRIMARY KEY,"
	"  mac TEXT, model TEXT, name TEXT,"
	"  profile TEXT NOT NULL DEFAULT 'default',"
	"  state TEXT NOT NULL CHECK (state IN ('approved','enrolled','revoked')),"
	"  cert_serial TEXT,"
	"  fw_version TEXT, last_seen INTEGER, last_state TEXT, last_error TEXT,"
	"  config_etag TEXT, created INTEGER NOT NULL);"
	"CREATE TABLE profiles (name TEXT PRIMARY KEY, template TEXT NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE overrides (scope TEXT NOT NULL, key TEXT NOT NULL,"
	"  value TEXT NOT NULL, PRIMARY KEY (scope, key));"
	"CREATE TABLE directory (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL, uri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'room');"
	"CREATE TABLE firmware (version TEXT PRIMARY KEY, model TEXT NOT NULL DEFAULT '',"
	"  file TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
	"  signature TEXT NOT NULL, rollout_pct INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE tokens (hash TEXT PRIMARY KEY, serial TEXT, profile TEXT,"
	"  expires INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
	"CREATE TABLE certs (serial TEXT PRIMARY KEY, device TEXT NOT NULL,"
	"  issued INTEGER NOT NULL, not_after INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT);"
	"INSERT INTO profiles VALUES ('default', '# rakwon default profile\n"
	"device.serial = ${serial}\n', strftime('%s','now'));",
	/* 2: lookups by certificate and by time */
	"CREATE INDEX certs_device ON certs(device);"
	"CREATE INDEX audit_ts ON audit(ts);",
};

static const char *const pg_migrations[] = {
	/* 1: initial schema (BIGINT for Unix times and sizes) */
	"CREATE TABLE devices ("
	"  serial TEXT PRIMARY KEY,"
	"  mac TEXT, model TEXT, name TEXT,"
	"  profile TEXT NOT NULL DEFAULT 'default',"
	"  state TEXT NOT NULL CHECK (state IN ('approved','enrolled','revoked')),"
	"  cert_serial TEXT,"
	"  fw_version TEXT, last_seen BIGINT, last_state TEXT, last_error TEXT,"
	"  config_etag TEXT, created BIGINT NOT NULL);"
	"CREATE TABLE profiles (name TEXT PRIMARY KEY, template TEXT NOT NULL,"
	"  updated BIGINT NOT NULL);"
	"CREATE TABLE overrides (scope TEXT NOT NULL, key TEXT NOT NULL,"
	"  value TEXT NOT NULL, PRIMARY KEY (scope, key));"
	"CREATE TABLE directory (id BIGSERIAL PRIMARY KEY,"
	"  name TEXT NOT NULL, uri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'room');"
	"CREATE TABLE firmware (version TEXT PRIMARY KEY, model TEXT NOT NULL DEFAULT '',"
	"  file TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,"
	"  signature TEXT NOT NULL, rollout_pct INTEGER NOT NULL DEFAULT 0,"
	"  created BIGINT NOT NULL);"
	"CREATE TABLE tokens (hash TEXT PRIMARY KEY, serial TEXT, profile TEXT,"
	"  expires BIGINT NOT NULL, used BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL);"
	"CREATE TABLE certs (serial TEXT PRIMARY KEY, device TEXT NOT NULL,"
	"  issued BIGINT NOT NULL, not_after BIGINT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, ts BIGINT NOT NULL,"
	"  actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT);"
	"INSERT INTO profiles VALUES ('default', E'# rakwon default profile\\n"
	"device.serial = ${serial}\\n', extract(epoch from now())::bigint);",
	/* 2 */
	"CREATE INDEX certs_device ON certs(device);"
	"CREATE INDEX audit_ts ON audit(ts);",
};

_Static_assert(sizeof(lite_migrations) == sizeof(pg_migrations),
	       "every migration exists for both backends");

/* --- the row cursor ---------------------------------------------------------- */
enum col_type {
	COL_NULL,
	COL_INT,
	COL_DOUBLE,
	COL_TEXT,
};

struct cur {
	struct db *db;
	sqlite3_stmt *st;       /* SQLite */
	PGresult *res;          /* PostgreSQL */
	int row, nrows;
	int err;
};

static int pg_error(PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state && !strncmp(state, "23505", 5) ? -EEXIST : -EIO;
}

static int q_exec(struct cur *c, struct db *db, const char *sql, const char *types, va_list ap)
{
	int i, n = types ? (int)strlen(types) : 0;

	memset(c, 0, sizeof(*c));
	c->db = db;
	c->row = -1;
	if (n > MAX_PARAMS)
		return -EINVAL;
	if (db->pg) {
		char nums[MAX_PARAMS][24], *q;
		const char *vals[MAX_PARAMS];
		size_t len = strlen(sql), o = 0;
		int k = 0;
		bool quote = false;

		for (i = 0; i < n; i++) {
			if (types[i] == 's') {
				vals[i] = va_arg(ap, const char *);
			} else if (types[i] == 'i') {
				snprintf(nums[i], sizeof(nums[i]), "%lld",
					 (long long)va_arg(ap, int64_t));
				vals[i] = nums[i];
			} else {
				return -EINVAL;   /* blobs: not used with PostgreSQL */
			}
		}
		/* '?' -> '$n' outside string literals */
		q = malloc(len * 3 + 1);
		if (!q)
			return -ENOMEM;
		for (size_t j = 0; j < len; j++) {
			if (sql[j] == '\'')
				quote = !quote;
			if (sql[j] == '?' && !quote)
				o += (size_t)sprintf(q + o, "$%d", ++k);
			else
				q[o++] = sql[j];
		}
		q[o] = '\0';
		if (k != n) {
			free(q);
			return -EINVAL;
		}
		c->res = PQexecParams(db->pg, q, n, NULL, vals, NULL, NULL, 0);
		free(q);
		if (!c->res || (PQresultStatus(c->res) != PGRES_TUPLES_OK &&
				PQresultStatus(c->res) != PGRES_COMMAND_OK)) {
			log_debug(db, "\"%s\": %s", sql, PQerrorMessage(db->pg));
			c->err = pg_error(c->res);
			PQclear(c->res);
			c->res = NULL;
			return c->err;
		}
		c->nrows = PQntuples(c->res);
		return 0;
	}
	if (sqlite3_prepare_v2(db->lite, sql, -1, &c->st, NULL) != SQLITE_OK) {
		log_debug(db, "prepare \"%s\": %s", sql, sqlite3_errmsg(db->lite));
		return -EIO;
	}
	for (i = 0; i < n; i++) {
		int rc = SQLITE_MISUSE;

		if (types[i] == 's') {
			const char *s = va_arg(ap, const char *);

			rc = s ? sqlite3_bind_text(c->st, i + 1, s, -1, SQLITE_TRANSIENT) :
				 sqlite3_bind_null(c->st, i + 1);
		} else if (types[i] == 'i') {
			rc = sqlite3_bind_int64(c->st, i + 1, va_arg(ap, int64_t));
		} else if (types[i] == 'b') {
			const void *p = va_arg(ap, const void *);
			size_t bl = va_arg(ap, size_t);

			rc = sqlite3_bind_blob(c->st, i + 1, p, (int)bl, SQLITE_TRANSIENT);
		}
		if (rc != SQLITE_OK) {
			sqlite3_finalize(c->st);
			c->st = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

static bool q_row(struct cur *c)
{
	int rc;

	if (c->res)
		return ++c->row < c->nrows;
	if (!c->st || c->err)
		return false;
	rc = sqlite3_step(c->st);
	if (rc == SQLITE_ROW)
		return true;
	if (rc != SQLITE_DONE) {
		log_debug(db, "step: %s", sqlite3_errmsg(c->db->lite));
		c->err = rc == SQLITE_CONSTRAINT ? -EEXIST : -EIO;
	}
	return false;
}

static int q_ncols(struct cur *c)
{
	return c->res ? PQnfields(c->res) : sqlite3_column_count(c->st);
}

static const char *q_name(struct cur *c, int i)
{
	return c->res ? PQfname(c->res, i) : sqlite3_column_name(c->st, i);
}

static enum col_type q_type(struct cur *c, int i)
{
	if (c->res) {
		if (PQgetisnull(c->res, c->row, i))
			return COL_NULL;
		switch (PQftype(c->res, i)) {
		case 16: case 20: case 21: case 23:   /* bool, int8, int2, int4 */
			return COL_INT;
		case 700: case 701: case 1700:        /* float4, float8, numeric */
			return COL_DOUBLE;
		default:
			return COL_TEXT;
		}
	}
	switch (sqlite3_column_type(c->st, i)) {
	case SQLITE_NULL: return COL_NULL;
	case SQLITE_INTEGER: return COL_INT;
	case SQLITE_FLOAT: return COL_DOUBLE;
	default: return COL_TEXT;
	}
}

static const char *q_text(struct cur *c, int i, size_t *len)
{
	const char *t;

	if (c->res) {
		t = PQgetvalue(c->res, c->row, i);
		*len = (size_t)PQgetlength(c->res, c->row, i);
		return t;
	}
	t = (const char *)sqlite3_column_text(c->st, i);
	*len = t ? (size_t)sqlite3_column_bytes(c->st, i) : 0;
	return t ? t : "";
}

static int64_t q_int(struct cur *c, int i)
{
	if (c->res) {
		const char *v = PQgetvalue(c->res, c->row, i);

		return *v == 't' ? 1 : *v == 'f' ? 0 : strtoll(v, NULL, 10);
	}
	return sqlite3_column_int64(c->st, i);
}

static double q_double(struct cur *c, int i)
{
	return c->res ? strtod(PQgetvalue(c->res, c->row, i), NULL) :
			sqlite3_column_double(c->st, i);
}

/* finish; returns the cursor's error or the number of changed rows */
static int q_done(struct cur *c)
{
	int r = c->err;

	if (c->res) {
		if (!r)
			r = atoi(PQcmdTuples(c->res));
		PQclear(c->res);
	} else if (c->st) {
		if (!r)
			r = sqlite3_changes(c->db->lite);
		sqlite3_finalize(c->st);
	}
	c->res = NULL;
	c->st = NULL;
	return r;
}

/* a script of statements, no parameters */
static int exec_script(struct db *db, const char *sql, char *err, size_t errlen)
{
	if (db->pg) {
		PGresult *res = PQexec(db->pg, sql);
		int ok = res && (PQresultStatus(res) == PGRES_COMMAND_OK ||
				 PQresultStatus(res) == PGRES_TUPLES_OK);

		if (!ok)
			snprintf(err, errlen, "%s", PQerrorMessage(db->pg));
		PQclear(res);
		return ok ? 0 : -EIO;
	} else {
		char *e = NULL;

		if (sqlite3_exec(db->lite, sql, NULL, NULL, &e) == SQLITE_OK)
			return 0;
		snprintf(err, errlen, "%s", e ? e : "?");
		sqlite3_free(e);
		return -EIO;
	}
}

/* --- public helpers ---------------------------------------------------------- */
int db_run(struct db *db, const char *sql, const char *types, ...)
{
	struct cur c;
	va_list ap;
	int r;

	va_start(ap, types);
	r = q_exec(&c, db, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	while (q_row(&c))
		;
	return q_done(&c);
}

int db_get_str(struct db *db, char **ret, const char *sql, const char *types, ...)
{
	struct cur c;
	va_list ap;
	size_t len;
	int r;

	va_start(ap, types);
	r = q_exec(&c, db, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	if (!q_row(&c)) {
		r = q_done(&c);
		return r < 0 ? r : -ENOENT;
	}
	if (q_type(&c, 0) == COL_NULL) {
		r = -ENOENT;
	} else {
		*ret = strdup(q_text(&c, 0, &len));
		r = *ret ? 0 : -ENOMEM;
	}
	(void)q_done(&c);
	return r;
}

int db_get_int(struct db *db, int64_t *ret, const char *sql, const char *types, ...)
{
	struct cur c;
	va_list ap;
	int r;

	va_start(ap, types);
	r = q_exec(&c, db, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	if (!q_row(&c)) {
		r = q_done(&c);
		return r < 0 ? r : -ENOENT;
	}
	if (q_type(&c, 0) == COL_NULL)
		r = -ENOENT;
	else
		*ret = q_int(&c, 0);
	(void)q_done(&c);
	return r;
}

static int row_to_json(struct cur *c, struct json **ret)
{
	struct json *o, *v;
	int i, n = q_ncols(c), r;
	const char *t;
	size_t len;

	r = json_new_object(&o);
	for (i = 0; r == 0 && i < n; i++) {
		const char *name = q_name(c, i);

		switch (q_type(c, i)) {
		case COL_INT:
			r = json_obj_set_int(o, name, q_int(c, i));
			break;
		case COL_DOUBLE:
			r = json_obj_set_double(o, name, q_double(c, i));
			break;
		case COL_NULL:
			r = json_obj_set_null(o, name);
			break;
		default:
			t = q_text(c, i, &len);
			/* stored text is not necessarily valid UTF-8: keep the row */
			r = json_new_strn(&v, t, len);
			if (r == -EINVAL)
				r = json_new_str(&v, "(invalid UTF-8)");
			if (r == 0)
				r = json_obj_set(o, name, v);
		}
	}
	if (r < 0) {
		json_free(o);
		return r;
	}
	*ret = o;
	return 0;
}

int db_query_json(struct db *db, struct json **ret, const char *sql, const char *types, ...)
{
	struct json *arr = NULL, *o;
	struct cur c;
	va_list ap;
	int r, d;

	va_start(ap, types);
	r = q_exec(&c, db, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	r = json_new_array(&arr);
	while (r == 0 && q_row(&c)) {
		r = row_to_json(&c, &o);
		if (r == 0)
			r = json_arr_append(arr, o);
	}
	d = q_done(&c);
	if (r == 0 && d < 0)
		r = d;
	if (r < 0) {
		json_free(arr);
		return r;
	}
	*ret = arr;
	return 0;
}

int db_row_json(struct db *db, struct json **ret, const char *sql, const char *types, ...)
{
	struct cur c;
	va_list ap;
	int r;

	va_start(ap, types);
	r = q_exec(&c, db, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	if (q_row(&c))
		r = row_to_json(&c, ret);
	else
		r = c.err ? c.err : -ENOENT;
	(void)q_done(&c);
	return r;
}

int db_begin(struct db *db)
{
	char err[256];

	return exec_script(db, db->pg ? "BEGIN" : "BEGIN IMMEDIATE", err, sizeof(err));
}

int db_commit(struct db *db)
{
	char err[256];

	if (exec_script(db, "COMMIT", err, sizeof(err)) == 0)
		return 0;
	db_rollback(db);
	return -EIO;
}

void db_rollback(struct db *db)
{
	char err[256];

	(void)exec_script(db, "ROLLBACK", err, sizeof(err));
}

void db_audit(struct db *db, const char *actor, const char *action, const char *target,
	      const char *detail)
{
	if (db_run(db, "INSERT INTO audit (ts, actor, action, target, detail) "
		   "VALUES (?, ?, ?, ?, ?)", "issss", (int64_t)time(NULL), actor, action,
		   target, detail) < 0)
		log_warn(db, "audit write failed, ignoring");
}

/* --- schema ---------------------------------------------------------------- */
int db_schema_version(struct db *db)
{
	int64_t v = 0;

	if (db->pg) {
		char err[256];

		if (exec_script(db, "CREATE TABLE IF NOT EXISTS schema_version (v INTEGER NOT NULL)",
				err, sizeof(err)) < 0)
			return -EIO;
		if (db_get_int(db, &v, "SELECT COALESCE(MAX(v), 0) FROM schema_version", "") < 0)
			return -EIO;
		return (int)v;
	}
	if (db_get_int(db, &v, "PRAGMA user_version", "") < 0)
		return -EIO;
	return (int)v;
}

static int migrate(struct db *db)
{
	const char *const *m = db->pg ? pg_migrations : lite_migrations;
	int v = db_schema_version(db);
	int n = (int)(sizeof(lite_migrations) / sizeof(lite_migrations[0]));
	char sql[96], err[512];

	if (v < 0)
		return v;
	if (v > n) {
		log_err(db, "database schema version %d is newer than this provd (%d)", v, n);
		return -EPROTO;
	}
	for (; v < n; v++) {
		if (db_begin(db) < 0)
			return -EIO;
		if (db->pg)
			snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d)", v + 1);
		else
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec_script(db, m[v], err, sizeof(err)) < 0 ||
		    exec_script(db, sql, err, sizeof(err)) < 0) {
			log_err(db, "migration %d failed: %s", v + 1, err);
			db_rollback(db);
			return -EIO;
		}
		if (db_commit(db) < 0)
			return -EIO;
		log_info(db, "database migrated to schema version %d", v + 1);
	}
	return 0;
}

static bool is_pg_spec(const char *spec)
{
	return !strncmp(spec, "postgresql:", 11) || !strncmp(spec, "postgres:", 9) ||
	       strstr(spec, "dbname=") != NULL;
}

int db_open(const char *spec, struct db **ret)
{
	struct db *db;
	char err[256];
	int r;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	if (is_pg_spec(spec)) {
		db->pg = PQconnectdb(spec);
		if (!db->pg || PQstatus(db->pg) != CONNECTION_OK) {
			log_err(db, "connect to PostgreSQL: %s",
				db->pg ? PQerrorMessage(db->pg) : "out of memory");
			db_close(db);
			return -EIO;
		}
		/* keep the server's notices (IF NOT EXISTS...) out of stderr */
		(void)exec_script(db, "SET client_min_messages = warning", err, sizeof(err));
	} else {
		if (sqlite3_open_v2(spec, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
			log_err(db, "open %s: %s", spec,
				db->lite ? sqlite3_errmsg(db->lite) : "out of memory");
			db_close(db);
			return -EIO;
		}
		sqlite3_busy_timeout(db->lite, 2000);
		/* WAL + FULL: a committed (answered) change survives a crash */
		if (exec_script(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				"PRAGMA foreign_keys=ON;", err, sizeof(err)) < 0) {
			db_close(db);
			return -EIO;
		}
	}
	r = migrate(db);
	if (r < 0) {
		db_close(db);
		return r;
	}
	*ret = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->pg)
		PQfinish(db->pg);
	if (db->lite)
		sqlite3_close(db->lite);
	free(db);
}

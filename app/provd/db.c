/* db.c: provd's SQLite storage: schema migrations and small query helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/json/json.h"
#include "lib/log/log.h"
#include "provd/provd.h"

LOG_TOPIC(db);

/* Migrations: index i brings the schema from version i to i + 1. Never edit
 * a released step; append a new one. Each runs in one transaction together
 * with the PRAGMA user_version bump. */
static const char *const migrations[] = {
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
	/* 2: lookups by certificate and a heartbeat history bound */
	"CREATE INDEX certs_device ON certs(device);"
	"CREATE INDEX audit_ts ON audit(ts);",
};

int db_schema_version(sqlite3 *db)
{
	int64_t v = 0;

	if (db_get_int(db, &v, "PRAGMA user_version", "") < 0)
		return -EIO;
	return (int)v;
}

static int migrate(sqlite3 *db)
{
	int v = db_schema_version(db), n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	char sql[64], *err = NULL;

	if (v < 0)
		return v;
	if (v > n) {
		log_err(db, "database schema version %d is newer than this provd (%d)", v, n);
		return -EPROTO;
	}
	for (; v < n; v++) {
		if (db_begin(db) < 0)
			return -EIO;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db, migrations[v], NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
			log_err(db, "migration %d failed: %s", v + 1, err ? err : "?");
			sqlite3_free(err);
			db_rollback(db);
			return -EIO;
		}
		if (db_commit(db) < 0)
			return -EIO;
		log_info(db, "database migrated to schema version %d", v + 1);
	}
	return 0;
}

int db_open(const char *path, sqlite3 **ret)
{
	sqlite3 *db = NULL;
	int r;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_err(db, "open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -EIO;
	}
	sqlite3_busy_timeout(db, 2000);
	/* WAL + FULL: a committed (answered) change survives a crash */
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -EIO;
	}
	r = migrate(db);
	if (r < 0) {
		sqlite3_close(db);
		return r;
	}
	*ret = db;
	return 0;
}

static int prep(sqlite3 *db, sqlite3_stmt **st, const char *sql, const char *types, va_list ap)
{
	int i;

	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		log_debug(db, "prepare \"%s\": %s", sql, sqlite3_errmsg(db));
		return -EIO;
	}
	for (i = 0; types && types[i]; i++) {
		int rc = SQLITE_OK;

		switch (types[i]) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			rc = s ? sqlite3_bind_text(*st, i + 1, s, -1, SQLITE_TRANSIENT) :
				 sqlite3_bind_null(*st, i + 1);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(*st, i + 1, va_arg(ap, int64_t));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			rc = sqlite3_bind_blob(*st, i + 1, p, (int)n, SQLITE_TRANSIENT);
			break;
		}
		default:
			rc = SQLITE_MISUSE;
		}
		if (rc != SQLITE_OK) {
			sqlite3_finalize(*st);
			*st = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

int db_run(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int r, rc;

	va_start(ap, types);
	r = prep(db, &st, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		log_debug(db, "\"%s\": %s", sql, sqlite3_errmsg(db));
		r = rc == SQLITE_CONSTRAINT ? -EEXIST : -EIO;
	} else {
		r = sqlite3_changes(db);
	}
	sqlite3_finalize(st);
	return r;
}

int db_get_str(sqlite3 *db, char **ret, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int r, rc;

	va_start(ap, types);
	r = prep(db, &st, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		if (!t) {
			r = -ENOENT;
		} else {
			*ret = strdup((const char *)t);
			r = *ret ? 0 : -ENOMEM;
		}
	} else {
		r = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

int db_get_int(sqlite3 *db, int64_t *ret, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int r, rc;

	va_start(ap, types);
	r = prep(db, &st, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*ret = sqlite3_column_int64(st, 0);
	else
		r = rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(st);
	return r;
}

static int row_to_json(sqlite3_stmt *st, struct json **ret)
{
	struct json *o;
	int i, n = sqlite3_column_count(st), r;

	r = json_new_object(&o);
	for (i = 0; r == 0 && i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			r = json_obj_set_int(o, name, sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			r = json_obj_set_double(o, name, sqlite3_column_double(st, i));
			break;
		case SQLITE_NULL:
			r = json_obj_set_null(o, name);
			break;
		default: {
			const char *t = (const char *)sqlite3_column_text(st, i);
			struct json *v;

			/* stored text is not necessarily valid UTF-8: keep the row */
			r = json_new_strn(&v, t ? t : "", t ? (size_t)sqlite3_column_bytes(st, i) : 0);
			if (r == -EINVAL)
				r = json_new_str(&v, "(invalid UTF-8)");
			if (r == 0)
				r = json_obj_set(o, name, v);
		}
		}
	}
	if (r < 0) {
		json_free(o);
		return r;
	}
	*ret = o;
	return 0;
}

int db_query_json(sqlite3 *db, struct json **ret, const char *sql, const char *types, ...)
{
	struct json *arr = NULL, *o;
	sqlite3_stmt *st;
	va_list ap;
	int r, rc;

	va_start(ap, types);
	r = prep(db, &st, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	r = json_new_array(&arr);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_to_json(st, &o);
		if (r == 0)
			r = json_arr_append(arr, o);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = -EIO;
	sqlite3_finalize(st);
	if (r < 0) {
		json_free(arr);
		return r;
	}
	*ret = arr;
	return 0;
}

int db_row_json(sqlite3 *db, struct json **ret, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int r, rc;

	va_start(ap, types);
	r = prep(db, &st, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = row_to_json(st, ret);
	else
		r = rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(st);
	return r;
}

int db_begin(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int db_commit(sqlite3 *db)
{
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	db_rollback(db);
	return -EIO;
}

void db_rollback(sqlite3 *db)
{
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void db_audit(sqlite3 *db, const char *actor, const char *action, const char *target,
	      const char *detail)
{
	if (db_run(db, "INSERT INTO audit (ts, actor, action, target, detail) "
		   "VALUES (?, ?, ?, ?, ?)", "issss", (int64_t)time(NULL), actor, action,
		   target, detail) < 0)
		log_warn(db, "audit write failed, ignoring");
}

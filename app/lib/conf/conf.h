/* conf.h: the typed configuration table (STYLE G13).
 *
 * A daemon declares one static array of struct conf_def: key, type, default,
 * limits or validator, flags and a doc line. From that table come the file
 * parser (errors as "file:line: message"), runtime get/set for the control API
 * and provisioning, the dump with secrets masked, and the generated, fully
 * commented default configuration file (conf_write_default).
 *
 * File syntax: "key = value" lines; '#' starts a comment line; values may be
 * double-quoted (with \" and \\ escapes) to keep leading/trailing spaces or '#'.
 */
#ifndef RAKWON_CONF_CONF_H
#define RAKWON_CONF_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum conf_type {
	CONF_BOOL,
	CONF_INT,
	CONF_STR,
	CONF_ENUM,
	CONF_TYPE_MAX,
};

enum conf_flags {
	CONF_IMMUTABLE = 1 << 0,   /* only from the file at start */
	CONF_RUNTIME = 1 << 1,     /* may be changed while running */
	CONF_SECRET = 1 << 2,      /* never printed: dumps show "(set)" */
	CONF_PROVISIONED = 1 << 3, /* may come from the provisioning server */
};

struct conf_def {
	const char *key;
	enum conf_type type;
	const char *def;                 /* default, as text */
	long long min, max;              /* CONF_INT limits (min == max: none) */
	const char *const *enum_vals;    /* CONF_ENUM: NULL-terminated */
	/* extra check; returns 0 or -EINVAL and writes a reason to err */
	int (*validate)(const char *val, char *err, size_t errlen);
	unsigned flags;
	const char *doc;                 /* one or more lines of prose */
};

struct conf;

int conf_new(struct conf **ret, const struct conf_def *defs, size_t n);
struct conf *conf_free(struct conf *c);
/* Load a file; on error err holds "path:line: message" and nothing changes. */
int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen);
/* Load "key = value" lines from a string (same rules; name used in errors). */
int conf_load_string(struct conf *c, const char *name, const char *text,
		     char *err, size_t errlen);
/* Set one key from text, validated. -ENOENT unknown key, -EINVAL bad value,
 * -EPERM immutable while running (when runtime is true). */
int conf_set(struct conf *c, const char *key, const char *val, bool runtime,
	     char *err, size_t errlen);
const char *conf_str(const struct conf *c, const char *key);
long long conf_int(const struct conf *c, const char *key);
bool conf_bool(const struct conf *c, const char *key);
/* index of the value in enum_vals */
int conf_enum(const struct conf *c, const char *key);
const struct conf_def *conf_def_find(const struct conf *c, const char *key);
/* Current values as "key = value" lines, secrets masked. */
void conf_dump(const struct conf *c, FILE *f);
/* The commented default file generated from the table. */
void conf_write_default(const struct conf_def *defs, size_t n, const char *title, FILE *f);

#endif

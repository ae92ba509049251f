/* conf.c: typed configuration table engine. See conf.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "lib/conf/conf.h"

#define CONF_LINE_MAX 4096
#define CONF_FILE_MAX (1 << 20)

struct conf {
	const struct conf_def *defs;
	size_t n;
	char **vals;
};

static void errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int def_index(const struct conf_def *defs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(defs[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int parse_bool(const char *v, bool *ret)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*ret = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_int(const char *v, long long *ret)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(v, &end, 0);
	if (errno || end == v || *end)
		return -EINVAL;
	*ret = x;
	return 0;
}

static int validate(const struct conf_def *d, const char *v, char *err, size_t errlen)
{
	bool b;
	long long x;

	switch (d->type) {
	case CONF_BOOL:
		if (parse_bool(v, &b) < 0) {
			errf(err, errlen, "%s: \"%s\" is not a boolean (yes/no)", d->key, v);
			return -EINVAL;
		}
		break;
	case CONF_INT:
		if (parse_int(v, &x) < 0) {
			errf(err, errlen, "%s: \"%s\" is not an integer", d->key, v);
			return -EINVAL;
		}
		if (d->min != d->max && (x < d->min || x > d->max)) {
			errf(err, errlen, "%s: %lld is out of range [%lld, %lld]",
			     d->key, x, d->min, d->max);
			return -EINVAL;
		}
		break;
	case CONF_ENUM: {
		bool ok = false;

		for (const char *const *e = d->enum_vals; e && *e; e++)
			ok |= strcmp(*e, v) == 0;
		if (!ok) {
			char list[256] = "";

			for (const char *const *e = d->enum_vals; e && *e; e++) {
				strncat(list, *e, sizeof(list) - strlen(list) - 2);
				if (e[1])
					strncat(list, "|", sizeof(list) - strlen(list) - 1);
			}
			errf(err, errlen, "%s: \"%s\" is not one of %s", d->key, v, list);
			return -EINVAL;
		}
		break;
	}
	case CONF_STR:
	case CONF_TYPE_MAX:
		break;
	}
	if (d->validate) {
		char why[200] = "invalid value";

		if (d->validate(v, why, sizeof(why)) < 0) {
			if (d->flags & CONF_SECRET)
				errf(err, errlen, "%s: %s", d->key, why);
			else
				errf(err, errlen, "%s: \"%s\": %s", d->key, v, why);
			return -EINVAL;
		}
	}
	return 0;
}

int conf_new(struct conf **ret, const struct conf_def *defs, size_t n)
{
	struct conf *c;
	char err[256];

	if (!ret || !defs)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->defs = defs;
	c->n = n;
	c->vals = calloc(n ? n : 1, sizeof(char *));
	if (!c->vals) {
		free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		/* a table whose defaults do not validate is a programming error */
		if (validate(&defs[i], defs[i].def ? defs[i].def : "", err, sizeof(err)) < 0 ||
		    !(c->vals[i] = strdup(defs[i].def ? defs[i].def : ""))) {
			conf_free(c);
			return -EINVAL;
		}
	}
	*ret = c;
	return 0;
}

struct conf *conf_free(struct conf *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		free(c->vals[i]);
	free(c->vals);
	free(c);
	return NULL;
}

int conf_set(struct conf *c, const char *key, const char *val, bool runtime,
	     char *err, size_t errlen)
{
	int i = def_index(c->defs, c->n, key);
	char *v;
	int r;

	if (i < 0) {
		errf(err, errlen, "unknown key \"%s\"", key);
		return -ENOENT;
	}
	if (runtime && (c->defs[i].flags & CONF_IMMUTABLE)) {
		errf(err, errlen, "%s cannot be changed while running", key);
		return -EPERM;
	}
	r = validate(&c->defs[i], val, err, errlen);
	if (r < 0)
		return r;
	v = strdup(val);
	if (!v)
		return -ENOMEM;
	free(c->vals[i]);
	c->vals[i] = v;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Parse one line into key/value (in place). 0: ok, 1: blank, <0: error. */
static int parse_line(char *line, char **key, char **val, const char **why)
{
	char *s = trim(line), *eq, *v;

	if (!*s || *s == '#')
		return 1;
	eq = strchr(s, '=');
	if (!eq) {
		*why = "expected \"key = value\"";
		return -EINVAL;
	}
	*eq = 0;
	*key = trim(s);
	v = trim(eq + 1);
	if (!**key) {
		*why = "missing key before '='";
		return -EINVAL;
	}
	for (char *k = *key; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '.' && *k != '-') {
			*why = "invalid character in key";
			return -EINVAL;
		}
	if (*v == '"') {
		char *o = v, *p = v + 1;

		for (;; p++) {
			if (!*p) {
				*why = "unterminated quoted value";
				return -EINVAL;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				*o++ = *++p;
				continue;
			}
			if (*p == '"')
				break;
			*o++ = *p;
		}
		if (*trim(p + 1) && *trim(p + 1) != '#') {
			*why = "text after quoted value";
			return -EINVAL;
		}
		*o = 0;
	} else {
		char *hash = strstr(v, " #");

		if (hash)
			*hash = 0;
		v = trim(v);
	}
	*val = v;
	return 0;
}

int conf_load_string(struct conf *c, const char *name, const char *text,
		     char *err, size_t errlen)
{
	struct conf *tmp;
	const char *p = text;
	int lineno = 0, r;

	if (strlen(text) > CONF_FILE_MAX) {
		errf(err, errlen, "%s: file larger than %d bytes", name, CONF_FILE_MAX);
		return -EFBIG;
	}
	/* apply to a copy first: a file with an error changes nothing */
	r = conf_new(&tmp, c->defs, c->n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n; i++) {
		free(tmp->vals[i]);
		tmp->vals[i] = strdup(c->vals[i]);
		if (!tmp->vals[i]) {
			conf_free(tmp);
			return -ENOMEM;
		}
	}
	while (*p) {
		char line[CONF_LINE_MAX], *key, *val, why[300];
		const char *nl = strchr(p, '\n'), *w = NULL;
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (n >= sizeof(line)) {
			errf(err, errlen, "%s:%d: line longer than %d bytes", name, lineno,
			     CONF_LINE_MAX - 1);
			conf_free(tmp);
			return -EINVAL;
		}
		memcpy(line, p, n);
		line[n] = 0;
		p += n + (nl ? 1 : 0);
		r = parse_line(line, &key, &val, &w);
		if (r == 1)
			continue;
		if (r < 0) {
			errf(err, errlen, "%s:%d: %s", name, lineno, w);
			conf_free(tmp);
			return r;
		}
		r = conf_set(tmp, key, val, false, why, sizeof(why));
		if (r < 0) {
			errf(err, errlen, "%s:%d: %s", name, lineno, why);
			conf_free(tmp);
			return r;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		char *t = c->vals[i];

		c->vals[i] = tmp->vals[i];
		tmp->vals[i] = t;
	}
	conf_free(tmp);
	return 0;
}

int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	_cleanup_free_ char *text = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];

	if (!f) {
		int r = -errno;

		errf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			char *t;

			cap = (len + n + 1) * 2;
			if (cap > CONF_FILE_MAX + sizeof(chunk) + 1) {
				fclose(f);
				errf(err, errlen, "%s: file larger than %d bytes", path, CONF_FILE_MAX);
				return -EFBIG;
			}
			t = realloc(text, cap);
			if (!t) {
				fclose(f);
				return -ENOMEM;
			}
			text = t;
		}
		memcpy(text + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!text)
		return 0;
	text[len] = 0;
	if (strlen(text) != len) {
		errf(err, errlen, "%s: file contains a NUL byte", path);
		return -EINVAL;
	}
	return conf_load_string(c, path, text, err, errlen);
}

const struct conf_def *conf_def_find(const struct conf *c, const char *key)
{
	int i = def_index(c->defs, c->n, key);

	return i < 0 ? NULL : &c->defs[i];
}

const char *conf_str(const struct conf *c, const char *key)
{
	int i = def_index(c->defs, c->n, key);

	return i < 0 ? NULL : c->vals[i];
}

long long conf_int(const struct conf *c, const char *key)
{
	long long x = 0;
	const char *v = conf_str(c, key);

	if (v)
		(void)parse_int(v, &x);
	return x;
}

bool conf_bool(const struct conf *c, const char *key)
{
	bool b = false;
	const char *v = conf_str(c, key);

	if (v)
		(void)parse_bool(v, &b);
	return b;
}

int conf_enum(const struct conf *c, const char *key)
{
	int i = def_index(c->defs, c->n, key);

	if (i < 0)
		return -ENOENT;
	for (int k = 0; c->defs[i].enum_vals && c->defs[i].enum_vals[k]; k++)
		if (strcmp(c->defs[i].enum_vals[k], c->vals[i]) == 0)
			return k;
	return -EINVAL;
}

static void write_value(FILE *f, const char *v)
{
	bool quote = !*v || isspace((unsigned char)v[0]) ||
		     isspace((unsigned char)v[strlen(v) - 1]) || strchr(v, '#') || v[0] == '"';

	if (!quote) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

void conf_dump(const struct conf *c, FILE *f)
{
	for (size_t i = 0; i < c->n; i++) {
		fprintf(f, "%s = ", c->defs[i].key);
		if ((c->defs[i].flags & CONF_SECRET))
			fputs(c->vals[i][0] ? "(set)" : "(unset)", f);
		else
			write_value(f, c->vals[i]);
		fputc('\n', f);
	}
}

void conf_write_default(const struct conf_def *defs, size_t n, const char *title, FILE *f)
{
	static const char *const type_names[] = { "boolean", "integer", "string", "one of" };

	fprintf(f, "# %s\n#\n# Generated from the configuration table; every key is shown with its\n"
		   "# default value. Lines starting with '#' are comments.\n", title);
	for (size_t i = 0; i < n; i++) {
		const struct conf_def *d = &defs[i];
		const char *p = d->doc ? d->doc : "";

		fputs("\n", f);
		while (*p) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			fprintf(f, "# %.*s\n", len, p);
			p += len + (nl ? 1 : 0);
		}
		fprintf(f, "# Type: %s", type_names[d->type]);
		if (d->type == CONF_ENUM)
			for (const char *const *e = d->enum_vals; e && *e; e++)
				fprintf(f, "%s%s", e == d->enum_vals ? " " : "|", *e);
		if (d->type == CONF_INT && d->min != d->max)
			fprintf(f, ", %lld to %lld", d->min, d->max);
		if (d->flags & CONF_SECRET)
			fputs(", secret", f);
		if (d->flags & CONF_RUNTIME)
			fputs(", changeable at run time", f);
		if (d->flags & CONF_PROVISIONED)
			fputs(", provisioned", f);
		fputs(".\n", f);
		if (d->flags & CONF_SECRET)
			fprintf(f, "#%s = \n", d->key);
		else {
			fprintf(f, "%s = ", d->key);
			write_value(f, d->def ? d->def : "");
			fputc('\n', f);
		}
	}
}

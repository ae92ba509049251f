/* prov_template.c: ${variable} substitution for provisioning profiles. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov/prov_template.h"

#define NAME_MAX_LEN 64

static int terr(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int terr(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int put(char **out, size_t *len, size_t *cap, size_t max, const char *s, size_t n)
{
	if (*len + n > max)
		return -E2BIG;
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 256;
		char *p;

		while (nc < *len + n + 1)
			nc *= 2;
		p = realloc(*out, nc);
		if (!p)
			return -ENOMEM;
		*out = p;
		*cap = nc;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
	return 0;
}

int prov_template_render(const char *tpl, size_t len, prov_var_h lookup, void *arg,
			 size_t max_out, char **ret, size_t *ret_len, char *err, size_t errlen)
{
	char *out = NULL, name[NAME_MAX_LEN + 1];
	size_t olen = 0, cap = 0, i = 0, run = 0;
	int r = 0;

	if (!tpl || !lookup || !ret)
		return -EINVAL;
	if (err && errlen)
		err[0] = '\0';
	r = put(&out, &olen, &cap, max_out, "", 0);
	while (r == 0 && i < len) {
		const char *v;
		size_t j, n;

		if (tpl[i] == '\0') {
			r = terr(err, errlen, -EINVAL, "byte %zu: NUL in template", i);
			break;
		}
		if (tpl[i] != '$') {
			i++;
			continue;
		}
		r = put(&out, &olen, &cap, max_out, tpl + run, i - run);
		if (r < 0)
			break;
		if (i + 1 < len && tpl[i + 1] == '$') {
			r = put(&out, &olen, &cap, max_out, "$", 1);
			i += 2;
			run = i;
			continue;
		}
		if (i + 1 >= len || tpl[i + 1] != '{') {
			r = terr(err, errlen, -EINVAL,
				 "byte %zu: '$' must start ${name} or be written $$", i);
			break;
		}
		for (j = i + 2; j < len && name_char(tpl[j]); j++)
			;
		n = j - (i + 2);
		if (j >= len || tpl[j] != '}') {
			r = terr(err, errlen, -EINVAL, "byte %zu: unterminated or invalid ${...}", i);
			break;
		}
		if (!n || n > NAME_MAX_LEN) {
			r = terr(err, errlen, -EINVAL, "byte %zu: variable name must be 1-%d characters",
				 i, NAME_MAX_LEN);
			break;
		}
		memcpy(name, tpl + i + 2, n);
		name[n] = '\0';
		v = lookup(name, arg);
		if (!v) {
			r = terr(err, errlen, -ENOENT, "byte %zu: unknown variable \"%s\"", i, name);
			break;
		}
		if (strpbrk(v, "\r\n")) {
			r = terr(err, errlen, -EINVAL, "byte %zu: value of \"%s\" contains a line break",
				 i, name);
			break;
		}
		r = put(&out, &olen, &cap, max_out, v, strlen(v));
		i = j + 1;
		run = i;
	}
	if (r == 0)
		r = put(&out, &olen, &cap, max_out, tpl + run, len - run);
	if (r == -E2BIG && err && errlen && !err[0])
		terr(err, errlen, r, "output larger than %zu bytes", max_out);
	if (r < 0) {
		free(out);
		return r;
	}
	*ret = out;
	if (ret_len)
		*ret_len = olen;
	return 0;
}

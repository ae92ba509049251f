/* meetings.c: the bridge's meetings file (number | name | PIN | chair PIN | max). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"

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

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int parse_line(char *line, struct br_meeting_def *d, const char **why)
{
	char *f[6], *p = line;
	unsigned n = 0, nf;
	char *end;
	long v;

	for (const char *q = line; *q; q++)
		n += *q == '|';
	if (n != 4 && n != 5) {
		*why = "expected 5 or 6 fields: number | name | pin | chair pin | max [| uplink]";
		return -EINVAL;
	}
	nf = n + 1;
	for (n = 0; n < nf; n++) {
		char *bar = strchr(p, '|');

		f[n] = p;
		if (bar) {
			*bar = 0;
			p = bar + 1;
		}
	}
	for (unsigned i = 0; i < nf; i++)
		f[i] = trim(f[i]);
	memset(d, 0, sizeof(*d));
	if (!*f[0] || strlen(f[0]) >= BR_NUM_MAX || !all_digits(f[0])) {
		*why = "bad meeting number (1..15 digits)";
		return -EINVAL;
	}
	if (strlen(f[1]) >= BR_NAME_MAX) {
		*why = "name too long";
		return -EINVAL;
	}
	if (strlen(f[2]) >= BR_NUM_MAX || !all_digits(f[2]) ||
	    strlen(f[3]) >= BR_NUM_MAX || !all_digits(f[3])) {
		*why = "bad PIN (0..15 digits)";
		return -EINVAL;
	}
	errno = 0;
	v = strtol(f[4], &end, 10);
	if (errno || *end || end == f[4] || v < 2 || v > BR_PARTS_MAX) {
		*why = "bad max participants (2..1000)";
		return -EINVAL;
	}
	strcpy(d->number, f[0]);
	strcpy(d->name, f[1]);
	strcpy(d->pin, f[2]);
	strcpy(d->chair_pin, f[3]);
	d->max_parts = (unsigned)v;
	if (nf == 6 && *f[5]) {
		/* the parent bridge's meeting (cascading): a SIP URI, no
		 * spaces or angle brackets; ;pin= may be in it */
		if (strlen(f[5]) >= sizeof(d->uplink) || strncmp(f[5], "sip", 3) ||
		    strpbrk(f[5], " \t<>\"")) {
			*why = "bad uplink (a sip: or sips: URI, < 128 characters)";
			return -EINVAL;
		}
		strcpy(d->uplink, f[5]);
	}
	return 0;
}

int br_meetings_parse(const char *name, const char *text, struct br_meeting_def **ret,
		      size_t *ret_n, char *err, size_t errlen)
{
	struct br_meeting_def *defs = NULL;
	size_t n = 0, cap = 0;
	unsigned lineno = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *s;
		const char *why = NULL;

		lineno++;
		if (len >= sizeof(line)) {
			why = "line too long";
			goto bad;
		}
		memcpy(line, p, len);
		line[len] = 0;
		p += len + (nl ? 1 : 0);
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (n == cap) {
			struct br_meeting_def *nd;

			if (cap >= BR_MEETINGS_MAX) {
				why = "too many meetings";
				goto bad;
			}
			cap = cap ? cap * 2 : 16;
			nd = realloc(defs, cap * sizeof(*defs));
			if (!nd) {
				free(defs);
				return -ENOMEM;
			}
			defs = nd;
		}
		if (parse_line(s, &defs[n], &why) < 0)
			goto bad;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(defs[i].number, defs[n].number)) {
				why = "duplicate meeting number";
				goto bad;
			}
		n++;
		continue;
bad:
		snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
		free(defs);
		return -EINVAL;
	}
	*ret = defs;
	*ret_n = n;
	return 0;
}

int br_meetings_load(const char *path, struct br_meeting_def **ret, size_t *ret_n,
		     char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	int r;

	if (!f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	text = malloc(1 << 20);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[n] = 0;
	r = br_meetings_parse(path, text, ret, ret_n, err, errlen);
	free(text);
	return r;
}

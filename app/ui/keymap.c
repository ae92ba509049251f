/* keymap.c: parser and lookup of remote-control keymap files (key name -> ui action), bounded and fuzz-safe. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ui/ui.h"

#define KM_TEXT_MAX (64 * 1024)
#define KM_ENTRIES_MAX 512
#define KM_LINE_MAX 256
#define KM_KEY_MAX 63

struct km_entry {
	char key[KM_KEY_MAX + 1];
	enum ui_action act;
};

struct ui_keymap {
	size_t n;
	struct km_entry e[];
};

static bool key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.' || ch == ':' || ch == '+' || ch == '-';
}

static int fail(char *err, size_t errlen, unsigned line, const char *msg, int r)
{
	if (err && errlen)
		snprintf(err, errlen, "line %u: %s", line, msg);
	return r;
}

int ui_keymap_parse(struct ui_keymap **ret, const char *text, size_t len, char *err,
		    size_t errlen)
{
	struct ui_keymap *km;
	size_t pos = 0;
	unsigned line = 0;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (len > KM_TEXT_MAX)
		return fail(err, errlen, 0, "keymap too large", -E2BIG);
	km = calloc(1, sizeof(*km) + KM_ENTRIES_MAX * sizeof(km->e[0]));
	if (!km)
		return -ENOMEM;
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos, i = 0, ks, kl, as, al;
		char act[KM_LINE_MAX];
		enum ui_action a;

		pos += ll + (nl ? 1 : 0);
		line++;
		if (ll > KM_LINE_MAX) {
			r = fail(err, errlen, line, "line too long", -E2BIG);
			goto out;
		}
		if (ll && l[ll - 1] == '\r')
			ll--;
		/* strip a comment */
		for (size_t j = 0; j < ll; j++)
			if (l[j] == '#') {
				ll = j;
				break;
			}
		while (i < ll && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i == ll)
			continue;
		ks = i;
		while (i < ll && key_char(l[i]))
			i++;
		kl = i - ks;
		if (!kl || kl > KM_KEY_MAX || (i < ll && l[i] != ' ' && l[i] != '\t' && l[i] != '=')) {
			r = fail(err, errlen, line, "bad key name", -EINVAL);
			goto out;
		}
		while (i < ll && (l[i] == ' ' || l[i] == '\t' || l[i] == '='))
			i++;
		as = i;
		while (i < ll && l[i] != ' ' && l[i] != '\t')
			i++;
		al = i - as;
		while (i < ll && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (!al || i != ll) {
			r = fail(err, errlen, line, "expected: <key> <action>", -EINVAL);
			goto out;
		}
		memcpy(act, l + as, al);
		act[al] = '\0';
		if (ui_action_from_name(act, &a) < 0 || a == UI_ACT_NONE) {
			r = fail(err, errlen, line, "unknown action", -EINVAL);
			goto out;
		}
		for (size_t j = 0; j < km->n; j++)
			if (strlen(km->e[j].key) == kl && !strncasecmp(km->e[j].key, l + ks, kl)) {
				r = fail(err, errlen, line, "duplicate key", -EEXIST);
				goto out;
			}
		if (km->n >= KM_ENTRIES_MAX) {
			r = fail(err, errlen, line, "too many mappings", -E2BIG);
			goto out;
		}
		memcpy(km->e[km->n].key, l + ks, kl);
		km->e[km->n].key[kl] = '\0';
		km->e[km->n].act = a;
		km->n++;
	}
	*ret = km;
	return 0;
out:
	free(km);
	return r;
}

int ui_keymap_load(struct ui_keymap **ret, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open", path);
		return r;
	}
	buf = malloc(KM_TEXT_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, KM_TEXT_MAX + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > KM_TEXT_MAX)
			break;
	}
	r = n < 0 ? -errno : 0;
	close(fd);
	if (!r)
		r = ui_keymap_parse(ret, buf, len, err, errlen);
	free(buf);
	return r;
}

struct ui_keymap *ui_keymap_free(struct ui_keymap *km)
{
	free(km);
	return NULL;
}

enum ui_action ui_keymap_lookup(const struct ui_keymap *km, const char *key)
{
	if (!km || !key)
		return UI_ACT_NONE;
	for (size_t i = 0; i < km->n; i++)
		if (!strcasecmp(km->e[i].key, key))
			return km->e[i].act;
	return UI_ACT_NONE;
}

size_t ui_keymap_count(const struct ui_keymap *km)
{
	return km ? km->n : 0;
}

/* pl.c: zero-copy string slices. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/base/pl.h"

struct pl pl_str(const char *s)
{
	return s ? pl_make(s, strlen(s)) : PL_NULL;
}

bool pl_eq(const struct pl *a, const struct pl *b)
{
	if (!a->p || !b->p)
		return !a->p && !b->p;
	return a->l == b->l && (a->l == 0 || memcmp(a->p, b->p, a->l) == 0);
}

bool pl_eq_str(const struct pl *a, const char *s)
{
	size_t n = strlen(s);

	return a->p && a->l == n && memcmp(a->p, s, n) == 0;
}

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool pl_case_eq(const struct pl *a, const struct pl *b)
{
	size_t i;

	if (!a->p || !b->p)
		return !a->p && !b->p;
	if (a->l != b->l)
		return false;
	for (i = 0; i < a->l; i++)
		if (lc((unsigned char)a->p[i]) != lc((unsigned char)b->p[i]))
			return false;
	return true;
}

bool pl_case_eq_str(const struct pl *a, const char *s)
{
	struct pl b = pl_str(s);

	return a->p && pl_case_eq(a, &b);
}

int pl_u64(const struct pl *a, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (!a->p || a->l == 0)
		return -EINVAL;
	for (i = 0; i < a->l; i++) {
		unsigned d = (unsigned char)a->p[i] - '0';

		if (d > 9)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX; /* saturate, still scan for bad chars */
		else
			v = v * 10 + d;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int pl_u32(const struct pl *a, uint32_t *ret)
{
	uint64_t v;
	int r = pl_u64(a, UINT32_MAX, &v);

	if (r < 0)
		return r;
	*ret = (uint32_t)v;
	return 0;
}

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct pl pl_trim(struct pl a)
{
	if (!a.p)
		return a;
	while (a.l && ws(a.p[0])) {
		a.p++;
		a.l--;
	}
	while (a.l && ws(a.p[a.l - 1]))
		a.l--;
	return a;
}

const char *pl_chr(const struct pl *a, char c)
{
	return a->p && a->l ? memchr(a->p, c, a->l) : NULL;
}

int pl_strcpy(const struct pl *a, char *dst, size_t cap)
{
	if (!cap)
		return -ENOBUFS;
	if (a->l >= cap) {
		dst[0] = '\0';
		return -ENOBUFS;
	}
	if (a->l)
		memcpy(dst, a->p, a->l);
	dst[a->l] = '\0';
	return 0;
}

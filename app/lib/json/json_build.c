/* json_build.c: building JSON trees and printing them (see json.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json/json.h"
#include "lib/json/json_int.h"

static int new_node(struct json **ret, enum json_type t)
{
	struct json *j;

	if (!ret)
		return -EINVAL;
	j = json_node_new(t);
	if (!j)
		return -ENOMEM;
	*ret = j;
	return 0;
}

int json_new_null(struct json **ret)
{
	return new_node(ret, JSON_NULL);
}

int json_new_bool(struct json **ret, bool v)
{
	int r = new_node(ret, JSON_BOOL);

	if (r == 0)
		(*ret)->u.b = v;
	return r;
}

int json_new_int(struct json **ret, int64_t v)
{
	int r = new_node(ret, JSON_INT);

	if (r == 0)
		(*ret)->u.i = v;
	return r;
}

int json_new_double(struct json **ret, double v)
{
	int r;

	if (!isfinite(v))
		return -EINVAL;
	r = new_node(ret, JSON_DOUBLE);
	if (r == 0)
		(*ret)->u.d = v;
	return r;
}

int json_new_strn(struct json **ret, const char *s, size_t len)
{
	struct json *j;
	char *c;

	if (!ret || (!s && len) || !json_utf8_valid(s, len))
		return -EINVAL;
	c = malloc(len + 1);
	if (!c)
		return -ENOMEM;
	if (len)
		memcpy(c, s, len);
	c[len] = '\0';
	j = json_node_new(JSON_STRING);
	if (!j) {
		free(c);
		return -ENOMEM;
	}
	j->u.str.s = c;
	j->u.str.len = len;
	*ret = j;
	return 0;
}

int json_new_str(struct json **ret, const char *s)
{
	return json_new_strn(ret, s ? s : "", s ? strlen(s) : 0);
}

int json_new_array(struct json **ret)
{
	return new_node(ret, JSON_ARRAY);
}

int json_new_object(struct json **ret)
{
	return new_node(ret, JSON_OBJECT);
}

int json_dup(struct json **ret, const struct json *j)
{
	struct json *d = NULL, *c;
	size_t i;
	int r;

	if (!j)
		return -EINVAL;
	switch (j->type) {
	case JSON_NULL:
		return json_new_null(ret);
	case JSON_BOOL:
		return json_new_bool(ret, j->u.b);
	case JSON_INT:
		return json_new_int(ret, j->u.i);
	case JSON_DOUBLE:
		return json_new_double(ret, j->u.d);
	case JSON_STRING:
		return json_new_strn(ret, j->u.str.s, j->u.str.len);
	case JSON_ARRAY:
		r = json_new_array(&d);
		for (i = 0; r == 0 && i < j->u.arr.n; i++) {
			r = json_dup(&c, j->u.arr.v[i]);
			if (r == 0)
				r = json_arr_append(d, c);
		}
		break;
	case JSON_OBJECT:
		r = json_new_object(&d);
		for (i = 0; r == 0 && i < j->u.obj.n; i++) {
			r = json_dup(&c, j->u.obj.m[i].val);
			if (r == 0)
				r = json_obj_set(d, j->u.obj.m[i].key, c);
		}
		break;
	default:
		return -EINVAL;
	}
	if (r < 0) {
		json_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

int json_obj_set(struct json *obj, const char *key, struct json *val)
{
	size_t klen;
	ssize_t i;
	char *k;

	if (!obj || obj->type != JSON_OBJECT || !key || !val ||
	    !json_utf8_valid(key, strlen(key))) {
		json_free(val);
		return -EINVAL;
	}
	klen = strlen(key);
	i = json_obj_find(obj, key, klen);
	if (i >= 0) {
		json_free(obj->u.obj.m[i].val);
		obj->u.obj.m[i].val = val;
		return 0;
	}
	if (obj->u.obj.n == obj->u.obj.cap) {
		size_t nc = obj->u.obj.cap ? obj->u.obj.cap * 2 : 4;
		struct json_member *m = realloc(obj->u.obj.m, nc * sizeof(*m));

		if (!m) {
			json_free(val);
			return -ENOMEM;
		}
		obj->u.obj.m = m;
		obj->u.obj.cap = nc;
	}
	k = strdup(key);
	if (!k) {
		json_free(val);
		return -ENOMEM;
	}
	obj->u.obj.m[obj->u.obj.n].key = k;
	obj->u.obj.m[obj->u.obj.n].klen = klen;
	obj->u.obj.m[obj->u.obj.n].val = val;
	obj->u.obj.n++;
	return 0;
}

int json_obj_set_str(struct json *obj, const char *key, const char *s)
{
	struct json *v;
	int r = json_new_str(&v, s);

	return r < 0 ? r : json_obj_set(obj, key, v);
}

int json_obj_set_int(struct json *obj, const char *key, int64_t x)
{
	struct json *v;
	int r = json_new_int(&v, x);

	return r < 0 ? r : json_obj_set(obj, key, v);
}

int json_obj_set_bool(struct json *obj, const char *key, bool b)
{
	struct json *v;
	int r = json_new_bool(&v, b);

	return r < 0 ? r : json_obj_set(obj, key, v);
}

int json_obj_set_double(struct json *obj, const char *key, double d)
{
	struct json *v;
	int r = json_new_double(&v, d);

	return r < 0 ? r : json_obj_set(obj, key, v);
}

int json_obj_set_null(struct json *obj, const char *key)
{
	struct json *v;
	int r = json_new_null(&v);

	return r < 0 ? r : json_obj_set(obj, key, v);
}

int json_obj_del(struct json *obj, const char *key)
{
	ssize_t i = key ? json_obj_find(obj, key, strlen(key)) : -1;

	if (i < 0)
		return -ENOENT;
	free(obj->u.obj.m[i].key);
	json_free(obj->u.obj.m[i].val);
	memmove(&obj->u.obj.m[i], &obj->u.obj.m[i + 1],
		(obj->u.obj.n - (size_t)i - 1) * sizeof(obj->u.obj.m[0]));
	obj->u.obj.n--;
	return 0;
}

int json_arr_append(struct json *arr, struct json *val)
{
	if (!arr || arr->type != JSON_ARRAY || !val) {
		json_free(val);
		return -EINVAL;
	}
	if (arr->u.arr.n == arr->u.arr.cap) {
		size_t nc = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
		struct json **v = realloc(arr->u.arr.v, nc * sizeof(*v));

		if (!v) {
			json_free(val);
			return -ENOMEM;
		}
		arr->u.arr.v = v;
		arr->u.arr.cap = nc;
	}
	arr->u.arr.v[arr->u.arr.n++] = val;
	return 0;
}

/* --- printing ----------------------------------------------------------- */
struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		char *np;

		while (nc < b->len + n + 1)
			nc *= 2;
		np = realloc(b->p, nc);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	sb_put(b, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sb_put(b, "\\\"", 2); break;
		case '\\': sb_put(b, "\\\\", 2); break;
		case '\n': sb_put(b, "\\n", 2); break;
		case '\r': sb_put(b, "\\r", 2); break;
		case '\t': sb_put(b, "\\t", 2); break;
		case '\b': sb_put(b, "\\b", 2); break;
		case '\f': sb_put(b, "\\f", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			sb_put(b, esc, 6);
		}
	}
	sb_put(b, s + run, len - run);
	sb_put(b, "\"", 1);
}

size_t json_quote(char *out, size_t cap, const char *s, size_t len)
{
	struct sb b = { 0 };
	size_t n;

	sb_str(&b, s, len);
	if (b.oom) {
		free(b.p);
		if (cap)
			out[0] = '\0';
		return 0;
	}
	n = b.len;
	if (cap) {
		size_t c = n < cap ? n : cap - 1;

		memcpy(out, b.p, c);
		out[c] = '\0';
	}
	free(b.p);
	return n;
}

static void sb_double(struct sb *b, double d)
{
	char tmp[40];
	int prec;

	/* the shortest %g that reads back to the same double */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (!strpbrk(tmp, ".eE"))
		strcat(tmp, ".0");   /* keep it a double when read back */
	sb_put(b, tmp, strlen(tmp));
}

static void sb_indent(struct sb *b, unsigned flags, unsigned depth)
{
	unsigned i;

	if (!(flags & JSON_PRETTY))
		return;
	sb_put(b, "\n", 1);
	for (i = 0; i < depth; i++)
		sb_put(b, "  ", 2);
}

static int cmp_member(const void *a, const void *b)
{
	const struct json_member *x = *(const struct json_member *const *)a;
	const struct json_member *y = *(const struct json_member *const *)b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static void sb_value(struct sb *b, const struct json *j, unsigned flags, unsigned depth)
{
	char tmp[32];
	size_t i;

	switch (j->type) {
	case JSON_NULL:
		sb_put(b, "null", 4);
		break;
	case JSON_BOOL:
		if (j->u.b)
			sb_put(b, "true", 4);
		else
			sb_put(b, "false", 5);
		break;
	case JSON_INT:
		snprintf(tmp, sizeof(tmp), "%lld", (long long)j->u.i);
		sb_put(b, tmp, strlen(tmp));
		break;
	case JSON_DOUBLE:
		sb_double(b, j->u.d);
		break;
	case JSON_STRING:
		sb_str(b, j->u.str.s, j->u.str.len);
		break;
	case JSON_ARRAY:
		sb_put(b, "[", 1);
		for (i = 0; i < j->u.arr.n; i++) {
			if (i)
				sb_put(b, ",", 1);
			sb_indent(b, flags, depth + 1);
			sb_value(b, j->u.arr.v[i], flags, depth + 1);
		}
		if (j->u.arr.n)
			sb_indent(b, flags, depth);
		sb_put(b, "]", 1);
		break;
	case JSON_OBJECT: {
		const struct json_member **order = NULL;

		if ((flags & JSON_SORT_KEYS) && j->u.obj.n > 1) {
			order = malloc(j->u.obj.n * sizeof(*order));
			if (!order) {
				b->oom = true;
				return;
			}
			for (i = 0; i < j->u.obj.n; i++)
				order[i] = &j->u.obj.m[i];
			qsort(order, j->u.obj.n, sizeof(*order), cmp_member);
		}
		sb_put(b, "{", 1);
		for (i = 0; i < j->u.obj.n; i++) {
			const struct json_member *m = order ? order[i] : &j->u.obj.m[i];

			if (i)
				sb_put(b, ",", 1);
			sb_indent(b, flags, depth + 1);
			sb_str(b, m->key, m->klen);
			sb_put(b, (flags & JSON_PRETTY) ? ": " : ":",
			       (flags & JSON_PRETTY) ? 2 : 1);
			sb_value(b, m->val, flags, depth + 1);
		}
		if (j->u.obj.n)
			sb_indent(b, flags, depth);
		sb_put(b, "}", 1);
		free(order);
		break;
	}
	default:
		break;
	}
}

int json_print(const struct json *j, unsigned flags, char **ret, size_t *ret_len)
{
	struct sb b = { 0 };

	if (!j || !ret)
		return -EINVAL;
	sb_value(&b, j, flags, 0);
	if (flags & JSON_PRETTY)
		sb_put(&b, "\n", 1);
	if (b.oom || !b.p) {
		free(b.p);
		return -ENOMEM;
	}
	*ret = b.p;
	if (ret_len)
		*ret_len = b.len;
	return 0;
}

/* json.c: strict RFC 8259 parser with limits, tree and lookups (see json.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json/json.h"
#include "lib/json/json_int.h"

void json_limits_default(struct json_limits *lim)
{
	lim->max_input = 1 << 20;
	lim->max_depth = 32;
	lim->max_members = 4096;
	lim->max_string = 64 << 10;
	lim->max_nodes = 65536;
}

/* --- nodes -------------------------------------------------------------- */
struct json *json_node_new(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

struct json *json_free(struct json *j)
{
	size_t i;

	if (!j)
		return NULL;
	switch (j->type) {
	case JSON_STRING:
		free(j->u.str.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < j->u.arr.n; i++)
			json_free(j->u.arr.v[i]);
		free(j->u.arr.v);
		break;
	case JSON_OBJECT:
		for (i = 0; i < j->u.obj.n; i++) {
			free(j->u.obj.m[i].key);
			json_free(j->u.obj.m[i].val);
		}
		free(j->u.obj.m);
		break;
	default:
		break;
	}
	free(j);
	return NULL;
}

/* --- UTF-8 -------------------------------------------------------------- */
/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;       /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;       /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;       /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;       /* above U+10FFFF */
		return 4;
	}
	return 0;
}

bool json_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		k = utf8_seq(p + i, len - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* --- parser ------------------------------------------------------------- */
struct parser {
	const char *s;
	size_t len, pos;
	struct json_limits lim;
	size_t nodes;
	char *err;
	size_t errlen;
	int rc;
};

static int perr(struct parser *p, size_t at, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int perr(struct parser *p, size_t at, int rc, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	char msg[160];
	va_list ap;
	size_t i;

	if (p->rc)
		return p->rc;   /* keep the first error */
	p->rc = rc;
	if (!p->err || !p->errlen)
		return rc;
	for (i = 0; i < at && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%u:%u: %s (byte %zu)", line, col, msg, at);
	return rc;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int hex4(const char *s, unsigned *ret)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

static size_t utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parse a string at p->pos (on the opening quote) into a malloc'd buffer.
 * The decoded form is never longer than the escaped form, so one
 * allocation of the raw span suffices. */
static int parse_string(struct parser *p, char **ret, size_t *ret_len)
{
	size_t start = p->pos, i, end, o = 0;
	const unsigned char *s = (const unsigned char *)p->s;
	char *out;

	/* find the closing quote first (bounded by the input) */
	for (end = start + 1; end < p->len; end++) {
		if (s[end] == '\\')
			end++;
		else if (s[end] == '"')
			break;
	}
	if (end >= p->len)
		return perr(p, start, -EINVAL, "unterminated string");
	out = malloc(end - start);
	if (!out)
		return perr(p, start, -ENOMEM, "out of memory");
	for (i = start + 1; i < end;) {
		unsigned char c = s[i];

		if (o >= p->lim.max_string) {
			free(out);
			return perr(p, start, -E2BIG, "string longer than %zu bytes",
				    p->lim.max_string);
		}
		if (c < 0x20) {
			free(out);
			return perr(p, i, -EINVAL, "control character 0x%02x in string", c);
		}
		if (c == '\\') {
			unsigned cp, lo;
			char e = (char)s[i + 1];

			switch (e) {
			case '"': out[o++] = '"'; i += 2; continue;
			case '\\': out[o++] = '\\'; i += 2; continue;
			case '/': out[o++] = '/'; i += 2; continue;
			case 'b': out[o++] = '\b'; i += 2; continue;
			case 'f': out[o++] = '\f'; i += 2; continue;
			case 'n': out[o++] = '\n'; i += 2; continue;
			case 'r': out[o++] = '\r'; i += 2; continue;
			case 't': out[o++] = '\t'; i += 2; continue;
			case 'u': break;
			default:
				free(out);
				return perr(p, i, -EINVAL, "invalid escape");
			}
			if (i + 6 > end || hex4(p->s + i + 2, &cp) < 0) {
				free(out);
				return perr(p, i, -EINVAL, "invalid \\u escape");
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(out);
				return perr(p, i, -EINVAL, "lone low surrogate");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 12 > end || s[i + 6] != '\\' || s[i + 7] != 'u' ||
				    hex4(p->s + i + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
					free(out);
					return perr(p, i, -EINVAL, "unpaired high surrogate");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			o += utf8_put(out + o, cp);
			i += 6;
			continue;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
			i++;
		} else {
			size_t k = utf8_seq(s + i, end - i);

			if (!k) {
				free(out);
				return perr(p, i, -EINVAL, "invalid UTF-8");
			}
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		}
	}
	if (o > p->lim.max_string) {
		free(out);
		return perr(p, start, -E2BIG, "string longer than %zu bytes",
			    p->lim.max_string);
	}
	out[o] = '\0';   /* o < end - start: room for the NUL */
	p->pos = end + 1;
	*ret = out;
	*ret_len = o;
	return 0;
}

static int parse_number(struct parser *p, struct json **ret)
{
	size_t st = p->pos, i = p->pos;
	const char *s = p->s;
	bool neg = false, is_int = true;
	struct json *j;
	char tmp[64];

	if (i < p->len && s[i] == '-') {
		neg = true;
		i++;
	}
	if (i >= p->len || s[i] < '0' || s[i] > '9')
		return perr(p, st, -EINVAL, "invalid number");
	if (s[i] == '0') {
		i++;
		if (i < p->len && s[i] >= '0' && s[i] <= '9')
			return perr(p, st, -EINVAL, "leading zero in number");
	} else {
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < p->len && s[i] == '.') {
		is_int = false;
		i++;
		if (i >= p->len || s[i] < '0' || s[i] > '9')
			return perr(p, i, -EINVAL, "digit expected after '.'");
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		is_int = false;
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= p->len || s[i] < '0' || s[i] > '9')
			return perr(p, i, -EINVAL, "digit expected in exponent");
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i - st >= sizeof(tmp))
		return perr(p, st, -E2BIG, "number longer than %zu characters",
			    sizeof(tmp) - 1);
	j = json_node_new(JSON_INT);
	if (!j)
		return perr(p, st, -ENOMEM, "out of memory");
	if (is_int) {
		/* accumulate as negative to reach INT64_MIN */
		int64_t v = 0;
		size_t k;
		bool ovf = false;

		for (k = st + (neg ? 1 : 0); k < i; k++) {
			int d = s[k] - '0';

			if (v < (INT64_MIN + d) / 10) {
				ovf = true;
				break;
			}
			v = v * 10 - d;
		}
		if (!ovf && !neg && v == INT64_MIN)
			ovf = true;
		if (!ovf) {
			j->u.i = neg ? v : -v;
			p->pos = i;
			*ret = j;
			return 0;
		}
	}
	memcpy(tmp, s + st, i - st);
	tmp[i - st] = '\0';
	j->type = JSON_DOUBLE;
	j->u.d = strtod(tmp, NULL);
	if (!isfinite(j->u.d)) {
		json_free(j);
		return perr(p, st, -ERANGE, "number out of range");
	}
	p->pos = i;
	*ret = j;
	return 0;
}

static int parse_value(struct parser *p, unsigned depth, struct json **ret);

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 4;
	nv = realloc(*v, nc * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

static int parse_array(struct parser *p, unsigned depth, struct json *a)
{
	size_t at;
	int r;

	p->pos++;  /* '[' */
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct json *v;

		if (a->u.arr.n >= p->lim.max_members)
			return perr(p, p->pos, -E2BIG, "more than %zu array elements",
				    p->lim.max_members);
		r = parse_value(p, depth + 1, &v);
		if (r < 0)
			return r;
		if (grow((void **)&a->u.arr.v, &a->u.arr.cap, a->u.arr.n, sizeof(v)) < 0) {
			json_free(v);
			return perr(p, p->pos, -ENOMEM, "out of memory");
		}
		a->u.arr.v[a->u.arr.n++] = v;
		skip_ws(p);
		at = p->pos;
		if (at >= p->len)
			return perr(p, at, -EINVAL, "unterminated array");
		if (p->s[at] == ']') {
			p->pos++;
			return 0;
		}
		if (p->s[at] != ',')
			return perr(p, at, -EINVAL, "expected ',' or ']'");
		p->pos++;
	}
}

static int parse_object(struct parser *p, unsigned depth, struct json *o)
{
	size_t at, i;
	int r;

	p->pos++;  /* '{' */
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct json_member m = { 0 };

		skip_ws(p);
		at = p->pos;
		if (at >= p->len || p->s[at] != '"')
			return perr(p, at, -EINVAL, "expected a string key");
		if (o->u.obj.n >= p->lim.max_members)
			return perr(p, at, -E2BIG, "more than %zu object members",
				    p->lim.max_members);
		r = parse_string(p, &m.key, &m.klen);
		if (r < 0)
			return r;
		for (i = 0; i < o->u.obj.n; i++) {
			if (o->u.obj.m[i].klen == m.klen &&
			    !memcmp(o->u.obj.m[i].key, m.key, m.klen)) {
				free(m.key);
				return perr(p, at, -EINVAL, "duplicate key");
			}
		}
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':') {
			free(m.key);
			return perr(p, p->pos, -EINVAL, "expected ':'");
		}
		p->pos++;
		r = parse_value(p, depth + 1, &m.val);
		if (r < 0) {
			free(m.key);
			return r;
		}
		if (grow((void **)&o->u.obj.m, &o->u.obj.cap, o->u.obj.n, sizeof(m)) < 0) {
			free(m.key);
			json_free(m.val);
			return perr(p, p->pos, -ENOMEM, "out of memory");
		}
		o->u.obj.m[o->u.obj.n++] = m;
		skip_ws(p);
		at = p->pos;
		if (at >= p->len)
			return perr(p, at, -EINVAL, "unterminated object");
		if (p->s[at] == '}') {
			p->pos++;
			return 0;
		}
		if (p->s[at] != ',')
			return perr(p, at, -EINVAL, "expected ',' or '}'");
		p->pos++;
	}
}

static bool match_lit(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static int parse_value(struct parser *p, unsigned depth, struct json **ret)
{
	struct json *j = NULL;
	size_t at;
	int r = 0;
	char c;

	skip_ws(p);
	at = p->pos;
	if (at >= p->len)
		return perr(p, at, -EINVAL, "unexpected end of input");
	if (++p->nodes > p->lim.max_nodes)
		return perr(p, at, -E2BIG, "more than %zu values", p->lim.max_nodes);
	c = p->s[at];
	switch (c) {
	case '{':
	case '[':
		if (depth >= p->lim.max_depth)
			return perr(p, at, -E2BIG, "nesting deeper than %u",
				    p->lim.max_depth);
		j = json_node_new(c == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (!j)
			return perr(p, at, -ENOMEM, "out of memory");
		r = c == '{' ? parse_object(p, depth, j) : parse_array(p, depth, j);
		break;
	case '"':
		j = json_node_new(JSON_STRING);
		if (!j)
			return perr(p, at, -ENOMEM, "out of memory");
		r = parse_string(p, &j->u.str.s, &j->u.str.len);
		break;
	case 't':
	case 'f':
	case 'n':
		if (match_lit(p, "true") || match_lit(p, "false")) {
			j = json_node_new(JSON_BOOL);
			if (j)
				j->u.b = c == 't';
		} else if (match_lit(p, "null")) {
			j = json_node_new(JSON_NULL);
		} else {
			return perr(p, at, -EINVAL, "invalid literal");
		}
		if (!j)
			return perr(p, at, -ENOMEM, "out of memory");
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p, ret);
		if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
			return perr(p, at, -EINVAL, "unexpected character '%c'", c);
		return perr(p, at, -EINVAL, "unexpected byte 0x%02x",
			    (unsigned char)c);
	}
	if (r < 0) {
		json_free(j);
		return r;
	}
	*ret = j;
	return 0;
}

int json_parse(struct json **ret, const char *text, size_t len,
	       const struct json_limits *lim, char *err, size_t errlen)
{
	struct parser p = { .s = text, .len = len, .err = err, .errlen = errlen };
	struct json *j;
	int r;

	if (!ret || (!text && len))
		return -EINVAL;
	if (err && errlen)
		err[0] = '\0';
	if (lim)
		p.lim = *lim;
	else
		json_limits_default(&p.lim);
	if (len > p.lim.max_input)
		return perr(&p, 0, -E2BIG, "input larger than %zu bytes",
			    p.lim.max_input);
	/* a UTF-8 BOM is not allowed (RFC 8259 section 8.1: MUST NOT add) */
	r = parse_value(&p, 0, &j);
	if (r < 0)
		return r;
	skip_ws(&p);
	if (p.pos != p.len) {
		json_free(j);
		return perr(&p, p.pos, -EINVAL, "trailing data after the value");
	}
	*ret = j;
	return 0;
}

/* --- reading ------------------------------------------------------------ */
enum json_type json_type(const struct json *j)
{
	return j ? j->type : JSON_NULL;
}

const char *json_type_name(enum json_type t)
{
	static const char *const n[] = { "null", "boolean", "integer", "number",
					 "string", "array", "object" };

	return t < JSON_TYPE_MAX ? n[t] : "?";
}

bool json_is(const struct json *j, enum json_type t)
{
	return j && j->type == t;
}

bool json_bool_val(const struct json *j)
{
	return j && j->type == JSON_BOOL && j->u.b;
}

int64_t json_int_val(const struct json *j)
{
	return j && j->type == JSON_INT ? j->u.i : 0;
}

double json_double_val(const struct json *j)
{
	if (j && j->type == JSON_INT)
		return (double)j->u.i;
	return j && j->type == JSON_DOUBLE ? j->u.d : 0.0;
}

const char *json_str_val(const struct json *j, size_t *len)
{
	if (!j || j->type != JSON_STRING)
		return NULL;
	if (len)
		*len = j->u.str.len;
	return j->u.str.s;
}

size_t json_len(const struct json *j)
{
	if (j && j->type == JSON_ARRAY)
		return j->u.arr.n;
	if (j && j->type == JSON_OBJECT)
		return j->u.obj.n;
	return 0;
}

struct json *json_at(const struct json *j, size_t i)
{
	if (j && j->type == JSON_ARRAY && i < j->u.arr.n)
		return j->u.arr.v[i];
	if (j && j->type == JSON_OBJECT && i < j->u.obj.n)
		return j->u.obj.m[i].val;
	return NULL;
}

const char *json_key_at(const struct json *j, size_t i)
{
	if (j && j->type == JSON_OBJECT && i < j->u.obj.n)
		return j->u.obj.m[i].key;
	return NULL;
}

ssize_t json_obj_find(const struct json *j, const char *key, size_t klen)
{
	size_t i;

	if (!j || j->type != JSON_OBJECT)
		return -1;
	for (i = 0; i < j->u.obj.n; i++)
		if (j->u.obj.m[i].klen == klen && !memcmp(j->u.obj.m[i].key, key, klen))
			return (ssize_t)i;
	return -1;
}

struct json *json_obj_get(const struct json *j, const char *key)
{
	ssize_t i = key ? json_obj_find(j, key, strlen(key)) : -1;

	return i < 0 ? NULL : j->u.obj.m[i].val;
}

struct json *json_path(const struct json *j, const char *path)
{
	const char *c = path;

	if (!j || !path)
		return NULL;
	while (*c) {
		const char *e = strchr(c, '.');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if (j->type == JSON_OBJECT) {
			ssize_t i = json_obj_find(j, c, n);

			if (i < 0)
				return NULL;
			j = j->u.obj.m[i].val;
		} else if (j->type == JSON_ARRAY) {
			size_t idx = 0, k;

			if (!n || n > 9)
				return NULL;
			for (k = 0; k < n; k++) {
				if (c[k] < '0' || c[k] > '9')
					return NULL;
				idx = idx * 10 + (size_t)(c[k] - '0');
			}
			if (idx >= j->u.arr.n)
				return NULL;
			j = j->u.arr.v[idx];
		} else {
			return NULL;
		}
		c += n;
		if (*c == '.')
			c++;
	}
	return (struct json *)j;
}

static struct json *get(const struct json *j, const char *path)
{
	struct json *v = json_path(j, path);

	return v && v->type != JSON_NULL ? v : NULL;
}

int json_get_str(const struct json *j, const char *path, const char **ret)
{
	struct json *v = get(j, path);

	if (!v)
		return -ENOENT;
	if (v->type != JSON_STRING)
		return -EINVAL;
	*ret = v->u.str.s;
	return 0;
}

int json_get_int(const struct json *j, const char *path, int64_t *ret)
{
	struct json *v = get(j, path);

	if (!v)
		return -ENOENT;
	if (v->type == JSON_INT) {
		*ret = v->u.i;
		return 0;
	}
	if (v->type != JSON_DOUBLE || v->u.d != floor(v->u.d))
		return -EINVAL;
	if (v->u.d < -9223372036854775808.0 || v->u.d >= 9223372036854775808.0)
		return -ERANGE;
	*ret = (int64_t)v->u.d;
	return 0;
}

int json_get_double(const struct json *j, const char *path, double *ret)
{
	struct json *v = get(j, path);

	if (!v)
		return -ENOENT;
	if (v->type != JSON_INT && v->type != JSON_DOUBLE)
		return -EINVAL;
	*ret = json_double_val(v);
	return 0;
}

int json_get_bool(const struct json *j, const char *path, bool *ret)
{
	struct json *v = get(j, path);

	if (!v)
		return -ENOENT;
	if (v->type != JSON_BOOL)
		return -EINVAL;
	*ret = v->u.b;
	return 0;
}

int json_get_obj(const struct json *j, const char *path, struct json **ret)
{
	struct json *v = get(j, path);

	if (!v)
		return -ENOENT;
	if (v->type != JSON_OBJECT)
		return -EINVAL;
	*ret = v;
	return 0;
}

int json_get_arr(const struct json *j, const char *path, struct json **ret)
{
	struct json *v = get(j, path);

	if (!v)
		return -ENOENT;
	if (v->type != JSON_ARRAY)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* sdp.c: SDP (RFC 4566) parser and printer, attribute helpers, base64.
 *
 * DESIGN
 * Pure functions over text; no allocation beyond the caller's struct. Every
 * slice points into the parsed text. Session-level and media-level parts share
 * one line loop: lines before the first m= go to the session, later lines to
 * the current media section. Limits are checked before any slot is used.
 */
#include <errno.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_int.h"

bool sdp_next_field(struct pl *rest, struct pl *ret)
{
	const char *p = rest->p, *end = pl_end(rest), *s;

	if (!p)
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p >= end)
		return false;
	for (s = p; p < end && *p != ' '; p++)
		;
	*ret = pl_make(s, (size_t)(p - s));
	rest->p = p;
	rest->l = (size_t)(end - p);
	return true;
}

static int parse_conn(struct sdp_conn *c, struct pl v)
{
	const char *slash;

	if (!sdp_next_field(&v, &c->nettype) || !sdp_next_field(&v, &c->addrtype) ||
	    !sdp_next_field(&v, &c->addr))
		return -EBADMSG;
	slash = pl_chr(&c->addr, '/');
	if (slash)
		c->addr.l = (size_t)(slash - c->addr.p);
	return c->addr.l ? 0 : -EBADMSG;
}

static void parse_bw(struct pl v, uint32_t *as, uint32_t *tias)
{
	const char *colon = pl_chr(&v, ':');
	struct pl type, num;
	uint32_t n;

	if (!colon)
		return;
	type = pl_make(v.p, (size_t)(colon - v.p));
	num = pl_trim(pl_make(colon + 1, (size_t)(v.p + v.l - colon - 1)));
	if (pl_u32(&num, &n) < 0)
		return;
	if (pl_case_eq_str(&type, "AS"))
		*as = n;
	else if (pl_case_eq_str(&type, "TIAS"))
		*tias = n;
}

static int add_attr(struct sdp_attr *attr, unsigned *nattr, struct pl v)
{
	const char *colon = pl_chr(&v, ':');

	if (*nattr == SDP_MAX_ATTR)
		return -E2BIG;
	if (!v.l)
		return -EBADMSG;
	if (colon) {
		attr[*nattr].name = pl_make(v.p, (size_t)(colon - v.p));
		attr[*nattr].val = pl_make(colon + 1, (size_t)(v.p + v.l - colon - 1));
	} else {
		attr[*nattr].name = v;
		attr[*nattr].val = PL_NULL;
	}
	(*nattr)++;
	return 0;
}

/* RFC 4566 token (printable ASCII, no SP) */
static bool is_token(const struct pl *t)
{
	size_t i;

	for (i = 0; i < t->l; i++)
		if ((unsigned char)t->p[i] <= 0x20 || (unsigned char)t->p[i] >= 0x7f)
			return false;
	return t->l > 0;
}

static int parse_media(struct sdp_media *m, struct pl v)
{
	struct pl port, f;
	const char *slash;
	uint32_t n;

	if (!sdp_next_field(&v, &m->type) || !sdp_next_field(&v, &port) ||
	    !sdp_next_field(&v, &m->proto) || !is_token(&m->type) || !is_token(&m->proto))
		return -EBADMSG;
	m->nports = 1;
	slash = pl_chr(&port, '/');
	if (slash) {
		struct pl np = pl_make(slash + 1, (size_t)(port.p + port.l - slash - 1));

		if (pl_u32(&np, &m->nports) < 0 || !m->nports)
			return -EBADMSG;
		port.l = (size_t)(slash - port.p);
	}
	if (pl_u32(&port, &n) < 0 || n > 65535)
		return -EBADMSG;
	m->port = n;
	while (sdp_next_field(&v, &f)) {
		if (m->nfmt == SDP_MAX_FMT)
			return -E2BIG;
		if (!is_token(&f))
			return -EBADMSG;
		m->fmt[m->nfmt++] = f;
	}
	return m->nfmt ? 0 : -EBADMSG;
}

int sdp_parse(struct sdp_sess *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *le, *next;
	struct sdp_media *cur = NULL;
	unsigned nlines = 0, have = 0;
	struct pl v;
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (!text)
		return -EINVAL;
	if (len > SDP_MAX_SIZE)
		return -E2BIG;
	while (p < end) {
		size_t l;

		le = memchr(p, '\n', (size_t)(end - p));
		next = le ? le + 1 : end;
		l = (size_t)((le ? le : end) - p);
		if (l && p[l - 1] == '\r')
			l--;
		if (l == 0) {
			p = next;
			continue;
		}
		if (++nlines > SDP_MAX_LINES)
			return -E2BIG;
		if (l < 2 || p[1] != '=' || memchr(p, '\0', l))
			return -EBADMSG; /* NUL is never allowed (RFC 4566 byte-string) */
		v = pl_make(p + 2, l - 2);
		if (!(have & 1) && p[0] != 'v')
			return -EBADMSG;
		switch (p[0]) {
		case 'v':
			if ((have & 1) || pl_u32(&v, &s->version) < 0 || s->version != 0)
				return -EBADMSG;
			have |= 1;
			break;
		case 'o':
			if (cur || (have & 2) || !sdp_next_field(&v, &s->o_user) ||
			    !sdp_next_field(&v, &s->o_sess_id) || !sdp_next_field(&v, &s->o_sess_ver) ||
			    !sdp_next_field(&v, &s->o_nettype) || !sdp_next_field(&v, &s->o_addrtype) ||
			    !sdp_next_field(&v, &s->o_addr))
				return -EBADMSG;
			have |= 2;
			break;
		case 's':
			if (cur || (have & 4))
				return -EBADMSG;
			s->name = v;
			have |= 4;
			break;
		case 't':
			if (cur)
				return -EBADMSG;
			if (!(have & 8))
				s->t = v;
			have |= 8;
			break;
		case 'c':
			if (cur) {
				r = parse_conn(&cur->conn, v);
				cur->has_conn = r == 0;
			} else {
				r = parse_conn(&s->conn, v);
				s->has_conn = r == 0;
			}
			break;
		case 'b':
			if (cur)
				parse_bw(v, &cur->bw_as, &cur->bw_tias);
			else
				parse_bw(v, &s->bw_as, &s->bw_tias);
			break;
		case 'a':
			r = cur ? add_attr(cur->attr, &cur->nattr, v)
				: add_attr(s->attr, &s->nattr, v);
			break;
		case 'm':
			if (s->nmedia == SDP_MAX_MEDIA)
				return -E2BIG;
			cur = &s->media[s->nmedia++];
			r = parse_media(cur, v);
			break;
		default: /* i u e p r z k and unknown types: ignored */
			break;
		}
		if (r < 0)
			return r;
		p = next;
	}
	return have == 15 ? 0 : -EBADMSG;
}

/* ---- printing ---------------------------------------------------------- */

static int put(struct buf *b, const char *s, size_t n)
{
	return n ? buf_append(b, s, n) : 0;
}

static int line(struct buf *b, const char *type, const struct pl *v)
{
	int r = put(b, type, strlen(type));

	if (r == 0 && v->p)
		r = put(b, v->p, v->l);
	if (r == 0)
		r = put(b, "\r\n", 2);
	return r;
}

static int print_conn(struct buf *b, const struct sdp_conn *c)
{
	int r = put(b, "c=", 2);

	if (r == 0)
		r = put(b, c->nettype.p, c->nettype.l);
	if (r == 0)
		r = put(b, " ", 1);
	if (r == 0)
		r = put(b, c->addrtype.p, c->addrtype.l);
	if (r == 0)
		r = put(b, " ", 1);
	if (r == 0)
		r = line(b, "", &c->addr);
	return r;
}

static int print_u32(struct buf *b, const char *prefix, uint32_t v)
{
	char tmp[16];
	int n = 0, r;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	r = put(b, prefix, strlen(prefix));
	if (r == 0)
		r = put(b, tmp + sizeof(tmp) - n, (size_t)n);
	return r;
}

static int print_bw(struct buf *b, uint32_t as, uint32_t tias)
{
	int r = 0;

	if (as)
		r = print_u32(b, "b=AS:", as);
	if (r == 0 && as)
		r = put(b, "\r\n", 2);
	if (r == 0 && tias)
		r = print_u32(b, "b=TIAS:", tias);
	if (r == 0 && tias)
		r = put(b, "\r\n", 2);
	return r;
}

static int print_attrs(struct buf *b, const struct sdp_attr *a, unsigned n)
{
	unsigned i;
	int r = 0;

	for (i = 0; r == 0 && i < n; i++) {
		r = put(b, "a=", 2);
		if (r == 0)
			r = put(b, a[i].name.p, a[i].name.l);
		if (r == 0 && a[i].val.p) {
			r = put(b, ":", 1);
			if (r == 0)
				r = put(b, a[i].val.p, a[i].val.l);
		}
		if (r == 0)
			r = put(b, "\r\n", 2);
	}
	return r;
}

int sdp_print(struct buf *b, const struct sdp_sess *s)
{
	const struct pl *o[] = { &s->o_user, &s->o_sess_id, &s->o_sess_ver, &s->o_nettype,
				 &s->o_addrtype, &s->o_addr };
	unsigned i, k;
	int r;

	r = print_u32(b, "v=", s->version);
	if (r == 0)
		r = put(b, "\r\no=", 4);
	for (i = 0; r == 0 && i < 6; i++) {
		r = put(b, o[i]->p, o[i]->l);
		if (r == 0)
			r = put(b, i < 5 ? " " : "\r\n", 1 + (i == 5));
	}
	if (r == 0)
		r = line(b, "s=", &s->name);
	if (r == 0 && s->has_conn)
		r = print_conn(b, &s->conn);
	if (r == 0)
		r = print_bw(b, s->bw_as, s->bw_tias);
	if (r == 0)
		r = line(b, "t=", &s->t);
	if (r == 0)
		r = print_attrs(b, s->attr, s->nattr);
	for (i = 0; r == 0 && i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];

		r = put(b, "m=", 2);
		if (r == 0)
			r = put(b, m->type.p, m->type.l);
		if (r == 0)
			r = print_u32(b, " ", m->port);
		if (r == 0 && m->nports > 1)
			r = print_u32(b, "/", m->nports);
		if (r == 0)
			r = put(b, " ", 1);
		if (r == 0)
			r = put(b, m->proto.p, m->proto.l);
		for (k = 0; r == 0 && k < m->nfmt; k++) {
			r = put(b, " ", 1);
			if (r == 0)
				r = put(b, m->fmt[k].p, m->fmt[k].l);
		}
		if (r == 0)
			r = put(b, "\r\n", 2);
		if (r == 0 && m->has_conn)
			r = print_conn(b, &m->conn);
		if (r == 0)
			r = print_bw(b, m->bw_as, m->bw_tias);
		if (r == 0)
			r = print_attrs(b, m->attr, m->nattr);
	}
	return r;
}

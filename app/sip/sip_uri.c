/* sip_uri.c: SIP URIs, name-addr/addr-spec, Via, CSeq, parameters, digest
 * credentials, %-decoding and quoted strings (RFC 3261 section 25). */
#include <errno.h>
#include <string.h>

#include "sip/sip_int.h"
#include "sip/sip_msg.h"

const uint8_t sip_cclass[256] = {
	[33] = SC_TOKEN | SC_UNRES | SC_WORD, /* ! */
	[34] = SC_WORD, /* " */
	[36] = SC_USER | SC_PASS | SC_PARAM | SC_HNV, /* $ */
	[37] = SC_TOKEN | SC_WORD, /* % */
	[38] = SC_USER | SC_PASS | SC_PARAM, /* & */
	[39] = SC_TOKEN | SC_UNRES | SC_WORD, /* ' */
	[40] = SC_UNRES | SC_WORD, /* ( */
	[41] = SC_UNRES | SC_WORD, /* ) */
	[42] = SC_TOKEN | SC_UNRES | SC_WORD, /* * */
	[43] = SC_TOKEN | SC_USER | SC_PASS | SC_PARAM | SC_HNV | SC_WORD, /* + */
	[44] = SC_USER | SC_PASS, /* , */
	[45] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* - */
	[46] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* . */
	[47] = SC_USER | SC_PARAM | SC_HNV | SC_WORD, /* / */
	[48] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 0 */
	[49] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 1 */
	[50] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 2 */
	[51] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 3 */
	[52] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 4 */
	[53] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 5 */
	[54] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 6 */
	[55] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 7 */
	[56] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 8 */
	[57] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* 9 */
	[58] = SC_PARAM | SC_HNV | SC_WORD, /* : */
	[59] = SC_USER, /* ; */
	[60] = SC_WORD, /* < */
	[61] = SC_USER | SC_PASS, /* = */
	[62] = SC_WORD, /* > */
	[63] = SC_USER | SC_HNV | SC_WORD, /* ? */
	[65] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* A */
	[66] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* B */
	[67] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* C */
	[68] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* D */
	[69] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* E */
	[70] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* F */
	[71] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* G */
	[72] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* H */
	[73] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* I */
	[74] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* J */
	[75] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* K */
	[76] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* L */
	[77] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* M */
	[78] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* N */
	[79] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* O */
	[80] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* P */
	[81] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* Q */
	[82] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* R */
	[83] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* S */
	[84] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* T */
	[85] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* U */
	[86] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* V */
	[87] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* W */
	[88] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* X */
	[89] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* Y */
	[90] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* Z */
	[91] = SC_PARAM | SC_HNV | SC_WORD, /* [ */
	[92] = SC_WORD, /* \\ */
	[93] = SC_PARAM | SC_HNV | SC_WORD, /* ] */
	[95] = SC_TOKEN | SC_UNRES | SC_WORD, /* _ */
	[96] = SC_TOKEN | SC_WORD, /* ` */
	[97] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* a */
	[98] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* b */
	[99] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* c */
	[100] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* d */
	[101] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* e */
	[102] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* f */
	[103] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* g */
	[104] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* h */
	[105] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* i */
	[106] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* j */
	[107] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* k */
	[108] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* l */
	[109] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* m */
	[110] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* n */
	[111] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* o */
	[112] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* p */
	[113] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* q */
	[114] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* r */
	[115] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* s */
	[116] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* t */
	[117] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* u */
	[118] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* v */
	[119] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* w */
	[120] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* x */
	[121] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* y */
	[122] = SC_TOKEN | SC_UNRES | SC_WORD | SC_HOST, /* z */
	[123] = SC_WORD, /* { */
	[125] = SC_WORD, /* } */
	[126] = SC_TOKEN | SC_UNRES | SC_WORD, /* ~ */
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

const char *sip_quoted_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			/* quoted-pair: "\" (%x00-09 / %x0B-0C / %x0E-7F) */
			if (p + 1 >= end || p[1] == '\r' || p[1] == '\n' ||
			    (unsigned char)p[1] > 0x7f)
				return NULL;
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

const char *sip_hostport_parse(const char *p, const char *end, struct pl *host,
			       bool *ipv6, uint16_t *port, bool lws_colon)
{
	const char *h, *q;
	unsigned v = 0;
	bool colon = false;

	if (p < end && *p == '[') {
		h = ++p;
		while (p < end && (sip_is_hex(*p) || *p == ':' || *p == '.')) {
			colon |= *p == ':';
			p++;
		}
		if (p >= end || *p != ']' || p == h || !colon)
			return NULL;
		*host = pl_make(h, (size_t)(p - h));
		*ipv6 = true;
		p++;
	} else {
		h = p;
		while (p < end && sc_is(*p, SC_HOST))
			p++;
		if (p == h || *h == '.' || *h == '-')
			return NULL;
		*host = pl_make(h, (size_t)(p - h));
		*ipv6 = false;
	}
	*port = 0;
	q = lws_colon ? sip_skip_ws(p, end) : p;
	if (q < end && *q == ':') {
		const char *d;

		q++;
		if (lws_colon)
			q = sip_skip_ws(q, end);
		d = q;
		while (q < end && is_digit(*q)) {
			v = v * 10 + (unsigned)(*q - '0');
			if (v > 65535)
				return NULL;
			q++;
		}
		if (q == d)
			return NULL;
		*port = (uint16_t)v;
		p = q;
	}
	return p;
}

/* one URI char of class cls, or a valid %HH escape; returns the next p or NULL */
static const char *uri_char(const char *p, const char *end, unsigned cls)
{
	if (*p == '%') {
		if (end - p < 3 || !sip_is_hex(p[1]) || !sip_is_hex(p[2]))
			return NULL;
		return p + 3;
	}
	return sc_is(*p, cls) ? p + 1 : NULL;
}

/* span of URI chars of class cls in [p, end) up to a stop char; NULL on a
 * char that is neither */
static const char *uri_span(const char *p, const char *end, unsigned cls,
			    const char *extra)
{
	while (p < end) {
		const char *n = uri_char(p, end, cls);

		if (!n) {
			if (extra && *p && strchr(extra, *p)) {
				p++;
				continue;
			}
			return p;
		}
		p = n;
	}
	return p;
}

static int uri_opaque_check(const struct pl *o)
{
	size_t i;

	if (!o->l)
		return -EBADMSG;
	for (i = 0; i < o->l; i++) {
		unsigned char c = (unsigned char)o->p[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"')
			return -EBADMSG;
	}
	return 0;
}

int sip_uri_parse(struct sip_uri *u, const struct pl *s)
{
	const char *p, *q, *end, *at;

	memset(u, 0, sizeof(*u));
	if (!s->p || !s->l)
		return -EBADMSG;
	p = s->p;
	end = p + s->l;
	if (!is_alpha(*p))
		return -EBADMSG;
	for (q = p; q < end && (is_alpha(*q) || is_digit(*q) || *q == '+' ||
				*q == '-' || *q == '.'); q++)
		;
	if (q >= end || *q != ':')
		return -EBADMSG;
	u->str = *s;
	u->scheme = pl_make(p, (size_t)(q - p));
	u->opaque = pl_make(q + 1, (size_t)(end - q - 1));
	if (pl_case_eq_str(&u->scheme, "sip"))
		u->scheme_id = SIP_SCHEME_SIP;
	else if (pl_case_eq_str(&u->scheme, "sips"))
		u->scheme_id = SIP_SCHEME_SIPS;
	else if (pl_case_eq_str(&u->scheme, "tel"))
		u->scheme_id = SIP_SCHEME_TEL;
	else
		u->scheme_id = SIP_SCHEME_OTHER;
	if (u->scheme_id != SIP_SCHEME_SIP && u->scheme_id != SIP_SCHEME_SIPS)
		return uri_opaque_check(&u->opaque);

	p = q + 1;
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		const char *ue = colon ? colon : at;

		if (ue == p || uri_span(p, ue, SC_UNRES | SC_USER, NULL) != ue)
			return -EBADMSG;
		u->user = pl_make(p, (size_t)(ue - p));
		if (colon) {
			if (uri_span(colon + 1, at, SC_UNRES | SC_PASS, NULL) != at)
				return -EBADMSG;
			u->password = pl_make(colon + 1, (size_t)(at - colon - 1));
		}
		p = at + 1;
	}
	p = sip_hostport_parse(p, end, &u->host, &u->host_ipv6, &u->port, false);
	if (!p)
		return -EBADMSG;
	if (p < end && *p == ';') {
		const char *ps = p;

		while (p < end && *p == ';') {
			q = uri_span(p + 1, end, SC_UNRES | SC_PARAM, NULL);
			if (q == p + 1)
				return -EBADMSG; /* empty pname */
			p = q;
			if (p < end && *p == '=') {
				q = uri_span(p + 1, end, SC_UNRES | SC_PARAM, NULL);
				if (q == p + 1)
					return -EBADMSG;
				p = q;
			}
		}
		u->params = pl_make(ps, (size_t)(p - ps));
	}
	if (p < end && *p == '?') {
		q = uri_span(p + 1, end, SC_UNRES | SC_HNV, "=&");
		u->headers = pl_make(p + 1, (size_t)(q - p - 1));
		p = q;
	}
	return p == end ? 0 : -EBADMSG;
}

int sip_params_check(const struct pl *params)
{
	const char *p = params->p, *end = pl_end(params), *n;

	if (!p)
		return 0;
	for (;;) {
		p = sip_skip_ws(p, end);
		if (p == end)
			return 0;
		if (*p != ';')
			return -EBADMSG;
		p = sip_skip_ws(p + 1, end);
		for (n = p; p < end && sc_is(*p, SC_TOKEN); p++)
			;
		if (p == n)
			return -EBADMSG;
		n = sip_skip_ws(p, end);
		if (n < end && *n == '=') {
			n = sip_skip_ws(n + 1, end);
			if (n < end && *n == '"') {
				p = sip_quoted_end(n, end);
				if (!p)
					return -EBADMSG;
			} else if (n < end && *n == '[') {
				for (p = n + 1; p < end && (sip_is_hex(*p) || *p == ':' ||
							    *p == '.'); p++)
					;
				if (p >= end || *p != ']')
					return -EBADMSG;
				p++;
			} else {
				/* token / host (an unbracketed IPv6 received too) */
				for (p = n; p < end && (sc_is(*p, SC_TOKEN) || *p == ':'); p++)
					;
				if (p == n)
					return -EBADMSG;
			}
		}
	}
}

bool sip_param_next(struct pl *rest, struct pl *ret_name, struct pl *ret_val)
{
	const char *p = rest->p, *end, *n, *q;

	if (!p)
		return false;
	end = p + rest->l;
	p = sip_skip_ws(p, end);
	if (p >= end || *p != ';')
		return false;
	p = sip_skip_ws(p + 1, end);
	for (n = p; p < end && !sip_is_ws(*p) && *p != ';' && *p != '=' && *p != ','; p++)
		;
	*ret_name = pl_make(n, (size_t)(p - n));
	*ret_val = PL_NULL;
	q = sip_skip_ws(p, end);
	if (q < end && *q == '=') {
		q = sip_skip_ws(q + 1, end);
		if (q < end && *q == '"') {
			const char *e = sip_quoted_end(q, end);

			if (e) {
				*ret_val = pl_make(q + 1, (size_t)(e - q - 2));
				p = e;
			} else { /* unterminated: take the rest */
				*ret_val = pl_make(q + 1, (size_t)(end - q - 1));
				p = end;
			}
		} else {
			for (n = q; q < end && !sip_is_ws(*q) && *q != ';' && *q != ','; q++)
				;
			*ret_val = pl_make(n, (size_t)(q - n));
			p = q;
		}
	}
	rest->p = p;
	rest->l = (size_t)(end - p);
	return true;
}

int sip_param_get(const struct pl *params, const char *name, struct pl *ret_val)
{
	struct pl rest = *params, n, v;

	while (sip_param_next(&rest, &n, &v)) {
		if (!pl_case_eq_str(&n, name))
			continue;
		*ret_val = v.p ? v : pl_make(n.p + n.l, 0);
		return 0;
	}
	return -ENOENT;
}

bool sip_param_exists(const struct pl *params, const char *name)
{
	struct pl v;

	return sip_param_get(params, name, &v) == 0;
}

/* header params after an address / via: must be ";..." or nothing */
static int tail_params(const char *p, const char *end, struct pl *ret)
{
	struct pl t = pl_trim(pl_make(p, (size_t)(end - p)));
	int r;

	*ret = PL_NULL;
	if (!t.l)
		return 0;
	r = sip_params_check(&t);
	if (r < 0)
		return r;
	*ret = t;
	return 0;
}

int sip_addr_parse(struct sip_addr *a, const struct pl *s)
{
	const char *p, *q, *end;
	struct pl v, uri;
	int r;

	memset(a, 0, sizeof(*a));
	if (!s->p)
		return -EBADMSG;
	v = pl_trim(*s);
	if (!v.l)
		return -EBADMSG;
	a->str = v;
	p = v.p;
	end = p + v.l;
	if (*p == '"') {
		q = sip_quoted_end(p, end);
		if (!q)
			return -EBADMSG;
		a->dname = pl_make(p + 1, (size_t)(q - p - 2));
		a->dname_quoted = true;
		p = sip_skip_ws(q, end);
		if (p >= end || *p != '<')
			return -EBADMSG;
	} else {
		/* unquoted display name (tokens, LWS) before '<', else addr-spec */
		for (q = p; q < end && (sc_is(*q, SC_TOKEN) || sip_is_ws(*q)); q++)
			;
		if (q < end && *q == '<') {
			struct pl dn = pl_trim(pl_make(p, (size_t)(q - p)));

			if (dn.l)
				a->dname = dn;
			p = q;
		} else {
			for (q = p; q < end && *q != ';' && !sip_is_ws(*q); q++)
				;
			uri = pl_make(p, (size_t)(q - p));
			r = sip_uri_parse(&a->uri, &uri);
			if (r < 0)
				return r;
			/* a URI with headers (or params) must be in <> */
			if (a->uri.headers.p || (a->uri.scheme_id == SIP_SCHEME_OTHER &&
						 pl_chr(&a->uri.opaque, '?')))
				return -EBADMSG;
			p = q;
			goto params;
		}
	}
	a->angle = true;
	q = memchr(p + 1, '>', (size_t)(end - p - 1));
	if (!q)
		return -EBADMSG;
	uri = pl_make(p + 1, (size_t)(q - p - 1));
	r = sip_uri_parse(&a->uri, &uri);
	if (r < 0)
		return r;
	p = q + 1;
params:
	r = tail_params(p, end, &a->params);
	if (r < 0)
		return r;
	if (sip_param_get(&a->params, "tag", &v) == 0 && v.l)
		a->tag = v;
	return 0;
}

static const char *token_end(const char *p, const char *end)
{
	while (p < end && sc_is(*p, SC_TOKEN))
		p++;
	return p;
}

static const struct {
	const char *name;
	enum sip_transport tp;
} transports[] = {
	{ "UDP", SIP_TP_UDP }, { "TCP", SIP_TP_TCP }, { "TLS", SIP_TP_TLS },
	{ "SCTP", SIP_TP_SCTP }, { "WS", SIP_TP_WS }, { "WSS", SIP_TP_WSS },
};

int sip_via_parse(struct sip_via *v, const struct pl *s)
{
	const char *p, *q, *end;
	struct pl t, val;
	size_t i;
	int r;

	memset(v, 0, sizeof(*v));
	if (!s->p)
		return -EBADMSG;
	t = pl_trim(*s);
	v->str = t;
	p = t.p;
	end = p + t.l;
	/* sent-protocol: name SLASH version SLASH transport (SLASH = SWS / SWS) */
	q = token_end(p, end);
	if (q == p)
		return -EBADMSG;
	v->proto = pl_make(p, (size_t)(q - p));
	p = sip_skip_ws(q, end);
	if (p >= end || *p != '/')
		return -EBADMSG;
	p = sip_skip_ws(p + 1, end);
	q = token_end(p, end);
	if (q == p)
		return -EBADMSG;
	v->version = pl_make(p, (size_t)(q - p));
	p = sip_skip_ws(q, end);
	if (p >= end || *p != '/')
		return -EBADMSG;
	p = sip_skip_ws(p + 1, end);
	q = token_end(p, end);
	if (q == p || q >= end || !sip_is_ws(*q))
		return -EBADMSG;
	v->transport = pl_make(p, (size_t)(q - p));
	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (pl_case_eq_str(&v->transport, transports[i].name))
			v->tp = transports[i].tp;
	p = sip_skip_ws(q, end);
	p = sip_hostport_parse(p, end, &v->host, &v->host_ipv6, &v->port, true);
	if (!p)
		return -EBADMSG;
	r = tail_params(p, end, &v->params);
	if (r < 0)
		return r;
	if (sip_param_get(&v->params, "branch", &val) == 0)
		v->branch = val;
	if (sip_param_get(&v->params, "received", &val) == 0)
		v->received = val;
	if (sip_param_get(&v->params, "rport", &val) == 0) {
		uint32_t port;

		v->rport = true;
		if (val.l) {
			if (pl_u32(&val, &port) < 0 || port > 65535)
				return -EBADMSG;
			v->rport_val = (uint16_t)port;
		}
	}
	return 0;
}

int sip_cseq_parse(struct sip_cseq *c, const struct pl *s)
{
	struct pl t = pl_trim(*s), num;
	const char *p = t.p, *end = pl_end(&t), *q;

	memset(c, 0, sizeof(*c));
	if (!p)
		return -EBADMSG;
	for (q = p; q < end && is_digit(*q); q++)
		;
	num = pl_make(p, (size_t)(q - p));
	if (q == p || q >= end || !sip_is_ws(*q) || pl_u32(&num, &c->num) < 0)
		return -EBADMSG;
	p = sip_skip_ws(q, end);
	q = token_end(p, end);
	if (q == p || q != end)
		return -EBADMSG;
	c->method = pl_make(p, (size_t)(q - p));
	c->meth = sip_method_lookup(&c->method);
	return 0;
}

int sip_digest_parse(struct sip_digest *d, const struct pl *s)
{
	struct pl t = pl_trim(*s);
	const char *p = t.p, *end = pl_end(&t), *q, *n;

	memset(d, 0, sizeof(*d));
	if (!p)
		return -EBADMSG;
	q = token_end(p, end);
	if (q == p || (q < end && !sip_is_ws(*q)))
		return -EBADMSG;
	d->scheme = pl_make(p, (size_t)(q - p));
	p = sip_skip_ws(q, end);
	d->params = pl_make(p, (size_t)(end - p));
	while (p < end) {
		struct pl name, val = PL_NULL;

		n = p;
		p = token_end(p, end);
		if (p == n)
			return -EBADMSG;
		name = pl_make(n, (size_t)(p - n));
		p = sip_skip_ws(p, end);
		if (p < end && *p == '=') {
			p = sip_skip_ws(p + 1, end);
			if (p < end && *p == '"') {
				q = sip_quoted_end(p, end);
				if (!q)
					return -EBADMSG;
				val = pl_make(p + 1, (size_t)(q - p - 2));
				p = q;
			} else {
				for (q = p; q < end && *q != ',' && !sip_is_ws(*q); q++)
					;
				val = pl_make(p, (size_t)(q - p));
				p = q;
			}
		} else {
			/* token68 (Basic xyz==) and other non-param forms */
			while (p < end && *p == '=')
				p++;
		}
		p = sip_skip_ws(p, end);
		if (p < end) {
			if (*p != ',')
				return -EBADMSG;
			p = sip_skip_ws(p + 1, end);
		}
		if (!val.p)
			continue;
#define F(x) else if (pl_case_eq_str(&name, #x)) d->x = val
		if (0)
			;
		F(realm); F(nonce); F(opaque); F(algorithm); F(qop); F(stale);
		F(domain); F(username); F(uri); F(response); F(cnonce); F(nc);
		else if (pl_case_eq_str(&name, "userhash"))
			d->userhash = pl_case_eq_str(&val, "true");
#undef F
	}
	return 0;
}

/* next decoded octet of a %-escaped slice; false at the end */
static bool pct_next(const char **p, const char *end, int *ret)
{
	if (*p >= end)
		return false;
	if (**p == '%' && end - *p >= 3 && sip_is_hex((*p)[1]) && sip_is_hex((*p)[2])) {
		*ret = sip_hexval((*p)[1]) << 4 | sip_hexval((*p)[2]);
		*p += 3;
	} else {
		*ret = (unsigned char)**p;
		(*p)++;
	}
	return true;
}

int sip_pct_decode(char *dst, size_t cap, const struct pl *src, size_t *ret_len)
{
	const char *p = src->p, *end = pl_end(src);
	size_t n = 0;
	int c;

	if (!p) {
		*ret_len = 0;
		return 0;
	}
	while (p < end) {
		if (*p == '%' && (end - p < 3 || !sip_is_hex(p[1]) || !sip_is_hex(p[2])))
			return -EBADMSG;
		pct_next(&p, end, &c);
		if (n >= cap)
			return -ENOBUFS;
		dst[n++] = (char)c;
	}
	*ret_len = n;
	return 0;
}

int sip_unquote(char *dst, size_t cap, const struct pl *src, size_t *ret_len)
{
	const char *p = src->p, *end = pl_end(src);
	size_t n = 0;

	for (; p && p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		if (n >= cap)
			return -ENOBUFS;
		dst[n++] = *p;
	}
	*ret_len = n;
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool pct_eq(const struct pl *a, const struct pl *b, bool icase)
{
	const char *p = a->p, *pe = pl_end(a), *q = b->p, *qe = pl_end(b);
	int x, y;

	if (!p || !q)
		return !p && !q;
	for (;;) {
		bool ha = pct_next(&p, pe, &x), hb = pct_next(&q, qe, &y);

		if (!ha || !hb)
			return ha == hb;
		if (icase ? lower(x) != lower(y) : x != y)
			return false;
	}
}

static bool uri_params_cover(const struct pl *a, const struct pl *b)
{
	static const char *const must[] = { "user", "ttl", "method", "maddr", "transport" };
	struct pl rest = *a, n, v, rb, bn, bv;
	size_t i;

	while (sip_param_next(&rest, &n, &v)) {
		bool found = false;

		rb = *b;
		while (sip_param_next(&rb, &bn, &bv)) {
			if (!pl_case_eq(&n, &bn))
				continue;
			if (!v.p)
				v = pl_make(n.p, 0);
			if (!bv.p)
				bv = pl_make(bn.p, 0);
			if (!pct_eq(&v, &bv, true))
				return false;
			found = true;
			break;
		}
		if (found)
			continue;
		for (i = 0; i < sizeof(must) / sizeof(must[0]); i++)
			if (pl_case_eq_str(&n, must[i]))
				return false;
	}
	return true;
}

bool sip_uri_eq(const struct sip_uri *a, const struct sip_uri *b)
{
	if (a->scheme_id != b->scheme_id)
		return false;
	if (a->scheme_id != SIP_SCHEME_SIP && a->scheme_id != SIP_SCHEME_SIPS)
		return pl_case_eq(&a->scheme, &b->scheme) && pl_eq(&a->opaque, &b->opaque);
	if (!pct_eq(&a->user, &b->user, false) || !pct_eq(&a->password, &b->password, false))
		return false;
	if (!pct_eq(&a->host, &b->host, true) || a->port != b->port ||
	    a->host_ipv6 != b->host_ipv6)
		return false;
	if (!uri_params_cover(&a->params, &b->params) ||
	    !uri_params_cover(&b->params, &a->params))
		return false;
	return pct_eq(&a->headers, &b->headers, true);
}

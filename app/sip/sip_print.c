/* sip_print.c: SIP message builder and printers (requests, responses built
 * from a request per RFC 3261 8.2.6, canonical re-printing). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_int.h"
#include "sip/sip_msg.h"

static int put(struct buf *b, const void *p, size_t n)
{
	return n ? buf_append(b, p, n) : 0;
}

static int puts_(struct buf *b, const char *s)
{
	return put(b, s, strlen(s));
}

static int putpl(struct buf *b, const struct pl *x)
{
	return x->p ? put(b, x->p, x->l) : 0;
}

/* pre, x, post: byte-exact (x may hold NUL from a quoted-pair) */
static int put3(struct buf *b, const char *pre, const struct pl *x, const char *post)
{
	int r = puts_(b, pre);

	if (r == 0)
		r = putpl(b, x);
	if (r == 0)
		r = puts_(b, post);
	return r;
}

static int vprintf_(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static int vprintf_(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n, r;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	r = buf_reserve(b, b->len + (size_t)n + 1);
	if (r < 0)
		return r;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

static int printf_(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int printf_(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vprintf_(b, fmt, ap);
	va_end(ap);
	return r;
}

/* value without folds: every run of CR/LF/SP/HTAB containing a CR or LF
 * becomes one SP */
static int put_unfolded(struct buf *b, const struct pl *v)
{
	const char *p = v->p, *end = pl_end(v), *s = p;
	int r = 0;

	while (p && p < end && r == 0) {
		if (*p == '\r' || *p == '\n') {
			const char *q = p;

			while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
				q--;
			r = put(b, s, (size_t)(q - s));
			while (p < end && sip_is_ws(*p))
				p++;
			if (r == 0)
				r = put(b, " ", 1);
			s = p;
			continue;
		}
		p++;
	}
	return r ? r : (p ? put(b, s, (size_t)(end - s)) : 0);
}

static bool all_token(const struct pl *v)
{
	size_t i;

	if (!v->l)
		return false;
	if (v->p[0] == '[' && v->p[v->l - 1] == ']')
		return true;
	for (i = 0; i < v->l; i++)
		if (!sc_is(v->p[i], SC_TOKEN) && v->p[i] != ':')
			return false;
	return true;
}

/* ";name[=value]" for each param except skip1/skip2 (normalized LWS) */
static int print_params(struct buf *b, const struct pl *params, const char *skip1,
			const char *skip2)
{
	struct pl rest = *params, n, v;
	int r = 0;

	while (r == 0 && sip_param_next(&rest, &n, &v)) {
		if ((skip1 && pl_case_eq_str(&n, skip1)) || (skip2 && pl_case_eq_str(&n, skip2)))
			continue;
		r = put(b, ";", 1);
		if (r == 0)
			r = putpl(b, &n);
		if (r == 0 && v.p) {
			bool q = !all_token(&v);

			r = put3(b, q ? "=\"" : "=", &v, q ? "\"" : "");
		}
	}
	return r;
}

int sip_uri_print(struct buf *b, const struct sip_uri *u)
{
	int r;

	if (!u->scheme.p)
		return -EINVAL;
	if (u->scheme_id != SIP_SCHEME_SIP && u->scheme_id != SIP_SCHEME_SIPS)
		return printf_(b, "%.*s:%.*s", PL_FMT(u->scheme), PL_FMT(u->opaque));
	r = printf_(b, "%.*s:", PL_FMT(u->scheme));
	if (r == 0 && u->user.p) {
		r = putpl(b, &u->user);
		if (r == 0 && u->password.p)
			r = printf_(b, ":%.*s", PL_FMT(u->password));
		if (r == 0)
			r = put(b, "@", 1);
	}
	if (r == 0)
		r = printf_(b, u->host_ipv6 ? "[%.*s]" : "%.*s", PL_FMT(u->host));
	if (r == 0 && u->port)
		r = printf_(b, ":%u", u->port);
	if (r == 0)
		r = putpl(b, &u->params);
	if (r == 0 && u->headers.p)
		r = printf_(b, "?%.*s", PL_FMT(u->headers));
	return r;
}

int sip_addr_print(struct buf *b, const struct sip_addr *a)
{
	bool angle = a->angle || a->dname.p || a->uri.params.p || a->uri.headers.p;
	int r = 0;

	if (a->dname.p && a->dname.l)
		r = put3(b, a->dname_quoted ? "\"" : "", &a->dname,
			 a->dname_quoted ? "\" " : " ");
	if (r == 0 && angle)
		r = put(b, "<", 1);
	if (r == 0)
		r = sip_uri_print(b, &a->uri);
	if (r == 0 && angle)
		r = put(b, ">", 1);
	if (r == 0)
		r = print_params(b, &a->params, "tag", NULL);
	if (r == 0 && a->tag.p)
		r = printf_(b, ";tag=%.*s", PL_FMT(a->tag));
	return r;
}

int sip_via_print(struct buf *b, const struct sip_via *v)
{
	int r;

	r = printf_(b, "%.*s/%.*s/%.*s ", PL_FMT(v->proto), PL_FMT(v->version),
		    PL_FMT(v->transport));
	if (r == 0)
		r = printf_(b, v->host_ipv6 ? "[%.*s]" : "%.*s", PL_FMT(v->host));
	if (r == 0 && v->port)
		r = printf_(b, ":%u", v->port);
	if (r == 0)
		r = print_params(b, &v->params, "received", "rport");
	if (r == 0 && v->received.p)
		r = printf_(b, ";received=%.*s", PL_FMT(v->received));
	if (r == 0 && v->rport)
		r = v->rport_val ? printf_(b, ";rport=%u", v->rport_val) : puts_(b, ";rport");
	return r;
}

/* ---- builder --------------------------------------------------------------- */

void sip_mb_init(struct sip_mb *mb, struct buf *b)
{
	mb->b = b;
	mb->err = b ? 0 : -EINVAL;
}

static void mb_res(struct sip_mb *mb, int r)
{
	if (!mb->err && r < 0)
		mb->err = r;
}

/* CR or LF only as part of a fold (CRLF followed by SP/HTAB) */
static bool value_safe(const struct pl *v)
{
	size_t i;

	for (i = 0; v->p && i < v->l; i++) {
		if (v->p[i] == '\r') {
			if (i + 2 >= v->l || v->p[i + 1] != '\n' ||
			    (v->p[i + 2] != ' ' && v->p[i + 2] != '\t'))
				return false;
			i++;
		} else if (v->p[i] == '\n') {
			return false;
		}
	}
	return true;
}

void sip_mb_request(struct sip_mb *mb, const char *method, const struct pl *ruri)
{
	if (mb->err)
		return;
	if (!method || !ruri || !ruri->p || !value_safe(ruri)) {
		mb->err = -EINVAL;
		return;
	}
	mb_res(mb, printf_(mb->b, "%s %.*s SIP/2.0\r\n", method, PL_FMT(*ruri)));
}

void sip_mb_status(struct sip_mb *mb, uint16_t code, const char *reason)
{
	if (mb->err)
		return;
	if (code < 100 || code > 699) {
		mb->err = -EINVAL;
		return;
	}
	mb_res(mb, printf_(mb->b, "SIP/2.0 %u %s\r\n", code,
			   reason ? reason : sip_reason_phrase(code)));
}

void sip_mb_hdr_raw(struct sip_mb *mb, const struct pl *name, const struct pl *val)
{
	if (mb->err)
		return;
	if (!name || !name->l || !val || !value_safe(val) || !value_safe(name) ||
	    pl_chr(name, ':')) {
		mb->err = -EINVAL;
		return;
	}
	mb_res(mb, put3(mb->b, "", name, ": "));
	if (!mb->err)
		mb_res(mb, put3(mb->b, "", val, "\r\n"));
}

void sip_mb_hdr(struct sip_mb *mb, enum sip_hdr_id id, const struct pl *val)
{
	struct pl name = pl_str(sip_hdr_name(id));

	if (!name.p) {
		mb_res(mb, -EINVAL);
		return;
	}
	sip_mb_hdr_raw(mb, &name, val);
}

void sip_mb_hdrf(struct sip_mb *mb, enum sip_hdr_id id, const char *fmt, ...)
{
	struct buf tmp = { .data = NULL };
	struct pl v;
	va_list ap;
	int r;

	if (mb->err)
		return;
	va_start(ap, fmt);
	r = vprintf_(&tmp, fmt, ap);
	va_end(ap);
	if (r < 0) {
		mb->err = r;
	} else {
		v = pl_make((const char *)tmp.data, tmp.len);
		sip_mb_hdr(mb, id, &v);
	}
	free(tmp.data);
}

void sip_mb_printf(struct sip_mb *mb, const char *fmt, ...)
{
	va_list ap;

	if (mb->err)
		return;
	va_start(ap, fmt);
	mb_res(mb, vprintf_(mb->b, fmt, ap));
	va_end(ap);
}

void sip_mb_via(struct sip_mb *mb, const struct sip_via *v)
{
	if (mb->err)
		return;
	mb_res(mb, puts_(mb->b, "Via: "));
	if (!mb->err)
		mb_res(mb, sip_via_print(mb->b, v));
	if (!mb->err)
		mb_res(mb, put(mb->b, "\r\n", 2));
}

void sip_mb_addr(struct sip_mb *mb, enum sip_hdr_id id, const struct sip_addr *a)
{
	const char *name = sip_hdr_name(id);

	if (mb->err)
		return;
	if (!name) {
		mb->err = -EINVAL;
		return;
	}
	mb_res(mb, printf_(mb->b, "%s: ", name));
	if (!mb->err)
		mb_res(mb, sip_addr_print(mb->b, a));
	if (!mb->err)
		mb_res(mb, put(mb->b, "\r\n", 2));
}

int sip_mb_finish(struct sip_mb *mb, const char *ctype, const void *body, size_t len)
{
	if (mb->err)
		return mb->err;
	if (ctype)
		mb_res(mb, printf_(mb->b, "Content-Type: %s\r\n", ctype));
	if (!mb->err)
		mb_res(mb, printf_(mb->b, "Content-Length: %zu\r\n\r\n", len));
	if (!mb->err && len)
		mb_res(mb, put(mb->b, body, len));
	if (!mb->err && mb->b->len > SIP_MSG_MAX)
		mb->err = -EMSGSIZE;
	return mb->err;
}

void sip_mb_reply(struct sip_mb *mb, const struct sip_msg *req, uint16_t code,
		  const char *reason, const char *to_tag)
{
	const struct sip_hdr *h;
	unsigned i;

	if (!mb->err && (!req || !sip_msg_can_reply(req)))
		mb->err = -EINVAL;
	if (mb->err)
		return;
	sip_mb_status(mb, code, reason);
	for (i = 0; i < req->nvia && !mb->err; i++)
		sip_mb_via(mb, &req->via[i]);
	h = sip_msg_hdr(req, SIP_HDR_FROM, 0);
	if (h && !mb->err) {
		mb_res(mb, puts_(mb->b, "From: "));
		mb_res(mb, put_unfolded(mb->b, &h->val));
		mb_res(mb, puts_(mb->b, "\r\n"));
	}
	h = sip_msg_hdr(req, SIP_HDR_TO, 0);
	if (h && !mb->err) {
		mb_res(mb, puts_(mb->b, "To: "));
		mb_res(mb, put_unfolded(mb->b, &h->val));
		if (!req->to.tag.p && to_tag && code > 100)
			mb_res(mb, printf_(mb->b, ";tag=%s", to_tag));
		mb_res(mb, puts_(mb->b, "\r\n"));
	}
	if (mb->err)
		return;
	mb_res(mb, printf_(mb->b, "Call-ID: %.*s\r\nCSeq: %u %.*s\r\n", PL_FMT(req->callid),
			   req->cseq.num, PL_FMT(req->cseq.method)));
	h = sip_msg_hdr(req, SIP_HDR_TIMESTAMP, 0);
	if (code == 100 && h && !mb->err) {
		mb_res(mb, puts_(mb->b, "Timestamp: "));
		mb_res(mb, put_unfolded(mb->b, &h->val));
		mb_res(mb, puts_(mb->b, "\r\n"));
	}
}

void sip_mb_copy_unknown(struct sip_mb *mb, const struct sip_msg *m)
{
	unsigned i;

	for (i = 0; i < m->nhdr && !mb->err; i++) {
		if (m->hdr[i].id != SIP_HDR_OTHER)
			continue;
		mb_res(mb, put3(mb->b, "", &m->hdr[i].name, ": "));
		mb_res(mb, put_unfolded(mb->b, &m->hdr[i].val));
		mb_res(mb, puts_(mb->b, "\r\n"));
	}
}

int sip_reply_verdict(struct buf *out, const struct sip_msg *req,
		      const struct sip_verdict *v, const char *to_tag)
{
	struct sip_mb mb;
	unsigned i;

	if (!v || !v->code)
		return -EINVAL;
	sip_mb_init(&mb, out);
	sip_mb_reply(&mb, req, v->code, v->reason, to_tag);
	if (v->code == 420 && v->nunsupported) {
		sip_mb_printf(&mb, "Unsupported: ");
		for (i = 0; i < v->nunsupported; i++)
			sip_mb_printf(&mb, "%s%.*s", i ? ", " : "", PL_FMT(v->unsupported[i]));
		sip_mb_printf(&mb, "\r\n");
	}
	return sip_mb_finish(&mb, NULL, NULL, 0);
}

/* ---- canonical re-printing ------------------------------------------------ */

static int print_hdr(struct buf *b, const struct sip_msg *m, const struct sip_hdr *h,
		     unsigned *via_idx)
{
	const char *name = sip_hdr_name(h->id);
	struct pl rest, v;
	struct sip_addr a;
	int r = 0;

	switch (h->id) {
	case SIP_HDR_CONTENT_LENGTH:
		return 0;
	case SIP_HDR_VIA:
		rest = h->val;
		while (r == 0 && sip_list_next(&rest, &v) && *via_idx < m->nvia) {
			r = puts_(b, "Via: ");
			if (r == 0)
				r = sip_via_print(b, &m->via[(*via_idx)++]);
			if (r == 0)
				r = puts_(b, "\r\n");
		}
		return r;
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
	case SIP_HDR_CONTACT:
		if (h->id == SIP_HDR_CONTACT && pl_eq_str(&h->val, "*"))
			break;
		rest = h->val;
		while (r == 0 && sip_list_next(&rest, &v)) {
			if (sip_addr_parse(&a, &v) < 0)
				return -EBADMSG;
			r = printf_(b, "%s: ", name);
			if (r == 0)
				r = sip_addr_print(b, &a);
			if (r == 0)
				r = puts_(b, "\r\n");
		}
		return r;
	case SIP_HDR_CSEQ:
		return printf_(b, "CSeq: %u %.*s\r\n", m->cseq.num, PL_FMT(m->cseq.method));
	case SIP_HDR_MAX_FORWARDS:
		return printf_(b, "Max-Forwards: %d\r\n", m->max_forwards);
	default:
		break;
	}
	r = printf_(b, "%.*s: ", PL_FMT(name ? pl_str(name) : h->name));
	if (r == 0)
		r = put_unfolded(b, &h->val);
	if (r == 0)
		r = puts_(b, "\r\n");
	return r;
}

int sip_msg_print(struct buf *b, const struct sip_msg *m)
{
	unsigned i, via_idx = 0;
	int r;

	if (m->req) {
		r = printf_(b, "%.*s %.*s SIP/2.0\r\n", PL_FMT(m->method), PL_FMT(m->ruri.str));
	} else {
		r = printf_(b, "SIP/2.0 %u ", m->scode);
		if (r == 0)
			r = put3(b, "", &m->reason, "\r\n");
	}
	for (i = 0; r == 0 && i < m->nhdr; i++)
		r = print_hdr(b, m, &m->hdr[i], &via_idx);
	if (r == 0)
		r = printf_(b, "Content-Length: %zu\r\n\r\n", m->body.l);
	if (r == 0)
		r = putpl(b, &m->body);
	return r;
}

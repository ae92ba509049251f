/* sip_msg.c: SIP message framing, decoding and UAS validation.
 *
 * DESIGN
 * The SIP message layer is a set of pure functions with no threads, no I/O and
 * no global state (beyond constant tables). sip_msg_decode() works in three
 * phases on one buffer: (1) split the start line and the header lines (line
 * folding kept in the value slices), stopping at the limits; (2) interpret the
 * headers the stack needs (Via, From, To, Call-ID, CSeq, Max-Forwards,
 * Content-Length, Content-Type, Contact, Route, Expires) into struct fields;
 * (3) frame the body by Content-Length according to the transport (RFC 3261
 * 18.3). The first problem found is recorded as the response a UAS sends
 * (err_code/err_reason), while parsing goes on as far as it safely can so
 * that a 400/505/513 can still be built from the Via/From/To/Call-ID/CSeq.
 * Ownership: a decoded struct points into the caller's bytes; sip_msg_new()
 * objects own a private copy and are reference counted (sip_msg_ref/unref),
 * so transactions on the main loop can keep a request alive.
 * Element parsers live in sip_uri.c, printers and the builder in sip_print.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_int.h"
#include "sip/sip_msg.h"

static const struct {
	const char *name;
	char compact;
} hdr_names[SIP_HDR_MAX] = {
	[SIP_HDR_VIA] = { "Via", 'v' },
	[SIP_HDR_FROM] = { "From", 'f' },
	[SIP_HDR_TO] = { "To", 't' },
	[SIP_HDR_CALL_ID] = { "Call-ID", 'i' },
	[SIP_HDR_CSEQ] = { "CSeq", 0 },
	[SIP_HDR_MAX_FORWARDS] = { "Max-Forwards", 0 },
	[SIP_HDR_CONTENT_LENGTH] = { "Content-Length", 'l' },
	[SIP_HDR_CONTENT_TYPE] = { "Content-Type", 'c' },
	[SIP_HDR_CONTENT_ENCODING] = { "Content-Encoding", 'e' },
	[SIP_HDR_CONTACT] = { "Contact", 'm' },
	[SIP_HDR_ROUTE] = { "Route", 0 },
	[SIP_HDR_RECORD_ROUTE] = { "Record-Route", 0 },
	[SIP_HDR_AUTHORIZATION] = { "Authorization", 0 },
	[SIP_HDR_PROXY_AUTHORIZATION] = { "Proxy-Authorization", 0 },
	[SIP_HDR_WWW_AUTHENTICATE] = { "WWW-Authenticate", 0 },
	[SIP_HDR_PROXY_AUTHENTICATE] = { "Proxy-Authenticate", 0 },
	[SIP_HDR_EXPIRES] = { "Expires", 0 },
	[SIP_HDR_MIN_EXPIRES] = { "Min-Expires", 0 },
	[SIP_HDR_MIN_SE] = { "Min-SE", 0 },
	[SIP_HDR_SESSION_EXPIRES] = { "Session-Expires", 'x' },
	[SIP_HDR_SUPPORTED] = { "Supported", 'k' },
	[SIP_HDR_REQUIRE] = { "Require", 0 },
	[SIP_HDR_PROXY_REQUIRE] = { "Proxy-Require", 0 },
	[SIP_HDR_UNSUPPORTED] = { "Unsupported", 0 },
	[SIP_HDR_ALLOW] = { "Allow", 0 },
	[SIP_HDR_ACCEPT] = { "Accept", 0 },
	[SIP_HDR_SUBJECT] = { "Subject", 's' },
	[SIP_HDR_EVENT] = { "Event", 'o' },
	[SIP_HDR_ALLOW_EVENTS] = { "Allow-Events", 'u' },
	[SIP_HDR_REFER_TO] = { "Refer-To", 'r' },
	[SIP_HDR_REFERRED_BY] = { "Referred-By", 'b' },
	[SIP_HDR_USER_AGENT] = { "User-Agent", 0 },
	[SIP_HDR_SERVER] = { "Server", 0 },
	[SIP_HDR_DATE] = { "Date", 0 },
	[SIP_HDR_TIMESTAMP] = { "Timestamp", 0 },
	[SIP_HDR_RETRY_AFTER] = { "Retry-After", 0 },
	[SIP_HDR_WARNING] = { "Warning", 0 },
	[SIP_HDR_RSEQ] = { "RSeq", 0 },
	[SIP_HDR_RACK] = { "RAck", 0 },
	[SIP_HDR_ACCEPT_CONTACT] = { "Accept-Contact", 'a' },
	[SIP_HDR_REJECT_CONTACT] = { "Reject-Contact", 'j' },
	[SIP_HDR_REQUEST_DISPOSITION] = { "Request-Disposition", 'd' },
	[SIP_HDR_IDENTITY] = { "Identity", 'y' },
	[SIP_HDR_IDENTITY_INFO] = { "Identity-Info", 'n' },
	[SIP_HDR_REASON] = { "Reason", 0 },
};

static const char *const method_names[SIP_METHOD_MAX] = {
	[SIP_METHOD_INVITE] = "INVITE",	    [SIP_METHOD_ACK] = "ACK",
	[SIP_METHOD_BYE] = "BYE",	    [SIP_METHOD_CANCEL] = "CANCEL",
	[SIP_METHOD_OPTIONS] = "OPTIONS",   [SIP_METHOD_REGISTER] = "REGISTER",
	[SIP_METHOD_PRACK] = "PRACK",	    [SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_METHOD_NOTIFY] = "NOTIFY",	    [SIP_METHOD_PUBLISH] = "PUBLISH",
	[SIP_METHOD_INFO] = "INFO",	    [SIP_METHOD_REFER] = "REFER",
	[SIP_METHOD_MESSAGE] = "MESSAGE",   [SIP_METHOD_UPDATE] = "UPDATE",
};

enum sip_hdr_id sip_hdr_lookup(const struct pl *name)
{
	int i;

	if (!name->p || !name->l)
		return SIP_HDR_OTHER;
	for (i = 1; i < SIP_HDR_MAX; i++) {
		if (name->l == 1) {
			char c = name->p[0] | 0x20;

			if (hdr_names[i].compact && hdr_names[i].compact == c)
				return (enum sip_hdr_id)i;
		} else if (pl_case_eq_str(name, hdr_names[i].name)) {
			return (enum sip_hdr_id)i;
		}
	}
	return SIP_HDR_OTHER;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	return id > SIP_HDR_OTHER && id < SIP_HDR_MAX ? hdr_names[id].name : NULL;
}

enum sip_method sip_method_lookup(const struct pl *name)
{
	int i;

	/* methods are case-sensitive (RFC 3261 7.1) */
	for (i = 1; i < SIP_METHOD_MAX; i++)
		if (pl_eq_str(name, method_names[i]))
			return (enum sip_method)i;
	return SIP_METHOD_OTHER;
}

const char *sip_method_name(enum sip_method m)
{
	return m > SIP_METHOD_OTHER && m < SIP_METHOD_MAX ? method_names[m] : NULL;
}

const char *sip_reason_phrase(uint16_t code)
{
	switch (code) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 200: return "OK";
	case 202: return "Accepted";
	case 301: return "Moved Permanently";
	case 302: return "Moved Temporarily";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 413: return "Request Entity Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Unsupported URI Scheme";
	case 420: return "Bad Extension";
	case 421: return "Extension Required";
	case 422: return "Session Interval Too Small";
	case 423: return "Interval Too Brief";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 482: return "Loop Detected";
	case 483: return "Too Many Hops";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 491: return "Request Pending";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 505: return "Version Not Supported";
	case 513: return "Message Too Large";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 606: return "Not Acceptable";
	}
	if (code >= 100 && code < 700)
		return sip_reason_phrase((uint16_t)(code / 100 * 100));
	return "Unknown";
}

/* ---- lists and iteration ------------------------------------------------ */

bool sip_list_next(struct pl *rest, struct pl *ret_val)
{
	const char *p, *end, *start;
	bool angle = false;

	if (!rest->p)
		return false;
	start = p = rest->p;
	end = p + rest->l;
	while (p < end) {
		if (*p == '"') {
			const char *q = sip_quoted_end(p, end);

			p = q ? q : end;
			continue;
		}
		if (*p == '<')
			angle = true;
		else if (*p == '>')
			angle = false;
		else if (*p == ',' && !angle)
			break;
		p++;
	}
	*ret_val = pl_trim(pl_make(start, (size_t)(p - start)));
	if (p < end) {
		rest->p = p + 1;
		rest->l = (size_t)(end - p - 1);
	} else {
		*rest = PL_NULL;
	}
	return true;
}

void sip_hdr_iter_init(struct sip_hdr_iter *it, const struct sip_msg *m, enum sip_hdr_id id)
{
	it->m = m;
	it->id = id;
	it->idx = 0;
	it->rest = PL_NULL;
}

bool sip_hdr_iter_next(struct sip_hdr_iter *it, struct pl *ret_val)
{
	for (;;) {
		if (sip_list_next(&it->rest, ret_val))
			return true;
		while (it->idx < it->m->nhdr && it->m->hdr[it->idx].id != it->id)
			it->idx++;
		if (it->idx >= it->m->nhdr)
			return false;
		it->rest = it->m->hdr[it->idx++].val;
		if (!it->rest.l)
			it->rest = PL_NULL; /* empty header: no values */
	}
}

bool sip_msg_has_tag(const struct sip_msg *m, enum sip_hdr_id id, const char *tag)
{
	struct sip_hdr_iter it;
	struct pl v;

	sip_hdr_iter_init(&it, m, id);
	while (sip_hdr_iter_next(&it, &v))
		if (pl_case_eq_str(&v, tag))
			return true;
	return false;
}

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m, enum sip_hdr_id id, unsigned n)
{
	unsigned i;

	for (i = 0; i < m->nhdr; i++)
		if (m->hdr[i].id == id && n-- == 0)
			return &m->hdr[i];
	return NULL;
}

const struct sip_hdr *sip_msg_hdr_name(const struct sip_msg *m, const char *name)
{
	unsigned i;

	for (i = 0; i < m->nhdr; i++)
		if (pl_case_eq_str(&m->hdr[i].name, name))
			return &m->hdr[i];
	return NULL;
}

/* ---- framing ------------------------------------------------------------- */

size_t sip_keepalive_len(const char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && (buf[n] == '\r' || buf[n] == '\n'))
		n++;
	return n;
}

/* end of the line starting at p: the '\n', or NULL */
static const char *line_end(const char *p, const char *end)
{
	return p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
}

int sip_msg_frame(const char *buf, size_t len, size_t *ret_len)
{
	const char *p, *end, *le, *n, *c, *body = NULL;
	size_t lim = len < SIP_MSG_MAX ? len : SIP_MSG_MAX;
	int64_t clen = -1;

	/* the same line and fold rules as sip_msg_decode(), so that both agree
	 * on where a message ends */
	end = buf + lim;
	le = line_end(buf, end);
	while (le) {
		struct pl name, val;
		uint64_t v;

		p = le + 1;
		if (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))) {
			body = *p == '\n' ? p + 1 : p + 2;
			break;
		}
		if (p < end && (*p == ' ' || *p == '\t'))
			return -EBADMSG; /* continuation without a header */
		le = line_end(p, end);
		while (le && le + 1 < end && (le[1] == ' ' || le[1] == '\t'))
			le = line_end(le + 1, end);
		if (!le)
			break;
		for (n = p; n < le && sc_is(*n, SC_TOKEN); n++)
			;
		for (c = n; c < le && (*c == ' ' || *c == '\t'); c++)
			;
		if (n == p || c >= le || *c != ':')
			return -EBADMSG;
		name = pl_make(p, (size_t)(n - p));
		if (sip_hdr_lookup(&name) != SIP_HDR_CONTENT_LENGTH)
			continue;
		val = pl_trim(pl_make(c + 1, (size_t)(le - c - 1)));
		if (clen >= 0 || pl_u64(&val, UINT32_MAX, &v) < 0)
			return -EBADMSG;
		clen = (int64_t)v;
	}
	if (!body)
		return len >= SIP_MSG_MAX ? -EMSGSIZE : -EAGAIN;
	if (clen < 0)
		return -EBADMSG;
	if ((size_t)(body - buf) + (uint64_t)clen > SIP_MSG_MAX)
		return -EMSGSIZE;
	if ((size_t)(body - buf) + (size_t)clen > len)
		return -EAGAIN;
	*ret_len = (size_t)(body - buf) + (size_t)clen;
	return 0;
}

/* ---- decoding ------------------------------------------------------------ */

static int set_err(struct sip_msg *m, uint16_t code, const char *reason)
{
	if (!m->err_code) {
		m->err_code = code;
		m->err_reason = reason;
	}
	return code == 513 ? -EMSGSIZE : -EBADMSG;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "SIP/" 1*DIGIT "." 1*DIGIT: 1 for SIP/2.0, 0 for another version,
 * -1 when not a version at all */
int sip_version_check(const struct pl *v)
{
	size_t i = 4, d;

	if (v->l < 7 || !(pl_case_eq_str(&(struct pl){ v->p, 4 }, "SIP/")))
		return -1;
	for (d = i; i < v->l && is_digit(v->p[i]); i++)
		;
	if (i == d || i >= v->l || v->p[i] != '.')
		return -1;
	for (d = ++i; i < v->l && is_digit(v->p[i]); i++)
		;
	if (i == d || i != v->l)
		return -1;
	return v->l == 7 && v->p[4] == '2' && v->p[6] == '0';
}

static void start_line(struct sip_msg *m, struct pl line)
{
	const char *p = line.p, *end = p + line.l, *sp, *sp2;
	struct pl t;
	size_t i;
	int v;

	if (line.l >= 4 && pl_case_eq_str(&(struct pl){ p, 4 }, "SIP/")) {
		uint32_t code;

		m->req = false;
		sp = memchr(p, ' ', line.l);
		if (!sp) {
			set_err(m, 400, "Malformed Status Line");
			return;
		}
		m->version = pl_make(p, (size_t)(sp - p));
		t = pl_make(sp + 1, (size_t)(end - sp - 1));
		sp2 = pl_chr(&t, ' ');
		t.l = sp2 ? (size_t)(sp2 - t.p) : t.l;
		if (t.l != 3 || pl_u32(&t, &code) < 0 || code < 100 || code > 699) {
			set_err(m, 400, "Bad Status Code");
			return;
		}
		m->scode = (uint16_t)code;
		m->reason = sp2 ? pl_make(sp2 + 1, (size_t)(end - sp2 - 1)) : pl_make(end, 0);
		if (sip_version_check(&m->version) != 1)
			set_err(m, 400, "Bad SIP Version");
		return;
	}
	m->req = true;
	sp = memchr(p, ' ', line.l);
	if (!sp || sp == p) {
		set_err(m, 400, "Malformed Request Line");
		return;
	}
	m->method = pl_make(p, (size_t)(sp - p));
	for (i = 0; i < m->method.l; i++)
		if (!sc_is(m->method.p[i], SC_TOKEN)) {
			set_err(m, 400, "Malformed Method");
			return;
		}
	m->meth = sip_method_lookup(&m->method);
	sp2 = memchr(sp + 1, ' ', (size_t)(end - sp - 1));
	if (!sp2 || sp2 == sp + 1) {
		set_err(m, 400, "Malformed Request Line");
		return;
	}
	m->version = pl_make(sp2 + 1, (size_t)(end - sp2 - 1));
	v = sip_version_check(&m->version);
	if (v < 0) {
		set_err(m, 400, "Malformed Request Line");
		return;
	}
	t = pl_make(sp + 1, (size_t)(sp2 - sp - 1));
	if (sip_uri_parse(&m->ruri, &t) < 0) {
		memset(&m->ruri, 0, sizeof(m->ruri));
		set_err(m, 400, "Malformed Request-URI");
		return;
	}
	if (v == 0)
		set_err(m, 505, "Version Not Supported");
}

static bool callid_ok(const struct pl *c)
{
	size_t i, at = 0;

	if (!c->l)
		return false;
	for (i = 0; i < c->l; i++) {
		if (c->p[i] == '@') {
			if (at++ || i == 0 || i + 1 == c->l)
				return false;
		} else if (!sc_is(c->p[i], SC_WORD)) {
			return false;
		}
	}
	return true;
}

int sip_ctype_parse(const struct pl *s, struct pl *ret_type, struct pl *ret_subtype,
		    struct pl *ret_params)
{
	const char *p = s->p, *end = pl_end(s), *q;
	struct pl type, sub, params;

	if (!p)
		return -EBADMSG;
	p = sip_skip_ws(p, end);
	for (q = p; q < end && sc_is(*q, SC_TOKEN); q++)
		;
	if (q == p)
		return -EBADMSG;
	type = pl_make(p, (size_t)(q - p));
	p = sip_skip_ws(q, end);
	if (p >= end || *p != '/')
		return -EBADMSG;
	p = sip_skip_ws(p + 1, end);
	for (q = p; q < end && sc_is(*q, SC_TOKEN); q++)
		;
	if (q == p)
		return -EBADMSG;
	sub = pl_make(p, (size_t)(q - p));
	params = pl_trim(pl_make(q, (size_t)(end - q)));
	if (sip_params_check(&params) < 0)
		return -EBADMSG;
	if (ret_type)
		*ret_type = type;
	if (ret_subtype)
		*ret_subtype = sub;
	if (ret_params)
		*ret_params = params.l ? params : PL_NULL;
	return 0;
}

bool sip_ctype_is(const struct pl *s, const char *type, const char *subtype)
{
	struct pl t, st;

	return sip_ctype_parse(s, &t, &st, NULL) == 0 && pl_case_eq_str(&t, type) &&
	       pl_case_eq_str(&st, subtype);
}

int sip_sess_expires_parse(const struct pl *s, uint32_t *ret_delta, struct pl *ret_refresher)
{
	struct pl t = pl_trim(*s), num, params, v;
	const char *semi = pl_chr(&t, ';');

	num = pl_trim(pl_make(t.p, semi ? (size_t)(semi - t.p) : t.l));
	params = semi ? pl_make(semi, (size_t)(t.p + t.l - semi)) : PL_NULL;
	if (!t.p || pl_u32(&num, ret_delta) < 0 || sip_params_check(&params) < 0)
		return -EBADMSG;
	if (ret_refresher)
		*ret_refresher = sip_param_get(&params, "refresher", &v) == 0 ? v : PL_NULL;
	return 0;
}

static bool ctype_ok(const struct pl *v)
{
	return sip_ctype_parse(v, NULL, NULL, NULL) == 0;
}

static int once(struct sip_msg *m, enum sip_hdr_id id, const char *reason)
{
	return sip_msg_has(m, id) ? set_err(m, 400, reason) : 0;
}

static void interpret(struct sip_msg *m, struct sip_hdr *h)
{
	struct pl v, rest;
	uint64_t n;
	int r;

	switch (h->id) {
	case SIP_HDR_VIA:
		rest = h->val;
		if (!rest.l) {
			set_err(m, 400, "Malformed Via");
			break;
		}
		while (sip_list_next(&rest, &v)) {
			if (m->nvia == SIP_MAX_VIA) {
				set_err(m, 513, "Too Many Via Values");
				break;
			}
			if (sip_via_parse(&m->via[m->nvia], &v) < 0) {
				memset(&m->via[m->nvia], 0, sizeof(m->via[0]));
				set_err(m, 400, "Malformed Via");
				break;
			}
			m->nvia++;
		}
		break;
	case SIP_HDR_FROM:
	case SIP_HDR_TO: {
		struct sip_addr *a = h->id == SIP_HDR_FROM ? &m->from : &m->to;

		if (once(m, h->id, h->id == SIP_HDR_FROM ? "Multiple From" : "Multiple To") < 0)
			break;
		if (sip_addr_parse(a, &h->val) < 0) {
			memset(a, 0, sizeof(*a));
			set_err(m, 400, h->id == SIP_HDR_FROM ? "Malformed From" : "Malformed To");
		}
		break;
	}
	case SIP_HDR_CALL_ID:
		if (once(m, h->id, "Multiple Call-ID") < 0)
			break;
		if (!callid_ok(&h->val)) {
			set_err(m, 400, "Malformed Call-ID");
			break;
		}
		m->callid = h->val;
		break;
	case SIP_HDR_CSEQ:
		if (once(m, h->id, "Multiple CSeq") < 0)
			break;
		if (sip_cseq_parse(&m->cseq, &h->val) < 0) {
			memset(&m->cseq, 0, sizeof(m->cseq));
			set_err(m, 400, "Malformed CSeq");
		}
		break;
	case SIP_HDR_MAX_FORWARDS:
		if (once(m, h->id, "Multiple Max-Forwards") < 0)
			break;
		if (pl_u64(&h->val, 255, &n) < 0)
			set_err(m, 400, "Bad Max-Forwards");
		else
			m->max_forwards = (int)n;
		break;
	case SIP_HDR_CONTENT_LENGTH:
		if (sip_msg_has(m, h->id)) {
			m->clen = -2;
			set_err(m, 400, "Multiple Content-Length");
			break;
		}
		if (pl_u64(&h->val, UINT32_MAX, &n) < 0) {
			m->clen = -2;
			set_err(m, 400, "Bad Content-Length");
		} else {
			m->clen = (int64_t)n;
		}
		break;
	case SIP_HDR_CONTENT_TYPE:
		if (once(m, h->id, "Multiple Content-Type") < 0)
			break;
		if (!ctype_ok(&h->val))
			set_err(m, 400, "Malformed Content-Type");
		else
			m->ctype = h->val;
		break;
	case SIP_HDR_CONTACT:
		if (pl_eq_str(&h->val, "*")) {
			if (sip_msg_has(m, h->id))
				set_err(m, 400, "Malformed Contact");
			m->contact_star = true;
			break;
		}
		rest = h->val;
		if (!rest.l || m->contact_star) {
			set_err(m, 400, "Malformed Contact");
			break;
		}
		while (sip_list_next(&rest, &v)) {
			struct sip_addr a;

			if (sip_addr_parse(&a, &v) < 0) {
				set_err(m, 400, "Malformed Contact");
				break;
			}
			if (!m->ncontact++)
				m->contact = a;
		}
		break;
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
		rest = h->val;
		while (sip_list_next(&rest, &v)) {
			struct sip_addr a;

			r = sip_addr_parse(&a, &v);
			if (r < 0 || !a.angle) {
				set_err(m, 400, "Malformed Route");
				break;
			}
		}
		break;
	case SIP_HDR_EXPIRES:
		if (once(m, h->id, "Multiple Expires") < 0)
			break;
		r = pl_u64(&h->val, UINT32_MAX, &n);
		if (r == -ERANGE)
			m->expires = 3600; /* RFC 4475 3.1.2.4: treat as the default */
		else if (r < 0)
			set_err(m, 400, "Bad Expires");
		else
			m->expires = (int64_t)n;
		break;
	default:
		break;
	}
	m->have |= (uint64_t)1 << h->id;
}

/* phase 1: split header lines; returns the start of the body or NULL */
static const char *split_headers(struct sip_msg *m, const char *p, const char *end,
				 const char *lim)
{
	const char *le, *ve, *c, *n;

	for (;;) {
		le = line_end(p, lim);
		if (!le) {
			set_err(m, lim < end ? 513 : 400,
				lim < end ? "Message Too Large" : "Incomplete Header Section");
			return NULL;
		}
		if (le == p || (le == p + 1 && *p == '\r'))
			return le + 1; /* empty line */
		if (*p == ' ' || *p == '\t') {
			set_err(m, 400, "Malformed Header");
			return NULL;
		}
		/* fold continuation lines into the value */
		while (le + 1 < lim && (le[1] == ' ' || le[1] == '\t')) {
			le = line_end(le + 1, lim);
			if (!le) {
				set_err(m, lim < end ? 513 : 400, lim < end ? "Message Too Large"
								    : "Incomplete Header Section");
				return NULL;
			}
		}
		if ((size_t)(le - p) > SIP_MAX_HDR_LEN) {
			set_err(m, 513, "Header Too Long");
			return NULL;
		}
		if (m->nhdr == SIP_MAX_HDRS) {
			set_err(m, 513, "Too Many Headers");
			return NULL;
		}
		for (n = p; n < le && sc_is(*n, SC_TOKEN); n++)
			;
		c = n;
		while (c < le && (*c == ' ' || *c == '\t'))
			c++;
		if (n == p || c >= le || *c != ':') {
			set_err(m, 400, "Malformed Header");
			return NULL;
		}
		ve = le;
		m->hdr[m->nhdr].name = pl_make(p, (size_t)(n - p));
		m->hdr[m->nhdr].val = pl_trim(pl_make(c + 1, (size_t)(ve - c - 1)));
		m->hdr[m->nhdr].id = sip_hdr_lookup(&m->hdr[m->nhdr].name);
		m->nhdr++;
		p = le + 1;
	}
}

int sip_msg_decode(struct sip_msg *m, const char *buf, size_t len, unsigned flags)
{
	const char *p, *end, *lim, *le, *body;
	size_t skip, avail, hl;
	struct pl line;
	unsigned i;

	memset(m, 0, sizeof(*m));
	m->max_forwards = -1;
	m->clen = -1;
	m->expires = -1;
	if (!buf)
		return -EINVAL;
	skip = sip_keepalive_len(buf, len);
	p = buf + skip;
	end = buf + len;
	lim = len - skip > SIP_MSG_MAX ? p + SIP_MSG_MAX : end;
	le = line_end(p, lim);
	if (!le || le == p)
		return -EPROTO;
	line = pl_make(p, (size_t)(le - p));
	if (line.l && line.p[line.l - 1] == '\r')
		line.l--;
	m->buf = p;
	m->len = (size_t)(end - p);
	start_line(m, line);
	body = split_headers(m, le + 1, end, lim);
	for (i = 0; i < m->nhdr; i++)
		interpret(m, &m->hdr[i]);
	if (!body)
		return m->err_code == 513 ? -EMSGSIZE : -EBADMSG;

	hl = (size_t)(body - p);
	avail = (size_t)(end - body);
	if (m->clen >= 0) {
		if ((uint64_t)m->clen > avail) {
			set_err(m, 400, (flags & SIP_DECODE_STREAM) ? "Incomplete Body"
								    : "Content-Length Too Large");
			m->body = pl_make(body, avail);
		} else {
			m->body = pl_make(body, (size_t)m->clen);
		}
	} else {
		if (m->clen == -1 && (flags & SIP_DECODE_STREAM))
			set_err(m, 400, "Missing Content-Length");
		m->body = pl_make(body, avail);
	}
	m->len = hl + m->body.l;
	if (m->len > SIP_MSG_MAX)
		set_err(m, 513, "Message Too Large");
	if (m->err_code)
		return m->err_code == 513 ? -EMSGSIZE : -EBADMSG;
	return 0;
}

bool sip_msg_can_reply(const struct sip_msg *m)
{
	return m->req && m->nvia > 0 && m->from.str.p && m->to.str.p && m->callid.p &&
	       m->cseq.method.p;
}

struct sip_msg *sip_msg_ref(struct sip_msg *m)
{
	if (m)
		refcnt_inc(&m->ref);
	return m;
}

struct sip_msg *sip_msg_unref(struct sip_msg *m)
{
	if (m && refcnt_dec(&m->ref))
		free(m);
	return NULL;
}

int sip_msg_new(struct sip_msg **ret, const void *data, size_t len, unsigned flags)
{
	struct sip_msg *m;
	char *copy;
	int r;

	if (!ret || (!data && len))
		return -EINVAL;
	*ret = NULL;
	if (len > 4 * SIP_MSG_MAX)
		len = 4 * SIP_MSG_MAX; /* enough to answer 513 from the headers */
	m = malloc(sizeof(*m) + len + 1);
	if (!m)
		return -ENOMEM;
	copy = (char *)(m + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	r = sip_msg_decode(m, copy, len, flags);
	refcnt_init(&m->ref);
	if (r < 0 && !(r != -EPROTO && sip_msg_can_reply(m))) {
		free(m);
		return r;
	}
	*ret = m;
	return r;
}

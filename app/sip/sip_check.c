/* sip_check.c: the checks a UAS makes on a decoded request before acting on
 * it (RFC 3261 8.2): the response code to send, and the Unsupported list. */
#include <string.h>

#include "sip/sip_int.h"
#include "sip/sip_msg.h"

/* ---- UAS checks ------------------------------------------------------------ */

static int verdict(struct sip_verdict *v, uint16_t code, const char *reason)
{
	v->code = code;
	v->reason = reason ? reason : sip_reason_phrase(code);
	return code;
}

static bool in_list(const char *const *list, const struct pl *s)
{
	for (; list && *list; list++)
		if (pl_case_eq_str(s, *list))
			return true;
	return false;
}

static void unsupported(const struct sip_msg *m, enum sip_hdr_id id,
			const struct sip_check_cfg *cfg, struct sip_verdict *v)
{
	struct sip_hdr_iter it;
	struct pl tag;

	sip_hdr_iter_init(&it, m, id);
	while (sip_hdr_iter_next(&it, &tag)) {
		if (!tag.l || in_list(cfg->supported, &tag))
			continue;
		if (v->nunsupported < SIP_MAX_UNSUPPORTED)
			v->unsupported[v->nunsupported++] = tag;
	}
}

/* the body's Content-Type is one of "type/subtype" in list */
static bool type_listed(const char *const *list, const struct pl *ctype)
{
	struct pl t, st;

	if (sip_ctype_parse(ctype, &t, &st, NULL) < 0)
		return false;
	for (; *list; list++) {
		const char *slash = strchr(*list, '/');
		struct pl lt, ls;

		if (!slash)
			continue;
		lt = pl_make(*list, (size_t)(slash - *list));
		ls = pl_str(slash + 1);
		if (pl_case_eq(&t, &lt) && pl_case_eq(&st, &ls))
			return true;
	}
	return false;
}

static bool content_encoded(const struct sip_msg *m)
{
	struct sip_hdr_iter it;
	struct pl v;

	sip_hdr_iter_init(&it, m, SIP_HDR_CONTENT_ENCODING);
	while (sip_hdr_iter_next(&it, &v))
		if (v.l && !pl_case_eq_str(&v, "identity"))
			return true;
	return false;
}

/* Accept lists type, type/any or any/any (wildcards) */
static bool accepts(const struct sip_msg *m, const char *type)
{
	const char *slash = strchr(type, '/');
	struct sip_hdr_iter it;
	struct pl v, t, st, want_t, want_st;

	if (!slash)
		return true;
	want_t = pl_make(type, (size_t)(slash - type));
	want_st = pl_str(slash + 1);
	sip_hdr_iter_init(&it, m, SIP_HDR_ACCEPT);
	while (sip_hdr_iter_next(&it, &v)) {
		if (sip_ctype_parse(&v, &t, &st, NULL) < 0)
			continue;
		if ((pl_eq_str(&t, "*") || pl_case_eq(&t, &want_t)) &&
		    (pl_eq_str(&st, "*") || pl_case_eq(&st, &want_st)))
			return true;
	}
	return false;
}

int sip_msg_check(const struct sip_msg *m, const struct sip_check_cfg *cfg,
		  struct sip_verdict *v)
{
	static const char *const def_schemes[] = { "sip", "sips", NULL };
	static const struct sip_check_cfg def_cfg;

	memset(v, 0, sizeof(*v));
	if (!cfg)
		cfg = &def_cfg;
	if (m->err_code)
		return verdict(v, m->req ? m->err_code : 0, m->req ? m->err_reason : NULL);
	if (!m->req)
		return 0;
	if (m->len > SIP_MSG_MAX)
		return verdict(v, 513, NULL);
	if (sip_version_check(&m->version) != 1)
		return verdict(v, 505, NULL);
	if (!m->nvia || !m->from.str.p || !m->to.str.p || !m->callid.p || !m->cseq.method.p)
		return verdict(v, 400, "Missing Required Header");
	if (!pl_eq(&m->cseq.method, &m->method))
		return m->meth == SIP_METHOD_OTHER ? verdict(v, 501, NULL)
						   : verdict(v, 400, "CSeq Method Mismatch");
	if (!in_list(cfg->schemes ? cfg->schemes : def_schemes, &m->ruri.scheme))
		return verdict(v, 416, NULL);
	if (m->ruri.headers.p)
		return verdict(v, 400, "Headers Not Allowed In Request-URI");
	if (m->max_forwards == 0 && m->meth != SIP_METHOD_OPTIONS)
		return verdict(v, 483, NULL);
	if (m->meth == SIP_METHOD_REGISTER && m->to.uri.scheme_id != SIP_SCHEME_SIP &&
	    m->to.uri.scheme_id != SIP_SCHEME_SIPS)
		return verdict(v, 400, "Bad Address-of-Record");
	if (cfg->methods && !in_list(cfg->methods, &m->method))
		return verdict(v, m->meth == SIP_METHOD_OTHER ? 501 : 405, NULL);
	if (m->meth != SIP_METHOD_ACK && m->meth != SIP_METHOD_CANCEL) {
		unsupported(m, SIP_HDR_REQUIRE, cfg, v);
		if (cfg->proxy)
			unsupported(m, SIP_HDR_PROXY_REQUIRE, cfg, v);
		if (v->nunsupported)
			return verdict(v, 420, NULL);
	}
	if (cfg->accept_types && m->body.l && !type_listed(cfg->accept_types, &m->ctype))
		return verdict(v, 415, NULL);
	if (cfg->accept_types && m->body.l && content_encoded(m))
		return verdict(v, 415, "Unsupported Content-Encoding");
	if (cfg->answer_type && (m->meth == SIP_METHOD_INVITE || m->meth == SIP_METHOD_UPDATE) &&
	    sip_msg_has(m, SIP_HDR_ACCEPT) && !accepts(m, cfg->answer_type))
		return verdict(v, 406, NULL);
	return 0;
}

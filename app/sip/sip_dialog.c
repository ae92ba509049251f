/* sip_dialog.c: dialog state and in-dialog request building (RFC 3261 12). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_dialog.h"

static char *pl_dup(const struct pl *p)
{
	char *s;

	if (!p->p)
		return NULL;
	s = malloc(p->l + 1);
	if (s) {
		memcpy(s, p->p, p->l);
		s[p->l] = 0;
	}
	return s;
}

/* name-addr without header params: ["dname"] <uri> */
static char *addr_dup(const struct sip_addr *a)
{
	size_t n = a->dname.l + a->uri.str.l + 8;
	char *s = malloc(n);

	if (!s)
		return NULL;
	if (a->dname.l)
		snprintf(s, n, "\"%.*s\" <%.*s>", PL_FMT(a->dname), PL_FMT(a->uri.str));
	else
		snprintf(s, n, "<%.*s>", PL_FMT(a->uri.str));
	return s;
}

static void routes_clear(struct sip_dialog *d)
{
	for (unsigned i = 0; i < d->nroutes; i++)
		free(d->routes[i]);
	d->nroutes = 0;
}

/* Record-Route values of m, reversed for a UAC */
static int routes_set(struct sip_dialog *d, const struct sip_msg *m, bool reverse)
{
	struct sip_hdr_iter it;
	struct pl v;
	char *tmp[SIP_DLG_MAX_ROUTES];
	unsigned n = 0;

	sip_hdr_iter_init(&it, m, SIP_HDR_RECORD_ROUTE);
	while (sip_hdr_iter_next(&it, &v)) {
		if (!v.l)
			continue;
		if (n == SIP_DLG_MAX_ROUTES) {
			while (n)
				free(tmp[--n]);
			return -E2BIG;
		}
		tmp[n] = pl_dup(&v);
		if (!tmp[n]) {
			while (n)
				free(tmp[--n]);
			return -ENOMEM;
		}
		n++;
	}
	routes_clear(d);
	for (unsigned i = 0; i < n; i++)
		d->routes[i] = tmp[reverse ? n - 1 - i : i];
	d->nroutes = n;
	return 0;
}

static int set_str(char **dst, char *s)
{
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int sip_dialog_update_target(struct sip_dialog *d, const struct sip_msg *m)
{
	if (!m->ncontact || !m->contact.uri.str.l)
		return 0;
	return set_str(&d->rtarget, pl_dup(&m->contact.uri.str));
}

int sip_dialog_init_uac(struct sip_dialog *d, const struct sip_msg *req,
			const struct sip_msg *rsp)
{
	int r = 0;

	memset(d, 0, sizeof(*d));
	d->callid = pl_dup(&req->callid);
	d->ltag = pl_dup(&req->from.tag);
	d->rtag = pl_dup(&rsp->to.tag);
	d->luri = addr_dup(&req->from);
	d->ruri = addr_dup(&req->to);
	d->rtarget = pl_dup(&req->ruri.str);
	if (!d->callid || !d->ltag || !d->rtag || !d->luri || !d->ruri || !d->rtarget)
		r = -ENOMEM;
	if (r == 0)
		r = sip_dialog_update_target(d, rsp);
	if (r == 0)
		r = routes_set(d, rsp, true);
	d->lseq = req->cseq.num;
	d->confirmed = rsp->scode >= 200;
	if (r < 0)
		sip_dialog_clear(d);
	return r;
}

int sip_dialog_confirm_uac(struct sip_dialog *d, const struct sip_msg *rsp)
{
	int r = set_str(&d->rtag, pl_dup(&rsp->to.tag));

	if (r == 0)
		r = sip_dialog_update_target(d, rsp);
	if (r == 0)
		r = routes_set(d, rsp, true);
	if (r == 0)
		d->confirmed = true;
	return r;
}

int sip_dialog_init_uas(struct sip_dialog *d, const struct sip_msg *req, const char *ltag)
{
	int r = 0;

	memset(d, 0, sizeof(*d));
	d->callid = pl_dup(&req->callid);
	d->ltag = strdup(ltag);
	d->rtag = req->from.tag.p ? pl_dup(&req->from.tag) : strdup("");
	d->luri = addr_dup(&req->to);
	d->ruri = addr_dup(&req->from);
	d->rtarget = req->ncontact ? pl_dup(&req->contact.uri.str) : addr_dup(&req->from);
	if (!d->callid || !d->ltag || !d->rtag || !d->luri || !d->ruri || !d->rtarget)
		r = -ENOMEM;
	if (r == 0)
		r = routes_set(d, req, false);
	d->rseq = req->cseq.num;
	d->rseq_set = true;
	d->lseq = 1 + (uint32_t)(req->cseq.num % 1000);
	if (r < 0)
		sip_dialog_clear(d);
	return r;
}

void sip_dialog_clear(struct sip_dialog *d)
{
	free(d->callid);
	free(d->ltag);
	free(d->rtag);
	free(d->luri);
	free(d->ruri);
	free(d->rtarget);
	routes_clear(d);
	memset(d, 0, sizeof(*d));
}

bool sip_dialog_match_req(const struct sip_dialog *d, const struct sip_msg *req)
{
	return d->callid && pl_eq_str(&req->callid, d->callid) &&
	       pl_eq_str(&req->to.tag, d->ltag) &&
	       (!d->rtag || (req->from.tag.p ? pl_eq_str(&req->from.tag, d->rtag) :
					      !d->rtag[0]));
}

int sip_dialog_rseq(struct sip_dialog *d, const struct sip_msg *req)
{
	if (d->rseq_set && req->cseq.num <= d->rseq)
		return -EPROTO;
	d->rseq = req->cseq.num;
	d->rseq_set = true;
	return 0;
}

/* the URI inside a route value "<uri;lr>;params" */
static int route_uri(const char *route, struct sip_addr *ret)
{
	struct pl s = pl_str(route);

	return sip_addr_parse(ret, &s);
}

static bool strict_first(const struct sip_dialog *d)
{
	struct sip_addr a;

	return d->nroutes && route_uri(d->routes[0], &a) == 0 &&
	       !sip_param_exists(&a.uri.params, "lr");
}

int sip_dialog_dest(const struct sip_dialog *d, const char *proxy, struct sip_dest *ret)
{
	struct sip_addr a;
	int r;

	if (d->nroutes) {
		r = route_uri(d->routes[0], &a);
		return r < 0 ? r : sip_dest_from_uri(ret, &a.uri);
	}
	if (proxy)
		return sip_dest_from_str(ret, proxy);
	return sip_dest_from_str(ret, d->rtarget);
}

int sip_dialog_request(struct sip_dialog *d, struct sip_tl *tl, struct sip_mb *mb,
		       const char *method, uint32_t cseq, const struct sip_dest *dest,
		       char branch[SIP_BRANCH_LEN])
{
	bool strict = strict_first(d);
	struct sip_addr a;
	struct pl ruri;
	unsigned i;
	int r;

	if (strict) {
		r = route_uri(d->routes[0], &a);
		if (r < 0)
			return r;
		ruri = a.uri.str;
	} else {
		ruri = pl_str(d->rtarget);
	}
	r = sip_tl_request_start(tl, mb, method, &ruri, dest, branch);
	if (r < 0)
		return r;
	if (!cseq)
		cseq = ++d->lseq;
	sip_mb_printf(mb, "Max-Forwards: 70\r\nFrom: %s;tag=%s\r\n", d->luri, d->ltag);
	if (d->rtag && d->rtag[0])
		sip_mb_printf(mb, "To: %s;tag=%s\r\n", d->ruri, d->rtag);
	else
		sip_mb_printf(mb, "To: %s\r\n", d->ruri);
	sip_mb_printf(mb, "Call-ID: %s\r\nCSeq: %u %s\r\n", d->callid, cseq, method);
	for (i = strict ? 1 : 0; i < d->nroutes; i++)
		sip_mb_printf(mb, "Route: %s\r\n", d->routes[i]);
	if (strict)
		sip_mb_printf(mb, "Route: <%s>\r\n", d->rtarget);
	return mb->err;
}

/* sip_ua.c: the SIP user agent core: request dispatch, OPTIONS,
 * registration with digest authentication, shutdown.
 *
 * DESIGN
 * Threads: none of its own. A struct sip_ua lives on one loop; the
 * transport (sip_transp), transaction layer (sip_tl), every call and every
 * callback run on that loop's thread. Nothing blocks: sockets are
 * non-blocking, hosts must be numeric (no DNS lookups).
 *
 * Layers and ownership: sip_ua owns the sip_tl, which owns the transport and
 * all transactions. The UA owns its calls (struct sip_call, a list); a call
 * holds references to the transactions it is waiting on (its INVITE client
 * or server transaction, a re-INVITE, ...) and detaches them when it no
 * longer cares, so a transaction never calls back into a freed call. A call
 * is freed by the UA after its ended() handler returned; calls being inside
 * a callback (busy counter) are freed when the outermost callback unwinds.
 * The TU never frees a call.
 *
 * Call state machine (sip_call.c):
 *   outgoing: CALLING -1xx-> EARLY -2xx/ACK-> ESTABLISHED -BYE-> ENDED
 *             CALLING/EARLY -hangup: CANCEL-> TERMINATING -487-> ENDED
 *             CALLING/EARLY -3xx..6xx-> ENDED (401/407 retried with
 *             credentials, 422 retried with the larger Min-SE)
 *   incoming: INCOMING -answer(18x)-> EARLY -answer(200)-> ESTABLISHED
 *             (established() on ACK); reject/CANCEL -> ENDED
 *   ESTABLISHED: re-INVITE either way (491 on glare, retried after the
 *             RFC 3261 14.1 random delay), INFO, UPDATE, session timer
 *             refresh (re-INVITE) or BYE on expiry; BYE either way.
 * Registration (struct sip_reg): REGISTER, challenge -> REGISTER with
 * credentials, 200 -> refresh timer before expiry, failure -> retry in
 * 60 s; unregister sends Expires: 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "lib/log/log.h"
#include "sip/sip_auth.h"
#include "sip/sip_ua_int.h"

LOG_TOPIC(sip);

static const char *const supported_tags[] = { "timer", NULL };

void sip_ua_common_hdrs(struct sip_ua *ua, struct sip_mb *mb)
{
	sip_mb_printf(mb, "Allow: " SIP_UA_ALLOW "\r\nSupported: timer\r\nUser-Agent: %s\r\n",
		      ua->user_agent);
}

int sip_ua_contact(struct sip_ua *ua, struct sip_mb *mb, enum sip_transport tp,
		   const struct net_addr *dst, bool sips)
{
	struct net_addr la;
	char host[64];
	bool v6;
	int r;

	r = sip_transp_laddr(sip_tl_transp(ua->tl), tp, dst, &la);
	for (int t = SIP_TP_UDP; r < 0 && t <= SIP_TP_TLS; t++)
		r = sip_transp_laddr(sip_tl_transp(ua->tl), (enum sip_transport)t, dst, &la);
	if (r < 0)
		return r;
	net_addr_host(&la, host, sizeof(host));
	v6 = net_addr_family(&la) == AF_INET6;
	sip_mb_printf(mb, "Contact: <%s:%s%s%s%s%s:%u%s%s>\r\n", sips ? "sips" : "sip",
		      ua->user, ua->user[0] ? "@" : "", v6 ? "[" : "", host, v6 ? "]" : "",
		      net_addr_port(&la), tp == SIP_TP_UDP || sips ? "" : ";transport=",
		      tp == SIP_TP_UDP || sips ? "" : sip_tp_param(tp));
	return mb->err;
}

int sip_ua_auth(struct sip_ua *ua, const struct sip_msg *rsp, const char *method,
		const char *ruri, char **ret)
{
	struct sip_digest chal;
	struct buf *b = NULL;
	struct pl uri = pl_str(ruri);
	char cnonce[17];
	bool proxy;
	int r;

	if (!ua->password)
		return -EACCES;
	r = sip_auth_pick(rsp, &chal, &proxy);
	if (r < 0)
		return r;
	r = buf_new(&b, 512);
	if (r < 0)
		return r;
	sip_rand_token(cnonce, sizeof(cnonce));
	r = buf_append(b, proxy ? "Proxy-Authorization: " : "Authorization: ", proxy ? 21 : 15);
	if (r == 0)
		r = sip_auth_respond(b, &chal, method, &uri, ua->auth_user, ua->password, 1,
				     cnonce);
	if (r == 0)
		r = buf_append(b, "\r\n", 3); /* with the NUL */
	if (r == 0) {
		*ret = strdup((char *)b->data);
		r = *ret ? 0 : -ENOMEM;
	}
	buf_unref(b);
	return r;
}

/* ---- registration -------------------------------------------------------- */

static void reg_send(struct sip_ua *ua, const char *auth);

static void reg_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_ua *ua = arg;

	ua->reg.auth_tries = 0;
	reg_send(ua, NULL);
}

static void reg_report(struct sip_ua *ua, uint16_t code, uint32_t expires)
{
	if (ua->reg.h)
		ua->reg.h(ua, code, expires, ua->reg.arg);
}

static uint32_t reg_granted(const struct sip_msg *rsp, uint32_t asked)
{
	struct sip_hdr_iter it;
	struct pl v, e;
	uint32_t n;

	/* our binding's expires param, else Expires, else what we asked */
	sip_hdr_iter_init(&it, rsp, SIP_HDR_CONTACT);
	while (sip_hdr_iter_next(&it, &v)) {
		struct sip_addr a;

		if (sip_addr_parse(&a, &v) == 0 && sip_param_get(&a.params, "expires", &e) == 0 &&
		    pl_u32(&e, &n) == 0)
			return n;
	}
	if (rsp->expires >= 0)
		return (uint32_t)rsp->expires;
	return asked;
}

static void reg_rsp(int err, const struct sip_msg *rsp, void *arg)
{
	struct sip_ua *ua = arg;
	struct sip_reg *rg = &ua->reg;
	uint16_t code = rsp ? rsp->scode : 408;
	char *auth = NULL;

	if (rsp && code < 200)
		return;
	rg->ct = sip_ctran_detach(rg->ct);
	if ((code == 401 || code == 407) && rg->auth_tries++ < 2 &&
	    sip_ua_auth(ua, rsp, "REGISTER", ua->registrar, &auth) == 0) {
		reg_send(ua, auth);
		free(auth);
		return;
	}
	if (code == 423 && rsp) {
		const struct sip_hdr *h = sip_msg_hdr(rsp, SIP_HDR_MIN_EXPIRES, 0);
		uint32_t me;

		if (h && pl_u32(&h->val, &me) == 0 && me > rg->expires && rg->auth_tries++ < 3) {
			rg->expires = me;
			reg_send(ua, NULL);
			return;
		}
	}
	if (rg->unreg) {
		rg->unreg = false;
		rg->active = false;
		rg->registered = false;
		reg_report(ua, 0, 0);
		sip_ua_shutdown_check(ua);
		return;
	}
	if (code >= 200 && code < 300) {
		uint32_t g = reg_granted(rsp, rg->expires);
		uint32_t next = g > 120 ? g - 60 : g / 2;

		rg->registered = g > 0;
		rg->granted = g;
		(void)loop_timer_start(ua->l, &rg->t, (uint64_t)(next ? next : 1) * 1000000, 0,
				       reg_timer, ua);
		reg_report(ua, 200, g);
		return;
	}
	log_debug(sip, "register failed: %u (%d)", code, err);
	rg->registered = false;
	(void)loop_timer_start(ua->l, &rg->t, 60ull * 1000000, 0, reg_timer, ua);
	reg_report(ua, code, 0);
}

static void reg_send(struct sip_ua *ua, const char *auth)
{
	struct sip_reg *rg = &ua->reg;
	struct sip_dest d;
	struct buf *b = NULL;
	struct sip_mb mb;
	char branch[SIP_BRANCH_LEN];
	struct pl ruri = pl_str(ua->registrar);
	int r;

	r = sip_dest_from_str(&d, ua->proxy ? ua->proxy : ua->registrar);
	if (r == 0)
		r = buf_new(&b, 1024);
	if (r < 0)
		goto fail;
	sip_mb_init(&mb, b);
	r = sip_tl_request_start(ua->tl, &mb, "REGISTER", &ruri, &d, branch);
	if (r < 0)
		goto fail;
	sip_mb_printf(&mb, "Max-Forwards: 70\r\n");
	if (ua->display)
		sip_mb_printf(&mb, "From: \"%s\" <%s>;tag=%s\r\nTo: \"%s\" <%s>\r\n", ua->display,
			      ua->aor, rg->tag, ua->display, ua->aor);
	else
		sip_mb_printf(&mb, "From: <%s>;tag=%s\r\nTo: <%s>\r\n", ua->aor, rg->tag,
			      ua->aor);
	sip_mb_printf(&mb, "Call-ID: %s\r\nCSeq: %u REGISTER\r\n", rg->callid, ++rg->cseq);
	r = sip_ua_contact(ua, &mb, d.tp, &d.addr, false);
	if (r < 0)
		goto fail;
	sip_mb_printf(&mb, "Expires: %u\r\n", rg->unreg ? 0 : rg->expires);
	if (auth)
		sip_mb_printf(&mb, "%s", auth);
	sip_ua_common_hdrs(ua, &mb);
	r = sip_mb_finish(&mb, NULL, NULL, 0);
	if (r == 0)
		r = sip_ctran_new(&rg->ct, ua->tl, &d, b, reg_rsp, ua);
fail:
	buf_unref(b);
	if (r < 0) {
		log_debug(sip, "register: %d", r);
		if (rg->unreg) {
			rg->unreg = false;
			rg->active = false;
			reg_report(ua, 0, 0);
			sip_ua_shutdown_check(ua);
			return;
		}
		(void)loop_timer_start(ua->l, &rg->t, 60ull * 1000000, 0, reg_timer, ua);
		reg_report(ua, 503, 0);
	}
}

int sip_ua_register(struct sip_ua *ua, sip_ua_reg_h h, void *arg)
{
	struct sip_reg *rg = &ua->reg;

	if (!ua->registrar)
		return -EINVAL;
	rg->h = h;
	rg->arg = arg;
	if (rg->active)
		return 0;
	rg->active = true;
	rg->unreg = false;
	rg->auth_tries = 0;
	rg->expires = ua->c.reg_expires ? ua->c.reg_expires : 3600;
	sip_rand_token(rg->callid, SIP_TOKEN_LEN);
	sip_rand_token(rg->tag, sizeof(rg->tag));
	reg_send(ua, NULL);
	return 0;
}

int sip_ua_unregister(struct sip_ua *ua)
{
	struct sip_reg *rg = &ua->reg;

	if (!rg->active)
		return -EALREADY;
	loop_timer_stop(ua->l, &rg->t);
	rg->ct = sip_ctran_detach(rg->ct);
	rg->unreg = true;
	rg->auth_tries = 0;
	reg_send(ua, NULL);
	return 0;
}

bool sip_ua_registered(const struct sip_ua *ua)
{
	return ua->reg.registered;
}

/* ---- requests ------------------------------------------------------------ */

static void on_options(struct sip_ua *ua, struct sip_stran *st)
{
	char extra[384];

	snprintf(extra, sizeof(extra),
		 "Allow: " SIP_UA_ALLOW "\r\nAccept: application/sdp, application/dtmf-relay\r\n"
		 "Supported: timer\r\nServer: %s\r\n", ua->user_agent);
	(void)sip_stran_reply(st, 200, NULL, NULL, extra);
}

static void ua_reqh(struct sip_stran *st, struct sip_msg *req, const struct sip_src *src,
		    void *arg)
{
	struct sip_ua *ua = arg;
	struct sip_check_cfg cfg = { .supported = supported_tags };
	struct sip_verdict v;
	struct sip_call *c;

	if (sip_msg_check(req, &cfg, &v)) {
		if (st) {
			struct buf *b = NULL;

			if (buf_new(&b, 512) == 0 && sip_reply_verdict(b, req, &v, NULL) == 0)
				(void)sip_stran_respond(st, v.code, b);
			buf_unref(b);
		}
		return;
	}
	if (req->to.tag.p) {
		c = sip_call_find(ua, req);
		if (c) {
			sip_call_on_request(c, st, req);
		} else if (st && req->meth == SIP_METHOD_OPTIONS) {
			on_options(ua, st);
		} else if (st) {
			(void)sip_stran_reply(st, 481, NULL, NULL, NULL);
		}
		return;
	}
	if (!st)
		return; /* stray ACK */
	switch (req->meth) {
	case SIP_METHOD_INVITE:
		if (ua->shutting)
			(void)sip_stran_reply(st, 503, NULL, NULL, "Retry-After: 30\r\n");
		else
			sip_call_on_invite(ua, st, req, src);
		break;
	case SIP_METHOD_OPTIONS:
		on_options(ua, st);
		break;
	case SIP_METHOD_BYE:
	case SIP_METHOD_INFO:
	case SIP_METHOD_UPDATE:
	case SIP_METHOD_PRACK:
		(void)sip_stran_reply(st, 481, NULL, NULL, NULL);
		break;
	case SIP_METHOD_OTHER:
		(void)sip_stran_reply(st, 501, NULL, NULL, "Allow: " SIP_UA_ALLOW "\r\n");
		break;
	default:
		(void)sip_stran_reply(st, 405, NULL, NULL, "Allow: " SIP_UA_ALLOW "\r\n");
		break;
	}
}

/* ---- lifetime ------------------------------------------------------------ */

static int dup_opt(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

static int listen_one(struct sip_ua *ua, enum sip_transport tp, const char *s)
{
	struct net_addr a;
	int r;

	if (!s)
		return 0;
	r = net_addr_parse(&a, s, tp == SIP_TP_TLS ? 5061 : 5060);
	if (r == 0)
		r = sip_transp_listen(sip_tl_transp(ua->tl), tp, &a);
	return r;
}

int sip_ua_new(struct sip_ua **ret, struct loop *l, const struct sip_ua_conf *c)
{
	struct sip_ua *ua;
	struct sip_uri u;
	struct pl aor;
	int r;

	if (!ret || !l || !c || !c->aor || (!c->listen_udp && !c->listen_tcp && !c->listen_tls))
		return -EINVAL;
	aor = pl_str(c->aor);
	if (sip_uri_parse(&u, &aor) < 0 ||
	    (u.scheme_id != SIP_SCHEME_SIP && u.scheme_id != SIP_SCHEME_SIPS))
		return -EINVAL;
	ua = calloc(1, sizeof(*ua));
	if (!ua)
		return -ENOMEM;
	ua->l = l;
	ua->c = *c;
	if (u.user.p && pl_strcpy(&u.user, ua->user, sizeof(ua->user)) < 0) {
		free(ua);
		return -EINVAL;
	}
	r = dup_opt(&ua->aor, c->aor);
	if (r == 0)
		r = dup_opt(&ua->display, c->display);
	if (r == 0)
		r = dup_opt(&ua->auth_user, c->auth_user ? c->auth_user : ua->user);
	if (r == 0)
		r = dup_opt(&ua->password, c->password);
	if (r == 0)
		r = dup_opt(&ua->registrar, c->registrar);
	if (r == 0)
		r = dup_opt(&ua->proxy, c->outbound_proxy);
	if (r == 0)
		r = dup_opt(&ua->user_agent, c->user_agent ? c->user_agent : "Rakwon");
	if (!ua->c.session_expires)
		ua->c.session_expires = 1800;
	if (!ua->c.min_se)
		ua->c.min_se = 90;
	if (!ua->c.max_calls)
		ua->c.max_calls = 64;
	/* keep our stream flows (registrar, proxy) open across idle periods */
	if (!ua->c.transp.keepalive_ms)
		ua->c.transp.keepalive_ms = 30000;
	if (r == 0)
		r = sip_tl_new(&ua->tl, l, &ua->c.tl, &ua->c.transp, ua_reqh, ua);
	if (r == 0)
		r = listen_one(ua, SIP_TP_UDP, c->listen_udp);
	if (r == 0)
		r = listen_one(ua, SIP_TP_TCP, c->listen_tcp);
	if (r == 0)
		r = listen_one(ua, SIP_TP_TLS, c->listen_tls);
	if (r < 0) {
		sip_ua_free(ua);
		return r;
	}
	*ret = ua;
	return 0;
}

struct sip_ua *sip_ua_free(struct sip_ua *ua)
{
	if (!ua)
		return NULL;
	while (ua->calls)
		sip_call_destroy(ua->calls);
	loop_timer_stop(ua->l, &ua->reg.t);
	loop_timer_stop(ua->l, &ua->shut_t);
	ua->reg.ct = sip_ctran_detach(ua->reg.ct);
	ua->tl = sip_tl_free(ua->tl);
	free(ua->aor);
	free(ua->display);
	free(ua->auth_user);
	free(ua->password);
	free(ua->registrar);
	free(ua->proxy);
	free(ua->user_agent);
	free(ua);
	return NULL;
}

static void shut_finish(struct sip_ua *ua)
{
	void (*done)(struct sip_ua *, void *) = ua->shut_done;

	loop_timer_stop(ua->l, &ua->shut_t);
	ua->shut_done = NULL;
	if (done)
		done(ua, ua->shut_arg);
}

static void shut_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	shut_finish(arg);
}

/* done() runs from a timer of its own, so it may free the UA */
void sip_ua_shutdown_check(struct sip_ua *ua)
{
	if (ua->shutting && ua->shut_done && !ua->ncalls && !ua->reg.unreg)
		(void)loop_timer_start(ua->l, &ua->shut_t, 0, 0, shut_timeout, ua);
}

int sip_ua_shutdown(struct sip_ua *ua, void (*done)(struct sip_ua *ua, void *arg), void *arg)
{
	struct sip_call *c, *next;

	ua->shutting = true;
	ua->shut_done = done;
	ua->shut_arg = arg;
	for (c = ua->calls; c; c = next) {
		next = c->next;
		if (c->state != SIP_CALL_TERMINATING && c->state != SIP_CALL_ENDED)
			(void)sip_call_hangup(c);
	}
	if (ua->reg.active)
		(void)sip_ua_unregister(ua);
	(void)loop_timer_start(ua->l, &ua->shut_t, 4000000, 0, shut_timeout, ua);
	sip_ua_shutdown_check(ua);
	return 0;
}

int sip_ua_laddr(const struct sip_ua *ua, enum sip_transport tp, struct net_addr *ret)
{
	return sip_transp_laddr(sip_tl_transp(ua->tl), tp, NULL, ret);
}

struct sip_tl *sip_ua_tl(struct sip_ua *ua)
{
	return ua->tl;
}

unsigned sip_ua_ncalls(const struct sip_ua *ua)
{
	return ua->ncalls;
}

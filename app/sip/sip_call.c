/* sip_call.c: INVITE sessions of the UA core: outgoing and incoming calls,
 * re-INVITE, INFO, UPDATE, BYE, CANCEL and session timers (RFC 3261 13-15,
 * RFC 4028). State machine: see the DESIGN comment in sip_ua.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "sip/sip_ua_int.h"


/* ---- lifetime ------------------------------------------------------------ */

static void call_free(struct sip_call *c)
{
	struct loop *l = c->ua->l;

	loop_timer_stop(l, &c->end_t);
	loop_timer_stop(l, &c->guard_t);
	loop_timer_stop(l, &c->glare_t);
	loop_timer_stop(l, &c->se_t);
	loop_timer_stop(l, &c->acc_t);
	c->inv_ct = sip_ctran_detach(c->inv_ct);
	c->re_ct = sip_ctran_detach(c->re_ct);
	c->re_old = sip_ctran_detach(c->re_old);
	c->inv_st = sip_stran_detach(c->inv_st);
	c->re_st = sip_stran_detach(c->re_st);
	if (c->have_dlg)
		sip_dialog_clear(&c->dlg);
	buf_unref(c->ack);
	buf_unref(c->re_ack);
	free(c->remote_uri);
	free(c->remote_display);
	free(c->target);
	free(c->local_sdp);
	free(c->re_sdp);
	free(c->end_reason);
	free(c);
}

void sip_call_get(struct sip_call *c)
{
	c->busy++;
}

/* false when the call is gone (freed or ended) */
bool sip_call_put(struct sip_call *c)
{
	if (--c->busy == 0 && c->free_pending) {
		call_free(c);
		return false;
	}
	return !c->ended;
}

void sip_call_end(struct sip_call *c, uint16_t code, const char *reason)
{
	struct sip_ua *ua = c->ua;
	struct sip_call **pp;

	if (c->ended)
		return;
	c->ended = true;
	c->state = SIP_CALL_ENDED;
	for (pp = &ua->calls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			ua->ncalls--;
			break;
		}
	}
	loop_timer_stop(ua->l, &c->end_t);
	loop_timer_stop(ua->l, &c->guard_t);
	loop_timer_stop(ua->l, &c->glare_t);
	loop_timer_stop(ua->l, &c->se_t);
	loop_timer_stop(ua->l, &c->acc_t);
	c->busy++;
	if (c->h.ended)
		c->h.ended(c, code, reason ? reason : "", c->arg);
	c->busy--;
	c->free_pending = true;
	if (!c->busy)
		call_free(c);
	sip_ua_shutdown_check(ua);
}

static void end_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_call *c = arg;

	sip_call_end(c, c->end_code, c->end_reason);
}

/* end from the loop, not from inside the TU's own call */
static void call_end_later(struct sip_call *c, uint16_t code, const char *reason)
{
	if (loop_timer_active(&c->end_t))
		return;
	c->end_code = code;
	free(c->end_reason);
	c->end_reason = strdup(reason);
	c->state = SIP_CALL_TERMINATING;
	(void)loop_timer_start(c->ua->l, &c->end_t, 0, 0, end_timer, c);
}

void sip_call_destroy(struct sip_call *c)
{
	sip_call_end(c, 0, "UA shut down");
}

struct sip_call *sip_call_find(struct sip_ua *ua, const struct sip_msg *req)
{
	for (struct sip_call *c = ua->calls; c; c = c->next)
		if (c->have_dlg && !c->ended && sip_dialog_match_req(&c->dlg, req))
			return c;
	return NULL;
}

/* ---- helpers ------------------------------------------------------------- */

/* the SDP body as a C string (malloc'd), NULL when none */
char *sip_call_body_sdp(const struct sip_msg *m)
{
	char *s;

	if (!m->body.l || (m->ctype.p && !sip_ctype_is(&m->ctype, "application", "sdp")))
		return NULL;
	s = malloc(m->body.l + 1);
	if (s) {
		memcpy(s, m->body.p, m->body.l);
		s[m->body.l] = 0;
	}
	return s;
}

char *sip_call_reason_of(const struct sip_msg *rsp)
{
	static char buf[64];

	if (pl_strcpy(&rsp->reason, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "%s", sip_reason_phrase(rsp->scode));
	return buf;
}

int sip_call_dlg_dest(struct sip_call *c, struct sip_dest *d)
{
	int r = sip_dialog_dest(&c->dlg, NULL, d);

	/* keep the transport of the call when the target does not say */
	if (r == 0 && c->tp == SIP_TP_TLS)
		d->tp = SIP_TP_TLS;
	return r;
}

/* in-dialog request without a body, fire and forget (BYE, INFO) */
int sip_call_send_simple(struct sip_call *c, const char *method, const char *ctype,
		       const char *body)
{
	struct sip_dest d;
	struct buf *b = NULL;
	struct sip_mb mb;
	char branch[SIP_BRANCH_LEN];
	int r;

	r = sip_call_dlg_dest(c, &d);
	if (r == 0)
		r = buf_new(&b, 1024);
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	r = sip_dialog_request(&c->dlg, c->ua->tl, &mb, method, 0, &d, branch);
	if (r == 0) {
		sip_mb_printf(&mb, "User-Agent: %s\r\n", c->ua->user_agent);
		r = sip_mb_finish(&mb, ctype, body, body ? strlen(body) : 0);
	}
	if (r == 0)
		r = sip_ctran_new(NULL, c->ua->tl, &d, b, NULL, NULL);
	buf_unref(b);
	return r;
}

int sip_call_send_bye(struct sip_call *c)
{
	return sip_call_send_simple(c, "BYE", NULL, NULL);
}

/* ACK for a 2xx (in-dialog, same CSeq number) */
int sip_call_send_ack(struct sip_call *c, uint32_t cseq, const char *sdp, struct buf **ret)
{
	struct buf *b = NULL;
	struct sip_mb mb;
	char branch[SIP_BRANCH_LEN];
	int r;

	r = sip_call_dlg_dest(c, &c->ack_dest);
	if (r == 0)
		r = buf_new(&b, 512);
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	r = sip_dialog_request(&c->dlg, c->ua->tl, &mb, "ACK", cseq, &c->ack_dest, branch);
	if (r == 0)
		r = sip_mb_finish(&mb, sdp ? "application/sdp" : NULL, sdp, sdp ? strlen(sdp) : 0);
	if (r == 0)
		r = sip_transp_send(sip_tl_transp(c->ua->tl), &c->ack_dest, b->data, b->len);
	buf_unref(*ret);
	*ret = b;
	return r;
}

/* ---- session timer (RFC 4028) --------------------------------------------- */

static void se_fire(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_call *c = arg;

	sip_call_get(c);
	if (!c->se_we_refresh) {
		(void)sip_call_send_bye(c);
		sip_call_end(c, 408, "Session expired");
	} else if (c->re_ct || c->re_st || loop_timer_active(&c->glare_t)) {
		(void)loop_timer_start(l, &c->se_t, 1000000, 0, se_fire, c);
	} else if (c->local_sdp) {
		free(c->re_sdp);
		c->re_sdp = strdup(c->local_sdp);
		c->re_refresh = true;
		if (sip_call_send_reinvite(c) < 0)
			(void)loop_timer_start(l, &c->se_t, 1000000, 0, se_fire, c);
	}
	sip_call_put(c);
}

void sip_call_se_start(struct sip_call *c)
{
	uint64_t s;

	loop_timer_stop(c->ua->l, &c->se_t);
	if (!c->se)
		return;
	s = (uint64_t)c->se * 1000000;
	if (c->se_we_refresh)
		s /= 2;
	else
		s -= MIN(32ull * 1000000, s / 3);
	(void)loop_timer_start(c->ua->l, &c->se_t, s, 0, se_fire, c);
}

/* from a 2xx to our INVITE: whether a timer runs and who refreshes */
void sip_call_se_from_rsp(struct sip_call *c, const struct sip_msg *rsp)
{
	const struct sip_hdr *h = sip_msg_hdr(rsp, SIP_HDR_SESSION_EXPIRES, 0);
	struct pl refresher = PL_NULL;
	uint32_t delta;

	if (!h || sip_sess_expires_parse(&h->val, &delta, &refresher) < 0 || !delta) {
		c->se = 0;
		return;
	}
	c->se = delta;
	c->se_we_refresh = !pl_case_eq_str(&refresher, "uas");
}

/* from a request (initial or re-INVITE/UPDATE) we answer */
void sip_call_se_from_req(struct sip_call *c, const struct sip_msg *req)
{
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_SESSION_EXPIRES, 0);
	struct pl refresher = PL_NULL;
	uint32_t delta;

	if (!h || sip_sess_expires_parse(&h->val, &delta, &refresher) < 0 || !delta)
		return;
	c->se = delta;
	if (pl_case_eq_str(&refresher, "uac"))
		c->se_we_refresh = false;
	else if (pl_case_eq_str(&refresher, "uas"))
		c->se_we_refresh = true;
	else
		c->se_we_refresh = !sip_msg_has_tag(req, SIP_HDR_SUPPORTED, "timer");
}

/* Session-Expires in a 2xx we send (we are the UAS of it) */
void sip_call_se_rsp_hdrs(struct sip_call *c, struct sip_mb *mb)
{
	if (!c->se)
		return;
	sip_mb_printf(mb, "Session-Expires: %u;refresher=%s\r\n", c->se,
		      c->se_we_refresh ? "uas" : "uac");
	if (!c->se_we_refresh)
		sip_mb_printf(mb, "Require: timer\r\n");
}

/* ---- outgoing INVITE ------------------------------------------------------ */

static void inv_rsp(int err, const struct sip_msg *rsp, void *arg);

static int send_invite(struct sip_call *c, const char *auth, uint32_t se)
{
	struct sip_ua *ua = c->ua;
	struct buf *b = NULL;
	struct sip_mb mb;
	char branch[SIP_BRANCH_LEN];
	struct pl ruri = pl_str(c->target);
	int r;

	r = buf_new(&b, 2048 + strlen(c->local_sdp));
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	r = sip_tl_request_start(ua->tl, &mb, "INVITE", &ruri, &c->dest, branch);
	if (r < 0)
		goto out;
	sip_mb_printf(&mb, "Max-Forwards: 70\r\n");
	if (ua->display)
		sip_mb_printf(&mb, "From: \"%s\" <%s>;tag=%s\r\n", ua->display, ua->aor, c->ltag);
	else
		sip_mb_printf(&mb, "From: <%s>;tag=%s\r\n", ua->aor, c->ltag);
	sip_mb_printf(&mb, "To: <%s>\r\nCall-ID: %s\r\nCSeq: %u INVITE\r\n", c->target,
		      c->callid, ++c->inv_cseq);
	if (ua->proxy)
		sip_mb_printf(&mb, "Route: <%s;lr>\r\n", ua->proxy);
	r = sip_ua_contact(ua, &mb, c->dest.tp, &c->dest.addr,
			   strncmp(c->target, "sips:", 5) == 0);
	if (r < 0)
		goto out;
	if (se)
		sip_mb_printf(&mb, "Session-Expires: %u\r\nMin-SE: %u\r\n", se, ua->c.min_se);
	if (auth)
		sip_mb_printf(&mb, "%s", auth);
	sip_ua_common_hdrs(ua, &mb);
	r = sip_mb_finish(&mb, "application/sdp", c->local_sdp, strlen(c->local_sdp));
	if (r == 0) {
		c->inv_ct = sip_ctran_detach(c->inv_ct);
		r = sip_ctran_new(&c->inv_ct, ua->tl, &c->dest, b, inv_rsp, c);
	}
out:
	buf_unref(b);
	return r;
}

static uint32_t se_asked(const struct sip_ua *ua)
{
	return ua->c.session_expires == UINT32_MAX ? 0 : ua->c.session_expires;
}

static void acc_fire(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_call *c = arg;

	/* their transactions ended (timer M): free them, the call stays */
	c->inv_ct = sip_ctran_detach(c->inv_ct);
	c->re_old = sip_ctran_detach(c->re_old);
}

void sip_call_accepted_linger(struct sip_call *c)
{
	uint32_t t1;

	sip_tl_timers(c->ua->tl, &t1, NULL, NULL);
	(void)loop_timer_start(c->ua->l, &c->acc_t, (uint64_t)t1 * 64 * 1000 + 1000000, 0,
			       acc_fire, c);
}

/* A 2xx from another fork of our INVITE (a different To tag): ACK it and
 * end that dialog with a BYE (RFC 3261 13.2.2.4); we keep the first. */
static void fork_2xx(struct sip_call *c, const struct sip_msg *rsp)
{
	struct sip_dialog keep = c->dlg;
	struct sip_dest ack_dest = c->ack_dest;
	struct buf *ack = NULL;

	if (sip_dialog_init_uac(&c->dlg, sip_ctran_req(c->inv_ct), rsp) < 0) {
		c->dlg = keep;
		return;
	}
	c->dlg.lseq = keep.lseq;
	if (sip_call_send_ack(c, c->inv_cseq, NULL, &ack) == 0)
		(void)sip_call_send_bye(c);
	buf_unref(ack);
	sip_dialog_clear(&c->dlg);
	c->dlg = keep;
	c->ack_dest = ack_dest;
}

static void inv_2xx(struct sip_call *c, const struct sip_msg *rsp)
{
	char *sdp;
	int r;

	if (c->ack) {
		if (c->have_dlg && rsp->to.tag.p && !pl_eq_str(&rsp->to.tag, c->dlg.rtag)) {
			fork_2xx(c, rsp);
			return;
		}
		/* retransmitted 2xx: ACK again (RFC 3261 13.2.2.4) */
		if (rsp->cseq.num == c->inv_cseq)
			(void)sip_transp_send(sip_tl_transp(c->ua->tl), &c->ack_dest, c->ack->data,
					      c->ack->len);
		return;
	}
	if (c->have_dlg)
		sip_dialog_clear(&c->dlg);
	r = sip_dialog_init_uac(&c->dlg, sip_ctran_req(c->inv_ct), rsp);
	c->have_dlg = r == 0;
	if (r == 0)
		r = sip_call_send_ack(c, c->inv_cseq, NULL, &c->ack);
	if (r < 0) {
		sip_call_end(c, 500, "Cannot ACK");
		return;
	}
	c->dlg.secure = c->secure;
	c->state = SIP_CALL_ESTABLISHED;
	sip_call_accepted_linger(c);
	loop_timer_stop(c->ua->l, &c->guard_t);
	if (c->cancel_req) {
		(void)sip_call_send_bye(c);
		sip_call_end(c, 0, "Local hangup");
		return;
	}
	sip_call_se_from_rsp(c, rsp);
	sip_call_se_start(c);
	sdp = sip_call_body_sdp(rsp);
	if (c->h.established)
		c->h.established(c, sdp, c->arg);
	free(sdp);
}

static void inv_rsp(int err, const struct sip_msg *rsp, void *arg)
{
	struct sip_call *c = arg;
	struct sip_ua *ua = c->ua;
	char *auth = NULL, *sdp;
	uint16_t code;

	sip_call_get(c);
	if (!rsp) {
		c->inv_ct = sip_ctran_detach(c->inv_ct);
		sip_call_end(c, err == -ETIMEDOUT ? 408 : 503,
			 err == -ETIMEDOUT ? "Request Timeout" : "Transport Error");
		goto out;
	}
	code = rsp->scode;
	if (code < 200) {
		if (code > 100 && !c->cancel_req) {
			if (c->state == SIP_CALL_CALLING)
				c->state = SIP_CALL_EARLY;
			sdp = sip_call_body_sdp(rsp);
			if (c->h.progress)
				c->h.progress(c, code, sdp, c->arg);
			free(sdp);
		}
		goto out;
	}
	if (code < 300) {
		inv_2xx(c, rsp);
		goto out;
	}
	c->inv_ct = sip_ctran_detach(c->inv_ct);
	if ((code == 401 || code == 407) && !c->cancel_req && c->auth_tries++ < 2 &&
	    sip_ua_auth(ua, rsp, "INVITE", c->target, &auth) == 0) {
		int r = send_invite(c, auth, c->se_req);

		free(auth);
		if (r < 0)
			sip_call_end(c, code, sip_call_reason_of(rsp));
		goto out;
	}
	if (code == 422 && !c->cancel_req && c->st_tries++ < 2) {
		const struct sip_hdr *h = sip_msg_hdr(rsp, SIP_HDR_MIN_SE, 0);
		uint32_t minse;

		if (h && pl_u32(&h->val, &minse) == 0 && minse > c->se_req) {
			c->se_req = minse;
			if (send_invite(c, NULL, c->se_req) == 0)
				goto out;
		}
	}
	sip_call_end(c, code, c->cancel_req && code == 487 ? "Cancelled" : sip_call_reason_of(rsp));
out:
	sip_call_put(c);
}

static void guard_fire(struct loop *l, struct loop_timer *t, void *arg)
{
	sip_call_end(arg, 408, "No response to CANCEL");
}

static struct sip_call *call_alloc(struct sip_ua *ua, bool incoming)
{
	struct sip_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ua = ua;
	c->incoming = incoming;
	c->state = incoming ? SIP_CALL_INCOMING : SIP_CALL_CALLING;
	c->next = ua->calls;
	ua->calls = c;
	ua->ncalls++;
	return c;
}

int sip_call_invite(struct sip_ua *ua, const char *uri, const char *sdp_offer,
		    const struct sip_call_handlers *h, void *arg, struct sip_call **ret)
{
	struct sip_call *c;
	struct sip_dest d;
	int r;

	if (!ua || !uri || !sdp_offer)
		return -EINVAL;
	if (ua->shutting)
		return -ESHUTDOWN;
	if (ua->ncalls >= ua->c.max_calls)
		return -EBUSY;
	r = sip_dest_from_str(&d, ua->proxy ? ua->proxy : uri);
	if (r < 0)
		return r;
	if (strncmp(uri, "sips:", 5) == 0 && d.tp != SIP_TP_TLS)
		return -EPROTONOSUPPORT; /* SIPS needs TLS to the first hop */
	c = call_alloc(ua, false);
	if (!c)
		return -ENOMEM;
	if (h)
		c->h = *h;
	c->arg = arg;
	c->dest = d;
	c->tp = d.tp;
	c->secure = d.tp == SIP_TP_TLS;
	c->target = strdup(uri);
	c->remote_uri = strdup(uri);
	c->remote_display = strdup("");
	c->local_sdp = strdup(sdp_offer);
	sip_rand_token(c->callid, SIP_TOKEN_LEN);
	sip_rand_token(c->ltag, sizeof(c->ltag));
	c->se_req = se_asked(ua);
	r = c->target && c->remote_uri && c->remote_display && c->local_sdp ? 0 : -ENOMEM;
	if (r == 0)
		r = send_invite(c, NULL, c->se_req);
	if (r < 0) {
		c->h.ended = NULL;
		sip_call_end(c, 0, NULL);
		return r;
	}
	if (ret)
		*ret = c;
	return 0;
}

/* ---- incoming INVITE ------------------------------------------------------ */

static void inv_cancelled(struct sip_stran *st, void *arg)
{
	struct sip_call *c = arg;

	(void)sip_stran_reply(st, 487, NULL, c->dlg.ltag, NULL);
	sip_call_end(c, 487, "Cancelled");
}

static void inv_failed(struct sip_stran *st, int err, void *arg)
{
	struct sip_call *c = arg;

	sip_call_get(c);
	if (c->state == SIP_CALL_ESTABLISHED) {
		(void)sip_call_send_bye(c);
		sip_call_end(c, 408, "No ACK");
	} else {
		sip_call_end(c, 500, "Transport Error");
	}
	sip_call_put(c);
}

void sip_call_on_invite(struct sip_ua *ua, struct sip_stran *st, struct sip_msg *req,
			const struct sip_src *src)
{
	static const struct sip_stran_handlers sh = { .cancel = inv_cancelled,
						      .fail = inv_failed };
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_SESSION_EXPIRES, 0);
	struct sip_call *c;
	char ltag[SIP_TOKEN_LEN], dn[128], extra[64], *sdp;
	uint32_t delta;
	size_t dl = 0;

	if (!ua->c.incoming) {
		(void)sip_stran_reply(st, 480, NULL, NULL, NULL);
		return;
	}
	if (ua->ncalls >= ua->c.max_calls) {
		(void)sip_stran_reply(st, 486, NULL, NULL, NULL);
		return;
	}
	if (h && (sip_sess_expires_parse(&h->val, &delta, NULL) < 0 || delta < ua->c.min_se)) {
		snprintf(extra, sizeof(extra), "Min-SE: %u\r\n", ua->c.min_se);
		(void)sip_stran_reply(st, 422, NULL, NULL, extra);
		return;
	}
	if (req->body.l && req->ctype.p && !sip_ctype_is(&req->ctype, "application", "sdp")) {
		(void)sip_stran_reply(st, 415, NULL, NULL, "Accept: application/sdp\r\n");
		return;
	}
	c = call_alloc(ua, true);
	if (!c) {
		(void)sip_stran_reply(st, 500, NULL, NULL, NULL);
		return;
	}
	sip_rand_token(ltag, sizeof(ltag));
	c->have_dlg = sip_dialog_init_uas(&c->dlg, req, ltag) == 0;
	c->inv_st = sip_stran_ref(st);
	sip_stran_set_handlers(st, &sh, c);
	c->tp = src->tp;
	c->secure = src->tp == SIP_TP_TLS;
	c->dlg.secure = c->secure;
	c->remote_uri = malloc(req->from.uri.str.l + 1);
	if (c->remote_uri)
		(void)pl_strcpy(&req->from.uri.str, c->remote_uri, req->from.uri.str.l + 1);
	if (sip_unquote(dn, sizeof(dn) - 1, &req->from.dname, &dl) < 0)
		dl = 0;
	dn[dl] = 0;
	c->remote_display = strdup(dn);
	c->inv_cseq = req->cseq.num;
	if (!c->have_dlg || !c->remote_uri || !c->remote_display) {
		(void)sip_stran_reply(st, 500, NULL, NULL, NULL);
		sip_call_end(c, 500, "Out of memory");
		return;
	}
	sip_call_se_from_req(c, req);
	sdp = sip_call_body_sdp(req);
	sip_call_get(c);
	ua->c.incoming(ua, c, sdp, ua->c.arg);
	sip_call_put(c);
	free(sdp);
}

int sip_call_answer(struct sip_call *c, uint16_t code, const char *sdp)
{
	struct sip_ua *ua = c->ua;
	const struct sip_msg *req;
	struct buf *b = NULL;
	struct sip_mb mb;
	int r;

	if (c->ended || !c->incoming || !c->inv_st || sip_stran_final_sent(c->inv_st))
		return -EALREADY;
	if (code <= 100 || code >= 300 || (code >= 200 && !sdp))
		return -EINVAL;
	req = sip_stran_req(c->inv_st);
	r = buf_new(&b, 1024 + (sdp ? strlen(sdp) : 0));
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, req, code, NULL, c->dlg.ltag);
	r = sip_ua_contact(ua, &mb, c->tp, &sip_stran_src(c->inv_st)->peer,
			   req->ruri.scheme_id == SIP_SCHEME_SIPS);
	if (code >= 200) {
		sip_call_se_rsp_hdrs(c, &mb);
		sip_ua_common_hdrs(ua, &mb);
	}
	if (r == 0)
		r = sip_mb_finish(&mb, sdp ? "application/sdp" : NULL, sdp, sdp ? strlen(sdp) : 0);
	if (r == 0)
		r = sip_stran_respond(c->inv_st, code, b);
	buf_unref(b);
	if (r < 0)
		return r;
	if (code < 200) {
		c->state = SIP_CALL_EARLY;
		return 0;
	}
	c->state = SIP_CALL_ESTABLISHED;
	c->dlg.confirmed = true;
	free(c->local_sdp);
	c->local_sdp = strdup(sdp);
	sip_call_se_start(c);
	return 0;
}

int sip_call_reject(struct sip_call *c, uint16_t code, const char *reason)
{
	int r;

	if (c->ended || !c->incoming || !c->inv_st || sip_stran_final_sent(c->inv_st))
		return -EALREADY;
	if (code < 300 || code > 699)
		return -EINVAL;
	r = sip_stran_reply(c->inv_st, code, reason, c->dlg.ltag, NULL);
	call_end_later(c, code, reason ? reason : sip_reason_phrase(code));
	return r;
}

int sip_call_hangup(struct sip_call *c)
{
	if (c->ended || loop_timer_active(&c->end_t))
		return -EALREADY;
	switch (c->state) {
	case SIP_CALL_CALLING:
	case SIP_CALL_EARLY:
		if (c->incoming)
			return sip_call_reject(c, 603, "Decline");
		c->cancel_req = true;
		c->state = SIP_CALL_TERMINATING;
		(void)loop_timer_start(c->ua->l, &c->guard_t, 32000000, 0, guard_fire, c);
		return c->inv_ct ? sip_ctran_cancel(c->inv_ct) : 0;
	case SIP_CALL_INCOMING:
		return sip_call_reject(c, 603, "Decline");
	case SIP_CALL_ESTABLISHED:
		(void)sip_call_send_bye(c);
		call_end_later(c, 0, "Local hangup");
		return 0;
	default:
		return -EALREADY;
	}
}

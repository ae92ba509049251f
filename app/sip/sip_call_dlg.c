/* sip_call_dlg.c: mid-call signalling of a UA call: re-INVITE both ways
 * (with 491 glare handling), UPDATE, INFO, BYE, and the call accessors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/base/cleanup.h"
#include "sip/sip_ua_int.h"

/* ---- our re-INVITE ------------------------------------------------------- */

static void re_rsp(int err, const struct sip_msg *rsp, void *arg);

int sip_call_send_reinvite(struct sip_call *c)
{
	struct sip_ua *ua = c->ua;
	struct sip_dest d;
	struct buf *b = NULL;
	struct sip_mb mb;
	char branch[SIP_BRANCH_LEN];
	int r;

	r = sip_call_dlg_dest(c, &d);
	if (r == 0)
		r = buf_new(&b, 2048 + strlen(c->re_sdp));
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	r = sip_dialog_request(&c->dlg, ua->tl, &mb, "INVITE", 0, &d, branch);
	if (r == 0)
		r = sip_ua_contact(ua, &mb, d.tp, &d.addr, false);
	if (r < 0)
		goto out;
	if (c->se)
		sip_mb_printf(&mb, "Session-Expires: %u;refresher=%s\r\nMin-SE: %u\r\n", c->se,
			      c->se_we_refresh ? "uac" : "uas", MIN(ua->c.min_se, c->se));
	sip_ua_common_hdrs(ua, &mb);
	r = sip_mb_finish(&mb, "application/sdp", c->re_sdp, strlen(c->re_sdp));
	if (r == 0)
		r = sip_ctran_new(&c->re_ct, ua->tl, &d, b, re_rsp, c);
out:
	buf_unref(b);
	return r;
}

static void glare_fire(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_call *c = arg;

	sip_call_get(c);
	if (c->state == SIP_CALL_ESTABLISHED && !c->re_ct && sip_call_send_reinvite(c) < 0 &&
	    !c->re_refresh && c->h.reinvite_done)
		c->h.reinvite_done(c, 500, NULL, c->arg);
	sip_call_put(c);
}

static void re_done(struct sip_call *c, uint16_t code, const char *sdp)
{
	bool refresh = c->re_refresh;

	c->re_refresh = false;
	if (!refresh && c->h.reinvite_done)
		c->h.reinvite_done(c, code, sdp, c->arg);
}

static void re_rsp(int err, const struct sip_msg *rsp, void *arg)
{
	struct sip_call *c = arg;
	uint16_t code = rsp ? rsp->scode : 408;
	char *sdp;

	sip_call_get(c);
	if (rsp && code < 200)
		goto out;
	if (rsp && code < 300) {
		if (c->re_ack && rsp->cseq.num == c->re_ack->user) {
			/* retransmitted 2xx of an earlier re-INVITE */
			(void)sip_transp_send(sip_tl_transp(c->ua->tl), &c->ack_dest,
					      c->re_ack->data, c->re_ack->len);
			goto out;
		}
		if (sip_call_send_ack(c, rsp->cseq.num, NULL, &c->re_ack) == 0)
			c->re_ack->user = rsp->cseq.num;
		(void)sip_dialog_update_target(&c->dlg, rsp);
		free(c->local_sdp);
		c->local_sdp = c->re_sdp;
		c->re_sdp = NULL;
		/* keep the transaction for 2xx retransmissions */
		sip_ctran_detach(c->re_old);
		c->re_old = c->re_ct;
		c->re_ct = NULL;
		sip_call_accepted_linger(c);
		sip_call_se_from_rsp(c, rsp);
		sip_call_se_start(c);
		sdp = sip_call_body_sdp(rsp);
		re_done(c, code, sdp);
		free(sdp);
		goto out;
	}
	c->re_ct = sip_ctran_detach(c->re_ct);
	if (code == 491) {
		/* RFC 3261 14.1: retry after 2.1-4 s if we own the Call-ID,
		 * else 0-2 s, both in 10 ms steps */
		uint16_t rnd = 0;
		uint64_t ms;

		(void)getrandom(&rnd, sizeof(rnd), 0);
		ms = c->incoming ? (rnd % 200) * 10 : 2100 + (rnd % 190) * 10;
		(void)loop_timer_start(c->ua->l, &c->glare_t, ms * 1000, 0, glare_fire, c);
		goto out;
	}
	if (code == 481 || code == 408) {
		if (code == 408)
			(void)sip_call_send_bye(c);
		sip_call_end(c, code, code == 408 ? "re-INVITE timeout" : "Dialog gone");
		goto out;
	}
	free(c->re_sdp);
	c->re_sdp = NULL;
	re_done(c, code, NULL);
out:
	sip_call_put(c);
}

int sip_call_reinvite(struct sip_call *c, const char *sdp)
{
	int r;

	if (!sdp)
		return -EINVAL;
	if (c->ended || c->state != SIP_CALL_ESTABLISHED)
		return -ENOTCONN;
	if (c->re_ct || c->re_st || loop_timer_active(&c->glare_t) ||
	    (c->incoming && c->inv_st))
		return -EBUSY;
	free(c->re_sdp);
	c->re_sdp = strdup(sdp);
	if (!c->re_sdp)
		return -ENOMEM;
	c->re_refresh = false;
	r = sip_call_send_reinvite(c);
	if (r < 0) {
		free(c->re_sdp);
		c->re_sdp = NULL;
	}
	return r;
}

int sip_call_info(struct sip_call *c, const char *ctype, const char *body)
{
	if (!ctype || !body)
		return -EINVAL;
	if (c->ended || c->state != SIP_CALL_ESTABLISHED)
		return -ENOTCONN;
	return sip_call_send_simple(c, "INFO", ctype, body);
}

/* ---- their requests -------------------------------------------------------- */

static int reply_body(struct sip_call *c, struct sip_stran *st, uint16_t code,
		      const char *sdp)
{
	struct buf *b = NULL;
	struct sip_mb mb;
	int r;

	r = buf_new(&b, 1024 + (sdp ? strlen(sdp) : 0));
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, sip_stran_req(st), code, NULL, NULL);
	r = sip_ua_contact(c->ua, &mb, c->tp, &sip_stran_src(st)->peer, false);
	sip_call_se_rsp_hdrs(c, &mb);
	sip_ua_common_hdrs(c->ua, &mb);
	if (r == 0)
		r = sip_mb_finish(&mb, sdp ? "application/sdp" : NULL, sdp, sdp ? strlen(sdp) : 0);
	if (r == 0)
		r = sip_stran_respond(st, code, b);
	buf_unref(b);
	return r;
}

static void re_failed(struct sip_stran *st, int err, void *arg)
{
	struct sip_call *c = arg;

	sip_call_get(c);
	c->re_st = sip_stran_detach(c->re_st);
	(void)sip_call_send_bye(c);
	sip_call_end(c, 408, "No ACK");
	sip_call_put(c);
}

/* re-INVITE or UPDATE with or without an offer */
static void on_offer(struct sip_call *c, struct sip_stran *st, const struct sip_msg *req)
{
	static const struct sip_stran_handlers sh = { .fail = re_failed };
	bool invite = req->meth == SIP_METHOD_INVITE;
	char *sdp, *answer = NULL;

	if (c->state != SIP_CALL_ESTABLISHED) {
		(void)sip_stran_reply(st, 500, NULL, NULL, "Retry-After: 1\r\n");
		return;
	}
	if (invite && c->re_ct) {
		(void)sip_stran_reply(st, 491, NULL, NULL, NULL); /* glare */
		return;
	}
	if (invite && (c->re_st || c->inv_st)) {
		/* the previous offer/answer has not finished (RFC 3261 14.2) */
		(void)sip_stran_reply(st, 500, NULL, NULL, "Retry-After: 1\r\n");
		return;
	}
	(void)sip_dialog_update_target(&c->dlg, req);
	sip_call_se_from_req(c, req);
	sdp = sip_call_body_sdp(req);
	if (sdp || invite) {
		if (c->h.offer)
			answer = c->h.offer(c, sdp, c->arg);
		if (c->ended) {
			free(sdp);
			free(answer);
			return;
		}
		if (!answer) {
			(void)sip_stran_reply(st, 488, NULL, NULL, NULL);
			free(sdp);
			return;
		}
	}
	if (reply_body(c, st, 200, answer) == 0 && invite) {
		c->re_st = sip_stran_ref(st);
		sip_stran_set_handlers(st, &sh, c);
		c->re_offerless = !sdp;
	}
	if (answer) {
		free(c->local_sdp);
		c->local_sdp = answer;
	}
	free(sdp);
	sip_call_se_start(c);
}

static void on_ack(struct sip_call *c, const struct sip_msg *req)
{
	char *sdp = sip_call_body_sdp(req);

	if (c->inv_st && c->incoming && req->cseq.num == c->inv_cseq) {
		sip_stran_acked(c->inv_st);
		c->inv_st = sip_stran_detach(c->inv_st);
		if (c->state == SIP_CALL_ESTABLISHED && c->h.established)
			c->h.established(c, sdp, c->arg);
	} else if (c->re_st && req->cseq.num == sip_stran_req(c->re_st)->cseq.num) {
		bool offerless = c->re_offerless;

		sip_stran_acked(c->re_st);
		c->re_st = sip_stran_detach(c->re_st);
		if (offerless && c->h.reinvite_done)
			c->h.reinvite_done(c, sdp ? 200 : 400, sdp, c->arg);
	}
	free(sdp);
}

static void on_info(struct sip_call *c, struct sip_stran *st, const struct sip_msg *req)
{
	char ctype[128], *body;

	(void)sip_stran_reply(st, 200, NULL, NULL, NULL);
	if (!c->h.info)
		return;
	if (pl_strcpy(&req->ctype, ctype, sizeof(ctype)) < 0)
		ctype[0] = 0;
	body = malloc(req->body.l + 1);
	if (!body)
		return;
	memcpy(body, req->body.p ? req->body.p : "", req->body.l);
	body[req->body.l] = 0;
	c->h.info(c, ctype, body, req->body.l, c->arg);
	free(body);
}

void sip_call_on_request(struct sip_call *c, struct sip_stran *st, struct sip_msg *req)
{
	sip_call_get(c);
	if (req->meth == SIP_METHOD_ACK) {
		on_ack(c, req);
		goto out;
	}
	if (!st)
		goto out;
	if (sip_dialog_rseq(&c->dlg, req) < 0) {
		(void)sip_stran_reply(st, 500, "CSeq Out of Order", NULL, NULL);
		goto out;
	}
	switch (req->meth) {
	case SIP_METHOD_BYE:
		(void)sip_stran_reply(st, 200, NULL, NULL, NULL);
		if (c->inv_st && !sip_stran_final_sent(c->inv_st))
			(void)sip_stran_reply(c->inv_st, 487, NULL, c->dlg.ltag, NULL);
		sip_call_end(c, 200, "Remote hangup");
		break;
	case SIP_METHOD_INVITE:
	case SIP_METHOD_UPDATE:
		on_offer(c, st, req);
		break;
	case SIP_METHOD_INFO:
		on_info(c, st, req);
		break;
	case SIP_METHOD_OPTIONS:
		(void)sip_stran_reply(st, 200, NULL, NULL,
				      "Allow: " SIP_UA_ALLOW "\r\nAccept: application/sdp\r\n");
		break;
	default:
		(void)sip_stran_reply(st, 405, NULL, NULL, "Allow: " SIP_UA_ALLOW "\r\n");
		break;
	}
out:
	sip_call_put(c);
}

/* ---- accessors ------------------------------------------------------------ */

void sip_call_set_handlers(struct sip_call *c, const struct sip_call_handlers *h, void *arg)
{
	if (h)
		c->h = *h;
	else
		memset(&c->h, 0, sizeof(c->h));
	c->arg = arg;
}

enum sip_call_state sip_call_state(const struct sip_call *c)
{
	return c->state;
}

bool sip_call_incoming(const struct sip_call *c)
{
	return c->incoming;
}

const char *sip_call_remote_uri(const struct sip_call *c)
{
	return c->remote_uri;
}

const char *sip_call_remote_display(const struct sip_call *c)
{
	return c->remote_display;
}

const char *sip_call_callid(const struct sip_call *c)
{
	return c->have_dlg ? c->dlg.callid : c->callid;
}

enum sip_transport sip_call_transport(const struct sip_call *c)
{
	return c->tp;
}

bool sip_call_secure(const struct sip_call *c)
{
	return c->secure;
}

uint32_t sip_call_session_expires(const struct sip_call *c, bool *ret_we_refresh)
{
	if (ret_we_refresh)
		*ret_we_refresh = c->se_we_refresh;
	return c->se;
}

void *sip_call_arg(const struct sip_call *c)
{
	return c->arg;
}

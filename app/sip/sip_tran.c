/* sip_tran.c: SIP transaction state machines and matching (see sip_tran.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/base/cleanup.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "sip/sip_tran.h"

LOG_TOPIC(sip);

enum tstate {
	TS_TRYING,      /* client: Calling/Trying; server: Trying/Proceeding */
	TS_PROCEEDING,
	TS_ACCEPTED,    /* INVITE after 2xx (RFC 6026) */
	TS_COMPLETED,
	TS_CONFIRMED,   /* server INVITE: ACK received */
	TS_TERMINATED,
};

struct sip_ctran {
	int refs;
	struct sip_ctran *next;
	struct sip_tl *tl;
	struct sip_msg *req;        /* our request (owns its bytes) */
	struct sip_dest d;
	bool invite, cancel_pending, cancelled;
	enum tstate state;
	sip_ctran_h h;
	void *arg;
	struct loop_timer tr;       /* A / E */
	struct loop_timer tt;       /* B / F, then D / K / M */
	uint32_t ival_ms;
	struct buf *ack;            /* ACK for a non-2xx final */
};

struct sip_stran {
	int refs;
	struct sip_stran *next;
	struct sip_tl *tl;
	struct sip_msg *req;
	struct sip_src src;
	bool invite, acked;
	enum tstate state;
	struct buf *rsp;            /* last response sent */
	uint16_t code;
	struct sip_stran_handlers h;
	void *arg;
	struct loop_timer tr;       /* G / 2xx retransmission / 100 Trying */
	struct loop_timer tt;       /* H / L / I / J */
	uint32_t ival_ms;
};

struct sip_tl {
	struct loop *l;
	struct sip_tl_conf c;
	struct sip_transp *tp;
	sip_tl_req_h reqh;
	void *arg;
	struct sip_ctran *cts;
	struct sip_stran *sts;
	unsigned nct, nst;
};

static uint64_t ms(uint32_t v)
{
	return (uint64_t)v * 1000;
}

void sip_rand_token(char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t rnd[32];
	size_t n = (cap - 1) / 2 < sizeof(rnd) ? (cap - 1) / 2 : sizeof(rnd);

	if (getrandom(rnd, n, 0) != (ssize_t)n) {
		for (size_t i = 0; i < n; i++)
			rnd[i] = (uint8_t)rand();
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[rnd[i] >> 4];
		out[2 * i + 1] = hex[rnd[i] & 15];
	}
	out[2 * n] = 0;
}

/* ---- client transactions ------------------------------------------------ */

static void ct_terminate(struct sip_ctran *ct);

static struct sip_ctran *ct_unref(struct sip_ctran *ct)
{
	/* timers were stopped when it terminated (or never ran) */
	if (ct && --ct->refs == 0) {
		sip_msg_unref(ct->req);
		buf_unref(ct->ack);
		free(ct);
	}
	return NULL;
}

static void ct_report(struct sip_ctran *ct, int err, const struct sip_msg *rsp)
{
	if (ct->h) {
		ct->refs++;
		ct->h(err, rsp, ct->arg);
		ct_unref(ct);
	}
}

static void ct_terminate(struct sip_ctran *ct)
{
	struct sip_tl *tl = ct->tl;
	struct sip_ctran **pp;

	if (ct->state == TS_TERMINATED)
		return;
	ct->state = TS_TERMINATED;
	loop_timer_stop(tl->l, &ct->tr);
	loop_timer_stop(tl->l, &ct->tt);
	for (pp = &tl->cts; *pp; pp = &(*pp)->next) {
		if (*pp == ct) {
			*pp = ct->next;
			tl->nct--;
			ct_unref(ct);
			break;
		}
	}
}

static void ct_fail(struct sip_ctran *ct, int err)
{
	bool report = ct->state == TS_TRYING || ct->state == TS_PROCEEDING;

	ct->refs++;
	ct_terminate(ct);
	if (report)
		ct_report(ct, err, NULL);
	ct_unref(ct);
}

static int ct_send(struct sip_ctran *ct)
{
	return sip_transp_send(ct->tl->tp, &ct->d, ct->req->buf, ct->req->len);
}

static void ct_retrans(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_ctran *ct = arg;
	int r;

	r = ct_send(ct);
	if (r < 0) {
		ct_fail(ct, r);
		return;
	}
	if (ct->invite)
		ct->ival_ms *= 2;
	else
		ct->ival_ms = ct->state == TS_PROCEEDING ? ct->tl->c.t2_ms :
			      MIN(ct->ival_ms * 2, ct->tl->c.t2_ms);
	(void)loop_timer_start(l, &ct->tr, ms(ct->ival_ms), 0, ct_retrans, ct);
}

static void ct_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_ctran *ct = arg;

	if (ct->state == TS_TRYING || ct->state == TS_PROCEEDING)
		ct_fail(ct, -ETIMEDOUT); /* B / F */
	else
		ct_terminate(ct);        /* D / K / M */
}

/* request built from our INVITE: ACK (to a non-2xx, To from rsp) or CANCEL */
static int build_from_invite(struct buf **ret, const struct sip_msg *inv, const char *method,
			     const struct sip_msg *rsp)
{
	struct buf *b = NULL;
	struct sip_mb mb;
	const struct sip_hdr *h;
	int r;

	r = buf_new(&b, 512);
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	sip_mb_request(&mb, method, &inv->ruri.str);
	sip_mb_via(&mb, &inv->via[0]);
	sip_mb_printf(&mb, "Max-Forwards: 70\r\n");
	h = sip_msg_hdr(inv, SIP_HDR_FROM, 0);
	sip_mb_hdr(&mb, SIP_HDR_FROM, &h->val);
	h = sip_msg_hdr(rsp ? rsp : inv, SIP_HDR_TO, 0);
	sip_mb_hdr(&mb, SIP_HDR_TO, &h->val);
	sip_mb_hdr(&mb, SIP_HDR_CALL_ID, &inv->callid);
	sip_mb_hdrf(&mb, SIP_HDR_CSEQ, "%u %s", inv->cseq.num, method);
	for (unsigned i = 0; (h = sip_msg_hdr(inv, SIP_HDR_ROUTE, i)); i++)
		sip_mb_hdr(&mb, SIP_HDR_ROUTE, &h->val);
	r = sip_mb_finish(&mb, NULL, NULL, 0);
	if (r < 0) {
		buf_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}

static int ct_send_cancel(struct sip_ctran *ct)
{
	struct buf *b = NULL;
	int r;

	ct->cancel_pending = false;
	ct->cancelled = true;
	r = build_from_invite(&b, ct->req, "CANCEL", NULL);
	if (r == 0)
		r = sip_ctran_new(NULL, ct->tl, &ct->d, b, NULL, NULL);
	buf_unref(b);
	return r;
}

static void ct_response(struct sip_ctran *ct, const struct sip_msg *rsp)
{
	struct loop *l = ct->tl->l;
	bool reliable = sip_tp_reliable(ct->d.tp);
	uint16_t code = rsp->scode;

	ct->refs++;
	if (code < 200) {
		if (ct->state == TS_TRYING || ct->state == TS_PROCEEDING) {
			if (ct->invite) {
				loop_timer_stop(l, &ct->tr);
				loop_timer_stop(l, &ct->tt); /* no timer B once proceeding */
			} else if (ct->state == TS_TRYING && !reliable) {
				ct->ival_ms = ct->tl->c.t2_ms;
			}
			ct->state = TS_PROCEEDING;
			if (ct->cancel_pending)
				(void)ct_send_cancel(ct);
			ct_report(ct, 0, rsp);
		}
	} else if (ct->invite && code < 300) {
		if (ct->state == TS_TRYING || ct->state == TS_PROCEEDING) {
			loop_timer_stop(l, &ct->tr);
			ct->state = TS_ACCEPTED;
			(void)loop_timer_start(l, &ct->tt, ms(64 * ct->tl->c.t1_ms), 0,
					       ct_timeout, ct);
		}
		if (ct->state == TS_ACCEPTED)
			ct_report(ct, 0, rsp);
	} else if (ct->invite) {
		if (ct->state == TS_TRYING || ct->state == TS_PROCEEDING) {
			loop_timer_stop(l, &ct->tr);
			ct->state = TS_COMPLETED;
			if (build_from_invite(&ct->ack, ct->req, "ACK", rsp) == 0)
				(void)sip_transp_send(ct->tl->tp, &ct->d, ct->ack->data,
						      ct->ack->len);
			(void)loop_timer_start(l, &ct->tt, reliable ? 0 : ms(32000), 0,
					       ct_timeout, ct);
			ct_report(ct, 0, rsp);
		} else if (ct->state == TS_COMPLETED && ct->ack) {
			(void)sip_transp_send(ct->tl->tp, &ct->d, ct->ack->data, ct->ack->len);
		}
	} else if (ct->state == TS_TRYING || ct->state == TS_PROCEEDING) {
		loop_timer_stop(l, &ct->tr);
		ct->state = TS_COMPLETED;
		(void)loop_timer_start(l, &ct->tt, reliable ? 0 : ms(ct->tl->c.t4_ms), 0,
				       ct_timeout, ct);
		ct_report(ct, 0, rsp);
	}
	ct_unref(ct);
}

int sip_ctran_new(struct sip_ctran **ret, struct sip_tl *tl, const struct sip_dest *d,
		  const struct buf *req, sip_ctran_h h, void *arg)
{
	struct sip_ctran *ct;
	int r;

	if (!tl || !d || !req)
		return -EINVAL;
	ct = calloc(1, sizeof(*ct));
	if (!ct)
		return -ENOMEM;
	ct->refs = 1;
	ct->tl = tl;
	ct->d = *d;
	ct->h = h;
	ct->arg = arg;
	r = sip_msg_new(&ct->req, req->data, req->len, 0);
	if (r < 0 || !ct->req->req || !ct->req->nvia || !ct->req->via[0].branch.p) {
		sip_msg_unref(ct->req);
		free(ct);
		return r < 0 ? r : -EINVAL;
	}
	ct->invite = ct->req->meth == SIP_METHOD_INVITE;
	ct->state = TS_TRYING;
	ct->ival_ms = tl->c.t1_ms;
	r = ct_send(ct);
	if (r < 0) {
		ct_unref(ct);
		return r;
	}
	ct->next = tl->cts;
	tl->cts = ct;
	tl->nct++;
	if (!sip_tp_reliable(d->tp))
		(void)loop_timer_start(tl->l, &ct->tr, ms(ct->ival_ms), 0, ct_retrans, ct);
	(void)loop_timer_start(tl->l, &ct->tt, ms(64 * tl->c.t1_ms), 0, ct_timeout, ct);
	if (ret) {
		ct->refs++;
		*ret = ct;
	}
	return 0;
}

struct sip_ctran *sip_ctran_detach(struct sip_ctran *ct)
{
	if (ct) {
		ct->h = NULL;
		ct_unref(ct);
	}
	return NULL;
}

int sip_ctran_cancel(struct sip_ctran *ct)
{
	if (!ct || !ct->invite)
		return -EINVAL;
	if (ct->cancelled || ct->cancel_pending)
		return 0;
	if (ct->state == TS_PROCEEDING)
		return ct_send_cancel(ct);
	if (ct->state == TS_TRYING) {
		ct->cancel_pending = true;
		return 0;
	}
	return -EALREADY;
}

const struct sip_msg *sip_ctran_req(const struct sip_ctran *ct)
{
	return ct->req;
}

const struct sip_dest *sip_ctran_dest(const struct sip_ctran *ct)
{
	return &ct->d;
}

/* ---- server transactions ------------------------------------------------ */

static struct sip_stran *st_unref(struct sip_stran *st)
{
	if (st && --st->refs == 0) {
		sip_msg_unref(st->req);
		buf_unref(st->rsp);
		free(st);
	}
	return NULL;
}

static void st_terminate(struct sip_stran *st)
{
	struct sip_tl *tl = st->tl;
	struct sip_stran **pp;

	if (st->state == TS_TERMINATED)
		return;
	st->state = TS_TERMINATED;
	loop_timer_stop(tl->l, &st->tr);
	loop_timer_stop(tl->l, &st->tt);
	for (pp = &tl->sts; *pp; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			tl->nst--;
			st_unref(st);
			break;
		}
	}
}

static void st_fail(struct sip_stran *st, int err)
{
	st->refs++;
	st_terminate(st);
	if (st->h.fail)
		st->h.fail(st, err, st->arg);
	st_unref(st);
}

static int st_send(struct sip_stran *st)
{
	return sip_transp_send_resp(st->tl->tp, st->req, &st->src, st->rsp->data, st->rsp->len);
}

static void st_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_stran *st = arg;

	if (st->state == TS_COMPLETED && st->invite)
		st_fail(st, -ETIMEDOUT);        /* H: no ACK */
	else if (st->state == TS_ACCEPTED && !st->acked)
		st_fail(st, -ETIMEDOUT);        /* L without ACK to our 2xx */
	else
		st_terminate(st);               /* I, J, L */
}

static void st_retrans(struct loop *l, struct loop_timer *t, void *arg)
{
	struct sip_stran *st = arg;

	if (st->state == TS_TRYING && st->invite && !st->rsp) {
		(void)sip_stran_reply(st, 100, NULL, NULL, NULL); /* TU is slow */
		return;
	}
	if ((st->state != TS_COMPLETED && st->state != TS_ACCEPTED) || st->acked)
		return;
	if (st_send(st) < 0) {
		st_fail(st, -EIO);
		return;
	}
	st->ival_ms = MIN(st->ival_ms * 2, st->tl->c.t2_ms);
	(void)loop_timer_start(l, &st->tr, ms(st->ival_ms), 0, st_retrans, st);
}

int sip_stran_respond(struct sip_stran *st, uint16_t code, const struct buf *rsp)
{
	struct sip_tl *tl;
	struct buf *copy = NULL;
	bool reliable;
	int r;

	if (!st || !rsp || code < 100 || code > 699)
		return -EINVAL;
	if (st->state != TS_TRYING && st->state != TS_PROCEEDING)
		return -EALREADY;
	tl = st->tl;
	reliable = sip_tp_reliable(st->src.tp);
	r = buf_new_copy(&copy, rsp->data, rsp->len);
	if (r < 0)
		return r;
	buf_unref(st->rsp);
	st->rsp = copy;
	st->code = code;
	loop_timer_stop(tl->l, &st->tr);
	r = st_send(st);
	if (code < 200) {
		st->state = TS_PROCEEDING;
		return r;
	}
	st->ival_ms = tl->c.t1_ms;
	if (st->invite && code < 300) {
		st->state = TS_ACCEPTED;
		if (!reliable)
			(void)loop_timer_start(tl->l, &st->tr, ms(st->ival_ms), 0, st_retrans, st);
		(void)loop_timer_start(tl->l, &st->tt, ms(64 * tl->c.t1_ms), 0, st_timeout, st);
	} else if (st->invite) {
		st->state = TS_COMPLETED;
		if (!reliable)
			(void)loop_timer_start(tl->l, &st->tr, ms(st->ival_ms), 0, st_retrans, st);
		(void)loop_timer_start(tl->l, &st->tt, ms(64 * tl->c.t1_ms), 0, st_timeout, st);
	} else {
		st->state = TS_COMPLETED;
		(void)loop_timer_start(tl->l, &st->tt, reliable ? 0 : ms(64 * tl->c.t1_ms), 0,
				       st_timeout, st);
	}
	return r;
}

static int build_reply(struct buf **ret, const struct sip_msg *req, uint16_t code,
		       const char *reason, const char *to_tag, const char *extra)
{
	struct buf *b = NULL;
	struct sip_mb mb;
	int r;

	r = buf_new(&b, 512);
	if (r < 0)
		return r;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, req, code, reason, to_tag);
	if (extra)
		sip_mb_printf(&mb, "%s", extra);
	r = sip_mb_finish(&mb, NULL, NULL, 0);
	if (r < 0) {
		buf_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}

int sip_stran_reply(struct sip_stran *st, uint16_t code, const char *reason,
		    const char *to_tag, const char *extra_hdrs)
{
	struct buf *b = NULL;
	int r;

	if (!st)
		return -EINVAL;
	r = build_reply(&b, st->req, code, reason, to_tag, extra_hdrs);
	if (r == 0)
		r = sip_stran_respond(st, code, b);
	buf_unref(b);
	return r;
}

int sip_tl_reply_stateless(struct sip_tl *tl, const struct sip_msg *req,
			   const struct sip_src *src, uint16_t code, const char *reason,
			   const char *extra_hdrs)
{
	struct buf *b = NULL;
	int r;

	if (req->meth == SIP_METHOD_ACK)
		return 0;
	r = build_reply(&b, req, code, reason, NULL, extra_hdrs);
	if (r == 0)
		r = sip_transp_send_resp(tl->tp, req, src, b->data, b->len);
	buf_unref(b);
	return r;
}

void sip_stran_acked(struct sip_stran *st)
{
	if (st && !st->acked) {
		st->acked = true;
		loop_timer_stop(st->tl->l, &st->tr);
	}
}

bool sip_stran_final_sent(const struct sip_stran *st)
{
	return st->code >= 200;
}

struct sip_stran *sip_stran_ref(struct sip_stran *st)
{
	st->refs++;
	return st;
}

struct sip_stran *sip_stran_detach(struct sip_stran *st)
{
	if (st) {
		memset(&st->h, 0, sizeof(st->h));
		st_unref(st);
	}
	return NULL;
}

void sip_stran_set_handlers(struct sip_stran *st, const struct sip_stran_handlers *h,
			    void *arg)
{
	if (h)
		st->h = *h;
	else
		memset(&st->h, 0, sizeof(st->h));
	st->arg = arg;
}

const struct sip_msg *sip_stran_req(const struct sip_stran *st)
{
	return st->req;
}

const struct sip_src *sip_stran_src(const struct sip_stran *st)
{
	return &st->src;
}

/* ---- matching ------------------------------------------------------------ */

static bool magic(const struct pl *branch)
{
	return branch->l > 7 && strncmp(branch->p, "z9hG4bK", 7) == 0;
}

/* RFC 3261 17.2.3 (and a cheap RFC 2543 fallback); method: the method of
 * the transaction we look for */
static bool st_match(const struct sip_stran *st, const struct sip_msg *req,
		     enum sip_method method)
{
	const struct sip_via *a = &st->req->via[0], *b = &req->via[0];

	if (st->req->meth != method)
		return false;
	if (magic(&b->branch))
		return pl_eq(&a->branch, &b->branch) && pl_case_eq(&a->host, &b->host) &&
		       a->port == b->port;
	return pl_eq(&st->req->callid, &req->callid) && st->req->cseq.num == req->cseq.num &&
	       pl_eq(&st->req->from.tag, &req->from.tag) && pl_eq(&a->str, &b->str) &&
	       (req->meth == SIP_METHOD_ACK || pl_eq(&st->req->ruri.str, &req->ruri.str));
}

static struct sip_stran *st_find(struct sip_tl *tl, const struct sip_msg *req,
				 enum sip_method method)
{
	for (struct sip_stran *st = tl->sts; st; st = st->next)
		if (st_match(st, req, method))
			return st;
	return NULL;
}

static void on_cancel(struct sip_tl *tl, struct sip_stran *cst)
{
	struct sip_stran *inv = st_find(tl, cst->req, SIP_METHOD_INVITE);

	if (!inv) {
		(void)sip_stran_reply(cst, 481, NULL, NULL, NULL);
		return;
	}
	(void)sip_stran_reply(cst, 200, NULL, NULL, NULL);
	if (inv->code < 200 && inv->h.cancel) {
		inv->refs++;
		inv->h.cancel(inv, inv->arg);
		st_unref(inv);
	}
}

static void on_request(struct sip_tl *tl, struct sip_msg *req, const struct sip_src *src)
{
	struct sip_stran *st;
	enum sip_method tm = req->meth == SIP_METHOD_ACK ? SIP_METHOD_INVITE : req->meth;

	st = st_find(tl, req, tm);
	if (st) {
		if (req->meth == SIP_METHOD_ACK) {
			if (st->state == TS_COMPLETED) {
				st->state = TS_CONFIRMED;
				loop_timer_stop(tl->l, &st->tr);
				(void)loop_timer_start(tl->l, &st->tt,
						       sip_tp_reliable(st->src.tp) ? 0 :
						       ms(tl->c.t4_ms), 0, st_timeout, st);
				return;
			}
			if (st->state == TS_CONFIRMED)
				return;
			/* ACK to our 2xx with the INVITE's branch: TU */
		} else {
			if (st->rsp)
				(void)st_send(st); /* retransmission */
			return;
		}
	}
	if (req->meth == SIP_METHOD_ACK) {
		tl->reqh(NULL, req, src, tl->arg);
		return;
	}
	/* new out-of-dialog requests from one address share a token bucket
	 * (INVITE floods above all; OPTIONS/REGISTER/... floods too) */
	if (!req->to.tag.p && req->meth != SIP_METHOD_CANCEL &&
	    !sip_transp_invite_ok(tl->tp, &src->peer)) {
		if (!sip_transp_invite_drop(tl->tp))
			(void)sip_tl_reply_stateless(tl, req, src, 503, "Service Unavailable",
						     "Retry-After: 5\r\n");
		return;
	}
	/* in-dialog requests (BYE, re-INVITE) of established calls get four
	 * times the room of new ones, so a flood cannot starve them */
	if (tl->nst >= (req->to.tag.p ? 4 * tl->c.max_trans : tl->c.max_trans)) {
		(void)sip_tl_reply_stateless(tl, req, src, 503, "Service Unavailable",
					     "Retry-After: 5\r\n");
		return;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return;
	st->refs = 1;
	st->tl = tl;
	st->req = sip_msg_ref(req);
	st->src = *src;
	st->invite = req->meth == SIP_METHOD_INVITE;
	st->state = TS_TRYING;
	st->next = tl->sts;
	tl->sts = st;
	tl->nst++;
	st->refs++; /* for the duration of the callback */
	if (req->meth == SIP_METHOD_CANCEL) {
		on_cancel(tl, st);
	} else {
		if (st->invite)
			(void)loop_timer_start(tl->l, &st->tr, ms(tl->c.trying_ms), 0, st_retrans,
					       st);
		tl->reqh(st, req, src, tl->arg);
		if (st->refs == 2 && st->code < 200 && st->state != TS_TERMINATED)
			(void)sip_stran_reply(st, 500, "Request Not Handled", NULL, NULL);
	}
	st_unref(st);
}

static void on_response(struct sip_tl *tl, struct sip_msg *rsp)
{
	const struct pl *br = &rsp->via[0].branch;

	if (!rsp->nvia || !br->p || !rsp->cseq.method.p)
		return;
	for (struct sip_ctran *ct = tl->cts; ct; ct = ct->next) {
		if (pl_eq(&ct->req->via[0].branch, br) &&
		    ct->req->meth == rsp->cseq.meth &&
		    pl_case_eq(&ct->req->cseq.method, &rsp->cseq.method)) {
			ct_response(ct, rsp);
			return;
		}
	}
	log_debug(sip, "stray response %u", rsp->scode);
}

static void tl_recv(struct sip_msg *m, const struct sip_src *src, void *arg)
{
	struct sip_tl *tl = arg;

	if (m->req && sip_msg_can_reply(m))
		on_request(tl, m, src);
	else if (m->req)
		log_debug(sip, "request without the headers of a reply dropped");
	else
		on_response(tl, m);
}

static void tl_tperr(enum sip_transport tp, const struct net_addr *peer, int err, void *arg)
{
	struct sip_tl *tl = arg;
	struct sip_ctran *ct, *next;

	for (ct = tl->cts; ct; ct = next) {
		next = ct->next;
		if (ct->d.tp == tp && net_addr_eq(&ct->d.addr, peer) &&
		    (ct->state == TS_TRYING || ct->state == TS_PROCEEDING)) {
			/* ct_fail may run TU code that frees other transactions;
			 * restart the scan afterwards */
			ct_fail(ct, err);
			next = tl->cts;
		}
	}
}

/* ---- layer --------------------------------------------------------------- */

int sip_tl_request_start(struct sip_tl *tl, struct sip_mb *mb, const char *method,
			 const struct pl *ruri, const struct sip_dest *d,
			 char branch[SIP_BRANCH_LEN])
{
	struct net_addr la;
	char host[64], tok[24];
	int r;

	/* sent-by: our address for that transport, else any we listen on */
	r = sip_transp_laddr(tl->tp, d->tp, &d->addr, &la);
	for (int t = SIP_TP_UDP; r < 0 && t <= SIP_TP_TLS; t++)
		r = sip_transp_laddr(tl->tp, (enum sip_transport)t, &d->addr, &la);
	if (r < 0)
		return r;
	sip_rand_token(tok, sizeof(tok));
	snprintf(branch, SIP_BRANCH_LEN, "z9hG4bK%s", tok);
	net_addr_host(&la, host, sizeof(host));
	sip_mb_request(mb, method, ruri);
	sip_mb_printf(mb, "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;rport\r\n", sip_tp_name(d->tp),
		      net_addr_family(&la) == AF_INET6 ? "[" : "", host,
		      net_addr_family(&la) == AF_INET6 ? "]" : "", net_addr_port(&la), branch);
	return mb->err;
}

int sip_tl_new(struct sip_tl **ret, struct loop *l, const struct sip_tl_conf *tc,
	       const struct sip_transp_conf *pc, sip_tl_req_h reqh, void *arg)
{
	struct sip_tl *tl;
	int r;

	if (!ret || !l || !reqh)
		return -EINVAL;
	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return -ENOMEM;
	tl->l = l;
	if (tc)
		tl->c = *tc;
	if (!tl->c.t1_ms)
		tl->c.t1_ms = 500;
	if (!tl->c.t2_ms)
		tl->c.t2_ms = 4000;
	if (!tl->c.t4_ms)
		tl->c.t4_ms = 5000;
	if (!tl->c.trying_ms)
		tl->c.trying_ms = 200;
	if (!tl->c.max_trans)
		tl->c.max_trans = 1024;
	tl->reqh = reqh;
	tl->arg = arg;
	r = sip_transp_new(&tl->tp, l, pc, tl_recv, tl_tperr, tl);
	if (r < 0) {
		free(tl);
		return r;
	}
	*ret = tl;
	return 0;
}

struct sip_tl *sip_tl_free(struct sip_tl *tl)
{
	if (!tl)
		return NULL;
	while (tl->cts) {
		tl->cts->h = NULL;
		ct_terminate(tl->cts);
	}
	while (tl->sts) {
		memset(&tl->sts->h, 0, sizeof(tl->sts->h));
		st_terminate(tl->sts);
	}
	tl->tp = sip_transp_free(tl->tp);
	free(tl);
	return NULL;
}

struct sip_transp *sip_tl_transp(struct sip_tl *tl)
{
	return tl->tp;
}

struct loop *sip_tl_loop(struct sip_tl *tl)
{
	return tl->l;
}

void sip_tl_timers(const struct sip_tl *tl, uint32_t *ret_t1, uint32_t *ret_t2,
		   uint32_t *ret_t4)
{
	if (ret_t1)
		*ret_t1 = tl->c.t1_ms;
	if (ret_t2)
		*ret_t2 = tl->c.t2_ms;
	if (ret_t4)
		*ret_t4 = tl->c.t4_ms;
}

unsigned sip_tl_count(const struct sip_tl *tl)
{
	return tl->nct + tl->nst;
}

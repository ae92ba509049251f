/* main.c: rakwon-sipregistrar, a small SIP registrar and stateful proxy for
 * tests (UDP/TCP/TLS on loopback).
 *
 * REGISTER with digest authentication (MD5 or SHA-256 challenges, qop=auth)
 * for users given with --user NAME:PASSWORD or --users FILE (NAME:PASSWORD
 * lines); a location service keyed by the AOR user part; every other
 * request is proxied statefully (a server transaction upstream, a client
 * transaction downstream) to the registered contact of the R-URI user, or
 * to the R-URI itself when that is not us. INVITEs get a Record-Route so
 * in-dialog requests come through here too. CANCEL is forwarded by the
 * transaction layer's cancel hook; ACKs to 2xx are forwarded statelessly.
 *
 *   rakwon-sipregistrar --udp 127.0.0.1:5060 [--tcp A] [--tls A --cert F --key F]
 *        [--ca F] [--realm R] [--alg md5|sha256|both] --user alice:secret ...
 *        [--time-limit S] [--log SPEC]
 *   rakwon-sipregistrar --gen-pki DIR   writes DIR/ca.pem, DIR/srv.pem and
 *        DIR/srv.key (a throwaway CA and a server certificate for 127.0.0.1)
 * Prints "READY" on stdout once listening, and one line per registration
 * change ("REG alice sip:alice@127.0.0.1:5070 3600").
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "sip/sip_auth.h"
#include "sip/sip_tran.h"

LOG_TOPIC(registrar);

#define MAX_USERS 64
#define MAX_NONCES 64
#define NONCE_LIFE_US (300ull * 1000000)

struct user {
	char name[64], pass[64];
	char contact[256];          /* registered contact URI, "" when none */
	struct sip_src src;         /* where the REGISTER came from (flow) */
	uint64_t expires_us;
};

struct nonce {
	char v[40];
	uint64_t t_us;
};

struct reg {
	struct loop *l;
	struct sip_tl *tl;
	const char *realm;
	int alg;                    /* 0 md5, 1 sha256, 2 both */
	struct user users[MAX_USERS];
	unsigned nusers;
	struct nonce nonces[MAX_NONCES];
	unsigned nonce_i;
	struct fwd *fwds;
	struct net_addr laddr[3];
	enum sip_transport ltp[3];
	unsigned nl;
};

/* a proxied transaction pair */
struct fwd {
	struct fwd *next, **pprev;
	struct reg *r;
	struct sip_stran *st;
	struct sip_ctran *ct;
	struct loop_timer t;        /* INVITE 2xx: linger for retransmissions */
};

static struct user *user_find(struct reg *r, const struct pl *name)
{
	for (unsigned i = 0; i < r->nusers; i++)
		if (pl_eq_str(name, r->users[i].name))
			return &r->users[i];
	return NULL;
}

static int user_add(struct reg *r, const char *spec)
{
	const char *c = strchr(spec, ':');
	struct user *u;

	if (!c || r->nusers >= MAX_USERS || (size_t)(c - spec) >= sizeof(u->name) ||
	    strlen(c + 1) >= sizeof(u->pass))
		return -EINVAL;
	u = &r->users[r->nusers++];
	memset(u, 0, sizeof(*u));
	memcpy(u->name, spec, (size_t)(c - spec));
	snprintf(u->pass, sizeof(u->pass), "%s", c + 1);
	return 0;
}

static int users_file(struct reg *r, const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] && line[0] != '#')
			ret = user_add(r, line);
	}
	fclose(f);
	return ret;
}

static const char *nonce_new(struct reg *r)
{
	struct nonce *n = &r->nonces[r->nonce_i++ % MAX_NONCES];

	sip_rand_token(n->v, sizeof(n->v));
	n->t_us = loop_now_us(r->l);
	return n->v;
}

static bool nonce_ok(struct reg *r, const struct pl *v)
{
	for (unsigned i = 0; i < MAX_NONCES; i++)
		if (r->nonces[i].v[0] && pl_eq_str(v, r->nonces[i].v))
			return loop_now_us(r->l) - r->nonces[i].t_us < NONCE_LIFE_US;
	return false;
}

/* ---- registrar -------------------------------------------------------------- */

static void challenge(struct reg *r, struct sip_stran *st, bool stale)
{
	char extra[1024];
	size_t off = 0;
	const char *nonce = nonce_new(r);

	for (int a = 0; a < 2; a++) {
		struct buf *b = NULL;

		/* SHA-256 first (RFC 8760: in order of preference) */
		if ((a == 0 && r->alg == 0) || (a == 1 && r->alg == 1))
			continue;
		if (buf_new(&b, 256) < 0)
			return;
		if (sip_auth_challenge(b, r->realm, nonce, a == 0 ? SIP_AUTH_SHA256 : SIP_AUTH_MD5,
				       NULL, stale) == 0 && off < sizeof(extra))
			off += (size_t)snprintf(extra + off, sizeof(extra) - off,
						"WWW-Authenticate: %.*s\r\n", (int)b->len,
						(char *)b->data);
		buf_unref(b);
	}
	(void)sip_stran_reply(st, 401, NULL, "reg", extra);
}

static void on_register(struct reg *r, struct sip_stran *st, const struct sip_msg *req)
{
	const struct sip_hdr *h = sip_msg_hdr(req, SIP_HDR_AUTHORIZATION, 0);
	struct user *u = user_find(r, &req->to.uri.user);
	struct sip_digest cred;
	char extra[512];
	uint64_t exp;

	if (!u) {
		(void)sip_stran_reply(st, 404, NULL, "reg", NULL);
		return;
	}
	if (!h || sip_digest_parse(&cred, &h->val) < 0 || !pl_eq_str(&cred.username, u->name)) {
		challenge(r, st, false);
		return;
	}
	if (!nonce_ok(r, &cred.nonce)) {
		challenge(r, st, true);
		return;
	}
	{
		char nonce[64];

		if (pl_strcpy(&cred.nonce, nonce, sizeof(nonce)) < 0 ||
		    sip_auth_verify(&cred, "REGISTER", u->pass, r->realm, nonce) < 0) {
			(void)sip_stran_reply(st, 403, NULL, "reg", NULL);
			return;
		}
	}
	exp = req->expires >= 0 ? (uint64_t)req->expires : 3600;
	if (req->ncontact && !req->contact_star) {
		struct pl e;
		uint64_t v;

		if (sip_param_get(&req->contact.params, "expires", &e) == 0 &&
		    pl_u64(&e, 1u << 30, &v) == 0)
			exp = v;
	}
	if (exp > 7200)
		exp = 7200;
	if (req->contact_star || exp == 0) {
		if (u->contact[0])
			printf("UNREG %s\n", u->name);
		u->contact[0] = 0;
		(void)sip_stran_reply(st, 200, NULL, "reg", NULL);
		fflush(stdout);
		return;
	}
	if (req->ncontact) {
		if (pl_strcpy(&req->contact.uri.str, u->contact, sizeof(u->contact)) < 0) {
			(void)sip_stran_reply(st, 400, "Contact Too Long", "reg", NULL);
			return;
		}
		u->src = *sip_stran_src(st);
		u->expires_us = loop_now_us(r->l) + exp * 1000000;
		printf("REG %s %s %llu %s\n", u->name, u->contact, (unsigned long long)exp,
		       sip_tp_name(u->src.tp));
		fflush(stdout);
	}
	snprintf(extra, sizeof(extra), "Contact: <%s>;expires=%llu\r\n", u->contact,
		 (unsigned long long)(u->contact[0] ? exp : 0));
	(void)sip_stran_reply(st, 200, NULL, "reg", u->contact[0] ? extra : NULL);
}

/* ---- proxy ---------------------------------------------------------------- */

static bool is_us(struct reg *r, const struct sip_uri *u)
{
	struct net_addr a;
	char host[64];

	if (pl_strcpy(&u->host, host, sizeof(host)) < 0)
		return false;
	for (unsigned i = 0; i < r->nl; i++) {
		uint16_t def = r->ltp[i] == SIP_TP_TLS ? 5061 : 5060;

		if (net_addr_set(&a, host, u->port ? u->port : def) == 0 &&
		    net_addr_eq(&a, &r->laddr[i]))
			return true;
	}
	return false;
}

/* next hop for req: the registered contact of the R-URI user, or the R-URI */
static int next_hop(struct reg *r, const struct sip_msg *req, char *ruri, size_t cap,
		    struct sip_dest *d, bool *ret_route_popped)
{
	const struct sip_hdr *rt = sip_msg_hdr(req, SIP_HDR_ROUTE, 0);
	struct user *u = user_find(r, &req->ruri.user);
	struct sip_addr ra;
	int ret;

	*ret_route_popped = false;
	if (rt && sip_addr_parse(&ra, &rt->val) == 0 && is_us(r, &ra.uri)) {
		*ret_route_popped = true;
		rt = sip_msg_hdr(req, SIP_HDR_ROUTE, 1);
	}
	if (pl_strcpy(&req->ruri.str, ruri, cap) < 0)
		return -ENOBUFS;
	if (rt && sip_addr_parse(&ra, &rt->val) == 0)
		return sip_dest_from_uri(d, &ra.uri);
	if (is_us(r, &req->ruri) || (u && u->contact[0] && !req->to.tag.p)) {
		if (!u || !u->contact[0] || u->expires_us < loop_now_us(r->l))
			return -ENOENT;
		snprintf(ruri, cap, "%s", u->contact);
	}
	ret = sip_dest_from_str(d, ruri);
	/* reach a registered UA over its own flow when the transport fits */
	if (ret == 0 && u && u->contact[0] && u->src.tp == d->tp && sip_tp_reliable(d->tp))
		d->conn_id = u->src.conn_id;
	return ret;
}

/* the request as forwarded: new R-URI, our Via on top, Route popped,
 * Max-Forwards decremented, Record-Route for INVITE */
static int fwd_build(struct reg *r, const struct sip_msg *req, const char *ruri,
		     const struct sip_dest *d, const struct sip_src *in, bool pop,
		     struct buf **ret)
{
	struct buf *b = NULL;
	struct sip_mb mb;
	struct pl u = pl_str(ruri);
	char branch[SIP_BRANCH_LEN], ctype[128];
	bool popped = false;
	int e;

	e = buf_new(&b, req->len + 512);
	if (e < 0)
		return e;
	sip_mb_init(&mb, b);
	e = sip_tl_request_start(r->tl, &mb, req->method.p ? sip_method_name(req->meth) : "",
				 &u, d, branch);
	if (req->meth == SIP_METHOD_OTHER) {
		e = -ENOTSUP;
		goto out;
	}
	for (unsigned i = 0; i < req->nvia; i++)
		sip_mb_via(&mb, &req->via[i]);
	sip_mb_printf(&mb, "Max-Forwards: %d\r\n", req->max_forwards >= 0 ?
		      req->max_forwards - 1 : 69);
	if (req->meth == SIP_METHOD_INVITE) {
		struct net_addr la;
		char host[64];

		if (sip_transp_laddr(sip_tl_transp(r->tl), in->tp, NULL, &la) == 0)
			sip_mb_printf(&mb, "Record-Route: <sip:%s:%u;transport=%s;lr>\r\n",
				      net_addr_host(&la, host, sizeof(host)), net_addr_port(&la),
				      sip_tp_param(in->tp));
	}
	for (unsigned i = 0; i < req->nhdr; i++) {
		const struct sip_hdr *h = &req->hdr[i];

		if (h->id == SIP_HDR_VIA || h->id == SIP_HDR_MAX_FORWARDS ||
		    h->id == SIP_HDR_CONTENT_LENGTH || h->id == SIP_HDR_CONTENT_TYPE)
			continue;
		if (h->id == SIP_HDR_ROUTE && pop && !popped) {
			popped = true;
			continue;
		}
		sip_mb_hdr_raw(&mb, &h->name, &h->val);
	}
	if (pl_strcpy(&req->ctype, ctype, sizeof(ctype)) < 0)
		ctype[0] = 0;
	e = sip_mb_finish(&mb, ctype[0] ? ctype : NULL, req->body.p, req->body.l);
out:
	if (e < 0) {
		buf_unref(b);
		return e;
	}
	*ret = b;
	return 0;
}

/* a response from downstream, without our Via, to upstream */
static int rsp_build(const struct sip_msg *rsp, struct buf **ret)
{
	struct buf *b = NULL;
	struct sip_mb mb;
	char reason[128], ctype[128];
	int e;

	e = buf_new(&b, rsp->len + 64);
	if (e < 0)
		return e;
	if (pl_strcpy(&rsp->reason, reason, sizeof(reason)) < 0)
		snprintf(reason, sizeof(reason), "%s", sip_reason_phrase(rsp->scode));
	sip_mb_init(&mb, b);
	sip_mb_status(&mb, rsp->scode, reason);
	for (unsigned i = 1; i < rsp->nvia; i++)
		sip_mb_via(&mb, &rsp->via[i]);
	for (unsigned i = 0; i < rsp->nhdr; i++) {
		const struct sip_hdr *h = &rsp->hdr[i];

		if (h->id == SIP_HDR_VIA || h->id == SIP_HDR_CONTENT_LENGTH ||
		    h->id == SIP_HDR_CONTENT_TYPE)
			continue;
		sip_mb_hdr_raw(&mb, &h->name, &h->val);
	}
	if (pl_strcpy(&rsp->ctype, ctype, sizeof(ctype)) < 0)
		ctype[0] = 0;
	e = sip_mb_finish(&mb, ctype[0] ? ctype : NULL, rsp->body.p, rsp->body.l);
	if (e < 0) {
		buf_unref(b);
		return e;
	}
	*ret = b;
	return 0;
}

static void fwd_free(struct fwd *f)
{
	loop_timer_stop(f->r->l, &f->t);
	*f->pprev = f->next;
	if (f->next)
		f->next->pprev = f->pprev;
	f->st = sip_stran_detach(f->st);
	f->ct = sip_ctran_detach(f->ct);
	free(f);
}

static void fwd_linger(struct loop *l, struct loop_timer *t, void *arg)
{
	fwd_free(arg);
}

static void fwd_rsp(int err, const struct sip_msg *rsp, void *arg)
{
	struct fwd *f = arg;
	struct buf *b = NULL;

	if (!rsp) {
		if (f->st && !sip_stran_final_sent(f->st))
			(void)sip_stran_reply(f->st, err == -ETIMEDOUT ? 408 : 503, NULL, "prx", NULL);
		fwd_free(f);
		return;
	}
	if (rsp_build(rsp, &b) < 0)
		return;
	if (f->st && sip_stran_respond(f->st, rsp->scode, b) == -EALREADY && rsp->scode < 300)
		/* retransmitted 2xx: pass it on statelessly */
		(void)sip_transp_send_resp(sip_tl_transp(f->r->tl), sip_stran_req(f->st),
					   sip_stran_src(f->st), b->data, b->len);
	buf_unref(b);
	/* a non-2xx final ends the client transaction: no more calls; an
	 * INVITE's 2xx may be retransmitted for 64*T1 */
	if (rsp->scode >= 300 || (rsp->scode >= 200 && rsp->cseq.meth != SIP_METHOD_INVITE))
		fwd_free(f);
	else if (rsp->scode >= 200 && !loop_timer_active(&f->t))
		(void)loop_timer_start(f->r->l, &f->t, 32000000, 0, fwd_linger, f);
}

static void fwd_cancel(struct sip_stran *st, void *arg)
{
	struct fwd *f = arg;

	if (f->ct)
		(void)sip_ctran_cancel(f->ct);
}

static void fwd_fail(struct sip_stran *st, int err, void *arg)
{
	struct fwd *f = arg;

	f->st = sip_stran_detach(f->st);
}

static void proxy(struct reg *r, struct sip_stran *st, const struct sip_msg *req,
		  const struct sip_src *src)
{
	static const struct sip_stran_handlers sh = { .cancel = fwd_cancel, .fail = fwd_fail };
	struct sip_dest d;
	struct buf *b = NULL;
	char ruri[300];
	bool pop;
	struct fwd *f;
	int e;

	if (req->max_forwards == 0) {
		if (st)
			(void)sip_stran_reply(st, 483, NULL, "prx", NULL);
		return;
	}
	e = next_hop(r, req, ruri, sizeof(ruri), &d, &pop);
	if (e < 0) {
		if (st)
			(void)sip_stran_reply(st, e == -ENOENT ? 404 : 502, NULL, "prx", NULL);
		return;
	}
	e = fwd_build(r, req, ruri, &d, src, pop, &b);
	if (e < 0) {
		if (st)
			(void)sip_stran_reply(st, 500, NULL, "prx", NULL);
		return;
	}
	log_debug(registrar, "forward %.*s to %s", PL_FMT(req->method), ruri);
	if (!st) { /* ACK to a 2xx: stateless */
		(void)sip_transp_send(sip_tl_transp(r->tl), &d, b->data, b->len);
		buf_unref(b);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		buf_unref(b);
		(void)sip_stran_reply(st, 500, NULL, "prx", NULL);
		return;
	}
	f->r = r;
	f->next = r->fwds;
	if (f->next)
		f->next->pprev = &f->next;
	f->pprev = &r->fwds;
	r->fwds = f;
	f->st = sip_stran_ref(st);
	sip_stran_set_handlers(st, &sh, f);
	e = sip_ctran_new(&f->ct, r->tl, &d, b, fwd_rsp, f);
	buf_unref(b);
	if (e < 0) {
		(void)sip_stran_reply(st, 503, NULL, "prx", NULL);
		fwd_free(f);
	}
}

static void reqh(struct sip_stran *st, struct sip_msg *req, const struct sip_src *src,
		 void *arg)
{
	struct reg *r = arg;
	struct sip_check_cfg cfg = { .proxy = true };
	struct sip_verdict v;

	if (sip_msg_check(req, &cfg, &v)) {
		if (st) {
			struct buf *b = NULL;

			if (buf_new(&b, 512) == 0 && sip_reply_verdict(b, req, &v, "reg") == 0)
				(void)sip_stran_respond(st, v.code, b);
			buf_unref(b);
		}
		return;
	}
	if (req->meth == SIP_METHOD_REGISTER && st) {
		on_register(r, st, req);
		return;
	}
	if (req->meth == SIP_METHOD_OPTIONS && st && !req->ruri.user.p && is_us(r, &req->ruri)) {
		(void)sip_stran_reply(st, 200, NULL, "reg", "Allow: REGISTER, OPTIONS\r\n");
		return;
	}
	proxy(r, st, req, src);
}

/* ---- main ------------------------------------------------------------------ */

static int write_file(const char *dir, const char *name, const char *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(s, f);
	return fclose(f) == 0 ? 0 : -EIO;
}

static int gen_pki(const char *dir)
{
	struct pki_issue ca = { .subject = "CN=Rakwon SIP Test CA", .serial = 1, .days = 2,
				.is_ca = true };
	struct pki_issue srv = { .subject = "CN=127.0.0.1", .serial = 2, .days = 2,
				 .server = true, .san_dns = "127.0.0.1" };
	struct pki_key *cak = NULL, *sk = NULL;
	char *cap = NULL, *sp = NULL, *skp = NULL;
	int e;

	e = pki_key_generate(&cak);
	if (e == 0)
		e = pki_key_generate(&sk);
	if (e == 0)
		e = pki_ca_new(cak, &ca, &cap);
	if (e == 0)
		e = pki_cert_sign(sk, &srv, cap, strlen(cap), cak, &sp);
	if (e == 0)
		e = pki_key_write_pem(sk, &skp);
	if (e == 0)
		e = write_file(dir, "ca.pem", cap);
	if (e == 0)
		e = write_file(dir, "srv.pem", sp);
	if (e == 0)
		e = write_file(dir, "srv.key", skp);
	pki_key_free(cak);
	pki_key_free(sk);
	free(cap);
	free(sp);
	free(skp);
	return e;
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	loop_quit(l, 0);
}

static void on_limit(struct loop *l, struct loop_timer *t, void *arg)
{
	loop_quit(l, 0);
}

static int listen_on(struct reg *r, enum sip_transport tp, const char *s)
{
	struct net_addr a;
	int e;

	e = net_addr_parse(&a, s, tp == SIP_TP_TLS ? 5061 : 5060);
	if (e == 0)
		e = sip_transp_listen(sip_tl_transp(r->tl), tp, &a);
	if (e < 0) {
		fprintf(stderr, "listen %s %s: %s\n", sip_tp_name(tp), s, strerror(-e));
		return e;
	}
	r->laddr[r->nl] = a;
	r->ltp[r->nl++] = tp;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: rakwon-sipregistrar --udp ADDR [--tcp ADDR] [--tls ADDR --cert F "
			"--key F] [--ca F] [--realm R] [--alg md5|sha256|both] --user NAME:PASS ... "
			"[--users FILE] [--time-limit S] [--log SPEC]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "udp", required_argument, NULL, 'u' },  { "tcp", required_argument, NULL, 't' },
		{ "tls", required_argument, NULL, 's' },  { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },  { "ca", required_argument, NULL, 'a' },
		{ "realm", required_argument, NULL, 'r' }, { "alg", required_argument, NULL, 'g' },
		{ "user", required_argument, NULL, 'U' }, { "users", required_argument, NULL, 'F' },
		{ "time-limit", required_argument, NULL, 'T' },
		{ "log", required_argument, NULL, 'l' },
		{ "gen-pki", required_argument, NULL, 'G' }, { NULL, 0, NULL, 0 },
	};
	static struct reg r;
	struct sip_transp_conf pc = { .invite_rate = 50, .invite_burst = 100 };
	struct loop_timer limit = { 0 };
	const char *udp = NULL, *tcp = NULL, *tls = NULL;
	int ch, e, secs = 0;

	r.realm = "rakwon";
	r.alg = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': udp = optarg; break;
		case 't': tcp = optarg; break;
		case 's': tls = optarg; break;
		case 'c': pc.tls_cert = optarg; break;
		case 'k': pc.tls_key = optarg; break;
		case 'a': pc.tls_ca = optarg; break;
		case 'r': r.realm = optarg; break;
		case 'g': r.alg = !strcmp(optarg, "md5") ? 0 : !strcmp(optarg, "sha256") ? 1 : 2;
			  break;
		case 'U':
			if (user_add(&r, optarg) < 0) {
				usage();
				return 2;
			}
			break;
		case 'F':
			if (users_file(&r, optarg) < 0) {
				fprintf(stderr, "cannot read %s\n", optarg);
				return 2;
			}
			break;
		case 'T': secs = atoi(optarg); break;
		case 'l': (void)log_set_spec(optarg); break;
		case 'G':
			e = gen_pki(optarg);
			if (e < 0)
				fprintf(stderr, "gen-pki: %s\n", strerror(-e));
			return e < 0 ? 1 : 0;
		default: usage(); return 2;
		}
	}
	if (!udp && !tcp && !tls) {
		usage();
		return 2;
	}
	e = loop_new(&r.l);
	if (e == 0)
		e = loop_signal_add(r.l, SIGINT, on_signal, NULL);
	if (e == 0)
		e = loop_signal_add(r.l, SIGTERM, on_signal, NULL);
	if (e == 0)
		e = sip_tl_new(&r.tl, r.l, NULL, &pc, reqh, &r);
	if (e == 0 && udp)
		e = listen_on(&r, SIP_TP_UDP, udp);
	if (e == 0 && tcp)
		e = listen_on(&r, SIP_TP_TCP, tcp);
	if (e == 0 && tls)
		e = listen_on(&r, SIP_TP_TLS, tls);
	if (e < 0) {
		fprintf(stderr, "rakwon-sipregistrar: %s\n", strerror(-e));
		return 1;
	}
	if (secs > 0)
		(void)loop_timer_start(r.l, &limit, (uint64_t)secs * 1000000, 0, on_limit, NULL);
	printf("READY\n");
	fflush(stdout);
	e = loop_run(r.l);
	loop_timer_stop(r.l, &limit);
	while (r.fwds)
		fwd_free(r.fwds);
	r.tl = sip_tl_free(r.tl);
	r.l = loop_free(r.l);
	return e < 0 ? 1 : 0;
}

/* tp_ws.c: the control API's network transport: JSON-RPC over WebSocket and HTTP on lib/http, with logins, sessions and rate limits (see ctrl_ws.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "ctrl/ctrl_ws_int.h"
#include "lib/http/http.h"
#include "lib/http/http_int.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/tls.h"

LOG_TOPIC(ctrl_ws);

#define SESSIONS_MAX 256
#define FAILS_MAX 1024
#define PENDING_MAX 64
#define PING_US (30 * 1000000ULL)
#define IDLE_US (95 * 1000000ULL)
#define TOKEN_HEX 64

struct ws_session {
	char token[TOKEN_HEX + 1];
	char user[64];
	enum ctrl_role role;
	uint64_t last_us;
};

struct ws_fail {
	char addr[64];
	uint64_t start_us;
	unsigned count;
};

/* role decided on the upgrade request, picked up when the socket arrives */
struct ws_pending {
	char peer[64];
	bool authed;
	enum ctrl_role role;
	char token[TOKEN_HEX + 1];  /* the session used, "" for Basic */
	uint64_t t_us;
};

struct ws_client {
	struct ctrl_ws *w;
	int fd;
	struct tls *tls;
	char peer[64];
	bool authed, subscribed, closing;
	enum ctrl_role role;
	char token[TOKEN_HEX + 1];  /* session of this connection (logout ends it) */
	uint8_t *in;
	size_t in_len, in_cap;
	char *msg;                 /* fragmented message being reassembled */
	size_t msg_len;
	bool in_msg;
	uint8_t *out;
	size_t out_len, out_cap;
	uint64_t last_rx_us;
	struct loop_timer timer;
	struct ws_client *next, **pprev;
};

struct ctrl_ws {
	struct ctrl *c;
	struct loop *l;
	struct http_server *http;
	struct ctrl_ws_opts o;
	char creds_path[512];
	char static_dir[512];
	struct ctrl_cred *creds;
	size_t n_creds;
	struct ws_session sess[SESSIONS_MAX];
	struct ws_fail fails[FAILS_MAX];
	struct ws_pending pend[PENDING_MAX];
	struct ws_client *clients;
	unsigned nclients;
	struct ctrl_sink sink;
};

/* --- sessions, rate limit ----------------------------------------------------- */
static void addr_of(const char *peer, char *out, size_t len)
{
	const char *c = strrchr(peer, ':');
	size_t n = c ? (size_t)(c - peer) : strlen(peer);

	if (n >= len)
		n = len - 1;
	memcpy(out, peer, n);
	out[n] = '\0';
}

static bool rate_limited(struct ctrl_ws *w, const char *peer)
{
	char a[64];
	uint64_t now = loop_now_us(w->l), win = (uint64_t)w->o.fail_window_s * 1000000;

	addr_of(peer, a, sizeof(a));
	for (int i = 0; i < FAILS_MAX; i++) {
		struct ws_fail *f = &w->fails[i];

		if (f->count && !strcmp(f->addr, a))
			return now - f->start_us < win && f->count >= w->o.fail_max;
	}
	return false;
}

static void fail_note(struct ctrl_ws *w, const char *peer)
{
	char a[64];
	uint64_t now = loop_now_us(w->l), win = (uint64_t)w->o.fail_window_s * 1000000;
	struct ws_fail *slot = NULL, *oldest = &w->fails[0];

	addr_of(peer, a, sizeof(a));
	for (int i = 0; i < FAILS_MAX; i++) {
		struct ws_fail *f = &w->fails[i];

		if (f->count && !strcmp(f->addr, a)) {
			slot = f;
			break;
		}
		if (!f->count && !slot)
			slot = f;
		if (f->start_us < oldest->start_us)
			oldest = f;
	}
	if (!slot)
		slot = oldest;
	if (!slot->count || strcmp(slot->addr, a) || now - slot->start_us >= win) {
		snprintf(slot->addr, sizeof(slot->addr), "%s", a);
		slot->start_us = now;
		slot->count = 0;
	}
	slot->count++;
	log_debug(ctrl_ws, "failed login from %s (%u in window)", a, slot->count);
}

static struct ws_session *session_find(struct ctrl_ws *w, const char *token)
{
	uint64_t now = loop_now_us(w->l), ttl = (uint64_t)w->o.token_ttl_s * 1000000;

	if (strlen(token) != TOKEN_HEX)
		return NULL;
	for (int i = 0; i < SESSIONS_MAX; i++) {
		struct ws_session *s = &w->sess[i];

		if (!s->token[0])
			continue;
		if (now - s->last_us > ttl) {
			explicit_bzero(s, sizeof(*s));
			continue;
		}
		if (ctrl_ct_equal(s->token, token, TOKEN_HEX)) {
			s->last_us = now;
			return s;
		}
	}
	return NULL;
}

static struct ws_session *session_new(struct ctrl_ws *w, const char *user, enum ctrl_role role)
{
	struct ws_session *s = &w->sess[0];
	uint8_t rnd[TOKEN_HEX / 2];

	for (int i = 0; i < SESSIONS_MAX; i++) {
		if (!w->sess[i].token[0]) {
			s = &w->sess[i];
			break;
		}
		if (w->sess[i].last_us < s->last_us)
			s = &w->sess[i];      /* full: the least recently used goes */
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return NULL;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(s->token + 2 * i, 3, "%02x", rnd[i]);
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->role = role;
	s->last_us = loop_now_us(w->l);
	return s;
}

/* 0 ok, -EACCES wrong, -EAGAIN rate limited */
static int check_password(struct ctrl_ws *w, const char *peer, const char *user, const char *pw,
			  enum ctrl_role *role)
{
	bool ok = false;

	if (rate_limited(w, peer))
		return -EAGAIN;
	for (size_t i = 0; i < w->n_creds; i++)
		if (!strcmp(w->creds[i].user, user)) {
			ok = ctrl_creds_verify(w->creds[i].hash, pw) == 0;
			*role = w->creds[i].role;
			break;
		}
	if (!ok) {
		fail_note(w, peer);
		return -EACCES;
	}
	log_debug(ctrl_ws, "login of %s (%s) from %s", user, ctrl_role_name(*role), peer);
	return 0;
}

/* Authorization: Basic / Bearer, or ?token=; 1 authenticated, 0 no
 * credentials given, -EACCES, -EAGAIN */
static int http_auth(struct ctrl_ws *w, const struct http_req *req, enum ctrl_role *role,
		     char *used_token)
{
	const char *a = http_req_header(req, "Authorization");
	char tok[TOKEN_HEX + 2];
	struct ws_session *s;

	if (a && !strncasecmp(a, "Basic ", 6)) {
		char dec[384], *colon;
		size_t dl;
		int r;

		if (mbedtls_base64_decode((unsigned char *)dec, sizeof(dec) - 1, &dl,
					  (const unsigned char *)a + 6, strlen(a + 6)))
			return -EACCES;
		dec[dl] = '\0';
		colon = strchr(dec, ':');
		if (!colon || strlen(dec) != dl) {
			explicit_bzero(dec, sizeof(dec));
			return -EACCES;
		}
		*colon = '\0';
		r = check_password(w, req->peer, dec, colon + 1, role);
		explicit_bzero(dec, sizeof(dec));
		return r < 0 ? r : 1;
	}
	if (a && !strncasecmp(a, "Bearer ", 7))
		snprintf(tok, sizeof(tok), "%s", a + 7);
	else if (http_req_query(req, "token", tok, sizeof(tok)) < 0)
		return 0;
	if (rate_limited(w, req->peer))
		return -EAGAIN;
	s = session_find(w, tok);
	if (!s) {
		fail_note(w, req->peer);
		return -EACCES;
	}
	*role = s->role;
	if (used_token)
		memcpy(used_token, s->token, TOKEN_HEX + 1);
	explicit_bzero(tok, sizeof(tok));
	return 1;
}

/* --- client I/O ------------------------------------------------------------------ */
static void client_free(struct ws_client *k)
{
	struct ctrl_ws *w = k->w;

	loop_timer_stop(w->l, &k->timer);
	(void)loop_fd_del(w->l, k->fd);
	if (k->tls) {
		(void)tls_close_notify(k->tls);
		tls_free(k->tls);
	}
	close(k->fd);
	*k->pprev = k->next;
	if (k->next)
		k->next->pprev = k->pprev;
	w->nclients--;
	free(k->in);
	free(k->msg);
	free(k->out);
	free(k);
}

static void client_events(struct ws_client *k)
{
	uint32_t ev = EPOLLIN | (k->out_len ? EPOLLOUT : 0);

	if (k->tls)
		ev |= tls_want(k->tls);
	(void)loop_fd_mod(k->w->l, k->fd, ev);
}

/* write what we can; -errno if the client is gone */
static int client_flush(struct ws_client *k)
{
	while (k->out_len) {
		ssize_t n = http_io_write(k->fd, k->tls, k->out, k->out_len);

		if (n == -EAGAIN)
			break;
		if (n <= 0)
			return n < 0 ? (int)n : -EPIPE;
		memmove(k->out, k->out + n, k->out_len - (size_t)n);
		k->out_len -= (size_t)n;
	}
	client_events(k);
	return 0;
}

/* queue one frame; false if the client must be dropped (slow reader) */
static bool client_send(struct ws_client *k, uint8_t op, const void *data, size_t len)
{
	uint8_t h[10];
	size_t hl = 2;

	if (k->closing)
		return true;
	h[0] = 0x80 | op;
	if (len < 126) {
		h[1] = (uint8_t)len;
	} else if (len < 65536) {
		h[1] = 126;
		h[2] = (uint8_t)(len >> 8);
		h[3] = (uint8_t)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	if (k->out_len + hl + len > CTRL_OUTQ_MAX)
		return false;
	if (k->out_len + hl + len > k->out_cap) {
		size_t cap = (k->out_len + hl + len) * 2;
		uint8_t *o;

		if (cap > CTRL_OUTQ_MAX + 16)
			cap = CTRL_OUTQ_MAX + 16;
		o = realloc(k->out, cap);
		if (!o)
			return false;
		k->out = o;
		k->out_cap = cap;
	}
	memcpy(k->out + k->out_len, h, hl);
	memcpy(k->out + k->out_len + hl, data, len);
	k->out_len += hl + len;
	return true;
}

static void client_close(struct ws_client *k, int code)
{
	uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };

	if (k->closing)
		return;
	(void)client_send(k, WS_OP_CLOSE, p, 2);
	k->closing = true;
	log_debug(ctrl_ws, "%s: closing (%d)", k->peer, code);
}

static bool send_text(struct ws_client *k, const char *s, size_t len)
{
	return client_send(k, WS_OP_TEXT, s, len);
}

static void send_error(struct ws_client *k, const struct json *id, int code, const char *msg)
{
	struct json *o = NULL, *e = NULL, *idc = NULL;
	char *t = NULL;
	size_t tl;

	if (json_new_object(&o) < 0 || json_new_object(&e) < 0)
		goto out;
	(void)json_obj_set_str(o, "jsonrpc", "2.0");
	if (id && json_dup(&idc, id) == 0)
		(void)json_obj_set(o, "id", idc);
	else
		(void)json_obj_set_null(o, "id");
	(void)json_obj_set_int(e, "code", code);
	(void)json_obj_set_str(e, "message", msg);
	(void)json_obj_set(o, "error", e);
	e = NULL;
	if (json_print(o, 0, &t, &tl) == 0)
		(void)send_text(k, t, tl);
out:
	json_free(e);
	json_free(o);
	free(t);
}

static void send_result(struct ws_client *k, const struct json *id, struct json *res)
{
	struct json *o = NULL, *idc = NULL;
	char *t = NULL;
	size_t tl;

	if (json_new_object(&o) < 0) {
		json_free(res);
		return;
	}
	(void)json_obj_set_str(o, "jsonrpc", "2.0");
	if (id && json_dup(&idc, id) == 0)
		(void)json_obj_set(o, "id", idc);
	(void)json_obj_set(o, "result", res);
	if (json_print(o, 0, &t, &tl) == 0)
		(void)send_text(k, t, tl);
	json_free(o);
	free(t);
}

/* the "login" and "logout" methods belong to the transport */
static void do_login(struct ws_client *k, const struct json *req)
{
	struct ctrl_ws *w = k->w;
	const struct json *id = json_obj_get(req, "id");
	const char *user = NULL, *pw = NULL, *tok = NULL;
	struct json *params = NULL, *res = NULL;
	struct ws_session *s = NULL;
	enum ctrl_role role = CTRL_ROLE_USER;
	int r;

	(void)json_get_obj(req, "params", &params);
	(void)json_get_str(params, "user", &user);
	(void)json_get_str(params, "password", &pw);
	(void)json_get_str(params, "token", &tok);
	if (tok) {
		if (rate_limited(w, k->peer)) {
			send_error(k, id, CTRL_ERR_RATE_LIMITED, "too many failed logins, try later");
			return;
		}
		s = session_find(w, tok);
		if (!s) {
			fail_note(w, k->peer);
			send_error(k, id, CTRL_ERR_AUTH, "invalid or expired token");
			return;
		}
	} else if (user && pw) {
		r = check_password(w, k->peer, user, pw, &role);
		if (r == -EAGAIN) {
			send_error(k, id, CTRL_ERR_RATE_LIMITED, "too many failed logins, try later");
			return;
		}
		if (r < 0) {
			send_error(k, id, CTRL_ERR_AUTH, "wrong user name or password");
			return;
		}
		s = session_new(w, user, role);
		if (!s) {
			send_error(k, id, CTRL_ERR_INTERNAL, "no session");
			return;
		}
	} else {
		send_error(k, id, CTRL_ERR_INVALID_PARAMS, "login needs user and password, or token");
		return;
	}
	k->authed = true;
	k->role = s->role;
	memcpy(k->token, s->token, sizeof(k->token));
	if (json_new_object(&res) < 0)
		return;
	(void)json_obj_set_str(res, "token", s->token);
	(void)json_obj_set_str(res, "role", ctrl_role_name(s->role));
	(void)json_obj_set_str(res, "user", s->user);
	send_result(k, id, res);
}

static void handle_msg(struct ws_client *k, const char *msg, size_t len)
{
	struct ctrl_ws *w = k->w;
	struct json *req = NULL;
	const char *method = NULL;
	char *resp = NULL;
	bool sub = false;

	if (json_parse(&req, msg, len, NULL, NULL, 0) == 0 && json_is(req, JSON_OBJECT) &&
	    json_get_str(req, "method", &method) == 0) {
		if (!strcmp(method, "login")) {
			do_login(k, req);
			json_free(req);
			return;
		}
		if (!strcmp(method, "logout")) {
			struct ws_session *se = k->token[0] ? session_find(w, k->token) : NULL;

			/* the token is no longer accepted anywhere */
			if (se)
				explicit_bzero(se, sizeof(*se));
			explicit_bzero(k->token, sizeof(k->token));
			k->authed = false;
			k->role = CTRL_ROLE_USER;
			if (k->subscribed)
				k->subscribed = false;
			if (json_obj_get(req, "id"))
				send_result(k, json_obj_get(req, "id"), NULL);
			json_free(req);
			return;
		}
	}
	if (!k->authed && req) {
		send_error(k, json_is(req, JSON_OBJECT) ? json_obj_get(req, "id") : NULL,
			   CTRL_ERR_AUTH, "login first");
		json_free(req);
		return;
	}
	json_free(req);
	/* unparsable text from anyone gets the dispatcher's parse error */
	if (ctrl_dispatch(w->c, k->authed ? k->role : CTRL_ROLE_USER, msg, len, &resp, &sub) < 0)
		return;
	if (sub && k->authed)
		k->subscribed = true;
	if (resp)
		(void)send_text(k, resp, strlen(resp));
	free(resp);
}

/* process buffered frames; false if the client is to be freed now */
static bool client_frames(struct ws_client *k)
{
	struct ctrl_ws *w = k->w;
	size_t off = 0;

	while (!k->closing) {
		struct ws_frame f;
		uint8_t *p;
		int r = ws_frame_parse(k->in + off, k->in_len - off, w->o.max_msg, &f);

		if (r < 0) {
			client_close(k, -r);
			break;
		}
		if (r == 0)
			break;
		p = k->in + off + f.hdr_len;
		ws_unmask(p, f.len, f.mask);
		off += f.hdr_len + f.len;
		switch (f.op) {
		case WS_OP_PING:
			if (!client_send(k, WS_OP_PONG, p, f.len))
				return false;
			break;
		case WS_OP_PONG:
			break;
		case WS_OP_CLOSE:
			if (f.len == 1) {
				client_close(k, WS_CLOSE_PROTOCOL);
			} else {
				/* echo the code back */
				if (!client_send(k, WS_OP_CLOSE, p, f.len >= 2 ? 2 : 0))
					return false;
				k->closing = true;
			}
			break;
		case WS_OP_BINARY:
			client_close(k, WS_CLOSE_UNSUPPORTED);
			break;
		case WS_OP_TEXT:
		case WS_OP_CONT:
			if ((f.op == WS_OP_TEXT) == k->in_msg) {
				client_close(k, WS_CLOSE_PROTOCOL);
				break;
			}
			if (f.op == WS_OP_TEXT && f.fin) {
				if (!json_utf8_valid((const char *)p, f.len)) {
					client_close(k, WS_CLOSE_BAD_DATA);
					break;
				}
				handle_msg(k, (const char *)p, f.len);
				break;
			}
			if (k->msg_len + f.len > w->o.max_msg) {
				client_close(k, WS_CLOSE_TOO_BIG);
				break;
			}
			{
				char *m = realloc(k->msg, k->msg_len + f.len + 1);

				if (!m)
					return false;
				k->msg = m;
				memcpy(m + k->msg_len, p, f.len);
				k->msg_len += f.len;
			}
			k->in_msg = !f.fin;
			if (f.fin) {
				if (!json_utf8_valid(k->msg, k->msg_len))
					client_close(k, WS_CLOSE_BAD_DATA);
				else
					handle_msg(k, k->msg, k->msg_len);
				free(k->msg);
				k->msg = NULL;
				k->msg_len = 0;
			}
			break;
		}
	}
	if (off) {
		memmove(k->in, k->in + off, k->in_len - off);
		k->in_len -= off;
	}
	return true;
}

static void client_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct ws_client *k = arg;
	size_t cap = k->w->o.max_msg + 14;

	(void)l;
	(void)fd;
	(void)ev;
	for (;;) {
		ssize_t n;

		if (k->closing)
			break;
		if (k->in_len == k->in_cap) {
			/* grow towards one maximal frame */
			size_t nc = k->in_cap ? k->in_cap * 2 : 4096;
			uint8_t *b;

			if (nc > cap)
				nc = cap;
			if (nc <= k->in_cap) {
				client_close(k, WS_CLOSE_TOO_BIG);
				break;
			}
			b = realloc(k->in, nc);
			if (!b) {
				client_free(k);
				return;
			}
			k->in = b;
			k->in_cap = nc;
		}
		n = http_io_read(k->fd, k->tls, k->in + k->in_len, k->in_cap - k->in_len);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			client_free(k);
			return;
		}
		k->in_len += (size_t)n;
		k->last_rx_us = loop_now_us(k->w->l);
		if (!client_frames(k)) {
			client_free(k);
			return;
		}
	}
	if (client_flush(k) < 0 || (k->closing && !k->out_len)) {
		client_free(k);
		return;
	}
}

static void client_tick(struct loop *l, struct loop_timer *t, void *arg)
{
	struct ws_client *k = arg;

	(void)t;
	if (k->closing || loop_now_us(l) - k->last_rx_us > IDLE_US) {
		client_free(k);
		return;
	}
	if (!client_send(k, WS_OP_PING, "", 0) || client_flush(k) < 0)
		client_free(k);
}

static void sink_deliver(void *arg, const char *text, size_t len)
{
	struct ctrl_ws *w = arg;
	struct ws_client *k = w->clients, *next;

	for (; k; k = next) {
		next = k->next;
		if (!k->subscribed || !k->authed || k->closing)
			continue;
		if (!send_text(k, text, len) || client_flush(k) < 0) {
			log_debug(ctrl_ws, "%s: dropped (slow reader)", k->peer);
			client_free(k);
		}
	}
}

static void on_upgrade(int fd, struct tls *tls, const uint8_t *pending, size_t len,
		       const char *peer, void *arg)
{
	struct ctrl_ws *w = arg;
	struct ws_client *k;

	if (w->nclients >= w->o.max_clients || len > w->o.max_msg + 14) {
		if (tls)
			tls_free(tls);
		close(fd);
		return;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		if (tls)
			tls_free(tls);
		close(fd);
		return;
	}
	k->w = w;
	k->fd = fd;
	k->tls = tls;
	snprintf(k->peer, sizeof(k->peer), "%s", peer);
	for (int i = 0; i < PENDING_MAX; i++)
		if (w->pend[i].peer[0] && !strcmp(w->pend[i].peer, peer)) {
			k->authed = w->pend[i].authed;
			k->role = w->pend[i].role;
			memcpy(k->token, w->pend[i].token, sizeof(k->token));
			explicit_bzero(&w->pend[i], sizeof(w->pend[i]));
			break;
		}
	k->last_rx_us = loop_now_us(w->l);
	if (len) {
		k->in = malloc(len > 4096 ? len : 4096);
		if (!k->in) {
			if (tls)
				tls_free(tls);
			close(fd);
			free(k);
			return;
		}
		k->in_cap = len > 4096 ? len : 4096;
		memcpy(k->in, pending, len);
		k->in_len = len;
	}
	if (loop_fd_add(w->l, fd, EPOLLIN, client_io, k) < 0) {
		if (tls)
			tls_free(tls);
		close(fd);
		free(k->in);
		free(k);
		return;
	}
	k->next = w->clients;
	if (k->next)
		k->next->pprev = &k->next;
	k->pprev = &w->clients;
	w->clients = k;
	w->nclients++;
	(void)loop_timer_start(w->l, &k->timer, PING_US, PING_US, client_tick, k);
	/* bytes already buffered (pipelined or inside TLS) */
	if (k->in_len && !client_frames(k)) {
		client_free(k);
		return;
	}
	client_io(w->l, fd, EPOLLIN, k);
}

/* --- HTTP routes --------------------------------------------------------------- */
static bool header_has(const char *v, const char *token)
{
	size_t tl = strlen(token);

	for (const char *p = v; p && *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!strncasecmp(p, token, tl) && (!p[tl] || p[tl] == ',' || p[tl] == ' '))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

static void route_ws(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct ctrl_ws *w = arg;
	const char *up = http_req_header(req, "Upgrade");
	const char *conn = http_req_header(req, "Connection");
	const char *ver = http_req_header(req, "Sec-WebSocket-Version");
	const char *key = http_req_header(req, "Sec-WebSocket-Key");
	enum ctrl_role role = CTRL_ROLE_USER;
	char acc[32], tok[TOKEN_HEX + 1];
	uint8_t kb[32];
	size_t kl;
	int a, slot = -1;

	if (!up || strcasecmp(up, "websocket") || !conn || !header_has(conn, "upgrade")) {
		http_resp_error(rs, 426, "WebSocket upgrade required");
		(void)http_resp_header(rs, "Upgrade", "websocket");
		return;
	}
	if (!ver || strcmp(ver, "13")) {
		http_resp_error(rs, 426, "unsupported WebSocket version");
		(void)http_resp_header(rs, "Sec-WebSocket-Version", "13");
		return;
	}
	if (!key || strlen(key) != 24 ||
	    mbedtls_base64_decode(kb, sizeof(kb), &kl, (const unsigned char *)key, 24) || kl != 16) {
		http_resp_error(rs, 400, "bad Sec-WebSocket-Key");
		return;
	}
	if (w->nclients >= w->o.max_clients) {
		http_resp_error(rs, 503, "too many clients");
		return;
	}
	tok[0] = '\0';
	a = http_auth(w, req, &role, tok);
	if (a == -EAGAIN) {
		http_resp_error(rs, 429, "too many failed logins");
		(void)http_resp_header(rs, "Retry-After", "%u", w->o.fail_window_s);
		return;
	}
	if (a < 0) {
		http_resp_error(rs, 401, "wrong credentials");
		return;
	}
	if (ws_accept_key(key, acc) < 0) {
		http_resp_error(rs, 500, "accept key");
		return;
	}
	/* remember the role for the socket that arrives in on_upgrade */
	for (int i = 0; i < PENDING_MAX; i++) {
		if (!w->pend[i].peer[0] || loop_now_us(w->l) - w->pend[i].t_us > 30000000ULL ||
		    !strcmp(w->pend[i].peer, req->peer)) {
			slot = i;
			break;
		}
	}
	if (slot < 0)
		slot = 0;
	snprintf(w->pend[slot].peer, sizeof(w->pend[slot].peer), "%s", req->peer);
	w->pend[slot].authed = a > 0;
	w->pend[slot].role = role;
	memcpy(w->pend[slot].token, tok, sizeof(tok));
	w->pend[slot].t_us = loop_now_us(w->l);
	(void)http_resp_header(rs, "Sec-WebSocket-Accept", "%s", acc);
	(void)http_resp_upgrade(rs, "websocket", on_upgrade, w);
}

static void route_login(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct ctrl_ws *w = arg;
	struct json *body = NULL, *res = NULL;
	const char *user = NULL, *pw = NULL;
	enum ctrl_role role = CTRL_ROLE_USER;
	struct ws_session *s;
	int r;

	if (json_parse(&body, (const char *)req->body, req->body_len, NULL, NULL, 0) < 0 ||
	    json_get_str(body, "user", &user) < 0 || json_get_str(body, "password", &pw) < 0) {
		json_free(body);
		http_resp_error(rs, 400, "expected {\"user\",\"password\"}");
		return;
	}
	r = check_password(w, req->peer, user, pw, &role);
	if (r == -EAGAIN) {
		http_resp_error(rs, 429, "too many failed logins");
		(void)http_resp_header(rs, "Retry-After", "%u", w->o.fail_window_s);
	} else if (r < 0) {
		http_resp_error(rs, 401, "wrong user name or password");
	} else if (!(s = session_new(w, user, role)) || json_new_object(&res) < 0) {
		http_resp_error(rs, 500, "no session");
	} else {
		(void)json_obj_set_str(res, "token", s->token);
		(void)json_obj_set_str(res, "role", ctrl_role_name(s->role));
		(void)http_resp_json(rs, 200, res);
		(void)http_resp_header(rs, "Cache-Control", "no-store");
	}
	json_free(res);
	json_free(body);
}

static void route_rpc(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct ctrl_ws *w = arg;
	enum ctrl_role role = CTRL_ROLE_USER;
	char *resp = NULL;
	int a = http_auth(w, req, &role, NULL);

	if (a == -EAGAIN) {
		http_resp_error(rs, 429, "too many failed logins");
		return;
	}
	if (a <= 0) {
		http_resp_error(rs, 401, "login required");
		(void)http_resp_header(rs, "WWW-Authenticate", "Basic realm=\"rakwon\"");
		return;
	}
	if (ctrl_dispatch(w->c, role, (const char *)req->body, req->body_len, &resp, NULL) < 0) {
		http_resp_error(rs, 500, "dispatch failed");
		return;
	}
	if (resp)
		(void)http_resp_body_take(rs, "application/json", resp, strlen(resp));
	else
		http_resp_status(rs, 204);
}

static void route_static(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct ctrl_ws *w = arg;

	ctrl_ws_static(w->static_dir, req, rs);
}

/* --- lifetime ---------------------------------------------------------------- */
int ctrl_ws_reload_creds(struct ctrl_ws *w)
{
	struct ctrl_cred *cr;
	size_t n;
	int r = ctrl_creds_load(w->creds_path, &cr, &n);

	if (r < 0)
		return r;
	if (w->creds) {
		explicit_bzero(w->creds, CREDS_MAX * sizeof(*w->creds));
		free(w->creds);
	}
	w->creds = cr;
	w->n_creds = n;
	return 0;
}

static bool loopback(const char *a)
{
	return !strcmp(a, "127.0.0.1") || !strcmp(a, "::1");
}

int ctrl_ws_new(struct ctrl_ws **ret, struct ctrl *c, struct loop *l,
		const struct ctrl_ws_opts *o)
{
	struct ctrl_ws *w;
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	int r;

	if (!c || !l || !o->creds_path || strlen(o->creds_path) >= sizeof(w->creds_path) ||
	    (o->static_dir && strlen(o->static_dir) >= sizeof(w->static_dir)))
		return -EINVAL;
	if (!o->tls && !loopback(addr))
		return -EPERM;            /* plain HTTP only for local tests */
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->c = c;
	w->l = l;
	w->o = *o;
	w->o.addr = NULL;
	w->o.creds_path = NULL;
	w->o.static_dir = NULL;
	if (!w->o.max_clients || w->o.max_clients > CTRL_CLIENTS_MAX)
		w->o.max_clients = CTRL_CLIENTS_MAX;
	if (!w->o.max_msg || w->o.max_msg > CTRL_MSG_MAX)
		w->o.max_msg = CTRL_MSG_MAX;
	if (!w->o.fail_max)
		w->o.fail_max = 5;
	if (!w->o.fail_window_s)
		w->o.fail_window_s = 60;
	if (!w->o.token_ttl_s)
		w->o.token_ttl_s = 8 * 3600;
	strcpy(w->creds_path, o->creds_path);
	if (o->static_dir)
		strcpy(w->static_dir, o->static_dir);
	r = ctrl_ws_reload_creds(w);
	if (r < 0)
		goto fail;
	{
		struct http_limits lim;

		http_limits_default(&lim);
		lim.max_body = CTRL_MSG_MAX;
		r = http_server_new(&w->http, l, addr, o->port, o->tls, &lim);
	}
	if (r < 0)
		goto fail;
	if ((r = http_server_route(w->http, "GET", "/api/ws", route_ws, w)) < 0 ||
	    (r = http_server_route(w->http, "POST", "/api/login", route_login, w)) < 0 ||
	    (r = http_server_route(w->http, "POST", "/api/rpc", route_rpc, w)) < 0 ||
	    (r = http_server_route(w->http, "GET", "/", route_static, w)) < 0 ||
	    (r = http_server_route(w->http, "GET", "/*", route_static, w)) < 0)
		goto fail;
	w->sink.deliver = sink_deliver;
	w->sink.arg = w;
	ctrl_sink_add(c, &w->sink);
	*ret = w;
	return 0;
fail:
	http_server_free(w->http);
	free(w->creds);
	free(w);
	return r;
}

struct ctrl_ws *ctrl_ws_free(struct ctrl_ws *w)
{
	if (!w)
		return NULL;
	ctrl_sink_del(w->c, &w->sink);
	while (w->clients)
		client_free(w->clients);
	http_server_free(w->http);
	if (w->creds) {
		explicit_bzero(w->creds, CREDS_MAX * sizeof(*w->creds));
		free(w->creds);
	}
	explicit_bzero(w->sess, sizeof(w->sess));
	free(w);
	return NULL;
}

uint16_t ctrl_ws_port(const struct ctrl_ws *w)
{
	return http_server_port(w->http);
}

unsigned ctrl_ws_clients(const struct ctrl_ws *w)
{
	return w->nclients;
}

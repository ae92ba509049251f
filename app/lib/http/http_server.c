/* http_server.c: bounded non-blocking HTTP/1.1 server on the loop (see http.h).
 *
 * Connection states: HANDSHAKE (TLS only) -> HEAD -> BODY -> WRITE -> HEAD
 * (keep-alive) or closed. The input buffer grows to at most
 * max_header_bytes + max_body; the handler runs synchronously in BODY's
 * completion; the output is one buffer (head + in-memory body) followed by
 * an optional file streamed in 16 KiB chunks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/http/http_int.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/tls.h"

LOG_TOPIC(http);

#define FILE_CHUNK 16384

struct route {
	char method[16];
	char *pattern;
	size_t plen;
	bool prefix;
	http_handler_h h;
	void *arg;
	struct route *next;
};

enum conn_state {
	C_HANDSHAKE,
	C_HEAD,
	C_BODY,
	C_WRITE,
	C_DRAIN,        /* response sent, write side shut: discard until EOF */
};

struct http_resp {
	int status;
	char *hdrs;            /* extra header lines */
	size_t hdrs_len;
	char *body;
	size_t body_len;
	char ctype[96];
	int file_fd;
	off_t file_off;
	size_t file_len;
	uint64_t rate;           /* file body bytes per second, 0: unlimited */
	bool close;
	bool oom;
	http_upgrade_h upgrade;    /* 101: hand the connection over */
	void *upgrade_arg;
	char upgrade_proto[32];
};

struct conn {
	struct http_server *s;
	int fd;
	struct tls *tls;
	char peer[64];
	enum conn_state st;
	struct loop_timer timer;
	struct loop_timer pace;   /* resumes a rate-limited file body */
	uint64_t file_t0, file_sent;
	char *in;
	size_t in_len, in_cap;
	size_t head_len;          /* parsed head length, 0 while reading it */
	size_t body_len;
	struct http_header *hdrs;
	struct http_head head;
	bool keep_alive, head_only, write_then_read, continue_sent;
	unsigned nreq;
	struct http_resp resp;
	char *out;
	size_t out_len, out_off;
	char fbuf[FILE_CHUNK];
	size_t fbuf_len, fbuf_off;
	struct conn *next, **pprev;
};

struct http_server {
	struct loop *l;
	int fd;
	struct tls_conf *tls;
	struct http_limits lim;
	struct route *routes, **routes_tail;
	struct conn *conns;
	struct http_server_stats st;
};

static void conn_close(struct conn *c);
static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg);

/* --- response builder ----------------------------------------------------- */
void http_resp_status(struct http_resp *rs, int status)
{
	rs->status = status;
}

int http_resp_header(struct http_resp *rs, const char *name, const char *fmt, ...)
{
	char val[1024], *n;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(val) || strpbrk(val, "\r\n") ||
	    strpbrk(name, "\r\n: "))
		return -EINVAL;
	n = realloc(rs->hdrs, rs->hdrs_len + strlen(name) + (size_t)len + 5);
	if (!n) {
		rs->oom = true;
		return -ENOMEM;
	}
	rs->hdrs = n;
	rs->hdrs_len += (size_t)sprintf(n + rs->hdrs_len, "%s: %s\r\n", name, val);
	return 0;
}

int http_resp_body_take(struct http_resp *rs, const char *ctype, char *data, size_t len)
{
	free(rs->body);
	rs->body = data;
	rs->body_len = len;
	snprintf(rs->ctype, sizeof(rs->ctype), "%s", ctype ? ctype : "application/octet-stream");
	return 0;
}

int http_resp_body(struct http_resp *rs, const char *ctype, const void *data, size_t len)
{
	char *d = malloc(len + 1);

	if (!d) {
		rs->oom = true;
		return -ENOMEM;
	}
	if (len)
		memcpy(d, data, len);
	return http_resp_body_take(rs, ctype, d, len);
}

int http_resp_json(struct http_resp *rs, int status, const struct json *j)
{
	size_t len;
	char *out;
	int r;

	r = json_print(j, 0, &out, &len);
	if (r < 0) {
		rs->oom = true;
		return r;
	}
	rs->status = status;
	/* a newline makes curl output readable; still valid JSON */
	out[len] = '\0';
	return http_resp_body_take(rs, "application/json", out, len);
}

int http_resp_error(struct http_resp *rs, int status, const char *fmt, ...)
{
	char msg[512], q[1100], body[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_quote(q, sizeof(q), msg, strlen(msg));
	n = snprintf(body, sizeof(body), "{\"error\":%s,\"status\":%d}\n", q, status);
	rs->status = status;
	return http_resp_body(rs, "application/json", body, (size_t)n);
}

int http_resp_file(struct http_resp *rs, const char *ctype, int fd, off_t off, size_t len)
{
	if (rs->file_fd >= 0)
		close(rs->file_fd);
	rs->file_fd = fd;
	rs->file_off = off;
	rs->file_len = len;
	free(rs->body);
	rs->body = NULL;
	rs->body_len = 0;
	snprintf(rs->ctype, sizeof(rs->ctype), "%s", ctype ? ctype : "application/octet-stream");
	return 0;
}

void http_resp_close(struct http_resp *rs)
{
	rs->close = true;
}

void http_resp_rate_limit(struct http_resp *rs, uint64_t bytes_per_s)
{
	rs->rate = bytes_per_s;
}

int http_resp_upgrade(struct http_resp *rs, const char *protocol, http_upgrade_h cb, void *arg)
{
	if (!cb || !protocol || strlen(protocol) >= sizeof(rs->upgrade_proto) ||
	    strpbrk(protocol, "\r\n"))
		return -EINVAL;
	rs->status = 101;
	rs->upgrade = cb;
	rs->upgrade_arg = arg;
	strcpy(rs->upgrade_proto, protocol);
	return 0;
}

static void resp_reset(struct http_resp *rs)
{
	free(rs->hdrs);
	free(rs->body);
	if (rs->file_fd >= 0)
		close(rs->file_fd);
	memset(rs, 0, sizeof(*rs));
	rs->status = 200;
	rs->file_fd = -1;
}

/* --- request helpers -------------------------------------------------------- */
const char *http_req_header(const struct http_req *r, const char *name)
{
	return http_hdr_find(r->hdrs, r->n_hdrs, name);
}

int http_req_query(const struct http_req *r, const char *key, char *buf, size_t len)
{
	const char *p = r->query;
	size_t kl = strlen(key);

	while (p && *p) {
		const char *e = strchr(p, '&'), *eq;
		size_t n = e ? (size_t)(e - p) : strlen(p);

		eq = memchr(p, '=', n);
		if ((eq ? (size_t)(eq - p) : n) == kl && !memcmp(p, key, kl)) {
			size_t vl = eq ? n - kl - 1 : 0;

			if (vl >= len)
				return -E2BIG;
			memcpy(buf, eq ? eq + 1 : "", vl);
			buf[vl] = '\0';
			for (char *c = buf; *c; c++)
				if (*c == '+')
					*c = ' ';
			return http_pct_decode(buf, NULL);
		}
		p = e ? e + 1 : NULL;
	}
	return -ENOENT;
}

/* --- connections ---------------------------------------------------------- */
static void conn_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct conn *c = arg;

	(void)l;
	(void)t;
	log_debug(http, "%s: timeout in state %d", c->peer, c->st);
	conn_close(c);
}

static void conn_arm(struct conn *c, uint64_t us)
{
	(void)loop_timer_start(c->s->l, &c->timer, us, 0, conn_timeout, c);
}

static void conn_close(struct conn *c)
{
	struct http_server *s = c->s;

	loop_timer_stop(s->l, &c->timer);
	loop_timer_stop(s->l, &c->pace);
	(void)loop_fd_del(s->l, c->fd);
	if (c->tls) {
		(void)tls_close_notify(c->tls);
		tls_free(c->tls);
	}
	close(c->fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	resp_reset(&c->resp);
	free(c->in);
	free(c->out);
	free(c->hdrs);
	free(c);
	s->st.conns_open--;
}

/* the response to an upgrade is out: give fd, tls and pending bytes away */
static void conn_handover(struct conn *c)
{
	struct http_server *s = c->s;
	size_t used = c->head_len + c->body_len;
	http_upgrade_h cb = c->resp.upgrade;
	void *arg = c->resp.upgrade_arg;
	int fd = c->fd;
	struct tls *t = c->tls;
	char peer[sizeof(c->peer)];
	uint8_t *pend = NULL;
	size_t plen = c->in_len > used ? c->in_len - used : 0;

	memcpy(peer, c->peer, sizeof(peer));
	if (plen) {
		pend = malloc(plen);
		if (!pend) {
			conn_close(c);
			return;
		}
		memcpy(pend, c->in + used, plen);
	}
	loop_timer_stop(s->l, &c->timer);
	loop_timer_stop(s->l, &c->pace);
	(void)loop_fd_del(s->l, c->fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	resp_reset(&c->resp);
	free(c->in);
	free(c->out);
	free(c->hdrs);
	free(c);
	s->st.conns_open--;
	cb(fd, t, pend, plen, peer, arg);
	free(pend);
}

static void build_out(struct conn *c)
{
	struct http_resp *rs = &c->resp;
	size_t blen = rs->file_fd >= 0 ? rs->file_len : rs->body_len;
	char date[64], *o;
	struct tm tm;
	time_t now = time(NULL);
	int n;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (rs->close || c->nreq >= c->s->lim.max_requests)
		c->keep_alive = false;
	free(c->out);
	c->out_len = c->out_off = 0;
	o = malloc(512 + rs->hdrs_len + (c->head_only ? 0 : rs->body_len));
	if (!o) {
		c->out = NULL;
		c->keep_alive = false;
		return;
	}
	if (rs->upgrade)
		n = sprintf(o, "HTTP/1.1 101 Switching Protocols\r\nServer: rakwon\r\n"
			    "Upgrade: %s\r\nConnection: Upgrade\r\n", rs->upgrade_proto);
	else
		n = sprintf(o, "HTTP/1.1 %d %s\r\nServer: rakwon\r\nDate: %s\r\n"
			    "Content-Length: %zu\r\nConnection: %s\r\n", rs->status,
			    http_status_text(rs->status), date, blen,
			    c->keep_alive ? "keep-alive" : "close");
	if (rs->ctype[0] && rs->status != 304 && !rs->upgrade)
		n += sprintf(o + n, "Content-Type: %.90s\r\n", rs->ctype);
	if (rs->hdrs_len)
		memcpy(o + n, rs->hdrs, rs->hdrs_len);
	n += (int)rs->hdrs_len;
	memcpy(o + n, "\r\n", 2);
	n += 2;
	if (!c->head_only && rs->body_len) {
		memcpy(o + n, rs->body, rs->body_len);
		n += (int)rs->body_len;
	}
	if (c->head_only && rs->file_fd >= 0) {
		close(rs->file_fd);
		rs->file_fd = -1;
	}
	c->out = o;
	c->out_len = (size_t)n;
	if (rs->status >= 500)
		c->s->st.responses_5xx++;
	else if (rs->status >= 400)
		c->s->st.responses_4xx++;
}

/* answer with an error and close afterwards (the stream may be garbage) */
static void conn_fail(struct conn *c, int status, const char *msg)
{
	resp_reset(&c->resp);
	http_resp_error(&c->resp, status, "%s", msg);
	c->keep_alive = false;
	c->head_only = false;
	c->st = C_WRITE;
	build_out(c);
	conn_arm(c, c->s->lim.req_timeout_us);
	(void)loop_fd_mod(c->s->l, c->fd, EPOLLOUT);
}

static bool route_match(const struct route *rt, const char *method, const char *path,
			const char **rest)
{
	(void)method;
	if (rt->prefix) {
		if (strncmp(path, rt->pattern, rt->plen) != 0 || path[rt->plen] != '/' ||
		    !path[rt->plen + 1])
			return false;
		*rest = path + rt->plen + 1;
		return true;
	}
	*rest = "";
	return strcmp(path, rt->pattern) == 0;
}

static void dispatch(struct conn *c)
{
	struct http_server *s = c->s;
	struct http_req req = { 0 };
	struct route *rt;
	bool path_found = false;
	char *path, *query;
	const char *rest;

	s->st.requests++;
	c->nreq++;
	resp_reset(&c->resp);
	c->keep_alive = c->head.keep_alive;
	c->head_only = !strcmp(c->head.method, "HEAD");
	if (http_path_clean(c->head.target, &path, &query) < 0) {
		http_resp_error(&c->resp, 400, "invalid request path");
		goto out;
	}
	req.method = c->head.method;
	req.target = c->head.target;
	req.path = path;
	req.query = query;
	req.version_minor = c->head.version_minor;
	req.hdrs = c->hdrs;
	req.n_hdrs = c->head.n_hdrs;
	req.body = (const uint8_t *)c->in + c->head_len;
	req.body_len = c->body_len;
	req.peer = c->peer;
	req.tls = c->tls;
	for (rt = s->routes; rt; rt = rt->next) {
		if (!route_match(rt, req.method, path, &rest))
			continue;
		path_found = true;
		if (strcmp(rt->method, "*") && strcmp(rt->method, req.method) &&
		    !(c->head_only && !strcmp(rt->method, "GET")))
			continue;
		req.rest = rest;
		rt->h(&req, &c->resp, rt->arg);
		if (c->resp.oom) {
			resp_reset(&c->resp);
			http_resp_error(&c->resp, 500, "out of memory");
		}
		goto out;
	}
	if (path_found)
		http_resp_error(&c->resp, 405, "method %s not allowed here", req.method);
	else
		http_resp_error(&c->resp, 404, "no such resource");
out:
	c->st = C_WRITE;
	build_out(c);
}

/* after a response: keep the pipelined bytes, go back to reading */
static void conn_next(struct conn *c)
{
	size_t used = c->head_len + c->body_len;

	if (c->in_len > used)
		memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	c->head_len = c->body_len = 0;
	c->continue_sent = false;
	c->file_t0 = c->file_sent = 0;
	c->st = C_HEAD;
	resp_reset(&c->resp);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	conn_arm(c, c->s->lim.idle_timeout_us);
}

static int ensure_in(struct conn *c, size_t need)
{
	char *n;
	size_t i;

	if (need <= c->in_cap)
		return 0;
	n = realloc(c->in, need);
	if (!n)
		return -ENOMEM;
	/* a parsed head points into the buffer: move those pointers along */
	if (c->head_len && n != c->in) {
#define REBASE(ptr) ((ptr) = (ptr) ? n + ((ptr) - c->in) : NULL)
		REBASE(c->head.method);
		REBASE(c->head.target);
		for (i = 0; i < c->head.n_hdrs; i++) {
			REBASE(c->hdrs[i].name);
			REBASE(c->hdrs[i].value);
		}
#undef REBASE
	}
	c->in = n;
	c->in_cap = need;
	return 0;
}

/* try to complete HEAD/BODY from buffered input; true if progress */
static bool conn_parse(struct conn *c)
{
	const struct http_limits *lim = &c->s->lim;
	int r;

	if (c->st == C_HEAD) {
		size_t end = http_head_end(c->in, c->in_len);

		if (!end) {
			if (c->in_len >= lim->max_header_bytes) {
				conn_fail(c, 431, "request head too large");
				return true;
			}
			return false;
		}
		if (end > lim->max_header_bytes) {
			conn_fail(c, 431, "request head too large");
			return true;
		}
		r = http_parse_request(c->in, end, lim, c->hdrs, lim->max_headers, &c->head);
		if (r < 0) {
			conn_fail(c, -r, r == -414 ? "request URI too long" :
				  r == -431 ? "too many header fields" :
				  r == -501 ? "transfer coding not supported" :
				  r == -505 ? "HTTP version not supported" : "malformed request");
			return true;
		}
		c->head_len = end;
		if (c->head.content_length > (int64_t)lim->max_body) {
			conn_fail(c, 413, "request body too large");
			return true;
		}
		c->body_len = c->head.content_length > 0 ? (size_t)c->head.content_length : 0;
		if (ensure_in(c, c->head_len + c->body_len + 1) < 0) {
			conn_fail(c, 500, "out of memory");
			return true;
		}
		c->st = C_BODY;
		conn_arm(c, lim->req_timeout_us);
		if (c->head.expect_continue && c->body_len &&
		    c->in_len < c->head_len + c->body_len) {
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

			c->out = strdup(cont);
			c->out_len = c->out ? sizeof(cont) - 1 : 0;
			c->out_off = 0;
			c->write_then_read = true;
			c->st = C_WRITE;
			(void)loop_fd_mod(c->s->l, c->fd, EPOLLOUT);
			return true;
		}
	}
	if (c->st == C_BODY) {
		if (c->in_len < c->head_len + c->body_len)
			return false;
		/* NUL after the body for handlers' convenience (room reserved);
		 * a pipelined byte there is restored after the handler ran */
		{
			char *at = c->in + c->head_len + c->body_len;
			char save = *at;

			*at = '\0';
			dispatch(c);
			if (c->in_len > c->head_len + c->body_len)
				*at = save;
		}
		return true;
	}
	return false;
}

static int conn_write(struct conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->out_off < c->out_len) {
			n = http_io_write(c->fd, c->tls, c->out + c->out_off, c->out_len - c->out_off);
			if (n < 0)
				return (int)n;
			c->out_off += (size_t)n;
			continue;
		}
		if (c->write_then_read)
			return 0;
		if (c->resp.file_fd < 0 || (!c->resp.file_len && c->fbuf_off == c->fbuf_len))
			return 0;
		if (c->fbuf_off == c->fbuf_len) {
			size_t want = c->resp.file_len < FILE_CHUNK ? c->resp.file_len : FILE_CHUNK;

			if (c->resp.rate) {
				uint64_t now = loop_now_us(c->s->l), allowed;

				if (!c->file_t0)
					c->file_t0 = now;
				allowed = FILE_CHUNK + (now - c->file_t0) * c->resp.rate / 1000000;
				if (c->file_sent >= allowed)
					return -EBUSY;   /* over budget: pause */
			}
			n = pread(c->resp.file_fd, c->fbuf, want, c->resp.file_off);
			if (n <= 0)
				return -EIO;    /* file shrank: the length is a lie, drop */
			c->fbuf_len = (size_t)n;
			c->fbuf_off = 0;
			c->file_sent += (size_t)n;
			c->resp.file_off += n;
			c->resp.file_len -= (size_t)n;
		}
		n = http_io_write(c->fd, c->tls, c->fbuf + c->fbuf_off, c->fbuf_len - c->fbuf_off);
		if (n < 0)
			return (int)n;
		c->fbuf_off += (size_t)n;
		/* a long download is fine as long as it progresses */
		conn_arm(c, c->s->lim.req_timeout_us);
	}
}

static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg);

static void pace_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	struct conn *c = arg;

	(void)t;
	(void)loop_fd_mod(l, c->fd, EPOLLOUT);
	conn_io(l, c->fd, EPOLLOUT, c);
}

static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct conn *c = arg;
	ssize_t n;
	int r;

	(void)fd;
	(void)ev;
	for (;;) {
		switch (c->st) {
		case C_HANDSHAKE:
			r = tls_handshake(c->tls);
			if (r == -EAGAIN) {
				(void)loop_fd_mod(l, c->fd, tls_want(c->tls));
				return;
			}
			if (r < 0) {
				log_debug(http, "%s: %s", c->peer, tls_error(c->tls));
				c->s->st.tls_failures++;
				conn_close(c);
				return;
			}
			c->st = C_HEAD;
			conn_arm(c, c->s->lim.idle_timeout_us);
			break;
		case C_HEAD:
		case C_BODY:
			if (conn_parse(c))
				break;
			/* grow only while reading a head: in BODY the buffer was sized
			 * for head + body when the head was parsed */
			if (c->st == C_HEAD &&
			    ensure_in(c, c->in_len + 4096 > c->in_cap ? c->in_len + 4096 : 0) < 0) {
				conn_close(c);
				return;
			}
			{
				size_t room = c->st == C_HEAD ?
					c->s->lim.max_header_bytes + 1 - c->in_len :
					c->head_len + c->body_len - c->in_len;

				if (room > c->in_cap - c->in_len)
					room = c->in_cap - c->in_len;
				n = http_io_read(c->fd, c->tls, c->in + c->in_len, room);
			}
			if (n == -EAGAIN) {
				(void)loop_fd_mod(l, c->fd, c->tls ? tls_want(c->tls) : EPOLLIN);
				return;
			}
			if (n <= 0) {
				conn_close(c);
				return;
			}
			if (c->st == C_HEAD && c->in_len == 0)
				conn_arm(c, c->s->lim.req_timeout_us);
			c->in_len += (size_t)n;
			break;
		case C_WRITE:
			r = conn_write(c);
			if (r == -EBUSY) {
				/* rate limit: sleep one chunk's worth, without EPOLLOUT */
				(void)loop_fd_mod(l, c->fd, 0);
				(void)loop_timer_start(l, &c->pace, FILE_CHUNK * 1000000ULL /
						       c->resp.rate + 1000, 0, pace_cb, c);
				conn_arm(c, c->s->lim.req_timeout_us);
				return;
			}
			if (r == -EAGAIN) {
				(void)loop_fd_mod(l, c->fd, c->tls ? tls_want(c->tls) : EPOLLOUT);
				return;
			}
			if (r < 0) {
				conn_close(c);
				return;
			}
			if (c->resp.upgrade) {
				conn_handover(c);
				return;
			}
			if (c->write_then_read) {
				c->write_then_read = false;
				free(c->out);
				c->out = NULL;
				c->out_len = c->out_off = 0;
				c->st = C_BODY;
				break;
			}
			if (!c->keep_alive) {
				/* lingering close: a client still sending a body we
				 * refused must get to read our answer, not a reset */
				if (c->tls)
					(void)tls_close_notify(c->tls);
				(void)shutdown(c->fd, SHUT_WR);
				c->st = C_DRAIN;
				conn_arm(c, 2000000);
				(void)loop_fd_mod(l, c->fd, EPOLLIN);
				break;
			}
			conn_next(c);
			break;
		case C_DRAIN: {
			char junk[4096];

			do
				n = recv(c->fd, junk, sizeof(junk), 0);
			while (n > 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			conn_close(c);
			return;
		}
		}
	}
}

static void on_accept(struct loop *l, int lfd, uint32_t ev, void *arg)
{
	struct http_server *s = arg;
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char host[INET6_ADDRSTRLEN] = "?";
	struct conn *c;
	int fd, one = 1;
	uint16_t port = 0;

	(void)ev;
	for (;;) {
		sl = sizeof(sa);
		fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		s->st.conns_accepted++;
		if (s->st.conns_open >= s->lim.max_conns) {
			s->st.conns_refused++;
			close(fd);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->hdrs = calloc(s->lim.max_headers ? s->lim.max_headers : 1, sizeof(*c->hdrs));
		c->s = s;
		c->fd = fd;
		c->resp.file_fd = -1;
		if (sa.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&sa;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (sa.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host, port);
		c->st = s->tls ? C_HANDSHAKE : C_HEAD;
		c->next = s->conns;
		if (c->next)
			c->next->pprev = &c->next;
		c->pprev = &s->conns;
		s->conns = c;
		s->st.conns_open++;
		if (!c->hdrs || (s->tls && tls_new(&c->tls, s->tls, fd, NULL) < 0) ||
		    loop_fd_add(l, fd, EPOLLIN, conn_io, c) < 0) {
			conn_close(c);
			continue;
		}
		conn_arm(c, s->lim.idle_timeout_us);
	}
}

int http_server_new(struct http_server **ret, struct loop *l, const char *addr,
		    uint16_t port, struct tls_conf *tls, const struct http_limits *lim)
{
	struct sockaddr_storage sa = { 0 };
	struct http_server *s;
	socklen_t sl;
	int one = 1, r;

	if (!ret || !l)
		return -EINVAL;
	if (!addr)
		addr = "127.0.0.1";
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&sa)->sin_addr) == 1) {
		sa.ss_family = AF_INET;
		((struct sockaddr_in *)&sa)->sin_port = htons(port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&sa)->sin6_addr) == 1) {
		sa.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->l = l;
	s->routes_tail = &s->routes;
	if (lim)
		s->lim = *lim;
	else
		http_limits_default(&s->lim);
	s->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		r = -errno;
		goto fail;
	}
	(void)setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sl) < 0 || listen(s->fd, 128) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_fd_add(l, s->fd, EPOLLIN, on_accept, s);
	if (r < 0)
		goto fail;
	s->tls = tls_conf_ref(tls);
	*ret = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return r;
}

struct http_server *http_server_free(struct http_server *s)
{
	struct route *rt;

	if (!s)
		return NULL;
	while (s->conns)
		conn_close(s->conns);
	(void)loop_fd_del(s->l, s->fd);
	close(s->fd);
	while ((rt = s->routes)) {
		s->routes = rt->next;
		free(rt->pattern);
		free(rt);
	}
	tls_conf_unref(s->tls);
	free(s);
	return NULL;
}

uint16_t http_server_port(const struct http_server *s)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);

	if (getsockname(s->fd, (struct sockaddr *)&sa, &sl) < 0)
		return 0;
	if (sa.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&sa)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
}

int http_server_route(struct http_server *s, const char *method, const char *pattern,
		      http_handler_h h, void *arg)
{
	struct route *rt;
	size_t n;

	if (!s || !method || !pattern || pattern[0] != '/' || !h ||
	    strlen(method) >= sizeof(rt->method))
		return -EINVAL;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->pattern = strdup(pattern);
	if (!rt->pattern) {
		free(rt);
		return -ENOMEM;
	}
	n = strlen(pattern);
	if (n >= 2 && !strcmp(pattern + n - 2, "/*")) {
		rt->prefix = true;
		n -= 2;
		rt->pattern[n] = '\0';
	}
	rt->plen = n;
	strcpy(rt->method, method);
	rt->h = h;
	rt->arg = arg;
	*s->routes_tail = rt;
	s->routes_tail = &rt->next;
	return 0;
}

void http_server_stats(const struct http_server *s, struct http_server_stats *ret)
{
	*ret = s->st;
}

/* http_client.c: one-shot non-blocking HTTP/1.1 client on the loop (see http.h).
 *
 * States: CONNECT -> [HANDSHAKE -> on_tls check] -> SEND -> HEAD -> BODY ->
 * done. One connection per request ("Connection: close"). The callback runs
 * from loop context exactly once (a zero-delay timer for early failures).
 * Name resolution uses getaddrinfo(), which blocks for names that are not
 * numeric addresses: configure numeric addresses where the loop must never
 * block.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/http/http_int.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/tls.h"

LOG_TOPIC(http);

#define MAX_RESP_HDRS 64

enum call_state {
	K_CONNECT,
	K_HANDSHAKE,
	K_SEND,
	K_HEAD,
	K_BODY,
	K_DONE,
};

struct http_call {
	struct loop *l;
	int fd;
	struct tls_conf *tconf;
	struct tls *tls;
	enum call_state st;
	struct loop_timer timeout, later;
	http_done_h cb;
	void *arg;
	int (*on_tls)(struct tls *t, void *arg);
	struct tls_session **session;
	int err;                       /* result to deliver */
	char *out;
	size_t out_len, out_off;
	char *in;                      /* head, then the in-memory body */
	size_t in_len, in_cap;
	size_t head_len;
	size_t max_body, max_head;
	int body_fd;
	off_t range_from;
	bool positioned;               /* body_fd seeked for this answer */
	int64_t want;                  /* body length, -1 until close */
	bool head_req;
	struct http_header hdrs[MAX_RESP_HDRS];
	struct http_head head;
	struct http_response resp;
	char host[256];
};

static void call_free(struct http_call *c)
{
	loop_timer_stop(c->l, &c->timeout);
	loop_timer_stop(c->l, &c->later);
	if (c->fd >= 0) {
		(void)loop_fd_del(c->l, c->fd);
		close(c->fd);
	}
	tls_free(c->tls);
	tls_conf_unref(c->tconf);
	free(c->out);
	free(c->in);
	free(c);
}

static void deliver(struct http_call *c)
{
	http_done_h cb = c->cb;
	void *arg = c->arg;
	int err = c->err;

	c->st = K_DONE;
	if (err == 0) {
		c->resp.status = c->head.status;
		c->resp.hdrs = c->head.hdrs;
		c->resp.n_hdrs = c->head.n_hdrs;
		c->resp.etag = http_hdr_find(c->head.hdrs, c->head.n_hdrs, "ETag");
		c->resp.retry_after_s = http_retry_after(
			http_hdr_find(c->head.hdrs, c->head.n_hdrs, "Retry-After"),
			(int64_t)time(NULL));
		if (c->body_fd < 0) {
			c->resp.body = (uint8_t *)c->in + c->head_len;
			c->resp.body_len = c->in_len - c->head_len;
			c->in[c->in_len] = '\0';
		} else if (!c->resp.body) {
			c->resp.body = (uint8_t *)"";
		}
	}
	cb(err, err == 0 ? &c->resp : NULL, arg);
	call_free(c);
}

static void later_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	deliver(arg);
}

static void fail(struct http_call *c, int err)
{
	if (c->st == K_DONE)
		return;
	c->err = err;
	c->st = K_DONE;
	if (c->fd >= 0)
		(void)loop_fd_del(c->l, c->fd);
	(void)loop_timer_start(c->l, &c->later, 0, 0, later_cb, c);
}

static void on_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	fail(arg, -ETIMEDOUT);
}

static int grow_in(struct http_call *c, size_t need)
{
	char *n;
	size_t cap;

	if (need <= c->in_cap)
		return 0;
	cap = c->in_cap ? c->in_cap : 4096;
	while (cap < need)
		cap *= 2;
	n = realloc(c->in, cap);
	if (!n)
		return -ENOMEM;
	/* a parsed head points into the buffer: move those pointers along */
	if (c->head_len && n != c->in) {
		size_t i;

		for (i = 0; i < c->head.n_hdrs; i++) {
			c->hdrs[i].name = n + (c->hdrs[i].name - c->in);
			c->hdrs[i].value = n + (c->hdrs[i].value - c->in);
		}
	}
	c->in = n;
	c->in_cap = cap;
	return 0;
}

static bool no_body(const struct http_call *c)
{
	int s = c->head.status;

	return c->head_req || s == 204 || s == 304 || (s >= 100 && s < 200);
}

/* body bytes arrived in buf[0..n): keep or stream them */
static int take_body(struct http_call *c, const char *buf, size_t n)
{
	bool stream = c->body_fd >= 0 && c->head.status >= 200 && c->head.status < 300;

	if (stream && !c->positioned && c->range_from) {
		/* resumed download: 206 continues at range_from, anything else
		 * restarts the file */
		off_t at = c->head.status == 206 ? c->range_from : 0;

		if ((at == 0 && ftruncate(c->body_fd, 0) < 0) ||
		    lseek(c->body_fd, at, SEEK_SET) < 0)
			return -EIO;
		c->positioned = true;
	}
	if (stream) {
		if (c->resp.body_len + n > c->max_body)
			return -E2BIG;
		while (n) {
			ssize_t w = write(c->body_fd, buf, n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -EIO;
			}
			buf += w;
			n -= (size_t)w;
			c->resp.body_len += (size_t)w;
		}
		return 0;
	}
	if (c->in_len - c->head_len + n > c->max_body)
		return -E2BIG;
	if (grow_in(c, c->in_len + n + 1) < 0)
		return -ENOMEM;
	memmove(c->in + c->in_len, buf, n);
	c->in_len += n;
	return 0;
}

static size_t body_have(const struct http_call *c)
{
	bool stream = c->body_fd >= 0 && c->head.status >= 200 && c->head.status < 300;

	return stream ? c->resp.body_len : c->in_len - c->head_len;
}

static void on_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct http_call *c = arg;
	char buf[16384];
	ssize_t n;
	int r;

	for (;;) {
		switch (c->st) {
		case K_CONNECT: {
			int err = 0;
			socklen_t sl = sizeof(err);

			if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
				return;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
				err = errno;
			if (err == EINPROGRESS)
				return;
			if (err) {
				fail(c, -err);
				return;
			}
			if (c->tconf) {
				r = tls_new(&c->tls, c->tconf, fd, c->host);
				if (r < 0) {
					fail(c, r);
					return;
				}
				if (c->session && *c->session)
					(void)tls_session_set(c->tls, *c->session);
				c->st = K_HANDSHAKE;
			} else {
				c->st = K_SEND;
			}
			break;
		}
		case K_HANDSHAKE:
			r = tls_handshake(c->tls);
			if (r == -EAGAIN) {
				(void)loop_fd_mod(l, fd, tls_want(c->tls));
				return;
			}
			if (r < 0) {
				log_debug(http, "%s: %s", c->host, tls_error(c->tls));
				fail(c, r == -EPERM ? -EPERM : r);
				return;
			}
			if (c->on_tls && c->on_tls(c->tls, c->arg) < 0) {
				fail(c, -EPERM);
				return;
			}
			if (c->session && !tls_resumed(c->tls)) {
				struct tls_session *ns;

				if (tls_session_get(c->tls, &ns) == 0) {
					tls_session_free(*c->session);
					*c->session = ns;
				}
			}
			c->st = K_SEND;
			break;
		case K_SEND:
			while (c->out_off < c->out_len) {
				n = http_io_write(fd, c->tls, c->out + c->out_off,
						  c->out_len - c->out_off);
				if (n == -EAGAIN) {
					(void)loop_fd_mod(l, fd, c->tls ? tls_want(c->tls) : EPOLLOUT);
					return;
				}
				if (n < 0) {
					fail(c, n == -EPIPE ? -ECONNRESET : (int)n);
					return;
				}
				c->out_off += (size_t)n;
			}
			c->st = K_HEAD;
			(void)loop_fd_mod(l, fd, EPOLLIN);
			break;
		case K_HEAD:
		case K_BODY:
			n = http_io_read(fd, c->tls, buf, sizeof(buf));
			if (n == -EAGAIN) {
				(void)loop_fd_mod(l, fd, c->tls ? tls_want(c->tls) : EPOLLIN);
				return;
			}
			if (n < 0 && !(n == -ECONNRESET && c->st == K_BODY && c->want < 0)) {
				fail(c, (int)n);
				return;
			}
			if (n <= 0) {
				/* EOF: complete only when reading until close */
				if (c->st == K_BODY && c->want < 0) {
					deliver(c);
					return;
				}
				fail(c, -ECONNRESET);
				return;
			}
			if (c->st == K_HEAD) {
				size_t end;

				if (grow_in(c, c->in_len + (size_t)n + 1) < 0) {
					fail(c, -ENOMEM);
					return;
				}
				memcpy(c->in + c->in_len, buf, (size_t)n);
				c->in_len += (size_t)n;
				end = http_head_end(c->in, c->in_len);
				if (!end) {
					if (c->in_len > c->max_head) {
						fail(c, -E2BIG);
						return;
					}
					break;
				}
				r = http_parse_response(c->in, end, c->hdrs, MAX_RESP_HDRS, &c->head);
				if (r < 0 || c->head.chunked) {
					fail(c, r < 0 ? r : -EPROTO);
					return;
				}
				if (c->head.status < 200) {
					/* interim (100 Continue): drop it, read on */
					memmove(c->in, c->in + end, c->in_len - end);
					c->in_len -= end;
					break;
				}
				c->head_len = end;
				c->want = no_body(c) ? 0 : c->head.content_length;
				if (c->want >= 0 && (uint64_t)c->want > c->max_body) {
					fail(c, -E2BIG);
					return;
				}
				c->st = K_BODY;
				/* body bytes that came with the head */
				{
					size_t extra = c->in_len - end;

					c->in_len = end;
					if (extra) {
						r = take_body(c, c->in + end, extra);
						if (r < 0) {
							fail(c, r);
							return;
						}
					}
				}
			} else {
				r = take_body(c, buf, (size_t)n);
				if (r < 0) {
					fail(c, r);
					return;
				}
			}
			if (c->want >= 0 && body_have(c) >= (uint64_t)c->want) {
				if (body_have(c) > (uint64_t)c->want) {
					fail(c, -EPROTO);
					return;
				}
				deliver(c);
				return;
			}
			break;
		case K_DONE:
			return;
		}
	}
}

static int resolve_connect(struct http_call *c, const struct http_url *u)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	char port[8];
	int fd = -1, r, one = 1;

	snprintf(port, sizeof(port), "%u", u->port);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	r = getaddrinfo(u->host, port, &hints, &ai);
	if (r != 0) {
		hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
		r = getaddrinfo(u->host, port, &hints, &ai);
		if (r != 0)
			return -EHOSTUNREACH;
	}
	r = -ECONNREFUSED;
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			r = 0;
			break;
		}
		r = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (r < 0)
		return r;
	c->fd = fd;
	return 0;
}

static int build_request(struct http_call *c, const struct http_request_opts *o,
			 const struct http_url *u)
{
	const char *method = o->method ? o->method : "GET";
	size_t cap = 1024 + strlen(u->path) + o->body_len;
	char *p;
	int n, i;

	for (i = 0; o->headers && o->headers[i]; i++) {
		if (strpbrk(o->headers[i], "\r\n"))
			return -EINVAL;
		cap += strlen(o->headers[i]) + 2;
	}
	if (o->if_none_match && strpbrk(o->if_none_match, "\r\n"))
		return -EINVAL;
	if (o->content_type && strpbrk(o->content_type, "\r\n"))
		return -EINVAL;
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	n = snprintf(p, cap, "%s %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: rakwon\r\n"
		     "Connection: close\r\n", method, u->path, strchr(u->host, ':') ? "[" : "",
		     u->host, strchr(u->host, ':') ? "]" : "", u->port);
	for (i = 0; o->headers && o->headers[i]; i++)
		n += snprintf(p + n, cap - (size_t)n, "%s\r\n", o->headers[i]);
	if (o->if_none_match)
		n += snprintf(p + n, cap - (size_t)n, "If-None-Match: %.200s\r\n",
			      o->if_none_match);
	if (o->range_from > 0 && o->body_fd > 0)
		n += snprintf(p + n, cap - (size_t)n, "Range: bytes=%lld-\r\n",
			      (long long)o->range_from);
	if (o->body || !strcmp(method, "POST") || !strcmp(method, "PUT")) {
		n += snprintf(p + n, cap - (size_t)n, "Content-Length: %zu\r\n", o->body_len);
		if (o->content_type)
			n += snprintf(p + n, cap - (size_t)n, "Content-Type: %.100s\r\n",
				      o->content_type);
	}
	n += snprintf(p + n, cap - (size_t)n, "\r\n");
	if (o->body_len)
		memcpy(p + n, o->body, o->body_len);
	c->out = p;
	c->out_len = (size_t)n + o->body_len;
	c->head_req = !strcmp(method, "HEAD");
	return 0;
}

int http_request(struct http_call **ret, struct loop *l, const struct http_request_opts *o,
		 http_done_h cb, void *arg)
{
	struct http_call *c;
	struct http_url u;
	int r;

	if (!l || !o || !o->url || !cb || (o->body_len && !o->body))
		return -EINVAL;
	r = http_url_parse(o->url, &u);
	if (r < 0)
		return r;
	if (u.tls && !o->tls)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->l = l;
	c->fd = -1;
	c->cb = cb;
	c->arg = arg;
	c->on_tls = o->on_tls;
	c->session = o->session;
	c->body_fd = o->body_fd > 0 ? o->body_fd : -1;
	c->range_from = o->range_from > 0 ? o->range_from : 0;
	c->max_body = o->max_body ? o->max_body : 1 << 20;
	c->max_head = o->max_header_bytes ? o->max_header_bytes : 16384;
	c->want = -1;
	snprintf(c->host, sizeof(c->host), "%s", o->tls_hostname ? o->tls_hostname : u.host);
	if (u.tls)
		c->tconf = tls_conf_ref(o->tls);
	r = build_request(c, o, &u);
	if (r < 0) {
		call_free(c);
		return r;
	}
	r = loop_timer_start(l, &c->timeout, o->timeout_us ? o->timeout_us : 30000000ULL, 0,
			     on_timeout, c);
	if (r < 0) {
		call_free(c);
		return r;
	}
	r = resolve_connect(c, &u);
	if (r == 0)
		r = loop_fd_add(l, c->fd, EPOLLOUT, on_io, c);
	if (r < 0)
		fail(c, r);     /* reported through the callback, like any failure */
	if (ret)
		*ret = c;
	return 0;
}

struct http_call *http_call_cancel(struct http_call *c)
{
	if (c)
		call_free(c);
	return NULL;
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	return r ? http_hdr_find(r->hdrs, r->n_hdrs, name) : NULL;
}

/* --- blocking helper -------------------------------------------------------- */
struct sync_ctx {
	struct loop *l;
	int err;
	struct http_response *resp;
};

static void sync_done(int err, const struct http_response *resp, void *arg)
{
	struct sync_ctx *s = arg;
	struct http_response *r;
	size_t i;

	s->err = err;
	if (err == 0) {
		r = calloc(1, sizeof(*r));
		if (!r) {
			s->err = -ENOMEM;
			goto out;
		}
		r->status = resp->status;
		r->retry_after_s = resp->retry_after_s;
		r->body_len = resp->body_len;
		r->body = malloc(resp->body_len + 1);
		r->hdrs = calloc(resp->n_hdrs + 1, sizeof(*r->hdrs));
		if (!r->body || !r->hdrs) {
			http_response_free(r);
			s->err = -ENOMEM;
			goto out;
		}
		memcpy(r->body, resp->body, resp->body_len);
		r->body[resp->body_len] = '\0';
		for (i = 0; i < resp->n_hdrs; i++) {
			r->hdrs[i].name = strdup(resp->hdrs[i].name);
			r->hdrs[i].value = strdup(resp->hdrs[i].value);
			r->n_hdrs++;
			if (!r->hdrs[i].name || !r->hdrs[i].value) {
				http_response_free(r);
				s->err = -ENOMEM;
				goto out;
			}
		}
		r->etag = http_response_header(r, "ETag");
		s->resp = r;
	}
out:
	loop_quit(s->l, 0);
}

int http_request_sync(const struct http_request_opts *o, struct http_response **ret)
{
	struct sync_ctx s = { 0 };
	int r;

	r = loop_new(&s.l);
	if (r < 0)
		return r;
	r = http_request(NULL, s.l, o, sync_done, &s);
	if (r == 0) {
		(void)loop_run(s.l);
		r = s.err;
	}
	loop_free(s.l);
	if (r == 0)
		*ret = s.resp;
	return r;
}

void http_response_free(struct http_response *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_hdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	free(r->hdrs);
	free(r->body);
	free(r);
}

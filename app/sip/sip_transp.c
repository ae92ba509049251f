/* sip_transp.c: SIP over UDP, TCP and TLS on the loop (see sip_transp.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/base/cleanup.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/tls.h"
#include "sip/sip_transp.h"

LOG_TOPIC(sip);

#define MAX_LSOCKS 8
#define WBUF_MAX (1u << 20)     /* queued output per connection */
#define RBUF_CAP (SIP_MSG_MAX + 4)
#define NBUCKETS 256

struct lsock {
	struct sip_transp *t;
	enum sip_transport tp;
	int fd;
	struct net_addr addr;
};

struct sip_conn {
	struct sip_conn *next;
	struct sip_transp *t;
	uint64_t id;
	enum sip_transport tp;
	int fd;
	struct tls *tls;
	struct net_addr peer, local;
	bool outgoing, connected, closing, dead, close_after_flush;
	unsigned busy;
	uint8_t *rbuf;
	size_t rlen;
	uint8_t *wbuf;
	size_t wlen, wcap;
	size_t tls_last;            /* length passed to the last -EAGAIN tls_write */
	struct loop_timer idle, ka;
	char host[SIP_TLS_HOST_MAX];
};

struct bucket {
	struct net_addr src;        /* port 0 */
	double tokens;
	uint64_t last_us;
	bool used;
};

struct sip_transp {
	struct loop *l;
	struct sip_transp_conf c;
	sip_transp_recv_h recvh;
	sip_transp_err_h errh;
	void *arg;
	struct lsock ls[MAX_LSOCKS];
	unsigned nls;
	struct sip_conn *conns;
	unsigned nconns;
	uint64_t next_id;
	struct tls_conf *tls_cli, *tls_srv;
	struct bucket buckets[NBUCKETS];
	struct sip_transp_stats st;
	uint8_t *ubuf;              /* UDP receive buffer */
};

static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg);

bool sip_tp_reliable(enum sip_transport tp)
{
	return tp != SIP_TP_UDP;
}

const char *sip_tp_name(enum sip_transport tp)
{
	switch (tp) {
	case SIP_TP_UDP: return "UDP";
	case SIP_TP_TCP: return "TCP";
	case SIP_TP_TLS: return "TLS";
	default: return "?";
	}
}

const char *sip_tp_param(enum sip_transport tp)
{
	switch (tp) {
	case SIP_TP_UDP: return "udp";
	case SIP_TP_TCP: return "tcp";
	case SIP_TP_TLS: return "tls";
	default: return "?";
	}
}

int sip_dest_from_uri(struct sip_dest *ret, const struct sip_uri *u)
{
	struct sip_dest d;
	struct pl tp, maddr;
	char host[64];
	int r;

	memset(&d, 0, sizeof(d));
	if (u->scheme_id != SIP_SCHEME_SIP && u->scheme_id != SIP_SCHEME_SIPS)
		return -EPROTONOSUPPORT;
	d.tp = u->scheme_id == SIP_SCHEME_SIPS ? SIP_TP_TLS : SIP_TP_UDP;
	if (sip_param_get(&u->params, "transport", &tp) == 0 && d.tp != SIP_TP_TLS) {
		if (pl_case_eq_str(&tp, "tcp"))
			d.tp = SIP_TP_TCP;
		else if (pl_case_eq_str(&tp, "tls"))
			d.tp = SIP_TP_TLS;
		else if (!pl_case_eq_str(&tp, "udp"))
			return -EPROTONOSUPPORT;
	}
	if (sip_param_get(&u->params, "maddr", &maddr) == 0 && maddr.l)
		r = pl_strcpy(&maddr, host, sizeof(host));
	else
		r = pl_strcpy(&u->host, host, sizeof(host));
	if (r < 0)
		return -EHOSTUNREACH;
	if (net_addr_set(&d.addr, host, u->port ? u->port : d.tp == SIP_TP_TLS ? 5061 : 5060) < 0)
		return -EHOSTUNREACH;
	(void)pl_strcpy(&u->host, d.tls_host, sizeof(d.tls_host));
	*ret = d;
	return 0;
}

int sip_dest_from_str(struct sip_dest *ret, const char *uri)
{
	struct sip_uri u;
	struct pl s = pl_str(uri);
	int r;

	if (!uri)
		return -EINVAL;
	/* accept "<uri>" too */
	if (s.l >= 2 && s.p[0] == '<' && s.p[s.l - 1] == '>')
		s = pl_make(s.p + 1, s.l - 2);
	r = sip_uri_parse(&u, &s);
	return r < 0 ? r : sip_dest_from_uri(ret, &u);
}

/* ---- connections ------------------------------------------------------- */

static void conn_free(struct sip_conn *c)
{
	loop_timer_stop(c->t->l, &c->idle);
	loop_timer_stop(c->t->l, &c->ka);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

static void conn_close(struct sip_conn *c, int err)
{
	struct sip_transp *t = c->t;
	struct sip_conn **pp;

	if (c->dead)
		return;
	c->dead = true;
	for (pp = &t->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	t->nconns--;
	loop_timer_stop(t->l, &c->idle);
	loop_timer_stop(t->l, &c->ka);
	(void)loop_fd_del(t->l, c->fd);
	c->tls = tls_free(c->tls);
	close(c->fd);
	c->fd = -1;
	log_debug(sip, "conn %llu closed (%d)", (unsigned long long)c->id, err);
	if (err < 0 && t->errh)
		t->errh(c->tp, &c->peer, err, t->arg);
	if (!c->busy)
		conn_free(c);
}

static bool conn_ready(const struct sip_conn *c)
{
	return c->connected && (!c->tls || tls_handshake_done(c->tls));
}

static void conn_idle(struct loop *l, struct loop_timer *tm, void *arg)
{
	struct sip_conn *c = arg;

	/* a connect or handshake that did not finish is an error */
	conn_close(c, conn_ready(c) ? 0 : -ETIMEDOUT);
}

static void conn_touch(struct sip_conn *c)
{
	uint32_t ms = conn_ready(c) ? c->t->c.idle_timeout_ms : c->t->c.connect_timeout_ms;

	(void)loop_timer_start(c->t->l, &c->idle, (uint64_t)ms * 1000, 0, conn_idle, c);
}

static void conn_update(struct sip_conn *c)
{
	uint32_t ev = EPOLLIN;

	if (c->dead)
		return;
	if (!c->connected || c->wlen || (c->tls && tls_want(c->tls) == EPOLLOUT))
		ev |= EPOLLOUT;
	(void)loop_fd_mod(c->t->l, c->fd, ev);
}

static int conn_queue(struct sip_conn *c, const void *data, size_t len)
{
	if (c->wlen + len > WBUF_MAX)
		return -ENOBUFS;
	if (c->wlen + len > c->wcap) {
		size_t cap = MAX(c->wcap * 2, c->wlen + len);
		uint8_t *p = realloc(c->wbuf, cap);

		if (!p)
			return -ENOMEM;
		c->wbuf = p;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, data, len);
	c->wlen += len;
	return 0;
}

/* write what we can: 0, or an error after which the connection is closed */
static int conn_flush(struct sip_conn *c)
{
	while (c->wlen && c->connected) {
		ssize_t n;

		if (c->tls) {
			size_t len = c->tls_last ? c->tls_last : MIN(c->wlen, (size_t)16384);

			n = tls_write(c->tls, c->wbuf, len);
			c->tls_last = n == -EAGAIN ? len : 0;
		} else {
			n = send(c->fd, c->wbuf, c->wlen, MSG_NOSIGNAL);
			if (n < 0)
				n = errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
		}
		if (n == -EAGAIN)
			break;
		if (n <= 0)
			return n < 0 ? (int)n : -ECONNRESET;
		memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
		c->wlen -= (size_t)n;
	}
	if (!c->wlen && c->close_after_flush)
		return -ECONNABORTED;
	return 0;
}

static void conn_ka(struct loop *l, struct loop_timer *tm, void *arg)
{
	struct sip_conn *c = arg;

	if (c->connected && !c->wlen && conn_queue(c, "\r\n\r\n", 4) == 0) {
		if (conn_flush(c) < 0)
			conn_close(c, -ECONNRESET);
		else
			conn_update(c);
	}
}

static struct sip_conn *conn_find(struct sip_transp *t, enum sip_transport tp,
				  const struct net_addr *peer, uint64_t id)
{
	struct sip_conn *c;

	for (c = t->conns; c; c = c->next) {
		if (id && c->id == id)
			return c;
		if (!id && c->tp == tp && !c->close_after_flush && net_addr_eq(&c->peer, peer))
			return c;
	}
	return NULL;
}

static int conn_new(struct sip_conn **ret, struct sip_transp *t, enum sip_transport tp, int fd,
		    bool outgoing)
{
	struct sip_conn *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rbuf = malloc(RBUF_CAP);
	if (!c->rbuf) {
		free(c);
		return -ENOMEM;
	}
	c->t = t;
	c->tp = tp;
	c->fd = fd;
	c->outgoing = outgoing;
	c->id = ++t->next_id;
	r = loop_fd_add(t->l, fd, EPOLLIN | EPOLLOUT, conn_io, c);
	if (r < 0) {
		free(c->rbuf);
		free(c);
		return r;
	}
	c->next = t->conns;
	t->conns = c;
	t->nconns++;
	conn_touch(c);
	*ret = c;
	return 0;
}

/* ---- receiving ----------------------------------------------------------- */

static int send_udp_from(struct sip_transp *t, const struct net_addr *local,
			 const struct net_addr *dst, const void *data, size_t len);

/* Re-make the message with received= and rport=value on the top Via
 * (RFC 3261 18.2.1, RFC 3581 4), when needed. */
static int via_fix(struct sip_msg **mp, const struct sip_src *src)
{
	struct sip_msg *m = *mp, *nm = NULL;
	struct sip_via v = m->via[0];
	char host[64], vh[64];
	struct buf *b = NULL;
	size_t pre;
	int r;

	net_addr_host(&src->peer, host, sizeof(host));
	if (pl_strcpy(&v.host, vh, sizeof(vh)) < 0)
		vh[0] = 0;
	if (!v.rport && strcmp(vh, host) == 0)
		return 0;
	v.received = pl_str(host);
	if (v.rport)
		v.rport_val = net_addr_port(&src->peer);
	r = buf_new(&b, m->len + 128);
	if (r < 0)
		return r;
	pre = (size_t)(v.str.p - m->buf);
	r = buf_append(b, m->buf, pre);
	if (r == 0)
		r = sip_via_print(b, &v);
	if (r == 0)
		r = buf_append(b, v.str.p + v.str.l, m->len - pre - v.str.l);
	if (r == 0)
		r = sip_msg_new(&nm, b->data, b->len,
				sip_tp_reliable(src->tp) ? SIP_DECODE_STREAM : 0);
	buf_unref(b);
	if (r < 0) {
		sip_msg_unref(nm);
		return r;
	}
	sip_msg_unref(m);
	*mp = nm;
	return 0;
}

static void reply_bad(struct sip_transp *t, const struct sip_msg *m, const struct sip_src *src,
		      uint16_t code, const char *reason)
{
	struct buf *b = NULL;
	struct sip_mb mb;

	if (!m || !m->req || m->meth == SIP_METHOD_ACK || !sip_msg_can_reply(m))
		return;
	if (buf_new(&b, 512) < 0)
		return;
	sip_mb_init(&mb, b);
	sip_mb_reply(&mb, m, code, reason, NULL);
	if (sip_mb_finish(&mb, NULL, NULL, 0) == 0)
		(void)sip_transp_send_resp(t, m, src, b->data, b->len);
	buf_unref(b);
}

/* one complete message (datagram or framed) */
static void dispatch(struct sip_transp *t, const void *data, size_t len,
		     const struct sip_src *src)
{
	struct sip_msg *m = NULL;
	size_t ka = sip_keepalive_len(data, len);
	int r;

	if (ka == len)
		return; /* keep-alive */
	r = sip_msg_new(&m, data, len, sip_tp_reliable(src->tp) ? SIP_DECODE_STREAM : 0);
	if (r < 0) {
		t->st.rx_bad++;
		if (r == -EMSGSIZE)
			t->st.rx_oversize++;
		if (m)
			reply_bad(t, m, src, r == -EMSGSIZE ? 513 : m->err_code ? m->err_code : 400,
				  r == -EMSGSIZE ? "Message Too Large" : m->err_reason);
		log_debug(sip, "bad message from %s (%d)", sip_tp_name(src->tp), r);
		sip_msg_unref(m);
		return;
	}
	if (!m->nvia || (m->req && via_fix(&m, src) < 0)) {
		t->st.rx_bad++;
		sip_msg_unref(m);
		return;
	}
	t->st.rx_msgs++;
	t->recvh(m, src, t->arg);
	sip_msg_unref(m);
}

/* frame messages out of the receive buffer; <0 closes the connection */
static int conn_parse(struct sip_conn *c)
{
	struct sip_transp *t = c->t;
	struct sip_src src = { .tp = c->tp, .peer = c->peer, .local = c->local,
			       .conn_id = c->id };
	size_t off = 0;
	int r = 0;

	while (off < c->rlen && !c->dead) {
		const char *p = (const char *)c->rbuf + off;
		size_t n = c->rlen - off, ka = sip_keepalive_len(p, n), mlen;

		if (ka) {
			/* RFC 5626 3.5.1: a "\r\n\r\n" ping gets a "\r\n" pong; a
			 * lone CRLF (pong, or half a ping) waits for what follows */
			if (ka >= 4 && memcmp(p, "\r\n\r\n", 4) == 0) {
				(void)conn_queue(c, "\r\n", 2);
				ka = 4;
			} else if (ka == n) {
				break;
			}
			off += ka;
			continue;
		}
		r = sip_msg_frame(p, n, &mlen);
		if (r == -EAGAIN) {
			if (n >= SIP_MSG_MAX)
				r = -EMSGSIZE;
			else {
				r = 0;
				break;
			}
		}
		if (r < 0) {
			/* framing lost: answer what we can, then close */
			struct sip_msg *m = NULL;
			const char *he = memmem(p, n, "\r\n\r\n", 4);

			t->st.rx_bad++;
			if (he && sip_msg_new(&m, p, (size_t)(he - p) + 4, 0) != -ENOMEM && m) {
				size_t hl = (size_t)(he - p) + 4;

				if (m->clen >= 0 && (uint64_t)m->clen + hl > SIP_MSG_MAX)
					r = -EMSGSIZE;
				reply_bad(t, m, &src, r == -EMSGSIZE ? 513 : 400,
					  r == -EMSGSIZE ? "Message Too Large" : "Bad Content-Length");
			}
			if (r == -EMSGSIZE)
				t->st.rx_oversize++;
			sip_msg_unref(m);
			c->close_after_flush = true;
			c->rlen = 0;
			return 0;
		}
		dispatch(t, p, mlen, &src);
		off += mlen;
	}
	if (!c->dead && off) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	return r;
}

static int conn_read(struct sip_conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->rlen >= RBUF_CAP)
			return conn_parse(c) < 0 ? -EMSGSIZE : 0;
		if (c->tls) {
			n = tls_read(c->tls, c->rbuf + c->rlen, RBUF_CAP - c->rlen);
		} else {
			n = recv(c->fd, c->rbuf + c->rlen, RBUF_CAP - c->rlen, 0);
			if (n < 0)
				n = errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
		}
		if (n == -EAGAIN)
			return 0;
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return (int)n;
		c->rlen += (size_t)n;
		conn_touch(c);
		if (conn_parse(c) < 0 || c->dead || c->close_after_flush)
			return 0;
	}
}

static void conn_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct sip_conn *c = arg;
	struct sip_transp *t = c->t;
	int r = 0;

	c->busy++;
	if (!c->connected) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			r = -err;
			goto out;
		}
		if (!(ev & (EPOLLOUT | EPOLLIN)))
			goto out;
		c->connected = true;
		conn_touch(c);
		if (c->tp == SIP_TP_TLS) {
			r = tls_new(&c->tls, t->tls_cli, fd, c->host[0] ? c->host : NULL);
			if (r < 0)
				goto out;
		}
		if (t->c.keepalive_ms)
			(void)loop_timer_start(l, &c->ka, (uint64_t)t->c.keepalive_ms * 1000,
					       (uint64_t)t->c.keepalive_ms * 1000, conn_ka, c);
	}
	if (c->tls && !tls_handshake_done(c->tls)) {
		r = tls_handshake(c->tls);
		if (r == -EAGAIN) {
			r = 0;
			goto out;
		}
		if (r < 0) {
			log_debug(sip, "tls handshake: %s", tls_error(c->tls));
			goto out;
		}
		conn_touch(c);
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) || (c->tls && tls_pending(c->tls))) {
		r = conn_read(c);
		if (r < 0 || c->dead)
			goto out;
	}
	r = conn_flush(c);
out:
	if (r < 0)
		conn_close(c, r == -ECONNABORTED ? 0 : r);
	else
		conn_update(c);
	if (--c->busy == 0 && c->dead)
		conn_free(c);
}

static void lsock_accept(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct lsock *s = arg;
	struct sip_transp *t = s->t;

	for (int i = 0; i < 16; i++) {
		struct net_addr peer = { .len = sizeof(peer.ss) };
		struct sip_conn *c;
		int cfd = accept4(fd, (struct sockaddr *)&peer.ss, &peer.len,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			return;
		if (t->nconns >= t->c.max_conns) {
			t->st.conns_refused++;
			close(cfd);
			continue;
		}
		if (conn_new(&c, t, s->tp, cfd, false) < 0) {
			close(cfd);
			continue;
		}
		c->peer = peer;
		c->local = s->addr;
		c->connected = true;
		if (s->tp == SIP_TP_TLS && tls_new(&c->tls, t->tls_srv, cfd, NULL) < 0)
			conn_close(c, -ENOMEM);
	}
}

static void udp_read(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct lsock *s = arg;
	struct sip_transp *t = s->t;

	for (int i = 0; i < 64; i++) {
		struct sip_src src = { .tp = SIP_TP_UDP, .local = s->addr };
		ssize_t n;

		src.peer.len = sizeof(src.peer.ss);
		n = recvfrom(fd, t->ubuf, SIP_MSG_MAX + 1, MSG_TRUNC,
			     (struct sockaddr *)&src.peer.ss, &src.peer.len);
		if (n < 0)
			return;
		if (n > SIP_MSG_MAX) {
			t->st.rx_bad++;
			t->st.rx_oversize++;
			continue;
		}
		dispatch(t, t->ubuf, (size_t)n, &src);
	}
}

/* ---- public ------------------------------------------------------------- */

int sip_transp_listen(struct sip_transp *t, enum sip_transport tp, struct net_addr *a)
{
	struct lsock *s;
	int fd, r;

	if (t->nls >= MAX_LSOCKS)
		return -ENOSPC;
	if (tp == SIP_TP_TLS && !t->tls_srv)
		return -ENOKEY;
	if (tp == SIP_TP_UDP)
		fd = net_udp_bind(a, 1 << 20, 1 << 20);
	else if (tp == SIP_TP_TCP || tp == SIP_TP_TLS)
		fd = net_tcp_listen(a, 64);
	else
		return -EPROTONOSUPPORT;
	if (fd < 0)
		return fd;
	s = &t->ls[t->nls];
	s->t = t;
	s->tp = tp;
	s->fd = fd;
	s->addr = *a;
	r = loop_fd_add(t->l, fd, EPOLLIN, tp == SIP_TP_UDP ? udp_read : lsock_accept, s);
	if (r < 0) {
		close(fd);
		return r;
	}
	t->nls++;
	return 0;
}

bool sip_transp_has(const struct sip_transp *t, enum sip_transport tp)
{
	for (unsigned i = 0; i < t->nls; i++)
		if (t->ls[i].tp == tp)
			return true;
	return false;
}

static bool addr_unspec(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == 0;
}

int sip_transp_laddr(struct sip_transp *t, enum sip_transport tp, const struct net_addr *dst,
		     struct net_addr *ret)
{
	for (unsigned i = 0; i < t->nls; i++) {
		const struct lsock *s = &t->ls[i];
		struct net_addr a = s->addr;

		if (s->tp != tp || (dst && net_addr_family(dst) != net_addr_family(&a)))
			continue;
		if (addr_unspec(&a) && dst) {
			int fd = socket(net_addr_family(dst), SOCK_DGRAM | SOCK_CLOEXEC, 0);
			struct net_addr r = { .len = sizeof(r.ss) };

			if (fd >= 0 && connect(fd, (const struct sockaddr *)&dst->ss, dst->len) == 0 &&
			    getsockname(fd, (struct sockaddr *)&r.ss, &r.len) == 0) {
				net_addr_set_port(&r, net_addr_port(&a));
				a = r;
			}
			if (fd >= 0)
				close(fd);
		}
		*ret = a;
		return 0;
	}
	return -EAFNOSUPPORT;
}

static int send_udp_from(struct sip_transp *t, const struct net_addr *local,
			 const struct net_addr *dst, const void *data, size_t len)
{
	const struct lsock *s = NULL;

	for (unsigned i = 0; i < t->nls; i++) {
		if (t->ls[i].tp != SIP_TP_UDP ||
		    net_addr_family(&t->ls[i].addr) != net_addr_family(dst))
			continue;
		if (!s || (local && net_addr_eq(&t->ls[i].addr, local)))
			s = &t->ls[i];
	}
	if (!s)
		return -EAFNOSUPPORT;
	if (sendto(s->fd, data, len, 0, (const struct sockaddr *)&dst->ss, dst->len) < 0)
		return -errno;
	t->st.tx_msgs++;
	return 0;
}

static int send_stream(struct sip_transp *t, const struct sip_dest *d, const void *data,
		       size_t len)
{
	struct sip_conn *c = conn_find(t, d->tp, &d->addr, d->conn_id);
	int r, fd;

	if (!c && d->conn_id)
		c = conn_find(t, d->tp, &d->addr, 0);
	if (!c) {
		if (d->tp == SIP_TP_TLS && !t->tls_cli)
			return -ENOTCONN;
		if (t->nconns >= t->c.max_conns)
			return -EMFILE;
		fd = net_tcp_connect(&d->addr);
		if (fd < 0)
			return fd;
		r = conn_new(&c, t, d->tp, fd, true);
		if (r < 0) {
			close(fd);
			return r;
		}
		c->peer = d->addr;
		snprintf(c->host, sizeof(c->host), "%s", d->tls_host);
	}
	r = conn_queue(c, data, len);
	if (r < 0)
		return r;
	t->st.tx_msgs++;
	if (c->connected && !c->busy) {
		c->busy++;
		r = conn_flush(c);
		if (r < 0)
			conn_close(c, r == -ECONNABORTED ? 0 : r);
		else
			conn_update(c);
		if (--c->busy == 0 && c->dead)
			conn_free(c);
		return r == -ECONNABORTED ? 0 : r;
	}
	conn_update(c);
	return 0;
}

int sip_transp_send(struct sip_transp *t, const struct sip_dest *d, const void *data,
		    size_t len)
{
	if (len > SIP_MSG_MAX)
		return -EMSGSIZE;
	if (d->tp == SIP_TP_UDP)
		return send_udp_from(t, NULL, &d->addr, data, len);
	if (d->tp == SIP_TP_TCP || d->tp == SIP_TP_TLS)
		return send_stream(t, d, data, len);
	return -EPROTONOSUPPORT;
}

int sip_transp_send_resp(struct sip_transp *t, const struct sip_msg *req,
			 const struct sip_src *src, const void *data, size_t len)
{
	const struct sip_via *v = &req->via[0];
	struct sip_dest d;

	if (!req->nvia || len > SIP_MSG_MAX)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.tp = src->tp;
	d.addr = src->peer;
	if (sip_tp_reliable(src->tp)) {
		/* the same connection; if gone, a new one to received:sent-by port */
		if (src->conn_id && conn_find(t, src->tp, NULL, src->conn_id)) {
			d.conn_id = src->conn_id;
		} else {
			net_addr_set_port(&d.addr, v->port ? v->port :
					  src->tp == SIP_TP_TLS ? 5061 : 5060);
			(void)pl_strcpy(&v->host, d.tls_host, sizeof(d.tls_host));
		}
		return send_stream(t, &d, data, len);
	}
	if (!v->rport)
		net_addr_set_port(&d.addr, v->port ? v->port : 5060);
	return send_udp_from(t, &src->local, &d.addr, data, len);
}

bool sip_transp_invite_ok(struct sip_transp *t, const struct net_addr *src)
{
	struct net_addr a = *src;
	uint64_t now = loop_now_us(t->l);
	struct bucket *b, *oldest = NULL;
	unsigned h = 0;
	const uint8_t *p = (const uint8_t *)&a.ss;

	net_addr_set_port(&a, 0);
	for (socklen_t i = 0; i < a.len; i++)
		h = h * 31 + p[i];
	/* 4-way set associative: evict the least recently used of the set */
	for (unsigned i = 0; i < 4; i++) {
		b = &t->buckets[(h + i) % NBUCKETS];
		if (b->used && net_addr_eq(&b->src, &a))
			goto found;
		if (!oldest || !b->used || (oldest->used && b->last_us < oldest->last_us))
			oldest = b;
	}
	b = oldest;
	b->used = true;
	b->src = a;
	b->tokens = t->c.invite_burst;
	b->last_us = now;
found:
	b->tokens += (double)(now - b->last_us) * t->c.invite_rate / 1e6;
	if (b->tokens > t->c.invite_burst)
		b->tokens = t->c.invite_burst;
	b->last_us = now;
	if (b->tokens < 1.0) {
		t->st.invite_limited++;
		return false;
	}
	b->tokens -= 1.0;
	return true;
}

void sip_transp_inject(struct sip_transp *t, const void *data, size_t len,
		       const struct sip_src *src)
{
	if (len <= SIP_MSG_MAX)
		dispatch(t, data, len, src);
}

bool sip_transp_invite_drop(const struct sip_transp *t)
{
	return t->c.invite_drop;
}

void sip_transp_stats(const struct sip_transp *t, struct sip_transp_stats *ret)
{
	*ret = t->st;
	ret->conns = t->nconns;
}

static int tls_setup(struct sip_transp *t)
{
	int r;

	if (t->c.tls_ca) {
		r = tls_conf_new(&t->tls_cli, TLS_CLIENT);
		if (r == 0)
			r = tls_conf_set_ca_file(t->tls_cli, t->c.tls_ca);
		if (r < 0)
			return r;
	}
	if (t->c.tls_cert && t->c.tls_key) {
		r = tls_conf_new(&t->tls_srv, TLS_SERVER);
		if (r == 0)
			r = tls_conf_set_cert_key_files(t->tls_srv, t->c.tls_cert, t->c.tls_key);
		if (r < 0)
			return r;
	}
	return 0;
}

int sip_transp_new(struct sip_transp **ret, struct loop *l, const struct sip_transp_conf *c,
		   sip_transp_recv_h recvh, sip_transp_err_h errh, void *arg)
{
	struct sip_transp *t;
	int r;

	if (!ret || !l || !recvh)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->l = l;
	if (c)
		t->c = *c;
	if (!t->c.max_conns)
		t->c.max_conns = 256;
	if (!t->c.idle_timeout_ms)
		t->c.idle_timeout_ms = 180000;
	if (!t->c.connect_timeout_ms)
		t->c.connect_timeout_ms = 10000;
	if (!t->c.invite_rate)
		t->c.invite_rate = 5;
	if (!t->c.invite_burst)
		t->c.invite_burst = 10;
	t->recvh = recvh;
	t->errh = errh;
	t->arg = arg;
	t->ubuf = malloc(SIP_MSG_MAX + 1);
	r = t->ubuf ? tls_setup(t) : -ENOMEM;
	if (r < 0) {
		sip_transp_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

struct sip_transp *sip_transp_free(struct sip_transp *t)
{
	if (!t)
		return NULL;
	while (t->conns) {
		t->conns->busy = 0;
		t->errh = NULL;
		conn_close(t->conns, 0);
	}
	for (unsigned i = 0; i < t->nls; i++) {
		(void)loop_fd_del(t->l, t->ls[i].fd);
		close(t->ls[i].fd);
	}
	tls_conf_unref(t->tls_cli);
	tls_conf_unref(t->tls_srv);
	free(t->ubuf);
	free(t);
	return NULL;
}

/* tp_unix.c: the control API's local transport: newline-delimited JSON-RPC
 * on a Unix stream socket. Each client has a bounded input line buffer and a
 * bounded output queue; a client that sends an over-long line gets a parse
 * error and the line is skipped; one that does not read its events (queue
 * over CTRL_OUTQ_MAX) is disconnected. Loop thread only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctrl/ctrl_int.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"

LOG_TOPIC(ctrl);

struct unix_client {
	struct ctrl *c;
	int fd;
	char *in;
	size_t in_len;
	bool discarding;        /* skipping the rest of an over-long line */
	char *out;
	size_t out_len, out_cap;
	bool subscribed;
	struct ctrl_sink sink;
	struct unix_client *next;
};

static void client_free(struct unix_client *u)
{
	struct ctrl *c = u->c;

	if (u->subscribed)
		ctrl_sink_del(c, &u->sink);
	(void)loop_fd_del(c->loop, u->fd);
	close(u->fd);
	for (struct unix_client **pp = &c->clients; *pp; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	c->nclients--;
	free(u->in);
	free(u->out);
	free(u);
}

static void client_flush(struct unix_client *u)
{
	while (u->out_len) {
		ssize_t n = send(u->fd, u->out, u->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n <= 0)
			break;
		memmove(u->out, u->out + n, u->out_len - (size_t)n);
		u->out_len -= (size_t)n;
	}
	(void)loop_fd_mod(u->c->loop, u->fd, EPOLLIN | (u->out_len ? EPOLLOUT : 0));
}

/* queue text + '\n'; false if the client must be dropped */
static bool client_queue(struct unix_client *u, const char *text, size_t len)
{
	if (u->out_len + len + 1 > CTRL_OUTQ_MAX)
		return false;
	if (u->out_len + len + 1 > u->out_cap) {
		size_t cap = (u->out_len + len + 1) * 2;
		char *o = realloc(u->out, cap);

		if (!o)
			return false;
		u->out = o;
		u->out_cap = cap;
	}
	memcpy(u->out + u->out_len, text, len);
	u->out[u->out_len + len] = '\n';
	u->out_len += len + 1;
	client_flush(u);
	return true;
}

static void deliver_event(void *arg, const char *text, size_t len)
{
	struct unix_client *u = arg;

	if (!client_queue(u, text, len)) {
		log_warn(ctrl, "event subscriber too slow, disconnecting");
		client_free(u);
	}
}

static void handle_line(struct unix_client *u, const char *line, size_t len)
{
	char *resp = NULL;
	bool sub = false;

	if (len == 0)
		return;
	if (ctrl_dispatch(u->c, CTRL_ROLE_ADMIN, line, len, &resp, &sub) < 0)
		return;
	if (sub && !u->subscribed) {
		u->subscribed = true;
		u->sink.deliver = deliver_event;
		u->sink.arg = u;
		ctrl_sink_add(u->c, &u->sink);
	}
	if (resp) {
		bool ok = client_queue(u, resp, strlen(resp));

		free(resp);
		if (!ok)
			client_free(u);
	}
}

static void on_client(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct unix_client *u = arg;
	char buf[8192];
	ssize_t n;

	if (ev & EPOLLOUT)
		client_flush(u);
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_free(u);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (!u->discarding) {
				struct ctrl *c = u->c;
				unsigned before = c->nclients;

				handle_line(u, u->in, u->in_len);
				if (c->nclients < before)
					return; /* u was freed */
			}
			u->discarding = false;
			u->in_len = 0;
			continue;
		}
		if (u->discarding)
			continue;
		if (u->in_len == CTRL_MSG_MAX) {
			static const char e[] = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,"
						"\"message\":\"message too long\"},\"id\":null}";

			u->discarding = true;
			if (!client_queue(u, e, sizeof(e) - 1)) {
				client_free(u);
				return;
			}
			continue;
		}
		u->in[u->in_len++] = buf[i];
	}
}

static void on_accept(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct ctrl *c = arg;
	struct unix_client *u;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (cfd < 0)
		return;
	if (c->nclients >= CTRL_CLIENTS_MAX) {
		close(cfd);
		return;
	}
	u = calloc(1, sizeof(*u));
	if (!u || !(u->in = malloc(CTRL_MSG_MAX + 1)) ||
	    loop_fd_add(l, cfd, EPOLLIN, on_client, u) < 0) {
		if (u)
			free(u->in);
		free(u);
		close(cfd);
		return;
	}
	u->c = c;
	u->fd = cfd;
	u->next = c->clients;
	c->clients = u;
	c->nclients++;
}

int ctrl_listen_unix(struct ctrl *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = loop_fd_add(c->loop, fd, EPOLLIN, on_accept, c);
	if (r < 0) {
		close(fd);
		return r;
	}
	c->unix_fd = fd;
	c->unix_path = strdup(path);
	return 0;
}

void ctrl_unix_close(struct ctrl *c)
{
	while (c->clients)
		client_free(c->clients);
	if (c->unix_fd >= 0) {
		(void)loop_fd_del(c->loop, c->unix_fd);
		close(c->unix_fd);
		c->unix_fd = -1;
	}
	if (c->unix_path) {
		(void)unlink(c->unix_path);
		free(c->unix_path);
		c->unix_path = NULL;
	}
}

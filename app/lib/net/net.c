/* net.c: addresses and sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/net/net.h"

int net_addr_set(struct net_addr *ret, const char *host, uint16_t port)
{
	struct net_addr a;

	memset(&a, 0, sizeof(a));
	if (!host || !ret)
		return -EINVAL;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a.len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		a.len = sizeof(*s4);
	}
	*ret = a;
	return 0;
}

int net_addr_parse(struct net_addr *ret, const char *s, uint16_t defport)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL;
	size_t hl;

	if (!s || !ret)
		return -EINVAL;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e)
			return -EINVAL;
		hl = (size_t)(e - s - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hl);
		host[hl] = 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return -EINVAL;
	} else {
		const char *c = strchr(s, ':');

		if (c && strchr(c + 1, ':'))
			c = NULL; /* bare IPv6 */
		hl = c ? (size_t)(c - s) : strlen(s);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = 0;
		if (c)
			port = c + 1;
	}
	if (port) {
		char *end;
		long p = strtol(port, &end, 10);

		if (!*port || *end || p < 0 || p > 65535)
			return -EINVAL;
		defport = (uint16_t)p;
	}
	return net_addr_set(ret, host, defport);
}

const char *net_addr_host(const struct net_addr *a, char *buf, size_t len)
{
	const void *src = a->ss.ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr;

	if (!inet_ntop(a->ss.ss_family, src, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *net_addr_str(const struct net_addr *a, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN];

	net_addr_host(a, h, sizeof(h));
	if (a->ss.ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", h, net_addr_port(a));
	else
		snprintf(buf, len, "%s:%u", h, net_addr_port(a));
	return buf;
}

uint16_t net_addr_port(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void net_addr_set_port(struct net_addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

bool net_addr_eq(const struct net_addr *a, const struct net_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family || net_addr_port(a) != net_addr_port(b))
		return false;
	if (a->ss.ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
			      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, 16) == 0;
	return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)&b->ss)->sin_addr.s_addr;
}

bool net_addr_is_loopback(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return (ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr) >> 24) == 127;
}

int net_addr_family(const struct net_addr *a)
{
	return a->ss.ss_family;
}

int net_udp_bind(struct net_addr *a, int rcvbuf, int sndbuf)
{
	int fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int r;

	if (fd < 0)
		return -errno;
	if (rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (sndbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a->ss, &a->len) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int net_udp_bind_pair(struct net_addr *rtp, struct net_addr *rtcp, uint16_t base,
		      int *ret_fd_rtp, int *ret_fd_rtcp)
{
	unsigned start = base ? base & ~1u : 20000 + (unsigned)(getpid() % 20000) * 2;

	for (unsigned i = 0; i < 2000; i++) {
		unsigned p = start + 2 * i;
		struct net_addr a = *rtp, b = *rtp;
		int f1, f2;

		if (p > 65534)
			p = 10000 + p % 50000;
		p &= ~1u;
		net_addr_set_port(&a, (uint16_t)p);
		net_addr_set_port(&b, (uint16_t)(p + 1));
		f1 = net_udp_bind(&a, 1 << 21, 1 << 21);
		if (f1 < 0)
			continue;
		f2 = net_udp_bind(&b, 1 << 20, 1 << 20);
		if (f2 < 0) {
			close(f1);
			if (base)
				return f2;
			continue;
		}
		*rtp = a;
		*rtcp = b;
		*ret_fd_rtp = f1;
		*ret_fd_rtcp = f2;
		return 0;
	}
	return -EADDRINUSE;
}

int net_tcp_listen(struct net_addr *a, int backlog)
{
	int one = 1, r;
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a->ss, &a->len) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int net_tcp_connect(const struct net_addr *a)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0 && errno != EINPROGRESS) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

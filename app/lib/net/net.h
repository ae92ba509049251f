/* net.h: socket addresses and UDP/TCP sockets (IPv4 and IPv6).
 *
 * struct net_addr wraps a sockaddr_storage with its length. Text forms are
 * "1.2.3.4:5060", "[::1]:5060", or a bare address with a default port.
 * Every socket is created O_CLOEXEC|O_NONBLOCK.
 */
#ifndef RAKWON_NET_NET_H
#define RAKWON_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parse "host:port", "[v6]:port" or "host" (then port = defport). Numeric
 * addresses only (no DNS). -EINVAL on a malformed string. */
int net_addr_parse(struct net_addr *ret, const char *s, uint16_t defport);
int net_addr_set(struct net_addr *ret, const char *host, uint16_t port);
/* "1.2.3.4:5060" / "[::1]:5060" */
const char *net_addr_str(const struct net_addr *a, char *buf, size_t len);
/* address only, no port */
const char *net_addr_host(const struct net_addr *a, char *buf, size_t len);
uint16_t net_addr_port(const struct net_addr *a);
void net_addr_set_port(struct net_addr *a, uint16_t port);
bool net_addr_eq(const struct net_addr *a, const struct net_addr *b);
bool net_addr_is_loopback(const struct net_addr *a);
int net_addr_family(const struct net_addr *a);

/* UDP socket bound to a (port 0: any free port; the bound address is written
 * back into a). rcvbuf/sndbuf 0: kernel default. Returns the fd or -errno. */
int net_udp_bind(struct net_addr *a, int rcvbuf, int sndbuf);
/* Two UDP sockets on an even/odd port pair (RTP/RTCP) from base upwards;
 * base 0 picks from the ephemeral range. */
int net_udp_bind_pair(struct net_addr *rtp, struct net_addr *rtcp, uint16_t base,
		      int *ret_fd_rtp, int *ret_fd_rtcp);
/* TCP listening socket (SO_REUSEADDR) */
int net_tcp_listen(struct net_addr *a, int backlog);
/* non-blocking connect; returns fd (connection may still be in progress) */
int net_tcp_connect(const struct net_addr *a);

#endif

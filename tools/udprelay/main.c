/* main.c: rakwon-udprelay, a loopback UDP relay that impairs traffic for tests.
 *
 * DESIGN
 * One UDP socket per --listen port, bound to 127.0.0.1. A datagram from the
 * pair's destination (127.0.0.1, the --to port) goes back to the peer that
 * last sent to the listen port; any other datagram comes from that peer: it
 * is remembered and forwarded to the destination. Forwarding uses the same
 * socket, so the destination sees the relay's listen port as the source and
 * its replies (RTCP, NACK) come back through the relay. Each datagram may be
 * dropped (--loss), duplicated (--dup), held back (--reorder: behind the next
 * --reorder-gap packets of its direction, or --reorder-ms later), and delayed
 * (--delay plus uniform --jitter; jitter keeps each direction in order unless
 * --jitter-reorder, like a real path). Datagrams wait in one queue ordered by
 * departure time, drained by a loop timer; everything runs on one epoll loop
 * (no busy waiting). --oneway impairs only the peer-to-destination direction.
 * --drop-first N drops the first N datagrams of each pair toward the
 * destination (e.g. the parameter sets that open a video stream).
 * On exit (--duration, SIGINT, SIGTERM) one JSON line of counters goes to
 * stdout. Only loopback addresses are accepted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/base/clock.h"
#include "lib/loop/loop.h"

#define MAX_PAIRS 8
#define MAX_QUEUE 20000
#define HOLD_MAX_US 200000      /* a held-back packet leaves after this at most */

struct pair {
	int fd;
	uint16_t listen_port;
	uint16_t to_port;
	struct sockaddr_in to;
	struct sockaddr_in peer;
	bool have_peer;
	unsigned forwarded_in;          /* datagrams seen toward the destination */
	uint64_t last_due[2];           /* per direction: jitter keeps order */
};

struct qpkt {
	struct qpkt *next;
	uint64_t due_us;
	unsigned hold;                  /* packets of its direction still to pass */
	int pair;
	int dir;                        /* 0: to destination, 1: back to peer */
	size_t len;
	uint8_t data[];
};

struct stats {
	uint64_t received, forwarded, dropped, reordered, duplicated, overflow, errors;
};

struct relay {
	struct loop *loop;
	struct pair pairs[MAX_PAIRS];
	int npairs;
	double loss, reorder, dup;
	unsigned drop_first;            /* per pair: the first N toward the destination */
	unsigned reorder_gap;
	unsigned reorder_ms;
	unsigned delay_ms, jitter_ms;
	bool oneway;
	bool jitter_reorder;
	uint64_t rng;
	struct qpkt *queue;             /* sorted by due_us (stable) */
	unsigned qlen;
	struct loop_timer qtimer;
	struct loop_timer endtimer;
	struct stats st;
	uint8_t buf[65536];
};

static uint64_t rng_next(struct relay *r)
{
	/* xorshift64* */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ull;
}

/* uniform in [0, 100) */
static double rng_pct(struct relay *r)
{
	return (double)(rng_next(r) >> 11) / (double)(1ull << 53) * 100.0;
}

static void queue_insert(struct relay *r, struct qpkt *p)
{
	struct qpkt **pp = &r->queue;

	while (*pp && (*pp)->due_us <= p->due_us)
		pp = &(*pp)->next;
	p->next = *pp;
	*pp = p;
	r->qlen++;
}

static void queue_arm(struct relay *r);

static void send_pkt(struct relay *r, const struct qpkt *p)
{
	struct pair *pr = &r->pairs[p->pair];
	const struct sockaddr_in *dst = p->dir == 0 ? &pr->to : &pr->peer;

	if (p->dir == 1 && !pr->have_peer)
		return;
	if (sendto(pr->fd, p->data, p->len, 0, (const struct sockaddr *)dst,
		   sizeof(*dst)) < 0)
		r->st.errors++;
	else
		r->st.forwarded++;
}

static void queue_drain(struct relay *r)
{
	uint64_t now = clock_now_us();

	while (r->queue && r->queue->due_us <= now) {
		struct qpkt *p = r->queue;

		r->queue = p->next;
		r->qlen--;
		send_pkt(r, p);
		free(p);
	}
	queue_arm(r);
}

static void on_qtimer(struct loop *l, struct loop_timer *t, void *arg)
{
	queue_drain(arg);
}

static void queue_arm(struct relay *r)
{
	uint64_t now = clock_now_us();

	if (!r->queue) {
		loop_timer_stop(r->loop, &r->qtimer);
		return;
	}
	loop_timer_start(r->loop, &r->qtimer,
			 r->queue->due_us > now ? r->queue->due_us - now : 0, 0,
			 on_qtimer, r);
}

/* A packet of (pair, dir) passes: held packets of that direction move up. */
static void release_held(struct relay *r, int pair, int dir, uint64_t now)
{
	struct qpkt **pp = &r->queue, *ready = NULL, **rt = &ready;

	while (*pp) {
		struct qpkt *p = *pp;

		if (p->hold && p->pair == pair && p->dir == dir && --p->hold == 0) {
			*pp = p->next;
			r->qlen--;
			p->next = NULL;
			*rt = p;
			rt = &p->next;
			continue;
		}
		pp = &p->next;
	}
	while (ready) {
		struct qpkt *p = ready;

		ready = p->next;
		p->due_us = now;
		queue_insert(r, p);
	}
}

static void schedule(struct relay *r, int pair, int dir, const uint8_t *data,
		     size_t len, bool impair, uint64_t now)
{
	unsigned copies = 1;

	if (dir == 0 && r->pairs[pair].forwarded_in++ < r->drop_first) {
		r->st.dropped++;
		return;
	}
	if (impair && r->loss > 0 && rng_pct(r) < r->loss) {
		r->st.dropped++;
		return;
	}
	if (impair && r->dup > 0 && rng_pct(r) < r->dup) {
		copies = 2;
		r->st.duplicated++;
	}
	for (unsigned c = 0; c < copies; c++) {
		struct qpkt *p;
		uint64_t due = now;
		unsigned hold = 0;
		bool reord = false;

		if (r->qlen >= MAX_QUEUE) {
			r->st.overflow++;
			r->st.dropped++;
			return;
		}
		p = malloc(sizeof(*p) + len);
		if (!p) {
			r->st.errors++;
			return;
		}
		if (impair) {
			due += (uint64_t)r->delay_ms * 1000;
			if (r->jitter_ms)
				due += rng_next(r) % ((uint64_t)r->jitter_ms * 1000 + 1);
			/* jitter alone does not reorder (unless --jitter-reorder) */
			if (!r->jitter_reorder && due < r->pairs[pair].last_due[dir])
				due = r->pairs[pair].last_due[dir];
			if (c == 0 && r->reorder > 0 && rng_pct(r) < r->reorder) {
				r->st.reordered++;
				reord = true;
				if (r->reorder_ms) {
					due += (uint64_t)r->reorder_ms * 1000;
				} else {
					hold = r->reorder_gap;
					due += HOLD_MAX_US;
				}
			}
		}
		if (!reord && due > r->pairs[pair].last_due[dir])
			r->pairs[pair].last_due[dir] = due;
		p->due_us = due;
		p->hold = hold;
		p->pair = pair;
		p->dir = dir;
		p->len = len;
		memcpy(p->data, data, len);
		queue_insert(r, p);
		/* held packets of this direction leave after this one */
		if (!hold)
			release_held(r, pair, dir, due);
	}
}

static void on_read(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct relay *r = arg;
	int idx = -1;

	for (int i = 0; i < r->npairs; i++)
		if (r->pairs[i].fd == fd)
			idx = i;
	if (idx < 0)
		return;
	for (int n = 0; n < 64; n++) {
		struct pair *pr = &r->pairs[idx];
		struct sockaddr_in src;
		socklen_t sl = sizeof(src);
		ssize_t len = recvfrom(fd, r->buf, sizeof(r->buf), MSG_DONTWAIT,
				       (struct sockaddr *)&src, &sl);
		int dir;

		if (len < 0)
			break;
		if (src.sin_family != AF_INET ||
		    (ntohl(src.sin_addr.s_addr) >> 24) != 127)
			continue;       /* loopback only */
		r->st.received++;
		if (ntohs(src.sin_port) == pr->to_port) {
			dir = 1;
		} else {
			dir = 0;
			pr->peer = src;
			pr->have_peer = true;
		}
		schedule(r, idx, dir, r->buf, (size_t)len, !r->oneway || dir == 0,
			 clock_now_us());
	}
	queue_drain(r);
}

static void on_end(struct loop *l, struct loop_timer *t, void *arg)
{
	loop_quit(l, 0);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	loop_quit(l, 0);
}

/* "PORT" or "127.x.y.z:PORT"; anything else is refused. */
static int parse_port(const char *s, uint16_t *ret)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long v;

	if (colon) {
		char host[64];
		struct in_addr a;
		size_t hl = (size_t)(colon - s);

		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = 0;
		if (strcmp(host, "localhost") != 0) {
			if (inet_pton(AF_INET, host, &a) != 1 ||
			    (ntohl(a.s_addr) >> 24) != 127)
				return -EPERM;
		}
		s = colon + 1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static int parse_num(const char *s, double lo, double hi, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rakwon-udprelay --listen PORT --to PORT [--listen PORT --to PORT ...]\n"
		"         [--loss PCT] [--dup PCT] [--reorder PCT [--reorder-gap N | --reorder-ms MS]]\n"
		"         [--delay MS] [--jitter MS [--jitter-reorder]] [--seed N] [--duration S]\n"
		"         [--oneway] [--drop-first N]\n"
		"Relays UDP on 127.0.0.1 only; prints a JSON line of counters on exit.\n");
}

static int open_pair(struct pair *p)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = 1 << 20;

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(p->listen_port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	p->fd = fd;
	p->to.sin_family = AF_INET;
	p->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->to.sin_port = htons(p->to_port);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "to", required_argument, NULL, 't' },
		{ "loss", required_argument, NULL, 'L' },
		{ "reorder", required_argument, NULL, 'R' },
		{ "reorder-gap", required_argument, NULL, 'g' },
		{ "reorder-ms", required_argument, NULL, 'm' },
		{ "dup", required_argument, NULL, 'D' },
		{ "delay", required_argument, NULL, 'd' },
		{ "jitter", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'T' },
		{ "oneway", no_argument, NULL, 'o' },
		{ "drop-first", required_argument, NULL, 'F' },
		{ "jitter-reorder", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct relay relay;
	struct relay *r = &relay;
	int nlisten = 0, nto = 0, c, rc;
	double v, duration = 0, seed = 1;

	r->reorder_gap = 3;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		uint16_t port;
		int e = 0;

		switch (c) {
		case 'l':
		case 't':
			e = parse_port(optarg, &port);
			if (e == -EPERM) {
				fprintf(stderr, "udprelay: %s: only loopback addresses are allowed\n", optarg);
				return 2;
			}
			if (e < 0 || (c == 'l' ? nlisten : nto) >= MAX_PAIRS)
				break;
			if (c == 'l')
				r->pairs[nlisten++].listen_port = port;
			else
				r->pairs[nto++].to_port = port;
			break;
		case 'L': e = parse_num(optarg, 0, 100, &r->loss); break;
		case 'F': e = parse_num(optarg, 0, 1000, &v); r->drop_first = (unsigned)v; break;
		case 'R': e = parse_num(optarg, 0, 100, &r->reorder); break;
		case 'D': e = parse_num(optarg, 0, 100, &r->dup); break;
		case 'g': e = parse_num(optarg, 1, 1000, &v); r->reorder_gap = (unsigned)v; break;
		case 'm': e = parse_num(optarg, 0, 10000, &v); r->reorder_ms = (unsigned)v; break;
		case 'd': e = parse_num(optarg, 0, 10000, &v); r->delay_ms = (unsigned)v; break;
		case 'j': e = parse_num(optarg, 0, 10000, &v); r->jitter_ms = (unsigned)v; break;
		case 's': e = parse_num(optarg, 0, 1e18, &seed); break;
		case 'T': e = parse_num(optarg, 0, 86400, &duration); break;
		case 'o': r->oneway = true; break;
		case 'J': r->jitter_reorder = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (e < 0) {
			fprintf(stderr, "udprelay: bad value for --%s: %s\n",
				c == 'l' ? "listen" : c == 't' ? "to" : "option", optarg);
			return 2;
		}
	}
	if (optind < argc || nlisten == 0 || nlisten != nto) {
		usage(stderr);
		return 2;
	}
	r->npairs = nlisten;
	r->rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!r->rng)
		r->rng = 1;
	rc = loop_new(&r->loop);
	if (rc < 0) {
		fprintf(stderr, "udprelay: loop: %s\n", strerror(-rc));
		return 1;
	}
	(void)loop_signal_add(r->loop, SIGINT, on_signal, r);
	(void)loop_signal_add(r->loop, SIGTERM, on_signal, r);
	for (int i = 0; i < r->npairs; i++) {
		rc = open_pair(&r->pairs[i]);
		if (rc >= 0)
			rc = loop_fd_add(r->loop, r->pairs[i].fd, EPOLLIN, on_read, r);
		if (rc < 0) {
			fprintf(stderr, "udprelay: listen 127.0.0.1:%u: %s\n",
				r->pairs[i].listen_port, strerror(-rc));
			return 1;
		}
		fprintf(stderr, "udprelay: 127.0.0.1:%u <-> 127.0.0.1:%u\n",
			r->pairs[i].listen_port, r->pairs[i].to_port);
	}
	if (duration > 0)
		loop_timer_start(r->loop, &r->endtimer, (uint64_t)(duration * 1e6), 0,
				 on_end, r);
	rc = loop_run(r->loop);
	loop_timer_stop(r->loop, &r->qtimer);
	loop_timer_stop(r->loop, &r->endtimer);
	printf("{\"received\":%" PRIu64 ",\"forwarded\":%" PRIu64 ",\"dropped\":%" PRIu64
	       ",\"reordered\":%" PRIu64 ",\"duplicated\":%" PRIu64 ",\"overflow\":%" PRIu64
	       ",\"errors\":%" PRIu64 ",\"pending\":%u}\n",
	       r->st.received, r->st.forwarded, r->st.dropped, r->st.reordered,
	       r->st.duplicated, r->st.overflow, r->st.errors, r->qlen);
	fflush(stdout);
	while (r->queue) {
		struct qpkt *p = r->queue;

		r->queue = p->next;
		free(p);
	}
	for (int i = 0; i < r->npairs; i++) {
		loop_fd_del(r->loop, r->pairs[i].fd);
		close(r->pairs[i].fd);
	}
	loop_free(r->loop);
	return rc < 0 ? 1 : 0;
}

/* test_udprelay.c: rakwon-udprelay drops, reorders and relays both ways (loopback). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

/* build/<x>/tests/test_udprelay -> build/<x>/bin/rakwon-udprelay */
static int relay_path(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *bin = getenv("RAKWON_BIN");

	if (bin && *bin) {
		snprintf(out, n, "%s/rakwon-udprelay", bin);
		return access(out, X_OK) == 0 ? 0 : -ENOENT;
	}
	if (len < 0)
		return -errno;
	exe[len] = 0;
	snprintf(out, n, "%s/../bin/rakwon-udprelay", dirname(exe));
	return access(out, X_OK) == 0 ? 0 : -ENOENT;
}

static int udp_socket(uint16_t *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int sz = 4 << 20;

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		close(fd);
		return -errno;
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

static pid_t spawn(const char *path, char **argv, int *ret_out, int *ret_err)
{
	int po[2], pe[2];
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(path, argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	*ret_out = po[0];
	*ret_err = pe[0];
	return pid;
}

/* Reads fd until it closes or `want` shows up (then returns true). */
static bool read_until(int fd, char *buf, size_t n, const char *want, int timeout_ms)
{
	size_t len = 0;

	buf[0] = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (want && strstr(buf, want))
			return true;
		if (poll(&p, 1, timeout_ms) <= 0)
			return false;
		r = read(fd, buf + len, n - 1 - len);
		if (r <= 0)
			return !want;
		len += (size_t)r;
		buf[len] = 0;
	}
}

static long json_field(const char *js, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(js, k);
	return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

static unsigned drain(int fd, uint32_t *seen, size_t nseen, uint32_t *maxseq,
		      unsigned *reordered, unsigned *dups, int timeout_ms)
{
	unsigned got = 0;
	uint8_t b[256];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		uint32_t s;

		if (poll(&p, 1, timeout_ms) <= 0)
			return got;
		r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r < 4)
			continue;
		memcpy(&s, b, 4);
		if (s >= nseen)
			continue;
		if (seen[s]++)
			(*dups)++;
		else
			got++;
		if (s < *maxseq)
			(*reordered)++;
		*maxseq = s > *maxseq ? s : *maxseq;
	}
}

TEST(loss_reorder_both_ways)
{
	enum { NPKT = 10000, NBACK = 200 };
	char path[PATH_MAX], lport[16], tport[16], out[512], err[512];
	char *argv[] = { "rakwon-udprelay", "--listen", lport, "--to", tport,
			 "--loss", "5", "--reorder", "2", "--seed", "1",
			 "--duration", "60", NULL };
	static uint32_t seen[NPKT], seen_back[NBACK];
	uint32_t maxseq = 0, maxback = 0;
	unsigned got = 0, got_back = 0, reordered = 0, dups = 0, rb = 0, db = 0;
	uint16_t sport, rport, relay_port;
	struct sockaddr_in to = { .sin_family = AF_INET };
	int s, rcv, tmp, fo, fe, status;
	uint8_t pkt[100];
	pid_t pid;

	CHECK_MSG(relay_path(path, sizeof(path)) == 0, "rakwon-udprelay not built");
	s = udp_socket(&sport);
	rcv = udp_socket(&rport);
	tmp = udp_socket(&relay_port);  /* a free port for the relay */
	CHECK(s >= 0 && rcv >= 0 && tmp >= 0);
	close(tmp);
	snprintf(lport, sizeof(lport), "%u", relay_port);
	snprintf(tport, sizeof(tport), "127.0.0.1:%u", rport);
	pid = spawn(path, argv, &fo, &fe);
	CHECK(pid > 0);
	CHECK_MSG(read_until(fe, err, sizeof(err), "<->", 5000), "relay did not start: %s", err);

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(relay_port);
	memset(pkt, 0xab, sizeof(pkt));
	for (uint32_t i = 0; i < NPKT; i++) {
		memcpy(pkt, &i, 4);
		CHECK(sendto(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) ==
		      (ssize_t)sizeof(pkt));
		if (i % 50 == 49) {
			/* pace a little and keep the receive queue short */
			struct timespec ts = { 0, 300000 };

			nanosleep(&ts, NULL);
			got += drain(rcv, seen, NPKT, &maxseq, &reordered, &dups, 0);
		}
	}
	got += drain(rcv, seen, NPKT, &maxseq, &reordered, &dups, 500);

	/* the destination answers to the relay port: back to the sender */
	for (uint32_t i = 0; i < NBACK; i++) {
		memcpy(pkt, &i, 4);
		CHECK(sendto(rcv, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) ==
		      (ssize_t)sizeof(pkt));
	}
	got_back = drain(s, seen_back, NBACK, &maxback, &rb, &db, 500);

	kill(pid, SIGTERM);
	CHECK(read_until(fo, out, sizeof(out), NULL, 5000));
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("  relay: %s", out);
	printf("  received %u of %u (%.2f%% missing), %u out of order, %u dups; "
	       "back %u of %u\n", got, NPKT, 100.0 * (NPKT - got) / NPKT, reordered,
	       dups, got_back, NBACK);
	/* 5 % loss with a fixed seed: a wide band around 500 missing */
	CHECK(got >= NPKT - 800 && got <= NPKT - 250);
	CHECK(reordered >= 50);
	CHECK_EQ(dups, 0);
	CHECK(got_back >= NBACK * 80 / 100 && got_back < NBACK);
	CHECK_EQ(json_field(out, "received"), NPKT + NBACK);
	CHECK_EQ(json_field(out, "dropped"), (long)(NPKT + NBACK - got - got_back));
	CHECK_EQ(json_field(out, "forwarded"), (long)(got + got_back));
	CHECK(json_field(out, "reordered") >= 50);
	CHECK_EQ(json_field(out, "duplicated"), 0);
	close(fo);
	close(fe);
	close(s);
	close(rcv);
}

TEST(dup_delay_duration)
{
	char path[PATH_MAX], lport[16], tport[16], out[512], err[512];
	char *argv[] = { "rakwon-udprelay", "--listen", lport, "--to", tport,
			 "--dup", "50", "--delay", "30", "--jitter", "10",
			 "--seed", "7", "--duration", "3", NULL };
	static uint32_t seen[100];
	uint32_t maxseq = 0;
	unsigned got, reordered = 0, dups = 0;
	uint16_t sport, rport, relay_port;
	struct sockaddr_in to = { .sin_family = AF_INET };
	int s, rcv, tmp, fo, fe, status;
	uint8_t pkt[20] = { 0 };
	pid_t pid;

	CHECK_MSG(relay_path(path, sizeof(path)) == 0, "rakwon-udprelay not built");
	s = udp_socket(&sport);
	rcv = udp_socket(&rport);
	tmp = udp_socket(&relay_port);
	CHECK(s >= 0 && rcv >= 0 && tmp >= 0);
	close(tmp);
	snprintf(lport, sizeof(lport), "%u", relay_port);
	snprintf(tport, sizeof(tport), "%u", rport);
	pid = spawn(path, argv, &fo, &fe);
	CHECK(pid > 0);
	CHECK(read_until(fe, err, sizeof(err), "<->", 5000));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(relay_port);
	for (uint32_t i = 0; i < 100; i++) {
		memcpy(pkt, &i, 4);
		CHECK(sendto(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) > 0);
	}
	/* nothing before the 30 ms delay */
	CHECK_EQ(drain(rcv, seen, 100, &maxseq, &reordered, &dups, 10), 0);
	got = drain(rcv, seen, 100, &maxseq, &reordered, &dups, 300);
	/* exits by itself after --duration */
	CHECK(read_until(fo, out, sizeof(out), NULL, 10000));
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("  relay: %s", out);
	CHECK_EQ(got, 100);
	CHECK_EQ(reordered, 0);         /* jitter alone keeps the order */
	CHECK(dups >= 30 && dups <= 70);
	CHECK_EQ(json_field(out, "duplicated"), dups);
	close(fo);
	close(fe);
	close(s);
	close(rcv);
}

TEST(refuses_non_loopback)
{
	char path[PATH_MAX], out[512], err[512];
	char *argv[] = { "rakwon-udprelay", "--listen", "40000", "--to",
			 "192.0.2.1:41000", "--duration", "1", NULL };
	int fo, fe, status;
	pid_t pid;

	CHECK_MSG(relay_path(path, sizeof(path)) == 0, "rakwon-udprelay not built");
	pid = spawn(path, argv, &fo, &fe);
	CHECK(pid > 0);
	CHECK(read_until(fe, err, sizeof(err), NULL, 5000));
	CHECK(read_until(fo, out, sizeof(out), NULL, 5000));
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	CHECK(strstr(err, "loopback") != NULL);
	close(fo);
	close(fe);
}

TEST(reorder_by_time)
{
	char path[PATH_MAX], lport[16], tport[16], out[512], err[512];
	char *argv[] = { "rakwon-udprelay", "--listen", lport, "--to", tport,
			 "--reorder", "20", "--reorder-ms", "15", "--seed", "3",
			 "--duration", "60", NULL };
	static uint32_t seen[300];
	uint32_t maxseq = 0;
	unsigned got = 0, reordered = 0, dups = 0;
	uint16_t sport, rport, relay_port;
	struct sockaddr_in to = { .sin_family = AF_INET };
	int s, rcv, tmp, fo, fe, status;
	uint8_t pkt[20] = { 0 };
	pid_t pid;

	CHECK_MSG(relay_path(path, sizeof(path)) == 0, "rakwon-udprelay not built");
	s = udp_socket(&sport);
	rcv = udp_socket(&rport);
	tmp = udp_socket(&relay_port);
	CHECK(s >= 0 && rcv >= 0 && tmp >= 0);
	close(tmp);
	snprintf(lport, sizeof(lport), "%u", relay_port);
	snprintf(tport, sizeof(tport), "%u", rport);
	pid = spawn(path, argv, &fo, &fe);
	CHECK(pid > 0);
	CHECK(read_until(fe, err, sizeof(err), "<->", 5000));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(relay_port);
	for (uint32_t i = 0; i < 300; i++) {
		struct timespec ts = { 0, 1000000 };   /* 1 ms apart */

		memcpy(pkt, &i, 4);
		CHECK(sendto(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) > 0);
		nanosleep(&ts, NULL);
		got += drain(rcv, seen, 300, &maxseq, &reordered, &dups, 0);
	}
	got += drain(rcv, seen, 300, &maxseq, &reordered, &dups, 200);
	kill(pid, SIGTERM);
	CHECK(read_until(fo, out, sizeof(out), NULL, 10000));
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("  relay: %s  received %u, %u out of order\n", out, got, reordered);
	CHECK_EQ(got, 300);
	CHECK(reordered >= 20);
	CHECK(json_field(out, "reordered") >= 30 && json_field(out, "reordered") <= 90);
	close(fo);
	close(fe);
	close(s);
	close(rcv);
}

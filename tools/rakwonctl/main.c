/* main.c: rakwonctl, a command line over the terminal's control API.
 *
 *   rakwonctl [-s SOCKET] COMMAND [key=value]...   one JSON-RPC call; prints the result
 *   rakwonctl [-s SOCKET] watch [SECONDS]          prints events as they come
 *   rakwonctl [-s SOCKET] wait PATH=VALUE [SECS]   polls "status" until the JSON
 *                                                  path has the value (exit 1 on timeout)
 * Values: true/false become booleans, integers numbers, anything else a
 * string; key:=JSON passes raw JSON.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/json/json.h"

static int conn(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* read one line (up to 1 MiB) with a timeout in ms; malloc'd or NULL */
static char *read_line(int fd, int timeout_ms)
{
	size_t n = 0, cap = 4096;
	char *b = malloc(cap);

	while (b) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;

		if (poll(&p, 1, timeout_ms) <= 0 || read(fd, &c, 1) != 1) {
			free(b);
			return NULL;
		}
		if (c == '\n') {
			b[n] = 0;
			return b;
		}
		if (n + 1 == cap) {
			char *t = cap < (1 << 20) ? realloc(b, cap *= 2) : NULL;

			if (!t) {
				free(b);
				return NULL;
			}
			b = t;
		}
		b[n++] = c;
	}
	return NULL;
}

static char *call(int fd, const char *method, int argc, char **argv, char *err, size_t errlen)
{
	struct json *req = NULL, *params = NULL;
	char *txt = NULL, *line;

	if (json_new_object(&req) < 0 || json_new_object(&params) < 0)
		return NULL;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct json *v = NULL;
		char *end;
		long long x;

		if (!eq) {
			snprintf(err, errlen, "argument \"%s\" is not key=value", argv[i]);
			return NULL;
		}
		*eq = 0;
		if (eq > argv[i] && eq[-1] == ':') {
			eq[-1] = 0;
			if (json_parse(&v, eq + 1, strlen(eq + 1), NULL, err, errlen) < 0)
				return NULL;
		} else if (!strcmp(eq + 1, "true") || !strcmp(eq + 1, "false")) {
			(void)json_new_bool(&v, eq[1] == 't');
		} else if ((x = strtoll(eq + 1, &end, 10)), eq[1] && !*end) {
			(void)json_new_int(&v, x);
		} else {
			(void)json_new_str(&v, eq + 1);
		}
		(void)json_obj_set(params, argv[i], v);
	}
	(void)json_obj_set_str(req, "jsonrpc", "2.0");
	(void)json_obj_set_str(req, "method", method);
	(void)json_obj_set(req, "params", params);
	(void)json_obj_set_int(req, "id", 1);
	if (json_print(req, 0, &txt, NULL) < 0)
		return NULL;
	json_free(req);
	if (write(fd, txt, strlen(txt)) < 0 || write(fd, "\n", 1) != 1) {
		free(txt);
		snprintf(err, errlen, "write: %s", strerror(errno));
		return NULL;
	}
	free(txt);
	line = read_line(fd, 10000);
	if (!line)
		snprintf(err, errlen, "no answer");
	return line;
}

/* print result (pretty) or error; exit code */
static int show(const char *line, bool quiet)
{
	struct json *r = NULL, *v;
	char err[128], *out = NULL;

	if (json_parse(&r, line, strlen(line), NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "rakwonctl: bad answer: %s\n", err);
		return 1;
	}
	if ((v = json_obj_get(r, "error"))) {
		const char *m = "";

		(void)json_get_str(v, "message", &m);
		fprintf(stderr, "rakwonctl: error: %s\n", m);
		json_free(r);
		return 1;
	}
	v = json_obj_get(r, "result");
	if (!quiet && v && json_print(v, JSON_PRETTY, &out, NULL) == 0)
		printf("%s\n", out);
	free(out);
	json_free(r);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("RAKWON_CTRL") ? getenv("RAKWON_CTRL") : "/run/rakwon-terminal.sock";
	char err[256] = "";
	int fd, i = 1;

	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		sock = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: rakwonctl [-s SOCKET] COMMAND [key=value]... | watch [SECS] "
				"| wait PATH=VALUE [SECS]\n   (rakwonctl help lists the commands)\n");
		return 2;
	}
	fd = conn(sock);
	if (fd < 0) {
		fprintf(stderr, "rakwonctl: cannot connect to %s: %s\n", sock, strerror(errno));
		return 1;
	}
	if (strcmp(argv[i], "watch") == 0) {
		double end = i + 1 < argc ? now_s() + atof(argv[i + 1]) : 1e18;
		char *line = call(fd, "subscribe", 0, NULL, err, sizeof(err));

		free(line);
		while (now_s() < end) {
			line = read_line(fd, 200);
			if (line) {
				printf("%s\n", line);
				fflush(stdout);
				free(line);
			}
		}
		return 0;
	}
	if (strcmp(argv[i], "wait") == 0 && i + 1 < argc) {
		char *eq = strchr(argv[i + 1], '=');
		double end = now_s() + (i + 2 < argc ? atof(argv[i + 2]) : 10);

		if (!eq)
			return 2;
		*eq = 0;
		while (now_s() < end) {
			char *line = call(fd, "status", 0, NULL, err, sizeof(err));
			struct json *r = NULL, *v;
			bool match = false;

			if (line && json_parse(&r, line, strlen(line), NULL, err, sizeof(err)) == 0 &&
			    (v = json_path(json_obj_get(r, "result"), argv[i + 1]))) {
				char *s = NULL;
				const char *sv;

				if (json_is(v, JSON_STRING))
					match = (sv = json_str_val(v, NULL)) && !strcmp(sv, eq + 1);
				else if (json_print(v, 0, &s, NULL) == 0)
					match = !strcmp(s, eq + 1);
				free(s);
			}
			json_free(r);
			free(line);
			if (match)
				return 0;
			usleep(100000);
		}
		fprintf(stderr, "rakwonctl: timeout waiting for %s=%s\n", argv[i + 1], eq + 1);
		return 1;
	}
	{
		char *line = call(fd, argv[i], argc - i - 1, argv + i + 1, err, sizeof(err));
		int r;

		if (!line) {
			fprintf(stderr, "rakwonctl: %s\n", err);
			return 1;
		}
		r = show(line, false);
		free(line);
		return r;
	}
}

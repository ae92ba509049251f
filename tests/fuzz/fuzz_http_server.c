/* fuzz_http_server.c: arbitrary bytes from a TCP client into the HTTP server's
 * connection state machine (head/body/pipelining/limits), then EOF. The
 * server must answer or close, never crash or leak; answers must be HTTP. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/json/json.h"
#include "lib/loop/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct loop *L;
static struct http_server *S;

static void h_echo(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct json *j;

	(void)arg;
	if (json_parse(&j, (const char *)req->body, req->body_len, NULL, NULL, 0) == 0) {
		http_resp_json(rs, 200, j);
		json_free(j);
		return;
	}
	http_resp_body(rs, "text/plain", req->path, strlen(req->path));
}

static int setup(void)
{
	struct http_limits lim;

	http_limits_default(&lim);
	lim.max_body = 8192;
	lim.max_header_bytes = 2048;
	lim.max_headers = 16;
	lim.max_uri = 256;
	if (loop_new(&L) < 0 || http_server_new(&S, L, "127.0.0.1", 0, NULL, &lim) < 0 ||
	    http_server_route(S, "*", "/echo", h_echo, NULL) < 0 ||
	    http_server_route(S, "POST", "/p/*", h_echo, NULL) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char out[4096];
	size_t off = 0, got = 0;
	bool eof = false;
	int fd, i;

	if (!L)
		setup();
	if (size > 32768)
		return 0;
	sa.sin_port = htons(http_server_port(S));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 2000 && !eof; i++) {
		ssize_t n;

		if (off < size) {
			n = send(fd, data + off, size - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			if (off == size)
				shutdown(fd, SHUT_WR);
		} else if (size == 0 && i == 0) {
			shutdown(fd, SHUT_WR);
		}
		(void)loop_run_for(L, 1000);
		while ((n = recv(fd, out + (got < 64 ? got : 64), got < 64 ? 64 - got : sizeof(out) - 64,
				 0)) > 0)
			got += (size_t)n;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			eof = true;
	}
	close(fd);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "%zu bytes in, %zu out: %.60s\n", size, got, got ? out : "");
	if (got >= 8 && memcmp(out, "HTTP/1.1", 8) != 0)
		abort();   /* whatever the server says is HTTP */
	/* let the server notice the close and free the connection */
	for (i = 0; i < 5; i++)
		(void)loop_run_for(L, 1000);
	return 0;
}

__attribute__((destructor)) static void teardown(void)
{
	S = http_server_free(S);
	L = loop_free(L);
}

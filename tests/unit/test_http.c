/* test_http.c: HTTP server limits, routing, keep-alive, client, TLS transport. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/http/http.h"
#include "lib/http/http_int.h"
#include "lib/json/json.h"
#include "lib/loop/loop.h"
#include "lib/tls/pki.h"
#include "lib/tls/tls.h"
#include "test.h"

static char file_path[512];

static void h_hello(const struct http_req *req, struct http_resp *rs, void *arg)
{
	struct json *j;

	(void)arg;
	json_new_object(&j);
	json_obj_set_str(j, "path", req->path);
	json_obj_set_int(j, "body", (int64_t)req->body_len);
	json_obj_set_str(j, "rest", req->rest ? req->rest : "");
	if (req->tls) {
		char cn[64] = "";

		tls_peer_cn(req->tls, cn, sizeof(cn));
		json_obj_set_str(j, "cn", cn);
		json_obj_set_bool(j, "resumed", tls_resumed(req->tls));
	}
	http_resp_json(rs, 200, j);
	json_free(j);
}

static void h_etag(const struct http_req *req, struct http_resp *rs, void *arg)
{
	const char *inm = http_req_header(req, "If-None-Match");

	(void)arg;
	http_resp_header(rs, "ETag", "\"v1\"");
	if (inm && !strcmp(inm, "\"v1\"")) {
		http_resp_status(rs, 304);
		return;
	}
	http_resp_body(rs, "text/plain", "config v1\n", 10);
}

static void h_busy(const struct http_req *req, struct http_resp *rs, void *arg)
{
	(void)req;
	(void)arg;
	http_resp_header(rs, "Retry-After", "7");
	http_resp_error(rs, 503, "busy");
}

static void h_file(const struct http_req *req, struct http_resp *rs, void *arg)
{
	int fd = open(file_path, O_RDONLY | O_CLOEXEC);

	(void)req;
	(void)arg;
	if (fd < 0) {
		http_resp_error(rs, 500, "open");
		return;
	}
	http_resp_file(rs, "application/octet-stream", fd, 0, (size_t)lseek(fd, 0, SEEK_END));
}

static void h_big(const struct http_req *req, struct http_resp *rs, void *arg)
{
	char *b = malloc(300000);

	(void)req;
	(void)arg;
	memset(b, 'q', 300000);
	http_resp_header(rs, "ETag", "\"big\"");
	http_resp_body_take(rs, "text/plain", b, 300000);
}

static int setup(struct loop **l, struct http_server **s, struct tls_conf *tls)
{
	struct http_limits lim;
	int r;

	http_limits_default(&lim);
	lim.max_body = 1000;
	lim.max_uri = 100;
	lim.max_headers = 8;
	lim.max_header_bytes = 2048;
	r = loop_new(l);
	if (r == 0)
		r = http_server_new(s, *l, "127.0.0.1", 0, tls, &lim);
	if (r == 0)
		r = http_server_route(*s, "*", "/hello", h_hello, NULL);
	if (r == 0)
		r = http_server_route(*s, "POST", "/items/*", h_hello, NULL);
	if (r == 0)
		r = http_server_route(*s, "GET", "/etag", h_etag, NULL);
	if (r == 0)
		r = http_server_route(*s, "GET", "/busy", h_busy, NULL);
	if (r == 0)
		r = http_server_route(*s, "GET", "/file", h_file, NULL);
	if (r == 0)
		r = http_server_route(*s, "GET", "/big", h_big, NULL);
	return r;
}

/* raw client on a thread (blocking sockets) while the loop serves */
struct raw {
	uint16_t port;
	const char *req;
	size_t req_len;
	char resp[8192];
	atomic_bool done;
};

static void *raw_thread(void *arg)
{
	struct raw *x = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(x->port) };
	size_t got = 0, off = 0;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		while (off < x->req_len) {
			ssize_t n = send(fd, x->req + off, x->req_len - off, MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		shutdown(fd, SHUT_WR);
		for (;;) {
			ssize_t n = recv(fd, x->resp + got, sizeof(x->resp) - 1 - got, 0);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	x->resp[got] = '\0';
	close(fd);
	atomic_store(&x->done, true);
	return NULL;
}

static void raw(struct loop *l, uint16_t port, const char *req, size_t len, char *out)
{
	struct raw *x = calloc(1, sizeof(*x));
	pthread_t th;
	int i;

	x->port = port;
	x->req = req;
	x->req_len = len;
	pthread_create(&th, NULL, raw_thread, x);
	for (i = 0; i < 200 && !atomic_load(&x->done); i++)
		(void)loop_run_for(l, 20000);
	pthread_join(th, NULL);
	strcpy(out, x->resp);
	free(x);
}

static int count(const char *h, const char *n)
{
	int k = 0;

	while ((h = strstr(h, n))) {
		k++;
		h += strlen(n);
	}
	return k;
}

TEST(server_limits_and_routing)
{
	struct loop *l;
	struct http_server *s;
	char out[8192], big[4096];
	uint16_t port;

	CHECK_OK(setup(&l, &s, NULL));
	port = http_server_port(s);
#define RAW(str) raw(l, port, str, strlen(str), out)
	RAW("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 200 OK\r\n", 17));
	CHECK(strstr(out, "{\"path\":\"/hello\",\"body\":0,\"rest\":\"\"}"));
	/* keep-alive with pipelining: two answers on one connection */
	RAW("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nPOST /items/a%20b HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 3\r\n\r\nabc");
	CHECK_EQ(count(out, "HTTP/1.1 200 OK"), 2);
	CHECK(strstr(out, "\"path\":\"/items/a b\",\"body\":3,\"rest\":\"a b\""));
	RAW("POST /items/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 413 ", 13));
	CHECK(strstr(out, "{\"error\":\"request body too large\",\"status\":413}"));
	memset(big, 'a', 300);
	memcpy(big, "GET /", 5);
	strcpy(big + 300, " HTTP/1.1\r\nHost: x\r\n\r\n");
	RAW(big);
	CHECK(!strncmp(out, "HTTP/1.1 414 ", 13));
	RAW("GET /hello HTTP/1.1\r\nHost: x\r\na: 1\r\nb: 1\r\nc: 1\r\nd: 1\r\ne: 1\r\n"
	    "f: 1\r\ng: 1\r\nh: 1\r\ni: 1\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 431 ", 13));
	memset(big, 'x', 3000);
	memcpy(big, "GET /hello HTTP/1.1\r\nHost: x\r\nX: ", 33);
	strcpy(big + 3000, "\r\n\r\n");
	RAW(big);
	CHECK(!strncmp(out, "HTTP/1.1 431 ", 13));
	RAW("GET /hello/../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	CHECK(strstr(out, "invalid request path"));
	RAW("GET /items/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	RAW("GET /items//x HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	RAW("GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	RAW("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 404 ", 13));
	RAW("GET /items/x HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 405 ", 13));
	RAW("GARBAGE\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	RAW("GET /hello HTTP/1.1\r\n\r\n");               /* no Host */
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	RAW("POST /items/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 501 ", 13));
	RAW("POST /items/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
	CHECK(!strncmp(out, "HTTP/1.1 400 ", 13));
	RAW("GET /hello HTTP/2.0\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 505 ", 13));
	RAW("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(!strncmp(out, "HTTP/1.1 200 ", 13));
	CHECK(!strstr(out, "{"));
#undef RAW
	http_server_free(s);
	loop_free(l);
}

struct cres {
	int err, status;
	int64_t retry;
	char etag[32];
	char body[256];
	size_t body_len;
	struct loop *l;
};

static void cdone(int err, const struct http_response *r, void *arg)
{
	struct cres *c = arg;

	c->err = err;
	if (r) {
		c->status = r->status;
		c->retry = r->retry_after_s;
		snprintf(c->etag, sizeof(c->etag), "%s", r->etag ? r->etag : "");
		snprintf(c->body, sizeof(c->body), "%s", (const char *)r->body);
		c->body_len = r->body_len;
	}
	loop_quit(c->l, 0);
}

static int get(struct loop *l, struct http_request_opts *o, struct cres *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->l = l;
	c->err = 1;
	r = http_request(NULL, l, o, cdone, c);
	if (r < 0)
		return r;
	return loop_run_for(l, 10000000);
}

TEST(client_etag_retry_after_file_timeout)
{
	struct http_request_opts o = { 0 };
	struct loop *l;
	struct http_server *s;
	struct cres c;
	char url[128];
	uint8_t *data;
	FILE *f;
	int fd, lfd;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	CHECK_OK(setup(&l, &s, NULL));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/etag", http_server_port(s));
	o.url = url;
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.err, 0);
	CHECK_EQ(c.status, 200);
	CHECK_STR(c.etag, "\"v1\"");
	CHECK_STR(c.body, "config v1\n");
	o.if_none_match = "\"v1\"";
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.status, 304);
	CHECK_EQ(c.body_len, 0);
	o.if_none_match = NULL;
	/* a body much larger than the first read: headers must survive growth */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/big", http_server_port(s));
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.status, 200);
	CHECK_EQ(c.body_len, 300000);
	CHECK_STR(c.etag, "\"big\"");
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/busy", http_server_port(s));
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.status, 503);
	CHECK_EQ(c.retry, 7);
	/* a 200 KB file streamed into an fd */
	snprintf(file_path, sizeof(file_path), "%s/blob", test_tmpdir());
	data = malloc(200000);
	for (int i = 0; i < 200000; i++)
		data[i] = (uint8_t)(i * 7);
	f = fopen(file_path, "wb");
	fwrite(data, 1, 200000, f);
	fclose(f);
	snprintf(url, sizeof(url), "%s/blob.out", test_tmpdir());
	fd = open(url, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/file", http_server_port(s));
	o.body_fd = fd;
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.status, 200);
	CHECK_EQ(c.body_len, 200000);
	{
		uint8_t *back = malloc(200000);

		CHECK_EQ(pread(fd, back, 200000, 0), 200000);
		CHECK(!memcmp(back, data, 200000));
		free(back);
	}
	close(fd);
	o.body_fd = 0;
	/* body over the client's limit */
	o.max_body = 1000;
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.err, -E2BIG);
	o.max_body = 0;
	free(data);
	/* timeout: a listener that never answers */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 1) == 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", ntohs(sa.sin_port));
	o.timeout_us = 200000;
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.err, -ETIMEDOUT);
	close(lfd);
	/* refused */
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.err, -ECONNREFUSED);
	CHECK_EQ(http_request(NULL, l, &(struct http_request_opts){ .url = "ftp://x" }, cdone, &c),
		 -EINVAL);
	http_server_free(s);
	loop_free(l);
}

TEST(https_mutual)
{
	struct pki_issue ca_is = { .subject = "CN=CA", .serial = 1, .days = 2, .is_ca = true };
	struct pki_issue srv_is = { .subject = "CN=127.0.0.1", .serial = 2, .days = 2,
				    .server = true, .san_dns = "127.0.0.1" };
	struct pki_issue cli_is = { .subject = "CN=dev-7", .serial = 3, .days = 2 };
	struct pki_key *ck, *sk, *dk;
	char *ca, *srv, *cli, *skp, *dkp, url[128];
	struct tls_conf *sc, *cc;
	struct http_request_opts o = { 0 };
	struct tls_session *sess = NULL;
	struct http_server *s;
	struct loop *l;
	struct cres c;

	CHECK_OK(pki_key_generate(&ck));
	CHECK_OK(pki_key_generate(&sk));
	CHECK_OK(pki_key_generate(&dk));
	CHECK_OK(pki_ca_new(ck, &ca_is, &ca));
	CHECK_OK(pki_cert_sign(sk, &srv_is, ca, strlen(ca), ck, &srv));
	CHECK_OK(pki_cert_sign(dk, &cli_is, ca, strlen(ca), ck, &cli));
	CHECK_OK(pki_key_write_pem(sk, &skp));
	CHECK_OK(pki_key_write_pem(dk, &dkp));
	CHECK_OK(tls_conf_new(&sc, TLS_SERVER));
	CHECK_OK(tls_conf_set_cert_key_pem(sc, srv, strlen(srv), skp, strlen(skp)));
	CHECK_OK(tls_conf_set_ca_pem(sc, ca, strlen(ca)));
	CHECK_OK(tls_conf_set_verify(sc, TLS_VERIFY_OPTIONAL));
	CHECK_OK(tls_conf_set_tickets(sc, 600));
	CHECK_OK(tls_conf_new(&cc, TLS_CLIENT));
	CHECK_OK(tls_conf_set_ca_pem(cc, ca, strlen(ca)));
	CHECK_OK(tls_conf_set_cert_key_pem(cc, cli, strlen(cli), dkp, strlen(dkp)));
	CHECK_OK(setup(&l, &s, sc));
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/hello", http_server_port(s));
	o.url = url;
	o.tls = cc;
	o.method = "POST";
	o.body = "12345";
	o.body_len = 5;
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.err, 0);
	CHECK_EQ(c.status, 200);
	CHECK_STR(c.body, "{\"path\":\"/hello\",\"body\":5,\"rest\":\"\",\"cn\":\"dev-7\","
		  "\"resumed\":false}");
	/* with a session: the second connection resumes, identity intact */
	o.session = &sess;
	CHECK_OK(get(l, &o, &c));
	CHECK(sess);
	CHECK_OK(get(l, &o, &c));
	CHECK_EQ(c.status, 200);
	CHECK_STR(c.body, "{\"path\":\"/hello\",\"body\":5,\"rest\":\"\",\"cn\":\"dev-7\","
		  "\"resumed\":true}");
	tls_session_free(sess);
	http_server_free(s);
	loop_free(l);
	tls_conf_unref(sc);
	tls_conf_unref(cc);
	free(ca);
	free(srv);
	free(cli);
	free(skp);
	free(dkp);
	pki_key_free(ck);
	pki_key_free(sk);
	pki_key_free(dk);
}

TEST(parse_helpers)
{
	struct http_url u;
	char p1[] = "/a/b?x=1", p2[] = "/", p3[] = "/a/", p4[] = "/%2F..", p5[] = "/a%zz";
	char *path, *q;

	CHECK_OK(http_url_parse("https://[::1]:8443/v1/x?y=2", &u));
	CHECK(u.tls);
	CHECK_STR(u.host, "::1");
	CHECK_EQ(u.port, 8443);
	CHECK_STR(u.path, "/v1/x?y=2");
	CHECK_OK(http_url_parse("http://h", &u));
	CHECK_EQ(u.port, 80);
	CHECK_STR(u.path, "/");
	CHECK_EQ(http_url_parse("http://u@h/", &u), -EINVAL);
	CHECK_EQ(http_url_parse("http://h:99999/", &u), -EINVAL);
	CHECK_OK(http_path_clean(p1, &path, &q));
	CHECK_STR(path, "/a/b");
	CHECK_STR(q, "x=1");
	CHECK_OK(http_path_clean(p2, &path, &q));
	CHECK_EQ(http_path_clean(p3, &path, &q), -EINVAL);
	CHECK_EQ(http_path_clean(p4, &path, &q), -EINVAL);
	CHECK_EQ(http_path_clean(p5, &path, &q), -EINVAL);
	CHECK_EQ(http_retry_after("120", 0), 120);
	CHECK_EQ(http_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40), 60);
	CHECK_EQ(http_retry_after("soon", 0), -1);
}

/* blocking client steps on a thread: connect, then a script of send/expect */
struct script {
	uint16_t port;
	int mode;                /* 0: expect-continue, 1: idle, 2: conns */
	int result;
	atomic_bool done;
};

static int connect_port(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *script_thread(void *arg)
{
	struct script *s = arg;
	char buf[2048];
	ssize_t n;
	int fd = connect_port(s->port), fd2 = -1, fd3 = -1;

	s->result = -1;
	if (fd < 0)
		goto out;
	if (s->mode == 0) {
		static const char head[] = "POST /items/x HTTP/1.1\r\nHost: x\r\n"
					   "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n";

		send(fd, head, sizeof(head) - 1, 0);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			goto out;
		buf[n] = '\0';
		if (strcmp(buf, "HTTP/1.1 100 Continue\r\n\r\n"))
			goto out;
		send(fd, "abc", 3, 0);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			goto out;
		buf[n] = '\0';
		s->result = strstr(buf, "200 OK") && strstr(buf, "\"body\":3") ? 0 : -2;
	} else if (s->mode == 3) {
		/* a 50 KB body: the buffer grows after the head was parsed */
		static char req[51000];
		int hl = snprintf(req, sizeof(req), "POST /items/big HTTP/1.1\r\nHost: x\r\n"
				  "Content-Length: 50000\r\nX-Test: keep\r\n\r\n");
		size_t off = 0, got = 0;

		memset(req + hl, 'z', 50000);
		while (off < (size_t)hl + 50000) {
			n = send(fd, req + off, (size_t)hl + 50000 - off, 0);
			if (n <= 0)
				goto out;
			off += (size_t)n;
		}
		while (got < sizeof(buf) - 1 && (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "}"))
				break;
		}
		buf[got] = '\0';
		s->result = strstr(buf, "\"path\":\"/items/big\",\"body\":50000,\"rest\":\"big\"") ?
			    0 : -5;
	} else if (s->mode == 1) {
		/* idle: the server closes after idle_timeout */
		n = recv(fd, buf, sizeof(buf), 0);
		s->result = n == 0 ? 0 : -3;
	} else {
		/* max_conns = 2: the third connection is closed at once */
		fd2 = connect_port(s->port);
		usleep(100000);
		fd3 = connect_port(s->port);
		n = recv(fd3, buf, sizeof(buf), 0);
		s->result = n <= 0 && fd2 >= 0 ? 0 : -4;
	}
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	if (fd3 >= 0)
		close(fd3);
	atomic_store(&s->done, true);
	return NULL;
}

TEST(expect_continue_idle_timeout_max_conns)
{
	struct http_limits lim;
	struct http_server *s;
	struct loop *l;
	int mode;

	http_limits_default(&lim);
	lim.idle_timeout_us = 200000;
	lim.max_conns = 2;
	CHECK_OK(loop_new(&l));
	CHECK_OK(http_server_new(&s, l, "127.0.0.1", 0, NULL, &lim));
	CHECK_OK(http_server_route(s, "POST", "/items/*", h_hello, NULL));
	for (mode = 0; mode < 3; mode++) {
		struct script sc = { .port = http_server_port(s), .mode = mode };
		pthread_t th;
		int i;

		pthread_create(&th, NULL, script_thread, &sc);
		for (i = 0; i < 250 && !atomic_load(&sc.done); i++)
			(void)loop_run_for(l, 20000);
		pthread_join(th, NULL);
		CHECK_MSG(sc.result == 0, "mode %d: %d", mode, sc.result);
		if (mode == 0) {
			/* before the max_conns case: the big body */
			struct script big = { .port = http_server_port(s), .mode = 3 };

			pthread_create(&th, NULL, script_thread, &big);
			for (i = 0; i < 250 && !atomic_load(&big.done); i++)
				(void)loop_run_for(l, 20000);
			pthread_join(th, NULL);
			CHECK_MSG(big.result == 0, "big body: %d", big.result);
		}
	}
	{
		struct http_server_stats st;

		http_server_stats(s, &st);
		CHECK(st.conns_refused >= 1);
	}
	http_server_free(s);
	loop_free(l);
}

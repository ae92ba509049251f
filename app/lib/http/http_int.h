/* http_int.h: pieces shared by the HTTP server, client and the fuzz target. */
#ifndef RAKWON_HTTP_HTTP_INT_H
#define RAKWON_HTTP_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/http/http.h"

/* A parsed request or response head. Strings point into the caller's
 * buffer (tokenized in place). */
struct http_head {
	/* request */
	char *method;
	char *target;
	/* response */
	int status;
	/* both */
	int version_minor;
	struct http_header *hdrs;   /* caller's array */
	size_t n_hdrs;
	int64_t content_length;     /* -1: none */
	bool chunked;
	bool keep_alive;            /* by version and Connection header */
	bool expect_continue;
};

/* End of the head in buf[0..len): offset just past the empty line, 0 if not
 * complete yet. */
size_t http_head_end(const char *buf, size_t len);

/* Parse a request head buf[0..len) (len from http_head_end), modifying buf.
 * hdrs has room for max_hdrs. Returns 0, or the HTTP status to answer with
 * as a negative number: -400, -414 (URI), -431 (headers), -501 (transfer
 * coding), -505 (version). */
int http_parse_request(char *buf, size_t len, const struct http_limits *lim,
		       struct http_header *hdrs, size_t max_hdrs, struct http_head *ret);
/* Parse a response head; 0 or -EPROTO / -E2BIG. */
int http_parse_response(char *buf, size_t len, struct http_header *hdrs, size_t max_hdrs,
			struct http_head *ret);

/* Split target into path and query (at '?', written as NUL), percent-decode
 * the path in place and refuse unsafe paths ("..", ".", empty segments,
 * NUL, backslash, not starting with '/'). 0 or -EINVAL. */
int http_path_clean(char *target, char **ret_path, char **ret_query);

const char *http_hdr_find(const struct http_header *h, size_t n, const char *name);
/* Retry-After: delta-seconds or an HTTP-date; -1 if absent or invalid. */
int64_t http_retry_after(const char *v, int64_t now);

/* plain or TLS transport: >0, 0 EOF, -EAGAIN, -errno */
ssize_t http_io_read(int fd, struct tls *t, void *buf, size_t len);
ssize_t http_io_write(int fd, struct tls *t, const void *buf, size_t len);

#endif

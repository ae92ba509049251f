/* http.h: minimal bounded HTTP/1.1 server and client on the loop, TCP or TLS.
 *
 * DESIGN
 * Server: struct http_server listens on one address, accepts non-blocking
 * connections (plain or lib/tls) and runs one state machine per connection
 * on the loop thread: [tls handshake] -> read head -> read body -> call the
 * route's handler synchronously -> write response -> keep-alive or close.
 * The handler fills a struct http_resp (status, headers, body from memory
 * or from a file streamed in chunks) and returns; request and response
 * memory belongs to the connection and lives until the response is sent.
 * Limits (struct http_limits) bound everything a peer controls: header bytes
 * and count (431), body size (413), URI length (414), connections, idle and
 * request timeouts. Request paths are percent-decoded and normalized; a path
 * with "..", "//" after decoding, NUL or a backslash is refused with 400
 * before any handler runs.
 *
 * Client: http_request() runs one request on its own connection (no client
 * keep-alive) with a whole-exchange timeout and reports once through the
 * done callback (never from inside http_request). The response body goes to
 * memory (bounded by max_body) or is streamed into a caller's fd.
 * All calls on the loop thread. Library: logs at debug level only.
 */
#ifndef RAKWON_HTTP_HTTP_H
#define RAKWON_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct json;
struct tls;
struct tls_conf;
struct tls_session;

struct http_header {
	char *name;
	char *value;
};

struct http_limits {
	size_t max_header_bytes;   /* request line + headers (default 8 KiB) */
	size_t max_headers;        /* default 64 */
	size_t max_body;           /* default 1 MiB */
	size_t max_uri;            /* default 2048 */
	unsigned max_conns;        /* default 256 */
	unsigned max_requests;     /* per keep-alive connection (default 1000) */
	uint64_t idle_timeout_us;  /* between requests (default 30 s) */
	uint64_t req_timeout_us;   /* one request head+body (default 30 s) */
};
void http_limits_default(struct http_limits *lim);

/* --- server ------------------------------------------------------------- */
struct http_server;
struct http_resp;

struct http_req {
	const char *method;
	const char *target;        /* raw request-target */
	const char *path;          /* decoded, normalized, starts with '/' */
	const char *query;         /* raw text after '?', "" if none */
	const char *rest;          /* for prefix routes "/x/ *": the part after the prefix */
	int version_minor;         /* HTTP/1.x */
	const struct http_header *hdrs;
	size_t n_hdrs;
	const uint8_t *body;       /* NUL-terminated for convenience */
	size_t body_len;
	const char *peer;          /* "addr:port" */
	struct tls *tls;           /* NULL on plain TCP; peer cert facts */
};

/* Header value by case-insensitive name, NULL if absent (first one). */
const char *http_req_header(const struct http_req *r, const char *name);
/* Query parameter (percent-decoded) into buf. -ENOENT absent, -E2BIG. */
int http_req_query(const struct http_req *r, const char *key, char *buf, size_t len);

typedef void (*http_handler_h)(const struct http_req *req, struct http_resp *resp,
			       void *arg);

/* Listen on addr (numeric IPv4/IPv6; NULL: 127.0.0.1) and port (0: pick
 * one, see http_server_port). tls NULL: plain HTTP; else a TLS_SERVER conf
 * (a reference is taken). lim NULL: defaults. */
int http_server_new(struct http_server **ret, struct loop *l, const char *addr,
		    uint16_t port, struct tls_conf *tls, const struct http_limits *lim);
struct http_server *http_server_free(struct http_server *s);
uint16_t http_server_port(const struct http_server *s);
/* Route method ("GET", "*" any) + pattern: an exact path, or a prefix
 * ending in "/ *" (written without the space) whose remainder lands in
 * req->rest. First match in registration order wins; 404/405 otherwise. */
int http_server_route(struct http_server *s, const char *method, const char *pattern,
		      http_handler_h h, void *arg);
/* Counters for /metrics. */
struct http_server_stats {
	uint64_t conns_accepted, conns_refused, conns_open;
	uint64_t requests, responses_4xx, responses_5xx, tls_failures;
};
void http_server_stats(const struct http_server *s, struct http_server_stats *ret);

/* Response builder (inside a handler). Default status 200, no body. */
void http_resp_status(struct http_resp *rs, int status);
int http_resp_header(struct http_resp *rs, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Body copied from data. */
int http_resp_body(struct http_resp *rs, const char *ctype, const void *data, size_t len);
/* Body taken over (malloc'd data, freed by the server). */
int http_resp_body_take(struct http_resp *rs, const char *ctype, char *data, size_t len);
/* status + JSON body of j (printed; j stays the caller's). */
int http_resp_json(struct http_resp *rs, int status, const struct json *j);
/* status + {"error": "<message>"}. */
int http_resp_error(struct http_resp *rs, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Body streamed from fd[off, off+len) (fd taken over and closed). */
int http_resp_file(struct http_resp *rs, const char *ctype, int fd, off_t off, size_t len);
/* Close the connection after this response. */
void http_resp_close(struct http_resp *rs);
/* Switch protocols (e.g. "websocket"): the response becomes "101 Switching
 * Protocols" with Upgrade/Connection headers plus those the handler added,
 * and once it is sent the connection is handed over: cb gets the socket, its
 * TLS state (NULL on plain TCP; both now owned by cb) and the bytes the
 * client already sent after the request; the server forgets it. If the
 * connection fails before, cb is not called. */
typedef void (*http_upgrade_h)(int fd, struct tls *tls, const uint8_t *pending, size_t len,
			       const char *peer, void *arg);
int http_resp_upgrade(struct http_resp *rs, const char *protocol, http_upgrade_h cb, void *arg);
/* Pace a file body to about bytes_per_s (0: unlimited), e.g. so firmware
 * downloads of a fleet do not saturate the uplink. */
void http_resp_rate_limit(struct http_resp *rs, uint64_t bytes_per_s);

const char *http_status_text(int status);

/* --- client ------------------------------------------------------------- */
struct http_call;

struct http_request_opts {
	const char *method;          /* default "GET" */
	const char *url;             /* http://host[:port]/path or https://... */
	const char *const *headers;  /* "Name: value" strings, NULL-terminated */
	const void *body;
	size_t body_len;
	const char *content_type;    /* sent with a body */
	const char *if_none_match;   /* ETag to revalidate */
	struct tls_conf *tls;        /* TLS_CLIENT conf, required for https */
	const char *tls_hostname;    /* name to check (default: the URL host) */
	/* After the TLS handshake, before the request: return <0 to abort
	 * (e.g. CA pinning on first contact). */
	int (*on_tls)(struct tls *t, void *arg);
	uint64_t timeout_us;         /* whole exchange (default 30 s) */
	size_t max_body;             /* response body limit (default 1 MiB) */
	size_t max_header_bytes;     /* default 16 KiB */
	int body_fd;                 /* >0: stream a 2xx body into this fd */
	/* TLS session resumption (optional): offered if *session is set; after
	 * a full handshake *session is replaced by the new session (owned by
	 * the caller: free with tls_session_free). Must outlive the call. */
	struct tls_session **session;
	/* >0 with body_fd: ask for "Range: bytes=N-"; a 206 answer is appended
	 * at offset N, a 200 answer replaces the fd's content from 0. */
	off_t range_from;
};

struct http_response {
	int status;
	struct http_header *hdrs;
	size_t n_hdrs;
	uint8_t *body;               /* NUL-terminated (empty if body_fd) */
	size_t body_len;             /* bytes received (also with body_fd) */
	const char *etag;            /* NULL if none */
	int64_t retry_after_s;       /* -1 if none */
};
const char *http_response_header(const struct http_response *r, const char *name);

/* err 0: resp valid for the callback's duration. err <0: -ETIMEDOUT,
 * -ECONNREFUSED, -ECONNRESET, -EPROTO (malformed response), -EPERM (TLS
 * verification or on_tls), -E2BIG (a limit), -EIO (body_fd write). */
typedef void (*http_done_h)(int err, const struct http_response *resp, void *arg);

/* Start a request; cb runs later on the loop exactly once unless cancelled.
 * arg is also passed to o->on_tls. */
int http_request(struct http_call **ret, struct loop *l, const struct http_request_opts *o,
		 http_done_h cb, void *arg);
/* Abort; no callback after this. Returns NULL. */
struct http_call *http_call_cancel(struct http_call *c);

/* Blocking helper for CLIs: runs a private loop. *ret freed with
 * http_response_free. */
int http_request_sync(const struct http_request_opts *o, struct http_response **ret);
void http_response_free(struct http_response *r);

/* URL "scheme://host[:port]/path": host without brackets. */
struct http_url {
	bool tls;
	char host[256];
	uint16_t port;
	char path[2048];   /* with query, "/" if empty */
};
int http_url_parse(const char *url, struct http_url *ret);
/* Percent-decode in place; -EINVAL on a bad escape. */
int http_pct_decode(char *s, size_t *len);

#endif

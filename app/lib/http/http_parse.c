/* http_parse.c: HTTP/1.1 head parsing, paths, URLs (pure functions, fuzzed). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/http/http.h"
#include "lib/http/http_int.h"
#include "lib/tls/tls.h"

void http_limits_default(struct http_limits *lim)
{
	lim->max_header_bytes = 8192;
	lim->max_headers = 64;
	lim->max_body = 1 << 20;
	lim->max_uri = 2048;
	lim->max_conns = 256;
	lim->max_requests = 1000;
	lim->idle_timeout_us = 30 * 1000000ULL;
	lim->req_timeout_us = 30 * 1000000ULL;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

size_t http_head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* next line of buf (ending in \n, optional \r); NUL-terminates it */
static char *next_line(char **cur, char *end)
{
	char *s = *cur, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		return NULL;
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	*cur = nl + 1;
	return s;
}

/* headers after the start line; fills ret's header facts */
static int parse_headers(char *cur, char *end, struct http_header *hdrs, size_t max_hdrs,
			 struct http_head *ret, int too_many, int bad)
{
	char *line;
	size_t i;

	ret->n_hdrs = 0;
	ret->content_length = -1;
	while ((line = next_line(&cur, end)) && *line) {
		char *colon, *v, *e;

		if (ret->n_hdrs >= max_hdrs)
			return too_many;
		if (*line == ' ' || *line == '\t')
			return bad;                     /* obs-fold */
		colon = strchr(line, ':');
		if (!colon || colon == line)
			return bad;
		for (e = line; e < colon; e++)
			if (!is_tchar((unsigned char)*e))
				return bad;
		*colon = '\0';
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		for (e = v; *e; e++)
			if ((unsigned char)*e < 0x20 && *e != '\t')
				return bad;
		hdrs[ret->n_hdrs].name = line;
		hdrs[ret->n_hdrs].value = v;
		ret->n_hdrs++;
	}
	ret->hdrs = hdrs;
	for (i = 0; i < ret->n_hdrs; i++) {
		const char *n = hdrs[i].name, *v = hdrs[i].value;

		if (!strcasecmp(n, "Content-Length")) {
			char *ep;
			long long cl;

			if (!*v || !isdigit((unsigned char)*v))
				return bad;
			errno = 0;
			cl = strtoll(v, &ep, 10);
			if (*ep || errno || cl < 0)
				return bad;
			if (ret->content_length >= 0 && ret->content_length != cl)
				return bad;             /* conflicting lengths */
			ret->content_length = cl;
		} else if (!strcasecmp(n, "Transfer-Encoding")) {
			if (strcasecmp(v, "chunked"))
				return -501;
			ret->chunked = true;
		} else if (!strcasecmp(n, "Connection")) {
			if (strcasestr(v, "close"))
				ret->keep_alive = false;
			else if (strcasestr(v, "keep-alive"))
				ret->keep_alive = true;
		} else if (!strcasecmp(n, "Expect")) {
			if (!strcasecmp(v, "100-continue"))
				ret->expect_continue = true;
		}
	}
	if (ret->chunked && ret->content_length >= 0)
		return bad;                             /* smuggling guard */
	return 0;
}

int http_parse_request(char *buf, size_t len, const struct http_limits *lim,
		       struct http_header *hdrs, size_t max_hdrs, struct http_head *ret)
{
	char *cur = buf, *end = buf + len, *line, *sp1, *sp2, *v;
	size_t i;
	int r;

	memset(ret, 0, sizeof(*ret));
	line = next_line(&cur, end);
	if (!line)
		return -400;
	sp1 = strchr(line, ' ');
	if (!sp1 || sp1 == line)
		return -400;
	*sp1 = '\0';
	for (i = 0; line[i]; i++)
		if (!is_tchar((unsigned char)line[i]))
			return -400;
	if (i > 16)
		return -501;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2) {
		if (strlen(sp1 + 1) > lim->max_uri)
			return -414;
		return -400;
	}
	*sp2 = '\0';
	if ((size_t)(sp2 - sp1 - 1) > lim->max_uri)
		return -414;
	if (sp2 == sp1 + 1)
		return -400;
	for (v = sp1 + 1; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f)
			return -400;
	v = sp2 + 1;
	if (strncmp(v, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)v[7]) || v[8])
		return strncmp(v, "HTTP/", 5) == 0 ? -505 : -400;
	ret->method = line;
	ret->target = sp1 + 1;
	ret->version_minor = v[7] - '0';
	ret->keep_alive = ret->version_minor >= 1;
	r = parse_headers(cur, end, hdrs, max_hdrs, ret, -431, -400);
	if (r < 0)
		return r;
	if (ret->chunked)
		return -501;   /* request bodies must have a Content-Length */
	if (ret->version_minor >= 1 && !http_hdr_find(hdrs, ret->n_hdrs, "Host"))
		return -400;
	return 0;
}

int http_parse_response(char *buf, size_t len, struct http_header *hdrs, size_t max_hdrs,
			struct http_head *ret)
{
	char *cur = buf, *end = buf + len, *line;
	int r;

	memset(ret, 0, sizeof(*ret));
	line = next_line(&cur, end);
	if (!line || strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7]) ||
	    line[8] != ' ' || !isdigit((unsigned char)line[9]) ||
	    !isdigit((unsigned char)line[10]) || !isdigit((unsigned char)line[11]) ||
	    (line[12] != ' ' && line[12] != '\0'))
		return -EPROTO;
	ret->version_minor = line[7] - '0';
	ret->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (ret->status < 100)
		return -EPROTO;
	ret->keep_alive = ret->version_minor >= 1;
	r = parse_headers(cur, end, hdrs, max_hdrs, ret, -E2BIG, -EPROTO);
	return r == -501 ? -EPROTO : r;
}

const char *http_hdr_find(const struct http_header *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(h[i].name, name))
			return h[i].value;
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_pct_decode(char *s, size_t *len)
{
	size_t i, o = 0, n = strlen(s);

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;

			if (i + 2 >= n)
				return -EINVAL;
			h = hexval(s[i + 1]);
			l = h < 0 ? -1 : hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -EINVAL;
			s[o++] = (char)(h << 4 | l);
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	if (len)
		*len = o;
	return 0;
}

int http_path_clean(char *target, char **ret_path, char **ret_query)
{
	char *q, *seg;
	size_t n;

	if (target[0] != '/')
		return -EINVAL;
	q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	if (strchr(target, '#'))
		return -EINVAL;
	if (http_pct_decode(target, &n) < 0 || strlen(target) != n)
		return -EINVAL;                         /* bad escape or %00 */
	if (strchr(target, '\\'))
		return -EINVAL;
	/* every segment must be non-empty and not "." or ".." (so no "//" and
	 * no trailing slash); the root "/" alone is fine */
	if (strcmp(target, "/") != 0) {
		char *p = target;

		while (*p == '/') {
			char *e;
			size_t sl;

			seg = p + 1;
			e = strchr(seg, '/');
			sl = e ? (size_t)(e - seg) : strlen(seg);
			if (!sl || (sl == 1 && seg[0] == '.') ||
			    (sl == 2 && seg[0] == '.' && seg[1] == '.'))
				return -EINVAL;
			if (!e)
				break;
			p = e;
		}
	}
	*ret_path = target;
	*ret_query = q ? q : target + strlen(target);
	return 0;
}

int64_t http_retry_after(const char *v, int64_t now)
{
	struct tm tm = { 0 };
	char *e;
	long long s;

	if (!v || !*v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		s = strtoll(v, &e, 10);
		if (*e || errno || s < 0)
			return -1;
		return s > 86400 * 7 ? 86400 * 7 : s;
	}
	e = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!e || *e)
		return -1;
	s = (long long)timegm(&tm) - now;
	return s < 0 ? 0 : s > 86400 * 7 ? 86400 * 7 : s;
}

int http_url_parse(const char *url, struct http_url *ret)
{
	const char *h, *he, *p;
	size_t n;
	long port;

	if (!url || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	if (!strncmp(url, "https://", 8)) {
		ret->tls = true;
		h = url + 8;
		ret->port = 443;
	} else if (!strncmp(url, "http://", 7)) {
		h = url + 7;
		ret->port = 80;
	} else {
		return -EINVAL;
	}
	p = h + strcspn(h, "/?");
	if (*h == '[') {
		he = memchr(h, ']', (size_t)(p - h));
		if (!he)
			return -EINVAL;
		n = (size_t)(he - h - 1);
		if (!n || n >= sizeof(ret->host))
			return -EINVAL;
		memcpy(ret->host, h + 1, n);
		he++;
	} else {
		he = memchr(h, ':', (size_t)(p - h));
		if (!he)
			he = p;
		n = (size_t)(he - h);
		if (!n || n >= sizeof(ret->host))
			return -EINVAL;
		memcpy(ret->host, h, n);
	}
	if (strchr(ret->host, '@'))
		return -EINVAL;                         /* no userinfo */
	if (he < p) {
		char *e;

		if (*he != ':' || he + 1 == p)
			return -EINVAL;
		port = strtol(he + 1, &e, 10);
		if (e != p || port < 1 || port > 65535)
			return -EINVAL;
		ret->port = (uint16_t)port;
	}
	if (!*p) {
		strcpy(ret->path, "/");
	} else {
		n = strlen(p);
		if (n + 2 > sizeof(ret->path))
			return -E2BIG;
		if (*p == '?') {
			ret->path[0] = '/';
			memcpy(ret->path + 1, p, n + 1);
		} else {
			memcpy(ret->path, p, n + 1);
		}
	}
	for (p = ret->path; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return -EINVAL;
	return 0;
}

ssize_t http_io_read(int fd, struct tls *t, void *buf, size_t len)
{
	ssize_t n;

	if (t)
		return tls_read(t, buf, len);
	do
		n = recv(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

ssize_t http_io_write(int fd, struct tls *t, const void *buf, size_t len)
{
	ssize_t n;

	if (t)
		return tls_write(t, buf, len);
	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

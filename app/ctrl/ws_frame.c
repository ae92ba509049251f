/* ws_frame.c: RFC 6455 frame parsing and handshake key of the WebSocket control transport, and its static file route. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>

#include "ctrl/ctrl_ws_int.h"
#include "lib/http/http.h"

/* --- frames ---------------------------------------------------------------- */
int ws_frame_parse(const uint8_t *buf, size_t n, size_t max_payload, struct ws_frame *f)
{
	size_t h = 2;
	uint64_t len;

	if (n < 2)
		return 0;
	f->fin = buf[0] & 0x80;
	f->op = buf[0] & 0x0f;
	if (buf[0] & 0x70)
		return -WS_CLOSE_PROTOCOL;           /* no extensions negotiated */
	if (!(buf[1] & 0x80))
		return -WS_CLOSE_PROTOCOL;           /* clients must mask */
	if (f->op != WS_OP_CONT && f->op != WS_OP_TEXT && f->op != WS_OP_BINARY &&
	    f->op != WS_OP_CLOSE && f->op != WS_OP_PING && f->op != WS_OP_PONG)
		return -WS_CLOSE_PROTOCOL;
	len = buf[1] & 0x7f;
	if (f->op >= WS_OP_CLOSE && (len > 125 || !f->fin))
		return -WS_CLOSE_PROTOCOL;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = (uint64_t)buf[2] << 8 | buf[3];
		if (len < 126)
			return -WS_CLOSE_PROTOCOL;   /* not minimal */
		h = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | buf[2 + i];
		if (len >> 63 || len < 65536)
			return -WS_CLOSE_PROTOCOL;
		h = 10;
	}
	if (len > max_payload)
		return -WS_CLOSE_TOO_BIG;
	if (n < h + 4)
		return 0;
	memcpy(f->mask, buf + h, 4);
	h += 4;
	f->hdr_len = h;
	f->len = (size_t)len;
	return n - h >= f->len ? 1 : 0;
}

void ws_unmask(uint8_t *p, size_t len, const uint8_t mask[4])
{
	for (size_t i = 0; i < len; i++)
		p[i] ^= mask[i & 3];
}

int ws_accept_key(const char *key, char out[32])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
	unsigned char cat[128], sha[20];
	size_t kl = strlen(key), ol;

	if (kl + sizeof(guid) > sizeof(cat) || !mi)
		return -EINVAL;
	memcpy(cat, key, kl);
	memcpy(cat + kl, guid, sizeof(guid) - 1);
	if (mbedtls_md(mi, cat, kl + sizeof(guid) - 1, sha))
		return -EIO;
	if (mbedtls_base64_encode((unsigned char *)out, 32, &ol, sha, sizeof(sha)))
		return -EIO;
	return 0;
}

/* --- static files of the web panel ----------------------------------------- */
static const char *ctype_of(const char *path)
{
	static const char *const map[][2] = {
		{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" }, { ".json", "application/json" },
		{ ".svg", "image/svg+xml" }, { ".png", "image/png" }, { ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(dot, map[i][0]))
			return map[i][1];
	return "application/octet-stream";
}

void ctrl_ws_static(const char *dir, const struct http_req *req, struct http_resp *rs)
{
	const char *rel = req->path[1] ? req->path + 1 : "index.html";
	char path[1024];
	struct stat st;
	int fd;

	if (!dir || !dir[0]) {
		http_resp_error(rs, 404, "no such resource");
		return;
	}
	/* req->path is normalized by lib/http: no "..", no empty segments */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path)) {
		http_resp_error(rs, 414, "path too long");
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		http_resp_error(rs, 404, "no such resource");
		return;
	}
	(void)http_resp_header(rs, "Cache-Control", "no-cache");
	(void)http_resp_header(rs, "X-Content-Type-Options", "nosniff");
	(void)http_resp_header(rs, "Content-Security-Policy",
			       "default-src 'self'; connect-src 'self' ws: wss:");
	if (http_resp_file(rs, ctype_of(path), fd, 0, (size_t)st.st_size) < 0)
		http_resp_error(rs, 500, "file");
}

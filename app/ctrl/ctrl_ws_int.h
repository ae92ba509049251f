/* ctrl_ws_int.h: internals of the WebSocket control transport shared by tp_ws.c, ctrl_creds.c and the fuzz target. */
#ifndef RAKWON_CTRL_CTRL_WS_INT_H
#define RAKWON_CTRL_CTRL_WS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrl_ws.h"

#define CREDS_MAX 64
#define CRED_LINE_MAX 512

struct ctrl_cred {
	char user[64];
	enum ctrl_role role;
	char hash[256];
};

int ctrl_creds_load(const char *path, struct ctrl_cred **ret, size_t *ret_n);
bool ctrl_ct_equal(const void *a, const void *b, size_t n);

/* RFC 6455 frame header as sent by a client */
enum {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

/* close codes */
enum {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_PROTOCOL = 1002,
	WS_CLOSE_UNSUPPORTED = 1003,
	WS_CLOSE_BAD_DATA = 1007,
	WS_CLOSE_POLICY = 1008,
	WS_CLOSE_TOO_BIG = 1009,
};

struct ws_frame {
	bool fin;
	uint8_t op;
	size_t hdr_len;
	size_t len;           /* payload length */
	uint8_t mask[4];
};

/* Parse one client frame header from buf[0..n). Returns 1 when the header and
 * the whole payload are in buf (f filled), 0 when more bytes are needed, or
 * a negative WebSocket close code (-1002 protocol error, -1009 too big) when
 * the frame must be refused. max_payload bounds data frames; control frames
 * are limited to 125 bytes and must not be fragmented. */
int ws_frame_parse(const uint8_t *buf, size_t n, size_t max_payload, struct ws_frame *f);
/* Unmask payload in place. */
void ws_unmask(uint8_t *p, size_t len, const uint8_t mask[4]);
/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (out: 29 bytes + NUL). */
int ws_accept_key(const char *key, char out[32]);

struct http_req;
struct http_resp;
/* GET of a file under dir (the web panel): "/" is index.html; the request
 * path is already normalized by lib/http (no "..", no empty segments). */
void ctrl_ws_static(const char *dir, const struct http_req *req, struct http_resp *rs);

#endif

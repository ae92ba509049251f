/* ctrl_ws.h: the control API over the network: JSON-RPC 2.0 over WebSocket (and plain HTTP POST) with login.
 *
 * DESIGN
 * struct ctrl_ws runs an lib/http server (HTTPS with lib/tls; plain HTTP
 * only when bound to 127.0.0.1, for tests) with these routes:
 *   GET  /api/ws      WebSocket upgrade (RFC 6455); JSON-RPC text messages
 *   POST /api/login   {"user","password"} -> {"token","role"}
 *   POST /api/rpc     one JSON-RPC message, Authorization: Basic or Bearer
 *   GET  /...         static files of the web panel (static_dir), if set
 * Authentication: a credentials file of lines "user:role:hash" (role admin,
 * integrator or user; hash "pbkdf2-sha256$<iterations>$<salt b64>$<dk b64>"
 * or "sha256$<salt b64>$<hex sha256(salt||password)>"). There is no default
 * password: a role nobody has credentials for cannot log in. A WebSocket
 * connection starts unauthenticated; it authenticates with HTTP Basic or
 * "?token=" on the upgrade request, or with the JSON-RPC method "login"
 * ({"user","password"} or {"token"}) which returns {"token","role"}.
 * Tokens are random (32 bytes, hex), expire after token_ttl_s of idleness and
 * are dropped on "logout". Failed logins are counted per source address:
 * more than fail_max in fail_window_s gives HTTP 429 / JSON-RPC error
 * -32002 until the window has passed. Passwords, hashes and tokens are never
 * logged. Subscribed WebSocket clients get every ctrl_event() through one
 * struct ctrl_sink registered on the ctrl.
 * Limits: clients, frame and message size (fragmented messages reassembled up
 * to max_msg), queued output per client (a slow reader is dropped).
 * Threads: loop thread only.
 */
#ifndef RAKWON_CTRL_CTRL_WS_H
#define RAKWON_CTRL_CTRL_WS_H

#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrl.h"

struct loop;
struct tls_conf;
struct ctrl_ws;

/* JSON-RPC error codes of this transport */
enum {
	CTRL_ERR_AUTH = -32003,          /* not logged in / wrong credentials */
	CTRL_ERR_RATE_LIMITED = -32002,  /* too many failed logins */
};

struct ctrl_ws_opts {
	const char *addr;           /* numeric, default "127.0.0.1" */
	uint16_t port;              /* 0: pick one (ctrl_ws_port) */
	struct tls_conf *tls;       /* TLS_SERVER conf; NULL only on 127.0.0.1 / ::1 */
	const char *creds_path;     /* credentials file (required) */
	const char *static_dir;     /* web panel files, NULL: none */
	unsigned max_clients;       /* WebSocket clients, default 256 */
	size_t max_msg;             /* reassembled message, default CTRL_MSG_MAX */
	unsigned fail_max;          /* failed logins per window, default 5 */
	unsigned fail_window_s;     /* default 60 */
	unsigned token_ttl_s;       /* idle expiry of a token, default 8 h */
};

int ctrl_ws_new(struct ctrl_ws **ret, struct ctrl *c, struct loop *l,
		const struct ctrl_ws_opts *o);
struct ctrl_ws *ctrl_ws_free(struct ctrl_ws *w);
uint16_t ctrl_ws_port(const struct ctrl_ws *w);
/* Re-read the credentials file (e.g. on SIGHUP); sessions stay. */
int ctrl_ws_reload_creds(struct ctrl_ws *w);
/* Number of open WebSocket connections. */
unsigned ctrl_ws_clients(const struct ctrl_ws *w);

/* A credentials-file hash of password: PBKDF2-HMAC-SHA256 with a random
 * 16-byte salt and iterations (0: default 100000). */
int ctrl_creds_hash(const char *password, unsigned iterations, char *out, size_t outlen);
/* 0 if password matches hash, -EACCES if not, -EINVAL for a bad hash. */
int ctrl_creds_verify(const char *hash, const char *password);

/* Role names "user", "integrator", "admin". */
const char *ctrl_role_name(enum ctrl_role r);
int ctrl_role_from_name(const char *s, enum ctrl_role *ret);

#endif

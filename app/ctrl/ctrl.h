/* ctrl.h: the control API: one command registry, one dispatcher, thin
 * transports (STYLE G14).
 *
 * DESIGN
 * Commands are registered as a table of struct ctrl_cmd, each with a schema
 * of parameters (name, JSON type, required, integer limits, allowed strings)
 * and the least role allowed to call it. The dispatcher speaks JSON-RPC 2.0:
 * it validates the envelope and the parameters against the schema, checks
 * the role, and calls the handler on the loop thread. Transports (the local
 * Unix socket here; HTTPS/WebSocket elsewhere) only move messages and decide
 * the caller's role. Events are JSON-RPC notifications
 * {"jsonrpc":"2.0","method":"event","params":{"event":NAME,"data":{..}}}
 * sent to every connection that called "subscribe".
 * Threads: loop thread only. Limits: message size, clients, queued output.
 */
#ifndef RAKWON_CTRL_CTRL_H
#define RAKWON_CTRL_CTRL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/json/json.h"

struct loop;
struct ctrl;

#define CTRL_MSG_MAX (64 * 1024)
#define CTRL_CLIENTS_MAX 256
#define CTRL_OUTQ_MAX (1024 * 1024)

enum ctrl_role {
	CTRL_ROLE_USER,
	CTRL_ROLE_INTEGRATOR,
	CTRL_ROLE_ADMIN,
	CTRL_ROLE_MAX,
};

/* JSON-RPC 2.0 error codes */
enum {
	CTRL_ERR_PARSE = -32700,
	CTRL_ERR_INVALID_REQUEST = -32600,
	CTRL_ERR_NO_METHOD = -32601,
	CTRL_ERR_INVALID_PARAMS = -32602,
	CTRL_ERR_INTERNAL = -32603,
	CTRL_ERR_FAILED = -32000,       /* the command ran and failed */
	CTRL_ERR_FORBIDDEN = -32001,    /* role too low */
};

struct ctrl_param {
	const char *name;
	enum json_type type;            /* JSON_INT also accepts nothing else */
	bool required;
	long long min, max;             /* JSON_INT/JSON_STRING length (min == max: none) */
	const char *const *enum_vals;   /* JSON_STRING: NULL-terminated */
	const char *doc;
};

/* Handler: params is the validated params object (never NULL: {} when
 * absent). On success return 0 and optionally set *result (taken). On
 * failure return -errno and write a message to err. */
typedef int (*ctrl_cmd_h)(void *ctx, const struct json *params, struct json **result,
			  char *err, size_t errlen);

struct ctrl_cmd {
	const char *name;
	const char *doc;
	enum ctrl_role role;
	const struct ctrl_param *params;   /* NULL-name terminated */
	ctrl_cmd_h fn;
};

int ctrl_new(struct ctrl **ret, struct loop *l, void *ctx);
struct ctrl *ctrl_free(struct ctrl *c);
/* cmds: a table terminated by an entry with name NULL; kept by reference */
int ctrl_register(struct ctrl *c, const struct ctrl_cmd *cmds);
/* Dispatch one JSON-RPC message (request, notification or batch) from a
 * caller with role. *ret_resp: malloc'd response text, NULL when nothing is
 * to be answered (notifications). *ret_subscribe set when it was a
 * "subscribe" call. */
int ctrl_dispatch(struct ctrl *c, enum ctrl_role role, const char *msg, size_t len,
		  char **ret_resp, bool *ret_subscribe);
/* Send an event to every subscriber of every transport (takes data; may be
 * NULL for {}). */
void ctrl_event(struct ctrl *c, const char *name, struct json *data);
/* Transports register how to deliver events. */
struct ctrl_sink {
	void (*deliver)(void *arg, const char *text, size_t len);
	void *arg;
	struct ctrl_sink *next;
};
void ctrl_sink_add(struct ctrl *c, struct ctrl_sink *s);
void ctrl_sink_del(struct ctrl *c, struct ctrl_sink *s);
/* The command table as a JSON document (for docs and the "help" command). */
int ctrl_schema(struct ctrl *c, struct json **ret);

/* Local transport: newline-delimited JSON-RPC on a Unix socket (mode 0660).
 * Callers there have the admin role (access is controlled by the file). */
int ctrl_listen_unix(struct ctrl *c, const char *path);

#endif

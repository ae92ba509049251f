/* ctrl.c: command registry and JSON-RPC 2.0 dispatcher. See ctrl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrl.h"
#include "ctrl/ctrl_int.h"
#include "lib/log/log.h"

LOG_TOPIC(ctrl);

struct cmd_table {
	const struct ctrl_cmd *cmds;
	struct cmd_table *next;
};

int ctrl_new(struct ctrl **ret, struct loop *l, void *ctx)
{
	struct ctrl *c;

	if (!ret || !l)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = l;
	c->ctx = ctx;
	c->unix_fd = -1;
	*ret = c;
	return 0;
}

struct ctrl *ctrl_free(struct ctrl *c)
{
	if (!c)
		return NULL;
	ctrl_unix_close(c);
	while (c->tables) {
		struct cmd_table *t = c->tables;

		c->tables = t->next;
		free(t);
	}
	free(c);
	return NULL;
}

int ctrl_register(struct ctrl *c, const struct ctrl_cmd *cmds)
{
	struct cmd_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->cmds = cmds;
	t->next = c->tables;
	c->tables = t;
	return 0;
}

static const struct ctrl_cmd *cmd_find(struct ctrl *c, const char *name)
{
	for (struct cmd_table *t = c->tables; t; t = t->next)
		for (const struct ctrl_cmd *k = t->cmds; k->name; k++)
			if (strcmp(k->name, name) == 0)
				return k;
	return NULL;
}

static const char *role_name(enum ctrl_role r)
{
	static const char *const n[] = { "user", "integrator", "admin" };

	return r < CTRL_ROLE_MAX ? n[r] : "?";
}

/* validate params against the schema; 0 or -EINVAL with a message */
static int params_check(const struct ctrl_cmd *k, const struct json *p, char *err, size_t n)
{
	const struct ctrl_param *d;

	for (size_t i = 0; i < json_len(p); i++) {
		const char *key = json_key_at(p, i);
		bool known = false;

		for (d = k->params; d && d->name; d++)
			known |= strcmp(d->name, key) == 0;
		if (!known) {
			snprintf(err, n, "unknown parameter \"%s\"", key);
			return -EINVAL;
		}
	}
	for (d = k->params; d && d->name; d++) {
		const struct json *v = json_obj_get(p, d->name);

		if (!v) {
			if (d->required) {
				snprintf(err, n, "missing parameter \"%s\"", d->name);
				return -EINVAL;
			}
			continue;
		}
		if (json_type(v) != d->type &&
		    !(d->type == JSON_DOUBLE && json_type(v) == JSON_INT)) {
			snprintf(err, n, "parameter \"%s\" must be %s", d->name,
				 json_type_name(d->type));
			return -EINVAL;
		}
		if (d->type == JSON_INT && d->min != d->max &&
		    (json_int_val(v) < d->min || json_int_val(v) > d->max)) {
			snprintf(err, n, "parameter \"%s\" out of range [%lld, %lld]", d->name,
				 d->min, d->max);
			return -EINVAL;
		}
		if (d->type == JSON_STRING) {
			size_t len;
			const char *s = json_str_val(v, &len);
			bool ok = !d->enum_vals;

			if (d->min != d->max && ((long long)len < d->min || (long long)len > d->max)) {
				snprintf(err, n, "parameter \"%s\" length out of range [%lld, %lld]",
					 d->name, d->min, d->max);
				return -EINVAL;
			}
			if (strlen(s) != len) {
				snprintf(err, n, "parameter \"%s\" contains NUL", d->name);
				return -EINVAL;
			}
			for (const char *const *e = d->enum_vals; e && *e; e++)
				ok |= strcmp(*e, s) == 0;
			if (!ok) {
				snprintf(err, n, "parameter \"%s\": \"%s\" is not allowed", d->name, s);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static struct json *error_obj(int code, const char *msg)
{
	struct json *e = NULL;

	if (json_new_object(&e) < 0)
		return NULL;
	(void)json_obj_set_int(e, "code", code);
	(void)json_obj_set_str(e, "message", json_utf8_valid(msg, strlen(msg)) ? msg : "error");
	return e;
}

/* one request object -> response object (NULL for a notification) */
static struct json *dispatch_one(struct ctrl *c, enum ctrl_role role, const struct json *req,
				 bool *subscribe)
{
	const struct json *id = json_obj_get(req, "id"), *params;
	const struct ctrl_cmd *k;
	struct json *resp = NULL, *result = NULL, *empty = NULL, *idc = NULL;
	const char *method = NULL, *ver = NULL;
	char err[256] = "";
	int code = 0, r;

	if (!json_is(req, JSON_OBJECT) || json_get_str(req, "jsonrpc", &ver) < 0 ||
	    strcmp(ver, "2.0") != 0 || json_get_str(req, "method", &method) < 0 ||
	    (id && !json_is(id, JSON_STRING) && !json_is(id, JSON_INT) && !json_is(id, JSON_NULL))) {
		code = CTRL_ERR_INVALID_REQUEST;
		snprintf(err, sizeof(err), "invalid JSON-RPC 2.0 request");
		id = json_is(req, JSON_OBJECT) ? id : NULL;
		goto reply;
	}
	params = json_obj_get(req, "params");
	if (params && !json_is(params, JSON_OBJECT)) {
		code = CTRL_ERR_INVALID_PARAMS;
		snprintf(err, sizeof(err), "params must be an object");
		goto reply;
	}
	if (!params) {
		if (json_new_object(&empty) < 0)
			return NULL;
		params = empty;
	}
	if (strcmp(method, "subscribe") == 0) {
		*subscribe = true;
		(void)json_new_bool(&result, true);
		goto reply;
	}
	k = cmd_find(c, method);
	if (!k) {
		code = CTRL_ERR_NO_METHOD;
		snprintf(err, sizeof(err), "no such command \"%.100s\"", method);
		goto reply;
	}
	if (role < k->role) {
		code = CTRL_ERR_FORBIDDEN;
		snprintf(err, sizeof(err), "\"%s\" needs the %s role", k->name, role_name(k->role));
		goto reply;
	}
	if (params_check(k, params, err, sizeof(err)) < 0) {
		code = CTRL_ERR_INVALID_PARAMS;
		goto reply;
	}
	r = k->fn(c->ctx, params, &result, err, sizeof(err));
	if (r < 0) {
		code = CTRL_ERR_FAILED;
		if (!err[0])
			snprintf(err, sizeof(err), "%s", strerror(-r));
		result = json_free(result);
	}
reply:
	json_free(empty);
	if (!id && code != CTRL_ERR_INVALID_REQUEST && code != CTRL_ERR_PARSE) {
		json_free(result);
		return NULL; /* notification: no answer */
	}
	if (json_new_object(&resp) < 0) {
		json_free(result);
		return NULL;
	}
	(void)json_obj_set_str(resp, "jsonrpc", "2.0");
	if (code) {
		(void)json_obj_set(resp, "error", error_obj(code, err));
		json_free(result);
	} else {
		if (!result)
			(void)json_new_object(&result);
		(void)json_obj_set(resp, "result", result);
	}
	if (id && json_dup(&idc, id) == 0)
		(void)json_obj_set(resp, "id", idc);
	else
		(void)json_obj_set_null(resp, "id");
	return resp;
}

int ctrl_dispatch(struct ctrl *c, enum ctrl_role role, const char *msg, size_t len,
		  char **ret_resp, bool *ret_subscribe)
{
	struct json *req = NULL, *resp = NULL;
	char err[200];
	bool sub = false;
	int r;

	*ret_resp = NULL;
	r = json_parse(&req, msg, len, NULL, err, sizeof(err));
	if (r < 0) {
		char m[260];

		snprintf(m, sizeof(m), "parse error: %s", err);
		if (json_new_object(&resp) < 0)
			return -ENOMEM;
		(void)json_obj_set_str(resp, "jsonrpc", "2.0");
		(void)json_obj_set(resp, "error", error_obj(CTRL_ERR_PARSE, m));
		(void)json_obj_set_null(resp, "id");
	} else if (json_is(req, JSON_ARRAY)) {
		if (json_len(req) == 0) {
			resp = dispatch_one(c, role, req, &sub); /* invalid request */
		} else if (json_new_array(&resp) == 0) {
			for (size_t i = 0; i < json_len(req) && i < 64; i++) {
				struct json *one = dispatch_one(c, role, json_at(req, i), &sub);

				if (one)
					(void)json_arr_append(resp, one);
			}
			if (json_len(resp) == 0)
				resp = json_free(resp);
		}
	} else {
		resp = dispatch_one(c, role, req, &sub);
	}
	json_free(req);
	if (ret_subscribe)
		*ret_subscribe = sub;
	if (!resp)
		return 0;
	r = json_print(resp, 0, ret_resp, NULL);
	json_free(resp);
	return r;
}

void ctrl_event(struct ctrl *c, const char *name, struct json *data)
{
	struct json *n = NULL, *p = NULL;
	char *text = NULL;
	size_t len;

	if (!data && json_new_object(&data) < 0)
		return;
	if (json_new_object(&n) < 0 || json_new_object(&p) < 0) {
		json_free(n);
		json_free(data);
		return;
	}
	(void)json_obj_set_str(n, "jsonrpc", "2.0");
	(void)json_obj_set_str(n, "method", "event");
	(void)json_obj_set_str(p, "event", name);
	(void)json_obj_set(p, "data", data);
	(void)json_obj_set(n, "params", p);
	if (json_print(n, 0, &text, &len) == 0) {
		for (struct ctrl_sink *s = c->sinks; s; s = s->next)
			s->deliver(s->arg, text, len);
		log_debug(ctrl, "event %s", name);
	}
	free(text);
	json_free(n);
}

void ctrl_sink_add(struct ctrl *c, struct ctrl_sink *s)
{
	s->next = c->sinks;
	c->sinks = s;
}

void ctrl_sink_del(struct ctrl *c, struct ctrl_sink *s)
{
	for (struct ctrl_sink **pp = &c->sinks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			return;
		}
}

int ctrl_schema(struct ctrl *c, struct json **ret)
{
	struct json *all = NULL;

	if (json_new_array(&all) < 0)
		return -ENOMEM;
	for (struct cmd_table *t = c->tables; t; t = t->next)
		for (const struct ctrl_cmd *k = t->cmds; k->name; k++) {
			struct json *o = NULL, *ps = NULL;

			if (json_new_object(&o) < 0 || json_new_array(&ps) < 0)
				goto oom;
			(void)json_obj_set_str(o, "name", k->name);
			(void)json_obj_set_str(o, "doc", k->doc ? k->doc : "");
			(void)json_obj_set_str(o, "role", role_name(k->role));
			for (const struct ctrl_param *d = k->params; d && d->name; d++) {
				struct json *po = NULL;

				if (json_new_object(&po) < 0)
					goto oom;
				(void)json_obj_set_str(po, "name", d->name);
				(void)json_obj_set_str(po, "type", json_type_name(d->type));
				(void)json_obj_set_bool(po, "required", d->required);
				if (d->doc)
					(void)json_obj_set_str(po, "doc", d->doc);
				(void)json_arr_append(ps, po);
			}
			(void)json_obj_set(o, "params", ps);
			(void)json_arr_append(all, o);
			continue;
oom:
			json_free(o);
			json_free(ps);
			json_free(all);
			return -ENOMEM;
		}
	*ret = all;
	return 0;
}

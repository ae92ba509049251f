/* terminal_ctrl.c: the terminal's control API commands (one registry for
 * rakwonctl, the web panel and integrators). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctrl/ctrl.h"
#include "lib/base/clock.h"
#include "lib/json/json.h"
#include "terminal/terminal.h"
#include "terminal/terminal_main.h"

#define CMD(name) static int cmd_##name(void *ctx, const struct json *p, struct json **res, \
					char *err, size_t n)

static const char *str(const struct json *p, const char *key)
{
	const char *s = NULL;

	(void)json_get_str(p, key, &s);
	return s;
}

CMD(dial)
{
	return call_dial(ctx, str(p, "uri"), err, n);
}

CMD(answer)
{
	return call_answer(ctx, err, n);
}

CMD(reject)
{
	return call_reject(ctx, err, n);
}

CMD(hangup)
{
	return call_hangup(ctx, err, n);
}

CMD(hold)
{
	return call_hold(ctx, true, err, n);
}

CMD(resume)
{
	return call_hold(ctx, false, err, n);
}

CMD(dtmf)
{
	return call_dtmf(ctx, str(p, "digits"), err, n);
}

CMD(mute)
{
	struct terminal *t = ctx;
	bool mic = t->mic_muted, cam = t->cam_muted;

	(void)json_get_bool(p, "microphone", &mic);
	(void)json_get_bool(p, "camera", &cam);
	call_set_mute(t, mic, cam);
	return 0;
}

CMD(status)
{
	struct terminal *t = ctx;
	struct json *d = NULL, *reg = NULL;

	if (json_new_object(&d) < 0 || json_new_object(&reg) < 0) {
		json_free(d);
		return -ENOMEM;
	}
	(void)json_obj_set_str(d, "room", conf_str(t->conf, "room.name"));
	(void)json_obj_set_str(d, "aor", t->aor);
	(void)json_obj_set_str(d, "version", "0.1");
	(void)json_obj_set_int(d, "uptime_s", (int64_t)((clock_now_us() - t->start_us) / 1000000));
	(void)json_obj_set_bool(reg, "enabled", conf_str(t->conf, "sip.registrar")[0] != 0);
	(void)json_obj_set_bool(reg, "registered", t->reg_code >= 200 && t->reg_code < 300);
	(void)json_obj_set_int(reg, "code", t->reg_code);
	(void)json_obj_set(d, "registration", reg);
	(void)json_obj_set_bool(d, "microphone_muted", t->mic_muted);
	(void)json_obj_set_bool(d, "camera_muted", t->cam_muted);
	(void)json_obj_set(d, "call", call_status_json(t));
	*res = d;
	return 0;
}

CMD(history)
{
	struct terminal *t = ctx;
	struct json *a = NULL;
	unsigned cap = (unsigned)conf_int(t->conf, "call.history_size");

	if (json_new_array(&a) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < t->hist_n && cap; i++) {
		const struct call_rec *r = &t->hist[(t->hist_head + cap - 1 - i) % cap];
		struct json *o = NULL;

		if (json_new_object(&o) < 0)
			break;
		(void)json_obj_set_str(o, "direction", r->incoming ? "incoming" : "outgoing");
		(void)json_obj_set_str(o, "remote", r->remote_uri);
		(void)json_obj_set_str(o, "display", r->remote_name);
		(void)json_obj_set_bool(o, "answered", r->answered);
		(void)json_obj_set_int(o, "start", (int64_t)(r->start_wall_us / 1000000));
		(void)json_obj_set_int(o, "duration_s", r->duration_s);
		(void)json_obj_set_bool(o, "encrypted", r->encrypted);
		(void)json_arr_append(a, o);
	}
	*res = a;
	return 0;
}

CMD(config_get)
{
	struct terminal *t = ctx;
	const char *key = str(p, "key");
	const struct conf_def *d = conf_def_find(t->conf, key);
	struct json *o = NULL;

	if (!d) {
		snprintf(err, n, "unknown key \"%s\"", key);
		return -ENOENT;
	}
	if (json_new_object(&o) < 0)
		return -ENOMEM;
	(void)json_obj_set_str(o, "key", key);
	/* secrets are never returned */
	(void)json_obj_set_str(o, "value", d->flags & CONF_SECRET ?
			       (conf_str(t->conf, key)[0] ? "(set)" : "") : conf_str(t->conf, key));
	*res = o;
	return 0;
}

CMD(config_set)
{
	struct terminal *t = ctx;

	return conf_set(t->conf, str(p, "key"), str(p, "value"), true, err, n);
}

CMD(help)
{
	struct terminal *t = ctx;

	return ctrl_schema(t->ctrl, res);
}

CMD(shutdown)
{
	terminal_shutdown(ctx);
	return 0;
}

static const struct ctrl_param p_dial[] = {
	{ "uri", JSON_STRING, true, 5, 512, NULL, "sip: or sips: URI to call" },
	{ 0 },
};
static const struct ctrl_param p_dtmf[] = {
	{ "digits", JSON_STRING, true, 1, 16, NULL, "0-9, *, #, A-D" },
	{ 0 },
};
static const struct ctrl_param p_mute[] = {
	{ "microphone", JSON_BOOL, false, 0, 0, NULL, "mute (true) or unmute the microphone" },
	{ "camera", JSON_BOOL, false, 0, 0, NULL, "camera off (true) or on" },
	{ 0 },
};
static const struct ctrl_param p_key[] = {
	{ "key", JSON_STRING, true, 1, 128, NULL, "configuration key" },
	{ 0 },
};
static const struct ctrl_param p_set[] = {
	{ "key", JSON_STRING, true, 1, 128, NULL, "configuration key" },
	{ "value", JSON_STRING, true, 0, 4096, NULL, "new value (validated)" },
	{ 0 },
};

static const struct ctrl_cmd commands[] = {
	{ "dial", "Call a SIP URI.", CTRL_ROLE_USER, p_dial, cmd_dial },
	{ "answer", "Answer the incoming call.", CTRL_ROLE_USER, NULL, cmd_answer },
	{ "reject", "Decline the incoming call.", CTRL_ROLE_USER, NULL, cmd_reject },
	{ "hangup", "End or cancel the call.", CTRL_ROLE_USER, NULL, cmd_hangup },
	{ "hold", "Put the call on hold (re-INVITE).", CTRL_ROLE_USER, NULL, cmd_hold },
	{ "resume", "Resume a held call.", CTRL_ROLE_USER, NULL, cmd_resume },
	{ "dtmf", "Send DTMF digits (RFC 4733, or SIP INFO).", CTRL_ROLE_USER, p_dtmf, cmd_dtmf },
	{ "mute", "Mute or unmute microphone and camera.", CTRL_ROLE_USER, p_mute, cmd_mute },
	{ "status", "Status tree: call, registration, mute.", CTRL_ROLE_USER, NULL, cmd_status },
	{ "history", "Call history, newest first.", CTRL_ROLE_USER, NULL, cmd_history },
	{ "config_get", "Read a configuration key.", CTRL_ROLE_USER, p_key, cmd_config_get },
	{ "config_set", "Change a configuration key.", CTRL_ROLE_ADMIN, p_set, cmd_config_set },
	{ "help", "The command schema.", CTRL_ROLE_USER, NULL, cmd_help },
	{ "shutdown", "Stop the terminal.", CTRL_ROLE_ADMIN, NULL, cmd_shutdown },
	{ 0 },
};

int terminal_ctrl_register(struct terminal *t)
{
	return ctrl_register(t->ctrl, commands);
}

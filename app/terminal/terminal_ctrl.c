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
	/* flat fields for panels */
	(void)json_obj_set_str(d, "state", t->call ? call_state_name(t->call->state) : "idle");
	(void)json_obj_set_str(d, "remote", t->call ? t->call->remote_uri : "");
	(void)json_obj_set_bool(d, "microphone", t->mic_muted);
	(void)json_obj_set_bool(d, "camera", t->cam_muted);
	(void)json_obj_set_int(d, "volume", t->volume);
	(void)json_obj_set_str(d, "layout", t->layout);
	(void)json_obj_set_bool(d, "standby", t->standby);
	(void)json_obj_set(d, "ui", terminal_ui_status(t));
	*res = d;
	return 0;
}

CMD(volume)
{
	struct terminal *t = ctx;
	int64_t v = 0;
	struct json *d = NULL;

	(void)json_get_int(p, "level", &v);
	t->volume = (int)v;
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_int(d, "level", t->volume);
		terminal_event(t, "volume", d);
	}
	return 0;
}

CMD(layout)
{
	struct terminal *t = ctx;
	struct json *d = NULL;

	snprintf(t->layout, sizeof(t->layout), "%s", str(p, "layout"));
	terminal_ui_layout(t, t->layout);
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_str(d, "layout", t->layout);
		terminal_event(t, "layout", d);
	}
	return 0;
}

CMD(camera_preset)
{
	struct terminal *t = ctx;
	const char *cam = conf_str(t->conf, "dev.camera");
	const char *act = str(p, "action");

	/* presets move a PTZ camera (V4L2 pan/tilt/zoom controls); the fake
	 * twins (testsrc, y4m) have none; reading the position back from
	 * V4L2 (needed to store one) is not implemented yet */
	if (strcmp(cam, "v4l2") != 0)
		snprintf(err, n, "camera presets need a PTZ camera: dev.camera = %s has no "
			 "pan/tilt/zoom controls (cannot %s preset %lld)", cam,
			 act ? act : "recall", (long long)json_int_val(json_obj_get(p, "preset")));
	else
		snprintf(err, n, "camera presets on V4L2 cameras are not supported yet "
			 "(cannot %s preset %lld)", act ? act : "recall",
			 (long long)json_int_val(json_obj_get(p, "preset")));
	return -ENOTSUP;
}

CMD(key)
{
	return terminal_ui_key(ctx, str(p, "action"), err, n);
}

CMD(screenshot)
{
	return terminal_ui_screenshot(ctx, str(p, "path"), err, n);
}

CMD(standby)
{
	struct terminal *t = ctx;

	if (!t->ui) {
		snprintf(err, n, "the on-screen UI is off (ui.enabled = no)");
		return -ENOTSUP;
	}
	if (t->call) {
		snprintf(err, n, "not during a call");
		return -EBUSY;
	}
	terminal_ui_standby(t, true, "command");
	return 0;
}

CMD(wake)
{
	struct terminal *t = ctx;

	if (!t->ui) {
		snprintf(err, n, "the on-screen UI is off (ui.enabled = no)");
		return -ENOTSUP;
	}
	terminal_ui_standby(t, false, "command");
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

/* the directory setting "Name <uri>, Name2 <uri2>" as [{name, uri}] */
CMD(directory)
{
	struct terminal *t = ctx;
	const char *q = conf_str(t->conf, "directory");
	struct json *a = NULL;

	if (json_new_array(&a) < 0)
		return -ENOMEM;
	while (*q) {
		const char *lt = strchr(q, '<'), *gt = lt ? strchr(lt, '>') : NULL;
		const char *name = q, *ne;
		struct json *o = NULL;
		char nbuf[128], ubuf[256];

		if (!lt || !gt)
			break;
		while (*name == ' ' || *name == ',')
			name++;
		ne = lt;
		while (ne > name && ne[-1] == ' ')
			ne--;
		snprintf(nbuf, sizeof(nbuf), "%.*s", (int)(ne - name), name);
		snprintf(ubuf, sizeof(ubuf), "%.*s", (int)(gt - lt - 1), lt + 1);
		if (json_new_object(&o) == 0) {
			(void)json_obj_set_str(o, "name", nbuf);
			(void)json_obj_set_str(o, "uri", ubuf);
			(void)json_arr_append(a, o);
		}
		q = gt + 1;
	}
	*res = a;
	return 0;
}

CMD(help)
{
	struct terminal *t = ctx;

	return ctrl_schema(t->ctrl, res);
}

/* stop cleanly (calls ended, registration removed), then main() runs
 * sys.reboot_cmd in place of the terminal */
CMD(reboot)
{
	struct terminal *t = ctx;
	const char *cmd = conf_str(t->conf, "sys.reboot_cmd");
	struct json *d = NULL;

	if (t->quitting) {
		snprintf(err, n, "already stopping");
		return -EALREADY;
	}
	if (!cmd[0] || strlen(cmd) >= sizeof(t->reboot_cmd)) {
		snprintf(err, n, "no reboot command (sys.reboot_cmd is %s)", cmd[0] ? "too long" : "empty");
		return -ENOTSUP;
	}
	snprintf(t->reboot_cmd, sizeof(t->reboot_cmd), "%s", cmd);
	t->reboot = true;
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_str(d, "reason", "command");
		terminal_event(t, "reboot", d);
	}
	terminal_shutdown(t);
	return 0;
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
static const struct ctrl_param p_volume[] = {
	{ "level", JSON_INT, true, 0, 100, NULL, "0..100" },
	{ 0 },
};
static const char *const layouts[] = { "full", "pip", "side_by_side", "gallery2x2", "gallery3x3", NULL };
static const struct ctrl_param p_layout[] = {
	{ "layout", JSON_STRING, true, 0, 0, layouts, "screen layout" },
	{ 0 },
};
static const char *const preset_acts[] = { "recall", "store", NULL };
static const struct ctrl_param p_preset[] = {
	{ "preset", JSON_INT, true, 1, 16, NULL, "preset number" },
	{ "action", JSON_STRING, false, 0, 0, preset_acts, "recall (default) or store" },
	{ 0 },
};
static const struct ctrl_param p_keyact[] = {
	{ "action", JSON_STRING, true, 1, 31, NULL,
	  "remote-control action: up, down, left, right, ok, back, call, hangup, vol_up, "
	  "vol_down, mute, home, digit0..digit9, star, hash, standby" },
	{ 0 },
};
static const struct ctrl_param p_shot[] = {
	{ "path", JSON_STRING, true, 2, 1000, NULL, "PNG file to write the next composed screen to" },
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
	{ "volume", "Speaker volume.", CTRL_ROLE_USER, p_volume, cmd_volume },
	{ "layout", "Screen layout.", CTRL_ROLE_USER, p_layout, cmd_layout },
	{ "camera_preset", "Recall or store a camera preset.", CTRL_ROLE_USER, p_preset, cmd_camera_preset },
	{ "key", "Press a remote-control key.", CTRL_ROLE_USER, p_keyact, cmd_key },
	{ "standby", "Screen off, TV to standby (CEC).", CTRL_ROLE_USER, NULL, cmd_standby },
	{ "wake", "Leave standby.", CTRL_ROLE_USER, NULL, cmd_wake },
	{ "screenshot", "Write the next composed screen to a PNG file.", CTRL_ROLE_ADMIN, p_shot, cmd_screenshot },
	{ "status", "Status tree: call, registration, mute.", CTRL_ROLE_USER, NULL, cmd_status },
	{ "history", "Call history, newest first.", CTRL_ROLE_USER, NULL, cmd_history },
	{ "config_get", "Read a configuration key.", CTRL_ROLE_USER, p_key, cmd_config_get },
	{ "config_set", "Change a configuration key.", CTRL_ROLE_ADMIN, p_set, cmd_config_set },
	{ "directory", "The room directory (provisioned).", CTRL_ROLE_USER, NULL, cmd_directory },
	{ "help", "The command schema.", CTRL_ROLE_USER, NULL, cmd_help },
	{ "shutdown", "Stop the terminal.", CTRL_ROLE_ADMIN, NULL, cmd_shutdown },
	{ "reboot", "Stop the terminal cleanly and reboot the device (sys.reboot_cmd).", CTRL_ROLE_ADMIN,
	  NULL, cmd_reboot },
	{ 0 },
};

int terminal_ctrl_register(struct terminal *t)
{
	return ctrl_register(t->ctrl, commands);
}

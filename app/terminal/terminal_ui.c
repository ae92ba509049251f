/* terminal_ui.c: the terminal's on-screen UI: the live view model, remote-control keys, standby and HDMI-CEC (see terminal.h DESIGN). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "cec/cec.h"
#include "ctrl/ctrl.h"
#include "drv/media_drv.h"
#include "input/input.h"
#include "lib/base/clock.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "terminal/display.h"
#include "terminal/terminal.h"
#include "ui/ui.h"

LOG_TOPIC(ui);

#define VOLUME_OSD_US 3000000ULL

static const char *const screen_names[UI_SCREEN_MAX] = {
	"home", "incoming", "in_call", "settings", "standby",
};
static const char *const layout_names[UI_LAYOUT_MAX] = {
	"full", "pip", "side_by_side", "gallery2x2", "gallery3x3",
};

/* truncating copy (a UTF-8 sequence cut at the end is the renderer's to skip) */
static void copy(char *dst, size_t n, const char *src)
{
	size_t l = src ? strnlen(src, n - 1) : 0;

	if (l)
		memcpy(dst, src, l);
	dst[l] = 0;
}

/* "Name <uri>, Name2 <uri2>" entries appended to the model's directory */
static void dir_parse(struct ui_model *m, const char *q, bool fav)
{
	while (*q && m->n_dir < UI_DIR_MAX) {
		const char *lt = strchr(q, '<'), *gt = lt ? strchr(lt, '>') : NULL;
		const char *name = q, *ne;
		struct ui_contact *c;
		char uri[UI_URI_MAX];
		bool dup = false;

		if (!lt || !gt)
			break;
		while (*name == ' ' || *name == ',')
			name++;
		ne = lt;
		while (ne > name && ne[-1] == ' ')
			ne--;
		snprintf(uri, sizeof(uri), "%.*s", (int)(gt - lt - 1), lt + 1);
		for (int i = 0; i < m->n_dir; i++)
			dup |= !strcmp(m->dir[i].uri, uri);
		if (!dup) {
			c = &m->dir[m->n_dir++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%.*s", (int)(ne - name), name);
			copy(c->uri, sizeof(c->uri), uri);
			c->favourite = fav;
		}
		q = gt + 1;
	}
}

static void stat_row(struct ui_stat_row *r, const char *name, const struct msess_stream_stats *s,
		     bool video, bool in, const struct terminal *t)
{
	uint64_t exp = s->packets_recv + (s->lost > 0 ? (uint64_t)s->lost : 0);

	memset(r, 0, sizeof(*r));
	copy(r->stream, sizeof(r->stream), name);
	if (video && in && s->width)
		snprintf(r->resolution, sizeof(r->resolution), "%dx%d", s->width, s->height);
	else if (video)
		snprintf(r->resolution, sizeof(r->resolution), "%lldx%lld",
			 conf_int(t->conf, "video.width"), conf_int(t->conf, "video.height"));
	r->fps = video ? (in ? s->fps : (double)conf_int(t->conf, "video.fps")) : 0;
	r->bitrate_kbps = (int)(in ? s->bitrate_kbps_in : s->bitrate_kbps_out);
	r->loss_pct = in && exp ? 100.0 * (double)(s->lost > 0 ? s->lost : 0) / (double)exp : 0;
	r->jitter_ms = in ? (int)(s->jitter_ms + 0.5) : 0;
	r->rtt_ms = s->rtt_ms >= 0 ? (int)(s->rtt_ms + 0.5) : 0;
}

static void call_sync(struct terminal *t, bool frozen)
{
	struct ui_call *k = &t->ui->call;
	struct tcall *c = t->call;
	struct msess_stats st;
	enum ui_lang l = t->ui->lang;

	k->mic_muted = t->mic_muted;
	k->camera_off = t->cam_muted;
	if (!c)
		return;
	if (!k->remote_name[0] && c->remote_name[0])
		copy(k->remote_name, sizeof(k->remote_name), c->remote_name);
	k->duration_s = frozen || !c->connect_us ? 0 :
			(unsigned)((clock_now_us() - c->connect_us) / 1000000);
	k->n_stats = 0;
	k->poor_network = false;
	if (!c->ms)
		return;
	msess_get_stats(c->ms, &st);
	if (frozen)
		memset(&st, 0, sizeof(st));
	stat_row(&k->stats[0], ui_str(l, UI_S_VIDEO_IN), &st.video, true, true, t);
	stat_row(&k->stats[1], ui_str(l, UI_S_VIDEO_OUT), &st.video, true, false, t);
	stat_row(&k->stats[2], ui_str(l, UI_S_AUDIO_IN), &st.audio, false, true, t);
	stat_row(&k->stats[3], ui_str(l, UI_S_AUDIO_OUT), &st.audio, false, false, t);
	k->n_stats = 4;
	k->poor_network = k->stats[0].loss_pct > 5 || k->stats[2].loss_pct > 5 ||
			  st.video.rtt_ms > 500;
}

/* what events do not carry: clock, configuration, call figures */
static void model_sync(struct terminal *t)
{
	struct ui_model *m = t->ui;
	const char *test_time = conf_str(t->conf, "ui.test_time");
	bool frozen = test_time[0] != 0;

	copy(m->room_name, sizeof(m->room_name), conf_str(t->conf, "room.name"));
	copy(m->sip_address, sizeof(m->sip_address), t->aor);
	copy(m->version, sizeof(m->version), "0.1");
	m->lang = conf_enum(t->conf, "ui.language") == 1 ? UI_LANG_KO : UI_LANG_EN;
	if (frozen) {
		copy(m->clock, sizeof(m->clock), test_time);
		m->date[0] = 0;
	} else {
		time_t now = (time_t)(clock_wall_us() / 1000000);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(m->clock, sizeof(m->clock), "%H:%M", &tm);
		if (m->lang == UI_LANG_KO)
			snprintf(m->date, sizeof(m->date), "%d\xec\x9b\x94 %d\xec\x9d\xbc",
				 tm.tm_mon + 1, tm.tm_mday);
		else
			strftime(m->date, sizeof(m->date), "%A, %e %B", &tm);
	}
	if (!conf_str(t->conf, "sip.registrar")[0])
		m->reg = UI_REG_NONE;
	else if (t->reg_code >= 200 && t->reg_code < 300)
		m->reg = UI_REG_REGISTERED;
	else
		m->reg = t->reg_code ? UI_REG_FAILED : UI_REG_REGISTERING;
	m->volume = t->volume;
	m->n_dir = 0;
	dir_parse(m, conf_str(t->conf, "ui.favourites"), true);
	dir_parse(m, conf_str(t->conf, "directory"), false);
	for (int i = 0; i < UI_LAYOUT_MAX; i++)
		if (!strcmp(t->layout, layout_names[i]))
			m->call.layout = (enum ui_layout)i;
	call_sync(t, frozen);
	if (m->volume_osd && clock_now_us() - t->volume_osd_us > VOLUME_OSD_US)
		m->volume_osd = false;
}

static void publish(struct terminal *t)
{
	model_sync(t);
	tdisplay_model(t->disp, t->ui);
}

static void cec_wake(struct terminal *t)
{
	int r;

	if (t->cec && (r = cec_dev_wake(t->cec)) < 0)
		log_warn(ui, "CEC wake: %s, ignoring", strerror(-r));
}

void terminal_ui_standby(struct terminal *t, bool on, const char *why)
{
	struct json *d = NULL;
	int r;

	if (!t->ui || t->standby == on)
		return;
	t->standby = on;
	t->last_activity_us = clock_now_us();
	log_info(ui, "%s standby (%s)", on ? "entering" : "leaving", why);
	if (on) {
		t->ui->screen = UI_SCREEN_STANDBY;
		t->ui->focus = 0;
		if (t->cec && (r = cec_dev_standby(t->cec)) < 0)
			log_warn(ui, "CEC standby: %s, ignoring", strerror(-r));
	} else {
		if (t->ui->screen == UI_SCREEN_STANDBY) {
			t->ui->screen = t->call && t->call->state == CALL_RINGING_IN ?
					UI_SCREEN_INCOMING : UI_SCREEN_HOME;
			t->ui->focus = 0;
		}
		cec_wake(t);
	}
	publish(t);
	if (json_new_object(&d) == 0) {
		(void)json_obj_set_bool(d, "active", on);
		(void)json_obj_set_str(d, "reason", why);
		terminal_event(t, "standby", d);
	}
}

void terminal_ui_event(struct terminal *t, const char *name, const struct json *data)
{
	const char *st = NULL;
	int64_t v;

	if (!t->ui)
		return;
	if (!strcmp(name, "standby"))
		return;
	if (!strcmp(name, "volume") && json_get_int(data, "level", &v) == 0) {
		t->ui->volume_osd = true;
		t->volume_osd_us = clock_now_us();
	}
	if (!strcmp(name, "call_state") || !strcmp(name, "incoming_call")) {
		t->last_activity_us = clock_now_us();
		(void)json_get_str(data, "state", &st);
		if (!strcmp(name, "incoming_call")) {
			/* ring: wake the room and bring the TV to our input */
			if (t->standby)
				terminal_ui_standby(t, false, "incoming call");
			else
				cec_wake(t);
		}
		if (st && !strcmp(st, "idle")) {
			tdisplay_frame(t->disp, TDISPLAY_FAR, NULL);
			tdisplay_frame(t->disp, TDISPLAY_SELF, NULL);
		}
	}
	if (t->standby && t->ui->screen == UI_SCREEN_STANDBY) {
		(void)ui_model_event(t->ui, name, data);
		/* the model moves to home on idle; standby stays on screen */
		if (t->ui->screen == UI_SCREEN_HOME)
			t->ui->screen = UI_SCREEN_STANDBY;
	} else {
		(void)ui_model_event(t->ui, name, data);
	}
	publish(t);
}

void terminal_ui_layout(struct terminal *t, const char *layout)
{
	if (!t->ui)
		return;
	for (int i = 0; i < UI_LAYOUT_MAX; i++)
		if (!strcmp(layout, layout_names[i]))
			t->ui->call.layout = (enum ui_layout)i;
	publish(t);
}

/* a remote command, through the control API's dispatcher with the user role */
static void run_command(struct terminal *t, const struct ui_command *c)
{
	char msg[640], *resp = NULL;
	char params[sizeof(c->params) + 160];
	const char *uri_start;
	int r;

	snprintf(params, sizeof(params), "%s", c->params);
	if (!strcmp(c->method, "config_set") && strstr(c->params, "\"ui.language\"")) {
		/* the one setting the room's remote may change */
		char err[128];

		r = conf_set(t->conf, "ui.language", strstr(c->params, "\"ko\"") ? "ko" : "en", true,
			     err, sizeof(err));
		if (r < 0)
			log_warn(ui, "remote: ui.language: %s, ignoring", err);
		return;
	}
	if (!strcmp(c->method, "dial") && (uri_start = strstr(c->params, "\"uri\":\"")) &&
	    strncmp(uri_start + 7, "sip:", 4) && strncmp(uri_start + 7, "sips:", 5)) {
		/* keypad digits: a number at our registrar, or at our own domain */
		const char *dom = conf_str(t->conf, "sip.registrar");
		const char *at = strchr(t->aor, '@');
		char digits[UI_DIAL_MAX + 1];

		snprintf(digits, sizeof(digits), "%.*s", (int)strcspn(uri_start + 7, "\""),
			 uri_start + 7);
		if (strchr(digits, '@'))
			snprintf(params, sizeof(params), "{\"uri\":\"sip:%s\"}", digits);
		else
			snprintf(params, sizeof(params), "{\"uri\":\"sip:%s@%.*s\"}", digits,
				 dom[0] ? (int)strlen(dom) : at ? (int)strcspn(at + 1, ";>") : 9,
				 dom[0] ? dom : at ? at + 1 : "127.0.0.1");
	}
	snprintf(msg, sizeof(msg), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
		 c->method, params);
	r = ctrl_dispatch(t->ctrl, CTRL_ROLE_USER, msg, strlen(msg), &resp, NULL);
	if (r < 0 || (resp && strstr(resp, "\"error\"")))
		log_warn(ui, "remote: %s %s failed: %s", c->method, params, resp ? resp : strerror(-r));
	else
		log_info(ui, "remote: %s %s", c->method, params);
	free(resp);
}

static const struct {
	const char *alias, *action;
} aliases[] = {
	{ "select", "ok" }, { "volume+", "vol_up" }, { "volume-", "vol_down" }, { "menu", "home" },
};

int terminal_ui_key(struct terminal *t, const char *action, char *err, size_t errlen)
{
	struct ui_command cmd;
	enum ui_action a;
	enum ui_layout lay;
	struct json *d = NULL;
	int r;

	if (!t->ui) {
		snprintf(err, errlen, "the on-screen UI is off (ui.enabled = no)");
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(action, aliases[i].alias))
			action = aliases[i].action;
	if (!strcmp(action, "standby")) {
		terminal_ui_standby(t, !t->standby && !t->call, "standby key");
		return 0;
	}
	if (ui_action_from_name(action, &a) < 0 || a == UI_ACT_NONE) {
		snprintf(err, errlen, "unknown action \"%s\"", action);
		return -EINVAL;
	}
	t->last_activity_us = clock_now_us();
	if (t->standby) {
		terminal_ui_standby(t, false, "key");   /* any key only wakes */
		return 0;
	}
	if (t->ui->screen == UI_SCREEN_IN_CALL && t->ui->call.hide_controls) {
		t->ui->call.hide_controls = false;
		/* navigation keys only bring the bar back: no unseen button press */
		if (a <= UI_ACT_BACK) {
			publish(t);
			return 0;
		}
	}
	lay = t->ui->call.layout;
	r = ui_key(t->ui, a, &cmd);
	if (r > 0)
		run_command(t, &cmd);
	if (t->ui->call.layout != lay) {
		snprintf(t->layout, sizeof(t->layout), "%s", layout_names[t->ui->call.layout]);
		if (json_new_object(&d) == 0) {
			(void)json_obj_set_str(d, "layout", t->layout);
			terminal_event(t, "layout", d);
		}
	}
	publish(t);
	return 0;
}

static void on_key(const char *action, int code, int value, void *arg)
{
	struct terminal *t = arg;
	char err[128];

	log_debug(ui, "key %d (%s)%s", code, action, value == 2 ? " repeat" : "");
	if (terminal_ui_key(t, action, err, sizeof(err)) < 0)
		log_info(ui, "key %d: %s, ignoring", code, err);
}

static void on_keys_fd(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct terminal *t = arg;

	(void)input_keys_dispatch(t->keys, 0);
}

/* the TV's remote over CEC: User Control Pressed -> the same actions */
static const char *cec_ui_action(uint8_t code)
{
	static const char *const digits[10] = { "digit0", "digit1", "digit2", "digit3", "digit4",
						"digit5", "digit6", "digit7", "digit8", "digit9" };

	switch (code) {
	case 0x00: return "ok";
	case 0x01: return "up";
	case 0x02: return "down";
	case 0x03: return "left";
	case 0x04: return "right";
	case 0x09: return "home";
	case 0x0d: return "back";
	case 0x41: return "vol_up";
	case 0x42: return "vol_down";
	case 0x43: return "mute";
	default: return code >= 0x20 && code <= 0x29 ? digits[code - 0x20] : NULL;
	}
}

static void on_cec_fd(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct terminal *t = arg;
	struct cec_dev_msg m;
	char err[128];

	while (cec_dev_receive(t->cec, &m, 0) == 0) {
		if (m.len >= 2 && m.msg[1] == 0x36) {           /* Standby from the TV */
			if (!t->call)
				terminal_ui_standby(t, true, "CEC standby");
		} else if (m.len >= 3 && m.msg[1] == 0x44) {    /* User Control Pressed */
			const char *a = cec_ui_action(m.msg[2]);

			if (a)
				(void)terminal_ui_key(t, a, err, sizeof(err));
		}
	}
}

static void on_tick(struct loop *l, struct loop_timer *tm, void *arg)
{
	struct terminal *t = arg;
	int64_t idle_s = conf_int(t->conf, "ui.standby_s");

	int64_t hide_s = conf_int(t->conf, "ui.controls_hide_s");
	uint64_t idle_us = clock_now_us() - t->last_activity_us;

	if (!t->standby && !t->call && idle_s > 0 && idle_us >= (uint64_t)idle_s * 1000000)
		terminal_ui_standby(t, true, "idle");
	if (t->ui->screen == UI_SCREEN_IN_CALL && !t->ui->call.connecting && hide_s > 0 &&
	    !t->ui->call.show_stats && idle_us >= (uint64_t)hide_s * 1000000)
		t->ui->call.hide_controls = true;
	publish(t);
}

void terminal_ui_tap(enum msess_tap what, struct vframe *f, void *arg)
{
	tdisplay_frame(arg, what == MSESS_TAP_DECODED ? TDISPLAY_FAR : TDISPLAY_SELF, f);
}

int terminal_ui_screenshot(struct terminal *t, const char *path, char *err, size_t errlen)
{
	int r;

	if (!t->disp) {
		snprintf(err, errlen, "the on-screen UI is off (ui.enabled = no)");
		return -ENOTSUP;
	}
	r = tdisplay_screenshot(t->disp, path);
	if (r < 0)
		snprintf(err, errlen, r == -ENOSPC ? "too many screenshots waiting" :
			 "bad path (absolute file name without commas)");
	return r;
}

struct json *terminal_ui_status(struct terminal *t)
{
	struct json *d = NULL;
	struct tdisplay_stats st;
	struct input_keys_stats ks;
	int w, h;

	if (json_new_object(&d) < 0)
		return NULL;
	(void)json_obj_set_bool(d, "enabled", t->ui != NULL);
	(void)json_obj_set_bool(d, "standby", t->standby);
	if (!t->ui)
		return d;
	(void)json_obj_set_str(d, "screen", (unsigned)t->ui->screen < UI_SCREEN_MAX ?
			       screen_names[t->ui->screen] : "?");
	(void)json_obj_set_str(d, "layout", layout_names[t->ui->call.layout % UI_LAYOUT_MAX]);
	(void)json_obj_set_str(d, "language", t->ui->lang == UI_LANG_KO ? "ko" : "en");
	(void)json_obj_set_int(d, "focus", t->ui->focus);
	(void)json_obj_set_bool(d, "statistics", t->ui->call.show_stats);
	(void)json_obj_set_bool(d, "controls_hidden", t->ui->call.hide_controls);
	(void)json_obj_set_bool(d, "cec", t->cec != NULL);
	tdisplay_get_stats(t->disp, &st);
	tdisplay_size(t->disp, &w, &h);
	(void)json_obj_set_int(d, "width", w);
	(void)json_obj_set_int(d, "height", h);
	(void)json_obj_set_int(d, "frames", (int64_t)st.frames);
	(void)json_obj_set_int(d, "frames_written", (int64_t)st.written);
	(void)json_obj_set_int(d, "screenshots", (int64_t)st.screenshots);
	(void)json_obj_set_int(d, "errors", (int64_t)st.errors);
	(void)json_obj_set_double(d, "compose_ms_p50", st.compose_ms_p50);
	(void)json_obj_set_double(d, "compose_ms_p95", st.compose_ms_p95);
	(void)json_obj_set_double(d, "update_ms_p50", st.update_ms_p50);
	(void)json_obj_set_double(d, "update_ms_p95", st.update_ms_p95);
	if (t->keys) {
		input_keys_get_stats(t->keys, &ks);
		(void)json_obj_set_int(d, "keys", (int64_t)ks.keys);
		(void)json_obj_set_int(d, "keys_unknown", (int64_t)ks.unknown);
		(void)json_obj_set_int(d, "remote_devices", ks.devices);
	}
	return d;
}

static void remote_start(struct terminal *t)
{
	const char *drv = conf_str(t->conf, "dev.remote"), *args = conf_str(t->conf, "dev.remote_args");
	const char *km = conf_str(t->conf, "ui.keymap");
	struct ui_keymap *ukm = NULL;
	char opt[256], err[160];
	int r;

	if (!strcmp(drv, "none") || !drv[0])
		return;
	if (access(km, R_OK) < 0) {
		log_info(ui, "keymap %s: %s; using the built-in keys", km, strerror(errno));
		km = NULL;
	} else if (ui_keymap_load(&ukm, km, err, sizeof(err)) < 0) {
		log_warn(ui, "keymap %s: %s, ignoring the bad lines", km, err);
	}
	ui_keymap_free(ukm);
	if (!strcmp(drv, "fifo")) {
		if (drv_arg(args, "path", opt, sizeof(opt)) < 0) {
			log_warn(ui, "dev.remote = fifo needs dev.remote_args = path=FILE, ignoring");
			return;
		}
		r = input_keys_new_fifo(&t->keys, opt, km, on_key, t);
	} else if (!strcmp(drv, "evdev")) {
		r = drv_arg(args, "dir", opt, sizeof(opt));
		r = input_keys_new(&t->keys, r == 0 ? opt : NULL, km, on_key, t);
	} else {
		r = -ENODEV;
	}
	if (r == 0)
		r = loop_fd_add(t->loop, input_keys_fd(t->keys), EPOLLIN, on_keys_fd, t);
	if (r < 0) {
		log_info(ui, "remote control (%s %s): %s, ignoring", drv, args, strerror(-r));
		t->keys = input_keys_free(t->keys);
		return;
	}
	log_info(ui, "remote control: %s %s, keymap %s", drv, args, km ? km : "(built-in)");
}

static void cec_start(struct terminal *t)
{
	const char *p = conf_str(t->conf, "dev.cec");
	int r;

	if (!strcmp(p, "none") || !p[0])
		return;
	r = cec_dev_open(&t->cec, strcmp(p, "auto") ? p : NULL, conf_str(t->conf, "room.name"), 1000);
	if (r == 0)
		r = loop_fd_add(t->loop, cec_dev_fd(t->cec), EPOLLIN | EPOLLPRI, on_cec_fd, t);
	if (r < 0) {
		log_info(ui, "no HDMI-CEC (%s: %s), ignoring", p, strerror(-r));
		t->cec = cec_dev_close(t->cec);
		return;
	}
	log_info(ui, "HDMI-CEC: logical address %d", cec_dev_log_addr(t->cec));
}

int terminal_ui_start(struct terminal *t)
{
	struct tdisplay_conf dc = {
		.sink = conf_str(t->conf, "dev.display"),
		.sink_args = conf_str(t->conf, "dev.display_args"),
		.width = (int)conf_int(t->conf, "ui.width"),
		.height = (int)conf_int(t->conf, "ui.height"),
		.fps = (int)conf_int(t->conf, "ui.fps"),
	};
	int r, w, h;

	if (!conf_bool(t->conf, "ui.enabled"))
		return 0;
	t->ui = calloc(1, sizeof(*t->ui));
	if (!t->ui)
		return -ENOMEM;
	ui_model_init(t->ui);
	r = tdisplay_new(&t->disp, &dc);
	if (r < 0) {
		t->ui = (free(t->ui), NULL);
		return log_err_errno(ui, r, "display %s (%s): %m", dc.sink, dc.sink_args);
	}
	remote_start(t);
	cec_start(t);
	t->last_activity_us = clock_now_us();
	publish(t);
	tdisplay_size(t->disp, &w, &h);
	log_info(ui, "on-screen UI on %s %dx%d%s", dc.sink, w, h,
		 w != dc.width || h != dc.height ? " (the display's mode, not ui.width x ui.height)" : "");
	return loop_timer_start(t->loop, &t->ui_tick, 1000000, 1000000, on_tick, t);
}

void terminal_ui_stop(struct terminal *t)
{
	/* media threads hold the compositor through the frame tap */
	if (t->call && t->call->ms)
		msess_stop(t->call->ms);
	loop_timer_stop(t->loop, &t->ui_tick);
	if (t->keys) {
		(void)loop_fd_del(t->loop, input_keys_fd(t->keys));
		t->keys = input_keys_free(t->keys);
	}
	if (t->cec) {
		(void)loop_fd_del(t->loop, cec_dev_fd(t->cec));
		t->cec = cec_dev_close(t->cec);
	}
	t->disp = tdisplay_free(t->disp);
	free(t->ui);
	t->ui = NULL;
}

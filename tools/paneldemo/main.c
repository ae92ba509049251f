/* main.c: rakwon-paneldemo: the WebSocket control API on a bare ctrl with a fake call state machine, for tests of tp_ws and the web panel.
 *
 * rakwon-paneldemo --creds FILE [--port N] [--addr A] [--static DIR] [--cert F --key F] [--log SPEC]
 * rakwon-paneldemo --hash PASSWORD [ITERATIONS]     print a credentials-file hash
 * Prints "port N" on stdout once listening. Fake commands: dial, answer, reject,
 * hangup, hold, resume, mute, dtmf, volume, layout, camera_preset, status,
 * directory (user); config_get (integrator); config_set, emit, incoming (admin).
 * A dial goes dialing -> ringing_out (0.3 s) -> connected (1 s) by events.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrl.h"
#include "ctrl/ctrl_ws.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/tls/tls.h"

struct demo {
	struct loop *l;
	struct ctrl *c;
	char state[16];
	char remote[256];
	bool mic_muted, cam_off;
	int volume;
	char layout[16];
	struct loop_timer t;
	int step;
	char cfg_lang[8];
};

static void call_state(struct demo *d, const char *st)
{
	struct json *j = NULL;

	snprintf(d->state, sizeof(d->state), "%s", st);
	if (json_new_object(&j) < 0)
		return;
	(void)json_obj_set_str(j, "state", st);
	(void)json_obj_set_str(j, "remote", d->remote);
	(void)json_obj_set_bool(j, "encrypted", true);
	ctrl_event(d->c, "call_state", j);
}

static void progress(struct loop *l, struct loop_timer *t, void *arg)
{
	struct demo *d = arg;

	(void)t;
	if (!strcmp(d->state, "dialing")) {
		call_state(d, "ringing_out");
		(void)loop_timer_start(l, &d->t, 1000000, 0, progress, d);
	} else if (!strcmp(d->state, "ringing_out")) {
		call_state(d, "connected");
		ctrl_event(d->c, "first_video", NULL);
		ctrl_event(d->c, "first_audio", NULL);
	}
}

static int fail(char *err, size_t n, const char *msg)
{
	snprintf(err, n, "%s", msg);
	return -EINVAL;
}

static int h_dial(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	const char *uri = NULL;

	(void)res;
	if (strcmp(d->state, "idle"))
		return fail(err, n, "a call is in progress");
	(void)json_get_str(p, "uri", &uri);
	snprintf(d->remote, sizeof(d->remote), "%s", uri);
	call_state(d, "dialing");
	return loop_timer_start(d->l, &d->t, 300000, 0, progress, d);
}

static void ended(struct demo *d, int code, const char *reason)
{
	struct json *j = NULL;

	loop_timer_stop(d->l, &d->t);
	if (json_new_object(&j) == 0) {
		(void)json_obj_set_str(j, "remote", d->remote);
		(void)json_obj_set_int(j, "code", code);
		(void)json_obj_set_str(j, "reason", reason);
		ctrl_event(d->c, "call_ended", j);
	}
	call_state(d, "idle");
	d->remote[0] = '\0';
}

static int h_answer(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;

	(void)p;
	(void)res;
	if (strcmp(d->state, "ringing_in"))
		return fail(err, n, "no incoming call");
	call_state(d, "connected");
	return 0;
}

static int h_end(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;

	(void)p;
	(void)res;
	if (!strcmp(d->state, "idle"))
		return fail(err, n, "no call");
	ended(d, strcmp(d->state, "ringing_in") ? 200 : 603, "local hangup");
	return 0;
}

static int h_hold(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;

	(void)p;
	(void)res;
	if (strcmp(d->state, "connected"))
		return fail(err, n, "not connected");
	call_state(d, "held");
	return 0;
}

static int h_resume(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;

	(void)p;
	(void)res;
	if (strcmp(d->state, "held"))
		return fail(err, n, "not held");
	call_state(d, "connected");
	return 0;
}

static int h_mute(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	struct json *j = NULL;

	(void)res;
	(void)err;
	(void)n;
	(void)json_get_bool(p, "microphone", &d->mic_muted);
	(void)json_get_bool(p, "camera", &d->cam_off);
	if (json_new_object(&j) == 0) {
		(void)json_obj_set_bool(j, "microphone", d->mic_muted);
		(void)json_obj_set_bool(j, "camera", d->cam_off);
		ctrl_event(d->c, "mute", j);
	}
	return 0;
}

static int h_int_event(struct demo *d, const struct json *p, const char *key, const char *ev)
{
	struct json *j = NULL;
	int64_t v = 0;

	(void)json_get_int(p, key, &v);
	if (!strcmp(key, "level"))
		d->volume = (int)v;
	if (json_new_object(&j) == 0) {
		(void)json_obj_set_int(j, key, v);
		ctrl_event(d->c, ev, j);
	}
	return 0;
}

static int h_volume(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	(void)res;
	(void)err;
	(void)n;
	return h_int_event(ctx, p, "level", "volume");
}

static int h_preset(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	(void)res;
	(void)err;
	(void)n;
	return h_int_event(ctx, p, "preset", "camera_preset");
}

static int h_layout(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	const char *lay = NULL;
	struct json *j = NULL;

	(void)res;
	(void)err;
	(void)n;
	(void)json_get_str(p, "layout", &lay);
	snprintf(d->layout, sizeof(d->layout), "%s", lay);
	if (json_new_object(&j) == 0) {
		(void)json_obj_set_str(j, "layout", d->layout);
		ctrl_event(d->c, "layout", j);
	}
	return 0;
}

static int h_dtmf(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;

	(void)p;
	(void)res;
	if (strcmp(d->state, "connected"))
		return fail(err, n, "not connected");
	return 0;
}

static int h_status(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	struct json *j = NULL;

	(void)p;
	(void)err;
	(void)n;
	if (json_new_object(&j) < 0)
		return -ENOMEM;
	(void)json_obj_set_str(j, "state", d->state);
	(void)json_obj_set_str(j, "room", "Hanbit Meeting Room 3");
	(void)json_obj_set_str(j, "remote", d->remote);
	(void)json_obj_set_bool(j, "microphone", d->mic_muted);
	(void)json_obj_set_bool(j, "camera", d->cam_off);
	(void)json_obj_set_int(j, "volume", d->volume);
	(void)json_obj_set_str(j, "layout", d->layout);
	*res = j;
	return 0;
}

static int h_directory(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	static const char *const dir[][2] = {
		{ "Seoul HQ Boardroom", "sip:boardroom@seoul.example.kr" },
		{ "Busan Lab", "sip:lab@busan.example.kr" },
		{ "Kim Min-jun", "sip:minjun.kim@example.kr" },
		{ "Daejeon Training Room", "sip:training@daejeon.example.kr" },
		{ "Helpdesk", "sip:helpdesk@example.kr" },
	};
	struct json *a = NULL;

	(void)ctx;
	(void)p;
	(void)err;
	(void)n;
	if (json_new_array(&a) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(dir) / sizeof(dir[0]); i++) {
		struct json *e = NULL;

		if (json_new_object(&e) < 0)
			break;
		(void)json_obj_set_str(e, "name", dir[i][0]);
		(void)json_obj_set_str(e, "uri", dir[i][1]);
		(void)json_arr_append(a, e);
	}
	*res = a;
	return 0;
}

static int h_config_get(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	const char *key = NULL;

	(void)json_get_str(p, "key", &key);
	if (strcmp(key, "ui.language"))
		return fail(err, n, "unknown key");
	return json_new_str(res, d->cfg_lang);
}

static int h_config_set(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	const char *key = NULL, *val = NULL;

	(void)res;
	(void)json_get_str(p, "key", &key);
	(void)json_get_str(p, "value", &val);
	if (strcmp(key, "ui.language") || (strcmp(val, "en") && strcmp(val, "ko")))
		return fail(err, n, "unknown key or value");
	snprintf(d->cfg_lang, sizeof(d->cfg_lang), "%s", val);
	return 0;
}

static int h_emit(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	const char *name = NULL;
	struct json *j = NULL;
	int64_t seq = 0;

	(void)res;
	(void)err;
	(void)n;
	(void)json_get_str(p, "name", &name);
	(void)json_get_int(p, "seq", &seq);
	if (json_new_object(&j) < 0)
		return -ENOMEM;
	(void)json_obj_set_int(j, "seq", seq);
	ctrl_event(d->c, name, j);
	return 0;
}

static int h_incoming(void *ctx, const struct json *p, struct json **res, char *err, size_t n)
{
	struct demo *d = ctx;
	const char *remote = NULL;
	struct json *j = NULL;

	(void)res;
	if (strcmp(d->state, "idle"))
		return fail(err, n, "busy");
	(void)json_get_str(p, "remote", &remote);
	snprintf(d->remote, sizeof(d->remote), "%s", remote);
	if (json_new_object(&j) == 0) {
		(void)json_obj_set_str(j, "remote", remote);
		(void)json_obj_set_str(j, "display", "");
		(void)json_obj_set_bool(j, "encrypted", true);
		ctrl_event(d->c, "incoming_call", j);
	}
	call_state(d, "ringing_in");
	return 0;
}

static const struct ctrl_param p_uri[] = {
	{ .name = "uri", .type = JSON_STRING, .required = true, .min = 1, .max = 255 }, { 0 }
};
static const struct ctrl_param p_mute[] = {
	{ .name = "microphone", .type = JSON_BOOL }, { .name = "camera", .type = JSON_BOOL }, { 0 }
};
static const struct ctrl_param p_dtmf[] = {
	{ .name = "digits", .type = JSON_STRING, .required = true, .min = 1, .max = 32 }, { 0 }
};
static const struct ctrl_param p_volume[] = {
	{ .name = "level", .type = JSON_INT, .required = true, .min = 0, .max = 100 }, { 0 }
};
static const struct ctrl_param p_preset[] = {
	{ .name = "preset", .type = JSON_INT, .required = true, .min = 1, .max = 6 }, { 0 }
};
static const char *const layouts[] = {
	"full", "pip", "side_by_side", "gallery2x2", "gallery3x3", NULL
};
static const struct ctrl_param p_layout[] = {
	{ .name = "layout", .type = JSON_STRING, .required = true, .enum_vals = layouts }, { 0 }
};
static const struct ctrl_param p_key[] = {
	{ .name = "key", .type = JSON_STRING, .required = true }, { 0 }
};
static const struct ctrl_param p_kv[] = {
	{ .name = "key", .type = JSON_STRING, .required = true },
	{ .name = "value", .type = JSON_STRING, .required = true }, { 0 }
};
static const struct ctrl_param p_emit[] = {
	{ .name = "name", .type = JSON_STRING, .required = true, .min = 1, .max = 64 },
	{ .name = "seq", .type = JSON_INT }, { 0 }
};
static const struct ctrl_param p_remote[] = {
	{ .name = "remote", .type = JSON_STRING, .required = true, .min = 1, .max = 255 }, { 0 }
};

static const struct ctrl_cmd cmds[] = {
	{ "dial", "call an address", CTRL_ROLE_USER, p_uri, h_dial },
	{ "answer", "answer the incoming call", CTRL_ROLE_USER, NULL, h_answer },
	{ "reject", "reject the incoming call", CTRL_ROLE_USER, NULL, h_end },
	{ "hangup", "end the call", CTRL_ROLE_USER, NULL, h_end },
	{ "hold", "hold the call", CTRL_ROLE_USER, NULL, h_hold },
	{ "resume", "resume the call", CTRL_ROLE_USER, NULL, h_resume },
	{ "mute", "mute microphone/camera", CTRL_ROLE_USER, p_mute, h_mute },
	{ "dtmf", "send DTMF digits", CTRL_ROLE_USER, p_dtmf, h_dtmf },
	{ "volume", "set the volume", CTRL_ROLE_USER, p_volume, h_volume },
	{ "layout", "set the layout", CTRL_ROLE_USER, p_layout, h_layout },
	{ "camera_preset", "recall a camera preset", CTRL_ROLE_USER, p_preset, h_preset },
	{ "status", "call status", CTRL_ROLE_USER, NULL, h_status },
	{ "directory", "the directory", CTRL_ROLE_USER, NULL, h_directory },
	{ "config_get", "read a setting", CTRL_ROLE_INTEGRATOR, p_key, h_config_get },
	{ "config_set", "change a setting", CTRL_ROLE_ADMIN, p_kv, h_config_set },
	{ "emit", "broadcast a test event", CTRL_ROLE_ADMIN, p_emit, h_emit },
	{ "incoming", "simulate an incoming call", CTRL_ROLE_ADMIN, p_remote, h_incoming },
	{ NULL, NULL, 0, NULL, NULL },
};

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_quit(l, 0);
}

int main(int argc, char **argv)
{
	struct demo d = { .volume = 50 };
	struct ctrl_ws_opts o = { 0 };
	struct ctrl_ws *w = NULL;
	struct tls_conf *tc = NULL;
	const char *cert = NULL, *key = NULL;
	int r;

	if (argc >= 3 && !strcmp(argv[1], "--hash")) {
		char h[256];

		r = ctrl_creds_hash(argv[2], argc > 3 ? (unsigned)atoi(argv[3]) : 0, h, sizeof(h));
		if (r < 0)
			return 1;
		printf("%s\n", h);
		return 0;
	}
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--creds"))
			o.creds_path = argv[i + 1];
		else if (!strcmp(argv[i], "--port"))
			o.port = (uint16_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--addr"))
			o.addr = argv[i + 1];
		else if (!strcmp(argv[i], "--static"))
			o.static_dir = argv[i + 1];
		else if (!strcmp(argv[i], "--cert"))
			cert = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			key = argv[i + 1];
		else if (!strcmp(argv[i], "--log"))
			(void)log_set_spec(argv[i + 1]);
		else
			break;
	}
	if (!o.creds_path) {
		fprintf(stderr, "usage: %s --creds FILE [--port N] [--addr A] [--static DIR] "
			"[--cert F --key F] | --hash PASSWORD [ITER]\n", argv[0]);
		return 2;
	}
	snprintf(d.state, sizeof(d.state), "idle");
	snprintf(d.layout, sizeof(d.layout), "pip");
	snprintf(d.cfg_lang, sizeof(d.cfg_lang), "en");
	signal(SIGPIPE, SIG_IGN);
	if (loop_new(&d.l) < 0 || ctrl_new(&d.c, d.l, &d) < 0 || ctrl_register(d.c, cmds) < 0)
		return 1;
	(void)loop_signal_add(d.l, SIGINT, on_signal, NULL);
	(void)loop_signal_add(d.l, SIGTERM, on_signal, NULL);
	if (cert && key) {
		if (tls_conf_new(&tc, TLS_SERVER) < 0 || tls_conf_set_cert_key_files(tc, cert, key) < 0) {
			fprintf(stderr, "tls setup failed\n");
			return 1;
		}
		o.tls = tc;
	}
	r = ctrl_ws_new(&w, d.c, d.l, &o);
	if (r < 0) {
		fprintf(stderr, "ctrl_ws_new: %s\n", strerror(-r));
		return 1;
	}
	printf("port %u\n", ctrl_ws_port(w));
	fflush(stdout);
	r = loop_run(d.l);
	loop_timer_stop(d.l, &d.t);
	ctrl_ws_free(w);
	tls_conf_unref(tc);
	ctrl_free(d.c);
	loop_free(d.l);
	return r < 0 ? 1 : 0;
}

/* ui_model.c: applies the terminal's control API events (call_state, incoming_call, mute, ...) to the UI view model. */
#include <stdio.h>
#include <string.h>

#include "lib/json/json.h"
#include "ui/ui.h"

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* a finished call goes to the top of the recents list */
static void recent_add(struct ui_model *m, const char *name, const char *uri,
		       enum ui_recent_kind kind)
{
	int n = m->n_recent < 0 ? 0 : m->n_recent > UI_RECENT_MAX ? UI_RECENT_MAX : m->n_recent;

	if (!uri || !uri[0])
		return;
	if (n == UI_RECENT_MAX)
		n--;
	memmove(&m->recent[1], &m->recent[0], (size_t)n * sizeof(m->recent[0]));
	memset(&m->recent[0], 0, sizeof(m->recent[0]));
	copy(m->recent[0].name, sizeof(m->recent[0].name), name);
	copy(m->recent[0].uri, sizeof(m->recent[0].uri), uri);
	copy(m->recent[0].when, sizeof(m->recent[0].when), m->clock);
	m->recent[0].kind = kind;
	m->n_recent = n + 1;
}

/* display name for a uri from the directory, "" if unknown */
static const char *dir_name(const struct ui_model *m, const char *uri)
{
	for (int i = 0; uri && i < m->n_dir && i < UI_DIR_MAX; i++)
		if (!strcmp(m->dir[i].uri, uri))
			return m->dir[i].name;
	return "";
}

static void call_reset(struct ui_model *m)
{
	struct ui_call *k = &m->call;
	enum ui_layout lay = k->layout;
	bool self = k->self_view, mic = k->mic_muted, cam = k->camera_off;

	memset(k, 0, sizeof(*k));
	k->layout = lay;
	k->self_view = self;
	k->mic_muted = mic;          /* mute states belong to the room, not the call */
	k->camera_off = cam;
	k->active_speaker = -1;
}

static int on_call_state(struct ui_model *m, const struct json *d)
{
	const char *st = NULL, *remote = NULL;
	bool enc = false, was_incoming = m->screen == UI_SCREEN_INCOMING, was_connecting;
	struct ui_call *k = &m->call;

	if (json_get_str(d, "state", &st) < 0)
		return 0;
	(void)json_get_str(d, "remote", &remote);
	(void)json_get_bool(d, "encrypted", &enc);
	if (!strcmp(st, "idle")) {
		if (m->screen == UI_SCREEN_IN_CALL || m->screen == UI_SCREEN_INCOMING) {
			if (was_incoming)
				recent_add(m, m->incoming_name, m->incoming_uri, UI_RECENT_MISSED);
			else
				recent_add(m, k->remote_name, k->remote_uri, k->incoming_call ?
					   UI_RECENT_IN : UI_RECENT_OUT);
			m->screen = UI_SCREEN_HOME;
			m->focus = 0;
		}
		call_reset(m);
		m->incoming_name[0] = m->incoming_uri[0] = '\0';
		return 1;
	}
	if (!strcmp(st, "ringing_in")) {
		if (remote && !m->incoming_uri[0])
			copy(m->incoming_uri, sizeof(m->incoming_uri), remote);
		m->screen = UI_SCREEN_INCOMING;
		m->focus = 0;
		return 1;
	}
	was_connecting = m->screen == UI_SCREEN_IN_CALL && k->connecting;
	if (m->screen != UI_SCREEN_IN_CALL) {
		bool incoming = m->screen == UI_SCREEN_INCOMING;

		call_reset(m);
		k->incoming_call = incoming;
		if (incoming) {
			copy(k->remote_name, sizeof(k->remote_name), m->incoming_name);
			copy(k->remote_uri, sizeof(k->remote_uri), m->incoming_uri);
		}
		m->screen = UI_SCREEN_IN_CALL;
		was_connecting = true;
	}
	if (remote && remote[0]) {
		if (strcmp(k->remote_uri, remote))
			copy(k->remote_name, sizeof(k->remote_name), dir_name(m, remote));
		copy(k->remote_uri, sizeof(k->remote_uri), remote);
	}
	k->encrypted = enc;
	k->connecting = !strcmp(st, "dialing") || !strcmp(st, "ringing_out");
	k->held = !strcmp(st, "held");
	/* while connecting only "end" makes sense; once media flows, the mic */
	if (k->connecting)
		m->focus = UI_BTN_HANGUP;
	else if (was_connecting)
		m->focus = UI_BTN_MIC;
	return 1;
}

int ui_model_event(struct ui_model *m, const char *event, const struct json *d)
{
	const char *s = NULL;
	bool b;

	if (!m || !event)
		return 0;
	if (!strcmp(event, "call_state"))
		return on_call_state(m, d);
	if (!strcmp(event, "incoming_call")) {
		(void)json_get_str(d, "remote", &s);
		copy(m->incoming_uri, sizeof(m->incoming_uri), s);
		s = NULL;
		(void)json_get_str(d, "display", &s);
		copy(m->incoming_name, sizeof(m->incoming_name),
		     s && s[0] ? s : dir_name(m, m->incoming_uri));
		m->incoming_encrypted = false;
		(void)json_get_bool(d, "encrypted", &m->incoming_encrypted);
		m->screen = UI_SCREEN_INCOMING;
		m->focus = 0;
		return 1;
	}
	if (!strcmp(event, "mute")) {
		if (json_get_bool(d, "microphone", &b) == 0)
			m->call.mic_muted = b;
		if (json_get_bool(d, "camera", &b) == 0)
			m->call.camera_off = b;
		return 1;
	}
	if (!strcmp(event, "registration")) {
		if (json_get_bool(d, "registered", &b) < 0)
			return 0;
		m->reg = b ? UI_REG_REGISTERED : UI_REG_FAILED;
		return 1;
	}
	if (!strcmp(event, "call_ended"))
		return 0;           /* the following call_state idle does the work */
	return 0;
}

/* ui_key.c: remote-control navigation: actions move the focus in the view model and yield terminal commands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/json/json.h"
#include "ui/ui.h"

static const char *const act_names[UI_ACT_MAX] = {
	[UI_ACT_NONE] = "none",
	[UI_ACT_UP] = "up",
	[UI_ACT_DOWN] = "down",
	[UI_ACT_LEFT] = "left",
	[UI_ACT_RIGHT] = "right",
	[UI_ACT_OK] = "ok",
	[UI_ACT_BACK] = "back",
	[UI_ACT_CALL] = "call",
	[UI_ACT_HANGUP] = "hangup",
	[UI_ACT_VOL_UP] = "vol_up",
	[UI_ACT_VOL_DOWN] = "vol_down",
	[UI_ACT_MUTE] = "mute",
	[UI_ACT_HOME] = "home",
	[UI_ACT_DIGIT0] = "digit0",
	[UI_ACT_DIGIT1] = "digit1",
	[UI_ACT_DIGIT2] = "digit2",
	[UI_ACT_DIGIT3] = "digit3",
	[UI_ACT_DIGIT4] = "digit4",
	[UI_ACT_DIGIT5] = "digit5",
	[UI_ACT_DIGIT6] = "digit6",
	[UI_ACT_DIGIT7] = "digit7",
	[UI_ACT_DIGIT8] = "digit8",
	[UI_ACT_DIGIT9] = "digit9",
	[UI_ACT_STAR] = "star",
	[UI_ACT_HASH] = "hash",
};

const char *ui_action_name(enum ui_action a)
{
	return (unsigned)a < UI_ACT_MAX ? act_names[a] : NULL;
}

int ui_action_from_name(const char *name, enum ui_action *ret)
{
	for (int i = 0; i < UI_ACT_MAX; i++)
		if (!strcasecmp(name, act_names[i])) {
			*ret = (enum ui_action)i;
			return 0;
		}
	return -EINVAL;
}

void ui_model_init(struct ui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->lang = UI_LANG_EN;
	m->screen = UI_SCREEN_HOME;
	m->tab = UI_TAB_FAVOURITES;
	m->volume = 50;
	m->net = UI_NET_UP;
	m->call.layout = UI_LAYOUT_PIP;
	m->call.self_view = true;
	m->call.active_speaker = -1;
}

static int cmd(struct ui_command *ret, const char *method, const char *params)
{
	snprintf(ret->method, sizeof(ret->method), "%s", method);
	snprintf(ret->params, sizeof(ret->params), "%s", params ? params : "{}");
	return 1;
}

/* {"key": "<s>"} with s quoted; 0 if it does not fit */
static int cmd_str(struct ui_command *ret, const char *method, const char *key, const char *s)
{
	char q[sizeof(ret->params)];
	size_t n = json_quote(q, sizeof(q), s, strlen(s));

	if (n >= sizeof(q) || !json_utf8_valid(s, strlen(s)))
		return 0;
	snprintf(ret->method, sizeof(ret->method), "%s", method);
	if ((size_t)snprintf(ret->params, sizeof(ret->params), "{\"%s\":%s}", key, q) >=
	    sizeof(ret->params))
		return 0;
	return 1;
}

static int list_len(const struct ui_model *m)
{
	int n = 0;

	switch (m->tab) {
	case UI_TAB_FAVOURITES:
		for (int i = 0; i < m->n_dir && i < UI_DIR_MAX; i++)
			n += m->dir[i].favourite;
		return n;
	case UI_TAB_DIRECTORY:
		return m->n_dir < UI_DIR_MAX ? m->n_dir : UI_DIR_MAX;
	case UI_TAB_RECENTS:
		return m->n_recent < UI_RECENT_MAX ? m->n_recent : UI_RECENT_MAX;
	default:
		return 1;
	}
}

/* uri of the focused row of the home list, NULL if none */
static const char *focused_uri(const struct ui_model *m)
{
	int k = 0;

	switch (m->tab) {
	case UI_TAB_FAVOURITES:
		for (int i = 0; i < m->n_dir && i < UI_DIR_MAX; i++)
			if (m->dir[i].favourite && k++ == m->focus)
				return m->dir[i].uri;
		return NULL;
	case UI_TAB_DIRECTORY:
		return m->focus < list_len(m) ? m->dir[m->focus].uri : NULL;
	case UI_TAB_RECENTS:
		return m->focus < list_len(m) ? m->recent[m->focus].uri : NULL;
	case UI_TAB_KEYPAD:
		return m->dial[0] ? m->dial : NULL;
	default:
		return NULL;
	}
}

static char digit_char(enum ui_action a)
{
	if (a >= UI_ACT_DIGIT0 && a <= UI_ACT_DIGIT9)
		return (char)('0' + (a - UI_ACT_DIGIT0));
	return a == UI_ACT_STAR ? '*' : a == UI_ACT_HASH ? '#' : 0;
}

static void go_home(struct ui_model *m)
{
	m->screen = UI_SCREEN_HOME;
	m->focus = 0;
}

static int key_home(struct ui_model *m, enum ui_action a, struct ui_command *ret)
{
	int n = list_len(m);
	char d = digit_char(a);
	const char *uri;

	if (d) {
		size_t l = strlen(m->dial);

		if (m->tab != UI_TAB_KEYPAD) {
			m->tab = UI_TAB_KEYPAD;
			m->focus = 0;
		}
		if (l + 1 < sizeof(m->dial)) {
			m->dial[l] = d;
			m->dial[l + 1] = '\0';
		}
		return 0;
	}
	switch (a) {
	case UI_ACT_UP:
		if (m->focus > 0)
			m->focus--;
		return 0;
	case UI_ACT_DOWN:
		if (m->focus + 1 < n)
			m->focus++;
		return 0;
	case UI_ACT_LEFT:
		if (m->tab > 0) {
			m->tab--;
			m->focus = 0;
		}
		return 0;
	case UI_ACT_RIGHT:
		if (m->tab + 1 < UI_TAB_MAX) {
			m->tab++;
			m->focus = 0;
		}
		return 0;
	case UI_ACT_BACK:
		if (m->tab == UI_TAB_KEYPAD && m->dial[0])
			m->dial[strlen(m->dial) - 1] = '\0';
		else
			m->focus = 0;
		return 0;
	case UI_ACT_OK:
	case UI_ACT_CALL:
		if (m->tab == UI_TAB_SETTINGS) {
			if (a == UI_ACT_CALL)
				return 0;
			m->screen = UI_SCREEN_SETTINGS;
			m->focus = 0;
			return 0;
		}
		uri = focused_uri(m);
		return uri ? cmd_str(ret, "dial", "uri", uri) : 0;
	default:
		return 0;
	}
}

static int key_incoming(struct ui_model *m, enum ui_action a, struct ui_command *ret)
{
	switch (a) {
	case UI_ACT_LEFT:
		m->focus = 0;
		return 0;
	case UI_ACT_RIGHT:
		m->focus = 1;
		return 0;
	case UI_ACT_OK:
		return cmd(ret, m->focus == 0 ? "answer" : "reject", NULL);
	case UI_ACT_CALL:
		return cmd(ret, "answer", NULL);
	case UI_ACT_HANGUP:
	case UI_ACT_BACK:
		return cmd(ret, "reject", NULL);
	default:
		return 0;
	}
}

static int mute_cmd(struct ui_command *ret, const char *what, bool on)
{
	char p[64];

	snprintf(p, sizeof(p), "{\"%s\":%s}", what, on ? "true" : "false");
	return cmd(ret, "mute", p);
}

static int key_in_call(struct ui_model *m, enum ui_action a, struct ui_command *ret)
{
	struct ui_call *k = &m->call;
	char d = digit_char(a);

	if (d) {
		char digits[2] = { d, 0 };
		size_t l = strlen(k->dtmf);

		if (l + 1 < sizeof(k->dtmf)) {
			k->dtmf[l] = d;
			k->dtmf[l + 1] = '\0';
		}
		return cmd_str(ret, "dtmf", "digits", digits);
	}
	switch (a) {
	case UI_ACT_LEFT:
		if (m->focus > 0)
			m->focus--;
		return 0;
	case UI_ACT_RIGHT:
		if (m->focus + 1 < UI_BTN_MAX)
			m->focus++;
		return 0;
	case UI_ACT_UP:
	case UI_ACT_DOWN:
		return 0;
	case UI_ACT_BACK:
		k->show_stats = false;
		return 0;
	case UI_ACT_HANGUP:
		return cmd(ret, "hangup", NULL);
	case UI_ACT_OK:
		switch (m->focus) {
		case UI_BTN_MIC:
			return mute_cmd(ret, "microphone", !k->mic_muted);
		case UI_BTN_CAMERA:
			return mute_cmd(ret, "camera", !k->camera_off);
		case UI_BTN_HOLD:
			return cmd(ret, k->held ? "resume" : "hold", NULL);
		case UI_BTN_LAYOUT:
			k->layout = (enum ui_layout)((k->layout + 1) % UI_LAYOUT_MAX);
			return 0;
		case UI_BTN_STATS:
			k->show_stats = !k->show_stats;
			return 0;
		case UI_BTN_HANGUP:
			return cmd(ret, "hangup", NULL);
		default:
			return 0;
		}
	default:
		return 0;
	}
}

static int key_settings(struct ui_model *m, enum ui_action a, struct ui_command *ret)
{
	switch (a) {
	case UI_ACT_UP:
		if (m->focus > 0)
			m->focus--;
		return 0;
	case UI_ACT_DOWN:
		if (m->focus + 1 < UI_SET_MAX)
			m->focus++;
		return 0;
	case UI_ACT_BACK:
		m->screen = UI_SCREEN_HOME;
		m->tab = UI_TAB_SETTINGS;
		m->focus = 0;
		return 0;
	case UI_ACT_OK:
		switch (m->focus) {
		case UI_SET_LANGUAGE:
			m->lang = m->lang == UI_LANG_EN ? UI_LANG_KO : UI_LANG_EN;
			return cmd(ret, "config_set", m->lang == UI_LANG_KO ?
				   "{\"key\":\"ui.language\",\"value\":\"ko\"}" :
				   "{\"key\":\"ui.language\",\"value\":\"en\"}");
		case UI_SET_SELF_VIEW:
			m->call.self_view = !m->call.self_view;
			return 0;
		case UI_SET_STANDBY:
			m->screen = UI_SCREEN_STANDBY;
			m->focus = 0;
			return cmd(ret, "standby", NULL);
		default:
			return 0;
		}
	default:
		return 0;
	}
}

static int volume(struct ui_model *m, int delta, struct ui_command *ret)
{
	char p[32];

	m->volume += delta;
	m->volume = m->volume < 0 ? 0 : m->volume > 100 ? 100 : m->volume;
	m->volume_osd = true;
	snprintf(p, sizeof(p), "{\"level\":%d}", m->volume);
	return cmd(ret, "volume", p);
}

int ui_key(struct ui_model *m, enum ui_action a, struct ui_command *ret)
{
	struct ui_command dummy;

	if (!m || (unsigned)a >= UI_ACT_MAX)
		return -EINVAL;
	if (!ret)
		ret = &dummy;
	memset(ret, 0, sizeof(*ret));
	if (a == UI_ACT_NONE)
		return 0;
	if (m->focus < 0)
		m->focus = 0;
	/* keys that mean the same everywhere */
	if (a == UI_ACT_VOL_UP)
		return volume(m, 5, ret);
	if (a == UI_ACT_VOL_DOWN)
		return volume(m, -5, ret);
	if (m->screen == UI_SCREEN_STANDBY) {
		/* any key wakes the screen; nothing else */
		go_home(m);
		return 0;
	}
	if (a == UI_ACT_MUTE && (m->screen == UI_SCREEN_IN_CALL || m->screen == UI_SCREEN_HOME))
		return mute_cmd(ret, "microphone", !m->call.mic_muted);
	if (a == UI_ACT_HOME) {
		if (m->screen == UI_SCREEN_SETTINGS)
			go_home(m);
		else if (m->screen == UI_SCREEN_HOME) {
			m->tab = UI_TAB_FAVOURITES;
			m->focus = 0;
		}
		return 0;
	}
	switch (m->screen) {
	case UI_SCREEN_INCOMING:
		return key_incoming(m, a, ret);
	case UI_SCREEN_IN_CALL:
		return key_in_call(m, a, ret);
	case UI_SCREEN_SETTINGS:
		return key_settings(m, a, ret);
	default:
		return key_home(m, a, ret);
	}
}

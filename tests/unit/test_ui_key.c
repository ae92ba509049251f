/* test_ui_key.c: remote-control navigation (ui_key), keymap files and control API credentials hashes. */
#include <errno.h>
#include <string.h>

#include "ctrl/ctrl_ws_int.h"
#include "lib/json/json.h"
#include "test.h"
#include "ui/ui.h"

static void model(struct ui_model *m)
{
	ui_model_init(m);
	snprintf(m->dir[0].name, sizeof(m->dir[0].name), "A");
	snprintf(m->dir[0].uri, sizeof(m->dir[0].uri), "sip:a@x");
	snprintf(m->dir[1].name, sizeof(m->dir[1].name), "B \"quoted\"");
	snprintf(m->dir[1].uri, sizeof(m->dir[1].uri), "sip:b\"@x");
	m->dir[1].favourite = true;
	snprintf(m->dir[2].uri, sizeof(m->dir[2].uri), "sip:c@x");
	m->dir[2].favourite = true;
	m->n_dir = 3;
}

TEST(ui_key_home_dial)
{
	struct ui_model m;
	struct ui_command c;

	model(&m);
	/* favourites: B, C; down selects C; ok dials it */
	CHECK_EQ(ui_key(&m, UI_ACT_DOWN, &c), 0);
	CHECK_EQ(m.focus, 1);
	CHECK_EQ(ui_key(&m, UI_ACT_DOWN, &c), 0);
	CHECK_EQ(m.focus, 1);                   /* clamped at the end */
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "dial");
	CHECK_STR(c.params, "{\"uri\":\"sip:c@x\"}");
	CHECK_EQ(ui_key(&m, UI_ACT_UP, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_CALL, &c), 1);
	CHECK_STR(c.params, "{\"uri\":\"sip:b\\\"@x\"}");   /* JSON-escaped */
	/* directory tab: three rows */
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(m.tab, UI_TAB_DIRECTORY);
	CHECK_EQ(m.focus, 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.params, "{\"uri\":\"sip:a@x\"}");
	/* digits go to the keypad; back deletes; ok dials the text */
	CHECK_EQ(ui_key(&m, UI_ACT_DIGIT4, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_DIGIT7, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_DIGIT1, &c), 0);
	CHECK_EQ(m.tab, UI_TAB_KEYPAD);
	CHECK_STR(m.dial, "471");
	CHECK_EQ(ui_key(&m, UI_ACT_BACK, &c), 0);
	CHECK_STR(m.dial, "47");
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "dial");
	CHECK_STR(c.params, "{\"uri\":\"47\"}");
	/* settings tab opens the settings screen */
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(m.tab, UI_TAB_SETTINGS);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 0);
	CHECK_EQ(m.screen, UI_SCREEN_SETTINGS);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);   /* language */
	CHECK_STR(c.method, "config_set");
	CHECK(m.lang == UI_LANG_KO);
	CHECK_EQ(ui_key(&m, UI_ACT_DOWN, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_DOWN, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "standby");
	CHECK_EQ(m.screen, UI_SCREEN_STANDBY);
	CHECK_EQ(ui_key(&m, UI_ACT_DIGIT5, &c), 0);   /* wakes only */
	CHECK_EQ(m.screen, UI_SCREEN_HOME);
	CHECK_EQ(ui_key(&m, UI_ACT_MAX, &c), -EINVAL);
}

TEST(ui_key_incoming_and_call)
{
	struct ui_model m;
	struct ui_command c;

	model(&m);
	m.screen = UI_SCREEN_INCOMING;
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "answer");
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "reject");
	CHECK_EQ(ui_key(&m, UI_ACT_CALL, &c), 1);
	CHECK_STR(c.method, "answer");
	m.screen = UI_SCREEN_IN_CALL;
	m.focus = 0;
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "mute");
	CHECK_STR(c.params, "{\"microphone\":true}");
	m.call.mic_muted = true;
	CHECK_EQ(ui_key(&m, UI_ACT_MUTE, &c), 1);
	CHECK_STR(c.params, "{\"microphone\":false}");
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.params, "{\"camera\":true}");
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 1);
	CHECK_STR(c.method, "hold");
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 0);    /* layout: local */
	CHECK(m.call.layout == UI_LAYOUT_SIDE_BY_SIDE);
	CHECK_EQ(ui_key(&m, UI_ACT_RIGHT, &c), 0);
	CHECK_EQ(ui_key(&m, UI_ACT_OK, &c), 0);
	CHECK(m.call.show_stats);
	CHECK_EQ(ui_key(&m, UI_ACT_DIGIT9, &c), 1);
	CHECK_STR(c.method, "dtmf");
	CHECK_STR(c.params, "{\"digits\":\"9\"}");
	CHECK_EQ(ui_key(&m, UI_ACT_HASH, &c), 1);
	CHECK_STR(c.params, "{\"digits\":\"#\"}");
	CHECK_EQ(ui_key(&m, UI_ACT_VOL_UP, &c), 1);
	CHECK_STR(c.method, "volume");
	CHECK_STR(c.params, "{\"level\":55}");
	CHECK(m.volume_osd);
	CHECK_EQ(ui_key(&m, UI_ACT_HANGUP, &c), 1);
	CHECK_STR(c.method, "hangup");
}

TEST(ui_keymap)
{
	static const char text[] = "# remote\nKEY_UP up\r\nKEY_OK = ok  # centre\n0x1c digit1\n\n";
	struct ui_keymap *km = NULL;
	char err[128];
	enum ui_action a;

	CHECK_OK(ui_keymap_parse(&km, text, strlen(text), err, sizeof(err)));
	CHECK_EQ(ui_keymap_count(km), 3);
	CHECK_EQ(ui_keymap_lookup(km, "key_up"), UI_ACT_UP);
	CHECK_EQ(ui_keymap_lookup(km, "KEY_OK"), UI_ACT_OK);
	CHECK_EQ(ui_keymap_lookup(km, "0x1C"), UI_ACT_DIGIT1);
	CHECK_EQ(ui_keymap_lookup(km, "KEY_DOWN"), UI_ACT_NONE);
	km = ui_keymap_free(km);
	CHECK_EQ(ui_keymap_parse(&km, "A up\na down\n", 12, err, sizeof(err)), -EEXIST);
	CHECK_STR(err, "line 2: duplicate key");
	CHECK_EQ(ui_keymap_parse(&km, "A jump\n", 7, err, sizeof(err)), -EINVAL);
	CHECK_EQ(ui_keymap_parse(&km, "A up down\n", 10, err, sizeof(err)), -EINVAL);
	CHECK_EQ(ui_keymap_parse(&km, "A\n", 2, err, sizeof(err)), -EINVAL);
	CHECK_OK(ui_action_from_name("VOL_UP", &a));
	CHECK_EQ(a, UI_ACT_VOL_UP);
	CHECK_STR(ui_action_name(UI_ACT_DIGIT0), "digit0");
	CHECK(ui_str(UI_LANG_KO, UI_S_ANSWER)[0] != 'A');
	for (int s = 0; s < UI_S_MAX; s++)
		for (int l = 0; l < UI_LANG_MAX; l++)
			CHECK_MSG(ui_str((enum ui_lang)l, (enum ui_str)s)[0], "string %d/%d empty", s, l);
}

TEST(ctrl_creds_hashes)
{
	char h[256], acc[32];

	CHECK_OK(ctrl_creds_hash("s3cret", 1000, h, sizeof(h)));
	CHECK(!strncmp(h, "pbkdf2-sha256$1000$", 19));
	CHECK_OK(ctrl_creds_verify(h, "s3cret"));
	CHECK_EQ(ctrl_creds_verify(h, "s3cret "), -EACCES);
	CHECK_EQ(ctrl_creds_verify(h, ""), -EACCES);
	/* sha256$base64(salt)$hex(sha256(salt || password)): salt "salt", pw "pw" */
	CHECK_OK(ctrl_creds_verify("sha256$c2FsdA==$"
				   "21baed949b716c49cbf7d8fe79412f1dc104745650a32081ae0be0b967aeb7f3", "pw"));
	CHECK_EQ(ctrl_creds_verify("sha256$c2FsdA==$"
				   "21baed949b716c49cbf7d8fe79412f1dc104745650a32081ae0be0b967aeb7f3", "pW"),
		 -EACCES);
	CHECK_EQ(ctrl_creds_verify("plain$pw", "pw"), -EINVAL);
	CHECK_EQ(ctrl_creds_verify("pbkdf2-sha256$0$AA==$AA==", "pw"), -EINVAL);
	/* RFC 6455 section 1.3 example */
	CHECK_OK(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", acc));
	CHECK_STR(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static struct json *J(const char *text)
{
	struct json *j = NULL;

	(void)json_parse(&j, text, strlen(text), NULL, NULL, 0);
	return j;
}

static void ev(struct ui_model *m, const char *name, const char *data)
{
	struct json *j = J(data);

	(void)ui_model_event(m, name, j);
	json_free(j);
}

TEST(ui_model_events)
{
	struct ui_model m;

	model(&m);
	snprintf(m.clock, sizeof(m.clock), "10:00");
	/* outgoing: connecting (focus on end), connected (focus on mic), idle */
	ev(&m, "call_state", "{\"state\":\"dialing\",\"remote\":\"sip:a@x\",\"encrypted\":true}");
	CHECK_EQ(m.screen, UI_SCREEN_IN_CALL);
	CHECK(m.call.connecting);
	CHECK_EQ(m.focus, UI_BTN_HANGUP);
	CHECK_STR(m.call.remote_name, "A");           /* from the directory */
	ev(&m, "call_state", "{\"state\":\"ringing_out\",\"remote\":\"sip:a@x\",\"encrypted\":true}");
	CHECK_EQ(m.focus, UI_BTN_HANGUP);
	ev(&m, "call_state", "{\"state\":\"connected\",\"remote\":\"sip:a@x\",\"encrypted\":true}");
	CHECK(!m.call.connecting);
	CHECK(m.call.encrypted);
	CHECK_EQ(m.focus, UI_BTN_MIC);
	ev(&m, "mute", "{\"microphone\":true,\"camera\":false}");
	CHECK(m.call.mic_muted);
	ev(&m, "call_state", "{\"state\":\"held\",\"remote\":\"sip:a@x\",\"encrypted\":true}");
	CHECK(m.call.held);
	ev(&m, "call_state", "{\"state\":\"idle\",\"remote\":\"sip:a@x\",\"encrypted\":true}");
	CHECK_EQ(m.screen, UI_SCREEN_HOME);
	CHECK_EQ(m.n_recent, 1);
	CHECK_STR(m.recent[0].uri, "sip:a@x");
	CHECK_EQ(m.recent[0].kind, UI_RECENT_OUT);
	CHECK(m.call.mic_muted);                      /* room state survives the call */
	/* incoming, declined: a missed entry */
	ev(&m, "incoming_call", "{\"remote\":\"sip:c@x\",\"display\":\"Cee\",\"encrypted\":false}");
	CHECK_EQ(m.screen, UI_SCREEN_INCOMING);
	CHECK_STR(m.incoming_name, "Cee");
	ev(&m, "call_state", "{\"state\":\"ringing_in\",\"remote\":\"sip:c@x\",\"encrypted\":false}");
	ev(&m, "call_state", "{\"state\":\"idle\",\"remote\":\"sip:c@x\",\"encrypted\":false}");
	CHECK_EQ(m.n_recent, 2);
	CHECK_EQ(m.recent[0].kind, UI_RECENT_MISSED);
	CHECK_STR(m.recent[0].name, "Cee");
	/* incoming, answered */
	ev(&m, "incoming_call", "{\"remote\":\"sip:b\\\"@x\",\"display\":\"\",\"encrypted\":true}");
	CHECK_STR(m.incoming_name, "B \"quoted\"");
	ev(&m, "call_state", "{\"state\":\"connected\",\"remote\":\"sip:b\\\"@x\",\"encrypted\":true}");
	CHECK_EQ(m.screen, UI_SCREEN_IN_CALL);
	CHECK_STR(m.call.remote_name, "B \"quoted\"");
	CHECK_EQ(m.focus, UI_BTN_MIC);
	ev(&m, "call_state", "{\"state\":\"idle\"}");
	CHECK_EQ(m.recent[0].kind, UI_RECENT_IN);
	ev(&m, "registration", "{\"registered\":false,\"code\":403}");
	CHECK_EQ(m.reg, UI_REG_FAILED);
	CHECK_EQ(ui_model_event(&m, "first_video", NULL), 0);
}

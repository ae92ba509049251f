/* ui.h: the room terminal's on-screen UI: view model, software renderer, remote-control navigation.
 *
 * DESIGN
 * The UI knows nothing about the terminal: the terminal fills a struct
 * ui_model (plain data, no pointers) from its state and events, calls
 * ui_render() to compose a whole XRGB8888 screen in software (video scaled
 * into the layout's rectangles, overlays, menus, text through FreeType), and
 * feeds remote-control actions through ui_key(), which moves the focus in
 * the model and tells the terminal which control command to run (a JSON-RPC
 * method name plus a params object as JSON text, ready for ctrl_dispatch).
 * Geometry is designed at 1280x720 and scaled by height/720, so 1920x1080
 * (or any 16:9 size) renders the same picture with sharper text.
 * Every user-visible string comes from the string table (strings.c) in the
 * model's language (English or Korean).
 *
 * Threads: ui_render() and ui_key() are pure functions of their arguments,
 * except for a process-wide font cache (FreeType faces and rendered glyphs)
 * behind a mutex, created on first use; ui_fonts_free() releases it.
 * Fonts: DejaVu Sans (Latin) with Noto Sans CJK KR as the fallback for
 * glyphs DejaVu lacks (Hangul); paths can be overridden (ui_fonts_set or the
 * env variables RAKWON_UI_FONT, RAKWON_UI_FONT_BOLD, RAKWON_UI_FONT_CJK).
 */
#ifndef RAKWON_UI_UI_H
#define RAKWON_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vframe;

#define UI_NAME_MAX 64
#define UI_URI_MAX 128
#define UI_DIR_MAX 32
#define UI_RECENT_MAX 16
#define UI_DIAL_MAX 64
#define UI_TILES_MAX 9
#define UI_STATS_MAX 8

enum ui_lang {
	UI_LANG_EN,
	UI_LANG_KO,
	UI_LANG_MAX,
};

enum ui_screen {
	UI_SCREEN_HOME,
	UI_SCREEN_INCOMING,
	UI_SCREEN_IN_CALL,
	UI_SCREEN_SETTINGS,
	UI_SCREEN_STANDBY,
	UI_SCREEN_MAX,
};

/* tabs of the home screen's panel */
enum ui_home_tab {
	UI_TAB_FAVOURITES,
	UI_TAB_DIRECTORY,
	UI_TAB_RECENTS,
	UI_TAB_KEYPAD,
	UI_TAB_SETTINGS,     /* OK opens the settings screen */
	UI_TAB_MAX,
};

enum ui_layout {
	UI_LAYOUT_FULL,          /* far end only */
	UI_LAYOUT_PIP,           /* far end full, self view picture-in-picture */
	UI_LAYOUT_SIDE_BY_SIDE,  /* far end and self view side by side */
	UI_LAYOUT_GALLERY2X2,    /* tiles[0..3] */
	UI_LAYOUT_GALLERY3X3,    /* tiles[0..8] */
	UI_LAYOUT_MAX,
};

enum ui_reg {
	UI_REG_NONE,             /* no account configured */
	UI_REG_REGISTERING,
	UI_REG_REGISTERED,
	UI_REG_FAILED,
};

enum ui_net {
	UI_NET_DOWN,
	UI_NET_UP,
};

/* in-call control bar buttons (focus index on UI_SCREEN_IN_CALL) */
enum ui_call_button {
	UI_BTN_MIC,
	UI_BTN_CAMERA,
	UI_BTN_HOLD,
	UI_BTN_LAYOUT,
	UI_BTN_STATS,
	UI_BTN_HANGUP,
	UI_BTN_MAX,
};

/* settings rows (focus index on UI_SCREEN_SETTINGS) */
enum ui_setting {
	UI_SET_LANGUAGE,
	UI_SET_SELF_VIEW,
	UI_SET_STANDBY,
	UI_SET_ROOM,             /* read-only rows below */
	UI_SET_ADDRESS,
	UI_SET_REGISTRATION,
	UI_SET_NETWORK,
	UI_SET_VERSION,
	UI_SET_MAX,
};

enum ui_recent_kind {
	UI_RECENT_OUT,
	UI_RECENT_IN,
	UI_RECENT_MISSED,
};

struct ui_contact {
	char name[UI_NAME_MAX];
	char uri[UI_URI_MAX];
	bool favourite;
};

struct ui_recent {
	char name[UI_NAME_MAX];
	char uri[UI_URI_MAX];
	enum ui_recent_kind kind;
	char when[32];           /* preformatted, e.g. "09:41" or "Yesterday" */
};

struct ui_stat_row {
	char stream[32];         /* e.g. "Video in", "Audio out" */
	char resolution[16];     /* "1280x720" or "" for audio */
	double fps;
	int bitrate_kbps;
	double loss_pct;
	int jitter_ms;
	int rtt_ms;
};

struct ui_call {
	char remote_name[UI_NAME_MAX];
	char remote_uri[UI_URI_MAX];
	unsigned duration_s;
	bool encrypted;
	bool mic_muted;
	bool camera_off;
	bool held;
	bool poor_network;
	bool self_view;                          /* show the self view (pip, side by side) */
	bool connecting;                         /* dialing/ringing: no media yet */
	enum ui_layout layout;
	char tile_names[UI_TILES_MAX][UI_NAME_MAX];
	int n_tiles;                             /* gallery tiles in use */
	int active_speaker;                      /* tile index, -1: none */
	bool show_stats;
	struct ui_stat_row stats[UI_STATS_MAX];
	int n_stats;
	char dtmf[UI_DIAL_MAX];                  /* digits sent in this call (shown briefly) */
	bool hide_controls;                      /* control bar hidden (e.g. after 10 s idle) */
	bool incoming_call;                      /* the call was answered here (for recents) */
};

struct ui_model {
	char room_name[UI_NAME_MAX];
	char sip_address[UI_URI_MAX];
	char clock[16];                  /* "09:41" (preformatted by the terminal) */
	char date[48];                   /* "Sunday, 29 November" or "" */
	char version[32];                /* software version for settings */
	enum ui_reg reg;
	enum ui_net net;
	enum ui_lang lang;
	enum ui_screen screen;
	enum ui_home_tab tab;
	struct ui_contact dir[UI_DIR_MAX];
	int n_dir;
	struct ui_recent recent[UI_RECENT_MAX];
	int n_recent;
	char dial[UI_DIAL_MAX];          /* keypad text */
	int focus;                       /* row / button / setting index, per screen */
	int volume;                      /* 0..100 */
	bool volume_osd;                 /* show the volume bar (terminal clears it) */
	struct ui_call call;
	char incoming_name[UI_NAME_MAX];
	char incoming_uri[UI_URI_MAX];
	bool incoming_encrypted;
};

/* A model with sane defaults (English, home, volume 50, pip layout). */
void ui_model_init(struct ui_model *m);

/* Apply one control API event of the terminal (ctrl_event name and data, as
 * documented for the terminal) to the model: call_state {state, remote,
 * encrypted} switches screens (ringing_in -> incoming, dialing/ringing_out ->
 * in call "connecting", connected/held -> in call, idle -> home and a recents
 * entry), incoming_call {remote, display, encrypted}, mute {microphone,
 * camera}, registration {registered}, call_ended {remote, code, reason}.
 * Unknown events are ignored. Returns 1 if the model changed, else 0.
 * The terminal still owns what events do not carry: clock, call duration,
 * statistics rows, gallery names, directory. */
struct json;
int ui_model_event(struct ui_model *m, const char *event, const struct json *data);

/* Compose the screen for m into out (XRGB8888, any size >= 320x180; the
 * layout scales with out->height / 720). far_end, self_view and tiles[i]
 * may be NULL (drawn as placeholders) and may be I420, NV12, YUYV or
 * XRGB8888 of any size; tiles may be NULL as a whole. Returns 0 or -EINVAL
 * (bad frame), -ENOENT (no usable font), -ENOMEM. */
int ui_render(const struct ui_model *m, struct vframe *out_xrgb, const struct vframe *far_end,
	      const struct vframe *self_view, const struct vframe *const tiles[UI_TILES_MAX]);

/* Override the font files (NULL: keep the default). Takes effect for the
 * next render (the cache is dropped). */
int ui_fonts_set(const char *regular, const char *bold, const char *cjk);
/* Release the process-wide font cache (optional, e.g. for leak checkers). */
void ui_fonts_free(void);

/* --- remote control ------------------------------------------------------ */
enum ui_action {
	UI_ACT_NONE,
	UI_ACT_UP,
	UI_ACT_DOWN,
	UI_ACT_LEFT,
	UI_ACT_RIGHT,
	UI_ACT_OK,
	UI_ACT_BACK,
	UI_ACT_CALL,
	UI_ACT_HANGUP,
	UI_ACT_VOL_UP,
	UI_ACT_VOL_DOWN,
	UI_ACT_MUTE,
	UI_ACT_HOME,
	UI_ACT_DIGIT0,           /* DIGIT0 + n for digit n */
	UI_ACT_DIGIT1,
	UI_ACT_DIGIT2,
	UI_ACT_DIGIT3,
	UI_ACT_DIGIT4,
	UI_ACT_DIGIT5,
	UI_ACT_DIGIT6,
	UI_ACT_DIGIT7,
	UI_ACT_DIGIT8,
	UI_ACT_DIGIT9,
	UI_ACT_STAR,
	UI_ACT_HASH,
	UI_ACT_MAX,
};

/* "up", "down", ..., "digit0".."digit9", "star", "hash"; NULL if invalid */
const char *ui_action_name(enum ui_action a);
/* -EINVAL if unknown (case-insensitive) */
int ui_action_from_name(const char *name, enum ui_action *ret);

/* A command for the terminal: a control API method and its params as a
 * JSON object text ("{}" when none), e.g. "dial" {"uri":"sip:a@b"}. */
struct ui_command {
	char method[32];
	char params[320];
};

/* Apply one action to the model (focus, screen, keypad text, local toggles
 * such as layout, statistics panel, language, volume) and fill *ret when the
 * terminal must run a command. Returns 1 if *ret was filled, 0 if not (the
 * model may still have changed: redraw after every call), -EINVAL for a bad
 * action. Commands: dial{uri}, answer, reject, hangup, hold, resume,
 * dtmf{digits}, mute{microphone} / mute{camera}, volume{level} (0..100),
 * config_set{key:"ui.language",value} and standby{} (screen off). */
int ui_key(struct ui_model *m, enum ui_action a, struct ui_command *ret);

/* --- keymap: remote-control key names -> actions --------------------------
 * Text format, one mapping per line, '#' starts a comment:
 *     KEY_UP      up
 *     KEY_OK      ok
 *     0x1c        ok          # raw scancodes are just names too
 * A key name is 1..63 chars of [A-Za-z0-9_.:+-], case-insensitive; the
 * action is one of ui_action_name(). Limits: 64 KiB of text, 512 mappings,
 * 256 bytes per line; a duplicate key name is an error. */
struct ui_keymap;

int ui_keymap_parse(struct ui_keymap **ret, const char *text, size_t len, char *err,
		    size_t errlen);
int ui_keymap_load(struct ui_keymap **ret, const char *path, char *err, size_t errlen);
struct ui_keymap *ui_keymap_free(struct ui_keymap *km);
/* UI_ACT_NONE if the key is not mapped */
enum ui_action ui_keymap_lookup(const struct ui_keymap *km, const char *key);
size_t ui_keymap_count(const struct ui_keymap *km);

/* --- strings ------------------------------------------------------------ */
enum ui_str {
	UI_S_CALL,
	UI_S_FAVOURITES,
	UI_S_DIRECTORY,
	UI_S_RECENTS,
	UI_S_KEYPAD,
	UI_S_SETTINGS,
	UI_S_REGISTERED,
	UI_S_REGISTERING,
	UI_S_NOT_REGISTERED,
	UI_S_REG_FAILED,
	UI_S_NETWORK_UP,
	UI_S_NETWORK_DOWN,
	UI_S_INCOMING_CALL,
	UI_S_ANSWER,
	UI_S_DECLINE,
	UI_S_MUTE,
	UI_S_UNMUTE,
	UI_S_CAMERA_OFF_BTN,
	UI_S_CAMERA_ON_BTN,
	UI_S_HOLD,
	UI_S_RESUME,
	UI_S_LAYOUT,
	UI_S_STATISTICS,
	UI_S_END_CALL,
	UI_S_MIC_MUTED,
	UI_S_CAMERA_OFF,
	UI_S_ENCRYPTED,
	UI_S_NOT_ENCRYPTED,
	UI_S_POOR_NETWORK,
	UI_S_ON_HOLD,
	UI_S_CONNECTING,
	UI_S_NO_VIDEO,
	UI_S_ENTER_NUMBER,
	UI_S_NO_ENTRIES,
	UI_S_LANGUAGE,
	UI_S_LANGUAGE_NAME,
	UI_S_SELF_VIEW,
	UI_S_ON,
	UI_S_OFF,
	UI_S_STANDBY,
	UI_S_STANDBY_HINT,
	UI_S_ROOM_NAME,
	UI_S_SIP_ADDRESS,
	UI_S_REGISTRATION,
	UI_S_NETWORK,
	UI_S_VERSION,
	UI_S_VOLUME,
	UI_S_STREAM,
	UI_S_RESOLUTION,
	UI_S_FPS,
	UI_S_BITRATE,
	UI_S_LOSS,
	UI_S_JITTER,
	UI_S_RTT,
	UI_S_OUTGOING,
	UI_S_INCOMING,
	UI_S_MISSED,
	UI_S_LAYOUT_FULL,
	UI_S_LAYOUT_PIP,
	UI_S_LAYOUT_SIDE,
	UI_S_LAYOUT_GALLERY4,
	UI_S_LAYOUT_GALLERY9,
	UI_S_HINT_HOME,
	UI_S_HINT_SETTINGS,
	UI_S_OPEN_SETTINGS,
	UI_S_ME,
	UI_S_DTMF,
	UI_S_VIDEO_IN,           /* statistics stream names, for the terminal */
	UI_S_VIDEO_OUT,
	UI_S_AUDIO_IN,
	UI_S_AUDIO_OUT,
	UI_S_CONTENT_IN,
	UI_S_MAX,
};

/* the string in lang (never NULL; English if lang is out of range) */
const char *ui_str(enum ui_lang lang, enum ui_str s);

#endif

/* ui_render.c: composes the room UI screens (home, incoming, in call, settings, standby) into an XRGB8888 frame. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "drv/frame.h"
#include "ui/ui_int.h"

/* dark theme palette */
#define BG_TOP UI_RGB(0x1c, 0x23, 0x33)
#define BG_BOT UI_RGB(0x0a, 0x0c, 0x12)
#define PANEL UI_RGB(0x16, 0x1b, 0x25)
#define PANEL_HI UI_RGB(0x22, 0x29, 0x36)
#define BORDER UI_RGB(0x2c, 0x34, 0x44)
#define TEXT UI_RGB(0xf2, 0xf4, 0xf8)
#define TEXT2 UI_RGB(0xa0, 0xa9, 0xb9)
#define TEXT3 UI_RGB(0x62, 0x6b, 0x7b)
#define ACCENT UI_RGB(0x2f, 0x7c, 0xf6)
#define RING UI_RGB(0xff, 0xff, 0xff)
#define GREEN UI_RGB(0x1f, 0xb2, 0x5a)
#define RED UI_RGB(0xe5, 0x48, 0x4d)
#define AMBER UI_RGB(0xf5, 0xa5, 0x24)
#define SCRIM UI_ARGB(0xb0, 0x0a, 0x0c, 0x10)

static const char *L(const struct ui_model *m, enum ui_str s)
{
	return ui_str(m->lang, s);
}

static void fmt_duration(char *buf, size_t len, unsigned s)
{
	if (s >= 3600)
		snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%02u:%02u", s / 60, s % 60);
}

/* first character of a name as an avatar initial */
static void initial(char *out, size_t len, const char *name, const char *uri)
{
	const char *s = name && name[0] ? name : uri ? uri : "";
	size_t n = 1;

	if (!strncmp(s, "sip:", 4) || !strncmp(s, "sips:", 5))
		s = strchr(s, ':') + 1;
	if ((unsigned char)*s >= 0xc0)
		while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
	if (!*s || n >= len) {
		snprintf(out, len, "?");
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

static uint32_t avatar_colour(const char *s)
{
	static const uint32_t cols[] = {
		UI_RGB(0x3b, 0x6e, 0xd8), UI_RGB(0x8e, 0x4e, 0xc6), UI_RGB(0x1f, 0x9e, 0x8c),
		UI_RGB(0xc8, 0x6b, 0x2b), UI_RGB(0xb8, 0x3b, 0x6a), UI_RGB(0x4f, 0x8a, 0x2f),
	};
	unsigned h = 5381;

	for (; s && *s; s++)
		h = h * 33 + (unsigned char)*s;
	return cols[h % (sizeof(cols) / sizeof(cols[0]))];
}

static void avatar(struct canvas *c, float cx, float cy, float r, const char *name,
		   const char *uri)
{
	char ini[8];

	initial(ini, sizeof(ini), name, uri);
	draw_circle(c, cx, cy, r, avatar_colour(name && name[0] ? name : uri));
	draw_text_mid(c, cx, cy, r * 0.95f, true, TEXT, TEXT_CENTER, 0, ini);
}

/* a focus ring around a rounded rectangle */
static void focus_ring(struct canvas *c, float x, float y, float w, float h, float r)
{
	draw_rrect_stroke(c, x - 5, y - 5, w + 10, h + 10, r + 5, 3.5f, RING);
}

static void background(struct canvas *c)
{
	draw_vgradient(c, -c->ox, 0, UI_DESIGN_W + 2 * c->ox, UI_DESIGN_H, BG_TOP, BG_BOT);
}

static void reg_status(const struct ui_model *m, enum ui_str *s, uint32_t *col)
{
	switch (m->reg) {
	case UI_REG_REGISTERED:
		*s = UI_S_REGISTERED;
		*col = GREEN;
		break;
	case UI_REG_REGISTERING:
		*s = UI_S_REGISTERING;
		*col = AMBER;
		break;
	case UI_REG_FAILED:
		*s = UI_S_REG_FAILED;
		*col = RED;
		break;
	default:
		*s = UI_S_NOT_REGISTERED;
		*col = TEXT3;
		break;
	}
}

/* room name left; registration and network right; clock optional */
static void top_bar(struct canvas *c, const struct ui_model *m, bool clock)
{
	enum ui_str rs;
	uint32_t rc;
	float x = 1232, w;

	draw_text_mid(c, 48, 48, 26, true, TEXT, TEXT_LEFT, 560, m->room_name);
	if (clock) {
		w = draw_text_mid(c, x, 48, 28, true, TEXT, TEXT_RIGHT, 0, m->clock);
		x -= (w > 0 ? w : 0) + 32;
	}
	icon_signal(c, x - 14, 48, 24, m->net == UI_NET_UP ? 4 : 0, TEXT,
		    UI_RGB(0x44, 0x4c, 0x5a));
	if (m->net != UI_NET_UP) {
		x -= 40;
		w = draw_text_mid(c, x, 48, 20, false, RED, TEXT_RIGHT, 0, L(m, UI_S_NETWORK_DOWN));
		x -= w;
	} else {
		x -= 40;
	}
	reg_status(m, &rs, &rc);
	w = text_width(c, 20, false, L(m, rs));
	draw_rrect(c, x - w - 48, 30, w + 48, 36, 18, PANEL_HI);
	draw_circle(c, x - w - 26, 48, 6, rc);
	draw_text_mid(c, x - 14, 48, 20, false, TEXT2, TEXT_RIGHT, 0, L(m, rs));
}

static void hint(struct canvas *c, float cx, const char *s)
{
	draw_text_mid(c, cx, 690, 18, false, TEXT3, TEXT_CENTER, 0, s);
}

static void volume_osd(struct canvas *c, const struct ui_model *m)
{
	char num[8];
	int v = m->volume < 0 ? 0 : m->volume > 100 ? 100 : m->volume;

	snprintf(num, sizeof(num), "%d", v);
	/* transient, so it may cover the top bar for a moment */
	draw_rrect(c, 440, 16, 400, 60, 30, UI_ARGB(0xf0, 0x16, 0x1b, 0x25));
	draw_rrect_stroke(c, 440, 16, 400, 60, 30, 1.5f, BORDER);
	icon_speaker(c, 484, 46, 30, TEXT);
	draw_rrect(c, 516, 42, 240, 8, 4, UI_RGB(0x3a, 0x42, 0x52));
	draw_rrect(c, 516, 42, 240.0f * (float)v / 100.0f, 8, 4, ACCENT);
	draw_text_mid(c, 800, 46, 22, true, TEXT, TEXT_CENTER, 0, num);
}

/* --- home ------------------------------------------------------------------- */
#define PANEL_X 592.0f
#define PANEL_Y 100.0f
#define PANEL_W 640.0f
#define PANEL_H 548.0f
#define ROW_H 66.0f
#define ROWS_VISIBLE 6

static int tab_rows(const struct ui_model *m, int *idx, int max)
{
	int n = 0;

	switch (m->tab) {
	case UI_TAB_FAVOURITES:
		for (int i = 0; i < m->n_dir && i < UI_DIR_MAX && n < max; i++)
			if (m->dir[i].favourite)
				idx[n++] = i;
		break;
	case UI_TAB_DIRECTORY:
		for (int i = 0; i < m->n_dir && i < UI_DIR_MAX && n < max; i++)
			idx[n++] = i;
		break;
	case UI_TAB_RECENTS:
		for (int i = 0; i < m->n_recent && i < UI_RECENT_MAX && n < max; i++)
			idx[n++] = i;
		break;
	default:
		break;
	}
	return n;
}

static void home_list(struct canvas *c, const struct ui_model *m, float y0)
{
	int idx[UI_DIR_MAX], n = tab_rows(m, idx, UI_DIR_MAX), first;
	float x = PANEL_X + 16, w = PANEL_W - 32;

	if (!n) {
		draw_text_mid(c, PANEL_X + PANEL_W / 2, y0 + 150, 24, false, TEXT3, TEXT_CENTER, 0,
			      L(m, UI_S_NO_ENTRIES));
		return;
	}
	first = m->focus - (ROWS_VISIBLE - 1);
	if (first < 0)
		first = 0;
	for (int r = 0; r < ROWS_VISIBLE && first + r < n; r++) {
		int i = idx[first + r];
		bool foc = first + r == m->focus;
		float y = y0 + (float)r * (ROW_H + 4), cy = y + ROW_H / 2;
		const char *name, *uri;

		if (m->tab == UI_TAB_RECENTS) {
			name = m->recent[i].name;
			uri = m->recent[i].uri;
		} else {
			name = m->dir[i].name;
			uri = m->dir[i].uri;
		}
		if (foc)
			draw_rrect(c, x, y, w, ROW_H, 14, ACCENT);
		avatar(c, x + 38, cy, 22, name, uri);
		draw_text(c, x + 76, cy - 3, 23, true, TEXT, TEXT_LEFT, w - 260, name[0] ? name : uri);
		draw_text(c, x + 76, cy + 21, 16, false, foc ? UI_RGB(0xdc, 0xe8, 0xff) : TEXT2,
			  TEXT_LEFT, w - 260, uri);
		if (m->tab == UI_TAB_RECENTS) {
			const struct ui_recent *rc = &m->recent[i];
			uint32_t col = rc->kind == UI_RECENT_MISSED ? (foc ? TEXT : RED) : TEXT2;

			draw_text_mid(c, x + w - 20, cy, 18, false, foc ? TEXT : TEXT2, TEXT_RIGHT, 0,
				      rc->when);
			icon_arrow(c, x + w - 150, cy, 22, col, rc->kind != UI_RECENT_OUT);
		} else if (m->dir[i].favourite) {
			icon_star(c, x + w - 36, cy, 26, foc ? TEXT : AMBER);
		}
	}
	/* scroll indicator */
	if (n > ROWS_VISIBLE) {
		float th = (float)ROWS_VISIBLE / (float)n * (ROWS_VISIBLE * (ROW_H + 4));
		float ty = y0 + (float)first / (float)n * (ROWS_VISIBLE * (ROW_H + 4));

		draw_rrect(c, PANEL_X + PANEL_W - 10, ty, 4, th, 2, TEXT3);
	}
}

static void home_keypad(struct canvas *c, const struct ui_model *m, float y0)
{
	static const char *keys = "123456789*0#";
	float fx = PANEL_X + 32, fw = PANEL_W - 64, kx;

	draw_rrect(c, fx, y0, fw, 68, 14, UI_RGB(0x0e, 0x12, 0x19));
	draw_rrect_stroke(c, fx, y0, fw, 68, 14, 2, BORDER);
	if (m->dial[0])
		draw_text_mid(c, fx + fw / 2, y0 + 34, 34, true, TEXT, TEXT_CENTER, fw - 40, m->dial);
	else
		draw_text_mid(c, fx + fw / 2, y0 + 34, 22, false, TEXT3, TEXT_CENTER, fw - 40,
			      L(m, UI_S_ENTER_NUMBER));
	kx = PANEL_X + 56;
	for (int i = 0; i < 12; i++) {
		float x = kx + (float)(i % 3) * 118, y = y0 + 88 + (float)(i / 3) * 62;
		char k[2] = { keys[i], 0 };

		draw_rrect(c, x, y, 106, 52, 12, PANEL_HI);
		draw_text_mid(c, x + 53, y + 26, 26, true, TEXT, TEXT_CENTER, 0, k);
	}
	/* call button */
	{
		float bx = PANEL_X + 432, by = y0 + 150, bw = 152, bh = 116;

		draw_rrect(c, bx, by, bw, bh, 22, GREEN);
		icon_handset(c, bx + bw / 2, by + 44, 40, TEXT, false);
		draw_text_mid(c, bx + bw / 2, by + 92, 22, true, TEXT, TEXT_CENTER, bw - 16,
			      L(m, UI_S_CALL));
		if (m->focus == 0)
			focus_ring(c, bx, by, bw, bh, 22);
	}
}

static void render_home(struct canvas *c, const struct ui_model *m)
{
	static const enum ui_str tabs[UI_TAB_MAX] = {
		UI_S_FAVOURITES, UI_S_DIRECTORY, UI_S_RECENTS, UI_S_KEYPAD, UI_S_SETTINGS,
	};
	float tw = PANEL_W / UI_TAB_MAX;
	const char *hint_text = L(m, UI_S_HINT_HOME);

	background(c);
	top_bar(c, m, false);
	/* left: clock, date, address */
	draw_text(c, 48, 300, 132, false, TEXT, TEXT_LEFT, 520, m->clock);
	draw_text(c, 52, 352, 26, false, TEXT2, TEXT_LEFT, 500, m->date);
	draw_text(c, 52, 440, 17, false, TEXT3, TEXT_LEFT, 500, L(m, UI_S_SIP_ADDRESS));
	draw_text(c, 52, 474, 24, false, TEXT, TEXT_LEFT, 500, m->sip_address);

	/* right: tabbed panel */
	draw_rrect(c, PANEL_X, PANEL_Y, PANEL_W, PANEL_H, 22, PANEL);
	for (int t = 0; t < UI_TAB_MAX; t++) {
		bool sel = (int)m->tab == t;
		float x = PANEL_X + (float)t * tw;

		draw_text_mid(c, x + tw / 2, PANEL_Y + 40, 18, sel, sel ? TEXT : TEXT2, TEXT_CENTER,
			      tw - 8, L(m, tabs[t]));
		if (sel)
			draw_rrect(c, x + 16, PANEL_Y + 64, tw - 32, 4, 2, ACCENT);
	}
	draw_rect(c, PANEL_X + 16, PANEL_Y + 70, PANEL_W - 32, 1, BORDER);
	switch (m->tab) {
	case UI_TAB_KEYPAD:
		home_keypad(c, m, PANEL_Y + 92);
		break;
	case UI_TAB_SETTINGS: {
		float bx = PANEL_X + PANEL_W / 2 - 150, by = PANEL_Y + 200;

		icon_gear(c, PANEL_X + PANEL_W / 2, PANEL_Y + 140, 64, TEXT2);
		draw_rrect(c, bx, by, 300, 72, 36, ACCENT);
		draw_text_mid(c, bx + 150, by + 36, 24, true, TEXT, TEXT_CENTER, 280,
			      L(m, UI_S_OPEN_SETTINGS));
		focus_ring(c, bx, by, 300, 72, 36);
		break;
	}
	default:
		home_list(c, m, PANEL_Y + 84);
		break;
	}
	hint(c, PANEL_X + PANEL_W / 2, hint_text);
}

/* --- incoming ---------------------------------------------------------------- */
static void big_button(struct canvas *c, float x, float y, float w, float h, uint32_t col,
		       bool focus, const char *label, int icon)
{
	draw_rrect(c, x, y, w, h, h / 2, col);
	if (icon >= 0)
		icon_handset(c, x + 56, y + h / 2, 38, TEXT, icon == 1);
	draw_text_mid(c, x + (icon >= 0 ? w / 2 + 24 : w / 2), y + h / 2, 28, true, TEXT,
		      TEXT_CENTER, w - 100, label);
	if (focus)
		focus_ring(c, x, y, w, h, h / 2);
}

static void render_incoming(struct canvas *c, const struct ui_model *m)
{
	const char *name = m->incoming_name[0] ? m->incoming_name : m->incoming_uri;

	background(c);
	top_bar(c, m, true);
	/* halo rings around the caller */
	draw_arc(c, 640, 236, 118, 2, 0, 360, UI_ARGB(0x50, 0x2f, 0x7c, 0xf6));
	draw_arc(c, 640, 236, 136, 2, 0, 360, UI_ARGB(0x28, 0x2f, 0x7c, 0xf6));
	avatar(c, 640, 236, 96, m->incoming_name, m->incoming_uri);
	draw_text_mid(c, 640, 386, 24, false, TEXT2, TEXT_CENTER, 0, L(m, UI_S_INCOMING_CALL));
	draw_text_mid(c, 640, 436, 46, true, TEXT, TEXT_CENTER, 1100, name);
	if (m->incoming_name[0])
		draw_text_mid(c, 640, 484, 22, false, TEXT2, TEXT_CENTER, 1100, m->incoming_uri);
	{
		const char *es = L(m, m->incoming_encrypted ? UI_S_ENCRYPTED : UI_S_NOT_ENCRYPTED);
		float w = text_width(c, 18, false, es) + 60;
		uint32_t col = m->incoming_encrypted ? GREEN : AMBER;

		draw_rrect(c, 640 - w / 2, 512, w, 36, 18, PANEL_HI);
		icon_lock(c, 640 - w / 2 + 24, 530, 20, col, !m->incoming_encrypted);
		draw_text_mid(c, 640 - w / 2 + 44, 530, 18, false, TEXT2, TEXT_LEFT, 0, es);
	}
	big_button(c, 344, 584, 280, 88, GREEN, m->focus == 0, L(m, UI_S_ANSWER), 0);
	big_button(c, 656, 584, 280, 88, RED, m->focus != 0, L(m, UI_S_DECLINE), 1);
}

/* --- in call ------------------------------------------------------------------ */
static void placeholder(struct canvas *c, float x, float y, float w, float h, const char *name,
			const char *uri, const char *text)
{
	float r = fminf(w, h) * 0.16f;

	draw_vgradient(c, x, y, w, h, UI_RGB(0x1e, 0x24, 0x30), UI_RGB(0x10, 0x13, 0x1a));
	if (r > 60)
		r = 60;
	avatar(c, x + w / 2, y + h / 2 - r * 0.4f, r, name, uri);
	if (text && h > 120)
		draw_text_mid(c, x + w / 2, y + h / 2 + r * 0.9f, fminf(22, h / 8), false, TEXT2,
			      TEXT_CENTER, w - 20, text);
}

static void name_tag(struct canvas *c, float x, float y, float maxw, float size, const char *s)
{
	float w;

	if (!s || !s[0])
		return;
	w = text_width(c, size, false, s);
	if (w > maxw - 24)
		w = maxw - 24;
	draw_rrect(c, x, y - size, w + 24, size * 1.7f, size * 0.5f, UI_ARGB(0xa8, 0x08, 0x0a, 0x0e));
	draw_text_mid(c, x + 12, y - size * 0.15f, size, false, TEXT, TEXT_LEFT, maxw - 24, s);
}

static void self_tile(struct canvas *c, const struct ui_model *m, const struct vframe *self,
		      float x, float y, float w, float h)
{
	if (m->call.camera_off || !self) {
		draw_rect(c, x, y, w, h, UI_RGB(0x14, 0x18, 0x20));
		icon_camera(c, x + w / 2, y + h / 2 - 12, fminf(h * 0.3f, 48), TEXT2, true);
		if (m->call.camera_off)
			draw_text_mid(c, x + w / 2, y + h / 2 + h * 0.22f, 16, false, TEXT2,
				      TEXT_CENTER, w - 16, L(m, UI_S_CAMERA_OFF));
	} else {
		draw_video(c, self, x, y, w, h, true);
	}
	draw_rrect_stroke(c, x, y, w, h, 2, 2, UI_ARGB(0xc0, 0xff, 0xff, 0xff));
	name_tag(c, x + 8, y + h - 12, w - 16, 14, L(m, UI_S_ME));
}

static void far_tile(struct canvas *c, const struct ui_model *m, const struct vframe *far,
		     float x, float y, float w, float h, bool fill)
{
	if (far && !m->call.connecting)
		draw_video(c, far, x, y, w, h, fill);
	else
		placeholder(c, x, y, w, h, m->call.remote_name, m->call.remote_uri,
			    m->call.connecting ? NULL : L(m, UI_S_NO_VIDEO));
}

static void gallery(struct canvas *c, const struct ui_model *m, const struct vframe *const *tiles,
		    int n)
{
	/* with the control bar shown, the tiles end above it */
	float area = m->call.hide_controls ? UI_DESIGN_H : 566;
	float gap = 6, tw = (UI_DESIGN_W - gap * (float)(n + 1)) / (float)n;
	float th = (area - gap * (float)(n + 1)) / (float)n, x0;
	int used = m->call.n_tiles > 0 ? m->call.n_tiles : n * n;

	/* keep tiles 16:9, centred */
	if (tw > th * 16 / 9)
		tw = th * 16 / 9;
	else
		th = tw * 9 / 16;
	x0 = (UI_DESIGN_W - tw * (float)n - gap * (float)(n - 1)) / 2;

	for (int i = 0; i < n * n && i < UI_TILES_MAX; i++) {
		float x = x0 + (float)(i % n) * (tw + gap), y = gap + (float)(i / n) * (th + gap);
		const struct vframe *f = tiles ? tiles[i] : NULL;

		if (i >= used) {
			draw_rect(c, x, y, tw, th, UI_RGB(0x0e, 0x11, 0x17));
			continue;
		}
		if (f)
			draw_video(c, f, x, y, tw, th, true);
		else
			placeholder(c, x, y, tw, th, m->call.tile_names[i], "?", NULL);
		name_tag(c, x + 10, y + th - 14, tw - 20, n == 3 ? 15 : 18, m->call.tile_names[i]);
		if (i == m->call.active_speaker)
			draw_rrect_stroke(c, x + 2, y + 2, tw - 4, th - 4, 4, 4, GREEN);
	}
}

static void call_controls(struct canvas *c, const struct ui_model *m)
{
	const struct ui_call *k = &m->call;
	float bw = 112, x0 = 640 - bw * UI_BTN_MAX / 2, cy = 628;

	draw_rrect(c, x0 - 12, 574, bw * UI_BTN_MAX + 24, 136, 28, UI_ARGB(0xd8, 0x12, 0x16, 0x1e));
	for (int b = 0; b < UI_BTN_MAX; b++) {
		float cx = x0 + bw * (float)b + bw / 2;
		uint32_t fill = UI_RGB(0x2c, 0x34, 0x44);
		enum ui_str label = UI_S_MUTE;
		bool foc = m->focus == b;

		switch (b) {
		case UI_BTN_MIC:
			fill = k->mic_muted ? RED : fill;
			label = k->mic_muted ? UI_S_UNMUTE : UI_S_MUTE;
			break;
		case UI_BTN_CAMERA:
			fill = k->camera_off ? RED : fill;
			label = k->camera_off ? UI_S_CAMERA_ON_BTN : UI_S_CAMERA_OFF_BTN;
			break;
		case UI_BTN_HOLD:
			fill = k->held ? AMBER : fill;
			label = k->held ? UI_S_RESUME : UI_S_HOLD;
			break;
		case UI_BTN_LAYOUT:
			label = UI_S_LAYOUT;
			break;
		case UI_BTN_STATS:
			fill = k->show_stats ? ACCENT : fill;
			label = UI_S_STATISTICS;
			break;
		case UI_BTN_HANGUP:
			fill = RED;
			label = UI_S_END_CALL;
			break;
		}
		draw_circle(c, cx, cy, 32, fill);
		if (foc)
			draw_arc(c, cx, cy, 38, 3.5f, 0, 360, RING);
		switch (b) {
		case UI_BTN_MIC:
			icon_mic(c, cx, cy, 32, TEXT, k->mic_muted);
			break;
		case UI_BTN_CAMERA:
			icon_camera(c, cx, cy, 30, TEXT, k->camera_off);
			break;
		case UI_BTN_HOLD:
			icon_pause(c, cx, cy, 26, TEXT);
			break;
		case UI_BTN_LAYOUT:
			icon_layout(c, cx, cy, 28, TEXT);
			break;
		case UI_BTN_STATS:
			icon_stats(c, cx, cy, 28, TEXT);
			break;
		case UI_BTN_HANGUP:
			icon_handset(c, cx, cy, 34, TEXT, true);
			break;
		}
		draw_text_mid(c, cx, 686, 15, foc, foc ? TEXT : TEXT2, TEXT_CENTER, bw - 6,
			      L(m, label));
	}
}

static void stats_panel(struct canvas *c, const struct ui_model *m)
{
	static const float colx[] = { 0, 150, 268, 330, 408, 476, 548 };
	static const enum ui_str heads[] = {
		UI_S_STREAM, UI_S_RESOLUTION, UI_S_FPS, UI_S_BITRATE, UI_S_LOSS, UI_S_JITTER,
		UI_S_RTT,
	};
	const struct ui_call *k = &m->call;
	int n = k->n_stats < 0 ? 0 : k->n_stats > UI_STATS_MAX ? UI_STATS_MAX : k->n_stats;
	float x = 608, y = 96, w = 648, h = 96 + 40 * (float)(n ? n : 1);

	draw_rrect(c, x, y, w, h, 18, UI_ARGB(0xe6, 0x12, 0x16, 0x1e));
	draw_text_mid(c, x + 24, y + 30, 22, true, TEXT, TEXT_LEFT, 0, L(m, UI_S_STATISTICS));
	for (int i = 0; i < 7; i++)
		draw_text_mid(c, x + 24 + colx[i] + (i ? 60 : 0), y + 70, 15, false, TEXT3,
			      i ? TEXT_RIGHT : TEXT_LEFT, i ? 0 : 140, L(m, heads[i]));
	draw_rect(c, x + 20, y + 86, w - 40, 1, BORDER);
	for (int r = 0; r < n; r++) {
		const struct ui_stat_row *s = &k->stats[r];
		float ry = y + 108 + 40 * (float)r;
		char v[6][24];
		uint32_t lc = s->loss_pct >= 2 ? AMBER : TEXT;

		snprintf(v[0], sizeof(v[0]), "%s", s->resolution[0] ? s->resolution : "\xe2\x80\x94");
		snprintf(v[1], sizeof(v[1]), "%.0f", s->fps);
		snprintf(v[2], sizeof(v[2]), "%d", s->bitrate_kbps);
		snprintf(v[3], sizeof(v[3]), "%.1f%%", s->loss_pct);
		snprintf(v[4], sizeof(v[4]), "%d ms", s->jitter_ms);
		snprintf(v[5], sizeof(v[5]), "%d ms", s->rtt_ms);
		if (!s->resolution[0])
			snprintf(v[1], sizeof(v[1]), "\xe2\x80\x94");
		draw_text_mid(c, x + 24, ry, 17, true, TEXT, TEXT_LEFT, 140, s->stream);
		for (int i = 0; i < 6; i++)
			draw_text_mid(c, x + 84 + colx[i + 1], ry, 17, false, i == 3 ? lc : TEXT,
				      TEXT_RIGHT, 0, v[i]);
	}
}

static void call_info(struct canvas *c, const struct ui_model *m)
{
	const struct ui_call *k = &m->call;
	const char *name = k->remote_name[0] ? k->remote_name : k->remote_uri;
	char dur[32];
	float nw, dw, w;

	fmt_duration(dur, sizeof(dur), k->duration_s);
	nw = text_width(c, 22, true, name);
	if (nw > 420)
		nw = 420;
	dw = text_width(c, 20, false, dur);
	w = 56 + nw + 20 + dw + 24;
	draw_rrect(c, 20, 20, w, 52, 26, UI_ARGB(0xb8, 0x08, 0x0a, 0x0e));
	icon_lock(c, 46, 46, 24, k->encrypted ? GREEN : AMBER, !k->encrypted);
	draw_text_mid(c, 70, 46, 22, true, TEXT, TEXT_LEFT, 420, name);
	draw_text_mid(c, 70 + nw + 20, 46, 20, false, TEXT2, TEXT_LEFT, 0, dur);
	if (k->dtmf[0]) {
		char t[UI_DIAL_MAX + 32];

		snprintf(t, sizeof(t), "%s %s", L(m, UI_S_DTMF), k->dtmf);
		name_tag(c, 24, 106, 400, 18, t);
	}
}

static void chip(struct canvas *c, float right, float y, uint32_t col, int icon, const char *s)
{
	float w = text_width(c, 18, true, s) + 64;

	draw_rrect(c, right - w, y, w, 44, 22, UI_ARGB(0xd0, 0x0c, 0x0e, 0x12));
	draw_rrect_stroke(c, right - w, y, w, 44, 22, 2, col);
	if (icon == 0)
		icon_mic(c, right - w + 28, y + 22, 22, col, true);
	else
		icon_signal(c, right - w + 28, y + 22, 20, 1, col, UI_RGB(0x44, 0x4c, 0x5a));
	draw_text_mid(c, right - w + 48, y + 22, 18, true, TEXT, TEXT_LEFT, 0, s);
}

static void render_in_call(struct canvas *c, const struct ui_model *m, const struct vframe *far,
			   const struct vframe *self, const struct vframe *const *tiles)
{
	const struct ui_call *k = &m->call;
	float cy = 82;

	draw_rect(c, -c->ox, 0, UI_DESIGN_W + 2 * c->ox, UI_DESIGN_H, UI_RGB(0, 0, 0));
	if (k->connecting) {
		background(c);
		avatar(c, 640, 250, 100, k->remote_name, k->remote_uri);
		draw_text_mid(c, 640, 410, 24, false, TEXT2, TEXT_CENTER, 0, L(m, UI_S_CONNECTING));
		draw_text_mid(c, 640, 460, 44, true, TEXT, TEXT_CENTER, 1100,
			      k->remote_name[0] ? k->remote_name : k->remote_uri);
		if (k->remote_name[0])
			draw_text_mid(c, 640, 506, 22, false, TEXT2, TEXT_CENTER, 1100, k->remote_uri);
		call_controls(c, m);
		return;
	}
	switch (k->layout) {
	case UI_LAYOUT_SIDE_BY_SIDE:
		far_tile(c, m, far, 8, 182, 628, 354, true);
		self_tile(c, m, self, 644, 182, 628, 354);
		break;
	case UI_LAYOUT_GALLERY2X2:
		gallery(c, m, tiles, 2);
		break;
	case UI_LAYOUT_GALLERY3X3:
		gallery(c, m, tiles, 3);
		break;
	default:
		far_tile(c, m, far, 0, 0, UI_DESIGN_W, UI_DESIGN_H, false);
		if (k->layout == UI_LAYOUT_PIP && k->self_view)
			self_tile(c, m, self, 960, 388, 296, 166);
		break;
	}
	if (k->held) {
		draw_rect(c, -c->ox, 0, UI_DESIGN_W + 2 * c->ox, UI_DESIGN_H, SCRIM);
		draw_circle(c, 640, 300, 56, AMBER);
		icon_pause(c, 640, 300, 44, TEXT);
		draw_text_mid(c, 640, 394, 32, true, TEXT, TEXT_CENTER, 0, L(m, UI_S_ON_HOLD));
	}
	call_info(c, m);
	if (k->mic_muted) {
		chip(c, 1260, 20, RED, 0, L(m, UI_S_MIC_MUTED));
		cy += 0;
	}
	if (k->poor_network)
		chip(c, 1260, k->mic_muted ? 74 : 20, AMBER, 1, L(m, UI_S_POOR_NETWORK));
	(void)cy;
	if (k->show_stats)
		stats_panel(c, m);
	if (!k->hide_controls)
		call_controls(c, m);
}

/* --- settings -------------------------------------------------------------- */
static void render_settings(struct canvas *c, const struct ui_model *m)
{
	enum ui_str rs;
	uint32_t rc;

	background(c);
	top_bar(c, m, true);
	icon_gear(c, 68, 134, 34, TEXT);
	draw_text_mid(c, 100, 134, 34, true, TEXT, TEXT_LEFT, 0, L(m, UI_S_SETTINGS));
	reg_status(m, &rs, &rc);
	for (int i = 0; i < UI_SET_MAX; i++) {
		static const enum ui_str labels[UI_SET_MAX] = {
			UI_S_LANGUAGE, UI_S_SELF_VIEW, UI_S_STANDBY, UI_S_ROOM_NAME,
			UI_S_SIP_ADDRESS, UI_S_REGISTRATION, UI_S_NETWORK, UI_S_VERSION,
		};
		float y = 176 + (float)i * 60, x = 48, w = 1184, cyy = y + 27;
		bool foc = m->focus == i, editable = i <= UI_SET_STANDBY;
		const char *val = "";
		uint32_t vcol = foc ? TEXT : TEXT2;

		if (foc)
			draw_rrect(c, x, y, w, 54, 14, ACCENT);
		else if (editable)
			draw_rrect(c, x, y, w, 54, 14, PANEL_HI);
		draw_text_mid(c, x + 28, cyy, 22, editable, editable || foc ? TEXT : TEXT2, TEXT_LEFT,
			      420, L(m, labels[i]));
		switch (i) {
		case UI_SET_LANGUAGE:
			val = L(m, UI_S_LANGUAGE_NAME);
			break;
		case UI_SET_SELF_VIEW:
			val = L(m, m->call.self_view ? UI_S_ON : UI_S_OFF);
			break;
		case UI_SET_STANDBY:
			val = "\xe2\x80\xba";
			break;
		case UI_SET_ROOM:
			val = m->room_name;
			break;
		case UI_SET_ADDRESS:
			val = m->sip_address;
			break;
		case UI_SET_REGISTRATION:
			val = L(m, rs);
			vcol = foc ? TEXT : rc;
			break;
		case UI_SET_NETWORK:
			val = L(m, m->net == UI_NET_UP ? UI_S_NETWORK_UP : UI_S_NETWORK_DOWN);
			vcol = foc ? TEXT : m->net == UI_NET_UP ? GREEN : RED;
			break;
		case UI_SET_VERSION:
			val = m->version;
			break;
		}
		if (i == UI_SET_SELF_VIEW) {
			/* toggle switch */
			float sx = x + w - 92, on = m->call.self_view;

			draw_rrect(c, sx, cyy - 15, 64, 30, 15, on ? GREEN : UI_RGB(0x44, 0x4c, 0x5a));
			draw_circle(c, on ? sx + 49 : sx + 15, cyy, 11, TEXT);
			draw_text_mid(c, sx - 16, cyy, 20, false, vcol, TEXT_RIGHT, 0, val);
		} else {
			draw_text_mid(c, x + w - 28, cyy, i == UI_SET_STANDBY ? 34 : 20, false, vcol,
				      TEXT_RIGHT, 640, val);
		}
	}
	hint(c, 640, L(m, UI_S_HINT_SETTINGS));
}

/* --- standby --------------------------------------------------------------- */
static void render_standby(struct canvas *c, const struct ui_model *m)
{
	draw_rect(c, -c->ox, 0, UI_DESIGN_W + 2 * c->ox, UI_DESIGN_H, UI_RGB(0x04, 0x05, 0x07));
	draw_text(c, 640, 370, 168, false, UI_RGB(0x6e, 0x76, 0x84), TEXT_CENTER, 0, m->clock);
	draw_text(c, 640, 430, 26, false, UI_RGB(0x4e, 0x56, 0x62), TEXT_CENTER, 1000, m->date);
	draw_text(c, 640, 500, 30, true, UI_RGB(0x4e, 0x56, 0x62), TEXT_CENTER, 1000,
		  m->room_name);
	draw_text(c, 640, 680, 18, false, UI_RGB(0x3a, 0x40, 0x4a), TEXT_CENTER, 0,
		  L(m, UI_S_STANDBY_HINT));
}

int ui_render(const struct ui_model *m, struct vframe *out, const struct vframe *far_end,
	      const struct vframe *self_view, const struct vframe *const tiles[UI_TILES_MAX])
{
	struct canvas c;
	int r;

	if (!m || !out || out->fmt != VFMT_XRGB8888 || out->width < 320 || out->height < 180 ||
	    !out->data[0] || out->stride[0] < out->width * 4 || out->stride[0] % 4)
		return -EINVAL;
	r = font_ready();
	if (r < 0)
		return r;
	memset(&c, 0, sizeof(c));
	c.px = (uint32_t *)out->data[0];
	c.w = out->width;
	c.h = out->height;
	c.stride = out->stride[0] / 4;
	c.s = fminf((float)c.w / UI_DESIGN_W, (float)c.h / UI_DESIGN_H);
	c.ox = ((float)c.w / c.s - UI_DESIGN_W) / 2;
	canvas_unclip(&c);
	/* taller than 16:9: the design area sits at the top, clear the rest */
	if ((float)c.h > UI_DESIGN_H * c.s + 0.5f)
		for (int y = (int)(UI_DESIGN_H * c.s); y < c.h; y++)
			memset(c.px + (size_t)y * (size_t)c.stride, 0, (size_t)c.w * 4);
	switch (m->screen) {
	case UI_SCREEN_INCOMING:
		render_incoming(&c, m);
		break;
	case UI_SCREEN_IN_CALL:
		render_in_call(&c, m, far_end, self_view, tiles);
		break;
	case UI_SCREEN_SETTINGS:
		render_settings(&c, m);
		break;
	case UI_SCREEN_STANDBY:
		render_standby(&c, m);
		return 0;
	default:
		render_home(&c, m);
		break;
	}
	if (m->volume_osd)
		volume_osd(&c, m);
	return 0;
}

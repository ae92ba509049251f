/* ui_int.h: the UI's internal drawing layer: a canvas in 1280x720 design units, shapes, text, video. */
#ifndef RAKWON_UI_UI_INT_H
#define RAKWON_UI_UI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/ui.h"

#define UI_DESIGN_W 1280.0f
#define UI_DESIGN_H 720.0f

/* Pixels of an XRGB8888 frame; every coordinate handed to the drawing
 * functions is in design units (1280x720) and multiplied by s. */
struct canvas {
	uint32_t *px;
	int w, h;
	int stride;          /* in pixels */
	float s;             /* pixels per design unit */
	float ox;            /* design-unit x offset (centres non-16:9 frames) */
	/* clip rectangle in pixels [x0,x1) x [y0,y1) */
	int cx0, cy0, cx1, cy1;
};

/* colours are 0xAARRGGBB; alpha 0xff is opaque */
#define UI_RGB(r, g, b) (0xff000000u | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))
#define UI_ARGB(a, r, g, b) (((uint32_t)(a) << 24) | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))

void canvas_clip(struct canvas *c, float x, float y, float w, float h);
void canvas_unclip(struct canvas *c);

void draw_rect(struct canvas *c, float x, float y, float w, float h, uint32_t col);
void draw_vgradient(struct canvas *c, float x, float y, float w, float h, uint32_t top,
		    uint32_t bottom);
void draw_rrect(struct canvas *c, float x, float y, float w, float h, float r, uint32_t col);
/* outline of width lw centred on the rounded rectangle's edge */
void draw_rrect_stroke(struct canvas *c, float x, float y, float w, float h, float r, float lw,
		       uint32_t col);
void draw_circle(struct canvas *c, float cx, float cy, float r, uint32_t col);
/* ring of radius r, width lw, only where the angle (0 = +x, counter-clockwise,
 * y up) is within [a0, a1] degrees */
void draw_arc(struct canvas *c, float cx, float cy, float r, float lw, float a0, float a1,
	      uint32_t col);
/* segment with round caps */
void draw_line(struct canvas *c, float x0, float y0, float x1, float y1, float lw, uint32_t col);
/* convex polygon, n <= 8 vertices in any order of winding */
void draw_poly(struct canvas *c, const float *xy, int n, uint32_t col);

/* video frame scaled into the rectangle: fit (letterbox) or fill (crop) */
void draw_video(struct canvas *c, const struct vframe *f, float x, float y, float w, float h,
		bool fill);

/* --- text ---------------------------------------------------------------- */
enum text_align {
	TEXT_LEFT,
	TEXT_CENTER,
	TEXT_RIGHT,
};

/* Draw UTF-8 text with its baseline at y, anchored at x by align; shortened
 * with an ellipsis to max_w (<= 0: no limit). Returns the drawn width or
 * -errno (no font). */
float draw_text(struct canvas *c, float x, float y, float size, bool bold, uint32_t col,
		enum text_align align, float max_w, const char *s);
/* text vertically centred on cy (cap height) */
float draw_text_mid(struct canvas *c, float x, float cy, float size, bool bold, uint32_t col,
		    enum text_align align, float max_w, const char *s);
float text_width(struct canvas *c, float size, bool bold, const char *s);
/* 0 if fonts load */
int font_ready(void);

/* --- icons (centred on cx, cy; sz is the icon's height) -------------------- */
void icon_mic(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool slashed);
void icon_camera(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool slashed);
void icon_lock(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool open);
void icon_signal(struct canvas *c, float cx, float cy, float sz, int bars, uint32_t on,
		 uint32_t off);
void icon_handset(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool down);
void icon_pause(struct canvas *c, float cx, float cy, float sz, uint32_t col);
void icon_layout(struct canvas *c, float cx, float cy, float sz, uint32_t col);
void icon_stats(struct canvas *c, float cx, float cy, float sz, uint32_t col);
void icon_speaker(struct canvas *c, float cx, float cy, float sz, uint32_t col);
void icon_gear(struct canvas *c, float cx, float cy, float sz, uint32_t col);
void icon_star(struct canvas *c, float cx, float cy, float sz, uint32_t col);
void icon_arrow(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool incoming);

#endif

/* ui_icons.c: vector icons of the UI (microphone, camera, lock, signal, handset, ...) from basic shapes. */
#include <math.h>

#include "ui/ui_int.h"

#define SLASH_RED UI_RGB(0xff, 0x5a, 0x5f)

static void slash(struct canvas *c, float cx, float cy, float sz)
{
	float h = sz * 0.5f;

	/* dark halo so the slash reads on top of the glyph */
	draw_line(c, cx - h, cy - h, cx + h, cy + h, sz * 0.16f, UI_ARGB(0xc0, 0x10, 0x12, 0x16));
	draw_line(c, cx - h, cy - h, cx + h, cy + h, sz * 0.08f, SLASH_RED);
}

void icon_mic(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool slashed)
{
	float w = sz * 0.30f, lw = sz * 0.08f;

	/* capsule */
	draw_rrect(c, cx - w / 2, cy - sz * 0.5f, w, sz * 0.58f, w / 2, col);
	/* cradle: lower half circle */
	draw_arc(c, cx, cy - sz * 0.06f, sz * 0.28f, lw, 180, 360, col);
	draw_line(c, cx, cy + sz * 0.22f, cx, cy + sz * 0.42f, lw, col);
	draw_line(c, cx - sz * 0.16f, cy + sz * 0.45f, cx + sz * 0.16f, cy + sz * 0.45f, lw, col);
	if (slashed)
		slash(c, cx, cy, sz);
}

void icon_camera(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool slashed)
{
	float bw = sz * 0.66f, bh = sz * 0.52f, x0 = cx - sz * 0.5f;
	float tri[8] = {
		x0 + bw + sz * 0.04f, cy - sz * 0.08f,
		cx + sz * 0.5f, cy - sz * 0.24f,
		cx + sz * 0.5f, cy + sz * 0.24f,
		x0 + bw + sz * 0.04f, cy + sz * 0.08f,
	};

	draw_rrect(c, x0, cy - bh / 2, bw, bh, sz * 0.1f, col);
	draw_poly(c, tri, 4, col);
	if (slashed)
		slash(c, cx, cy, sz);
}

void icon_lock(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool open)
{
	float bw = sz * 0.72f, bh = sz * 0.52f, by = cy - sz * 0.02f;
	float r = sz * 0.22f, lw = sz * 0.11f, sy = by - sz * 0.02f;

	draw_rrect(c, cx - bw / 2, by, bw, bh, sz * 0.08f, col);
	if (!open) {
		draw_arc(c, cx, sy - sz * 0.16f, r, lw, 0, 180, col);
		draw_line(c, cx - r, sy - sz * 0.16f, cx - r, sy, lw, col);
		draw_line(c, cx + r, sy - sz * 0.16f, cx + r, sy, lw, col);
	} else {
		/* shackle lifted and swung to the right */
		draw_arc(c, cx + r * 1.5f, sy - sz * 0.3f, r, lw, 0, 180, col);
		draw_line(c, cx + r * 0.5f, sy - sz * 0.3f, cx + r * 0.5f, sy, lw, col);
		draw_line(c, cx + r * 2.5f, sy - sz * 0.3f, cx + r * 2.5f, sy - sz * 0.2f, lw, col);
	}
}

void icon_signal(struct canvas *c, float cx, float cy, float sz, int bars, uint32_t on,
		 uint32_t off)
{
	float bw = sz * 0.18f, gap = sz * 0.09f, x = cx - sz * 0.5f, base = cy + sz * 0.5f;

	for (int i = 0; i < 4; i++) {
		float h = sz * (0.3f + 0.7f * (float)i / 3.0f);

		draw_rrect(c, x + (float)i * (bw + gap), base - h, bw, h, bw * 0.3f,
			   i < bars ? on : off);
	}
}

void icon_handset(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool down)
{
	float r = sz * 0.42f, lw = sz * 0.16f;

	if (!down) {
		/* an arc bowing down-left with thick ear/mouth pieces */
		draw_arc(c, cx + sz * 0.1f, cy - sz * 0.1f, r, lw, 170, 280, col);
		draw_circle(c, cx + sz * 0.1f - r * 0.985f, cy - sz * 0.1f - r * 0.17f, lw * 0.9f,
			    col);
		draw_circle(c, cx + sz * 0.1f + r * 0.17f, cy - sz * 0.1f + r * 0.985f, lw * 0.9f,
			    col);
	} else {
		/* hung up: handset lying horizontally, bowl down */
		draw_arc(c, cx, cy + sz * 0.18f, r, lw, 35, 145, col);
		draw_rrect(c, cx - r * 1.1f, cy - sz * 0.02f, sz * 0.3f, sz * 0.2f, sz * 0.06f, col);
		draw_rrect(c, cx + r * 1.1f - sz * 0.3f, cy - sz * 0.02f, sz * 0.3f, sz * 0.2f,
			   sz * 0.06f, col);
	}
}

void icon_pause(struct canvas *c, float cx, float cy, float sz, uint32_t col)
{
	draw_rrect(c, cx - sz * 0.3f, cy - sz * 0.4f, sz * 0.2f, sz * 0.8f, sz * 0.05f, col);
	draw_rrect(c, cx + sz * 0.1f, cy - sz * 0.4f, sz * 0.2f, sz * 0.8f, sz * 0.05f, col);
}

void icon_layout(struct canvas *c, float cx, float cy, float sz, uint32_t col)
{
	float g = sz * 0.1f, w = (sz - g) / 2, x = cx - sz / 2, y = cy - sz * 0.4f;
	float h = (sz * 0.8f - g) / 2;

	for (int i = 0; i < 4; i++)
		draw_rrect(c, x + (float)(i % 2) * (w + g), y + (float)(i / 2) * (h + g), w, h,
			   sz * 0.05f, col);
}

void icon_stats(struct canvas *c, float cx, float cy, float sz, uint32_t col)
{
	float bw = sz * 0.2f, base = cy + sz * 0.4f;
	const float hs[3] = { 0.45f, 0.8f, 0.6f };

	for (int i = 0; i < 3; i++)
		draw_rrect(c, cx - sz * 0.4f + (float)i * sz * 0.3f, base - sz * hs[i], bw,
			   sz * hs[i], sz * 0.04f, col);
}

void icon_speaker(struct canvas *c, float cx, float cy, float sz, uint32_t col)
{
	float pts[8] = {
		cx - sz * 0.45f, cy - sz * 0.16f,
		cx - sz * 0.05f, cy - sz * 0.42f,
		cx - sz * 0.05f, cy + sz * 0.42f,
		cx - sz * 0.45f, cy + sz * 0.16f,
	};

	draw_poly(c, pts, 4, col);
	draw_arc(c, cx - sz * 0.05f, cy, sz * 0.26f, sz * 0.07f, -45, 45, col);
	draw_arc(c, cx - sz * 0.05f, cy, sz * 0.44f, sz * 0.07f, -45, 45, col);
}

void icon_gear(struct canvas *c, float cx, float cy, float sz, uint32_t col)
{
	for (int i = 0; i < 8; i++) {
		float a = (float)i * (float)M_PI / 4;

		draw_line(c, cx + cosf(a) * sz * 0.28f, cy + sinf(a) * sz * 0.28f,
			  cx + cosf(a) * sz * 0.42f, cy + sinf(a) * sz * 0.42f, sz * 0.14f, col);
	}
	draw_arc(c, cx, cy, sz * 0.24f, sz * 0.14f, 0, 360, col);
}

void icon_star(struct canvas *c, float cx, float cy, float sz, uint32_t col)
{
	float pt[10][2];

	for (int i = 0; i < 10; i++) {
		float a = (float)M_PI / 2 + (float)i * (float)M_PI / 5;
		float r = (i % 2 ? 0.2f : 0.5f) * sz;

		pt[i][0] = cx + cosf(a) * r;
		pt[i][1] = cy - sinf(a) * r + sz * 0.05f;
	}
	/* a star is not convex: five triangles around a pentagon */
	{
		float pent[10];

		for (int i = 0; i < 5; i++) {
			pent[2 * i] = pt[2 * i + 1][0];
			pent[2 * i + 1] = pt[2 * i + 1][1];
		}
		draw_poly(c, pent, 5, col);
	}
	for (int i = 0; i < 5; i++) {
		int a = (2 * i + 9) % 10, b = 2 * i, d = 2 * i + 1;
		float tri[6] = { pt[a][0], pt[a][1], pt[b][0], pt[b][1], pt[d][0], pt[d][1] };

		draw_poly(c, tri, 3, col);
	}
}

void icon_arrow(struct canvas *c, float cx, float cy, float sz, uint32_t col, bool incoming)
{
	float h = sz * 0.32f, lw = sz * 0.1f;

	/* diagonal arrow: outgoing points up-right, incoming down-left */
	draw_line(c, cx - h, cy + h, cx + h, cy - h, lw, col);
	if (!incoming) {
		draw_line(c, cx + h, cy - h, cx, cy - h, lw, col);
		draw_line(c, cx + h, cy - h, cx + h, cy, lw, col);
	} else {
		draw_line(c, cx - h, cy + h, cx, cy + h, lw, col);
		draw_line(c, cx - h, cy + h, cx - h, cy, lw, col);
	}
}

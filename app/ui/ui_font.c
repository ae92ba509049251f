/* ui_font.c: FreeType text for the UI: DejaVu Sans with Noto Sans CJK fallback, a bounded glyph cache. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "ui/ui_int.h"

#define FONT_REGULAR "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define FONT_CJK "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#define FONT_CJK_BOLD "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"

#define CACHE_SLOTS 4096      /* power of two */
#define CACHE_MAX 3000        /* entries before the cache is flushed */
#define GLYPH_PX_MAX 400      /* largest pixel size we rasterize */

struct glyph {
	bool used;
	uint32_t cp;
	uint16_t px;
	uint8_t face;
	int left, top;         /* bitmap offset from the pen (pixels) */
	int w, h, pitch;
	int adv;               /* 26.6 */
	uint8_t *bits;
};

enum { F_REG, F_BOLD, F_CJK, F_CJK_BOLD, F_MAX };

static struct {
	pthread_mutex_t lock;
	bool tried;
	int err;
	FT_Library lib;
	FT_Face face[F_MAX];
	unsigned face_px[F_MAX];
	char path[F_MAX][256];
	struct glyph *cache;
	size_t ncache;
} fc = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void cache_flush(void)
{
	if (!fc.cache)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(fc.cache[i].bits);
		fc.cache[i].bits = NULL;
		fc.cache[i].used = false;
	}
	fc.ncache = 0;
}

static void fonts_drop(void)
{
	cache_flush();
	free(fc.cache);
	fc.cache = NULL;
	for (int i = 0; i < F_MAX; i++) {
		if (fc.face[i])
			FT_Done_Face(fc.face[i]);
		fc.face[i] = NULL;
		fc.face_px[i] = 0;
	}
	if (fc.lib)
		FT_Done_FreeType(fc.lib);
	fc.lib = NULL;
	fc.tried = false;
	fc.err = 0;
}

/* a .ttc holds several faces: pick the Korean one of Noto Sans CJK */
static int face_open(const char *path, bool cjk, FT_Face *ret)
{
	FT_Face f;
	long n;

	if (FT_New_Face(fc.lib, path, 0, &f))
		return -ENOENT;
	n = f->num_faces;
	if (!cjk || n <= 1) {
		*ret = f;
		return 0;
	}
	for (long i = 0; i < n; i++) {
		FT_Face g;

		if (FT_New_Face(fc.lib, path, i, &g))
			continue;
		if (g->family_name && strstr(g->family_name, "KR")) {
			FT_Done_Face(f);
			*ret = g;
			return 0;
		}
		FT_Done_Face(g);
	}
	*ret = f;
	return 0;
}

static const char *env_or(const char *env, const char *set, const char *def)
{
	const char *e = getenv(env);

	if (set[0])
		return set;
	return e && e[0] ? e : def;
}

static int fonts_load(void)
{
	const char *p[F_MAX];

	if (fc.tried)
		return fc.err;
	fc.tried = true;
	p[F_REG] = env_or("RAKWON_UI_FONT", fc.path[F_REG], FONT_REGULAR);
	p[F_BOLD] = env_or("RAKWON_UI_FONT_BOLD", fc.path[F_BOLD], FONT_BOLD);
	p[F_CJK] = env_or("RAKWON_UI_FONT_CJK", fc.path[F_CJK], FONT_CJK);
	p[F_CJK_BOLD] = env_or("RAKWON_UI_FONT_CJK_BOLD", fc.path[F_CJK_BOLD], FONT_CJK_BOLD);
	fc.err = -ENOENT;
	if (FT_Init_FreeType(&fc.lib)) {
		fc.lib = NULL;
		return fc.err;
	}
	fc.cache = calloc(CACHE_SLOTS, sizeof(*fc.cache));
	if (!fc.cache)
		return fc.err = -ENOMEM;
	if (face_open(p[F_REG], false, &fc.face[F_REG]) < 0)
		return fc.err;
	/* the others are optional: fall back to what we have */
	if (face_open(p[F_BOLD], false, &fc.face[F_BOLD]) < 0)
		fc.face[F_BOLD] = NULL;
	if (face_open(p[F_CJK], true, &fc.face[F_CJK]) < 0)
		fc.face[F_CJK] = NULL;
	if (face_open(p[F_CJK_BOLD], true, &fc.face[F_CJK_BOLD]) < 0)
		fc.face[F_CJK_BOLD] = NULL;
	return fc.err = 0;
}

int ui_fonts_set(const char *regular, const char *bold, const char *cjk)
{
	const char *in[3] = { regular, bold, cjk };
	int idx[3] = { F_REG, F_BOLD, F_CJK };

	for (int i = 0; i < 3; i++)
		if (in[i] && strlen(in[i]) >= sizeof(fc.path[0]))
			return -ENAMETOOLONG;
	pthread_mutex_lock(&fc.lock);
	fonts_drop();
	for (int i = 0; i < 3; i++)
		if (in[i])
			strcpy(fc.path[idx[i]], in[i]);
	pthread_mutex_unlock(&fc.lock);
	return 0;
}

void ui_fonts_free(void)
{
	pthread_mutex_lock(&fc.lock);
	fonts_drop();
	pthread_mutex_unlock(&fc.lock);
}

int font_ready(void)
{
	int r;

	pthread_mutex_lock(&fc.lock);
	r = fonts_load();
	pthread_mutex_unlock(&fc.lock);
	return r;
}

/* the face that has cp, preferring Latin; returns the face index */
static int face_for(uint32_t cp, bool bold)
{
	int latin = bold && fc.face[F_BOLD] ? F_BOLD : F_REG;
	int cjk = bold && fc.face[F_CJK_BOLD] ? F_CJK_BOLD : F_CJK;

	if (FT_Get_Char_Index(fc.face[latin], cp))
		return latin;
	if (fc.face[cjk] && FT_Get_Char_Index(fc.face[cjk], cp))
		return cjk;
	return latin;
}

/* cached glyph, NULL if it cannot be rendered (caller holds the lock) */
static const struct glyph *glyph_get(uint32_t cp, unsigned px, bool bold)
{
	uint32_t h = (cp * 2654435761u) ^ (px * 40503u) ^ (bold ? 0x9e37u : 0);
	int fi = face_for(cp, bold);
	FT_Face f = fc.face[fi];
	struct glyph *g;
	FT_Bitmap *bm;

	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		g = &fc.cache[(h + i) & (CACHE_SLOTS - 1)];
		if (!g->used)
			break;
		if (g->cp == cp && g->px == px && g->face == fi)
			return g;
	}
	if (fc.ncache >= CACHE_MAX) {
		cache_flush();
		for (unsigned i = 0;; i++) {
			g = &fc.cache[(h + i) & (CACHE_SLOTS - 1)];
			if (!g->used)
				break;
		}
	}
	if (fc.face_px[fi] != px) {
		if (FT_Set_Pixel_Sizes(f, 0, px))
			return NULL;
		fc.face_px[fi] = px;
	}
	if (FT_Load_Char(f, cp, FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT))
		return NULL;
	bm = &f->glyph->bitmap;
	memset(g, 0, sizeof(*g));
	g->cp = cp;
	g->px = (uint16_t)px;
	g->face = (uint8_t)fi;
	g->left = f->glyph->bitmap_left;
	g->top = f->glyph->bitmap_top;
	g->w = (int)bm->width;
	g->h = (int)bm->rows;
	g->pitch = g->w;
	g->adv = (int)f->glyph->advance.x;
	if (bm->pixel_mode != FT_PIXEL_MODE_GRAY)
		g->w = g->h = 0;
	if (g->w && g->h) {
		g->bits = malloc((size_t)g->w * (size_t)g->h);
		if (!g->bits)
			return NULL;
		for (int y = 0; y < g->h; y++)
			memcpy(g->bits + (size_t)y * (size_t)g->w,
			       bm->buffer + (ptrdiff_t)y * bm->pitch, (size_t)g->w);
	}
	g->used = true;
	fc.ncache++;
	return g;
}

/* next code point of UTF-8 text, invalid bytes become U+FFFD */
static uint32_t utf8_next(const char **ps)
{
	const unsigned char *s = (const unsigned char *)*ps;
	uint32_t cp;
	int n;

	if (s[0] < 0x80) {
		*ps += 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		n = 3;
	} else {
		*ps += 1;
		return 0xfffd;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*ps += i;
			return 0xfffd;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*ps += n + 1;
	return cp;
}

static unsigned px_size(const struct canvas *c, float size)
{
	long p = lroundf(size * c->s);

	return (unsigned)(p < 4 ? 4 : p > GLYPH_PX_MAX ? GLYPH_PX_MAX : p);
}

/* width in 26.6 pixels of s (up to end, NULL: whole) */
static long run_width(unsigned px, bool bold, const char *s, const char *end)
{
	long w = 0;

	while (*s && (!end || s < end)) {
		const struct glyph *g = glyph_get(utf8_next(&s), px, bold);

		if (g)
			w += g->adv;
	}
	return w;
}

static void blit_glyph(struct canvas *c, const struct glyph *g, int pen_x, int base_y,
		       uint32_t col)
{
	unsigned a = col >> 24;
	int x0 = pen_x + g->left, y0 = base_y - g->top;

	for (int y = 0; y < g->h; y++) {
		int yy = y0 + y;
		uint32_t *row;

		if (yy < c->cy0 || yy >= c->cy1)
			continue;
		row = c->px + (size_t)yy * (size_t)c->stride;
		for (int x = 0; x < g->w; x++) {
			int xx = x0 + x;
			unsigned cov = g->bits[(size_t)y * (size_t)g->pitch + (size_t)x];
			uint32_t d;
			unsigned al, na;

			if (!cov || xx < c->cx0 || xx >= c->cx1)
				continue;
			al = cov * a / 255;
			na = 255 - al;
			d = row[xx];
			row[xx] = 0xff000000u |
				  ((((col >> 16 & 0xff) * al + (d >> 16 & 0xff) * na + 127) / 255) << 16) |
				  ((((col >> 8 & 0xff) * al + (d >> 8 & 0xff) * na + 127) / 255) << 8) |
				  (((col & 0xff) * al + (d & 0xff) * na + 127) / 255);
		}
	}
}

float text_width(struct canvas *c, float size, bool bold, const char *s)
{
	long w;

	if (!s)
		return 0;
	pthread_mutex_lock(&fc.lock);
	if (fonts_load() < 0) {
		pthread_mutex_unlock(&fc.lock);
		return 0;
	}
	w = run_width(px_size(c, size), bold, s, NULL);
	pthread_mutex_unlock(&fc.lock);
	return (float)w / 64.0f / c->s;
}

float draw_text(struct canvas *c, float x, float y, float size, bool bold, uint32_t col,
		enum text_align align, float max_w, const char *s)
{
	static const char ell[] = "\xe2\x80\xa6";   /* U+2026 */
	unsigned px;
	long w, maxw, ellw = 0;
	const char *end = NULL, *p;
	long pen;
	int base;

	if (!s || !*s)
		return 0;
	pthread_mutex_lock(&fc.lock);
	if (fonts_load() < 0) {
		pthread_mutex_unlock(&fc.lock);
		return -ENOENT;
	}
	px = px_size(c, size);
	w = run_width(px, bold, s, NULL);
	maxw = max_w > 0 ? lroundf(max_w * c->s * 64) : 0;
	if (maxw && w > maxw) {
		/* shorten: as many whole code points as fit next to "..." */
		const char *q = s;

		ellw = run_width(px, bold, ell, NULL);
		w = ellw;
		end = s;
		while (*q) {
			const char *n = q;
			const struct glyph *g = glyph_get(utf8_next(&n), px, bold);
			long a = g ? g->adv : 0;

			if (w + a > maxw)
				break;
			w += a;
			q = n;
			end = q;
		}
	}
	pen = lroundf((x + c->ox) * c->s * 64);
	if (align == TEXT_CENTER)
		pen -= w / 2;
	else if (align == TEXT_RIGHT)
		pen -= w;
	base = (int)lroundf(y * c->s);
	p = s;
	while (*p && (!end || p < end)) {
		const struct glyph *g = glyph_get(utf8_next(&p), px, bold);

		if (!g)
			continue;
		if (g->bits)
			blit_glyph(c, g, (int)((pen + 32) >> 6), base, col);
		pen += g->adv;
	}
	if (end) {
		p = ell;
		while (*p) {
			const struct glyph *g = glyph_get(utf8_next(&p), px, bold);

			if (g && g->bits)
				blit_glyph(c, g, (int)((pen + 32) >> 6), base, col);
			if (g)
				pen += g->adv;
		}
	}
	pthread_mutex_unlock(&fc.lock);
	return (float)w / 64.0f / c->s;
}

float draw_text_mid(struct canvas *c, float x, float cy, float size, bool bold, uint32_t col,
		    enum text_align align, float max_w, const char *s)
{
	return draw_text(c, x, cy + size * 0.36f, size, bold, col, align, max_w, s);
}

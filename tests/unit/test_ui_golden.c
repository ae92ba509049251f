/* test_ui_golden.c: renders every UI screen with fixed inputs and compares with the PNGs in tests/ref/ui (RAKWON_UPDATE_GOLDEN=1 rewrites). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "drv/frame.h"
#include "test.h"
#include "ui/ui.h"

#define REF_DIR "tests/ref/ui"

/* a synthetic "person in a room": wall gradient, table, head and shoulders;
 * hue picks the wall colour so tiles differ */
static struct vframe *scene(enum vfmt fmt, int w, int h, int hue)
{
	struct vframe *rgb = NULL, *out = NULL;
	static const uint8_t walls[9][3] = {
		{ 0x6a, 0x7f, 0x96 }, { 0x8a, 0x76, 0x5e }, { 0x5e, 0x86, 0x72 },
		{ 0x7d, 0x6a, 0x8c }, { 0x90, 0x84, 0x6c }, { 0x5a, 0x74, 0x8a },
		{ 0x86, 0x66, 0x66 }, { 0x6c, 0x80, 0x5c }, { 0x70, 0x70, 0x78 },
	};
	const uint8_t *wall = walls[hue % 9];

	if (vframe_new(&rgb, VFMT_XRGB8888, w, h) < 0)
		return NULL;
	for (int y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(rgb->data[0] + (size_t)y * (size_t)rgb->stride[0]);
		float fy = (float)y / (float)h;

		for (int x = 0; x < w; x++) {
			float fx = (float)x / (float)w, shade = 1.1f - 0.35f * fy - 0.2f * fabsf(fx - 0.5f);
			float hx = (fx - 0.5f) * (float)w / (float)h, hy = fy - 0.40f;
			float r = wall[0] * shade, g = wall[1] * shade, b = wall[2] * shade;

			if (fy > 0.82f) {               /* table */
				r = 0x4a; g = 0x36; b = 0x28;
			} else if (hx * hx / 0.011f + hy * hy / 0.021f < 1) {   /* head */
				r = 0xd8 - 40 * fy; g = 0xa8 - 30 * fy; b = 0x8c - 20 * fy;
			} else if (fy > 0.56f && fabsf(hx) < 0.26f - 0.3f * (0.7f - fy) * (fy < 0.7f)) {
				r = 0x2a + hue * 9; g = 0x3a; b = 0x5a - hue * 3;   /* shoulders */
			}
			row[x] = 0xff000000u | (uint32_t)(r > 255 ? 255 : r) << 16 |
				 (uint32_t)(g > 255 ? 255 : g) << 8 | (uint32_t)(b > 255 ? 255 : b);
		}
	}
	if (fmt == VFMT_XRGB8888)
		return rgb;
	(void)vframe_convert(&out, rgb, fmt);
	vframe_unref(rgb);
	return out;
}

static void model_base(struct ui_model *m)
{
	static const struct {
		const char *name, *uri;
		bool fav;
	} dir[] = {
		{ "Seoul HQ Boardroom", "sip:boardroom@seoul.example.kr", true },
		{ "Busan Lab", "sip:lab@busan.example.kr", true },
		{ "Kim Min-jun", "sip:minjun.kim@example.kr", true },
		{ "Daejeon Training Room", "sip:training@daejeon.example.kr", false },
		{ "Lee Seo-yeon", "sip:seoyeon.lee@example.kr", true },
		{ "Incheon Operations", "sip:ops@incheon.example.kr", false },
		{ "Helpdesk", "sip:helpdesk@example.kr", true },
	};
	static const struct {
		const char *name, *uri, *when;
		enum ui_recent_kind k;
	} rec[] = {
		{ "Busan Lab", "sip:lab@busan.example.kr", "09:12", UI_RECENT_OUT },
		{ "", "sip:4471@pbx.example.kr", "Yesterday", UI_RECENT_MISSED },
		{ "Kim Min-jun", "sip:minjun.kim@example.kr", "Mon", UI_RECENT_IN },
	};

	ui_model_init(m);
	snprintf(m->room_name, sizeof(m->room_name), "Hanbit Meeting Room 3");
	snprintf(m->sip_address, sizeof(m->sip_address), "room3@hanbit.example.kr");
	snprintf(m->clock, sizeof(m->clock), "09:41");
	snprintf(m->date, sizeof(m->date), "Tuesday, 24 March");
	snprintf(m->version, sizeof(m->version), "rakwon 0.1.0");
	m->reg = UI_REG_REGISTERED;
	m->net = UI_NET_UP;
	for (size_t i = 0; i < sizeof(dir) / sizeof(dir[0]); i++) {
		snprintf(m->dir[i].name, sizeof(m->dir[i].name), "%s", dir[i].name);
		snprintf(m->dir[i].uri, sizeof(m->dir[i].uri), "%s", dir[i].uri);
		m->dir[i].favourite = dir[i].fav;
	}
	m->n_dir = (int)(sizeof(dir) / sizeof(dir[0]));
	for (size_t i = 0; i < sizeof(rec) / sizeof(rec[0]); i++) {
		snprintf(m->recent[i].name, sizeof(m->recent[i].name), "%s", rec[i].name);
		snprintf(m->recent[i].uri, sizeof(m->recent[i].uri), "%s", rec[i].uri);
		snprintf(m->recent[i].when, sizeof(m->recent[i].when), "%s", rec[i].when);
		m->recent[i].kind = rec[i].k;
	}
	m->n_recent = (int)(sizeof(rec) / sizeof(rec[0]));
	snprintf(m->call.remote_name, sizeof(m->call.remote_name), "Seoul HQ Boardroom");
	snprintf(m->call.remote_uri, sizeof(m->call.remote_uri), "sip:boardroom@seoul.example.kr");
	m->call.duration_s = 754;
	m->call.encrypted = true;
	snprintf(m->incoming_name, sizeof(m->incoming_name), "Busan Lab");
	snprintf(m->incoming_uri, sizeof(m->incoming_uri), "sip:lab@busan.example.kr");
	m->incoming_encrypted = true;
}

static int png_write(const char *path, const struct vframe *f)
{
	FILE *fp = fopen(path, "wb");
	png_structp png;
	png_infop info;
	int r = -EIO;

	if (!fp)
		return -errno;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, fp);
	png_set_compression_level(png, 9);
	png_set_IHDR(png, info, (png_uint_32)f->width, (png_uint_32)f->height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_set_bgr(png);
	png_set_filler(png, 0, PNG_FILLER_AFTER);
	for (int y = 0; y < f->height; y++)
		png_write_row(png, f->data[0] + (size_t)y * (size_t)f->stride[0]);
	png_write_end(png, NULL);
	r = 0;
out:
	png_destroy_write_struct(&png, &info);
	fclose(fp);
	return r;
}

/* read an RGB(A) PNG into XRGB */
static int png_read(const char *path, struct vframe **ret)
{
	png_image img;
	struct vframe *f = NULL;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return -ENOENT;
	img.format = PNG_FORMAT_BGRA;
	if (vframe_new(&f, VFMT_XRGB8888, (int)img.width, (int)img.height) < 0) {
		png_image_free(&img);
		return -ENOMEM;
	}
	if (!png_image_finish_read(&img, NULL, f->data[0], f->stride[0], NULL)) {
		vframe_unref(f);
		return -EINVAL;
	}
	*ret = f;
	return 0;
}

/* compare: mean absolute difference per channel < 2 and < 0.5 % of pixels
 * with a channel differing by more than 32 */
static int compare(const struct vframe *a, const struct vframe *b, double *mad, double *bad)
{
	uint64_t sum = 0, nbad = 0, n = (uint64_t)a->width * (uint64_t)a->height;

	if (a->width != b->width || a->height != b->height)
		return -EINVAL;
	for (int y = 0; y < a->height; y++) {
		const uint32_t *ra = (const uint32_t *)(a->data[0] + (size_t)y * (size_t)a->stride[0]);
		const uint32_t *rb = (const uint32_t *)(b->data[0] + (size_t)y * (size_t)b->stride[0]);

		for (int x = 0; x < a->width; x++) {
			int maxd = 0;

			for (int sh = 0; sh < 24; sh += 8) {
				int d = abs((int)(ra[x] >> sh & 0xff) - (int)(rb[x] >> sh & 0xff));

				sum += (uint64_t)d;
				maxd = d > maxd ? d : maxd;
			}
			nbad += maxd > 32;
		}
	}
	*mad = (double)sum / (double)(n * 3);
	*bad = 100.0 * (double)nbad / (double)n;
	return 0;
}

static void golden(const char *name, const struct ui_model *m, int w, int h, bool video)
{
	struct vframe *out = NULL, *ref = NULL, *far = NULL, *self = NULL, *tiles[UI_TILES_MAX] = { 0 };
	char path[256];
	double mad = 0, bad = 0;
	int r;

	CHECK_OK(vframe_new(&out, VFMT_XRGB8888, w, h));
	if (video) {
		far = scene(VFMT_I420, 1280, 720, 0);
		self = scene(VFMT_XRGB8888, 640, 360, 4);
		CHECK(far && self);
		for (int i = 0; i < UI_TILES_MAX; i++) {
			tiles[i] = scene(i % 2 ? VFMT_I420 : VFMT_XRGB8888, 640, 360, i);
			CHECK(tiles[i]);
		}
	}
	CHECK_OK(ui_render(m, out, far, self, (const struct vframe *const *)tiles));
	snprintf(path, sizeof(path), REF_DIR "/%s.png", name);
	if (getenv("RAKWON_UPDATE_GOLDEN") && !strcmp(getenv("RAKWON_UPDATE_GOLDEN"), "1")) {
		CHECK_OK(png_write(path, out));
		printf("  updated %s\n", path);
	} else {
		char got[512];

		r = png_read(path, &ref);
		CHECK_MSG(r == 0, "%s: missing reference (RAKWON_UPDATE_GOLDEN=1 creates it)", path);
		CHECK_OK(compare(out, ref, &mad, &bad));
		printf("  %s: mean abs diff %.3f, %.3f %% pixels off\n", name, mad, bad);
		if (mad >= 2.0 || bad >= 0.5) {
			snprintf(got, sizeof(got), "%s/%s.got.png", test_tmpdir(), name);
			(void)png_write(got, out);
			CHECK_MSG(false, "%s differs from %s (mad %.3f, %.3f%% off); got %s", name,
				  path, mad, bad, got);
		}
	}
	vframe_unref(ref);
	vframe_unref(out);
	vframe_unref(far);
	vframe_unref(self);
	for (int i = 0; i < UI_TILES_MAX; i++)
		vframe_unref(tiles[i]);
}

TEST(ui_golden_home)
{
	struct ui_model m;

	model_base(&m);
	m.tab = UI_TAB_FAVOURITES;
	m.focus = 1;
	golden("home", &m, 1280, 720, false);
}

TEST(ui_golden_home_keypad_1080p)
{
	struct ui_model m;

	model_base(&m);
	m.tab = UI_TAB_KEYPAD;
	snprintf(m.dial, sizeof(m.dial), "sip:4471@pbx");
	golden("home_keypad_1080p", &m, 1920, 1080, false);
}

TEST(ui_golden_home_ko)
{
	struct ui_model m;

	model_base(&m);
	m.lang = UI_LANG_KO;
	snprintf(m.room_name, sizeof(m.room_name), "한빛 회의실 3");
	snprintf(m.date, sizeof(m.date), "3월 24일 화요일");
	snprintf(m.dir[0].name, sizeof(m.dir[0].name), "서울 본사 대회의실");
	snprintf(m.dir[1].name, sizeof(m.dir[1].name), "부산 연구소");
	snprintf(m.dir[2].name, sizeof(m.dir[2].name), "김민준");
	snprintf(m.dir[4].name, sizeof(m.dir[4].name), "이서연");
	snprintf(m.dir[6].name, sizeof(m.dir[6].name), "기술 지원");
	m.tab = UI_TAB_DIRECTORY;
	m.focus = 0;
	golden("home_ko", &m, 1280, 720, false);
}

TEST(ui_golden_incoming)
{
	struct ui_model m;

	model_base(&m);
	m.screen = UI_SCREEN_INCOMING;
	m.focus = 0;
	golden("incoming", &m, 1280, 720, false);
}

TEST(ui_golden_in_call_pip)
{
	struct ui_model m;

	model_base(&m);
	m.screen = UI_SCREEN_IN_CALL;
	m.call.layout = UI_LAYOUT_PIP;
	m.call.mic_muted = true;
	m.focus = UI_BTN_MIC;
	golden("in_call_pip", &m, 1280, 720, true);
}

TEST(ui_golden_calling_ko)
{
	struct ui_model m;

	model_base(&m);
	m.lang = UI_LANG_KO;
	m.screen = UI_SCREEN_IN_CALL;
	m.call.connecting = true;
	snprintf(m.call.remote_name, sizeof(m.call.remote_name), "서울 본사 대회의실");
	m.focus = UI_BTN_HANGUP;
	m.volume = 70;
	m.volume_osd = true;
	golden("calling_ko", &m, 1280, 720, true);
}

TEST(ui_golden_gallery3x3)
{
	static const char *names[] = {
		"Seoul HQ", "Busan Lab", "Kim Min-jun", "Daejeon", "Lee Seo-yeon",
		"Incheon Ops", "Gwangju", "Ulsan Plant", "Jeju Office",
	};
	struct ui_model m;

	model_base(&m);
	m.screen = UI_SCREEN_IN_CALL;
	m.call.layout = UI_LAYOUT_GALLERY3X3;
	m.call.n_tiles = 9;
	m.call.active_speaker = 4;
	m.call.encrypted = false;
	m.call.poor_network = true;
	for (int i = 0; i < 9; i++)
		snprintf(m.call.tile_names[i], sizeof(m.call.tile_names[i]), "%s", names[i]);
	m.focus = UI_BTN_LAYOUT;
	golden("gallery3x3", &m, 1280, 720, true);
}

TEST(ui_golden_stats)
{
	static const struct ui_stat_row rows[] = {
		{ "Video in", "1280x720", 30, 1850, 0.2, 6, 38 },
		{ "Video out", "1280x720", 30, 1920, 0.0, 4, 38 },
		{ "Audio in", "", 50, 48, 2.4, 11, 38 },
		{ "Audio out", "", 50, 40, 0.0, 3, 38 },
	};
	struct ui_model m;

	model_base(&m);
	m.screen = UI_SCREEN_IN_CALL;
	m.call.layout = UI_LAYOUT_SIDE_BY_SIDE;
	m.call.show_stats = true;
	memcpy(m.call.stats, rows, sizeof(rows));
	m.call.n_stats = 4;
	m.focus = UI_BTN_STATS;
	golden("stats", &m, 1280, 720, true);
}

TEST(ui_golden_settings)
{
	struct ui_model m;

	model_base(&m);
	m.screen = UI_SCREEN_SETTINGS;
	m.focus = UI_SET_LANGUAGE;
	golden("settings", &m, 1280, 720, false);
}

TEST(ui_golden_standby)
{
	struct ui_model m;

	model_base(&m);
	m.screen = UI_SCREEN_STANDBY;
	golden("standby", &m, 1280, 720, false);
}

/* the picture must react to the model: a golden that ignores its input
 * would pass the comparisons above forever */
TEST(ui_render_reacts)
{
	struct ui_model m;
	struct vframe *a = NULL, *b = NULL;
	size_t diff = 0;

	model_base(&m);
	CHECK_OK(vframe_new(&a, VFMT_XRGB8888, 640, 360));
	CHECK_OK(vframe_new(&b, VFMT_XRGB8888, 640, 360));
	CHECK_OK(ui_render(&m, a, NULL, NULL, NULL));
	m.focus = 2;
	CHECK_OK(ui_render(&m, b, NULL, NULL, NULL));
	for (size_t i = 0; i < (size_t)a->stride[0] * 360; i++)
		diff += a->data[0][i] != b->data[0][i];
	CHECK(diff > 1000);
	CHECK_EQ(ui_render(&m, NULL, NULL, NULL, NULL), -EINVAL);
	vframe_unref(a);
	vframe_unref(b);
	ui_fonts_free();
}

/* odd sizes and aspect ratios, every screen and layout, odd video sizes:
 * nothing may be drawn outside the frame (ASan watches) */
TEST(ui_render_any_size)
{
	static const int sizes[][2] = { { 320, 180 }, { 1024, 768 }, { 1366, 768 }, { 720, 1280 } };
	struct vframe *far = scene(VFMT_I420, 176, 144, 1), *self = scene(VFMT_XRGB8888, 2, 2, 2);
	struct vframe *yuyv = NULL, *nv12 = NULL;
	const struct vframe *tiles[UI_TILES_MAX] = { 0 };
	struct ui_model m;

	CHECK(far && self);
	CHECK_OK(vframe_convert(&yuyv, far, VFMT_YUYV));
	CHECK_OK(vframe_convert(&nv12, far, VFMT_NV12));
	tiles[0] = far;
	tiles[1] = yuyv;
	tiles[2] = nv12;
	tiles[3] = self;
	model_base(&m);
	m.volume_osd = true;
	m.call.show_stats = true;
	m.call.n_stats = UI_STATS_MAX;
	m.call.n_tiles = 9;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vframe *out = NULL;

		CHECK_OK(vframe_new(&out, VFMT_XRGB8888, sizes[i][0], sizes[i][1]));
		for (int sc = 0; sc < UI_SCREEN_MAX; sc++)
			for (int lay = 0; lay < UI_LAYOUT_MAX; lay++) {
				m.screen = (enum ui_screen)sc;
				m.call.layout = (enum ui_layout)lay;
				m.tab = (enum ui_home_tab)(lay % UI_TAB_MAX);
				CHECK_OK(ui_render(&m, out, lay == 1 ? yuyv : far, self, tiles));
			}
		vframe_unref(out);
	}
	vframe_unref(far);
	vframe_unref(self);
	vframe_unref(yuyv);
	vframe_unref(nv12);
}

/* test_v4l2_mjpeg.c: MJPEG decoding of the v4l2 driver (UVC webcams send 720p30 as MJPEG;
 * vivid has none, so recorded JPEG files stand in: tests/data/mjpeg/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/frame.h"
#include "test.h"
#include "v4l2/v4l2.h"

static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/mjpeg/%s", test_datadir(), name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* the top SMPTE bars: white, yellow, cyan, green, magenta, red, blue (R,G,B on or off) */
static bool bars_ok(const struct vframe *f)
{
	static const int on[7][3] = { { 1, 1, 1 }, { 1, 1, 0 }, { 0, 1, 1 }, { 0, 1, 0 },
				      { 1, 0, 1 }, { 1, 0, 0 }, { 0, 0, 1 } };

	for (int b = 0; b < 7; b++) {
		int x = f->width * (2 * b + 1) / 14, y = f->height / 4;
		const uint8_t *p = f->data[0] + (size_t)y * f->stride[0] + 4 * x;
		int rgb[3] = { p[2], p[1], p[0] };

		for (int c = 0; c < 3; c++)
			if (on[b][c] ? rgb[c] < 150 : rgb[c] > 60) {
				printf("bar %d at %d,%d: %d,%d,%d\n", b, x, y, rgb[0], rgb[1], rgb[2]);
				return false;
			}
	}
	return true;
}

TEST(mjpeg_decode_420_to_i420_and_rgb)
{
	size_t len;
	uint8_t *j = load("smpte-320x240-420.jpg", &len);
	struct vframe *f = NULL, *rgb = NULL;

	CHECK(j);
	CHECK_OK(v4l2_mjpeg_decode(&f, j, len, VFMT_I420));
	CHECK_EQ(f->fmt, VFMT_I420);
	CHECK(f->width == 320 && f->height == 240);
	CHECK_OK(vframe_convert(&rgb, f, VFMT_XRGB8888));
	CHECK(bars_ok(rgb));
	vframe_unref(rgb);
	vframe_unref(f);
	CHECK_OK(v4l2_mjpeg_decode(&f, j, len, VFMT_XRGB8888));
	CHECK(bars_ok(f));
	vframe_unref(f);
	free(j);
}

TEST(mjpeg_decode_422_to_nv12)
{
	size_t len;
	uint8_t *j = load("smpte-320x240-422.jpg", &len);
	struct vframe *f = NULL, *rgb = NULL;

	CHECK(j);
	CHECK_OK(v4l2_mjpeg_decode(&f, j, len, VFMT_NV12));
	CHECK_EQ(f->fmt, VFMT_NV12);
	CHECK_OK(vframe_convert(&rgb, f, VFMT_XRGB8888));
	CHECK(bars_ok(rgb));
	vframe_unref(rgb);
	vframe_unref(f);
	free(j);
}

/* UVC MJPEG frames carry no DHT segment: the standard tables must be used */
TEST(mjpeg_without_huffman_tables)
{
	size_t l1, l2;
	uint8_t *a = load("smpte-320x240-422.jpg", &l1), *b = load("smpte-320x240-422-nodht.jpg", &l2);
	struct vframe *fa = NULL, *fb = NULL;

	CHECK(a && b && l2 < l1);
	CHECK_OK(v4l2_mjpeg_decode(&fa, a, l1, VFMT_XRGB8888));
	CHECK_OK(v4l2_mjpeg_decode(&fb, b, l2, VFMT_XRGB8888));
	CHECK_EQ(memcmp(fa->data[0], fb->data[0], (size_t)fa->stride[0] * fa->height), 0);
	vframe_unref(fa);
	vframe_unref(fb);
	free(a);
	free(b);
}

TEST(mjpeg_rejects_garbage)
{
	uint8_t junk[256];
	size_t len;
	uint8_t *j = load("smpte-320x240-420.jpg", &len);
	struct vframe *f = NULL;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	CHECK_EQ(v4l2_mjpeg_decode(&f, junk, sizeof(junk), VFMT_I420), -EBADMSG);
	CHECK_EQ(v4l2_mjpeg_decode(&f, junk, 2, VFMT_I420), -EINVAL);
	CHECK(j);
	/* a truncated frame (USB packet loss) must fail or decode, never crash */
	if (v4l2_mjpeg_decode(&f, j, len / 3, VFMT_I420) == 0)
		f = vframe_unref(f);
	CHECK(f == NULL);
	free(j);
}

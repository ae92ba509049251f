/* png.c: video sink writing frames as PNG pictures (libpng), for screenshots and tests.
 *
 * args: path=<file>, every=<n>.
 *   path with a printf "%d" (e.g. /tmp/f%04d.png): writes every n-th frame
 *     (default n = 1: every frame), numbered by the sink's own frame counter
 *     starting at 0 (frame 0, n, 2n, ...).
 *   path without "%d": one file, holding the LAST frame written: it is written
 *     at close, and also every n-th frame when every= is given, so a running
 *     program's file stays fresh.
 *   mode=WxH: behave like a display of that mode: open() reports it in the
 *     params (as the kms sink reports its mode), frames of any size are taken.
 * Files are written to "<path>.tmp" and renamed, so a reader never sees half a
 * picture. Frames are converted to RGB (BT.601 limited range); compression is
 * the fastest zlib level.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "drv/drivers.h"

struct pngsink {
	char path[1024];
	bool numbered;          /* path has a %d */
	int every;              /* 0: only at close (single-file mode) */
	uint64_t count;
	struct vframe *last;    /* single-file mode */
};

/* path has exactly one conversion, a %d with optional 0-flag and width */
static bool path_numbered(const char *p, bool *ret_bad)
{
	int convs = 0;

	*ret_bad = false;
	for (const char *s = p; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] == '%') {
			s++;
			continue;
		}
		s++;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s != 'd') {
			*ret_bad = true;
			return false;
		}
		convs++;
	}
	if (convs > 1)
		*ret_bad = true;
	return convs == 1;
}

static int pngsink_open(void *priv, struct vidsink_params *p)
{
	struct pngsink *s = priv;
	char mode[32];
	bool bad;
	int r;

	r = drv_arg(p->args, "path", s->path, sizeof(s->path) - 8);
	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
	s->numbered = path_numbered(s->path, &bad);
	if (bad)
		return -EINVAL;
	s->every = drv_arg_int(p->args, "every", s->numbered ? 1 : 0);
	if (s->every < 0 || (s->numbered && s->every == 0))
		return -EINVAL;
	if (drv_arg(p->args, "mode", mode, sizeof(mode)) == 0) {
		int w = 0, h = 0;
		char x = 0;

		if (sscanf(mode, "%dx%d%c", &w, &h, &x) != 2 || w < 16 || h < 16 || w > 8192 || h > 8192)
			return -EINVAL;
		p->width = w;
		p->height = h;
	}
	return 0;
}

/* the libpng part: rows of B,G,R,X bytes into fp; 0 or -EIO */
static int png_rows_write(FILE *fp, const struct vframe *rgb)
{
	png_structp png;
	png_infop info;
	volatile int r = -EIO;   /* read after longjmp */

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png)
		return -ENOMEM;
	info = png_create_info_struct(png);
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, fp);
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, (png_uint_32)rgb->width, (png_uint_32)rgb->height, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_set_bgr(png);
	png_set_filler(png, 0, PNG_FILLER_AFTER);
	for (int y = 0; y < rgb->height; y++)
		png_write_row(png, rgb->data[0] + (size_t)y * rgb->stride[0]);
	png_write_end(png, NULL);
	r = 0;
out:
	png_destroy_write_struct(&png, &info);
	return r;
}

static int png_file_write(const char *path, const struct vframe *f)
{
	struct vframe *rgb;
	char tmp[1100];
	FILE *fp;
	int r;

	r = vframe_convert(&rgb, f, VFMT_XRGB8888);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "wbe");
	if (!fp) {
		r = -errno;
		vframe_unref(rgb);
		return r;
	}
	r = png_rows_write(fp, rgb);
	vframe_unref(rgb);
	if (fclose(fp) != 0 && r == 0)
		r = -EIO;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)remove(tmp);
	return r;
}

static int pngsink_write(void *priv, struct vframe *f)
{
	struct pngsink *s = priv;
	uint64_t n = s->count++;
	char name[1100];
	int r = 0;

	if (!vfmt_frame_size(f->fmt, f->width, f->height))
		return -EINVAL;
	if (s->numbered) {
		if (n % (uint64_t)s->every)
			return 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(name, sizeof(name), s->path, (int)n);
#pragma GCC diagnostic pop
		return png_file_write(name, f);
	}
	s->last = vframe_unref(s->last);
	if (f->release) {
		/* driver memory (a capture buffer): do not hold it back */
		r = vframe_convert(&s->last, f, f->fmt);
		if (r < 0)
			return r;
	} else {
		s->last = vframe_ref(f);
	}
	if (s->every && n % (uint64_t)s->every == 0)
		r = png_file_write(s->path, f);
	return r;
}

static void pngsink_close(void *priv)
{
	struct pngsink *s = priv;

	if (s->last)
		(void)png_file_write(s->path, s->last);
	s->last = vframe_unref(s->last);
}

const struct vidsink_ops png_vidsink_ops = {
	.name = "png",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct pngsink),
	.open = pngsink_open,
	.close = pngsink_close,
	.write = pngsink_write,
};

/* labutil.c: small helpers for the lab's guest programs. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/clock.h"
#include "labutil.h"

int lab_failures;

bool lab_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (%s:%d)", file, line);
		lab_failures++;
	}
	printf("\n");
	fflush(stdout);
	return ok;
}

void lab_detail(const char *fmt, ...)
{
	va_list ap;

	printf("## ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int lab_exit(void)
{
	return lab_failures ? 1 : 0;
}

int lab_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

int lab_read_file(const char *path, char *buf, int len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, (size_t)len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

uint64_t lab_frame_hash(const struct vframe *f)
{
	uint64_t h = 1469598103934665603ull;
	int bpl = f->fmt == VFMT_YUYV ? f->width * 2 : f->fmt == VFMT_XRGB8888 ? f->width * 4 : f->width;

	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < bpl; x++) {
			h ^= f->data[0][(size_t)y * f->stride[0] + x];
			h *= 1099511628211ull;
		}
	return h;
}

int lab_write_ppm(const struct vframe *f, const char *path)
{
	struct vframe *rgb = NULL;
	uint8_t *img, *o;
	size_t n;
	FILE *out;
	int r;

	r = vframe_convert(&rgb, f, VFMT_XRGB8888);
	if (r < 0)
		return r;
	n = (size_t)rgb->width * rgb->height * 3;
	img = malloc(n);
	if (!img) {
		vframe_unref(rgb);
		return -ENOMEM;
	}
	o = img;
	for (int y = 0; y < rgb->height; y++)
		for (int x = 0; x < rgb->width; x++, o += 3) {
			const uint8_t *p = rgb->data[0] + (size_t)y * rgb->stride[0] + 4 * x;

			o[0] = p[2];
			o[1] = p[1];
			o[2] = p[0];
		}
	/* one large write: the results folder is 9p without cache */
	out = fopen(path, "we");
	r = out ? 0 : -errno;
	if (out) {
		fprintf(out, "P6\n%d %d\n255\n", rgb->width, rgb->height);
		if (fwrite(img, 1, n, out) != n)
			r = -EIO;
		fclose(out);
	}
	free(img);
	vframe_unref(rgb);
	return r;
}

uint64_t lab_now_us(void)
{
	return clock_now_us();
}

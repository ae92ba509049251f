/* main.c: rakwon-rawvideo, raw I420 through pipes, for benchmarks against
 * other pipelines (GStreamer) with the same stamped test pattern.
 *
 *   rakwon-rawvideo gen WxH FPS SECS    testsrc frames, paced in real time,
 *                                       as raw I420 on stdout
 *   rakwon-rawvideo read WxH            raw I420 frames on stdin: reads each
 *                                       frame's stamp and prints one line per
 *                                       frame "seq capture_us now_us"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drv/media_drv.h"
#include "drv/teststamp.h"
#include "lib/base/clock.h"

static int full_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int gen(int w, int h, int fps, double secs)
{
	struct vidsrc_params p = { .width = w, .height = h, .fps = fps, .fmt = VFMT_I420 };
	struct vidsrc *src;
	uint64_t end = clock_now_us() + (uint64_t)(secs * 1e6);
	int r;

	r = vidsrc_open(&src, "testsrc", &p);
	if (r < 0)
		return r;
	while (clock_now_us() < end) {
		struct vframe *f;

		r = vidsrc_read(src, &f);
		if (r < 0)
			break;
		r = full_write(1, f->data[0], (size_t)w * h * 3 / 2);
		vframe_unref(f);
		if (r < 0)
			break;
	}
	vidsrc_close(src);
	return r == -EPIPE ? 0 : r < 0 ? r : 0;
}

static int readraw(int w, int h)
{
	struct vframe *f;
	size_t sz = (size_t)w * h * 3 / 2;
	int r = vframe_new(&f, VFMT_I420, w, h);

	if (r < 0)
		return r;
	for (;;) {
		size_t got = 0;
		uint32_t seq;
		uint64_t cap;

		while (got < sz) {
			ssize_t k = read(0, f->data[0] + got, sz - got);

			if (k <= 0) {
				vframe_unref(f);
				return 0;
			}
			got += (size_t)k;
		}
		if (teststamp_read(f, &seq, &cap) == 0)
			printf("%u %llu %llu\n", seq, (unsigned long long)cap,
			       (unsigned long long)clock_now_us());
	}
}

int main(int argc, char **argv)
{
	int w, h;

	if (argc >= 5 && strcmp(argv[1], "gen") == 0 && sscanf(argv[2], "%dx%d", &w, &h) == 2)
		return gen(w, h, atoi(argv[3]), atof(argv[4])) < 0;
	if (argc >= 3 && strcmp(argv[1], "read") == 0 && sscanf(argv[2], "%dx%d", &w, &h) == 2)
		return readraw(w, h) < 0;
	fprintf(stderr, "usage: rakwon-rawvideo gen WxH FPS SECS | read WxH\n");
	return 2;
}

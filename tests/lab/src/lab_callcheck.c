/* lab_callcheck.c: the end of the lab's call test: the picture the receiving
 * terminal showed on vkms (read back through writeback, a PPM written by the
 * kms sink at close) must be the sending terminal's camera picture (vivid),
 * after H.264 over RTP: compared with a fresh capture below vivid's text
 * overlay, PSNR over the colour bars. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/media_drv.h"
#include "labutil.h"
#include "v4l2/v4l2.h"

static uint8_t *read_ppm(const char *path, int *w, int *h)
{
	FILE *f = fopen(path, "rb");
	uint8_t *px = NULL;
	int maxv;

	if (!f)
		return NULL;
	if (fscanf(f, "P6 %d %d %d", w, h, &maxv) == 3 && fgetc(f) != EOF && *w > 0 && *h > 0 &&
	    *w <= 4096 && *h <= 4096) {
		size_t n = (size_t)*w * *h * 3;

		px = malloc(n);
		if (px && fread(px, 1, n, f) != n) {
			free(px);
			px = NULL;
		}
	}
	fclose(f);
	return px;
}

int main(int argc, char **argv)
{
	const char *ppm = argc > 1 ? argv[1] : "/mnt/out/call-wb.ppm";
	const char *name = argc > 2 ? argv[2] : "vivid-001-vid-cap";
	struct vidsrc_params vp = { .width = 1280, .height = 720, .fps = 30 };
	struct v4l2_cam *cam = NULL;
	struct vframe *f = NULL, *rgb = NULL;
	char args[128];
	int w = 0, h = 0, r;
	uint8_t *shown;
	double se = 0, psnr = 0;
	size_t n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	shown = read_ppm(ppm, &w, &h);
	LCHECK(shown != NULL, "readback %s missing or malformed", ppm);
	snprintf(args, sizeof(args), "name=%s,prefer=NV12", name);
	vp.args = args;
	r = v4l2_cam_open(&cam, &vp);
	LCHECK(r == 0, "camera %s: %s", name, strerror(-r));
	for (int i = 0; cam && i < 5; i++) {
		vframe_unref(f);
		f = NULL;
		if (v4l2_cam_read(cam, &f) < 0)
			break;
	}
	LCHECK(f != NULL, "no frame from the camera");
	if (shown && f && f->width == w && f->height == h &&
	    vframe_convert(&rgb, f, VFMT_XRGB8888) == 0) {
		/* below vivid's text overlay (time, counters): the static bars */
		for (int y = h / 4; y < h; y++)
			for (int x = 0; x < w; x++) {
				const uint8_t *a = shown + ((size_t)y * w + x) * 3;
				const uint8_t *b = rgb->data[0] + (size_t)y * rgb->stride[0] + (size_t)x * 4;
				int d0 = a[0] - b[2], d1 = a[1] - b[1], d2 = a[2] - b[0];

				se += d0 * d0 + d1 * d1 + d2 * d2;
				n += 3;
			}
		psnr = se > 0 ? 10 * log10(255.0 * 255.0 * (double)n / se) : 100;
	}
	LCHECK(n > 0, "shown %dx%d vs camera %dx%d", w, h, f ? f->width : 0, f ? f->height : 0);
	LCHECK(psnr >= 28, "the display shows the far end's camera: PSNR %.1f dB (>= 28)", psnr);
	printf("display vs camera PSNR %.1f dB\n", psnr);
	lab_detail("vivid -> x264 -> RTP -> lavc -> vkms; writeback vs camera PSNR %.1f dB", psnr);
	vframe_unref(rgb);
	vframe_unref(f);
	v4l2_cam_close(cam);
	free(shown);
	return lab_exit();
}

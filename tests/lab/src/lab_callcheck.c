/* lab_callcheck.c: the end of the lab's call tests: the picture a receiving
 * terminal showed on vkms (read back through writeback, a PPM written by the
 * kms sink at close) must be the sending terminal's camera picture (vivid),
 * after H.264 over RTP: compared with a fresh capture below vivid's text
 * overlay, PSNR over the pattern. A frame smaller than the screen is found
 * centred (as the kms driver places it).
 *
 *   lab_callcheck PPM CAMERA [WxH[@FPS] [OWNCAMERA]]
 *       CAMERA: the far end's camera (vivid node name), captured at WxH and FPS
 *       (default 1280x720@30: on an HDMI input the same DV timings as the
 *       sender's, CEA 720p30 with its limited-range colours); OWNCAMERA: the receiving terminal's own camera, a
 *       negative control: the screen must NOT look like it (no self-view
 *       mix-up), so the two cameras must show different patterns
 *   lab_callcheck --screen PPM
 *       a screen read back must have content: at least 1 % of its pixels not
 *       black and at least 8 distinct colours (prints both)
 *   lab_callcheck --pattern CAMERA N [CAMERA N]...
 *       sets vivid's "Test Pattern" control of each CAMERA to N through our driver,
 *       and its "OSD Text Mode" to 2 (no text: the time and counters would differ
 *       between the far end's frame and the fresh capture it is compared with)
 */
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

/* a fresh XRGB8888 frame of camera NAME at w x h and fps, or NULL */
static struct vframe *capture(const char *name, int w, int h, int fps)
{
	struct vidsrc_params vp = { .width = w, .height = h, .fps = fps };
	struct v4l2_cam *cam = NULL;
	struct vframe *f = NULL, *rgb = NULL;
	char args[128];
	int r;

	snprintf(args, sizeof(args), "name=%s,prefer=NV12:YUYV", name);
	vp.args = args;
	r = v4l2_cam_open(&cam, &vp);
	if (!LCHECK(r == 0, "camera %s: %s", name, strerror(-r)))
		return NULL;
	for (int i = 0; i < 5; i++) {
		vframe_unref(f);
		f = NULL;
		if (v4l2_cam_read(cam, &f) < 0)
			break;
	}
	if (LCHECK(f != NULL, "a frame from %s", name) && vframe_convert(&rgb, f, VFMT_XRGB8888) < 0)
		rgb = NULL;
	vframe_unref(f);
	v4l2_cam_close(cam);
	return rgb;
}

/* PSNR of the camera frame against the screen region where it is centred,
 * rows below vivid's text overlay (time, counters) only; -1 if it does not fit */
static double psnr_centred(const uint8_t *shown, int sw, int sh, const struct vframe *rgb)
{
	int w = rgb->width, h = rgb->height, x0 = (sw - w) / 2, y0 = (sh - h) / 2;
	double se = 0;
	size_t n = 0;

	if (w > sw || h > sh)
		return -1;
	for (int y = h / 4; y < h; y++)
		for (int x = 0; x < w; x++) {
			const uint8_t *a = shown + ((size_t)(y + y0) * sw + (size_t)(x + x0)) * 3;
			const uint8_t *b = rgb->data[0] + (size_t)y * rgb->stride[0] + (size_t)x * 4;
			int d0 = a[0] - b[2], d1 = a[1] - b[1], d2 = a[2] - b[0];

			se += d0 * d0 + d1 * d1 + d2 * d2;
			n += 3;
		}
	return se > 0 ? 10 * log10(255.0 * 255.0 * (double)n / se) : 100;
}

static int set_pattern(const char *name, int value)
{
	struct vidsrc_params vp = { 0 };
	struct v4l2_cam *cam = NULL;
	char args[128];
	int r;

	snprintf(args, sizeof(args), "name=%s,prefer=NV12:YUYV", name);
	vp.args = args;
	r = v4l2_cam_open(&cam, &vp);
	if (LCHECK(r == 0, "camera %s: %s", name, strerror(-r))) {
		r = v4l2_cam_control(cam, "Test Pattern", value);
		LCHECK(r == 0, "%s: Test Pattern = %d: %s", name, value, strerror(-r));
		r = v4l2_cam_control(cam, "OSD Text Mode", 2);
		LCHECK(r == 0, "%s: OSD Text Mode = 2 (none): %s", name, strerror(-r));
		v4l2_cam_close(cam);
	}
	lab_detail("%s shows test pattern %d", name, value);
	return lab_exit();
}

static int screen(const char *path)
{
	int w = 0, h = 0, colours = 0;
	uint8_t *px = read_ppm(path, &w, &h);
	uint32_t seen[64] = { 0 }; /* up to 64 distinct colours are counted */
	size_t lit = 0, n = (size_t)w * h;

	if (!LCHECK(px != NULL, "readback %s", path))
		return lab_exit();
	for (size_t i = 0; i < n; i++) {
		uint32_t c = (uint32_t)px[3 * i] << 16 | (uint32_t)px[3 * i + 1] << 8 | px[3 * i + 2];
		int k;

		lit += c != 0;
		for (k = 0; k < colours && seen[k] != c; k++)
			;
		if (k == colours && colours < 64)
			seen[colours++] = c;
	}
	LCHECK(lit * 100 >= n, "%.1f %% of the screen is not black (>= 1 %%)", lit * 100.0 / (double)n);
	LCHECK(colours >= 8, "%d%s distinct colours (>= 8)", colours, colours == 64 ? "+" : "");
	lab_detail("%dx%d, %.1f %% not black, %d%s colours", w, h, lit * 100.0 / (double)n, colours,
		   colours == 64 ? "+" : "");
	free(px);
	return lab_exit();
}

int main(int argc, char **argv)
{
	const char *ppm = argc > 1 ? argv[1] : "/mnt/out/call-wb.ppm";
	const char *name = argc > 2 ? argv[2] : "vivid-001-vid-cap";
	const char *own = argc > 4 ? argv[4] : NULL;
	struct vframe *rgb = NULL, *orgb = NULL;
	int w = 0, h = 0, cw = 1280, ch = 720, fps = 30;
	double psnr = -1, opsnr = -1;
	uint8_t *shown;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--screen") == 0)
		return screen(argv[2]);
	if (argc >= 4 && argc % 2 == 0 && strcmp(argv[1], "--pattern") == 0) {
		for (int i = 2; i + 1 < argc; i += 2)
			(void)set_pattern(argv[i], atoi(argv[i + 1]));
		return lab_exit();
	}
	if (argc > 3 && sscanf(argv[3], "%dx%d@%d", &cw, &ch, &fps) < 2) {
		fprintf(stderr, "usage: lab_callcheck PPM CAMERA [WxH[@FPS] [OWNCAMERA]]\n");
		return 2;
	}
	shown = read_ppm(ppm, &w, &h);
	LCHECK(shown != NULL, "readback %s: %dx%d", ppm, w, h);
	rgb = capture(name, cw, ch, fps);
	if (shown && rgb) {
		psnr = psnr_centred(shown, w, h, rgb);
		LCHECK(psnr >= 0, "camera %dx%d fits the screen %dx%d", rgb->width, rgb->height, w, h);
	}
	LCHECK(psnr >= 28, "the display shows the far end's camera %s: PSNR %.1f dB (>= 28)", name,
	       psnr);
	if (own) {
		orgb = capture(own, cw, ch, fps);
		if (shown && orgb)
			opsnr = psnr_centred(shown, w, h, orgb);
		LCHECK(orgb && opsnr < 20,
		       "negative control: the display is not the terminal's own camera %s: PSNR %.1f dB (< 20)",
		       own, opsnr);
	}
	printf("display vs camera PSNR %.1f dB%s\n", psnr, own ? "" : " (no negative control)");
	if (own)
		lab_detail("far end's camera on vkms (writeback) PSNR %.1f dB; own camera %.1f dB",
			   psnr, opsnr);
	else
		lab_detail("vivid -> x264 -> RTP -> lavc -> vkms; writeback vs camera PSNR %.1f dB",
			   psnr);
	vframe_unref(rgb);
	vframe_unref(orgb);
	free(shown);
	return lab_exit();
}

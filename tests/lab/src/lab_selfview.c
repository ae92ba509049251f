/* lab_selfview.c: self-view in the guest: vivid HDMI 720p30 (v4l2 driver) shown on vkms (kms
 * driver); the writeback readback must be the camera picture, pixel for pixel. Prints the
 * capture-to-flip latency of each frame (a figure, not a bound). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drv/media_drv.h"
#include "kms/kms.h"
#include "labutil.h"
#include "v4l2/v4l2.h"

#define FRAMES 20

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "vivid-001-vid-cap";
	struct vidsrc_params vp = { .width = 1280, .height = 720, .fps = 30 };
	struct vidsink_params kp = { .args = "mode=1280x720" };
	struct v4l2_cam *cam = NULL;
	struct kms_disp *d = NULL;
	struct vframe *last = NULL, *rb = NULL, *rgb = NULL;
	struct v4l2_cam_stats cs;
	uint64_t lat_sum = 0, lat_max = 0, lat_min = UINT64_MAX;
	char args[128];
	long bad = -1;
	int r, n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* latest=1: under TCG the display is slower than 30 fps; show the newest frame */
	snprintf(args, sizeof(args), "name=%s,prefer=NV12,latest=1", name);
	vp.args = args;
	r = v4l2_cam_open(&cam, &vp);
	LCHECK(r == 0, "camera %s: %s", name, strerror(-r));
	r = kms_disp_open(&d, &kp);
	LCHECK(r == 0, "display: %s", strerror(-r));
	if (!cam || !d)
		return lab_exit();
	struct timespec c0, c1;
	uint64_t w0 = lab_now_us(), w1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (int i = 0; i < FRAMES; i++) {
		struct vframe *f = NULL;
		uint64_t t;

		if (!LCHECK(v4l2_cam_read(cam, &f) == 0, "frame %d", i))
			break;
		if (!LCHECK(kms_disp_show(d, f) == 0, "show frame %d", i)) {
			vframe_unref(f);
			break;
		}
		if (kms_disp_wait(d, 1000) == 0 && kms_disp_last_flip(d, &t, NULL) == 0 && t > f->capture_us) {
			uint64_t l = t - f->capture_us;

			lat_sum += l;
			lat_max = l > lat_max ? l : lat_max;
			lat_min = l < lat_min ? l : lat_min;
			n++;
		}
		vframe_unref(last);
		last = f; /* zero-copy: keeps its V4L2 buffer until the next frame */
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	w1 = lab_now_us();
	/* a figure for the benchmark: this process's CPU (capture + convert + display) */
	printf("FIGURE selfview_cpu %.0f%% of one CPU, %.1f frames/s over %.1f s (TCG)\n",
	       ((c1.tv_sec - c0.tv_sec) * 1e6 + (c1.tv_nsec - c0.tv_nsec) / 1e3) * 100.0 /
		       (double)(w1 - w0 ? w1 - w0 : 1),
	       FRAMES * 1e6 / (double)(w1 - w0 ? w1 - w0 : 1), (w1 - w0) / 1e6);
	if (last && LCHECK(kms_disp_readback(d, &rb) == 0, "writeback readback")) {
		vframe_convert(&rgb, last, VFMT_XRGB8888);
		bad = 0;
		for (int y = 0; y < 720; y++)
			for (int x = 0; x < 1280; x++)
				bad += (((uint32_t *)(rb->data[0] + (size_t)y * rb->stride[0]))[x] & 0xffffff) !=
				       (((uint32_t *)(rgb->data[0] + (size_t)y * rgb->stride[0]))[x] & 0xffffff);
		lab_write_ppm(rb, "/mnt/out/selfview-writeback.ppm");
	}
	LCHECK(bad == 0, "display shows the camera's last frame: %ld px differ", bad);
	LCHECK(rb && lab_frame_hash(rb) != 0 && rgb && lab_frame_hash(rgb) == lab_frame_hash(rb),
	       "readback hash matches the frame");
	v4l2_cam_get_stats(cam, &cs);
	LCHECK(cs.copies == 0, "capture made no copies (%llu)", (unsigned long long)cs.copies);
	if (n)
		printf("FIGURE selfview_latency capture->flip over %d frames: min %.1f avg %.1f max %.1f ms (TCG)\n", n,
		       lat_min / 1e3, lat_sum / 1e3 / n, lat_max / 1e3);
	lab_detail("vivid %.4s 720p -> vkms 720p, readback exact (%ld px differ), capture->flip avg %.1f ms "
		   "(%llu stale frames skipped)",
		   (char *)&cs.fourcc, bad, n ? lat_sum / 1e3 / n : -1.0, (unsigned long long)cs.stale);
	vframe_unref(last);
	vframe_unref(rb);
	vframe_unref(rgb);
	kms_disp_close(d);
	v4l2_cam_close(cam);
	return lab_exit();
}

/* lab_v4l2.c: guest test of the v4l2 capture driver against vivid.
 *   lab_v4l2 capture NAME        HDMI input: 720p30 NV12 and YUYV, monotonic timestamps,
 *                                zero copies, DMABUF export, controls and presets
 *   lab_v4l2 vanish NAME PDEV    camera unbound mid-stream (-ENODEV), rebound: reopened
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "drv/media_drv.h"
#include "labutil.h"
#include "v4l2/v4l2.h"

#define NFRAMES 30

static int capture_fmt(const char *name, const char *fourcc, enum vfmt want, char *det, size_t dl)
{
	struct vidsrc_params p = { .width = 1280, .height = 720, .fps = 30 };
	struct v4l2_cam_stats st;
	struct v4l2_cam *cam = NULL;
	struct vframe *held[2] = { NULL, NULL };
	uint64_t prev = 0, first = 0, last = 0, h0 = 0, hl = 0, t0;
	char args[160];
	int r, mono = 1, zc = 1, dmabuf = 1, fresh = 1;

	snprintf(args, sizeof(args), "name=%s,prefer=%s,buffers=4", name, fourcc);
	p.args = args;
	r = v4l2_cam_open(&cam, &p);
	if (!LCHECK(r == 0, "open %s %s: %s", name, fourcc, strerror(-r)))
		return -1;
	v4l2_cam_get_stats(cam, &st);
	LCHECK(st.fourcc == v4l2_fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]),
	       "format %.4s (wanted %s)", (char *)&st.fourcc, fourcc);
	LCHECK(p.width == 1280 && p.height == 720, "size %dx%d", p.width, p.height);
	LCHECK(p.fmt == want, "frames handed out as %s", vfmt_name(p.fmt));
	LCHECK(st.nbufs >= 4, "%d mmap buffers", st.nbufs);
	printf("device %s (%s), interval %d/%d fps\n", st.path, st.card, st.fps_num, st.fps_den);
	t0 = lab_now_us();
	for (int i = 0; i < NFRAMES; i++) {
		struct vframe *f = NULL;
		uint64_t now;

		r = v4l2_cam_read(cam, &f);
		if (!LCHECK(r == 0, "read frame %d: %s", i, strerror(-r)))
			break;
		now = lab_now_us();
		/* vivid stamps the ideal frame schedule (end of frame): it may run up
		 * to a frame or two ahead of the reader under TCG */
		if (f->capture_us <= prev || f->capture_us > now + 100000 ||
		    now > f->capture_us + 1000000) {
			if (mono)
				printf("frame %d: capture_us %llu, previous %llu, now %llu\n", i,
				       (unsigned long long)f->capture_us, (unsigned long long)prev,
				       (unsigned long long)now);
			mono = 0;
		}
		if (!f->release || f->mem)
			zc = 0;
		if (f->dmabuf_fd < 0)
			dmabuf = 0;
		if (f->width != 1280 || f->height != 720 || f->fmt != want)
			fresh = 0;
		if (i == 0) {
			first = f->capture_us;
			h0 = lab_frame_hash(f);
		}
		last = f->capture_us;
		prev = f->capture_us;
		if (i == NFRAMES - 1) {
			hl = lab_frame_hash(f);
			if (want == VFMT_YUYV)
				lab_write_ppm(f, "/mnt/out/vivid-hdmi-frame.ppm");
		}
		/* keep two frames alive across reads: the queue must keep going */
		vframe_unref(held[i % 2]);
		held[i % 2] = f;
	}
	vframe_unref(held[0]);
	vframe_unref(held[1]);
	v4l2_cam_get_stats(cam, &st);
	LCHECK(mono, "timestamps CLOCK_MONOTONIC, increasing, within [now-1s, now+100ms]");
	LCHECK(st.ts_monotonic == st.frames, "%llu/%llu frames stamped by the driver (MONOTONIC flag)",
	       (unsigned long long)st.ts_monotonic, (unsigned long long)st.frames);
	LCHECK(zc && st.copies == 0, "zero copies (%llu copies)", (unsigned long long)st.copies);
	LCHECK(dmabuf && st.dmabuf_exports == (uint64_t)st.nbufs, "DMABUF fds on every frame");
	LCHECK(fresh, "every frame 1280x720 %s", vfmt_name(want));
	LCHECK(h0 != hl, "picture changes between frames (OSD)");
	LCHECK(st.requeues == st.frames, "all %llu buffers re-queued on release (%llu)",
	       (unsigned long long)st.frames, (unsigned long long)st.requeues);
	{
		double secs = (double)(last - first) / 1e6;
		double fps = secs > 0 ? (NFRAMES - 1) / secs : 0;

		printf("%s: %d frames, %.1f fps by timestamps, %.2f s wall\n", fourcc, NFRAMES, fps,
		       (double)(lab_now_us() - t0) / 1e6);
		snprintf(det, dl, "%s 720p %.1ffps copies=%llu", fourcc, fps,
			 (unsigned long long)st.copies);
	}
	v4l2_cam_close(cam);
	return 0;
}

static void controls(const char *name)
{
	struct vidsrc_params p = { .width = 1280, .height = 720, .fps = 30 };
	struct v4l2_cam *cam = NULL;
	struct vidsrc *src = NULL;
	struct vframe *f = NULL;
	char args[200];
	int v = -1, r;

	unlink("/tmp/presets");
	snprintf(args, sizeof(args), "name=%s,presets=/tmp/presets", name);
	p.args = args;
	r = v4l2_cam_open(&cam, &p);
	if (!LCHECK(r == 0, "open for controls: %s", strerror(-r)))
		return;
	LCHECK(v4l2_cam_control(cam, "brightness", 200) == 0, "set brightness 200");
	LCHECK(v4l2_cam_control_get(cam, "brightness", &v) == 0 && v == 200, "brightness reads %d", v);
	LCHECK(v4l2_cam_control(cam, "Test Pattern", 1) == 0, "control by V4L2 name 'Test Pattern'");
	LCHECK(v4l2_cam_control(cam, "no such control", 1) == -ENOENT, "unknown control: -ENOENT");
	LCHECK(v4l2_cam_preset_save(cam, 3) == 0, "save preset 3");
	LCHECK(v4l2_cam_control(cam, "brightness", 40) == 0, "set brightness 40");
	LCHECK(v4l2_cam_preset_recall(cam, 3) == 0, "recall preset 3");
	LCHECK(v4l2_cam_control_get(cam, "brightness", &v) == 0 && v == 200,
	       "brightness back to %d from the preset file", v);
	LCHECK(v4l2_cam_preset_recall(cam, 5) == -ENOENT, "missing preset: -ENOENT");
	v4l2_cam_close(cam);
	/* the contract path: the registry's first vidsrc driver is v4l2 */
	p = (struct vidsrc_params){ .width = 1280, .height = 720, .fps = 30, .args = args };
	r = vidsrc_open(&src, NULL, &p);
	if (LCHECK(r == 0, "vidsrc_open(NULL) picks v4l2: %s", strerror(-r))) {
		LCHECK(vidsrc_read(src, &f) == 0 && f->release, "vidsrc_read gives a zero-copy frame");
		LCHECK(vidsrc_control(src, "contrast", 100) == 0, "vidsrc_control contrast");
		vframe_unref(f);
		vidsrc_close(src);
	}
}

static int do_capture(const char *name)
{
	char d1[80] = "", d2[80] = "";

	capture_fmt(name, "NV12", VFMT_NV12, d1, sizeof(d1));
	capture_fmt(name, "YUYV", VFMT_YUYV, d2, sizeof(d2));
	controls(name);
	lab_detail("%s; %s; controls+presets", d1, d2);
	return lab_exit();
}

static int do_vanish(const char *name, const char *pdev)
{
	struct vidsrc_params p = { .width = 640, .height = 360, .fps = 25 };
	struct v4l2_cam_stats st;
	struct v4l2_cam *cam = NULL;
	struct vframe *f = NULL, *held = NULL;
	char args[160];
	int r, i, gone = 0;
	uint64_t t;

	snprintf(args, sizeof(args), "name=%s,prefer=YUYV,timeout_ms=1500", name);
	p.args = args;
	r = v4l2_cam_open(&cam, &p);
	if (!LCHECK(r == 0, "open %s: %s", name, strerror(-r)))
		return lab_exit();
	for (i = 0; i < 3; i++) {
		r = v4l2_cam_read(cam, &f);
		LCHECK(r == 0, "frame %d before unplug", i);
		vframe_unref(held);
		held = f;
	}
	LCHECK(lab_write_file("/sys/bus/platform/drivers/vivid/unbind", pdev) == 0, "unbind %s", pdev);
	t = lab_now_us();
	for (i = 0; i < 10 && !gone; i++) {
		r = v4l2_cam_read(cam, &f);
		if (r == 0)
			vframe_unref(f);
		else
			gone = r;
	}
	LCHECK(gone == -ENODEV, "read after unplug: %s (after %d frames, %.2fs)", strerror(-gone), i - 1,
	       (double)(lab_now_us() - t) / 1e6);
	/* a frame handed out before the unplug stays readable */
	LCHECK(held && held->data[0][0] == held->data[0][0] && held->width == 640, "held frame still mapped");
	held = vframe_unref(held);
	r = v4l2_cam_read(cam, &f);
	LCHECK(r == -ENODEV, "still gone: %s", strerror(-r));
	LCHECK(lab_write_file("/sys/bus/platform/drivers/vivid/bind", pdev) == 0, "bind %s", pdev);
	t = lab_now_us();
	r = -ENODEV;
	for (i = 0; i < 5 && r == -ENODEV; i++)
		r = v4l2_cam_read(cam, &f);
	if (LCHECK(r == 0, "frame after re-plug: %s", strerror(-r)))
		vframe_unref(f);
	v4l2_cam_get_stats(cam, &st);
	LCHECK(st.reopens == 1, "reopened once (%llu) as %s", (unsigned long long)st.reopens, st.path);
	lab_detail("unplug -> ENODEV, replug -> reopened %s in %.2fs", st.path,
		   (double)(lab_now_us() - t) / 1e6);
	v4l2_cam_close(cam);
	return lab_exit();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "capture"))
		return do_capture(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "vanish"))
		return do_vanish(argv[2], argv[3]);
	fprintf(stderr, "usage: lab_v4l2 capture NAME | vanish NAME PLATFORM-DEVICE\n");
	return 2;
}

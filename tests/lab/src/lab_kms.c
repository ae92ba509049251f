/* lab_kms.c: guest test of the kms display driver against vkms (writeback readback).
 *   lab_kms writeback   known frames (overlay plane, software composition, UI layer) read
 *                       back pixel-exact through the writeback connector
 *   lab_kms flips       page-flip events arrive with increasing timestamps (atomic, legacy)
 *   lab_kms hotplug     connector forced off/on through sysfs: output stops, mode set again
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/media_drv.h"
#include "kms/kms.h"
#include "labutil.h"

#define STATUS "/sys/class/drm/card0-Virtual-1/status"
/* forcing the status through sysfs sends no uevent on 6.1; a "change" written to the card's
 * uevent file makes the kernel emit the notice a real HDMI hotplug would */
#define UEVENT "/sys/class/drm/card0/uevent"

static struct vframe *pattern(int w, int h, int seed)
{
	struct vframe *f = NULL;

	if (vframe_new(&f, VFMT_XRGB8888, w, h) < 0)
		return NULL;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t bar = (uint32_t)(x * 8 / w), r = (bar & 1) ? 255 : (uint32_t)(x * 255 / w);
			uint32_t g = (bar & 2) ? 255 : (uint32_t)(y * 255 / h), b = (uint32_t)((x ^ y ^ seed) & 255);

			((uint32_t *)(f->data[0] + (size_t)y * f->stride[0]))[x] = r << 16 | g << 8 | b;
		}
	return f;
}

static uint32_t px(const struct vframe *f, int x, int y)
{
	return ((const uint32_t *)(f->data[0] + (size_t)y * f->stride[0]))[x] & 0xffffff;
}

/* pixels of rb differing from src placed at (x0,y0); outside src: expect `bg` */
static long diff(const struct vframe *rb, const struct vframe *src, int x0, int y0, uint32_t bg)
{
	long bad = 0;

	for (int y = 0; y < rb->height; y++)
		for (int x = 0; x < rb->width; x++) {
			bool in = src && x >= x0 && y >= y0 && x < x0 + src->width && y < y0 + src->height;
			uint32_t want = in ? px(src, x - x0, y - y0) : bg;

			if (px(rb, x, y) != want && bad++ < 3)
				printf("  (%d,%d): got %06x want %06x\n", x, y, px(rb, x, y), want);
		}
	return bad;
}

static int open_disp(struct kms_disp **d, const char *args)
{
	struct vidsink_params p = { .args = args };
	int r = kms_disp_open(d, &p);

	LCHECK(r == 0, "open display (%s): %s", args, strerror(-r));
	return r;
}

static int do_writeback(void)
{
	struct kms_disp *d = NULL;
	struct kms_disp_stats st;
	struct vframe *f = pattern(1280, 720, 0), *rb = NULL, *yuv = NULL, *rgb = NULL, *ui = NULL;
	long b1 = -1, b2 = -1, b3 = -1, b4 = -1;

	/* no mode asked: 1920x1080@60 is preferred over the connector's own preference */
	if (open_disp(&d, "") == 0) {
		kms_disp_get_stats(d, &st);
		LCHECK(st.width == 1920 && st.height == 1080 && st.refresh == 60, "default mode %s@%d",
		       st.mode_name, st.refresh);
		d = kms_disp_close(d);
	}
	if (open_disp(&d, "mode=1280x720") < 0)
		return lab_exit();
	kms_disp_get_stats(d, &st);
	LCHECK(st.atomic && st.width == 1280 && st.height == 720, "atomic modeset %s on %s (%d Hz)",
	       st.mode_name, st.connector, st.refresh);
	/* 1. a full-size XRGB frame: overlay plane */
	LCHECK(kms_disp_show(d, f) == 0, "show 1280x720 XRGB8888");
	LCHECK(kms_disp_readback(d, &rb) == 0, "writeback readback");
	kms_disp_get_stats(d, &st);
	if (rb)
		b1 = diff(rb, f, 0, 0, 0);
	LCHECK(b1 == 0 && st.overlay, "frame on the overlay plane reads back exact (%ld px differ)", b1);
	if (rb)
		lab_write_ppm(rb, "/mnt/out/kms-writeback.ppm");
	rb = vframe_unref(rb);
	/* 2. a smaller YUYV frame: overlay at its own size, centred, black around */
	vframe_convert(&yuv, f, VFMT_YUYV);
	yuv->width = 640; /* the top-left 640x360 of the picture, same stride */
	yuv->height = 360;
	vframe_convert(&rgb, yuv, VFMT_XRGB8888);
	LCHECK(kms_disp_show(d, yuv) == 0, "show 640x360 YUYV");
	if (kms_disp_readback(d, &rb) == 0)
		b2 = diff(rb, rgb, 320, 180, 0);
	LCHECK(b2 == 0, "640x360 YUYV centred on the overlay, black around: %ld px differ", b2);
	rb = vframe_unref(rb);
	kms_disp_close(d);
	/* 3. no overlay: software composition into the primary plane, UI layer on top */
	if (open_disp(&d, "mode=1280x720,overlay=0") == 0) {
		struct vframe *nv = NULL, *nvrgb = NULL;

		vframe_convert(&nv, f, VFMT_NV12);
		vframe_convert(&nvrgb, nv, VFMT_XRGB8888);
		LCHECK(kms_disp_show(d, nv) == 0, "show 1280x720 NV12 (composed)");
		if (kms_disp_readback(d, &rb) == 0)
			b3 = diff(rb, nvrgb, 0, 0, 0);
		kms_disp_get_stats(d, &st);
		LCHECK(b3 == 0 && !st.overlay && st.composed == 1, "composed NV12 frame exact: %ld px differ", b3);
		rb = vframe_unref(rb);
		/* UI: transparent except an opaque 64x64 square at (100,80) */
		vframe_new(&ui, VFMT_XRGB8888, 1280, 720);
		memset(ui->data[0], 0, (size_t)ui->stride[0] * 720);
		for (int y = 80; y < 144; y++)
			for (int x = 100; x < 164; x++)
				((uint32_t *)(ui->data[0] + (size_t)y * ui->stride[0]))[x] = 0xffff00ffu;
		kms_disp_set_ui(d, ui);
		kms_disp_show(d, nv);
		b4 = -1;
		if (kms_disp_readback(d, &rb) == 0) {
			b4 = 0;
			for (int y = 0; y < 720; y++)
				for (int x = 0; x < 1280; x++) {
					bool sq = x >= 100 && x < 164 && y >= 80 && y < 144;

					b4 += px(rb, x, y) != (sq ? 0xff00ffu : px(nvrgb, x, y));
				}
		}
		LCHECK(b4 == 0, "UI square over the composed video: %ld px differ", b4);
		rb = vframe_unref(rb);
		vframe_unref(nv);
		vframe_unref(nvrgb);
		kms_disp_close(d);
	}
	vframe_unref(ui);
	vframe_unref(f);
	vframe_unref(yuv);
	vframe_unref(rgb);
	lab_detail("writeback exact: overlay %ld, centred YUYV %ld, composed NV12 %ld, UI %ld px differ", b1,
		   b2, b3, b4);
	return lab_exit();
}

static int flips(const char *args, int n, double *hz)
{
	struct kms_disp *d = NULL;
	struct kms_disp_stats st;
	struct vframe *f[2] = { pattern(1280, 720, 1), pattern(1280, 720, 99) };
	uint64_t prev = 0, first = 0, t;
	uint32_t seq = 0, pseq = 0, fseq = 0;
	int inc = 1, got = 0;
	double period = 0;

	if (open_disp(&d, args) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!LCHECK(kms_disp_show(d, f[i & 1]) == 0, "show %d", i))
			break;
		if (kms_disp_wait(d, 1000) < 0 || kms_disp_last_flip(d, &t, &seq) < 0)
			continue;
		got++;
		if (i == 0)
			first = t, fseq = seq;
		else if (t <= prev || seq <= pseq)
			inc = 0;
		prev = t;
		pseq = seq;
	}
	kms_disp_get_stats(d, &st);
	LCHECK(got == n && st.flips == (uint64_t)n, "%s: %d flip events for %d frames", st.atomic ? "atomic" : "legacy",
	       (int)st.flips, n);
	LCHECK(inc, "flip timestamps and vblank sequence increase");
	*hz = prev > first ? (n - 1) * 1e6 / (double)(prev - first) : 0;
	/* under TCG the program cannot keep up with every vblank, but each
	 * flip must land on the mode's vblank grid: the kernel's timestamps
	 * per vblank counted give the mode's period */
	period = pseq > fseq ? (double)(prev - first) / (double)(pseq - fseq) : 0;
	LCHECK(st.refresh > 0 && fabs(period * st.refresh / 1e6 - 1) < 0.02,
	       "flips on the vblank grid: %.3f ms per vblank, mode %d Hz", period / 1000, st.refresh);
	printf("%s: %d flips, %.1f Hz by flip timestamps over %u vblanks of %.3f ms (mode %d Hz; waits each flip)\n",
	       st.atomic ? "atomic" : "legacy", n, *hz, pseq - fseq, period / 1000, st.refresh);
	kms_disp_close(d);
	vframe_unref(f[0]);
	vframe_unref(f[1]);
	return 0;
}

static int do_flips(void)
{
	double a = 0, l = 0;

	flips("mode=1280x720", 60, &a);
	flips("mode=1280x720,legacy=1", 20, &l);
	lab_detail("atomic 60 flips at %.1f Hz, legacy 20 flips at %.1f Hz under TCG, each on the mode's vblank grid (kernel timestamps per vblank = the mode period)", a, l);
	return lab_exit();
}

static int wait_hotplug(struct kms_disp *d, bool want, const char **how)
{
	struct kms_disp_stats st;
	struct pollfd p = { .fd = kms_disp_uevent_fd(d), .events = POLLIN };
	uint64_t end = lab_now_us() + 1000000;

	*how = "uevent";
	do {
		if (p.fd >= 0 && poll(&p, 1, 200) > 0)
			kms_disp_dispatch(d);
		kms_disp_get_stats(d, &st);
	} while (st.connected != want && lab_now_us() < end);
	if (st.connected != want) {
		*how = "re-probe (no uevent)";
		kms_disp_check_hotplug(d);
		kms_disp_get_stats(d, &st);
	}
	return st.connected == want ? 0 : -1;
}

static int do_hotplug(void)
{
	struct kms_disp *d = NULL;
	struct kms_disp_stats st;
	struct vframe *f = pattern(1280, 720, 7), *rb = NULL;
	const char *how1 = "", *how2 = "";
	long bad = -1;
	int r;

	if (open_disp(&d, "mode=1280x720") < 0)
		return lab_exit();
	LCHECK(kms_disp_show(d, f) == 0, "show before unplug");
	LCHECK(kms_disp_readback(d, &rb) == 0, "readback before unplug (writeback connector attached)");
	rb = vframe_unref(rb);
	LCHECK(lab_write_file(STATUS, "off") == 0, "force %s off", STATUS);
	lab_write_file(UEVENT, "change");
	LCHECK(wait_hotplug(d, false, &how1) == 0, "disconnect seen by %s", how1);
	r = kms_disp_show(d, f);
	kms_disp_get_stats(d, &st);
	LCHECK(r == 0 && st.dropped == 1, "frame while unplugged is dropped (%d, %llu)", r,
	       (unsigned long long)st.dropped);
	r = kms_disp_readback(d, &rb);
	LCHECK(r == -ENOTCONN, "no readback while unplugged: %s", strerror(-r));
	LCHECK(lab_write_file(STATUS, "on") == 0, "force %s on", STATUS);
	lab_write_file(UEVENT, "change");
	LCHECK(wait_hotplug(d, true, &how2) == 0, "reconnect seen by %s", how2);
	LCHECK(kms_disp_show(d, f) == 0, "show after replug");
	if (kms_disp_readback(d, &rb) == 0)
		bad = diff(rb, f, 0, 0, 0);
	LCHECK(bad == 0, "picture back after replug: %ld px differ", bad);
	kms_disp_get_stats(d, &st);
	LCHECK(st.hotplugs == 2, "2 connector changes (%llu), %llu uevents", (unsigned long long)st.hotplugs,
	       (unsigned long long)st.uevents);
	lab_write_file(STATUS, "detect");
	lab_detail("unplug via %s, replug via %s, mode set again, picture exact", how1, how2);
	vframe_unref(rb);
	vframe_unref(f);
	kms_disp_close(d);
	return lab_exit();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "writeback"))
		return do_writeback();
	if (argc >= 2 && !strcmp(argv[1], "flips"))
		return do_flips();
	if (argc >= 2 && !strcmp(argv[1], "hotplug"))
		return do_hotplug();
	fprintf(stderr, "usage: lab_kms writeback|flips|hotplug\n");
	return 2;
}

/* main.c: rakwon-codecbench: time the software video codecs on the test pattern.
 *
 * usage: rakwon-codecbench [-s WxH] [-n frames] [-b kbps] [-p preset] [-t threads]
 *                          [-d decoder-threads]
 * Encodes frames of the testsrc pattern with x264 (same settings as the
 * terminal: zerolatency, one-frame VBV), decodes them with lavc, and prints the
 * mean CPU and wall time per frame of each stage, the bitrate and the PSNR.
 * Generating the pattern is not counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drv/frame_metrics.h"
#include "drv/media_drv.h"
#include "lib/base/clock.h"

static uint64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	int w = 1280, h = 720, n = 150, kbps = 2000, threads = 1, dthreads = 1, c, r;
	const char *preset = "superfast";
	char eargs[64], dargs[32];
	uint64_t enc_cpu = 0, enc_wall = 0, dec_cpu = 0, dec_wall = 0, bytes = 0;
	double psnr = 0;
	int decoded = 0;
	struct vidsrc *src;
	struct venc *enc;
	struct vdec *dec;

	while ((c = getopt(argc, argv, "s:n:b:p:t:d:")) != -1) {
		switch (c) {
		case 's':
			if (sscanf(optarg, "%dx%d", &w, &h) != 2)
				return 2;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'b':
			kbps = atoi(optarg);
			break;
		case 'p':
			preset = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'd':
			dthreads = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-s WxH] [-n frames] [-b kbps] [-p preset] [-t threads] [-d dec-threads]\n",
				argv[0]);
			return 2;
		}
	}
	snprintf(eargs, sizeof(eargs), "preset=%s", preset);
	snprintf(dargs, sizeof(dargs), "threads=%d", dthreads);
	struct vidsrc_params sp = { .width = w, .height = h, .fps = 30, .args = "realtime=0" };
	struct venc_params ep = { .width = w, .height = h, .fps = 30, .bitrate_kbps = kbps,
				  .profile = VENC_PROFILE_CONSTRAINED_BASELINE, .threads = threads,
				  .args = eargs };
	struct vdec_params dp = { .args = dargs };

	r = vidsrc_open(&src, "testsrc", &sp);
	if (r == 0)
		r = venc_open(&enc, "x264", &ep);
	if (r == 0)
		r = vdec_open(&dec, "lavc", &dp);
	if (r < 0) {
		fprintf(stderr, "open: %s\n", strerror(-r));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct vframe *f, *d;
		struct mpkt *p;
		uint64_t c0, t0;

		if (vidsrc_read(src, &f) < 0)
			return 1;
		c0 = cpu_us();
		t0 = clock_now_us();
		r = venc_send_frame(enc, f);
		if (r < 0 || venc_receive_packet(enc, &p) < 0) {
			fprintf(stderr, "encode failed\n");
			return 1;
		}
		enc_cpu += cpu_us() - c0;
		enc_wall += clock_now_us() - t0;
		bytes += p->len;
		c0 = cpu_us();
		t0 = clock_now_us();
		r = vdec_send_packet(dec, p);
		if (r == 0)
			r = vdec_receive_frame(dec, &d);
		dec_cpu += cpu_us() - c0;
		dec_wall += clock_now_us() - t0;
		if (r == 0) {
			psnr += vframe_psnr(d, f);
			decoded++;
			vframe_unref(d);
		}
		mpkt_unref(p);
		vframe_unref(f);
	}
	printf("%dx%d x264 preset=%s threads=%d, %d frames at %d kbit/s target:\n", w, h, preset,
	       threads, n, kbps);
	printf("  encode: %.2f ms/frame wall, %.2f ms/frame CPU (all threads)\n",
	       enc_wall / 1000.0 / n, enc_cpu / 1000.0 / n);
	printf("  decode: %.2f ms/frame wall, %.2f ms/frame CPU (lavc threads=%d)\n",
	       dec_wall / 1000.0 / n, dec_cpu / 1000.0 / n, dthreads);
	printf("  bitrate %.0f kbit/s, PSNR %.2f dB over %d decoded frames\n",
	       bytes * 8.0 * 30 / n / 1000, decoded ? psnr / decoded : 0, decoded);
	vdec_close(dec);
	venc_close(enc);
	vidsrc_close(src);
	return 0;
}

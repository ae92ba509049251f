/* main.c: rakwon-media, a media session from SDP files, so that other
 * software (GStreamer, another rakwon-media) can be the far end.
 *
 *   rakwon-media --local L.sdp --remote R.sdp [options]
 *
 * Options:
 *   --duration S        stop after S seconds (default: until SIGINT/SIGTERM)
 *   --size WxH --fps N --vbitrate KBPS --high      video encoding
 *   --abitrate BPS --ptime 10|20 --fec --dtx      audio encoding
 *   --vidsrc NAME --vidsrc-args A  --audsrc NAME --audsrc-args A
 *   --vidsink NAME --vidsink-args A  --audsink NAME --audsink-args A
 *   --frame-log FILE    one line per sent/rendered frame (stage timestamps)
 *   --check-testsrc     read the stamp of decoded frames, PSNR vs. the pattern
 *   --stats FILE        final statistics as JSON (default: stdout)
 *   --stop-on-bye       end when the far end sends RTCP BYE
 *   --log SPEC          log levels, e.g. "info,media=debug"
 *   --aec --ns --agc    room audio processing of the microphone (app/audio)
 *   --audio-level-ext ID  send the RFC 6464 audio level extension with this id
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/loop/wq.h"
#include "media/msess.h"
#include "sdpfile.h"

LOG_TOPIC(main);

struct app {
	struct loop *loop;
	struct msess *sess;
	struct loop_timer end;
	bool stop_on_bye;
};

static void on_signal(struct loop *l, int signo, void *arg)
{
	loop_quit(l, 0);
}

static void on_end(struct loop *l, struct loop_timer *t, void *arg)
{
	loop_quit(l, 0);
}

static void on_event(struct wq *q, const struct wq_item *it, void *arg)
{
	struct app *a = arg;
	static const char *const names[] = { "first-video", "first-audio", "keyframe-sent",
					     "rtp-timeout", "bye", "error" };

	if (it->type >= 0 && it->type < MSESS_EV_MAX)
		log_info(main, "event %s (%lld)", names[it->type], (long long)it->val);
	if (it->type == MSESS_EV_BYE && a->stop_on_bye)
		loop_quit(a->loop, 0);
}

static void usage(void)
{
	fprintf(stderr, "usage: rakwon-media --local L.sdp --remote R.sdp [--duration S] "
			"[--size WxH] [--fps N] [--vbitrate KBPS] [--high] [--abitrate BPS] "
			"[--ptime 10|20] [--fec] [--dtx] [--vidsrc N] [--vidsrc-args A] "
			"[--audsrc N] [--audsrc-args A] [--vidsink N] [--vidsink-args A] "
			"[--audsink N] [--audsink-args A] [--frame-log F] [--check-testsrc] "
			"[--stats F] [--stop-on-bye] [--log SPEC] [--aec] [--ns] [--agc] [--audio-level-ext ID]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "local", 1, 0, 'l' }, { "remote", 1, 0, 'r' }, { "duration", 1, 0, 'd' },
		{ "size", 1, 0, 's' }, { "fps", 1, 0, 'f' }, { "vbitrate", 1, 0, 'b' },
		{ "high", 0, 0, 'H' }, { "abitrate", 1, 0, 'B' }, { "ptime", 1, 0, 'p' },
		{ "fec", 0, 0, 'F' }, { "dtx", 0, 0, 'D' }, { "vidsrc", 1, 0, 1 },
		{ "vidsrc-args", 1, 0, 2 }, { "audsrc", 1, 0, 3 }, { "audsrc-args", 1, 0, 4 },
		{ "vidsink", 1, 0, 5 }, { "vidsink-args", 1, 0, 6 }, { "audsink", 1, 0, 7 },
		{ "audsink-args", 1, 0, 8 }, { "frame-log", 1, 0, 9 }, { "check-testsrc", 0, 0, 10 },
		{ "stats", 1, 0, 11 }, { "stop-on-bye", 0, 0, 12 }, { "log", 1, 0, 13 },
		{ "cname", 1, 0, 14 }, { "aec", 0, 0, 15 }, { "ns", 0, 0, 16 }, { "agc", 0, 0, 17 },
		{ "audio-level-ext", 1, 0, 18 },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct msess_params p = { .cname = "rakwon-media" };
	const char *local = NULL, *remote = NULL, *stats_path = NULL;
	struct app a = { 0 };
	struct msess_stats st;
	struct wq *q = NULL;
	double duration = 0;
	char err[256] = "", json[4096];
	int c, r, w = 1280, h = 720, fps = 30, kbps = 2000, abps = 64000, ptime = 20;
	bool high = false, fec = false, dtx = false;
	int level_ext = 0;

	p.dev.vidsrc = "testsrc";
	p.dev.audsrc = "tone";
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': local = optarg; break;
		case 'r': remote = optarg; break;
		case 'd': duration = atof(optarg); break;
		case 's':
			if (sscanf(optarg, "%dx%d", &w, &h) != 2) {
				usage();
				return 2;
			}
			break;
		case 'f': fps = atoi(optarg); break;
		case 'b': kbps = atoi(optarg); break;
		case 'H': high = true; break;
		case 'B': abps = atoi(optarg); break;
		case 'p': ptime = atoi(optarg); break;
		case 'F': fec = true; break;
		case 'D': dtx = true; break;
		case 1: p.dev.vidsrc = optarg; break;
		case 2: p.dev.vidsrc_args = optarg; break;
		case 3: p.dev.audsrc = optarg; break;
		case 4: p.dev.audsrc_args = optarg; break;
		case 5: p.dev.vidsink = optarg; break;
		case 6: p.dev.vidsink_args = optarg; break;
		case 7: p.dev.audsink = optarg; break;
		case 8: p.dev.audsink_args = optarg; break;
		case 9: p.frame_log = optarg; break;
		case 10: p.check_testsrc = true; break;
		case 11: stats_path = optarg; break;
		case 12: a.stop_on_bye = true; break;
		case 13:
			if (log_set_spec(optarg) < 0) {
				fprintf(stderr, "rakwon-media: bad --log spec \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 14: p.cname = optarg; break;
		case 15: p.aproc.aec = true; break;
		case 16: p.aproc.ns = true; break;
		case 17: p.aproc.agc = true; break;
		case 18: level_ext = atoi(optarg); break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (!local || !remote) {
		usage();
		return 2;
	}
	r = sdpfile_load(local, remote, &p, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "rakwon-media: %s\n", err);
		return 1;
	}
	p.video.width = w;
	p.video.height = h;
	p.video.fps = fps;
	p.video.bitrate_kbps = kbps;
	p.video.high_profile = high;
	p.audio.frame_ms = ptime;
	p.audio.bitrate_bps = abps;
	p.audio.fec = fec;
	p.audio.dtx = dtx;
	p.audio.channels = 1;
	if (level_ext < 0 || level_ext > 14) {
		usage();
		return 2;
	}
	p.audio.level_ext_id = (uint8_t)level_ext;
	if ((r = loop_new(&a.loop)) < 0 || (r = wq_new(&q, 64)) < 0 ||
	    (r = wq_attach(q, a.loop, on_event, &a)) < 0 ||
	    (r = loop_signal_add(a.loop, SIGINT, on_signal, &a)) < 0 ||
	    (r = loop_signal_add(a.loop, SIGTERM, on_signal, &a)) < 0) {
		fprintf(stderr, "rakwon-media: setup: %s\n", strerror(-r));
		return 1;
	}
	r = msess_new(&a.sess, &p);
	if (r < 0) {
		fprintf(stderr, "rakwon-media: session: %s\n", strerror(-r));
		return 1;
	}
	r = msess_start(a.sess, q);
	if (r < 0) {
		fprintf(stderr, "rakwon-media: start: %s\n", strerror(-r));
		msess_free(a.sess);
		return 1;
	}
	if (duration > 0)
		loop_timer_start(a.loop, &a.end, (uint64_t)(duration * 1e6), 0, on_end, &a);
	loop_run(a.loop);
	msess_stop(a.sess);
	msess_get_stats(a.sess, &st);
	if (msess_stats_json(&st, json, sizeof(json)) == 0) {
		FILE *f = stats_path ? fopen(stats_path, "we") : stdout;

		if (f) {
			fprintf(f, "%s\n", json);
			if (f != stdout)
				fclose(f);
		}
	}
	msess_free(a.sess);
	loop_timer_stop(a.loop, &a.end);
	wq_free(q, NULL, NULL);
	loop_free(a.loop);
	return 0;
}

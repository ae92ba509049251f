/* lab_alsa.c: guest test of the alsa drivers against snd-aloop and snd-dummy.
 *   lab_alsa tone    a 1 kHz tone played into hw:Loopback,0,0 is found, sample-exact, in the
 *                    capture of hw:Loopback,1,0 (through the audsrc/audsink contracts)
 *   lab_alsa xrun    capture overrun and playback underrun are recovered and counted
 *   lab_alsa mixer   volume and mute through the simple mixer (snd-dummy's Master)
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alsa/alsa.h"
#include "drv/media_drv.h"
#include "labutil.h"
#include "lib/base/cleanup.h"

#define RATE 48000
#define PERIOD 480
#define PLAY_PERIODS 100
#define CAP_PERIODS 250

static int16_t tone_sample(long i)
{
	/* 1 kHz at -6 dBFS plus a ramp in the low bits, exactly periodic (48 samples) */
	return (int16_t)(16384.0 * sin(2 * M_PI * (double)(i % 48) / 48)) ^ (int16_t)(i & 7);
}

static void *play_thread(void *arg)
{
	struct audsink *sink = arg;
	struct aframe *f = NULL;
	long n = 0;

	if (aframe_new(&f, RATE, 2, PERIOD) < 0)
		return (void *)-1;
	for (int p = 0; p < PLAY_PERIODS; p++) {
		for (int i = 0; i < PERIOD; i++, n++)
			f->pcm[2 * i] = f->pcm[2 * i + 1] = tone_sample(n);
		if (audsink_write(sink, f) < 0) {
			aframe_unref(f);
			return (void *)-1;
		}
	}
	aframe_unref(f);
	return NULL;
}

/* samples of cap (stereo, both channels) equal to the tone at a consistent phase; a break
 * re-synchronises on the next 48 matching samples. Returns the total, *longest the longest run. */
static int tone_match(const int16_t *cap, int from, int n, int *longest)
{
	int total = 0, run = 0, phase = -1;

	*longest = 0;
	for (int i = from; i < n; i++) {
		if (phase >= 0 && cap[2 * i] == tone_sample(i + phase) && cap[2 * i + 1] == cap[2 * i]) {
			total++;
			run++;
			*longest = MAX(*longest, run);
			continue;
		}
		phase = -1;
		run = 0;
		for (int p = 0; p < 48 && phase < 0 && i + 48 <= n; p++) {
			int k = 0;

			while (k < 48 && cap[2 * (i + k)] == tone_sample(i + k + p))
				k++;
			if (k == 48)
				phase = p;
		}
		if (phase >= 0)
			i--; /* count this sample in the new run */
	}
	return total;
}

static double goertzel(const int16_t *s, int n, int stride, double freq)
{
	double k = 2 * cos(2 * M_PI * freq / RATE), a = 0, b = 0;

	for (int i = 0; i < n; i++) {
		double c = s[i * stride] + k * a - b;

		b = a;
		a = c;
	}
	return a * a + b * b - k * a * b;
}

static int do_tone(void)
{
	struct audsrc_params sp = { .rate = RATE, .channels = 2, .frame_samples = PERIOD,
				    .args = "device=hw:Loopback,1,0,periods=8" };
	struct audsink_params kp = { .rate = RATE, .channels = 2,
				     .args = "device=hw:Loopback,0,0,periods=8" };
	struct audsrc *src = NULL;
	struct audsink *sink = NULL;
	int16_t *cap = calloc((size_t)CAP_PERIODS * PERIOD * 2, sizeof(int16_t));
	pthread_t th;
	void *tr = NULL;
	int r, start = -1, exact = 0, longest = 0, n = 0;
	uint64_t prev_ts = 0, mono = 1;

	r = audsrc_open(&src, "alsa", &sp);
	LCHECK(r == 0, "open capture hw:Loopback,1,0: %s", strerror(-r));
	r = audsink_open(&sink, "alsa", &kp);
	LCHECK(r == 0, "open playback hw:Loopback,0,0: %s", strerror(-r));
	if (!src || !sink || !cap)
		return lab_exit();
	pthread_create(&th, NULL, play_thread, sink);
	for (int p = 0; p < CAP_PERIODS; p++) {
		struct aframe *f = NULL;

		r = audsrc_read(src, &f);
		if (!LCHECK(r == 0, "read period %d", p))
			break;
		if (f->samples != PERIOD || f->channels != 2)
			r = -EINVAL;
		if (f->capture_us <= prev_ts)
			mono = 0;
		prev_ts = f->capture_us;
		memcpy(cap + (size_t)p * PERIOD * 2, f->pcm, sizeof(int16_t) * PERIOD * 2);
		aframe_unref(f);
		n++;
	}
	pthread_join(th, &tr);
	LCHECK(tr == NULL, "playback thread wrote %d periods", PLAY_PERIODS);
	LCHECK(mono, "capture timestamps increase");
	{
		int nz = 0, mx = 0;

		for (int i = 0; i < n * PERIOD * 2; i++) {
			nz += cap[i] != 0;
			mx = MAX(mx, abs(cap[i]));
		}
		printf("captured %d periods: %d non-zero samples, peak %d\n", n, nz, mx);
	}
	for (int i = 0; i < n * PERIOD; i++)
		if (cap[2 * i] != 0) {
			start = i > 0 ? i - 1 : 0; /* the tone's sample 0 is 0 */
			break;
		}
	if (LCHECK(start >= 0, "tone found at capture sample %d (%.1f ms)", start, start / 48.0)) {
		double on, off;

		exact = tone_match(cap, start, n * PERIOD, &longest);
		/* the tone repeats every 48 samples, so matching is per phase; an xrun under
		 * TCG (the guest's threads can stall past the 80 ms ring) breaks a run */
		LCHECK(longest >= 4800, "longest bit-exact run %d samples (>= 100 ms)", longest);
		printf("%d/%d samples bit-exact in all\n", exact, PLAY_PERIODS * PERIOD);
		on = goertzel(cap + 2 * start, 4800, 2, 1000.0);
		off = goertzel(cap + 2 * start, 4800, 2, 3000.0);
		LCHECK(on > 1000 * off, "1 kHz energy %.3g vs 3 kHz %.3g", on, off);
	}
	audsink_close(sink);
	audsrc_close(src);
	free(cap);
	lab_detail("1 kHz tone via aloop found after %.1f ms, %d samples bit-exact (longest run %d)",
		   start / 48.0, exact, longest);
	return lab_exit();
}

static int do_xrun(void)
{
	struct audsrc_params sp = { .rate = RATE, .channels = 2, .frame_samples = PERIOD,
				    .args = "device=hw:Loopback,1,1" };
	struct audsink_params kp = { .rate = RATE, .channels = 2, .args = "device=hw:Dummy,0,0" };
	struct alsa_pcm *cap = NULL, *play = NULL;
	struct alsa_pcm_stats cs, ps;
	struct aframe *f = NULL;
	int r, ok = 1;

	r = alsa_pcm_open_capture(&cap, &sp);
	LCHECK(r == 0, "open capture: %s", strerror(-r));
	r = alsa_pcm_open_playback(&play, &kp);
	LCHECK(r == 0, "open playback hw:Dummy: %s", strerror(-r));
	if (!cap || !play)
		return lab_exit();
	for (int i = 0; i < 5; i++) {
		r = alsa_pcm_read(cap, &f);
		ok &= r == 0;
		f = aframe_unref(f);
	}
	usleep(300000); /* 300 ms without reading: the 40 ms ring overruns */
	for (int i = 0; i < 5; i++) {
		r = alsa_pcm_read(cap, &f);
		ok &= r == 0;
		f = aframe_unref(f);
	}
	alsa_pcm_get_stats(cap, &cs);
	LCHECK(ok, "capture reads before and after the overrun succeed");
	LCHECK(cs.xruns >= 1, "capture overrun recovered (%llu xruns)", (unsigned long long)cs.xruns);
	aframe_new(&f, RATE, 2, PERIOD);
	memset(f->pcm, 0, sizeof(int16_t) * PERIOD * 2);
	ok = 1;
	for (int i = 0; i < 6; i++)
		ok &= alsa_pcm_write(play, f) == 0;
	usleep(300000); /* nothing written for 300 ms: underrun */
	for (int i = 0; i < 6; i++)
		ok &= alsa_pcm_write(play, f) == 0;
	aframe_unref(f);
	alsa_pcm_get_stats(play, &ps);
	LCHECK(ok, "playback writes before and after the underrun succeed");
	LCHECK(ps.xruns >= 1, "playback underrun recovered (%llu xruns)", (unsigned long long)ps.xruns);
	alsa_pcm_close(cap);
	alsa_pcm_close(play);
	lab_detail("overrun: %llu xrun recovered; underrun: %llu recovered; period %d frames, buffer %d",
		   (unsigned long long)cs.xruns, (unsigned long long)ps.xruns, cs.period_frames,
		   cs.buffer_frames);
	return lab_exit();
}

static int do_mixer(void)
{
	struct audsink_params kp = { .rate = RATE, .channels = 2, .args = "device=hw:Dummy,0,0,mixer=Master" };
	struct alsa_pcm *play = NULL;
	int r, v = -1, v30 = -1;
	bool m = false;

	r = alsa_pcm_open_playback(&play, &kp);
	if (!LCHECK(r == 0, "open hw:Dummy,0,0: %s", strerror(-r)))
		return lab_exit();
	LCHECK(alsa_pcm_set_volume(play, 30) == 0, "set volume 30%%");
	LCHECK(alsa_pcm_get_volume(play, &v) == 0 && abs(v - 30) <= 2, "volume reads %d%%", v);
	v30 = v;
	LCHECK(alsa_pcm_set_volume(play, 100) == 0 && alsa_pcm_get_volume(play, &v) == 0 && v == 100,
	       "volume 100%% reads %d%%", v);
	LCHECK(alsa_pcm_set_mute(play, true) == 0 && alsa_pcm_get_mute(play, &m) == 0 && m, "muted");
	LCHECK(alsa_pcm_set_mute(play, false) == 0 && alsa_pcm_get_mute(play, &m) == 0 && !m, "unmuted");
	alsa_pcm_close(play);
	lab_detail("snd-dummy Master: volume 30%% -> %d%%, mute/unmute", v30);
	return lab_exit();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "tone"))
		return do_tone();
	if (argc >= 2 && !strcmp(argv[1], "xrun"))
		return do_xrun();
	if (argc >= 2 && !strcmp(argv[1], "mixer"))
		return do_mixer();
	fprintf(stderr, "usage: lab_alsa tone|xrun|mixer\n");
	return 2;
}

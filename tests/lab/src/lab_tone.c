/* lab_tone.c: audio ends of the lab's terminal call: play a beeping tone into an
 * ALSA device (a terminal's microphone through snd-aloop) and find a tone in
 * what an ALSA device captures or in a WAV file (what a terminal played).
 *
 *   lab_tone play DEVICE FREQ SECS     250 ms beeps with 250 ms pauses, -12 dBFS, mono 48 kHz
 *   lab_tone listen DEVICE FREQ SECS   capture for SECS (or until SIGTERM), then analyse
 *   lab_tone wav FILE FREQ             analyse a 16-bit WAV file
 * Analysis: 20 ms blocks; a block "has the tone" when it is above -50 dBFS and
 * at least half its energy is at FREQ (Goertzel). Exit 0 when at least 25
 * blocks (0.5 s) have it. Mono, as the terminal's audio path is.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drv/media_drv.h"
#include "lib/base/cleanup.h"
#include "labutil.h"

#define RATE 48000
#define PERIOD 480
#define BLOCK 960
#define MAX_SECS 120

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static double goertzel(const int16_t *s, int n, double freq)
{
	double k = 2 * cos(2 * M_PI * freq / RATE), a = 0, b = 0;

	for (int i = 0; i < n; i++) {
		double c = s[i] + k * a - b;

		b = a;
		a = c;
	}
	return a * a + b * b - k * a * b;
}

static int analyse(const int16_t *s, long n, double freq, const char *what)
{
	int blocks = 0, tone = 0, loud = 0;
	double peak_db = -120;

	for (long i = 0; i + BLOCK <= n; i += BLOCK) {
		double e = 0, db, frac;

		for (int k = 0; k < BLOCK; k++)
			e += (double)s[i + k] * s[i + k];
		blocks++;
		db = e > 0 ? 10 * log10(e / BLOCK / (32768.0 * 32768.0)) : -120;
		peak_db = MAX(peak_db, db);
		if (db < -50)
			continue;
		loud++;
		frac = 2 * goertzel(s + i, BLOCK, freq) / ((double)BLOCK * e);
		if (frac >= 0.5)
			tone++;
	}
	printf("%s: %d blocks of 20 ms, %d above -50 dBFS, %d with the %.0f Hz tone, loudest %.1f dBFS\n",
	       what, blocks, loud, tone, freq, peak_db);
	LCHECK(tone >= 25, "%s: %.0f Hz tone in %d blocks (>= 25)", what, freq, tone);
	lab_detail("%s: %.0f Hz tone in %.2f s of %.1f s, loudest %.1f dBFS", what, freq, tone * 0.02,
		   blocks * 0.02, peak_db);
	return lab_exit();
}

static int do_play(const char *dev, double freq, int secs)
{
	char args[128];
	struct audsink_params kp = { .rate = RATE, .channels = 1, .args = args };
	struct audsink *sink = NULL;
	struct aframe *f = NULL;
	long n = 0;
	int r, errs = 0;

	snprintf(args, sizeof(args), "device=%s,period_ms=10,periods=16", dev);
	r = audsink_open(&sink, "alsa", &kp);
	if (!LCHECK(r == 0, "open playback %s: %s", dev, strerror(-r)))
		return lab_exit();
	if (aframe_new(&f, RATE, 1, PERIOD) < 0)
		return 1;
	for (int p = 0; p < secs * 100 && !stop; p++) {
		for (int i = 0; i < PERIOD; i++, n++) {
			bool on = (n / (RATE / 4)) % 2 == 0;

			f->pcm[i] = on ? (int16_t)(8192.0 * sin(2 * M_PI * freq * (double)n / RATE)) : 0;
		}
		r = audsink_write(sink, f);
		if (r < 0 && !errs++)
			printf("write period %d: %s (reopening)\n", p, strerror(-r));
		if (r < 0) {
			/* snd-aloop stops one end when the other end's format changes */
			audsink_close(sink);
			sink = NULL;
			usleep(20000);
			if (audsink_open(&sink, "alsa", &kp) < 0)
				break;
		}
	}
	LCHECK(sink != NULL, "played %.1f s (%d write errors)", n / (double)RATE, errs);
	aframe_unref(f);
	audsink_close(sink);
	return lab_exit();
}

static int do_listen(const char *dev, double freq, int secs)
{
	char args[128];
	struct audsrc_params sp = { .rate = RATE, .channels = 1, .frame_samples = PERIOD, .args = args };
	struct audsrc *src = NULL;
	long cap = (long)MIN(secs, MAX_SECS) * RATE, n = 0;
	int16_t *s = calloc((size_t)cap, sizeof(*s));
	int r, ret, errs = 0;

	snprintf(args, sizeof(args), "device=%s,period_ms=10,periods=16", dev);
	r = audsrc_open(&src, "alsa", &sp);
	if (!LCHECK(r == 0 && s, "open capture %s: %s", dev, strerror(-r)))
		return lab_exit();
	printf("listening on %s\n", dev);
	fflush(stdout);
	while (!stop && n + PERIOD <= cap) {
		struct aframe *f = NULL;

		r = audsrc_read(src, &f);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			/* snd-aloop stops the capture (EIO) when the playback end opens
			 * with another format or goes away: open it again */
			if (!errs++)
				printf("read: %s (reopening)\n", strerror(-r));
			audsrc_close(src);
			src = NULL;
			usleep(20000);
			if (stop || audsrc_open(&src, "alsa", &sp) < 0)
				break;
			continue;
		}
		memcpy(s + n, f->pcm, sizeof(int16_t) * (size_t)f->samples);
		n += f->samples;
		aframe_unref(f);
	}
	audsrc_close(src);
	printf("captured %.1f s, %d read errors\n", n / (double)RATE, errs);
	ret = analyse(s, n, freq, dev);
	free(s);
	return ret;
}

static int do_wav(const char *path, double freq)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[12], ch[8];
	int16_t *s = NULL;
	long n = 0;
	int ret;

	if (!LCHECK(f && fread(hdr, 1, 12, f) == 12 && !memcmp(hdr, "RIFF", 4) &&
		    !memcmp(hdr + 8, "WAVE", 4), "%s is a WAV file", path)) {
		if (f)
			fclose(f);
		return lab_exit();
	}
	while (fread(ch, 1, 8, f) == 8) {
		uint32_t len = ch[4] | ch[5] << 8 | ch[6] << 16 | (uint32_t)ch[7] << 24;

		if (memcmp(ch, "data", 4) != 0) {
			if (fseek(f, (long)(len + (len & 1)), SEEK_CUR) < 0)
				break;
			continue;
		}
		/* a sink killed mid-call leaves a zero or oversized length: read what is there */
		len = MIN(len ? len : UINT32_MAX, (uint32_t)MAX_SECS * RATE * 2);
		s = malloc(len);
		if (s)
			n = (long)fread(s, 1, len, f) / 2;
		break;
	}
	fclose(f);
	LCHECK(n > 0, "%s: %ld samples", path, n);
	ret = analyse(s ? s : (int16_t[1]){ 0 }, n, freq, path);
	free(s);
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc == 5 && !strcmp(argv[1], "play"))
		return do_play(argv[2], atof(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "listen"))
		return do_listen(argv[2], atof(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "wav"))
		return do_wav(argv[2], atof(argv[3]));
	fprintf(stderr, "usage: lab_tone play|listen DEVICE FREQ SECS | lab_tone wav FILE FREQ\n");
	return 2;
}

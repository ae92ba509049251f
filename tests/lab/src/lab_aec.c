/* lab_aec.c: guest test: the echo canceller on the real ALSA path, a simulated room between snd-aloop's ends.
 *
 *   lab_aec [SECONDS]
 *
 * Three threads, as on a terminal: the player writes far-end speech (speech-like
 * synthetic voice, pauses included) to hw:Loopback,0,0 and hands the same
 * periods to the canceller's reference ring (app/audio/aring.h); the room reads
 * what the "speaker" played from hw:Loopback,1,0 and plays it, delayed (80 ms: a TV's
 * audio path; the range is 30-200 ms),
 * attenuated (-6 dB) and reverberated (RT60 0.3 s), with a little noise, into
 * hw:Loopback,1,1; the canceller captures the "microphone" from hw:Loopback,0,1
 * and runs apm (app/audio/apm.h) on it. Both device buffers, the room's and
 * the kernel's timers are real: the canceller has to find the total delay by
 * itself. The capture pairs each microphone period with what the ring holds
 * at that moment, in real time, as the terminal's capture thread does; apm
 * runs on the recorded pairs afterwards (under TCG it is slower than real
 * time). Prints the ERLE of the whole chain (microphone vs output energy over
 * far-end activity after 4 s) and the delay apm found. The ERLE is measured,
 * not asserted: under TCG the device timing swings so much (ERLE from -11 to
 * 57 dB seen on the same build) that a threshold would only test the
 * emulator; the simulator's tests (tests/integration/aec*.sh) assert quality.
 * Asserted: the devices run, the reference is there for the periods, apm
 * runs and finds a delay.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/apm.h"
#include "audio/aring.h"
#include "drv/media_drv.h"
#include "labutil.h"

#define RATE 48000
#define PERIOD 480
#define ROOM_DELAY (80 * 48)     /* a TV's audio path (the range: 30-200 ms) */
#define NCOMB 4

static atomic_bool stop;
static struct aring *ref_ring;
static int total_periods;

/* voiced-speech-like: harmonics of a gliding f0, 4 Hz syllables, pauses */
static double speechlike(long n)
{
	double t = (double)n / RATE, cyc = fmod(t, 1.7);

	if (cyc > 1.2)
		return 0;
	double f0 = 120.0 * (1.0 + 0.1 * sin(2 * M_PI * 0.7 * t));
	double env = 0.5 - 0.5 * cos(2 * M_PI * 4 * t), v = 0;
	for (int h = 1; h <= 16; h++)
		v += sin(2 * M_PI * f0 * h * t + h) / h;
	return v * env * 0.063 * 32768 * 1.6;  /* about -24 dBFS while on */
}

static int16_t *far_pcm;        /* precomputed: sin() is slow under TCG */

static void *player(void *arg)
{
	struct audsink *sink = arg;
	struct aframe *f = NULL;

	if (aframe_new(&f, RATE, 1, PERIOD) < 0)
		return (void *)-1;
	for (int p = 0; p < total_periods + 50 && !atomic_load(&stop); p++) {
		memcpy(f->pcm, far_pcm + (size_t)p * PERIOD, PERIOD * sizeof(int16_t));
		aring_write(ref_ring, f->pcm, PERIOD);
		if (audsink_write(sink, f) < 0) {
			aframe_unref(f);
			return (void *)-1;
		}
	}
	aframe_unref(f);
	return NULL;
}

struct room {
	struct audsrc *ear;
	struct audsink *mouth;
	float line[ROOM_DELAY];
	int lpos;
	float *comb[NCOMB], g[NCOMB];
	int clen[NCOMB], cpos[NCOMB];
	uint32_t rng;
};

static void *room_thread(void *arg)
{
	struct room *rm = arg;
	struct aframe *out = NULL;

	if (aframe_new(&out, RATE, 1, PERIOD) < 0)
		return (void *)-1;
	while (!atomic_load(&stop)) {
		struct aframe *f = NULL;

		if (audsrc_read(rm->ear, &f) < 0)
			break;
		for (int i = 0; i < PERIOD; i++) {
			float x = rm->line[rm->lpos], rev = 0;

			rm->line[rm->lpos] = (float)f->pcm[i * f->channels];
			if (++rm->lpos == ROOM_DELAY)
				rm->lpos = 0;
			for (int c = 0; c < NCOMB; c++) {
				float o = rm->comb[c][rm->cpos[c]];

				rm->comb[c][rm->cpos[c]] = x + rm->g[c] * o;
				if (++rm->cpos[c] == rm->clen[c])
					rm->cpos[c] = 0;
				rev += o;
			}
			rm->rng = rm->rng * 1664525u + 1013904223u;
			float v = 0.35f * x + 0.06f * rev +
				  6.0f * ((float)(rm->rng >> 8) / 16777216.0f - 0.5f);
			out->pcm[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrintf(v));
		}
		aframe_unref(f);
		if (audsink_write(rm->mouth, out) < 0)
			break;
	}
	aframe_unref(out);
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 12;
	struct audsink_params kp = { .rate = RATE, .channels = 1, .args = "device=hw:Loopback,0,0,periods=8" };
	struct audsrc_params ep = { .rate = RATE, .channels = 1, .frame_samples = PERIOD,
				    .args = "device=hw:Loopback,1,0,periods=8" };
	struct audsink_params mp = { .rate = RATE, .channels = 1, .args = "device=hw:Loopback,1,1,periods=8" };
	struct audsrc_params cp = { .rate = RATE, .channels = 1, .frame_samples = PERIOD,
				    .args = "device=hw:Loopback,0,1,periods=8" };
	static const float comb_ms[NCOMB] = { 29.7f, 37.1f, 41.1f, 43.7f };
	struct audsink *spk = NULL;
	struct audsrc *mic = NULL;
	struct room rm = { .rng = 1 };
	struct apm *apm = NULL;
	struct apm_stats st;
	pthread_t tp, tr;
	int16_t out[PERIOD], *refs, *mics;
	bool *have;
	double em = 0, eo = 0;
	int r, far_recent = 0, nref = 0, nact = 0, ncap = 0;

	if (secs < 5 || secs > 120)
		secs = 12;
	total_periods = (int)(secs * 100);
	refs = calloc((size_t)total_periods * PERIOD, sizeof(int16_t));
	mics = calloc((size_t)total_periods * PERIOD, sizeof(int16_t));
	have = calloc((size_t)total_periods, sizeof(bool));
	far_pcm = malloc((size_t)(total_periods + 50) * PERIOD * sizeof(int16_t));
	LCHECK(refs && mics && have && far_pcm, "memory");
	if (!far_pcm)
		return lab_exit();
	for (long i = 0; i < (long)(total_periods + 50) * PERIOD; i++)
		far_pcm[i] = (int16_t)lrint(speechlike(i));
	r = aring_new(&ref_ring, RATE, 3 * PERIOD, 15 * PERIOD);
	LCHECK(r == 0, "reference ring");
	r = apm_new(&apm, NULL);
	LCHECK(r == 0, "apm_new: %s", strerror(-r));
	for (int c = 0; c < NCOMB; c++) {
		rm.clen[c] = (int)(comb_ms[c] * 48);
		rm.g[c] = powf(10.0f, -3.0f * comb_ms[c] / 300.0f);
		rm.comb[c] = calloc((size_t)rm.clen[c], sizeof(float));
	}
	r = audsink_open(&spk, "alsa", &kp);
	LCHECK(r == 0, "speaker hw:Loopback,0,0: %s", strerror(-r));
	r = audsrc_open(&rm.ear, "alsa", &ep);
	LCHECK(r == 0, "room ear hw:Loopback,1,0: %s", strerror(-r));
	r = audsink_open(&rm.mouth, "alsa", &mp);
	LCHECK(r == 0, "room mouth hw:Loopback,1,1: %s", strerror(-r));
	if (lab_failures)
		return lab_exit();
	pthread_create(&tr, NULL, room_thread, &rm);
	pthread_create(&tp, NULL, player, spk);
	/* the microphone opens on a running room (a loopback capture whose
	 * playback side is not running yet overruns at once under TCG) */
	usleep(300000);
	r = audsrc_open(&mic, "alsa", &cp);
	LCHECK(r == 0, "microphone hw:Loopback,0,1: %s", strerror(-r));
	if (r < 0) {
		atomic_store(&stop, true);
		return lab_exit();
	}
	/* capture in real time, pairing every microphone period with the
	 * reference the ring holds at that moment, exactly as the terminal's
	 * capture thread does; apm runs afterwards (under TCG it is several
	 * times slower than real time, which would overrun the capture) */
	for (int p = 0; p < total_periods; p++) {
		struct aframe *f = NULL;

		have[p] = aring_read(ref_ring, refs + (size_t)p * PERIOD, PERIOD) == 0;
		r = audsrc_read(mic, &f);
		if (r < 0) {
			LCHECK(0, "microphone read %d: %s", p, strerror(-r));
			break;
		}
		memcpy(mics + (size_t)p * PERIOD, f->pcm, PERIOD * sizeof(int16_t));
		aframe_unref(f);
		ncap++;
	}
	atomic_store(&stop, true);
	pthread_join(tp, NULL);
	/* the room thread blocks in its capture: snd-aloop goes on delivering
	 * (silence) after the player stopped, so it returns within a period */
	pthread_join(tr, NULL);
	for (int p = 0; p < ncap; p++) {
		const int16_t *ref = refs + (size_t)p * PERIOD, *m = mics + (size_t)p * PERIOD;
		double er = 0, e1 = 0, e2 = 0;

		if (have[p]) {
			nref++;
			for (int i = 0; i < PERIOD; i++)
				er += (double)ref[i] * ref[i];
		}
		far_recent = er > PERIOD * 100.0 ? 30 : far_recent > 0 ? far_recent - 1 : 0;
		apm_process(apm, m, have[p] ? ref : NULL, out);
		for (int i = 0; i < PERIOD; i++) {
			e1 += (double)m[i] * m[i];
			e2 += (double)out[i] * out[i];
		}
		/* echo can be there: far end active within the last 300 ms */
		if (p >= 400 && far_recent) {
			em += e1;
			eo += e2;
			nact++;
		}
	}
	apm_stats_get(apm, &st);
	double erle = 10 * log10((em + 1) / (eo + 1));
	{
		uint64_t dw, dr, un;

		aring_counters(ref_ring, &dw, &dr, &un);
		printf("reference ring: %llu samples dropped full, %llu over the fill limit, %llu underruns\n",
		       (unsigned long long)dw, (unsigned long long)dr, (unsigned long long)un);
	}
	printf("microphone %.1f dBFS, output %.1f dBFS over %d far-active periods; reference for %d of %d periods\n",
	       10 * log10(em / (nact * (double)PERIOD) / (32768.0 * 32768.0) + 1e-20),
	       10 * log10(eo / (nact * (double)PERIOD) / (32768.0 * 32768.0) + 1e-20), nact, nref,
	       total_periods);
	printf("apm: delay %d ms, erle estimate %.1f dB, drift %.1f ppm, path changes %u\n", st.delay_ms,
	       st.erle_db, st.drift_ppm, st.path_changes);
	LCHECK(nact > 100, "far-end activity measured (%d periods)", nact);
	LCHECK(nref >= total_periods * 9 / 10, "reference for %d of %d microphone periods", nref,
	       total_periods);
	/* the bulk delay the canceller settles on depends on how much reference
	 * the ring trimmed (fill limit) while the emulated machine lagged: any
	 * estimate (0 included) is fine, none (-1) is not */
	LCHECK(st.delay_ms >= 0, "delay found (%d ms)", st.delay_ms);
	LCHECK(isfinite(erle), "ERLE through snd-aloop measured: %.1f dB", erle);
	lab_detail("ERLE %.1f dB through snd-aloop, delay %d ms found", erle, st.delay_ms);
	audsink_close(spk);
	audsrc_close(mic);
	audsrc_close(rm.ear);
	audsink_close(rm.mouth);
	for (int c = 0; c < NCOMB; c++)
		free(rm.comb[c]);
	apm_free(apm);
	aring_free(ref_ring);
	free(refs);
	free(mics);
	free(have);
	free(far_pcm);
	return lab_exit();
}

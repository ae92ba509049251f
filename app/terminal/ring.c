/* ring.c: the ring tone of an incoming call, played on dev.speaker by a leaf worker.
 *
 * DESIGN
 * While the call is in RINGING_IN (and ui.ring = yes) a worker thread owns
 * its own audio sink (dev.speaker with dev.speaker_args, 48 kHz mono) and
 * writes the ring cadence to it: RING_HZ for RING_ON_MS, silence for
 * RING_OFF_MS, again and again, with short ramps so that nothing clicks.
 * Level: RING_LEVEL of full scale times the terminal volume (0..100), read
 * from an atomic the loop updates on every "volume" event. The worker never
 * touches control state; the sink paces it (a speaker blocks), and it paces
 * itself too so that a sink that does not block (a file) gets real time.
 * The loop starts it on the "call_state" event that enters ringing_in and
 * stops it (stop flag + join: at most one 20 ms frame and the sink's close)
 * on any other call state, and in call_answer() before the media session
 * opens the same speaker. Only one ringer exists at a time.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "drv/frame.h"
#include "drv/media_drv.h"
#include "lib/base/clock.h"
#include "lib/json/json.h"
#include "lib/log/log.h"
#include "terminal/terminal.h"

LOG_TOPIC(ring);

#define RING_HZ 1000
#define RING_RATE 48000
#define RING_FRAME 960          /* 20 ms */
#define RING_ON_MS 800
#define RING_OFF_MS 400
#define RING_RAMP 240           /* 5 ms attack and release */
#define RING_LEVEL 0.35         /* of full scale at volume 100 */
#define RING_AHEAD_US 60000     /* most written ahead of real time */

struct ring {
	pthread_t th;
	atomic_bool stop;
	atomic_int volume;
	atomic_int error;       /* the sink's open/write error, 0 none */
	char drv[64];
	char args[1024];
};

/* one frame of the cadence starting at sample n (of the whole ring) */
static void ring_fill(int16_t *pcm, uint64_t n, double amp)
{
	const uint64_t on = RING_RATE / 1000 * RING_ON_MS;
	const uint64_t cycle = on + RING_RATE / 1000 * RING_OFF_MS;

	for (int i = 0; i < RING_FRAME; i++) {
		uint64_t s = n + (uint64_t)i, k = s % cycle;
		double g = 0;

		if (k < on) {
			g = 1;
			if (k < RING_RAMP)
				g = (double)k / RING_RAMP;
			else if (on - k < RING_RAMP)
				g = (double)(on - k) / RING_RAMP;
		}
		pcm[i] = (int16_t)lrint(amp * g * 32767.0 *
					sin(2.0 * M_PI * RING_HZ * (double)s / RING_RATE));
	}
}

static void *ring_main(void *arg)
{
	struct ring *r = arg;
	struct audsink_params p = { .rate = RING_RATE, .channels = 1, .args = r->args };
	struct audsink *sink = NULL;
	uint64_t t0, n = 0;
	int e;

	e = audsink_open(&sink, r->drv, &p);
	if (e < 0) {
		atomic_store(&r->error, e);
		return NULL;
	}
	t0 = clock_now_us();
	while (!atomic_load(&r->stop)) {
		struct aframe *f = NULL;
		uint64_t due;

		if (aframe_new(&f, RING_RATE, 1, RING_FRAME) < 0) {
			atomic_store(&r->error, -ENOMEM);
			break;
		}
		ring_fill(f->pcm, n, RING_LEVEL * atomic_load(&r->volume) / 100.0);
		f->capture_us = clock_now_us();
		e = audsink_write(sink, f);
		aframe_unref(f);
		if (e < 0) {
			atomic_store(&r->error, e);
			break;
		}
		n += RING_FRAME;
		due = t0 + n * 1000000 / RING_RATE;
		if (due > clock_now_us() + RING_AHEAD_US)
			clock_sleep_until_us(due - RING_AHEAD_US);
	}
	audsink_close(sink);
	return NULL;
}

static void ring_stop(struct terminal *t)
{
	struct ring *r = t->ring;
	int e;

	if (!r)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->th, NULL);
	e = atomic_load(&r->error);
	if (e < 0)
		log_warn(ring, "ring tone on %s: %s", r->drv, strerror(-e));
	else
		log_info(ring, "ring tone stopped");
	free(r);
	t->ring = NULL;
}

static void ring_start(struct terminal *t)
{
	struct ring *r;
	int e;

	if (t->ring || !conf_bool(t->conf, "ui.ring"))
		return;
	r = calloc(1, sizeof(*r));
	if (!r)
		return;
	snprintf(r->drv, sizeof(r->drv), "%s", conf_str(t->conf, "dev.speaker"));
	snprintf(r->args, sizeof(r->args), "%s", conf_str(t->conf, "dev.speaker_args"));
	atomic_init(&r->stop, false);
	atomic_init(&r->volume, t->volume);
	atomic_init(&r->error, 0);
	e = pthread_create(&r->th, NULL, ring_main, r);
	if (e) {
		log_warn(ring, "ring tone: %s", strerror(e));
		free(r);
		return;
	}
	t->ring = r;
	log_info(ring, "ring tone on %s (%d Hz, volume %d)", r->drv, RING_HZ, t->volume);
}

void terminal_ring(struct terminal *t, bool on)
{
	if (on)
		ring_start(t);
	else
		ring_stop(t);
}

void terminal_ring_event(struct terminal *t, const char *name, const struct json *data)
{
	const char *st = NULL;
	int64_t v;

	if (!strcmp(name, "call_state") && json_get_str(data, "state", &st) == 0)
		terminal_ring(t, !strcmp(st, "ringing_in"));
	else if (!strcmp(name, "volume") && t->ring && json_get_int(data, "level", &v) == 0)
		atomic_store(&t->ring->volume, (int)v);
}

/* mw_mix.c: a meeting's mixer thread and the lock-free ring that feeds it.
 *
 * The forwarding thread is the only producer of the ring, the mixer thread
 * the only consumer (see mw_int.h). Every 20 ms (an absolute clock: a late
 * period is caught up by running the next ones back to back, up to 100 ms
 * behind, then the clock is reset) the mixer drains the ring (packets into
 * the jitter buffers, participant add/delete/flags), then decodes, mixes,
 * encodes and sends (mw_audio_tick), and once a second the audio RTCP
 * reports. Nothing here waits for the forwarding thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/clock.h"
#include "mw_int.h"

struct mx_ent *mw_ring_slot(struct mw *w, bool cmd)
{
	struct mx_ring *r = &w->ring;

	for (;;) {
		unsigned h = atomic_load_explicit(&r->head, memory_order_relaxed);
		unsigned t = atomic_load_explicit(&r->tail, memory_order_acquire);

		if (h - t < MX_RING - MX_CMD_RESERVE || (cmd && h - t < MX_RING))
			return &r->ent[h % MX_RING];
		if (!cmd || !w->mx_running) {
			atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
			return NULL;
		}
		/* a command waits for the mixer (it drains every 20 ms) */
		usleep(2000);
	}
}

void mw_ring_commit(struct mw *w)
{
	unsigned h = atomic_load_explicit(&w->ring.head, memory_order_relaxed);

	atomic_store_explicit(&w->ring.head, h + 1, memory_order_release);
}

uint64_t mw_mixer_dropped(struct mw *w)
{
	return atomic_load_explicit(&w->ring.dropped, memory_order_relaxed);
}

struct mw_pp *mw_mfind(struct mw *w, uint32_t id)
{
	for (unsigned i = 0; i < w->nmparts; i++)
		if (w->mparts[i]->id == id)
			return w->mparts[i];
	return NULL;
}

static void mix_del(struct mw *w, struct mw_pp *pp)
{
	for (unsigned i = 0; i < w->nmparts; i++)
		if (w->mparts[i] == pp) {
			w->mparts[i] = w->mparts[--w->nmparts];
			break;
		}
	mw_audio_part_gone(w, pp);
	mw_pp_free(pp);
}

static void drain(struct mw *w)
{
	struct mx_ring *r = &w->ring;
	unsigned t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	unsigned h = atomic_load_explicit(&r->head, memory_order_acquire);

	for (; t != h; t++) {
		const struct mx_ent *e = &r->ent[t % MX_RING];

		switch (e->kind) {
		case MX_PKT:
			mw_audio_put(w, e);
			break;
		case MX_SR:
			mw_rtcp_note_sr(&e->pp->a, e->ssrc, &e->si, e->arrival_us);
			break;
		case MX_ADD:
			/* the forwarding thread admits at most max_parts */
			if (w->nmparts < w->c.max_parts)
				w->mparts[w->nmparts++] = e->pp;
			break;
		case MX_DEL:
			mix_del(w, e->pp);
			break;
		case MX_FLAGS:
			e->pp->m_admitted = e->admitted;
			e->pp->m_muted = e->muted;
			break;
		}
		/* free the entry right away: a command waiting for room
		 * gets it during a long drain */
		atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	}
}

static void *mx_main(void *arg)
{
	struct mw *w = arg;
	uint64_t next = clock_now_us();

	while (!atomic_load_explicit(&w->mx_quit, memory_order_relaxed)) {
		struct timespec ts;
		uint64_t now;

		next += 20000;
		ts.tv_sec = (time_t)(next / 1000000);
		ts.tv_nsec = (long)(next % 1000000) * 1000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = clock_now_us();
		if (now > next + 100000)
			next = now;     /* too far behind: skip, don't burst */
		drain(w);
		w->mticks++;
		mw_audio_tick(w, now);
		if (w->mticks % 50 == 0)
			mw_rtcp_audio_reports(w, now);
	}
	return NULL;
}

int mw_mix_start(struct mw *w)
{
	int r;

	if (!w->ring.ent || !w->mparts)
		return -ENOMEM;
	atomic_store(&w->mx_quit, false);
	r = -pthread_create(&w->mx_thread, NULL, mx_main, w);
	if (r < 0)
		return r;
	w->mx_running = true;
	return 0;
}

void mw_mix_stop(struct mw *w)
{
	if (w->mx_running) {
		atomic_store(&w->mx_quit, true);
		pthread_join(w->mx_thread, NULL);
		w->mx_running = false;
	}
	if (w->ring.ent)
		drain(w);
	while (w->nmparts)
		mix_del(w, w->mparts[0]);
	free(w->ring.ent);
	w->ring.ent = NULL;
	free(w->mparts);
	w->mparts = NULL;
}

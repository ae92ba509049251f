/* aring.h: lock-free single-producer single-consumer ring of 16-bit samples (playback -> capture reference). */
#ifndef RAKWON_AUDIO_ARING_H
#define RAKWON_AUDIO_ARING_H

/*
 * One thread writes (the playout thread: what it hands to the audio sink),
 * one thread reads (the capture thread: the echo canceller's reference).
 * No locks, no allocation after aring_new(); writes never block (samples that
 * do not fit are dropped and counted). The reader starts only once `prime`
 * samples are queued, so that the jitter of the two threads' schedules does
 * not starve it; when the fill has stayed above `max_fill` for
 * ARING_TRIM_READS reads in a row it drops the excess (the smallest fill of
 * that window minus max_fill), so that the reference delay stays bounded. A
 * reader that was merely late and catches up is never trimmed: each trim moves
 * the reference against the microphone, which the echo canceller must then
 * find again. A writer that is late gets silence read in its place
 * and the same number of its samples skipped when they come (the reference
 * keeps its position against the microphone); one that stays away for more
 * than max_fill counts as stopped: -EAGAIN until it primes again.
 */

#include <stddef.h>
#include <stdint.h>

struct aring;

#define ARING_TRIM_READS 50     /* 0.5 s of 10 ms reads */

/* capacity, prime, max_fill in samples; prime <= max_fill <= capacity */
int aring_new(struct aring **ret, size_t capacity, size_t prime, size_t max_fill);
struct aring *aring_free(struct aring *r);
/* producer: queue n samples; returns how many were queued */
size_t aring_write(struct aring *r, const int16_t *pcm, size_t n);
/* consumer: take exactly n samples (silence standing in for a late writer);
 * -EAGAIN while not primed or stopped */
int aring_read(struct aring *r, int16_t *pcm, size_t n);
/* samples queued (either thread; a snapshot) */
size_t aring_fill(const struct aring *r);
/* counters: samples dropped by the writer (full) and by the reader (over max_fill),
 * times the reader ran dry */
void aring_counters(const struct aring *r, uint64_t *ret_dropped_w, uint64_t *ret_dropped_r,
		    uint64_t *ret_underruns);

#endif

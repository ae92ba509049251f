/* amix.h: audio mixer: sums PCM16 sources with per-source gain, soft limiter.
 *
 * All sources and outputs share one format (48 kHz, same frame size, same
 * channel count, interleaved). Sums are done in 32 bits with gains in Q12;
 * the result goes through a limiter (fast attack, slow release, per output)
 * followed by a soft clipper, so the output never wraps around. Besides the
 * full mix, amix_mix_minus() produces the N-1 mixes a bridge sends back to
 * each participant (every source except that participant's own), with one
 * limiter state per source index. No allocation after amix_new(); one owner
 * thread.
 */
#ifndef RAKWON_MEDIA_AMIX_H
#define RAKWON_MEDIA_AMIX_H

#include <stddef.h>
#include <stdint.h>

#define AMIX_GAIN_MAX 8.0f

struct amix_src {
	const int16_t *pcm;             /* frame_samples samples; NULL: silent */
	float gain;                     /* linear, 0..AMIX_GAIN_MAX (clamped) */
};

struct amix;

/* frame_samples counts all channels (e.g. 960 for 20 ms mono, 1920 stereo). */
int amix_new(struct amix **ret, unsigned max_sources, size_t frame_samples);
struct amix *amix_free(struct amix *m);

/* out = limit(sum of all n sources). n <= max_sources. */
int amix_mix(struct amix *m, int16_t *out, const struct amix_src *src, unsigned n);
/* For each k < n with outs[k] != NULL: outs[k] = limit(sum of all sources
 * but k), with limiter state k. */
int amix_mix_minus(struct amix *m, int16_t *const *outs,
		   const struct amix_src *src, unsigned n);
/* Forgets the limiter state of one output index (a participant left), or of
 * all outputs when idx < 0. */
void amix_reset(struct amix *m, int idx);

#endif

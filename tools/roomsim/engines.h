/* engines.h: the echo cancellers compared by rakwon-roomsim behind one interface. */
#ifndef RAKWON_ROOMSIM_ENGINES_H
#define RAKWON_ROOMSIM_ENGINES_H

#include <stdint.h>

struct engine {
	const char *name;
	int (*create)(void **ret, int tail_ms);
	/* 480 samples, 48 kHz mono; ref NULL = no playback */
	int (*process)(void *st, const int16_t *mic, const int16_t *ref, int16_t *out);
	void (*destroy)(void *st);
	int latency;            /* output lag, samples */
};

extern const struct engine *const engines[];
const struct engine *engine_find(const char *name);

#endif

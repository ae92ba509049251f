/* simd.h: 4-wide float vectors (GCC/Clang vector extensions: SSE on x86, NEON on ARM). */
#ifndef RAKWON_AUDIO_SIMD_H
#define RAKWON_AUDIO_SIMD_H

#include <string.h>

typedef float v4sf __attribute__((vector_size(16)));

static inline v4sf ld4(const float *p)
{
	v4sf v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void st4(float *p, v4sf v)
{
	memcpy(p, &v, sizeof(v));
}

static inline float hsum4(v4sf v)
{
	return v[0] + v[1] + v[2] + v[3];
}

#endif

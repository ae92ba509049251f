/* aring.c: lock-free SPSC sample ring (see aring.h). */
#include "audio/aring.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

struct aring {
	int16_t *buf;
	size_t cap;                     /* power of two */
	size_t prime, max_fill;
	_Atomic size_t head;            /* written by the producer: total written */
	_Atomic size_t tail;            /* written by the consumer: total read */
	bool primed;                    /* consumer only */
	size_t debt;                    /* consumer: samples handed out as silence, to skip */
	size_t win_min;                 /* consumer: smallest fill after a read in this window */
	unsigned win_n;                 /* consumer: reads in this window */
	_Atomic uint64_t dropped_w, dropped_r, underruns;
};

int aring_new(struct aring **ret, size_t capacity, size_t prime, size_t max_fill)
{
	struct aring *r;
	size_t cap = 1;

	if (!capacity || capacity > (1u << 24) || prime > max_fill || max_fill > capacity)
		return -EINVAL;
	while (cap < capacity)
		cap <<= 1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->buf = calloc(cap, sizeof(int16_t));
	if (!r->buf) {
		free(r);
		return -ENOMEM;
	}
	r->cap = cap;
	r->prime = prime;
	r->max_fill = max_fill;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	*ret = r;
	return 0;
}

struct aring *aring_free(struct aring *r)
{
	if (r) {
		free(r->buf);
		free(r);
	}
	return NULL;
}

size_t aring_write(struct aring *r, const int16_t *pcm, size_t n)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t space = r->cap - (h - t);

	if (n > space) {
		atomic_fetch_add_explicit(&r->dropped_w, n - space, memory_order_relaxed);
		n = space;
	}
	for (size_t i = 0; i < n; i++)
		r->buf[(h + i) & (r->cap - 1)] = pcm[i];
	atomic_store_explicit(&r->head, h + n, memory_order_release);
	return n;
}

int aring_read(struct aring *r, int16_t *pcm, size_t n)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t fill = h - t;

	if (!r->primed) {
		if (fill < r->prime || fill < n)
			return -EAGAIN;
		r->primed = true;
		r->debt = 0;
	}
	if (r->debt) {
		/* the samples we stood in for arrived late: skip them, so that
		 * the reference keeps its place on the timeline */
		size_t skip = r->debt < fill ? r->debt : fill;

		t += skip;
		fill -= skip;
		r->debt -= skip;
	}
	if (fill < n) {
		atomic_fetch_add_explicit(&r->underruns, 1, memory_order_relaxed);
		if (r->debt + n > r->max_fill) {
			/* the writer stopped: wait for a new start */
			r->primed = false;
			atomic_store_explicit(&r->tail, t, memory_order_release);
			return -EAGAIN;
		}
		/* the writer is late (scheduling): silence now, the same number
		 * of samples skipped when they come */
		for (size_t i = 0; i < n; i++)
			pcm[i] = 0;
		r->debt += n;
		atomic_store_explicit(&r->tail, t, memory_order_release);
		return 0;
	}
	if (!r->win_n || fill - n < r->win_min)
		r->win_min = fill - n;
	if (++r->win_n >= ARING_TRIM_READS) {
		if (r->win_min > r->max_fill) {
			size_t drop = r->win_min - r->max_fill;

			atomic_fetch_add_explicit(&r->dropped_r, drop, memory_order_relaxed);
			t += drop;
		}
		r->win_n = 0;
	}
	for (size_t i = 0; i < n; i++)
		pcm[i] = r->buf[(t + i) & (r->cap - 1)];
	atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return 0;
}

size_t aring_fill(const struct aring *r)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	return h - t;
}

void aring_counters(const struct aring *r, uint64_t *ret_dropped_w, uint64_t *ret_dropped_r,
		    uint64_t *ret_underruns)
{
	*ret_dropped_w = atomic_load_explicit(&r->dropped_w, memory_order_relaxed);
	*ret_dropped_r = atomic_load_explicit(&r->dropped_r, memory_order_relaxed);
	*ret_underruns = atomic_load_explicit(&r->underruns, memory_order_relaxed);
}

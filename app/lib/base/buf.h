/* buf.h: reference-counted byte buffers and bounds-checked cursors.
 *
 * struct buf owns bytes (data, len, cap) and is shared between threads by
 * reference (buf_ref/buf_unref). struct rcur reads a wire format from a
 * (pointer, length) slice: every read is bounds-checked, and once a read runs
 * past the end the cursor is marked bad and all further reads return 0, so a
 * parser checks rcur_ok() once at the end (STYLE G16). struct wcur writes into
 * a caller-provided array the same way.
 */
#ifndef RAKWON_BASE_BUF_H
#define RAKWON_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/refcnt.h"

struct buf {
	struct refcnt ref;
	uint8_t *data;
	size_t len;
	size_t cap;
	uint64_t ts_us;   /* free for users: a monotonic timestamp */
	uint32_t user;    /* free for users: a tag */
};

/* A new buffer with room for cap bytes (len 0). */
int buf_new(struct buf **ret, size_t cap);
/* A new buffer holding a copy of data[0..len). */
int buf_new_copy(struct buf **ret, const void *data, size_t len);
struct buf *buf_ref(struct buf *b);
struct buf *buf_unref(struct buf *b);
/* Grow capacity to at least cap (only when the caller holds the sole ref). */
int buf_reserve(struct buf *b, size_t cap);
int buf_append(struct buf *b, const void *data, size_t len);

struct rcur {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool bad;
};

static inline void rcur_init(struct rcur *c, const void *p, size_t len)
{
	c->p = (const uint8_t *)p;
	c->len = len;
	c->pos = 0;
	c->bad = false;
}

static inline size_t rcur_left(const struct rcur *c)
{
	return c->bad ? 0 : c->len - c->pos;
}

static inline bool rcur_ok(const struct rcur *c)
{
	return !c->bad;
}

static inline bool rcur_need(struct rcur *c, size_t n)
{
	if (c->bad || c->len - c->pos < n) {
		c->bad = true;
		return false;
	}
	return true;
}

static inline uint8_t rcur_u8(struct rcur *c)
{
	if (!rcur_need(c, 1))
		return 0;
	return c->p[c->pos++];
}

static inline uint16_t rcur_u16(struct rcur *c)
{
	uint16_t v;

	if (!rcur_need(c, 2))
		return 0;
	v = (uint16_t)(c->p[c->pos] << 8 | c->p[c->pos + 1]);
	c->pos += 2;
	return v;
}

static inline uint32_t rcur_u24(struct rcur *c)
{
	uint32_t v;

	if (!rcur_need(c, 3))
		return 0;
	v = (uint32_t)c->p[c->pos] << 16 | (uint32_t)c->p[c->pos + 1] << 8 |
	    c->p[c->pos + 2];
	c->pos += 3;
	return v;
}

static inline uint32_t rcur_u32(struct rcur *c)
{
	uint32_t v;

	if (!rcur_need(c, 4))
		return 0;
	v = (uint32_t)c->p[c->pos] << 24 | (uint32_t)c->p[c->pos + 1] << 16 |
	    (uint32_t)c->p[c->pos + 2] << 8 | c->p[c->pos + 3];
	c->pos += 4;
	return v;
}

/* Returns a pointer to the next n bytes and skips them, or NULL. */
static inline const uint8_t *rcur_bytes(struct rcur *c, size_t n)
{
	const uint8_t *p;

	if (!rcur_need(c, n))
		return NULL;
	p = c->p + c->pos;
	c->pos += n;
	return p;
}

static inline void rcur_skip(struct rcur *c, size_t n)
{
	(void)rcur_bytes(c, n);
}

struct wcur {
	uint8_t *p;
	size_t cap;
	size_t pos;
	bool bad;
};

static inline void wcur_init(struct wcur *w, void *p, size_t cap)
{
	w->p = (uint8_t *)p;
	w->cap = cap;
	w->pos = 0;
	w->bad = false;
}

static inline bool wcur_need(struct wcur *w, size_t n)
{
	if (w->bad || w->cap - w->pos < n) {
		w->bad = true;
		return false;
	}
	return true;
}

static inline void wcur_u8(struct wcur *w, uint8_t v)
{
	if (wcur_need(w, 1))
		w->p[w->pos++] = v;
}

static inline void wcur_u16(struct wcur *w, uint16_t v)
{
	if (!wcur_need(w, 2))
		return;
	w->p[w->pos++] = (uint8_t)(v >> 8);
	w->p[w->pos++] = (uint8_t)v;
}

static inline void wcur_u24(struct wcur *w, uint32_t v)
{
	if (!wcur_need(w, 3))
		return;
	w->p[w->pos++] = (uint8_t)(v >> 16);
	w->p[w->pos++] = (uint8_t)(v >> 8);
	w->p[w->pos++] = (uint8_t)v;
}

static inline void wcur_u32(struct wcur *w, uint32_t v)
{
	if (!wcur_need(w, 4))
		return;
	w->p[w->pos++] = (uint8_t)(v >> 24);
	w->p[w->pos++] = (uint8_t)(v >> 16);
	w->p[w->pos++] = (uint8_t)(v >> 8);
	w->p[w->pos++] = (uint8_t)v;
}

void wcur_bytes(struct wcur *w, const void *p, size_t n);

#endif

/* buf.c: reference-counted byte buffers. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"

int buf_new(struct buf **ret, size_t cap)
{
	struct buf *b;

	if (!ret)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	refcnt_init(&b->ref);
	if (cap) {
		b->data = malloc(cap);
		if (!b->data) {
			free(b);
			return -ENOMEM;
		}
	}
	b->cap = cap;
	*ret = b;
	return 0;
}

int buf_new_copy(struct buf **ret, const void *data, size_t len)
{
	struct buf *b;
	int r;

	r = buf_new(&b, len ? len : 1);
	if (r < 0)
		return r;
	if (len)
		memcpy(b->data, data, len);
	b->len = len;
	*ret = b;
	return 0;
}

struct buf *buf_ref(struct buf *b)
{
	if (b)
		refcnt_inc(&b->ref);
	return b;
}

struct buf *buf_unref(struct buf *b)
{
	if (b && refcnt_dec(&b->ref)) {
		free(b->data);
		free(b);
	}
	return NULL;
}

int buf_reserve(struct buf *b, size_t cap)
{
	uint8_t *d;

	if (cap <= b->cap)
		return 0;
	d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int r;

	if (len > SIZE_MAX / 2 - b->len)
		return -ENOMEM; /* the doubling below would overflow */
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + len)
			cap *= 2;
		r = buf_reserve(b, cap);
		if (r < 0)
			return r;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

void wcur_bytes(struct wcur *w, const void *p, size_t n)
{
	if (!wcur_need(w, n))
		return;
	memcpy(w->p + w->pos, p, n);
	w->pos += n;
}

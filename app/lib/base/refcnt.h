/* refcnt.h: atomic reference counter embedded in reference-counted objects.
 * Objects expose x_ref() (returns the object) and x_unref() (returns NULL),
 * so the idiom is p = x_unref(p); (STYLE G5). */
#ifndef RAKWON_BASE_REFCNT_H
#define RAKWON_BASE_REFCNT_H

#include <stdatomic.h>
#include <stdbool.h>

struct refcnt {
	atomic_int n;
};

static inline void refcnt_init(struct refcnt *r)
{
	atomic_init(&r->n, 1);
}

static inline void refcnt_inc(struct refcnt *r)
{
	atomic_fetch_add_explicit(&r->n, 1, memory_order_relaxed);
}

/* true when the last reference was dropped: the caller frees the object */
static inline bool refcnt_dec(struct refcnt *r)
{
	return atomic_fetch_sub_explicit(&r->n, 1, memory_order_acq_rel) == 1;
}

static inline int refcnt_get(struct refcnt *r)
{
	return atomic_load(&r->n);
}

#endif

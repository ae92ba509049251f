/* pl.h: zero-copy string slices (pointer + length into a message buffer).
 *
 * A struct pl never owns its bytes: it points into a buffer that outlives it
 * (a received SIP message, an SDP body, a string literal). Parsers hand out
 * slices instead of copies (STYLE G16). A slice with p == NULL is "absent";
 * a slice with p != NULL and l == 0 is "present but empty".
 */
#ifndef RAKWON_BASE_PL_H
#define RAKWON_BASE_PL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl {
	const char *p;
	size_t l;
};

#define PL(s) ((struct pl){ (s), sizeof(s) - 1 })
#define PL_NULL ((struct pl){ NULL, 0 })
/* printf("%.*s", PL_FMT(x)) */
#define PL_FMT(x) (int)(x).l, (x).p

static inline struct pl pl_make(const char *p, size_t l)
{
	return (struct pl){ p, l };
}

static inline bool pl_isset(const struct pl *x)
{
	return x->p != NULL;
}

/* one past the last byte; NULL for an absent slice (no NULL + 0) */
static inline const char *pl_end(const struct pl *x)
{
	return x->p ? x->p + x->l : NULL;
}

/* a slice of a C string (NULL gives PL_NULL) */
struct pl pl_str(const char *s);
/* exact byte comparison; two absent slices are equal */
bool pl_eq(const struct pl *a, const struct pl *b);
/* exact / ASCII-case-insensitive comparison with a C string */
bool pl_eq_str(const struct pl *a, const char *s);
bool pl_case_eq_str(const struct pl *a, const char *s);
bool pl_case_eq(const struct pl *a, const struct pl *b);
/* decimal digits only (no sign, no spaces), value <= max, at most 20 digits
 * after leading zeros; -EINVAL when not a number, -ERANGE when > max */
int pl_u64(const struct pl *a, uint64_t max, uint64_t *ret);
int pl_u32(const struct pl *a, uint32_t *ret);
/* strip leading/trailing SP, HTAB, CR, LF */
struct pl pl_trim(struct pl a);
/* first occurrence of c, or NULL */
const char *pl_chr(const struct pl *a, char c);
/* copy into dst as a NUL-terminated string; -ENOBUFS when it does not fit */
int pl_strcpy(const struct pl *a, char *dst, size_t cap);

#endif

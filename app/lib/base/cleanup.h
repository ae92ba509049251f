/* cleanup.h: function-local automatic cleanup (GNU cleanup attribute).
 * Only for locals inside one function; never for struct members or across
 * threads (STYLE G6). TAKE_PTR/TAKE_FD hand ownership out of the scope. */
#ifndef RAKWON_BASE_CLEANUP_H
#define RAKWON_BASE_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_close_ _cleanup_(cleanup_closep)

#define TAKE_PTR(p)                                                          \
	({                                                                    \
		__typeof__(p) take_ptr_ = (p);                                \
		(p) = NULL;                                                   \
		take_ptr_;                                                    \
	})
#define TAKE_FD(fd)                                                          \
	({                                                                    \
		int take_fd_ = (fd);                                          \
		(fd) = -1;                                                    \
		take_fd_;                                                     \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define CLAMP(x, lo, hi) MIN(MAX((x), (lo)), (hi))

#endif

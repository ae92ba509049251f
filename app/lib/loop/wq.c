/* wq.c: bounded MPMC ring + eventfd. See wq.h. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/loop/loop.h"
#include "lib/loop/wq.h"

struct wq {
	pthread_mutex_t lock;     /* protects ring, head, len */
	struct wq_item *ring;
	unsigned cap, head, len;
	unsigned dropped;         /* posts refused because full (under lock) */
	int efd;
	/* main loop only */
	struct loop *loop;
	wq_h cb;
	void *arg;
};

int wq_new(struct wq **ret, unsigned capacity)
{
	struct wq *q;

	if (!ret || capacity == 0)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->ring = calloc(capacity, sizeof(*q->ring));
	if (!q->ring) {
		free(q);
		return -ENOMEM;
	}
	q->cap = capacity;
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		int r = -errno;

		free(q->ring);
		free(q);
		return r;
	}
	pthread_mutex_init(&q->lock, NULL);
	*ret = q;
	return 0;
}

struct wq *wq_free(struct wq *q, wq_h drop, void *arg)
{
	struct wq_item it;

	if (!q)
		return NULL;
	wq_detach(q);
	while (wq_pop(q, &it) == 0)
		if (drop)
			drop(q, &it, arg);
	close(q->efd);
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q);
	return NULL;
}

int wq_post(struct wq *q, const struct wq_item *it)
{
	uint64_t one = 1;
	bool wake;

	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap) {
		q->dropped++;
		pthread_mutex_unlock(&q->lock);
		return -EAGAIN;
	}
	q->ring[(q->head + q->len) % q->cap] = *it;
	wake = q->len++ == 0;
	pthread_mutex_unlock(&q->lock);
	if (wake)
		(void)!write(q->efd, &one, sizeof(one));
	return 0;
}

int wq_pop(struct wq *q, struct wq_item *ret)
{
	uint64_t v;

	pthread_mutex_lock(&q->lock);
	if (q->len == 0) {
		/* drain the eventfd while holding the lock: a post after this
		 * sees len == 0 and writes it again, so no wakeup is lost */
		(void)!read(q->efd, &v, sizeof(v));
		pthread_mutex_unlock(&q->lock);
		return -EAGAIN;
	}
	*ret = q->ring[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int wq_wait(struct wq *q, int timeout_ms)
{
	struct pollfd p = { .fd = q->efd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

static void wq_on_event(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct wq *q = arg;
	struct wq_item it;
	/* bounded batch so one busy queue cannot starve the loop */
	for (int i = 0; i < 256 && q->cb; i++) {
		if (wq_pop(q, &it) < 0)
			return;
		q->cb(q, &it, q->arg);
	}
	/* more left: make sure we are woken again */
	if (q->cb) {
		uint64_t one = 1;

		(void)!write(q->efd, &one, sizeof(one));
	}
}

int wq_attach(struct wq *q, struct loop *l, wq_h cb, void *arg)
{
	int r;

	if (q->loop)
		return -EBUSY;
	r = loop_fd_add(l, q->efd, EPOLLIN, wq_on_event, q);
	if (r < 0)
		return r;
	q->loop = l;
	q->cb = cb;
	q->arg = arg;
	return 0;
}

void wq_detach(struct wq *q)
{
	if (!q->loop)
		return;
	(void)loop_fd_del(q->loop, q->efd);
	q->loop = NULL;
	q->cb = NULL;
}

int wq_fd(struct wq *q)
{
	return q->efd;
}

unsigned wq_dropped(struct wq *q)
{
	unsigned d;

	pthread_mutex_lock(&q->lock);
	d = q->dropped;
	pthread_mutex_unlock(&q->lock);
	return d;
}

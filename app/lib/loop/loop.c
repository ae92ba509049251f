/* loop.c: epoll + timerfd + signalfd event loop. See loop.h for the design. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/base/clock.h"
#include "lib/loop/loop.h"

#define SIG_MAX 65

struct loop_fd {
	int fd;
	uint32_t events;
	loop_fd_h cb;
	void *arg;
	bool dead;
	struct loop_fd *next;   /* list of all watches */
};

struct loop {
	int epfd;
	int timerfd;
	int sigfd;
	sigset_t sigmask;
	struct loop_fd *fds;
	struct loop_timer **heap;
	size_t heap_len, heap_cap;
	loop_signal_h sig_cb[SIG_MAX];
	void *sig_arg[SIG_MAX];
	bool quit;
	int quit_code;
	uint64_t now_us;
	uint64_t armed_us;      /* what the timerfd is set to, 0 if disarmed */
};

/* epoll data for the internal fds */
static struct loop_fd timer_tag, signal_tag;

static void heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_idx = a + 1;
	l->heap[b]->heap_idx = b + 1;
}

static void heap_up(struct loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p]->due_us <= l->heap[i]->due_us)
			break;
		heap_swap(l, p, i);
		i = p;
	}
}

static void heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t a = 2 * i + 1, b = a + 1, m = i;

		if (a < l->heap_len && l->heap[a]->due_us < l->heap[m]->due_us)
			m = a;
		if (b < l->heap_len && l->heap[b]->due_us < l->heap[m]->due_us)
			m = b;
		if (m == i)
			break;
		heap_swap(l, m, i);
		i = m;
	}
}

static int heap_push(struct loop *l, struct loop_timer *t)
{
	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : 16;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->heap_cap = cap;
	}
	t->heap_idx = l->heap_len + 1;
	l->heap[l->heap_len++] = t;
	heap_up(l, l->heap_len - 1);
	return 0;
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i;

	if (t->heap_idx == 0)
		return;
	i = t->heap_idx - 1;
	l->heap_len--;
	if (i != l->heap_len) {
		l->heap[i] = l->heap[l->heap_len];
		l->heap[i]->heap_idx = i + 1;
		heap_down(l, i);
		heap_up(l, i);
	}
	t->heap_idx = 0;
}

static void timerfd_rearm(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t due = l->heap_len ? l->heap[0]->due_us : 0;

	if (due == l->armed_us)
		return;
	if (due) {
		its.it_value.tv_sec = (time_t)(due / 1000000);
		its.it_value.tv_nsec = (long)(due % 1000000) * 1000;
	}
	timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
	l->armed_us = due;
}

int loop_new(struct loop **ret)
{
	struct loop *l;
	struct epoll_event ev = { .events = EPOLLIN };
	int r = 0;

	if (!ret)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->sigfd = -1;
	l->timerfd = -1;
	sigemptyset(&l->sigmask);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		r = -errno;
		goto out;
	}
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->timerfd < 0) {
		r = -errno;
		goto out;
	}
	ev.data.ptr = &timer_tag;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->timerfd, &ev) < 0) {
		r = -errno;
		goto out;
	}
	l->now_us = clock_now_us();
out:
	if (r < 0)
		l = loop_free(l);
	else
		*ret = l;
	return r;
}

struct loop *loop_free(struct loop *l)
{
	if (!l)
		return NULL;
	while (l->fds) {
		struct loop_fd *f = l->fds;

		l->fds = f->next;
		free(f);
	}
	for (size_t i = 0; i < l->heap_len; i++)
		l->heap[i]->heap_idx = 0;
	free(l->heap);
	if (l->sigfd >= 0) {
		sigprocmask(SIG_UNBLOCK, &l->sigmask, NULL);
		close(l->sigfd);
	}
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
	return NULL;
}

static struct loop_fd *fd_find(struct loop *l, int fd)
{
	for (struct loop_fd *f = l->fds; f; f = f->next)
		if (f->fd == fd && !f->dead)
			return f;
	return NULL;
}

int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_h cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd *f;

	if (!l || fd < 0 || !cb)
		return -EINVAL;
	if (fd_find(l, fd))
		return -EEXIST;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	f->events = events;
	f->cb = cb;
	f->arg = arg;
	ev.data.ptr = f;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		free(f);
		return r;
	}
	f->next = l->fds;
	l->fds = f;
	return 0;
}

int loop_fd_mod(struct loop *l, int fd, uint32_t events)
{
	struct loop_fd *f = fd_find(l, fd);
	struct epoll_event ev = { .events = events };

	if (!f)
		return -ENOENT;
	ev.data.ptr = f;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	f->events = events;
	return 0;
}

int loop_fd_del(struct loop *l, int fd)
{
	struct loop_fd *f = fd_find(l, fd);

	if (!f)
		return -ENOENT;
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	/* freed after the current dispatch round: epoll may still hold it */
	f->dead = true;
	return 0;
}

static void fds_reap(struct loop *l)
{
	struct loop_fd **pp = &l->fds;

	while (*pp) {
		struct loop_fd *f = *pp;

		if (f->dead) {
			*pp = f->next;
			free(f);
		} else {
			pp = &f->next;
		}
	}
}

int loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t delay_us,
		     uint64_t period_us, loop_timer_h cb, void *arg)
{
	int r;

	if (!l || !t || !cb)
		return -EINVAL;
	heap_remove(l, t);
	t->due_us = clock_now_us() + delay_us;
	t->period_us = period_us;
	t->cb = cb;
	t->arg = arg;
	r = heap_push(l, t);
	if (r < 0)
		return r;
	timerfd_rearm(l);
	return 0;
}

void loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	if (!l || !t || !t->heap_idx)
		return;
	heap_remove(l, t);
	timerfd_rearm(l);
}

static void timers_run(struct loop *l)
{
	uint64_t exp;
	uint64_t now = clock_now_us();

	(void)!read(l->timerfd, &exp, sizeof(exp));
	l->armed_us = 0;
	/* fire everything due now; timers added by callbacks with delay 0 run
	 * in the next round, so a callback cannot starve the loop */
	while (l->heap_len && l->heap[0]->due_us <= now && !l->quit) {
		struct loop_timer *t = l->heap[0];

		heap_remove(l, t);
		if (t->period_us) {
			t->due_us += t->period_us;
			if (t->due_us <= now) /* we fell behind: skip, don't burst */
				t->due_us = now + t->period_us;
			if (heap_push(l, t) < 0)
				continue;
		}
		/* the callback may stop, restart or free the owner of t */
		t->cb(l, t, t->arg);
	}
	timerfd_rearm(l);
}

static void signals_run(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo < SIG_MAX && l->sig_cb[si.ssi_signo])
			l->sig_cb[si.ssi_signo](l, (int)si.ssi_signo, l->sig_arg[si.ssi_signo]);
	}
}

int loop_signal_add(struct loop *l, int signo, loop_signal_h cb, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (!l || signo <= 0 || signo >= SIG_MAX || !cb)
		return -EINVAL;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (l->sigfd < 0) {
		ev.data.ptr = &signal_tag;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
	}
	l->sigfd = fd;
	l->sig_cb[signo] = cb;
	l->sig_arg[signo] = arg;
	return 0;
}

static int loop_iterate(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[32];
	int n;

	n = epoll_wait(l->epfd, evs, 32, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	l->now_us = clock_now_us();
	for (int i = 0; i < n && !l->quit; i++) {
		struct loop_fd *f = evs[i].data.ptr;

		if (f == &timer_tag)
			timers_run(l);
		else if (f == &signal_tag)
			signals_run(l);
		else if (!f->dead)
			f->cb(l, f->fd, evs[i].events, f->arg);
	}
	fds_reap(l);
	return 0;
}

int loop_run(struct loop *l)
{
	int r;

	l->quit = false;
	while (!l->quit) {
		r = loop_iterate(l, -1);
		if (r < 0)
			return r;
	}
	return l->quit_code;
}

int loop_run_for(struct loop *l, uint64_t timeout_us)
{
	uint64_t end = clock_now_us() + timeout_us;
	int r;

	l->quit = false;
	while (!l->quit) {
		uint64_t now = clock_now_us();

		if (now >= end)
			return -ETIMEDOUT;
		r = loop_iterate(l, (int)((end - now + 999) / 1000));
		if (r < 0)
			return r;
	}
	return l->quit_code;
}

void loop_quit(struct loop *l, int code)
{
	l->quit = true;
	l->quit_code = code;
}

uint64_t loop_now_us(struct loop *l)
{
	return l->now_us;
}

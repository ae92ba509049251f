/* loop.h: the epoll event loop that owns a daemon's control state (STYLE G7).
 *
 * DESIGN
 * One struct loop per daemon, run by one thread (the "main loop"). Everything
 * registered on it (fd watches, timers, signals) is called back on that thread,
 * so control state needs no locks. Other threads never touch the loop's
 * objects; they post work through struct wq (lib/loop/wq.h), whose eventfd the
 * loop watches. Timers are kept in a binary heap behind one timerfd.
 * Callbacks may add or remove any watch or timer, including their own.
 */
#ifndef RAKWON_LOOP_LOOP_H
#define RAKWON_LOOP_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct loop_fd;
struct loop_timer;

/* A timer is embedded in its owner's struct (no allocation, no lifetime
 * trap): zero it or call loop_timer_init(), then start/stop it at will.
 * Stopping an idle timer is a no-op. The owner must stop it before freeing. */
struct loop_timer {
	uint64_t due_us;
	uint64_t period_us;
	void (*cb)(struct loop *l, struct loop_timer *t, void *arg);
	void *arg;
	size_t heap_idx;        /* 0: idle; else index + 1 in the loop's heap */
};

/* events is a mask of EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP */
typedef void (*loop_fd_h)(struct loop *l, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_h)(struct loop *l, struct loop_timer *t, void *arg);
typedef void (*loop_signal_h)(struct loop *l, int signo, void *arg);

int loop_new(struct loop **ret);
struct loop *loop_free(struct loop *l);

/* Watch fd for events. The loop does not own fd. One watch per fd. */
int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_h cb, void *arg);
int loop_fd_mod(struct loop *l, int fd, uint32_t events);
int loop_fd_del(struct loop *l, int fd);

/* (Re)start t: fire after delay_us, then every period_us (0: one shot).
 * Restarting a running timer moves it. Callable from the timer's own cb. */
int loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t delay_us,
		     uint64_t period_us, loop_timer_h cb, void *arg);
void loop_timer_stop(struct loop *l, struct loop_timer *t);
static inline int loop_timer_active(const struct loop_timer *t)
{
	return t->heap_idx != 0;
}

/* Handle signo on the loop (blocks it in the calling thread; call before
 * creating threads so they inherit the mask). */
int loop_signal_add(struct loop *l, int signo, loop_signal_h cb, void *arg);

/* Run until loop_quit(); returns the code passed to it. */
int loop_run(struct loop *l);
/* Run until loop_quit() or until timeout_us passed; -ETIMEDOUT on timeout. */
int loop_run_for(struct loop *l, uint64_t timeout_us);
void loop_quit(struct loop *l, int code);
/* Monotonic time of the current loop iteration (microseconds). */
uint64_t loop_now_us(struct loop *l);

#endif

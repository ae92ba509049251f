/* wq.h: bounded cross-thread work queue woken by an eventfd (STYLE G8).
 *
 * Media threads (leaf workers) post typed work items to the main loop, and
 * the loop posts commands to workers, through a struct wq. Posting never
 * allocates and never blocks: the ring has a fixed capacity chosen at
 * creation, and wq_post() returns -EAGAIN when it is full (the caller counts
 * the drop). The critical section is a few stores under a mutex, short enough
 * for an audio thread. The consumer is either a loop (wq_attach) or a thread
 * that waits with wq_wait(). Objects carried in items are owned by the item:
 * the consumer takes ownership; wq_free() releases undelivered items through
 * the drop callback.
 */
#ifndef RAKWON_LOOP_WQ_H
#define RAKWON_LOOP_WQ_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct wq;

struct wq_item {
	int type;          /* user-defined enum work_type */
	uint32_t id;       /* object id: lets the consumer cancel by object */
	int64_t val;
	void *ptr;         /* owned by the item */
};

typedef void (*wq_h)(struct wq *q, const struct wq_item *it, void *arg);

int wq_new(struct wq **ret, unsigned capacity);
/* Frees the queue; undelivered items go to drop (may be NULL). */
struct wq *wq_free(struct wq *q, wq_h drop, void *arg);
/* Any thread. -EAGAIN when full. */
int wq_post(struct wq *q, const struct wq_item *it);
/* Consumer side: pop one item; -EAGAIN when empty. */
int wq_pop(struct wq *q, struct wq_item *ret);
/* Block up to timeout_ms (-1: forever) until an item may be there. */
int wq_wait(struct wq *q, int timeout_ms);
/* Let a loop deliver items to cb on the loop thread. */
int wq_attach(struct wq *q, struct loop *l, wq_h cb, void *arg);
void wq_detach(struct wq *q);
int wq_fd(struct wq *q);
unsigned wq_dropped(struct wq *q);

#endif

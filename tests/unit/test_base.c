/* test_base.c: base library: buffers, cursors, clocks, loop, work queue. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "lib/loop/wq.h"
#include "test.h"

TEST(rcur_bounds)
{
	const uint8_t d[] = { 1, 2, 3, 4, 5 };
	struct rcur c;

	rcur_init(&c, d, sizeof(d));
	CHECK_EQ(rcur_u8(&c), 1);
	CHECK_EQ(rcur_u16(&c), 0x0203);
	CHECK(rcur_ok(&c));
	CHECK_EQ(rcur_u32(&c), 0);   /* only 2 left: fails */
	CHECK(!rcur_ok(&c));
	CHECK_EQ(rcur_u8(&c), 0);    /* sticky */
	CHECK_EQ(rcur_left(&c), 0);
}

TEST(wcur_bounds)
{
	uint8_t d[3];
	struct wcur w;

	wcur_init(&w, d, sizeof(d));
	wcur_u16(&w, 0xabcd);
	CHECK(!w.bad);
	wcur_u16(&w, 1);
	CHECK(w.bad);
	CHECK_EQ(d[0], 0xab);
	CHECK_EQ(w.pos, 2);
}

TEST(buf_refcount)
{
	struct buf *b, *b2;

	CHECK_OK(buf_new_copy(&b, "abc", 3));
	b2 = buf_ref(b);
	CHECK(b2 == b);
	CHECK_OK(buf_append(b, "defgh", 5));
	CHECK_EQ(b->len, 8);
	CHECK(memcmp(b->data, "abcdefgh", 8) == 0);
	b2 = buf_unref(b2);
	CHECK(b2 == NULL);
	b = buf_unref(b);
}

TEST(ntp_roundtrip)
{
	uint64_t us = 1700000000123456ULL;

	CHECK(llabs((long long)clock_ntp_to_us(clock_us_to_ntp(us)) - (long long)us) <= 1);
}

struct tstate {
	int fired_once, fired_periodic;
	struct loop_timer once, periodic, stopper;
};

static void on_once(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tstate *s = arg;

	s->fired_once++;
}

static void on_periodic(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tstate *s = arg;

	if (++s->fired_periodic == 3)
		loop_timer_stop(l, t);
}

static void on_stop(struct loop *l, struct loop_timer *t, void *arg)
{
	loop_quit(l, 42);
}

TEST(loop_timers)
{
	struct loop *l;
	struct tstate s = { 0 };

	CHECK_OK(loop_new(&l));
	CHECK_OK(loop_timer_start(l, &s.once, 1000, 0, on_once, &s));
	CHECK_OK(loop_timer_start(l, &s.periodic, 2000, 2000, on_periodic, &s));
	CHECK_OK(loop_timer_start(l, &s.stopper, 50000, 0, on_stop, &s));
	CHECK(loop_timer_active(&s.once));
	CHECK_EQ(loop_run_for(l, 5000000), 42);
	CHECK_EQ(s.fired_once, 1);
	CHECK_EQ(s.fired_periodic, 3);
	CHECK(!loop_timer_active(&s.once));
	CHECK(!loop_timer_active(&s.periodic));
	loop_free(l);
}

TEST(loop_run_for_times_out)
{
	struct loop *l;

	CHECK_OK(loop_new(&l));
	CHECK_EQ(loop_run_for(l, 20000), -ETIMEDOUT);
	loop_free(l);
}

static void on_pipe(struct loop *l, int fd, uint32_t ev, void *arg)
{
	char c;

	CHECK(read(fd, &c, 1) == 1);
	*(char *)arg = c;
	loop_fd_del(l, fd);
	loop_quit(l, 0);
}

TEST(loop_fd_watch)
{
	struct loop *l;
	int p[2];
	char got = 0;

	CHECK(pipe(p) == 0);
	CHECK_OK(loop_new(&l));
	CHECK_OK(loop_fd_add(l, p[0], EPOLLIN, on_pipe, &got));
	CHECK_EQ(loop_fd_add(l, p[0], EPOLLIN, on_pipe, &got), -EEXIST);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK_EQ(loop_run_for(l, 2000000), 0);
	CHECK_EQ(got, 'x');
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

#define NPOST 10000

static void *poster(void *arg)
{
	struct wq *q = arg;

	for (int i = 0; i < NPOST; i++) {
		struct wq_item it = { .type = 1, .val = i };

		while (wq_post(q, &it) == -EAGAIN)
			usleep(100);
	}
	return NULL;
}


TEST(wq_cross_thread)
{
	struct wq *q;
	struct wq_item it;
	pthread_t th[2];
	int got = 0;

	CHECK_OK(wq_new(&q, 64));
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, poster, q) == 0);
	while (got < 2 * NPOST) {
		if (wq_pop(q, &it) == 0) {
			got++;
			continue;
		}
		CHECK(wq_wait(q, 5000) == 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(got, 2 * NPOST);
	CHECK_EQ(wq_pop(q, &it), -EAGAIN);
	wq_free(q, NULL, NULL);
}

TEST(wq_full_is_eagain)
{
	struct wq *q;
	struct wq_item it = { 0 };

	CHECK_OK(wq_new(&q, 2));
	CHECK_OK(wq_post(q, &it));
	CHECK_OK(wq_post(q, &it));
	CHECK_EQ(wq_post(q, &it), -EAGAIN);
	CHECK_EQ(wq_dropped(q), 1);
	wq_free(q, NULL, NULL);
}

TEST(log_spec)
{
	CHECK_OK(log_set_spec("warn,rtp=debug"));
	CHECK_EQ(log_set_spec("loud"), -EINVAL);
	CHECK_OK(log_set_spec("info"));
}

#include "lib/net/net.h"

TEST(net_addr_forms)
{
	struct net_addr a, b;
	char s[64];

	CHECK_OK(net_addr_parse(&a, "127.0.0.1:5060", 1));
	CHECK_EQ(net_addr_port(&a), 5060);
	CHECK_STR(net_addr_str(&a, s, sizeof(s)), "127.0.0.1:5060");
	CHECK_OK(net_addr_parse(&b, "[::1]:40000", 1));
	CHECK_STR(net_addr_str(&b, s, sizeof(s)), "[::1]:40000");
	CHECK(net_addr_is_loopback(&a) && net_addr_is_loopback(&b));
	CHECK_OK(net_addr_parse(&b, "127.0.0.1", 5060));
	CHECK(net_addr_eq(&a, &b));
	CHECK_EQ(net_addr_parse(&a, "127.0.0.1:99999", 1), -EINVAL);
	CHECK_EQ(net_addr_parse(&a, "example.org:5060", 1), -EINVAL);
	CHECK_EQ(net_addr_parse(&a, "[::1", 1), -EINVAL);
}

TEST(net_udp_pair)
{
	struct net_addr a, b;
	int f1, f2;

	CHECK_OK(net_addr_parse(&a, "127.0.0.1", 0));
	CHECK_OK(net_udp_bind_pair(&a, &b, 0, &f1, &f2));
	CHECK_EQ(net_addr_port(&a) % 2, 0);
	CHECK_EQ(net_addr_port(&b), net_addr_port(&a) + 1);
	close(f1);
	close(f2);
}

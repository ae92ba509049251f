/* test_aring.c: the lock-free reference ring: order, priming, bounds, counters, two threads. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "audio/aring.h"
#include "test.h"

TEST(aring_keeps_order_and_primes)
{
	struct aring *r;
	int16_t in[480], out[480];
	uint64_t dw, dr, un;

	CHECK_OK(aring_new(&r, 4800, 960, 2400));
	for (int i = 0; i < 480; i++)
		in[i] = (int16_t)i;
	CHECK_EQ(aring_write(r, in, 480), 480);
	CHECK_EQ(aring_read(r, out, 480), -EAGAIN);     /* not primed yet */
	CHECK_EQ(aring_write(r, in, 480), 480);
	CHECK_OK(aring_read(r, out, 480));
	for (int i = 0; i < 480; i++)
		CHECK_EQ(out[i], i);
	CHECK_OK(aring_read(r, out, 480));
	/* dry: the writer is late; silence stands in, its place is kept */
	CHECK_OK(aring_read(r, out, 480));
	CHECK_EQ(out[0], 0);
	CHECK_EQ(out[479], 0);
	aring_counters(r, &dw, &dr, &un);
	CHECK_EQ(un, 1);
	for (int i = 0; i < 480; i++)
		in[i] = (int16_t)(1000 + i);
	CHECK_EQ(aring_write(r, in, 480), 480);     /* the late block: skipped */
	for (int i = 0; i < 480; i++)
		in[i] = (int16_t)(2000 + i);
	CHECK_EQ(aring_write(r, in, 480), 480);
	CHECK_OK(aring_read(r, out, 480));
	CHECK_EQ(out[0], 2000);
	CHECK_EQ(out[479], 2479);
	/* away for longer than max_fill: stopped, waits for the prime again */
	for (int k = 0; k < 5; k++)
		(void)aring_read(r, out, 480);
	CHECK_EQ(aring_read(r, out, 480), -EAGAIN);
	CHECK_EQ(aring_write(r, in, 480), 480);
	CHECK_EQ(aring_read(r, out, 480), -EAGAIN);
	r = aring_free(r);
	CHECK(r == NULL);
}

TEST(aring_bounds_fill_and_drops_when_full)
{
	struct aring *r;
	int16_t in[480] = { 0 }, out[480];
	uint64_t dw, dr, un;

	CHECK_OK(aring_new(&r, 2048, 480, 960));
	for (int k = 0; k < 5; k++)
		aring_write(r, in, 480);        /* 2400 offered, 2048 fit */
	CHECK_EQ(aring_fill(r), 2048);
	aring_counters(r, &dw, &dr, &un);
	CHECK_EQ(dw, 352);
	aring_free(r);
	/* a fill above max_fill for a whole window is trimmed to max_fill */
	CHECK_OK(aring_new(&r, 4096, 480, 960));
	for (int k = 0; k < 5; k++)
		aring_write(r, in, 480);
	for (int k = 0; k < ARING_TRIM_READS - 1; k++) {
		CHECK_OK(aring_read(r, out, 480));
		aring_write(r, in, 480);
	}
	CHECK_EQ(aring_fill(r), 2400);          /* not yet: it may be a late reader */
	CHECK_OK(aring_read(r, out, 480));
	CHECK_EQ(aring_fill(r), 960);           /* the reader dropped to max_fill */
	aring_counters(r, &dw, &dr, &un);
	CHECK_EQ(dr, 2400 - 480 - 960);
	aring_free(r);
	/* a late reader catching up (the fill falls back within the window) is not trimmed */
	CHECK_OK(aring_new(&r, 4096, 480, 960));
	for (int k = 0; k < 5; k++)
		aring_write(r, in, 480);
	for (int k = 0; k < 2 * ARING_TRIM_READS; k++) {
		CHECK_OK(aring_read(r, out, 480));
		if (k >= 3)
			aring_write(r, in, 480);
	}
	aring_counters(r, &dw, &dr, &un);
	CHECK_EQ(dr, 0);
	CHECK_EQ(aring_fill(r), 960);
	aring_free(r);
	CHECK_EQ(aring_new(&r, 100, 200, 100), -EINVAL);
	CHECK_EQ(aring_new(&r, 100, 10, 200), -EINVAL);
}

struct pc {
	struct aring *r;
	int n;
	int bad;
};

static void *producer(void *arg)
{
	struct pc *p = arg;
	int16_t buf[480];
	int v = 0;

	while (v < p->n) {
		int k = 0;

		for (; k < 480 && v + k < p->n; k++)
			buf[k] = (int16_t)(v + k);
		size_t w = 0;
		while (w < (size_t)k) {
			w += aring_write(p->r, buf + w, (size_t)k - w);
			if (w < (size_t)k)
				sched_yield();
		}
		v += k;
	}
	return NULL;
}

TEST(aring_two_threads_see_every_sample_in_order)
{
	struct pc p = { .n = 480 * 2000 };
	pthread_t th;
	int16_t out[480];
	int got = 0;

	CHECK_OK(aring_new(&p.r, 4096, 480, 4096));
	CHECK_OK(pthread_create(&th, NULL, producer, &p));
	while (got < p.n) {
		/* only whole blocks (a short ring would stand in silence) */
		if (aring_fill(p.r) < 480 || aring_read(p.r, out, 480) < 0) {
			sched_yield();
			continue;
		}
		for (int i = 0; i < 480; i++)
			if (out[i] != (int16_t)(got + i))
				p.bad++;
		got += 480;
	}
	pthread_join(th, NULL);
	CHECK_EQ(p.bad, 0);
	aring_free(p.r);
}

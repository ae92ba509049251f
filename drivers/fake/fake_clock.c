/* fake_clock.c: real-time pacing and file helpers for the fake twins. */
#include <errno.h>
#include <string.h>

#include "drv/media_drv.h"
#include "fake/fake_int.h"
#include "lib/base/clock.h"

void fake_clock_init(struct fake_clock *c, const char *args, uint64_t num, uint64_t den,
		     bool skip)
{
	memset(c, 0, sizeof(*c));
	c->realtime = drv_arg_int(args, "realtime", 1) != 0;
	c->skip = skip;
	c->num = num;
	c->den = den ? den : 1;
	c->max_lag_us = 2 * num / c->den;
	if (c->max_lag_us < 100000 && !skip)
		c->max_lag_us = 100000;
	c->t0 = clock_now_us();
}

static uint64_t unit_start(const struct fake_clock *c, uint64_t n)
{
	return c->t0 + n * c->num / c->den;
}

uint64_t fake_clock_wait(struct fake_clock *c, bool at_end)
{
	uint64_t now, due;

	if (!c->realtime)
		return clock_now_us();
	now = clock_now_us();
	due = unit_start(c, c->n + (at_end ? 1 : 0));
	if (now > due + c->max_lag_us) {
		if (c->skip) {
			/* the device kept running while nobody read: units are lost */
			c->n = (now - c->t0) * c->den / c->num + (at_end ? 0 : 1);
		} else {
			/* the device stalled with its reader: restart the schedule */
			c->t0 = now - c->n * c->num / c->den - (at_end ? c->num / c->den : 0);
		}
		due = unit_start(c, c->n + (at_end ? 1 : 0));
	}
	clock_sleep_until_us(due);
	return unit_start(c, c->n);
}

void fake_play_init(struct fake_play *p, const char *args, int rate, unsigned buf_ms)
{
	memset(p, 0, sizeof(*p));
	p->realtime = drv_arg_int(args, "realtime", 1) != 0;
	p->rate = rate > 0 ? rate : 48000;
	p->buf_samples = (uint64_t)p->rate * buf_ms / 1000;
}

void fake_play_write(struct fake_play *p, int samples)
{
	uint64_t now, played;

	if (!p->realtime || samples <= 0)
		return;
	now = clock_now_us();
	played = p->written ? (now - p->t0) * (uint64_t)p->rate / 1000000 : 0;
	if (!p->written || played >= p->written) {
		if (p->written)
			p->underruns++;
		p->t0 = now;
		p->written = 0;
		played = 0;
	}
	/* wait until the new samples fit: written + samples - played <= buffer */
	if (p->written + (uint64_t)samples > played + p->buf_samples) {
		uint64_t need = p->written + (uint64_t)samples - p->buf_samples;

		clock_sleep_until_us(p->t0 + need * 1000000 / (uint64_t)p->rate);
	}
	p->written += (uint64_t)samples;
}

int fake_fopen_arg(FILE **ret, const char *args, const char *mode, char *path, size_t pathlen)
{
	char m[8];
	FILE *f;
	int r;

	r = drv_arg(args, "path", path, pathlen);
	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
	snprintf(m, sizeof(m), "%se", mode);
	f = fopen(path, m);
	if (!f)
		return -errno;
	*ret = f;
	return 0;
}

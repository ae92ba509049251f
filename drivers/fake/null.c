/* null.c: sinks that discard what they get and count it (for tests and headless runs).
 *
 * The counts are logged at debug level on close ("fake" topic). The audio sink
 * behaves like a speaker with a 40 ms buffer (fake_play): write() blocks while
 * the buffer is full, so a playout thread is paced by it as by ALSA; args
 * "realtime=0" makes it never block, "buffer_ms=<n>" sets the buffer.
 */
#include <errno.h>

#include "drv/drivers.h"
#include "fake/fake_int.h"
#include "lib/log/log.h"

LOG_TOPIC(fake);

struct nullsink {
	uint64_t units, bytes;
	uint64_t last_capture_us;
	struct fake_play play;   /* audio only */
};

static int null_vidsink_open(void *priv, struct vidsink_params *p)
{
	return 0;
}

static void nullsink_close(void *priv)
{
	struct nullsink *s = priv;

	log_debug(fake, "null sink: %llu units, %llu bytes", (unsigned long long)s->units,
		  (unsigned long long)s->bytes);
}

static int null_vidsink_write(void *priv, struct vframe *f)
{
	struct nullsink *s = priv;

	s->units++;
	s->bytes += vfmt_frame_size(f->fmt, f->width, f->height);
	s->last_capture_us = f->capture_us;
	return 0;
}

const struct vidsink_ops null_vidsink_ops = {
	.name = "null",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct nullsink),
	.open = null_vidsink_open,
	.close = nullsink_close,
	.write = null_vidsink_write,
};

static int null_audsink_open(void *priv, struct audsink_params *p)
{
	struct nullsink *s = priv;
	int buf_ms = drv_arg_int(p->args, "buffer_ms", 40);

	if (p->rate <= 0 || p->rate > 384000 || buf_ms < 1 || buf_ms > 10000)
		return -EINVAL;
	fake_play_init(&s->play, p->args, p->rate, (unsigned)buf_ms);
	return 0;
}

static int null_audsink_write(void *priv, struct aframe *a)
{
	struct nullsink *s = priv;

	fake_play_write(&s->play, a->samples);
	s->units++;
	s->bytes += (uint64_t)a->samples * (uint64_t)a->channels * 2;
	s->last_capture_us = a->capture_us;
	return 0;
}

const struct audsink_ops null_audsink_ops = {
	.name = "null",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct nullsink),
	.open = null_audsink_open,
	.close = nullsink_close,
	.write = null_audsink_write,
};

/* tone.c: fake microphone producing a sine tone, paced in real time.
 *
 * args: freq=<Hz> (default 440, 1..20000), level=<dBFS> (default -20, -96..0),
 *       realtime=0|1. Every channel carries the same tone; the phase runs on
 * across reads. Reads return params.frame_samples (default 480) at 48 kHz,
 * paced and time-stamped like wav (capture_us is the first sample's time).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "drv/drivers.h"
#include "fake/fake_int.h"

struct tone {
	double phase, step, amp;
	int channels, frame_samples;
	struct fake_clock clk;
	uint32_t seq;
};

static int tone_open(void *priv, struct audsrc_params *p)
{
	struct tone *t = priv;
	int freq = drv_arg_int(p->args, "freq", 440);
	int level = drv_arg_int(p->args, "level", -20);

	if ((p->rate && p->rate != 48000) || p->channels < 0 || p->channels > 8 ||
	    p->frame_samples < 0 || p->frame_samples > 48000 || freq < 1 || freq > 20000 ||
	    level < -96 || level > 0)
		return -EINVAL;
	p->rate = 48000;
	if (!p->channels)
		p->channels = 1;
	if (!p->frame_samples)
		p->frame_samples = 480;
	t->channels = p->channels;
	t->frame_samples = p->frame_samples;
	t->step = 2 * M_PI * freq / 48000.0;
	t->amp = 32767.0 * pow(10.0, level / 20.0);
	fake_clock_init(&t->clk, p->args, (uint64_t)t->frame_samples * 1000000, 48000, false);
	return 0;
}

static void tone_close(void *priv)
{
}

static int tone_read(void *priv, struct aframe **ret)
{
	struct tone *t = priv;
	struct aframe *a;
	int r = aframe_new(&a, 48000, t->channels, t->frame_samples);

	if (r < 0)
		return r;
	for (int i = 0; i < t->frame_samples; i++) {
		int16_t v = (int16_t)lrint(t->amp * sin(t->phase));

		for (int c = 0; c < t->channels; c++)
			a->pcm[i * t->channels + c] = v;
		t->phase += t->step;
		if (t->phase >= 2 * M_PI)
			t->phase -= 2 * M_PI;
	}
	a->capture_us = fake_clock_wait(&t->clk, true);
	a->seq = t->seq++;
	t->clk.n++;
	*ret = a;
	return 0;
}

const struct audsrc_ops tone_audsrc_ops = {
	.name = "tone",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct tone),
	.open = tone_open,
	.close = tone_close,
	.read = tone_read,
};

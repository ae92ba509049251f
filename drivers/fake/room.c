/* room.c: a simulated meeting room as an audio sink/source pair (what is played comes back as echo).
 *
 * The sink "room" is the loudspeaker and the source "room" the microphone of
 * one room, joined by name (args room=NAME, default "room") inside one
 * process. Everything the sink plays is put on the room's timeline at the
 * time the fake speaker would play it (a device buffer of up to 120 ms that
 * starts playing 60 ms after a run's first write: a clock-paced writer may be
 * up to 60 ms late before it underruns, on a loaded test machine too); the
 * microphone hears, at the time of each captured sample:
 *   echo  = gain (direct path after delay_ms + a reverberation tail of RT60 rt60,
 *           Schroeder's four combs and two all-passes: linear and time-invariant)
 *   + the near-end talker (path=<wav>, 48 kHz mono 16-bit, looped, level near_db)
 *   + noise (noise_dbfs, deterministic).
 * Source args: room=NAME, path=WAV, delay_ms (0..400, default 80), rt60_ms
 * (50..1500, default 300), echo_db (-40..0, default -6: echo level against
 * what is played), near_db (-40..20, default 0), noise_dbfs (-96..-20,
 * default -70), near_at_ms (default 0: the talker starts then).
 * Sink args: room=NAME. Real time only. Test twin: the room is shared under
 * a mutex, the reverberator runs on the source thread.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv/drivers.h"
#include "fake/fake_int.h"
#include "lib/base/clock.h"

#define ROOM_MAX 4
#define ROOM_RING (1 << 17)     /* 2.7 s of the speaker's timeline */
#define NCOMB 4
#define NAP 2

struct room {
	char name[32];
	int refs;
	uint64_t t0_us;                 /* timeline origin */
	int64_t upto;                   /* timeline index after the last played sample */
	int16_t spk[ROOM_RING];         /* speaker samples by timeline index */
};

static pthread_mutex_t rooms_lock = PTHREAD_MUTEX_INITIALIZER;
static struct room *rooms[ROOM_MAX];

static int room_get(const char *args, struct room **ret)
{
	char name[32] = "room";
	int r = 0;

	if (drv_arg(args, "room", name, sizeof(name)) < 0)
		strcpy(name, "room");
	pthread_mutex_lock(&rooms_lock);
	for (int i = 0; i < ROOM_MAX; i++) {
		if (rooms[i] && !strcmp(rooms[i]->name, name)) {
			rooms[i]->refs++;
			*ret = rooms[i];
			goto out;
		}
	}
	r = -ENOSPC;
	for (int i = 0; i < ROOM_MAX; i++) {
		if (!rooms[i]) {
			struct room *rm = calloc(1, sizeof(*rm));

			if (!rm) {
				r = -ENOMEM;
				break;
			}
			strcpy(rm->name, name);
			rm->refs = 1;
			rm->t0_us = clock_now_us();
			rooms[i] = rm;
			*ret = rm;
			r = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&rooms_lock);
	return r;
}

static void room_put(struct room *rm)
{
	pthread_mutex_lock(&rooms_lock);
	if (--rm->refs == 0) {
		for (int i = 0; i < ROOM_MAX; i++)
			if (rooms[i] == rm)
				rooms[i] = NULL;
		free(rm);
	}
	pthread_mutex_unlock(&rooms_lock);
}

static int64_t room_index(const struct room *rm, uint64_t t_us)
{
	return t_us >= rm->t0_us ? (int64_t)((t_us - rm->t0_us) * 48 / 1000) : 0;
}

/* --- loudspeaker ---------------------------------------------------------- */
/* Like a playback device with a start threshold: a run (the first write, or
 * the first after the buffer ran dry) starts playing SPK_START after the
 * write; writes block while SPK_BUF of audio is queued. A writer paced by
 * its own clock keeps about SPK_START queued, so it may be that late. */
#define SPK_START (60 * 48)
#define SPK_BUF (120 * 48)

struct room_spk {
	struct room *rm;
	int64_t idx;                    /* timeline index of the next sample, -1: stopped */
	uint64_t underruns;
};

static int spk_open(void *priv, struct audsink_params *p)
{
	struct room_spk *s = priv;

	if ((p->rate && p->rate != 48000) || p->channels < 0 || p->channels > 2)
		return -EINVAL;
	s->idx = -1;
	return room_get(p->args, &s->rm);
}

static void spk_close(void *priv)
{
	struct room_spk *s = priv;

	room_put(s->rm);
}

static int spk_write(void *priv, struct aframe *f)
{
	struct room_spk *s = priv;
	struct room *rm = s->rm;
	int n = f->samples;
	int64_t now = room_index(rm, clock_now_us());

	if (f->rate != 48000 || f->channels < 1)
		return -EINVAL;
	if (s->idx < now) {
		if (s->idx >= 0)
			s->underruns++;
		s->idx = now + SPK_START;
	}
	if (s->idx + n > now + SPK_BUF)
		clock_sleep_until_us(rm->t0_us + (uint64_t)(s->idx + n - SPK_BUF) * 1000 / 48);
	pthread_mutex_lock(&rooms_lock);
	if (s->idx > rm->upto) {
		for (int64_t i = rm->upto; i < s->idx; i++)
			rm->spk[i & (ROOM_RING - 1)] = 0;
	}
	for (int i = 0; i < n; i++)
		rm->spk[(s->idx + i) & (ROOM_RING - 1)] = f->pcm[i * f->channels];
	if (s->idx + n > rm->upto)
		rm->upto = s->idx + n;
	pthread_mutex_unlock(&rooms_lock);
	s->idx += n;
	return 0;
}

const struct audsink_ops room_audsink_ops = {
	.name = "room",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct room_spk),
	.open = spk_open,
	.close = spk_close,
	.write = spk_write,
};

/* --- microphone ----------------------------------------------------------- */
struct room_mic {
	struct room *rm;
	struct fake_clock clk;
	int channels, frame_samples;
	int64_t idx;                    /* timeline index of the next sample, -1 unset */
	int delay;                      /* samples */
	float g_direct, g_rev, near_g, noise_amp;
	int64_t near_at;
	int16_t *near;                  /* near-end talker, looped */
	int near_n, near_pos;
	float *comb[NCOMB], comb_g[NCOMB];
	int comb_len[NCOMB], comb_pos[NCOMB];
	float *ap[NAP];
	int ap_len[NAP], ap_pos[NAP];
	uint32_t rng;
	uint32_t seq;
	int64_t n_out;
};

static int mic_load_near(struct room_mic *m, const char *args)
{
	struct wav_info w;
	char path[512];
	FILE *f;
	int r;

	if (drv_arg(args, "path", path, sizeof(path)) < 0)
		return 0;
	r = fake_fopen_arg(&f, args, "rb", path, sizeof(path));
	if (r < 0)
		return r;
	r = wav_parse(f, &w);
	if (r >= 0 && (w.rate != 48000 || w.data_len < 2 || w.data_len > (64u << 20)))
		r = -EINVAL;
	if (r >= 0) {
		size_t n = (size_t)(w.data_len / 2 / (uint64_t)w.channels);
		int16_t *buf = malloc((size_t)w.data_len);

		if (!buf) {
			r = -ENOMEM;
		} else if (fseek(f, w.data_off, SEEK_SET) ||
			   fread(buf, 1, (size_t)w.data_len, f) != (size_t)w.data_len) {
			free(buf);
			r = -EIO;
		} else {
			for (size_t i = 0; i < n; i++)
				buf[i] = buf[i * (size_t)w.channels];
			m->near = buf;
			m->near_n = (int)n;
		}
	}
	fclose(f);
	return r;
}

static void mic_close(void *priv)
{
	struct room_mic *m = priv;

	for (int i = 0; i < NCOMB; i++)
		free(m->comb[i]);
	for (int i = 0; i < NAP; i++)
		free(m->ap[i]);
	free(m->near);
	if (m->rm)
		room_put(m->rm);
}

static int mic_open(void *priv, struct audsrc_params *p)
{
	static const float comb_ms[NCOMB] = { 29.7f, 37.1f, 41.1f, 43.7f };
	static const float ap_ms[NAP] = { 5.0f, 1.7f };
	struct room_mic *m = priv;
	int delay_ms = drv_arg_int(p->args, "delay_ms", 80);
	int rt60_ms = drv_arg_int(p->args, "rt60_ms", 300);
	int echo_db = drv_arg_int(p->args, "echo_db", -6);
	int near_db = drv_arg_int(p->args, "near_db", 0);
	int noise_dbfs = drv_arg_int(p->args, "noise_dbfs", -70);
	int near_at_ms = drv_arg_int(p->args, "near_at_ms", 0);
	int r;

	if ((p->rate && p->rate != 48000) || p->channels < 0 || p->channels > 2 ||
	    p->frame_samples < 0 || p->frame_samples > 48000 || delay_ms < 0 || delay_ms > 400 ||
	    rt60_ms < 50 || rt60_ms > 1500 || echo_db < -40 || echo_db > 0 || near_db < -40 ||
	    near_db > 20 || noise_dbfs < -96 || noise_dbfs > -20 || near_at_ms < 0)
		return -EINVAL;
	p->rate = 48000;
	if (!p->channels)
		p->channels = 1;
	if (!p->frame_samples)
		p->frame_samples = 480;
	m->channels = p->channels;
	m->frame_samples = p->frame_samples;
	m->delay = delay_ms * 48;
	/* half the echo energy direct, half reverberant */
	m->g_direct = powf(10.0f, (float)echo_db / 20.0f) * 0.7071f;
	m->g_rev = m->g_direct * 0.35f;
	m->near_g = powf(10.0f, (float)near_db / 20.0f);
	m->noise_amp = 32768.0f * powf(10.0f, (float)noise_dbfs / 20.0f) * 1.732f;
	m->near_at = (int64_t)near_at_ms * 48;
	m->rng = 0x2468aceu;
	m->idx = -1;
	for (int i = 0; i < NCOMB; i++) {
		m->comb_len[i] = (int)(comb_ms[i] * 48.0f);
		m->comb_g[i] = powf(10.0f, -3.0f * comb_ms[i] / (float)rt60_ms);
		m->comb[i] = calloc((size_t)m->comb_len[i], sizeof(float));
	}
	for (int i = 0; i < NAP; i++) {
		m->ap_len[i] = (int)(ap_ms[i] * 48.0f);
		m->ap[i] = calloc((size_t)m->ap_len[i], sizeof(float));
	}
	for (int i = 0; i < NCOMB; i++)
		if (!m->comb[i])
			goto nomem;
	for (int i = 0; i < NAP; i++)
		if (!m->ap[i])
			goto nomem;
	r = mic_load_near(m, p->args);
	if (r >= 0)
		r = room_get(p->args, &m->rm);
	if (r < 0) {
		mic_close(m);
		memset(m, 0, sizeof(*m));
		return r;
	}
	fake_clock_init(&m->clk, "realtime=1", (uint64_t)m->frame_samples * 1000000, 48000, false);
	return 0;
nomem:
	mic_close(m);
	memset(m, 0, sizeof(*m));
	return -ENOMEM;
}

/* one sample of the room's reverberation of x */
static float mic_reverb(struct room_mic *m, float x)
{
	float y = 0;

	for (int i = 0; i < NCOMB; i++) {
		float *b = m->comb[i];
		float o = b[m->comb_pos[i]];

		b[m->comb_pos[i]] = x + m->comb_g[i] * o;
		if (++m->comb_pos[i] == m->comb_len[i])
			m->comb_pos[i] = 0;
		y += o;
	}
	y *= 0.25f;
	for (int i = 0; i < NAP; i++) {
		float *b = m->ap[i];
		float d = b[m->ap_pos[i]];
		float v = y + 0.7f * d;

		b[m->ap_pos[i]] = v;
		y = d - 0.7f * v;
		if (++m->ap_pos[i] == m->ap_len[i])
			m->ap_pos[i] = 0;
	}
	return y;
}

static int mic_read(void *priv, struct aframe **ret)
{
	struct room_mic *m = priv;
	struct room *rm = m->rm;
	struct aframe *a;
	uint64_t t;
	int r;

	r = aframe_new(&a, 48000, m->channels, m->frame_samples);
	if (r < 0)
		return r;
	t = fake_clock_wait(&m->clk, true);
	if (m->idx < 0)
		m->idx = room_index(rm, t);
	pthread_mutex_lock(&rooms_lock);
	for (int i = 0; i < m->frame_samples; i++) {
		int64_t k = m->idx + i - m->delay;
		float x = 0;

		if (k >= 0 && k < rm->upto && k >= rm->upto - ROOM_RING)
			x = rm->spk[k & (ROOM_RING - 1)];
		float v = m->g_direct * x + m->g_rev * mic_reverb(m, x);
		if (m->near && m->n_out >= m->near_at) {
			v += m->near_g * m->near[m->near_pos];
			if (++m->near_pos == m->near_n)
				m->near_pos = 0;
		}
		m->rng = m->rng * 1664525u + 1013904223u;
		v += m->noise_amp * ((float)(m->rng >> 8) / 16777216.0f - 0.5f) * 2.0f;
		int16_t s = v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 : (int16_t)lrintf(v);
		for (int c = 0; c < m->channels; c++)
			a->pcm[i * m->channels + c] = s;
		m->n_out++;
	}
	pthread_mutex_unlock(&rooms_lock);
	m->idx += m->frame_samples;
	a->capture_us = t;
	a->seq = m->seq++;
	m->clk.n++;
	*ret = a;
	return 0;
}

const struct audsrc_ops room_audsrc_ops = {
	.name = "room",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct room_mic),
	.open = mic_open,
	.close = mic_close,
	.read = mic_read,
};

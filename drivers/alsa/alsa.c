/* alsa.c: ALSA capture and playback, 48 kHz S16_LE, 10 ms periods, xrun recovery, mixer.
 *
 * DESIGN
 * Threads: one struct alsa_pcm is used by one thread, the audio thread that
 * reads or writes it. The PCM is opened in blocking mode: snd_pcm_readi() and
 * snd_pcm_writei() sleep in the kernel's poll until a period is ready, so
 * there is no sleep-polling. Steady state allocates nothing (read_into and
 * write); read() allocates the aframe the contract hands out.
 * Errors: -EPIPE (xrun) and -ESTRPIPE (suspend) are recovered in place with
 * snd_pcm_recover() and counted; the period in flight is retried once.
 * Mixer: a simple-mixer element (mixer=NAME, else Master, PCM, Capture) on
 * the same card gives volume (0..100 % of its range) and mute (its switch).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <alsa/asoundlib.h>

#include "alsa/alsa.h"
#include "drv/drivers.h"
#include "lib/base/cleanup.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"

LOG_TOPIC(alsa);

struct alsa_pcm {
	snd_pcm_t *pcm;
	snd_mixer_t *mixer;
	snd_mixer_elem_t *elem;         /* NULL: no mixer control */
	bool capture;
	int frame_samples;              /* samples per channel per read */
	uint32_t seq;
	uint64_t ts_base_us;            /* capture: time of sample ts_base_frames (0: unset) */
	uint64_t ts_base_frames;
	uint64_t ts_last_us;            /* capture_us of the previous read */
	struct alsa_pcm_stats st;
};

static int setup_hw(struct alsa_pcm *a, int rate, int channels, int period_ms, int periods)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t period = (snd_pcm_uframes_t)(rate * period_ms / 1000);
	snd_pcm_uframes_t buffer = period * (snd_pcm_uframes_t)periods;
	unsigned int r = (unsigned int)rate;
	int e;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	if ((e = snd_pcm_hw_params_any(a->pcm, hw)) < 0 ||
	    (e = snd_pcm_hw_params_set_access(a->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (e = snd_pcm_hw_params_set_format(a->pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (e = snd_pcm_hw_params_set_channels(a->pcm, hw, (unsigned int)channels)) < 0 ||
	    (e = snd_pcm_hw_params_set_rate_near(a->pcm, hw, &r, NULL)) < 0 ||
	    (e = snd_pcm_hw_params_set_period_size_near(a->pcm, hw, &period, NULL)) < 0 ||
	    (e = snd_pcm_hw_params_set_buffer_size_near(a->pcm, hw, &buffer)) < 0 ||
	    (e = snd_pcm_hw_params(a->pcm, hw)) < 0)
		return e;
	if ((int)r != rate)
		return -EINVAL; /* the contract is 48 kHz end to end; no resampling here */
	(void)snd_pcm_hw_params_get_period_size(hw, &period, NULL);
	(void)snd_pcm_hw_params_get_buffer_size(hw, &buffer);
	if ((e = snd_pcm_sw_params_current(a->pcm, sw)) < 0 ||
	    (e = snd_pcm_sw_params_set_avail_min(a->pcm, sw, period)) < 0 ||
	    /* playback starts once two periods are queued: a little headroom */
	    (e = snd_pcm_sw_params_set_start_threshold(a->pcm, sw, a->capture ? 1 : 2 * period)) < 0 ||
	    (e = snd_pcm_sw_params(a->pcm, sw)) < 0)
		return e;
	a->st.rate = rate;
	a->st.channels = channels;
	a->st.period_frames = (int)period;
	a->st.buffer_frames = (int)buffer;
	return 0;
}

/* "hw:Loopback,0,0" -> "hw:Loopback"; "default" stays */
static void card_of(const char *dev, char *out, size_t n)
{
	snprintf(out, n, "%s", dev);
	if (!strncmp(out, "hw:", 3) || !strncmp(out, "plughw:", 7)) {
		char *comma = strchr(out, ',');

		if (comma)
			*comma = 0;
		if (!strncmp(out, "plug", 4))
			memmove(out, out + 4, strlen(out + 4) + 1);
	}
}

static void mixer_open(struct alsa_pcm *a, const char *args, const char *dev)
{
	static const char *const names[] = { "Master", "PCM", "Capture", "Mic" };
	char card[64], want[64] = "";
	snd_mixer_selem_id_t *sid;

	if (drv_arg(args, "card", card, sizeof(card)) < 0)
		card_of(dev, card, sizeof(card));
	(void)drv_arg(args, "mixer", want, sizeof(want));
	if (snd_mixer_open(&a->mixer, 0) < 0)
		return;
	if (snd_mixer_attach(a->mixer, card) < 0 || snd_mixer_selem_register(a->mixer, NULL, NULL) < 0 ||
	    snd_mixer_load(a->mixer) < 0) {
		snd_mixer_close(a->mixer);
		a->mixer = NULL;
		return;
	}
	snd_mixer_selem_id_alloca(&sid);
	for (size_t i = 0; i < ARRAY_SIZE(names) + 1 && !a->elem; i++) {
		const char *n = i == 0 ? want : names[i - 1];

		if (!n[0] || (i > 0 && want[0]))
			continue;
		snd_mixer_selem_id_set_index(sid, 0);
		snd_mixer_selem_id_set_name(sid, n);
		a->elem = snd_mixer_find_selem(a->mixer, sid);
	}
	log_debug(alsa, "mixer %s: element %s", card, a->elem ? snd_mixer_selem_get_name(a->elem) : "none");
}

/* alsa-lib prints its own errors to stderr; we return errors instead (a daemon on a box
 * without that card must stay quiet, e.g. when the registry falls back to a fake twin) */
static void quiet_handler(const char *file, int line, const char *fn, int err, const char *fmt, ...)
{
}

static int pcm_open(struct alsa_pcm **ret, bool capture, const char *args, int rate, int channels,
		    int frame_samples)
{
	char dev[64] = "default";
	struct alsa_pcm *a;
	int period_ms, periods, e;

	if (rate <= 0 || channels <= 0 || channels > 8)
		return -EINVAL;
	(void)drv_arg(args, "device", dev, sizeof(dev));
	snd_lib_error_set_handler(quiet_handler);
	period_ms = CLAMP(drv_arg_int(args, "period_ms", 10), 1, 100);
	periods = CLAMP(drv_arg_int(args, "periods", 4), 2, 32);
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->capture = capture;
	a->frame_samples = frame_samples > 0 ? frame_samples : rate * period_ms / 1000;
	snprintf(a->st.device, sizeof(a->st.device), "%s", dev);
	e = snd_pcm_open(&a->pcm, dev, capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK, 0);
	if (e < 0) {
		free(a);
		return log_debug_errno(alsa, e, "open %s: %m", dev);
	}
	e = setup_hw(a, rate, channels, period_ms, periods);
	if (e < 0) {
		alsa_pcm_close(a);
		return log_debug_errno(alsa, e, "%s: hw/sw params: %m", dev);
	}
	if (capture && (e = snd_pcm_start(a->pcm)) < 0) {
		alsa_pcm_close(a);
		return log_debug_errno(alsa, e, "%s: start: %m", dev);
	}
	mixer_open(a, args, dev);
	*ret = a;
	return 0;
}

int alsa_pcm_open_capture(struct alsa_pcm **ret, struct audsrc_params *p)
{
	if (!ret || !p)
		return -EINVAL;
	return pcm_open(ret, true, p->args ? p->args : "", p->rate, p->channels, p->frame_samples);
}

int alsa_pcm_open_playback(struct alsa_pcm **ret, struct audsink_params *p)
{
	if (!ret || !p)
		return -EINVAL;
	return pcm_open(ret, false, p->args ? p->args : "", p->rate, p->channels, 0);
}

static int recover(struct alsa_pcm *a, int e)
{
	a->ts_base_us = 0; /* samples were lost: re-anchor the capture clock */
	if (e == -EPIPE)
		a->st.xruns++;
	else if (e == -ESTRPIPE)
		a->st.suspends++;
	else if (e != -EINTR)
		return e;
	e = snd_pcm_recover(a->pcm, e, 1);
	if (e == 0 && a->capture)
		e = snd_pcm_start(a->pcm);
	return e == -EBADFD ? 0 : e;
}

int alsa_pcm_read_into(struct alsa_pcm *a, int16_t *pcm, int samples)
{
	int done = 0, tries = 0;

	if (!a || !a->capture || !pcm || samples <= 0)
		return -EINVAL;
	while (done < samples) {
		snd_pcm_sframes_t n = snd_pcm_readi(a->pcm, pcm + (size_t)done * a->st.channels,
						    (snd_pcm_uframes_t)(samples - done));

		if (n < 0) {
			int e = recover(a, (int)n);

			if (e < 0)
				return e == -ENODEV ? -ENODEV : e;
			if (++tries > 8)
				return -EIO;
			continue;
		}
		done += (int)n;
	}
	a->st.frames += (uint64_t)samples;
	return 0;
}

int alsa_pcm_read(struct alsa_pcm *a, struct aframe **ret)
{
	struct aframe *f;
	snd_pcm_sframes_t delay = 0;
	int r;

	if (!a || !ret)
		return -EINVAL;
	r = aframe_new(&f, a->st.rate, a->st.channels, a->frame_samples);
	if (r < 0)
		return r;
	r = alsa_pcm_read_into(a, f->pcm, a->frame_samples);
	if (r < 0) {
		aframe_unref(f);
		return r;
	}
	/* timestamps follow the sample count (the device clock), anchored once: the first
	 * sample of this read was captured `delay + samples` frames before now */
	if (!a->ts_base_us) {
		if (snd_pcm_delay(a->pcm, &delay) < 0 || delay < 0)
			delay = 0;
		a->ts_base_frames = a->st.frames - (uint64_t)a->frame_samples;
		a->ts_base_us = clock_now_us() -
				(uint64_t)(delay + a->frame_samples) * 1000000u / (uint64_t)a->st.rate;
	}
	f->capture_us = a->ts_base_us + (a->st.frames - (uint64_t)a->frame_samples - a->ts_base_frames) *
						1000000u / (uint64_t)a->st.rate;
	/* a re-anchor (after an xrun) must not step back: samples were lost, time went on */
	if (a->ts_last_us && f->capture_us <= a->ts_last_us) {
		uint64_t fix = a->ts_last_us + (uint64_t)a->frame_samples * 1000000u / (uint64_t)a->st.rate;

		a->ts_base_us += fix - f->capture_us;
		f->capture_us = fix;
	}
	a->ts_last_us = f->capture_us;
	f->seq = a->seq++;
	*ret = f;
	return 0;
}

int alsa_pcm_write(struct alsa_pcm *a, const struct aframe *f)
{
	int done = 0, tries = 0;

	if (!a || a->capture || !f)
		return -EINVAL;
	if (f->channels != a->st.channels || f->rate != a->st.rate)
		return -EINVAL;
	while (done < f->samples) {
		snd_pcm_sframes_t n = snd_pcm_writei(a->pcm, f->pcm + (size_t)done * f->channels,
						     (snd_pcm_uframes_t)(f->samples - done));

		if (n < 0) {
			int e = recover(a, (int)n);

			if (e < 0)
				return e;
			if (++tries > 8)
				return -EIO;
			continue;
		}
		done += (int)n;
	}
	a->st.frames += (uint64_t)f->samples;
	return 0;
}

int alsa_pcm_set_volume(struct alsa_pcm *a, int percent)
{
	long lo, hi;

	if (!a || !a->elem)
		return -EOPNOTSUPP;
	percent = CLAMP(percent, 0, 100);
	if (snd_mixer_selem_has_playback_volume(a->elem)) {
		snd_mixer_selem_get_playback_volume_range(a->elem, &lo, &hi);
		return snd_mixer_selem_set_playback_volume_all(a->elem, lo + (hi - lo) * percent / 100);
	}
	if (snd_mixer_selem_has_capture_volume(a->elem)) {
		snd_mixer_selem_get_capture_volume_range(a->elem, &lo, &hi);
		return snd_mixer_selem_set_capture_volume_all(a->elem, lo + (hi - lo) * percent / 100);
	}
	return -EOPNOTSUPP;
}

int alsa_pcm_get_volume(struct alsa_pcm *a, int *ret_percent)
{
	long lo, hi, v;
	int e;

	if (!a || !a->elem || !ret_percent)
		return -EOPNOTSUPP;
	if (snd_mixer_selem_has_playback_volume(a->elem)) {
		snd_mixer_selem_get_playback_volume_range(a->elem, &lo, &hi);
		e = snd_mixer_selem_get_playback_volume(a->elem, SND_MIXER_SCHN_FRONT_LEFT, &v);
	} else if (snd_mixer_selem_has_capture_volume(a->elem)) {
		snd_mixer_selem_get_capture_volume_range(a->elem, &lo, &hi);
		e = snd_mixer_selem_get_capture_volume(a->elem, SND_MIXER_SCHN_FRONT_LEFT, &v);
	} else {
		return -EOPNOTSUPP;
	}
	if (e < 0)
		return e;
	*ret_percent = hi > lo ? (int)((v - lo) * 100 + (hi - lo) / 2) / (int)(hi - lo) : 0;
	return 0;
}

int alsa_pcm_set_mute(struct alsa_pcm *a, bool mute)
{
	if (!a || !a->elem)
		return -EOPNOTSUPP;
	/* switches are "on = sound passes" */
	if (snd_mixer_selem_has_playback_switch(a->elem))
		return snd_mixer_selem_set_playback_switch_all(a->elem, !mute);
	if (snd_mixer_selem_has_capture_switch(a->elem))
		return snd_mixer_selem_set_capture_switch_all(a->elem, !mute);
	return -EOPNOTSUPP;
}

int alsa_pcm_get_mute(struct alsa_pcm *a, bool *ret)
{
	int on = 1, e;

	if (!a || !a->elem || !ret)
		return -EOPNOTSUPP;
	if (snd_mixer_selem_has_playback_switch(a->elem))
		e = snd_mixer_selem_get_playback_switch(a->elem, SND_MIXER_SCHN_FRONT_LEFT, &on);
	else if (snd_mixer_selem_has_capture_switch(a->elem))
		e = snd_mixer_selem_get_capture_switch(a->elem, SND_MIXER_SCHN_FRONT_LEFT, &on);
	else
		return -EOPNOTSUPP;
	if (e < 0)
		return e;
	*ret = !on;
	return 0;
}

void alsa_pcm_get_stats(struct alsa_pcm *a, struct alsa_pcm_stats *ret)
{
	*ret = a->st;
}

struct alsa_pcm *alsa_pcm_close(struct alsa_pcm *a)
{
	if (!a)
		return NULL;
	if (a->pcm) {
		if (!a->capture)
			(void)snd_pcm_drain(a->pcm);
		snd_pcm_close(a->pcm);
	}
	if (a->mixer)
		snd_mixer_close(a->mixer);
	free(a);
	return NULL;
}

/* --- the audsrc / audsink contracts --------------------------------------- */

struct alsa_drv {
	struct alsa_pcm *a;
};

static int src_open(void *priv, struct audsrc_params *p)
{
	return alsa_pcm_open_capture(&((struct alsa_drv *)priv)->a, p);
}

static int sink_open(void *priv, struct audsink_params *p)
{
	return alsa_pcm_open_playback(&((struct alsa_drv *)priv)->a, p);
}

static void drv_close(void *priv)
{
	struct alsa_drv *d = priv;

	d->a = alsa_pcm_close(d->a);
}

static int src_read(void *priv, struct aframe **ret)
{
	return alsa_pcm_read(((struct alsa_drv *)priv)->a, ret);
}

static int sink_write(void *priv, struct aframe *f)
{
	return alsa_pcm_write(((struct alsa_drv *)priv)->a, f);
}

const struct audsrc_ops alsa_audsrc_ops = {
	.name = "alsa",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct alsa_drv),
	.open = src_open,
	.close = drv_close,
	.read = src_read,
};

const struct audsink_ops alsa_audsink_ops = {
	.name = "alsa",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct alsa_drv),
	.open = sink_open,
	.close = drv_close,
	.write = sink_write,
};

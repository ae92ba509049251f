/* alsa.h: ALSA capture and playback (the "alsa" audsrc/audsink drivers).
 *
 * Options (params.args): device=hw:Loopback,0,0 (default "default"),
 * period_ms=10, periods=4, mixer=Master (simple mixer element for volume and
 * mute; card taken from the device name), card=hw:0 (mixer card override).
 * Format: S16_LE interleaved at the requested rate (48 kHz), 10 ms periods.
 * The read/write path does not allocate once running, except the aframe
 * handed out by read (one per period, as the contract requires); xruns are
 * recovered with snd_pcm_recover() and counted.
 */
#ifndef RAKWON_DRIVERS_ALSA_H
#define RAKWON_DRIVERS_ALSA_H

#include <stdbool.h>
#include <stdint.h>

#include "drv/frame.h"
#include "drv/media_drv.h"

struct alsa_pcm;

struct alsa_pcm_stats {
	int rate, channels;
	int period_frames, buffer_frames;
	uint64_t frames;        /* sample frames moved */
	uint64_t xruns;         /* over/underruns recovered */
	uint64_t suspends;      /* recovered suspends */
	char device[64];
};

int alsa_pcm_open_capture(struct alsa_pcm **ret, struct audsrc_params *p);
int alsa_pcm_open_playback(struct alsa_pcm **ret, struct audsink_params *p);
/* capture: one period (p->frame_samples) into a new aframe */
int alsa_pcm_read(struct alsa_pcm *a, struct aframe **ret);
/* capture into caller memory (no allocation): exactly `samples` frames */
int alsa_pcm_read_into(struct alsa_pcm *a, int16_t *pcm, int samples);
int alsa_pcm_write(struct alsa_pcm *a, const struct aframe *f);
/* Volume 0..100 and mute on the mixer element (mixer= option). */
int alsa_pcm_set_volume(struct alsa_pcm *a, int percent);
int alsa_pcm_get_volume(struct alsa_pcm *a, int *ret_percent);
int alsa_pcm_set_mute(struct alsa_pcm *a, bool mute);
int alsa_pcm_get_mute(struct alsa_pcm *a, bool *ret);
void alsa_pcm_get_stats(struct alsa_pcm *a, struct alsa_pcm_stats *ret);
struct alsa_pcm *alsa_pcm_close(struct alsa_pcm *a);

#endif

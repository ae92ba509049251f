/* fake_int.h: helpers shared by the fake twins (pacing, file I/O). */
#ifndef RAKWON_DRV_FAKE_INT_H
#define RAKWON_DRV_FAKE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Absolute real-time schedule: unit n starts at t0 + n * num / den us. */
struct fake_clock {
	bool realtime;          /* args "realtime=0" clears it */
	bool skip;              /* behind schedule: skip units (video) or slip t0 (audio) */
	uint64_t t0;
	uint64_t n;             /* next unit */
	uint64_t num, den;      /* unit duration num / den microseconds */
	uint64_t max_lag_us;    /* how far behind before skipping or slipping */
};

void fake_clock_init(struct fake_clock *c, const char *args, uint64_t num, uint64_t den,
		     bool skip);
/* Wait until unit c->n is due (its start, or its end when at_end: audio
 * frames are complete only after their last sample) and return the start time
 * of that unit, or the current time when not real time. The caller advances
 * c->n after producing the unit; c->n may jump forward when skipping. */
uint64_t fake_clock_wait(struct fake_clock *c, bool at_end);

/* A playback device's buffer: write() returns at once while the virtual
 * buffer (buf_us of audio) has room and blocks while it is full; it drains at
 * the real sample rate. An empty buffer is an underrun: playback restarts
 * from the next write. Not real time ("realtime=0"): never blocks. */
struct fake_play {
	bool realtime;
	int rate;
	uint64_t t0;            /* when sample 0 of this run plays */
	uint64_t written;       /* samples queued since t0 */
	uint64_t buf_samples;
	uint64_t underruns;
};

void fake_play_init(struct fake_play *p, const char *args, int rate, unsigned buf_ms);
void fake_play_write(struct fake_play *p, int samples);

/* fopen() with O_CLOEXEC of the "path" argument of args; -EINVAL if absent */
int fake_fopen_arg(FILE **ret, const char *args, const char *mode, char *path, size_t pathlen);

/* Y4M stream header ("YUV4MPEG2 W.. H.. F..:.." without the '\n'); only
 * progressive 4:2:0 with even sizes up to 4096 is accepted, else -EINVAL */
struct y4m_hdr {
	int width, height;
	int fps_num, fps_den;
};
int y4m_header_parse(const char *line, struct y4m_hdr *h);

/* RIFF/WAVE PCM16: where the samples are. Chunks in any order, unknown ones
 * skipped; -EINVAL for anything but 16-bit PCM with 1..8 channels. */
struct wav_info {
	int rate, channels;
	long data_off;          /* file offset of the first sample */
	uint64_t data_len;      /* bytes, clamped to the file size */
};
int wav_parse(FILE *f, struct wav_info *ret);

#endif

/* frame.h: reference-counted media units that cross the pipeline (STYLE G5, G25).
 *
 * struct vframe  raw picture (I420, NV12, YUYV or XRGB8888), with the monotonic
 *                capture time and the source's frame number.
 * struct aframe  raw audio, interleaved signed 16-bit PCM.
 * struct mpkt    one encoded unit: an H.264 access unit (Annex B byte stream)
 *                or one Opus packet.
 * Timestamps: capture_us is CLOCK_MONOTONIC microseconds (lib/base/clock.h) of
 * the moment the source produced the data; every stage keeps it, so latency is
 * measured per stage against it. Frames whose memory belongs to a driver (V4L2
 * mmap buffers) set release(), which gives the memory back on the last unref.
 */
#ifndef RAKWON_DRV_FRAME_H
#define RAKWON_DRV_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/refcnt.h"

enum vfmt {
	VFMT_I420,
	VFMT_NV12,
	VFMT_YUYV,
	VFMT_XRGB8888,
	VFMT_MAX,
};

struct vframe {
	struct refcnt ref;
	enum vfmt fmt;
	int width, height;
	uint8_t *data[3];
	int stride[3];
	uint64_t capture_us;
	uint32_t seq;
	int64_t pts;                         /* carried from the packet (decoders) */
	int dmabuf_fd;                       /* -1: none */
	void (*release)(struct vframe *f);   /* driver memory; NULL: mem is ours */
	void *priv;                          /* for release() */
	uint8_t *mem;
};

const char *vfmt_name(enum vfmt f);
/* bytes of a tightly packed frame, 0 for an invalid format or size */
size_t vfmt_frame_size(enum vfmt f, int w, int h);
/* a new frame with tightly packed planes (even w and h for YUV 4:2:0) */
int vframe_new(struct vframe **ret, enum vfmt fmt, int w, int h);
/* a frame around driver memory; release is called on the last unref */
int vframe_wrap(struct vframe **ret, enum vfmt fmt, int w, int h, uint8_t *const data[3],
		const int stride[3], void (*release)(struct vframe *), void *priv);
struct vframe *vframe_ref(struct vframe *f);
struct vframe *vframe_unref(struct vframe *f);
/* convert/copy src into a new frame of format fmt (same size); I420, NV12,
 * YUYV and XRGB8888 in any direction (BT.601 limited range) */
int vframe_convert(struct vframe **ret, const struct vframe *src, enum vfmt fmt);

struct aframe {
	struct refcnt ref;
	int rate;
	int channels;
	int samples;          /* per channel */
	int16_t *pcm;         /* interleaved, samples * channels */
	uint64_t capture_us;
	uint32_t seq;
};

int aframe_new(struct aframe **ret, int rate, int channels, int samples);
struct aframe *aframe_ref(struct aframe *f);
struct aframe *aframe_unref(struct aframe *f);

struct mpkt {
	struct refcnt ref;
	uint8_t *data;
	size_t len;
	size_t cap;
	uint64_t capture_us;  /* capture time of the source frame */
	int64_t pts;          /* media clock: 90 kHz video, 48 kHz audio */
	bool keyframe;
	uint32_t seq;
};

int mpkt_new(struct mpkt **ret, size_t cap);
int mpkt_new_copy(struct mpkt **ret, const void *data, size_t len);
struct mpkt *mpkt_ref(struct mpkt *p);
struct mpkt *mpkt_unref(struct mpkt *p);

#endif

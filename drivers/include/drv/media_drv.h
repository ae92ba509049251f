/* media_drv.h: the driver contracts (STYLE G10, G11, G25).
 *
 * Every kind of device or codec is one const vtable ("ops") with a name, an
 * api_version and the size of its private state; the registry
 * (drivers/registry.c) holds one table per kind, ordered by preference, and is
 * the only place that knows concrete drivers. Instances are opened by driver
 * name with a params struct; driver-specific options come as a string
 * "key=value,key=value" in params.args (e.g. "device=/dev/video0").
 *
 * Shapes (all return 0 or -errno):
 *   sources   read() blocks until the next unit, paced in real time by the
 *             device (or by the fake twin's clock); -ENODATA at end of stream;
 *             -ENODEV when the device vanished.
 *   sinks     write() takes a reference if it keeps the frame.
 *   encoders  send_frame() then receive_packet() until -EAGAIN; send NULL to
 *   decoders  drain; request_keyframe()/set_bitrate() act on the next frame.
 * Threads: an instance is used by one thread at a time (its media thread).
 */
#ifndef RAKWON_DRV_MEDIA_DRV_H
#define RAKWON_DRV_MEDIA_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drv/frame.h"

#define DRV_API_VERSION 1

/* --- video source: camera, test pattern, Y4M file ---------------------- */
struct vidsrc_params {
	int width, height;
	int fps;
	enum vfmt fmt;          /* wanted format; the driver may pick another */
	bool loop;              /* file sources: restart at the end */
	const char *args;
};

struct vidsrc_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct vidsrc_params *p);  /* may update p */
	void (*close)(void *priv);
	int (*read)(void *priv, struct vframe **ret);
	/* camera controls by V4L2-style name ("zoom", "pan", ...); optional */
	int (*control)(void *priv, const char *name, int value);
};

/* --- audio source: microphone, WAV file, tone ---------------------------- */
struct audsrc_params {
	int rate;               /* 48000 */
	int channels;
	int frame_samples;      /* samples per channel per read (480 = 10 ms) */
	bool loop;
	const char *args;
};

struct audsrc_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct audsrc_params *p);
	void (*close)(void *priv);
	int (*read)(void *priv, struct aframe **ret);
};

/* --- video sink: display, Y4M/PNG file, null ------------------------------ */
/* open() of a display (kms) sets width/height to its current mode, so that
 * a caller composing for it can draw at the display's own size (the fake png
 * sink does the same with args mode=WxH); other sinks leave them alone */
struct vidsink_params {
	int width, height;      /* 0: take the first frame's size */
	const char *args;       /* e.g. "path=/tmp/out.y4m" */
};

struct vidsink_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct vidsink_params *p);
	void (*close)(void *priv);
	int (*write)(void *priv, struct vframe *f);
};

/* --- audio sink: speaker, WAV file, null ---------------------------------- */
struct audsink_params {
	int rate;
	int channels;
	const char *args;
};

struct audsink_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct audsink_params *p);
	void (*close)(void *priv);
	int (*write)(void *priv, struct aframe *f);
};

/* --- video encoder -------------------------------------------------------- */
enum venc_profile {
	VENC_PROFILE_CONSTRAINED_BASELINE,
	VENC_PROFILE_MAIN,
	VENC_PROFILE_HIGH,
	VENC_PROFILE_MAX,
};

struct venc_params {
	int width, height, fps;
	int bitrate_kbps;
	enum venc_profile profile;
	int keyint;             /* frames between periodic keyframes (0: none) */
	bool intra_refresh;     /* periodic intra refresh instead of keyframes */
	int slices;             /* 0: encoder default */
	int threads;            /* 0: auto */
	const char *args;
};

struct venc_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct venc_params *p);
	void (*close)(void *priv);
	int (*send_frame)(void *priv, struct vframe *f);      /* NULL: drain */
	int (*receive_packet)(void *priv, struct mpkt **ret);  /* Annex B AU */
	void (*request_keyframe)(void *priv);
	int (*set_bitrate)(void *priv, int kbps);
};

/* --- video decoder -------------------------------------------------------- */
struct vdec_params {
	const char *args;
};

struct vdec_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct vdec_params *p);
	void (*close)(void *priv);
	int (*send_packet)(void *priv, struct mpkt *p);        /* NULL: drain */
	int (*receive_frame)(void *priv, struct vframe **ret);  /* I420 */
};

/* --- audio encoder / decoder ---------------------------------------------- */
struct aenc_params {
	int rate, channels;
	int frame_ms;           /* 10 or 20 */
	int bitrate_bps;
	bool fec;
	bool dtx;
	int loss_pct;           /* expected packet loss, tunes FEC */
	const char *args;
};

struct aenc_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct aenc_params *p);
	void (*close)(void *priv);
	/* one frame of frame_ms in, one packet out (len 0..2 bytes: DTX) */
	int (*encode)(void *priv, struct aframe *f, struct mpkt **ret);
	int (*set_bitrate)(void *priv, int bps);
};

struct adec_params {
	int rate, channels;
	const char *args;
};

struct adec_ops {
	const char *name;
	int api_version;
	size_t priv_size;
	int (*open)(void *priv, struct adec_params *p);
	void (*close)(void *priv);
	/* p == NULL: conceal a lost frame of `samples` (PLC); fec: decode the
	 * in-band FEC copy of the previous frame carried in p */
	int (*decode)(void *priv, struct mpkt *p, bool fec, int samples, struct aframe **ret);
};

/* --- instances (drivers/registry.c) -------------------------------------- */
struct vidsrc;
struct audsrc;
struct vidsink;
struct audsink;
struct venc;
struct vdec;
struct aenc;
struct adec;

/* name NULL or "": the first driver of the table that opens */
int vidsrc_open(struct vidsrc **ret, const char *name, struct vidsrc_params *p);
int vidsrc_read(struct vidsrc *s, struct vframe **ret);
int vidsrc_control(struct vidsrc *s, const char *name, int value);
struct vidsrc *vidsrc_close(struct vidsrc *s);

int audsrc_open(struct audsrc **ret, const char *name, struct audsrc_params *p);
int audsrc_read(struct audsrc *s, struct aframe **ret);
struct audsrc *audsrc_close(struct audsrc *s);

int vidsink_open(struct vidsink **ret, const char *name, struct vidsink_params *p);
int vidsink_write(struct vidsink *s, struct vframe *f);
struct vidsink *vidsink_close(struct vidsink *s);

int audsink_open(struct audsink **ret, const char *name, struct audsink_params *p);
int audsink_write(struct audsink *s, struct aframe *f);
struct audsink *audsink_close(struct audsink *s);

int venc_open(struct venc **ret, const char *name, struct venc_params *p);
int venc_send_frame(struct venc *e, struct vframe *f);
int venc_receive_packet(struct venc *e, struct mpkt **ret);
void venc_request_keyframe(struct venc *e);
int venc_set_bitrate(struct venc *e, int kbps);
struct venc *venc_close(struct venc *e);

int vdec_open(struct vdec **ret, const char *name, struct vdec_params *p);
int vdec_send_packet(struct vdec *d, struct mpkt *p);
int vdec_receive_frame(struct vdec *d, struct vframe **ret);
struct vdec *vdec_close(struct vdec *d);

int aenc_open(struct aenc **ret, const char *name, struct aenc_params *p);
int aenc_encode(struct aenc *e, struct aframe *f, struct mpkt **ret);
int aenc_set_bitrate(struct aenc *e, int bps);
struct aenc *aenc_close(struct aenc *e);

int adec_open(struct adec **ret, const char *name, struct adec_params *p);
int adec_decode(struct adec *d, struct mpkt *p, bool fec, int samples, struct aframe **ret);
struct adec *adec_close(struct adec *d);

/* Driver option helper: value of key in "k=v,k2=v2" (copied to out);
 * -ENOENT if absent. */
int drv_arg(const char *args, const char *key, char *out, size_t outlen);
int drv_arg_int(const char *args, const char *key, int def);

#endif

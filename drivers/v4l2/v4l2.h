/* v4l2.h: V4L2 camera capture (the "v4l2" vidsrc driver) and its direct API.
 *
 * The vidsrc ops (drivers/registry.c) wrap this object; tests and the terminal
 * use the direct API when they need more than the contract gives: statistics
 * (copies made, re-queues, reopens), presets and the device's file descriptor.
 *
 * Options (params.args, "key=value,..."):
 *   device=/dev/videoN    a node path, or
 *   name=vivid-000-vid-cap   the card name in /sys/class/video4linux/X/name
 *                         (first capture node if neither is given)
 *   prefer=NV12:YUYV:MJPG  format preference order (board data; default NV12:YUYV:MJPG)
 *   dv=1                  HDMI input: pick and set the DV timing matching width/height/fps
 *   buffers=4             mmap buffers (4..16)
 *   presets=/path/file    camera preset file (preset N = control values)
 *   timeout_ms=2000       read() gives -ETIMEDOUT after this long without a frame
 *   latest=1              low latency: read() hands out the newest finished frame and
 *                         gives older waiting ones straight back (counted in stats.stale)
 * Frames are handed out zero-copy: a vframe wraps the mmap'd buffer and the
 * buffer is re-queued when the frame's last reference is dropped. Only MJPEG
 * (decoded with libjpeg-turbo) and formats the contract does not know are
 * copied; stats.copies counts them.
 */
#ifndef RAKWON_DRIVERS_V4L2_H
#define RAKWON_DRIVERS_V4L2_H

#include <stddef.h>
#include <stdint.h>

#include "drv/frame.h"
#include "drv/media_drv.h"

struct v4l2_cam;

struct v4l2_cam_stats {
	uint32_t fourcc;        /* V4L2 pixel format being captured */
	int width, height;
	int fps_num, fps_den;   /* frame interval reported by the device */
	int nbufs;              /* mmap buffers in the queue */
	uint64_t frames;        /* frames handed out */
	uint64_t copies;        /* frames whose pixels were copied or converted */
	uint64_t requeues;      /* buffers given back to the driver */
	uint64_t reopens;       /* successful reopen after the device vanished */
	uint64_t dmabuf_exports;/* buffers with a DMABUF fd (VIDIOC_EXPBUF) */
	uint64_t ts_monotonic;  /* frames stamped by the driver on CLOCK_MONOTONIC */
	uint64_t stale;         /* older frames skipped for a newer one (latest=1) */
	char card[32];          /* device name */
	char path[64];          /* /dev/videoN */
};

/* Open and start streaming. p->width/height/fps/fmt are wishes; on return they
 * hold what the device delivers (fmt: the vframe format handed out). */
int v4l2_cam_open(struct v4l2_cam **ret, struct vidsrc_params *p);
/* Block (poll) until the next frame. -ETIMEDOUT, -ENODEV (device gone; the
 * next read tries to reopen it), or another -errno. */
int v4l2_cam_read(struct v4l2_cam *c, struct vframe **ret);
/* Set a control by name: "zoom", "pan", "tilt", "focus", "exposure",
 * "brightness"... or the V4L2 control's own name (case-insensitive). */
int v4l2_cam_control(struct v4l2_cam *c, const char *name, int value);
int v4l2_cam_control_get(struct v4l2_cam *c, const char *name, int *ret);
/* Presets: the current pan/tilt/zoom/focus values stored as preset idx (0..15)
 * in the presets file, and recalled from it. */
int v4l2_cam_preset_save(struct v4l2_cam *c, int idx);
int v4l2_cam_preset_recall(struct v4l2_cam *c, int idx);
void v4l2_cam_get_stats(struct v4l2_cam *c, struct v4l2_cam_stats *ret);
/* The capture fd (for a caller's own poll), -1 while the device is gone. */
int v4l2_cam_fd(struct v4l2_cam *c);
/* Stop, free buffers and close. Frames still referenced stay valid: the
 * buffers are unmapped when the last one is released. Returns NULL. */
struct v4l2_cam *v4l2_cam_close(struct v4l2_cam *c);

/* Decode one JPEG/MJPEG picture into a new frame of format fmt (I420, NV12,
 * YUYV or XRGB8888). MJPEG streams from UVC webcams often omit the Huffman
 * tables; libjpeg-turbo supplies the standard ones. */
int v4l2_mjpeg_decode(struct vframe **ret, const uint8_t *jpg, size_t len, enum vfmt fmt);

#endif

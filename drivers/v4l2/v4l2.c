/* v4l2.c: V4L2 camera capture, mmap streaming with zero-copy frames.
 *
 * DESIGN
 * Threads: a struct v4l2_cam is used by one thread (the capture thread); the
 * frames it hands out may be released on any thread (encoder, display).
 * Ownership: the device fd, the mmap'd buffers and their DMABUF fds belong to
 * a reference-counted struct v4l2_queue. The camera holds one reference while
 * streaming, and every frame handed out holds one. When a frame's last
 * reference goes, its buffer is queued back (VIDIOC_QBUF, thread-safe in the
 * kernel) if the queue is still live, else just dropped; the queue unmaps and
 * closes when the last holder lets go, so frames stay valid after close() or
 * after the device vanished.
 * States: STREAMING -> (device error: ENODEV/EIO/POLLERR) -> GONE -> reopen by
 * the same name or path when it reappears (inotify on /dev, no sleep-polling)
 * -> STREAMING. read() waits with poll() on the capture fd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "drv/drivers.h"
#include "lib/base/cleanup.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "v4l2/v4l2.h"
#include "v4l2/v4l2_int.h"

LOG_TOPIC(v4l2);

#define V4L2_MAX_BUFS 16

struct v4l2_queue;

struct v4l2_buf {
	struct v4l2_queue *q;
	uint8_t *start;
	size_t len;
	int index;
	int dmabuf_fd;
};

struct v4l2_queue {
	struct refcnt ref;
	int fd;
	atomic_bool live;               /* false once stopped or the device vanished */
	atomic_uint_fast64_t requeues;
	int nbufs;
	struct v4l2_buf bufs[V4L2_MAX_BUFS];
};

struct v4l2_cam {
	/* owned by the capture thread */
	char want_name[64];             /* name= or empty */
	char want_path[64];             /* device= or empty */
	char presets[256];              /* presets file or empty */
	char prefer[64];
	int want_bufs;
	int timeout_ms;
	bool dv;
	bool latest;
	struct vidsrc_params p;         /* wishes (args copied below) */
	struct v4l2_queue *q;           /* NULL while gone */
	int inotify_fd;
	uint32_t fourcc;
	enum vfmt fmt;                  /* what frames are handed out as */
	int width, height, bpl, sizeimage;
	uint32_t seq;
	struct v4l2_cam_stats st;
	uint64_t requeues_before;       /* requeues of queues already dropped */
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static struct v4l2_queue *queue_unref(struct v4l2_queue *q)
{
	if (!q || !refcnt_dec(&q->ref))
		return NULL;
	for (int i = 0; i < q->nbufs; i++) {
		if (q->bufs[i].start && q->bufs[i].start != MAP_FAILED)
			munmap(q->bufs[i].start, q->bufs[i].len);
		if (q->bufs[i].dmabuf_fd >= 0)
			close(q->bufs[i].dmabuf_fd);
	}
	if (q->fd >= 0)
		close(q->fd);
	free(q);
	return NULL;
}

static int queue_qbuf(struct v4l2_queue *q, int index)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
		.index = (uint32_t)index,
	};

	return xioctl(q->fd, VIDIOC_QBUF, &b);
}

/* vframe release: runs on whatever thread drops the last frame reference */
static void buf_release(struct vframe *f)
{
	struct v4l2_buf *b = f->priv;
	struct v4l2_queue *q = b->q;

	if (atomic_load(&q->live) && queue_qbuf(q, b->index) == 0)
		atomic_fetch_add(&q->requeues, 1);
	queue_unref(q);
}

/* --- finding the device ------------------------------------------------- */

static int sysfs_name(const char *node, char *out, size_t n)
{
	char path[320];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/video4linux/%s/name", node);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(out, (int)n, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	out[strcspn(out, "\n")] = 0;
	return 0;
}

static bool is_capture(int fd)
{
	struct v4l2_capability cap = { 0 };
	uint32_t c;

	if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
		return false;
	c = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	return (c & V4L2_CAP_VIDEO_CAPTURE) && (c & V4L2_CAP_STREAMING);
}

/* open the node given by path, or the capture node whose name is name, or the first one */
static int device_open(struct v4l2_cam *c, char *path_out, size_t n)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (c->want_path[0]) {
		fd = open(c->want_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		snprintf(path_out, n, "%s", c->want_path);
		return fd;
	}
	d = opendir("/sys/class/video4linux");
	if (!d)
		return -ENODEV;
	while ((de = readdir(d))) {
		char name[64], path[64];

		if (strncmp(de->d_name, "video", 5) != 0)
			continue;
		if (c->want_name[0] && (sysfs_name(de->d_name, name, sizeof(name)) < 0 ||
					strcmp(name, c->want_name) != 0))
			continue;
		snprintf(path, sizeof(path), "/dev/%.40s", de->d_name);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_capture(fd)) {
			snprintf(path_out, n, "%s", path);
			closedir(d);
			return fd;
		}
		close(fd);
	}
	closedir(d);
	return -ENODEV;
}

/* --- format choice ------------------------------------------------------ */

static uint32_t fourcc_of(const char *s)
{
	char f[4] = { ' ', ' ', ' ', ' ' };

	for (int i = 0; i < 4 && s[i]; i++)
		f[i] = s[i];
	return v4l2_fourcc(f[0], f[1], f[2], f[3]);
}

static bool has_format(int fd, uint32_t fourcc)
{
	for (uint32_t i = 0; i < 256; i++) {
		struct v4l2_fmtdesc d = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

		if (xioctl(fd, VIDIOC_ENUM_FMT, &d) < 0)
			return false;
		if (d.pixelformat == fourcc)
			return true;
	}
	return false;
}

/* distance of a size from the wish: exact 0, else bigger is worse, smaller a bit worse */
static long size_cost(int w, int h, int ww, int wh)
{
	long a = (long)w * h, wa = (long)ww * wh;

	if (w == ww && h == wh)
		return 0;
	return a > wa ? (a - wa) : 4 * (wa - a);
}

static void pick_size(int fd, uint32_t fourcc, int ww, int wh, int *rw, int *rh)
{
	long best = -1;

	*rw = ww;
	*rh = wh;
	for (uint32_t i = 0; i < 64; i++) {
		struct v4l2_frmsizeenum s = { .index = i, .pixel_format = fourcc };
		int w, h;
		long cost;

		if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &s) < 0)
			break;
		if (s.type != V4L2_FRMSIZE_TYPE_DISCRETE) {
			/* stepwise/continuous: the driver adjusts our wish in S_FMT */
			return;
		}
		w = (int)s.discrete.width;
		h = (int)s.discrete.height;
		cost = size_cost(w, h, ww, wh);
		if (best < 0 || cost < best) {
			best = cost;
			*rw = w;
			*rh = h;
		}
	}
}

/* HDMI inputs: choose and set the DV timing matching the wished size and rate */
static int set_dv_timings(struct v4l2_cam *c, int fd)
{
	struct v4l2_dv_timings cur = { 0 };

	for (uint32_t i = 0; i < 256; i++) {
		struct v4l2_enum_dv_timings e = { .index = i };
		const struct v4l2_bt_timings *bt = &e.timings.bt;
		uint64_t tot;
		int fps;

		if (xioctl(fd, VIDIOC_ENUM_DV_TIMINGS, &e) < 0)
			break;
		tot = (uint64_t)V4L2_DV_BT_FRAME_WIDTH(bt) * V4L2_DV_BT_FRAME_HEIGHT(bt);
		if (!tot || bt->interlaced)
			continue;
		fps = (int)((bt->pixelclock + tot / 2) / tot);
		if ((int)bt->width != c->p.width || (int)bt->height != c->p.height ||
		    (c->p.fps && fps != c->p.fps))
			continue;
		cur = e.timings;
		if (xioctl(fd, VIDIOC_S_DV_TIMINGS, &cur) < 0)
			return log_debug_errno(v4l2, -errno, "S_DV_TIMINGS: %m");
		log_debug(v4l2, "DV timings index %u: %ux%up%d", i, bt->width, bt->height, fps);
		return 0;
	}
	/* no match: keep what the receiver detects */
	if (xioctl(fd, VIDIOC_QUERY_DV_TIMINGS, &cur) == 0)
		return xioctl(fd, VIDIOC_S_DV_TIMINGS, &cur);
	return -ENOENT;
}

static bool input_is_dv(int fd)
{
	struct v4l2_input in = { 0 };
	int idx = 0;

	if (xioctl(fd, VIDIOC_G_INPUT, &idx) < 0)
		return false;
	in.index = (uint32_t)idx;
	if (xioctl(fd, VIDIOC_ENUMINPUT, &in) < 0)
		return false;
	return in.capabilities & V4L2_IN_CAP_DV_TIMINGS;
}

static int vfmt_of_fourcc(uint32_t f, enum vfmt *ret)
{
	switch (f) {
	case V4L2_PIX_FMT_NV12:
		*ret = VFMT_NV12;
		return 0;
	case V4L2_PIX_FMT_YUYV:
		*ret = VFMT_YUYV;
		return 0;
	case V4L2_PIX_FMT_YUV420:
		*ret = VFMT_I420;
		return 0;
	case V4L2_PIX_FMT_XBGR32: /* B,G,R,X in memory = DRM XRGB8888 */
		*ret = VFMT_XRGB8888;
		return 0;
	}
	return -EOPNOTSUPP;
}

static int configure(struct v4l2_cam *c, int fd)
{
	char pref[64], *save = NULL, *tok;
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_streamparm parm = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	uint32_t fourcc = 0;
	int w, h, r;

	if ((c->dv || input_is_dv(fd)) && c->p.width && c->p.height)
		(void)set_dv_timings(c, fd);
	snprintf(pref, sizeof(pref), "%s", c->prefer);
	for (tok = strtok_r(pref, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
		if (has_format(fd, fourcc_of(tok))) {
			fourcc = fourcc_of(tok);
			break;
		}
	if (!fourcc)
		return -EOPNOTSUPP;
	pick_size(fd, fourcc, c->p.width ? c->p.width : 1280, c->p.height ? c->p.height : 720, &w, &h);
	f.fmt.pix.width = (uint32_t)w;
	f.fmt.pix.height = (uint32_t)h;
	f.fmt.pix.pixelformat = fourcc;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	r = xioctl(fd, VIDIOC_S_FMT, &f);
	if (r < 0)
		return r;
	if (f.fmt.pix.pixelformat != fourcc)
		return -EOPNOTSUPP;
	c->fourcc = fourcc;
	c->width = (int)f.fmt.pix.width;
	c->height = (int)f.fmt.pix.height;
	c->bpl = (int)f.fmt.pix.bytesperline;
	c->sizeimage = (int)f.fmt.pix.sizeimage;
	if (fourcc == V4L2_PIX_FMT_MJPEG)
		c->fmt = c->p.fmt < VFMT_MAX ? c->p.fmt : VFMT_I420;
	else if (vfmt_of_fourcc(fourcc, &c->fmt) < 0)
		return -EOPNOTSUPP;
	if (c->p.fps > 0) {
		parm.parm.capture.timeperframe.numerator = 1;
		parm.parm.capture.timeperframe.denominator = (uint32_t)c->p.fps;
		(void)xioctl(fd, VIDIOC_S_PARM, &parm);
	}
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(fd, VIDIOC_G_PARM, &parm) == 0 && parm.parm.capture.timeperframe.numerator) {
		c->st.fps_num = (int)parm.parm.capture.timeperframe.denominator;
		c->st.fps_den = (int)parm.parm.capture.timeperframe.numerator;
	}
	return 0;
}

static int start_streaming(struct v4l2_cam *c, int fd)
{
	struct v4l2_requestbuffers rb = {
		.count = (uint32_t)c->want_bufs,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_queue *q;
	int r;

	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	if (r < 0)
		return r;
	if (rb.count < 2)
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	refcnt_init(&q->ref);
	q->fd = fd;
	q->nbufs = (int)MIN(rb.count, (uint32_t)V4L2_MAX_BUFS);
	for (int i = 0; i < q->nbufs; i++)
		q->bufs[i].dmabuf_fd = -1;
	for (int i = 0; i < q->nbufs; i++) {
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
			.index = (uint32_t)i,
		};
		struct v4l2_exportbuffer eb = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.index = (uint32_t)i,
			.flags = O_RDONLY | O_CLOEXEC,
		};
		struct v4l2_buf *vb = &q->bufs[i];

		r = xioctl(fd, VIDIOC_QUERYBUF, &b);
		if (r < 0)
			goto fail;
		vb->q = q;
		vb->index = i;
		vb->len = b.length;
		vb->start = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
		if (vb->start == MAP_FAILED) {
			vb->start = NULL;
			r = -errno;
			goto fail;
		}
		/* DMABUF export lets a display or encoder import the buffer; optional */
		if (xioctl(fd, VIDIOC_EXPBUF, &eb) == 0) {
			vb->dmabuf_fd = eb.fd;
			c->st.dmabuf_exports++;
		}
		r = queue_qbuf(q, i);
		if (r < 0)
			goto fail;
	}
	r = xioctl(fd, VIDIOC_STREAMON, &type);
	if (r < 0)
		goto fail;
	atomic_store(&q->live, true);
	c->q = q;
	return 0;
fail:
	q->fd = -1; /* the caller closes fd */
	queue_unref(q);
	return r;
}

static void stop_streaming(struct v4l2_cam *c)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (!c->q)
		return;
	atomic_store(&c->q->live, false);
	(void)xioctl(c->q->fd, VIDIOC_STREAMOFF, &type);
	c->requeues_before += atomic_load(&c->q->requeues);
	c->q = queue_unref(c->q);
}

static int cam_start(struct v4l2_cam *c)
{
	char path[64] = "";
	int fd, r;

	fd = device_open(c, path, sizeof(path));
	if (fd < 0)
		return fd;
	r = configure(c, fd);
	if (r == 0)
		r = start_streaming(c, fd);
	if (r < 0) {
		close(fd);
		return log_debug_errno(v4l2, r, "%s: cannot start capture: %m", path);
	}
	snprintf(c->st.path, sizeof(c->st.path), "%s", path);
	{
		struct v4l2_capability cap = { 0 };

		if (xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0)
			snprintf(c->st.card, sizeof(c->st.card), "%s", (const char *)cap.card);
	}
	c->st.fourcc = c->fourcc;
	c->st.width = c->width;
	c->st.height = c->height;
	c->st.nbufs = c->q->nbufs;
	log_debug(v4l2, "%s (%s): %.4s %dx%d, %d buffers", path, c->st.card,
		  (const char *)&c->fourcc, c->width, c->height, c->q->nbufs);
	return 0;
}

/* --- public API ----------------------------------------------------------- */

int v4l2_cam_open(struct v4l2_cam **ret, struct vidsrc_params *p)
{
	struct v4l2_cam *c;
	const char *args = p && p->args ? p->args : "";
	int r;

	if (!ret || !p)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->inotify_fd = -1;
	c->p = *p;
	c->p.args = NULL;
	(void)drv_arg(args, "name", c->want_name, sizeof(c->want_name));
	(void)drv_arg(args, "device", c->want_path, sizeof(c->want_path));
	(void)drv_arg(args, "presets", c->presets, sizeof(c->presets));
	if (drv_arg(args, "prefer", c->prefer, sizeof(c->prefer)) < 0)
		snprintf(c->prefer, sizeof(c->prefer), "NV12:YUYV:MJPG:YU12:XR24");
	c->want_bufs = CLAMP(drv_arg_int(args, "buffers", 4), 4, V4L2_MAX_BUFS);
	c->timeout_ms = CLAMP(drv_arg_int(args, "timeout_ms", 2000), 10, 60000);
	c->dv = drv_arg_int(args, "dv", 0) != 0;
	c->latest = drv_arg_int(args, "latest", 0) != 0;
	r = cam_start(c);
	if (r < 0) {
		free(c);
		return r;
	}
	p->width = c->width;
	p->height = c->height;
	p->fmt = c->fmt;
	if (c->st.fps_den)
		p->fps = (c->st.fps_num + c->st.fps_den / 2) / c->st.fps_den;
	*ret = c;
	return 0;
}

/* device gone: wait for a video node to appear (inotify on /dev), then reopen */
static int cam_reopen(struct v4l2_cam *c, int timeout_ms)
{
	uint64_t end = clock_now_us() + (uint64_t)timeout_ms * 1000;
	int r;

	if (c->inotify_fd < 0) {
		c->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (c->inotify_fd < 0 || inotify_add_watch(c->inotify_fd, "/dev", IN_CREATE | IN_ATTRIB) < 0)
			return -errno;
	}
	for (;;) {
		struct pollfd pfd = { .fd = c->inotify_fd, .events = POLLIN };
		char ev[4096];
		uint64_t now;

		while (read(c->inotify_fd, ev, sizeof(ev)) > 0)
			;
		r = cam_start(c);
		if (r == 0) {
			c->st.reopens++;
			return 0;
		}
		now = clock_now_us();
		if (now >= end)
			return -ENODEV;
		if (poll(&pfd, 1, (int)((end - now + 999) / 1000)) < 0 && errno != EINTR)
			return -errno;
	}
}

static int hand_out_frame(struct v4l2_cam *c, const struct v4l2_buffer *b, struct vframe **ret)
{
	struct v4l2_buf *vb = &c->q->bufs[b->index];
	uint8_t *data[3] = { vb->start, NULL, NULL };
	int stride[3] = { c->bpl, 0, 0 };
	struct vframe *f;
	int r;

	switch (c->fmt) {
	case VFMT_NV12:
		data[1] = vb->start + (size_t)c->bpl * c->height;
		stride[1] = c->bpl;
		break;
	case VFMT_I420:
		data[1] = vb->start + (size_t)c->bpl * c->height;
		data[2] = data[1] + (size_t)(c->bpl / 2) * (c->height / 2);
		stride[1] = stride[2] = c->bpl / 2;
		break;
	default:
		break;
	}
	refcnt_inc(&c->q->ref); /* held by the frame */
	r = vframe_wrap(&f, c->fmt, c->width, c->height, data, stride, buf_release, vb);
	if (r < 0) {
		queue_unref(c->q);
		(void)queue_qbuf(c->q, (int)b->index);
		return r;
	}
	f->dmabuf_fd = vb->dmabuf_fd;
	*ret = f;
	return 0;
}

static int decode_frame(struct v4l2_cam *c, const struct v4l2_buffer *b, struct vframe **ret)
{
	struct v4l2_buf *vb = &c->q->bufs[b->index];
	int r;

	r = v4l2_mjpeg_decode(ret, vb->start, MIN((size_t)b->bytesused, vb->len), c->fmt);
	(void)queue_qbuf(c->q, (int)b->index);
	if (r == 0)
		c->st.copies++;
	return r;
}

static void cam_lost(struct v4l2_cam *c, int r)
{
	log_debug_errno(v4l2, r, "%s: capture lost: %m", c->st.path);
	stop_streaming(c);
}

int v4l2_cam_read(struct v4l2_cam *c, struct vframe **ret)
{
	uint64_t end;
	int r;

	if (!c || !ret)
		return -EINVAL;
	if (!c->q) {
		r = cam_reopen(c, c->timeout_ms);
		if (r < 0)
			return r;
	}
	end = clock_now_us() + (uint64_t)c->timeout_ms * 1000;
	for (;;) {
		struct pollfd pfd = { .fd = c->q->fd, .events = POLLIN | POLLPRI };
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		uint64_t now = clock_now_us();

		if (now >= end)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)((end - now + 999) / 1000));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ETIMEDOUT;
		r = xioctl(c->q->fd, VIDIOC_DQBUF, &b);
		if (r == -EAGAIN) {
			if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
				/* vb2 reports POLLERR also when nothing is queued: only a
				 * vanished device makes QUERYCAP fail */
				struct v4l2_capability cap;

				r = xioctl(c->q->fd, VIDIOC_QUERYCAP, &cap);
				if (r < 0) {
					cam_lost(c, r);
					return -ENODEV;
				}
			}
			continue;
		}
		if (r < 0) {
			cam_lost(c, r);
			return r == -ENODEV || r == -EIO || r == -EPIPE ? -ENODEV : r;
		}
		if (b.index >= (uint32_t)c->q->nbufs)
			return -EIO;
		if (b.flags & V4L2_BUF_FLAG_ERROR) {
			(void)queue_qbuf(c->q, (int)b.index);
			continue;
		}
		while (c->latest) {
			/* a newer frame is already waiting: give this one back, take that */
			struct v4l2_buffer nb = {
				.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
				.memory = V4L2_MEMORY_MMAP,
			};

			if (xioctl(c->q->fd, VIDIOC_DQBUF, &nb) < 0 || nb.index >= (uint32_t)c->q->nbufs)
				break;
			if (nb.flags & V4L2_BUF_FLAG_ERROR) {
				(void)queue_qbuf(c->q, (int)nb.index);
				continue;
			}
			(void)queue_qbuf(c->q, (int)b.index);
			c->st.stale++;
			b = nb;
		}
		if (c->fourcc == V4L2_PIX_FMT_MJPEG)
			r = decode_frame(c, &b, ret);
		else
			r = hand_out_frame(c, &b, ret);
		if (r < 0)
			return r;
		if ((b.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) {
			(*ret)->capture_us = (uint64_t)b.timestamp.tv_sec * 1000000u +
					     (uint64_t)b.timestamp.tv_usec;
			c->st.ts_monotonic++;
		} else {
			(*ret)->capture_us = clock_now_us();
		}
		(*ret)->seq = c->seq++;
		c->st.frames++;
		return 0;
	}
}

int v4l2_cam_fd(struct v4l2_cam *c)
{
	return c && c->q ? c->q->fd : -1;
}

void v4l2_cam_get_stats(struct v4l2_cam *c, struct v4l2_cam_stats *ret)
{
	*ret = c->st;
	ret->requeues = c->requeues_before + (c->q ? atomic_load(&c->q->requeues) : 0);
}

struct v4l2_cam *v4l2_cam_close(struct v4l2_cam *c)
{
	if (!c)
		return NULL;
	stop_streaming(c);
	if (c->inotify_fd >= 0)
		close(c->inotify_fd);
	free(c);
	return NULL;
}

/* --- controls ------------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t id;
} ctrl_alias[] = {
	{ "zoom", V4L2_CID_ZOOM_ABSOLUTE },
	{ "pan", V4L2_CID_PAN_ABSOLUTE },
	{ "tilt", V4L2_CID_TILT_ABSOLUTE },
	{ "focus", V4L2_CID_FOCUS_ABSOLUTE },
	{ "autofocus", V4L2_CID_FOCUS_AUTO },
	{ "exposure", V4L2_CID_EXPOSURE_ABSOLUTE },
	{ "brightness", V4L2_CID_BRIGHTNESS },
	{ "contrast", V4L2_CID_CONTRAST },
	{ "saturation", V4L2_CID_SATURATION },
	{ "hue", V4L2_CID_HUE },
	{ "gain", V4L2_CID_GAIN },
};

/* "Test Pattern" matches "test pattern" and "test_pattern" */
static bool ctrl_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? ' ' : *a, y = *b == '_' ? ' ' : *b;

		if ((x | 0x20) != (y | 0x20))
			return false;
	}
	return !*a && !*b;
}

int v4l2_ctrl_find(int fd, const char *name, uint32_t *ret)
{
	struct v4l2_queryctrl qc = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	for (size_t i = 0; i < ARRAY_SIZE(ctrl_alias); i++)
		if (!strcasecmp(name, ctrl_alias[i].name)) {
			struct v4l2_queryctrl q = { .id = ctrl_alias[i].id };

			if (xioctl(fd, VIDIOC_QUERYCTRL, &q) == 0 &&
			    !(q.flags & V4L2_CTRL_FLAG_DISABLED)) {
				*ret = q.id;
				return 0;
			}
		}
	while (xioctl(fd, VIDIOC_QUERYCTRL, &qc) == 0) {
		if (!(qc.flags & V4L2_CTRL_FLAG_DISABLED) && qc.type != V4L2_CTRL_TYPE_CTRL_CLASS &&
		    ctrl_name_eq((const char *)qc.name, name)) {
			*ret = qc.id;
			return 0;
		}
		qc.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return -ENOENT;
}

int v4l2_cam_control(struct v4l2_cam *c, const char *name, int value)
{
	struct v4l2_control ctl = { .value = value };
	int r;

	if (!c || !name)
		return -EINVAL;
	if (!c->q)
		return -ENODEV;
	r = v4l2_ctrl_find(c->q->fd, name, &ctl.id);
	if (r < 0)
		return r;
	return xioctl(c->q->fd, VIDIOC_S_CTRL, &ctl);
}

int v4l2_cam_control_get(struct v4l2_cam *c, const char *name, int *ret)
{
	struct v4l2_control ctl = { 0 };
	int r;

	if (!c || !name || !ret)
		return -EINVAL;
	if (!c->q)
		return -ENODEV;
	r = v4l2_ctrl_find(c->q->fd, name, &ctl.id);
	if (r < 0)
		return r;
	r = xioctl(c->q->fd, VIDIOC_G_CTRL, &ctl);
	if (r == 0)
		*ret = ctl.value;
	return r;
}

int v4l2_cam_preset_save(struct v4l2_cam *c, int idx)
{
	if (!c || !c->presets[0])
		return -EINVAL;
	if (!c->q)
		return -ENODEV;
	return v4l2_preset_save(c->presets, c->q->fd, idx);
}

int v4l2_cam_preset_recall(struct v4l2_cam *c, int idx)
{
	if (!c || !c->presets[0])
		return -EINVAL;
	if (!c->q)
		return -ENODEV;
	return v4l2_preset_recall(c->presets, c->q->fd, idx);
}

/* --- the vidsrc contract --------------------------------------------------- */

struct v4l2_src {
	struct v4l2_cam *cam;
};

static int src_open(void *priv, struct vidsrc_params *p)
{
	struct v4l2_src *s = priv;

	return v4l2_cam_open(&s->cam, p);
}

static void src_close(void *priv)
{
	struct v4l2_src *s = priv;

	s->cam = v4l2_cam_close(s->cam);
}

static int src_read(void *priv, struct vframe **ret)
{
	struct v4l2_src *s = priv;

	return v4l2_cam_read(s->cam, ret);
}

static int src_control(void *priv, const char *name, int value)
{
	struct v4l2_src *s = priv;

	return v4l2_cam_control(s->cam, name, value);
}

const struct vidsrc_ops v4l2_vidsrc_ops = {
	.name = "v4l2",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct v4l2_src),
	.open = src_open,
	.close = src_close,
	.read = src_read,
	.control = src_control,
};

/* kms.c: DRM/KMS display: atomic modesetting with a legacy fallback, page flips, hotplug.
 *
 * DESIGN
 * Threads: one struct kms_disp is driven by one thread (the display thread, or
 * the main loop through kms_disp_fd()). Ownership: the DRM fd (we are its
 * master), two dumb buffers for the primary plane and two for the overlay
 * plane, the mode blob and a netlink socket for hotplug uevents.
 * Planes: the primary plane shows the UI layer (or black); video goes on an
 * overlay plane at its own size, centred, when one exists and the frame fits
 * (planes here cannot scale); otherwise the frame is scaled into the primary
 * buffer in software (counted in stats.composed) with the UI over it.
 * Commits: the first commit sets the mode (blocking). Each later frame is
 * drawn into the back buffers and committed as a non-blocking page flip with
 * an event; the next show() first waits (poll on the fd) for that event,
 * whose kernel timestamp (CLOCK_MONOTONIC) is kept as the last flip time.
 * State: ACTIVE -> (connector reported disconnected) -> OFF (frames are
 * dropped, CRTC disabled) -> (connected again) -> mode set again -> ACTIVE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "drv/drivers.h"
#include "kms/kms.h"
#include "kms/kms_int.h"
#include "lib/base/cleanup.h"
#include "lib/log/log.h"

LOG_TOPIC(kms);

#define FLIP_TIMEOUT_MS 1000

static int dumb_create(int fd, int w, int h, uint32_t fourcc, struct kms_dumb *d)
{
	struct drm_mode_create_dumb c = { .width = (uint32_t)w, .height = (uint32_t)h, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };

	memset(d, 0, sizeof(*d));
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) < 0)
		return -errno;
	d->handle = c.handle;
	d->pitch = c.pitch;
	d->size = c.size;
	d->w = w;
	d->h = h;
	handles[0] = c.handle;
	pitches[0] = c.pitch;
	if (drmModeAddFB2(fd, (uint32_t)w, (uint32_t)h, fourcc, handles, pitches, offsets, &d->fb, 0) < 0)
		goto fail;
	m.handle = c.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m) < 0)
		goto fail;
	d->map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		goto fail;
	}
	memset(d->map, 0, d->size);
	return 0;
fail:
	{
		int r = -errno;

		kms_dumb_destroy(fd, d);
		return r;
	}
}

void kms_dumb_destroy(int fd, struct kms_dumb *d)
{
	struct drm_mode_destroy_dumb dd = { .handle = d->handle };

	if (d->map)
		munmap(d->map, d->size);
	if (d->fb)
		drmModeRmFB(fd, d->fb);
	if (d->handle)
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
	memset(d, 0, sizeof(*d));
}

int kms_dumb_new(int fd, int w, int h, uint32_t fourcc, struct kms_dumb *d)
{
	return dumb_create(fd, w, h, fourcc, d);
}

uint32_t kms_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

int kms_add(drmModeAtomicReq *req, int fd, uint32_t obj, uint32_t type, const char *name, uint64_t v)
{
	uint32_t id = kms_prop_id(fd, obj, type, name);

	if (!id)
		return -ENOENT;
	return drmModeAtomicAddProperty(req, obj, id, v) < 0 ? -EINVAL : 0;
}

static void plane_props(drmModeAtomicReq *r, int fd, uint32_t plane, uint32_t crtc, uint32_t fb,
			int x, int y, int w, int h)
{
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", fb ? crtc : 0);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)w << 16);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)h << 16);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", (uint64_t)x);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", (uint64_t)y);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", (uint64_t)w);
	kms_add(r, fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", (uint64_t)h);
}

/* the state we want on screen: primary = front UI buffer, overlay = video (if used) */
int kms_state_add(struct kms_disp *d, drmModeAtomicReq *r, bool modeset)
{
	struct kms_dumb *pb = &d->pri[d->pri_cur];
	struct kms_dumb *ob = &d->ovl[d->ovl_cur];

	if (modeset) {
		kms_add(r, d->fd, d->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", d->mode_blob);
		kms_add(r, d->fd, d->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
		kms_add(r, d->fd, d->conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", d->crtc_id);
	}
	plane_props(r, d->fd, d->primary_id, d->crtc_id, pb->fb, 0, 0, pb->w, pb->h);
	if (d->overlay_id) {
		if (d->ovl_on && ob->fb)
			plane_props(r, d->fd, d->overlay_id, d->crtc_id, ob->fb, d->ovl_x, d->ovl_y,
				    d->ovl_w, d->ovl_h);
		else
			plane_props(r, d->fd, d->overlay_id, d->crtc_id, 0, 0, 0, 0, 0);
	}
	return 0;
}

static void flip_handler(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
			 unsigned int crtc, void *data)
{
	struct kms_disp *d = data;

	d->flip_pending = false;
	d->st.flips++;
	d->st.last_flip_us = (uint64_t)sec * 1000000u + usec;
	d->st.last_flip_seq = seq;
}

int kms_wait_flip(struct kms_disp *d, int timeout_ms)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = flip_handler };

	while (d->flip_pending) {
		struct pollfd p = { .fd = d->fd, .events = POLLIN };
		int r = poll(&p, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			d->flip_pending = false; /* lost event (CRTC switched off): do not hang */
			return -ETIMEDOUT;
		}
		if (drmHandleEvent(d->fd, &ev) < 0)
			return -EIO;
	}
	return 0;
}

static bool pick_mode(drmModeConnector *c, const char *want, drmModeModeInfo *ret)
{
	static const struct {
		int w, h, hz;
	} pref[] = { { 1920, 1080, 60 }, { 1280, 720, 60 } };
	int best = -1;

	if (!c->count_modes)
		return false;
	for (int i = 0; i < c->count_modes && want[0]; i++)
		if (!strcmp(c->modes[i].name, want)) {
			*ret = c->modes[i];
			return true;
		}
	for (size_t p = 0; p < ARRAY_SIZE(pref) && best < 0; p++)
		for (int i = 0; i < c->count_modes; i++)
			if (c->modes[i].hdisplay == pref[p].w && c->modes[i].vdisplay == pref[p].h &&
			    c->modes[i].vrefresh == (uint32_t)pref[p].hz) {
				best = i;
				break;
			}
	for (int i = 0; i < c->count_modes && best < 0; i++)
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			best = i;
	*ret = c->modes[best < 0 ? 0 : best];
	return true;
}

static void connector_name(drmModeConnector *c, char *out, size_t n)
{
	const char *t = drmModeGetConnectorTypeName(c->connector_type);

	snprintf(out, n, "%s-%u", t ? t : "Unknown", c->connector_type_id);
}

/* find the connector (by name or first connected), its CRTC and the mode */
static int find_output(struct kms_disp *d)
{
	drmModeRes *res = drmModeGetResources(d->fd);
	int r = -ENODEV;

	if (!res)
		return -errno ? -errno : -ENODEV;
	d->wb_conn_id = 0;
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnector(d->fd, res->connectors[i]);
		char name[32];

		if (!c)
			continue;
		connector_name(c, name, sizeof(name));
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK) {
			d->wb_conn_id = c->connector_id;
		} else if (r < 0 && (!d->want_conn[0] || !strcmp(name, d->want_conn)) &&
			   c->connection == DRM_MODE_CONNECTED && pick_mode(c, d->want_mode, &d->mode)) {
			uint32_t crtcs = 0;

			for (int e = 0; e < c->count_encoders; e++) {
				drmModeEncoder *enc = drmModeGetEncoder(d->fd, c->encoders[e]);

				if (enc)
					crtcs |= enc->possible_crtcs;
				drmModeFreeEncoder(enc);
			}
			for (int k = 0; k < res->count_crtcs; k++)
				if (crtcs & (1u << k)) {
					d->crtc_id = res->crtcs[k];
					d->crtc_idx = k;
					break;
				}
			if (d->crtc_id) {
				d->conn_id = c->connector_id;
				snprintf(d->st.connector, sizeof(d->st.connector), "%s", name);
				r = 0;
			}
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	return r;
}

static bool plane_has_format(drmModePlane *p, uint32_t f)
{
	for (uint32_t i = 0; i < p->count_formats; i++)
		if (p->formats[i] == f)
			return true;
	return false;
}

static void find_planes(struct kms_disp *d)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(d->fd);

	d->primary_id = d->overlay_id = 0;
	for (uint32_t i = 0; pr && i < pr->count_planes; i++) {
		drmModePlane *p = drmModeGetPlane(d->fd, pr->planes[i]);
		drmModeObjectProperties *props;
		uint64_t type = 0;

		if (!p)
			continue;
		props = drmModeObjectGetProperties(d->fd, p->plane_id, DRM_MODE_OBJECT_PLANE);
		for (uint32_t k = 0; props && k < props->count_props; k++) {
			drmModePropertyRes *pp = drmModeGetProperty(d->fd, props->props[k]);

			if (pp && !strcmp(pp->name, "type"))
				type = props->prop_values[k];
			drmModeFreeProperty(pp);
		}
		drmModeFreeObjectProperties(props);
		if (p->possible_crtcs & (1u << d->crtc_idx)) {
			if (type == DRM_PLANE_TYPE_PRIMARY && !d->primary_id)
				d->primary_id = p->plane_id;
			else if (type == DRM_PLANE_TYPE_OVERLAY && !d->overlay_id && d->use_overlay &&
				 plane_has_format(p, DRM_FORMAT_XRGB8888))
				d->overlay_id = p->plane_id;
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
}

static void buffers_free(struct kms_disp *d)
{
	for (int i = 0; i < 2; i++) {
		kms_dumb_destroy(d->fd, &d->pri[i]);
		kms_dumb_destroy(d->fd, &d->ovl[i]);
	}
	d->ovl_on = false;
}

/* set the mode (blocking); buffers are (re)made at the mode's size */
static int modeset(struct kms_disp *d)
{
	int r;

	(void)kms_wait_flip(d, FLIP_TIMEOUT_MS);
	buffers_free(d);
	for (int i = 0; i < 2; i++) {
		r = dumb_create(d->fd, d->mode.hdisplay, d->mode.vdisplay, DRM_FORMAT_XRGB8888, &d->pri[i]);
		if (r < 0)
			return r;
	}
	d->pri_cur = 0;
	if (d->atomic) {
		drmModeAtomicReq *req = drmModeAtomicAlloc();

		if (d->mode_blob)
			drmModeDestroyPropertyBlob(d->fd, d->mode_blob);
		d->mode_blob = 0;
		if (drmModeCreatePropertyBlob(d->fd, &d->mode, sizeof(d->mode), &d->mode_blob) < 0) {
			drmModeAtomicFree(req);
			return -errno;
		}
		kms_state_add(d, req, true);
		r = drmModeAtomicCommit(d->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) < 0 ? -errno : 0;
		drmModeAtomicFree(req);
	} else {
		r = drmModeSetCrtc(d->fd, d->crtc_id, d->pri[0].fb, 0, 0, &d->conn_id, 1, &d->mode) < 0 ? -errno : 0;
	}
	if (r < 0)
		return log_debug_errno(kms, r, "modeset %s on %s: %m", d->mode.name, d->st.connector);
	d->st.width = d->mode.hdisplay;
	d->st.height = d->mode.vdisplay;
	d->st.refresh = (int)d->mode.vrefresh;
	snprintf(d->st.mode_name, sizeof(d->st.mode_name), "%s", d->mode.name);
	d->active = true;
	return 0;
}

static int open_card(struct kms_disp *d, const char *path)
{
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	drmSetClientCap(d->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	d->atomic = !d->force_legacy && drmSetClientCap(d->fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0;
	if (d->atomic)
		d->has_wb_cap = drmSetClientCap(d->fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) == 0;
	if (find_output(d) < 0) {
		close(d->fd);
		d->fd = -1;
		return -ENODEV;
	}
	return 0;
}

static void uevent_open(struct kms_disp *d)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };

	d->uevent_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			      NETLINK_KOBJECT_UEVENT);
	if (d->uevent_fd >= 0 && bind(d->uevent_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(d->uevent_fd);
		d->uevent_fd = -1;
	}
}

int kms_disp_open(struct kms_disp **ret, struct vidsink_params *p)
{
	const char *args = p && p->args ? p->args : "";
	char dev[64] = "";
	struct kms_disp *d;
	int r = -ENODEV;

	if (!ret)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = d->uevent_fd = -1;
	(void)drv_arg(args, "device", dev, sizeof(dev));
	(void)drv_arg(args, "connector", d->want_conn, sizeof(d->want_conn));
	if (drv_arg(args, "mode", d->want_mode, sizeof(d->want_mode)) < 0 && p && p->width && p->height)
		snprintf(d->want_mode, sizeof(d->want_mode), "%dx%d", p->width, p->height);
	d->force_legacy = drv_arg_int(args, "legacy", 0) != 0;
	d->use_overlay = drv_arg_int(args, "overlay", 1) != 0;
	if (dev[0]) {
		r = open_card(d, dev);
	} else {
		for (int i = 0; i < 8 && r < 0; i++) {
			snprintf(dev, sizeof(dev), "/dev/dri/card%d", i);
			r = open_card(d, dev);
		}
	}
	if (r < 0) {
		free(d);
		return r;
	}
	find_planes(d);
	if (!d->primary_id && d->atomic) {
		kms_disp_close(d);
		return -ENODEV;
	}
	r = modeset(d);
	if (r < 0 && d->atomic) {
		/* some drivers take only the legacy path */
		d->atomic = false;
		r = modeset(d);
	}
	if (r < 0) {
		kms_disp_close(d);
		return r;
	}
	uevent_open(d);
	d->st.connected = true;
	d->st.atomic = d->atomic;
	log_debug(kms, "%s: %s %s, %s, overlay plane %u", dev, d->st.connector, d->mode.name,
		  d->atomic ? "atomic" : "legacy", d->overlay_id);
	*ret = d;
	return 0;
}

/* nearest-neighbour scale of an XRGB8888 frame into dst, letterboxed */
static void blit_scaled(const struct vframe *s, struct kms_dumb *dst)
{
	int dw = dst->w, dh = dst->h, w = dw, h = dh, x0, y0;

	if ((int64_t)s->width * dh > (int64_t)s->height * dw)
		h = (int)((int64_t)dw * s->height / s->width);
	else
		w = (int)((int64_t)dh * s->width / s->height);
	x0 = (dw - w) / 2;
	y0 = (dh - h) / 2;
	memset(dst->map, 0, dst->size);
	for (int y = 0; y < h; y++) {
		const uint32_t *srow = (const uint32_t *)(s->data[0] + (size_t)(y * s->height / h) * s->stride[0]);
		uint32_t *drow = (uint32_t *)(dst->map + (size_t)(y0 + y) * dst->pitch) + x0;

		if (w == s->width) {
			memcpy(drow, srow, (size_t)w * 4);
			continue;
		}
		for (int x = 0; x < w; x++)
			drow[x] = srow[x * s->width / w];
	}
}

/* UI over the picture: the X byte of the UI frame is its alpha */
static void blend_ui(const struct vframe *ui, struct kms_dumb *dst)
{
	int w = MIN(ui->width, dst->w), h = MIN(ui->height, dst->h);

	for (int y = 0; y < h; y++) {
		const uint32_t *s = (const uint32_t *)(ui->data[0] + (size_t)y * ui->stride[0]);
		uint32_t *o = (uint32_t *)(dst->map + (size_t)y * dst->pitch);

		for (int x = 0; x < w; x++) {
			uint32_t a = s[x] >> 24, p = s[x], q = o[x], r = 0;

			if (a == 0)
				continue;
			if (a == 255) {
				o[x] = p & 0xffffff;
				continue;
			}
			for (int sh = 0; sh < 24; sh += 8)
				r |= ((((p >> sh) & 255) * a + ((q >> sh) & 255) * (255 - a)) / 255) << sh;
			o[x] = r;
		}
	}
}

static int commit_flip(struct kms_disp *d)
{
	int r;

	if (d->atomic) {
		drmModeAtomicReq *req = drmModeAtomicAlloc();

		kms_state_add(d, req, false);
		r = drmModeAtomicCommit(d->fd, req, DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK, d);
		r = r < 0 ? -errno : 0;
		drmModeAtomicFree(req);
	} else {
		struct kms_dumb *ob = &d->ovl[d->ovl_cur];

		if (d->overlay_id && d->ovl_on)
			(void)drmModeSetPlane(d->fd, d->overlay_id, d->crtc_id, ob->fb, 0, d->ovl_x, d->ovl_y,
					      (uint32_t)d->ovl_w, (uint32_t)d->ovl_h, 0, 0,
					      (uint32_t)d->ovl_w << 16, (uint32_t)d->ovl_h << 16);
		r = drmModePageFlip(d->fd, d->crtc_id, d->pri[d->pri_cur].fb, DRM_MODE_PAGE_FLIP_EVENT, d);
		r = r < 0 ? -errno : 0;
	}
	if (r == 0)
		d->flip_pending = true;
	return r;
}

static int draw_primary(struct kms_disp *d, const struct vframe *video)
{
	struct kms_dumb *pb = &d->pri[d->pri_cur];

	if (video)
		blit_scaled(video, pb);
	else
		memset(pb->map, 0, pb->size);
	if (d->ui)
		blend_ui(d->ui, pb);
	return 0;
}

int kms_disp_show(struct kms_disp *d, struct vframe *f)
{
	struct vframe *rgb = NULL;
	const struct vframe *src = f;
	int r;

	if (!d || !f)
		return -EINVAL;
	(void)kms_disp_dispatch(d);
	if (!d->active) {
		d->st.dropped++;
		return 0;
	}
	r = kms_wait_flip(d, FLIP_TIMEOUT_MS);
	if (r < 0 && r != -ETIMEDOUT)
		return r;
	if (f->fmt != VFMT_XRGB8888) {
		r = vframe_convert(&rgb, f, VFMT_XRGB8888);
		if (r < 0)
			return r;
		src = rgb;
	}
	if (d->overlay_id && f->width <= d->st.width && f->height <= d->st.height) {
		int nb = d->ovl_on ? 1 - d->ovl_cur : 0;
		struct kms_dumb *ob = &d->ovl[nb];

		if (ob->w != f->width || ob->h != f->height) {
			kms_dumb_destroy(d->fd, ob);
			r = dumb_create(d->fd, f->width, f->height, DRM_FORMAT_XRGB8888, ob);
			if (r < 0)
				goto out;
		}
		for (int y = 0; y < f->height; y++)
			memcpy(ob->map + (size_t)y * ob->pitch, src->data[0] + (size_t)y * src->stride[0],
			       (size_t)f->width * 4);
		d->ovl_cur = nb;
		d->ovl_w = f->width;
		d->ovl_h = f->height;
		d->ovl_x = (d->st.width - f->width) / 2;
		d->ovl_y = (d->st.height - f->height) / 2;
		if (!d->ovl_on || d->ui_dirty) {
			d->pri_cur = 1 - d->pri_cur;
			draw_primary(d, NULL);
			d->ui_dirty = false;
		}
		d->ovl_on = true;
		d->st.overlay = true;
	} else {
		d->pri_cur = 1 - d->pri_cur;
		draw_primary(d, src);
		d->ovl_on = false;
		d->st.overlay = false;
		d->st.composed++;
	}
	r = commit_flip(d);
	if (r < 0 && d->ovl_on && d->atomic) {
		/* the overlay was refused (format, position): compose from now on */
		d->overlay_id = 0;
		d->ovl_on = false;
		d->st.overlay = false;
		d->pri_cur = 1 - d->pri_cur;
		draw_primary(d, src);
		d->st.composed++;
		r = commit_flip(d);
	}
out:
	vframe_unref(rgb);
	return r;
}

int kms_disp_set_ui(struct kms_disp *d, struct vframe *ui)
{
	if (!d || (ui && ui->fmt != VFMT_XRGB8888))
		return -EINVAL;
	vframe_unref(d->ui);
	d->ui = vframe_ref(ui);
	d->ui_dirty = true;
	return 0;
}

int kms_disp_dispatch(struct kms_disp *d)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = flip_handler };
	struct pollfd p = { .fd = d->fd, .events = POLLIN };
	char buf[2048];
	bool hotplug = false;
	ssize_t n;

	if (poll(&p, 1, 0) == 1 && drmHandleEvent(d->fd, &ev) < 0)
		return -EIO;
	while (d->uevent_fd >= 0 && (n = recv(d->uevent_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		bool drm = false, change = false;

		buf[n] = 0;
		/* drivers send ACTION=change with HOTPLUG=1 on the card; any change event of a
		 * DRM device is taken as a reason to re-probe (it is cheap) */
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
			if (!strcmp(buf + i, "SUBSYSTEM=drm"))
				drm = true;
			if (!strcmp(buf + i, "ACTION=change") || !strcmp(buf + i, "HOTPLUG=1"))
				change = true;
		}
		hotplug |= drm && change;
	}
	if (hotplug) {
		d->st.uevents++;
		return kms_disp_check_hotplug(d);
	}
	return 0;
}

int kms_disp_wait(struct kms_disp *d, int timeout_ms)
{
	return d ? kms_wait_flip(d, timeout_ms) : -EINVAL;
}

int kms_disp_uevent_fd(struct kms_disp *d)
{
	return d ? d->uevent_fd : -1;
}

static void crtc_off(struct kms_disp *d)
{
	(void)kms_wait_flip(d, 100);
	if (d->atomic) {
		drmModeAtomicReq *req = drmModeAtomicAlloc();

		kms_add(req, d->fd, d->conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
		if (d->wb_attached)
			kms_add(req, d->fd, d->wb_conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
		kms_add(req, d->fd, d->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
		kms_add(req, d->fd, d->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
		plane_props(req, d->fd, d->primary_id, d->crtc_id, 0, 0, 0, 0, 0);
		if (d->overlay_id)
			plane_props(req, d->fd, d->overlay_id, d->crtc_id, 0, 0, 0, 0, 0);
		if (drmModeAtomicCommit(d->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) < 0)
			log_debug_errno(kms, -errno, "disabling the CRTC: %m, ignoring");
		else
			d->wb_attached = false;
		drmModeAtomicFree(req);
	} else {
		(void)drmModeSetCrtc(d->fd, d->crtc_id, 0, 0, 0, NULL, 0, NULL);
	}
	d->active = false;
}

int kms_disp_check_hotplug(struct kms_disp *d)
{
	drmModeConnector *c;
	bool connected;
	int r;

	if (!d)
		return -EINVAL;
	c = drmModeGetConnector(d->fd, d->conn_id); /* probes the connector */
	if (!c)
		return -errno;
	connected = c->connection == DRM_MODE_CONNECTED && c->count_modes > 0;
	if (connected)
		pick_mode(c, d->want_mode, &d->mode);
	drmModeFreeConnector(c);
	if (connected == d->st.connected)
		return 0;
	d->st.hotplugs++;
	d->st.connected = connected;
	log_debug(kms, "%s %s", d->st.connector, connected ? "connected" : "disconnected");
	if (!connected) {
		crtc_off(d);
		return 1;
	}
	r = modeset(d);
	return r < 0 ? r : 1;
}

int kms_disp_last_flip(struct kms_disp *d, uint64_t *ret_us, uint32_t *ret_seq)
{
	if (!d || !d->st.flips)
		return -ENODATA;
	if (ret_us)
		*ret_us = d->st.last_flip_us;
	if (ret_seq)
		*ret_seq = d->st.last_flip_seq;
	return 0;
}

void kms_disp_get_stats(struct kms_disp *d, struct kms_disp_stats *ret)
{
	*ret = d->st;
}

int kms_disp_fd(struct kms_disp *d)
{
	return d ? d->fd : -1;
}

struct kms_disp *kms_disp_close(struct kms_disp *d)
{
	if (!d)
		return NULL;
	if (d->fd >= 0) {
		(void)kms_wait_flip(d, 200);
		buffers_free(d);
		kms_dumb_destroy(d->fd, &d->wb);
		if (d->mode_blob)
			drmModeDestroyPropertyBlob(d->fd, d->mode_blob);
		close(d->fd);
	}
	if (d->uevent_fd >= 0)
		close(d->uevent_fd);
	vframe_unref(d->ui);
	free(d);
	return NULL;
}

/* --- the vidsink contract --------------------------------------------------- */

struct kms_sink {
	struct kms_disp *d;
	char readback[256];     /* args readback=PATH: the screen as PPM at close */
};

static int sink_open(void *priv, struct vidsink_params *p)
{
	struct kms_sink *s = priv;
	int r;

	if (p && p->args)
		(void)drv_arg(p->args, "readback", s->readback, sizeof(s->readback));
	r = kms_disp_open(&s->d, p);
	if (r == 0 && p) {
		/* the mode the connector got (maybe not the one asked for) */
		p->width = s->d->st.width;
		p->height = s->d->st.height;
	}
	return r;
}

/* what the display shows, read back through the writeback connector, as a
 * binary PPM (tests and support bundles) */
static void sink_readback(struct kms_sink *s)
{
	struct vframe *rb = NULL;
	FILE *f;

	if (kms_disp_readback(s->d, &rb) < 0)
		return;
	f = fopen(s->readback, "we");
	if (f) {
		fprintf(f, "P6\n%d %d\n255\n", rb->width, rb->height);
		for (int y = 0; y < rb->height; y++)
			for (int x = 0; x < rb->width; x++) {
				const uint8_t *px = rb->data[0] + (size_t)y * rb->stride[0] + (size_t)x * 4;
				uint8_t rgb[3] = { px[2], px[1], px[0] };

				fwrite(rgb, 1, 3, f);
			}
		fclose(f);
	}
	vframe_unref(rb);
}

static void sink_close(void *priv)
{
	struct kms_sink *s = priv;

	if (s->d && s->readback[0])
		sink_readback(s);
	s->d = kms_disp_close(s->d);
}

static int sink_write(void *priv, struct vframe *f)
{
	return kms_disp_show(((struct kms_sink *)priv)->d, f);
}

const struct vidsink_ops kms_vidsink_ops = {
	.name = "kms",
	.api_version = DRV_API_VERSION,
	.priv_size = sizeof(struct kms_sink),
	.open = sink_open,
	.close = sink_close,
	.write = sink_write,
};

/* frame.c: reference-counted video/audio frames and encoded packets. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv/frame.h"
#include "lib/base/cleanup.h"

const char *vfmt_name(enum vfmt f)
{
	static const char *const names[VFMT_MAX] = { "I420", "NV12", "YUYV", "XRGB8888" };

	return f >= 0 && f < VFMT_MAX ? names[f] : "?";
}

size_t vfmt_frame_size(enum vfmt f, int w, int h)
{
	if (w <= 0 || h <= 0 || w > 8192 || h > 8192)
		return 0;
	switch (f) {
	case VFMT_I420:
	case VFMT_NV12:
		if ((w | h) & 1)
			return 0;
		return (size_t)w * h * 3 / 2;
	case VFMT_YUYV:
		if (w & 1)
			return 0;
		return (size_t)w * h * 2;
	case VFMT_XRGB8888:
		return (size_t)w * h * 4;
	case VFMT_MAX:
		break;
	}
	return 0;
}

static void planes_set(struct vframe *f, uint8_t *mem)
{
	size_t ysz = (size_t)f->width * f->height;

	memset(f->data, 0, sizeof(f->data));
	memset(f->stride, 0, sizeof(f->stride));
	f->data[0] = mem;
	switch (f->fmt) {
	case VFMT_I420:
		f->stride[0] = f->width;
		f->stride[1] = f->stride[2] = f->width / 2;
		f->data[1] = mem + ysz;
		f->data[2] = mem + ysz + ysz / 4;
		break;
	case VFMT_NV12:
		f->stride[0] = f->stride[1] = f->width;
		f->data[1] = mem + ysz;
		break;
	case VFMT_YUYV:
		f->stride[0] = f->width * 2;
		break;
	case VFMT_XRGB8888:
		f->stride[0] = f->width * 4;
		break;
	case VFMT_MAX:
		break;
	}
}

int vframe_new(struct vframe **ret, enum vfmt fmt, int w, int h)
{
	size_t sz = vfmt_frame_size(fmt, w, h);
	struct vframe *f;

	if (!ret || !sz)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->mem = malloc(sz);
	if (!f->mem) {
		free(f);
		return -ENOMEM;
	}
	refcnt_init(&f->ref);
	f->fmt = fmt;
	f->width = w;
	f->height = h;
	f->dmabuf_fd = -1;
	planes_set(f, f->mem);
	*ret = f;
	return 0;
}

int vframe_wrap(struct vframe **ret, enum vfmt fmt, int w, int h, uint8_t *const data[3],
		const int stride[3], void (*release)(struct vframe *), void *priv)
{
	struct vframe *f;

	if (!ret || !vfmt_frame_size(fmt, w, h) || !data || !stride)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	refcnt_init(&f->ref);
	f->fmt = fmt;
	f->width = w;
	f->height = h;
	f->dmabuf_fd = -1;
	for (int i = 0; i < 3; i++) {
		f->data[i] = data[i];
		f->stride[i] = stride[i];
	}
	f->release = release;
	f->priv = priv;
	*ret = f;
	return 0;
}

struct vframe *vframe_ref(struct vframe *f)
{
	if (f)
		refcnt_inc(&f->ref);
	return f;
}

struct vframe *vframe_unref(struct vframe *f)
{
	if (f && refcnt_dec(&f->ref)) {
		if (f->release)
			f->release(f);
		free(f->mem);
		free(f);
	}
	return NULL;
}

/* BT.601 limited range */
static inline uint8_t clip8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static void rgb_to_yuv(int r, int g, int b, uint8_t *y, uint8_t *u, uint8_t *v)
{
	*y = clip8(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
	*u = clip8(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
	*v = clip8(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
}

static void yuv_to_rgb(int y, int u, int v, uint8_t *px)
{
	int c = y - 16, d = u - 128, e = v - 128;

	px[2] = clip8((298 * c + 409 * e + 128) >> 8);           /* R */
	px[1] = clip8((298 * c - 100 * d - 208 * e + 128) >> 8); /* G */
	px[0] = clip8((298 * c + 516 * d + 128) >> 8);           /* B */
	px[3] = 0xff;
}

/* sample (Y, U, V) of pixel x,y of any format */
static void px_get(const struct vframe *s, int x, int y, uint8_t *Y, uint8_t *U, uint8_t *V)
{
	const uint8_t *p;

	switch (s->fmt) {
	case VFMT_I420:
		*Y = s->data[0][y * s->stride[0] + x];
		*U = s->data[1][(y / 2) * s->stride[1] + x / 2];
		*V = s->data[2][(y / 2) * s->stride[2] + x / 2];
		break;
	case VFMT_NV12:
		*Y = s->data[0][y * s->stride[0] + x];
		p = &s->data[1][(y / 2) * s->stride[1] + (x & ~1)];
		*U = p[0];
		*V = p[1];
		break;
	case VFMT_YUYV:
		p = &s->data[0][y * s->stride[0] + (x & ~1) * 2];
		*Y = p[(x & 1) * 2];
		*U = p[1];
		*V = p[3];
		break;
	case VFMT_XRGB8888:
		p = &s->data[0][y * s->stride[0] + x * 4];
		rgb_to_yuv(p[2], p[1], p[0], Y, U, V);
		break;
	case VFMT_MAX:
		*Y = *U = *V = 0;
		break;
	}
}

int vframe_convert(struct vframe **ret, const struct vframe *s, enum vfmt fmt)
{
	struct vframe *d;
	int r, w = s->width, h = s->height;

	r = vframe_new(&d, fmt, w, h);
	if (r < 0)
		return r;
	d->capture_us = s->capture_us;
	d->seq = s->seq;
	if (s->fmt == fmt) {
		/* plane-wise copy honouring strides */
		for (int pl = 0; pl < 3 && d->data[pl]; pl++) {
			int rows = pl && fmt != VFMT_YUYV && fmt != VFMT_XRGB8888 ? h / 2 : h;
			int bytes = d->stride[pl];

			for (int y = 0; y < rows; y++)
				memcpy(d->data[pl] + (size_t)y * d->stride[pl],
				       s->data[pl] + (size_t)y * s->stride[pl], (size_t)bytes);
		}
		*ret = d;
		return 0;
	}
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint8_t Y = 0, U = 128, V = 128;

			px_get(s, x, y, &Y, &U, &V);
			switch (fmt) {
			case VFMT_I420:
				d->data[0][y * d->stride[0] + x] = Y;
				if (!(x & 1) && !(y & 1)) {
					d->data[1][(y / 2) * d->stride[1] + x / 2] = U;
					d->data[2][(y / 2) * d->stride[2] + x / 2] = V;
				}
				break;
			case VFMT_NV12:
				d->data[0][y * d->stride[0] + x] = Y;
				if (!(x & 1) && !(y & 1)) {
					d->data[1][(y / 2) * d->stride[1] + x] = U;
					d->data[1][(y / 2) * d->stride[1] + x + 1] = V;
				}
				break;
			case VFMT_YUYV: {
				uint8_t *p = &d->data[0][y * d->stride[0] + (x & ~1) * 2];

				p[(x & 1) * 2] = Y;
				if (!(x & 1)) {
					p[1] = U;
					p[3] = V;
				}
				break;
			}
			case VFMT_XRGB8888:
				yuv_to_rgb(Y, U, V, &d->data[0][y * d->stride[0] + x * 4]);
				break;
			case VFMT_MAX:
				break;
			}
		}
	}
	*ret = d;
	return 0;
}

int aframe_new(struct aframe **ret, int rate, int channels, int samples)
{
	struct aframe *f;

	if (!ret || rate <= 0 || channels <= 0 || channels > 8 || samples < 0 ||
	    samples > rate * 10)
		return -EINVAL;
	f = calloc(1, sizeof(*f) + sizeof(int16_t) * (size_t)samples * (size_t)channels);
	if (!f)
		return -ENOMEM;
	refcnt_init(&f->ref);
	f->rate = rate;
	f->channels = channels;
	f->samples = samples;
	f->pcm = (int16_t *)(f + 1);
	*ret = f;
	return 0;
}

struct aframe *aframe_ref(struct aframe *f)
{
	if (f)
		refcnt_inc(&f->ref);
	return f;
}

struct aframe *aframe_unref(struct aframe *f)
{
	if (f && refcnt_dec(&f->ref))
		free(f);
	return NULL;
}

int mpkt_new(struct mpkt **ret, size_t cap)
{
	struct mpkt *p;

	if (!ret || cap > (64u << 20))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->data = malloc(cap ? cap : 1);
	if (!p->data) {
		free(p);
		return -ENOMEM;
	}
	refcnt_init(&p->ref);
	p->cap = cap;
	*ret = p;
	return 0;
}

int mpkt_new_copy(struct mpkt **ret, const void *data, size_t len)
{
	struct mpkt *p;
	int r = mpkt_new(&p, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(p->data, data, len);
	p->len = len;
	*ret = p;
	return 0;
}

struct mpkt *mpkt_ref(struct mpkt *p)
{
	if (p)
		refcnt_inc(&p->ref);
	return p;
}

struct mpkt *mpkt_unref(struct mpkt *p)
{
	if (p && refcnt_dec(&p->ref)) {
		free(p->data);
		free(p);
	}
	return NULL;
}

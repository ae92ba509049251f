/* registry.c: the static, preference-ordered driver tables (STYLE G10).
 *
 * This is the only file that names concrete drivers and the only place where
 * #if HAVE_* may appear. Tables are NULL-terminated, best driver first. An instance is {ops, priv}; the wrappers below check
 * the api_version, allocate priv_size bytes and forward the calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv/media_drv.h"
#include "drv/drivers.h"

static const struct vidsrc_ops *const vidsrc_drivers[] = {
	&v4l2_vidsrc_ops,
	&testsrc_vidsrc_ops,
	&y4m_vidsrc_ops,
	NULL,
};

static const struct audsrc_ops *const audsrc_drivers[] = {
	&alsa_audsrc_ops,
	&wav_audsrc_ops,
	&tone_audsrc_ops,
	&room_audsrc_ops,
	NULL,
};

static const struct vidsink_ops *const vidsink_drivers[] = {
	&kms_vidsink_ops,
	&y4m_vidsink_ops,
	&png_vidsink_ops,
	&null_vidsink_ops,
	NULL,
};

static const struct audsink_ops *const audsink_drivers[] = {
	&alsa_audsink_ops,
	&wav_audsink_ops,
	&null_audsink_ops,
	&room_audsink_ops,
	NULL,
};

static const struct venc_ops *const venc_drivers[] = {
	&x264_venc_ops,
	&v4l2m2m_venc_ops,
	NULL,
};

static const struct vdec_ops *const vdec_drivers[] = {
	&lavc_vdec_ops,
	&v4l2m2m_vdec_ops,
	NULL,
};

static const struct aenc_ops *const aenc_drivers[] = {
	&opus_aenc_ops,
	NULL,
};

static const struct adec_ops *const adec_drivers[] = {
	&opus_adec_ops,
	NULL,
};

/* One generic instance shape for every kind. */
#define DRV_INSTANCE(kind)                                                   \
	struct kind {                                                         \
		const struct kind##_ops *ops;                                 \
		void *priv;                                                   \
	};                                                                    \
	static struct kind *kind##_free(struct kind *s)                       \
	{                                                                     \
		if (!s)                                                       \
			return NULL;                                          \
		if (s->ops && s->priv)                                        \
			s->ops->close(s->priv);                               \
		free(s->priv);                                                \
		free(s);                                                      \
		return NULL;                                                  \
	}                                                                     \
	static int kind##_try(struct kind **ret, const struct kind##_ops *o,  \
			      struct kind##_params *p)                        \
	{                                                                     \
		struct kind *s;                                               \
		int r;                                                        \
		if (o->api_version != DRV_API_VERSION)                        \
			return -EPROTO;                                       \
		s = calloc(1, sizeof(*s));                                    \
		if (!s)                                                       \
			return -ENOMEM;                                       \
		s->priv = calloc(1, o->priv_size ? o->priv_size : 1);         \
		if (!s->priv) {                                               \
			free(s);                                              \
			return -ENOMEM;                                       \
		}                                                             \
		r = o->open(s->priv, p);                                      \
		if (r < 0) {                                                  \
			free(s->priv);                                        \
			free(s);                                              \
			return r;                                             \
		}                                                             \
		s->ops = o;                                                   \
		*ret = s;                                                     \
		return 0;                                                     \
	}                                                                     \
	int kind##_open(struct kind **ret, const char *name,                  \
			struct kind##_params *p)                              \
	{                                                                     \
		int r = -ENOENT;                                              \
		if (!ret || !p)                                               \
			return -EINVAL;                                       \
		for (size_t i = 0; kind##_drivers[i]; i++) {                  \
			const struct kind##_ops *o = kind##_drivers[i];       \
			if (name && *name && strcmp(name, o->name) != 0)      \
				continue;                                     \
			r = kind##_try(ret, o, p);                            \
			if (r == 0 || (name && *name))                        \
				return r;                                     \
		}                                                             \
		return r;                                                     \
	}

DRV_INSTANCE(vidsrc)
DRV_INSTANCE(audsrc)
DRV_INSTANCE(vidsink)
DRV_INSTANCE(audsink)
DRV_INSTANCE(venc)
DRV_INSTANCE(vdec)
DRV_INSTANCE(aenc)
DRV_INSTANCE(adec)

int vidsrc_read(struct vidsrc *s, struct vframe **ret) { return s->ops->read(s->priv, ret); }
int vidsrc_control(struct vidsrc *s, const char *name, int value)
{
	return s->ops->control ? s->ops->control(s->priv, name, value) : -EOPNOTSUPP;
}
struct vidsrc *vidsrc_close(struct vidsrc *s) { return vidsrc_free(s); }

int audsrc_read(struct audsrc *s, struct aframe **ret) { return s->ops->read(s->priv, ret); }
struct audsrc *audsrc_close(struct audsrc *s) { return audsrc_free(s); }

int vidsink_write(struct vidsink *s, struct vframe *f) { return s->ops->write(s->priv, f); }
struct vidsink *vidsink_close(struct vidsink *s) { return vidsink_free(s); }

int audsink_write(struct audsink *s, struct aframe *f) { return s->ops->write(s->priv, f); }
struct audsink *audsink_close(struct audsink *s) { return audsink_free(s); }

int venc_send_frame(struct venc *e, struct vframe *f) { return e->ops->send_frame(e->priv, f); }
int venc_receive_packet(struct venc *e, struct mpkt **ret)
{
	return e->ops->receive_packet(e->priv, ret);
}
void venc_request_keyframe(struct venc *e) { e->ops->request_keyframe(e->priv); }
int venc_set_bitrate(struct venc *e, int kbps)
{
	return e->ops->set_bitrate ? e->ops->set_bitrate(e->priv, kbps) : -EOPNOTSUPP;
}
struct venc *venc_close(struct venc *e) { return venc_free(e); }

int vdec_send_packet(struct vdec *d, struct mpkt *p) { return d->ops->send_packet(d->priv, p); }
int vdec_receive_frame(struct vdec *d, struct vframe **ret)
{
	return d->ops->receive_frame(d->priv, ret);
}
struct vdec *vdec_close(struct vdec *d) { return vdec_free(d); }

int aenc_encode(struct aenc *e, struct aframe *f, struct mpkt **ret)
{
	return e->ops->encode(e->priv, f, ret);
}
int aenc_set_bitrate(struct aenc *e, int bps)
{
	return e->ops->set_bitrate ? e->ops->set_bitrate(e->priv, bps) : -EOPNOTSUPP;
}
struct aenc *aenc_close(struct aenc *e) { return aenc_free(e); }

int adec_decode(struct adec *d, struct mpkt *p, bool fec, int samples, struct aframe **ret)
{
	return d->ops->decode(d->priv, p, fec, samples, ret);
}
struct adec *adec_close(struct adec *d) { return adec_free(d); }

/* A comma followed by a segment without '=' belongs to the value, so ALSA
 * names work unquoted: "device=hw:Loopback,0,0,period_ms=10". */
static const char *arg_end(const char *p)
{
	const char *c = strchr(p, ',');

	while (c) {
		const char *q = c + 1;

		while (*q && *q != ',' && *q != '=')
			q++;
		if (*q == '=')
			return c;
		c = *q == ',' ? q : NULL;
	}
	return NULL;
}

int drv_arg(const char *args, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = args;

	while (p && *p) {
		const char *end = arg_end(p);
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t vl = n - kl - 1;

			if (vl >= outlen)
				return -ENAMETOOLONG;
			memcpy(out, p + kl + 1, vl);
			out[vl] = 0;
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int drv_arg_int(const char *args, const char *key, int def)
{
	char v[32];
	char *end;
	long x;

	if (drv_arg(args, key, v, sizeof(v)) < 0)
		return def;
	x = strtol(v, &end, 0);
	return *end ? def : (int)x;
}

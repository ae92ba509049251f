/* mjpeg.c: MJPEG/JPEG decoding for USB webcams, with libjpeg-turbo's TurboJPEG API.
 * UVC MJPEG frames often lack the DHT (Huffman table) segment; libjpeg-turbo
 * falls back to the standard tables of JPEG Annex K, as the UVC spec intends. */
#include <errno.h>
#include <string.h>
#include <turbojpeg.h>

#include "drv/frame.h"
#include "v4l2/v4l2.h"

int v4l2_mjpeg_decode(struct vframe **ret, const uint8_t *jpg, size_t len, enum vfmt fmt)
{
	struct vframe *f = NULL, *c = NULL;
	tjhandle tj;
	int w, h, sub, cs, r = 0;

	if (!ret || !jpg || len < 4 || len > (64u << 20) || fmt >= VFMT_MAX)
		return -EINVAL;
	tj = tjInitDecompress();
	if (!tj)
		return -ENOMEM;
	if (tjDecompressHeader3(tj, jpg, (unsigned long)len, &w, &h, &sub, &cs) < 0) {
		r = -EBADMSG;
		goto out;
	}
	if (w <= 0 || h <= 0 || w > 8192 || h > 8192) {
		r = -EBADMSG;
		goto out;
	}
	if (fmt == VFMT_XRGB8888) {
		r = vframe_new(&f, VFMT_XRGB8888, w, h);
		if (r < 0)
			goto out;
		if (tjDecompress2(tj, jpg, (unsigned long)len, f->data[0], w, f->stride[0], h,
				  TJPF_BGRX, TJFLAG_FASTDCT) < 0)
			r = -EBADMSG;
		goto out;
	}
	/* YUV output: decode to planar 4:2:0 (the common webcam subsampling) */
	if ((w | h) & 1) {
		r = -EINVAL;
		goto out;
	}
	r = vframe_new(&f, VFMT_I420, w, h);
	if (r < 0)
		goto out;
	if (sub == TJSAMP_420) {
		if (tjDecompressToYUVPlanes(tj, jpg, (unsigned long)len, f->data, w, f->stride, h,
					    TJFLAG_FASTDCT) < 0)
			r = -EBADMSG;
	} else {
		/* 4:2:2 (typical UVC) or other: decode to RGB, then convert */
		struct vframe *rgb = NULL;

		r = vframe_new(&rgb, VFMT_XRGB8888, w, h);
		if (r == 0 && tjDecompress2(tj, jpg, (unsigned long)len, rgb->data[0], w,
					    rgb->stride[0], h, TJPF_BGRX, TJFLAG_FASTDCT) < 0)
			r = -EBADMSG;
		if (r == 0) {
			f = vframe_unref(f);
			r = vframe_convert(&f, rgb, VFMT_I420);
		}
		vframe_unref(rgb);
	}
	if (r == 0 && fmt != VFMT_I420) {
		r = vframe_convert(&c, f, fmt);
		vframe_unref(f);
		f = r == 0 ? c : NULL;
	}
out:
	tjDestroy(tj);
	if (r < 0) {
		vframe_unref(f);
		return r;
	}
	*ret = f;
	return 0;
}

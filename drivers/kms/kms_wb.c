/* kms_wb.c: read back the composed picture through a writeback connector (vkms), for tests.
 *
 * Writeback is one-shot: a commit that sets WRITEBACK_FB_ID on the writeback
 * connector (routed to our CRTC, which needs a modeset the first time) makes
 * the device write the next composed frame into that framebuffer and signal
 * the out-fence (WRITEBACK_OUT_FENCE_PTR) when done. The framebuffer must be
 * exactly the mode's size.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kms/kms.h"
#include "kms/kms_int.h"

int kms_disp_readback(struct kms_disp *d, struct vframe **ret)
{
	drmModeAtomicReq *req;
	struct pollfd p = { .events = POLLIN };
	struct vframe *f;
	int32_t fence = -1;
	uint32_t flags = 0;
	int r;

	if (!d || !ret)
		return -EINVAL;
	if (!d->atomic || !d->has_wb_cap || !d->wb_conn_id)
		return -EOPNOTSUPP;
	if (!d->active)
		return -ENOTCONN;
	/* let a pending flip land first: this commit is a blocking one */
	(void)kms_wait_flip(d, 1000);
	if (d->wb.w != d->st.width || d->wb.h != d->st.height) {
		kms_dumb_destroy(d->fd, &d->wb);
		r = kms_dumb_new(d->fd, d->st.width, d->st.height, DRM_FORMAT_XRGB8888, &d->wb);
		if (r < 0)
			return r;
	}
	req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	kms_state_add(d, req, false);
	if (!d->wb_attached) {
		kms_add(req, d->fd, d->wb_conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", d->crtc_id);
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	}
	kms_add(req, d->fd, d->wb_conn_id, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID", d->wb.fb);
	kms_add(req, d->fd, d->wb_conn_id, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_OUT_FENCE_PTR",
		(uint64_t)(uintptr_t)&fence);
	r = drmModeAtomicCommit(d->fd, req, flags, NULL) < 0 ? -errno : 0;
	drmModeAtomicFree(req);
	if (r < 0)
		return r;
	d->wb_attached = true;
	if (fence < 0)
		return -EIO;
	p.fd = fence;
	r = poll(&p, 1, 2000);
	close(fence);
	if (r != 1)
		return -ETIMEDOUT;
	r = vframe_new(&f, VFMT_XRGB8888, d->wb.w, d->wb.h);
	if (r < 0)
		return r;
	for (int y = 0; y < d->wb.h; y++)
		memcpy(f->data[0] + (size_t)y * f->stride[0], d->wb.map + (size_t)y * d->wb.pitch,
		       (size_t)d->wb.w * 4);
	*ret = f;
	return 0;
}

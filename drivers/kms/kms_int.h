/* kms_int.h: the display's internals, shared by kms.c and kms_wb.c (writeback readback). */
#ifndef RAKWON_DRIVERS_KMS_INT_H
#define RAKWON_DRIVERS_KMS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <xf86drmMode.h>

#include "kms/kms.h"

struct kms_dumb {
	uint32_t handle, pitch, fb;
	uint64_t size;
	int w, h;
	uint8_t *map;
};

struct kms_disp {
	/* configuration (open) */
	char want_conn[32];
	char want_mode[32];
	bool force_legacy;
	bool use_overlay;
	/* device, owned by the display thread */
	int fd;
	int uevent_fd;                  /* netlink kobject uevents (hotplug) */
	bool atomic;
	bool has_wb_cap;
	uint32_t conn_id, crtc_id, wb_conn_id;
	int crtc_idx;
	uint32_t primary_id, overlay_id;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	bool active;                    /* CRTC on with our mode */
	bool flip_pending;
	/* buffers: primary (UI or composed picture) and overlay (video), double-buffered */
	struct kms_dumb pri[2], ovl[2], wb;
	int pri_cur, ovl_cur;           /* the buffer on screen (or being flipped to) */
	bool ovl_on;
	int ovl_x, ovl_y, ovl_w, ovl_h;
	struct vframe *ui;
	bool ui_dirty;
	bool wb_attached;               /* writeback connector routed to our CRTC */
	struct kms_disp_stats st;
};

int kms_dumb_new(int fd, int w, int h, uint32_t fourcc, struct kms_dumb *d);
void kms_dumb_destroy(int fd, struct kms_dumb *d);
uint32_t kms_prop_id(int fd, uint32_t obj, uint32_t type, const char *name);
int kms_add(drmModeAtomicReq *req, int fd, uint32_t obj, uint32_t type, const char *name, uint64_t v);
/* wait for the pending page-flip event (poll on the fd) */
int kms_wait_flip(struct kms_disp *d, int timeout_ms);
/* add the on-screen state (planes; with modeset also CRTC mode + connector) */
int kms_state_add(struct kms_disp *d, drmModeAtomicReq *r, bool modeset);

#endif

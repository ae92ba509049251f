/* kms.h: DRM/KMS display output (the "kms" vidsink driver) and its direct API.
 *
 * Options (params.args): device=/dev/dri/card0 (default: first card with a
 * connected connector), connector=NAME (e.g. Virtual-1, HDMI-A-1),
 * mode=1280x720 (default: 1920x1080@60, then 1280x720@60, then the preferred
 * mode), legacy=1 (force the legacy API), overlay=0 (no overlay plane).
 *
 * Video frames go on an overlay plane when the device has one that takes the
 * frame's format at its size; otherwise they are composed in software into
 * the primary plane's dumb buffer (scaled to fit, centred). A UI layer
 * (XRGB8888/ARGB8888) can be put on the primary plane. Every commit is a page
 * flip whose completion event (with the kernel's timestamp) is waited for on
 * the fd with poll(); kms_disp_last_flip() gives its time for latency figures.
 */
#ifndef RAKWON_DRIVERS_KMS_H
#define RAKWON_DRIVERS_KMS_H

#include <stdbool.h>
#include <stdint.h>

#include "drv/frame.h"
#include "drv/media_drv.h"

struct kms_disp;

struct kms_disp_stats {
	int width, height, refresh;   /* current mode */
	char mode_name[32];
	char connector[32];
	bool atomic;                  /* atomic API in use (else legacy) */
	bool overlay;                 /* video on an overlay plane */
	bool connected;
	uint64_t flips;               /* page-flip events received */
	uint64_t composed;            /* frames composed in software */
	uint64_t hotplugs;            /* connector status changes seen */
	uint64_t uevents;             /* DRM hotplug uevents received */
	uint64_t dropped;             /* frames dropped while disconnected */
	uint64_t last_flip_us;        /* CLOCK_MONOTONIC of the last flip event */
	uint32_t last_flip_seq;       /* vblank sequence of the last flip */
};

int kms_disp_open(struct kms_disp **ret, struct vidsink_params *p);
/* Show a video frame (any vfmt). Takes its own reference if the frame is
 * scanned out directly; waits for the previous flip first. */
int kms_disp_show(struct kms_disp *d, struct vframe *f);
/* Set the UI layer (XRGB8888 or ARGB8888, the mode's size; NULL to clear). */
int kms_disp_set_ui(struct kms_disp *d, struct vframe *ui);
/* Wait (poll) until the last committed frame is on screen; -ETIMEDOUT. */
int kms_disp_wait(struct kms_disp *d, int timeout_ms);
/* Handle pending DRM events (flip completions) without blocking. */
int kms_disp_dispatch(struct kms_disp *d);
/* Re-read the connectors (call on a udev/uevent hotplug notice, or
 * periodically): on a change the mode is set again, or output stops while
 * disconnected. Returns 1 if the status changed, 0 if not, or -errno. */
int kms_disp_check_hotplug(struct kms_disp *d);
/* Time (CLOCK_MONOTONIC us) and vblank sequence of the last flip event. */
int kms_disp_last_flip(struct kms_disp *d, uint64_t *ret_us, uint32_t *ret_seq);
void kms_disp_get_stats(struct kms_disp *d, struct kms_disp_stats *ret);
int kms_disp_fd(struct kms_disp *d);
/* netlink uevent socket (hotplug notices), -1 if unavailable: poll it with
 * kms_disp_fd() and call kms_disp_dispatch() when either is readable */
int kms_disp_uevent_fd(struct kms_disp *d);
/* Test helper: read back the composed picture through a writeback connector
 * (vkms): re-commits the current state plus the writeback connector and waits
 * for its out-fence; returns a new XRGB8888 frame of the mode's size.
 * -EOPNOTSUPP without a writeback connector or without atomic. */
int kms_disp_readback(struct kms_disp *d, struct vframe **ret);
struct kms_disp *kms_disp_close(struct kms_disp *d);

#endif

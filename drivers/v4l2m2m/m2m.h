/* m2m.h: stateful V4L2 M2M encoder/decoder (the "v4l2m2m" venc and vdec drivers).
 *
 * Options (params.args): codec=H264 (default) or FWHT (vicodec, the lab's
 * codec), device=/dev/videoN or name=CARD (e.g. stateful-encoder,
 * bcm2835-codec-encode), buffers=4 (per queue). Encoder input: I420 or NV12
 * frames (YUYV/XRGB are converted). Decoder output: I420 vframes.
 * Shapes follow the contract: send, then receive until -EAGAIN; send NULL to
 * drain, then receive until -ENODATA (end of stream, the device's LAST
 * buffer). A packet's capture_us is the source frame's, carried through the
 * device in the V4L2 buffer timestamp.
 */
#ifndef RAKWON_DRIVERS_M2M_H
#define RAKWON_DRIVERS_M2M_H

#include <stdbool.h>
#include <stdint.h>

#include "drv/frame.h"
#include "drv/media_drv.h"

struct m2m;

struct m2m_stats {
	char card[32];
	char path[64];
	uint32_t raw_fourcc;    /* raw side's pixel format */
	int width, height;
	int out_bufs, cap_bufs;
	uint64_t sent, received;
	uint64_t keyframes;
	uint64_t copies;        /* frames converted before the device (format mismatch) */
	uint64_t dropped;       /* outputs dropped because the FIFO was full */
	uint64_t source_changes;
	bool eos;
};

int m2m_enc_open(struct m2m **ret, struct venc_params *p);
int m2m_enc_send(struct m2m *m, struct vframe *f);
int m2m_enc_receive(struct m2m *m, struct mpkt **ret);
void m2m_enc_request_keyframe(struct m2m *m);
int m2m_enc_set_bitrate(struct m2m *m, int kbps);

int m2m_dec_open(struct m2m **ret, struct vdec_params *p);
int m2m_dec_send(struct m2m *m, struct mpkt *p);
int m2m_dec_receive(struct m2m *m, struct vframe **ret);

void m2m_get_stats(struct m2m *m, struct m2m_stats *ret);
struct m2m *m2m_close(struct m2m *m);

#endif

/* drivers.h: every concrete driver's ops table, for drivers/registry.c only. */
#ifndef RAKWON_DRV_DRIVERS_H
#define RAKWON_DRV_DRIVERS_H

#include "drv/media_drv.h"

/* real hardware (drivers/v4l2, drivers/alsa, drivers/kms, drivers/v4l2m2m) */
extern const struct vidsrc_ops v4l2_vidsrc_ops;
extern const struct audsrc_ops alsa_audsrc_ops;
extern const struct audsink_ops alsa_audsink_ops;
extern const struct vidsink_ops kms_vidsink_ops;
extern const struct venc_ops v4l2m2m_venc_ops;
extern const struct vdec_ops v4l2m2m_vdec_ops;
/* codecs (drivers/codec) */
extern const struct venc_ops x264_venc_ops;
extern const struct vdec_ops lavc_vdec_ops;
extern const struct aenc_ops opus_aenc_ops;
extern const struct adec_ops opus_adec_ops;
/* fake twins (drivers/fake) */
extern const struct vidsrc_ops testsrc_vidsrc_ops;
extern const struct vidsrc_ops y4m_vidsrc_ops;
extern const struct audsrc_ops wav_audsrc_ops;
extern const struct audsrc_ops tone_audsrc_ops;
extern const struct vidsink_ops y4m_vidsink_ops;
extern const struct vidsink_ops png_vidsink_ops;
extern const struct vidsink_ops null_vidsink_ops;
extern const struct audsink_ops wav_audsink_ops;
extern const struct audsink_ops null_audsink_ops;
extern const struct audsrc_ops room_audsrc_ops;     /* fake/room.c: speaker -> room -> microphone */
extern const struct audsink_ops room_audsink_ops;

#endif

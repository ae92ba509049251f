/* media.c: rakwon-bridgeload's pre-encoded media: Opus tone packets and
 * H.264 test pattern RTP payloads, encoded once at start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bl.h"
#include "drv/frame.h"
#include "drv/media_drv.h"
#include "media/h264_rtp.h"

static int add_payload(const uint8_t *payload, size_t len, bool marker, void *arg)
{
	struct bl_media *m = arg;
	struct bl_vpkt *v;

	if (m->nvideo == BL_VPKT_MAX || len > sizeof(v->data))
		return -ENOSPC;
	v = &m->video[m->nvideo++];
	memcpy(v->data, payload, len);
	v->len = (uint16_t)len;
	v->marker = marker;
	v->frame = (uint16_t)m->nframes;
	return 0;
}

int bl_media_make(struct bl_media *m, int w, int h, int kbps)
{
	struct vidsrc_params sp = { .width = w, .height = h, .fps = BL_FPS, .fmt = VFMT_I420,
				    .loop = true, .args = "realtime=0,noise=2" };
	struct venc_params ep = { .width = w, .height = h, .fps = BL_FPS, .bitrate_kbps = kbps,
				  .keyint = BL_VFRAMES };
	struct audsrc_params ap = { .rate = 48000, .channels = 1, .frame_samples = 960,
				    .loop = true, .args = "realtime=0,freq=440" };
	struct aenc_params ae = { .rate = 48000, .channels = 1, .frame_ms = 20,
				  .bitrate_bps = 32000 };
	struct vidsrc *vs = NULL;
	struct venc *ve = NULL;
	struct audsrc *as = NULL;
	struct aenc *aen = NULL;
	int r;

	memset(m, 0, sizeof(*m));
	if ((r = vidsrc_open(&vs, "testsrc", &sp)) < 0 || (r = venc_open(&ve, "", &ep)) < 0)
		goto out;
	while (m->nframes < BL_VFRAMES) {
		struct vframe *f = NULL;
		struct mpkt *p = NULL;

		if ((r = vidsrc_read(vs, &f)) < 0)
			goto out;
		r = venc_send_frame(ve, f);
		vframe_unref(f);
		if (r < 0)
			goto out;
		while (m->nframes < BL_VFRAMES && venc_receive_packet(ve, &p) == 0) {
			r = h264_packetize(p->data, p->len, 1200, add_payload, m);
			mpkt_unref(p);
			if (r < 0)
				goto out;
			m->nframes++;
		}
	}
	if ((r = audsrc_open(&as, "tone", &ap)) < 0 || (r = aenc_open(&aen, "opus", &ae)) < 0)
		goto out;
	while (m->naudio < BL_APKT_MAX) {
		struct aframe *f = NULL;
		struct mpkt *p = NULL;

		if ((r = audsrc_read(as, &f)) < 0)
			goto out;
		r = aenc_encode(aen, f, &p);
		aframe_unref(f);
		if (r < 0)
			goto out;
		if (p && p->len <= sizeof(m->audio[0].data)) {
			memcpy(m->audio[m->naudio].data, p->data, p->len);
			m->audio[m->naudio++].len = (uint16_t)p->len;
		}
		mpkt_unref(p);
	}
	/* silence with DTX: what a listening site sends */
	aen = aenc_close(aen);
	ae.dtx = true;
	if ((r = aenc_open(&aen, "opus", &ae)) < 0)
		goto out;
	while (m->nsilence < BL_APKT_MAX) {
		struct aframe *f = NULL;
		struct mpkt *p = NULL;

		if ((r = aframe_new(&f, 48000, 1, 960)) < 0)
			goto out;
		memset(f->pcm, 0, 960 * sizeof(int16_t));
		r = aenc_encode(aen, f, &p);
		aframe_unref(f);
		if (r < 0)
			goto out;
		m->silence[m->nsilence].len = 0;
		if (p && p->len <= sizeof(m->silence[0].data)) {
			memcpy(m->silence[m->nsilence].data, p->data, p->len);
			m->silence[m->nsilence].len = (uint16_t)p->len;
		}
		m->nsilence++;
		mpkt_unref(p);
	}
	r = 0;
out:
	venc_close(ve);
	vidsrc_close(vs);
	aenc_close(aen);
	audsrc_close(as);
	return r;
}

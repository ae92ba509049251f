/* bl.h: rakwon-bridgeload internals (simulated participants of a bridge meeting). */
#ifndef RAKWON_TOOLS_BL_H
#define RAKWON_TOOLS_BL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BL_FPS 30
#define BL_VFRAMES 60               /* 2 s of video, one IDR first */
#define BL_VPKT_MAX 2048
#define BL_APKT_MAX 50              /* 1 s of 20 ms Opus */

struct bl_vpkt {
	uint8_t data[1200];
	uint16_t len, frame;
	bool marker;
};

struct bl_apkt {
	uint8_t data[400];
	uint16_t len;
};

struct bl_media {
	struct bl_vpkt video[BL_VPKT_MAX];
	unsigned nvideo, nframes;
	struct bl_apkt audio[BL_APKT_MAX];
	unsigned naudio;
	struct bl_apkt silence[BL_APKT_MAX];    /* Opus DTX of silence: len 0 = not sent */
	unsigned nsilence;
};

int bl_media_make(struct bl_media *m, int w, int h, int kbps);

#endif

/* sdpfile.h: media session parameters from a local and a remote SDP file. */
#ifndef RAKWON_TOOLS_SDPFILE_H
#define RAKWON_TOOLS_SDPFILE_H

#include <stddef.h>

struct msess_params;

/* Fills the audio/video streams of p (addresses, PTs, SSRCs, keys, mux,
 * direction, feedback). Codec settings are left to the caller. */
int sdpfile_load(const char *local, const char *remote, struct msess_params *p, char *err,
		 size_t errlen);

#endif

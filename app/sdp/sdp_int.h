/* sdp_int.h: internals shared by the SDP files. Not for use outside app/sdp. */
#ifndef RAKWON_SDP_SDP_INT_H
#define RAKWON_SDP_SDP_INT_H

#include <stdbool.h>

#include "lib/base/pl.h"

/* next SP-separated field of *rest */
bool sdp_next_field(struct pl *rest, struct pl *ret);

#endif

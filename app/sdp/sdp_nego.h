/* sdp_nego.h: SDP offer/answer (RFC 3264) for the room terminal.
 *
 * The terminal supports one audio stream (Opus/48000/2, telephone-event) and
 * one video stream (H.264 packetization-mode 1), over RTP/AVP(F) or SDES-SRTP
 * RTP/SAVP(F). struct sdp_local describes what we can do and where we listen;
 * the functions produce our offer, our answer to a peer's offer, and the
 * negotiated result (what the media session must configure), with the peer's
 * payload types reused in the answer. Pure functions: no I/O, no state.
 */
#ifndef RAKWON_SDP_SDP_NEGO_H
#define RAKWON_SDP_SDP_NEGO_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/buf.h"
#include "sdp/sdp.h"

enum sdp_enc_policy {
	SDP_ENC_OFF,        /* plain RTP only: refuse offers that demand SAVP */
	SDP_ENC_PREFERRED,  /* SRTP when the peer offers crypto, else plain */
	SDP_ENC_REQUIRED,   /* SRTP only: 488 when the peer cannot */
};

enum sdp_kind {
	SDP_KIND_AUDIO,
	SDP_KIND_VIDEO,
	SDP_KIND_OTHER,
};

struct sdp_opus {
	uint32_t maxaveragebitrate; /* 0: not given */
	bool useinbandfec, usedtx, stereo, sprop_stereo;
	uint32_t ptime, maxptime;   /* ms, 0: not given */
};

struct sdp_h264 {
	uint32_t profile_level_id;  /* 0x42e01f; 0: not given (baseline 1.0... 0x420010 per RFC 6184) */
	int packetization_mode;     /* 0 or 1 (2 unsupported) */
	uint32_t max_fs, max_mbps;  /* 0: not given */
	uint32_t max_br;            /* 0: not given */
	bool level_asymmetry_allowed;
};

/* What we offer / accept, per media kind. */
struct sdp_local_media {
	bool enable;
	uint16_t port;              /* RTP port */
	uint16_t rtcp_port;         /* 0: port + 1 */
	bool rtcp_mux;              /* offer / accept a=rtcp-mux */
	enum sdp_dir dir;           /* what we want (sendrecv; sendonly to hold) */
	uint32_t bw_as;             /* kbit/s to announce, 0: none */
	uint32_t bw_tias;           /* bit/s to announce, 0: none */
	uint32_t ssrc;              /* 0: no a=ssrc */
	uint32_t rtx_ssrc;          /* video: 0 disables RTX */
	uint8_t pt;                 /* PT we offer for the main codec */
	uint8_t te_pt;              /* audio: telephone-event PT, 0: none */
	uint8_t rtx_pt;             /* video: rtx PT */
	struct sdp_opus opus;       /* audio */
	struct sdp_h264 h264;       /* video */
	bool avpf;                  /* offer AVPF / SAVPF with rtcp-fb */
	uint8_t level_ext_id;       /* audio: offer/accept RFC 6464 levels (a=extmap id 1..14), 0: no */
	/* SDES key material (random, from the caller): key||salt */
	uint8_t key[SDP_MAX_KEYLEN];
	uint8_t key_gcm[SDP_MAX_KEYLEN];
};

struct sdp_local {
	const char *addr;           /* our IP (numeric), IPv4 or IPv6 */
	const char *cname;          /* for a=ssrc cname:, may be NULL */
	uint64_t sess_id, sess_ver;
	enum sdp_enc_policy enc;
	/* suites we accept, in preference order, SDP_SUITE_NONE-terminated;
	 * NULL: AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, _32 */
	const enum sdp_suite *suites;
	struct sdp_local_media audio, video;
};

/* Result of negotiation, per media section of the offer (same order). */
struct sdp_media_result {
	enum sdp_kind kind;
	bool active;                /* false: rejected (port 0) or disabled */
	/* transport */
	char remote_addr[64];
	uint16_t remote_rtp, remote_rtcp;
	uint16_t local_rtp, local_rtcp;
	bool mux;
	bool avpf;                  /* AVPF/SAVPF profile */
	enum sdp_dir dir;           /* ours: SENDONLY means we send only */
	/* codec (payload types are the offerer's) */
	uint8_t pt;
	uint32_t clock;
	uint32_t channels;
	struct sdp_opus opus;       /* the peer's parameters */
	struct sdp_h264 h264;       /* the peer's parameters */
	int te_pt;                  /* telephone-event PT, -1: none */
	uint32_t te_clock;
	int rtx_pt;                 /* RTX PT whose apt is pt, -1: none */
	unsigned fb;                /* enum sdp_fb of pt */
	uint8_t level_ext_id;       /* audio: RFC 6464 client-to-mixer level, the peer's
				     * a=extmap id (1..14, one-byte header), 0: not negotiated */
	/* bandwidth the peer asks for (0: none) */
	uint32_t bw_as, bw_tias;
	/* peer's SSRCs from a=ssrc / a=ssrc-group:FID (0: unknown) */
	uint32_t remote_ssrc, remote_rtx_ssrc;
	/* SRTP (SDES) */
	bool secure;
	enum sdp_suite suite;
	uint32_t crypto_tag;
	uint8_t tx_key[SDP_MAX_KEYLEN]; /* ours (we encrypt with it) */
	uint8_t rx_key[SDP_MAX_KEYLEN]; /* the peer's */
	size_t keylen;
};

struct sdp_result {
	struct sdp_media_result m[SDP_MAX_MEDIA];
	unsigned nmedia;
};

/* Our offer (audio then video). */
int sdp_nego_offer(const struct sdp_local *loc, struct buf *out);

/* Answer a peer's offer: appends our answer SDP to out and fills *ret.
 * Media we cannot meet get port 0. -EPROTO when nothing acceptable remains
 * (caller answers 488), -EBADMSG/-E2BIG when the offer does not parse
 * (caller answers 400/488). */
int sdp_nego_answer(const struct sdp_local *loc, const char *offer, size_t len,
		    struct buf *out, struct sdp_result *ret);

/* Apply the peer's answer to our sdp_nego_offer(): fills *ret. -EPROTO when
 * the answer accepts nothing or breaks our offer (unknown PT, missing
 * crypto when required). */
int sdp_nego_apply_answer(const struct sdp_local *loc, const char *answer, size_t len,
			  struct sdp_result *ret);

#endif

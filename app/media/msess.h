/* msess.h: a media session: one call's audio and video, both directions.
 *
 * DESIGN
 * A session is created from negotiated parameters (what SDP offer/answer
 * decided: payload types, SSRCs, addresses, crypto, feedback) and the devices
 * to use. It runs on its own leaf threads and reports to the owner's loop
 * through a work queue (msess_events_wq) — it never calls back into control
 * state.
 *
 * Threads (all owned by the session, joined by msess_stop):
 *   vtx   video source -> encoder -> H.264 packetizer -> SRTP -> socket.
 *         Keyframe requests and bitrate changes reach it through atomics.
 *   atx   audio source -> Opus encoder -> RTP -> SRTP -> socket (paced by
 *         the source, 10 or 20 ms).
 *   rx    one epoll over the session's sockets: RTP/RTCP demux, SRTP
 *         unprotect, statistics, NACK generation and RTX answers, video
 *         depacketize -> decode -> lip-sync hold -> video sink; audio into
 *         the jitter buffer; RTCP SR/RR/SDES every ~1 s, BYE on stop.
 *   aplay audio playout clock: jitter buffer -> Opus decode/FEC/PLC -> mix
 *         -> audio sink, every frame period.
 * Shared state between threads is limited to: the RTX history (tx_lock), the
 * SRTP contexts (one lock each), the statistics (stats_lock) and atomics.
 *
 * Lifecycle: msess_new (validates, binds nothing) -> msess_start (opens
 * devices, sockets must be given or are bound, threads start) -> msess_stop
 * (BYE, threads joined, devices closed) -> msess_free.
 */
#ifndef RAKWON_MEDIA_MSESS_H
#define RAKWON_MEDIA_MSESS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/net/net.h"

struct msess;
struct vframe;
struct wq;

enum msess_crypto {
	MSESS_CRYPTO_NONE,
	MSESS_CRYPTO_AES_CM_128_HMAC_SHA1_80,
	MSESS_CRYPTO_AES_CM_128_HMAC_SHA1_32,
	MSESS_CRYPTO_AEAD_AES_128_GCM,
	MSESS_CRYPTO_MAX,
};

enum msess_dir {
	MSESS_INACTIVE = 0,
	MSESS_SENDONLY = 1,
	MSESS_RECVONLY = 2,
	MSESS_SENDRECV = 3,
};

struct msess_stream {
	bool enabled;
	enum msess_dir dir;
	uint8_t pt;                 /* payload type we send and expect */
	uint8_t rtx_pt;             /* RFC 4588 RTX payload type, 0: none */
	uint32_t ssrc;              /* our SSRC (0: random) */
	uint32_t rtx_ssrc;          /* our RTX SSRC (0: random) */
	uint32_t remote_ssrc;       /* the far end's SSRC from SDP (0: unknown:
	                               the first source that passes probation) */
	struct net_addr local;      /* RTP bind address (port 0: any) */
	struct net_addr remote;     /* where to send RTP */
	struct net_addr remote_rtcp;/* where to send RTCP (ignored with mux) */
	bool rtcp_mux;
	bool nack, pli, fir;        /* RTCP feedback the far end accepts */
	enum msess_crypto crypto;
	uint8_t tx_key[46];         /* master key || salt */
	uint8_t rx_key[46];
	/* codec */
	int width, height, fps, bitrate_kbps;   /* video */
	bool high_profile;                      /* video: far end accepts High */
	int frame_ms, bitrate_bps;              /* audio */
	bool fec, dtx;                          /* audio */
	int channels;                           /* audio on the wire (1 or 2) */
	uint8_t te_pt;                          /* audio: RFC 4733 telephone-event PT, 0: none */
	uint32_t te_clock;                      /* its clock rate (8000 or 48000) */
	uint8_t level_ext_id;                   /* audio: RFC 6464 client-to-mixer level
	                                           header extension id (1..14), 0: none;
	                                           sent with audio processing on */
};

struct msess_devices {
	const char *vidsrc, *vidsrc_args;   /* driver name ("" = best) + args */
	const char *audsrc, *audsrc_args;
	const char *vidsink, *vidsink_args;
	const char *audsink, *audsink_args;
	const char *venc, *vdec;           /* NULL: the first registered (x264, lavc) */
	const char *venc_args, *vdec_args;
};

/* Frame tap: called on a media thread with a frame the session handles;
 * the callee may keep it with vframe_ref() and must return quickly (no
 * blocking, no control state). what: MSESS_TAP_DECODED for every far-end
 * frame as it is rendered (vdec thread), MSESS_TAP_CAPTURED for every local
 * camera frame before the encoder (vtx thread; not called while the camera
 * is muted). Used by a display compositor (the terminal's on-screen UI). */
enum msess_tap {
	MSESS_TAP_DECODED,
	MSESS_TAP_CAPTURED,
	MSESS_TAP_MAX,
};
typedef void (*msess_tap_h)(enum msess_tap what, struct vframe *f, void *arg);

/* room audio processing of the microphone before Opus (app/audio/apm.h):
 * echo cancellation with what the session plays as reference, noise
 * suppression, gain control; all off when zeroed */
struct msess_audio_proc {
	bool aec, ns, agc;
};

struct msess_params {
	const char *cname;
	struct msess_stream audio;
	struct msess_stream video;
	struct msess_devices dev;
	/* receiver: write one line per rendered video frame to this file
	 * (stage timestamps, for tests and benchmarks); NULL: none */
	const char *frame_log;
	/* receiver: compare decoded frames with the test pattern they carry */
	bool check_testsrc;
	/* frame tap (NULL: none); fixed for the session's lifetime */
	msess_tap_h tap;
	void *tap_arg;
	struct msess_audio_proc aproc;
};

/* Events posted to the owner's queue (struct wq_item.type) */
enum msess_event {
	MSESS_EV_FIRST_VIDEO,       /* first decoded far-end frame */
	MSESS_EV_FIRST_AUDIO,
	MSESS_EV_KEYFRAME_SENT,
	MSESS_EV_RTP_TIMEOUT,       /* nothing received for the timeout */
	MSESS_EV_BYE,               /* far end sent RTCP BYE */
	MSESS_EV_ERROR,             /* val = -errno; the session stopped a thread */
	MSESS_EV_DTMF,              /* val = the digit received (RFC 4733), as a char */
	MSESS_EV_MAX,
};

struct msess_stream_stats {
	uint64_t packets_sent, bytes_sent;
	uint64_t packets_recv, bytes_recv;
	int64_t lost;               /* cumulative, RFC 3550 */
	double jitter_ms;
	double rtt_ms;              /* from RTCP; < 0 unknown */
	uint64_t srtp_auth_fail, srtp_replay, malformed, ssrc_collisions;
	uint64_t nacks_sent, nacks_recv, rtx_sent, rtx_recovered;
	uint64_t plis_sent, plis_recv, firs_recv, keyframes_sent;
	/* video */
	uint64_t frames_sent, frames_decoded, frames_dropped, freezes;
	uint64_t frames_skipped;    /* complete but undecodable until a keyframe */
	uint64_t pkts_late, pkts_given_up, nack_unrecoverable;
	uint64_t freeze_us_total, render_us_total;  /* WebRTC freeze definition */
	int width, height;
	double fps, bitrate_kbps_in, bitrate_kbps_out;
	/* audio */
	uint64_t fec_used, plc_used, late;
	int jbuf_ms;
	double psnr_avg;            /* check_testsrc only */
	double av_skew_ms;          /* video minus audio end-to-end delay */
	/* audio processing (aproc on): sent level, voice activity, echo */
	double level_dbfs;          /* processed microphone level, last block */
	bool vad;                   /* near-end speech */
	double erle_db;             /* echo return loss enhancement estimate */
	int aec_delay_ms;           /* estimated playback -> microphone delay, -1 unknown */
	uint64_t vad_frames_suppressed; /* frames not sent (DTX from the VAD) */
};

struct msess_stats {
	struct msess_stream_stats audio, video;
};

int msess_new(struct msess **ret, const struct msess_params *p);
/* events: queue to post enum msess_event items to (may be NULL) */
int msess_start(struct msess *s, struct wq *events);
void msess_stop(struct msess *s);
struct msess *msess_free(struct msess *s);
/* after msess_new: the bound local RTP addresses (port 0 resolved) */
int msess_local_addr(struct msess *s, bool video, struct net_addr *ret);
void msess_request_keyframe(struct msess *s);
int msess_set_video_bitrate(struct msess *s, int kbps);
/* mute: send silence / black (streams keep running, RTP continues) */
void msess_mute_audio(struct msess *s, bool mute);
void msess_mute_video(struct msess *s, bool mute);
/* direction change (hold/resume by re-INVITE) */
void msess_set_dir(struct msess *s, bool video, enum msess_dir dir);
/* queue DTMF digits (0-9 * # A-D) as RFC 4733 events, 100 ms each with
 * 60 ms gaps; -EINVAL bad digit, -ENOSPC queue full (16), -ENOTSUP no PT */
int msess_send_dtmf(struct msess *s, const char *digits);
void msess_get_stats(struct msess *s, struct msess_stats *ret);
/* a one-line JSON of the statistics */
int msess_stats_json(const struct msess_stats *st, char *buf, size_t len);

#endif

/* bridge.h: rakwon-bridge internals: meetings, participants, media workers.
 *
 * The bridge is a program (app/bridge/main.c); this header is shared by its
 * files: bridge.c (SIP call control, meetings, participants: loop thread),
 * meetings.c (meeting file), bctrl.c (control API commands), mworker.c /
 * mw_audio.c / mw_video.c / mw_rtcp.c (one media worker thread per
 * meeting). The DESIGN comment is at the top of bridge.c.
 */
#ifndef RAKWON_BRIDGE_BRIDGE_H
#define RAKWON_BRIDGE_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/net/net.h"

struct bridge;
struct conf;
struct conf_def;
struct loop;
struct mw;
struct wq;

/* --- meetings file ---------------------------------------------------------
 * One meeting per line, fields separated by '|', '#' comments:
 *   number | name | participant PIN | chair PIN | max participants [| uplink]
 * e.g. "1001 | Weekly review | 1234 | 9999 | 50". An empty PIN field means
 * no PIN. Numbers and PINs are digits only (1..15 and 0..15 characters).
 * uplink (optional, cascading): the SIP URI of the same meeting on a parent
 * bridge, e.g. "sip:1001@central.example;transport=tls"; this bridge then
 * joins it as a trunk participant while it has local participants.
 */
#define BR_NUM_MAX 16
#define BR_NAME_MAX 64
#define BR_MEETINGS_MAX 4096
#define BR_PARTS_MAX 1000           /* per meeting, hard limit */

struct br_meeting_def {
	char number[BR_NUM_MAX];
	char name[BR_NAME_MAX];
	char pin[BR_NUM_MAX];       /* "" none */
	char chair_pin[BR_NUM_MAX]; /* "" none */
	unsigned max_parts;
	char uplink[128];           /* "" none */
};

/* Parses a meetings file; *ret is a malloc'd array of *ret_n definitions.
 * On error, err holds "path:line: reason". */
int br_meetings_load(const char *path, struct br_meeting_def **ret, size_t *ret_n,
		     char *err, size_t errlen);
int br_meetings_parse(const char *name, const char *text, struct br_meeting_def **ret,
		      size_t *ret_n, char *err, size_t errlen);

/* --- media worker (one per meeting) ----------------------------------------
 * Owns the participants' media sockets, SRTP contexts, jitter buffers,
 * decoders, the mixer and encoders. Driven by commands posted from the loop
 * thread (mw_* functions, callable from the loop thread only); reports
 * events (enum mw_event) to the events queue given to mw_new().
 */
enum mw_event {
	MW_EV_TIMEOUT,              /* id: no RTP/RTCP for the timeout */
	MW_EV_SPEAKER,              /* id: new active speaker (0: none) */
	MW_EV_VIDEO_SRC,            /* id: participant whose video is broadcast */
	MW_EV_DTMF,                 /* id, val: digit (RFC 4733) */
	MW_EV_BYE,                  /* id: RTCP BYE received */
	MW_EV_MAX,
};

enum mw_crypto {
	MW_CRYPTO_NONE,
	MW_CRYPTO_AES_CM_80,
	MW_CRYPTO_AES_CM_32,
	MW_CRYPTO_GCM,
};

struct mw_stream {
	bool enabled;
	bool send, recv;            /* direction we may use */
	int fd, rtcp_fd;            /* taken by mw_add (rtcp_fd -1: rtcp-mux) */
	struct net_addr remote, remote_rtcp;
	uint8_t pt;
	int te_pt;                  /* audio: RFC 4733 PT, -1 none */
	uint32_t te_clock;
	int level_ext_id;           /* audio: RFC 6464 extension id, 0 none */
	uint32_t remote_ssrc;       /* 0: learn */
	uint32_t ssrc;              /* ours towards this participant */
	bool pli, fir, nack;        /* feedback the participant accepts */
	enum mw_crypto crypto;
	uint8_t tx_key[46], rx_key[46];
};

struct mw_part {
	uint32_t id;
	bool admitted;              /* false: PIN pending (not mixed, gets nothing) */
	bool chair;
	struct mw_stream audio, video;
};

struct mw_conf {
	const char *name;           /* for logs and thread name */
	unsigned max_parts;
	unsigned speakers;          /* mixed active speakers (1..8) */
	unsigned rtp_timeout_ms;    /* participant removed after this silence */
	int opus_bitrate;           /* bps of the encoded mixes */
	int opus_complexity;        /* 0..10 */
	int level_threshold_db;     /* dBov above which one counts as speaking */
	unsigned switch_hold_ms;    /* min time between video switches */
};

/* per-participant counters (read by the loop thread, relaxed) */
struct mw_part_stats {
	uint64_t a_rx, a_tx, v_rx, v_tx, malformed, auth_fail, plis_sent, nacks_rx,
		 rtx_sent, foreign, flood;
	uint64_t levels_rx;         /* audio packets with an RFC 6464 level (negotiated a=extmap) */
	int level_db;               /* smoothed audio level, dBov */
};

int mw_new(struct mw **ret, const struct mw_conf *c, struct wq *events);
int mw_start(struct mw *w);
/* stops the thread, closes every socket, frees */
struct mw *mw_free(struct mw *w);
/* p is copied; its fds are owned by the worker from now on (also on error) */
int mw_add(struct mw *w, const struct mw_part *p);
int mw_del(struct mw *w, uint32_t id);
int mw_admit(struct mw *w, uint32_t id, bool chair);
int mw_mute(struct mw *w, uint32_t id, bool mute);
/* the broadcast (video) source: id, or 0 for voice-activated */
int mw_set_broadcast(struct mw *w, uint32_t id);
/* copies the counters of participant id; -ENOENT */
int mw_stats(struct mw *w, uint32_t id, struct mw_part_stats *ret);
/* video forwarding latency so far: from the kernel's receipt of a packet
 * to the send of its last copy; n packets, percentiles in microseconds */
void mw_latency(struct mw *w, uint64_t *n, uint64_t *p50_us, uint64_t *p99_us,
		uint64_t *max_us);
/* audio packets dropped because the mixer fell behind (its ring was full) */
uint64_t mw_mixer_dropped(struct mw *w);

/* --- bridge (loop thread) ------------------------------------------------- */
int bridge_new(struct bridge **ret, struct loop *l, struct conf *conf,
	       const struct br_meeting_def *defs, size_t ndefs);
struct bridge *bridge_free(struct bridge *b);
/* begin a clean shutdown: every call hung up; loop_quit when done */
void bridge_shutdown(struct bridge *b);

const struct conf_def *bridge_conf_table(size_t *ret_n);

#endif

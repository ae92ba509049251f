/* mw_int.h: media worker internals shared by mworker.c, mw_mix.c, mw_audio.c, mw_video.c.
 *
 * Two threads per meeting. The forwarding thread (mworker.c, its own epoll
 * loop) owns the sockets' receive side, SRTP unprotect, RTCP, video
 * forwarding (SRTP protect per receiver) and the commands from the bridge.
 * The mixer thread (mw_mix.c, a 20 ms clock) owns the jitter buffers, Opus
 * decoders, mixer, encoders and the audio send side (the audio tx SRTP
 * context, seq/ts, audio RTCP reports). The forwarding thread never waits
 * for the mixer: received audio goes into a single-producer single-consumer
 * ring (struct mx_ring, no lock, no allocation) that the mixer drains once
 * per period; participant add/delete/flags travel in the same ring, so
 * they are ordered with the packets. Fields of struct mw_pp are split the
 * same way (marked fwd / mix); a participant is created by the forwarding
 * thread and freed by the mixer thread when it takes MX_DEL from the ring.
 */
#ifndef RAKWON_BRIDGE_MW_INT_H
#define RAKWON_BRIDGE_MW_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "bridge.h"
#include "lib/loop/loop.h"
#include "rtp/rtcp.h"

#define MW_RATE 48000
#define MW_FRAME 960                /* 20 ms mono at 48 kHz */
#define MW_SPK_MAX 8
#define MW_PKT_MAX 1600
#define MW_HIST 256                 /* video packets kept per source for NACK */
#define MW_RX_RATE 2000.0           /* packets/s accepted per stream (720p video is ~250) */
#define MW_RX_BURST 1000.0
#define MW_RX_BATCH 16              /* datagrams per recvmmsg() */
#define MW_LAT_BINS 2000            /* forwarding latency: 50 us bins to 100 ms */
#define MX_RING 2048                /* ring entries (power of 2) */
#define MX_CMD_RESERVE 64           /* entries kept free for commands */
#define MX_APKT_MAX 1276            /* largest Opus packet carried */

struct rtp_srtp;
struct fsrtp;
struct jbuf;
struct adec;
struct aenc;
struct amix;
struct mw_pp;

struct mw_strm {
	struct mw_stream c;
	struct mw_pp *pp;
	bool video;
	struct rtp_srtp *tx, *rx;
	struct fsrtp *ftx;          /* GCM: RTP out through fsrtp.c, not tx */
	uint32_t src_ssrc;          /* the participant's SSRC (learned) */
	uint16_t seq;               /* our next outgoing seq (audio) */
	uint32_t ts;                /* our next outgoing ts (audio) */
	uint64_t last_te_ts;        /* last RFC 4733 event timestamp + 1 */
	uint64_t src_seen_us;       /* last packet of src_ssrc */
	/* the participant's last SR: for our RR (its RTT) and, for video, to
	 * give receivers of its forwarded stream a sender clock */
	uint64_t sr_ntp, sr_arrival_us, sr_wall_us;
	uint32_t sr_rtp;
	uint32_t sr_ssrc;           /* the SR's sender (our RR block is about it) */
	uint32_t tx_packets, tx_octets;
	/* receive rate limit (token bucket, per stream) */
	double rx_tokens;
	uint64_t rx_tokens_us;
};

struct mw_hist {
	uint16_t seq[MW_HIST];
	uint16_t len[MW_HIST];
	bool used[MW_HIST];
	uint8_t pkt[MW_HIST][MW_PKT_MAX];
};

/* a participant: fields are owned by the forwarding thread (fwd) or by
 * the mixer thread (mix); a.tx, a.seq, a.ts, a.tx_*, a.sr_* are mix,
 * the rest of a and all of v are fwd */
struct mw_pp {
	struct mw *w;
	uint32_t id;
	bool admitted, chair, muted;        /* fwd */
	bool m_admitted, m_muted;           /* mix: copies sent by MX_FLAGS */
	struct mw_strm a, v;
	struct jbuf *jb;                    /* mix */
	struct adec *dec;                   /* mix */
	int16_t pcm[MW_FRAME];              /* mix */
	float level;                /* mix: smoothed mean square, 0..1 */
	int slot;                   /* mix: active speaker slot, -1 none */
	uint64_t last_rx_us;
	uint64_t added_ns;          /* CLOCK_REALTIME when the worker took it */
	bool timeout_sent;
	struct mw_part_stats st;    /* written by the worker, read under mw.lock */
	/* video towards this participant */
	uint32_t vout_src;          /* participant id whose video we forward (0 none) */
	uint16_t vseq_off;
	uint32_t vts_off;
	uint16_t vlast_seq;
	uint32_t vlast_ts;
	bool vinit;
	/* video from this participant (as a source) */
	struct mw_hist *hist;       /* allocated when first a source */
	uint64_t last_pli_us;
	uint16_t v_last_seq;        /* highest seq received */
	bool v_seq_init, v_au_start;/* the next seq begins an access unit */
};

enum mx_kind {
	MX_PKT,                     /* an audio RTP payload */
	MX_SR,                      /* an RTCP SR on the audio stream */
	MX_ADD,                     /* pp joins the mix */
	MX_DEL,                     /* pp leaves: the mixer frees it */
	MX_FLAGS,                   /* admitted / muted changed */
};

struct mx_ent {
	struct mw_pp *pp;
	uint64_t arrival_us;
	uint32_t ts, ssrc;
	uint16_t seq, len;
	uint8_t kind;
	bool admitted, muted;
	int16_t level;              /* RFC 6464 -dBov, -1 none */
	struct rtcp_sender_info si;
	uint8_t data[MX_APKT_MAX];
};

struct mx_ring {
	_Atomic unsigned head;      /* next to write (forwarding thread) */
	_Atomic unsigned tail;      /* next to read (mixer thread) */
	struct mx_ent *ent;
	_Atomic unsigned long dropped;
};

struct mw {
	struct mw_conf c;
	char name[BR_NAME_MAX];
	struct loop *loop;
	struct wq *cmd, *events;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;       /* parts[] membership (for mw_stats) */
	struct mw_pp **parts;
	unsigned nparts;
	struct loop_timer tick;
	uint64_t ticks;
	/* mixer thread (mw_mix.c) */
	struct mx_ring ring;
	pthread_t mx_thread;
	bool mx_running;
	_Atomic bool mx_quit;
	struct mw_pp **mparts;      /* the mixer's participants */
	unsigned nmparts;
	uint64_t mticks;
	uint64_t tick_wall_us;      /* wall clock of the last mix (audio SR) */
	struct amix *mix;
	struct aenc *enc[MW_SPK_MAX + 1];   /* per slot, [speakers]: shared mix */
	uint32_t slot_id[MW_SPK_MAX];       /* participant in each slot, 0 free */
	_Atomic uint32_t loudest;   /* written by the mixer, read by fwd */
	uint64_t loudest_since_us;
	uint8_t mbuf[MW_PKT_MAX + 64];      /* the mixer's send buffer */
	/* video */
	uint32_t bcast;             /* chair-chosen source, 0: voice-activated */
	uint32_t vsrc, vprev;       /* forwarded now / before (the source sees vprev) */
	uint32_t vpending;          /* wanted, waiting for its keyframe */
	uint64_t last_switch_us, pending_pli_us;
	uint8_t buf[MW_PKT_MAX + 64];       /* fwd: send scratch */
	uint8_t copy[MW_PKT_MAX];   /* video: a NACKed packet being resent */
	uint8_t rbuf[MW_RX_BATCH][MW_PKT_MAX + 64]; /* fwd: recvmmsg buffers */
	/* forwarding latency: the kernel's receive time of the packet being
	 * handled (CLOCK_REALTIME ns, 0 unknown) and a histogram of the time
	 * until its last copy was sent (fwd writes, mw_latency() reads) */
	uint64_t rx_ts_ns;
	_Atomic unsigned lat[MW_LAT_BINS + 1];
};

struct mw_pp *mw_find(struct mw *w, uint32_t id);
/* mixer-side lookup */
struct mw_pp *mw_mfind(struct mw *w, uint32_t id);
/* closes fds and SRTP contexts, frees (fds already out of the loop) */
struct mw_pp *mw_pp_free(struct mw_pp *pp);
void mw_post_event(struct mw *w, int type, uint32_t id, int64_t val);
/* SSRC latching: the SDP's SSRC, else the first one seen; another SSRC is
 * accepted only after 2 s without the latched one. false: drop the packet */
bool mw_ssrc_latch(struct mw_strm *s, uint32_t ssrc, uint64_t now);
/* protect (RTP or RTCP) and send pkt[0..len) (buffer cap MW_PKT_MAX+64) */
void mw_send(struct mw *w, struct mw_strm *s, uint8_t *pkt, size_t len, bool rtcp);
/* mixer thread and ring (mw_mix.c) */
int mw_mix_start(struct mw *w);
/* stops the mixer thread, drains the ring, frees every participant */
void mw_mix_stop(struct mw *w);
/* forwarding thread: a ring entry to fill (NULL: full), then commit it;
 * commands (cmd) may use the reserve and wait for room */
struct mx_ent *mw_ring_slot(struct mw *w, bool cmd);
void mw_ring_commit(struct mw *w);
/* audio */
int mw_audio_init(struct mw *w);
void mw_audio_fini(struct mw *w);
/* forwarding thread: parse, DTMF, hand the payload to the mixer */
void mw_audio_rtp(struct mw *w, struct mw_pp *pp, const uint8_t *pkt, size_t len,
		  uint64_t now);
/* mixer thread */
void mw_audio_put(struct mw *w, const struct mx_ent *e);
void mw_audio_tick(struct mw *w, uint64_t now);
void mw_audio_part_gone(struct mw *w, struct mw_pp *pp);
/* RTCP: note a participant's SR; send our reports (every second) */
void mw_rtcp_note_sr(struct mw_strm *s, uint32_t ssrc, const struct rtcp_sender_info *si,
		     uint64_t now);
void mw_rtcp_reports(struct mw *w, uint64_t now);           /* fwd: video */
void mw_rtcp_audio_reports(struct mw *w, uint64_t now);     /* mix: audio */
/* video */
void mw_lat_note(struct mw *w);
void mw_video_rtp(struct mw *w, struct mw_pp *pp, uint8_t *pkt, size_t len, uint64_t now);
void mw_video_rtcp(struct mw *w, struct mw_pp *pp, const uint8_t *pkt, size_t len,
		   uint64_t now);
void mw_video_update(struct mw *w, uint64_t now);
void mw_video_part_gone(struct mw *w, struct mw_pp *pp);

#endif

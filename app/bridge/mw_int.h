/* mw_int.h: media worker internals shared by mworker.c, mw_audio.c, mw_video.c. */
#ifndef RAKWON_BRIDGE_MW_INT_H
#define RAKWON_BRIDGE_MW_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "bridge.h"
#include "lib/loop/loop.h"

#define MW_RATE 48000
#define MW_FRAME 960                /* 20 ms mono at 48 kHz */
#define MW_SPK_MAX 8
#define MW_PKT_MAX 1600
#define MW_HIST 256                 /* video packets kept per source for NACK */
#define MW_RX_RATE 2000.0           /* packets/s accepted per stream (720p video is ~250) */
#define MW_RX_BURST 1000.0

struct rtp_srtp;
struct jbuf;
struct adec;
struct aenc;
struct amix;
struct mw_pp;
struct rtcp_sender_info;

struct mw_strm {
	struct mw_stream c;
	struct mw_pp *pp;
	bool video;
	struct rtp_srtp *tx, *rx;
	uint32_t src_ssrc;          /* the participant's SSRC (learned) */
	uint16_t seq;               /* our next outgoing seq (audio) */
	uint32_t ts;                /* our next outgoing ts (audio) */
	uint64_t last_te_ts;        /* last RFC 4733 event timestamp + 1 */
	uint64_t src_seen_us;       /* last packet of src_ssrc */
	/* the participant's last SR: for our RR (its RTT) and, for video, to
	 * give receivers of its forwarded stream a sender clock */
	uint64_t sr_ntp, sr_arrival_us, sr_wall_us;
	uint32_t sr_rtp;
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

struct mw_pp {
	struct mw *w;
	uint32_t id;
	bool admitted, chair, muted;
	struct mw_strm a, v;
	struct jbuf *jb;
	struct adec *dec;
	int16_t pcm[MW_FRAME];
	float level;                /* smoothed mean square, 0..1 */
	int slot;                   /* active speaker slot, -1 none */
	uint64_t last_rx_us;
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
	uint64_t tick_wall_us;      /* wall clock of the last mix (audio SR) */
	/* audio */
	struct amix *mix;
	struct aenc *enc[MW_SPK_MAX + 1];   /* per slot, [speakers]: shared mix */
	uint32_t slot_id[MW_SPK_MAX];       /* participant in each slot, 0 free */
	uint32_t loudest;
	uint64_t loudest_since_us;
	/* video */
	uint32_t bcast;             /* chair-chosen source, 0: voice-activated */
	uint32_t vsrc, vprev;       /* forwarded now / before (the source sees vprev) */
	uint32_t vpending;          /* wanted, waiting for its keyframe */
	uint64_t last_switch_us, pending_pli_us;
	uint8_t buf[MW_PKT_MAX + 64];
	uint8_t copy[MW_PKT_MAX];   /* video: the packet being fanned out */
};

struct mw_pp *mw_find(struct mw *w, uint32_t id);
void mw_post_event(struct mw *w, int type, uint32_t id, int64_t val);
/* SSRC latching: the SDP's SSRC, else the first one seen; another SSRC is
 * accepted only after 2 s without the latched one. false: drop the packet */
bool mw_ssrc_latch(struct mw_strm *s, uint32_t ssrc, uint64_t now);
/* protect (RTP or RTCP) and send pkt[0..len) (buffer cap MW_PKT_MAX+64) */
void mw_send(struct mw *w, struct mw_strm *s, uint8_t *pkt, size_t len, bool rtcp);
/* audio */
int mw_audio_init(struct mw *w);
void mw_audio_fini(struct mw *w);
void mw_audio_rtp(struct mw *w, struct mw_pp *pp, const uint8_t *pkt, size_t len,
		  uint64_t now);
void mw_audio_tick(struct mw *w, uint64_t now);
void mw_audio_part_gone(struct mw *w, struct mw_pp *pp);
/* RTCP: note a participant's SR; send our reports (every second) */
void mw_rtcp_note_sr(struct mw_strm *s, const struct rtcp_sender_info *si, uint64_t now);
void mw_rtcp_reports(struct mw *w, uint64_t now);
/* video */
void mw_video_rtp(struct mw *w, struct mw_pp *pp, uint8_t *pkt, size_t len, uint64_t now);
void mw_video_rtcp(struct mw *w, struct mw_pp *pp, const uint8_t *pkt, size_t len,
		   uint64_t now);
void mw_video_update(struct mw *w, uint64_t now);
void mw_video_part_gone(struct mw *w, struct mw_pp *pp);

#endif

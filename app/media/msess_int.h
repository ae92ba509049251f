/* msess_int.h: media session internals shared by msess*.c (see msess.h DESIGN). */
#ifndef RAKWON_MEDIA_MSESS_INT_H
#define RAKWON_MEDIA_MSESS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "drv/media_drv.h"
#include "media/msess.h"
#include "rtp/jbuf.h"
#include "rtp/nack.h"
#include "rtp/rtp_stats.h"
#include "rtp/rtx.h"
#include "rtp/srtp.h"

struct amix;
struct apm;
struct aring;

#define MSESS_PKT_MAX 1500
#define MSESS_PAYLOAD_MAX 1200          /* RFC 6184 budget: MTU 1200 */
#define MSESS_MAX_ASRC 8                /* received audio streams mixed */
#define MSESS_RENDER_Q 8                /* video frames held for lip sync */
#define MSESS_RTP_TIMEOUT_US 10000000ULL

struct msess;

/* one received audio stream (an SSRC): jitter buffer + decoder */
struct msess_asrc {
	bool used;
	uint32_t ssrc;
	struct rtp_rx_stats rxs;        /* rx thread */
	struct jbuf *jb;                /* put: rx thread, get: aplay (jb_lock) */
	struct adec *dec;               /* aplay thread */
	uint64_t last_us;               /* rx thread: last packet */
	int16_t *pcm;                   /* aplay: this period's decoded audio */
	bool started;
};

struct msess_rframe {                    /* a decoded frame waiting for its time */
	struct vframe *f;
	uint64_t due_us;
	uint64_t recv_us, decoded_us;
	uint32_t rtp_ts;
	double e2e_ms;                  /* sender capture -> due, from SR mapping */
};

struct mstream {
	struct msess *s;
	bool video;
	struct msess_stream p;
	uint32_t clock_rate;
	int fd_rtp, fd_rtcp;            /* equal with rtcp-mux */
	struct net_addr local_rtp, local_rtcp;
	atomic_int dir;                 /* enum msess_dir, changeable */

	/* transmit side: protected by tx_lock (the tx thread sends RTP, the
	 * rx thread sends RTCP and retransmissions with the same contexts) */
	pthread_mutex_t tx_lock;
	struct rtp_srtp *srtp_tx;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts_base;
	uint64_t t0_us;                 /* monotonic origin of the RTP clock */
	bool sent_any;
	struct rtp_tx_stats txs;
	struct rtp_history *hist;       /* video only */
	struct rtx_sender rtx;
	atomic_bool ssrc_collision;     /* rx -> tx: pick a new SSRC */

	/* receive side: rx thread only */
	struct rtp_srtp *srtp_rx;
	bool have_remote;
	uint32_t remote_ssrc;           /* video: the one we decode */
	struct rtp_rx_stats rxs;        /* video */
	struct nack_gen *nack;          /* video with nack */
	uint64_t last_pli_us;
	uint8_t fir_seq;
	uint64_t last_rx_us;            /* any packet */
	uint64_t last_valid_us;         /* last packet of the source we decode */
	uint32_t cand_ssrc;             /* a new source on probation */
	uint16_t cand_seq;
	unsigned cand_n;
	bool timeout_sent;
	uint64_t next_rtcp_us;

	/* requests from any thread */
	atomic_bool kf_req;
	atomic_int new_bitrate;         /* kbps, 0: none */
	atomic_bool mute;

	/* DTMF to send (audio): dtmf_lock; the atx thread sends */
	pthread_mutex_t dtmf_lock;
	char dtmf_q[17];
	/* DTMF received: rx thread */
	uint32_t dtmf_last_ts;
	bool dtmf_seen;
};

struct msess {
	struct msess_params p;
	char cname[64];
	char *frame_log_path;
	struct mstream a, v;
	struct wq *events;
	atomic_bool stop;
	bool started;
	int epfd;                       /* rx thread */
	int wakefd;                     /* eventfd: wakes rx on stop */
	pthread_t th_vtx, th_atx, th_rx, th_aplay, th_vdec;
	bool run_vtx, run_atx, run_rx, run_aplay, run_vdec;
	struct wq *vdq;                 /* rx -> vdec: complete access units */

	/* devices, each owned by the thread using it */
	struct vidsrc *vsrc;            /* vtx */
	struct venc *venc;              /* vtx */
	struct audsrc *asrc;            /* atx */
	struct aenc *aenc;              /* atx */
	struct vdec *vdec;              /* vdec thread */
	struct vidsink *vsink;          /* vdec thread */
	struct audsink *asink;          /* aplay */

	/* received audio: jb_lock protects asrc[].used/ssrc/jb */
	pthread_mutex_t jb_lock;
	struct msess_asrc asrc_rx[MSESS_MAX_ASRC];
	struct amix *mix;               /* aplay */
	struct aframe *aout;            /* aplay: mixed output, reused */
	struct mpkt *apkt;              /* aplay: decode input, reused */
	int asamples;                   /* per period, mono */
	atomic_llong audio_e2e_us;      /* aplay: current audio capture->play */
	atomic_bool audio_e2e_valid;
	atomic_bool vdec_failed;        /* vdec -> rx: a frame failed to decode */

	struct h264_depkt *depkt;       /* rx thread */
	/* video render queue and checks: vdec thread */
	struct msess_rframe rq[MSESS_RENDER_Q];
	unsigned rq_len;
	uint64_t last_render_us;
	double render_mean_us;
	uint64_t render_n;
	struct vidsrc *ref;             /* check_testsrc: reference pattern */
	struct vframe *ref_frame;
	FILE *flog;                     /* frame log; written by vtx and rx */
	pthread_mutex_t flog_lock;

	pthread_mutex_t stats_lock;     /* protects st */
	struct msess_stats st;
	double psnr_sum;                /* stats_lock */
	uint64_t psnr_n;
	double skew_sum_ms;
	int64_t v_hold_us;              /* vdec: current lip-sync hold of video */
	uint64_t skew_n;
	bool first_video, first_audio;

	/* room audio processing (p.aproc): apm on atx, reference ring aplay -> atx */
	struct apm *apm;                /* atx */
	struct aring *aref;             /* written by aplay, read by atx */
};

/* msess.c */
void msess_post(struct msess *s, enum msess_event ev, int64_t val);
/* rx thread: may a packet of ssrc/seq be taken as the far end's source? */
/* SRTP/SRTCP unprotect of a received packet in place (no-op without SRTP);
 * failures (auth, replay) are counted in the stream's stats. rx thread. */
int mstream_unprotect(struct mstream *m, bool rtcp, uint8_t *pkt, size_t len, size_t *plen);
bool mstream_source_ok(struct mstream *m, uint32_t ssrc, uint16_t seq, uint64_t now);
int mstream_send_rtp(struct mstream *m, uint8_t *pkt, size_t len, bool store);
void msess_flog(struct msess *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint32_t mstream_rtp_ts(const struct mstream *m, uint64_t mono_us);

/* msess_video.c */
int msess_video_open(struct msess *s);
void msess_video_close(struct msess *s);
void *msess_vtx_thread(void *arg);
void *msess_vdec_thread(void *arg);
void msess_video_rx(struct msess *s, uint8_t *pkt, size_t len, uint64_t now_us);
void msess_video_on_nack(struct msess *s, const uint16_t *seqs, unsigned n);
uint64_t msess_video_tick(struct msess *s, uint64_t now_us);  /* next due */

/* msess_audio.c */
int msess_audio_open(struct msess *s);
void msess_audio_close(struct msess *s);
void *msess_atx_thread(void *arg);
void *msess_aplay_thread(void *arg);
void msess_audio_rx(struct msess *s, uint8_t *pkt, size_t len, uint64_t now_us);

#endif

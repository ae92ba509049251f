/* h264_rtp.h: H.264 RTP payload format (RFC 6184): packetizer and frame assembler.
 *
 * Packetizer: one access unit in Annex B (3- or 4-byte start codes) becomes
 * RTP payloads of packetization-mode 1: single NAL unit packets, STAP-A for
 * runs of consecutive small NALs, FU-A for NALs larger than the payload
 * budget. The marker is set on the last payload of the access unit.
 *
 * Frame assembler (depacketizer): fed RTP packets in arrival order (possibly
 * reordered, duplicated or lost), it reorders inside a bounded window and
 * emits complete access units in Annex B (4-byte start codes) through a
 * callback. An access unit is complete when its end is known (marker bit or
 * timestamp change) and no sequence number is missing from it; otherwise it
 * is dropped and reported (callback with H264_AU_DROPPED) and the assembler
 * enters the "keyframe needed" state until an access unit holding an IDR
 * arrives or the caller reports that its decoder recovered
 * (h264_depkt_decoded_ok()). Accepts packetization-mode 0 and 1 input
 * (single NAL units, STAP-A, FU-A); other types are counted as malformed.
 * Everything a peer can make it allocate is bounded (h264_depkt_conf).
 * Not thread-safe: one owner thread (the receive thread) per assembler.
 */
#ifndef RAKWON_MEDIA_H264_RTP_H
#define RAKWON_MEDIA_H264_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define H264_RTP_MTU_DEFAULT 1200       /* default max RTP payload size */
#define H264_RTP_PAYLOAD_MIN 64         /* smallest max_payload accepted */
#define H264_RTP_PAYLOAD_MAX 8192       /* largest max_payload accepted */

enum h264_nal_type {
	H264_NAL_SLICE = 1,
	H264_NAL_IDR = 5,
	H264_NAL_SEI = 6,
	H264_NAL_SPS = 7,
	H264_NAL_PPS = 8,
	H264_NAL_AUD = 9,
	H264_NAL_STAP_A = 24,
	H264_NAL_STAP_B = 25,
	H264_NAL_MTAP16 = 26,
	H264_NAL_MTAP24 = 27,
	H264_NAL_FU_A = 28,
	H264_NAL_FU_B = 29,
};

/* Iterates the NAL units of an Annex B buffer. *pos starts at 0; returns
 * true and sets *ret_nal and *ret_len (start code excluded, trailing zero bytes
 * trimmed) for each NAL unit, false at the end. Empty NAL units are skipped. */
bool h264_annexb_next(const uint8_t *buf, size_t len, size_t *pos,
		      const uint8_t **ret_nal, size_t *ret_len);

/* Called for each RTP payload: return 0 to go on, <0 to stop (returned by
 * h264_packetize()). payload is valid only during the call. */
typedef int (*h264_pkt_h)(const uint8_t *payload, size_t len, bool marker,
			  void *arg);

/* Packetizes one access unit (Annex B). max_payload is the RTP payload budget
 * (0: H264_RTP_MTU_DEFAULT; must be within [H264_RTP_PAYLOAD_MIN,
 * H264_RTP_PAYLOAD_MAX]). Returns the number of payloads emitted, -EINVAL on
 * bad arguments or an access unit without NAL units, or the callback's error.
 * Needs no allocation (uses H264_RTP_PAYLOAD_MAX bytes of stack). */
int h264_packetize(const uint8_t *au, size_t len, size_t max_payload,
		   h264_pkt_h cb, void *arg);

/* access unit flags */
enum {
	H264_AU_IDR = 1 << 0,           /* holds an IDR slice */
	H264_AU_SPS = 1 << 1,
	H264_AU_PPS = 1 << 2,
	H264_AU_AFTER_LOSS = 1 << 3,    /* complete, but references may be missing
					   (keyframe needed state, no IDR) */
	H264_AU_DROPPED = 1 << 4,       /* incomplete: data NULL, len 0 */
};

struct h264_au {
	const uint8_t *data;            /* Annex B, 4-byte start codes */
	size_t len;
	uint32_t ts;                    /* RTP timestamp */
	uint16_t first_seq, last_seq;   /* sequence numbers it spans (as seen) */
	unsigned nal_count;
	uint32_t nal_types;             /* bit n set: holds a NAL unit of type n */
	unsigned flags;                 /* H264_AU_* */
};

/* Called for each completed or dropped access unit. au and its data are
 * valid only during the call; the callback must not call back into the
 * assembler except h264_depkt_keyframe_needed()/h264_depkt_stats(). */
typedef void (*h264_au_h)(const struct h264_au *au, void *arg);

struct h264_depkt_conf {
	size_t max_au_size;             /* 0: 4 MiB; larger AUs are dropped */
	unsigned max_nals;              /* 0: 1024 NAL units per AU */
	unsigned reorder_pkts;          /* reorder window in packets, rounded up
					   to a power of two (0: 64, max 1024) */
	unsigned reorder_frames;        /* a missing packet is declared lost once
					   this many later frame ends (marker)
					   are buffered (0: 2; UINT32_MAX: off) */
	uint64_t max_wait_us;           /* ... or once the gap is this old
					   (0: no time limit; needs put/poll
					   with arrival times). With NACK/RTX,
					   set reorder_frames to UINT32_MAX and
					   this to about one RTT plus margin,
					   and call h264_depkt_poll() from a
					   timer. */
	bool drop_after_loss;           /* in keyframe-needed state, drop
					   non-IDR AUs instead of delivering them
					   with H264_AU_AFTER_LOSS */
};

struct h264_rtp_pkt {
	uint16_t seq;
	uint32_t ts;
	bool marker;
	const uint8_t *payload;         /* copied if it must be buffered */
	size_t len;
	uint64_t arrival_us;            /* monotonic; 0 if unknown */
};

struct h264_depkt_stats {
	uint64_t packets;               /* put() calls */
	uint64_t bytes;                 /* payload bytes put */
	uint64_t dups;                  /* duplicates ignored */
	uint64_t late;                  /* arrived after their slot was given up */
	uint64_t lost;                  /* sequence numbers declared lost */
	uint64_t reordered;             /* arrived out of order but in time */
	uint64_t malformed;             /* undecodable payloads, dropped */
	uint64_t oversize;              /* AUs dropped over max_au_size/max_nals */
	uint64_t frames_complete;       /* AUs delivered */
	uint64_t frames_after_loss;     /* ... of which flagged AFTER_LOSS */
	uint64_t frames_dropped;        /* AUs dropped incomplete */
	uint64_t frames_skipped;        /* complete AUs dropped (drop_after_loss) */
	uint64_t keyframe_requests;     /* keyframe-needed episodes begun */
	uint64_t resyncs;               /* sequence jumps that restarted the window */
};

struct h264_depkt;

/* conf may be NULL (defaults). cb is called for every AU completed/dropped. */
int h264_depkt_new(struct h264_depkt **ret, const struct h264_depkt_conf *conf,
		   h264_au_h cb, void *arg);
struct h264_depkt *h264_depkt_free(struct h264_depkt *d);

/* Feeds one RTP packet. Returns 0 (malformed payloads are counted, not
 * errors) or -ENOMEM. May call the callback any number of times. */
int h264_depkt_put(struct h264_depkt *d, const struct h264_rtp_pkt *pkt);
/* Applies the max_wait_us rule without a new packet (call from a timer). */
void h264_depkt_poll(struct h264_depkt *d, uint64_t now_us);
/* Gives up on every missing packet: emits or drops everything buffered
 * (e.g. at end of stream). An AU whose end was not seen stays open. */
void h264_depkt_flush(struct h264_depkt *d);
/* Forgets all state (e.g. SSRC change); stats are kept. */
void h264_depkt_reset(struct h264_depkt *d);

/* True from a loss (or the start) until an IDR AU or h264_depkt_decoded_ok():
 * the caller should request a keyframe (PLI/FIR), rate-limited by itself. */
bool h264_depkt_keyframe_needed(const struct h264_depkt *d);
/* The caller's decoder decoded a frame cleanly after a loss (e.g. recovery
 * point or intra refresh): leaves the keyframe-needed state. */
void h264_depkt_decoded_ok(struct h264_depkt *d);
/* The caller lost a complete AU after the assembler (decoder queue full,
 * decoder error): drop AUs until an IDR, as after a network loss. */
void h264_depkt_lost_downstream(struct h264_depkt *d);
void h264_depkt_stats(const struct h264_depkt *d, struct h264_depkt_stats *st);

#endif

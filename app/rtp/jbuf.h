/* jbuf.h: adaptive audio jitter buffer for Opus over RTP (48 kHz clock).
 *
 * put() stores a copy of each packet (one Opus packet per RTP payload) into a
 * pool of slots preallocated by jbuf_new(); get() is called once per frame
 * period by the playout clock and says what to play for that period:
 *   JBUF_PACKET  play the packet
 *   JBUF_FEC     this period's packet is missing but the next one is here:
 *                decode the next packet's in-band FEC (data points to it)
 *   JBUF_PLC     missing: conceal (decoder PLC). Also used, with flags, for
 *                DTX gaps (timestamp jump without loss) and for frames
 *                inserted to grow the delay.
 *   JBUF_EMPTY   not started yet, or restarted after a long underrun (twice
 *                max_delay) or a long silence (2 s of DTX without a packet)
 * The target delay adapts to the measured jitter (a high percentile of the
 * relative transit time over a sliding window, clamped to [min, max]); the
 * delay follows the target without time-stretching: frames are dropped or
 * concealment frames inserted, preferably during silence (tiny packets, or
 * packets under half the stream's typical size), and slowly otherwise.
 * Handles sequence/timestamp wrap, duplicates, reordering, very late packets
 * (dropped, counted) and SSRC change (reset). Packets should last frame_ms
 * (the Opus TOC gives each packet's duration, reported in .samples).
 * Neither put() nor get() allocates, blocks or logs: usable from a real-time
 * audio thread. Not thread-safe: the caller serializes put() and get().
 */
#ifndef RAKWON_RTP_JBUF_H
#define RAKWON_RTP_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jbuf_kind {
	JBUF_EMPTY,
	JBUF_PACKET,
	JBUF_FEC,
	JBUF_PLC,
	JBUF_KIND_MAX,
};

/* jbuf_frame.flags */
enum {
	JBUF_F_DTX = 1 << 0,            /* PLC for a DTX gap (no packet was lost) */
	JBUF_F_INSERTED = 1 << 1,       /* PLC inserted to grow the delay */
	JBUF_F_SKIPPED = 1 << 2,        /* a frame was dropped before this one to
					   shrink the delay */
};

struct jbuf_frame {
	enum jbuf_kind kind;
	unsigned flags;                 /* JBUF_F_* */
	const uint8_t *data;            /* PACKET, FEC: payload; valid until the
					   next put()/get()/reset */
	size_t len;
	uint16_t seq;                   /* PACKET/FEC: of the packet in data */
	uint32_t ts;                    /* RTP timestamp of this period */
	unsigned samples;               /* per channel, of this period */
};

struct jbuf_conf {
	unsigned clock_rate;            /* 0: 48000 */
	unsigned frame_ms;              /* playout period: 10 or 20 (0: 20) */
	unsigned min_delay_ms;          /* 0: 20 */
	unsigned max_delay_ms;          /* 0: 200 */
	unsigned init_delay_ms;         /* target before any measure (0: 60) */
	unsigned slots;                 /* packets held, rounded up to a power of
					   two (0: 64) */
	size_t max_payload;             /* bytes per packet (0: 1500) */
	size_t silence_bytes;           /* packets up to this size count as
					   silence (DTX) (0: 8); packets under
					   half the stream's typical size count
					   as quiet when adapting the delay */
	bool low_delay;                 /* target = jitter + 1 frame (default:
					   + 2 frames, so that the next packet's
					   FEC is at hand when one is lost) */
};

struct jbuf_stats {
	unsigned target_ms;             /* adaptive target delay */
	unsigned current_ms;            /* buffered audio at the last get() */
	unsigned jitter_ms;             /* measured jitter spread */
	uint64_t packets;               /* put() calls */
	uint64_t played;                /* JBUF_PACKET returned */
	uint64_t late;                  /* arrived after their period: dropped */
	uint64_t dups;
	uint64_t lost;                  /* periods whose packet never came in time */
	uint64_t fec;                   /* JBUF_FEC returned */
	uint64_t plc;                   /* JBUF_PLC for loss */
	uint64_t dtx;                   /* JBUF_PLC for DTX gaps */
	uint64_t inserted;              /* JBUF_PLC to grow the delay */
	uint64_t skipped;               /* frames dropped to shrink the delay */
	uint64_t empty;                 /* JBUF_EMPTY returned */
	uint64_t resets;                /* SSRC changes, jumps, long underruns */
	uint64_t oversize;              /* payloads over max_payload, dropped */
};

struct jbuf;

int jbuf_new(struct jbuf **ret, const struct jbuf_conf *conf);
struct jbuf *jbuf_free(struct jbuf *jb);

/* Stores a copy of one packet. Returns 0 (late, duplicate and oversize
 * packets are counted, not errors) or -EINVAL (len 0). */
int jbuf_put(struct jbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts,
	     const void *payload, size_t len, uint64_t arrival_us);
/* What to play for the next frame period. Returns out->kind. */
enum jbuf_kind jbuf_get(struct jbuf *jb, struct jbuf_frame *out);
/* Empties the buffer and restarts (stats are kept). */
void jbuf_reset(struct jbuf *jb);
void jbuf_stats(const struct jbuf *jb, struct jbuf_stats *st);
const char *jbuf_kind_str(enum jbuf_kind k);

/* Samples per channel of an Opus packet from its TOC (RFC 6716 3.1) at
 * 48 kHz, or -EINVAL if malformed. */
int jbuf_opus_samples(const uint8_t *p, size_t len);

#endif

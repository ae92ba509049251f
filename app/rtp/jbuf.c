/* jbuf.c: adaptive Opus jitter buffer with FEC/PLC decisions (see jbuf.h).
 *
 * DESIGN
 * Storage: `slots` entries indexed by seq & (slots-1), each pointing into one
 * pool of slots * max_payload bytes allocated by jbuf_new(); every used slot
 * holds a sequence number in [play_seq, play_seq + slots).
 * States: IDLE (nothing received) -> PRIMING (packets arriving; get() returns
 * EMPTY until the buffered audio reaches the target) -> PLAYING -> IDLE after
 * a long underrun, an SSRC change or a sequence jump (reset).
 * Playout position: play_seq (next packet to play) and play_ts (RTP
 * timestamp of the period get() fills next). Per get() in PLAYING:
 *   - packet play_seq present with ts ~ play_ts: PACKET, both advance;
 *     with ts later than play_ts: DTX gap, PLC(DTX), only play_ts advances;
 *   - missing, but play_seq+1 present and one frame later: FEC (lost);
 *   - missing, something later present: PLC (lost), both advance;
 *   - nothing buffered: if the stream looked silent (DTX), PLC(DTX) with
 *     play_ts advancing; otherwise the packet is late: PLC without advancing,
 *     which grows the delay by one frame (the late packet still plays).
 * Delay: every put() adds the packet's relative transit time (arrival minus
 * RTP time, against the first packet) to a sliding window; jitter is a high
 * percentile minus the minimum of that window, and the target is jitter plus
 * two frames (one for the playout granularity, one so that the next packet,
 * carrying the FEC of a lost one, is usually there; one frame only with
 * conf.low_delay), clamped to [min_delay, max_delay]. The buffered level (newest
 * timestamp end minus play_ts) is sampled at each get(); its maximum over the
 * last second approximates the playout delay of the earliest packets. When
 * it is a frame or more above the target, a frame is skipped (at once if the
 * packet is silence, otherwise at most every half second); when it is a frame
 * or more below, a PLC frame is inserted (same pacing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "rtp/jbuf.h"

#define JIT_WIN 200             /* transit samples in the jitter window */
#define JIT_PCT 97              /* percentile of the transit spread */
#define LVL_WIN 50              /* get() levels in the delay window */
#define ADJUST_GAP 25           /* gets between non-silent adjustments */
#define JUMP 1000               /* sequence jump that restarts */
#define DTX_IDLE_MS 2000        /* DTX without any packet this long: idle */

enum jstate { J_IDLE, J_PRIMING, J_PLAYING };

struct jslot {
	bool used;
	uint16_t seq;
	uint32_t ts;
	size_t len;
	uint8_t *data;
};

struct jbuf {
	struct jbuf_conf conf;
	unsigned frame;                 /* samples per period */
	unsigned mask;
	struct jslot *slots;
	uint8_t *pool;

	enum jstate state;
	bool have_ssrc;
	uint32_t ssrc;
	uint16_t play_seq;
	uint32_t play_ts;
	uint64_t played_bits;           /* bit i: play_seq-1-i was received */
	bool have_newest;
	uint32_t newest_end;            /* ts + duration of the newest packet */
	bool last_silent;               /* last played packet was tiny (DTX-like) */
	bool last_quiet;                /* ... or small for this stream */
	unsigned size_ref;              /* typical packet size: fast up, slow down */
	bool last_packet;               /* the last get() returned PACKET */
	unsigned empty_run;

	/* jitter */
	bool have_ref;
	int64_t ts_ext;                 /* unwrapped ts of the last packet */
	uint32_t last_ts;
	uint64_t ref_arrival;
	int64_t transit[JIT_WIN];
	int64_t sorted[JIT_WIN];        /* the same values, in order */
	unsigned nt, it;
	unsigned target;                /* samples */

	/* level window */
	int32_t lvl[LVL_WIN];
	unsigned nl, il;
	unsigned since_adjust;

	struct jbuf_stats st;
};

const char *jbuf_kind_str(enum jbuf_kind k)
{
	static const char *const n[] = { "empty", "packet", "fec", "plc" };

	return k < JBUF_KIND_MAX ? n[k] : "?";
}

int jbuf_opus_samples(const uint8_t *p, size_t len)
{
	unsigned cfg, fs, count;

	if (!p || len < 1)
		return -EINVAL;
	static const uint16_t fsz[32] = {
		480, 960, 1920, 2880, 480, 960, 1920, 2880,     /* SILK NB, MB */
		480, 960, 1920, 2880,                           /* SILK WB */
		480, 960, 480, 960,                             /* hybrid */
		120, 240, 480, 960, 120, 240, 480, 960,         /* CELT */
		120, 240, 480, 960, 120, 240, 480, 960,
	};

	cfg = p[0] >> 3;
	fs = fsz[cfg];
	switch (p[0] & 3) {
	case 0:
		count = 1;
		break;
	case 1:
	case 2:
		count = 2;
		break;
	default:
		if (len < 2)
			return -EINVAL;
		count = p[1] & 0x3f;
		if (count == 0)
			return -EINVAL;
		break;
	}
	if (fs * count > 5760)  /* 120 ms at most */
		return -EINVAL;
	return (int)(fs * count);
}

static int pkt_samples(const struct jbuf *jb, const uint8_t *p, size_t len);
static void advance_seq(struct jbuf *jb, bool received);

static unsigned ms_to_samples(const struct jbuf *jb, unsigned ms)
{
	return (unsigned)((uint64_t)ms * jb->conf.clock_rate / 1000);
}

static unsigned samples_to_ms(const struct jbuf *jb, int64_t s)
{
	return s <= 0 ? 0 : (unsigned)(s * 1000 / jb->conf.clock_rate);
}

int jbuf_new(struct jbuf **ret, const struct jbuf_conf *conf)
{
	struct jbuf *jb;
	unsigned n = 1;

	if (!ret)
		return -EINVAL;
	jb = calloc(1, sizeof(*jb));
	if (!jb)
		return -ENOMEM;
	if (conf)
		jb->conf = *conf;
	if (!jb->conf.clock_rate)
		jb->conf.clock_rate = 48000;
	if (!jb->conf.frame_ms)
		jb->conf.frame_ms = 20;
	if (!jb->conf.min_delay_ms)
		jb->conf.min_delay_ms = 20;
	if (!jb->conf.max_delay_ms)
		jb->conf.max_delay_ms = 200;
	if (!jb->conf.init_delay_ms)
		jb->conf.init_delay_ms = 60;
	if (!jb->conf.slots)
		jb->conf.slots = 64;
	if (!jb->conf.max_payload)
		jb->conf.max_payload = 1500;
	if (!jb->conf.silence_bytes)
		jb->conf.silence_bytes = 8;
	if (jb->conf.frame_ms > 120 || jb->conf.clock_rate > 192000 ||
	    jb->conf.slots > 4096 || jb->conf.max_payload > 65536 ||
	    jb->conf.min_delay_ms > jb->conf.max_delay_ms) {
		free(jb);
		return -EINVAL;
	}
	while (n < jb->conf.slots)
		n <<= 1;
	jb->conf.slots = n;
	jb->mask = n - 1;
	jb->frame = ms_to_samples(jb, jb->conf.frame_ms);
	jb->target = ms_to_samples(jb, CLAMP(jb->conf.init_delay_ms,
					     jb->conf.min_delay_ms,
					     jb->conf.max_delay_ms));
	jb->slots = calloc(n, sizeof(*jb->slots));
	jb->pool = malloc(n * jb->conf.max_payload);
	if (!jb->slots || !jb->pool || !jb->frame) {
		free(jb->slots);
		free(jb->pool);
		free(jb);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		jb->slots[i].data = jb->pool + (size_t)i * jb->conf.max_payload;
	*ret = jb;
	return 0;
}

struct jbuf *jbuf_free(struct jbuf *jb)
{
	if (!jb)
		return NULL;
	free(jb->slots);
	free(jb->pool);
	free(jb);
	return NULL;
}

static void restart(struct jbuf *jb)
{
	for (unsigned i = 0; i <= jb->mask; i++)
		jb->slots[i].used = false;
	jb->state = J_IDLE;
	jb->have_newest = false;
	jb->played_bits = 0;
	jb->last_silent = false;
	jb->last_quiet = false;
	jb->empty_run = 0;
	jb->have_ref = false;
	jb->nt = jb->it = 0;
	jb->nl = jb->il = 0;
	jb->since_adjust = 0;
}

void jbuf_reset(struct jbuf *jb)
{
	if (!jb)
		return;
	restart(jb);
	jb->have_ssrc = false;
}

/* index of the first element >= v in the sorted window */
static unsigned lower_bound(const int64_t *a, unsigned n, int64_t v)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Replaces the oldest window value by v, keeping `sorted` in order. */
static void window_push(struct jbuf *jb, int64_t v)
{
	unsigned i;

	if (jb->nt == JIT_WIN) {
		i = lower_bound(jb->sorted, jb->nt, jb->transit[jb->it]);
		memmove(jb->sorted + i, jb->sorted + i + 1,
			(jb->nt - i - 1) * sizeof(jb->sorted[0]));
		jb->nt--;
	}
	i = lower_bound(jb->sorted, jb->nt, v);
	memmove(jb->sorted + i + 1, jb->sorted + i, (jb->nt - i) * sizeof(jb->sorted[0]));
	jb->sorted[i] = v;
	jb->nt++;
	jb->transit[jb->it] = v;
	jb->it = (jb->it + 1) % JIT_WIN;
}

static void jitter_update(struct jbuf *jb, uint32_t ts, uint64_t arrival_us)
{
	int64_t rel, spread;
	unsigned n, t;

	if (!arrival_us)
		return;
	if (!jb->have_ref) {
		jb->have_ref = true;
		jb->ts_ext = 0;
		jb->last_ts = ts;
		jb->ref_arrival = arrival_us;
	}
	jb->ts_ext += (int32_t)(ts - jb->last_ts);
	jb->last_ts = ts;
	/* relative transit in microseconds: arrival minus media time */
	rel = (int64_t)(arrival_us - jb->ref_arrival) -
	      jb->ts_ext * 1000000 / (int64_t)jb->conf.clock_rate;
	window_push(jb, rel);
	n = jb->nt;
	if (n < 8)
		return;
	spread = jb->sorted[(n - 1) * JIT_PCT / 100] - jb->sorted[0];
	jb->st.jitter_ms = (unsigned)(spread / 1000);
	t = ms_to_samples(jb, CLAMP((unsigned)(spread / 1000) + jb->conf.frame_ms *
				    (jb->conf.low_delay ? 1 : 2),
				    jb->conf.min_delay_ms, jb->conf.max_delay_ms));
	jb->target = t;
}

static int pkt_samples(const struct jbuf *jb, const uint8_t *p, size_t len)
{
	int n = jbuf_opus_samples(p, len);

	/* at 48 kHz the TOC tells; otherwise (or if malformed) one frame */
	if (n <= 0 || jb->conf.clock_rate != 48000)
		return (int)jb->frame;
	return n;
}

int jbuf_put(struct jbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts,
	     const void *payload, size_t len, uint64_t arrival_us)
{
	struct jslot *s;
	int16_t d;
	uint32_t end;

	if (!jb || !payload || !len)
		return -EINVAL;
	jb->st.packets++;
	if (len > jb->conf.max_payload) {
		jb->st.oversize++;
		return 0;
	}
	if (jb->have_ssrc && ssrc != jb->ssrc) {
		restart(jb);
		jb->st.resets++;
	}
	jb->have_ssrc = true;
	jb->ssrc = ssrc;

	if (jb->state == J_IDLE) {
		jb->state = J_PRIMING;
		jb->play_seq = seq;
		jb->play_ts = ts;
		jb->played_bits = 0;
	}
	d = (int16_t)(seq - jb->play_seq);
	if (d > JUMP || d < -JUMP) {
		/* the sender restarted or we lost track: start again */
		restart(jb);
		jb->st.resets++;
		jb->state = J_PRIMING;
		jb->play_seq = seq;
		jb->play_ts = ts;
		d = 0;
	}
	if (d < 0 && jb->state == J_PRIMING && -d <= (int)(jb->mask + 1) / 2) {
		/* an earlier packet while priming: start from it, if it fits */
		bool fits = true;

		for (unsigned i = 0; i <= jb->mask; i++) {
			s = &jb->slots[i];
			if (s->used && (uint16_t)(s->seq - seq) > jb->mask)
				fits = false;
		}
		if (fits) {
			jb->play_seq = seq;
			jb->play_ts = ts;
			d = 0;
		}
	}
	if (d < 0) {
		if (d >= -64 && (jb->played_bits >> (-d - 1)) & 1)
			jb->st.dups++;
		else
			jb->st.late++;
		jitter_update(jb, ts, arrival_us);
		return 0;
	}
	while ((unsigned)(int16_t)(seq - jb->play_seq) > jb->mask) {
		/* further ahead than the slots reach: give up the oldest */
		struct jslot *o = &jb->slots[jb->play_seq & jb->mask];
		bool had = o->used && o->seq == jb->play_seq;

		if (had)
			jb->st.skipped++;
		else if (jb->state == J_PLAYING)
			jb->st.lost++;
		jb->play_ts = had ? o->ts + (uint32_t)pkt_samples(jb, o->data, o->len)
				  : jb->play_ts + jb->frame;
		advance_seq(jb, had);
		o = &jb->slots[jb->play_seq & jb->mask];
		if (o->used && o->seq == jb->play_seq)
			jb->play_ts = o->ts;
	}
	s = &jb->slots[seq & jb->mask];
	if (s->used && s->seq == seq) {
		jb->st.dups++;
		return 0;
	}
	memcpy(s->data, payload, len);
	if (len > jb->size_ref)
		jb->size_ref += (unsigned)(len - jb->size_ref + 3) / 4;
	else
		jb->size_ref -= (jb->size_ref - (unsigned)len) / 256;
	s->used = true;
	s->seq = seq;
	s->ts = ts;
	s->len = len;
	end = ts + (uint32_t)pkt_samples(jb, payload, len);
	if (!jb->have_newest || (int32_t)(end - jb->newest_end) > 0) {
		jb->have_newest = true;
		jb->newest_end = end;
	}
	jitter_update(jb, ts, arrival_us);
	return 0;
}

/* Silence heuristic for adaptation: a tiny packet (DTX, comfort noise) or
 * one under half the stream's typical size (Opus VBR spends far fewer bytes
 * on background noise than on speech). */
static bool quiet(const struct jbuf *jb, size_t len)
{
	return len <= jb->conf.silence_bytes ||
	       (jb->size_ref >= 24 && len * 2 <= jb->size_ref);
}

static struct jslot *slot_at(struct jbuf *jb, uint16_t seq)
{
	struct jslot *s = &jb->slots[seq & jb->mask];

	return s->used && s->seq == seq ? s : NULL;
}

static bool any_buffered(const struct jbuf *jb)
{
	for (unsigned i = 0; i <= jb->mask; i++)
		if (jb->slots[i].used)
			return true;
	return false;
}

static int32_t level(const struct jbuf *jb)
{
	int32_t l;

	if (!jb->have_newest)
		return 0;
	l = (int32_t)(jb->newest_end - jb->play_ts);
	return l > 0 ? l : 0;
}

static void advance_seq(struct jbuf *jb, bool received)
{
	struct jslot *s = &jb->slots[jb->play_seq & jb->mask];

	if (s->used && s->seq == jb->play_seq)
		s->used = false;
	jb->played_bits = jb->played_bits << 1 | (received ? 1 : 0);
	jb->play_seq++;
}

static void level_shift(struct jbuf *jb, int32_t by)
{
	for (unsigned i = 0; i < jb->nl; i++)
		jb->lvl[i] += by;
}

static int32_t level_max(const struct jbuf *jb)
{
	int32_t m = 0;

	for (unsigned i = 0; i < jb->nl; i++)
		m = MAX(m, jb->lvl[i]);
	return m;
}

static void play_packet(struct jbuf *jb, struct jslot *s, struct jbuf_frame *out)
{
	int n = pkt_samples(jb, s->data, s->len);

	out->kind = JBUF_PACKET;
	out->data = s->data;
	out->len = s->len;
	out->seq = s->seq;
	out->ts = s->ts;
	out->samples = (unsigned)n;
	jb->last_silent = s->len <= jb->conf.silence_bytes;
	jb->last_quiet = quiet(jb, s->len);
	/* slot stays readable until the next put()/get(): only marked free */
	advance_seq(jb, true);
	jb->play_ts = s->ts + (uint32_t)n;
	jb->st.played++;
}

/* The target as a whole number of periods. */
static int32_t desired_level(const struct jbuf *jb)
{
	/* nearest whole number of periods (levels are sampled per period) */
	unsigned frames = MAX((jb->target + jb->frame / 2) / jb->frame, 1u);

	/* never more than the slots can hold */
	return (int32_t)(MIN(frames, jb->mask) * jb->frame);
}

static enum jbuf_kind get_one(struct jbuf *jb, struct jbuf_frame *out);

enum jbuf_kind jbuf_get(struct jbuf *jb, struct jbuf_frame *out)
{
	enum jbuf_kind k = get_one(jb, out);

	if (jb)
		jb->last_packet = k == JBUF_PACKET;
	return k;
}

static enum jbuf_kind get_one(struct jbuf *jb, struct jbuf_frame *out)
{
	struct jslot *s, *next;
	int32_t lvl, cur, want, f;
	unsigned flags = 0;

	memset(out, 0, sizeof(*out));
	if (!jb)
		return out->kind = JBUF_EMPTY;
	f = (int32_t)jb->frame;
	out->samples = jb->frame;
	lvl = level(jb);
	want = desired_level(jb);
	jb->st.target_ms = samples_to_ms(jb, jb->target);
	if (jb->state == J_PRIMING && lvl >= want) {
		jb->state = J_PLAYING;
		jb->nl = jb->il = 0;
		jb->since_adjust = 0;
	}
	if (jb->state != J_PLAYING) {
		jb->st.current_ms = samples_to_ms(jb, lvl);
		jb->st.empty++;
		return out->kind = JBUF_EMPTY;
	}

	/* delay window and adaptation */
	jb->lvl[jb->il] = lvl;
	jb->il = (jb->il + 1) % LVL_WIN;
	if (jb->nl < LVL_WIN)
		jb->nl++;
	cur = level_max(jb);
	jb->st.current_ms = samples_to_ms(jb, cur);
	jb->since_adjust++;
	out->ts = jb->play_ts;
	s = slot_at(jb, jb->play_seq);
	if (jb->nl >= LVL_WIN / 2 && s && s->ts == jb->play_ts) {
		next = slot_at(jb, (uint16_t)(jb->play_seq + 1));
		if (cur >= want + f && next && jb->last_packet &&
		    (quiet(jb, s->len) || jb->since_adjust >= ADJUST_GAP)) {
			/* too much delay: drop this frame, play the next */
			advance_seq(jb, true);
			jb->play_ts = next->ts;
			jb->st.skipped++;
			jb->since_adjust = 0;
			level_shift(jb, -f);
			flags |= JBUF_F_SKIPPED;
			s = next;
		} else if (cur + f <= want && cur + f <= (int32_t)ms_to_samples(jb,
						jb->conf.max_delay_ms) &&
			   (jb->last_quiet || jb->since_adjust >= ADJUST_GAP)) {
			/* too little: conceal one frame without advancing */
			jb->st.inserted++;
			jb->since_adjust = 0;
			level_shift(jb, f);
			out->kind = JBUF_PLC;
			out->flags = JBUF_F_INSERTED;
			return out->kind;
		}
	}

	if (s) {
		int32_t ahead = (int32_t)(s->ts - jb->play_ts);

		jb->empty_run = 0;
		if (ahead < f) {
			play_packet(jb, s, out);
			out->flags = flags;
			return out->kind;
		}
		/* consecutive sequence number, later timestamp: DTX gap */
		jb->play_ts += (uint32_t)f;
		jb->st.dtx++;
		out->kind = JBUF_PLC;
		out->flags = flags | JBUF_F_DTX;
		return out->kind;
	}

	next = slot_at(jb, (uint16_t)(jb->play_seq + 1));
	if (next) {
		int32_t ahead = (int32_t)(next->ts - jb->play_ts);

		jb->empty_run = 0;
		advance_seq(jb, false);
		jb->st.lost++;
		if (ahead > 0 && ahead <= f) {
			/* the next packet carries this one's FEC */
			jb->play_ts += (uint32_t)ahead;
			jb->st.fec++;
			out->kind = JBUF_FEC;
			out->flags = flags;
			out->data = next->data;
			out->len = next->len;
			out->seq = next->seq;
			out->samples = (unsigned)ahead;
			return out->kind;
		}
		jb->play_ts += (uint32_t)f;
		jb->st.plc++;
		out->kind = JBUF_PLC;
		out->flags = flags;
		return out->kind;
	}
	if (any_buffered(jb)) {
		/* a hole with later packets present: lost (or too late) */
		jb->empty_run = 0;
		advance_seq(jb, false);
		jb->play_ts += (uint32_t)f;
		jb->st.lost++;
		jb->st.plc++;
		out->kind = JBUF_PLC;
		out->flags = flags;
		return out->kind;
	}
	/* nothing buffered */
	jb->empty_run++;
	if ((uint64_t)jb->empty_run * jb->conf.frame_ms >
	    (jb->last_silent ? DTX_IDLE_MS : 2ull * jb->conf.max_delay_ms)) {
		/* long underrun, or DTX far longer than its 400 ms refresh (the
		 * sender went quiet): start over, keeping the SSRC and target */
		unsigned target = jb->target;

		restart(jb);
		jb->target = target;
		jb->st.resets++;
		jb->st.empty++;
		return out->kind = JBUF_EMPTY;
	}
	if (jb->last_silent) {
		/* DTX: keep the media clock running */
		jb->play_ts += (uint32_t)f;
		jb->st.dtx++;
		out->kind = JBUF_PLC;
		out->flags = flags | JBUF_F_DTX;
		return out->kind;
	}
	/* underrun: the packet is late; conceal and wait for it */
	jb->st.plc++;
	out->kind = JBUF_PLC;
	out->flags = flags;
	return out->kind;
}

void jbuf_stats(const struct jbuf *jb, struct jbuf_stats *st)
{
	*st = jb->st;
	st->target_ms = samples_to_ms(jb, jb->target);
}

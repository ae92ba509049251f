/* test_jbuf.c: Opus jitter buffer: jitter, loss (FEC/PLC), reorder, wrap, DTX. */
#include <errno.h>
#include <stdlib.h>

#include "lib/base/cleanup.h"
#include "rtp/jbuf.h"
#include "test.h"

static uint64_t rs = 0x123456789abcdefull;

static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 20);
}

/* ---- a small network simulation ----------------------------------------- */

#define MAXP 4000

struct spkt {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint64_t arrival;
	size_t len;
	bool lost;
};

struct sim {
	struct spkt p[MAXP];
	size_t n;
	/* results, one per get() */
	struct jbuf_frame out[MAXP * 2];
	uint8_t first_byte[MAXP * 2];
	size_t nout;
};

static int cmp_arrival(const void *a, const void *b)
{
	const struct spkt *x = a, *y = b;

	return (x->arrival > y->arrival) - (x->arrival < y->arrival);
}

/* n packets of 20 ms from seq0/ts0, sent at 20 ms intervals from t=1 s,
 * delayed by base + uniform(0, jitter) ms. */
static void sim_gen(struct sim *s, size_t n, uint16_t seq0, uint32_t ts0,
		    unsigned base_ms, unsigned jitter_ms)
{
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		struct spkt *p = &s->p[i];

		p->ssrc = 0x1234;
		p->seq = (uint16_t)(seq0 + i);
		p->ts = ts0 + (uint32_t)i * 960;
		p->arrival = 1000000 + i * 20000 + base_ms * 1000 +
			     (jitter_ms ? rnd() % (jitter_ms * 1000) : 0);
		p->len = 40;
		p->lost = false;
	}
}

/* Runs the packets through jb with get() every 20 ms (phase 7 ms). */
static void sim_run(struct sim *s, struct jbuf *jb, unsigned extra_ms)
{
	uint64_t end;
	size_t next = 0;
	uint8_t payload[64];

	qsort(s->p, s->n, sizeof(s->p[0]), cmp_arrival);
	end = s->p[s->n - 1].arrival + extra_ms * 1000ull;
	s->nout = 0;
	for (uint64_t t = 1000000 + 7000; t <= end && s->nout < ARRAY_SIZE(s->out);
	     t += 20000) {
		while (next < s->n && s->p[next].arrival <= t) {
			struct spkt *p = &s->p[next++];

			if (p->lost)
				continue;
			memset(payload, 0x55, sizeof(payload));
			payload[0] = 0xf8;              /* CELT FB 20 ms, 1 frame */
			payload[1] = (uint8_t)p->seq;
			(void)jbuf_put(jb, p->ssrc, p->seq, p->ts, payload, p->len,
				       p->arrival);
		}
		jbuf_get(jb, &s->out[s->nout]);
		s->first_byte[s->nout] = s->out[s->nout].data ? s->out[s->nout].data[1] : 0;
		s->nout++;
	}
}

static unsigned count_kind(const struct sim *s, enum jbuf_kind k)
{
	unsigned c = 0;

	for (size_t i = 0; i < s->nout; i++)
		c += s->out[i].kind == k;
	return c;
}

/* played sequence numbers strictly increase (mod 2^16) */
static bool played_in_order(const struct sim *s, unsigned *ret_played)
{
	bool have = false;
	uint16_t last = 0;
	unsigned n = 0;

	for (size_t i = 0; i < s->nout; i++) {
		if (s->out[i].kind != JBUF_PACKET)
			continue;
		if (have && (int16_t)(s->out[i].seq - last) <= 0)
			return false;
		if ((uint8_t)s->out[i].seq != s->first_byte[i])
			return false;   /* data belongs to that packet */
		have = true;
		last = s->out[i].seq;
		n++;
	}
	*ret_played = n;
	return true;
}

/* ---- tests -------------------------------------------------------------- */

TEST(opus_toc)
{
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\xf8", 1), 960);   /* CELT 20 */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\xf0", 1), 480);   /* CELT 10 */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\x08", 1), 960);   /* SILK 20 */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\x18", 1), 2880);  /* SILK 60 */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\x10", 1), 1920);  /* SILK 40 */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\x78", 1), 960);   /* hybrid 20 */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\xf9", 1), 1920);  /* 2 frames */
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\xfb\x03", 2), 2880);
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\xfb\x07", 2), -EINVAL);
	CHECK_EQ(jbuf_opus_samples((const uint8_t *)"\xfb", 1), -EINVAL);
	CHECK_EQ(jbuf_opus_samples(NULL, 0), -EINVAL);
}

TEST(steady_stream)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;
	unsigned played;

	CHECK_OK(jbuf_new(&jb, NULL));
	CHECK_EQ(jbuf_get(jb, &s.out[0]), JBUF_EMPTY);
	sim_gen(&s, 500, 65500, 4294967000u, 5, 0);     /* wraps seq and ts */
	sim_run(&s, jb, 200);
	CHECK(played_in_order(&s, &played));
	jbuf_stats(jb, &st);
	CHECK_EQ(played + st.skipped, 500);
	CHECK_EQ(count_kind(&s, JBUF_FEC), 0);
	CHECK_EQ(st.lost, 0);
	CHECK_EQ(st.late, 0);
	/* starts at 60 ms, then the target falls to one or two frames */
	CHECK(st.target_ms <= 40);
	CHECK(st.skipped >= 1);
	jbuf_free(jb);
}

TEST(loss_fec_plc)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;
	bool seen_fec = false, seen_plc = false;
	unsigned plc = 0;

	CHECK_OK(jbuf_new(&jb, NULL));
	sim_gen(&s, 200, 1000, 0, 5, 0);
	s.p[50].lost = true;                    /* single: FEC from 1051 */
	s.p[100].lost = s.p[101].lost = true;   /* double: PLC then FEC */
	sim_run(&s, jb, 200);
	for (size_t i = 0; i < s.nout; i++) {
		const struct jbuf_frame *f = &s.out[i];

		if (f->kind == JBUF_PLC && f->ts < 199 * 960)
			plc++;

		if (f->kind == JBUF_FEC && f->seq == 1051) {
			seen_fec = true;
			CHECK_EQ(s.out[i + 1].kind, JBUF_PACKET);
			CHECK_EQ(s.out[i + 1].seq, 1051);
			CHECK_EQ(s.first_byte[i], (uint8_t)1051);
			CHECK_EQ(s.out[i - 1].seq, 1049);
		}
		if (f->kind == JBUF_FEC && f->seq == 1102) {
			/* 1100 and 1101 lost: concealment, then 1101 from the
			 * FEC in 1102 (nothing was buffered when 1100 was due,
			 * so the first PLC also waited one frame for it) */
			seen_plc = true;
			CHECK_EQ(s.out[i - 1].kind, JBUF_PLC);
			CHECK_EQ(s.out[i + 1].kind, JBUF_PACKET);
			CHECK_EQ(s.out[i + 1].seq, 1102);
		}
	}
	CHECK(seen_fec);
	CHECK(seen_plc);
	jbuf_stats(jb, &st);
	CHECK_EQ(st.lost, 3);
	CHECK_EQ(st.fec, 2);
	CHECK(plc >= 1 && plc <= 2);
	CHECK_EQ(st.played + st.skipped, 197);
	jbuf_free(jb);
}

TEST(jitter_adapts)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st, st2;
	unsigned played;

	CHECK_OK(jbuf_new(&jb, NULL));
	sim_gen(&s, 1500, 7, 123, 10, 80);      /* 80 ms uniform jitter */
	sim_run(&s, jb, 300);
	jbuf_stats(jb, &st);
	CHECK(played_in_order(&s, &played));
	printf("  jitter 80 ms: target %u ms, current %u ms, measured %u ms, played %u, "
	       "late %" PRIu64 ", lost %" PRIu64 ", plc %" PRIu64 ", inserted %" PRIu64
	       ", skipped %" PRIu64 "\n", st.target_ms, st.current_ms, st.jitter_ms,
	       played, st.late, st.lost, st.plc, st.inserted, st.skipped);
	CHECK(st.jitter_ms >= 60 && st.jitter_ms <= 80);
	CHECK(st.target_ms >= 100 && st.target_ms <= 120);
	/* after a start at 60 ms, the delay grew: few packets come too late */
	CHECK(st.late + st.lost < 1500 / 20);
	CHECK(played > 1500 - 1500 / 20);

	/* then the network calms down: the delay comes back down */
	sim_gen(&s, 1000, (uint16_t)(7 + 1500), 123 + 1500 * 960, 10, 2);
	for (size_t i = 0; i < s.n; i++)
		s.p[i].arrival += 30000000;
	/* (the buffer restarts after the silence between the two runs) */
	sim_run(&s, jb, 300);
	jbuf_stats(jb, &st2);
	printf("  then jitter 2 ms: target %u ms, current %u ms, skipped %" PRIu64 "\n",
	       st2.target_ms, st2.current_ms, st2.skipped);
	CHECK(st2.target_ms <= 45);
	CHECK(st2.current_ms <= 60);
	jbuf_free(jb);
}

TEST(grows_then_shrinks)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;
	struct jbuf_conf conf = { .init_delay_ms = 20 };
	unsigned played, max_cur = 0;

	/* 500 packets calm, 1000 with 100 ms of jitter, 1000 calm again */
	CHECK_OK(jbuf_new(&jb, &conf));
	sim_gen(&s, 2500, 0, 0, 5, 0);
	for (size_t i = 500; i < 1500; i++)
		s.p[i].arrival += rnd() % 100000;
	for (size_t i = 0; i < s.n; i++)
		s.p[i].len = 40;
	{
		/* run by hand to watch current_ms */
		uint64_t end = s.p[s.n - 1].arrival + 300000;
		size_t next = 0;
		uint8_t pl[40] = { 0xf8 };

		qsort(s.p, s.n, sizeof(s.p[0]), cmp_arrival);
		s.nout = 0;
		for (uint64_t t = 1007000; t <= end; t += 20000) {
			while (next < s.n && s.p[next].arrival <= t) {
				pl[1] = (uint8_t)s.p[next].seq;
				jbuf_put(jb, 1, s.p[next].seq, s.p[next].ts, pl, 40,
					 s.p[next].arrival);
				next++;
			}
			jbuf_get(jb, &s.out[s.nout]);
			s.first_byte[s.nout] = s.out[s.nout].data ? s.out[s.nout].data[1] : 0;
			s.nout++;
			jbuf_stats(jb, &st);
			if (t > 1000000 + 1400 * 20000 && t < 1000000 + 1500 * 20000)
				max_cur = MAX(max_cur, st.current_ms);
		}
	}
	jbuf_stats(jb, &st);
	CHECK(played_in_order(&s, &played));
	printf("  calm/jitter/calm: peak current %u ms, end target %u ms current %u ms, "
	       "inserted %" PRIu64 " skipped %" PRIu64 " late %" PRIu64 "\n",
	       max_cur, st.target_ms, st.current_ms, st.inserted, st.skipped, st.late);
	CHECK(max_cur >= 80);           /* grew during the jitter */
	CHECK(st.current_ms <= 60);     /* and came back */
	CHECK(st.target_ms <= 45);
	CHECK(st.inserted > 0);
	CHECK(st.skipped > 0);
	jbuf_free(jb);
}

TEST(reorder_and_dups)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;
	unsigned played;
	size_t n;

	CHECK_OK(jbuf_new(&jb, NULL));
	sim_gen(&s, 300, 500, 0, 20, 0);
	/* swap neighbours every 10 packets (15 ms of difference) */
	for (size_t i = 20; i + 1 < 300; i += 10)
		s.p[i].arrival += 25000;
	/* duplicates of 40 packets, 5 ms later */
	n = s.n;
	for (size_t i = 0; i < 40; i++) {
		s.p[n + i] = s.p[100 + i];
		s.p[n + i].arrival += 5000;
	}
	s.n = n + 40;
	sim_run(&s, jb, 200);
	CHECK(played_in_order(&s, &played));
	jbuf_stats(jb, &st);
	CHECK_EQ(played + st.skipped, 300);
	CHECK_EQ(st.dups, 40);
	CHECK_EQ(st.lost, 0);
	CHECK_EQ(st.late, 0);
	jbuf_free(jb);
}

TEST(very_late)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;
	unsigned played;

	CHECK_OK(jbuf_new(&jb, NULL));
	sim_gen(&s, 200, 0, 0, 5, 0);
	s.p[100].arrival += 500000;     /* half a second late */
	sim_run(&s, jb, 200);
	CHECK(played_in_order(&s, &played));
	jbuf_stats(jb, &st);
	CHECK_EQ(played + st.skipped, 199);
	CHECK_EQ(st.late, 1);
	CHECK_EQ(st.lost, 1);
	CHECK_EQ(st.fec, 1);
	jbuf_free(jb);
}

TEST(dtx_gap)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;
	unsigned played, dtx = 0, tail = 0;

	CHECK_OK(jbuf_new(&jb, NULL));
	sim_gen(&s, 200, 0, 0, 5, 0);
	/* after packet 99 (tiny: silence), 400 ms of DTX: later packets keep
	 * consecutive sequence numbers but timestamps and arrivals jump */
	for (size_t i = 90; i < 100; i++)
		s.p[i].len = 3;
	for (size_t i = 100; i < 200; i++) {
		s.p[i].ts += 20 * 960;
		s.p[i].arrival += 400000;
	}
	sim_run(&s, jb, 200);
	CHECK(played_in_order(&s, &played));
	for (size_t i = 0; i < s.nout; i++) {
		if (s.out[i].kind != JBUF_PLC || (s.out[i].flags & JBUF_F_INSERTED))
			continue;
		if (s.out[i].ts >= 220 * 960) {
			tail++;         /* the underrun after the last packet */
			continue;
		}
		CHECK_MSG(s.out[i].flags & JBUF_F_DTX, "get %zu: flags %u ts %u", i,
			  s.out[i].flags, s.out[i].ts);
		dtx++;
	}
	jbuf_stats(jb, &st);
	CHECK_EQ(played + st.skipped, 200);
	CHECK_EQ(st.lost, 0);
	CHECK_EQ(st.plc, tail);
	CHECK(dtx >= 18 && dtx <= 22);
	CHECK_EQ(st.dtx, dtx);
	jbuf_free(jb);
}

TEST(ssrc_change_and_jump)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_stats st;

	CHECK_OK(jbuf_new(&jb, NULL));
	sim_gen(&s, 300, 0, 0, 5, 0);
	for (size_t i = 150; i < 300; i++) {
		s.p[i].ssrc = 0x9999;
		s.p[i].seq = (uint16_t)(s.p[i].seq + 20000);
		s.p[i].ts += 77777;
	}
	sim_run(&s, jb, 200);
	jbuf_stats(jb, &st);
	CHECK_EQ(st.resets, 1);
	CHECK(st.played >= 295);
	CHECK_EQ(st.late, 0);
	/* same SSRC, sequence jump: reset too */
	jbuf_reset(jb);
	sim_gen(&s, 200, 0, 0, 5, 0);
	for (size_t i = 100; i < 200; i++)
		s.p[i].seq = (uint16_t)(s.p[i].seq + 30000);
	sim_run(&s, jb, 200);
	jbuf_stats(jb, &st);
	CHECK_EQ(st.resets, 2);
	CHECK(st.played >= 295 + 195);
	jbuf_free(jb);
}

TEST(bounds)
{
	struct jbuf *jb;
	struct jbuf_stats st;
	struct jbuf_frame f;
	struct jbuf_conf conf = { .max_payload = 100, .slots = 8 };
	uint8_t big[200] = { 0xf8 };

	CHECK_OK(jbuf_new(&jb, &conf));
	CHECK_EQ(jbuf_put(jb, 1, 1, 0, big, 0, 1), -EINVAL);
	CHECK_OK(jbuf_put(jb, 1, 1, 0, big, sizeof(big), 1));
	jbuf_stats(jb, &st);
	CHECK_EQ(st.oversize, 1);
	CHECK_EQ(jbuf_get(jb, &f), JBUF_EMPTY);
	/* far more packets than slots at once: never overflows the pool */
	for (int i = 0; i < 100; i++)
		CHECK_OK(jbuf_put(jb, 1, (uint16_t)i, (uint32_t)i * 960, big, 50, 1000));
	for (int i = 0; i < 20; i++)
		jbuf_get(jb, &f);
	jbuf_stats(jb, &st);
	CHECK(st.played > 0);
	CHECK_STR(jbuf_kind_str(JBUF_FEC), "fec");
	conf.min_delay_ms = 300;
	CHECK_EQ(jbuf_new(&jb, &conf), -EINVAL);
	jb = jbuf_free(jb);
	CHECK(jb == NULL);
}

TEST(adapts_in_quiet_frames)
{
	static struct sim s;
	struct jbuf *jb;
	struct jbuf_conf conf = { .init_delay_ms = 120 };
	struct jbuf_stats st;
	unsigned played, quiet_skips = 0, skips = 0;

	CHECK_OK(jbuf_new(&jb, &conf));
	sim_gen(&s, 150, 0, 0, 5, 0);
	for (size_t i = 0; i < s.n; i++)
		s.p[i].len = i >= 40 && i < 50 ? 20 : 60;       /* a quiet stretch */
	sim_run(&s, jb, 100);
	CHECK(played_in_order(&s, &played));
	for (size_t i = 0; i < s.nout; i++) {
		if (!(s.out[i].flags & JBUF_F_SKIPPED))
			continue;
		skips++;
		/* the frame dropped is the one before the one played */
		if (s.out[i].seq - 1 >= 40 && s.out[i].seq - 1 < 50)
			quiet_skips++;
	}
	jbuf_stats(jb, &st);
	printf("  skips %u (%u in the quiet stretch), target %u ms, current %u ms\n",
	       skips, quiet_skips, st.target_ms, st.current_ms);
	CHECK_EQ(skips, st.skipped);
	CHECK_EQ(played + skips, 150);
	/* 120 ms down to 40: four frames; one when the window has filled
	 * (get 25, loud), the others in the quiet stretch, not 25 gets apart */
	CHECK_EQ(skips, 4);
	CHECK(quiet_skips >= 2);
	CHECK(st.current_ms <= 60);
	jbuf_free(jb);
}

TEST(silence_then_idle)
{
	struct jbuf *jb;
	struct jbuf_frame f;
	struct jbuf_stats st;
	uint8_t tiny[2] = { 0xf8, 0 }, loud[40] = { 0xf8 };
	int i, plc_dtx = 0;

	CHECK_OK(jbuf_new(&jb, NULL));
	for (i = 0; i < 10; i++) {
		CHECK_OK(jbuf_put(jb, 1, (uint16_t)i, (uint32_t)i * 960, i < 8 ? loud : tiny,
				  i < 8 ? sizeof(loud) : sizeof(tiny), 1000000 + (uint64_t)i * 20000));
		jbuf_get(jb, &f);
	}
	/* the sender goes silent: DTX concealment, then idle after 2 s */
	for (i = 0; i < 200; i++) {
		if (jbuf_get(jb, &f) == JBUF_EMPTY)
			break;
		if (f.kind == JBUF_PLC && (f.flags & JBUF_F_DTX))
			plc_dtx++;
	}
	CHECK(i >= 98 && i <= 110);
	CHECK(plc_dtx >= 95);
	jbuf_stats(jb, &st);
	CHECK_EQ(st.resets, 1);
	CHECK_EQ(st.lost, 0);
	CHECK_EQ(jbuf_get(jb, &f), JBUF_EMPTY);
	jbuf_free(jb);
}

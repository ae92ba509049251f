/* main.c: rakwon-roomsim: boardroom echo simulator, acceptance checks and the AEC benchmark. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/*
 * rakwon-roomsim COMMAND --far FAR.wav --near NEAR.wav [options]
 *   gen    write one scenario: DIR/{mic,ref,clean_near,echo}.wav
 *   run    run one engine on one scenario and print its metrics
 *   check  acceptance matrix of the issue for our chain; exit 1 on a failure
 *   bench  the same signals through ours, speexdsp and webrtc: one table
 * FAR and NEAR are 48 kHz mono 16-bit speech of two different voices.
 *
 * Double-talk thresholds (check), chosen from measurements on this simulator
 * (near end -30 dBFS, echo about -30 dBFS at the microphone, noise -60 dBFS):
 * our chain keeps 8.4 dB segmental SNR / 0.953 correlation at RT60 0.5 s,
 * delay 120 ms and 6.7 dB / 0.908 at RT60 0.8 s, delay 250 ms (bench, 3 x 4
 * rooms: 8.2 dB / 0.940); on the same rooms speexdsp keeps 6.3 dB / 0.921
 * (5.2 / 0.884 in its worst room) and webrtc-audio-processing 0.8 dB / 0.56
 * (it mutes the near end). The check requires 6.0 dB and 0.89 (above
 * speexdsp's worst room) and no clipped talk start in these two rooms: the
 * first 100 ms of every near-end talk spurt within 6 dB of the clean near
 * end. Echo path change: reconverged within 1.0 s (measured 0.5-0.6 s on
 * eight rooms; the issue asks for 2 s). Known weak spots (bench columns
 * "DTquiet" and "DT clipped"): a talker 8 dB under the echo keeps 5.1 dB /
 * 0.873 against speexdsp's 4.8 / 0.895, and about one first syllable in six
 * loses more than 6 dB in its first 100 ms (speexdsp: none).
 */
#define DT_SEGSNR_MIN 6.0
#define DT_CORR_MIN 0.89

static const char *usage =
	"usage: rakwon-roomsim gen|run|check|bench --far F.wav --near N.wav\n"
	"  [--engine ours|speexdsp|webrtc] [--kind st|dt|change|drift] [--rt60 S]\n"
	"  [--delay MS] [--drift PPM] [--secs S] [--seed N] [--tail MS] [--out DIR] [--quick] [--near-at S] [--near-dbfs L]\n"
	"       rakwon-roomsim erle OFF.wav ON.wav [SKIP_S]\n"
	"  [--sets N] (bench: N sets of rooms, one row each, then the mean / worst)\n";

struct opts {
	const char *far, *near, *engine, *out;
	struct scen_params sp;
	int tail_ms;
	int quick;
	int sets;               /* bench: sets of rooms */
};

static float *g_far, *g_near;
static int g_nfar, g_nnear;

static void params_default(struct scen_params *p, enum scen_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->rt60 = 0.5;
	p->delay_ms = 120;
	p->secs = kind == SCEN_DRIFT ? 60 : kind == SCEN_ST ? 8 : 12;
	p->change_at = 6;
	p->near_at = 3;
	p->noise_dbfs = kind == SCEN_DT ? -60 : -70;
	p->seed = 1;
}

static int run_one(const struct engine *e, const struct scen_params *p, int tail_ms,
		   struct metrics *m, const char *outdir)
{
	struct scen s;
	float *out;
	int r;

	r = scen_make(&s, p, g_far, g_nfar, g_near, g_nnear);
	if (r < 0)
		return r;
	out = calloc((size_t)s.n, sizeof(float));
	if (!out) {
		scen_free(&s);
		return -ENOMEM;
	}
	r = sim_run(e, &s, tail_ms, out, m);
	if (r >= 0 && outdir) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/out-%s.wav", outdir, e->name);
		r = wav_write(path, out, s.n);
	}
	free(out);
	scen_free(&s);
	return r;
}

static void print_metrics(const char *what, const struct metrics *m)
{
	printf("%-34s ERLE %5.1f dB  conv %4.1f s  reconv %4.1f s  min1s %5.1f  leaks %d  "
	       "DT segSNR %5.1f dB corr %.3f  onsets %d clipped %d (min %5.1f dB)  %6.1f us/block%s\n",
	       what, m->erle_db, m->conv_s, m->reconv_s, m->min_erle_1s, m->leaks, m->dt_segsnr,
	       m->dt_corr, m->onsets, m->clipped, m->onset_min_db, m->us_per_block,
	       m->errors ? "  ERRORS" : "");
}

static int cmd_gen(const struct opts *o)
{
	struct scen s;
	char path[4096];
	int r;

	if (!o->out)
		return -EINVAL;
	r = scen_make(&s, &o->sp, g_far, g_nfar, g_near, g_nnear);
	if (r < 0)
		return r;
	const struct { const char *n; float *x; } f[] = {
		{ "mic", s.mic }, { "ref", s.ref }, { "clean_near", s.near }, { "echo", s.echo },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && r >= 0; i++) {
		snprintf(path, sizeof(path), "%s/%s.wav", o->out, f[i].n);
		r = wav_write(path, f[i].x, s.n);
	}
	scen_free(&s);
	return r;
}

static int fails;

static void expect(int ok, const char *what, const struct metrics *m)
{
	print_metrics(what, m);
	if (!ok) {
		printf("  FAIL: %s\n", what);
		fails++;
	}
}

static int cmd_check(const struct opts *o)
{
	const struct engine *e = engine_find(o->engine ? o->engine : "ours");
	static const double rt[] = { 0.2, 0.5, 0.8 };
	static const int dl[] = { 30, 120, 250 };
	struct scen_params p;
	struct metrics m;
	char what[128];
	int r;

	if (!e)
		return -EINVAL;
	/* far-end single talk: every RT60 x every delay */
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			params_default(&p, SCEN_ST);
			p.rt60 = rt[i];
			p.delay_ms = dl[j];
			p.seed = (uint64_t)(10 + 3 * i + j);
			r = run_one(e, &p, o->tail_ms, &m, NULL);
			if (r < 0)
				return r;
			snprintf(what, sizeof(what), "single-talk rt60 %.1f delay %3d", rt[i], dl[j]);
			expect(m.conv_s <= 2.0 && m.erle_db >= ERLE_TARGET && !m.errors, what, &m);
		}
	}
	/* double talk */
	for (int i = 0; i < (o->quick ? 1 : 2); i++) {
		params_default(&p, SCEN_DT);
		p.rt60 = i ? 0.8 : 0.5;
		p.delay_ms = i ? 250 : 120;
		p.seed = 30 + (uint64_t)i;
		r = run_one(e, &p, o->tail_ms, &m, NULL);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "double-talk rt60 %.1f delay %3d", p.rt60, p.delay_ms);
		expect(m.dt_segsnr >= DT_SEGSNR_MIN && m.dt_corr >= DT_CORR_MIN && m.clipped == 0 &&
		       m.onsets > 0 && !m.errors, what, &m);
	}
	/* echo path change */
	params_default(&p, SCEN_CHANGE);
	p.seed = 40;
	r = run_one(e, &p, o->tail_ms, &m, NULL);
	if (r < 0)
		return r;
	/* the criterion is the reconvergence; the initial convergence is the
	 * single-talk matrix's (printed here too) */
	expect(m.reconv_s <= 1.0 && !m.errors, "path change at 6 s", &m);
	/* clock drift, 60 s each way */
	for (int i = 0; i < 2; i++) {
		params_default(&p, SCEN_DRIFT);
		p.drift_ppm = i ? -100 : 100;
		p.seed = 50 + (uint64_t)i;
		if (o->quick)
			p.secs = 30;
		r = run_one(e, &p, o->tail_ms, &m, NULL);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "drift %+4.0f ppm %2.0f s", p.drift_ppm, p.secs);
		expect(m.leaks == 0 && !m.errors, what, &m);
	}
	printf("check: %d failed\n", fails);
	return fails ? 1 : 0;
}

struct bench_row {
	double erle, conv, seg, corr, reconv, us;
	double qseg, qcorr;     /* double talk with a quieter talker who starts late */
	int clipped, onsets, leaks, nus;
};

/* one engine over one set of rooms; `set` shifts every seed (other rooms:
 * other impulse responses and noise, the same voices) */
static int bench_set(const struct engine *e, const struct opts *o, int set, struct bench_row *b)
{
	static const double rt[] = { 0.2, 0.5, 0.8 };
	static const int dl[] = { 30, 120, 250 };
	static const struct { double rt60; int delay; } dt[] = {
		{ 0.5, 120 }, { 0.8, 250 }, { 0.2, 30 }, { 0.3, 150 },
	};
	uint64_t so = (uint64_t)set * 100;
	struct scen_params p;
	struct metrics m;
	int n = 0, r;

	memset(b, 0, sizeof(*b));
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			params_default(&p, SCEN_ST);
			p.rt60 = rt[i];
			p.delay_ms = dl[j];
			p.seed = (uint64_t)(10 + 3 * i + j) + so;
			r = run_one(e, &p, o->tail_ms, &m, NULL);
			if (r < 0)
				return r;
			b->erle += m.erle_db;
			b->conv = fmax(b->conv, m.conv_s);
			b->us += m.us_per_block;
			b->nus++;
			n++;
		}
	}
	b->erle /= n;
	int ndt = o->quick ? 2 : 4;
	for (int i = 0; i < ndt; i++) {
		params_default(&p, SCEN_DT);
		p.rt60 = dt[i].rt60;
		p.delay_ms = dt[i].delay;
		p.seed = 30 + (uint64_t)i + so;
		r = run_one(e, &p, o->tail_ms, &m, NULL);
		if (r < 0)
			return r;
		b->seg += m.dt_segsnr / ndt;
		b->corr += m.dt_corr / ndt;
		b->clipped += m.clipped;
		b->onsets += m.onsets;
		b->us += m.us_per_block;
		b->nus++;
	}
	/* a talker 8 dB under the echo who starts after 9 s of far-end single
	 * talk (a converged canceller must notice her first syllable) */
	for (int i = 0; i < 2; i++) {
		params_default(&p, SCEN_DT);
		p.rt60 = dt[i].rt60;
		p.delay_ms = dt[i].delay;
		p.near_at = 9;
		p.secs = 18;
		p.near_dbfs = -38;
		p.seed = 60 + (uint64_t)i + so;
		r = run_one(e, &p, o->tail_ms, &m, NULL);
		if (r < 0)
			return r;
		b->qseg += m.dt_segsnr / 2;
		b->qcorr += m.dt_corr / 2;
		b->clipped += m.clipped;
		b->onsets += m.onsets;
	}
	params_default(&p, SCEN_CHANGE);
	p.seed = 40 + so;
	r = run_one(e, &p, o->tail_ms, &m, NULL);
	if (r < 0)
		return r;
	b->reconv = m.reconv_s;
	for (int i = 0; i < 2 && !o->quick; i++) {
		params_default(&p, SCEN_DRIFT);
		p.drift_ppm = i ? -100 : 100;
		p.seed = 50 + (uint64_t)i + so;
		r = run_one(e, &p, o->tail_ms, &m, NULL);
		if (r < 0)
			return r;
		b->leaks += m.leaks;
	}
	b->us /= b->nus;
	return 0;
}

static void bench_print(const char *name, const char *set, const struct bench_row *b)
{
	char cs[16], rs[16], cl[16];

	snprintf(cs, sizeof(cs), b->conv >= 99 ? "never" : "%.1f", b->conv);
	snprintf(rs, sizeof(rs), b->reconv >= 99 ? "never" : "%.1f", b->reconv);
	snprintf(cl, sizeof(cl), "%d/%d", b->clipped, b->onsets);
	printf("%-10s | %-5s | %8.1f | %10s | %10.1f | %8.3f | %6.1f %5.3f | %10s | %7s | %11d | %11.1f\n",
	       name, set, b->erle, cs, b->seg, b->corr, b->qseg, b->qcorr, cl, rs, b->leaks, b->us);
	fflush(stdout);
}

static int cmd_bench(const struct opts *o)
{
	int sets = o->sets > 0 ? o->sets : 1;

	printf("%-10s | %-5s | %8s | %10s | %10s | %8s | %12s | %10s | %7s | %11s | %11s\n", "engine",
	       "rooms", "ERLE dB", "converge s", "DT segSNR", "DT corr", "DTquiet s/c", "DT clipped",
	       "reconv", "drift leaks", "us/10ms blk");
	for (int k = 0; engines[k]; k++) {
		const struct engine *e = engines[k];
		struct bench_row b, sum = { 0 };
		char set[16];
		int r;

		for (int i = 0; i < sets; i++) {
			r = bench_set(e, o, i, &b);
			if (r < 0)
				return r;
			snprintf(set, sizeof(set), "set%d", i + 1);
			if (sets > 1)
				bench_print(e->name, set, &b);
			sum.erle += b.erle / sets;
			sum.conv = fmax(sum.conv, b.conv);
			sum.seg += b.seg / sets;
			sum.corr += b.corr / sets;
			sum.qseg += b.qseg / sets;
			sum.qcorr += b.qcorr / sets;
			sum.reconv = fmax(sum.reconv, b.reconv);
			sum.us += b.us / sets;
			sum.clipped += b.clipped;
			sum.onsets += b.onsets;
			sum.leaks += b.leaks;
		}
		bench_print(e->name, sets > 1 ? "all" : "set1", &sum);
	}
	return 0;
}

/* rakwon-roomsim erle OFF.wav ON.wav [SKIP_S]: what a far end heard from a
 * room without and with echo cancellation (the same far-end speech played,
 * no near-end talker): JSON with the level of each after SKIP_S (default 3)
 * and their ratio, the ERLE of the whole send path */
static int cmd_erle(int argc, char **argv)
{
	float *a = NULL, *b = NULL;
	int na = 0, nb = 0, r;
	double skip = argc > 4 ? atof(argv[4]) : 3.0, ea = 0, eb = 0;

	r = wav_read(argv[2], &a, &na);
	if (r >= 0)
		r = wav_read(argv[3], &b, &nb);
	if (r < 0) {
		fprintf(stderr, "rakwon-roomsim erle: %s\n", strerror(-r));
		free(a);
		return 2;
	}
	int s0 = (int)(skip * SIM_RATE), n = na < nb ? na : nb;
	for (int i = s0; i < n; i++) {
		ea += (double)a[i] * a[i];
		eb += (double)b[i] * b[i];
	}
	if (n > s0) {
		ea /= n - s0;
		eb /= n - s0;
	}
	printf("{\"off_dbfs\": %.1f, \"on_dbfs\": %.1f, \"erle_db\": %.1f, \"secs\": %.1f}\n",
	       10 * log10(ea + 1e-20), 10 * log10(eb + 1e-20), 10 * log10((ea + 1e-20) / (eb + 1e-20)),
	       n > s0 ? (double)(n - s0) / SIM_RATE : 0.0);
	free(a);
	free(b);
	return n > s0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "far", 1, NULL, 'f' }, { "near", 1, NULL, 'n' }, { "engine", 1, NULL, 'e' },
		{ "kind", 1, NULL, 'k' }, { "rt60", 1, NULL, 'r' }, { "delay", 1, NULL, 'd' },
		{ "drift", 1, NULL, 'p' }, { "secs", 1, NULL, 's' }, { "seed", 1, NULL, 'S' },
		{ "tail", 1, NULL, 't' }, { "out", 1, NULL, 'o' }, { "quick", 0, NULL, 'q' }, { "sets", 1, NULL, 'N' }, { "near-at", 1, NULL, 'A' }, { "near-dbfs", 1, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .tail_ms = 250 };
	const char *cmd;
	int c, r;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "erle"))
		return argc >= 4 ? cmd_erle(argc, argv) : 2;
	params_default(&o.sp, SCEN_ST);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'f': o.far = optarg; break;
		case 'n': o.near = optarg; break;
		case 'e': o.engine = optarg; break;
		case 'k': {
			enum scen_kind k = !strcmp(optarg, "dt") ? SCEN_DT :
					   !strcmp(optarg, "change") ? SCEN_CHANGE :
					   !strcmp(optarg, "drift") ? SCEN_DRIFT : SCEN_ST;
			struct scen_params keep = o.sp;
			params_default(&o.sp, k);
			o.sp.rt60 = keep.rt60;
			o.sp.delay_ms = keep.delay_ms;
			o.sp.drift_ppm = keep.drift_ppm;
			o.sp.seed = keep.seed;
			if (keep.near_at != 3)
				o.sp.near_at = keep.near_at;
			o.sp.near_dbfs = keep.near_dbfs;
			break;
		}
		case 'r': o.sp.rt60 = atof(optarg); break;
		case 'd': o.sp.delay_ms = atoi(optarg); break;
		case 'p': o.sp.drift_ppm = atof(optarg); break;
		case 's': o.sp.secs = atof(optarg); break;
		case 'S': o.sp.seed = strtoull(optarg, NULL, 0); break;
		case 't': o.tail_ms = atoi(optarg); break;
		case 'o': o.out = optarg; break;
		case 'q': o.quick = 1; break;
		case 'N': o.sets = atoi(optarg); break;
		case 'A': o.sp.near_at = atof(optarg); break;
		case 'L': o.sp.near_dbfs = atof(optarg); break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!o.far || !o.near || o.sp.rt60 < 0.05 || o.sp.rt60 > 2 || o.sp.delay_ms < 0 ||
	    o.sp.delay_ms > 500 || o.sp.secs < 1 || o.sp.secs > 600) {
		fputs(usage, stderr);
		return 2;
	}
	r = wav_read(o.far, &g_far, &g_nfar);
	if (r >= 0)
		r = wav_read(o.near, &g_near, &g_nnear);
	if (r < 0) {
		fprintf(stderr, "rakwon-roomsim: cannot read the speech files (48 kHz mono 16-bit WAV): %s\n",
			strerror(-r));
		return 2;
	}
	if (!strcmp(cmd, "gen")) {
		r = cmd_gen(&o);
	} else if (!strcmp(cmd, "run")) {
		const struct engine *e = engine_find(o.engine ? o.engine : "ours");
		struct metrics m;
		r = e ? run_one(e, &o.sp, o.tail_ms, &m, o.out) : -EINVAL;
		if (r >= 0)
			print_metrics(e->name, &m);
	} else if (!strcmp(cmd, "check")) {
		r = cmd_check(&o);
	} else if (!strcmp(cmd, "bench")) {
		r = cmd_bench(&o);
	} else {
		fputs(usage, stderr);
		r = 2;
	}
	free(g_far);
	free(g_near);
	if (r < 0)
		fprintf(stderr, "rakwon-roomsim: %s\n", strerror(-r));
	return r < 0 ? 1 : r;
}

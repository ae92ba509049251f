/* main.c: rakwon-avcheck, the analysis side of the media tests.
 *
 *   rakwon-avcheck audio SRC.wav RX.wav [SECS]
 *       The sender played SRC in a loop for SECS seconds (default: once).
 *       Finds the delay of RX against SRC (coarse on a 1 kHz envelope, then
 *       exact), then compares them in 1 s segments (each allowed to move
 *       +-60 ms: the jitter buffer adapts) and prints a JSON line:
 *       {"lag_ms":..,"segments":..,"median_corr":..,"min_corr":..,
 *        "frac_good":..}   (good: correlation >= 0.8; silent source segments
 *       and the first second, the jitter buffer's start, are skipped).
 *   rakwon-avcheck video RX_LOG [TX_LOG]
 *       Reads the rx lines a receiving rakwon-media wrote and prints JSON:
 *       frames rendered, stamps read, sequence errors (a frame number going
 *       backwards or repeating), PSNR min/avg, capture->render latency
 *       p50/p95, freezes (gap >= max(3*mean, mean+150 ms), WebRTC) and the
 *       frozen share of the call. With the sender's log (tx lines), freezes
 *       are also split by cause: "net_" figures count only the gaps in which
 *       the sender did send frames (lost or late on the way), not the gaps
 *       where the sender itself sent nothing (capture or encoder stall);
 *       "rx_" figures count the gaps where the frame arrived in time but
 *       was shown late (receiver: decoder, lip-sync hold, CPU).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/frame_metrics.h"
#include "drv/media_drv.h"

static int wav_load(const char *path, int16_t **ret, size_t *ret_n)
{
	struct audsrc_params p = { .rate = 48000, .channels = 1, .frame_samples = 4800 };
	char args[600];
	struct audsrc *src;
	int16_t *pcm = NULL;
	size_t n = 0, cap = 0;
	int r;

	snprintf(args, sizeof(args), "path=%s,realtime=0", path);
	p.args = args;
	r = audsrc_open(&src, "wav", &p);
	if (r < 0)
		return r;
	for (;;) {
		struct aframe *f;

		r = audsrc_read(src, &f);
		if (r < 0)
			break;
		if (n + (size_t)f->samples > cap) {
			int16_t *t;

			cap = (n + (size_t)f->samples) * 2;
			t = realloc(pcm, cap * sizeof(*pcm));
			if (!t) {
				aframe_unref(f);
				r = -ENOMEM;
				break;
			}
			pcm = t;
		}
		memcpy(pcm + n, f->pcm, sizeof(*pcm) * (size_t)f->samples);
		n += (size_t)f->samples;
		aframe_unref(f);
	}
	audsrc_close(src);
	if (r != -ENODATA) {
		free(pcm);
		return r;
	}
	*ret = pcm;
	*ret_n = n;
	return 0;
}

/* mean absolute value per ms (48 samples) */
static float *envelope(const int16_t *x, size_t n, size_t *ret_n)
{
	size_t m = n / 48;
	float *e = calloc(m ? m : 1, sizeof(float));

	for (size_t i = 0; e && i < m; i++) {
		float s = 0;

		for (int k = 0; k < 48; k++)
			s += fabsf((float)x[i * 48 + (size_t)k]);
		e[i] = s / 48;
	}
	*ret_n = m;
	return e;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int audio(const char *a_path, const char *b_path, double secs)
{
	int16_t *a, *b;
	size_t na, nb, ea_n, eb_n;
	float *ea, *eb, *a4, *b4;
	double best = -2, corrs[4096];
	int lag_ms = 0, nseg = 0, good = 0, r;

	if ((r = wav_load(a_path, &a, &na)) < 0 || (r = wav_load(b_path, &b, &nb)) < 0) {
		fprintf(stderr, "avcheck: cannot read wav: %s\n", strerror(-r));
		return 2;
	}
	if (secs > 0 && na) {
		/* what was sent: the source looped for secs seconds */
		size_t n = (size_t)(secs * 48000);
		int16_t *l = malloc(n * sizeof(*l));

		if (!l)
			return 2;
		for (size_t i = 0; i < n; i++)
			l[i] = a[i % na];
		free(a);
		a = l;
		na = n;
	}
	ea = envelope(a, na, &ea_n);
	eb = envelope(b, nb, &eb_n);
	a4 = malloc((na / 4 + 1) * sizeof(float));
	b4 = malloc((nb / 4 + 1) * sizeof(float));
	if (!a4 || !b4)
		return 2;
	for (size_t i = 0; i + 4 <= na; i += 4)
		a4[i / 4] = ((float)a[i] + a[i + 1] + a[i + 2] + a[i + 3]) / 4;
	for (size_t i = 0; i + 4 <= nb; i += 4)
		b4[i / 4] = ((float)b[i] + b[i + 1] + b[i + 2] + b[i + 3]) / 4;
	/* coarse: envelope correlation over lags 0..3000 ms (b is late) */
	for (int L = 0; L < 3000 && (size_t)L < eb_n; L++) {
		double sab = 0, saa = 0, sbb = 0;

		for (size_t i = 0; i < ea_n && i + (size_t)L < eb_n; i++) {
			double x = ea[i], y = eb[i + (size_t)L];

			sab += x * y;
			saa += x * x;
			sbb += y * y;
		}
		if (saa > 0 && sbb > 0 && sab / sqrt(saa * sbb) > best) {
			best = sab / sqrt(saa * sbb);
			lag_ms = L;
		}
	}
	/* per 1 s segment of the source: its own lag within +-60 ms of the global
	 * one on the envelope (the jitter buffer adapts), then the exact lag and
	 * the waveform correlation at full rate within +-2 ms of it */
	/* the first second is the jitter buffer's start: not judged */
	for (size_t s0 = 48000; s0 + 48000 <= na && nseg < 4096; s0 += 48000) {
		double energy = 0, c, eb_best = -2;
		int lag, seg_ms = lag_ms;
		long off, seg_off = (long)lag_ms * 48;

		for (size_t i = s0; i < s0 + 48000; i++)
			energy += (double)a[i] * a[i];
		if (energy / 48000 < 100.0 * 100.0)   /* below -50 dBFS: silence */
			continue;
		/* +-60 ms on 12 kHz signals (mean of 4 samples) */
		{
			size_t q0 = s0 / 4;
			int best_q = lag_ms * 12;

			for (int L = (lag_ms - 60) * 12; L <= (lag_ms + 60) * 12; L++) {
				double sab = 0, saa = 0, sbb = 0;

				if (L < 0 || q0 + 12000 + (size_t)L > nb / 4)
					continue;
				for (size_t i = q0; i < q0 + 12000; i++) {
					double x = a4[i], y = b4[i + (size_t)L];

					sab += x * y;
					saa += x * x;
					sbb += y * y;
				}
				if (saa > 0 && sbb > 0 && sab / sqrt(saa * sbb) > eb_best) {
					eb_best = sab / sqrt(saa * sbb);
					best_q = L;
				}
			}
			seg_ms = best_q / 12;
			seg_off = (long)best_q * 4;
		}
		off = (long)s0 + seg_off - 96;
		if (off < 0 || (size_t)off + 48000 + 192 > nb)
			continue;
		c = pcm_xcorr_peak(a + s0, 48000, b + off, 48000 + 192, 192, &lag);
		if (getenv("AVCHECK_DEBUG"))
			fprintf(stderr, "seg %zu: lag %d ms (env %.3f) fine %d corr %.3f\n", s0 / 48000, seg_ms, eb_best, lag, c);
		corrs[nseg++] = c;
		good += c >= 0.8;
	}
	qsort(corrs, (size_t)nseg, sizeof(double), cmp_d);
	printf("{\"lag_ms\":%d,\"segments\":%d,\"median_corr\":%.3f,\"min_corr\":%.3f,"
	       "\"frac_good\":%.3f}\n", lag_ms, nseg, nseg ? corrs[nseg / 2] : 0,
	       nseg ? corrs[0] : 0, nseg ? (double)good / nseg : 0);
	free(a);
	free(b);
	free(ea);
	free(eb);
	free(a4);
	free(b4);
	return 0;
}

static unsigned long long field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* sorted frame numbers the sender sent */
static uint32_t *tx_seqs(const char *path, size_t *ret_n)
{
	FILE *f = path ? fopen(path, "re") : NULL;
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;
	char line[512];

	*ret_n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "tx ", 3) != 0)
			continue;
		if (n == cap) {
			uint32_t *t = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof(*v));

			if (!t)
				break;
			v = t;
		}
		v[n++] = (uint32_t)field(line, "seq=");
	}
	fclose(f);
	qsort(v, n, sizeof(*v), cmp_u32);
	*ret_n = n;
	return v;
}

/* did the sender send a frame numbered in (a, b)? */
static bool sent_between(const uint32_t *v, size_t n, uint32_t a, uint32_t b)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {   /* first element > a */
		size_t mid = (lo + hi) / 2;

		if (v[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] < b;
}

static int video(const char *path, const char *tx_path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	double *lat = NULL, psnr_sum = 0, psnr_min = 1e9, mean = 0, frozen = 0, total = 0;
	size_t n = 0, cap = 0, stamps = 0, psnr_n = 0, seq_err = 0, freezes = 0, gaps = 0;
	unsigned long long last_seq = 0, last_render = 0, prev_cap = 0, prev_recv = 0;
	bool have_seq = false;
	size_t ntx = 0, net_freezes = 0, rx_freezes = 0;
	uint32_t *txv = tx_seqs(tx_path, &ntx);
	double net_frozen = 0, rx_frozen = 0;

	if (!f) {
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long cap_us, render, seq, recv;
		const char *ps;
		double psnr;

		if (strncmp(line, "rx ", 3) != 0)
			continue;
		cap_us = field(line, "cap=");
		render = field(line, "render=");
		recv = field(line, "recv=");
		seq = field(line, "seq=");
		ps = strstr(line, "psnr=");
		psnr = ps ? atof(ps + 5) : -1;
		if (n == cap) {
			double *t;

			cap = cap ? cap * 2 : 1024;
			t = realloc(lat, cap * sizeof(*lat));
			if (!t)
				return 2;
			lat = t;
		}
		unsigned long long last_seq_prev = last_seq, last_cap = prev_cap;

		if (cap_us) {
			stamps++;
			lat[n] = (double)(render - cap_us) / 1000.0;
			if (have_seq && seq <= last_seq)
				seq_err++;
			last_seq = seq;
			have_seq = true;
		} else {
			lat[n] = -1;
		}
		n++;
		if (psnr >= 0) {
			psnr_sum += psnr;
			psnr_n++;
			if (psnr < psnr_min)
				psnr_min = psnr;
		}
		if (last_render) {
			double gap = (double)(render - last_render);

			if (gaps >= 2 && gap >= fmax(3 * mean, mean + 150000)) {
				freezes++;
				frozen += gap;
				/* network-caused: the sender sent frames in between that
				 * never came (lost), or this frame's data arrived much
				 * later than its capture spacing says (late; arrival
				 * time when logged, else render time). A sender that
				 * sent nothing in the gap stalled by itself; a frame
				 * that arrived in time but was shown late stalled in
				 * the receiver (decoder, lip-sync hold, CPU) */
				double arr_gap = recv && prev_recv ? (double)(recv - prev_recv) : gap;

				if (txv && cap_us && last_cap &&
				    (sent_between(txv, ntx, (uint32_t)last_seq_prev, (uint32_t)seq) ||
				     arr_gap - (double)(cap_us - last_cap) > 100000)) {
					net_freezes++;
					net_frozen += gap;
				} else if (txv && cap_us && last_cap && recv && prev_recv &&
					   gap - (double)(cap_us - last_cap) > 100000) {
					rx_freezes++;
					rx_frozen += gap;
				}
			}
			total += gap;
			gaps++;
			mean += (gap - mean) / (double)(gaps < 30 ? gaps : 30);
		}
		last_render = render;
		prev_cap = cap_us;
		prev_recv = recv;
	}
	fclose(f);
	{
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (lat[i] >= 0)
				lat[k++] = lat[i];
		qsort(lat, k, sizeof(double), cmp_d);
		printf("{\"frames\":%zu,\"stamps\":%zu,\"seq_errors\":%zu,\"first_seq\":%llu,"
		       "\"last_seq\":%llu,\"psnr_avg\":%.2f,\"psnr_min\":%.2f,\"lat_p50_ms\":%.1f,"
		       "\"lat_p95_ms\":%.1f,\"freezes\":%zu,\"frozen_pct\":%.3f,"
		       "\"net_freezes\":%zu,\"net_frozen_pct\":%.3f,\"rx_freezes\":%zu,"
		       "\"rx_frozen_pct\":%.3f}\n",
		       n, stamps, seq_err, 0ULL, last_seq, psnr_n ? psnr_sum / (double)psnr_n : 0,
		       psnr_n ? psnr_min : 0, k ? lat[k / 2] : 0, k ? lat[k * 95 / 100] : 0,
		       freezes, total > 0 ? 100.0 * frozen / total : 0, txv ? net_freezes : freezes,
		       total > 0 ? 100.0 * (txv ? net_frozen : frozen) / total : 0, rx_freezes,
		       total > 0 ? 100.0 * rx_frozen / total : 0);
	}
	free(lat);
	free(txv);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "audio") == 0)
		return audio(argv[2], argv[3], argc >= 5 ? atof(argv[4]) : 0);
	if (argc >= 3 && strcmp(argv[1], "video") == 0)
		return video(argv[2], argc >= 4 ? argv[3] : NULL);
	fprintf(stderr, "usage: rakwon-avcheck audio SRC.wav RX.wav [SECS] | video RX_LOG [TX_LOG]\n");
	return 2;
}

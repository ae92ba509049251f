/* test_apm.c: audio processing chain: FFT, parameters, edge signals, bypass, echo removal, VAD, AGC. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/apm.h"
#include "audio/fft.h"
#include "test.h"

#define B APM_BLOCK

static uint64_t rs = 1;

static double urand(void)
{
	rs = rs * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rs >> 11) / 9007199254740992.0;
}

static double grand(void)
{
	return sqrt(-2.0 * log(urand() + 1e-300)) * cos(2.0 * M_PI * urand());
}

static int16_t sat(double v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)lrint(v);
}

/* voiced-speech-like: harmonics of a gliding f0, 4 Hz syllables, pauses
 * (on for 1.2 s, off for 0.5 s); rms about `dbfs` while on */
static double speechlike(long n, double dbfs, double f0base)
{
	double t = (double)n / APM_RATE, cyc = fmod(t, 1.7);
	if (cyc > 1.2)
		return 0;
	double f0 = f0base * (1.0 + 0.1 * sin(2 * M_PI * 0.7 * t));
	double env = 0.5 - 0.5 * cos(2 * M_PI * 4 * t);
	double v = 0;
	for (int h = 1; h <= 12; h++)
		v += sin(2 * M_PI * f0 * h * t + h) / h;
	return v * env * pow(10, dbfs / 20) * 32768 * 1.6;
}

static struct apm *mk(bool aec, bool ns, bool agc)
{
	struct apm_params p;
	struct apm *a = NULL;

	apm_params_default(&p);
	p.aec = aec;
	p.ns = ns;
	p.agc = agc;
	if (apm_new(&a, &p) < 0)
		return NULL;
	return a;
}

TEST(fft_matches_dft_and_inverts)
{
	static const unsigned sizes[] = { 16, 64, 1024 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned n = sizes[s];
		struct fft *f;
		float *x = calloc(n, sizeof(float)), *y = calloc(n, sizeof(float));
		float *re = calloc(n / 2 + 1, sizeof(float)), *im = calloc(n / 2 + 1, sizeof(float));
		CHECK(x && y && re && im);
		CHECK_OK(fft_new(&f, n));
		for (unsigned i = 0; i < n; i++)
			x[i] = (float)(urand() * 2 - 1);
		fft_forward(f, x, re, im);
		double err = 0;
		for (unsigned k = 0; k <= n / 2; k += (n > 64 ? 37 : 1)) {
			double sr = 0, si = 0;
			for (unsigned i = 0; i < n; i++) {
				sr += x[i] * cos(2 * M_PI * k * i / n);
				si -= x[i] * sin(2 * M_PI * k * i / n);
			}
			err = fmax(err, fabs(sr - re[k]) + fabs(si - im[k]));
		}
		CHECK_MSG(err < 1e-3 * sqrt(n), "n %u dft error %g", n, err);
		fft_inverse(f, re, im, y);
		for (unsigned i = 0; i < n; i++)
			CHECK_MSG(fabsf(y[i] - x[i]) < 1e-4f, "n %u roundtrip %u", n, i);
		fft_free(f);
		free(x);
		free(y);
		free(re);
		free(im);
	}
	struct fft *f = NULL;
	CHECK_EQ(fft_new(&f, 1000), -EINVAL);
	CHECK_EQ(fft_new(&f, 4), -EINVAL);
}

TEST(params_are_validated)
{
	struct apm_params p;
	struct apm *a = NULL;

	apm_params_default(&p);
	CHECK(p.aec && p.ns && p.agc);
	p.aec_tail_ms = 10;
	CHECK_EQ(apm_new(&a, &p), -EINVAL);
	apm_params_default(&p);
	p.aec_max_delay_ms = 900;
	CHECK_EQ(apm_new(&a, &p), -EINVAL);
	apm_params_default(&p);
	p.agc_target_dbfs = 3;
	CHECK_EQ(apm_new(&a, &p), -EINVAL);
	CHECK(a == NULL);
	CHECK_OK(apm_new(&a, NULL));
	int16_t buf[B] = { 0 };
	CHECK_EQ(apm_process(a, NULL, NULL, buf), -EINVAL);
	CHECK_EQ(apm_process(a, buf, NULL, NULL), -EINVAL);
	CHECK_EQ(apm_process(NULL, buf, NULL, buf), -EINVAL);
	CHECK(apm_free(a) == NULL);
}

TEST(silence_stays_silent)
{
	struct apm *a = mk(true, true, true);
	int16_t z[B] = { 0 }, out[B];
	struct apm_stats st;

	CHECK(a);
	for (int b = 0; b < 300; b++) {
		CHECK_OK(apm_process(a, z, b % 2 ? z : NULL, out));
		for (int i = 0; i < B; i++)
			CHECK_MSG(abs(out[i]) <= 1, "block %d sample %d = %d", b, i, out[i]);
	}
	apm_stats_get(a, &st);
	CHECK(st.level_dbfs < -90);
	CHECK(!st.vad);
	CHECK(isfinite(st.erle_db) && isfinite(st.drift_ppm));
	apm_free(a);
}

TEST(noise_only_is_attenuated_without_voice)
{
	struct apm *a = mk(true, true, true);
	int16_t mic[B], out[B];
	double in_e = 0, out_e = 0;
	int vad_on = 0;
	struct apm_stats st;

	CHECK(a);
	for (int b = 0; b < 400; b++) {
		for (int i = 0; i < B; i++)
			mic[i] = sat(grand() * 0.01 * 32768);   /* -40 dBFS white */
		CHECK_OK(apm_process(a, mic, NULL, out));
		apm_stats_get(a, &st);
		if (b >= 300) {
			for (int i = 0; i < B; i++) {
				in_e += (double)mic[i] * mic[i];
				out_e += (double)out[i] * out[i];
			}
			vad_on += st.vad;
		}
	}
	double att = 10 * log10(in_e / (out_e + 1e-9));
	CHECK_MSG(att > 10 && att < 30, "noise attenuation %.1f dB", att);
	CHECK_MSG(vad_on <= 5, "vad on in %d of 100 noise blocks", vad_on);
	apm_free(a);
}

/* mic = echo of ref (100 ms, two paths) + optional near end + noise */
static void echo_case(struct apm *a, long n0, int blocks, bool with_ref, int16_t *last_mic,
		      int16_t *last_out, double *mic_e, double *out_e, int from)
{
	static double hist[APM_RATE];
	int16_t mic[B], ref[B], out[B];

	for (int b = 0; b < blocks; b++) {
		for (int i = 0; i < B; i++) {
			long n = n0 + (long)b * B + i;
			double r = with_ref ? grand() * 0.1 * 32768 : 0;
			hist[n % APM_RATE] = r;
			double e = 0.5 * hist[(n - 4800 + APM_RATE) % APM_RATE] +
				   0.2 * hist[(n - 5280 + APM_RATE) % APM_RATE];
			ref[i] = sat(r);
			mic[i] = sat(e + grand() * 3);
		}
		apm_process(a, mic, with_ref ? ref : NULL, out);
		if (b >= from) {
			for (int i = 0; i < B; i++) {
				*mic_e += (double)mic[i] * mic[i];
				*out_e += (double)out[i] * out[i];
			}
		}
		if (last_mic)
			memcpy(last_mic, mic, sizeof(mic));
		if (last_out)
			memcpy(last_out, out, sizeof(out));
	}
}

TEST(echo_is_removed_and_delay_found)
{
	struct apm *a = mk(true, true, false);
	double me = 0, oe = 0;
	struct apm_stats st;

	CHECK(a);
	memset(&st, 0, sizeof(st));
	echo_case(a, 0, 400, true, NULL, NULL, &me, &oe, 300);
	apm_stats_get(a, &st);
	double erle = 10 * log10(me / (oe + 1e-9));
	CHECK_MSG(erle > 30, "ERLE %.1f dB", erle);
	CHECK_MSG(st.delay_ms >= 70 && st.delay_ms <= 110, "delay %d ms", st.delay_ms);
	CHECK(st.ref_present && st.far_active);
	CHECK_MSG(st.erle_db > 20, "erle estimate %.1f", st.erle_db);
	/* playback stops (no reference, no echo), then resumes: the filter is kept */
	me = oe = 0;
	int16_t z[B] = { 0 }, out[B];
	for (int b = 0; b < 50; b++)
		CHECK_OK(apm_process(a, z, NULL, out));
	apm_stats_get(a, &st);
	CHECK(!st.ref_present && !st.far_active);
	echo_case(a, 400L * B, 100, true, NULL, NULL, &me, &oe, 20);
	erle = 10 * log10(me / (oe + 1e-9));
	CHECK_MSG(erle > 25, "ERLE after resume %.1f dB", erle);
	apm_free(a);
}

TEST(missing_reference_is_a_clean_bypass)
{
	/* with ref == NULL the chain must equal the chain without AEC */
	struct apm *a = mk(true, true, true), *b = mk(false, true, true);
	int16_t mic[B], oa[B], ob[B];
	struct apm_stats st;

	CHECK(a && b);
	for (int k = 0; k < 300; k++) {
		for (int i = 0; i < B; i++)
			mic[i] = sat(speechlike((long)k * B + i, -26, 140) + grand() * 30);
		CHECK_OK(apm_process(a, mic, NULL, oa));
		CHECK_OK(apm_process(b, mic, NULL, ob));
		CHECK_MSG(!memcmp(oa, ob, sizeof(oa)), "block %d differs", k);
	}
	apm_stats_get(a, &st);
	CHECK(!st.ref_present);
	CHECK_EQ(st.delay_ms, -1);
	apm_free(a);
	apm_free(b);
}

TEST(muted_reference_passes_near_end)
{
	struct apm *a = mk(true, true, false);
	int16_t mic[B], z[B] = { 0 }, out[B];
	double ie = 0, oe = 0;
	struct apm_stats st;

	CHECK(a);
	for (int k = 0; k < 400; k++) {
		for (int i = 0; i < B; i++)
			mic[i] = sat(speechlike((long)k * B + i, -26, 140) + grand() * 30);
		CHECK_OK(apm_process(a, mic, z, out));
		if (k >= 100) {
			/* output lags one block: compare the sums over the range */
			for (int i = 0; i < B; i++) {
				ie += (double)mic[i] * mic[i];
				oe += (double)out[i] * out[i];
			}
		}
	}
	apm_stats_get(a, &st);
	CHECK(st.ref_present && !st.far_active);
	double d = 10 * log10(oe / ie);
	CHECK_MSG(d > -2 && d < 1, "near end level changed by %.1f dB", d);
	apm_free(a);
}

TEST(dc_offset_is_removed)
{
	struct apm *a = mk(true, false, false);
	int16_t mic[B], ref[B], out[B];
	double sum = 0, ie = 0, oe = 0;

	CHECK(a);
	for (int k = 0; k < 300; k++) {
		for (int i = 0; i < B; i++) {
			long n = (long)k * B + i;
			mic[i] = sat(8000 + speechlike(n, -26, 140));
			ref[i] = sat(-5000 + grand() * 5);  /* offset on the reference too */
		}
		CHECK_OK(apm_process(a, mic, ref, out));
		if (k >= 200)
			for (int i = 0; i < B; i++) {
				sum += out[i];
				double c = mic[i] - 8000.0;
				ie += c * c;
				oe += (double)out[i] * out[i];
			}
	}
	double mean = sum / (100.0 * B);
	CHECK_MSG(fabs(mean) < 100, "output mean %.1f", mean);
	double d = 10 * log10(oe / ie);
	CHECK_MSG(d > -3 && d < 1, "speech level changed by %.1f dB", d);
	apm_free(a);
}

TEST(clipped_signals_stay_bounded)
{
	struct apm *a = mk(true, true, false);
	int16_t mic[B], ref[B], out[B];
	double me = 0, oe = 0;
	struct apm_stats st;

	CHECK(a);
	for (int k = 0; k < 300; k++) {
		for (int i = 0; i < B; i++) {
			long n = (long)k * B + i;
			double r = speechlike(n, -3, 110) * 4;     /* heavily clipped */
			ref[i] = sat(r);
			mic[i] = sat(r * 2 + speechlike(n, -10, 210) * 4);
		}
		CHECK_OK(apm_process(a, mic, ref, out));
		for (int i = 0; i < B; i++) {
			me += (double)mic[i] * mic[i];
			oe += (double)out[i] * out[i];
		}
	}
	apm_stats_get(a, &st);
	CHECK(isfinite(st.erle_db) && isfinite(st.level_dbfs));
	CHECK_MSG(oe <= me * 1.1, "output louder than a clipped input: %.1f dB", 10 * log10(oe / me));
	apm_free(a);
}

TEST(vad_follows_voice)
{
	struct apm *a = mk(true, true, false);
	int16_t mic[B], out[B];
	int on_talk = 0, n_talk = 0, on_quiet = 0, n_quiet = 0;
	struct apm_stats st;

	CHECK(a);
	for (int k = 0; k < 700; k++) {
		long n0 = (long)k * B;
		for (int i = 0; i < B; i++)
			mic[i] = sat((k >= 300 ? speechlike(n0 + i, -30, 140) : 0) + grand() * 10);
		CHECK_OK(apm_process(a, mic, NULL, out));
		apm_stats_get(a, &st);
		double t = (double)n0 / APM_RATE;
		if (k < 300 && k >= 200) {
			n_quiet++;
			on_quiet += st.vad;
		} else if (k >= 300 && fmod(t, 1.7) > 0.2 && fmod(t, 1.7) < 1.1) {
			n_talk++;
			on_talk += st.vad;
		}
	}
	CHECK_MSG(on_talk > n_talk * 9 / 10, "vad on in %d of %d talk blocks", on_talk, n_talk);
	CHECK_MSG(on_quiet < n_quiet / 20, "vad on in %d of %d quiet blocks", on_quiet, n_quiet);
	apm_free(a);
}

TEST(agc_raises_quiet_talker_and_limits_peaks)
{
	struct apm *a = mk(true, false, true);
	int16_t mic[B], out[B];
	double ie = 0, oe = 0;
	int peak = 0;

	CHECK(a);
	for (int k = 0; k < 1000; k++) {
		for (int i = 0; i < B; i++)
			mic[i] = sat(speechlike((long)k * B + i, -42, 140) + grand() * 2);
		CHECK_OK(apm_process(a, mic, NULL, out));
		if (k >= 800)
			for (int i = 0; i < B; i++) {
				ie += (double)mic[i] * mic[i];
				oe += (double)out[i] * out[i];
			}
	}
	double g = 10 * log10(oe / ie);
	CHECK_MSG(g > 10, "AGC gain %.1f dB", g);
	/* now a loud talker: peaks must stay under the limiter (-1 dBFS) */
	for (int k = 0; k < 300; k++) {
		for (int i = 0; i < B; i++)
			mic[i] = sat(speechlike((long)k * B + i, -8, 140));
		CHECK_OK(apm_process(a, mic, NULL, out));
		for (int i = 0; i < B; i++)
			peak = abs(out[i]) > peak ? abs(out[i]) : peak;
	}
	CHECK_MSG(peak <= 29164 + 1, "peak %d", peak);
	apm_free(a);
}

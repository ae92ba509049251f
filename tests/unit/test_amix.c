/* test_amix.c: PCM mixer: sums, gains, N-1 mixes, limiter and saturation. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "media/amix.h"
#include "test.h"

#define N 960

static void sine(int16_t *p, double amp, double hz, int phase0)
{
	for (int i = 0; i < N; i++)
		p[i] = (int16_t)lrint(amp * sin(2 * M_PI * hz * (i + phase0) / 48000.0));
}

TEST(mix_quiet_is_exact_sum)
{
	static int16_t a[N], b[N], out[N];
	struct amix *m;
	struct amix_src src[2] = { { a, 1.0f }, { b, 1.0f } };

	CHECK_OK(amix_new(&m, 4, N));
	sine(a, 3000, 440, 0);
	sine(b, 2000, 1000, 0);
	CHECK_OK(amix_mix(m, out, src, 2));
	for (int i = 0; i < N; i++)
		CHECK_EQ(out[i], a[i] + b[i]);
	/* gains: 0.5 and 0 (and a silent source) */
	src[0].gain = 0.5f;
	src[1].gain = 0.0f;
	CHECK_OK(amix_mix(m, out, src, 2));
	for (int i = 0; i < N; i++)
		CHECK(abs(out[i] - a[i] / 2) <= 1);
	src[0].pcm = NULL;
	CHECK_OK(amix_mix(m, out, src, 2));
	for (int i = 0; i < N; i++)
		CHECK_EQ(out[i], 0);
	CHECK_EQ(amix_mix(m, out, src, 5), -EINVAL);
	amix_free(m);
}

TEST(saturation_soft)
{
	static int16_t a[N], b[N], c[N], out[N];
	struct amix *m;
	struct amix_src src[3] = { { a, 1.0f }, { b, 1.0f }, { c, 2.0f } };
	int peak = 0;

	CHECK_OK(amix_new(&m, 3, N));
	/* three loud sources in phase: the raw sum is ~ 4x full scale */
	sine(a, 32000, 200, 0);
	sine(b, 32000, 200, 0);
	sine(c, 32767, 200, 0);
	for (int f = 0; f < 20; f++) {
		CHECK_OK(amix_mix(m, out, src, 3));
		for (int i = 0; i < N; i++) {
			int s = a[i] + b[i] + 2 * c[i];

			/* no wrap-around: the sign always follows the sum */
			if (s > 1000)
				CHECK_MSG(out[i] > 0, "frame %d sample %d: %d for %d", f, i, out[i], s);
			if (s < -1000)
				CHECK_MSG(out[i] < 0, "frame %d sample %d: %d for %d", f, i, out[i], s);
			peak = abs(out[i]) > peak ? abs(out[i]) : peak;
		}
	}
	CHECK(peak <= 32767);
	CHECK(peak > 25000);
	/* the limiter settled: the output is a scaled sine, near-linear */
	for (int i = 1; i < N; i++) {
		int s = a[i] + b[i] + 2 * c[i];

		CHECK(abs((int)out[i] - (int)lrint(s * 29000.0 / (32000 * 2 + 32767 * 2))) < 400);
	}
	amix_free(m);
}

TEST(limiter_releases)
{
	static int16_t a[N], out[N];
	struct amix *m;
	struct amix_src src = { a, 4.0f };
	int peak = 0;

	CHECK_OK(amix_new(&m, 1, N));
	sine(a, 30000, 300, 0);
	CHECK_OK(amix_mix(m, out, &src, 1));    /* 4x: limited */
	src.gain = 1.0f;
	sine(a, 5000, 300, 0);
	for (int f = 0; f < 100; f++)           /* 2 s of quiet input */
		CHECK_OK(amix_mix(m, out, &src, 1));
	for (int i = 0; i < N; i++)
		peak = abs(out[i]) > peak ? abs(out[i]) : peak;
	CHECK(peak >= 4990 && peak <= 5000);    /* back to unity gain */
	amix_free(m);
}

TEST(mix_minus)
{
	enum { S = 4 };
	static int16_t in[S][N], out[S][N];
	int16_t *outs[S];
	struct amix_src src[S];
	struct amix *m;

	CHECK_OK(amix_new(&m, S, N));
	for (int k = 0; k < S; k++) {
		sine(in[k], 1000 + 500 * k, 200 + 100 * k, k * 7);
		src[k].pcm = in[k];
		src[k].gain = 1.0f;
		outs[k] = out[k];
	}
	outs[2] = NULL;         /* no output wanted for source 2 */
	memset(out[2], 0x7f, sizeof(out[2]));
	CHECK_OK(amix_mix_minus(m, outs, src, S));
	for (int k = 0; k < S; k++) {
		if (k == 2) {
			CHECK_EQ(out[2][5], 0x7f7f);
			continue;
		}
		for (int i = 0; i < N; i++) {
			int want = 0;

			for (int j = 0; j < S; j++)
				if (j != k)
					want += in[j][i];
			CHECK_MSG(out[k][i] == want, "out %d sample %d: %d != %d",
				  k, i, out[k][i], want);
		}
	}
	amix_reset(m, 1);
	amix_reset(m, -1);
	amix_free(m);
	CHECK_EQ(amix_new(&m, 0, N), -EINVAL);
}

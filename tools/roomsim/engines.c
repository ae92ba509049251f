/* engines.c: ours (apm), speexdsp (echo canceller + preprocessor) and webrtc-audio-processing. */
#include "engines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include "audio/apm.h"

/* --- ours: the full chain without AGC (level changes would bias the metrics) */
static int ours_create(void **ret, int tail_ms)
{
	struct apm_params p;

	apm_params_default(&p);
	p.agc = false;
	p.aec_tail_ms = tail_ms;
	return apm_new((struct apm **)ret, &p);
}

static int ours_process(void *st, const int16_t *mic, const int16_t *ref, int16_t *out)
{
	return apm_process(st, mic, ref, out);
}

static void ours_destroy(void *st)
{
	apm_free(st);
}

/* --- speexdsp: MDF canceller + preprocessor with its residual echo suppressor and denoiser */
struct spx {
	SpeexEchoState *echo;
	SpeexPreprocessState *pp;
	int16_t zero[480];
};

static int speex_create(void **ret, int tail_ms)
{
	struct spx *s = calloc(1, sizeof(*s));
	int rate = 48000, on = 1, off = 0;

	if (!s)
		return -ENOMEM;
	/* speexdsp has no delay estimator: its filter must span the largest
	 * reference delay (250 ms) plus the tail */
	s->echo = speex_echo_state_init(480, (250 + tail_ms) * 48);
	s->pp = speex_preprocess_state_init(480, 48000);
	if (!s->echo || !s->pp) {
		free(s);
		return -ENOMEM;
	}
	speex_echo_ctl(s->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	speex_preprocess_ctl(s->pp, SPEEX_PREPROCESS_SET_ECHO_STATE, s->echo);
	speex_preprocess_ctl(s->pp, SPEEX_PREPROCESS_SET_DENOISE, &on);
	speex_preprocess_ctl(s->pp, SPEEX_PREPROCESS_SET_AGC, &off);
	*ret = s;
	return 0;
}

static int speex_process(void *st, const int16_t *mic, const int16_t *ref, int16_t *out)
{
	struct spx *s = st;

	speex_echo_cancellation(s->echo, mic, ref ? ref : s->zero, out);
	speex_preprocess_run(s->pp, out);
	return 0;
}

static void speex_destroy(void *st)
{
	struct spx *s = st;

	speex_echo_state_destroy(s->echo);
	speex_preprocess_state_destroy(s->pp);
	free(s);
}

int eng_webrtc_create(void **ret, int tail_ms);
int eng_webrtc_process(void *st, const int16_t *mic, const int16_t *ref, int16_t *out);
void eng_webrtc_destroy(void *st);

static const struct engine e_ours = { "ours", ours_create, ours_process, ours_destroy,
				      APM_LATENCY_SAMPLES };
static const struct engine e_speex = { "speexdsp", speex_create, speex_process, speex_destroy, 0 };
static const struct engine e_webrtc = { "webrtc", eng_webrtc_create, eng_webrtc_process,
					eng_webrtc_destroy, 0 };

const struct engine *const engines[] = { &e_ours, &e_speex, &e_webrtc, NULL };

const struct engine *engine_find(const char *name)
{
	for (int i = 0; engines[i]; i++)
		if (!strcmp(engines[i]->name, name))
			return engines[i];
	return NULL;
}

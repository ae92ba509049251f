// eng_webrtc.cc: webrtc-audio-processing (Debian 0.3, C++) behind the roomsim engine interface; bench only.
#include <stdint.h>
#include <string.h>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

extern "C" {
int eng_webrtc_create(void **ret, int tail_ms);
int eng_webrtc_process(void *st, const int16_t *mic, const int16_t *ref, int16_t *out);
void eng_webrtc_destroy(void *st);
}

struct wrtc {
	webrtc::AudioProcessing *apm;
	webrtc::AudioFrame cap, rend;
};

int eng_webrtc_create(void **ret, int tail_ms)
{
	(void)tail_ms;
	webrtc::Config cfg;
	/* unknown delay (TV audio path): delay-agnostic mode with the long filter */
	cfg.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
	cfg.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(true));
	wrtc *w = new wrtc;
	w->apm = webrtc::AudioProcessing::Create(cfg);
	if (!w->apm) {
		delete w;
		return -1;
	}
	if (w->apm->Initialize(48000, 48000, 48000, webrtc::AudioProcessing::kMono,
			       webrtc::AudioProcessing::kMono, webrtc::AudioProcessing::kMono) != 0) {
		delete w->apm;
		delete w;
		return -1;
	}
	w->apm->echo_cancellation()->Enable(true);
	w->apm->echo_cancellation()->set_suppression_level(webrtc::EchoCancellation::kHighSuppression);
	w->apm->echo_cancellation()->enable_drift_compensation(false);
	w->apm->noise_suppression()->Enable(true);
	w->apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh);
	w->apm->high_pass_filter()->Enable(true);
	w->apm->gain_control()->Enable(false);
	w->apm->voice_detection()->Enable(true);
	for (webrtc::AudioFrame *f : { &w->cap, &w->rend }) {
		f->sample_rate_hz_ = 48000;
		f->num_channels_ = 1;
		f->samples_per_channel_ = 480;
	}
	*ret = w;
	return 0;
}

int eng_webrtc_process(void *st, const int16_t *mic, const int16_t *ref, int16_t *out)
{
	wrtc *w = static_cast<wrtc *>(st);
	int r;

	if (ref) {
		memcpy(w->rend.data_, ref, 480 * sizeof(int16_t));
		w->rend.samples_per_channel_ = 480;
		r = w->apm->AnalyzeReverseStream(&w->rend);
		if (r != 0)
			return -1;
	}
	memcpy(w->cap.data_, mic, 480 * sizeof(int16_t));
	w->cap.samples_per_channel_ = 480;
	w->apm->set_stream_delay_ms(0);
	r = w->apm->ProcessStream(&w->cap);
	if (r != 0)
		return -1;
	memcpy(out, w->cap.data_, 480 * sizeof(int16_t));
	return 0;
}

void eng_webrtc_destroy(void *st)
{
	wrtc *w = static_cast<wrtc *>(st);
	delete w->apm;
	delete w;
}

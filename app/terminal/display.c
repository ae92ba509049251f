/* display.c: the display compositor worker: composes video and UI with ui_render() into the display sink (see display.h).
 *
 * Threads: one worker (th) owns the sink, the output frames and the copy of
 * the model it renders. Everything shared sits under lock: the pending
 * model (with a generation counter), the latest frame of each video source,
 * the screenshot paths waiting and the statistics. The loop wakes the worker
 * through a wq (eventfd) after it changed something; video frames only set
 * the dirty flag, which the worker looks at every frame period while video
 * flows (frames come at 30 fps, the screen is composed at most fps times a
 * second, so waking on each one would be wasted).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/media_drv.h"
#include "lib/base/clock.h"
#include "lib/log/log.h"
#include "lib/loop/wq.h"
#include "terminal/display.h"
#include "ui/ui.h"

LOG_TOPIC(display);

#define SHOTS_MAX 8
#define HIST_N 256

enum disp_work {
	DISP_WAKE,
};

struct tdisplay {
	struct tdisplay_conf c;
	char *sink_name, *sink_args;
	struct wq *q;                   /* loop -> worker wakeups */
	pthread_t th;
	bool th_started;
	atomic_bool stop;
	atomic_bool video_dirty;        /* a new frame arrived */

	/* worker only */
	struct vidsink *sink;
	bool null_sink;
	struct ui_model model;
	uint64_t model_gen;
	uint64_t model_us;              /* when the loop published it */
	struct vframe *out[2];          /* double-buffered: a sink may keep one */
	int out_i;
	uint64_t next_us;

	pthread_mutex_t lock;           /* protects everything below */
	struct ui_model pending;
	uint64_t pending_gen;
	uint64_t pending_us;            /* first unshown publication */
	struct vframe *src[TDISPLAY_SRC_MAX];
	char *shots[SHOTS_MAX];
	int nshots;
	struct tdisplay_stats st;
	float hist[HIST_N];             /* compose times, ms */
	unsigned hist_n, hist_i;
	float upd[HIST_N];              /* model published -> on the sink, ms */
	unsigned upd_n, upd_i;
};

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* worker: a frame to draw into that no sink still holds */
static struct vframe *out_frame(struct tdisplay *d)
{
	for (int k = 0; k < 2; k++) {
		int i = (d->out_i + k) % 2;

		if (d->out[i] && refcnt_get(&d->out[i]->ref) > 1)
			d->out[i] = vframe_unref(d->out[i]);
		if (!d->out[i] && vframe_new(&d->out[i], VFMT_XRGB8888, d->c.width, d->c.height) < 0)
			continue;
		d->out_i = (i + 1) % 2;
		return d->out[i];
	}
	return NULL;
}

static void shot_write(struct vframe *f, const char *path)
{
	struct vidsink_params p = { 0 };
	struct vidsink *s = NULL;
	char args[1100];
	int r;

	snprintf(args, sizeof(args), "path=%s", path);
	p.args = args;
	r = vidsink_open(&s, "png", &p);
	if (r == 0)
		r = vidsink_write(s, f);
	vidsink_close(s);             /* single-file mode writes at close */
	if (r < 0)
		log_warn(display, "screenshot %s: %s, ignoring", path, strerror(-r));
}

static void hist_put(float *h, unsigned *n, unsigned *i, float v)
{
	h[*i] = v;
	*i = (*i + 1) % HIST_N;
	if (*n < HIST_N)
		(*n)++;
}

static void percentiles(const float *src, unsigned n, double *p50, double *p95)
{
	float h[HIST_N];

	if (!n)
		return;
	memcpy(h, src, sizeof(h[0]) * n);
	qsort(h, n, sizeof(h[0]), cmp_float);
	*p50 = h[n / 2];
	*p95 = h[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1];
}

/* new_model: the frame shows a model not shown before (update latency) */
static void compose(struct tdisplay *d, char **shots, int nshots, bool new_model)
{
	struct vframe *src[TDISPLAY_SRC_MAX], *out;
	uint64_t t0 = clock_now_us();
	float ms;
	int r = -ENOMEM;

	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < TDISPLAY_SRC_MAX; i++)
		src[i] = d->src[i] ? vframe_ref(d->src[i]) : NULL;
	pthread_mutex_unlock(&d->lock);
	out = out_frame(d);
	if (out)
		r = ui_render(&d->model, out, src[TDISPLAY_FAR], src[TDISPLAY_SELF], NULL);
	for (int i = 0; i < TDISPLAY_SRC_MAX; i++)
		vframe_unref(src[i]);
	ms = (float)(clock_now_us() - t0) / 1000.0f;
	if (r == 0) {
		out->capture_us = t0;
		for (int i = 0; i < nshots; i++)
			shot_write(out, shots[i]);
		if (!d->null_sink && vidsink_write(d->sink, out) < 0)
			r = -EIO;
	}
	pthread_mutex_lock(&d->lock);
	d->st.frames++;
	d->st.screenshots += (uint64_t)nshots;
	if (r < 0)
		d->st.errors++;
	else if (!d->null_sink)
		d->st.written++;
	d->st.compose_ms_last = ms;
	hist_put(d->hist, &d->hist_n, &d->hist_i, ms);
	if (r == 0 && new_model && !d->null_sink)
		hist_put(d->upd, &d->upd_n, &d->upd_i,
			 (float)(clock_now_us() - d->model_us) / 1000.0f);
	pthread_mutex_unlock(&d->lock);
	if (r < 0 && d->st.errors == 1)
		log_warn(display, "composing the screen failed: %s, ignoring", strerror(-r));
}

static void *worker(void *arg)
{
	struct tdisplay *d = arg;
	uint64_t period = 1000000 / (uint64_t)d->c.fps;

	while (!atomic_load(&d->stop)) {
		struct wq_item it;
		char *shots[SHOTS_MAX];
		int nshots, timeout = -1;
		bool dirty, video, new_model;
		uint64_t now;

		pthread_mutex_lock(&d->lock);
		video = d->src[TDISPLAY_FAR] || d->src[TDISPLAY_SELF];
		pthread_mutex_unlock(&d->lock);
		/* video flowing: look again every period; else sleep until woken */
		if (video && !d->null_sink)
			timeout = (int)(period / 1000);
		(void)wq_wait(d->q, timeout);
		while (wq_pop(d->q, &it) == 0)
			;
		if (atomic_load(&d->stop))
			break;
		now = clock_now_us();
		if (now < d->next_us) {
			/* rate bound: wait out the rest of the period, keep the work */
			clock_sleep_until_us(d->next_us);
			now = clock_now_us();
		}
		pthread_mutex_lock(&d->lock);
		dirty = new_model = d->pending_gen != d->model_gen;
		if (dirty) {
			d->model = d->pending;
			d->model_gen = d->pending_gen;
			d->model_us = d->pending_us;
			d->pending_us = 0;
		}
		nshots = d->nshots;
		memcpy(shots, d->shots, sizeof(shots[0]) * (size_t)nshots);
		d->nshots = 0;
		pthread_mutex_unlock(&d->lock);
		if (atomic_exchange(&d->video_dirty, false) && !d->null_sink)
			dirty = true;
		if (d->null_sink)
			dirty = false;
		if (!d->model_gen && nshots) {
			/* no model yet: keep them for the first one */
			pthread_mutex_lock(&d->lock);
			for (int i = 0; i < nshots; i++) {
				if (d->nshots < SHOTS_MAX)
					d->shots[d->nshots++] = shots[i];
				else
					free(shots[i]);
			}
			pthread_mutex_unlock(&d->lock);
			continue;
		}
		if (!dirty && !nshots)
			continue;
		compose(d, shots, nshots, new_model);
		for (int i = 0; i < nshots; i++)
			free(shots[i]);
		d->next_us = now + period;
	}
	return NULL;
}

int tdisplay_new(struct tdisplay **ret, const struct tdisplay_conf *c)
{
	struct vidsink_params sp = { 0 };
	struct tdisplay *d;
	int r;

	if (!ret || !c || c->width < 320 || c->height < 180 || c->width > 3840 ||
	    c->height > 2160 || c->fps < 1 || c->fps > 60)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	d->c = *c;
	d->sink_name = strdup(c->sink && c->sink[0] ? c->sink : "null");
	d->sink_args = strdup(c->sink_args ? c->sink_args : "");
	if (!d->sink_name || !d->sink_args) {
		r = -ENOMEM;
		goto out;
	}
	d->null_sink = !strcmp(d->sink_name, "null");
	sp.width = c->width;
	sp.height = c->height;
	sp.args = d->sink_args;
	if (!d->null_sink) {
		r = vidsink_open(&d->sink, d->sink_name, &sp);
		if (r < 0)
			goto out;
		/* a display told its mode: compose at that size (else the sink
		 * would scale our frame); one the renderer cannot draw keeps ours */
		if (sp.width >= 320 && sp.height >= 180 && sp.width <= 3840 && sp.height <= 2160) {
			d->c.width = sp.width & ~1;
			d->c.height = sp.height & ~1;
		}
	}
	r = wq_new(&d->q, 16);
	if (r < 0)
		goto out;
	r = -pthread_create(&d->th, NULL, worker, d);
	if (r == 0)
		d->th_started = true;
out:
	if (r < 0)
		tdisplay_free(d);
	else
		*ret = d;
	return r;
}

struct tdisplay *tdisplay_free(struct tdisplay *d)
{
	if (!d)
		return NULL;
	if (d->th_started) {
		struct wq_item it = { .type = DISP_WAKE };

		atomic_store(&d->stop, true);
		(void)wq_post(d->q, &it);
		pthread_join(d->th, NULL);
	}
	d->q = wq_free(d->q, NULL, NULL);
	d->sink = vidsink_close(d->sink);
	for (int i = 0; i < 2; i++)
		vframe_unref(d->out[i]);
	for (int i = 0; i < TDISPLAY_SRC_MAX; i++)
		vframe_unref(d->src[i]);
	for (int i = 0; i < d->nshots; i++)
		free(d->shots[i]);
	free(d->sink_name);
	free(d->sink_args);
	pthread_mutex_destroy(&d->lock);
	free(d);
	return NULL;
}

static void wake(struct tdisplay *d)
{
	struct wq_item it = { .type = DISP_WAKE };

	(void)wq_post(d->q, &it);     /* full: a wakeup is pending anyway */
}

void tdisplay_model(struct tdisplay *d, const struct ui_model *m)
{
	if (!d || !m)
		return;
	pthread_mutex_lock(&d->lock);
	/* the loop publishes every second: recompose only on a change */
	if (d->pending_gen && !memcmp(&d->pending, m, sizeof(*m))) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	d->pending = *m;
	d->pending_gen++;
	if (!d->pending_us)
		d->pending_us = clock_now_us();
	pthread_mutex_unlock(&d->lock);
	wake(d);
}

void tdisplay_frame(struct tdisplay *d, enum tdisplay_src src, struct vframe *f)
{
	struct vframe *old;

	if (!d || (unsigned)src >= TDISPLAY_SRC_MAX)
		return;
	if (f)
		vframe_ref(f);
	pthread_mutex_lock(&d->lock);
	old = d->src[src];
	d->src[src] = f;
	pthread_mutex_unlock(&d->lock);
	vframe_unref(old);   /* the last unref may free: outside the lock */
	atomic_store(&d->video_dirty, true);
	if (!f)
		wake(d);
}

int tdisplay_screenshot(struct tdisplay *d, const char *path)
{
	char *p;
	int r = 0;

	if (!d || !path || !path[0] || strchr(path, ','))
		return -EINVAL;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&d->lock);
	if (d->nshots == SHOTS_MAX)
		r = -ENOSPC;
	else
		d->shots[d->nshots++] = p;
	pthread_mutex_unlock(&d->lock);
	if (r < 0)
		free(p);
	else
		wake(d);
	return r;
}

void tdisplay_get_stats(struct tdisplay *d, struct tdisplay_stats *ret)
{
	pthread_mutex_lock(&d->lock);
	*ret = d->st;
	percentiles(d->hist, d->hist_n, &ret->compose_ms_p50, &ret->compose_ms_p95);
	percentiles(d->upd, d->upd_n, &ret->update_ms_p50, &ret->update_ms_p95);
	pthread_mutex_unlock(&d->lock);
}

void tdisplay_size(const struct tdisplay *d, int *width, int *height)
{
	*width = d->c.width;
	*height = d->c.height;
}

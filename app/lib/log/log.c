/* log.c: log sink (stderr, one line per call, with monotonic time). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/clock.h"
#include "lib/log/log.h"

#define SPEC_MAX 512

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_spec[SPEC_MAX] = "info";
static atomic_uint log_gen = 1;
static char log_ident[64];
static const char *const level_names[LOG_LEVEL_MAX] = { "err", "warn", "info", "debug" };

static int level_parse(const char *s, size_t n)
{
	for (int i = 0; i < LOG_LEVEL_MAX; i++)
		if (strlen(level_names[i]) == n && strncmp(level_names[i], s, n) == 0)
			return i;
	return -1;
}

/* Resolve a topic's level from the spec: "default[,topic=level]..." */
static int spec_level_for(const char *spec, const char *topic)
{
	int def = LOG_INFO, found = -1;
	const char *p = spec;

	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', n);
		if (!eq) {
			int l = level_parse(p, n);

			if (l >= 0)
				def = l;
		} else if ((size_t)(eq - p) == strlen(topic) &&
			   strncmp(p, topic, (size_t)(eq - p)) == 0) {
			found = level_parse(eq + 1, n - (size_t)(eq - p) - 1);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return found >= 0 ? found : def;
}

int log_set_spec(const char *spec)
{
	const char *p = spec;

	if (!spec || strlen(spec) >= SPEC_MAX)
		return -EINVAL;
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', n);
		if (eq ? level_parse(eq + 1, n - (size_t)(eq - p) - 1) < 0 : level_parse(p, n) < 0)
			return -EINVAL;
		p += n;
		if (*p == ',')
			p++;
	}
	pthread_mutex_lock(&log_lock);
	snprintf(log_spec, sizeof(log_spec), "%s", spec);
	atomic_fetch_add(&log_gen, 1);
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_set_ident(const char *ident)
{
	pthread_mutex_lock(&log_lock);
	snprintf(log_ident, sizeof(log_ident), "%s", ident ? ident : "");
	pthread_mutex_unlock(&log_lock);
}

bool log_enabled(struct log_topic *t, enum log_level l)
{
	unsigned g = atomic_load(&log_gen);

	if (t->gen != g) {
		pthread_mutex_lock(&log_lock);
		t->level = spec_level_for(log_spec, t->name);
		t->gen = g;
		pthread_mutex_unlock(&log_lock);
	}
	return (int)l <= t->level;
}

void log_write(struct log_topic *t, enum log_level l, int err, const char *fmt, ...)
{
	char msg[1024], out[1200];
	const char *m;
	size_t o = 0;
	uint64_t now = clock_now_us();
	va_list ap;

	/* expand %m to strerror(-err) ourselves so that err, not errno, is used */
	if (err < 0)
		err = -err;
	for (const char *f = fmt; *f && o + 1 < sizeof(out); f++) {
		if (f[0] == '%' && f[1] == 'm') {
			const char *s = strerror(err);

			while (*s && o + 1 < sizeof(out))
				out[o++] = *s++;
			f++;
		} else if (f[0] == '%' && f[1] == '%') {
			out[o++] = '%';
			if (o + 1 < sizeof(out))
				out[o++] = '%';
			f++;
		} else {
			out[o++] = *f;
		}
	}
	out[o] = 0;
	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(msg, sizeof(msg), out, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	m = msg;
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%5llu.%06llu %s%s%-5s %-8s %s\n",
		(unsigned long long)(now / 1000000), (unsigned long long)(now % 1000000),
		log_ident, log_ident[0] ? " " : "", level_names[l], t->name, m);
	pthread_mutex_unlock(&log_lock);
}

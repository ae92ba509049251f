/* log.h: leveled logging by topic (STYLE G15).
 *
 * Each file declares its topic once: LOG_TOPIC(rtp);  then logs with
 * log_info(rtp, "..."), log_err_errno(rtp, r, "open %s: %m", p) (which
 * returns r, so "return log_err_errno(...)" works; %m prints strerror(-r)).
 * Levels are set per topic from a spec string: "info,rtp=debug,sip=warn".
 * Real-time audio threads must not log. Secrets are never passed to log.
 */
#ifndef RAKWON_LOG_LOG_H
#define RAKWON_LOG_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_LEVEL_MAX,
};

struct log_topic {
	const char *name;
	int level;      /* -1: not yet resolved from the spec */
	unsigned gen;   /* spec generation it was resolved for */
};

#define LOG_TOPIC(n) static struct log_topic log_topic_##n = { #n, -1, 0 }

/* "info" or "debug,sip=warn"; returns -EINVAL on an unknown level name */
int log_set_spec(const char *spec);
/* prefix every line with this (e.g. the room name), or NULL */
void log_set_ident(const char *ident);
bool log_enabled(struct log_topic *t, enum log_level l);
void log_write(struct log_topic *t, enum log_level l, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_full(tp, lvl, err, ...)                                          \
	({                                                                    \
		int log_e_ = (err);                                           \
		if (log_enabled(&log_topic_##tp, lvl))                        \
			log_write(&log_topic_##tp, lvl, log_e_, __VA_ARGS__); \
		log_e_ < 0 ? log_e_ : -log_e_;                                \
	})

#define log_err(tp, ...) ((void)log_full(tp, LOG_ERR, 0, __VA_ARGS__))
#define log_warn(tp, ...) ((void)log_full(tp, LOG_WARN, 0, __VA_ARGS__))
#define log_info(tp, ...) ((void)log_full(tp, LOG_INFO, 0, __VA_ARGS__))
#define log_debug(tp, ...) ((void)log_full(tp, LOG_DEBUG, 0, __VA_ARGS__))
#define log_err_errno(tp, r, ...) log_full(tp, LOG_ERR, r, __VA_ARGS__)
#define log_warn_errno(tp, r, ...) log_full(tp, LOG_WARN, r, __VA_ARGS__)
#define log_debug_errno(tp, r, ...) log_full(tp, LOG_DEBUG, r, __VA_ARGS__)

#endif

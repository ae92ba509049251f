/* main.c: rakwon-bridge, the multipoint bridge daemon.
 *
 *   rakwon-bridge [-c|--conf FILE] [--meetings FILE] [-s|--set key=value]...
 *                 [--log SPEC] [--print-default-config]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "lib/conf/conf.h"
#include "lib/log/log.h"
#include "lib/loop/loop.h"

static struct bridge *g_bridge;

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	if (g_bridge)
		bridge_shutdown(g_bridge);
	else
		loop_quit(l, 0);
}

static void usage(void)
{
	fprintf(stderr, "usage: rakwon-bridge [--conf FILE] [--meetings FILE] [-s|--set key=value]... "
			"[--log SPEC] [--print-default-config]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", 1, 0, 'c' }, { "meetings", 1, 0, 'm' }, { "set", 1, 0, 's' },
		{ "log", 1, 0, 'l' }, { "print-default-config", 0, 0, 'p' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct conf *conf = NULL;
	struct loop *loop = NULL;
	struct br_meeting_def *defs = NULL;
	size_t ndefs = 0;
	const char *conf_path = NULL, *meetings = NULL;
	char *sets[64];
	unsigned nsets = 0;
	char err[512];
	size_t ndefs_tab;
	const struct conf_def *defs_tab = bridge_conf_table(&ndefs_tab);
	int c, r;

	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'm': meetings = optarg; break;
		case 's':
			if (nsets == 64) {
				usage();
				return 2;
			}
			sets[nsets++] = optarg;
			break;
		case 'l':
			if (log_set_spec(optarg) < 0) {
				fprintf(stderr, "rakwon-bridge: bad --log spec\n");
				return 2;
			}
			break;
		case 'p':
			conf_write_default(defs_tab, ndefs_tab, "rakwon-bridge", stdout);
			return 0;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if ((r = conf_new(&conf, defs_tab, ndefs_tab)) < 0)
		return 1;
	if (conf_path && conf_load_file(conf, conf_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "rakwon-bridge: %s\n", err);
		return 1;
	}
	for (unsigned i = 0; i < nsets; i++) {
		char *eq = strchr(sets[i], '=');

		if (!eq) {
			usage();
			return 2;
		}
		*eq = 0;
		if (conf_set(conf, sets[i], eq + 1, false, err, sizeof(err)) < 0) {
			fprintf(stderr, "rakwon-bridge: %s: %s\n", sets[i], err);
			return 1;
		}
	}
	if (!meetings)
		meetings = conf_str(conf, "meetings");
	if (!meetings || !*meetings) {
		fprintf(stderr, "rakwon-bridge: no meetings file (--meetings or meetings =)\n");
		return 1;
	}
	if (br_meetings_load(meetings, &defs, &ndefs, err, sizeof(err)) < 0) {
		fprintf(stderr, "rakwon-bridge: %s\n", err);
		conf_free(conf);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((r = loop_new(&loop)) < 0 ||
	    (r = loop_signal_add(loop, SIGINT, on_signal, NULL)) < 0 ||
	    (r = loop_signal_add(loop, SIGTERM, on_signal, NULL)) < 0 ||
	    (r = bridge_new(&g_bridge, loop, conf, defs, ndefs)) < 0) {
		fprintf(stderr, "rakwon-bridge: start: %s\n", strerror(-r));
		loop_free(loop);
		conf_free(conf);
		free(defs);
		return 1;
	}
	fprintf(stderr, "rakwon-bridge: %zu meetings, ready\n", ndefs);
	loop_run(loop);
	g_bridge = bridge_free(g_bridge);
	loop_free(loop);
	conf_free(conf);
	free(defs);
	return 0;
}

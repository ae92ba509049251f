/* main.c: rakwon-terminal, the room terminal daemon.
 *
 *   rakwon-terminal [-c FILE] [-s key=value]... [--print-default-config]
 *                   [--print-config]
 *
 * -c FILE     configuration file (default /etc/rakwon-terminal/terminal.conf
 *             if it exists); errors are reported as "file:line: message"
 * -s k=v      set a key after the file (repeatable)
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "terminal/terminal.h"
#include "terminal/terminal_main.h"

#define DEFAULT_CONF "/etc/rakwon-terminal/terminal.conf"

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct terminal *t = arg;

	if (t->quitting)
		loop_quit(l, 0);   /* second signal: now */
	else
		terminal_shutdown(t);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", 1, 0, 'c' }, { "set", 1, 0, 's' },
		{ "print-default-config", 0, 0, 'D' }, { "print-config", 0, 0, 'P' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct terminal t = { 0 };
	const char *path = NULL;
	char *sets[64];
	int nsets = 0, c, r;
	bool print = false;
	char err[512];

	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 's':
			if (nsets == 64) {
				fprintf(stderr, "rakwon-terminal: too many -s\n");
				return 2;
			}
			sets[nsets++] = optarg;
			break;
		case 'D':
			conf_write_default(terminal_conf_defs, terminal_conf_ndefs,
					   "rakwon-terminal: room terminal configuration", stdout);
			return 0;
		case 'P': print = true; break;
		default:
			fprintf(stderr, "usage: rakwon-terminal [-c FILE] [-s key=value]... "
					"[--print-default-config] [--print-config]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (!path && access(DEFAULT_CONF, R_OK) == 0)
		path = DEFAULT_CONF;
	t.conf_path = path;
	t.sets = sets;
	t.nsets = nsets;
	r = terminal_conf_build(&t, NULL, &t.conf, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "rakwon-terminal: %s\n", err);
		return 1;
	}
	if (print) {
		conf_dump(t.conf, stdout);
		conf_free(t.conf);
		return 0;
	}
	if (log_set_spec(conf_str(t.conf, "log.level")) < 0) {
		fprintf(stderr, "rakwon-terminal: log.level: invalid \"%s\"\n",
			conf_str(t.conf, "log.level"));
		conf_free(t.conf);
		return 1;
	}
	log_set_ident(conf_str(t.conf, "room.name"));
	if ((r = loop_new(&t.loop)) < 0 ||
	    (r = loop_signal_add(t.loop, SIGINT, on_signal, &t)) < 0 ||
	    (r = loop_signal_add(t.loop, SIGTERM, on_signal, &t)) < 0) {
		fprintf(stderr, "rakwon-terminal: event loop: %s\n", strerror(-r));
		return 1;
	}
	r = terminal_start(&t);
	if (r == 0)
		r = loop_run(t.loop);
	terminal_free(&t);
	loop_free(t.loop);
	if (t.reboot) {
		sigset_t none;

		/* the reboot command of the control API, after the clean stop */
		fprintf(stderr, "rakwon-terminal: rebooting: %s\n", t.reboot_cmd);
		fflush(NULL);
		/* the loop's blocked signals and the ignored SIGPIPE would be inherited */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", t.reboot_cmd, (char *)NULL);
		fprintf(stderr, "rakwon-terminal: reboot: /bin/sh: %s\n", strerror(errno));
		return 1;
	}
	return r < 0 ? 1 : 0;
}

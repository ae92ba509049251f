/* main.c: rakwon-provagent, a simulated device embedding the provisioning client.
 *
 * Used by tests/integration/prov_*.sh (and handy by hand) until the real
 * terminal embeds struct prov_client. Everything the terminal would decide
 * is simulated with files:
 *   --in-call-file F       F exists: a call is active (changes are deferred)
 *   --fail-apply-file F    F exists: apply() fails (rollback)
 *   --unregistered-file F  F exists: after an apply, SIP registration "fails"
 *   --fw-dir D             fw_install copies the image to D/<version>.img
 * It writes STATE_DIR/agent.status (key=value lines) after every event.
 *
 *   rakwon-provagent --url URL --state DIR --config FILE --serial S [options]
 *   (--srv-domain D instead of --url: discover by DNS SRV _rakwon-prov._tcp.D)
 *   rakwon-provagent --atomic-loop FILE   rewrite FILE forever (crash tests)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log/log.h"
#include "lib/loop/loop.h"
#include "prov/prov.h"

LOG_TOPIC(agent);

struct agent {
	struct loop *l;
	struct prov_client *c;
	const char *in_call_file, *fail_file, *unreg_file, *fw_dir, *state_dir;
	struct loop_timer report;
	struct loop_timer status;       /* rewrites agent.status every 200 ms */
	unsigned applies;
	int exit_after;
};

static bool exists(const char *f)
{
	return f && access(f, F_OK) == 0;
}

static void write_status(struct agent *a)
{
	struct prov_client_stats s;
	char path[600], buf[2048];
	int n;

	if (!a->c)
		return;
	prov_client_stats(a->c, &s);
	n = snprintf(buf, sizeof(buf),
		     "state=%s\netag=%s\npolls=%llu\nnot_modified=%llu\napplied=%llu\n"
		     "rollbacks=%llu\ndeferred=%llu\nerrors=%llu\nfw_installed=%llu\n"
		     "fw_rejected=%llu\nerror=%s\n",
		     prov_state_name(prov_client_state(a->c)), prov_client_etag(a->c),
		     (unsigned long long)s.polls, (unsigned long long)s.not_modified,
		     (unsigned long long)s.applied, (unsigned long long)s.rollbacks,
		     (unsigned long long)s.deferred, (unsigned long long)s.errors,
		     (unsigned long long)s.fw_installed, (unsigned long long)s.fw_rejected,
		     prov_client_last_error(a->c));
	snprintf(path, sizeof(path), "%s/agent.status", a->state_dir);
	(void)prov_file_write_atomic(path, buf, (size_t)n, 0644, 0);
}

static void on_report(struct loop *l, struct loop_timer *t, void *arg)
{
	struct agent *a = arg;

	(void)l;
	(void)t;
	/* the "terminal" tells whether SIP registration worked with the new config */
	prov_client_report_registered(a->c, !exists(a->unreg_file), "SIP registration failed");
	write_status(a);
}

static int cb_apply(const char *config, size_t len, void *arg)
{
	struct agent *a = arg;

	(void)config;
	if (exists(a->fail_file)) {
		log_info(agent, "apply refused (simulated)");
		return -EINVAL;
	}
	a->applies++;
	log_info(agent, "applied %zu bytes", len);
	(void)loop_timer_start(a->l, &a->report, 100000, 0, on_report, a);
	if (a->exit_after && (int)a->applies >= a->exit_after)
		loop_quit(a->l, 0);
	return 0;
}

static bool cb_in_call(void *arg)
{
	struct agent *a = arg;

	return exists(a->in_call_file);
}

static int cb_fw_install(const char *path, const char *version, void *arg)
{
	struct agent *a = arg;
	char dst[600], buf[65536];
	int in, out, r = 0;
	ssize_t n;

	if (!a->fw_dir)
		return -ENOTSUP;
	snprintf(dst, sizeof(dst), "%s/%s.img", a->fw_dir, version);
	in = open(path, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		r = -errno;
	while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			r = -EIO;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	log_info(agent, "firmware %s installed to %s", version, dst);
	return r;
}

static void cb_event(enum prov_state s, const char *msg, void *arg)
{
	struct agent *a = arg;

	if (*msg)
		log_info(agent, "[%s] %s", prov_state_name(s), msg);
	write_status(a);
}

static void on_status(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	write_status(arg);
}

static int discover_srv(char *url, size_t len, void *arg)
{
	return prov_discover_srv(arg, url, len);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_quit(l, 0);
}

/* crash-test helper: rewrite the file with alternating whole contents */
static int atomic_loop(const char *path)
{
	static char a[65536], b[65536];

	memset(a, 'A', sizeof(a) - 1);
	memset(b, 'B', sizeof(b) - 1);
	a[sizeof(a) - 2] = b[sizeof(b) - 2] = '\n';
	for (unsigned i = 0;; i++) {
		int r = prov_file_write_atomic(path, i & 1 ? b : a, sizeof(a) - 1, 0644, 0);

		if (r < 0) {
			fprintf(stderr, "write: %s\n", strerror(-r));
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", 1, NULL, 'u' }, { "state", 1, NULL, 's' }, { "config", 1, NULL, 'c' },
		{ "serial", 1, NULL, 'n' }, { "mac", 1, NULL, 'm' }, { "model", 1, NULL, 'M' },
		{ "version", 1, NULL, 'v' }, { "token", 1, NULL, 't' }, { "ca", 1, NULL, 'a' },
		{ "fw-pubkey", 1, NULL, 'k' }, { "poll", 1, NULL, 'p' },
		{ "in-call-file", 1, NULL, 'i' }, { "fail-apply-file", 1, NULL, 'f' },
		{ "unregistered-file", 1, NULL, 'r' }, { "fw-dir", 1, NULL, 'd' },
		{ "exit-after", 1, NULL, 'x' }, { "fault-step", 1, NULL, 'F' },
		{ "backoff-max", 1, NULL, 'b' }, { "atomic-loop", 1, NULL, 'A' },
		{ "log", 1, NULL, 'l' }, { "srv-domain", 1, NULL, 'D' }, { NULL, 0, NULL, 0 },
	};
	struct prov_client_opts o = { 0 };
	struct prov_client_cbs cbs = { .apply = cb_apply, .in_call = cb_in_call,
				       .fw_install = cb_fw_install, .event = cb_event };
	struct agent a = { 0 };
	int ch, r;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': o.server_url = optarg; break;
		case 's': o.state_dir = a.state_dir = optarg; break;
		case 'c': o.config_path = optarg; break;
		case 'n': o.serial = optarg; break;
		case 'm': o.mac = optarg; break;
		case 'M': o.model = optarg; break;
		case 'v': o.version = optarg; break;
		case 't': o.enroll_token = optarg; break;
		case 'a': o.ca_file = optarg; break;
		case 'k': o.fw_pubkey_file = optarg; break;
		case 'p': o.poll_interval_s = (unsigned)atoi(optarg); break;
		case 'b': o.backoff_max_s = (unsigned)atoi(optarg); break;
		case 'i': a.in_call_file = optarg; break;
		case 'f': a.fail_file = optarg; break;
		case 'r': a.unreg_file = optarg; break;
		case 'd': a.fw_dir = optarg; break;
		case 'x': a.exit_after = atoi(optarg); break;
		case 'F': o.fault_step = atoi(optarg); break;
		case 'A': return atomic_loop(optarg);
		case 'l': (void)log_set_spec(optarg); break;
		case 'D': o.discover = discover_srv; o.discover_arg = optarg; break;
		default:
			fprintf(stderr, "see the comment at the top of tools/provagent/main.c\n");
			return 2;
		}
	}
	if (!o.state_dir || !o.config_path || !o.serial) {
		fprintf(stderr, "--state, --config and --serial are required\n");
		return 2;
	}
	o.defer_recheck_s = 1;
	o.verify_timeout_s = 5;
	o.jitter_pct = 10;
	log_set_ident(o.serial);
	r = loop_new(&a.l);
	if (r == 0)
		r = prov_client_new(&a.c, a.l, &o, &cbs, &a);
	if (r < 0) {
		fprintf(stderr, "provagent: %s\n", strerror(-r));
		loop_free(a.l);
		return 1;
	}
	(void)loop_signal_add(a.l, SIGINT, on_signal, NULL);
	(void)loop_signal_add(a.l, SIGTERM, on_signal, NULL);
	write_status(&a);
	(void)loop_timer_start(a.l, &a.status, 200000, 200000, on_status, &a);
	prov_client_start(a.c);
	r = loop_run(a.l);
	write_status(&a);
	loop_timer_stop(a.l, &a.report);
	loop_timer_stop(a.l, &a.status);
	prov_client_free(a.c);
	loop_free(a.l);
	return r < 0 ? 1 : 0;
}
